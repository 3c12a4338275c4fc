"""The login flow with a fake clock, prompter and STS client: what is asked, called and written."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest

from aws_mfa.codes import mfa_code as mfa
from aws_mfa.errors import FileError, KeychainError, NoTokenError, StsRefusedError, UsageError
from aws_mfa.files import read
from aws_mfa.keys import LongTermKeys
from aws_mfa.sessions import keep
from aws_mfa.sessions import renewal as renewal_module
from aws_mfa.sessions.renewal import Renewal
from aws_mfa.settings.resolve import Flags, resolve
from tests.conftest import DEVICE, LONG_TERM_KEY_ID, LONG_TERM_SECRET, ROLE, long_term, write

NOW = datetime(2026, 11, 22, 12, 0, tzinfo=timezone.utc)
NO_FLAGS = Flags()


class FakeSts:
    """Records calls; answers with a fixed session expiring ``duration`` from NOW."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, dict[str, Any]]] = []
        self.keys: list[LongTermKeys] = []
        self.regions: list[str | None] = []

    def factory(self, keys: LongTermKeys, region: str | None, **options: object) -> FakeSts:
        self.keys.append(keys)
        self.regions.append(region)
        return self

    def _answer(self, duration: int) -> dict[str, Any]:
        return {
            "Credentials": {
                "AccessKeyId": "ASIAFAKE",
                "SecretAccessKey": "fake-secret",
                "SessionToken": "fake-token",
                "Expiration": NOW + timedelta(seconds=duration),
            }
        }

    def get_session_token(self, **kwargs: Any) -> dict[str, Any]:
        self.calls.append(("GetSessionToken", kwargs))
        return self._answer(kwargs["DurationSeconds"])

    def assume_role(self, **kwargs: Any) -> dict[str, Any]:
        self.calls.append(("AssumeRole", kwargs))
        return self._answer(kwargs["DurationSeconds"])


class Prompter:
    def __init__(self, *answers: str) -> None:
        self.answers = list(answers)
        self.prompts: list[str] = []

    def __call__(self, prompt: str) -> str:
        self.prompts.append(prompt)
        return self.answers.pop(0)


class NewWindow:
    """Used codes as if every login came in a new 30-second window."""

    def used_now(self, device: str) -> bool:
        return False

    def used(self, device: str, code: str) -> bool:
        return False

    def record(self, device: str, code: str) -> None:
        pass

    def refuse(self, device: str, why: str) -> None:
        pass

    def refused_since(self, device: str, since: float | None) -> str | None:
        return None


def run(path: Path, flags: Flags = NO_FLAGS, env: dict[str, str] | None = None, **kw: Any):
    flags = flags.replace(credentials_file=str(path))
    document = read.read_ini(path)
    settings = resolve(flags, env or {}, document)
    kw.setdefault("used_codes", NewWindow())
    renewal = Renewal(clock=lambda: NOW, **kw)
    return keep.ensure_valid(settings, document, clock=lambda: NOW, renewal=renewal)


@pytest.fixture
def fake() -> FakeSts:
    return FakeSts()


def test_first_login_prompts_calls_sts_and_appends_the_session(credentials: Path, fake) -> None:
    write(credentials, "# mine\n" + long_term())
    prompter = Prompter("123456\n")
    outcome = run(credentials, prompter=prompter, client_factory=fake.factory)
    assert outcome.renewed
    assert prompter.prompts == [
        f"Enter AWS MFA code for device [{DEVICE}] (renewing for 43200 seconds): "
    ]
    assert fake.calls == [
        (
            "GetSessionToken",
            {"DurationSeconds": 43200, "SerialNumber": DEVICE, "TokenCode": "123456"},
        )
    ]
    assert fake.keys == [LongTermKeys(LONG_TERM_KEY_ID, LONG_TERM_SECRET)]
    assert credentials.read_text() == "# mine\n" + long_term() + (
        "\n[default]\n"
        "assumed_role = False\n"
        "aws_access_key_id = ASIAFAKE\n"
        "aws_secret_access_key = fake-secret\n"
        "aws_session_token = fake-token\n"
        "aws_security_token = fake-token\n"
        "expiration = 2026-11-23 00:00:00\n"
        "aws_mfa_written_key_id = ASIAFAKE\n"
    )


def test_valid_credentials_call_nothing_and_return_what_is_stored(credentials: Path, fake) -> None:
    write(credentials, long_term())
    run(credentials, Flags(token="123456"), client_factory=fake.factory)
    before = credentials.read_bytes()
    outcome = run(credentials, prompter=Prompter(), client_factory=fake.factory)
    assert not outcome.renewed
    assert outcome.credentials.access_key_id == "ASIAFAKE"
    assert len(fake.calls) == 1
    assert credentials.read_bytes() == before


