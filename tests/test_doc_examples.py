"""Every console example of README.md and docs/ runs against the local STS and prints what
its page shows (issue 21, item 6), so that the docs cannot drift from the tool.

An example is a ```console block. The HTML comment right before it, which GitHub and
the site do not show, names its setup, one of :data:`SETUPS`::

    <!-- example: first-login -->
    ```console
    $ aws-mfa -p dev
    INFO - Renewing: short-term section [dev] is missing
    Enter AWS MFA code for device [arn:aws:iam::123456789012:mfa/alice] (renewing ...): 123456
    ...

The setup writes the files the example assumes in a throw-away HOME (and may log in
first, unseen). Each ``$`` line then runs in that HOME, in order, and what it prints
(stderr and stdout, in the order written) must be the lines after it, up to the next
``$``. A shown line that ends in a prompt and its answer (``...]: 3``, ``...): 123456``)
is typed: the command then runs in a terminal, which shows the prompts, the typed
answers and the output as a user sees them; any other runs with no terminal.

What varies is compared narrowly: local times (the time zone is fixed to CET, without
summer time) and the UTC time in a backup copy's name are placeholders on both sides;
durations may differ from the page's by :data:`SLACK` seconds; the sandbox's own HOME,
STS address and masked key id are shown as the page's (:meth:`Sandbox.aliases`; a prompt
the page shows is awaited with the sandbox's own). The rest is compared exactly. Commands that
cannot run here are in :data:`NOT_RUN`, saying why; the page may show no output for them.
"""

from __future__ import annotations

import os
import re
import shlex
import subprocess
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from aws_mfa.demo import LocalSts
from aws_mfa.expiry import format_expiration
from aws_mfa.keys import mask
from tests.conftest import (
    AWS_CLI,
    AWS_MFA,
    LONG_TERM_KEY_ID,
    LONG_TERM_SECRET,
    NO_TERMINAL,
    ROLE,
    Result,
    check_no_secrets,
    long_term,
    run_in_process,
    run_with_terminal,
    session,
    write,
)
from tests.iam_layer import iam
from tests.strict_sts import StrictSts, strict_sts
from tests.test_login_sessions import ALICE, BOB, stamp, write_cache

__all__ = ["iam", "strict_sts"]  # fixtures, by name

ROOT = Path(__file__).resolve().parent.parent
PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
BLOCK = re.compile(
    r"^(?:<!-- example: (?P<setup>[\w-]+) -->\n)?```console\n(?P<body>.*?)^```$", re.M | re.S
)
PROMPT = re.compile(r"^(?!(?:DEBUG|INFO|WARNING|ERROR) - )(?P<prompt>.*[\])]: )(?P<typed>\S+)$")
TIME = re.compile(r"\b\d{4}-\d\d-\d\d \d\d:\d\d:\d\d CET\b")
DURATION = re.compile(r"\b(?:(\d+)h (\d\d)m|(\d+)m (\d\d)s|(\d+)s)\b")
STAMP = re.compile(r"\b\d{4}-\d\d-\d\dT\d{6}\.\d{6}Z\b")
"""A backup copy's name (``credentials.2026-11-22T150405.123456Z``): the time it was made."""
SLACK = 120
"""Seconds a shown duration may differ from the page's: the page's were read some time
after its session began, and a run takes a moment."""
NOT_RUN = {
    "AWS_PROFILE=dev python my_script.py": "the reader's own program",
    "AWS_PROFILE=prod python my_script.py": "the reader's own program",
}
TERMINAL_TIME_LIMIT = 30

pytestmark = pytest.mark.posix(
    reason="the pages' console examples are POSIX shell lines (shlex, $VARS, paths like "
    "~/.aws/credentials in the output), typed into a pty where they ask"
)


@dataclass
class Step:
    command: str
    shown: list[str] = field(default_factory=list)


@dataclass
class Example:
    page: str
    line: int
    setup: str | None
    steps: list[Step]

    def __str__(self) -> str:
        return f"{self.page}:{self.line}"


def examples() -> list[Example]:
    """Every ```console block of the pages, with the setup its comment names."""
    found = []
    for page in PAGES:
        text = page.read_text(encoding="utf-8")
        for match in BLOCK.finditer(text):
            line = text.count("\n", 0, match.start("body"))
            name = str(page.relative_to(ROOT))
            found.append(Example(name, line, match["setup"], steps(match["body"])))
    return found


def steps(body: str) -> list[Step]:
    """The commands of a block and the lines shown after each (a line before the first
    command makes a step with no command)."""
    found: list[Step] = []
    for line in body.splitlines():
        if line.startswith("$ "):
            found.append(Step(line[2:]))
        elif found:
            found[-1].shown.append(line)
        else:
            found.append(Step("", [line]))
    return found


