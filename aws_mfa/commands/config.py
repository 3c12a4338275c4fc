"""``aws-mfa config`` (or ``--edit``): open the AWS config file in the user's editor.

The editor is ``$VISUAL``, else ``$EDITOR``, else ``vi``, run with the file
as its last argument (``EDITOR="code --wait"`` works). A missing file is
created first, 0600 in a 0700 folder. After the editor exits, the file is
read back, and a problem in it is reported at once, with its line, rather
than at the next login.
"""

from __future__ import annotations

import os
import shlex
import subprocess
from collections.abc import Mapping
from pathlib import Path

from aws_mfa import log, system
from aws_mfa.aws import config_file
from aws_mfa.cli.context import Context
from aws_mfa.errors import EXIT_OK, FileError, UsageError
from aws_mfa.files.safe_write import FILE_MODE, FOLDER_MODE

TYPE_CHECKING = False  # see aws_mfa.records
if TYPE_CHECKING:
    from aws_mfa.aliases import StrPath


def run(context: Context) -> int:
    edit(context.config_path, context.environ)
    return EXIT_OK


def default_editor() -> str:
    """``notepad`` on Windows, ``vi`` elsewhere, as git and most tools choose."""
    return "notepad" if system.WINDOWS else "vi"


def editor_command(environ: Mapping[str, str]) -> list[str]:
    """The editor to run, split like a shell would."""
    text = environ.get("VISUAL") or environ.get("EDITOR") or default_editor()
    try:
        words = shlex.split(text)
    except ValueError:
        words = []
    if not words:
        raise UsageError(f"the editor {text!r} in VISUAL or EDITOR cannot be parsed")
    return words


def edit(where: StrPath, environ: Mapping[str, str]) -> None:
    """Open ``where`` in the editor, creating it first if needed."""
    path = Path(where)
    if not path.exists():
        path.parent.mkdir(mode=FOLDER_MODE, parents=True, exist_ok=True)
        try:
            os.close(system.create_exclusive(path, FILE_MODE))
        except FileExistsError:
            pass
        except OSError as err:
            raise FileError(f"cannot create {path}: {err.strerror}") from err
        log.info("Created %s", path)
    command = [*editor_command(environ), str(path)]
    try:
        done = subprocess.run(command, check=False)
    except OSError as err:
        raise UsageError(
            f"cannot run the editor {command[0]!r} ({err.strerror}); set VISUAL or EDITOR"
        ) from err
    if done.returncode != 0:
        raise UsageError(
            f"the editor {command[0]!r} exited with code {done.returncode}; {path} may be unsaved"
        )
    config_file.read(path)  # a file the AWS CLI cannot read is reported now
