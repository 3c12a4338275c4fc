"""Credentials for AI agents (issue 33, items 1-4): named, scoped, approved, attributed.

Against the local STS (tests/strict_sts.py keeps every AssumeRole's parameters, and
refuses SourceIdentity and tags the role's trust policy does not allow). The dialog a
person approves in is faked twice, as tests/test_prompts.py fakes the code's: in-process
by replacing ``prompts.run_program`` (each question's command line is read), and as a real
program on PATH (tests/fake_driver.py, marked e2e).

The layout is docs/roles.md's::

    [profile dev]                         [dev-long-term]   <- the keys
    mfa_serial = arn:...:mfa/alice
                                          [dev]             <- the MFA session
    [profile prod]
    role_arn = arn:...:role/admin
    source_profile = dev
"""

from __future__ import annotations

import base64
import copy
import itertools
import json
import os
import stat
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import pytest

from aws_mfa import agents
from aws_mfa.codes import prompts
from aws_mfa.codes.prompts import Ran
from aws_mfa.settings.resolve import detected
from aws_mfa.settings.table import MARKERS
from tests import fake_driver
from tests.conftest import (
    AWS_MFA,
    DEVICE,
    ROLE,
    RUN_SECRETS,
    AwsMfa,
    Result,
    long_term,
    run_host,
    run_in_process,
    write,
)
from tests.strict_sts import Issued, StrictSts, strict_sts

__all__ = ["strict_sts"]  # the fixture, used by name

CODE = "123456"
READ_ONLY = "arn:aws:iam::aws:policy/ReadOnlyAccess"
CONFIG = (
    f"[profile dev]\nmfa_serial = {DEVICE}\n\n"
    f"[profile prod]\nrole_arn = {ROLE}\nsource_profile = dev\n"
)
YES, NO, NO_ANSWER = Ran(0, "", ""), Ran(1, "", ""), Ran(None, "", "")


class Dialogs:
    """The dialog programs, faked in-process: each command line is kept, and each run ends
    as the next of ``answers`` says (approved when none is left)."""

    def __init__(self) -> None:
        self.argvs: list[list[str]] = []
        self.answers: list[Ran] = []

    def __call__(self, argv: Sequence[str], timeout: float, on_line: object) -> Ran:
        self.argvs.append(list(argv))
        return self.answers.pop(0) if self.answers else YES

    @property
    def questions(self) -> list[str]:
        """The text of every yes/no question shown (zenity's ``--text``)."""
        return [
            word.removeprefix("--text=")
            for argv in self.argvs
            if "--question" in argv
            for word in argv
            if word.startswith("--text=")
        ]


@pytest.fixture
def dialogs(monkeypatch: pytest.MonkeyPatch) -> Dialogs:
    fake = Dialogs()
    monkeypatch.setattr(prompts, "run_program", fake)
    monkeypatch.setattr(prompts, "_which", lambda name: f"/usr/bin/{name}")
    return fake


@pytest.fixture
def config(home: Path) -> Path:
    return write(home / ".aws" / "config", CONFIG)


@dataclass
class Login:
    """What the person's login left: the files of ~/.aws (each one's bytes and mode), and what
    the local STS remembers of it (strict_sts issues the same keys, in the same order, in
    every test: the key, secret and token of its Nth answer are made from N)."""

    files: dict[Path, tuple[bytes, int]]
    issued: dict[str, Issued]
    codes: list[tuple[str, str]]
    calls: list[str]
    next_number: int


@pytest.fixture(scope="module")
def first_login() -> list[Login]:
    """The login the first ``logged_in`` test of the module (of the worker) made, once made."""
    return []


