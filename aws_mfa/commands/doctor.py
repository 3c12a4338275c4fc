"""``aws-mfa doctor``: find what would make aws-mfa or the AWS SDKs misbehave, change nothing.

Each check gives a :class:`Finding`: ``ok``, a ``note`` (worth knowing, not
wrong) or a ``problem`` with what to do about it::

    ok       ~/.aws/credentials can be read by you alone (0600)
    PROBLEM  [dev] in ~/.aws/credentials holds a long-term access key id (...WXYZ) ...
    note     [prod-long-term] in ~/.aws/credentials holds its secret access key in plaintext; ...
    ok       [profile console] in ~/.aws/config has an 'aws login' session (...); its ...
    note     the clock was not checked: STS could not be reached (timed out)

Of the AWS CLI's ``aws login`` cache it reads when each login's cached
credentials expire, and nothing else (see :mod:`aws_mfa.aws.login_sessions`).

It reads the files leniently (a file that does not parse is itself a
finding, and duplicate sections are all listed), never writes, never
prompts, and calls the network for the ``Date`` of an STS answer and, for a
long-term key whose age the file does not record and that has a cached MFA
session, to ask IAM when the key was created (ListAccessKeys, signed with
that session only; see :mod:`aws_mfa.key_age`).
"""

from __future__ import annotations

import os
import stat
from collections.abc import Callable, Collection, Mapping
from datetime import datetime
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING

from aws_mfa import expiry, key_age, system
from aws_mfa.aws import config_file, precedence
from aws_mfa.aws.login_sessions import LoginSession, login_sessions, sign_in, signed_in_as
from aws_mfa.aws.sections import (
    COMMAND_KEY,
    IN_COMMAND,
    IN_KEYCHAIN,
    STORE_COMMAND_KEY,
    is_session,
    keys_to_move,
    long_term_key_problem,
    secret_location,
)
from aws_mfa.cli.context import Context
from aws_mfa.clock import utc_now
from aws_mfa.codes.mfa_code import can_prompt, terminal_prompter
from aws_mfa.errors import EXIT_OK, EXIT_PROBLEMS, AwsMfaError, FileError, NoTokenError
from aws_mfa.files import ini, read
from aws_mfa.keys import mask
from aws_mfa.profiles import known_profiles, long_term_sections
from aws_mfa.records import Record
from aws_mfa.settings.checks import (
    DEFAULT_KEY_MAX_AGE,
    DEFAULT_LONG_TERM_SUFFIX,
    DEFAULT_PROFILE,
    SECRET_TIMEOUT,
)
from aws_mfa.settings.resolve import Flags, resolve_early, section_names

if TYPE_CHECKING:
    from aws_mfa.aliases import StrPath

OK = "ok"
NOTE = "note"
PROBLEM = "PROBLEM"

CLOCK_TOLERANCE = 60
"""Seconds of clock difference worth a warning: STS rejects signatures 5 minutes off,
and a clock that is wrong by more than a minute already misjudges expiry times."""
CLOCK_TIMEOUT = 5


FIRST_STEP = (
    ": run 'aws-mfa --setup' in a terminal to put your long-term keys and MFA device there "
    "(or 'aws configure', then 'aws-mfa')"
)
"""The next step on a machine with no credentials file yet."""


class Finding(Record):
    level: str
    text: str


DateFetcher = Callable[[str], datetime]
AgeAsker = Callable[[str, Callable[[], "str | None"]], "tuple[datetime | None, str]"]


