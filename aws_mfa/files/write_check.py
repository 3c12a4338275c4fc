"""Before a new credentials file replaces the old one: does botocore read it as meant?

botocore's reader (configparser with universal newlines) is the one the AWS
CLI and every SDK use, so :func:`check_with_botocore` reads the temporary
file with it and refuses the write unless every section holds exactly what
aws-mfa meant: the changed sections their planned values, every other one
what it held before.

A renewal changes one section of a file that may hold thousands. There,
botocore reads only that section's lines (:func:`edited_window`), and the
rest of the file is compared byte for byte with what it was: a file of
10,000 profiles is then checked in milliseconds and a few MiB, instead of
about 2 s and 60 MiB. The window is used only where configparser's reading
of the rest provably cannot change:

- every byte before and after the window is what it was;
- the window starts, after any blank lines, with an unindented ``[header]``
  that begins a line, and the text after it (if any) also starts with an
  unindented header on a new line. An unindented header line is a header
  whatever came before it (configparser continues a value only with an
  indented line), so the lines after it read as they did;
- the file has no ``[DEFAULT]``, whose values configparser merges into every
  section, and the window holds only the edited section (no ``[DEFAULT]``
  either).

Otherwise, as for an edit of several sections or a removed one, botocore
reads the whole file.
"""

from __future__ import annotations

import os

from aws_mfa import system
from aws_mfa.errors import FileError
from aws_mfa.files import ini

TYPE_CHECKING = False  # see aws_mfa.records: typing is not imported at run time
if TYPE_CHECKING:
    from collections.abc import Mapping

    from aws_mfa.aliases import Planned


def check_with_botocore(
    temp: str, base: ini.IniFile | None, planned: Planned, label: str, text: str
) -> None:
    """Refuse the file at ``temp``, written from ``text``, unless botocore reads what was meant.

    Meant: every section of ``base`` as it was, except those in ``planned``.
    """
    window = edited_window(base, planned, text)
    if window is None:
        same = botocore_view(temp) == expected_view(base, planned)
    else:
        same = _written_as(temp, text) and botocore_text_view(window) == {
            name: values for name, values in planned.items() if values is not None
        }
    if not same:
        raise FileError(
            f"{system.shown(label)}: refusing to write an edit that botocore would read "
            "differently from what aws-mfa meant (an aws-mfa bug; please report it); the file "
            "was not changed"
        )


def expected_view(base: ini.IniFile | None, planned: Planned) -> dict[str, dict[str, str]]:
    """What botocore should read in the whole new file, [DEFAULT] merged as configparser does."""
    expected = {
        name: section.values
        for name, section in (base.sections.items() if base else ())
        if name not in planned
    }
    expected.update((name, values) for name, values in planned.items() if values is not None)
    defaults = expected.pop("DEFAULT", None) or {}
    return {name: {**defaults, **values} for name, values in expected.items()}


def edited_window(base: ini.IniFile | None, planned: Planned, text: str) -> str | None:
    """The lines of ``text`` holding the one edited section, or None to read the whole file.

    See the module's docstring for when botocore's reading of the rest of
    ``text`` cannot differ from its reading of ``base``.
    """
    span = _one_section_span(base, planned)
    if base is None or span is None:
        return None
    old, (start, end) = base.text, span
    after = len(text) - (len(old) - end)
    if after < start or not text.startswith(old[:start]) or not text.endswith(old[end:]):
        return None
    window = text[start:after]
    starts_a_line = not start or old[start - 1] == "\n" or window.startswith(("\n", "\r\n"))
    header_first = window.lstrip("\r\n").startswith("[")
    next_header = after == len(text) or (window.endswith("\n") and text[after] == "[")
    return window if starts_a_line and header_first and next_header else None


def _one_section_span(base: ini.IniFile | None, planned: Planned) -> tuple[int, int] | None:
    """Where the one section ``planned`` edits is in ``base`` (the end, for a new one).

    None when the edit removes it or touches several, or [DEFAULT] is involved.
    """
    if base is None or len(planned) != 1 or "DEFAULT" in base.sections:
        return None
    ((name, values),) = planned.items()
    if values is None or name == "DEFAULT":
        return None
    section = base.sections.get(name)
    return (len(base.text), len(base.text)) if section is None else _line_span(base.text, section)


def _line_span(text: str, section: ini.IniSection) -> tuple[int, int]:
    """Offsets of the section's lines in ``text``: its header to the next header (or the end)."""
    return ini.line_offsets(text, section.header_index, section.end_index)


CHUNK = 1 << 20
"""Characters compared at a time: no second copy of a large file is ever held."""


def _written_as(temp: str, text: str) -> bool:
    """Whether the file at ``temp`` holds exactly ``text``, in UTF-8."""
    with open(temp, "rb") as file:
        for start in range(0, len(text), CHUNK):
            part = text[start : start + CHUNK].encode("utf-8")
            if file.read(len(part)) != part:
                return False
        return file.read(1) == b""


def botocore_text_view(text: str) -> Mapping[str, Mapping[str, str]]:
    """The sections and values botocore would read in a file holding ``text``.

    The parser botocore's ``raw_config_parse`` builds (``RawConfigParser()``
    with its defaults), given the lines as universal newlines give them
    (no lone CR reaches here: :mod:`aws_mfa.files.section_edit` refuses them).
    Values under a ``[DEFAULT]`` header are shown as that section too: in a
    whole file, configparser would give them to every other section.
    """
    import configparser

    parser = configparser.RawConfigParser()
    try:
        parser.read_string(text.replace("\r\n", "\n"))
    except configparser.Error as err:
        raise FileError(
            "refusing to write a file botocore cannot read (an aws-mfa bug; please report "
            f"it): {type(err).__name__}; the file was not changed"
        ) from err
    view = {name: dict(parser.items(name)) for name in parser.sections()}
    if parser.defaults():
        view["DEFAULT"] = dict(parser.defaults())
    return view


def botocore_view(path: str) -> Mapping[str, Mapping[str, str]]:
    """The sections and values botocore reads in the file at ``path``."""
    import botocore.exceptions
    from botocore.configloader import raw_config_parse

    fd = None
    if os.path.expanduser(os.path.expandvars(path)) != path and os.path.isdir("/dev/fd"):
        # raw_config_parse expands "$VAR" and "~" in a path: give it one with neither.
        fd = system.open_to_read(path)
        path = f"/dev/fd/{fd}"
    try:
        return raw_config_parse(path, parse_subsections=False)
    except botocore.exceptions.BotoCoreError as err:
        raise FileError(
            f"refusing to write a file botocore cannot read (an aws-mfa bug; please report "
            f"it): {str(err)!r}; the file was not changed"
        ) from err
    finally:
        if fd is not None:
            os.close(fd)
