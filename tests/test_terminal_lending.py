"""One reader of the terminal at a time: a code asked for inside ``exec --server`` is aws-mfa's.

The command of ``aws-mfa exec --server`` may read the terminal (a shell, a
REPL, ``terraform apply``) when a renewal asks for an MFA code there. These
tests run aws-mfa in a pseudo-terminal that is its controlling terminal and
its stdin, stdout and stderr, as in a terminal window, with a command that
reads stdin: the renewal must get the code typed at its prompt, the command
must not, and the command must read what is typed after it (issue 30, item 3).

Every wait is for something the terminal shows, bounded by :data:`CEILING`.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from tests.conftest import AWS_MFA, Result, check_no_secrets, long_term, new_window, write
from tests.strict_sts import StrictSts, strict_sts

__all__ = ["strict_sts"]  # the fixture, used by name

ROLE = "arn:aws:iam::210987654321:role/admin"
CEILING = 60.0
"""Seconds any one thing may take to appear on the terminal (a loaded machine is slow)."""
SHORT_ROLE = 7
"""Seconds the first role session lasts where a renewal must ask for a code: with
``--min-ttl 5`` the endpoint renews it 1 to 2 seconds after it came (STS gives whole
seconds), by when the command has long started. The test then forgets the first code
(:func:`~tests.conftest.new_window`); were the renewal to look before that, it would wait
for the next 30-second window and ask then, which the test still sees (only later)."""

READER = r"""
import sys
print("READY", flush=True)
first = sys.stdin.readline().strip()
print(f"COMMAND READ [{first}]", flush=True)
second = sys.stdin.readline().strip()
print(f"COMMAND READ [{second}]", flush=True)
"""
"""A command that reads two lines of stdin and says what it read."""
ONE_LINE_READER = (
    "import sys; print('RE' + 'ADY', flush=True); "
    "[print(f'COMMAND READ [{sys.stdin.readline().strip()}]', flush=True) for _ in 'ab']"
)
"""The same on one line, for a shell to echo (which shows neither READY nor COMMAND READ)."""


class Screen:
    """The controlling side of a pseudo-terminal: what it showed, and typing on it."""

    device = ""
    """The terminal's name (``/dev/pts/N``), as the programs in it see it."""

    def __init__(self, master: int) -> None:
        self.master, self.shown, self.seen = master, b"", 0

    def wait_for(self, text: str, ceiling: float = CEILING, anywhere: bool = False) -> None:
        """Wait until the terminal shows ``text`` after what was waited for before (or, with
        ``anywhere``, at all)."""
        import select

        deadline = time.monotonic() + ceiling
        if anywhere:
            self.seen = 0
        while self.shown.find(text.encode(), self.seen) < 0:
            left = deadline - time.monotonic()
            ready, _, _ = select.select([self.master], [], [], max(0.0, left))
            if not ready:
                raise AssertionError(f"the terminal never showed {text!r}; it showed {self.text}")
            try:
                chunk = os.read(self.master, 4096)
            except OSError:  # every process closed the terminal
                chunk = b""
            if not chunk:
                raise AssertionError(f"the terminal closed before {text!r}; it showed {self.text}")
            self.shown += chunk
        self.seen = self.shown.find(text.encode(), self.seen) + len(text)

    def type(self, text: str) -> None:
        os.write(self.master, text.encode())

    @property
    def text(self) -> str:
        return self.shown.decode(errors="replace")


@contextmanager
def in_a_terminal(
    command: list[str], env: dict[str, str], stdout: int | None = None
) -> Iterator[tuple[Screen, subprocess.Popen[bytes]]]:
    """``command`` in a new session whose controlling terminal is a new pseudo-terminal,
    which is its stdin, stdout (unless ``stdout`` says) and stderr."""
    import fcntl
    import pty
    import termios

    master, slave = pty.openpty()
    Screen.device = os.ttyname(slave)

    def take_terminal() -> None:  # in the child, after setsid()
        fcntl.ioctl(slave, termios.TIOCSCTTY, 0)

    process = subprocess.Popen(
        command,
        env=env,
        stdin=slave,
        stdout=slave if stdout is None else stdout,
        stderr=slave,
        start_new_session=True,
        preexec_fn=take_terminal,
    )
    os.close(slave)
    try:
        yield Screen(master), process
    finally:
        if process.poll() is None:
            process.kill()
            process.wait(timeout=CEILING)
        os.close(master)


