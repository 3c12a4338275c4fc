"""``aws-mfa audit``: the log of credentials handed out (:mod:`aws_mfa.sessions.handouts`),
oldest first, as a table or as the JSON lines it holds::

    $ aws-mfa audit --since 1d
    TIME                     COMMAND  PROFILE  TO      ACCESS KEY  ROLE        AGENT  REQUESTER
    2026-11-22 21:12:44 CET  login    dev      [dev]   ASIA...01   -           -      bash (4200)
    2026-11-22 21:13:02 CET  export   prod     stdout  ASIA...02   role/admin  -      node (4311)

(the access key ids are shortened here). ``--since DURATION`` keeps the last DURATION
(``30m``, ``12h``, ``1d``, ``2w``); ``-p`` keeps one profile's (the profile the command
ran for, or the section a renewal wrote).
The access key id is shown whole: it is what CloudTrail records for every call made with
the credentials, and not a secret.

What it does not do: write, or show anything the log does not hold (no secret is there).
"""

from __future__ import annotations

import json
import os
import re
import sys

from aws_mfa import expiry, log, system
from aws_mfa.cli.context import Context
from aws_mfa.clock import datetime, timezone, utc_now
from aws_mfa.errors import EXIT_OK, FileError, UsageError
from aws_mfa.files import read
from aws_mfa.sessions.handouts import MAX_SIZE, default_path, paths

UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}
DURATION = re.compile(r"(\d{1,6})([smhdw])", re.ASCII)
HEADER = ("TIME", "COMMAND", "PROFILE", "TO", "ACCESS KEY", "ROLE", "AGENT", "REQUESTER")


def run(context: Context) -> int:
    since = since_seconds(context.flags.value("since"))
    profile = context.flags.value("profile")
    now = utc_now()
    records = [
        record
        for record in entries(default_path())
        if (profile is None or record.get("profile") == profile)
        and (since is None or seconds_ago(record, now) <= since)
    ]
    if context.flags.switch("json"):
        sys.stdout.write("".join(json.dumps(record) + "\n" for record in records))
    elif records:
        sys.stdout.write(table(records))
    else:
        log.info("No credentials were handed out%s", " in that time" if since else "")
    return EXIT_OK


def since_seconds(text: str | None) -> int | None:
    """``--since``'s seconds; a UsageError for anything but a number and a unit."""
    if text is None:
        return None
    found = DURATION.fullmatch(text.strip().lower())
    if not found:
        raise UsageError(
            f"--since: {text!r} is not a duration; give a number and s, m, h, d or w "
            "(for example 12h or 1d)"
        )
    return int(found.group(1)) * UNITS[found.group(2)]


def seconds_ago(record: dict[str, object], now: datetime) -> float:
    moment = moment_of(record)
    return (now - moment).total_seconds() if moment else float("inf")


def moment_of(record: dict[str, object]) -> datetime | None:
    stamp = record.get("time")
    if not isinstance(stamp, str) or not stamp.endswith("Z"):
        return None
    try:
        return datetime.fromisoformat(stamp[:-1]).replace(tzinfo=timezone.utc)
    except ValueError:
        return None


def entries(path: str) -> list[dict[str, object]]:
    """Every record of the log and its rotated files, oldest first; a line that is not a
    record is skipped with a warning, a file that is not the user's is not read."""
    found: list[dict[str, object]] = []
    for each in paths(path):
        try:
            status = os.lstat(each)
        except FileNotFoundError:
            continue
        except OSError as err:
            raise FileError(f"cannot look at {system.shown(each)}: {err.strerror}") from err
        wrong = read.owner_problem(status, open_ok=True)
        if wrong:
            log.warning("Not reading %s: it is %s", system.shown(each), wrong)
            continue
        snapshot = read.read_snapshot(each, limit=2 * MAX_SIZE)
        lines = snapshot.text.splitlines() if snapshot else []
        for number, line in enumerate(lines, 1):
            try:
                record = json.loads(line)
            except ValueError:
                record = None
            if isinstance(record, dict):
                found.append(record)
            elif line.strip():
                log.warning("%s, line %d: not a record of aws-mfa's", system.shown(each), number)
    return found


def table(records: list[dict[str, object]]) -> str:
    rows = [HEADER, *map(row, records)]
    widths = [max(len(line[i]) for line in rows) for i in range(len(HEADER))]
    lines = [
        "  ".join(cell.ljust(width) for cell, width in zip(line, widths, strict=True)).rstrip()
        for line in rows
    ]
    return "\n".join(lines) + "\n"


def row(record: dict[str, object]) -> tuple[str, ...]:
    moment = moment_of(record)
    role = text(record.get("role_arn"))
    requester = record.get("requester")
    who = "-"
    if isinstance(requester, dict):
        program = text(requester.get("executable"))
        command = requester.get("command")
        if program == "-" and isinstance(command, list) and command:
            program = text(command[0])
        who = f"{os.path.basename(program) if program != '-' else '?'} ({requester.get('pid')})"
    return (
        expiry.describe_local(moment) if moment else "-",
        text(record.get("command")),
        text(record.get("profile")),
        text(record.get("to")),
        text(record.get("access_key_id")),
        role.split(":", 5)[-1] if role.startswith("arn:") else role,
        text(record.get("agent")),
        who,
    )


def text(value: object) -> str:
    return str(value) if value not in (None, "") else "-"
