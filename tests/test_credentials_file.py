"""Editing one section changes nothing else, byte for byte; saving is atomic and keeps modes."""

from __future__ import annotations

import stat
import subprocess
import sys
from pathlib import Path

import pytest

from aws_mfa import system
from aws_mfa.errors import FileError
from aws_mfa.files import credentials_file as cf
from aws_mfa.files import ini, read, safe_write
from aws_mfa.files.lock import locked
from aws_mfa.files.section_edit import edit_section, remove_section_text
from aws_mfa.settings.resolve import Flags, resolve_early
from tests.conftest import POSIX, write

SESSION = {
    "assumed_role": "False",
    "aws_access_key_id": "ASIANEW",
    "aws_secret_access_key": "new-secret",
    "aws_session_token": "new-token",
    "aws_security_token": "new-token",
    "expiration": "2026-11-23 00:00:00",
}

ORIGINAL = """\
# My AWS keys. Keep this comment!
; and this one

[dev-long-term]
aws_access_key_id=AKIAOLD   ; inline text after the key id
aws_secret_access_key =    secret-with-odd-spacing
aws_mfa_device = arn:aws:iam::123456789012:mfa/alice

[dev]
region = eu-west-1
# the next keys were written by aws-mfa
assumed_role = False
AWS_ACCESS_KEY_ID = ASIAOLD
aws_secret_access_key = old-secret
aws_session_token = old-token
aws_security_token = old-token
expiration = 2026-11-20 00:00:00
output = json

# production, do not touch
[prod]
aws_access_key_id = AKIAPROD
aws_secret_access_key = prod-secret
"""


def edit(text: str, name: str, values: dict[str, str], remove: tuple[str, ...] = ()) -> str:
    return edit_section(ini.parse(text, "f"), name, values, remove)


def outside(text: str, name: str) -> str:
    """The text of the file without section ``name``'s lines (header to last key)."""
    sec = ini.parse(text, "f").sections[name]
    lines = ini.split_lines(text.lstrip(ini.BOM))
    return "".join(lines[: sec.header_index] + lines[sec.content_end :])


def test_reading_and_rewriting_unchanged_values_gives_identical_text() -> None:
    doc = ini.parse(ORIGINAL, "f")
    same = {k: v for k, v in (doc.values("dev") or {}).items()}
    assert edit_section(doc, "dev", same) != ""
    # Keys set to the values they have are still rewritten in place, nothing else moves.
    assert outside(edit_section(doc, "dev", same), "dev") == outside(ORIGINAL, "dev")


def test_update_changes_only_the_session_lines() -> None:
    new = edit(ORIGINAL, "dev", SESSION)
    expected = ORIGINAL.replace("AWS_ACCESS_KEY_ID = ASIAOLD", "AWS_ACCESS_KEY_ID = ASIANEW")
    for old, fresh in [
        ("old-secret", "new-secret"),
        ("old-token", "new-token"),
        ("2026-11-20 00:00:00", "2026-11-23 00:00:00"),
    ]:
        expected = expected.replace(old, fresh)
    assert new == expected


def test_new_keys_go_after_the_last_key_not_after_the_next_sections_comment() -> None:
    text = "[dev]\nregion = eu-west-1\n\n# production\n[prod]\nk = v\n"
    new = edit(text, "dev", {"aws_access_key_id": "ASIA1"})
    assert (
        new
        == "[dev]\nregion = eu-west-1\naws_access_key_id = ASIA1\n\n# production\n[prod]\nk = v\n"
    )


def test_empty_section_gets_keys_right_under_its_header() -> None:
    text = "[myaccount]\n\n# next\n[other]\nk = v\n"
    assert edit(text, "myaccount", {"a": "1", "b": "2"}) == (
        "[myaccount]\na = 1\nb = 2\n\n# next\n[other]\nk = v\n"
    )


def test_placeholder_keys_are_filled_where_they_stand() -> None:
    text = "[dev]\naws_access_key_id =\naws_secret_access_key =\nregion = us-east-1\n"
    new = edit(text, "dev", {"aws_access_key_id": "ASIA1", "aws_secret_access_key": "s"})
    assert (
        new == "[dev]\naws_access_key_id = ASIA1\naws_secret_access_key = s\nregion = us-east-1\n"
    )


