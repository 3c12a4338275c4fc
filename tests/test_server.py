"""``aws-mfa exec --server``: a command gets its credentials from a local endpoint that renews them.

What only a process shows runs end to end through the installed CLI: the
command is a Python program using boto3 (or plain urllib), against the local
STS. The renewals run in-process (:func:`endpoint_in_process`): aws-mfa's own
first login and endpoint, on a clock the test steps (tests/stepped_time.py),
asked by the test as an SDK asks; the strict layer (tests/strict_sts.py) makes
role sessions short.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from aws_mfa.files import ini
from tests.conftest import (
    AWS_MFA,
    NO_TERMINAL,
    AwsMfa,
    Result,
    check_no_secrets,
    environment_of,
    long_term,
    no_controlling_terminal,
    replaced,
    write,
)
from tests.stepped_time import SteppedTime, wait_until
from tests.strict_sts import StrictSts, strict_sts

if TYPE_CHECKING:
    from aws_mfa.server import CredentialServer

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


def log_in_dev(aws_mfa_in_process: AwsMfa) -> None:
    """Profile dev logged in, in this process: the MFA session cached in ``[dev]``, which an
    aws-mfa the test then starts serves with no code, no STS call and no botocore to import.
    For tests where the command, not the login, is what the process shows; the first login of
    a real ``exec --server`` is shown where it is given a code (test_server_promises.py::
    test_token_dash_reads_one_line_and_leaves_the_rest_to_the_command and
    ::test_later_codes_come_from_the_terminal)."""
    assert aws_mfa_in_process("-p", "dev", "-c", "123456").code == 0


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


class Running:
    """An endpoint aws-mfa serves in this process (:func:`endpoint_in_process`)."""

    def __init__(self, server: CredentialServer, stderr: io.StringIO, time: SteppedTime) -> None:
        self.server, self.err, self.time = server, stderr, time
        self.environ = {
            "AWS_CONTAINER_CREDENTIALS_FULL_URI": server.url,
            "AWS_CONTAINER_AUTHORIZATION_TOKEN": server.token,
        }

    @property
    def stderr(self) -> str:
        return self.err.getvalue()

    @property
    def error_lines(self) -> list[str]:
        return [line for line in self.stderr.splitlines() if line.startswith("ERROR")]

    def request(
        self, headers: dict[str, str] | None = None, method: str = "GET", url: str | None = None
    ) -> tuple[int, str]:
        """A request of the endpoint with the run's token (or ``headers``): status and body."""
        given = {"Authorization": self.server.token} if headers is None else headers
        target = url or self.server.url
        request = urllib.request.Request(target, headers=given, method=method)  # noqa: S310
        opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
        try:
            with opener.open(request, timeout=30) as answer:
                return answer.status, answer.read().decode()
        except urllib.error.HTTPError as err:
            return err.code, err.read().decode()

    def ask(self, headers: dict[str, str] | None = None) -> tuple[int, dict[str, Any]]:
        """GET the endpoint with the run's token (or ``headers``), as an SDK does; the
        status and the JSON body."""
        status, body = self.request(headers)
        return status, json.loads(body)

    def renewal_due(self) -> datetime:
        """When the endpoint will next try to renew (or retry), on its clock."""
        return self.server.credentials.next_attempt()

    def expiry(self) -> datetime:
        """When the credentials the endpoint holds expire."""
        return self.server.credentials.held.credentials.expiration

    def key(self) -> object:
        """The access key id served now, or None."""
        return self.ask()[1].get("AccessKeyId")

    def botocore_credentials(self) -> Any:
        """The credentials botocore's container provider (boto3's, the AWS CLI's) loads, as
        they are now: it asks up to 3 times, as in an SDK (the second it waits between is
        skipped)."""
        from botocore.credentials import ContainerMetadataFetcher, ContainerProvider

        fetcher = ContainerMetadataFetcher(sleep=lambda seconds: None)
        loaded = ContainerProvider(environ=self.environ, fetcher=fetcher).load()
        return loaded.get_frozen_credentials()


