#!/usr/bin/env bash
# The rolling proof: builds the sample and the demo, then replaces every instance of the sample
# behind a real nginx 3 times while traffic flows — once without graceful-drain, once with it —
# and prints what failed. Extra arguments go to the demo (e.g. --sample=netty for the plain Netty
# sample instead of the Jetty one, --rounds=1). Bounded: ~3 minutes.
set -euo pipefail
cd "$(dirname "$0")/../.."
source scripts/ensure-nginx.sh
mvn -B -q -ntp -DskipTests -pl samples/rolling-demo -am package
exec java -jar samples/rolling-demo/target/rolling-demo.jar --out=demo-out "$@"
