"""The promises of the cache of MFA sessions, the used-code memory and the keychain, under
attack (issue 20): another local user, hostile files, and the order of the work.

Each test plays what was found broken, as a user would meet it, and checks
what must hold now: the file is right, nothing outside aws-mfa's own files
changed, a code is spent only when it buys something that is kept or
written, and every failure is one line. docs/security.md lists them.
"""

from __future__ import annotations

import hashlib
import json
import os
import stat
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from aws_mfa import rotation
from aws_mfa.aws import sts
from aws_mfa.codes import used_codes
from aws_mfa.errors import FileError
from aws_mfa.files import ini, read
from aws_mfa.keys import TemporaryCredentials
from aws_mfa.sessions import mfa_sessions
from tests.conftest import (
    DEVICE,
    LONG_TERM_KEY_ID,
    LONG_TERM_SECRET,
    TEST_KEYRING,
    AwsMfa,
    long_term,
    session,
    write,
)
from tests.strict_sts import StrictSts, strict_sts

__all__ = ["strict_sts"]  # the fixture, used by name


@pytest.fixture
def aws_mfa(aws_mfa_in_process: AwsMfa) -> AwsMfa:
    """Most of these runs prove nothing a process would: aws-mfa's ``main``, in-process, with
    the same checks (tests/conftest.py). The runs that need a time zone are processes."""
    return aws_mfa_in_process


@pytest.fixture
def aws_mfa_process(environment: dict[str, str]) -> AwsMfa:
    """The installed console script, for runs whose time zone (TZ) must be the process's."""
    return AwsMfa(environment)


ROOT = Path(__file__).resolve().parent.parent
OTHER_USER = 12345
OTHER_DEVICE = "arn:aws:iam::123456789012:mfa/other"


def digest_name(key_id: str = LONG_TERM_KEY_ID, device: str = DEVICE) -> str:
    """The cache file name of these keys and device (as aws-mfa names it)."""
    return hashlib.sha1(f"{key_id}\0{device}".encode(), usedforsecurity=False).hexdigest() + ".json"


def cache_folder(home: Path) -> Path:
    return home / ".aws" / "aws-mfa-sessions"


def entry(
    expiration: str,
    secret: str = LONG_TERM_SECRET,
    key_id: str = LONG_TERM_KEY_ID,
    device: str = DEVICE,
) -> str:
    """A cache entry as aws-mfa writes it, its mac made with ``secret``."""
    fields = [key_id, device, "ASIAPLANTED000000001", "planted/secret", "planted-token", expiration]
    record = dict(zip(mfa_sessions.FIELDS, fields, strict=True))
    record["mac"] = mfa_sessions.mac(secret, fields)
    return json.dumps(record)


def in_the_future(hours: float) -> str:
    return (datetime.now(timezone.utc) + timedelta(hours=hours)).strftime("%Y-%m-%dT%H:%M:%SZ")


def session_of(path: Path, name: str) -> dict[str, str]:
    return ini.parse(path.read_text(), str(path)).values(name) or {}


def no_internal_error(stderr: str) -> None:
    assert "internal error" not in stderr
    assert "Traceback" not in stderr


# Another local user: the credentials file in a shared folder.


@pytest.fixture
def shared(tmp_path: Path) -> Path:
    """A folder every user may write, like /tmp on a CI host, holding the credentials file."""
    folder = tmp_path / "shared"
    folder.mkdir()
    folder.chmod(0o777)
    write(folder / "credentials", long_term("dev-long-term"), 0o600)
    return folder


