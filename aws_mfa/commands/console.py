"""``aws-mfa console``: the AWS console in the browser, signed in from the same MFA session.

The console's sign-in (:mod:`aws_mfa.aws.signin`) takes role credentials and
federation tokens only, so what the profile holds is classified first, and
each kind has its way in (docs/console.md)::

    a role profile, or --assume-role  -> the role, assumed from the cached MFA session (no code
                                         while it lasts), or with a code for a longer session
    [PROFILE] holds role credentials  -> used as they are, no STS call
    no role                           -> GetFederationToken with the long-term keys: no code,
                                         and no MFA context (said in one line)

An MFA session of GetSessionToken, which the sign-in refuses, is never sent;
long-term keys never go to the sign-in endpoint. ``SessionDuration`` is sent
only for a role assumed straight from the long-term keys.

Everything that needs no network is checked first (the destination, the
partition, the settings of this command), so a mistake costs no code. The URL
is a bearer credential: it is never logged, never in an error, and the browser
is given the address of a private page that redirects to it (:func:`write_page`),
unless a ``--browser`` template asks for ``{url}`` itself.
"""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Mapping

from aws_mfa import expiry, log, system
from aws_mfa.aws import signin
from aws_mfa.aws.sections import (
    is_aws_mfa_session,
    is_session,
    replaced_keys,
    secret_location,
    stored_role,
)
from aws_mfa.cli.context import Context
from aws_mfa.cli.prepare import prepare, record_hand_out, trail
from aws_mfa.clock import utc_now
from aws_mfa.errors import EXIT_OK, FileError, StsRefusedError, UsageError
from aws_mfa.files import ini
from aws_mfa.identity import ROLE, Identity
from aws_mfa.keys import TemporaryCredentials, mask
from aws_mfa.records import Record
from aws_mfa.sessions.handouts import check
from aws_mfa.settings.checks import MAX_POLICY_ARNS, POLICY_ARN
from aws_mfa.settings.resolve import Flags, Settings

TYPE_CHECKING = False  # see aws_mfa.records: typing is not imported at run time
if TYPE_CHECKING:
    from datetime import datetime

    from aws_mfa.aws.sts import AwsConfig, Limits

STORED = "stored"
"""Role credentials the short-term section holds: used as they are."""
CHAINED = "chained"
"""A role assumed from the cached MFA session: no code; at most an hour."""
DIRECT = "direct"
"""A role assumed straight from the long-term keys, with a code: SessionDuration may be sent."""
FEDERATION = "federation"
"""GetFederationToken with the long-term keys: no code, no MFA context."""

ALLOW_ALL = "allow-all"
ALLOW_ALL_POLICY = (
    '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}'
)
"""The default session policy of a federation token. A federation token without one may
do nothing; with it, it may do what the IAM user may, no more (the policies intersect)."""
FEDERATION_NAME = re.compile(r"[\w+=,.@-]{2,32}", re.A)
PLACEHOLDERS = ("{page}", "{url}", "{url_quoted}", "{profile}")


def run(context: Context) -> int:
    where = destination_flags(context.flags)
    found = prepare(context, warn=False)
    resolved = context.settings()
    own = checked_settings(resolved)
    way = choose_way(resolved, found, context.credentials(), utc_now())
    part = way_partition(way, resolved)
    destination = destination_url(part, resolved.region, where)
    check(trail(context))  # before any code or STS call
    held = credentials(context, way, own)
    base = signin.signin_base(part, resolved.region, context.environ)
    transport = signin.http_session(
        aws_settings(way.settings, context.credentials()),
        way.settings.region,
        base,
        sts_limits(way.settings),
    )
    token = signin.signin_token(
        transport,
        base,
        held.credentials,
        kind=held.kind,
        session_duration=held.session_duration,
        post=part.post,
    )
    url = signin.login_url(base, destination, token)
    record_hand_out(context, found, held.credentials, "sign-in")
    if context.flags.switch("logout_first"):
        url = signin.logout_url(base, url)
    deliver(url, resolved.profile, own.browser, context.flags.switch("print_url"), context.environ)
    return EXIT_OK


# What to open: checked before anything is asked or sent.


FLAGS = ("--service", "--path", "--destination")


class Where(Record):
    """The destination flags: at most one is set."""

    service: str | None = None
    path: str | None = None
    url: str | None = None


