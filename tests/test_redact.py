"""``exec --redact``: the credentials never show in the command's output, however it writes them."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from aws_mfa.keys import REDACTED, Redactor
from tests.conftest import AWS_MFA, NO_TERMINAL, AwsMfa, Result, check_no_secrets, long_term, write
from tests.strict_sts import StrictSts, strict_sts
from tests.test_server import log_in_dev

__all__ = ["strict_sts"]  # the fixture, used by name

SECRETS = ["ASIAEXAMPLEKEY000001", "wJalr/secret+key/EXAMPLE", "IQoJb3JpZ2luX2VjEXAMPLETOKEN"]


def through(redactor: Redactor, pieces: list[bytes]) -> bytes:
    return b"".join(redactor.feed(piece) for piece in pieces) + redactor.end()


def test_every_secret_is_redacted_however_the_bytes_are_split() -> None:
    text = f"key {SECRETS[0]} and {SECRETS[1]}, token={SECRETS[2]}; AS IA wJ\n".encode()
    wanted = b"key <redacted> and <redacted>, token=<redacted>; AS IA wJ\n"
    assert through(Redactor(SECRETS), [text]) == wanted
    assert through(Redactor(SECRETS), [bytes([byte]) for byte in text]) == wanted
    for cut in range(1, len(text)):
        for second in range(cut, len(text), 7):
            pieces = [text[:cut], text[cut:second], text[second:]]
            assert through(Redactor(SECRETS), pieces) == wanted


def test_it_holds_back_less_than_the_longest_secret() -> None:
    redactor = Redactor(SECRETS)
    longest = max(map(len, SECRETS))
    assert redactor.feed(b"plain text ") == b"plain text "
    assert redactor.feed(SECRETS[2][:-1].encode()) == b""  # it could still be the token
    assert len(redactor.held) <= longest - 1
    assert redactor.feed(b"!") == SECRETS[2][:-1].encode() + b"!"
    assert redactor.feed(SECRETS[2].encode()) == REDACTED


SLOW_CHILD = r"""
import os
def slowly(fd, text):
    for char in text:
        os.write(fd, char.encode())
slowly(1, "key=" + os.environ["AWS_ACCESS_KEY_ID"] + "\n")
slowly(1, "secret=" + os.environ["AWS_SECRET_ACCESS_KEY"] + "\n")
slowly(2, "token=" + os.environ["AWS_SESSION_TOKEN"] + "\n")
slowly(2, "expires=" + os.environ["AWS_CREDENTIAL_EXPIRATION"] + "\n")
"""
"""Writes the credentials one byte at a time, on stdout and on stderr."""

ALTERNATING_CHILD = r"""
import os
for number, char in enumerate("secret=" + os.environ["AWS_SECRET_ACCESS_KEY"] + "\n"):
    os.write(1 + number % 2, char.encode())
"""
"""Writes the secret access key one byte at a time, every other byte on stderr."""


@pytest.mark.e2e
def test_a_secret_written_one_byte_at_a_time_is_redacted_on_pipes(
    credentials: Path, home: Path, aws_mfa: AwsMfa, strict_sts: StrictSts
) -> None:
    """And the audit log has the renewal's write and exec's hand-out to the command."""
    write(credentials, long_term("dev-long-term"))
    args = ["exec", "--redact", "-p", "dev", "-c", "123456"]
    result = aws_mfa(*args, "--", sys.executable, "-c", SLOW_CHILD)  # searched for secrets
    assert result.code == 0, result.stderr
    assert result.stdout == "key=<redacted>\nsecret=<redacted>\n"
    assert "token=<redacted>\n" in result.stderr
    assert "expires=20" in result.stderr
    audit = (home / ".aws" / "aws-mfa-audit.jsonl").read_text().splitlines()
    assert [(line["command"], line["to"]) for line in map(json.loads, audit)] == [
        ("exec", "[dev]"),
        ("exec", "environment"),
    ]


@pytest.mark.e2e
def test_a_secret_split_between_stdout_and_stderr_of_one_file_is_redacted(
    credentials: Path, aws_mfa: AwsMfa, aws_mfa_in_process: AwsMfa, strict_sts: StrictSts
) -> None:
    """aws-mfa's stdout and stderr are one file (``2>&1``): the command gets one pipe for
    both, so the secret's bytes meet again in one redactor."""
    write(credentials, long_term("dev-long-term"))
    log_in_dev(aws_mfa_in_process)
    command = [AWS_MFA, "exec", "--redact", "-p", "dev", "--"]
    command += [sys.executable, "-c", ALTERNATING_CHILD]
    done = subprocess.run(
        command,
        env=aws_mfa.env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        timeout=60,
        check=False,
        **NO_TERMINAL,
    )
    output = done.stdout.decode()
    check_no_secrets(command, aws_mfa.env, "", Result(done.returncode, output, ""))
    assert done.returncode == 0, output
    assert "secret=<redacted>\n" in output


@pytest.mark.posix(reason="a pseudo-terminal as the controlling terminal")
@pytest.mark.e2e
def test_a_secret_written_one_byte_at_a_time_is_redacted_on_the_relayed_terminal(
    credentials: Path,
    environment: dict[str, str],
    aws_mfa_in_process: AwsMfa,
    strict_sts: StrictSts,
) -> None:
    from tests.test_terminal_lending import CEILING, in_a_terminal

    write(credentials, long_term("dev-long-term"))
    log_in_dev(aws_mfa_in_process)
    command = [AWS_MFA, "exec", "--redact", "-p", "dev"]
    with in_a_terminal([*command, "--", sys.executable, "-c", SLOW_CHILD], environment) as (
        screen,
        process,
    ):
        screen.wait_for("expires=")
        assert process.wait(timeout=CEILING) == 0
        screen.wait_for("\n")
    shown = screen.text
    assert "key=<redacted>" in shown
    assert "secret=<redacted>" in shown
    assert "token=<redacted>" in shown
    check_no_secrets(command, environment, "", Result(0, shown, ""))


ENDPOINT_CHILD = r"""
import json, os, urllib.request
request = urllib.request.Request(
    os.environ["AWS_CONTAINER_CREDENTIALS_FULL_URI"],
    headers={"Authorization": os.environ["AWS_CONTAINER_AUTHORIZATION_TOKEN"]},
)
served = json.load(urllib.request.urlopen(request))
for char in "token=" + os.environ["AWS_CONTAINER_AUTHORIZATION_TOKEN"] + "\n":
    os.write(1, char.encode())
for name in ("AccessKeyId", "SecretAccessKey", "Token"):
    for char in f"{name}={served[name]}\n":
        os.write(2, char.encode())
"""
"""Asks the endpoint of exec --server, then writes what it served one byte at a time."""


@pytest.mark.e2e
def test_with_server_what_the_endpoint_serves_and_its_token_are_redacted(
    credentials: Path, aws_mfa: AwsMfa, aws_mfa_in_process: AwsMfa, strict_sts: StrictSts
) -> None:
    write(credentials, long_term("dev-long-term"))
    log_in_dev(aws_mfa_in_process)
    args = ["exec", "--server", "--redact", "-p", "dev"]
    result = aws_mfa(*args, "--", sys.executable, "-c", ENDPOINT_CHILD)
    assert result.code == 0, result.stderr
    assert result.stdout == "token=<redacted>\n"
    for name in ("AccessKeyId", "SecretAccessKey", "Token"):
        assert f"{name}=<redacted>\n" in result.stderr
