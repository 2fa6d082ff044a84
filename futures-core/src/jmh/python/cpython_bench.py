#!/usr/bin/env python3
"""CPython's concurrent.futures on the workloads of the JMH benchmarks, and the combined table.

Two commands:

  cpython_bench.py measure [--only thread|process] [--quick] [--json FILE]
      Runs the workloads on CPython's ThreadPoolExecutor (4 workers, as the Java benchmarks) and
      ProcessPoolExecutor (2 workers, the fork start method) and prints/saves the timings.

  cpython_bench.py report --jmh-free FILE... [--jmh-pinned FILE...] [--jmh-one-worker[-pinned] FILE...]
                          [--jmh-process FILE...]
                          --cpython FILE [--cpython-pinned FILE] [--footprint FILE] [--markdown FILE]
      Prints one table per group - our pools, the JDK's, Spring's and CPython's side by side - with
      the ratios and whether each target is met. All inputs must come from the same run (see
      run-benchmarks.sh, which does both).

Every workload checks its result, as the Java side does. Times are wall-clock medians of several
repetitions (minimum also kept); each repetition is one operation of the matching JMH benchmark.
"""

import argparse
import concurrent.futures as cf
import json
import multiprocessing
import os
import platform
import statistics
import sys
import threading
import time

THREAD_WORKERS = 4
PROCESS_WORKERS = 2
SUBMIT_CALLS = 100_000
MAP_ITEMS = 100_000
AS_COMPLETED = 10_000
WAIT_FUTURES = 1_000
TINY = 10_000
FIRST = 10 ** 12
COUNT = 200


# ---------------------------------------------------------------- the calls (module level: picklable)

def noop():
    return None


def one():
    return 1


def inc(x):
    return x + 1


def ident(x):
    return x


def is_prime(n):
    """The seed's is_prime, verbatim."""
    if n < 2:
        return False
    if n == 2:
        return True
    if n % 2 == 0:
        return False
    sqrt_n = int(n ** 0.5) + 1
    for i in range(3, sqrt_n, 2):
        if n % i == 0:
            return False
    return True


# ---------------------------------------------------------------- timing

def timed(fn, repeat):
    """Runs fn() `repeat` times; returns the list of durations in seconds."""
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return times


def summary(times, per=1, unit="ms"):
    scale = {"ms": 1e3, "us": 1e6}[unit]
    values = [t / per * scale for t in times]
    return {"median": statistics.median(values), "min": min(values), "n": len(values), "unit": unit}


# ---------------------------------------------------------------- thread pool workloads

def thread_workloads(quick):
    r = 2 if quick else 5
    results = {}
    with cf.ThreadPoolExecutor(max_workers=THREAD_WORKERS) as ex:
        # warm every worker thread
        for f in [ex.submit(noop) for _ in range(1000)]:
            f.result()

        def submit_wait_all():
            fs = [ex.submit(noop) for _ in range(SUBMIT_CALLS)]
            for f in fs:
                f.result()
        results["thread.submit100k"] = summary(timed(submit_wait_all, r), unit="ms")

        n = 2_000 if quick else 20_000

        def round_trips():
            for _ in range(n):
                if ex.submit(one).result() != 1:
                    raise AssertionError("round trip result")
        results["thread.roundTrip"] = summary(timed(round_trips, r), per=n, unit="us")

        expected = sum(range(1, MAP_ITEMS + 1))

        def map_in_order():
            if sum(ex.map(inc, range(MAP_ITEMS))) != expected:
                raise AssertionError("map sum")
        results["thread.map100k"] = summary(timed(map_in_order, r), unit="ms")

        expected_ac = sum(range(AS_COMPLETED))

        def as_completed():
            fs = [ex.submit(ident, i) for i in range(AS_COMPLETED)]
            total = 0
            for f in cf.as_completed(fs):
                total += f.result()
            if total != expected_ac:
                raise AssertionError("as_completed sum")
        results["thread.asCompleted10k"] = summary(timed(as_completed, r), unit="ms")

        # 999 pending futures queued behind a blocked one-thread pool, one submitted call
        release = threading.Event()
        with cf.ThreadPoolExecutor(max_workers=1) as parked:
            pending = [parked.submit(release.wait) for _ in range(WAIT_FUTURES - 1)]
            m = 200 if quick else 2_000

            def wait_first():
                for _ in range(m):
                    f = ex.submit(noop)
                    done, _ = cf.wait(pending + [f], return_when=cf.FIRST_COMPLETED)
                    if f not in done or len(done) != 1:
                        raise AssertionError("wait FIRST_COMPLETED")
            results["thread.waitFirst1k"] = summary(timed(wait_first, r), per=m, unit="us")
            for f in pending:
                f.cancel()
            release.set()
    return results


