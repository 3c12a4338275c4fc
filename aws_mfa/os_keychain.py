"""The OS keychain, through the ``keyring`` library: the one module that imports it.

A long-term section may keep its secret access key in the keychain rather
than in the file. It then says so in place of the secret (see
:mod:`aws_mfa.aws.sections`), and keeps its access key id, so that it still
explains itself to a person reading it::

    [dev-long-term]
    aws_access_key_id = AKIA...
    aws_mfa_secret = keychain          <- was: aws_secret_access_key = ...
    aws_mfa_device = arn:aws:iam::123456789012:mfa/alice

The entry is keyring's service ``aws-mfa``, user name the access key id.
keyring chooses the backend: the macOS Keychain, the Windows Credential
Locker, or a Secret Service (gnome-keyring, KWallet) on Linux. A locked
keychain lets the operating system ask to unlock it.

:func:`store_then_write` keeps a secret in the keychain, then edits the
credentials file, in the order that never loses the secret (``keychain
import`` and ``--setup`` use it).

What it does not do: decide which section (the settings do), or log a secret.
keyring is imported only when a command or a renewal needs the keychain;
a run that finds valid credentials never imports this module.
"""

from __future__ import annotations

from aws_mfa import log
from aws_mfa.aws.sections import SECRET_KEY
from aws_mfa.errors import AwsMfaError, FileError, KeychainError
from aws_mfa.keys import mask

TYPE_CHECKING = False  # see aws_mfa.records: typing is not imported at run time
if TYPE_CHECKING:
    from collections.abc import Iterator
    from contextlib import AbstractContextManager
    from typing import Any

    from aws_mfa.aliases import Change
    from aws_mfa.files import ini

SERVICE = "aws-mfa"
"""keyring's service name of every entry aws-mfa keeps; the user name is the access key id."""

INSTALL_HINT = (
    "on Linux, install and start a Secret Service such as gnome-keyring or KWallet in "
    "your session (it needs a D-Bus session bus); macOS and Windows have one built in"
)
NOT_A_KEYCHAIN = ("keyring.backends.fail", "keyring.backends.null", "keyring.backends.chainer")
"""keyring's stand-ins that keep nothing."""


def backend_label(backend: Any) -> str:
    """How messages name a keyring backend: ``SecretService Keyring``, ``macOS Keyring``."""
    return str(getattr(type(backend), "name", type(backend).__name__))


def quiet_keyring_log() -> None:
    """Keep keyring's log records off the screen, as :mod:`aws_mfa.log` keeps every library's.

    keyring logs a traceback when a backend plugin fails to load; Python
    would print it on stderr, and aws-mfa's errors are one line.
    """
    import logging

    logging.getLogger("keyring").addHandler(logging.NullHandler())


def unusable_backends() -> list[str]:
    """``name: why not`` for each backend keyring knows and cannot use here."""
    reasons: dict[str, str] = {}
    for name, why in backends():
        module = name.rpartition(".")[0].rpartition(".")[2]
        if why is not None and module not in reasons:
            reasons[module] = why
    return [f"{name}: {why}" for name, why in reasons.items()]


def load_backend(name: str) -> Any:
    """The keyring backend ``name`` (``module.Class``) names, made; :class:`KeychainError`
    when it is not installed or cannot work here."""
    import keyring.core

    try:
        return keyring.core.load_keyring(name)
    except Exception as err:  # an import, an attribute, or the backend's own refusal
        raise KeychainError(
            f"the keyring backend {name} cannot be loaded ({type(err).__name__}); install its "
            "package in aws-mfa's environment or fix aws_mfa_keyring_backend (or "
            "PYTHON_KEYRING_BACKEND): 'aws-mfa doctor' lists the backends installed"
        ) from err


def backends() -> list[tuple[str, str | None]]:
    """Every keyring backend installed, as ``(module.Class, why it cannot be used or
    None)``, the usable ones first (for ``doctor``)."""
    quiet_keyring_log()
    import keyring.backend

    try:
        keyring.backend.get_all_keyring()  # loads every backend keyring knows
        known = list(keyring.backend.KeyringBackend._classes)
    except Exception:  # a newer keyring: doctor lists nothing
        return []
    found: dict[str, str | None] = {}
    for cls in known:
        name = f"{cls.__module__}.{cls.__name__}"
        if cls.__module__.startswith(NOT_A_KEYCHAIN):
            continue
        try:
            cls.priority  # noqa: B018 (raises when the backend cannot work here)
            found[name] = None
        except Exception as err:  # keyring's own way to say why not
            found[name] = log.one_line(str(err)) or type(err).__name__
    return sorted(found.items(), key=lambda item: (item[1] is not None, item[0]))