@pytest.fixture
def logged_in(
    credentials: Path,
    config: Path,
    home: Path,
    aws_mfa_in_process: AwsMfa,
    strict_sts: StrictSts,
    first_login: list[Login],
) -> AwsMfa:
    """The layout, logged in once (the MFA session cached): runs with the zenity dialog.

    The first test of the module logs in; each later one starts from a copy of what that
    login left, in ~/.aws and in the local STS's memory: the state a login of its own leaves,
    without running it again."""
    folder = home / ".aws"
    if not first_login:
        write(credentials, long_term("dev-long-term", device=None))
        assert aws_mfa_in_process("-p", "prod", "-c", CODE).code == 0
        number = next(strict_sts.counter)
        strict_sts.counter = itertools.count(number)
        files = {
            path.relative_to(folder): (path.read_bytes(), stat.S_IMODE(path.stat().st_mode))
            for path in folder.rglob("*")
            if path.is_file()
        }
        issued = copy.deepcopy(strict_sts.issued)
        first_login.append(
            Login(files, issued, list(strict_sts.codes), list(strict_sts.calls), number)
        )
    else:
        login = first_login[0]
        for name, (text, mode) in login.files.items():
            write(folder / name, text, mode)
        strict_sts.issued.update(copy.deepcopy(login.issued))
        strict_sts.codes[:] = login.codes
        strict_sts.calls[:] = login.calls
        strict_sts.counter = itertools.count(login.next_number)
        RUN_SECRETS.update(
            secret for each in login.issued.values() for secret in (each.secret, each.token)
        )
    return AwsMfaWith(aws_mfa_in_process, MFA_PROMPT="zenity")


class AwsMfaWith(AwsMfa):
    def __init__(self, inner: AwsMfa, **env: str) -> None:
        super().__init__({**inner.env, **env})

    def __call__(self, *args: str, stdin: str | None = None, **extra_env: str) -> Result:
        return run_in_process([AWS_MFA, *args], {**self.env, **extra_env}, stdin=stdin)


def export(run: AwsMfa, *args: str, **env: str) -> Result:
    return run("export", "-p", "prod", "--format", "process", *args, **env)


def key_of(result: Result) -> str:
    assert result.code == 0, result.stderr
    key: str = json.loads(result.stdout)["AccessKeyId"]
    return key


def test_an_agent_gets_a_read_only_role_of_an_hour_named_for_it_once_approved(
    logged_in: AwsMfa, dialogs: Dialogs, strict_sts: StrictSts
) -> None:
    key = key_of(export(logged_in, "--agent", "bot"))

    [asked] = dialogs.questions
    assert asked.startswith("Allow agent bot (--agent) credentials of profile prod: ")
    assert f"role {ROLE}, limited by {READ_ONLY}, for up to 1h 00m?" in asked
    [call] = strict_sts.assumed
    assert call["RoleSessionName"].startswith("bot.")
    assert call["DurationSeconds"] == "3600"
    assert call["PolicyArns.member.1.arn"] == READ_ONLY
    assert "SourceIdentity" not in call
    assert "Tags.member.1.Key" not in call
    assert call["@session_token"]  # signed with the MFA session, not the long-term keys
    assert strict_sts.issued[key].chained

    again = export(logged_in, "--agent", "bot")  # the same session: no question, no call
    assert key_of(again) == key
    assert len(dialogs.questions) == 1
    assert len(strict_sts.assumed) == 1
    assert "Handing agent bot the credentials approved before" in again.stderr


def test_a_persons_role_and_an_agents_are_never_handed_out_for_each_other(
    logged_in: AwsMfa, dialogs: Dialogs, strict_sts: StrictSts
) -> None:
    agents_key = key_of(export(logged_in, "--agent", "bot"))
    persons_key = key_of(export(logged_in))
    assert persons_key != agents_key
    assert "PolicyArns.member.1.arn" not in strict_sts.assumed[-1]  # as before agents
    assert key_of(export(logged_in)) == persons_key  # each from its own cache entry
    assert key_of(export(logged_in, "--agent", "bot")) == agents_key
    assert len(strict_sts.assumed) == 2
    assert len(dialogs.questions) == 1  # the person's runs asked nothing


