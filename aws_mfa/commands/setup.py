"""``aws-mfa --setup``: add a long-term section with the user's access keys, asked for
on the terminal (the work is :func:`aws_mfa.setup_keys.setup`)."""

from __future__ import annotations

from aws_mfa.context import Context
from aws_mfa.errors import EXIT_OK
from aws_mfa.settings import profile_name, resolve_early


def run(context: Context) -> int:
    from aws_mfa.setup_keys import setup

    flags, environ = context.flags, context.environ
    timeout = resolve_early("lock_timeout", flags, environ)
    setup(context.credentials_path, flags, profile_name(flags, environ), lock_timeout=timeout)
    return EXIT_OK
