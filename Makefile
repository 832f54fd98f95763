# Two commands for a newcomer: `make run` (the app with demo data) and `make test` (everything).
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-stamp
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: run test install browser proxy webpush translations clean

run: install
	$(PY) app.py

# Two workers (pytest-xdist): much of the suite waits on servers and the browser, so two
# processes overlap those waits even on two cores; tests run in a random order (pytest-randomly).
# Then the tests that start a real server (but the browser's, whose pages are the same app,
# and tests/realtime/test_deploy.py's, always deployed) run again against deploy/:
# gunicorn's gevent worker.
test: install browser proxy webpush
	$(PY) -m pytest -n 2 --durations=15
	TEST_SERVER_MODE=deploy $(PY) -m pytest -n 2 -m server --ignore=tests/e2e \
	  --ignore=tests/realtime/test_deploy.py

install: $(STAMP)

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test]'
	touch $(STAMP)

# Browser tests drive Debian's Chromium (Playwright's own browser download is not used).
browser:
	@command -v chromium >/dev/null 2>&1 || { \
	  $(SUDO) apt-get update -qq && \
	  $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-noto-cjk; }

# The proxy test (tests/security/test_proxies.py) runs deploy/nginx.conf in Debian's nginx.
proxy:
	@command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ] || { \
	  $(SUDO) apt-get update -qq && \
	  $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nginx-light; }

# The Web Push tests' push service (tests/notifications/test_web_push_testing.py): npm's
# web-push-testing, pinned in tests/node/package-lock.json, on Debian's Node.js.
webpush:
	@command -v npm >/dev/null 2>&1 || { \
	  $(SUDO) apt-get update -qq && \
	  $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nodejs npm; }
	@[ -f tests/node/node_modules/web-push-testing/src/bin/server.js ] || \
	  npm ci --prefix tests/node --no-audit --no-fund --silent

# After changing user-visible strings: extract, merge into the catalogues, compile.
translations: install
	$(VENV)/bin/pybabel extract -F babel.cfg -k lazy_gettext -k N_ -k lazy_pgettext:1c,2 -o translations/messages.pot .
	$(VENV)/bin/pybabel update -i translations/messages.pot -d translations --no-fuzzy-matching
	$(VENV)/bin/pybabel compile -d translations

clean:
	rm -rf $(VENV) instance .pytest_cache
