"""Completion offers profile names as they are and never runs what they hold.

A profile named ``$(touch PWNED)`` is a name to offer, not a command. Each
shell completes ``aws-mfa -p <TAB>`` with names that hold command
substitutions, backticks, a space, a glob and a semicolon; no marker file may
appear, and the names come back whole (bash: quoted for the command line, as
it inserts them).
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.conftest import BIN, AwsMfa, write

pytestmark = [pytest.mark.e2e, pytest.mark.posix(reason="bash, zsh and fish run the scripts")]

NAMES = [
    "$(touch${IFS}PWNED1)",
    "`touch${IFS}PWNED2`",
    "a b",
    "st*r",
    "x;touch${IFS}PWNED3",
    "dev",
]
CONFIG = "".join(
    f'[profile "{name}"]\n' if " " in name else f"[profile {name}]\n" for name in NAMES
)


@pytest.fixture
def shell_env(home: Path) -> dict[str, str]:
    write(home / ".aws" / "config", CONFIG)
    env = {key: value for key, value in os.environ.items() if not key.startswith("AWS_")}
    env["PATH"] = f"{BIN}{os.pathsep}{env['PATH']}"
    env["AWS_CONFIG_FILE"] = str(home / ".aws" / "config")
    return env


def complete(shell: str, script: str, env: dict[str, str], home: Path) -> list[str]:
    if shutil.which(shell) is None:
        pytest.skip(f"{shell} is not installed")
    done = subprocess.run(
        [shell, *(["-f"] if shell == "zsh" else ["-N"] if shell == "fish" else []), "-c", script],
        env=env,
        cwd=home,
        capture_output=True,
        text=True,
        timeout=60,
        stdin=subprocess.DEVNULL,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert sorted(path.name for path in home.iterdir() if path.name.startswith("PWNED")) == []
    return done.stdout.splitlines()


def test_the_profile_list_holds_the_names(shell_env: dict[str, str], home: Path) -> None:
    done = subprocess.run(
        [str(BIN / "aws-mfa"), "completion", "--profiles"],
        env=shell_env,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    assert sorted(done.stdout.splitlines()) == sorted(NAMES)


def test_bash_completion_runs_nothing(shell_env: dict[str, str], home: Path) -> None:
    script = (
        'source <(aws-mfa completion bash); COMP_WORDS=(aws-mfa -p ""); COMP_CWORD=2; '
        '_shtab_aws_mfa; printf "%s\\n" "${COMPREPLY[@]}"'
    )
    offered = complete("bash", script, shell_env, home)
    unquoted = subprocess.run(
        ["bash", "-c", 'for word in "$@"; do eval "printf \'%s\\n\' $word"; done', "-", *offered],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=home,
        check=True,
    ).stdout.splitlines()
    assert sorted(unquoted) == sorted(NAMES)  # quoted for the command line, and whole
    assert not list(home.glob("PWNED*"))


def test_bash_completion_filters_by_the_typed_prefix(shell_env: dict[str, str], home: Path) -> None:
    script = (
        'source <(aws-mfa completion bash); COMP_WORDS=(aws-mfa -p "st"); COMP_CWORD=2; '
        '_shtab_aws_mfa; printf "%s\\n" "${COMPREPLY[@]}"'
    )
    assert complete("bash", script, shell_env, home) == ["st\\*r"]


def test_zsh_completion_runs_nothing(shell_env: dict[str, str], home: Path) -> None:
    # compadd (stubbed here to print what it is given) inserts words quoted.
    script = (
        'compadd() { shift; local -a given; given=("${(@P)1}"); printf "%s\\n" "${given[@]}"; }; '
        'eval "$(aws-mfa completion zsh | sed -n "/^_aws_mfa_profiles()/,/^}/p")"; '
        "_aws_mfa_profiles"
    )
    assert sorted(complete("zsh", script, shell_env, home)) == sorted(NAMES)


def test_fish_completion_runs_nothing(shell_env: dict[str, str], home: Path) -> None:
    script = 'aws-mfa completion fish | source; complete -C "aws-mfa -p "'
    offered = [line.split("\t")[0] for line in complete("fish", script, shell_env, home)]
    assert sorted(offered) == sorted(NAMES)


def test_powershell_completion_completes_profiles_with_its_own_function(
    credentials: Path, environment: dict[str, str], aws_mfa_in_process: AwsMfa
) -> None:
    # No PowerShell here (docs/platforms.md): the script is checked as text.
    result = aws_mfa_in_process("completion", "powershell")
    assert result.code == 0, result.stderr
    assert "function _aws_mfa_profiles {" in result.stdout
    assert "aws-mfa completion --profiles 2>$null" in result.stdout
    assert "$_.StartsWith($WordToComplete)" in result.stdout  # a name is text, not a pattern
    assert "'_shtab_aws_mfa___profile' = '_aws_mfa_profiles'" in result.stdout
