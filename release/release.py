"""The files a release adds beside the sdist and the wheel that release/build.sh wrote.

    python release/release.py DIST OUT TAG REPOSITORY

reads the distribution's name and version from the wheel in DIST (they come from
pyproject.toml's ``[project] name``, the one setting of the name, and the package's
``__version__``), checks that TAG is ``v`` and the version, and writes into OUT:

- ``constraints.txt``: the committed lock, plus the release itself with the hashes of its wheel
  and sdist, so that every file ``pipx install --pip-args="--require-hashes -c constraints.txt"``
  fetches is checked (docs/install.md);
- ``NAME.rb``: the Homebrew formula, release/homebrew.rb with the sdist's address and hash and
  one resource per package of release/pylock.homebrew.toml (the lock, for macOS);
- ``NAME.json``: the scoop manifest, release/scoop.json with the wheel's and the lock's;
- ``SHA256SUMS``: of the sdist, the wheel and the files above, as ``sha256sum -c`` reads it.

It prints ``name=...`` and ``version=...`` lines, for ``$GITHUB_OUTPUT``. It uploads, signs and
publishes nothing: .github/workflows/release.yml does, with these files. Standard library only.
"""

from __future__ import annotations

import hashlib
import re
import sys
import zipfile
from email.parser import Parser
from pathlib import Path

try:
    import tomllib
except ImportError:  # Python 3.10: the tests' environment has tomli (pytest and mypy need it)
    import tomli as tomllib  # type: ignore[no-redef]

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
LOCK = ROOT / "constraints.txt"
HOMEBREW_LOCK = HERE / "pylock.homebrew.toml"


class ReleaseError(Exception):
    """What is wrong with the release's input, said so that the reader can fix it."""


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def write(path: Path, text: str) -> None:
    """UTF-8 with LF line ends on every system: the same bytes, so the same SHA256SUMS."""
    path.write_text(text, encoding="utf-8", newline="\n")


def dists(folder: Path) -> tuple[Path, Path]:
    """The one sdist and the one wheel in ``folder``."""
    sdists, wheels = sorted(folder.glob("*.tar.gz")), sorted(folder.glob("*.whl"))
    if len(sdists) != 1 or len(wheels) != 1:
        raise ReleaseError(
            f"{folder} must hold one sdist and one wheel (release/build.sh writes them),"
            f" not {len(sdists)} and {len(wheels)}"
        )
    return sdists[0], wheels[0]


def name_and_version(wheel: Path) -> tuple[str, str]:
    """The Name and Version the wheel's METADATA declares."""
    with zipfile.ZipFile(wheel) as archive:
        metadata = next(n for n in archive.namelist() if n.endswith(".dist-info/METADATA"))
        headers = Parser().parsestr(archive.read(metadata).decode("utf-8"), headersonly=True)
    return headers["Name"], headers["Version"]


def homebrew_resources() -> list[dict[str, str]]:
    """name, version, url and sha256 of each sdist in the lock for Homebrew's Python on macOS."""
    lock = tomllib.loads(HOMEBREW_LOCK.read_text(encoding="utf-8"))
    return [
        {
            "name": package["name"],
            "version": package["version"],
            "url": package["sdist"]["url"],
            "sha256": package["sdist"]["hashes"]["sha256"],
        }
        for package in lock["packages"]
    ]


def formula_class(name: str) -> str:
    """Homebrew's class for a formula file name: ``my-tool`` is ``MyTool``."""
    return "".join(part.capitalize() for part in re.split(r"[-_.]", name))


def fill(template: Path, values: dict[str, str]) -> str:
    """The template with each ``@KEY@`` replaced; a key left over is an error."""
    text = template.read_text(encoding="utf-8")
    for key, value in values.items():
        text = text.replace(f"@{key}@", value)
    left = sorted(set(re.findall(r"@([A-Z0-9_]+)@", text)))
    if left:
        raise ReleaseError(f"{template.name}: nothing fills {', '.join(left)}")
    return text


def formula(values: dict[str, str]) -> str:
    resources = "".join(
        f'  resource "{r["name"]}" do\n    url "{r["url"]}"\n    sha256 "{r["sha256"]}"\n  end\n\n'
        for r in homebrew_resources()
    )
    return fill(HERE / "homebrew.rb", {**values, "RESOURCES": resources.rstrip("\n")})


def write_release(dist: Path, out: Path, tag: str, repository: str) -> dict[str, str]:
    """Write OUT's files (see the module's docstring); return the name and the version."""
    sdist, wheel = dists(dist)
    name, version = name_and_version(wheel)
    if tag != f"v{version}":
        raise ReleaseError(f"the tag {tag} is not v{version}, the version in the wheel")
    out.mkdir(parents=True, exist_ok=True)
    lock = LOCK.read_text(encoding="utf-8")
    hashes = "".join(f" \\\n    --hash=sha256:{sha256(f)}" for f in (wheel, sdist))
    own = f"{name}=={version}{hashes}\n"
    write(out / "constraints.txt", f"{lock}# The release itself:\n{own}")
    download = f"https://github.com/{repository}/releases/download/{tag}"
    values = {
        "NAME": name,
        "VERSION": version,
        "CLASS": formula_class(name),
        "REPOSITORY": repository,
        "SDIST_URL": f"{download}/{sdist.name}",
        "SDIST_SHA256": sha256(sdist),
        "WHEEL_URL": f"{download}/{wheel.name}",
        "WHEEL_SHA256": sha256(wheel),
        "LOCK_URL": f"{download}/constraints.txt",
        "LOCK_SHA256": sha256(out / "constraints.txt"),
    }
    write(out / f"{name}.rb", formula(values))
    write(out / f"{name}.json", fill(HERE / "scoop.json", values))
    files = [sdist, wheel, *(out / f for f in ("constraints.txt", f"{name}.rb", f"{name}.json"))]
    sums = "".join(f"{sha256(f)}  {f.name}\n" for f in files)
    write(out / "SHA256SUMS", sums)
    return {"name": name, "version": version}


def main(argv: list[str]) -> int:
    if len(argv) != 4:
        print(__doc__.split("\n\n")[1], file=sys.stderr)
        return 2
    dist, out, tag, repository = argv
    try:
        facts = write_release(Path(dist), Path(out), tag, repository)
    except ReleaseError as err:
        print(f"ERROR - {err}", file=sys.stderr)
        return 1
    print("".join(f"{key}={value}\n" for key, value in facts.items()), end="")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
