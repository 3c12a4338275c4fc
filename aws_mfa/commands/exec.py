"""``aws-mfa exec -- COMMAND``: run one command with the profile's fresh credentials.

It logs in as ``login`` does, if needed, then gives COMMAND the credentials,
in its environment or, with ``--server``, from a local endpoint that serves
and renews them (:mod:`aws_mfa.server`).

The command gets ``AWS_ACCESS_KEY_ID``, ``AWS_SECRET_ACCESS_KEY``,
``AWS_SESSION_TOKEN`` (and ``AWS_SECURITY_TOKEN`` for old SDKs) and
``AWS_CREDENTIAL_EXPIRATION``; ``AWS_PROFILE`` and ``AWS_DEFAULT_PROFILE`` are
removed so no SDK looks for a profile instead; the profile's region is set
when the environment has none.

aws-mfa then *becomes* the command (``exec``), as aws-vault does: the
command's exit code is aws-mfa's, Ctrl-C and every other signal reach it
directly, and no aws-mfa process lingers holding the credentials.

With ``--server`` (:func:`serve`) aws-mfa stays: the command gets no keys but
the endpoint's address and token, AWS files private to the run
(:func:`private_aws_files`) and none of the variables that could select
another credential source, so that its SDK can only ask the endpoint.

``AWS_MFA_EXEC`` (the profile's name) marks the command's environment, and
an ``aws-mfa exec`` inside it refuses to run unless ``--allow-nested`` is
given: nested sessions are rarely what was meant.
"""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager, nullcontext
from typing import TYPE_CHECKING, Any, NoReturn

from aws_mfa import system
from aws_mfa.aws import precedence
from aws_mfa.cli.context import Context
from aws_mfa.cli.prepare import credentials, prepare, record_hand_out
from aws_mfa.clock import Clock, utc_now
from aws_mfa.errors import CommandNotFoundError, NoTokenError, UsageError
from aws_mfa.files import ini, read
from aws_mfa.identity import ELSEWHERE, ROLE, Identity
from aws_mfa.keys import TemporaryCredentials
from aws_mfa.outputs import variables
from aws_mfa.records import Record
from aws_mfa.settings.checks import DEFAULT_PROFILE
from aws_mfa.settings.resolve import Settings

if TYPE_CHECKING:
    import subprocess

    from aws_mfa.agents import Plan
    from aws_mfa.server import CredentialServer, Waiter


def run(context: Context) -> int:
    check_nesting(context.environ, context.flags.switch("allow_nested"))
    program = context.flags.values.get("program")
    command = command_line(program if isinstance(program, list) else [])
    if context.flags.switch("server"):
        return serve(context, command, Redactors([]) if context.flags.switch("redact") else None)
    found = prepare(context, warn=False)
    creds = credentials(context, found)
    resolved = context.settings()
    env = child_environment(context.environ, creds, resolved.profile, resolved.region)
    env = for_agent(env, context)
    record_hand_out(context, found, creds, "environment")
    if context.flags.switch("redact"):
        secrets = [creds.access_key_id, creds.secret_access_key, creds.session_token]
        return supervise(command, env, Redactors(secrets))
    execute(command, env)


def serve(context: Context, command: list[str], redact: Redactors | None = None) -> int:
    """Log in once, then run ``command`` beside the endpoint, which renews in the background;
    ``redact``: every credential it serves, and its token, redacted in the command's output."""
    from aws_mfa import collector

    collector.resume()  # this process lives as long as the command
    also = redact.add if redact is not None else None
    resolved, server = endpoint(context, also=also)  # a code, if needed, is asked for first
    if redact is not None:
        redact.secrets.append(server.token)
    with server, private_aws_files(context, resolved.profile) as files:
        env = server_environment(
            context.environ, server.url, server.token, resolved.profile, resolved.region, files
        )
        return supervise(command, for_agent(env, context), redact)


AGENT_VARIABLE = "MFA_AGENT"


def for_agent(env: dict[str, str], context: Context) -> dict[str, str]:
    """The command's environment, naming the agent it runs for (``MFA_AGENT``) when it is
    one's: an ``aws-mfa`` it runs (a ``credential_process`` of another profile among them)
    hands out to the same agent, scoped and approved, never a person's credentials."""
    name = context.plan.agent_name if context.plan is not None else None
    return {**env, AGENT_VARIABLE: name} if name else env


