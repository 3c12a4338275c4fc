"""Trade long-term keys and an MFA code for temporary credentials at AWS STS.

This is the only module that imports botocore, and only inside functions:
most runs of aws-mfa find the credentials still valid and never get here.

It builds only what the two calls need. A botocore client would load the
models and endpoint rules of every AWS service, register hundreds of event
handlers and import botocore's documentation machinery: about as long as
everything else a renewal does. The STS query API is two form-encoded POSTs,
so :class:`StsHttpClient` signs them with botocore's own SigV4 signer, sends
them with botocore's HTTP session (proxies from the environment, botocore's
CA bundle or ``AWS_CA_BUNDLE``), and reads the XML answer with the standard
library, retrying throttling, server errors and lost connections as
botocore's standard retry mode does.

The request is made from the long-term keys alone: no profile, no config or
credentials file, so an ``AWS_PROFILE`` naming a profile that does not exist,
or a broken ``~/.aws/config``, cannot get in the way. The endpoint is
``AWS_ENDPOINT_URL_STS`` or ``AWS_ENDPOINT_URL`` when set (unless
``AWS_IGNORE_CONFIGURED_ENDPOINT_URLS`` is true), else STS's global endpoint
when no region is asked for, else ``sts.REGION.SUFFIX`` with the DNS suffix
of the region's partition in botocore's partition data (``amazonaws.com.cn``
for China). Timeouts and retries are bounded so that an endpoint that never
answers gives an error within :data:`MAX_WAIT` seconds.

:func:`get_session_token` and :func:`assume_role` take the client as a
parameter; tests hand in fakes or a client aimed at a local STS. Every
failure becomes an :class:`~aws_mfa.errors.AwsMfaError` whose message says
what to do, and never contains a secret.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from datetime import datetime, timezone

from aws_mfa import __version__
from aws_mfa.errors import AwsMfaError, StsRefusedError, StsUnavailableError
from aws_mfa.keys import LongTermKeys, TemporaryCredentials
from aws_mfa.records import Record

TYPE_CHECKING = False  # see aws_mfa.records: typing is not imported at run time
if TYPE_CHECKING:
    from typing import Any, Protocol

    class StsClient(Protocol):
        """The two calls aws-mfa makes, answering like botocore's client."""

        def get_session_token(self, **kwargs: Any) -> dict[str, Any]: ...

        def assume_role(self, **kwargs: Any) -> dict[str, Any]: ...


CONNECT_TIMEOUT = 3
"""Seconds to wait for a connection: STS answers in well under a second."""
READ_TIMEOUT = 5
"""Seconds to wait for an answer once connected."""
MAX_ATTEMPTS = 3
"""Attempts in all, so throttling and brief outages get two retries."""
MAX_BACKOFF = 4
"""Most seconds to wait before a retry (a random part of 1, then 2, then 4)."""
MAX_WAIT = 30
"""What the numbers above add up to at worst: 3 x (3 + 5) + 2 + 4."""

API_VERSION = "2011-06-15"
GLOBAL_ENDPOINT = "https://sts.amazonaws.com"
GLOBAL_SIGNING_REGION = "us-east-1"

RETRIED_CODES = frozenset(
    {
        "Throttling",
        "ThrottlingException",
        "ThrottledException",
        "RequestThrottledException",
        "TooManyRequestsException",
        "RequestLimitExceeded",
        "RequestThrottled",
        "PriorRequestNotComplete",
        "RequestTimeout",
        "RequestTimeoutException",
        "IDPCommunicationError",
    }
)
"""Error codes botocore's standard retry mode retries (those STS can answer with)."""
THROTTLING_CODES = frozenset(
    {"Throttling", "ThrottlingException", "RequestLimitExceeded", "RequestThrottled"}
)


