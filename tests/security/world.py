"""One small world for the security tests: two communities, the seven actors of the
authorisation matrix (plus a lobby kiosk), and one of each thing they could touch.

The world is built once per test module into a SQLite file; ``World.restore()`` puts the
file back (and forgets what the app's process caches remember of it) before every case, reads
included, so each cell of a table starts from the same state whatever ran before it: any
``-k`` subset, a random order or a parallel run gives the same answers.
"""
import shutil
from datetime import timedelta
from pathlib import Path

from mutualaid import create_app
from mutualaid.accounts import domain as accounts
from mutualaid.accounts import token_cache
from mutualaid.accounts.secrets import hash_secret
from mutualaid.appeals import domain as appeals
from mutualaid.appeals import photos as appeal_photos
from mutualaid.catalogue import domain as catalogue
from mutualaid.core.config import TestingConfig
from mutualaid.core.database import utcnow
from mutualaid.core.extensions import db
from mutualaid.kiosk import domain as kiosks
from mutualaid.matching import domain as matching
from mutualaid.orders import board, expiry, reports
from mutualaid.orders import domain as orders
from mutualaid.orders import reports
from mutualaid.streets import domain as streets
from mutualaid.votes import domain as votes
from tests.factories import (
    PASSWORD, make_building, make_community, make_staff, make_unit, make_user,
)

# The columns of the tables: who is asking.
ACTORS = ("anonymous", "unverified", "resident", "helper", "outsider", "staff", "admin", "kiosk")
# Two more columns, for what a person signed in at that kiosk may do (kiosk-scoped tokens):
# a resident (by PIN) and the community's staff (by password).
KIOSK_ACTORS = ("kiosk_resident", "kiosk_staff")
PIN = "902417"  # six digits: unlikely to turn up by chance in a log line
# What an app keeps in its process of the rows it read: stale once the file is put back.
PROCESS_CACHES = (token_cache._CACHE, board._CACHE, expiry.KEY)


