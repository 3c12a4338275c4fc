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
from datetime import datetime, timezone

from aws_mfa import credentials_file, expiry, ini, log, mfa
from aws_mfa.errors import FileError, NoTokenError, StsRefusedError, UsageError
from aws_mfa.keys import LongTermKeys, TemporaryCredentials, mask
from aws_mfa.records import Record
from aws_mfa.settings import Settings

TYPE_CHECKING = False  # see aws_mfa.records: typing is not imported at run time
if TYPE_CHECKING:
    from aws_mfa.sts import StsClient
    from aws_mfa.used_codes import UsedCodes

    ClientFactory = Callable[[LongTermKeys, str | None], StsClient]


Clock = Callable[[], datetime]


def utc_now() -> datetime:
    """The current time, timezone-aware, in UTC."""
    return datetime.now(timezone.utc)


def default_client_factory(keys: LongTermKeys, region: str | None) -> StsClient:
    """The real STS client of :mod:`aws_mfa.sts` (imported only now)."""
    from aws_mfa.sts import make_client

    return make_client(keys, region)


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
) -> Outcome:
    """Make ``settings.short_term_section`` hold valid credentials; return them.

    ``document`` is the credentials file as already read (None if missing).
    ``used_codes`` remembers which device's code was used when (default: the
    user's ``~/.aws/aws-mfa-used-codes.json``).
    """
    decision = decide(settings, document, clock())
    if not decision.renew and document is not None:
        log.info("%s", decision.reason[0].upper() + decision.reason[1:])
        return Outcome(False, decision.reason, stored_credentials(settings, document))
    preflight(settings, document)  # fail fast, before any lock or prompt
    path = settings.credentials_file
    log.debug("Taking the lock of %s", path)
    with credentials_file.locked(path, settings.lock_timeout):
        document = credentials_file.read_for_edit(path, document)
        decision = decide(settings, document, clock())
        if not decision.renew and document is not None:
            log.info("Another aws-mfa renewed them meanwhile: %s", decision.reason)
            return Outcome(False, decision.reason, stored_credentials(settings, document))
        caller = preflight(settings, document)
        log.info("Renewing: %s", decision.reason)
        fresh = renew(
            settings,
            caller,
            prompter=prompter,
            client_factory=client_factory,
            used_codes=used_codes or default_used_codes(),
            sleep=sleep,
        )
        values = session_values(fresh, settings.role_arn)
        remove = () if settings.role_arn else ("assumed_role_arn",)
        short = settings.short_term_section
        change = credentials_file.set_values(short, values, remove)
        credentials_file.save_edit(path, document, [short], change, backup=settings.backup)
    left = (fresh.expiration - clock()).total_seconds()
    log.info(
        "Success! Credentials for [%s] are valid for %s, until %s",
        settings.short_term_section,
        expiry.format_duration(left),
        expiry.describe_local(fresh.expiration),
    )
    return Outcome(True, decision.reason, fresh)


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


def preflight(settings: Settings, document: ini.IniFile | None) -> Caller:
    """Check everything a renewal needs that can be checked without asking anyone."""
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
    keys = long_term_keys(settings, document)
    if settings.device is None:
        raise UsageError(
            "no MFA device given: pass --device, set MFA_DEVICE, or add "
            f"aws_mfa_device = arn:aws:iam::ACCOUNT:mfa/NAME to [{settings.long_term_section}]"
        )
    origin = f"access key {mask(keys.access_key_id)} in [{settings.long_term_section}] of {path}"
    return Caller(keys, settings.device, origin)


def renew(
    settings: Settings,
    caller: Caller,
    *,
    prompter: mfa.Prompter,
    client_factory: ClientFactory,
    used_codes: UsedCodes,
    sleep: Callable[[float], None],
) -> TemporaryCredentials:
    """Ask for a code and call STS."""
    from aws_mfa import sts

    code = obtain_code(settings, caller.device, prompter, used_codes, sleep)
    client = client_factory(caller.keys, settings.region)
    short = settings.short_term_section
    if settings.role_arn:
        log.info(
            "Assuming role %s for [%s] for %s seconds", settings.role_arn, short, settings.duration
        )
        fresh = sts.assume_role(
            client,
            role_arn=settings.role_arn,
            session_name=settings.role_session_name,
            duration=settings.duration,
            device=caller.device,
            code=code,
            origin=caller.origin,
            external_id=settings.external_id,
        )
    else:
        log.info("Getting a session token for [%s] for %s seconds", short, settings.duration)
        fresh = sts.get_session_token(
            client,
            device=caller.device,
            duration=settings.duration,
            code=code,
            origin=caller.origin,
        )
    used_codes.record(caller.device, code)
    log.debug("STS answered with access key %s", mask(fresh.access_key_id))
    return fresh


def obtain_code(
    settings: Settings,
    device: str,
    prompter: mfa.Prompter,
    used_codes: UsedCodes,
    sleep: Callable[[float], None],
) -> str:
    """The MFA code, from the first source that has one (see :mod:`aws_mfa.mfa`).

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
    code, source = ask_code(settings, device, prompter)
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


def ask_code(settings: Settings, device: str, prompter: mfa.Prompter) -> tuple[str, str]:
    """The code, and where it came from (for messages)."""
    if settings.token == "-" and settings.token_source == "--token":
        line = sys.stdin.readline() if sys.stdin is not None else ""
        source = "--token - (the line read from stdin)"
        return mfa.check_code(line.strip(), source), source
    if settings.token is None and settings.token_command:
        log.info("Running %s for the MFA code", settings.token_command_source)
        code = mfa.run_token_command(settings.token_command, settings.token_command_source)
        return code, str(settings.token_command_source)
    prompt = (
        f"Enter AWS MFA code for device [{device}] (renewing for {settings.duration} seconds): "
    )
    source = settings.token_source if settings.token is not None else "the MFA code typed"
    return mfa.read_code(settings.token, settings.token_source, prompter, prompt), source


def long_term_keys(settings: Settings, document: ini.IniFile | None) -> LongTermKeys:
    """The access key pair in the long-term section, or an error saying what is missing."""
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
    missing = [key for key in ("aws_access_key_id", "aws_secret_access_key") if not values.get(key)]
    if missing:
        raise FileError(f"{path}: [{name}] has no {' and no '.join(missing)}; add it")
    return LongTermKeys(values["aws_access_key_id"], values["aws_secret_access_key"])


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
