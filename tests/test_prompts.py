"""The code where there is no terminal: dialogs, a YubiKey, one prompt for many callers (issue 23).

The drivers' programs are faked twice: in-process, by replacing
``prompts.run_program`` (how each program's command line is built and each
way it can end is read), and as real programs on PATH (tests/fake_driver.py,
marked e2e), which record their argv and answer, refuse, time out or crash as
a test asks. One test shows a real zenity on Xvfb, typed into by xdotool.
"""

from __future__ import annotations

import base64
import json
import os
import re
import shutil
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path

import pytest

from aws_mfa.codes import prompts
from aws_mfa.codes.mfa_code import obtain_code, terminal_prompter
from aws_mfa.codes.prompts import Ran
from aws_mfa.codes.used_codes import UsedCodes
from aws_mfa.errors import NoCodeSourceError, NoTokenError, PromptRefusedError
from aws_mfa.files import ini
from aws_mfa.settings.resolve import Flags, resolve
from tests import fake_driver
from tests.conftest import (
    AWS_MFA,
    DEVICE,
    LONG_TERM_SECRET,
    NO_TERMINAL,
    SESSION_SECRET,
    AwsMfa,
    LocalSts,
    long_term,
    run_in_process,
    write,
)

CODE = "314159"
ROOT = Path(__file__).resolve().parent.parent
ARTIFACTS = ROOT / "test-artifacts"
LINUX_DESKTOP = pytest.mark.skipif(
    sys.platform == "win32",
    reason="auto's choice on a Linux desktop (zenity, kdialog); Windows' (PowerShell) is "
    "test_auto_without_a_terminal_asks_the_desktop's",
)
"""For the tests of what auto does on this system, which they take to be a Linux desktop."""
EVERYWHERE = {"zenity", "kdialog", "osascript", "powershell", "pwsh", "ykman", "notify-send"}


def installed(*names: str) -> prompts.Which:
    """A ``which`` that finds only ``names``."""
    return lambda program: f"/usr/bin/{program}" if program in names else None


# How auto chooses.


@pytest.mark.parametrize(
    ("environ", "platform", "found", "chosen"),
    [
        ({"DISPLAY": ":0"}, "linux", EVERYWHERE, "zenity"),
        ({"WAYLAND_DISPLAY": "wayland-0"}, "linux", EVERYWHERE, "zenity"),
        ({"DISPLAY": ":0", "XDG_CURRENT_DESKTOP": "KDE"}, "linux", EVERYWHERE, "kdialog"),
        ({"DISPLAY": ":0", "XDG_CURRENT_DESKTOP": "ubuntu:GNOME"}, "linux", EVERYWHERE, "zenity"),
        ({"DISPLAY": ":0", "XDG_CURRENT_DESKTOP": "KDE"}, "linux", {"zenity"}, "zenity"),
        ({"DISPLAY": ":0"}, "linux", {"kdialog"}, "kdialog"),
        ({"DISPLAY": ":0"}, "linux", set(), "zenity"),  # its absence is then reported
        ({"DISPLAY": ":0"}, "freebsd14", EVERYWHERE, "zenity"),
        ({}, "linux", EVERYWHERE, None),
        ({"DISPLAY": ""}, "linux", EVERYWHERE, None),
        ({}, "darwin", EVERYWHERE, "osascript"),
        ({"SSH_CONNECTION": "10.0.0.1 50000 10.0.0.2 22"}, "darwin", EVERYWHERE, None),
        ({}, "win32", EVERYWHERE, "powershell"),
    ],
)
def test_auto_without_a_terminal_asks_the_desktop(
    environ: dict[str, str], platform: str, found: set[str], chosen: str | None
) -> None:
    assert prompts.choose("auto", environ, False, platform, installed(*found)) == chosen


def test_auto_with_a_terminal_and_named_drivers() -> None:
    desktop = {"DISPLAY": ":0"}
    assert prompts.choose("auto", desktop, True, "linux", installed("zenity")) == "terminal"
    for name in ("terminal", "zenity", "kdialog", "osascript", "powershell", "ykman"):
        assert prompts.choose(name, {}, False, "linux", installed()) == name


# Each driver's command line, and each way its program can end.


@pytest.mark.parametrize("driver", ["zenity", "kdialog", "osascript", "powershell", "ykman"])
def test_a_missing_program_is_one_line_naming_its_package(driver: str) -> None:
    with pytest.raises(NoTokenError) as caught:
        prompts.find(driver, installed())
    message = caught.value.message
    assert "\n" not in message
    assert message.startswith(f"--prompt {driver}: {driver} is not installed")
    assert prompts.PACKAGES[driver] in message