def file_modes(credentials: Path, config: Path) -> list[Finding]:
    """The credentials file and its folder must be private; the config file safe from changes.

    Not on Windows, whose mode bits say nothing of who may read a file (its
    ACLs do, which aws-mfa does not read): a note says so, and nothing is
    reported falsely.
    """
    if not system.checks_modes():
        if not credentials.exists():
            return [Finding(NOTE, f"there is no {credentials}{FIRST_STEP}")]
        return [
            Finding(
                NOTE,
                f"who may read {credentials} is not checked on Windows (its ACLs decide, which "
                "aws-mfa does not read); keep it in your own profile folder",
            )
        ]
    found = []
    for path, private in ((credentials, True), (config, False)):
        try:
            mode = stat.S_IMODE(path.stat().st_mode)
        except FileNotFoundError:
            found.append(Finding(NOTE, f"there is no {path}{FIRST_STEP if private else ''}"))
            continue
        except OSError as err:
            found.append(Finding(PROBLEM, f"cannot look at {path}: {err.strerror}"))
            continue
        if private and mode & 0o077:
            found.append(Finding(PROBLEM, read.mode_problem(path) or str(path)))
        elif mode & 0o022:
            found.append(
                Finding(
                    PROBLEM,
                    f"{path} can be changed by other users (mode {mode:04o}); "
                    f"run: chmod go-w {path}",
                )
            )
        else:
            found.append(Finding(OK, f"{path} is safe from other users (mode {mode:04o})"))
    return found + folder_mode(credentials.parent)


def folder_mode(folder: Path) -> list[Finding]:
    """The credentials file's folder: a problem when others may write to it, a note when
    they may list it (as ``aws configure`` makes it)."""
    found: list[Finding] = []
    try:
        mode = stat.S_IMODE(folder.stat().st_mode)
    except OSError:
        return found
    if mode & 0o022:
        found.append(
            Finding(
                PROBLEM,
                f"the folder {folder} can be changed by other users (mode {mode:04o}): they "
                f"could put their own files in the place of yours; run: chmod 700 {folder}",
            )
        )
    elif mode & 0o077:  # as 'aws configure' makes it: names can be listed, private files not read
        found.append(
            Finding(
                NOTE,
                f"the folder {folder} is open to other users (mode {mode:04o}): they can list "
                f"the names of its files, not read the private ones; 'chmod 700 {folder}' "
                "closes it",
            )
        )
    else:
        found.append(Finding(OK, f"the folder {folder} is yours alone (mode {mode:04o})"))
    return found


def mfa_session_modes() -> list[Finding]:
    """The cached MFA sessions are the user's own: a real 0700 folder of 0600 files
    (see docs/roles.md); anything else there is not used, and said here."""
    from aws_mfa.sessions.mfa_sessions import MfaSessions, default_folder

    folder = default_folder()
    problem = MfaSessions(folder).problem(repair=False)
    if problem:
        return [
            Finding(
                PROBLEM,
                f"{problem}: aws-mfa does not use the cache of MFA sessions there; "
                f"remove it, or run: chmod 700 {folder}",
            )
        ]
    try:
        names = sorted(os.listdir(folder))
    except FileNotFoundError:
        return []
    except OSError as err:
        return [Finding(PROBLEM, f"cannot look into {folder}: {err.strerror}")]
    found = []
    for name in names:
        path = os.path.join(folder, name)
        try:
            wrong = read.owner_problem(os.lstat(path))
        except OSError:
            continue
        if wrong:
            found.append(
                Finding(
                    PROBLEM,
                    f"{path} in the cache of MFA sessions is {wrong}; aws-mfa ignores it: "
                    "remove it",
                )
            )
    return found or [Finding(OK, f"the cached MFA sessions in {folder} are yours alone")]


def audit_log_mode() -> list[Finding]:
    """The audit log (and its rotated files) is the user's own and 0600: aws-mfa appends to
    nothing else, and refuses to hand out credentials it cannot log."""
    from aws_mfa.sessions.handouts import default_path, paths

    found = []
    for path in paths(default_path()):
        try:
            status = os.lstat(path)
        except FileNotFoundError:
            continue
        except OSError as err:
            found.append(Finding(PROBLEM, f"cannot look at {path}: {err.strerror}"))
            continue
        wrong = read.owner_problem(status) or read.kind_problem(status.st_mode)
        if wrong:
            fix = "run: chmod 600 " + path if wrong.startswith("open") else "move it away"
            found.append(Finding(PROBLEM, f"the audit log {path} is {wrong}; {fix}"))
    if found or not os.path.lexists(default_path()):
        return found
    if not system.checks_modes():
        return [Finding(OK, f"the audit log {default_path()} is a file of yours")]
    return [Finding(OK, f"the audit log {default_path()} is yours alone (mode 0600)")]


