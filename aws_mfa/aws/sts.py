"""Trade long-term keys and an MFA code for temporary credentials at AWS STS.

This is the only module that builds an STS client, and it imports
botocore only inside functions: most runs of aws-mfa find the credentials
still valid and never get here. (The write check imports botocore too, for
its reader only.)

The client is botocore's, built from the user's AWS configuration as the AWS
SDK builds it (see :func:`make_client`): the region, every endpoint setting
(``endpoint_url`` in the profile or its ``services`` section,
``AWS_ENDPOINT_URL_STS``, the switches that ignore them, FIPS, dual-stack,
``sts_regional_endpoints``), the CA bundle (``ca_bundle``, ``AWS_CA_BUNDLE``,
``REQUESTS_CA_BUNDLE``), proxies, ``max_attempts``, ``retry_mode``,
``defaults_mode`` and ``sdk_ua_app_id``. It is signed with the keys given to
it, never with what the default credential chain would find.

What aws-mfa adds is its promise to fail fast: each attempt may wait
:data:`CONNECT_TIMEOUT` seconds to connect and :data:`READ_TIMEOUT` seconds
for each read, and the whole call, retries and their waits included, is cut
off after :data:`TOTAL_TIMEOUT` seconds (``MFA_STS_TIMEOUT``), however
slowly an answer trickles in.

:func:`get_session_token`, :func:`assume_role` and :func:`get_federation_token`
(for ``console``) take the client as a parameter; tests hand in fakes or a
client aimed at a local STS. They check every answer before anything is
written (:func:`check_answer`). Every failure becomes an
:class:`~aws_mfa.errors.AwsMfaError` whose message says what to do, and
never contains a secret.

What it does not do: choose the region or the profile (settings do), or
write anything.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from datetime import datetime, timezone

from aws_mfa import __version__
from aws_mfa.clock import utc_now
from aws_mfa.errors import AwsMfaError, StsRefusedError, StsUnavailableError, UsageError
from aws_mfa.keys import SECRET_FIELDS, LongTermKeys, TemporaryCredentials
from aws_mfa.records import Record

TYPE_CHECKING = False  # see aws_mfa.records: typing is not imported at run time
if TYPE_CHECKING:
    from typing import Any, Protocol

    class StsClient(Protocol):
        """The calls aws-mfa makes, answering like botocore's client."""

        def get_session_token(self, **kwargs: Any) -> dict[str, Any]: ...

        def assume_role(self, **kwargs: Any) -> dict[str, Any]: ...

        def get_federation_token(self, **kwargs: Any) -> dict[str, Any]: ...


CONNECT_TIMEOUT = 3.0
"""Seconds to wait for a connection: STS answers in well under a second."""
READ_TIMEOUT = 5.0
"""Seconds to wait for each read once connected."""
TOTAL_TIMEOUT = 30.0
"""Seconds the whole call may take, retries included (``MFA_STS_TIMEOUT``)."""
MAX_ATTEMPTS = 3
"""Attempts in all unless ``max_attempts`` is configured: two retries."""
RETRY_MODE = "standard"
"""botocore's retry mode unless ``retry_mode`` or ``defaults_mode`` is configured."""

GLOBAL_SIGNING_REGION = "us-east-1"
"""The region requests are signed for when a configured endpoint is used and no region is set."""

THROTTLING_CODES = frozenset(
    {"Throttling", "ThrottlingException", "RequestLimitExceeded", "RequestThrottled"}
)
CA_BUNDLE_SETTINGS = "ca_bundle in the AWS config file, AWS_CA_BUNDLE or REQUESTS_CA_BUNDLE"


class StsAnswerError(Exception):
    """STS answered with an error: its HTTP status, error code, message and attempts made."""

    def __init__(self, status: int, code: str, message: str, attempts: int = 1) -> None:
        super().__init__(f"HTTP {status} {code}")
        self.status, self.code, self.message, self.attempts = status, code, message, attempts


