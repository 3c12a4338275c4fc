"""``aws-mfa doctor``: check files, environment and clock, and report; change nothing
(the checks are :mod:`aws_mfa.doctor`)."""

from __future__ import annotations

from aws_mfa import doctor
from aws_mfa.context import Context
from aws_mfa.errors import EXIT_OK, EXIT_PROBLEMS, AwsMfaError, FileError


def run(context: Context) -> int:
    findings = []
    region = None
    try:
        region = context.settings().region
    except FileError:
        pass  # examine() reports the file's problem itself
    except AwsMfaError as err:
        findings.append(doctor.Finding(doctor.PROBLEM, str(err)))
    findings += doctor.examine(
        context.flags, context.environ, context.credentials_path, context.config_path, region
    )
    print(doctor.report(findings))
    if any(finding.level == doctor.PROBLEM for finding in findings):
        return EXIT_PROBLEMS
    return EXIT_OK
