"""``aws-mfa keychain import|export``: move a long-term secret into the OS keychain and back.

``import`` keeps the section's secret access key in the keychain (see
:mod:`aws_mfa.os_keychain`) and puts ``aws_mfa_secret = keychain`` in the place
of its line; ``export`` does the reverse, so an import then an export gives
back the file byte for byte::

    [dev-long-term]                          [dev-long-term]
    aws_access_key_id = AKIA...              aws_access_key_id = AKIA...
    aws_secret_access_key = wJalr...   <->   aws_mfa_secret = keychain
    aws_mfa_device = arn:...                 aws_mfa_device = arn:...

The order keeps the secret somewhere at every moment: ``import`` stores it
and reads it back before the file is edited, and when the edit fails the
keychain is left as it was; ``export`` deletes the entry only after
the file was written. Both hold the file's lock throughout, and edit it as
every other write does (:func:`aws_mfa.files.credentials_file.save_edit`).

One access key has one secret, and one keychain entry: ``import`` never
replaces an entry that holds another secret (two sections naming one key with
two secrets: one is wrong, and the other may be the one that works), and
``export`` keeps the entry while another section of the file still uses it.

``import --to command`` moves the secret into a password manager instead
(see :mod:`aws_mfa.secret_command`): the section's
``aws_mfa_secret_store_command`` gets the secret on its standard input, the
stored copy is read back with its ``aws_mfa_secret_command`` and proven with
a GetCallerIdentity signed with it, and only then does the section say
``aws_mfa_secret = command`` in place of its secret. A failure at any step
leaves the file as it was. ``export`` of such a section reads the secret with
the command and puts it back in the file; the password manager keeps its copy.

What it does not do: decide which section (the settings do), or talk to
keyring or a password manager itself (:class:`aws_mfa.os_keychain.Keychain`
and :mod:`aws_mfa.secret_command` do).
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator

from aws_mfa import log
from aws_mfa.aws.sections import (
    COMMAND_KEY,
    IN_COMMAND,
    IN_FILE,
    IN_KEYCHAIN,
    LOCATION_KEY,
    SECRET_KEY,
    STORE_COMMAND_KEY,
    kept_where,
)
from aws_mfa.cli.context import Context
from aws_mfa.errors import EXIT_OK, AwsMfaError, FileError, SecretCommandError, UsageError
from aws_mfa.files import credentials_file, ini
from aws_mfa.files.lock import locked
from aws_mfa.keys import LongTermKeys, mask
from aws_mfa.os_keychain import Keychain, sharing, store_then_write
from aws_mfa.settings.checks import LOCK_TIMEOUT
from aws_mfa.settings.resolve import Settings


def run(context: Context) -> int:
    action = context.flags.value("action")
    if not action:
        raise UsageError("keychain needs what to do: aws-mfa keychain import|export")
    resolved = context.settings()
    if action == "import" and context.flags.value("to") == IN_COMMAND:
        import_to_command(resolved)
        return EXIT_OK
    if context.flags.value("to") == IN_COMMAND:
        raise UsageError("--to command goes with import; export puts the secret in the file")
    move = import_secret if action == "import" else export_secret
    move(
        resolved.credentials_file,
        resolved.long_term_section,
        Keychain(chosen=resolved.keyring_backend),
        backup=resolved.backup,
        lock_timeout=resolved.lock_timeout,
        secret_timeout=resolved.secret_timeout,
    )
    return EXIT_OK


def section_values(document: ini.IniFile | None, path: str, name: str) -> dict[str, str]:
    """The values of long-term section ``name``, which must have an access key id."""
    if document is None:
        raise FileError(
            f"there is no credentials file at {path}; point at yours with --credentials-file"
        )
    values = document.values(name)
    if values is None:
        raise FileError(
            f"{path} has no long-term section [{name}]; choose the profile with -p "
            "(or the section with --long-term-section)"
        )
    if not values.get("aws_access_key_id"):
        raise FileError(f"{path}: [{name}] has no aws_access_key_id; add it")
    return values


@contextlib.contextmanager
def locked_section(
    path: str, name: str, lock_timeout: float
) -> Iterator[tuple[ini.IniFile | None, dict[str, str]]]:
    """Under the file's lock: the file as it is now, and the values of section ``name``."""
    with locked(path, lock_timeout):
        document = credentials_file.read_for_edit(path, None)
        yield document, section_values(document, path, name)


def import_secret(
    path: str,
    name: str,
    keychain: Keychain,
    *,
    backup: bool = False,
    lock_timeout: float = LOCK_TIMEOUT,
    secret_timeout: float = 0,
) -> bool:
    """Move the secret of section ``name`` into ``keychain``; False when it already was."""
    with locked_section(path, name, lock_timeout) as (document, values):
        key_id, secret = values["aws_access_key_id"], values.get(SECRET_KEY, "")
        if not secret:
            where = kept_where(values, name, path)
            if where == IN_KEYCHAIN:
                log.info("The secret of %s in [%s] is already in the keychain", mask(key_id), name)
                return False
            raise FileError(f"{path}: [{name}] has no {SECRET_KEY} to move into the keychain")
        if LOCATION_KEY in values:  # both: the file's secret wins, as the error says
            change = credentials_file.set_values(name, {LOCATION_KEY: IN_KEYCHAIN}, (SECRET_KEY,))
        else:
            change = credentials_file.replace_key(name, SECRET_KEY, LOCATION_KEY, IN_KEYCHAIN)
        store_then_write(keychain, key_id, secret, path, document, name, change, backup)
    log.info(
        "Moved the secret access key of %s in [%s] into the keychain (%s); the file now says "
        "%s = %s",
        mask(key_id),
        name,
        keychain.label,
        LOCATION_KEY,
        IN_KEYCHAIN,
    )
    warn_about_copies(path, secret)
    return True