def headers(path: Path) -> list[tuple[int, str]]:
    """(line number, name) of every ``[section]`` header, read leniently."""
    try:
        text = path.read_text(encoding="utf-8-sig", errors="replace")
    except OSError:
        return []
    lines = enumerate(ini.split_lines(text), 1)
    named = ((number, ini.header_name(line.strip())) for number, line in lines)
    return [(number, name) for number, name in named if name is not None]


def credentials_layout(path: Path) -> list[Finding]:
    """Duplicate sections and ``[profile x]`` headers, which the parser does not forgive."""
    found = []
    first: dict[str, int] = {}
    for number, name in headers(path):
        if name in first:
            found.append(
                Finding(
                    PROBLEM,
                    f"{path}, line {number}: [{name}] appears a second time (first on line "
                    f"{first[name]}); the AWS CLI cannot read the file: merge the two",
                )
            )
        first.setdefault(name, number)
        if name.startswith("profile "):
            found.append(
                Finding(
                    PROBLEM,
                    f"{path}, line {number}: [{name}] belongs in the config file; in the "
                    f"credentials file the AWS CLI reads it as a profile named '{name}'; "
                    f"rename it [{name.split(None, 1)[-1]}]",
                )
            )
    return found


def parse(
    path: Path, what: str, reported: list[Finding]
) -> tuple[ini.IniFile | None, list[Finding]]:
    """The parsed file, or a finding (unless one already reported is on the same line)."""
    try:
        return read.read_ini(path), []
    except FileError as err:
        if err.line is not None and any(f"{path}, line {err.line}:" in f.text for f in reported):
            return None, []
        return None, [Finding(PROBLEM, f"the {what} cannot be read: {err}")]


def sessions(
    document: ini.IniFile | None,
    config: Mapping[str, config_file.ConfigProfile],
    flags: Flags,
    path: Path,
    config_path: Path,
    profile: str = DEFAULT_PROFILE,
) -> list[Finding]:
    """Long-term keys where a session would be written; config that hides written keys."""
    if document is None:
        return []
    found = []
    targets = {short for _, _, short in known_profiles(document, config, flags)}
    targets |= {name for name, section in document.sections.items() if is_session(section.values)}
    for profile, long_term, short_term in known_profiles(document, config, flags):
        problem = long_term_key_problem(document.values(short_term))
        if problem:
            found.append(
                Finding(
                    PROBLEM,
                    f"[{short_term}] in {path} holds {problem}; 'aws-mfa -p {profile}' would "
                    f"write its session there, so it stops: move them to [{long_term}]",
                )
            )
    for name in sorted(targets):
        for text in precedence.hidden_by_config(config.get(name), name, config_path):
            found.append(Finding(PROBLEM, text))
        if "aws_access_key_id" in (document.values(name) or {}):  # what botocore takes
            for text in precedence.hides_login_session(config.get(name), name, path, config_path):
                found.append(Finding(PROBLEM, text))
    found += keys_in_the_way(document, config, flags, path, profile)
    if not found:
        found.append(Finding(OK, f"no session in {path} is hidden or in the way of long-term keys"))
    return found


def keys_in_the_way(
    document: ini.IniFile,
    config: Mapping[str, config_file.ConfigProfile],
    flags: Flags,
    path: Path,
    profile: str,
) -> list[Finding]:
    """The profile's short-term section holds its long-term keys, with no long-term section to
    keep them in (``aws configure``'s ``[default]``): a login cannot run until they move."""
    from aws_mfa.profiles import setup_command

    moving = keys_to_move_of(document, config, flags, profile)
    if moving is None:
        return []
    long_term, short_term = moving
    return [
        Finding(
            PROBLEM,
            f"[{short_term}] in {path} holds long-term keys, where aws-mfa writes its sessions, "
            f"so a login stops: move them to [{long_term}] with '{setup_command(profile)}' in "
            "a terminal (it asks first, and changes nothing else)",
        )
    ]


def keys_to_move_of(
    document: ini.IniFile | None,
    config: Mapping[str, config_file.ConfigProfile],
    flags: Flags,
    profile: str,
) -> tuple[str, str] | None:
    """(long-term, short-term section) when the profile's long-term keys sit in its short-term
    section and must move before a login (``aws configure``'s ``[default]``), else None."""
    if document is None:
        return None
    try:
        long_term, short_term = section_names(profile, flags, config)
    except AwsMfaError:
        return None  # the settings' own error is reported by run()
    if not keys_to_move(document.values(long_term), document.values(short_term)):
        return None
    return long_term, short_term


