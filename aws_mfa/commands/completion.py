"""``aws-mfa completion SHELL``: print the completion script; ``--profiles`` prints the
profile names the scripts offer (the work is :mod:`aws_mfa.completion`)."""

from __future__ import annotations

import sys

from aws_mfa import completion
from aws_mfa.context import Context
from aws_mfa.errors import EXIT_OK, UsageError


def run(context: Context) -> int:
    if context.flags.switch("profiles"):
        names = completion.profile_names(
            context.credentials(), context.config_profiles(), context.flags
        )
        print("\n".join(names))
        return EXIT_OK
    shell = context.flags.value("shell")
    if not shell:
        raise UsageError("completion needs a shell: aws-mfa completion bash|zsh|fish")
    from aws_mfa.parser import build_parser

    sys.stdout.write(completion.script(build_parser(), shell))
    return EXIT_OK
