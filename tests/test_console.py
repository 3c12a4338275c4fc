"""``aws-mfa console`` (issue 24): each kind of credentials gets a working sign-in URL from the
stand-in federation endpoint, or a clear refusal; never a long-term key or an MFA session
sent there; the URL never logged.

The runs go through aws-mfa's main in-process (tests/conftest.py), at DEBUG, against the
strict local STS (tests/strict_sts.py) and the stand-in sign-in endpoint
(tests/signin_standin.py), which answers 400 to what AWS refuses. Every run's output is
searched for every secret the STS issued and every sign-in token the stand-in gave
(:func:`tests.conftest.check_no_secrets`). Opening a browser starts a process: those tests
are marked e2e.
"""

from __future__ import annotations

import json
import os
import stat
import sys
import time
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

from aws_mfa.aws import signin
from aws_mfa.commands import console
from aws_mfa.errors import StsRefusedError, UsageError
from aws_mfa.keys import TemporaryCredentials
from tests.conftest import (
    DEVICE,
    LONG_TERM_KEY_ID,
    LONG_TERM_SECRET,
    ROLE,
    RUN_SECRETS,
    SIGNIN_TOKENS,
    AwsMfa,
    Result,
    long_term,
    write,
)
from tests.signin_standin import REFUSED, SigninStandIn
from tests.signin_standin import signin as signin_endpoint
from tests.strict_sts import StrictSts, strict_sts

__all__ = ["signin_endpoint", "strict_sts"]  # fixtures, used by name

AWS = signin.PARTITIONS["aws"]
CN = signin.PARTITIONS["aws-cn"]
GOV = signin.PARTITIONS["aws-us-gov"]
EUSC = signin.PARTITIONS["aws-eusc"]
EUSC_ROLE = "arn:aws-eusc:iam::210987654321:role/admin"
GOV_ROLE = "arn:aws-us-gov:iam::210987654321:role/admin"
TOKEN = "TOKEN123"


def one_error(result: Result, code: int) -> str:
    """The single ERROR line of a run that failed with ``code``, without a traceback."""
    assert result.code == code, result.stderr
    assert "Traceback" not in result.stderr
    assert len(result.error_lines) == 1, result.stderr
    return result.error_lines[0]


def printed_url(result: Result) -> str:
    assert result.code == 0, result.stderr
    lines = result.stdout.splitlines()
    assert len(lines) == 1, result.stdout
    return lines[0]


@pytest.fixture
def dev(credentials: Path) -> Path:
    write(credentials, long_term("dev-long-term"))
    return credentials


@pytest.fixture
def run(aws_mfa_in_process: AwsMfa, signin_endpoint: SigninStandIn) -> AwsMfa:
    """``aws-mfa`` in-process, its console aimed at the stand-in."""
    return aws_mfa_in_process


# Golden URLs: every partition and kind of destination.

GOLDEN = [
    (AWS, None, console.Where(), "https://console.aws.amazon.com/console/home"),
    (
        AWS,
        "eu-west-1",
        console.Where(),
        "https://eu-west-1.console.aws.amazon.com/console/home?region=eu-west-1",
    ),
    (
        AWS,
        "eu-west-1",
        console.Where(service="ec2"),
        "https://eu-west-1.console.aws.amazon.com/ec2/home?region=eu-west-1",
    ),
    (
        AWS,
        "eu-west-1",
        console.Where(service="iam"),
        "https://eu-west-1.console.aws.amazon.com/iam/home",
    ),
    (AWS, None, console.Where(service="s3"), "https://console.aws.amazon.com/s3/home"),
    (
        AWS,
        "us-east-1",
        console.Where(path="/cloudwatch/home#logsV2:log-groups"),
        "https://us-east-1.console.aws.amazon.com/cloudwatch/home?region=us-east-1#logsV2:log-groups",
    ),
    (
        AWS,
        "us-east-1",
        console.Where(path="/ec2/home?region=eu-west-1#Instances:"),
        "https://us-east-1.console.aws.amazon.com/ec2/home?region=eu-west-1#Instances:",
    ),
    (
        AWS,
        "us-east-1",
        console.Where(path="/lambda/home?x=1"),
        "https://us-east-1.console.aws.amazon.com/lambda/home?x=1&region=us-east-1",
    ),
    (
        AWS,
        "us-east-1",
        console.Where(path="/iam/home#/users"),
        "https://us-east-1.console.aws.amazon.com/iam/home#/users",
    ),
    (
        AWS,
        "eu-west-1",
        console.Where(url="https://s3.console.aws.amazon.com/s3/buckets?region=eu-west-1"),
        "https://s3.console.aws.amazon.com/s3/buckets?region=eu-west-1",
    ),
    (CN, None, console.Where(), "https://console.amazonaws.cn/console/home"),
    (
        CN,
        "cn-north-1",
        console.Where(service="ec2"),
        "https://cn-north-1.console.amazonaws.cn/ec2/home?region=cn-north-1",
    ),
    (
        CN,
        "cn-northwest-1",
        console.Where(url="https://console.amazonaws.cn/iam/home"),
        "https://console.amazonaws.cn/iam/home",
    ),
    (GOV, None, console.Where(service="ec2"), "https://console.amazonaws-us-gov.com/ec2/home"),
    (
        GOV,
        "us-gov-west-1",
        console.Where(path="/s3/home"),
        "https://us-gov-west-1.console.amazonaws-us-gov.com/s3/home?region=us-gov-west-1",
    ),
    (
        GOV,
        "us-gov-east-1",
        console.Where(),
        "https://us-gov-east-1.console.amazonaws-us-gov.com/console/home?region=us-gov-east-1",
    ),
    (EUSC, None, console.Where(), "https://console.amazonaws-eusc.eu/console/home"),
    (
        EUSC,
        "eusc-de-east-1",
        console.Where(),
        "https://eusc-de-east-1.console.amazonaws-eusc.eu/console/home?region=eusc-de-east-1",
    ),
    (
        EUSC,
        "eusc-de-east-1",
        console.Where(service="iam"),
        "https://eusc-de-east-1.console.amazonaws-eusc.eu/iam/home",
    ),
    (
        EUSC,
        "eusc-de-east-1",
        console.Where(url="https://s3.console.amazonaws-eusc.eu/s3/buckets"),
        "https://s3.console.amazonaws-eusc.eu/s3/buckets",
    ),
]


@pytest.mark.parametrize(("part", "region", "where", "expected"), GOLDEN)
def test_golden_destinations(
    part: signin.Partition, region: str | None, where: console.Where, expected: str
) -> None:
    assert console.destination_url(part, region, where) == expected


