"""``aws-mfa export``: log in if needed, then print the credentials for a shell or for
``credential_process`` (the formats are :mod:`aws_mfa.outputs`)."""

from __future__ import annotations

import sys

from aws_mfa.cli.context import Context
from aws_mfa.cli.prepare import credentials, prepare
from aws_mfa.errors import EXIT_OK
from aws_mfa.outputs import choose_format, render


def run(context: Context) -> int:
    found = prepare(context, warn=False)
    resolved = context.settings()
    # The format is checked before the login, so a wrong one costs no MFA code.
    fmt = choose_format(resolved.format, resolved.sources.get("format", ""), context.environ)
    sys.stdout.write(render(credentials(context, found), fmt))
    sys.stdout.flush()
    return EXIT_OK
