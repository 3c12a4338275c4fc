"""IAM and STS as ``aws-mfa rotate`` meets them: keys that must be real, MFA, and a lag.

moto serves IAM on the local STS's server (``AWS_ENDPOINT_URL_IAM``), and
keeps the users and access keys. It accepts any key, though: GetCallerIdentity
signed by a key IAM never made answers ``user/moto``. :class:`IamLayer`
answers what moto does not, as AWS does, and lets moto do the rest:

- a request signed with long-term keys must carry an **active** access key of
  moto's IAM, and its real signature (the local STS checks it with the key's
  secret, read from moto: :class:`LiveSecrets`); a new key (any but the test
  keys) is refused with ``InvalidClientTokenId`` its first ``lag`` times, as
  IAM's eventual consistency refuses it for 10 to 20 seconds. Counted, not
  timed: how busy the machine is never changes what a test sees;
- GetCallerIdentity answers the ARN of the user whose key signed it, also
  through a session bought with that key (:class:`~tests.strict_sts.StrictSts`
  answers GetSessionToken: every session is new and distinct);
- an IAM call must be signed with a session bought with an MFA code, as a
  "deny without MFA" policy demands; ``denied`` actions answer AccessDenied,
  ``throttled`` ones Throttling a given number of times.

The test keys (``LONG_TERM_KEY_ID``) are put in moto as alice's only key.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Any

import pytest

from aws_mfa.demo import LocalSts, sts_error
from tests.conftest import LONG_TERM_KEY_ID, LONG_TERM_SECRET
from tests.strict_sts import StrictSts

ACCOUNT = "123456789012"
USER = "alice"
USER_ARN = f"arn:aws:iam::{ACCOUNT}:user/{USER}"
IAM_ACTIONS = frozenset(
    {
        "ListAccessKeys",
        "CreateAccessKey",
        "UpdateAccessKey",
        "DeleteAccessKey",
        "GetAccessKeyLastUsed",
        "ListMFADevices",
    }
)
OLD_KEY_AGE = timedelta(days=200)


def backend() -> Any:
    from moto.iam.models import iam_backends

    return iam_backends[ACCOUNT]["global"]


def moto_keys() -> dict[str, Any]:
    """Every access key moto's IAM holds, by id."""
    return {key.access_key_id: key for user in backend().users.values() for key in user.access_keys}


class LiveSecrets(dict[str, str]):
    """The local STS's table of secrets, read from moto's IAM at each request (so that a
    new key's signature is checked too), beside the fixed ones; every secret seen is kept
    for the scans."""

    def __init__(self, fixed: dict[str, str], seen: set[str]) -> None:
        super().__init__(fixed)
        self.seen = seen

    def get(self, key: str, default: Any = None) -> Any:
        found = moto_keys().get(key)
        if found is not None:
            self.seen.add(found.secret_access_key)
            return found.secret_access_key
        return super().get(key, default)


