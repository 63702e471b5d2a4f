"""Side-by-side benchmark of itq, DuckDB and Polars on the synthetic register.

Run through `bench/compare`, which builds itq, generates the data and makes
the virtual environment. Each engine runs in its own process (so its peak
memory is its own), with the same number of threads, loads the CSV once and
runs each query a few times; the table shows medians.

Every engine materialises each result (itq: `let`, DuckDB: a temporary
table, Polars: a data frame) and writes its last one to Parquet, outside the
timing. The answers are then compared: rows sorted (unless the query's order
is part of its answer), numbers compared as floats within a relative 1e-6,
NaN as null. A difference is a failure, printed loudly, and the run exits 1.
"""

import json
import math
import os
import shutil
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
THREADS = int(os.environ.get("THREADS", "2"))
RUNS = int(os.environ.get("RUNS", "3"))
ROWS = int(os.environ.get("ROWS", "10000000"))
DATA = os.path.join(HERE, "data", "projects.csv")
PROVINCES = os.path.join(HERE, "data", "provinces.csv")
PROVINCES_MISS = os.path.join(HERE, "data", "provinces_miss.csv")
ANSWERS = os.path.join(HERE, "data", "answers")
ITQ = os.path.join(HERE, "..", "target", "release", "itq")
# Slow shapes run once on large data; the rest RUNS times.
SLOW_RUNS = 1 if ROWS > 2_000_000 else RUNS
YEARS = [2020, 2021, 2022, 2023, 2024]


def q(name, itq, sql, polars, ordered=False, slow=False, target=1.0, check=None):
    """One query: its itq spelling, DuckDB SQL and a Polars function of
    (pl, df, provinces, provinces_miss). `ordered`: the rows' order is part
    of the answer (and is deterministic). `check`: the positions of the
    columns compared (all when None), for answers whose other columns may
    rightly differ (tied rows)."""
    return {
        "name": name,
        "itq": itq,
        "sql": sql,
        "polars": polars,
        "ordered": ordered,
        "check": check,
        "runs": SLOW_RUNS if slow else RUNS,
        "target": target,
    }


def sql_sum(pl, column):
    """SQL's sum in Polars: null, not 0, over no values (a group whose
    investments are all null)."""
    c = pl.col(column)
    return pl.when(c.count() > 0).then(c.sum()).alias(column)


