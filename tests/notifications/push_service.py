"""A push service on loopback for the tests: it checks each request's VAPID JWT (ES256,
audience, expiry, subject) against the key in the header, decrypts the aes128gcm body with
the subscriber's keys (http_ece, as a browser does) and keeps what it received.

``PushService().subscription(status=201)`` gives a browser-like subscription whose endpoint
answers ``status`` (410 for one that has gone away).
"""
import base64
import json
import os
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import http_ece
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature


def b64(raw):
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def unb64(text):
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def verify_vapid(header, audience):
    """The JWT claims of ``Authorization: vapid t=..., k=...`` once its signature by ``k``
    checks out; raises ValueError otherwise."""
    scheme, _, params = header.partition(" ")
    if scheme.lower() != "vapid":
        raise ValueError("not vapid")
    fields = dict(part.strip().split("=", 1) for part in params.split(","))
    head, claims, signature = fields["t"].split(".")
    key = ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), unb64(fields["k"]))
    raw = unb64(signature)
    der = encode_dss_signature(int.from_bytes(raw[:32], "big"), int.from_bytes(raw[32:], "big"))
    try:
        key.verify(der, f"{head}.{claims}".encode(), ec.ECDSA(hashes.SHA256()))
    except InvalidSignature:
        raise ValueError("bad signature") from None
    decoded = json.loads(unb64(claims))
    if json.loads(unb64(head)).get("alg") != "ES256" or decoded["aud"] != audience:
        raise ValueError("bad header or audience")
    if not decoded["sub"].startswith("mailto:") or decoded["exp"] < time.time():
        raise ValueError("bad subject or expired")
    return decoded, fields["k"]


class PushService:
    """The service, serving on 127.0.0.1 in a thread; ``received`` lists what arrived."""

    def __init__(self):
        self.received, self.rejected, self.subscribers, self.statuses = [], [], {}, {}
        self.delay = 0.0  # seconds each request takes (a slow service)
        self._lock = threading.Lock()
        service = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"  # keep-alive, as push services do

            def do_POST(self):
                service._receive(self)

            def log_message(self, *args):
                """Quiet: the tests read what the service received, not its access log."""

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.host = f"127.0.0.1:{self.server.server_port}"
        self.url = f"http://{self.host}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def subscription(self, status=201):
        """A new browser subscription (its own keys) whose endpoint answers ``status``."""
        name = b64(os.urandom(9))
        private = ec.generate_private_key(ec.SECP256R1())
        auth = os.urandom(16)
        self.subscribers[name] = (private, auth)
        self.statuses[name] = status
        public = private.public_key().public_bytes(serialization.Encoding.X962,
                                                   serialization.PublicFormat.UncompressedPoint)
        return {"endpoint": f"{self.url}/push/{name}",
                "keys": {"p256dh": b64(public), "auth": b64(auth)}}

    def _receive(self, request):
        time.sleep(self.delay)
        name = request.path.rsplit("/", 1)[-1]
        body = request.rfile.read(int(request.headers.get("Content-Length", 0)))
        try:
            claims, _key = verify_vapid(request.headers.get("Authorization", ""), self.url)
            private, auth = self.subscribers[name]
            if request.headers.get("Content-Encoding") != "aes128gcm":
                raise ValueError("not aes128gcm")
            plain = http_ece.decrypt(body, private_key=private, auth_secret=auth,
                                     version="aes128gcm")
            entry = {"endpoint": name, "payload": json.loads(plain), "claims": claims,
                     "ttl": request.headers.get("TTL"),
                     "urgency": request.headers.get("Urgency"), "size": len(plain),
                     "authorization": request.headers["Authorization"]}
        except (ValueError, KeyError) as error:
            with self._lock:
                self.rejected.append(str(error))
            request.send_response(400)
            request.send_header("Content-Length", "0")
            request.end_headers()
            return
        status = self.statuses.get(name, 201)
        if status < 300:
            with self._lock:
                self.received.append(entry)
        request.send_response(status)
        request.send_header("Content-Length", "0")
        request.end_headers()

    def close(self):
        self.server.shutdown()
        self.server.server_close()
