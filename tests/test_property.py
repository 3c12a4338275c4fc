"""Generated credentials files: updating, adding or removing a session changes no other byte."""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from aws_mfa.aws.sections import WRITTEN_KEYS
from aws_mfa.commands import logout
from aws_mfa.files import ini, read
from aws_mfa.files.section_edit import edit_section
from aws_mfa.sessions import keep
from aws_mfa.sessions.renewal import Renewal
from aws_mfa.settings.resolve import Flags, resolve
from tests.conftest import examples

SESSION = {
    "assumed_role": "False",
    "aws_access_key_id": "ASIANEWSESSION",
    "aws_secret_access_key": "new/secret+value",
    "aws_session_token": "new-token==",
    "aws_security_token": "new-token==",
    "expiration": "2030-01-01 00:00:00",
}

TEXT = st.text(
    alphabet=st.sampled_from(list("abcXYZ019 _-./+=#;:é€ß日本\t")), min_size=0, max_size=12
).map(str.strip)
KEY = st.sampled_from(
    ["region", "output", "Region", "aws_mfa_device", "AWS_Access_Key_ID", "x_y", "ÄÖ"]
)
SPACING = st.sampled_from(["{k}={v}", "{k} = {v}", "{k}\t=\t{v}", "{k} : {v}", "{k}   =  {v}"])
ENDING = st.sampled_from(["\n", "\r\n"])
NAMES = st.sampled_from(["default", "prod", "prod-long-term", "x y", "日本", "sso", "a.b"])
# Each strategy below is made once: sampled_from makes a new strategy at every call, and
# Hypothesis checks a new strategy when it is first drawn from (a third of the time drawing took).
SPELLING = st.sampled_from([str, str.upper])
MORE_LINES = st.integers(0, 5)
KIND = st.sampled_from(["key", "comment", "blank", "continued"])
COMMENT = st.sampled_from(["#", ";", "  #", "\t;"])
BLANK = st.sampled_from(["", "  ", "\t"])
SECTION_NAMES = st.lists(NAMES, unique=True, max_size=4)
HEADER = st.sampled_from(["[{}]", "[{}] ", "[{}]  # note"])


@st.composite
def body(draw: st.DrawFn, keys: tuple[str, ...] = ()) -> list[str]:
    """A section's lines (without endings): ``keys`` first (in any order, case and spacing,
    empty when they are placeholders), then other keys, comments, blanks, continuations."""
    lines: list[str] = []
    used = {key.lower() for key in keys}
    for key in draw(st.permutations(keys)):
        spelled = draw(SPELLING)(key)
        value = "" if key in PLACEHOLDER else draw(TEXT) or "old"
        lines.append(draw(SPACING).format(k=spelled, v=value).rstrip())
    last_was_key = bool(lines)
    for _ in range(draw(MORE_LINES)):
        kind = draw(KIND)
        if kind == "continued" and last_was_key:
            lines.append("    " + (draw(TEXT) or "more"))
        elif kind == "key":
            key = draw(KEY)
            if key.lower() in used:
                continue
            used.add(key.lower())
            lines.append(draw(SPACING).format(k=key, v=draw(TEXT) or "v"))
            last_was_key = True
        elif kind == "comment":
            lines.append(draw(COMMENT) + " " + draw(TEXT))
            last_was_key = False
        elif kind == "blank":
            lines.append(draw(BLANK))
            last_was_key = False
    return lines


PLACEHOLDER = ("aws_access_key_id", "aws_secret_access_key")
OTHER_BODY = body()
TARGET_BODY = {"session": body(tuple(SESSION)), "placeholder": body(PLACEHOLDER)}


@dataclass
class Case:
    text: str
    target: str


@st.composite
def files(draw: st.DrawFn, target_kind: str) -> Case:
    """A valid credentials file; the target section "dev" is a session, absent, or a placeholder."""
    names = draw(SECTION_NAMES)
    chunks: list[list[str]] = [[f"# {draw(TEXT)}"] if draw(st.booleans()) else []]
    sections = [(name, draw(OTHER_BODY)) for name in names]
    if target_kind != "absent":
        position = draw(st.integers(0, len(sections)))
        sections.insert(position, ("dev", draw(TARGET_BODY[target_kind])))
    for name, lines in sections:
        header = draw(HEADER).format(name)
        chunks.append([header, *lines])
    lines = [line for chunk in chunks for line in chunk]
    text = "".join(line + draw(ENDING) for line in lines)
    if text and draw(st.booleans()):
        text = text.rstrip("\r\n")  # no newline at the end
    return Case(text, "dev")


