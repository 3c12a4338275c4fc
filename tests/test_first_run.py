"""What a user already has, met on the first run (issue 21): sessions other tools wrote."""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

import pytest

from aws_mfa.cli.main import main
from aws_mfa.commands.login import pick
from aws_mfa.errors import FileError
from aws_mfa.files import ini
from aws_mfa.files.read import read_ini
from aws_mfa.mfa_code import read_code
from aws_mfa.renewal import long_term_keys
from aws_mfa.settings.resolve import Flags, profile_name, resolve
from tests.conftest import AwsMfa, long_term, write
from tests.strict_sts import StrictSts, strict_sts

__all__ = ["strict_sts"]  # the fixture, used by name

MFA_LOGIN_SESSION = (
    "[dev]\n"
    "aws_access_key_id = ASIAFROMMFALOGIN0001\n"
    "aws_secret_access_key = from/mfa/login/secret\n"
    "aws_session_token = from-mfa-login-token\n"
)
"""A session as `aws configure mfa-login` (AWS CLI v2.30.3 and later) writes it: no expiration."""


@pytest.mark.e2e
def test_a_session_from_aws_configure_mfa_login_is_renewed_with_its_reason(
    credentials: Path, aws_mfa: AwsMfa, strict_sts: StrictSts
) -> None:
    write(credentials, long_term("dev-long-term") + "\n" + MFA_LOGIN_SESSION)

    result = aws_mfa("-p", "dev", "-c", "123456")

    assert result.code == 0, result.stderr
    assert result.error_lines == []
    assert (
        "Renewing: [dev] holds a session with no expiration (as 'aws configure mfa-login' "
        "writes them), so the time it has left cannot be known"
    ) in result.stderr
    document = ini.parse(credentials.read_text(), str(credentials))
    assert list(document.sections) == ["dev-long-term", "dev"]  # renewed in place, no copy
    assert document.values("dev")["aws_access_key_id"].startswith("ASIASTRICT")
    assert "FROMMFALOGIN" not in credentials.read_text()


# Messages that tell the next step (issue 21, item 5).


@pytest.mark.parametrize(
    ("words", "message"),
    [
        (["--profle", "dev"], "unknown option --profle: did you mean --profile?"),
        (["status", "--jsn"], "unknown option --jsn: did you mean --json?"),
        (["--frobnicate"], "unknown option --frobnicate; see"),
        # no abbreviations: a prefix is not the option it starts
        (["--assume-rol", "arn:aws:iam::123456789012:role/x"], "did you mean --assume-role?"),
        (["--prof", "dev"], "unknown option --prof"),
    ],
)
def test_an_unknown_option_is_named_with_the_closest_one(
    words: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as stopped:
        main(words, {})
    assert stopped.value.code == 2
    err = capsys.readouterr().err
    assert message in err
    assert len(err.splitlines()) == 1


def test_pick_offers_a_profile_of_its_own_list(credentials: Path) -> None:
    document = ini.parse(long_term("dev-long-term") + long_term("ci-long-term"), "c")
    prompts: list[str] = []

    def enter(prompt: str) -> str:
        prompts.append(prompt)
        return "\n"

    now = datetime.now(timezone.utc)
    chosen = pick(document, {}, Flags(), now=now, min_ttl=300, ask=enter)
    assert chosen == "ci"
    assert prompts[0].endswith("Profile [ci]: ")


def test_differing_profile_variables_say_who_reads_which(
    capsys: pytest.CaptureFixture[str],
) -> None:
    profile_name(Flags(), {"AWS_DEFAULT_PROFILE": "a", "AWS_PROFILE": "b"})
    err = capsys.readouterr().err
    assert "as boto3 and the AWS CLI v1 do" in err
    assert "the AWS CLI v2 and the JavaScript and Go SDKs read AWS_PROFILE" in err


def test_a_code_asked_again_says_so_once() -> None:
    answers = ["12345", "1234567", "123456"]
    prompts: list[str] = []

    def typed(prompt: str) -> str:
        prompts.append(prompt)
        return answers.pop(0)

    assert read_code(None, "", typed, "Enter AWS MFA code: ") == "123456"
    assert prompts == [
        "Enter AWS MFA code: ",
        "That is not six digits. Enter AWS MFA code: ",
        "That is not six digits. Enter AWS MFA code: ",
    ]


@pytest.mark.parametrize(
    ("text", "hint"),
    [
        ("", "add it with your aws_access_key_id and aws_secret_access_key"),
        (
            long_term("dev-long-term"),
            "the file has long-term keys in [dev-long-term]: run 'aws-mfa -p dev'",
        ),
        (
            long_term("dev-long-term") + long_term("keys"),
            "the file has long-term keys in [dev-long-term], [keys]: run 'aws-mfa -p dev' or "
            "'aws-mfa --long-term-section keys'",
        ),
    ],
)
def test_a_missing_long_term_section_names_the_profiles_there_are(
    credentials: Path, text: str, hint: str
) -> None:
    write(credentials, text + "[other]\nregion = eu-west-1\n")
    document = read_ini(credentials)
    settings = resolve(Flags(credentials_file=str(credentials)), {}, document)
    with pytest.raises(FileError) as failed:
        long_term_keys(settings, document)
    assert "has no long-term section [default-long-term]; " + hint in failed.value.message
