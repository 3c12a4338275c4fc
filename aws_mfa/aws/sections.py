"""What a section of the credentials file is: every rule about it, in one place.

The AWS CLI and SDKs take any section with ``aws_access_key_id`` and
``aws_secret_access_key`` as credentials. aws-mfa tells these apart, from the
section's values alone::

    [dev-long-term]                          long-term keys to log in with
    aws_access_key_id = AKIA...
    aws_secret_access_key = ...              (or: aws_mfa_secret = keychain)

    [dev]                                    an aws-mfa session (0.0.12's too)
    assumed_role = False
    aws_access_key_id = ASIA...
    aws_secret_access_key = ...
    aws_session_token = ...
    aws_security_token = ...
    expiration = 2026-11-22 21:04:05
    assumed_role_arn = arn:...               only in a role session
    aws_mfa_written_key_id = ASIA...         the key id aws-mfa wrote (not in 0.0.12's)

The kinds, their rules, and who asks:

- **an aws-mfa session** (0.0.12's too): every key of :data:`SESSION_KEYS` set;
  the renewal decision, ``logout --all``;
- **a role session**: an aws-mfa session with ``assumed_role_arn``; the
  renewal decision;
- **keys another tool replaced**: an aws-mfa session whose
  ``aws_mfa_written_key_id`` names another key id than the section's: its
  ``expiration`` is not theirs; the renewal decision, ``status``;
- **any tool's session**: ``aws_session_token`` and ``expiration`` set;
  ``status``, ``doctor``, completion;
- **long-term keys to log in with**: a key id, a secret (or
  ``aws_mfa_secret = keychain``) and no ``aws_session_token``; ``--pick``,
  ``status``, ``doctor``, completion;
- **long-term keys never to overwrite**: an ``AKIA`` key id, or a secret
  (or an ``aws_mfa_secret``) with no session token; a renewal before it
  writes, ``logout``;
- **keys to move**: long-term keys to log in with in the short-term section,
  and no long-term section; a login on a terminal offers to move them,
  ``--setup`` moves them, ``doctor`` reports them.

The last two differ on purpose, and ``tests/test_sections.py`` shows where:
a section is *offered* as long-term keys only when it has all it needs to log
in, but it is *protected* as soon as anything in it looks like a long-term
key: a half-written ``[dev]`` holding only an ``AKIA`` key id is still the
user's, and a session is never written over it. Empty placeholder values are
not keys.

A long-term section keeps its secret in the file (``aws_secret_access_key``)
or says where else it is: the OS keychain (``aws_mfa_secret = keychain``, see
:mod:`aws_mfa.os_keychain`), or a password manager that a command reads it
from (``aws_mfa_secret = command``, see :mod:`aws_mfa.secret_command`)::

    [dev-long-term]
    aws_access_key_id = AKIA...
    aws_mfa_secret = command
    aws_mfa_secret_command = pass show aws/dev
    aws_mfa_secret_store_command = pass insert -m -f aws/dev     (for rotate)

What it does not do: read files, judge expiry times (see :mod:`aws_mfa.expiry`)
or talk to the keychain.
"""

from __future__ import annotations

from collections.abc import Mapping

from aws_mfa.errors import FileError

SESSION_KEYS = (
    "assumed_role",
    "aws_access_key_id",
    "aws_secret_access_key",
    "aws_session_token",
    "aws_security_token",
    "expiration",
)
"""The keys aws-mfa (and 0.0.12) writes to a short-term section; one missing means renew."""
ROLE_KEY = "assumed_role_arn"
"""The role whose session the short-term section holds (absent for a plain session)."""
WRITER_KEY = "aws_mfa_written_key_id"
"""aws-mfa's own mark in a short-term section: the access key id of the session it wrote.

The other keys stay as 0.0.12 wrote them, so aws-mfa cannot tell its own
session from keys another tool put in their place: ``aws configure
mfa-login`` replaces the three keys of a section and leaves ``expiration``.
The mark names what aws-mfa wrote; while it names the section's access key
id, the expiration is that session's. A key id is no secret (it is on the
line above), and the SDKs ignore keys they do not know, as they ignore
``aws_mfa_key_created``. A section with no mark (written by aws-mfa before
it wrote one, or by 0.0.12) is taken as aws-mfa's, as it always was.
"""
WRITTEN_KEYS = (*SESSION_KEYS, ROLE_KEY, WRITER_KEY)
"""Every key aws-mfa writes to a short-term section, and so every key ``logout`` removes."""

SECRET_KEY = "aws_secret_access_key"
LOCATION_KEY = "aws_mfa_secret"
"""The key a long-term section holds in place of its secret, saying where it is."""
IN_KEYCHAIN = "keychain"
IN_COMMAND = "command"
IN_FILE = "file"
PLACES = (IN_KEYCHAIN, IN_COMMAND)
"""The values :data:`LOCATION_KEY` may have."""
COMMAND_KEY = "aws_mfa_secret_command"
"""With ``aws_mfa_secret = command``: the command line that prints the secret."""
STORE_COMMAND_KEY = "aws_mfa_secret_store_command"
"""With ``aws_mfa_secret = command``: the command line that keeps a new secret, given on its
standard input (``rotate``, ``keychain import --to command``)."""


