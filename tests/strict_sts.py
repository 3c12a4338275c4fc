"""An STS that knows what moto does not: MFA context, role chaining and used codes.

moto accepts any MFA code, always returns the same session key and knows
nothing of MFA context. :class:`StrictSts` answers GetSessionToken and
AssumeRole itself (as a responder of :class:`aws_mfa.demo.LocalSts`), the
way real STS does for what aws-mfa relies on:

- every answer holds new, distinct credentials, and it remembers which
  session was issued after an MFA code;
- AssumeRole from long-term keys needs SerialNumber and TokenCode;
- AssumeRole signed by a session needs a session issued after an MFA code,
  and is capped at 3600 seconds (role chaining);
- ``mfa_too_old`` plays a trust policy limiting ``aws:MultiFactorAuthAge``;
- a code is accepted once per device;
- ``expires_in`` (``role_expires_in``: role sessions only) makes credentials
  expire after that many seconds;
- AssumeRole checks what an agent's call carries as STS does: the role session name, at
  most 10 managed session policies, an inline policy of JSON (2048 characters at most),
  a SourceIdentity and session tags, and refuses SourceIdentity or tags with AccessDenied
  when the role's trust policy (``trust``) does not allow ``sts:SetSourceIdentity`` or
  ``sts:TagSession``; :attr:`StrictSts.assumed` keeps every AssumeRole's parameters;
- GetFederationToken (which moto answers without checking its name, duration
  or managed policies) needs long-term keys, a name of 2 to 32 characters of
  ``[\\w+=,.@-]``, a duration of 900 to 129600 seconds (``root_keys``: capped at
  an hour, as STS caps the root user's), a policy that is JSON of at most 2048
  characters and at most 10 managed policy ARNs; ``deny_without_mfa`` plays an
  IAM policy that denies every call made without MFA.

It remembers what it issued (:attr:`StrictSts.issued`: each access key's
secret, token, call, and whether a role was chained from a session), so the
console's stand-in sign-in endpoint (tests/signin_standin.py) can tell role
and federation credentials from an MFA session, as AWS does. Every secret it
issues is added to the secret scan of every run (tests/conftest.py).
"""

from __future__ import annotations

import itertools
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone

import pytest

from aws_mfa.demo import LocalSts, sts_error
from tests.conftest import RUN_SECRETS

XMLNS = "https://sts.amazonaws.com/doc/2011-06-15/"
BAD_CODE = "MultiFactorAuthentication failed with invalid MFA one time pass code."


@dataclass
class Issued:
    token: str
    after_mfa: bool
    secret: str = ""
    action: str = ""
    """The call that issued it: GetSessionToken, AssumeRole or GetFederationToken."""
    chained: bool = False
    """A role assumed with a session's credentials (role chaining)."""
    seconds: int = 0


FEDERATED_NAME = re.compile(r"[\w+=,.@-]{2,32}", re.ASCII)
POLICY_ARN = re.compile(r"arn:aws(?:-[a-z]+)*:iam::(?:\d{12}|aws):policy/[\w+=,.@/-]+", re.ASCII)


