"""Many aws-mfa runs at once: one STS call per profile, every section kept, no silent hang."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from filelock import FileLock

from aws_mfa.demo import LocalSts
from aws_mfa.files import ini
from tests.conftest import (
    AWS_MFA,
    NO_TERMINAL,
    SESSION_KEY_ID,
    AwsMfa,
    Result,
    check_no_secrets,
    long_term,
    write,
)

pytestmark = [pytest.mark.e2e, pytest.mark.posix(reason="lock holders killed with SIGKILL")]


def start(args: list[str], env: dict[str, str]) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [AWS_MFA, *args],
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        **NO_TERMINAL,
    )


def finish(process: subprocess.Popen[str], env: dict[str, str], said: str = "") -> Result:
    """The run's result; ``said``: what was already read of its stderr."""
    out, err = process.communicate(timeout=120)
    result = Result(process.returncode, out, said + err)
    check_no_secrets([str(a) for a in process.args], env, "", result)  # type: ignore[union-attr]
    return result


def sections(path: Path) -> dict[str, str]:
    """Each section's text, header to last key, by name."""
    document = ini.parse(path.read_text(), str(path))
    lines = document.lines()
    return {
        name: "".join(lines[s.header_index : s.content_end])
        for name, s in document.sections.items()
    }


def waits_on_the_lock(process: subprocess.Popen[str]) -> str:
    """What the run says on stderr up to saying that it waits for the lock (after a second
    of waiting), which it takes after reading the file."""
    assert process.stderr is not None
    said = ""
    while "INFO - waiting for another aws-mfa" not in said:
        line = process.stderr.readline()
        assert line, f"the run ended before it waited on the lock: {said}"
        said += line
    return said


def test_4_profiles_at_once_keep_every_section(
    credentials: Path, environment: dict[str, str], sts: LocalSts
) -> None:
    """Four runs, each for its own profile, all read the file before any writes it: the
    test holds the lock until each says it waits for it. A run that wrote what it read
    before the lock would drop the others' sessions."""
    # One MFA device per profile: STS would reject one device's code used 4 times.
    text = "# four accounts\n" + "\n".join(
        long_term(f"p{i}-long-term", device=f"arn:aws:iam::123456789012:mfa/user{i}")
        for i in range(4)
    )
    write(credentials, text)
    before = sections(credentials)
    with FileLock(f"{credentials}.lock"):
        running = [start(["-p", f"p{i}", "-c", "123456"], environment) for i in range(4)]
        waited = [waits_on_the_lock(process) for process in running]
    results = [
        finish(process, environment, said) for process, said in zip(running, waited, strict=True)
    ]
    assert [r.code for r in results] == [0] * 4, [r.stderr for r in results if r.code]
    after = sections(credentials)
    for name, body in before.items():
        assert after[name] == body  # every long-term section, byte for byte
    for i in range(4):
        values = ini.parse(after[f"p{i}"], "x").values(f"p{i}") or {}
        assert values["aws_access_key_id"] == SESSION_KEY_ID
        assert values["aws_session_token"]
    assert sorted(r["SerialNumber"] for r in sts.requests) == sorted(
        f"arn:aws:iam::123456789012:mfa/user{i}" for i in range(4)
    )
    assert credentials.read_text().startswith(text)


def test_8_runs_of_one_profile_make_one_sts_call_and_ask_once(
    credentials: Path, environment: dict[str, str], sts: LocalSts, tmp_path: Path
) -> None:
    write(credentials, long_term())
    asked = tmp_path / "asked"
    command = f"echo x >> {asked}; echo 123456"
    running = [start(["--token-command", command], environment) for _ in range(8)]
    results = [finish(process, environment) for process in running]
    assert [r.code for r in results] == [0] * 8, [r.stderr for r in results if r.code]
    assert asked.read_text() == "x\n"
    assert [r["Action"] for r in sts.requests] == ["GetSessionToken"]
    assert sum("Another aws-mfa renewed them meanwhile" in r.stderr for r in results) == 7


def test_a_lock_held_too_long_gives_a_clear_message(
    credentials: Path, aws_mfa: AwsMfa, sts: LocalSts
) -> None:
    write(credentials, long_term())
    before = credentials.read_bytes()
    with FileLock(f"{credentials}.lock"):
        started = time.monotonic()
        result = aws_mfa("-c", "123456", MFA_LOCK_TIMEOUT="1")
        waited = time.monotonic() - started
    assert waited >= 1  # it waited its whole timeout
    assert result.code == 3
    assert "INFO - waiting for another aws-mfa that is renewing credentials in" in result.stderr
    assert result.error_lines == [
        f"ERROR - another aws-mfa has held the lock on {str(credentials)!r} for over 1 seconds "
        "(is it waiting for an MFA code in another terminal?); finish or stop it, then run again"
    ]
    assert credentials.read_bytes() == before
    assert sts.requests == []


def test_a_lock_left_by_a_dead_process_blocks_no_one(
    credentials: Path, aws_mfa_in_process: AwsMfa, sts: LocalSts
) -> None:
    """The holder is a real process, killed with SIGKILL; the run that comes after it may
    be in-process (it takes the lock as a process does)."""
    write(credentials, long_term())
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys, time; from filelock import FileLock; "
            f"FileLock({str(credentials) + '.lock'!r}).acquire(); print('held', flush=True); "
            "time.sleep(60)",
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert holder.stdout is not None
    assert holder.stdout.readline() == "held\n"
    os.kill(holder.pid, signal.SIGKILL)
    holder.wait(timeout=10)
    assert Path(f"{credentials}.lock").exists()
    result = aws_mfa_in_process("-c", "123456", MFA_LOCK_TIMEOUT="5")
    assert result.code == 0, result.stderr
    assert "waiting for another aws-mfa" not in result.stderr  # said after 1 s of waiting
