"""The one table of aws-mfa's command line and settings.

Each :class:`Option` says everything about one option or setting: its flag
spellings and help, which commands take it, where else its value may come
from (environment variables, the YAML profile, the long-term section of the
credentials file, the AWS config profile), how its text is checked and
turned into a value, and its default. From this table come:

- the argparse parser (:mod:`aws_mfa.cli.parser`) and with it the help, the man
  page, the docs' option list and the completion scripts;
- the quick reader of the common command lines (:mod:`aws_mfa.cli.quick`), which
  gives the same namespace argparse would, without importing it;
- the resolution of settings (:mod:`aws_mfa.settings.resolve`): one loop takes each
  value from the first place that has it, in this order, and remembers where
  it came from for messages::

      --flag  >  environment  >  YAML profile  >  [long-term] key  >  config keys  >  default

Adding a setting is one entry here and one typed field of
:class:`aws_mfa.settings.resolve.Settings` (a test checks the two agree).

What this module does not do: read files or the environment, or decide
anything; it only describes.
"""

from __future__ import annotations

from collections.abc import Mapping

from aws_mfa.records import Record
from aws_mfa.settings import checks as check

TYPE_CHECKING = False  # see aws_mfa.records: typing is not imported at run time
if TYPE_CHECKING:
    from typing import Any

    from aws_mfa.aliases import Check, Default

STORE = "store"
SWITCH = "switch"
"""A flag without a value (argparse's store_true)."""
POSITIONAL = "positional"
APPEND = "append"
"""A flag that may be given more than once; its values in a list (argparse's append)."""
REST = "rest"
"""Every word after the options (argparse.REMAINDER), for ``exec``."""

TOP = ""
"""The bare ``aws-mfa [options]`` command line, which runs ``login``."""
COMMANDS = (
    "login",
    "status",
    "logout",
    "export",
    "exec",
    "config",
    "doctor",
    "keychain",
    "completion",
    "rotate",
    "console",
    "audit",
)
EVERY = (TOP, *COMMANDS)
LOGIN = (TOP, "login", "export", "exec", "console")
"""Commands that log in first (``console`` takes the same options, though it may need no
login: docs/console.md)."""
HAND_OUT = ("export", "exec")
"""Commands that hand credentials to another program (an agent among them)."""
MFA_SESSION = (*LOGIN, "rotate")
"""Commands that use the MFA session: those that log in, and ``rotate``, whose IAM calls it
signs."""


class Option(Record):
    """One command-line option or setting; see the module's docstring.

    ``name`` is its attribute on the parsed command line and, unless
    ``field`` says otherwise, its field in :class:`~aws_mfa.settings.resolve.Settings`
    (when ``setting`` is true).
    """

    name: str
    flags: tuple[str, ...]
    help: str
    commands: tuple[str, ...] = LOGIN
    kind: str = STORE
    metavar: str | None = None
    choices: tuple[str, ...] | None = None
    env: tuple[str, ...] = ()
    yaml: str | None = None
    long_term: str | None = None
    config: tuple[str, ...] = ()
    check: Check | None = None
    default: Default | None = None
    setting: bool = True
    """Resolved into Settings by the loop of :mod:`aws_mfa.settings.resolve`."""
    empty_flag_counts: bool = False
    """An empty flag value is an error to report, not an absent flag."""
    field: str = ""
    """Its field in Settings, when not ``name``."""
    any_case: bool = False
    """Its choices are taken in any case (and given upper-case)."""
    switched: str = "true"
    """What a switch given on the command line says, for the setting's check."""

    @property
    def key(self) -> str:
        """Its field in Settings."""
        return self.field or self.name

    @property
    def label(self) -> str:
        """How messages name the flag: its first long spelling."""
        return next((flag for flag in self.flags if flag.startswith("--")), self.name)


def _fixed(value: object) -> Default:
    return lambda resolved: value


def _role_duration(resolved: Mapping[str, Any]) -> int:
    return check.DEFAULT_ROLE_DURATION if resolved.get("role_arn") else check.DEFAULT_DURATION


def _mfa_session_duration(resolved: Mapping[str, Any]) -> int:
    plain: int = resolved["duration"]
    return check.DEFAULT_DURATION if resolved.get("role_arn") else plain