# ---------------------------------------------------------------- process pool workloads

def process_workloads(quick, warm_only=False):
    ctx = multiprocessing.get_context("fork")
    results = {}
    numbers = list(range(FIRST, FIRST + COUNT))
    expected = sum(1 for n in numbers if is_prime(n))

    def start_to_first():
        t0 = time.perf_counter()
        ex = cf.ProcessPoolExecutor(max_workers=PROCESS_WORKERS, mp_context=ctx)
        if ex.submit(one).result() != 1:
            raise AssertionError("first result")
        t = time.perf_counter() - t0
        ex.shutdown(wait=True)
        return t
    if not warm_only:
        shots = [start_to_first() for _ in range(3 if quick else 10)]
        results["process.startToFirstResult"] = summary(shots, unit="ms")

    with cf.ProcessPoolExecutor(max_workers=PROCESS_WORKERS, mp_context=ctx) as ex:
        for f in [ex.submit(one) for _ in range(1000)]:
            f.result()
        n = 500 if quick else 5_000

        def round_trips():
            for _ in range(n):
                if ex.submit(one).result() != 1:
                    raise AssertionError("round trip result")
        results["process.roundTrip"] = summary(timed(round_trips, 2 if quick else 5), per=n, unit="us")

        def tiny():
            fs = [ex.submit(one) for _ in range(TINY)]
            for f in fs:
                if f.result() != 1:
                    raise AssertionError("tiny result")
        results["process.tiny10k"] = summary(timed(tiny, 2 if quick else 5), unit="ms")

        for chunksize in (1, 20):
            def seed_map_warm():
                if sum(1 for p in ex.map(is_prime, numbers, chunksize=chunksize) if p) != expected:
                    raise AssertionError("is_prime count")
            results[f"process.isPrimeWarm.chunksize{chunksize}"] = summary(timed(seed_map_warm, 2 if quick else 5), unit="ms")

    if warm_only:
        return results
    for chunksize in (1, 20):
        def seed_example():
            with cf.ProcessPoolExecutor(max_workers=PROCESS_WORKERS, mp_context=ctx) as ex:
                primes = sum(1 for p in ex.map(is_prime, numbers, chunksize=chunksize) if p)
            if primes != expected:
                raise AssertionError("is_prime count")
        results[f"process.isPrime.chunksize{chunksize}"] = summary(timed(seed_example, 2 if quick else 5), unit="ms")
    return results


