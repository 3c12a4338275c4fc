"""The command line: read it, give a command what it starts from, and turn errors into
messages and exit codes.

- :mod:`~aws_mfa.cli.main`: ``main()`` and ``entry()``, the only place an error becomes
  a message and an exit code;
- :mod:`~aws_mfa.cli.quick`: the common command lines, read without argparse;
- :mod:`~aws_mfa.cli.parser`: the argparse parser, built from the settings table;
- :mod:`~aws_mfa.cli.context`: the parsed command line, the environment and the
  files, each read once.

With :mod:`aws_mfa.commands` it forms the top layer: ``main`` runs a command by
name, and a command starts from a context (``completion`` also prints the
parser). Both may import every layer below; nothing below imports them
(docs/architecture.md lists the layers; ``tests/test_layers.py`` checks them).
"""
