"""Named profiles in ~/.aws/aws-mfa.yaml: inheritance, the mapping, precedence and errors."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from aws_mfa.demo import LocalSts
from aws_mfa.errors import FileError, UsageError
from aws_mfa.files import ini
from aws_mfa.settings import yaml_profiles
from aws_mfa.settings.resolve import Flags, resolve
from tests.conftest import LONG_TERM_KEY_ID, SESSION_KEY_ID, AwsMfa, long_term, write

THREE_LEVELS = """\
base:                       # level 1
  account: 1234567890       # an int: zero-padded to 12 digits
  username: phil@example.com
  aws_profile: keys
  expiry: 86400
  shell: bash
team:                       # level 2
  inherits: base
  account: 111111111111
  region: eu-west-1
production:                 # level 3
  inherits: team
  expiry: 7200
  assume_role: arn:aws:iam::111111111111:role/deploy
staging:
  inherits: base
  aws_profile: staging
"""


@pytest.fixture
def yaml_file(home: Path) -> Path:
    return write(home / ".aws" / "aws-mfa.yaml", THREE_LEVELS)


def test_inheritance_three_levels_deep(yaml_file: Path) -> None:
    entries = yaml_profiles.load(yaml_file)
    assert entries is not None
    assert entries["production"] == {
        "account": "111111111111",
        "username": "phil@example.com",
        "aws_profile": "keys",
        "expiry": "7200",
        "shell": "bash",
        "region": "eu-west-1",
        "assume_role": "arn:aws:iam::111111111111:role/deploy",
    }
    assert entries["base"]["account"] == "001234567890"


def test_the_mapping_into_settings(yaml_file: Path) -> None:
    entries = yaml_profiles.load(yaml_file)
    s = resolve(Flags(profile="production"), {}, None, None, entries)
    assert s.device == "arn:aws:iam::111111111111:mfa/phil@example.com"
    assert (s.long_term_section, s.short_term_section) == ("keys", "production")
    assert (s.duration, s.region, s.format) == (7200, "eu-west-1", "bash")
    assert s.role_arn == "arn:aws:iam::111111111111:role/deploy"


def test_environment_beats_yaml_and_yaml_beats_the_files(yaml_file: Path) -> None:
    entries = yaml_profiles.load(yaml_file)
    credentials = ini.parse(
        "[keys]\naws_mfa_device = arn:aws:iam::999999999999:mfa/file\n", "creds"
    )
    config = ini.parse("[profile production]\nregion = us-east-2\n", "config")
    s = resolve(
        Flags(profile="production"), {"MFA_STS_DURATION": "3000"}, credentials, config, entries
    )
    assert s.duration == 3000
    assert s.device == "arn:aws:iam::111111111111:mfa/phil@example.com"
    assert s.region == "eu-west-1"
    flags = Flags(profile="production", long_term_section="other", region="ap-south-1")
    s = resolve(flags, {}, None, None, entries)
    assert (s.long_term_section, s.region) == ("other", "ap-south-1")


def test_short_term_profile_and_the_same_section_error(yaml_file: Path) -> None:
    entries = yaml_profiles.load(yaml_file)
    with pytest.raises(UsageError, match="set short_term_profile in that entry"):
        resolve(Flags(profile="staging"), {}, None, None, entries)
    yaml_file.write_text(THREE_LEVELS + "  short_term_profile: staging-mfa\n")
    s = resolve(Flags(profile="staging"), {}, None, None, yaml_profiles.load(yaml_file))
    assert (s.long_term_section, s.short_term_section) == ("staging", "staging-mfa")


def test_a_profile_with_no_entry_is_unaffected(yaml_file: Path) -> None:
    s = resolve(Flags(profile="other"), {}, None, None, yaml_profiles.load(yaml_file))
    assert (s.long_term_section, s.device) == ("other-long-term", None)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "a:\n  inherits: b\nb:\n  inherits: c\nc:\n  inherits: a\n",
            "entry 'a' inherits in a cycle: a -> b -> c -> a",
        ),
        (
            "a:\n  inherits: nowhere\n",
            "entry 'a' inherits from 'nowhere', which is not in the file",
        ),
        ("a:\n  acount: 1\n", "entry 'a' has an unknown key 'acount'"),
        ("a:\n  expiry: soon\n", "in entry 'a', expiry must be a whole number"),
        ("a:\n  expiry: true\n", "in entry 'a', expiry must be a whole number"),
        ("a:\n  username: [x]\n", "in entry 'a', username must be text"),
        ("a: 5\n", "entry 'a' must hold settings"),
        ("- a\n- b\n", "expected profile names, each with its settings, at the top"),
        ("a:\n  b: [\n", "line 3"),
    ],
)
def test_mistakes_are_errors_naming_the_entry(home: Path, text: str, message: str) -> None:
    path = write(home / ".aws" / "aws-mfa.yaml", text)
    with pytest.raises(FileError, match=re.escape(message)) as caught:
        yaml_profiles.load(path)
    assert str(caught.value).startswith(str(path))


def test_missing_and_empty_files(home: Path) -> None:
    assert yaml_profiles.load(home / "none.yaml") is None
    assert yaml_profiles.load(write(home / "empty.yaml", "")) == {}
    assert yaml_profiles.load(write(home / "null.yaml", "a:\n")) == {"a": {}}


def test_aws_mfa_config_names_another_file(home: Path) -> None:
    assert yaml_profiles.default_path({}) == str(home / ".aws" / "aws-mfa.yaml")
    assert yaml_profiles.default_path({"AWS_MFA_CONFIG": "~/p.yml"}) == str(home / "p.yml")


def test_yaml_profile_end_to_end(
    credentials: Path, home: Path, aws_mfa_in_process: AwsMfa, sts: LocalSts
) -> None:
    write(credentials, long_term("keys", device=None))
    write(
        home / "profiles.yaml",
        "base:\n  account: 123456789012\n  username: alice\n  aws_profile: keys\n"
        "  shell: fish\nteam:\n  inherits: base\n  expiry: 1800\n"
        "ops:\n  inherits: team\n  region: eu-central-1\n",
    )
    result = aws_mfa_in_process(
        "export", "-p", "ops", "-c", "123456", AWS_MFA_CONFIG=str(home / "profiles.yaml")
    )
    assert result.code == 0, result.stderr
    request = sts.requests[-1]
    assert (request["SerialNumber"], request["DurationSeconds"], request["@region"]) == (
        "arn:aws:iam::123456789012:mfa/alice",
        "1800",
        "eu-central-1",
    )
    assert request["@key_id"] == LONG_TERM_KEY_ID
    assert result.stdout.startswith(f"set -gx AWS_ACCESS_KEY_ID '{SESSION_KEY_ID}';")
    doc = ini.parse(credentials.read_text(), "c")
    assert set(doc.sections) == {"keys", "ops"}


def test_broken_yaml_is_one_line_and_changes_nothing(
    credentials: Path, home: Path, aws_mfa_in_process: AwsMfa, sts: LocalSts
) -> None:
    write(credentials, long_term())
    before = credentials.read_bytes()
    path = write(home / ".aws" / "aws-mfa.yaml", "default:\n  inherits: default\n")
    result = aws_mfa_in_process("-c", "123456")
    assert result.code == 3
    assert result.error_lines == [
        f"ERROR - {path}: entry 'default' inherits in a cycle: default -> default"
    ]
    assert credentials.read_bytes() == before
    assert sts.requests == []


def test_mfa_process_from_yaml_comes_before_the_config(yaml_file: Path) -> None:
    yaml_file.write_text(THREE_LEVELS + "  mfa_process: echo 123456\n")
    config = ini.parse("[profile staging]\nmfa_process = echo 999999\n", "config")
    flags = Flags(profile="staging", short_term_section="staging-mfa")
    s = resolve(flags, {}, None, config, yaml_profiles.load(yaml_file))
    assert s.token_command == "echo 123456"
    assert s.token_command_source.startswith("mfa_process of 'staging' in ")
    assert resolve(flags, {}, None, config, None).token_command == "echo 999999"
    s = resolve(flags.replace(token_command="echo 1"), {}, None, config, None)
    assert s.token_command == "echo 1"


def test_the_documented_example_resolves_for_every_entry(home: Path, credentials: Path) -> None:
    page = (Path(__file__).resolve().parent.parent / "docs" / "yaml-profiles.md").read_text()
    example = page.split("```yaml\n", 1)[1].split("```", 1)[0]
    (home / ".aws").mkdir(exist_ok=True)
    (home / ".aws" / "aws-mfa.yaml").write_text(example)
    entries = yaml_profiles.load(home / ".aws" / "aws-mfa.yaml")
    assert entries is not None
    resolved = {name: resolve(Flags(profile=name), {}, None, None, entries) for name in entries}
    # production uses default's keys, so default's device, for a role of another account
    assert resolved["production"].device == resolved["default"].device
    assert resolved["production"].role_arn == "arn:aws:iam::111111111111:role/deploy"
    assert resolved["staging"].long_term_section == "staging"  # other keys, other account


def test_every_yaml_key_of_the_table_is_taken() -> None:
    """A setting the table says the YAML may hold is a key the YAML reader accepts
    (``session_cache`` and ``mfa_session_duration`` were documented yet refused)."""
    from aws_mfa.settings.table import TABLE

    named = {option.yaml for option in TABLE if option.yaml}
    assert named <= set(yaml_profiles.KEYS), named - set(yaml_profiles.KEYS)


def test_yaml_booleans_numbers_and_prompt_settings(home: Path) -> None:
    text = (
        "a:\n  session_cache: false\n  mfa_session_duration: 7200\n  prompt: zenity\n"
        "  prompt_timeout: 45\n  ykman_account: 'Amazon Web Services:alice@123456789012'\n"
    )
    entries = yaml_profiles.load(write(home / ".aws" / "aws-mfa.yaml", text))
    assert entries is not None
    s = resolve(Flags(profile="a"), {}, None, None, entries)
    assert (s.session_cache, s.mfa_session_duration) == (False, 7200)
    assert (s.prompt, s.prompt_timeout) == ("zenity", 45)
    assert s.ykman_account == "Amazon Web Services:alice@123456789012"
    bad = write(home / ".aws" / "bad.yaml", "a:\n  session_cache: sometimes\n")
    with pytest.raises(FileError, match="session_cache must be true or false"):
        yaml_profiles.load(bad)
