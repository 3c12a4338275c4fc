"""aws-mfa: trade long-term AWS keys and an MFA code for temporary credentials.

The command-line entry point is :func:`aws_mfa.cli.main.main`. The version is
defined here and nowhere else; pyproject.toml (hatchling) reads it from this line.
"""

__version__ = "0.2.0.dev0"
