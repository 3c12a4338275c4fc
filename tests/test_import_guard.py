"""The valid-credentials path imports nothing it does not need.

Most runs of aws-mfa find the session still valid, so that path is kept to the
standard library's small modules. The benchmark (benchmarks/run.py) measures
the time; this test keeps the structure: it fails the moment that path
imports boto3, botocore, or anything else that only a renewal, a write or
another command needs.
"""

from __future__ import annotations

import ast
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import NO_TERMINAL, long_term, session, write

ROOT = Path(__file__).resolve().parent.parent

# Needed only to renew, to write, or by other commands.
NEVER = [
    "boto3",
    "botocore",
    "configupdater",
    "filelock",
    "yaml",
    "moto",
    "shtab",
    "logging",
    "dataclasses",
    "shutil",
    "subprocess",
    "getpass",
    "urllib.request",
    "typing",
    "pathlib",
    "argparse",
    "contextlib",
    "keyring",
    "secretstorage",
    "jeepney",
    # aws-mfa's own: the renewal, the STS calls, writing, the keychain, argparse's parser.
    "aws_mfa.sessions.renewal",
    "aws_mfa.sessions.providers",
    "aws_mfa.codes.mfa_code",
    "aws_mfa.codes.prompts",
    "aws_mfa.codes.used_codes",
    "aws_mfa.aws.sts",
    "aws_mfa.os_keychain",
    "aws_mfa.secret_command",
    "subprocess",
    "aws_mfa.collector",
    "aws_mfa.files.credentials_file",
    "aws_mfa.files.safe_write",
    "aws_mfa.files.section_edit",
    "aws_mfa.files.lock",
    "aws_mfa.files.write_check",
    "aws_mfa.cli.parser",
    # Agents: only for a run that is an agent's, or scoped by a session policy.
    "aws_mfa.agents",
    # The reader of the AWS CLI's aws login cache: only with a login_session in the config.
    "aws_mfa.aws.login_sessions",
]

SCRIPT = """
import sys
from aws_mfa.cli.main import main
code = main(sys.argv[1:])
sys.stdout.flush()
print(repr(sorted(sys.modules)), file=sys.stderr)
sys.exit(code)
"""


@pytest.mark.e2e  # only a fresh interpreter shows what the valid path imports
@pytest.mark.parametrize(
    "args",
    [
        [],
        ["login"],
        ["-p", "default"],
        ["--profile=default", "--credentials-file", "~/.aws/credentials"],
        ["status"],
        ["status", "-p", "default", "--json"],
        ["export", "--format", "env"],
        ["export", "--format", "process"],
    ],
)
@pytest.mark.parametrize("secret_in", ["file", "keychain", "command"])
def test_valid_path_imports_only_what_it_needs(
    args: list[str], secret_in: str, credentials: Path
) -> None:
    keys = long_term()
    if secret_in != "file":  # the valid path never reads the keychain, nor runs a command
        kept = {
            "keychain": "aws_mfa_secret = keychain",
            "command": "aws_mfa_secret = command\naws_mfa_secret_command = no-such-manager get",
        }[secret_in]
        keys = "\n".join(
            kept if line.startswith("aws_secret_access_key") else line for line in keys.split("\n")
        )
    write(credentials, keys + "\n" + session("default", "2099-01-01 00:00:00"))
    # -S: without site, the editable install's finder (which imports pathlib)
    # stays out; the package comes from the source tree instead.
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run(
        [sys.executable, "-S", "-c", SCRIPT, *args],
        env=env,
        capture_output=True,
        text=True,
        stdin=subprocess.DEVNULL,
        **NO_TERMINAL,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    modules = set(ast.literal_eval(done.stderr.splitlines()[-1]))
    never = NEVER if "--json" in args else [*NEVER, "json"]  # credential_process JSON too
    imported = sorted(
        name for name in modules if any(name == m or name.startswith(m + ".") for m in never)
    )
    assert imported == []


def test_every_module_it_guards_exists() -> None:
    # A renamed module would otherwise leave the guard checking nothing.
    for name in NEVER:
        if name.startswith("aws_mfa."):
            path = ROOT.joinpath(*name.split("."))
            assert path.with_suffix(".py").is_file() or (path / "__init__.py").is_file(), name


@pytest.mark.e2e
def test_status_with_cached_mfa_sessions_imports_no_more(credentials: Path, home: Path) -> None:
    write(credentials, long_term() + "\n" + session("default", "2099-01-01 00:00:00"))
    entry = {
        "access_key_id": "AKIAEXAMPLELONGTERM1",
        "device": "arn:aws:iam::123456789012:mfa/alice",
        "AccessKeyId": "ASIAEXAMPLE000000001",
        "SecretAccessKey": "s" * 40,
        "SessionToken": "t" * 60,
        "Expiration": "2099-01-01T00:00:00Z",
        "mac": "0" * 64,
    }
    folder = home / ".aws" / "aws-mfa-sessions"
    write(folder / ("0" * 40 + ".json"), json.dumps(entry))
    folder.chmod(0o700)
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run(
        [sys.executable, "-S", "-c", SCRIPT, "status"],
        env=env,
        capture_output=True,
        text=True,
        stdin=subprocess.DEVNULL,
        **NO_TERMINAL,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "MFA SESSION OF" in done.stdout  # the entry was read and shown
    modules = set(ast.literal_eval(done.stderr.splitlines()[-1]))
    assert sorted(modules & {"datetime", "_strptime", "calendar"}) == []  # (json reads it)


def test_no_module_imports_boto3() -> None:
    """A renewal builds botocore's client itself (aws_mfa/aws/sts.py): boto3 would add
    s3transfer and its resources to every renewal, about 25 ms, for nothing STS or IAM uses."""
    for path in sorted((ROOT / "aws_mfa").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                names = [node.module or ""]
            else:
                continue
            assert not [n for n in names if n.split(".")[0] == "boto3"], path.relative_to(ROOT)
