"""``aws-mfa logout``: forget the profile's session, or every session with ``--all``
(the work is :mod:`aws_mfa.logout`)."""

from __future__ import annotations

from aws_mfa import log
from aws_mfa.clock import utc_now
from aws_mfa.context import Context
from aws_mfa.errors import EXIT_OK
from aws_mfa.settings import resolve_early


def run(context: Context) -> int:
    from aws_mfa.logout import logout

    if context.flags.switch("all"):
        names = None
        backup: bool = resolve_early("backup", context.flags, context.environ)
    else:
        resolved = context.settings()
        names, backup = [resolved.short_term_section], resolved.backup
    if not logout(context.credentials_path, names, utc_now(), backup=backup):
        log.info("There was no session to forget")
    return EXIT_OK
