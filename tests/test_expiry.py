"""The renewal decision: 0.0.12's order, a margin, and a reason for every answer."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from aws_mfa import expiry
from aws_mfa.aws.sections import SESSION_KEYS
from aws_mfa.errors import FileError
from aws_mfa.files import ini

NOW = datetime(2026, 11, 22, 12, 0, 0, tzinfo=timezone.utc)
ROLE = "arn:aws:iam::210987654321:role/admin"


def section(expiration: str = "2026-11-22 20:00:00", role: str | None = None, **extra: str):
    text = (
        "[dev]\nassumed_role = {}\naws_access_key_id = ASIA1\naws_secret_access_key = s\n"
        "aws_session_token = t\naws_security_token = t\nexpiration = {}\n"
    ).format("True" if role else "False", expiration)
    if role:
        text += f"assumed_role_arn = {role}\n"
    for key, value in extra.items():
        text += f"{key} = {value}\n"
    return ini.parse(text, "creds")


def decide(document, *, role: str | None = None, force: bool = False, min_ttl: int = 300):
    return expiry.needs_renewal(
        document, name="dev", role_arn=role, force=force, min_ttl=min_ttl, now=NOW
    )


def test_valid_credentials_are_kept_and_the_reason_says_how_long() -> None:
    decision = decide(section())
    assert not decision.renew
    assert "still valid for 8h 00m" in decision.reason
    assert decision.expiration == datetime(2026, 11, 22, 20, 0, tzinfo=timezone.utc)


def test_missing_section_renews() -> None:
    decision = decide(None)
    assert decision.renew
    assert decision.reason == "short-term section [dev] is missing"


@pytest.mark.parametrize("key", SESSION_KEYS)
def test_any_missing_or_empty_key_renews(key: str) -> None:
    text = "[dev]\n" + "".join(f"{k} = x\n" for k in SESSION_KEYS if k != key)
    decision = decide(ini.parse(text + f"{key} =\n", "creds"), force=False)
    assert decision.renew
    assert key in decision.reason


def test_a_section_with_no_session_key_says_there_is_no_session_yet() -> None:
    # What the [default] move leaves (issue 32): the section, with nothing of a session.
    for text in ("[dev]\n", "[dev]\nregion = eu-west-1\n"):
        assert decide(ini.parse(text, "c")).reason == "there is no session in [dev] yet"


def test_missing_keys_come_before_force() -> None:
    text = "[dev]\naws_access_key_id = x\n"
    decision = decide(ini.parse(text, "c"), force=True)
    assert decision.reason.startswith("[dev] holds an incomplete session: it has no assumed_role,")


def test_force_renews_valid_credentials() -> None:
    assert decide(section(), force=True).reason == "renewal forced with --force"


def test_force_comes_before_a_malformed_expiration() -> None:
    assert decide(section(expiration="soon"), force=True).renew


def test_role_change_renews_in_each_direction() -> None:
    assert "no role session" in decide(section(), role=ROLE).reason
    assert "no role was asked" in decide(section(role=ROLE)).reason
    other = "arn:aws:iam::210987654321:role/reader"
    assert f"not {other}" in decide(section(role=ROLE), role=other).reason
    assert not decide(section(role=ROLE), role=ROLE).renew


def test_expired_and_within_margin_renew() -> None:
    assert decide(section("2026-11-22 11:59:59")).reason.endswith("have expired")
    near = decide(section("2026-11-22 12:04:00"))
    assert near.renew
    assert "expire in 4m 00s, within the 5m 00s margin" in near.reason
    assert not decide(section("2026-11-22 12:04:00"), min_ttl=60).renew


def test_expiration_formats_written_by_other_tools_are_read() -> None:
    for text in ("2026-11-22T20:00:00Z", "2026-11-22T21:00:00+01:00", "2026-11-22 20:00:00"):
        assert decide(section(text)).expiration == datetime(2026, 11, 22, 20, tzinfo=timezone.utc)


def test_malformed_expiration_names_file_line_and_fix() -> None:
    with pytest.raises(FileError) as caught:
        decide(section("tomorrow"))
    assert str(caught.value).startswith("creds, line 7, [dev]: expiration 'tomorrow'")
    assert "--force" in str(caught.value)


def test_assumed_role_must_be_true_or_false() -> None:
    bad = ini.parse("[dev]\n" + "".join(f"{k} = maybe\n" for k in SESSION_KEYS), "creds")
    with pytest.raises(FileError, match=r"creds, line 2, \[dev\]: assumed_role 'maybe'"):
        decide(bad)


def test_lower_case_true_written_by_hand_is_accepted() -> None:
    sec = ini.parse(
        "[dev]\nassumed_role = false\naws_access_key_id = a\naws_secret_access_key = b\n"
        "aws_session_token = t\naws_security_token = t\nexpiration = 2026-11-22 20:00:00\n",
        "c",
    )
    assert not decide(sec).renew


def test_expiration_is_written_in_utc_in_0012_format() -> None:
    local = datetime(2026, 1, 2, 5, 4, 5, tzinfo=timezone(timedelta(hours=2)))
    assert expiry.format_expiration(local) == "2026-01-02 03:04:05"


@pytest.mark.parametrize(
    ("seconds", "text"), [(0, "0s"), (59, "59s"), (61, "1m 01s"), (3600, "1h 00m"), (-5, "0s")]
)
def test_durations_read_well(seconds: int, text: str) -> None:
    assert expiry.format_duration(seconds) == text
