"""MFA sessions: the short-term section's state, the private cache of MFA sessions, the
renewal with its STS calls, and keeping an identity's credentials valid.

- :mod:`~aws_mfa.sessions.session_state`: what the short-term section holds, and whether
  it must be renewed (the valid path ends here);
- :mod:`~aws_mfa.sessions.mfa_sessions`: the private cache of MFA sessions roles are
  assumed from;
- :mod:`~aws_mfa.sessions.providers`: where fresh credentials come from, spending as few
  codes as it can;
- :mod:`~aws_mfa.sessions.renewal`: a renewal once decided: lock, decide again, ask STS,
  write;
- :mod:`~aws_mfa.sessions.keep`: an :class:`~aws_mfa.identity.Identity`'s credentials,
  kept valid: what every command and the endpoint call.

It is a layer of docs/architecture.md: it may import :mod:`aws_mfa.codes`,
:mod:`aws_mfa.identity`, the other layers before it, and nothing after
(``tests/test_layers.py``).
"""
