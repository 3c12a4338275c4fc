"""aws-mfa doctor: every problem it knows, explained, and nothing changed."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from aws_mfa.commands import doctor
from aws_mfa.demo import LocalSts
from aws_mfa.files import ini
from aws_mfa.settings.resolve import Flags
from tests.conftest import POSIX, AwsMfa, long_term, session, write

HEALTHY = long_term("dev-long-term") + "\n" + session("dev", "2099-01-01 00:00:00")


def snapshot(home: Path) -> dict[str, bytes]:
    return {str(p): p.read_bytes() for p in (home / ".aws").rglob("*") if p.is_file()}


def lines(output: str, level: str) -> list[str]:
    return [line[9:] for line in output.splitlines() if line.startswith(level)]


@pytest.fixture
def healthy(credentials: Path, home: Path) -> Path:
    write(credentials, HEALTHY)
    (home / ".aws").chmod(0o700)
    write(home / ".aws" / "config", "[profile dev]\nregion = eu-west-1\n", mode=0o644)
    return credentials


def test_all_well(healthy: Path, home: Path, aws_mfa_both: AwsMfa, sts: LocalSts) -> None:
    before = snapshot(home)
    result = aws_mfa_both("doctor", MFA_STS_TIMEOUT="60")  # a busy machine answers late
    assert result.code == 0, result.stdout + result.stderr
    assert lines(result.stdout, "PROBLEM") == []
    if POSIX:
        assert f"{healthy} is safe from other users (mode 0600)" in result.stdout
    else:  # Windows keeps access in ACLs, which aws-mfa does not read
        assert f"who may read {healthy} is not checked on Windows" in result.stdout
    assert f"the clock agrees with STS's at {sts.url}" in result.stdout
    assert snapshot(home) == before
    assert sorted(p.name for p in (home / ".aws").iterdir()) == ["config", "credentials"]


def test_every_problem_is_found_and_explained(
    credentials: Path, home: Path, aws_mfa_in_process: AwsMfa, sts: LocalSts
) -> None:
    text = (
        long_term("dev-long-term")
        + "\n[dev]\naws_access_key_id = AKIAPASTEDKEY0000042\naws_secret_access_key = s\n"
        + "\n[profile prod]\nregion = eu-west-1\n"
        + "\n"
        + session("hidden", "2099-01-01 00:00:00")
    )
    write(credentials, text, mode=0o644)
    (home / ".aws").chmod(0o775)
    write(
        home / ".aws" / "config",
        "[profile hidden]\nrole_arn = arn:aws:iam::123456789012:role/x\n",
        mode=0o666,
    )
    before = snapshot(home)
    result = aws_mfa_in_process("doctor", AWS_ACCESS_KEY_ID="AKIAFROMTHEENV000001")
    assert result.code == 9
    problems = lines(result.stdout, "PROBLEM")
    config, folder = home / ".aws" / "config", home / ".aws"
    modes = [  # POSIX only: Windows keeps access in ACLs, which aws-mfa does not read
        f"'{credentials}' can be read by other users (mode 0644), and it holds your keys; "
        f"run: chmod 600 '{credentials}'",
        f"{config} can be changed by other users (mode 0666); run: chmod go-w {config}",
        f"the folder {folder} can be changed by other users (mode 0775): they could put "
        f"their own files in the place of yours; run: chmod 700 {folder}",
    ]
    expected = [
        *(modes if POSIX else []),
        f"{credentials}, line 10: [profile prod] belongs in the config file; in the credentials "
        "file the AWS CLI reads it as a profile named 'profile prod'; rename it [prod]",
        f"[dev] in {credentials} holds a long-term access key id (...0042); "
        "'aws-mfa -p dev' would write its session there, so it stops: move them to [dev-long-term]",
        f"[profile hidden] in {config} has role_arn: the AWS CLI and SDKs then ignore "
        "the keys aws-mfa writes to [hidden]",
        "AWS_ACCESS_KEY_ID is set in the environment: the AWS CLI and SDKs use it instead of "
        "the profiles",
    ]
    for wanted in expected:
        assert any(problem.startswith(wanted) for problem in problems), (wanted, problems)
    assert len(problems) == len(expected)
    assert snapshot(home) == before
    assert "WARNING" not in result.stderr


def test_every_duplicate_section_is_listed_once(
    healthy: Path, aws_mfa_in_process: AwsMfa, sts: LocalSts
) -> None:
    write(healthy, HEALTHY + "\n[ci]\nk = 1\n[ci]\nk = 2\n[ci]\nk = 3\n")
    result = aws_mfa_in_process("doctor")
    assert result.code == 9
    assert lines(result.stdout, "PROBLEM") == [
        f"{healthy}, line {line}: [ci] appears a second time (first on line 14); the AWS CLI "
        "cannot read the file: merge the two"
        for line in (16, 18)
    ]


def test_an_unparsable_file_is_a_finding_not_a_crash(
    healthy: Path, home: Path, aws_mfa_in_process: AwsMfa, sts: LocalSts
) -> None:
    write(home / ".aws" / "config", "[default]\nregion\n")
    result = aws_mfa_in_process("doctor")
    assert result.code == 9
    config = home / ".aws" / "config"
    assert f"the config file cannot be read: '{config}', line 2" in result.stdout


def test_unreachable_sts_is_a_note(healthy: Path, aws_mfa_in_process: AwsMfa) -> None:
    result = aws_mfa_in_process("doctor", AWS_ENDPOINT_URL_STS="http://127.0.0.1:9")
    assert result.code == 0
    assert lines(result.stdout, "note")[-1].startswith(
        "the clock was not checked: http://127.0.0.1:9 could not be reached"
    )


@pytest.mark.parametrize(
    ("skew", "level"), [(0, "ok"), (45, "ok"), (-400, "PROBLEM"), (90, "PROBLEM")]
)
def test_clock_skew(skew: int, level: str) -> None:
    now = datetime(2026, 11, 22, 12, tzinfo=timezone.utc)
    finding = doctor.clock("https://sts", lambda: now, lambda url: now - timedelta(seconds=skew))
    assert finding.level == level
    if skew == -400:
        assert "400 seconds behind STS's" in finding.text


def test_a_byte_order_mark_is_a_problem_named_by_the_doctor(
    healthy: Path, credentials: Path, aws_mfa_in_process: AwsMfa, sts: LocalSts
) -> None:
    write(credentials, b"\xef\xbb\xbf" + credentials.read_bytes())
    result = aws_mfa_in_process("doctor")
    assert result.code == 9
    assert "the file starts with a UTF-8 byte-order mark (BOM)" in result.stdout


# The starting layouts of a newcomer (issue 32): what 'aws configure' writes, then a role.

AWS_CONFIGURE_CREDENTIALS = long_term("default")
AWS_CONFIGURE_CONFIG = "[default]\nregion = eu-west-1\n"
README_ROLE = (
    "\n[profile prod]\nrole_arn = arn:aws:iam::210987654321:role/admin\n"
    "source_profile = default\nregion = eu-west-1\n"
)


@pytest.fixture
def configured(credentials: Path, home: Path) -> Path:
    """The files as 'aws configure' leaves them: 0600 files in a 0755 folder."""
    write(credentials, AWS_CONFIGURE_CREDENTIALS)
    write(home / ".aws" / "config", AWS_CONFIGURE_CONFIG)
    (home / ".aws").chmod(0o755)
    return credentials


@pytest.mark.parametrize("role", ["", README_ROLE], ids=["aws-configure", "and-a-role"])
def test_the_layout_aws_configure_leaves_has_one_problem_and_its_next_step(
    configured: Path, home: Path, aws_mfa_in_process: AwsMfa, sts: LocalSts, role: str
) -> None:
    write(home / ".aws" / "config", AWS_CONFIGURE_CONFIG + role)
    before = snapshot(home)
    result = aws_mfa_in_process("doctor")
    assert result.code == 9
    assert lines(result.stdout, "PROBLEM") == [
        f"[default] in {configured} holds long-term keys, where aws-mfa writes its sessions, "
        "so a login stops: move them to [default-long-term] with 'aws-mfa -p default --setup' "
        "in a terminal (it asks first, and changes nothing else)"
    ]
    # The keys move first: no hint acts on [default] as it is, or names the role profile.
    assert "keychain import" not in result.stdout
    assert "rotate" not in result.stdout
    assert "-p prod" not in result.stdout
    if POSIX:  # the folder as 'aws configure' makes it: a note, not a problem
        assert any(
            note.startswith(f"the folder {home / '.aws'} is open to other users (mode 0755)")
            for note in lines(result.stdout, "note")
        )
    assert snapshot(home) == before


def test_after_the_move_the_readme_role_profile_is_no_problem(
    configured: Path, home: Path, aws_mfa_in_process: AwsMfa, sts: LocalSts
) -> None:
    write(configured, long_term("default-long-term"))
    write(home / ".aws" / "config", AWS_CONFIGURE_CONFIG + README_ROLE)
    result = aws_mfa_in_process("doctor")
    assert lines(result.stdout, "PROBLEM") == []
    assert result.code == 0
    assert "-p prod" not in result.stdout
    assert "'aws-mfa -p default rotate'" in result.stdout


def test_a_machine_with_no_keychain_gets_no_keychain_hint() -> None:
    document = ini.parse(long_term("dev-long-term"), "c")
    path = Path("credentials")
    found = doctor.long_term_secrets(document, {}, Flags({}), path, lambda: "no OS keychain")
    assert [finding.text for finding in found] == [
        f"[dev-long-term] in {path} holds its secret access key in plaintext; there is no OS "
        "keychain here to move it into"
    ]
    usable = doctor.long_term_secrets(document, {}, Flags({}), path, lambda: None)
    assert "'aws-mfa -p dev keychain import' moves it" in usable[0].text


def test_a_fresh_machine_gets_its_first_step(
    home: Path, credentials: Path, aws_mfa_in_process: AwsMfa, sts: LocalSts
) -> None:
    assert not credentials.exists()
    result = aws_mfa_in_process("doctor")
    assert result.code == 0
    assert (
        f"note     there is no {credentials}: run 'aws-mfa --setup' in a terminal to put your "
        "long-term keys and MFA device there (or 'aws configure', then 'aws-mfa')"
    ) in result.stdout.splitlines()
    assert not (home / ".aws").exists()