def test_powershell_falls_back_to_pwsh() -> None:
    assert prompts.find("powershell", installed("pwsh")) == "/usr/bin/pwsh"


HOSTILE = "Enter AWS MFA code for device [arn:aws:iam::123456789012:mfa/a<b>'$(touch x)\"&]"


def test_the_command_lines_hold_the_prompt_as_data_and_never_a_code() -> None:
    zenity = prompts.dialog_argv("zenity", "zenity", HOSTILE, 120)
    assert zenity[:3] == ["zenity", "--entry", "--title=aws-mfa"]
    assert "--timeout=120" in zenity
    assert "a&lt;b&gt;'$(touch x)\"&amp;]" in zenity[3]  # Pango markup, escaped
    kdialog = prompts.dialog_argv("kdialog", "kdialog", HOSTILE, 120)
    assert kdialog == ["kdialog", "--title", "aws-mfa", "--inputbox", HOSTILE]
    osascript = prompts.dialog_argv("osascript", "osascript", HOSTILE, 120)
    assert osascript[-2:] == [HOSTILE, "120"]  # arguments of the script, not part of it
    assert not any(HOSTILE in line for line in osascript[:-2])
    powershell = prompts.dialog_argv("powershell", "powershell", HOSTILE, 120)
    script = base64.b64decode(powershell[-1]).decode("utf-16-le")
    quoted = HOSTILE.replace("'", "''")
    assert f"InputBox('{quoted}', 'aws-mfa')" in script
    assert powershell[1:4] == ["-NoProfile", "-NonInteractive", "-EncodedCommand"]


@pytest.mark.parametrize(
    ("driver", "ran", "outcome"),
    [
        ("zenity", Ran(0, f"{CODE}\n", ""), CODE),
        ("zenity", Ran(1, "", ""), "cancelled"),
        ("zenity", Ran(5, "", ""), "no answer"),
        ("zenity", Ran(None, "", ""), "no answer"),
        ("zenity", Ran(255, "", "Gtk-WARNING\ncannot open display"), "could not be shown"),
        ("kdialog", Ran(0, CODE, ""), CODE),
        ("kdialog", Ran(1, "", ""), "cancelled"),
        ("kdialog", Ran(None, "", ""), "no answer"),
        ("osascript", Ran(0, f"{CODE}\n", ""), CODE),
        ("osascript", Ran(1, "", "execution error: User canceled. (-128)"), "cancelled"),
        ("osascript", Ran(1, "", "execution error: no answer (-1712)"), "no answer"),
        ("osascript", Ran(1, "", "execution error: No user interaction allowed. (-1713)"), "could"),
        ("powershell", Ran(0, CODE, ""), CODE),
        ("powershell", Ran(1, "", ""), "cancelled"),
        ("powershell", Ran(None, "", ""), "no answer"),
    ],
)
def test_how_each_dialog_ends(driver: str, ran: Ran, outcome: str) -> None:
    if outcome == CODE:
        assert prompts.dialog_answer(driver, ran, 120) == CODE
        return
    error = PromptRefusedError if outcome in ("cancelled", "no answer") else NoTokenError
    with pytest.raises(error) as caught:
        prompts.dialog_answer(driver, ran, 120)
    message = caught.value.message
    assert outcome in message
    assert "\n" not in message
    if error is PromptRefusedError:
        assert message.endswith("nothing was sent to STS")
        assert caught.value.exit_code == 4


def test_ykman_reads_the_account_and_says_touch_once() -> None:
    seen: list[tuple[Sequence[str], float]] = []
    touched: list[bool] = []

    def runner(argv: Sequence[str], timeout: float, on_line: prompts.LineHandler | None) -> Ran:
        seen.append((argv, timeout))
        assert on_line is not None
        on_line("Touch your YubiKey...")
        on_line("Touch your YubiKey...")
        return Ran(0, f"{CODE}\n", "Touch your YubiKey...")

    code = prompts.ykman_code(
        "aws:alice", 45, lambda: touched.append(True), runner, installed("ykman")
    )
    assert code == CODE
    assert touched == [True]
    assert seen == [(["/usr/bin/ykman", "oath", "accounts", "code", "--single", "aws:alice"], 45)]


