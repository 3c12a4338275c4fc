"""What a user already has, met on the first run (issue 21): sessions other tools wrote."""

from __future__ import annotations

import json
import shutil
import subprocess
from datetime import datetime, timezone
from pathlib import Path

import pytest

from aws_mfa.aws.config_file import ConfigProfile
from aws_mfa.aws.iam import Devices
from aws_mfa.cli.main import main
from aws_mfa.cli.prepare import pick
from aws_mfa.codes.mfa_code import read_code
from aws_mfa.commands.doctor import NOTE, PROBLEM, long_term_secrets, sessions
from aws_mfa.commands.setup import add_region, ask_device, has_region_variable
from aws_mfa.demo import LocalSts
from aws_mfa.errors import FileError, UsageError
from aws_mfa.files import ini
from aws_mfa.files.read import read_ini
from aws_mfa.profiles import move_keys
from aws_mfa.sessions.renewal import long_term_keys
from aws_mfa.settings.resolve import Flags, chosen_profile, resolve
from tests.conftest import (
    AWS_CLI,
    AWS_MFA,
    BIN,
    DEVICE,
    LONG_TERM_KEY_ID,
    LONG_TERM_SECRET,
    AwsMfa,
    Result,
    check_no_secrets,
    long_term,
    new_window,
    run,
    run_in_process,
    run_with_terminal,
    write,
)
from tests.strict_sts import StrictSts, strict_sts

__all__ = ["strict_sts"]  # the fixture, used by name

NOW = datetime(2026, 11, 22, tzinfo=timezone.utc)
ROOT = Path(__file__).resolve().parent.parent

MFA_LOGIN_SESSION = (
    "[dev]\n"
    "aws_access_key_id = ASIAFROMMFALOGIN0001\n"
    "aws_secret_access_key = from/mfa/login/secret\n"
    "aws_session_token = from-mfa-login-token\n"
)
"""A session as `aws configure mfa-login` (AWS CLI v2.30.3 and later) writes it: no expiration."""


def test_a_session_from_aws_configure_mfa_login_is_renewed_with_its_reason(
    credentials: Path, aws_mfa_in_process: AwsMfa, strict_sts: StrictSts
) -> None:
    write(credentials, long_term("dev-long-term") + "\n" + MFA_LOGIN_SESSION)

    result = aws_mfa_in_process("-p", "dev", "-c", "123456")

    assert result.code == 0, result.stderr
    assert result.error_lines == []
    assert (
        "Renewing: [dev] holds a session with no expiration (as 'aws configure mfa-login' "
        "writes them), so the time it has left cannot be known"
    ) in result.stderr
    document = ini.parse(credentials.read_text(), str(credentials))
    assert list(document.sections) == ["dev-long-term", "dev"]  # renewed in place, no copy
    assert document.values("dev")["aws_access_key_id"].startswith("ASIASTRICT")
    assert "FROMMFALOGIN" not in credentials.read_text()


# Messages that tell the next step (issue 21, item 5).


