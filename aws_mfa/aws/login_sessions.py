"""The profiles ``aws login`` signed in, and when their cached credentials expire: read-only.

The AWS CLI v2.32 and later sign in with a console password in a browser
(``aws login``). The profile gets one key in the config file::

    [profile console]
    login_session = arn:aws:iam::123456789012:user/alice

and the credentials go to a JSON file in ``~/.aws/login/cache/`` (or
``$AWS_LOGIN_CACHE_DIRECTORY``), named, as botocore names it, by the SHA-256
of that value::

    ~/.aws/login/cache/<sha256 hex digest of the login_session value>.json
    {"accessToken": {"accessKeyId": "ASIA...", "secretAccessKey": "...",
                     "sessionToken": "...", "accountId": "123456789012",
                     "expiresAt": "2026-11-22T21:04:05Z"},
     "tokenType": "...", "clientId": "arn:aws:signin:::devtools/same-device",
     "refreshToken": "...", "idToken": "...",
     "dpopKey": "-----BEGIN EC PRIVATE KEY-----\\n...\\n-----END EC PRIVATE KEY-----\\n"}

``expiresAt`` is when the cached credentials end, 15 minutes after they were
got. The AWS CLI and SDKs then get new ones with the refresh token, signed
with the DPoP key, for up to 12 hours after ``aws login``; when that ends is
written nowhere, so aws-mfa cannot tell.

Of the file, this module uses ``accessToken.expiresAt`` alone. The file is
parsed as JSON, and every other value is dropped at once: the credentials,
the refresh token and the DPoP key (which buy new credentials all day) are
never kept, returned, shown or copied. The file is read as botocore reads
it, links followed, but only when it is a regular file of at most
:data:`MAX_SIZE` bytes. A file that is missing, of another kind, too large,
not JSON, nested too deep, or without a readable ``expiresAt`` gives an
unknown expiry and the reason, never an error.

What it does not do: write or remove anything, call AWS, judge what a
credentials section hides (see :mod:`aws_mfa.aws.precedence`).
"""

from __future__ import annotations

import os
from collections.abc import Mapping

from aws_mfa import system
from aws_mfa.aws.config_file import LOGIN_SESSION_KEY, ConfigProfile, profile_of_header
from aws_mfa.clock import datetime, timezone
from aws_mfa.errors import FileError
from aws_mfa.files import read
from aws_mfa.records import Record

CACHE_FOLDER = os.path.join("~", ".aws", "login", "cache")
CACHE_FOLDER_VARIABLE = "AWS_LOGIN_CACHE_DIRECTORY"
MAX_SIZE = 64 * 1024
"""Largest cache file read: ``aws login`` writes about 4 KB."""
FIRST_YEAR, LAST_YEAR = 1970, 9000
"""An ``expiresAt`` outside these years is no session's (and year 9999 cannot be shown in
every time zone)."""


class LoginSession(Record):
    """A profile ``aws login`` signed in, and when its cached credentials expire.

    ``reason`` says why ``expiration`` is None (no cache file, not JSON...); it is
    empty when the expiry is known. Nothing in it is secret.
    """

    profile: str
    header: str
    session: str
    cache_file: str
    expiration: datetime | None
    reason: str = ""
    cached: bool = True
    """False when there is no cache file (never signed in, or signed out)."""


def login_profiles(profiles: Mapping[str, ConfigProfile]) -> list[ConfigProfile]:
    """The profiles with a ``login_session``, as botocore finds them (a bare ``[NAME]``
    header is no profile for it, so not here either)."""
    return [
        profile
        for name, profile in profiles.items()
        if LOGIN_SESSION_KEY in profile.values and profile_of_header(profile.header) == name
    ]


