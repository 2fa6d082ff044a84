#!/usr/bin/env bash
# The sample app under load, in the shape of the load trial: steady traffic, a batch job beside
# interactive requests, overload, SIGTERM under load, and a killed worker. Loopback only; every phase is
# bounded in count and time. From the repository root:
#
#   sample-app/load-test/run.sh              # all phases, about 6 minutes
#   PHASES="steady killed" sample-app/load-test/run.sh
#
# Knobs (environment): PHASES (steady batch overload shutdown killed), CLIENTS (32), DURATION (60),
# JAVA (java), PORT (18080), MANAGEMENT_PORT (18081: the actuator's own port, where the probes go),
# APP_ARGS (extra arguments for the app, e.g. "--sample.request-timeout=5s").
# Results: sample-app/target/load-test/<UTC time>/summary.txt (and the app's log per phase).
set -euo pipefail

cd "$(dirname "$0")/../.."
ROOT=$(pwd)
JAVA=${JAVA:-java}
PHASES=${PHASES:-"steady batch overload shutdown killed"}
CLIENTS=${CLIENTS:-32}
SECONDS_STEADY=${DURATION:-60}
PORT=${PORT:-18080}
MANAGEMENT_PORT=${MANAGEMENT_PORT:-18081}
BASE="http://127.0.0.1:$PORT"
MBASE="http://127.0.0.1:$MANAGEMENT_PORT"
OUT="$ROOT/sample-app/target/load-test/$(date -u +%Y%m%dT%H%M%SZ)"
LOAD="$ROOT/sample-app/load-test/LoadTest.java"
mkdir -p "$OUT"

JAR=$(ls "$ROOT"/sample-app/target/sample-app-*.jar 2>/dev/null | grep -v original | head -1 || true)
if [[ -z "$JAR" ]]; then
  ./mvnw -B -q -pl sample-app -am package -DskipTests >/dev/null
  JAR=$(ls "$ROOT"/sample-app/target/sample-app-*.jar | grep -v original | head -1)
fi

say() { echo "$*" | tee -a "$OUT/summary.txt"; }
http_status() { curl -s -o /dev/null -w '%{http_code}' --max-time "${2:-10}" "$BASE$1"; }
actuator_status() { curl -s -o /dev/null -w '%{http_code}' --max-time "${2:-10}" "$MBASE$1"; }
post_status() { curl -s -o /dev/null -w '%{http_code}' --max-time 30 -X POST "$BASE$1"; }
pending() { curl -s --max-time 30 "$MBASE/actuator/futures" | python3 -c "import json,sys; d=json.load(sys.stdin)['executors']; print(' '.join('%s:pending=%s,running=%s,state=%s' % (k, v.get('pending'), v.get('running'), v.get('state')) for k, v in d.items()))" 2>/dev/null || echo "?"; }
vitals() { # heap-ish (RSS), threads, worker JVMs of the app
  echo "rss_mb=$(( $(ps -o rss= -p "$APP") / 1024 )) threads=$(ls /proc/"$APP"/task | wc -l) workers=$(pgrep -P "$APP" -c java || true)"
}

start_app() { # phase name
  "$JAVA" -jar "$JAR" --server.port="$PORT" --management.server.port="$MANAGEMENT_PORT" ${APP_ARGS:-} >"$OUT/app-$1.log" 2>&1 &
  APP=$!
  for _ in $(seq 1 120); do
    [[ "$(actuator_status /actuator/health 2)" == 200 ]] && return 0
    kill -0 "$APP" 2>/dev/null || { say "app exited during start-up (see app-$1.log)"; exit 1; }
    sleep 1
  done
  say "app did not become healthy in 120 s"; kill -9 "$APP"; exit 1
}

stop_app() {
  kill "$APP" 2>/dev/null || true
  for _ in $(seq 1 300); do kill -0 "$APP" 2>/dev/null || return 0; sleep 1; done
  kill -9 "$APP" 2>/dev/null || true
}

load() { # path clients seconds timeout
  "$JAVA" "$LOAD" "$BASE" "$1" "$2" "$3" "$4"
}

say "date: $(date -u '+%Y-%m-%d %H:%M:%S UTC')  nproc: $(nproc)  java: $("$JAVA" -version 2>&1 | head -1)  git: $(git rev-parse --short HEAD)"

