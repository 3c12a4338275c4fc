"""Named profiles in ``~/.aws/aws-mfa.yaml`` (or ``AWS_MFA_CONFIG``), with inheritance.

Some users keep their MFA settings in YAML, one entry per profile::

    default:
      account: 123456789012        # with username: arn:aws:iam::<account>:mfa/<username>
      username: phil@example.com
      aws_profile: default         # the credentials section with the long-term keys
      short_term_profile: mfa      # where the session goes (default: the entry's name)
      expiry: 86400                # the duration in seconds
      shell: bash                  # the format of 'aws-mfa export'
    production:
      inherits: default
      account: 111111111111

``--profile NAME`` (or ``AWS_PROFILE``) picks entry NAME. Its values sit
between the environment and the credentials and config files. ``inherits``
chains of any depth are resolved, the entry's own values winning. The file is
checked whole, every time it is read: an unknown key, a wrong type, an
unknown parent or a cycle is an error naming the entry. The YAML itself is
read within bounds (:data:`MAX_DEPTH`, :data:`MAX_NUMBER_LENGTH`), so that a
hostile file is one error line too, never an exhausted stack or Python's
refusal of a 5,000-digit number; so is a scalar PyYAML cannot make into the
type it names (``2026-13-45``, ``!!int abc``).

The file is read only when it exists, and PyYAML is imported only then.
"""

from __future__ import annotations

import os
from collections.abc import Mapping

from aws_mfa import system
from aws_mfa.errors import FileError

TYPE_CHECKING = False  # see aws_mfa.records: typing is not imported at run time
if TYPE_CHECKING:
    from typing import Any

    from aws_mfa.aliases import StrPath

KEYS: dict[str, tuple[type, ...]] = {
    "inherits": (str,),
    "account": (int, str),
    "username": (str,),
    "device": (str,),
    "aws_profile": (str,),
    "short_term_profile": (str,),
    "expiry": (int,),
    "shell": (str,),
    "region": (str,),
    "assume_role": (str,),
    "mfa_process": (str,),
    "mfa_session_duration": (int,),
    "session_cache": (bool,),
    "prompt": (str,),
    "prompt_timeout": (int,),
    "ykman_account": (str,),
    "secret_timeout": (int,),
}
"""Every key an entry may have, and the YAML types each may be."""
WANTED = {int: "a whole number", str: "text", bool: "true or false"}
MAX_DEPTH = 10
"""Collections nested deeper are refused. The file needs two levels (profile names, then
their settings); PyYAML composes each level with a recursive call, and a file nested a few
hundred deep would exhaust Python's stack."""
MAX_NUMBER_LENGTH = 40
"""A number, date or time written with more characters is refused. No setting needs more
than 12 digits (an account), and Python refuses to read an integer of over 4,300 digits."""
TYPED_SCALARS = {
    "tag:yaml.org,2002:int": "whole number",
    "tag:yaml.org,2002:float": "number",
    "tag:yaml.org,2002:timestamp": "date or time",
}


def default_path(environ: Mapping[str, str]) -> str:
    """``AWS_MFA_CONFIG``, else ``~/.aws/aws-mfa.yaml``."""
    default = os.path.join("~", ".aws", "aws-mfa.yaml")
    return system.user_path(environ.get("AWS_MFA_CONFIG") or default)


def load(path: StrPath) -> dict[str, dict[str, str]] | None:
    """Every entry of the file at ``path``, inheritance resolved; None when there is no file."""
    try:
        with open(path, encoding="utf-8") as handle:
            text = handle.read()
    except FileNotFoundError:
        return None
    except (OSError, UnicodeDecodeError) as err:
        reason = err.strerror if isinstance(err, OSError) else "not UTF-8 text"
        raise FileError(f"cannot read {path}: {reason}") from err
    import yaml

    try:
        data = yaml.load(text, Loader=bounded_loader())  # noqa: S506 (a bounded SafeLoader)
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        where = f", line {mark.line + 1}" if mark is not None else ""
        problem = getattr(err, "problem", None) or "not valid YAML"
        raise FileError(f"{path}{where}: {problem}; fix the YAML") from err
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise FileError(f"{path}: expected profile names, each with its settings, at the top")
    entries = {str(name): _check(path, str(name), entry) for name, entry in data.items()}
    return {name: _inherited(path, entries, name) for name in entries}


