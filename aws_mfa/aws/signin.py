"""The AWS console's federated sign-in: its hosts in each partition, its URLs, and the
one call to its federation endpoint (``getSigninToken``).

A console session is made from temporary credentials in two steps::

    role or federation credentials --POST getSigninToken--> {signin}/federation -> SigninToken
    {signin}/federation?Action=login&Destination=...&SigninToken=...  -> the browser

The token is asked for with a POST form holding ``SessionType=json``, as AWS's own
toolkit asks for it, so that the credentials travel in the body rather than in a
URL a proxy may log. A 4xx that says nothing of the credentials (405, 404, 415, a
400 that does not name them...) is asked again with GET, the form AWS documents;
one that refuses them (:func:`refuses_credentials`) is said so, and they are not
sent again. The GovCloud sign-in takes GET only (AWS's toolkit: POST-based
federation is not supported there), so aws-us-gov is asked with GET at once.

The endpoint takes only role credentials (AssumeRole) and federation tokens
(GetFederationToken). It refuses an MFA session of GetSessionToken with HTTP
400, and long-term keys are never sent to it (:func:`session_json` refuses
them). ``SessionDuration`` (900 to 43200 seconds) may be sent only with a role
assumed straight from long-term keys; with a chained role or a federation
token it makes the endpoint answer 400, so the caller leaves it out.

The sign-in token is good for 15 minutes, and the login URL is a bearer
credential: whoever opens it is signed in. Nothing here logs it or puts it in
an error message.

The call goes through botocore's HTTP stack, set up as the STS client's is
(:func:`http_session`): the CA bundle (``ca_bundle``, ``AWS_CA_BUNDLE``,
``REQUESTS_CA_BUNDLE``), the proxies of the environment for the sign-in URL,
the proxy and client-certificate settings of the config file, and aws-mfa's
timeouts (``MFA_STS_TIMEOUT`` bounds the whole call). ``AWS_MFA_SIGNIN_ENDPOINT``
replaces the partition's sign-in host (tests, private endpoints).

What it does not do: choose or get the credentials (``aws_mfa.commands.console``
does), or open a browser.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from urllib.parse import quote, urlencode, urlsplit

from aws_mfa import __version__, log
from aws_mfa.errors import StsRefusedError, StsUnavailableError, UsageError
from aws_mfa.keys import TemporaryCredentials
from aws_mfa.records import Record

TYPE_CHECKING = False  # see aws_mfa.records: typing is not imported at run time
if TYPE_CHECKING:
    from typing import Any

    from aws_mfa.aws.sts import AwsConfig, Limits

ENDPOINT_VARIABLE = "AWS_MFA_SIGNIN_ENDPOINT"
"""A base URL (``https://host[:port]``) that replaces the partition's sign-in host."""
TOKEN_LIFETIME = 900
"""Seconds a sign-in token, and so the login URL, can be used: 15 minutes."""
MIN_SESSION_DURATION = 900
MAX_SESSION_DURATION = 43200
"""``SessionDuration``'s bounds: 15 minutes to 12 hours."""


class Partition(Record):
    """Where a partition's console and its sign-in live, and how its sign-in is asked."""

    name: str
    signin_host: str
    console_host: str
    signin_regions: frozenset[str] = frozenset()
    """The regions with a sign-in host of their own, ``{region}.{signin_host}``; every
    other region signs in at the partition's global host."""
    home_region: str | None = None
    """For a partition with no global sign-in host: the region whose host serves it."""
    post: bool = True
    """Whether its federation endpoint takes the POST form; else GET alone is sent."""


AWS_SIGNIN_REGIONS = frozenset(
    {
        "af-south-1",
        "ap-east-1",
        "ap-east-2",
        "ap-northeast-1",
        "ap-northeast-2",
        "ap-northeast-3",
        "ap-south-1",
        "ap-south-2",
        "ap-southeast-1",
        "ap-southeast-2",
        "ap-southeast-3",
        "ap-southeast-4",
        "ap-southeast-5",
        "ap-southeast-6",
        "ap-southeast-7",
        "ca-central-1",
        "ca-west-1",
        "eu-central-1",
        "eu-central-2",
        "eu-north-1",
        "eu-south-1",
        "eu-south-2",
        "eu-west-1",
        "eu-west-2",
        "eu-west-3",
        "il-central-1",
        "me-central-1",
        "me-south-1",
        "mx-central-1",
        "sa-east-1",
        "us-east-2",
        "us-west-1",
        "us-west-2",
    }
)
"""The regions of partition ``aws`` with their own sign-in host: those botocore's endpoints
data lists for the partition (1.44), but us-east-1, whose sign-in is the global host, as
AWS's toolkits and granted have it. A region not listed (a new one, or a name that only
looks like a region) signs in at the global host, which serves every region."""

PARTITIONS: dict[str, Partition] = {
    "aws": Partition("aws", "signin.aws.amazon.com", "console.aws.amazon.com", AWS_SIGNIN_REGIONS),
    "aws-cn": Partition("aws-cn", "signin.amazonaws.cn", "console.amazonaws.cn"),
    "aws-us-gov": Partition(
        "aws-us-gov", "signin.amazonaws-us-gov.com", "console.amazonaws-us-gov.com", post=False
    ),
    "aws-eusc": Partition(
        "aws-eusc",
        "signin.amazonaws-eusc.eu",
        "console.amazonaws-eusc.eu",
        frozenset({"eusc-de-east-1"}),
        home_region="eusc-de-east-1",
    ),
}
"""The partitions whose console takes a federated sign-in. aws-cn and aws-us-gov sign in
at their global hosts. The European Sovereign Cloud (aws-eusc, live since January 2026)
has one region, and signs in at its host, ``eusc-de-east-1.signin.amazonaws-eusc.eu``:
the host granted uses, and botocore's endpoint rules name for its sign-in service
(aws-vault's global ``signin.amazonaws-eusc.eu`` carries a note that it is not available)."""
CREDENTIAL_WORDS = ("credential", "session parameter", "sessionduration", "federated login")
"""What a 400 of the federation endpoint says when it refuses the credentials it was sent:
"Invalid credentials parameter" (AWS's knowledge center), "Only federation tokens or assume
role tokens may be used for federated login", "Invalid Session parameter", "Invalid
SessionDuration parameter"."""
REGION_PREFIXES = (
    ("cn-", "aws-cn"),
    ("us-gov-", "aws-us-gov"),
    ("us-isob-", "aws-iso-b"),
    ("us-isof-", "aws-iso-f"),
    ("eu-isoe-", "aws-iso-e"),
    ("us-iso-", "aws-iso"),
    ("eusc-", "aws-eusc"),
)
"""The partition of a region, by its name's start (botocore's partitions.json agrees:
tests/test_console.py); any other region is in ``aws``."""

GLOBAL_SERVICES = frozenset(
    {
        "iam",
        "organizations",
        "billing",
        "costmanagement",
        "cloudfront",
        "route53",
        "globalaccelerator",
        "support",
        "account",
        "artifact",
    }
)
"""Consoles that have no region: their destination carries no ``?region=``."""
SERVICE = re.compile(r"[a-z0-9][a-z0-9-]{0,62}")
PATH = re.compile(r"/(?!/)[A-Za-z0-9\-._~!$&'()*+,;=:@/?#%]*")
"""A path of the console host, with its query and fragment: ``/`` not followed by another
(``//host`` would name a host), in the characters a URL allows unencoded."""
LABEL = re.compile(r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?")
"""One DNS label: a region (``eu-west-1.console...``) or a service (``s3.console...``)."""


def partition_of_region(region: str) -> str:
    """The partition a region is in."""
    return next((name for start, name in REGION_PREFIXES if region.startswith(start)), "aws")


def partition_of_arn(arn: str) -> str:
    """The partition an ARN names (``arn:aws-cn:...`` is in ``aws-cn``)."""
    return arn.split(":")[1] if arn.count(":") >= 2 else "aws"


def partition(name: str, why: str) -> Partition:
    """The partition called ``name``; a UsageError when its console has no federated sign-in.

    ``why`` says where the name came from (the role ARN, the region...).
    """
    found = PARTITIONS.get(name)
    if found is None:
        known = ", ".join(PARTITIONS)
        raise UsageError(
            f"the AWS console of partition {name} (from {why}) has no federated sign-in that "
            f"aws-mfa knows; console works in {known}"
        )
    return found


def signin_base(part: Partition, region: str | None, environ: Mapping[str, str]) -> str:
    """The sign-in endpoint's base URL: ``AWS_MFA_SIGNIN_ENDPOINT``, else the region's own
    sign-in host when the partition lists one for it, else the partition's global host (or,
    with none, its home region's host)."""
    override = environ.get(ENDPOINT_VARIABLE, "").strip()
    if override:
        parts = urlsplit(override)
        if parts.scheme not in ("http", "https") or not parts.hostname or parts.query:
            raise UsageError(
                f"{ENDPOINT_VARIABLE}: {override!r} is not a base URL like https://host:port"
            )
        return override.rstrip("/")
    if region in part.signin_regions:
        return f"https://{region}.{part.signin_host}"
    if part.home_region:
        return f"https://{part.home_region}.{part.signin_host}"
    return f"https://{part.signin_host}"


def console_base(part: Partition, region: str | None) -> str:
    """The console's base URL: the region's console host when a region is set."""
    return f"https://{region}.{part.console_host}" if region else f"https://{part.console_host}"


def with_region(url: str, region: str | None) -> str:
    """``url`` with ``region=`` in its query (before any fragment), unless it has one."""
    if not region:
        return url
    base, hash_, fragment = url.partition("#")
    _, question, query = base.partition("?")
    if any(pair.split("=", 1)[0] == "region" for pair in query.split("&") if pair):
        return url
    joined = f"{base}{'&' if question and query else '' if question else '?'}region={region}"
    return joined + hash_ + fragment


def service_destination(part: Partition, region: str | None, service: str) -> str:
    """The home page of ``service``'s console (``ec2``, ``s3``...)."""
    if not SERVICE.fullmatch(service):
        raise UsageError(
            f"--service: {service!r} is not a service name like ec2 or s3 "
            "(lower-case letters, digits and hyphens)"
        )
    url = f"{console_base(part, region)}/{service}/home"
    return url if service in GLOBAL_SERVICES else with_region(url, region)


def path_destination(part: Partition, region: str | None, path: str) -> str:
    """``path`` on the console host, with ``region=`` unless it names one or a global console."""
    if not PATH.fullmatch(path):
        raise UsageError(
            f"--path: {path!r} is not a path of the console, like /ec2/home#Instances: "
            "it starts with one /, and has no spaces, backslashes or other characters a URL "
            "must encode"
        )
    url = check_destination(console_base(part, region) + path, part, "--path")
    first = path.lstrip("/").split("/", 1)[0].split("?", 1)[0].split("#", 1)[0]
    return url if first in GLOBAL_SERVICES else with_region(url, region)


def check_destination(url: str, part: Partition, source: str = "--destination") -> str:
    """``url`` when it is an https URL of the partition's console host; else a UsageError.

    The login URL sends the browser wherever its destination says, signed in:
    a destination elsewhere would hand the session to another site (an open
    redirect). Only ``https://{console_host}`` and one label below it
    (``eu-west-1.console...``, ``s3.console...``) pass, with no user name,
    password or port, and nothing a browser might read otherwise than this
    check does (spaces, control characters, backslashes).
    """
    problem = destination_problem(url, part)
    if problem:
        raise UsageError(
            f"{source}: the destination is not the AWS console of partition {part.name} "
            f"({problem}); it must be an https URL on {part.console_host}"
        )
    return url


def destination_problem(url: str, part: Partition) -> str | None:
    """Why ``url`` may not be a destination, or None."""
    if any(char.isspace() or not char.isprintable() or char == "\\" for char in url):
        return "spaces, control characters or backslashes"
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return "not a URL"
    if parts.scheme != "https":
        return "not https"
    host = parts.hostname or ""
    if parts.username is not None or parts.password is not None or port is not None:
        return "a user name, password or port"
    if parts.netloc != host:
        return "an unusual host"
    return None if on_console_host(host, part) else f"its host is {host}"


def on_console_host(host: str, part: Partition) -> bool:
    """``host`` is the partition's console host, or one label below it."""
    label, dot, rest = host.partition(".")
    return host == part.console_host or (
        bool(dot) and rest == part.console_host and bool(LABEL.fullmatch(label))
    )


def session_json(creds: TemporaryCredentials) -> str:
    """The ``Session`` parameter: the temporary credentials as JSON.

    Long-term keys never go to the sign-in endpoint: credentials without a
    session token, or with an ``AKIA`` key id, are refused here.
    """
    if not creds.session_token or creds.access_key_id.startswith("AKIA"):
        raise UsageError(
            "refusing to send long-term keys to the console's sign-in endpoint; it takes only "
            "role credentials and federation tokens"
        )
    return json.dumps(
        {
            "sessionId": creds.access_key_id,
            "sessionKey": creds.secret_access_key,
            "sessionToken": creds.session_token,
        }
    )


def login_url(base: str, destination: str, token: str) -> str:
    """The URL that signs the browser in and sends it to ``destination``: a bearer credential."""
    query = urlencode({"Action": "login", "Destination": destination, "SigninToken": token})
    return f"{base}/federation?{query}"


def logout_url(base: str, then: str) -> str:
    """The URL that signs the browser out of its console session, then opens ``then``."""
    return f"{base}/oauth?Action=logout&redirect_uri={quote(then, safe='')}"


class Transport(Record):
    """How the sign-in endpoint is reached: botocore's HTTP session and the total bound."""

    session: Any
    total: float


def http_session(config: AwsConfig, region: str | None, url: str, bounds: Limits) -> Transport:
    """botocore's HTTP session for ``url``, set up as the STS client's.

    The STS client is built (nothing is sent) so that its configuration is the
    one botocore resolves for STS: its timeouts, proxy settings and client
    certificate; the CA bundle is the session's ``ca_bundle``, else
    ``REQUESTS_CA_BUNDLE``, as botocore chooses it; the proxies are the
    environment's for ``url`` (``NO_PROXY`` is read for the sign-in host).
    """
    import os

    from botocore.exceptions import BotoCoreError
    from botocore.httpsession import URLLib3Session
    from botocore.utils import get_environ_proxies

    from aws_mfa.aws import sts
    from aws_mfa.keys import LongTermKeys

    try:
        core = sts.botocore_session(config)
        keys = LongTermKeys("AKIAEXAMPLE", "unused")
        client = sts.botocore_client(keys, region, config, None, bounds)
    except (BotoCoreError, ValueError) as err:
        raise UsageError(
            "the AWS configuration of the profile cannot be used to reach the console's "
            "sign-in endpoint; fix it in the AWS config file or the environment"
        ) from err
    settings = client.meta.config
    verify: Any = core.get_config_variable("ca_bundle")
    if verify is None:
        verify = os.environ.get("REQUESTS_CA_BUNDLE", True)
    session = URLLib3Session(
        verify=verify,
        proxies=settings.proxies or get_environ_proxies(url),
        timeout=(settings.connect_timeout, settings.read_timeout),  # type: ignore[arg-type]
        client_cert=settings.client_cert,
        proxies_config=settings.proxies_config,
    )
    return Transport(session, bounds.total)


class Answer(Record):
    status: int
    body: bytes


def signin_token(
    transport: Transport,
    base: str,
    creds: TemporaryCredentials,
    *,
    kind: str,
    session_duration: int | None = None,
    post: bool = True,
) -> str:
    """Ask the federation endpoint at ``base`` for a sign-in token for ``creds``.

    ``kind`` names the credentials in errors ("role credentials of ... assumed from
    the MFA session"). With ``post`` (the partition's :attr:`Partition.post`), the
    request is a POST form with ``SessionType=json``, so that the credentials are in
    its body rather than in a URL a proxy may log; a 4xx answer that does not refuse
    them (:func:`refuses_credentials`) is asked again with GET, the form AWS
    documents. Without, GET alone is sent.
    """
    params = {"Action": "getSigninToken", "Session": session_json(creds)}
    if session_duration is not None:
        if not MIN_SESSION_DURATION <= session_duration <= MAX_SESSION_DURATION:
            raise UsageError(
                f"a console session lasts {MIN_SESSION_DURATION} to {MAX_SESSION_DURATION} "
                f"seconds, not {session_duration}"
            )
        params["SessionDuration"] = str(session_duration)
    url = f"{base}/federation"
    if not post:
        answer = send(transport, "GET", f"{url}?{urlencode(params)}", None)
        return read_token(answer, base, kind, session_duration)
    form = {"Action": params["Action"], "SessionType": "json", **params}
    answer = send(transport, "POST", url, urlencode(form))
    if 400 <= answer.status < 500 and not refuses_credentials(answer):
        log.debug(
            "The console's sign-in endpoint answered the POST with HTTP %d, which says "
            "nothing of the credentials; asking again with GET, the form AWS documents",
            answer.status,
        )
        answer = send(transport, "GET", f"{url}?{urlencode(params)}", None)
    return read_token(answer, base, kind, session_duration)


def refuses_credentials(answer: Answer) -> bool:
    """Whether ``answer`` refuses the credentials it was sent: 401 or 403, or a 400 whose
    text names them (:data:`CREDENTIAL_WORDS`). Another 4xx, or a 400 that names nothing
    of them (a proxy's, an endpoint's that did not read the form), says nothing of them."""
    if answer.status in (401, 403):
        return True
    if answer.status != 400:
        return False
    text = answer.body[:8192].decode("utf-8", "replace").lower()
    return any(word in text for word in CREDENTIAL_WORDS)


def read_token(answer: Answer, base: str, kind: str, session_duration: int | None) -> str:
    """The sign-in token in the endpoint's answer; an error that names ``kind`` otherwise.
    A 400, 401 or 403 is the credentials refused, whatever the text: to the GET, the form
    AWS documents, a 400 can mean nothing else.

    The answer's body is never quoted: it could hold what was sent.
    """
    host = urlsplit(base).netloc
    if answer.status == 400:
        duration = (
            f", and SessionDuration {session_duration} (only a role assumed with long-term "
            "keys may carry it)"
            if session_duration
            else ""
        )
        raise StsRefusedError(
            f"the console's sign-in endpoint at {host} refused the {kind}{duration} with HTTP "
            "400: it takes only role credentials and federation tokens that are still valid",
            sts_code="HTTP400",
        )
    if answer.status in (401, 403):
        raise StsRefusedError(
            f"the console's sign-in endpoint at {host} refused the {kind} with HTTP "
            f"{answer.status}; they may have been revoked or have expired",
            sts_code=f"HTTP{answer.status}",
        )
    if answer.status != 200:
        later = "; try again later" if answer.status >= 500 or answer.status == 429 else ""
        raise StsUnavailableError(
            f"the console's sign-in endpoint at {host} answered HTTP {answer.status}{later}; "
            f"check your network, proxy and {ENDPOINT_VARIABLE} if you set it"
        )
    token = parse_token(answer.body)
    if token is None:
        raise StsUnavailableError(
            f"the console's sign-in endpoint at {host} answered with something that is not "
            f"its JSON sign-in token; check your proxy, and {ENDPOINT_VARIABLE} if you set it"
        )
    return token


def parse_token(body: bytes) -> str | None:
    """The ``SigninToken`` of a JSON answer, or None when there is none."""
    try:
        data = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        return None
    token = data.get("SigninToken") if isinstance(data, dict) else None
    if not isinstance(token, str) or not token or not token.isprintable() or " " in token:
        return None
    return token


def send(transport: Transport, method: str, url: str, body: str | None) -> Answer:
    """Send one request; stop waiting at the total bound. Errors never quote the URL."""
    import threading

    from botocore.awsrequest import AWSRequest

    headers = {"User-Agent": f"aws-mfa/{__version__}", "Accept": "application/json"}
    if body is not None:
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    request = AWSRequest(method=method, url=url, data=body, headers=headers).prepare()
    outcome: dict[str, Any] = {}

    def work() -> None:
        try:
            response = transport.session.send(request)
            outcome["answer"] = Answer(int(response.status_code), bytes(response.content))
        except Exception as err:  # handed to the waiting thread
            outcome["error"] = err

    worker = threading.Thread(target=work, name="aws-mfa-signin", daemon=True)
    worker.start()
    worker.join(transport.total)
    host = urlsplit(url).netloc
    if worker.is_alive():
        raise StsUnavailableError(
            f"the console's sign-in endpoint at {host} did not answer within "
            f"{transport.total:g} seconds; check your network and proxy"
        )
    if "error" in outcome:
        raise transport_error(outcome["error"], host) from outcome["error"]
    answer: Answer = outcome["answer"]
    return answer


def transport_error(err: Exception, host: str) -> Exception:
    """``err`` from botocore's HTTP session as one line that says what to check."""
    from botocore import exceptions

    if isinstance(err, exceptions.SSLError):
        from aws_mfa.aws.sts import CA_BUNDLE_SETTINGS

        return StsUnavailableError(
            f"cannot verify the TLS certificate of the console's sign-in endpoint at {host}; "
            f"behind a proxy that inspects TLS, give its CA certificate with {CA_BUNDLE_SETTINGS}"
        )
    if isinstance(err, (exceptions.ConnectTimeoutError, exceptions.ReadTimeoutError)):
        return StsUnavailableError(
            f"the console's sign-in endpoint at {host} did not answer in time; check your "
            "network and proxy"
        )
    if isinstance(err, (exceptions.HTTPClientError, exceptions.BotoCoreError)):
        return StsUnavailableError(
            f"cannot connect to the console's sign-in endpoint at {host}; check your network, "
            f"proxy (HTTPS_PROXY, NO_PROXY) and {ENDPOINT_VARIABLE} if you set it"
        )
    return err
