"""``credential_process`` as a hot path (issue 36): programs that run it on every call.

- Roles assumed for ``export``, ``exec`` and the endpoint are kept and handed out again
  while they have more than 15 minutes left, so such a program costs no AssumeRole each
  time; the cache keeps the promises of the cache of MFA sessions (tests/test_promises.py):
  the user's own 0600 files, never through a link, bound by a mac to the session the role
  was assumed from, forgotten by ``logout``.
- Keys that still work are handed out when no code can be had, with their real expiry.
- ``export --format process`` renews when the SDKs start to refresh, 15 minutes ahead.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from tests.conftest import DEVICE, POSIX, ROLE, AwsMfa, long_term, run_host, session, write
from tests.strict_sts import StrictSts, strict_sts

__all__ = ["strict_sts"]  # the fixture, used by name

CONFIG = (
    f"[profile dev]\nmfa_serial = {DEVICE}\n\n"
    f"[profile prod]\nrole_arn = {ROLE}\nsource_profile = dev\n"
)
OTHER_USER = 12345


@pytest.fixture
def logged_in(
    credentials: Path, home: Path, aws_mfa_in_process: AwsMfa, strict_sts: StrictSts
) -> AwsMfa:
    """The README's role layout, logged in: [dev] holds a valid MFA session."""
    write(home / ".aws" / "config", CONFIG)
    write(credentials, long_term("dev-long-term", device=None))
    assert aws_mfa_in_process("-p", "prod", "-c", "123456").code == 0
    return aws_mfa_in_process


def role_files(home: Path) -> list[Path]:
    return sorted((home / ".aws" / "aws-mfa-sessions").glob("role-*.json"))


def export(aws_mfa: AwsMfa) -> dict[str, str]:
    result = aws_mfa("export", "-p", "prod", "--format", "process")
    assert result.code == 0, result.stderr
    found: dict[str, str] = json.loads(result.stdout)
    return found


def test_a_second_export_of_a_role_sends_nothing_to_sts_and_prints_the_same_keys(
    logged_in: AwsMfa, home: Path, strict_sts: StrictSts
) -> None:
    first = export(logged_in)
    assert strict_sts.calls == ["GetSessionToken", "AssumeRole"]
    [kept] = role_files(home)
    if POSIX:  # Windows keeps access in ACLs, not in these bits
        assert oct(kept.stat().st_mode & 0o777) == "0o600"

    again = logged_in("export", "-p", "prod", "--format", "process")

    assert again.code == 0, again.stderr
    assert json.loads(again.stdout) == first
    assert strict_sts.calls == ["GetSessionToken", "AssumeRole"]  # nothing sent
    assert f"Using role {ROLE} assumed before" in again.stderr


def test_a_role_with_15_minutes_or_less_left_is_assumed_again(
    logged_in: AwsMfa, strict_sts: StrictSts
) -> None:
    strict_sts.role_expires_in = 900  # botocore refreshes 15 minutes ahead: no use to it
    first = export(logged_in)
    second = export(logged_in)
    assert strict_sts.calls == ["GetSessionToken", "AssumeRole", "AssumeRole"]
    assert first["AccessKeyId"] != second["AccessKeyId"]


def test_another_role_setting_is_another_entry(
    logged_in: AwsMfa, home: Path, strict_sts: StrictSts
) -> None:
    export(logged_in)
    other = logged_in("export", "-p", "prod", "--format", "process", "--duration", "1800")
    assert other.code == 0, other.stderr
    assert strict_sts.calls == ["GetSessionToken", "AssumeRole", "AssumeRole"]
    assert len(role_files(home)) == 2


def test_a_role_entry_whose_mac_does_not_check_is_not_used(
    logged_in: AwsMfa, home: Path, strict_sts: StrictSts
) -> None:
    first = export(logged_in)
    [kept] = role_files(home)
    entry = json.loads(kept.read_text())
    entry["AccessKeyId"] = "ASIAPLANTEDROLE00001"
    kept.write_text(json.dumps(entry))

    result = logged_in("export", "-p", "prod", "--format", "process")

    assert result.code == 0, result.stderr
    assert "Ignoring a cached role of" in result.stderr
    assert "it was not made by this session" in result.stderr
    assert json.loads(result.stdout)["AccessKeyId"] not in (
        first["AccessKeyId"],
        entry["AccessKeyId"],
    )
    assert strict_sts.calls.count("AssumeRole") == 2