@pytest.mark.parametrize(
    ("answer", "says"),
    [
        (NO, "they were declined in the zenity dialog"),
        (NO_ANSWER, "the zenity dialog got no answer within 120 seconds"),
    ],
)
def test_a_declined_or_unanswered_approval_hands_out_nothing_and_calls_nothing(
    logged_in: AwsMfa,
    dialogs: Dialogs,
    strict_sts: StrictSts,
    credentials: Path,
    answer: Ran,
    says: str,
) -> None:
    before, calls = credentials.read_bytes(), list(strict_sts.calls)
    dialogs.answers.append(answer)
    result = export(logged_in, "--agent", "bot")
    assert result.code == 11
    assert result.stdout == ""
    not_approved = "ERROR - the agent's credentials were not approved"
    assert result.error_lines == [f"{not_approved}: {says}; nothing was handed out"]
    assert strict_sts.calls == calls
    assert credentials.read_bytes() == before


def test_the_approval_comes_before_the_code_and_a_no_spends_none(
    credentials: Path,
    config: Path,
    aws_mfa_in_process: AwsMfa,
    dialogs: Dialogs,
    strict_sts: StrictSts,
) -> None:
    write(credentials, long_term("dev-long-term", device=None))
    before = credentials.read_bytes()
    dialogs.answers.append(NO)
    refused = export(aws_mfa_in_process, "--agent", "bot", MFA_PROMPT="zenity")
    assert refused.code == 11, refused.stderr
    assert [argv[1] for argv in dialogs.argvs] == ["--question"]  # no code was asked for
    assert strict_sts.calls == []
    assert credentials.read_bytes() == before

    dialogs.answers[:] = [YES, Ran(0, f"{CODE}\n", "")]
    approved = export(aws_mfa_in_process, "--agent", "bot", MFA_PROMPT="zenity")
    assert approved.code == 0, approved.stderr
    assert [argv[1] for argv in dialogs.argvs] == ["--question", "--question", "--entry"]
    assert strict_sts.calls == ["GetSessionToken", "AssumeRole"]


def test_a_known_agents_marker_makes_it_an_agent_unless_the_profile_turns_the_guard_off(
    logged_in: AwsMfa, dialogs: Dialogs, strict_sts: StrictSts, config: Path
) -> None:
    assert export(logged_in, CLAUDECODE="1").code == 0
    [asked] = dialogs.questions
    assert asked.startswith("Allow agent claude-code (CLAUDECODE=1) credentials of profile prod")
    assert strict_sts.assumed[-1]["RoleSessionName"].startswith("claude-code.")

    write(config, CONFIG + "aws_mfa_agent_guard = off\n")
    assert export(logged_in, CLAUDECODE="1").code == 0
    assert len(dialogs.questions) == 1
    assert "PolicyArns.member.1.arn" not in strict_sts.assumed[-1]
    assert export(logged_in, "--agent", "bot", CLAUDECODE="1").code == 0  # named: still one
    assert strict_sts.assumed[-1]["RoleSessionName"].startswith("bot.")


def test_the_profiles_policies_source_identity_and_tag_reach_sts(
    logged_in: AwsMfa, dialogs: Dialogs, strict_sts: StrictSts, config: Path, home: Path
) -> None:
    policy = {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": "s3:Get*", "Resource": "*"}],
    }
    write(home / "policy.json", json.dumps(policy, indent=2))
    own = "arn:aws:iam::123456789012:policy/agents"
    write(
        config,
        CONFIG
        + f"aws_mfa_agent_policy_arns = {own}, {READ_ONLY}\n"
        + "aws_mfa_agent_policy = ~/policy.json\n"
        + "aws_mfa_source_identity = {agent}-{profile}\n"
        + "aws_mfa_agent_tags = true\n",
    )
    assert export(logged_in, MFA_AGENT="bot").code == 0
    call = strict_sts.assumed[-1]
    assert (call["PolicyArns.member.1.arn"], call["PolicyArns.member.2.arn"]) == (own, READ_ONLY)
    assert json.loads(call["Policy"]) == policy
    assert " " not in call["Policy"]
    assert call["SourceIdentity"] == "bot-prod"
    assert (call["Tags.member.1.Key"], call["Tags.member.1.Value"]) == ("aws-mfa:agent", "bot")
    assert "an inline policy" in dialogs.questions[0]
    assert "(MFA_AGENT)" in dialogs.questions[0]


