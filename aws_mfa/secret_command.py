"""A long-term secret kept in a password manager, read and stored by the manager's own command.

A long-term section says so in place of its secret (see
:mod:`aws_mfa.aws.sections`)::

    [dev-long-term]
    aws_access_key_id = AKIA...
    aws_mfa_secret = command
    aws_mfa_secret_command = op read op://Private/aws-dev/secret-access-key
    aws_mfa_secret_store_command = pass insert -m -f aws/dev    (rotate, keychain import)

:func:`read` runs ``aws_mfa_secret_command``: the line is split into words
with the rules of the system (:func:`aws_mfa.system.split_command`) and run
without a shell; the secret is the first line of its standard output,
stripped. Its standard error is the user's, and so is the terminal, so that
the password manager can ask to be unlocked (one reader of the terminal at a
time: aws-mfa reads none while it runs). :func:`store` runs
``aws_mfa_secret_store_command`` with the secret on its standard input.

The secret travels through pipes only: never a command line, an environment
variable, a file or a log. A command that fails, takes longer than
``--secret-timeout``, or prints nothing that can be a secret access key ends
in one :class:`~aws_mfa.errors.SecretCommandError` line that names the
section and the program, never what it printed.

What it does not do: decide when the secret is needed (a renewal or a
rotation, never the valid path: see :mod:`aws_mfa.sessions.renewal`), or
keep the secret anywhere.
"""

from __future__ import annotations

import re

from aws_mfa import log, system
from aws_mfa.aws.sections import COMMAND_KEY, STORE_COMMAND_KEY
from aws_mfa.errors import FileError, SecretCommandError

TYPE_CHECKING = False  # see aws_mfa.records: typing is not imported at run time
if TYPE_CHECKING:
    from collections.abc import Mapping

SECRET = re.compile(r"[A-Za-z0-9/+=]{16,128}")
"""What can be a secret access key: AWS's are 40 characters of base64 (letters, digits,
``+`` and ``/``). An error text, a JSON document or an empty line cannot."""


def words(values: Mapping[str, str], key: str, section: str, path: str) -> list[str]:
    """The command line of ``key`` in the section's ``values``, split into words."""
    text = values.get(key, "").strip()
    if not text:
        raise FileError(
            f"{path}: [{section}] says aws_mfa_secret = command but has no {key}; add it "
            "(docs/password-managers.md has one for each password manager)"
        )
    try:
        found = system.split_command(text)
    except ValueError as err:
        raise FileError(
            f"{path}: [{section}] {key} cannot be split into words ({err}); close its quotes"
        ) from err
    if not found:
        raise FileError(f"{path}: [{section}] {key} names no program; add one")
    return found


def named(key: str, section: str, program: str) -> str:
    """How messages name a command: its setting, its section and its program, never its
    arguments (a session key may be one of them)."""
    import os

    return f"{key} of [{section}] ({os.path.basename(program)})"


def run(
    command: list[str], what: str, timeout: float, given: bytes | None = None
) -> tuple[int, bytes]:
    """Run ``command``; its exit status and its standard output, or one error line."""
    import subprocess

    try:
        return system.run_captured(command, timeout, given)
    except subprocess.TimeoutExpired as err:
        raise SecretCommandError(
            f"{what} did not finish within {timeout:g} seconds and was stopped; unlock the "
            "password manager, or give it longer with --secret-timeout or MFA_SECRET_TIMEOUT"
        ) from err
    except FileNotFoundError as err:
        raise SecretCommandError(
            f"{what} cannot be run: {command[0]} was not found; install it, or write its full path"
        ) from err
    except OSError as err:
        raise SecretCommandError(f"{what} cannot be run ({err.strerror})") from err


def read(values: Mapping[str, str], section: str, path: str, timeout: float) -> str:
    """The secret that ``aws_mfa_secret_command`` of the section prints (see the module)."""
    command = words(values, COMMAND_KEY, section, path)
    what = named(COMMAND_KEY, section, command[0])
    log.debug("Reading the long-term secret of [%s] with %s", section, what)
    status, printed = run(command, what, timeout)
    if status != 0:
        raise SecretCommandError(
            f"{what} failed with exit code {status} (its own messages, if any, are above); "
            "nothing was sent to STS"
        )
    first = printed.split(b"\n", 1)[0].strip()
    if not first:
        raise SecretCommandError(
            f"{what} printed nothing on its first line; it must print the secret access key"
        )
    secret = first.decode("ascii", "replace")
    if not SECRET.fullmatch(secret):
        raise SecretCommandError(
            f"{what} printed something that cannot be a secret access key (40 letters, "
            "digits, + and /) on its first line; make it print the secret alone"
        )
    return secret


def store(values: Mapping[str, str], section: str, path: str, secret: str, timeout: float) -> None:
    """Run ``aws_mfa_secret_store_command`` of the section with ``secret`` on its stdin."""
    command = words(values, STORE_COMMAND_KEY, section, path)
    what = named(STORE_COMMAND_KEY, section, command[0])
    log.debug("Storing a secret for [%s] with %s", section, what)
    status, _ = run(command, what, timeout, (secret + "\n").encode("ascii"))
    if status != 0:
        raise SecretCommandError(
            f"{what} failed with exit code {status} (its own messages, if any, are above)"
        )
