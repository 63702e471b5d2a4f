"""Loading JSON, NDJSON and Parquet, itq beside DuckDB, and `itq ... | head`.

Run through `bench/files`, which builds itq, writes the synthetic register
and makes the virtual environment. Each load runs in its own process, so its
peak memory is its own; both engines use THREADS threads. After each load
both answer the same check query, and the answers must agree.
"""

import json
import os
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
THREADS = int(os.environ.get("THREADS", "2"))
RUNS = int(os.environ.get("RUNS", "3"))
DATA = os.path.join(HERE, "data")
ITQ = os.path.join(HERE, "..", "target", "release", "itq")

CHECK_ITQ = (
    "p count as n, sum investment as s, count distinct province as provinces, "
    "min year as y0, max year as y1"
)
CHECK_SQL = (
    "SELECT count(*), sum(investment), count(DISTINCT province), min(year), max(year) FROM p"
)

DUCK = """
import duckdb, json, sys, time
path, reader, threads = sys.argv[1], sys.argv[2], int(sys.argv[3])
con = duckdb.connect()
con.execute(f"SET threads={threads}")
con.execute("SET enable_progress_bar=false")
start = time.perf_counter()
con.execute(f"CREATE TABLE p AS SELECT * FROM {reader}('{path}')")
ms = (time.perf_counter() - start) * 1000
row = con.execute(sys.argv[4]).fetchone()
print(json.dumps({"ms": ms, "answer": [float(x) for x in row]}))
"""


def child(cmd, **kw):
    """Runs cmd under /usr/bin/time; gives (stdout, stderr, peak RSS in MB)."""
    run = subprocess.run(["/usr/bin/time", "-f", "PEAK %M", *cmd], capture_output=True, **kw)
    err = run.stderr.decode()
    if run.returncode != 0:
        sys.exit(f"{cmd[0]} failed: {err[-2000:]}")
    peak = [l for l in err.splitlines() if l.startswith("PEAK ")][-1]
    return run.stdout.decode(), err, int(peak.split()[1]) / 1024


def itq_load(path):
    cmd = [ITQ, "--timer", "-f", "csv", "-c", f'load "{path}" as p', "-c", CHECK_ITQ]
    env = dict(os.environ, RAYON_NUM_THREADS=str(THREADS))
    out, err, peak = child(cmd, env=env)
    times = [float(l.split()[1]) for l in err.splitlines() if l.startswith("time:")]
    values = out.splitlines()[1].split(",")
    return times[0], [float(v) for v in values], peak


def duck_load(path, reader):
    python = os.path.join(HERE, ".venv", "bin", "python")
    out, _, peak = child([python, "-c", DUCK, path, reader, str(THREADS), CHECK_SQL])
    r = json.loads(out.strip().splitlines()[-1])
    return r["ms"], r["answer"], peak


def same(a, b):
    return len(a) == len(b) and all(abs(x - y) <= 1e-6 * max(1.0, abs(x)) for x, y in zip(a, b))


def load_rows():
    rows = []
    only = os.environ.get("FORMATS", "parquet,ndjson,json").split(",")
    for name, file, reader in [
        ("Parquet", "projects.parquet", "read_parquet"),
        ("NDJSON", "projects.ndjson", "read_json"),
        ("JSON array", "projects.json", "read_json"),
    ]:
        if file.split(".")[1] not in only:
            continue
        path = os.path.join(DATA, file)
        size = os.path.getsize(path) / 1e6
        itq = [itq_load(path) for _ in range(RUNS)]
        duck = [duck_load(path, reader) for _ in range(RUNS)]
        if not all(same(r[1], duck[0][1]) for r in itq + duck):
            sys.exit(f"{name}: answers differ: itq {itq[0][1]} DuckDB {duck[0][1]}")
        it, dt = statistics.median(r[0] for r in itq), statistics.median(r[0] for r in duck)
        im, dm = max(r[2] for r in itq), max(r[2] for r in duck)
        rows.append((name, size, it, dt, im, dm))
    return rows


def head_rows():
    """`itq -c 'load ...' -c p | head`: from the moment itq says the load is
    done (its `loaded p: ...` line) until it has printed ten lines to a pipe
    that is then closed and it has exited."""
    path = os.path.join(DATA, os.environ.get("HEAD_FILE", "projects.parquet"))
    env = dict(os.environ, RAYON_NUM_THREADS=str(THREADS))
    out = []
    for fmt in ["table", "csv", "json", "ndjson", "markdown"]:
        after = []
        for _ in range(RUNS):
            proc = subprocess.Popen(
                [ITQ, "-f", fmt, "-c", f'load "{path}" as p', "-c", "p"],
                stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env,
            )
            line = proc.stderr.readline()
            start = time.perf_counter()
            if not line.startswith(b"loaded p"):
                sys.exit(f"| head ({fmt}): {line!r}")
            lines = [proc.stdout.readline() for _ in range(10)]
            proc.stdout.close()
            code = proc.wait()
            after.append(time.perf_counter() - start)
            err = proc.stderr.read()
            if code != 0 or err.strip() or not all(lines):
                sys.exit(f"| head ({fmt}): exit {code}, {err!r}")
        out.append((fmt, statistics.median(after)))
    return out


def main():
    rows = int(open(os.path.join(DATA, "rows")).read())
    print(f"{rows:,} rows, {THREADS} threads, median of {RUNS} runs; "
          f"load average {os.getloadavg()[0]:.1f} at the start\n")
    print("| file | size | itq load | DuckDB load | itq / DuckDB | itq peak | DuckDB peak | memory ratio |")
    print("|---|---|---|---|---|---|---|---|")
    for name, size, it, dt, im, dm in load_rows():
        print(f"| {name} | {size:,.0f} MB | {it:,.0f} ms | {dt:,.0f} ms | {it / dt:.2f}× "
              f"| {im:,.0f} MB | {dm:,.0f} MB | {im / dm:.2f}× |")
    print(f"\nload average {os.getloadavg()[0]:.1f} after the loads\n")
    print("| `itq -f FORMAT -c 'load ...' -c p \\| head` | from the end of the load to exit |")
    print("|---|---|")
    for fmt, after in head_rows():
        print(f"| {fmt} | {after * 1000:,.0f} ms |")
    print(f"\nload average {os.getloadavg()[0]:.1f} at the end")


main()