def destination_flags(flags: Flags) -> Where:
    where = Where(flags.value("service"), flags.value("path"), flags.value("destination"))
    given = [name for name, value in zip(FLAGS, where, strict=True) if value]
    if len(given) > 1:
        raise UsageError(f"{' and '.join(given)} each name the page to open; give one of them")
    return where


def destination_url(part: signin.Partition, region: str | None, where: Where) -> str:
    """The console page the login URL opens, checked to be on the partition's console host."""
    if where.service:
        return signin.service_destination(part, region, where.service)
    if where.path:
        return signin.path_destination(part, region, where.path)
    if where.url:
        return signin.check_destination(where.url, part)
    return signin.with_region(f"{signin.console_base(part, region)}/console/home", region)


class OwnSettings(Record):
    """This command's settings, checked."""

    browser: list[str] | None
    policy: str | None
    policy_arns: tuple[str, ...]
    name: str | None


def checked_settings(resolved: Settings) -> OwnSettings:
    sources = resolved.sources
    browser = None
    if resolved.console_browser:
        browser = browser_template(resolved.console_browser, sources["console_browser"])
    policy, arns = federation_policy(
        resolved.federation_policy or ALLOW_ALL, sources.get("federation_policy", "")
    )
    name = resolved.federation_name
    if name is not None:
        name = federation_name(name, sources["federation_name"])
    return OwnSettings(browser, policy, arns, name)


def browser_template(text: str, source: str) -> list[str]:
    """The words of a browser command template; it must place the page or the URL."""
    import shlex

    try:
        words = shlex.split(text)
    except ValueError:
        words = []
    if not words:
        raise UsageError(f"{source}: the browser command {text!r} cannot be parsed")
    if not any(holder in word for word in words for holder in PLACEHOLDERS[:3]):
        raise UsageError(
            f"{source}: the browser command must say where the console goes with {{page}} "
            "(a private page that opens it) or {url} (the sign-in URL itself)"
        )
    return words


def federation_policy(text: str, source: str) -> tuple[str | None, tuple[str, ...]]:
    """The inline policy (allow-all) or the managed policy ARNs of a federation token."""
    if text.strip().lower() == ALLOW_ALL:
        return ALLOW_ALL_POLICY, ()
    arns = tuple(word for word in re.split(r"[\s,]+", text.strip()) if word)
    wrong = [arn for arn in arns if not re.fullmatch(POLICY_ARN, arn, re.A)]
    if wrong or not arns or len(arns) > MAX_POLICY_ARNS:
        raise UsageError(
            f"{source}: the federation policy is {ALLOW_ALL!r} or 1 to {MAX_POLICY_ARNS} "
            "managed policy ARNs like arn:aws:iam::aws:policy/ReadOnlyAccess, comma-separated"
        )
    return None, arns


def federation_name(text: str, source: str) -> str:
    if not FEDERATION_NAME.fullmatch(text):
        raise UsageError(
            f"{source}: {text!r} is not a federated user name; use 2 to 32 letters, digits "
            "or the characters + = , . @ - _"
        )
    return text


def default_federation_name() -> str:
    """The local user name, made a valid federated user name (2 to 32 characters)."""
    from aws_mfa.settings.checks import default_session_name

    name = default_session_name()[:32]
    return name if FEDERATION_NAME.fullmatch(name) else "aws-mfa"


# Which way in: classify what the profile holds.


class Way(Record):
    """How the console's credentials are had (:data:`STORED`, :data:`CHAINED`...)."""

    how: str
    settings: Settings
    """The settings of the call: the role's for a role profile."""
    role_arn: str | None = None
    source: Settings | None = None
    """A role profile's source profile, whose session is kept valid as ``login`` keeps it."""


def choose_way(
    resolved: Settings, found: Identity, document: ini.IniFile | None, now: datetime
) -> Way:
    if found.kind == ROLE:
        return Way(role_how(found.role), found.role, found.role_arn, found.session)
    held = usable_role(resolved, document, now)
    if held:
        return Way(STORED, resolved, held)
    if resolved.role_arn:
        return Way(role_how(resolved), resolved, resolved.role_arn)
    return Way(FEDERATION, resolved)


def role_how(settings: Settings) -> str:
    """:data:`DIRECT` when the role cannot come from the MFA session (no cache, or longer
    than role chaining allows), else :data:`CHAINED`."""
    from aws_mfa.sessions.providers import ROLE_CHAINING_LIMIT

    direct = not settings.session_cache or settings.duration > ROLE_CHAINING_LIMIT
    return DIRECT if direct else CHAINED


