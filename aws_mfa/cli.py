"""The ``aws-mfa`` command: ``main``, the one place errors are handled, and the commands.

``main(argv)`` reads the command line (:func:`quick_args`, else the parser of
:mod:`aws_mfa.parser`), sets the log level (stderr,
``LEVEL - message``; stdout is kept for machine-readable output), runs the
command and turns an :class:`~aws_mfa.errors.AwsMfaError` into one line on
stderr and its exit code. Nothing else in the package prints an error or
exits.

Flags and environment variables keep aws-mfa 0.0.12's names, so scripts
written for it keep working.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Collection, Mapping, Sequence
from types import SimpleNamespace

from aws_mfa import log
from aws_mfa.errors import (
    EXIT_INTERNAL,
    EXIT_INTERRUPTED,
    EXIT_OK,
    EXIT_PROBLEMS,
    EXIT_USAGE,
    AwsMfaError,
    UsageError,
)

TYPE_CHECKING = False  # see aws_mfa.records: typing is not imported at run time
if TYPE_CHECKING:
    import argparse
    from typing import Any

    from aws_mfa import ini
    from aws_mfa import settings as settings_module
    from aws_mfa.keys import TemporaryCredentials

LOG_LEVELS = tuple(log.LEVELS)
QUIET_COMMANDS = ("export", "exec")
"""Commands whose output is read by a shell or an SDK: they log only warnings by default."""


def build_parser(wanted: Collection[str] | None = None) -> argparse.ArgumentParser:
    """The command-line parser (see :mod:`aws_mfa.parser`)."""
    from aws_mfa import parser

    return parser.build_parser(wanted)


QUICK_VALUES = {
    "-p": "profile",
    "--profile": "profile",
    "--credentials-file": "credentials_file",
}
QUICK_FLAGS = {"status": {"--json": "json", "--all": "all"}}
QUICK_COMMAND_VALUES = {"export": {"-f": "format", "--format": "format"}}
FLAG_DEFAULTS_FALSE = ("force", "backup", "pick", "setup")
"""The top-level parser's store_true options, all False unless given."""


def quick_args(words: Sequence[str]) -> SimpleNamespace | None:
    """What argparse would make of the most common command lines, without argparse.

    A run that finds valid credentials costs less than importing and building
    the parser, so these command lines are read here: no arguments, or
    ``login``, ``status`` or ``export`` first, then only ``-p``/``--profile``,
    ``--credentials-file``, ``status``'s ``--json``/``--all`` and ``export``'s
    ``-f``/``--format``, each as ``--option value`` or ``--option=value``.
    Anything else returns None and goes to argparse, which owns every message
    and every other form. ``tests/test_parser.py`` checks that both read each
    of these forms the same.
    """
    words = list(words)
    command = words.pop(0) if words and words[0] in ("login", "status", "export") else None
    given: dict[str, object] = {"command": command, "edit": False}
    given.update(dict.fromkeys(FLAG_DEFAULTS_FALSE, False))
    if command == "status":
        given.update({"json": False, "all": False})
    values = {**QUICK_VALUES, **QUICK_COMMAND_VALUES.get(command or "", {})}
    flags = QUICK_FLAGS.get(command or "", {})
    while words:
        word = words.pop(0)
        option, equals, value = word.partition("=")
        if word in flags:
            given[flags[word]] = True
        elif option in values and option.startswith("--") and equals and value:
            given[values[option]] = value
        elif word in values and words and words[0] and not words[0].startswith("-"):
            given[values[word]] = words.pop(0)
        else:
            return None
    return SimpleNamespace(**given)


def entry() -> int:
    """``aws-mfa`` and ``python -m aws_mfa``: :func:`main`, in a process that ends with it.

    A run lasts milliseconds, so collecting reference cycles only costs time:
    the collector is off, and what the run built is frozen before the
    interpreter's last collection at exit, which then skips it (2 to 4 ms with
    a credentials file of a thousand profiles).
    """
    import gc

    gc.disable()
    try:
        return main()
    finally:
        gc.freeze()


