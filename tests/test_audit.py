"""The audit log of hand-outs (``~/.aws/aws-mfa-audit.jsonl``) and ``aws-mfa audit``."""

from __future__ import annotations

import json
import os
import stat
from datetime import datetime, timezone
from pathlib import Path

import pytest

from aws_mfa.demo import LocalSts
from aws_mfa.keys import TemporaryCredentials
from aws_mfa.sessions import handouts
from aws_mfa.sessions.handouts import Handout, Trail
from tests.conftest import (
    POSIX,
    SESSION_KEY_ID,
    AwsMfa,
    long_term,
    secrets_under,
    session,
    write,
)

VALID = "2099-01-01 00:00:00"


def audit_file(home: Path) -> Path:
    return home / ".aws" / "aws-mfa-audit.jsonl"


def lines(home: Path) -> list[dict[str, object]]:
    return [json.loads(line) for line in audit_file(home).read_text().splitlines()]


def test_a_login_that_writes_a_section_logs_it_and_a_valid_one_logs_nothing(
    credentials: Path, home: Path, aws_mfa_in_process: AwsMfa, sts: LocalSts
) -> None:
    write(credentials, long_term("dev-long-term"))
    assert aws_mfa_in_process("-p", "dev", "-c", "123456").code == 0
    assert aws_mfa_in_process("-p", "dev").code == 0  # still valid: nothing handed out
    (line,) = lines(home)
    assert line["command"] == "login"
    assert line["profile"] == "dev"
    assert line["to"] == "[dev]"
    assert line["access_key_id"] == SESSION_KEY_ID
    assert line["role_arn"] is None
    assert line["agent"] is None
    assert line["session_policy_arns"] == []
    assert line["pid"] == os.getpid()
    assert set(line["requester"]) == {"pid", "executable", "command"}  # type: ignore[arg-type]
    assert str(line["time"]).endswith("Z")
    assert str(line["expiration"]).endswith("Z")
    text = audit_file(home).read_text()
    assert not [secret for secret in secrets_under(home) if secret in text]
    assert "123456" not in text


@pytest.mark.posix(reason="mode bits say who may read a file on POSIX alone")
def test_the_log_is_created_0600(
    credentials: Path, home: Path, aws_mfa_in_process: AwsMfa, sts: LocalSts
) -> None:
    write(credentials, long_term("dev-long-term") + session("dev", VALID))
    old = os.umask(0o022)
    try:
        assert aws_mfa_in_process("export", "-p", "dev", "--format", "env").code == 0
    finally:
        os.umask(old)
    assert stat.S_IMODE(audit_file(home).stat().st_mode) == 0o600


def test_export_on_the_valid_path_logs_its_hand_out(
    credentials: Path, home: Path, aws_mfa_in_process: AwsMfa, sts: LocalSts
) -> None:
    write(credentials, long_term("dev-long-term") + session("dev", VALID))
    for fmt in ("process", "sts-json"):
        assert aws_mfa_in_process("export", "-p", "dev", "--format", fmt).code == 0
    assert [(line["command"], line["to"]) for line in lines(home)] == [("export", "stdout")] * 2
    assert lines(home)[0]["access_key_id"] == "ASIAOLDSESSION000001"
    assert sts.requests == []


def test_aws_mfa_audit_false_turns_it_off(
    credentials: Path, home: Path, aws_mfa_in_process: AwsMfa, sts: LocalSts
) -> None:
    write(credentials, long_term("dev-long-term") + session("dev", VALID))
    write(home / ".aws" / "config", "[profile dev]\naws_mfa_audit = false\n")
    assert aws_mfa_in_process("export", "-p", "dev").code == 0
    assert not audit_file(home).exists()


@pytest.mark.posix("a symbolic link needs a privilege on Windows")
def test_a_hand_out_that_cannot_be_logged_does_not_happen(
    credentials: Path, home: Path, aws_mfa_in_process: AwsMfa, sts: LocalSts
) -> None:
    """A link in the log's place: export prints nothing, and a login that must renew stops
    before the code is spent (no STS call), leaving the credentials file as it was."""
    write(credentials, long_term("dev-long-term") + session("dev", VALID))
    elsewhere = write(home / "elsewhere", "")
    audit_file(home).symlink_to(elsewhere)
    exported = aws_mfa_in_process("export", "-p", "dev")
    assert exported.code == 3
    assert exported.stdout == ""
    assert "is a symbolic link; nothing was handed out" in exported.stderr
    before = credentials.read_bytes()
    login = aws_mfa_in_process("-p", "dev", "--force", "-c", "123456")
    assert login.code == 3
    assert sts.requests == []
    assert credentials.read_bytes() == before
    assert elsewhere.read_text() == ""


