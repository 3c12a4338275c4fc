"""``aws-mfa exec --server``: a local credential endpoint that renews itself.

Every AWS SDK can take credentials from an HTTP endpoint, the ECS
container-credentials protocol: ``AWS_CONTAINER_CREDENTIALS_FULL_URI`` names
it and ``AWS_CONTAINER_AUTHORIZATION_TOKEN`` is sent as the
``Authorization`` header. The SDK asks again before the credentials it holds
expire. aws-mfa serves that endpoint to the command it runs::

    GET /aws-mfa/credentials           Authorization: <the run's token>
    200 {"AccessKeyId": "ASIA...", "SecretAccessKey": "...", "Token": "...",
         "Expiration": "2026-11-22T16:04:05Z", "AccountId": "210987654321",
         "RoleArn": "arn:aws:iam::210987654321:role/admin"}

``AccountId`` is what EKS Pod Identity serves (newer SDKs build
account-based endpoints from it), ``RoleArn`` what the ECS agent serves for a
role. A request is answered at once from the credentials held
(:class:`HeldCredentials`), never after a login: a thread of its own renews
them ahead of their expiry (:data:`RENEWAL_LEAD`), so that an SDK, which
waits one or two seconds for an answer, never waits on a person typing a
code. A failed renewal is kept for :data:`FAILURE_MEMORY` seconds before the
next attempt, whatever the SDK's retries ask (:class:`RenewalPolicy` says when).

Security: the endpoint listens on 127.0.0.1 only, on a free port; the token
is 32 random bytes from :mod:`secrets`, new for each run, compared in constant
time; a request without it or with another gets 401 or 403 and no secret, and
so does one whose Host header is not the address the command was given.
Requests are logged at DEBUG, one line each, with masked key ids only.

What it does not do: run the command (see :mod:`aws_mfa.commands.exec`) or
log in (the ``renew`` it is given does, see :class:`aws_mfa.commands.exec.EndpointRenewal`).
"""

from __future__ import annotations

import hmac
import json
import math
import secrets
import selectors
import socket
import threading
from collections.abc import Callable, Mapping
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from aws_mfa import log
from aws_mfa.clock import Clock, datetime, utc_now
from aws_mfa.errors import AwsMfaError, UsageError
from aws_mfa.keys import TemporaryCredentials, mask
from aws_mfa.outputs import iso_utc
from aws_mfa.records import Record

PATH = "/aws-mfa/credentials"
HOST = "127.0.0.1"

Renew = Callable[[int], TemporaryCredentials]
"""Logs in so that the credentials have at least the given seconds left; returns them."""

REQUEST_TIMEOUT = 10
"""Seconds a client may take to send its request; a silent connection is then closed."""

RENEWAL_LEAD = 20 * 60
"""Seconds before the credentials expire that the endpoint renews them, in the background.

botocore (boto3, the AWS CLI) asks the endpoint again once fewer than 15
minutes are left (its advisory refresh window, ``_DEFAULT_ADVISORY_REFRESH_TIMEOUT``:
every use of the credentials then asks, and a failure keeps the old ones), and
must have new ones with 10 minutes left (the mandatory window: a failure
fails the call); the JavaScript and Go SDKs ask with 5 minutes left.
Renewing 20 minutes ahead gives a person 5 minutes to type a code before any
SDK asks, and 10 before botocore must have new credentials. Credentials that
last less than twice this (a 15-minute role) are renewed halfway through
their life; ``--min-ttl``, when larger, comes first.
"""

FAILURE_MEMORY = 60
"""Seconds a failed renewal is kept before the next attempt.

SDKs retry a failed request (botocore 3 times, the JavaScript SDK 4, about a
second apart): each retry gets the same answer, and no new login starts, so a
renewal that needs a code asks for it once a minute at most.
"""

MIN_INTERVAL = 1.0
"""Seconds between two renewals at least, even of credentials that STS gave short lives."""

WAKE_INTERVAL = 30.0
"""The renewing thread looks at the clock this often: a computer that slept wakes it."""


def identity(role_arn: str | None, device: str | None) -> dict[str, str]:
    """``AccountId`` (and ``RoleArn`` for a role) of the credentials, as AWS's agents serve them.

    The account of a role session is the role's; that of a session token is the
    user's, which an MFA device ARN names (a hardware device's serial number
    names none).
    """
    if role_arn:
        return {"AccountId": role_arn.split(":")[4], "RoleArn": role_arn}
    if device and device.startswith("arn:") and len(device.split(":")) > 4:
        return {"AccountId": device.split(":")[4]}
    return {}


