"""``exec --server`` keeps its promises: the command gets the endpoint's credentials,
whatever else is around, and the endpoint never shows a traceback, spends a code
twice or makes a client wait on a person.

Items 9 to 17 of issue 20, one test (or a few) each, end to end through the
installed CLI against the local STS (tests/strict_sts.py), with real clients
in the command: boto3, the AWS CLI and the JavaScript SDK v3.
"""

from __future__ import annotations

import json
import os
import re
import shlex
import shutil
import signal
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from aws_mfa.aws.precedence import CREDENTIAL_SOURCE_VARIABLES
from aws_mfa.demo import LocalSts
from aws_mfa.files import ini
from tests.conftest import (
    AWS_CLI,
    AWS_MFA,
    DEVICE,
    AwsMfa,
    check_no_secrets,
    long_term,
    new_window,
    run_with_terminal,
    write,
)
from tests.stepped_time import SteppedTime, wait_until
from tests.strict_sts import StrictSts, strict_sts
from tests.test_server import (
    endpoint_in_process,
    log_in_dev,
    python,
    start_exec_server,
    waits_for_sigterm,
)

__all__ = ["strict_sts"]

ROLE = "arn:aws:iam::210987654321:role/admin"


SENT = [
    b"\x16\x03\x01MARKER-tls-hello\r\n\r\n",
    b"MARKER only one word\r\n\r\n",
    b"GET /MARKER HTTP/9.9\r\n\r\n",
    b"GET /MARKER-" + b"x" * 70000 + b" HTTP/1.1\r\n\r\n",
    b"GET /aws-mfa/credentials?MARKER HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n",
    b"",
    b"GET /aws-mfa/credentials HTTP/1.1\r\nMARKER: " + b"y" * 70000 + b"\r\n\r\n",
    b"GET /aws-mfa/credentials HTTP/1.1\r\n" + b"MARKER: z\r\n" * 200 + b"\r\n",
]
"""What a confused or hostile client may send the endpoint."""


def send(port: int, data: bytes) -> str:
    """``data`` sent to 127.0.0.1:``port``, then what came back."""
    import socket

    with socket.create_connection(("127.0.0.1", port), timeout=30) as connection:
        try:
            connection.sendall(data)
            connection.shutdown(socket.SHUT_WR)
        except OSError:  # the endpoint may close a connection it refuses
            pass
        answer = b""
        try:
            while chunk := connection.recv(65536):
                answer += chunk
        except OSError:
            pass
        return answer.decode("latin-1")


def test_a_failed_request_is_one_debug_line_without_a_traceback(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """Item 13: socketserver prints the traceback of a client gone mid-answer; not here."""
    from aws_mfa import log
    from aws_mfa.server import QuietServer

    log.set_level("DEBUG")
    try:
        raise ConnectionResetError("MARKER")
    except ConnectionResetError:
        QuietServer.handle_error(None, None, ("127.0.0.1", 1))  # type: ignore[arg-type]
    finally:
        log.set_level("INFO")
    err = capsys.readouterr().err
    assert err == "DEBUG - Credential endpoint: a request failed (ConnectionResetError)\n"


def test_garbage_sent_to_the_endpoint_never_prints_a_traceback(
    credentials: Path, environment: dict[str, str], strict_sts: StrictSts
) -> None:
    """Item 13: one DEBUG line at most per request, never a traceback or what was sent."""
    write(credentials, long_term("dev-long-term"))
    with endpoint_in_process(environment, "-p", "dev", "-c", "123456") as running:
        port = running.server.http.server_address[1]
        answers = [send(port, data) for data in SENT]
        running.ask()  # served after it all
    assert "Traceback" not in running.stderr
    assert "MARKER" not in running.stderr
    endpoint_lines = [line for line in running.stderr.splitlines() if "endpoint" in line.lower()]
    assert all(line.startswith("DEBUG - ") for line in endpoint_lines), endpoint_lines
    assert len(endpoint_lines) <= len(SENT) + 1
    for answer in answers:
        assert "SecretAccessKey" not in answer


def test_the_host_header_must_name_the_address_the_command_was_given(
    credentials: Path, environment: dict[str, str], strict_sts: StrictSts
) -> None:
    """Item 15: a second guard after the token, against DNS rebinding."""
    write(credentials, long_term("dev-long-term"))
    with endpoint_in_process(environment, "-p", "dev", "-c", "123456") as running:
        token, port = running.server.token, running.server.http.server_address[1]

        def status(host: str, authorization: str | None = token) -> tuple[int, str]:
            headers = {"Host": host, **({"Authorization": authorization} if authorization else {})}
            return running.request(headers)

        seen = {
            "given": status(f"127.0.0.1:{port}"),
            "rebound": status(f"attacker.example:{port}"),
            "localhost": status(f"localhost:{port}"),
            "no port": status("127.0.0.1"),
            "other port": status(f"127.0.0.1:{port + 1}"),
            "rebound, no token": status(f"attacker.example:{port}", None),
        }
    assert seen.pop("given")[0] == 200
    assert seen.pop("rebound, no token")[0] == 401  # the token is checked first
    for name, (code, body) in seen.items():
        assert code == 403, name
        assert "SecretAccessKey" not in body
        assert "the Host header is not 127.0.0.1:" in json.loads(body)["message"]


@pytest.mark.e2e
@pytest.mark.parametrize("server", [False, True], ids=["exec", "exec --server"])
def test_token_dash_reads_one_line_and_leaves_the_rest_to_the_command(
    server: bool, credentials: Path, aws_mfa: AwsMfa, strict_sts: StrictSts
) -> None:
    """Item 14: ``--token -`` takes exactly the first line of stdin, unbuffered."""
    write(credentials, long_term("dev-long-term"))
    command = python("import sys; sys.stdout.write(sys.stdin.read())")
    mode = ["--server"] if server else []
    result = aws_mfa(
        "exec", *mode, "-p", "dev", "--token", "-", *command, stdin="123456\nthe rest\nof it\n"
    )
    assert result.code == 0, result.stderr
    assert result.stdout == "the rest\nof it\n"
    assert strict_sts.codes == [("arn:aws:iam::123456789012:mfa/alice", "123456")]


def wait_for(condition: Callable[[], bool], seconds: float) -> bool:
    """Poll ``condition`` every 20 ms until it holds or ``seconds`` pass; whether it held."""
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.02)
    return True


