"""How old a long-term access key is: the time aws-mfa wrote down when it created the key.

``aws-mfa rotate`` records when IAM created the new key in the long-term
section, in a key that botocore, the AWS CLI and aws-mfa 0.0.12 ignore (they
read only the keys they know)::

    [dev-long-term]
    aws_access_key_id = AKIA...
    aws_secret_access_key = ...
    aws_mfa_key_created = 2026-11-22T15:04:05Z

``status`` and ``doctor`` show the age; ``doctor`` warns past the
``key_max_age`` setting (90 days unless set: Security Hub's control IAM.3
flags keys older than that). A key aws-mfa did not create has no such line:
its age is unknown, and ``doctor`` may ask IAM with the cached MFA session
(see :mod:`aws_mfa.commands.doctor`).

What it does not do: call IAM, write the file, or read the clock itself.
"""

from __future__ import annotations

from collections.abc import Mapping

from aws_mfa.clock import datetime, timezone

KEY_CREATED = "aws_mfa_key_created"
"""The long-term section's key holding when IAM created its access key (UTC, ISO 8601)."""
STAMP_LENGTH = len("2026-11-22T15:04:05Z")


def format_created(moment: datetime) -> str:
    """``moment`` as the section keeps it: ``2026-11-22T15:04:05Z``."""
    return moment.astimezone(timezone.utc).isoformat(timespec="seconds").replace("+00:00", "Z")


def created(values: Mapping[str, str]) -> datetime | None:
    """When the section's key was created, as it says; None when it does not say, or not
    as aws-mfa writes it."""
    text = values.get(KEY_CREATED, "").strip()
    if len(text) != STAMP_LENGTH or not text.endswith("Z"):
        return None
    try:
        moment = datetime.fromisoformat(text[:-1])
    except ValueError:
        return None
    return moment.replace(tzinfo=timezone.utc)


def age_days(moment: datetime, now: datetime) -> int:
    """Whole days from ``moment`` to ``now`` (never negative)."""
    return max(0, int((now - moment).total_seconds() // 86400))


def describe(days: int) -> str:
    """``today``, ``1 day``, ``12 days``."""
    if days == 0:
        return "today"
    return f"{days} day{'' if days == 1 else 's'}"
