"""Every file layout people already have works as it is, each from its own file pair.

Each test starts from the exact credentials and config files of one layout,
runs aws-mfa (its main, in-process) against the local STS, and lets the real
AWS CLI, in a process of its own, use the profile it wrote (in one case of a
parametrized layout: every case asserts the same written bytes).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from aws_mfa.demo import LocalSts
from aws_mfa.files import ini
from tests.conftest import (
    DEVICE,
    LONG_TERM_KEY_ID,
    LONG_TERM_SECRET,
    SESSION_KEY_ID,
    AwsMfa,
    new_window,
    write,
)


def values(path: Path, section: str) -> dict[str, str]:
    return ini.parse(path.read_text(), str(path)).values(section) or {}


def cli_uses_session(aws_cli: AwsMfa, sts: LocalSts, profile: str, *args: str) -> None:
    result = aws_cli("sts", "get-caller-identity", "--profile", profile, *args)
    assert result.code == 0, result.stderr
    assert sts.requests[-1]["@key_id"] == SESSION_KEY_ID
    assert sts.requests[-1]["@session_token"]


KEYS = f"aws_access_key_id = {LONG_TERM_KEY_ID}\naws_secret_access_key = {LONG_TERM_SECRET}\n"


@pytest.mark.e2e
def test_layout_1_aws_mfa_0012(
    credentials: Path, home: Path, aws_mfa_in_process: AwsMfa, aws_cli: AwsMfa, sts: LocalSts
) -> None:
    original = f"[dev-long-term]\n{KEYS}aws_mfa_device = {DEVICE}\n"
    write(credentials, original)
    result = aws_mfa_in_process("--profile", "dev", "--token", "123456")
    assert result.code == 0, result.stderr
    assert sts.requests[-1]["SerialNumber"] == DEVICE
    assert credentials.read_text().startswith(original + "\n[dev]\n")
    assert not (home / ".aws" / "config").exists()
    cli_uses_session(aws_cli, sts, "dev")


PERMANENT_CREDENTIALS = f"[myaccountPermanent]\n{KEYS}\n[myaccount]\n"
PERMANENT_CONFIG = (
    f"[myaccountPermanent]\nmfa_serial = {DEVICE}\n\n"
    "[myaccount]\nsource_profile = myaccountPermanent\nregion = eu-west-1\n"
)


@pytest.mark.e2e
def test_layout_2_permanent_profile_and_source_profile(
    credentials: Path, home: Path, aws_mfa_in_process: AwsMfa, aws_cli: AwsMfa, sts: LocalSts
) -> None:
    write(credentials, PERMANENT_CREDENTIALS)
    config = write(home / ".aws" / "config", PERMANENT_CONFIG)
    result = aws_mfa_in_process("--token", "123456", AWS_PROFILE="myaccount")
    assert result.code == 0, result.stderr
    request = sts.requests[-1]
    assert (request["SerialNumber"], request["@region"], request["@key_id"]) == (
        DEVICE,
        "eu-west-1",
        LONG_TERM_KEY_ID,
    )
    assert credentials.read_text().startswith(
        f"[myaccountPermanent]\n{KEYS}\n[myaccount]\nassumed_role = False\n"
    )
    assert config.read_text() == PERMANENT_CONFIG
    cli_uses_session(aws_cli, sts, "myaccount", "--region", "eu-west-1")

    # The subcommands and spellings these users know.
    again = aws_mfa_in_process("login", "--token-code", "123456", AWS_PROFILE="myaccount")
    assert again.code == 0
    assert "still valid" in again.stderr
    out = aws_mfa_in_process("logout", AWS_PROFILE="myaccount")
    assert out.code == 0, out.stderr
    assert "STS sessions cannot be revoked, only forgotten" in out.stderr
    # Nothing but the session was in [myaccount], so it went with its header.
    assert credentials.read_text() == f"[myaccountPermanent]\n{KEYS}"
    new_window(home)
    longer = aws_mfa_in_process(
        "login", "--duration-seconds", "3600", "-c", "123456", AWS_PROFILE="myaccount"
    )
    assert longer.code == 0, longer.stderr
    assert sts.requests[-1]["DurationSeconds"] == "3600"


PLACEHOLDER_CREDENTIALS = (
    f"[dev_permanent]\n{KEYS}\n"
    "[dev]\naws_access_key_id =\naws_secret_access_key =\naws_session_token =\n"
)
PLACEHOLDER_CONFIG = f"[dev]\nmfa_serial = {DEVICE}\nregion = us-west-2\noutput = json\n"


# The AWS CLI runs in one case: the file it reads is asserted byte for byte in both.
@pytest.mark.parametrize("how", ["flag", pytest.param("config", marks=pytest.mark.e2e)])
def test_layout_3_permanent_sections_and_placeholders(
    how: str,
    credentials: Path,
    home: Path,
    aws_mfa_in_process: AwsMfa,
    aws_cli: AwsMfa,
    sts: LocalSts,
) -> None:
    write(credentials, PLACEHOLDER_CREDENTIALS)
    config = PLACEHOLDER_CONFIG
    args = ["-p", "dev", "-c", "123456"]
    if how == "flag":
        args += ["--long-term-section", "dev_permanent"]
    else:  # the one documented line of change
        config += "aws_mfa_long_term_section = dev_permanent\n"
    write(home / ".aws" / "config", config)
    result = aws_mfa_in_process(*args)
    assert result.code == 0, result.stderr
    assert (sts.requests[-1]["SerialNumber"], sts.requests[-1]["@region"]) == (DEVICE, "us-west-2")
    dev = values(credentials, "dev")
    token = dev["aws_session_token"]
    # The placeholders were filled where they stood; the other keys follow them.
    assert credentials.read_text() == (
        f"[dev_permanent]\n{KEYS}\n"
        f"[dev]\naws_access_key_id = {SESSION_KEY_ID}\n"
        f"aws_secret_access_key = {dev['aws_secret_access_key']}\n"
        f"aws_session_token = {token}\n"
        "assumed_role = False\n"
        f"aws_security_token = {token}\n"
        f"expiration = {dev['expiration']}\n"
        f"aws_mfa_written_key_id = {SESSION_KEY_ID}\n"
    )
    if how == "config":  # its config has the one line more
        cli_uses_session(aws_cli, sts, "dev", "--region", "us-west-2")


# The AWS CLI runs in one case: both write the same [mfa-bob], asserted in both.
@pytest.mark.parametrize(
    "args",
    [
        pytest.param(
            ["--long-term-section", "bob", "--short-term-section", "mfa-bob"],
            marks=pytest.mark.e2e,
        ),
        ["--profile", "mfa-bob", "--long-term-section", "bob"],
    ],
)
def test_layout_4_prefixed_short_term_profile(
    args: list[str],
    credentials: Path,
    home: Path,
    aws_mfa_in_process: AwsMfa,
    aws_cli: AwsMfa,
    sts: LocalSts,
) -> None:
    original = f"[bob]\n{KEYS}"
    write(credentials, original)
    write(home / ".aws" / "config", f"[profile bob]\nmfa_serial = {DEVICE}\n")
    result = aws_mfa_in_process(*args, "--token", "123456")
    assert result.code == 0, result.stderr
    assert sts.requests[-1]["SerialNumber"] == DEVICE
    assert credentials.read_text().startswith(original + "\n[mfa-bob]\n")
    assert values(credentials, "bob") == {
        "aws_access_key_id": LONG_TERM_KEY_ID,
        "aws_secret_access_key": LONG_TERM_SECRET,
    }
    session = values(credentials, "mfa-bob")
    token = session["aws_session_token"]
    assert credentials.read_text() == (  # the same section, whichever flags named it
        f"{original}\n[mfa-bob]\nassumed_role = False\n"
        f"aws_access_key_id = {SESSION_KEY_ID}\n"
        f"aws_secret_access_key = {session['aws_secret_access_key']}\n"
        f"aws_session_token = {token}\n"
        f"aws_security_token = {token}\n"
        f"expiration = {session['expiration']}\n"
        f"aws_mfa_written_key_id = {SESSION_KEY_ID}\n"
    )
    if "--short-term-section" in args:  # the e2e case
        cli_uses_session(aws_cli, sts, "mfa-bob")