def missing_session_keys(values: Mapping[str, str] | None) -> list[str]:
    """The keys of an aws-mfa session that ``values`` lacks (all of them for no section)."""
    return [key for key in SESSION_KEYS if not (values or {}).get(key)]


def is_aws_mfa_session(values: Mapping[str, str] | None) -> bool:
    """A complete session as aws-mfa or 0.0.12 writes it, and no long-term key in it."""
    return not missing_session_keys(values) and long_term_key_problem(values) is None


def is_session(values: Mapping[str, str] | None) -> bool:
    """Temporary credentials, whoever wrote them: a session token and an expiration."""
    return bool(values and values.get("aws_session_token") and values.get("expiration"))


def replaced_keys(values: Mapping[str, str], name: str) -> str | None:
    """Why the keys of section ``name`` are not the ones aws-mfa wrote there, or None: its
    mark (:data:`WRITER_KEY`) names another access key id. No mark is no news."""
    written = values.get(WRITER_KEY)
    if not written or written == values.get("aws_access_key_id"):
        return None
    return (
        f"the keys in [{name}] are not the ones aws-mfa wrote (another tool replaced them), "
        "so when they expire is unknown"
    )


def stored_role(values: Mapping[str, str]) -> str | None:
    """The role of the session ``values`` hold; None for a plain session."""
    return values.get(ROLE_KEY) or None


def in_keychain(values: Mapping[str, str]) -> bool:
    """Whether a section with these values says its secret is in the OS keychain."""
    return values.get(LOCATION_KEY, "").lower() == IN_KEYCHAIN


def secret_location(values: Mapping[str, str]) -> str | None:
    """Where a long-term section keeps its secret: ``"keychain"``, ``"command"``, ``"file"``,
    or None."""
    where = values.get(LOCATION_KEY, "").lower()
    if where in PLACES:
        return where
    return IN_FILE if values.get(SECRET_KEY) else None


def has_long_term_keys(values: Mapping[str, str] | None) -> bool:
    """Long-term keys to log in with: a key id, a secret (in the file, the keychain or a
    password manager), and
    no session token."""
    return bool(
        values
        and values.get("aws_access_key_id")
        and secret_location(values)
        and not values.get("aws_session_token")
    )


def keys_to_move(long_term: Mapping[str, str] | None, short_term: Mapping[str, str] | None) -> bool:
    """Whether the short-term section holds long-term keys to log in with and there is no
    long-term section to keep them in: the layout ``aws configure`` leaves in ``[default]``,
    which ``--setup`` moves."""
    return long_term is None and has_long_term_keys(short_term)


def long_term_key_problem(values: Mapping[str, str] | None) -> str | None:
    """Why ``values`` look like long-term keys that no session may overwrite, or None.

    An ``AKIA`` key id is always long-term, and so is a secret (or a secret kept
    in the keychain) with no session token. Empty placeholder values are not keys.
    """
    if not values:
        return None
    key_id = values.get("aws_access_key_id", "")
    if key_id.startswith("AKIA"):
        return f"a long-term access key id (...{key_id[-4:]})"
    if values.get("aws_session_token"):
        return None
    if values.get(SECRET_KEY):
        return "a secret access key with no session token"
    if values.get(LOCATION_KEY):
        where = "a password manager" if secret_location(values) == IN_COMMAND else "the OS keychain"
        return f"a long-term key whose secret is kept in {where}"
    return None


def kept_where(values: Mapping[str, str], section: str, path: str) -> str:
    """Where the section's secret is: :data:`IN_FILE`, :data:`IN_KEYCHAIN` or :data:`IN_COMMAND`.

    A section that says two places, names a place aws-mfa does not know, or
    says ``command`` without the command, is an error: aws-mfa cannot tell
    which secret is meant.
    """
    where = values.get(LOCATION_KEY)
    if where is None:
        return IN_FILE
    where = where.lower()
    if where not in PLACES:
        raise FileError(
            f"{path}: [{section}] has an {LOCATION_KEY} that is neither 'keychain' nor "
            "'command', the places aws-mfa knows; fix it, or remove the line to keep the "
            "secret in the file"
        )
    if values.get(SECRET_KEY):
        move = "aws-mfa keychain import" + ("" if where == IN_KEYCHAIN else " --to command")
        raise FileError(
            f"{path}: [{section}] holds an {SECRET_KEY} and says {LOCATION_KEY} = {where}; "
            f"run '{move}' to keep this secret there, or remove the {LOCATION_KEY} line to "
            "keep it in the file"
        )
    if where == IN_COMMAND and not values.get(COMMAND_KEY, "").strip():
        raise FileError(
            f"{path}: [{section}] says {LOCATION_KEY} = command but has no {COMMAND_KEY}; add "
            f"the command that prints the secret, like '{COMMAND_KEY} = pass show aws/dev'"
        )
    return where