def cache_folder(environ: Mapping[str, str]) -> str:
    """``$AWS_LOGIN_CACHE_DIRECTORY`` (variables and ``~`` expanded), else
    ``~/.aws/login/cache``: botocore's ``get_login_token_cache_directory``."""
    if CACHE_FOLDER_VARIABLE in environ:
        return system.user_path(os.path.expandvars(environ[CACHE_FOLDER_VARIABLE]))
    return system.user_path(CACHE_FOLDER)


def cache_file(session: str, folder: str) -> str:
    """The cache file of ``session`` (a ``login_session`` value): the SHA-256 of its UTF-8
    bytes in hex, ``.json``; botocore's ``generate_login_cache_key``."""
    import hashlib

    digest = hashlib.sha256(session.encode("utf-8", "surrogatepass")).hexdigest()
    return os.path.join(folder, f"{digest}.json")


def login_sessions(
    profiles: Mapping[str, ConfigProfile], environ: Mapping[str, str]
) -> list[LoginSession]:
    """Every profile with a ``login_session``, in the config file's order, with the expiry of
    its cached credentials. No cache file is opened when no profile has one."""
    chosen = login_profiles(profiles)
    folder = cache_folder(environ) if chosen else ""
    return [login_session(profile, folder) for profile in chosen]


def login_session(profile: ConfigProfile, folder: str) -> LoginSession:
    """The login of ``profile``, with the ``accessToken.expiresAt`` of its cache file in
    ``folder``, or the reason it is unknown."""
    session = profile.values[LOGIN_SESSION_KEY]
    path = cache_file(session, folder)
    found = LoginSession(profile.name, profile.header, session, path, None)
    try:
        snapshot = read.read_snapshot(path, limit=MAX_SIZE)
    except FileError as err:
        return found._replace(reason=err.message)
    if snapshot is None:
        reason = (
            f"there is no cached login in {folder} (never signed in, or signed out); "
            f"'{sign_in(profile.name)}' signs in"
        )
        return found._replace(reason=reason, cached=False)
    expiration, reason = expiration_in(snapshot.text)
    return found._replace(expiration=expiration, reason=reason)


def signed_in_as(session: str) -> str:
    """Who signed in, for people to read: ``123456789012:user/alice`` for
    ``arn:aws:iam::123456789012:user/alice``; another value as it is, escaped when it holds
    control characters."""
    parts = session.split(":", 5)
    shown = f"{parts[4]}:{parts[5]}" if len(parts) == 6 and parts[0] == "arn" else session
    return shown if shown.isprintable() else repr(shown)


def sign_in(profile: str) -> str:
    """The command that signs ``profile`` in with ``aws login``."""
    if profile == "default":
        return "aws login"
    import shlex

    return f"aws login --profile {shlex.quote(profile)}"


def expiration_in(text: str) -> tuple[datetime | None, str]:
    """The ``accessToken.expiresAt`` in a cache file's ``text``, or None and why not.

    Nothing else is taken from it: the parsed document, secrets and all, is
    dropped when this returns.
    """
    import json

    try:
        document = json.loads(text)
    except (ValueError, RecursionError):  # RecursionError: JSON nested too deep
        return None, "the cache file is not JSON"
    token = document.get("accessToken") if isinstance(document, dict) else None
    stamp = token.get("expiresAt") if isinstance(token, dict) else None
    if not isinstance(stamp, str):
        return None, "the cache file has no accessToken.expiresAt"
    return parse_time(stamp)


def parse_time(stamp: str) -> tuple[datetime | None, str]:
    """``2026-11-22T21:04:05Z`` (or another ISO 8601 form; no zone is UTC) in UTC, or None
    and why not. The text itself is never quoted."""
    try:
        moment = datetime.fromisoformat(stamp.strip().replace("Z", "+00:00"))
    except ValueError:
        return None, "the cache file's accessToken.expiresAt is not a time"
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    if not FIRST_YEAR <= moment.year <= LAST_YEAR:
        return None, "the cache file's accessToken.expiresAt is not a time credentials end at"
    return moment.astimezone(timezone.utc), ""