def gone(pid: int) -> bool:
    """Whether process ``pid`` has ended (a zombie not yet reaped by its new parent counts)."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return True
    return "\nState:\tZ" in status


@pytest.mark.e2e
@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="PR_SET_PDEATHSIG is Linux's")
def test_the_command_ends_when_aws_mfa_is_killed(
    credentials: Path,
    home: Path,
    aws_mfa: AwsMfa,
    aws_mfa_in_process: AwsMfa,
    strict_sts: StrictSts,
) -> None:
    """Item 17: SIGKILL of aws-mfa, and the kernel sends the command SIGTERM."""
    write(credentials, long_term("dev-long-term"))
    log_in_dev(aws_mfa_in_process)
    pid_file, terminated = home / "child.pid", home / "terminated"
    temp = home / "tmp"  # where the killed aws-mfa leaves its private folder
    temp.mkdir()
    env = {**aws_mfa.env, "TMPDIR": str(temp)}
    process = start_exec_server(env, waits_for_sigterm(pid_file, terminated))
    pid = 0
    try:
        assert wait_for(lambda: pid_file.exists() and pid_file.read_text() != "", 30)
        pid = int(pid_file.read_text())
        process.kill()
        process.wait(timeout=30)
        assert wait_for(terminated.exists, 10), "the command ran on after aws-mfa died"
        assert wait_for(lambda: gone(pid), 10)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait(timeout=30)
        if pid and not gone(pid):
            os.kill(pid, signal.SIGKILL)


@pytest.mark.parametrize("role", [None, ROLE], ids=["session", "role"])
def test_force_applies_to_the_first_login_only(
    role: str | None, credentials: Path, environment: dict[str, str], strict_sts: StrictSts
) -> None:
    """Item 11: ``--force`` renews before the command starts, and never again per request."""
    write(credentials, long_term("dev-long-term"))
    assume = ["--assume-role", role] if role else []
    with endpoint_in_process(environment, "--force", "-p", "dev", *assume, "-c", "123456") as run:
        keys = [run.botocore_credentials().access_key for _ in range(3)]  # three SDK sessions
    assert len(set(keys)) == 1
    assert strict_sts.count("GetSessionToken") == 1
    assert strict_sts.count("AssumeRole") == (1 if role else 0)
    assert len(strict_sts.codes) == 1


UNTIL_RENEWED = """
import json, os, time, urllib.request, urllib.error
url = os.environ["AWS_CONTAINER_CREDENTIALS_FULL_URI"]
token = os.environ["AWS_CONTAINER_AUTHORIZATION_TOKEN"]
if os.environ.get("FORGET_USED_CODES"):  # as if the next 30-second window had begun
    os.unlink(os.environ["FORGET_USED_CODES"])
def ask():
    request = urllib.request.Request(url, headers={"Authorization": token})
    try:
        with urllib.request.urlopen(request, timeout=60) as answer:
            return answer.status, json.loads(answer.read())
    except urllib.error.HTTPError as err:
        return err.code, json.loads(err.read())
status, then = first = ask()
deadline = time.monotonic() + 40
while status == 200 and time.monotonic() < deadline:
    status, then = ask()
    if then.get("AccessKeyId") != first[1]["AccessKeyId"]:
        break
    time.sleep(0.05)
print(json.dumps({"status": status, "message": then.get("message"),
                  "renewed": status == 200 and then["AccessKeyId"] != first[1].get("AccessKeyId")}))
