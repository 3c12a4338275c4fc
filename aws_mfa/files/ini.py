"""Read an AWS credentials or config file the way botocore reads it, quickly.

The AWS CLI and SDKs parse these files with :class:`configparser.RawConfigParser`
(strict, ``=`` or ``:`` between key and value, ``#``/``;`` comment lines, no
inline comments, keys lower-cased, indented lines continuing a value). This
module follows the same rules, so a file it accepts is a file the AWS CLI
accepts, and it reports the first problem with its line number. It also
records where each section starts and ends, which is what
:mod:`aws_mfa.files.section_edit` needs to edit one section and leave every
other byte alone.

It is hand-written rather than ``configparser`` for speed and for the line
spans: most runs of aws-mfa only read (the credentials are still valid), and
``configparser`` takes tens of milliseconds on a file with a thousand
profiles. ``tests/test_ini.py`` checks that both agree on generated files.

What it does not do: write, interpolate, or treat ``[DEFAULT]`` specially (it
is a section like any other here). It never includes a line's text in an
error, because a malformed line may be a pasted secret.

Example::

    # comment                   <- line 1
    [dev-long-term]             <- section "dev-long-term", header_line 1
    aws_access_key_id = AKIA... <- values["aws_access_key_id"]
    AWS_Secret_Access_Key: abc  <- values["aws_secret_access_key"] == "abc"
"""

from __future__ import annotations

from aws_mfa import system
from aws_mfa.errors import FileError
from aws_mfa.records import Record

BOM = "\ufeff"


class IniSection:
    """One ``[name]`` section: its values and the lines it spans.

    - ``header_index``: 0-based index of the ``[name]`` line;
    - ``content_end``: index after its last key or value line (after the
      header when it has none); blank and comment lines after that belong to
      no key, and edits leave them alone;
    - ``end_index``: index of the first line after the section (the next
      header, or the end of the file);
    - ``values``: lower-cased key to value, multi-line values joined by ``\\n``
      (:meth:`IniFile.key_line` finds the line of a key, when an error needs it).

    A plain class, not a dataclass, like every type on the path a valid
    session takes: creating a dataclass costs about a millisecond at start-up.
    """

    __slots__ = ("content_end", "end_index", "header_index", "name", "values")

    def __init__(self, name: str, header_index: int) -> None:
        self.name = name
        self.header_index = header_index
        self.content_end = header_index + 1
        self.end_index = -1
        self.values: dict[str, str] = {}


class IniFile(Record):
    """A parsed file: its label (the path, for messages), its text and its sections."""

    label: str
    text: str
    sections: dict[str, IniSection]

    def lines(self) -> list[str]:
        """The text's lines, each with its ending: made on each call, as only edits need them."""
        return split_lines(self.text)

    def values(self, name: str) -> dict[str, str] | None:
        """The values of section ``name``, or None when there is no such section."""
        section = self.sections.get(name)
        return None if section is None else section.values

    def key_line(self, name: str, key: str) -> int:
        """The 0-based index of the line that sets ``key`` in section ``name``.

        Found on demand, by reading that section's lines again: only error
        messages need it, and keeping it for every key would slow every run.
        """
        section = self.sections[name]
        return section.header_index + key_positions(line_texts(self.text), section)[key]


def has_lone_cr(text: str) -> bool:
    """True when a ``\\r`` not followed by ``\\n`` ends a line (classic Mac endings)."""
    return "\r" in text and text.count("\r") != text.count("\r\n")


def line_texts(text: str) -> list[str]:
    """The lines of ``text`` without their endings, split as botocore splits them.

    botocore reads with universal newlines: ``\\r\\n``, ``\\n`` and a lone
    ``\\r`` each end a line (and nothing else does). Lines of a ``\\r\\n``
    file keep their ``\\r`` here; the reader strips it.
    """
    if has_lone_cr(text):
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    lines = text.split("\n")
    if not lines[-1]:
        lines.pop()
    return lines


def split_lines(text: str) -> list[str]:
    """Split on ``\\n`` only, keeping each line's ending (``\\r\\n`` stays whole).

    Editors call it only on text without a lone ``\\r`` (see :func:`has_lone_cr`),
    where it splits exactly as :func:`line_texts` does.
    """
    parts = text.split("\n")
    lines = [part + "\n" for part in parts[:-1]]
    if parts[-1]:
        lines.append(parts[-1])
    return lines


def line_offsets(text: str, first: int, stop: int) -> tuple[int, int]:
    """Character offsets in ``text`` of its lines ``first`` up to ``stop`` (split on ``\\n``)."""
    start = 0
    for _ in range(first):
        start = text.index("\n", start) + 1
    end = start
    for _ in range(stop - first):
        found = text.find("\n", end)
        end = len(text) if found < 0 else found + 1
    return start, end