@pytest.mark.posix(reason="a symbolic link (Windows needs a privilege to make one)")
def test_a_role_entry_behind_a_link_is_not_used(
    logged_in: AwsMfa, home: Path, strict_sts: StrictSts
) -> None:
    export(logged_in)
    [kept] = role_files(home)
    moved = kept.with_name("elsewhere.json")
    kept.rename(moved)
    kept.symlink_to(moved)
    before = moved.read_bytes()

    result = logged_in("export", "-p", "prod", "--format", "process")

    assert result.code == 0, result.stderr
    assert "Ignoring the cached role" in result.stderr
    assert "is a symbolic link; aws-mfa never writes through one here" in result.stderr
    assert strict_sts.calls.count("AssumeRole") == 2
    assert kept.is_symlink()  # neither followed nor written through
    assert moved.read_bytes() == before


@pytest.mark.posix(reason="another user's file (os.chown; Windows keeps owners in ACLs)")
def test_a_role_entry_of_another_user_is_not_used(
    logged_in: AwsMfa, home: Path, strict_sts: StrictSts
) -> None:
    export(logged_in)
    [kept] = role_files(home)
    try:
        os.chown(kept, OTHER_USER, OTHER_USER)
    except PermissionError:
        pytest.skip("only root can give a file to another user")

    result = logged_in("export", "-p", "prod", "--format", "process")

    assert result.code == 0, result.stderr
    assert f"owned by another user (uid {OTHER_USER})" in result.stderr
    assert strict_sts.calls.count("AssumeRole") == 2


def test_logout_forgets_the_roles_with_the_sessions(logged_in: AwsMfa, home: Path) -> None:
    export(logged_in)
    assert len(role_files(home)) == 1
    result = logged_in("logout", "-p", "dev")
    assert result.code == 0, result.stderr
    assert role_files(home) == []


def test_no_session_cache_keeps_no_role(logged_in: AwsMfa, home: Path) -> None:
    result = logged_in(
        "export", "-p", "prod", "--format", "process", "--no-session-cache", "-c", "654321"
    )
    assert result.code == 0, result.stderr
    assert role_files(home) == []


# Keys that still work are handed out when no code can be had (issue 36, item 2).


def stamp(seconds: int) -> str:
    from datetime import datetime, timedelta, timezone

    moment = datetime.now(timezone.utc) + timedelta(seconds=seconds)
    return moment.strftime("%Y-%m-%d %H:%M:%S")


def test_a_session_inside_the_renewal_window_is_exported_while_it_works(
    credentials: Path, aws_mfa_in_process: AwsMfa, strict_sts: StrictSts
) -> None:
    """No terminal, no dialog, no token command: before, export failed (exit 4) although the
    keys worked for minutes more; now they are handed out with their real expiry."""
    write(credentials, long_term("dev-long-term") + "\n" + session("dev", stamp(200)))

    result = aws_mfa_in_process("export", "-p", "dev", "--format", "process")

    assert result.code == 0, result.stderr
    printed = json.loads(result.stdout)
    assert printed["AccessKeyId"] == "ASIAOLDSESSION000001"
    from datetime import datetime, timezone

    ends = datetime.fromisoformat(printed["Expiration"].replace("Z", "+00:00"))
    assert 0 < (ends - datetime.now(timezone.utc)).total_seconds() <= 200  # its real expiry
    [warning] = [line for line in result.stderr.splitlines() if line.startswith("WARNING")]
    assert "The credentials in [dev] end at" in warning
    assert "no MFA code can be asked for here" in warning
    assert strict_sts.calls == []


def test_expired_keys_are_still_refused_when_no_code_can_be_had(
    credentials: Path, aws_mfa_in_process: AwsMfa, strict_sts: StrictSts
) -> None:
    write(credentials, long_term("dev-long-term") + "\n" + session("dev", stamp(-10)))
    result = aws_mfa_in_process("export", "-p", "dev", "--format", "process")
    assert result.code == 4, result.stderr
    assert result.stdout == ""
    assert strict_sts.calls == []


def test_a_login_inside_the_window_with_no_code_still_fails(
    credentials: Path, aws_mfa_in_process: AwsMfa
) -> None:
    """Only hand-outs serve what still works; a login is asked to renew, and says it cannot."""
    write(credentials, long_term("dev-long-term") + "\n" + session("dev", stamp(200)))
    assert aws_mfa_in_process("-p", "dev").code == 4


