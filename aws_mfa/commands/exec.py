"""``aws-mfa exec -- COMMAND``: log in if needed, then replace aws-mfa with COMMAND, the
credentials in its environment; with ``--server``, run COMMAND beside a local endpoint
that serves them and renews them (the work is :mod:`aws_mfa.execute` and
:mod:`aws_mfa.server`)."""

from __future__ import annotations

from aws_mfa.commands.login import fresh_credentials, log_in, prepare
from aws_mfa.context import Context
from aws_mfa.execute import check_nesting, child_environment, command_line, execute
from aws_mfa.keys import TemporaryCredentials


def run(context: Context) -> int:
    check_nesting(context.environ, context.flags.switch("allow_nested"))
    program = context.flags.values.get("program")
    command = command_line(program if isinstance(program, list) else [])
    if context.flags.switch("server"):
        return serve(context, command)
    resolved, creds = fresh_credentials(context, warn=False)
    execute(command, child_environment(context.environ, creds, resolved.profile, resolved.region))


def serve(context: Context, command: list[str]) -> int:
    """Log in once, then run ``command`` with the endpoint; each request logs in again."""
    from aws_mfa import collector
    from aws_mfa.credentials_file import read_ini_file
    from aws_mfa.execute import server_environment, supervise
    from aws_mfa.login import login
    from aws_mfa.server import CredentialServer

    collector.resume()  # this process lives as long as the command
    resolved = prepare(context, warn=False)
    log_in(context, resolved)  # a code, if one is needed, is asked for before COMMAND starts

    def provider() -> TemporaryCredentials:
        return login(resolved, read_ini_file(resolved.credentials_file)).credentials

    with CredentialServer(provider) as server:
        env = server_environment(
            context.environ, server.url, server.token, resolved.profile, resolved.region
        )
        return supervise(command, env)
