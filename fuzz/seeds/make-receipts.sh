#!/bin/sh
# Makes the seed receipts of the `receipt_verify` target with the real binary:
# the example applied, a signing key, a consent given (marketing refused), a
# withdrawal, and a person's data erased; each receipt in JSON, text and HTML.
# Run from the repository root after `cargo build`:
#   sh fuzz/seeds/make-receipts.sh
# It rewrites fuzz/seeds/receipt_verify/ (the key and the receipts are new each
# time: commit them together).
set -eu
bin=${PDCONSENT:-target/debug/pdconsent}
out=fuzz/seeds/receipt_verify
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export PDCONSENT_DB="$work/pd.db" PDCONSENT_ACTOR=fuzz-seeds NO_COLOR=1 HOME="$work"
export PDCONSENT_NOW=2026-11-01T10:00:00Z
"$bin" apply agreements.example.toml 2>/dev/null
vkey=$("$bin" ledger key init 2>/dev/null)
export PDCONSENT_NOW=2026-11-20T10:00:00Z
record() {
    name=$1 email=$2
    shift 2
    "$bin" consent record --source contact-form --field "name=$name" --field "email=$email" \
        --ip 203.0.113.7 --url https://severny-veter.ru/contacts "$@" 2>/dev/null
}
ivan=$(record "Иван Петров" ivan@example.ru --agreement personal-data | tr '\n' ' ')
anna=$(record "Анна Смирнова" anna@example.ru --agreement personal-data --agreement marketing | tr '\n' ' ')
export PDCONSENT_NOW=2026-11-25T10:00:00Z
"$bin" consent withdraw --subject email=anna@example.ru --yes >/dev/null
petr=$(record "Пётр Иванов" petr@example.ru --agreement personal-data | tr '\n' ' ')
"$bin" consent withdraw --subject email=petr@example.ru --yes >/dev/null
export PDCONSENT_NOW=2026-11-28T12:00:00Z
"$bin" subject erase --subject email=petr@example.ru --yes >/dev/null
rm -rf "$out"
mkdir -p "$out"
printf '%s\n' "$vkey" > "$out/vkey"
seqs=$("$bin" consent list --format json 2>/dev/null | python3 -c '
import json, sys
print(" ".join(str(e["seq"]) for e in json.load(sys.stdin)))')
echo "events: $seqs (ivan $ivan, anna $anna, petr $petr)" >&2
for seq in $seqs; do
    for f in json text html; do
        "$bin" consent receipt "$seq" --format "$f" -o "$out/seq$seq.$f" 2>/dev/null
    done
done
ls "$out" >&2
