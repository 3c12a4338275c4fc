"""The ``login`` flow: make the short-term section valid, asking STS only when it must.

Data flows one way::

    settings -> credentials file -> decision -> (lock, re-read, decide again)
             -> MFA code -> STS -> edited file -> atomic save

The first read and decision take no lock and import nothing heavy, because
most runs end there ("still valid"). A renewal takes the file's lock, reads
the file again and decides again, so of several runs started together only
one prompts and calls STS; the others find its fresh credentials.

Collaborators (clock, prompter, STS client factory) are parameters, so tests
hand in fakes instead of patching.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from datetime import datetime

from aws_mfa import credentials_file, expiry, ini, log, mfa
from aws_mfa.clock import Clock, utc_now
from aws_mfa.errors import FileError, NoTokenError, StsRefusedError, UsageError
from aws_mfa.keys import LongTermKeys, TemporaryCredentials, mask
from aws_mfa.records import Record
from aws_mfa.settings import Settings

TYPE_CHECKING = False  # see aws_mfa.records: typing is not imported at run time
if TYPE_CHECKING:
    from aws_mfa.mfa_sessions import MfaSessions
    from aws_mfa.sts import AwsConfig, StsClient
    from aws_mfa.used_codes import UsedCodes

    ClientFactory = Callable[..., StsClient]
    """Called as ``factory(keys, region, config=AwsConfig, session_token=None, timeout=30)``."""
    SecretReader = Callable[[str, str, str], str]
    """Called as ``reader(access_key_id, section, path)``: a secret kept in the OS keychain."""


def default_client_factory(
    keys: LongTermKeys,
    region: str | None,
    *,
    config: AwsConfig | None = None,
    session_token: str | None = None,
    timeout: float = 30.0,
) -> StsClient:
    """The real STS client of :mod:`aws_mfa.sts` (imported only now)."""
    from aws_mfa.sts import AwsConfig, make_client

    return make_client(
        keys, region, config=config or AwsConfig(), session_token=session_token, timeout=timeout
    )


class Outcome(Record):
    """What a login did, and the credentials the short-term section now holds."""

    renewed: bool
    reason: str
    credentials: TemporaryCredentials


def login(
    settings: Settings,
    document: ini.IniFile | None,
    *,
    clock: Clock = utc_now,
    prompter: mfa.Prompter = mfa.terminal_prompter,
    client_factory: ClientFactory = default_client_factory,
    used_codes: UsedCodes | None = None,
    sleep: Callable[[float], None] = time.sleep,
    sessions: MfaSessions | None = None,
    read_secret: SecretReader | None = None,
) -> Outcome:
    """Make ``settings.short_term_section`` hold valid credentials; return them.

    ``document`` is the credentials file as already read (None if missing).
    ``used_codes`` remembers which device's code was used when (default: the
    user's ``~/.aws/aws-mfa-used-codes.json``); ``sessions`` is the cache of
    MFA sessions (default: beside the credentials file, unless the settings
    turn it off); ``read_secret`` reads a long-term secret the section keeps
    in the OS keychain (default: :func:`aws_mfa.keychain.read_secret`).
    """
    decision = decide(settings, document, clock())
    if not decision.renew and document is not None:
        log.info("%s", decision.reason[0].upper() + decision.reason[1:])
        return Outcome(False, decision.reason, stored_credentials(settings, document))
    preflight(settings, document)  # fail fast, before any lock or prompt (or keychain)
    from aws_mfa import collector

    collector.resume()  # a renewal drops many cycles (boto3, botocore's readers)
    path = settings.credentials_file
    log.debug("Taking the lock of %s", path)
    with credentials_file.locked(path, settings.lock_timeout):
        document = credentials_file.read_for_edit(path, document)
        decision = decide(settings, document, clock())
        if not decision.renew and document is not None:
            log.info("Another aws-mfa renewed them meanwhile: %s", decision.reason)
            return Outcome(False, decision.reason, stored_credentials(settings, document))
        caller = preflight(settings, document, read_secret or default_secret_reader())
        log.info("Renewing: %s", decision.reason)
        fresh = Renewal(
            settings,
            caller,
            prompter=prompter,
            client_factory=client_factory,
            used_codes=used_codes or default_used_codes(),
            sleep=sleep,
            clock=clock,
            sessions=sessions or default_sessions(settings),
            config=aws_config(
                (settings.profile, settings.long_term_section),
                settings.config_file,
                settings.credentials_file,
                document,
            ),
        ).run()
        write_session(settings, document, fresh)
    log_success(settings.short_term_section, fresh, clock())
    return Outcome(True, decision.reason, fresh)


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
    from aws_mfa.sts import AwsConfig

    sections = document.sections if document else {}
    wanted = (*profiles, "DEFAULT")
    return AwsConfig(
        profiles,
        config_file,
        credentials_file,
        {name: sections[name].values for name in wanted if name in sections},
    )


def default_sessions(settings: Settings) -> MfaSessions | None:
    """The cache of MFA sessions beside the credentials file; None when turned off."""
    if not settings.session_cache:
        return None
    from aws_mfa.mfa_sessions import MfaSessions, folder_for

    return MfaSessions(folder_for(settings.credentials_file), settings.lock_timeout)


def default_secret_reader() -> SecretReader:
    """How a renewal reads a secret kept in the OS keychain (keyring imported only then)."""
    from aws_mfa.keychain import read_secret

    return read_secret


def default_used_codes() -> UsedCodes:
    """The user's memory of used codes (imported only when a renewal needs it)."""
    from aws_mfa.used_codes import UsedCodes, default_path

    return UsedCodes(default_path())


