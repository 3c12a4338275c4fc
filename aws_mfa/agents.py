"""Credentials for an AI agent or automation: who asks, what they get, and who approved it.

One decision per hand-out (``export``, ``exec``, ``exec --server``), made by
:func:`plan` before anything is asked or sent, and carried out by
:func:`hand_out`::

    --agent NAME, MFA_AGENT, else a known agent's marker (CLAUDECODE=1...)
        unless aws_mfa_agent_guard = off in the profile (all resolved as the setting
        ``agent``: :func:`aws_mfa.settings.resolve.detected`)
    -> a role profile: the role assumed from the cached MFA session, at most an hour,
       with a session policy (aws_mfa_agent_policy_arns, else the partition's
       ReadOnlyAccess; aws_mfa_agent_policy), NAME in its role session name, and
       SourceIdentity and the tag aws-mfa:agent=NAME where the profile asks for them
    -> a plain profile: the MFA session itself, which STS cannot scope
    -> a person approves first (the terminal, else the dialog of --prompt), once per
       session handed out (aws_mfa_agent_approval = session), at every hand-out
       (always), or never

For example, with::

    [profile prod]
    role_arn = arn:aws:iam::210987654321:role/admin
    source_profile = dev
    aws_mfa_agent_policy_arns = arn:aws:iam::aws:policy/ReadOnlyAccess
    aws_mfa_agent_tags = true

``CLAUDECODE=1 aws-mfa export -p prod --format process`` asks "Allow agent claude-code
AWS credentials of profile prod?" once, and hands out the role assumed as
``claude-code.alice``, read-only, tagged ``aws-mfa:agent=claude-code``.

``--session-policy-arn`` and ``--session-policy`` scope any hand-out of a role, an
agent's or a person's. Without an agent and without them, this module is not even
imported (:meth:`aws_mfa.cli.context.Context.agent_plan`): the hand-out is exactly what it
was before agents.

What it does not do: sandbox anything. An agent that runs commands as the user can
read what the user can read; this is a consent point and a net against accidents
(docs/agents.md, "Threat model"). Nor does it call STS or keep credentials itself
(:mod:`aws_mfa.sessions.keep`).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

from aws_mfa import log
from aws_mfa.clock import Clock, utc_now
from aws_mfa.errors import FileError, NotApprovedError, UsageError
from aws_mfa.expiry import format_duration
from aws_mfa.identity import ROLE, Identity
from aws_mfa.records import Record
from aws_mfa.settings import checks
from aws_mfa.settings.resolve import Settings

TYPE_CHECKING = False  # see aws_mfa.records: typing is not imported at run time
if TYPE_CHECKING:
    from datetime import datetime

    from aws_mfa.aws.sts import Scope
    from aws_mfa.keys import TemporaryCredentials
    from aws_mfa.sessions.keep import DocumentReader
    from aws_mfa.sessions.mfa_sessions import Approvals


MAX_SESSION_SECONDS = 3600
"""An agent's role lasts at most an hour (role chaining's limit, and a short leash)."""
READ_ONLY = "arn:{partition}:iam::aws:policy/ReadOnlyAccess"
"""An agent's session policy unless the profile names its own."""
MAX_POLICY_CHARACTERS = 2048
"""STS's limit on an inline session policy, compacted."""
TAG_KEY = "aws-mfa:agent"
TAG_VALUE = r"[\w.:/=+@ -]{1,256}"
"""What STS takes as a session tag's value (a comma is not among it)."""


class Agent(Record):
    """Who the credentials are for, and how aws-mfa knows (the reason users read)."""

    name: str
    source: str
    """``--agent``, ``MFA_AGENT``, or the marker, like ``CLAUDECODE=1``."""


def re_full(pattern: str, text: str) -> bool:
    return re.fullmatch(pattern, text) is not None


def who(settings: Settings) -> Agent | None:
    """The agent the settings resolved: ``--agent``, ``MFA_AGENT``, else a known agent's
    marker unless the profile turned that off (:func:`aws_mfa.settings.resolve.detected`)."""
    if settings.agent:
        return Agent(settings.agent, settings.sources.get("agent") or "--agent")
    return None