def _session_name(resolved: Mapping[str, Any]) -> str:
    return check.default_session_name() if resolved.get("role_arn") else ""


def _lock_timeout(resolved: Mapping[str, Any]) -> float:
    """Long enough for the run holding the lock to show its dialog for the whole
    ``--prompt-timeout`` and then call STS: the runs waiting for it are served
    by the code it is given, or fail with it (see :mod:`aws_mfa.codes.prompts`)."""
    shown: int = resolved.get("prompt_timeout", check.PROMPT_TIMEOUT)
    return max(check.LOCK_TIMEOUT, shown + check.STS_TIMEOUT + 10)


BACKUP_HELP = "copy the credentials file to credentials_backup/ before writing (newest 10 kept)"

TABLE: tuple[Option, ...] = (
    # Which profile and sections: resolved first, since everything else depends on them.
    Option(
        "profile",
        ("-p", "--profile"),
        "profile to use (default: $AWS_DEFAULT_PROFILE or $AWS_PROFILE, else 'default')",
        commands=EVERY,
        env=("AWS_DEFAULT_PROFILE", "AWS_PROFILE"),
        check=check.valid_profile_name,
        default=_fixed(check.DEFAULT_PROFILE),
    ),
    Option(
        "credentials_file",
        ("--credentials-file",),
        "credentials file to use (default: $AWS_SHARED_CREDENTIALS_FILE, else ~/.aws/credentials)",
        commands=EVERY,
        metavar="PATH",
        env=("AWS_SHARED_CREDENTIALS_FILE",),
        check=check.path,
        default=lambda resolved: check.path("~/.aws/credentials", "", resolved),
    ),
    Option(
        "config_file",
        ("--config-file",),
        "AWS config file to read (default: $AWS_CONFIG_FILE, else ~/.aws/config)",
        commands=EVERY,
        metavar="PATH",
        env=("AWS_CONFIG_FILE",),
        check=check.path,
        default=lambda resolved: check.path("~/.aws/config", "", resolved),
    ),
    Option(
        "long_term_suffix",
        ("--long-term-suffix", "--long-suffix"),
        "long-term section is [PROFILE-SUFFIX], or [PROFILE] when 'none' (default: long-term)",
        commands=EVERY,
        metavar="SUFFIX",
        setting=False,
    ),
    Option(
        "short_term_suffix",
        ("--short-term-suffix", "--short-suffix"),
        "short-term section is [PROFILE-SUFFIX], or [PROFILE] when 'none' (default: none)",
        commands=EVERY,
        metavar="SUFFIX",
        setting=False,
    ),
    Option(
        "long_term_section",
        ("--long-term-section",),
        "the section holding the long-term keys, whatever its name (overrides the suffix)",
        commands=EVERY,
        metavar="NAME",
        setting=False,
    ),
    Option(
        "short_term_section",
        ("--short-term-section",),
        "the section to write the session to, whatever its name (overrides the suffix)",
        commands=EVERY,
        metavar="NAME",
        setting=False,
    ),
    Option(
        "log_level",
        ("--log-level",),
        "how much to log on stderr (default: $MFA_LOG_LEVEL, else INFO)",
        commands=EVERY,
        choices=check.LOG_LEVELS,
        any_case=True,
        setting=False,
    ),
    # What to ask STS for.
    Option(
        "device",
        ("--device",),
        "MFA device ARN, like arn:aws:iam::123456789012:mfa/alice (default: $MFA_DEVICE, "
        "else aws_mfa_device in the long-term section, else mfa_serial in the config file)",
        commands=MFA_SESSION,
        metavar="ARN",
        env=("MFA_DEVICE",),
        yaml="device",
        long_term="aws_mfa_device",
        config=("mfa_serial",),
        check=check.device,
    ),
    Option(
        "token",
        ("-c", "-m", "--token", "--mfa-token", "--mfa-code", "--token-code"),
        "the six-digit MFA code; '-' reads it from stdin "
        "(default: ask on the terminal, only when a renewal is needed)",
        commands=MFA_SESSION,
        metavar="CODE",
        env=("MFA_TOKEN",),
        check=check.token,
        empty_flag_counts=True,
    ),
    Option(
        "assume_role",
        ("--assume-role", "--assume"),
        "role to assume, like arn:aws:iam::123456789012:role/Admin "
        "(default: $MFA_ASSUME_ROLE, else assume_role in the long-term section)",
        metavar="ARN",
        env=("MFA_ASSUME_ROLE",),
        yaml="assume_role",
        long_term="assume_role",
        config=("aws_mfa_assume_role",),
        check=check.role,
        field="role_arn",
    ),
    Option(
        "duration",
        ("-d", "--duration", "--duration-seconds"),
        "how long the credentials last, 900 to 129600 (at most 43200 with a role) "
        "(default: $MFA_STS_DURATION, else 43200, or 3600 with a role)",
        metavar="SECONDS",
        env=("MFA_STS_DURATION",),
        yaml="expiry",
        config=("aws_mfa_duration", "duration_seconds"),
        check=check.duration,
        default=_role_duration,
    ),
    Option(
        "role_session_name",
        ("--role-session-name",),
        "session name when assuming a role (default: your user name)",
        metavar="NAME",
        config=("role_session_name",),
        check=check.session_name,
        default=_session_name,
    ),
    Option(
        "external_id",
        ("--external-id",),
        "external id to pass to AssumeRole",
        metavar="ID",
        config=("external_id",),
        check=check.external_id,
    ),
    Option(
        "force",
        ("--force",),
        "renew even if the stored credentials are still valid",
        kind=SWITCH,
        check=check.yes_or_no,
        default=_fixed(False),
    ),
    Option(
        "min_ttl",
        ("--min-ttl",),
        "renew when fewer seconds than this are left (default: $MFA_MIN_TTL, else 300)",
        commands=(*LOGIN, "status"),
        metavar="SECONDS",
        env=("MFA_MIN_TTL",),
        check=check.seconds,
        default=_fixed(check.DEFAULT_MIN_TTL),
    ),
    Option(
        "region",
        ("--region",),
        "use this region's STS endpoint (default: $AWS_REGION, else $AWS_DEFAULT_REGION, "
        "else region in the config file, else the global endpoint)",
        commands=MFA_SESSION,
        env=("AWS_REGION", "AWS_DEFAULT_REGION"),
        yaml="region",
        config=("region",),
        check=check.region,
    ),
    Option(
        "token_command",
        ("--token-command",),
        "a shell command that prints the MFA code, like 'ykman oath accounts code "
        "--single aws' (default: $MFA_TOKEN_COMMAND, else mfa_process in the YAML or config "
        "profile)",
        commands=MFA_SESSION,
        metavar="COMMAND",
        env=("MFA_TOKEN_COMMAND",),
        yaml="mfa_process",
        config=("mfa_process",),
        check=check.text,
    ),
    Option(
        "prompt",
        ("--prompt",),
        "where to ask for the code when none is given: auto, terminal, zenity, kdialog, "
        "osascript, powershell or ykman (default: $MFA_PROMPT, else prompt in the YAML "
        "profile, else aws_mfa_prompt in the config profile, else auto: the terminal, or a "
        "dialog when there is none)",
        commands=MFA_SESSION,
        metavar="DRIVER",
        env=("MFA_PROMPT",),
        yaml="prompt",
        config=("aws_mfa_prompt",),
        check=check.prompt,
        default=_fixed("auto"),
    ),
    Option(
        "prompt_timeout",
        ("--prompt-timeout",),
        "seconds a dialog or a YubiKey waits for you (default: $MFA_PROMPT_TIMEOUT, else 120)",
        commands=MFA_SESSION,
        metavar="SECONDS",
        env=("MFA_PROMPT_TIMEOUT",),
        yaml="prompt_timeout",
        config=("aws_mfa_prompt_timeout",),
        check=check.prompt_timeout,
        default=_fixed(check.PROMPT_TIMEOUT),
    ),
    Option(
        "ykman_account",
        ("--ykman-account",),
        "the YubiKey OATH account that --prompt ykman reads (default: $MFA_YKMAN_ACCOUNT, "
        "else ykman_account in the YAML profile, else aws_mfa_ykman_account in the config "
        "profile, else the MFA device's ARN)",
        commands=MFA_SESSION,
        metavar="NAME",
        env=("MFA_YKMAN_ACCOUNT", "YKMAN_OATH_CREDENTIAL_NAME"),
        yaml="ykman_account",
        config=("aws_mfa_ykman_account",),
        check=check.text,
    ),
    Option(
        "backup",
        ("--backup",),
        BACKUP_HELP,
        commands=(*LOGIN, "logout", "keychain"),
        kind=SWITCH,
        config=("aws_mfa_backup",),
        check=check.yes_or_no,
        default=_fixed(False),
    ),
    Option(
        "mfa_session_duration",
        ("--mfa-session-duration",),
        "how long the cached MFA session lasts, 900 to 129600; roles are assumed from it "
        "without a code (default: $MFA_SESSION_DURATION, else --duration without a role, "
        "else 43200)",
        commands=MFA_SESSION,
        metavar="SECONDS",
        env=("MFA_SESSION_DURATION",),
        yaml="mfa_session_duration",
        long_term="aws_mfa_session_duration",
        config=("aws_mfa_session_duration",),
        check=check.session_duration,
        default=_mfa_session_duration,
    ),
    Option(
        "no_session_cache",
        ("--no-session-cache",),
        "neither use nor keep a cached MFA session: every role and session costs a code, "
        "as in aws-mfa 0.0.12 (default: $MFA_SESSION_CACHE, else true)",
        commands=MFA_SESSION,
        kind=SWITCH,
        switched="false",
        env=("MFA_SESSION_CACHE",),
        yaml="session_cache",
        long_term="aws_mfa_session_cache",
        config=("aws_mfa_session_cache",),
        check=check.yes_or_no,
        default=_fixed(True),
        field="session_cache",
    ),
    Option(
        "audit",
        (),
        "log every hand-out of credentials to ~/.aws/aws-mfa-audit.jsonl (default: "
        "aws_mfa_audit in the long-term section or config file, else true)",
        commands=(),
        long_term="aws_mfa_audit",
        config=("aws_mfa_audit",),
        check=check.yes_or_no,
        default=_fixed(True),
    ),
    Option(
        "sts_timeout",
        (),
        "seconds a call to STS may take in all, retries included",
        commands=(),
        env=("MFA_STS_TIMEOUT",),
        check=check.sts_timeout,
        default=_fixed(check.STS_TIMEOUT),
    ),
    Option(
        "secret_timeout",
        ("--secret-timeout",),
        "seconds the password manager's command (aws_mfa_secret_command) may take to give "
        "the long-term secret, unlocking included (default: $MFA_SECRET_TIMEOUT, else 60)",
        commands=(*MFA_SESSION, "keychain", "doctor"),
        metavar="SECONDS",
        env=("MFA_SECRET_TIMEOUT",),
        yaml="secret_timeout",
        config=("aws_mfa_secret_timeout",),
        check=check.prompt_timeout,
        default=_fixed(check.SECRET_TIMEOUT),
    ),
    Option(
        "keyring_backend",
        (),
        "the keyring backend, module.Class, that keeps secrets with aws_mfa_secret = keychain",
        commands=(),
        env=("PYTHON_KEYRING_BACKEND",),
        long_term="aws_mfa_keyring_backend",
        config=("aws_mfa_keyring_backend",),
        check=check.text,  # checked when loaded: a run that needs no keychain never minds it
    ),
    Option(
        "lock_timeout",
        (),
        "seconds to wait for another aws-mfa's lock",
        commands=(),
        env=("MFA_LOCK_TIMEOUT",),
        check=check.lock_timeout,
        default=_lock_timeout,
    ),
    Option(
        "pick",
        ("--pick",),
        "choose the profile from a list, on the terminal",
        kind=SWITCH,
        setting=False,
    ),
    Option(
        "setup",
        ("--setup",),
        "add a long-term section with your access keys, interactively",
        commands=(TOP, "login"),
        kind=SWITCH,
        setting=False,
    ),
    Option(
        "edit",
        ("--edit",),
        "open the AWS config file in your editor (as 'config')",
        commands=(TOP,),
        kind=SWITCH,
        setting=False,
    ),
    # Options of single commands.
    Option(
        "all",
        ("--all",),
        "list every session, even with $AWS_PROFILE set",
        commands=("status",),
        kind=SWITCH,
        setting=False,
    ),
    Option(
        "all",
        ("--all",),
        "forget every session aws-mfa wrote",
        commands=("logout",),
        kind=SWITCH,
        setting=False,
    ),
    Option(
        "json",
        ("--json",),
        "print JSON instead of a table",
        commands=("status",),
        kind=SWITCH,
        setting=False,
    ),
    Option(
        "redact",
        ("--redact",),
        "replace the access key id, secret access key and session token in the command's "
        "stdout and stderr with <redacted> (with --server: every credential served, and the "
        "endpoint's token); aws-mfa stays, as the command's parent",
        commands=("exec",),
        kind=SWITCH,
        setting=False,
    ),
    Option(
        "json",
        ("--json",),
        "print the records as JSON, one object a line, as the log holds them",
        commands=("audit",),
        kind=SWITCH,
        setting=False,
    ),
    Option(
        "since",
        ("--since",),
        "only the hand-outs of the last DURATION: a number and s, m, h, d or w (1d, 12h)",
        commands=("audit",),
        metavar="DURATION",
        setting=False,
    ),
    Option(
        "stored",
        ("--stored",),
        "print, in credential_process's format, the keys the credentials file holds for "
        "the profile, as they are: no MFA session, no renewal (how exec --server hands its "
        "command the profiles aws-mfa does not keep)",
        commands=("export",),
        kind=SWITCH,
        setting=False,
    ),
    Option(
        "format",
        ("-f", "--format"),
        "env, env-no-export, fish, powershell, windows-cmd or process "
        "(default: the 'shell' of the YAML profile, else your $SHELL's)",
        commands=("export",),
        metavar="FORMAT",
        yaml="shell",
    ),
    # Agents (docs/agents.md): who asks, what they get, who approves.
    Option(
        "agent",
        ("--agent",),
        "hand the credentials to the AI agent or automation NAME: a role capped at an hour "
        "with a session policy, a person's approval first, NAME in the role session name "
        "(default: $MFA_AGENT, else the agent whose environment marker is set)",
        commands=HAND_OUT,
        metavar="NAME",
        env=("MFA_AGENT",),
        check=check.agent_name,
    ),
    Option(
        "session_policy_arn",
        ("--session-policy-arn",),
        "a managed policy that limits the role's credentials (a session policy); repeat for "
        "up to 10 (default for an agent: aws_mfa_agent_policy_arns, else ReadOnlyAccess)",
        commands=HAND_OUT,
        kind=APPEND,
        metavar="ARN",
        setting=False,
    ),
    Option(
        "session_policy",
        ("--session-policy",),
        "a JSON policy file that limits the role's credentials (an inline session policy; "
        "default for an agent: aws_mfa_agent_policy)",
        commands=HAND_OUT,
        metavar="FILE",
        check=check.path,
    ),
    Option(
        "agent_guard",
        (),
        "whether an agent's environment marker makes a hand-out an agent's",
        commands=(),
        config=("aws_mfa_agent_guard",),
        check=check.yes_or_no,
        default=_fixed(True),
    ),
    Option(
        "agent_policy_arns",
        (),
        "the managed session policies of an agent's role credentials",
        commands=(),
        config=("aws_mfa_agent_policy_arns",),
        check=check.policy_arns,
    ),
    Option(
        "agent_policy",
        (),
        "a JSON file: the inline session policy of an agent's role credentials",
        commands=(),
        config=("aws_mfa_agent_policy",),
        check=check.path,
    ),
    Option(
        "agent_approval",
        (),
        "when a person approves a hand-out to an agent: session, always or never",
        commands=(),
        config=("aws_mfa_agent_approval",),
        check=check.agent_approval,
        default=_fixed("session"),
    ),
    Option(
        "source_identity",
        (),
        "the SourceIdentity of an agent's role session, a template",
        commands=(),
        config=("aws_mfa_source_identity",),
        check=check.source_identity,
    ),
    Option(
        "agent_tags",
        (),
        "whether an agent's role session carries the session tag aws-mfa:agent",
        commands=(),
        config=("aws_mfa_agent_tags",),
        check=check.yes_or_no,
        default=_fixed(False),
    ),
    Option(
        "allow_nested",
        ("--allow-nested",),
        "run even inside another 'aws-mfa exec'",
        commands=("exec",),
        kind=SWITCH,
        setting=False,
    ),
    Option(
        "server",
        ("--server",),
        "serve the credentials to COMMAND from a local endpoint that renews them as they "
        "expire (the ECS container-credentials protocol) instead of putting keys in its "
        "environment",
        commands=("exec",),
        kind=SWITCH,
        setting=False,
    ),
    Option(
        "program",
        (),
        "what to run",
        commands=("exec",),
        kind=REST,
        metavar="-- COMMAND [ARGS...]",
        setting=False,
    ),
    Option(
        "service",
        ("--service",),
        "open this service's console, like ec2 or s3, in the profile's region",
        commands=("console",),
        metavar="NAME",
        setting=False,
    ),
    Option(
        "path",
        ("--path",),
        "open this path of the console, like /cloudwatch/home#logsV2:",
        commands=("console",),
        metavar="PATH",
        setting=False,
    ),
    Option(
        "destination",
        ("--destination",),
        "open this console URL; it must be on the console host of the credentials' partition",
        commands=("console",),
        metavar="URL",
        setting=False,
    ),
    Option(
        "print_url",
        ("--print",),
        "print the sign-in URL on stdout instead of opening a browser (whoever has it is "
        "signed in, for 15 minutes)",
        commands=("console",),
        kind=SWITCH,
        setting=False,
    ),
    Option(
        "logout_first",
        ("--logout-first",),
        "sign the browser out of its current console session first",
        commands=("console",),
        kind=SWITCH,
        setting=False,
    ),
    Option(
        "console_browser",
        ("--browser",),
        "the command that opens the console, with {page}, {url}, {url_quoted} and {profile} "
        "(default: $MFA_CONSOLE_BROWSER, else aws_mfa_console_browser in the config profile, "
        "else $BROWSER, else the system's browser)",
        commands=("console",),
        metavar="COMMAND",
        env=("MFA_CONSOLE_BROWSER",),
        config=("aws_mfa_console_browser",),
    ),
    Option(
        "federation_policy",
        ("--federation-policy",),
        "without a role: the session policy of the federation token, 'allow-all' or up to 10 "
        "managed policy ARNs, comma-separated (default: $MFA_FEDERATION_POLICY, else "
        "aws_mfa_federation_policy in the config profile, else allow-all)",
        commands=("console",),
        metavar="POLICY",
        env=("MFA_FEDERATION_POLICY",),
        config=("aws_mfa_federation_policy",),
    ),
    Option(
        "federation_name",
        ("--federation-name",),
        "without a role: the federated user's name, 2 to 32 characters (default: "
        "aws_mfa_federation_name in the config profile, else your user name)",
        commands=("console",),
        metavar="NAME",
        config=("aws_mfa_federation_name",),
    ),
    Option(
        "action",
        (),
        "import: move the long-term section's secret access key into the OS keychain; "
        "export: put it back in the credentials file",
        commands=("keychain",),
        kind=POSITIONAL,
        choices=("import", "export"),
        setting=False,
    ),
    Option(
        "to",
        ("--to",),
        "import: where to move the secret, keychain (the OS keychain, the default) or "
        "command (the password manager of the section's aws_mfa_secret_store_command)",
        commands=("keychain",),
        metavar="STORE",
        choices=("keychain", "command"),
        setting=False,
    ),
    Option(
        "shell",
        (),
        "the shell to print the script for",
        commands=("completion",),
        kind=POSITIONAL,
        choices=("bash", "zsh", "fish", "powershell"),
        setting=False,
    ),
    Option(
        "profiles",
        ("--profiles",),
        "print the profile names to complete, one a line (the scripts call this)",
        commands=("completion",),
        kind=SWITCH,
        setting=False,
    ),
    Option(
        "keep_old",
        ("--keep-old",),
        "make the old access key inactive instead of deleting it",
        commands=("rotate",),
        kind=SWITCH,
        setting=False,
    ),
    Option(
        "yes",
        ("-y", "--yes"),
        "rotate without asking first",
        commands=("rotate",),
        kind=SWITCH,
        setting=False,
    ),
    Option(
        "check_secrets",
        ("--check-secrets",),
        "run each long-term section's password manager command once (aws_mfa_secret = "
        "command), without showing what it prints",
        commands=("doctor",),
        kind=SWITCH,
        setting=False,
    ),
    Option(
        "key_max_age",
        ("--key-max-age",),
        "days after which doctor reports a long-term access key as due for rotation "
        "(default: $MFA_KEY_MAX_AGE, else 90)",
        commands=("doctor",),
        metavar="DAYS",
        env=("MFA_KEY_MAX_AGE",),
        long_term="aws_mfa_key_max_age",
        config=("aws_mfa_key_max_age",),
        check=check.days,
        default=_fixed(check.DEFAULT_KEY_MAX_AGE),
    ),
)