@pytest.mark.parametrize(
    ("part", "region", "base"),
    [
        (AWS, None, "https://signin.aws.amazon.com"),
        (AWS, "eu-west-1", "https://eu-west-1.signin.aws.amazon.com"),
        (AWS, "ap-southeast-7", "https://ap-southeast-7.signin.aws.amazon.com"),
        (AWS, "us-east-1", "https://signin.aws.amazon.com"),
        (AWS, "eu-fake-9", "https://signin.aws.amazon.com"),  # not a region AWS lists
        (AWS, "xx-evil-1", "https://signin.aws.amazon.com"),
        (CN, None, "https://signin.amazonaws.cn"),
        (CN, "cn-north-1", "https://signin.amazonaws.cn"),
        (CN, "cn-northwest-1", "https://signin.amazonaws.cn"),
        (GOV, None, "https://signin.amazonaws-us-gov.com"),
        (GOV, "us-gov-west-1", "https://signin.amazonaws-us-gov.com"),
        (GOV, "us-gov-east-1", "https://signin.amazonaws-us-gov.com"),
        (EUSC, None, "https://eusc-de-east-1.signin.amazonaws-eusc.eu"),
        (EUSC, "eusc-de-east-1", "https://eusc-de-east-1.signin.amazonaws-eusc.eu"),
        (EUSC, "eusc-de-west-9", "https://eusc-de-east-1.signin.amazonaws-eusc.eu"),
    ],
)
def test_golden_signin_hosts_and_urls(
    part: signin.Partition, region: str | None, base: str
) -> None:
    assert signin.signin_base(part, region, {}) == base
    destination = console.destination_url(part, region, console.Where())
    login = signin.login_url(base, destination, TOKEN)
    assert login == (
        f"{base}/federation?Action=login&Destination={urllib.parse.quote(destination, safe='')}"
        f"&SigninToken={TOKEN}"
    )
    assert signin.logout_url(base, login) == (
        f"{base}/oauth?Action=logout&redirect_uri={urllib.parse.quote(login, safe='')}"
    )


def test_the_golden_login_url_of_the_aws_partition_in_full() -> None:
    destination = console.destination_url(AWS, "eu-west-1", console.Where(service="ec2"))
    assert signin.login_url("https://eu-west-1.signin.aws.amazon.com", destination, TOKEN) == (
        "https://eu-west-1.signin.aws.amazon.com/federation?Action=login&Destination="
        "https%3A%2F%2Feu-west-1.console.aws.amazon.com%2Fec2%2Fhome%3Fregion%3Deu-west-1"
        "&SigninToken=TOKEN123"
    )


def test_the_endpoint_variable_replaces_the_host_and_is_checked() -> None:
    environ = {signin.ENDPOINT_VARIABLE: "http://127.0.0.1:8080/"}
    assert signin.signin_base(CN, "cn-north-1", environ) == "http://127.0.0.1:8080"
    with pytest.raises(UsageError, match="AWS_MFA_SIGNIN_ENDPOINT"):
        signin.signin_base(AWS, None, {signin.ENDPOINT_VARIABLE: "ftp://x"})


@pytest.mark.parametrize(
    ("region", "name"),
    [
        ("eu-west-1", "aws"),
        ("us-east-1", "aws"),
        ("cn-north-1", "aws-cn"),
        ("us-gov-west-1", "aws-us-gov"),
        ("us-iso-east-1", "aws-iso"),
        ("us-isob-east-1", "aws-iso-b"),
        ("eu-isoe-west-1", "aws-iso-e"),
        ("us-isof-south-1", "aws-iso-f"),
        ("eusc-de-east-1", "aws-eusc"),
    ],
)
def test_the_partition_of_a_region_agrees_with_botocore(region: str, name: str) -> None:
    import re

    import botocore.loaders

    partitions = botocore.loaders.Loader().load_data("partitions")["partitions"]
    found = [p["id"] for p in partitions if re.match(p["regionRegex"], region)]
    assert signin.partition_of_region(region) == name
    if found:  # an older botocore may not know the newest partitions
        assert found == [name]


def test_the_regional_sign_in_hosts_are_regions_botocore_lists() -> None:
    """The table names no region AWS does not list (botocore's endpoints data), and takes
    none of the global host's (us-east-1) or another partition's."""
    import botocore.loaders

    endpoints = botocore.loaders.Loader().load_data("endpoints")["partitions"]
    listed = {part["partition"]: set(part["regions"]) for part in endpoints}
    for name, part in signin.PARTITIONS.items():
        if name in listed:  # an older botocore may not know the newest partitions
            assert part.signin_regions <= listed[name], name
        assert all(signin.partition_of_region(region) == name for region in part.signin_regions)
        assert part.home_region is None or part.home_region in part.signin_regions
    assert "us-east-1" not in AWS.signin_regions
    assert len(AWS.signin_regions) >= 30


@pytest.mark.parametrize(
    ("args", "host"),
    [
        (["--region", "eu-west-1"], "eu-west-1.signin.aws.amazon.com:443"),
        (["--region", "us-east-1"], "signin.aws.amazon.com:443"),
        (["--region", "eu-fake-9"], "signin.aws.amazon.com:443"),
        ([], "signin.aws.amazon.com:443"),
        (
            ["--assume-role", EUSC_ROLE, "-c", "123456"],
            "eusc-de-east-1.signin.amazonaws-eusc.eu:443",
        ),
        (
            ["--assume-role", EUSC_ROLE, "--region", "eusc-de-east-1", "-c", "123456"],
            "eusc-de-east-1.signin.amazonaws-eusc.eu:443",
        ),
        (["--assume-role", GOV_ROLE, "-c", "123456"], "signin.amazonaws-us-gov.com:443"),
    ],
)
def test_the_sign_in_host_is_the_regions_only_where_aws_lists_one(
    dev: Path,
    run: AwsMfa,
    sts: object,
    signin_endpoint: SigninStandIn,
    args: list[str],
    host: str,
) -> None:
    """The stand-in plays the HTTPS proxy: the CONNECT names the host aws-mfa would reach.
    It refuses the tunnel, so the run ends there, with one line."""
    sts_host = urllib.parse.urlsplit(sts.url).netloc  # type: ignore[attr-defined]
    result = run(
        "console",
        "-p",
        "dev",
        *args,
        "--print",
        AWS_MFA_SIGNIN_ENDPOINT="",
        HTTPS_PROXY=signin_endpoint.url,
        NO_PROXY=sts_host,
    )
    assert "cannot connect to the console's sign-in endpoint" in one_error(result, 6)
    assert [(seen.method, seen.path) for seen in signin_endpoint.seen] == [("CONNECT", host)]