class StsTransportError(Exception):
    """No usable answer: ``kind`` is ``connect``, ``tls`` (``detail``: the URL and why),
    ``timeout`` (``detail``: "within N seconds" or "in time"), ``invalid`` or ``failed``."""

    def __init__(self, kind: str, detail: str) -> None:
        super().__init__(detail)
        self.kind, self.detail = kind, detail


class AwsConfig(Record):
    """Whose AWS configuration the client reads: the first of ``profiles`` botocore knows.

    botocore knows a profile named in either file (``[profile dev]`` or
    ``[default]`` in the config file, ``[dev]`` in the credentials file).
    When it knows none of them, the client reads ``[default]``, as botocore
    does with no profile set. ``AWS_PROFILE`` and ``AWS_DEFAULT_PROFILE``
    never choose it: aws-mfa has already chosen.
    """

    profiles: tuple[str, ...] = ()
    config_file: str | None = None
    credentials_file: str | None = None
    credentials_profiles: Mapping[str, Mapping[str, str]] | None = None
    """The credentials file's sections among ``profiles``, as aws-mfa read them (its
    reader agrees with botocore's), [DEFAULT] included: botocore then takes them
    from here instead of parsing the whole file again. None: botocore reads the file."""


class Scope(Record):
    """What an AssumeRole carries beyond the role: session policies, which narrow what its
    credentials may do, and the attribution of an agent's session (docs/agents.md).

    ``agent`` names the agent it is for ("" for a person's hand-out): such a role is assumed
    from the MFA session alone, never straight from the long-term keys."""

    policy_arns: tuple[str, ...] = ()
    policy: str | None = None
    """An inline session policy: compact JSON."""
    source_identity: str | None = None
    tags: tuple[tuple[str, str], ...] = ()
    agent: str = ""

    def params(self) -> dict[str, Any]:
        """Its parameters of AssumeRole."""
        params: dict[str, Any] = {}
        if self.policy_arns:
            params["PolicyArns"] = [{"arn": arn} for arn in self.policy_arns]
        if self.policy is not None:
            params["Policy"] = self.policy
        if self.source_identity:
            params["SourceIdentity"] = self.source_identity
        if self.tags:
            params["Tags"] = [{"Key": key, "Value": value} for key, value in self.tags]
        return params


class Limits(Record):
    """How long a call may take, in seconds."""

    connect: float = CONNECT_TIMEOUT
    read: float = READ_TIMEOUT
    total: float = TOTAL_TIMEOUT

    @property
    def backoff_scale(self) -> float:
        """A shorter total bound shortens the waits between attempts in proportion."""
        return min(1.0, self.total / TOTAL_TIMEOUT)


def limits(total: float = TOTAL_TIMEOUT) -> Limits:
    """The limits of a call that may take ``total`` seconds in all (``MFA_STS_TIMEOUT``)."""
    return Limits(min(CONNECT_TIMEOUT, total), min(READ_TIMEOUT, total), total)


def make_client(
    keys: LongTermKeys,
    region: str | None,
    *,
    config: AwsConfig = AwsConfig(),  # noqa: B008 (an immutable record)
    session_token: str | None = None,
    timeout: float = TOTAL_TIMEOUT,
) -> StsClient:
    """A botocore STS client signed with ``keys`` (and ``session_token``), bounded in time.

    ``region`` None lets botocore choose, as it would for the profile: its
    ``region``, else ``AWS_DEFAULT_REGION``, else STS's global endpoint.
    botocore reads its settings from ``os.environ``, as it always does;
    ``timeout`` is aws-mfa's own total bound (``MFA_STS_TIMEOUT``).
    Configuration that cannot work (an unreadable file, a bad value) is a
    :class:`~aws_mfa.errors.UsageError`, raised before any code is asked for.
    """
    bounds = limits(timeout)
    from botocore.exceptions import BotoCoreError

    try:
        client = botocore_client(keys, region, config, session_token, bounds)
    except (BotoCoreError, ValueError) as err:
        where = f"profile {config.profiles[0]!r}" if config.profiles else "the default profile"
        raise UsageError(
            f"the AWS configuration of {where} cannot be used to call STS "
            f"({_one_line(err)!r}); fix it in the AWS config file or the environment"
        ) from err
    return BoundedClient(client, bounds)