def endpoint(
    context: Context,
    *,
    clock: Clock = utc_now,
    waiter: Waiter | None = None,
    also: Callable[[TemporaryCredentials], None] | None = None,
) -> tuple[Settings, CredentialServer]:
    """The first login, and the endpoint (not yet started) that serves its credentials and
    renews them (:class:`EndpointRenewal`) on ``clock`` and ``waiter``. Each credential it
    will serve is logged first, and given to ``also`` (``--redact``)."""
    from aws_mfa.server import CredentialServer, RenewalPolicy, identity

    found = prepare(context, warn=False)
    first = credentials(context, found)
    asked = found

    def served(fresh: TemporaryCredentials) -> None:
        record_hand_out(context, asked, fresh, "endpoint")
        if also is not None:
            also(fresh)

    served(first)
    chosen = context.plan  # an agent's: each renewal is its hand-out, approved as the first
    if chosen is not None:
        found = chosen.identity
        chosen = chosen._replace(identity=for_renewals(found))
    renew = EndpointRenewal(for_renewals(found), clock, chosen, served, first.access_key_id)
    fields = identity(found.role_arn, found.session.device)
    policy = RenewalPolicy(min_ttl=renew.later.session.min_ttl)
    server = CredentialServer(
        first, renew, policy=policy, fields=fields, clock=clock, waiter=waiter
    )
    return context.settings(), server


class EndpointRenewal:
    """How the endpoint renews (when is :class:`aws_mfa.server.RenewalPolicy`'s to say):
    ``renewal(margin)`` gives credentials with at least ``margin`` seconds left, for the
    identity of the first login made fit for later ones (:func:`for_renewals`): the
    profile's session, or for a role profile the role assumed anew from the MFA session its
    source profile keeps (that session renewed first when it must be); for an agent
    (``chosen``), each such hand-out as :func:`aws_mfa.agents.hand_out` makes it, approved.
    A code that cannot be asked for is the error that says what gives later codes
    (:func:`later_code_error`). Credentials it has not served before are logged first
    (``served``, the audit log): when that fails, the renewal fails, and the endpoint keeps
    what it had.
    """

    def __init__(
        self,
        later: Identity,
        clock: Clock = utc_now,
        chosen: Plan | None = None,
        served: Callable[[TemporaryCredentials], None] | None = None,
        serving: str = "",
    ) -> None:
        self.later, self.clock, self.chosen = later, clock, chosen
        self.served, self.serving = served, serving

    def __call__(self, margin: int) -> TemporaryCredentials:
        try:
            fresh = self.renewed(margin)
        except NoTokenError as err:
            instead = later_code_error(err)
            if instead is None:
                raise
            raise instead from err
        if self.served is not None and fresh.access_key_id != self.serving:
            self.served(fresh)
            self.serving = fresh.access_key_id
        return fresh

    def renewed(self, margin: int) -> TemporaryCredentials:
        from aws_mfa.sessions.keep import credentials_of

        later, session = self.later, self.later.session
        if later.kind != ROLE:
            later = later._replace(settings=session._replace(min_ttl=max(session.min_ttl, margin)))
        read_file = lambda: read.read_ini(session.credentials_file)  # noqa: E731
        if self.chosen is not None:
            from aws_mfa.agents import hand_out

            chosen = self.chosen._replace(identity=later)
            return hand_out(chosen, read_file, clock=self.clock, margin=margin, command="exec")
        return credentials_of(later, read_file, clock=self.clock, margin=margin, command="exec")


def for_renewals(found: Identity) -> Identity:
    """The identity of the endpoint's renewals: that of the first login, but no ``--force``
    (it applies to the first login only) and no code given outright (STS accepts a code
    once; later codes come from the token command or the terminal)."""

    def later(settings: Settings | None) -> Settings | None:
        return settings._replace(force=False, token=None) if settings is not None else None

    return found._replace(settings=later(found.settings), source=later(found.source))


def later_code_error(err: NoTokenError) -> NoTokenError | None:
    """When ``err`` says a code is needed and nothing can ask for one: the error that says
    what to do for the codes of later renewals, which a code given outright cannot be."""
    from aws_mfa.codes.mfa_code import no_terminal
    from aws_mfa.errors import NoCodeSourceError

    if not isinstance(err, NoCodeSourceError):
        return None
    if system.WINDOWS:
        return NoTokenError(
            "an MFA code is needed to renew the credentials of exec --server, and on Windows "
            "it is not asked for on the console while the command may read it; give "
            "--token-command or MFA_TOKEN_COMMAND (or mfa_process), MFA_PROMPT=ykman, or "
            "MFA_PROMPT=powershell (a dialog) for later codes"
        )
    return NoTokenError(
        no_terminal(
            "an MFA code is needed to renew the credentials of exec --server",
            "the code given with --token or MFA_TOKEN was spent on the first login; give "
            "--token-command or MFA_TOKEN_COMMAND (or mfa_process), or MFA_PROMPT=ykman, for "
            "later codes, or run aws-mfa in a terminal or on a desktop",
        )
    )


