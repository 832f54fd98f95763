"""gunicorn settings for one Share Hut instance: ``gunicorn -c deploy/gunicorn.conf.py app:app``.

Socket.IO keeps each client's state in the process that accepted it, so an instance runs ONE
worker process (never ``workers > 1``). That worker is gunicorn's ``gevent`` worker: it
monkey-patches the standard library before loading the app, which then runs Flask-SocketIO in
gevent mode (mutualaid/core/concurrency.py) with simple-websocket on gevent's sockets, and
psycopg waits for PostgreSQL cooperatively. An open websocket costs two small greenlets, not
OS threads: one instance holds 5,000 and more (BENCHMARKS.md, deploy/README.md). Scale out
with more instances on other ports or hosts behind nginx (``deploy/nginx.conf``, sticky by
``ip_hash``), all with the same DATABASE_URL, SOCKETIO_MESSAGE_QUEUE and SECRET_KEY.

Environment: BIND (default 127.0.0.1:8000), CONNECTIONS (default 10000: the open sockets
and requests one instance accepts at once; each needs a file descriptor, see below).
"""
import os
import resource

bind = os.environ.get("BIND", "127.0.0.1:8000")
workers = 1  # Socket.IO: one worker per instance, see above
worker_class = "gevent"
worker_connections = int(os.environ.get("CONNECTIONS", "10000"))
timeout = 60  # the worker's heartbeat runs in its own greenlet, beside the websockets
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

# Every socket is a file descriptor: the usual soft limit of 1,024 would refuse clients long
# before worker_connections. Raise it as far as the hard limit allows (systemd: LimitNOFILE).
_soft, _hard = resource.getrlimit(resource.RLIMIT_NOFILE)
_wanted = worker_connections + 1000  # the database pool, Redis, logs, headroom
if _hard == resource.RLIM_INFINITY or _hard >= _wanted:
    resource.setrlimit(resource.RLIMIT_NOFILE, (max(_soft, _wanted), _hard))
else:
    resource.setrlimit(resource.RLIMIT_NOFILE, (_hard, _hard))