class Marker(Record):
    """An environment variable a coding agent sets in the commands it runs
    (docs/agents.md lists each with its source)."""

    variable: str
    value: str
    """The value it must have; "" for any value but an empty one."""
    agent: str
    """The agent's name; "" to take the variable's value (``AI_AGENT``)."""


MARKERS: tuple[Marker, ...] = (
    Marker("CLAUDECODE", "1", "claude-code"),
    Marker("GEMINI_CLI", "1", "gemini-cli"),
    Marker("CURSOR_AGENT", "1", "cursor"),
    Marker("CODEX_SANDBOX", "", "codex"),
    Marker("CODEX_THREAD_ID", "", "codex"),
    Marker("COPILOT_AGENT", "1", "copilot"),
    Marker("COPILOT_CLI", "", "copilot-cli"),
    Marker("CLINE_ACTIVE", "", "cline"),
    Marker("KIRO_SESSION_ID", "", "kiro"),
    Marker("AUGMENT_AGENT", "", "augment"),
    Marker("GOOSE_TERMINAL", "1", "goose"),
    Marker("OPENCODE", "", "opencode"),
    Marker("AI_AGENT", "", ""),
)
"""The markers of agents aws-mfa knows, the agent-specific ones before the generic
``AI_AGENT``: when one is set and neither ``--agent`` nor ``MFA_AGENT`` is, the run is that
agent's (``agent``'s value, unless ``aws_mfa_agent_guard`` is off)."""

