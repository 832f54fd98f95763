"""Page weight and speed: Lighthouse (mobile, default throttling) on the home, order, vote and
kiosk pages of the demo community.

    python bench/lighthouse.py [--runs 3] [--keep-reports DIR]

Installs Lighthouse from the npm registry into a folder outside the repository (once; default
``$TMPDIR/sharehut-lighthouse``, ``--lighthouse-dir`` to change it), starts the real server
(``python app.py`` with ``SEED_DEMO=1`` on a temp SQLite file), signs in with requests and
hands the session cookie to Lighthouse with ``--extra-headers``. Lighthouse drives Debian's
Chromium (``CHROME_PATH=/usr/bin/chromium``, headless). Prints, per page, the median of the
runs: Performance score, LCP, CLS, total blocking time, JavaScript transferred (as the server
sent it) and the same scripts gzipped. Targets
(issue 7): Performance >= 90, LCP <= 2.5 s, CLS <= 0.1, JS <= 150 KiB gzipped.

Bench only: ``make test`` never needs npm.
"""
import argparse
import gzip
import json
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent
CHROME = os.environ.get("CHROME_PATH", "/usr/bin/chromium")
CHROME_FLAGS = "--headless=new --no-sandbox --disable-gpu"
PASSWORD = "sharehut-demo"
# (name, who is signed in, path); the demo ids: order 1 is open, vote 1 is open.
PAGES = [
    ("home", "liang", "/"),
    ("order", "he", "/orders/1"),
    ("vote", "liang", "/votes/1"),
    ("kiosk", None, "/kiosk/{kiosk}"),
]
TARGETS = {"performance": 90, "lcp_s": 2.5, "cls": 0.1, "js_kib": 150}


