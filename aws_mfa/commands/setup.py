"""``aws-mfa --setup``: put a new long-term section in the credentials file, interactively
(the ``login`` command runs this one when given ``--setup``).

It asks for the profile name, the access key id and the secret access key
(neither echoed) and, optionally, the MFA device, then appends::

    [dev-long-term]
    aws_access_key_id = AKIA...
    aws_secret_access_key = ...
    aws_mfa_device = arn:aws:iam::123456789012:mfa/alice

When keyring has an OS keychain to use, it also offers to keep the secret
there (see :mod:`aws_mfa.os_keychain`): the secret is stored and read back
first, and the section says ``aws_mfa_secret = keychain`` in its place.

It never replaces a section that already exists, nor a file that is not a
regular file (``/dev/null``, a FIFO), and it writes through the same locked,
atomic, comment-preserving path as a login. It asks only on the
terminal; with none it stops at once.
"""

from __future__ import annotations

import os
from collections.abc import Callable

from aws_mfa import log, mfa_code
from aws_mfa.aws.sections import IN_KEYCHAIN, LOCATION_KEY, SECRET_KEY
from aws_mfa.cli.context import Context
from aws_mfa.errors import EXIT_OK, FileError, NoTokenError, UsageError
from aws_mfa.files import credentials_file, read
from aws_mfa.files.lock import locked
from aws_mfa.keys import mask
from aws_mfa.mfa_code import no_terminal, terminal_prompter
from aws_mfa.os_keychain import Keychain, store_then_write
from aws_mfa.settings.checks import LOCK_TIMEOUT
from aws_mfa.settings.checks import device as check_device
from aws_mfa.settings.resolve import Flags, profile_name, resolve_early, section_names

TYPE_CHECKING = False  # see aws_mfa.records
if TYPE_CHECKING:
    from aws_mfa.aliases import StrPath


def run(context: Context) -> int:
    flags, environ = context.flags, context.environ
    timeout = resolve_early("lock_timeout", flags, environ)
    setup(context.credentials_path, flags, profile_name(flags, environ), lock_timeout=timeout)
    return EXIT_OK


Ask = Callable[[str], str]

NO_TERMINAL = no_terminal(
    "--setup needs to ask for your keys",
    "run it in a terminal, or edit the credentials file yourself",
)


def terminal_ask(prompt: str) -> str:
    """Read a line on the terminal, echoed; NoTokenError when there is none."""
    return terminal_prompter(prompt, NO_TERMINAL)


def terminal_secret(prompt: str) -> str:
    """Read a line on the terminal without echo; NoTokenError when there is none."""
    import getpass

    try:
        os.close(mfa_code.open_terminal(os.O_RDONLY))
    except OSError as err:
        raise NoTokenError(NO_TERMINAL) from err
    return getpass.getpass(prompt)


def setup(
    path: StrPath,
    flags: Flags,
    default_profile: str,
    *,
    ask: Ask = terminal_ask,
    ask_secret: Ask = terminal_secret,
    lock_timeout: float = LOCK_TIMEOUT,
    keychain: Keychain | None = None,
) -> str:
    """Create the long-term section; return its name.

    ``keychain``: the OS keychain to offer (default: keyring's choice).
    """
    document = read.read_ini(path)  # not a file, not readable: stop now
    profile = ask(f"Profile name [{default_profile}]: ").strip() or default_profile
    long_term, _ = section_names(profile, flags)
    with locked(path, lock_timeout):
        document = credentials_file.read_for_edit(path, document)
        if document is not None and long_term in document.sections:
            raise FileError(
                f"{os.fspath(path)!r} already has a section {long_term!r}; aws-mfa --setup "
                "never replaces one: edit or remove it by hand first"
            )
        values = ask_keys(ask, ask_secret)
        key_id, secret = values["aws_access_key_id"], values["aws_secret_access_key"]
        chosen = offer_keychain(ask, keychain or Keychain())
        if chosen is None:
            change = credentials_file.set_values(long_term, values)
            credentials_file.save_edit(path, document, [long_term], change)
        else:
            change = credentials_file.set_values(long_term, in_keychain_values(values))
            kept = "nothing was written"
            store_then_write(
                chosen, key_id, secret, os.fspath(path), document, long_term, change, False, kept
            )
    where = f" (its secret in the keychain, {chosen.label})" if chosen else ""
    log.info("Added [%s] with access key %s to %s%s", long_term, mask(key_id), path, where)
    return long_term


def ask_keys(ask: Ask, ask_secret: Ask) -> dict[str, str]:
    """The access key id, the secret and the device (when given), as the section's values."""
    key_id = ask_secret("aws_access_key_id: ").strip()
    if not key_id:
        raise UsageError("--setup: no aws_access_key_id was entered; nothing was written")
    secret = ask_secret("aws_secret_access_key: ").strip()
    if not secret:
        raise UsageError("--setup: no aws_secret_access_key was entered; nothing was written")
    device = ask("MFA device ARN (optional, Enter to skip): ").strip()
    values = {"aws_access_key_id": key_id, "aws_secret_access_key": secret}
    if device:
        check_device(device, "the MFA device entered")
        values["aws_mfa_device"] = device
    return values


def offer_keychain(ask: Ask, keychain: Keychain) -> Keychain | None:
    """``keychain`` when it can be used and the user wants the secret there; else None."""
    problem = keychain.unavailable()
    if problem:
        log.debug("Not offering the keychain: %s", problem)
        return None
    answer = ask(
        f"Keep the secret access key in the OS keychain ({keychain.label}) instead of "
        "the file? [y/N]: "
    )
    return keychain if answer.strip().lower() in ("y", "yes") else None


def in_keychain_values(values: dict[str, str]) -> dict[str, str]:
    """The section's values with ``aws_mfa_secret = keychain`` in the secret's place."""
    return {
        (LOCATION_KEY if key == SECRET_KEY else key): (IN_KEYCHAIN if key == SECRET_KEY else value)
        for key, value in values.items()
    }
