#!/usr/bin/env bash
# Times the consent ledger against bare-SQLite baselines, side by side in one run,
# and prints a Markdown table (for docs/performance.md) on stdout; progress on stderr.
#
#   bash bench/ledger.sh                                    # full size (~12 minutes on 2 busy cores)
#   N_BATCH=5000 N_VERIFY=20000 RUNS=5 bash bench/ledger.sh  # a quick run
#
# a. `consent record --batch FILE --group-lines 500` of N_BATCH submissions into a fresh
#    database (the generated configuration applied first) vs `bench/baseline_insert.py
#    --batch-size 500` of the same JSONL into a fresh database: submissions/s.
#    Target: pdconsent >= 1.0x the baseline.
# b. one `consent record --source S --field …` process vs one `sqlite3 DB "INSERT …"`
#    process, both into the database of (a), interleaved: median of RUNS_SINGLE runs each.
#    Target: <= 2x.
# c. `ledger verify` of a database of >= N_VERIFY leaves (built with `record --batch`):
#    leaves/s and peak RSS (/usr/bin/time). Targets: >= 500,000 leaves/s, < 32 MiB.
#    Also, for comparison, `consent export` and `python3 docs/verify_ledger.py` of it
#    (VERIFY_PY=0 leaves them out).
# d. at that size: `consent status`, `ledger prove`, `consent list --limit 20` and
#    `consent receipt --format json` (the database of (c) has a signing key, so a receipt
#    reads a stored checkpoint), each vs `pdconsent info` on the same file, interleaved:
#    median of RUNS runs. Target: <= 2x.
# e. the batch of (a) into a fresh database with a signing key (a checkpoint signed in each
#    committed group) vs without, alternated twice: the ratio of the summed wall times.
#    Target: signing adds <= 10% (ratio <= 1.10).
#
# Environment: N_BATCH (100000), N_VERIFY (1000000), RUNS (10), RUNS_SINGLE (20),
# RUNS_VERIFY (3), SEED (1), VERIFY_PY (1), KEEP=DIR (keep the databases in DIR).
# Inputs come from bench/gen_consents.py with a fixed seed, so every run records the same
# submissions. Wall times are taken with bash's $EPOCHREALTIME (no process forked to read
# the clock) around each command, whose output goes to /dev/null. Not part of `cargo test`:
# speed is measured here, never asserted in a test.
set -euo pipefail
cd "$(dirname "$0")/.."

N_BATCH=${N_BATCH:-100000}
N_VERIFY=${N_VERIFY:-1000000}
RUNS=${RUNS:-10}
RUNS_SINGLE=${RUNS_SINGLE:-20}
RUNS_VERIFY=${RUNS_VERIFY:-3}
SEED=${SEED:-1}
VERIFY_PY=${VERIFY_PY:-1}

# shellcheck source=bench/lib.sh
source bench/lib.sh
# the tree size of a database
tree_size() { "$bin" --db "$1" ledger head | sed -n 2p; }
# the number of consent events (given, refused, withdrawn) of a database
consent_events() {
    "$bin" --db "$1" info --format json |
        python3 -c 'import json, sys; print(json.load(sys.stdin)["counts"]["consent_events"])'
}

commit=$(git rev-parse --short HEAD 2>/dev/null || echo "?")
dirty=$(git status --porcelain --untracked-files=no 2>/dev/null | grep -q . && echo " (uncommitted changes)" || true)
cpu=$(awk -F': ' '/model name/ { print $2; exit }' /proc/cpuinfo 2>/dev/null || echo "?")

# ---------------------------------------------------------------------------
# a. batch record vs the bare-SQLite baseline
# ---------------------------------------------------------------------------
log "a: generating $N_BATCH submissions"
python3 bench/gen_consents.py --config "$work/a.toml" --submissions "$N_BATCH" \
    --out "$work/a.jsonl" --seed "$SEED"
a_db=$work/a.db
base_db=$work/baseline.db
fresh "$a_db"
fresh "$base_db"
PDCONSENT_NOW=$APPLY_NOW "$bin" --db "$a_db" apply "$work/a.toml" >"$work/apply.out" 2>&1 ||
    { cat "$work/apply.out" >&2; exit 2; }
