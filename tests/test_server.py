"""``aws-mfa exec --server``: a command gets its credentials from a local endpoint that renews them.

End to end through the installed CLI: the command is a Python program using
boto3 (or plain urllib), against the local STS; the strict layer
(tests/strict_sts.py) makes role sessions expire in seconds.
"""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from aws_mfa.files import ini
from tests.conftest import AWS_MFA, NO_TERMINAL, AwsMfa, long_term, write
from tests.strict_sts import StrictSts, strict_sts

pytestmark = pytest.mark.e2e
__all__ = ["strict_sts"]

ROLE = "arn:aws:iam::210987654321:role/admin"

IDENTITY = """
import boto3, json, os, time
keys = sorted(k for k in os.environ if k.startswith("AWS_"))
client = boto3.client("sts", region_name="us-east-1")
arns = [client.get_caller_identity()["Arn"]]
first = boto3.Session().get_credentials().get_frozen_credentials().access_key
print(json.dumps({"keys": keys, "arns": arns, "access_key": first}))
"""


def python(code: str) -> list[str]:
    return ["--", sys.executable, "-c", code]


def waits_for_sigterm(started: Path, got: Path) -> str:
    """A command that writes its pid to ``started``, then waits; SIGTERM makes it write
    ``yes`` to ``got`` and exit 3."""
    return (
        "import os, signal, sys, time, pathlib\n"
        f"def done(*_): pathlib.Path({str(got)!r}).write_text('yes'); sys.exit(3)\n"
        "signal.signal(signal.SIGTERM, done)\n"
        f"pathlib.Path({str(started)!r}).write_text(str(os.getpid()))\n"
        "time.sleep(60)\n"
    )


def start_exec_server(env: dict[str, str], command: str) -> subprocess.Popen[bytes]:
    """``aws-mfa exec --server -p dev -c 123456 -- python -c COMMAND``, started in a session
    of its own, its output discarded."""
    return subprocess.Popen(
        [AWS_MFA, "exec", "--server", "-p", "dev", "-c", "123456", *python(command)],
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        **NO_TERMINAL,
    )


def test_the_command_finds_the_endpoint_and_no_static_keys(
    credentials: Path, aws_mfa: AwsMfa, strict_sts: StrictSts
) -> None:
    write(credentials, long_term("dev-long-term"))
    result = aws_mfa(
        "exec",
        "--server",
        "-p",
        "dev",
        "-c",
        "123456",
        *python(IDENTITY),
        AWS_ACCESS_KEY_ID="AKIASTATICKEY0000001",
        AWS_PROFILE="dev",
    )
    assert result.code == 0, result.stderr
    seen = json.loads(result.stdout)
    assert "AWS_ACCESS_KEY_ID" not in seen["keys"]
    assert "AWS_PROFILE" not in seen["keys"]
    assert {"AWS_CONTAINER_CREDENTIALS_FULL_URI", "AWS_CONTAINER_AUTHORIZATION_TOKEN"} <= set(
        seen["keys"]
    )
    assert seen["access_key"].startswith("ASIASTRICT")


def test_a_role_comes_through_the_endpoint(
    credentials: Path, aws_mfa: AwsMfa, strict_sts: StrictSts
) -> None:
    write(credentials, long_term("dev-long-term"))
    result = aws_mfa(
        "exec", "--server", "-p", "dev", "--assume-role", ROLE, "-c", "123456", *python(IDENTITY)
    )
    assert result.code == 0, result.stderr
    assert strict_sts.calls == ["GetSessionToken", "AssumeRole", "GetCallerIdentity"]
    written = ini.parse(credentials.read_text(), "c").values("dev") or {}
    assert written["assumed_role_arn"] == ROLE
    assert json.loads(result.stdout)["access_key"] == written["aws_access_key_id"]


PROBE = """
import json, os, urllib.request, urllib.error
url = os.environ["AWS_CONTAINER_CREDENTIALS_FULL_URI"]
def status(target, token=None, method="GET"):
    request = urllib.request.Request(target, method=method)
    if token is not None:
        request.add_header("Authorization", token)
    try:
        with urllib.request.urlopen(request, timeout=30) as answer:
            return answer.status, answer.read().decode()
    except urllib.error.HTTPError as err:
        return err.code, err.read().decode()
token = os.environ["AWS_CONTAINER_AUTHORIZATION_TOKEN"]
print(json.dumps({
    "none": status(url), "wrong": status(url, "x" * len(token)),
    "post": status(url, token, "POST"), "other": status(url.rsplit("/", 1)[0] + "/x", token),
    "host": url.split("/")[2].split(":")[0], "token": len(token),
}))
"""


