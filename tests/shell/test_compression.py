"""Responses are compressed for clients that accept it; nothing else changes."""
import gzip
import json
from pathlib import Path

from tests.shell.test_pages import sign_in
from tests.factories import make_user

ROOT = Path(__file__).resolve().parents[2]


def test_static_script_goes_out_gzipped_to_a_browser_and_plain_to_others(client):
    original = (ROOT / "static" / "vendor" / "socket.io.esm.min.js").read_bytes()
    zipped = client.get("/static/vendor/socket.io.esm.min.js", headers={"Accept-Encoding": "gzip"})
    assert zipped.headers["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in zipped.headers["Vary"]
    assert gzip.decompress(zipped.data) == original
    assert len(zipped.data) < len(original) / 2
    plain = client.get("/static/vendor/socket.io.esm.min.js")
    assert "Content-Encoding" not in plain.headers and plain.data == original


def test_pages_are_compressed_and_api_answers_stay_plain_json(client, db):
    make_user(username="ana")
    db.session.commit()
    sign_in(client, "ana")
    page = client.get("/", headers={"Accept-Encoding": "gzip"})
    assert page.status_code == 200 and page.headers["Content-Encoding"] == "gzip"
    assert b'<html lang="zh-CN">' in gzip.decompress(page.data)
    answer = client.get("/api/v1/skill-tags", headers={"Accept-Encoding": "gzip"})
    assert "Content-Encoding" not in answer.headers and json.loads(answer.data)["items"]


def test_socketio_polling_is_left_to_the_socketio_server(client):
    handshake = client.get("/socket.io/?EIO=4&transport=polling", headers={"Accept-Encoding": "gzip"})
    assert handshake.status_code == 200
    body = handshake.data
    if handshake.headers.get("Content-Encoding") == "gzip":  # engine.io's own, applied once
        body = gzip.decompress(body)
    assert body.startswith(b"0{")
