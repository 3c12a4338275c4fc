"""A renewal of the short-term section, once one is decided: lock, decide again, ask STS, write.

Data flows one way::

    decision (renew) -> preflight -> lock -> re-read, decide again -> preflight, secret
                     -> fresh credentials (aws_mfa.sessions.providers: code, STS) -> atomic save

Everything that can fail without asking anyone is checked before the lock and
again under it, before the code is asked for (:func:`preflight`). Under the
lock the file is read again and the decision made again, so of several runs
started together only one prompts and calls STS; the others find its fresh
credentials.

Collaborators (clock, prompter, STS client factory, the memory of used codes,
the cache of MFA sessions, the keychain reader) are given to
:class:`Renewal`, so tests hand in fakes instead of patching.

What it does not do: decide whether to renew (see :mod:`aws_mfa.sessions.session_state`)
or choose the STS calls (see :mod:`aws_mfa.sessions.providers`).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import datetime, timezone

from aws_mfa import collector, expiry, log
from aws_mfa.aws.sections import (
    IN_COMMAND,
    IN_FILE,
    IN_KEYCHAIN,
    WRITER_KEY,
    has_long_term_keys,
    is_session,
    kept_where,
    long_term_key_problem,
    secret_location,
    stored_role,
)
from aws_mfa.clock import Clock, utc_now
from aws_mfa.codes.mfa_code import Prompter, terminal_prompter
from aws_mfa.errors import FileError, NoCodeSourceError, StsRefusedError, UsageError
from aws_mfa.files import credentials_file, ini
from aws_mfa.files.lock import locked
from aws_mfa.keys import LongTermKeys, TemporaryCredentials, mask
from aws_mfa.sessions.handouts import Handout, check, of_settings
from aws_mfa.sessions.providers import (
    ROLE_CHAINING_LIMIT,
    Caller,
    Provider,
    default_client_factory,
)
from aws_mfa.sessions.session_state import Outcome, decide, stored_credentials
from aws_mfa.settings.checks import DEFAULT_LONG_TERM_SUFFIX
from aws_mfa.settings.resolve import Settings

TYPE_CHECKING = False  # see aws_mfa.records: typing is not imported at run time
if TYPE_CHECKING:
    from aws_mfa.aliases import ClientFactory, SecretReader
    from aws_mfa.aws.sts import AwsConfig, Scope
    from aws_mfa.codes.used_codes import UsedCodes
    from aws_mfa.sessions.mfa_sessions import MfaSessions


class Renewal:
    """Renews the short-term section with these collaborators (each has a real default).

    ``used_codes`` remembers which device's code was used when (default: the
    user's ``~/.aws/aws-mfa-used-codes.json``); ``sessions`` is the cache of
    MFA sessions (default: beside the credentials file, unless the settings
    turn it off); ``read_secret`` reads a long-term secret the section keeps
    in the OS keychain (default: :func:`aws_mfa.os_keychain.read_secret`).
    """

    def __init__(
        self,
        *,
        clock: Clock = utc_now,
        prompter: Prompter = terminal_prompter,
        client_factory: ClientFactory = default_client_factory,
        used_codes: UsedCodes | None = None,
        sleep: Callable[[float], None] = time.sleep,
        sessions: MfaSessions | None = None,
        read_secret: SecretReader | None = None,
        command: str = "login",
    ) -> None:
        self.clock, self.prompter, self.client_factory = clock, prompter, client_factory
        self.command = command
        self.used_codes, self.sleep = used_codes, sleep
        self.sessions, self.read_secret = sessions, read_secret

    def run(
        self, settings: Settings, document: ini.IniFile | None, decision: expiry.Decision
    ) -> Outcome:
        """Renew, under the file's lock, unless another run did meanwhile; the credentials."""
        preflight(settings, document)  # fail fast, before any lock or prompt (or keychain)
        handouts = of_settings(settings, self.clock)
        check(handouts)  # before any code: a hand-out that cannot be logged is none
        collector.resume()  # a renewal drops many cycles (botocore's clients and readers)
        path, waiting_since = settings.credentials_file, time.time()
        log.debug("Taking the lock of %s", path)
        with locked(path, settings.lock_timeout):
            document = credentials_file.read_for_edit(path, document)
            decision = decide(settings, document, self.clock())
            if not decision.renew and document is not None:
                log.info("Another aws-mfa renewed them meanwhile: %s", decision.reason)
                return Outcome(False, decision.reason, stored_credentials(settings, document))
            caller = preflight(
                settings, document, self.read_secret or default_secret_reader(settings)
            )
            log.info("Renewing: %s", decision.reason)
            try:
                fresh = self.provider(settings, caller, document, waiting_since).fresh()
            except NoCodeSourceError as err:  # say first what ended, and when
                ended = what_ended(decision, settings.short_term_section, self.clock())
                raise NoCodeSourceError(f"{ended}; {err.message}") from err
            changed = identity_change(settings, document)
            handouts.record(  # before the write: a section written unlogged is never left
                Handout(
                    self.command,
                    settings.profile,
                    f"[{settings.short_term_section}]",
                    settings.role_arn,
                    fresh,
                )
            )
            write_session(settings, document, fresh)
        if changed:
            log.warning("%s", changed)
        log_success(settings.short_term_section, fresh, self.clock())
        return Outcome(True, decision.reason, fresh, caller.keys)

    def provider(
        self,
        settings: Settings,
        caller: Caller,
        document: ini.IniFile | None,
        waiting_since: float | None = None,
    ) -> Provider:
        """Where the fresh credentials come from, with this renewal's collaborators
        (``waiting_since``: when the run began to wait for the lock it holds)."""
        return Provider(
            settings,
            caller,
            prompter=self.prompter,
            client_factory=self.client_factory,
            used_codes=self.used_codes or default_used_codes(),
            sleep=self.sleep,
            clock=self.clock,
            sessions=usable(self.sessions or default_sessions(settings)),
            config=aws_config(
                (settings.profile, settings.long_term_section),
                settings.config_file,
                settings.credentials_file,
                document,
            ),
            waiting_since=waiting_since,
        )