def bounded_loader() -> Any:
    """PyYAML's SafeLoader, refusing nesting deeper than :data:`MAX_DEPTH`, numbers, dates
    and times longer than :data:`MAX_NUMBER_LENGTH`, and scalars that are not what their
    tag says, each with a ``MarkedYAMLError`` that names its line."""
    import yaml
    from yaml.composer import ComposerError
    from yaml.constructor import ConstructorError

    class BoundedLoader(yaml.SafeLoader):
        depth = 0

        def compose_node(self, parent: Any, index: Any) -> Any:
            if self.depth >= MAX_DEPTH:
                parser: Any = self  # PyYAML's Parser is untyped
                mark = parser.peek_event().start_mark
                raise ComposerError(None, None, f"nested more than {MAX_DEPTH} deep", mark)
            self.depth += 1
            try:
                return super().compose_node(parent, index)
            finally:
                self.depth -= 1

    def checked(tag: str, what: str) -> None:
        construct = yaml.SafeLoader.yaml_constructors[tag]

        def bounded(loader: Any, node: Any) -> Any:
            if isinstance(node.value, str) and len(node.value) > MAX_NUMBER_LENGTH:
                problem = f"a {what} of more than {MAX_NUMBER_LENGTH} characters"
                raise ConstructorError(None, None, problem, node.start_mark)
            try:
                return construct(loader, node)
            except (ValueError, TypeError, AttributeError, OverflowError) as err:
                raise ConstructorError(None, None, f"not a {what}", node.start_mark) from err

        BoundedLoader.add_constructor(tag, bounded)

    for tag, what in TYPED_SCALARS.items():
        checked(tag, what)
    return BoundedLoader


def _check(path: StrPath, name: str, entry: Any) -> dict[str, str]:
    """One entry's own values as strings, after checking each key and type."""
    if entry is None:
        return {}
    if not isinstance(entry, dict):
        raise FileError(f"{path}: entry '{name}' must hold settings like 'account: 123456789012'")
    values: dict[str, str] = {}
    for key, value in entry.items():
        if key not in KEYS:
            raise FileError(
                f"{path}: entry '{name}' has an unknown key '{key}'; "
                f"the keys are: {', '.join(KEYS)}"
            )
        types = KEYS[key]
        if isinstance(value, bool) != (bool in types) or not isinstance(value, types):
            wanted = " or ".join(WANTED[t] for t in types)
            raise FileError(f"{path}: in entry '{name}', {key} must be {wanted}")
        if isinstance(value, bool):
            value = "true" if value else "false"
        elif key == "account":
            value = f"{value:012d}" if isinstance(value, int) else value
        values[key] = str(value)
    return values


def _inherited(path: StrPath, entries: dict[str, dict[str, str]], name: str) -> dict[str, str]:
    """Entry ``name`` with its ``inherits`` chain folded in (the entry wins)."""
    chain = [name]
    while "inherits" in entries[chain[-1]]:
        parent = entries[chain[-1]]["inherits"]
        if parent not in entries:
            raise FileError(
                f"{path}: entry '{chain[-1]}' inherits from '{parent}', which is not in the file"
            )
        if parent in chain:
            cycle = " -> ".join([*chain, parent])
            raise FileError(f"{path}: entry '{name}' inherits in a cycle: {cycle}")
        chain.append(parent)
    merged: dict[str, str] = {}
    for ancestor in reversed(chain):
        merged.update(entries[ancestor])
    merged.pop("inherits", None)
    return merged


def device(entry: Mapping[str, str]) -> str | None:
    """``device``, else ``arn:aws:iam::<account>:mfa/<username>``, else None."""
    if entry.get("device"):
        return entry["device"]
    if entry.get("account") and entry.get("username"):
        return f"arn:aws:iam::{entry['account']}:mfa/{entry['username']}"
    return None