@pytest.mark.parametrize("partition", ["aws-iso", "aws-iso-b", "aws-iso-e", "aws-iso-f"])
def test_a_partition_without_console_sign_in_is_refused_before_any_call(
    dev: Path, run: AwsMfa, strict_sts: StrictSts, signin_endpoint: SigninStandIn, partition: str
) -> None:
    role = f"arn:{partition}:iam::210987654321:role/admin"
    error = one_error(run("console", "-p", "dev", "--assume-role", role, "--print"), 2)
    assert f"partition {partition}" in error
    assert "has no federated sign-in" in error
    assert strict_sts.calls == []
    assert signin_endpoint.seen == []


def test_a_region_of_another_partition_is_refused(dev: Path, run: AwsMfa) -> None:
    role = "arn:aws-cn:iam::210987654321:role/admin"
    error = one_error(
        run("console", "-p", "dev", "--assume-role", role, "--region", "eu-west-1", "--print"), 2
    )
    assert "region eu-west-1" in error
    assert "aws-cn" in error


# Never an open redirect.

OPEN_REDIRECTS = [
    "https://evil.example/",
    "https://console.aws.amazon.com.evil.example/",
    "https://evil.example/?next=https://console.aws.amazon.com/",
    "https://console.aws.amazon.com@evil.example/",
    "https://user:pw@console.aws.amazon.com/",
    "https://console.aws.amazon.com:8443/",
    "http://console.aws.amazon.com/",
    "//evil.example/",
    "javascript:alert(1)",
    "https://evil.example\\@console.aws.amazon.com/",
    "https://console.aws.amazon.com\\.evil.example/",
    "https://a.b.console.aws.amazon.com/",
    "https://console.amazonaws.cn/",
    "https://console.aws.amazon.com/\nhttps://evil.example/",
    "https://console.aws.amazon.com/ x",
    "https://xn--console-.aws.amazon.com.evil.example/",
    "https://CONSOLE.AWS.AMAZON.COM.evil.example/",
]


@pytest.mark.parametrize("url", OPEN_REDIRECTS)
def test_an_open_redirect_destination_is_refused(url: str) -> None:
    with pytest.raises(UsageError, match="is not the AWS console of partition aws"):
        console.destination_url(AWS, None, console.Where(url=url))


@pytest.mark.parametrize(
    "path", ["//evil.example/x", "/\\evil.example", "https://evil.example", "ec2/home", "/a b"]
)
def test_a_path_that_could_leave_the_console_is_refused(path: str) -> None:
    with pytest.raises(UsageError, match="--path"):
        console.destination_url(AWS, "eu-west-1", console.Where(path=path))


@pytest.mark.parametrize("service", ["../evil", "EC2", "ec2/home", "a.b", "", "-x"])
def test_a_service_must_be_a_plain_name(service: str) -> None:
    if not service:
        assert console.destination_url(AWS, None, console.Where(service=service))
        return
    with pytest.raises(UsageError, match="--service"):
        console.destination_url(AWS, None, console.Where(service=service))


def test_an_open_redirect_costs_nothing_and_says_so_in_one_line(
    dev: Path, run: AwsMfa, strict_sts: StrictSts, signin_endpoint: SigninStandIn
) -> None:
    error = one_error(run("console", "-p", "dev", "--destination", "https://evil.example/"), 2)
    assert "--destination: the destination is not the AWS console" in error
    assert strict_sts.calls == []
    assert signin_endpoint.seen == []


def test_only_one_destination_flag(dev: Path, run: AwsMfa) -> None:
    error = one_error(run("console", "-p", "dev", "--service", "ec2", "--path", "/s3/home"), 2)
    assert "--service and --path" in error


# Each kind of credentials.


def test_a_plain_profile_gets_a_federation_token_with_no_code_and_says_it_has_no_mfa(
    dev: Path, run: AwsMfa, strict_sts: StrictSts, signin_endpoint: SigninStandIn
) -> None:
    result = run("console", "-p", "dev", "--print")
    url = printed_url(result)
    assert signin_endpoint.visit(url) == "https://console.aws.amazon.com/console/home"
    assert strict_sts.calls == ["GetFederationToken"]
    assert strict_sts.codes == []
    (sent,) = strict_sts.federations
    assert sent["@key_id"] == LONG_TERM_KEY_ID
    assert not sent["@session_token"]
    assert json.loads(sent["Policy"]) == json.loads(console.ALLOW_ALL_POLICY)
    assert sent["DurationSeconds"] == "43200"
    assert console.FEDERATION_NAME.fullmatch(sent["Name"])
    (token_request, _) = signin_endpoint.seen
    assert token_request.kind == "GetFederationToken"
    assert token_request.session_duration is None
    assert token_request.method == "POST"
    assert "Session" not in token_request.path
    warnings = [line for line in result.stderr.splitlines() if line.startswith("WARNING")]
    assert len(warnings) == 1
    assert "carries no MFA context" in warnings[0]
    assert "policies that require MFA refuse it" in warnings[0]


def test_an_mfa_session_is_never_sent_a_federation_token_is(
    dev: Path, run: AwsMfa, strict_sts: StrictSts, signin_endpoint: SigninStandIn
) -> None:
    assert run("-p", "dev", "-c", "123456").code == 0  # [dev] holds a GetSessionToken session
    result = run("console", "-p", "dev", "--print")
    signin_endpoint.visit(printed_url(result))
    assert "holds an MFA session (GetSessionToken), which the console's sign-in refuses" in (
        result.stderr
    )
    assert [seen.kind for seen in signin_endpoint.seen if seen.kind] == ["GetFederationToken"]


def test_the_stand_in_refuses_an_mfa_session_and_the_error_names_the_credentials(
    dev: Path, run: AwsMfa, strict_sts: StrictSts, signin_endpoint: SigninStandIn
) -> None:
    """What AWS answers to the MFA session peers send (aws-vault #1191), and aws-mfa's sentence."""
    assert run("-p", "dev", "-c", "123456").code == 0
    key_id = next(key for key, issued in strict_sts.issued.items() if issued.action)
    issued = strict_sts.issued[key_id]
    session = TemporaryCredentials(key_id, issued.secret, issued.token, expiration=None)  # type: ignore[arg-type]
    transport = signin.Transport(http_session(signin_endpoint.url), 10)
    with pytest.raises(StsRefusedError) as refused:
        signin.signin_token(transport, signin_endpoint.url, session, kind="MFA session of [dev]")
    assert "refused the MFA session of [dev] with HTTP 400" in refused.value.message
    assert signin_endpoint.seen[-1].status == 400
    assert issued.secret not in refused.value.message


