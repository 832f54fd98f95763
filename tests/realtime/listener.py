"""A real python-socketio client that records what it hears, for end-to-end tests."""
import threading
import time

import socketio


class Listener:
    """``Listener(url, token)`` connects (websocket) and records every event it receives."""

    def __init__(self, url, token=None, headers=None, transports=("websocket",)):
        self.events = []
        self._changed = threading.Condition()
        self.client = socketio.Client(reconnection=False)
        self.client.on("*", self._record)
        self.client.connect(url, auth={"token": token} if token else None, headers=headers or {},
                            transports=list(transports), wait_timeout=10)

    def _record(self, event, payload):
        with self._changed:
            self.events.append((event, payload))
            self._changed.notify_all()

    def subscribe(self, room):
        """Emit ``subscribe`` and return the server's ack."""
        return self.client.call("subscribe", {"room": room}, timeout=10)

    def wait_for(self, predicate, timeout=10):
        """The first recorded ``(event, payload)`` satisfying ``predicate``; fails on timeout."""
        deadline = time.monotonic() + timeout
        with self._changed:
            while True:
                for item in self.events:
                    if predicate(*item):
                        return item
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise AssertionError(f"no matching event; heard {self.events!r}")
                self._changed.wait(remaining)

    def close(self):
        """Disconnect."""
        if self.client.connected:
            self.client.disconnect()
