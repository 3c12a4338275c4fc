"""One module per command, each with ``run(context) -> int``, and the work that command
alone does.

``aws-mfa COMMAND`` runs ``aws_mfa.commands.COMMAND.run``; the module is
imported only for its command. A command reads what it needs through its
:class:`~aws_mfa.cli.context.Context`, does its own work or calls the shared
work of the domain modules (named by what they are: ``renewal``,
``session_state``...), and prints the result. ``export`` and ``exec`` log in
first with the steps of :mod:`~aws_mfa.commands.login`. Errors are raised,
never printed: :func:`aws_mfa.cli.main.main` is the one place that turns them
into a message and an exit code.

With :mod:`aws_mfa.cli` this is the top layer: it may import everything
below, and nothing below imports it (``tests/test_layers.py``).
"""
