"""aws-mfa against a local STS, and the real AWS CLI using what it wrote.

The installed aws-mfa runs in a process of its own where that is what is shown:
the AWS CLI using what it wrote, the valid path, no terminal, stdin, the
terminal itself, ``python -m``, the demo. The rest runs aws-mfa's main
in-process (``aws_mfa_in_process``), with the same environment and secret scan.
"""

from __future__ import annotations

import stat
import sys
from pathlib import Path

import pytest

from aws_mfa.demo import LocalSts
from aws_mfa.files import ini
from tests.conftest import (
    AWS_MFA,
    DEVICE,
    LONG_TERM_KEY_ID,
    LONG_TERM_SECRET,
    ROLE,
    SESSION_KEY_ID,
    SESSION_SECRET,
    AwsMfa,
    long_term,
    new_window,
    run,
    run_with_terminal,
    session,
    write,
)

COMMENTED = (
    "# Work keys. aws-mfa must keep every byte of this file it does not own.\n"
    "; a semicolon comment\n"
    "\n"
    + long_term("dev-long-term").replace("\n", "   # trailing text is part of the value\n", 1)
    + "\n"
    "[unrelated]\n"
    "aws_access_key_id=AKIAUNRELATED0000001\n"
    "aws_secret_access_key\t=\tunrelated-secret\n"
)


def values(path: Path, section: str) -> dict[str, str]:
    return ini.parse(path.read_text(), str(path)).values(section) or {}


@pytest.mark.e2e
def test_login_writes_a_session_the_aws_cli_uses(
    credentials: Path, aws_mfa: AwsMfa, aws_cli: AwsMfa, sts: LocalSts
) -> None:
    write(credentials, COMMENTED)
    result = aws_mfa("--profile", "dev", "--token", "123456")
    assert result.code == 0, result.stderr
    assert result.stdout == ""
    assert "INFO - Success! Credentials for [dev] are valid for" in result.stderr
    text = credentials.read_text()
    assert text.startswith(COMMENTED + "\n[dev]\nassumed_role = False\n")
    dev = values(credentials, "dev")
    assert dev["aws_access_key_id"] == SESSION_KEY_ID
    assert dev["aws_session_token"] == dev["aws_security_token"] != ""
    request = sts.requests[-1]
    assert request["Action"] == "GetSessionToken"
    assert request["SerialNumber"] == DEVICE
    assert request["DurationSeconds"] == "43200"
    assert request["@key_id"] == LONG_TERM_KEY_ID
    assert request["@session_token"] == ""

    identity = aws_cli("sts", "get-caller-identity", "--profile", "dev")
    assert identity.code == 0, identity.stderr
    assert sts.requests[-1]["Action"] == "GetCallerIdentity"
    assert sts.requests[-1]["@key_id"] == SESSION_KEY_ID
    assert sts.requests[-1]["@session_token"] == dev["aws_session_token"]


def test_second_run_finds_valid_credentials_and_calls_nothing(
    credentials: Path, aws_mfa_in_process: AwsMfa, sts: LocalSts
) -> None:
    write(credentials, COMMENTED)
    assert aws_mfa_in_process("-p", "dev", "-c", "123456").code == 0
    before = credentials.read_bytes()
    sts.requests.clear()
    result = aws_mfa_in_process("-p", "dev")
    assert result.code == 0
    assert "INFO - The credentials in [dev] are still valid for 11h 59m, until" in result.stderr
    assert sts.requests == []
    assert credentials.read_bytes() == before


@pytest.mark.e2e
def test_role_session_is_written_and_the_cli_acts_as_the_role(
    credentials: Path, aws_mfa_in_process: AwsMfa, aws_cli: AwsMfa, sts: LocalSts
) -> None:
    write(credentials, long_term("dev-long-term"))
    result = aws_mfa_in_process("--profile", "dev", "--assume-role", ROLE, "--token", "123456")
    assert result.code == 0, result.stderr
    request = sts.requests[-1]
    assert (request["Action"], request["RoleArn"], request["DurationSeconds"]) == (
        "AssumeRole",
        ROLE,
        "3600",
    )
    assert "SerialNumber" not in request  # from the MFA session, which the code bought
    assert sts.requests[0]["SerialNumber"] == DEVICE
    dev = values(credentials, "dev")
    assert (dev["assumed_role"], dev["assumed_role_arn"]) == ("True", ROLE)
    identity = aws_cli("sts", "get-caller-identity", "--profile", "dev", "--output", "text")
    assert identity.code == 0, identity.stderr
    assert ":assumed-role/admin/" in identity.stdout