@pytest.mark.posix(reason="a symbolic link (Windows needs a privilege to make one)")
def test_a_link_planted_beside_a_shared_credentials_file_is_never_written_through(
    shared: Path, home: Path, aws_mfa: AwsMfa, strict_sts: StrictSts
) -> None:
    bashrc = write(home / ".bashrc", "# the victim's own\n", 0o644)
    planted = shared / "aws-mfa-sessions"
    planted.mkdir()
    planted.chmod(0o777)
    (planted / digest_name()).symlink_to(bashrc)

    credentials = shared / "credentials"
    result = aws_mfa("-p", "dev", "-c", "123456", AWS_SHARED_CREDENTIALS_FILE=str(credentials))

    assert result.code == 0, result.stderr
    assert bashrc.read_text() == "# the victim's own\n"
    assert stat.S_IMODE(bashrc.stat().st_mode) == 0o644
    assert sorted(p.name for p in planted.iterdir()) == [digest_name()]  # nothing added there
    kept = cache_folder(home) / digest_name()  # the cache is in the user's home
    assert stat.S_IMODE(kept.stat().st_mode) == 0o600
    assert stat.S_IMODE(cache_folder(home).stat().st_mode) == 0o700
    assert session_of(credentials, "dev")["aws_access_key_id"].startswith("ASIASTRICT")


def test_a_session_planted_by_someone_else_is_never_used(
    shared: Path, home: Path, aws_mfa: AwsMfa, strict_sts: StrictSts
) -> None:
    # Beside the shared file, and in the home cache itself: a session of the attacker's
    # account, made without the long-term secret (its mac cannot check).
    for folder in (shared / "aws-mfa-sessions", cache_folder(home)):
        write(folder / digest_name(), entry(in_the_future(10), secret="not-the-secret"))
        folder.chmod(0o700)

    credentials = shared / "credentials"
    result = aws_mfa("-p", "dev", "-c", "123456", AWS_SHARED_CREDENTIALS_FILE=str(credentials))

    assert result.code == 0, result.stderr
    assert strict_sts.count("GetSessionToken") == 1  # a code was asked for and used
    assert "it was not made with this key pair" in result.stderr
    written = session_of(credentials, "dev")
    assert written["aws_access_key_id"].startswith("ASIASTRICT")
    assert "planted" not in credentials.read_text()


@pytest.mark.posix(reason="another user's file (os.chown; Windows keeps owners in ACLs)")
def test_a_session_file_of_another_user_is_never_used(
    credentials: Path, home: Path, aws_mfa: AwsMfa, strict_sts: StrictSts
) -> None:
    write(credentials, long_term("dev-long-term"))
    planted = write(cache_folder(home) / digest_name(), entry(in_the_future(10)))
    cache_folder(home).chmod(0o700)
    os.chown(planted, OTHER_USER, OTHER_USER)  # the tests run as root, or skip below

    result = aws_mfa("-p", "dev", "-c", "123456")

    assert result.code == 0, result.stderr
    assert f"owned by another user (uid {OTHER_USER})" in result.stderr
    assert strict_sts.count("GetSessionToken") == 1
    assert "planted" not in credentials.read_text()


@pytest.mark.posix(reason="another user's file (os.chown; Windows keeps owners in ACLs)")
def test_another_users_cache_folder_costs_no_code(
    credentials: Path, home: Path, aws_mfa: AwsMfa, strict_sts: StrictSts
) -> None:
    write(credentials, long_term("dev-long-term"))
    folder = cache_folder(home)
    folder.mkdir(parents=True)
    folder.chmod(0o700)
    os.chown(folder, OTHER_USER, OTHER_USER)

    result = aws_mfa("-p", "dev", "-c", "123456")

    assert result.code == 0, result.stderr
    assert "Not using the cache of MFA sessions" in result.stderr
    assert f"owned by another user (uid {OTHER_USER})" in result.stderr
    assert list(folder.iterdir()) == []  # nothing written into another user's folder
    assert session_of(credentials, "dev")["aws_access_key_id"].startswith("ASIASTRICT")
    assert strict_sts.count("GetSessionToken") == 1


