"""webhook_receiver.py: a real HTTP server that receives khabar's webhooks, checks each one's
Standard Webhooks signature with the endpoint's secret, and can be made to fail: answer 500,
take longer than the sender waits, close the connection without answering, or be down."""
import base64
import hashlib
import hmac
import http.server
import json
import socket
import threading
import time


def signature_ok(secret, msg_id, timestamp, body, header):
    """Whether header (webhook-signature: space-separated "v1,<base64>") holds the
    HMAC-SHA256 of "id.timestamp.body" keyed by the secret's key (base64 after "whsec_")."""
    if not secret or not secret.startswith("whsec_") or not header:
        return False
    key = base64.b64decode(secret[len("whsec_"):])
    want = base64.b64encode(hmac.new(key, b"%s.%s.%s" % (msg_id.encode(), timestamp.encode(), body),
                                     hashlib.sha256).digest()).decode()
    return any(part.startswith("v1,") and hmac.compare_digest(part[3:], want) for part in header.split())


class Receiver:
    """A receiver on a free port of 127.0.0.1. mode: "ok", "fail" (500), "slow" (answers 200
    after slow_s), "close" (closes without answering); down() stops listening, up() listens
    again on the same port. received: every delivery that reached it (whatever it answered),
    as dicts of id, timestamp, type, data, signed (the signature checked out) and answered:
    "ok" for a 200 within the sender's patience (patience_s), else the mode."""

    def __init__(self, secret=None, mode="ok", slow_s=3.0, patience_s=1.0):
        self.secret, self.mode, self.slow_s, self.patience_s = secret, mode, slow_s, patience_s
        self.received = []
        self.lock = threading.Lock()
        self.server = None
        self.port = None
        self.up()

    @property
    def url(self):
        return "http://127.0.0.1:%d/hook" % self.port

    def up(self):
        receiver = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                mode = receiver.mode
                receiver.note(self.headers, body, mode)
                if mode == "close":
                    self.close_connection = True
                    self.connection.shutdown(socket.SHUT_RDWR)
                    return
                if mode == "slow":
                    time.sleep(receiver.slow_s)
                status = 500 if mode == "fail" else 200
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

        server = http.server.ThreadingHTTPServer(("127.0.0.1", self.port or 0), Handler)
        server.daemon_threads = True
        self.server = server
        self.port = server.server_address[1]
        threading.Thread(target=server.serve_forever, daemon=True).start()

    def down(self):
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()
            self.server = None

    def note(self, headers, body, mode):
        try:
            doc = json.loads(body)
        except ValueError:
            doc = {}
        entry = {"id": headers.get("webhook-id"), "timestamp": headers.get("webhook-timestamp"),
                 "type": doc.get("type"), "data": doc.get("data") or {},
                 "answered": "ok" if mode == "ok" or (mode == "slow" and self.slow_s < self.patience_s) else mode,
                 "signed": signature_ok(self.secret, headers.get("webhook-id") or "",
                                        headers.get("webhook-timestamp") or "", body,
                                        headers.get("webhook-signature")),
                 "content_type": headers.get("Content-Type"), "at": time.time()}
        with self.lock:
            self.received.append(entry)

    def delivered(self):
        """The deliveries it answered 200 to, in the order they came."""
        with self.lock:
            return [e for e in self.received if e["answered"] == "ok"]

    def events(self, type_=None, article=None):
        return [e for e in self.delivered() if (type_ is None or e["type"] == type_) and
                (article is None or e["data"].get("id") == article)]
