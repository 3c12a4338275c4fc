"""Issue 25: ``aws-mfa rotate``, a new access key without ever being locked out.

Every test runs against moto's IAM and STS on loopback, with the layer of
tests/iam_layer.py: only active IAM keys authenticate, with their real
signature, a new key only after ``lag`` refusals, and IAM calls only with
a session bought with an MFA code. Every run logs at DEBUG, and besides the
conftest's scan, every secret of every key IAM made is looked for in what
it printed (:func:`no_secret_printed`).
"""

from __future__ import annotations

import configparser
import functools
import json
import stat
import sys
from pathlib import Path

import pytest

from aws_mfa import rotation
from aws_mfa.demo import LocalSts
from aws_mfa.files import ini
from aws_mfa.key_age import KEY_CREATED
from aws_mfa.sessions.mfa_sessions import MfaSessions
from tests.conftest import (
    DEVICE,
    LONG_TERM_KEY_ID,
    LONG_TERM_SECRET,
    POSIX,
    AwsMfa,
    Result,
    long_term,
    run,
    write,
)
from tests.iam_layer import USER_ARN, IamLayer, add_key, iam, moto_keys
from tests.secret_service import SecretService

__all__ = ["iam"]  # fixtures, used by name

SECTION = "default-long-term"
ORIGINAL = (
    "# my keys\n" + long_term(SECTION) + "region = eu-west-1\n\n[other]\nregion = us-east-1\n"
)
CODE = "123456"


@pytest.fixture
def keys_file(credentials: Path) -> Path:
    return write(credentials, ORIGINAL)


def journals(home: Path) -> list[Path]:
    folder = home / ".aws" / "aws-mfa-rotations"
    return sorted(folder.glob("*.json")) if folder.is_dir() else []


def section_values(path: Path) -> dict[str, str]:
    return ini.parse(path.read_text(), str(path)).values(SECTION) or {}


def no_secret_printed(layer: IamLayer, *results: Result) -> None:
    for result in results:
        for secret in layer.secrets | {LONG_TERM_SECRET}:
            assert secret not in result.stdout + result.stderr, "a key's secret was printed"


def authenticates(sts: LocalSts, key_id: str, secret: str) -> bool:
    """Whether STS (with the layer) accepts this key pair: GetCallerIdentity names alice."""
    import boto3
    from botocore.exceptions import ClientError

    client = boto3.client(
        "sts",
        endpoint_url=sts.url,
        region_name="us-east-1",
        aws_access_key_id=key_id,
        aws_secret_access_key=secret,
    )
    try:
        return client.get_caller_identity()["Arn"] == USER_ARN
    except ClientError:
        return False


def file_key_works(sts: LocalSts, path: Path, keychain: object = None) -> bool:
    values = section_values(path)
    key_id = values["aws_access_key_id"]
    secret = values.get("aws_secret_access_key") or keychain.get(key_id)  # type: ignore[attr-defined]
    return bool(secret) and authenticates(sts, key_id, secret)


def one_error(result: Result, code: int) -> str:
    assert result.code == code, result.stderr
    assert len(result.error_lines) == 1, result.stderr
    assert "Traceback" not in result.stderr
    return result.error_lines[0]


def test_rotate_replaces_the_key_and_deletes_the_old_one(
    aws_mfa_in_process: AwsMfa, keys_file: Path, iam: IamLayer, sts: LocalSts, home: Path
) -> None:
    result = aws_mfa_in_process("rotate", "--yes", "--token", CODE)

    assert result.code == 0, result.stderr
    values = section_values(keys_file)
    new_id = values["aws_access_key_id"]
    assert new_id != LONG_TERM_KEY_ID
    assert list(moto_keys()) == [new_id]  # the old key is deleted
    assert file_key_works(sts, keys_file)
    assert not authenticates(sts, LONG_TERM_KEY_ID, LONG_TERM_SECRET)
    # Every other line is kept; the key's creation time is recorded.
    text = keys_file.read_text()
    assert text.startswith("# my keys\n[default-long-term]\naws_access_key_id = ")
    assert f"aws_mfa_device = {DEVICE}\nregion = eu-west-1\n" in text
    assert f"{KEY_CREATED} = " in text
    assert text.endswith("\n[other]\nregion = us-east-1\n")
    # The old file is in the backup folder, and no journal is left.
    backups = list((keys_file.parent / "credentials_backup").iterdir())
    assert len(backups) == 1
    assert LONG_TERM_SECRET in backups[0].read_text()
    assert journals(home) == []
    assert "Rotated [default-long-term]" in result.stderr
    assert "keep working until they expire" in result.stderr
    no_secret_printed(iam, result)