@pytest.mark.posix(reason="mode bits (Windows keeps access in ACLs)")
def test_a_cache_folder_open_to_others_is_made_private(
    credentials: Path, home: Path, aws_mfa: AwsMfa, strict_sts: StrictSts
) -> None:
    write(credentials, long_term("dev-long-term"))
    folder = cache_folder(home)
    folder.mkdir(parents=True)
    folder.chmod(0o777)

    result = aws_mfa("-p", "dev", "-c", "123456")

    assert result.code == 0, result.stderr
    assert "open to other users (mode 0777); it is 0700 again" in result.stderr
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    assert (folder / digest_name()).exists()


@pytest.mark.parametrize(
    "blocker", ["a file instead of the folder", "a folder instead of its file"]
)
def test_a_cache_that_cannot_be_used_spends_no_code_for_nothing(
    blocker: str, credentials: Path, home: Path, aws_mfa: AwsMfa, strict_sts: StrictSts
) -> None:
    write(credentials, long_term("dev-long-term"))
    if blocker == "a file instead of the folder":
        write(cache_folder(home), "not a folder\n")
    else:
        (cache_folder(home) / digest_name()).mkdir(parents=True)
        cache_folder(home).chmod(0o700)

    result = aws_mfa("-p", "dev", "-c", "123456")

    assert result.code == 0, result.stderr
    assert result.error_lines == []
    assert strict_sts.count("GetSessionToken") == 1
    assert session_of(credentials, "dev")["aws_access_key_id"].startswith("ASIASTRICT")


# Hostile cache and memory files.

DEEP = "[" * 200_000


def test_a_deeply_nested_cache_file_reads_as_no_session(
    credentials: Path, home: Path, aws_mfa: AwsMfa, strict_sts: StrictSts
) -> None:
    write(credentials, long_term("dev-long-term"))
    write(cache_folder(home) / digest_name(), DEEP)
    cache_folder(home).chmod(0o700)

    listed = aws_mfa("status")
    assert listed.code == 0, listed.stderr
    no_internal_error(listed.stderr)
    result = aws_mfa("-p", "dev", "-c", "123456")
    assert result.code == 0, result.stderr
    no_internal_error(result.stderr)
    assert strict_sts.count("GetSessionToken") == 1


@pytest.mark.e2e
def test_a_cached_expiration_no_session_could_have_is_not_a_session(
    credentials: Path, home: Path, aws_mfa_process: AwsMfa, strict_sts: StrictSts
) -> None:
    write(credentials, long_term("dev-long-term"))
    original = credentials.read_text()
    write(cache_folder(home) / digest_name(), entry("9999-12-31T23:59:59Z"))  # mac checks
    cache_folder(home).chmod(0o700)
    east = {"TZ": "Asia/Tokyo"}

    listed = aws_mfa_process("status", **east)
    assert listed.code == 0, listed.stderr
    no_internal_error(listed.stderr)

    result = aws_mfa_process("-p", "dev", "-c", "123456", **east)
    assert result.code == 0, result.stderr
    no_internal_error(result.stderr)
    assert strict_sts.count("GetSessionToken") == 1
    written = session_of(credentials, "dev")
    assert written["aws_access_key_id"].startswith("ASIASTRICT")
    assert written["expiration"] < "2100"
    assert credentials.read_text().startswith(original)


@pytest.mark.e2e
def test_a_session_far_in_the_future_in_the_file_is_one_line_and_force_replaces_it(
    credentials: Path, aws_mfa_process: AwsMfa, strict_sts: StrictSts
) -> None:
    write(credentials, long_term("dev-long-term") + session("dev", "9999-12-31 23:59:59"))
    east = {"TZ": "Asia/Tokyo"}
    listed = aws_mfa_process("status", "-p", "dev", **east)
    no_internal_error(listed.stderr)
    assert "unreadable" in listed.stdout
    result = aws_mfa_process("-p", "dev", "-c", "123456", **east)
    assert result.code == 3, result.stderr
    assert len(result.error_lines) == 1
    assert "is not a time any session could end at" in result.error_lines[0]
    assert aws_mfa_process("-p", "dev", "-c", "123456", "--force", **east).code == 0