@pytest.mark.posix(reason="a pseudo-terminal as the controlling terminal")
@pytest.mark.e2e
def test_a_code_typed_for_a_renewal_goes_to_aws_mfa_not_to_the_command(
    credentials: Path, home: Path, environment: dict[str, str], strict_sts: StrictSts
) -> None:
    """Role sessions of :data:`SHORT_ROLE` seconds, assumed with a code each time (no
    session cache), are renewed 5 s before they end (--min-ttl): the renewal asks for a code
    on the terminal while the command waits for a line of stdin. The session it gets lasts
    an hour, so that no other prompt comes."""
    strict_sts.role_expires_in = SHORT_ROLE
    write(credentials, long_term("dev-long-term"))
    command = [AWS_MFA, "exec", "--server", "-p", "dev", "--assume-role", ROLE]
    command += ["--no-session-cache", "--min-ttl", "5", "-c", "123456"]
    command += ["--", sys.executable, "-c", READER]
    with in_a_terminal(command, environment) as (screen, process):
        screen.wait_for("READY")
        new_window(home)  # the next code may be sent at once
        screen.wait_for("Enter AWS MFA code", anywhere=True)  # a slow start shows it first
        strict_sts.role_expires_in = 3600
        screen.type("654321\r")
        screen.wait_for("Success! Credentials")
        screen.type("hello\r")
        screen.wait_for("COMMAND READ [")
        screen.type("again\r")
        screen.wait_for("COMMAND READ [again]")
        assert process.wait(timeout=CEILING) == 0
    assert "654321" in [code for _, code in strict_sts.codes]
    assert re.search(rb"[^\r]\n", screen.shown) is None  # aws-mfa's lines too: no staircase
    check_no_secrets(command, environment, "", Result(0, "", screen.text))
    assert "COMMAND READ [hello]" in screen.text
    assert "COMMAND READ [654321]" not in screen.text


@pytest.mark.posix(reason="a pseudo-terminal as the controlling terminal")
@pytest.mark.e2e
def test_an_interactive_shell_at_its_prompt_does_not_get_the_code(
    credentials: Path, home: Path, environment: dict[str, str], strict_sts: StrictSts
) -> None:
    """bash waits in readline, with SIGTTIN ignored, when the renewal asks: the code is
    aws-mfa's, and bash runs the next line typed (job control alone loses here)."""
    strict_sts.role_expires_in = SHORT_ROLE
    write(credentials, long_term("dev-long-term"))
    command = [AWS_MFA, "exec", "--server", "-p", "dev", "--assume-role", ROLE]
    command += ["--no-session-cache", "--min-ttl", "5", "-c", "123456"]
    command += ["--", "bash", "--norc", "--noprofile", "-i"]
    with in_a_terminal(command, {**environment, "PS1": "SHELL$ "}) as (screen, process):
        screen.wait_for("SHELL$ ")
        new_window(home)
        screen.wait_for("Enter AWS MFA code", anywhere=True)
        strict_sts.role_expires_in = 3600
        screen.type("654321\r")
        screen.wait_for("Success! Credentials")
        screen.type("echo sum=$((40+2))\r")
        screen.wait_for("sum=42")
        screen.type("exit 3\r")
        assert process.wait(timeout=CEILING) == 3
    assert "654321" in [code for _, code in strict_sts.codes]
    assert "command not found" not in screen.text
    check_no_secrets(command, environment, "", Result(3, "", screen.text))


