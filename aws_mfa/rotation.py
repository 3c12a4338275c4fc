"""Rotate a long-term access key so that the file always holds a key that works.

``aws-mfa rotate`` replaces the access key of a long-term section with a new
one of the same IAM user. Every IAM call is signed with the cached MFA
session (:meth:`aws_mfa.sessions.providers.Provider.mfa_session`): no code is spent
while it lasts. The steps, each written down in a journal before the next::

    ListAccessKeys       two keys already: refuse, saying which one is unused
    journal: creating    the old key (its secret too, unless the keychain or a
                         password manager keeps it)
    CreateAccessKey
    journal: created     the new key; its secret in the journal, or in the keychain
    GetCallerIdentity    signed with the new key, until STS accepts it (10-20 s)
    store command        with a password manager (aws_mfa_secret = command): its
                         aws_mfa_secret_store_command gets the new secret on stdin
    write the file       the new key (secret in the file or the keychain) and when
                         it was created; a backup copy of the file first
    journal: written     the cached MFA session is kept for the new key too
    UpdateAccessKey      the old key Inactive
    journal: inactive
    DeleteAccessKey      the old key (not with --keep-old)
    journal: deleted
    tidy                 forget the old key's cached sessions and keychain entry;
                         remove the journal

The new key is proven before the file names it, so the file names a key
that STS accepts at every moment: the old one until the write, the new one
after. A run killed anywhere leaves the journal (``~/.aws/aws-mfa-rotations/``,
private like the cache of MFA sessions), and the next ``aws-mfa rotate``
reads it and goes on from where the run stopped; when the new key never
works, it rolls the rotation back (the new key deleted, the file as it was).
See docs/rotation.md.

What it does not do: parse the command line (:mod:`aws_mfa.commands.rotate`), or log
a secret: the journal holds secrets and is never logged; key ids are masked.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable

from aws_mfa import log, system
from aws_mfa.aws.sections import (
    IN_COMMAND,
    SECRET_KEY,
    STORE_COMMAND_KEY,
    in_keychain,
    secret_location,
)
from aws_mfa.clock import Clock, utc_now
from aws_mfa.errors import AwsMfaError, FileError, StsRefusedError, StsUnavailableError
from aws_mfa.files import credentials_file, ini, read, safe_write
from aws_mfa.files.lock import locked
from aws_mfa.key_age import KEY_CREATED, format_created
from aws_mfa.keys import LongTermKeys, TemporaryCredentials, mask
from aws_mfa.records import Record
from aws_mfa.sessions.providers import STALE_SESSION_CODES, Provider
from aws_mfa.sessions.renewal import Renewal, default_secret_reader, preflight
from aws_mfa.settings.resolve import Settings

TYPE_CHECKING = False  # see aws_mfa.records: typing is not imported at run time
if TYPE_CHECKING:
    from datetime import datetime

    from aws_mfa.aws.iam import AccessKey, Iam
    from aws_mfa.aws.sts import AwsConfig, BoundedClient
    from aws_mfa.os_keychain import Keychain
    from aws_mfa.sessions.mfa_sessions import MfaSessions

FOLDER = os.path.join("~", ".aws", "aws-mfa-rotations")
CREATING, CREATED, WRITTEN, INACTIVE, DELETED = (
    "creating",
    "created",
    "written",
    "inactive",
    "deleted",
)
STEPS = (CREATING, CREATED, WRITTEN, INACTIVE, DELETED)
PROOF_TIMEOUT = 90.0
"""Seconds to wait for STS to accept a new key: IAM takes 10 to 20 seconds to spread one."""
CHECKPOINTS = (
    "before-create",
    "after-create",
    "after-prove",
    "after-write",
    "after-deactivate",
    "after-delete",
    "after-tidy",
)
"""The moments a rotation passes a :data:`Checkpoint`: each right after the journal says
where the rotation is."""

Checkpoint = Callable[[str], None]
"""Called with each name of :data:`CHECKPOINTS` as the rotation passes it. The installed
tool passes :func:`no_checkpoint`; the tests pass one that kills the process there
(tests/kill_at.py), as a crash or a power cut would stop it, to prove every step resumes."""
STILL_VALID = (
    "sessions obtained with the old key keep working until they expire (AWS cannot revoke "
    "temporary credentials; they act with the user's permissions)"
)


class Journal(Record):
    """Where a rotation is: what a rerun needs to finish it or roll it back. Holds secrets;
    its repr shows none."""

    credentials_file: str
    section: str
    user: str
    arn: str
    step: str
    started: str
    old_key_id: str
    old_secret: str
    """The old key's secret, "" when the keychain keeps it (under the old key id)."""
    keychain: bool
    keep_old: bool
    new_key_id: str = ""
    new_secret: str = ""
    """The new key's secret, "" when the keychain keeps it (under the new key id)."""
    new_created: str = ""
    command: bool = False
    """A password manager keeps the secrets (``aws_mfa_secret = command``): the old one is
    not in the journal, and the new one only until the store command has it."""

    def __repr__(self) -> str:
        old, new = mask(self.old_key_id), mask(self.new_key_id)
        return f"Journal([{self.section}], {self.step}, {old} -> {new})"