cat "$work/a.jsonl" >/dev/null   # both read it from the page cache
log "a: pdconsent consent record --batch"
measure_v "$bin" --db "$a_db" consent record --batch "$work/a.jsonl" --group-lines 500
a_us=$M_US a_kib=$M_KIB
a_events=$(consent_events "$a_db")
log "a: baseline_insert.py"
t0=$(now_us)
base_json=$(python3 bench/baseline_insert.py "$base_db" "$work/a.jsonl" --batch-size 500)
t1=$(now_us)
base_us=$((t1 - t0))
base_rows=$(python3 -c 'import json,sys; print(json.loads(sys.argv[1])["rows"])' "$base_json")
base_inner_s=$(python3 -c 'import json,sys; print(json.loads(sys.argv[1])["elapsed_s"])' "$base_json")
a_rate=$(awk -v n="$N_BATCH" -v u="$a_us" 'BEGIN { printf "%d", n / (u / 1e6) }')
base_rate=$(awk -v n="$N_BATCH" -v u="$base_us" 'BEGIN { printf "%d", n / (u / 1e6) }')
a_ratio=$(ratio "$a_rate" "$base_rate")

# ---------------------------------------------------------------------------
# e. the same batch with a signing key vs without, alternated
# ---------------------------------------------------------------------------
log "e: batch record with a signing key vs without, twice each"
e_db=$work/e.db
e_key=$work/e.key
e_signed_us=0 e_plain_us=$a_us
for round in 1 2; do
    fresh "$e_db"
    rm -f "$e_key"
    PDCONSENT_NOW=$APPLY_NOW "$bin" --db "$e_db" apply "$work/a.toml" >/dev/null 2>&1
    "$bin" --db "$e_db" --key "$e_key" ledger key init >/dev/null 2>&1
    measure_v "$bin" --db "$e_db" --key "$e_key" consent record --batch "$work/a.jsonl" --group-lines 500
    e_signed_us=$((e_signed_us + M_US))
    if [ "$round" = 1 ]; then
        e_checkpoints=$(sqlite3 "$e_db" "SELECT count(*) FROM ledger_checkpoints")
        fresh "$e_db"
        PDCONSENT_NOW=$APPLY_NOW "$bin" --db "$e_db" apply "$work/a.toml" >/dev/null 2>&1
        measure_v "$bin" --db "$e_db" consent record --batch "$work/a.jsonl" --group-lines 500
        e_plain_us=$((e_plain_us + M_US))
    fi
done
e_ratio=$(ratio "$e_signed_us" "$e_plain_us")

# ---------------------------------------------------------------------------
# b. one record process vs one sqlite3 INSERT, into the large file of (a)
# ---------------------------------------------------------------------------
log "b: single record vs sqlite3 INSERT, $RUNS_SINGLE runs each"
# the first submission of the batch, as flags (NUL-separated)
python3 - "$work/a.jsonl" >"$work/b.args" <<'EOF'
import json, sys
with open(sys.argv[1], encoding="utf-8") as f:
    d = json.loads(f.readline())
args = ["--source", d["source"]]
for k, v in d["fields"].items():
    args += ["--field", "%s=%s" % (k, v)]
for a in d["agreements"]:
    args += ["--agreement", a]
for a in d["refused"]:
    args += ["--refused", a]
