"""Side-by-side benchmark of itq, DuckDB and Polars on the synthetic register.

Run through `bench/compare`, which builds itq, generates the data and makes
the virtual environment. Each engine runs in its own process (so its peak
memory is its own), with the same number of threads, loads the CSV once and
runs each query RUNS times; the table shows medians.
"""

import json
import os
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
THREADS = int(os.environ.get("THREADS", "2"))
RUNS = int(os.environ.get("RUNS", "5"))
DATA = os.path.join(HERE, "data", "projects.csv")
PROVINCES = os.path.join(HERE, "data", "provinces.csv")
ITQ = os.path.join(HERE, "..", "target", "release", "itq")

# (name, itq, DuckDB SQL, Polars expression over df / provinces)
QUERIES = [
    (
        "Q1 filter sum",
        'projects where province = "Gansu" and sector = "new energy" sum investment',
        "SELECT sum(investment) FROM projects WHERE province = 'Gansu' AND sector = 'new energy'",
        lambda pl, df, pr: df.filter(
            (pl.col("province") == "Gansu") & (pl.col("sector") == "new energy")
        ).select(pl.col("investment").sum()),
    ),
    (
        "Q2 sum by province",
        "projects sum investment by province",
        "SELECT province, sum(investment) FROM projects GROUP BY province",
        lambda pl, df, pr: df.group_by("province").agg(pl.col("investment").sum()),
    ),
    (
        "Q3 two keys, sort, limit",
        "projects count, sum investment as s by province, sector sort s desc limit 10",
        "SELECT province, sector, count(*) AS count, sum(investment) AS s FROM projects "
        "GROUP BY province, sector ORDER BY s DESC LIMIT 10",
        lambda pl, df, pr: df.group_by("province", "sector")
        .agg(pl.len().alias("count"), pl.col("investment").sum().alias("s"))
        .sort("s", descending=True)
        .head(10),
    ),
    (
        "Q4 top 10",
        "projects top 10 by investment",
        "SELECT * FROM projects ORDER BY investment DESC NULLS LAST LIMIT 10",
        lambda pl, df, pr: df.top_k(10, by="investment"),
    ),
    (
        "Q5 count distinct by year",
        "projects count distinct origin by year",
        "SELECT year, count(DISTINCT origin) FROM projects GROUP BY year",
        lambda pl, df, pr: df.group_by("year").agg(pl.col("origin").n_unique()),
    ),
    (
        "join, sum by region",
        "projects join provinces on province = name sum investment by region",
        "SELECT region, sum(investment) FROM projects JOIN provinces ON province = name "
        "GROUP BY region",
        lambda pl, df, pr: df.join(pr, left_on="province", right_on="name")
        .group_by("region")
        .agg(pl.col("investment").sum()),
    ),
]


def timed(f):
    start = time.perf_counter()
    out = f()
    return (time.perf_counter() - start) * 1000.0, out


def run_duckdb():
    import duckdb

    con = duckdb.connect()
    con.execute(f"SET threads TO {THREADS}")
    con.execute(f"CREATE TABLE provinces AS SELECT * FROM read_csv('{PROVINCES}')")
    load, _ = timed(
        lambda: con.execute(f"CREATE TABLE projects AS SELECT * FROM read_csv('{DATA}')")
    )
    times = {}
    for name, _, sql, _ in QUERIES:
        times[name] = [timed(lambda: con.execute(sql).fetchall())[0] for _ in range(RUNS)]
    return {"load": [load], "queries": times, "version": duckdb.__version__}


def run_polars(categorical):
    import polars as pl

    load, df = timed(lambda: pl.read_csv(DATA))
    if categorical:
        df = df.with_columns(
            pl.col("province", "sector", "origin").cast(pl.Categorical)
        )
    pr = pl.read_csv(PROVINCES)
    if categorical:
        pr = pr.with_columns(pl.col("name").cast(pl.Categorical))
    times = {}
    for name, _, _, q in QUERIES:
        times[name] = [timed(lambda: q(pl, df, pr))[0] for _ in range(RUNS)]
    return {"load": [load], "queries": times, "version": pl.__version__}


