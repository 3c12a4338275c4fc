"""Issue 34: the long-term secret in a password manager (``aws_mfa_secret = command``).

aws-mfa runs in-process; the password managers are the stand-ins of
tests/fake_managers.py, real programs on PATH that write down every call
(argv and environment), so these tests start processes (e2e) and need
POSIX's ``#!`` to start them. The local STS checks every signature against
the test keys' real secret: a renewal that did not use the secret the
command printed fails. conftest's scan looks for the secret in all output.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from aws_mfa import system
from aws_mfa.demo import LocalSts
from aws_mfa.files import ini
from tests import fake_managers
from tests.conftest import (
    AWS_MFA,
    DEVICE,
    LONG_TERM_KEY_ID,
    LONG_TERM_SECRET,
    AwsMfa,
    Result,
    new_window,
    run_with_terminal,
    write,
)
from tests.iam_layer import IamLayer, iam, moto_keys
from tests.test_rotate import authenticates, rotate_killed_at

__all__ = ["iam"]  # a fixture, used by name

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.posix(reason="the stand-in password managers are #! scripts"),
]

CODE = "123456"
SECTION = "default-long-term"
RECIPES = {
    "op": "op read op://Private/aws-dev/secret-access-key",
    "pass": "pass show aws/dev",
    "bw": "bw get password aws-dev",
    "keepassxc-cli": "keepassxc-cli show -s -a password --no-password -k db.keyx db.kdbx aws-dev",
    "rbw": "rbw get aws-dev",
}
ENTRY = {
    "op": "Private/aws-dev/secret-access-key",
    "pass": "aws/dev",
    "bw": "aws-dev",
    "keepassxc-cli": "aws-dev",
    "rbw": "aws-dev",
}


def section(read: str, store: str | None = None) -> str:
    text = (
        f"# my keys\n[{SECTION}]\naws_access_key_id = {LONG_TERM_KEY_ID}\n"
        f"aws_mfa_secret = command\naws_mfa_secret_command = {read}\n"
    )
    if store:
        text += f"aws_mfa_secret_store_command = {store}\n"
    return text + f"aws_mfa_device = {DEVICE}\n\n[other]\nregion = eu-west-1\n"


@pytest.fixture
def vault(home: Path) -> Path:
    return home / "vault.json"


@pytest.fixture
def managers(home: Path, vault: Path) -> dict[str, str]:
    entries = {entry: LONG_TERM_SECRET for entry in ENTRY.values()}
    return fake_managers.install(home / "bin", vault, entries)


def secret_travelled_only_by_pipes(vault: Path, *secrets: str) -> None:
    """No call of a password manager had a secret on its command line or in its
    environment."""
    for call in fake_managers.calls(vault):
        text = json.dumps(call)
        for secret in secrets:
            assert secret not in text, "a secret was on a command line or in an environment"


def one_error(result: Result, code: int) -> str:
    assert result.code == code, result.stderr
    assert len(result.error_lines) == 1, result.stderr
    assert "Traceback" not in result.stderr
    return result.error_lines[0]


def untouched_but_secret(home: Path, *others: str) -> None:
    """No file under the home holds the secret, nor ``others`` (the vault apart)."""
    for path in home.rglob("*"):
        if path.is_file() and path.name != "vault.json" and path.parent.name != "bin":
            text = path.read_text(errors="replace")
            for secret in (LONG_TERM_SECRET, *others):
                assert secret not in text, path.name


@pytest.mark.parametrize("tool", list(RECIPES))
def test_a_renewal_reads_the_secret_once_with_each_recipe(
    tool: str,
    aws_mfa_in_process: AwsMfa,
    credentials: Path,
    managers: dict[str, str],
    vault: Path,
    home: Path,
) -> None:
    write(credentials, section(RECIPES[tool]))
    env = {**managers, "BW_SESSION": "unlocked-session"}

    first = aws_mfa_in_process("--token", CODE, **env)
    again = aws_mfa_in_process(**env)  # valid: no backend runs

    assert first.code == 0, first.stderr
    assert again.code == 0, again.stderr
    assert len(fake_managers.calls(vault)) == 1
    assert "aws_mfa_secret = command\n" in credentials.read_text()
    secret_travelled_only_by_pipes(vault, LONG_TERM_SECRET)
    untouched_but_secret(home)


@pytest.mark.parametrize(
    ("read", "says"),
    [
        ("pass show locked", "failed with exit code 1"),
        ("bw get password aws-dev", "failed with exit code 1"),  # no BW_SESSION: locked
        ("op read op://garbage", "cannot be a secret access key"),
        ("rbw get empty", "printed nothing"),
        ("keepassxc-cli show -s -a password db.kdbx aws-dev", "failed with exit code 1"),
        ("no-such-manager get aws-dev", "was not found"),
        ("pass show 'aws/dev", "cannot be split into words"),
    ],
)
def test_a_failing_command_is_one_line_and_nothing_is_spent(
    read: str,
    says: str,
    aws_mfa_in_process: AwsMfa,
    credentials: Path,
    managers: dict[str, str],
    sts: object,
    home: Path,
) -> None:
    write(credentials, section(read))
    before = credentials.read_bytes()

    result = aws_mfa_in_process("--token", CODE, **managers)

    line = one_error(result, 12 if "split" not in says else 3)
    assert says in line
    assert f"[{SECTION}]" in line
    assert "ERROR" not in line.partition(" - ")[2]  # what the command printed is not shown
    assert sts.actions() == []  # type: ignore[attr-defined]
    assert not (home / ".aws" / "aws-mfa-used-codes.json").exists()  # no code was spent
    assert credentials.read_bytes() == before


def test_a_command_that_never_ends_is_stopped_at_the_secret_timeout(
    aws_mfa_in_process: AwsMfa, credentials: Path, managers: dict[str, str], sts: object
) -> None:
    write(credentials, section("pass show hang"))

    result = aws_mfa_in_process("--token", CODE, "--secret-timeout", "1", **managers)

    line = one_error(result, 12)
    assert "did not finish within 1 seconds" in line
    assert sts.actions() == []  # type: ignore[attr-defined]


def test_a_role_from_the_mfa_session_reads_no_secret(
    aws_mfa_in_process: AwsMfa,
    credentials: Path,
    managers: dict[str, str],
    vault: Path,
    home: Path,
) -> None:
    write(credentials, section(RECIPES["pass"]).replace("[other]", "[default]"))
    config = home / ".aws" / "config"
    write(
        config,
        "[profile admin]\nrole_arn = arn:aws:iam::123456789012:role/admin\n"
        "source_profile = default\n",
    )

    first = aws_mfa_in_process("-p", "admin", "export", "--token", CODE, **managers)
    again = aws_mfa_in_process("-p", "admin", "export", **managers)

    assert first.code == 0, first.stderr
    assert again.code == 0, again.stderr
    assert len(fake_managers.calls(vault)) == 1, again.stderr  # the second run read none
    for cached in (home / ".aws" / "aws-mfa-sessions").glob("role-*.json"):
        cached.unlink()  # the role forgotten: assumed again from the session in [default]
    third = aws_mfa_in_process("-p", "admin", "export", **managers)
    assert third.code == 0, third.stderr
    assert "Using role" not in third.stderr
    assert len(fake_managers.calls(vault)) == 1, third.stderr


def test_rotate_keeps_the_new_secret_with_the_store_command(
    aws_mfa_in_process: AwsMfa,
    credentials: Path,
    managers: dict[str, str],
    vault: Path,
    iam: IamLayer,
    home: Path,
) -> None:
    write(credentials, section("pass show aws/dev", "pass insert -m -f aws/dev"))

    result = aws_mfa_in_process("rotate", "--yes", "--token", CODE, **managers)

    assert result.code == 0, result.stderr
    [new_id] = list(moto_keys())
    assert new_id != LONG_TERM_KEY_ID
    new_secret = moto_keys()[new_id].secret_access_key
    assert fake_managers.entries(vault)["aws/dev"] == new_secret + "\n"
    text = credentials.read_text()
    assert f"aws_access_key_id = {new_id}\n" in text
    assert new_secret not in text
    assert "aws_secret_access_key" not in text
    stores = [call for call in fake_managers.calls(vault) if "insert" in call["argv"]]
    assert len(stores) == 1
    secret_travelled_only_by_pipes(vault, LONG_TERM_SECRET, new_secret)
    untouched_but_secret(home, new_secret)  # the journal held it until the store, then went
    assert not list((home / ".aws" / "aws-mfa-rotations").glob("*.json"))
    for secret in iam.secrets:
        assert secret not in result.stderr


def test_rotate_without_a_store_command_refuses_before_create_access_key(
    aws_mfa_in_process: AwsMfa,
    credentials: Path,
    managers: dict[str, str],
    vault: Path,
    iam: IamLayer,
    sts: object,
) -> None:
    write(credentials, section("pass show aws/dev"))
    before = credentials.read_bytes()

    result = aws_mfa_in_process("rotate", "--yes", "--token", CODE, **managers)

    line = one_error(result, 3)
    assert "aws_mfa_secret_store_command" in line
    assert list(moto_keys()) == [LONG_TERM_KEY_ID]
    assert sts.actions() == []  # type: ignore[attr-defined]
    assert fake_managers.calls(vault) == []
    assert credentials.read_bytes() == before


def in_file(store: str = "pass insert -m -f aws/new", read: str = "pass show aws/new") -> str:
    return (
        f"# my keys\n[{SECTION}]\naws_access_key_id = {LONG_TERM_KEY_ID}\n"
        f"aws_secret_access_key = {LONG_TERM_SECRET}\n"
        f"aws_mfa_secret_command = {read}\naws_mfa_secret_store_command = {store}\n"
        f"aws_mfa_device = {DEVICE}\n"
    )


def test_import_to_command_stores_reads_back_proves_then_edits(
    aws_mfa_in_process: AwsMfa,
    credentials: Path,
    managers: dict[str, str],
    vault: Path,
    sts: object,
) -> None:
    write(credentials, in_file())

    result = aws_mfa_in_process("keychain", "import", "--to", "command", **managers)

    assert result.code == 0, result.stderr
    assert fake_managers.entries(vault)["aws/new"] == LONG_TERM_SECRET + "\n"
    assert credentials.read_text() == in_file().replace(
        f"aws_secret_access_key = {LONG_TERM_SECRET}\n", "aws_mfa_secret = command\n"
    )
    assert sts.actions() == ["GetCallerIdentity"]  # type: ignore[attr-defined]
    argvs = [call["argv"] for call in fake_managers.calls(vault)]
    assert argvs == [["pass", "insert", "-m", "-f", "aws/new"], ["pass", "show", "aws/new"]]
    secret_travelled_only_by_pipes(vault, LONG_TERM_SECRET)

    login = aws_mfa_in_process("--token", CODE, **managers)  # the moved secret works
    assert login.code == 0, login.stderr
    back = aws_mfa_in_process("keychain", "export", **managers)
    assert back.code == 0, back.stderr
    assert credentials.read_text().count(LONG_TERM_SECRET) == 1


@pytest.mark.parametrize(
    ("store", "read", "code", "says"),
    [
        ("pass insert -m -f forgetful", "pass show forgetful", 12, "does not give back"),
        ("pass insert -m -f aws/new", "pass show locked", 12, "failed with exit code 1"),
        ("no-such-manager insert", "pass show aws/new", 12, "was not found"),
    ],
)
def test_an_import_that_fails_at_any_step_leaves_the_file_as_it_was(
    store: str,
    read: str,
    code: int,
    says: str,
    aws_mfa_in_process: AwsMfa,
    credentials: Path,
    managers: dict[str, str],
) -> None:
    write(credentials, in_file(store, read))
    before = credentials.read_bytes()

    result = aws_mfa_in_process("keychain", "import", "--to", "command", **managers)

    assert says in one_error(result, code)
    assert credentials.read_bytes() == before


def test_an_import_sts_refuses_leaves_the_file_as_it_was(
    aws_mfa_in_process: AwsMfa, credentials: Path, managers: dict[str, str], sts: object
) -> None:
    write(credentials, in_file())
    before = credentials.read_bytes()
    sts.secrets = {LONG_TERM_KEY_ID: "another/secret/than/the/one/in/the/file00"}  # type: ignore[attr-defined]

    result = aws_mfa_in_process("keychain", "import", "--to", "command", **managers)

    assert "the credentials file was not changed" in one_error(result, 5)
    assert credentials.read_bytes() == before


def test_the_terminal_is_the_commands_stdin_and_taken_back_from_a_command_first() -> None:
    """keepassxc-cli reads the database's password from stdin: the terminal, when aws-mfa has
    one (a pipe stands in for it). Lent to exec --server's command, it is taken back first,
    so that the password manager is its one reader, and lent again after."""
    import os

    reader, writer = os.pipe()
    os.write(writer, b"typed password\n")
    os.close(writer)
    events: list[str] = []

    class Relay(system.Lender):
        def borrow(self) -> None:
            events.append("borrowed")

        def give_back(self) -> None:
            events.append("given back")

    saved = system.open_device
    system.open_device = lambda: system.Terminal(reader, reader)  # type: ignore[assignment]
    try:
        with Relay():
            status, printed = system.run_captured(
                ["sh", "-c", "read line; printf '%s\\n' \"$line\""], timeout=10
            )
    finally:
        system.open_device = saved  # type: ignore[assignment]
    assert (status, printed) == (0, b"typed password\n")
    assert events == ["borrowed", "given back"]


def test_doctor_names_each_backend_and_check_secrets_reads_once_showing_nothing(
    aws_mfa_in_process: AwsMfa, credentials: Path, managers: dict[str, str], vault: Path
) -> None:
    write(credentials, section(RECIPES["pass"]))

    plain = aws_mfa_in_process("doctor", **managers)
    checked = aws_mfa_in_process("doctor", "--check-secrets", **managers)

    assert "[default-long-term] keeps its secret access key in a password manager" in plain.stdout
    assert "(pass)" in plain.stdout
    assert "has no aws_mfa_secret_store_command: 'aws-mfa rotate' needs one" in plain.stdout
    assert "the command gave a secret access key (not shown)" in checked.stdout
    assert "keyring backends usable here:" in checked.stdout
    assert len(fake_managers.calls(vault)) == 1  # doctor alone reads nothing


def test_the_keyring_backend_named_in_the_section_keeps_the_secret(
    aws_mfa_in_process: AwsMfa, credentials: Path, home: Path
) -> None:
    root = Path(__file__).resolve().parent.parent
    store = home / "test-keyring.json"
    entries = {f"aws-mfa/{LONG_TERM_KEY_ID}": LONG_TERM_SECRET}
    store.write_text(json.dumps({"entries": entries, "reads": 0}))
    write(
        credentials,
        f"[{SECTION}]\naws_access_key_id = {LONG_TERM_KEY_ID}\naws_mfa_secret = keychain\n"
        "aws_mfa_keyring_backend = tests.keyring_backends.FileKeyring\n"
        f"aws_mfa_device = {DEVICE}\n",
    )
    env = dict(aws_mfa_in_process.env)
    del env["PYTHON_KEYRING_BACKEND"]  # conftest's "no keychain": the section chooses
    run = type(aws_mfa_in_process)(env)

    result = run("--token", CODE, PYTHONPATH=str(root), AWS_MFA_TEST_KEYRING=str(store))

    assert result.code == 0, result.stderr
    assert json.loads(store.read_text())["reads"] == 1


def test_a_keyring_backend_that_is_not_installed_is_one_line(
    aws_mfa_in_process: AwsMfa, credentials: Path
) -> None:
    write(
        credentials,
        f"[{SECTION}]\naws_access_key_id = {LONG_TERM_KEY_ID}\naws_mfa_secret = keychain\n"
        f"aws_mfa_device = {DEVICE}\n",
    )

    result = aws_mfa_in_process(
        "--token", CODE, PYTHON_KEYRING_BACKEND="keyring_onepassword.OnePassword"
    )

    line = one_error(result, 10)
    assert "keyring_onepassword.OnePassword cannot be loaded" in line


def test_setup_offers_a_password_manager_and_checks_it_gives_the_secret_back(
    credentials: Path, environment: dict[str, str], managers: dict[str, str], vault: Path
) -> None:
    secret = "setup/secret/of/forty/characters/00000000"
    replies = [
        ("Profile name [default]: ", "dev\n"),
        ("aws_access_key_id: ", "AKIASETUPKEY00000001\n"),
        ("aws_secret_access_key: ", f"{secret}\n"),
        ("like arn:aws:iam::123456789012:mfa/NAME: ", DEVICE + "\n"),
        ("(Enter keeps it in the file): ", "pass show aws/setup\n"),
        ("(Enter for none): ", "pass insert -m -f aws/setup\n"),
    ]

    env = {**environment, **managers, "AWS_REGION": "eu-west-1"}  # no region is asked for
    result = run_with_terminal([AWS_MFA, "--setup"], env, replies)

    assert result.code == 0, result.stderr
    assert secret not in result.terminal + result.stderr
    assert credentials.read_text() == (
        "[dev-long-term]\naws_access_key_id = AKIASETUPKEY00000001\n"
        "aws_mfa_secret = command\naws_mfa_secret_command = pass show aws/setup\n"
        "aws_mfa_secret_store_command = pass insert -m -f aws/setup\n"
        f"aws_mfa_device = {DEVICE}\n"
    )
    assert fake_managers.entries(vault)["aws/setup"] == secret + "\n"
    secret_travelled_only_by_pipes(vault, secret)


def test_setup_writes_nothing_when_the_command_does_not_give_the_secret(
    credentials: Path, environment: dict[str, str], managers: dict[str, str]
) -> None:
    replies = [
        ("Profile name [default]: ", "dev\n"),
        ("aws_access_key_id: ", "AKIASETUPKEY00000001\n"),
        ("aws_secret_access_key: ", "setup/secret/of/forty/characters/00000000\n"),
        ("like arn:aws:iam::123456789012:mfa/NAME: ", DEVICE + "\n"),
        ("(Enter keeps it in the file): ", "pass show aws/dev\n"),  # holds another secret
        ("(Enter for none): ", "\n"),
    ]

    env = {**environment, **managers, "AWS_REGION": "eu-west-1"}  # no region is asked for
    result = run_with_terminal([AWS_MFA, "--setup"], env, replies)

    assert result.code == 12, result.stderr
    assert "does not print the secret access key just typed; nothing was written" in result.stderr
    assert not credentials.exists()


def test_a_secret_sts_rejects_is_named_as_the_password_managers(
    aws_mfa_in_process: AwsMfa, credentials: Path, managers: dict[str, str], vault: Path
) -> None:
    wrong = "another/secret/than/the/key/has/000000000"
    write(credentials, section("rbw get stale"))
    vault.write_text(json.dumps({"stale": wrong}))

    result = aws_mfa_in_process("--token", CODE, **managers)

    line = one_error(result, 5)
    assert "the secret key that aws_mfa_secret_command printed" in line
    assert "the password manager's entry is wrong or out of date" in line
    assert wrong not in result.stderr


def test_export_stored_reads_the_secret_with_the_command(
    aws_mfa_in_process: AwsMfa, credentials: Path, managers: dict[str, str], vault: Path
) -> None:
    write(credentials, section(RECIPES["rbw"]).replace(f"[{SECTION}]", "[keys]"))

    result = aws_mfa_in_process("-p", "keys", "export", "--stored", **managers)

    assert result.code == 0, result.stderr
    printed = json.loads(result.stdout)
    assert (printed["AccessKeyId"], printed["SecretAccessKey"]) == (
        LONG_TERM_KEY_ID,
        LONG_TERM_SECRET,
    )
    assert len(fake_managers.calls(vault)) == 1


@pytest.mark.parametrize("step", ["after-create", "after-prove", "after-write", "after-deactivate"])
def test_a_rotation_killed_at_any_step_leaves_a_working_key_and_the_rerun_finishes(
    step: str,
    aws_mfa: AwsMfa,
    aws_mfa_in_process: AwsMfa,
    credentials: Path,
    managers: dict[str, str],
    vault: Path,
    iam: IamLayer,
    sts: LocalSts,
    home: Path,
) -> None:
    write(credentials, section("pass show aws/dev", "pass insert -m -f aws/dev"))

    killed = rotate_killed_at(step, aws_mfa, "--yes", "--token", CODE, **managers)

    assert killed.code == -9, killed.stderr
    assert works(sts, credentials, vault)
    rerun = aws_mfa_in_process("rotate", **managers)
    assert rerun.code == 0, rerun.stderr
    [new_id] = list(moto_keys())
    assert new_id != LONG_TERM_KEY_ID
    assert works(sts, credentials, vault)
    new_secret = moto_keys()[new_id].secret_access_key
    secret_travelled_only_by_pipes(vault, LONG_TERM_SECRET, new_secret)
    assert not list((home / ".aws" / "aws-mfa-rotations").glob("*.json"))
    untouched_but_secret(home, new_secret)


def works(sts: LocalSts, credentials: Path, vault: Path) -> bool:
    """The key the file names signs with the secret the password manager holds."""
    values = ini.parse(credentials.read_text(), "c").values(SECTION) or {}
    secret = fake_managers.entries(vault)["aws/dev"].strip()
    return authenticates(sts, values["aws_access_key_id"], secret)


def test_the_secret_is_read_before_a_code_is_asked_for(
    aws_mfa: AwsMfa, credentials: Path, managers: dict[str, str], sts: LocalSts
) -> None:
    """With no code given and no terminal, a locked vault is what the run says, not the
    missing code: the secret comes first, the code last. What the password manager says on
    its stderr reaches the user (a process shows it: in-process, the child writes to the
    test's own stderr)."""
    write(credentials, section("pass show locked"))

    result = aws_mfa(**managers)

    assert "vault is locked" in result.stderr  # the password manager's own message
    line = one_error(result, 12)
    assert "pass" in line
    assert sts.actions() == []


def test_status_shows_where_the_secret_is(
    aws_mfa_in_process: AwsMfa, credentials: Path, managers: dict[str, str], vault: Path
) -> None:
    write(credentials, section(RECIPES["pass"]))

    result = aws_mfa_in_process("status", **managers)

    assert result.code == 0, result.stderr
    assert "command" in result.stdout
    assert fake_managers.calls(vault) == []


def test_a_role_refused_from_the_session_reads_the_secret_once_and_asks_for_a_code(
    aws_mfa_in_process: AwsMfa,
    credentials: Path,
    managers: dict[str, str],
    vault: Path,
    home: Path,
    sts: LocalSts,
) -> None:
    """A trust policy that wants a recent MFA (aws:MultiFactorAuthAge) refuses the role to
    the session in [default]: the secret is read then, once, and the role assumed from the
    long-term keys with a code, as without a password manager."""
    from aws_mfa.demo import sts_error

    write(credentials, section(RECIPES["pass"]).replace("[other]", "[default]"))
    write(
        home / ".aws" / "config",
        "[profile admin]\nrole_arn = arn:aws:iam::123456789012:role/admin\n"
        "source_profile = default\nregion = eu-west-1\n",
    )
    assert aws_mfa_in_process("--token", CODE, **managers).code == 0  # [default]'s session
    new_window(home)

    def refuse_from_a_session(params: dict[str, str]) -> tuple[int, str] | None:
        if params.get("Action") == "AssumeRole" and params["@session_token"]:
            return sts_error("AccessDenied", "MultiFactorAuthAge is too old", 403)
        return None

    sts.responder = refuse_from_a_session
    result = aws_mfa_in_process("-p", "admin", "export", "--token", "654321", **managers)

    assert result.code == 0, result.stderr
    assert "Reading the long-term secret: " in result.stderr
    assert len(fake_managers.calls(vault)) == 2  # the login's, and this one's
