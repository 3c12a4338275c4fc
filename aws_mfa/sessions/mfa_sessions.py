"""The cached MFA sessions: one code buys a session that roles are assumed from all day.

An MFA session is what GetSessionToken returns for a pair of long-term keys
and an MFA code. It is not a profile, so it is kept where SDKs do not read
it, like the AWS CLI's ``~/.aws/cli/cache``: a 0700 folder in the user's home,
with one 0600 JSON file per access key id and device, written atomically
under a lock::

    ~/.aws/aws-mfa-sessions/
        3f2a...e1.json    {"access_key_id": "AKIA...", "device": "arn:...:mfa/alice",
                           "AccessKeyId": "ASIA...", "SecretAccessKey": "...",
                           "SessionToken": "...", "Expiration": "2026-11-23T09:12:44Z",
                           "mac": "..."}

The folder is in the home whatever folder the credentials file is in: a
credentials file may sit in a folder others can write (``/tmp`` on a CI host,
``AWS_SHARED_CREDENTIALS_FILE``), and a cache there could be planted,
redirected or held by another user. The home is the user's own. Even there,
nothing is trusted on sight:

- the folder is used only when it is a real folder (not a link) of the user's;
  one of theirs that others may open is made 0700 again, with a warning; any
  other folder is not used at all, and the renewal goes on without the cache
  (:meth:`MfaSessions.problem`, checked before a code is asked for);
- a file is read only when it is a regular file (a link is never followed),
  the user's, and 0600, and when it is small and well-formed JSON;
- a file counts as a session only when its ``mac`` checks: an HMAC-SHA256,
  keyed with the long-term secret access key, of everything else in it. Only
  the owner of the key pair can make one, so an entry planted by someone
  else, or left for another key pair with the same key id, is no session;
- its expiration must be one STS could have given: never more than 36 hours
  (GetSessionToken's longest) ahead;
- a write replaces the file's name and never writes through a link.

File names are a digest of the access key id and the device, never of a
secret. A file that does not pass is treated as no session (and replaced by
the next one bought).

The same folder keeps the roles assumed from those sessions for ``export``,
``exec`` and the endpoint (:class:`CachedRoles`), so that a program that runs
``credential_process`` on every call does not cost an AssumeRole each time::

    ~/.aws/aws-mfa-sessions/
        role-9c41...07.json  {"source": "ASIA...", "long_term": "AKIA...",
                              "role_arn": "arn:...:role/admin", "session_name": "alice",
                              "external_id": "", "duration": "3600", "scope": "",
                              "AccessKeyId": "ASIA...", ..., "mac": "..."}

A role entry is bound to the MFA session it was assumed from (``source``): its
``mac`` is keyed with that session's secret, which the hand-out has read anyway,
so the cached path reads no long-term secret (and no keychain) and sends
nothing to STS. It is handed out while more than :data:`ROLE_REUSE` seconds
are left, never past its expiry, and forgotten with the long-term key's
sessions (``logout``). The folder and file checks are those of the sessions.

Beside them, :class:`Approvals` remembers that a person approved handing one set of
credentials to an agent (docs/agents.md), until those credentials end::

    ~/.aws/aws-mfa-sessions/
        approval-5be0...3a.json  {"handed": "ASIA...", "grant": "claude-code\\0prod\\0...",
                                  "Expiration": "2026-11-23T10:12:44Z", "mac": "..."}

Its ``mac`` is keyed with the secret of the credentials approved, so an approval is one of
those credentials and of that grant (agent, profile, scope) or none.

What it does not do: call STS or decide when a session is needed (see
:mod:`aws_mfa.sessions.providers`), or log anything secret.
"""

from __future__ import annotations

import os
import re

from aws_mfa import log, system
from aws_mfa.clock import datetime, timezone
from aws_mfa.errors import FileError
from aws_mfa.expiry import SDK_REFRESH
from aws_mfa.files import read
from aws_mfa.keys import SECRET_FIELDS, TemporaryCredentials, mask
from aws_mfa.records import Record
from aws_mfa.settings.checks import LOCK_TIMEOUT, MAX_DURATION