"""
"""Asks the endpoint until it answers with other credentials or an error (40 s at most)."""

SHORT = ("--no-session-cache", "--min-ttl", "2")
"""Every renewal needs a code, and credentials of 4 seconds are renewed with 2 left."""


@pytest.mark.parametrize("source", ["--token", "MFA_TOKEN"])
def test_a_code_given_once_is_spent_and_later_renewals_say_so(
    source: str, credentials: Path, environment: dict[str, str], strict_sts: StrictSts
) -> None:
    """Item 12: with no terminal and no token command, a later code is the documented error."""
    strict_sts.expires_in = 4
    write(credentials, long_term("dev-long-term"))
    env = {**environment, "MFA_TOKEN": "123456"} if source == "MFA_TOKEN" else environment
    flags = ["-c", "123456"] if source == "--token" else []
    with endpoint_in_process(env, "-p", "dev", *flags, *SHORT) as running:
        assert running.ask()[0] == 200
        running.time.advance_to(running.expiry())  # the renewal was due with 2 s left
        assert wait_until(lambda: running.ask()[0] == 500)
        status, body = running.ask()
    assert status == 500
    assert NEEDS_A_CODE in body["message"]
    assert [line for line in running.error_lines if NEEDS_A_CODE in line] == running.error_lines
    assert len(running.error_lines) == 1
    assert strict_sts.codes == [(DEVICE, "123456")]


NEEDS_A_CODE = "an MFA code is needed to renew the credentials of exec --server"


@pytest.mark.e2e  # the token command is a process
def test_later_codes_come_from_the_token_command(
    credentials: Path, home: Path, environment: dict[str, str], strict_sts: StrictSts
) -> None:
    """Item 12: the code given is spent on the first login; the token command gives the next."""
    strict_sts.expires_in = 4
    write(credentials, long_term("dev-long-term"))
    args = ("-p", "dev", "-c", "123456", "--token-command", "echo 654321", *SHORT)
    with endpoint_in_process(environment, *args) as running:
        first = running.key()
        new_window(home)  # as if the next 30-second window had begun
        running.time.advance_to(running.renewal_due())  # renewed with 2 s left
        assert wait_until(lambda: running.key() not in (first, None))
    assert strict_sts.codes[:2] == [(DEVICE, "123456"), (DEVICE, "654321")]
    assert running.error_lines == []


@pytest.mark.e2e
def test_later_codes_come_from_the_terminal(
    credentials: Path, home: Path, environment: dict[str, str], strict_sts: StrictSts
) -> None:
    """Item 12: the code given is spent on the first login; the next is typed at the terminal."""
    strict_sts.expires_in = 4
    write(credentials, long_term("dev-long-term"))
    command = [AWS_MFA, "exec", "--server", "-p", "dev", "-c", "123456", *SHORT]
    env = {**environment, "FORGET_USED_CODES": str(home / ".aws" / "aws-mfa-used-codes.json")}
    result = run_with_terminal(
        [*command, *python(UNTIL_RENEWED)], env, [("Enter AWS MFA code", "654321\n")]
    )
    assert result.code == 0, result.stderr
    assert json.loads(result.stdout)["renewed"] is True
    assert strict_sts.codes[:2] == [(DEVICE, "123456"), (DEVICE, "654321")]
    check_no_secrets(command, env, "", result)


REPORT = """
import boto3, json, os
names = json.loads(os.environ["INHERITED"])
kept = sorted(name for name, value in names.items() if os.environ.get(name) == value)
key = None
if not kept:  # only then may the SDK run: an inherited relative URI would leave 127.0.0.1
    key = boto3.Session().get_credentials().get_frozen_credentials().access_key
