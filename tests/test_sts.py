"""STS calls: the client is built from the keys alone, and every failure is one clear line."""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import pytest

from aws_mfa import keys
from aws_mfa.aws import sts
from aws_mfa.errors import StsRefusedError, StsUnavailableError, UsageError
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
        (
            sts.StsAnswerError(400, "Throttling", "Rate exceeded", attempts=7),
            StsUnavailableError,
            r"throttling requests \(gave up after 7 attempts\)",
        ),
        (answer("InternalFailure", "", 500), StsUnavailableError, r"server error \(HTTP 500\)"),
        (answer("", "", 503), StsUnavailableError, r"server error \(HTTP 503\)"),
        (
            answer("Odd", "strange"),
            StsRefusedError,
            r"STS refused GetSessionToken \(Odd: strange\)",
        ),
        (answer("", "", 404), StsRefusedError, r"STS refused GetSessionToken \(HTTP 404\)"),
        (
            sts.StsTransportError("timeout", "within 30 seconds"),
            StsUnavailableError,
            "did not answer GetSessionToken within 30 seconds",
        ),
        (
            sts.StsTransportError("tls", "https://sts.amazonaws.com (certificate verify failed)"),
            StsUnavailableError,
            "cannot verify the TLS certificate of STS at https://sts.amazonaws.com "
            r"\(certificate verify failed\); behind a proxy that inspects TLS, give its CA "
            "certificate with ca_bundle in the AWS config file, AWS_CA_BUNDLE or "
            "REQUESTS_CA_BUNDLE",
        ),
        (
            sts.StsTransportError("failed", "NoRegionError"),
            StsUnavailableError,
            r"the call GetSessionToken failed in botocore \(NoRegionError\)",
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
    assert caught.value.__cause__ is error
    text = str(caught.value)
    assert "\n" not in text
    assert "123456" not in text
    assert KEYS.secret_access_key not in text


def test_role_calls_are_named_in_errors() -> None:
    with pytest.raises(StsRefusedError, match=r"STS denied AssumeRole\(arn:aws:iam::2:role/r\)"):
        call(answer("AccessDenied", "not allowed", 403), role="arn:aws:iam::2:role/r")


NOW = datetime(2030, 1, 1, tzinfo=timezone.utc)
GOOD = {
    "AccessKeyId": "ASIAEXAMPLE",
    "SecretAccessKey": "s3cret",
    "SessionToken": "t0ken",
    "Expiration": datetime(2030, 1, 1, 1, tzinfo=timezone.utc),
}


@pytest.mark.parametrize(
    ("change", "problem"),
    [
        ({"AccessKeyId": ""}, "an empty AccessKeyId"),
        ({"SecretAccessKey": None}, "an empty SecretAccessKey"),
        ({"SessionToken": 5}, "an empty SessionToken"),
        ({"SessionToken": "a\nb"}, "a control character in SessionToken"),
        ({"SecretAccessKey": "a\rb"}, "a control character in SecretAccessKey"),
        ({"AccessKeyId": "ASIA\x7f"}, "a control character in AccessKeyId"),
        ({"AccessKeyId": "ASIA\x85"}, "a control character in AccessKeyId"),
        ({"AccessKeyId": " ASIA"}, "spaces around AccessKeyId"),
        ({"Expiration": None}, "no Expiration"),
        ({"Expiration": "tomorrow"}, "an Expiration that is not a time"),
        ({"Expiration": NOW}, "an Expiration in the past"),
        ({"Expiration": datetime(2029, 12, 31, 23, 59)}, "an Expiration in the past"),
    ],
)
def test_unfit_answers_are_refused_without_quoting_them(change, problem) -> None:
    class Answering(Raising):
        def get_session_token(self, **kwargs: Any) -> dict[str, Any]:
            return {"Credentials": {**GOOD, **change}}

    with pytest.raises(StsUnavailableError) as caught:
        sts.get_session_token(
            Answering(Exception()), device="d", duration=900, code="1", origin="o", now=NOW
        )
    assert str(caught.value).startswith(f"STS answered GetSessionToken with {problem}; ")
    assert "s3cret" not in str(caught.value)
    assert "t0ken" not in str(caught.value)


def test_a_fit_answer_becomes_utc_credentials() -> None:
    naive = {**GOOD, "Expiration": datetime(2030, 1, 1, 1)}
    creds = sts.check_answer({"Credentials": naive}, "GetSessionToken", NOW)
    assert creds.expiration == datetime(2030, 1, 1, 1, tzinfo=timezone.utc)
    assert sts.answer_problem({}, NOW) == "no credentials"


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
                    "Expiration": datetime(2030, 1, 1, 1, tzinfo=timezone.utc),
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
            now=NOW,
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


def test_the_total_bound_comes_from_mfa_sts_timeout() -> None:
    from aws_mfa.settings.resolve import Flags, resolve

    assert sts.limits() == sts.Limits(3.0, 5.0, 30.0)
    assert sts.limits(60.0) == sts.Limits(3.0, 5.0, 60.0)
    assert sts.limits(0.5) == sts.Limits(0.5, 0.5, 0.5)
    assert sts.limits(3.0).backoff_scale == pytest.approx(0.1)
    assert sts.limits(300.0).backoff_scale == 1.0
    assert resolve(Flags(), {}, None).sts_timeout == 30.0
    assert resolve(Flags(), {"MFA_STS_TIMEOUT": " 0.5 "}, None).sts_timeout == 0.5
    for bad in ("x", "0", "-1", "nan", "inf", "4000"):
        with pytest.raises(UsageError, match="MFA_STS_TIMEOUT"):
            resolve(Flags(), {"MFA_STS_TIMEOUT": bad}, None)


def sent_by(client: Any) -> tuple[str, str, str]:
    """URL, signing region and key id of the client's next request (never sent)."""
    seen: dict[str, str] = {}

    class Caught(Exception):
        pass

    def catch(request: Any, **kwargs: Any) -> None:
        seen["auth"] = request.headers["Authorization"].decode()
        raise Caught

    url, region = sts.would_send(client.client)
    client.client.meta.events.register_first("before-send", catch)
    with pytest.raises(Caught):
        client.client.get_session_token()
    key_id = seen["auth"].partition("Credential=")[2].split("/")[0]
    return url, region, key_id


def test_client_is_signed_with_the_given_keys_whatever_the_environment(
    monkeypatch: pytest.MonkeyPatch, home: Path
) -> None:
    write(home / ".aws" / "config", "[profile dev]\nregion = eu-west-1\n")
    monkeypatch.setenv("AWS_PROFILE", "no-such-profile")
    monkeypatch.setenv("AWS_DEFAULT_PROFILE", "neither")
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIAFROMTHECHAIN0000")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "chain-secret")
    client = sts.make_client(KEYS, None, config=sts.AwsConfig(("dev",)))
    assert sent_by(client) == ("https://sts.eu-west-1.amazonaws.com", "eu-west-1", KEYS[0])


def test_profile_is_the_first_one_botocore_knows(home: Path) -> None:
    config = write(
        home / ".aws" / "config",
        "[default]\nregion = us-west-2\n[profile dev-long-term]\nregion = eu-west-3\n",
    )
    creds = write(home / ".aws" / "credentials", "[dev-long-term]\naws_access_key_id = x\n")
    files = {"config_file": str(config), "credentials_file": str(creds)}

    def url(*profiles: str) -> str:
        return sent_by(sts.make_client(KEYS, None, config=sts.AwsConfig(profiles, **files)))[0]

    assert url("dev", "dev-long-term") == "https://sts.eu-west-3.amazonaws.com"
    assert url("nowhere", "missing") == "https://sts.us-west-2.amazonaws.com"
    # --region (settings.region) wins over the profile's region
    client = sts.make_client(KEYS, "ap-south-1", config=sts.AwsConfig(("dev-long-term",), **files))
    assert sent_by(client)[0] == "https://sts.ap-south-1.amazonaws.com"


def test_no_region_means_the_global_endpoint_or_signing_for_us_east_1(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    assert sts.endpoint(None) == ("https://sts.amazonaws.com", "us-east-1")
    monkeypatch.setenv("AWS_ENDPOINT_URL_STS", "http://127.0.0.1:4566")
    # botocore alone could not sign this request (NoRegionError)
    assert sts.endpoint(None) == ("http://127.0.0.1:4566", "us-east-1")
    assert sts.endpoint("eu-west-1") == ("http://127.0.0.1:4566", "eu-west-1")


def test_session_token_signs_too() -> None:
    client = sts.make_client(KEYS, "eu-west-1", session_token="session-token-value")
    seen: dict[str, str] = {}

    def catch(request: Any, **kwargs: Any) -> None:
        seen["token"] = request.headers["X-Amz-Security-Token"].decode()
        raise RuntimeError("stop")

    client.client.meta.events.register_first("before-send", catch)  # type: ignore[attr-defined]
    with pytest.raises(Exception, match="stop"):
        client.client.get_session_token()  # type: ignore[attr-defined]
    assert seen["token"] == "session-token-value"


def test_a_configuration_botocore_rejects_is_a_usage_error(home: Path) -> None:
    config = write(home / ".aws" / "config", "[default]\nmax_attempts = many\n")
    with pytest.raises(UsageError, match="the AWS configuration of profile 'dev'") as caught:
        sts.make_client(KEYS, None, config=sts.AwsConfig(("dev",), str(config)))
    assert caught.value.__cause__ is not None
    assert "\n" not in str(caught.value)
