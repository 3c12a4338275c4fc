"""What aws-mfa asks IAM: the user's MFA devices, and the calls that rotate an access key.

``--setup`` offers the devices it finds, so that nobody has to find an ARN in
the console. It asks STS who the keys belong to (GetCallerIdentity, which
needs no permission), then IAM for that user's devices (ListMFADevices, which
the usual "deny everything without MFA" policy allows, so that a user can set
up MFA in the first place). The client is botocore's, built from the user's AWS
configuration exactly as :mod:`aws_mfa.aws.sts` builds its own.

It is best effort: when the keys, the network or a policy say no, the answer
is no devices and the reason, and ``--setup`` asks for the ARN instead.

``aws-mfa rotate`` (see :mod:`aws_mfa.rotation`) makes the calls of
:class:`Iam`, signed with the cached MFA session: IAM refuses session
credentials bought without MFA, and a usual policy denies key changes
without it. Each call is bounded in time as STS calls are, botocore retries
throttled calls, and every failure becomes a one-line
:class:`~aws_mfa.errors.AwsMfaError` that names the missing permission
(:func:`iam_error`). :func:`caller_arn` and :func:`prove` ask STS who signs,
the second with a new key until IAM accepts it.

What it does not do: decide the order of a rotation, write any file, or log a
secret (key ids are shown through :func:`aws_mfa.keys.mask`).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import datetime, timezone

from aws_mfa import log
from aws_mfa.aws.sts import (
    THROTTLING_CODES,
    AwsConfig,
    BoundedClient,
    StsAnswerError,
    StsTransportError,
    botocore_client,
    limits,
)
from aws_mfa.errors import AwsMfaError, StsRefusedError, StsUnavailableError, UsageError
from aws_mfa.keys import LongTermKeys, TemporaryCredentials, mask
from aws_mfa.records import Record

TYPE_CHECKING = False  # see aws_mfa.records: typing is not imported at run time
if TYPE_CHECKING:
    from typing import Any

LOOKUP_TIMEOUT = 10.0
"""Seconds the lookup may take in all: a person is waiting at the prompt."""


class Devices(Record):
    """The user's MFA device ARNs (serial numbers), or why none could be listed."""

    serials: list[str]
    problem: str = ""


def mfa_devices(
    keys: LongTermKeys, config: AwsConfig | None = None, timeout: float = LOOKUP_TIMEOUT
) -> Devices:
    """The MFA devices of the IAM user who owns ``keys`` (``config``: whose AWS settings
    the clients use; default: the default profile's)."""
    from botocore.exceptions import BotoCoreError, ClientError

    bounds, config = limits(timeout), config or AwsConfig()
    try:
        sts = botocore_client(keys, None, config, None, bounds)
        arn = str(sts.get_caller_identity()["Arn"])
        if ":user/" not in arn:
            return Devices([], "the keys are not an IAM user's")
        user = arn.rpartition("/")[2]
        iam = botocore_client(keys, None, config, None, bounds, service="iam")
        listed = iam.list_mfa_devices(UserName=user)["MFADevices"]
    except ClientError as err:
        return Devices([], str(err.response.get("Error", {}).get("Code", "refused")))
    except (BotoCoreError, ValueError, KeyError, TypeError) as err:
        return Devices([], type(err).__name__)
    return Devices([str(device["SerialNumber"]) for device in listed])


IAM_TIMEOUT = 30.0
"""Seconds each IAM call may take in all, retries of throttled calls included, unless the
caller gives its own (a rotation gives ``MFA_STS_TIMEOUT``)."""
ENDPOINT_HINT = (
    "check your network, proxy and the {0} endpoint (AWS_ENDPOINT_URL_{0}, endpoint_url)"
)
LIMIT_EXCEEDED = (
    "user {user} has two access keys already, the most IAM allows; remove the one you do not "
    "use ('aws iam list-access-keys --user-name {user}' lists them, 'aws iam "
    "delete-access-key --user-name {user} --access-key-id ID' removes one), then run again"
)
NOT_ACCEPTED = ("InvalidClientTokenId", "SignatureDoesNotMatch", "AccessDenied", "AuthFailure")
"""What STS answers a key IAM has not yet spread to every region's servers."""


