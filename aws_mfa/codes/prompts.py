"""Where the code is asked for when nobody gave one: the terminal, a dialog, or a YubiKey.

``--prompt`` (``MFA_PROMPT``, ``prompt`` in the YAML profile, ``aws_mfa_prompt`` in
the config profile) names the driver:

- ``terminal``: the controlling terminal (:func:`aws_mfa.codes.mfa_code.terminal_prompter`);
- ``zenity`` (GTK) and ``kdialog`` (KDE): a dialog on a Linux or BSD desktop;
- ``osascript``: a dialog on macOS;
- ``powershell``: a dialog on Windows (Windows PowerShell, else PowerShell 7's ``pwsh``);
- ``ykman``: the code of an OATH account of a YubiKey (``ykman oath accounts code
  --single ACCOUNT``); when the account wants a touch, "touch your YubiKey" goes
  where the user sees it (:func:`announce_touch`);
- ``auto``, the default: see :func:`choose`.

A dialog's answer comes back on its standard output, a pipe: nothing secret is
ever in a command line or an environment (the prompt, the device's ARN and
the profile's name are all a command line holds). A dialog that is cancelled,
or that nobody answers within ``--prompt-timeout`` seconds, raises
:class:`~aws_mfa.errors.PromptRefusedError`; :mod:`aws_mfa.codes.mfa_code` remembers it
so that the runs waiting on the lock for this one fail with it at once instead
of each showing a dialog of its own.

What it does not do: decide whether a code is needed, check it against the
codes already used, or send it (see :mod:`aws_mfa.codes.mfa_code`).
"""

from __future__ import annotations

import os
import sys
import threading
from collections.abc import Callable, Mapping, Sequence

from aws_mfa import log, system
from aws_mfa.errors import NoTokenError, PromptRefusedError
from aws_mfa.records import Record
from aws_mfa.settings.checks import is_code

DIALOGS = ("zenity", "kdialog", "osascript", "powershell")
TITLE = "aws-mfa"
GRACE = 5.0
"""Seconds a program that times out by itself (zenity, osascript) is given beyond its own
timeout before it is killed."""
POWERSHELL = ("-NoProfile", "-NonInteractive", "-EncodedCommand")

PACKAGES = {
    "zenity": "the package zenity (apt install zenity, dnf install zenity)",
    "kdialog": "the package kdialog (apt install kdialog, dnf install kdialog)",
    "ykman": "yubikey-manager (pipx install yubikey-manager, apt install yubikey-manager, "
    "or brew install ykman)",
    "osascript": "macOS itself (/usr/bin/osascript)",
    "powershell": "Windows itself (powershell.exe), or PowerShell 7 (pwsh)",
}
"""Where each driver's program comes from, for the message when it is missing."""

LineHandler = Callable[[str], None]


class Ran(Record):
    """How a driver's program ended: its exit code (None when it was killed after the
    timeout), and what it printed."""

    returncode: int | None
    stdout: str
    stderr: str


Runner = Callable[[Sequence[str], float, "LineHandler | None"], Ran]
Which = Callable[[str], "str | None"]


def choose(
    name: str,
    environ: Mapping[str, str],
    terminal: bool,
    platform: str = sys.platform,
    which: Which | None = None,
) -> str | None:
    """The driver ``name`` means here; None when ``auto`` finds no way to ask.

    ``auto`` takes the terminal when there is one (``terminal``); else a dialog
    where a desktop session can show it: on Windows PowerShell's, on macOS
    osascript's (not over SSH, where it would appear on another person's
    screen, if any), elsewhere with ``DISPLAY`` or ``WAYLAND_DISPLAY`` the
    desktop's own program: kdialog on KDE Plasma, zenity on every other
    desktop, each falling back to the other when only that one is installed.
    """
    if name != "auto":
        return name
    if terminal:
        return "terminal"
    return desktop_dialog(environ, platform, which or _which)


