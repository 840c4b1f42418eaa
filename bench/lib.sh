# Shared by bench/ledger.sh and bench/export_import.sh (sourced, not run): the checks, the
# release build, the work directory, the clock, and the helpers that time and report.
# Expects to be sourced from the repository's root, under `set -euo pipefail`.

[ -n "${EPOCHREALTIME:-}" ] || { echo "bash 5 is needed (\$EPOCHREALTIME)" >&2; exit 2; }
for tool in python3 sqlite3 /usr/bin/time; do
    command -v "$tool" >/dev/null || { echo "$tool is needed" >&2; exit 2; }
done

echo "building the release binary" >&2
cargo build --release --locked --quiet
bin=$PWD/target/release/pdconsent
if [ -n "${KEEP:-}" ]; then
    work=$KEEP
    mkdir -p "$work"
else
    work=$(mktemp -d)
    trap 'rm -rf "$work"' EXIT
fi
# The generated submissions run from 2024-11-01 to 2026-10-31. A submission is refused when
# it is dated before its agreement's text was registered on its source, and texts are
# registered at `apply` time: so the configuration is applied with the clock before the
# first submission, and everything else runs with it after the last.
export PDCONSENT_ACTOR=bench PDCONSENT_NOW=2026-11-30T00:00:00Z
APPLY_NOW=2024-10-01T00:00:00Z
unset PDCONSENT_DB PDCONSENT_KEY

log() { echo "[$(date +%H:%M:%S)] $*" >&2; }
fresh() { rm -f "$1" "$1-wal" "$1-shm" "$1-journal"; }
# microseconds since the epoch, without forking
now_us() { local t=${EPOCHREALTIME/[.,]/}; echo "$t"; }
# median of the integers on stdin
median() { sort -n | awk '{ v[NR] = $1 } END { if (NR % 2) print v[(NR + 1) / 2]; else print int((v[NR / 2] + v[NR / 2 + 1]) / 2) }'; }
# run COMMAND… once, output discarded; prints its wall time in microseconds; fails loudly
timed() {
    local t0 t1
    t0=$(now_us)
    if ! "$@" >/dev/null 2>"$work/stderr"; then
        echo "failed: $*" >&2
        tail -n 5 "$work/stderr" >&2
        exit 2
    fi
    t1=$(now_us)
    echo $((t1 - t0))
}
# ms with 2 decimals from µs
ms() { awk -v u="$1" 'BEGIN { printf "%.2f", u / 1000 }'; }
# ratio A/B with 2 decimals
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }
# "met" when A OP B holds (numbers), else "**not met**"
verdict() { awk -v a="$1" -v b="$3" -v op="$2" 'BEGIN {
    ok = (op == "<=" ? a <= b : op == "<" ? a < b : op == ">=" ? a >= b : a > b)
    print (ok ? "met" : "**not met**") }'; }
# thousands separators
num() { printf "%s" "$1" | sed -e ':a' -e 's/\B[0-9]\{3\}\>/,&/' -e 'ta'; }
# /usr/bin/time -v COMMAND…: sets M_US (wall, µs) and M_KIB (peak RSS); stdout goes to $OUT
# (default /dev/null)
measure_v() {
    local t0 t1
    t0=$(now_us)
    if ! /usr/bin/time -v -o "$work/time" "$@" >"${OUT:-/dev/null}" 2>"$work/stderr"; then
        echo "failed: $*" >&2
        tail -n 5 "$work/stderr" >&2
        exit 2
    fi
    t1=$(now_us)
    M_US=$((t1 - t0))
    M_KIB=$(awk -F': ' '/Maximum resident set size/ { print $2 }' "$work/time")
}
