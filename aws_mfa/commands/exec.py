"""``aws-mfa exec -- COMMAND``: run one command with the profile's fresh credentials.

It logs in as ``login`` does, if needed, then gives COMMAND the credentials,
in its environment or, with ``--server``, from a local endpoint that serves
and renews them (:mod:`aws_mfa.server`).

The command gets ``AWS_ACCESS_KEY_ID``, ``AWS_SECRET_ACCESS_KEY``,
``AWS_SESSION_TOKEN`` (and ``AWS_SECURITY_TOKEN`` for old SDKs) and
``AWS_CREDENTIAL_EXPIRATION``; ``AWS_PROFILE`` and ``AWS_DEFAULT_PROFILE`` are
removed so no SDK looks for a profile instead; the profile's region is set
when the environment has none.

aws-mfa then *becomes* the command (``exec``), as aws-vault does: the
command's exit code is aws-mfa's, Ctrl-C and every other signal reach it
directly, and no aws-mfa process lingers holding the credentials.

``AWS_MFA_EXEC`` (the profile's name) marks the command's environment, and
an ``aws-mfa exec`` inside it refuses to run unless ``--allow-nested`` is
given: nested sessions are rarely what was meant.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping, Sequence
from typing import NoReturn

from aws_mfa import mfa_code, session_state
from aws_mfa.cli.context import Context
from aws_mfa.commands.login import fresh_credentials, log_in, prepare
from aws_mfa.errors import CommandNotFoundError, UsageError
from aws_mfa.files import read
from aws_mfa.keys import TemporaryCredentials
from aws_mfa.outputs import variables


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
    from aws_mfa.server import CredentialServer

    collector.resume()  # this process lives as long as the command
    resolved = prepare(context, warn=False)
    log_in(context, resolved)  # a code, if one is needed, is asked for before COMMAND starts

    def provider() -> TemporaryCredentials:
        document = read.read_ini(resolved.credentials_file)
        return session_state.ensure_valid(resolved, document).credentials

    with CredentialServer(provider) as server:
        env = server_environment(
            context.environ, server.url, server.token, resolved.profile, resolved.region
        )
        return supervise(command, env)


NESTING_VARIABLE = "AWS_MFA_EXEC"
PROFILE_VARIABLES = ("AWS_PROFILE", "AWS_DEFAULT_PROFILE")
KEY_VARIABLES = (
    "AWS_ACCESS_KEY_ID",
    "AWS_SECRET_ACCESS_KEY",
    "AWS_SESSION_TOKEN",
    "AWS_SECURITY_TOKEN",
    "AWS_CREDENTIAL_EXPIRATION",
)


def check_nesting(environ: Mapping[str, str], allowed: bool) -> None:
    """Refuse to run inside another ``aws-mfa exec`` unless ``allowed``."""
    outer = environ.get(NESTING_VARIABLE)
    if outer and not allowed:
        raise UsageError(
            f"already inside 'aws-mfa exec' for profile {outer} ({NESTING_VARIABLE} is set); "
            "exit it first, or pass --allow-nested to run one inside the other"
        )


def command_line(words: Sequence[str]) -> list[str]:
    """The command after ``--``; a UsageError when there is none."""
    command = list(words[1:] if words[:1] == ["--"] else words)
    if not command:
        raise UsageError("exec needs a command to run: aws-mfa exec [options] -- COMMAND [ARGS...]")
    return command


def child_environment(
    environ: Mapping[str, str], creds: TemporaryCredentials, profile: str, region: str | None
) -> dict[str, str]:
    """The environment the command runs with."""
    keys = {**variables(creds), "AWS_SECURITY_TOKEN": creds.session_token}
    return command_environment(environ, PROFILE_VARIABLES, keys, profile, region)


def command_environment(
    environ: Mapping[str, str],
    hidden: tuple[str, ...],
    given: Mapping[str, str],
    profile: str,
    region: str | None,
) -> dict[str, str]:
    """``environ`` without ``hidden``, with ``given``, the region when unset, and the mark."""
    env = {k: v for k, v in environ.items() if k not in hidden}
    env.update(given)
    if region:
        env.setdefault("AWS_REGION", region)
        env.setdefault("AWS_DEFAULT_REGION", region)
    env[NESTING_VARIABLE] = profile
    return env


def cannot_run(err: OSError, program: str) -> CommandNotFoundError:
    """The error for a command that cannot be started: 127 when missing, else 126."""
    if isinstance(err, FileNotFoundError):
        return CommandNotFoundError(f"exec: command not found: {program}")
    return CommandNotFoundError(f"exec: cannot run {program}: {err.strerror}", not_executable=True)


def execute(command: list[str], env: Mapping[str, str]) -> NoReturn:
    """Replace this process with ``command``."""
    sys.stdout.flush()
    sys.stderr.flush()
    try:
        os.execvpe(command[0], command, dict(env))  # noqa: S606 (runs what the user typed)
    except OSError as err:
        raise cannot_run(err, command[0]) from err


FORWARDED = ("SIGINT", "SIGTERM", "SIGHUP")
"""Signals passed on to the command under ``exec --server`` (it is not replaced)."""


def server_environment(
    environ: Mapping[str, str], url: str, token: str, profile: str, region: str | None
) -> dict[str, str]:
    """The command's environment under ``exec --server``: the endpoint, and no keys.

    No static keys and no profile, so the SDK's provider chain reaches the
    container-credentials provider, which asks the endpoint.
    """
    endpoint = {
        "AWS_CONTAINER_CREDENTIALS_FULL_URI": url,
        "AWS_CONTAINER_AUTHORIZATION_TOKEN": token,
    }
    return command_environment(
        environ, (*KEY_VARIABLES, *PROFILE_VARIABLES), endpoint, profile, region
    )


def supervise(command: list[str], env: Mapping[str, str]) -> int:
    """Run ``command`` as a child, pass it SIGINT, SIGTERM and SIGHUP; its exit code.

    A child killed by signal N gives 128 + N, as shells report it.
    """
    import signal
    import subprocess

    sys.stdout.flush()
    sys.stderr.flush()
    try:
        child = subprocess.Popen(command, env=dict(env))
    except OSError as err:
        raise cannot_run(err, command[0]) from err

    from_terminal = terminal_signals_reach_child()

    def forward(number: int, frame: object) -> None:
        if number == signal.SIGINT and from_terminal:
            return  # Ctrl-C reached the command too: a second one would mean "force"
        child.send_signal(number)

    previous = {name: signal.signal(getattr(signal, name), forward) for name in FORWARDED}
    try:
        code = child.wait()
    finally:
        for name, handler in previous.items():
            signal.signal(getattr(signal, name), handler)
    return 128 - code if code < 0 else code


def terminal_signals_reach_child() -> bool:
    """Whether Ctrl-C on a terminal reaches the command by itself (same foreground group)."""
    try:
        fd = mfa_code.open_terminal(os.O_RDONLY)
    except OSError:
        return False
    try:
        return os.tcgetpgrp(fd) == os.getpgrp()
    except OSError:
        return False
    finally:
        os.close(fd)