@pytest.mark.parametrize(
    ("setting", "action"),
    [
        ("aws_mfa_agent_tags = true", "sts:TagSession"),
        ("aws_mfa_source_identity = {user}", "sts:SetSourceIdentity"),
    ],
)
def test_a_trust_policy_without_the_permission_is_one_line_naming_the_change(
    logged_in: AwsMfa,
    dialogs: Dialogs,
    strict_sts: StrictSts,
    config: Path,
    setting: str,
    action: str,
) -> None:
    write(config, CONFIG + setting + "\n")
    strict_sts.trust.clear()
    result = export(logged_in, "--agent", "bot")
    assert result.code == 5
    [line] = result.error_lines
    assert f'the role\'s trust policy does not allow {action} to the caller; add "{action}"' in line
    assert setting.split(" ")[0] in line
    assert strict_sts.calls.count("AssumeRole") == 1  # not tried again without it, nor with keys


@pytest.mark.parametrize(
    ("args", "env", "code", "says"),
    [
        (["--agent", "two words"], {}, 2, "--agent: 'two words' is not an agent name"),
        ([], {"MFA_AGENT": "a" * 33}, 2, "MFA_AGENT: '" + "a" * 33 + "' is not an agent name"),
        (
            ["--session-policy-arn", "arn:aws:iam::aws:role/x"],
            {},
            2,
            "--session-policy-arn: 'arn:aws:iam::aws:role/x' is not a managed policy ARN",
        ),
        (
            [f"--session-policy-arn={READ_ONLY}"] * 11,
            {},
            2,
            "--session-policy-arn: 11 policies, and STS takes at most 10",
        ),
        (["--session-policy", "~/nothing.json"], {}, 3, "--session-policy: there is no policy"),
        (["--session-policy", "~/bad.json"], {}, 2, "--session-policy: "),
    ],
)
def test_bad_input_is_refused_before_any_question_or_call(
    logged_in: AwsMfa,
    dialogs: Dialogs,
    strict_sts: StrictSts,
    home: Path,
    args: list[str],
    env: dict[str, str],
    code: int,
    says: str,
) -> None:
    write(home / "bad.json", "{not json")
    calls = list(strict_sts.calls)
    result = export(logged_in, *args, **env)
    assert result.code == code, result.stderr
    [line] = result.error_lines
    assert line.startswith(f"ERROR - {says}"), line
    assert dialogs.argvs == []
    assert strict_sts.calls == calls


@pytest.mark.parametrize(
    ("line", "says"),
    [
        ("aws_mfa_agent_approval = sometimes", "'sometimes' is not one of session, always"),
        ("aws_mfa_agent_policy_arns = ReadOnly", "'ReadOnly' is not a managed policy ARN"),
        ("aws_mfa_source_identity = {who}", "{who} is none of {user}, {agent}"),
        ("aws_mfa_source_identity = {agent}!", "gives 'bot!', which STS refuses"),
    ],
)
def test_bad_agent_settings_are_refused_before_any_question_or_call(
    logged_in: AwsMfa,
    dialogs: Dialogs,
    strict_sts: StrictSts,
    config: Path,
    line: str,
    says: str,
) -> None:
    write(config, CONFIG + line + "\n")
    calls = list(strict_sts.calls)
    result = export(logged_in, "--agent", "bot")
    assert result.code == 2, result.stderr
    [error] = result.error_lines
    assert says in error
    assert dialogs.argvs == []
    assert strict_sts.calls == calls


def test_an_agent_name_sts_would_refuse_as_a_tag_is_refused_first(
    logged_in: AwsMfa, dialogs: Dialogs, strict_sts: StrictSts, config: Path
) -> None:
    write(config, CONFIG + "aws_mfa_agent_tags = true\n")
    result = export(logged_in, "--agent", "a,b")
    assert result.code == 2
    assert "the agent name 'a,b' cannot be a session tag's value" in result.error_lines[0]
    assert dialogs.argvs == []


