"""Shared fixtures: a clean environment, a local STS, and runners for the real commands.

Every test gets a throw-away HOME and no ``AWS_*``/``MFA_*`` variables, so
nothing reads or writes the developer's own AWS files. End-to-end tests run
the installed ``aws-mfa`` console script (and the AWS CLI) as subprocesses,
in a new session so that they have no controlling terminal, against one
local STS per test process.

The tests come in two tiers. A test that starts a process (aws-mfa, the AWS
CLI, a shell, a Python) is marked ``e2e``; every other test runs in the
pytest process, and :func:`no_process_unless_e2e` fails it if it starts one.
``python -m pytest -m "not e2e"`` is the inner loop, a third of the time of
the whole suite or less; ``python -m pytest`` (the README's and CI's) runs
both tiers. The ``aws_mfa_in_process`` fixture runs a command line through
:func:`aws_mfa.cli.main.main` in this interpreter (:func:`run_in_process`),
with the same environment, stdin, secret search and :class:`Result` as the
``aws_mfa`` fixture's real process; processes are kept for what only a
process shows: crashes and kills, lock contention between processes,
``exec``, the terminal prompt, the installed console script, the real AWS
CLI and the shells.
"""

from __future__ import annotations

import contextlib
import errno
import gc
import hashlib
import io
import itertools
import json
import os
import platform
import re
import shutil
import subprocess
import sys
import typing
import warnings
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import pytest

from aws_mfa.demo import LocalSts
from aws_mfa.errors import FileError
from aws_mfa.files import ini
from aws_mfa.settings.table import MARKERS

if typing.TYPE_CHECKING:
    from tests.secret_service import SecretService

BIN = Path(sys.executable).parent
AWS_MFA = shutil.which("aws-mfa", path=str(BIN)) or str(BIN / "aws-mfa")  # aws-mfa.exe on Windows
AWS_CLI = shutil.which("aws", path=str(BIN)) or str(BIN / "aws")

LONG_TERM_KEY_ID = "AKIAEXAMPLELONGTERM1"
LONG_TERM_SECRET = "long/term/secret/for/tests/only/0000000000"
DEVICE = "arn:aws:iam::123456789012:mfa/alice"
ROLE = "arn:aws:iam::210987654321:role/admin"

# What moto answers, as LocalSts makes it look like real STS.
SESSION_KEY_ID = "ASIAIOSFODNN7EXAMPLE"
SESSION_SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYzEXAMPLEKEY"


NO_KEYCHAIN = "keyring.backends.fail.Keyring"

sys.dont_write_bytecode = False
"""The suite keeps its compiled modules even where ``PYTHONDONTWRITEBYTECODE`` is set (container
images set it, and so do this project's machines): pytest keeps each test module's rewritten
asserts in ``tests/__pycache__`` only when it may write bytecode, and otherwise rewrites all of
them again in every worker of every run (collecting took 2.8 s of CPU a process, 1.2 s with
them kept; docs/architecture.md, "The test suite's time"). Read by pytest when it imports the
test modules, after this file; the processes tests start are told the same by the ``home``
fixture. pytest rewrites the asserts of every module of hypothesis too (the distribution of a
pytest plugin), so this file imports it only after this line (:func:`pytest_configure`):
imported before it, as it once was, it was rewritten again in every process (0.4 s of CPU)."""


@pytest.hookimpl(tryfirst=True)
def pytest_configure() -> None:
    """Hypothesis's profile: in CI (``CI`` set, as GitHub Actions and .ci/run set it) every
    property test runs its full count of examples; locally a quarter of them, for a quicker loop
    (``CI=1 python -m pytest`` runs the full counts). Registered before hypothesis's own plugin
    loads the one ``--hypothesis-profile`` names, and before the test modules are collected."""
    from hypothesis import settings

    settings.register_profile("ci", max_examples=100)
    settings.register_profile("local", max_examples=25)
    settings.load_profile("ci" if os.environ.get("CI") else "local")