class Journals:
    """The journals of rotations under way, one 0600 JSON file per credentials file and
    section, in a 0700 folder of the user's home (checked as the cache of MFA sessions is)."""

    def __init__(self, folder: str | None = None) -> None:
        self.folder = folder or os.path.expanduser(FOLDER)

    def path(self, credentials: str, section: str) -> str:
        import hashlib

        # One journal per file, however its path was typed (links, and case where the
        # file system ignores it: ~/.AWS/Credentials is ~/.aws/credentials on macOS and Windows).
        where = f"{system.canonical_path(credentials)}\0{section}".encode()
        name = hashlib.sha1(where, usedforsecurity=False).hexdigest()
        return os.path.join(self.folder, f"{name}.json")

    def problem(self) -> str | None:
        """Why the folder cannot be trusted with a journal, or None: the check of the cache
        of MFA sessions (:func:`aws_mfa.files.read.private_folder_problem`), which makes a
        folder of the user's that others may open private again."""
        return read.private_folder_problem(self.folder, repair=True)

    def read(self, credentials: str, section: str) -> Journal | None:
        import json

        path = self.path(credentials, section)
        text = read.read_private(path)
        if text is None:
            return None
        try:
            data = json.loads(text)
        except (ValueError, RecursionError) as err:
            raise FileError(
                f"the rotation journal {system.shown(path)} cannot be read; the backup copies in "
                f"{credentials}_backup/ hold the old key: see docs/rotation.md"
            ) from err
        problem = journal_problem(data)
        if problem:
            raise FileError(
                f"the rotation journal {system.shown(path)} is not one aws-mfa wrote ({problem}); "
                f"nothing was asked or sent. The backup copies in {credentials}_backup/ hold the "
                "old key: see docs/rotation.md"
            )
        journal = Journal(**{name: data[name] for name in Journal._fields if name in data})
        same_file = system.canonical_path(journal.credentials_file) == system.canonical_path(
            credentials
        )
        if not same_file or journal.section != section:
            raise FileError(
                f"the rotation journal {system.shown(path)} is another file's; remove it"
            )
        return journal

    def write(self, journal: Journal) -> None:
        import json

        data = {name: getattr(journal, name) for name in Journal._fields}
        path = self.path(journal.credentials_file, journal.section)
        safe_write.write_file(path, json.dumps(data).encode(), follow_links=False)
        log.debug("Rotation journal of [%s]: %s", journal.section, journal.step)

    def remove(self, journal: Journal) -> None:
        safe_write.remove(self.path(journal.credentials_file, journal.section))
        safe_write.sync_folder(self.folder)


FLAGS = ("keychain", "keep_old", "command")
"""The journal's fields that are true or false; every other one is text."""
OPTIONAL = ("command",)
"""The journal's fields that journals of an older aws-mfa lack (their default then)."""