def main(argv: Sequence[str] | None = None, environ: Mapping[str, str] | None = None) -> int:
    """Run aws-mfa with ``argv`` (default: ``sys.argv[1:]``); return the exit code."""
    words = sys.argv[1:] if argv is None else argv
    args = quick_args(words) or build_parser(set(words)).parse_args(words)
    env = os.environ if environ is None else environ
    level = getattr(args, "log_level", None) or env.get("MFA_LOG_LEVEL", "").upper()
    if level and level not in LOG_LEVELS:
        wrong = env["MFA_LOG_LEVEL"]
        print(
            f"ERROR - MFA_LOG_LEVEL: {wrong!r} is not one of {', '.join(LOG_LEVELS)}",
            file=sys.stderr,
        )
        return EXIT_USAGE
    log.set_level(level or ("WARNING" if args.command in QUIET_COMMANDS else "INFO"))
    try:
        return run(args, env)
    except AwsMfaError as err:
        print(f"ERROR - {err.message}", file=sys.stderr)
        return err.exit_code
    except KeyboardInterrupt:
        print("\nERROR - interrupted; the credentials file was not changed", file=sys.stderr)
        return EXIT_INTERRUPTED
    except BrokenPipeError:  # aws-mfa status | head -1: the reader had enough
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_OK
    except Exception as err:  # a bug: say where, without a message that could hold a secret
        import traceback

        where = traceback.extract_tb(err.__traceback__)[-1]
        print(
            f"ERROR - internal error {type(err).__name__} at "
            f"{os.path.basename(where.filename)}:{where.lineno}; please report it "
            "(--log-level DEBUG shows where it happened)",
            file=sys.stderr,
        )
        log.debug("Traceback:\n%s", "".join(traceback.format_tb(err.__traceback__)))
        return EXIT_INTERNAL


def run(args: argparse.Namespace | SimpleNamespace, environ: Mapping[str, str]) -> int:
    """Dispatch to the command ``args`` asks for; return its exit code."""
    command = args.command or ("config" if args.edit else "login")
    return COMMANDS[command](Context(args, environ))


class Context:
    """What every command starts from: the flags, the environment, the files (read once)."""

    def __init__(
        self, args: argparse.Namespace | SimpleNamespace, environ: Mapping[str, str]
    ) -> None:
        from aws_mfa import aws_config, settings

        self.args = args
        self.environ = environ
        given: dict[str, Any] = {name: getattr(args, name, None) for name in settings.Flags._fields}
        given["force"] = bool(given["force"])
        given["backup"] = bool(given["backup"])
        self.flags = settings.Flags(**given)
        self.credentials_path = settings.credentials_path(self.flags, environ)
        self.config_path = aws_config.default_path(environ)
        self._read: dict[str, Any] = {}

    def _once(self, name: str, read: Callable[[], Any]) -> Any:
        if name not in self._read:
            self._read[name] = read()
        return self._read[name]

    def credentials(self) -> ini.IniFile | None:
        from aws_mfa import credentials_file

        def read() -> ini.IniFile | None:
            log.debug("Reading %s", self.credentials_path)
            document = credentials_file.read_text_file(self.credentials_path)
            problem = credentials_file.mode_problem(self.credentials_path)
            if problem and self.args.command != "doctor":  # the doctor reports it itself
                log.warning("%s", problem)
            return document

        document: ini.IniFile | None = self._once("credentials", read)
        return document

    def config(self) -> ini.IniFile | None:
        from aws_mfa import aws_config

        config: ini.IniFile | None = self._once("config", lambda: aws_config.read(self.config_path))
        return config

    def yaml_entries(self) -> dict[str, dict[str, str]] | None:
        from aws_mfa import yaml_profiles

        entries: dict[str, dict[str, str]] | None = self._once(
            "yaml", lambda: yaml_profiles.load(yaml_profiles.default_path(self.environ))
        )
        return entries

    def settings(self) -> settings_module.Settings:
        from aws_mfa import settings

        return settings.resolve(
            self.flags, self.environ, self.credentials(), self.config(), self.yaml_entries()
        )


def fresh_credentials(
    context: Context, warn: bool = True
) -> tuple[settings_module.Settings, TemporaryCredentials]:
    """Pick the profile if asked, resolve the settings, and log in: the work of ``login``."""
    from aws_mfa import aws_config, checks
    from aws_mfa.login import login, utc_now

    if getattr(context.args, "pick", False):
        from aws_mfa.mfa import terminal_prompter
        from aws_mfa.pick import NO_TERMINAL, pick

        choice = pick(
            context.credentials(),
            aws_config.profiles(context.config()),
            context.flags,
            now=utc_now(),
            min_ttl=context.settings().min_ttl,
            ask=lambda prompt: terminal_prompter(prompt, NO_TERMINAL),
        )
        context.flags = context.flags._replace(profile=choice)
    resolved = context.settings()
    if warn:
        short_term = resolved.short_term_section
        warnings = checks.environment_overrides(context.environ, short_term)
        warnings += checks.hidden_by_config(
            aws_config.profiles(context.config()).get(short_term), short_term, resolved.config_file
        )
        for warning in warnings:
            log.warning("%s", warning)
    return resolved, login(resolved, context.credentials()).credentials


