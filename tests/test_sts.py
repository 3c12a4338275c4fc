"""STS calls: the client is built from the keys alone, and every failure is one clear line."""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import pytest
from botocore import exceptions as bx
from botocore.parsers import ResponseParserError

from aws_mfa import sts
from aws_mfa.errors import StsRefusedError, StsUnavailableError
from tests.conftest import write

KEYS = sts.LongTermKeys("AKIAEXAMPLEKEY0WXYZ", "very-secret-value")
ORIGIN = "access key ...WXYZ in [dev-long-term] of creds"


class Raising:
    def __init__(self, error: Exception) -> None:
        self.error = error

    def get_session_token(self, **kwargs: Any) -> dict[str, Any]:
        raise self.error

    def assume_role(self, **kwargs: Any) -> dict[str, Any]:
        raise self.error


def client_error(code: str, message: str = "", status: int = 400) -> bx.ClientError:
    return bx.ClientError(
        {
            "Error": {"Code": code, "Message": message},
            "ResponseMetadata": {"HTTPStatusCode": status},
        },
        "GetSessionToken",
    )


def call(error: Exception, role: str | None = None):
    client = Raising(error)
    if role:
        return sts.assume_role(
            client,
            role_arn=role,
            session_name="me",
            duration=3600,
            device="arn:aws:iam::1:mfa/x",
            code="123456",
            origin=ORIGIN,
        )
    return sts.get_session_token(
        client, device="arn:aws:iam::1:mfa/x", duration=900, code="123456", origin=ORIGIN
    )


@pytest.mark.parametrize(
    ("error", "kind", "message"),
    [
        (
            client_error(
                "AccessDenied",
                "MultiFactorAuthentication failed with invalid MFA one time pass code.",
                403,
            ),
            StsRefusedError,
            "STS rejected the MFA code for device arn:aws:iam::1:mfa/x",
        ),
        (
            client_error(
                "AccessDenied", "User is not authorized to perform: sts:GetSessionToken", 403
            ),
            StsRefusedError,
            "STS denied GetSessionToken: User is not authorized",
        ),
        (
            client_error("InvalidClientTokenId", "The security token included is invalid", 403),
            StsRefusedError,
            r"STS does not know the access key \.\.\.WXYZ in \[dev-long-term\]",
        ),
        (
            client_error("SignatureDoesNotMatch", "", 403),
            StsRefusedError,
            "secret key does not match the access key ...WXYZ",
        ),
        (client_error("ExpiredToken", "", 400), StsRefusedError, "expired temporary key"),
        (client_error("Throttling", "Rate exceeded"), StsUnavailableError, "throttling"),
        (
            client_error("InternalFailure", "", 500),
            StsUnavailableError,
            r"server error \(HTTP 500\)",
        ),
        (
            client_error("Odd", "strange"),
            StsRefusedError,
            r"STS refused GetSessionToken \(Odd: strange\)",
        ),
        (
            bx.ReadTimeoutError(endpoint_url="http://x"),
            StsUnavailableError,
            "did not answer GetSessionToken in time",
        ),
        (
            bx.EndpointConnectionError(endpoint_url="http://127.0.0.1:9"),
            StsUnavailableError,
            "cannot connect to STS at http://127.0.0.1:9",
        ),
        (ResponseParserError("junk"), StsUnavailableError, "not valid"),
    ],
)
def test_failures_become_one_line_errors(error, kind, message) -> None:
    with pytest.raises(kind, match=message) as caught:
        call(error)
    text = str(caught.value)
    assert "\n" not in text
    assert "123456" not in text
    assert KEYS.secret_access_key not in text


def test_role_calls_are_named_in_errors() -> None:
    with pytest.raises(StsRefusedError, match=r"STS denied AssumeRole\(arn:aws:iam::2:role/r\)"):
        call(client_error("AccessDenied", "not allowed", 403), role="arn:aws:iam::2:role/r")


def test_an_answer_without_credentials_is_an_error() -> None:
    class Empty(Raising):
        def get_session_token(self, **kwargs: Any) -> dict[str, Any]:
            return {"Credentials": {"AccessKeyId": "A"}}

    with pytest.raises(StsUnavailableError, match="without usable credentials"):
        sts.get_session_token(Empty(Exception()), device="d", duration=900, code="1", origin="o")


def test_external_id_is_sent_only_when_given() -> None:
    seen: list[dict[str, Any]] = []

    class Recording(Raising):
        def assume_role(self, **kwargs: Any) -> dict[str, Any]:
            seen.append(kwargs)
            return {
                "Credentials": {
                    "AccessKeyId": "ASIA",
                    "SecretAccessKey": "s",
                    "SessionToken": "t",
                    "Expiration": datetime(2030, 1, 1, tzinfo=timezone.utc),
                }
            }

    for external_id in (None, "xyz"):
        sts.assume_role(
            Recording(Exception()),
            role_arn="r",
            session_name="n",
            duration=900,
            device="d",
            code="123456",
            origin="o",
            external_id=external_id,
        )
    assert "ExternalId" not in seen[0]
    assert seen[1]["ExternalId"] == "xyz"


def test_reprs_never_show_secrets() -> None:
    creds = sts.TemporaryCredentials(
        "ASIAKEY0001", "secret!", "token!", datetime(2030, 1, 1, tzinfo=timezone.utc)
    )
    for text in (repr(KEYS), repr(creds), str(creds)):
        assert "secret" not in text.replace("TemporaryCredentials", "")
        assert "token!" not in text
    assert "...WXYZ" in repr(KEYS)


@pytest.mark.parametrize(
    ("region", "url"),
    [
        (None, "https://sts.amazonaws.com"),
        ("eu-west-1", "https://sts.eu-west-1.amazonaws.com"),
        ("cn-north-1", "https://sts.cn-north-1.amazonaws.com.cn"),
        ("us-gov-west-1", "https://sts.us-gov-west-1.amazonaws.com"),
    ],
)
def test_region_chooses_the_endpoint_and_partition(region, url) -> None:
    assert sts.make_client(KEYS, region).meta.endpoint_url == url  # type: ignore[attr-defined]


def test_client_ignores_a_missing_profile_and_a_broken_config(
    monkeypatch: pytest.MonkeyPatch, home: Path
) -> None:
    config = write(home / ".aws" / "config", "[profile x\nthis is not ini\n")
    monkeypatch.setenv("AWS_PROFILE", "no-such-profile")
    monkeypatch.setenv("AWS_CONFIG_FILE", str(config))
    client = sts.make_client(KEYS, "eu-west-1")
    creds = client._request_signer._credentials  # type: ignore[attr-defined]
    assert creds.access_key == KEYS.access_key_id


def test_endpoint_url_from_the_environment_is_honoured(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_ENDPOINT_URL_STS", "http://127.0.0.1:4566")
    assert sts.make_client(KEYS, None).meta.endpoint_url == "http://127.0.0.1:4566"  # type: ignore[attr-defined]


def test_mask_shows_only_the_last_four_characters() -> None:
    assert sts.mask("AKIAABCDEFGH1234") == "...1234"
    assert sts.mask("") == "(none)"
