"""``python -m aws_mfa``: the same as the ``aws-mfa`` command."""

import sys

from aws_mfa.cli.main import entry

sys.exit(entry())