def no_backend(backend: Any) -> KeychainError:
    """The error for a keyring with no usable backend: which it tried, and what to install."""
    import os

    chosen = os.environ.get("PYTHON_KEYRING_BACKEND")
    if chosen:
        found = f"PYTHON_KEYRING_BACKEND chooses {chosen}, which keeps nothing; unset it"
    elif type(backend).__module__.startswith("keyring.backends.null"):
        found = "keyring is turned off (its null backend, chosen by 'keyring --disable')"
    else:
        tried = unusable_backends()
        found = f"keyring found no backend it can use ({'; '.join(tried) or 'none known'})"
    return KeychainError(f"no OS keychain to use: {found}; {INSTALL_HINT}")


class Keychain:
    """The user's OS keychain as keyring chooses it, with aws-mfa's errors.

    ``backend`` is a keyring backend to use instead of keyring's choice (tests);
    ``chosen`` the ``module.Class`` name of one (``aws_mfa_keyring_backend``, or
    keyring's own ``PYTHON_KEYRING_BACKEND``), loaded when first needed.
    """

    def __init__(self, backend: Any = None, chosen: str | None = None) -> None:
        self._backend, self.chosen = backend, chosen

    def backend(self) -> Any:
        """keyring's backend; :class:`KeychainError` when it keeps nothing."""
        if self._backend is None:
            quiet_keyring_log()
            import keyring

            self._backend = load_backend(self.chosen) if self.chosen else keyring.get_keyring()
        if type(self._backend).__module__.startswith(NOT_A_KEYCHAIN):
            raise no_backend(self._backend)
        return self._backend

    def unavailable(self) -> str | None:
        """Why no keychain can be used here, or None when one can."""
        try:
            self.backend()
        except KeychainError as err:
            return err.message
        return None

    @property
    def label(self) -> str:
        return backend_label(self.backend())

    def read(self, key_id: str) -> str | None:
        """The secret kept for ``key_id``; None when there is no entry."""
        with self.translated("reading", key_id):
            found: str | None = self.backend().get_password(SERVICE, key_id)
        return found or None

    def secret(self, key_id: str, section: str, path: str) -> str:
        """The secret of ``key_id``, which section ``section`` of ``path`` says is kept here."""
        found = self.read(key_id)
        if found is None:
            raise FileError(
                f"{path}: [{section}] keeps its secret access key in the keychain, but the "
                f"keychain ({self.label}) has no entry for access key {mask(key_id)} (service "
                f"'{SERVICE}'); put {SECRET_KEY} back in that section, then run "
                "'aws-mfa keychain import' again if you want it in the keychain"
            )
        return found

    def store(self, key_id: str, secret: str) -> None:
        """Keep ``secret`` for ``key_id``, and read it back to be sure it is there."""
        with self.translated("storing", key_id, secret):
            self.backend().set_password(SERVICE, key_id, secret)
        if self.read(key_id) != secret:
            raise KeychainError(
                f"the keychain ({self.label}) did not give back the secret of access key "
                f"{mask(key_id)} just stored in it; the credentials file was not changed"
            )

    def delete(self, key_id: str) -> None:
        """Forget the entry of ``key_id``; nothing to do when there is none."""
        if self.read(key_id) is None:
            return
        with self.translated("deleting", key_id):
            self.backend().delete_password(SERVICE, key_id)

    def translated(self, doing: str, key_id: str, secret: str = "") -> AbstractContextManager[None]:
        """Turn what keyring raises into one :class:`KeychainError` line (a context manager)."""
        return _translated(self, doing, key_id, secret)


INTERACTION_NOT_ALLOWED = -25308
"""macOS's errSecInteractionNotAllowed: the keychain is locked, and no window may ask to unlock
it (over SSH, say). keyring's macOS backend reports it as an unknown error, with this status
as its cause's first argument."""


def _cannot_ask_to_unlock(err: BaseException) -> bool:
    cause: BaseException | None = err
    while cause is not None:
        if cause.args and cause.args[0] == INTERACTION_NOT_ALLOWED:
            return True
        cause = cause.__cause__
    return False


