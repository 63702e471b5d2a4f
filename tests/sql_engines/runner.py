"""Runs batches of SQL statements on DuckDB or Spark for the differential suite.

Reads {"engine": "duckdb" | "spark", "batches": [[statement, ...], ...]} as JSON
on standard input. Every statement of a batch but the last sets up (tables,
views); the last is the query. DuckDB runs each batch in a fresh database;
Spark in one session, where each batch replaces the views it reads. Writes one JSON line per
batch: {"rows": [[value-as-text-or-null, ...], ...]} or {"error": "..."}.
"""

import datetime
import decimal
import json
import sys


def text(v):
    if v is None:
        return None
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, float):
        return repr(v)
    if isinstance(v, (datetime.date, datetime.datetime)):
        return v.isoformat()[:10]
    if isinstance(v, decimal.Decimal):
        return str(v)
    return str(v)


def strip(sql):
    sql = sql.strip()
    return sql[:-1] if sql.endswith(";") else sql


def duckdb_sessions():
    import duckdb

    while True:
        con = duckdb.connect(":memory:")

        def run(batch, con=con):
            for s in batch[:-1]:
                con.execute(strip(s))
            return con.execute(strip(batch[-1])).fetchall()

        yield run
        con.close()


def spark_sessions():
    from pyspark.sql import SparkSession

    spark = (
        SparkSession.builder.master("local[2]")
        .appName("itq-differential")
        .config("spark.ui.enabled", "false")
        .config("spark.sql.shuffle.partitions", "1")
        .config("spark.sql.adaptive.enabled", "false")
        .config("spark.sql.codegen.wholeStage", "false")
        .config("spark.driver.bindAddress", "127.0.0.1")
        .config("spark.driver.host", "127.0.0.1")
        .config("spark.sql.session.timeZone", "UTC")
        .getOrCreate()
    )
    spark.sparkContext.setLogLevel("ERROR")
    # One session for all batches (a new session per batch costs more than
    # its query): every batch creates the views it reads with CREATE OR
    # REPLACE, and a view made from the same text as last time is kept.
    made = {}
    while True:

        def run(batch):
            for s in batch[:-1]:
                name = s.split(" AS", 1)[0]
                if made.get(name) == s:
                    continue
                made.pop(name, None)
                spark.sql(strip(s))
                made[name] = s
            return [tuple(r) for r in spark.sql(strip(batch[-1])).collect()]

        yield run


def main():
    request = json.load(sys.stdin)
    sessions = {"duckdb": duckdb_sessions, "spark": spark_sessions}[request["engine"]]()
    for batch in request["batches"]:
        run = next(sessions)
        try:
            rows = [[text(v) for v in row] for row in run(batch)]
            out = {"rows": rows}
        except Exception as e:  # the engine's own error, reported as such
            out = {"error": f"{type(e).__name__}: {e}".strip()[:2000]}
        sys.stdout.write(json.dumps(out) + "\n")
        sys.stdout.flush()


if __name__ == "__main__":
    main()
