#!/usr/bin/env bash
# Regenerates the committed golden suites (golden/smoke) with the current oracle. Review the diff before committing:
# every changed file is a change of the oracle's output.
set -euo pipefail
cd "$(dirname "$0")/.."
dotnet build src/Cli -c Release -v quiet >/dev/null
rm -rf golden/smoke
dotnet src/Cli/bin/Release/net10.0/poolconf.dll generate --suite smoke --seed 42 --out golden/smoke
git status --short golden | head -20