def role_credentials(
    settings: Settings,
    document: ini.IniFile | None,
    *,
    renewal: Renewal | None = None,
    source: TemporaryCredentials | None = None,
    keys: LongTermKeys | None = None,
    session: TemporaryCredentials | None = None,
    scope: Scope | None = None,
) -> TemporaryCredentials:
    """Credentials of ``settings.role_arn``, assumed from the cached MFA session of the
    long-term keys (bought with a code when there is none), or from ``source`` when given (a
    session that cannot be renewed for want of a code, but still works): written nowhere,
    for ``export`` and ``exec`` of a role profile. ``scope``: what the AssumeRole carries
    (:class:`aws_mfa.aws.sts.Scope`).

    The long-term secret is read only when needed, since reading it from the keychain or a
    password manager may ask the user: not with ``keys`` (the long-term keys this run's
    renewal read already), not with ``source``, and not when ``session`` (the valid MFA
    session the source profile's section holds) is given and STS assumes the role from it.
    """
    renewal = renewal or Renewal()
    role = settings.role_arn or ""
    caller = preflight(settings, document)  # all checked; a secret kept elsewhere unread
    if keys is not None and keys.access_key_id == caller.keys.access_key_id:
        caller = caller._replace(keys=keys)
    collector.resume()

    def provider(caller: Caller) -> Provider:
        made = renewal.provider(settings, caller, document)
        made.scope = scope
        return made

    if source is not None:
        return provider(caller).assume_from(source, role)
    unread = not caller.keys.secret_access_key
    from_session = settings.session_cache and settings.duration <= ROLE_CHAINING_LIMIT
    if unread and session is not None and from_session:
        try:
            return provider(caller).assume_from(session, role)
        except StsRefusedError as err:
            log.info("Reading the long-term secret: %s", err.message)
    if unread:
        caller = preflight(
            settings, document, renewal.read_secret or default_secret_reader(settings)
        )
    return provider(caller).fresh()


