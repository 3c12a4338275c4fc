"""aws-mfa's STS client beside botocore's own, on the same profile and environment.

For each case, both clients are built, their next GetSessionToken request is
stopped at botocore's ``before-send`` event (nothing leaves the machine), and
what they would do is compared: the URL, the region it is signed for, the
TLS verification (``ca_bundle``, ``AWS_CA_BUNDLE``, ``REQUESTS_CA_BUNDLE``),
the proxies and the retries. The one intended difference: where the user
configured no retries, aws-mfa uses standard mode with 3 attempts.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import botocore.session
import pytest

from aws_mfa import keys
from aws_mfa.aws import sts
from aws_mfa.files import ini
from aws_mfa.sessions import renewal
from tests.conftest import write

KEYS = keys.LongTermKeys("AKIAEXAMPLEKEY0WXYZ", "very-secret-value")
OURS_BY_DEFAULT = {"mode": "standard", "total_max_attempts": 3}
LOCAL = "http://127.0.0.1:4566"

Case = tuple[str, dict[str, str], str | None]
"""The config file's ``[profile dev]`` body and more sections, the environment, --region."""
LONG_TERM = "[dev-long-term]\naws_access_key_id = x\n"

PARTITIONS = [
    ("", {}, None),
    ("", {}, "us-east-1"),
    ("region = eu-west-1\n", {}, None),
    ("", {"AWS_DEFAULT_REGION": "ap-southeast-2"}, None),
    ("", {}, "cn-north-1"),
    ("", {}, "cn-northwest-1"),
    ("", {}, "us-gov-west-1"),
    ("", {}, "us-iso-east-1"),
    ("", {}, "us-isob-east-1"),
    ("", {}, "eu-isoe-west-1"),
    ("", {}, "ap-future-9"),
    ("sts_regional_endpoints = legacy\n", {}, "us-east-1"),
    ("sts_regional_endpoints = legacy\n", {}, "eu-west-1"),
    ("", {"AWS_STS_REGIONAL_ENDPOINTS": "legacy"}, "us-east-1"),
]
FIPS_AND_DUAL_STACK = [
    (settings, {}, region)
    for region in ("us-east-1", "us-gov-west-1", "cn-north-1", "ca-central-1")
    for settings in (
        "use_fips_endpoint = true\n",
        "use_dualstack_endpoint = true\n",
        "use_fips_endpoint = true\nuse_dualstack_endpoint = true\n",
    )
] + [
    ("", {"AWS_USE_FIPS_ENDPOINT": "true"}, "us-west-2"),
    ("", {"AWS_USE_DUALSTACK_ENDPOINT": "true"}, "eu-west-1"),
    ("", {"AWS_USE_FIPS_ENDPOINT": "true", "AWS_USE_DUALSTACK_ENDPOINT": "true"}, "us-east-1"),
    ("use_fips_endpoint = true\n", {}, None),
]
ENDPOINTS = [
    (f"endpoint_url = {LOCAL}\n", {}, "eu-west-1"),
    (
        "services = mine\n[services mine]\nsts =\n  endpoint_url = http://127.0.0.1:5000\n",
        {},
        "eu-west-1",
    ),
    (
        f"endpoint_url = {LOCAL}\nservices = mine\n[services mine]\nsts =\n"
        "  endpoint_url = http://127.0.0.1:5000\n",
        {},
        "eu-west-1",
    ),
    ("", {"AWS_ENDPOINT_URL_STS": LOCAL}, "eu-west-1"),
    ("", {"AWS_ENDPOINT_URL": LOCAL}, "eu-west-1"),
    (f"endpoint_url = {LOCAL}\n", {"AWS_ENDPOINT_URL_STS": "http://127.0.0.1:6000"}, "us-east-1"),
    (
        "",
        {"AWS_ENDPOINT_URL_STS": LOCAL, "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS": "true"},
        "eu-west-1",
    ),
    (
        f"endpoint_url = {LOCAL}\n",
        {"AWS_IGNORE_CONFIGURED_ENDPOINT_URLS": "true"},
        "eu-west-1",
    ),
    ("ignore_configured_endpoint_urls = true\n", {"AWS_ENDPOINT_URL_STS": LOCAL}, "eu-west-1"),
    (f"ignore_configured_endpoint_urls = true\nendpoint_url = {LOCAL}\n", {}, "eu-west-1"),
    (f"endpoint_url = {LOCAL}\nuse_fips_endpoint = true\n", {}, "us-east-1"),
]
CA_BUNDLES = [
    ("ca_bundle = CA/config.pem\n", {}, "eu-west-1"),
    ("", {"AWS_CA_BUNDLE": "CA/env.pem"}, "eu-west-1"),
    ("", {"REQUESTS_CA_BUNDLE": "CA/requests.pem"}, "eu-west-1"),
    ("ca_bundle = CA/config.pem\n", {"AWS_CA_BUNDLE": "CA/env.pem"}, "eu-west-1"),
    ("ca_bundle = CA/config.pem\n", {"REQUESTS_CA_BUNDLE": "CA/requests.pem"}, "eu-west-1"),
    ("", {"AWS_CA_BUNDLE": "CA/env.pem", "REQUESTS_CA_BUNDLE": "CA/requests.pem"}, None),
    ("", {"HTTPS_PROXY": "http://proxy.example:3128"}, "eu-west-1"),
    ("", {"HTTPS_PROXY": "http://proxy.example:3128", "NO_PROXY": "amazonaws.com"}, None),
]
RETRIES = [
    ("max_attempts = 7\nretry_mode = adaptive\n", {}, "eu-west-1"),
    ("", {"AWS_MAX_ATTEMPTS": "2", "AWS_RETRY_MODE": "legacy"}, "eu-west-1"),
    ("max_attempts = 5\nretry_mode = standard\n", {"AWS_MAX_ATTEMPTS": "9"}, "eu-west-1"),
    ("max_attempts = 6\n", {}, "eu-west-1"),
    ("retry_mode = legacy\n", {}, "eu-west-1"),
    ("defaults_mode = standard\n", {}, "eu-west-1"),
    ("", {}, "eu-west-1"),
]
IN_THE_CREDENTIALS_FILE = [
    # (the credentials file, the config file's [profile dev] body, the environment, --region)
    (f"[dev]\nregion = eu-central-1\n{LONG_TERM}", "", {}, None),
    (f"[dev]\nregion = eu-central-1\n{LONG_TERM}", "region = us-west-1\n", {}, None),
    (f"[DEFAULT]\nregion = ap-south-1\n{LONG_TERM}", "", {}, None),
    (f"[dev]\nca_bundle = CA/credentials.pem\n{LONG_TERM}", "", {}, "eu-west-1"),
    (f"[dev]\nendpoint_url = {LOCAL}\n{LONG_TERM}", "", {}, "eu-west-1"),
    (f"[dev]\nuse_fips_endpoint = true\n{LONG_TERM}", "", {}, "us-east-1"),
    (f"[dev]\nmax_attempts = 4\n{LONG_TERM}", "", {}, "eu-west-1"),
    (f"[dev]\ns3 =\n  addressing_style = path\nregion = eu-north-1\n{LONG_TERM}", "", {}, None),
    (f"{LONG_TERM}region = sa-east-1\n", "", {}, None),
]


