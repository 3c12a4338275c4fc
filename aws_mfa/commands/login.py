"""``aws-mfa [login]``: make the profile's session valid, asking for a code only when it must;
``--pick`` chooses the profile first (:mod:`aws_mfa.cli.prepare`); ``--setup`` is
:mod:`aws_mfa.commands.setup`.

For a role profile, the session kept valid is its source profile's, from which
the AWS CLI and SDKs assume the role themselves: aws-mfa writes nothing under
the role profile's name (docs/roles.md).
"""

from __future__ import annotations

from aws_mfa import expiry, identity, log
from aws_mfa.cli.context import Context
from aws_mfa.cli.prepare import prepare
from aws_mfa.errors import EXIT_OK
from aws_mfa.sessions.keep import ensure_valid


def run(context: Context) -> int:
    found = prepare(context)
    outcome = ensure_valid(found.session, context.credentials())
    if found.kind != identity.ROLE:
        return EXIT_OK
    until = expiry.describe_local(outcome.credentials.expiration)
    if found.mfa_serial:
        log.info(
            "The MFA session in [%s] is valid until %s; AWS_PROFILE=%s programs ask for a code "
            "to assume %s themselves while [%s] has mfa_serial (see the warning above)",
            found.session.short_term_section,
            until,
            found.name,
            found.role_arn,
            found.header,
        )
        return EXIT_OK
    log.info(
        "AWS_PROFILE=%s programs assume %s themselves, from the MFA session in [%s], with no "
        "code until it ends (%s)",
        found.name,
        found.role_arn,
        found.session.short_term_section,
        until,
    )
    return EXIT_OK