def test_no_code_is_spent_while_the_mfa_session_lasts(
    aws_mfa_in_process: AwsMfa, keys_file: Path, iam: IamLayer, home: Path
) -> None:
    """A login buys the MFA session; rotate uses it, and keeps it for the new key."""
    assert aws_mfa_in_process("--token", CODE).code == 0

    result = aws_mfa_in_process("rotate", "--yes")  # no code, no terminal

    assert result.code == 0, result.stderr
    assert iam.strict.count("GetSessionToken") == 1
    values = section_values(keys_file)
    from datetime import datetime, timezone

    cache = MfaSessions(str(home / ".aws" / "aws-mfa-sessions"))
    now = datetime.now(timezone.utc)
    new = values["aws_access_key_id"], values["aws_secret_access_key"]
    assert cache.get(new[0], new[1], DEVICE, now, 0) is not None  # re-keyed
    assert [entry.access_key_id for entry in cache.entries()] == [new[0]]  # the old one gone
    # The next rotation, from the new key, uses the same session: still one code in all.
    again = aws_mfa_in_process("rotate", "--yes")
    assert again.code == 0, again.stderr
    assert iam.strict.count("GetSessionToken") == 1
    assert section_values(keys_file)["aws_access_key_id"] not in (LONG_TERM_KEY_ID, new[0])
    assert keys_file.read_text().count(KEY_CREATED) == 1
    no_secret_printed(iam, result, again)


def test_it_asks_first_and_needs_yes_without_a_terminal(
    aws_mfa_in_process: AwsMfa, keys_file: Path, iam: IamLayer
) -> None:
    error = one_error(aws_mfa_in_process("rotate", "--token", CODE), 4)
    assert "--yes" in error
    assert keys_file.read_text() == ORIGINAL
    assert iam.strict.calls == []  # nothing asked of STS, no code spent


def test_two_keys_are_refused_naming_the_unused_one(
    aws_mfa_in_process: AwsMfa, keys_file: Path, iam: IamLayer, home: Path
) -> None:
    other = add_key()

    error = one_error(aws_mfa_in_process("rotate", "--yes", "--token", CODE), 5)

    assert "two access keys already" in error
    assert f"...{other[-4:]}, which the file does not name (active, never used)" in error
    assert "aws iam delete-access-key --user-name alice" in error
    assert keys_file.read_text() == ORIGINAL
    assert sorted(moto_keys()) == sorted([LONG_TERM_KEY_ID, other])  # none made, none deleted
    assert journals(home) == []


@pytest.mark.parametrize("action", ["ListAccessKeys", "CreateAccessKey"])
def test_access_denied_names_the_permission_and_changes_nothing(
    aws_mfa_in_process: AwsMfa, keys_file: Path, iam: IamLayer, home: Path, action: str
) -> None:
    iam.denied.add(action)

    error = one_error(aws_mfa_in_process("rotate", "--yes", "--token", CODE), 5)

    assert f"IAM denied iam:{action} to user alice" in error
    assert keys_file.read_text() == ORIGINAL
    assert list(moto_keys()) == [LONG_TERM_KEY_ID]
    assert journals(home) == []


def test_a_denied_delete_leaves_the_new_key_working_and_a_rerun_finishes(
    aws_mfa_in_process: AwsMfa, keys_file: Path, iam: IamLayer, sts: LocalSts, home: Path
) -> None:
    iam.denied.add("DeleteAccessKey")

    error = one_error(aws_mfa_in_process("rotate", "--yes", "--token", CODE), 5)

    assert "iam:DeleteAccessKey" in error
    assert file_key_works(sts, keys_file)  # the file names the new key, proven
    assert len(moto_keys()) == 2
    assert moto_keys()[LONG_TERM_KEY_ID].status == "Inactive"
    iam.denied.clear()
    result = aws_mfa_in_process("rotate")  # no --yes, no code: it finishes the journal
    assert result.code == 0, result.stderr
    assert list(moto_keys()) == [section_values(keys_file)["aws_access_key_id"]]
    assert journals(home) == []


