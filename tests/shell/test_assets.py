"""Versioned static URLs and the service worker that follows the deploy's version."""
import re
from types import SimpleNamespace

from mutualaid.shell.assets import assets_version


def test_pages_link_static_files_with_the_assets_version(app, client):
    page = client.get("/login").text
    with app.app_context():
        version = assets_version(app)
    links = re.findall(r'(?:href|src)="(/static/[^"]+)"', page)
    assert links and all(link.endswith(f"?v={version}") for link in links)


def test_a_versioned_file_may_be_kept_and_an_unversioned_one_is_revalidated(app, client):
    with app.app_context():
        version = assets_version(app)
    kept = client.get(f"/static/css/app.css?v={version}")
    assert "immutable" in kept.headers["Cache-Control"]
    assert "immutable" not in client.get("/static/css/app.css").headers.get("Cache-Control", "")
    assert "immutable" not in client.get("/static/css/app.css?v=old").headers.get(
        "Cache-Control", "")


def test_the_service_worker_carries_the_version_and_is_never_kept(app, client):
    worker = client.get("/sw.js")
    with app.app_context():
        version = assets_version(app)
    assert f'const VERSION = "{version}";' in worker.text and "__ASSETS" not in worker.text
    assert worker.headers["Cache-Control"] == "no-cache"


def test_the_version_changes_with_any_static_file(tmp_path):
    (tmp_path / "css").mkdir()
    style = tmp_path / "css" / "app.css"
    style.write_text("body { color: black; }")
    before = assets_version(SimpleNamespace(static_folder=str(tmp_path), extensions={}))
    style.write_text("body { color: #222; }")
    assert assets_version(SimpleNamespace(static_folder=str(tmp_path), extensions={})) != before