def botocore_client(
    keys: LongTermKeys,
    region: str | None,
    config: AwsConfig,
    session_token: str | None,
    bounds: Limits,
    service: str = "sts",
) -> Any:
    """botocore's client of ``service``, built as boto3 builds it, without importing boto3.

    boto3's ``Session.client`` hands these same arguments to botocore's
    ``create_client``; what boto3 adds (resources, S3 transfers) is nothing
    STS or IAM uses, and importing it costs every renewal about 25 ms.
    """
    from botocore.config import Config

    core = botocore_session(config)
    client_config = Config(
        connect_timeout=bounds.connect,
        read_timeout=bounds.read,
        retries=retry_config(core, os.environ),  # type: ignore[arg-type]
        user_agent_extra=f"aws-mfa/{__version__}",
    )
    arguments = {
        "aws_access_key_id": keys.access_key_id,
        "aws_secret_access_key": keys.secret_access_key,
        "aws_session_token": session_token,
        "config": client_config,
    }
    client = core.create_client(service, region_name=region, **arguments)
    if client.meta.region_name is None:
        # A configured endpoint and no region anywhere: botocore could not sign.
        # Sign for STS's global region, as the global endpoint is signed.
        client = core.create_client(service, region_name=GLOBAL_SIGNING_REGION, **arguments)
    _scale_backoff(client, bounds.backoff_scale)
    return client


def botocore_session(config: AwsConfig) -> Any:
    """botocore's session for the first of ``config.profiles`` that it knows."""
    import botocore.session

    core = botocore.session.Session()
    if config.config_file is not None:
        core.set_config_variable("config_file", config.config_file)
    if config.credentials_profiles is not None:
        core.set_config_variable("credentials_file", os.devnull)
        _add_credentials_profiles(core.full_config["profiles"], config.credentials_profiles)
    elif config.credentials_file is not None:
        core.set_config_variable("credentials_file", config.credentials_file)
    known = set(core.available_profiles)
    core.set_config_variable("profile", next((p for p in config.profiles if p in known), None))
    return core


def _add_credentials_profiles(
    profiles: dict[str, dict[str, Any]], sections: Mapping[str, Mapping[str, str]]
) -> None:
    """Merge ``sections`` into botocore's ``profiles`` as botocore merges the credentials file.

    As ``botocore.configloader.raw_config_parse`` does: [DEFAULT]'s values
    in every section, a value starting with a newline read as nested keys
    (a line without ``=`` there is a ValueError, as in botocore), and the
    credentials file's values over the config file's.
    """
    defaults = sections.get("DEFAULT", {})
    for name, values in sections.items():
        if name == "DEFAULT":
            continue
        merged: dict[str, Any] = {}
        for key, value in {**defaults, **values}.items():
            merged[key] = _nested(value) if value.startswith("\n") else value
        profiles.setdefault(name, {}).update(merged)


def _nested(value: str) -> dict[str, str]:
    pairs = (line.strip().split("=", 1) for line in value.splitlines() if line.strip())
    return {key.strip(): text.strip() for key, text in pairs}


def retry_config(core: Any, environ: Mapping[str, str]) -> dict[str, Any]:
    """aws-mfa's retries (standard mode, 3 attempts) where the user configured none.

    A ``max_attempts`` (``AWS_MAX_ATTEMPTS``) replaces the attempts; a
    ``retry_mode`` (``AWS_RETRY_MODE``) or ``defaults_mode``
    (``AWS_DEFAULTS_MODE``) lets botocore choose the mode as it always does.
    """
    scoped = core.get_scoped_config()
    retries: dict[str, Any] = {}
    if core.get_config_variable("max_attempts") is None:
        retries["total_max_attempts"] = MAX_ATTEMPTS
    chosen = (
        environ.get("AWS_RETRY_MODE")
        or scoped.get("retry_mode")
        or environ.get("AWS_DEFAULTS_MODE")
        or scoped.get("defaults_mode")
    )
    if not chosen:
        retries["mode"] = RETRY_MODE
    return retries


