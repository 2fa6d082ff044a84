#!/usr/bin/env bash
# The seed's process example as users run it: a fresh program each time, against CPython's original.
#
#   futures-core/src/jmh/cold-start.sh                 # from the repository root
#   PAIRS=20 JAVAS="java /path/to/jdk-25/bin/java" futures-core/src/jmh/cold-start.sh
#   BEFORE=/path/to/older/futures-core.jar futures-core/src/jmh/cold-start.sh   # before/after, alternating
#   PARENT_ARCHIVE=1 futures-core/src/jmh/cold-start.sh  # also the program run with a start-up archive of its own
#   ONE_WORKER=1 futures-core/src/jmh/cold-start.sh      # also the program with a pool of one worker
#
# For each JDK in JAVAS (default: the java on the PATH, and the JDK 25 in JAVA25 if set), runs PAIRS
# (10) pairs that alternate `java -cp … io.github.futures.bench.ColdSeed` and `python3 cold_seed.py`
# (the library and ColdSeed as jars, the workers' start-up archive built by an unmeasured first run)
# (the interpreter binary itself, not a wrapper script such as a version manager's shim). Each run
# prints the 200 lines (sent to /dev/null) and its phase times; the script also takes each run's
# whole-process wall time. It prints medians and the ratios Java / CPython of the whole process and of
# the in-program time (pool creation to closed pool), and saves everything under
# futures-core/target/benchmarks/cold-<UTC time>/. With BEFORE (another build of the library, as a
# jar), each round runs that library too, between the two (label javaNN-before), so that a change is
# measured against the same load as the code before it; the ratios are then given for both.
# With PARENT_ARCHIVE=1, each round also runs the program with a start-up archive of its own (label
# javaNN-own-archive), made once by an unmeasured training run, as a user can for any program: JDK 25+
# an AOT cache (-XX:AOTCacheOutput, then -XX:AOTCache), 19-24 -XX:+AutoCreateSharedArchive, 17-18 a
# dynamic CDS archive (-XX:ArchiveClassesAtExit, then -XX:SharedArchiveFile). The library cannot choose
# these for the program's own JVM (they are options of its command line); the workers have theirs anyway.
# With ONE_WORKER=1, each round also runs the program with `new ProcessPoolExecutor(1)` (label
# javaNN-1-worker): what the second worker JVM costs or saves this program on this machine.
# Saved under
# futures-core/target/benchmarks/cold-<UTC time>/.
set -euo pipefail

cd "$(dirname "$0")/../../.."
ROOT=$(pwd)
CORE="$ROOT/futures-core"
PAIRS=${PAIRS:-10}
PYTHON=${PYTHON:-$(python3 -c 'import os, sys; print(os.path.realpath(sys.executable))')}
JAVAS=${JAVAS:-"java ${JAVA25:-}"}
OUT="$CORE/target/benchmarks/cold-$(date -u +%Y%m%dT%H%M%SZ)"
mkdir -p "$OUT"

if [[ "${SKIP_BUILD:-0}" != 1 ]]; then
  ./mvnw -B -q -o -pl futures-core test-compile >/dev/null
fi
# As users run it: the library and the program as jars (the JDK archives classes from jar files only,
# so a class directory would leave the workers without their start-up archive).
LIB="$OUT/lib"
mkdir -p "$LIB"
jar cf "$LIB/futures-core.jar" -C "$CORE/target/classes" .
jar cf "$LIB/cold-seed.jar" -C "$CORE/target/test-classes" io/github/futures/bench/ColdSeed.class
CP="$LIB/futures-core.jar:$LIB/cold-seed.jar"
BEFORE=${BEFORE:-}
if [[ -n "$BEFORE" ]]; then
  mkdir -p "$LIB/before"
  cp "$BEFORE" "$LIB/before/futures-core.jar"
  CP_BEFORE="$LIB/before/futures-core.jar:$LIB/cold-seed.jar"
fi
# The workers' start-up archives of this run only, built by the unmeasured first run of each JDK.
export XDG_CACHE_HOME="$OUT/cache"
ARCHIVES="$XDG_CACHE_HOME/futures/startup"

now() { date +%s%N; }

run() { # label command...: one run; appends "label wall_ms phases" to results.txt
  local label=$1; shift
  local start end err
  err=$(mktemp)
  start=$(now)
  "$@" >/dev/null 2>"$err"
  end=$(now)
  local phases
  phases=$(grep -E '^constructor=' "$err" | tail -1)
  if [[ -z "$phases" ]]; then
    echo "run of $label printed no phase line:" >&2; cat "$err" >&2; rm -f "$err"; exit 1
  fi
  printf '%s wall=%s %s\n' "$label" "$(awk -v n=$((end - start)) 'BEGIN{printf "%.1f", n/1e6}')" "$phases" >>"$OUT/results.txt"
  rm -f "$err"
}

{
  echo "date: $(date -u '+%Y-%m-%d %H:%M:%S UTC')"
  echo "nproc: $(nproc)"
  echo "cpu: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')"
  echo "python: $("$PYTHON" --version 2>&1) ($PYTHON)"
  for j in $JAVAS; do echo "java: $j: $("$j" -version 2>&1 | head -1)"; done
  echo "git: $(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo '?')"
  echo "load: $(cut -d' ' -f1-3 /proc/loadavg)"
} | tee "$OUT/machine.txt"