def test_everything_from_the_environment(
    credentials: Path, aws_mfa_in_process: AwsMfa, sts: LocalSts
) -> None:
    write(credentials, long_term("ci-long-term", device=None))
    result = aws_mfa_in_process(
        "--token",
        "123456",
        AWS_PROFILE="ci",
        MFA_DEVICE=DEVICE,
        MFA_STS_DURATION="1800",
        MFA_ASSUME_ROLE=ROLE,
    )
    assert result.code == 0, result.stderr
    request = sts.requests[-1]
    assert (request["Action"], request["DurationSeconds"]) == ("AssumeRole", "1800")
    assert sts.requests[0]["SerialNumber"] == DEVICE
    assert values(credentials, "ci")["assumed_role_arn"] == ROLE


def test_aws_profile_naming_no_configured_profile_does_not_break_sts(
    credentials: Path, aws_mfa_in_process: AwsMfa, home: Path
) -> None:
    write(credentials, long_term("fresh-long-term"))
    write(home / ".aws" / "config", "[default]\nregion = eu-west-1\n")
    assert aws_mfa_in_process("--token", "123456", AWS_PROFILE="fresh").code == 0
    assert values(credentials, "fresh")["aws_access_key_id"] == SESSION_KEY_ID


def test_credentials_file_from_environment_and_flag(
    home: Path, aws_mfa_in_process: AwsMfa, credentials: Path
) -> None:
    elsewhere = write(home / "other" / "creds", long_term())
    assert aws_mfa_in_process("-c", "123456", AWS_SHARED_CREDENTIALS_FILE=str(elsewhere)).code == 0
    assert "default" in ini.parse(elsewhere.read_text(), "x").sections
    flagged = write(home / "flagged", long_term())
    new_window(home)
    assert aws_mfa_in_process("-c", "123456", "--credentials-file", str(flagged)).code == 0
    assert "default" in ini.parse(flagged.read_text(), "x").sections
    assert not credentials.exists()


def test_crlf_file_keeps_its_line_endings(credentials: Path, aws_mfa_in_process: AwsMfa) -> None:
    original = COMMENTED.replace("\n", "\r\n")
    write(credentials, original)
    assert aws_mfa_in_process("-p", "dev", "-c", "123456").code == 0
    data = credentials.read_bytes()
    assert data.startswith(original.encode())
    assert b"\n" not in data.replace(b"\r\n", b"")


@pytest.mark.posix(reason="mode bits and a symbolic link")
def test_new_file_modes_and_symlink(
    home: Path, aws_mfa_in_process: AwsMfa, credentials: Path
) -> None:
    target = write(home / "dotfiles" / "aws", long_term(), mode=0o640)
    credentials.parent.mkdir(mode=0o700)
    credentials.symlink_to(target)
    assert aws_mfa_in_process("-c", "123456").code == 0
    assert credentials.is_symlink()
    assert stat.S_IMODE(target.stat().st_mode) == 0o640
    assert "default" in ini.parse(target.read_text(), "x").sections


@pytest.mark.parametrize(
    "args",
    [
        ["--mfa-token", "123456", "--long-suffix", "perm", "--short-suffix", "tmp"],
        ["-m", "123456", "--long-term-suffix", "perm", "--short-term-suffix", "tmp"],
        ["--mfa-code", "123456", "--long-suffix", "perm", "--short-suffix", "tmp", "-d", "900"],
        ["--token-code", "123456", "--long-suffix", "perm", "--short-suffix", "tmp"],
    ],
)
def test_0012_flag_spellings(
    args: list[str], credentials: Path, aws_mfa_in_process: AwsMfa
) -> None:
    write(credentials, long_term("work-perm"))
    result = aws_mfa_in_process("--profile", "work", *args)
    assert result.code == 0, result.stderr
    assert values(credentials, "work-tmp")["aws_access_key_id"] == SESSION_KEY_ID