def journal_problem(data: object) -> str | None:
    """What makes ``data`` (a journal's JSON) other than what :meth:`Journals.write` writes,
    or None: every field there, of its type, and a known step. Checked when the journal is
    read, before any code is asked for: a journal of the wrong shape would otherwise fail
    halfway through the rotation, once the code is spent."""
    if not isinstance(data, dict):
        return "not a JSON object"
    for name in Journal._fields:
        if name not in data:
            if name in OPTIONAL:
                continue
            return f"it has no {name}"
        value = data[name]
        if name in FLAGS and type(value) is not bool:
            return f"its {name} is not true or false"
        if name not in FLAGS and not (type(value) is str and value.isprintable()):
            return f"its {name} is not text on one line"
    if data["step"] not in STEPS:
        return f"its step is none of {', '.join(STEPS)}"
    return None


def no_checkpoint(name: str) -> None:
    """The :data:`Checkpoint` of every real run: nothing happens there."""


def default_keychain() -> Keychain:
    from aws_mfa.os_keychain import Keychain

    return Keychain()


class Connection(Record):
    """What the IAM calls need: the user's IAM, who they are, the session, the provider."""

    iam: Iam
    arn: str
    session: TemporaryCredentials
    provider: Provider


class Rotation:
    """Rotates the long-term key of ``settings`` (see the module's docstring).

    Collaborators have real defaults: ``renewal`` buys or finds the MFA session
    (its prompter, client factory and cache), ``keychain`` is the OS keychain,
    ``journals`` the journal folder, ``confirm`` asks before a new rotation,
    ``sleep`` waits between proofs.
    """

    def __init__(
        self,
        settings: Settings,
        *,
        renewal: Renewal | None = None,
        keychain: Callable[[], Keychain] = default_keychain,
        journals: Journals | None = None,
        confirm: Callable[[str], bool] = lambda question: True,
        sleep: Callable[[float], None] = time.sleep,
        clock: Clock = utc_now,
        proof_timeout: float | None = None,
        checkpoint: Checkpoint = no_checkpoint,
    ) -> None:
        if settings.short_term_section == settings.long_term_section:
            # The keys in the profile's own section (--long-term-suffix none): rotate writes
            # no session, so the renewal's guard of that section does not apply.
            settings = settings._replace(short_term_section="")
        self.settings, self.renewal = settings, renewal or Renewal()
        self.keychain, self.journals = keychain, journals or Journals()
        self.confirm, self.sleep, self.clock = confirm, sleep, clock
        self.proof_timeout = proof_timeout or PROOF_TIMEOUT
        self.checkpoint = checkpoint
        self.resumed = False
        self.old_read = ""
        """The old key's secret, when a password manager's command read it (never written)."""

    @property
    def where(self) -> str:
        return f"[{self.settings.long_term_section}] of {self.settings.credentials_file}"

    def run(self, keep_old: bool) -> str:
        """Rotate, or finish the rotation a journal says is under way; what was done."""
        settings = self.settings
        problem = self.journals.problem()
        if problem:
            raise FileError(f"cannot keep the rotation journal: {problem}; nothing was changed")
        path, name = settings.credentials_file, settings.long_term_section
        with locked(path, settings.lock_timeout):
            document = credentials_file.read_for_edit(path, None)
            journal = self.journals.read(path, name)
            if journal is not None and journal.step != CREATING:
                self.resumed = True
                log.info(
                    "Finishing the rotation of %s stopped after step '%s' (journal %s)",
                    self.where,
                    journal.step,
                    self.journals.path(path, name),
                )
                return self.finish(journal, document, self.connect(document))
            connection = self.connect(document, ask=journal is None)
            if journal is not None:
                self.abandon_creating(journal, connection)
            journal = self.start(document, connection, keep_old)
            return self.finish(journal, document, connection)

    def connect(self, document: ini.IniFile | None, ask: bool = False) -> Connection:
        """The file's keys checked, the question asked, then the MFA session and the user."""
        from aws_mfa.aws import iam

        settings = self.settings
        values = (document.values(settings.long_term_section) if document else None) or {}
        if secret_location(values) == IN_COMMAND:
            from aws_mfa import secret_command

            try:  # before the code is asked for and CreateAccessKey: the new secret needs a home
                secret_command.words(values, STORE_COMMAND_KEY, settings.long_term_section, "")
            except FileError as err:
                raise FileError(
                    f"{self.where} keeps its secret in a password manager, and rotate needs "
                    f"{STORE_COMMAND_KEY} there to keep the new one (it gets the secret on its "
                    "standard input, like 'pass insert -m -f aws/dev'); add it, then run "
                    "again. Nothing was changed"
                ) from err
        reader = self.renewal.read_secret or default_secret_reader(settings)
        caller = preflight(settings, document, reader)
        self.old_read = (
            caller.keys.secret_access_key if secret_location(values) == IN_COMMAND else ""
        )
        if ask:
            self.ask(caller.keys, document)
        provider = self.renewal.provider(settings, caller, document)
        session = provider.mfa_session(provider.sessions)

        def client(service: str) -> BoundedClient:  # bounded by MFA_STS_TIMEOUT
            return iam.client(
                session, service, provider.config, settings.region, settings.sts_timeout
            )

        try:
            arn = iam.caller_arn(client("sts"))
        except StsRefusedError as err:
            if err.sts_code not in STALE_SESSION_CODES:
                raise
            log.warning("STS no longer accepts the cached MFA session; getting a new one")
            session = provider.mfa_session(provider.sessions, buy=True)
            arn = iam.caller_arn(client("sts"))
        user = iam.user_name(arn, self.where)
        return Connection(iam.Iam(client("iam"), user), arn, session, provider)

    def ask(self, keys: LongTermKeys, document: ini.IniFile | None) -> None:
        """Refuse a key other sections share, then ask the user (before any code is spent)."""
        name = self.settings.long_term_section
        sharing = [
            other
            for other, section in (document.sections.items() if document else ())
            if other != name and section.values.get("aws_access_key_id") == keys.access_key_id
        ]
        if sharing:
            raise FileError(
                f"access key {mask(keys.access_key_id)} of {self.where} is also in "
                f"{', '.join(f'[{other}]' for other in sharing)}; a rotation would leave "
                "those with a deleted key: keep the key in one section, then run again"
            )
        question = f"Replace access key {mask(keys.access_key_id)} of {self.where} with a new one?"
        if not self.confirm(question):
            from aws_mfa.errors import UsageError

            raise UsageError("the rotation was not confirmed; nothing was changed")

    def start(
        self, document: ini.IniFile | None, connection: Connection, keep_old: bool
    ) -> Journal:
        """Steps 1 and 2: check the user's keys, journal, create the new key and keep it."""
        iam, settings = connection.iam, self.settings
        old = connection.provider.caller.keys
        refuse_two_keys(iam, old, iam.access_keys(), self.where)
        values = (document.values(settings.long_term_section) if document else None) or {}
        keychain = in_keychain(values)
        command = secret_location(values) == IN_COMMAND
        journal = Journal(
            settings.credentials_file,
            settings.long_term_section,
            iam.user,
            connection.arn,
            CREATING,
            format_created(self.clock()),
            old.access_key_id,
            "" if keychain or command else old.secret_access_key,
            keychain,
            keep_old,
            command=command,
        )
        self.journals.write(journal)
        self.checkpoint("before-create")
        try:
            new, created = iam.create()
        except StsRefusedError:
            self.journals.remove(journal)  # refused outright: no key was made
            raise
        log.info("Created access key %s for user %s", mask(new.access_key_id), iam.user)
        if keychain:
            self.keep_in_keychain(iam, new)
        journal = journal._replace(
            step=CREATED,
            new_key_id=new.access_key_id,
            new_secret="" if keychain else new.secret_access_key,
            new_created=format_created(created),
        )
        self.journals.write(journal)
        self.checkpoint("after-create")
        return journal

    def keep_in_keychain(self, iam: Iam, new: LongTermKeys) -> None:
        """Store the new secret in the keychain; when that fails, delete the new key."""
        try:
            self.keychain().store(new.access_key_id, new.secret_access_key)
        except AwsMfaError as err:
            iam.delete(new.access_key_id)
            err.message = f"{err.message}; the new key was deleted, and nothing changed"
            raise

    def abandon_creating(self, journal: Journal, connection: Connection) -> None:
        """A run stopped while IAM was creating the key: start again when it made none."""
        listed = connection.iam.access_keys()
        extra = [key for key in listed if key.key_id != journal.old_key_id]
        if extra:
            raise StsRefusedError(
                f"a rotation of {self.where} stopped while IAM created a new key, before it "
                f"could keep its secret: key {mask(extra[0].key_id)} of user "
                f"{connection.iam.user} ({connection.iam.last_used(extra[0].key_id)}) is most "
                "likely that one, and nobody holds its secret. aws-mfa never deletes a key "
                "the file does not name: delete it ('aws iam delete-access-key --user-name "
                f"{connection.iam.user} --access-key-id ID'), then run again",
                sts_code="LimitExceeded",
            )
        log.info("A rotation of %s stopped before IAM made a key; starting again", self.where)
        self.journals.remove(journal)

    def finish(self, journal: Journal, document: ini.IniFile | None, connection: Connection) -> str:
        """Steps 3 to 6, from wherever ``journal`` says the rotation is."""
        iam = connection.iam
        if journal.step == CREATED:
            journal = self.prove_and_write(journal, document, connection)
        listed = {key.key_id for key in iam.access_keys()}
        if journal.step == WRITTEN:
            self.check_file_names(journal.new_key_id)
            if journal.old_key_id in listed:
                iam.deactivate(journal.old_key_id)
                log.info("Made the old key %s inactive", mask(journal.old_key_id))
            journal = self.advance(journal, INACTIVE, "after-deactivate")
        if journal.step == INACTIVE and not journal.keep_old:
            if journal.old_key_id in listed:
                iam.delete(journal.old_key_id)
                log.info("Deleted the old key %s", mask(journal.old_key_id))
            journal = self.advance(journal, DELETED, "after-delete")
        self.tidy(journal, connection.provider.sessions)
        self.checkpoint("after-tidy")
        self.journals.remove(journal)
        fate = "kept, inactive (--keep-old)" if journal.keep_old else "deleted"
        return (
            f"Rotated {self.where}: access key {mask(journal.new_key_id)} replaces "
            f"{mask(journal.old_key_id)}, which is {fate}; {STILL_VALID}"
        )

    def advance(self, journal: Journal, step: str, hook: str) -> Journal:
        journal = journal._replace(step=step)
        self.journals.write(journal)
        self.checkpoint(hook)
        return journal

    def check_file_names(self, key_id: str) -> None:
        """Before the old key is touched: the file must name the new one (it was written)."""
        settings = self.settings
        document = credentials_file.read_for_edit(settings.credentials_file, None)
        values = (document.values(settings.long_term_section) if document else None) or {}
        if values.get("aws_access_key_id") != key_id:
            raise FileError(
                f"{self.where} no longer names the new key {mask(key_id)}; the old key was "
                "left as it is. Put the new key back (the backup copies hold it), then run again"
            )

    def new_keys(self, journal: Journal) -> LongTermKeys:
        secret = journal.new_secret
        if journal.keychain:
            secret = self.keychain().secret(
                journal.new_key_id, journal.section, journal.credentials_file
            )
        return LongTermKeys(journal.new_key_id, secret)

    def prove_and_write(
        self, journal: Journal, document: ini.IniFile | None, connection: Connection
    ) -> Journal:
        """Steps 3 and 4: STS accepts the new key, then the file names it."""
        from aws_mfa.aws import iam

        if journal.new_key_id not in {key.key_id for key in connection.iam.access_keys()}:
            self.forget_new(journal)
            raise StsRefusedError(
                f"the new key {mask(journal.new_key_id)} of the stopped rotation is gone from "
                f"IAM; {self.where} still holds the old key, which works: run again to rotate",
                sts_code="NoSuchEntity",
            )
        new = self.new_keys(journal)
        config = connection.provider.config
        why = iam.prove(
            new,
            config,
            journal.arn,
            within=self.proof_timeout,
            region=self.settings.region,
            timeout=self.settings.sts_timeout,
            sleep=self.sleep,
        )
        if why:
            raise self.not_proven(journal, connection, why)
        log.info("STS accepts the new key %s", mask(new.access_key_id))
        self.checkpoint("after-prove")
        if journal.command:
            self.keep_in_password_manager(journal, document, new, connection)
        self.rekey_session(journal, new, connection.provider.sessions)
        self.write_file(journal, document, new)
        return self.advance(journal._replace(new_secret=""), WRITTEN, "after-write")

    def keep_in_password_manager(
        self,
        journal: Journal,
        document: ini.IniFile | None,
        new: LongTermKeys,
        connection: Connection,
    ) -> None:
        """The store command keeps the new secret; when it fails, the new key is deleted."""
        from aws_mfa import secret_command

        values = (document.values(journal.section) if document else None) or {}
        try:
            secret_command.store(
                values,
                journal.section,
                journal.credentials_file,
                new.secret_access_key,
                self.settings.secret_timeout,
            )
        except AwsMfaError as err:
            connection.iam.delete(new.access_key_id)
            self.forget_new(journal)
            err.message = (
                f"{err.message}; the new key {mask(new.access_key_id)} was deleted, and "
                f"{self.where} still holds the old key, which works"
            )
            raise
        log.info("The password manager keeps the secret of the new key %s", mask(new.access_key_id))

    def not_proven(self, journal: Journal, connection: Connection, why: str) -> AwsMfaError:
        """The new key does not work: roll back when it never did on a rerun either."""
        old = mask(journal.old_key_id)
        if not self.resumed:
            return StsUnavailableError(
                f"{why}; {self.where} still holds the old key {old}, which works. Run "
                "'aws-mfa rotate' again: it tries the new key once more, and rolls the "
                "rotation back if STS still refuses it"
            )
        connection.iam.delete(journal.new_key_id)
        self.forget_new(journal)
        return StsUnavailableError(
            f"{why}; rolled back: the new key {mask(journal.new_key_id)} is deleted and "
            f"{self.where} still holds the old key {old}, which works"
        )

    def forget_new(self, journal: Journal) -> None:
        """The new key is no more: its keychain entry and the journal go too."""
        if journal.keychain:
            try:
                self.keychain().delete(journal.new_key_id)
            except AwsMfaError as err:
                log.warning("The new key's keychain entry was not deleted: %s", err.message)
        self.journals.remove(journal)

    def write_file(self, journal: Journal, document: ini.IniFile | None, new: LongTermKeys) -> None:
        """The long-term section names the new key, after a backup copy of the file."""
        values = {"aws_access_key_id": new.access_key_id, KEY_CREATED: journal.new_created}
        if not journal.keychain and not journal.command:
            values[SECRET_KEY] = new.secret_access_key
        change = credentials_file.set_values(journal.section, values)
        credentials_file.save_edit(
            journal.credentials_file, document, [journal.section], change, backup=True
        )
        log.info("Wrote the new key %s to %s", mask(new.access_key_id), self.where)

    def old_secret(self, journal: Journal) -> str | None:
        if journal.command:
            return self.old_read or None
        if not journal.keychain:
            return journal.old_secret
        try:
            return self.keychain().read(journal.old_key_id)
        except AwsMfaError:
            return None

    def rekey_session(
        self, journal: Journal, new: LongTermKeys, sessions: MfaSessions | None
    ) -> None:
        """Keep the old key's cached MFA session for the new key: it stays valid (see
        :data:`STILL_VALID`), and a later run spends no code for a new one."""
        device, secret = self.settings.device, self.old_secret(journal)
        if sessions is None or device is None or not secret:
            return
        found = sessions.get(journal.old_key_id, secret, device, self.clock(), 0)
        if found is None:
            return
        try:
            sessions.put(new.access_key_id, new.secret_access_key, device, found)
        except FileError as err:
            log.warning("The cached MFA session was not kept for the new key: %s", err.message)

    def tidy(self, journal: Journal, sessions: MfaSessions | None) -> None:
        """Forget the old key's cached sessions, and its keychain entry unless it is kept."""
        if sessions is not None:
            try:
                sessions.forget(journal.old_key_id)
            except FileError as err:
                log.warning("The old key's cached MFA sessions were not removed: %s", err)
        if journal.keychain and not journal.keep_old:
            try:
                self.keychain().delete(journal.old_key_id)
            except AwsMfaError as err:
                log.warning(
                    "The old key's keychain entry was not deleted (%s); delete the entry of "
                    "service 'aws-mfa' for %s with your keychain's tool",
                    err.message,
                    mask(journal.old_key_id),
                )


