"""The main journeys under a real Windows CPython: the Windows side of ``.ci/run``.

``AWS_MFA_WINPY`` names a launcher of python.org's Windows CPython, with this
checkout installed: ``DIR/bin/winpy`` of ``../shared/windows/setup-winpy.sh``,
which runs it under Wine. Each test runs ``winpy -m aws_mfa ...`` as a user
of Windows would run ``aws-mfa ...``: the local STS runs here, on Linux, and
the Windows Python reaches it over the loopback; the home folder is
``USERPROFILE`` (a ``Z:\\...`` path to a throw-away folder), so every file is
found and written where Windows puts it, through Windows' own calls. Without
``AWS_MFA_WINPY`` every test here is skipped.

What Wine, not Windows, decides is left to a Windows runner (see the
script's README): consoles, file sharing, ACLs, and when NTFS's times move.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from aws_mfa.demo import LocalSts
from tests.conftest import LONG_TERM_KEY_ID, ROLE, Result, long_term, run, write

WINPY = os.environ.get("AWS_MFA_WINPY", "")

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.skipif(not WINPY, reason="AWS_MFA_WINPY names no Windows Python (.ci/run sets it)"),
]


def windows_path(path: Path) -> str:
    """``path`` as the Windows Python under Wine sees it (Wine's drive Z: is the root)."""
    return "Z:" + str(path).replace("/", "\\")


@pytest.fixture
def windows(environment: dict[str, str], home: Path) -> dict[str, str]:
    """The environment of a Windows user's runs: the home folder is ``USERPROFILE`` alone."""
    env = {key: value for key, value in environment.items() if key != "AWS_CONFIG_FILE"}
    env["USERPROFILE"] = str(home)  # bin/winpy makes it Z:\...
    env.pop("SHELL", None)  # as in PowerShell or cmd.exe
    env["AWS_DEFAULT_REGION"] = "us-east-1"
    return env


def aws_mfa(env: dict[str, str], *args: str, **extra: str) -> Result:
    """``aws-mfa ARGS`` on the Windows Python; its output is searched for secrets."""
    return run([WINPY, "-m", "aws_mfa", *args], {**env, **extra}, timeout=180)


def windows_python(env: dict[str, str], code: str) -> str:
    """What the Windows Python prints for ``code``: its own view of a path or a setting."""
    result = run([WINPY, "-c", code], env, timeout=180)
    assert result.code == 0, result.stderr
    return result.stdout.strip()


def test_it_is_windows(windows: dict[str, str], home: Path) -> None:
    seen = windows_python(windows, "import os, sys; print(sys.platform, os.name, os.sep)")
    assert seen == "win32 nt \\"
    assert windows_python(windows, "import os; print(os.path.expanduser('~'))") == windows_path(
        home
    )


def test_renewals_write_the_same_file_again_and_again(
    windows: dict[str, str], home: Path, credentials: Path, sts: LocalSts
) -> None:
    """Python 3.12+ on Windows: fstat's st_ctime is the change time, stat's the creation
    time; comparing one with the other failed every write after the first (exit 3)."""
    write(credentials, "# mine\n" + long_term("dev-long-term") + "\n[other]\nregion = eu-west-1\n")
    first = aws_mfa(windows, "-p", "dev", "-c", "123456")
    assert first.code == 0, first.stderr
    text = credentials.read_text()
    assert text.startswith("# mine\n[dev-long-term]\n")
    assert "\n[dev]\n" in text
    for code in ("234567", "345678"):  # the second and third writes
        again = aws_mfa(windows, "-p", "dev", "-c", code, "--force")
        assert again.code == 0, again.stderr
        assert "keeps changing" not in again.stderr
    assert sts.actions().count("GetSessionToken") == 3
    assert credentials.read_text().startswith("# mine\n[dev-long-term]\n")

    backup = aws_mfa(windows, "-p", "dev", "-c", "456789", "--force", "--backup")
    assert backup.code == 0, backup.stderr
    [copy] = (home / ".aws" / "credentials_backup").iterdir()
    shown = windows_path(copy)
    assert f"INFO - Backed up '{windows_path(credentials)}' to '{shown}'" in backup.stderr
    assert "\\\\" not in backup.stderr
    assert "/" not in shown


def test_a_role_status_export_exec_doctor_and_logout(
    windows: dict[str, str], credentials: Path, sts: LocalSts
) -> None:
    write(credentials, long_term("dev-long-term"))
    assert aws_mfa(windows, "-p", "dev", "-c", "123456").code == 0
    role = aws_mfa(windows, "-p", "dev", "--assume-role", ROLE, "--short-term-section", "prod")
    assert role.code == 0, role.stderr
    assert "\n[prod]\n" in credentials.read_text()

    status = aws_mfa(windows, "status", "-p", "dev")
    assert status.code == 0, status.stderr

    exported = aws_mfa(windows, "export", "-p", "dev")  # no SHELL: PowerShell's syntax
    assert exported.code == 0, exported.stderr
    assert re.search(r"^\$Env:AWS_ACCESS_KEY_ID='ASIA", exported.stdout, re.M), exported.stdout
    cmd = aws_mfa(windows, "export", "-p", "dev", "--format", "windows-cmd")
    assert cmd.code == 0
    assert 'set "AWS_ACCESS_KEY_ID=ASIA' in cmd.stdout

    child = "import os, sys; sys.exit(4 if os.environ['AWS_ACCESS_KEY_ID'][:4] == 'ASIA' else 1)"
    python = windows_python(windows, "import sys; print(sys.executable)")
    ran = aws_mfa(windows, "exec", "-p", "dev", "--", python, "-c", child)
    assert ran.code == 4, ran.stderr  # the command's exit code is aws-mfa's
    missing = aws_mfa(windows, "exec", "-p", "dev", "--", "no-such-command-here")
    assert missing.code == 127, missing.stderr

    doctor = aws_mfa(windows, "doctor", "-p", "dev")
    assert doctor.code in (0, 9), doctor.stderr  # 9: a finding; never a crash
    assert "is not checked on Windows" in doctor.stdout + doctor.stderr

    logout = aws_mfa(windows, "logout", "-p", "prod")
    assert logout.code == 0, logout.stderr
    assert "[prod]" not in credentials.read_text()
    assert "[dev-long-term]" in credentials.read_text()
    assert LONG_TERM_KEY_ID in credentials.read_text()


def test_the_demo_runs(windows: dict[str, str]) -> None:
    """``python -m aws_mfa.demo``: its local STS on the Windows Python, its runs with what a
    Windows program needs from the environment (TEMP, COMSPEC, SYSTEMROOT...)."""
    demo = run([WINPY, "-m", "aws_mfa.demo"], windows, timeout=300)
    assert demo.code == 0, demo.stdout + demo.stderr
    assert "still valid" in demo.stdout + demo.stderr
    assert "(STS answered 1 request(s) in all)" in demo.stdout
