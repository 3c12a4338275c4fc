"""A stand-in for the AWS console's federation endpoint, checking what it is sent as AWS does.

It listens on 127.0.0.1 (a free port), and ``aws-mfa console`` is sent to it with
``AWS_MFA_SIGNIN_ENDPOINT``. It serves the three requests of a console sign-in:

- ``getSigninToken`` (POST form, or GET query): the ``Session`` JSON must hold
  credentials the test's STS issued (:class:`tests.strict_sts.StrictSts` remembers
  each access key's secret, token and call), and only role credentials
  (AssumeRole) and federation tokens (GetFederationToken) are taken. An MFA
  session of GetSessionToken is answered 400, as AWS answers it ("Only
  federation tokens or assume role tokens may be used for federated login"),
  and so are long-term keys, unknown or mismatched credentials, and a
  ``SessionDuration`` outside 900 to 43200 or sent with anything but a role
  assumed straight from long-term keys. A good request gets a new sign-in token.
- ``login``: a token it gave, within its 15 minutes, redirects (302) to the
  destination; anything else is 400. :meth:`SigninStandIn.visit` follows a URL
  the way a browser would, without leaving this machine.
- ``oauth?Action=logout``: redirects to its ``redirect_uri`` when that is one of
  its own login URLs.

``fault`` makes it answer otherwise (a status and a body, or None to hang
until the test ends), and ``refuse_post`` answers a POST getSigninToken with the
status it holds (405, as an endpoint that takes only GET; 400, as one that reads
the query alone). Every request is recorded (:attr:`SigninStandIn.seen`), the
``SessionType`` it was sent with too. Each token it gives joins the secret scan
of every run (tests/conftest.py).

It plays an HTTPS proxy as well: a ``CONNECT`` is recorded, with the host and
port it names, and refused with 502, so that a test learns which sign-in host
aws-mfa would reach, without leaving this machine.
"""

from __future__ import annotations

import json
import secrets
import ssl
import threading
import time
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import TracebackType

import pytest

from aws_mfa.demo import throwaway_ca
from tests.conftest import SIGNIN_TOKENS
from tests.strict_sts import StrictSts

REFUSED = (
    b'{"message":"Only federation tokens or assume role tokens may be used for federated login"}'
)


@dataclass
class Seen:
    """One request to the endpoint, as it judged it."""

    method: str
    action: str
    path: str
    """The request's path, query included: a GET getSigninToken carries credentials here."""
    status: int
    kind: str = ""
    """The call that issued the credentials sent (AssumeRole, GetFederationToken...)."""
    chained: bool = False
    session_duration: str | None = None
    proxied: bool = False
    """It came through a proxy (the request line held an absolute URL)."""
    session_type: str | None = None