print(json.dumps({"kept": kept, "access_key": key}))
"""


def inherited(home: Path) -> dict[str, str]:
    """A value for each variable that could select another credential source."""
    values = {name: f"inherited-{name.lower()}" for name in CREDENTIAL_SOURCE_VARIABLES}
    values["AWS_ACCESS_KEY_ID"] = values["AWS_ACCESS_KEY"] = "AKIAINHERITED0000001"
    values["AWS_ROLE_ARN"] = "arn:aws:iam::111122223333:role/inherited"
    values["AWS_CONTAINER_CREDENTIALS_FULL_URI"] = "http://127.0.0.1:9/inherited"
    values["AWS_CONTAINER_CREDENTIALS_RELATIVE_URI"] = "/inherited"
    for name in ("AWS_WEB_IDENTITY_TOKEN_FILE", "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE"):
        values[name] = str(write(home / name.lower(), "inherited-token"))
    values["AWS_CREDENTIAL_FILE"] = str(
        write(home / "ec2-credentials", "AWSAccessKeyId=AKIAINHERITED0000002\nAWSSecretKey=x\n")
    )
    values["BOTO_CONFIG"] = str(
        write(home / "boto", "[Credentials]\naws_access_key_id = AKIAINHERITED0000003\n")
    )
    # What aws-mfa reads itself: the files as they are, the profile it was given.
    values["AWS_SHARED_CREDENTIALS_FILE"] = str(home / ".aws" / "credentials")
    values["AWS_CONFIG_FILE"] = str(home / ".aws" / "config")
    values["AWS_PROFILE"] = values["AWS_DEFAULT_PROFILE"] = "dev"
    return values


@pytest.mark.e2e
def test_the_command_inherits_no_variable_that_selects_another_credential_source(
    credentials: Path,
    home: Path,
    aws_mfa: AwsMfa,
    aws_mfa_in_process: AwsMfa,
    strict_sts: StrictSts,
) -> None:
    """Item 10: token files, web identity, another endpoint, keys: none reaches the command."""
    write(credentials, long_term("dev-long-term"))
    log_in_dev(aws_mfa_in_process)
    values = inherited(home)
    result = aws_mfa(
        "exec",
        "--server",
        *python(REPORT),
        INHERITED=json.dumps(values),
        **values,
    )
    assert result.code == 0, result.stderr
    seen = json.loads(result.stdout)
    assert seen["kept"] == []
    assert seen["access_key"].startswith("ASIASTRICT")


def test_outputs_md_lists_exactly_the_variables_the_command_does_not_inherit() -> None:
    """Item 10: the documented list is the code's tuple, no more and no less."""
    text = (Path(__file__).parent.parent / "docs" / "outputs.md").read_text()
    start = text.index("<!-- credential-source-variables -->")
    end = text.index("<!-- end -->", start)
    listed = re.findall(r"^\| `([A-Z_]+)`", text[start:end], re.MULTILINE)
    assert listed == list(CREDENTIAL_SOURCE_VARIABLES)


OTHER_KEY_ID = "AKIADEFAULTPROFILE01"
PROCESS_KEY_ID = "AKIACREDENTIALPROC01"


def a_user_with_default_keys(home: Path, credentials: Path) -> None:
    """``[default]`` keys in the credentials file, a profile with credential_process in the
    config: the two things SDKs read before an endpoint, and regions to keep."""
    write(
        credentials,
        f"[default]\naws_access_key_id = {OTHER_KEY_ID}\n"
        "aws_secret_access_key = default/profile/secret/0000000000000000\n\n"
        + long_term("dev-long-term"),
    )
    process = write(
        home / "credential-process",
        "#!/bin/sh\necho '"
        + json.dumps({"Version": 1, "AccessKeyId": PROCESS_KEY_ID, "SecretAccessKey": "p" * 40})
        + "'\n",
        mode=0o700,
    )
    write(
        home / ".aws" / "config",
        "# the user's own\n[default]\nregion = eu-west-1\noutput = json\n\n"
        f"[profile x]\nregion = eu-west-2\ncredential_process = {process}\n",
    )


BOTO3 = """
import boto3, json
session = boto3.Session()
identity = session.client("sts").get_caller_identity()
key = session.get_credentials().access_key
print(json.dumps({"access_key": key, "account": identity["Account"]}))
"""


def sdk_command(sdk: str, js_sdk: Path | None) -> list[str]:
    if sdk == "boto3":
        return python(BOTO3)
    if sdk == "aws-cli":
        return ["--", AWS_CLI, "sts", "get-caller-identity", "--output", "json"]
    assert js_sdk is not None
    return ["--", "node", str(js_sdk)]


@pytest.mark.e2e
@pytest.mark.parametrize("sdk", ["boto3", "aws-cli", "js-v3"])
def test_the_command_gets_the_endpoints_credentials_whatever_the_files_hold(
    sdk: str,
    request: pytest.FixtureRequest,
    credentials: Path,
    home: Path,
    aws_mfa: AwsMfa,
    aws_mfa_in_process: AwsMfa,
    sts: LocalSts,
    strict_sts: StrictSts,
) -> None:
    """Item 9: [default] keys and a credential_process profile do not win over the endpoint.
    An inherited AWS_PROFILE naming another profile than the one served is not passed on
    (issue 30): it would give the command that profile's credentials instead."""
    a_user_with_default_keys(home, credentials)
    log_in_dev(aws_mfa_in_process)
    js_sdk = request.getfixturevalue("js_sdk") if sdk == "js-v3" else None
    # Each SDK runs once, with AWS_PROFILE=x: without it the command gets the same
    # environment and files, which botocore reads the same way (in-process, test_server.py::
    # test_an_inherited_aws_profile_naming_another_profile_changes_nothing_the_command_gets).
    env = {"NODE_NO_WARNINGS": "1", "AWS_PROFILE": "x"}
    result = aws_mfa("exec", "--server", "-p", "dev", *sdk_command(sdk, js_sdk), **env)
    assert result.code == 0, result.stderr
    served = (ini.parse(credentials.read_text(), "c").values("dev") or {})["aws_access_key_id"]
    [signed] = [r for r in sts.requests if r.get("Action") == "GetCallerIdentity"]
    assert signed["@key_id"] == served
    assert signed["@region"] == "eu-west-1"
    if sdk != "aws-cli":
        assert json.loads(result.stdout)["access_key"] == served


