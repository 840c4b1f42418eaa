#!/usr/bin/env bash
# Times `consent export --format csv` and `consent import` against the sqlite3 shell, side by
# side in one run, and prints a Markdown table (for docs/performance.md) on stdout; progress
# on stderr.
#
#   bash bench/export_import.sh                          # 1M events (~6 minutes on 2 cores)
#   N_EVENTS=20000 N_IMPORT=20000 RUNS=2 bash bench/export_import.sh   # a quick run
#   DB=/tmp/benchkeep/c.db bash bench/export_import.sh   # reuse bench/ledger.sh's database (c)
#
# a. `consent export --format csv -o FILE` of every event vs `sqlite3 -csv DB "SELECT …"` of
#    the same columns of the same file (the leaf hash, which SQL cannot compute, left out of
#    sqlite3's; the fields as their stored JSON): median of RUNS, wall and peak RSS.
#    Target: pdconsent at least 2x faster.
# b. the same export of --since/--until covering ~10% of the events vs the full export.
#    Target: about a tenth of the time.
# c. `consent import FILE.csv` of N_IMPORT rows (one event a row, from bench/gen_consents.py)
#    into a fresh database vs `sqlite3 DB ".import --csv FILE t"` of the same file into a plain
#    table: once each. Target: pdconsent at least 1.5x faster.
# d. peak RSS of export, import and `ledger verify`. Target: at most 32 MiB.
#
# Environment: N_EVENTS (1000000), N_IMPORT (1000000), RUNS (3), SEED (3), DB (a database
# to reuse: with its generated configuration and submissions beside it as *.toml), KEEP=DIR.
# Not part of `cargo test`: speed is measured here, never asserted in a test.
set -euo pipefail
cd "$(dirname "$0")/.."

N_EVENTS=${N_EVENTS:-1000000}
N_IMPORT=${N_IMPORT:-1000000}
RUNS=${RUNS:-3}
SEED=${SEED:-3}

# shellcheck source=bench/lib.sh
source bench/lib.sh

# ---------------------------------------------------------------------------
# the database to export from
# ---------------------------------------------------------------------------
if [ -n "${DB:-}" ]; then
    db=$DB
    log "reusing $db"
else
    n_sub=$(( N_EVENTS * 10 / 21 + 100 ))
    log "generating $n_sub submissions for >= $N_EVENTS events"
    python3 bench/gen_consents.py --config "$work/x.toml" --submissions "$n_sub" \
        --out "$work/x.jsonl" --seed "$SEED"
    db=$work/x.db
    fresh "$db"
    PDCONSENT_NOW=$APPLY_NOW "$bin" --db "$db" apply "$work/x.toml" >/dev/null 2>&1
    log "recording them"
    "$bin" --db "$db" consent record --batch "$work/x.jsonl" >/dev/null 2>"$work/record.err"
fi
events=$(sqlite3 "$db" "SELECT count(*) FROM ledger_leaves WHERE kind IN ('given','refused','withdrawn')")
db_mb=$(du -m "$db" | cut -f1)

# ---------------------------------------------------------------------------
# a, b: export
# ---------------------------------------------------------------------------
SQL="SELECT l.seq, l.kind, l.at, l.recorded_at, l.agreement,
  (SELECT json_extract(r.settings, '\$.name') FROM agreement_revisions r JOIN agreements a ON a.id = r.agreement_id
    WHERE a.code = l.agreement AND r.revision = l.revision),
  l.revision, l.text_sha256, l.source, (SELECT kind FROM sources s WHERE s.code = l.source),
  e.ip, e.url, e.user_agent, l.external_id,
  (SELECT w.at FROM ledger_leaves w WHERE l.kind = 'given' AND w.withdraws = l.seq AND w.kind = 'withdrawn'),
  l.withdraws, l.channel, e.reason, e.fields, l.commitment