def test_a_plain_profile_goes_to_an_agent_only_approved_and_said_to_be_unscoped(
    credentials: Path, aws_mfa_in_process: AwsMfa, dialogs: Dialogs, strict_sts: StrictSts
) -> None:
    write(credentials, long_term())
    assert aws_mfa_in_process("-c", CODE).code == 0
    run = AwsMfaWith(aws_mfa_in_process, MFA_PROMPT="zenity")
    result = run("export", "--format", "process", "--agent", "bot")
    session_key = key_of(result)
    [asked] = dialogs.questions
    assert "the MFA session of profile default? It is NOT scoped" in asked
    assert "it is not scoped (STS cannot limit an MFA session)" in result.stderr
    assert strict_sts.calls == ["GetSessionToken"]
    assert key_of(run("export", "--format", "process", "--agent", "bot")) == session_key
    assert len(dialogs.questions) == 1  # approved for this session

    wrong = run("export", "--session-policy-arn", READ_ONLY)
    assert wrong.code == 2
    assert "hands out an MFA session, which STS cannot limit" in wrong.error_lines[0]


def test_approval_always_asks_each_time_and_never_asks_not_at_all(
    logged_in: AwsMfa, dialogs: Dialogs, config: Path
) -> None:
    write(config, CONFIG + "aws_mfa_agent_approval = always\n")
    for _ in range(2):
        assert export(logged_in, "--agent", "bot").code == 0
    assert len(dialogs.questions) == 2
    write(config, CONFIG + "aws_mfa_agent_approval = never\n")
    assert export(logged_in, "--agent", "bot").code == 0
    assert len(dialogs.questions) == 2


def test_with_nobody_to_ask_nothing_is_handed_out(logged_in: AwsMfa, strict_sts: StrictSts) -> None:
    calls = list(strict_sts.calls)
    result = export(logged_in, "--agent", "bot", MFA_PROMPT="terminal")  # there is none
    assert result.code == 11
    assert "need a person's approval and there is no terminal or dialog" in result.error_lines[0]
    assert strict_sts.calls == calls


def test_a_session_policy_scopes_a_persons_role_without_a_question(
    logged_in: AwsMfa, dialogs: Dialogs, strict_sts: StrictSts
) -> None:
    assert export(logged_in, "--session-policy-arn", READ_ONLY).code == 0
    call = strict_sts.assumed[-1]
    assert call["PolicyArns.member.1.arn"] == READ_ONLY
    assert call["DurationSeconds"] == "3600"
    assert not call["RoleSessionName"].startswith("bot.")
    assert dialogs.argvs == []


def test_assume_role_for_an_agent_comes_from_the_cache_and_writes_nothing(
    credentials: Path, aws_mfa_in_process: AwsMfa, dialogs: Dialogs, strict_sts: StrictSts
) -> None:
    write(credentials, long_term())
    run = AwsMfaWith(aws_mfa_in_process, MFA_PROMPT="zenity", MFA_ASSUME_ROLE=ROLE)
    assert run("-c", CODE).code == 0  # the person's role, written to [default]
    before = credentials.read_bytes()
    assert run("export", "--format", "process", "--agent", "bot").code == 0
    assert credentials.read_bytes() == before
    call = strict_sts.assumed[-1]
    assert call["PolicyArns.member.1.arn"] == READ_ONLY
    assert call["@session_token"]  # from the cached MFA session
    assert strict_sts.calls.count("GetSessionToken") == 1


# The markers, and what the docs say of them.


def test_each_marker_names_its_agent() -> None:
    assert detected({}) == (None, "")
    assert detected({"CLAUDECODE": "1"}) == ("claude-code", "CLAUDECODE=1")
    assert detected({"CLAUDECODE": "0"}) == (None, "")
    assert detected({"CODEX_THREAD_ID": "t-1"}) == ("codex", "CODEX_THREAD_ID=...")
    assert detected({"AI_AGENT": "amp"}) == ("amp", "AI_AGENT=...")
    assert detected({"AI_AGENT": "not a name!"}) == ("agent", "AI_AGENT=...")
    assert detected({"AI_AGENT": "claude", "CLAUDECODE": "1"}) == ("claude-code", "CLAUDECODE=1")