EXAMPLES = examples()


# The sandbox an example runs in


class Sandbox:
    """A throw-away HOME and the local STS: the files a setup writes, the commands it runs."""

    def __init__(
        self, home: Path, env: dict[str, str], sts: LocalSts, request: pytest.FixtureRequest
    ) -> None:
        self.home, self.env, self.sts, self.request = home, env, sts, request
        self.now = datetime.now(timezone.utc).replace(microsecond=0)

    def write(self, path: str, text: str) -> None:
        write(self.home / path, text)

    def expiring_in(self, seconds: int) -> str:
        """An ``expiration`` that many seconds from now, as the credentials file has it."""
        return format_expiration(self.now + timedelta(seconds=seconds))

    def log_in(self, profile: str) -> None:
        """A login with a code of its own, unseen, as a step before the example: run in this
        process (:func:`run_in_process`), since it is no line of the page."""
        result = run_in_process([AWS_MFA, "-p", profile, "-c", "654321"], self.env)
        assert result.code == 0, result.stderr

    def use_keychain(self) -> None:
        """A real Secret Service as the OS keychain (skips without one)."""
        self.env.update(self.request.getfixturevalue("secret_service").environment())

    def use_plain_keychain(self) -> None:
        """A keychain that can be used, in a plain file (tests/keyring_backends.py)."""
        from tests.test_keychain import plain_backend

        self.env.update(plain_backend("FileKeyring", self.home))

    def aliases(self) -> dict[str, str]:
        """The sandbox's own values, and what the pages show in their place (STS's global
        address is where a profile with no region sends its calls)."""
        return {
            str(self.home): "/home/alice",
            self.sts.url: "https://sts.amazonaws.com",
            mask(LONG_TERM_KEY_ID): "...WXYZ",
        }

    def unaliased(self, text: str) -> str:
        """``text`` as the sandbox shows it: a prompt the page shows with its aliases."""
        for own, shown in self.aliases().items():
            text = text.replace(shown, own)
        return text

    def run(self, command: str, replies: list[tuple[str, str]]) -> Result:
        """Run ``command`` as a shell would, in a terminal when there are replies to type;
        ``stderr`` holds all it printed, in the order written, secret-scanned."""
        extra, words = argv(command)
        env = {**self.env, **extra}
        if replies:
            try:
                seen = run_with_terminal(
                    words, env, replies, timeout=TERMINAL_TIME_LIMIT, console=True
                )
            except subprocess.TimeoutExpired:
                pytest.fail(f"{command!r} still waits after the answers the page types")
            result = Result(seen.code, "", seen.terminal.replace("\r\n", "\n"))
        else:
            done = subprocess.run(
                words, env=env, input="", stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                text=True, timeout=60, check=False, **NO_TERMINAL,
            )  # fmt: skip
            result = Result(done.returncode, "", done.stdout)
        check_no_secrets(words, env, "", result)
        return result

    def printed(self, step: Step) -> tuple[int, list[str]]:
        """The exit code of the step's command, and the lines it printed, as the page shows."""
        replies = [
            (self.unaliased(m["prompt"]), m["typed"] + "\n")
            for m in map(PROMPT.match, step.shown)
            if m
        ]
        result = self.run(step.command, replies)
        text = result.stderr
        for own, shown in self.aliases().items():
            text = text.replace(own, shown)
        return result.code, text.splitlines()


PROGRAMS = {"aws-mfa": AWS_MFA, "aws": AWS_CLI}
REGIONS = {"aws": {"AWS_DEFAULT_REGION": "us-east-1"}}
"""The AWS CLI needs a region to assume a role, and its users have one configured."""


def argv(command: str) -> tuple[dict[str, str], list[str]]:
    """The variables a command line sets (``AWS_PROFILE=dev aws ...``) and its words."""
    words = shlex.split(command)
    extra = {}
    while words and "=" in words[0]:
        name, _, value = words.pop(0).partition("=")
        extra[name] = value
    if not words or words[0] not in PROGRAMS:
        pytest.fail(f"cannot run {command!r} here: add it to NOT_RUN, saying why")
    return {**REGIONS.get(words[0], {}), **extra}, [PROGRAMS[words[0]], *words[1:]]


