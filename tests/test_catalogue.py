"""Bad input, case by case: an exit code, one line saying what and where, nothing changed.

Each case is a credentials file (or what stands in its place), an environment
and arguments. Every one must end with its documented exit code and exactly
one line on stderr that names the problem and where it is (file and line, or
the flag or variable), with no traceback; the credentials file must be
byte-identical afterwards, and STS must not have been called. STS failures
are in test_faults.py.

The cases run in-process (tests/conftest.py: run_in_process); the unreadable
file runs as a process, since only a process can drop root's power to read
any file, and a few cases run through the installed console script too.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from aws_mfa.demo import LocalSts
from tests.conftest import (
    AWS_MFA,
    DEVICE,
    ROLE,
    Result,
    long_term,
    run,
    run_in_process,
    session,
    write,
)

GOOD = long_term()
VALID_SESSION = session("default", "2099-01-01 00:00:00")


@dataclass
class Case:
    name: str
    text: str | None  # the credentials file; None: see ``special``
    args: list[str]
    code: int
    message: str  # what the one stderr line must contain ("{path}" is the file)
    env: dict[str, str] = field(default_factory=dict)
    special: str = ""
    config: str | None = None


CASES = [
    Case(
        "an export format that does not exist, before any login",
        GOOD,
        ["export", "--format", "csh", "-c", "123456"],
        2,
        "--format: 'csh' is not an export format",
    ),
    Case(
        "an export format from the YAML profile that does not exist",
        GOOD,
        ["export", "-c", "123456"],
        2,
        "shell of 'default' in ",
        special="yaml-shell",
    ),
    Case(
        "a suffix that would break the section header",
        GOOD,
        ["--short-term-suffix", "x]y", "-c", "123456"],
        2,
        "--short-term-suffix: 'default-x]y' is not a section name",
    ),
    Case(
        "a long-term suffix with a newline",
        GOOD,
        ["--long-term-suffix", "a\nb", "-c", "123456"],
        2,
        "--long-term-suffix: 'default-a\\nb' is not a section name",
    ),
    Case(
        "a profile name with a control character",
        GOOD,
        ["-p", "dev\x1b[2J", "-c", "123456"],
        2,
        "--profile: 'dev\\x1b[2J' is not a profile name",
    ),
    Case(
        "no section header",
        "aws_access_key_id = x\n",
        ["-c", "123456"],
        3,
        "{path!r}, line 1: text before the first [section] header",
    ),
    Case(
        "a line with no equals sign",
        GOOD + "just some words\n",
        ["-c", "123456"],
        3,
        "{path!r}, line 5: in section 'default-long-term', this line is neither 'key = value'",
    ),
    Case(
        "a duplicate section",
        GOOD + "\n" + GOOD,
        ["-c", "123456"],
        3,
        "{path!r}, line 6: section 'default-long-term' appears a second time (first on line 1)",
    ),
    Case(
        "a duplicate key",
        GOOD + "AWS_ACCESS_KEY_ID = y\n",
        ["-c", "123456"],
        3,
        "{path!r}, line 5: key 'aws_access_key_id' appears a second time in section "
        "'default-long-term'",
    ),
    Case(
        "an empty file",
        "",
        ["-c", "123456"],
        3,
        "{path} has no long-term section [default-long-term]",
    ),
    Case(
        "a folder in the file's place",
        None,
        ["-c", "123456"],
        3,
        "{path!r} is a folder, not a regular file",
        special="folder",
    ),
    Case(
        "an unreadable file",
        GOOD,
        ["-c", "123456"],
        3,
        "cannot read {path!r}: permission denied",
        special="unreadable",
    ),
    Case(
        "a file that is not UTF-8",
        None,
        ["-c", "123456"],
        3,
        "{path!r}, line 2: not UTF-8 text",
        special="latin1",
    ),
    Case(
        "a FIFO in the file's place (never blocks)",
        None,
        ["-c", "123456"],
        3,
        "{path!r} is a FIFO (named pipe), not a regular file",
        special="fifo",
    ),
    Case(
        "a device in the file's place",
        None,
        ["-c", "123456"],
        3,
        "'/dev/null' is a device, not a regular file",
        env={"AWS_SHARED_CREDENTIALS_FILE": "/dev/null"},
    ),
    Case(
        "a file over 64 MiB",
        None,
        ["-c", "123456"],
        3,
        "{path!r} is 65 MiB, over the 64 MiB aws-mfa reads",
        special="huge",
    ),
    Case(
        "a UTF-8 byte-order mark",
        "\ufeff" + GOOD,
        ["-c", "123456"],
        3,
        "{path!r}, line 1: the file starts with a UTF-8 byte-order mark (BOM), which the AWS "
        "CLI and SDKs reject",
    ),
    Case(
        "classic Mac (lone CR) line endings",
        GOOD.replace("\n", "\r")
        + "\r"
        + session("default", "2000-01-01 00:00:00").replace("\n", "\r"),
        ["-c", "123456"],
        3,
        "{path!r}, line 1: a line ends with a lone CR (classic Mac line endings), which "
        "aws-mfa does not edit",
    ),
    Case(
        "logout of a file in a FIFO's place",
        None,
        ["logout", "--all"],
        3,
        "{path!r} is a FIFO (named pipe), not a regular file",
        special="fifo",
    ),
    Case(
        "a missing long-term section",
        "[other]\nk = v\n",
        ["-c", "123456"],
        3,
        "{path} has no long-term section [default-long-term]",
    ),
    Case(
        "no key id in the long-term section",
        "[default-long-term]\naws_secret_access_key = s\n",
        ["-c", "123456"],
        3,
        "{path}: [default-long-term] has no aws_access_key_id",
    ),
    Case(
        "no secret in the long-term section",
        "[default-long-term]\naws_access_key_id = AKIAX\n",
        ["-c", "123456"],
        3,
        "{path}: [default-long-term] has no aws_secret_access_key",
    ),
    Case(
        "a malformed expiration",
        GOOD + "\n" + session("default", "next tuesday"),
        [],
        3,
        "{path}, line 12, [default]: expiration 'next tuesday' is not a date and time",
    ),
    Case(
        "assumed_role neither True nor False",
        GOOD + "\n" + VALID_SESSION.replace("assumed_role = False", "assumed_role = maybe"),
        [],
        3,
        "{path}, line 7, [default]: assumed_role 'maybe' is neither True nor False",
    ),
    *[
        Case(
            f"code {code!r}",
            GOOD,
            ["--token", code],
            2,
            "--token: the MFA code must be exactly six digits",
        )
        for code in ["", "12345", "1234567", "12a456", "123 45"]
    ],
    Case(
        "code in MFA_TOKEN",
        GOOD,
        [],
        2,
        "MFA_TOKEN: the MFA code must be exactly six digits",
        env={"MFA_TOKEN": "12a456"},
    ),
    *[
        Case(
            f"duration {value}",
            GOOD,
            ["-c", "123456", "--duration", value],
            2,
            f"--duration: {message}",
        )
        for value, message in [
            ("899", "899 seconds is outside what STS allows for a session token: 900 to 129600"),
            ("129601", "129601 seconds is outside what STS allows"),
            ("abc", "'abc' is not a whole number of seconds"),
        ]
    ],
    *[
        Case(
            f"MFA_STS_DURATION {value}",
            GOOD,
            ["-c", "123456"],
            2,
            f"MFA_STS_DURATION: {message}",
            env={"MFA_STS_DURATION": value},
        )
        for value, message in [
            ("899", "899 seconds is outside"),
            ("129601", "129601 seconds is outside"),
            ("abc", "'abc' is not a whole number"),
        ]
    ],
    Case(
        "a role ARN of the wrong shape",
        GOOD,
        ["-c", "123456", "--assume-role", "admin"],
        2,
        "--assume-role: 'admin' is not a role ARN",
    ),
    Case(
        "a role ARN for a user",
        GOOD,
        ["-c", "123456", "--assume-role", ROLE.replace(":role/", ":user/")],
        2,
        "is not a role ARN",
    ),
    Case(
        "a device ARN of the wrong shape",
        GOOD,
        ["-c", "123456", "--device", "arn:aws:iam::12345:mfa/x"],
        2,
        "--device: 'arn:aws:iam::12345:mfa/x' is not an MFA device ARN",
    ),
    Case(
        "a user ARN as the device",
        GOOD,
        ["-c", "123456", "--device", DEVICE.replace(":mfa/", ":user/")],
        2,
        "is a user ARN, not an MFA device; the device is " + DEVICE,
    ),
    Case(
        "equal section names",
        GOOD,
        ["-c", "123456", "--long-suffix", "x", "--short-suffix", "x"],
        2,
        "the long-term and short-term sections would both be [default-x]",
    ),
    Case(
        "long-term keys in the short-term section",
        GOOD + "\n[default]\naws_access_key_id = AKIAMYREALKEY0000001\n"
        "aws_secret_access_key = real-secret\n",
        ["-c", "123456"],
        3,
        "{path}: [default] holds a long-term access key id (...0001), and aws-mfa will not "
        "overwrite long-term keys",
    ),
    Case(
        "a config file that cannot be parsed",
        GOOD,
        ["-c", "123456"],
        3,
        "{config!r}, line 2: in section 'default', this line is neither",
        config="[default]\nregion\n",
    ),
    Case(
        "a bad value in the config file",
        GOOD,
        ["-c", "123456"],
        2,
        "region in [profile default] of {config}: 'moon-1' is not an AWS region",
        config="[profile default]\nregion = moon-1\n",
    ),
    Case(
        "a bad MFA_LOG_LEVEL",
        GOOD,
        ["-c", "123456"],
        2,
        "MFA_LOG_LEVEL: 'LOUD' is not one of",
        env={"MFA_LOG_LEVEL": "LOUD"},
    ),
]


def unreadable(command: list[str]) -> list[str]:
    """As root, run without the capabilities that let root read any file."""
    if os.geteuid() != 0:
        return command
    setpriv = shutil.which("setpriv")
    assert setpriv, "setpriv (util-linux) is needed to test an unreadable file as root"
    return [setpriv, "--bounding-set", "-dac_override,-dac_read_search", *command]


AS_A_PROCESS_TOO = (
    "an export format that does not exist, before any login",
    "a duplicate key",
    "a FIFO in the file's place (never blocks)",
)
"""Cases that also run through the installed console script."""


def runs() -> list[object]:
    """Each case in-process, the unreadable file only as a process (root needs setpriv), and
    the cases of :data:`AS_A_PROCESS_TOO` as a process too; the process runs are marked e2e."""
    found = []
    for case in CASES:
        if case.special != "unreadable":
            found.append(pytest.param(case, run_in_process, id=case.name))
        if case.special == "unreadable" or case.name in AS_A_PROCESS_TOO:
            found.append(
                pytest.param(case, run, id=f"{case.name} (process)", marks=pytest.mark.e2e)
            )
    return found


@pytest.mark.parametrize(("case", "runner"), runs())
def test_bad_input(
    case: Case,
    runner: Callable[[list[str], dict[str, str]], Result],
    credentials: Path,
    home: Path,
    environment: dict[str, str],
    sts: LocalSts,
) -> None:
    command = [AWS_MFA, *case.args]
    if case.special == "folder":
        credentials.mkdir(parents=True)
    elif case.special == "fifo":
        credentials.parent.mkdir(parents=True)
        os.mkfifo(credentials)
    elif case.special == "huge":
        write(credentials, GOOD)
        os.truncate(credentials, 65 * 1024 * 1024)  # sparse: takes no disk space
    elif case.special == "latin1":
        write(credentials, b"[default-long-term]\nregion = caf\xe9\n")
    elif case.text is not None:
        write(credentials, case.text)
    if case.special == "unreadable":
        credentials.chmod(0o000)
        command = unreadable(command)
    if case.special == "yaml-shell":
        write(home / ".aws" / "aws-mfa.yaml", "default:\n  shell: csh\n")
    config = home / ".aws" / "config"
    if case.config is not None:
        write(config, case.config)
    readable = credentials.is_file() and case.special not in ("unreadable", "huge")
    before = credentials.read_bytes() if readable else None

    env = {**environment, "MFA_LOG_LEVEL": "", **case.env}
    result = runner(command, env)

    credentials.chmod(0o600) if case.special == "unreadable" else None
    message = case.message.format(path=str(credentials), config=str(config))
    assert result.code == case.code, result.stderr
    assert result.stderr.splitlines() == [result.stderr.strip()], result.stderr
    assert result.stderr.startswith("ERROR - ")
    assert message in result.stderr
    assert "Traceback" not in result.stderr
    assert result.stdout == ""
    if before is not None:
        assert credentials.read_bytes() == before
    assert sts.requests == []
    assert not list(credentials.parent.glob(".*aws-mfa-tmp"))
