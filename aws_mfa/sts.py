"""Trade long-term keys and an MFA code for temporary credentials at AWS STS.

This is the only module that imports botocore, and only inside functions:
most runs of aws-mfa find the credentials still valid and never get here.
botocore (not boto3) is enough, and only an ``sts`` client is built.

The client is built from the long-term keys alone: no profile, no config or
credentials file, so an ``AWS_PROFILE`` naming a profile that does not exist,
or a broken ``~/.aws/config``, cannot get in the way. The region comes from
the caller (None means STS's global endpoint); botocore resolves the endpoint
and its partition, and honours ``AWS_ENDPOINT_URL_STS``/``AWS_ENDPOINT_URL``.
Timeouts and retries are bounded so that an endpoint that never answers
gives an error within :data:`MAX_WAIT` seconds.

:func:`get_session_token` and :func:`assume_role` take the client as a
parameter; tests hand in fakes or a client aimed at a local STS. Every
botocore failure becomes an :class:`~aws_mfa.errors.AwsMfaError` whose
message says what to do, and never contains a secret.
"""

from __future__ import annotations

import os
from datetime import datetime, timezone

from aws_mfa import __version__
from aws_mfa.errors import AwsMfaError, StsRefusedError, StsUnavailableError
from aws_mfa.records import Record

TYPE_CHECKING = False  # see aws_mfa.records: typing is not imported at run time
if TYPE_CHECKING:
    from typing import Any, Protocol

    class StsClient(Protocol):
        """The two calls aws-mfa makes; botocore's STS client has them."""

        def get_session_token(self, **kwargs: Any) -> dict[str, Any]: ...

        def assume_role(self, **kwargs: Any) -> dict[str, Any]: ...


CONNECT_TIMEOUT = 3
"""Seconds to wait for a connection: STS answers in well under a second."""
READ_TIMEOUT = 5
"""Seconds to wait for an answer once connected."""
MAX_ATTEMPTS = 3
"""Attempts in all, so throttling and brief outages get two retries."""
MAX_WAIT = 30
"""What the three numbers above add up to at worst, backoff included."""


def mask(key_id: str) -> str:
    """An access key id as it may be shown: its last four characters."""
    return f"...{key_id[-4:]}" if key_id else "(none)"


class LongTermKeys(Record):
    """An IAM user's access key pair. Its repr never shows the secret."""

    access_key_id: str
    secret_access_key: str

    def __repr__(self) -> str:
        return f"LongTermKeys({mask(self.access_key_id)})"


class TemporaryCredentials(Record):
    """What STS returns. Its repr shows only the key id's end and the expiry."""

    access_key_id: str
    secret_access_key: str
    session_token: str
    expiration: datetime

    def __repr__(self) -> str:
        return f"TemporaryCredentials({mask(self.access_key_id)}, expires {self.expiration})"


def make_client(keys: LongTermKeys, region: str | None) -> StsClient:
    """A botocore STS client for ``keys``; ``region`` None means the global endpoint."""
    import botocore.session
    from botocore.config import Config

    session = botocore.session.Session(
        session_vars={
            "profile": (None, None, None, None),
            "config_file": (None, None, os.devnull, None),
            "credentials_file": (None, None, os.devnull, None),
        }
    )
    if region is None:
        session.set_config_variable("sts_regional_endpoints", "legacy")
    config = Config(
        connect_timeout=CONNECT_TIMEOUT,
        read_timeout=READ_TIMEOUT,
        retries={"total_max_attempts": MAX_ATTEMPTS, "mode": "standard"},
        user_agent_extra=f"aws-mfa/{__version__}",
    )
    # botocore's stubs type every client as BaseClient; this one is an STS client.
    client: StsClient = session.create_client(  # type: ignore[assignment]
        "sts",
        region_name=region or "us-east-1",
        aws_access_key_id=keys.access_key_id,
        aws_secret_access_key=keys.secret_access_key,
        config=config,
    )
    return client


def get_session_token(
    client: StsClient, *, device: str, duration: int, code: str, origin: str
) -> TemporaryCredentials:
    """Call GetSessionToken; ``origin`` names the long-term key in errors."""
    try:
        answer = client.get_session_token(
            DurationSeconds=duration, SerialNumber=device, TokenCode=code
        )
    except Exception as err:
        raise translate(err, device=device, role_arn=None, origin=origin) from err
    return _credentials(answer)