@pytest.mark.e2e
def test_the_commands_aws_files_are_private_and_removed_when_it_ends(
    credentials: Path,
    home: Path,
    aws_mfa: AwsMfa,
    aws_mfa_in_process: AwsMfa,
    strict_sts: StrictSts,
) -> None:
    """Item 9: a new 0700 folder of 0600 files, holding the settings without credentials;
    gone after the command, and after a command that could not be run."""
    a_user_with_default_keys(home, credentials)
    log_in_dev(aws_mfa_in_process)
    temp = home / "tmp"
    temp.mkdir()
    look = (
        "import json, os, stat\n"
        "paths = [os.environ[name] for name in "
        "('AWS_SHARED_CREDENTIALS_FILE', 'AWS_CONFIG_FILE', 'BOTO_CONFIG')]\n"
        "modes = [stat.S_IMODE(os.stat(p).st_mode) for p in [os.path.dirname(paths[0]), *paths]]\n"
        "print(json.dumps({'modes': modes, 'texts': [open(p).read() for p in paths]}))\n"
    )
    result = aws_mfa("exec", "--server", "-p", "dev", *python(look), TMPDIR=str(temp))
    assert result.code == 0, result.stderr
    seen = json.loads(result.stdout)
    assert seen["modes"] == [0o700, 0o600, 0o600, 0o600]
    own, config, boto = seen["texts"]
    assert (own, boto) == ("", "")
    process = home / "credential-process"
    assert config.startswith(
        "# the user's own\n[default]\nregion = eu-west-1\noutput = json\n\n"
        f"[profile x]\nregion = eu-west-2\ncredential_process = {process}\n"
    )
    asks = (ini.parse(config, "c").values("profile dev-long-term") or {})["credential_process"]
    assert shlex.split(asks)[1:6] == ["-m", "aws_mfa", "export", "--stored", "--profile"]
    assert list(temp.iterdir()) == []
    new_window(home)
    failed = aws_mfa("exec", "--server", "-p", "dev", "--", str(home / "missing"), TMPDIR=str(temp))
    assert failed.code == 127
    assert list(temp.iterdir()) == []


SETTINGS_AND_CREDENTIALS = (
    "# mine\r\n[DEFAULT]\r\nsso_region = eu-west-1\r\n\r\n"
    "[default]\r\nregion = eu-west-1\r\nAWS_Access_Key_ID = AKIAINCONFIG00000001\r\n"
    "aws_secret_access_key: s\r\n\r\n"
    "[profile x]  \r\ncredential_process = /bin/false\r\nregion = eu-west-2\r\n; note\r\n"
    "[profile r]\r\nrole_arn = arn:aws:iam::111122223333:role/r\r\nsource_profile = default\r\n"
    "mfa_serial = arn:aws:iam::123456789012:mfa/alice\r\ns3 =\r\n  max_concurrent_requests = 2\r\n"
    "[profile w]\r\nweb_identity_token_file = /t\r\nrole_arn = arn:aws:iam::1:role/w\r\n"
    "[profile s]\r\nsso_session = corp\r\nsso_account_id = 1\r\nsso_role_name = r\r\n"
    "[profile l]\r\nlogin_session = arn:aws:iam::1:user/l\r\n"
    "[profile e]\r\ncredential_source = Environment\r\nrole_arn = arn:aws:iam::1:role/e\r\n"
    "[sso-session corp]\r\nsso_start_url = https://corp.awsapps.com/start\r\n"
    "[services local]\r\nsts =\r\n  endpoint_url = http://127.0.0.1:1\r\n"
)


def test_the_config_copy_keeps_every_setting_and_no_credentials() -> None:
    """Item 9: botocore reads the same settings from the copy, and no credential source."""
    import configparser

    from aws_mfa.aws.precedence import selects_credentials, without_credentials

    def read(text: str) -> dict[str, dict[str, str]]:
        parser = configparser.RawConfigParser()
        parser.read_string(text)
        return {name: dict(parser.items(name)) for name in parser.sections()}

    before = read(SETTINGS_AND_CREDENTIALS)
    copy = without_credentials(ini.parse(SETTINGS_AND_CREDENTIALS, "config"))
    after = read(copy.text)
    expected = {
        name: {key: value for key, value in values.items() if not selects_credentials(key)}
        for name, values in before.items()
    }
    assert after == expected
    assert after["profile x"] == {"region": "eu-west-2"}
    assert after["profile r"] == {
        "mfa_serial": "arn:aws:iam::123456789012:mfa/alice",
        "s3": "\nmax_concurrent_requests = 2",
    }
    assert after["services local"] == {"sts": "\nendpoint_url = http://127.0.0.1:1"}
    assert not any(selects_credentials(key) for values in after.values() for key in values)
    lines = SETTINGS_AND_CREDENTIALS.splitlines(keepends=True)
    keys = [line.split("=")[0].split(":")[0].strip().lower() for line in lines]
    kept = [line for line, key in zip(lines, keys, strict=True) if not selects_credentials(key)]
    assert copy.text == "".join(kept)