TYPE_CHECKING = False  # see aws_mfa.records: typing is not imported at run time
if TYPE_CHECKING:
    from aws_mfa.files.lock import locked

FOLDER = os.path.join("~", ".aws", "aws-mfa-sessions")
NAME = re.compile(r"[0-9a-f]{40}\.json")
ROLE_NAME = re.compile(r"role-[0-9a-f]{40}\.json")
APPROVAL_NAME = re.compile(r"approval-[0-9a-f]{40}\.json")
"""The names of the files this module writes; nothing else in the folder is touched."""
FIELDS = ("access_key_id", "device", *SECRET_FIELDS, "Expiration")
"""The fields of an entry that its ``mac`` covers, in this order."""
EXPIRATION_FORMAT = "%Y-%m-%dT%H:%M:%SZ"
STAMP = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", re.ASCII)
"""What :data:`EXPIRATION_FORMAT` writes, read with ``fromisoformat`` (``status`` reads the
cache, and ``strptime`` imports the whole ``datetime`` module and ``calendar``)."""
LONGEST = MAX_DURATION + 300
"""Seconds ahead an entry's expiration may be: GetSessionToken's longest session, and
five minutes for clocks that disagree. A later one was not given by STS."""


class CachedSession(Record):
    """One cached MFA session: whose keys and device bought it, and what it is."""

    access_key_id: str
    device: str
    credentials: TemporaryCredentials
    mac: str = ""

    def __repr__(self) -> str:
        return f"CachedSession({mask(self.access_key_id)}, {self.device!r})"


def default_folder() -> str:
    """The cache folder: ``~/.aws/aws-mfa-sessions`` in the user's home."""
    return os.path.expanduser(FOLDER)


def mac(secret: str, fields: list[str]) -> str:
    """The entry's HMAC-SHA256 over ``fields``, keyed with the long-term secret."""
    import hashlib
    import hmac

    message = "\0".join(["aws-mfa session 1", *fields]).encode()
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


class CacheFolder:
    """The private folder of the cache: its checks, its lock, its files by name pattern."""

    def __init__(self, folder: str, lock_timeout: float = LOCK_TIMEOUT) -> None:
        """``status`` only reads the cache, so the modules that lock and write are imported
        only when used."""
        self.folder, self.lock_timeout = folder, lock_timeout

    def problem(self, repair: bool = True) -> str | None:
        """Why the cache cannot be used now, or None
        (:func:`aws_mfa.files.read.private_folder_problem`). With ``repair``, a folder of the
        user's that others may open is made private again first (with a warning)."""
        return read.private_folder_problem(self.folder, repair)

    def _paths(self, pattern: re.Pattern[str] = NAME) -> list[str]:
        if self.problem(repair=False):  # only a renewal repairs: status changes nothing
            return []
        try:
            names = os.listdir(self.folder)
        except OSError:
            return []
        return [
            os.path.join(self.folder, name) for name in sorted(names) if pattern.fullmatch(name)
        ]

    def _locked(self) -> locked:
        """The folder's lock (``sessions.lock``), held by every write and removal."""
        from aws_mfa.files.lock import locked

        return locked(os.path.join(self.folder, "sessions"), self.lock_timeout)

    def _write(self, target: str, fields: tuple[str, ...], values: list[str], secret: str) -> None:
        """Write ``values`` as the entry ``target``, its ``mac`` keyed with ``secret``, in the
        folder made private first (FileError when it cannot be)."""
        import json

        record = dict(zip(fields, values, strict=True))
        record["mac"] = mac(secret, values)
        problem = self.problem()
        if problem:
            raise FileError(problem)
        with self._locked():
            from aws_mfa.files import safe_write

            safe_write.write_file(target, json.dumps(record).encode(), follow_links=False)

    def _remove(self, path: str) -> bool:
        if not os.path.lexists(path):  # nothing to do: create no folder and no lock
            return False
        with self._locked():
            try:
                os.unlink(path)
            except FileNotFoundError:
                return False
            except OSError as err:
                raise FileError(f"cannot remove {system.shown(path)}: {err.strerror}") from err
        return True


