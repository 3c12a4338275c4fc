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
  expire after that many seconds.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone

import pytest

from aws_mfa.demo import LocalSts, sts_error

XMLNS = "https://sts.amazonaws.com/doc/2011-06-15/"
BAD_CODE = "MultiFactorAuthentication failed with invalid MFA one time pass code."


@dataclass
class Issued:
    token: str
    after_mfa: bool


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

    def __call__(self, params: dict[str, str]) -> tuple[int, str] | None:
        action = params.get("Action", "")
        self.calls.append(action)
        if action == "GetSessionToken":
            return self.get_session_token(params)
        if action == "AssumeRole":
            return self.assume_role(params)
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
            return 200, self.answer("AssumeRole", seconds, True, params["RoleArn"])
        if "TokenCode" not in params:
            return sts_error("AccessDenied", "Not authorized to perform sts:AssumeRole", 403)
        refused = self.check_code(params)
        return refused or (200, self.answer("AssumeRole", seconds, True, params["RoleArn"]))

    def answer(self, action: str, seconds: int, after_mfa: bool, role: str = "") -> str:
        number = next(self.counter)
        key_id, token = f"ASIASTRICT{number:010d}", f"strict-session-token-{number:04d}-" + "x" * 40
        self.issued[key_id] = Issued(token, after_mfa)
        lifetime = self.expires_in if self.expires_in is not None else seconds
        if role and self.role_expires_in is not None:
            lifetime = self.role_expires_in
        expiration = datetime.now(timezone.utc) + timedelta(seconds=lifetime)
        user = ""
        if role:
            name = role.rpartition("/")[2]
            account = role.split(":")[4]
            user = (
                "<AssumedRoleUser><AssumedRoleId>AROASTRICT:s</AssumedRoleId>"
                f"<Arn>arn:aws:sts::{account}:assumed-role/{name}/s</Arn></AssumedRoleUser>"
            )
        return (
            f'<{action}Response xmlns="{XMLNS}"><{action}Result>'
            f"<Credentials><AccessKeyId>{key_id}</AccessKeyId>"
            f"<SecretAccessKey>strict/secret/{number:04d}/{'s' * 30}</SecretAccessKey>"
            f"<SessionToken>{token}</SessionToken>"
            f"<Expiration>{expiration.strftime('%Y-%m-%dT%H:%M:%SZ')}</Expiration>"
            f"</Credentials>{user}</{action}Result>"
            "<ResponseMetadata><RequestId>0</RequestId></ResponseMetadata>"
            f"</{action}Response>"
        )


@pytest.fixture
def strict_sts(sts: LocalSts) -> Iterator[StrictSts]:
    """The local STS of the test, answering as :class:`StrictSts`."""
    strict = StrictSts()
    sts.responder = strict
    yield strict
    sts.responder = None