@dataclass
class IamLayer:
    """See the module's docstring."""

    strict: StrictSts
    lag: int = 0
    """How many requests signed with a new key are refused before it is accepted."""
    denied: set[str] = field(default_factory=set)
    throttled: dict[str, int] = field(default_factory=dict)
    bought_by: dict[str, str] = field(default_factory=dict)
    """Session key id -> the long-term key id that bought it."""
    secrets: set[str] = field(default_factory=set)
    """Every secret of every key moto made (for the secret scans)."""
    refused_new: int = 0
    """Requests refused because their key was new (see ``lag``)."""
    identity_user: str | None = None
    """The user GetCallerIdentity names instead of the key's (one renamed meanwhile)."""
    refused_by_key: dict[str, int] = field(default_factory=dict)

    def __call__(self, params: dict[str, str]) -> tuple[int, str] | None:
        action, key_id = params.get("Action", ""), params["@key_id"]
        self.secrets.update(key.secret_access_key for key in moto_keys().values())
        if not params["@session_token"]:
            refused = self.refuse_key(key_id)
            if refused:
                return refused
        if action == "GetSessionToken":
            answer = self.strict(params)
            newest = list(self.strict.issued)[-1]
            self.bought_by.setdefault(newest, key_id)
            return answer
        if action == "GetCallerIdentity":
            return self.identity(params)
        if action in IAM_ACTIONS:
            return self.iam(action, params)
        return self.strict(params)

    def refuse_key(self, key_id: str) -> tuple[int, str] | None:
        key = moto_keys().get(key_id)
        invalid = sts_error(
            "InvalidClientTokenId", "The security token included in the request is invalid.", 403
        )
        if key is None or key.status != "Active":
            return invalid
        refused = self.refused_by_key.get(key_id, 0)
        if key_id != LONG_TERM_KEY_ID and refused < self.lag:
            self.refused_by_key[key_id] = refused + 1
            self.refused_new += 1
            return invalid
        return None

    def session_owner(self, params: dict[str, str]) -> str | None:
        """The long-term key whose MFA session signed, when it is a valid one."""
        issued = self.strict.issued.get(params["@key_id"])
        if issued is None or issued.token != params["@session_token"] or not issued.after_mfa:
            return None
        return self.bought_by.get(params["@key_id"])

    def identity(self, params: dict[str, str]) -> tuple[int, str]:
        key_id = params["@key_id"]
        if params["@session_token"]:
            owner = self.session_owner(params)
            if owner is None:
                return sts_error("InvalidClientTokenId", "The security token is invalid.", 403)
            key_id = owner
        user = next(
            (
                name
                for name, found in backend().users.items()
                if any(key.access_key_id == key_id for key in found.access_keys)
            ),
            USER,
        )
        arn = f"arn:aws:iam::{ACCOUNT}:user/{self.identity_user or user}"
        return 200, (
            '<GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">'
            f"<GetCallerIdentityResult><Arn>{arn}</Arn><UserId>AIDAEXAMPLE</UserId>"
            f"<Account>{ACCOUNT}</Account></GetCallerIdentityResult>"
            "<ResponseMetadata><RequestId>0</RequestId></ResponseMetadata>"
            "</GetCallerIdentityResponse>"
        )

    def iam(self, action: str, params: dict[str, str]) -> tuple[int, str] | None:
        if self.throttled.get(action, 0) > 0:
            self.throttled[action] -= 1
            return sts_error("Throttling", "Rate exceeded", 400)
        if not params["@session_token"] or self.session_owner(params) is None:
            return sts_error(
                "AccessDenied",
                f"User: {USER_ARN} is not authorized to perform: iam:{action} with an "
                "explicit deny in an identity-based policy (no MFA)",
                403,
            )
        if action in self.denied:
            return sts_error(
                "AccessDenied",
                f"User: {USER_ARN} is not authorized to perform: iam:{action} on resource: "
                f"user {USER} because no identity-based policy allows the iam:{action} action",
                403,
            )
        return None  # moto answers


def reset_iam() -> None:
    """moto's IAM with alice alone, whose only key is the test keys, made 200 days ago."""
    from moto.iam.models import AccessKey

    iam = backend()
    iam.reset()
    iam.create_user("us-east-1", USER)
    user = iam.users[USER]
    key = AccessKey(USER, "AKIA", ACCOUNT)
    key.access_key_id, key.secret_access_key = LONG_TERM_KEY_ID, LONG_TERM_SECRET
    key.create_date = datetime.now(timezone.utc).replace(tzinfo=None) - OLD_KEY_AGE
    user.access_keys.append(key)
    iam.access_keys[key.physical_resource_id] = key


def add_key(status: str = "Active") -> str:
    """A second key of alice's, made by someone else; its id."""
    created = backend().create_access_key(USER, prefix="AKIA", status=status)
    return str(created.access_key_id)


@pytest.fixture
def iam(sts: LocalSts) -> Iterator[IamLayer]:
    """The local STS, as IAM and STS answer a rotation (see the module's docstring)."""
    reset_iam()
    layer = IamLayer(StrictSts())
    saved = sts.secrets
    sts.secrets = LiveSecrets(dict(saved), layer.secrets)
    sts.responder = layer
    yield layer
    sts.responder = None
    sts.secrets = saved
    backend().reset()