def login_command(context: Context) -> int:
    if context.args.setup:
        from aws_mfa import settings
        from aws_mfa.setup_keys import setup

        profile = settings.profile_name(context.flags, context.environ)
        timeout = settings.lock_timeout(context.environ)
        setup(context.credentials_path, context.flags, profile, lock_timeout=timeout)
        return EXIT_OK
    fresh_credentials(context)
    return EXIT_OK


def export_command(context: Context) -> int:
    from aws_mfa.outputs import choose_format, render

    resolved, creds = fresh_credentials(context, warn=False)
    fmt = choose_format(resolved.shell, resolved.shell_source, context.environ)
    sys.stdout.write(render(creds, fmt))
    sys.stdout.flush()
    return EXIT_OK


def exec_command(context: Context) -> int:
    from aws_mfa.execute import check_nesting, child_environment, command_line, execute

    check_nesting(context.environ, context.args.allow_nested)
    command = command_line(context.args.program)
    resolved, creds = fresh_credentials(context, warn=False)
    execute(command, child_environment(context.environ, creds, resolved.profile, resolved.region))


def status_command(context: Context) -> int:
    from aws_mfa import status
    from aws_mfa.login import utc_now

    document = context.credentials()
    resolved = context.settings()
    now = utc_now()
    one = not context.args.all and (context.flags.profile or context.environ.get("AWS_PROFILE"))
    if one:
        name = resolved.short_term_section
        section = document.sections.get(name) if document else None
        row = status.session_status(section, name, now, resolved.min_ttl)
        colour = status.use_colour(sys.stdout, context.environ)
        print(status.as_json(row) if context.args.json else status.table([row], colour))
        return row.exit_code
    rows = status.all_sessions(document, now, resolved.min_ttl)
    if context.args.json:
        print(status.as_json(rows))
    elif rows:
        print(status.table(rows, status.use_colour(sys.stdout, context.environ)))
    else:
        log.info("No sessions in %s", context.credentials_path)
    return EXIT_OK


def logout_command(context: Context) -> int:
    from aws_mfa.login import utc_now
    from aws_mfa.logout import logout

    if context.args.all:
        names = None
        backup = context.flags.backup
    else:
        resolved = context.settings()
        names, backup = [resolved.short_term_section], resolved.backup
    if not logout(context.credentials_path, names, utc_now(), backup=backup):
        log.info("There was no session to forget")
    return EXIT_OK


def config_command(context: Context) -> int:
    from aws_mfa.editor import edit

    edit(context.config_path, context.environ)
    return EXIT_OK


def doctor_command(context: Context) -> int:
    from aws_mfa import doctor
    from aws_mfa.errors import FileError

    findings = []
    region = None
    try:
        region = context.settings().region
    except FileError:
        pass  # examine() reports the file's problem itself
    except AwsMfaError as err:
        findings.append(doctor.Finding(doctor.PROBLEM, str(err)))
    findings += doctor.examine(
        context.flags, context.environ, context.credentials_path, context.config_path, region
    )
    print(doctor.report(findings))
    if any(finding.level == doctor.PROBLEM for finding in findings):
        return EXIT_PROBLEMS
    return EXIT_OK


def completion_command(context: Context) -> int:
    from aws_mfa import aws_config, completion

    if context.args.profiles:
        names = completion.profile_names(
            context.credentials(), aws_config.profiles(context.config()), context.flags
        )
        print("\n".join(names))
        return EXIT_OK
    if not context.args.shell:
        raise UsageError("completion needs a shell: aws-mfa completion bash|zsh|fish")
    sys.stdout.write(completion.script(build_parser(), context.args.shell))
    return EXIT_OK


COMMANDS: dict[str, Callable[[Context], int]] = {
    "completion": completion_command,
    "doctor": doctor_command,
    "login": login_command,
    "export": export_command,
    "exec": exec_command,
    "status": status_command,
    "logout": logout_command,
    "config": config_command,
}
