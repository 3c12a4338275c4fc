"""Key pairs and sessions, as records, and how a key may be shown.

Kept apart from :mod:`aws_mfa.aws.sts` (which calls STS) because a run that finds
valid credentials needs these records and must not load the code that talks
to STS. Neither record's repr shows a secret. :class:`Redactor` takes secrets out
of a command's output (``exec --redact``).
"""

from __future__ import annotations

from aws_mfa.records import Record

TYPE_CHECKING = False  # see aws_mfa.records: typing is not imported at run time
if TYPE_CHECKING:
    from datetime import datetime


def mask(key_id: str) -> str:
    """An access key id as it may be shown: its last four characters."""
    return f"...{key_id[-4:]}" if key_id else "(none)"


class LongTermKeys(Record):
    """An IAM user's access key pair. Its repr never shows the secret."""

    access_key_id: str
    secret_access_key: str

    def __repr__(self) -> str:
        return f"LongTermKeys({mask(self.access_key_id)})"


SECRET_FIELDS = ("AccessKeyId", "SecretAccessKey", "SessionToken")
"""The fields of STS's ``Credentials`` that make :class:`TemporaryCredentials` (checked in
every answer, kept in the cache of MFA sessions); never logged."""


class TemporaryCredentials(Record):
    """What STS returns. Its repr shows only the key id's end and the expiry."""

    access_key_id: str
    secret_access_key: str
    session_token: str
    expiration: datetime

    def __repr__(self) -> str:
        return f"TemporaryCredentials({mask(self.access_key_id)}, expires {self.expiration})"


REDACTED = b"<redacted>"


class Redactor:
    """A stream of bytes with each of ``secrets`` replaced by ``<redacted>``, also when a
    secret comes split across writes (``exec --redact``).

    :meth:`feed` gives back what can be shown of the bytes so far; the end of
    them that could begin a secret is held back, at most the longest secret's
    length less one, until the next bytes tell (or :meth:`end`, when the
    stream ends). A program that prints a secret one byte at a time shows
    ``<redacted>`` once it has printed it whole; what it printed just before a
    pause waits while it could still be a secret's beginning.
    """

    def __init__(self, secrets: list[str]) -> None:
        """``secrets`` may grow while the stream runs (the endpoint of ``exec --server``
        adds each new credential before it serves it)."""
        self.given, self.known = secrets, -1
        self.secrets: list[bytes] = []
        self.held = b""

    def feed(self, data: bytes) -> bytes:
        if len(self.given) != self.known:
            given = list(self.given)  # a copy: another thread may add to it
            found = {secret.encode("utf-8") for secret in given if secret}
            self.secrets = sorted(found, key=len, reverse=True)  # the longest first
            self.known = len(given)
        text = self.held + data
        for secret in self.secrets:
            text = text.replace(secret, REDACTED)
        keep = self.beginning(text)
        self.held = text[len(text) - keep :]
        return text[: len(text) - keep]

    def end(self) -> bytes:
        """What was held back, at the stream's end (no secret: it was never whole)."""
        rest, self.held = self.held, b""
        return rest

    def beginning(self, text: bytes) -> int:
        """The length of the longest end of ``text`` that begins a secret."""
        longest = len(self.secrets[0]) - 1 if self.secrets else 0
        for size in range(min(longest, len(text)), 0, -1):
            tail = text[-size:]
            if any(secret.startswith(tail) for secret in self.secrets):
                return size
        return 0
