#!/usr/bin/env bash
# Times `pdconsent apply` on generated files: a first apply into an empty
# database, a no-op re-apply of the same file, `apply --dry-run` with no
# database, and `apply --dry-run` of a broken copy of the file in which every
# agreement names requisites that do not exist (one error per agreement, exit
# 2). Prints a Markdown table (median wall time and median peak RSS of
# RUNS runs) to stdout; progress goes to stderr.
#
#   bash bench/apply.sh                 # N = 1000 4000 16000 32000 agreements, then the requisites case
#   bash bench/apply.sh 1000 4000       # only these N
#   RUNS=1 REQUISITES=0 bash bench/apply.sh 32000
#
# A file of N agreements has 10 sets of requisites and N/4 sources (two links
# each); the requisites case has REQUISITES sets (default 18600), 1000
# agreements and 250 sources. Not part of `cargo test`: speed is measured
# here, never asserted in a test.
set -euo pipefail
cd "$(dirname "$0")/.."

RUNS=${RUNS:-3}
REQUISITES=${REQUISITES:-18600}
if [ $# -gt 0 ]; then sizes=("$@"); else sizes=(1000 4000 16000 32000); fi

cargo build --release --locked --quiet
bin=$PWD/target/release/pdconsent
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export PDCONSENT_ACTOR=bench PDCONSENT_NOW=2026-01-01T00:00:00Z

# median of the numbers on stdin
median() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }

# measure SETUP STATUS COMMAND...: runs SETUP then COMMAND, RUNS times, under
# /usr/bin/time; prints "wall_s peak_kb" (medians). COMMAND must exit STATUS.
measure() {
    local setup=$1 want=$2
    shift 2
    local times=$work/times status
    : >"$times"
    for _ in $(seq "$RUNS"); do
        eval "$setup"
        status=0
        /usr/bin/time -f '%e %M' -a -o "$times" "$@" >/dev/null 2>"$work/stderr" || status=$?
        if [ "$status" -ne "$want" ]; then
            echo "exit $status, expected $want: $*" >&2
            tail -n 5 "$work/stderr" >&2
            exit 2
        fi
        # /usr/bin/time notes a non-zero exit on a line of its own
        sed -i '/^Command exited/d' "$times"
    done
    echo "$(cut -d' ' -f1 "$times" | median) $(cut -d' ' -f2 "$times" | median)"
}

# case LABEL REQUISITES AGREEMENTS SOURCES: one table row
case_row() {
    local label=$1 file=$work/file.toml broken=$work/broken.toml db=$work/db
    python3 bench/gen.py "$2" "$3" "$4" >"$file"
    sed 's/^requisites = "req-/requisites = "missing-/' "$file" >"$broken"
    echo "$label: $2 requisites, $3 agreements, $4 sources ($(du -k "$file" | cut -f1) KB of TOML)" >&2
    local fresh="rm -f $db $db-wal $db-shm"
    r=$(measure "$fresh" 0 "$bin" --db "$db" apply "$file")
    read -r apply_s apply_kb <<<"$r"
    # the database of the last run above is the one re-applied to
    r=$(measure ":" 0 "$bin" --db "$db" apply "$file")
    read -r again_s again_kb <<<"$r"
    "$bin" --db "$db" apply "$file" 2>&1 | grep -qx 'nothing to apply' || {
        echo "re-apply was not a no-op" >&2
        exit 2
    }
    r=$(measure "$fresh" 0 "$bin" --db "$db" apply --dry-run "$file")
    read -r dry_s dry_kb <<<"$r"
    r=$(measure "$fresh" 2 "$bin" --db "$db" apply --dry-run "$broken")
    read -r bad_s bad_kb <<<"$r"
    printf '| %s | %s | %s | %s | %s s | %s MB | %s s | %s MB | %s s | %s MB | %s s | %s MB |\n' \
        "$label" "$2" "$3" "$4" \
        "$apply_s" "$((apply_kb / 1024))" "$again_s" "$((again_kb / 1024))" \
        "$dry_s" "$((dry_kb / 1024))" "$bad_s" "$((bad_kb / 1024))"
}

echo "runs per figure: $RUNS (median); $(nproc) cores; $(git rev-parse --short HEAD)" >&2
echo '| case | requisites | agreements | sources | apply | peak | re-apply (no-op) | peak | --dry-run | peak | --dry-run, an error per agreement | peak |'
echo '|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|'
for n in "${sizes[@]}"; do
    case_row "N = $n" 10 "$n" $((n / 4))
done
if [ "$REQUISITES" -gt 0 ]; then
    case_row "requisites" "$REQUISITES" 1000 250
fi