def examples(in_ci: int) -> int:
    """How many examples a property test that runs ``in_ci`` of them in CI runs here."""
    from hypothesis import settings

    return max(10, in_ci * settings.default.max_examples // 100)


POSIX = os.name == "posix"

platform.uname()
"""Asked once, before any test refuses to start processes (no_process_unless_e2e): botocore's
user agent asks ``platform``, which keeps the answer, and which runs ``cmd /c ver`` to find
it where Windows' ``_wmi`` module is missing (under Wine; setup-winpy.sh removes it)."""

gc.set_threshold(10_000, 10, 10)
"""The test process collects cyclic garbage after 10,000 new objects, not Python's 700: each
botocore client an in-process run makes is a web of cycles that survives a young collection,
so with Python's thresholds the collector walked a worker's whole heap (some 250,000 objects)
26 times in the inner loop, and all its collections took 3.8 s of CPU with ``-n 0``; 1.0 s with
these. The same garbage is collected, later; the Pythons that tests start keep Python's own."""


def pytest_xdist_auto_num_workers(config: pytest.Config) -> int:
    """``-n auto`` (pyproject.toml's addopts): two workers per CPU, one for the inner loop.

    A worker of the whole suite spends about half its time waiting, not computing:
    on the aws-mfa, AWS CLI, shell and SDK processes its tests start, on sockets
    and on the disk. A second worker per CPU runs in those waits (measured on 2
    CPUs: the whole suite in 100 s with one worker per CPU, 77 s with two, 101 s
    with three). The inner loop (``-m "not e2e"``) starts no process and waits
    little: there a second worker per CPU only adds its start-up (32 s with one
    per CPU, 42 s with two).
    """
    cpus = os.cpu_count() or 1
    return cpus if config.getoption("markexpr", "") == "not e2e" else 2 * cpus


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """On Windows, skip the tests marked ``posix`` (docs/platforms.md says which, and why)."""
    if POSIX:
        return
    for item in items:
        marker = item.get_closest_marker("posix")
        if marker:
            why = marker.kwargs.get("reason", "modes, FIFOs, signals, a pty or a POSIX shell")
            item.add_marker(pytest.mark.skip(reason=f"POSIX only: {why}"))


NOT_INHERITED = (
    "DBUS_SESSION_BUS_ADDRESS",
    "DISPLAY",
    "WAYLAND_DISPLAY",
    "XDG_CURRENT_DESKTOP",
    "SSH_CONNECTION",
    "YKMAN_OATH_CREDENTIAL_NAME",
)
"""The developer's desktop, keychain and YubiKey settings: a test that wants one sets its own."""
AGENT_MARKERS = frozenset(marker.variable for marker in MARKERS)
"""What a coding agent sets in the commands it runs: a suite run by one is no agent's run
(tests/test_agents.py sets its markers itself)."""


@pytest.fixture(autouse=True)
def home(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """A throw-away HOME, and an environment with no AWS_* or MFA_* variables, and no desktop
    (:data:`NOT_INHERITED`).

    keyring is told to use no keychain at all, so that no test reads or
    writes the developer's own keychain; the tests of tests/test_keychain.py
    give theirs explicitly.
    """
    for key in list(os.environ):
        if key.startswith(("AWS_", "MFA_")) or key in NOT_INHERITED or key in AGENT_MARKERS:
            monkeypatch.delenv(key)
    # aws-mfa, and the Pythons tests start, compile aws_mfa's modules once, not at every start
    monkeypatch.delenv("PYTHONDONTWRITEBYTECODE", raising=False)
    if sys.platform in ("darwin", "win32"):
        # There a desktop is always at hand, and --prompt auto would show a real dialog
        # where a test expects a run with no terminal to stop; tests of auto say so.
        monkeypatch.setenv("MFA_PROMPT", "terminal")
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", NO_KEYCHAIN)
    folder = tmp_path / "home"
    folder.mkdir()
    monkeypatch.setenv("HOME", str(folder))
    monkeypatch.setenv("USERPROFILE", str(folder))  # where Windows looks, as botocore does there
    return folder


NO_TERMINAL: dict[str, Any] = (
    {"creationflags": subprocess.DETACHED_PROCESS}
    if sys.platform == "win32"
    else {"start_new_session": True}
)
"""``subprocess`` options that start a child with no terminal, as a test of "no terminal"
expects: on POSIX a session of its own, so no controlling terminal; on Windows no console
at all (``start_new_session`` does nothing there, and the child would share the test's
console; ``CREATE_NO_WINDOW`` would give it a hidden one, whose ``CONIN$`` it could open
and wait on)."""


PROCESS_STARTERS = ("fork", "forkpty", "posix_spawn", "posix_spawnp", "system", "execv", "execve")
"""What in ``os`` starts (or becomes) another program; ``subprocess`` is refused separately."""


@pytest.fixture(autouse=True)
def no_process_unless_e2e(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> None:
    """Fail a test that starts a process and is not marked ``e2e``: the tiers stay honest.

    ``python -m pytest -m "not e2e"`` stays fast only while no such test
    starts aws-mfa, a shell or a Python; one that must is marked e2e, one
    that need not runs aws-mfa in-process (``aws_mfa_in_process``).
    """
    if request.node.get_closest_marker("e2e") is not None:
        return

    def refuse(how: str) -> Callable[..., None]:
        def refused(*args: object, **kwargs: object) -> None:
            pytest.fail(
                f"{request.node.nodeid} started a process ({how}) and is not marked e2e: "
                "marked e2e? (@pytest.mark.e2e); a test that needs no process runs aws-mfa "
                "in-process (aws_mfa_in_process)",
                pytrace=False,
            )

        return refused

    monkeypatch.setattr(subprocess.Popen, "_execute_child", refuse("subprocess"))
    for name in PROCESS_STARTERS:
        if hasattr(os, name):
            monkeypatch.setattr(os, name, refuse(f"os.{name}"))


@pytest.fixture(autouse=True)
def no_disk_flush_unless_e2e(
    request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch
) -> None:
    """In a test not marked ``e2e``, ``os.fsync`` checks its descriptor and flushes nothing.

    What reaches the platters before a power cut is nothing a test sees, and
    each of aws-mfa's writes waits for two flushes (the file, then its folder:
    about 4 ms on the 2-core machines, some 1,500 in the inner loop), as
    Debian's eatmydata spares package builds. aws-mfa still calls them, and a
    closed or wrong descriptor still fails (``os.fstat``); the processes of
    the ``e2e`` tests (the kills of tests/test_crash.py among them) flush for real.
    """
    if request.node.get_closest_marker("e2e") is not None:
        return

    def checked_only(fd: int) -> None:
        os.fstat(fd)

    monkeypatch.setattr(os, "fsync", checked_only)


def new_window(home: Path) -> None:
    """Forget which MFA codes were used, as if the next 30-second window had begun.

    Real STS rejects a code used twice, so aws-mfa waits for (or asks for) a
    new code when a device's code was already used in the current window.
    Tests that log in twice in a row for one device call this in between.
    """
    (home / ".aws" / "aws-mfa-used-codes.json").unlink(missing_ok=True)


@pytest.fixture
def credentials(home: Path) -> Path:
    """Where the credentials file goes (not created)."""
    return home / ".aws" / "credentials"


def write(path: Path, text: str | bytes, mode: int = 0o600) -> Path:
    """Write ``text`` exactly (no newline translation), creating folders."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    path.write_bytes(text.encode() if isinstance(text, str) else text)
    path.chmod(mode)
    return path


def long_term(section: str = "default-long-term", device: str | None = DEVICE) -> str:
    """A long-term section with the test keys (and a device unless None)."""
    text = (
        f"[{section}]\n"
        f"aws_access_key_id = {LONG_TERM_KEY_ID}\n"
        f"aws_secret_access_key = {LONG_TERM_SECRET}\n"
    )
    if device:
        text += f"aws_mfa_device = {device}\n"
    return text


def session(section: str, expiration: str, role: str | None = None) -> str:
    """A short-term section as aws-mfa 0.0.12 writes it."""
    text = (
        f"[{section}]\n"
        f"assumed_role = {'True' if role else 'False'}\n"
        "aws_access_key_id = ASIAOLDSESSION000001\n"
        "aws_secret_access_key = old/session/secret\n"
        "aws_session_token = old-session-token\n"
        "aws_security_token = old-session-token\n"
        f"expiration = {expiration}\n"
    )
    if role:
        text += f"assumed_role_arn = {role}\n"
    return text


@pytest.fixture(scope="session")
def sts_server() -> Iterator[LocalSts]:
    with LocalSts() as server:
        yield server


@pytest.fixture
def sts(sts_server: LocalSts) -> Iterator[LocalSts]:
    """The local STS, with no fault and no recorded requests.

    It knows the test keys' secret, so a request signed by their key id with
    any other secret is refused, as real STS refuses it.
    """
    sts_server.fault = sts_server.responder = None
    sts_server.requests.clear()
    sts_server.secrets = {LONG_TERM_KEY_ID: LONG_TERM_SECRET}
    yield sts_server
    sts_server.fault = sts_server.responder = None


@dataclass
class Result:
    code: int
    stdout: str
    stderr: str

    @property
    def error_lines(self) -> list[str]:
        return [line for line in self.stderr.splitlines() if line.startswith("ERROR")]


SECRET_KEYS = ("aws_secret_access_key", "aws_session_token", "aws_security_token")
MOTO_SESSION_TOKEN_START = "AQoEXAMPLEH4aoAH0gNCAPyJxz4BlCFFxWNE1OPTgk5TthT"
CODE = re.compile(r"(?<!\d)\d{6}(?!\d)")
TOKEN_FLAGS = {"-c", "-m", "--token", "--mfa-token", "--mfa-code", "--token-code"}


KEYCHAIN_SECRETS: set[str] = set()
"""Secrets tests put in a keychain themselves (tests/secret_service.py adds them)."""
RUN_SECRETS: set[str] = set()
"""Secrets a test's local services issued that no file may hold: the credentials of
tests/strict_sts.py (roles and federation tokens are written nowhere by ``console``)."""
SIGNIN_TOKENS: set[str] = set()
"""The sign-in tokens of the console's stand-in (tests/signin_standin.py): secret in every
output but the stdout of ``console --print``, which prints the URL holding one when asked."""
TEST_KEYRING = "test-keyring.json"
"""The file of tests/keyring_backends.FileKeyring, in HOME."""


def secrets_under(home: Path) -> set[str]:
    """Every secret key and session token in the AWS files under ``home``, and the known ones.

    Known: the test keys' secret (wherever it lives, the file or a keychain),
    moto's session, the secrets tests put in a keychain, and those in the
    plain test keychain of ``home``.
    """
    found = {LONG_TERM_SECRET, SESSION_SECRET, MOTO_SESSION_TOKEN_START, LONG_TERM_KEY_ID}
    found |= KEYCHAIN_SECRETS
    if (home / TEST_KEYRING).is_file():
        found.update(json.loads((home / TEST_KEYRING).read_text()).get("entries", {}).values())
    folder = home / ".aws"
    for path in folder.rglob("*") if folder.is_dir() else []:
        if not path.is_file():  # a FIFO or a device in a test would block the read
            continue
        if path.suffix == ".json":  # the cached MFA sessions, the aws login cache
            found.update(json_secrets(path))
            continue
        try:
            document = ini.parse(path.read_text(encoding="utf-8"), str(path))
        except (OSError, ValueError, FileError):
            continue
        for section in document.sections.values():
            found.update(
                value
                for key, value in section.values.items()
                if key in SECRET_KEYS and len(value) > 7
            )
    return found


LOGIN_SECRET_KEYS = ("refreshToken", "dpopKey", "idToken")
"""The secrets of an ``aws login`` cache file (besides its credentials, in ``accessToken``)."""


def json_secrets(path: Path) -> set[str]:
    """The secret values of a cached MFA session file, or of an ``aws login`` cache file: its
    credentials, refresh token, ID token and DPoP key (each line of the key's body too)."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError, RecursionError):  # hostile files in tests too
        return set()
    if not isinstance(data, dict):
        return set()
    secret_fields = ("SecretAccessKey", "SessionToken", "old_secret", "new_secret")  # + journals
    found = {str(data[key]) for key in secret_fields if data.get(key)}
    token = data.get("accessToken")
    if isinstance(token, dict):
        found |= {str(token[key]) for key in ("secretAccessKey", "sessionToken") if key in token}
    for key in LOGIN_SECRET_KEYS:
        if isinstance(data.get(key), str):
            found.add(data[key])
            found |= {
                line for line in data[key].splitlines() if len(line) > 7 and "-----" not in line
            }
    return found


def login_cache_secrets(env: dict[str, str]) -> set[str]:
    """The secrets of the ``aws login`` cache files in ``$AWS_LOGIN_CACHE_DIRECTORY``, when a
    test puts the cache outside the home."""
    folder = (
        Path(env["AWS_LOGIN_CACHE_DIRECTORY"]) if env.get("AWS_LOGIN_CACHE_DIRECTORY") else None
    )
    if folder is None or not folder.is_dir():
        return set()
    return {
        secret for path in folder.glob("*.json") if path.is_file() for secret in json_secrets(path)
    }


def check_no_secrets(command: list[str], env: dict[str, str], stdin: str, result: Result) -> None:
    """Fail when a secret or an MFA code appears in what a run printed.

    Only ``export`` and ``exec`` may print credentials, on stdout: the first
    because it was asked to, the second because its command may; and only
    ``console --print`` a sign-in token, in the URL it was asked for. The
    failure message never repeats the secret.
    """
    home = Path(env.get("HOME", "/nonexistent"))
    printed = {"stderr": result.stderr}
    words = {word for arg in command[1:] for word in arg.split()}
    if not {"export", "exec"} & words:
        printed["stdout"] = result.stdout
    given = [value for flag, value in itertools.pairwise(command) if flag in TOKEN_FLAGS]
    codes = set(CODE.findall(" ".join([*given, stdin, env.get("MFA_TOKEN", "")])))
    secrets = secrets_under(home) | login_cache_secrets(env) | RUN_SECRETS
    url_printed = "console" in words and "--print" in words
    for stream, text in printed.items():
        bearer = set() if stream == "stdout" and url_printed else SIGNIN_TOKENS
        for secret in secrets | bearer:
            if secret in text:
                pytest.fail(f"a secret ({len(secret)} characters) was printed on {stream}")
        for code in codes:
            if re.search(rf"(?<!\d){code}(?!\d)", text):
                pytest.fail(f"an MFA code given to the run was printed on {stream}")


def run(
    command: list[str],
    env: dict[str, str],
    stdin: str | None = None,
    timeout: float = 60,
) -> Result:
    """Run ``command`` with no controlling terminal; stdin is empty unless given.

    Whatever it prints is searched for secrets (see :func:`check_no_secrets`).
    """
    done = subprocess.run(
        command,
        env=env,
        input=stdin if stdin is not None else "",
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
        **NO_TERMINAL,
    )
    result = Result(done.returncode, done.stdout, done.stderr)
    check_no_secrets(command, env, stdin or "", result)
    return result


def run_in_process(
    command: list[str], env: dict[str, str], stdin: str | None = None, timeout: float = 60
) -> Result:
    """Run aws-mfa's ``main(command[1:])`` in this interpreter, as :func:`run` runs it in a process.

    For the run, and only for it: ``os.environ`` is exactly ``env`` (botocore,
    keyring and ``Path.home()`` read it, and so does ``main``, as in the
    console script); stdin is ``stdin`` (empty unless given), as a pipe gives
    it; stdout and stderr are captured; warnings are shown on that stderr as
    a process shows them; keyring chooses its backend again from ``env`` (it
    keeps its choice in ``keyring.core``); ``sys.exit`` (argparse's errors,
    ``--help``) gives the exit code, as it does to a process; the log level
    (a global of :mod:`aws_mfa.log`) is put back afterwards; a run longer than
    ``timeout`` seconds fails the test, as :func:`run`'s does. Line ends are
    read as :func:`run` reads a process's output (universal newlines).

    There is no controlling terminal, as in :func:`run`'s new session:
    :func:`aws_mfa.system.open_terminal`, the one place aws-mfa opens
    ``/dev/tty``, fails as it fails there. Without this a run under a
    developer's terminal would find it and wait for a typed code. Whatever
    the run printed is searched for secrets, as :func:`run` searches it.

    What a run shares with the pytest process: the modules it imported and
    their caches; the collector, on as pytest has it (this calls ``main``,
    not the console script's ``entry``, which turns it off for a process
    that ends with the run); and what botocore reads and checks once
    (:func:`botocore_as_one_long_lived_process`).
    """
    from aws_mfa import log, system
    from aws_mfa.cli.main import main

    def run_in_place(command: object, env: object) -> None:
        pytest.fail("exec replaces the process that runs it: run it with aws_mfa, not in-process")

    out, err = io.StringIO(), io.StringIO()
    threshold = log._threshold
    try:
        with (
            environment_of(env),
            no_controlling_terminal(),
            replaced(system, "run_in_place", run_in_place),
            replaced(sys, "stdin", io.StringIO(stdin or "")),
            contextlib.redirect_stdout(out),
            contextlib.redirect_stderr(err),
            warnings_as_in_a_process(),
            time_limit(timeout),
        ):
            try:
                code = main(command[1:])
            except SystemExit as exit_:
                code = exit_code(exit_)
    finally:
        log._threshold = threshold
    result = Result(code, universal_newlines(out.getvalue()), universal_newlines(err.getvalue()))
    check_no_secrets(command, env, stdin or "", result)
    return result


@contextlib.contextmanager
def environment_of(env: dict[str, str]) -> Iterator[None]:
    """``os.environ`` is exactly ``env`` inside, and keyring chooses its backend from it."""
    saved = dict(os.environ)
    os.environ.clear()
    os.environ.update(env)
    forget_keyring_backend()
    try:
        yield
    finally:
        os.environ.clear()
        os.environ.update(saved)
        forget_keyring_backend()


@contextlib.contextmanager
def no_controlling_terminal() -> Iterator[None]:
    """aws-mfa finds no terminal inside, as in a process started in a new session."""
    from aws_mfa import system

    def open_terminal() -> system.Terminal:
        raise OSError(errno.ENXIO, "no controlling terminal (aws-mfa runs in-process)")

    with replaced(system, "open_terminal", open_terminal):
        yield


_LOADERS: dict[str | None, object] = {}
"""botocore loaders by data_path, for :func:`shared_botocore_loader`."""


@contextlib.contextmanager
def shared_botocore_loader() -> Iterator[None]:
    """Every botocore session made inside reads its data through one loader per data_path.

    A process reads botocore's JSON (the service model, endpoints, partitions)
    afresh; reading it again for each in-process run, or each test that makes a
    session, costs about 80 ms that prove nothing, so they share what they read,
    as the clients of one long-lived session do.
    The loader is still chosen by ``data_path`` (``AWS_DATA_PATH``), as botocore
    chooses it.
    """
    import botocore.session

    create_loader = botocore.session.create_loader

    def shared(search_path_string: str | None = None) -> object:
        if search_path_string not in _LOADERS:
            _LOADERS[search_path_string] = create_loader(search_path_string)
        return _LOADERS[search_path_string]

    with replaced(botocore.session, "create_loader", shared):
        yield


@pytest.fixture(autouse=True, scope="session")
def botocore_as_one_long_lived_process() -> Iterator[None]:
    """Every botocore session of this test process shares what would not change in one process.

    Its loader (:func:`shared_botocore_loader`) and the checks of its built-in
    handlers (:func:`remembered_handler_checks`): aws-mfa makes one botocore
    session a run, a process pays for them once, and the in-process runs and
    tests make some 600 sessions in a worker.
    """
    with shared_botocore_loader(), remembered_handler_checks():
        yield


@contextlib.contextmanager
def remembered_handler_checks() -> Iterator[None]:
    """Inside, botocore checks each plain handler function and aliases each event name once.

    A new botocore session registers some 140 built-in handlers, and for each
    one asks whether it takes ``**kwargs`` (``inspect.getfullargspec``) and
    what its event is called after botocore's aliases: about 12 of the 16 ms
    a session costs. The answers stay botocore's own (its functions,
    memoized); a session with aliases of its own keeps a cache of its own.
    A function's answer is kept while the function lives: boto3 registers
    closures of its own with each session, and a plain dict kept every one
    of them, and through them every session's event emitter (some 600 in a
    worker, which made each of Python's full garbage collections slower).
    """
    import types
    import weakref

    import botocore.hooks

    checked: weakref.WeakKeyDictionary[object, object] = weakref.WeakKeyDictionary()
    aliased: dict[str, str] = {}
    accepts_kwargs = botocore.hooks.accepts_kwargs
    aliaser_init = botocore.hooks.EventAliaser.__init__

    def remembered(func: object) -> object:
        # A method's **kwargs are its function's: remembered by the function, so that no
        # client's handler object is kept alive here. Anything else is asked each time.
        key = func.__func__ if isinstance(func, types.MethodType) else func
        if not isinstance(key, types.FunctionType):
            return accepts_kwargs(func)
        if key not in checked:
            checked[key] = accepts_kwargs(func)
        return checked[key]

    def shared_aliases(aliaser: Any, *args: Any, **kwargs: Any) -> None:
        aliaser_init(aliaser, *args, **kwargs)
        if aliaser._event_aliases is botocore.hooks.EVENT_ALIASES:
            aliaser._alias_name_cache = aliased

    with (
        replaced(botocore.hooks, "accepts_kwargs", remembered),
        replaced(botocore.hooks.EventAliaser, "__init__", shared_aliases),
    ):
        yield


@contextlib.contextmanager
def replaced(owner: object, name: str, value: object) -> Iterator[None]:
    """``owner.name`` is ``value`` inside."""
    saved = getattr(owner, name)
    setattr(owner, name, value)
    try:
        yield
    finally:
        setattr(owner, name, saved)


@contextlib.contextmanager
def time_limit(seconds: float) -> Iterator[None]:
    """Fail the test when the block, run on the main thread, takes longer than ``seconds``.

    A timer thread interrupts the main thread as Ctrl-C would
    (``_thread.interrupt_main``; Windows has no ``SIGALRM``): aws-mfa stops
    as it stops on Ctrl-C, and the test fails. A block stuck in a call that no
    interrupt reaches ends the test process a little later, with every
    thread's traceback (``faulthandler``), rather than hang the run.
    """
    import _thread
    import faulthandler
    import threading

    expired = threading.Event()

    def expire() -> None:
        expired.set()
        _thread.interrupt_main()

    timer = threading.Timer(seconds, expire)
    timer.daemon = True
    faulthandler.dump_traceback_later(seconds + 60, exit=True, file=sys.__stderr__)
    # The interrupt may reach the main thread whenever the timer fires, on a busy machine
    # even before the block starts or after it ends: each place it can land is inside a try
    # that takes it (one that escaped would stop the whole test run as Ctrl-C does).
    try:
        timer.start()
        yield
    except KeyboardInterrupt:
        if not expired.is_set():
            raise
    finally:
        timer.cancel()
        try:
            timer.join()  # an interrupt sent as the block ended lands here at the latest
        except KeyboardInterrupt:
            if not expired.is_set():
                raise
        faulthandler.cancel_dump_traceback_later()
    if expired.is_set():
        pytest.fail(f"the in-process run of aws-mfa took longer than {seconds} seconds")


def run_host(code: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    """Run Python ``code`` as a tool's host runs it (an IDE, an MCP host): its own session,
    no terminal, nothing on stdin; what it printed, for the test to read."""
    return subprocess.run(
        [sys.executable, "-c", code],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        stdin=subprocess.DEVNULL,
        check=False,
        start_new_session=True,
    )


def forget_keyring_backend() -> None:
    """Have keyring choose its backend again at its next use, from the environment then."""
    core = sys.modules.get("keyring.core")
    if core is not None:
        core._keyring_backend = None


@contextlib.contextmanager
def warnings_as_in_a_process() -> Iterator[None]:
    """Warnings shown on ``sys.stderr`` with Python's default filters, as a process shows them.

    pytest would otherwise keep them for its summary, and a test of what a
    run prints would not see a line the real command prints.
    """

    def show(
        message: Warning | str,
        category: type[Warning],
        filename: str,
        lineno: int,
        file: object = None,
        line: str | None = None,
    ) -> None:
        sys.stderr.write(warnings.formatwarning(message, category, filename, lineno, line))

    with warnings.catch_warnings():
        warnings.resetwarnings()
        warnings.simplefilter("default")
        for category in (
            DeprecationWarning,
            PendingDeprecationWarning,
            ImportWarning,
            ResourceWarning,
        ):
            warnings.simplefilter("ignore", category)
        warnings.showwarning = show
        yield


def exit_code(exit_: SystemExit) -> int:
    """The exit status ``sys.exit`` gives a process (a message goes to stderr with 1)."""
    if exit_.code is None:
        return 0
    if isinstance(exit_.code, int):
        return exit_.code
    print(exit_.code, file=sys.stderr)
    return 1


def universal_newlines(text: str) -> str:
    """``text`` as ``subprocess.run(text=True)`` reads it: ``\\r\\n`` and ``\\r`` become ``\\n``."""
    return text.replace("\r\n", "\n").replace("\r", "\n")


@pytest.fixture
def environment(home: Path, sts: LocalSts) -> dict[str, str]:
    """The environment of an end-to-end run: the clean one, aimed at the local STS.

    Every end-to-end run logs at DEBUG, so that the secret search of
    :func:`run` covers every log line aws-mfa can print.
    """
    env = dict(os.environ)
    env["AWS_ENDPOINT_URL_STS"] = sts.url
    env["AWS_ENDPOINT_URL_IAM"] = sts.url  # --setup lists MFA devices; moto serves IAM too
    env["AWS_CONFIG_FILE"] = str(home / ".aws" / "config")
    env["MFA_LOG_LEVEL"] = "DEBUG"
    return env


class AwsMfa:
    """Runs the installed aws-mfa console script."""

    def __init__(self, env: dict[str, str]) -> None:
        self.env = env

    def __call__(self, *args: str, stdin: str | None = None, **extra_env: str) -> Result:
        return run([AWS_MFA, *args], {**self.env, **extra_env}, stdin=stdin)


@pytest.fixture
def aws_mfa(environment: dict[str, str]) -> AwsMfa:
    return AwsMfa(environment)


class AwsMfaInProcess(AwsMfa):
    """Runs aws-mfa's ``main`` in this interpreter (:func:`run_in_process`), as AwsMfa runs it."""

    def __call__(self, *args: str, stdin: str | None = None, **extra_env: str) -> Result:
        return run_in_process([AWS_MFA, *args], {**self.env, **extra_env}, stdin=stdin)


@pytest.fixture
def aws_mfa_in_process(environment: dict[str, str]) -> AwsMfa:
    """The ``aws_mfa`` fixture's runs, in-process: no interpreter start, the same checks."""
    return AwsMfaInProcess(environment)


@pytest.fixture(params=["in-process", pytest.param("process", marks=pytest.mark.e2e)])
def aws_mfa_both(request: pytest.FixtureRequest, environment: dict[str, str]) -> AwsMfa:
    """Runs a test twice: in-process, and (marked e2e) through the installed console script.

    For a few representative tests of a file whose other tests run in-process:
    the inner loop keeps them, and the whole suite shows that the console
    script does what ``main`` does.
    """
    return AwsMfaInProcess(environment) if request.param == "in-process" else AwsMfa(environment)


@pytest.fixture
def aws_cli(environment: dict[str, str]) -> AwsMfa:
    """Runs the real AWS CLI (from PyPI's awscli) with the same environment."""

    class AwsCli(AwsMfa):
        def __call__(self, *args: str, stdin: str | None = None, **extra_env: str) -> Result:
            env = {"AWS_DEFAULT_REGION": "us-east-1", **self.env, **extra_env}
            return run([AWS_CLI, *args], env, stdin=stdin)

    return AwsCli(environment)


@dataclass
class TerminalResult(Result):
    terminal: str


def run_with_terminal(
    command: list[str],
    env: dict[str, str],
    replies: list[tuple[str, str]],
    stdin: str = "",
    timeout: float = 60,
    console: bool = False,
) -> TerminalResult:
    """Run ``command`` with a pseudo-terminal as its controlling terminal.

    Its stdin, stdout and stderr stay pipes, as under an SDK or a script; with
    ``console``, stdout and stderr are the terminal too, as in a terminal
    window, and ``terminal`` holds all it printed in the order it was written.
    For each (expected, reply), wait until the terminal shows ``expected``,
    then type ``reply``. Every wait is bounded by ``timeout``.
    """
    if not POSIX:
        pytest.skip("a pseudo-terminal needs POSIX (pty); Windows' console is another test")
    import fcntl
    import pty
    import select
    import termios
    import time

    master, slave = pty.openpty()

    def take_terminal() -> None:  # runs in the child, after setsid()
        fcntl.ioctl(slave, termios.TIOCSCTTY, 0)

    output = slave if console else subprocess.PIPE
    process = subprocess.Popen(
        command,
        env=env,
        stdin=subprocess.PIPE,
        stdout=output,
        stderr=output,
        start_new_session=True,
        pass_fds=(slave,),
        preexec_fn=take_terminal,
    )
    os.close(slave)
    deadline = time.monotonic() + timeout
    shown = b""

    def read_some() -> bool:
        nonlocal shown
        ready, _, _ = select.select([master], [], [], max(0.0, deadline - time.monotonic()))
        if not ready:
            return False
        try:
            chunk = os.read(master, 4096)
        except OSError:  # the child closed the terminal
            return False
        shown += chunk
        return bool(chunk)

    try:
        start = 0
        for expected, reply in replies:
            while shown.find(expected.encode(), start) < 0:
                if not read_some() or time.monotonic() > deadline:
                    raise AssertionError(f"the terminal never showed {expected!r}")
            start = shown.find(expected.encode(), start) + len(expected)
            os.write(master, reply.encode())
        if console:  # read the terminal while it runs: a full one would stop it
            assert process.stdin is not None
            process.stdin.write(stdin.encode())
            process.stdin.close()
            while read_some():
                pass
            out = err = b""
            process.wait(timeout=max(1.0, deadline - time.monotonic()))
        else:
            out, err = process.communicate(
                stdin.encode(), timeout=max(1.0, deadline - time.monotonic())
            )
        while read_some():
            pass
    finally:
        if process.poll() is None:
            process.kill()
            process.wait(timeout=10)
        os.close(master)
    return TerminalResult(
        process.returncode, out.decode(), err.decode(), shown.decode(errors="replace")
    )


@pytest.fixture(scope="session")
def secret_service_daemons() -> Iterator[SecretService]:
    """This test process's one Secret Service (tests/secret_service.py).

    Defined here once: a session fixture imported into several test modules
    is one fixture per module, and started two gnome-keyring-daemons side by
    side in one process, the second of which now and then exited at once.
    """
    from tests.secret_service import running

    with running() as service:
        yield service


@pytest.fixture
def secret_service(secret_service_daemons: SecretService) -> Iterator[SecretService]:
    """The Secret Service, with no aws-mfa entry before or after the test."""
    secret_service_daemons.clear()
    yield secret_service_daemons
    secret_service_daemons.clear()


JS = """
const { STSClient, GetCallerIdentityCommand } = require("@aws-sdk/client-sts");
(async () => {
  const client = new STSClient({});
  const identity = await client.send(new GetCallerIdentityCommand({}));
  const credentials = await client.config.credentials();
  console.log(JSON.stringify({ access_key: credentials.accessKeyId, account: identity.Account }));
})().catch((err) => { console.error("ERROR", err.name); process.exit(1); });
"""
"""Asks STS who it is with the SDK's default credential chain; prints the key and account."""

JS_PACKAGES = ("@aws-sdk/client-sts@3", "@aws-sdk/credential-providers@3")

TEST_CACHE = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "aws-mfa-tests"
"""Where the suite keeps what it may reuse from run to run, in the user's own cache folder:
read when this module is imported, before any test points HOME at a folder of its own."""


@pytest.fixture(scope="session")
def js_sdk() -> Path:
    """The JavaScript SDK v3 from npm, installed once a week per machine; a script using it.

    The script is :data:`JS`. The install (5 to 30 s of npm) lives in the
    user's cache folder, under a name made of the ISO week and the packages,
    so the suite tests the SDK as npm gives it this week and a run pays for
    the install only the first time that week. Every worker of every run
    shares it: the first to need it installs it under a file lock, the others
    wait for the lock and find it there; the script is written last, so a
    folder without it is an install that did not finish, and is done again.
    Older weeks' installs are removed.
    """
    from filelock import FileLock

    npm = shutil.which("npm")
    if npm is None or shutil.which("node") is None:
        pytest.skip("Node.js and npm are not installed (.ci/run installs them)")
    year, week, _ = datetime.now(timezone.utc).isocalendar()
    name = "js-sdk-" + hashlib.sha256(" ".join(JS_PACKAGES).encode()).hexdigest()[:12]
    folder = TEST_CACHE / f"{name}-{year}w{week:02}"
    script = folder / "identity.js"
    TEST_CACHE.mkdir(parents=True, exist_ok=True)
    with FileLock(str(TEST_CACHE / f"{name}.lock"), timeout=900):
        if not script.exists():
            for old in TEST_CACHE.glob(f"{name}-*"):
                shutil.rmtree(old)
            folder.mkdir()
            done = subprocess.run(
                [npm, "install", "--no-audit", "--no-fund", "--loglevel=error", *JS_PACKAGES],
                cwd=folder,
                env={**os.environ, "npm_config_cache": str(folder / "npm-cache")},
                capture_output=True,
                text=True,
                timeout=600,
                check=False,
            )
            assert done.returncode == 0, done.stderr[-2000:]
            script.write_text(JS)  # last: it says the install is complete
    return script