def decide(settings: Settings, document: ini.IniFile | None, now: datetime) -> expiry.Decision:
    """Whether the short-term section must be renewed for these settings."""
    return expiry.needs_renewal(
        document,
        name=settings.short_term_section,
        role_arn=settings.role_arn,
        force=settings.force,
        min_ttl=settings.min_ttl,
        now=now,
    )


class Caller(Record):
    """Who calls STS: the long-term keys, the MFA device, and how to name them in errors."""

    keys: LongTermKeys
    device: str
    origin: str


def preflight(
    settings: Settings, document: ini.IniFile | None, read_secret: SecretReader | None = None
) -> Caller:
    """Check everything a renewal needs that can be checked without asking anyone.

    The secret is read from the keychain only with ``read_secret`` (under the
    lock, right before the code is asked for): reading it may make the
    operating system ask to unlock the keychain. Without it, a secret kept
    there is only checked for, and the caller's keys hold an empty secret.
    """
    path = settings.credentials_file
    short = settings.short_term_section
    problem = credentials_file.long_term_key_problem(
        document.sections.get(short) if document else None
    )
    if problem:
        raise FileError(
            f"{path}: [{short}] holds {problem}, and aws-mfa will not overwrite "
            f"long-term keys; move them to [{settings.long_term_section}] "
            "(or choose other sections with --long-term-suffix/--short-term-suffix)"
        )
    keys = long_term_keys(settings, document, read_secret)
    if settings.device is None:
        raise UsageError(
            "no MFA device given: pass --device, set MFA_DEVICE, or add "
            f"aws_mfa_device = arn:aws:iam::ACCOUNT:mfa/NAME to [{settings.long_term_section}]"
        )
    origin = f"access key {mask(keys.access_key_id)} in [{settings.long_term_section}] of {path}"
    return Caller(keys, settings.device, origin)


ROLE_CHAINING_LIMIT = 3600
"""AWS caps a role session assumed with temporary credentials at one hour (role chaining)."""
STALE_SESSION_CODES = ("ExpiredToken", "InvalidClientTokenId")
"""STS's answers to a session it no longer accepts: the cached one is replaced."""