UNNAMED_AGENT = "agent"
"""The name of an agent whose ``AI_AGENT`` value is no agent name."""

BY_NAME: dict[str, Option] = {option.name: option for option in TABLE}
SETTINGS: tuple[Option, ...] = tuple(option for option in TABLE if option.setting)
"""The options resolved into Settings, in the order they are resolved."""

SUMMARIES: dict[str, str] = {
    "login": "renew the profile's credentials if needed (the default command)",
    "status": "show every stored session, or one profile's (exit code 0 when valid)",
    "logout": "forget the profile's session (STS sessions cannot be revoked)",
    "export": "renew if needed, then print the credentials for a shell or an SDK",
    "exec": "renew if needed, then run COMMAND with the credentials in its environment",
    "config": "open the AWS config file in your editor",
    "doctor": "check files, environment and clock for problems; change nothing",
    "keychain": "move the long-term secret access key into the OS keychain (import), "
    "or back into the credentials file (export)",
    "completion": "print the shell completion script for bash, zsh or fish",
    "rotate": "replace the long-term access key with a new one, never without a working key",
    "console": "open the AWS console in the browser, signed in with the profile's role or a "
    "federation token",
    "audit": "show the log of credentials handed out: when, by which command, to whom",
}
"""Each command's one-line summary, for the help."""


def options_of(command: str) -> list[Option]:
    """The options ``command`` takes (``TOP`` for the bare command line)."""
    return [option for option in TABLE if command in option.commands]


def defaults(command: str | None) -> dict[str, object]:
    """The parsed command line of ``aws-mfa [COMMAND]`` with no option given.

    As argparse builds it: every option of the bare command line, None (or
    False for a switch), then the command's own options that the bare command
    line does not have, and ``command``.
    """
    values: dict[str, object] = {}
    for option in options_of(TOP):
        values[option.name] = False if option.kind == SWITCH else None
    for option in options_of(command) if command else []:
        if option.name not in values:
            values[option.name] = _empty(option)
    values["command"] = command
    return values


def _empty(option: Option) -> object:
    if option.kind == SWITCH:
        return False
    return [] if option.kind == REST else None