class MfaSessions(CacheFolder):
    """The cache of MFA sessions in ``folder`` (see the module's docstring)."""

    def path(self, access_key_id: str, device: str) -> str:
        import hashlib

        digest = hashlib.sha1(f"{access_key_id}\0{device}".encode(), usedforsecurity=False)
        return os.path.join(self.folder, f"{digest.hexdigest()}.json")

    def get(
        self,
        access_key_id: str,
        secret: str,
        device: str,
        now: datetime,
        min_ttl: int,
    ) -> TemporaryCredentials | None:
        """The session of these keys and device, when more than ``min_ttl`` seconds are left
        and its ``mac`` shows it was made with ``secret``."""
        found = self._read(self.path(access_key_id, device))
        if found is None or (found.access_key_id, found.device) != (access_key_id, device):
            return None
        import hmac

        if not hmac.compare_digest(found.mac, mac(secret, entry_fields(found))):
            log.warning(
                "Ignoring the cached MFA session of %s: it was not made with this key pair",
                mask(access_key_id),
            )
            return None
        left = (found.credentials.expiration - now).total_seconds()
        if left <= min_ttl or left > LONGEST:
            log.debug("The cached MFA session of %s is over or expiring", mask(access_key_id))
            return None
        return found.credentials

    def put(
        self, access_key_id: str, secret: str, device: str, creds: TemporaryCredentials
    ) -> None:
        """Keep ``creds`` as the MFA session of these keys and device (FileError when it
        cannot be kept)."""
        import json

        entry = CachedSession(access_key_id, device, creds)
        fields = entry_fields(entry)
        record = dict(zip(FIELDS, fields, strict=True))
        record["mac"] = mac(secret, fields)
        with self._locked():
            from aws_mfa.files import safe_write

            target = self.path(access_key_id, device)
            safe_write.write_file(target, json.dumps(record).encode(), follow_links=False)
        log.debug("Kept the MFA session of %s in %s", mask(access_key_id), self.folder)

    def forget(self, access_key_id: str) -> int:
        """Remove every session of this access key, whatever its device, and the roles
        assumed from them; how many sessions there were."""
        roles = CachedRoles(self.folder, self.lock_timeout)
        for path in roles.paths():
            entry = roles.read(path)
            if entry is not None and entry["long_term"] == access_key_id:
                self._remove(path)
        return sum(
            self._remove(path)
            for path in self._paths()
            if (found := self._read(path)) is not None and found.access_key_id == access_key_id
        )

    def forget_all(self) -> int:
        """Remove every cached session, role and approval; how many sessions there were."""
        for path in CachedRoles(self.folder, self.lock_timeout).paths():
            self._remove(path)
        for path in self._paths(APPROVAL_NAME):
            self._remove(path)
        return sum(self._remove(path) for path in self._paths())

    def entries(self) -> list[CachedSession]:
        """Every readable cached session, soonest to expire first (their macs unchecked:
        ``status`` has no secret to check them with)."""
        found = [session for session in map(self._read, self._paths()) if session]
        return sorted(found, key=lambda session: session.credentials.expiration)

    def _read(self, path: str) -> CachedSession | None:
        try:
            text = read.read_private(path)
        except FileError as err:
            log.warning("Ignoring the cached MFA session %s: %s", system.shown(path), err.message)
            return None
        return None if text is None else parse(text)


def entry_fields(entry: CachedSession) -> list[str]:
    """What an entry's ``mac`` covers, as text, in :data:`FIELDS` order."""
    creds = entry.credentials
    secrets = [creds.access_key_id, creds.secret_access_key, creds.session_token]
    return [entry.access_key_id, entry.device, *secrets, stamp_of(creds.expiration)]


def stamp_of(moment: datetime) -> str:
    """``moment`` as an entry's ``Expiration`` (:data:`EXPIRATION_FORMAT`, UTC)."""
    return moment.astimezone(timezone.utc).strftime(EXPIRATION_FORMAT)