def what_ended(decision: expiry.Decision, section: str, now: datetime) -> str:
    """What a renewal was for, as the first words of an error: what expired, and when."""
    if decision.expiration is None:
        return decision.reason
    at = decision.expiration.astimezone(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    left = (decision.expiration - now).total_seconds()
    if left <= 0:
        return f"the credentials in [{section}] ended at {at}"
    return f"the credentials in [{section}] end at {at}, in {expiry.format_duration(left)}"


def identity_change(settings: Settings, document: ini.IniFile | None) -> str | None:
    """What a program using the short-term section will be after the write, when that is not
    what it was: the user's MFA session instead of a role's, or one role instead of another."""
    short = settings.short_term_section
    values = document.values(short) if document else None
    if not is_session(values) or values is None:
        return None
    before, after = stored_role(values), settings.role_arn
    if before == after:
        return None

    def who(role: str | None) -> str:
        return f"role {role}" if role else "your own user (the MFA session)"

    return (
        f"[{short}] held the credentials of {who(before)}; it now holds those of {who(after)}, "
        f"so programs using profile {short} now run as that"
    )


def log_success(section: str, fresh: TemporaryCredentials, now: datetime) -> None:
    log.info(
        "Success! Credentials for [%s] are valid for %s, until %s",
        section,
        expiry.format_duration((fresh.expiration - now).total_seconds()),
        expiry.describe_local(fresh.expiration),
    )


def write_session(
    settings: Settings, document: ini.IniFile | None, fresh: TemporaryCredentials
) -> None:
    """Write ``fresh`` to the short-term section of ``document``'s file (under its lock)."""
    remove = () if settings.role_arn else ("assumed_role_arn",)
    short = settings.short_term_section
    change = credentials_file.set_values(short, session_values(fresh, settings.role_arn), remove)
    credentials_file.save_edit(
        settings.credentials_file, document, [short], change, backup=settings.backup
    )


def session_values(fresh: TemporaryCredentials, role_arn: str | None) -> dict[str, str]:
    """The keys written to the short-term section, in 0.0.12's order, and aws-mfa's mark of
    what it wrote (:data:`aws_mfa.aws.sections.WRITER_KEY`)."""
    values = {
        "assumed_role": "True" if role_arn else "False",
        "aws_access_key_id": fresh.access_key_id,
        "aws_secret_access_key": fresh.secret_access_key,
        "aws_session_token": fresh.session_token,
        "aws_security_token": fresh.session_token,
        "expiration": expiry.format_expiration(fresh.expiration),
    }
    if role_arn:
        values["assumed_role_arn"] = role_arn
    values[WRITER_KEY] = fresh.access_key_id
    return values


def aws_config(
    profiles: tuple[str, ...],
    config_file: str | None,
    credentials_file: str | None,
    document: ini.IniFile | None,
) -> AwsConfig:
    """The AWS configuration of the first of ``profiles`` botocore knows.

    The credentials file's sections it needs come from ``document``, as read
    already, so that botocore does not parse a file of thousands of profiles
    again (about 35 MiB with 10,000 profiles).
    """
    from aws_mfa.aws.sts import AwsConfig

    sections = document.sections if document else {}
    wanted = (*profiles, "DEFAULT")
    return AwsConfig(
        profiles,
        config_file,
        credentials_file,
        {name: sections[name].values for name in wanted if name in sections},
    )


def default_sessions(settings: Settings) -> MfaSessions | None:
    """The cache of MFA sessions in the user's home; None when turned off."""
    if not settings.session_cache:
        return None
    from aws_mfa.sessions.mfa_sessions import MfaSessions, default_folder

    return MfaSessions(default_folder(), settings.lock_timeout)


def usable(sessions: MfaSessions | None) -> MfaSessions | None:
    """``sessions`` when the cache can be used; else None, said in one warning.

    Checked before any code is asked for: a cache found unusable after STS
    answered would have cost a code for nothing.
    """
    problem = sessions.problem() if sessions is not None else None
    if problem:
        log.warning(
            "Not using the cache of MFA sessions: %s; this renewal asks STS as "
            "--no-session-cache does",
            problem,
        )
        return None
    return sessions


def default_secret_reader(settings: Settings | None = None) -> SecretReader:
    """How a renewal reads a secret kept in the OS keychain (keyring imported only then), in
    the keyring backend the settings choose (``aws_mfa_keyring_backend``)."""
    from aws_mfa.os_keychain import read_secret

    chosen = settings.keyring_backend if settings is not None else None
    return lambda key_id, section, path: read_secret(key_id, section, path, chosen)


def default_used_codes() -> UsedCodes:
    """The user's memory of used codes (imported only when a renewal needs it)."""
    from aws_mfa.codes.used_codes import UsedCodes, default_path

    return UsedCodes(default_path())


def preflight(
    settings: Settings, document: ini.IniFile | None, read_secret: SecretReader | None = None
) -> Caller:
    """Check everything a renewal needs that can be checked without asking anyone.

    The secret is read from the keychain or the password manager only with
    ``read_secret`` (under the lock, right before the code is asked for: the
    code is spent last): reading it may ask the user to unlock them. Without
    it, a secret kept there is only checked for, and the caller's keys hold
    an empty secret.
    """
    path = settings.credentials_file
    short = settings.short_term_section
    problem = long_term_key_problem(document.values(short) if document else None)
    if problem:
        raise FileError(
            f"{path}: [{short}] holds {problem}, and aws-mfa will not overwrite "
            f"long-term keys; move them to [{settings.long_term_section}] "
            "(or choose other sections with --long-term-suffix/--short-term-suffix)"
        )
    keys = long_term_keys(settings, document, read_secret)
    if settings.device is None:
        raise UsageError(
            "no MFA device given: a login needs your MFA device's ARN (the AWS CLI's "
            "mfa_serial, shown in the IAM console under your user's Security credentials): "
            f"add aws_mfa_device = arn:aws:iam::ACCOUNT:mfa/NAME to [{settings.long_term_section}]"
            ", set MFA_DEVICE, or pass --device"
        )
    origin = f"access key {mask(keys.access_key_id)} in [{settings.long_term_section}] of {path}"
    values = document.values(settings.long_term_section) if document else None
    return Caller(keys, settings.device, origin, secret_location(values or {}) or IN_FILE)


def where_keys_are(document: ini.IniFile, settings: Settings) -> str:
    """What to do when the long-term section is missing: the profile meant, when the one given
    looks like a typo of a known one; else the profiles the file has keys for (each hint a
    command that runs as it is pasted), or how to add keys when it has none."""
    import shlex

    from aws_mfa.profiles import login_command

    profile = settings.profile
    found = [
        name for name, section in document.sections.items() if has_long_term_keys(section.values)
    ]
    suffix = f"-{DEFAULT_LONG_TERM_SUFFIX}"
    meant = close_profile(profile, [name.removesuffix(suffix) for name in found], settings)
    if meant:
        return f"no profile is named {profile}: did you mean '{login_command(meant)}'?"
    if not found:
        return (
            "add it with your aws_access_key_id and aws_secret_access_key "
            f"(or run '{login_command(profile)} --setup')"
        )
    runs = [
        f"'{login_command(name.removesuffix(suffix))}'"
        if name.endswith(suffix)
        else f"'{login_command(profile)} --long-term-section {shlex.quote(name)}'"
        for name in found[:3]
    ]
    sections = ", ".join(f"[{name}]" for name in found[:3]) + (" ..." if len(found) > 3 else "")
    return f"the file has long-term keys in {sections}: run {' or '.join(runs)}"


def close_profile(profile: str, with_keys: list[str], settings: Settings) -> str | None:
    """A known profile ``profile`` looks like a typo of (``prdo`` for ``prod``): one with keys
    in the credentials file, or one of the AWS config file (a role profile, say)."""
    import difflib

    from aws_mfa.aws.config_file import profiles, read

    known = {*with_keys, *profiles(read(settings.config_file))} - {profile}
    close = difflib.get_close_matches(profile, sorted(known), n=1, cutoff=0.6)
    return close[0] if close else None


def long_term_keys(
    settings: Settings, document: ini.IniFile | None, read_secret: SecretReader | None = None
) -> LongTermKeys:
    """The access key pair in the long-term section, or an error saying what is missing.

    A section saying ``aws_mfa_secret = keychain`` keeps its secret in the OS
    keychain: ``read_secret`` reads it there; one saying ``aws_mfa_secret =
    command`` has its password manager's command print it, once (with
    ``read_secret`` None neither is read, and the secret is left empty; see
    :func:`preflight`).
    """
    path = settings.credentials_file
    name = settings.long_term_section
    if document is None:
        raise FileError(
            f"there is no credentials file at {path}; create it with "
            f"'aws-mfa --setup', or point at yours with --credentials-file"
        )
    values = document.values(name)
    if values is None:
        hint = where_keys_are(document, settings)
        raise FileError(f"{path} has no long-term section [{name}]; {hint}")
    key_id = values.get("aws_access_key_id", "")
    where = kept_where(values, name, path) if key_id else None
    if where == IN_KEYCHAIN:
        return LongTermKeys(key_id, read_secret(key_id, name, path) if read_secret else "")
    if where == IN_COMMAND:
        if read_secret is None:
            return LongTermKeys(key_id, "")
        from aws_mfa import secret_command

        return LongTermKeys(
            key_id, secret_command.read(values, name, path, settings.secret_timeout)
        )
    missing = [key for key in ("aws_access_key_id", "aws_secret_access_key") if not values.get(key)]
    if missing:
        raise FileError(f"{path}: [{name}] has no {' and no '.join(missing)}; add it")
    return LongTermKeys(key_id, values["aws_secret_access_key"])
