"""``aws-mfa keychain import|export``: move the long-term section's secret access key into
the OS keychain, or back into the credentials file (the work is :mod:`aws_mfa.keychain_move`)."""

from __future__ import annotations

from aws_mfa.context import Context
from aws_mfa.errors import EXIT_OK, UsageError


def run(context: Context) -> int:
    from aws_mfa.keychain import Keychain
    from aws_mfa.keychain_move import export_secret, import_secret

    action = context.flags.value("action")
    if not action:
        raise UsageError("keychain needs what to do: aws-mfa keychain import|export")
    resolved = context.settings()
    move = import_secret if action == "import" else export_secret
    move(
        resolved.credentials_file,
        resolved.long_term_section,
        Keychain(),
        backup=resolved.backup,
        lock_timeout=resolved.lock_timeout,
    )
    return EXIT_OK