QUERIES = [
    q(
        "Q1 filter sum",
        'projects where province = "Gansu" and sector = "new energy" sum investment',
        "SELECT sum(investment) FROM projects WHERE province = 'Gansu' AND sector = 'new energy'",
        lambda pl, df, pr, pm: df.filter(
            (pl.col("province") == "Gansu") & (pl.col("sector") == "new energy")
        ).select(pl.col("investment").sum()),
    ),
    q(
        "Q2 sum by province",
        "projects sum investment by province",
        "SELECT province, sum(investment) FROM projects GROUP BY province",
        lambda pl, df, pr, pm: df.group_by("province").agg(pl.col("investment").sum()),
    ),
    q(
        "Q3 two keys, sort, limit",
        "projects count, sum investment as s by province, sector sort s desc limit 10",
        "SELECT province, sector, count(*) AS count, sum(investment) AS s FROM projects "
        "GROUP BY province, sector ORDER BY s DESC LIMIT 10",
        lambda pl, df, pr, pm: df.group_by("province", "sector")
        .agg(pl.len().alias("count"), pl.col("investment").sum().alias("s"))
        .sort("s", descending=True)
        .head(10),
        ordered=True,
    ),
    q(
        "Q4 top 10",
        "projects top 10 by investment",
        "SELECT * FROM projects ORDER BY investment DESC NULLS LAST LIMIT 10",
        lambda pl, df, pr, pm: df.top_k(10, by="investment"),
        ordered=True,
        # Investments tie (two decimals): which of the tied rows come is open.
        check=[5],
    ),
    q(
        "Q5 count distinct by year",
        "projects count distinct origin by year",
        "SELECT year, count(DISTINCT origin) FROM projects GROUP BY year",
        lambda pl, df, pr, pm: df.group_by("year").agg(pl.col("origin").n_unique()),
    ),
    q(
        "join, sum by region",
        "projects join provinces on province = name sum investment by region",
        "SELECT region, sum(investment) FROM projects JOIN provinces ON province = name "
        "GROUP BY region",
        lambda pl, df, pr, pm: df.join(pr, left_on="province", right_on="name")
        .group_by("region")
        .agg(pl.col("investment").sum()),
    ),
    q(
        "join, 2.5% unmatched",
        "projects join provinces_miss on province = name sum investment by region",
        "SELECT region, sum(investment) FROM projects JOIN provinces_miss ON province = name "
        "GROUP BY region",
        lambda pl, df, pr, pm: df.join(pm, left_on="province", right_on="name")
        .group_by("region")
        .agg(pl.col("investment").sum()),
    ),
    q(
        "join large x large",
        "projects select id, investment join (projects where year >= 2012 select id, year) "
        "on id sum investment by year",
        "SELECT r.year, sum(p.investment) FROM projects p JOIN "
        "(SELECT id, year FROM projects WHERE year >= 2012) r ON p.id = r.id GROUP BY r.year",
        lambda pl, df, pr, pm: df.select("id", "investment")
        .join(df.filter(pl.col("year") >= 2012).select("id", "year"), on="id")
        .group_by("year")
        .agg(pl.col("investment").sum()),
        slow=True,
    ),
    q(
        "group 2 keys (~10^2.7)",
        "projects count, avg investment by sector, year",
        "SELECT sector, year, count(*), avg(investment) FROM projects GROUP BY sector, year",
        lambda pl, df, pr, pm: df.group_by("sector", "year").agg(
            pl.len(), pl.col("investment").mean()
        ),
    ),
    q(
        "group 3 keys (~10^4)",
        "projects count, sum investment by province, sector, year",
        "SELECT province, sector, year, count(*), sum(investment) FROM projects "
        "GROUP BY province, sector, year",
        lambda pl, df, pr, pm: df.group_by("province", "sector", "year").agg(
            pl.len(), pl.col("investment").sum()
        ),
    ),
    q(
        "group text key (10^5)",
        "projects sum investment by firm",
        "SELECT firm, sum(investment) FROM projects GROUP BY firm",
        lambda pl, df, pr, pm: df.group_by("firm").agg(sql_sum(pl, "investment")),
    ),
    q(
        "group int key (~10^6)",
        "projects sum investment by plant",
        "SELECT plant, sum(investment) FROM projects GROUP BY plant",
        lambda pl, df, pr, pm: df.group_by("plant").agg(sql_sum(pl, "investment")),
    ),
    q(
        "group text+int (~10^6)",
        "projects max investment, min investment by firm, year",
        "SELECT firm, year, max(investment), min(investment) FROM projects GROUP BY firm, year",
        lambda pl, df, pr, pm: df.group_by("firm", "year").agg(
            pl.col("investment").max().alias("max"), pl.col("investment").min().alias("min")
        ),
        slow=True,
    ),
    q(
        "group 6 keys (~10^7)",
        "projects count, sum investment by province, sector, origin, year, firm, plant",
        "SELECT province, sector, origin, year, firm, plant, count(*), sum(investment) "
        "FROM projects GROUP BY province, sector, origin, year, firm, plant",
        lambda pl, df, pr, pm: df.group_by(
            "province", "sector", "origin", "year", "firm", "plant"
        ).agg(pl.len(), sql_sum(pl, "investment")),
        slow=True,
    ),
    q(
        "group int key (10^7)",
        "projects count, sum investment by id",
        "SELECT id, count(*), sum(investment) FROM projects GROUP BY id",
        lambda pl, df, pr, pm: df.group_by("id").agg(pl.len(), sql_sum(pl, "investment")),
        slow=True,
    ),
    q(
        "count distinct (~10^6)",
        "projects count distinct plant",
        "SELECT count(DISTINCT plant) FROM projects",
        lambda pl, df, pr, pm: df.select(pl.col("plant").n_unique()),
    ),
    q(
        "count distinct text by year",
        "projects count distinct firm by year",
        "SELECT year, count(DISTINCT firm) FROM projects GROUP BY year",
        lambda pl, df, pr, pm: df.group_by("year").agg(pl.col("firm").n_unique()),
    ),
    q(
        "full sort",
        "projects sort investment desc, id",
        "SELECT * FROM projects ORDER BY investment DESC NULLS LAST, id",
        lambda pl, df, pr, pm: df.sort(
            ["investment", "id"], descending=[True, False], nulls_last=True
        ),
        ordered=True,
        slow=True,
    ),
    q(
        "top 3 per province",
        "projects top 3 by investment per province select province, investment",
        "SELECT province, investment FROM projects QUALIFY row_number() OVER "
        "(PARTITION BY province ORDER BY investment DESC NULLS LAST) <= 3",
        lambda pl, df, pr, pm: df.group_by("province")
        .agg(pl.col("investment").top_k(3))
        .explode("investment"),
    ),
    q(
        "top 3 per firm (10^5)",
        "projects top 3 by investment per firm select firm, investment",
        "SELECT firm, investment FROM projects QUALIFY row_number() OVER "
        "(PARTITION BY firm ORDER BY investment DESC NULLS LAST) <= 3",
        lambda pl, df, pr, pm: df.sort("investment", descending=True, nulls_last=True)
        .group_by("firm")
        .head(3)
        .select("firm", "investment"),
        slow=True,
    ),
    q(
        "window rank per province",
        "projects derive rank() as r per province along investment desc select id, r",
        "SELECT id, rank() OVER (PARTITION BY province ORDER BY investment DESC NULLS LAST) "
        "AS r FROM projects",
        lambda pl, df, pr, pm: df.select(
            "id",
            pl.col("investment")
            .fill_null(-1.0)
            .rank("min", descending=True)
            .over("province")
            .alias("r"),
        ),
        slow=True,
    ),
    q(
        "window lag per 2 keys",
        "projects derive lag(investment) as prev per province, sector along id select id, prev",
        "SELECT id, lag(investment) OVER (PARTITION BY province, sector ORDER BY id) AS prev "
        "FROM projects",
        lambda pl, df, pr, pm: df.select(
            "id",
            pl.col("investment").shift(1).over("province", "sector", order_by="id").alias("prev"),
        ),
        slow=True,
    ),
    q(
        "window running sum per firm",
        "projects derive running_sum(investment) as so_far per firm along id select id, so_far",
        "SELECT id, sum(investment) OVER (PARTITION BY firm ORDER BY id ROWS UNBOUNDED PRECEDING) "
        "AS so_far FROM projects",
        lambda pl, df, pr, pm: df.select(
            "id",
            pl.col("investment")
            .cum_sum()
            .forward_fill()
            .over("firm", order_by="id")
            .alias("so_far"),
        ),
        slow=True,
    ),
    q(
        "stddev, quantile, corr by province",
        "projects stddev investment, quantile(investment, 0.9), corr(investment, year) by province",
        "SELECT province, stddev_samp(investment), quantile_cont(investment, 0.9), "
        "corr(investment, year) FROM projects GROUP BY province",
        lambda pl, df, pr, pm: df.group_by("province").agg(
            pl.col("investment").std(),
            pl.col("investment").quantile(0.9, interpolation="linear").alias("q"),
            pl.corr("investment", pl.col("year").cast(pl.Float64)).alias("c"),
        ),
    ),
    q(
        "stddev, median by firm (10^5)",
        "projects stddev investment, median investment by firm",
        "SELECT firm, stddev_samp(investment), median(investment) FROM projects GROUP BY firm",
        lambda pl, df, pr, pm: df.group_by("firm").agg(
            pl.col("investment").std(), pl.col("investment").median().alias("m")
        ),
        slow=True,
    ),
    q(
        "pivot years by province",
        "projects pivot year in (" + ", ".join(map(str, YEARS)) + ") sum investment by province",
        "SELECT province, "
        + ", ".join(f'sum(investment) FILTER (WHERE year = {y}) AS "{y}"' for y in YEARS)
        + " FROM projects GROUP BY province",
        lambda pl, df, pr, pm: df.filter(pl.col("year").is_in(YEARS))
        .pivot(on="year", index="province", values="investment", aggregate_function="sum")
        .select("province", *[str(y) for y in YEARS]),
    ),
]