@pytest.fixture
def sandbox(
    home: Path,
    environment: dict[str, str],
    sts: LocalSts,
    strict_sts: StrictSts,
    request: pytest.FixtureRequest,
) -> Sandbox:
    """The local STS answering as real STS (distinct keys, codes used once), a throw-away
    HOME, INFO logging as users have it, CET all year, and S3 for ``aws s3 ls``.

    The installed aws-mfa and AWS CLI (:data:`PROGRAMS`) come first on PATH, so that a
    command an example's command runs (``exec ... -- aws s3 ls``, a ``credential_process``)
    is the same program a ``$`` line runs."""
    env = {key: value for key, value in environment.items() if key != "MFA_LOG_LEVEL"}
    env.update(TZ="CET-1", PYTHONUNBUFFERED="1", AWS_ENDPOINT_URL_S3=sts.url)
    env["PATH"] = os.pathsep.join([str(Path(AWS_MFA).parent), env["PATH"]])
    return Sandbox(home, env, sts, request)


# The setups, by the name the pages' comments give them

Setup = Callable[[Sandbox], None]
SETUPS: dict[str, Setup] = {}


def registered(function: Setup) -> Setup:
    SETUPS[function.__name__.replace("_", "-")] = function
    return function


ROLE_PROFILE = f"[profile prod]\nrole_arn = {ROLE}\nsource_profile = dev\nregion = eu-west-1\n"
DEVICE_PROFILE = "[profile dev]\nmfa_serial = arn:aws:iam::123456789012:mfa/alice\n\n"
PROD_KEY_ID = "AKIAEXAMPLEPROD0ABCD"
ALICE_IN_PROD = "arn:aws:iam::210987654321:user/alice"
LOGIN_PROFILES = (
    f"[profile console]\nlogin_session = {ALICE}\n\n"
    f"[profile sandbox]\nlogin_session = {ALICE_IN_PROD}\n\n"
    f"[profile old]\nlogin_session = {BOB}\n"
)


@registered
def first_login(sandbox: Sandbox) -> None:
    """Long-term keys and their MFA device in [dev-long-term], as --setup writes them."""
    sandbox.write(".aws/credentials", long_term("dev-long-term"))


@registered
def role_after_login(sandbox: Sandbox) -> None:
    """The first login done, then a role profile whose source_profile is dev."""
    first_login(sandbox)
    sandbox.log_in("dev")
    sandbox.write(".aws/config", ROLE_PROFILE)


@registered
def agent_profile(sandbox: Sandbox) -> None:
    """role-after-login, and the agent's profile of docs/agents.md (its ```ini block) whose
    credential_process the AWS CLI runs (aws-mfa is on its PATH: see :func:`sandbox`)."""
    role_after_login(sandbox)
    page = (ROOT / "docs" / "agents.md").read_text(encoding="utf-8")
    block = page.split("[profile agent]", 1)[1].split("```", 1)[0]
    sandbox.write(".aws/config", f"{ROLE_PROFILE}\n[profile agent]{block}")


@registered
def role_profiles(sandbox: Sandbox) -> None:
    """docs/roles.md's layout: the device on [profile dev], the role on [profile prod]."""
    sandbox.write(".aws/config", DEVICE_PROFILE + ROLE_PROFILE)
    sandbox.write(".aws/credentials", long_term("dev-long-term", device=None))


@registered
def three_profiles(sandbox: Sandbox) -> None:
    """Long-term keys for default, dev and prod; dev's session valid, prod's expired."""
    sandbox.write(
        ".aws/credentials",
        long_term("default-long-term")
        + long_term("dev-long-term")
        + session("dev", sandbox.expiring_in(12 * 3600 - 90))
        + long_term("prod-long-term")
        + session("prod", sandbox.expiring_in(-3600)),
    )


@registered
def status(sandbox: Sandbox) -> None:
    """Sessions valid, expired (a role's) and expiring; profiles `aws login` signed in,
    valid, stale and missing; long-term keys whose secret is in the keychain or the file."""
    keychain_keys = long_term("dev-long-term").replace(
        f"aws_secret_access_key = {LONG_TERM_SECRET}", "aws_mfa_secret = keychain"
    )
    prod_keys = long_term("prod-long-term").replace(LONG_TERM_KEY_ID, PROD_KEY_ID)
    sandbox.write(
        ".aws/credentials",
        session("dev", sandbox.expiring_in(12 * 3600 - 90))
        + session("admin", sandbox.expiring_in(-7200), role=ROLE)
        + session("soon", sandbox.expiring_in(130))
        + keychain_keys
        + prod_keys,
    )
    sandbox.write(".aws/config", LOGIN_PROFILES)
    cache = sandbox.home / ".aws" / "login" / "cache"
    write_cache(cache, ALICE, stamp(sandbox.now + timedelta(seconds=12 * 60 + 4)))
    write_cache(cache, ALICE_IN_PROD, stamp(sandbox.now - timedelta(hours=6)))