NESTING_VARIABLE = "AWS_MFA_EXEC"
PROFILE_VARIABLES = ("AWS_PROFILE", "AWS_DEFAULT_PROFILE")


def check_nesting(environ: Mapping[str, str], allowed: bool) -> None:
    """Refuse to run inside another ``aws-mfa exec`` unless ``allowed``."""
    outer = environ.get(NESTING_VARIABLE)
    if outer and not allowed:
        raise UsageError(
            f"already inside 'aws-mfa exec' for profile {outer} ({NESTING_VARIABLE} is set); "
            "exit it first, or pass --allow-nested to run one inside the other"
        )


def command_line(words: Sequence[str]) -> list[str]:
    """The command after ``--``; a UsageError when there is none."""
    command = list(words[1:] if words[:1] == ["--"] else words)
    if not command:
        raise UsageError("exec needs a command to run: aws-mfa exec [options] -- COMMAND [ARGS...]")
    return command


def child_environment(
    environ: Mapping[str, str], creds: TemporaryCredentials, profile: str, region: str | None
) -> dict[str, str]:
    """The environment the command runs with."""
    keys = {**variables(creds), "AWS_SECURITY_TOKEN": creds.session_token}
    return command_environment(environ, PROFILE_VARIABLES, keys, profile, region)


def command_environment(
    environ: Mapping[str, str],
    hidden: tuple[str, ...],
    given: Mapping[str, str],
    profile: str,
    region: str | None,
) -> dict[str, str]:
    """``environ`` without ``hidden``, with ``given``, the region when unset, and the mark."""
    env = {k: v for k, v in environ.items() if k not in hidden}
    env.update(given)
    if region:
        env.setdefault("AWS_REGION", region)
        env.setdefault("AWS_DEFAULT_REGION", region)
    env[NESTING_VARIABLE] = profile
    return env


def cannot_run(err: OSError, program: str) -> CommandNotFoundError:
    """The error for a command that cannot be started: 127 when missing, else 126."""
    if isinstance(err, FileNotFoundError):
        return CommandNotFoundError(f"exec: command not found: {program}")
    return CommandNotFoundError(f"exec: cannot run {program}: {err.strerror}", not_executable=True)


def execute(command: list[str], env: Mapping[str, str]) -> NoReturn:
    """Replace this process with ``command``."""
    sys.stdout.flush()
    sys.stderr.flush()
    try:
        system.run_in_place(command, env)
    except OSError as err:
        raise cannot_run(err, command[0]) from err


FORWARDED = ("SIGINT", "SIGTERM", "SIGHUP")
"""Signals passed on to the command under ``exec --server`` (it is not replaced)."""


class ChildFiles(Record):
    """The AWS files of the command of ``exec --server``, private to the run."""

    variables: dict[str, str]
    """``AWS_SHARED_CREDENTIALS_FILE``, ``AWS_CONFIG_FILE`` and ``BOTO_CONFIG``: their paths."""
    profiles: frozenset[str]
    """The profiles of that config file, named as botocore names them."""


