"""The checks of the settings table: text in, a checked value out, or a UsageError.

Each check takes the text, where it came from (a flag, a variable, a key in
a file: messages name it, so the user knows what to fix) and the values
resolved before it, and returns the value. :mod:`aws_mfa.settings.table` names
one for each setting; nothing here reads a file or the environment. The
defaults the checks bound live here too.
"""

from __future__ import annotations

import re

from aws_mfa import log, system
from aws_mfa.errors import UsageError

TYPE_CHECKING = False  # see aws_mfa.records: typing is not imported at run time
if TYPE_CHECKING:
    from aws_mfa.aliases import Resolved

LOG_LEVELS = tuple(log.LEVELS)
DEFAULT_PROFILE = "default"
DEFAULT_LONG_TERM_SUFFIX = "long-term"
DEFAULT_DURATION = 43200
"""12 hours, 0.0.12's default for GetSessionToken."""
DEFAULT_ROLE_DURATION = 3600
"""1 hour: the longest every role allows unless its maximum was raised."""
MIN_DURATION = 900
MAX_DURATION = 129600
"""GetSessionToken's limit for IAM users: 36 hours."""
MAX_ROLE_DURATION = 43200
"""AssumeRole's limit: 12 hours (and the role's own maximum may be lower)."""
LOCK_TIMEOUT = 120.0
"""Seconds a run waits for another aws-mfa that holds the lock (``MFA_LOCK_TIMEOUT``).

Long enough for the other run's user to type an MFA code, short enough that a
forgotten prompt in another terminal does not hang a script for ever.
"""
DEFAULT_MIN_TTL = 300
"""Renew when fewer seconds than this are left (``--min-ttl``, ``MFA_MIN_TTL``).

Five minutes: a script started right after aws-mfa says "valid" should not
find its credentials dying under it a minute later.
"""
DEFAULT_KEY_MAX_AGE = 90
"""Days after which ``doctor`` reports a long-term key as due for rotation (``--key-max-age``):
AWS Security Hub's control IAM.3 flags access keys older than that."""
STS_TIMEOUT = 30.0
"""Seconds a call to STS may take in all, retries included: fail fast, and say why."""
PROMPTS = ("auto", "terminal", "zenity", "kdialog", "osascript", "powershell", "ykman")
"""Where a code is asked for when nobody gave one (``--prompt``, ``MFA_PROMPT``; see
:mod:`aws_mfa.codes.prompts`)."""
PROMPT_TIMEOUT = 120
SECRET_TIMEOUT = 60
"""Seconds a password manager's command may take to give the long-term secret: enough to
unlock the vault with a fingerprint or a typed password."""
"""Seconds a dialog or a YubiKey waits for the user (``--prompt-timeout``)."""
MAX_PROMPT_TIMEOUT = 3600

# Patterns are compiled on first use (re caches them): most runs check one or two.
PARTITION = r"arn:aws(?:-[a-z]+)*"
ROLE_ARN = rf"{PARTITION}:iam::\d{{12}}:role/[\w+=,.@/-]{{1,512}}"
DEVICE_ARN = rf"{PARTITION}:iam::\d{{12}}:(?:mfa|u2f)/[\w+=,.@/-]{{1,512}}"
USER_ARN = rf"{PARTITION}:iam::\d{{12}}:user/[\w+=,.@/-]{{1,512}}"
DEVICE_SERIAL = r"[\w+=/:,.@-]{9,256}"
"""A hardware token's serial number, which STS takes in place of an ARN."""
SESSION_NAME = r"[\w+=,.@-]{2,64}"
"""A role session name, and a SourceIdentity: what STS takes for either."""
AGENT_NAME = r"[A-Za-z0-9+=,.@_-]{1,32}"
"""An agent's name (``--agent``, ``MFA_AGENT``): it goes into a role session name."""
POLICY_ARN = rf"{PARTITION}:iam::(?:\d{{12}}|aws):policy/[\w+=,.@/-]{{1,512}}"
MAX_POLICY_ARNS = 10
"""STS takes at most ten managed session policies in one call."""
AGENT_APPROVALS = ("session", "always", "never")
"""When a person approves a hand-out to an agent (``aws_mfa_agent_approval``)."""
SOURCE_IDENTITY_FIELDS = ("user", "agent", "profile", "host")
"""What an ``aws_mfa_source_identity`` template may name, in braces."""
EXTERNAL_ID = r"[\w+=,.@:/-]{2,1224}"
REGION = r"[a-z]{2,4}(?:-[a-z]+)+-\d{1,2}"


def section_name(value: str, source: str, what: str = "a section name") -> str:
    """A name usable as a ``[section]``: no brackets, control characters or outer spaces."""
    if (
        not value
        or any(char in value for char in "[]")
        or any(not char.isprintable() for char in value)
        or value != value.strip()
    ):
        raise UsageError(
            f"{source}: {value!r} is not {what}; use one without brackets or control "
            "characters, and without spaces at its ends"
        )
    return value


