"""Try aws-mfa with no AWS account: ``python -m aws_mfa.demo`` (needs ``aws-mfa[demo]``).

It starts a local STS (moto's server on 127.0.0.1, on a free port), makes a
throw-away HOME with a credentials file holding fake long-term keys and a
comment, and runs the installed ``aws-mfa`` twice: the first run asks STS for
a session and writes it, the second finds it still valid and asks nothing.
It shows the file before and after (secrets masked), and when the AWS CLI is
installed it lets ``aws sts get-caller-identity`` use the written profile.

:class:`LocalSts` is also what the test suite runs against. It behaves like
real STS in one way moto does not: a session token's access key id starts
with ``ASIA`` (moto answers ``AKIA``, which real STS gives only to long-term
keys). It records the requests it serves, with the key id, region and session
token each was signed with, so tests can tell whose credentials were used
where; and a ``fault`` hook lets tests make it answer with errors, garbage,
or not at all. Like real STS, and unlike moto, it checks the SigV4 signature
of a request signed by a key whose secret it was told (:attr:`LocalSts.secrets`),
and refuses a wrong one with ``SignatureDoesNotMatch``.

Nothing in the ``aws-mfa`` command imports this module.
"""

from __future__ import annotations

import io
import logging
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import urllib.parse
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from types import TracebackType
from typing import Any

Fault = Callable[[str], "tuple[int, str] | None"]
"""Given an STS action name, an (HTTP status, body) to answer with instead of
moto's, or None to let moto answer. It may block, to play an STS that hangs."""
Responder = Callable[[dict[str, str]], "tuple[int, str] | None"]
"""Like a Fault, given the request's parameters and who signed it (``@key_id``,
``@session_token``, ``@region``): an STS that knows what moto does not."""

MOTO_SESSION_KEY_ID = "AKIAIOSFODNN7EXAMPLE"
REALISTIC_SESSION_KEY_ID = "ASIAIOSFODNN7EXAMPLE"

DEMO_KEY_ID = "AKIAEXAMPLEDEMO12345"
DEMO_SECRET = "demo/long/term/secret/key/not/real/at/all0"
DEMO_CREDENTIALS = f"""\
# Long-term keys of a made-up IAM user; aws-mfa keeps this comment.
[default-long-term]
aws_access_key_id = {DEMO_KEY_ID}
aws_secret_access_key = {DEMO_SECRET}
aws_mfa_device = arn:aws:iam::123456789012:mfa/demo-user
"""


def _certificate(subject: str, issuer: str, key: Any) -> Any:
    """A certificate builder for ``subject``, issued by ``issuer``, valid for a day."""
    import datetime as dt

    from cryptography import x509
    from cryptography.x509.oid import NameOID

    def name(text: str) -> x509.Name:
        return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, text)])

    now = dt.datetime.now(dt.timezone.utc)
    return (
        x509.CertificateBuilder()
        .subject_name(name(subject))
        .issuer_name(name(issuer))
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=1))
    )