def assume_role(
    client: StsClient,
    *,
    role_arn: str,
    session_name: str,
    duration: int,
    device: str,
    code: str,
    origin: str,
    external_id: str | None = None,
) -> TemporaryCredentials:
    """Call AssumeRole with MFA; ``origin`` names the long-term key in errors."""
    params: dict[str, Any] = {
        "RoleArn": role_arn,
        "RoleSessionName": session_name,
        "DurationSeconds": duration,
        "SerialNumber": device,
        "TokenCode": code,
    }
    if external_id:
        params["ExternalId"] = external_id
    try:
        answer = client.assume_role(**params)
    except Exception as err:
        raise translate(err, device=device, role_arn=role_arn, origin=origin) from err
    return _credentials(answer)


def _credentials(answer: dict[str, Any]) -> TemporaryCredentials:
    try:
        creds = answer["Credentials"]
        expiration = creds["Expiration"]
        if not isinstance(expiration, datetime):
            raise TypeError("Expiration is not a time")
        return TemporaryCredentials(
            access_key_id=str(creds["AccessKeyId"]),
            secret_access_key=str(creds["SecretAccessKey"]),
            session_token=str(creds["SessionToken"]),
            expiration=expiration.astimezone(timezone.utc),
        )
    except (KeyError, TypeError, ValueError):
        raise StsUnavailableError(
            "STS answered without usable credentials; try again, and check "
            "AWS_ENDPOINT_URL_STS if you set it"
        ) from None


REFUSALS = {
    "InvalidClientTokenId": (
        "STS does not know the {origin}: it was deleted, deactivated or mistyped; "
        "put a working key pair there"
    ),
    "SignatureDoesNotMatch": (
        "STS says the secret key does not match the {origin}; check aws_secret_access_key there"
    ),
    "ExpiredToken": (
        "STS says the {origin} is an expired temporary key; put your IAM user's "
        "long-term access keys there"
    ),
    "RegionDisabledException": (
        "STS is not enabled in this region for the account; choose another region with --region"
    ),
}


def translate(err: Exception, *, device: str, role_arn: str | None, origin: str) -> AwsMfaError:
    """A one-line, secret-free error for a failed STS call.

    ``origin`` says which long-term key made the call and where it is kept,
    for example ``access key ...WXYZ in [dev-long-term] of ~/.aws/credentials``.
    """
    from botocore import exceptions as bx
    from botocore.parsers import ResponseParserError

    call = f"AssumeRole({role_arn})" if role_arn else "GetSessionToken"
    if isinstance(err, bx.ClientError):
        error = err.response.get("Error", {})
        code = str(error.get("Code", ""))
        message = str(error.get("Message", "")).strip().rstrip(".")
        status = err.response.get("ResponseMetadata", {}).get("HTTPStatusCode", 0)
        if code == "AccessDenied" and "MultiFactorAuthentication" in message:
            return StsRefusedError(
                f"STS rejected the MFA code for device {device} ({message}); "
                "wait for the next code and try again, and check the device ARN"
            )
        if code == "AccessDenied":
            return StsRefusedError(
                f"STS denied {call}: {message or 'access denied'}; check the MFA code, "
                "the device and that your IAM user may make this call"
            )
        if code in REFUSALS:
            return StsRefusedError(REFUSALS[code].format(origin=origin))
        if code in ("Throttling", "ThrottlingException", "RequestLimitExceeded"):
            return StsUnavailableError(
                f"STS is throttling requests (gave up after {MAX_ATTEMPTS} attempts); "
                "wait a minute and try again"
            )
        if isinstance(status, int) and status >= 500:
            return StsUnavailableError(
                f"STS failed with a server error (HTTP {status}) on {call}; try again later"
            )
        detail = f"{code}: {message}" if message else code or f"HTTP {status}"
        return StsRefusedError(f"STS refused {call} ({detail})")
    if isinstance(err, bx.ParamValidationError):
        return StsRefusedError(f"botocore refused the {call} parameters: {err}")
    if isinstance(err, (bx.ConnectTimeoutError, bx.ReadTimeoutError)):
        return StsUnavailableError(
            f"STS did not answer {call} in time ({MAX_ATTEMPTS} attempts); "
            "check your network, proxy and AWS_ENDPOINT_URL_STS"
        )
    if isinstance(err, bx.EndpointConnectionError):
        return StsUnavailableError(
            f"cannot connect to STS at {err.kwargs.get('endpoint_url', 'its endpoint')}; "
            "check your network, proxy and AWS_ENDPOINT_URL_STS"
        )
    if isinstance(err, (ResponseParserError, bx.HTTPClientError)):
        return StsUnavailableError(
            f"STS gave an answer to {call} that is not valid ({type(err).__name__}); "
            "try again later, and check AWS_ENDPOINT_URL_STS if you set it"
        )
    if isinstance(err, bx.BotoCoreError):
        return StsUnavailableError(f"calling STS {call} failed: {err}")
    raise err