def test_assume_alias_and_role_session_name(
    credentials: Path, aws_mfa_in_process: AwsMfa, sts: LocalSts
) -> None:
    write(credentials, long_term())
    result = aws_mfa_in_process("--assume", ROLE, "--role-session-name", "ci-job", "-c", "123456")
    assert result.code == 0, result.stderr
    assert sts.requests[-1]["RoleSessionName"] == "ci-job"


def test_force_renews_and_a_role_change_renews(
    credentials: Path, home: Path, aws_mfa_in_process: AwsMfa, sts: LocalSts
) -> None:
    write(credentials, long_term() + "\n" + session("default", "2099-01-01 00:00:00"))
    assert aws_mfa_in_process().code == 0
    assert sts.requests == []
    result = aws_mfa_in_process("--force", "-c", "123456")
    assert "Renewing: renewal forced with --force" in result.stderr
    assert [r["Action"] for r in sts.requests] == ["GetSessionToken"]
    new_window(home)
    result = aws_mfa_in_process("--assume-role", ROLE, "-c", "123456")
    assert "holds no role session, and role" in result.stderr
    assert [r["Action"] for r in sts.requests] == ["GetSessionToken", "AssumeRole"]


def test_expired_and_near_expiry_sessions_are_renewed(
    credentials: Path, home: Path, aws_mfa_in_process: AwsMfa, sts: LocalSts
) -> None:
    write(credentials, long_term() + "\n" + session("default", "2001-01-01 00:00:00"))
    result = aws_mfa_in_process("-c", "123456")
    assert "Renewing: the credentials in [default] have expired" in result.stderr
    from datetime import datetime, timedelta, timezone

    soon = (datetime.now(timezone.utc) + timedelta(seconds=120)).strftime("%Y-%m-%d %H:%M:%S")
    write(credentials, long_term() + "\n" + session("default", soon))
    new_window(home)
    result = aws_mfa_in_process("-c", "123456")
    assert "within the 5m 00s margin" in result.stderr
    write(credentials, long_term() + "\n" + session("default", soon))
    result = aws_mfa_in_process("--min-ttl", "60")
    assert "still valid" in result.stderr
    new_window(home)
    result = aws_mfa_in_process("-c", "123456", MFA_MIN_TTL="600")
    assert "within the 10m 00s margin" in result.stderr
    # One code bought the MFA session; the later renewals were written from it.
    assert len(sts.requests) == 1


@pytest.mark.e2e
def test_no_terminal_and_no_token_fails_at_once(credentials: Path, aws_mfa: AwsMfa) -> None:
    write(credentials, long_term())
    before = credentials.read_bytes()
    result = aws_mfa(stdin="123456\n")
    assert result.code == 4
    [line] = result.error_lines
    assert line.startswith(
        "ERROR - short-term section [default] is missing; no MFA code can be asked for here: "
        "no terminal"
    )
    assert line.endswith(  # the code was piped: the hint says how it is read
        "; run 'aws-mfa' in a terminal to renew it, or pass a code on stdin with '--token -', "
        "or set MFA_TOKEN_COMMAND or MFA_PROMPT=ykman (see 'Codes without a terminal' in "
        "docs/usage.md)"
    )
    assert credentials.read_bytes() == before


@pytest.mark.e2e
def test_token_dash_reads_the_code_from_stdin(credentials: Path, aws_mfa: AwsMfa) -> None:
    write(credentials, long_term())
    assert aws_mfa("--token", "-", stdin="123456\n").code == 0
    assert values(credentials, "default")["aws_access_key_id"] == SESSION_KEY_ID


@pytest.mark.e2e
def test_prompt_is_on_the_terminal_even_when_stdin_is_a_pipe(
    credentials: Path, environment: dict[str, str], sts: LocalSts
) -> None:
    write(credentials, long_term())
    prompt = f"Enter AWS MFA code for device [{DEVICE}] (renewing for 43200 seconds): "
    result = run_with_terminal(
        [AWS_MFA], environment, [(prompt, "123456\n")], stdin="not the code\n"
    )
    assert result.code == 0, result.stderr
    assert result.stdout == ""
    assert sts.requests[-1]["TokenCode"] == "123456"