@pytest.mark.parametrize(
    ("ran", "says"),
    [
        (Ran(None, "", ""), "was the YubiKey touched?"),
        (Ran(1, "", "Error: No YubiKey detected!"), "(Error: No YubiKey detected!)"),
        (Ran(1, "", "Error: No matching account found."), "--ykman-account or MFA_YKMAN_ACCOUNT"),
        (Ran(2, "", "Error: Multiple matches, make the query more specific."), "accounts list"),
        (Ran(1, "", "Error: Authentication to the YubiKey failed. Wrong password?"), "remember"),
        (Ran(0, "Touch your YubiKey\n", ""), "not a six-digit code"),
    ],
)
def test_ykman_failures_are_one_line(ran: Ran, says: str) -> None:
    with pytest.raises(NoTokenError) as caught:
        prompts.ykman_code("aws", 30, lambda: None, lambda *args: ran, installed("ykman"))
    assert says in caught.value.message
    assert "\n" not in caught.value.message


class FakeTerminal:
    def __init__(self) -> None:
        self.written = ""

    def write(self, text: str) -> None:
        self.written += text

    def close(self) -> None:
        pass


def test_touch_is_said_where_the_user_looks(caplog: pytest.LogCaptureFixture) -> None:
    screen = FakeTerminal()
    channel = prompts.announce_touch(DEVICE, {}, terminal=lambda: screen)  # type: ignore[arg-type, return-value]
    assert channel == "terminal"
    assert screen.written == f"Touch your YubiKey for the MFA code of {DEVICE}\n"

    def no_terminal() -> prompts.system.Terminal:
        raise OSError("no terminal")

    spawned: list[list[str]] = []
    desktop = {"DISPLAY": ":0"}
    channel = prompts.announce_touch(
        DEVICE, desktop, no_terminal, spawned.append, "linux", installed("notify-send")
    )
    assert channel == "notification"
    assert spawned[0][0] == "/usr/bin/notify-send"
    assert spawned[0][-1].startswith("Touch your")
    assert prompts.announce_touch(DEVICE, {}, no_terminal, spawned.append, "linux") == "stderr"


def test_notifications_on_each_system() -> None:
    everything = installed("notify-send", "osascript", "powershell")
    text = "Touch your YubiKey for 'x'"
    assert prompts.notification_argv(text, {}, "linux", everything) is None  # no desktop
    linux = prompts.notification_argv(text, {"DISPLAY": ":0"}, "linux", everything)
    assert linux is not None
    assert linux[-1] == text
    mac = prompts.notification_argv(text, {}, "darwin", everything)
    assert mac is not None
    assert mac[-1] == text
    assert "display notification" in " ".join(mac)
    windows = prompts.notification_argv(text, {}, "win32", everything)
    assert windows is not None
    assert "ShowBalloonTip" in base64.b64decode(windows[-1]).decode("utf-16-le")


# The choice and the refusal inside a renewal (obtain_code), in-process.


def settings(environ: dict[str, str] | None = None, **flags: object):
    flags.setdefault("device", DEVICE)
    return resolve(Flags(**flags), environ or {}, None)


@LINUX_DESKTOP
def test_no_way_to_ask_names_what_to_configure(home: Path) -> None:
    with pytest.raises(NoCodeSourceError) as caught:
        obtain_code(settings(), DEVICE, terminal_prompter, UsedCodes(home / "u.json"), time.sleep)
    message = caught.value.message
    assert message.startswith("no MFA code can be asked for here: no terminal")
    assert "run 'aws-mfa' in a terminal to renew it" in message
    assert "'Codes without a terminal' in docs/usage.md" in message
    assert caught.value.exit_code == 4


@pytest.mark.skipif(sys.platform in ("win32", "darwin"), reason="X and Wayland are Linux's")
def test_no_display_says_that_cleaned_environments_drop_it() -> None:
    """Issue 36: an MCP host passes its tools only HOME, LOGNAME, PATH, SHELL, TERM, USER:
    the message must not just say there is no desktop, but why, and where DISPLAY goes."""
    from aws_mfa.codes.mfa_code import no_code_source

    cleaned = no_code_source("dev", {"HOME": "/home/me", "PATH": "/usr/bin"})
    assert "DISPLAY is not set" in cleaned
    assert "as MCP hosts do" in cleaned
    assert "put it in the tool's env" in cleaned
    assert "run 'aws-mfa -p dev' in a terminal" in cleaned
    assert "DISPLAY" not in no_code_source("dev", {"DISPLAY": ":0"})