def http_session(url: str) -> object:
    from botocore.httpsession import URLLib3Session

    return URLLib3Session(proxies={}, timeout=10)


def test_long_term_keys_never_go_to_the_sign_in_endpoint() -> None:
    for creds in (
        TemporaryCredentials(LONG_TERM_KEY_ID, LONG_TERM_SECRET, "token", None),  # type: ignore[arg-type]
        TemporaryCredentials("ASIAX", LONG_TERM_SECRET, "", None),  # type: ignore[arg-type]
    ):
        with pytest.raises(UsageError, match="refusing to send long-term keys"):
            signin.session_json(creds)


def test_a_role_comes_from_the_mfa_session_without_a_second_code(
    dev: Path, run: AwsMfa, strict_sts: StrictSts, signin_endpoint: SigninStandIn
) -> None:
    first = run("console", "-p", "dev", "--assume-role", ROLE, "-c", "123456", "--print")
    second = run("console", "-p", "dev", "--assume-role", ROLE, "--service", "s3", "--print")
    signin_endpoint.visit(printed_url(first))
    assert signin_endpoint.visit(printed_url(second)) == "https://console.aws.amazon.com/s3/home"
    assert strict_sts.codes == [(DEVICE, "123456")]
    assert strict_sts.calls == ["GetSessionToken", "AssumeRole", "AssumeRole"]
    tokens = [seen for seen in signin_endpoint.seen if seen.action == "getSigninToken"]
    assert [(seen.kind, seen.chained, seen.session_duration) for seen in tokens] == [
        ("AssumeRole", True, None)
    ] * 2
    assert "lasts an hour at most" in second.stderr
    assert "[dev]" not in dev.read_text()  # nothing written under the profile's name
    audit = (dev.parent / "aws-mfa-audit.jsonl").read_text().splitlines()
    assert [
        (line["command"], line["to"], line["role_arn"], line["access_key_id"][:4])
        for line in map(json.loads, audit)
    ] == [("console", "sign-in", ROLE, "ASIA")] * 2  # each sign-in is a hand-out


def test_a_longer_role_session_is_assumed_with_a_code_and_asks_for_its_session_duration(
    dev: Path, run: AwsMfa, strict_sts: StrictSts, signin_endpoint: SigninStandIn
) -> None:
    result = run(
        "console", "-p", "dev", "--assume-role", ROLE, "-d", "28800", "-c", "123456", "--print"
    )
    signin_endpoint.visit(printed_url(result))
    (token_request, _) = signin_endpoint.seen
    assert (token_request.kind, token_request.chained) == ("AssumeRole", False)
    assert token_request.session_duration == "28800"
    assert "(SessionDuration)" in result.stderr


def test_a_role_profile_after_one_login_needs_no_code(
    credentials: Path,
    home: Path,
    run: AwsMfa,
    strict_sts: StrictSts,
    signin_endpoint: SigninStandIn,
) -> None:
    write(credentials, long_term("dev-long-term"))
    write(
        home / ".aws" / "config",
        f"[profile prod]\nrole_arn = {ROLE}\nsource_profile = dev\nregion = eu-west-1\n",
    )
    assert run("-p", "dev", "-c", "123456").code == 0
    result = run("console", "-p", "prod", "--service", "ec2", "--print")
    assert signin_endpoint.visit(printed_url(result)) == (
        "https://eu-west-1.console.aws.amazon.com/ec2/home?region=eu-west-1"
    )
    assert len(strict_sts.codes) == 1
    assert [seen.kind for seen in signin_endpoint.seen if seen.kind] == ["AssumeRole"]


def test_the_console_uses_the_role_export_assumed_and_sends_nothing_again(
    credentials: Path,
    home: Path,
    run: AwsMfa,
    strict_sts: StrictSts,
    signin_endpoint: SigninStandIn,
) -> None:
    """Issue 36: roles assumed for export, exec and the console are kept and handed out again
    while they have more than 15 minutes left."""
    write(credentials, long_term("dev-long-term"))
    write(home / ".aws" / "config", f"[profile prod]\nrole_arn = {ROLE}\nsource_profile = dev\n")
    assert run("export", "-p", "prod", "--format", "process", "-c", "123456").code == 0
    assert strict_sts.calls == ["GetSessionToken", "AssumeRole"]
    result = run("console", "-p", "prod", "--print")
    assert result.code == 0, result.stderr
    assert f"Using role {ROLE} assumed before" in result.stderr
    assert strict_sts.calls == ["GetSessionToken", "AssumeRole"]  # nothing sent to STS again
    assert [seen.kind for seen in signin_endpoint.seen if seen.kind] == ["AssumeRole"]


def test_a_long_console_session_of_a_role_profile_costs_one_code_and_no_login(
    credentials: Path,
    home: Path,
    run: AwsMfa,
    strict_sts: StrictSts,
    signin_endpoint: SigninStandIn,
) -> None:
    write(credentials, long_term("dev-long-term"))
    write(home / ".aws" / "config", f"[profile prod]\nrole_arn = {ROLE}\nsource_profile = dev\n")
    result = run("console", "-p", "prod", "-d", "43200", "-c", "123456", "--print")
    signin_endpoint.visit(printed_url(result))
    assert strict_sts.calls == ["AssumeRole"]
    assert len(strict_sts.codes) == 1
    assert signin_endpoint.seen[0].session_duration == "43200"
    assert "[dev]" not in credentials.read_text()


def test_role_credentials_the_profile_holds_are_used_as_they_are(
    dev: Path, run: AwsMfa, strict_sts: StrictSts, signin_endpoint: SigninStandIn
) -> None:
    assert run("-p", "dev", "--assume-role", ROLE, "-c", "123456").code == 0
    calls = list(strict_sts.calls)
    result = run("console", "-p", "dev", "--print")
    signin_endpoint.visit(printed_url(result))
    assert strict_sts.calls == calls  # no STS call at all
    assert "holds credentials of role" in result.stderr
    (token_request, _) = signin_endpoint.seen
    assert token_request.kind == "AssumeRole"
    assert token_request.session_duration is None