@contextmanager
def private_aws_files(context: Context, served: str) -> Iterator[ChildFiles]:
    """A private folder with the command's AWS files, removed when the block ends.

    The folder is new and 0700 (:func:`tempfile.mkdtemp`), each file 0600:
    an empty credentials file, an empty boto config (``~/.boto`` and
    ``/etc/boto.cfg`` would come before the endpoint), and the command's AWS
    config (:func:`child_config`): the user's, where only the served profile
    and ``[default]`` lead to the endpoint, and every other profile to its
    own credentials. The files hold no secret: a folder left by a killed
    aws-mfa gives nothing away.
    """
    import shutil
    import tempfile

    from aws_mfa.aws.config_file import profiles
    from aws_mfa.files.safe_write import write_file

    text = child_config(context, served)
    names = frozenset(profiles(ini.parse(text, "the command's config")))
    folder = tempfile.mkdtemp(prefix="aws-mfa-exec-")
    try:
        files = {
            "AWS_SHARED_CREDENTIALS_FILE": ("credentials", ""),
            "AWS_CONFIG_FILE": ("config", text),
            "BOTO_CONFIG": ("boto.cfg", ""),
        }
        paths = {}
        for variable, (name, content) in files.items():
            paths[variable] = os.path.join(folder, name)
            write_file(paths[variable], content.encode("utf-8"))
        yield ChildFiles(paths, names)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def child_config(context: Context, served: str) -> str:
    """The AWS config of the command of ``exec --server``: every profile named as it is in
    the user's files means the same identity there (:mod:`aws_mfa.identity`).

    - the served profile and ``[default]``: every key that gives credentials removed
      (:func:`aws_mfa.aws.precedence.without_credentials`), so their SDK asks the endpoint;
    - a profile aws-mfa serves (a session it keeps, a role assumed from one):
      ``credential_process`` runs ``aws-mfa export`` for it, on the user's own files;
    - a profile whose credentials the AWS tools find by themselves from the config
      (IAM Identity Center, a role from such a source, ``credential_process``...): as it is;
    - any other profile, and every section of the credentials file the config does not
      name: ``credential_process`` runs ``aws-mfa export --stored``, which gives the keys the
      credentials file holds for it, or fails in one line when it holds none.

    So a command that names another profile gets that profile's own credentials or a clear
    failure, never the served profile's credentials under another name::

        [profile prod]
        role_arn = arn:aws:iam::210987654321:role/admin   (removed)
        source_profile = dev                              (removed)
        credential_process = aws-mfa export --format process --profile prod --credentials-file ...
    """
    from aws_mfa.aws.config_file import profile_of_header

    config = context.config()
    document = context.credentials()
    given: dict[str, dict[str, str] | None] = {}
    named: set[str] = set()
    for header in config.sections if config is not None else {}:
        name = profile_of_header(header)
        if name is None or name in (served, DEFAULT_PROFILE):
            continue
        named.add(name)
        given[header] = profile_source(context, name)
    text = precedence.without_credentials(config, given).text if config is not None else ""
    for name in document.sections if document is not None else {}:
        if name not in named and name not in (served, DEFAULT_PROFILE) and SIMPLE.fullmatch(name):
            process = profile_source(context, name) or stored_process(context, name)
            header = f"[profile {name}]\ncredential_process = {process['credential_process']}\n"
            text += ("\n" if text and not text.endswith("\n\n") else "") + header
    return text


SIMPLE = re.compile(r"[\w.@+=,-]+", re.A)
"""A section name that is a profile name as it is (others are left out of the command's config,
where naming them fails as it would for any profile botocore does not know)."""


def profile_source(context: Context, name: str) -> dict[str, str] | None:
    """What profile ``name`` gets in the command's config: a ``credential_process`` of
    aws-mfa's, or None to keep it as the user wrote it (see :func:`child_config`)."""
    found = context.identity_of(name)
    if found.servable:
        return {"credential_process": aws_mfa_command(context, name, "--format", "process")}
    profile = context.config_profiles().get(name)
    if (
        found.kind == ELSEWHERE
        and profile
        and any(map(precedence.selects_credentials, profile.values))
    ):
        return None
    return stored_process(context, name)


def stored_process(context: Context, name: str) -> dict[str, str]:
    return {"credential_process": aws_mfa_command(context, name, "--stored")}


def aws_mfa_command(context: Context, profile: str, *args: str) -> str:
    """The command line of ``aws-mfa export`` for ``profile`` on this run's files, as the
    ``credential_process`` of the command's config."""
    words = [
        sys.executable,
        "-m",
        "aws_mfa",
        "export",
        *args,
        "--profile",
        profile,
        "--credentials-file",
        context.credentials_path,
        "--config-file",
        context.config_path,
    ]
    return system.command_text(words)


