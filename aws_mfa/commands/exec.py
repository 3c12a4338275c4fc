"""``aws-mfa exec -- COMMAND``: log in if needed, then replace aws-mfa with COMMAND, the
credentials in its environment (the work is :mod:`aws_mfa.execute`)."""

from __future__ import annotations

from aws_mfa.commands.login import fresh_credentials
from aws_mfa.context import Context
from aws_mfa.execute import check_nesting, child_environment, command_line, execute


def run(context: Context) -> int:
    check_nesting(context.environ, context.flags.switch("allow_nested"))
    program = context.flags.values.get("program")
    command = command_line(program if isinstance(program, list) else [])
    resolved, creds = fresh_credentials(context, warn=False)
    execute(command, child_environment(context.environ, creds, resolved.profile, resolved.region))