@LINUX_DESKTOP
def test_a_refused_prompt_fails_the_runs_that_waited_for_it(
    home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[Sequence[str]] = []

    def cancelled(argv: Sequence[str], timeout: float, on_line: object) -> Ran:
        calls.append(argv)
        return Ran(1, "", "")

    monkeypatch.setattr(prompts, "run_program", cancelled)
    monkeypatch.setattr(prompts, "_which", installed("zenity"))
    monkeypatch.setenv("DISPLAY", ":0")
    used = UsedCodes(home / "u.json")
    waiting_since = time.time()
    with pytest.raises(PromptRefusedError, match="the zenity dialog was cancelled"):
        obtain_code(settings(), DEVICE, terminal_prompter, used, time.sleep, None, waiting_since)
    with pytest.raises(PromptRefusedError) as caught:  # a run that waited meanwhile
        obtain_code(settings(), DEVICE, terminal_prompter, used, time.sleep, None, waiting_since)
    assert caught.value.message == (
        f"another aws-mfa run asked for the MFA code of {DEVICE} for every run waiting, "
        "and its zenity dialog was cancelled; nothing was sent to STS"
    )
    assert len(calls) == 1  # one dialog
    later = time.time() + 1  # a run started after the refusal asks again
    with pytest.raises(PromptRefusedError, match="the zenity dialog was cancelled"):
        obtain_code(settings(), DEVICE, terminal_prompter, used, time.sleep, None, later)
    assert len(calls) == 2
    other = "arn:aws:iam::123456789012:mfa/bob"  # another device's prompt is not refused
    assert used.refused_since(other, waiting_since) is None


def test_a_hostile_refusal_record_is_no_refusal(home: Path) -> None:
    path = write(home / ".aws" / "aws-mfa-used-codes.json", "")
    used = UsedCodes(path)
    now = int(time.time())  # refusals older than a day are pruned
    for entry in (
        [now, "x" * 201],
        [now, "two\nlines"],
        [True, "x"],
        [str(now), "x"],
        [now, 2],
        {"a": now},
    ):
        path.write_text(json.dumps({"refused": {DEVICE: entry}}))
        assert used.refused_since(DEVICE, 0) is None
    path.write_text(json.dumps({"refused": {DEVICE: [now, "its zenity dialog was cancelled"]}}))
    assert used.refused_since(DEVICE, 0) == "its zenity dialog was cancelled"
    used.record(DEVICE, CODE)  # recording a code keeps the refusal, and the other way round
    assert used.refused_since(DEVICE, 0) == "its zenity dialog was cancelled"
    used.refuse(DEVICE, "its kdialog dialog was cancelled")
    assert used.used(DEVICE, CODE)


@LINUX_DESKTOP
def test_a_dialog_renews_in_process_with_no_terminal(
    aws_mfa_in_process: AwsMfa, credentials: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write(credentials, long_term())
    asked: list[Sequence[str]] = []

    def answered(argv: Sequence[str], timeout: float, on_line: object) -> Ran:
        asked.append(argv)
        return Ran(0, f"{CODE}\n", "")

    monkeypatch.setattr(prompts, "run_program", answered)
    monkeypatch.setattr(prompts, "_which", installed("kdialog", "zenity"))
    result = aws_mfa_in_process(DISPLAY=":0", XDG_CURRENT_DESKTOP="KDE", MFA_TOKEN="")
    assert result.code == 0, result.stderr
    assert asked[0][0] == "/usr/bin/kdialog"
    assert asked[0][-1].startswith(f"Profile default: Enter AWS MFA code for device [{DEVICE}]")
    assert CODE not in " ".join(asked[0])
    assert "Asking for the MFA code with kdialog (--prompt auto)" in result.stderr
    assert "aws_session_token" in credentials.read_text()


def test_prompt_settings_are_checked(aws_mfa_in_process: AwsMfa, credentials: Path) -> None:
    write(credentials, long_term())
    before = credentials.read_bytes()
    wrong = aws_mfa_in_process("--prompt", "dialog")
    assert wrong.code == 2
    assert "invalid choice" not in wrong.stderr
    assert "'dialog' is not one of auto, terminal, zenity" in wrong.stderr
    too_long = aws_mfa_in_process(MFA_PROMPT_TIMEOUT="0")
    assert too_long.code == 2
    assert "MFA_PROMPT_TIMEOUT: 0 must be at least 1" in too_long.stderr
    assert credentials.read_bytes() == before


def test_the_lock_outlasts_the_dialog_unless_told_otherwise() -> None:
    assert settings().lock_timeout == 160  # 120 s of dialog, then STS
    assert settings(prompt_timeout="30").lock_timeout == 120
    assert settings({"MFA_LOCK_TIMEOUT": "5"}, prompt_timeout="600").lock_timeout == 5
    config = ini.parse("[profile default]\naws_mfa_prompt = ykman\n", "config")
    chosen = resolve(Flags(device=DEVICE), {}, None, config)
    assert (chosen.prompt, chosen.ykman_account) == ("ykman", None)


# Real programs on PATH (tests/fake_driver.py), with no terminal.


@pytest.fixture
def fakes(tmp_path: Path, environment: dict[str, str]) -> dict[str, str]:
    """The environment with the fake drivers first on PATH, logging to ``FAKE_DRIVER_LOG``."""
    folder = fake_driver.install(tmp_path / "bin")
    return {
        **environment,
        "PATH": f"{folder}{os.pathsep}{environment.get('PATH', '')}",
        "FAKE_DRIVER_LOG": str(tmp_path / "drivers.log"),
        "FAKE_DRIVER_CODE": CODE,
    }


def driver_runs(env: dict[str, str]) -> list[dict[str, object]]:
    log = Path(env["FAKE_DRIVER_LOG"])
    lines = log.read_text().splitlines() if log.exists() else []
    return [json.loads(line) for line in lines]


def assert_nothing_secret_on_command_lines(env: dict[str, str]) -> None:
    for entry in driver_runs(env):
        words = " ".join(map(str, entry["argv"]))  # type: ignore[call-overload]
        assert CODE not in words
        assert LONG_TERM_SECRET not in words
        assert SESSION_SECRET not in words
        assert not {"MFA_TOKEN", "AWS_SECRET_ACCESS_KEY"} & set(entry["env"])  # type: ignore[arg-type]


@pytest.mark.e2e  # the fake programs are processes; aws-mfa itself runs in-process
@pytest.mark.posix(reason="the fake drivers are #! scripts on PATH")
@pytest.mark.parametrize("driver", ["zenity", "kdialog", "osascript", "powershell", "ykman"])
def test_each_driver_gives_the_code_to_a_run_with_no_terminal(
    driver: str, fakes: dict[str, str], credentials: Path
) -> None:
    write(credentials, long_term())
    result = run_in_process([AWS_MFA, "--prompt", driver], fakes)
    assert result.code == 0, result.stderr
    assert "aws_session_token" in credentials.read_text()
    [entry] = driver_runs(fakes)
    assert entry["program"] == driver
    if driver == "ykman":
        assert entry["argv"] == ["oath", "accounts", "code", "--single", DEVICE]
    assert_nothing_secret_on_command_lines(fakes)


CANCELLED = "ERROR - the {} dialog was cancelled; nothing was sent to STS"
NO_ANSWER = "ERROR - the {} dialog got no answer within 1 seconds (--prompt-timeout); nothing"
NOT_SHOWN = "ERROR - the {} dialog could not be shown (exit code 255: Cannot open display:)"
FAILURES = [
    *((name, "cancel", 4, CANCELLED.format(name)) for name in prompts.DIALOGS),
    *((name, "timeout", 4, NO_ANSWER.format(name)) for name in prompts.DIALOGS),
    *((name, "crash", 4, NOT_SHOWN.format(name)) for name in prompts.DIALOGS),
    ("zenity", "garbage", 2, "ERROR - the MFA code entered in the zenity dialog: the MFA code"),
    ("ykman", "fail", 4, "ERROR - ykman could not read the code of the OATH account 'aws'"),
    ("ykman", "timeout", 4, "ERROR - ykman gave no code within 1 seconds"),
    ("ykman", "crash", 4, "ERROR - ykman could not read the code of the OATH account 'aws'"),
    ("ykman", "garbage", 4, "ERROR - ykman printed something that is not a six-digit code"),
]


@pytest.mark.e2e  # the fake programs are processes; aws-mfa itself runs in-process
@pytest.mark.posix(reason="the fake drivers are #! scripts on PATH")
@pytest.mark.parametrize(("driver", "mode", "exit_code", "says"), FAILURES)
def test_every_driver_failure_is_one_line_and_changes_nothing(
    driver: str,
    mode: str,
    exit_code: int,
    says: str,
    fakes: dict[str, str],
    credentials: Path,
    sts: LocalSts,
) -> None:
    write(credentials, long_term())
    before = credentials.read_bytes()
    env = {**fakes, "FAKE_DRIVER_MODE": mode, "MFA_PROMPT": driver, "MFA_PROMPT_TIMEOUT": "1"}
    result = run_in_process([AWS_MFA, "--ykman-account", "aws"], env)
    assert result.code == exit_code
    assert len(result.error_lines) == 1, result.stderr
    assert result.error_lines[0].startswith(says), result.stderr
    assert "Traceback" not in result.stderr
    assert credentials.read_bytes() == before
    assert not [request for request in sts.requests if "GetSessionToken" in str(request)]
    assert [entry["program"] for entry in driver_runs(env)] == [driver] * (
        3 if mode == "garbage" and driver != "ykman" else 1  # a dialog asks three times
    )


@pytest.mark.posix(reason="the zenity of a Linux desktop (Windows asks with PowerShell)")
def test_a_missing_driver_program_is_one_line(
    environment: dict[str, str], credentials: Path
) -> None:
    write(credentials, long_term())
    env = {**environment, "PATH": os.path.dirname(sys.executable), "MFA_PROMPT": "zenity"}
    result = run_in_process([AWS_MFA], env)
    assert result.code == 4
    assert result.error_lines == [
        "ERROR - --prompt zenity: zenity is not installed (it is not on PATH); it comes with "
        "the package zenity (apt install zenity, dnf install zenity)"
    ]


@pytest.mark.e2e  # the fake programs are processes; aws-mfa itself runs in-process
@pytest.mark.posix(reason="the fake drivers are #! scripts on PATH")
def test_a_yubikey_touch_is_announced_as_a_notification(
    fakes: dict[str, str], credentials: Path
) -> None:
    write(credentials, long_term())
    env = {**fakes, "FAKE_DRIVER_TOUCH": "1", "DISPLAY": ":99"}
    result = run_in_process([AWS_MFA, "--prompt", "ykman"], env)
    assert result.code == 0, result.stderr
    programs = [entry["program"] for entry in driver_runs(env)]
    for _ in range(600):  # the notification is started, not waited for (60 s at most)
        if "notify-send" in programs:
            break
        time.sleep(0.1)
        programs = [entry["program"] for entry in driver_runs(env)]
    assert programs == ["ykman", "notify-send"]
    notification = driver_runs(env)[1]["argv"]
    assert notification[-1] == f"Touch your YubiKey for the MFA code of {DEVICE}"  # type: ignore[index]
    assert "INFO - Touch your YubiKey" in result.stderr


# Parallel credential_process callers, through botocore, with no terminal.

CALLERS = """
import json, sys, threading
import botocore.session
results = [None] * int(sys.argv[1])
def call(i):
    try:
        credentials = botocore.session.Session(profile="dev-mfa").get_credentials()
        results[i] = credentials.get_frozen_credentials().access_key
    except Exception as err:
        results[i] = "error: " + str(err)
threads = [threading.Thread(target=call, args=(i,)) for i in range(len(results))]
for thread in threads:
    thread.start()
for thread in threads:
    thread.join(120)
print(json.dumps(results))
"""


def pile_up(callers: int) -> dict[str, str]:
    """The dialog answers once the other ``callers`` - 1 wait on the lock (tests/fake_driver.py;
    after a second where there is no /proc to see them)."""
    return {
        "FAKE_DRIVER_CALLERS": str(callers),
        "FAKE_DRIVER_CALLER": "export",
        "FAKE_DRIVER_DELAY": "1",
    }


def parallel_callers(callers: int, env: dict[str, str], home: Path) -> list[str]:
    """What each of ``callers`` threads of one botocore program got: an access key id, or
    ``error:`` and the error."""
    config = home / ".aws" / "config"
    write(
        config,
        "[profile dev-mfa]\n"
        f"credential_process = {AWS_MFA} export --format process --profile dev\n"
        "region = us-east-1\n",
    )
    done = subprocess.run(
        [sys.executable, "-c", CALLERS, str(callers)],
        env={**env, "AWS_CONFIG_FILE": str(config)},
        capture_output=True,
        text=True,
        timeout=120,
        **NO_TERMINAL,  # no controlling terminal, as under an IDE
        check=True,
    )
    results: list[str] = json.loads(done.stdout)
    return results


@pytest.mark.e2e
@pytest.mark.posix(reason="the fake drivers are #! scripts on PATH")
def test_ten_parallel_credential_process_callers_share_one_dialog(
    fakes: dict[str, str], home: Path, credentials: Path, sts: LocalSts
) -> None:
    write(credentials, long_term("dev-long-term"))
    env = {**fakes, "DISPLAY": ":99", **pile_up(10), "MFA_LOG_LEVEL": "INFO"}
    results = parallel_callers(10, env, home)
    assert len(results) == 10
    assert len(set(results)) == 1, results
    assert results[0].startswith("ASIA"), results
    assert [entry["program"] for entry in driver_runs(env)] == ["zenity"]
    assert_nothing_secret_on_command_lines(env)
    assert len([request for request in sts.requests if "GetSessionToken" in str(request)]) == 1


@pytest.mark.e2e
@pytest.mark.posix(reason="the fake drivers are #! scripts on PATH")
def test_a_cancelled_dialog_fails_every_waiting_caller_and_spends_nothing(
    fakes: dict[str, str], home: Path, credentials: Path, sts: LocalSts
) -> None:
    write(credentials, long_term("dev-long-term"))
    before = credentials.read_bytes()
    # The caller whose dialog is cancelled and two that wait on its lock meanwhile: each
    # waiting caller fails alike, so more of them add processes, not proof (ten share one
    # dialog in the test above).
    env = {**fakes, "DISPLAY": ":99", **pile_up(3), "FAKE_DRIVER_MODE": "cancel"}
    results = parallel_callers(3, env, home)
    assert len(results) == 3
    assert [entry["program"] for entry in driver_runs(env)] == ["zenity"]
    assert all(result.startswith("error: ") for result in results), results
    said = set()
    for result in results:
        [line] = re.findall(r"ERROR - (.*)", result)
        said.add(line)
    assert said <= {
        "the zenity dialog was cancelled; nothing was sent to STS",
        f"another aws-mfa run asked for the MFA code of {DEVICE} for every run waiting, and "
        "its zenity dialog was cancelled; nothing was sent to STS",
    }, said
    assert credentials.read_bytes() == before
    assert sts.requests == []


# A real zenity on a virtual screen, answered by xdotool.


def xwd_to_png(data: bytes) -> bytes:
    """A PNG of an ``xwd`` screenshot (a 24- or 32-bit ZPixmap, as Xvfb gives)."""
    import struct
    import zlib

    header = struct.unpack(">25I", data[:100])
    size, width, height = header[0], header[4], header[5]
    byte_order, bits_per_pixel, bytes_per_line, colours = (
        header[7],
        header[11],
        header[12],
        header[19],
    )
    pixels = data[size + colours * 12 :]
    step = bits_per_pixel // 8
    rows = []
    for y in range(height):
        line = pixels[y * bytes_per_line : y * bytes_per_line + width * step]
        rgb = bytearray()
        for x in range(0, len(line), step):
            b, g, r = (
                (line[x], line[x + 1], line[x + 2])
                if byte_order == 0
                else line[x + 1 : x + 4][::-1]
            )
            rgb += bytes((r, g, b))
        rows.append(b"\0" + bytes(rgb))

    def chunk(kind: bytes, body: bytes) -> bytes:
        return (
            struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))
        )

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", ihdr)
        + chunk(b"IDAT", zlib.compress(b"".join(rows)))
        + chunk(b"IEND", b"")
    )


