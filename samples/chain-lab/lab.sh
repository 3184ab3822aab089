#!/usr/bin/env bash
# The chain lab: builds the Jetty sample and the lab, then starts on loopback
# client -> LB -> A x2 -> L4 -> B x2 -> KLB (Kong Service LB) -> C x2 (Kong stand-in) -> D x2
# (the sample) and replaces every tier while traffic flows, with the platforms' defaults and
# with the planner's settings.
# Prints the matrix and writes lab-out/report.md. Extra arguments go to the lab (--trials=1,
# --tiers=C,D, --settings=recommended or defaults,stock,recommended (stock: the defaults with A
# as stock nginx, no upstream keepalive), --upload-rate=8MB, --latency=2ms). Bounded: about 5
# minutes with the default 2 trials per cell, about 12 with --trials=3 (measured: defaults 2 min
# 19 s, stock 2 min 16 s, recommended 7 min 30 s with Kong's 28 s wait).
set -euo pipefail
cd "$(dirname "$0")/../.."
source scripts/ensure-nginx.sh
mvn -B -q -ntp -DskipTests -pl samples/rolling-demo -am package
exec java -cp samples/rolling-demo/target/rolling-demo.jar dev.drain.demo.ChainLab --out=lab-out "$@"