def keychain_problem() -> str | None:
    """Why the OS keychain cannot be used here, or None (asks keyring; never prompts)."""
    from aws_mfa.os_keychain import Keychain

    return Keychain().unavailable()


def long_term_secrets(
    document: ini.IniFile | None,
    config: Mapping[str, config_file.ConfigProfile],
    flags: Flags,
    path: Path,
    unavailable: Callable[[], str | None] = keychain_problem,
    has_entry: Callable[[str], bool | None] | None = None,
    moving: Collection[str] = (),
    read_with: float | None = None,
) -> list[Finding]:
    """Where each long-term secret is: a hint for those in plaintext (where there is a
    keychain to move them into), a problem when the keychain that holds some cannot be used
    or has no entry for one, and for those a password manager keeps, its program. Whether
    there is an entry is asked of ``has_entry`` (default: the keychain itself; None: cannot
    tell). Sections in ``moving`` get no hint: their keys move first. With ``read_with``
    (``--check-secrets``: the seconds of ``--secret-timeout``) each password manager's
    command is run once, and what it printed is never shown."""
    if document is None:
        return []
    found, kept, plain = [], [], []
    for name in long_term_sections(document):
        values = document.values(name) or {}
        where = secret_location(values)
        if where == IN_COMMAND:
            found += password_manager(values, name, str(path), read_with)
        elif where == IN_KEYCHAIN:
            kept.append(name)
        elif name not in moving:
            plain.append(name)
    problem = unavailable() if kept or plain else None
    found += plaintext(document, config, flags, path, plain, problem)
    problem = problem if kept else None
    if problem:
        sections = ", ".join(f"[{name}]" for name in kept)
        found.append(
            Finding(PROBLEM, f"{sections} keep their secret in the keychain, but {problem}")
        )
    elif kept:
        found += keychain_entries(document, kept, path, has_entry or keychain_has_entry)
    return found


def plaintext(
    document: ini.IniFile,
    config: Mapping[str, config_file.ConfigProfile],
    flags: Flags,
    path: Path,
    plain: list[str],
    problem: str | None,
) -> list[Finding]:
    """A note for each section in ``plain`` holding its secret in the file: the command that
    moves it into the keychain, or that there is none (``problem``)."""
    found = []
    for name in plain:
        how = (
            "there is no OS keychain here to move it into"
            if problem
            else f"'aws-mfa {choose_section(document, config, flags, name)} keychain import' "
            "moves it into the OS keychain"
        )
        found.append(
            Finding(NOTE, f"[{name}] in {path} holds its secret access key in plaintext; {how}")
        )
    return found


def password_manager(
    values: Mapping[str, str], name: str, path: str, read_with: float | None
) -> list[Finding]:
    """A section whose secret a password manager's command gives: which program, whether
    rotate can store a new one, and with ``read_with`` whether the command gives one now."""
    from aws_mfa import secret_command

    try:
        program = secret_command.words(values, COMMAND_KEY, name, path)[0]
    except AwsMfaError as err:
        return [Finding(PROBLEM, err.message)]
    found = [
        Finding(
            OK,
            f"[{name}] keeps its secret access key in a password manager, read with "
            f"{secret_command.named(COMMAND_KEY, name, program)}",
        )
    ]
    if not values.get(STORE_COMMAND_KEY, "").strip():
        found.append(
            Finding(NOTE, f"[{name}] has no {STORE_COMMAND_KEY}: 'aws-mfa rotate' needs one")
        )
    if read_with is None:
        return found
    try:
        secret_command.read(values, name, path, read_with)
    except AwsMfaError as err:
        return [*found, Finding(PROBLEM, err.message)]
    return [*found, Finding(OK, f"[{name}]: the command gave a secret access key (not shown)")]