def test_removed_key_takes_its_continuation_lines_with_it() -> None:
    text = "[dev]\nassumed_role_arn = arn:x\n  continued\nregion = r\n"
    assert edit(text, "dev", {}, remove=("assumed_role_arn",)) == "[dev]\nregion = r\n"


def test_new_section_is_appended_after_one_blank_line() -> None:
    assert edit("[a]\nk = v\n", "dev", {"x": "1"}) == "[a]\nk = v\n\n[dev]\nx = 1\n"
    assert edit("[a]\nk = v", "dev", {"x": "1"}) == "[a]\nk = v\n\n[dev]\nx = 1\n"
    assert edit("[a]\nk = v\n\n", "dev", {"x": "1"}) == "[a]\nk = v\n\n[dev]\nx = 1\n"
    assert edit("# only a comment\n", "d", {"x": "1"}) == "# only a comment\n\n[d]\nx = 1\n"
    assert edit_section(None, "dev", {"x": "1"}) == "[dev]\nx = 1\n"


def test_crlf_files_stay_crlf_and_other_sections_keep_their_bytes() -> None:
    text = ORIGINAL.replace("\n", "\r\n")
    new = edit(text, "dev", SESSION)
    assert "\n" not in new.replace("\r\n", "")
    assert outside(new, "dev") == outside(text, "dev")
    appended = edit(text, "fresh", {"k": "v"})
    assert appended == text + "\r\n[fresh]\r\nk = v\r\n"


def test_mixed_endings_outside_the_section_are_untouched() -> None:
    text = "[a]\r\nk = v\n\r\n[dev]\nx = 1\r\n# c\n[b]\nk = v\r\n"
    new = edit(text, "dev", {"x": "2", "y": "3"})
    assert outside(new, "dev") == outside(text, "dev")


def test_a_lone_cr_file_is_never_edited() -> None:
    doc = ini.parse("[a]\rk = v\r[dev]\rx = 1\r", "f")
    assert doc.values("dev") == {"x": "1"}  # read as botocore reads it
    for change in (
        lambda: edit_section(doc, "dev", {"x": "2"}),
        lambda: edit_section(doc, "new", {"k": "v"}),
        lambda: remove_section_text(doc, "dev"),
    ):
        with pytest.raises(FileError, match=r"^'f', line 1: a line ends with a lone CR"):
            change()


def test_key_spelling_is_kept_when_its_value_changes() -> None:
    assert edit("[dev]\nAWS_Session_Token=old\n", "dev", {"aws_session_token": "new"}) == (
        "[dev]\nAWS_Session_Token = new\n"
    )


def test_removing_an_appended_section_gives_back_the_old_text() -> None:
    before = "# c\n[a]\nk = v\n"
    added = edit(before, "dev", SESSION)
    assert remove_section_text(ini.parse(added, "f"), "dev") == before


def test_removing_a_middle_section_keeps_the_comment_of_the_next() -> None:
    text = "[a]\nk = v\n\n[dev]\nx = 1\n\n# about b\n[b]\nk = v\n"
    assert remove_section_text(ini.parse(text, "f"), "dev") == (
        "[a]\nk = v\n\n# about b\n[b]\nk = v\n"
    )


# Saving.