def server_environment(
    environ: Mapping[str, str],
    url: str,
    token: str,
    profile: str,
    region: str | None,
    files: ChildFiles,
) -> dict[str, str]:
    """The command's environment under ``exec --server``: the endpoint, and no other source.

    None of the variables that could make the SDK take credentials from
    elsewhere (:data:`aws_mfa.aws.precedence.CREDENTIAL_SOURCE_VARIABLES`),
    and AWS files of its own (:func:`private_aws_files`), so its provider
    chain reaches the container-credentials provider, which asks the
    endpoint. ``AWS_PROFILE`` and ``AWS_DEFAULT_PROFILE`` stay only when they
    name the served profile and the command's config has it (botocore refuses a
    profile it cannot find): naming another, they would give the command that
    profile's credentials instead of those it runs for.
    """
    given = {
        "AWS_CONTAINER_CREDENTIALS_FULL_URI": url,
        "AWS_CONTAINER_AUTHORIZATION_TOKEN": token,
        **files.variables,
    }
    for name in PROFILE_VARIABLES:
        if environ.get(name) == profile and profile in files.profiles:
            given[name] = environ[name]
    return command_environment(
        environ, precedence.CREDENTIAL_SOURCE_VARIABLES, given, profile, region
    )


class Redactors:
    """``exec --redact``: the command's stdout and stderr shown with the credentials (with
    ``--server``, every credential the endpoint serves, and its token) replaced
    by ``<redacted>`` (:class:`aws_mfa.keys.Redactor`, one per stream, so a secret split
    across writes is caught). On the terminal lent to the command the relay filters them
    (both are the one pseudo-terminal); elsewhere each goes through a pipe that a thread
    copies to aws-mfa's own stdout or stderr, and when those are the same file (``2>&1``) the
    command gets one pipe for both, so a secret split between them is caught too.
    """

    def __init__(self, secrets: list[str]) -> None:
        self.secrets = secrets
        """What is redacted; it grows as the endpoint of ``exec --server`` serves more."""
        self.pipes: dict[int, tuple[int, int]] = {}
        self.threads: list[Any] = []

    def add(self, creds: TemporaryCredentials) -> None:
        """Redact ``creds`` too, from now on (before the endpoint serves them)."""
        self.secrets += [creds.access_key_id, creds.secret_access_key, creds.session_token]

    def redactor(self) -> Any:
        from aws_mfa.keys import Redactor

        return Redactor(self.secrets)

    def streams(self, targets: Sequence[int]) -> dict[str, int]:
        """The command's ``stdout`` and ``stderr`` (those of ``targets``, aws-mfa's 1 and
        2, that need a pipe), as :class:`subprocess.Popen` takes them."""
        merged = len(targets) == 2 and same_file(1, 2)
        for fd in targets:
            if not (merged and fd == 2):
                self.pipes[fd] = os.pipe()
        given = {
            name: self.pipes[fd][1]
            for fd, name in ((1, "stdout"), (2, "stderr"))
            if fd in self.pipes
        }
        if merged:
            given["stderr"] = given["stdout"]
        return given

    def started(self) -> None:
        """The command holds the pipes' writing ends: copy what comes through them."""
        import threading

        for target, (reader, writer) in self.pipes.items():
            os.close(writer)
            thread = threading.Thread(target=self.copy, args=(reader, target), daemon=True)
            thread.start()
            self.threads.append(thread)

    def copy(self, reader: int, target: int) -> None:
        redactor = self.redactor()
        try:
            while True:
                data = os.read(reader, 65536)
                system.write_all(target, system.redacted(redactor, data))
                if not data:
                    return
        except OSError:
            return
        finally:
            os.close(reader)

    def finish(self) -> None:
        """Wait for the last of the command's output (its pipes' ends)."""
        for thread in self.threads:
            thread.join()

    def close(self) -> None:
        """The command could not start: close the pipes."""
        for reader, writer in self.pipes.values():
            for fd in (reader, writer):
                try:
                    os.close(fd)
                except OSError:
                    continue


def same_file(one: int, other: int) -> bool:
    try:
        first, second = os.fstat(one), os.fstat(other)
    except OSError:
        return False
    return (first.st_dev, first.st_ino) == (second.st_dev, second.st_ino)


def supervise(command: list[str], env: Mapping[str, str], redact: Redactors | None = None) -> int:
    """Run ``command`` as a child, pass it SIGINT, SIGTERM and SIGHUP; its exit code.

    A child killed by signal N gives 128 + N, as shells report it. The
    terminal is lent to it: on POSIX through a relay where the command could
    read it (:func:`aws_mfa.system.terminal_relay`), from which a prompt for a
    renewal's code takes it back, so that the code typed is aws-mfa's, never
    the command's; on Windows not asked on while the command runs
    (:class:`aws_mfa.system.ConsoleLent`).
    """
    sys.stdout.flush()
    sys.stderr.flush()
    relay = system.terminal_relay()
    if relay is None:
        from_terminal = terminal_signals_reach_child()  # asked before the console is lent
        how = redact.streams([1, 2]) if redact is not None else {}
        with system.ConsoleLent() if system.WINDOWS else nullcontext():
            return run_beside(command, env, from_terminal, how, redact)
    with relay:
        return run_relayed(command, env, relay, redact)


