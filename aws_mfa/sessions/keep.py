"""Keeping an identity's credentials valid: the one way every command and the endpoint get them.

::

    Identity (aws_mfa.identity) -> ensure_valid(its session's settings)
        session: the short-term section's credentials, renewed when they must be
        role:    the source's MFA session kept valid, then the role assumed from it

Most runs end at the decision ("still valid"), so this module imports nothing
heavy, and :mod:`aws_mfa.sessions.renewal` (with the STS calls behind it) is
imported only once a renewal or a role is needed.

What it does not do: decide what a name means (:mod:`aws_mfa.identity`),
decide whether to renew (:mod:`aws_mfa.sessions.session_state`), write or prompt.
"""

from __future__ import annotations

from collections.abc import Callable

from aws_mfa import log
from aws_mfa.aws.sections import is_session, replaced_keys
from aws_mfa.clock import utc_now
from aws_mfa.errors import NoCodeSourceError
from aws_mfa.expiry import describe_local, format_duration
from aws_mfa.files import ini
from aws_mfa.identity import ROLE, Identity
from aws_mfa.keys import TemporaryCredentials
from aws_mfa.sessions.session_state import Outcome, decide, stored_credentials
from aws_mfa.settings.resolve import Settings

TYPE_CHECKING = False  # see aws_mfa.records: typing is not imported at run time
if TYPE_CHECKING:
    from datetime import datetime

    from aws_mfa.aws.sts import Scope
    from aws_mfa.clock import Clock
    from aws_mfa.sessions.mfa_sessions import CachedRoles, RoleKey
    from aws_mfa.sessions.renewal import Renewal

DocumentReader = Callable[[], "ini.IniFile | None"]
"""Reads the credentials file as it is now (None when there is none)."""


def ensure_valid(
    settings: Settings,
    document: ini.IniFile | None,
    *,
    clock: Clock = utc_now,
    renewal: Renewal | None = None,
    command: str = "login",
) -> Outcome:
    """Make ``settings.short_term_section`` hold valid credentials; return them.

    ``document`` is the credentials file as already read (None if missing).
    When the stored credentials are still valid, they are returned as they
    are; otherwise ``renewal`` renews them (default: an
    :class:`aws_mfa.sessions.renewal.Renewal` with the real collaborators, logging its
    write as a hand-out of ``command``).
    """
    decision = decide(settings, document, clock())
    if not decision.renew and document is not None:
        log.info("%s", decision.reason[0].upper() + decision.reason[1:])
        return Outcome(False, decision.reason, stored_credentials(settings, document))
    if renewal is None:
        from aws_mfa.sessions.renewal import Renewal

        renewal = Renewal(clock=clock, command=command)
    return renewal.run(settings, document, decision)


def credentials_of(
    identity: Identity,
    read: DocumentReader,
    *,
    clock: Clock = utc_now,
    margin: int = 0,
    while_valid: bool = False,
    scope: Scope | None = None,
    command: str = "login",
) -> TemporaryCredentials:
    """The credentials ``identity`` gets now: its session kept valid, and for a role the role
    assumed from that session, or the same role assumed from it before and cached
    (:class:`aws_mfa.sessions.mfa_sessions.CachedRoles`) while it has more than 15 minutes
    left (``margin``, when longer: the endpoint's renewals want more). ``read`` is called
    again after the session is made valid, which may have changed the file.

    ``while_valid`` (``export``): a session that must be renewed while nothing can ask for a
    code without a person (no terminal, no dialog, no token command) is handed out as it is
    while it has not expired, with a warning saying when it ends (:func:`still_valid`).
    """
    session = identity.session
    stale: TemporaryCredentials | None = None
    try:
        outcome = ensure_valid(session, read(), clock=clock, command=command)
    except NoCodeSourceError as err:
        if not while_valid:
            raise
        outcome = still_valid(session, read(), clock(), err)
        stale = outcome.credentials  # the role is assumed from it all the same
    if identity.kind != ROLE:
        return outcome.credentials
    role, cache = identity.role, role_cache(identity)
    key = role_key(role, scope)
    cached = cache.get(outcome.credentials, key, clock(), margin) if cache else None
    if cached is not None:
        left = (cached.expiration - clock()).total_seconds()
        log.info("Using role %s assumed before (%s left)", key.role_arn, format_duration(left))
        return cached
    from aws_mfa.sessions.renewal import role_credentials

    document = read()
    mfa_session = outcome.credentials if session.role_arn is None else None
    fresh = role_credentials(
        role, document, source=stale, keys=outcome.keys, session=mfa_session, scope=scope
    )
    if cache is not None:
        keep_role(cache, outcome.credentials, role, document, fresh, clock(), key)
    return fresh


