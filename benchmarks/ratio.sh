#!/usr/bin/env bash
# Prints the library-to-baseline ratio of a side-by-side JMH group from its output, one ratio per
# measurement iteration (both ran at the same time in it), then their median, min and max.
# Higher is better for the library: for throughput modes library/baseline, for time modes
# baseline/library.
#
# Usage: java -jar benchmarks/target/benchmarks.jar ServletFilterBenchmark -prof gc | tee out.txt
#        benchmarks/ratio.sh out.txt plain withDrainFilter
set -euo pipefail
file=$1 baseline=$2 library=$3
awk -v base="$baseline" -v lib="$library" '
  /^# Benchmark mode: / { timeMode = ($0 !~ /Throughput/) }
  /^# Warmup Iteration/ { measuring = 0 }
  /^Iteration/ { measuring = 1; b = ""; l = "" }
  measuring && $1 == base ":" { b = $2 }
  measuring && $1 == lib ":" { l = $2 }
  measuring && b != "" && l != "" {
    r = timeMode ? b / l : l / b
    ratios[n++] = r
    b = ""; l = ""; measuring = 0
  }
  END {
    if (n == 0) { print "no side-by-side iterations found" > "/dev/stderr"; exit 1 }
    for (i = 0; i < n; i++) for (j = i + 1; j < n; j++) if (ratios[j] < ratios[i]) { t = ratios[i]; ratios[i] = ratios[j]; ratios[j] = t }
    median = n % 2 ? ratios[(n - 1) / 2] : (ratios[n / 2 - 1] + ratios[n / 2]) / 2
    printf "%s vs %s: ratio %.3f (median of %d iterations; min %.3f, max %.3f)\n", lib, base, median, n, ratios[0], ratios[n - 1]
  }' "$file"
