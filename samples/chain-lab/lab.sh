#!/usr/bin/env bash
# The chain lab: builds the Jetty sample and the lab, then starts on loopback
# client -> LB -> A x2 -> L4 -> B x2 -> C x2 (Kong stand-in) -> D x2 (the sample) and replaces
# every tier while traffic flows, with the platforms' defaults and with the planner's settings.
# Prints the matrix and writes lab-out/report.md. Extra arguments go to the lab (--trials=1,
# --tiers=C,D, --settings=recommended, --upload-rate=8MB, --latency=2ms). Bounded: about 7
# minutes with the default 2 trials per cell.
set -euo pipefail
cd "$(dirname "$0")/../.."
source scripts/ensure-nginx.sh
mvn -B -q -ntp -DskipTests -pl samples/rolling-demo -am package
exec java -cp samples/rolling-demo/target/rolling-demo.jar dev.drain.demo.ChainLab --out=lab-out "$@"
