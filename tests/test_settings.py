"""Where each setting comes from (0.0.12's order), and the checks made before any STS call."""

from __future__ import annotations

from pathlib import Path

import pytest

from aws_mfa.errors import UsageError
from aws_mfa.files import ini
from aws_mfa.settings.resolve import Flags, resolve, section_names

DEVICE = "arn:aws:iam::123456789012:mfa/alice"
ROLE = "arn:aws:iam::210987654321:role/admin"
FILE = ini.parse(
    "[dev-long-term]\naws_access_key_id = AKIA1\naws_secret_access_key = s\n"
    f"aws_mfa_device = {DEVICE}\nassume_role = {ROLE}\n",
    "creds",
)


def test_defaults() -> None:
    s = resolve(Flags(), {}, None)
    assert (s.profile, s.long_term_section, s.short_term_section) == (
        "default",
        "default-long-term",
        "default",
    )
    assert (s.duration, s.role_arn, s.device, s.min_ttl, s.region) == (43200, None, None, 300, None)
    assert s.credentials_file == str(Path.home() / ".aws" / "credentials")


def test_command_line_beats_environment_beats_file() -> None:
    other_device = "arn:aws:iam::123456789012:mfa/bob"
    env_device = "arn:aws:iam::123456789012:mfa/carol"
    env = {"AWS_PROFILE": "dev", "MFA_DEVICE": env_device, "MFA_STS_DURATION": "1800"}
    assert resolve(Flags(), env, FILE).device == env_device
    assert resolve(Flags(device=other_device), env, FILE).device == other_device
    assert resolve(Flags(), {"AWS_PROFILE": "dev"}, FILE).device == DEVICE
    assert resolve(Flags(), env, FILE).duration == 1800
    assert resolve(Flags(duration="2000"), env, FILE).duration == 2000


def test_role_from_file_sets_the_role_default_duration() -> None:
    s = resolve(Flags(profile="dev"), {}, FILE)
    assert (s.role_arn, s.duration) == (ROLE, 3600)
    env_role = "arn:aws:iam::210987654321:role/env"
    assert resolve(Flags(profile="dev"), {"MFA_ASSUME_ROLE": env_role}, FILE).role_arn == env_role


def test_empty_environment_variables_count_as_unset() -> None:
    assert resolve(Flags(), {"AWS_PROFILE": "", "MFA_STS_DURATION": ""}, None).profile == "default"


@pytest.mark.parametrize(
    ("long", "short", "names"),
    [
        (None, None, ("p-long-term", "p")),
        ("none", None, ("p", None)),
        ("NONE", "short", ("p", "p-short")),
        ("perm", "none", ("p-perm", "p")),
        ("lt", "st", ("p-lt", "p-st")),
    ],
)
def test_section_names_follow_the_suffix_rules(long, short, names) -> None:
    flags = Flags(long_term_suffix=long, short_term_suffix=short)
    if names[1] is None:
        with pytest.raises(UsageError, match=r"would both be \[p\]"):
            section_names("p", flags)
    else:
        assert section_names("p", flags) == names


@pytest.mark.parametrize(
    ("flags", "env", "message"),
    [
        (Flags(duration="899"), {}, "--duration: 899 seconds is outside what STS allows"),
        (Flags(duration="129601"), {}, "--duration: 129601 seconds is outside"),
        (Flags(duration="abc"), {}, "--duration: 'abc' is not a whole number"),
        (Flags(), {"MFA_STS_DURATION": "899"}, "MFA_STS_DURATION: 899 seconds"),
        (Flags(), {"MFA_STS_DURATION": "abc"}, "MFA_STS_DURATION: 'abc' is not"),
        (Flags(duration="-5"), {}, "--duration: '-5' is not a whole number"),
        (Flags(duration="43201", assume_role=ROLE), {}, "43201 seconds is outside .* role"),
        (Flags(assume_role="admin"), {}, "--assume-role: 'admin' is not a role ARN"),
        (Flags(), {"MFA_ASSUME_ROLE": "arn:aws:iam::1:role/x"}, "MFA_ASSUME_ROLE: .* not a role"),
        (Flags(device="arn:aws:iam::123456789012:user/alice"), {}, "is a user ARN, not an MFA"),
        (Flags(device="arn:aws:iam::123456789012:mfa"), {}, "--device: .* not an MFA device ARN"),
        (Flags(), {"MFA_DEVICE": "bad device"}, "MFA_DEVICE: 'bad device' is neither"),
        (Flags(token="12345"), {}, "--token: the MFA code must be exactly six digits"),
        (Flags(token="1234567"), {}, "--token: the MFA code must be exactly six digits"),
        (Flags(token="12a456"), {}, "--token: the MFA code must be exactly six digits"),
        (Flags(token="123 45"), {}, "--token: the MFA code must be exactly six digits"),
        (Flags(token=""), {}, "--token: the MFA code must be exactly six digits"),
        (Flags(token="١٢٣٤٥٦"), {}, "--token: the MFA code must be exactly six digits"),
        (Flags(min_ttl="x"), {}, "--min-ttl: 'x' is not a whole number"),
        (Flags(min_ttl="4000", duration="3600"), {}, "--min-ttl .* must be shorter"),
        (Flags(region="Europe"), {}, "--region: 'Europe' is not an AWS region"),
        (Flags(), {"AWS_REGION": "eu west"}, "AWS_REGION: 'eu west' is not"),
        (Flags(role_session_name="a b"), {}, "--role-session-name: 'a b' is not"),
        (Flags(profile="a]b"), {}, "--profile: 'a]b' is not a profile name"),
    ],
)
def test_bad_values_are_errors_naming_their_source(flags, env, message) -> None:
    with pytest.raises(UsageError, match=message):
        resolve(flags, env, None)