class World:
    """The app, the ids of everything in the world, and each actor's bearer token."""

    def __init__(self, tmp_dir, config_hook=None):
        config = TestingConfig(tmp_dir)
        if config_hook:
            config_hook(config)
        self.app = create_app(config)
        self.db_file = Path(tmp_dir) / "test.sqlite3"
        self.template = Path(tmp_dir) / "world.sqlite3"
        self.ids, self.tokens, self.usernames = {}, {}, {}
        with self.app.app_context():
            db.create_all()
            self._build()
            db.session.commit()
            db.session.remove()
            db.engine.dispose()
        shutil.copyfile(self.db_file, self.template)

    def headers(self, actor):
        """The Authorization header of ``actor`` (none for the anonymous)."""
        token = self.tokens.get(actor)
        return {"Authorization": f"Bearer {token}"} if token else {}

    def keep(self):
        """Make the database as it is now what ``restore()`` puts back."""
        self._close()
        shutil.copyfile(self.db_file, self.template)

    def restore(self):
        """Put the database back as it was built, and empty the app's caches of it."""
        self._close()
        for suffix in ("-wal", "-shm"):
            Path(f"{self.db_file}{suffix}").unlink(missing_ok=True)
        shutil.copyfile(self.template, self.db_file)
        for key in PROCESS_CACHES:
            self.app.extensions.pop(key, None)
        return self

    def _close(self):
        """Close every connection (SQLite writes its log back into the file on the last)."""
        with self.app.app_context():
            db.session.remove()
            db.engine.dispose()

    def _build(self):
        ids = self.ids
        alpha, beta = make_community("Alpha"), make_community("Beta")
        home, away = make_building(alpha, "A1"), make_building(beta, "B1", lat=23.10, lon=113.20)
        units = {name: make_unit(home, number) for name, number in
                 (("requester", "101"), ("resident", "201"), ("helper", "301"), ("free", "401"))}
        away_unit = make_unit(away, "101")
        people = {
            "unverified": make_user("newbie"),
            "resident": make_user("resi", verified=True, unit=units["resident"]),
            "helper": make_user("helpa", verified=True, unit=units["helper"], vetted=True),
            "requester": make_user("reqa", verified=True, unit=units["requester"]),
            "neighbour_b": make_user("beta1", verified=True, unit=away_unit),
            "outsider": make_staff(beta, "staffb"),
            "staff": make_staff(alpha, "staffa"),
            "admin": make_user("root", role="admin"),
        }
        pin_hash = hash_secret(PIN)
        for name, unit in units.items():
            if name != "free":
                unit.owner_id = people[name].id
        for name, user in people.items():
            user.pin_hash = pin_hash
            ids[name] = user.id
            self.usernames[name] = user.username
        ids.update(alpha=alpha.id, beta=beta.id, home=home.id, away=away.id,
                   free_unit=units["free"].id)
        self._orders(people)
        self._conversation(people)
        self._vote_and_services(people, home, away)
        self._streets_and_appeals(people, alpha, home)
        for actor in ACTORS[1:-1]:
            self.tokens[actor] = accounts.issue_token(people[actor])
        kiosk, self.tokens["kiosk"] = kiosks.issue_kiosk(people["staff"], home, "Lobby")
        ids["kiosk"] = kiosk.id
        for actor in KIOSK_ACTORS:  # valid for the module's run rather than 5 minutes
            self.tokens[actor] = accounts.issue_token(people[actor.removeprefix("kiosk_")],
                                                      timedelta(hours=2), kiosk=kiosk)
        self.password = PASSWORD

    def _orders(self, people):
        ids, helper = self.ids, people["helper"]

        def order(requester, title):
            return orders.create_order(requester, {"title": title, "tags": ["repair"]})

        ids["offer"] = matching.create_offer(helper, "Taps", ["repair.plumbing"]).id
        ids["order_open"] = order(people["requester"], "Open").id
        accepted = order(people["requester"], "Accepted")
        orders.accept_order(helper, accepted)
        ids["order_accepted"] = accepted.id
        started = order(people["requester"], "Started")
        orders.start_order(helper, orders.accept_order(helper, started))
        ids["order_started"] = started.id
        done = order(people["requester"], "Done")
        orders.complete_order(helper, orders.start_order(helper, orders.accept_order(helper, done)),
                              30)
        ids["order_done"] = done.id
        ids["order_beta"] = order(people["neighbour_b"], "Beta need").id
        opened = db.session.get(type(done), ids["order_open"])
        ids["report"] = reports.report_order(people["requester"], opened, "Looks like spam").id

    def _conversation(self, people):
        from mutualaid.conversation import domain as conversation

        accepted = db.session.get(orders.Order, self.ids["order_accepted"])
        self.ids["message"] = conversation.post_message(people["requester"], accepted,
                                                        "The tap is under the sink.").id
        from mutualaid.notifications.models import Notification

        self.ids["notification"] = db.session.scalar(db.select(Notification.id).where(
            Notification.user_id == people["helper"].id, Notification.kind == "order.message"))

    def _vote_and_services(self, people, home, away):
        ids, staff = self.ids, people["staff"]
        vote = votes.create_vote(staff, title="Lift", description="A new lift", rule="ordinary",
                                 building=home)
        ids["vote"] = vote.id
        ids["receipt"] = votes.cast_ballot(people["requester"], vote, "yes").receipt
        ids["vote_beta"] = votes.create_vote(people["outsider"], title="Roof", description="Roof",
                                             rule="poll", building=away).id
        service = catalogue.create_service(staff, None, "Haircuts", "Salon", "care")
        ids["service"] = service.id
        session = catalogue.add_session(staff, service, utcnow() + timedelta(days=2), 60, 5,
                                        "Hut")
        ids["session"] = session.id
        ids["booking"] = catalogue.book_session(people["requester"], session).id
        self._building_project(people, home)

    def _building_project(self, people, home):
        """A project vote with a plan, a document, a question and a proxy; one in objection."""
        from mutualaid.votes import information, proxies, shares, stages

        ids, staff = self.ids, people["staff"]
        project = votes.create_vote(staff, title="Elevator", description="A lift", rule="major",
                                    building=home)
        shares.set_cost_plan(staff, project, total_cost=10_000, maintenance_fund=0, subsidy=0,
                             coefficients={})
        ids["project"] = project.id
        ids["document"] = information.attach_document(staff, project, "Quote",
                                                      b"%PDF-1.4\n%%EOF\n").id
        ids["question"] = information.ask_question(people["requester"], project, "When?").id
        ids["proxy"] = proxies.authorise_proxy(staff, project, people["requester"],
                                               people["helper"], "Signed", utcnow().date()).id
        objected = votes.create_vote(staff, title="Gate", description="A gate", rule="ordinary",
                                     building=home)
        votes.close_vote(staff, objected)
        ids["vote_objection"] = objected.id
        ids["objection"] = stages.file_objection(people["requester"], objected, "Recount").id

    def _streets_and_appeals(self, people, alpha, home):
        """Alpha in a street with its street staff; A1 in a grid with a grid worker (two more
        actors, for the appeals' rows: ``street_staff`` and ``grid_worker``); appeals by the
        requester at each stage, and a photo."""
        from tests.appeals.factories import png

        ids, staff, admin = self.ids, people["staff"], people["admin"]
        street = streets.create_street(admin, "Zumiao")
        streets.add_community(admin, street, alpha)
        extra = {"street_staff": make_user("street1", role="staff"),
                 "grid_worker": make_user("gridw", role="staff")}
        streets.add_street_staff(admin, street, extra["street_staff"])
        grid = streets.create_grid(staff, alpha, "Grid A", [home.id], [extra["grid_worker"].id])
        ids.update(street=street.id, grid=grid.id,
                   home2=make_building(alpha, "A9", lat=23.03).id)

        def appeal(title, public=True):
            return appeals.file_appeal(people["requester"], {
                "category": "facilities", "title": title, "building_id": home.id,
                "public": public})

        ids["appeal"] = appeal("Gate").id
        ids["appeal_private"] = appeal("Private", public=False).id
        accepted = appeals.accept_appeal(staff, appeal("Accepted"))
        ids["appeal_accepted"] = accepted.id
        started = appeals.start_appeal(staff, appeals.accept_appeal(staff, appeal("Started")))
        ids["appeal_started"] = started.id
        resolved = appeals.resolve_appeal(staff, appeals.start_appeal(
            staff, appeals.accept_appeal(staff, appeal("Resolved"))), "Fixed")
        ids["appeal_resolved"] = resolved.id
        up = appeal("Up")
        appeals.escalate_appeal(staff, up, "Community")
        ids["appeal_street"] = appeals.escalate_appeal(staff, up, "Street").id
        ids["appeal_photo"] = appeal_photos.add_photo(
            people["requester"], db.session.get(type(up), ids["appeal"]), png()).id
        for name, user in extra.items():
            ids[name] = user.id
            self.tokens[name] = accounts.issue_token(user)
