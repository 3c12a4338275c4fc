"""Change one section of an INI file's text and leave every other byte alone.

:func:`edit_section` cuts the section's text (header through last key),
edits only that with configupdater, and splices it back between the
untouched text before and after it. Comments, blank lines, spacing, key
order, other sections and CRLF endings outside that section are never
re-rendered, so they cannot change::

    # mine                # mine
    [dev]                 [dev]
    region = eu-west-1 -> region = eu-west-1
    expiration = old      expiration = new
                          aws_session_token = ...
    [prod] ...            [prod] ...     <- the same bytes

It refuses text with a lone ``\\r`` line ending (classic Mac): botocore reads
those as line breaks, and an edit could not keep every other byte.

What it does not do: read or write files (see :mod:`aws_mfa.files.credentials_file`).
"""

from __future__ import annotations

from collections.abc import Mapping

from aws_mfa import system
from aws_mfa.errors import FileError
from aws_mfa.files import ini


def refuse_lone_cr(document: ini.IniFile) -> None:
    """One clear error for text with a lone CR line ending, which no edit here handles."""
    if ini.has_lone_cr(document.text):
        import re

        found = re.search("\r(?!\n)", document.text)
        line = len(ini.line_texts(document.text[: found.end() if found else 0]))
        raise FileError(
            f"{system.shown(document.label)}, line {line}: a line ends with a lone CR (classic Mac "
            "line endings), which aws-mfa does not edit; convert the file to LF endings "
            "(for example: tr '\\r' '\\n')"
        )


def planned_values(
    document: ini.IniFile | None, name: str, values: Mapping[str, str], remove: tuple[str, ...]
) -> dict[str, str]:
    """What section ``name`` holds after :func:`edit_section` with these arguments."""
    old = document.values(name) if document else None
    expected = dict(old) if old else {}
    for key in remove:
        expected.pop(key, None)
    expected.update(values)
    return expected


def section_text(document: ini.IniFile | None, name: str) -> str | None:
    """The text of section ``name``, header through last key; None when it is absent."""
    section = document.sections.get(name) if document else None
    if document is None or section is None:
        return None
    return "".join(document.lines()[section.header_index : section.content_end])


def _span(text: str, section: ini.IniSection) -> tuple[int, int]:
    """Character offsets of the section's lines (header through last key) in ``text``."""
    return ini.line_offsets(text, section.header_index, section.content_end)


def edit_section(
    document: ini.IniFile | None,
    name: str,
    values: Mapping[str, str],
    remove: tuple[str, ...] = (),
) -> str:
    """The file's new text with section ``name`` holding ``values``, minus ``remove``.

    Keys already in the section are changed where they stand (their spelling
    kept); new keys go after the section's last key; a new section is
    appended at the end of the file after one blank line. Nothing outside
    the section changes.
    """
    if document is not None:
        refuse_lone_cr(document)
    text = document.text if document else ""
    eol = line_ending(text)
    section = document.sections.get(name) if document else None
    if section is None:
        if text and not text.endswith("\n"):
            text += eol
        if text.strip() and text[:-1].rpartition("\n")[2].strip():  # the last line has text
            text += eol
        new_part = f"[{name}]{eol}" + "".join(f"{k} = {v}{eol}" for k, v in values.items())
        new_text = text + new_part
    else:
        start, end = _span(text, section)
        new_part = _edit_with_configupdater(text[start:end], name, values, remove, eol)
        new_text = text[:start] + new_part + text[end:]
    label = document.label if document else "the credentials file"
    check_section(new_part, label, name, planned_values(document, name, values, remove))
    return new_text


def check_section(part: str, label: str, name: str, expected: Mapping[str, str] | None) -> None:
    """Refuse an edit unless section ``name``, read from ``part`` (its new lines), holds
    ``expected``: an edit that changed anything else is an aws-mfa bug."""
    if ini.parse(part, label).values(name) != expected:
        raise FileError(
            f"{system.shown(label)}: refusing to write an edit of section {name!r} that would "
            "change other content (an aws-mfa bug; please report it); the file was not changed"
        )