def test_a_deeply_nested_used_code_memory_is_an_empty_memory(
    credentials: Path, home: Path, aws_mfa: AwsMfa, strict_sts: StrictSts
) -> None:
    write(credentials, long_term("dev-long-term"))
    write(home / ".aws" / "aws-mfa-used-codes.json", DEEP)  # and no .key file yet

    result = aws_mfa("-p", "dev", "-c", "123456")

    assert result.code == 0, result.stderr
    no_internal_error(result.stderr)
    assert session_of(credentials, "dev")["aws_access_key_id"].startswith("ASIASTRICT")


# The cache's own promises.


def test_logout_forgets_the_cached_sessions_of_every_device(
    credentials: Path, home: Path, aws_mfa: AwsMfa, strict_sts: StrictSts
) -> None:
    write(credentials, long_term("dev-long-term"))
    assert aws_mfa("-p", "dev", "-c", "123456", "--device", OTHER_DEVICE).code == 0
    assert aws_mfa("-p", "dev", "-c", "654321", "--force", MFA_DEVICE=DEVICE).code == 0
    assert len(list(cache_folder(home).glob("*.json"))) == 2

    result = aws_mfa("logout", "-p", "dev")

    assert result.code == 0, result.stderr
    assert "Forgot 2 cached MFA sessions of access key" in result.stderr
    assert "every profile with that key shares, role profiles assumed from it" in result.stderr
    assert list(cache_folder(home).glob("*.json")) == []
    again = aws_mfa("-p", "dev", "--device", OTHER_DEVICE)  # no code: no session either
    assert again.code == 4, again.stderr


def test_a_duration_given_outright_is_not_outlived_by_a_cached_session(
    credentials: Path, home: Path, aws_mfa: AwsMfa, strict_sts: StrictSts
) -> None:
    write(credentials, long_term("dev-long-term"))
    assert aws_mfa("-p", "dev", "-c", "123456").code == 0  # a 12-hour MFA session, cached

    result = aws_mfa("-p", "dev", "--short-term-section", "quick", "-d", "900", "-c", "654321")

    assert result.code == 0, result.stderr
    assert "A code is needed: the cached MFA session lasts 11h" in result.stderr
    assert "longer than the 900 seconds asked for with --duration" in result.stderr
    assert strict_sts.count("GetSessionToken") == 2
    expires = datetime.strptime(session_of(credentials, "quick")["expiration"], "%Y-%m-%d %H:%M:%S")
    left = expires.replace(tzinfo=timezone.utc) - datetime.now(timezone.utc)
    assert timedelta(minutes=13) < left <= timedelta(minutes=15)

    # The 12-hour session is still the cached one: a run without --duration uses it.
    later = aws_mfa("-p", "dev", "--short-term-section", "later")
    assert later.code == 0, later.stderr
    assert strict_sts.count("GetSessionToken") == 2


# The keychain.


def plain_keychain(home: Path) -> dict[str, str]:
    """The environment that gives aws-mfa the plain test keychain of tests/keyring_backends."""
    return {
        "PYTHON_KEYRING_BACKEND": "tests.keyring_backends.FileKeyring",
        "PYTHONPATH": str(ROOT),
        "AWS_MFA_TEST_KEYRING": str(home / TEST_KEYRING),
    }


def keychain_entries(home: Path) -> dict[str, str]:
    path = home / TEST_KEYRING
    return json.loads(path.read_text())["entries"] if path.exists() else {}


def two_sections(second_secret: str) -> str:
    first = long_term("a-long-term")
    second = long_term("b-long-term").replace(LONG_TERM_SECRET, second_secret)
    return first + "\n" + second