class Plan(Record):
    """One hand-out decided: to whom, what, and whether a person approves it first.

    The audit log reads :attr:`agent_name` and :attr:`policy_arns`."""

    identity: Identity
    """What is handed out: for an agent's role, capped at an hour and named for it."""
    agent: Agent | None
    scope: Scope | None
    """None for a session (STS cannot scope one)."""
    approval: str
    """``session``, ``always`` or ``never`` (see the module's docstring)."""
    settings: Settings
    """The profile's own settings: its prompt, and where its agent settings came from."""

    @property
    def agent_name(self) -> str | None:
        return self.agent.name if self.agent else None

    @property
    def policy_arns(self) -> tuple[str, ...]:
        return self.scope.policy_arns if self.scope else ()

    @property
    def grant(self) -> str:
        """What an approval approves: the agent, the profile and the scope."""
        from aws_mfa.sessions.keep import scope_key

        return "\0".join([self.agent_name or "", self.identity.name, scope_key(self.scope)])


def plan(
    settings: Settings,
    found: Identity,
    policy_arn_flags: Sequence[str] | None,
) -> Plan | None:
    """The hand-out of ``found`` (the profile's ``settings``): None when no agent asks and no
    session policy is given, else everything checked that STS would refuse, before any
    question, code or call."""
    agent = who(settings)
    arns = flag_arns(policy_arn_flags or ())
    if agent is None and not arns and settings.session_policy is None:
        return None
    role = found.settings if found.settings is not None and found.settings.role_arn else None
    if role is None:
        if arns or settings.session_policy is not None:
            given = "--session-policy-arn" if arns else "--session-policy"
            raise UsageError(
                f"{given}: profile {found.name} hands out an MFA session, which STS cannot "
                "limit with a session policy; use a role profile (docs/roles.md)"
            )
        assert agent is not None  # no agent and no policy returned above
        return Plan(found, agent, None, settings.agent_approval, settings)
    scope = role_scope(settings, found, agent, arns)
    if agent is None:
        return Plan(found, None, scope, "never", settings)
    return Plan(agents_role(found, role, agent), agent, scope, settings.agent_approval, settings)


def flag_arns(given: Sequence[str]) -> tuple[str, ...]:
    """The ARNs of ``--session-policy-arn``, each checked, at most as many as STS takes."""
    arns = tuple(checks.policy_arn(arn, "--session-policy-arn") for arn in given)
    if len(arns) > checks.MAX_POLICY_ARNS:
        raise UsageError(
            f"--session-policy-arn: {len(arns)} policies, and STS takes at most "
            f"{checks.MAX_POLICY_ARNS} in one call"
        )
    return arns


def agents_role(found: Identity, role: Settings, agent: Agent) -> Identity:
    """The role as an agent gets it: from the cached MFA session (which the profile must
    keep), for at most an hour, named for the agent."""
    if not found.session.session_cache:
        raise UsageError(
            f"profile {found.name}: an agent's role is assumed from the cached MFA session, "
            "which the profile turns off (aws_mfa_session_cache, --no-session-cache, "
            "MFA_SESSION_CACHE)"
        )
    return found._replace(
        settings=role._replace(
            duration=min(role.duration, MAX_SESSION_SECONDS),
            role_session_name=session_name(agent.name, role.role_session_name),
        )
    )


def role_scope(
    settings: Settings, found: Identity, agent: Agent | None, arns: tuple[str, ...]
) -> Scope:
    """What the role's AssumeRole carries: the flags' policies, else (for an agent) the
    profile's or ReadOnlyAccess; for an agent, SourceIdentity and the tag when asked for."""
    from aws_mfa.aws.sts import Scope

    path, source = settings.session_policy, "--session-policy"
    if agent is not None and not arns:
        arns = settings.agent_policy_arns or (READ_ONLY.format(partition=found.partition),)
    if agent is not None and path is None and settings.agent_policy is not None:
        path, source = settings.agent_policy, settings.sources.get("agent_policy", "")
    policy = read_policy(path, source) if path is not None else None
    if agent is None:
        return Scope(arns, policy)
    identity = None
    if settings.source_identity:
        identity = source_identity(settings, found.name, agent.name)
    tags: tuple[tuple[str, str], ...] = ()
    if settings.agent_tags:
        if not re_full(TAG_VALUE, agent.name):
            raise UsageError(
                f"aws_mfa_agent_tags: the agent name {agent.name!r} cannot be a session tag's "
                "value (STS refuses a comma there); name the agent without one"
            )
        tags = ((TAG_KEY, agent.name),)
    return Scope(arns, policy, identity, tags, agent.name)


