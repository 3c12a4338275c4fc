"""Print credentials for a shell, for ``credential_process``, or for a child process.

The formats follow the AWS CLI's ``aws configure export-credentials``::

    env            export AWS_ACCESS_KEY_ID='ASIA...'        (bash, zsh, sh)
    env-no-export  AWS_ACCESS_KEY_ID=ASIA...                  (docker run --env-file)
    fish           set -gx AWS_ACCESS_KEY_ID 'ASIA...'
    powershell     $Env:AWS_ACCESS_KEY_ID='ASIA...'
    windows-cmd    set "AWS_ACCESS_KEY_ID=ASIA..."
    process        {"Version": 1, "AccessKeyId": "ASIA...", ...}   (credential_process)
    sts-json       {"Credentials": {"AccessKeyId": "ASIA...", ...}}  (STS's own answer)

Values are quoted for their shell, so ``eval "$(aws-mfa export)"`` is safe
whatever they hold. ``env-no-export`` is the exception: it is byte for byte
what ``aws configure export-credentials --format env-no-export`` of the AWS
CLI prints, unquoted (``docker run --env-file`` takes quotes literally), with
the expiration as ``2030-01-02T03:04:05+00:00``. These are the only places
aws-mfa prints a secret, and only on stdout, because the user asked for it.
"""

from __future__ import annotations

import os
from collections.abc import Mapping

from aws_mfa import system
from aws_mfa.clock import timezone
from aws_mfa.errors import UsageError
from aws_mfa.keys import TemporaryCredentials

FORMATS = ("env", "env-no-export", "fish", "powershell", "windows-cmd", "process", "sts-json")

SHELLS = {
    "bash": "env",
    "zsh": "env",
    "sh": "env",
    "dash": "env",
    "ksh": "env",
    "ash": "env",
    "fish": "fish",
    "pwsh": "powershell",
    "powershell": "powershell",
    "cmd": "windows-cmd",
}
"""Shell names (from ``$SHELL`` or the YAML ``shell`` key) and their format."""


def choose_format(asked: str | None, source: str, environ: Mapping[str, str]) -> str:
    """``asked`` (a format or a shell name), else the format of ``$SHELL``, else the
    system's own: ``powershell`` on Windows (where ``SHELL`` is unset unless a POSIX
    shell such as Git Bash set it), ``env`` elsewhere."""
    if asked:
        name = asked.strip().lower()
        if name in FORMATS:
            return name
        if name in SHELLS:
            return SHELLS[name]
        raise UsageError(
            f"{source}: {asked!r} is not an export format; use one of {', '.join(FORMATS)} "
            f"(or a shell: {', '.join(SHELLS)})"
        )
    shell = os.path.basename(environ.get("SHELL", "")).lower()
    return SHELLS.get(shell.removesuffix(".exe"), "powershell" if system.WINDOWS else "env")


def variables(creds: TemporaryCredentials) -> dict[str, str]:
    """The environment variables AWS SDKs read credentials from."""
    return {
        "AWS_ACCESS_KEY_ID": creds.access_key_id,
        "AWS_SECRET_ACCESS_KEY": creds.secret_access_key,
        "AWS_SESSION_TOKEN": creds.session_token,
        "AWS_CREDENTIAL_EXPIRATION": iso_utc(creds),
    }


def iso_utc(creds: TemporaryCredentials) -> str:
    """The expiration in ISO 8601, UTC, as credential_process wants it."""
    return creds.expiration.strftime("%Y-%m-%dT%H:%M:%SZ")


def posix_quote(value: str) -> str:
    return "'" + value.replace("'", "'\"'\"'") + "'"


def fish_quote(value: str) -> str:
    return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"


def powershell_quote(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def cmd_quote(name: str, value: str) -> str:
    """``set "NAME=value"``; cmd.exe has no escape for these characters, so they are refused."""
    if any(char in value for char in '"%^\r\n'):
        raise UsageError(f"{name} holds characters windows-cmd cannot quote; use another format")
    return f'set "{name}={value}"'


JSON_ESCAPES = {
    **{code: f"\\u{code:04x}" for code in (*range(0x20), 0x7F)},
    **{ord(char): "\\" + escape for char, escape in zip('"\\\n\r\t\b\f', '"\\nrtbf', strict=True)},
}
"""What ``json.dumps`` escapes in an ASCII string, and how."""


def json_string(text: str) -> str:
    """``text`` as a JSON string, exactly as ``json.dumps`` writes it.

    ``json`` itself is imported only for text beyond ASCII: importing it
    costs more than a millisecond on every ``credential_process`` run,
    which the benchmark's target has no room for (docs/performance.md).
    """
    if text.isascii():
        if text.isprintable() and '"' not in text and "\\" not in text:
            return f'"{text}"'  # nothing to escape: the common case, several times faster
        return '"' + text.translate(JSON_ESCAPES) + '"'
    import json

    return json.dumps(text)


def process_json(fields: Mapping[str, str]) -> str:
    """credential_process's JSON: version 1, then ``fields`` in their order."""
    body = "".join(f',\n  "{name}": {json_string(value)}' for name, value in fields.items())
    return '{\n  "Version": 1' + body + "\n}\n"


def sts_json(fields: Mapping[str, str]) -> str:
    """The shape of STS's own answer (``aws sts get-session-token``), which tools that read
    it take (older Claude Code's ``awsCredentialExport``): ``fields`` under ``Credentials``."""
    body = ",\n".join(f'    "{name}": {json_string(value)}' for name, value in fields.items())
    return '{\n  "Credentials": {\n' + body + "\n  }\n}\n"


def render(creds: TemporaryCredentials, fmt: str) -> str:
    """The text to print for ``fmt``, ending with a newline."""
    if fmt in ("process", "sts-json"):
        fields = {
            "AccessKeyId": creds.access_key_id,
            "SecretAccessKey": creds.secret_access_key,
            "SessionToken": creds.session_token,
            "Expiration": iso_utc(creds),
        }
        return process_json(fields) if fmt == "process" else sts_json(fields)
    pairs = variables(creds).items()
    if fmt == "env":
        lines = [f"export {name}={posix_quote(value)}" for name, value in pairs]
    elif fmt == "env-no-export":
        expiration = creds.expiration.astimezone(timezone.utc).replace(microsecond=0)
        unquoted = {**dict(pairs), "AWS_CREDENTIAL_EXPIRATION": expiration.isoformat()}
        lines = [f"{name}={value}" for name, value in unquoted.items()]
    elif fmt == "fish":
        lines = [f"set -gx {name} {fish_quote(value)};" for name, value in pairs]
    elif fmt == "powershell":
        lines = [f"$Env:{name}={powershell_quote(value)}" for name, value in pairs]
    elif fmt == "windows-cmd":
        lines = [cmd_quote(name, value) for name, value in pairs]
    else:
        raise UsageError(f"unknown export format {fmt!r}")
    return "\n".join(lines) + "\n"