def _scale_backoff(client: Any, scale: float) -> None:
    """Shorten botocore's waits between attempts by ``scale`` (1.0: leave them)."""
    if scale >= 1.0:
        return
    events = client.meta.events
    unique_id = "retry-config-" + client.meta.service_model.service_id.hyphenize()
    emitter = getattr(events, "_emitter", events)
    entry = getattr(emitter, "_unique_id_handlers", {}).get(unique_id)
    if entry is None:  # another botocore: its own waits stay, bounded by the total
        return
    original = entry["handler"]

    def needs_retry(**kwargs: Any) -> float | None:
        delay = original(**kwargs)
        return None if delay is None else delay * scale

    event = "needs-retry." + client.meta.service_model.service_id.hyphenize()
    events.unregister(event, unique_id=unique_id)
    events.register(event, needs_retry, unique_id=unique_id)


class DeadlinePassed(Exception):
    """Raised inside the client when an attempt would start after the total bound."""


class BoundedClient:
    """botocore's STS client with a total deadline, its failures as the two errors above."""

    def __init__(self, client: Any, bounds: Limits) -> None:
        self.client, self.bounds = client, bounds
        self.url = str(client.meta.endpoint_url)

    def get_session_token(self, **params: Any) -> dict[str, Any]:
        return self._call(self.client.get_session_token, params)

    def assume_role(self, **params: Any) -> dict[str, Any]:
        return self._call(self.client.assume_role, params)

    def call(self, operation: str, **params: Any) -> dict[str, Any]:
        """Any call of the client by its Python name (``get_caller_identity``), bounded alike."""
        return self._call(getattr(self.client, operation), params)

    def get_federation_token(self, **params: Any) -> dict[str, Any]:
        return self._call(self.client.get_federation_token, params)

    def _call(self, method: Any, params: dict[str, Any]) -> dict[str, Any]:
        """Run the call in a worker thread and stop waiting for it at the deadline.

        A read timeout applies to each read, so an answer sent one byte at a
        time could hold the call for minutes; the deadline does not move.
        """
        import threading
        import time

        end = time.monotonic() + self.bounds.total
        outcome: dict[str, Any] = {}

        def stop_late_attempts(**kwargs: Any) -> None:
            if time.monotonic() >= end:
                raise DeadlinePassed

        def work() -> None:
            try:
                outcome["answer"] = method(**params)
            except Exception as err:  # handed to the waiting thread
                outcome["error"] = err

        self.client.meta.events.register("before-send", stop_late_attempts)
        worker = threading.Thread(target=work, name="aws-mfa-sts", daemon=True)
        worker.start()
        worker.join(self.bounds.total)
        if worker.is_alive() or isinstance(outcome.get("error"), DeadlinePassed):
            within = f"within {self.bounds.total:g} seconds"
            raise StsTransportError("timeout", within) from outcome.get("error")
        if "error" in outcome:
            raise self.failure(outcome["error"]) from outcome["error"]
        return dict(outcome["answer"])

    def failure(self, err: Exception) -> Exception:
        """``err`` from botocore as :class:`StsAnswerError` or :class:`StsTransportError`."""
        from botocore import exceptions
        from botocore.parsers import ResponseParserError

        if isinstance(err, exceptions.ClientError):
            error = err.response.get("Error", {})
            meta = err.response.get("ResponseMetadata", {})
            status = int(meta.get("HTTPStatusCode") or 0)
            code = str(error.get("Code", ""))
            if code == str(status):  # botocore's code for an answer that is not XML
                code = ""
            message = str(error.get("Message", ""))
            return StsAnswerError(status, code, message, int(meta.get("RetryAttempts", 0)) + 1)
        if isinstance(err, exceptions.SSLError):
            return StsTransportError("tls", f"{self.url} ({_one_line(err.kwargs.get('error'))})")
        if isinstance(err, (exceptions.ConnectTimeoutError, exceptions.ReadTimeoutError)):
            return StsTransportError("timeout", "in time")
        if isinstance(err, (exceptions.ConnectionError, exceptions.HTTPClientError)):
            return StsTransportError("connect", self.url)
        if isinstance(err, (ResponseParserError, ValueError)):
            # Never the exception's text: it may quote the answer, secrets and all.
            return StsTransportError("invalid", "it cannot be parsed")
        if isinstance(err, exceptions.BotoCoreError):
            # Only the class's name: some messages quote the parameters sent.
            return StsTransportError("failed", type(err).__name__)
        return err


