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
from aws_mfa.clock import utc_now
from aws_mfa.files import ini
from aws_mfa.identity import ROLE, Identity
from aws_mfa.keys import TemporaryCredentials
from aws_mfa.sessions.session_state import Outcome, decide, stored_credentials
from aws_mfa.settings.resolve import Settings

TYPE_CHECKING = False  # see aws_mfa.records: typing is not imported at run time
if TYPE_CHECKING:
    from aws_mfa.clock import Clock
    from aws_mfa.sessions.renewal import Renewal

DocumentReader = Callable[[], "ini.IniFile | None"]
"""Reads the credentials file as it is now (None when there is none)."""


def ensure_valid(
    settings: Settings,
    document: ini.IniFile | None,
    *,
    clock: Clock = utc_now,
    renewal: Renewal | None = None,
) -> Outcome:
    """Make ``settings.short_term_section`` hold valid credentials; return them.

    ``document`` is the credentials file as already read (None if missing).
    When the stored credentials are still valid, they are returned as they
    are; otherwise ``renewal`` renews them (default: an
    :class:`aws_mfa.sessions.renewal.Renewal` with the real collaborators).
    """
    decision = decide(settings, document, clock())
    if not decision.renew and document is not None:
        log.info("%s", decision.reason[0].upper() + decision.reason[1:])
        return Outcome(False, decision.reason, stored_credentials(settings, document))
    if renewal is None:
        from aws_mfa.sessions.renewal import Renewal

        renewal = Renewal(clock=clock)
    return renewal.run(settings, document, decision)


def credentials_of(
    identity: Identity, read: DocumentReader, *, clock: Clock = utc_now
) -> TemporaryCredentials:
    """The credentials ``identity`` gets now: its session kept valid, and for a role the role
    assumed from that session, both judged on ``clock``. ``read`` is called again after the
    session is made valid, which may have changed the file."""
    outcome = ensure_valid(identity.session, read(), clock=clock)
    if identity.kind != ROLE:
        return outcome.credentials
    from aws_mfa.sessions.renewal import Renewal, role_credentials

    return role_credentials(identity.role, read(), renewal=Renewal(clock=clock))