def would_do(client: Any) -> dict[str, Any]:
    """What ``client`` would do for GetSessionToken: nothing is sent."""
    url, region = sts.would_send(client)
    http = client._endpoint.http_session
    return {
        "url": url,
        "signing region": region,
        "verify": http._verify,
        "proxies": dict(http._proxy_config._proxies),
        "retries": dict(client.meta.config.retries),
    }


def compare(
    case: Case, home: Path, monkeypatch: pytest.MonkeyPatch, credentials_text: str = LONG_TERM
) -> None:
    body, environ, region = case
    folder = home / ".aws"
    text = f"[profile dev]\n{body}".replace("CA/", f"{folder}/")
    config = write(folder / "config", text)
    credentials_text = credentials_text.replace("CA/", f"{folder}/")
    credentials = write(folder / "credentials", credentials_text)
    monkeypatch.setenv("AWS_CONFIG_FILE", str(config))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(credentials))
    monkeypatch.setenv("AWS_PROFILE", "someone-else")  # never read by aws-mfa's client
    for name, value in environ.items():
        monkeypatch.setenv(name, value.replace("CA/", f"{folder}/"))
    document = ini.parse(credentials_text, str(credentials))  # as a renewal has read it
    profiles = ("dev", "dev-long-term")
    ours = sts.make_client(
        KEYS, region, config=renewal.aws_config(profiles, str(config), str(credentials), document)
    )
    reference = botocore.session.Session(profile="dev").create_client(
        "sts",
        region_name=region,
        aws_access_key_id=KEYS.access_key_id,
        aws_secret_access_key=KEYS.secret_access_key,
    )
    expected = would_do(reference)
    found = would_do(ours.client)  # type: ignore[attr-defined]
    words = set(body.split()) | set(credentials_text.split())
    configured = {"max_attempts", "retry_mode", "defaults_mode"} & words or {
        "AWS_MAX_ATTEMPTS",
        "AWS_RETRY_MODE",
    } & set(environ)
    if not configured:
        expected["retries"] = OURS_BY_DEFAULT
    elif not {"retry_mode", "defaults_mode"} & words and "AWS_RETRY_MODE" not in environ:
        expected["retries"]["mode"] = "standard"
    elif "max_attempts" not in words and "AWS_MAX_ATTEMPTS" not in environ:
        expected["retries"]["total_max_attempts"] = 3
    assert found == expected


