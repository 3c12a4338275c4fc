"""Profiles ``aws login`` signed in: listed by status and doctor with their expiry, read-only,
never a secret of the cache shown, and a warning when aws-mfa's section hides one.

The cache files are written here as the AWS CLI v2 writes them
(``awscli/customizations/login/utils.py``), and botocore itself checks where
aws-mfa looks for them and in which order it takes credentials.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from aws_mfa import system
from aws_mfa.aws import login_sessions
from aws_mfa.aws.config_file import profiles
from aws_mfa.cli.main import main
from aws_mfa.files import ini
from tests.conftest import (
    AwsMfa,
    Result,
    check_no_secrets,
    long_term,
    secrets_under,
    session,
    write,
)

ALICE = "arn:aws:iam::123456789012:user/alice"
BOB = "arn:aws:iam::123456789012:user/bob"
CAROL = "arn:aws:iam::123456789012:user/carol"

# The secrets of a cache file: none may ever be printed, kept or returned.
REFRESH_TOKEN = "aws-login-refresh-token-for-tests-only-000000000000"
DPOP_KEY = (
    "-----BEGIN EC PRIVATE KEY-----\n"
    "MHcCAQEEIDpopKeyForTestsOnlyDpopKeyForTestsOnly0000000000oAoGCCqG\n"
    "SM49AwEHoUQDQgAEDpopKeyForTestsOnlyDpopKeyForTestsOnlyDpopKeyFor0\n"
    "TestsOnlyDpopKeyForTestsOnly000000000000000000000000000==\n"
    "-----END EC PRIVATE KEY-----\n"
)
LOGIN_SECRET = "aws/login/secret/access/key/for/tests/00000"
LOGIN_TOKEN = "aws-login-session-token-for-tests-only-00000000"
ID_TOKEN = "eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiJ0ZXN0cyJ9.aws-login-id-token-for-tests"
SECRETS = (
    REFRESH_TOKEN,
    DPOP_KEY,
    *DPOP_KEY.splitlines()[1:-1],
    LOGIN_SECRET,
    LOGIN_TOKEN,
    ID_TOKEN,
)

CONFIG = (
    f"[profile console]\nlogin_session = {ALICE}\nregion = eu-west-1\n\n"
    f"[profile stale]\nlogin_session = {BOB}\n\n"
    f"[profile gone]\nlogin_session = {CAROL}\n\n"
    "[profile plain]\nregion = eu-west-1\n"
)


def stamp(moment: datetime) -> str:
    """An ``expiresAt`` as the AWS CLI writes it."""
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def later(seconds: int) -> datetime:
    return (datetime.now(timezone.utc) + timedelta(seconds=seconds)).replace(microsecond=0)


def cache_document(expires_at: object) -> dict[str, object]:
    """A cache file's content, field for field as ``aws login`` writes it."""
    return {
        "accessToken": {
            "accessKeyId": "ASIALOGINFORTESTS001",
            "secretAccessKey": LOGIN_SECRET,
            "sessionToken": LOGIN_TOKEN,
            "accountId": "123456789012",
            "expiresAt": expires_at,
        },
        "tokenType": "aws_sigv4",
        "clientId": "arn:aws:signin:::devtools/same-device",
        "refreshToken": REFRESH_TOKEN,
        "idToken": ID_TOKEN,
        "dpopKey": DPOP_KEY,
    }


def cache_path(folder: Path, session: str = ALICE) -> Path:
    return folder / (hashlib.sha256(session.encode()).hexdigest() + ".json")


def write_cache(folder: Path, session: str = ALICE, expires_at: object = None) -> Path:
    """The cache file of ``session`` in ``folder``; it expires in 15 minutes unless told."""
    expires = stamp(later(900)) if expires_at is None else expires_at
    return write(cache_path(folder, session), json.dumps(cache_document(expires)))


@pytest.fixture
def cache(home: Path) -> Path:
    """The AWS CLI's default login cache folder (not created)."""
    return home / ".aws" / "login" / "cache"