def usable_role(settings: Settings, document: ini.IniFile | None, now: datetime) -> str | None:
    """The role whose credentials the short-term section holds, when they can be used as they
    are: the role asked for (or none asked), at least ``--min-ttl`` left, the keys aws-mfa
    wrote (not another tool's, whose expiry is unknown), and neither ``--force`` nor a
    duration given outright."""
    section = settings.short_term_section
    values = document.values(section) if document else None
    ours = values and is_aws_mfa_session(values) and not replaced_keys(values, section)
    role = stored_role(values) if values and ours else None
    explicit = settings.sources.get("duration", "").startswith("-")
    if not role or settings.force or explicit or settings.role_arn not in (None, role):
        return None
    try:
        expiration = expiry.parse_expiration(values["expiration"] if values else "", "")
    except FileError:
        return None
    return role if (expiration - now).total_seconds() >= settings.min_ttl else None


def way_partition(way: Way, resolved: Settings) -> signin.Partition:
    """The partition of the credentials, which must have a console sign-in, and agree with
    the region's."""
    device = way.settings.device or ""
    if way.role_arn:
        name, why = signin.partition_of_arn(way.role_arn), f"the role {way.role_arn}"
    elif device.startswith("arn:"):
        name, why = signin.partition_of_arn(device), f"the MFA device {device}"
    elif resolved.region:
        name, why = signin.partition_of_region(resolved.region), f"the region {resolved.region}"
    else:
        name, why = "aws", "the default"
    part = signin.partition(name, why)
    region = resolved.region
    if region and signin.partition_of_region(region) != part.name:
        raise UsageError(
            f"the region {region} ({resolved.sources.get('region') or 'the profile'}) is not in "
            f"partition {part.name} of {why}; choose one of its regions with --region"
        )
    return part


# The credentials.


class Held(Record):
    """Credentials the sign-in takes, what they are (for messages), and SessionDuration."""

    credentials: TemporaryCredentials
    kind: str
    session_duration: int | None = None


def credentials(context: Context, way: Way, own: OwnSettings) -> Held:
    if way.how == STORED:
        return stored(context, way)
    if way.how == FEDERATION:
        return federation(context, way.settings, own)
    return role(context, way)


def stored(context: Context, way: Way) -> Held:
    from aws_mfa.sessions.session_state import stored_credentials

    document = context.credentials()
    assert document is not None  # usable_role found the section
    held = stored_credentials(way.settings, document)
    section = way.settings.short_term_section
    log.info(
        "[%s] holds credentials of role %s: the console uses them as they are, and its "
        "session ends with them (%s)",
        section,
        way.role_arn,
        expiry.describe_local(held.expiration),
    )
    return Held(held, f"role credentials of {way.role_arn} kept in [{section}]")


def role(context: Context, way: Way) -> Held:
    """The role, assumed from the cached MFA session, or as assumed before for ``export``
    and ``exec`` while it has more than 15 minutes left (or with a code, for a direct one)."""
    from aws_mfa.sessions.keep import credentials_of
    from aws_mfa.sessions.renewal import role_credentials

    if way.source is not None and way.how == CHAINED:
        # A role profile: its source session kept valid, as login keeps it, and the role
        # from it (a direct role asks for its own code, and needs no session).
        found = Identity(way.settings.profile, ROLE, way.settings, way.source, None, None, "")

        def read() -> ini.IniFile | None:
            context.forget_credentials()
            return context.credentials()

        fresh = credentials_of(found, read, command="console")
    else:
        fresh = role_credentials(way.settings, context.credentials())
    ends = expiry.describe_local(fresh.expiration)
    if way.how == DIRECT:
        seconds = way.settings.duration
        log.info(
            "The console session of role %s lasts %s (SessionDuration), as the role was "
            "assumed with the long-term keys",
            way.role_arn,
            expiry.format_duration(seconds),
        )
        return Held(fresh, f"role credentials of {way.role_arn}", seconds)
    log.info(
        "The console session of role %s ends with the role session it comes from (%s): a role "
        "assumed from the MFA session lasts an hour at most; --duration over 3600 assumes it "
        "with an MFA code instead, for a longer one",
        way.role_arn,
        ends,
    )
    return Held(fresh, f"role credentials of {way.role_arn} assumed from the MFA session")