# The join whose keys all match, and the same join with a few unmatched.
JOIN_PAIR = ("join, sum by region", "join, 2.5% unmatched")
JOIN_TARGET = 1.2


def timed(f):
    start = time.perf_counter()
    out = f()
    return (time.perf_counter() - start) * 1000.0, out


def answer_path(engine, i):
    return os.path.join(ANSWERS, engine, f"{i:02}.parquet")


def run_duckdb():
    import duckdb

    con = duckdb.connect()
    con.execute(f"SET threads TO {THREADS}")
    con.execute(f"CREATE TABLE provinces AS SELECT * FROM read_csv('{PROVINCES}')")
    con.execute(f"CREATE TABLE provinces_miss AS SELECT * FROM read_csv('{PROVINCES_MISS}')")
    load, _ = timed(
        lambda: con.execute(f"CREATE TABLE projects AS SELECT * FROM read_csv('{DATA}')")
    )
    times = {}
    for i, query in enumerate(QUERIES):
        make = f"CREATE OR REPLACE TEMP TABLE bench_r AS {query['sql']}"
        times[query["name"]] = [timed(lambda: con.execute(make))[0] for _ in range(query["runs"])]
        con.execute(f"COPY bench_r TO '{answer_path('duckdb', i)}' (FORMAT parquet)")
    return {"load": [load], "queries": times, "version": duckdb.__version__}