def lighthouse_bin(folder):
    """The lighthouse CLI in ``folder``, installed from the npm registry when missing."""
    cli = folder / "node_modules" / ".bin" / "lighthouse"
    if not cli.exists():
        folder.mkdir(parents=True, exist_ok=True)
        print(f"installing lighthouse into {folder} ...", file=sys.stderr)
        subprocess.run(["npm", "install", "--no-audit", "--no-fund", "--prefix", str(folder),
                        "lighthouse@12"], check=True, stdout=subprocess.DEVNULL)
    return cli


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class DemoServer:
    """``python app.py`` with the demo community on a fresh SQLite file."""

    def __init__(self, folder):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = open(folder / "server.log", "w+b")
        env = {**os.environ, "DATABASE_URL": f"sqlite:///{folder / 'demo.sqlite3'}",
               "SEED_DEMO": "1", "HOST": "127.0.0.1", "PORT": str(self.port),
               "RATELIMIT_ENABLED": "0", "PYTHONUNBUFFERED": "1"}
        self.process = subprocess.Popen([sys.executable, "app.py"], cwd=ROOT, env=env,
                                        stdout=self.log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError("server exited:\n" + self.output())
            try:
                requests.get(self.url + "/healthz", timeout=2)
                return
            except requests.ConnectionError:
                time.sleep(0.2)
        raise RuntimeError("server did not start")

    def output(self):
        self.log.seek(0)
        return self.log.read().decode(errors="replace")

    def kiosk_path(self):
        """The demo kiosk's screen (its token is printed once, when the demo is seeded)."""
        return re.search(r"(/kiosk/\S+)", self.output()).group(1)

    def stop(self):
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
        self.log.close()


def session_cookie(base, username):
    """Sign in through the login form; the Cookie header of that browser session."""
    with requests.Session() as http:
        page = http.get(base + "/login", timeout=10).text
        token = re.search(r'name="csrf-token" content="([^"]+)"', page).group(1)
        answer = http.post(base + "/login", timeout=10, allow_redirects=False, data={
            "username": username, "password": PASSWORD, "csrf_token": token})
        if answer.status_code != 302:
            raise RuntimeError(f"sign-in as {username} failed: {answer.status_code}")
        return "; ".join(f"{c.name}={c.value}" for c in http.cookies)


def run_lighthouse(cli, url, cookie, report):
    """One Lighthouse run (performance only, mobile defaults); the parsed report."""
    command = [str(cli), url, "--only-categories=performance", "--output=json",
               f"--output-path={report}", "--quiet", f"--chrome-flags={CHROME_FLAGS}"]
    if cookie:
        command.append("--extra-headers=" + json.dumps({"Cookie": cookie}))
    subprocess.run(command, check=True, env={**os.environ, "CHROME_PATH": CHROME})
    return json.loads(Path(report).read_text())


def gzipped_kib(urls, cookie):
    """The scripts' size once gzipped (level 6, what a server or proxy typically sends)."""
    headers = {"Cookie": cookie} if cookie else {}
    total = 0
    for url in urls:
        body = requests.get(url, headers={**headers, "Accept-Encoding": "identity"}, timeout=10)
        total += len(gzip.compress(body.content, compresslevel=6))
    return total / 1024


def figures(report, cookie):
    """Performance score, LCP (s), CLS, TBT (ms) and script bytes transferred (KiB)."""
    audits = report["audits"]
    scripts = [item for item in audits["network-requests"]["details"]["items"]
               if item.get("resourceType") == "Script"]
    return {
        "performance": round(report["categories"]["performance"]["score"] * 100),
        "lcp_s": audits["largest-contentful-paint"]["numericValue"] / 1000,
        "cls": audits["cumulative-layout-shift"]["numericValue"],
        "tbt_ms": audits["total-blocking-time"]["numericValue"],
        "js_kib": sum(item.get("transferSize", 0) for item in scripts) / 1024,
        "js_gzip_kib": gzipped_kib([item["url"] for item in scripts], cookie),
        "js_files": len(scripts),
        "encodings": sorted({"compressed" if item.get("transferSize", 0) < item.get("resourceSize", 0)
                             else "identity" for item in scripts}),
        "failing_audits": sorted(
            key for key, audit in audits.items()
            if audit.get("score") is not None and audit["score"] < 0.9
            and audit.get("scoreDisplayMode") in ("numeric", "binary", "metricSavings")),
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=3, help="runs per page (median reported)")
    parser.add_argument("--lighthouse-dir", type=Path,
                        default=Path(tempfile.gettempdir()) / "sharehut-lighthouse")
    parser.add_argument("--keep-reports", type=Path, help="copy the JSON reports here")
    parser.add_argument("--only", action="append", choices=[name for name, _who, _path in PAGES],
                        help="measure only this page (repeatable)")
    options = parser.parse_args()
    cli = lighthouse_bin(options.lighthouse_dir)
    version = subprocess.run([str(cli), "--version"], capture_output=True, text=True).stdout.strip()
    chromium = subprocess.run([CHROME, "--version"], capture_output=True, text=True).stdout.strip()
    print(f"Lighthouse {version}, {chromium}, {options.runs} runs per page (median)")
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        server = DemoServer(folder)
        try:
            rows = []
            for name, who, path in PAGES:
                if options.only and name not in options.only:
                    continue
                url = server.url + path.replace("/kiosk/{kiosk}", server.kiosk_path())
                cookie = session_cookie(server.url, who) if who else None
                runs = []
                for run in range(options.runs):
                    report = folder / f"{name}-{run}.json"
                    runs.append(figures(run_lighthouse(cli, url, cookie, report), cookie))
                    if options.keep_reports:
                        options.keep_reports.mkdir(parents=True, exist_ok=True)
                        shutil.copy(report, options.keep_reports / report.name)
                rows.append((name, who, path, runs))
        finally:
            server.stop()
    print("| page | signed in | Performance | LCP | CLS | TBT | JS transferred | JS gzipped |")
    print("| --- | --- | --- | --- | --- | --- | --- | --- |")
    missed = []
    for name, who, path, runs in rows:
        median = {key: statistics.median(run[key] for run in runs)
                  for key in ("performance", "lcp_s", "cls", "tbt_ms", "js_kib", "js_gzip_kib")}
        print(f"| {name} (`{path}`) | {who or '—'} | {median['performance']:.0f} "
              f"(runs: {', '.join(str(run['performance']) for run in runs)}) | "
              f"{median['lcp_s']:.2f} s | {median['cls']:.3f} | {median['tbt_ms']:.0f} ms | "
              f"{median['js_kib']:.1f} KiB in {runs[0]['js_files']} files "
              f"({'/'.join(runs[0]['encodings'])}) | {median['js_gzip_kib']:.1f} KiB |")
        if median["performance"] < TARGETS["performance"] or median["lcp_s"] > TARGETS["lcp_s"] \
                or median["cls"] > TARGETS["cls"] or median["js_gzip_kib"] > TARGETS["js_kib"]:
            missed.append(name)
        weak = sorted({key for run in runs for key in run["failing_audits"]})
        if weak:
            print(f"    {name}: audits below 0.9 in some run: {', '.join(weak)}", file=sys.stderr)
    print("targets met" if not missed else f"targets missed on: {', '.join(missed)}")
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