def desktop_dialog(environ: Mapping[str, str], platform: str, which: Which) -> str | None:
    """The dialog driver of the desktop session this runs in; None when there is none."""
    if platform == "win32":
        return "powershell"
    if platform == "darwin":
        return None if environ.get("SSH_CONNECTION") else "osascript"
    if not has_display(environ):
        return None
    desktops = environ.get("XDG_CURRENT_DESKTOP", "").upper().split(":")
    order = ("kdialog", "zenity") if "KDE" in desktops else ("zenity", "kdialog")
    # Neither installed: the first, whose absence is then reported with its package.
    return next((program for program in order if which(program)), order[0])


def has_display(environ: Mapping[str, str]) -> bool:
    """Whether an X or Wayland display is there to show a dialog or a notification."""
    return bool(environ.get("DISPLAY") or environ.get("WAYLAND_DISPLAY"))


def _which(program: str) -> str | None:
    import shutil

    return shutil.which(program)


def find(driver: str, which: Which | None = None) -> str:
    """The path of ``driver``'s program; NoTokenError naming its package when missing."""
    which = which or _which
    names = ("powershell", "pwsh") if driver == "powershell" else (driver,)
    for name in names:
        found = which(name)
        if found:
            return found
    raise NoTokenError(
        f"--prompt {driver}: {driver} is not installed (it is not on PATH); "
        f"it comes with {PACKAGES[driver]}"
    )


