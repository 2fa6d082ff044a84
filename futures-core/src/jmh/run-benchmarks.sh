#!/usr/bin/env bash
# The documented benchmark run of BENCHMARKS.md, in one go (about 18 minutes on a quiet 2-core machine):
#
#   futures-core/src/jmh/run-benchmarks.sh            # from the repository root
#   QUICK=1 futures-core/src/jmh/run-benchmarks.sh    # a one-minute check that everything runs
#
# 1. builds the benchmarks with the bench profile (Spring and Micrometer peers included);
# 2. runs the thread-pool benchmarks free-running, then pinned to one CPU (taskset -c 0), each in
#    ROUNDS rounds (3) that take turns between the pools, so that a slow minute of the machine hits
#    every pool alike; the tables show each score's median over the rounds;
# 3. runs the process-pool benchmarks free-running, then those on a started pool pinned to one CPU
#    (parent and worker JVMs alike: children inherit the affinity);
# 4. measures 1 000 000 pending futures in a 256 MB heap for each pool;
# 5. runs CPython's concurrent.futures on the same workloads (threads and processes, free and pinned);
# 6. prints the combined tables, with every ratio taken from this one run, and saves them.
#
# Results go to futures-core/target/benchmarks/<UTC time>/ (JMH JSON and logs, CPython JSON,
# machine description, load before and after, report.md). Knobs (environment): ROUNDS (3),
# JMH_FORKS (1), JMH_WARMUPS (3; 2 in the thread-pool rounds), JMH_ITERATIONS (5; 3 in the rounds),
# JMH_TIME (1s), JAVA (java on the PATH), PYTHON (python3).
set -euo pipefail

cd "$(dirname "$0")/../../.."
ROOT=$(pwd)
CORE="$ROOT/futures-core"
JAVA=${JAVA:-java}
PYTHON=${PYTHON:-python3}
STAMP=$(date -u +%Y%m%dT%H%M%SZ)
OUT="$CORE/target/benchmarks/$STAMP"
mkdir -p "$OUT"

if [[ "${QUICK:-0}" == 1 ]]; then
  ROUNDS=1
  JMH_OPTS=(-f 1 -wi 0 -i 1 -r 200ms -to 60s)
  ROUND_OPTS=("${JMH_OPTS[@]}")
  SINGLE_SHOT_OPTS=(-f 1 -wi 0 -i 1 -to 60s)
  PY_QUICK=(--quick)
  FOOTPRINT_COUNT=100000
else
  # -to: an iteration that hangs (a lost wake-up, say) is interrupted and reported, not waited for.
  ROUNDS=${ROUNDS:-3}
  JMH_OPTS=(-f "${JMH_FORKS:-1}" -wi "${JMH_WARMUPS:-3}" -i "${JMH_ITERATIONS:-5}" -w "${JMH_TIME:-1s}" -r "${JMH_TIME:-1s}" -to 60s)
  ROUND_OPTS=(-f "${JMH_FORKS:-1}" -wi "${JMH_WARMUPS:-2}" -i "${JMH_ITERATIONS:-3}" -w "${JMH_TIME:-1s}" -r "${JMH_TIME:-1s}" -to 60s)
  SINGLE_SHOT_OPTS=(-f "${JMH_FORKS:-1}" -to 60s)
  PY_QUICK=()
  FOOTPRINT_COUNT=1000000
fi
THREAD_BENCHMARKS='io\.github\.futures\.bench\.(Submit|RoundTrip|Map|AsCompleted|WaitFirstCompleted)Benchmark\.'
METRICS_BENCHMARKS='io\.github\.futures\.bench\.MetricsBenchmark\.'

describe() {
  echo "date: $(date -u '+%Y-%m-%d %H:%M:%S UTC')"
  echo "nproc: $(nproc)"
  echo "cpu: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')"
  echo "memory: $(free -m | awk '/^Mem:/ {print $2 " MB"}')"
  echo "kernel: $(uname -sr)"
  echo "java: $("$JAVA" -version 2>&1 | head -2 | tr '\n' ' ')"
  echo "python: $("$PYTHON" --version 2>&1)"
  echo "git: $(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo '?')"
}

load() {
  echo "--- $1: $(date -u '+%H:%M:%S UTC')"
  uptime
  top -bn1 | head -15
}

echo "== building (./mvnw -Pbench -pl futures-core test-compile)"
./mvnw -B -ntp -q -Pbench -pl futures-core test-compile
CP="$CORE/target/test-classes:$CORE/target/classes:$(cat "$CORE/target/jmh-classpath.txt")"

describe | tee "$OUT/machine.txt"
load "before" | tee "$OUT/load.txt"

