"""What a user already has, met on the first run (issue 21): sessions other tools wrote."""

from __future__ import annotations

from pathlib import Path

import pytest

from aws_mfa.files import ini
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
