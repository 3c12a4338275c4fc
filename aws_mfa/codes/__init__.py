"""MFA codes: where the code comes from (a flag, a variable, a command, a prompt), the
prompt drivers, and the memory of codes already sent and prompts refused.

- :mod:`~aws_mfa.codes.mfa_code`: where the code comes from, and when to ask;
- :mod:`~aws_mfa.codes.prompts`: the prompt drivers (dialogs, ykman, notifications);
- :mod:`~aws_mfa.codes.used_codes`: which codes were sent already (keyed digests), and
  which prompts were refused.

It is a layer of docs/architecture.md: it knows nothing of sessions or STS
and may import only the layers before it (``tests/test_layers.py``).
"""