def moment_of(stamp: str) -> datetime | None:
    """An entry's ``Expiration``, when it is exactly what :func:`stamp_of` writes (read
    without ``_strptime``'s imports); else None."""
    if not STAMP.fullmatch(stamp):
        return None
    try:
        return datetime.fromisoformat(stamp[:-1]).replace(tzinfo=timezone.utc)
    except ValueError:
        return None


def parse(text: str) -> CachedSession | None:
    """The session in a cache file's text, or None when it is not one.

    Anything that is not what :meth:`MfaSessions.put` writes is not a session:
    JSON nested too deep to read, fields that are not text, an expiration that
    is not a time of this millennium.
    """
    import json

    try:
        data = json.loads(text)
        fields = [data[name] for name in (*FIELDS, "mac")]
    except (ValueError, KeyError, TypeError, RecursionError):
        return None
    if not all(isinstance(field, str) and field and field.isprintable() for field in fields):
        return None
    key_id, device, access, secret, token, stamp, found_mac = fields
    expiration = moment_of(stamp)
    if expiration is None or not 2000 <= expiration.year <= 9000:
        return None
    creds = TemporaryCredentials(access, secret, token, expiration)
    return CachedSession(key_id, device, creds, found_mac)


ROLE_REUSE = SDK_REFRESH
"""Seconds a cached role must have left to be handed out again (see
:data:`aws_mfa.expiry.SDK_REFRESH`)."""
ROLE_LONGEST = 43200 + 300
"""Seconds ahead a cached role's expiration may be: AssumeRole's longest, and five minutes."""
ROLE_FIELDS = (
    *("source", "long_term", "role_arn", "session_name", "external_id", "duration", "scope"),
    *SECRET_FIELDS,
    "Expiration",
)
"""The fields of a role entry that its ``mac`` covers, in this order."""


class RoleKey(Record):
    """What a cached role was assumed as: the same role with another name, duration, external
    id or scope (an agent's session policy) is another entry."""

    role_arn: str
    session_name: str
    external_id: str
    duration: int
    scope: str = ""


class CachedRoles(CacheFolder):
    """The roles assumed from cached MFA sessions, in the same folder (see the module's
    docstring); each entry bound to its source session by a ``mac``."""

    def role_path(self, source: TemporaryCredentials, key: RoleKey) -> str:
        import hashlib

        text = "\0".join([source.access_key_id, *map(str, key)])
        digest = hashlib.sha1(text.encode(), usedforsecurity=False)
        return os.path.join(self.folder, f"role-{digest.hexdigest()}.json")

    def paths(self) -> list[str]:
        return self._paths(ROLE_NAME)

    def read(self, path: str) -> dict[str, str] | None:
        """A role entry's fields, when it is one (its ``mac`` unchecked)."""
        import json

        try:
            text = read.read_private(path)
        except FileError as err:
            log.warning("Ignoring the cached role %s: %s", system.shown(path), err.message)
            return None
        try:
            data = json.loads(text) if text is not None else None
        except (ValueError, RecursionError):
            return None
        if not isinstance(data, dict):
            return None
        fields = {name: data.get(name) for name in (*ROLE_FIELDS, "mac")}
        if not all(isinstance(value, str) and value.isprintable() for value in fields.values()):
            return None
        return fields  # type: ignore[return-value]  # every value was checked to be text

    def get(
        self, source: TemporaryCredentials, key: RoleKey, now: datetime, margin: int = 0
    ) -> TemporaryCredentials | None:
        """The role of ``key`` assumed from ``source``, when its ``mac`` checks with the
        source's secret and more than :data:`ROLE_REUSE` seconds (or ``margin``) are left."""
        if self.problem(repair=False):
            return None
        found = self.read(self.role_path(source, key))
        if found is None:
            return None
        import hmac

        fields = [found[name] for name in ROLE_FIELDS]
        if not hmac.compare_digest(found["mac"], mac(source.secret_access_key, fields)):
            log.warning(
                "Ignoring a cached role of %s: it was not made by this session",
                mask(source.access_key_id),
            )
            return None
        wanted = [source.access_key_id, key.role_arn, key.session_name, key.external_id]
        if fields[:1] + fields[2:5] != wanted or found["duration"] != str(key.duration):
            return None
        creds = credentials_of_entry(found)
        if creds is None or found["scope"] != key.scope:
            return None
        left = (creds.expiration - now).total_seconds()
        if left <= max(ROLE_REUSE, margin) or left > ROLE_LONGEST:
            return None
        return creds

    def put(
        self,
        source: TemporaryCredentials,
        long_term: str,
        key: RoleKey,
        creds: TemporaryCredentials,
        now: datetime,
    ) -> None:
        """Keep ``creds`` as the role of ``key`` assumed from ``source`` (FileError when it
        cannot be kept); entries that have expired are removed on the way."""

        secrets = [creds.access_key_id, creds.secret_access_key, creds.session_token]
        values = [source.access_key_id, long_term, key.role_arn, key.session_name]
        values += [key.external_id, str(key.duration), key.scope, *secrets]
        values.append(stamp_of(creds.expiration))
        self._write(self.role_path(source, key), ROLE_FIELDS, values, source.secret_access_key)
        self.prune(now)
        log.debug("Kept role %s, assumed from %s", key.role_arn, mask(source.access_key_id))

    def prune(self, now: datetime) -> None:
        """Remove the role entries that have expired."""
        for path in self.paths():
            found = self.read(path)
            creds = credentials_of_entry(found) if found else None
            if creds is None or creds.expiration <= now:
                self._remove(path)