class LongerAfterFirst(StrictSts):
    """Role sessions of ``role_expires_in`` seconds at first, then of an hour: one renewal."""

    def assume_role(self, params: dict[str, str]) -> tuple[int, str]:
        answer = super().assume_role(params)
        self.role_expires_in = 3600
        return answer


SLOW_PERSON = """#!/bin/sh
echo asked >> '{folder}/asked'
i=0
while [ ! -e '{folder}/typed' ] && [ $i -lt 600 ]; do sleep 0.05; i=$((i + 1)); done
echo 654321
"""
"""A token command that says it was asked, then waits (30 s at most) for the test to type."""


@pytest.mark.e2e  # the person is a token command, a process
def test_a_client_keeps_working_while_a_renewal_waits_for_the_code(
    credentials: Path, home: Path, environment: dict[str, str], sts: LocalSts
) -> None:
    """Item 16: the renewal runs ahead of expiry; requests are answered from the credentials
    held while a person types, and get AccountId. Each request is answered while the
    renewal still waits for the person, who types only after the last: a request that
    waited on the renewal would never be answered (botocore gives up after 2 s)."""
    strict = LongerAfterFirst(role_expires_in=12)  # renewed with 10 s left: 2 s in
    sts.responder = strict
    write(credentials, long_term("dev-long-term"))
    folder = home / "person"
    folder.mkdir()
    person = write(home / "person.sh", SLOW_PERSON.format(folder=folder), mode=0o700)
    args = ("-p", "dev", "--assume-role", ROLE, "-c", "123456", "--token-command", str(person))
    with endpoint_in_process(environment, *args, *SHORT[:1], "--min-ttl", "10") as running:
        first = running.botocore_credentials()
        new_window(home)  # as if the next 30-second window had begun
        running.time.advance_to(running.renewal_due())  # renewed with 10 s left
        assert wait_until((folder / "asked").exists)
        typing = [running.botocore_credentials() for _ in range(4)]
        asked = (folder / "asked").read_text().count("asked")
        (folder / "typed").write_text("")
        assert wait_until(lambda: running.key() != first.access_key)
        renewed = running.botocore_credentials()
    for each in typing:
        assert each.access_key == first.access_key
        assert each.account_id == "210987654321"
    assert asked == 1
    assert renewed.access_key != first.access_key
    assert strict.codes == [(DEVICE, "123456"), (DEVICE, "654321")]
    assert running.error_lines == []


@pytest.mark.e2e  # the token command is a process
def test_a_failed_renewal_is_remembered_and_sdk_retries_do_not_repeat_it(
    credentials: Path, home: Path, environment: dict[str, str], strict_sts: StrictSts
) -> None:
    """Item 16: one attempt, one ERROR line, however many requests the SDK's retries make;
    the next attempt a minute later (FAILURE_MEMORY), and no second ERROR line for it."""
    from botocore.exceptions import CredentialRetrievalError

    strict_sts.expires_in = 4
    write(credentials, long_term("dev-long-term"))
    runs = home / "runs"
    failing = write(home / "failing.sh", f"#!/bin/sh\necho run >> '{runs}'\nexit 1\n", mode=0o700)
    args = ("-p", "dev", "-c", "123456", "--token-command", str(failing), *SHORT)
    with endpoint_in_process(environment, *args) as running:
        new_window(home)  # as if the next 30-second window had begun
        running.time.advance_to(running.renewal_due())  # the token command fails
        assert wait_until(lambda: running.error_lines != [])
        running.time.advance_to(running.expiry())
        with pytest.raises(CredentialRetrievalError):  # botocore asked 3 times, then gave up
            running.botocore_credentials()
        then = [running.ask()[0] for _ in range(3)]
        running.time.advance(30)
        runs_within_the_minute = runs.read_text()
        running.time.advance_to(running.renewal_due())  # a minute after the failure
        assert wait_until(lambda: runs.read_text() == "run\nrun\n")
    assert then == [500, 500, 500]
    refused = [line for line in running.stderr.splitlines() if line.endswith("credentials: 500")]
    assert len(refused) >= 6  # botocore's 3 attempts, and 3 more
    assert runs_within_the_minute == "run\n"
    assert len(running.error_lines) == 1
    assert "the command failed with exit code 1" in running.error_lines[0]


