"""STS failing in every way it can: one line, the right exit code, the file unchanged.

moto accepts any code and never fails, so LocalSts's fault hook answers in
its place: STS's own error documents, a server error, garbage, hostile
answers, or nothing.

No test waits out a real timeout or backoff: ``MFA_STS_TIMEOUT`` (a
documented setting) lowers the total bound, and with it each attempt's
timeouts and, in proportion, the waits between retries.

The runs are in-process (tests/conftest.py: run_in_process); the refused
connection runs through the installed console script too.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from aws_mfa.demo import LocalSts, sts_error
from tests.conftest import AwsMfa, long_term, write

CODE = "864209"  # appears nowhere else, so a leak would show
FAST = "3"  # MFA_STS_TIMEOUT: retries wait a tenth of botocore's usual backoff
MFA_FAILED = "MultiFactorAuthentication failed with invalid MFA one time pass code. "


@pytest.fixture
def file_before(credentials: Path) -> bytes:
    write(credentials, "# keep\n" + long_term())
    return credentials.read_bytes()


@pytest.mark.parametrize(
    ("answer", "code", "message", "attempts"),
    [
        (
            sts_error("AccessDenied", MFA_FAILED, 403),
            5,
            "ERROR - STS rejected the MFA code for device arn:aws:iam::123456789012:mfa/alice",
            1,
        ),
        (
            sts_error("AccessDenied", "User: x is not authorized to perform: sts:AssumeRole", 403),
            5,
            "ERROR - STS denied GetSessionToken: User: x is not authorized",
            1,
        ),
        (
            sts_error(
                "InvalidClientTokenId", "The security token included in the request is invalid", 403
            ),
            5,
            "ERROR - STS does not know the access key ...ERM1 in [default-long-term] of ",
            1,
        ),
        (
            sts_error("ExpiredToken", "The security token included in the request is expired"),
            5,
            "ERROR - STS says the access key ...ERM1 in [default-long-term] of",
            1,
        ),
        (
            sts_error("Throttling", "Rate exceeded"),
            6,
            "ERROR - STS is throttling requests (gave up after 3 attempts)",
            3,
        ),
        (
            sts_error("InternalFailure", "oops", 500),
            6,
            "ERROR - STS failed with a server error (HTTP 500) on GetSessionToken",
            3,
        ),
        (
            (200, "this is not XML <at all"),
            6,
            "ERROR - STS gave an answer to GetSessionToken that is not valid",
            1,
        ),
        ((503, "<html>down</html>"), 6, "ERROR - STS failed with a server error (HTTP 503)", 3),
    ],
)
def test_sts_failures(
    answer: tuple[int, str],
    code: int,
    message: str,
    attempts: int,
    aws_mfa_in_process: AwsMfa,
    sts: LocalSts,
    credentials: Path,
    file_before: bytes,
) -> None:
    sts.fault = lambda action: answer
    result = aws_mfa_in_process("--token", CODE, MFA_STS_TIMEOUT=FAST)
    assert result.code == code, result.stderr
    assert len(result.error_lines) == 1
    assert result.error_lines[0].startswith(message)
    assert "Traceback" not in result.stderr
    assert CODE not in result.stderr
    assert len(sts.requests) == attempts
    assert credentials.read_bytes() == file_before


def test_refused_connection(aws_mfa_both: AwsMfa, credentials: Path, file_before: bytes) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    # Nothing listens on the port any more: every connection is refused.
    result = aws_mfa_both(
        "--token", CODE, AWS_ENDPOINT_URL_STS=f"http://127.0.0.1:{port}", MFA_STS_TIMEOUT=FAST
    )
    assert result.code == 6
    assert result.error_lines == [
        f"ERROR - cannot connect to STS at http://127.0.0.1:{port}; "
        "check your network, proxy and the STS endpoint (AWS_ENDPOINT_URL_STS, endpoint_url)"
    ]
    assert credentials.read_bytes() == file_before


@pytest.fixture
def release() -> Iterator[threading.Event]:
    event = threading.Event()
    yield event
    event.set()


def test_sts_that_never_answers_fails_at_the_deadline(
    aws_mfa_in_process: AwsMfa,
    sts: LocalSts,
    credentials: Path,
    file_before: bytes,
    release: threading.Event,
) -> None:
    def hang(action: str) -> tuple[int, str]:
        release.wait(60)
        return 500, ""

    sts.fault = hang
    # The first request hangs, so nothing but the deadline can end the run, however short it is.
    result = aws_mfa_in_process("--token", CODE, MFA_STS_TIMEOUT="0.1")
    assert result.code == 6
    assert result.error_lines == [
        "ERROR - STS did not answer GetSessionToken within 0.1 seconds; "
        "check your network, proxy and the STS endpoint (AWS_ENDPOINT_URL_STS, endpoint_url)"
    ]
    assert credentials.read_bytes() == file_before


def test_an_answer_that_trickles_in_is_cut_off_at_the_deadline(
    aws_mfa_in_process: AwsMfa, credentials: Path, file_before: bytes, release: threading.Event
) -> None:
    """Each byte comes before the read timeout, so only a total deadline ends the wait."""
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen()
        port = server.getsockname()[1]

        def drip() -> None:
            connection, _ = server.accept()
            with connection:
                connection.recv(65536)
                for byte in b"HTTP/1.1 200 OK\r\nContent-Length: 500\r\n\r\n" + b"<" * 500:
                    if release.wait(0.05):
                        return
                    connection.sendall(bytes([byte]))

        dripping = threading.Thread(target=drip, daemon=True)
        dripping.start()
        started = time.monotonic()
        result = aws_mfa_in_process(
            "--token", CODE, AWS_ENDPOINT_URL_STS=f"http://127.0.0.1:{port}", MFA_STS_TIMEOUT="0.5"
        )
        waited = time.monotonic() - started
        release.set()
        dripping.join(5)
    assert result.code == 6, result.stderr
    assert result.error_lines[0].startswith(
        "ERROR - STS did not answer GetSessionToken within 0.5 seconds"
    )
    assert waited < 20  # the answer alone would take 25 s
    assert credentials.read_bytes() == file_before


@pytest.mark.parametrize("value", ["soon", "0", "-5", "1e9"])
def test_a_bad_timeout_is_refused_before_the_prompt(
    value: str, aws_mfa_in_process: AwsMfa, sts: LocalSts, file_before: bytes, credentials: Path
) -> None:
    result = aws_mfa_in_process("--token", CODE, MFA_STS_TIMEOUT=value)
    assert result.code == 2
    assert result.error_lines[0].startswith(f"ERROR - MFA_STS_TIMEOUT: {value!r}")
    assert sts.requests == []
    assert credentials.read_bytes() == file_before


def credentials_xml(
    key_id: str = "ASIAHOSTILE000000001",
    secret: str = "hostile/secret/value/0000000000000000000",  # noqa: S107 (made up)
    token: str = "hostile-session-token-000000000000000000",  # noqa: S107
    expiration: str | None = "FUTURE",
) -> str:
    later = datetime.now(timezone.utc) + timedelta(hours=1)
    when = expiration.replace("FUTURE", later.strftime("%Y-%m-%dT%H:%M:%SZ")) if expiration else ""
    expiry = f"<Expiration>{when}</Expiration>" if expiration is not None else ""
    return (
        '<GetSessionTokenResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">'
        "<GetSessionTokenResult><Credentials>"
        f"<AccessKeyId>{key_id}</AccessKeyId><SecretAccessKey>{secret}</SecretAccessKey>"
        f"<SessionToken>{token}</SessionToken>{expiry}"
        "</Credentials></GetSessionTokenResult>"
        "<ResponseMetadata><RequestId>1</RequestId></ResponseMetadata>"
        "</GetSessionTokenResponse>"
    )


@pytest.mark.parametrize(
    ("body", "problem"),
    [
        (credentials_xml(key_id=""), "an empty AccessKeyId"),
        (credentials_xml(secret=""), "an empty SecretAccessKey"),
        (credentials_xml(token=""), "an empty SessionToken"),
        (credentials_xml(token="line&#10;[default]"), "a control character in SessionToken"),
        (credentials_xml(secret="abc&#13;def"), "a control character in SecretAccessKey"),
        (credentials_xml(key_id="ASIA&#9;TAB"), "a control character in AccessKeyId"),
        (credentials_xml(expiration=None), "no Expiration"),
        (credentials_xml(expiration="2020-01-01T00:00:00Z"), "an Expiration in the past"),
        (credentials_xml(expiration="next tuesday"), None),
    ],
)
def test_hostile_answers_are_refused_and_nothing_is_written(
    body: str,
    problem: str | None,
    aws_mfa_in_process: AwsMfa,
    sts: LocalSts,
    credentials: Path,
    file_before: bytes,
) -> None:
    sts.fault = lambda action: (200, body)
    result = aws_mfa_in_process("--token", CODE, MFA_STS_TIMEOUT=FAST)
    assert result.code == 6, result.stderr
    assert len(result.error_lines) == 1
    if problem:
        assert result.error_lines[0].startswith(
            f"ERROR - STS answered GetSessionToken with {problem}; nothing was written."
        )
    else:  # botocore cannot read the time at all
        assert "STS gave an answer to GetSessionToken that is not valid" in result.error_lines[0]
    assert "hostile/secret" not in result.stderr
    assert "hostile-session" not in result.stderr
    assert "Success" not in result.stderr
    assert credentials.read_bytes() == file_before