class StsAnswerError(Exception):
    """STS answered with an error: its HTTP status, error code and message."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(f"HTTP {status} {code}")
        self.status, self.code, self.message = status, code, message


class StsTransportError(Exception):
    """No usable answer: ``kind`` is ``connect`` (``detail``: the URL), ``timeout``
    or ``invalid`` (``detail``: what was wrong with the answer)."""

    def __init__(self, kind: str, detail: str) -> None:
        super().__init__(detail)
        self.kind, self.detail = kind, detail


def endpoint(region: str | None, environ: Mapping[str, str] = os.environ) -> tuple[str, str]:
    """The URL to call and the region to sign for."""
    signing_region = region or GLOBAL_SIGNING_REGION
    ignore = environ.get("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS", "").lower() == "true"
    configured = environ.get("AWS_ENDPOINT_URL_STS") or environ.get("AWS_ENDPOINT_URL")
    if configured and not ignore:
        return configured, signing_region
    if region is None:
        return GLOBAL_ENDPOINT, signing_region
    return f"https://sts.{region}.{dns_suffix(region)}", signing_region


def dns_suffix(region: str) -> str:
    """The DNS suffix of ``region``'s partition, from botocore's partition data."""
    import re

    from botocore.loaders import Loader

    partitions = Loader().load_data("partitions")["partitions"]
    for partition in partitions:
        if region in partition["regions"]:
            return str(partition["outputs"]["dnsSuffix"])
    for partition in partitions:
        if re.match(partition["regionRegex"], region):
            return str(partition["outputs"]["dnsSuffix"])
    return "amazonaws.com"


class StsHttpClient:
    """GetSessionToken and AssumeRole over HTTPS, signed with botocore's SigV4."""

    def __init__(
        self, keys: LongTermKeys, region: str | None, environ: Mapping[str, str] = os.environ
    ) -> None:
        import random
        import time

        self.keys = keys
        self.url, self.region = endpoint(region, environ)
        self.verify: str | bool = environ.get("AWS_CA_BUNDLE") or True
        self.sleep = time.sleep
        self.random = random.random

    def get_session_token(self, **params: Any) -> dict[str, Any]:
        return self._call("GetSessionToken", params)

    def assume_role(self, **params: Any) -> dict[str, Any]:
        return self._call("AssumeRole", params)

    def _call(self, action: str, params: dict[str, Any]) -> dict[str, Any]:
        """Send ``action``, retrying what botocore retries; the answer as botocore gives it."""
        from urllib.parse import urlencode

        from botocore.httpsession import URLLib3Session
        from botocore.utils import get_environ_proxies

        form = {"Action": action, "Version": API_VERSION}
        form.update({key: str(value) for key, value in params.items()})
        body = urlencode(form).encode()
        # botocore's stubs say bool and int; botocore itself takes a CA bundle's
        # path and a (connect, read) pair, as its clients pass them.
        http = URLLib3Session(
            verify=self.verify,  # type: ignore[arg-type]
            proxies=get_environ_proxies(self.url),
            timeout=(CONNECT_TIMEOUT, READ_TIMEOUT),  # type: ignore[arg-type]
        )
        try:
            for attempt in range(1, MAX_ATTEMPTS + 1):
                try:
                    status, content = self._send(http, body)
                    return parse_answer(status, content)
                except (StsAnswerError, StsTransportError) as err:
                    if attempt == MAX_ATTEMPTS or not retried(err):
                        raise
                self.sleep(self.random() * min(2 ** (attempt - 1), MAX_BACKOFF))
        finally:
            http.close()
        raise AssertionError("unreachable")  # pragma: no cover

    def _send(self, http: Any, body: bytes) -> tuple[int, bytes]:
        from botocore import exceptions
        from botocore.auth import SigV4Auth
        from botocore.awsrequest import AWSRequest

        request = AWSRequest(
            method="POST",
            url=self.url,
            data=body,
            headers={
                "Content-Type": "application/x-www-form-urlencoded; charset=utf-8",
                "User-Agent": f"aws-mfa/{__version__}",
            },
        )
        signing_keys = _SigningKeys(self.keys.access_key_id, self.keys.secret_access_key, None)
        SigV4Auth(signing_keys, "sts", self.region).add_auth(request)  # type: ignore[arg-type]
        try:
            response = http.send(request.prepare())
        except (exceptions.ConnectTimeoutError, exceptions.ReadTimeoutError) as err:
            raise StsTransportError("timeout", str(err)) from None
        except (exceptions.ConnectionError, exceptions.HTTPClientError):  # refused, TLS, proxy
            raise StsTransportError("connect", self.url) from None
        return int(response.status_code), bytes(response.content)