def wait_for(check: object, seconds: float) -> object:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        found = check()  # type: ignore[operator]
        if found:
            return found
        time.sleep(0.1)
    return None


@pytest.mark.e2e
@pytest.mark.posix(reason="zenity on Xvfb")
def test_a_real_zenity_on_xvfb_answered_by_xdotool(
    environment: dict[str, str], credentials: Path, tmp_path: Path
) -> None:
    missing = [name for name in ("Xvfb", "zenity", "xdotool", "xwd") if not shutil.which(name)]
    if missing:
        hint = f"needs {', '.join(missing)}: apt install xvfb zenity xdotool x11-apps"
        if os.environ.get("DIALOG_TESTS_REQUIRED"):  # .ci/run installs them
            pytest.fail(hint)
        pytest.skip(hint)
    write(credentials, long_term())
    read_end, write_end = os.pipe()
    screen = subprocess.Popen(
        ["Xvfb", "-displayfd", str(write_end), "-screen", "0", "800x600x24", "-nolisten", "tcp"],
        pass_fds=(write_end,),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    os.close(write_end)
    try:
        display = ":" + os.read(read_end, 16).decode().strip()
        env = {**environment, "DISPLAY": display}
        renewal = subprocess.Popen(
            [AWS_MFA],
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            start_new_session=True,
        )
        search = ["xdotool", "search", "--sync", "--onlyvisible", "--name", "aws-mfa"]
        window = wait_for(
            lambda: subprocess.run(
                search, env=env, capture_output=True, text=True, timeout=20
            ).stdout.split(),
            30,
        )
        assert window, "no zenity window appeared"
        xdotool = ["xdotool", "windowactivate", "--sync", window[0]]  # type: ignore[index]
        subprocess.run(xdotool, env=env, check=False, timeout=10)
        subprocess.run(["xdotool", "type", "--delay", "50", CODE], env=env, check=True, timeout=20)
        shot = subprocess.run(
            ["xwd", "-root", "-silent", "-display", display], capture_output=True, timeout=20
        )
        ARTIFACTS.mkdir(exist_ok=True)
        (ARTIFACTS / "zenity-dialog.png").write_bytes(xwd_to_png(shot.stdout))
        subprocess.run(["xdotool", "key", "Return"], env=env, check=True, timeout=10)
        out, err = renewal.communicate(timeout=60)
    finally:
        if "renewal" in locals() and renewal.poll() is None:
            renewal.kill()
        screen.terminate()
        screen.wait(10)
        os.close(read_end)
    assert renewal.returncode == 0, err.decode()
    assert "aws_session_token" in credentials.read_text()
    assert CODE not in err.decode() + out.decode()


def test_the_recipes_of_the_usage_page_set_what_they_say(home: Path) -> None:
    """Each ``ini`` block of "Codes without a terminal" reads as the page says it does."""
    usage = (ROOT / "docs" / "usage.md").read_text()
    section = usage.split("## Codes without a terminal", 1)[1].split("\n## ", 1)[0]
    blocks = re.findall(r"```ini\n(.*?)```", section, re.DOTALL)
    assert len(blocks) == 3
    process, dialog, yubikey = (ini.parse(block, "config") for block in blocks)
    command = process.values("profile dev-mfa")["credential_process"]
    assert command == "aws-mfa export --format process --profile dev"
    for config, prompt in ((dialog, "zenity"), (yubikey, "ykman")):
        resolved = resolve(Flags(profile="dev"), {}, None, config)
        assert resolved.prompt == prompt
    assert resolve(Flags(profile="dev"), {}, None, yubikey).device == DEVICE


@pytest.mark.parametrize(
    ("prompt", "environ", "terminal", "found", "level", "says"),
    [
        pytest.param(
            "auto", {}, True, set(), "note", "nothing can ask for a code here", marks=LINUX_DESKTOP
        ),
        pytest.param(
            "auto",
            {"DISPLAY": ":0"},
            True,
            {"zenity"},
            "ok",
            "on the terminal, and with no ",
            marks=LINUX_DESKTOP,
        ),
        pytest.param(
            "auto",
            {"DISPLAY": ":0"},
            True,
            set(),
            "note",
            "would ask with no terminal with zenity",
            marks=LINUX_DESKTOP,
        ),
        pytest.param(
            "auto",
            {"DISPLAY": ":0"},
            False,
            {"zenity"},
            "ok",
            "asked with zenity",
            marks=LINUX_DESKTOP,
        ),
        ("terminal", {}, True, set(), "ok", "asked on the terminal"),
        ("ykman", {}, True, {"ykman"}, "ok", "asked with ykman"),
        ("ykman", {}, True, set(), "PROBLEM", "ykman is not installed"),
        ("kdialog", {"DISPLAY": ":0"}, False, set(), "PROBLEM", "it comes with the package"),
    ],
)
def test_doctor_says_where_the_code_would_be_asked(
    prompt: str, environ: dict[str, str], terminal: bool, found: set[str], level: str, says: str
) -> None:
    from aws_mfa.commands.doctor import code_prompt

    finding = code_prompt(prompt, environ, terminal, installed(*found))
    assert finding.level == level
    assert says in finding.text


def test_a_run_asking_on_its_terminal_is_asked_whatever_a_dialog_was_told(
    home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import aws_mfa.codes.mfa_code as mfa_code

    used = UsedCodes(home / "u.json")
    waiting_since = time.time()
    used.refuse(DEVICE, "its zenity dialog was cancelled")
    monkeypatch.setattr(mfa_code, "can_prompt", lambda prompter: True)
    monkeypatch.setattr(mfa_code, "read_code", lambda *args: CODE)
    got = obtain_code(settings(), DEVICE, terminal_prompter, used, time.sleep, None, waiting_since)
    assert got == CODE
