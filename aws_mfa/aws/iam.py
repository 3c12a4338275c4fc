"""What aws-mfa asks IAM with long-term keys: the MFA devices of the user who owns them.

``--setup`` offers the devices it finds, so that nobody has to find an ARN in
the console. It asks STS who the keys belong to (GetCallerIdentity, which
needs no permission), then IAM for that user's devices (ListMFADevices, which
the usual "deny everything without MFA" policy allows, so that a user can set
up MFA in the first place). The client is boto3's, built from the user's AWS
configuration exactly as :mod:`aws_mfa.aws.sts` builds its own.

It is best effort: when the keys, the network or a policy say no, the answer
is no devices and the reason, and ``--setup`` asks for the ARN instead.

What it does not do: change anything in IAM, or log a secret.
"""

from __future__ import annotations

from aws_mfa.aws.sts import AwsConfig, boto3_client, limits
from aws_mfa.keys import LongTermKeys
from aws_mfa.records import Record

LOOKUP_TIMEOUT = 10.0
"""Seconds the lookup may take in all: a person is waiting at the prompt."""


class Devices(Record):
    """The user's MFA device ARNs (serial numbers), or why none could be listed."""

    serials: list[str]
    problem: str = ""


def mfa_devices(
    keys: LongTermKeys, config: AwsConfig | None = None, timeout: float = LOOKUP_TIMEOUT
) -> Devices:
    """The MFA devices of the IAM user who owns ``keys`` (``config``: whose AWS settings
    the clients use; default: the default profile's)."""
    from botocore.exceptions import BotoCoreError, ClientError

    bounds, config = limits(timeout), config or AwsConfig()
    try:
        sts = boto3_client(keys, None, config, None, bounds)
        arn = str(sts.get_caller_identity()["Arn"])
        if ":user/" not in arn:
            return Devices([], "the keys are not an IAM user's")
        user = arn.rpartition("/")[2]
        iam = boto3_client(keys, None, config, None, bounds, service="iam")
        listed = iam.list_mfa_devices(UserName=user)["MFADevices"]
    except ClientError as err:
        return Devices([], str(err.response.get("Error", {}).get("Code", "refused")))
    except (BotoCoreError, ValueError, KeyError, TypeError) as err:
        return Devices([], type(err).__name__)
    return Devices([str(device["SerialNumber"]) for device in listed])
