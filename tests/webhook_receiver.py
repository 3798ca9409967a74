#!/usr/bin/env python3
"""A webhook receiver for tests: verifies every request's Standard Webhooks
signature with the official `standardwebhooks` package (an implementation
independent of recur's), answers as told, and logs each request as one JSON
line. Prints its port on stdout once it listens.

    webhook_receiver.py --secret whsec_... --log requests.jsonl \
        [--fail-first N] [--status 200] [--retry-after 120] [--location URL] [--delay SECONDS]

The first N requests are answered 500; later ones with --status (default 200).
A 429 or 503 carries --retry-after when given; a 3xx carries --location
(default /moved). --delay sleeps before answering (timeouts).
"""

import argparse
import json
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

try:
    from standardwebhooks.webhooks import Webhook, WebhookVerificationError
except ImportError:
    print("the Python package `standardwebhooks` is missing: run .ci/install-webhook-tools "
          "(pip install standardwebhooks)", file=sys.stderr)
    sys.exit(3)


def parse_args():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--secret", required=True, help="the endpoint secret, whsec_...")
    p.add_argument("--log", required=True, help="file to append one JSON line per request to")
    p.add_argument("--fail-first", type=int, default=0, help="answer 500 to this many requests first")
    p.add_argument("--status", type=int, default=200, help="status after the failures")
    p.add_argument("--retry-after", default=None, help="Retry-After on 429/503 (seconds or HTTP date)")
    p.add_argument("--location", default="/moved", help="Location on a 3xx")
    p.add_argument("--delay", type=float, default=0.0, help="seconds to wait before answering")
    p.add_argument("--port", type=int, default=0, help="port on 127.0.0.1, 0 for any free one")
    return p.parse_args()


def make_handler(args, webhook):
    lock = threading.Lock()
    state = {"count": 0}
    log = open(args.log, "a", encoding="utf-8")

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_POST(self):
            length = int(self.headers.get("Content-Length", "0"))
            body = self.rfile.read(length)
            headers = {k.lower(): v for k, v in self.headers.items()}
            try:
                webhook.verify(body, headers)
                verified, verify_error = True, None
            except (WebhookVerificationError, ValueError, UnicodeDecodeError) as e:
                verified, verify_error = False, str(e)
            with lock:
                n = state["count"]
                state["count"] += 1
            status = 500 if n < args.fail_first else args.status
            if args.delay:
                time.sleep(args.delay)
            self.answer(status)
            entry = {"n": n, "method": self.command, "path": self.path, "headers": headers,
                     "body": body.decode("utf-8", "replace"), "verified": verified,
                     "verify_error": verify_error, "status": status}
            with lock:
                log.write(json.dumps(entry) + "\n")
                log.flush()

        def answer(self, status):
            text = b"ok" if 200 <= status < 300 else ("receiver answers %d" % status).encode()
            try:
                self.send_response(status)
                if status in (429, 503) and args.retry_after is not None:
                    self.send_header("Retry-After", args.retry_after)
                if 300 <= status < 400:
                    self.send_header("Location", args.location)
                self.send_header("Content-Type", "text/plain")
                self.send_header("Content-Length", str(len(text)))
                self.end_headers()
                self.wfile.write(text)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the client gave up (a timeout test)

        def log_message(self, format, *a):
            pass

    return Handler


def main():
    args = parse_args()
    webhook = Webhook(args.secret)
    server = ThreadingHTTPServer(("127.0.0.1", args.port), make_handler(args, webhook))
    server.daemon_threads = True
    print(server.server_address[1], flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