def export_secret(
    path: str,
    name: str,
    keychain: Keychain,
    *,
    backup: bool = False,
    lock_timeout: float = LOCK_TIMEOUT,
    secret_timeout: float = 0,
) -> bool:
    """Put the secret of section ``name`` back in the file; False when it already was."""
    with locked_section(path, name, lock_timeout) as (document, values):
        key_id = values["aws_access_key_id"]
        where = kept_where(values, name, path)
        if where == IN_FILE:
            log.info("The secret of %s in [%s] is in the file already", mask(key_id), name)
            return False
        if where == IN_COMMAND:
            from aws_mfa import secret_command

            secret = secret_command.read(values, name, path, secret_timeout)
            change = credentials_file.replace_key(name, LOCATION_KEY, SECRET_KEY, secret)
            credentials_file.save_edit(path, document, [name], change, backup=backup)
            log.info(
                "Put the secret access key of %s back in [%s] of %s; the password manager "
                "keeps its copy",
                mask(key_id),
                name,
                path,
            )
            return True
        secret = keychain.secret(key_id, name, path)
        change = credentials_file.replace_key(name, LOCATION_KEY, SECRET_KEY, secret)
        credentials_file.save_edit(path, document, [name], change, backup=backup)
        log.info("Put the secret access key of %s back in [%s] of %s", mask(key_id), name, path)
        others = sharing(document, key_id, name)
        if others:
            log.info(
                "Kept its keychain entry: %s still %s its secret there",
                ", ".join(f"[{other}]" for other in others),
                "keeps" if len(others) == 1 else "keep",
            )
            return True
        try:
            keychain.delete(key_id)
        except AwsMfaError as err:
            log.warning(
                "The secret is back in the file, but its keychain entry could not be deleted "
                "(%s); delete the entry of service 'aws-mfa' for %s with your keychain's tool",
                err,
                mask(key_id),
            )
            return True
    log.info("Deleted its keychain entry (%s)", keychain.label)
    return True


def import_to_command(settings: Settings) -> bool:
    """Move the secret of the long-term section into its password manager (see the module's
    docstring); False when it is there already."""
    from aws_mfa import secret_command

    path, name = settings.credentials_file, settings.long_term_section
    with locked_section(path, name, settings.lock_timeout) as (document, values):
        key_id, secret = values["aws_access_key_id"], values.get(SECRET_KEY, "")
        if not secret:
            if kept_where(values, name, path) == IN_COMMAND:
                log.info(
                    "The secret of %s in [%s] is already kept by a command", mask(key_id), name
                )
                return False
            raise FileError(f"{path}: [{name}] has no {SECRET_KEY} to move")
        secret_command.words(values, STORE_COMMAND_KEY, name, path)  # both checked first
        reader = secret_command.words(values, COMMAND_KEY, name, path)
        secret_command.store(values, name, path, secret, settings.secret_timeout)
        back = secret_command.read(values, name, path, settings.secret_timeout)
        if back != secret:
            raise SecretCommandError(
                f"{secret_command.named(COMMAND_KEY, name, reader[0])} does not give back "
                f"the secret just stored with {STORE_COMMAND_KEY}; the credentials file was "
                "not changed"
            )
        prove_keys(settings, document, LongTermKeys(key_id, back))
        if LOCATION_KEY in values:
            change = credentials_file.set_values(name, {LOCATION_KEY: IN_COMMAND}, (SECRET_KEY,))
        else:
            change = credentials_file.replace_key(name, SECRET_KEY, LOCATION_KEY, IN_COMMAND)
        credentials_file.save_edit(path, document, [name], change, backup=settings.backup)
    log.info(
        "Moved the secret access key of %s in [%s] into the password manager; the file now "
        "says %s = %s",
        mask(key_id),
        name,
        LOCATION_KEY,
        IN_COMMAND,
    )
    warn_about_copies(path, secret)
    return True


def prove_keys(settings: Settings, document: ini.IniFile | None, keys: LongTermKeys) -> None:
    """STS accepts ``keys`` (GetCallerIdentity): the copy read back is the working secret."""
    from aws_mfa.aws import iam
    from aws_mfa.sessions.renewal import aws_config

    config = aws_config(
        (settings.profile, settings.long_term_section),
        settings.config_file,
        settings.credentials_file,
        document,
    )
    client = iam.client(keys, "sts", config, settings.region, settings.sts_timeout)
    try:
        iam.caller_arn(client)
    except AwsMfaError as err:
        err.message = f"{err.message}; the credentials file was not changed"
        raise
    log.info("STS accepts access key %s with the secret read back", mask(keys.access_key_id))


def warn_about_copies(path: str, secret: str) -> None:
    """Warn when copies made by ``--backup`` still hold ``secret`` in plaintext."""
    folder, base = os.path.split(os.path.abspath(path))
    folder = os.path.join(folder, f"{base}_backup")
    try:
        names = [entry for entry in os.listdir(folder) if entry.startswith(base + ".")]
    except OSError:
        return
    holding = 0
    for entry in names:
        try:
            with open(os.path.join(folder, entry), "rb") as copy:
                holding += secret.encode() in copy.read()
        except OSError:
            continue
    if holding:
        log.warning(
            "%d backup cop%s in %s still hold this secret in plaintext; delete %s once you no "
            "longer need %s",
            holding,
            "y" if holding == 1 else "ies",
            folder,
            "it" if holding == 1 else "them",
            "it" if holding == 1 else "them",
        )