def throwaway_ca(folder: Path) -> tuple[Path, Path, Path]:
    """A new CA and a certificate for 127.0.0.1 signed by it, written to ``folder``.

    Returns the paths of the CA certificate (the bundle to trust), the
    server's certificate and its key. Uses ``cryptography``, which moto needs.
    """
    import ipaddress

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec

    ca_key, server_key = (
        ec.generate_private_key(ec.SECP256R1()),
        ec.generate_private_key(ec.SECP256R1()),
    )
    ca_name = "aws-mfa throw-away test CA"
    ca = (
        _certificate(ca_name, ca_name, ca_key)
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            x509.KeyUsage(False, False, False, False, False, True, True, False, False), True
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()), False)
        .sign(ca_key, hashes.SHA256())
    )
    server = (
        _certificate("127.0.0.1", ca_name, server_key)
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), False
        )
        .sign(ca_key, hashes.SHA256())
    )
    paths = folder / "ca.pem", folder / "server.pem", folder / "server-key.pem"
    paths[0].write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    paths[1].write_bytes(server.public_bytes(serialization.Encoding.PEM))
    paths[2].write_bytes(
        server_key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return paths


class LocalSts:
    """moto's STS on 127.0.0.1 (a free port), in a thread, for demos and tests.

    With ``tls_folder``, it serves HTTPS and :attr:`ca_bundle` is the CA to trust.
    """

    def __init__(self, fault: Fault | None = None, tls_folder: Path | None = None) -> None:
        from moto.moto_server.werkzeug_app import (
            DomainDispatcherApplication,
            MotoRequestHandler,
            create_backend_app,
        )
        from werkzeug.serving import make_server

        class QuietHandler(MotoRequestHandler):
            def log_request(self, *args: Any, **kwargs: Any) -> None:
                pass

        logging.getLogger("werkzeug").setLevel(logging.ERROR)
        self.fault = fault
        self.responder: Responder | None = None
        self.secrets: dict[str, str] = {}
        """Secret access keys by key id: a request signed by one of these key ids must
        carry the signature its secret makes, or is refused."""
        self.requests: list[dict[str, str]] = []
        self._lock = threading.Lock()
        self._moto = DomainDispatcherApplication(create_backend_app)
        self.ca_bundle: Path | None = None
        ssl_context = None
        if tls_folder is not None:
            self.ca_bundle, cert, key = throwaway_ca(tls_folder)
            ssl_context = (str(cert), str(key))
        self._server = make_server(
            "127.0.0.1",
            0,
            self._app,
            threaded=True,
            request_handler=QuietHandler,
            ssl_context=ssl_context,
        )
        scheme = "https" if ssl_context else "http"
        self.url = f"{scheme}://127.0.0.1:{self._server.server_port}"
        # Looks 20 times a second whether to stop (werkzeug's default, twice a second, made
        # every stop wait up to half a second: each test run's, the demo's).
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self._thread.start()

    def __enter__(self) -> LocalSts:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        value: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    def stop(self) -> None:
        """Stop serving and wait for the server thread (bounded)."""
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=10)

    def actions(self) -> list[str]:
        """The STS actions served so far, in order."""
        with self._lock:
            return [request.get("Action", "") for request in self.requests]

    def _app(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        length = int(environ.get("CONTENT_LENGTH") or 0)
        body = environ["wsgi.input"].read(length) if length else b""
        params = {key: values[0] for key, values in urllib.parse.parse_qs(body.decode()).items()}
        # Who signed: the access key id in the signature, and the session token.
        credential = environ.get("HTTP_AUTHORIZATION", "").partition("Credential=")[2]
        scope = credential.split(",")[0].split("/")
        params["@key_id"] = scope[0]
        params["@region"] = scope[2] if len(scope) > 2 else ""
        params["@session_token"] = environ.get("HTTP_X_AMZ_SECURITY_TOKEN", "")
        with self._lock:
            self.requests.append(params)
        action = params.get("Action", "")
        answer = self.fault(action) if self.fault else None
        secret = self.secrets.get(params["@key_id"])
        if answer is None and secret is not None and not signed_with(secret, environ, body):
            answer = sts_error("SignatureDoesNotMatch", BAD_SIGNATURE, 403)
        if answer is None and self.responder is not None:
            answer = self.responder(params)
        if answer is not None:
            status, text = answer
            start_response(f"{status} FAULT", [("Content-Type", "text/xml")])
            return [text.encode()]
        environ["wsgi.input"] = io.BytesIO(body)
        captured: dict[str, Any] = {}

        def capture(status: str, headers: list[tuple[str, str]], *rest: Any) -> None:
            captured["status"], captured["headers"] = status, headers

        data = b"".join(self._moto(environ, capture))
        if action == "GetSessionToken":
            data = data.replace(MOTO_SESSION_KEY_ID.encode(), REALISTIC_SESSION_KEY_ID.encode())
        headers = [(k, v) for k, v in captured["headers"] if k.lower() != "content-length"]
        start_response(captured["status"], [*headers, ("Content-Length", str(len(data)))])
        return [data]


BAD_SIGNATURE = (
    "The request signature we calculated does not match the signature you provided. "
    "Check your AWS Secret Access Key and signing method. Consult the service documentation "
    "for details."
)


def signed_with(secret: str, environ: dict[str, Any], body: bytes) -> bool:
    """Whether the request's SigV4 signature is the one ``secret`` makes, as STS checks it.

    The signature is computed again with botocore's own signer over what was
    received: the method, path, query, the headers the request says it
    signed, the body, and the time and scope it was signed for.
    """
    import hmac

    from botocore.auth import SigV4Auth
    from botocore.awsrequest import AWSRequest
    from botocore.credentials import Credentials

    scheme, _, listed = environ.get("HTTP_AUTHORIZATION", "").partition(" ")
    fields = dict(part.strip().partition("=")[::2] for part in listed.split(","))
    scope = fields.get("Credential", "").split("/")  # key id, day, region, service, aws4_request
    headers = _headers(environ)
    if scheme != "AWS4-HMAC-SHA256" or len(scope) != 5 or "x-amz-date" not in headers:
        return False
    query = environ.get("QUERY_STRING", "")
    url = f"{environ['wsgi.url_scheme']}://{headers.get('host', '')}{environ.get('PATH_INFO', '')}"
    request = AWSRequest(environ["REQUEST_METHOD"], url + (f"?{query}" if query else ""), data=body)
    for name in fields.get("SignedHeaders", "").split(";"):
        request.headers[name] = headers.get(name, "")
    request.context["timestamp"] = headers["x-amz-date"]
    signer = SigV4Auth(
        Credentials(scope[0], secret, headers.get("x-amz-security-token")), scope[3], scope[2]
    )
    canonical = signer.canonical_request(request)
    expected = signer.signature(signer.string_to_sign(request, canonical), request)
    return hmac.compare_digest(expected, fields.get("Signature", ""))


def _headers(environ: dict[str, Any]) -> dict[str, str]:
    """The request's headers, from a WSGI environ, by lower-case name."""
    found = {
        key[5:].replace("_", "-").lower(): str(value)
        for key, value in environ.items()
        if key.startswith("HTTP_")
    }
    for key in ("CONTENT_TYPE", "CONTENT_LENGTH"):
        if environ.get(key):
            found[key.replace("_", "-").lower()] = str(environ[key])
    return found


def sts_error(code: str, message: str, status: int = 400) -> tuple[int, str]:
    """An STS error answer, as real STS writes it."""
    return status, (
        '<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">'
        f"<Error><Type>Sender</Type><Code>{code}</Code><Message>{message}</Message></Error>"
        "<RequestId>00000000-0000-0000-0000-000000000000</RequestId></ErrorResponse>"
    )


SECRET_KEYS = ("aws_secret_access_key", "aws_session_token", "aws_security_token")


def masked(text: str) -> str:
    """``text`` with the values of secret keys replaced by their length."""
    out = []
    for line in text.splitlines():
        key, sep, value = line.partition("=")
        if sep and key.strip().lower() in SECRET_KEYS:
            line = f"{key}= <secret, {len(value.strip())} characters>"
        out.append(line)
    return "\n".join(out)


def _step(title: str) -> None:
    print(f"\n=== {title}", flush=True)


def _show(path: Path) -> None:
    print(masked(path.read_text()), flush=True)


def _run(command: list[str], env: dict[str, str]) -> int:
    print("$ " + " ".join(command), flush=True)
    return subprocess.run(
        command, env=env, stdin=subprocess.DEVNULL, stderr=subprocess.STDOUT, check=False
    ).returncode


KEPT_VARIABLES = (
    *("PATH", "LANG", "LC_ALL", "TERM", "TMPDIR"),
    # What a Windows program needs to start and run: Python finds its temporary folder
    # in TEMP or TMP, subprocess needs COMSPEC and PATHEXT, and Windows' own DLLs
    # (sockets, crypto) need SYSTEMROOT, SYSTEMDRIVE and WINDIR; os.environ's keys are
    # upper case there.
    *("TEMP", "TMP", "PATHEXT", "COMSPEC", "SYSTEMROOT", "SYSTEMDRIVE", "WINDIR"),
    *("APPDATA", "LOCALAPPDATA", "PROGRAMDATA", "USERNAME", "NUMBER_OF_PROCESSORS"),
    *("PROCESSOR_ARCHITECTURE", "OS"),
)
"""The variables the demo's runs keep from its own environment; every other one is left out."""


def demo_environment(home: Path, sts_url: str) -> dict[str, str]:
    """The environment of the demo's runs: a throw-away HOME, the local STS."""
    env = {key: os.environ[key] for key in KEPT_VARIABLES if key in os.environ}
    env.update(
        HOME=str(home),
        USERPROFILE=str(home),  # Windows finds the home here, not in HOME
        AWS_ENDPOINT_URL_STS=sts_url,
        AWS_CONFIG_FILE=str(home / ".aws" / "config"),
        AWS_SHARED_CREDENTIALS_FILE=str(home / ".aws" / "credentials"),
        AWS_DEFAULT_REGION="us-east-1",
    )
    return env


def _installed(command: str) -> str | None:
    """``command`` from this Python's environment first, else from PATH."""
    beside = Path(sys.executable).parent / command
    return str(beside) if beside.exists() else shutil.which(command)


def run_demo(home: Path) -> int:
    """Run the demo in ``home``; return 0 when every step worked."""
    found = _installed("aws-mfa")
    aws_mfa = [found] if found else [sys.executable, "-m", "aws_mfa"]
    with LocalSts() as sts:
        sts.secrets[DEMO_KEY_ID] = DEMO_SECRET  # it checks signatures, as STS does
        env = demo_environment(home, sts.url)
        credentials = home / ".aws" / "credentials"
        credentials.parent.mkdir(mode=0o700)
        credentials.write_text(DEMO_CREDENTIALS)
        credentials.chmod(0o600)
        _step(f"A local STS is listening on {sts.url}; HOME is a throw-away folder")
        _step("The credentials file before: long-term keys only")
        _show(credentials)
        _step("First run: no session yet, so aws-mfa asks STS for one (code 123456)")
        if _run([*aws_mfa, "--token", "123456"], env):
            return 1
        _step("The credentials file after: [default] holds the session, the comment is kept")
        _show(credentials)
        _step("Second run: the session is still valid, so no code is asked and STS is not called")
        if _run(aws_mfa, env):
            return 1
        print(f"(STS answered {len(sts.actions())} request(s) in all)")
        aws = _installed("aws")
        if aws:
            _step("The AWS CLI uses the written profile as it is")
            # --endpoint-url too: AWS CLI v2 before 2.13 ignores AWS_ENDPOINT_URL_STS.
            who = [aws, "sts", "get-caller-identity", "--output", "text", "--endpoint-url", sts.url]
            if _run(who, env):
                return 1
    _step("Done. Run 'aws-mfa --help' to see every option.")
    return 0


def main(argv: Iterator[str] | None = None) -> int:
    """Entry point of ``python -m aws_mfa.demo``."""
    try:
        import moto  # noqa: F401
    except ImportError:
        print(
            "ERROR - the demo needs moto's STS server: pip install 'aws-mfa[demo]'",
            file=sys.stderr,
        )
        return 2
    with tempfile.TemporaryDirectory(prefix="aws-mfa-demo-") as home:
        return run_demo(Path(home))


if __name__ == "__main__":
    sys.exit(main())