def run_polars(categorical):
    import polars as pl

    engine = "polars-cat" if categorical else "polars"
    load, df = timed(lambda: pl.read_csv(DATA))
    if categorical:
        df = df.with_columns(pl.col("province", "sector", "origin", "firm").cast(pl.Categorical))
    pr = pl.read_csv(PROVINCES)
    pm = pl.read_csv(PROVINCES_MISS)
    if categorical:
        pr = pr.with_columns(pl.col("name").cast(pl.Categorical))
        pm = pm.with_columns(pl.col("name").cast(pl.Categorical))
    times = {}
    for i, query in enumerate(QUERIES):
        runs = [timed(lambda: query["polars"](pl, df, pr, pm)) for _ in range(query["runs"])]
        times[query["name"]] = [ms for ms, _ in runs]
        runs[-1][1].write_parquet(answer_path(engine, i))
    return {"load": [load], "queries": times, "version": pl.__version__}


def run_itq():
    """itq runs one script: the loads, then each query as a `let` (which
    materialises it) a few times, then a `save` of the last result;
    `--timer` gives each statement's time measured inside the process."""
    lines = [
        'load "projects.csv" as projects',  # relative to the script
        'load "provinces_miss.csv" as provinces_miss',
    ]
    for i, query in enumerate(QUERIES):
        lines += [f"let bench_r = {query['itq']}"] * query["runs"]
        lines.append(f'save bench_r to "{answer_path("itq", i)}" replace')
    script = os.path.join(HERE, "data", "bench.itq")
    with open(script, "w") as f:
        f.write("\n".join(lines) + "\n")
    start = time.perf_counter()
    p = subprocess.run(
        [ITQ, "--timer", "--quiet", "--format", "csv", "data/bench.itq"],
        cwd=HERE,
        capture_output=True,
        text=True,
        env={**os.environ, "RAYON_NUM_THREADS": str(THREADS)},
    )
    whole = (time.perf_counter() - start) * 1000.0
    if p.returncode != 0:
        raise SystemExit("itq failed:\n" + p.stderr)
    ms = [float(l.split()[1]) for l in p.stderr.splitlines() if l.startswith("time: ")]
    times, at = {}, 2
    for query in QUERIES:
        times[query["name"]] = ms[at : at + query["runs"]]
        at += query["runs"] + 1  # the runs, then the save
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
    os.makedirs(os.path.join(ANSWERS, engine), exist_ok=True)
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


def normalised(pl, path, ordered, check):
    """An answer in a form the engines agree on: columns by position, numbers
    as floats (NaN as null), text as text; rows sorted unless `ordered`."""
    df = pl.read_parquet(path)
    df.columns = [f"c{i}" for i in range(df.width)]
    if check is not None:
        df = df.select(df.columns[i] for i in check)
    cols = []
    for name, dtype in df.schema.items():
        c = pl.col(name)
        if dtype.is_numeric():
            c = c.cast(pl.Float64)
            c = pl.when(c.is_nan()).then(None).otherwise(c)
        elif dtype != pl.String:
            c = c.cast(pl.String)
        cols.append(c.alias(name))
    df = df.select(cols)
    if not ordered:
        # Sort on rounded numbers, so two sums that differ in the last bits
        # still sort alike; the comparison then allows for those bits.
        keys = [
            pl.col(n).round_sig_figs(6) if t == pl.Float64 else pl.col(n)
            for n, t in df.schema.items()
        ]
        df = df.sort(keys, nulls_last=True)
    return df


def difference(pl, a, b):
    """None if the two normalised answers agree, else what differs."""
    if a.shape != b.shape:
        return f"{a.height} rows x {a.width} columns against {b.height} x {b.width}"
    for name, dtype in a.schema.items():
        x, y = a[name], b[name]
        if dtype == pl.Float64 and b.schema[name] == pl.Float64:
            both = pl.DataFrame({"x": x, "y": y})
            bad = both.with_row_index().filter(
                (pl.col("x").is_null() != pl.col("y").is_null())
                | (
                    (pl.col("x") - pl.col("y")).abs()
                    > 1e-6 * pl.max_horizontal(pl.col("x").abs(), pl.col("y").abs(), 1.0)
                )
            )
        else:
            both = pl.DataFrame({"x": x.cast(pl.String), "y": y.cast(pl.String)})
            bad = both.with_row_index().filter(~pl.col("x").eq_missing(pl.col("y")))
        if bad.height:
            r = bad.row(0, named=True)
            return (
                f"{bad.height} rows differ in column {name}; "
                f"first at row {r['index']}: {r['x']} against {r['y']}"
            )
    return None


