"""Bytes on disk: reading, parsing and safely writing aws-mfa's files.

- :mod:`~aws_mfa.files.read`: read a file only when it is a regular file of a
  sane size, as UTF-8 without BOM; parse it as INI; judge its mode;
- :mod:`~aws_mfa.files.ini`: the INI reader, with botocore's rules and line spans;
- :mod:`~aws_mfa.files.safe_write`: the one safe-write routine;
- :mod:`~aws_mfa.files.lock`: the advisory lock every writer holds;
- :mod:`~aws_mfa.files.section_edit`: one section's text changed, every other byte kept;
- :mod:`~aws_mfa.files.write_check`: botocore's reader checks each write before the rename;
- :mod:`~aws_mfa.files.credentials_file`: one edit committed to the credentials file.

This layer knows files and INI text, not what AWS makes of them: it is a
layer of docs/architecture.md, and may import only the foundation
(``tests/test_layers.py`` checks it).
"""
