#!/usr/bin/env python3
"""A tiny OpenID Provider on a loopback address, for `make demo-oidc` and the README's output.

    scripts/demo-provider.py PORT [SECONDS]

Serves, on http://127.0.0.1:PORT (never any other address):
  /.well-known/openid-configuration  discovery document (issuer http://127.0.0.1:PORT, RS256 and ES256)
  /jwks                              testvectors/example/jwks.json, Cache-Control max-age=300, ETag "jwks-v1"
  /userinfo                          the example user's claims for `Authorization: Bearer at-123`, else 401
It exits by itself after SECONDS (default 60) so that a forgotten run cannot linger.
"""
import json
import pathlib
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

ROOT = pathlib.Path(__file__).resolve().parent.parent
PORT = int(sys.argv[1])
LIFETIME = float(sys.argv[2]) if len(sys.argv) > 2 else 60.0
ISSUER = f"http://127.0.0.1:{PORT}"
JWKS = (ROOT / "testvectors/example/jwks.json").read_bytes()
DISCOVERY = json.dumps({
    "issuer": ISSUER,
    "authorization_endpoint": f"{ISSUER}/authorize",
    "token_endpoint": f"{ISSUER}/token",
    "userinfo_endpoint": f"{ISSUER}/userinfo",
    "jwks_uri": f"{ISSUER}/jwks",
    "response_types_supported": ["code"],
    "subject_types_supported": ["public"],
    "id_token_signing_alg_values_supported": ["RS256", "ES256"],
    "scopes_supported": ["openid", "profile", "email"],
}).encode()
USERINFO = json.dumps({"sub": "248289761001", "name": "Jane Doe", "email": "jane.doe@example.com"}).encode()


class Handler(BaseHTTPRequestHandler):
    def send_json(self, status, body, headers=()):
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        for name, value in headers:
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):
        if self.path == "/.well-known/openid-configuration":
            self.send_json(200, DISCOVERY, [("Cache-Control", "public, max-age=3600")])
        elif self.path == "/jwks":
            if self.headers.get("If-None-Match") == '"jwks-v1"':
                self.send_response(304)
                self.end_headers()
                return
            self.send_json(200, JWKS, [("Cache-Control", "max-age=300"), ("ETag", '"jwks-v1"')])
        elif self.path == "/userinfo":
            if self.headers.get("Authorization") == "Bearer at-123":
                self.send_json(200, USERINFO)
            else:
                self.send_json(401, b'{"error":"invalid_token"}', [("WWW-Authenticate", 'Bearer error="invalid_token"')])
        else:
            self.send_json(404, b'{"error":"not_found"}')

    def log_message(self, *args):
        pass


server = ThreadingHTTPServer(("127.0.0.1", PORT), Handler)
threading.Timer(LIFETIME, server.shutdown).start()
print(f"demo provider on {ISSUER} for {LIFETIME:.0f} s", file=sys.stderr, flush=True)
server.serve_forever()