def lines_of(text: str) -> list[str]:
    return ini.split_lines(text)


def assert_only_section_changed(old: str, new: str, name: str) -> None:
    """``new`` is ``old`` with section ``name`` (header to last key) replaced, nothing else."""
    section = ini.parse(old, "f").sections[name]
    before = lines_of(old)
    prefix = "".join(before[: section.header_index])
    suffix = "".join(before[section.content_end :])
    assert new.startswith(prefix)
    if not before[section.content_end - 1].endswith("\n"):  # the section ended the file
        assert suffix == ""
    assert new.endswith(suffix)
    assert len(new) >= len(prefix) + len(suffix)


def assert_other_values_kept(old: str, new: str, name: str) -> None:
    before, after = ini.parse(old, "f"), ini.parse(new, "f")
    assert {k: s.values for k, s in before.sections.items() if k != name} == {
        k: s.values for k, s in after.sections.items() if k != name
    }


HEAVY = settings(
    max_examples=examples(300), deadline=None, suppress_health_check=[HealthCheck.too_slow]
)


@HEAVY
@given(case=files("session"))
def test_updating_a_session_changes_only_its_section(case: Case) -> None:
    new = edit_section(ini.parse(case.text, "f"), case.target, SESSION)
    assert_only_section_changed(case.text, new, case.target)
    assert_other_values_kept(case.text, new, case.target)
    assert ini.parse(new, "f").values(case.target) == {
        **(ini.parse(case.text, "f").values(case.target) or {}),
        **SESSION,
    }


@HEAVY
@given(case=files("placeholder"))
def test_filling_a_placeholder_changes_only_its_section(case: Case) -> None:
    new = edit_section(ini.parse(case.text, "f"), case.target, SESSION)
    assert_only_section_changed(case.text, new, case.target)
    assert_other_values_kept(case.text, new, case.target)


@HEAVY
@given(case=files("absent"))
def test_adding_a_session_appends_and_keeps_every_byte(case: Case) -> None:
    new = edit_section(ini.parse(case.text, "f"), case.target, SESSION)
    assert new.startswith(case.text)
    tail = new[len(case.text) :]
    assert tail.lstrip("\r\n").startswith("[dev]")
    assert_other_values_kept(case.text, new, case.target)
    assert ini.parse(new, "f").values("dev") == SESSION


@HEAVY
@given(case=files("session"))
def test_removing_a_session_removes_only_it_and_blank_lines_next_to_it(case: Case) -> None:
    document = ini.parse(case.text, "f")
    new = logout.forget(document, case.target)
    assert_other_values_kept(case.text, new, case.target)
    old_lines, new_lines = lines_of(case.text), lines_of(new)
    section = document.sections[case.target]
    left = ini.parse(new, "f").sections.get(case.target)
    if left is not None:  # the user's own keys or comments kept the section
        assert not set(left.values) & set(WRITTEN_KEYS)
        assert_only_section_changed(case.text, new, case.target)
        return
    # The section went whole: one block of lines was cut, holding its header
    # through its last key and otherwise only blank lines.
    start = 0
    while start < len(new_lines) and new_lines[start] == old_lines[start]:
        start += 1
    end = len(old_lines) - (len(new_lines) - start)
    assert old_lines[:start] + old_lines[end:] == new_lines
    assert start <= section.header_index
    assert end >= section.content_end
    cut = old_lines[start : section.header_index] + old_lines[section.content_end : end]
    assert all(not line.strip() for line in cut)


@HEAVY
@given(case=files("session"))
def test_a_run_that_changes_nothing_writes_nothing(case: Case) -> None:
    # Give the generated file a valid session, then log in: nothing may be written.
    text = edit_section(ini.parse(case.text, "f"), case.target, SESSION)

    def no_sts(keys: object, region: object, **options: object) -> object:
        raise AssertionError("STS would be called")

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "credentials"
        path.write_bytes(text.encode())
        document = read.read_ini(path)
        settings = resolve(Flags(profile="dev", credentials_file=str(path)), {}, document)
        now = datetime(2026, 11, 22, tzinfo=timezone.utc)
        renewal = Renewal(clock=lambda: now, client_factory=no_sts)  # type: ignore[arg-type]
        outcome = keep.ensure_valid(settings, document, clock=lambda: now, renewal=renewal)
        assert not outcome.renewed
        assert path.read_bytes() == text.encode()
        assert [p.name for p in Path(folder).iterdir()] == ["credentials"]