@dataclass
class SigninStandIn:
    sts: StrictSts
    tls_folder: Path | None = None
    """Serve HTTPS with a certificate of a throw-away CA (:attr:`ca_bundle`) made there."""
    ca_bundle: Path | None = None
    refuse_post: int | None = None
    """The status a POST getSigninToken is answered with, instead of a token."""
    fault: Callable[[], tuple[int, bytes] | None] | None = None
    seen: list[Seen] = field(default_factory=list)
    tokens: dict[str, float] = field(default_factory=dict)
    """Each sign-in token given, and when."""
    url: str = ""
    stop: threading.Event = field(default_factory=threading.Event)

    def __post_init__(self) -> None:
        standin = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:
                pass

            def do_GET(self) -> None:
                standin.handle(self, "GET", b"")

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                standin.handle(self, "POST", self.rfile.read(length))

            def do_CONNECT(self) -> None:
                standin.seen.append(Seen("CONNECT", "", self.path, 502, proxied=True))
                self.send_response(502)
                self.send_header("Content-Length", "0")
                self.end_headers()

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        scheme = "http"
        if self.tls_folder is not None:
            self.ca_bundle, cert, key = throwaway_ca(self.tls_folder)
            context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            context.load_cert_chain(cert, key)
            self.server.socket = context.wrap_socket(self.server.socket, server_side=True)
            scheme = "https"
        self.url = f"{scheme}://127.0.0.1:{self.server.server_port}"
        # A short poll: shutdown() waits for it, after each of the many tests using this.
        self.thread = threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        )
        self.thread.start()

    def __enter__(self) -> SigninStandIn:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        value: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop.set()
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=10)

    # The endpoint.

    def handle(self, request: BaseHTTPRequestHandler, method: str, body: bytes) -> None:
        parts = urllib.parse.urlsplit(request.path)
        params = dict(urllib.parse.parse_qsl(parts.query))
        if method == "POST":
            params.update(urllib.parse.parse_qsl(body.decode()))
        seen = Seen(method, params.get("Action", ""), request.path, 0)
        seen.proxied = request.path.startswith("http")
        self.seen.append(seen)
        answer = self.fault() if self.fault else None
        if self.fault and answer is None:
            self.stop.wait(60)  # hang, as an endpoint that never answers
            return
        if answer is None:
            answer = self.answer(parts.path, method, params, seen)
        status, payload, *location = answer
        seen.status = status
        request.send_response(status)
        if location:
            request.send_header("Location", location[0])
        request.send_header("Content-Type", "application/json")
        request.send_header("Content-Length", str(len(payload)))
        request.end_headers()
        request.wfile.write(payload)

    def answer(
        self, path: str, method: str, params: dict[str, str], seen: Seen
    ) -> tuple[int, bytes] | tuple[int, bytes, str]:
        if path == "/federation" and seen.action == "getSigninToken":
            seen.session_type = params.get("SessionType")
            if method == "POST" and self.refuse_post:
                return self.refuse_post, b'{"message":"not this way"}'
            return self.signin_token(params, seen)
        if path == "/federation" and seen.action == "login" and method == "GET":
            return self.login(params)
        if path == "/oauth" and seen.action == "logout" and method == "GET":
            then = params.get("redirect_uri", "")
            if then.startswith(f"{self.url}/federation?Action=login&"):
                return 302, b"", then
        return 400, b'{"message":"bad request"}'

    def signin_token(self, params: dict[str, str], seen: Seen) -> tuple[int, bytes]:
        try:
            session = json.loads(params.get("Session", ""))
            key_id, secret, token = (
                session["sessionId"],
                session["sessionKey"],
                session["sessionToken"],
            )
        except (ValueError, KeyError, TypeError):
            return 400, b'{"message":"Invalid Session parameter"}'
        issued = self.sts.issued.get(key_id)
        if issued is None or issued.secret != secret or issued.token != token:
            return 400, b'{"message":"Invalid credentials parameter"}'
        seen.kind, seen.chained = issued.action, issued.chained
        if issued.action not in ("AssumeRole", "GetFederationToken"):
            return 400, REFUSED
        duration = params.get("SessionDuration")
        seen.session_duration = duration
        if duration is not None and (
            issued.action != "AssumeRole"
            or issued.chained
            or not duration.isdigit()
            or not 900 <= int(duration) <= 43200
        ):
            return 400, b'{"message":"Invalid SessionDuration parameter"}'
        given = "standin" + secrets.token_hex(24)
        self.tokens[given] = time.monotonic()
        SIGNIN_TOKENS.add(given)
        return 200, json.dumps({"SigninToken": given}).encode()

    def login(self, params: dict[str, str]) -> tuple[int, bytes] | tuple[int, bytes, str]:
        given = self.tokens.get(params.get("SigninToken", ""))
        if given is None or time.monotonic() - given > 900 or not params.get("Destination"):
            return 400, b'{"message":"invalid sign-in token"}'
        return 302, b"", params["Destination"]

    # What a browser would do with a URL.

    def visit(self, url: str) -> str:
        """Follow ``url`` (and the stand-in's redirects) to the first place off the stand-in;
        that place. An error answer fails the test."""
        opener = urllib.request.build_opener(NoRedirects, urllib.request.ProxyHandler({}))
        for _ in range(5):
            if not url.startswith(self.url + "/"):
                return url
            try:
                opener.open(url, timeout=10)
            except urllib.error.HTTPError as err:
                if err.code != 302:
                    pytest.fail(f"the stand-in answered HTTP {err.code} to a visit")
                url = err.headers["Location"]
                continue
            pytest.fail("the stand-in answered a visit without a redirect")
        pytest.fail("too many redirects")


class NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: object, **kwargs: object) -> None:
        return None


@pytest.fixture
def signin(strict_sts: StrictSts, environment: dict[str, str]) -> Iterator[SigninStandIn]:
    """The stand-in endpoint, over the test's strict STS; ``environment`` points at it."""
    with SigninStandIn(strict_sts) as standin:
        environment["AWS_MFA_SIGNIN_ENDPOINT"] = standin.url
        yield standin
    SIGNIN_TOKENS.clear()
