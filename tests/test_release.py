"""Releases and installs (issue 35): what docs/install.md and docs/verify.md promise, checked
where a file can show it. The rest runs in .ci/run: the two builds compared byte for byte,
zizmor and actionlint on the workflows, the pipx install with the lock, pip's refusal on 3.9.

- every action of every workflow is pinned by a full commit SHA, every checkout keeps no
  credentials, and each job of the release workflow has the least permissions it needs;
- the distribution's name is one setting (pyproject.toml), which the release reads from the
  wheel and the docs' install commands follow;
- release/release.py writes the files docs/verify.md lists, with the hashes it says;
- the lock holds every requirement, the Homebrew formula's resources are the lock's for macOS,
  and each lock file was made by the command docs/install.md gives;
- the classifiers and Requires-Python say what CI runs.
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import re
import sys
import zipfile
from pathlib import Path
from types import ModuleType

import pytest
import yaml
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

if sys.version_info >= (3, 11):
    import tomllib
else:  # pytest and mypy bring tomli on 3.10
    import tomli as tomllib

from aws_mfa import __version__

ROOT = Path(__file__).resolve().parent.parent
WORKFLOWS = sorted((ROOT / ".github" / "workflows").glob("*.yml"))
RELEASE_WORKFLOW = ROOT / ".github" / "workflows" / "release.yml"
PROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
NAME = PROJECT["project"]["name"]
INSTALL = (ROOT / "docs" / "install.md").read_text(encoding="utf-8")
VERIFY = (ROOT / "docs" / "verify.md").read_text(encoding="utf-8")
README = (ROOT / "README.md").read_text(encoding="utf-8")
MACOS_PYTHON = {
    "implementation_name": "cpython",
    "implementation_version": "3.13.5",
    "os_name": "posix",
    "platform_machine": "arm64",
    "platform_python_implementation": "CPython",
    "platform_release": "24.0.0",
    "platform_system": "Darwin",
    "platform_version": "",
    "python_full_version": "3.13.5",
    "python_version": "3.13",
    "sys_platform": "darwin",
}
"""Homebrew's Python 3.13 on macOS, as environment markers see it."""