def keyring_backends() -> Finding:
    """The keyring backends installed, usable ones first: what aws_mfa_keyring_backend (or
    PYTHON_KEYRING_BACKEND) may name."""
    from aws_mfa.os_keychain import backends

    listed = backends()
    usable = [name for name, why in listed if why is None]
    unusable = [f"{name} ({why})" for name, why in listed if why is not None]
    text = f"keyring backends usable here: {', '.join(usable) or 'none'}"
    if unusable:
        text += f"; installed but unusable: {', '.join(unusable)}"
    return Finding(OK if usable else NOTE, text)


def choose_section(
    document: ini.IniFile, config: Mapping[str, config_file.ConfigProfile], flags: Flags, name: str
) -> str:
    """The flags that choose long-term section ``name``: the profile named after it first."""
    profiles = [
        profile for profile, long, _ in known_profiles(document, config, flags) if long == name
    ]
    own = [profile for profile in profiles if name == f"{profile}-{DEFAULT_LONG_TERM_SUFFIX}"]
    chosen = own or profiles
    return f"-p {chosen[0]}" if chosen else f"--long-term-section {name}"


def keychain_entries(
    document: ini.IniFile, names: list[str], path: Path, has_entry: Callable[[str], bool | None]
) -> list[Finding]:
    """Whether the keychain has an entry for each section that keeps its secret there."""
    found = []
    for name in names:
        key_id = (document.values(name) or {}).get("aws_access_key_id", "")
        present = has_entry(key_id)
        if present:
            found.append(Finding(OK, f"[{name}] keeps its secret access key in the OS keychain"))
        elif present is None:
            found.append(
                Finding(
                    NOTE, f"[{name}] keeps its secret in the keychain, which is locked: not checked"
                )
            )
        else:
            found.append(
                Finding(
                    PROBLEM,
                    f"[{name}] in {path} keeps its secret in the OS keychain, but the keychain has "
                    f"no entry for access key {mask(key_id)}: put aws_secret_access_key back in "
                    "that section, then 'aws-mfa keychain import' again",
                )
            )
    return found


def keychain_has_entry(key_id: str) -> bool | None:
    """Whether the OS keychain has an entry for ``key_id``; None when it cannot tell (locked)."""
    from aws_mfa.os_keychain import Keychain

    try:
        return Keychain().read(key_id) is not None
    except AwsMfaError:
        return None


def ask_iam_for_age(key_id: str, secret: Callable[[], str | None]) -> tuple[datetime | None, str]:
    """When IAM created ``key_id``, asked with its cached MFA session only (see
    :func:`aws_mfa.rotation.key_created_from_iam`)."""
    from aws_mfa.rotation import key_created_from_iam

    return key_created_from_iam(key_id, secret)


def section_secret(values: Mapping[str, str]) -> Callable[[], str | None]:
    """How to read a long-term section's secret: from the file, or the keychain."""

    def secret() -> str | None:
        if secret_location(values) != IN_KEYCHAIN:
            return values.get("aws_secret_access_key") or None
        from aws_mfa.os_keychain import Keychain

        try:
            return Keychain().read(values.get("aws_access_key_id", ""))
        except AwsMfaError:
            return None

    return secret


def key_ages(
    document: ini.IniFile | None,
    config: Mapping[str, config_file.ConfigProfile],
    flags: Flags,
    path: Path,
    max_age: int,
    ask: AgeAsker = ask_iam_for_age,
    moving: Collection[str] = (),
) -> list[Finding]:
    """How old each long-term key is: as the section records it (``aws_mfa_key_created``),
    else as IAM says with the key's cached MFA session; a problem past ``max_age`` days.
    Sections in ``moving`` are left out: their keys move first."""
    found: list[Finding] = []
    if document is None:
        return found
    for name in [name for name in long_term_sections(document) if name not in moving]:
        values = document.values(name) or {}
        key_id, created = values.get("aws_access_key_id", ""), key_age.created(values)
        source, why = key_age.KEY_CREATED, ""
        if created is None:
            (created, why), source = ask(key_id, section_secret(values)), "IAM says"
        rotate = f"'aws-mfa {choose_section(document, config, flags, name)} rotate'"
        where = f"[{name}] in {path}: access key {mask(key_id)}"
        if created is None:
            found.append(
                Finding(
                    NOTE,
                    f"[{name}] in {path}: the age of access key {mask(key_id)} is unknown "
                    f"({why}); {rotate} replaces it and records when",
                )
            )
            continue
        days = key_age.age_days(created, utc_now())
        age = "was created today" if days == 0 else f"is {key_age.describe(days)} old"
        if days > max_age:
            found.append(
                Finding(
                    PROBLEM,
                    f"{where} {age} ({source}), more than the {max_age} days of key_max_age: "
                    f"rotate it with {rotate}",
                )
            )
        else:
            found.append(Finding(OK, f"{where} {age} ({source})"))
    return found