@dataclass
class StrictSts:
    mfa_too_old: bool = False
    expires_in: int | None = None
    role_expires_in: int | None = None
    issued: dict[str, Issued] = field(default_factory=dict)
    codes: list[tuple[str, str]] = field(default_factory=list)
    """(device, code) of every code accepted, in order."""
    calls: list[str] = field(default_factory=list)
    counter: itertools.count[int] = field(default_factory=lambda: itertools.count(1))
    root_keys: bool = False
    deny_without_mfa: bool = False
    federations: list[dict[str, str]] = field(default_factory=list)
    """The parameters of every GetFederationToken call, signer included (``@key_id``)."""
    assumed: list[dict[str, str]] = field(default_factory=list)
    """The parameters of every AssumeRole call, signer included."""
    trust: set[str] = field(default_factory=lambda: {"sts:SetSourceIdentity", "sts:TagSession"})
    """What the role's trust policy allows beyond sts:AssumeRole."""

    def __call__(self, params: dict[str, str]) -> tuple[int, str] | None:
        action = params.get("Action", "")
        self.calls.append(action)
        if action == "GetSessionToken":
            return self.get_session_token(params)
        if action == "AssumeRole":
            return self.assume_role(params)
        if action == "GetFederationToken":
            return self.get_federation_token(params)
        return None

    def count(self, action: str) -> int:
        return self.calls.count(action)

    def check_code(self, params: dict[str, str]) -> tuple[int, str] | None:
        if "TokenCode" not in params:
            return None
        used = (params.get("SerialNumber", ""), params["TokenCode"])
        if used in self.codes:
            return sts_error("AccessDenied", BAD_CODE, 403)
        self.codes.append(used)
        return None

    def get_session_token(self, params: dict[str, str]) -> tuple[int, str]:
        if params["@session_token"]:
            return sts_error(
                "AccessDenied", "Cannot call GetSessionToken with session credentials", 403
            )
        refused = self.check_code(params)
        if refused:
            return refused
        seconds = int(params.get("DurationSeconds", "43200"))
        return 200, self.answer("GetSessionToken", seconds, "TokenCode" in params)

    def assume_role(self, params: dict[str, str]) -> tuple[int, str]:
        self.assumed.append(dict(params))
        problem = assume_role_problem(params)
        if problem:
            return sts_error("ValidationError", problem)
        for action, given in (
            ("sts:SetSourceIdentity", "SourceIdentity"),
            ("sts:TagSession", "Tags.member.1.Key"),
        ):
            if given in params and action not in self.trust:
                return sts_error(
                    "AccessDenied",
                    f"User: arn:aws:sts::123456789012:assumed-role/x/y is not authorized to "
                    f"perform: {action} on resource: {params['RoleArn']}",
                    403,
                )
        seconds = int(params.get("DurationSeconds", "3600"))
        token = params["@session_token"]
        if token:
            signer = self.issued.get(params["@key_id"])
            if signer is None or signer.token != token:
                return sts_error("InvalidClientTokenId", "The security token is invalid.", 403)
            if seconds > 3600:
                return sts_error(
                    "ValidationError",
                    "The requested DurationSeconds exceeds the 1 hour session limit "
                    "for roles assumed by role chaining.",
                )
            if not signer.after_mfa or self.mfa_too_old:
                return sts_error("AccessDenied", "Not authorized to perform sts:AssumeRole", 403)
            return 200, self.answer(
                "AssumeRole", seconds, True, params["RoleArn"], chained=True,
                name=params.get("RoleSessionName", "s"),
            )  # fmt: skip
        if "TokenCode" not in params:
            return sts_error("AccessDenied", "Not authorized to perform sts:AssumeRole", 403)
        refused = self.check_code(params)
        name = params.get("RoleSessionName", "s")
        return refused or (
            200,
            self.answer("AssumeRole", seconds, True, params["RoleArn"], name=name),
        )

    def get_federation_token(self, params: dict[str, str]) -> tuple[int, str]:
        self.federations.append(dict(params))
        if params["@session_token"]:
            return sts_error(
                "AccessDenied", "Cannot call GetFederationToken with session credentials", 403
            )
        if self.deny_without_mfa:
            return sts_error(
                "AccessDenied",
                "User: arn:aws:iam::123456789012:user/alice is not authorized to perform: "
                "sts:GetFederationToken with an explicit deny in an identity-based policy",
                403,
            )
        problem = federation_problem(params)
        if problem:
            return sts_error("ValidationError", problem)
        seconds = int(params.get("DurationSeconds", "43200"))
        if self.root_keys:
            seconds = min(seconds, 3600)
        return 200, self.answer("GetFederationToken", seconds, False, name=params["Name"])

    def answer(
        self,
        action: str,
        seconds: int,
        after_mfa: bool,
        role: str = "",
        chained: bool = False,
        name: str = "",
    ) -> str:
        number = next(self.counter)
        key_id, token = f"ASIASTRICT{number:010d}", f"strict-session-token-{number:04d}-" + "x" * 40
        secret = f"strict/secret/{number:04d}/{'s' * 30}"
        self.issued[key_id] = Issued(token, after_mfa, secret, action, chained, seconds)
        RUN_SECRETS.update((secret, token))
        lifetime = self.expires_in if self.expires_in is not None else seconds
        if role and self.role_expires_in is not None:
            lifetime = self.role_expires_in
        expiration = datetime.now(timezone.utc) + timedelta(seconds=lifetime)
        user = ""
        if name and not role:
            user = (
                f"<FederatedUser><FederatedUserId>123456789012:{name}</FederatedUserId>"
                f"<Arn>arn:aws:sts::123456789012:federated-user/{name}</Arn></FederatedUser>"
            )
        if role:
            role_name, account = role.rpartition("/")[2], role.split(":")[4]
            session = name or "s"
            user = (
                f"<AssumedRoleUser><AssumedRoleId>AROASTRICT:{session}</AssumedRoleId>"
                f"<Arn>arn:aws:sts::{account}:assumed-role/{role_name}/{session}</Arn>"
                "</AssumedRoleUser>"
            )
        return (
            f'<{action}Response xmlns="{XMLNS}"><{action}Result>'
            f"<Credentials><AccessKeyId>{key_id}</AccessKeyId>"
            f"<SecretAccessKey>{secret}</SecretAccessKey>"
            f"<SessionToken>{token}</SessionToken>"
            f"<Expiration>{expiration.strftime('%Y-%m-%dT%H:%M:%SZ')}</Expiration>"
            f"</Credentials>{user}</{action}Result>"
            "<ResponseMetadata><RequestId>0</RequestId></ResponseMetadata>"
            f"</{action}Response>"
        )


