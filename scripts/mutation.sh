#!/usr/bin/env bash
# Mutation testing of the window-pooling oracle (issue 7 item 3; docs/mutation.md has the last measured score).
# Not run in CI: a full run takes tens of minutes on 2 cores.
#
# Stryker.NET mutates one project per run, so this runs it twice — src/Core (geometry module) and src/Reference
# (window-pooling files) — with tests/stryker-config.json (file list, test projects, thresholds), then combines the
# two JSON reports: score = (killed + timeout) / (killed + timeout + survived + no coverage).
#
# usage: scripts/mutation.sh [core|reference|both] [--label NAME] [extra dotnet-stryker args, e.g. --mutate "**/LpPool.cs"]
#   --label NAME writes the run to StrykerOutput/<project>-NAME instead of StrykerOutput/<project>, so a rerun of a few
#   files keeps the full run beside it; the combined score then takes each file from the latest run that mutated it
#   (scripts/mutation_score.py: core, reference, then the labelled reruns in the order they were made).
# exit:  0 when the combined score is at least the break threshold (85), 1 below it, 2 when a run failed.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
which="${1:-both}"; shift || true
label=""
if [ "${1:-}" = "--label" ]; then label="-${2:?--label needs a name}"; shift 2; fi
cd "$root"
dotnet tool restore >/dev/null
out="$root/StrykerOutput"
run() { # $1 = output folder name, $2 = project file name
  [ -n "$label" ] || rm -rf "$out/$1"-*    # a full run supersedes the reruns of its project
  set -- "$1$label" "${@:2}"
  rm -rf "$out/$1"
  ( cd "$root/tests" && dotnet dotnet-stryker --config-file stryker-config.json --project "$2" --output "$out/$1" "${@:3}" ) \
    || { rc=$?; [ -f "$out/$1/reports/mutation-report.json" ] || { echo "stryker failed on $2 (rc $rc)" >&2; exit 2; }; }
}
case "$which" in
  core)      run core PoolingConformance.Core.csproj "$@" ;;
  reference) run reference PoolingConformance.Reference.csproj "$@" ;;
  both)      run core PoolingConformance.Core.csproj "$@"; run reference PoolingConformance.Reference.csproj "$@" ;;
  *) echo "usage: $0 [core|reference|both] [--label NAME] [dotnet-stryker args]" >&2; exit 2 ;;
esac
# Full runs first, then the labelled reruns oldest first: a file takes the last report that holds it.
reports=()
for d in core reference; do [ -f "$out/$d/reports/mutation-report.json" ] && reports+=("$out/$d/reports/mutation-report.json"); done
while IFS= read -r f; do reports+=("$f"); done < <(ls -tr "$out"/*-*/reports/mutation-report.json 2>/dev/null || true)
python3 "$root/scripts/mutation_score.py" "${reports[@]}"
