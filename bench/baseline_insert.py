#!/usr/bin/env python3
"""The baseline for `pdconsent consent record --batch`: the same rows, bare SQLite.

    python3 bench/baseline_insert.py DB JSONL [--batch-size N]

Reads JSONL (as written by bench/gen_consents.py; "-" for stdin) line by line
with json.loads and inserts into DB, with Python's sqlite3, one row per
(submission, agreement) — event 'given' for each of the submission's
`agreements`, 'refused' for each of its `refused` — that is, the rows pdconsent
would record, without its Merkle tree, commitments, salts, envelopes, hash
chain or checks. The table `baseline_events` (source, agreement, event, fields,
ip, url, user_agent, at, external_id; `fields` is the submission's fields as
JSON text) has no index and no constraint; it is created if missing, and rows
are appended to what is there. The database runs with journal_mode=WAL and
synchronous=FULL, as pdconsent does, and commits every N input lines (default
1000) and at the end.

Prints one JSON object on stdout, e.g.

    {"lines": 100000, "rows": 234398, "batch_size": 1000, "elapsed_s": 3.536, "rows_per_s": 66287, "lines_per_s": 28280}

elapsed_s is wall time from opening the database to the last commit, reading
and parsing included. Python standard library only.
"""

import argparse
import json
import sqlite3
import sys
import time

SCHEMA = """CREATE TABLE IF NOT EXISTS baseline_events (
    source      TEXT NOT NULL,
    agreement   TEXT NOT NULL,
    event       TEXT NOT NULL,
    fields      TEXT NOT NULL,
    ip          TEXT,
    url         TEXT,
    user_agent  TEXT,
    at          TEXT NOT NULL,
    external_id TEXT
)"""
INSERT = "INSERT INTO baseline_events VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("db", metavar="DB", help="the SQLite file (created if missing)")
    p.add_argument("jsonl", metavar="JSONL", help='submissions, one JSON object a line ("-" for stdin)')
    p.add_argument("--batch-size", type=int, default=1000, metavar="N",
                   help="commit every N input lines (default 1000)")
    a = p.parse_args()
    if a.batch_size < 1:
        p.error("--batch-size must be 1 or more")

    src = sys.stdin if a.jsonl == "-" else open(a.jsonl, encoding="utf-8")
    started = time.perf_counter()
    db = sqlite3.connect(a.db, isolation_level=None)   # transactions are explicit below
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA synchronous=FULL")
    db.execute(SCHEMA)
    dumps = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode
    lines = rows_total = 0
    rows = []
    in_batch = 0
    db.execute("BEGIN")
    for line in src:
        if not line.strip():
            continue
        d = json.loads(line)
        fields = dumps(d["fields"])
        common = (fields, d.get("ip"), d.get("url"), d.get("user_agent"), d["at"],
                  d.get("external_id"))
        s = d["source"]
        for ag in d["agreements"]:
            rows.append((s, ag, "given") + common)
        for ag in d.get("refused", ()):
            rows.append((s, ag, "refused") + common)
        lines += 1
        in_batch += 1
        if in_batch == a.batch_size:
            db.executemany(INSERT, rows)
            db.execute("COMMIT")
            rows_total += len(rows)
            rows = []
            in_batch = 0
            db.execute("BEGIN")
    db.executemany(INSERT, rows)
    db.execute("COMMIT")
    rows_total += len(rows)
    db.close()
    elapsed = time.perf_counter() - started
    print(json.dumps({
        "lines": lines,
        "rows": rows_total,
        "batch_size": a.batch_size,
        "elapsed_s": round(elapsed, 3),
        "rows_per_s": round(rows_total / elapsed) if elapsed > 0 else None,
        "lines_per_s": round(lines / elapsed) if elapsed > 0 else None,
    }))


if __name__ == "__main__":
    main()