@pytest.mark.posix(reason="a pseudo-terminal as the controlling terminal")
@pytest.mark.e2e
def test_ctrl_c_reaches_the_command_and_its_exit_code_passes_through(
    credentials: Path, environment: dict[str, str], strict_sts: StrictSts
) -> None:
    """The terminal is raw while the command runs: Ctrl-C is a byte, which the command's
    own pseudo-terminal turns into its SIGINT."""
    write(credentials, long_term("dev-long-term"))
    waits = (
        "import signal, sys, time\n"
        "signal.signal(signal.SIGINT, lambda *_: sys.exit(42))\n"
        "print('READY', flush=True)\n"
        "sys.stdin.readline()\n"
    )
    command = [AWS_MFA, "exec", "--server", "-p", "dev", "-c", "123456"]
    with in_a_terminal([*command, "--", sys.executable, "-c", waits], environment) as (
        screen,
        process,
    ):
        screen.wait_for("READY")
        screen.type("\x03")
        assert process.wait(timeout=CEILING) == 42
        assert cooked(screen.master)  # the terminal's modes are back


def cooked(master: int) -> bool:
    """Whether the terminal echoes and reads lines, as a shell leaves it for a command."""
    import termios

    local = termios.tcgetattr(master)[3]
    return bool(local & termios.ECHO and local & termios.ICANON)


@pytest.mark.posix(reason="a pseudo-terminal as the controlling terminal")
@pytest.mark.e2e
def test_a_command_that_cannot_start_is_one_line_and_the_terminal_is_as_it_was(
    credentials: Path, environment: dict[str, str], strict_sts: StrictSts
) -> None:
    write(credentials, long_term("dev-long-term"))
    command = [AWS_MFA, "exec", "--server", "-p", "dev", "-c", "123456", "--", "no-such-cmd"]
    with in_a_terminal(command, environment) as (screen, process):
        screen.wait_for("ERROR - exec: command not found: no-such-cmd")
        assert process.wait(timeout=CEILING) == 127
        assert cooked(screen.master)