def check_answers():
    """Compares each query's answers; returns (verdict, rows) per query."""
    import polars as pl

    verdicts = []
    for i, query in enumerate(QUERIES):
        base = normalised(pl, answer_path("itq", i), query["ordered"], query["check"])
        problems = []
        for e in ENGINES:
            if e == "itq":
                continue
            d = difference(pl, base, normalised(pl, answer_path(e, i), query["ordered"], query["check"]))
            if d:
                problems.append(f"itq vs {e}: {d}")
        verdicts.append((problems, base.height))
    return verdicts


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


def table(header, rows):
    widths = [max(len(str(r[i])) for r in [header, *rows]) for i in range(len(header))]
    line = lambda r: "| " + " | ".join(str(c).ljust(w) for c, w in zip(r, widths)) + " |"
    print(line(header))
    print("|" + "|".join("-" * (w + 2) for w in widths) + "|")
    for r in rows:
        print(line(r))


def main():
    shutil.rmtree(ANSWERS, ignore_errors=True)
    started = time.perf_counter()
    results = {}
    for e in ENGINES:
        print(f"running {e}...", file=sys.stderr, flush=True)
        results[e] = measure(e)
    print("checking answers...", file=sys.stderr, flush=True)
    verdicts = check_answers()
    peers = [e for e in ENGINES if e != "itq"]
    header = ["", "rows out", *ENGINES, "itq / best", "target", "met", "answers"]
    rows, missed, different = [], [], []
    med = lambda e, name: statistics.median(
        results[e]["load"] if name == "load" else results[e]["queries"][name]
    )

    def ratio_row(name, target, best_of, out, verdict):
        m = {e: med(e, name) for e in ENGINES}
        best = min(m[e] for e in best_of)
        ratio = m["itq"] / best
        met = ratio <= target
        if not met:
            missed.append(name)
        return [
            name,
            out,
            *[fmt(m[e]) for e in ENGINES],
            f"{ratio:.2f}x",
            f"<= {target:.1f}x",
            "yes" if met else "NO",
            verdict,
        ]

    rows.append(ratio_row("load", 1.0, ["polars"], f"{ROWS:,}", ""))
    for query, (problems, height) in zip(QUERIES, verdicts):
        if problems:
            different.append((query["name"], problems))
        verdict = "DIFFERENT" if problems else "equal"
        rows.append(ratio_row(query["name"], query["target"], peers, f"{height:,}", verdict))
    peak = {e: results[e]["peak_mb"] for e in ENGINES}
    peak_met = peak["itq"] <= peak["duckdb"]
    if not peak_met:
        missed.append("peak memory")
    rows.append(
        [
            "peak memory",
            "",
            *[f"{peak[e]:,.0f} MB" for e in ENGINES],
            f"{peak['itq'] / peak['duckdb']:.2f}x duckdb",
            "<= 1.0x duckdb",
            "yes" if peak_met else "NO",
            "",
        ]
    )
    table(header, rows)
    print()
    matched, unmatched = (med("itq", n) for n in JOIN_PAIR)
    join_ratio = unmatched / matched
    join_met = join_ratio <= JOIN_TARGET
    if not join_met:
        missed.append("unmatched join / matched join")
    print(
        f"itq join with unmatched keys / all keys matching: {join_ratio:.2f}x "
        f"(target <= {JOIN_TARGET}x): {'met' if join_met else 'NOT MET'}"
    )
    print(
        f"rows: {ROWS:,}; threads: {THREADS}; median of {RUNS} runs after loading "
        f"({SLOW_RUNS} for the slow shapes); load is one run; load target is Polars' read_csv"
    )
    print(
        "versions: "
        + ", ".join(f"{e} {r['version']}" for e, r in results.items() if e != "polars-cat")
    )
    print(f"itq whole process (load + all queries + saves + start-up): {fmt(results['itq']['whole'])}")
    print(f"itq -c 'provinces count', whole process, median of 30: {whole_process():.1f} ms")
    print(f"load average at the end: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    print(f"the whole benchmark took {fmt((time.perf_counter() - started) * 1000.0)}")
    print(f"targets missed: {', '.join(missed) if missed else 'none'}")
    if different:
        print()
        print("!" * 72)
        print(f"!!! ANSWERS DIFFER in {len(different)} of {len(QUERIES)} queries:")
        for name, problems in different:
            for p in problems:
                print(f"!!! {name}: {p}")
        print("!" * 72)
        sys.exit(1)
    print(f"answers: all {len(QUERIES)} queries equal across the four engines")


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--child":
        child(sys.argv[2])
    else:
        main()