def logins(
    config: Mapping[str, config_file.ConfigProfile],
    environ: Mapping[str, str],
    config_path: Path,
    now: datetime,
) -> list[Finding]:
    """The profiles ``aws login`` signed in, with when their cached credentials expire:
    worth knowing, never a problem (the AWS CLI looks after them)."""
    return [login_finding(login, config_path, now) for login in login_sessions(config, environ)]


def login_finding(login: LoginSession, config_path: Path, now: datetime) -> Finding:
    who = f"[{login.header}] in {config_path} has an 'aws login' session "
    who += f"({signed_in_as(login.session)})"
    if not login.cached:
        return Finding(NOTE, f"{who}, but {login.reason}")
    if login.expiration is None:
        return Finding(NOTE, f"{who}; when it expires is unknown: {login.reason}")
    when = expiry.describe_local(login.expiration)
    left = (login.expiration - now).total_seconds()
    if left > 0:
        return Finding(
            OK, f"{who}; its cached credentials expire {when} ({expiry.format_duration(left)} left)"
        )
    return Finding(
        NOTE,
        f"{who}; its cached credentials ended {when}: the AWS CLI and SDKs get new ones with "
        "its refresh token while the login lasts (up to 12 hours), then "
        f"'{sign_in(login.profile)}' signs in again",
    )


def environment(environ: Mapping[str, str]) -> list[Finding]:
    found = [Finding(PROBLEM, text) for text in precedence.environment_overrides(environ)]
    return found or [Finding(OK, "no AWS credentials in the environment override the profiles")]


def code_prompt(
    prompt: str,
    environ: Mapping[str, str],
    terminal: bool,
    which: Callable[[str], str | None] | None = None,
) -> Finding:
    """Where a code would be asked for (``--prompt``), here and with no terminal (an IDE's
    ``credential_process``), and whether its program is installed."""
    from aws_mfa.codes import prompts

    here = prompts.choose(prompt, environ, terminal, which=which)
    elsewhere = prompts.choose(prompt, environ, False, which=which)
    if here is None or elsewhere is None:
        return Finding(
            NOTE,
            f"--prompt {prompt}: with no terminal (an IDE's or an SDK's credential_process) "
            "nothing can ask for a code here, as there is no desktop: a session kept valid "
            "from a terminal serves such runs, or set MFA_PROMPT=ykman or MFA_TOKEN_COMMAND",
        )
    driver = here if here != "terminal" else elsewhere
    if driver == "terminal":
        return Finding(OK, f"--prompt {prompt}: the MFA code is asked on the terminal")
    try:
        prompts.find(driver, which)
    except NoTokenError as err:
        level = PROBLEM if here == driver else NOTE
        when = "" if here == driver else "with no terminal "
        return Finding(level, f"--prompt {prompt} would ask {when}with {driver}, but {err.message}")
    asked = "on the terminal, and with no terminal " if here == "terminal" else ""
    return Finding(OK, f"--prompt {prompt}: the MFA code is asked {asked}with {driver}")


def sts_date(url: str, timeout: float = CLOCK_TIMEOUT) -> datetime:
    """The ``Date`` of STS's answer to a plain GET of ``url`` (any status will do)."""
    import email.utils
    import urllib.error
    import urllib.request

    request = urllib.request.Request(url, method="GET")  # noqa: S310 (an https or local URL)
    try:
        with urllib.request.urlopen(request, timeout=timeout) as answer:  # noqa: S310
            date = answer.headers.get("Date")
    except urllib.error.HTTPError as err:
        date = err.headers.get("Date")
    if not date:
        raise ValueError("the answer had no Date")
    return email.utils.parsedate_to_datetime(date)