FROM ledger_leaves l LEFT JOIN ledger_envelopes e ON e.id = l.envelope
WHERE l.kind IN ('given', 'refused', 'withdrawn') ORDER BY l.seq"
# the last ~10% of the events by time
range=$(sqlite3 "$db" "SELECT min(at), max(at) FROM (SELECT at FROM ledger_leaves WHERE kind IN ('given','refused','withdrawn') ORDER BY at DESC LIMIT (SELECT count(*) / 10 FROM ledger_leaves))")
since=${range%|*}
until=${range#*|}
log "a: export vs sqlite3 -csv, $RUNS runs each; b: --since $since"
: >"$work/a.pd"; : >"$work/a.sq"; : >"$work/b.pd"; : >"$work/rss.export"
for _ in $(seq "$RUNS"); do
    measure_v "$bin" --db "$db" consent export --format csv -o "$work/out.csv"
    echo "$M_US" >>"$work/a.pd"; echo "$M_KIB" >>"$work/rss.export"
    OUT=$work/out.sqlite.csv measure_v sqlite3 -csv -header "$db" "$SQL"
    echo "$M_US" >>"$work/a.sq"
    measure_v "$bin" --db "$db" consent export --format csv --since "$since" --until "$until" -o "$work/range.csv"
    echo "$M_US" >>"$work/b.pd"
done
a_pd=$(median <"$work/a.pd"); a_sq=$(median <"$work/a.sq"); b_pd=$(median <"$work/b.pd")
export_kib=$(sort -n "$work/rss.export" | tail -n 1)
out_mb=$(du -m "$work/out.csv" | cut -f1)
range_rows=$(( $(wc -l <"$work/range.csv") - 1 ))
full_rows=$(( $(wc -l <"$work/out.csv") - 1 ))

# ---------------------------------------------------------------------------
# c: import
# ---------------------------------------------------------------------------
log "c: generating an import file of $N_IMPORT rows"
n_isub=$(( N_IMPORT * 10 / 21 + 100 ))
python3 bench/gen_consents.py --config "$work/i.toml" --submissions "$n_isub" \
    --out "$work/i.jsonl" --seed "$((SEED + 1))"
python3 - "$work/i.jsonl" "$work/i.csv" "$N_IMPORT" <<'EOF'
import csv, json, sys
src, dst, limit = sys.argv[1], sys.argv[2], int(sys.argv[3])
captions = []
with open(src, encoding="utf-8") as f:
    for line in f:
        for k in json.loads(line)["fields"]:
            if k not in captions:
                captions.append(k)
n = 0
with open(src, encoding="utf-8") as f, open(dst, "w", encoding="utf-8", newline="") as out:
    w = csv.writer(out)
    w.writerow(["source", "agreement", "event", "occurred_at", "ip", "url", "user_agent", "external_id"] + captions)
    for line in f:
        d = json.loads(line)
        for event, codes in (("given", d["agreements"]), ("refused", d["refused"])):
            for a in codes:
                if n == limit:
                    break
                w.writerow([d["source"], a, event, d["at"], d["ip"], d["url"], d["user_agent"],
                            "%s-%s" % (d["external_id"], a)] + [d["fields"].get(c, "") for c in captions])
                n += 1
EOF
i_rows=$(( $(wc -l <"$work/i.csv") - 1 ))
i_mb=$(du -m "$work/i.csv" | cut -f1)
idb=$work/i.db
fresh "$idb"
PDCONSENT_NOW=$APPLY_NOW "$bin" --db "$idb" apply "$work/i.toml" >/dev/null 2>&1
cat "$work/i.csv" >/dev/null
log "c: consent import of $i_rows rows"
measure_v "$bin" --db "$idb" consent import "$work/i.csv"
c_pd=$M_US import_kib=$M_KIB
sdb=$work/i.sqlite.db
fresh "$sdb"
log "c: sqlite3 .import"
measure_v sqlite3 "$sdb" ".import --csv $work/i.csv t"
c_sq=$M_US
log "d: ledger verify of the imported database"
measure_v "$bin" --db "$idb" ledger verify
verify_kib=$M_KIB verify_us=$M_US

commit=$(git rev-parse --short HEAD 2>/dev/null || echo "?")
cpu=$(awk -F': ' '/model name/ { print $2; exit }' /proc/cpuinfo 2>/dev/null || echo "?")
mib() { awk -v k="$1" 'BEGIN { printf "%.1f", k / 1024 }'; }
cat <<EOF
### Export and import: \`bash bench/export_import.sh\` (N_EVENTS=$N_EVENTS, N_IMPORT=$N_IMPORT)

$(date -u +%Y-%m-%d), commit $commit, $(nproc) cores ($cpu), $(uname -sr), $(sqlite3 --version | cut -d' ' -f1-2 | sed 's/^/sqlite3 CLI /').
The database: $(num "$events") events, $db_mb MB.

| measurement | pdconsent | sqlite3 | pdconsent faster by | target | result |
|---|---|---|---|---|---|
| a. \`consent export --format csv -o FILE\`, $(num "$full_rows") rows ($out_mb MB) vs \`sqlite3 -csv\` of the same columns, median of $RUNS | $(ms "$a_pd") ms | $(ms "$a_sq") ms | $(ratio "$a_sq" "$a_pd")× | ≥ 2× | $(verdict "$(ratio "$a_sq" "$a_pd")" ">=" 2) |
| c. \`consent import\` of $(num "$i_rows") CSV rows ($i_mb MB) into a fresh database vs \`sqlite3 .import\` into a plain table | $(ms "$c_pd") ms | $(ms "$c_sq") ms | $(ratio "$c_sq" "$c_pd")× | ≥ 1.5× | $(verdict "$(ratio "$c_sq" "$c_pd")" ">=" 1.5) |

| measurement | value | target | result |
|---|---|---|---|
| b. export of --since $since --until $until: $(num "$range_rows") rows ($(ratio "$range_rows" "$full_rows") of all), median of $RUNS | $(ms "$b_pd") ms, $(ratio "$b_pd" "$a_pd") of the full export's time | about $(ratio "$range_rows" "$full_rows") | $(verdict "$(ratio "$b_pd" "$a_pd")" "<=" "$(awk -v r="$range_rows" -v f="$full_rows" 'BEGIN { printf "%.2f", 1.5 * r / f }')") |
| d. peak RSS of the export (max of $RUNS) | $(mib "$export_kib") MiB | ≤ 32 MiB | $(verdict "$(mib "$export_kib")" "<=" 32) |
| d. peak RSS of the import | $(mib "$import_kib") MiB | ≤ 32 MiB | $(verdict "$(mib "$import_kib")" "<=" 32) |
| d. peak RSS of \`ledger verify\` of the imported database ($(ms "$verify_us") ms) | $(mib "$verify_kib") MiB | ≤ 32 MiB | $(verdict "$(mib "$verify_kib")" "<=" 32) |
EOF
log "done"
