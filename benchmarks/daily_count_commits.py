"""Answers a second when each answer also adds to today's count: one row vs slots (SKIP LOCKED).

    python3 benchmarks/daily_count_commits.py \
        [--database-url postgres://postgres@127.0.0.1:5432/clinlead_bench] [--connections 8]

An answer's transaction writes its box and adds one to the day's count, then commits; a row
updated stays locked until the commit is flushed to disk. With one count row, every answer waits
for the previous answer's flush, so answers a second cannot exceed the disk's flushes a second,
whatever the CPU. The baseline (the old way, one row) runs in the same process, and the ratio is
printed. Plain psycopg and the same SQL as `clinlead.audit.services.count_today`, so the figure
says what the disk allows, not what the CPU does: it holds on a machine others keep busy.
"""

import argparse
import os
import sys
import threading
import time

import psycopg

SETUP = """
DROP TABLE IF EXISTS bench_count; DROP TABLE IF EXISTS bench_box;
CREATE TABLE bench_count (id serial PRIMARY KEY, slot int NOT NULL UNIQUE, count int NOT NULL);
CREATE TABLE bench_box (id bigserial PRIMARY KEY, box bytea);
INSERT INTO bench_count (slot, count) VALUES (0, 0);
"""
ONE_ROW = "UPDATE bench_count SET count = count + 1 WHERE slot = 0"
FREE_SLOT = """UPDATE bench_count SET count = count + 1 WHERE id = (
    SELECT id FROM bench_count ORDER BY slot LIMIT 1 FOR UPDATE SKIP LOCKED)"""
NEW_SLOT = (
    "INSERT INTO bench_count (slot, count) SELECT coalesce(max(slot), -1) + 1, 1 FROM bench_count"
)


def add_to_a_free_slot(conn):
    while not conn.execute(FREE_SLOT).rowcount:
        try:
            with conn.transaction():
                conn.execute(NEW_SLOT)
            return
        except psycopg.errors.UniqueViolation:
            continue


def run(url, slots, connections, seconds):
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(SETUP)
    latencies, lock = [], threading.Lock()
    stop = time.perf_counter() + seconds

    def answerer():
        with psycopg.connect(url) as conn:
            while time.perf_counter() < stop:
                started = time.perf_counter()
                conn.execute("INSERT INTO bench_box (box) VALUES (%s)", [os.urandom(600)])
                if slots:
                    add_to_a_free_slot(conn)
                else:
                    conn.execute(ONE_ROW)
                conn.commit()
                with lock:
                    latencies.append(time.perf_counter() - started)

    threads = [threading.Thread(target=answerer) for _ in range(connections)]
    started = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - started
    with psycopg.connect(url) as conn:
        rows, total = conn.execute("SELECT count(*), sum(count) FROM bench_count").fetchone()
        conn.execute("DROP TABLE bench_count; DROP TABLE bench_box")
    if total != len(latencies):
        sys.exit(f"count {total} != {len(latencies)} answers")
    latencies.sort()
    return len(latencies) / elapsed, latencies, rows


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--database-url", default="postgres://postgres@127.0.0.1:5432/clinlead_bench"
    )
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=10)
    args = parser.parse_args()
    figures = {}
    for name, slots in (("one row (baseline)", False), ("slots, SKIP LOCKED", True)):
        rate, lat, rows = run(args.database_url, slots, args.connections, args.seconds)
        figures[name] = rate
        print(
            f"{name:20} {rate:6.0f} answers/s, p50 {lat[len(lat) // 2] * 1000:.1f} ms, "
            f"p99 {lat[int(len(lat) * 0.99)] * 1000:.1f} ms, {rows} count rows "
            f"({args.connections} connections, load {os.getloadavg()[0]:.1f})"
        )
    ratio = figures["slots, SKIP LOCKED"] / figures["one row (baseline)"]
    print(f"ratio to baseline: {ratio:.1f}x the answers a second")


if __name__ == "__main__":
    main()
