"""STS failing in every way it can: one line, the right exit code, the file unchanged.

moto accepts any code and never fails, so LocalSts's fault hook answers in
its place: STS's own error documents, a server error, garbage, or nothing.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from aws_mfa.demo import LocalSts, sts_error
from tests.conftest import AwsMfa, long_term, write

pytestmark = pytest.mark.e2e

CODE = "864209"  # appears nowhere else, so a leak would show
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
        ((200, "this is not XML <at all"), 6, "ERROR - STS gave an answer to GetSessionToken", 1),
        ((503, "<html>down</html>"), 6, "ERROR - STS failed with a server error (HTTP 503)", 3),
    ],
)
def test_sts_failures(
    answer: tuple[int, str],
    code: int,
    message: str,
    attempts: int,
    aws_mfa: AwsMfa,
    sts: LocalSts,
    credentials: Path,
    file_before: bytes,
) -> None:
    sts.fault = lambda action: answer
    result = aws_mfa("--token", CODE)
    assert result.code == code, result.stderr
    assert len(result.error_lines) == 1
    assert result.error_lines[0].startswith(message)
    assert "Traceback" not in result.stderr
    assert CODE not in result.stderr
    assert len(sts.requests) == attempts
    assert credentials.read_bytes() == file_before


def test_refused_connection(aws_mfa: AwsMfa, credentials: Path, file_before: bytes) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    # Nothing listens on the port any more: every connection is refused.
    result = aws_mfa("--token", CODE, AWS_ENDPOINT_URL_STS=f"http://127.0.0.1:{port}")
    assert result.code == 6
    assert result.error_lines == [
        f"ERROR - cannot connect to STS at http://127.0.0.1:{port}; "
        "check your network, proxy and AWS_ENDPOINT_URL_STS"
    ]
    assert credentials.read_bytes() == file_before


@pytest.fixture
def release() -> Iterator[threading.Event]:
    event = threading.Event()
    yield event
    event.set()


def test_sts_that_never_answers_fails_within_30_seconds(
    aws_mfa: AwsMfa,
    sts: LocalSts,
    credentials: Path,
    file_before: bytes,
    release: threading.Event,
) -> None:
    def hang(action: str) -> tuple[int, str]:
        release.wait(60)
        return 500, ""

    sts.fault = hang
    started = time.monotonic()
    result = aws_mfa("--token", CODE)
    assert time.monotonic() - started < 30
    assert result.code == 6
    assert result.error_lines == [
        "ERROR - STS did not answer GetSessionToken in time (3 attempts); "
        "check your network, proxy and AWS_ENDPOINT_URL_STS"
    ]
    assert credentials.read_bytes() == file_before
