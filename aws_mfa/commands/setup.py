"""``aws-mfa --setup``: put a new long-term section in the credentials file, interactively
(the ``login`` command runs this one when given ``--setup``).

It asks for the profile name, the access key id (echoed) and the secret
access key (not echoed), then finds the user's MFA devices with those keys
(:mod:`aws_mfa.aws.iam`) and offers them, or asks for the device's ARN when
none can be listed; each answer is checked as it is given. Then it appends::

    [dev-long-term]
    aws_access_key_id = AKIA...
    aws_secret_access_key = ...
    aws_mfa_device = arn:aws:iam::123456789012:mfa/alice

When the AWS config gives the profile no region (and neither ``AWS_REGION`` nor
``AWS_DEFAULT_REGION`` is set), it asks for one and writes it to the profile's
section of the config file, through the same locked, atomic, comment-preserving
write: without one, ``aws`` and the SDKs stop with "You must specify a region".

When keyring has an OS keychain to use, it also offers to keep the secret
there (see :mod:`aws_mfa.os_keychain`): the secret is stored and read back
first, and the section says ``aws_mfa_secret = keychain`` in its place.
Otherwise it offers a password manager's command (see
:mod:`aws_mfa.secret_command`): the command that prints the secret, and the
one that stores a new secret for ``rotate``; the secret is stored with the
second (when given) and read back with the first before anything is written,
and the section says ``aws_mfa_secret = command`` with both.

When the profile's short-term section holds the long-term keys already (as
``aws configure`` leaves them in ``[default]``), it moves them instead of
asking for them, and never copies them (:func:`aws_mfa.profiles.move_keys`, which a login on a
terminal offers too)::

    [default]                          [default]
    aws_access_key_id = AKIA...        region = eu-west-1
    aws_secret_access_key = ...  ->
    region = eu-west-1                 [default-long-term]
                                       aws_access_key_id = AKIA...
                                       aws_secret_access_key = ...

It never replaces a section that already exists, nor a file that is not a
regular file (``/dev/null``, a FIFO), and it writes through the same locked,
atomic, comment-preserving path as a login. It asks only on the
terminal; with none it stops at once.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping

from aws_mfa import log, system
from aws_mfa.aws.sections import (
    COMMAND_KEY,
    IN_COMMAND,
    IN_KEYCHAIN,
    LOCATION_KEY,
    SECRET_KEY,
    STORE_COMMAND_KEY,
)
from aws_mfa.cli.context import Context
from aws_mfa.codes.mfa_code import no_terminal, terminal_prompter
from aws_mfa.errors import EXIT_OK, FileError, NoTokenError, SecretCommandError, UsageError
from aws_mfa.files import credentials_file, ini, read
from aws_mfa.files.lock import locked
from aws_mfa.keys import LongTermKeys, mask
from aws_mfa.os_keychain import Keychain, store_then_write
from aws_mfa.profiles import login_command, movable, move_keys
from aws_mfa.settings.checks import DEFAULT_PROFILE, LOCK_TIMEOUT, SECRET_TIMEOUT
from aws_mfa.settings.checks import device as check_device
from aws_mfa.settings.checks import region as check_region
from aws_mfa.settings.resolve import Flags, chosen_profile, resolve_early, section_names

TYPE_CHECKING = False  # see aws_mfa.records
if TYPE_CHECKING:
    from aws_mfa.aliases import StrPath
    from aws_mfa.aws.iam import Devices


def run(context: Context) -> int:
    flags, environ = context.flags, context.environ
    timeout = resolve_early("lock_timeout", flags, environ)
    profile = chosen_profile(flags, environ)
    setup(
        context.credentials_path,
        flags,
        profile,
        lock_timeout=timeout,
        region_in=None if has_region_variable(environ) else context.config_path,
        secret_timeout=resolve_early("secret_timeout", flags, environ),
    )
    return EXIT_OK


Ask = Callable[[str], str]
DeviceFinder = Callable[[LongTermKeys], "Devices"]

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
        system.open_terminal().close()
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
    find_devices: DeviceFinder | None = None,
    region_in: StrPath | None = None,
    secret_timeout: float = SECRET_TIMEOUT,
) -> str:
    """Create the long-term section; return its name.

    ``keychain``: the OS keychain to offer (default: keyring's choice);
    ``find_devices``: how the user's MFA devices are found (default: ask IAM);
    ``region_in``: the AWS config file, where the profile gets a region when it has none
    (None: no region is asked for, as when AWS_REGION is set);
    ``secret_timeout``: how long a password manager's command may take.
    """
    document = read.read_ini(path)  # not a file, not readable: stop now
    profile = ask(f"Profile name [{default_profile}]: ").strip() or default_profile
    long_term, short_term = section_names(profile, flags)
    if movable(document, long_term, short_term):
        move_keys(path, profile, short_term, long_term, ask=ask, lock_timeout=lock_timeout)
        if not has_device(read.read_ini(path), long_term):
            add_device(path, long_term, ask, find_devices or default_device_finder, lock_timeout)
        if region_in is not None:
            add_region(region_in, profile, ask, lock_timeout)
        log.info("Next: run '%s' to get a session (it asks for a code)", login_command(profile))
        return long_term
    finder = find_devices or default_device_finder
    with locked(path, lock_timeout):
        document = credentials_file.read_for_edit(path, document)
        if document is not None and long_term in document.sections:
            raise FileError(
                f"{system.shown(path)} already has a section {long_term!r}; aws-mfa --setup "
                "never replaces one: edit or remove it by hand first"
            )
        values = ask_keys(ask, ask_secret, finder)
        where = write_keys(
            path, document, long_term, values, ask, keychain or Keychain(), secret_timeout
        )
    key_id = values["aws_access_key_id"]
    log.info("Added [%s] with access key %s to %s%s", long_term, mask(key_id), path, where)
    if region_in is not None:
        add_region(region_in, profile, ask, lock_timeout)
    log.info("Next: run '%s' to get a session (it asks for a code)", login_command(profile))
    return long_term


def has_device(document: ini.IniFile | None, long_term: str) -> bool:
    """Whether the long-term section names its MFA device (``aws_mfa_device``)."""
    values = document.values(long_term) if document is not None else None
    return bool(values and values.get("aws_mfa_device"))


def add_device(
    path: StrPath,
    long_term: str,
    ask: Ask = terminal_ask,
    find_devices: DeviceFinder | None = None,
    lock_timeout: float = LOCK_TIMEOUT,
) -> str:
    """Ask for the MFA device of the keys in ``long_term`` (among those IAM lists for them,
    or typed) and write it there as ``aws_mfa_device``: what a login needs after keys were
    moved out of ``[default]``, where ``aws configure`` leaves none. The device's ARN."""
    from aws_mfa.sessions.renewal import default_secret_reader

    document = read.read_ini(path)
    values = (document.values(long_term) if document else None) or {}
    key_id = values.get("aws_access_key_id", "")
    shown = os.fspath(path)
    log.info(
        "A login needs the ARN of your MFA device (what the AWS CLI calls mfa_serial); "
        "looking up the MFA devices of access key %s",
        mask(key_id),
    )
    keys = LongTermKeys(key_id, values.get(SECRET_KEY, ""))
    if values.get(LOCATION_KEY, "").lower() == IN_KEYCHAIN:
        keys = LongTermKeys(key_id, default_secret_reader()(key_id, long_term, shown))
    device = ask_device(ask, (find_devices or default_device_finder)(keys))
    add_value(path, document, long_term, "aws_mfa_device", device, lock_timeout)
    return device


def add_value(
    path: StrPath,
    document: ini.IniFile | None,
    section: str,
    key: str,
    value: str,
    lock_timeout: float,
) -> None:
    """Set ``key`` in ``section`` of the INI file at ``path`` (read as ``document``), under its
    lock, through the one checked, atomic, comment-keeping write; say so."""
    with locked(path, lock_timeout):
        document = credentials_file.read_for_edit(path, document)
        change = credentials_file.set_values(section, {key: value})
        credentials_file.save_edit(path, document, [section], change)
    log.info("Added %s = %s to [%s] of %s", key, value, section, system.shown(path))


ATTEMPTS = 3
"""How often a device or a region is asked for before --setup gives up."""
REGION_VARIABLES = ("AWS_REGION", "AWS_DEFAULT_REGION")
DEFAULT_REGION = "us-east-1"
"""What Enter takes for the region when the config's [default] names none."""


def has_region_variable(environ: Mapping[str, str]) -> bool:
    """Whether the environment gives the AWS tools a region, whatever the config says."""
    return any(environ.get(name) for name in REGION_VARIABLES)


def add_region(
    path: StrPath, profile: str, ask: Ask = terminal_ask, lock_timeout: float = LOCK_TIMEOUT
) -> str | None:
    """Ask for a region and write it to the profile in the AWS config file at ``path``, when
    it has none: without one, ``aws`` and the SDKs stop with "You must specify a region".
    Enter takes ``[default]``'s region, else us-east-1. The region written, or None."""
    document = read.read_ini(path)
    header = "default" if profile == DEFAULT_PROFILE else f"profile {profile}"
    if ((document.values(header) if document else None) or {}).get("region"):
        return None
    offered = ((document.values("default") if document else None) or {}).get("region")
    offered = offered or DEFAULT_REGION
    region = ask_until(
        ask,
        f"The AWS CLI and SDKs need a region for profile {profile}; region [{offered}]: ",
        lambda answer: check_region(answer or offered, "the region entered", {}),
        f"Region [{offered}]: ",
        "no region was written",
    )
    add_value(path, document, header, "region", region, lock_timeout)
    return region


def ask_until(
    ask: Ask, prompt: str, answer_of: Callable[[str], str], again: str, written: str
) -> str:
    """What ``answer_of`` makes of an answer (stripped), asked again with ``again`` after the
    reason it was refused (a UsageError), :data:`ATTEMPTS` times in all; then a UsageError
    that ends with ``written``, what --setup did not write."""
    for attempt in range(1, ATTEMPTS + 1):
        try:
            return answer_of(ask(prompt).strip())
        except UsageError as err:
            if attempt == ATTEMPTS:
                raise UsageError(f"--setup: {err.message}; {written}") from err
            prompt = f"{err.message}.\n{again}"
    raise AssertionError("unreachable")  # pragma: no cover


def default_device_finder(keys: LongTermKeys) -> Devices:
    """The user's MFA devices, asked of IAM (botocore imported only now)."""
    from aws_mfa.aws.iam import mfa_devices

    return mfa_devices(keys)


def ask_keys(ask: Ask, ask_secret: Ask, find_devices: DeviceFinder) -> dict[str, str]:
    """The access key id (echoed: it is no secret), the secret (not echoed) and the MFA
    device, chosen among the user's own or typed, each checked as it is given."""
    key_id = ask("aws_access_key_id: ").strip()
    if not key_id:
        raise UsageError("--setup: no aws_access_key_id was entered; nothing was written")
    secret = ask_secret("aws_secret_access_key: ").strip()
    if not secret:
        raise UsageError("--setup: no aws_secret_access_key was entered; nothing was written")
    log.info("Looking up the MFA devices of access key %s", mask(key_id))
    device = ask_device(ask, find_devices(LongTermKeys(key_id, secret)))
    return {"aws_access_key_id": key_id, "aws_secret_access_key": secret, "aws_mfa_device": device}


def ask_device(ask: Ask, found: Devices) -> str:
    """The MFA device: one of ``found`` (Enter takes the first), or an ARN typed and checked,
    asked again when it is not one."""
    if found.serials:
        listed = "".join(
            f"  {number}) {serial}\n" for number, serial in enumerate(found.serials, 1)
        )
        prompt = f"Your MFA devices:\n{listed}MFA device [1]: "
    else:
        why = f" ({found.problem})" if found.problem else ""
        prompt = (
            f"No MFA device of these keys could be listed{why}; a login needs one.\n"
            "MFA device ARN (IAM > Users > Security credentials), "
            "like arn:aws:iam::123456789012:mfa/NAME: "
        )

    def device_of(answer: str) -> str:
        if found.serials and (not answer or answer in {str(n) for n in range(1, 10)}):
            index = int(answer or "1") - 1
            if index < len(found.serials):
                return found.serials[index]
        return check_device(answer, "the MFA device entered")

    return ask_until(ask, prompt, device_of, "MFA device: ", "nothing was written")


def write_keys(
    path: StrPath,
    document: ini.IniFile | None,
    long_term: str,
    values: dict[str, str],
    ask: Ask,
    keychain: Keychain,
    secret_timeout: float,
) -> str:
    """Write the new section, its secret in the keychain, a password manager or the file, as
    the user chooses when offered (under the file's lock); where the secret went, for the
    message."""
    key_id, secret = values["aws_access_key_id"], values["aws_secret_access_key"]
    chosen = offer_keychain(ask, keychain)
    if chosen is not None:
        change = credentials_file.set_values(long_term, in_keychain_values(values))
        kept = "nothing was written"
        store_then_write(
            chosen, key_id, secret, os.fspath(path), document, long_term, change, False, kept
        )
        return f" (its secret in the keychain, {chosen.label})"
    commands = offer_command(ask)
    if commands is not None:
        values = in_password_manager(values, commands, long_term, os.fspath(path), secret_timeout)
    change = credentials_file.set_values(long_term, values)
    credentials_file.save_edit(path, document, [long_term], change)
    return " (its secret in the password manager)" if commands else ""


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


def offer_command(ask: Ask) -> dict[str, str] | None:
    """The password manager's commands the user gives, or None to keep the secret in the
    file: the one that prints the secret, and the one that stores a new one (may be empty)."""
    read = ask(
        "Or read the secret access key with a password manager's command, like 'pass show "
        "aws/dev' (Enter keeps it in the file): "
    ).strip()
    if not read:
        return None
    store = ask(
        "The command that stores a new secret given on its standard input, for 'aws-mfa "
        "rotate', like 'pass insert -m -f aws/dev' (Enter for none): "
    ).strip()
    commands = {COMMAND_KEY: read}
    if store:
        commands[STORE_COMMAND_KEY] = store
    return commands


def in_password_manager(
    values: dict[str, str], commands: dict[str, str], section: str, path: str, timeout: float
) -> dict[str, str]:
    """The section's values with ``aws_mfa_secret = command`` and the commands in the
    secret's place, once the password manager holds the secret: stored with the store
    command when there is one, then read back with the read command (nothing is written
    when they differ)."""
    from aws_mfa import secret_command

    secret = values[SECRET_KEY]
    if STORE_COMMAND_KEY in commands:
        secret_command.store(commands, section, path, secret, timeout)
    if secret_command.read(commands, section, path, timeout) != secret:
        raise SecretCommandError(
            f"the password manager's command for [{section}] does not print the secret access "
            "key just typed; nothing was written. Put that secret there (or give the command "
            "that stores it), then run --setup again"
        )
    kept = {key: value for key, value in values.items() if key != SECRET_KEY}
    device = kept.pop("aws_mfa_device", None)
    kept.update({LOCATION_KEY: IN_COMMAND, **commands})
    if device:
        kept["aws_mfa_device"] = device
    return kept


def in_keychain_values(values: dict[str, str]) -> dict[str, str]:
    """The section's values with ``aws_mfa_secret = keychain`` in the secret's place."""
    return {
        (LOCATION_KEY if key == SECRET_KEY else key): (IN_KEYCHAIN if key == SECRET_KEY else value)
        for key, value in values.items()
    }
