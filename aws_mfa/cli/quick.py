"""Read the common command lines without argparse, from the same table.

A run that finds valid credentials costs less than importing and building
argparse's parser, so :func:`read` reads the plain forms itself: an optional
command first, then options of that command from :mod:`aws_mfa.settings.table`,
each as ``--option value``, ``--option=value``, ``-o value`` or a switch.
It returns the namespace argparse would, with every attribute argparse sets
(:func:`aws_mfa.settings.table.defaults`), or None for anything else: abbreviations,
joined short options, values that start with ``-``, choices, positionals,
``--help``. argparse then reads those and owns every message.
``tests/test_parser.py`` compares both on command lines generated from the
table.
"""

from __future__ import annotations

from collections.abc import Sequence
from types import SimpleNamespace

from aws_mfa.settings.table import COMMANDS, STORE, SWITCH, TOP, Option, defaults, options_of


def readable(option: Option) -> bool:
    """Whether :func:`read` reads this option (argparse does everything else)."""
    return option.kind in (STORE, SWITCH) and not option.choices


def spellings(command: str) -> dict[str, Option]:
    """The flag spellings :func:`read` knows after ``command`` (``TOP`` for none)."""
    return {
        flag: option for option in options_of(command) if readable(option) for flag in option.flags
    }


def read(words: Sequence[str]) -> SimpleNamespace | None:
    """What argparse would make of ``words``, or None to leave them to argparse."""
    words = list(words)
    command = words.pop(0) if words and words[0] in COMMANDS else None
    known = spellings(command or TOP)
    given = defaults(command)
    while words:
        option, value = take(words, known)
        if option is None:
            return None
        given[option.name] = value
    return SimpleNamespace(**given)


def take(words: list[str], known: dict[str, Option]) -> tuple[Option | None, object]:
    """Take one option and its value off the front of ``words``; None when not a plain form."""
    word = words.pop(0)
    flag, equals, value = word.partition("=")
    option = known.get(word) or known.get(flag)
    if option is None:
        return None, None
    if option.kind == SWITCH:
        return (None, None) if equals else (option, True)
    if equals:
        return (option, value) if flag.startswith("--") and value else (None, None)
    if words and words[0] and not words[0].startswith("-"):
        return option, words.pop(0)
    return None, None