def credentials_of_entry(found: dict[str, str]) -> TemporaryCredentials | None:
    expiration = moment_of(found["Expiration"])
    if expiration is None:
        return None
    return TemporaryCredentials(
        found["AccessKeyId"], found["SecretAccessKey"], found["SessionToken"], expiration
    )


APPROVAL_FIELDS = ("handed", "grant", "Expiration")
"""The fields of an approval that its ``mac`` covers, in this order."""


class Approvals(CacheFolder):
    """A person's approvals of hand-outs to agents, each bound to the credentials handed out
    and the grant approved (see the module's docstring)."""

    def path(self, creds: TemporaryCredentials, grant: str) -> str:
        import hashlib

        text = f"{creds.access_key_id}\0{grant}"
        digest = hashlib.sha1(text.encode(), usedforsecurity=False)
        return os.path.join(self.folder, f"approval-{digest.hexdigest()}.json")

    def approved(self, creds: TemporaryCredentials, grant: str, now: datetime) -> bool:
        """Whether ``grant`` was approved for ``creds``, and they have not ended."""
        import hmac
        import json

        if self.problem(repair=False) or creds.expiration <= now:
            return False
        try:
            text = read.read_private(self.path(creds, grant))
            data = json.loads(text) if text is not None else None
        except (FileError, ValueError, RecursionError):
            return False
        if not isinstance(data, dict):
            return False
        fields = [data.get(name) for name in APPROVAL_FIELDS]
        wanted = [creds.access_key_id, grant, stamp_of(creds.expiration)]
        found = data.get("mac")
        if fields != wanted or not isinstance(found, str):
            return False
        return hmac.compare_digest(found, mac(creds.secret_access_key, wanted))

    def put(self, creds: TemporaryCredentials, grant: str, now: datetime) -> None:
        """Remember that ``grant`` was approved for ``creds`` (FileError when it cannot);
        approvals of credentials that have ended are removed on the way."""
        import json

        values = [creds.access_key_id, grant, stamp_of(creds.expiration)]
        self._write(self.path(creds, grant), APPROVAL_FIELDS, values, creds.secret_access_key)
        for path in self._paths(APPROVAL_NAME):
            try:
                text = read.read_private(path)
                stamp = json.loads(text).get("Expiration", "") if text else ""
            except (FileError, ValueError, RecursionError, AttributeError):
                stamp = ""
            ends = moment_of(stamp) if isinstance(stamp, str) else None
            if ends is None or ends <= now:
                self._remove(path)