def _one_line(value: object) -> str:
    return " ".join(str(value).split())


def endpoint(
    region: str | None,
    environ: Mapping[str, str] = os.environ,
    config: AwsConfig = AwsConfig(),  # noqa: B008 (an immutable record)
) -> tuple[str, str]:
    """The URL a GetSessionToken call would go to, and the region it would be signed for.

    Found by building the real client and stopping its request at
    botocore's ``before-send`` event: nothing leaves the machine. When the
    AWS files cannot be read (``doctor`` reports that), only the environment
    counts.
    """
    keys = LongTermKeys("AKIAEXAMPLE", "unused")
    try:
        bounded = make_client(keys, region, config=config)
    except UsageError:  # files botocore cannot read: the environment's endpoint alone
        bounded = make_client(keys, region, config=AwsConfig((), os.devnull, os.devnull))
    return would_send(bounded.client)  # type: ignore[attr-defined]


def would_send(client: Any) -> tuple[str, str]:
    """The URL and signing region of ``client``'s next GetSessionToken, without sending it."""
    seen: dict[str, str] = {}

    class Caught(Exception):
        pass

    def catch(request: Any, **kwargs: Any) -> None:
        seen["url"] = str(request.url).rstrip("/")
        authorization = request.headers.get("Authorization", b"")
        if isinstance(authorization, bytes):
            authorization = authorization.decode()
        scope = authorization.partition("Credential=")[2].split(",")[0].split("/")
        seen["region"] = scope[2] if len(scope) > 2 else ""
        raise Caught

    client.meta.events.register_first("before-send", catch)
    try:
        client.get_session_token()
    except Caught:
        pass
    finally:
        client.meta.events.unregister("before-send", catch)
    return seen["url"], seen["region"]


def get_session_token(
    client: StsClient,
    *,
    device: str,
    duration: int,
    code: str,
    origin: str,
    now: datetime | None = None,
    kept_in: str = "file",
) -> TemporaryCredentials:
    """Call GetSessionToken; ``origin`` names the long-term key in errors, and
    ``kept_in`` says where its secret came from: ``file``, ``keychain`` or ``command``."""
    try:
        answer = client.get_session_token(
            DurationSeconds=duration, SerialNumber=device, TokenCode=code
        )
    except (StsAnswerError, StsTransportError) as err:
        raise translate(err, device=device, role_arn=None, origin=origin, kept_in=kept_in) from err
    return check_answer(answer, "GetSessionToken", now or utc_now())


def assume_role(
    client: StsClient,
    *,
    role_arn: str,
    session_name: str,
    duration: int,
    origin: str,
    device: str | None = None,
    code: str | None = None,
    external_id: str | None = None,
    now: datetime | None = None,
    kept_in: str = "file",
    scope: Scope | None = None,
) -> TemporaryCredentials:
    """Call AssumeRole; ``origin`` names the signing key in errors (see
    :func:`get_session_token` for ``kept_in``).

    With ``device`` and ``code`` the call carries the MFA code (signed with
    long-term keys); without them it relies on the MFA context of the MFA
    session that signed it. ``scope``: the session policies, SourceIdentity and tags
    it carries.
    """
    params: dict[str, Any] = {
        "RoleArn": role_arn,
        "RoleSessionName": session_name,
        "DurationSeconds": duration,
    }
    if device and code:
        params.update(SerialNumber=device, TokenCode=code)
    if external_id:
        params["ExternalId"] = external_id
    if scope is not None:
        params.update(scope.params())
    try:
        answer = client.assume_role(**params)
    except (StsAnswerError, StsTransportError) as err:
        raise translate(
            err,
            device=device or "",
            role_arn=role_arn,
            origin=origin,
            kept_in=kept_in,
        ) from err
    return check_answer(answer, f"AssumeRole({role_arn})", now or utc_now())


