"""export, credential_process and exec: the same fresh session, where people need it."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from datetime import datetime, timezone
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from aws_mfa import outputs, system
from aws_mfa.cli.main import main
from aws_mfa.demo import LocalSts
from aws_mfa.errors import UsageError
from aws_mfa.files import ini
from aws_mfa.keys import TemporaryCredentials
from tests.conftest import (
    AWS_MFA,
    NO_TERMINAL,
    SESSION_KEY_ID,
    SESSION_SECRET,
    AwsMfa,
    long_term,
    run,
    run_with_terminal,
    session,
    write,
)

NASTY = TemporaryCredentials(
    "ASIA1",
    'it\'s $HOME `x` "y" \\z; rm -rf /',
    "tok+/=",
    datetime(2030, 1, 2, 3, 4, 5, tzinfo=timezone.utc),
)


def values(path: Path, section: str) -> dict[str, str]:
    return ini.parse(path.read_text(), str(path)).values(section) or {}


# Formats.


def test_process_format_is_credential_process_json() -> None:
    assert json.loads(outputs.render(NASTY, "process")) == {
        "Version": 1,
        "AccessKeyId": "ASIA1",
        "SecretAccessKey": NASTY.secret_access_key,
        "SessionToken": "tok+/=",
        "Expiration": "2030-01-02T03:04:05Z",
    }


def test_sts_json_format_is_the_shape_of_sts_own_answer() -> None:
    """``{"Credentials": {...}}``, as ``aws sts get-session-token`` prints it, which older
    Claude Code reads from ``awsCredentialExport``."""
    text = outputs.render(NASTY, "sts-json")
    assert json.loads(text) == {
        "Credentials": {
            "AccessKeyId": "ASIA1",
            "SecretAccessKey": NASTY.secret_access_key,
            "SessionToken": "tok+/=",
            "Expiration": "2030-01-02T03:04:05Z",
        }
    }
    assert text == json.dumps(json.loads(text), indent=2) + "\n"


@given(st.text(), st.text(), st.text(alphabet=st.characters(max_codepoint=0x7F)))
def test_process_format_is_byte_for_byte_what_json_dumps_writes(
    key_id: str, secret: str, token: str
) -> None:
    # aws-mfa writes this JSON without importing json (docs/performance.md)
    creds = TemporaryCredentials(key_id, secret, token, NASTY.expiration)
    fields = {
        "Version": 1,
        "AccessKeyId": key_id,
        "SecretAccessKey": secret,
        "SessionToken": token,
        "Expiration": "2030-01-02T03:04:05Z",
    }
    assert outputs.render(creds, "process") == json.dumps(fields, indent=2) + "\n"


@pytest.mark.parametrize(
    ("fmt", "first"),
    [
        ("env", "export AWS_ACCESS_KEY_ID='ASIA1'"),
        ("env-no-export", "AWS_ACCESS_KEY_ID=ASIA1"),
        ("fish", "set -gx AWS_ACCESS_KEY_ID 'ASIA1';"),
        ("powershell", "$Env:AWS_ACCESS_KEY_ID='ASIA1'"),
    ],
)
def test_shell_formats_set_the_four_variables(fmt: str, first: str) -> None:
    lines = outputs.render(NASTY, fmt).splitlines()
    assert lines[0] == first
    assert [line.split("AWS_")[1].split("=")[0].split(" ")[0] for line in lines] == [
        "ACCESS_KEY_ID",
        "SECRET_ACCESS_KEY",
        "SESSION_TOKEN",
        "CREDENTIAL_EXPIRATION",
    ]


def test_env_no_export_is_byte_for_byte_the_aws_clis() -> None:
    """What AWS CLI v2 prints for a credential_process profile giving the same credentials.

    Its exportcreds.py writes ``NAME=value`` lines, unquoted, and the expiry
    as botocore parses it from the process's JSON (dateutil), in isoformat.
    """
    from dateutil.parser import parse

    creds = TemporaryCredentials(
        "ASIAEXAMPLE0000001",
        "plain/secret+value=",
        "IQoJb3JpZ2luX2VjEXAMPLE//token+value==",
        datetime(2030, 1, 2, 3, 4, 5, 678000, tzinfo=timezone.utc),
    )
    process = json.loads(outputs.render(creds, "process"))
    expected = (
        f"AWS_ACCESS_KEY_ID={process['AccessKeyId']}\n"
        f"AWS_SECRET_ACCESS_KEY={process['SecretAccessKey']}\n"
        f"AWS_SESSION_TOKEN={process['SessionToken']}\n"
        f"AWS_CREDENTIAL_EXPIRATION={parse(process['Expiration']).isoformat()}\n"
    )
    assert outputs.render(creds, "env-no-export") == expected
    assert expected.endswith("=2030-01-02T03:04:05+00:00\n")


def test_windows_cmd_format_and_what_it_cannot_quote() -> None:
    plain = TemporaryCredentials("ASIA1", "s/+=", "t", NASTY.expiration)
    assert (
        outputs.render(plain, "windows-cmd").splitlines()[1] == 'set "AWS_SECRET_ACCESS_KEY=s/+="'
    )
    with pytest.raises(UsageError, match="windows-cmd cannot quote"):
        outputs.render(NASTY, "windows-cmd")


@pytest.mark.parametrize(
    ("asked", "shell", "fmt"),
    [
        (None, "/bin/bash", "env"),
        (None, "/usr/bin/zsh", "env"),
        (None, "/usr/local/bin/fish", "fish"),
        (None, "/usr/bin/pwsh", "powershell"),
        (None, "", "env"),
        ("process", "/usr/bin/fish", "process"),
        ("FISH", "/bin/bash", "fish"),
        ("bash", "/usr/bin/fish", "env"),
    ],
)
def test_format_comes_from_the_flag_then_the_shell(
    asked, shell, fmt, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(system, "WINDOWS", False)
    assert outputs.choose_format(asked, "--format", {"SHELL": shell}) == fmt


def test_windows_without_a_shell_gets_powershell(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(system, "WINDOWS", True)
    assert outputs.choose_format(None, "--format", {}) == "powershell"
    assert outputs.choose_format(None, "--format", {"SHELL": "/usr/bin/bash"}) == "env"  # Git Bash
    assert outputs.choose_format("cmd", "--format", {}) == "windows-cmd"


def test_unknown_format_is_an_error() -> None:
    with pytest.raises(UsageError, match="--format: 'xml' is not an export format"):
        outputs.choose_format("xml", "--format", {})


@pytest.mark.e2e  # runs bash
def test_posix_quoting_survives_eval_in_bash() -> None:
    script = outputs.render(NASTY, "env") + 'printf %s "$AWS_SECRET_ACCESS_KEY"'
    done = subprocess.run(["bash", "-c", script], capture_output=True, text=True, check=True)
    assert done.stdout == NASTY.secret_access_key


@pytest.mark.e2e  # runs fish
@pytest.mark.skipif(shutil.which("fish") is None, reason="fish is not installed")
def test_fish_quoting_survives_source_in_fish() -> None:
    script = outputs.render(NASTY, "fish") + 'printf %s "$AWS_SECRET_ACCESS_KEY"'
    done = subprocess.run(["fish", "-c", script], capture_output=True, text=True, check=True)
    assert done.stdout == NASTY.secret_access_key


# export, end to end.


@pytest.mark.e2e
@pytest.mark.parametrize(
    "shell",
    [
        "bash",
        pytest.param("zsh", marks=pytest.mark.skipif(shutil.which("zsh") is None, reason="no zsh")),
    ],
)
def test_eval_export_works_in_the_shell(
    shell: str, credentials: Path, environment: dict[str, str], sts: LocalSts
) -> None:
    write(credentials, long_term("staging-long-term"))
    script = (
        f'eval "$({AWS_MFA} export -p staging -c 123456)" && '
        'printf "%s\\n" "$AWS_ACCESS_KEY_ID" "$AWS_SECRET_ACCESS_KEY" "$AWS_SESSION_TOKEN" '
        '"$AWS_CREDENTIAL_EXPIRATION"'
    )
    quiet = {**environment, "SHELL": f"/bin/{shell}", "MFA_LOG_LEVEL": ""}
    result = run([shell, "-c", script], quiet)
    assert result.code == 0, result.stderr
    staging = values(credentials, "staging")
    key_id, secret, token, expiration = result.stdout.splitlines()
    assert (key_id, secret, token) == (
        SESSION_KEY_ID,
        staging["aws_secret_access_key"],
        staging["aws_session_token"],
    )
    assert expiration == staging["expiration"].replace(" ", "T") + "Z"
    assert result.stderr == ""  # export logs only warnings by default


@pytest.mark.e2e
@pytest.mark.skipif(shutil.which("fish") is None, reason="fish is not installed")
def test_export_then_source_works_in_fish(
    credentials: Path, environment: dict[str, str], sts: LocalSts
) -> None:
    write(credentials, long_term("staging-long-term"))
    script = f"{AWS_MFA} export -p staging -c 123456 | source; and printf '%s' $AWS_ACCESS_KEY_ID"
    result = run(["fish", "-c", script], {**environment, "SHELL": "/usr/bin/fish"})
    assert result.code == 0, result.stderr
    assert result.stdout == SESSION_KEY_ID


def test_export_renews_exactly_like_login_and_writes_the_file(
    credentials: Path, aws_mfa_in_process: AwsMfa, sts: LocalSts
) -> None:
    write(credentials, long_term())
    result = aws_mfa_in_process("export", "--format", "process", "-c", "123456")
    assert result.code == 0, result.stderr
    printed = json.loads(result.stdout)
    stored = values(credentials, "default")
    assert printed["SessionToken"] == stored["aws_session_token"]
    assert printed["AccessKeyId"] == SESSION_KEY_ID
    assert len(sts.requests) == 1
    again = aws_mfa_in_process("export", "--format", "process")
    assert json.loads(again.stdout) == printed
    assert len(sts.requests) == 1


def test_export_without_terminal_or_token_fails_at_once(
    credentials: Path, aws_mfa_in_process: AwsMfa, sts: LocalSts
) -> None:
    write(credentials, long_term())
    started = time.monotonic()
    result = aws_mfa_in_process("export", "--format", "process")
    assert time.monotonic() - started < 20
    assert result.code == 4
    assert result.stdout == ""
    assert result.error_lines[0].startswith(
        "ERROR - short-term section [default] is missing; no MFA code can be asked for here"
    )


@pytest.mark.e2e
def test_export_prompts_on_the_terminal_not_on_stdin_or_stdout(
    credentials: Path, environment: dict[str, str], sts: LocalSts
) -> None:
    write(credentials, long_term())
    result = run_with_terminal(
        [AWS_MFA, "export", "--format", "process"],
        environment,
        [("Enter AWS MFA code", "123456\n")],
        stdin="sdk input\n",
    )
    assert result.code == 0, result.stderr
    assert json.loads(result.stdout)["AccessKeyId"] == SESSION_KEY_ID
    assert "Enter AWS MFA code" not in result.stdout


def test_valid_process_export_answers_from_the_file(credentials: Path, capsys) -> None:
    # That it imports neither boto3 nor botocore is checked by test_import_guard.py.
    write(credentials, long_term() + "\n" + session("default", "2099-01-01 00:00:00"))
    assert main(["export", "--format", "process"], dict(os.environ)) == 0
    assert json.loads(capsys.readouterr().out)["SecretAccessKey"] == "old/session/secret"


# credential_process, through the real AWS CLI.


@pytest.mark.e2e
def test_aws_cli_gets_mfa_credentials_through_credential_process(
    credentials: Path, home: Path, aws_mfa_in_process: AwsMfa, aws_cli: AwsMfa, sts: LocalSts
) -> None:
    write(credentials, long_term("dev-long-term"))
    write(
        home / ".aws" / "config",
        "[profile dev-mfa]\n"
        f"credential_process = {AWS_MFA} export --format process --profile dev "
        "--token-command 'echo 123456'\n",
    )
    result = aws_cli("sts", "get-caller-identity", "--profile", "dev-mfa")
    assert result.code == 0, result.stderr
    assert [r["Action"] for r in sts.requests] == ["GetSessionToken", "GetCallerIdentity"]
    dev = values(credentials, "dev")
    assert sts.requests[-1]["@key_id"] == SESSION_KEY_ID
    assert sts.requests[-1]["@session_token"] == dev["aws_session_token"]
    # While the session is valid, the AWS CLI's next call costs no STS call of ours.
    result = aws_cli("sts", "get-caller-identity", "--profile", "dev-mfa")
    assert result.code == 0, result.stderr
    assert [r["Action"] for r in sts.requests][-2:] == ["GetCallerIdentity", "GetCallerIdentity"]
    assert SESSION_SECRET not in result.stdout + result.stderr


@pytest.mark.e2e
def test_credential_process_with_no_way_to_get_a_code_fails_clearly(
    credentials: Path, home: Path, aws_cli: AwsMfa, sts: LocalSts
) -> None:
    write(credentials, long_term("dev-long-term"))
    write(
        home / ".aws" / "config",
        f"[profile dev-mfa]\ncredential_process = {AWS_MFA} export --format process -p dev\n",
    )
    result = aws_cli("sts", "get-caller-identity", "--profile", "dev-mfa")
    assert result.code != 0
    assert "no MFA code can be asked for here: no terminal" in result.stderr
    assert sts.requests == []


# exec.

CHILD = (
    "import json, os, sys; "
    "keys = [k for k in os.environ if k.startswith('AWS_')]; "
    "print(json.dumps({k: os.environ[k] for k in keys})); sys.exit(int(sys.argv[1]))"
)


@pytest.mark.e2e
def test_exec_runs_the_command_with_the_credentials(
    credentials: Path, aws_mfa: AwsMfa, sts: LocalSts
) -> None:
    write(credentials, long_term("dev-long-term"))
    result = aws_mfa(
        "exec",
        "-p",
        "dev",
        "-c",
        "123456",
        "--region",
        "eu-west-1",
        "--",
        sys.executable,
        "-c",
        CHILD,
        "7",
        AWS_PROFILE="dev",
    )
    assert result.code == 7, result.stderr
    env = json.loads(result.stdout)
    dev = values(credentials, "dev")
    assert env["AWS_ACCESS_KEY_ID"] == SESSION_KEY_ID
    assert env["AWS_SECRET_ACCESS_KEY"] == dev["aws_secret_access_key"]
    assert env["AWS_SESSION_TOKEN"] == env["AWS_SECURITY_TOKEN"] == dev["aws_session_token"]
    assert env["AWS_CREDENTIAL_EXPIRATION"].endswith("Z")
    assert (env["AWS_REGION"], env["AWS_DEFAULT_REGION"]) == ("eu-west-1", "eu-west-1")
    assert env["AWS_MFA_EXEC"] == "dev"
    assert "AWS_PROFILE" not in env


@pytest.mark.e2e
def test_exec_refuses_to_nest_unless_asked(
    credentials: Path, aws_mfa: AwsMfa, aws_mfa_in_process: AwsMfa, sts: LocalSts
) -> None:
    write(credentials, long_term() + "\n" + session("default", "2099-01-01 00:00:00"))
    nested = aws_mfa_in_process(  # refused before any command runs: no process needed
        "exec", "--", sys.executable, "-c", CHILD, "0", AWS_MFA_EXEC="outer"
    )
    assert nested.code == 2
    assert nested.error_lines[0].startswith(
        "ERROR - already inside 'aws-mfa exec' for profile outer"
    )
    allowed = aws_mfa(
        "exec", "--allow-nested", "--", sys.executable, "-c", CHILD, "0", AWS_MFA_EXEC="outer"
    )
    assert allowed.code == 0, allowed.stderr
    assert json.loads(allowed.stdout)["AWS_MFA_EXEC"] == "default"


@pytest.mark.e2e
def test_exec_forwards_ctrl_c_to_the_command(
    credentials: Path, environment: dict[str, str], sts: LocalSts
) -> None:
    write(credentials, long_term() + "\n" + session("default", "2099-01-01 00:00:00"))
    child = (
        "import signal, sys, time\n"
        "signal.signal(signal.SIGINT, lambda *a: sys.exit(42))\n"
        "print('ready', flush=True)\n"
        "time.sleep(30)\n"
        "sys.exit(1)\n"
    )
    process = subprocess.Popen(
        [AWS_MFA, "exec", "--", sys.executable, "-c", child],
        env=environment,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        **NO_TERMINAL,
    )
    try:
        assert process.stdout is not None
        assert process.stdout.readline() == "ready\n"
        os.kill(process.pid, signal.SIGINT)
        assert process.wait(timeout=20) == 42
    finally:
        if process.poll() is None:
            process.kill()
            process.wait(timeout=10)


@pytest.mark.parametrize("command", [[], ["--"]])
def test_exec_without_a_command_is_an_error(
    command: list[str], credentials: Path, aws_mfa_in_process: AwsMfa
) -> None:
    write(credentials, long_term() + "\n" + session("default", "2099-01-01 00:00:00"))
    result = aws_mfa_in_process("exec", *command)
    assert result.code == 2
    assert result.error_lines[0].startswith("ERROR - exec needs a command to run")


@pytest.mark.e2e
@pytest.mark.parametrize(
    ("command", "code", "message"),
    [
        (["--", "no-such-command-anywhere"], 127, "ERROR - exec: command not found"),
        (["--", "/etc/hostname"], 126, "ERROR - exec: cannot run /etc/hostname"),
    ],
)
def test_exec_errors(
    command: list[str], code: int, message: str, credentials: Path, aws_mfa: AwsMfa
) -> None:
    write(credentials, long_term() + "\n" + session("default", "2099-01-01 00:00:00"))
    result = aws_mfa("exec", *command)  # the failed exec itself: a process
    assert result.code == code
    assert result.error_lines[0].startswith(message)
