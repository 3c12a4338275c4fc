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

``$FAKE_DRIVER_DELAY`` seconds pass before it answers, so that parallel
callers pile up behind the first.
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


def main() -> int:
    name = os.path.basename(sys.argv[0])
    with open(os.environ["FAKE_DRIVER_LOG"], "a", encoding="utf-8") as log:
        log.write(json.dumps({"program": name, "argv": sys.argv[1:], "env": sorted(os.environ)}))
        log.write("\n")
    if name == "notify-send":
        return 0
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
