#!/usr/bin/env bash
# Runs every test of the project: unit tests, real-server tests and the end-to-end tests behind
# real nginx. Installs nginx from Debian's packages when it is missing (needs root or sudo).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/ensure-nginx.sh
exec mvn -B -ntp verify "$@"