def test_import_never_replaces_an_entry_that_holds_another_secret(
    credentials: Path, home: Path, aws_mfa: AwsMfa
) -> None:
    keychain = plain_keychain(home)
    write(credentials, two_sections("another/secret/for/the/same/key/id/000000"))
    assert aws_mfa("-p", "a", "keychain", "import", **keychain).code == 0
    before = credentials.read_bytes()

    result = aws_mfa("-p", "b", "keychain", "import", **keychain)

    assert result.code == 3, result.stderr
    assert len(result.error_lines) == 1
    assert "[a-long-term]" in result.error_lines[0]
    assert "[b-long-term]" in result.error_lines[0]
    assert credentials.read_bytes() == before
    assert keychain_entries(home) == {f"aws-mfa/{LONG_TERM_KEY_ID}": LONG_TERM_SECRET}


def test_export_keeps_an_entry_another_section_still_uses(
    credentials: Path, home: Path, aws_mfa: AwsMfa, sts: object
) -> None:
    keychain = plain_keychain(home)
    write(credentials, two_sections(LONG_TERM_SECRET))  # one key, one secret, two sections
    assert aws_mfa("-p", "a", "keychain", "import", **keychain).code == 0
    assert aws_mfa("-p", "b", "keychain", "import", **keychain).code == 0

    result = aws_mfa("-p", "a", "keychain", "export", **keychain)

    assert result.code == 0, result.stderr
    assert "Kept its keychain entry: [b-long-term] still keeps its secret there" in result.stderr
    assert keychain_entries(home) == {f"aws-mfa/{LONG_TERM_KEY_ID}": LONG_TERM_SECRET}
    renewed = aws_mfa("-p", "b", "-c", "123456", **keychain)
    assert renewed.code == 0, renewed.stderr


def test_a_keychain_secret_sts_rejects_is_named_as_the_keychains(
    credentials: Path, home: Path, aws_mfa: AwsMfa, sts: object
) -> None:
    keychain = plain_keychain(home)
    write(credentials, long_term("dev-long-term"))
    assert aws_mfa("-p", "dev", "keychain", "import", **keychain).code == 0
    path = home / TEST_KEYRING
    data = json.loads(path.read_text())
    data["entries"][f"aws-mfa/{LONG_TERM_KEY_ID}"] = "an/out/of/date/secret/000000000000000000000"
    path.write_text(json.dumps(data))

    result = aws_mfa("-p", "dev", "-c", "123456", **keychain)

    assert result.code == 5, result.stderr
    assert len(result.error_lines) == 1
    assert "kept in the OS keychain" in result.error_lines[0]
    assert "aws-mfa keychain export" in result.error_lines[0]
    assert "check aws_secret_access_key there" not in result.error_lines[0]


# The same rules, one function at a time.


def test_cache_entries_parse_only_as_aws_mfa_writes_them() -> None:
    assert mfa_sessions.parse(DEEP) is None
    assert mfa_sessions.parse(entry("9999-12-31T23:59:59Z")) is None
    assert mfa_sessions.parse(entry("1999-12-31T23:59:59Z")) is None
    assert mfa_sessions.parse(json.dumps({"access_key_id": {"a": 1}})) is None
    found = mfa_sessions.parse(entry(in_the_future(1)))
    assert found is not None
    assert found.access_key_id == LONG_TERM_KEY_ID


def test_a_cache_entry_counts_only_for_the_key_pair_that_made_it(home: Path) -> None:
    cache = mfa_sessions.MfaSessions(str(cache_folder(home)))
    creds = TemporaryCredentials("ASIAX", "s", "t", datetime.now(timezone.utc) + timedelta(hours=2))
    cache.put(LONG_TERM_KEY_ID, LONG_TERM_SECRET, DEVICE, creds)
    now = datetime.now(timezone.utc)
    assert cache.get(LONG_TERM_KEY_ID, LONG_TERM_SECRET, DEVICE, now, 300) is not None
    assert cache.get(LONG_TERM_KEY_ID, "another secret", DEVICE, now, 300) is None


