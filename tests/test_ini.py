"""The INI reader reads files as botocore's configparser does, and says where they are wrong."""

from __future__ import annotations

import configparser
import io

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from aws_mfa.errors import FileError
from aws_mfa.files import ini
from tests.conftest import examples


def test_values_are_read_with_lower_case_keys_and_stripped() -> None:
    doc = ini.parse("[dev]\nAWS_Access_Key_ID =  AKIA1  \nregion:eu-west-1\n", "f")
    assert doc.values("dev") == {"aws_access_key_id": "AKIA1", "region": "eu-west-1"}
    assert doc.values("prod") is None


def test_comments_blank_lines_and_inline_text_follow_configparser() -> None:
    text = "# top\n; also\n\n[dev]\n  # indented comment\nkey = value # not a comment\n"
    assert ini.parse(text, "f").values("dev") == {"key": "value # not a comment"}


def test_indented_lines_continue_a_value() -> None:
    doc = ini.parse("[dev]\nkey = first\n  second\n\n  third\nother = x\n", "f")
    assert doc.values("dev") == {"key": "first\nsecond\n\nthird", "other": "x"}


def test_spans_mark_header_last_key_and_end() -> None:
    text = "[a]\nk = v\n  more\n\n# about b\n[b]\n"
    doc = ini.parse(text, "f")
    a, b = doc.sections["a"], doc.sections["b"]
    assert (a.header_index, a.content_end, a.end_index) == (0, 3, 5)
    assert (b.header_index, b.content_end, b.end_index) == (5, 6, 6)
    assert doc.key_line("a", "k") == 1


def test_crlf_is_kept_in_lines() -> None:
    doc = ini.parse("[dev]\r\nkey = v\r\n", "f")
    assert doc.lines() == ["[dev]\r\n", "key = v\r\n"]
    assert doc.values("dev") == {"key": "v"}


def test_a_byte_order_mark_is_refused_as_botocore_refuses_it() -> None:
    with pytest.raises(FileError, match=r"^'f', line 1: the file starts with a UTF-8 byte-order"):
        ini.parse("\ufeff[dev]\nkey = v\n", "f")


def test_a_lone_cr_ends_a_line_as_for_botocore_and_nothing_else_does() -> None:
    doc = ini.parse("[default]\rexpiration = x\r\nk = a\u2028b\x1cc\n", "f")
    assert doc.values("default") == {"expiration": "x", "k": "a\u2028b\x1cc"}
    assert ini.line_texts("a\rb\r\nc\nd") == ["a", "b", "c", "d"]
    assert ini.has_lone_cr("a\rb")
    assert not ini.has_lone_cr("a\r\nb\n")


def test_editing_splits_on_newline_only() -> None:
    assert ini.split_lines("a\u2028b\r\nc\nd") == ["a\u2028b\r\n", "c\n", "d"]
    assert ini.split_lines("") == []
    assert ini.split_lines("x\n") == ["x\n"]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("key = v\n[dev]\n", "'f', line 1: text before the first [section] header"),
        ("[dev]\nno equals sign here\n", "'f', line 2: in section 'dev', this line is neither"),
        ("[dev]\n= value\n", "'f', line 2: in section 'dev', this line is neither"),
        (
            "[dev]\n[x]\n[dev]\n",
            "'f', line 3: section 'dev' appears a second time (first on line 1)",
        ),
        (
            "[d\x1b]\nk = 1\nK = 2\n",
            "'f', line 3: key 'k' appears a second time in section 'd\\x1b'",
        ),
    ],
)
def test_problems_name_the_file_and_line(text: str, message: str) -> None:
    with pytest.raises(FileError) as caught:
        ini.parse(text, "f")
    assert str(caught.value).startswith(message)


def test_errors_never_quote_the_offending_line() -> None:
    secret = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYzPASTED"
    with pytest.raises(FileError) as caught:
        ini.parse(f"[dev]\n{secret}\n", "f")
    assert secret not in str(caught.value)


# Lines that exercise every rule: headers, keys with either delimiter and odd
# spacing, comments, continuations, blank lines, and lines that are errors.
LINE = st.one_of(
    st.sampled_from(["", "  ", "\t", "# c", "; c", "  # c", "[a]", "[b]", " [a] x", "[]", "[a]]"]),
    st.builds(
        lambda key, delim, value, pad: f"{key}{pad}{delim}{pad}{value}",
        st.sampled_from(["k", "K", "key", "Key_2", "a b", ""]),
        st.sampled_from(["=", ":", " = ", ":="]),
        st.text(alphabet="ab =:#;[]\té€", max_size=6),
        st.sampled_from(["", " ", "\t"]),
    ),
    st.builds(lambda value: "  " + value, st.text(alphabet="ab =\t#", max_size=5)),
    st.text(alphabet="ab[]=\t #;é", max_size=8),
)


@settings(max_examples=examples(400), deadline=None)
@given(lines=st.lists(LINE, max_size=14), endings=st.lists(st.sampled_from(["\n", "\r\n", "\r"])))
def test_agrees_with_configparser(lines: list[str], endings: list[str]) -> None:
    """As botocore reads a file: configparser on a text stream with universal newlines."""
    text = "".join(
        line + (endings[i % len(endings)] if endings else "\n") for i, line in enumerate(lines)
    )
    parser = configparser.RawConfigParser(default_section="\0none")
    try:
        parser.read_file(io.StringIO(text, newline=None))
    except configparser.Error:
        with pytest.raises(FileError):
            ini.parse(text, "f")
        return
    doc = ini.parse(text, "f")
    expected = {name: dict(parser.items(name)) for name in parser.sections()}
    assert {name: section.values for name, section in doc.sections.items()} == expected


def test_key_lines_are_found_as_the_reader_reads_them() -> None:
    text = "# c\n[a]\nx = 1\n  b = a continuation\n\n[s]\nb = 2\n  more\nB: 3\n"
    doc = None
    with pytest.raises(
        FileError,
        match=r"line 9: key 'b' appears a second time in section 's' "
        r"\(first on line 7\)",
    ):
        doc = ini.parse(text, "f")
    doc = ini.parse(text.replace("B: 3\n", "c: 3\n"), "f")
    assert (doc.key_line("a", "x"), doc.key_line("s", "b"), doc.key_line("s", "c")) == (2, 6, 8)
    crlf = ini.parse("[z]\r\n\r\nk = 1\r\n", "f")
    assert crlf.key_line("z", "k") == 2
    mac = ini.parse("[z]\r\rk = 1\r", "f")
    assert mac.key_line("z", "k") == 2
