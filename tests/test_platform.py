"""Windows and macOS, proven on Linux as far as Linux can (issue 22; docs/platforms.md).

- Only :mod:`aws_mfa.system` touches what differs between systems: a test reads
  every module and fails on ``fcntl``, ``termios``, ``pwd``, ``resource`` or an
  ``os.O_*`` flag anywhere else.
- Each piece of :mod:`aws_mfa.system` is tested in its Windows (and macOS)
  branch with the operating system's calls faked.
- The main journeys run end to end, against the local STS, with the POSIX-only
  modules made unimportable and :data:`aws_mfa.system.WINDOWS` set: renewal,
  role, ``exec``, ``export``, ``logout`` and ``keychain import``, on a CRLF file
  that must keep every byte.
"""

from __future__ import annotations

import ast
import os
import subprocess
import sys
import types
from collections.abc import Iterator
from pathlib import Path, PurePosixPath

import pytest

from aws_mfa import system
from tests.conftest import (
    DEVICE,
    LONG_TERM_KEY_ID,
    LONG_TERM_SECRET,
    ROLE,
    TEST_KEYRING,
    AwsMfa,
    Result,
    check_no_secrets,
    long_term,
    write,
)
from tests.strict_sts import StrictSts, strict_sts

__all__ = ["strict_sts"]  # the fixture, used by name

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "aws_mfa"
POSIX_ONLY = ("fcntl", "termios", "pwd", "grp", "resource")


# Only aws_mfa.system touches the operating system's differences.


def test_no_module_but_system_uses_what_only_posix_has() -> None:
    found = []
    for path in sorted(PACKAGE.rglob("*.py")):
        if path.name == "system.py" or path.name == "demo.py":  # the demo is for tests
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import | ast.ImportFrom):
                names = [alias.name for alias in node.names]
                module = node.module if isinstance(node, ast.ImportFrom) else None
                if any(name.split(".")[0] in POSIX_ONLY for name in [*names, module or ""]):
                    found.append(f"{path.relative_to(ROOT)}:{node.lineno} imports it")
            if (
                isinstance(node, ast.Attribute)
                and isinstance(node.value, ast.Name)
                and node.value.id == "os"
                and node.attr.startswith("O_")
            ):
                found.append(f"{path.relative_to(ROOT)}:{node.lineno} uses os.{node.attr}")
    assert found == []


# Each piece, with the operating system's calls faked.


