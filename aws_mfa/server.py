"""``aws-mfa exec --server``: a local credential endpoint that renews itself.

Every AWS SDK can take credentials from an HTTP endpoint, the ECS
container-credentials protocol: ``AWS_CONTAINER_CREDENTIALS_FULL_URI`` names
it and ``AWS_CONTAINER_AUTHORIZATION_TOKEN`` is sent as the
``Authorization`` header. The SDK asks again before the credentials it holds
expire. aws-mfa serves that endpoint to the command it runs::

    GET /aws-mfa/credentials           Authorization: <the run's token>
    200 {"AccessKeyId": "ASIA...", "SecretAccessKey": "...", "Token": "...",
         "Expiration": "2026-11-22T16:04:05Z"}

Each request asks the provider (a normal login, which renews only when fewer
than ``--min-ttl`` seconds are left); one request at a time, so concurrent
requests never prompt twice. Security: the endpoint listens on 127.0.0.1
only, on a free port; the token is 32 random bytes from :mod:`secrets`, new
for each run, compared in constant time; a request without it or with
another gets 401 or 403 and no secret. Requests are logged at DEBUG, with
masked key ids only.

What it does not do: run the command (see :mod:`aws_mfa.commands.exec`) or
decide when to renew (see :mod:`aws_mfa.session_state`).
"""

from __future__ import annotations

import hmac
import json
import secrets
import threading
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from aws_mfa import log
from aws_mfa.errors import AwsMfaError, UsageError
from aws_mfa.keys import TemporaryCredentials, mask
from aws_mfa.outputs import iso_utc

PATH = "/aws-mfa/credentials"
HOST = "127.0.0.1"

Provider = Callable[[], TemporaryCredentials]


class CredentialServer:
    """The endpoint, serving what ``provider`` gives, in a background thread."""

    def __init__(self, provider: Provider, token: str | None = None) -> None:
        self.provider = provider
        self.token = token or secrets.token_urlsafe(32)
        self.lock = threading.Lock()
        try:
            self.http = ThreadingHTTPServer((HOST, 0), Handler)
        except OSError as err:
            raise UsageError(
                f"exec --server cannot listen on {HOST} ({err.strerror}); nothing was run"
            ) from err
        self.http.daemon_threads = True
        self.http.credentials = self  # type: ignore[attr-defined]  # read by Handler
        self.thread = threading.Thread(target=self.http.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://{HOST}:{self.http.server_address[1]}{PATH}"

    def __enter__(self) -> CredentialServer:
        self.thread.start()
        return self

    def __exit__(self, *exception: object) -> None:
        self.http.shutdown()
        self.http.server_close()
        self.thread.join(timeout=10)

    def answer(self, authorization: str | None) -> tuple[int, dict[str, Any]]:
        """The status and JSON body for a GET of the credentials."""
        if not authorization:
            return 401, {"message": "no Authorization header"}
        if not hmac.compare_digest(authorization.encode(), self.token.encode()):
            return 403, {"message": "wrong authorization token"}
        with self.lock:
            try:
                creds = self.provider()
            except AwsMfaError as err:
                log.error("%s", err.message)
                return 500, {"code": "AwsMfaError", "message": f"aws-mfa: {err.message}"}
        log.debug("Served credentials %s", mask(creds.access_key_id))
        return 200, {
            "AccessKeyId": creds.access_key_id,
            "SecretAccessKey": creds.secret_access_key,
            "Token": creds.session_token,
            "Expiration": iso_utc(creds),
        }


class Handler(BaseHTTPRequestHandler):
    """GET of :data:`PATH` only; every answer is JSON."""

    server_version = "aws-mfa"

    def do_GET(self) -> None:
        if self.path.split("?")[0] != PATH:
            self.reply(404, {"message": "not found"})
            return
        server: CredentialServer = self.server.credentials  # type: ignore[attr-defined]
        self.reply(*server.answer(self.headers.get("Authorization")))

    def refuse(self) -> None:
        self.reply(405, {"message": "only GET"})

    do_POST = do_PUT = do_DELETE = do_PATCH = do_HEAD = refuse

    def reply(self, status: int, body: dict[str, Any]) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(data)

    def log_message(self, format: str, *args: Any) -> None:
        log.debug("Credential endpoint: %s %s", self.command, self.path.split("?")[0])
