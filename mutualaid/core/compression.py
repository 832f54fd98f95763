"""Compressed responses (flask-compress): pages and static text files go out br/gzip-compressed
to clients that accept it (the types are in ``COMPRESS_MIMETYPES``, see config.py; API JSON
stays plain). Streamed responses are left as they are, and Socket.IO traffic never reaches
Flask's response hooks."""
from flask import current_app, request

from mutualaid.core.extensions import compress


def init_app(app):
    compress.init_app(app)
    # Registered after flask-compress, so it runs before it (last registered, first run).
    app.after_request(_buffer_static_file)


def _buffer_static_file(response):
    """Static files are sent as file streams, which flask-compress leaves alone; ours are
    small text files: read them into the response so they are compressed whole."""
    if (request.endpoint == "static" and response.status_code == 200 and response.is_streamed
            and response.mimetype in current_app.config["COMPRESS_MIMETYPES"]):
        response.direct_passthrough = False
        response.set_data(response.get_data())
    return response
