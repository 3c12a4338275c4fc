"""``aws-mfa export``: log in if needed, then print the credentials for a shell or for
``credential_process`` (the formats are :mod:`aws_mfa.outputs`).

``--stored`` prints instead, for ``credential_process``, the keys the credentials file
holds under the profile's own name, as they are, with no MFA session and no renewal:
``exec --server`` names it in its command's config for the profiles aws-mfa does not keep
(plain keys, another tool's session), so that a command naming one gets that profile's
own keys, never the served ones::

    [profile ci]
    credential_process = aws-mfa export --stored --profile ci --credentials-file ...
"""

from __future__ import annotations

import sys

from aws_mfa.cli.context import Context
from aws_mfa.cli.prepare import credentials, prepare, record_hand_out
from aws_mfa.errors import EXIT_OK
from aws_mfa.identity import Identity
from aws_mfa.keys import LongTermKeys, TemporaryCredentials
from aws_mfa.outputs import choose_format, render


def run(context: Context) -> int:
    if context.flags.switch("stored"):
        text, keys = stored(context)
        record_hand_out(context, None, keys, "stdout")
        sys.stdout.write(text)
        sys.stdout.flush()
        return EXIT_OK
    found = prepare(context, warn=False)
    resolved = context.settings()
    # The format is checked before the login, so a wrong one costs no MFA code.
    fmt = choose_format(resolved.format, resolved.sources.get("format", ""), context.environ)
    if fmt in ("process", "sts-json"):  # read by programs, which refresh ahead
        found = refreshed_with_the_sdks(found)
    # Keys that still work are handed out, with a warning, when no code can be had for a
    # renewal: a program that runs credential_process on every call keeps working until then.
    creds = credentials(context, found, while_valid=True)
    text = render(creds, fmt)  # a format that cannot hold them fails before the log
    record_hand_out(context, found, creds, "stdout")
    sys.stdout.write(text)
    sys.stdout.flush()
    return EXIT_OK


def refreshed_with_the_sdks(found: Identity) -> Identity:
    """For ``credential_process``: renew when the SDKs start to refresh (15 minutes ahead,
    :data:`aws_mfa.expiry.SDK_REFRESH`), not only in aws-mfa's last minutes, or they would
    run aws-mfa again on every call until then. Without a code to be had, the keys are
    handed out as they are while they work (:func:`aws_mfa.sessions.keep.credentials_of`)."""
    from aws_mfa.expiry import SDK_REFRESH
    from aws_mfa.identity import ROLE

    session = found.session._replace(min_ttl=max(found.session.min_ttl, SDK_REFRESH))
    if found.kind == ROLE:
        return found._replace(source=session)
    return found._replace(settings=session)


def stored(context: Context) -> tuple[str, TemporaryCredentials | LongTermKeys]:
    """The credential_process JSON of the keys in the profile's own section, as they are,
    and those keys."""
    from aws_mfa.aws.sections import IN_COMMAND, in_keychain, secret_location
    from aws_mfa.errors import FileError
    from aws_mfa.outputs import process_json
    from aws_mfa.settings.resolve import chosen_profile

    name, path = chosen_profile(context.flags, context.environ), context.credentials_path
    document = context.credentials()
    values = document.values(name) if document is not None else None
    key_id = (values or {}).get("aws_access_key_id")
    if values is None or not key_id:
        raise FileError(f"{path}: [{name}] holds no access key, so profile {name} has none")
    if in_keychain(values):
        from aws_mfa.os_keychain import read_secret

        secret = read_secret(key_id, name, path)
    elif secret_location(values) == IN_COMMAND:
        from aws_mfa import secret_command
        from aws_mfa.settings.resolve import resolve_early

        timeout = resolve_early("secret_timeout", context.flags, context.environ)
        secret = secret_command.read(values, name, path, timeout)
    else:
        secret = values.get("aws_secret_access_key", "")
    if not secret:
        raise FileError(f"{path}: [{name}] holds no aws_secret_access_key")
    fields = {"AccessKeyId": key_id, "SecretAccessKey": secret}
    keys: TemporaryCredentials | LongTermKeys = LongTermKeys(key_id, secret)
    if values.get("aws_session_token"):
        fields["SessionToken"] = values["aws_session_token"]
        if values.get("expiration"):
            from aws_mfa import expiry
            from aws_mfa.clock import timezone

            when = expiry.parse_expiration(values["expiration"], f"[{name}]")
            fields["Expiration"] = when.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
            keys = TemporaryCredentials(key_id, secret, fields["SessionToken"], when)
    return process_json(fields), keys