@contextlib.contextmanager
def endpoint_in_process(
    env: dict[str, str], *args: str, stdin: str | None = None
) -> Iterator[Running]:
    """``aws-mfa exec --server ARGS -- COMMAND``'s first login and endpoint, in this process,
    on a clock the test steps; the test is the command. As :func:`tests.conftest.run_in_process`
    runs ``main``: ``os.environ`` is ``env``, no terminal, stdin as given, stderr captured
    (the renewing thread's lines too) and searched for secrets and codes afterwards."""
    from aws_mfa import log
    from aws_mfa.cli.context import Context
    from aws_mfa.cli.main import parse, set_log_level
    from aws_mfa.commands.exec import endpoint
    from aws_mfa.settings.resolve import Flags

    command = [AWS_MFA, "exec", "--server", *args, "--", "true"]
    err, stepped, threshold = io.StringIO(), SteppedTime(), log._threshold
    try:
        with (
            environment_of(env),
            no_controlling_terminal(),
            replaced(sys, "stdin", io.StringIO(stdin or "")),
            contextlib.redirect_stderr(err),
        ):
            given = parse(command[1:])
            assert set_log_level(given.get("log_level"), os.environ, "exec")
            context = Context(Flags(given), dict(os.environ), "exec")
            _, server = endpoint(context, clock=stepped, waiter=stepped)
            with server:
                yield Running(server, err, stepped)
    finally:
        log._threshold = threshold
    check_no_secrets(command, env, stdin or "", Result(0, "", err.getvalue()))


def start_exec_server(env: dict[str, str], command: str) -> subprocess.Popen[bytes]:
    """``aws-mfa exec --server -p dev -- python -c COMMAND``, started in a session of its
    own, its output discarded (dev logged in first: :func:`log_in_dev`)."""
    return subprocess.Popen(
        [AWS_MFA, "exec", "--server", "-p", "dev", *python(command)],
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        **NO_TERMINAL,
    )


