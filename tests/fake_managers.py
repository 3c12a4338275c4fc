"""Stand-ins for the password managers' command-line tools, for tests/test_password_managers.py.

Each behaves as its real tool's documentation says its output looks (the
secret on the first line of stdout, messages on stderr, a non-zero status
when locked), over a plain JSON vault (``$FAKE_VAULT``), and writes down
every call (its argv, its environment, whether it was given stdin) in
``$FAKE_VAULT.calls``, one JSON line each, so that a test can check the
secret never travels on a command line or in an environment:

- ``op read op://VAULT/ITEM/FIELD``: the field and a newline (1Password CLI 2);
- ``pass show NAME``: the password, then the entry's other lines;
  ``pass insert -m -f NAME``: the entry from stdin, up to its end;
- ``bw get password NAME``: the password with no newline; "You are not logged in."
  and status 1 without ``BW_SESSION``;
- ``keepassxc-cli show -s -a password DB ENTRY``: asks for the database's password on
  stderr and reads it from stdin (``--no-password -k KEYFILE`` does not ask);
- ``rbw get NAME``: the password and a newline.

Entries named ``locked``, ``garbage``, ``empty`` and ``hang`` play a locked
vault (status 1), an error printed on stdout, nothing printed, and a tool
that never ends. ``forgetful`` takes a secret and keeps another.

Installed by :func:`install`, as small scripts named like the tools, on POSIX.
"""

from __future__ import annotations

import json
import os
import sys
import threading
from pathlib import Path

TOOLS = ("op", "pass", "bw", "keepassxc-cli", "rbw")


def install(folder: Path, vault: Path, entries: dict[str, str]) -> dict[str, str]:
    """Put the stand-ins in ``folder`` and the vault's ``entries`` in ``vault``; the
    environment variables that make a run find them."""
    folder.mkdir(parents=True, exist_ok=True)
    for tool in TOOLS:
        script = folder / tool
        root = str(Path(__file__).parent.parent)
        script.write_text(
            f"#!{sys.executable}\nimport sys\nsys.path.insert(0, {root!r})\n"
            f"from tests.fake_managers import main\nsys.exit(main({tool!r}, sys.argv[1:]))\n"
        )
        script.chmod(0o755)
    vault.write_text(json.dumps(entries))
    return {"PATH": f"{folder}{os.pathsep}{os.environ.get('PATH', '')}", "FAKE_VAULT": str(vault)}


def calls(vault: Path) -> list[dict[str, object]]:
    """Every call written down so far."""
    path = Path(f"{vault}.calls")
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text().splitlines()]


def entries(vault: Path) -> dict[str, str]:
    result: dict[str, str] = json.loads(vault.read_text())
    return result


def main(tool: str, args: list[str]) -> int:
    vault = Path(os.environ["FAKE_VAULT"])
    given = None
    if tool == "pass" and args[:1] == ["insert"]:
        given = sys.stdin.read()
    with open(f"{vault}.calls", "a") as log:
        log.write(json.dumps({"argv": [tool, *args], "env": dict(os.environ)}) + "\n")
    kept = entries(vault)
    if given is not None:
        name = args[-1]
        kept[name] = "another/secret/kept/instead/of/it/00000000" if name == "forgetful" else given
        vault.write_text(json.dumps(kept))
        return 0
    name = read_name(tool, args)
    if name is None:
        return 1
    if name == "hang":
        threading.Event().wait()  # killed by the caller's timeout
    if name == "locked" or (tool == "bw" and not os.environ.get("BW_SESSION")):
        sys.stderr.write("You are not logged in.\n" if tool == "bw" else "vault is locked\n")
        return 1
    if name == "garbage":
        sys.stdout.write("[ERROR] 2026/12/07 12:00:00 item not found\n")
        return 0
    if name not in kept or name == "empty":
        return 0
    value = kept[name]
    if tool == "pass":
        value += "\nlogin: alice\nurl: https://console.aws.amazon.com\n"
    elif tool in ("op", "rbw", "keepassxc-cli"):
        value += "\n"
    sys.stdout.write(value)
    return 0


def read_name(tool: str, args: list[str]) -> str | None:
    """The entry a read asks for, or None (a message said why) when the call is wrong."""
    if tool == "op" and args[:1] == ["read"]:
        return args[1].removeprefix("op://")
    if tool == "pass" and args[:1] == ["show"]:
        return args[1]
    if tool == "bw" and args[:2] == ["get", "password"]:
        return args[2]
    if tool == "rbw" and args[:1] == ["get"]:
        return args[1]
    if tool == "keepassxc-cli" and args[:1] == ["show"]:
        if "--no-password" not in args:
            sys.stderr.write(f"Enter password to unlock {args[-2]}: ")
            if not sys.stdin.readline().strip():
                sys.stderr.write("Error while reading the database: Invalid credentials\n")
                return None
        return args[-1]
    sys.stderr.write(f"{tool}: unknown command {args}\n")
    return None
