"""``aws-mfa export``: log in if needed, then print the credentials for a shell or for
``credential_process`` (the formats are :mod:`aws_mfa.outputs`)."""

from __future__ import annotations

import sys

from aws_mfa.commands.login import fresh_credentials
from aws_mfa.context import Context
from aws_mfa.errors import EXIT_OK
from aws_mfa.outputs import choose_format, render


def run(context: Context) -> int:
    asked = context.flags.value("format")
    # The format is checked before the login, so a wrong one costs no MFA code.
    fmt = choose_format(asked, "--format", context.environ) if asked else None
    resolved, creds = fresh_credentials(context, warn=False)
    if fmt is None:
        fmt = choose_format(resolved.format, resolved.sources.get("format", ""), context.environ)
    sys.stdout.write(render(creds, fmt))
    sys.stdout.flush()
    return EXIT_OK
