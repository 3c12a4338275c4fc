"""What every command starts from: the flags, the environment, and the files, each read once.

A command asks for what it needs (``context.credentials()``,
``context.config()``, ``context.settings()``) and the file is read the first
time it is asked for; most commands never read the YAML profiles, and
``config`` reads nothing. What it does not do: decide, write or print.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from aws_mfa import log
from aws_mfa.aws import config_file
from aws_mfa.aws.config_file import ConfigProfile
from aws_mfa.files import ini, read
from aws_mfa.identity import Identity, classify, of_profile
from aws_mfa.settings import resolve
from aws_mfa.settings.resolve import Flags, Settings

TYPE_CHECKING = False  # see aws_mfa.records: typing is not imported at run time
if TYPE_CHECKING:
    from aws_mfa.agents import Plan


class Context:
    """The parsed command line, the environment, and the files read so far.

    ``checkpoint``, when given, is told each step a rotation passes
    (:data:`aws_mfa.rotation.Checkpoint`); only tests give one.
    """

    def __init__(
        self,
        flags: Flags,
        environ: Mapping[str, str],
        command: str,
        checkpoint: Callable[[str], None] | None = None,
    ) -> None:
        self.flags = flags
        self.environ = environ
        self.command = command
        self.checkpoint = checkpoint
        self.credentials_path: str = resolve.resolve_early("credentials_file", flags, environ)
        self.config_path: str = resolve.resolve_early("config_file", flags, environ)
        self._files: dict[str, ini.IniFile | None] = {}
        self._yaml: list[dict[str, dict[str, str]] | None] = []
        self._settings: tuple[Flags, Settings] | None = None
        self._identity: tuple[Flags, Identity] | None = None
        """The chosen profile's settings and identity, each resolved once for the flags
        (``--pick`` changes them)."""
        self.plan: Plan | None = None
        """The hand-out decided for an agent or a session policy (:meth:`agent_plan`), for
        what reports it: ``plan.agent_name`` and ``plan.policy_arns``."""

    def _read(self, path: str) -> ini.IniFile | None:
        if path not in self._files:
            log.debug("Reading %s", path)
            self._files[path] = read.read_ini(path)
        return self._files[path]

    def credentials(self) -> ini.IniFile | None:
        """The credentials file, parsed (None when there is none); warns when others may read it."""
        first = self.credentials_path not in self._files
        document = self._read(self.credentials_path)
        problem = first and read.mode_problem(self.credentials_path)
        if problem and self.command != "doctor":  # the doctor reports it itself
            log.warning("%s", problem)
        return document

    def settings_of(self, profile: str) -> Settings:
        """The settings of another profile (a role profile's source), resolved the same way."""
        return resolve.resolve(
            self.flags.replace(profile=profile),
            self.environ,
            self.credentials(),
            self.config(),
            self.yaml_entries(),
        )

    def forget_credentials(self) -> None:
        """Read the credentials file again when next asked: a command changed it (and with it,
        maybe, the settings kept there)."""
        self._files.pop(self.credentials_path, None)
        self._settings = self._identity = None

    def identity(self) -> Identity:
        """What the chosen profile means (:func:`aws_mfa.identity.of_profile`), answered once."""
        if self._identity is None or self._identity[0] is not self.flags:
            found = of_profile(self.settings(), self.config_profiles(), self.settings_of)
            self._identity = (self.flags, found)
        return self._identity[1]

    def identity_of(self, name: str) -> Identity:
        """What another profile name means, never raising (:func:`aws_mfa.identity.classify`):
        as ``aws-mfa --profile NAME`` on this run's files sees it, with no other flag (the
        flags of this run are for its own profile)."""

        def settings_of(profile: str) -> Settings:
            flags = Flags(
                profile=profile,
                credentials_file=self.credentials_path,
                config_file=self.config_path,
            )
            return resolve.resolve(
                flags, self.environ, self.credentials(), self.config(), self.yaml_entries()
            )

        return classify(name, self.credentials(), self.config_profiles(), settings_of)

    def agent_plan(self, found: Identity) -> Plan | None:
        """The hand-out of ``found`` to an agent, or with a session policy; None for any other
        (:func:`aws_mfa.agents.plan`, checked before anything is asked or sent), which then
        imports nothing more."""
        arns = self.flags.values.get("session_policy_arn")
        given = [arn for arn in arns if isinstance(arn, str)] if isinstance(arns, list) else []
        settings = self.settings()
        if settings.agent is None and not given and settings.session_policy is None:
            self.plan = None
            return None
        from aws_mfa.agents import plan

        self.plan = plan(settings, found, given)
        return self.plan

    def config(self) -> ini.IniFile | None:
        """The AWS config file, parsed (None when there is none)."""
        return self._read(self.config_path)

    def config_profiles(self) -> dict[str, ConfigProfile]:
        return config_file.profiles(self.config())

    def yaml_entries(self) -> dict[str, dict[str, str]] | None:
        """The YAML profiles, inheritance resolved (None when there is no YAML file)."""
        if not self._yaml:
            from aws_mfa.settings import yaml_profiles

            self._yaml.append(yaml_profiles.load(yaml_profiles.default_path(self.environ)))
        return self._yaml[0]

    def settings(self) -> Settings:
        """The settings of the chosen profile, resolved once from the flags, environment and
        files."""
        if self._settings is None or self._settings[0] is not self.flags:
            resolved = resolve.resolve(
                self.flags,
                self.environ,
                self.credentials(),
                self.config(),
                self.yaml_entries(),
                writes_session=self.command not in ("keychain", "rotate"),
            )
            self._settings = (self.flags, resolved)
        return self._settings[1]