def refuse_two_keys(iam: Iam, old: LongTermKeys, listed: list[AccessKey], where: str) -> None:
    """The old key must be the user's, and the only one: IAM allows two, and aws-mfa
    deletes no key the file does not name."""
    ids = [key.key_id for key in listed]
    if old.access_key_id not in ids:
        raise StsRefusedError(
            f"access key {mask(old.access_key_id)} of {where} is not one of user {iam.user}'s "
            f"keys ({', '.join(map(mask, ids)) or 'none'}); check that section",
            sts_code="NoSuchEntity",
        )
    others = [key for key in listed if key.key_id != old.access_key_id]
    if not others:
        return
    other = others[0]
    raise StsRefusedError(
        f"user {iam.user} has two access keys already, the most IAM allows: "
        f"{mask(old.access_key_id)} of {where} ({iam.last_used(old.access_key_id)}) and "
        f"{mask(other.key_id)}, which the file does not name ({other.status.lower()}, "
        f"{iam.last_used(other.key_id)}). aws-mfa never deletes a key the file does not "
        f"name: if you do not use {mask(other.key_id)}, delete it ('aws iam delete-access-key "
        f"--user-name {iam.user} --access-key-id ID', with the id 'aws iam list-access-keys "
        f"--user-name {iam.user}' shows), then run again",
        sts_code="LimitExceeded",
    )