@pytest.mark.posix(reason="mode bits and a symbolic link")
def test_private_files_are_read_only_when_they_are_the_users_own(tmp_path: Path) -> None:
    own = write(tmp_path / "own", "x", 0o600)
    assert read.read_private(own) == "x"
    with pytest.raises(FileError, match="open to other users"):
        read.read_private(write(tmp_path / "open", "x", 0o644))
    link = tmp_path / "link"
    link.symlink_to(own)
    with pytest.raises(FileError):
        read.read_private(link)
    with pytest.raises(FileError, match="more than aws-mfa ever writes"):
        read.read_private(write(tmp_path / "big", "x" * (read.PRIVATE_MAX_SIZE + 1)))
    assert read.read_private(tmp_path / "missing") is None


def test_a_broken_used_code_memory_is_empty(tmp_path: Path) -> None:
    memory = used_codes.UsedCodes(write(tmp_path / "used.json", DEEP))
    assert not memory.used_now(DEVICE)
    memory.record(DEVICE, "123456")
    assert memory.used_now(DEVICE)


def test_a_used_code_memory_that_cannot_be_saved_is_one_warning_without_the_code(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "used.json"
    path.mkdir()  # a folder where the file should be: the save fails
    memory = used_codes.UsedCodes(path)
    memory.record(DEVICE, "123456")
    err = capsys.readouterr().err
    assert err.startswith("WARNING - The memory of MFA codes sent was not saved: ")
    assert err.count("\n") == 1
    assert "123456" not in err


def test_an_sts_answer_expiring_later_than_sts_ever_allows_is_refused() -> None:
    now = datetime.now(timezone.utc)
    credentials = {"AccessKeyId": "ASIA1", "SecretAccessKey": "s", "SessionToken": "t"}
    late = {
        "Credentials": {**credentials, "Expiration": datetime(9999, 12, 31, tzinfo=timezone.utc)}
    }
    assert sts.answer_problem(late, now) == "an Expiration later than any session STS gives"
    fine = {"Credentials": {**credentials, "Expiration": now + timedelta(hours=36)}}
    assert sts.answer_problem(fine, now) is None


# The hostile-input pass of issue 30.


def test_a_refusal_dated_in_the_future_counts_as_now_and_is_pruned(tmp_path: Path) -> None:
    """A refusal recorded before the clock was set back: once seen, it is dated now, so no
    run that starts later fails with it, and it ages out like any other."""
    now = [1_800_000_000.0]
    path = tmp_path / "used.json"
    why = "its zenity dialog was cancelled"
    write(path, json.dumps({"refused": {DEVICE: [now[0] + 30 * 86400, why]}}))
    memory = used_codes.UsedCodes(path, clock=lambda: now[0])

    assert memory.refused_since(DEVICE, now[0] - 5) == why  # the runs waiting now: as if just
    assert json.loads(path.read_text())["refused"][DEVICE] == [now[0], why]
    now[0] += 10
    assert memory.refused_since(DEVICE, now[0] - 1) is None  # a run that started later asks
    now[0] += used_codes.KEEP
    memory.record(OTHER_DEVICE, "123456")
    assert "refused" not in json.loads(path.read_text())  # pruned


JOURNAL = {
    "section": "dev-long-term",
    "user": "alice",
    "arn": "arn:aws:iam::123456789012:user/alice",
    "step": "written",
    "started": "2026-12-01T10:00:00Z",
    "old_key_id": LONG_TERM_KEY_ID,
    "old_secret": LONG_TERM_SECRET,
    "keychain": False,
    "keep_old": False,
    "new_key_id": "AKIANEWKEY000000TEST",
    "new_secret": "new/secret",
    "new_created": "2026-12-01T10:00:05Z",
}


@pytest.mark.parametrize(
    ("change", "problem"),
    [
        ({"step": 5}, "its step is not text on one line"),
        ({"step": "done"}, "its step is none of creating, created, written"),
        ({"keychain": "no"}, "its keychain is not true or false"),
        ({"keep_old": 0}, "its keep_old is not true or false"),
        ({"old_key_id": 123}, "its old_key_id is not text on one line"),
        ({"new_secret": None}, "its new_secret is not text on one line"),
        ({"section": ["dev-long-term"]}, "its section is not text on one line"),
        ({"credentials_file": "a\u0000b"}, "its credentials_file is not text on one line"),
        ({"user": ...}, "it has no user"),
        (None, "not a JSON object"),
    ],
)
def test_a_rotation_journal_of_the_wrong_shape_is_refused_before_any_code(
    credentials: Path,
    home: Path,
    aws_mfa: AwsMfa,
    strict_sts: StrictSts,
    change: dict[str, object] | None,
    problem: str,
) -> None:
    """The rule of the guide: whatever can fail is checked before a code is asked for."""
    write(credentials, long_term("dev-long-term"))
    journals = rotation.Journals(str(home / ".aws" / "aws-mfa-rotations"))
    path = Path(journals.path(str(credentials), "dev-long-term"))
    data: object = [JOURNAL]
    if change is not None:
        data = {"credentials_file": str(credentials), **JOURNAL, **change}
        data = {name: value for name, value in data.items() if value is not ...}
    (home / ".aws" / "aws-mfa-rotations").mkdir(mode=0o700)
    write(path, json.dumps(data))
    before = credentials.read_bytes()

    result = aws_mfa("-p", "dev", "rotate", "--yes", "--token", "123456")

    assert result.code == 3, result.stderr
    no_internal_error(result.stderr)
    assert result.error_lines == [
        f"ERROR - the rotation journal '{path}' is not one aws-mfa wrote ({problem}"
        + result.error_lines[0].partition(problem)[2]
    ]
    assert "nothing was asked or sent" in result.error_lines[0]
    assert strict_sts.calls == []
    assert credentials.read_bytes() == before


@pytest.mark.parametrize(
    ("yaml", "problem"),
    [
        ("dev:\n  account: " + "[" * 5000 + "\n", "line 2: nested more than 10 deep"),
        ("dev:\n  region: " + "{a: " * 300 + "\n", "line 2: nested more than 10 deep"),
        ("dev:\n" + "".join(f"{' ' * n}k{n}:\n" for n in range(2, 40)), "nested more than"),
        ("dev:\n  account: " + "1" * 5000 + "\n", "line 2: a whole number of more than 40"),
        ("dev:\n  expiry: 0x" + "f" * 5000 + "\n", "line 2: a whole number of more than 40"),
        ("? " + "9" * 5000 + "\n: {}\n", "line 1: a whole number of more than 40 characters"),
        ("dev:\n  expiry: " + ":".join(["59"] * 3000) + "\n", "a whole number of more than"),
        ("dev:\n  account: 2026-13-45\n", "line 2: not a date or time"),
        ("dev:\n  expiry: !!int abc\n", "line 2: not a whole number"),
        ("dev:\n  expiry: !!int [" + "1, " * 1000 + "]\n", "line 2: expected a scalar node"),
    ],
)
def test_a_hostile_yaml_settings_file_is_one_line_with_exit_3(
    credentials: Path,
    home: Path,
    aws_mfa: AwsMfa,
    strict_sts: StrictSts,
    yaml: str,
    problem: str,
) -> None:
    write(credentials, long_term("dev-long-term"))
    settings = write(home / ".aws" / "aws-mfa.yaml", yaml)
    before = credentials.read_bytes()

    result = aws_mfa("-p", "dev", "-c", "123456")

    assert result.code == 3, result.stderr
    no_internal_error(result.stderr)
    assert len(result.error_lines) == 1, result.stderr
    assert result.error_lines[0].startswith(f"ERROR - {settings}, ")
    assert problem in result.error_lines[0]
    assert result.error_lines[0].endswith("; fix the YAML")
    assert strict_sts.calls == []
    assert credentials.read_bytes() == before