@pytest.mark.parametrize("role", [None, ROLE], ids=["session", "role"])
def test_the_endpoint_serves_the_account_id_and_role_arn(
    role: str | None, credentials: Path, environment: dict[str, str], strict_sts: StrictSts
) -> None:
    """Item 16: AccountId as EKS Pod Identity serves it, RoleArn for roles as the ECS agent."""
    write(credentials, long_term("dev-long-term"))
    assume = ["--assume-role", role] if role else []
    with endpoint_in_process(environment, "-p", "dev", *assume, "-c", "123456") as running:
        body = running.ask()[1]
    expected = (
        {"AccountId": "210987654321", "RoleArn": ROLE}
        if role
        else {"AccountId": "123456789012", "RoleArn": None}
    )
    assert {key: body.get(key) for key in ("AccountId", "RoleArn")} == expected


@pytest.mark.parametrize(
    ("lifetime", "min_ttl", "margin"),
    [(43200, 300, 1200), (3600, 300, 1200), (900, 300, 450), (300, 298, 298), (3600, 3000, 3000)],
)
def test_the_renewal_lead_leaves_botocores_refresh_windows_free(
    lifetime: int, min_ttl: int, margin: int
) -> None:
    """Item 16: 20 minutes ahead (botocore asks at 15, must have new ones at 10), halfway
    through shorter lives, and never later than --min-ttl says."""
    from aws_mfa.server import RenewalPolicy

    assert RenewalPolicy(min_ttl).margin(lifetime) == margin


