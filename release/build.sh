#!/usr/bin/env bash
# Build the sdist and the wheel into OUTDIR, the same bytes every time for one commit
# (docs/verify.md#rebuild-it-yourself), with the interpreter PYTHON (default python3) that has
# release/build-requirements.txt installed:
#
#     python -m pip install --require-hashes -r release/build-requirements.txt
#     bash release/build.sh dist
#
# The build runs in a fresh folder holding only the project's files (git's tracked and new
# files, less what .gitignore names): no venv, cache or old build output can ride along.
# SOURCE_DATE_EPOCH is the commit's time, so every file in both archives carries it; hatchling
# sorts the entries and writes fixed modes and owners. No build isolation: the backend is the one
# the hashed lock installed, not whatever an index serves at build time.
set -euo pipefail
[[ $# -eq 1 ]] || { sed -n '2,8p' "$0" | sed 's/^# \{0,1\}//'; exit 2; }
cd "$(dirname "$0")/.."
python=${PYTHON:-python3}
mkdir -p "$1"
out=$(cd "$1" && pwd)
src=$(mktemp -d)
trap 'rm -rf "$src"' EXIT
SOURCE_DATE_EPOCH=$(git log -1 --format=%ct)
export SOURCE_DATE_EPOCH
git ls-files -z --cached --others --exclude-standard |
    while IFS= read -r -d '' f; do [[ -e $f ]] && printf '%s\0' "$f"; done |
    xargs -0 cp --parents -t "$src"
# build tells each step on stderr: shown only when the build fails.
log=$("$python" -m build --no-isolation --outdir "$out" "$src" 2>&1) || { echo "$log" >&2; exit 1; }
