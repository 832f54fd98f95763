"""gunicorn settings for one Share Hut instance: ``gunicorn -c deploy/gunicorn.conf.py app:app``.

Socket.IO keeps each client's state in the process that accepted it, so an instance runs ONE
worker process (never ``workers > 1``); concurrency comes from threads (the ``gthread``
worker; Flask-SocketIO's threading mode with simple-websocket takes over gunicorn's socket for
each websocket). Scale out with more instances on other ports or hosts behind nginx
(``deploy/nginx.conf``, sticky by ``ip_hash``), all with the same DATABASE_URL,
SOCKETIO_MESSAGE_QUEUE and SECRET_KEY.

An open websocket holds one thread for its lifetime: THREADS bounds the clients an instance
serves at once (plus the ordinary requests), so size it to the phones and kiosks expected per
instance, with headroom. Environment: BIND (default 127.0.0.1:8000), THREADS (default 1000).
"""
import os

bind = os.environ.get("BIND", "127.0.0.1:8000")
workers = 1  # Socket.IO: one worker per instance, see above
worker_class = "gthread"
threads = int(os.environ.get("THREADS", "1000"))
worker_connections = threads + 100
timeout = 60  # the gthread heartbeat is independent of long-lived websockets
graceful_timeout = 20
keepalive = 5
max_requests = 0  # a recycled worker would drop every websocket it holds
accesslog = os.environ.get("ACCESS_LOG") or None  # "-" for stdout
errorlog = "-"
loglevel = os.environ.get("LOG_LEVEL", "info")
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")  # nginx only
# nginx in front: the app believes one proxy's X-Forwarded-For (the workers inherit this).
os.environ.setdefault("TRUSTED_PROXIES", "1")
# gunicorn >= 25 opens a control socket at one fixed path per user: several instances on one
# host would fight over it. (Older gunicorn ignores this setting.)
control_socket_disable = True