def _edit_with_configupdater(
    text: str, name: str, values: Mapping[str, str], remove: tuple[str, ...], eol: str
) -> str:
    """Edit ``text``: a section's header through its last key, nothing after it.

    New keys therefore land right after the last key, before any blank lines
    or comments that lead into the next section.
    """
    from configparser import Error as ParserError

    from configupdater import ConfigUpdater

    if not text.endswith("\n"):
        text += eol
    updater = ConfigUpdater()
    try:
        updater.read_string(text)
    except ParserError as err:
        raise FileError(f"cannot edit section {name!r}: {err}") from err
    section = updater[name]
    for key in remove:
        if key in section:
            del section[key]
    for key, value in values.items():
        if key in section:
            section[key].value = value
        else:
            section.set(key, value)
    rendered = str(updater)
    if eol == "\r\n":
        # configupdater ends the lines it writes with "\n"; this part of the
        # file is rewritten anyway, so all of it gets the file's line ending.
        rendered = rendered.replace("\r\n", "\n").replace("\n", "\r\n")
    return rendered


def replace_key(document: ini.IniFile, name: str, old_key: str, new_key: str, value: str) -> str:
    """The file's new text with the line of ``old_key`` in section ``name`` now setting
    ``new_key`` to ``value``, in the same place and layout::

        aws_secret_access_key  =  abc\r\n   ->   aws_mfa_secret  =  keychain\r\n

    Only the key and the value change: what comes before the key, the
    delimiter and the spaces around it, and the line's ending stay, so
    replacing back gives the old text byte for byte. A key written in
    capitals gets the new key in capitals; any other spelling, in lower case.
    A value that runs over several lines is refused (it would not come back
    whole).
    """
    refuse_lone_cr(document)
    old_values = document.values(name) or {}
    if "\n" in old_values.get(old_key, ""):
        raise FileError(
            f"{system.shown(document.label)}: [{name}] has an {old_key} that runs over several "
            "lines, which aws-mfa does not move; put it on one line first"
        )
    lines = document.lines()
    index = document.key_line(name, old_key)
    line = lines[index]
    body = line.rstrip("\r\n")
    spelled = body.lstrip()
    indent = body[: len(body) - len(spelled)]
    cut = len(spelled.partition("=")[0])
    if ":" in spelled[:cut] or "=" not in spelled:  # the delimiter ini.parse took
        cut = len(spelled.partition(":")[0])
    key_text = spelled[:cut].rstrip()
    after_key = spelled[len(key_text) :]  # "  =  value  "
    after_delimiter = after_key[len(after_key) - len(after_key.lstrip()) + 1 :]
    delimiter = after_key[: len(after_key) - len(after_delimiter.lstrip())]
    trailing = after_key[len(delimiter) + len(after_key[len(delimiter) :].rstrip()) :]
    new_key = new_key.upper() if key_text.isupper() else new_key
    lines[index] = f"{indent}{new_key}{delimiter}{value}{trailing}{line[len(body) :]}"
    section = document.sections[name]
    expected = {k: v for k, v in old_values.items() if k != old_key} | {new_key.lower(): value}
    check_section(
        "".join(lines[section.header_index : section.content_end]), document.label, name, expected
    )
    return "".join(lines)


def remove_section_text(document: ini.IniFile, name: str) -> str:
    """The file's new text without section ``name``: header through last key.

    Comments after its last key stay (they usually introduce the next
    section), and so do comments before it. The blank lines after it go, and
    when it was the file's last section so do the blank lines before it, so
    removing a section :func:`edit_section` appended gives back the old text.
    """
    refuse_lone_cr(document)
    section = document.sections[name]
    lines = document.lines()
    start, end = section.header_index, section.content_end
    while end < len(lines) and not lines[end].strip():
        end += 1
    if end == len(lines):
        while start > 0 and not lines[start - 1].strip():
            start -= 1
    new_text = "".join(lines[:start] + lines[end:])
    new = ini.parse(new_text, document.label)
    kept = {key: sec.values for key, sec in document.sections.items() if key != name}
    if {key: sec.values for key, sec in new.sections.items()} != kept:
        raise FileError(
            f"{system.shown(document.label)}: refusing to write a removal of section {name!r} "
            "that would change other content (an aws-mfa bug; please report it); the file was "
            "not changed"
        )
    return new_text


def line_ending(text: str) -> str:
    """The file's usual line ending: ``\\r\\n`` when most lines end so, else ``\\n``."""
    return "\r\n" if text.count("\r\n") * 2 > text.count("\n") else "\n"
