"""aws-mfa's log: ``LEVEL - message`` lines on stderr, for people to read.

Used like the standard library's loggers (``log.info("Renewing: %s", why)``),
but it is not the ``logging`` package: importing that costs about 7 ms, more
than everything else a run that finds valid credentials does, and aws-mfa needs
none of its machinery (one destination, one format, no handlers, no
propagation). It also means no other library's log record can ever reach the
user's screen: botocore's DEBUG records hold request and response bodies, with
MFA codes and secret keys in them.

stdout is never written here; it belongs to machine-readable output.
"""

from __future__ import annotations

import sys

LEVELS = {"CRITICAL": 50, "ERROR": 40, "WARNING": 30, "INFO": 20, "DEBUG": 10, "NOTSET": 0}

_threshold = LEVELS["INFO"]


def set_level(name: str) -> None:
    """Show messages of level ``name`` (one of :data:`LEVELS`) and above."""
    global _threshold
    _threshold = LEVELS[name]


def enabled(level: str) -> bool:
    return LEVELS[level] >= _threshold


def one_line(text: str) -> str:
    """``text`` with line breaks and other control characters escaped (``\\n``).

    Messages quote what users and files give them, and a name or path holding
    a newline must not forge a second log line.
    """
    if text.isprintable():
        return text
    return "".join(char if char.isprintable() else repr(char)[1:-1] for char in text)


def _emit(level: str, message: str, args: tuple[object, ...]) -> None:
    if LEVELS[level] >= _threshold:
        text = message % args if args else message
        sys.stderr.write(f"{level} - {one_line(text)}\n")
        sys.stderr.flush()


def debug(message: str, *args: object) -> None:
    _emit("DEBUG", message, args)


def info(message: str, *args: object) -> None:
    _emit("INFO", message, args)


def warning(message: str, *args: object) -> None:
    _emit("WARNING", message, args)


def error(message: str, *args: object) -> None:
    _emit("ERROR", message, args)