def test_a_lock_refused_by_permissions_says_what_to_do(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Root (as CI runs) is never refused, so the refusal is the lock library's.
    import filelock

    def refused(self: object, *args: object, **kwargs: object) -> None:
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(filelock.FileLock, "acquire", refused)
    path = write(tmp_path / "credentials", "[a]\n")
    with pytest.raises(FileError) as caught, locked(path, 120):
        cf.save(path, "[b]\n")
    shown, lock = system.shown(path), system.shown(f"{path}.lock")
    assert str(caught.value).startswith(f"cannot lock {shown}: Permission denied ({lock});")
    assert "it and its folder must be yours" in str(caught.value)
    assert "sudo" in str(caught.value)
    assert path.read_text() == "[a]\n"


@pytest.mark.posix(reason="mode bits (Windows keeps access in ACLs)")
def test_new_file_is_0600_in_a_new_0700_folder(tmp_path: Path) -> None:
    path = tmp_path / "new" / ".aws" / "credentials"
    with locked(path, 120):
        cf.save(path, "[a]\n")
    assert path.read_text() == "[a]\n"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700


@pytest.mark.posix(reason="mode bits (Windows keeps access in ACLs)")
def test_existing_mode_is_kept_never_widened(tmp_path: Path) -> None:
    path = write(tmp_path / "credentials", "[a]\n", mode=0o640)
    with locked(path, 120):
        cf.save(path, "[b]\n")
    assert stat.S_IMODE(path.stat().st_mode) == 0o640
    path.chmod(0o400)
    with locked(path, 120):
        cf.save(path, "[c]\n")
    assert stat.S_IMODE(path.stat().st_mode) == 0o400
    assert path.read_text() == "[c]\n"


@pytest.mark.posix(reason="a symbolic link (Windows needs a privilege to make one)")
def test_a_symlink_stays_a_link_and_its_target_is_updated(tmp_path: Path) -> None:
    target = write(tmp_path / "dotfiles" / "aws-credentials", "[a]\n")
    link = tmp_path / ".aws" / "credentials"
    link.parent.mkdir()
    link.symlink_to(target)
    with locked(link, 120):
        cf.save(link, "[b]\n")
    assert link.is_symlink()
    assert target.read_text() == "[b]\n"
    assert (target.parent / "aws-credentials.lock").exists()


def test_no_temporary_file_is_left_and_a_crashed_one_is_cleaned(tmp_path: Path) -> None:
    path = write(tmp_path / "aws" / "credentials", "[a]\n")
    crashed = path.parent / f".credentials.12345{safe_write.TEMP_SUFFIX}"
    crashed.write_text("[half")
    with locked(path, 120):
        cf.save(path, "[b]\n")
    lock = ["credentials.lock"] if POSIX else []  # Windows' lock file goes with the lock
    assert sorted(p.name for p in path.parent.iterdir()) == ["credentials", *lock]


@pytest.mark.e2e  # the file-size limit is set on a process of its own
def test_a_failed_write_leaves_the_file_and_no_temporary(tmp_path: Path) -> None:
    # A file-size limit makes the write fail half-way, like a full disk, even for root.
    path = write(tmp_path / "aws" / "credentials", "[a]\n")
    script = f"""
import resource, signal
from pathlib import Path
from aws_mfa.files import credentials_file as cf
from aws_mfa.errors import FileError
signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
resource.setrlimit(resource.RLIMIT_FSIZE, (4096, 4096))
try:
    cf.save(Path({str(path)!r}), "[b]\\n" + "k = v\\n" * 10000)
except FileError as err:
    print(err)
"""
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True, timeout=60
    )
    assert "cannot write" in done.stdout
    assert "the file was not changed" in done.stdout
    assert path.read_text() == "[a]\n"
    assert [p.name for p in path.parent.iterdir()] == ["credentials"]


@pytest.mark.posix(reason="the lock file's mode bits (Windows removes the lock file on release)")
def test_lock_file_is_0600(tmp_path: Path) -> None:
    path = write(tmp_path / "credentials", "[a]\n")
    with locked(path, 120):
        pass
    assert stat.S_IMODE((tmp_path / "credentials.lock").stat().st_mode) == 0o600


@pytest.mark.parametrize(
    ("setup", "message"),
    [
        ("folder", "is a folder, not a regular file"),
        ("latin1", "line 2: not UTF-8 text"),
    ],
)
def test_unreadable_files_give_one_clear_error(tmp_path: Path, setup: str, message: str) -> None:
    path = tmp_path / "credentials"
    if setup == "folder":
        path.mkdir()
    else:
        path.write_bytes(b"[dev]\nregion = caf\xe9\n")
    with pytest.raises(FileError, match=message):
        read.read_ini(path)


def test_missing_file_reads_as_none(tmp_path: Path) -> None:
    assert read.read_ini(tmp_path / "nothing") is None


def test_the_default_file_honours_the_environment(home: Path) -> None:
    assert resolve_early("credentials_file", Flags(), {}) == str(home / ".aws" / "credentials")
    moved = resolve_early("credentials_file", Flags(), {"AWS_SHARED_CREDENTIALS_FILE": "~/x"})
    assert moved == str(home / "x")