class Renewal:
    """Fresh credentials for the short-term section, spending as few MFA codes as it can.

    With the cache of MFA sessions on (see :mod:`aws_mfa.mfa_sessions` and
    docs/roles.md), one code buys an MFA session (GetSessionToken) that is
    kept; a plain session is that MFA session, and a role of up to an hour
    is assumed from it without a code. A longer role, a role STS refuses to
    the MFA session (AccessDenied, e.g. a trust policy limiting
    ``aws:MultiFactorAuthAge``), or a cache turned off: the role is assumed
    straight from the long-term keys with a code, as aws-mfa 0.0.12 does.
    """

    def __init__(
        self,
        settings: Settings,
        caller: Caller,
        *,
        prompter: mfa.Prompter,
        client_factory: ClientFactory,
        used_codes: UsedCodes,
        sleep: Callable[[float], None],
        clock: Clock = utc_now,
        sessions: MfaSessions | None = None,
        config: AwsConfig,
    ) -> None:
        self.settings, self.caller, self.sessions = settings, caller, sessions
        self.prompter, self.used_codes, self.sleep, self.clock = prompter, used_codes, sleep, clock
        self.client_factory = client_factory
        self.config = config
        # Built now, so that a bad AWS setting fails before the prompt.
        self.long_term_client = self.client(caller.keys)

    def client(self, keys: LongTermKeys, session_token: str | None = None) -> StsClient:
        return self.client_factory(
            keys,
            self.settings.region,
            config=self.config,
            session_token=session_token,
            timeout=self.settings.sts_timeout,
        )

    def run(self) -> TemporaryCredentials:
        settings, short = self.settings, self.settings.short_term_section
        role = settings.role_arn
        if self.sessions is None:
            return self.direct()
        if role and settings.duration > ROLE_CHAINING_LIMIT:
            log.info(
                "Assuming %s straight from the long-term keys, with a code: a role session of "
                "%s seconds cannot come from the MFA session (AWS allows at most %s)",
                role,
                settings.duration,
                ROLE_CHAINING_LIMIT,
            )
            return self.direct()
        if not role:
            fresh = self.mfa_session(self.sessions, buy=settings.force)
            log.info("Writing the MFA session to [%s]", short)
            return fresh
        return self.role_from_session(self.sessions, role)

    def mfa_session(self, sessions: MfaSessions, buy: bool = False) -> TemporaryCredentials:
        """The cached MFA session, or a new one bought with a code (and kept)."""
        key_id, device = self.caller.keys.access_key_id, self.caller.device
        if not buy:
            cached = sessions.get(key_id, device, self.clock(), self.settings.min_ttl)
            if cached is not None:
                left = expiry.format_duration((cached.expiration - self.clock()).total_seconds())
                log.info("Using the MFA session of %s (%s left)", mask(key_id), left)
                return cached
        from aws_mfa import sts

        seconds = self.settings.mfa_session_duration
        code = self.code(seconds)
        log.info("Getting an MFA session for %s seconds", seconds)
        fresh = sts.get_session_token(
            self.long_term_client,
            device=device,
            duration=seconds,
            code=code,
            origin=self.caller.origin,
            now=self.clock(),
        )
        self.used_codes.record(device, code)
        sessions.put(key_id, device, fresh)
        return fresh

    def role_from_session(self, sessions: MfaSessions, role: str) -> TemporaryCredentials:
        """Assume ``role`` signed with the MFA session; fall back to a code when refused.

        A cached session STS no longer accepts (revoked, or its token invalid)
        is forgotten and a new one bought, once.
        """
        settings = self.settings
        log.info(
            "Assuming role %s for [%s] for %s seconds, from the MFA session",
            role,
            settings.short_term_section,
            settings.duration,
        )
        for buy in (False, True):
            try:
                return self.assume_from(self.mfa_session(sessions, buy=buy), role)
            except StsRefusedError as err:
                if err.sts_code == "AccessDenied":
                    log.warning(
                        "STS refused to assume %s from the MFA session (%s); assuming it with "
                        "an MFA code instead",
                        role,
                        err.message,
                    )
                    return self.direct()
                if buy or err.sts_code not in STALE_SESSION_CODES:
                    raise
                log.warning("STS no longer accepts the cached MFA session; buying a new one")
        raise AssertionError("unreachable")  # pragma: no cover

    def assume_from(self, session: TemporaryCredentials, role: str) -> TemporaryCredentials:
        """AssumeRole for ``role`` signed with ``session``, without a code."""
        from aws_mfa import sts

        settings = self.settings
        signer = LongTermKeys(session.access_key_id, session.secret_access_key)
        return sts.assume_role(
            self.client(signer, session.session_token),
            role_arn=role,
            session_name=settings.role_session_name,
            duration=settings.duration,
            origin=f"MFA session of {self.caller.origin}",
            external_id=settings.external_id,
            now=self.clock(),
        )

    def direct(self) -> TemporaryCredentials:
        """aws-mfa 0.0.12's way: one call from the long-term keys, with a code."""
        from aws_mfa import sts

        settings, caller = self.settings, self.caller
        short, seconds = settings.short_term_section, settings.duration
        code = self.code(seconds)
        if settings.role_arn:
            log.info(
                "Assuming role %s for [%s] for %s seconds",
                settings.role_arn,
                short,
                settings.duration,
            )
            fresh = sts.assume_role(
                self.long_term_client,
                role_arn=settings.role_arn,
                session_name=settings.role_session_name,
                duration=settings.duration,
                device=caller.device,
                code=code,
                origin=caller.origin,
                external_id=settings.external_id,
                now=self.clock(),
            )
        else:
            log.info("Getting a session token for [%s] for %s seconds", short, settings.duration)
            fresh = sts.get_session_token(
                self.long_term_client,
                device=caller.device,
                duration=settings.duration,
                code=code,
                origin=caller.origin,
                now=self.clock(),
            )
        self.used_codes.record(caller.device, code)
        log.debug("STS answered with access key %s", mask(fresh.access_key_id))
        return fresh

    def code(self, seconds: int) -> str:
        return obtain_code(
            self.settings, self.caller.device, self.prompter, self.used_codes, self.sleep, seconds
        )


