"""The ``aws-mfa`` command: its parser, and ``main``, the one place errors are handled.

``build_parser()`` is importable so that the docs and tests can check every
flag is documented. ``main(argv)`` parses, sets the log level (stderr,
``LEVEL - message``; stdout is kept for machine-readable output), runs the
command and turns an :class:`~aws_mfa.errors.AwsMfaError` into one line on
stderr and its exit code. Nothing else in the package prints an error or
exits.

Flags and environment variables keep aws-mfa 0.0.12's names, so scripts
written for it keep working.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable, Collection, Mapping, Sequence

from aws_mfa import __version__, log
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
    from typing import Any, NoReturn

    from aws_mfa import ini
    from aws_mfa import settings as settings_module
    from aws_mfa import sts as sts_module

LOG_LEVELS = tuple(log.LEVELS)


class Formatter(argparse.HelpFormatter):
    """argparse's help formatter, told the terminal's width so it need not import shutil.

    argparse makes a formatter for every option it defines, and the first one
    imports shutil (and with it bz2, lzma and zlib) to learn the width: 2 ms
    on a run that prints no help at all.
    """

    def __init__(self, prog: str) -> None:
        try:
            columns = int(os.environ.get("COLUMNS", "")) or os.get_terminal_size(1).columns
        except (ValueError, OSError):
            columns = 80
        super().__init__(prog, width=max(columns, 40) - 2)


class Parser(argparse.ArgumentParser):
    """An ArgumentParser whose errors are one line, like every other aws-mfa error."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("formatter_class", Formatter)
        super().__init__(*args, **kwargs)

    def error(self, message: str) -> NoReturn:
        self.exit(EXIT_USAGE, f"ERROR - {message}; see '{self.prog} --help'\n")


