"""``flask backup`` of a live database (a real server taking writes meanwhile) restores into
a fresh instance with its orders, ballots (a valid chain) and ledger intact."""
import shutil
import sqlite3
import threading
import time

from tests.realtime.scene import Http, neighbourhood, post_order
from tests.services import ServerProcess


def test_a_backup_taken_during_writes_restores_into_a_working_instance(tmp_path):
    live_file, backup_file = tmp_path / "live.sqlite3", tmp_path / "backup.sqlite3"
    env = {"DATABASE_URL": f"sqlite:///{live_file}", "SEED_DEMO": "0",
           "RATELIMIT_ENABLED": "0", "SECRET_KEY": "backup-secret"}
    live = ServerProcess(env).start()
    try:
        live.cli("create-admin", "admin", "--password", "admin-password")
        scene = neighbourhood(live.url)
        requester, helper, staff = scene["requester"], scene["helper"], scene["staff"]
        done = post_order(requester, "Done before the backup")["id"]
        for step, body in (("accept", None), ("start", None), ("complete", {"minutes": 45})):
            helper.post(f"/orders/{done}/{step}", body)
        requester.post(f"/orders/{done}/confirm", {"rating": 5})
        vote = staff.post("/votes", {"title": "New door", "description": "Steel.",
                                     "rule": "poll", "building_id": scene["building"]["id"]})
        before = requester.post(f"/votes/{vote['id']}/ballots", {"choice": "yes"})["receipt"]
        stop, written = threading.Event(), []

        def keep_writing():
            n = 0
            while not stop.is_set():
                n += 1
                written.append(post_order(requester, f"During the backup {n}")["id"])
                helper.post(f"/votes/{vote['id']}/ballots",
                            {"choice": ("yes", "no")[n % 2]})

        writer = threading.Thread(target=keep_writing)
        writer.start()
        try:
            deadline = time.monotonic() + 60  # a writer that died must fail the test, not hang it
            while len(written) < 3:
                assert time.monotonic() < deadline and writer.is_alive(), "the writes stopped"
                threading.Event().wait(0.05)
            answered_before_backup = list(written)
            report = live.cli("backup", str(backup_file))
        finally:
            stop.set()
            writer.join(timeout=30)
        assert "Backed up" in report
    finally:
        live.stop()

    restored_file = tmp_path / "restored.sqlite3"
    shutil.copy(backup_file, restored_file)  # restoring is putting the file in place
    restored = ServerProcess(env | {"DATABASE_URL": f"sqlite:///{restored_file}"}).start()
    try:
        as_requester = Http(restored.url, requester.token)  # tokens live in the database too
        assert as_requester.get(f"/orders/{done}")["status"] == "confirmed"
        for order_id in answered_before_backup:  # answered before the backup began: kept
            assert as_requester.get(f"/orders/{order_id}")["status"] == "open"
        assert "chain intact, recount matches" in restored.cli("verify-vote", str(vote["id"]))
        receipt = Http(restored.url).get(f"/votes/{vote['id']}/receipts/{before}")
        assert (receipt["vote_id"], receipt["choice"], receipt["counted"]) == (
            vote["id"], "yes", True)
        helper_ledger = Http(restored.url, helper.token).get("/me/ledger")
        assert [(e["order_id"], e["minutes"]) for e in helper_ledger["items"]] == [(done, 45)]
        with sqlite3.connect(restored_file) as db:
            assert db.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        post_order(as_requester, "After the restore")  # the restored instance takes writes
    finally:
        restored.stop()