def test_the_agents_name_leads_its_role_session_name_within_stss_limit() -> None:
    assert agents.session_name("bot", "alice") == "bot.alice"
    long = agents.session_name("a" * 32, "b" * 64)
    assert len(long) == 64
    assert long.startswith("a" * 32 + ".")
    assert agents.session_name("x", "") == "x.aws-mfa"


def test_every_marker_is_documented_with_its_source() -> None:
    text = (Path(__file__).resolve().parent.parent / "docs" / "agents.md").read_text()
    rows = [line for line in text.splitlines() if line.startswith("| `")]
    for marker in MARKERS:
        [row] = [line for line in rows if line.startswith(f"| `{marker.variable}")]
        assert "https://" in row, row


# A real dialog program on PATH.


@pytest.mark.e2e  # the fake program is a process; aws-mfa itself runs in-process
@pytest.mark.posix(reason="the fake drivers are #! scripts on PATH")
@pytest.mark.parametrize("driver", ["zenity", "kdialog", "osascript", "powershell"])
def test_each_dialog_program_asks_the_question(
    driver: str, tmp_path: Path, logged_in: AwsMfa, strict_sts: StrictSts
) -> None:
    folder = fake_driver.install(tmp_path / "bin")
    log = tmp_path / "drivers.log"
    env = {
        "PATH": f"{folder}{os.pathsep}{logged_in.env.get('PATH', '')}",
        "FAKE_DRIVER_LOG": str(log),
        "FAKE_DRIVER_CODE": "",
        "MFA_PROMPT": driver,
    }
    assert export(logged_in, "--agent", "bot", **env).code == 0
    [entry] = [json.loads(line) for line in log.read_text().splitlines()]
    assert entry["program"] == driver
    shown = " ".join(entry["argv"])
    if driver != "powershell":  # its script is encoded
        assert "agent bot (--agent)" in shown
        assert ROLE in shown
        assert READ_ONLY in shown
    assert strict_sts.assumed[-1]["PolicyArns.member.1.arn"] == READ_ONLY

    refused = export(logged_in, "--agent", "other", FAKE_DRIVER_MODE="cancel", **env)
    assert refused.code == 11
    assert len(strict_sts.assumed) == 1


# The recipes of docs/agents.md, as their hosts run them.

PAGE = Path(__file__).resolve().parent.parent / "docs" / "agents.md"
HOSTS = {
    "### Claude Code": "CLAUDECODE",
    "### AWS's MCP servers": "",
    "### Kiro": "KIRO_SESSION_ID",
}
"""The recipes' headings, and the marker each host sets in what it runs ("": none)."""
BOTO3_CALL = "import boto3; print(boto3.client('sts').get_caller_identity()['Arn'])"


def recipe(heading: str) -> dict[str, object]:
    """The first ```json block after ``heading`` in docs/agents.md."""
    text = PAGE.read_text(encoding="utf-8").split(f"\n{heading}\n", 1)[1]
    loaded: dict[str, object] = json.loads(text.split("```json\n", 1)[1].split("```", 1)[0])
    return loaded


def agent_profile() -> str:
    """The ```ini block of docs/agents.md that defines ``[profile agent]``."""
    text = PAGE.read_text(encoding="utf-8")
    return "[profile agent]" + text.split("[profile agent]", 1)[1].split("```", 1)[0]


def env_of(heading: str) -> dict[str, str]:
    block = recipe(heading)
    servers = block.get("mcpServers")
    env = servers["aws-api"]["env"] if isinstance(servers, dict) else block["env"]
    return {str(name): str(value) for name, value in env.items()}