def get_federation_token(
    client: StsClient,
    *,
    name: str,
    duration: int,
    policy: str | None,
    policy_arns: tuple[str, ...],
    origin: str,
    now: datetime | None = None,
    kept_in: str = "file",
) -> TemporaryCredentials:
    """Call GetFederationToken (``aws-mfa console`` without a role): signed with the
    long-term keys, with no MFA code, as STS allows it no other way. ``policy`` (inline
    JSON) or ``policy_arns`` (managed policies) limit what the token may do."""
    params: dict[str, Any] = {"Name": name, "DurationSeconds": duration}
    if policy is not None:
        params["Policy"] = policy
    if policy_arns:
        params["PolicyArns"] = [{"arn": arn} for arn in policy_arns]
    call = f"GetFederationToken({name})"
    try:
        answer = client.get_federation_token(**params)
    except (StsAnswerError, StsTransportError) as err:
        raise translate(
            err, device="", role_arn=None, origin=origin, kept_in=kept_in, call=call
        ) from err
    return check_answer(answer, call, now or utc_now())


LONGEST_SESSION = 129600 + 300
"""Seconds ahead an answer's Expiration may be: GetSessionToken's 36 hours, the longest
STS gives, and five minutes for clocks that disagree."""


def answer_problem(answer: Any, now: datetime) -> str | None:
    """What makes STS's answer unfit to write, or None. Never quotes a value."""
    creds = answer.get("Credentials") if isinstance(answer, dict) else None
    if not isinstance(creds, dict):
        return "no credentials"
    for field in SECRET_FIELDS:
        value = creds.get(field)
        if not isinstance(value, str) or not value:
            return f"an empty {field}"
        if any(ord(char) < 32 or 127 <= ord(char) < 160 for char in value):
            return f"a control character in {field}"
        if value != value.strip():
            return f"spaces around {field}"
    expiration = creds.get("Expiration")
    if not isinstance(expiration, datetime):
        return "no Expiration" if expiration is None else "an Expiration that is not a time"
    if expiration.tzinfo is None:
        expiration = expiration.replace(tzinfo=timezone.utc)
    if expiration <= now:
        return "an Expiration in the past"
    if (expiration - now).total_seconds() > LONGEST_SESSION:
        return "an Expiration later than any session STS gives"
    return None


def check_answer(answer: Any, call: str, now: datetime) -> TemporaryCredentials:
    """The credentials in STS's answer, or an error when any part is unfit to write."""
    problem = answer_problem(answer, now)
    if problem:
        raise StsUnavailableError(
            f"STS answered {call} with {problem}; nothing was written. Try again, and "
            "check the STS endpoint (AWS_ENDPOINT_URL_STS, endpoint_url) if you set one"
        )
    creds = answer["Credentials"]
    expiration: datetime = creds["Expiration"]
    if expiration.tzinfo is None:
        expiration = expiration.replace(tzinfo=timezone.utc)
    return TemporaryCredentials(
        access_key_id=creds["AccessKeyId"],
        secret_access_key=creds["SecretAccessKey"],
        session_token=creds["SessionToken"],
        expiration=expiration.astimezone(timezone.utc),
    )


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
ELSEWHERE_REFUSED = {
    "keychain": (
        "STS says the secret key kept in the OS keychain for the {origin} does not match it: "
        "the keychain's entry is wrong or out of date; run 'aws-mfa keychain export', put the "
        "right aws_secret_access_key in that section, then 'aws-mfa keychain import'"
    ),
    "command": (
        "STS says the secret key that aws_mfa_secret_command printed for the {origin} does not "
        "match it: the password manager's entry is wrong or out of date, or the command reads "
        "another entry; put the right secret there"
    ),
}
"""What to say when STS rejects a secret kept elsewhere than the section, by where."""
ENDPOINT_HINT = (
    "check your network, proxy and the STS endpoint (AWS_ENDPOINT_URL_STS, endpoint_url)"
)


