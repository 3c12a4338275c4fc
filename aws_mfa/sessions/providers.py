"""Where a renewal's fresh credentials come from, spending as few MFA codes as it can.

With the cache of MFA sessions on (see :mod:`aws_mfa.sessions.mfa_sessions` and
docs/roles.md), one code buys an MFA session (GetSessionToken) that is kept;
a plain session is that MFA session, and a role of up to an hour is assumed
from it without a code. A longer role, a role STS refuses to the MFA session,
or a cache turned off: one call straight from the long-term keys, with a
code, as aws-mfa 0.0.12 makes it::

    Provider.fresh()
        no cache, or a role over an hour  -> direct(): AssumeRole or GetSessionToken, with a code
        no role                           -> mfa_session(): the cached one, or bought with a code
        a role                            -> role_from_session(): AssumeRole signed with it

The STS calls themselves are :mod:`aws_mfa.aws.sts`, imported only once a call
is made.

What it does not do: lock, read or write the credentials file (see
:mod:`aws_mfa.sessions.renewal`), or ask for the code itself (see :mod:`aws_mfa.codes.mfa_code`).
"""

from __future__ import annotations

from collections.abc import Callable

from aws_mfa import expiry, log
from aws_mfa.clock import Clock, utc_now
from aws_mfa.codes.mfa_code import Prompter, obtain_code
from aws_mfa.errors import FileError, StsRefusedError
from aws_mfa.keys import LongTermKeys, TemporaryCredentials, mask
from aws_mfa.records import Record
from aws_mfa.settings.resolve import Settings

TYPE_CHECKING = False  # see aws_mfa.records: typing is not imported at run time
if TYPE_CHECKING:
    from aws_mfa.aliases import ClientFactory
    from aws_mfa.aws.sts import AwsConfig, Scope, StsClient
    from aws_mfa.codes.used_codes import UsedCodes
    from aws_mfa.sessions.mfa_sessions import MfaSessions


def default_client_factory(
    keys: LongTermKeys,
    region: str | None,
    *,
    config: AwsConfig | None = None,
    session_token: str | None = None,
    timeout: float = 30.0,
) -> StsClient:
    """The real STS client of :mod:`aws_mfa.aws.sts` (imported only now)."""
    from aws_mfa.aws.sts import AwsConfig, make_client

    return make_client(
        keys, region, config=config or AwsConfig(), session_token=session_token, timeout=timeout
    )


class Caller(Record):
    """Who calls STS: the long-term keys, the MFA device, and how to name them in errors."""

    keys: LongTermKeys
    device: str
    origin: str
    kept_in: str = "file"
    """Where the secret was read: ``file``, ``keychain`` or ``command`` (errors then say so)."""


ROLE_CHAINING_LIMIT = 3600
"""AWS caps a role session assumed with temporary credentials at one hour (role chaining)."""
OUTLIVE_SLACK = 60
"""Seconds a cached session may outlive a duration given outright and still be used:
the time between its purchase and now is not the user's concern."""
STALE_SESSION_CODES = ("ExpiredToken", "InvalidClientTokenId")
"""STS's answers to a session it no longer accepts: the cached one is replaced."""


