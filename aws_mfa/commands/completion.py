"""``aws-mfa completion bash|zsh|fish|powershell``: shell completion generated from the
parser itself; ``--profiles`` prints the profile names the scripts offer.

shtab turns :func:`aws_mfa.cli.parser.build_parser` into each shell's script, so
completion can never drift from the flags. Profile names are completed by
asking aws-mfa itself (``aws-mfa completion --profiles``), which reads the
credentials and config files as a login would; each script defines the small
function that does so::

    # ~/.bashrc
    eval "$(aws-mfa completion bash)"
    # ~/.zshrc (after compinit)
    eval "$(aws-mfa completion zsh)"
    # ~/.config/fish/config.fish
    aws-mfa completion fish | source
    # $PROFILE (PowerShell)
    aws-mfa completion powershell | Out-String | Invoke-Expression

shtab is imported only here.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Mapping

from aws_mfa.aws.config_file import ConfigProfile
from aws_mfa.aws.sections import is_session
from aws_mfa.cli.context import Context
from aws_mfa.errors import EXIT_OK, UsageError
from aws_mfa.files import ini
from aws_mfa.profiles import known_profiles
from aws_mfa.settings.resolve import Flags


def run(context: Context) -> int:
    if context.flags.switch("profiles"):
        names = profile_names(context.credentials(), context.config_profiles(), context.flags)
        print("\n".join(names))
        return EXIT_OK
    shell = context.flags.value("shell")
    if not shell:
        raise UsageError("completion needs a shell: aws-mfa completion bash|zsh|fish|powershell")
    from aws_mfa.cli.parser import build_parser

    sys.stdout.write(script(build_parser(), shell))
    return EXIT_OK


PREAMBLE = {
    # Names are data, never code: no compgen -W (which expands "$(...)" in the
    # words), each name compared literally and printed quoted for bash.
    "bash": (
        "_aws_mfa_profiles() {\n"
        "  local name\n"
        "  while IFS= read -r name; do\n"
        '    [[ "$name" == "$1"* ]] && printf \'%q\\n\' "$name"\n'
        "  done < <(aws-mfa completion --profiles 2>/dev/null)\n"
        "}\n"
    ),
    "zsh": (
        "_aws_mfa_profiles() {\n"
        "  local -a profiles\n"
        '  profiles=(${(f)"$(aws-mfa completion --profiles 2>/dev/null)"})\n'
        "  compadd -a profiles\n"
        "}\n"
    ),
    "fish": ("function __aws_mfa_profiles\n    aws-mfa completion --profiles 2>/dev/null\nend\n"),
    # PowerShell: each name compared as text (StartsWith, not -like, whose wildcards would
    # make a name a pattern), and given back as a value, never run.
    "powershell": (
        "function _aws_mfa_profiles {\n"
        "  param([string]$WordToComplete)\n"
        "  aws-mfa completion --profiles 2>$null |\n"
        "    Where-Object { $_.StartsWith($WordToComplete) }\n"
        "}\n"
    ),
}


def script(parser: argparse.ArgumentParser, shell: str) -> str:
    """The completion script of ``shell`` for ``parser``."""
    import shtab

    text: str = shtab.complete(parser, shell=shell, preamble=PREAMBLE[shell])
    return text if text.endswith("\n") else text + "\n"


def profile_names(
    document: ini.IniFile | None, config: Mapping[str, ConfigProfile], flags: Flags
) -> list[str]:
    """Profiles worth offering: those with long-term keys, with sessions, or in the config."""
    names = {profile for profile, _, _ in known_profiles(document, config, flags)}
    if document is not None:
        names |= {name for name, section in document.sections.items() if is_session(section.values)}
    names |= set(config)
    return sorted(names)
