"""The server SIGKILLed in the middle of a burst of order accepts, confirms and ballots.

A real ``python app.py`` on a SQLite file; threads send the burst; the process is killed
while requests are in flight. After a restart, every request that was answered 2xx is in
the database, and nothing is half done (an accepted order has its helper and its event, a
confirmed order its one ledger row, every ballot is in its vote's chain and the current
pointers are consistent: ``flask verify-vote`` passes).
"""
import sqlite3
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import requests

from tests.realtime.scene import Http, neighbourhood, post_order
from tests.services import ServerProcess

ACCEPTS = 40
CONFIRMS = 10
BALLOTS_PER_VOTER = 40


def _server(tmp_path):
    database = tmp_path / "crash.sqlite3"
    env = {"DATABASE_URL": f"sqlite:///{database}", "SEED_DEMO": "0", "RATELIMIT_ENABLED": "0",
           "SECRET_KEY": "crash-secret"}
    return ServerProcess(env), database


def _send(method, url, token, body=None):
    """One request; its status, answer and whether it was answered at all."""
    try:
        response = requests.request(method, url, json=body, timeout=10,
                                    headers={"Authorization": f"Bearer {token}"})
    except requests.RequestException:
        return None, None
    return response.status_code, (response.json() if response.content else None)


def test_a_killed_server_keeps_every_answered_write_and_no_half_done_change(tmp_path):
    server, database = _server(tmp_path)
    server.start()
    try:
        server.cli("create-admin", "admin", "--password", "admin-password")
        scene = neighbourhood(server.url)
        requester, helper, staff = scene["requester"], scene["helper"], scene["staff"]
        to_accept = [post_order(requester, f"Need {i}")["id"] for i in range(ACCEPTS)]
        to_confirm = []
        for i in range(CONFIRMS):
            order = post_order(requester, f"Done {i}")["id"]
            helper.post(f"/orders/{order}/accept")
            helper.post(f"/orders/{order}/start")
            helper.post(f"/orders/{order}/complete", {"minutes": 30})
            to_confirm.append(order)
        vote = staff.post("/votes", {"title": "Paint the stairwell", "description": "Blue.",
                                     "rule": "poll", "building_id": scene["building"]["id"]})
        base = server.url + "/api/v1"
        jobs = [("POST", f"{base}/orders/{o}/accept", helper.token, None, ("accept", o))
                for o in to_accept]
        jobs += [("POST", f"{base}/orders/{o}/confirm", requester.token, {"rating": 5},
                  ("confirm", o)) for o in to_confirm]
        for n in range(BALLOTS_PER_VOTER):
            for who, client in (("requester", requester), ("helper", helper)):
                choice = ("yes", "no", "abstain")[n % 3]
                jobs.append(("POST", f"{base}/votes/{vote['id']}/ballots", client.token,
                             {"choice": choice}, ("ballot", who)))
        jobs.sort(key=lambda job: hash(job[4]) % 7)  # interleave the kinds
        answered = []
        lock = threading.Lock()

        def run(job):
            method, url, token, body, what = job
            status, answer = _send(method, url, token, body)
            with lock:
                answered.append((what, status, answer))

        with ThreadPoolExecutor(max_workers=8) as pool:
            futures = [pool.submit(run, job) for job in jobs]
            deadline = time.monotonic() + 30
            while (sum(f.done() for f in futures) < len(jobs) // 3
                   and time.monotonic() < deadline):
                time.sleep(0.01)
            server.kill()  # mid-burst, no shutdown of any kind
        succeeded = [(what, answer) for what, status, answer in answered
                     if status is not None and 200 <= status < 300]
        assert 0 < len(succeeded) < len(jobs), "the kill must land in the middle of the burst"
    finally:
        server.stop()

    restarted = ServerProcess(server.env | {"PORT": ""}).start()
    try:
        health = requests.get(restarted.url + "/healthz", timeout=10)
        assert health.status_code == 200
        with sqlite3.connect(database) as db:
            helper_id = scene["people"]["helper"]["id"]
            for (kind, ident), answer in succeeded:
                if kind == "accept":
                    status, helper_of = db.execute(
                        "SELECT status, helper_id FROM orders WHERE id = ?", (ident,)).fetchone()
                    assert (status, helper_of) == ("accepted", helper_id)
                elif kind == "confirm":
                    assert db.execute("SELECT status FROM orders WHERE id = ?",
                                      (ident,)).fetchone() == ("confirmed",)
                else:
                    assert db.execute("SELECT count(*) FROM ballots WHERE receipt = ?",
                                      (answer["receipt"],)).fetchone() == (1,)
            # No half-done change, whatever was answered or not.
            for order_id, status, helper_of in db.execute(
                    "SELECT id, status, helper_id FROM orders"):
                events = [row[0] for row in db.execute(
                    "SELECT to_status FROM order_events WHERE order_id = ? ORDER BY id",
                    (order_id,))]
                assert events[-1] == status, (order_id, events, status)
                if status != "open":
                    assert helper_of == helper_id
                credits = db.execute("SELECT count(*), sum(minutes) FROM credit_entries "
                                     "WHERE order_id = ?", (order_id,)).fetchone()
                assert credits == ((1, 30) if status == "confirmed" else (0, None)), order_id
            counted = db.execute("SELECT count(*) FROM current_ballots WHERE vote_id = ?",
                                 (vote["id"],)).fetchone()[0]
            voted = {who for (kind, who), _ in succeeded if kind == "ballot"}
            assert counted >= len(voted)
        report = restarted.cli("verify-vote", str(vote["id"]))
        assert "chain intact, recount matches" in report
        # The restarted server takes writes again.
        fresh = Http(restarted.url, requester.token)
        post_order(fresh, "After the crash")
    finally:
        restarted.stop()
