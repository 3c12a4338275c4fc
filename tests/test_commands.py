"""status, logout, --pick, --backup, config, and what the config file feeds into a login."""

from __future__ import annotations

import json
import os
import stat
import subprocess
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from aws_mfa.cli.main import main
from aws_mfa.cli.prepare import pick
from aws_mfa.demo import LocalSts
from aws_mfa.files import credentials_file, ini
from aws_mfa.settings.resolve import Flags
from tests.conftest import (
    AWS_MFA,
    DEVICE,
    NO_TERMINAL,
    POSIX,
    ROLE,
    AwsMfa,
    long_term,
    run_with_terminal,
    session,
    write,
)


def later(seconds: int) -> str:
    moment = datetime.now(timezone.utc) + timedelta(seconds=seconds)
    return moment.strftime("%Y-%m-%d %H:%M:%S")


def fresh_sessions() -> str:
    """A file with a session valid for 2 hours, an expired role, and one expiring in 2
    minutes, counted from now: from when the test runs, not when the module was collected
    (a busy run may start a test minutes after that)."""
    return (
        long_term("dev-long-term")
        + "\n"
        + session("dev", later(7200))
        + "\n"
        + session("admin", "2001-01-01 00:00:00", role=ROLE)
        + "\n"
        + session("soon", later(120))
        + "\n[plain]\nregion = eu-west-1\n"
    )


def status(capsys: pytest.CaptureFixture[str], *args: str, **env: str) -> tuple[int, str]:
    code = main(["status", *args], {**os.environ, **env})
    return code, capsys.readouterr().out


# status


def test_status_lists_every_session(credentials: Path, capsys) -> None:
    write(credentials, fresh_sessions())
    code, out = status(capsys)
    assert code == 0
    sessions, long_term = out.split("\n\n")
    lines = sessions.splitlines()
    assert lines[0].split() == ["PROFILE", "IDENTITY", "EXPIRES", "LEFT", "STATE"]
    rows = {line.split()[0]: line for line in lines[1:]}
    assert set(rows) == {"dev", "admin", "soon"}
    assert rows["dev"].split()[1] == "user"
    assert rows["dev"].endswith("valid")
    assert " 1h 59m " in rows["dev"]
    assert rows["admin"].split()[1] == "role/admin"
    assert rows["admin"].endswith("expired")
    assert rows["soon"].endswith("expiring")
    assert [line.split() for line in long_term.splitlines()] == [
        ["LONG-TERM", "SECTION", "ACCESS", "KEY", "SECRET", "IN"],
        ["dev-long-term", "...ERM1", "file"],
    ]


def test_status_json_lists_every_session(credentials: Path, capsys) -> None:
    write(credentials, fresh_sessions())
    code, out = status(capsys, "--json")
    listed = json.loads(out)
    assert code == 0
    rows = [row for row in listed if row["kind"] == "profile"]
    assert [row for row in listed if row["kind"] == "long_term"] == [
        {
            "kind": "long_term",
            "section": "dev-long-term",
            "access_key_id": "...ERM1",
            "secret": "file",
            "key_created": None,
            "key_age_days": None,
        }
    ]
    assert [(row["profile"], row["state"]) for row in rows] == [
        ("dev", "valid"),
        ("admin", "expired"),
        ("soon", "expiring"),
    ]
    assert rows[1]["role_arn"] == ROLE
    assert rows[1]["seconds_left"] == 0
    assert rows[0]["expiration"].endswith("+00:00")


@pytest.mark.parametrize(
    ("args", "env", "state", "code"),
    [
        (["--profile", "dev"], {}, "valid", 0),
        (["-p", "admin"], {}, "expired", 7),
        (["-p", "soon"], {}, "expiring", 8),
        (["-p", "soon", "--min-ttl", "60"], {}, "valid", 0),
        (["-p", "nothing"], {}, "missing", 7),
        (["-p", "plain"], {}, "missing", 7),
        ([], {"AWS_PROFILE": "admin"}, "expired", 7),
        ([], {"AWS_PROFILE": "soon", "MFA_MIN_TTL": "60"}, "valid", 0),
    ],
)
def test_status_of_one_profile_sets_the_exit_code(
    credentials: Path, capsys, args, env, state, code
) -> None:
    write(credentials, fresh_sessions())
    got, out = status(capsys, *args, "--json", **env)
    assert got == code
    assert json.loads(out)["state"] == state