def read_policy(path: str, source: str) -> str:
    """The inline session policy in the JSON file ``path``, compacted as STS counts it."""
    import json

    from aws_mfa.files import read

    try:
        snapshot = read.read_snapshot(path)
    except FileError as err:
        raise FileError(f"{source}: {err.message}") from err
    if snapshot is None:
        raise FileError(f"{source}: there is no policy file {path}")
    try:
        policy = json.loads(snapshot.text)
    except (ValueError, RecursionError) as err:
        raise UsageError(f"{source}: {path} is not JSON ({err.__class__.__name__})") from err
    if not isinstance(policy, dict) or "Statement" not in policy:
        raise UsageError(f"{source}: {path} is not an IAM policy (a JSON object with Statement)")
    compact = json.dumps(policy, separators=(",", ":"))
    if len(compact) > MAX_POLICY_CHARACTERS:
        raise UsageError(
            f"{source}: the policy in {path} is {len(compact)} characters without spaces, and "
            f"STS takes at most {MAX_POLICY_CHARACTERS}; use a managed policy instead"
        )
    return compact


def session_name(agent: str, base: str) -> str:
    """The role session name of an agent's session: its name first, so that CloudTrail
    shows it however long the rest, then the person's (``claude-code.alice``)."""
    return f"{agent}.{base}"[:64] if base else f"{agent}.aws-mfa"[:64]


def source_identity(settings: Settings, profile: str, agent: str) -> str:
    """``aws_mfa_source_identity`` filled in, checked as STS checks a SourceIdentity."""
    import socket

    values = {
        "user": checks.default_session_name(),
        "agent": agent,
        "profile": profile,
        "host": socket.gethostname().split(".")[0],
    }
    template = settings.source_identity or ""
    filled = template.format_map(values)
    label = settings.sources.get("source_identity", "aws_mfa_source_identity")
    if not re_full(checks.SESSION_NAME, filled) or filled.lower().startswith("aws:"):
        raise UsageError(
            f"{label}: {template!r} gives {filled!r}, which STS refuses as a SourceIdentity: "
            "2 to 64 letters, digits or the characters + = , . @ - _"
        )
    return filled


# The hand-out.

Asker = Callable[[str, Settings], None]
"""Asks a person to approve a question; returns when they do, else raises
NotApprovedError."""


def hand_out(
    chosen: Plan,
    read: DocumentReader,
    *,
    clock: Clock = utc_now,
    margin: int = 0,
    while_valid: bool = False,
    ask: Asker | None = None,
    approvals: Approvals | None = None,
    command: str = "login",
) -> TemporaryCredentials:
    """The credentials of ``chosen``, approved first where the plan says so.

    Credentials that need neither a code nor STS (:func:`aws_mfa.sessions.keep.held`) and
    were approved for this grant before are handed out again without a question
    (``session``); anything else is asked first, and nothing is asked for, sent or handed
    out unless the answer is yes. ``command``: whose hand-out a renewal's write is, in the
    audit log (:mod:`aws_mfa.sessions.handouts`)."""
    if chosen.agent is not None and chosen.scope is None:
        log.warning(
            "Handing agent %s (%s) the MFA session of profile %s: it is not scoped (STS "
            "cannot limit an MFA session); give agents a role profile (docs/agents.md)",
            chosen.agent.name,
            chosen.agent.source,
            chosen.identity.name,
        )
    if chosen.agent is None or chosen.approval == "never":
        return fetch(
            chosen, read, clock=clock, margin=margin, while_valid=while_valid, command=command
        )
    from aws_mfa.sessions.keep import held

    ready = held(chosen.identity, read, clock=clock, margin=margin, scope=chosen.scope)
    approvals = approvals if approvals is not None else default_approvals(chosen)
    if (
        ready is not None
        and approvals is not None
        and chosen.approval == "session"
        and approvals.approved(ready, chosen.grant, clock())
    ):
        log.info(
            "Handing agent %s the credentials approved before (%s left)",
            chosen.agent.name,
            format_duration((ready.expiration - clock()).total_seconds()),
        )
        return ready
    (ask or approve)(question(chosen, ready, clock()), chosen.settings)
    log.info("Approved: credentials for agent %s", chosen.agent.name)
    creds = ready or fetch(
        chosen, read, clock=clock, margin=margin, while_valid=while_valid, command=command
    )
    if approvals is not None:
        try:
            approvals.put(creds, chosen.grant, clock())
        except FileError as err:
            log.warning("The approval could not be kept for later runs (%s)", err.message)
    return creds