for j in $JAVAS; do
  jv=$("$j" -XshowSettings:properties -version 2>&1 | awk -F' = ' '/java.specification.version/ {print $2}')
  # one unmeasured run of each to warm the page cache
  "$j" -cp "$CP" io.github.futures.bench.ColdSeed >/dev/null 2>&1
  if [[ -n "$BEFORE" ]]; then "$j" -cp "$CP_BEFORE" io.github.futures.bench.ColdSeed >/dev/null 2>&1; fi
  "$PYTHON" "$CORE/src/jmh/python/cold_seed.py" >/dev/null 2>&1
  # That run started the build of the workers' start-up archive in the background (a library without
  # it builds none): wait for it, up to 5 minutes, so that every measured run finds it.
  want=1
  if [[ -n "$BEFORE" ]]; then want=2; fi
  for ((w = 0; w < 300; w++)); do
    found=$(ls "$ARCHIVES" 2>/dev/null | grep -cE "^worker-$jv-.*(-[0-9]+\.(jsa|aot)|\.failed)\$" || true)
    if ((found >= want)) || ! grep -q StartupArchive "$CORE/target/classes/io/github/futures/ProcessPool.class"; then
      break
    fi
    sleep 1
  done
  echo "start-up archives: $(ls "$ARCHIVES" 2>/dev/null | grep -E '\.(jsa|aot|failed)$' | tr '\n' ' ')" | tee -a "$OUT/machine.txt"
  OWN=()
  if [[ "${PARENT_ARCHIVE:-0}" == 1 ]]; then
    if ((jv >= 25)); then
      "$j" -XX:AOTCacheOutput="$OUT/seed-$jv.aot" -cp "$CP" io.github.futures.bench.ColdSeed >/dev/null 2>&1
      OWN=(-XX:AOTCache="$OUT/seed-$jv.aot")
    elif ((jv >= 19)); then
      OWN=(-XX:+AutoCreateSharedArchive -XX:SharedArchiveFile="$OUT/seed-$jv.jsa")
      "$j" "${OWN[@]}" -cp "$CP" io.github.futures.bench.ColdSeed >/dev/null 2>&1
    else
      "$j" -XX:ArchiveClassesAtExit="$OUT/seed-$jv.jsa" -cp "$CP" io.github.futures.bench.ColdSeed >/dev/null 2>&1
      OWN=(-XX:SharedArchiveFile="$OUT/seed-$jv.jsa")
    fi
    echo "the program's own archive: $(ls "$OUT" | grep -E "^seed-$jv\.(aot|jsa)\$" || echo 'none made')" | tee -a "$OUT/machine.txt"
  fi
  for ((i = 0; i < PAIRS; i++)); do
    run "java$jv" "$j" -cp "$CP" io.github.futures.bench.ColdSeed
    if [[ -n "$BEFORE" ]]; then run "java$jv-before" "$j" -cp "$CP_BEFORE" io.github.futures.bench.ColdSeed; fi
    if ((${#OWN[@]} > 0)); then run "java$jv-own-archive" "$j" "${OWN[@]}" -cp "$CP" io.github.futures.bench.ColdSeed; fi
    if [[ "${ONE_WORKER:-0}" == 1 ]]; then run "java$jv-1-worker" "$j" -cp "$CP" io.github.futures.bench.ColdSeed 1; fi
    run "cpython-for-java$jv" "$PYTHON" "$CORE/src/jmh/python/cold_seed.py"
  done
done

echo "load at the end: $(cut -d' ' -f1-3 /proc/loadavg)" | tee -a "$OUT/machine.txt"

"$PYTHON" - "$OUT/results.txt" <<'PY' | tee "$OUT/report.md"
import collections, statistics, sys
rows = collections.defaultdict(list)
for line in open(sys.argv[1]):
    label, *fields = line.split()
    rows[label].append({k: float(v) for k, v in (f.split('=') for f in fields)})
def med(label, key):
    return statistics.median(r[key] for r in rows[label])
def spread(label, key):
    v = [r[key] for r in rows[label]]
    return f"{min(v):.0f}-{max(v):.0f}"
print("| program | runs | whole process ms (min-max) | in-program ms (min-max) | constructor | map returned | first result |")
print("| --- | --- | --- | --- | --- | --- | --- |")
for label in rows:
    print(f"| {label} | {len(rows[label])} | {med(label,'wall'):.1f} ({spread(label,'wall')}) | "
          f"{med(label,'closed'):.1f} ({spread(label,'closed')}) | "
          f"{med(label,'constructor'):.1f} | {med(label,'map'):.1f} | {med(label,'first'):.1f} |")
print()
for label in rows:
    if label.startswith("java"):
        py = "cpython-for-" + label.split("-")[0]
        print(f"{label} / CPython: whole process {med(label,'wall')/med(py,'wall'):.2f}x, "
              f"in-program {med(label,'closed')/med(py,'closed'):.2f}x (target: <= 0.8x both)")
PY