def federation(context: Context, settings: Settings, own: OwnSettings) -> Held:
    """A federation token of the long-term keys: no code, and no MFA context (said once)."""
    from aws_mfa.aws import sts
    from aws_mfa.sessions.renewal import default_secret_reader, long_term_keys

    document = context.credentials()
    explain_plain_session(settings, document)
    keys = long_term_keys(settings, document, default_secret_reader())
    section = settings.long_term_section
    origin = f"access key {mask(keys.access_key_id)} in [{section}] of {settings.credentials_file}"
    client = sts.make_client(
        keys,
        settings.region,
        config=aws_settings(settings, document),
        timeout=settings.sts_timeout,
    )
    name = own.name or default_federation_name()
    log.warning(
        "The console session carries no MFA context: it is a federation token of [%s]'s "
        "long-term keys, and policies that require MFA refuse it; give the profile a role "
        "(--assume-role, or a role profile) for a session with MFA",
        section,
    )
    now = utc_now()
    try:
        fresh = sts.get_federation_token(
            client,
            name=name,
            duration=settings.duration,
            policy=own.policy,
            policy_arns=own.policy_arns,
            origin=origin,
            now=now,
            kept_in=secret_location(document.values(section) or {} if document else {}) or "file",
        )
    except StsRefusedError as err:
        raise federation_refused(err, section) from err
    say_federation_limit(fresh, settings.duration, now)
    return Held(fresh, f"federation token of {name}")


def explain_plain_session(settings: Settings, document: ini.IniFile | None) -> None:
    """Say why the MFA session the short-term section holds is not what the console gets."""
    values = document.values(settings.short_term_section) if document else None
    if is_session(values):
        log.info(
            "[%s] holds an MFA session (GetSessionToken), which the console's sign-in refuses; "
            "getting a federation token instead",
            settings.short_term_section,
        )


def federation_refused(err: StsRefusedError, section: str) -> StsRefusedError:
    if err.sts_code != "AccessDenied":
        return err
    return StsRefusedError(
        f"STS refused a federation token to the long-term keys of [{section}] ({err.message}); "
        "the IAM user needs sts:GetFederationToken, and a policy that requires MFA refuses "
        "it: give the profile a role (--assume-role, or a role profile) instead",
        sts_code=err.sts_code,
    )


def say_federation_limit(fresh: TemporaryCredentials, asked: int, now: datetime) -> None:
    """How long the console session lasts: as long as the federation token, and STS gives the
    root user's one hour at most."""
    given = (fresh.expiration - now).total_seconds()
    if given < asked - 120:
        log.warning(
            "STS gave the federation token %s, not the %s seconds asked for: it caps the root "
            "user's at one hour. The console session ends with it",
            expiry.format_duration(given),
            asked,
        )
        return
    log.info(
        "The console session ends with the federation token (%s); --duration sets its "
        "length, 900 to 129600 seconds",
        expiry.describe_local(fresh.expiration),
    )


def aws_settings(settings: Settings, document: ini.IniFile | None) -> AwsConfig:
    """The AWS configuration of the profile's STS client
    (:func:`aws_mfa.sessions.renewal.aws_config`)."""
    from aws_mfa.sessions.renewal import aws_config

    return aws_config(
        (settings.profile, settings.long_term_section),
        settings.config_file,
        settings.credentials_file,
        document,
    )


def sts_limits(settings: Settings) -> Limits:
    from aws_mfa.aws.sts import limits

    return limits(settings.sts_timeout)


# The URL: printed, or opened in a browser without it in any command line.


def deliver(
    url: str, profile: str, template: list[str] | None, printed: bool, environ: Mapping[str, str]
) -> None:
    if printed:
        sys.stdout.write(url + "\n")
        sys.stdout.flush()
        log.info(
            "Printed the sign-in URL: whoever opens it in the next %s is signed in as this "
            "profile; keep it out of logs, history and chat",
            expiry.format_duration(signin.TOKEN_LIFETIME),
        )
        return
    how = open_browser(url, profile, template, environ)
    log.info(
        "Opened the AWS console for profile %s with %s (the sign-in link works for %s)",
        profile,
        how,
        expiry.format_duration(signin.TOKEN_LIFETIME),
    )


