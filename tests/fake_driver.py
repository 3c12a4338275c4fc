"""A stand-in for zenity, kdialog, osascript, powershell, ykman and notify-send, for the tests.

Installed under each of those names in a folder put first on PATH (see
:func:`install`). Each run appends a JSON line to ``$FAKE_DRIVER_LOG``: the
name it was run as, its argv and the names of its environment variables. It
then does what ``$FAKE_DRIVER_MODE`` says (``answer`` unless set):

- ``answer``: print ``$FAKE_DRIVER_CODE`` (and for ``ykman`` with ``touch``
  set in ``$FAKE_DRIVER_TOUCH``, first say "Touch your YubiKey..." on stderr);
- ``cancel``: end as the program ends when its dialog is cancelled;
- ``timeout``: end as the program ends when its own timeout passes (zenity,
  osascript), or hang until killed (kdialog, powershell, ykman);
- ``crash``: print an error and exit 255;
- ``garbage``: print something that is not a code;
- ``fail``: print ``$FAKE_DRIVER_ERROR`` on stderr and exit 1.

``$FAKE_DRIVER_DELAY`` seconds pass before it answers. With
``$FAKE_DRIVER_CALLERS`` (N), it answers once the N - 1 other runs of
``$FAKE_DRIVER_CALLER`` (a word of their command lines) wait on the lock, so
that parallel callers pile up behind the first however busy the machine is
(:func:`wait_for_callers`; where there is no ``/proc``, the delay alone).
"""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path

NAMES = ("zenity", "kdialog", "osascript", "powershell", "ykman", "notify-send")


def install(folder: Path) -> Path:
    """Put this stand-in in ``folder`` under every name of :data:`NAMES`; the folder."""
    folder.mkdir(parents=True, exist_ok=True)
    source = Path(__file__).read_text(encoding="utf-8")
    for name in NAMES:
        program = folder / name
        program.write_text(f"#!{sys.executable}\n{source}", encoding="utf-8")
        program.chmod(0o755)
    return folder


def waiting_on_the_lock(pid: str) -> bool:
    """Whether process ``pid`` sleeps in a timed wait: filelock's poll of a held lock (the
    first and only such wait of an aws-mfa run before its lock)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
        return state == "S" and "nanosleep" in Path(f"/proc/{pid}/wchan").read_text()
    except (OSError, IndexError):
        return False


def wait_for_callers(count: int, word: str, ceiling: float = 60.0) -> None:
    """Until ``count`` other processes with ``word`` in their command line wait on the lock
    (at most ``ceiling`` seconds: a bound against a hang, not a timing)."""
    deadline = time.monotonic() + ceiling
    mine = str(os.getpid())
    while time.monotonic() < deadline:
        waiting = 0
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit() or entry.name == mine:
                continue
            try:
                words = (entry / "cmdline").read_bytes().split(b"\0")
            except OSError:
                continue
            if word.encode() in words and waiting_on_the_lock(entry.name):
                waiting += 1
        if waiting >= count:
            return
        time.sleep(0.02)


def main() -> int:
    name = os.path.basename(sys.argv[0])
    with open(os.environ["FAKE_DRIVER_LOG"], "a", encoding="utf-8") as log:
        log.write(json.dumps({"program": name, "argv": sys.argv[1:], "env": sorted(os.environ)}))
        log.write("\n")
    if name == "notify-send":
        return 0
    callers = int(os.environ.get("FAKE_DRIVER_CALLERS", "0"))
    if callers and os.path.isdir("/proc"):
        wait_for_callers(callers - 1, os.environ["FAKE_DRIVER_CALLER"])
    else:
        time.sleep(float(os.environ.get("FAKE_DRIVER_DELAY", "0")))
    mode = os.environ.get("FAKE_DRIVER_MODE", "answer")
    if mode == "answer":
        if name == "ykman" and os.environ.get("FAKE_DRIVER_TOUCH"):
            print("Touch your YubiKey...", file=sys.stderr, flush=True)
            time.sleep(0.3)
        print(os.environ["FAKE_DRIVER_CODE"])
        return 0
    if mode == "cancel":
        if name == "osascript":
            print("0:100: execution error: User canceled. (-128)", file=sys.stderr)
        return 1
    if mode == "timeout":
        if name == "zenity":
            return 5
        if name == "osascript":
            print("0:200: execution error: no answer (-1712)", file=sys.stderr)
            return 1
        time.sleep(3600)
    if mode == "garbage":
        print("not a code")
        return 0
    if mode == "fail":
        print(os.environ.get("FAKE_DRIVER_ERROR", "Error: it failed"), file=sys.stderr)
        return 1
    print("Cannot open display: ", file=sys.stderr)
    return 255


if __name__ == "__main__":
    sys.exit(main())
