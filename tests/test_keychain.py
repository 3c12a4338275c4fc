"""Issue 15: the long-term secret in the OS keychain (``aws-mfa keychain import|export``).

Most tests run aws-mfa's main in-process (``aws_mfa_in_process``) with a real
keychain: gnome-keyring's Secret Service on a private D-Bus
(tests/secret_service.py), reached through keyring exactly as on a Linux
desktop; the installed aws-mfa in a process of its own shows the same with
an import and a renewal, and the terminal of ``--setup``. The local STS checks every signature
made with the test keys' id against their real secret, so a renewal that did
not use the secret from the keychain fails. The small backends of
tests/keyring_backends.py play what a real daemon makes awkward: a refused
unlock, a failing keychain, one that forgets, one that will not delete.

Every run logs at DEBUG and its output is searched for the secret
(conftest's secret scan always knows LONG_TERM_SECRET, wherever it lives).
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import pytest

from aws_mfa.demo import LocalSts
from aws_mfa.errors import FileError
from aws_mfa.files import ini
from aws_mfa.files.section_edit import replace_key
from tests.conftest import (
    AWS_MFA,
    DEVICE,
    LONG_TERM_KEY_ID,
    LONG_TERM_SECRET,
    TEST_KEYRING,
    AwsMfa,
    Result,
    long_term,
    run,
    run_in_process,
    run_with_terminal,
    session,
    write,
)
from tests.secret_service import SecretService

ROOT = Path(__file__).resolve().parent.parent
MASKED = "...ERM1"
ORIGINAL = "# my keys\n" + long_term("dev-long-term") + "\n[other]\nregion = eu-west-1\n"
IMPORTED = ORIGINAL.replace(
    f"aws_secret_access_key = {LONG_TERM_SECRET}\n", "aws_mfa_secret = keychain\n"
)


def plain_backend(name: str, home: Path) -> dict[str, str]:
    """The environment that makes aws-mfa use ``tests.keyring_backends.NAME``."""
    return {
        "PYTHON_KEYRING_BACKEND": f"tests.keyring_backends.{name}",
        "PYTHONPATH": str(ROOT),
        "AWS_MFA_TEST_KEYRING": str(home / TEST_KEYRING),
    }


def plain_keyring(home: Path) -> dict[str, object]:
    path = home / TEST_KEYRING
    return json.loads(path.read_text()) if path.exists() else {"entries": {}, "reads": 0}


def one_error(result: Result, code: int) -> str:
    assert result.code == code, result.stderr
    assert len(result.error_lines) == 1, result.stderr
    assert "Traceback" not in result.stderr
    return result.error_lines[0]


@pytest.fixture
def keychain(secret_service: SecretService) -> dict[str, str]:
    return secret_service.environment()


# import, renew, export with a real keychain


@pytest.mark.e2e  # the Secret Service is a daemon; aws-mfa runs in-process
def test_import_moves_the_secret_and_a_renewal_signs_with_it(
    credentials: Path,
    aws_mfa_in_process: AwsMfa,
    sts: LocalSts,
    secret_service: SecretService,
    keychain: dict[str, str],
) -> None:
    write(credentials, ORIGINAL)
    result = aws_mfa_in_process("-p", "dev", "keychain", "import", **keychain)
    assert result.code == 0, result.stderr
    assert credentials.read_text() == IMPORTED
    assert LONG_TERM_SECRET.encode() not in credentials.read_bytes()
    assert secret_service.get(LONG_TERM_KEY_ID) == LONG_TERM_SECRET
    assert f"Moved the secret access key of {MASKED} in [dev-long-term]" in result.stderr
    assert sts.requests == []

    renewed = aws_mfa_in_process("-p", "dev", "--token", "123456", **keychain)
    assert renewed.code == 0, renewed.stderr
    assert [r["@key_id"] for r in sts.requests] == [LONG_TERM_KEY_ID]  # its signature checked
    text = credentials.read_text()
    assert text.startswith(IMPORTED)
    assert ini.parse(text, "c").values("dev")["aws_session_token"]
    assert LONG_TERM_SECRET not in text


def test_export_gives_back_the_file_byte_for_byte(
    credentials: Path,
    aws_mfa_in_process: AwsMfa,
    secret_service: SecretService,
    keychain: dict[str, str],
) -> None:
    original = ORIGINAL.replace("\n", "\r\n").replace(" = ", "=", 2).encode()
    write(credentials, original)
    assert aws_mfa_in_process("-p", "dev", "keychain", "import", **keychain).code == 0
    assert b"aws_mfa_secret" in credentials.read_bytes()
    result = aws_mfa_in_process("-p", "dev", "keychain", "export", **keychain)
    assert result.code == 0, result.stderr
    assert credentials.read_bytes() == original
    assert secret_service.get(LONG_TERM_KEY_ID) is None
    assert "Deleted its keychain entry" in result.stderr


def test_import_and_export_again_change_nothing(
    credentials: Path, aws_mfa_in_process: AwsMfa, keychain: dict[str, str]
) -> None:
    write(credentials, ORIGINAL)
    assert aws_mfa_in_process("-p", "dev", "keychain", "import", **keychain).code == 0
    again = aws_mfa_in_process("-p", "dev", "keychain", "import", **keychain)
    assert again.code == 0, again.stderr
    assert "already in the keychain" in again.stderr
    assert credentials.read_text() == IMPORTED
    assert aws_mfa_in_process("-p", "dev", "keychain", "export", **keychain).code == 0
    again = aws_mfa_in_process("-p", "dev", "keychain", "export", **keychain)
    assert again.code == 0, again.stderr
    assert "in the file already" in again.stderr
    assert credentials.read_text() == ORIGINAL


KEYS = f"aws_access_key_id = {LONG_TERM_KEY_ID}\naws_secret_access_key = {LONG_TERM_SECRET}\n"
LAYOUTS = {
    # The four layouts of docs/layouts.md, each with what chooses its long-term section.
    "0.0.12": (f"[dev-long-term]\n{KEYS}aws_mfa_device = {DEVICE}\n", "", ["-p", "dev"]),
    "source_profile": (
        f"[myaccountPermanent]\n{KEYS}\n[myaccount]\n",
        "[myaccount]\nsource_profile = myaccountPermanent\nregion = eu-west-1\n",
        ["-p", "myaccount"],
    ),
    "_permanent": (
        f"[dev_permanent]\n{KEYS}\n[dev]\naws_access_key_id =\naws_secret_access_key =\n"
        "aws_session_token =\n",
        f"[dev]\nmfa_serial = {DEVICE}\naws_mfa_long_term_section = dev_permanent\n",
        ["-p", "dev"],
    ),
    "prefixed": (f"[bob]\n{KEYS}", "", ["--long-term-section", "bob", "-p", "mfa-bob"]),
    # what doctor suggests for a section it cannot tie to a profile, [default] included
    "keys in [default]": (f"[default]\n{KEYS}", "", ["--long-term-section", "default"]),
}


@pytest.mark.parametrize("layout", LAYOUTS)
def test_round_trip_on_every_layout(
    layout: str,
    credentials: Path,
    home: Path,
    aws_mfa_in_process: AwsMfa,
    secret_service: SecretService,
    keychain: dict[str, str],
) -> None:
    text, config, choose = LAYOUTS[layout]
    write(credentials, text)
    if config:
        write(home / ".aws" / "config", config)
    result = aws_mfa_in_process(*choose, "keychain", "import", **keychain)
    assert result.code == 0, result.stderr
    assert credentials.read_text() == text.replace(
        f"aws_secret_access_key = {LONG_TERM_SECRET}\n", "aws_mfa_secret = keychain\n"
    )
    assert secret_service.get(LONG_TERM_KEY_ID) == LONG_TERM_SECRET
    result = aws_mfa_in_process(*choose, "keychain", "export", **keychain)
    assert result.code == 0, result.stderr
    assert credentials.read_text() == text


def test_backup_keeps_a_copy_on_import_and_says_it_holds_the_secret(
    credentials: Path, aws_mfa_in_process: AwsMfa, keychain: dict[str, str]
) -> None:
    write(credentials, ORIGINAL)
    result = aws_mfa_in_process("-p", "dev", "keychain", "import", "--backup", **keychain)
    assert result.code == 0, result.stderr
    copies = list((credentials.parent / "credentials_backup").iterdir())
    assert [copy.read_text() for copy in copies] == [ORIGINAL]
    assert "1 backup copy in" in result.stderr
    assert "still hold this secret in plaintext" in result.stderr


# failures: one line, the file unchanged, the keychain given back


def test_a_failed_edit_leaves_the_file_and_removes_the_new_entry(
    credentials: Path,
    aws_mfa_in_process: AwsMfa,
    secret_service: SecretService,
    keychain: dict[str, str],
) -> None:
    write(credentials, ORIGINAL)
    write(credentials.parent / "credentials_backup", "a file where the backup folder goes")
    result = aws_mfa_in_process("-p", "dev", "keychain", "import", "--backup", **keychain)
    error = one_error(result, 3)
    assert "cannot back up" in error
    assert f"the secret stays in the file, and its keychain entry ({MASKED}) was removed" in error
    assert credentials.read_text() == ORIGINAL
    assert secret_service.get(LONG_TERM_KEY_ID) is None


def test_a_failed_edit_leaves_an_entry_that_held_this_secret_already(
    credentials: Path,
    aws_mfa_in_process: AwsMfa,
    secret_service: SecretService,
    keychain: dict[str, str],
) -> None:
    write(credentials, ORIGINAL)
    write(credentials.parent / "credentials_backup", "a file where the backup folder goes")
    secret_service.set(LONG_TERM_KEY_ID, LONG_TERM_SECRET)  # another section's, say
    error = one_error(
        aws_mfa_in_process("-p", "dev", "keychain", "import", "--backup", **keychain), 3
    )
    assert "was left, as it held this secret already" in error
    assert secret_service.get(LONG_TERM_KEY_ID) == LONG_TERM_SECRET
    assert credentials.read_text() == ORIGINAL


def test_an_older_entry_with_another_secret_is_never_replaced(
    credentials: Path,
    aws_mfa_in_process: AwsMfa,
    secret_service: SecretService,
    keychain: dict[str, str],
) -> None:
    write(credentials, ORIGINAL)
    secret_service.set(LONG_TERM_KEY_ID, "an-older-entry")
    error = one_error(aws_mfa_in_process("-p", "dev", "keychain", "import", **keychain), 3)
    assert "already holds a different secret" in error
    assert secret_service.get(LONG_TERM_KEY_ID) == "an-older-entry"
    assert credentials.read_text() == ORIGINAL


def test_a_missing_entry_is_one_line_naming_the_key(
    credentials: Path,
    aws_mfa_in_process: AwsMfa,
    sts: LocalSts,
    secret_service: SecretService,
    keychain: dict[str, str],
) -> None:
    write(credentials, IMPORTED)
    for args in (["-p", "dev", "--token", "123456"], ["-p", "dev", "keychain", "export"]):
        error = one_error(aws_mfa_in_process(*args, **keychain), 3)
        assert f"has no entry for access key {MASKED}" in error
        assert "[dev-long-term]" in error
        assert credentials.read_text() == IMPORTED
    assert sts.requests == []


def test_a_secret_in_both_places_is_refused_until_imported(
    credentials: Path,
    aws_mfa_in_process: AwsMfa,
    sts: LocalSts,
    secret_service: SecretService,
    keychain: dict[str, str],
) -> None:
    both = ORIGINAL.replace("aws_mfa_device", "aws_mfa_secret = keychain\naws_mfa_device")
    write(credentials, both)
    error = one_error(aws_mfa_in_process("-p", "dev", "--token", "123456", **keychain), 3)
    assert "run 'aws-mfa keychain import'" in error
    assert sts.requests == []
    assert aws_mfa_in_process("-p", "dev", "keychain", "import", **keychain).code == 0
    assert LONG_TERM_SECRET not in credentials.read_text()
    assert secret_service.get(LONG_TERM_KEY_ID) == LONG_TERM_SECRET


def test_a_keychain_holding_another_secret_gets_the_renewal_refused(
    credentials: Path,
    aws_mfa_in_process: AwsMfa,
    sts: LocalSts,
    secret_service: SecretService,
    keychain: dict[str, str],
) -> None:
    # The local STS checks the signature: only the real secret signs a request it accepts.
    write(credentials, IMPORTED)
    secret_service.set(LONG_TERM_KEY_ID, "not/the/secret/of/this/key/000000000000000")
    error = one_error(aws_mfa_in_process("-p", "dev", "--token", "123456", **keychain), 5)
    assert "secret key kept in the OS keychain" in error
    assert "does not match" in error
    assert credentials.read_text() == IMPORTED


@pytest.mark.parametrize(
    ("chosen", "expected"),
    [
        (  # the backend named: in-process
            "keyring.backends.fail.Keyring",
            "PYTHON_KEYRING_BACKEND chooses keyring.backends.fail.Keyring",
        ),
        pytest.param(  # a Linux machine with no desktop session: what keyring finds by itself,
            # in a process, since keyring looks for the backends there are once a process
            None,
            "SecretService: Unable to initialize SecretService: Environment variable "
            "DBUS_SESSION_BUS_ADDRESS is unset",
            marks=pytest.mark.e2e,
        ),
    ],
)
def test_no_keychain_at_all_is_one_line_saying_what_to_install(
    credentials: Path,
    environment: dict[str, str],
    sts: LocalSts,
    chosen: str | None,
    expected: str,
) -> None:
    env = {key: value for key, value in environment.items() if key != "PYTHON_KEYRING_BACKEND"}
    if chosen:
        env["PYTHON_KEYRING_BACKEND"] = chosen
    elif sys.platform != "linux":  # keyring would find the real keychain of this machine
        pytest.fail("this case plays a Linux machine with no desktop session: run it on Linux")
    for text, args in ((IMPORTED, ["--token", "123456"]), (ORIGINAL, ["keychain", "import"])):
        write(credentials, text)
        runner = run_in_process if chosen else run
        error = one_error(runner([AWS_MFA, "-p", "dev", *args], env), 10)
        assert error.startswith("ERROR - no OS keychain to use:")
        assert expected in error
        assert "gnome-keyring or KWallet" in error
        assert "macOS and Windows have one built in" in error
        assert credentials.read_text() == text
    assert sts.requests == []


def test_a_macos_keychain_locked_over_ssh_says_unlock_it(
    credentials: Path, home: Path, aws_mfa_in_process: AwsMfa, sts: LocalSts
) -> None:
    env = plain_backend("MacKeychainLockedOverSsh", home)
    write(credentials, IMPORTED)
    error = one_error(aws_mfa_in_process("-p", "dev", "--token", "123456", **env), 10)
    assert "is locked and cannot ask to be unlocked here" in error
    assert "security unlock-keychain" in error
    assert MASKED in error
    assert credentials.read_text() == IMPORTED
    assert sts.requests == []


def test_a_refused_unlock_is_one_line(
    credentials: Path, home: Path, aws_mfa_in_process: AwsMfa, sts: LocalSts
) -> None:
    env = plain_backend("LockedKeyring", home)
    for text, args in ((IMPORTED, ["--token", "123456"]), (ORIGINAL, ["keychain", "import"])):
        write(credentials, text)
        error = one_error(aws_mfa_in_process("-p", "dev", *args, **env), 10)
        assert "stayed locked while" in error
        assert "the unlock was refused or cancelled" in error
        assert MASKED in error
        assert credentials.read_text() == text
    assert sts.requests == []


def test_a_keychain_that_fails_to_store_leaves_the_file(
    credentials: Path, home: Path, aws_mfa_in_process: AwsMfa
) -> None:
    write(credentials, ORIGINAL)
    error = one_error(
        aws_mfa_in_process(
            "-p", "dev", "keychain", "import", **plain_backend("BrokenKeyring", home)
        ),
        10,
    )
    assert "failed while storing the secret of access key ...ERM1" in error
    assert "KeyringError: the keychain daemon went away" in error
    assert credentials.read_text() == ORIGINAL


def test_a_keychain_that_does_not_give_the_secret_back_leaves_the_file(
    credentials: Path, home: Path, aws_mfa_in_process: AwsMfa
) -> None:
    write(credentials, ORIGINAL)
    env = plain_backend("ForgetfulKeyring", home)
    error = one_error(aws_mfa_in_process("-p", "dev", "keychain", "import", **env), 10)
    assert "did not give back the secret" in error
    assert credentials.read_text() == ORIGINAL


def test_an_entry_that_cannot_be_deleted_is_a_warning_after_export(
    credentials: Path, home: Path, aws_mfa_in_process: AwsMfa
) -> None:
    write(credentials, ORIGINAL)
    env = plain_backend("UndeletableKeyring", home)
    assert aws_mfa_in_process("-p", "dev", "keychain", "import", **env).code == 0
    result = aws_mfa_in_process("-p", "dev", "keychain", "export", **env)
    assert result.code == 0, result.stderr
    assert credentials.read_text() == ORIGINAL
    assert "its keychain entry could not be deleted" in result.stderr


def test_a_renewal_reads_the_keychain_once_and_a_valid_session_never(
    credentials: Path, home: Path, aws_mfa_in_process: AwsMfa, sts: LocalSts
) -> None:
    write(credentials, ORIGINAL)
    env = plain_backend("FileKeyring", home)
    assert aws_mfa_in_process("-p", "dev", "keychain", "import", **env).code == 0
    reads = plain_keyring(home)["reads"]
    assert aws_mfa_in_process("-p", "dev", "--token", "123456", **env).code == 0
    assert plain_keyring(home)["reads"] == reads + 1
    # Valid now: a locked keychain is not even asked.
    result = aws_mfa_in_process("-p", "dev", **plain_backend("LockedKeyring", home))
    assert result.code == 0, result.stderr
    assert "still valid" in result.stderr


# where it shows: status, doctor, --setup, completion, help


def test_status_shows_where_each_secret_is(
    credentials: Path, aws_mfa_in_process: AwsMfa, keychain: dict[str, str]
) -> None:
    write(
        credentials,
        IMPORTED + "\n" + long_term("prod-long-term") + "\n" + session("dev", "2099-01-01 0:0:0"),
    )
    result = aws_mfa_in_process("status")
    assert result.code == 0, result.stderr
    assert "LONG-TERM SECTION  ACCESS KEY  SECRET IN" in result.stdout
    rows = {line.split()[0]: line.split() for line in result.stdout.splitlines() if line}
    assert rows["dev-long-term"] == ["dev-long-term", MASKED, "keychain"]
    assert rows["prod-long-term"] == ["prod-long-term", MASKED, "file"]
    listed = json.loads(aws_mfa_in_process("status", "--json").stdout)
    assert [(row["section"], row["secret"]) for row in listed if row["kind"] == "long_term"] == [
        ("dev-long-term", "keychain"),
        ("prod-long-term", "file"),
    ]
    one = json.loads(aws_mfa_in_process("status", "-p", "dev", "--json").stdout)
    assert (one["long_term_section"], one["long_term_secret"]) == ("dev-long-term", "keychain")


def test_doctor_hints_at_plaintext_secrets_and_checks_the_keychain(
    credentials: Path,
    aws_mfa_in_process: AwsMfa,
    sts: LocalSts,
    secret_service: SecretService,
    keychain: dict[str, str],
) -> None:
    write(credentials, IMPORTED + "\n" + long_term("prod-long-term"))
    gone = aws_mfa_in_process(
        "doctor", **keychain
    )  # the section says keychain; the keychain has nothing
    assert gone.code == 9
    assert "but the keychain has no entry for access key ...ERM1" in gone.stdout
    secret_service.set(LONG_TERM_KEY_ID, LONG_TERM_SECRET)
    result = aws_mfa_in_process("doctor", **keychain)
    assert result.code == 0, result.stdout
    assert "ok       [dev-long-term] keeps its secret access key in the OS keychain" in (
        result.stdout
    )
    assert (
        f"note     [prod-long-term] in {credentials} holds its secret access key in plaintext; "
        "'aws-mfa -p prod keychain import' moves it into the OS keychain"
    ) in result.stdout
    missing = aws_mfa_in_process("doctor")  # the conftest's default: no keychain at all
    assert missing.code == 9
    assert "[dev-long-term] keep their secret in the keychain, but no OS keychain" in (
        missing.stdout
    )


@pytest.mark.parametrize("answer", ["y", ""])
@pytest.mark.e2e
def test_setup_offers_the_keychain_when_there_is_one(
    answer: str,
    credentials: Path,
    environment: dict[str, str],
    secret_service: SecretService,
    keychain: dict[str, str],
) -> None:
    replies = [
        ("Profile name [default]: ", "dev\n"),
        ("aws_access_key_id: ", f"{LONG_TERM_KEY_ID}\n"),
        ("aws_secret_access_key: ", f"{LONG_TERM_SECRET}\n"),
        ("like arn:aws:iam::123456789012:mfa/NAME: ", DEVICE + "\n"),
        ("in the OS keychain (SecretService Keyring) instead of the file? [y/N]: ", answer + "\n"),
    ]
    if not answer:  # then a password manager is offered
        replies.append(("(Enter keeps it in the file): ", "\n"))
    region = {"AWS_REGION": "eu-west-1"}  # the AWS tools' region: none is asked for
    result = run_with_terminal([AWS_MFA, "--setup"], {**environment, **keychain, **region}, replies)
    assert result.code == 0, result.stderr
    assert LONG_TERM_SECRET not in result.terminal + result.stderr
    secret_line = (
        "aws_mfa_secret = keychain" if answer else f"aws_secret_access_key = {LONG_TERM_SECRET}"
    )
    assert credentials.read_text() == (
        f"[dev-long-term]\naws_access_key_id = {LONG_TERM_KEY_ID}\n"
        f"{secret_line}\naws_mfa_device = {DEVICE}\n"
    )
    assert secret_service.get(LONG_TERM_KEY_ID) == (LONG_TERM_SECRET if answer else None)


def test_completion_and_help_know_the_command(aws_mfa_in_process: AwsMfa) -> None:
    for shell in ("bash", "zsh", "fish"):
        script = aws_mfa_in_process("completion", shell).stdout
        assert "keychain" in script, shell
        assert "import" in script
        assert "export" in script
    helped = aws_mfa_in_process("keychain", "--help")
    assert helped.code == 0
    assert "{import,export}" in helped.stdout
    assert "--backup" in helped.stdout
    error = one_error(aws_mfa_in_process("keychain"), 2)
    assert "aws-mfa keychain import|export" in error


# the edit itself: the secret's line becomes the marker's, and back, byte for byte

LINES = [
    "aws_secret_access_key = {}",
    "aws_secret_access_key={}",
    "aws_secret_access_key  :  {}   ",
    "AWS_SECRET_ACCESS_KEY = {}",
    "aws_secret_access_key\t=\t{}",
]


@pytest.mark.parametrize("line", LINES)
@pytest.mark.parametrize("eol", ["\n", "\r\n"])
@pytest.mark.parametrize("where", ["first", "middle", "last, no final newline"])
def test_the_secret_line_and_the_marker_replace_each_other_exactly(
    line: str, eol: str, where: str
) -> None:
    secret_line = line.format(LONG_TERM_SECRET)
    keys = ["aws_access_key_id = AKIA1", "region = x"]
    keys.insert({"first": 0, "middle": 1}.get(where, 2), secret_line)
    text = eol.join(
        ["; c", "[a]", *keys, "", "[b]", "k = v"]
        if where != "last, no final newline"
        else ["[a]", *keys]
    )
    text += eol if where != "last, no final newline" else ""
    moved = replace_key(
        ini.parse(text, "t"), "a", "aws_secret_access_key", "aws_mfa_secret", "keychain"
    )
    assert LONG_TERM_SECRET not in moved
    assert ini.parse(moved, "t").values("a") == {
        "aws_access_key_id": "AKIA1",
        "region": "x",
        "aws_mfa_secret": "keychain",
    }
    back = replace_key(
        ini.parse(moved, "t"), "a", "aws_mfa_secret", "aws_secret_access_key", LONG_TERM_SECRET
    )
    assert back == text


def test_a_secret_over_several_lines_is_not_moved() -> None:
    text = "[a]\naws_secret_access_key = one\n  two\n"
    with pytest.raises(FileError, match="runs over several lines"):
        replace_key(ini.parse(text, "t"), "a", "aws_secret_access_key", "aws_mfa_secret", "x")


def test_the_tests_keep_off_the_developers_keychain() -> None:
    assert os.environ["PYTHON_KEYRING_BACKEND"] == "keyring.backends.fail.Keyring"
    assert "DBUS_SESSION_BUS_ADDRESS" not in os.environ
