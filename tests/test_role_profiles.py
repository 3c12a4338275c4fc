"""Role profiles as AWS describes them (issue 21, item 2): ``role_arn`` and ``source_profile`` in
the AWS config, served with one MFA code, and resolved by the real boto3 and AWS CLI.

The layout aws-mfa recommends for cross-account work (docs/roles.md)::

    # ~/.aws/config                       # ~/.aws/credentials
    [profile dev]                         [dev-long-term]        <- your keys
    mfa_serial = arn:...:mfa/alice        aws_access_key_id = AKIA...
                                          aws_secret_access_key = ...
    [profile prod]
    role_arn = arn:...:role/admin         [dev]                  <- aws-mfa's MFA session
    source_profile = dev

botocore assumes a profile's ``role_arn`` itself, before it reads keys in the
credentials file, signed with the source profile's credentials. So aws-mfa
keeps ``[dev]`` holding a valid MFA session, and every SDK assumes the role
from it with no code; nothing is written under ``[prod]``.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from aws_mfa.files import ini
from tests.conftest import DEVICE, ROLE, AwsMfa, check_no_secrets, long_term, write
from tests.strict_sts import StrictSts, strict_sts

__all__ = ["strict_sts"]  # the fixture, used by name

CONFIG = (
    f"[profile dev]\nmfa_serial = {DEVICE}\n\n"
    f"[profile prod]\nrole_arn = {ROLE}\nsource_profile = dev\n"
)


@pytest.fixture
def role_layout(credentials: Path, home: Path) -> Path:
    write(home / ".aws" / "config", CONFIG)
    write(credentials, long_term("dev-long-term", device=None))
    return credentials


def sections(path: Path) -> dict[str, dict[str, str]]:
    document = ini.parse(path.read_text(), str(path))
    return {name: section.values for name, section in document.sections.items()}


BOTO3_IDENTITY = """
import boto3
print(boto3.Session(profile_name="prod").client("sts").get_caller_identity()["Arn"])
"""


def test_a_role_profile_keeps_its_source_session_and_writes_nothing_under_its_name(
    role_layout: Path, aws_mfa_in_process: AwsMfa, strict_sts: StrictSts
) -> None:
    result = aws_mfa_in_process("-p", "prod", "-c", "123456")

    assert result.code == 0, result.stderr
    assert f"AWS_PROFILE=prod programs assume {ROLE} themselves, from the MFA session in [dev]" in (
        result.stderr
    )
    found = sections(role_layout)
    assert list(found) == ["dev-long-term", "dev"]  # no [prod]: SDKs would ignore it
    assert found["dev"]["aws_access_key_id"].startswith("ASIASTRICT")
    assert strict_sts.calls == ["GetSessionToken"]

    again = aws_mfa_in_process("-p", "prod")  # no code while the MFA session lasts
    assert again.code == 0, again.stderr
    assert strict_sts.calls == ["GetSessionToken"]


@pytest.mark.e2e
def test_boto3_and_the_aws_cli_assume_the_role_from_it_with_no_code(
    role_layout: Path,
    aws_mfa_in_process: AwsMfa,
    aws_cli: AwsMfa,
    environment: dict[str, str],
    strict_sts: StrictSts,
    sts: object,
) -> None:
    assert aws_mfa_in_process("-p", "prod", "-c", "123456").code == 0  # the SDKs: processes
    session_key = sections(role_layout)["dev"]["aws_access_key_id"]

    env = {**environment, "AWS_DEFAULT_REGION": "us-east-1"}
    command = [sys.executable, "-c", BOTO3_IDENTITY]
    done = subprocess.run(
        command, env=env, capture_output=True, text=True, timeout=60, stdin=subprocess.DEVNULL
    )
    assert done.returncode == 0, done.stderr
    cli = aws_cli("sts", "get-caller-identity", "--profile", "prod")
    assert cli.code == 0, cli.stderr

    assert strict_sts.calls.count("AssumeRole") == 2  # boto3's, then the AWS CLI's
    assert strict_sts.calls.count("GetSessionToken") == 1  # aws-mfa's: one code in all
    assumed = [key for key, issued in strict_sts.issued.items() if key != session_key]
    assert len(assumed) == 2


def test_export_of_a_role_profile_assumes_the_role_from_the_cached_session(
    role_layout: Path, aws_mfa_in_process: AwsMfa, strict_sts: StrictSts
) -> None:
    assert aws_mfa_in_process("-p", "prod", "-c", "123456").code == 0
    result = aws_mfa_in_process("export", "-p", "prod", "--format", "process")
    assert result.code == 0, result.stderr
    assert '"AccessKeyId": "ASIASTRICT0000000002"' in result.stdout  # the role's, not [dev]'s
    assert strict_sts.calls == ["GetSessionToken", "AssumeRole"]  # no second code
    assert list(sections(role_layout)) == ["dev-long-term", "dev"]


def test_an_mfa_serial_in_the_role_profile_is_named_with_its_fix(
    role_layout: Path, home: Path, aws_mfa_in_process: AwsMfa, strict_sts: StrictSts
) -> None:
    write(home / ".aws" / "config", CONFIG + f"mfa_serial = {DEVICE}\n")
    result = aws_mfa_in_process("-p", "prod", "-c", "123456")
    assert result.code == 0, result.stderr
    assert "[profile prod] has mfa_serial: the AWS CLI and SDKs then ask for an MFA code" in (
        result.stderr
    )
    # No line contradicts the warning (issue 30): none claims the SDKs need no code.
    assert "programs assume" not in result.stderr
    assert "AWS_PROFILE=prod programs ask for a code to assume" in result.stderr


def test_the_aws_layout_with_keys_in_the_source_profile_names_the_move(
    credentials: Path, home: Path, aws_mfa_in_process: AwsMfa, strict_sts: StrictSts
) -> None:
    # As AWS documents it: the keys in [dev], the device on the role profile.
    config = f"[profile prod]\nrole_arn = {ROLE}\nsource_profile = dev\nmfa_serial = {DEVICE}\n"
    write(home / ".aws" / "config", config)
    write(credentials, long_term("dev", device=None))
    result = aws_mfa_in_process("-p", "prod", "-c", "123456")
    assert result.code == 3, result.stderr
    assert "[dev] holds long-term keys" in result.error_lines[0]
    assert "'aws-mfa -p dev --setup'" in result.error_lines[0]
    assert strict_sts.calls == []


def test_a_role_profile_without_a_source_profile_is_one_line(
    credentials: Path, home: Path, aws_mfa_in_process: AwsMfa
) -> None:
    write(
        home / ".aws" / "config",
        f"[profile prod]\nrole_arn = {ROLE}\ncredential_source = Ec2InstanceMetadata\n",
    )
    write(credentials, long_term("prod-long-term"))
    result = aws_mfa_in_process("-p", "prod", "-c", "123456")
    assert result.code == 2, result.stderr
    assert "assumes" in result.error_lines[0]
    assert "with credential_source" in result.error_lines[0]


def test_secrets_stay_out_of_a_role_profiles_output(
    role_layout: Path,
    aws_mfa_in_process: AwsMfa,
    environment: dict[str, str],
    strict_sts: StrictSts,
) -> None:
    result = aws_mfa_in_process("-p", "prod", "-c", "123456")
    check_no_secrets(["aws-mfa", "-p", "prod"], environment, "", result)


def test_replacing_one_identity_with_another_in_a_section_is_a_warning_naming_both(
    credentials: Path, aws_mfa_in_process: AwsMfa, strict_sts: StrictSts
) -> None:
    write(credentials, long_term("dev-long-term"))
    assert (
        aws_mfa_in_process("-p", "dev", "--assume-role", ROLE, "-c", "123456").code == 0
    )  # 0.0.12's way

    result = aws_mfa_in_process("-p", "dev")  # the plain session, from the cached MFA session

    assert result.code == 0, result.stderr
    warnings = [line for line in result.stderr.splitlines() if line.startswith("WARNING")]
    assert warnings == [
        f"WARNING - [dev] held the credentials of role {ROLE}; it now holds those of your own "
        "user (the MFA session), so programs using profile dev now run as that"
    ]


@pytest.mark.e2e
def test_exec_of_a_role_profile_gives_the_role_and_the_server_renews_it_without_a_code(
    role_layout: Path,
    aws_mfa: AwsMfa,
    aws_mfa_in_process: AwsMfa,
    environment: dict[str, str],
    strict_sts: StrictSts,
) -> None:
    """exec gives the command the role, assumed with no code; the endpoint of exec --server
    (in-process, on a stepped clock) renews the role from the MFA session, with no code."""
    from tests.stepped_time import wait_until
    from tests.test_server import endpoint_in_process

    assert aws_mfa_in_process("-p", "prod", "-c", "123456").code == 0  # the MFA session in [dev]
    strict_sts.role_expires_in = 6  # too short to be handed out again: the endpoint renews it
    plain = aws_mfa(
        "exec",
        "-p",
        "prod",
        "--",
        sys.executable,
        "-c",
        "import os; print(os.environ['AWS_ACCESS_KEY_ID'])",
    )
    assert plain.code == 0, plain.stderr
    assert plain.stdout.strip() == "ASIASTRICT0000000002"  # the role's, assumed with no code

    with endpoint_in_process(environment, "-p", "prod") as running:
        first = running.botocore_credentials().access_key
        running.time.advance_to(running.renewal_due())  # halfway through its 6 s
        assert wait_until(lambda: running.key() not in (first, None))
        renewed = running.key()

    assert str(renewed).startswith("ASIASTRICT")
    assert strict_sts.calls.count("GetSessionToken") == 1  # one code in all
    assert list(sections(role_layout)) == ["dev-long-term", "dev"]
    assert running.error_lines == []


@pytest.mark.e2e
def test_the_javascript_sdk_assumes_the_role_from_it_with_no_code(
    role_layout: Path,
    aws_mfa_in_process: AwsMfa,
    environment: dict[str, str],
    strict_sts: StrictSts,
    js_sdk: Path,
) -> None:
    assert aws_mfa_in_process("-p", "prod", "-c", "123456").code == 0  # the SDK: a process
    env = {**environment, "AWS_PROFILE": "prod", "AWS_REGION": "us-east-1", "NODE_NO_WARNINGS": "1"}
    done = subprocess.run(
        ["node", str(js_sdk)], env=env, capture_output=True, text=True, timeout=120, check=False
    )
    assert done.returncode == 0, done.stderr
    assert '"access_key":"ASIASTRICT0000000002"' in done.stdout  # the role's
    assert strict_sts.calls == ["GetSessionToken", "AssumeRole", "GetCallerIdentity"]


def test_status_lists_role_profiles_with_the_session_they_are_assumed_from(
    role_layout: Path, home: Path, aws_mfa_in_process: AwsMfa, strict_sts: StrictSts
) -> None:
    """Issue 30: role profiles were missing from status, and status -p prod called a working
    role profile "missing" (exit 7)."""
    write(home / ".aws" / "config", CONFIG + "\n[profile sso]\nsso_session = corp\n")
    before = aws_mfa_in_process("status", "-p", "prod")
    assert before.code == 7, before.stderr
    assert before.stdout.splitlines()[1].split() == [
        "prod",
        "role/admin",
        "dev",
        "-",
        "-",
        "missing",
    ]

    assert aws_mfa_in_process("-p", "prod", "-c", "123456").code == 0
    one = aws_mfa_in_process("status", "-p", "prod")
    assert one.code == 0, one.stderr
    header, row = one.stdout.splitlines()
    assert header.split() == ["ROLE", "PROFILE", "ROLE", "FROM", "EXPIRES", "LEFT", "STATE"]
    assert row.split()[:3] == ["prod", "role/admin", "dev"]
    assert row.split()[-1] == "valid"

    every = aws_mfa_in_process("status", "--all")
    assert every.code == 0, every.stderr
    assert "ROLE PROFILE  ROLE        FROM" in every.stdout
    assert [line.split()[0] for line in every.stdout.splitlines() if "role/admin" in line] == [
        "prod"
    ]  # a role profile aws-mfa does not serve (sso) is not listed

    import json

    listed = json.loads(aws_mfa_in_process("status", "--all", "--json").stdout)
    [role] = [item for item in listed if item["kind"] == "role_profile"]
    assert (role["profile"], role["role_arn"], role["source_section"], role["state"]) == (
        "prod",
        ROLE,
        "dev",
        "valid",
    )
    import time

    started = time.monotonic()
    alone = json.loads(aws_mfa_in_process("status", "-p", "prod", "--json").stdout)
    took = time.monotonic() - started
    # The clock goes on between the two runs: a second may end (Windows under Wine is slow).
    assert 0 <= role.pop("seconds_left") - alone.pop("seconds_left") <= took + 1
    assert alone == role


def test_a_role_profile_without_a_region_is_warned_about_with_the_line_to_add(
    role_layout: Path, home: Path, aws_mfa_in_process: AwsMfa, strict_sts: StrictSts
) -> None:
    """Issue 32: a role profile as the README showed it has no region, and the AWS CLI then
    stops with "You must specify a region"; nothing warned."""
    result = aws_mfa_in_process("-p", "prod", "-c", "123456")
    assert result.code == 0, result.stderr
    [warning] = [line for line in result.stderr.splitlines() if "has no region" in line]
    assert "add 'region = us-east-1' (or yours) to [profile prod]" in warning
    quiet = aws_mfa_in_process("-p", "prod", AWS_REGION="eu-west-1")
    assert "has no region" not in quiet.stderr
    write(home / ".aws" / "config", CONFIG + "region = eu-west-1\n")
    assert "has no region" not in aws_mfa_in_process("-p", "prod").stderr
