"""Small keyring backends for what a real keychain makes awkward to test.

aws-mfa runs in a subprocess; it gets one of these through keyring's own
switch, ``PYTHON_KEYRING_BACKEND=tests.keyring_backends.NAME`` (with the
repository on ``PYTHONPATH``). Each plays one behaviour of a real backend:

- :class:`LockedKeyring`: the user refuses to unlock it (keyring's Secret
  Service and macOS backends raise ``KeyringLocked`` when the prompt is
  dismissed);
- :class:`BrokenKeyring`: the backend fails (a daemon gone, a full disk);
- :class:`FileKeyring`: a plain keychain in a JSON file
  (``AWS_MFA_TEST_KEYRING``) that counts how often it is read;
- :class:`ForgetfulKeyring`: accepts a secret and then does not have it;
- :class:`UndeletableKeyring`: keeps its entries when asked to delete them.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from keyring.backend import KeyringBackend
from keyring.errors import KeyringError, KeyringLocked, PasswordDeleteError


class LockedKeyring(KeyringBackend):
    priority = 1

    def get_password(self, service: str, username: str) -> str | None:
        raise KeyringLocked("Failed to unlock the collection!")

    def set_password(self, service: str, username: str, password: str) -> None:
        raise KeyringLocked("Failed to unlock the collection!")

    def delete_password(self, service: str, username: str) -> None:
        raise KeyringLocked("Failed to unlock the collection!")


class MacKeychainLockedOverSsh(KeyringBackend):
    """keyring's macOS backend, reached over SSH with the keychain locked: Security says
    errSecInteractionNotAllowed (-25308), which keyring reports as an unknown error."""

    priority = 1

    def fail(self) -> None:
        try:
            raise OSError(-25308, "Unknown Error")  # keyring's api.Error(status, text)
        except OSError as err:
            raise KeyringError(f"Can't get password from keychain: {err}") from err

    def get_password(self, service: str, username: str) -> str | None:
        self.fail()
        return None

    def set_password(self, service: str, username: str, password: str) -> None:
        self.fail()

    def delete_password(self, service: str, username: str) -> None:
        self.fail()


class BrokenKeyring(KeyringBackend):
    priority = 1

    def get_password(self, service: str, username: str) -> str | None:
        return None

    def set_password(self, service: str, username: str, password: str) -> None:
        raise KeyringError("the keychain daemon went away")

    def delete_password(self, service: str, username: str) -> None:
        raise KeyringError("the keychain daemon went away")


class FileKeyring(KeyringBackend):
    """Entries in the JSON file ``$AWS_MFA_TEST_KEYRING``: ``{"entries": {...}, "reads": n}``."""

    priority = 1

    @staticmethod
    def path() -> Path:
        return Path(os.environ["AWS_MFA_TEST_KEYRING"])

    def load(self) -> dict[str, object]:
        try:
            return dict(json.loads(self.path().read_text()))
        except FileNotFoundError:
            return {"entries": {}, "reads": 0}

    def save(self, data: dict[str, object]) -> None:
        self.path().write_text(json.dumps(data))

    def entries(self, data: dict[str, object]) -> dict[str, str]:
        found = data.setdefault("entries", {})
        assert isinstance(found, dict)
        return found

    def get_password(self, service: str, username: str) -> str | None:
        data = self.load()
        data["reads"] = int(str(data.get("reads", 0))) + 1
        self.save(data)
        return self.entries(data).get(f"{service}/{username}")

    def set_password(self, service: str, username: str, password: str) -> None:
        data = self.load()
        self.entries(data)[f"{service}/{username}"] = password
        self.save(data)

    def delete_password(self, service: str, username: str) -> None:
        data = self.load()
        if self.entries(data).pop(f"{service}/{username}", None) is None:
            raise PasswordDeleteError("no such entry")
        self.save(data)


class ForgetfulKeyring(FileKeyring):
    def set_password(self, service: str, username: str, password: str) -> None:
        pass


class UndeletableKeyring(FileKeyring):
    def delete_password(self, service: str, username: str) -> None:
        raise PasswordDeleteError("the keychain refused to delete it")
