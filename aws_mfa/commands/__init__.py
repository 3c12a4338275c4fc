"""One module per command, each with ``run(context) -> int``, and the work that command
alone does.

``aws-mfa COMMAND`` runs ``aws_mfa.commands.COMMAND.run``; the module is
imported only for its command. A command reads what it needs through its
:class:`~aws_mfa.cli.context.Context`, does its own work or calls the shared
work of the domain modules (named by what they are: ``renewal``,
``session_state``...), and prints the result. ``login``, ``export``, ``exec``
and ``console`` start with the steps of :mod:`~aws_mfa.cli.prepare`. Errors are raised,
never printed: :func:`aws_mfa.cli.main.main` is the one place that turns them
into a message and an exit code.

With :mod:`aws_mfa.cli` this is the top layer of docs/architecture.md: it may
import every layer below, nothing below imports it, and no command imports
another (``tests/test_layers.py``).
"""