class _SigningKeys(Record):
    """The three attributes botocore's signer reads from its credentials."""

    access_key: str
    secret_key: str
    token: str | None


def retried(err: StsAnswerError | StsTransportError) -> bool:
    """Whether botocore's standard retry mode would try again."""
    if isinstance(err, StsTransportError):
        return err.kind != "invalid"
    return err.code in RETRIED_CODES or err.status >= 500


def parse_answer(status: int, content: bytes) -> dict[str, Any]:
    """The answer to a query call, as botocore's client would return it; or an error."""
    from xml.etree import ElementTree

    try:
        # As botocore parses it: expat limits entity expansion, and ElementTree
        # never fetches external entities.
        root = ElementTree.fromstring(content)  # noqa: S314
    except ElementTree.ParseError:
        if status >= 300:
            raise StsAnswerError(status, "", "") from None
        raise StsTransportError("invalid", "the answer is not XML") from None
    found = {_local(node.tag): (node.text or "").strip() for node in root.iter()}
    if status >= 300 or _local(root.tag) == "ErrorResponse":
        raise StsAnswerError(status, found.get("Code", ""), found.get("Message", ""))
    credentials = next((node for node in root.iter() if _local(node.tag) == "Credentials"), None)
    if credentials is None:
        return {}
    fields: dict[str, Any] = {_local(node.tag): (node.text or "").strip() for node in credentials}
    try:
        fields["Expiration"] = datetime.fromisoformat(fields["Expiration"].replace("Z", "+00:00"))
    except (KeyError, ValueError):
        fields.pop("Expiration", None)
    return {"Credentials": fields}


def _local(tag: str) -> str:
    """An XML tag without its ``{namespace}``."""
    return tag.rpartition("}")[2]


def make_client(keys: LongTermKeys, region: str | None) -> StsClient:
    """An STS client for ``keys``; ``region`` None means the global endpoint."""
    return StsHttpClient(keys, region)


def get_session_token(
    client: StsClient, *, device: str, duration: int, code: str, origin: str
) -> TemporaryCredentials:
    """Call GetSessionToken; ``origin`` names the long-term key in errors."""
    try:
        answer = client.get_session_token(
            DurationSeconds=duration, SerialNumber=device, TokenCode=code
        )
    except (StsAnswerError, StsTransportError) as err:
        raise translate(err, device=device, role_arn=None, origin=origin) from None
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
    except (StsAnswerError, StsTransportError) as err:
        raise translate(err, device=device, role_arn=role_arn, origin=origin) from None
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


def translate(
    err: StsAnswerError | StsTransportError, *, device: str, role_arn: str | None, origin: str
) -> AwsMfaError:
    """A one-line, secret-free error for a failed STS call.

    ``origin`` says which long-term key made the call and where it is kept,
    for example ``access key ...WXYZ in [dev-long-term] of ~/.aws/credentials``.
    """
    call = f"AssumeRole({role_arn})" if role_arn else "GetSessionToken"
    if isinstance(err, StsTransportError):
        if err.kind == "timeout":
            return StsUnavailableError(
                f"STS did not answer {call} in time ({MAX_ATTEMPTS} attempts); "
                "check your network, proxy and AWS_ENDPOINT_URL_STS"
            )
        if err.kind == "connect":
            return StsUnavailableError(
                f"cannot connect to STS at {err.detail}; "
                "check your network, proxy and AWS_ENDPOINT_URL_STS"
            )
        return StsUnavailableError(
            f"STS gave an answer to {call} that is not valid ({err.detail}); "
            "try again later, and check AWS_ENDPOINT_URL_STS if you set it"
        )
    code, status = err.code, err.status
    message = err.message.strip().rstrip(".")
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
    if code in THROTTLING_CODES:
        return StsUnavailableError(
            f"STS is throttling requests (gave up after {MAX_ATTEMPTS} attempts); "
            "wait a minute and try again"
        )
    if status >= 500:
        return StsUnavailableError(
            f"STS failed with a server error (HTTP {status}) on {call}; try again later"
        )
    detail = f"{code}: {message}" if code and message else code or f"HTTP {status}"
    return StsRefusedError(f"STS refused {call} ({detail})")