def test_assume_role_writes_the_role_and_a_later_plain_login_removes_it(
    credentials: Path, fake
) -> None:
    write(credentials, long_term())
    run(credentials, Flags(token="123456", assume_role=ROLE), client_factory=fake.factory)
    # One code buys the MFA session; the role is assumed from it, without a code.
    assert [name for name, _ in fake.calls] == ["GetSessionToken", "AssumeRole"]
    assert fake.calls[0][1]["SerialNumber"] == DEVICE
    params = fake.calls[-1][1]
    assert params["RoleArn"] == ROLE
    assert params["DurationSeconds"] == 3600
    assert "SerialNumber" not in params
    assert "TokenCode" not in params
    assert "ExternalId" not in params
    text = credentials.read_text()
    assert "assumed_role = True\n" in text
    assert f"assumed_role_arn = {ROLE}\n" in text
    run(credentials, Flags(token="654321"), client_factory=fake.factory)
    assert len(fake.calls) == 2  # the plain session is the cached MFA session
    text = credentials.read_text()
    assert "assumed_role = False\n" in text
    assert "assumed_role_arn" not in text


def test_typed_code_may_have_spaces_and_bad_ones_are_asked_again(credentials: Path, fake) -> None:
    write(credentials, long_term())
    prompter = Prompter("12345\n", " 123456 \n")
    run(credentials, prompter=prompter, client_factory=fake.factory)
    assert prompter.prompts[1].startswith("That is not six digits. Enter AWS MFA code")
    assert fake.calls[0][1]["TokenCode"] == "123456"


def test_a_code_typed_in_two_groups_as_apps_show_it_is_taken(credentials: Path, fake) -> None:
    """Issue 32: "471 875", as authenticator apps show a code, was refused."""
    write(credentials, long_term())
    prompter = Prompter("471 875\n")
    run(credentials, prompter=prompter, client_factory=fake.factory)
    assert len(prompter.prompts) == 1
    assert fake.calls[0][1]["TokenCode"] == "471875"
    run(credentials, Flags(token="654 321", force=True), client_factory=fake.factory)
    assert fake.calls[-1][1]["TokenCode"] == "654321"


class SentJustNow(NewWindow):
    """Used codes where 111111 was sent a moment ago, and typed again during the wait."""

    def used(self, device: str, code: str) -> bool:
        return code == "111111"


def test_a_code_already_sent_is_asked_again_not_sent(credentials: Path, fake) -> None:
    """Issue 32: a code typed during the wait for the next 30-second window was read at once
    as the next code, and the run failed (exit 5). Now the person is asked for the next one."""
    write(credentials, long_term())
    prompter = Prompter("111111\n", "222222\n")
    run(credentials, prompter=prompter, client_factory=fake.factory, used_codes=SentJustNow())
    assert len(prompter.prompts) == 2
    assert [call[1]["TokenCode"] for call in fake.calls] == ["222222"]


def test_a_code_given_outright_and_already_sent_still_fails_at_once(
    credentials: Path, fake
) -> None:
    write(credentials, long_term())
    with pytest.raises(StsRefusedError, match="already used in this 30-second window"):
        run(
            credentials,
            Flags(token="111111"),
            client_factory=fake.factory,
            used_codes=SentJustNow(),
        )
    assert fake.calls == []


def test_three_bad_typed_codes_fail_without_calling_sts(credentials: Path, fake) -> None:
    write(credentials, long_term())
    with pytest.raises(UsageError, match="typed at the prompt"):
        run(credentials, prompter=Prompter("1", "2", "3"), client_factory=fake.factory)
    assert fake.calls == []


def test_no_terminal_fails_at_once(credentials: Path, fake) -> None:
    write(credentials, long_term())

    def no_terminal(prompt: str) -> str:
        raise NoTokenError(mfa.NO_TERMINAL)

    with pytest.raises(NoTokenError):
        run(credentials, prompter=no_terminal, client_factory=fake.factory)
    assert fake.calls == []


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", r"has no long-term section \[default-long-term\]"),
        ("[default-long-term]\naws_secret_access_key = s\n", "has no aws_access_key_id; add it"),
        ("[default-long-term]\naws_access_key_id = AKIA1\n", "has no aws_secret_access_key"),
        (
            long_term()
            + "[default]\naws_access_key_id = AKIAMINE0001\naws_secret_access_key = s\n",
            r"\[default\] holds a long-term access key id \(...0001\), and aws-mfa will not",
        ),
    ],
)
def test_problems_are_found_before_the_prompt(credentials: Path, fake, text, message) -> None:
    write(credentials, text)
    before = credentials.read_bytes()
    prompter = Prompter()
    with pytest.raises(FileError, match=message):
        run(credentials, prompter=prompter, client_factory=fake.factory)
    assert prompter.prompts == []
    assert credentials.read_bytes() == before


def test_long_term_keys_in_the_short_section_are_refused_even_with_force(
    credentials: Path, fake
) -> None:
    write(credentials, long_term() + "[default]\naws_access_key_id = AKIAX\n")
    with pytest.raises(FileError, match="will not overwrite"):
        run(credentials, Flags(force=True, token="123456"), client_factory=fake.factory)