def test_status_all_ignores_aws_profile(credentials: Path, capsys) -> None:
    write(credentials, fresh_sessions())
    code, out = status(capsys, "--all", AWS_PROFILE="admin")
    assert code == 0
    assert len(out.split("\n\n")[0].splitlines()) == 4


def test_status_changes_nothing(credentials: Path, capsys) -> None:
    # What it imports is checked by test_import_guard.py.
    write(credentials, fresh_sessions())
    before = credentials.read_bytes()
    assert status(capsys)[0] == 0
    assert credentials.read_bytes() == before
    assert list(credentials.parent.iterdir()) == [credentials]


def test_status_with_no_file_says_so(capsys) -> None:
    code = main(["status"], dict(os.environ))
    assert code == 0
    assert "No sessions in" in capsys.readouterr().err


# logout


def test_logout_forgets_one_session_and_keeps_the_rest(credentials: Path, capsys) -> None:
    written = fresh_sessions()
    write(credentials, written)
    assert main(["logout", "-p", "dev"], dict(os.environ)) == 0
    err = capsys.readouterr().err
    assert "Forgot the session in [dev]. STS sessions cannot be revoked, only forgotten" in err
    doc = ini.parse(credentials.read_text(), "c")
    assert "dev" not in doc.sections
    assert {"dev-long-term", "admin", "soon", "plain"} <= set(doc.sections)
    start = written.index("[dev]\n")
    assert credentials.read_text() == written[:start] + written[written.index("[admin]") :]


def test_logout_keeps_the_users_own_keys_and_comments(credentials: Path) -> None:
    text = (
        long_term("dev-long-term")
        + "\n"
        + session("dev", later(7200)).replace("[dev]\n", "[dev]\n# my region\nregion = eu-west-1\n")
    )
    write(credentials, text)
    assert main(["logout", "-p", "dev"], dict(os.environ)) == 0
    assert credentials.read_text() == long_term("dev-long-term") + (
        "\n[dev]\n# my region\nregion = eu-west-1\n"
    )


def test_login_then_logout_gives_back_the_same_bytes(
    credentials: Path, aws_mfa_both: AwsMfa, sts: LocalSts
) -> None:
    original = "# keys\r\n" + long_term().replace("\n", "\r\n")
    write(credentials, original)
    assert aws_mfa_both("-c", "123456").code == 0
    assert credentials.read_bytes() != original.encode()
    assert aws_mfa_both("logout").code == 0
    assert credentials.read_bytes() == original.encode()


def test_logout_all_forgets_every_aws_mfa_session_only(credentials: Path, capsys) -> None:
    other_tool = (
        "[sso]\naws_access_key_id = ASIA9\naws_secret_access_key = x\naws_session_token = y\n"
    )
    write(credentials, fresh_sessions() + "\n" + other_tool)
    assert main(["logout", "--all"], dict(os.environ)) == 0
    doc = ini.parse(credentials.read_text(), "c")
    assert set(doc.sections) == {"dev-long-term", "plain", "sso"}
    assert "which had expired" in capsys.readouterr().err


def test_logout_never_removes_long_term_keys(credentials: Path, capsys) -> None:
    text = "[dev]\naws_access_key_id = AKIAMINE0000000000001\naws_secret_access_key = s\n"
    write(credentials, text)
    assert main(["logout", "--profile", "dev"], dict(os.environ)) == 3
    assert "logout never removes long-term keys" in capsys.readouterr().err
    assert credentials.read_text() == text


def test_logout_with_nothing_to_forget(credentials: Path, capsys) -> None:
    write(credentials, long_term())
    before = credentials.read_bytes()
    assert main(["logout"], dict(os.environ)) == 0
    said = capsys.readouterr().err
    assert "There was no session to forget" in said
    assert said.lower().count("to forget") == 1  # said once (issue 32)
    assert credentials.read_bytes() == before


# --backup


def test_backup_flag_copies_the_old_file_first(
    credentials: Path, aws_mfa_in_process: AwsMfa, sts: LocalSts
) -> None:
    write(credentials, long_term())
    original = credentials.read_bytes()
    assert aws_mfa_in_process("--backup", "-c", "123456").code == 0
    folder = credentials.parent / "credentials_backup"
    copies = list(folder.iterdir())
    assert len(copies) == 1
    assert copies[0].read_bytes() == original
    if POSIX:  # Windows keeps access in ACLs, not in these bits
        assert stat.S_IMODE(copies[0].stat().st_mode) == 0o600
        assert stat.S_IMODE(folder.stat().st_mode) == 0o700