for phase in $PHASES; do
  case "$phase" in
    steady)
      start_app steady
      say "== steady: $CLIENTS clients x ${SECONDS_STEADY}s GET /api/primes?count=20 (timeout 5 s)"
      say "before: $(vitals)"
      say "$(load '/api/primes?count=20' "$CLIENTS" "$SECONDS_STEADY" 5)"
      say "after:  $(vitals)  $(pending)"
      stop_app ;;
    batch)
      start_app batch
      say "== batch: a 20000-call job (on the jobs' own pool), then 8 interactive clients x 30s GET /api/primes?count=1 (timeout 60 s)"
      say "warm: $(http_status '/api/primes?count=20' 60) $(http_status '/api/primes?count=20' 60)"
      say "POST /api/jobs?count=20000 -> $(post_status '/api/jobs?count=20000')"
      say "$(load '/api/primes?count=1' 8 30 60)"
      say "$(pending)"
      stop_app ;;
    overload)
      start_app overload
      say "== overload: ten POST /api/jobs?count=100000 (at most sample.max-jobs=3 accepted, 429 beyond)"
      statuses=""
      for _ in $(seq 1 10); do statuses+="$(post_status '/api/jobs?count=100000') "; done
      say "statuses: $statuses"
      say "$(vitals)  $(pending)"
      say "health answered $(actuator_status /actuator/health 60) in $(curl -s -o /dev/null -w '%{time_total}' --max-time 60 "$MBASE/actuator/health") s"
      say "$(load '/api/primes?count=20' "$CLIENTS" 20 5)  (beside the accepted jobs)"
      stop_app ;;
    shutdown)
      start_app shutdown
      say "== shutdown under load: a 100000-call job queued, $CLIENTS clients (timeout 60 s) of 400-number maps around 10^16, SIGTERM once requests are in flight"
      say "POST /api/jobs?count=100000 -> $(post_status '/api/jobs?count=100000')"
      WORKERS_BEFORE=$(pgrep -P "$APP" java | tr '\n' ' ' || true)
      load '/api/primes?start=10000000000000000&count=400&chunksize=10' "$CLIENTS" 60 60 >"$OUT/shutdown-load.txt" &
      LOADER=$!
      # SIGTERM once requests are in flight (the loader's JVM takes seconds to start on a busy machine).
      for _ in $(seq 1 120); do
        inflight=$(curl -s --max-time 5 "$MBASE/actuator/futures" | python3 -c "import json,sys; d=json.load(sys.stdin)['executors']; print(d['futuresThreadPool']['running'] + d['futuresProcessPool']['running'])" 2>/dev/null || echo 0)
        [[ "$inflight" -gt 0 ]] && break
        sleep 0.5
      done
      sleep 3
      say "in flight at SIGTERM: $(pending)"
      t0=$(date +%s%N)
      kill -TERM "$APP"
      for _ in $(seq 1 300); do kill -0 "$APP" 2>/dev/null || break; sleep 0.2; done
      t1=$(date +%s%N)
      if kill -0 "$APP" 2>/dev/null; then say "app still running 60 s after SIGTERM: killed"; kill -9 "$APP"; fi
      left=0; for w in $WORKERS_BEFORE; do kill -0 "$w" 2>/dev/null && left=$((left + 1)); done
      say "exit after SIGTERM: $(( (t1 - t0) / 1000000 )) ms; worker JVMs before: $(echo $WORKERS_BEFORE | wc -w), left: $left"
      wait "$LOADER" || true
      say "$(cat "$OUT/shutdown-load.txt")  (refused: requests sent once the server stopped listening; error: accepted and never answered)"
      say "app log: $(grep -c 'Stopping: job' "$OUT/app-shutdown.log" || true) job(s) cancelled at shutdown; $(grep -c ' ERROR ' "$OUT/app-shutdown.log" || true) ERROR lines" ;;
    killed)
      start_app killed
      say "== killed worker: one warm request, kill -9 of a worker, then 8 clients x 20s GET /api/primes?count=20"
      say "warm: $(http_status '/api/primes?count=20' 60)"
      victim=$(pgrep -P "$APP" java | head -1 || true)
      if [[ -n "$victim" ]]; then kill -9 "$victim"; say "killed worker pid $victim"; else say "no worker to kill"; fi
      sleep 1
      say "$(load '/api/primes?count=20' 8 20 10)"
      say "liveness $(actuator_status /actuator/health/liveness) readiness $(actuator_status /actuator/health/readiness) health $(actuator_status /actuator/health)"
      say "POST /api/jobs?count=10 -> $(post_status '/api/jobs?count=10')"
      say "ERROR lines in the app log: $(grep -c ' ERROR ' "$OUT/app-killed.log" || true)"
      stop_app ;;
    *) say "unknown phase $phase"; exit 2 ;;
  esac
done
say "results in $OUT"