def release_module() -> ModuleType:
    spec = importlib.util.spec_from_file_location("release_files", ROOT / "release" / "release.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def workflow(path: Path) -> dict[str, object]:
    loaded: dict[object, object] = yaml.safe_load(path.read_text(encoding="utf-8"))
    # YAML 1.1 reads the key `on` as True.
    return {("on" if key is True else str(key)): value for key, value in loaded.items()}


def steps(path: Path) -> list[dict[str, object]]:
    jobs = workflow(path)["jobs"]
    assert isinstance(jobs, dict)
    return [step for job in jobs.values() for step in job["steps"]]


def lock_entries(text: str) -> list[tuple[Requirement, list[str]]]:
    """Each requirement of a hashed requirements file, with its hashes."""
    entries = []
    for block in re.split(r"\n(?=[A-Za-z0-9])", text.split("\n", 2)[2]):
        first = block.split(" \\", 1)[0]
        if first.startswith("#") or not first.strip():
            continue
        entries.append((Requirement(first), re.findall(r"--hash=sha256:([0-9a-f]{64})", block)))
    return entries


LOCK = lock_entries((ROOT / "constraints.txt").read_text(encoding="utf-8"))


# The workflows


@pytest.mark.parametrize("path", WORKFLOWS, ids=lambda p: p.name)
def test_every_action_is_pinned_by_a_full_commit_sha(path: Path) -> None:
    uses = [
        line.strip() for line in path.read_text(encoding="utf-8").splitlines() if "uses:" in line
    ]
    assert uses
    pinned = re.compile(r"^(?:- )?uses: [\w.-]+/[\w./-]+@[0-9a-f]{40} # v\d+(?:\.\d+)*$")
    assert [line for line in uses if not pinned.match(line)] == []


@pytest.mark.parametrize("path", WORKFLOWS, ids=lambda p: p.name)
def test_every_checkout_leaves_no_credentials_behind(path: Path) -> None:
    checkouts = [s for s in steps(path) if str(s.get("uses", "")).startswith("actions/checkout@")]
    assert checkouts
    assert all(s["with"]["persist-credentials"] is False for s in checkouts)  # type: ignore[index]


@pytest.mark.parametrize("path", WORKFLOWS, ids=lambda p: p.name)
def test_every_workflow_grants_nothing_by_default(path: Path) -> None:
    assert workflow(path)["permissions"] in ({}, {"contents": "read"})


def test_the_release_builds_twice_and_publishes_with_the_least_permissions() -> None:
    release = workflow(RELEASE_WORKFLOW)
    assert release["on"] == {"push": {"tags": ["v*"]}}
    assert release["permissions"] == {}
    jobs = release["jobs"]
    assert isinstance(jobs, dict)
    assert {name: job["permissions"] for name, job in jobs.items()} == {
        "build": {"contents": "read"},
        "rebuild": {"contents": "read"},
        "pypi": {"id-token": "write"},
        "github-release": {"contents": "write", "id-token": "write", "attestations": "write"},
    }
    assert jobs["rebuild"]["needs"] == "build"
    # PyPI's Trusted Publisher names the workflow and the environment (docs/install.md).
    assert jobs["pypi"]["environment"]["name"] == "pypi"
    assert "the workflow `release.yml`, the\nenvironment `pypi`" in INSTALL
    assert jobs["pypi"]["needs"] == jobs["github-release"]["needs"] == ["build", "rebuild"]
    publish = [s for s in jobs["pypi"]["steps"] if "gh-action-pypi-publish" in s.get("uses", "")]
    assert [s["with"] for s in publish] == [{"attestations": True}]
    uses = [str(s.get("uses", "")) for s in jobs["github-release"]["steps"]]
    assert any(u.startswith("actions/attest-build-provenance@") for u in uses)
    assert "cmp " in str(jobs["rebuild"]["steps"])


def test_the_workflow_docs_verify_md_names_is_the_one_that_signs() -> None:
    assert ".github/workflows/release.yml" in VERIFY
    assert RELEASE_WORKFLOW.exists()
    assert "--signer-workflow OWNER/aws-mfa/.github/workflows/release.yml" in VERIFY


# The distribution's name


def test_the_distribution_name_is_written_once_and_the_release_reads_it() -> None:
    text = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    assert re.findall(rf'^name = "{NAME}"$', text, re.M) == [f'name = "{NAME}"']
    spellings = {NAME, NAME.replace("-", "_")}
    for path in (RELEASE_WORKFLOW, ROOT / "release" / "release.py", ROOT / "release" / "build.sh"):
        text = path.read_text(encoding="utf-8")
        assert [s for s in spellings if s in text] == [], path
    assert "needs.build.outputs.name" in RELEASE_WORKFLOW.read_text(encoding="utf-8")


def test_ci_installs_from_a_release_folder_with_install_md_s_own_line() -> None:
    (line,) = re.findall(r'^pipx install .*--find-links \." aws-mfa$', INSTALL, re.M)
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    ran = line.replace("pipx install", 'pipx" install --quiet').replace(" aws-mfa", ' "$name"')
    assert f'"$OLDPWD/.venv/bin/{ran})' in ci


def test_the_install_commands_name_the_distribution() -> None:
    commands = re.findall(r"^pipx (?:install|inject) .*$", INSTALL, re.M)
    assert len(commands) >= 4
    for command in commands:
        assert command.endswith(" .") or f" {NAME}" in command, command


# The release's files


def fake_dists(folder: Path) -> tuple[Path, Path]:
    """A wheel that holds only its METADATA, and an sdist of made-up bytes."""
    folder.mkdir()
    stem = f"{NAME.replace('-', '_')}-{__version__}"
    wheel = folder / f"{stem}-py3-none-any.whl"
    with zipfile.ZipFile(wheel, "w") as archive:
        archive.writestr(
            f"{stem}.dist-info/METADATA",
            f"Metadata-Version: 2.4\nName: {NAME}\nVersion: {__version__}\n",
        )
    sdist = folder / f"{stem}.tar.gz"
    sdist.write_bytes(b"an sdist")
    return wheel, sdist


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_the_release_files_are_the_ones_verify_md_lists(tmp_path: Path) -> None:
    wheel, sdist = fake_dists(tmp_path / "dist")
    out = tmp_path / "release"
    facts = release_module().write_release(tmp_path / "dist", out, f"v{__version__}", "o/r")
    assert facts == {"name": NAME, "version": __version__}
    made = sorted(p.name for p in out.iterdir())
    assert made == sorted(["SHA256SUMS", "constraints.txt", f"{NAME}.rb", f"{NAME}.json"])
    listed = [wheel.name, sdist.name, "constraints.txt", f"{NAME}.rb", f"{NAME}.json", "SHA256SUMS"]
    shown = {name.replace(__version__, "0.1.0") for name in listed}
    assert [n for n in shown if f"`{n}`" not in VERIFY] == []
    sums = (out / "SHA256SUMS").read_text(encoding="utf-8").splitlines()
    files = [sdist, wheel, *(out / n for n in made if n != "SHA256SUMS")]
    assert sorted(sums) == sorted(f"{sha256(f)}  {f.name}" for f in files)


def test_the_release_lock_checks_the_release_itself(tmp_path: Path) -> None:
    wheel, sdist = fake_dists(tmp_path / "dist")
    out = tmp_path / "release"
    release_module().write_release(tmp_path / "dist", out, f"v{__version__}", "o/r")
    entries = lock_entries((out / "constraints.txt").read_text(encoding="utf-8"))
    assert entries[: len(LOCK)] == LOCK
    own, hashes = entries[-1]
    assert (own.name, str(own.specifier)) == (NAME, f"=={__version__}")
    assert hashes == [sha256(wheel), sha256(sdist)]


def test_the_recipes_install_the_release_and_the_lock(tmp_path: Path) -> None:
    wheel, sdist = fake_dists(tmp_path / "dist")
    out = tmp_path / "release"
    release_module().write_release(tmp_path / "dist", out, f"v{__version__}", "o/r")
    scoop = json.loads((out / f"{NAME}.json").read_text(encoding="utf-8"))
    download = f"https://github.com/o/r/releases/download/v{__version__}"
    assert scoop["url"] == [f"{download}/{wheel.name}", f"{download}/constraints.txt"]
    assert scoop["hash"] == [sha256(wheel), sha256(out / "constraints.txt")]
    (script,) = PROJECT["project"]["scripts"]
    assert scoop["bin"] == f"venv\\Scripts\\{script}.exe"
    assert "--require-hashes" in " ".join(scoop["installer"]["script"])
    formula = (out / f"{NAME}.rb").read_text(encoding="utf-8")
    assert f'url "{download}/{sdist.name}"\n  sha256 "{sha256(sdist)}"' in formula
    assert "    virtualenv_install_with_resources\n" in formula
    assert re.findall(r"^class (\w+) < Formula$", formula, re.M) == ["AwsMfa"]
    assert "@" not in re.sub(r"python@3\.\d+|\w+@\w+\.\w+", "", formula)


def test_a_tag_that_is_not_the_version_is_refused(tmp_path: Path) -> None:
    fake_dists(tmp_path / "dist")
    module = release_module()
    with pytest.raises(module.ReleaseError, match=rf"the tag v9\.9\.9 is not v{__version__}"):
        module.write_release(tmp_path / "dist", tmp_path / "release", "v9.9.9", "o/r")
    assert not (tmp_path / "release").exists()


# The lock


def test_the_lock_pins_and_hashes_every_requirement() -> None:
    pinned = {canonicalize_name(r.name): r for r, _ in LOCK}
    for text in PROJECT["project"]["dependencies"]:
        wanted = Requirement(text)
        versions = [
            str(r.specifier)[2:] for r, _ in LOCK if r.name == canonicalize_name(wanted.name)
        ]
        assert versions, f"{wanted.name} is not in constraints.txt"
        assert all(wanted.specifier.contains(v) for v in versions), (wanted, versions)
    assert all(str(r.specifier).startswith("==") and hashes for r, hashes in LOCK)
    assert "boto3" in pinned


def test_the_homebrew_resources_are_the_lock_for_macos() -> None:
    module = release_module()
    resources = module.homebrew_resources()
    for_macos = {
        r.name: (str(r.specifier)[2:], hashes)
        for r, hashes in LOCK
        if r.marker is None or r.marker.evaluate(MACOS_PYTHON)
    }
    assert sorted(r["name"] for r in resources) == sorted(for_macos)
    for resource in resources:
        version, hashes = for_macos[resource["name"]]
        assert resource["version"] == version
        assert resource["sha256"] in hashes
        assert resource["url"].startswith("https://files.pythonhosted.org/packages/")
        assert resource["url"].endswith(f"-{version}.tar.gz")


def documented_commands() -> list[str]:
    block = INSTALL.split("## Keeping the lock", 1)[1]
    return re.findall(r"^uv pip compile .*$", block, re.M)


@pytest.mark.parametrize(
    "lock",
    ["constraints.txt", "release/pylock.homebrew.toml", "release/build-requirements.txt"],
)
def test_each_lock_was_made_by_the_command_install_md_gives(lock: str) -> None:
    header = (ROOT / lock).read_text(encoding="utf-8").splitlines()[:2]
    assert header[0] == "# This file was autogenerated by uv via the following command:"
    assert header[1].removeprefix("#    ") in documented_commands()
    assert header[1].endswith(f"-o {lock}")


def test_the_build_tools_lock_pins_the_backend_pyproject_names() -> None:
    (backend,) = PROJECT["build-system"]["requires"]
    text = (ROOT / "release" / "build-requirements.txt").read_text(encoding="utf-8")
    tools = {r.name: str(r.specifier) for r, _ in lock_entries(text)}
    name, version = backend.split("==")
    assert tools[name] == f"=={version}"
    assert "build" in tools


# What pip is told


def test_the_classifiers_and_requires_python_say_what_ci_runs() -> None:
    ci = workflow(ROOT / ".github" / "workflows" / "ci.yml")
    matrix = ci["jobs"]["test"]["strategy"]["matrix"]  # type: ignore[index]
    tested = sorted(matrix["python"], key=lambda v: tuple(map(int, v.split("."))))
    classifiers = PROJECT["project"]["classifiers"]
    versions = [c.rsplit(" :: ", 1)[1] for c in classifiers if re.search(r":: 3\.\d+$", c)]
    oldest, newest = (int(v.split(".")[1]) for v in (tested[0], tested[-1]))
    assert versions == [f"3.{minor}" for minor in range(oldest, newest + 1)]
    assert PROJECT["project"]["requires-python"] == f">={tested[0]}"
    assert PROJECT["tool"]["ruff"]["target-version"] == f"py3{oldest}"
    systems = {
        "ubuntu-latest": "Operating System :: POSIX :: Linux",
        "macos-latest": "Operating System :: MacOS",
        "windows-latest": "Operating System :: Microsoft :: Windows",
    }
    assert sorted(c for c in classifiers if c.startswith("Operating System")) == sorted(
        systems[os] for os in matrix["os"]
    )


# README's way in (issue 32, item 8)


def test_readme_says_what_pip_install_gives_and_where_to_get_the_tool() -> None:
    try_it = README.split("## Try it", 1)[1].split("\n## ", 1)[0]
    assert "**`pip install aws-mfa` does not get you this tool today.**" in try_it
    assert "0.0.12" in try_it
    assert "[Installing](docs/install.md)" in try_it
    assert "[Verifying a release](docs/verify.md)" in try_it
    assert "about 235 MB" in try_it  # what .ci/run measures moto to add
    assert "arn:aws:sts::123456789012:user/moto" in try_it  # what .ci/run sees the demo print
    assert "moto's canned answer" in try_it
    demo, tests = re.findall(r"^python3 -m venv \.venv && .*$", try_it, re.M)
    assert "'.[demo]'" in demo
    assert demo.endswith("python -m aws_mfa.demo")
    assert "'.[test]'" in tests
    assert tests.endswith("python -m pytest")
    assert set(PROJECT["project"]["optional-dependencies"]) >= {"demo", "test"}


def test_the_new_pages_are_in_the_site() -> None:
    nav = yaml.safe_load((ROOT / "mkdocs.yml").read_text(encoding="utf-8"))["nav"]
    pages = [page for entry in nav for page in entry.values()]
    assert {"install.md", "verify.md"} <= set(pages)
