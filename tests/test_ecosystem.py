"""Completion scripts, --version, colour: what people expect from a well-kept CLI."""

from __future__ import annotations

import importlib.metadata
import os
import shutil
import subprocess
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from aws_mfa import __version__
from tests.conftest import AWS_MFA, BIN, long_term, run, session, write

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.posix(reason="the installed aws-mfa in a POSIX shell, and a pty"),
]

FILES = (
    long_term("default-long-term")
    + "\n"
    + long_term("dev-long-term")
    + "\n"
    + session("dev", "2099-01-01 00:00:00")
)
CONFIG = "[profile staging]\nregion = eu-west-1\n"


@pytest.fixture
def shell_env(credentials: Path, home: Path) -> dict[str, str]:
    write(credentials, FILES)
    write(home / ".aws" / "config", CONFIG)
    env = dict(os.environ)
    env["PATH"] = f"{BIN}{os.pathsep}{env.get('PATH', '')}"
    env["AWS_CONFIG_FILE"] = str(home / ".aws" / "config")
    return env


def test_profile_names_come_from_both_files(shell_env: dict[str, str]) -> None:
    result = run([AWS_MFA, "completion", "--profiles"], shell_env)
    assert result.code == 0, result.stderr
    assert result.stdout.split() == ["default", "dev", "staging"]


def test_completion_needs_a_shell(shell_env: dict[str, str]) -> None:
    result = run([AWS_MFA, "completion"], shell_env)
    assert result.code == 2
    assert result.error_lines == [
        "ERROR - completion needs a shell: aws-mfa completion bash|zsh|fish|powershell"
    ]


def test_bash_sources_the_script_and_completes_profiles(shell_env: dict[str, str]) -> None:
    script = (
        "source <(aws-mfa completion bash) && complete -p aws-mfa && "
        'COMP_WORDS=(aws-mfa status --profile "d"); COMP_CWORD=3; '
        'COMP_LINE="aws-mfa status --profile d"; COMP_POINT=${#COMP_LINE}; '
        '_shtab_aws_mfa; printf "%s\\n" "${COMPREPLY[@]}"'
    )
    result = run(["bash", "-c", script], shell_env)
    assert result.code == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].startswith("complete ")
    assert lines[0].endswith(" aws-mfa")
    assert lines[1:] == ["default", "dev"]


@pytest.mark.skipif(shutil.which("zsh") is None, reason="zsh is not installed")
def test_zsh_loads_the_script(shell_env: dict[str, str]) -> None:
    script = (
        "autoload -Uz compinit && compinit -u && source <(aws-mfa completion zsh) && "
        "(( $+functions[_shtab_aws_mfa] )) && (( $+functions[_aws_mfa_profiles] )) && echo ok"
    )
    result = run(["zsh", "-c", script], {**shell_env, "ZDOTDIR": shell_env["HOME"]})
    assert result.code == 0, result.stderr
    assert result.stdout.strip() == "ok"


@pytest.mark.skipif(shutil.which("fish") is None, reason="fish is not installed")
def test_fish_completes_commands_flags_and_profiles(shell_env: dict[str, str]) -> None:
    script = (
        "aws-mfa completion fish | source; "
        'complete -C "aws-mfa st"; echo ==; complete -C "aws-mfa --profi"; echo ==; '
        'complete -C "aws-mfa export -p "'
    )
    result = run(["fish", "--no-config", "-c", script], shell_env)
    assert result.code == 0, result.stderr
    commands, flags, profiles = (
        [line.split("\t")[0] for line in part.strip().splitlines()]
        for part in result.stdout.split("==\n")
    )
    assert commands == ["status"]
    assert flags == ["--profile"]
    assert profiles == ["default", "dev", "staging"]


def test_version_comes_from_one_place(shell_env: dict[str, str]) -> None:
    result = run([AWS_MFA, "--version"], shell_env)
    assert result.stdout.strip() == f"aws-mfa {__version__}"
    assert importlib.metadata.version("aws-mfa") == __version__


def status_on(stdout_is_terminal: bool, env: dict[str, str]) -> str:
    if not stdout_is_terminal:
        return run([AWS_MFA, "status"], env).stdout
    import pty  # POSIX only: imported here, so that the module is collected on Windows

    master, slave = pty.openpty()
    process = subprocess.Popen(
        [AWS_MFA, "status"],
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=slave,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    os.close(slave)
    output = b""
    try:
        while True:
            try:
                chunk = os.read(master, 4096)
            except OSError:
                break
            if not chunk:
                break
            output += chunk
    finally:
        process.wait(timeout=30)
        os.close(master)
    return output.decode()


def test_states_are_coloured_only_on_a_terminal(
    credentials: Path, shell_env: dict[str, str]
) -> None:
    soon = (datetime.now(timezone.utc) + timedelta(seconds=100)).strftime("%Y-%m-%d %H:%M:%S")
    write(
        credentials,
        FILES + "\n" + session("old", "2001-01-01 00:00:00") + "\n" + session("soon", soon),
    )
    env = {**shell_env, "TERM": "xterm"}
    env.pop("NO_COLOR", None)
    coloured = status_on(True, env)
    assert "\033[32mvalid\033[0m" in coloured
    assert "\033[31mexpired\033[0m" in coloured
    assert "\033[33mexpiring\033[0m" in coloured
    assert "\033[" not in status_on(False, env)
    assert "\033[" not in status_on(True, {**env, "NO_COLOR": "1"})
    assert "\033[" not in status_on(True, {**env, "TERM": "dumb"})
