"""Type aliases for annotations only: import this module inside ``if TYPE_CHECKING:``.

The modules a run that finds valid credentials imports do not import
``typing`` at run time (see :mod:`aws_mfa.records`), so the aliases their
annotations use are defined here, once, for mypy. Nothing imports this module
at run time (``tests/test_layers.py`` checks it), so it may name types of any
layer.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from typing import Any

from aws_mfa.aws.sts import StsClient
from aws_mfa.files.ini import IniFile

StrPath = str | os.PathLike[str]
"""A file system path, as ``os.fspath`` takes it."""

Planned = dict[str, dict[str, str] | None]
"""What each changed section of an INI file must hold after an edit (None: it is gone)."""

Change = Callable[[IniFile | None], tuple[str, Planned]]
"""An edit: from the file as it is, its new text and what the changed sections hold."""

Resolved = Mapping[str, Any]
"""The settings resolved so far, by field name (what a check or a default may look at)."""

Check = Callable[[str, str, Resolved], Any]
"""A setting's check: (text, where it came from, the values resolved so far) to a value."""

Default = Callable[[Resolved], Any]
"""A setting's default, from the values resolved before it."""

ClientFactory = Callable[..., StsClient]
"""Called as ``factory(keys, region, config=AwsConfig, session_token=None, timeout=30)``."""

SecretReader = Callable[[str, str, str], str]
"""Called as ``reader(access_key_id, section, path)``: a secret kept in the OS keychain."""

__all__ = [
    "Change",
    "Check",
    "ClientFactory",
    "Default",
    "Planned",
    "Resolved",
    "SecretReader",
    "StrPath",
]