def test_backup_from_the_config_and_only_ten_are_kept(
    credentials: Path, home: Path, aws_mfa_in_process: AwsMfa, sts: LocalSts
) -> None:
    write(credentials, long_term())
    write(home / ".aws" / "config", "[default]\naws_mfa_backup = true\n")
    folder = credentials.parent / "credentials_backup"
    folder.mkdir(mode=0o700)
    for day in range(1, 13):
        (folder / f"credentials.2020-01-{day:02d}T000000.000000Z").write_text("old")
    assert aws_mfa_in_process("-c", "123456").code == 0
    names = sorted(p.name for p in folder.iterdir())
    assert len(names) == 10
    assert names[0] == "credentials.2020-01-04T000000.000000Z"
    assert names[-1].startswith(f"credentials.{datetime.now(timezone.utc):%Y-%m-%d}")


def test_no_backup_unless_asked(
    credentials: Path, aws_mfa_in_process: AwsMfa, sts: LocalSts
) -> None:
    write(credentials, long_term())
    assert aws_mfa_in_process("-c", "123456").code == 0
    assert not (credentials.parent / "credentials_backup").exists()


def test_back_up_with_no_file_does_nothing(tmp_path: Path) -> None:
    assert credentials_file.back_up(tmp_path / "none") is None


# --pick


PICKABLE = (
    long_term("default-long-term")
    + "\n"
    + long_term("dev-long-term")
    + "\n"
    + session("dev", "2001-01-01 00:00:00")
    + "\n[bob]\naws_access_key_id = AKIABOB0000000000001\naws_secret_access_key = x\n"
)


@pytest.mark.parametrize(
    ("answer", "chosen"), [("\n", "default"), ("2\n", "dev"), ("dev\n", "dev")]
)
def test_pick_takes_enter_a_number_or_a_name(answer: str, chosen: str) -> None:
    prompts: list[str] = []

    def typed(prompt: str) -> str:
        prompts.append(prompt)
        return answer

    document = ini.parse(PICKABLE, "c")
    now = datetime.now(timezone.utc)
    assert pick(document, {}, Flags(), now=now, min_ttl=300, ask=typed) == chosen
    [prompt] = prompts
    assert "1) default  no session" in prompt
    assert "2) dev      expired" in prompt
    assert "bob" not in prompt
    assert prompt.endswith("Profile [default]: ")


@pytest.mark.e2e  # the terminal prompt
def test_pick_rejects_an_unknown_name(credentials: Path, environment: dict[str, str]) -> None:
    write(credentials, PICKABLE)
    before = credentials.read_bytes()
    result = run_with_terminal(
        [AWS_MFA, "login", "--pick"], environment, [("Profile [default]: ", "prod\n")]
    )
    assert result.code == 2
    assert result.error_lines == [
        "ERROR - --pick: no profile 'prod' with long-term keys; choose one of: default, dev"
    ]
    assert credentials.read_bytes() == before


def test_pick_without_a_terminal_fails_at_once(
    credentials: Path, aws_mfa_in_process: AwsMfa
) -> None:
    write(credentials, PICKABLE)
    result = aws_mfa_in_process("--pick")
    assert result.code == 4
    assert result.error_lines[0].startswith(
        "ERROR - --pick needs to ask for the profile and there is no terminal"
    )


# config / --edit


EDITOR = """#!/bin/sh
printf '[profile added]\\nregion = eu-west-1\\n' >> "$1"
"""


# aws-mfa runs in-process here: the editor it starts is the process these tests need.


@pytest.mark.e2e  # the editor is a process
@pytest.mark.parametrize("args", [["config"], ["--edit"]])
def test_config_opens_the_editor_and_creates_the_file(
    args: list[str], home: Path, aws_mfa_in_process: AwsMfa, tmp_path: Path
) -> None:
    editor = write(tmp_path / "editor.sh", EDITOR, mode=0o700)
    result = aws_mfa_in_process(*args, EDITOR=str(editor))
    assert result.code == 0, result.stderr
    config = home / ".aws" / "config"
    assert config.read_text() == "[profile added]\nregion = eu-west-1\n"
    assert stat.S_IMODE(config.stat().st_mode) == 0o600
    assert stat.S_IMODE(config.parent.stat().st_mode) == 0o700


