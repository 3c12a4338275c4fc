"""Where the MFA code comes from, and when it may be asked for.

In order: ``--token`` (and its other spellings; ``-`` reads a line of
stdin), then ``MFA_TOKEN``, then a command (``--token-command`` or an
``mfa_process`` setting, such as ``ykman oath accounts code --single aws``),
then the prompt ``--prompt`` names (:func:`choose_prompter`): the controlling
terminal (``/dev/tty``), or where there is none a dialog or a YubiKey
(:mod:`aws_mfa.codes.prompts`). Never stdin or stdout otherwise: those may belong
to a pipe or to an AWS SDK reading ``credential_process`` output. With no
way to ask, it fails at once with :class:`~aws_mfa.errors.NoCodeSourceError`
instead of waiting on a stdin nobody will write to.

:func:`obtain_code` takes it from the first source that has one, and keeps a
renewal from sending a code STS would reject as used (see
:mod:`aws_mfa.codes.used_codes`). The check that a code looks like one is
:func:`aws_mfa.settings.checks.check_code`, shared with the settings.

A code is a secret for the thirty seconds it lives: nothing here logs it or
puts it in an error message.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Mapping

from aws_mfa import log, system
from aws_mfa.errors import NoCodeSourceError, NoTokenError, PromptRefusedError, StsRefusedError
from aws_mfa.settings.checks import as_code, check_code, is_code

TYPE_CHECKING = False  # see aws_mfa.records: typing is not imported at run time
if TYPE_CHECKING:
    from aws_mfa.codes.used_codes import UsedCodes
    from aws_mfa.settings.resolve import Settings

Prompter = Callable[[str], str]
"""Shows a prompt to the user and returns the line they typed."""

TOKEN_COMMAND_TIMEOUT = 60
"""Seconds a token command may take: enough to find and touch a hardware key."""

PROMPT_ATTEMPTS = 3
"""Typed codes that are not six digits are asked for again, this many times in all."""


def no_terminal(needed: str, instead: str) -> str:
    """The message of every prompt that finds no terminal: what was needed, what to do."""
    return f"{needed} and there is no terminal to ask on; {instead}"


NO_TERMINAL = no_terminal(
    "an MFA code is needed", "pass it with --token CODE (or run aws-mfa in a terminal)"
)


def no_code_source(profile: str, environ: Mapping[str, str] | None = None) -> str:
    """The message when a code is needed where nothing can ask for one (an SDK's
    ``credential_process``, an agent's tool, cron, CI): why, then one step a person can
    take. A renewal puts what expired, and when, before it (:mod:`aws_mfa.sessions.renewal`)."""
    from aws_mfa.codes.prompts import has_display
    from aws_mfa.profiles import login_command

    environ = os.environ if environ is None else environ
    run = login_command(profile)
    desktop = ""
    if not system.WINDOWS and sys.platform != "darwin" and not has_display(environ):
        desktop = (
            " or desktop (DISPLAY is not set: hosts that clean the environment, as MCP hosts "
            "do, drop it; put it in the tool's env)"
        )
    piped = " or pass a code on stdin with '--token -'," if stdin_is_a_pipe() else ""
    return (
        f"no MFA code can be asked for here: no terminal{desktop}; run '{run}' in a terminal "
        f"to renew it,{piped} or set MFA_TOKEN_COMMAND or MFA_PROMPT=ykman (see 'Codes "
        "without a terminal' in docs/usage.md)"
    )


def stdin_is_a_pipe() -> bool:
    """Whether standard input is a pipe (``echo 123456 | aws-mfa``): a code may be on it."""
    import stat

    try:
        return sys.stdin is not None and stat.S_ISFIFO(os.fstat(sys.stdin.fileno()).st_mode)
    except (OSError, ValueError):
        return False


def terminal_prompter(prompt: str, no_terminal: str = NO_TERMINAL) -> str:
    """Ask on the controlling terminal; NoTokenError(``no_terminal``) when there is none.

    The terminal is :func:`aws_mfa.system.open_terminal`'s (``/dev/tty``, or the
    console on Windows); where it cannot be opened, a stdin that is itself a
    terminal is used, with the prompt on stderr, unless the terminal is lent to
    the command of ``exec --server`` (:func:`aws_mfa.system.terminal_lent`).
    """
    try:
        terminal = system.open_terminal()
    except OSError:
        terminal = None
    if terminal is not None:
        try:
            terminal.write(prompt)
            line = terminal.read_line()
        finally:
            terminal.close()
    elif sys.stdin is None or not sys.stdin.isatty() or system.terminal_lent():
        raise NoTokenError(no_terminal)
    else:
        sys.stderr.write(prompt)
        sys.stderr.flush()
        line = sys.stdin.readline()
    if not line:
        raise NoTokenError("no MFA code was entered (end of input); run again and type the code")
    return line


def read_code(token: str | None, token_source: str, prompter: Prompter, prompt: str) -> str:
    """The MFA code: ``token`` when given (checked), else typed at ``prompter``.

    A typed code may have spaces around it and between its digits (``471 875``, as
    authenticator apps show it); one that is still not six digits is asked for again, up
    to :data:`PROMPT_ATTEMPTS` times.
    """
    if token is not None:
        return check_code(token, token_source)
    again = "That is not six digits. " + prompt.lstrip()  # said once, however many tries
    for attempt in range(PROMPT_ATTEMPTS - 1):
        typed = as_code(prompter(again if attempt else prompt))
        if is_code(typed):
            return typed
    typed = getattr(prompter, "source", "the MFA code typed at the prompt")
    return check_code(prompter(again).strip(), typed)


def run_token_command(command: str, source: str, timeout: float = TOKEN_COMMAND_TIMEOUT) -> str:
    """Run ``command`` with the shell and return the code it prints, trimmed.

    Its stderr goes to the user (a hardware key may ask to be touched); its
    stdin is empty, since it may belong to an AWS SDK. What it prints is never
    shown, in case it is not a code but something secret.
    """
    import subprocess

    shell = ["cmd", "/c"] if system.WINDOWS else ["/bin/sh", "-c"]
    try:
        done = subprocess.run(
            [*shell, command],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            timeout=timeout,
            check=False,
        )
    except subprocess.TimeoutExpired as err:
        raise NoTokenError(
            f"{source}: the command did not print a code within {int(timeout)} seconds"
        ) from err
    except OSError as err:
        raise NoTokenError(f"{source}: cannot run the command ({err.strerror})") from err
    if done.returncode != 0:
        raise NoTokenError(f"{source}: the command failed with exit code {done.returncode}")
    code = done.stdout.decode("utf-8", "replace").strip()
    if not is_code(code):
        raise NoTokenError(
            f"{source}: the command printed something that is not a six-digit MFA code"
        )
    return code


def obtain_code(
    settings: Settings,
    device: str,
    prompter: Prompter,
    used_codes: UsedCodes,
    sleep: Callable[[float], None],
    seconds: int | None = None,
    waiting_since: float | None = None,
) -> str:
    """The MFA code, from the first source that has one (see the module's docstring).

    ``seconds``: how long what the code buys will last, for the prompt.
    ``waiting_since``: when this run began to wait for the lock, under which it
    now asks. A prompt another run showed meanwhile and the user refused
    (cancelled, or left unanswered) was meant for this run too: it fails with
    it rather than ask again.

    STS rejects a code it has accepted before. A code given outright is
    refused at once when that same code was just sent; a code still to be
    asked for (terminal, dialog or command) is asked for in the next 30-second
    window when this device's code was sent in the current one. With no way to
    ask and no source, it fails at once rather than wait.
    """
    if settings.token is None:
        if not settings.token_command:
            prompter = choose_prompter(settings, device, prompter)
            # A person at this run's terminal is asked there, whatever a dialog was told.
            shared = prompter is not terminal_prompter
            refused = used_codes.refused_since(device, waiting_since) if shared else None
            if refused:
                raise PromptRefusedError(
                    f"another aws-mfa run asked for the MFA code of {device} for every run "
                    f"waiting, and {refused}; nothing was sent to STS",
                    why=refused,
                )
        if used_codes.used_now(device):
            wait = used_codes.seconds_to_next_window()
            log.warning(
                "A code of %s was already used in this 30-second window; waiting %d seconds "
                "for the next one",
                device,
                round(wait),
            )
            sleep(wait)
    return unused_code(settings, device, prompter, used_codes, seconds or settings.duration)


def unused_code(
    settings: Settings, device: str, prompter: Prompter, used_codes: UsedCodes, seconds: int
) -> str:
    """A code not sent yet: one a person typed that was (during the wait for the next window,
    say) is asked for again; one given outright or by a command is refused."""
    asked = settings.token is None and not settings.token_command  # typed by a person
    for _ in range(PROMPT_ATTEMPTS if asked else 1):
        try:
            code, source = ask_code(settings, device, prompter, seconds)
        except PromptRefusedError as err:
            used_codes.refuse(device, err.why)  # for the runs waiting on the lock
            raise
        if not used_codes.used(device, code):
            return code
        if asked:
            log.warning(
                "That code of %s was already sent to STS in this 30-second window, which "
                "refuses a code twice; type the next one",
                device,
            )
    raise StsRefusedError(
        f"{source}: this code of {device} was already used in this 30-second window "
        "and STS rejects a code used twice; run again with the next code"
    )


def choose_prompter(settings: Settings, device: str, prompter: Prompter) -> Prompter:
    """What asks for the code: ``prompter`` unless it is the terminal's, which ``--prompt``
    may replace with a dialog or a YubiKey (:mod:`aws_mfa.codes.prompts`); NoCodeSourceError
    when there is no way to ask here."""
    if prompter is not terminal_prompter:  # a caller's own (a test's, the server's)
        return prompter
    from aws_mfa.codes import prompts

    terminal = can_prompt(terminal_prompter)
    driver = prompts.choose(settings.prompt, os.environ, terminal)
    if driver is None or (driver == "terminal" and not terminal):
        raise NoCodeSourceError(no_code_source(settings.profile))
    if driver == "terminal":
        return terminal_prompter
    log.info("Asking for the MFA code with %s (--prompt %s)", driver, settings.prompt)
    return prompts.DriverPrompter(
        driver, settings.prompt_timeout, device, settings.ykman_account, profile=settings.profile
    )


def can_prompt(prompter: Prompter) -> bool:
    """False when ``prompter`` is the terminal's and there is no terminal to ask on."""
    if prompter is not terminal_prompter:
        return True
    if system.has_terminal():
        return True
    return sys.stdin is not None and sys.stdin.isatty() and not system.terminal_lent()


def ask_code(settings: Settings, device: str, prompter: Prompter, seconds: int) -> tuple[str, str]:
    """The code, and where it came from (for messages)."""
    if settings.token == "-" and settings.token_source == "--token":
        line = stdin_line()
        source = "--token - (the line read from stdin)"
        return check_code(line.strip(), source), source
    if settings.token is None and settings.token_command:
        log.info("Running %s for the MFA code", settings.token_command_source)
        code = run_token_command(settings.token_command, settings.token_command_source)
        return code, str(settings.token_command_source)
    prompt = f"Enter AWS MFA code for device [{device}] (renewing for {seconds} seconds): "
    typed = getattr(prompter, "source", "the MFA code typed")
    source = settings.token_source if settings.token is not None else typed
    return read_code(settings.token, settings.token_source, prompter, prompt), source


STDIN_LINE_LIMIT = 256
"""Bytes ``--token -`` reads at most: a code and any spaces around it fit many times over."""


def stdin_line(limit: int = STDIN_LINE_LIMIT) -> str:
    """The first line of stdin (file descriptor 0), up to ``limit`` bytes.

    Read one byte at a time, unbuffered: whatever follows the line stays in
    the pipe (or at the file's offset) for the command ``exec`` runs.
    """
    data = b""
    while len(data) < limit and not data.endswith(b"\n"):
        try:
            byte = os.read(0, 1)
        except OSError:  # no stdin at all
            break
        if not byte:
            break
        data += byte
    return data.decode("utf-8", "replace")