def open_browser(
    url: str, profile: str, template: list[str] | None, environ: Mapping[str, str]
) -> str:
    """Open the console: the template, else ``$BROWSER``, else the system's browser; what was
    used. The browser gets a private page's address (:func:`write_page`), and the URL itself
    only where a template asks for ``{url}``."""
    if template is not None:
        needs_page = any("{page}" in word for word in template)
        page = page_url(write_page(url)) if needs_page else ""
        values = {
            "{page}": page,
            "{url}": url,
            "{url_quoted}": quote_all(url),
            "{profile}": profile,
        }
        launch([fill(word, values) for word in template], "the --browser command")
        return f"the browser command {template[0]!r}"
    page = page_url(write_page(url))
    chosen = environ.get("BROWSER", "")
    if chosen.strip():
        return launch_first(chosen, page)
    import webbrowser

    if not webbrowser.open(page, new=2):
        raise UsageError(
            "found no browser to open the AWS console; set BROWSER or --browser, or use --print"
        )
    return "the system's browser"


def quote_all(url: str) -> str:
    from urllib.parse import quote

    return quote(url, safe="")


def fill(word: str, values: Mapping[str, str]) -> str:
    """One word of a template with its placeholders filled in, in one pass."""
    return re.sub(r"\{(?:page|url|url_quoted|profile)\}", lambda m: values[m.group(0)], word)


def launch_first(browsers: str, page: str) -> str:
    """The first command of ``$BROWSER`` (``:``-separated) that starts, given the page: in
    place of ``%s``, else after the command."""
    import shlex

    for command in (part for part in browsers.split(os.pathsep) if part.strip()):
        try:
            words = shlex.split(command)
        except ValueError:
            continue
        if not words:
            continue
        argv = [word.replace("%s", page) for word in words]
        if not any("%s" in word for word in words):
            argv.append(page)
        try:
            launch(argv, "BROWSER", quiet=True)
        except UsageError:
            continue
        return f"$BROWSER ({words[0]!r})"
    raise UsageError("no command in BROWSER could be started; fix BROWSER, or use --print")


def launch(argv: list[str], what: str, quiet: bool = False) -> None:
    """Start ``argv`` on its own, detached from aws-mfa's terminal and streams; never
    waited for. The error names the program only: the rest may hold the URL."""
    import subprocess

    try:
        subprocess.Popen(
            argv,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
    except OSError as err:
        if not quiet:
            log.debug("Cannot start %r: %s", argv[0], err.strerror)
        raise UsageError(
            f"cannot run {argv[0]!r} of {what} ({err.strerror}); fix it, or use --print"
        ) from err


PAGE_PREFIX = "aws-mfa-console-"
PAGE_NAME = "console.html"


def write_page(url: str) -> str:
    """A private page (0600, in a new 0700 folder of the temporary folder) that sends the
    browser to ``url``; its path. The browser's command line then holds this path, not the
    URL. Pages older than the sign-in token are removed first: they are worthless."""
    import html
    import json
    import tempfile

    from aws_mfa.files.safe_write import write_file

    remove_old_pages(tempfile.gettempdir(), utc_now().timestamp())
    folder = tempfile.mkdtemp(prefix=PAGE_PREFIX)
    script = json.dumps(url).replace("</", "<\\/")
    text = (
        '<!DOCTYPE html>\n<html><head><meta charset="utf-8">'
        '<meta name="referrer" content="no-referrer"><title>AWS console</title>'
        f'<meta http-equiv="refresh" content="0;url={html.escape(url, quote=True)}">'
        f"<script>window.location.replace({script});</script></head>"
        "<body>Opening the AWS console...</body></html>\n"
    )
    path = os.path.join(folder, PAGE_NAME)
    write_file(path, text.encode("utf-8"), follow_links=False)
    return path


def page_url(path: str) -> str:
    from pathlib import Path

    return Path(path).as_uri()


def remove_old_pages(folder: str, now: float) -> None:
    """Remove this user's console pages older than the sign-in token's lifetime."""
    import shutil

    try:
        names = [name for name in os.listdir(folder) if name.startswith(PAGE_PREFIX)]
    except OSError:
        return
    me = system.user_id()
    for name in names:
        path = os.path.join(folder, name)
        try:
            info = os.lstat(path)
        except OSError:
            continue
        mine = me is None or info.st_uid == me
        if mine and now - info.st_mtime > signin.TOKEN_LIFETIME and os.path.isdir(path):
            shutil.rmtree(path, ignore_errors=True)
