"""When the Redis message queue is down, live updates degrade to polling.

With a queue configured, every emit goes through Redis, even to clients of this process: an
outage leaves connected sockets silently deaf. So while the queue is unreachable this process
refuses new Socket.IO connections, and a watcher disconnects the ones it holds; the browser
(``static/js/live.js``) then re-fetches over HTTP every ``data-live-poll`` seconds, and after
the next successful connect resyncs once. REST requests never depend on the queue (the outbox
logs a failed emit and the commit stands).
"""
import logging
import threading
import time

log = logging.getLogger(__name__)
CHECK_TTL = 1.0  # seconds a ping result is reused by connects
_state = {"url": None, "checked": 0.0, "up": True}
_lock = threading.Lock()


def _ping(url):
    import redis

    try:
        redis.Redis.from_url(url, socket_timeout=1, socket_connect_timeout=1).ping()
        return True
    except Exception:  # any failure means: not usable now
        return False


def queue_up(url, now=None):
    """Whether the queue at ``url`` answered a ping in the last second (cached)."""
    if not url:
        return True
    now = time.monotonic() if now is None else now
    with _lock:
        if _state["url"] == url and now - _state["checked"] < CHECK_TTL:
            return _state["up"]
    up = _ping(url)
    with _lock:
        _state.update(url=url, checked=now, up=up)
    return up


def disconnect_local_clients(socketio):
    """Disconnect every Socket.IO client of this process (not through the dead queue)."""
    server = socketio.server
    sids = [sid for sid, _eio in server.manager.get_participants("/", None)]
    for sid in sids:
        server.disconnect(sid, namespace="/", ignore_queue=True)
    return len(sids)


def watch(socketio, url, every):
    """Forever: ping the queue every ``every`` seconds; on failure drop the local clients."""
    was_up = True
    while True:
        time.sleep(every)
        try:
            up = queue_up(url)
            if not up:
                dropped = disconnect_local_clients(socketio)
                if was_up or dropped:
                    log.warning("message queue unreachable: live updates fall back to polling "
                                "(%d client(s) disconnected)", dropped)
            elif not was_up:
                log.warning("message queue reachable again: live updates resume")
            was_up = up
        except Exception:  # the watcher must outlive any one bad round
            log.exception("message queue watcher")


def start(app, socketio):
    """Start the watcher thread when a queue is configured (not in tests without one)."""
    url = app.config["SOCKETIO_MESSAGE_QUEUE"]
    every = app.config.get("SOCKETIO_QUEUE_WATCH", 5.0)
    if url and every:
        thread = threading.Thread(target=watch, args=(socketio, url, every),
                                  name="queue-watch", daemon=True)
        thread.start()