def test_the_log_rotates_past_its_size_keeping_five_files(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(handouts, "MAX_SIZE", 4096)  # 1 MiB in the tool
    path = str(tmp_path / "audit.jsonl")
    trail = Trail(True, path, requester={"pid": 1, "executable": None, "command": None})
    creds = TemporaryCredentials("ASIAX", "s", "t", datetime(2099, 1, 1, tzinfo=timezone.utc))
    handout = Handout("export", "dev", "stdout", None, creds)
    size = len(trail.line(handout))
    per_file = handouts.MAX_SIZE // size
    for _ in range(per_file * 6 + 1):
        trail.record(handout)
    files = sorted(name for name in os.listdir(tmp_path) if name.startswith("audit.jsonl"))
    lock = ["audit.jsonl.lock"] if POSIX else []  # Windows' lock file goes with the lock
    assert files == ["audit.jsonl", *(f"audit.jsonl.{n}" for n in range(1, 5)), *lock]
    for name in files[: len(files) - len(lock)]:
        assert os.path.getsize(tmp_path / name) <= handouts.MAX_SIZE


def test_the_code_and_secrets_on_the_requesters_command_line_are_redacted(tmp_path: Path) -> None:
    creds = TemporaryCredentials(
        "ASIAX", "the-secret", "the-token", datetime(2099, 1, 1, tzinfo=timezone.utc)
    )
    command = ["sh", "-c", "aws-mfa export -c 654321; echo the-secret the-token"]
    requester = {"pid": 7, "executable": "/bin/sh", "command": command}
    trail = Trail(True, str(tmp_path / "a"), scrub=["654321"], requester=requester)
    line = json.loads(trail.line(Handout("export", "dev", "stdout", None, creds)))
    assert line["requester"]["command"] == [
        "sh",
        "-c",
        "aws-mfa export -c <redacted>; echo <redacted> <redacted>",
    ]


def test_the_agent_and_session_policies_fill_their_fields(tmp_path: Path) -> None:
    creds = TemporaryCredentials("ASIAX", "s", "t", datetime(2099, 1, 1, tzinfo=timezone.utc))
    arn = "arn:aws:iam::aws:policy/ReadOnlyAccess"
    handout = Handout("export", "prod", "stdout", None, creds, "claude-code", (arn,))
    line = json.loads(Trail(True, str(tmp_path / "a"), requester={}).line(handout))
    assert (line["agent"], line["session_policy_arns"]) == ("claude-code", [arn])


def test_the_requester_is_the_parent_process() -> None:
    from aws_mfa import system

    found = system.requester()
    assert isinstance(found["pid"], int)
    if not POSIX:  # a snapshot's answer (os.getppid of Python 3.12 aborts under Wine, whose
        return  # processes started from Linux have no Windows parent: 0)
    assert found["pid"] == os.getppid()
    if os.path.exists(f"/proc/{os.getppid()}/cmdline"):  # Linux tells the most
        assert isinstance(found["command"], list)
        assert found["command"]
        assert found["executable"]


def test_audit_shows_the_log(
    credentials: Path, home: Path, aws_mfa_in_process: AwsMfa, sts: LocalSts
) -> None:
    write(credentials, long_term("dev-long-term") + session("dev", VALID))
    write(credentials.parent / "config", "[profile prod]\nrole_arn = arn:aws:iam::1:role/a\n")
    assert aws_mfa_in_process("export", "-p", "dev").code == 0
    table = aws_mfa_in_process("audit")
    assert table.code == 0, table.stderr
    header, row = table.stdout.splitlines()
    assert header.split()[:4] == ["TIME", "COMMAND", "PROFILE", "TO"]
    assert "export" in row
    assert "ASIAOLDSESSION000001" in row
    as_json = aws_mfa_in_process("audit", "--json", "--since", "1d")
    assert [json.loads(line)["to"] for line in as_json.stdout.splitlines()] == ["stdout"]
    assert aws_mfa_in_process("audit", "-p", "prod", "--json").stdout == ""
    wrong = aws_mfa_in_process("audit", "--since", "yesterday")
    assert wrong.code == 2
    assert "--since: 'yesterday' is not a duration" in wrong.stderr


def test_audit_leaves_out_what_is_older_than_since(home: Path, aws_mfa_in_process: AwsMfa) -> None:
    old = {"time": "2001-01-01T00:00:00Z", "command": "export", "profile": "dev"}
    write(audit_file(home), json.dumps(old) + "\nnot json\n")
    assert aws_mfa_in_process("audit", "--json").stdout.count("2001") == 1
    recent = aws_mfa_in_process("audit", "--json", "--since", "2w")
    assert recent.stdout == ""
    assert "line 2: not a record of aws-mfa's" in recent.stderr


WRITER = r"""
import sys
from datetime import datetime, timezone
from aws_mfa.keys import TemporaryCredentials
from aws_mfa.sessions import handouts

path, size, count, name = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
handouts.MAX_SIZE = size
trail = handouts.Trail(True, path, requester={"pid": 0, "executable": None, "command": None})
creds = TemporaryCredentials("ASIAX", "s", "t", datetime(2099, 1, 1, tzinfo=timezone.utc))
print("ready", flush=True)
sys.stdin.readline()
for _ in range(count):
    trail.record(handouts.Handout("export", name, "stdout", None, creds))
"""
"""Appends ``count`` lines as profile ``name`` once told to (a line on stdin)."""


@pytest.mark.e2e  # two processes, each with its own lock
def test_two_processes_appending_and_rotating_at_once_lose_and_mix_no_line(
    tmp_path: Path,
) -> None:
    import subprocess
    import sys

    path, size, count = tmp_path / "audit.jsonl", 64 * 1024, 400
    writers = [
        subprocess.Popen(
            [sys.executable, "-c", WRITER, str(path), str(size), str(count), name],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        for name in ("one", "two")
    ]
    for writer in writers:  # both ready, then both go
        assert writer.stdout is not None
        assert writer.stdout.readline() == "ready\n"
    for writer in writers:
        assert writer.stdin is not None
        writer.stdin.write("go\n")
        writer.stdin.close()
    assert [writer.wait(timeout=120) for writer in writers] == [0, 0]
    files = [path.with_name(f"audit.jsonl.{n}") for n in range(4, 0, -1)] + [path]
    found = [file for file in files if file.exists()]
    assert len(found) >= 3  # it rotated, more than once
    records = [json.loads(line) for file in found for line in file.read_text().splitlines()]
    assert sorted(record["profile"] for record in records) == ["one"] * count + ["two"] * count
    longest = max(len(line) for file in found for line in file.read_bytes().splitlines())
    assert all(file.stat().st_size <= size + 2 * (longest + 1) for file in found)


def test_where_one_append_is_not_whole_it_is_made_under_the_lock(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from aws_mfa import system
    from aws_mfa.files import lock

    monkeypatch.setattr(system, "WINDOWS", True)  # the C library's O_APPEND: seek, then write
    held: list[str] = []

    class recorded(lock.locked):
        def __enter__(self) -> None:
            super().__enter__()
            held.append(os.fspath(self.path))

    monkeypatch.setattr(lock, "locked", recorded)
    creds = TemporaryCredentials("ASIAX", "s", "t", datetime(2099, 1, 1, tzinfo=timezone.utc))
    trail = Trail(True, str(tmp_path / "audit.jsonl"), requester={})
    trail.record(Handout("export", "dev", "stdout", None, creds))
    assert held == [str(tmp_path / "audit.jsonl")]
    assert len((tmp_path / "audit.jsonl").read_text().splitlines()) == 1


def test_export_stored_logs_the_keys_it_prints(
    credentials: Path, home: Path, aws_mfa_in_process: AwsMfa
) -> None:
    """Plain keys (no session, no expiry), as exec --server's command gets other profiles."""
    write(
        credentials, "[ci]\naws_access_key_id = AKIAPLAINKEY00000001\naws_secret_access_key = s\n"
    )
    result = aws_mfa_in_process("export", "--stored", "-p", "ci")
    assert result.code == 0, result.stderr
    assert json.loads(result.stdout)["AccessKeyId"] == "AKIAPLAINKEY00000001"
    (line,) = lines(home)
    assert (line["command"], line["profile"], line["to"]) == ("export", "ci", "stdout")
    assert (line["access_key_id"], line["expiration"]) == ("AKIAPLAINKEY00000001", None)


def test_a_long_requester_command_line_is_cut(tmp_path: Path) -> None:
    creds = TemporaryCredentials("ASIAX", "s", "t", datetime(2099, 1, 1, tzinfo=timezone.utc))
    requester = {"pid": 7, "executable": "/bin/sh", "command": ["x" * 1000] * 100}
    trail = Trail(True, str(tmp_path / "a"), requester=requester)
    line = json.loads(trail.line(Handout("export", "dev", "stdout", None, creds)))
    assert sum(map(len, line["requester"]["command"])) == handouts.COMMAND_LENGTH