@pytest.mark.e2e
def test_setup_adds_a_long_term_section_without_echoing_the_secret(
    credentials: Path, home: Path, environment: dict[str, str]
) -> None:
    write(credentials, "# keep me\n[other]\nk = v\n")
    result = run_with_terminal(
        [AWS_MFA, "--setup"],
        environment,
        [
            ("Profile name [default]: ", "dev\n"),
            ("aws_access_key_id: ", "AKIASETUPKEY00000001\n"),
            ("aws_secret_access_key: ", "setup-secret-value\n"),
            ("like arn:aws:iam::123456789012:mfa/NAME: ", DEVICE + "\n"),
            ("(Enter keeps it in the file): ", "\n"),
            ("need a region for profile dev; region [us-east-1]: ", "eu-west-1\n"),
        ],
    )
    assert result.code == 0, result.stderr
    assert (home / ".aws" / "config").read_text() == "[profile dev]\nregion = eu-west-1\n"
    assert "setup-secret-value" not in result.terminal
    assert "AKIASETUPKEY00000001" in result.terminal  # the key id is echoed: it is no secret
    assert "setup-secret-value" not in result.stderr
    assert credentials.read_text() == (
        "# keep me\n[other]\nk = v\n\n[dev-long-term]\n"
        "aws_access_key_id = AKIASETUPKEY00000001\n"
        "aws_secret_access_key = setup-secret-value\n"
        f"aws_mfa_device = {DEVICE}\n"
    )
    again = run_with_terminal(
        [AWS_MFA, "--setup"], environment, [("Profile name [default]: ", "dev\n")]
    )
    assert again.code == 3
    assert "already has a section 'dev-long-term'" in again.stderr


@pytest.mark.e2e
def test_setup_creates_the_file_and_folder(home: Path, environment: dict[str, str]) -> None:
    result = run_with_terminal(
        [AWS_MFA, "--setup"],
        environment,
        [
            ("Profile name [default]: ", "\n"),
            ("aws_access_key_id: ", "AKIASETUPKEY00000001\n"),
            ("aws_secret_access_key: ", "s\n"),
            ("like arn:aws:iam::123456789012:mfa/NAME: ", DEVICE + "\n"),
            ("(Enter keeps it in the file): ", "\n"),
            ("region [us-east-1]: ", "\n"),  # Enter takes it
        ],
    )
    assert result.code == 0, result.stderr
    path = home / ".aws" / "credentials"
    assert values(home / ".aws" / "config", "default") == {"region": "us-east-1"}
    assert stat.S_IMODE((home / ".aws" / "config").stat().st_mode) == 0o600
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    assert values(path, "default-long-term")["aws_access_key_id"] == "AKIASETUPKEY00000001"


def test_setup_without_a_terminal_stops_at_once(
    aws_mfa_in_process: AwsMfa, credentials: Path
) -> None:
    result = aws_mfa_in_process("--setup")
    assert result.code == 4
    assert result.error_lines[0].startswith(
        "ERROR - --setup needs to ask for your keys and there is no terminal"
    )
    assert not credentials.exists()


@pytest.mark.e2e
def test_python_dash_m_and_version(environment: dict[str, str]) -> None:
    result = run([sys.executable, "-m", "aws_mfa", "--version"], environment)
    assert result.code == 0
    from aws_mfa import __version__

    assert result.stdout.strip() == f"aws-mfa {__version__}"


def test_debug_logging_never_shows_a_secret(
    credentials: Path, home: Path, aws_mfa_in_process: AwsMfa, sts: LocalSts
) -> None:
    write(credentials, long_term())
    results = [
        aws_mfa_in_process("--log-level", "DEBUG", "-c", "123456"),
        aws_mfa_in_process("--log-level", "debug"),
    ]
    new_window(home)
    results.append(
        aws_mfa_in_process("--log-level", "DEBUG", "--force", "--assume-role", ROLE, "-c", "123456")
    )
    token = values(credentials, "default")["aws_session_token"]
    for result in results:
        assert result.code == 0, result.stderr
        printed = result.stdout + result.stderr
        for secret in (LONG_TERM_SECRET, SESSION_SECRET, token):  # run() checks codes
            assert secret not in printed
        assert LONG_TERM_KEY_ID not in printed


