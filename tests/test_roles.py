"""One MFA code a day: roles assumed from a cached MFA session (docs/roles.md).

End to end through aws-mfa's main, in-process (tests/conftest.py:
run_in_process), against a local STS that knows MFA context, role chaining
and used codes (tests/strict_sts.py); the first test also runs through the
installed CLI, and two processes renewing at once are processes. Every run
has no terminal, so a run that needed a code and had none would fail.
"""

from __future__ import annotations

import json
import stat
import subprocess
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from aws_mfa.files import ini
from tests.conftest import AWS_MFA, DEVICE, LONG_TERM_KEY_ID, AwsMfa, long_term, write
from tests.strict_sts import StrictSts, strict_sts

__all__ = ["strict_sts"]  # the fixture, used by name

PROD = "arn:aws:iam::210987654321:role/admin"
AUDIT = "arn:aws:iam::333333333333:role/audit"


def values(credentials: Path, name: str) -> dict[str, str]:
    return ini.parse(credentials.read_text(), "c").values(name) or {}


def test_one_code_then_two_roles_and_the_plain_session_without_a_code(
    credentials: Path, aws_mfa_both: AwsMfa, strict_sts: StrictSts
) -> None:
    write(credentials, long_term("dev-long-term"))
    first = aws_mfa_both(
        "-p", "dev", "--assume-role", PROD, "--short-term-section", "prod", "-c", "123456"
    )
    assert first.code == 0, first.stderr
    second = aws_mfa_both("-p", "dev", "--assume-role", AUDIT, "--short-term-section", "audit")
    assert second.code == 0, second.stderr
    third = aws_mfa_both("-p", "dev")
    assert third.code == 0, third.stderr
    assert strict_sts.codes == [(DEVICE, "123456")]
    assert strict_sts.count("GetSessionToken") == 1
    assert values(credentials, "prod")["assumed_role_arn"] == PROD
    assert values(credentials, "audit")["assumed_role_arn"] == AUDIT
    assert values(credentials, "dev")["assumed_role"] == "False"
    assert len({values(credentials, name)["aws_access_key_id"] for name in ("prod", "audit")}) == 2
    assert "from the MFA session" in second.stderr


def test_an_expired_role_is_renewed_silently(
    credentials: Path, aws_mfa_in_process: AwsMfa, strict_sts: StrictSts
) -> None:
    write(credentials, long_term("dev-long-term"))
    assert aws_mfa_in_process("-p", "dev", "--assume-role", PROD, "-c", "123456").code == 0
    text = credentials.read_text()
    stored = values(credentials, "dev")["expiration"]
    credentials.write_text(text.replace(stored, "2001-01-01 00:00:00"))
    again = aws_mfa_in_process("-p", "dev", "--assume-role", PROD)
    assert again.code == 0, again.stderr
    assert "have expired" in again.stderr
    assert strict_sts.calls == ["GetSessionToken", "AssumeRole", "AssumeRole"]
    assert len(strict_sts.codes) == 1


def test_a_long_role_takes_a_code_and_a_one_hour_role_still_comes_from_the_session(
    credentials: Path, aws_mfa_in_process: AwsMfa, strict_sts: StrictSts
) -> None:
    write(credentials, long_term("dev-long-term"))
    assert aws_mfa_in_process("-p", "dev", "-c", "123456").code == 0  # buys the MFA session
    long = aws_mfa_in_process(
        "-p",
        "dev",
        "--assume-role",
        PROD,
        "-d",
        "7200",
        "--short-term-section",
        "long",
        "-c",
        "654321",
    )
    assert long.code == 0, long.stderr
    assert "cannot come from the MFA session" in long.stderr
    short = aws_mfa_in_process("-p", "dev", "--assume-role", AUDIT, "--short-term-section", "short")
    assert short.code == 0, short.stderr
    assert strict_sts.codes == [(DEVICE, "123456"), (DEVICE, "654321")]
    assert strict_sts.calls == ["GetSessionToken", "AssumeRole", "AssumeRole"]


def test_credential_process_for_a_role_after_a_plain_login(
    credentials: Path, aws_mfa_in_process: AwsMfa, strict_sts: StrictSts
) -> None:
    write(credentials, long_term("dev-long-term"))
    assert aws_mfa_in_process("-p", "dev", "-c", "123456").code == 0
    result = aws_mfa_in_process(
        "export",
        "--format",
        "process",
        "-p",
        "dev",
        "--assume-role",
        PROD,
        "--short-term-section",
        "prod",
    )
    assert result.code == 0, result.stderr
    process = json.loads(result.stdout)
    assert process["AccessKeyId"] == values(credentials, "prod")["aws_access_key_id"]
    assert len(strict_sts.codes) == 1


def test_a_refused_session_falls_back_to_a_code(
    credentials: Path, aws_mfa_in_process: AwsMfa, strict_sts: StrictSts
) -> None:
    write(credentials, long_term("dev-long-term"))
    assert aws_mfa_in_process("-p", "dev", "-c", "123456").code == 0
    strict_sts.mfa_too_old = True
    result = aws_mfa_in_process(
        "-p", "dev", "--assume-role", PROD, "--short-term-section", "p", "-c", "654321"
    )
    assert result.code == 0, result.stderr
    assert "WARNING - STS refused to assume" in result.stderr
    assert strict_sts.codes == [(DEVICE, "123456"), (DEVICE, "654321")]