@pytest.mark.e2e
@pytest.mark.posix(reason="the fake dialog is a #! script")
@pytest.mark.parametrize("heading", list(HOSTS))
def test_each_recipe_gets_the_agent_a_scoped_role_after_approval(
    heading: str,
    tmp_path: Path,
    credentials: Path,
    home: Path,
    config: Path,
    environment: dict[str, str],
    aws_mfa_in_process: AwsMfa,
    strict_sts: StrictSts,
) -> None:
    import sys

    write(config, CONFIG + "\n" + agent_profile())
    write(credentials, long_term("dev-long-term", device=None))
    assert aws_mfa_in_process("-p", "dev", "-c", CODE).code == 0  # the person's login
    fakes = fake_driver.install(tmp_path / "bin")
    tools = Path(sys.executable).parent  # where aws-mfa is installed
    marker = HOSTS[heading]
    env = {
        "HOME": str(home),
        "PATH": os.pathsep.join([str(fakes), str(tools), "/usr/bin", "/bin"]),
        **env_of(heading),
        **({marker: "1"} if marker else {}),
        "DISPLAY": ":0",  # where the approval is shown
        "AWS_ENDPOINT_URL_STS": environment["AWS_ENDPOINT_URL_STS"],
        "FAKE_DRIVER_CODE": "",
        "FAKE_DRIVER_LOG": str(tmp_path / "drivers.log"),
    }
    done = run_host(BOTO3_CALL, env)
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.startswith("arn:aws")
    [asked] = [json.loads(line) for line in (tmp_path / "drivers.log").read_text().splitlines()]
    assert asked["program"] == "zenity"
    assert "--question" in asked["argv"]
    assert "--text=Allow agent claude-code (--agent) credentials of profile prod" in " ".join(
        asked["argv"]
    )
    call = strict_sts.assumed[-1]
    assert call["PolicyArns.member.1.arn"] == READ_ONLY
    assert call["RoleSessionName"].startswith("claude-code.")