SESSION_NAME = re.compile(r"[\w+=,.@-]{2,64}", re.ASCII)
TAG_VALUE = re.compile(r"[\w.:/=+@ -]{0,256}", re.ASCII)


def assume_role_problem(params: dict[str, str]) -> str | None:
    """What STS's validation says of an AssumeRole request's name, policies, SourceIdentity and
    tags, or None."""
    if not SESSION_NAME.fullmatch(params.get("RoleSessionName", "")):
        return (
            "1 validation error detected: Value at 'roleSessionName' failed to satisfy constraint"
        )
    identity = params.get("SourceIdentity")
    if identity is not None and not SESSION_NAME.fullmatch(identity):
        return "1 validation error detected: Value at 'sourceIdentity' failed to satisfy constraint"
    values = [
        value for key, value in params.items() if re.fullmatch(r"Tags\.member\.\d+\.Value", key)
    ]
    if not all(TAG_VALUE.fullmatch(value) for value in values):
        return "1 validation error detected: Value at 'tags' failed to satisfy constraint"
    return policy_problem(params)


def policy_problem(params: dict[str, str]) -> str | None:
    """What STS says of a request's session policies (inline and managed), or None."""
    policy = params.get("Policy")
    if policy is not None:
        try:
            json.loads(policy)
        except ValueError:
            return "The policy is not in the valid JSON format."
        if len(policy) > 2048:
            return "Packed policy size exceeds the limit"
    arns = [value for key, value in params.items() if key.startswith("PolicyArns.member.")]
    if len(arns) > 10 or not all(POLICY_ARN.fullmatch(arn) for arn in arns):
        return "1 validation error detected: Value at 'policyArns' failed to satisfy constraint"
    return None


def federation_problem(params: dict[str, str]) -> str | None:
    """What STS's validation says of a GetFederationToken request, or None."""
    name = params.get("Name", "")
    if not FEDERATED_NAME.fullmatch(name):
        return (
            "1 validation error detected: Value at 'name' failed to satisfy constraint: "
            "Member must satisfy regular expression pattern: [\\w+=,.@-]* and length 2 to 32"
        )
    seconds = params.get("DurationSeconds", "43200")
    if not seconds.isdigit() or not 900 <= int(seconds) <= 129600:
        return (
            "1 validation error detected: Value at 'durationSeconds' failed to satisfy "
            "constraint: Member must have value between 900 and 129600"
        )
    return policy_problem(params)


@pytest.fixture
def strict_sts(sts: LocalSts) -> Iterator[StrictSts]:
    """The local STS of the test, answering as :class:`StrictSts`."""
    strict = StrictSts()
    sts.responder = strict
    yield strict
    sts.responder = None
    RUN_SECRETS.clear()
