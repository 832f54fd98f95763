"""Every page of the product, as the accessibility tests visit it on the demo community.

``tests/shell/test_page_inventory.py`` checks this table against the app's url_map: a new GET
route must be listed here or in ``EXCLUDED`` with the reason it is not a page.
"""

PHONE = "phone"
TABLET = "tablet"
KIOSK = "{kiosk}"  # replaced by the demo kiosk's token (printed once, when the demo is seeded)

# (who is signed in, path, viewport, expected status). The demo community is seeded, so the
# ids exist: order 1 (Uncle Chen's leak, open), order 2 (Ms Mai's, confirmed), vote 1 (lift of
# building B, open), building 1 (B), service 1 and its session 1; order 3 (Auntie Liang's,
# accepted by Mr Huang), order 4 (Uncle Chen's, posted at the kiosk), Granny Wu (unverified).
PAGES = [
    # Anyone
    (None, "/", PHONE, 200),
    (None, "/login", PHONE, 200),
    (None, "/register", PHONE, 200),
    (None, "/reset", PHONE, 200),
    (None, "/offline", PHONE, 200),
    (None, "/votes/1/receipt", PHONE, 404),  # the look-up form, no code yet
    (None, "/kiosk/" + KIOSK, TABLET, 200),
    # Residents
    ("liang", "/", PHONE, 200),
    ("liang", "/me", PHONE, 200),
    ("liang", "/orders/424242", PHONE, 404),  # the error page
    ("liang", "/orders", PHONE, 200),
    ("liang", "/orders/new", PHONE, 200),
    ("he", "/orders/1", PHONE, 200),
    ("mai", "/orders/2", PHONE, 200),
    ("liang", "/orders/3", PHONE, 200),  # accepted: the helper's name and phone
    ("he", "/orders/4", PHONE, 200),  # posted at the kiosk: title and note from codes
    ("wu", "/me", PHONE, 200),  # a newcomer: what comes next
    ("he", "/skills", PHONE, 200),
    ("liang", "/votes/", PHONE, 200),
    ("liang", "/votes/1", PHONE, 200),
    ("liang", "/votes/1/result", PHONE, 200),
    ("liang", "/votes/1/notice", PHONE, 200),
    # building projects: vote 1 voting, 2 (building C) notice, 3 objection, 4 final
    ("liang", "/votes/1/print", PHONE, 200),
    ("huang", "/votes/2", PHONE, 200),
    ("liang", "/votes/3", PHONE, 200),
    ("liang", "/votes/4", PHONE, 200),
    ("liang", "/votes/4/print", PHONE, 200),
    ("liang", "/votes/projects", PHONE, 200),
    ("liang", "/services/", PHONE, 200),
    ("liang", "/services/1", PHONE, 200),
    ("liang", "/services/mine", PHONE, 200),
    ("mai", "/notifications", PHONE, 200),  # the inbox (Ms Mai's order 2 was confirmed)
    # Staff
    ("staff", "/", PHONE, 200),
    ("staff", "/staff/", PHONE, 200),
    ("staff", "/staff/verify", PHONE, 200),
    ("staff", "/staff/communities/1", PHONE, 200),
    ("staff", "/staff/buildings/1", PHONE, 200),
    ("staff", "/staff/reports", PHONE, 200),
    ("staff", "/staff/visits", PHONE, 200),
    ("staff", "/staff/kiosks", PHONE, 200),
    ("staff", "/staff/sms", PHONE, 200),
    ("staff", "/orders/1", PHONE, 200),
    ("staff", "/orders/new", PHONE, 200),
    ("staff", "/votes/", PHONE, 200),
    ("staff", "/votes/new", PHONE, 200),
    ("staff", "/votes/1", PHONE, 200),
    ("staff", "/votes/1/record", PHONE, 200),
    ("staff", "/votes/1/pending", PHONE, 200),
    ("staff", "/votes/3", PHONE, 200),
    ("staff", "/votes/3/print", PHONE, 200),
    ("street", "/votes/projects", PHONE, 200),  # the street officer's way to the street's list
    ("street", "/votes/projects/street/1", PHONE, 200),
    ("staff", "/services/staff", PHONE, 200),
    ("staff", "/services/sessions/1/bookings", PHONE, 200),
    # Appeals (demo: appeal 1 is Uncle Chen's stairway light, public; street 1 is Zumiao)
    (None, "/appeals/board/community/1", PHONE, 200),
    (None, "/appeals/board/street/1", PHONE, 200),
    ("liang", "/appeals/", PHONE, 200),
    ("liang", "/appeals/new", PHONE, 200),
    ("liang", "/appeals/1", PHONE, 200),
    ("staff", "/appeals/1", PHONE, 200),
    ("staff", "/appeals/staff", PHONE, 200),
    # Places of appeals (demo: grid 1 is Lingnan's 一网格; "street" is Zumiao's street staff)
    ("admin", "/staff/streets", PHONE, 200),
    ("street", "/staff/streets", PHONE, 200),
    ("street", "/appeals/staff", PHONE, 200),  # the street's time limits
    ("staff", "/staff/grids", PHONE, 200),
    ("staff", "/staff/grids/1", PHONE, 200),
]

# Endpoints answered to GET that are not pages a person reads.
EXCLUDED = {
    "static": "files (CSS, JS, icons), not pages",
    "shell.healthz": "JSON health probe for load balancers",
    "metrics": "Prometheus text for the operators' scraper (internal network or token only)",
    "shell.manifest": "the web app manifest (JSON)",
    "shell.service_worker": "the service worker script",
    "kiosk.qr": "an SVG QR code image, shown inside pages that are checked",
    "votes.notice_pdf_file": "a PDF of the printable notice, whose page is checked",
    "kiosk.turnout": "the turnout chart the kiosk puts into its proposal screen, checked there",
    "notifications.open_notification": "marks a notification read, redirects to its page",
    "open311.services": "Open311 GeoReport v2 JSON/XML for city systems, not a page",
    "open311.requests_list": "Open311 GeoReport v2 JSON/XML for city systems, not a page",
    "open311.request_one": "Open311 GeoReport v2 JSON/XML for city systems, not a page",
}


def endpoint_of(app, path):
    """The endpoint a table path is routed to (the kiosk placeholder stands for any token)."""
    adapter = app.url_map.bind("localhost")
    return adapter.match(path.replace(KIOSK, "token"), method="GET")[0]