def test_a_device_from_the_file_is_checked_and_named_by_its_key() -> None:
    doc = ini.parse("[default-long-term]\naws_mfa_device = nope\n", "c")
    with pytest.raises(UsageError, match=r"aws_mfa_device in \[default-long-term\]: 'nope'"):
        resolve(Flags(), {}, doc)


@pytest.mark.parametrize(
    "device",
    [
        "arn:aws:iam::123456789012:mfa/alice",
        "arn:aws:iam::123456789012:mfa/path/alice@example.com",
        "arn:aws-cn:iam::123456789012:mfa/alice",
        "arn:aws-us-gov:iam::123456789012:mfa/alice",
        "GAHT12345678",
    ],
)
def test_device_arns_and_hardware_serials_are_accepted(device: str) -> None:
    assert resolve(Flags(device=device), {}, None).device == device


def test_token_dash_means_stdin_and_is_not_checked_here() -> None:
    assert resolve(Flags(token="-"), {}, None).token == "-"


def test_region_comes_from_flag_then_aws_region_then_default_region() -> None:
    env = {"AWS_REGION": "eu-west-1", "AWS_DEFAULT_REGION": "us-west-2"}
    assert resolve(Flags(), env, None).region == "eu-west-1"
    assert resolve(Flags(), {"AWS_DEFAULT_REGION": "us-west-2"}, None).region == "us-west-2"
    assert resolve(Flags(region="cn-north-1"), env, None).region == "cn-north-1"


def test_credentials_file_flag_beats_the_environment(home: Path) -> None:
    env = {"AWS_SHARED_CREDENTIALS_FILE": "/env/creds"}
    assert resolve(Flags(), env, None).credentials_file == "/env/creds"
    assert resolve(Flags(credentials_file="~/c"), env, None).credentials_file == str(home / "c")


def test_default_role_session_name_is_a_valid_user_name(monkeypatch: pytest.MonkeyPatch) -> None:
    role = Flags(assume_role=ROLE)
    monkeypatch.setenv("LOGNAME", "DOMAIN\\first last")
    assert resolve(role, {}, None).role_session_name == "DOMAIN-first-last"
    monkeypatch.setenv("LOGNAME", "x")
    assert resolve(role, {}, None).role_session_name == "aws-mfa"
    assert resolve(Flags(), {}, None).role_session_name == ""  # no role, no name needed


def test_aws_default_profile_comes_first_as_in_botocore(capsys: pytest.CaptureFixture[str]) -> None:
    both = {"AWS_DEFAULT_PROFILE": "dev", "AWS_PROFILE": "prod"}
    assert resolve(Flags(), both, FILE).profile == "dev"
    warning = capsys.readouterr().err
    assert warning.count("\n") == 1
    assert "AWS_DEFAULT_PROFILE ('dev') and AWS_PROFILE ('prod') differ" in warning
    assert resolve(Flags(), {"AWS_DEFAULT_PROFILE": "dev"}, FILE).profile == "dev"
    assert resolve(Flags(profile="x"), both, None).profile == "x"
    assert capsys.readouterr().err == ""


def test_each_value_says_where_it_came_from() -> None:
    s = resolve(Flags(region="eu-west-1"), {"AWS_PROFILE": "dev", "MFA_TOKEN": "123456"}, FILE)
    assert s.sources["region"] == "--region"
    assert s.sources["token"] == "MFA_TOKEN"
    assert s.sources["device"] == "aws_mfa_device in [dev-long-term]"
    assert s.sources["duration"] == ""  # the default


def test_every_setting_of_the_table_is_a_field_of_settings() -> None:
    from aws_mfa.settings.resolve import Settings
    from aws_mfa.settings.table import SETTINGS

    derived = {"config_file", "long_term_section", "short_term_section", "sources"}
    assert {option.key for option in SETTINGS} | derived == set(Settings._fields)