class RenewalPolicy(Record):
    """When the endpoint renews: the one place that says it (the login itself is the
    ``renew`` the endpoint is given).

    Credentials are renewed :data:`RENEWAL_LEAD` seconds before they expire
    (halfway through shorter lives; ``min_ttl``, when larger, comes first), never
    sooner than :data:`MIN_INTERVAL` after the last ones came; a failure is kept
    :data:`FAILURE_MEMORY` seconds before the next attempt.
    """

    min_ttl: int
    lead: int = RENEWAL_LEAD
    failure_memory: float = FAILURE_MEMORY
    min_interval: float = MIN_INTERVAL

    def margin(self, lifetime: float) -> int:
        """Seconds before expiry to renew credentials that had ``lifetime`` seconds left
        when received."""
        return math.ceil(max(self.min_ttl, min(self.lead, lifetime / 2)))

    def renew_at(self, held: Held) -> datetime:
        latest = held.credentials.expiration - timedelta(seconds=held.margin)
        return max(latest, held.received + timedelta(seconds=self.min_interval))

    def retry_at(self, failure: Failure) -> datetime:
        return failure.at + timedelta(seconds=self.failure_memory)


class Held(Record):
    """Credentials the endpoint serves, when they came, and how long before expiry to renew
    them (:meth:`RenewalPolicy.margin`)."""

    credentials: TemporaryCredentials
    received: datetime
    margin: int


class Failure(Record):
    """The last renewal's failure: its one-line message, and when it came."""

    message: str
    at: datetime


class Waiter:
    """How the renewing thread waits: ``wait(seconds)`` returns when they have passed, or at
    once after ``wake()`` (which :meth:`HeldCredentials.stop` calls). Tests pass one that
    waits on a clock they step (tests/stepped_time.py) instead of the real one."""

    def __init__(self) -> None:
        self.woken = threading.Event()

    def wait(self, seconds: float) -> None:
        self.woken.wait(seconds)

    def wake(self) -> None:
        self.woken.set()


class HeldCredentials:
    """The credentials served, and the thread that renews them ahead of their expiry.

    ``renew(margin)`` logs in so that the credentials have at least ``margin``
    seconds left; ``policy`` says when (:class:`RenewalPolicy`); ``clock`` and
    ``waiter`` are the time it reads and waits on. Only this thread calls
    ``renew``, so two renewals never overlap; the lock guards only what is
    held, never a login, so a request never waits.
    """

    def __init__(
        self,
        first: TemporaryCredentials,
        renew: Renew,
        policy: RenewalPolicy,
        clock: Clock = utc_now,
        waiter: Waiter | None = None,
    ) -> None:
        self.renew_with, self.policy, self.clock = renew, policy, clock
        self.waiter = waiter or Waiter()
        self.lock = threading.Lock()
        self.held = self.hold(first)
        self.failure: Failure | None = None
        self.logged = ""  # the last failure logged as an ERROR
        self.stopping = threading.Event()
        self.thread = threading.Thread(target=self.run, name="aws-mfa renewal", daemon=True)

    def hold(self, credentials: TemporaryCredentials) -> Held:
        now = self.clock()
        lifetime = (credentials.expiration - now).total_seconds()
        return Held(credentials, now, self.policy.margin(lifetime))

    def current(self) -> tuple[TemporaryCredentials | None, Failure | None]:
        """The credentials to serve (None when expired), and the last failure if any."""
        with self.lock:
            held, failure = self.held, self.failure
        valid = held.credentials.expiration > self.clock()
        return (held.credentials if valid else None), failure

    def next_attempt(self) -> datetime:
        with self.lock:
            if self.failure is not None:
                return self.policy.retry_at(self.failure)
            return self.policy.renew_at(self.held)

    def run(self) -> None:
        while not self.stopping.is_set():
            wait = (self.next_attempt() - self.clock()).total_seconds()
            if wait > 0:
                self.waiter.wait(min(wait, WAKE_INTERVAL))
            else:
                self.attempt()

    def attempt(self) -> None:
        """One renewal; its failure is kept (and logged once) instead of raised."""
        with self.lock:
            margin = self.held.margin
        try:
            fresh = self.renew_with(margin)
        except AwsMfaError as err:
            self.failed(err.message)
            return
        except Exception as err:  # a bug: the thread must go on, and print no traceback
            self.failed(f"internal error {type(err).__name__} while renewing; please report it")
            return
        held = self.hold(fresh)
        with self.lock:
            self.held, self.failure = held, None
        self.logged = ""

    def failed(self, message: str) -> None:
        with self.lock:
            self.failure = Failure(message, self.clock())
        if message != self.logged:  # the same failure again, a minute later, is no news
            log.error("%s", message)
            self.logged = message
        else:
            log.debug("The renewal failed again: %s", message)

    def start(self) -> None:
        self.thread.start()

    def stop(self) -> None:
        """Stop renewing; a renewal under way (a prompt, a token command) is left to end with
        the process."""
        self.stopping.set()
        self.waiter.wake()
        self.thread.join(timeout=1)