def run_program(argv: Sequence[str], timeout: float, on_line: LineHandler | None = None) -> Ran:
    """Run ``argv`` with an empty stdin; its output, read from pipes (``on_line`` sees each
    line of its stderr as it comes); killed after ``timeout`` seconds."""
    import subprocess

    try:
        process = subprocess.Popen(
            list(argv), stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE
        )
    except OSError as err:
        raise NoTokenError(f"cannot run {argv[0]} ({err.strerror})") from err
    out: list[bytes] = []
    err_lines: list[str] = []

    def pump_stderr() -> None:
        assert process.stderr is not None
        for raw in process.stderr:
            line = raw.decode("utf-8", "replace").rstrip()
            err_lines.append(line)
            if on_line is not None:
                on_line(line)

    def pump_stdout() -> None:
        assert process.stdout is not None
        out.append(process.stdout.read())

    readers = [
        threading.Thread(target=pump_stdout, daemon=True),
        threading.Thread(target=pump_stderr, daemon=True),
    ]
    for reader in readers:
        reader.start()
    try:
        returncode: int | None = process.wait(timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
        returncode = None
    for reader in readers:
        reader.join(GRACE)
    return Ran(returncode, b"".join(out).decode("utf-8", "replace"), "\n".join(err_lines))


def dialog_argv(driver: str, program: str, prompt: str, timeout: int) -> list[str]:
    """The command line that shows ``prompt`` in ``driver``'s dialog: the prompt, never an
    answer (the answer comes back on stdout)."""
    if driver == "zenity":  # --text is Pango markup
        text = prompt.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
        return [program, "--entry", f"--title={TITLE}", f"--text={text}", f"--timeout={timeout}"]
    if driver == "kdialog":
        return [program, "--title", TITLE, "--inputbox", prompt]
    if driver == "osascript":  # the prompt is an argument of the script, never part of it
        return [program, *applescript(*OSASCRIPT), prompt, str(timeout)]
    return [program, *POWERSHELL, powershell_script(prompt)]


OSASCRIPT = (
    "on run argv",
    'set answer to display dialog (item 1 of argv) default answer "" with title "aws-mfa" '
    'buttons {"Cancel", "OK"} default button "OK" cancel button "Cancel" '
    "giving up after ((item 2 of argv) as integer)",
    'if gave up of answer then error "no answer" number -1712',
    "return text returned of answer",
    "end run",
)
"""The AppleScript of the macOS dialog: error -128 when cancelled, -1712 when it gave up."""


def powershell_script(prompt: str) -> str:
    """The Windows dialog, for ``-EncodedCommand``: exit 1 when cancelled (VB's InputBox
    answers "" then)."""
    return encoded(
        "Add-Type -AssemblyName Microsoft.VisualBasic; "
        f"$answer = [Microsoft.VisualBasic.Interaction]::InputBox({quoted(prompt)}, '{TITLE}'); "
        "if ($answer -eq '') { exit 1 }; [Console]::Out.Write($answer)"
    )


def quoted(text: str) -> str:
    """``text`` as a PowerShell string literal, taken as it is (no variable expanded)."""
    return "'" + text.replace("'", "''") + "'"


def encoded(script: str) -> str:
    """A PowerShell script as ``-EncodedCommand`` takes it: UTF-16LE, base64."""
    import base64

    return base64.b64encode(script.encode("utf-16-le")).decode("ascii")


def applescript(*lines: str) -> list[str]:
    """``lines`` as osascript's ``-e`` arguments."""
    return [arg for line in lines for arg in ("-e", line)]


def ask_dialog(
    driver: str,
    prompt: str,
    timeout: int,
    runner: Runner | None = None,
    which: Which | None = None,
) -> str:
    """What the user typed into ``driver``'s dialog showing ``prompt``."""
    program = find(driver, which)
    killed_after = timeout + GRACE if driver in ("zenity", "osascript") else float(timeout)
    argv = dialog_argv(driver, program, prompt.rstrip(": "), timeout)
    ran = (runner or run_program)(argv, killed_after, None)
    return dialog_answer(driver, ran, timeout)


def dialog_answer(driver: str, ran: Ran, timeout: int) -> str:
    """The answer in ``ran``, or the error that says why there is none."""
    code, problem = ran.returncode, last_line(ran.stderr)
    said = problem if driver == "osascript" else ""  # AppleScript's error numbers
    timed_out = code is None or (driver == "zenity" and code == 5) or "(-1712)" in said
    if timed_out:
        why = f"its {driver} dialog got no answer within {timeout} seconds"
        raise PromptRefusedError(
            f"the {driver} dialog got no answer within {timeout} seconds (--prompt-timeout); "
            "nothing was sent to STS",
            why=why,
        )
    cancelled = (code == 1 and driver != "osascript") or "(-128)" in said
    if cancelled:
        raise PromptRefusedError(
            f"the {driver} dialog was cancelled; nothing was sent to STS",
            why=f"its {driver} dialog was cancelled",
        )
    if code != 0:
        detail = f": {problem}" if problem else ""
        raise NoTokenError(f"the {driver} dialog could not be shown (exit code {code}{detail})")
    return ran.stdout.strip()


def last_line(text: str, limit: int = 200) -> str:
    """The last line of a program's stderr that says something, cut to ``limit``."""
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    return log.one_line(lines[-1])[:limit] if lines else ""


def ykman_code(
    account: str,
    timeout: int,
    announce: Callable[[], None],
    runner: Runner | None = None,
    which: Which | None = None,
) -> str:
    """The current code of the YubiKey's OATH ``account``; ``announce`` is called when the
    YubiKey asks to be touched."""
    program = find("ykman", which)
    told: list[bool] = []

    def on_line(line: str) -> None:
        if "touch" in line.lower() and not told:
            told.append(True)
            announce()

    log.debug("Asking ykman for the code of the OATH account %r", account)
    argv = [program, "oath", "accounts", "code", "--single", account]
    ran = (runner or run_program)(argv, timeout, on_line)
    if ran.returncode is None:
        raise PromptRefusedError(
            f"ykman gave no code within {timeout} seconds (--prompt-timeout): was the "
            "YubiKey touched? Nothing was sent to STS",
            why=f"its YubiKey was not touched within {timeout} seconds",
        )
    if ran.returncode != 0:
        raise NoTokenError(ykman_problem(account, last_line(ran.stderr)))
    code = ran.stdout.strip()
    if not is_code(code):
        raise NoTokenError(
            f"ykman printed something that is not a six-digit code for the account {account!r}"
        )
    return code


def ykman_problem(account: str, said: str) -> str:
    """The message when ykman fails: what it said, and what to do about the usual cases."""
    message = f"ykman could not read the code of the OATH account {account!r}"
    message += f" ({said})" if said else ""
    lowered = said.lower()
    if "no matching" in lowered or "multiple" in lowered:
        message += (
            "; name the account with --ykman-account or MFA_YKMAN_ACCOUNT "
            "('ykman oath accounts list' shows them)"
        )
    elif "password" in lowered:
        message += "; let ykman remember the OATH password with 'ykman oath access remember'"
    return message


def announce_touch(
    device: str,
    environ: Mapping[str, str],
    terminal: Callable[[], system.Terminal] | None = None,
    spawn: Callable[[list[str]], None] | None = None,
    platform: str = sys.platform,
    which: Which | None = None,
) -> str:
    """Say "touch your YubiKey" where the user sees it: the terminal when there is one,
    else a desktop notification, else stderr. Which one it was."""
    text = f"Touch your YubiKey for the MFA code of {device}"
    log.info("%s", text)
    try:
        screen = (terminal or system.open_terminal)()
    except OSError:
        screen = None
    if screen is not None:
        try:
            screen.write(text + "\n")
        finally:
            screen.close()
        return "terminal"
    if notify(text, environ, spawn, platform, which):
        return "notification"
    log.warning("%s", text)
    return "stderr"


def notify(
    text: str,
    environ: Mapping[str, str],
    spawn: Callable[[list[str]], None] | None = None,
    platform: str = sys.platform,
    which: Which | None = None,
) -> bool:
    """Show ``text`` as a desktop notification when the desktop has a way; whether it did.

    Best effort and not waited for: ``notify-send`` on Linux and BSD desktops,
    ``osascript`` on macOS, a PowerShell balloon on Windows.
    """
    argv = notification_argv(text, environ, platform, which or _which)
    if argv is None:
        return False
    try:
        (spawn or start_program)(argv)
    except OSError as err:
        log.debug("No notification: %s", err.strerror)
        return False
    return True


def notification_argv(
    text: str, environ: Mapping[str, str], platform: str, which: Which
) -> list[str] | None:
    """The command line of a notification showing ``text``; None where there is none."""
    if platform == "win32":
        program = which("powershell") or which("pwsh")
        script = encoded(
            "Add-Type -AssemblyName System.Windows.Forms; "
            "$n = New-Object System.Windows.Forms.NotifyIcon; "
            "$n.Icon = [System.Drawing.SystemIcons]::Information; $n.Visible = $true; "
            f"$n.ShowBalloonTip(10000, '{TITLE}', {quoted(text)}, 'Info'); "
            "Start-Sleep -Seconds 10; $n.Dispose()"
        )
        return None if program is None else [program, *POWERSHELL, script]
    if platform == "darwin":
        program = which("osascript")
        lines = applescript(
            "on run argv", f'display notification (item 1 of argv) with title "{TITLE}"', "end run"
        )
        return None if program is None else [program, *lines, text]
    program = which("notify-send")
    if program is None or not has_display(environ):
        return None
    return [program, f"--app-name={TITLE}", "--urgency=critical", TITLE, text]


def start_program(argv: list[str]) -> None:
    """Start ``argv`` and leave it running, its input and output closed."""
    import subprocess

    devnull = subprocess.DEVNULL
    subprocess.Popen(argv, stdin=devnull, stdout=devnull, stderr=devnull, close_fds=True)


class DriverPrompter:
    """A prompter (``prompt -> line``) that asks with ``driver``; ``source`` names it in
    messages."""

    def __init__(
        self,
        driver: str,
        timeout: int,
        device: str,
        account: str | None = None,
        environ: Mapping[str, str] | None = None,
        profile: str | None = None,
    ) -> None:
        self.driver, self.timeout, self.device, self.profile = driver, timeout, device, profile
        self.account = account or device
        self.environ = os.environ if environ is None else environ
        self.source = (
            f"the code ykman read from the YubiKey account {self.account!r}"
            if driver == "ykman"
            else f"the MFA code entered in the {driver} dialog"
        )

    def __call__(self, prompt: str) -> str:
        if self.driver == "ykman":
            return ykman_code(self.account, self.timeout, self.announce_touch)
        # A dialog pops up away from the command that asked: it says for which profile.
        named = f"Profile {self.profile}: {prompt}" if self.profile else prompt
        return ask_dialog(self.driver, named, self.timeout)

    def announce_touch(self) -> None:
        announce_touch(self.device, self.environ)