def test_role_keys_another_tool_replaced_are_not_used_as_they_are(
    dev: Path, run: AwsMfa, strict_sts: StrictSts, signin_endpoint: SigninStandIn
) -> None:
    """Their expiry is unknown (aws_mfa_written_key_id names other keys): the console takes
    the profile's own way (here a federation token), never those keys."""
    from tests.test_own_writes import OTHER_TOOL, replace_keys

    assert run("-p", "dev", "--assume-role", ROLE, "-c", "123456").code == 0
    replace_keys(dev, "dev", OTHER_TOOL)
    result = run("console", "-p", "dev", "--print")
    signin_endpoint.visit(printed_url(result))
    assert "holds credentials of role" not in result.stderr
    (token_request, _) = signin_endpoint.seen
    assert token_request.kind == "GetFederationToken"  # credentials STS issued to aws-mfa


def test_one_code_a_day_covers_console_too(
    credentials: Path,
    home: Path,
    run: AwsMfa,
    strict_sts: StrictSts,
    signin_endpoint: SigninStandIn,
) -> None:
    write(credentials, long_term("dev-long-term"))
    write(home / ".aws" / "config", f"[profile prod]\nrole_arn = {ROLE}\nsource_profile = dev\n")
    assert run("-p", "dev", "-c", "123456").code == 0
    for args in (
        ["-p", "dev"],
        ["-p", "prod"],
        ["-p", "dev", "--assume-role", "arn:aws:iam::333333333333:role/audit"],
        ["-p", "prod", "--service", "iam"],
    ):
        signin_endpoint.visit(printed_url(run("console", *args, "--print")))
    assert strict_sts.codes == [(DEVICE, "123456")]
    assert strict_sts.count("GetSessionToken") == 1


def test_log_out_first_signs_out_then_in(
    dev: Path, run: AwsMfa, signin_endpoint: SigninStandIn
) -> None:
    url = printed_url(run("console", "-p", "dev", "--logout-first", "--print"))
    assert url.startswith(f"{signin_endpoint.url}/oauth?Action=logout&redirect_uri=")
    assert signin_endpoint.visit(url) == "https://console.aws.amazon.com/console/home"
    assert [seen.action for seen in signin_endpoint.seen] == ["getSigninToken", "logout", "login"]


# The federation token: name, policy, duration, refusals.


def test_federation_name_and_managed_policies_are_sent(
    dev: Path, home: Path, run: AwsMfa, strict_sts: StrictSts, signin_endpoint: SigninStandIn
) -> None:
    arns = "arn:aws:iam::aws:policy/ReadOnlyAccess,arn:aws:iam::123456789012:policy/team/Dev"
    write(home / ".aws" / "config", f"[profile dev]\naws_mfa_federation_policy = {arns}\n")
    result = run(
        "console", "-p", "dev", "--federation-name", "alice@example.com", "-d", "3600", "--print"
    )
    signin_endpoint.visit(printed_url(result))
    (sent,) = strict_sts.federations
    assert sent["Name"] == "alice@example.com"
    assert sent["DurationSeconds"] == "3600"
    assert "Policy" not in sent
    assert [sent["PolicyArns.member.1.arn"], sent["PolicyArns.member.2.arn"]] == arns.split(",")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--federation-name", "a"], "--federation-name: 'a' is not a federated user name"),
        (["--federation-name", "x" * 33], "is not a federated user name"),
        (["--federation-name", "bad name"], "is not a federated user name"),
        (["--federation-policy", "everything"], "--federation-policy: the federation policy is"),
        (["--federation-policy", ",".join(["arn:aws:iam::aws:policy/A"] * 11)], "1 to 10"),
        (["--browser", "firefox"], "--browser: the browser command must say where"),
        (["--browser", "'unclosed {url}"], "cannot be parsed"),
        (["-d", "200000"], "--duration: 200000 seconds is outside"),
    ],
)
def test_bad_console_settings_cost_nothing(
    dev: Path,
    run: AwsMfa,
    strict_sts: StrictSts,
    signin_endpoint: SigninStandIn,
    args: list[str],
    message: str,
) -> None:
    assert message in one_error(run("console", "-p", "dev", *args), 2)
    assert strict_sts.calls == []
    assert signin_endpoint.seen == []


def test_the_federation_policy_variable_is_read(
    dev: Path, run: AwsMfa, strict_sts: StrictSts
) -> None:
    result = run("console", "-p", "dev", "--print", MFA_FEDERATION_POLICY="oops")
    assert "MFA_FEDERATION_POLICY: the federation policy is" in one_error(result, 2)


def test_the_root_users_federation_token_is_an_hour_and_it_says_so(
    dev: Path, run: AwsMfa, strict_sts: StrictSts, signin_endpoint: SigninStandIn
) -> None:
    strict_sts.root_keys = True
    result = run("console", "-p", "dev", "--print")
    signin_endpoint.visit(printed_url(result))
    assert "caps the root user's at one hour" in result.stderr


def test_a_policy_that_requires_mfa_refuses_the_federation_token_and_says_what_to_do(
    dev: Path, run: AwsMfa, strict_sts: StrictSts, signin_endpoint: SigninStandIn
) -> None:
    strict_sts.deny_without_mfa = True
    error = one_error(run("console", "-p", "dev", "--print"), 5)
    assert "STS refused a federation token to the long-term keys of [dev-long-term]" in error
    assert "give the profile a role" in error
    assert signin_endpoint.seen == []


# The transport: answers that are not tokens, and the HTTP stack of the STS client.


@pytest.mark.parametrize(
    ("status", "body", "code", "message"),
    [
        (400, b"<html>Bad Request</html>", 5, "refused the federation token of"),
        (403, b"{}", 5, "with HTTP 403"),
        (200, b"<html>a proxy's login page</html>", 6, "not its JSON sign-in token"),
        (200, b'{"SigninToken": ""}', 6, "not its JSON sign-in token"),
        (200, b"\xff\xfe", 6, "not its JSON sign-in token"),
        (503, b"busy", 6, "HTTP 503; try again later"),
    ],
)
def test_an_answer_that_is_not_a_token_is_one_line(
    dev: Path,
    run: AwsMfa,
    signin_endpoint: SigninStandIn,
    status: int,
    body: bytes,
    code: int,
    message: str,
) -> None:
    signin_endpoint.fault = lambda: (status, body)
    result = run("console", "-p", "dev", "--print")
    assert message in one_error(result, code)
    if status == 400:  # it names nothing of the credentials: GET is asked too, and refused
        assert [seen.method for seen in signin_endpoint.seen] == ["POST", "GET"]
    assert result.stdout == ""
    assert body.decode(errors="replace") not in result.stderr or not body