args += ["--ip", d["ip"], "--url", d["url"], "--user-agent", d["user_agent"], "--at", d["at"]]
sys.stdout.write("\0".join(args))
EOF
mapfile -d '' b_args <"$work/b.args"
b_source=${b_args[1]}
sqlite3 "$a_db" "CREATE TABLE IF NOT EXISTS bench_t (source TEXT, fields TEXT, ip TEXT, url TEXT, user_agent TEXT, at TEXT)"
b_fields=$(python3 -c '
import json, sys
d = json.loads(open(sys.argv[1], encoding="utf-8").readline())
print(json.dumps(d["fields"], ensure_ascii=False).replace("'"'"'", "'"''"'"))' "$work/a.jsonl")
b_sql="INSERT INTO bench_t VALUES('$b_source', '$b_fields', '203.0.113.7', 'https://severny-veter.ru/contacts', 'Mozilla/5.0', '2026-10-31T12:00:00Z')"
timed "$bin" --db "$a_db" consent record "${b_args[@]}" >/dev/null   # warm-up
timed sqlite3 "$a_db" "$b_sql" >/dev/null
: >"$work/b.rec"
: >"$work/b.sql"
for _ in $(seq "$RUNS_SINGLE"); do
    timed "$bin" --db "$a_db" consent record "${b_args[@]}" >>"$work/b.rec"
    timed sqlite3 "$a_db" "$b_sql" >>"$work/b.sql"
done
b_rec=$(median <"$work/b.rec")
b_sql_us=$(median <"$work/b.sql")
b_ratio=$(ratio "$b_rec" "$b_sql_us")
a_size_mb=$(du -m "$a_db" | cut -f1)

# ---------------------------------------------------------------------------
# c. ledger verify of >= N_VERIFY leaves
# ---------------------------------------------------------------------------
# ~2.34 events a submission (bench/baseline_insert.py's docstring): a margin of 10%.
n_sub=$(( N_VERIFY * 10 / 21 + 100 ))
log "c: generating $n_sub submissions for >= $N_VERIFY leaves"
python3 bench/gen_consents.py --config "$work/c.toml" --submissions "$n_sub" \
    --out "$work/c.jsonl" --seed "$((SEED + 1))"
c_db=$work/c.db
fresh "$c_db"
PDCONSENT_NOW=$APPLY_NOW "$bin" --db "$c_db" apply "$work/c.toml" >"$work/apply.out" 2>&1 ||
    { cat "$work/apply.out" >&2; exit 2; }
export PDCONSENT_KEY=$work/c.key
rm -f "$PDCONSENT_KEY"
"$bin" --db "$c_db" ledger key init >/dev/null 2>&1
log "c: recording them (record --batch)"
measure_v "$bin" --db "$c_db" consent record --batch "$work/c.jsonl" --group-lines 500
c_build_us=$M_US c_build_kib=$M_KIB
c_size=$(tree_size "$c_db")
c_events=$(consent_events "$c_db")
if [ "$c_size" -lt "$N_VERIFY" ]; then
    echo "warning: the ledger has $c_size leaves, fewer than N_VERIFY=$N_VERIFY" >&2
fi
c_mb=$(du -m "$c_db" | cut -f1)
log "c: ledger verify of $c_size leaves, $RUNS_VERIFY runs"
: >"$work/c.wall"
: >"$work/c.rss"
for _ in $(seq "$RUNS_VERIFY"); do
    measure_v "$bin" --db "$c_db" ledger verify
    echo "$M_US" >>"$work/c.wall"
    echo "$M_KIB" >>"$work/c.rss"
done
c_us=$(median <"$work/c.wall")
c_kib=$(sort -n "$work/c.rss" | tail -n 1)
c_rate=$(awk -v n="$c_size" -v u="$c_us" 'BEGIN { printf "%d", n / (u / 1e6) }')
c_rss_mib=$(awk -v k="$c_kib" 'BEGIN { printf "%.1f", k / 1024 }')
if [ "$VERIFY_PY" = 1 ]; then
    log "c: consent export and verify_ledger.py"
    measure_v "$bin" --db "$c_db" consent export -o "$work/c.export.jsonl"
    ex_us=$M_US ex_kib=$M_KIB
    "$bin" --db "$c_db" ledger head >"$work/c.head"
    measure_v python3 docs/verify_ledger.py "$work/c.export.jsonl" --head "$work/c.head"
    py_us=$M_US py_kib=$M_KIB
    ex_mb=$(du -m "$work/c.export.jsonl" | cut -f1)
fi

# ---------------------------------------------------------------------------
# d. queries at that size vs `pdconsent info`
# ---------------------------------------------------------------------------
log "d: queries vs info, $RUNS runs each"
read -r d_source d_email < <(python3 - "$work/c.jsonl" <<'EOF'
import json, sys
# a submission from the middle of the file that has an e-mail address
with open(sys.argv[1], encoding="utf-8") as f:
    lines = f.readlines()
for line in lines[len(lines) // 2:]:
    d = json.loads(line)
    if "адрес электронной почты" in d["fields"]:
        print(d["source"], d["fields"]["адрес электронной почты"])
        break
EOF
)
d_seq=$((c_size / 2))
status_cmd=("$bin" --db "$c_db" consent status --source "$d_source" --subject "email=$d_email")
prove_cmd=("$bin" --db "$c_db" ledger prove "$d_seq")
list_cmd=("$bin" --db "$c_db" consent list --source "$d_source" --limit 20)
receipt_cmd=("$bin" --db "$c_db" consent receipt "$d_seq" --format json)
info_cmd=("$bin" --db "$c_db" info)
# status exits 0 with a valid consent; make sure the subject is found at all
"${status_cmd[@]}" >"$work/status.out" 2>&1 || { echo "consent status failed:" >&2; cat "$work/status.out" >&2; exit 2; }
for name in status prove list receipt info; do : >"$work/d.$name"; done
query() {
    case $1 in
    status) timed "${status_cmd[@]}" ;;
    prove) timed "${prove_cmd[@]}" ;;
    list) timed "${list_cmd[@]}" ;;
    receipt) timed "${receipt_cmd[@]}" ;;
    info) timed "${info_cmd[@]}" ;;
    esac
}
for name in status prove list receipt info; do
    query "$name" >/dev/null   # warm-up
done
for _ in $(seq "$RUNS"); do
    for name in status prove list receipt info; do
        query "$name" >>"$work/d.$name"
    done
done
for name in status prove list receipt info; do
    declare "d_$name=$(median <"$work/d.$name")"
