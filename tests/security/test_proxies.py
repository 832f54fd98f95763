"""Behind the nginx of deploy/, each client keeps its own address: two clients get two
rate-limit buckets and the request log names each of them (``TRUSTED_PROXIES=1``); without
trusted proxies a client cannot claim another address."""
import http.client
import json
import shutil
import subprocess
import time

import pytest

from mutualaid import create_app
from mutualaid.core.config import TestingConfig
from mutualaid.core.extensions import db
from tests.services import ROOT, ServerProcess, free_port

NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
NGINX_MAIN = """worker_processes 1;
pid {dir}/nginx.pid;
error_log {dir}/error.log warn;
events {{ worker_connections 64; }}
http {{
    client_body_temp_path {dir}/body; proxy_temp_path {dir}/proxy;
    fastcgi_temp_path {dir}/fastcgi; uwsgi_temp_path {dir}/uwsgi; scgi_temp_path {dir}/scgi;
    include {dir}/sharehut.conf;
}}
"""
SIGN_IN = json.dumps({"username": "nobody", "password": "not this one"})


@pytest.fixture(scope="module")
def behind_nginx(tmp_path_factory):
    """``python app.py`` (TRUSTED_PROXIES=1, limits on) behind deploy/nginx.conf, with the
    upstream and listen addresses rewritten; yields (server, nginx port)."""
    if not shutil.which(NGINX):
        pytest.skip("nginx is not installed (make proxy)")
    workdir = tmp_path_factory.mktemp("nginx")
    server = ServerProcess({"DATABASE_URL": f"sqlite:///{workdir / 'proxied.sqlite3'}",
                            "SEED_DEMO": "0", "SECRET_KEY": "proxy-secret",
                            "RATELIMIT_ENABLED": "1", "TRUSTED_PROXIES": "1"})
    server.start()
    port = free_port()
    site = (ROOT / "deploy" / "nginx.conf").read_text()
    site = site.replace("server 127.0.0.1:8001", f"server 127.0.0.1:{server.port}")
    site = site.replace("    server 127.0.0.1:8002 max_fails=3 fail_timeout=10s;\n", "")
    site = site.replace("listen 80;", f"listen 127.0.0.1:{port};")
    site = site.replace("/var/log/nginx/sharehut.access.log", str(workdir / "access.log"))
    (workdir / "sharehut.conf").write_text(site)
    (workdir / "nginx.conf").write_text(NGINX_MAIN.format(dir=workdir))
    nginx = subprocess.Popen([NGINX, "-p", str(workdir), "-c", str(workdir / "nginx.conf"),
                              "-g", "daemon off;"], stderr=subprocess.DEVNULL)
    try:
        _wait_for(port)
        yield server, port
    finally:
        nginx.terminate()
        nginx.wait()
        server.stop()


def _wait_for(port, timeout=15):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if request_from("127.0.0.1", port, "GET", "/healthz")[0] < 500:
                return
        except OSError:
            time.sleep(0.1)  # nginx is not listening yet
            continue
        time.sleep(0.1)
    raise RuntimeError("nginx did not come up")


def request_from(address, port, method, path, body=None):
    """``(status, body)`` of a request sent from the loopback ``address`` to nginx."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10,
                                            source_address=(address, 0))
    try:
        connection.request(method, path, body=body, headers={"Content-Type": "application/json"})
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


def test_two_clients_get_two_buckets_and_the_log_names_them(behind_nginx):
    server, port = behind_nginx
    first = [request_from("127.0.0.2", port, "POST", "/api/v1/auth/tokens", SIGN_IN)[0]
             for _ in range(21)]
    assert first[:20] == [401] * 20 and first[20] == 429  # 20 a minute, per client
    assert request_from("127.0.0.3", port, "POST", "/api/v1/auth/tokens", SIGN_IN)[0] == 401
    time.sleep(0.5)  # the request log is written in batches
    lines = [json.loads(line) for line in server.output().splitlines()
             if line.startswith("{") and '"request"' in line]
    clients = {line.get("client") for line in lines if line.get("path") == "/api/v1/auth/tokens"}
    assert clients == {"127.0.0.2", "127.0.0.3"}


def test_without_trusted_proxies_a_client_cannot_claim_an_address(tmp_path, caplog):
    config = TestingConfig(tmp_path)
    config.RATELIMIT_ENABLED = True
    app = create_app(config)
    with app.app_context():
        db.create_all()
        client = app.test_client()
        statuses = [client.post("/api/v1/auth/tokens", json={"username": "x", "password": "y"},
                                headers={"X-Forwarded-For": f"10.0.0.{n}"}).status_code
                    for n in range(21)]
        assert statuses[20] == 429  # one bucket, whatever the header claims
        db.engine.dispose()
