"""aws-mfa vouches for an expiry only while the keys are the ones it wrote (issue 30, item 4).

``aws configure mfa-login`` (and ``aws configure set``) replace only the
three keys of a section: aws-mfa's ``expiration`` stays, twelve hours ahead,
while the keys another tool put there die in fifteen minutes. aws-mfa marks
what it wrote (``aws_mfa_written_key_id``, the session's access key id), and a
section whose keys do not match the mark has an unknown expiry: the login
renews it, with the reason; ``status`` says so; ``export`` prints no stale
expiry. A section with no mark (0.0.12's, or an earlier aws-mfa's) works as
it always did. The mark is invisible to the SDKs (botocore's reader).
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone
from pathlib import Path

from aws_mfa.files import ini
from tests.conftest import AwsMfa, long_term, new_window, session, write
from tests.strict_sts import StrictSts, strict_sts

__all__ = ["strict_sts"]  # the fixture, used by name

OTHER_TOOL = {
    "aws_access_key_id": "ASIAOTHERTOOLKEY0001",
    "aws_secret_access_key": "other/tool/secret",
    "aws_session_token": "other-tool-token",
}
"""The three keys `aws configure mfa-login` writes over a section's."""


def replace_keys(path: Path, section: str, keys: dict[str, str]) -> None:
    """Put ``keys`` in the place of those ``section`` holds, every other line as it was, as
    ``aws configure set`` does."""
    lines, current = [], None
    for line in path.read_text().splitlines(keepends=True):
        if line.startswith("["):
            current = line.strip()[1:-1]
        key = line.split("=")[0].strip()
        if current == section and key in keys:
            line = f"{key} = {keys[key]}\n"
        lines.append(line)
    path.write_text("".join(lines))


def values(path: Path, section: str) -> dict[str, str]:
    return ini.parse(path.read_text(), str(path)).values(section) or {}


def logged_in(credentials: Path, home: Path, aws_mfa: AwsMfa) -> dict[str, str]:
    """A login of dev, then the other tool's keys in [dev]; what aws-mfa had written."""
    write(credentials, long_term("dev-long-term"))
    assert aws_mfa("-p", "dev", "-c", "123456").code == 0
    written = values(credentials, "dev")
    replace_keys(credentials, "dev", OTHER_TOOL)
    new_window(home)
    return written


def test_aws_mfa_marks_the_keys_it_wrote_and_the_sdks_ignore_the_mark(
    credentials: Path, aws_mfa_in_process: AwsMfa, strict_sts: StrictSts
) -> None:
    import botocore.session

    write(credentials, long_term("dev-long-term"))
    assert aws_mfa_in_process("-p", "dev", "-c", "123456").code == 0
    written = values(credentials, "dev")
    assert written["aws_mfa_written_key_id"] == written["aws_access_key_id"]
    session = botocore.session.Session(profile="dev")
    session.set_config_variable("credentials_file", str(credentials))
    frozen = session.get_credentials().get_frozen_credentials()
    assert (frozen.access_key, frozen.token) == (
        written["aws_access_key_id"],
        written["aws_session_token"],
    )


def test_keys_another_tool_replaced_are_renewed_with_the_reason(
    credentials: Path, home: Path, aws_mfa_in_process: AwsMfa, strict_sts: StrictSts
) -> None:
    logged_in(credentials, home, aws_mfa_in_process)

    result = aws_mfa_in_process("-p", "dev", "-c", "654321")

    assert result.code == 0, result.stderr
    assert (
        "Renewing: the keys in [dev] are not the ones aws-mfa wrote (another tool replaced "
        "them), so when they expire is unknown"
    ) in result.stderr
    now = values(credentials, "dev")
    assert now["aws_access_key_id"].startswith("ASIASTRICT")
    assert now["aws_mfa_written_key_id"] == now["aws_access_key_id"]
    assert "OTHERTOOL" not in credentials.read_text()


def test_status_says_the_expiry_of_replaced_keys_is_unknown(
    credentials: Path, home: Path, aws_mfa_in_process: AwsMfa, strict_sts: StrictSts
) -> None:
    logged_in(credentials, home, aws_mfa_in_process)
    before = credentials.read_bytes()

    one = aws_mfa_in_process("status", "-p", "dev", "--json")
    table = aws_mfa_in_process("status")

    assert one.code == 7
    shown = json.loads(one.stdout)
    assert (shown["state"], shown["expiration"], shown["seconds_left"]) == ("replaced", None, None)
    row = next(line for line in table.stdout.splitlines() if line.startswith("dev "))
    assert row.split()[-1] == "replaced"
    assert credentials.read_bytes() == before


def test_export_prints_no_stale_expiry_for_replaced_keys(
    credentials: Path, home: Path, aws_mfa_in_process: AwsMfa, strict_sts: StrictSts
) -> None:
    """The renewal puts back the session aws-mfa keeps in its cache (no code needed), and
    the expiry printed is that session's; never the other tool's keys with aws-mfa's."""
    logged_in(credentials, home, aws_mfa_in_process)

    result = aws_mfa_in_process("export", "-p", "dev", "--format", "process")

    assert result.code == 0, result.stderr
    assert "not the ones aws-mfa wrote" in result.stderr
    printed, now = json.loads(result.stdout), values(credentials, "dev")
    assert printed["AccessKeyId"] == now["aws_access_key_id"] == now["aws_mfa_written_key_id"]
    assert printed["AccessKeyId"] != OTHER_TOOL["aws_access_key_id"]
    assert strict_sts.issued[printed["AccessKeyId"]].token == printed["SessionToken"]


def test_export_with_no_code_to_be_had_does_not_hand_out_replaced_keys(
    credentials: Path, home: Path, aws_mfa_in_process: AwsMfa, strict_sts: StrictSts
) -> None:
    """export hands out a session it cannot renew while it lasts, with a warning; not keys
    another tool wrote, whose end is unknown."""
    write(credentials, long_term("dev-long-term"))
    assert aws_mfa_in_process("-p", "dev", "-c", "123456", "--no-session-cache").code == 0
    replace_keys(credentials, "dev", OTHER_TOOL)

    result = aws_mfa_in_process("export", "-p", "dev", "--format", "process", "--no-session-cache")

    assert result.code == 4, result.stderr
    assert result.stdout == ""
    assert "OTHERTOOL" not in result.stderr


def test_a_section_with_no_mark_is_vouched_for_as_before(
    credentials: Path, aws_mfa_in_process: AwsMfa, strict_sts: StrictSts
) -> None:
    """0.0.12's sections, and those of aws-mfa before the mark: users switch and change
    nothing."""
    later = (datetime.now(timezone.utc) + timedelta(hours=2)).strftime("%Y-%m-%d %H:%M:%S")
    write(credentials, long_term("dev-long-term") + "\n" + session("dev", later))
    before = credentials.read_bytes()

    login = aws_mfa_in_process("-p", "dev")
    status = aws_mfa_in_process("status", "-p", "dev", "--json")

    assert login.code == 0, login.stderr
    assert "still valid" in login.stderr
    assert json.loads(status.stdout)["state"] == "valid"
    assert credentials.read_bytes() == before
    assert strict_sts.calls == []


def test_the_replaced_state_is_coloured_on_a_terminal_as_the_other_bad_ones() -> None:
    from aws_mfa.commands.status import table
    from aws_mfa.sessions.session_state import SessionStatus

    shown = table([SessionStatus("dev", None, None, None, "replaced")], colour=True)
    assert "\033[31mreplaced\033[0m" in shown