def translate(
    err: StsAnswerError | StsTransportError,
    *,
    device: str,
    role_arn: str | None,
    origin: str,
    kept_in: str = "file",
    call: str = "",
) -> AwsMfaError:
    """A one-line, secret-free error for a failed STS call.

    ``origin`` says which long-term key made the call and where it is kept,
    for example ``access key ...WXYZ in [dev-long-term] of ~/.aws/credentials``;
    ``kept_in``: where its secret came from, ``file`` (that section), ``keychain`` (the
    OS keychain) or ``command`` (a password manager's command);
    ``call`` names the call when it is neither AssumeRole nor GetSessionToken.
    """
    call = call or (f"AssumeRole({role_arn})" if role_arn else "GetSessionToken")
    if isinstance(err, StsTransportError):
        return _transport_error(err, call)
    code, status = err.code, err.status
    message = _one_line(err.message).rstrip(".")
    if code in THROTTLING_CODES:
        return StsUnavailableError(
            f"STS is throttling requests (gave up after {err.attempts} attempts); "
            "wait a minute and try again"
        )
    if status >= 500:
        return StsUnavailableError(
            f"STS failed with a server error (HTTP {status}) on {call}; try again later"
        )
    detail = f"{code}: {message}" if code and message else code or f"HTTP {status}"
    if code == "SignatureDoesNotMatch" and kept_in in ELSEWHERE_REFUSED:
        refused = ELSEWHERE_REFUSED[kept_in].format(origin=origin)
        return StsRefusedError(refused, sts_code=code)
    return StsRefusedError(refusal(code, message, call, device, origin, detail), sts_code=code)


TRUST_ACTIONS = {
    "sts:SetSourceIdentity": "aws_mfa_source_identity",
    "sts:TagSession": "aws_mfa_agent_tags",
}
"""What an agent's AssumeRole needs beyond sts:AssumeRole in the role's trust policy, and the
setting that asks for it."""


def refusal(code: str, message: str, call: str, device: str, origin: str, detail: str) -> str:
    """What to tell the user when STS said no to ``call``."""
    if code == "AccessDenied" and "MultiFactorAuthentication" in message:
        return (
            f"STS rejected the MFA code for device {device} ({message}); "
            "wait for the next code and try again, and check the device ARN"
        )
    for action, setting in TRUST_ACTIONS.items():
        if code == "AccessDenied" and action in message:
            return (
                f"STS denied {call}: the role's trust policy does not allow {action} to the "
                f'caller; add "{action}" to the Action of the trust policy\'s statement that '
                f"allows sts:AssumeRole, or remove {setting} from the profile"
            )
    if code == "AccessDenied":
        return (
            f"STS denied {call}: {message or 'access denied'}; check the MFA code, "
            "the device and that your IAM user may make this call"
        )
    if code in REFUSALS:
        return REFUSALS[code].format(origin=origin)
    return f"STS refused {call} ({detail})"


def _transport_error(err: StsTransportError, call: str) -> AwsMfaError:
    if err.kind == "timeout":
        return StsUnavailableError(f"STS did not answer {call} {err.detail}; {ENDPOINT_HINT}")
    if err.kind == "connect":
        return StsUnavailableError(f"cannot connect to STS at {err.detail}; {ENDPOINT_HINT}")
    if err.kind == "tls":
        return StsUnavailableError(
            f"cannot verify the TLS certificate of STS at {err.detail}; behind a proxy that "
            f"inspects TLS, give its CA certificate with {CA_BUNDLE_SETTINGS}"
        )
    if err.kind == "failed":
        return StsUnavailableError(
            f"the call {call} failed in botocore ({err.detail}); run with --log-level DEBUG "
            "to see why, and check your AWS configuration for this profile"
        )
    return StsUnavailableError(
        f"STS gave an answer to {call} that is not valid ({err.detail}); "
        "try again later, and check AWS_ENDPOINT_URL_STS and endpoint_url if you set them"
    )