def clock(url: str, now: Callable[[], datetime], fetch: DateFetcher = sts_date) -> Finding:
    """This machine's clock against STS's."""
    try:
        theirs = fetch(url)
    except (OSError, ValueError) as err:
        reason = getattr(err, "reason", None) or err
        return Finding(NOTE, f"the clock was not checked: {url} could not be reached ({reason})")
    skew = (now() - theirs).total_seconds()
    if abs(skew) > CLOCK_TOLERANCE:
        direction = "ahead of" if skew > 0 else "behind"
        return Finding(
            PROBLEM,
            f"this machine's clock is {abs(int(skew))} seconds {direction} STS's; expiry "
            "times are misjudged and STS rejects requests 5 minutes off: sync it (NTP)",
        )
    return Finding(OK, f"the clock agrees with STS's at {url} (within {CLOCK_TOLERANCE} seconds)")


def sts_url(region: str | None) -> str:
    """Where STS answers, resolved exactly as for a real call."""
    from aws_mfa.aws.sts import endpoint

    return endpoint(region)[0]


def examine(
    flags: Flags,
    environ: Mapping[str, str],
    credentials_where: StrPath,
    config_where: StrPath,
    region: str | None,
    fetch: DateFetcher = sts_date,
    unavailable: Callable[[], str | None] = keychain_problem,
    key_max_age: int = DEFAULT_KEY_MAX_AGE,
    ask_age: AgeAsker = ask_iam_for_age,
    prompt: str = "auto",
    read_with: float | None = None,
    backends: Callable[[], Finding] = keyring_backends,
) -> list[Finding]:
    """Every check, in the order they are shown."""
    credentials_path, config_path = Path(credentials_where), Path(config_where)
    found = file_modes(credentials_path, config_path)
    found += mfa_session_modes()
    found += audit_log_mode()
    found += credentials_layout(credentials_path)
    document, problems = parse(credentials_path, "credentials file", found)
    found += problems
    config, problems = parse(config_path, "config file", found)
    found += problems
    profiles = config_file.profiles(config)
    profile = resolve_early("profile", flags, environ)
    found += sessions(document, profiles, flags, credentials_path, config_path, profile)
    moving = keys_to_move_of(document, profiles, flags, profile)
    short_term = [moving[1]] if moving else []
    found += long_term_secrets(
        document,
        profiles,
        flags,
        credentials_path,
        unavailable,
        moving=short_term,
        read_with=read_with,
    )
    if read_with is not None:  # loading every keyring backend starts programs (ld, gcc)
        found.append(backends())
    found += key_ages(
        document, profiles, flags, credentials_path, key_max_age, ask_age, moving=short_term
    )
    found += logins(profiles, environ, config_path, utc_now())
    found += environment(environ)
    found.append(code_prompt(prompt, environ, can_prompt(terminal_prompter)))
    found.append(clock(sts_url(region), utc_now, fetch))
    return found


def report(findings: list[Finding]) -> str:
    return "\n".join(f"{finding.level:<8} {finding.text}" for finding in findings)


def run(context: Context) -> int:
    findings = []
    region, prompt, max_age, timeout = None, "auto", DEFAULT_KEY_MAX_AGE, float(SECRET_TIMEOUT)
    fetch: DateFetcher = sts_date
    try:
        resolved = context.settings()
        region, prompt, max_age = resolved.region, resolved.prompt, resolved.key_max_age
        timeout = resolved.secret_timeout
        if resolved.sources.get("sts_timeout"):  # given (MFA_STS_TIMEOUT...): the clock's too
            fetch = partial(sts_date, timeout=resolved.sts_timeout)
    except FileError:
        pass  # examine() reports the file's problem itself
    except AwsMfaError as err:
        findings.append(Finding(PROBLEM, str(err)))
    findings += examine(
        context.flags,
        context.environ,
        context.credentials_path,
        context.config_path,
        region,
        fetch=fetch,
        key_max_age=max_age,
        prompt=prompt,
        read_with=timeout if context.flags.switch("check_secrets") else None,
    )
    print(report(findings))
    if any(finding.level == PROBLEM for finding in findings):
        return EXIT_PROBLEMS
    return EXIT_OK
