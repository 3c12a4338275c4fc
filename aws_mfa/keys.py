"""Key pairs and sessions, as records, and how a key may be shown.

Kept apart from :mod:`aws_mfa.aws.sts` (which calls STS) because a run that finds
valid credentials needs these records and must not load the code that talks
to STS. Neither record's repr shows a secret.
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