@registered
def open_folder(sandbox: Sandbox) -> None:
    """Long-term keys in a private file, in a ~/.aws folder others may read, on a machine
    with a keychain."""
    sandbox.use_plain_keychain()
    first_login(sandbox)
    sandbox.write(".aws/config", "[default]\noutput = json\n")  # no region: the global STS
    (sandbox.home / ".aws").chmod(0o755)


@registered
def keychain(sandbox: Sandbox) -> None:
    """Long-term keys in [dev-long-term], and a real OS keychain."""
    sandbox.use_keychain()
    first_login(sandbox)


@registered
def password_manager(sandbox: Sandbox) -> None:
    """Long-term keys in [dev-long-term] with the commands of a password manager, and the
    stand-in pass of tests/fake_managers.py on PATH."""
    from tests import fake_managers

    vault = sandbox.home / "vault.json"
    stand_ins = sandbox.home / "bin"
    installed = fake_managers.install(stand_ins, vault, {})
    sandbox.env.update(installed, PATH=os.pathsep.join([str(stand_ins), sandbox.env["PATH"]]))
    sandbox.write(
        ".aws/credentials",
        long_term("dev-long-term")
        + "aws_mfa_secret_command = pass show aws/dev\n"
        + "aws_mfa_secret_store_command = pass insert -m -f aws/dev\n",
    )


@registered
def rotation(sandbox: Sandbox) -> None:
    """The first login done (its MFA session cached), alice's only key in IAM; the key IAM
    makes next ends in ABCD."""
    import moto.iam.models

    sandbox.request.getfixturevalue("iam")  # IAM and STS as a rotation meets them
    new_key = "AKIAEXAMPLENEWKEABCD"
    monkeypatch = sandbox.request.getfixturevalue("monkeypatch")
    monkeypatch.setattr(
        moto.iam.models, "generate_access_key_id_from_account_id", lambda *args, **kwargs: new_key
    )
    first_login(sandbox)
    sandbox.log_in("dev")


# The tests


def test_every_example_names_a_setup_and_starts_with_a_command() -> None:
    for page in PAGES:
        name = str(page.relative_to(ROOT))
        blocks = page.read_text(encoding="utf-8").count("```console")
        assert len([example for example in EXAMPLES if example.page == name]) == blocks, name
    unnamed = [str(example) for example in EXAMPLES if example.setup not in SETUPS]
    assert unnamed == [], "add <!-- example: NAME --> before the block, NAME from SETUPS"
    assert [
        str(example)
        for example in EXAMPLES
        if not example.steps[:1] or not example.steps[0].command
    ] == []


def test_every_setup_and_every_command_not_run_is_used() -> None:
    assert set(SETUPS) == {example.setup for example in EXAMPLES if example.setup}
    commands = {step.command for example in EXAMPLES for step in example.steps}
    assert set(NOT_RUN) <= commands


@pytest.mark.e2e
@pytest.mark.parametrize("example", EXAMPLES, ids=str)
def test_the_example_prints_what_its_page_shows(example: Example, sandbox: Sandbox) -> None:
    assert example.setup in SETUPS, "no setup named (see the test above)"
    SETUPS[example.setup](sandbox)
    for step in example.steps:
        if step.command in NOT_RUN:
            assert step.shown == [], f"{step.command!r} is not run here: show no output"
            continue
        code, printed = sandbox.printed(step)
        assert_same(printed, step.shown, step.command)
        failing = any(line.startswith(("ERROR - ", "PROBLEM ")) for line in step.shown)
        assert (code != 0) == failing, f"{step.command!r} exited {code}"


def assert_same(printed: list[str], shown: list[str], command: str) -> None:
    """The lines are the same but for local times and durations, which differ by at most
    :data:`SLACK` seconds."""
    assert [placeholders(line) for line in printed] == [placeholders(line) for line in shown], (
        command
    )
    for got, want in zip(durations(printed), durations(shown), strict=True):
        assert abs(got - want) <= SLACK, f"{command!r}: a duration of {got}s, not {want}s"


def placeholders(line: str) -> str:
    return STAMP.sub("<stamp>", TIME.sub("<time>", DURATION.sub("<duration>", line)))


def durations(lines: list[str]) -> list[int]:
    found = []
    for line in lines:
        for match in DURATION.finditer(line):
            hours, minutes, minutes_, seconds, seconds_ = (int(n or 0) for n in match.groups())
            found.append(hours * 3600 + (minutes + minutes_) * 60 + seconds + seconds_)
    return found
