#!/usr/bin/env bash
# Runs every test of the project: the Mermaid diagrams of the docs parse, then unit tests,
# real-server tests and the end-to-end tests behind real nginx (mvn install), then the release
# check (scripts/release-check.sh: the published jars built twice and compared, staged, and two
# consumer apps built and run against them through drain-bom). Installs nginx from Debian's
# packages when it is missing (needs root or sudo); the diagram check needs Node.js/npm.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/ensure-nginx.sh
MERMAID=false
if ! command -v npm >/dev/null 2>&1; then
  echo "WARNING: npm not found: the Mermaid diagram check is skipped" >&2
elif ! (cd docs/mermaid-check && npm ci --no-audit --no-fund --loglevel=error >/dev/null); then
  echo "WARNING: npm ci failed: the Mermaid diagram check is skipped" >&2
else
  MERMAID=true
  # the check can fail (its self-test), then: a diagram that does not parse, a gantt whose
  # tasks do not read back at their seconds, a message to a destroyed participant fail the run
  (cd docs/mermaid-check && node selftest.mjs && node check.mjs)
fi
mvn -B -ntp install "$@"   # install: the release check below rebuilds on what it installed
if [ "$MERMAID" = true ]; then
  # the reports the end-to-end tests wrote (the demo's and the chain lab's)
  (cd docs/mermaid-check && node check.mjs --generated)
fi
if [ "$#" -eq 0 ]; then
  scripts/release-check.sh
else
  # Arguments (-pl, -Dtest, -Dmaven.javadoc.skip, ...) make a partial build; the release check
  # needs the full one.
  echo "release check skipped: scripts/test.sh was given Maven arguments" >&2
fi