@pytest.fixture
def windows(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(system, "WINDOWS", True)


class SharingViolation(PermissionError):
    winerror = 32


def test_windows_replace_tries_again_while_another_program_holds_the_file(
    windows: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[tuple[str, str]] = []
    pauses: list[float] = []

    def busy_twice(source: str, target: str) -> None:
        calls.append((source, target))
        if len(calls) < 3:
            raise SharingViolation(13, "The process cannot access the file")

    monkeypatch.setattr(os, "replace", busy_twice)
    system.replace("new", "old", sleep=pauses.append)
    assert calls == [("new", "old")] * 3
    assert pauses == [system.REPLACE_PAUSE] * 2


def test_windows_replace_gives_up_after_a_second_and_posix_never_waits(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def always_busy(source: str, target: str) -> None:
        raise SharingViolation(13, "The process cannot access the file")

    monkeypatch.setattr(os, "replace", always_busy)
    monkeypatch.setattr(system, "WINDOWS", False)
    pauses: list[float] = []
    with pytest.raises(PermissionError):
        system.replace("new", "old", sleep=pauses.append)  # POSIX: no retry
    assert pauses == []
    monkeypatch.setattr(system, "WINDOWS", True)
    with pytest.raises(PermissionError):
        system.replace("new", "old", sleep=pauses.append)
    assert sum(pauses) == pytest.approx(system.REPLACE_PAUSE * (system.REPLACE_ATTEMPTS - 1))


def test_a_read_only_target_is_not_retried(windows: None, monkeypatch: pytest.MonkeyPatch) -> None:
    def read_only(source: str, target: str) -> None:
        raise PermissionError(13, "Permission denied")  # no winerror of a held file

    monkeypatch.setattr(os, "replace", read_only)
    with pytest.raises(PermissionError):
        system.replace("new", "old", sleep=lambda seconds: pytest.fail("waited"))


def test_macos_flushes_past_the_drives_cache(monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[tuple[int, int]] = []
    fake = types.SimpleNamespace(F_FULLFSYNC=51, fcntl=lambda fd, op: seen.append((fd, op)))
    monkeypatch.setitem(sys.modules, "fcntl", fake)
    monkeypatch.setattr(system, "MACOS", True)
    monkeypatch.setattr(sys, "platform", "darwin")
    monkeypatch.setattr(os, "fsync", lambda fd: pytest.fail("fsync stops at the drive's cache"))
    system.flush(7)
    assert seen == [(7, 51)]


def test_windows_asks_on_the_console(windows: None, monkeypatch: pytest.MonkeyPatch) -> None:
    opened: dict[str, int] = {}
    typed = iter([b"1", b"2", b"\r", b"\n"])
    written: list[bytes] = []

    def fake_open(name: str, flags: int, *mode: int) -> int:
        opened[name] = flags
        return 100 + len(opened)

    monkeypatch.setattr(os, "open", fake_open)
    monkeypatch.setattr(os, "read", lambda fd, size: next(typed, b""))
    monkeypatch.setattr(os, "write", lambda fd, data: written.append(bytes(data)) or len(data))
    monkeypatch.setattr(os, "close", lambda fd: None)
    terminal = system.open_terminal()
    terminal.write("Code: ")
    assert terminal.read_line() == "12\n"
    assert set(opened) == {"CONIN$", "CONOUT$"}
    assert opened["CONIN$"] & (os.O_WRONLY | os.O_RDWR) == 0
    assert opened["CONOUT$"] & os.O_WRONLY
    assert written == [b"Code: "]


def test_windows_has_no_owner_ids_and_says_modes_are_not_checked(windows: None) -> None:
    assert system.user_id() is None
    assert not system.checks_modes()
    assert system.die_with_parent() is None


def test_only_signals_the_system_has_are_forwarded() -> None:
    import signal

    assert system.signals(("SIGINT", "SIGNOTONWINDOWS")) == [int(signal.SIGINT)]


@pytest.mark.e2e
def test_windows_runs_a_command_as_a_child_and_ends_with_its_exit_code(windows: None) -> None:
    with pytest.raises(SystemExit) as ended:
        system.run_in_place([sys.executable, "-c", "raise SystemExit(3)"], dict(os.environ))
    assert ended.value.code == 3


# The main journeys, with Windows' branches and no POSIX-only module.

AS_ON_WINDOWS = """
import contextlib, io, json, os, sys
for name in {posix_only!r}:
    sys.modules[name] = None  # importing it raises ImportError, as on Windows
import warnings
warnings.simplefilter("ignore")  # filelock says it has only a soft lock without fcntl
from aws_mfa import log, system
system.WINDOWS = True
from aws_mfa.cli.main import main
threshold = log._threshold
runs, sys.stdin = sys.stdin, io.StringIO()  # each run's stdin is empty
for line in runs:  # a run: its arguments and its environment
    args, env = json.loads(line)
    os.environ.clear()
    os.environ.update(env)
    core = sys.modules.get("keyring.core")
    if core is not None:
        core._keyring_backend = None  # keyring chooses again, from this run's environment
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            code = main(args)
        except SystemExit as exit_:
            code = 0 if exit_.code is None else exit_.code if isinstance(exit_.code, int) else 1
    log._threshold = threshold
    print(json.dumps([code, out.getvalue(), err.getvalue()]), flush=True)
"""


class AsOnWindows:
    """One Python process with the POSIX-only modules unimportable and Windows' branches
    taken, which runs aws-mfa's ``main`` once for each call, with that call's arguments and
    environment (one process for the whole journey: an interpreter start and botocore's
    import once, not per step). Each run's output is searched for secrets, as :func:`run`
    searches a process's."""

    def __init__(self, environment: dict[str, str]) -> None:
        self.environment = environment
        script = AS_ON_WINDOWS.format(posix_only=POSIX_ONLY)
        self.process = subprocess.Popen(
            [sys.executable, "-c", script],
            env={**environment, "PYTHONPATH": str(ROOT)},
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )

    def __call__(self, *args: str, **extra: str) -> Result:
        import json
        import select

        env = {**self.environment, "PYTHONPATH": str(ROOT), **extra}
        assert self.process.stdin is not None
        assert self.process.stdout is not None
        self.process.stdin.write(json.dumps([list(args), env]) + "\n")
        self.process.stdin.flush()
        ready, _, _ = select.select([self.process.stdout], [], [], 120)
        assert ready, f"aws-mfa {' '.join(args)} did not end in 120 s"
        answer = self.process.stdout.readline()
        assert answer, "the process ended before it answered"
        code, out, err = json.loads(answer)
        result = Result(code, out, err)
        check_no_secrets(["aws-mfa", *args], env, "", result)
        return result

    def close(self) -> None:
        assert self.process.stdin is not None
        self.process.stdin.close()
        assert self.process.wait(timeout=60) == 0


@pytest.fixture
def as_on_windows(environment: dict[str, str]) -> Iterator[AsOnWindows]:
    runs = AsOnWindows(environment)
    yield runs
    runs.close()


CRLF = (
    "# kept byte for byte\r\n"
    + long_term("dev-long-term").replace("\n", "\r\n")
    + "\r\n[other]\r\nregion = eu-west-1\r\n"
)


@pytest.mark.e2e
def test_the_main_journeys_work_with_windows_branches_and_no_posix_modules(
    credentials: Path,
    home: Path,
    strict_sts: StrictSts,
    as_on_windows: AsOnWindows,
) -> None:
    write(credentials, CRLF)

    renewal = as_on_windows("-p", "dev", "-c", "123456")
    assert renewal.code == 0, renewal.stderr
    text = credentials.read_bytes()
    assert text.startswith(CRLF.encode())  # every byte kept, CRLF endings included
    assert b"\r\n[dev]\r\n" in text
    assert b"\n[dev]\n" not in text.replace(b"\r\n", b"")

    role = as_on_windows("-p", "dev", "--assume-role", ROLE, "--short-term-section", "prod")
    assert role.code == 0, role.stderr
    exported = as_on_windows("export", "-p", "dev", "--format", "powershell")
    assert exported.code == 0, exported.stderr
    assert "$Env:AWS_ACCESS_KEY_ID='ASIASTRICT" in exported.stdout

    child = (
        "import os, sys; sys.exit(4 if os.environ['AWS_ACCESS_KEY_ID'].startswith('ASIA') else 1)"
    )
    ran = as_on_windows("exec", "-p", "dev", "--", sys.executable, "-c", child)
    assert ran.code == 4, ran.stderr  # the command's exit code is aws-mfa's

    logout = as_on_windows("logout", "-p", "prod")
    assert logout.code == 0, logout.stderr
    assert b"[prod]" not in credentials.read_bytes()

    keychain = {
        "PYTHON_KEYRING_BACKEND": "tests.keyring_backends.FileKeyring",
        "AWS_MFA_TEST_KEYRING": str(home / TEST_KEYRING),
    }
    imported = as_on_windows("-p", "dev", "keychain", "import", **keychain)
    assert imported.code == 0, imported.stderr
    after = credentials.read_bytes()
    assert LONG_TERM_SECRET.encode() not in after
    assert b"aws_mfa_secret = keychain\r\n" in after
    assert after.startswith(b"# kept byte for byte\r\n[dev-long-term]\r\n")
    assert LONG_TERM_KEY_ID in (home / TEST_KEYRING).read_text()
    assert strict_sts.calls.count("GetSessionToken") == 1  # one code for all of it
    assert DEVICE


def test_windows_usability(windows: None) -> None:
    from aws_mfa.commands.config import editor_command
    from aws_mfa.commands.status import use_colour

    assert editor_command({}) == ["notepad"]
    terminal = types.SimpleNamespace(isatty=lambda: True)
    assert not use_colour(terminal, {})  # the classic console shows colour codes as text
    assert use_colour(terminal, {"WT_SESSION": "1"})  # Windows Terminal reads them


def test_the_token_command_runs_through_the_systems_shell(
    windows: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    from aws_mfa.codes import mfa_code

    seen: list[list[str]] = []

    def fake_run(command: list[str], **options: object) -> object:
        seen.append(command)
        return types.SimpleNamespace(returncode=0, stdout=b"123456\n")

    monkeypatch.setattr(subprocess, "run", fake_run)
    assert mfa_code.run_token_command("ykman oath accounts code --single aws", "x") == "123456"
    assert seen == [["cmd", "/c", "ykman oath accounts code --single aws"]]


def test_windows_doctor_says_modes_are_not_checked_instead_of_a_false_problem(
    windows: None, credentials: Path
) -> None:
    from aws_mfa.commands.doctor import NOTE, file_modes

    write(credentials, long_term(), 0o666)
    [finding] = file_modes(credentials, credentials.parent / "config")
    assert finding.level == NOTE
    assert "is not checked on Windows" in finding.text


def test_a_path_in_a_message_is_in_the_systems_own_form(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(os, "sep", "/")  # POSIX's separators (posixpath's)
    monkeypatch.setattr(os, "altsep", None)
    assert system.shown("/home/me/.aws/credentials") == "'/home/me/.aws/credentials'"
    assert system.shown(PurePosixPath("/home/me/x"), quote=False) == "/home/me/x"
    assert system.shown("/tmp/a\nb") == "'/tmp/a\\nb'"  # one line, whatever the name holds
    # Windows' separators (ntpath's): one kind of separator, no backslash doubled as repr does.
    monkeypatch.setattr(os, "sep", "\\")
    monkeypatch.setattr(os, "altsep", "/")
    assert system.shown("C:\\Users\\me/.aws/credentials") == "'C:\\Users\\me\\.aws\\credentials'"
    assert system.user_path("D:/keys/credentials") == "D:\\keys\\credentials"


def test_the_default_paths_in_messages_have_one_separator(
    aws_mfa_in_process: AwsMfa, home: Path
) -> None:
    """On Windows too (the Wine tier of .ci/run runs this under the real Windows Python)."""
    credentials = os.path.join(str(home), ".aws", "credentials")
    result = aws_mfa_in_process("logout")
    assert result.code == 0
    assert f"INFO - There is no credentials file at '{credentials}'; nothing to forget" in (
        result.stderr.splitlines()
    )
    assert result.stderr.count("to forget") == 1
    (home / ".aws").mkdir()
    (home / ".aws" / "credentials").write_text("[dev-long-term]\naws_access_key_id = x\n\n[\n")
    result = aws_mfa_in_process("-p", "dev")
    assert result.code == 3
    assert f"DEBUG - Reading {credentials}" in result.stderr.splitlines()
    assert f"ERROR - '{credentials}', line 4: in section 'dev-long-term'" in result.stderr


def test_the_demo_keeps_what_windows_programs_need(monkeypatch: pytest.MonkeyPatch) -> None:
    from aws_mfa.demo import demo_environment

    needed = ("TEMP", "TMP", "PATHEXT", "COMSPEC", "SYSTEMROOT", "SYSTEMDRIVE", "WINDIR")
    for name in needed:
        monkeypatch.setenv(name, f"value of {name}")
    monkeypatch.setenv("AWS_PROFILE", "not for the demo")
    env = demo_environment(Path("home"), "http://127.0.0.1:1")
    assert {name: env[name] for name in needed} == {name: f"value of {name}" for name in needed}
    assert "AWS_PROFILE" not in env


def test_a_rotation_journal_is_named_by_the_file_however_its_path_is_typed(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    from aws_mfa.rotation import Journals

    credentials = tmp_path / "credentials"
    credentials.write_text("")
    journals = Journals(str(tmp_path / "journals"))
    typed = str(tmp_path / "CREDENTIALS")
    if os.path.normcase("A") == "a":  # Windows: names ignore case
        assert journals.path(typed, "dev") == journals.path(str(credentials), "dev")
    # macOS: the file system says the name it keeps (F_GETPATH), whatever case was typed.
    kept = os.fsencode(credentials) + b"\0" * 8
    fake = types.SimpleNamespace(F_GETPATH=50, fcntl=lambda fd, op, buffer: kept)
    monkeypatch.setitem(sys.modules, "fcntl", fake)
    monkeypatch.setattr(system, "MACOS", True)
    monkeypatch.setattr(sys, "platform", "darwin")
    monkeypatch.setattr(os.path, "realpath", lambda path: os.fspath(path))
    monkeypatch.setattr(os, "open", lambda path, flags: 99)
    monkeypatch.setattr(os, "close", lambda fd: None)
    assert journals.path(typed, "dev") == journals.path(str(credentials), "dev")
    assert journals.path(typed, "dev") != journals.path(typed, "prod")


def test_the_in_process_time_limit_needs_no_sigalrm(monkeypatch: pytest.MonkeyPatch) -> None:
    """Windows has no SIGALRM: the limit of an in-process run is a timer thread."""
    import signal
    import threading

    from tests.conftest import time_limit

    monkeypatch.delattr(signal, "SIGALRM", raising=False)
    monkeypatch.delattr(signal, "setitimer", raising=False)
    never = threading.Event()
    expired = pytest.raises(pytest.fail.Exception, match=r"took longer than 0\.2 seconds")
    with expired, time_limit(0.2):
        while not never.wait(0.01):  # a run that never ends, stopped by the interrupt
            pass
    with time_limit(5):
        pass  # a run within its limit is left alone


@pytest.mark.parametrize(
    ("line", "words"),
    [
        (
            r'"C:\Program Files\KeePassXC\keepassxc-cli.exe" show -s db.kdbx aws',
            [r"C:\Program Files\KeePassXC\keepassxc-cli.exe", "show", "-s", "db.kdbx", "aws"],
        ),
        (r"op read op://Private/aws dev", ["op", "read", "op://Private/aws", "dev"]),
        (r'op read "op://Private/aws dev/secret"', ["op", "read", "op://Private/aws dev/secret"]),
        (r"pass show 'aws/dev'", ["pass", "show", "'aws/dev'"]),  # ' is a plain character
        (r'a\\"b c" d', ["a\\b c", "d"]),
        (r"a\"b", ['a"b']),
        (r'"say ""hi"""', ['say "hi"']),
        (r"C:\tools\rbw.exe get aws", [r"C:\tools\rbw.exe", "get", "aws"]),
    ],
)
def test_a_command_line_is_split_as_windows_splits_one(line: str, words: list[str]) -> None:
    """On Windows a setting's command line is split by the C runtime's rules, so paths keep
    their backslashes; what list2cmdline joins splits back the same."""
    assert system.windows_words(line) == words
    assert system.windows_words(subprocess.list2cmdline(words)) == words


def test_an_unclosed_quote_is_refused_on_both_systems(monkeypatch: pytest.MonkeyPatch) -> None:
    for windows in (True, False):
        monkeypatch.setattr(system, "WINDOWS", windows)
        with pytest.raises(ValueError, match="closing quotation"):
            system.split_command('pass show "aws/dev')