@pytest.mark.e2e
@pytest.mark.posix(reason="the fake dialog is a #! script")
def test_claude_codes_auth_refresh_renews_the_session_through_a_dialog(
    tmp_path: Path,
    credentials: Path,
    config: Path,
    home: Path,
    environment: dict[str, str],
    strict_sts: StrictSts,
) -> None:
    import shlex
    import subprocess

    write(credentials, long_term("dev-long-term", device=None))
    refresh = str(recipe("### Claude Code")["awsAuthRefresh"])
    words = shlex.split(refresh)
    assert words[0] == "aws-mfa"
    fakes = fake_driver.install(tmp_path / "bin")
    env = {
        "HOME": str(home),
        "PATH": os.pathsep.join([str(fakes), "/usr/bin", "/bin"]),
        "CLAUDECODE": "1",
        "DISPLAY": ":0",
        "AWS_ENDPOINT_URL_STS": environment["AWS_ENDPOINT_URL_STS"],
        "FAKE_DRIVER_CODE": CODE,
        "FAKE_DRIVER_LOG": str(tmp_path / "drivers.log"),
    }
    done = subprocess.run(
        [AWS_MFA, *words[1:]], env=env, capture_output=True, text=True, timeout=120,
        stdin=subprocess.DEVNULL, check=False, start_new_session=True,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert strict_sts.calls == ["GetSessionToken"]  # a login is no agent's hand-out
    [asked] = [json.loads(line) for line in (tmp_path / "drivers.log").read_text().splitlines()]
    assert "--entry" in asked["argv"]


def test_an_approval_counts_only_as_it_was_given(
    logged_in: AwsMfa, dialogs: Dialogs, home: Path
) -> None:
    assert export(logged_in, "--agent", "bot").code == 0
    folder = home / ".aws" / "aws-mfa-sessions"
    [approval] = folder.glob("approval-*.json")
    if os.name == "posix":
        assert approval.stat().st_mode & 0o777 == 0o600
    assert export(logged_in, "--agent", "bot").code == 0
    assert len(dialogs.questions) == 1

    assert export(logged_in, "--agent", "other").code == 0  # another agent: asked
    assert len(dialogs.questions) == 2
    assert export(logged_in, "--agent", "bot", "--session-policy-arn", READ_ONLY).code == 0
    assert len(dialogs.questions) == 2  # the same policy, given outright: the same grant

    entry = json.loads(approval.read_text())
    approval.write_text(json.dumps({**entry, "mac": "0" * 64}))  # planted, or tampered with
    assert export(logged_in, "--agent", "bot").code == 0
    assert len(dialogs.questions) == 3


def test_each_new_role_the_endpoint_serves_an_agent_is_approved_and_scoped(
    logged_in: AwsMfa, dialogs: Dialogs, strict_sts: StrictSts
) -> None:
    """``exec --server --agent``: the endpoint (in-process, on a stepped clock) serves a new
    role session when the first one ends, and asks for it first, as for the first."""
    from tests.stepped_time import wait_until
    from tests.test_server import endpoint_in_process

    strict_sts.role_expires_in = 6  # too short to be handed out again: the endpoint renews it
    with endpoint_in_process(logged_in.env, "-p", "prod", "--agent", "bot") as running:
        first = running.botocore_credentials().access_key
        running.time.advance_to(running.renewal_due())
        assert wait_until(lambda: running.key() not in (first, None))
    assert running.error_lines == []
    assert len(dialogs.questions) == 2
    assert all(question.startswith("Allow agent bot (--agent)") for question in dialogs.questions)
    assert [call["PolicyArns.member.1.arn"] for call in strict_sts.assumed] == [READ_ONLY] * 2
    assert all(call["RoleSessionName"].startswith("bot.") for call in strict_sts.assumed)


HOSTILE = "Allow agent x'$(touch y)\"&<b> credentials?"


@pytest.mark.parametrize("driver", list(prompts.DIALOGS))
def test_each_dialog_holds_the_question_as_data(driver: str) -> None:
    argv = prompts.question_argv(driver, driver, HOSTILE, 120)
    if driver == "powershell":
        script = base64.b64decode(argv[-1]).decode("utf-16-le")
        assert "'Allow agent x''$(touch y)\"&<b> credentials?'" in script
        assert "'YesNo'" in script
    elif driver == "zenity":  # --text is Pango markup
        assert "--text=Allow agent x'$(touch y)\"&amp;&lt;b&gt; credentials?" in argv
        assert "--question" in argv
    else:
        assert HOSTILE in argv


@pytest.mark.e2e  # exec replaces the process that runs it
def test_the_command_exec_runs_for_an_agent_is_that_agents(
    logged_in: AwsMfa, aws_mfa: AwsMfa, config: Path, strict_sts: StrictSts
) -> None:
    """An aws-mfa the command runs (a credential_process of another profile) hands out to the
    same agent: MFA_AGENT names it in the command's environment."""
    import sys

    write(config, CONFIG + "aws_mfa_agent_approval = never\n")
    shown = "import os; print(os.environ['MFA_AGENT'], os.environ['AWS_ACCESS_KEY_ID'])"
    result = aws_mfa("exec", "-p", "prod", "--agent", "bot", "--", sys.executable, "-c", shown)
    assert result.code == 0, result.stderr
    agent, key = result.stdout.split()
    assert agent == "bot"
    assert strict_sts.issued[key].chained
    assert strict_sts.assumed[-1]["PolicyArns.member.1.arn"] == READ_ONLY


def test_the_audit_log_names_the_agent_and_the_session_policy(
    logged_in: AwsMfa, home: Path, dialogs: Dialogs, strict_sts: StrictSts
) -> None:
    """What the plan decided reaches the audit line (aws_mfa.sessions.handouts)."""
    key = key_of(export(logged_in, "--agent", "bot"))
    assert export(logged_in, "--session-policy-arn", READ_ONLY).code == 0
    log = (home / ".aws" / "aws-mfa-audit.jsonl").read_text().splitlines()
    agent, person = [json.loads(line) for line in log if '"export"' in line]
    assert (agent["agent"], agent["session_policy_arns"]) == ("bot", [READ_ONLY])
    assert (agent["access_key_id"], agent["role_arn"]) == (key, ROLE)
    assert (person["agent"], person["session_policy_arns"]) == (None, [READ_ONLY])