@pytest.mark.e2e  # the editor is a process
def test_visual_wins_over_editor_and_a_broken_result_is_reported(
    home: Path, aws_mfa_in_process: AwsMfa, tmp_path: Path
) -> None:
    breaker = write(tmp_path / "breaker.sh", "#!/bin/sh\necho 'no header' > \"$1\"\n", mode=0o700)
    result = aws_mfa_in_process("config", VISUAL=str(breaker), EDITOR="/nonexistent")
    assert result.code == 3
    assert result.error_lines == [
        f"ERROR - '{home}/.aws/config', line 1: text before the first [section] header; "
        "put it under a header or comment it out with #"
    ]


@pytest.mark.e2e  # starting the editor is what fails
def test_missing_editor_is_a_clear_error(aws_mfa_in_process: AwsMfa) -> None:
    result = aws_mfa_in_process("config", EDITOR="/nonexistent/editor --wait")
    assert result.code == 2
    assert result.error_lines[0].startswith("ERROR - cannot run the editor '/nonexistent/editor'")


# What the config file feeds into a login.


def test_config_settings_reach_sts(
    credentials: Path, home: Path, aws_mfa_in_process: AwsMfa, sts: LocalSts
) -> None:
    write(credentials, long_term("work-long-term", device=None))
    write(
        home / ".aws" / "config",
        "[profile work]\n"
        f"mfa_serial = {DEVICE}\n"
        "region = ap-southeast-2\n"
        f"aws_mfa_assume_role = {ROLE}\n"
        "aws_mfa_duration = 1800\n"
        "duration_seconds = 999\n"
        "role_session_name = from-config\n"
        "external_id = ext-123\n",
    )
    result = aws_mfa_in_process("-p", "work", "-c", "123456")
    assert result.code == 0, result.stderr
    request = sts.requests[-1]
    assert request["Action"] == "AssumeRole"
    assert sts.requests[0]["SerialNumber"] == DEVICE  # the code bought the MFA session
    assert (request["RoleArn"], request["DurationSeconds"]) == (ROLE, "1800")
    assert (request["RoleSessionName"], request["ExternalId"], request["@region"]) == (
        "from-config",
        "ext-123",
        "ap-southeast-2",
    )


def test_flags_and_environment_beat_the_config(
    credentials: Path, home: Path, aws_mfa_in_process: AwsMfa, sts: LocalSts
) -> None:
    write(credentials, long_term())
    write(
        home / ".aws" / "config",
        "[default]\nregion = ap-southeast-2\nduration_seconds = 1800\nexternal_id = cfg\n"
        "mfa_serial = arn:aws:iam::123456789012:mfa/config-device\n",
    )
    result = aws_mfa_in_process(
        "-c", "123456", "--external-id", "flag-id", "--assume-role", ROLE, AWS_REGION="eu-north-1"
    )
    assert result.code == 0, result.stderr
    request = sts.requests[-1]
    assert (request["@region"], request["ExternalId"], request["DurationSeconds"]) == (
        "eu-north-1",
        "flag-id",
        "1800",
    )
    # aws_mfa_device in the credentials file wins
    assert sts.requests[0]["SerialNumber"] == DEVICE


def test_device_is_looked_up_in_the_short_profile_then_the_long_one(
    credentials: Path, home: Path, aws_mfa_in_process: AwsMfa, sts: LocalSts
) -> None:
    write(credentials, long_term("p-long-term", device=None))
    long_device = "arn:aws:iam::123456789012:mfa/long"
    short_device = "arn:aws:iam::123456789012:mfa/short"
    config = write(home / ".aws" / "config", f"[profile p-long-term]\nmfa_serial = {long_device}\n")
    assert aws_mfa_in_process("-p", "p", "-c", "123456").code == 0
    assert sts.requests[-1]["SerialNumber"] == long_device
    config.write_text(config.read_text() + f"[profile p]\nmfa_serial = {short_device}\n")
    assert aws_mfa_in_process("-p", "p", "-c", "123456", "--force").code == 0
    assert sts.requests[-1]["SerialNumber"] == short_device


def test_profile_header_wins_over_a_bare_one(
    credentials: Path, home: Path, aws_mfa_in_process: AwsMfa, sts: LocalSts
) -> None:
    write(credentials, long_term("p-long-term", device=None))
    write(
        home / ".aws" / "config",
        "[profile p]\nregion = eu-west-3\n\n[p]\nregion = us-east-2\n"
        f"[profile p-long-term]\nmfa_serial = {DEVICE}\n",
    )
    assert aws_mfa_in_process("-p", "p", "-c", "123456").code == 0
    assert sts.requests[-1]["@region"] == "eu-west-3"


