"""``aws-mfa status``: show the stored sessions, or one profile's (the work is
:mod:`aws_mfa.status`); its exit code tells one profile's state."""

from __future__ import annotations

import sys

from aws_mfa import log, status
from aws_mfa.clock import utc_now
from aws_mfa.context import Context
from aws_mfa.errors import EXIT_OK
from aws_mfa.mfa_sessions import MfaSessions, folder_for
from aws_mfa.profiles import long_term_sections


def run(context: Context) -> int:
    flags, environ = context.flags, context.environ
    document = context.credentials()
    resolved = context.settings()
    now = utc_now()
    colour = status.use_colour(sys.stdout, environ)
    one = not flags.switch("all") and (
        flags.value("profile") or environ.get("AWS_DEFAULT_PROFILE") or environ.get("AWS_PROFILE")
    )
    if one:
        name = resolved.short_term_section
        section = document.sections.get(name) if document else None
        row = status.session_status(section, name, now, resolved.min_ttl)
        long_term = status.long_term_status(document, [resolved.long_term_section])
        if flags.switch("json"):
            print(status.as_json(row, long_term=long_term))
        else:
            print(status.table([row], colour) + long_term_part(long_term))
        return row.exit_code
    long_term = status.long_term_status(document, long_term_sections(document))
    rows = status.all_sessions(document, now, resolved.min_ttl)
    mfa_rows = [
        status.mfa_session_status(
            entry.access_key_id, entry.device, entry.credentials.expiration, now, resolved.min_ttl
        )
        for entry in MfaSessions(folder_for(resolved.credentials_file)).entries()
    ]
    if flags.switch("json"):
        print(status.as_json(rows, mfa_rows, long_term))
        return EXIT_OK
    if rows:
        print(status.table(rows, colour))
    else:
        log.info("No sessions in %s", context.credentials_path)
    if mfa_rows:
        print(("\n" if rows else "") + status.mfa_table(mfa_rows, colour))
    if long_term:
        print(("\n" if rows or mfa_rows else "") + status.long_term_table(long_term))
    return EXIT_OK


def long_term_part(rows: list[status.LongTermStatus]) -> str:
    """The table of long-term sections after a blank line; nothing when there are none."""
    return "\n\n" + status.long_term_table(rows) if rows else ""
