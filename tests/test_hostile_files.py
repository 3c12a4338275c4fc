"""Promises kept against other programs and odd files (issue 12).

The installed CLI runs in a process where another program works beside it (an
editor, a full disk, a umask); the rest runs aws-mfa's main in-process.

The bad-input catalogue (test_catalogue.py) holds the one-line refusals; these
are the cases that need another program at work while aws-mfa runs, a full
disk, or files next to the credentials file.
"""

from __future__ import annotations

import os
import signal
import stat
import subprocess
from pathlib import Path

import pytest

from aws_mfa.demo import LocalSts
from aws_mfa.files import ini
from tests.conftest import AWS_MFA, AwsMfa, long_term, write

pytestmark = pytest.mark.posix(reason="devices, FIFOs and file-size limits")


def sections(path: Path) -> dict[str, dict[str, str]]:
    document = ini.parse(path.read_text(), str(path))
    return {name: section.values for name, section in document.sections.items()}


@pytest.mark.e2e
def test_an_edit_made_while_the_code_is_awaited_is_kept(
    credentials: Path, aws_mfa_in_process: AwsMfa, sts: LocalSts, tmp_path: Path
) -> None:
    """Like `aws configure set` in another terminal while the user looks for the code."""
    write(credentials, long_term() + "\n[other]\nregion = eu-west-1\n")
    editor = tmp_path / "edit-then-print-code.sh"
    editor.write_text(
        f"printf '\\n[added-meanwhile]\\nregion = us-east-2\\n' >> '{credentials}'\necho 123456\n"
    )
    result = aws_mfa_in_process("--token-command", f"sh {editor}")
    assert result.code == 0, result.stderr
    assert "changed meanwhile; applying the edit to its new content" in result.stderr
    found = sections(credentials)
    assert found["added-meanwhile"] == {"region": "us-east-2"}
    assert found["other"] == {"region": "eu-west-1"}
    assert found["default"]["aws_session_token"]


@pytest.mark.e2e
def test_an_edit_of_the_section_being_written_stops_the_run(
    credentials: Path, aws_mfa_in_process: AwsMfa, sts: LocalSts, tmp_path: Path
) -> None:
    write(credentials, long_term() + "\n[default]\nregion = eu-west-1\n")
    editor = tmp_path / "edit-then-print-code.sh"
    editor.write_text(f"sed -i 's/eu-west-1/ap-south-1/' '{credentials}'\necho 123456\n")
    result = aws_mfa_in_process("--token-command", f"sh {editor}")
    assert result.code == 3, result.stderr
    assert result.error_lines == [
        f"ERROR - {str(credentials)!r} changed while aws-mfa was working, section 'default' "
        "included; aws-mfa did not overwrite it: run again"
    ]
    assert sections(credentials)["default"] == {"region": "ap-south-1"}  # the other edit stays


def test_setup_never_replaces_a_device(aws_mfa_in_process: AwsMfa) -> None:
    result = aws_mfa_in_process("--setup", "--credentials-file", os.devnull)
    assert result.code == 3
    assert result.error_lines == [
        "ERROR - '/dev/null' is a device, not a regular file; move it away or point elsewhere"
    ]
    assert stat.S_ISCHR(os.stat(os.devnull).st_mode)


def limited_file_size(limit: int) -> None:  # runs in the child
    import resource  # POSIX only: imported here, so that the module is collected on Windows

    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))


@pytest.mark.e2e
def test_a_full_disk_during_backup_leaves_no_partial_copy(
    credentials: Path, aws_mfa_in_process: AwsMfa, sts: LocalSts
) -> None:
    """RLIMIT_FSIZE plays the full disk: every write past 4 KiB fails with EFBIG."""
    padding = "".join(f"# comment line {n:05d} of the user's file\n" for n in range(200))
    write(credentials, padding + long_term())
    before = credentials.read_bytes()
    done = subprocess.run(
        [AWS_MFA, "--backup", "-c", "123456"],
        env=aws_mfa_in_process.env,
        capture_output=True,
        text=True,
        timeout=60,
        stdin=subprocess.DEVNULL,
        preexec_fn=lambda: limited_file_size(4096),
        check=False,
    )
    assert done.returncode == 3, done.stderr
    errors = [line for line in done.stderr.splitlines() if line.startswith("ERROR")]
    assert len(errors) == 1
    assert errors[0].startswith("ERROR - cannot back up"), errors
    assert credentials.read_bytes() == before
    backups = credentials.parent / "credentials_backup"
    assert not backups.exists() or list(backups.iterdir()) == []
    assert not list(credentials.parent.rglob("*aws-mfa-tmp"))


def test_cleanup_touches_only_its_own_files(
    home: Path, aws_mfa_in_process: AwsMfa, sts: LocalSts
) -> None:
    folder = home / ".aws"
    write(folder / "cred1", long_term())
    in_flight = folder / ".cred1.99999.0123456789abcdef.aws-mfa-tmp"
    in_flight.write_text("another aws-mfa's temporary file")
    write(folder / "cred[1]", long_term())
    result = aws_mfa_in_process("--credentials-file", str(folder / "cred[1]"), "-c", "123456")
    assert result.code == 0, result.stderr
    assert in_flight.exists()


def test_logout_all_with_no_folder_creates_nothing(home: Path, aws_mfa_in_process: AwsMfa) -> None:
    assert aws_mfa_in_process("logout", "--all").code == 0
    assert not (home / ".aws").exists()


@pytest.mark.e2e
def test_folders_made_are_private_whatever_the_umask(
    credentials: Path, aws_mfa_in_process: AwsMfa, sts: LocalSts
) -> None:
    write(credentials, long_term())
    done = subprocess.run(
        [AWS_MFA, "-c", "123456", "--backup"],
        env=aws_mfa_in_process.env,
        capture_output=True,
        text=True,
        timeout=60,
        stdin=subprocess.DEVNULL,
        preexec_fn=lambda: os.umask(0),
        check=False,
    )
    assert done.returncode == 0, done.stderr
    made = [credentials.parent / "credentials_backup", credentials.parent / "aws-mfa-sessions"]
    for path in made + [file for folder in made for file in folder.iterdir()]:
        expected = 0o700 if path.is_dir() else 0o600
        assert stat.S_IMODE(path.stat().st_mode) == expected, path
