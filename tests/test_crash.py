"""A writer killed at random moments never leaves a half-written credentials file."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from aws_mfa.files import credentials_file, ini
from aws_mfa.files.lock import locked
from aws_mfa.files.section_edit import edit_section
from tests.conftest import write

PROFILES = 3000
KILLS = 25
LANES = 5

# The writer: the same read, edit and locked save a login makes, over and over,
# alternating between two sessions, as fast as it can; it says when it begins, and when
# its first write is complete (once: nobody reads its output after that).
WRITER = """
import sys
from pathlib import Path
from aws_mfa.files import credentials_file as cf
from aws_mfa.files.lock import locked
from aws_mfa.files.read import read_ini
from aws_mfa.files.section_edit import edit_section
path = Path(sys.argv[1])
sessions = [
    {"aws_access_key_id": "ASIAFIRST", "aws_session_token": "first-token" * 20},
    {"aws_access_key_id": "ASIASECOND", "aws_session_token": "second-token" * 20},
]
print("writing", flush=True)
turn = 0
while True:
    with locked(path, 120):
        document = read_ini(path)
        cf.save(path, edit_section(document, "p1500", sessions[turn % 2]))
    turn += 1
    if turn == 1:
        print("wrote", flush=True)
"""

pytestmark = pytest.mark.posix(reason="writers killed with SIGKILL (Windows has no such signal)")


def big_file() -> str:
    return "# many accounts\r\n" + "".join(
        f"[p{i}-long-term]\naws_access_key_id = AKIA{i:016d}\n"
        f"aws_secret_access_key = {'s' * 40}\n\n"
        f"[p{i}]\naws_access_key_id = ASIA{i:016d}\naws_session_token = {'t' * 200}\n"
        "expiration = 2030-01-01 00:00:00\n\n"
        for i in range(PROFILES)
    )


@pytest.mark.e2e
def test_sigkill_at_random_moments_leaves_the_old_or_the_new_file(tmp_path: Path) -> None:
    path = write(tmp_path / "aws" / "credentials", big_file())
    original = path.read_text()
    first = edit_section(
        ini.parse(original, "f"),
        "p1500",
        {"aws_access_key_id": "ASIAFIRST", "aws_session_token": "first-token" * 20},
    )
    second = edit_section(
        ini.parse(first, "f"),
        "p1500",
        {"aws_access_key_id": "ASIASECOND", "aws_session_token": "second-token" * 20},
    )
    assert (
        edit_section(
            ini.parse(second, "f"),
            "p1500",
            {"aws_access_key_id": "ASIAFIRST", "aws_session_token": "first-token" * 20},
        )
        == first
    )
    long_term = {
        name: "".join(lines[s.header_index : s.end_index])
        for document in [ini.parse(original, "f")]
        for lines in [document.lines()]
        for name, s in document.sections.items()
        if name.endswith("-long-term")
    }
    for text in (first, second):  # what a kill may leave: each parses, every key kept
        document = ini.parse(text, str(path))
        lines = document.lines()
        for name, body in long_term.items():
            section = document.sections[name]
            assert "".join(lines[section.header_index : section.end_index]) == body
    chance = random.Random(20261122)
    moments = [chance.uniform(0.0, 1.0) for _ in range(3 * KILLS)]
    # Each kill is timed from the writer's first completed write, at a random moment of the
    # next (as long as the first took, imports included): it lands in the middle of a
    # write, or between two, however busy the machine is. LANES files are written and
    # killed side by side (one writer each at a time, each a real process and a real
    # SIGKILL), so that one's start and fsyncs overlap another's. At least KILLS kills, and
    # more (bounded) until both sessions have been seen.
    files = [path] + [
        write(tmp_path / f"aws{lane}" / "credentials", original) for lane in range(1, LANES)
    ]

    def kill_once(target: Path, moment: float) -> str:
        writer = subprocess.Popen(
            [sys.executable, "-c", WRITER, str(target)], stdout=subprocess.PIPE, text=True
        )
        assert writer.stdout is not None
        assert writer.stdout.readline() == "writing\n"
        began = time.monotonic()
        assert writer.stdout.readline() == "wrote\n"
        one_write = time.monotonic() - began
        time.sleep(moment * one_write)
        os.kill(writer.pid, signal.SIGKILL)
        writer.wait(timeout=10)
        return target.read_text()

    def lane(number: int) -> list[str]:
        return [kill_once(files[number], moment) for moment in moments[number:KILLS:LANES]]

    with ThreadPoolExecutor(LANES) as pool:
        left = [text for texts in pool.map(lane, range(LANES)) for text in texts]
    for moment in moments[KILLS:]:
        if len({*left}) >= 2:
            break
        left.append(kill_once(path, moment))
    assert len(left) >= KILLS
    for text in left:
        assert text in (first, second)  # byte for byte one of the two checked above
    assert len(set(left)) >= 2  # the kills did land between and during writes

    # A temporary file left by a kill is cleaned up by the next write, and a
    # normal write leaves none.
    for each in files:
        with locked(each, 120):
            credentials_file.save(each, original)
        assert sorted(p.name for p in each.parent.iterdir()) == ["credentials", "credentials.lock"]