def valid_profile_name(text: str, source: str, resolved: Resolved) -> str:
    """``text``, checked to be a profile name a section header can hold."""
    return section_name(text, source, "a profile name")


def path(text: str, source: str, resolved: Resolved) -> str:
    return system.user_path(text)


def text(text: str, source: str, resolved: Resolved) -> str:
    return text


def is_code(text: str) -> bool:
    """True for exactly six ASCII digits (``str.isdigit`` would take ``²`` too)."""
    return len(text) == 6 and all("0" <= char <= "9" for char in text)


def as_code(text: str) -> str:
    """``text`` as a code is sent: the spaces around it and between its digits removed, as
    authenticator apps show a code in two groups (``471 875``)."""
    return "".join(text.split())


def check_code(text: str, source: str) -> str:
    """The MFA code ``text`` holds (see :func:`as_code`); else a UsageError naming ``source``.

    A code is a secret for the thirty seconds it lives: the message never quotes it.
    """
    code = as_code(text)
    if not is_code(code):
        raise UsageError(
            f"{source}: the MFA code must be exactly six digits; read it from your MFA device "
            "or app"
        )
    return code


def token(text: str, source: str, resolved: Resolved) -> str:
    """An MFA code, or ``-`` (read stdin) when given as ``--token -``."""
    if text == "-" and source == "--token":
        return text
    return check_code(text, source)


def whole_number(text: str, source: str) -> int:
    """``text`` as a non-negative whole number, else a UsageError naming ``source``."""
    stripped = text.strip()
    if not stripped.isascii() or not stripped.isdigit():
        raise UsageError(f"{source}: {text!r} is not a whole number of seconds")
    return int(stripped)


def seconds(text: str, source: str, resolved: Resolved) -> int:
    return whole_number(text, source)


def days(text: str, source: str, resolved: Resolved) -> int:
    """A whole number of days, 1 to 36500."""
    stripped = text.strip()
    if not stripped.isascii() or not stripped.isdigit() or not 1 <= int(stripped) <= 36500:
        raise UsageError(f"{source}: {text!r} is not a whole number of days from 1 to 36500")
    return int(stripped)


def lock_timeout(text: str, source: str, resolved: Resolved) -> float:
    return float(whole_number(text, source))


def one_of(choices: tuple[str, ...], text: str, source: str) -> str:
    """``text``, in lower case, when it is one of ``choices`` in any case."""
    name = text.strip().lower()
    if name not in choices:
        raise UsageError(f"{source}: {text!r} is not one of {', '.join(choices)}")
    return name


def prompt(text: str, source: str, resolved: Resolved) -> str:
    """One of :data:`PROMPTS`, in any case."""
    return one_of(PROMPTS, text, source)


def prompt_timeout(text: str, source: str, resolved: Resolved) -> int:
    """Seconds, 1 to :data:`MAX_PROMPT_TIMEOUT`."""
    value = whole_number(text, source)
    if not 1 <= value <= MAX_PROMPT_TIMEOUT:
        raise UsageError(f"{source}: {value} must be at least 1 and at most {MAX_PROMPT_TIMEOUT}")
    return value


def sts_timeout(text: str, source: str, resolved: Resolved) -> float:
    """Seconds, more than 0 and at most an hour."""
    try:
        total = float(text.strip())
    except ValueError as err:
        raise UsageError(f"{source}: {text!r} is not a number of seconds; use e.g. 30") from err
    if not 0 < total <= 3600:
        raise UsageError(f"{source}: {text!r} must be more than 0 and at most 3600")
    return total


def duration(text: str, source: str, resolved: Resolved) -> int:
    """The session duration, within STS's limits for the call made."""
    value = whole_number(text, source)
    for_role = bool(resolved.get("role_arn"))
    top = MAX_ROLE_DURATION if for_role else MAX_DURATION
    if not MIN_DURATION <= value <= top:
        call = "assuming a role" if for_role else "a session token"
        raise UsageError(
            f"{source}: {value} seconds is outside what STS allows for {call}: "
            f"{MIN_DURATION} to {top}"
        )
    return value


def session_duration(text: str, source: str, resolved: Resolved) -> int:
    """The MFA session's duration, within GetSessionToken's limits."""
    return duration(text, source, {})


def yes_or_no(text: str, source: str, resolved: Resolved | None = None) -> bool:
    """``true``/``yes``/``on``/``1`` or ``false``/``no``/``off``/``0``, in any case."""
    answer = text.strip().lower()
    if answer in ("true", "yes", "on", "1"):
        return True
    if answer in ("false", "no", "off", "0"):
        return False
    raise UsageError(f"{source}: {text!r} is neither true nor false")


def role(text: str, source: str, resolved: Resolved | None = None) -> str:
    """A role ARN like ``arn:aws:iam::123456789012:role/Name``."""
    return matching(
        ROLE_ARN,
        text,
        f"{source}: {text!r} is not a role ARN; it looks like "
        "arn:aws:iam::123456789012:role/RoleName",
    )