def test_a_400_with_session_duration_says_which(
    dev: Path, run: AwsMfa, strict_sts: StrictSts, signin_endpoint: SigninStandIn
) -> None:
    signin_endpoint.fault = lambda: (400, b"{}")
    result = run("console", "-p", "dev", "--assume-role", ROLE, "-d", "7200", "-c", "123456")
    error = one_error(result, 5)
    assert f"refused the role credentials of {ROLE}, and SessionDuration 7200" in error


def test_an_endpoint_that_does_not_answer_is_cut_off(
    dev: Path, run: AwsMfa, signin_endpoint: SigninStandIn
) -> None:
    signin_endpoint.fault = lambda: None
    started = time.monotonic()
    result = run("console", "-p", "dev", "--print", MFA_STS_TIMEOUT="0.5")
    assert "did not answer" in one_error(result, 6)
    assert time.monotonic() - started < 20  # cut off at MFA_STS_TIMEOUT, not the stand-in's


def test_an_endpoint_that_cannot_be_reached_is_one_line(dev: Path, run: AwsMfa) -> None:
    import socket

    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        port = closed.getsockname()[1]
    result = run(
        "console", "-p", "dev", "--print", AWS_MFA_SIGNIN_ENDPOINT=f"http://127.0.0.1:{port}"
    )
    assert f"cannot connect to the console's sign-in endpoint at 127.0.0.1:{port}" in (
        one_error(result, 6)
    )


def test_the_post_carries_session_type_json_and_no_credentials_in_its_url(
    dev: Path, run: AwsMfa, signin_endpoint: SigninStandIn
) -> None:
    """As AWS's own toolkit asks for the token."""
    signin_endpoint.visit(printed_url(run("console", "-p", "dev", "--print")))
    token_request = signin_endpoint.seen[0]
    assert (token_request.method, token_request.status) == ("POST", 200)
    assert token_request.session_type == "json"
    assert token_request.path == "/federation"


@pytest.mark.parametrize("status", [400, 404, 405, 411, 413, 415, 429])
def test_any_4xx_that_is_not_about_the_credentials_is_asked_again_with_get(
    dev: Path, run: AwsMfa, signin_endpoint: SigninStandIn, status: int
) -> None:
    signin_endpoint.refuse_post = status
    result = run("console", "-p", "dev", "--print")
    assert signin_endpoint.visit(printed_url(result)) == (
        "https://console.aws.amazon.com/console/home"
    )
    assert [(seen.method, seen.status) for seen in signin_endpoint.seen[:2]] == [
        ("POST", status),
        ("GET", 200),
    ]
    assert f"answered the POST with HTTP {status}" in result.stderr


@pytest.mark.parametrize(
    ("status", "body"),
    [
        (400, b"<h1>HTTP Status 400 - Invalid credentials parameter</h1>"),  # AWS's page
        (400, REFUSED),
        (400, b'{"message":"Invalid Session parameter"}'),
        (400, b'{"message":"Invalid SessionDuration parameter"}'),
        (401, b""),
        (403, b"<html>Forbidden</html>"),
    ],
)
def test_a_4xx_refusing_the_credentials_is_said_so_and_never_asked_again(
    dev: Path, run: AwsMfa, signin_endpoint: SigninStandIn, status: int, body: bytes
) -> None:
    """The credentials go into no URL when the endpoint has refused them already."""
    signin_endpoint.fault = lambda: (status, body)
    error = one_error(run("console", "-p", "dev", "--print"), 5)
    assert "refused the federation token of" in error
    assert f"HTTP {status}" in error
    assert [seen.method for seen in signin_endpoint.seen] == ["POST"]


def test_an_mfa_session_refused_to_the_post_is_never_sent_with_get(
    dev: Path, run: AwsMfa, strict_sts: StrictSts, signin_endpoint: SigninStandIn
) -> None:
    assert run("-p", "dev", "-c", "123456").code == 0
    key_id = next(key for key, issued in strict_sts.issued.items() if issued.action)
    issued = strict_sts.issued[key_id]
    session = TemporaryCredentials(key_id, issued.secret, issued.token, expiration=None)  # type: ignore[arg-type]
    transport = signin.Transport(http_session(signin_endpoint.url), 10)
    with pytest.raises(StsRefusedError, match="with HTTP 400"):
        signin.signin_token(transport, signin_endpoint.url, session, kind="MFA session")
    assert [(seen.method, seen.status) for seen in signin_endpoint.seen] == [("POST", 400)]


def test_govcloud_is_asked_with_get_alone(
    dev: Path, run: AwsMfa, strict_sts: StrictSts, signin_endpoint: SigninStandIn
) -> None:
    """Its sign-in takes no POST form (AWS's toolkit); the stand-in answers a POST 400, as an
    endpoint reading the query alone would."""
    signin_endpoint.refuse_post = 400
    result = run("console", "-p", "dev", "--assume-role", GOV_ROLE, "-c", "123456", "--print")
    assert signin_endpoint.visit(printed_url(result)) == (
        "https://console.amazonaws-us-gov.com/console/home"
    )
    token_request = signin_endpoint.seen[0]
    assert (token_request.method, token_request.status) == ("GET", 200)
    assert token_request.kind == "AssumeRole"
    assert [seen.method for seen in signin_endpoint.seen] == ["GET", "GET"]  # token, login


def test_the_european_sovereign_cloud_signs_in_to_its_own_console(
    dev: Path, run: AwsMfa, strict_sts: StrictSts, signin_endpoint: SigninStandIn
) -> None:
    result = run(
        "console",
        "-p",
        "dev",
        "--assume-role",
        EUSC_ROLE,
        "--region",
        "eusc-de-east-1",
        "--service",
        "ec2",
        "-c",
        "123456",
        "--print",
    )
    assert signin_endpoint.visit(printed_url(result)) == (
        "https://eusc-de-east-1.console.amazonaws-eusc.eu/ec2/home?region=eusc-de-east-1"
    )
    token_request = signin_endpoint.seen[0]
    assert (token_request.method, token_request.session_type) == ("POST", "json")
    assert (token_request.kind, token_request.chained) == ("AssumeRole", True)


@pytest.mark.parametrize(
    "url",
    [
        "https://console.aws.amazon.com/",
        "https://console.amazonaws-eusc.eu.evil.example/",
        "https://console.amazonaws.eu/",
    ],
)
def test_a_european_sovereign_cloud_destination_is_checked_against_its_console_host(
    dev: Path,
    run: AwsMfa,
    strict_sts: StrictSts,
    signin_endpoint: SigninStandIn,
    url: str,
) -> None:
    args = ("--assume-role", EUSC_ROLE, "--destination", url, "--print")
    error = one_error(run("console", "-p", "dev", *args), 2)
    assert "is not the AWS console of partition aws-eusc" in error
    assert "console.amazonaws-eusc.eu" in error
    assert strict_sts.calls == []
    assert signin_endpoint.seen == []