def test_on_windows_a_lent_console_is_no_terminal_to_ask_on(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Windows has no job control: while the command holds the console, a renewal's code
    is not asked for there (auto then chooses PowerShell's dialog), nor on a stdin that
    is the console."""
    from aws_mfa import system
    from aws_mfa.codes import mfa_code
    from aws_mfa.errors import NoTokenError

    class Console:
        def isatty(self) -> bool:
            return True

    monkeypatch.setattr(sys, "stdin", Console())
    monkeypatch.setattr(system, "open_device", lambda: system.Terminal(-1, -1))
    with system.ConsoleLent():
        assert system.terminal_lent()
        with pytest.raises(OSError, match="console belongs to the command"):
            system.open_terminal()
        assert not mfa_code.can_prompt(mfa_code.terminal_prompter)
        with pytest.raises(NoTokenError, match="no terminal to ask on"):
            mfa_code.terminal_prompter("Enter AWS MFA code: ")
    assert not system.terminal_lent()


@pytest.mark.posix(reason="a pseudo-terminal as the controlling terminal")
@pytest.mark.e2e
def test_with_stdout_a_pipe_the_command_gets_the_terminal_as_it_is(
    credentials: Path, environment: dict[str, str], strict_sts: StrictSts
) -> None:
    """``aws-mfa exec --server -- CMD | less``: the pager reads the keys from the terminal,
    and a relay would take them; the command reads the terminal itself, as before."""
    write(credentials, long_term("dev-long-term"))
    names = "import os; print(os.ttyname(0))"
    command = [AWS_MFA, "exec", "--server", "-p", "dev", "-c", "123456"]
    command += ["--", sys.executable, "-c", names]
    with in_a_terminal(command, environment, stdout=subprocess.PIPE) as (screen, process):
        out, _ = process.communicate(timeout=CEILING)
        assert process.returncode == 0
    assert out.decode().strip() == screen.device


@pytest.mark.posix(reason="a pseudo-terminal as the controlling terminal")
@pytest.mark.e2e
def test_ctrl_z_stops_the_command_and_aws_mfa_as_the_shells_job_and_fg_resumes_both(
    credentials: Path, environment: dict[str, str], strict_sts: StrictSts
) -> None:
    """Under an interactive shell, as a user runs it: Ctrl-Z stops the job (the command
    holds its pseudo-terminal's foreground, whose orphaned group would ignore SIGTSTP, so
    aws-mfa stops it and then itself), and ``fg`` resumes both, reading the terminal."""
    import shlex

    write(credentials, long_term("dev-long-term"))
    inner = [AWS_MFA, "exec", "--server", "-p", "dev", "-c", "123456"]
    inner += ["--", sys.executable, "-c", ONE_LINE_READER]
    shell = ["bash", "--norc", "--noprofile", "-i"]
    with in_a_terminal(shell, {**environment, "PS1": "SHELL$ "}) as (screen, process):
        screen.wait_for("SHELL$ ")
        screen.type(shlex.join(inner) + "\r")
        screen.wait_for("READY")
        screen.type("\x1a")
        screen.wait_for("Stopped")
        screen.wait_for("SHELL$ ")
        screen.type("fg\r")
        screen.type("one\r")
        screen.wait_for("COMMAND READ [one]")
        screen.type("two\r")
        screen.wait_for("COMMAND READ [two]")
        screen.wait_for("SHELL$ ")
        screen.type("exit $?\r")
        assert process.wait(timeout=CEILING) == 0


@pytest.mark.posix(reason="a pseudo-terminal as the controlling terminal")
@pytest.mark.e2e
def test_ctrl_c_typed_at_a_renewals_prompt_reaches_the_command(
    credentials: Path, home: Path, environment: dict[str, str], strict_sts: StrictSts
) -> None:
    """The prompt has the terminal in its own modes, where Ctrl-C signals aws-mfa: it passes
    it on to the command, as the terminal would have."""
    strict_sts.role_expires_in = SHORT_ROLE
    write(credentials, long_term("dev-long-term"))
    waits = (
        "import signal, sys\n"
        "signal.signal(signal.SIGINT, lambda *_: sys.exit(42))\n"
        "print('READY', flush=True)\n"
        "sys.stdin.readline()\n"
    )
    command = [AWS_MFA, "exec", "--server", "-p", "dev", "--assume-role", ROLE]
    command += ["--no-session-cache", "--min-ttl", "5", "-c", "123456"]
    command += ["--", sys.executable, "-c", waits]
    with in_a_terminal(command, environment) as (screen, process):
        screen.wait_for("READY")
        new_window(home)
        screen.wait_for("Enter AWS MFA code", anywhere=True)
        screen.type("\x03")
        assert process.wait(timeout=CEILING) == 42
        assert cooked(screen.master)


def test_on_windows_a_renewal_that_needs_a_code_says_how_to_give_one(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """``--prompt terminal`` inside exec --server on Windows: one line naming what works."""
    from aws_mfa import system
    from aws_mfa.commands.exec import later_code_error
    from aws_mfa.errors import NoCodeSourceError

    monkeypatch.setattr(system, "WINDOWS", True)
    error = later_code_error(NoCodeSourceError("no terminal"))
    assert error is not None
    assert "on Windows it is not asked for on the console" in error.message
    assert "MFA_PROMPT=powershell" in error.message


@pytest.mark.posix(reason="a pseudo-terminal, and SIGTERM sent to this process")
@pytest.mark.e2e
def test_a_sigterm_that_comes_while_a_relayed_command_starts_is_the_commands(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Forwarding is in place before the relayed command starts, as for a command that is
    not relayed (test_server.py): a SIGTERM that came first used to end aws-mfa itself."""
    import pty
    import signal

    from aws_mfa import system
    from aws_mfa.commands import exec as exec_command

    real_start = exec_command.start

    def start_under_fire(*args: object, **kwargs: object) -> subprocess.Popen[bytes]:
        os.kill(os.getpid(), signal.SIGTERM)  # before the command exists
        return real_start(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(exec_command, "start", start_under_fire)
    user_side, terminal = pty.openpty()  # the user's terminal, as the relay sees it
    before = signal.getsignal(signal.SIGTERM)
    try:
        relay = system.TerminalRelay(terminal)
        sleeper = [sys.executable, "-c", "import time; time.sleep(60)"]
        code = exec_command.run_relayed(sleeper, dict(os.environ), relay)
    finally:
        os.close(user_side)  # the relay closes its side when the command ends
    assert code == 128 + signal.SIGTERM  # the command's end, passed on as a shell does
    assert signal.getsignal(signal.SIGTERM) == before  # given back