def test_unknown_flag_is_one_line_with_exit_2(aws_mfa_in_process: AwsMfa) -> None:
    result = aws_mfa_in_process("--frobnicate")
    assert result.code == 2
    assert result.stderr.splitlines() == [
        "ERROR - unknown option --frobnicate; see 'aws-mfa --help'"
    ]


@pytest.mark.e2e
def test_the_readme_demo_runs(environment: dict[str, str]) -> None:
    result = run([sys.executable, "-m", "aws_mfa.demo"], environment, timeout=120)
    assert result.code == 0, result.stdout + result.stderr
    assert "[default] holds the session, the comment is kept" in result.stdout
    assert "still valid" in result.stdout
    assert "(STS answered 1 request(s) in all)" in result.stdout
    assert SESSION_SECRET not in result.stdout


@pytest.mark.posix(reason="mode bits (Windows keeps access in ACLs)")
def test_a_file_others_can_read_is_warned_about_and_keeps_its_mode(
    credentials: Path, aws_mfa_in_process: AwsMfa, sts: LocalSts
) -> None:
    write(credentials, long_term(), mode=0o644)
    result = aws_mfa_in_process("-c", "123456", MFA_LOG_LEVEL="")
    assert result.code == 0, result.stderr
    assert (
        f"WARNING - {str(credentials)!r} can be read by other users (mode 0644), and it holds your "
        f"keys; run: chmod 600 {str(credentials)!r}" in result.stderr.splitlines()
    )
    assert stat.S_IMODE(credentials.stat().st_mode) == 0o644


def test_an_error_keeps_its_cause_for_debug_output(
    credentials: Path, home: Path, aws_mfa_in_process: AwsMfa
) -> None:
    write(credentials, long_term())
    write(home / ".aws" / "aws-mfa.yaml", "default: [\n")
    result = aws_mfa_in_process("-c", "123456")
    assert result.code == 3
    assert result.error_lines[0].endswith("; fix the YAML")
    assert "DEBUG - Caused by yaml." in result.stderr
    assert "Traceback" not in result.stderr


def test_a_newline_in_a_path_cannot_forge_a_second_line(
    aws_mfa_in_process: AwsMfa, home: Path
) -> None:
    forged = str(home / "missing\nERROR - forged line")
    result = aws_mfa_in_process("--credentials-file", forged, "-c", "123456", MFA_LOG_LEVEL="")
    assert result.code == 3
    assert len(result.stderr.splitlines()) == 1, result.stderr
    assert "missing\\nERROR - forged line" in result.stderr


def test_renewal_over_https_trusts_the_ca_bundle_of_the_config_file(
    home: Path, tmp_path: Path, credentials: Path, aws_mfa_in_process: AwsMfa
) -> None:
    """A CA no system trusts: only ``ca_bundle`` in the config file makes this work."""
    folder = tmp_path / "tls"
    folder.mkdir()
    write(credentials, long_term("dev-long-term"))
    config = home / ".aws" / "config"
    with LocalSts(tls_folder=folder) as https_sts:
        assert https_sts.url.startswith("https://")
        untrusted = aws_mfa_in_process(
            "-p",
            "dev",
            "--token",
            "123456",
            AWS_ENDPOINT_URL_STS=https_sts.url,
            MFA_STS_TIMEOUT="3",
        )
        assert untrusted.code == 6
        assert len(untrusted.error_lines) == 1
        assert untrusted.error_lines[0].startswith(
            f"ERROR - cannot verify the TLS certificate of STS at {https_sts.url} ("
        )
        assert (
            "ca_bundle in the AWS config file, AWS_CA_BUNDLE or REQUESTS_CA_BUNDLE"
            in (untrusted.error_lines[0])
        )
        assert https_sts.requests == []
        new_window(home)
        write(config, f"[profile dev]\nca_bundle = {https_sts.ca_bundle}\n")
        trusted = aws_mfa_in_process(
            "-p", "dev", "--token", "123456", AWS_ENDPOINT_URL_STS=https_sts.url
        )
        assert trusted.code == 0, trusted.stderr
        assert https_sts.actions() == ["GetSessionToken"]
    assert values(credentials, "dev")["aws_access_key_id"] == SESSION_KEY_ID