INLINE_COMMENT = re.compile(r"\s[#;]")
"""A comment after a value: the AWS CLI and SDKs (configparser) read it as part of the value."""


def with_comment_hint(problem: str, text: str) -> str:
    """``problem``, and when ``text`` ends with what looks like a comment, why it is read so."""
    if INLINE_COMMENT.search(text):
        return (
            f"{problem}; a '#' or ';' after a value is part of it for the AWS CLI and SDKs: "
            "put the comment on a line of its own"
        )
    return problem


def device(text: str, source: str, resolved: Resolved | None = None) -> str:
    """An MFA device ARN or a hardware token's serial number."""
    try:
        return device_or_serial(text, source)
    except UsageError as err:
        raise UsageError(with_comment_hint(err.message, text)) from None


def device_or_serial(text: str, source: str) -> str:
    if text.startswith("arn:"):
        if re.fullmatch(DEVICE_ARN, text):
            return text
        if re.fullmatch(USER_ARN, text):
            raise UsageError(
                f"{source}: {text!r} is a user ARN, not an MFA device; the device is "
                f"{text.replace(':user/', ':mfa/', 1)} for a virtual device named after "
                "the user (see IAM > Users > Security credentials)"
            )
        raise UsageError(
            f"{source}: {text!r} is not an MFA device ARN; it looks like "
            "arn:aws:iam::123456789012:mfa/DeviceName"
        )
    return matching(
        DEVICE_SERIAL,
        text,
        f"{source}: {text!r} is neither an MFA device ARN "
        "(arn:aws:iam::123456789012:mfa/DeviceName) nor a hardware token serial number",
    )


def matching(pattern: str, text: str, problem: str) -> str:
    """``text`` when it matches ``pattern`` whole, else a UsageError saying ``problem``."""
    if re.fullmatch(pattern, text):
        return text
    raise UsageError(with_comment_hint(problem, text))


def session_name(text: str, source: str, resolved: Resolved) -> str:
    return matching(
        SESSION_NAME,
        text,
        f"{source}: {text!r} is not a role session name; use 2 to 64 "
        "letters, digits or the characters + = , . @ - _",
    )


def external_id(text: str, source: str, resolved: Resolved) -> str:
    return matching(
        EXTERNAL_ID,
        text,
        f"{source}: the external id must be 2 to 1224 letters, digits "
        "or the characters + = , . @ : / - _",
    )


def agent_name(text: str, source: str, resolved: Resolved | None = None) -> str:
    return matching(
        AGENT_NAME,
        text,
        f"{source}: {text!r} is not an agent name; use 1 to 32 letters, digits or the "
        "characters + = , . @ _ -",
    )


def policy_arn(text: str, source: str) -> str:
    """A managed policy's ARN, as STS takes it in ``PolicyArns``."""
    return matching(
        POLICY_ARN,
        text,
        f"{source}: {text!r} is not a managed policy ARN; it looks like "
        "arn:aws:iam::aws:policy/ReadOnlyAccess or arn:aws:iam::123456789012:policy/Name",
    )


def policy_arns(text: str, source: str, resolved: Resolved | None = None) -> tuple[str, ...]:
    """1 to :data:`MAX_POLICY_ARNS` managed policy ARNs, comma-separated."""
    arns = tuple(word for word in re.split(r"[\s,]+", text.strip()) if word)
    if not arns or len(arns) > MAX_POLICY_ARNS:
        raise UsageError(
            f"{source}: give 1 to {MAX_POLICY_ARNS} managed policy ARNs, comma-separated "
            "(STS takes no more in one call)"
        )
    return tuple(policy_arn(arn, source) for arn in arns)


def agent_approval(text: str, source: str, resolved: Resolved) -> str:
    """One of :data:`AGENT_APPROVALS`, in any case."""
    return one_of(AGENT_APPROVALS, text, source)


def source_identity(text: str, source: str, resolved: Resolved) -> str:
    """A SourceIdentity template: text and ``{user}``, ``{agent}``, ``{profile}``, ``{host}``."""
    for name in re.findall(r"{([^{}]*)}", text):
        if name not in SOURCE_IDENTITY_FIELDS:
            fields = ", ".join(f"{{{field}}}" for field in SOURCE_IDENTITY_FIELDS)
            raise UsageError(f"{source}: {{{name}}} is none of {fields}")
    if not text.strip():
        raise UsageError(f"{source}: the template is empty")
    return text.strip()


def region(text: str, source: str, resolved: Resolved) -> str:
    return matching(REGION, text, f"{source}: {text!r} is not an AWS region name, like eu-west-1")


def default_session_name() -> str:
    """The local user name, as 0.0.12 used, made into a valid role session name."""
    import getpass

    try:
        user = getpass.getuser()
    except (OSError, KeyError, ImportError):  # no pwd on Windows, where USERNAME is unset
        user = ""
    name = re.sub(r"[^\w+=,.@-]", "-", user)[:64]
    return name if len(name) >= 2 else "aws-mfa"
