#!/usr/bin/env bash
# Throughput harness: wrk against each sample (plain Jetty, plain Netty), without the library (--drain.enabled=false) and
# with it, alternating A/B then B/A per round in one invocation so that drift hits both alike;
# prints requests/s per run, the medians and their ratio. Then, for each mode, the time from
# SIGTERM to exit of an idle instance (target for the library: propagation delay + 300 ms).
#
# Usage: benchmarks/throughput.sh [rounds=3] [seconds=10] [connections=16]
# Needs wrk (Debian: apt-get install -y wrk). Traffic goes to 127.0.0.1 only. Bounded: about
# rounds x 2 x (seconds + 8) s per sample.
set -euo pipefail
cd "$(dirname "$0")/.."
ROUNDS=${1:-3}
SECONDS_PER_RUN=${2:-10}
CONNECTIONS=${3:-16}
DELAY_MS=1000
command -v wrk >/dev/null || { echo "wrk is missing: apt-get install -y wrk" >&2; exit 2; }
mvn -B -q -ntp -DskipTests -pl samples/servlet-jetty,samples/netty-server -am package

SAMPLES=("jetty:samples/servlet-jetty/target/servlet-jetty.jar"
  "netty:samples/netty-server/target/netty-server.jar")
work=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$work"' EXIT

now_ms() { echo $(( $(date +%s%N) / 1000000 )); }

# start <jar> <mode> <log>: starts the sample, waits for its LISTENING line, sets PID and PORT.
start() {
  local jar=$1 mode=$2 log=$3 enabled=true
  [[ $mode == baseline ]] && enabled=false
  java -jar "$jar" --server.port=0 --drain.enabled=$enabled \
    --drain.propagation-delay=${DELAY_MS}ms --drain.quiet-period=0s >"$log" 2>&1 &
  PID=$!
  for _ in $(seq 1 300); do
    PORT=$(sed -n 's/^LISTENING port=\([0-9]*\).*/\1/p' "$log")
    [[ -n $PORT ]] && return 0
    kill -0 "$PID" 2>/dev/null || { cat "$log" >&2; echo "sample exited" >&2; exit 1; }
    sleep 0.1 # polling a log file for a line; no event to wait on from bash
  done
  echo "sample did not start in 30 s" >&2; exit 1
}

# stop: SIGTERM to the idle sample; sets EXIT_MS to the milliseconds until it exited. (Not in a
# command substitution: a subshell cannot wait for this shell's child.)
stop() {
  local t0 t1
  t0=$(now_ms)
  kill -TERM "$PID"
  wait "$PID" || true
  t1=$(now_ms)
  EXIT_MS=$(( t1 - t0 ))
}

rps() { awk '/^Requests\/sec:/ {print $2}' "$1"; }

median() { sort -g | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }

echo "machine: $(nproc) cores, $(awk -F': ' '/model name/ {print $2; exit}' /proc/cpuinfo)," \
  "$(java -version 2>&1 | head -1), $(wrk --version 2>&1 | head -1 | cut -d' ' -f1-2)"
echo "wrk -t1 -c$CONNECTIONS -d${SECONDS_PER_RUN}s GET /hello after a 5 s warm-up, $ROUNDS rounds"
for entry in "${SAMPLES[@]}"; do
  name=${entry%%:*}
  jar=${entry#*:}
  : >"$work/$name-baseline.rps"; : >"$work/$name-library.rps"
  : >"$work/$name-baseline.exit"; : >"$work/$name-library.exit"
  for round in $(seq 1 "$ROUNDS"); do
    order=(baseline library)
    (( round % 2 == 0 )) && order=(library baseline)
    for mode in "${order[@]}"; do
      log="$work/$name-$mode-$round.log"
      start "$jar" "$mode" "$log"
      wrk -t1 -c"$CONNECTIONS" -d5s "http://127.0.0.1:$PORT/hello" >/dev/null
      wrk -t1 -c"$CONNECTIONS" -d"${SECONDS_PER_RUN}s" "http://127.0.0.1:$PORT/hello" \
        >"$work/wrk.out"
      if grep -q "Non-2xx\|Socket errors" "$work/wrk.out"; then
        cat "$work/wrk.out" >&2; echo "errors under load ($name, $mode)" >&2; exit 1
      fi
      r=$(rps "$work/wrk.out")
      stop
      ms=$EXIT_MS
      if [[ $mode == library ]] && ! grep -q "DRAIN done" "$log"; then
        cat "$log" >&2; echo "no drain result ($name)" >&2; exit 1
      fi
      echo "$r" >>"$work/$name-$mode.rps"
      echo "$ms" >>"$work/$name-$mode.exit"
      printf '%-6s round %d %-8s %10s req/s   idle SIGTERM -> exit %5d ms\n' \
        "$name" "$round" "$mode" "$r" "$ms"
    done
  done
  echo "$name" >>"$work/names"
done
echo
echo "| sample | baseline req/s (median) | library req/s (median) | ratio | idle exit baseline (median) | idle exit library (median / max) | library target |"
echo "|---|---:|---:|---:|---:|---:|---:|"
for name in $(cat "$work/names"); do
  b=$(median <"$work/$name-baseline.rps")
  l=$(median <"$work/$name-library.rps")
  be=$(median <"$work/$name-baseline.exit")
  le=$(median <"$work/$name-library.exit")
  lmax=$(sort -g "$work/$name-library.exit" | tail -1)
  printf '| %s | %.0f | %.0f | %.3f | %d ms | %d / %d ms | <= %d ms |\n' \
    "$name" "$b" "$l" "$(awk -v l="$l" -v b="$b" 'BEGIN {print l / b}')" "$be" "$le" "$lmax" $(( DELAY_MS + 300 ))
done
