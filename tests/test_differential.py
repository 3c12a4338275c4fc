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

from aws_mfa import keys, sts
from tests.conftest import write

KEYS = keys.LongTermKeys("AKIAEXAMPLEKEY0WXYZ", "very-secret-value")
OURS_BY_DEFAULT = {"mode": "standard", "total_max_attempts": 3}
LOCAL = "http://127.0.0.1:4566"

Case = tuple[str, dict[str, str], str | None]
"""The config file's ``[profile dev]`` body and more sections, the environment, --region."""

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


def compare(case: Case, home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    body, environ, region = case
    folder = home / ".aws"
    text = f"[profile dev]\n{body}".replace("CA/", f"{folder}/")
    config = write(folder / "config", text)
    credentials = write(folder / "credentials", "[dev-long-term]\naws_access_key_id = x\n")
    monkeypatch.setenv("AWS_CONFIG_FILE", str(config))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(credentials))
    monkeypatch.setenv("AWS_PROFILE", "someone-else")  # never read by aws-mfa's client
    for name, value in environ.items():
        monkeypatch.setenv(name, value.replace("CA/", f"{folder}/"))
    ours = sts.make_client(
        KEYS, region, config=sts.AwsConfig(("dev", "dev-long-term"), str(config), str(credentials))
    )
    reference = botocore.session.Session(profile="dev").create_client(
        "sts",
        region_name=region,
        aws_access_key_id=KEYS.access_key_id,
        aws_secret_access_key=KEYS.secret_access_key,
    )
    expected = would_do(reference)
    found = would_do(ours.client)  # type: ignore[attr-defined]
    configured = {"max_attempts", "retry_mode", "defaults_mode"} & set(body.split()) or {
        "AWS_MAX_ATTEMPTS",
        "AWS_RETRY_MODE",
    } & set(environ)
    if not configured:
        expected["retries"] = OURS_BY_DEFAULT
    elif (
        "retry_mode" not in body and "defaults_mode" not in body and "AWS_RETRY_MODE" not in environ
    ):
        expected["retries"]["mode"] = "standard"
    elif "max_attempts" not in body and "AWS_MAX_ATTEMPTS" not in environ:
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