class AccessKey(Record):
    """One of the user's access keys, as ListAccessKeys lists it (no secret)."""

    key_id: str
    status: str
    created: datetime | None

    def __repr__(self) -> str:
        return f"AccessKey({mask(self.key_id)}, {self.status})"


def client(
    signer: TemporaryCredentials | LongTermKeys,
    service: str,
    config: AwsConfig,
    region: str | None = None,
    timeout: float = IAM_TIMEOUT,
) -> BoundedClient:
    """A bounded botocore client of ``service`` signed with ``signer`` (a session, or keys)."""
    from botocore.exceptions import BotoCoreError

    if isinstance(signer, TemporaryCredentials):
        keys = LongTermKeys(signer.access_key_id, signer.secret_access_key)
        token: str | None = signer.session_token
    else:
        keys, token = signer, None
    bounds = limits(timeout)
    try:
        return BoundedClient(botocore_client(keys, region, config, token, bounds, service), bounds)
    except (BotoCoreError, ValueError) as err:
        raise UsageError(
            f"the AWS configuration cannot be used to call {service.upper()} "
            f"({type(err).__name__}); fix it in the AWS config file or the environment"
        ) from err


def caller_arn(sts: BoundedClient, action: str = "GetCallerIdentity") -> str:
    """Who signs ``sts``'s calls, as GetCallerIdentity answers (needs no permission)."""
    try:
        return str(sts.call("get_caller_identity")["Arn"])
    except (StsAnswerError, StsTransportError) as err:
        raise iam_error(err, action, "", service="STS") from err
    except KeyError as err:
        raise StsUnavailableError("STS answered GetCallerIdentity without an Arn") from err


def user_name(arn: str, where: str) -> str:
    """The IAM user's name in ``arn``; an error when it is not a user's (root, a role)."""
    if ":user/" not in arn:
        raise StsRefusedError(
            f"the access key in {where} is not an IAM user's ({arn}): aws-mfa rotates IAM "
            "users' keys; rotate other keys in the AWS console",
            sts_code="NotAUser",
        )
    return arn.rpartition("/")[2]


class Iam:
    """IAM's access-key calls for ``user``, made with ``iam`` (see :func:`client`)."""

    def __init__(self, iam: BoundedClient, user: str) -> None:
        self.iam, self.user = iam, user

    def _call(self, operation: str, action: str, **params: str) -> dict[str, Any]:
        log.debug("IAM %s for user %s", action, self.user)
        try:
            return self.iam.call(operation, **params)
        except (StsAnswerError, StsTransportError) as err:
            raise iam_error(err, action, self.user) from err

    def access_keys(self) -> list[AccessKey]:
        """The user's access keys, oldest first."""
        answer = self._call("list_access_keys", "ListAccessKeys", UserName=self.user)
        listed = answer.get("AccessKeyMetadata")
        found = [
            AccessKey(
                str(key["AccessKeyId"]), str(key.get("Status", "")), utc(key.get("CreateDate"))
            )
            for key in (listed if isinstance(listed, list) else [])
        ]
        return sorted(
            found, key=lambda key: key.created or datetime.min.replace(tzinfo=timezone.utc)
        )

    def create(self) -> tuple[LongTermKeys, datetime]:
        """A new access key of the user: its pair, and when IAM created it."""
        answer = self._call("create_access_key", "CreateAccessKey", UserName=self.user)
        created = answer.get("AccessKey")
        if not isinstance(created, dict) or not created.get("SecretAccessKey"):
            raise StsUnavailableError("IAM answered CreateAccessKey without a key")
        keys = LongTermKeys(str(created["AccessKeyId"]), str(created["SecretAccessKey"]))
        return keys, utc(created.get("CreateDate")) or datetime.now(timezone.utc)

    def deactivate(self, key_id: str) -> None:
        self._call(
            "update_access_key",
            "UpdateAccessKey",
            UserName=self.user,
            AccessKeyId=key_id,
            Status="Inactive",
        )

    def delete(self, key_id: str) -> None:
        self._call("delete_access_key", "DeleteAccessKey", UserName=self.user, AccessKeyId=key_id)

    def last_used(self, key_id: str) -> str:
        """When the key was last used, in words: ``never used``, ``last used 2026-11-22``."""
        try:
            answer = self._call(
                "get_access_key_last_used", "GetAccessKeyLastUsed", AccessKeyId=key_id
            )
        except AwsMfaError as err:
            return f"last use unknown: {err.message.partition(':')[0]}"
        used = answer.get("AccessKeyLastUsed")
        when = utc(used.get("LastUsedDate")) if isinstance(used, dict) else None
        return f"last used {when:%Y-%m-%d}" if when else "never used"