def test_bad_values_in_the_config_name_their_key_and_file(
    credentials: Path, home: Path, aws_mfa_in_process: AwsMfa, sts: LocalSts
) -> None:
    write(credentials, long_term())
    config = write(home / ".aws" / "config", "[default]\nduration_seconds = forever\n")
    result = aws_mfa_in_process("-c", "123456")
    assert result.code == 2
    assert result.error_lines == [
        f"ERROR - duration_seconds in [default] of {config}: 'forever' is not a whole number "
        "of seconds"
    ]
    assert sts.requests == []


def test_unparsable_config_is_an_error_with_its_line(
    credentials: Path, home: Path, aws_mfa_in_process: AwsMfa, sts: LocalSts
) -> None:
    write(credentials, long_term())
    before = credentials.read_bytes()
    config = write(home / ".aws" / "config", "[default]\nregion = eu-west-1\nregion\n")
    result = aws_mfa_in_process("-c", "123456")
    assert result.code == 3
    assert result.error_lines[0].startswith(f"ERROR - '{config}', line 3: in section 'default'")
    assert credentials.read_bytes() == before
    assert sts.requests == []


@pytest.mark.parametrize(
    "key",
    [
        # (role_arn makes a role profile: tests/test_role_profiles.py)
        "sso_start_url = https://x",
        "credential_process = /bin/true",
    ],
)
def test_warns_when_the_config_hides_the_written_keys(
    key: str, credentials: Path, home: Path, aws_mfa_in_process: AwsMfa, sts: LocalSts
) -> None:
    write(credentials, long_term())
    write(home / ".aws" / "config", f"[default]\n{key}\n")
    result = aws_mfa_in_process("-c", "123456")
    assert result.code == 0, result.stderr
    name = key.split(" ")[0]
    config = home / ".aws" / "config"
    assert f"WARNING - [default] in {config} has {name}: the AWS CLI and SDKs then " in (
        result.stderr
    )


def test_warns_when_environment_credentials_override_the_profile(
    credentials: Path, aws_mfa_in_process: AwsMfa, sts: LocalSts
) -> None:
    write(credentials, long_term())
    result = aws_mfa_in_process(
        "-c", "123456", AWS_ACCESS_KEY_ID="AKIAENV", AWS_SECRET_ACCESS_KEY="x"
    )
    assert result.code == 0, result.stderr
    assert (
        "WARNING - AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY are set in the environment: "
        "the AWS CLI and SDKs use them instead of profile [default]" in result.stderr
    )
    assert sts.requests[-1]["@key_id"] != "AKIAENV"


@pytest.mark.e2e  # a real pipe, closed early
def test_status_into_a_pipe_closed_early_is_not_an_error(
    credentials: Path, environment: dict[str, str]
) -> None:
    # aws-mfa status | head -1, with more sessions than a pipe holds.
    write(credentials, "".join(session(f"s{i}", "2099-01-01 00:00:00") for i in range(3000)))
    process = subprocess.Popen(
        [AWS_MFA, "status"],
        env={**environment, "MFA_LOG_LEVEL": ""},
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        **NO_TERMINAL,
    )
    assert process.stdout is not None
    assert process.stdout.readline().startswith(b"PROFILE")
    process.stdout.close()
    assert process.wait(timeout=60) == 0
    assert process.stderr is not None
    assert process.stderr.read() == b""


@pytest.mark.e2e  # the terminal prompt
def test_pick_shows_the_list_before_resolving_any_profile(
    credentials: Path, home: Path, environment: dict[str, str], sts: LocalSts
) -> None:
    """The list of profiles with keys, and the choice typed on a real terminal (every answer
    pick takes is tested in-process above); a bad value under [default] is not the chosen
    profile's problem."""
    write(credentials, PICKABLE)
    write(
        home / ".aws" / "config", "[default]\nregion = moon-1\n[profile dev]\nregion = eu-west-1\n"
    )
    result = run_with_terminal(
        [AWS_MFA, "--pick", "--token", "123456"], environment, [("Profile [default]: ", "dev\n")]
    )
    assert result.code == 0, result.stderr
    assert "1) default  no session" in result.terminal
    assert "2) dev      expired" in result.terminal
    assert "bob" not in result.terminal
    assert "Credentials for [dev] are valid" in result.stderr
