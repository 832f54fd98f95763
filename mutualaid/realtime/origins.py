"""Which web pages may open a Socket.IO connection: our own origin, plus configured extras.

Browsers send ``Origin`` on the websocket handshake and on cross-site requests; a page on
another site must not ride a resident's session cookie into our sockets. Clients that send no
``Origin`` (apps, kiosks, scripts) authenticate with a token and are not concerned.
"""


def own_origins(environ):
    """The origins this request was addressed to (directly, or through a proxy that says so)."""
    host = environ.get("HTTP_HOST")
    if not host:
        return set()
    scheme = environ.get("wsgi.url_scheme", "http")
    origins = {f"{scheme}://{host}"}
    if "HTTP_X_FORWARDED_PROTO" in environ or "HTTP_X_FORWARDED_HOST" in environ:
        fwd_scheme = environ.get("HTTP_X_FORWARDED_PROTO", scheme).split(",")[0].strip()
        fwd_host = environ.get("HTTP_X_FORWARDED_HOST", host).split(",")[0].strip()
        origins.add(f"{fwd_scheme}://{fwd_host}")
    return origins


def origin_checker(extra_origins):
    """Engine.IO's ``cors_allowed_origins`` callable: same origin, or one of ``extra_origins``."""
    extra = {origin.rstrip("/") for origin in extra_origins if origin and origin != "*"}

    def allowed(origin, environ):
        """True when a page at ``origin`` may connect."""
        return bool(origin) and (origin in extra or origin in own_origins(environ))

    return allowed