@pytest.mark.parametrize("case", PARTITIONS)
def test_regions_in_every_partition(case: Case, home: Path, monkeypatch) -> None:
    compare(case, home, monkeypatch)


@pytest.mark.parametrize("case", FIPS_AND_DUAL_STACK)
def test_fips_and_dual_stack(case: Case, home: Path, monkeypatch) -> None:
    compare(case, home, monkeypatch)


@pytest.mark.parametrize("case", ENDPOINTS)
def test_configured_endpoints_and_the_switch_that_ignores_them(
    case: Case, home: Path, monkeypatch
) -> None:
    compare(case, home, monkeypatch)


@pytest.mark.parametrize("case", CA_BUNDLES)
def test_ca_bundles_and_proxies(case: Case, home: Path, monkeypatch) -> None:
    compare(case, home, monkeypatch)


@pytest.mark.parametrize("case", RETRIES)
def test_retries(case: Case, home: Path, monkeypatch) -> None:
    compare(case, home, monkeypatch)


@pytest.mark.parametrize(("credentials_text", "body", "environ", "region"), IN_THE_CREDENTIALS_FILE)
def test_settings_kept_in_the_credentials_file(
    credentials_text: str,
    body: str,
    environ: dict[str, str],
    region: str | None,
    home: Path,
    monkeypatch,
) -> None:
    # botocore reads them there too; aws-mfa hands botocore the sections it has read itself
    compare((body, environ, region), home, monkeypatch, credentials_text)


def test_botocore_sees_the_same_profiles_when_handed_the_sections_aws_mfa_read(home: Path) -> None:
    folder = home / ".aws"
    config = write(folder / "config", "[profile dev]\nregion = us-west-1\noutput = json\n")
    text = (
        "[DEFAULT]\nregion = ap-south-1\nretry_mode = adaptive\n"
        "[dev]\nregion = eu-central-1\ns3 =\n  addressing_style = path\n  x = 1\n"
        "[dev-long-term]\naws_access_key_id = x\nmultiline = first\n  second\n"
        "[other]\nregion = eu-west-3\n"
    )
    credentials = write(folder / "credentials", text)
    profiles = ("dev", "dev-long-term")
    document = ini.parse(text, str(credentials))
    config_of = renewal.aws_config(profiles, str(config), str(credentials), document)
    ours = sts.botocore_session(config_of)
    reference = botocore.session.Session(profile="dev")
    reference.set_config_variable("config_file", str(config))
    reference.set_config_variable("credentials_file", str(credentials))
    for name in profiles:
        assert ours.full_config["profiles"][name] == reference.full_config["profiles"][name]
    assert ours.get_scoped_config() == reference.get_scoped_config()