def start(command: list[str], env: Mapping[str, str], **how: Any) -> subprocess.Popen[bytes]:
    """``command`` started, dying with aws-mfa where the system can; CommandNotFoundError
    when it cannot be started."""
    import subprocess

    try:
        return subprocess.Popen(command, env=dict(env), **how)
    except OSError as err:
        raise cannot_run(err, command[0]) from err


def run_beside(
    command: list[str],
    env: Mapping[str, str],
    from_terminal: bool,
    streams: Mapping[str, int] | None = None,
    redact: Redactors | None = None,
) -> int:
    """The command on aws-mfa's own terminal (if any), in aws-mfa's process group;
    ``from_terminal``: Ctrl-C reaches it without aws-mfa. ``streams`` and ``redact``: its
    output through :class:`Redactors`."""
    import signal

    started: list[subprocess.Popen[bytes]] = []
    early: list[int] = []  # signals that came while the command was being started

    def forward(number: int, frame: object) -> None:
        if number == signal.SIGINT and from_terminal:
            return  # Ctrl-C reached the command too: a second one would mean "force"
        if started:
            started[0].send_signal(number)
        else:
            early.append(number)

    # Forwarding is in place before the command starts: a SIGTERM sent once the command
    # runs (it may be quicker than aws-mfa) is the command's, never aws-mfa's own death.
    previous = {number: signal.signal(number, forward) for number in system.signals(FORWARDED)}
    try:
        try:
            child = start(command, env, preexec_fn=system.die_with_parent(), **(streams or {}))
        except CommandNotFoundError:
            if redact is not None:
                redact.close()
            raise
        started.append(child)
        for number in early:
            child.send_signal(number)
        if redact is not None:
            redact.started()
        code = child.wait()
        if redact is not None:
            redact.finish()
    finally:
        for number, handler in previous.items():
            signal.signal(number, handler)
    return 128 - code if code < 0 else code


def run_relayed(
    command: list[str],
    env: Mapping[str, str],
    relay: system.TerminalRelay,
    redact: Redactors | None = None,
) -> int:
    """The command on a pseudo-terminal that ``relay`` joins to the user's terminal (see
    :class:`aws_mfa.system.TerminalRelay`); ``redact``: its output through
    :class:`Redactors` (the relay's, and pipes for what is not the terminal)."""
    import signal

    stdin, stdout, stderr = relay.streams()
    how: dict[str, int | None] = {"stdout": stdout, "stderr": stderr}
    if redact is not None:
        relay.redactor = redact.redactor()
        elsewhere = [fd for fd, stream in ((1, stdout), (2, stderr)) if stream is None]
        how.update(redact.streams(elsewhere))
    setup = relay.child_setup(system.die_with_parent())
    started: list[subprocess.Popen[bytes]] = []
    early: list[int] = []  # signals that came while the command was being started

    def forward(number: int) -> None:
        if not started:
            early.append(number)
        elif number == signal.SIGINT:
            relay.interrupt()  # typed while a prompt held the terminal: the command's
        else:
            started[0].send_signal(number)

    # As in run_beside: forwarding is in place before the command starts, until the relay
    # puts its own handlers (which forward alike) in place.
    previous = {
        number: signal.signal(number, lambda number, frame: forward(number))
        for number in system.signals(FORWARDED)
    }
    try:
        try:
            child = start(
                command, env, stdin=stdin, start_new_session=True, preexec_fn=setup, **how
            )
        except CommandNotFoundError:
            relay.close()
            if redact is not None:
                redact.close()
            raise
        relay.started(child.pid)
        started.append(child)
        for number in early:
            forward(number)
        if redact is not None:
            redact.started()
        code = relay.run(forward)
    finally:
        for number, handler in previous.items():
            signal.signal(number, handler)
    child.returncode = code  # reaped by the relay
    if redact is not None:
        redact.finish()
    return code


def terminal_signals_reach_child() -> bool:
    """Whether Ctrl-C on a terminal reaches the command by itself (see
    :func:`aws_mfa.system.in_terminal_foreground`)."""
    return system.in_terminal_foreground()
