"""Who may open which page: every GET page × the actors with a cookie session, as a table.

302 is the way to the sign-in page. Pages of another community's things answer 404, as
the API does. A page route without a row fails ``test_the_table_covers_every_page``.
"""
import pytest

from mutualaid.accounts.models import User
from mutualaid.core.extensions import db
from tests.security.world import ACTORS, World

PEOPLE = ACTORS[:-1]  # a kiosk has no cookie session
#         anon unver resid helper outsd staff admin
PUBLIC = "200 200 200 200 200 200 200"
SIGNED_IN = "302 200 200 200 200 200 200"
STAFF = "302 403 403 403 403 200 200"
ANY_STAFF = "302 403 403 403 200 200 200"  # staff pages listing their own communities
AWAY = "302 404 404 404 200 404 200"
HOME = "302 404 200 200 404 200 200"
TABLE = [
    ("/", PUBLIC), ("/login", PUBLIC), ("/register", PUBLIC), ("/offline", PUBLIC),
    ("/reset", PUBLIC),
    ("/manifest.webmanifest", PUBLIC), ("/sw.js", PUBLIC), ("/healthz", PUBLIC),
    ("/qr.svg?path=/", PUBLIC),
    # the test client is on loopback, the internal network: outsiders get 404, see
    # tests/shell/test_metrics.py
    ("/metrics", PUBLIC),
    ("/kiosk/{kiosk_token}", PUBLIC),  # the token is the credential
    ("/kiosk/not-a-kiosk", "404 404 404 404 404 404 404"),
    ("/me", SIGNED_IN), ("/skills", SIGNED_IN),
    ("/orders", SIGNED_IN), ("/orders/new", SIGNED_IN),
    ("/orders/{order_open}", HOME), ("/orders/{order_beta}", AWAY),
    ("/services/", SIGNED_IN), ("/services/mine", SIGNED_IN),
    ("/services/{service}", SIGNED_IN),
    ("/services/sessions/{session}/bookings", STAFF), ("/services/staff", ANY_STAFF),
    ("/staff/", ANY_STAFF), ("/staff/kiosks", ANY_STAFF), ("/staff/reports", ANY_STAFF),
    ("/staff/verify", ANY_STAFF), ("/staff/visits", ANY_STAFF),
    ("/staff/communities/{alpha}", STAFF),
    ("/staff/communities/{beta}", "302 403 403 403 200 403 200"),
    ("/staff/buildings/{home}", STAFF),
    ("/votes/", SIGNED_IN), ("/votes/new", ANY_STAFF),
    ("/votes/{vote}", HOME), ("/votes/{vote_beta}", AWAY),
    ("/votes/{vote}/notice", HOME), ("/votes/{vote}/result", HOME),
    ("/votes/{vote_beta}/result", AWAY),
    ("/votes/{vote}/pending", "302 404 403 403 404 200 200"),
    ("/votes/{vote}/record", "302 404 403 403 404 200 200"),
    ("/votes/{vote_beta}/record", AWAY),
    ("/votes/{vote}/receipt?code={receipt}", PUBLIC),  # anyone with the code, as the API
    ("/votes/{vote}/receipt?code=WRONG-CODE", "404 404 404 404 404 404 404"),
    # building projects
    ("/votes/{project}", HOME), ("/votes/{vote_objection}", HOME),
    ("/votes/{project}/print", HOME), ("/votes/{vote_objection}/print", HOME),
    ("/votes/{vote_beta}/print", AWAY), ("/votes/projects", SIGNED_IN),
    ("/votes/{project}/notice.pdf", "302 404 403 403 404 200 200"),
    ("/votes/projects/street/{street}", "302 403 403 403 403 403 200"),  # and street staff
    ("/kiosk/{kiosk_token}/votes/{vote}/turnout", PUBLIC),  # the token is the credential
    ("/kiosk/{kiosk_token}/votes/{vote_beta}/turnout", "404 404 404 404 404 404 404"),
    # places of appeals: the admin's streets, a community's grids
    ("/staff/streets", ANY_STAFF), ("/staff/grids", ANY_STAFF), ("/staff/grids/{grid}", STAFF),
    # appeals: one's own and the community's public ones; private ones to the appellant and
    # staff; the open boards to anyone
    ("/appeals/", SIGNED_IN), ("/appeals/new", SIGNED_IN), ("/appeals/{appeal}", HOME),
    ("/appeals/{appeal_private}", "302 404 404 404 404 200 200"),
    ("/appeals/staff", ANY_STAFF),
    ("/appeals/board/community/{alpha}", PUBLIC), ("/appeals/board/street/{street}", PUBLIC),
    # Open311 GeoReport v2 for city systems: public appeals only, to anyone
    ("/open311/v2/services.json", PUBLIC), ("/open311/v2/requests.xml", PUBLIC),
    ("/open311/v2/requests/{appeal}.json", PUBLIC),
    ("/open311/v2/requests/{appeal_private}.json", "404 404 404 404 404 404 404"),
    # inbox and SMS outbox (issue 16): a notification opens (303 to its page) for its owner
    ("/notifications", SIGNED_IN), ("/staff/sms", ANY_STAFF),
    ("/notifications/{notification}", "302 404 404 303 404 404 404"),
]
CELLS = [(path, actor, expected) for path, row in TABLE
         for actor, expected in zip(PEOPLE, row.split(), strict=True)]


@pytest.fixture(scope="module")
def built_world(tmp_path_factory):
    """The authorisation world and each person's cookie-session id, built once."""
    world = World(tmp_path_factory.mktemp("pages"))
    with world.app.app_context():
        world.session_ids = {actor: db.session.get(User, world.ids[actor]).get_id()
                             for actor in PEOPLE[1:]}
    world.ids["kiosk_token"] = world.tokens["kiosk"]
    return world


@pytest.fixture
def world(built_world):
    """The world as it was built (a page read may write: order expiries, a kiosk's visit)."""
    return built_world.restore()


def test_the_table_covers_every_page(world):
    adapter = world.app.url_map.bind("localhost")
    pages = {rule.endpoint for rule in world.app.url_map.iter_rules()
             if "GET" in rule.methods and not rule.rule.startswith(("/api/", "/static"))}
    covered = {adapter.match(path.format(**world.ids).split("?")[0], method="GET")[0]
               for path, _row in TABLE}
    assert pages - covered == set(), "pages without a row in the table"


@pytest.mark.parametrize("path, actor, expected", CELLS,
                         ids=[f"{p} {a}" for p, a, _e in CELLS])
def test_pages(world, path, actor, expected):
    client = world.app.test_client()
    if actor != "anonymous":
        with client.session_transaction() as session:
            session["_user_id"] = world.session_ids[actor]
    response = client.get(path.format(**world.ids), buffered=True)
    assert str(response.status_code) == expected
    if response.status_code == 302:
        assert response.location.startswith("/login")
