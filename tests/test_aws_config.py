"""Profiles of the AWS config file, named as botocore names them."""

from __future__ import annotations

from pathlib import Path

import botocore.session
import pytest

from aws_mfa.aws import config_file as aws_config
from aws_mfa.files import ini
from tests.conftest import write

CONFIG = """\
[DEFAULT]
output = json
region = ap-south-1

[default]
region = us-west-2

[profile "dev"]
region = eu-west-1
mfa_serial = arn:aws:iam::123456789012:mfa/dev

[profile   spaced]
region = eu-west-2

[profile "two words"]
region = eu-west-3

[sso-session corp]
sso_region = us-east-1

[services local]
sts =
  endpoint_url = http://127.0.0.1:4566

[profile default]
region = ca-central-1

[legacy]
mfa_serial = arn:aws:iam::123456789012:mfa/legacy

[profile]
region = nowhere
"""


def profiles(text: str) -> dict[str, aws_config.ConfigProfile]:
    return aws_config.profiles(ini.parse(text, "config"))


def test_profiles_are_named_as_botocore_names_them() -> None:
    found = profiles(CONFIG)
    assert list(found) == ["default", "dev", "spaced", "two words", "legacy"]
    assert found["dev"].values["region"] == "eu-west-1"
    assert found["dev"].values["mfa_serial"] == "arn:aws:iam::123456789012:mfa/dev"
    assert found["dev"].header == 'profile "dev"'
    # [profile default] comes later in the file than [default], so it wins, as in botocore
    assert found["default"].values["region"] == "ca-central-1"
    # [DEFAULT] gives every profile its keys, as configparser does
    assert found["spaced"].values["output"] == "json"
    assert found["legacy"].values["region"] == "ap-south-1"


def test_botocore_reads_the_same_profiles_and_values(home: Path, monkeypatch) -> None:
    path = write(home / ".aws" / "config", CONFIG)
    monkeypatch.setenv("AWS_CONFIG_FILE", str(path))
    session = botocore.session.Session()
    theirs = session.full_config["profiles"]
    ours = profiles(CONFIG)
    for name, profile in theirs.items():
        assert dict(ours[name].values) == profile
    # The one extension: a bare [legacy] header, which botocore ignores.
    assert set(ours) - set(theirs) == {"legacy"}


@pytest.mark.parametrize(
    ("text", "names"),
    [
        ("[default]\nregion = a\n[profile default]\nregion = b\n", {"default": "b"}),
        ("[profile default]\nregion = b\n[default]\nregion = a\n", {"default": "a"}),
        ("[dev]\nregion = bare\n[profile dev]\nregion = named\n", {"dev": "named"}),
        ("[profile dev]\nregion = named\n[dev]\nregion = bare\n", {"dev": "named"}),
        ("[profile 'unclosed]\nregion = x\n", {}),
        ("[sso-session x]\nsso_region = y\n[services y]\n", {}),
    ],
)
def test_which_header_wins(text: str, names: dict[str, str]) -> None:
    assert {name: p.values.get("region") for name, p in profiles(text).items()} == names
