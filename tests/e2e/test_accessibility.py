"""Every page (tests/e2e/pages.py), in both languages, on the demo community: axe-core finds no
serious or critical issue, touch targets are big enough (44 px on a phone, 64 px on the kiosk)
and nothing overflows a 360 px wide phone."""
import re
from pathlib import Path

import pytest

from tests.e2e.pages import KIOSK, PAGES, PHONE, TABLET
from tests.services import ServerProcess

AXE = (Path(__file__).parent / "vendor" / "axe-core" / "axe.min.js").read_text()
PASSWORD = "sharehut-demo"  # the demo logins
VIEWPORTS = {PHONE: {"width": 360, "height": 780}, TABLET: {"width": 1024, "height": 768}}
MIN_TARGET = {PHONE: 44, TABLET: 64}
LANGS = ["zh_CN", "en"]

# Interactive elements smaller than `min` px (a checkbox or radio counts with its label; a link
# inside a sentence is exempt, as in WCAG 2.5.8). Hidden elements do not count.
SMALL_TARGETS = """(min) => {
  const small = [];
  const selector = 'a[href], button, input:not([type=hidden]), select, textarea, summary';
  for (const el of document.querySelectorAll(selector)) {
    if (!el.getClientRects().length || getComputedStyle(el).visibility === 'hidden') continue;
    const box = el.matches('input[type=checkbox], input[type=radio]') ? (el.closest('label') ?? el) : el;
    if (el.tagName === 'A' && getComputedStyle(el).display === 'inline') {
      const around = el.parentElement.textContent.replace(el.textContent, '').trim();
      if (around.length) continue;
    }
    const rect = box.getBoundingClientRect();
    if (rect.width < min - 0.5 || rect.height < min - 0.5) {
      small.push(`${el.outerHTML.slice(0, 80)} ${Math.round(rect.width)}x${Math.round(rect.height)}`);
    }
  }
  return small;
}"""

# Elements that stick out of the right edge of the screen (fixed bars included, which the
# document's scroll width ignores), unless a scrolling or clipping box holds them.
STICKING_OUT = """(width) => [...document.body.querySelectorAll('*')].filter((el) => {
  const rect = el.getBoundingClientRect();
  if (!rect.width || rect.right <= width + 0.5) return false;
  for (let box = el.parentElement; box && box !== document.body; box = box.parentElement) {
    if (getComputedStyle(box).overflowX !== 'visible') return false;
  }
  return true;
}).map((el) => el.outerHTML.slice(0, 80))"""


@pytest.fixture(scope="module")
def demo_server(tmp_path_factory):
    """One server with the demo community for the whole module (pages are only read)."""
    folder = tmp_path_factory.mktemp("a11y")
    proc = ServerProcess({"DATABASE_URL": f"sqlite:///{folder / 'demo.sqlite3'}",
                          "SEED_DEMO": "1", "SECRET_KEY": "a11y", "RATELIMIT_ENABLED": "0",
                          "PYTHONUNBUFFERED": "1"})
    proc.start()
    yield proc
    proc.stop()


@pytest.fixture(scope="module")
def kiosk_token(demo_server):
    """The demo kiosk's token, from the logins the server printed when it seeded the demo."""
    return re.search(r"/kiosk/(\S+)", demo_server.output()).group(1)


@pytest.fixture(scope="module")
def tab(browser, demo_server):
    """``tab(who, lang, viewport)`` → a page signed in as ``who`` (None: anonymous), one browser
    context per person, language and viewport for the whole module."""
    pages = {}

    def get(who, lang, viewport):
        if (who, lang, viewport) not in pages:
            context = browser.new_context(viewport=VIEWPORTS[viewport], bypass_csp=True)
            context.set_default_timeout(15_000)
            context.add_cookies([{"name": "lang", "value": lang, "url": demo_server.url}])
            page = context.new_page()
            if who:
                page.goto(demo_server.url + "/login")
                page.fill("#f-username", who)
                page.fill("#f-password", PASSWORD)
                page.click("button[type=submit]")
                page.wait_for_url(lambda url: "/login" not in url)
            pages[who, lang, viewport] = page
        return pages[who, lang, viewport]

    yield get
    for page in pages.values():
        page.context.close()