def test_missing_file_says_how_to_create_one(credentials: Path, fake) -> None:
    with pytest.raises(FileError, match=r"no credentials file at .*aws-mfa --setup"):
        run(credentials, Flags(token="123456"), client_factory=fake.factory)


def test_missing_device_names_all_three_places(credentials: Path, fake) -> None:
    write(credentials, long_term(device=None))
    with pytest.raises(UsageError) as failed:
        run(credentials, Flags(token="123456"), client_factory=fake.factory)
    message = failed.value.message
    assert "add aws_mfa_device = arn:aws:iam::ACCOUNT:mfa/NAME to [default-long-term]" in message
    assert "set MFA_DEVICE, or pass --device" in message
    assert "the AWS CLI's mfa_serial" in message  # what it is, and where to find it
    assert "IAM console" in message


def test_region_is_passed_to_the_client(credentials: Path, fake) -> None:
    write(credentials, long_term())
    run(credentials, Flags(token="123456", region="eu-west-1"), client_factory=fake.factory)
    run(credentials, Flags(token="123456", force=True), client_factory=fake.factory)
    assert fake.regions == ["eu-west-1", None]


def test_a_0012_file_is_valid_without_a_prompt(credentials: Path, fake) -> None:
    # What 0.0.12 leaves: configparser output, lower-case keys, no comments.
    text = (
        "[default-long-term]\naws_access_key_id = AKIA1\naws_secret_access_key = s\n"
        f"aws_mfa_device = {DEVICE}\n\n"
        "[default]\nassumed_role = False\naws_access_key_id = ASIA2\n"
        "aws_secret_access_key = s2\naws_session_token = t\naws_security_token = t\n"
        "expiration = 2026-11-22 18:00:00\n\n"
    )
    write(credentials, text)
    outcome = run(credentials, prompter=Prompter(), client_factory=fake.factory)
    assert not outcome.renewed
    assert "still valid for 6h 00m" in outcome.reason
    assert credentials.read_text() == text


def test_renewal_rechecks_under_the_lock(credentials: Path, fake, monkeypatch) -> None:
    # Another run renews between our first look and our lock: we use its session.
    write(credentials, long_term())
    real_locked = renewal_module.locked

    def locked_after_another_run(path: Path, *args: Any):
        monkeypatch.setattr(renewal_module, "locked", real_locked)
        other = FakeSts()
        run(credentials, Flags(token="123456"), client_factory=other.factory)
        return real_locked(path, *args)

    monkeypatch.setattr(renewal_module, "locked", locked_after_another_run)
    prompter = Prompter()
    outcome = run(credentials, prompter=prompter, client_factory=fake.factory)
    assert not outcome.renewed
    assert prompter.prompts == []
    assert fake.calls == []


def test_the_valid_path_leaves_the_collector_off_and_a_renewal_turns_it_on(
    credentials: Path, fake
) -> None:
    # aws_mfa.collector: a renewal (and exec --server) must free its garbage
    import gc

    write(credentials, long_term())
    try:
        run(credentials, Flags(token="123456"), client_factory=fake.factory)
        gc.disable()  # as aws_mfa.cli.entry does
        run(credentials, prompter=Prompter(), client_factory=fake.factory)
        assert not gc.isenabled()
        run(credentials, Flags(token="123456", force=True), client_factory=fake.factory)
        assert gc.isenabled()
    finally:
        gc.enable()
        gc.unfreeze()


def test_a_secret_in_the_keychain_is_read_once_under_the_lock_before_the_code(
    credentials: Path, fake
) -> None:
    in_keychain = long_term().replace(
        f"aws_secret_access_key = {LONG_TERM_SECRET}", "aws_mfa_secret = keychain"
    )
    write(credentials, in_keychain)
    asked: list[tuple[str, str, str, bool]] = []
    lock = Path(f"{credentials}.lock")

    def read_secret(key_id: str, section: str, path: str) -> str:
        asked.append((key_id, section, path, lock.exists()))
        return LONG_TERM_SECRET

    prompter = Prompter("123456\n")
    outcome = run(
        credentials, prompter=prompter, client_factory=fake.factory, read_secret=read_secret
    )
    assert outcome.renewed
    assert asked == [(LONG_TERM_KEY_ID, "default-long-term", str(credentials), True)]
    assert fake.keys == [LongTermKeys(LONG_TERM_KEY_ID, LONG_TERM_SECRET)]
    assert credentials.read_text().startswith(in_keychain)


def test_a_keychain_that_fails_stops_the_renewal_before_the_code(credentials: Path, fake) -> None:
    write(
        credentials,
        long_term().replace(
            f"aws_secret_access_key = {LONG_TERM_SECRET}", "aws_mfa_secret = keychain"
        ),
    )
    before = credentials.read_bytes()

    def read_secret(key_id: str, section: str, path: str) -> str:
        raise KeychainError("the keychain stayed locked")

    prompter = Prompter()
    with pytest.raises(KeychainError):
        run(credentials, prompter=prompter, client_factory=fake.factory, read_secret=read_secret)
    assert prompter.prompts == []
    assert fake.calls == []
    assert credentials.read_bytes() == before
