"""Errors aws-mfa expects, and the exit code each one ends the program with.

Every failure a user can cause or meet (a bad flag, a malformed file, STS
saying no, no network) is raised as a subclass of :class:`AwsMfaError`. Its
message is one line that says what is wrong, where, and how to fix it;
:func:`aws_mfa.cli.main.main` is the only place that prints it and turns it into
an exit code. Nothing here prints, logs or exits.

Exit codes (documented in docs/usage.md):

====  =========================================================
0     success; for ``status -p PROFILE``: the credentials are valid
1     an unexpected internal error (a bug: please report it)
2     a bad flag, environment variable or value
3     a credentials or config file that cannot be used as it is (a
      secret it keeps in the OS keychain missing there included)
4     no MFA code could be read (no ``--token`` and no terminal)
5     STS (or IAM, for ``rotate``) refused: wrong MFA code, invalid keys, access denied
6     STS (or IAM) could not be reached, timed out, throttled or failed
7     ``status -p PROFILE``: the session is expired or missing
8     ``status -p PROFILE``: the session expires within the margin
9     ``doctor``: at least one problem was found
10    the OS keychain cannot be used: no backend, still locked, or failing
11    a hand-out to an agent was not approved: declined, cancelled, unanswered,
      or nobody could be asked
12    the password manager's command (``aws_mfa_secret_command`` or
      ``aws_mfa_secret_store_command``) failed, timed out, or printed no secret
126   ``exec``: the command cannot be run
127   ``exec``: the command was not found
130   interrupted (Ctrl-C)
====  =========================================================
"""

from __future__ import annotations

EXIT_OK = 0
EXIT_INTERNAL = 1
EXIT_USAGE = 2
EXIT_FILE = 3
EXIT_NO_TOKEN = 4
EXIT_STS_REFUSED = 5
EXIT_STS_UNAVAILABLE = 6
EXIT_NOT_VALID = 7
EXIT_EXPIRING = 8
EXIT_PROBLEMS = 9
EXIT_KEYCHAIN = 10
EXIT_NOT_APPROVED = 11
EXIT_SECRET_COMMAND = 12
EXIT_CANNOT_EXECUTE = 126
EXIT_COMMAND_NOT_FOUND = 127
EXIT_INTERRUPTED = 130


class AwsMfaError(Exception):
    """Base of every expected failure: a one-line message and an exit code."""

    exit_code = EXIT_INTERNAL

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message


class UsageError(AwsMfaError):
    """A flag, environment variable or setting has a value that cannot work."""

    exit_code = EXIT_USAGE


class FileError(AwsMfaError):
    """A credentials or config file is missing, malformed or unsafe to edit."""

    exit_code = EXIT_FILE

    def __init__(self, message: str, *, line: int | None = None) -> None:
        super().__init__(message)
        self.line = line
        """The line of the file the problem is on, when there is one."""


class NoTokenError(AwsMfaError):
    """An MFA code is needed and there is no way to ask for one."""

    exit_code = EXIT_NO_TOKEN


class NoCodeSourceError(NoTokenError):
    """A code is needed, and there is neither a code source nor a terminal to ask on (an
    SDK's ``credential_process``, cron, CI): the message says which sources work there."""


class PromptRefusedError(NoTokenError):
    """The user said no to a prompt that was shown: a dialog cancelled, or left unanswered
    until it timed out, or a YubiKey not touched in time. Nothing was sent to STS.

    ``why`` says what happened in words that fit "another run's ...", for the runs that
    waited on the lock for this one (:mod:`aws_mfa.codes.used_codes` remembers it for them).
    """

    def __init__(self, message: str, *, why: str) -> None:
        super().__init__(message)
        self.why = why


class StsRefusedError(AwsMfaError):
    """STS answered, and the answer was no: retrying the same call won't help.

    ``sts_code`` is STS's error code (``AccessDenied``, ``ExpiredToken``...),
    for callers that answer some refusals differently.
    """

    exit_code = EXIT_STS_REFUSED

    def __init__(self, message: str, *, sts_code: str = "") -> None:
        super().__init__(message)
        self.sts_code = sts_code


class StsUnavailableError(AwsMfaError):
    """STS did not give a usable answer; the same call may work later."""

    exit_code = EXIT_STS_UNAVAILABLE


class KeychainError(AwsMfaError):
    """The OS keychain cannot be used: keyring has no backend, the unlock was refused, or
    the backend failed (see :mod:`aws_mfa.os_keychain`)."""

    exit_code = EXIT_KEYCHAIN


class NotApprovedError(AwsMfaError):
    """Credentials for an agent were not approved by a person (docs/agents.md): nothing was
    handed out, and no code was asked for nor STS called for them."""

    exit_code = EXIT_NOT_APPROVED


class SecretCommandError(AwsMfaError):
    """The password manager's command that reads or stores a long-term secret failed, timed
    out, or printed no secret (see :mod:`aws_mfa.secret_command`): the message names the
    command, never what it printed. No code was asked for and nothing was sent to STS."""

    exit_code = EXIT_SECRET_COMMAND


class CommandNotFoundError(AwsMfaError):
    """``exec`` could not start the command: 127 when missing, 126 otherwise (as shells do)."""

    exit_code = EXIT_COMMAND_NOT_FOUND

    def __init__(self, message: str, *, not_executable: bool = False) -> None:
        super().__init__(message)
        if not_executable:
            self.exit_code = EXIT_CANNOT_EXECUTE
