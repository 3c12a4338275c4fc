"""``aws-mfa logout``: forget the profile's session and its cached MFA session, or every
session with ``--all`` (the work is :mod:`aws_mfa.logout` and :mod:`aws_mfa.mfa_sessions`)."""

from __future__ import annotations

from aws_mfa import log
from aws_mfa.clock import utc_now
from aws_mfa.context import Context
from aws_mfa.errors import EXIT_OK
from aws_mfa.mfa_sessions import MfaSessions, folder_for
from aws_mfa.settings import resolve_early


def run(context: Context) -> int:
    from aws_mfa.logout import logout

    sessions = MfaSessions(folder_for(context.credentials_path))
    if context.flags.switch("all"):
        names = None
        backup: bool = resolve_early("backup", context.flags, context.environ)
        forgotten = sessions.forget_all()
    else:
        resolved = context.settings()
        names, backup = [resolved.short_term_section], resolved.backup
        document = context.credentials()
        long_term = (document.values(resolved.long_term_section) if document else None) or {}
        key_id = long_term.get("aws_access_key_id")
        forgotten = int(
            bool(key_id and resolved.device and sessions.forget(key_id, resolved.device))
        )
    if forgotten:
        log.info("Forgot %d cached MFA session%s", forgotten, "" if forgotten == 1 else "s")
    if not logout(context.credentials_path, names, utc_now(), backup=backup) and not forgotten:
        log.info("There was no session to forget")
    return EXIT_OK