def utc(value: object) -> datetime | None:
    """A time botocore parsed, in UTC; None when there is none."""
    if not isinstance(value, datetime):
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=timezone.utc)
    return value.astimezone(timezone.utc)


def iam_error(
    err: StsAnswerError | StsTransportError, action: str, user: str, service: str = "IAM"
) -> AwsMfaError:
    """One line, no secret, for a failed call: the permission to add, the limit, the user."""
    if isinstance(err, StsTransportError):
        said = {"connect": "cannot be reached", "timeout": "did not answer in time"}
        return StsUnavailableError(
            f"{service} {said.get(err.kind, 'gave no usable answer')} on {action} "
            f"({err.detail}); {ENDPOINT_HINT.format(service)}"
        )
    code = err.code
    if code in THROTTLING_CODES:
        return StsUnavailableError(
            f"{service} is throttling requests (gave up on {action} after {err.attempts} "
            "attempts); wait a minute and run again"
        )
    if err.status >= 500:
        return StsUnavailableError(
            f"{service} failed with a server error (HTTP {err.status}) on {action}; try again later"
        )
    if code == "AccessDenied":
        return StsRefusedError(
            f"IAM denied iam:{action} to user {user}: allow it in the user's policy "
            "(docs/rotation.md has the policy to paste)",
            sts_code=code,
        )
    if code == "LimitExceeded":
        return StsRefusedError(LIMIT_EXCEEDED.format(user=user), sts_code=code)
    if code == "NoSuchEntity":
        return StsRefusedError(
            f"IAM cannot find user {user!r} ({action}): it was deleted or renamed; check the keys "
            "in the file",
            sts_code=code,
        )
    detail = log.one_line(f"{code}: {err.message}" if code else f"HTTP {err.status}")
    return StsRefusedError(f"{service} refused {action} ({detail})", sts_code=code)


def prove(
    keys: LongTermKeys,
    config: AwsConfig,
    expected_arn: str,
    *,
    within: float,
    region: str | None = None,
    sleep: Callable[[float], None] = time.sleep,
    clock: Callable[[], float] = time.monotonic,
    timeout: float = IAM_TIMEOUT,
) -> str | None:
    """Ask STS who signs with the new ``keys`` until it answers ``expected_arn``, for at most
    ``within`` seconds, waiting longer each time (1, 2, 4, then 8 seconds); None when it
    did, else why not. Each wait is said on one line: IAM takes 10 to 20 seconds to spread a
    new key. Each attempt may take ``timeout`` seconds (``MFA_STS_TIMEOUT``), and no more
    than ``within``."""
    start, wait, attempt = clock(), 1.0, 0
    sts = client(keys, "sts", config, region, timeout=min(timeout, within))
    while True:
        attempt += 1
        try:
            arn = caller_arn(sts)
            if arn == expected_arn:
                return None
            return (
                f"STS says the new key {mask(keys.access_key_id)} is {arn}'s, not {expected_arn}'s"
            )
        except StsRefusedError as err:
            if err.sts_code not in NOT_ACCEPTED:
                return err.message
            why = f"not accepted yet ({err.sts_code})"
        except StsUnavailableError as err:
            why = err.message.partition(";")[0]
        spent = clock() - start
        if spent + wait > within:
            new = mask(keys.access_key_id)
            return f"STS did not accept the new key {new} within {within:g} seconds ({why})"
        log.info(
            "Waiting for IAM to spread the new key %s: attempt %d %s, %.0f s so far; trying "
            "again in %g s",
            mask(keys.access_key_id),
            attempt,
            why,
            spent,
            wait,
        )
        sleep(wait)
        wait = min(wait * 2, 8.0)