def _translated_message(keychain: Keychain, err: Exception, doing: str, key_id: str) -> str:
    import keyring.errors

    what = f"{doing} the secret of access key {mask(key_id)}"
    if _cannot_ask_to_unlock(err):
        return (
            f"the keychain ({keychain.label}) is locked and cannot ask to be unlocked here "
            f"(no window to ask in, as over SSH) while {what}; unlock it with "
            "'security unlock-keychain' and run again"
        )
    if isinstance(err, keyring.errors.KeyringLocked):
        return (
            f"the keychain ({keychain.label}) stayed locked while {what}: the unlock was "
            "refused or cancelled; unlock it and run again"
        )
    # keyring's own messages say what went wrong; another library's may quote what it was given.
    said = f": {log.one_line(str(err))}" if isinstance(err, keyring.errors.KeyringError) else ""
    return f"the keychain ({keychain.label}) failed while {what} ({type(err).__name__}{said})"


def _translated(
    keychain: Keychain, doing: str, key_id: str, secret: str
) -> AbstractContextManager[None]:
    import contextlib

    import keyring.errors

    @contextlib.contextmanager
    def guard() -> Iterator[None]:
        try:
            yield
        except KeychainError:
            raise
        except keyring.errors.NoKeyringError as err:
            raise no_backend(keychain._backend) from err
        except Exception as err:  # backends raise what their platform raises
            message = _translated_message(keychain, err, doing, key_id)
            if secret:
                message = message.replace(secret, "***")
            raise KeychainError(message) from err

    return guard()


def read_secret(key_id: str, section: str, path: str, chosen: str | None = None) -> str:
    """The secret of ``key_id`` from the user's keychain (a renewal's default reader), in the
    keyring backend ``chosen`` names, else keyring's choice."""
    log.debug("Reading the secret of %s from the keychain", mask(key_id))
    return Keychain(chosen=chosen).secret(key_id, section, path)


def store_then_write(
    keychain: Keychain,
    key_id: str,
    secret: str,
    path: str,
    document: ini.IniFile | None,
    name: str,
    change: Change,
    backup: bool,
    kept: str = "the secret stays in the file",
) -> None:
    """Store ``secret`` and check it, then edit the file; on failure give the keychain back.

    An entry that holds another secret for ``key_id`` is never replaced: one
    access key has one secret, so two sections naming it with two secrets
    means one is wrong, and the other may be the one that works. After a
    failed edit the keychain gets back what it held (no entry, or this very
    secret); the message ends with ``kept`` and says which. Call it under the
    file's lock.
    """
    from aws_mfa.files.credentials_file import save_edit

    previous = keychain.read(key_id)
    if previous is not None and previous != secret:
        others = sharing(document, key_id, name)
        where = ", ".join(f"[{other}]" for other in others) or "a section of another file"
        raise FileError(
            f"{path}: the keychain already holds a different secret for access key "
            f"{mask(key_id)}, the one {where} uses, and [{name}] names the same key with "
            "another secret: one of the two is wrong; nothing was changed. Correct the wrong "
            "one, then try again"
        )
    keychain.store(key_id, secret)
    try:
        save_edit(path, document, [name], change, backup=backup)
    except BaseException as err:
        undone = give_back(keychain, key_id, previous)
        if isinstance(err, AwsMfaError):
            err.message = f"{err.message}; {kept}, and {undone}"
        raise


def give_back(keychain: Keychain, key_id: str, previous: str | None) -> str:
    """Put back the keychain entry of ``key_id`` as it was; say what was done."""
    if previous is not None:
        return f"its keychain entry ({mask(key_id)}) was left, as it held this secret already"
    try:
        keychain.delete(key_id)
    except AwsMfaError as err:
        return f"its keychain entry ({mask(key_id)}) was left, as removing it failed: {err}"
    return f"its keychain entry ({mask(key_id)}) was removed"


def sharing(document: ini.IniFile | None, key_id: str, name: str) -> list[str]:
    """The sections other than ``name`` that keep the secret of ``key_id`` in the keychain."""
    from aws_mfa.aws.sections import in_keychain

    if document is None:
        return []
    return [
        other
        for other, section in document.sections.items()
        if other != name
        and section.values.get("aws_access_key_id") == key_id
        and in_keychain(section.values)
    ]
