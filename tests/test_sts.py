"""STS calls: the client is built from the keys alone, and every failure is one clear line."""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import pytest

from aws_mfa import keys, sts
from aws_mfa.errors import StsRefusedError, StsUnavailableError
from tests.conftest import write

KEYS = keys.LongTermKeys("AKIAEXAMPLEKEY0WXYZ", "very-secret-value")
ORIGIN = "access key ...WXYZ in [dev-long-term] of creds"


class Raising:
    def __init__(self, error: Exception) -> None:
        self.error = error

    def get_session_token(self, **kwargs: Any) -> dict[str, Any]:
        raise self.error

    def assume_role(self, **kwargs: Any) -> dict[str, Any]:
        raise self.error


def answer(code: str, message: str = "", status: int = 400) -> sts.StsAnswerError:
    return sts.StsAnswerError(status, code, message)


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


MFA_FAILED = "MultiFactorAuthentication failed with invalid MFA one time pass code."


@pytest.mark.parametrize(
    ("error", "kind", "message"),
    [
        (
            answer("AccessDenied", MFA_FAILED, 403),
            StsRefusedError,
            "STS rejected the MFA code for device arn:aws:iam::1:mfa/x",
        ),
        (
            answer("AccessDenied", "User is not authorized to perform: sts:GetSessionToken", 403),
            StsRefusedError,
            "STS denied GetSessionToken: User is not authorized",
        ),
        (
            answer("InvalidClientTokenId", "The security token included is invalid", 403),
            StsRefusedError,
            r"STS does not know the access key \.\.\.WXYZ in \[dev-long-term\]",
        ),
        (
            answer("SignatureDoesNotMatch", "", 403),
            StsRefusedError,
            "secret key does not match the access key ...WXYZ",
        ),
        (answer("ExpiredToken", ""), StsRefusedError, "expired temporary key"),
        (answer("Throttling", "Rate exceeded"), StsUnavailableError, "throttling"),
        (answer("InternalFailure", "", 500), StsUnavailableError, r"server error \(HTTP 500\)"),
        (answer("", "", 503), StsUnavailableError, r"server error \(HTTP 503\)"),
        (
            answer("Odd", "strange"),
            StsRefusedError,
            r"STS refused GetSessionToken \(Odd: strange\)",
        ),
        (answer("", "", 404), StsRefusedError, r"STS refused GetSessionToken \(HTTP 404\)"),
        (
            sts.StsTransportError("timeout", "read timed out"),
            StsUnavailableError,
            "did not answer GetSessionToken in time",
        ),
        (
            sts.StsTransportError("connect", "http://127.0.0.1:9"),
            StsUnavailableError,
            "cannot connect to STS at http://127.0.0.1:9",
        ),
        (
            sts.StsTransportError("invalid", "the answer is not XML"),
            StsUnavailableError,
            "not valid",
        ),
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
        call(answer("AccessDenied", "not allowed", 403), role="arn:aws:iam::2:role/r")


SUCCESS = b"""<GetSessionTokenResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
  <GetSessionTokenResult><Credentials>
    <AccessKeyId>ASIAEXAMPLE</AccessKeyId><SecretAccessKey>secret</SecretAccessKey>
    <SessionToken>token</SessionToken><Expiration>2030-01-02T03:04:05.123Z</Expiration>
  </Credentials></GetSessionTokenResult>
</GetSessionTokenResponse>"""

ERROR = b"""<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
  <Error><Type>Sender</Type><Code>AccessDenied</Code><Message>no</Message></Error>
  <RequestId>1</RequestId></ErrorResponse>"""


def test_answers_are_read_like_botocore_reads_them() -> None:
    creds = sts.parse_answer(200, SUCCESS)["Credentials"]
    assert creds["AccessKeyId"] == "ASIAEXAMPLE"
    assert creds["Expiration"] == datetime(2030, 1, 2, 3, 4, 5, 123000, tzinfo=timezone.utc)
    with pytest.raises(sts.StsAnswerError) as caught:
        sts.parse_answer(403, ERROR)
    assert (caught.value.status, caught.value.code, caught.value.message) == (
        403,
        "AccessDenied",
        "no",
    )
    with pytest.raises(sts.StsTransportError) as garbage:
        sts.parse_answer(200, b"not <xml")
    assert garbage.value.kind == "invalid"
    with pytest.raises(sts.StsAnswerError) as html:
        sts.parse_answer(502, b"<html><body>Bad gateway")
    assert (html.value.status, html.value.code) == (502, "")


def test_what_is_retried() -> None:
    assert sts.retried(answer("Throttling"))
    assert sts.retried(answer("InternalFailure", status=500))
    assert sts.retried(sts.StsTransportError("timeout", ""))
    assert sts.retried(sts.StsTransportError("connect", ""))
    assert not sts.retried(answer("AccessDenied", status=403))
    assert not sts.retried(sts.StsTransportError("invalid", ""))


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
    creds = keys.TemporaryCredentials(
        "ASIAKEY0001", "secret!", "token!", datetime(2030, 1, 1, tzinfo=timezone.utc)
    )
    for text in (repr(KEYS), repr(creds), str(creds)):
        assert "secret" not in text.replace("TemporaryCredentials", "")
        assert "token!" not in text
    assert "...WXYZ" in repr(KEYS)


@pytest.mark.parametrize(
    ("region", "url", "signing"),
    [
        (None, "https://sts.amazonaws.com", "us-east-1"),
        ("eu-west-1", "https://sts.eu-west-1.amazonaws.com", "eu-west-1"),
        ("cn-north-1", "https://sts.cn-north-1.amazonaws.com.cn", "cn-north-1"),
        ("us-gov-west-1", "https://sts.us-gov-west-1.amazonaws.com", "us-gov-west-1"),
        ("ap-future-9", "https://sts.ap-future-9.amazonaws.com", "ap-future-9"),
    ],
)
def test_region_chooses_the_endpoint_and_partition(region, url, signing) -> None:
    assert sts.endpoint(region, {}) == (url, signing)


def test_client_ignores_a_missing_profile_and_a_broken_config(
    monkeypatch: pytest.MonkeyPatch, home: Path
) -> None:
    config = write(home / ".aws" / "config", "[profile x\nthis is not ini\n")
    monkeypatch.setenv("AWS_PROFILE", "no-such-profile")
    monkeypatch.setenv("AWS_CONFIG_FILE", str(config))
    client = sts.make_client(KEYS, "eu-west-1")
    assert isinstance(client, sts.StsHttpClient)
    assert client.keys == KEYS
    assert client.url == "https://sts.eu-west-1.amazonaws.com"


def test_endpoint_url_from_the_environment_is_honoured() -> None:
    local = "http://127.0.0.1:4566"
    assert sts.endpoint(None, {"AWS_ENDPOINT_URL_STS": local}) == (local, "us-east-1")
    assert sts.endpoint("eu-west-1", {"AWS_ENDPOINT_URL": local}) == (local, "eu-west-1")
    ignored = {"AWS_ENDPOINT_URL_STS": local, "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS": "true"}
    assert sts.endpoint(None, ignored)[0] == "https://sts.amazonaws.com"


def test_mask_shows_only_the_last_four_characters() -> None:
    assert keys.mask("AKIAABCDEFGH1234") == "...1234"
    assert keys.mask("") == "(none)"


def test_ca_bundle_from_the_environment_is_used(monkeypatch: pytest.MonkeyPatch) -> None:
    assert sts.StsHttpClient(KEYS, None, {}).verify is True
    client = sts.StsHttpClient(KEYS, None, {"AWS_CA_BUNDLE": "/etc/corporate-ca.pem"})
    assert client.verify == "/etc/corporate-ca.pem"
