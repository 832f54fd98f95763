"""The accessibility table (tests/e2e/pages.py) covers every page the app routes."""
from tests.e2e.pages import EXCLUDED, PAGES, endpoint_of


def page_endpoints(app):
    """Endpoints of the GET routes outside the JSON API."""
    return {rule.endpoint for rule in app.url_map.iter_rules()
            if "GET" in rule.methods and not rule.rule.startswith("/api/")}


def test_every_page_route_is_checked_for_accessibility_or_excluded_with_a_reason(app):
    checked = {endpoint_of(app, path) for _who, path, _viewport, _status in PAGES}
    assert page_endpoints(app) - checked - set(EXCLUDED) == set()


def test_exclusions_name_real_routes_that_the_table_does_not_visit(app):
    checked = {endpoint_of(app, path) for _who, path, _viewport, _status in PAGES}
    assert set(EXCLUDED) <= page_endpoints(app)
    assert not set(EXCLUDED) & checked
    assert all(reason.strip() for reason in EXCLUDED.values())
