"""``exec --server`` keeps its promises: the command gets the endpoint's credentials,
whatever else is around, and the endpoint never shows a traceback, spends a code
twice or makes a client wait on a person.

Items 9 to 17 of issue 20, one test (or a few) each, end to end through the
installed CLI against the local STS (tests/strict_sts.py), with real clients
in the command: boto3, the AWS CLI and the JavaScript SDK v3.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.conftest import AWS_MFA, AwsMfa, long_term, write
from tests.strict_sts import StrictSts, strict_sts

__all__ = ["strict_sts"]

ROLE = "arn:aws:iam::210987654321:role/admin"


def python(code: str) -> list[str]:
    return ["--", sys.executable, "-c", code]


GARBAGE = r"""
import json, os, socket
url = os.environ["AWS_CONTAINER_CREDENTIALS_FULL_URI"]
port = int(url.split("/")[2].split(":")[1])
def send(data):
    with socket.create_connection(("127.0.0.1", port), timeout=30) as s:
        try:
            s.sendall(data)
            s.shutdown(socket.SHUT_WR)
        except OSError:  # the endpoint may close a connection it refuses
            pass
        answer = b""
        try:
            while chunk := s.recv(65536):
                answer += chunk
        except OSError:
            pass
        return answer.decode("latin-1")
sent = [
    b"\x16\x03\x01MARKER-tls-hello\r\n\r\n",
    b"MARKER only one word\r\n\r\n",
    b"GET /MARKER HTTP/9.9\r\n\r\n",
    b"GET /MARKER-" + b"x" * 70000 + b" HTTP/1.1\r\n\r\n",
    b"GET /aws-mfa/credentials?MARKER HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n",
    b"",
    b"GET /aws-mfa/credentials HTTP/1.1\r\nMARKER: " + b"y" * 70000 + b"\r\n\r\n",
    b"GET /aws-mfa/credentials HTTP/1.1\r\n" + b"MARKER: z\r\n" * 200 + b"\r\n",
]
print(json.dumps([send(data) for data in sent]))
"""
SENT = 8


def test_a_failed_request_is_one_debug_line_without_a_traceback(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """Item 13: socketserver prints the traceback of a client gone mid-answer; not here."""
    from aws_mfa import log
    from aws_mfa.server import QuietServer

    log.set_level("DEBUG")
    try:
        raise ConnectionResetError("MARKER")
    except ConnectionResetError:
        QuietServer.handle_error(None, None, ("127.0.0.1", 1))  # type: ignore[arg-type]
    finally:
        log.set_level("INFO")
    err = capsys.readouterr().err
    assert err == "DEBUG - Credential endpoint: a request failed (ConnectionResetError)\n"


@pytest.mark.e2e
def test_garbage_sent_to_the_endpoint_never_prints_a_traceback(
    credentials: Path, aws_mfa: AwsMfa, strict_sts: StrictSts
) -> None:
    """Item 13: one DEBUG line at most per request, never a traceback or what was sent."""
    write(credentials, long_term("dev-long-term"))
    result = aws_mfa("exec", "--server", "-p", "dev", "-c", "123456", *python(GARBAGE))
    assert result.code == 0, result.stderr
    assert "Traceback" not in result.stderr
    assert "MARKER" not in result.stderr
    endpoint_lines = [line for line in result.stderr.splitlines() if "endpoint" in line.lower()]
    assert all(line.startswith("DEBUG - ") for line in endpoint_lines), endpoint_lines
    assert len(endpoint_lines) <= SENT
    for answer in json.loads(result.stdout):
        assert "SecretAccessKey" not in answer


HOSTS = """
import json, os, urllib.request, urllib.error
url = os.environ["AWS_CONTAINER_CREDENTIALS_FULL_URI"]
token = os.environ["AWS_CONTAINER_AUTHORIZATION_TOKEN"]
port = url.split("/")[2].split(":")[1]
def status(host, authorization=token):
    request = urllib.request.Request(url, headers={"Host": host})
    if authorization:
        request.add_header("Authorization", authorization)
    try:
        with urllib.request.urlopen(request, timeout=30) as answer:
            return answer.status, answer.read().decode()
    except urllib.error.HTTPError as err:
        return err.code, err.read().decode()
