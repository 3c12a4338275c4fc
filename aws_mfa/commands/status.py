"""``aws-mfa status``: show the stored sessions, or one profile's (the work is
:mod:`aws_mfa.status`); its exit code tells one profile's state."""

from __future__ import annotations

import sys

from aws_mfa import log, status
from aws_mfa.clock import utc_now
from aws_mfa.context import Context
from aws_mfa.errors import EXIT_OK
from aws_mfa.mfa_sessions import MfaSessions, folder_for


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
        print(status.as_json(row) if flags.switch("json") else status.table([row], colour))
        return row.exit_code
    rows = status.all_sessions(document, now, resolved.min_ttl)
    mfa_rows = [
        status.mfa_session_status(
            entry.access_key_id, entry.device, entry.credentials.expiration, now, resolved.min_ttl
        )
        for entry in MfaSessions(folder_for(resolved.credentials_file)).entries()
    ]
    if flags.switch("json"):
        print(status.as_json(rows, mfa_rows))
        return EXIT_OK
    if rows:
        print(status.table(rows, colour))
    else:
        log.info("No sessions in %s", context.credentials_path)
    if mfa_rows:
        print(("\n" if rows else "") + status.mfa_table(mfa_rows, colour))
    return EXIT_OK