def measure(args):
    results = {}
    if args.only in (None, "thread"):
        results.update(thread_workloads(args.quick))
    if args.only in (None, "process", "process-warm"):
        results.update(process_workloads(args.quick, warm_only=args.only == "process-warm"))
    doc = {
        "python": sys.version.split()[0],
        "implementation": platform.python_implementation(),
        "cpus": os.cpu_count(),
        "affinity": sorted(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else None,
        "results": results,
    }
    for k, v in results.items():
        print(f"{k:36s} {v['median']:12.3f} {v['unit']}  (min {v['min']:.3f}, n={v['n']})")
    if args.json:
        with open(args.json, "w") as out:
            json.dump(doc, out, indent=2)


# ---------------------------------------------------------------- the combined report

def load_jmh(*paths):
    """{(short benchmark, param value): (score, error, unit, runs)} from JMH JSON result files.

    A benchmark found in several files (the rounds of the documented run) gets the median of their
    scores, the largest of their error bars, and the scores of every round in `runs`."""
    runs = []
    for path in paths:
        if path and os.path.exists(path):
            with open(path) as f:
                runs += json.load(f)
    found = {}
    for r in runs:
        name = ".".join(r["benchmark"].split(".")[-2:])
        params = r.get("params", {})
        key = params.get("impl") or params.get("listener") or params.get("chunksize") or params.get("mode") or ""
        m = r["primaryMetric"]
        found.setdefault((name, key), []).append((m["score"], m["scoreError"], m["scoreUnit"]))
    out = {}
    for k, rounds in found.items():
        scores = sorted(x[0] for x in rounds)
        out[k] = (statistics.median(scores), max(x[1] for x in rounds), rounds[0][2], [x[0] for x in rounds])
    return out


def to_ms(score, unit):
    return score * {"ms/op": 1.0, "us/op": 1e-3, "s/op": 1e3, "ns/op": 1e-6}[unit]


def fmt(value, unit):
    if value is None:
        return "-"
    if value >= 100:
        return f"{value:,.0f} {unit}"
    if value >= 10:
        return f"{value:.1f} {unit}"
    return f"{value:.2f} {unit}"


class Table:
    def __init__(self, title, header):
        self.title, self.header, self.rows = title, header, []

    def add(self, *cells):
        self.rows.append([str(c) for c in cells])

    def markdown(self):
        lines = [f"### {self.title}", "", "| " + " | ".join(self.header) + " |",
                 "| " + " | ".join("---" for _ in self.header) + " |"]
        lines += ["| " + " | ".join(r) + " |" for r in self.rows]
        return "\n".join(lines) + "\n"


def speed(ratio, digits=1):
    """'2.4x faster' for ratio = CPython's time / ours; '13x slower' below 1."""
    if ratio >= 1:
        return f"{ratio:.{digits}f}x faster"
    return f"{1 / ratio:.{digits}f}x slower"


def verdict(ok):
    return "met" if ok else "**missed**"


def thread_table(jmh, label, cpy, one_worker=None):
    """Our pool against the JDK's, Spring's and CPython's threads, from one JMH run; with one_worker (the
    round trip run with one worker per pool), also the round trip like for like."""
    t = Table(f"Thread pools, {label} (4 workers; lower is better unless said)",
              ["workload", "futures", "JDK", "Spring", "CPython threads", "ratio (target)", "target"])
    rows = [
        ("submit 100k no-op, wait all", "SubmitBenchmark.submitThenWaitAll", "thread.submit100k", "ms",
         lambda f, j: (j / f, f"{j / f:.2f}x JDK throughput (>= 0.9)", j / f >= 0.9)),
        ("round trip (submit + result)", "RoundTripBenchmark.submitAndWait", "thread.roundTrip", "us",
         lambda f, j: (f / j, f"{f / j:.2f}x JDK time (<= 1.1)", f / j <= 1.1)),
        ("map 100k, in order (peers: submit-then-get)", "MapBenchmark.mapInOrder", "thread.map100k", "ms",
         lambda f, j: (j / f, f"{j / f:.2f}x JDK throughput (>= 0.8)", j / f >= 0.8)),
        ("asCompleted 10k (peers: ExecutorCompletionService)", "AsCompletedBenchmark.takeInCompletionOrder",
         "thread.asCompleted10k", "ms",
         lambda f, j: (f / j, f"{f / j:.2f}x ECS time (<= 1.5)", f / j <= 1.5)),
        ("wait FIRST_COMPLETED over 1k (peers: anyOf)", "WaitFirstCompletedBenchmark.waitForFirst",
         "thread.waitFirst1k", "us",
         lambda f, j: (f / j, f"{f / j:.2f}x anyOf time (<= 3)", f / j <= 3)),
    ]
    for title, bench, pykey, unit, judge in rows:
        f = jmh.get((bench, "futures"))
        j = jmh.get((bench, "jdk"))
        s = jmh.get((bench, "spring"))
        scale = 1.0 if unit == "ms" else 1e3

        def val(x):
            return None if x is None else to_ms(x[0], x[2]) * scale
        fv, jv, sv = val(f), val(j), val(s)
        p = cpy.get(pykey)
        pv = p["median"] if p else None
        if fv is not None and jv is not None:
            _, text, ok = judge(fv, jv)
            t.add(title, fmt(fv, unit), fmt(jv, unit), fmt(sv, unit), fmt(pv, unit), text, verdict(ok))
        else:
            t.add(title, fmt(fv, unit), fmt(jv, unit), fmt(sv, unit), fmt(pv, unit), "-", "not run")
    if one_worker:
        # A caller that waits for each call has one thread of ours (an idle worker is reused, as in
        # CPython) against the JDK's four taking turns; with one worker each, the pools compare like for like.
        f = one_worker.get(("RoundTripBenchmark.submitAndWait", "futures"))
        j = one_worker.get(("RoundTripBenchmark.submitAndWait", "jdk"))
        if f and j:
            fv, jv = to_ms(f[0], f[2]) * 1e3, to_ms(j[0], j[2]) * 1e3
            t.add("round trip, one worker each (ours uses one above too)", fmt(fv, "us"), fmt(jv, "us"), "-", "-",
                  f"{fv / jv:.2f}x JDK time (<= 1.1)", verdict(fv / jv <= 1.1))
    return t


def rounds_table(jmh, label):
    """Every round's score, in the order run, for the benchmarks run in rounds (their median is above)."""
    t = Table(f"Each round, {label} (the tables above show the medians)", ["benchmark", "param", "scores, in order"])
    for (bench, key), x in sorted(jmh.items()):
        if len(x[3]) > 1:
            t.add(bench, key, ", ".join(f"{v:.3g}" for v in x[3]) + " " + x[2])
    return t


def metrics_table(jmh, label):
    t = Table(f"Metrics bound, {label} (our pool with a listener on TaskStats; the JDK's fixed pool bare and under "
              "Micrometer's ExecutorServiceMetrics, for scale)",
              ["workload", "none", "plain counters", "Micrometer timers", "Micrometer / none (<= 1.1)", "target",
               "JDK pool", "JDK + ExecutorServiceMetrics", "JDK metered / bare"])
    for title, bench, unit in (("submit 100k, wait all", "MetricsBenchmark.submitThenWaitAll", "ms"),
                               ("round trip", "MetricsBenchmark.roundTrip", "us")):
        scale = 1.0 if unit == "ms" else 1e3
        vals = {}
        for k in ("none", "plain", "micrometer", "jdk", "jdk-micrometer"):
            x = jmh.get((bench, k))
            vals[k] = None if x is None else to_ms(x[0], x[2]) * scale
        ours = [fmt(vals["none"], unit), fmt(vals["plain"], unit), fmt(vals["micrometer"], unit)]
        jdk = [fmt(vals["jdk"], unit), fmt(vals["jdk-micrometer"], unit),
               f"{vals['jdk-micrometer'] / vals['jdk']:.2f}x" if vals["jdk"] and vals["jdk-micrometer"] else "-"]
        if vals["none"] and vals["micrometer"]:
            ratio = vals["micrometer"] / vals["none"]
            t.add(title, *ours, f"{ratio:.2f}x", verdict(ratio <= 1.1), *jdk)
        else:
            t.add(title, *ours, "-", "not run", *jdk)
    return t


def process_table(jmh, cpy, label=None):
    """The process-pool table; with a label (the pinned run), only the workloads on a started pool."""
    t = Table("Process pools" + (f", {label}" if label else "") + " (2 workers; CPython with the fork start method)",
              ["workload", "futures (worker JVMs)", "CPython fork", "ratio", "target"])

    def ms(bench, key=""):
        x = jmh.get((bench, key))
        return None if x is None else to_ms(x[0], x[2])

    if not label:
        start = ms("ProcessPoolStartBenchmark.startToFirstResult", "")
        p = cpy.get("process.startToFirstResult")
        t.add("pool start -> first result", fmt(start, "ms"), fmt(p and p["median"], "ms"),
              speed(p["median"] / start) if start and p else "-",
              (verdict(start <= 100) + " (<= 100 ms)") if start else "not run")

    rt = ms("ProcessPoolBenchmark.roundTrip", "")
    p = cpy.get("process.roundTrip")
    rt_us = rt * 1e3 if rt else None
    t.add("round trip, warm worker", fmt(rt_us, "us"), fmt(p and p["median"], "us"),
          speed(p["median"] / rt_us) if rt_us and p else "-",
          (verdict(rt_us <= 20) + " (<= 20 us)") if rt_us else "not run")

    for mode, what in (("direct", "one thread each side"), ("reader", "answer read by a reader thread")):
        v = ms("PipeFloorBenchmark.roundTrip", mode)
        t.add(f"pipe floor: an echoing JVM, {what}", fmt(v * 1e3 if v else None, "us"), "-", "-",
              "(no target: the least a round trip between two JVMs costs here)" if v else "not run")

    tiny = ms("ProcessPoolBenchmark.tinyTasks", "")
    tiny_batch = tiny * TINY if tiny else None  # score is per call (OperationsPerInvocation)
    p = cpy.get("process.tiny10k")
    ratio = p["median"] / tiny_batch if tiny_batch and p else None
    t.add("10 000 tiny tasks", fmt(tiny_batch, "ms"), fmt(p and p["median"], "ms"),
          speed(ratio) if ratio else "-",
          (verdict(ratio >= 10) + " (>= 10x CPython)") if ratio else "not run")

    for cs in ("1", "20"):
        v = ms(f"ProcessPoolBenchmark.seedMapWarmChunksize{cs}", "")
        p = cpy.get(f"process.isPrimeWarm.chunksize{cs}")
        ratio = p["median"] / v if v and p else None
        t.add(f"seed is_prime, map chunksize {cs}, on a started pool", fmt(v, "ms"), fmt(p and p["median"], "ms"),
              speed(ratio, 2) if ratio else "-",
              "(no target: the work without starting workers)" if ratio else "not run")
    if label:
        return t
    for cs in ("1", "20"):
        v = ms("IsPrimeBenchmark.seedExample", cs)
        p = cpy.get(f"process.isPrime.chunksize{cs}")
        ratio = p["median"] / v if v and p else None
        t.add(f"seed is_prime, map chunksize {cs}, incl. pool start", fmt(v, "ms"), fmt(p and p["median"], "ms"),
              speed(ratio, 2) if ratio else "-",
              (verdict(ratio > 1) + " (faster than CPython)") if ratio else "not run")
    return t


def footprint_table(path):
    t = Table("Memory: pending futures queued behind one blocked worker, java -Xmx256m",
              ["pool", "pending futures", "heap used by them", "bytes per future", "target"])
    if not path or not os.path.exists(path):
        t.add("-", "-", "not run", "-", "-")
        return t
    with open(path) as f:
        for line in f:
            kv = dict(p.split("=", 1) for p in line.split() if "=" in p)
            if "impl" not in kv:
                continue
            if kv.get("outOfMemory") == "true":
                t.add(kv["impl"], kv["count"], "OutOfMemoryError", "-", "**missed**" if kv["impl"] == "futures" else "-")
                continue
            used = int(kv["usedBytes"])
            if kv["impl"] != "futures":
                target = "(peer)"
            elif int(kv["count"]) < 1_000_000:
                target = "not judged (fewer than 1 000 000)"
            else:
                target = verdict(used <= 256 * 1024 * 1024) + " (<= 256 MB)"
            t.add(kv["impl"], f"{int(kv['count']):,}", f"{used / 1024 / 1024:.0f} MB", kv["bytesPerFuture"], target)
    return t


def report(args):
    free = load_jmh(*args.jmh_free)
    pinned = load_jmh(*(args.jmh_pinned or []))
    process = load_jmh(*(args.jmh_process or []))
    with open(args.cpython) as f:
        cpy = json.load(f)["results"]
    cpy_pinned = {}
    if args.cpython_pinned:
        with open(args.cpython_pinned) as f:
            cpy_pinned = json.load(f)["results"]
    one_free = load_jmh(*(args.jmh_one_worker or []))
    one_pinned = load_jmh(*(args.jmh_one_worker_pinned or []))
    tables = [thread_table(free, "free-running", cpy, one_free)]
    if pinned:
        tables.append(thread_table(pinned, "pinned to one CPU (taskset -c 0)", cpy_pinned, one_pinned))
    tables.append(metrics_table(free, "free-running"))
    if pinned:
        tables.append(metrics_table(pinned, "pinned (taskset -c 0)"))
    tables.append(rounds_table(free, "free-running"))
    if pinned:
        tables.append(rounds_table(pinned, "pinned (taskset -c 0)"))
    tables.append(process_table(process, cpy))
    process_pinned = load_jmh(args.jmh_process_pinned)
    if process_pinned and args.cpython_process_pinned:
        with open(args.cpython_process_pinned) as f:
            tables.append(process_table(process_pinned, json.load(f)["results"], "pinned to one CPU (taskset -c 0)"))
    tables.append(footprint_table(args.footprint))
    text = "\n".join(t.markdown() for t in tables)
    print(text)
    if args.markdown:
        with open(args.markdown, "w") as out:
            out.write(text)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="command", required=True)
    m = sub.add_parser("measure", help="run the CPython workloads")
    m.add_argument("--only", choices=("thread", "process", "process-warm"),
                   help="process-warm: only the workloads on an already started pool")
    m.add_argument("--quick", action="store_true", help="fewer repetitions (a smoke run)")
    m.add_argument("--json", help="write the results here")
    r = sub.add_parser("report", help="print the combined tables")
    r.add_argument("--jmh-free", required=True, nargs="+", help="one file per round; medians are reported")
    r.add_argument("--jmh-pinned", nargs="*")
    r.add_argument("--jmh-one-worker", nargs="*", help="RoundTripBenchmark with -p workers=1, free-running")
    r.add_argument("--jmh-one-worker-pinned", nargs="*", help="the same, pinned")
    r.add_argument("--jmh-process", nargs="*")
    r.add_argument("--jmh-process-pinned")
    r.add_argument("--cpython", required=True)
    r.add_argument("--cpython-pinned")
    r.add_argument("--cpython-process-pinned")
    r.add_argument("--footprint")
    r.add_argument("--markdown")
    args = ap.parse_args()
    if args.command == "measure":
        measure(args)
    else:
        report(args)


if __name__ == "__main__":
    main()