def build_parser(wanted: Collection[str] | None = None) -> argparse.ArgumentParser:
    """The command-line parser: aws-mfa 0.0.12's flags, plus subcommands.

    ``aws-mfa [options]`` is ``aws-mfa login [options]``. Options are defined
    once for the bare command (with defaults) and again for each subcommand
    with defaults suppressed, so ``aws-mfa -p dev login`` and
    ``aws-mfa login -p dev`` mean the same.

    ``wanted`` names the words of the command line: only the subcommands among
    them get their options, since building all of them would cost more than
    the rest of a run that finds valid credentials. None builds everything
    (for help, docs, completion and tests).
    """
    parser = Parser(
        prog="aws-mfa",
        description=(
            "Get temporary AWS credentials with your MFA code and keep them in the "
            "AWS credentials file under the profile your tools already use. Asks for "
            "a code only when the stored credentials are missing or about to expire."
        ),
        epilog="Without a command, aws-mfa runs 'login'. Exit codes and examples: docs/usage.md.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    add_common_options(parser, defaults=True)
    add_login_options(parser, defaults=True)
    parser.add_argument(
        "--edit", action="store_true", help="open the AWS config file in your editor (as 'config')"
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=Parser)
    for name, (summary, add_options) in SUBCOMMANDS.items():
        command = commands.add_parser(name, help=summary)
        if wanted is None or name in wanted:
            add_common_options(command, defaults=False)
            add_options(command)
    return parser


def _login_options(parser: argparse.ArgumentParser) -> None:
    add_login_options(parser, defaults=False)


def _status_options(status: argparse.ArgumentParser) -> None:
    status.add_argument(
        "--all", action="store_true", help="list every session, even with $AWS_PROFILE set"
    )
    status.add_argument("--json", action="store_true", help="print JSON instead of a table")
    status.add_argument(
        "--min-ttl",
        metavar="SECONDS",
        default=argparse.SUPPRESS,
        help="call a session 'expiring' when fewer seconds than this are left "
        "(default: $MFA_MIN_TTL, else 300)",
    )


def _logout_options(logout: argparse.ArgumentParser) -> None:
    logout.add_argument("--all", action="store_true", help="forget every session aws-mfa wrote")
    logout.add_argument(
        "--backup", action="store_true", default=argparse.SUPPRESS, help=BACKUP_HELP
    )


def _export_options(export: argparse.ArgumentParser) -> None:
    add_login_options(export, defaults=False)
    export.add_argument(
        "-f",
        "--format",
        default=argparse.SUPPRESS,
        metavar="FORMAT",
        help="env, env-no-export, fish, powershell, windows-cmd or process "
        "(default: the 'shell' of the YAML profile, else your $SHELL's)",
    )


def _exec_options(run: argparse.ArgumentParser) -> None:
    add_login_options(run, defaults=False)
    run.add_argument(
        "--allow-nested",
        action="store_true",
        help="run even inside another 'aws-mfa exec'",
    )
    run.add_argument(
        "program", nargs=argparse.REMAINDER, metavar="-- COMMAND [ARGS...]", help="what to run"
    )


def _no_options(parser: argparse.ArgumentParser) -> None:
    pass


def _completion_options(completion: argparse.ArgumentParser) -> None:
    completion.add_argument("shell", nargs="?", choices=("bash", "zsh", "fish"))
    completion.add_argument(
        "--profiles",
        action="store_true",
        help="print the profile names to complete, one a line (the scripts call this)",
    )


SUBCOMMANDS: dict[str, tuple[str, Callable[[argparse.ArgumentParser], None]]] = {
    "login": ("renew the profile's credentials if needed (the default command)", _login_options),
    "status": (
        "show every stored session, or one profile's (exit code 0 when valid)",
        _status_options,
    ),
    "logout": ("forget the profile's session (STS sessions cannot be revoked)", _logout_options),
    "export": (
        "renew if needed, then print the credentials for a shell or an SDK",
        _export_options,
    ),
    "exec": (
        "renew if needed, then run COMMAND with the credentials in its environment",
        _exec_options,
    ),
    "config": ("open the AWS config file in your editor", _no_options),
    "doctor": ("check files, environment and clock for problems; change nothing", _no_options),
    "completion": (
        "print the shell completion script for bash, zsh or fish",
        _completion_options,
    ),
}
"""Each command's one-line summary, and what adds its own options."""


PROFILE_COMPLETION = {
    "bash": "_aws_mfa_profiles",
    "zsh": "_aws_mfa_profiles",
    "fish": "(__aws_mfa_profiles)",
}
"""How each shell's completion script completes a profile name (see aws_mfa.completion)."""


QUIET_COMMANDS = ("export", "exec")
"""Commands whose output is read by a shell or an SDK: they log only warnings by default."""

BACKUP_HELP = "copy the credentials file to credentials_backup/ before writing (newest 10 kept)"


def _adder(parser: argparse.ArgumentParser, defaults: bool) -> Callable[..., argparse.Action]:
    """``parser.add_argument``, with defaults suppressed when ``defaults`` is false."""

    def add(*names: str, **kwargs: Any) -> argparse.Action:
        if not defaults:
            kwargs["default"] = argparse.SUPPRESS
        return parser.add_argument(*names, **kwargs)

    return add


def add_common_options(parser: argparse.ArgumentParser, defaults: bool) -> None:
    """Options every command takes: which profile, which file, how much to log."""
    add = _adder(parser, defaults)
    profile = add("-p", "--profile", help="profile to use (default: $AWS_PROFILE, else 'default')")
    profile.complete = PROFILE_COMPLETION  # type: ignore[attr-defined]  # read by shtab
    add(
        "--credentials-file",
        metavar="PATH",
        help="credentials file to use "
        "(default: $AWS_SHARED_CREDENTIALS_FILE, else ~/.aws/credentials)",
    )
    add(
        "--long-term-suffix",
        "--long-suffix",
        dest="long_term_suffix",
        metavar="SUFFIX",
        help="long-term section is [PROFILE-SUFFIX], or [PROFILE] when 'none' (default: long-term)",
    )
    add(
        "--short-term-suffix",
        "--short-suffix",
        dest="short_term_suffix",
        metavar="SUFFIX",
        help="short-term section is [PROFILE-SUFFIX], or [PROFILE] when 'none' (default: none)",
    )
    add(
        "--long-term-section",
        metavar="NAME",
        help="the section holding the long-term keys, whatever its name (overrides the suffix)",
    )
    add(
        "--short-term-section",
        metavar="NAME",
        help="the section to write the session to, whatever its name (overrides the suffix)",
    )
    add(
        "--log-level",
        type=str.upper,
        choices=LOG_LEVELS,
        help="how much to log on stderr (default: INFO)",
    )


def add_login_options(parser: argparse.ArgumentParser, defaults: bool) -> None:
    """The options of a login (the default command)."""
    add = _adder(parser, defaults)
    add(
        "--device",
        metavar="ARN",
        help="MFA device ARN, like arn:aws:iam::123456789012:mfa/alice "
        "(default: $MFA_DEVICE, else aws_mfa_device in the long-term section, "
        "else mfa_serial in the config file)",
    )
    add(
        "-c",
        "-m",
        "--token",
        "--mfa-token",
        "--mfa-code",
        "--token-code",
        dest="token",
        metavar="CODE",
        help="the six-digit MFA code; '-' reads it from stdin "
        "(default: ask on the terminal, only when a renewal is needed)",
    )
    add(
        "-d",
        "--duration",
        "--duration-seconds",
        dest="duration",
        metavar="SECONDS",
        help="how long the credentials last, 900 to 129600 (at most 43200 with a "
        "role) (default: $MFA_STS_DURATION, else 43200, or 3600 with a role)",
    )
    add(
        "--assume-role",
        "--assume",
        dest="assume_role",
        metavar="ARN",
        help="role to assume, like arn:aws:iam::123456789012:role/Admin "
        "(default: $MFA_ASSUME_ROLE, else assume_role in the long-term section)",
    )
    add(
        "--role-session-name",
        metavar="NAME",
        help="session name when assuming a role (default: your user name)",
    )
    add("--external-id", metavar="ID", help="external id to pass to AssumeRole")
    add("--force", action="store_true", help="renew even if the stored credentials are still valid")
    add(
        "--min-ttl",
        metavar="SECONDS",
        help="renew when fewer seconds than this are left (default: $MFA_MIN_TTL, else 300)",
    )
    add(
        "--region",
        help="use this region's STS endpoint "
        "(default: $AWS_REGION, else $AWS_DEFAULT_REGION, else region in the config file, "
        "else the global endpoint)",
    )
    add(
        "--token-command",
        metavar="COMMAND",
        help="a shell command that prints the MFA code, like 'ykman oath accounts code "
        "--single aws' (default: mfa_process in the YAML or config profile)",
    )
    add("--backup", action="store_true", help=BACKUP_HELP)
    add("--pick", action="store_true", help="choose the profile from a list, on the terminal")
    add(
        "--setup",
        action="store_true",
        help="add a long-term section with your access keys, interactively",
    )


def main(argv: Sequence[str] | None = None, environ: Mapping[str, str] | None = None) -> int:
    """Run aws-mfa with ``argv`` (default: ``sys.argv[1:]``); return the exit code."""
    words = sys.argv[1:] if argv is None else argv
    args = build_parser(set(words)).parse_args(words)
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


def run(args: argparse.Namespace, environ: Mapping[str, str]) -> int:
    """Dispatch to the command ``args`` asks for; return its exit code."""
    command = args.command or ("config" if args.edit else "login")
    return COMMANDS[command](Context(args, environ))


class Context:
    """What every command starts from: the flags, the environment, the files (read once)."""

    def __init__(self, args: argparse.Namespace, environ: Mapping[str, str]) -> None:
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
) -> tuple[settings_module.Settings, sts_module.TemporaryCredentials]:
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
