"""The printable notice as a PDF for staff to pin up, drawn by WeasyPrint from the same
template as the page (A4, ``@media print``). Only our own stylesheet and the vote's QR code
are fetched while drawing, from this process: never anything over the network."""
import io
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import segno
from flask import current_app, render_template, request


def _local_fetcher():
    """A WeasyPrint fetcher of our static files and QR codes only (anything else: refused)."""
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    static, host = Path(current_app.static_folder).resolve(), request.host_url.rstrip("/")

    class LocalFetcher(URLFetcher):
        def fetch(self, url, headers=None):
            parts = urlsplit(url)
            if parts.path.startswith("/static/"):
                file = (static / parts.path.removeprefix("/static/")).resolve()
                if file.is_relative_to(static) and file.is_file():
                    kind = "text/css" if file.suffix == ".css" else "application/octet-stream"
                    return URLFetcherResponse(url, file.read_bytes(), {"Content-Type": kind})
            if parts.path == "/qr.svg":
                buffer = io.BytesIO()
                segno.make(host + parse_qs(parts.query).get("path", ["/"])[0], error="m").save(
                    buffer, kind="svg", scale=6, border=2)
                return URLFetcherResponse(url, buffer.getvalue(),
                                          {"Content-Type": "image/svg+xml"})
            raise ValueError(f"not fetched while drawing a notice: {url[:80]}")

    return LocalFetcher()


def notice_pdf(context):
    """The PDF bytes of the printable notice of ``context`` (see ``notice_context``)."""
    import weasyprint  # a large import, needed only here

    html = render_template("votes/print.html", **context)
    return weasyprint.HTML(string=html, base_url=request.host_url,
                           url_fetcher=_local_fetcher()).write_pdf()