def fetch(
    chosen: Plan,
    read: DocumentReader,
    *,
    clock: Clock = utc_now,
    margin: int = 0,
    while_valid: bool = False,
    command: str = "login",
) -> TemporaryCredentials:
    """The credentials of ``chosen``, with no question: the role assumed with its scope (for
    ``--assume-role``, from the cached MFA session, written nowhere), or the session."""
    from aws_mfa.sessions import keep

    found = chosen.identity
    if chosen.scope is not None and found.kind != ROLE and found.settings is not None:
        return keep.assumed(found.settings, read, chosen.scope)
    return keep.credentials_of(
        found,
        read,
        clock=clock,
        margin=margin,
        while_valid=while_valid,
        scope=chosen.scope,
        command=command,
    )


def default_approvals(chosen: Plan) -> Approvals | None:
    """Where approvals are remembered: beside the cached MFA sessions, unless the profile
    keeps none (then each hand-out is asked for)."""
    session = chosen.identity.session
    if not session.session_cache:
        return None
    from aws_mfa.sessions.mfa_sessions import Approvals, default_folder

    return Approvals(default_folder(), session.lock_timeout)


def question(chosen: Plan, ready: TemporaryCredentials | None, now: datetime) -> str:
    """The question a person approves: the agent, the profile, the role, the policy and how
    long the credentials last."""
    agent = chosen.agent
    assert agent is not None
    found = chosen.identity
    if ready is not None:
        seconds = (ready.expiration - now).total_seconds()
    else:
        seconds = found.settings.duration if found.settings else 0
    lasting = format_duration(seconds)
    who_asks = f"agent {agent.name} ({agent.source})"
    if chosen.scope is None:
        return (
            f"Allow {who_asks} the MFA session of profile {found.name}? It is NOT scoped: "
            f"it may do everything your IAM user may, for up to {lasting}."
        )
    policies = list(chosen.scope.policy_arns)
    if chosen.scope.policy is not None:
        policies.append("an inline policy")
    return (
        f"Allow {who_asks} credentials of profile {found.name}: role {found.role_arn}, "
        f"limited by {', '.join(policies)}, for up to {lasting}?"
    )


def approve(text: str, settings: Settings) -> None:
    """Ask ``text`` on the terminal (y/N) when there is one, else in the dialog ``--prompt``
    chooses; return when approved, else NotApprovedError."""
    import os

    from aws_mfa.codes import prompts
    from aws_mfa.codes.mfa_code import can_prompt, terminal_prompter
    from aws_mfa.errors import NoTokenError, PromptRefusedError

    terminal = can_prompt(terminal_prompter)
    driver = prompts.choose(settings.prompt, os.environ, terminal)
    if driver not in prompts.DIALOGS:
        driver = "terminal" if terminal else None
    if driver is None:
        raise NotApprovedError(
            "credentials for an agent need a person's approval and there is no terminal or "
            "dialog to ask on; nothing was handed out (run it where one can ask, or set "
            "aws_mfa_agent_approval = never for the profile: docs/agents.md)"
        )
    if driver == "terminal":
        try:
            answer = terminal_prompter(f"{text} [y/N]: ")
        except NoTokenError as err:  # the end of its input
            raise NotApprovedError(
                "the question got no answer on the terminal; nothing was handed out"
            ) from err
        if answer.strip().lower() not in ("y", "yes"):
            raise NotApprovedError("the agent's credentials were declined; nothing was handed out")
        return
    log.info("Asking for approval with %s (--prompt %s)", driver, settings.prompt)
    try:
        prompts.ask_question(driver, text, settings.prompt_timeout)
    except NoTokenError as err:  # the dialog's program missing, or it could not show
        if not isinstance(err, PromptRefusedError):
            raise NotApprovedError(f"{err.message}; nothing was handed out") from err
        why = err.why.replace("its ", "the ", 1)  # refused: said no, cancelled, unanswered
        if why.endswith("was cancelled"):
            why = f"they were declined in the {driver} dialog"
        raise NotApprovedError(
            f"the agent's credentials were not approved: {why}; nothing was handed out"
        ) from err