class CredentialServer:
    """The endpoint, serving ``first`` and what ``renew`` gives after it, in background threads.

    Three parts, each in one place: the endpoint (this class and :class:`Handler`: the
    token, the Host header, the answers), the credentials held and renewed
    (:class:`HeldCredentials`), and when they are renewed (:class:`RenewalPolicy`).
    ``fields``: what every answer adds to the credentials (see :func:`identity`);
    ``clock`` and ``waiter``: the time the renewals read and wait on.
    """

    def __init__(
        self,
        first: TemporaryCredentials,
        renew: Renew,
        *,
        policy: RenewalPolicy,
        fields: Mapping[str, str] | None = None,
        token: str | None = None,
        clock: Clock = utc_now,
        waiter: Waiter | None = None,
    ) -> None:
        self.credentials = HeldCredentials(first, renew, policy, clock, waiter)
        self.fields = dict(fields or {})
        self.token = token or secrets.token_urlsafe(32)
        try:
            self.http = QuietServer((HOST, 0), Handler)
        except OSError as err:
            raise UsageError(
                f"exec --server cannot listen on {HOST} ({err.strerror}); nothing was run"
            ) from err
        self.http.daemon_threads = True
        self.http.credentials = self  # type: ignore[attr-defined]  # read by Handler
        self.thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        return f"http://{self.host}{PATH}"

    @property
    def host(self) -> str:
        """The Host header a client of :attr:`url` sends."""
        return f"{HOST}:{self.http.server_address[1]}"

    def __enter__(self) -> CredentialServer:
        self.thread = threading.Thread(target=self.http.serve_until_stopped, daemon=True)
        self.thread.start()
        self.credentials.start()
        return self

    def __exit__(self, *exception: object) -> None:
        self.credentials.stop()
        self.http.stop()
        if self.thread is not None:
            self.thread.join(timeout=10)
        self.http.server_close()

    def answer(self, authorization: str | None, host: str | None) -> tuple[int, dict[str, Any]]:
        """The status and JSON body for a GET of the credentials.

        The token first; then the Host header, which must name the address
        the command was given: a page that rebinds its own name to 127.0.0.1
        (DNS rebinding) sends its own name there, and learns nothing. Then
        what is held: valid credentials, else the last renewal's failure, else
        a renewal is under way (perhaps waiting for a code) and the SDK may
        try again.
        """
        if not authorization:
            return 401, {"message": "no Authorization header"}
        if not hmac.compare_digest(authorization.encode(), self.token.encode()):
            return 403, {"message": "wrong authorization token"}
        if host != self.host:
            return 403, {"message": f"the Host header is not {self.host}"}
        creds, failure = self.credentials.current()
        if creds is None and failure is not None:
            return 500, {"code": "AwsMfaError", "message": f"aws-mfa: {failure.message}"}
        if creds is None:
            return 503, {"code": "Renewing", "message": RENEWING}
        log.debug("Served credentials %s", mask(creds.access_key_id))
        return 200, {
            "AccessKeyId": creds.access_key_id,
            "SecretAccessKey": creds.secret_access_key,
            "Token": creds.session_token,
            "Expiration": iso_utc(creds),
            **self.fields,
        }


RENEWING = (
    "aws-mfa: the credentials expired and their renewal is under way "
    "(it may be waiting for an MFA code); try again in a moment"
)


class QuietServer(ThreadingHTTPServer):
    """socketserver's threading server, which never prints a traceback and stops at once.

    ``serve_forever`` looks whether it must stop twice a second, so a command
    under ``exec --server`` ended up to half a second before aws-mfa did.
    :meth:`serve_until_stopped` waits on the listening socket and on one end
    of a socket pair, which :meth:`stop` writes to, as socketserver's own
    comment on its polling suggests (a pair of sockets, because Windows
    selects on sockets only).
    """

    timeout = 0
    """What :meth:`handle_request` waits for a connection: none, it is called once one came
    (and returns if the client already left)."""

    def __init__(self, address: tuple[str, int], handler: type[BaseHTTPRequestHandler]) -> None:
        super().__init__(address, handler)
        self.stopping = False
        self.waker, self.woken = socket.socketpair()

    def serve_until_stopped(self) -> None:
        """Answer requests (each in a thread of its own) until :meth:`stop`."""
        with selectors.DefaultSelector() as selector:
            selector.register(self, selectors.EVENT_READ)
            selector.register(self.woken, selectors.EVENT_READ)
            while not self.stopping:
                ready = selector.select()
                if self.stopping:
                    break
                if any(key.fileobj is self for key, _ in ready):
                    self.handle_request()  # accepts it; never waits (timeout 0)

    def stop(self) -> None:
        self.stopping = True
        try:
            self.waker.send(b".")
        except OSError:  # the loop looks at stopping whenever it wakes anyway
            return

    def server_close(self) -> None:
        super().server_close()
        self.waker.close()
        self.woken.close()

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