done

# ---------------------------------------------------------------------------
# the report
# ---------------------------------------------------------------------------
cat <<EOF
### Consent ledger: \`bash bench/ledger.sh\` (N_BATCH=$N_BATCH, N_VERIFY=$N_VERIFY)

$(date -u +%Y-%m-%d), commit $commit$dirty, $(nproc) cores ($cpu), $(uname -sr),
$(rustc --version 2>/dev/null || echo "rustc ?"), $(sqlite3 --version | cut -d' ' -f1-2 | sed 's/^/sqlite3 CLI /'), Python $(python3 -c 'import platform; print(platform.python_version())').
Inputs: \`bench/gen_consents.py --seed $SEED\` (a) and \`--seed $((SEED + 1))\` (c, d).

| measurement | pdconsent | baseline | ratio | target | result |
|---|---|---|---|---|---|
| a. batch record, $(num "$N_BATCH") submissions ($(num "$a_events") events), \`--group-lines 500\` vs \`baseline_insert.py --batch-size 500\` ($(num "$base_rows") rows) | $(num "$a_rate") submissions/s ($(ms "$a_us") ms, peak RSS $((a_kib / 1024)) MiB) | $(num "$base_rate") submissions/s ($(ms "$base_us") ms wall; $base_inner_s s inside Python) | $a_ratio× | ≥ 1.0× | $(verdict "$a_ratio" ">=" 1.0) |
| b. one \`consent record --source $b_source\` process vs one \`sqlite3 DB "INSERT …"\`, into the file of (a) ($a_size_mb MB), median of $RUNS_SINGLE | $(ms "$b_rec") ms | $(ms "$b_sql_us") ms | $b_ratio× | ≤ 2× | $(verdict "$b_ratio" "<=" 2) |
| c. \`ledger verify\` of $(num "$c_size") leaves ($(num "$c_events") consent events, $c_mb MB file), median of $RUNS_VERIFY | $(num "$c_rate") leaves/s ($(ms "$c_us") ms) | | | ≥ 500,000/s | $(verdict "$c_rate" ">=" 500000) |
| c. \`ledger verify\` peak RSS (max of $RUNS_VERIFY) | $c_rss_mib MiB | | | < 32 MiB | $(verdict "$c_rss_mib" "<" 32) |
| d. \`consent status --source S --subject email=…\` vs \`info\`, median of $RUNS | $(ms "$d_status") ms | $(ms "$d_info") ms | $(ratio "$d_status" "$d_info")× | ≤ 2× | $(verdict "$(ratio "$d_status" "$d_info")" "<=" 2) |
| d. \`ledger prove $d_seq\` vs \`info\` | $(ms "$d_prove") ms | $(ms "$d_info") ms | $(ratio "$d_prove" "$d_info")× | ≤ 2× | $(verdict "$(ratio "$d_prove" "$d_info")" "<=" 2) |
| d. \`consent list --source S --limit 20\` vs \`info\` | $(ms "$d_list") ms | $(ms "$d_info") ms | $(ratio "$d_list" "$d_info")× | ≤ 2× | $(verdict "$(ratio "$d_list" "$d_info")" "<=" 2) |
| d. \`consent receipt $d_seq --format json\` vs \`info\` | $(ms "$d_receipt") ms | $(ms "$d_info") ms | $(ratio "$d_receipt" "$d_info")× | ≤ 2× | $(verdict "$(ratio "$d_receipt" "$d_info")" "<=" 2) |
| e. batch record of (a) with a signing key ($(num "$e_checkpoints") checkpoints signed) vs without, 2 runs each | $(ms "$e_signed_us") ms | $(ms "$e_plain_us") ms | $e_ratio× | ≤ 1.10× | $(verdict "$e_ratio" "<=" 1.10) |
EOF
echo
echo "Building the database of (c): $(num "$n_sub") submissions recorded with \`record --batch\` in $(ms "$c_build_us") ms ($(awk -v n="$n_sub" -v u="$c_build_us" 'BEGIN { printf "%d", n / (u / 1e6) }') submissions/s, peak RSS $((c_build_kib / 1024)) MiB)."
if [ "$VERIFY_PY" = 1 ]; then
    echo "At that size, \`consent export\`: $(ms "$ex_us") ms, $ex_mb MB, peak RSS $((ex_kib / 1024)) MiB; \`python3 docs/verify_ledger.py --head\` of the export: $(ms "$py_us") ms ($(awk -v n="$c_size" -v u="$py_us" 'BEGIN { printf "%d", n / (u / 1e6) }') leaves/s), peak RSS $((py_kib / 1024)) MiB."
fi
log "done"