@pytest.mark.parametrize(
    ("words", "message"),
    [
        (["--profle", "dev"], "unknown option --profle: did you mean --profile?"),
        (["status", "--jsn"], "unknown option --jsn: did you mean --json?"),
        (["--frobnicate"], "unknown option --frobnicate; see"),
        # no abbreviations: a prefix is not the option it starts
        (["--assume-rol", "arn:aws:iam::123456789012:role/x"], "did you mean --assume-role?"),
        (["--prof", "dev"], "unknown option --prof"),
    ],
)
def test_an_unknown_option_is_named_with_the_closest_one(
    words: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as stopped:
        main(words, {})
    assert stopped.value.code == 2
    err = capsys.readouterr().err
    assert message in err
    assert len(err.splitlines()) == 1


def test_pick_offers_a_profile_of_its_own_list(credentials: Path) -> None:
    document = ini.parse(long_term("dev-long-term") + long_term("ci-long-term"), "c")
    prompts: list[str] = []

    def enter(prompt: str) -> str:
        prompts.append(prompt)
        return "\n"

    now = datetime.now(timezone.utc)
    chosen = pick(document, {}, Flags(), now=now, min_ttl=300, ask=enter)
    assert chosen == "ci"
    assert prompts[0].endswith("Profile [ci]: ")


def test_differing_profile_variables_say_who_reads_which(
    capsys: pytest.CaptureFixture[str],
) -> None:
    chosen_profile(Flags(), {"AWS_DEFAULT_PROFILE": "a", "AWS_PROFILE": "b"})
    err = capsys.readouterr().err
    assert "as boto3 and the AWS CLI v1 do" in err
    assert "the AWS CLI v2 and the JavaScript and Go SDKs read AWS_PROFILE" in err


def test_a_code_asked_again_says_so_once() -> None:
    answers = ["12345", "1234567", "123456"]
    prompts: list[str] = []

    def typed(prompt: str) -> str:
        prompts.append(prompt)
        return answers.pop(0)

    assert read_code(None, "", typed, "Enter AWS MFA code: ") == "123456"
    assert prompts == [
        "Enter AWS MFA code: ",
        "That is not six digits. Enter AWS MFA code: ",
        "That is not six digits. Enter AWS MFA code: ",
    ]


@pytest.mark.parametrize(
    ("text", "hint"),
    [
        ("", "add it with your aws_access_key_id and aws_secret_access_key"),
        (
            long_term("dev-long-term"),
            "the file has long-term keys in [dev-long-term]: run 'aws-mfa -p dev'",
        ),
        (
            long_term("dev-long-term") + long_term("keys"),
            "the file has long-term keys in [dev-long-term], [keys]: run 'aws-mfa -p dev' or "
            "'aws-mfa --long-term-section keys'",
        ),
    ],
)
def test_a_missing_long_term_section_names_the_profiles_there_are(
    credentials: Path, text: str, hint: str
) -> None:
    write(credentials, text + "[other]\nregion = eu-west-1\n")
    document = read_ini(credentials)
    settings = resolve(Flags(credentials_file=str(credentials)), {}, document)
    with pytest.raises(FileError) as failed:
        long_term_keys(settings, document)
    assert "has no long-term section [default-long-term]; " + hint in failed.value.message


# Keys in [default], as `aws configure` leaves them (issue 21, item 1).

CONFIGURED = (
    "# written by aws configure\n"
    "[default]\n"
    f"aws_access_key_id = {LONG_TERM_KEY_ID}\n"
    f"aws_secret_access_key = {LONG_TERM_SECRET}\n"
    "region = eu-west-1\n"
)
MOVED = (
    "# written by aws configure\n"
    "[default]\n"
    "region = eu-west-1\n"
    "\n"
    "[default-long-term]\n"
    f"aws_access_key_id = {LONG_TERM_KEY_ID}\n"
    f"aws_secret_access_key = {LONG_TERM_SECRET}\n"
)
MOVE_QUESTION = "Move them now? [Y/n]: "


def terminal(environment: dict[str, str], *args: str, replies: list[tuple[str, str]]) -> Result:
    result = run_with_terminal([AWS_MFA, *args], environment, replies)
    check_no_secrets([AWS_MFA, *args], environment, "", result)
    return result


@pytest.mark.e2e
def test_keys_in_default_move_on_a_terminal_and_the_login_goes_on(
    credentials: Path, environment: dict[str, str], aws_cli: AwsMfa, strict_sts: StrictSts
) -> None:
    write(credentials, CONFIGURED)
    replies = [(MOVE_QUESTION, "\n"), ("Enter AWS MFA code", "123456\n")]

    result = terminal(environment, "--backup", "--device", DEVICE, replies=replies)

    assert result.code == 0, result.stderr
    (copy, *_) = sorted((credentials.parent / "credentials_backup").iterdir())
    assert copy.read_text() == CONFIGURED  # the move honours --backup
    assert "[default] in " in result.terminal
    assert "it moves aws_access_key_id, aws_secret_access_key there" in result.terminal
    text = credentials.read_text()
    assert text.startswith(MOVED.split("\n\n")[0])  # every byte before the session stays
    assert text.count(LONG_TERM_SECRET) == 1  # moved, never copied
    document = ini.parse(text, str(credentials))
    assert document.values("default-long-term") == {
        "aws_access_key_id": LONG_TERM_KEY_ID,
        "aws_secret_access_key": LONG_TERM_SECRET,
    }
    assert document.values("default")["region"] == "eu-west-1"
    assert document.values("default")["aws_access_key_id"].startswith("ASIASTRICT")
    identity = aws_cli("sts", "get-caller-identity")  # the AWS CLI uses the session
    assert identity.code == 0, identity.stderr


@pytest.mark.e2e
def test_after_the_move_a_login_asks_for_the_device_and_goes_on(
    credentials: Path, environment: dict[str, str], strict_sts: StrictSts
) -> None:
    """Issue 32: after the [default] move the run stopped with "no MFA device given"; now it
    asks for the device there, as --setup does, says what it is, and writes it down."""
    write(credentials, CONFIGURED)
    replies = [
        (MOVE_QUESTION, "\n"),
        ("MFA device ARN", f"{DEVICE}\n"),
        ("Enter AWS MFA code", "123456\n"),
    ]
    result = terminal(environment, replies=replies)
    assert result.code == 0, result.stderr
    assert "the ARN of your MFA device (what the AWS CLI calls mfa_serial)" in result.stderr
    document = ini.parse(credentials.read_text(), "c")
    assert (document.values("default-long-term") or {})["aws_mfa_device"] == DEVICE
    assert (document.values("default") or {})["aws_access_key_id"].startswith("ASIASTRICT")
    assert strict_sts.calls[-1] == "GetSessionToken"  # after the device look-up, one code
    assert strict_sts.calls.count("GetSessionToken") == 1


def test_keys_in_default_with_no_terminal_name_the_command_that_moves_them(
    credentials: Path, aws_mfa_in_process: AwsMfa, sts: LocalSts
) -> None:
    write(credentials, CONFIGURED)
    for args in ([], ["export", "--format", "process"]):
        result = aws_mfa_in_process(*args, "-c", "123456", "--device", DEVICE)
        assert result.code == 3, result.stderr
        assert len(result.error_lines) == 1
        assert (
            "move them to [default-long-term] with 'aws-mfa -p default --setup'"
            in (result.error_lines[0])
        )
    assert credentials.read_text() == CONFIGURED
    assert sts.requests == []


@pytest.mark.e2e
def test_keys_stay_where_they_are_when_the_move_is_declined(
    credentials: Path, environment: dict[str, str], sts: LocalSts
) -> None:
    write(credentials, CONFIGURED)
    result = terminal(environment, "--device", DEVICE, replies=[(MOVE_QUESTION, "n\n")])
    assert result.code == 2, result.stderr
    assert "nothing was changed (to move them later: aws-mfa -p default --setup)" in result.stderr
    assert credentials.read_text() == CONFIGURED
    assert sts.requests == []


@pytest.mark.e2e
def test_setup_moves_keys_and_never_copies_them(
    credentials: Path, home: Path, environment: dict[str, str]
) -> None:
    write(credentials, CONFIGURED)
    replies = [
        ("Profile name [default]: ", "\n"),
        (MOVE_QUESTION, "y\n"),
        ("MFA device ARN", f"{DEVICE}\n"),  # aws configure wrote none
        ("region [us-east-1]: ", "\n"),  # nor a config file here
    ]
    result = terminal(environment, "--setup", "--backup", replies=replies)
    assert result.code == 0, result.stderr
    assert (home / ".aws" / "config").read_text() == "[default]\nregion = us-east-1\n"
    assert "aws_access_key_id: " not in result.terminal  # no key was asked for
    assert credentials.read_text() == MOVED + f"aws_mfa_device = {DEVICE}\n"
    assert "Moved the long-term keys of [default] to [default-long-term]" in result.stderr


@pytest.mark.parametrize("answer", ["", "y", "Y", "yes"])
def test_the_move_takes_enter_or_yes_and_honours_backup(answer: str, credentials: Path) -> None:
    """What is typed at the question, in-process; the terminal tests above type Enter (with
    --backup) and n, and --setup's types y."""
    write(credentials, CONFIGURED)
    move_keys(
        credentials,
        "default",
        "default",
        "default-long-term",
        ask=lambda question: answer + "\n",
        backup=True,
    )
    assert credentials.read_text() == MOVED
    (copy,) = sorted((credentials.parent / "credentials_backup").iterdir())
    assert copy.read_text() == CONFIGURED


def test_doctor_and_pick_report_keys_in_default(
    credentials: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write(credentials, CONFIGURED)
    found = sessions(ini.parse(CONFIGURED, "c"), {}, Flags(), credentials, credentials)
    problems = [finding.text for finding in found if finding.level == PROBLEM]
    assert problems == [
        f"[default] in {credentials} holds long-term keys, where aws-mfa writes its sessions, "
        "so a login stops: move them to [default-long-term] with 'aws-mfa -p default --setup' "
        "in a terminal (it asks first, and changes nothing else)"
    ]
    with pytest.raises(UsageError, match=r"move them with 'aws-mfa --setup'"):
        pick(ini.parse(CONFIGURED, "c"), {}, Flags(), now=NOW, min_ttl=300, ask=input)


# The documented shell lines fail when aws-mfa fails (issue 21, item 2).

SHELL_LINES = {
    "bash": 'credentials=$(aws-mfa export -p dev) && eval "$credentials"',
    "zsh": 'credentials=$(aws-mfa export -p dev) && eval "$credentials"',
    "fish": (
        "set -l credentials (aws-mfa export -p dev); and string join \\n -- $credentials | source"
    ),
}


def test_the_docs_give_the_shell_lines_that_are_tested() -> None:
    outputs = (ROOT / "docs" / "outputs.md").read_text()
    for line in SHELL_LINES.values():
        assert line in outputs


@pytest.mark.e2e
@pytest.mark.parametrize("shell", sorted(SHELL_LINES))
@pytest.mark.parametrize("works", [True, False])
def test_a_documented_shell_line_fails_when_aws_mfa_fails(
    shell: str, works: bool, credentials: Path, environment: dict[str, str], sts: LocalSts
) -> None:
    if shutil.which(shell) is None:
        pytest.skip(f"{shell} is not installed (.ci/run installs it)")
    if works:
        write(credentials, long_term("dev-long-term"))
    line = SHELL_LINES[shell]
    status = "$status" if shell == "fish" else "$?"
    script = f'{line}; echo status={status}; echo "key=$AWS_ACCESS_KEY_ID"'
    env = {**environment, "MFA_TOKEN": "123456", "PATH": f"{BIN}:{environment['PATH']}"}
    done = subprocess.run(
        [shell, "-c", script], env=env, capture_output=True, text=True, timeout=60, check=False
    )
    lines = dict(line.split("=", 1) for line in done.stdout.splitlines() if "=" in line)
    if works:
        assert lines["status"] == "0", done.stderr
        assert lines["key"].startswith("ASIA")
    else:
        assert lines["status"] not in ("0", ""), done.stdout
        assert lines["key"] == ""


# doctor's keychain findings (issue 21, item 5).


def test_doctor_finds_a_missing_keychain_entry_and_names_the_right_profile(
    credentials: Path,
) -> None:
    in_keychain = long_term("dev-long-term").replace(
        f"aws_secret_access_key = {LONG_TERM_SECRET}", "aws_mfa_secret = keychain"
    )
    document = ini.parse(in_keychain + long_term("ci-long-term"), "c")
    config = {"prod": ConfigProfile("prod", "profile prod", {"source_profile": "ci-long-term"})}

    found = long_term_secrets(
        document, config, Flags(), credentials, unavailable=lambda: None, has_entry=lambda k: False
    )

    texts = {finding.level: finding.text for finding in found}
    assert texts[PROBLEM].startswith(
        f"[dev-long-term] in {credentials} keeps its secret in the OS keychain, but the "
        "keychain has no entry for access key ...ERM1"
    )
    assert "'aws-mfa -p ci keychain import'" in texts[NOTE]  # not prod, whose source it is too
    locked = long_term_secrets(
        document, config, Flags(), credentials, unavailable=lambda: None, has_entry=lambda k: None
    )
    assert any("which is locked: not checked" in finding.text for finding in locked)


# --setup finds the user's devices, checks each answer, and says what is next (item 5).


def user_with_a_device(sts: LocalSts, name: str) -> tuple[dict[str, str], str]:
    """A user of moto's IAM with an access key and an MFA device: the key, the device's ARN."""
    import boto3

    admin = boto3.client(
        "iam",
        endpoint_url=sts.url,
        region_name="us-east-1",
        aws_access_key_id="AKIAEXAMPLEADMIN0001",
        aws_secret_access_key="admin-secret",
    )
    admin.create_user(UserName=name)
    key = admin.create_access_key(UserName=name)["AccessKey"]
    device = admin.create_virtual_mfa_device(VirtualMFADeviceName=name)["VirtualMFADevice"]
    serial = device["SerialNumber"]
    admin.enable_mfa_device(
        UserName=name,
        SerialNumber=serial,
        AuthenticationCode1="123456",
        AuthenticationCode2="654321",
    )
    return key, serial


@pytest.mark.e2e
def test_setup_offers_the_users_own_mfa_devices(
    credentials: Path, environment: dict[str, str], sts: LocalSts
) -> None:
    key, serial = user_with_a_device(sts, "carol")
    replies = [
        ("Profile name [default]: ", "carol\n"),
        ("aws_access_key_id: ", key["AccessKeyId"] + "\n"),
        ("aws_secret_access_key: ", key["SecretAccessKey"] + "\n"),
        ("MFA device [1]: ", "\n"),
        ("(Enter keeps it in the file): ", "\n"),
    ]
    write(credentials.parent / "config", "[profile carol]\nregion = eu-west-1\n")  # no question

    result = terminal(environment, "--setup", replies=replies)

    assert result.code == 0, result.stderr
    assert f"Your MFA devices:\r\n  1) {serial}" in result.terminal
    values = ini.parse(credentials.read_text(), "c").values("carol-long-term") or {}
    assert values["aws_mfa_device"] == serial
    assert "Next: run 'aws-mfa -p carol' to get a session" in result.stderr


def test_a_device_is_asked_again_until_it_is_one() -> None:
    answers = ["arn:aws:iam::123456789012:user/alice", "", DEVICE]
    prompts: list[str] = []

    def ask(prompt: str) -> str:
        prompts.append(prompt)
        return answers.pop(0)

    assert ask_device(ask, Devices([], "NoSuchEntity")) == DEVICE
    assert "(NoSuchEntity); a login needs one" in prompts[0]
    assert prompts[1].startswith("the MFA device entered: 'arn:aws:iam::123456789012:user/alice'")
    assert prompts[1].endswith("MFA device: ")


def test_three_wrong_devices_stop_setup_before_anything_is_written() -> None:
    with pytest.raises(UsageError, match="nothing was written"):
        ask_device(lambda prompt: "arn:aws:iam::1:mfa/x", Devices([]))


def test_enter_or_a_number_picks_a_listed_device() -> None:
    found = Devices([DEVICE, "arn:aws:iam::123456789012:mfa/other"])
    assert ask_device(lambda prompt: "", found) == DEVICE
    assert ask_device(lambda prompt: "2", found) == "arn:aws:iam::123456789012:mfa/other"


def test_setup_asks_a_region_only_where_the_profile_has_none(tmp_path: Path) -> None:
    config = tmp_path / "config"
    text = "# mine\n[default]\nregion = eu-central-1\n\n[profile dev]\noutput = json\n"
    write(config, text)
    prompts: list[str] = []
    answers = ["north-pole", ""]

    def ask(prompt: str) -> str:
        prompts.append(prompt)
        return answers.pop(0)

    assert add_region(config, "dev", ask) == "eu-central-1"  # Enter takes [default]'s
    assert prompts[0].endswith("need a region for profile dev; region [eu-central-1]: ")
    assert prompts[1].startswith("the region entered: 'north-pole' is not an AWS region name")
    assert config.read_text() == text + "region = eu-central-1\n"  # the comment kept
    assert add_region(config, "dev", ask) is None  # it has one now: not asked again
    assert add_region(config, "default", ask) is None
    assert len(prompts) == 2


def test_three_wrong_regions_write_nothing(tmp_path: Path) -> None:
    config = write(tmp_path / "config", "[default]\noutput = json\n")
    with pytest.raises(UsageError, match="no region was written"):
        add_region(config, "default", lambda prompt: "Europe")
    assert config.read_text() == "[default]\noutput = json\n"


def test_the_region_variables_spare_the_question() -> None:
    assert has_region_variable({"AWS_REGION": "eu-west-1"})
    assert has_region_variable({"AWS_DEFAULT_REGION": "eu-west-1"})
    assert not has_region_variable({"AWS_REGION": ""})


@pytest.mark.e2e  # the token command is a shell
def test_with_no_terminal_the_message_names_what_works_there_and_the_variable_works(
    credentials: Path, aws_mfa_in_process: AwsMfa, strict_sts: StrictSts
) -> None:
    write(credentials, long_term("dev-long-term"))
    result = aws_mfa_in_process(
        "export", "-p", "dev", "--format", "process"
    )  # as credential_process
    assert result.code == 4
    assert "MFA_TOKEN_COMMAND" in result.error_lines[0]
    assert "run 'aws-mfa -p dev' in a terminal" in result.error_lines[0]
    works = aws_mfa_in_process(
        "export", "-p", "dev", "--format", "process", MFA_TOKEN_COMMAND="echo 123456"
    )
    assert works.code == 0, works.stderr
    assert strict_sts.calls == ["GetSessionToken"]


@pytest.mark.e2e
def test_the_aws_cli_uses_a_session_renewed_over_an_mfa_login_one(
    credentials: Path,
    aws_mfa_in_process: AwsMfa,
    aws_cli: AwsMfa,
    sts: LocalSts,
    strict_sts: StrictSts,
) -> None:
    write(credentials, long_term("dev-long-term") + "\n" + MFA_LOGIN_SESSION)
    assert aws_mfa_in_process("-p", "dev", "-c", "123456").code == 0
    written = ini.parse(credentials.read_text(), "c").values("dev") or {}
    result = aws_cli("sts", "get-caller-identity", "--profile", "dev")
    assert result.code == 0, result.stderr
    assert sts.requests[-1]["@key_id"] == written["aws_access_key_id"]


@pytest.mark.e2e
def test_the_aws_cli_takes_a_written_section_before_an_aws_login_profile_as_warned(
    credentials: Path, home: Path, aws_mfa_in_process: AwsMfa, aws_cli: AwsMfa, sts: LocalSts
) -> None:
    from tests.test_login_sessions import ALICE, cache_document, cache_path

    write(home / ".aws" / "config", f"[profile console]\nlogin_session = {ALICE}\n")
    cache = home / ".aws" / "login" / "cache"
    write(cache_path(cache, ALICE), json.dumps(cache_document("2099-01-01T00:00:00Z")))
    write(credentials, long_term("console-long-term"))

    login = aws_mfa_in_process("-p", "console", "-c", "123456")
    assert login.code == 0, login.stderr
    assert "login_session" in login.stderr  # the warning that the section hides the login

    written = ini.parse(credentials.read_text(), "c").values("console") or {}
    result = aws_cli("sts", "get-caller-identity", "--profile", "console")
    assert result.code == 0, result.stderr
    assert sts.requests[-1]["@key_id"] == written["aws_access_key_id"]  # not the login's


# Hints that run as they are pasted, and typos named (issue 32, item 6).


def hinted_command(line: str) -> list[str]:
    """The arguments of the first 'aws-mfa ...' a message tells the user to run."""
    import re
    import shlex

    found = re.search(r"'(aws-mfa[^']*)'", line)
    assert found, line
    return shlex.split(found.group(1))[1:]


def test_the_hint_for_keys_in_another_section_runs_as_pasted(
    credentials: Path, aws_mfa_in_process: AwsMfa, strict_sts: StrictSts
) -> None:
    """Before, the hint dropped '-p dev' ('aws-mfa --long-term-section keys'), which wrote
    over the keys' own section and exited 2."""
    write(credentials, long_term("keys"))
    failed = aws_mfa_in_process("-p", "dev", "-c", "123456")
    assert failed.code == 3
    hint = hinted_command(failed.error_lines[0])
    assert hint == ["-p", "dev", "--long-term-section", "keys"]
    pasted = aws_mfa_in_process(*hint, "-c", "123456")
    assert pasted.code == 0, pasted.stderr
    assert (ini.parse(credentials.read_text(), "c").values("dev") or {})["aws_access_key_id"]


def test_a_profile_typo_names_the_profile_meant(
    credentials: Path, home: Path, aws_mfa_in_process: AwsMfa, strict_sts: StrictSts
) -> None:
    write(credentials, long_term("dev-long-term"))
    write(
        home / ".aws" / "config",
        "[profile prod]\nrole_arn = arn:aws:iam::210987654321:role/admin\nsource_profile = dev\n",
    )
    for typo, meant in (("prdo", "prod"), ("dve", "dev")):
        failed = aws_mfa_in_process("-p", typo, "-c", "123456")
        assert failed.code == 3, failed.stderr
        assert f"no profile is named {typo}: did you mean 'aws-mfa -p {meant}'?" in failed.stderr
        hint = hinted_command(failed.error_lines[0].split("did you mean", 1)[1])
        assert aws_mfa_in_process(*hint, "-c", "123456").code == 0
        new_window(home)


@pytest.mark.parametrize(
    ("typed", "meant"), [("statu", "status"), ("exprt", "export"), ("doctr", "doctor")]
)
def test_a_command_typo_names_the_command_meant(
    typed: str, meant: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as ended:
        main([typed])
    assert ended.value.code == 2
    assert f"ERROR - unknown command {typed}: did you mean {meant}?" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("where", "line"),
    [
        ("credentials", f"aws_mfa_device = {DEVICE}  # my phone"),
        ("config", "region = eu-west-1 ; the main one"),
    ],
)
def test_a_comment_after_a_value_is_named_as_the_cause(
    credentials: Path, aws_mfa_in_process: AwsMfa, strict_sts: StrictSts, where: str, line: str
) -> None:
    if where == "credentials":
        write(credentials, long_term("dev-long-term", device=None) + f"{line}\n")
    else:
        write(credentials, long_term("dev-long-term"))
        write(credentials.parent / "config", f"[profile dev]\n{line}\n")
    result = aws_mfa_in_process("-p", "dev", "-c", "123456")
    assert result.code == 2, result.stderr
    assert result.error_lines[-1].endswith(
        "; a '#' or ';' after a value is part of it for the AWS CLI and SDKs: put the comment "
        "on a line of its own"
    )
    assert strict_sts.calls == []


ROLE = "arn:aws:iam::210987654321:role/admin"
README_ROLE = f"\n[profile prod]\nrole_arn = {ROLE}\nsource_profile = default\nregion = eu-west-1\n"
"""README's role profile, its source the profile 'aws configure' filled."""


@pytest.mark.e2e
def test_from_aws_configure_to_a_working_role_with_no_docs_and_no_hand_edit(
    home: Path, credentials: Path, environment: dict[str, str], sts: LocalSts
) -> None:
    """Issue 32's journey, from an empty HOME: the AWS CLI's own 'aws configure', then
    'aws-mfa' in a terminal (the move, the device IAM lists, a code as an app shows it), a
    role profile as README shows it, 'aws-mfa -p prod' (no second code) and the AWS CLI
    using the role; 'status' and 'doctor' agree."""
    assert not (home / ".aws").exists()
    key, serial = user_with_a_device(sts, "dana")
    answers = f"{key['AccessKeyId']}\n{key['SecretAccessKey']}\neu-west-1\n\n"
    configured = run([AWS_CLI, "configure"], environment, stdin=answers)
    assert configured.code == 0, configured.stderr
    assert sorted(path.name for path in (home / ".aws").iterdir()) == ["config", "credentials"]

    login = run_with_terminal(
        [AWS_MFA],
        environment,
        [(MOVE_QUESTION, "\n"), ("MFA device [1]: ", "\n"), ("Enter AWS MFA code", "123 456\n")],
        console=True,
    )
    check_no_secrets([AWS_MFA], environment, "", login)
    assert login.code == 0, login.terminal
    assert f"  1) {serial}" in login.terminal
    assert "there is no session in [default] yet" in login.terminal
    assert "Success! Credentials for [default] are valid" in login.terminal

    with (home / ".aws" / "config").open("a") as config:  # the user's editor
        config.write(README_ROLE)
    role = run_with_terminal([AWS_MFA, "-p", "prod"], environment, [], console=True)
    check_no_secrets([AWS_MFA, "-p", "prod"], environment, "", role)
    assert role.code == 0, role.terminal
    assert "Enter AWS MFA code" not in role.terminal
    assert "WARNING" not in role.terminal
    assert f"AWS_PROFILE=prod programs assume {ROLE} themselves" in role.terminal

    who = run([AWS_CLI, "--profile", "prod", "sts", "get-caller-identity"], environment)
    assert who.code == 0, who.stderr
    assert json.loads(who.stdout)["Arn"].startswith("arn:aws:sts::210987654321:assumed-role/admin/")
    status = run_in_process([AWS_MFA, "status", "-p", "prod"], environment)  # what they
    assert status.code == 0, status.stderr  # read and say needs no process of their own
    doctor = run_in_process([AWS_MFA, "doctor"], environment)
    assert doctor.code == 0, doctor.stdout
