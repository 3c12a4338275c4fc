"""aws-mfa's settings: the one table, the checks of each value, the YAML profiles, and the
resolution of all of them into one :class:`~aws_mfa.settings.resolve.Settings` record.

- :mod:`~aws_mfa.settings.table`: every option and setting, described once;
- :mod:`~aws_mfa.settings.checks`: text in, a checked value out, or an error naming the source;
- :mod:`~aws_mfa.settings.yaml_profiles`: ``~/.aws/aws-mfa.yaml``, inheritance resolved;
- :mod:`~aws_mfa.settings.resolve`: flags, environment and files into ``Settings``.

Resolution reads no file: it is handed what was read (the YAML loader reads
its own file when the context asks for it). It is a layer of
docs/architecture.md: it may import :mod:`aws_mfa.aws`, :mod:`aws_mfa.files` and
the foundation, nothing above (``tests/test_layers.py``).
"""
