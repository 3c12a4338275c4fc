"""The check of every write: botocore reads the new file as meant, and a one-section
renewal has botocore read only that section's lines, where that provably suffices."""

from __future__ import annotations

import locale
from pathlib import Path

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from aws_mfa.errors import FileError
from aws_mfa.files import credentials_file, ini, write_check
from aws_mfa.files.lock import locked
from aws_mfa.files.section_edit import edit_section, planned_values
from tests.conftest import examples, write
from tests.test_property import SESSION, Case, files

UTF8_LOCALE = locale.getpreferredencoding(False).lower().replace("-", "") == "utf8"
"""Whether botocore, which opens files in the locale's encoding, reads them as UTF-8."""

WINDOW_LINES = st.lists(
    st.sampled_from(
        [
            "[dev]",
            "  [dev]",
            "[other]",
            "[DEFAULT]",
            "[prod]",
            "aws_access_key_id = ASIANEW",
            "region = eu-west-1",
            "Region: us-east-1",
            "  continued",
            "\tx = y",
            "# a comment",
            "; another",
            "",
            "   ",
            "no delimiter here",
        ]
    ),
    max_size=8,
)


def temp_file(folder: Path, text: str) -> str:
    path = folder / "new"
    path.write_bytes(text.encode("utf-8"))
    return str(path)


@settings(
    max_examples=examples(300),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    case=files("session"),
    first=st.sampled_from(["[dev]", "[dev]", "[dev]", "  [dev]", "", "[other]", "a = 1"]),
    lines=WINDOW_LINES,
    ending=st.sampled_from(["\n", "\r\n"]),
)
def test_when_botocore_reads_the_window_as_meant_it_reads_the_whole_file_as_meant(
    case: Case, first: str, lines: list[str], ending: str, tmp_path: Path
) -> None:
    # Any text at all in place of section [dev]: whenever the window is used and
    # passes, botocore's reading of the whole file agrees (the check is sound).
    base = ini.parse(case.text, "f")
    start, end = write_check._line_span(case.text, base.sections["dev"])
    window = "".join(line + ending for line in [first, *lines])
    text = case.text[:start] + window + case.text[end:]
    try:
        sections = write_check.botocore_text_view(window)
    except FileError:
        return
    planned = {"dev": dict(sections.get("dev", {}))}
    if write_check.edited_window(base, planned, text) is None:
        return
    if write_check.botocore_text_view(window) != planned:
        return
    if not (text.isascii() or UTF8_LOCALE):
        # botocore reads the whole file in the locale's encoding (Windows: cp1252, unless
        # Python's UTF-8 mode is on), so a non-ASCII name elsewhere reads differently there,
        # before aws-mfa's edit as after it; the window aws-mfa checks is read as UTF-8.
        return
    event("the window was used and passed")
    whole = write_check.botocore_view(temp_file(tmp_path, text))
    assert whole == write_check.expected_view(base, planned)


@settings(
    max_examples=examples(200),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(case=st.one_of(files("session"), files("absent"), files("placeholder")))
def test_a_renewal_edit_is_checked_through_its_window_alone(case: Case, tmp_path: Path) -> None:
    base = ini.parse(case.text, "f") if case.text.strip() else None
    text = edit_section(base, "dev", SESSION)
    planned = {"dev": planned_values(base, "dev", SESSION, ())}
    window = write_check.edited_window(base, planned, text)
    if base is not None and "DEFAULT" not in base.sections:
        assert window is not None
        assert write_check.botocore_text_view(window) == planned
    write_check.check_with_botocore(temp_file(tmp_path, text), base, planned, "f", text)


def test_an_indented_header_after_the_section_makes_botocore_read_the_whole_file(
    credentials: Path,
) -> None:
    # "  [next]" is a header after a section with no keys, and would continue a key
    # added to it: the window alone would miss that, so the whole file is read,
    # and the write is refused with the file unchanged.
    text = "[dev]\n  [next]\nb = 2\n"
    write(credentials, text)
    document = ini.parse(text, str(credentials))
    planned = {"dev": {"aws_access_key_id": "ASIANEW"}}
    new = text.replace("[dev]\n", "[dev]\naws_access_key_id = ASIANEW\n")
    assert write_check.edited_window(document, planned, new) is None
    change = credentials_file.set_values("dev", {"aws_access_key_id": "ASIANEW"})
    with locked(credentials, 120), pytest.raises(FileError, match="botocore"):
        credentials_file.save_edit(credentials, document, ["dev"], change)
    assert credentials.read_text() == text


@pytest.mark.parametrize(
    ("text", "planned", "why"),
    [
        ("[DEFAULT]\nregion = x\n[dev]\na = 1\n", {"dev": {"a": "2"}}, "DEFAULT"),
        ("[dev]\na = 1\n[prod]\nb = 2\n", {"dev": {"a": "2"}, "prod": None}, "two sections"),
        ("[dev]\na = 1\n[prod]\nb = 2\n", {"dev": None}, "a removal"),
    ],
)
def test_other_edits_have_botocore_read_the_whole_file(
    text: str, planned: dict[str, dict[str, str] | None], why: str
) -> None:
    document = ini.parse(text, "f")
    assert write_check.edited_window(document, planned, text.replace("a = 1", "a = 2")) is None


def test_a_byte_changed_outside_the_window_is_refused(tmp_path: Path) -> None:
    text = "[prod]\nb = 2\n\n[dev]\na = 1\n"
    document = ini.parse(text, "f")
    planned = {"dev": {"a": "2"}}
    tampered = "[prod]\nb = 3\n\n[dev]\na = 2\n"
    assert write_check.edited_window(document, planned, tampered) is None
    with pytest.raises(FileError, match="botocore would read differently"):
        write_check.check_with_botocore(
            temp_file(tmp_path, tampered), document, planned, "f", tampered
        )


def test_a_file_on_disk_that_differs_from_the_text_is_refused(tmp_path: Path) -> None:
    text = "[prod]\nb = 2\n\n[dev]\na = 1\n"
    document = ini.parse(text, "f")
    planned = {"dev": {"a": "2"}}
    new = text.replace("a = 1", "a = 2")
    assert write_check.edited_window(document, planned, new) == "[dev]\na = 2\n"
    written = temp_file(tmp_path, new.replace("b = 2", "b = 9"))
    with pytest.raises(FileError, match="botocore would read differently"):
        write_check.check_with_botocore(written, document, planned, "f", new)
