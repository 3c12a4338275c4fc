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

REQUEST_TIMEOUT = 10
"""Seconds a client may take to send its request; a silent connection is then closed."""


class CredentialServer:
    """The endpoint, serving what ``provider`` gives, in a background thread."""

    def __init__(self, provider: Provider, token: str | None = None) -> None:
        self.provider = provider
        self.token = token or secrets.token_urlsafe(32)
        self.lock = threading.Lock()
        try:
            self.http = QuietServer((HOST, 0), Handler)
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

    @property
    def host(self) -> str:
        """The Host header a client of :attr:`url` sends."""
        return f"{HOST}:{self.http.server_address[1]}"

    def answer(self, authorization: str | None, host: str | None) -> tuple[int, dict[str, Any]]:
        """The status and JSON body for a GET of the credentials.

        The token first; then the Host header, which must name the address
        the command was given: a page that rebinds its own name to 127.0.0.1
        (DNS rebinding) sends its own name there, and learns nothing.
        """
        if not authorization:
            return 401, {"message": "no Authorization header"}
        if not hmac.compare_digest(authorization.encode(), self.token.encode()):
            return 403, {"message": "wrong authorization token"}
        if host != self.host:
            return 403, {"message": f"the Host header is not {self.host}"}
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


class QuietServer(ThreadingHTTPServer):
    """socketserver's threading server, which never prints a traceback."""

    def handle_error(self, request: object, client_address: object) -> None:
        """One DEBUG line for a failed request (a client gone mid-answer), never its content."""
        import sys

        log.debug("Credential endpoint: a request failed (%s)", type(sys.exc_info()[1]).__name__)


METHODS = ("GET", "POST", "PUT", "DELETE", "PATCH", "HEAD")
"""The methods a request line may name in the log; anything else is logged as malformed."""


class Handler(BaseHTTPRequestHandler):
    """GET of :data:`PATH` only; every answer is JSON.

    Each request is logged in one DEBUG line saying its method (when it is
    one of :data:`METHODS`), whether it asked for :data:`PATH`, and the
    status; never what else it sent. A malformed request (``command`` and
    ``path`` are not even set then) is one such line too.
    """

    server_version = "aws-mfa"
    timeout = REQUEST_TIMEOUT
    error_content_type = "application/json"
    error_message_format = '{"message": "%(explain)s"}\n'
    """The standard text of the status, never the request's content."""

    def do_GET(self) -> None:
        if self.path.split("?")[0] != PATH:
            self.reply(404, {"message": "not found"})
            return
        server: CredentialServer = self.server.credentials  # type: ignore[attr-defined]
        self.reply(*server.answer(self.headers.get("Authorization"), self.headers.get("Host")))

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

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        method = getattr(self, "command", None)
        path = getattr(self, "path", "").split("?")[0]
        log.debug(
            "Credential endpoint: %s %s: %s",
            method if method in METHODS else "a malformed request",
            PATH if path == PATH else "(another path)",
            int(code) if str(code).isdigit() else code,
        )

    def log_error(self, format: str, *args: Any) -> None:
        """Said by :meth:`log_request` (the status of the refusal) without the request's text."""

    def log_message(self, format: str, *args: Any) -> None:
        """Nothing else is logged: the standard lines quote the request."""
