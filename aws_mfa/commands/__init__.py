"""One module per command, each with ``run(context) -> int``: the glue between the
command line and the modules that do the work.

``aws-mfa COMMAND`` runs ``aws_mfa.commands.COMMAND.run``; the module is
imported only for its command. A command reads what it needs through its
:class:`~aws_mfa.context.Context`, calls the work, and prints the result.
Errors are raised, never printed: :func:`aws_mfa.cli.main` is the one place
that turns them into a message and an exit code.
"""