def test_a_role_is_handed_out_from_a_source_session_inside_the_window(
    logged_in: AwsMfa, credentials: Path, strict_sts: StrictSts
) -> None:
    """The source session has 200 s left and no code can be had: the role is assumed from it
    (no code needed for that), not refused."""
    from aws_mfa.files import ini

    text = credentials.read_text()
    old = (ini.parse(text, "c").values("dev") or {})["expiration"]
    credentials.write_text(text.replace(old, stamp(200)))
    for cached in (credentials.parent / "aws-mfa-sessions").glob("*.json"):
        cached.unlink()  # no cached session with longer to go either: a renewal needs a code

    result = logged_in("export", "-p", "prod", "--format", "process")

    assert result.code == 0, result.stderr
    assert "The credentials in [dev] end at" in result.stderr
    assert strict_sts.calls == ["GetSessionToken", "AssumeRole"]


# One refresh window with the SDKs (issue 36, item 3).


def test_credential_process_renews_when_the_sdks_start_to_refresh(
    credentials: Path, aws_mfa_in_process: AwsMfa, strict_sts: StrictSts
) -> None:
    """10 minutes left and a code to be had: a login leaves the session be (its margin is 5
    minutes), export --format process renews it (botocore refreshes 15 minutes ahead)."""
    write(credentials, long_term("dev-long-term") + "\n" + session("dev", stamp(600)))
    code = {"MFA_TOKEN": "123456"}

    assert aws_mfa_in_process("-p", "dev", **code).code == 0
    assert aws_mfa_in_process("export", "-p", "dev", "--format", "env", **code).code == 0
    assert strict_sts.calls == []

    result = aws_mfa_in_process("export", "-p", "dev", "--format", "process", **code)

    assert result.code == 0, result.stderr
    assert strict_sts.calls == ["GetSessionToken"]
    assert json.loads(result.stdout)["AccessKeyId"].startswith("ASIASTRICT")


# Errors agents can act on, and the MCP configuration of docs/outputs.md (issue 36, item 4).

MCP_HOST_VARIABLES = ("HOME", "LOGNAME", "PATH", "SHELL", "TERM", "USER")
"""All an MCP host passes a stdio server of its own environment (then the server's env)."""

BOTO3_CALL = """
import os, boto3
session = boto3.Session(region_name=os.environ["AWS_REGION"])  # as the AWS API server does
print(session.client("sts").get_caller_identity()["Arn"])
"""


def mcp_server_env() -> dict[str, str]:
    """The env of the MCP server docs/outputs.md configures."""
    text = (Path(__file__).parent.parent / "docs" / "outputs.md").read_text(encoding="utf-8")
    block = text.split("<!-- mcp-config", 1)[1].split("```json\n", 1)[1].split("```", 1)[0]
    env = json.loads(block)["mcpServers"]["aws-api"]["env"]
    return {str(name): str(value) for name, value in env.items()}


@pytest.mark.e2e
@pytest.mark.posix(reason="the fake dialog is a #! script")
def test_the_documented_mcp_configuration_renews_through_a_dialog(
    tmp_path: Path,
    credentials: Path,
    home: Path,
    environment: dict[str, str],
    strict_sts: StrictSts,
) -> None:
    """The server's env of docs/outputs.md, on an MCP host's cleaned environment: boto3 runs
    the credential_process, which asks for the code with a dialog on that display, within
    the host's 60-second request timeout."""
    import sys

    from tests import fake_driver

    env_of_server = mcp_server_env()
    assert int(env_of_server["MFA_PROMPT_TIMEOUT"]) < 60
    write(
        home / ".aws" / "config",
        CONFIG + "\n[profile prod-mfa]\n"
        "credential_process = aws-mfa export --format process --profile prod\n",
    )
    write(credentials, long_term("dev-long-term", device=None))
    fakes = fake_driver.install(tmp_path / "bin")
    tools = Path(sys.executable).parent  # where aws-mfa is installed
    host = {name: environment[name] for name in MCP_HOST_VARIABLES if name in environment}
    env = {
        **host,
        "HOME": str(home),
        "PATH": os.pathsep.join([str(fakes), str(tools), "/usr/bin", "/bin"]),
        **env_of_server,
        # The test's own: the local STS, and what the stand-in dialog answers and logs.
        "AWS_ENDPOINT_URL_STS": environment["AWS_ENDPOINT_URL_STS"],
        "FAKE_DRIVER_CODE": "123456",
        "FAKE_DRIVER_LOG": str(tmp_path / "drivers.log"),
    }
    done = run_host(BOTO3_CALL, env)

    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.startswith("arn:aws")
    [asked] = [json.loads(line) for line in (tmp_path / "drivers.log").read_text().splitlines()]
    assert asked["program"] == "zenity"
    assert "--timeout=45" in asked["argv"]
    assert strict_sts.calls[:2] == ["GetSessionToken", "AssumeRole"]