def test_requests_without_the_token_are_refused_and_get_no_secret(
    credentials: Path, aws_mfa: AwsMfa, strict_sts: StrictSts
) -> None:
    write(credentials, long_term("dev-long-term"))
    result = aws_mfa("exec", "--server", "-p", "dev", "-c", "123456", *python(PROBE))
    assert result.code == 0, result.stderr
    seen = json.loads(result.stdout)
    assert seen["none"][0] == 401
    assert seen["wrong"][0] == 403
    assert seen["post"][0] == 405
    assert seen["other"][0] == 404
    for name in ("none", "wrong", "post", "other"):
        assert "SecretAccessKey" not in seen[name][1]
    assert seen["host"] == "127.0.0.1"
    assert seen["token"] >= 43  # 32 random bytes, base64


RENEWING = """
import boto3, json, time
session = boto3.Session()
client = session.client("sts", region_name="us-east-1")
keys = []
for _ in range(2):
    client.get_caller_identity()
    keys.append(session.get_credentials().get_frozen_credentials().access_key)
    time.sleep(2.2)
print(json.dumps(keys))
"""


def test_credentials_are_renewed_while_the_command_runs_on_one_code(
    credentials: Path, aws_mfa: AwsMfa, strict_sts: StrictSts
) -> None:
    """Role sessions expire in 300 s and are renewed with 298 s left: every 2 s."""
    strict_sts.role_expires_in = 300
    write(credentials, long_term("dev-long-term"))
    result = aws_mfa(
        "exec",
        "--server",
        "-p",
        "dev",
        "--assume-role",
        ROLE,
        "--min-ttl",
        "298",
        "-c",
        "123456",
        *python(RENEWING),
    )
    assert result.code == 0, result.stderr
    first, second = json.loads(result.stdout)
    assert first != second
    assert len(strict_sts.codes) == 1
    assert strict_sts.count("GetSessionToken") == 1


def test_a_needed_code_with_no_terminal_is_a_500_and_one_error_line(
    credentials: Path, aws_mfa: AwsMfa, strict_sts: StrictSts
) -> None:
    """Role sessions of 3 s: the renewal fails at once, and the request after they expired
    gets its error (while they are valid, they are served)."""
    strict_sts.role_expires_in = 3
    write(credentials, long_term("dev-long-term"))
    code = "import time; time.sleep(3.2)\n" + PROBE.replace(
        '"none": status(url)', '"ok": status(url, token)'
    )
    result = aws_mfa(
        "exec",
        "--server",
        "-p",
        "dev",
        "--assume-role",
        ROLE,
        "--min-ttl",
        "2",
        "-c",
        "123456",
        "--no-session-cache",
        *python(code),
    )
    assert result.code == 0, result.stderr
    status, body = json.loads(result.stdout)["ok"]
    assert status == 500
    assert json.loads(body)["message"].startswith("aws-mfa: ")
    assert len(result.error_lines) == 1


def test_the_exit_code_and_a_signal_death_pass_through(
    credentials: Path, aws_mfa: AwsMfa, strict_sts: StrictSts
) -> None:
    write(credentials, long_term("dev-long-term"))
    assert aws_mfa("exec", "--server", "-c", "123456", "-p", "dev", *python("exit(7)")).code == 7
    killed = aws_mfa(
        "exec",
        "--server",
        "-p",
        "dev",
        *python("import os, signal; os.kill(os.getpid(), signal.SIGKILL)"),
    )
    assert killed.code == 128 + signal.SIGKILL


def test_sigterm_reaches_the_command(
    credentials: Path, home: Path, aws_mfa: AwsMfa, strict_sts: StrictSts
) -> None:
    write(credentials, long_term("dev-long-term"))
    ready, got = home / "ready", home / "got-sigterm"
    process = start_exec_server(aws_mfa.env, waits_for_sigterm(ready, got))
    deadline = time.monotonic() + 30
    while not ready.exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    process.send_signal(signal.SIGTERM)
    assert process.wait(timeout=30) == 3
    assert got.read_text() == "yes"


def test_exec_server_refuses_to_nest(credentials: Path, aws_mfa: AwsMfa) -> None:
    result = aws_mfa("exec", "--server", *python("pass"), AWS_MFA_EXEC="outer")
    assert result.code == 2
    assert result.error_lines[0].startswith("ERROR - already inside 'aws-mfa exec'")
