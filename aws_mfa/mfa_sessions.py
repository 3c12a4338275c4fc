"""The cached MFA sessions: one code buys a session that roles are assumed from all day.

An MFA session is what GetSessionToken returns for a pair of long-term keys
and an MFA code. It is not a profile, so it is kept where SDKs do not read
it, like the AWS CLI's ``~/.aws/cli/cache``: ``aws-mfa-sessions/`` beside the
credentials file, a 0700 folder with one 0600 JSON file per access key id and
device, written atomically under a lock::

    ~/.aws/aws-mfa-sessions/
        3f2a...e1.json    {"access_key_id": "AKIA...", "device": "arn:...:mfa/alice",
                           "AccessKeyId": "ASIA...", "SecretAccessKey": "...",
                           "SessionToken": "...", "Expiration": "2026-11-23T09:12:44Z"}

File names are a digest of the access key id and the device, never of a
secret. A file that cannot be read or does not hold what its name promises
is treated as no session (and replaced by the next one bought).

What it does not do: call STS or decide when a session is needed (see
:mod:`aws_mfa.providers`), or log anything secret.
"""

from __future__ import annotations

import os
import re

from aws_mfa import log
from aws_mfa.clock import datetime, timezone
from aws_mfa.errors import FileError
from aws_mfa.files import read
from aws_mfa.keys import TemporaryCredentials, mask
from aws_mfa.records import Record
from aws_mfa.settings.checks import LOCK_TIMEOUT

TYPE_CHECKING = False  # see aws_mfa.records: typing is not imported at run time
if TYPE_CHECKING:
    from aws_mfa.files.lock import locked

FOLDER_NAME = "aws-mfa-sessions"
NAME = re.compile(r"[0-9a-f]{40}\.json")
"""The names of the files this module writes; nothing else in the folder is touched."""
SECRET_FIELDS = ("AccessKeyId", "SecretAccessKey", "SessionToken")


class CachedSession(Record):
    """One cached MFA session: whose keys and device bought it, and what it is."""

    access_key_id: str
    device: str
    credentials: TemporaryCredentials

    def __repr__(self) -> str:
        return f"CachedSession({mask(self.access_key_id)}, {self.device!r})"


def folder_for(credentials_file: str) -> str:
    """The cache folder: ``aws-mfa-sessions`` beside the credentials file."""
    return os.path.join(os.path.dirname(os.path.abspath(credentials_file)), FOLDER_NAME)


class MfaSessions:
    """The cache of MFA sessions in ``folder``."""

    def __init__(self, folder: str, lock_timeout: float = LOCK_TIMEOUT) -> None:
        """``status`` only reads the cache, so the modules that lock and write are imported
        only when used."""
        self.folder, self.lock_timeout = folder, lock_timeout

    def path(self, access_key_id: str, device: str) -> str:
        import hashlib

        digest = hashlib.sha1(f"{access_key_id}\0{device}".encode(), usedforsecurity=False)
        return os.path.join(self.folder, f"{digest.hexdigest()}.json")

    def get(
        self, access_key_id: str, device: str, now: datetime, min_ttl: int
    ) -> TemporaryCredentials | None:
        """The session of these keys and device, when more than ``min_ttl`` seconds are left."""
        found = self._read(self.path(access_key_id, device))
        if found is None or (found.access_key_id, found.device) != (access_key_id, device):
            return None
        left = (found.credentials.expiration - now).total_seconds()
        if left <= min_ttl:
            log.debug("The cached MFA session of %s is over or expiring", mask(access_key_id))
            return None
        return found.credentials

    def put(self, access_key_id: str, device: str, creds: TemporaryCredentials) -> None:
        """Keep ``creds`` as the MFA session of these keys and device."""
        import json

        record = {
            "access_key_id": access_key_id,
            "device": device,
            "AccessKeyId": creds.access_key_id,
            "SecretAccessKey": creds.secret_access_key,
            "SessionToken": creds.session_token,
            "Expiration": creds.expiration.strftime("%Y-%m-%dT%H:%M:%SZ"),
        }
        with self._locked():
            from aws_mfa.files import safe_write

            safe_write.write_file(self.path(access_key_id, device), json.dumps(record).encode())
        log.debug("Kept the MFA session of %s in %s", mask(access_key_id), self.folder)

    def forget(self, access_key_id: str, device: str) -> bool:
        """Remove the session of these keys and device; whether there was one."""
        return self._remove(self.path(access_key_id, device))

    def forget_all(self) -> int:
        """Remove every cached session; how many there were."""
        return sum(self._remove(path) for path in self._paths())

    def entries(self) -> list[CachedSession]:
        """Every readable cached session, soonest to expire first."""
        found = [session for session in map(self._read, self._paths()) if session]
        return sorted(found, key=lambda session: session.credentials.expiration)

    def _paths(self) -> list[str]:
        try:
            names = os.listdir(self.folder)
        except OSError:
            return []
        return [os.path.join(self.folder, name) for name in sorted(names) if NAME.fullmatch(name)]

    def _locked(self) -> locked:
        """The folder's lock (``sessions.lock``), held by every write and removal."""
        from aws_mfa.files.lock import locked

        return locked(os.path.join(self.folder, "sessions"), self.lock_timeout)

    def _remove(self, path: str) -> bool:
        if not os.path.lexists(path):  # nothing to do: create no folder and no lock
            return False
        with self._locked():
            try:
                os.unlink(path)
            except FileNotFoundError:
                return False
            except OSError as err:
                raise FileError(f"cannot remove {path!r}: {err.strerror}") from err
        return True

    def _read(self, path: str) -> CachedSession | None:
        try:
            snapshot = read.read_snapshot(path)
        except FileError as err:
            log.warning("Ignoring the cached MFA session %r: %s", path, err.message)
            return None
        return None if snapshot is None else parse(snapshot.text)


def parse(text: str) -> CachedSession | None:
    """The session in a cache file's text, or None when it is not one."""
    import json

    try:
        data = json.loads(text)
        fields = [data[name] for name in ("access_key_id", "device", *SECRET_FIELDS)]
        expiration = datetime.strptime(data["Expiration"], "%Y-%m-%dT%H:%M:%SZ")
    except (ValueError, KeyError, TypeError):
        return None
    if not all(isinstance(field, str) and field and field.isprintable() for field in fields):
        return None
    key_id, device, access, secret, token = fields
    creds = TemporaryCredentials(access, secret, token, expiration.replace(tzinfo=timezone.utc))
    return CachedSession(key_id, device, creds)