def test_a_region_outside_the_european_sovereign_cloud_is_refused(
    dev: Path, run: AwsMfa, strict_sts: StrictSts
) -> None:
    args = ("--assume-role", EUSC_ROLE, "--region", "eu-central-1", "--print")
    error = one_error(run("console", "-p", "dev", *args), 2)
    assert "is not in partition aws-eusc" in error
    assert strict_sts.calls == []


def test_the_proxy_of_the_environment_is_used(
    dev: Path, run: AwsMfa, sts: object, signin_endpoint: SigninStandIn
) -> None:
    """The stand-in plays the proxy too: a request through a proxy names the whole URL."""
    sts_host = urllib.parse.urlsplit(sts.url).netloc  # type: ignore[attr-defined]
    result = run(
        "console", "-p", "dev", "--print", HTTP_PROXY=signin_endpoint.url, NO_PROXY=sts_host
    )
    printed_url(result)
    assert signin_endpoint.seen[0].proxied


def test_the_ca_bundle_is_used(
    dev: Path, run: AwsMfa, strict_sts: StrictSts, tmp_path: Path
) -> None:
    with SigninStandIn(strict_sts, tls_folder=tmp_path) as secure:
        assert secure.url.startswith("https://")
        untrusted = run("console", "-p", "dev", "--print", AWS_MFA_SIGNIN_ENDPOINT=secure.url)
        assert "cannot verify the TLS certificate" in one_error(untrusted, 6)
        trusted = run(
            "console",
            "-p",
            "dev",
            "--print",
            AWS_MFA_SIGNIN_ENDPOINT=secure.url,
            AWS_CA_BUNDLE=str(secure.ca_bundle),
        )
        assert printed_url(trusted).startswith(secure.url)