def key_created_from_iam(
    key_id: str,
    secret: Callable[[], str | None],
    config: AwsConfig | None = None,
    now: Clock = utc_now,
) -> tuple[datetime | None, str]:
    """When IAM created ``key_id``, asked with a cached MFA session of that key, and only
    with one (for ``doctor``); None and why not when there is none or IAM says no.
    ``secret`` gives the key's secret, which checks the cached session is the key's own;
    it is asked for only when the cache has a session of that key id."""
    from aws_mfa.aws import iam
    from aws_mfa.aws.sts import AwsConfig
    from aws_mfa.sessions.mfa_sessions import MfaSessions, default_folder

    sessions = MfaSessions(default_folder())
    devices = [entry.device for entry in sessions.entries() if entry.access_key_id == key_id]
    known = secret() if devices else None
    found = [sessions.get(key_id, known, device, now(), 0) for device in devices if known]
    session = next((each for each in found if each is not None), None)
    if session is None:
        return None, "no cached MFA session of that key to ask IAM with"
    aws = config or AwsConfig()
    try:
        arn = iam.caller_arn(iam.client(session, "sts", aws, timeout=5.0))
        user = iam.Iam(iam.client(session, "iam", aws, timeout=5.0), iam.user_name(arn, key_id))
        listed = {key.key_id: key.created for key in user.access_keys()}
    except AwsMfaError as err:
        return None, f"IAM did not say: {err.message.partition(';')[0]}"
    return listed.get(key_id), "" if key_id in listed else "IAM does not list that key"