def obtain_code(
    settings: Settings,
    device: str,
    prompter: mfa.Prompter,
    used_codes: UsedCodes,
    sleep: Callable[[float], None],
    seconds: int | None = None,
) -> str:
    """The MFA code, from the first source that has one (see :mod:`aws_mfa.mfa`).

    ``seconds``: how long what the code buys will last, for the prompt.

    STS rejects a code it has accepted before. A code given outright is
    refused at once when that same code was just sent; a code still to be
    asked for (terminal or command) is asked for in the next 30-second
    window when this device's code was sent in the current one. With no
    terminal and no source, it fails at once rather than wait.
    """
    if settings.token is None:
        if not settings.token_command and not can_prompt(prompter):
            raise NoTokenError(mfa.NO_TERMINAL)
        if used_codes.used_now(device):
            wait = used_codes.seconds_to_next_window()
            log.warning(
                "A code of %s was already used in this 30-second window; waiting %d seconds "
                "for the next one",
                device,
                round(wait),
            )
            sleep(wait)
    code, source = ask_code(settings, device, prompter, seconds or settings.duration)
    if used_codes.used(device, code):
        raise StsRefusedError(
            f"{source}: this code of {device} was already used in this 30-second window "
            "and STS rejects a code used twice; run again with the next code"
        )
    return code


def can_prompt(prompter: mfa.Prompter) -> bool:
    """False when ``prompter`` is the terminal's and there is no terminal to ask on."""
    if prompter is not mfa.terminal_prompter:
        return True
    import os

    try:
        os.close(os.open("/dev/tty", os.O_RDWR | os.O_NOCTTY))
    except OSError:
        return sys.stdin is not None and sys.stdin.isatty()
    return True


def ask_code(
    settings: Settings, device: str, prompter: mfa.Prompter, seconds: int
) -> tuple[str, str]:
    """The code, and where it came from (for messages)."""
    if settings.token == "-" and settings.token_source == "--token":
        line = sys.stdin.readline() if sys.stdin is not None else ""
        source = "--token - (the line read from stdin)"
        return mfa.check_code(line.strip(), source), source
    if settings.token is None and settings.token_command:
        log.info("Running %s for the MFA code", settings.token_command_source)
        code = mfa.run_token_command(settings.token_command, settings.token_command_source)
        return code, str(settings.token_command_source)
    prompt = f"Enter AWS MFA code for device [{device}] (renewing for {seconds} seconds): "
    source = settings.token_source if settings.token is not None else "the MFA code typed"
    return mfa.read_code(settings.token, settings.token_source, prompter, prompt), source


def long_term_keys(
    settings: Settings, document: ini.IniFile | None, read_secret: SecretReader | None = None
) -> LongTermKeys:
    """The access key pair in the long-term section, or an error saying what is missing.

    A section saying ``aws_mfa_secret = keychain`` keeps its secret in the OS
    keychain: ``read_secret`` reads it there (None: it is not read, and the
    secret is left empty; see :func:`preflight`).
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
        raise FileError(
            f"{path} has no long-term section [{name}]; add it with your "
            "aws_access_key_id and aws_secret_access_key (or run 'aws-mfa --setup')"
        )
    from aws_mfa.keychain import check_location

    key_id = values.get("aws_access_key_id", "")
    if key_id and check_location(values, name, path):
        return LongTermKeys(key_id, read_secret(key_id, name, path) if read_secret else "")
    missing = [key for key in ("aws_access_key_id", "aws_secret_access_key") if not values.get(key)]
    if missing:
        raise FileError(f"{path}: [{name}] has no {' and no '.join(missing)}; add it")
    return LongTermKeys(key_id, values["aws_secret_access_key"])


def session_values(fresh: TemporaryCredentials, role_arn: str | None) -> dict[str, str]:
    """The keys written to the short-term section, in 0.0.12's order."""
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
    return values


def stored_credentials(settings: Settings, document: ini.IniFile) -> TemporaryCredentials:
    """The credentials a valid short-term section holds."""
    name = settings.short_term_section
    values = document.values(name) or {}
    return TemporaryCredentials(
        access_key_id=values["aws_access_key_id"],
        secret_access_key=values["aws_secret_access_key"],
        session_token=values["aws_session_token"],
        expiration=expiry.parse_expiration(values["expiration"], f"[{name}]"),
    )