def held(
    identity: Identity,
    read: DocumentReader,
    *,
    clock: Clock = utc_now,
    margin: int = 0,
    scope: Scope | None = None,
) -> TemporaryCredentials | None:
    """What :func:`credentials_of` would hand out now without asking anyone or calling STS
    (the session still valid; for a role, the role cached from it); None when it would
    have to renew or assume anew. Reads no long-term secret."""
    document = read()
    session = identity.session
    if document is None or decide(session, document, clock()).renew:
        return None
    stored = stored_credentials(session, document)
    if identity.kind != ROLE:
        return None if session.role_arn else stored
    cache = role_cache(identity)
    return cache.get(stored, role_key(identity.role, scope), clock(), margin) if cache else None


def assumed(settings: Settings, read: DocumentReader, scope: Scope) -> TemporaryCredentials:
    """``settings.role_arn`` (``--assume-role``) assumed from the cached MFA session with
    ``scope``, written nowhere: the role credentials in the short-term section are a
    person's, with no session policy."""
    from aws_mfa.sessions.renewal import role_credentials

    return role_credentials(settings, read(), scope=scope)


def still_valid(
    settings: Settings, document: ini.IniFile | None, now: datetime, err: NoCodeSourceError
) -> Outcome:
    """The stored credentials of a session that could not be renewed for want of a code, when
    they have not expired and are the keys aws-mfa wrote (another tool's have an unknown
    expiry); else ``err``, which says where a code can come from."""
    section = settings.short_term_section
    values = document.values(section) if document is not None else None
    if document is None or not is_session(values) or "expiration" not in (values or {}):
        raise err
    if values is not None and replaced_keys(values, section):
        raise err  # another tool's keys: when they end is unknown
    stored = stored_credentials(settings, document)
    left = (stored.expiration - now).total_seconds()
    if left <= 0:
        raise err
    log.warning(
        "The credentials in [%s] end at %s (in %s) and no MFA code can be asked for here "
        "(no terminal, no dialog, no token command): handing them out until then; 'aws-mfa "
        "-p %s' in a terminal, or a token command, renews them",
        section,
        describe_local(stored.expiration),
        format_duration(left),
        settings.profile,
    )
    return Outcome(False, "no code can be had; still valid", stored)


def role_cache(identity: Identity) -> CachedRoles | None:
    """Where roles assumed from the identity's session are kept; None with the cache off."""
    session = identity.session
    if not session.session_cache:
        return None
    from aws_mfa.sessions.mfa_sessions import CachedRoles, default_folder

    return CachedRoles(default_folder(), session.lock_timeout)


def role_key(role: Settings, scope: Scope | None = None) -> RoleKey:
    from aws_mfa.sessions.mfa_sessions import RoleKey

    return RoleKey(
        role.role_arn or "",
        role.role_session_name,
        role.external_id or "",
        role.duration,
        scope_key(scope),
    )


def scope_key(scope: Scope | None) -> str:
    """What a role entry's ``scope`` holds: "" for none, else a digest of all it carries."""
    if scope is None or scope == type(scope)():
        return ""
    import hashlib
    import json

    return hashlib.sha256(json.dumps(list(scope)).encode()).hexdigest()


def keep_role(
    cache: CachedRoles,
    source: TemporaryCredentials,
    role: Settings,
    document: ini.IniFile | None,
    fresh: TemporaryCredentials,
    now: datetime,
    key: RoleKey | None = None,
) -> None:
    """Keep the role STS just gave for later hand-outs (as ``key``, by default the role's
    own); a cache that cannot take it costs nothing else (the credentials are handed out all
    the same)."""
    from aws_mfa.errors import FileError

    values = document.values(role.long_term_section) if document is not None else None
    long_term = (values or {}).get("aws_access_key_id", "")
    try:
        cache.put(source, long_term, key or role_key(role), fresh, now)
    except FileError as err:
        log.warning("The role could not be kept for later runs (%s)", err.message)
