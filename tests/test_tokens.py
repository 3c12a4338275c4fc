"""Where the MFA code comes from, in order, and a code is never sent twice in one window."""

from __future__ import annotations

import json
import stat
import time
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import pytest

from aws_mfa.codes import mfa_code as mfa
from aws_mfa.codes.used_codes import UsedCodes
from aws_mfa.demo import LocalSts
from aws_mfa.errors import NoTokenError, StsRefusedError, UsageError
from aws_mfa.files import read
from aws_mfa.sessions import keep
from aws_mfa.sessions.renewal import Renewal
from aws_mfa.settings.resolve import Flags, resolve
from tests.conftest import DEVICE, POSIX, AwsMfa, long_term, write
from tests.test_login import FakeSts, Prompter

NOW = datetime(2026, 11, 22, 12, 0, tzinfo=timezone.utc)


NO_CACHE = {"MFA_SESSION_CACHE": "false"}
"""Every code here buys what it is asked for, as in 0.0.12: the MFA-session cache (which
spares codes) is tested in test_roles.py."""


@pytest.fixture(autouse=True)
def no_session_cache(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MFA_SESSION_CACHE", "false")


class Clock:
    """Unix time that moves only when slept through."""

    def __init__(self, start: float) -> None:
        self.now = start
        self.slept: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds


def run(path: Path, flags: Flags, env: dict[str, str], clock: Clock, **kw: Any):
    flags = flags.replace(credentials_file=str(path))
    document = read.read_ini(path)
    settings = resolve(flags, {**NO_CACHE, **env}, document)
    used = UsedCodes(path.parent / "used.json", clock=clock)
    renewal = Renewal(clock=lambda: NOW, used_codes=used, sleep=clock.sleep, **kw)
    return keep.ensure_valid(settings, document, clock=lambda: NOW, renewal=renewal)


@pytest.fixture
def fake() -> FakeSts:
    return FakeSts()


def code_sent(fake: FakeSts) -> str:
    return str(fake.calls[-1][1]["TokenCode"])


@pytest.mark.e2e  # the token command runs in /bin/sh
def test_flag_beats_environment_beats_command_beats_prompt(credentials: Path, fake) -> None:
    write(credentials, long_term())
    clock = Clock(1_000_000.0)
    env = {"MFA_TOKEN": "222222"}
    command = Flags(token_command="echo 333333", force=True)
    run(
        credentials,
        Flags(token="111111", token_command="echo 333333"),
        env,
        clock,
        client_factory=fake.factory,
        prompter=Prompter(),
    )
    assert code_sent(fake) == "111111"
    clock.now += 30
    run(credentials, command, env, clock, client_factory=fake.factory, prompter=Prompter())
    assert code_sent(fake) == "222222"
    clock.now += 30
    run(credentials, command, {}, clock, client_factory=fake.factory, prompter=Prompter())
    assert code_sent(fake) == "333333"
    clock.now += 30
    run(
        credentials,
        Flags(force=True),
        {},
        clock,
        client_factory=fake.factory,
        prompter=Prompter("444444"),
    )
    assert code_sent(fake) == "444444"


def test_bad_mfa_token_variable_is_named(credentials: Path) -> None:
    with pytest.raises(UsageError, match="MFA_TOKEN: the MFA code must be exactly six digits"):
        resolve(Flags(), {"MFA_TOKEN": "12345"}, None)


@pytest.mark.e2e  # the token command runs in /bin/sh
@pytest.mark.parametrize(
    ("command", "message"),
    [
        ("exit 3", "the command failed with exit code 3"),
        ("echo not-a-code", "the command printed something that is not a six-digit MFA code"),
        ("echo 1234567", "the command printed something that is not a six-digit MFA code"),
    ],
)
def test_token_command_failures_are_clear(command: str, message: str) -> None:
    with pytest.raises(NoTokenError, match=f"--token-command: {message}"):
        mfa.run_token_command(command, "--token-command")


@pytest.mark.e2e  # the token command runs in /bin/sh
def test_token_command_output_is_trimmed_and_never_quoted_in_errors() -> None:
    assert mfa.run_token_command("printf '  123456 \\n\\n'", "x") == "123456"
    with pytest.raises(NoTokenError) as caught:
        mfa.run_token_command("echo my-secret-password", "x")
    assert "my-secret-password" not in str(caught.value)


@pytest.mark.e2e  # the token command runs in /bin/sh
def test_token_command_has_a_timeout() -> None:
    with pytest.raises(NoTokenError, match="did not print a code within 0 seconds"):
        mfa.run_token_command("sleep 5", "--token-command", timeout=0.3)


def test_a_used_code_is_not_sent_again_in_its_window(credentials: Path, fake) -> None:
    write(credentials, long_term("a-long-term") + "\n" + long_term("b-long-term"))
    clock = Clock(30 * 1_000_000 + 12.0)
    run(credentials, Flags(profile="a", token="123456"), {}, clock, client_factory=fake.factory)
    # The same device, the same window, a code given outright: refused before STS.
    with pytest.raises(StsRefusedError, match="already used in this 30-second window"):
        run(credentials, Flags(profile="b", token="123456"), {}, clock, client_factory=fake.factory)
    assert len(fake.calls) == 1
    # A code from a command or the terminal: wait for the next window, then ask.
    prompter = Prompter("654321")
    run(credentials, Flags(profile="b"), {}, clock, client_factory=fake.factory, prompter=prompter)
    assert clock.slept == [18.0]
    assert code_sent(fake) == "654321"
    assert len(prompter.prompts) == 1


def test_another_device_or_window_is_not_held_back(credentials: Path, fake) -> None:
    other = "arn:aws:iam::123456789012:mfa/bob"
    write(credentials, long_term("a-long-term") + "\n" + long_term("b-long-term", device=other))
    clock = Clock(30 * 1_000_000.0)
    run(credentials, Flags(profile="a", token="123456"), {}, clock, client_factory=fake.factory)
    run(credentials, Flags(profile="b", token="123456"), {}, clock, client_factory=fake.factory)
    clock.now += 60  # STS may still reject a code one window late
    run(
        credentials,
        Flags(profile="a", token="123456", force=True),
        {},
        clock,
        client_factory=fake.factory,
    )
    assert len(fake.calls) == 3
    assert clock.slept == []


def test_a_different_code_in_the_same_window_is_sent(credentials: Path, fake) -> None:
    write(credentials, long_term("a-long-term") + "\n" + long_term("b-long-term"))
    clock = Clock(30 * 1_000_000 + 1.0)
    run(credentials, Flags(profile="a", token="123456"), {}, clock, client_factory=fake.factory)
    run(credentials, Flags(profile="b", token="654321"), {}, clock, client_factory=fake.factory)
    assert [code_sent(fake)] == ["654321"]
    assert len(fake.calls) == 2
    assert clock.slept == []


def test_the_memory_holds_no_code(tmp_path: Path) -> None:
    path = tmp_path / "aws" / "used.json"
    used = UsedCodes(path, clock=lambda: 30 * 7.0)
    used.record(DEVICE, "987654")
    memory = json.loads(path.read_text())
    assert memory["devices"] == {DEVICE: 7}
    assert "987654" not in path.read_text()
    assert len(memory["codes"]) == 1
    if POSIX:  # Windows keeps access in ACLs, not in these bits
        for made in (path, path.with_suffix(".key")):
            assert stat.S_IMODE(made.stat().st_mode) == 0o600
        assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    assert len(path.with_suffix(".key").read_bytes()) == 32
    assert used.used_now(DEVICE)
    assert used.used(DEVICE, "987654")
    assert not used.used(DEVICE, "987655")
    assert not used.used("arn:other", "987654")
    assert not UsedCodes(path, clock=lambda: 30 * 8.0).used_now(DEVICE)
    assert UsedCodes(path, clock=lambda: 30 * 8.0).used(DEVICE, "987654")  # one window late
    assert not UsedCodes(path, clock=lambda: 30 * 9.0).used(DEVICE, "987654")
    # Another key (another user, a lost key file): the digests say nothing.
    path.with_suffix(".key").write_bytes(b"k" * 32)
    assert not used.used(DEVICE, "987654")


def test_a_broken_memory_file_is_ignored(tmp_path: Path) -> None:
    path = tmp_path / "used.json"
    path.write_text("{not json")
    used = UsedCodes(path, clock=lambda: 300.0)
    assert not used.used_now(DEVICE)
    used.record(DEVICE, "123456")
    assert used.used_now(DEVICE)
    assert used.used(DEVICE, "123456")


# End to end: through aws-mfa's main in-process, and the token command (a shell) as a process.


@pytest.mark.e2e  # the token command runs in /bin/sh
def test_mfa_token_variable_and_token_command_end_to_end(
    credentials: Path, home: Path, aws_mfa_in_process: AwsMfa, sts: LocalSts
) -> None:
    write(credentials, long_term("a-long-term") + "\n" + long_term("b-long-term", device=None))
    write(
        home / ".aws" / "config",
        "[profile b]\nmfa_serial = arn:aws:iam::123456789012:mfa/b\nmfa_process = echo 654321\n",
    )
    assert aws_mfa_in_process("-p", "a", MFA_TOKEN="123456").code == 0
    assert sts.requests[-1]["TokenCode"] == "123456"
    result = aws_mfa_in_process("-p", "b")
    assert result.code == 0, result.stderr
    assert sts.requests[-1]["TokenCode"] == "654321"
    assert "654321" not in result.stderr


@pytest.fixture
def window_just_begun(monkeypatch: pytest.MonkeyPatch) -> None:
    """The in-process runs' memory of used codes reads the real clock shifted to the first
    second of a 30-second window, so that two runs of well under a second each fall in one
    window whatever the time (instead of waiting for a window to begin)."""
    from aws_mfa.codes.used_codes import WINDOW, default_path
    from aws_mfa.sessions import renewal

    began = time.time()
    start = (began // WINDOW + 1) * WINDOW

    def clock() -> float:
        return start + time.time() - began

    monkeypatch.setattr(renewal, "default_used_codes", lambda: UsedCodes(default_path(), clock))


@pytest.mark.usefixtures("window_just_begun")
def test_second_profile_on_the_same_device_in_one_window_is_refused(
    credentials: Path, aws_mfa_in_process: AwsMfa, sts: LocalSts
) -> None:
    write(credentials, long_term("a-long-term") + "\n" + long_term("b-long-term"))
    assert aws_mfa_in_process("-p", "a", "-c", "123456").code == 0
    before = credentials.read_bytes()
    result = aws_mfa_in_process("-p", "b", "-c", "123456")
    assert result.code == 5
    assert result.error_lines == [
        f"ERROR - --token: this code of {DEVICE} was already used in this 30-second window "
        "and STS rejects a code used twice; run again with the next code"
    ]
    assert len(sts.requests) == 1
    assert credentials.read_bytes() == before


@pytest.mark.usefixtures("window_just_begun")
def test_no_terminal_and_no_code_source_fails_at_once_not_after_the_window(
    credentials: Path, aws_mfa_in_process: AwsMfa, sts: LocalSts
) -> None:
    write(credentials, long_term("a-long-term") + "\n" + long_term("b-long-term"))
    assert aws_mfa_in_process("-p", "a", "-c", "123456").code == 0
    result = aws_mfa_in_process("-p", "b")
    assert result.code == 4, result.stderr
    assert "waiting" not in result.stderr
    assert result.error_lines == [
        f"ERROR - short-term section [b] is missing; {mfa.no_code_source('b')}"
    ]
    assert len(sts.requests) == 1


def test_another_code_given_outright_in_the_same_window_is_sent(
    credentials: Path, aws_mfa_in_process: AwsMfa, sts: LocalSts
) -> None:
    write(credentials, long_term("a-long-term") + "\n" + long_term("b-long-term"))
    assert aws_mfa_in_process("-p", "a", "-c", "123456").code == 0
    result = aws_mfa_in_process("-p", "b", "-c", "654321")
    assert result.code == 0, result.stderr
    assert [request["TokenCode"] for request in sts.requests] == ["123456", "654321"]