def test_a_user_iam_cannot_find_is_one_line(
    aws_mfa_in_process: AwsMfa, keys_file: Path, iam: IamLayer
) -> None:
    iam.identity_user = "alice-renamed"

    error = one_error(aws_mfa_in_process("rotate", "--yes", "--token", CODE), 5)

    assert "IAM cannot find user 'alice-renamed'" in error
    assert keys_file.read_text() == ORIGINAL


class BotocoreWaits:
    """botocore's ``time`` where it waits between the attempts of a call: the waits are
    recorded, not slept (the attempts, their count and the outcome are botocore's own)."""

    def __init__(self) -> None:
        import time

        self.time, self.waits = time, []

    def __getattr__(self, name: str) -> object:
        return getattr(self.time, name)

    def sleep(self, seconds: float) -> None:
        self.waits.append(seconds)


def test_throttling_is_retried_then_reported(
    aws_mfa_in_process: AwsMfa,
    keys_file: Path,
    iam: IamLayer,
    home: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    botocore_time = BotocoreWaits()
    monkeypatch.setattr("botocore.endpoint.time", botocore_time)
    iam.throttled["CreateAccessKey"] = 10

    error = one_error(aws_mfa_in_process("rotate", "--yes", "--token", CODE), 6)

    assert "IAM is throttling requests (gave up on CreateAccessKey after 3 attempts)" in error
    assert len(botocore_time.waits) >= 2  # botocore waited before each attempt after the first
    assert keys_file.read_text() == ORIGINAL
    assert list(moto_keys()) == [LONG_TERM_KEY_ID]
    # The journal stays (did IAM make a key?); the rerun sees it made none, and rotates.
    assert len(journals(home)) == 1
    iam.throttled = {"ListAccessKeys": 2}  # retried by botocore: no error
    result = aws_mfa_in_process("rotate")
    assert result.code == 0, result.stderr
    assert journals(home) == []
    assert list(moto_keys()) != [LONG_TERM_KEY_ID]


def test_the_new_key_is_proven_before_the_file_names_it(
    aws_mfa_in_process: AwsMfa,
    keys_file: Path,
    iam: IamLayer,
    sts: LocalSts,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """IAM's eventual consistency: STS refuses a new key for a while; rotate waits, saying so.

    The wait is recorded, not slept (as BotocoreWaits records botocore's)."""
    iam.lag = 1  # refused once, whatever the time it takes: accepted at the second attempt
    waits: list[float] = []
    monkeypatch.setattr(
        "aws_mfa.commands.rotate.Rotation", functools.partial(rotation.Rotation, sleep=waits.append)
    )

    result = aws_mfa_in_process("rotate", "--yes", "--token", CODE)

    assert result.code == 0, result.stderr
    assert iam.refused_new >= 1
    assert waits == [1.0]  # one wait, the first of the doubling waits, before the second attempt
    assert "Waiting for IAM to spread the new key" in result.stderr
    assert "trying again in 1 s" in result.stderr
    assert file_key_works(sts, keys_file)


def test_a_key_that_never_works_is_rolled_back_by_the_rerun(
    aws_mfa_in_process: AwsMfa,
    keys_file: Path,
    iam: IamLayer,
    home: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    iam.lag = 10_000
    monkeypatch.setattr(rotation, "PROOF_TIMEOUT", 0.5)

    first = aws_mfa_in_process("rotate", "--yes", "--token", CODE)

    assert "still holds the old key ...ERM1, which works" in one_error(first, 6)
    assert keys_file.read_text() == ORIGINAL
    assert len(moto_keys()) == 2
    assert len(journals(home)) == 1
    second = aws_mfa_in_process("rotate")
    assert "rolled back" in one_error(second, 6)
    assert keys_file.read_text() == ORIGINAL
    assert list(moto_keys()) == [LONG_TERM_KEY_ID]
    assert journals(home) == []
    no_secret_printed(iam, first, second)


def test_keep_old_leaves_the_old_key_inactive(
    aws_mfa_in_process: AwsMfa, keys_file: Path, iam: IamLayer
) -> None:
    result = aws_mfa_in_process("rotate", "--yes", "--keep-old", "--token", CODE)

    assert result.code == 0, result.stderr
    assert moto_keys()[LONG_TERM_KEY_ID].status == "Inactive"
    assert "kept, inactive (--keep-old)" in result.stderr
    # The next rotation names the inactive key as the one to remove.
    error = one_error(aws_mfa_in_process("rotate", "--yes"), 5)
    assert "...ERM1, which the file does not name (inactive" in error


@pytest.mark.posix(reason="a symbolic link (Windows needs a privilege to make one)")
def test_the_journal_is_private_and_a_link_is_refused(
    aws_mfa_in_process: AwsMfa, keys_file: Path, iam: IamLayer, home: Path, tmp_path: Path
) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir(mode=0o700)
    (home / ".aws" / "aws-mfa-rotations").symlink_to(elsewhere)

    error = one_error(aws_mfa_in_process("rotate", "--yes", "--token", CODE), 3)

    assert "a symbolic link" in error
    assert keys_file.read_text() == ORIGINAL
    assert iam.strict.calls == []


@pytest.mark.posix(reason="mode bits (Windows keeps access in ACLs)")
def test_a_journal_others_may_read_is_not_trusted(
    aws_mfa_in_process: AwsMfa, keys_file: Path, iam: IamLayer, home: Path
) -> None:
    iam.denied.add("DeleteAccessKey")  # stops with the journal in place
    aws_mfa_in_process("rotate", "--yes", "--token", CODE)
    [journal] = journals(home)
    before = keys_file.read_bytes()
    journal.chmod(0o644)
    iam.denied.clear()

    error = one_error(aws_mfa_in_process("rotate"), 3)

    assert "open to other users" in error
    assert keys_file.read_bytes() == before
    assert len(moto_keys()) == 2  # the old key was not touched


def test_a_journal_is_0600_in_a_0700_folder(
    aws_mfa_in_process: AwsMfa, keys_file: Path, iam: IamLayer, home: Path
) -> None:
    iam.denied.add("DeleteAccessKey")  # stops with the journal in place
    aws_mfa_in_process("rotate", "--yes", "--token", CODE)

    [journal] = journals(home)
    if POSIX:  # Windows keeps access in ACLs, not in these bits
        assert stat.S_IMODE(journal.stat().st_mode) == 0o600
        assert stat.S_IMODE(journal.parent.stat().st_mode) == 0o700
    data = json.loads(journal.read_text())
    assert data["step"] == "inactive"
    assert data["old_secret"] == LONG_TERM_SECRET


def test_botocore_and_0012_readers_ignore_the_key_age(
    aws_mfa_in_process: AwsMfa, keys_file: Path, iam: IamLayer
) -> None:
    assert aws_mfa_in_process("rotate", "--yes", "--token", CODE).code == 0
    values = section_values(keys_file)

    import botocore.session

    session = botocore.session.Session(profile=SECTION)
    session.set_config_variable("credentials_file", str(keys_file))
    found = session.get_credentials()
    assert (found.access_key, found.secret_key) == (
        values["aws_access_key_id"],
        values["aws_secret_access_key"],
    )
    # aws-mfa 0.0.12 reads the section with configparser, by the keys it knows.
    parser = configparser.RawConfigParser()
    parser.read(keys_file)
    assert parser.get(SECTION, "aws_access_key_id") == values["aws_access_key_id"]


def test_status_and_doctor_show_the_key_age(
    aws_mfa_in_process: AwsMfa, keys_file: Path, iam: IamLayer
) -> None:
    # Unknown in the file: doctor asks IAM with the cached MFA session (200 days old).
    assert aws_mfa_in_process("--token", CODE).code == 0
    doctor = aws_mfa_in_process("doctor")
    assert doctor.code == 9
    assert "[default-long-term]" in doctor.stdout
    assert "200 days old (IAM says)" in doctor.stdout
    assert "rotate it with 'aws-mfa -p default rotate'" in doctor.stdout
    patient = aws_mfa_in_process("doctor", "--key-max-age", "365")
    assert patient.code == 0
    assert "ok       [default-long-term] in" in patient.stdout

    assert aws_mfa_in_process("rotate", "--yes").code == 0
    status = aws_mfa_in_process("status")
    assert "KEY AGE" in status.stdout
    assert "today" in status.stdout
    listed = json.loads(aws_mfa_in_process("status", "--json").stdout)
    [row] = [row for row in listed if row["kind"] == "long_term"]
    assert row["key_age_days"] == 0
    assert row["key_created"].endswith("Z")
    doctor = aws_mfa_in_process("doctor")
    assert "created today (aws_mfa_key_created)" in doctor.stdout


def test_doctor_asks_iam_only_with_a_cached_session(
    aws_mfa_in_process: AwsMfa, keys_file: Path, iam: IamLayer
) -> None:
    doctor = aws_mfa_in_process("doctor")
    assert "age of access key ...ERM1 is unknown" in doctor.stdout
    assert iam.strict.calls == []  # no session bought, IAM not asked


CHECKPOINTS = list(rotation.CHECKPOINTS)
KILL_AT = str(Path(__file__).with_name("kill_at.py"))


def rotate_killed_at(step: str, aws_mfa: AwsMfa, *args: str, **env: str) -> Result:
    """``aws-mfa rotate ARGS`` in a process of its own, which SIGKILLs itself at ``step``
    (tests/kill_at.py: aws-mfa's main, given a checkpoint that kills)."""
    return run([sys.executable, KILL_AT, step, "rotate", *args], {**aws_mfa.env, **env})


@pytest.mark.e2e
@pytest.mark.parametrize("checkpoint", CHECKPOINTS)
def test_a_kill_at_any_step_leaves_a_working_key_and_the_rerun_converges(
    aws_mfa: AwsMfa,
    aws_mfa_in_process: AwsMfa,
    keys_file: Path,
    iam: IamLayer,
    sts: LocalSts,
    home: Path,
    checkpoint: str,
) -> None:
    killed = rotate_killed_at(checkpoint, aws_mfa, "--yes", "--token", CODE)

    assert killed.code == -9, killed.stderr
    assert file_key_works(sts, keys_file)
    assert len(journals(home)) == 1
    rerun = aws_mfa_in_process("rotate")  # no --yes, no code: it finishes from the journal
    assert rerun.code == 0, rerun.stderr
    assert "Finishing the rotation" in rerun.stderr or checkpoint == "before-create"
    new_id = section_values(keys_file)["aws_access_key_id"]
    assert new_id != LONG_TERM_KEY_ID
    assert list(moto_keys()) == [new_id]
    assert file_key_works(sts, keys_file)
    assert journals(home) == []
    assert iam.strict.count("GetSessionToken") == 1  # the one code, before the kill
    no_secret_printed(iam, killed, rerun)


def test_the_checkpoints_are_documented_and_the_tool_reads_no_test_hook() -> None:
    """The kill is injected (tests/kill_at.py): the shipped package reads no variable for it."""
    root = Path(__file__).resolve().parent.parent
    text = root.joinpath("docs", "rotation.md").read_text()
    for name in CHECKPOINTS:
        assert f"`{name}`" in text
    hook = "AWS_MFA_" + "TEST_KILL_AT"
    assert not [path for path in root.joinpath("aws_mfa").rglob("*.py") if hook in path.read_text()]


def test_no_step_names_a_key_in_its_log_unmasked(
    aws_mfa_in_process: AwsMfa, keys_file: Path, iam: IamLayer
) -> None:
    result = aws_mfa_in_process("rotate", "--yes", "--token", CODE)
    assert result.code == 0
    new_id = section_values(keys_file)["aws_access_key_id"]
    assert new_id not in result.stderr
    assert LONG_TERM_KEY_ID not in result.stderr
    assert "DEBUG - " in result.stderr  # the environment fixture logs at DEBUG


@pytest.mark.e2e
def test_the_keychain_path_keeps_every_secret_out_of_the_file_and_the_journal(
    aws_mfa: AwsMfa,
    credentials: Path,
    iam: IamLayer,
    sts: LocalSts,
    home: Path,
    secret_service: SecretService,
) -> None:
    """A secret in the OS keychain (a real Secret Service): the new one goes there too, a
    kill right after CreateAccessKey leaves the old key working, the rerun finishes."""
    imported = ORIGINAL.replace(
        f"aws_secret_access_key = {LONG_TERM_SECRET}\n", "aws_mfa_secret = keychain\n"
    )
    write(credentials, imported)
    secret_service.set(LONG_TERM_KEY_ID, LONG_TERM_SECRET)
    env = secret_service.environment()

    killed = rotate_killed_at("after-create", aws_mfa, "--yes", "--token", CODE, **env)

    assert killed.code == -9, killed.stderr
    assert file_key_works(sts, credentials, secret_service)
    [journal] = journals(home)
    data = json.loads(journal.read_text())
    assert (data["old_secret"], data["new_secret"]) == ("", "")  # both in the keychain
    rerun = aws_mfa("rotate", **env)
    assert rerun.code == 0, rerun.stderr
    values = section_values(credentials)
    new_id = values["aws_access_key_id"]
    assert list(moto_keys()) == [new_id]
    assert values["aws_mfa_secret"] == "keychain"
    assert "aws_secret_access_key" not in values
    assert secret_service.get(new_id) == moto_keys()[new_id].secret_access_key
    assert secret_service.get(LONG_TERM_KEY_ID) is None  # the old entry is gone
    assert file_key_works(sts, credentials, secret_service)
    assert journals(home) == []
    for copy in (credentials.parent / "credentials_backup").iterdir():
        assert secret_service.get(new_id) not in copy.read_text()
    no_secret_printed(iam, killed, rerun)


def test_keys_in_the_profiles_own_section_are_rotated_too(
    aws_mfa_in_process: AwsMfa, credentials: Path, iam: IamLayer, sts: LocalSts
) -> None:
    """[default] holding the keys, as 'aws configure' leaves them (--long-term-suffix none)."""
    write(credentials, long_term("default") + "output = json\n")

    result = aws_mfa_in_process("rotate", "--long-term-suffix", "none", "--yes", "--token", CODE)

    assert result.code == 0, result.stderr
    values = ini.parse(credentials.read_text(), "").values("default") or {}
    assert values["aws_access_key_id"] != LONG_TERM_KEY_ID
    assert values["output"] == "json"
    assert authenticates(sts, values["aws_access_key_id"], values["aws_secret_access_key"])


def test_an_iam_that_cannot_be_reached_is_one_line(
    aws_mfa_in_process: AwsMfa, keys_file: Path, iam: IamLayer, home: Path
) -> None:
    import socket

    with socket.socket() as closed:  # a port nothing listens on
        closed.bind(("127.0.0.1", 0))
        port = closed.getsockname()[1]
    result = aws_mfa_in_process(
        "rotate", "--yes", "--token", CODE, AWS_ENDPOINT_URL_IAM=f"http://127.0.0.1:{port}"
    )

    error = one_error(result, 6)
    assert "IAM cannot be reached on ListAccessKeys" in error
    assert "AWS_ENDPOINT_URL_IAM" in error
    assert keys_file.read_text() == ORIGINAL
    assert journals(home) == []


def test_iam_that_never_answers_is_cut_off_at_mfa_sts_timeout(
    aws_mfa_in_process: AwsMfa, keys_file: Path, iam: IamLayer, home: Path
) -> None:
    """Rotation's IAM calls are bounded by MFA_STS_TIMEOUT, as every STS call is."""
    import socket
    import threading

    release = threading.Event()
    with socket.socket() as silent:  # accepts, reads, never answers
        silent.bind(("127.0.0.1", 0))
        silent.listen()
        port = silent.getsockname()[1]

        def hold() -> None:
            connection, _ = silent.accept()
            with connection:
                release.wait(30)

        holding = threading.Thread(target=hold, daemon=True)
        holding.start()
        try:
            result = aws_mfa_in_process(
                "rotate",
                "--yes",
                "--token",
                CODE,
                AWS_ENDPOINT_URL_IAM=f"http://127.0.0.1:{port}",
                MFA_STS_TIMEOUT="0.5",
            )
        finally:
            release.set()
            holding.join(5)

    error = one_error(result, 6)
    assert "IAM did not answer in time on ListAccessKeys (within 0.5 seconds)" in error
    assert keys_file.read_text() == ORIGINAL
    assert journals(home) == []