@pytest.mark.e2e
def test_the_command_finds_the_endpoint_and_no_static_keys(
    credentials: Path, aws_mfa: AwsMfa, aws_mfa_in_process: AwsMfa, strict_sts: StrictSts
) -> None:
    write(credentials, long_term("dev-long-term"))
    log_in_dev(aws_mfa_in_process)
    result = aws_mfa(
        "exec",
        "--server",
        "-p",
        "dev",
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


PER_RUN = (
    "AWS_CONTAINER_CREDENTIALS_FULL_URI",
    "AWS_CONTAINER_AUTHORIZATION_TOKEN",
    "AWS_SHARED_CREDENTIALS_FILE",
    "AWS_CONFIG_FILE",
    "BOTO_CONFIG",
)
"""The variables of the command's environment that differ at each run: the endpoint's
address and token, and its private folder's files."""


def test_an_inherited_aws_profile_naming_another_profile_changes_nothing_the_command_gets(
    credentials: Path,
    home: Path,
    aws_mfa_in_process: AwsMfa,
    monkeypatch: pytest.MonkeyPatch,
    strict_sts: StrictSts,
) -> None:
    """With ``AWS_PROFILE=x`` (a credential_process profile) inherited or not, the command
    gets the same environment, without AWS_PROFILE, and the same files; botocore reads the
    served key and the region of ``[default]`` from them. The command is replaced by the
    test (in this process, while the endpoint serves), so
    tests/test_server_promises.py runs each SDK once, with AWS_PROFILE=x."""
    import botocore.session

    from aws_mfa.commands import exec as exec_command
    from tests.test_server_promises import a_user_with_default_keys

    a_user_with_default_keys(home, credentials)
    seen: list[tuple[dict[str, str], dict[str, str], object, object]] = []

    def the_command(command: list[str], env: dict[str, str], redact: object = None) -> int:
        files = {name: Path(env[name]).read_text() for name in PER_RUN[2:]}
        with environment_of(dict(env)):
            session = botocore.session.Session()
            found = session.get_credentials()
            assert found is not None
            key = found.get_frozen_credentials().access_key
            region = session.get_config_variable("region")
        seen.append((dict(env), files, key, region))
        return 0

    monkeypatch.setattr(exec_command, "supervise", the_command)
    args = ("exec", "--server", "-p", "dev", "-c", "123456", "--", "true")
    assert aws_mfa_in_process(*args).code == 0
    assert aws_mfa_in_process(*args, AWS_PROFILE="x").code == 0

    served = (ini.parse(credentials.read_text(), "c").values("dev") or {})["aws_access_key_id"]
    (plain, plain_files, plain_key, plain_region), (given, given_files, key, region) = seen
    assert "AWS_PROFILE" not in given
    assert {k: v for k, v in given.items() if k not in PER_RUN} == {
        k: v for k, v in plain.items() if k not in PER_RUN
    }
    assert given_files == plain_files
    assert key == plain_key == served
    assert region == plain_region == "eu-west-1"
    assert strict_sts.count("GetSessionToken") == 1


def test_a_role_comes_through_the_endpoint(
    credentials: Path, environment: dict[str, str], strict_sts: StrictSts
) -> None:
    import boto3

    write(credentials, long_term("dev-long-term"))
    args = ("-p", "dev", "--assume-role", ROLE, "-c", "123456")
    with endpoint_in_process(environment, *args) as running:
        served = running.botocore_credentials()
    client = boto3.client(
        "sts",
        region_name="us-east-1",
        endpoint_url=environment["AWS_ENDPOINT_URL_STS"],
        aws_access_key_id=served.access_key,
        aws_secret_access_key=served.secret_key,
        aws_session_token=served.token,
    )
    client.get_caller_identity()
    assert strict_sts.calls == ["GetSessionToken", "AssumeRole", "GetCallerIdentity"]
    written = ini.parse(credentials.read_text(), "c").values("dev") or {}
    assert written["assumed_role_arn"] == ROLE
    assert served.access_key == written["aws_access_key_id"]


def test_requests_without_the_token_are_refused_and_get_no_secret(
    credentials: Path, environment: dict[str, str], strict_sts: StrictSts
) -> None:
    write(credentials, long_term("dev-long-term"))
    with endpoint_in_process(environment, "-p", "dev", "-c", "123456") as running:
        token, url = running.server.token, running.server.url
        seen = {
            "none": running.request({}),
            "wrong": running.request({"Authorization": "x" * len(token)}),
            "post": running.request(method="POST"),
            "other": running.request(url=url.rsplit("/", 1)[0] + "/x"),
        }
    assert seen["none"][0] == 401
    assert seen["wrong"][0] == 403
    assert seen["post"][0] == 405
    assert seen["other"][0] == 404
    for name in ("none", "wrong", "post", "other"):
        assert "SecretAccessKey" not in seen[name][1]
    assert url.split("/")[2].split(":")[0] == "127.0.0.1"
    assert len(token) >= 43  # 32 random bytes, base64


def test_credentials_are_renewed_while_the_command_runs_on_one_code(
    credentials: Path, home: Path, environment: dict[str, str], strict_sts: StrictSts
) -> None:
    """Role sessions expire in 300 s and are renewed with 298 s left: every 2 s. Each new
    credential served is in the audit log once."""
    strict_sts.role_expires_in = 300
    write(credentials, long_term("dev-long-term"))
    args = ("-p", "dev", "--assume-role", ROLE, "--min-ttl", "298", "-c", "123456")
    with endpoint_in_process(environment, *args) as running:
        first = running.botocore_credentials().access_key
        running.time.advance_to(running.renewal_due())  # 2 s on
        assert wait_until(lambda: running.key() != first)
        second = running.botocore_credentials().access_key
        running.time.advance_to(running.renewal_due())  # 2 s later
        assert wait_until(lambda: running.key() not in (first, second))
        third = running.key()
    assert first != second
    assert len(strict_sts.codes) == 1
    assert strict_sts.count("GetSessionToken") == 1
    log = (home / ".aws" / "aws-mfa-audit.jsonl").read_text().splitlines()
    served = [line["access_key_id"] for line in map(json.loads, log) if line["to"] == "endpoint"]
    assert served == [first, second, third]


def test_a_needed_code_with_no_terminal_is_a_500_and_one_error_line(
    credentials: Path, environment: dict[str, str], strict_sts: StrictSts
) -> None:
    """Role sessions of 3 s: the renewal, due with 2 s left, fails at once; the credentials
    are served while they are valid, and the request after they expired gets the error."""
    strict_sts.role_expires_in = 3
    write(credentials, long_term("dev-long-term"))
    args = ("-p", "dev", "--assume-role", ROLE, "--min-ttl", "2", "-c", "123456")
    with endpoint_in_process(environment, *args, "--no-session-cache") as running:
        assert running.ask()[0] == 200
        running.time.advance_to(running.renewal_due())
        assert wait_until(lambda: running.error_lines != [])
        assert running.ask()[0] == 200  # still valid
        running.time.advance_to(running.expiry())
        status, body = running.ask()
    assert status == 500
    assert body["message"].startswith("aws-mfa: ")
    assert len(running.error_lines) == 1


@pytest.mark.e2e
def test_the_exit_code_and_a_signal_death_pass_through(
    credentials: Path, aws_mfa: AwsMfa, aws_mfa_in_process: AwsMfa, strict_sts: StrictSts
) -> None:
    write(credentials, long_term("dev-long-term"))
    log_in_dev(aws_mfa_in_process)
    assert aws_mfa("exec", "--server", "-p", "dev", *python("exit(7)")).code == 7
    killed = aws_mfa(
        "exec",
        "--server",
        "-p",
        "dev",
        *python("import os, signal; os.kill(os.getpid(), signal.SIGKILL)"),
    )
    assert killed.code == 128 + signal.SIGKILL


@pytest.mark.e2e
def test_sigterm_reaches_the_command(
    credentials: Path,
    home: Path,
    aws_mfa: AwsMfa,
    aws_mfa_in_process: AwsMfa,
    strict_sts: StrictSts,
) -> None:
    write(credentials, long_term("dev-long-term"))
    log_in_dev(aws_mfa_in_process)
    ready, got = home / "ready", home / "got-sigterm"
    process = start_exec_server(aws_mfa.env, waits_for_sigterm(ready, got))
    deadline = time.monotonic() + 30
    while not ready.exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    process.send_signal(signal.SIGTERM)
    assert process.wait(timeout=30) == 3
    assert got.read_text() == "yes"


@pytest.mark.e2e
@pytest.mark.posix(reason="a SIGTERM sent to this process")
def test_a_sigterm_that_comes_while_the_command_starts_is_the_commands(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Forwarding is in place before the command starts: a SIGTERM that came first (the
    command may be quicker than aws-mfa) used to end aws-mfa itself, and failed
    test_sigterm_reaches_the_command on a busy machine."""
    from aws_mfa.commands import exec as exec_command

    real_start = exec_command.start

    def start_under_fire(*args: Any, **kwargs: Any) -> subprocess.Popen[bytes]:
        os.kill(os.getpid(), signal.SIGTERM)  # before the command exists
        return real_start(*args, **kwargs)

    monkeypatch.setattr(exec_command, "start", start_under_fire)
    sleeper = [sys.executable, "-c", "import time; time.sleep(60)"]
    before = signal.getsignal(signal.SIGTERM)
    code = exec_command.run_beside(sleeper, dict(os.environ), from_terminal=False)
    assert code == 128 + signal.SIGTERM  # the command's end, passed on as a shell does
    assert signal.getsignal(signal.SIGTERM) == before  # given back


def test_exec_server_refuses_to_nest(credentials: Path, aws_mfa_in_process: AwsMfa) -> None:
    result = aws_mfa_in_process("exec", "--server", *python("pass"), AWS_MFA_EXEC="outer")
    assert result.code == 2
    assert result.error_lines[0].startswith("ERROR - already inside 'aws-mfa exec'")


def test_the_endpoint_stops_when_asked_not_at_its_next_look(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The HTTP thread waits on its socket and on a wake-up socket, with no timeout, and stops
    when asked: the command's end is aws-mfa's at once (``serve_forever`` looked only twice a
    second whether to stop, so aws-mfa ended up to half a second after the command)."""
    import selectors
    from datetime import timedelta

    from aws_mfa.keys import TemporaryCredentials
    from aws_mfa.server import CredentialServer, RenewalPolicy

    waits: list[float | None] = []
    real_select = selectors.DefaultSelector.select

    def select(self: selectors.BaseSelector, timeout: float | None = None) -> Any:
        waits.append(timeout)
        return real_select(self, timeout)  # type: ignore[arg-type]

    monkeypatch.setattr(selectors.DefaultSelector, "select", select)
    clock = SteppedTime()
    first = TemporaryCredentials("ASIAFIRST", "s", "t", clock() + timedelta(hours=1))
    server = CredentialServer(
        first, lambda margin: first, policy=RenewalPolicy(min_ttl=300), token="t", clock=clock
    )
    with server:
        request = urllib.request.Request(server.url, headers={"Authorization": "t"})  # noqa: S310
        with urllib.request.urlopen(request, timeout=30) as answer:  # noqa: S310
            assert json.load(answer)["AccessKeyId"] == "ASIAFIRST"
    assert server.thread is not None
    assert not server.thread.is_alive()  # stopped, not left behind after join's ceiling
    assert None in waits  # it waited for an event
    assert not [wait for wait in waits if wait]  # and never for a while (0: a look, on Windows)