def header_name(stripped: str) -> str | None:
    """The name in a ``[name]`` header line (already stripped), as configparser reads it.

    The name runs to the last ``]``; anything after it is ignored.
    """
    close = stripped.rfind("]")
    return stripped[1:close] if stripped.startswith("[") and close >= 2 else None


def key_positions(lines: list[str], section: IniSection, stop: int | None = None) -> dict[str, int]:
    """Where each key of ``section`` is, counted from its header, up to line ``stop``.

    It reads the section's lines (``lines`` has no line endings) again with
    :func:`parse`, which then notes each key's line; a header starts afresh,
    so one section read alone is read exactly as within the whole file.
    """
    positions: dict[str, int] = {}
    end = section.content_end if stop is None else stop
    parse("\n".join(lines[section.header_index : end]), "", positions)
    return positions


def _fail(label: str, index: int, problem: str) -> FileError:
    return FileError(f"{system.shown(label)}, line {index + 1}: {problem}", line=index + 1)


def _lines_of(text: str, label: str) -> list[str]:
    if text.startswith(BOM):
        raise _fail(
            label,
            0,
            "the file starts with a UTF-8 byte-order mark (BOM), which the AWS CLI and "
            "SDKs reject; save it as UTF-8 without BOM",
        )
    return line_texts(text)


def _open_section(sections: dict[str, IniSection], name: str, index: int, label: str) -> IniSection:
    """A new section from its header at line ``index``; an error if the name is taken."""
    if name in sections:
        raise _fail(
            label,
            index,
            f"section {name!r} appears a second time (first on line "
            f"{sections[name].header_index + 1}); merge the two into one",
        )
    section = sections[name] = IniSection(name, index)
    return section


def _key_and_value(
    stripped: str, section: IniSection | None, index: int, label: str, lines: list[str]
) -> tuple[str, str]:
    """The lower-cased key and the value of a ``key = value`` (or ``key: value``) line."""
    if section is None:
        raise _fail(
            label,
            index,
            "text before the first [section] header; "
            "put it under a header or comment it out with #",
        )
    name, delimiter, value = stripped.partition("=")  # "=" or ":", whichever is first
    if ":" in name or not delimiter:
        name, delimiter, value = stripped.partition(":")
    name = name.rstrip().lower()
    if not name or not delimiter:
        raise _fail(
            label,
            index,
            f"in section {section.name!r}, this line is neither 'key = value', "
            "a [section] header nor a comment; fix it or comment it out with #",
        )
    if name in section.values:
        first = section.header_index + key_positions(lines, section, index)[name] + 1
        raise _fail(
            label,
            index,
            f"key {name!r} appears a second time in section {section.name!r} "
            f"(first on line {first}); keep only one",
        )
    return name, value.strip()


def parse(text: str, label: str, positions: dict[str, int] | None = None) -> IniFile:
    """Parse ``text``; ``label`` names the file in errors.

    Raises :class:`FileError` naming the file and line of the first problem
    (a leading byte-order mark is one, as for botocore). ``positions``, when
    given, gets each key's line index (of a text holding one section; see
    :func:`key_positions`). The loop is written for speed: the common line
    (``key = value``, not indented) takes one function call and no other
    work; ``tests/test_ini.py`` checks the reader against configparser.
    """
    lines = _lines_of(text, label)
    sections: dict[str, IniSection] = {}
    section: IniSection | None = None
    values: dict[str, str] = {}  # the current section's values
    last = -1  # the current section's last header, key or value line
    key: str | None = None  # the key an indented line would continue
    blanks = indent_level = 0  # blank lines since that key's last line; its indent
    for index, line in enumerate(lines):
        stripped = line.strip()
        if not stripped or stripped[0] in "#;":
            blanks += not stripped  # inside a multi-line value, if an indented line follows
            continue
        # strip() gives back the same string when there was nothing to strip.
        if stripped is not line and line[0].isspace():
            indent = len(line) - len(line.lstrip())
            if key is not None and indent > indent_level:  # continues the value above
                values[key] += "\n" * (blanks + 1) + stripped
                blanks, last = 0, index
                continue
            indent_level = indent
        else:  # an unindented line never continues a value
            indent_level = 0
        name = header_name(stripped) if stripped[0] == "[" else None
        if name is not None:
            if section is not None:
                section.end_index, section.content_end = index, last + 1
            section = _open_section(sections, name, index, label)
            values, last, key = section.values, index, None
            continue
        key, values[key] = _key_and_value(stripped, section, index, label, lines)
        blanks, last = 0, index
        if positions is not None:
            positions[key] = index
    if section is not None:
        section.end_index, section.content_end = len(lines), last + 1
    return IniFile(label, text, sections)