@pytest.fixture
def config(home: Path) -> Path:
    return write(home / ".aws" / "config", CONFIG)


def read_all(
    config: Path, environ: dict[str, str] | None = None
) -> list[login_sessions.LoginSession]:
    document = ini.parse(config.read_text(), str(config))
    return login_sessions.login_sessions(profiles(document), environ or {})


def assert_nothing_secret(text: str) -> None:
    for secret in SECRETS:
        assert secret not in text, f"a secret of the cache ({len(secret)} characters) is shown"


# Where the cache is, and what is read from it: botocore's own answers


@pytest.mark.parametrize("variable", [None, "{tmp}/elsewhere", "~/login-cache", "$HOME/cache2"])
def test_the_cache_file_is_the_one_botocore_reads(
    variable: str | None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from botocore.utils import generate_login_cache_key, get_login_token_cache_directory

    if variable is not None:
        monkeypatch.setenv("AWS_LOGIN_CACHE_DIRECTORY", variable.format(tmp=tmp_path))
    folder = login_sessions.cache_folder(os.environ)
    # The same folder, in Windows' own separators there (botocore joins "~/..." as typed).
    assert folder == system.user_path(get_login_token_cache_directory())
    for value in (ALICE, "arn:aws:iam::123456789012:root", "ünïcode", ""):
        expected = os.path.join(folder, generate_login_cache_key(value) + ".json")
        assert login_sessions.cache_file(value, folder) == expected


def test_the_expiry_is_the_one_botocore_uses(cache: Path) -> None:
    from botocore.credentials import LoginCredentialFetcher
    from botocore.utils import JSONFileCache, LoginTokenLoader

    expires = later(600)
    write_cache(cache, ALICE, stamp(expires))
    fetcher = LoginCredentialFetcher(
        session_name=ALICE,
        token_loader=LoginTokenLoader(JSONFileCache(str(cache))),
        client_creator=None,
    )
    theirs = fetcher.load_cached_credentials()["expiry_time"]
    [found] = login_sessions.login_sessions(
        {"console": profiles(ini.parse(CONFIG, "config"))["console"]}, {}
    )
    assert found.expiration == expires
    assert stamp(found.expiration) == theirs


def test_botocore_takes_the_credentials_file_before_a_login_session(
    home: Path, cache: Path, config: Path, credentials: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The order the docs and the warnings state, asked of botocore itself."""
    import botocore.session
    from botocore.credentials import create_credential_resolver
    from botocore.exceptions import MissingDependencyException

    write_cache(cache)
    monkeypatch.setenv("AWS_CONFIG_FILE", str(config))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(credentials))
    resolver = create_credential_resolver(botocore.session.Session(profile="console"))
    methods = [provider.METHOD for provider in resolver.providers]
    assert methods.index("shared-credentials-file") < methods.index("login")
    assert methods.index("login") < methods.index("custom-process")

    write(credentials, session("console", "2099-01-01 00:00:00"))
    found = botocore.session.Session(profile="console").get_credentials()
    assert found is not None
    assert found.method == "shared-credentials-file"

    write(credentials, session("other", "2099-01-01 00:00:00"))
    try:  # without the section, the login provider answers (it needs awscrt to sign)
        found = botocore.session.Session(profile="console").get_credentials()
    except MissingDependencyException as err:
        refusal = str(err)
    else:
        assert found is not None
        refusal = "the login credential provider" if found.method == "login" else found.method
    assert "login credential provider" in refusal


@pytest.mark.parametrize("where", ["home", "AWS_LOGIN_CACHE_DIRECTORY"])
def test_the_secret_scan_fails_a_run_that_prints_a_secret_of_the_cache(
    where: str, home: Path, cache: Path, tmp_path: Path
) -> None:
    env = {"HOME": str(home)}
    if where == "home":
        write_cache(cache)
    else:
        env["AWS_LOGIN_CACHE_DIRECTORY"] = str(tmp_path / "elsewhere")
        write_cache(tmp_path / "elsewhere")
    for secret in SECRETS:
        printed = Result(0, f"console {secret} valid", "")
        with pytest.raises(pytest.fail.Exception, match="a secret"):
            check_no_secrets(["aws-mfa", "status"], env, "", printed)


# The reader: only the expiry, whatever the file holds


def test_only_the_expiry_is_kept(cache: Path, config: Path) -> None:
    expires = datetime(2099, 1, 1, 12, tzinfo=timezone.utc)
    write_cache(cache, ALICE, stamp(expires))
    write_cache(cache, BOB, "2001-01-01T11:00:00Z")
    found = read_all(config)
    assert [(login.profile, login.session) for login in found] == [
        ("console", ALICE),
        ("stale", BOB),
        ("gone", CAROL),
    ]
    console, stale, gone = found
    assert console.expiration == expires
    assert console.reason == ""
    assert console.cache_file == str(cache_path(cache, ALICE))
    assert stale.expiration == datetime(2001, 1, 1, 11, tzinfo=timezone.utc)
    assert gone.expiration is None
    assert not gone.cached
    assert "there is no cached login" in gone.reason
    assert "'aws login --profile gone' signs in" in gone.reason
    assert_nothing_secret(repr(found))
    assert_nothing_secret(" ".join(str(value) for login in found for value in login))


def test_only_profiles_botocore_reads_are_listed(cache: Path, home: Path) -> None:
    config = write(
        home / ".aws" / "config",
        f"[default]\nlogin_session = {ALICE}\n\n"
        f"[bare]\nlogin_session = {BOB}\n\n"  # botocore ignores a bare header
        f"[sso-session corp]\nlogin_session = {BOB}\n\n"
        f'[profile "with space"]\nlogin_session = {CAROL}\n',
    )
    found = read_all(config)
    assert [login.profile for login in found] == ["default", "with space"]
    assert "'aws login' signs in" in found[0].reason
    assert "'aws login --profile 'with space'' signs in" in found[1].reason


def test_no_cache_is_looked_for_without_a_login_session_profile(home: Path) -> None:
    config = write(home / ".aws" / "config", "[profile plain]\nregion = eu-west-1\n")
    assert read_all(config, {"AWS_LOGIN_CACHE_DIRECTORY": "/nonexistent"}) == []


@pytest.mark.parametrize(
    ("name", "expires_at", "shown"),
    [
        ("written by aws login", "2026-11-22T21:04:05Z", "2026-11-22T21:04:05+00:00"),
        ("an offset", "2026-11-22T23:04:05+02:00", "2026-11-22T21:04:05+00:00"),
        ("no zone: UTC", "2026-11-22T21:04:05", "2026-11-22T21:04:05+00:00"),
    ],
)
def test_expiry_forms(name: str, expires_at: str, shown: str) -> None:
    expiration, reason = login_sessions.expiration_in(json.dumps(cache_document(expires_at)))
    assert expiration is not None, name
    assert expiration.isoformat() == shown
    assert reason == ""


HOSTILE: dict[str, str | bytes] = {
    "not JSON": "{accessToken: soon}",
    "JSON nested too deep": "[" * 30_000 + "]" * 30_000,
    "deep inside the token": '{"accessToken": ' + "[" * 30_000 + "]" * 30_000 + "}",
    "a list": json.dumps([cache_document("2099-01-01T00:00:00Z")]),
    "accessToken a list": json.dumps({**cache_document(""), "accessToken": ["expiresAt"]}),
    "expiresAt a number": json.dumps(cache_document(1_900_000_000)),
    "expiresAt null": json.dumps(cache_document(None)),
    "expiresAt an object": json.dumps(cache_document({"at": "2099-01-01T00:00:00Z"})),
    "expiresAt not a time": json.dumps(cache_document("in fifteen minutes")),
    "expiresAt year 9999": json.dumps(cache_document("9999-12-31T23:59:59Z")),
    "expiresAt year 1": json.dumps(cache_document("0001-01-01T00:00:00Z")),
    "a huge integer": '{"accessToken": {"expiresAt": ' + "9" * 5000 + "}}",
    "empty": "",
    "not UTF-8": b'{"accessToken": {"expiresAt": "\xff\xfe"}}',
    "a byte-order mark": b"\xef\xbb\xbf"
    + json.dumps(cache_document("2099-01-01T00:00:00Z")).encode(),
    "truncated mid-write": json.dumps(cache_document("2099-01-01T00:00:00Z"))[:80],
    "too large": json.dumps(cache_document("2099-01-01T00:00:00Z")) + " " * (64 * 1024),
}


@pytest.mark.parametrize("name", list(HOSTILE))
def test_a_hostile_cache_file_is_an_unknown_expiry(name: str, cache: Path, config: Path) -> None:
    write(cache_path(cache, ALICE), HOSTILE[name])
    console = read_all(config)[0]
    assert console.expiration is None, name
    assert console.cached
    assert console.reason
    assert "\n" not in console.reason
    assert_nothing_secret(repr(console))


@pytest.mark.posix(reason="a FIFO (Windows has no mkfifo)")
def test_a_fifo_or_a_folder_in_the_place_of_the_cache_file_does_not_block(
    cache: Path, config: Path
) -> None:
    cache.mkdir(parents=True)
    os.mkfifo(cache_path(cache, ALICE))
    cache_path(cache, BOB).mkdir()
    console, stale, _ = read_all(config)
    assert console.expiration is None
    assert "a FIFO" in console.reason
    assert stale.expiration is None
    assert "a folder" in stale.reason


@pytest.mark.posix(reason="symbolic links and a FIFO")
def test_links_are_followed_as_botocore_follows_them(
    cache: Path, config: Path, tmp_path: Path
) -> None:
    """botocore opens the file through a link, so aws-mfa reads the same expiry; a link to a
    FIFO, a loop or nowhere is an unknown expiry, without blocking."""
    elsewhere = write_cache(tmp_path / "real", ALICE, "2099-01-01T00:00:00Z")
    cache.mkdir(parents=True)
    cache_path(cache, ALICE).symlink_to(elsewhere)
    os.mkfifo(tmp_path / "fifo")
    cache_path(cache, BOB).symlink_to(tmp_path / "fifo")
    cache_path(cache, CAROL).symlink_to(cache_path(cache, CAROL))
    console, stale, gone = read_all(config)
    assert console.expiration == datetime(2099, 1, 1, tzinfo=timezone.utc)
    assert stale.expiration is None
    assert "a FIFO" in stale.reason
    assert gone.expiration is None
    assert gone.reason


UNREADABLE = """
import sys
from aws_mfa.aws.config_file import profiles
from aws_mfa.aws.login_sessions import login_sessions
from aws_mfa.files import ini

config = sys.argv[1]
found = login_sessions(profiles(ini.parse(open(config).read(), config)), {"HOME": sys.argv[2]})
print(found[0].expiration, found[0].reason)
"""


@pytest.mark.e2e
def test_an_unreadable_cache_file_is_an_unknown_expiry(
    cache: Path, config: Path, home: Path
) -> None:
    path = write_cache(cache, ALICE)
    path.chmod(0)
    command = [sys.executable, "-c", UNREADABLE, str(config), str(home)]
    if os.geteuid() == 0:  # root reads every file: run without the capabilities that let it
        setpriv = shutil.which("setpriv")
        assert setpriv, "setpriv (util-linux) is needed to test an unreadable file as root"
        command = [setpriv, "--bounding-set", "-dac_override,-dac_read_search", *command]
    done = subprocess.run(
        command, capture_output=True, text=True, timeout=60, check=False, env={**os.environ}
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("None ")
    assert "permission denied" in done.stdout


# Through the command line


def status(*args: str) -> tuple[int, str]:
    import contextlib
    import io

    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        code = main(["status", *args], dict(os.environ))
    return code, out.getvalue()


def test_status_without_login_profiles_shows_no_login_table(credentials: Path, home: Path) -> None:
    write(home / ".aws" / "config", "[profile plain]\nregion = eu-west-1\n")
    write(credentials, session("dev", "2099-01-01 00:00:00"))
    code, out = status()
    assert code == 0
    assert "AWS LOGIN" not in out
    assert all(row["kind"] != "login_session" for row in json.loads(status("--json")[1]))


def test_status_lists_login_profiles_with_their_expiry(
    aws_mfa_in_process: AwsMfa, home: Path, cache: Path, config: Path, credentials: Path
) -> None:
    write_cache(cache, ALICE, stamp(later(754)))
    write_cache(cache, BOB, stamp(later(-3600)))
    write(credentials, long_term("dev-long-term") + "\n" + session("dev", "2099-01-01 00:00:00"))
    assert set(SECRETS) <= secrets_under(home)  # the secret scan of every run knows them
    before = {path: path.read_bytes() for path in home.rglob("*") if path.is_file()}

    result = aws_mfa_in_process("status")
    assert result.code == 0, result.stderr
    assert not [line for line in result.stderr.splitlines() if line.startswith(("WARN", "ERR"))]
    sessions, logins, keys = result.stdout.split("\n\n")
    assert sessions.splitlines()[1].split()[0] == "dev"
    assert keys.startswith("LONG-TERM SECTION")
    lines = logins.splitlines()
    assert lines[0].split() == ["AWS", "LOGIN", "PROFILE", "IDENTITY", "EXPIRES", "LEFT", "STATE"]
    rows = [line.split() for line in lines[1:]]
    assert [(row[0], row[1], row[-1]) for row in rows] == [
        ("console", "123456789012:user/alice", "valid"),
        ("stale", "123456789012:user/bob", "stale"),
        ("gone", "123456789012:user/carol", "missing"),
    ]
    assert re.search(r"  12m [0-3]\ds  valid$", lines[1])
    assert rows[1][-2:] == ["-", "stale"]
    assert rows[2][2:] == ["-", "-", "missing"]

    result = aws_mfa_in_process("status", "--json")
    assert result.code == 0
    listed = [row for row in json.loads(result.stdout) if row["kind"] == "login_session"]
    assert [(row["profile"], row["login_session"], row["state"]) for row in listed] == [
        ("console", ALICE, "valid"),
        ("stale", BOB, "stale"),
        ("gone", CAROL, "missing"),
    ]
    console, stale, gone = listed
    assert console["cache_file"] == str(cache_path(cache, ALICE))
    assert 740 <= console["seconds_left"] <= 754
    assert console["expiration"].endswith("+00:00")
    assert console["reason"] is None
    assert stale["seconds_left"] == 0
    assert gone["expiration"] is None
    assert "'aws login --profile gone' signs in" in gone["reason"]
    assert_nothing_secret(result.stdout + result.stderr)
    assert {path: path.read_bytes() for path in home.rglob("*") if path.is_file()} == before


def test_status_reads_the_cache_named_by_aws_login_cache_directory(
    aws_mfa_in_process: AwsMfa, tmp_path: Path, config: Path
) -> None:
    elsewhere = tmp_path / "login-cache"
    write_cache(elsewhere, ALICE, "2099-01-01T00:00:00Z")
    result = aws_mfa_in_process("status", "--json", AWS_LOGIN_CACHE_DIRECTORY=str(elsewhere))
    assert result.code == 0, result.stderr
    console = next(row for row in json.loads(result.stdout) if row["profile"] == "console")
    assert console["state"] == "valid"
    assert console["cache_file"] == str(cache_path(elsewhere, ALICE))
    assert_nothing_secret(result.stdout + result.stderr)


def test_status_shows_a_hostile_cache_file_as_unreadable(
    aws_mfa_in_process: AwsMfa, cache: Path, config: Path
) -> None:
    write(cache_path(cache, ALICE), "[" * 30_000)
    write(cache_path(cache, BOB), json.dumps(cache_document(["2099"])))
    result = aws_mfa_in_process("status")
    assert result.code == 0, result.stderr
    assert "Traceback" not in result.stderr
    rows = [line.split() for line in result.stdout.splitlines()[1:]]
    assert [(row[0], row[-1]) for row in rows] == [
        ("console", "unreadable"),
        ("stale", "unreadable"),
        ("gone", "missing"),
    ]
    listed = json.loads(aws_mfa_in_process("status", "--json").stdout)
    assert [row["reason"] for row in listed[:2]] == [
        "the cache file is not JSON",
        "the cache file has no accessToken.expiresAt",
    ]


def hidden(config: Path, credentials: Path) -> str:
    return (
        f"[profile console] in {config} has login_session (from 'aws login'), but the AWS CLI "
        f"and SDKs take the keys in [console] of {credentials} before a login_session, so the "
        "keys aws-mfa writes there hide the login: write them to another section "
        "(--short-term-section NAME) and remove them from [console], or remove login_session "
        "from that profile"
    )


def test_doctor_lists_login_profiles_and_the_section_that_hides_one(
    aws_mfa_in_process: AwsMfa, home: Path, cache: Path, config: Path, credentials: Path
) -> None:
    write_cache(cache, ALICE, stamp(later(600)))
    write_cache(cache, BOB, stamp(later(-60)))
    write(
        credentials,
        long_term("console-long-term") + "\n" + session("console", "2099-01-01 00:00:00"),
    )
    (home / ".aws").chmod(0o700)
    before = {path: path.read_bytes() for path in home.rglob("*") if path.is_file()}

    result = aws_mfa_in_process("doctor")
    assert result.code == 9
    lines = result.stdout.splitlines()
    assert [line[9:] for line in lines if line.startswith("PROBLEM")] == [
        hidden(config, credentials)
    ]
    about = [line for line in lines if "'aws login' session" in line]
    assert [line[:9].strip() for line in about] == ["ok", "note", "note"]
    console, stale, gone = (line[9:] for line in about)
    assert console.startswith(
        f"[profile console] in {config} has an 'aws login' session (123456789012:user/alice); "
        "its cached credentials expire "
    )
    assert re.search(r" \(9m [0-5]\ds left\)$", console)
    assert stale.startswith(
        f"[profile stale] in {config} has an 'aws login' session (123456789012:user/bob); "
        "its cached credentials ended "
    )
    assert stale.endswith(
        ": the AWS CLI and SDKs get new ones with its refresh token while the login lasts "
        "(up to 12 hours), then 'aws login --profile stale' signs in again"
    )
    assert gone == (
        f"[profile gone] in {config} has an 'aws login' session (123456789012:user/carol), but "
        f"there is no cached login in {cache} (never signed in, or signed out); "
        "'aws login --profile gone' signs in"
    )
    assert {path: path.read_bytes() for path in home.rglob("*") if path.is_file()} == before
    assert_nothing_secret(result.stdout + result.stderr)


def test_doctor_reports_no_hiding_when_the_session_has_another_name(
    aws_mfa_in_process: AwsMfa, home: Path, cache: Path, config: Path, credentials: Path
) -> None:
    write_cache(cache, ALICE)
    write(credentials, long_term("dev-long-term") + "\n" + session("dev", "2099-01-01 00:00:00"))
    result = aws_mfa_in_process("doctor")
    assert "hide the login" not in result.stdout


def test_a_login_warns_when_its_section_hides_a_login_session(
    aws_mfa_in_process: AwsMfa, cache: Path, config: Path, credentials: Path
) -> None:
    write_cache(cache, ALICE)
    write(
        credentials,
        long_term("console-long-term") + "\n" + session("console", "2099-01-01 00:00:00"),
    )
    result = aws_mfa_in_process("-p", "console")
    assert result.code == 0, result.stderr
    warnings = [line for line in result.stderr.splitlines() if line.startswith("WARNING")]
    assert warnings == [f"WARNING - {hidden(config, credentials)}"]

    write(
        credentials,
        long_term("console-long-term") + "\n" + session("console-mfa", "2099-01-01 00:00:00"),
    )
    result = aws_mfa_in_process("-p", "console", "--short-term-section", "console-mfa")
    assert result.code == 0, result.stderr
    assert "WARNING" not in result.stderr
