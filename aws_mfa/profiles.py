"""Which profiles the files hold: those with long-term keys, found by a login's naming rules
(what long-term keys are is :func:`aws_mfa.aws.sections.has_long_term_keys`).

``--pick``, ``doctor`` and completion list profiles this way. It reads only
what it is given (the parsed credentials file and the config profiles) and
decides nothing about renewing.
"""

from __future__ import annotations

from collections.abc import Mapping

from aws_mfa.aws.config_file import ConfigProfile
from aws_mfa.aws.sections import has_long_term_keys
from aws_mfa.errors import UsageError
from aws_mfa.files import ini
from aws_mfa.settings.checks import DEFAULT_LONG_TERM_SUFFIX, DEFAULT_PROFILE
from aws_mfa.settings.resolve import Flags, section_names


def long_term_sections(document: ini.IniFile | None) -> list[str]:
    """Every section of the file with long-term keys, in file order."""
    if document is None:
        return []
    return [
        name for name, section in document.sections.items() if has_long_term_keys(section.values)
    ]


def known_profiles(
    document: ini.IniFile | None, config: Mapping[str, ConfigProfile], flags: Flags
) -> list[tuple[str, str, str]]:
    """(profile, long-term section, short-term section) of every profile with long-term keys.

    Candidates are the names of every credentials section and config profile,
    with the long-term suffix removed where they have it; each is kept when
    the naming rules of a login lead it to a section with long-term keys.
    """
    if document is None:
        return []
    suffix = "-" + (flags.value("long_term_suffix") or DEFAULT_LONG_TERM_SUFFIX)
    candidates = [DEFAULT_PROFILE]
    for name in [*document.sections, *config]:
        candidates += [name, name[: -len(suffix)] if name.endswith(suffix) else name]
    found: dict[str, tuple[str, str]] = {}
    for profile in candidates:
        if profile in found or not profile:
            continue
        try:
            long_term, short_term = section_names(profile, flags, config)
        except UsageError:
            continue
        if has_long_term_keys(document.values(long_term)):
            found[profile] = (long_term, short_term)
    ordered = sorted(found.items(), key=lambda item: (item[0] != DEFAULT_PROFILE, item[0]))
    return [(profile, long_term, short_term) for profile, (long_term, short_term) in ordered]
