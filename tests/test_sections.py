"""What a credentials section is: the rules of aws_mfa.aws.sections, and where they differ on
purpose."""

from __future__ import annotations

import pytest

from aws_mfa.aws import sections
from aws_mfa.errors import FileError
from aws_mfa.files import ini

SESSION = (
    "[dev]\nassumed_role = False\naws_access_key_id = ASIA1\naws_secret_access_key = s\n"
    "aws_session_token = t\naws_security_token = t\nexpiration = 2026-11-22 21:04:05\n"
)


def values(text: str) -> dict[str, str]:
    return ini.parse(text, "f").sections["dev"].values


# (section, aws-mfa session, any tool's session, keys to log in with, keys never to overwrite)
KINDS = [
    (SESSION, True, True, False, None),
    (SESSION + "assumed_role_arn = arn:aws:iam::123456789012:role/r\n", True, True, False, None),
    # Another tool's session (no assumed_role): shown by status, renewed by a login.
    (
        "[dev]\naws_access_key_id = ASIA1\naws_secret_access_key = s\naws_session_token = t\n"
        "expiration = 2026-11-22T21:04:05Z\n",
        False,
        True,
        False,
        None,
    ),
    (
        "[dev]\naws_access_key_id = AKIAXXXX1234\naws_secret_access_key = s\n",
        False,
        False,
        True,
        "a long-term access key id (...1234)",
    ),
    (
        "[dev]\naws_access_key_id = AKIAXXXX1234\naws_mfa_secret = keychain\n",
        False,
        False,
        True,
        "a long-term access key id (...1234)",
    ),
    # Offered only with all it needs; protected as soon as one part looks long-term.
    (
        "[dev]\naws_access_key_id = AKIAXXXX1234\n",
        False,
        False,
        False,
        "a long-term access key id (...1234)",
    ),
    (
        "[dev]\naws_secret_access_key = s\n",
        False,
        False,
        False,
        "a secret access key with no session token",
    ),
    (
        "[dev]\naws_access_key_id = ASIA1\naws_secret_access_key = s\n",
        False,
        False,
        True,
        "a secret access key with no session token",
    ),
    (
        "[dev]\naws_access_key_id = EXAMPLE1\naws_mfa_secret = keychain\n",
        False,
        False,
        True,
        "a long-term key whose secret is kept in the OS keychain",
    ),
    # Placeholders and other settings are nothing.
    ("[dev]\naws_access_key_id =\naws_secret_access_key =\n", False, False, False, None),
    ("[dev]\nregion = eu-west-1\n", False, False, False, None),
]


@pytest.mark.parametrize(("text", "ours", "any_session", "log_in_with", "protected"), KINDS)
def test_each_kind_of_section(
    text: str, ours: bool, any_session: bool, log_in_with: bool, protected: str | None
) -> None:
    found = values(text)
    assert sections.is_aws_mfa_session(found) is ours
    assert sections.is_session(found) is any_session
    assert sections.has_long_term_keys(found) is log_in_with
    assert sections.long_term_key_problem(found) == protected


def test_no_section_is_nothing() -> None:
    assert sections.missing_session_keys(None) == list(sections.SESSION_KEYS)
    assert not sections.is_session(None)
    assert not sections.has_long_term_keys(None)
    assert sections.long_term_key_problem(None) is None


def test_a_session_missing_a_key_says_which() -> None:
    found = values(SESSION.replace("aws_security_token = t\n", ""))
    assert sections.missing_session_keys(found) == ["aws_security_token"]
    assert not sections.is_aws_mfa_session(found)
    assert sections.is_session(found)


def test_logout_removes_every_key_a_login_writes() -> None:
    written = (*sections.SESSION_KEYS, "assumed_role_arn", "aws_mfa_written_key_id")
    assert written == sections.WRITTEN_KEYS


@pytest.mark.parametrize(
    ("text", "where"),
    [
        ("[dev]\naws_secret_access_key = s\n", "file"),
        ("[dev]\naws_mfa_secret = keychain\n", "keychain"),
        ("[dev]\naws_mfa_secret = KeyChain\n", "keychain"),
        ("[dev]\naws_mfa_secret = command\naws_mfa_secret_command = pass show aws\n", "command"),
        ("[dev]\nregion = x\n", None),
    ],
)
def test_where_a_secret_is(text: str, where: str | None) -> None:
    assert sections.secret_location(values(text)) == where


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[dev]\naws_mfa_secret = vault\n", "neither 'keychain' nor 'command'"),
        (
            "[dev]\naws_secret_access_key = s\naws_mfa_secret = keychain\n",
            "run 'aws-mfa keychain import'",
        ),
        (
            "[dev]\naws_secret_access_key = s\naws_mfa_secret = command\n",
            "run 'aws-mfa keychain import --to command'",
        ),
        ("[dev]\naws_mfa_secret = command\n", "has no aws_mfa_secret_command"),
    ],
)
def test_a_section_that_names_two_places_or_another_is_refused(text: str, message: str) -> None:
    with pytest.raises(FileError, match=message):
        sections.kept_where(values(text), "dev", "f")
