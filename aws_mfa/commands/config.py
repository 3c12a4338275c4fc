"""``aws-mfa config`` (and ``--edit``): open the AWS config file in the user's editor
(the work is :mod:`aws_mfa.editor`)."""

from __future__ import annotations

from aws_mfa.context import Context
from aws_mfa.errors import EXIT_OK


def run(context: Context) -> int:
    from aws_mfa.editor import edit

    edit(context.config_path, context.environ)
    return EXIT_OK