def test_a_renewal_that_breaks_is_one_error_line_and_the_thread_goes_on(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """Item 16: an unexpected error while renewing is kept like a failure, logged once."""
    from datetime import datetime, timedelta, timezone

    from aws_mfa import log
    from aws_mfa.keys import TemporaryCredentials
    from aws_mfa.server import HeldCredentials, RenewalPolicy

    now = datetime(2030, 1, 1, tzinfo=timezone.utc)
    first = TemporaryCredentials("ASIAFIRST", "s", "t", now + timedelta(hours=1))

    def broken(margin: int) -> TemporaryCredentials:
        raise ValueError("MARKER")

    held = HeldCredentials(first, broken, RenewalPolicy(300), clock=lambda: now)
    log.set_level("DEBUG")
    try:
        held.attempt()
        held.attempt()
    finally:
        log.set_level("INFO")
    assert held.current() == (first, held.failure)
    assert held.next_attempt() == now + timedelta(seconds=60)
    err = capsys.readouterr().err.splitlines()
    assert err[0] == "ERROR - internal error ValueError while renewing; please report it"
    assert [line.split(" - ")[0] for line in err] == ["ERROR", "DEBUG"]
    assert "MARKER" not in "".join(err)


def test_a_request_never_waits_for_a_renewal_under_way() -> None:
    """Item 16: while a renewal waits (on a person, on STS), requests get the credentials
    held, or 503 once they expired, at once; then the renewed ones."""
    import threading
    from datetime import timedelta

    from aws_mfa.keys import TemporaryCredentials
    from aws_mfa.server import CredentialServer, RenewalPolicy

    clock = SteppedTime()
    first = TemporaryCredentials("ASIAFIRST", "s", "t", clock() + timedelta(seconds=60))
    fresh = TemporaryCredentials("ASIAFRESH", "s", "t", clock() + timedelta(hours=2))
    asked, typed = threading.Event(), threading.Event()

    def slow(margin: int) -> TemporaryCredentials:
        asked.set()
        typed.wait(60)
        return fresh

    def key() -> object:
        return server.answer("t", server.host)[1].get("AccessKeyId")

    policy = RenewalPolicy(min_ttl=300)
    server = CredentialServer(first, slow, policy=policy, token="t", clock=clock, waiter=clock)
    with server:
        clock.advance(1)  # 60 s left, within the margin: renewed as soon as MIN_INTERVAL allows
        assert asked.wait(60)
        assert server.answer("t", server.host)[0] == 200  # answered while the renewal waits
        assert key() == "ASIAFIRST"
        clock.advance(61)  # expired while the person types
        status, body = server.answer("t", server.host)
        assert status == 503
        assert "SecretAccessKey" not in body
        assert not typed.is_set()  # all of it before the person typed
        typed.set()
        assert wait_until(lambda: key() == "ASIAFRESH")


def test_the_security_catalogue_names_tests_that_exist() -> None:
    """docs/security.md's table for exec --server names only tests of this file, and all of them."""
    text = (Path(__file__).parent.parent / "docs" / "security.md").read_text()
    start = text.index("## `exec --server`")
    named = set(re.findall(r"`::(test_\w+)`", text[start : text.index("\n## ", start)]))
    here = {name for name in globals() if name.startswith("test_")}
    assert named == here - {"test_the_security_catalogue_names_tests_that_exist"}


# Issue 30, item 2: a command inside exec --server that names another profile gets that
# profile's own identity, or a clear failure; never the served credentials.

PLAIN_KEY_ID = "AKIAPLAINKEYSOFCI001"
PLAIN_SECRET = "plain/keys/of/ci/0000000000000000000000"
OTHER_PROFILES = (
    f"[profile prod]\nrole_arn = {ROLE}\nsource_profile = dev\n\n"
    "[profile ci]\nregion = eu-west-3\n\n"
    "[profile settings-only]\nregion = eu-west-3\n"
)
AWS_CLI_V2 = shutil.which("aws", path="/usr/bin")

CALLERS = """
import json, os, subprocess, sys
import boto3
seen = []
def boto3_call(profile):
    try:
        session = boto3.Session(profile_name=profile)
        session.client("sts", region_name="us-east-1").get_caller_identity()
        return session.get_credentials().access_key
    except Exception as err:
        return "error: " + type(err).__name__ + ": " + str(err)[-200:]
for profile in (None, "prod", "ci", "settings-only"):
    seen.append(["boto3", profile, boto3_call(profile)])
for name, cli, extra, profiles in json.loads(sys.argv[1]):
    for profile in profiles:
        done = subprocess.run(
            [cli, "sts", "get-caller-identity", "--profile", profile, *extra],
            capture_output=True, text=True, timeout=120,
        )
        seen.append([name, profile, done.returncode == 0 or done.stderr.strip()[-200:]])
print(json.dumps(seen))
"""


def aws_clis(sts: LocalSts) -> list[tuple[str, str, list[str], list[str]]]:
    """The AWS CLIs to run, and the profiles each names: v1 (PyPI), and v2 (Debian's awscli)
    where it is installed; v2.9 reads no AWS_ENDPOINT_URL_STS, so it is given the local STS's
    address. v1 reads credentials with the botocore boto3 uses, which reads every profile
    here (and shows the failure's message): v1 names the role profile, to show that its
    --profile reaches that botocore; v2, a botocore of its own, names them all."""
    found = [("aws-cli-v1", AWS_CLI, ["--region", "us-east-1"], ["prod"])]
    if AWS_CLI_V2 is not None:
        extra = ["--region", "us-east-1", "--endpoint-url", sts.url]
        found.append(("aws-cli-v2", AWS_CLI_V2, extra, ["prod", "ci", "settings-only"]))
    elif os.environ.get("AWS_CLI_V2_REQUIRED"):
        pytest.fail("the AWS CLI v2 (Debian's awscli) is not installed; .ci/run installs it")
    return found


@pytest.mark.e2e
def test_a_command_that_names_another_profile_gets_that_profiles_own_identity(
    credentials: Path,
    home: Path,
    aws_mfa: AwsMfa,
    aws_mfa_in_process: AwsMfa,
    sts: LocalSts,
    strict_sts: StrictSts,
) -> None:
    """Inside exec --server -p dev: --profile prod (a role profile from dev's session) gets the
    role, --profile ci (plain keys) gets ci's keys, and a profile with no credentials fails;
    with boto3 and the AWS CLI v2, and the role with the AWS CLI v1 (whose botocore is boto3's,
    see :func:`aws_clis`). Before, the two first got dev's credentials."""
    write(
        credentials,
        long_term("dev-long-term")
        + f"\n[ci]\naws_access_key_id = {PLAIN_KEY_ID}\naws_secret_access_key = {PLAIN_SECRET}\n",
    )
    write(home / ".aws" / "config", OTHER_PROFILES)
    log_in_dev(aws_mfa_in_process)
    clis = aws_clis(sts)
    result = aws_mfa("exec", "--server", "-p", "dev", *python(CALLERS), json.dumps(clis))

    assert result.code == 0, result.stderr
    served = (ini.parse(credentials.read_text(), "c").values("dev") or {})["aws_access_key_id"]
    roles = {key for key, issued in strict_sts.issued.items() if issued.action == "AssumeRole"}
    seen = {(client, profile): outcome for client, profile, outcome in json.loads(result.stdout)}
    assert seen[("boto3", None)] == served
    assert seen[("boto3", "prod")] in roles
    assert seen[("boto3", "ci")] == PLAIN_KEY_ID
    failed = seen[("boto3", "settings-only")]
    assert failed.startswith("error: CredentialRetrievalError: ")
    assert "[settings-only] holds no access key" in failed
    assert seen[("aws-cli-v1", "prod")] is True
    v2 = [client for client, *_ in clis if client != "aws-cli-v1"]
    for client in v2:  # none where it is not installed
        assert seen[(client, "prod")] is True
        assert seen[(client, "ci")] is True
        assert "[settings-only] holds no access key" in seen[(client, "settings-only")]
    assert len(seen) == 4 + 1 + 3 * len(v2)  # no other run
    signers = [r["@key_id"] for r in sts.requests if r.get("Action") == "GetCallerIdentity"]
    assert signers.count(served) == 1  # the command's own call, with no profile named
    assert signers.count(PLAIN_KEY_ID) == 1 + len(v2)
    assert len([key for key in signers if key in roles]) == 1 + len(clis)
    assert strict_sts.calls.count("GetSessionToken") == 1  # one code in all