def run_itq():
    """itq runs one script: the load, then each query RUNS times; `--timer`
    gives each statement's time measured inside the process."""
    lines = ['load "projects.csv" as projects']  # relative to the script
    for _, q, _, _ in QUERIES:
        lines += [q] * RUNS
    script = os.path.join(HERE, "data", "bench.itq")
    with open(script, "w") as f:
        f.write("\n".join(lines) + "\n")
    start = time.perf_counter()
    p = subprocess.run(
        [ITQ, "--timer", "--format", "csv", "data/bench.itq"],
        cwd=HERE,
        capture_output=True,
        text=True,
        env={**os.environ, "RAYON_NUM_THREADS": str(THREADS)},
    )
    whole = (time.perf_counter() - start) * 1000.0
    if p.returncode != 0:
        raise SystemExit("itq failed:\n" + p.stderr)
    ms = [float(l.split()[1]) for l in p.stderr.splitlines() if l.startswith("time: ")]
    times = {}
    for i, (name, _, _, _) in enumerate(QUERIES):
        times[name] = ms[1 + i * RUNS : 1 + (i + 1) * RUNS]
    version = subprocess.run([ITQ, "--version"], capture_output=True, text=True).stdout
    return {"load": [ms[0]], "queries": times, "version": version.split()[-1], "whole": whole}


ENGINES = {
    "itq": run_itq,
    "duckdb": run_duckdb,
    "polars": lambda: run_polars(False),
    "polars-cat": lambda: run_polars(True),
}


def child(engine):
    """Runs one engine and prints its timings as JSON."""
    print(json.dumps(ENGINES[engine]()))


def measure(engine):
    """Runs `engine` in its own process; returns its timings and peak memory."""
    p = subprocess.Popen(
        [sys.executable, __file__, "--child", engine],
        stdout=subprocess.PIPE,
        env={**os.environ, "POLARS_MAX_THREADS": str(THREADS)},
    )
    out = p.stdout.read()
    _, status, usage = os.wait4(p.pid, 0)
    if status != 0:
        raise SystemExit(f"{engine} failed")
    result = json.loads(out)
    # The itq child is a grandchild (python -> itq); ru_maxrss is the largest of the tree.
    result["peak_mb"] = usage.ru_maxrss / 1024.0
    return result


def whole_process():
    """Median wall time of `itq -c 'provinces count'`, in ms."""
    runs = []
    for _ in range(30):
        start = time.perf_counter()
        subprocess.run([ITQ, "-c", "provinces count"], capture_output=True, check=True)
        runs.append((time.perf_counter() - start) * 1000.0)
    return statistics.median(runs)


def fmt(ms):
    return f"{ms:,.1f} ms" if ms < 10_000 else f"{ms / 1000:,.2f} s"


def main():
    results = {e: measure(e) for e in ENGINES}
    peers = [e for e in ENGINES if e != "itq"]
    header = ["", *ENGINES, "itq / best peer"]
    rows = []
    for name in ["load", *[q[0] for q in QUERIES]]:
        med = {
            e: statistics.median(
                r["load"] if name == "load" else r["queries"][name]
            )
            for e, r in results.items()
        }
        best = min(med[e] for e in peers)
        rows.append([name, *[fmt(med[e]) for e in ENGINES], f"{med['itq'] / best:.2f}x"])
    rows.append(
        ["peak memory", *[f"{results[e]['peak_mb']:,.0f} MB" for e in ENGINES], ""]
    )
    widths = [max(len(str(r[i])) for r in [header, *rows]) for i in range(len(header))]
    line = lambda r: "| " + " | ".join(str(c).ljust(w) for c, w in zip(r, widths)) + " |"
    print(line(header))
    print("|" + "|".join("-" * (w + 2) for w in widths) + "|")
    for r in rows:
        print(line(r))
    print()
    print(f"threads: {THREADS}; median of {RUNS} runs after loading; load is one run")
    print(
        "versions: "
        + ", ".join(f"{e} {r['version']}" for e, r in results.items() if e != "polars-cat")
    )
    print(f"itq whole process (load + all queries + start-up): {fmt(results['itq']['whole'])}")
    print(f"itq -c 'provinces count', whole process, median of 30: {whole_process():.1f} ms")


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--child":
        child(sys.argv[2])
    else:
        main()