print(json.dumps({
    "given": status(f"127.0.0.1:{port}"),
    "rebound": status(f"attacker.example:{port}"),
    "localhost": status(f"localhost:{port}"),
    "no port": status("127.0.0.1"),
    "other port": status(f"127.0.0.1:{int(port) + 1}"),
    "rebound, no token": status(f"attacker.example:{port}", None),
}))
"""


@pytest.mark.e2e
def test_the_host_header_must_name_the_address_the_command_was_given(
    credentials: Path, aws_mfa: AwsMfa, strict_sts: StrictSts
) -> None:
    """Item 15: a second guard after the token, against DNS rebinding."""
    write(credentials, long_term("dev-long-term"))
    result = aws_mfa("exec", "--server", "-p", "dev", "-c", "123456", *python(HOSTS))
    assert result.code == 0, result.stderr
    seen = json.loads(result.stdout)
    assert seen.pop("given")[0] == 200
    assert seen.pop("rebound, no token")[0] == 401  # the token is checked first
    for name, (status, body) in seen.items():
        assert status == 403, name
        assert "SecretAccessKey" not in body
        assert "the Host header is not 127.0.0.1:" in json.loads(body)["message"]


@pytest.mark.e2e
@pytest.mark.parametrize("server", [False, True], ids=["exec", "exec --server"])
def test_token_dash_reads_one_line_and_leaves_the_rest_to_the_command(
    server: bool, credentials: Path, aws_mfa: AwsMfa, strict_sts: StrictSts
) -> None:
    """Item 14: ``--token -`` takes exactly the first line of stdin, unbuffered."""
    write(credentials, long_term("dev-long-term"))
    command = python("import sys; sys.stdout.write(sys.stdin.read())")
    mode = ["--server"] if server else []
    result = aws_mfa(
        "exec", *mode, "-p", "dev", "--token", "-", *command, stdin="123456\nthe rest\nof it\n"
    )
    assert result.code == 0, result.stderr
    assert result.stdout == "the rest\nof it\n"
    assert strict_sts.codes == [("arn:aws:iam::123456789012:mfa/alice", "123456")]


def wait_for(condition: Callable[[], bool], seconds: float) -> bool:
    """Poll ``condition`` every 20 ms until it holds or ``seconds`` pass; whether it held."""
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.02)
    return True


def gone(pid: int) -> bool:
    """Whether process ``pid`` has ended (a zombie not yet reaped by its new parent counts)."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return True
    return "\nState:\tZ" in status


@pytest.mark.e2e
@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="PR_SET_PDEATHSIG is Linux's")
def test_the_command_ends_when_aws_mfa_is_killed(
    credentials: Path, home: Path, aws_mfa: AwsMfa, strict_sts: StrictSts
) -> None:
    """Item 17: SIGKILL of aws-mfa, and the kernel sends the command SIGTERM."""
    write(credentials, long_term("dev-long-term"))
    pid_file, terminated = home / "child.pid", home / "terminated"
    child = (
        "import os, signal, sys, time, pathlib\n"
        f"def done(*_): pathlib.Path({str(terminated)!r}).write_text('yes'); sys.exit(3)\n"
        "signal.signal(signal.SIGTERM, done)\n"
        f"pathlib.Path({str(pid_file)!r}).write_text(str(os.getpid()))\n"
        "time.sleep(60)\n"
    )
    process = subprocess.Popen(
        [AWS_MFA, "exec", "--server", "-p", "dev", "-c", "123456", *python(child)],
        env=aws_mfa.env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    pid = 0
    try:
        assert wait_for(lambda: pid_file.exists() and pid_file.read_text() != "", 30)
        pid = int(pid_file.read_text())
        process.kill()
        process.wait(timeout=30)
        assert wait_for(terminated.exists, 10), "the command ran on after aws-mfa died"
        assert wait_for(lambda: gone(pid), 10)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait(timeout=30)
        if pid and not gone(pid):
            os.kill(pid, signal.SIGKILL)