def serious_violations(page):
    """Run axe-core in the page; the serious and critical violations, summarised."""
    page.evaluate(AXE)
    result = page.evaluate("axe.run(document, {resultTypes: ['violations']})")
    return [(v["id"], v["impact"], [n["target"] for n in v["nodes"]][:3])
            for v in result["violations"] if v["impact"] in ("serious", "critical")]


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize(("who", "path", "viewport", "status"), PAGES,
                         ids=[f"{who or 'anyone'}:{path}" for who, path, *_ in PAGES])
def test_page_is_accessible_and_fits_the_screen(tab, demo_server, kiosk_token, who, path,
                                                viewport, status, lang):
    page = tab(who, lang, viewport)
    response = page.goto(demo_server.url + path.replace(KIOSK, kiosk_token))
    assert response.status == status
    assert page.locator("html").get_attribute("lang") == lang.replace("_", "-")
    if KIOSK in path:  # the board is filled by script: check it as people see it
        page.wait_for_selector("[data-board-orders] li")
    assert_accessible(page, viewport)


@pytest.mark.parametrize("lang", LANGS)
def test_kiosk_flow_screens_are_accessible(tab, demo_server, kiosk_token, lang):
    page = tab(None, lang, TABLET)
    page.goto(f"{demo_server.url}/kiosk/{kiosk_token}")
    page.click("[data-start=help]")
    page.wait_for_selector("[data-screen=help-what]:not([hidden])")
    assert_accessible(page, TABLET)
    page.click("[data-tag]")
    page.wait_for_selector("[data-screen=who]:not([hidden]) [data-people] button")
    assert_accessible(page, TABLET)
    page.click("[data-people] button")
    page.wait_for_selector("[data-screen=pin]:not([hidden])")
    assert_accessible(page, TABLET)


@pytest.mark.parametrize("lang", LANGS)
def test_kiosk_ballot_screens_are_accessible(tab, demo_server, kiosk_token, lang):
    page = tab(None, lang, TABLET)
    page.goto(f"{demo_server.url}/kiosk/{kiosk_token}")
    page.click("[data-start=vote]")
    page.click("[data-vote-list] button")
    # the demo lift: its quote, a question answered, the turnout chart, then a question asked
    page.wait_for_selector("[data-screen=vote-proposal]:not([hidden]) [data-proposal-chart] svg")
    page.wait_for_selector("[data-proposal-questions]:not([hidden])")
    assert_accessible(page, TABLET)
    page.click("[data-ask]")
    page.wait_for_selector("[data-screen=vote-question]:not([hidden])")
    assert_accessible(page, TABLET)
    page.click("[data-reset]:visible")
    page.click("[data-start=vote]")
    page.click("[data-vote-list] button")
    page.click("[data-identify]")
    page.fill("#k-username", "liang")
    page.click("[data-typed-username]")
    for digit in "2468":
        page.click(f"[data-digit='{digit}']")
    page.click("[data-pin-ok]")
    page.wait_for_selector("[data-screen=vote-choice]:not([hidden]) [data-my-share]:not([hidden])")
    assert_accessible(page, TABLET)  # the owner's share before the choice
    page.click("[data-screen=vote-choice] [data-choice=yes]")
    page.wait_for_selector("[data-screen=vote-confirm]:not([hidden])")
    assert_accessible(page, TABLET)


def assert_accessible(page, viewport):
    """No serious axe-core violation, no small touch target, no horizontal scrolling."""
    violations = serious_violations(page)
    assert not violations, violations
    small = page.evaluate(SMALL_TARGETS, MIN_TARGET[viewport])
    assert not small, small
    width = VIEWPORTS[viewport]["width"]
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    sticking_out = page.evaluate(STICKING_OUT, width)
    assert not sticking_out, sticking_out