def test_a_refused_session_with_no_code_fails_with_the_file_unchanged(
    credentials: Path, aws_mfa_in_process: AwsMfa, strict_sts: StrictSts
) -> None:
    write(credentials, long_term("dev-long-term"))
    assert aws_mfa_in_process("-p", "dev", "-c", "123456").code == 0
    strict_sts.mfa_too_old = True
    before = credentials.read_bytes()
    result = aws_mfa_in_process("-p", "dev", "--assume-role", PROD, "--short-term-section", "p")
    assert result.code == 4, result.stderr
    assert len(result.error_lines) == 1
    assert credentials.read_bytes() == before


def test_logout_all_forgets_the_sessions_so_a_code_is_needed_again(
    credentials: Path, aws_mfa_in_process: AwsMfa, strict_sts: StrictSts
) -> None:
    write(credentials, long_term("dev-long-term"))
    assert aws_mfa_in_process("-p", "dev", "-c", "123456").code == 0
    status = aws_mfa_in_process("status", "--json")
    listed = [row for row in json.loads(status.stdout) if row["kind"] == "mfa_session"]
    assert [(row["access_key_id"], row["device"]) for row in listed] == [("...ERM1", DEVICE)]
    assert "MFA SESSION OF" in aws_mfa_in_process("status").stdout
    assert aws_mfa_in_process("logout", "--all").code == 0
    result = aws_mfa_in_process("-p", "dev", "--assume-role", PROD, "--short-term-section", "p")
    assert result.code == 4
    assert "no MFA code can be asked for here" in result.stderr


def test_logout_forgets_the_profiles_mfa_session(
    credentials: Path, home: Path, aws_mfa_in_process: AwsMfa, strict_sts: StrictSts
) -> None:
    write(credentials, long_term("dev-long-term"))
    assert aws_mfa_in_process("-p", "dev", "-c", "123456").code == 0
    folder = home / ".aws" / "aws-mfa-sessions"
    assert len(list(folder.glob("*.json"))) == 1
    assert aws_mfa_in_process("logout", "-p", "dev").code == 0
    assert list(folder.glob("*.json")) == []


def test_no_file_under_home_is_open_to_others(
    credentials: Path, home: Path, aws_mfa_in_process: AwsMfa, strict_sts: StrictSts
) -> None:
    write(credentials, long_term("dev-long-term"))
    assert aws_mfa_in_process("-p", "dev", "--assume-role", PROD, "-c", "123456").code == 0
    for path in [home / ".aws", *(home / ".aws").rglob("*")]:
        assert not stat.S_IMODE(path.stat().st_mode) & 0o077, path
    doctor = aws_mfa_in_process("doctor")
    assert "cached MFA sessions" in doctor.stdout


def test_the_cache_can_be_turned_off(
    credentials: Path, home: Path, aws_mfa_in_process: AwsMfa, strict_sts: StrictSts
) -> None:
    write(credentials, long_term("dev-long-term"))
    result = aws_mfa_in_process(
        "-p", "dev", "--assume-role", PROD, "-c", "123456", MFA_SESSION_CACHE="false"
    )
    assert result.code == 0, result.stderr
    assert strict_sts.calls == ["AssumeRole"]
    assert not (home / ".aws" / "aws-mfa-sessions").exists()


@pytest.mark.e2e  # lock contention between two processes
def test_two_processes_renewing_two_roles_buy_one_session(
    credentials: Path, aws_mfa: AwsMfa, strict_sts: StrictSts
) -> None:
    write(credentials, long_term("dev-long-term"))
    runs = [
        subprocess.Popen(
            [AWS_MFA, "-p", "dev", "--assume-role", role, "--short-term-section", name, "-c", code],
            env=aws_mfa.env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            start_new_session=True,
        )
        for role, name, code in ((PROD, "prod", "123456"), (AUDIT, "audit", "654321"))
    ]
    for run in runs:
        assert run.wait(timeout=60) == 0, run.stderr.read() if run.stderr else ""
        for stream in (run.stdout, run.stderr):
            if stream:
                stream.close()
    assert strict_sts.count("GetSessionToken") == 1
    assert strict_sts.count("AssumeRole") == 2


def test_the_cached_session_holds_no_more_than_it_must(
    credentials: Path, home: Path, aws_mfa_in_process: AwsMfa, strict_sts: StrictSts
) -> None:
    write(credentials, long_term("dev-long-term"))
    assert aws_mfa_in_process("-p", "dev", "-c", "123456").code == 0
    (cached,) = (home / ".aws" / "aws-mfa-sessions").glob("*.json")
    assert LONG_TERM_KEY_ID not in cached.name
    data = json.loads(cached.read_text())
    assert set(data) == {
        "access_key_id",
        "device",
        "AccessKeyId",
        "SecretAccessKey",
        "SessionToken",
        "Expiration",
        "mac",  # keyed with the long-term secret: only its owner can make an entry
    }
    assert len(data["mac"]) == 64
    expires = datetime.strptime(data["Expiration"], "%Y-%m-%dT%H:%M:%SZ").replace(
        tzinfo=timezone.utc
    )
    assert timedelta(hours=11) < expires - datetime.now(timezone.utc) <= timedelta(hours=12)


def test_a_cached_session_sts_no_longer_accepts_is_replaced(
    credentials: Path, aws_mfa_in_process: AwsMfa, strict_sts: StrictSts
) -> None:
    write(credentials, long_term("dev-long-term"))
    assert aws_mfa_in_process("-p", "dev", "-c", "123456").code == 0
    strict_sts.issued.clear()  # STS forgets every session, as for a revoked one
    result = aws_mfa_in_process(
        "-p", "dev", "--assume-role", PROD, "--short-term-section", "p", "-c", "654321"
    )
    assert result.code == 0, result.stderr
    assert "no longer accepts the cached MFA session" in result.stderr
    assert strict_sts.calls == ["GetSessionToken", "AssumeRole", "GetSessionToken", "AssumeRole"]