def test_the_http_session_is_set_up_as_the_sts_clients(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    from aws_mfa.aws import sts
    from aws_mfa.keys import LongTermKeys

    bundle = tmp_path / "ca.pem"
    bundle.write_text("")
    monkeypatch.setenv("AWS_CA_BUNDLE", str(bundle))
    monkeypatch.setenv("HTTPS_PROXY", "http://proxy.example:3128")
    config = sts.AwsConfig((), os.devnull, os.devnull)
    bounds = sts.limits(12)
    ours = signin.http_session(config, "eu-west-1", "https://signin.aws.amazon.com", bounds)
    client = sts.botocore_client(LongTermKeys("AKIAX", "s"), "eu-west-1", config, None, bounds)
    theirs = client._endpoint.http_session
    assert ours.session._verify == theirs._verify == str(bundle)
    assert repr(ours.session._timeout) == repr(theirs._timeout)
    assert ours.session._proxy_config.proxy_url_for("https://x") == "http://proxy.example:3128"
    assert ours.total == 12


# Nothing secret in any output, at DEBUG.


def test_no_secret_and_no_url_in_any_log_at_debug(
    dev: Path, run: AwsMfa, strict_sts: StrictSts, signin_endpoint: SigninStandIn
) -> None:
    """Each run's output is scanned by the fixture too; here the URL itself is looked for."""
    runs = [
        run("console", "-p", "dev", "--print"),
        run("console", "-p", "dev", "--assume-role", ROLE, "-c", "123456", "--print"),
        run("console", "-p", "dev", "--assume-role", ROLE, "-d", "7200", "-c", "654321", "--print"),
    ]
    assert runs[0].stderr.count("DEBUG - ") > 1
    secrets = {*RUN_SECRETS, *SIGNIN_TOKENS, LONG_TERM_SECRET}
    assert len(SIGNIN_TOKENS) == 3
    for result in runs:
        url = printed_url(result)
        assert url not in result.stderr
        assert "SigninToken" not in result.stderr
        assert not [secret for secret in secrets if secret in result.stderr]
        assert not [secret for secret in RUN_SECRETS if secret in result.stdout]
    signin_endpoint.fault = lambda: (400, b"{}")
    failed = run("console", "-p", "dev", "--assume-role", ROLE, "--print")
    assert failed.code == 5
    assert not [secret for secret in {*RUN_SECRETS, *SIGNIN_TOKENS} if secret in failed.stderr]


# Opening the browser: a private page, never the URL in a command line.

RECORDER = """\
import json, pathlib, sys
record = pathlib.Path(sys.argv[1])
page = sys.argv[-1]
text = ""
if page.startswith("file://"):
    from urllib.parse import urlsplit
    from urllib.request import url2pathname
    text = pathlib.Path(url2pathname(urlsplit(page).path)).read_text()
record.write_text(json.dumps({"argv": sys.argv[2:], "page": text}))
"""


def wait_for(path: Path) -> dict[str, object]:
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        if path.exists() and path.stat().st_size:
            data: dict[str, object] = json.loads(path.read_text())
            return data
        time.sleep(0.05)
    pytest.fail("the browser command never ran")


def page_target(page: str) -> str:
    import html
    import re

    found = re.search(r'content="0;url=([^"]+)"', page)
    assert found
    return html.unescape(found.group(1))


@pytest.mark.e2e
def test_browser_gets_a_private_page_not_the_url(
    dev: Path, aws_mfa: AwsMfa, signin_endpoint: SigninStandIn, tmp_path: Path
) -> None:
    script, record = tmp_path / "browser.py", tmp_path / "record.json"
    script.write_text(RECORDER)
    result = aws_mfa("console", "-p", "dev", BROWSER=f"{sys.executable} {script} {record} %s")
    assert result.code == 0, result.stderr
    assert result.stdout == ""
    seen = wait_for(record)
    argv = " ".join(seen["argv"])  # type: ignore[arg-type]
    assert "SigninToken" not in argv
    assert not any(token in argv for token in SIGNIN_TOKENS)
    assert argv.endswith("/console.html")
    page = Path(urllib.parse.urlsplit(argv.split()[-1]).path)
    assert stat.S_IMODE(page.stat().st_mode) == 0o600
    assert stat.S_IMODE(page.parent.stat().st_mode) == 0o700
    target = page_target(str(seen["page"]))
    assert signin_endpoint.visit(target) == "https://console.aws.amazon.com/console/home"
    assert "Opened the AWS console for profile dev with $BROWSER" in result.stderr


@pytest.mark.e2e
def test_a_browser_template_gets_the_profile_and_the_page_or_the_url(
    dev: Path, home: Path, aws_mfa: AwsMfa, signin_endpoint: SigninStandIn, tmp_path: Path
) -> None:
    script = tmp_path / "browser.py"
    script.write_text(RECORDER)
    by_page, by_url = tmp_path / "page.json", tmp_path / "url.json"
    write(
        home / ".aws" / "config",
        f"[profile dev]\naws_mfa_console_browser = {sys.executable} {script} {by_page} "
        "-P {profile} {page}\n",
    )
    assert aws_mfa("console", "-p", "dev").code == 0
    seen = wait_for(by_page)
    assert seen["argv"][:2] == ["-P", "dev"]  # type: ignore[index]
    signin_endpoint.visit(page_target(str(seen["page"])))
    container = "ext+container:name={profile}&url={url_quoted}"
    template = f"{sys.executable} {script} {by_url} {container} {{url}}"
    assert aws_mfa("console", "-p", "dev", "--browser", template).code == 0
    seen = wait_for(by_url)
    container, url = seen["argv"]  # type: ignore[misc]
    assert container == f"ext+container:name=dev&url={urllib.parse.quote(url, safe='')}"
    assert signin_endpoint.visit(url) == "https://console.aws.amazon.com/console/home"


def test_the_system_browser_is_given_the_page(
    dev: Path, run: AwsMfa, signin_endpoint: SigninStandIn, monkeypatch: pytest.MonkeyPatch
) -> None:
    import webbrowser

    opened: list[str] = []
    monkeypatch.setattr(webbrowser, "open", lambda url, new=0: opened.append(url) or True)
    result = run("console", "-p", "dev")
    assert result.code == 0, result.stderr
    (page,) = opened
    assert page.startswith("file://")
    assert "SigninToken" not in page
    text = Path(urllib.request.url2pathname(urllib.parse.urlsplit(page).path)).read_text()
    signin_endpoint.visit(page_target(text))
    monkeypatch.setattr(webbrowser, "open", lambda url, new=0: False)
    assert "found no browser" in one_error(run("console", "-p", "dev"), 2)


@pytest.mark.e2e  # the start is tried
def test_a_browser_that_cannot_start_is_one_line_without_the_url(
    dev: Path, run: AwsMfa, signin_endpoint: SigninStandIn
) -> None:
    result = run("console", "-p", "dev", "--browser", "/nonexistent/browser {url}")
    error = one_error(result, 2)
    assert "cannot run '/nonexistent/browser'" in error
    assert "SigninToken" not in error


def test_old_pages_are_removed_and_others_kept(tmp_path: Path) -> None:
    old, new, other = (tmp_path / name for name in ("aws-mfa-console-a", "aws-mfa-console-b", "x"))
    for folder in (old, new, other):
        folder.mkdir()
    past = time.time() - signin.TOKEN_LIFETIME - 10
    os.utime(old, (past, past))
    os.utime(other, (past, past))
    console.remove_old_pages(str(tmp_path), time.time())
    assert not old.exists()
    assert new.exists()
    assert other.exists()


# Help, completion.


def test_console_is_in_the_help_and_the_completion(capsys: pytest.CaptureFixture[str]) -> None:
    from aws_mfa.cli.parser import build_parser
    from aws_mfa.commands.completion import script

    parser = build_parser()
    assert "console" in parser.format_help()
    for shell in ("bash", "zsh", "fish"):
        text = script(parser, shell)
        assert "console" in text, shell
        assert "logout-first" in text, shell


# The strict STS checks GetFederationToken as STS does (moto checks only the policy's length;
# botocore itself refuses a name shorter than 2 and a duration under 900 before sending).


@pytest.mark.parametrize(
    ("params", "code"),
    [
        ({"name": "x" * 33}, "ValidationError"),
        ({"name": "has space"}, "ValidationError"),
        ({"duration": 129601}, "ValidationError"),
        ({"policy": "{not json"}, "ValidationError"),
        ({"policy": json.dumps({"Statement": ["x" * 2100]})}, "ValidationError"),
        ({"policy_arns": ("arn:aws:iam::aws:policy/A",) * 11}, "ValidationError"),
        ({"policy_arns": ("arn:aws:s3:::a-bucket-of-mine",)}, "ValidationError"),
        ({"session_token": "token"}, "AccessDenied"),
    ],
)
def test_the_local_sts_checks_federation_tokens(
    strict_sts: StrictSts, sts: object, params: dict[str, object], code: str
) -> None:
    from aws_mfa.aws import sts as calls
    from aws_mfa.keys import LongTermKeys

    environ = {"AWS_ENDPOINT_URL_STS": sts.url}  # type: ignore[attr-defined]
    os.environ.update(environ)
    try:
        client = calls.make_client(
            LongTermKeys(LONG_TERM_KEY_ID, LONG_TERM_SECRET),
            "us-east-1",
            config=calls.AwsConfig((), os.devnull, os.devnull),
            session_token=params.get("session_token"),  # type: ignore[arg-type]
        )
        with pytest.raises(StsRefusedError) as refused:
            calls.get_federation_token(
                client,
                name=str(params.get("name", "alice")),
                duration=int(params.get("duration", 3600)),  # type: ignore[call-overload]
                policy=params.get("policy"),  # type: ignore[arg-type]
                policy_arns=params.get("policy_arns", ()),  # type: ignore[arg-type]
                origin="the test keys",
            )
    finally:
        os.environ.pop("AWS_ENDPOINT_URL_STS")
    assert refused.value.sts_code == code
    assert "GetFederationToken(" in refused.value.message
    assert strict_sts.calls == ["GetFederationToken"]


def test_the_local_sts_gives_a_federation_token_with_its_federated_user(
    strict_sts: StrictSts, sts: object, monkeypatch: pytest.MonkeyPatch
) -> None:
    from aws_mfa.aws import sts as calls
    from aws_mfa.keys import LongTermKeys

    monkeypatch.setenv("AWS_ENDPOINT_URL_STS", sts.url)  # type: ignore[attr-defined]
    client = calls.make_client(
        LongTermKeys(LONG_TERM_KEY_ID, LONG_TERM_SECRET),
        "us-east-1",
        config=calls.AwsConfig((), os.devnull, os.devnull),
    )
    answer = client.get_federation_token(Name="alice", DurationSeconds=900)
    assert answer["FederatedUser"]["Arn"] == "arn:aws:sts::123456789012:federated-user/alice"
    issued = strict_sts.issued[answer["Credentials"]["AccessKeyId"]]
    assert (issued.action, issued.seconds, issued.after_mfa) == ("GetFederationToken", 900, False)