# jmh NAME [taskset -c 0] -- JMH arguments...
jmh() {
  local name=$1; shift
  local prefix=()
  while [[ $1 != -- ]]; do prefix+=("$1"); shift; done
  shift
  echo "== JMH $name: ${prefix[*]} java ... org.openjdk.jmh.Main $*"
  "${prefix[@]}" "$JAVA" -Xmx512m -Djmh.ignoreLock=true -cp "$CP" org.openjdk.jmh.Main "$@" -rf json -rff "$OUT/jmh-$name.json" \
    > "$OUT/jmh-$name.log" 2>&1 || { tail -40 "$OUT/jmh-$name.log" >&2; echo "JMH run $name failed; see $OUT/jmh-$name.log" >&2; return 1; }
  sed -n '/^Benchmark /,$p' "$OUT/jmh-$name.log"
}

# thread_rounds LABEL [taskset -c 0]: ROUNDS rounds, each running every pool and every listener once.
thread_rounds() {
  local label=$1; shift
  for round in $(seq 1 "$ROUNDS"); do
    for impl in futures jdk spring; do
      jmh "$label-r$round-$impl" "$@" -- "$THREAD_BENCHMARKS" -p impl="$impl" "${ROUND_OPTS[@]}"
    done
    # The round trip like for like: a caller that waits for each call keeps one thread of ours busy (an
    # idle worker is reused before another starts, as in CPython), while the JDK's pool of 4 starts four
    # and wakes them in turn; so the round trip also runs with one worker each (files named apart from
    # the rounds above, which the report reads by the pattern jmh-<label>-r*.json).
    for impl in futures jdk; do
      jmh "one-worker-$label-r$round-$impl" "$@" -- 'io\.github\.futures\.bench\.RoundTripBenchmark\.' \
        -p impl="$impl" -p workers=1 "${ROUND_OPTS[@]}"
    done
    for listener in none plain micrometer jdk jdk-micrometer; do
      jmh "$label-r$round-metrics-$listener" "$@" -- "$METRICS_BENCHMARKS" -p listener="$listener" "${ROUND_OPTS[@]}"
    done
  done
}
thread_rounds thread-free
thread_rounds thread-pinned taskset -c 0
jmh process -- 'io\.github\.futures\.bench\.(ProcessPool|PipeFloor)Benchmark\.' "${JMH_OPTS[@]}" \
  || echo "(process-pool benchmarks failed: the report shows them as not run)"
jmh process-pinned taskset -c 0 -- 'io\.github\.futures\.bench\.(ProcessPool|PipeFloor)Benchmark\.' "${JMH_OPTS[@]}" \
  || echo "(pinned process-pool benchmarks failed: the report leaves them out)"
jmh process-single-shot -- 'io\.github\.futures\.bench\.(ProcessPoolStart|IsPrime)Benchmark\.' "${SINGLE_SHOT_OPTS[@]}" \
  || echo "(process-pool benchmarks failed: the report shows them as not run)"

echo "== memory: $FOOTPRINT_COUNT pending futures, -Xmx256m"
: > "$OUT/footprint.txt"
for impl in futures jdk spring; do
  "$JAVA" -Xmx256m -cp "$CP" io.github.futures.bench.PendingFuturesFootprint "$impl" "$FOOTPRINT_COUNT" \
    | tee -a "$OUT/footprint.txt" || true
done

echo "== CPython, free-running"
"$PYTHON" "$CORE/src/jmh/python/cpython_bench.py" measure "${PY_QUICK[@]}" --json "$OUT/cpython-free.json"
echo "== CPython threads, pinned (taskset -c 0)"
taskset -c 0 "$PYTHON" "$CORE/src/jmh/python/cpython_bench.py" measure --only thread "${PY_QUICK[@]}" \
  --json "$OUT/cpython-pinned.json"
echo "== CPython processes on a started pool, pinned (taskset -c 0)"
taskset -c 0 "$PYTHON" "$CORE/src/jmh/python/cpython_bench.py" measure --only process-warm "${PY_QUICK[@]}" \
  --json "$OUT/cpython-process-pinned.json"

load "after" | tee -a "$OUT/load.txt"

echo "== report"
python3 "$CORE/src/jmh/python/cpython_bench.py" report \
  --jmh-free "$OUT"/jmh-thread-free-r*.json --jmh-pinned "$OUT"/jmh-thread-pinned-r*.json \
  --jmh-one-worker "$OUT"/jmh-one-worker-thread-free-r*.json --jmh-one-worker-pinned "$OUT"/jmh-one-worker-thread-pinned-r*.json \
  --jmh-process "$OUT/jmh-process.json" "$OUT/jmh-process-single-shot.json" \
  --cpython "$OUT/cpython-free.json" --cpython-pinned "$OUT/cpython-pinned.json" \
  --jmh-process-pinned "$OUT/jmh-process-pinned.json" --cpython-process-pinned "$OUT/cpython-process-pinned.json" \
  --footprint "$OUT/footprint.txt" --markdown "$OUT/report.md"
echo "results: $OUT"