class Provider:
    """Fresh credentials for the short-term section (see the module's docstring).

    A role STS refuses to the MFA session with AccessDenied (for example a
    trust policy limiting ``aws:MultiFactorAuthAge``) is assumed straight from
    the long-term keys with a code, unless it is an agent's (``scope.agent``): an agent's
    role comes from the MFA session or not at all.
    """

    def __init__(
        self,
        settings: Settings,
        caller: Caller,
        *,
        prompter: Prompter,
        client_factory: ClientFactory,
        used_codes: UsedCodes,
        sleep: Callable[[float], None],
        clock: Clock = utc_now,
        sessions: MfaSessions | None = None,
        config: AwsConfig,
        waiting_since: float | None = None,
        scope: Scope | None = None,
    ) -> None:
        self.settings, self.caller, self.sessions = settings, caller, sessions
        self.scope = scope
        """What a role's AssumeRole carries: session policies, an agent's attribution."""
        self.waiting_since = waiting_since
        self.prompter, self.used_codes, self.sleep, self.clock = prompter, used_codes, sleep, clock
        self.client_factory = client_factory
        self.config = config
        # Built now, so that a bad AWS setting fails before the prompt.
        self.long_term_client = self.client(caller.keys)

    def client(self, keys: LongTermKeys, session_token: str | None = None) -> StsClient:
        return self.client_factory(
            keys,
            self.settings.region,
            config=self.config,
            session_token=session_token,
            timeout=self.settings.sts_timeout,
        )

    def fresh(self) -> TemporaryCredentials:
        settings, short = self.settings, self.settings.short_term_section
        role = settings.role_arn
        if self.sessions is None:
            return self.direct()
        if role and settings.duration > ROLE_CHAINING_LIMIT:
            log.info(
                "Assuming %s straight from the long-term keys, with a code: a role session of "
                "%s seconds cannot come from the MFA session (AWS allows at most %s)",
                role,
                settings.duration,
                ROLE_CHAINING_LIMIT,
            )
            return self.direct()
        if not role:
            asked = settings.duration if settings.sources.get("duration") else None
            fresh = self.mfa_session(self.sessions, buy=settings.force, longest=asked)
            log.info("Writing the MFA session to [%s]", short)
            return fresh
        return self.role_from_session(self.sessions, role)

    def mfa_session(
        self, sessions: MfaSessions | None, buy: bool = False, longest: int | None = None
    ) -> TemporaryCredentials:
        """The cached MFA session, or a new one bought with a code (and kept; with
        ``sessions`` None there is no cache: it is bought, and kept nowhere).

        ``longest``: the seconds a duration given outright (``--duration``)
        allows the session to last. A cached session that would outlive it is
        not used, and is kept for later runs; the one bought lasts that long.
        """
        key_id, device = self.caller.keys.access_key_id, self.caller.device
        secret = self.caller.keys.secret_access_key
        seconds = self.settings.mfa_session_duration
        cached = (
            None
            if buy or sessions is None
            else sessions.get(key_id, secret, device, self.clock(), self.settings.min_ttl)
        )
        if cached is not None:
            left = (cached.expiration - self.clock()).total_seconds()
            if longest is None or left <= longest + OUTLIVE_SLACK:
                log.info(
                    "Using the MFA session of %s (%s left)",
                    mask(key_id),
                    expiry.format_duration(left),
                )
                return cached
            log.info(
                "A code is needed: the cached MFA session lasts %s more, longer than the %s "
                "seconds asked for with %s",
                expiry.format_duration(left),
                longest,
                self.settings.sources["duration"],
            )
        if longest is not None:
            seconds = min(seconds, longest)
        from aws_mfa.aws import sts

        code = self.code(seconds)
        log.info("Getting an MFA session for %s seconds", seconds)
        fresh = sts.get_session_token(
            self.long_term_client,
            device=device,
            duration=seconds,
            code=code,
            origin=self.caller.origin,
            now=self.clock(),
            kept_in=self.caller.kept_in,
        )
        self.used_codes.record(device, code)
        if cached is None and sessions is not None:  # a longer one stays for later runs
            keep(sessions, self.caller.keys, device, fresh)
        return fresh

    def role_from_session(self, sessions: MfaSessions, role: str) -> TemporaryCredentials:
        """Assume ``role`` signed with the MFA session; fall back to a code when refused.

        A cached session STS no longer accepts (revoked, or its token invalid)
        is forgotten and a new one bought, once.
        """
        settings = self.settings
        log.info(
            "Assuming role %s for [%s] for %s seconds, from the MFA session",
            role,
            settings.short_term_section,
            settings.duration,
        )
        for buy in (False, True):
            try:
                return self.assume_from(self.mfa_session(sessions, buy=buy), role)
            except StsRefusedError as err:
                if err.sts_code == "AccessDenied" and not (self.scope and self.scope.agent):
                    log.warning(
                        "STS refused to assume %s from the MFA session (%s); assuming it with "
                        "an MFA code instead",
                        role,
                        err.message,
                    )
                    return self.direct()
                if buy or err.sts_code not in STALE_SESSION_CODES:
                    raise
                log.warning("STS no longer accepts the cached MFA session; getting a new one")
        raise AssertionError("unreachable")  # pragma: no cover

    def assume_from(self, session: TemporaryCredentials, role: str) -> TemporaryCredentials:
        """AssumeRole for ``role`` signed with ``session``, without a code."""
        from aws_mfa.aws import sts

        settings = self.settings
        signer = LongTermKeys(session.access_key_id, session.secret_access_key)
        return sts.assume_role(
            self.client(signer, session.session_token),
            role_arn=role,
            session_name=settings.role_session_name,
            duration=settings.duration,
            origin=f"MFA session of {self.caller.origin}",
            external_id=settings.external_id,
            now=self.clock(),
            scope=self.scope,
        )

    def direct(self) -> TemporaryCredentials:
        """aws-mfa 0.0.12's way: one call from the long-term keys, with a code."""
        from aws_mfa.aws import sts

        settings, caller = self.settings, self.caller
        short, seconds = settings.short_term_section, settings.duration
        code = self.code(seconds)
        if settings.role_arn:
            log.info(
                "Assuming role %s for [%s] for %s seconds",
                settings.role_arn,
                short,
                settings.duration,
            )
            fresh = sts.assume_role(
                self.long_term_client,
                role_arn=settings.role_arn,
                session_name=settings.role_session_name,
                duration=settings.duration,
                device=caller.device,
                code=code,
                origin=caller.origin,
                external_id=settings.external_id,
                now=self.clock(),
                kept_in=caller.kept_in,
                scope=self.scope,
            )
        else:
            log.info("Getting a session token for [%s] for %s seconds", short, settings.duration)
            fresh = sts.get_session_token(
                self.long_term_client,
                device=caller.device,
                duration=settings.duration,
                code=code,
                origin=caller.origin,
                now=self.clock(),
                kept_in=caller.kept_in,
            )
        self.used_codes.record(caller.device, code)
        log.debug("STS answered with access key %s", mask(fresh.access_key_id))
        return fresh

    def code(self, seconds: int) -> str:
        return obtain_code(
            self.settings,
            self.caller.device,
            self.prompter,
            self.used_codes,
            self.sleep,
            seconds,
            self.waiting_since,
        )


def keep(
    sessions: MfaSessions, keys: LongTermKeys, device: str, fresh: TemporaryCredentials
) -> None:
    """Keep the MFA session STS just gave; a cache that cannot take it costs nothing else.

    The credentials are still written where they go: an answer STS gave is
    never thrown away.
    """
    try:
        sessions.put(keys.access_key_id, keys.secret_access_key, device, fresh)
    except FileError as err:
        log.warning(
            "The MFA session could not be kept for later runs (%s); the credentials are "
            "written all the same",
            err.message,
        )
