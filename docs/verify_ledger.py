#!/usr/bin/env python3
"""Verify an export of the pdconsent consent ledger with nothing but Python.

    python3 docs/verify_ledger.py EXPORT.jsonl [--head HEADFILE | --expect-head SIZE:ROOT]
                                               [--proof PROOF.json]

EXPORT.jsonl is what `pdconsent consent export -o EXPORT.jsonl` writes: one JSON
object a line, every leaf of the tree in seq order, configuration leaves included,

    {"leaf": {...19 keys...}, "envelope": {...} | null, "salt": "64 hex digits" | null}

The specification is docs/ledger.md. For every line this script checks that

  * the line is a JSON object with exactly the keys `leaf`, `envelope`, `salt`;
  * the leaf has exactly the 19 keys of leaf format 1 (`v` is 1), each of its type
    (`seq` an integer, hashes 64 lowercase hex digits, `checkbox` null or
    {"checked_by_default": bool, "required": bool}, ...), and `kind` is one of
    given, refused, withdrawn, erased, agreement_revision, requisites_revision,
    source_revision, text;
  * `seq` runs 1, 2, 3, ... without a gap (the leaf index is seq - 1): a missing,
    inserted or reordered line is reported at the line where the order breaks;
  * every string and every key, in the leaf and in the envelope, is in Unicode NFC
    (refused, never normalised: a non-NFC string is a defect), there is no float
    (not even 1.0), every integer fits in 64 bits, and no object repeats a key;
  * when the envelope and its salt are present: SHA-256(32 salt bytes || canonical
    envelope) equals the leaf's `commitment`. An envelope and salt both null under
    a non-null commitment is an erased envelope (personal data destroyed after a
    withdrawal): counted, not an error.

It hashes every leaf (RFC 6962: SHA-256(0x00 || canonical leaf bytes), where the
canonical bytes are json.dumps(leaf, sort_keys=True, separators=(",", ":"),
ensure_ascii=False).encode()) and computes the Merkle tree root of all of them
(node = SHA-256(0x01 || left || right)) while streaming: a stack of
(size, hash) of perfect subtrees, O(log n) memory however long the export.
It prints the tree size and the root (base64, as in a checkpoint, and hex), then

  --head FILE             compares with a head saved from `pdconsent ledger head`:
                          the C2SP tlog-checkpoint body, three lines: origin, size,
                          base64 root (anything after a blank line, such as
                          signatures, is ignored);
  --expect-head SIZE:ROOT the same given on the command line (ROOT in base64 or
                          64 hex digits).
                          A head of SIZE smaller than the export is compared with
                          the root of the first SIZE leaves (an older head must
                          still hold: the log is append-only); a larger SIZE means
                          the export lacks leaves.
  --proof PROOF.json      (repeatable) verifies an inclusion proof as printed by
                          `pdconsent ledger prove SEQ --format json` (keys seq,
                          tree_size, leaf, leaf_hash, root, proof: hex hashes,
                          leaf to root) against the root recomputed here for its
                          tree size, by the algorithm of RFC 9162 section 2.1.3.2;
                          its leaf must be the export's leaf at that seq.

What the export alone cannot show: a leaf edited consistently (say its `at`
changed) is still a well-formed leaf, so only a head or proof published before
the edit catches it -- as a different root (which leaf changed is then unknown)
or, with a proof of that very leaf, at its seq. Edits to an envelope are caught
by its commitment; dropped, inserted and reordered lines by the seq order.

Not checked here, for the export does not hold them: the texts behind `text_sha256`
and the stored data behind `data_sha256` (`pdconsent ledger verify` re-hashes those
in the database).

Output, on stdout: each problem as `line N, seq S: what is wrong` (seq `?` when the
line has none; `seq S: ...` alone for a head or a proof), the first 1000 in full and
the rest only counted; then `size N`, `root BASE64`, `root_hex HEX`, the numbers of
events, configuration leaves, envelopes verified and erased, a line for the head
and each proof, and `OK` or `FAILED: N problems`. Exit status: 0 when everything
verifies, 1 on any problem, 2 on a usage error (bad arguments, an unreadable file,
a head or proof file that cannot be parsed).

Standard library only; Python 3.8 or newer. Memory stays flat whatever the size of
the export (19 MiB peak RSS for 1,074,138 lines, 1.2 GB); that export took 71 s
(~15,000 lines/s) on a busy 2-core machine (bench/ledger.sh).
"""

import argparse
import base64
import binascii
import hashlib
import json
import re
import sys
import unicodedata

LEAF_VERSION = 1
LEAF_KEYS = frozenset([
    "v", "seq", "id", "kind", "at", "recorded_at", "agreement", "revision",
    "requisites", "requisites_revision", "source", "source_revision", "text_sha256",
    "checkbox", "channel", "external_id", "withdraws", "commitment", "data_sha256",
])
assert len(LEAF_KEYS) == 19
ENVELOPE_KEYS = frozenset(["fields", "ip", "url", "user_agent", "reason"])
LINE_KEYS = frozenset(["leaf", "envelope", "salt"])
EVENT_KINDS = frozenset(["given", "refused", "withdrawn"])
# An erasure: its data_sha256 pins the record of the envelopes it deleted (docs/ledger.md).
ERASURE_KINDS = frozenset(["erased"])
CONFIG_KINDS = frozenset(["agreement_revision", "requisites_revision", "source_revision", "text"])
# key -> (allowed types, "what it must be"), None allowed where the spec says so
STR, INT, HEX, OPT = "string", "integer", "hex", "or null"
LEAF_TYPES = {
    "id": (STR, False), "kind": (STR, False), "at": (STR, False),
    "recorded_at": (STR, False), "agreement": (STR, True), "revision": (INT, True),
    "requisites": (STR, True), "requisites_revision": (INT, True), "source": (STR, True),
    "source_revision": (INT, True), "text_sha256": (HEX, True), "channel": (STR, True),
    "external_id": (STR, True), "withdraws": (INT, True), "commitment": (HEX, True),
    "data_sha256": (HEX, True),
}
LEAF_TYPE_LIST = [(k, kind, nullable) for k, (kind, nullable) in sorted(LEAF_TYPES.items())]
INT_MIN, INT_MAX = -(1 << 63), (1 << 64) - 1
EMPTY_ROOT = hashlib.sha256(b"").digest()
MAX_PRINTED = 1000   # problems printed in full; the rest are only counted


class UsageError(Exception):
    """A bad argument or an input file that cannot be read at all: exit 2."""


class DuplicateKey(ValueError):
    pass


def _object(pairs):
    d = dict(pairs)
    if len(d) != len(pairs):
        seen = set()
        for k, _ in pairs:
            if k in seen:
                raise DuplicateKey("the key %r appears twice in one object" % k)
            seen.add(k)
    return d


# The numbers with a fraction or exponent (and NaN, Infinity) of the line being decoded: only
# then is a value walked to say where they are.
_floats = []


def _float(text):
    _floats.append(text)
    return float(text)


DECODER = json.JSONDecoder(object_pairs_hook=_object, parse_float=_float, parse_constant=_float)
# the same as json.dumps(obj, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
_canonical_text = json.JSONEncoder(sort_keys=True, separators=(",", ":"),
                                   ensure_ascii=False).encode
_hex64 = re.compile(r"[0-9a-f]{64}\Z").match


def canonical(obj):
    """The canonical JSON bytes of docs/ledger.md."""
    return json.dumps(obj, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def leaf_hash(data):
    return hashlib.sha256(b"\x00" + data).digest()


def node_hash(left, right):
    return hashlib.sha256(b"\x01" + left + right).digest()


class Frontier:
    """The RFC 6962 tree of the leaf hashes appended so far, in O(log n) memory: the
    roots of its perfect subtrees, largest (leftmost) first, as (size, hash)."""

    def __init__(self):
        self.stack = []
        self.size = 0

    def push(self, h):
        size = 1
        stack = self.stack
        while stack and stack[-1][0] == size:
            left = stack.pop()[1]
            h = node_hash(left, h)
            size *= 2
        stack.append((size, h))
        self.size += 1

    def root(self):
        if not self.stack:
            return EMPTY_ROOT
        h = self.stack[-1][1]
        for _, left in reversed(self.stack[:-1]):
            h = node_hash(left, h)
        return h


def verify_inclusion(index, size, leaf, proof, root):
    """RFC 9162 section 2.1.3.2: whether `proof` (a list of 32-byte hashes, leaf to root)
    proves that the leaf hash `leaf` is at `index` in the tree of `size` leaves with
    `root`."""
    if index >= size:
        return False
    fn, sn, r = index, size - 1, leaf
    for p in proof:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            r = node_hash(p, r)
            if not fn & 1:
                while not fn & 1 and fn != 0:
                    fn >>= 1
                    sn >>= 1
        else:
            r = node_hash(r, p)
        fn >>= 1
        sn >>= 1
    return sn == 0 and r == root


def b64(h):
    return base64.b64encode(h).decode("ascii")


def parse_root(text):
    """A root given as 64 hex digits or as standard base64 of 32 bytes; None if neither."""
    t = text.strip()
    if len(t) == 64 and all(c in "0123456789abcdefABCDEF" for c in t):
        return bytes.fromhex(t)
    try:
        raw = base64.b64decode(t, validate=True)
    except (binascii.Error, ValueError):
        return None
    return raw if len(raw) == 32 else None


def parse_size(text):
    t = text.strip()
    if not t.isdigit() or not t.isascii():
        return None
    return int(t)


def is_hex64(v):
    return type(v) is str and _hex64(v) is not None


class Checker:
    """Collects problems, printing the first MAX_PRINTED of them."""

    def __init__(self, out):
        self.out = out
        self.count = 0

    def problem(self, line, seq, what):
        """Reports a problem at input line `line` (None: not at a line) about `seq`."""
        self.count += 1
        if self.count <= MAX_PRINTED:
            where = "" if line is None else "line %d, " % line
            self.out.write("%sseq %s: %s\n" % (where, "?" if seq is None else seq, what))
        elif self.count == MAX_PRINTED + 1:
            self.out.write("(further problems are counted, not printed)\n")


def walk(value, path, report):
    """Reports every non-NFC string or key, float and out-of-range integer under value; when
    there is none, that the value's text is not NFC (which cannot happen: JSON's punctuation
    composes with nothing)."""
    found = []

    def note(what):
        found.append(what)
        report(what)

    _walk(value, path, note)
    if not found and not unicodedata.is_normalized("NFC", _canonical_text(value)):
        report("%s is not in Unicode NFC" % path)


def _walk(value, path, report):
    stack = [(value, path)]
    while stack:
        v, p = stack.pop()
        if isinstance(v, str):
            if not unicodedata.is_normalized("NFC", v):
                report("%s is not in Unicode NFC" % p)
        elif isinstance(v, bool) or v is None:
            pass
        elif isinstance(v, int):
            if not INT_MIN <= v <= INT_MAX:
                report("%s is an integer outside 64 bits" % p)
        elif isinstance(v, float):
            report("%s is a number with a fraction or exponent (%r): only integers are allowed"
                   % (p, v))
        elif isinstance(v, dict):
            for k, x in v.items():
                if not unicodedata.is_normalized("NFC", k):
                    report("the key %r in %s is not in Unicode NFC" % (k, p))
                stack.append((x, "%s.%s" % (p, k)))
        elif isinstance(v, list):
            for i, x in enumerate(v):
                stack.append((x, "%s[%d]" % (p, i)))


def check_leaf_shape(leaf, report):
    """The 19 keys of leaf format 1 and the type of each value."""
    if leaf.keys() != LEAF_KEYS:
        keys = set(leaf)
        missing, extra = LEAF_KEYS - keys, keys - LEAF_KEYS
        if missing:
            report("the leaf lacks the keys %s" % ", ".join(sorted(missing)))
        if extra:
            report("the leaf has unknown keys %s" % ", ".join(sorted(extra)))
    v = leaf.get("v")
    if "v" in leaf and (type(v) is not int or v != LEAF_VERSION):
        report("leaf format `v` is %s, not %d" % (json.dumps(v), LEAF_VERSION))
    get = leaf.get
    for key, kind, nullable in LEAF_TYPE_LIST:
        x = get(key)
        if x is None:
            if not nullable and key in leaf:
                report("`%s` is null" % key)
            continue
        if kind == STR:
            if type(x) is not str:
                report("`%s` is not a string" % key)
        elif kind == INT:
            if type(x) is not int or not 0 <= x <= INT_MAX:
                report("`%s` is not an integer from 0 to 2^64-1" % key)
        elif not is_hex64(x):
            report("`%s` is not 64 lowercase hex digits" % key)
    kind = leaf.get("kind")
    if isinstance(kind, str) and kind not in EVENT_KINDS | CONFIG_KINDS | ERASURE_KINDS:
        report("`kind` %s is not a leaf kind" % json.dumps(kind, ensure_ascii=False))
    cb = leaf.get("checkbox")
    if cb is not None and not (
            isinstance(cb, dict) and set(cb) == {"checked_by_default", "required"}
            and all(isinstance(x, bool) for x in cb.values())):
        report("`checkbox` is not null or {\"checked_by_default\": bool, \"required\": bool}")


def check_envelope_shape(env, report):
    keys = set(env)
    if keys != ENVELOPE_KEYS:
        parts = []
        if ENVELOPE_KEYS - keys:
            parts.append("lacks " + ", ".join(sorted(ENVELOPE_KEYS - keys)))
        if keys - ENVELOPE_KEYS:
            parts.append("has unknown keys " + ", ".join(sorted(keys - ENVELOPE_KEYS)))
        report("the envelope " + " and ".join(parts))
    fields = env.get("fields")
    if not isinstance(fields, dict) or not all(isinstance(x, str) for x in fields.values()):
        report("the envelope's `fields` is not an object of strings")
    for k in ("ip", "url", "user_agent", "reason"):
        x = env.get(k)
        if x is not None and not isinstance(x, str):
            report("the envelope's `%s` is not a string or null" % k)


def load_head(args):
    """(size, root bytes, where) from --head or --expect-head, or None."""
    if args.head:
        try:
            with open(args.head, "rb") as f:
                text = f.read().decode("utf-8")
        except (OSError, UnicodeDecodeError) as e:
            raise UsageError("cannot read the head file %s: %s" % (args.head, e))
        body = text.split("\n\n", 1)[0].split("\n")
        if len(body) < 3:
            raise UsageError("%s: a head is three lines: origin, size, base64 root" % args.head)
        size, root = parse_size(body[1]), parse_root(body[2])
        if size is None or root is None:
            raise UsageError("%s: line 2 must be the tree size and line 3 its base64 root"
                             % args.head)
        return size, root, "the head in %s (origin %s)" % (args.head, body[0].strip())
    if args.expect_head:
        size_text, sep, root_text = args.expect_head.partition(":")
        size, root = parse_size(size_text), parse_root(root_text) if sep else None
        if size is None or root is None:
            raise UsageError("--expect-head takes SIZE:ROOT, the root in base64 or hex, "
                             "e.g. 1234:47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=")
        return size, root, "--expect-head"
    return None


def load_proof(path):
    """The proof printed by `pdconsent ledger prove SEQ --format json`, checked for shape."""
    try:
        with open(path, "rb") as f:
            proof = DECODER.decode(f.read().decode("utf-8"))
    except (OSError, UnicodeDecodeError, ValueError) as e:
        raise UsageError("cannot read the proof %s: %s" % (path, e))
    ok = (isinstance(proof, dict)
          and type(proof.get("seq")) is int and proof["seq"] >= 1
          and type(proof.get("tree_size")) is int and proof["tree_size"] >= 0
          and isinstance(proof.get("leaf"), dict)
          and isinstance(proof.get("proof"), list)
          and all(is_hex64(p) for p in proof["proof"]))
    if not ok:
        raise UsageError("%s is not the output of `pdconsent ledger prove SEQ --format json` "
                         "(seq, tree_size, leaf, proof as hex hashes)" % path)
    return proof


def verify(path, head, proofs, out):
    """Streams the export; returns the number of problems."""
    is_normalized = unicodedata.is_normalized
    check = Checker(out)
    frontier = Frontier()
    expected_seq = 1
    lines = events = configs = envelopes = erased = 0
    unreadable = 0
    # roots wanted at smaller sizes (the head's and the proof's), filled as the tree grows
    wanted = {}
    if head is not None:
        wanted[head[0]] = None
    by_seq = {}   # seq -> the proofs of that leaf, as (name, proof)
    for name, proof in proofs:
        wanted[proof["tree_size"]] = None
        by_seq.setdefault(proof["seq"], []).append((name, proof))
    export_hashes = {}   # the export's leaf hash at each proof's seq
    if 0 in wanted:
        wanted[0] = EMPTY_ROOT

    try:
        src = open(path, "rb") if path != "-" else sys.stdin.buffer
    except OSError as e:
        raise UsageError("cannot read %s: %s" % (path, e))
    with src:
        for lines, raw in enumerate(src, 1):
            seq = None

            def report(what, _line=lines):
                check.problem(_line, seq, what)

            try:
                text = raw.decode("utf-8")
            except UnicodeDecodeError as e:
                report("not UTF-8 (%s)" % e)
                unreadable += 1
                continue
            if not text.strip():
                report("an empty line")
                unreadable += 1
                continue
            del _floats[:]
            try:
                rec = DECODER.decode(text)
            except ValueError as e:
                report("not JSON (%s)" % e)
                unreadable += 1
                continue
            if not isinstance(rec, dict) or not isinstance(rec.get("leaf"), dict):
                report("not an export line: {\"leaf\": {...}, \"envelope\": ..., \"salt\": ...}")
                unreadable += 1
                continue
            leaf = rec["leaf"]
            s = leaf.get("seq")
            if type(s) is int:
                seq = s
            if set(rec) != LINE_KEYS:
                report("the line's keys are %s, not leaf, envelope, salt"
                       % ", ".join(sorted(rec)))

            # the leaf: shape, sequence, strings and numbers
            check_leaf_shape(leaf, report)
            if seq is None:
                report("`seq` is not an integer")
            elif seq != expected_seq:
                if seq > expected_seq:
                    why = "seq %d..%d missing" % (expected_seq, seq - 1) \
                        if seq > expected_seq + 1 else "seq %d missing" % expected_seq
                else:
                    why = "out of order or repeated"
                report("expected seq %d here (%s)" % (expected_seq, why))
            expected_seq = (seq if seq is not None else expected_seq) + 1
            kind = leaf.get("kind")
            if kind in EVENT_KINDS:
                events += 1
            elif kind in CONFIG_KINDS:
                configs += 1

            # the leaf hash and the tree; strings, keys and numbers looked at one by one only
            # when the canonical text is not NFC as a whole or the line had a float
            try:
                leaf_text = _canonical_text(leaf)
                if _floats or not is_normalized("NFC", leaf_text):
                    walk(leaf, "leaf", report)
                h = leaf_hash(leaf_text.encode())
            except (TypeError, ValueError, UnicodeEncodeError) as e:
                report("the leaf has no canonical form (%s)" % e)
                h = leaf_hash(raw.rstrip(b"\r\n"))   # keeps the size; the root is wrong anyway
            frontier.push(h)
            if frontier.size in wanted:
                wanted[frontier.size] = frontier.root()
            if frontier.size in by_seq:
                export_hashes[frontier.size] = h
                for name, proof in by_seq[frontier.size]:
                    if leaf != proof["leaf"]:
                        report("differs from the leaf in the proof %s" % name)

            # the envelope and the commitment
            env, salt = rec.get("envelope"), rec.get("salt")
            commitment = leaf.get("commitment")
            if env is None and salt is None:
                if commitment is not None:
                    erased += 1
            elif env is None or salt is None:
                report("the envelope is %s but the salt is %s: they are kept and erased together"
                       % ("null" if env is None else "present", "null" if salt is None else "present"))
            elif not isinstance(env, dict):
                report("the envelope is not an object")
            elif not is_hex64(salt):
                report("the salt is not 64 lowercase hex digits")
            else:
                envelopes += 1
                check_envelope_shape(env, report)
                try:
                    env_bytes = None
                    env_text = _canonical_text(env)
                    if _floats or not is_normalized("NFC", env_text):
                        walk(env, "envelope", report)
                    env_bytes = env_text.encode()
                except (TypeError, ValueError, UnicodeEncodeError) as e:
                    report("the envelope has no canonical form (%s)" % e)
                if commitment is None:
                    report("an envelope is present but the leaf has no commitment")
                elif env_bytes is not None:
                    c = hashlib.sha256(bytes.fromhex(salt) + env_bytes).hexdigest()
                    if c != commitment:
                        report("the commitment does not match the envelope and salt "
                               "(recomputed %s, leaf has %s)" % (c, commitment))

    size = frontier.size
    root = frontier.root()
    out.write("size %d\n" % size)
    out.write("root %s\n" % b64(root))
    out.write("root_hex %s\n" % root.hex())
    out.write("leaves: %d consent events, %d configuration leaves; %d envelopes verified, "
              "%d erased\n" % (events, configs, envelopes, erased))
    if unreadable:
        out.write("note: %d lines could not be read; the root above is not the ledger's\n"
                  % unreadable)

    if head is not None:
        hsize, hroot, where = head
        if hsize > size:
            check.problem(None, hsize,
                          "%s has size %d but the export ends at %d leaves (leaves missing)"
                          % (where, hsize, size))
        elif wanted[hsize] != hroot:
            check.problem(None, hsize,
                          "%s: root %s of size %d, but the export's first %d leaves give %s"
                          % (where, b64(hroot), hsize, hsize, b64(wanted[hsize])))
        else:
            out.write("head: matches %s (size %d%s)\n"
                      % (where, hsize, "" if hsize == size else ", a prefix of the export"))

    for pname, proof in proofs:
        pseq, psize = proof["seq"], proof["tree_size"]
        if psize > size:
            check.problem(None, pseq, "the proof %s is for a tree of %d leaves, the export has %d"
                          % (pname, psize, size))
        elif pseq > psize:
            check.problem(None, pseq, "the proof %s: seq %d is not in a tree of %d leaves"
                          % (pname, pseq, psize))
        else:
            proot = wanted[psize]
            try:
                lh = leaf_hash(canonical(proof["leaf"]))
            except (TypeError, ValueError, UnicodeEncodeError):
                lh = None
            if proof.get("leaf_hash") is not None and (lh is None or proof["leaf_hash"] != lh.hex()):
                check.problem(None, pseq, "the proof %s: its leaf_hash is not the hash of its leaf"
                              % pname)
            if proof["leaf"].get("seq") != pseq:
                check.problem(None, pseq, "the proof %s: its leaf has seq %s"
                              % (pname, proof["leaf"].get("seq")))
            claimed = proof.get("root_hex") or proof.get("root")
            if claimed is not None and parse_root(str(claimed)) != proot:
                check.problem(None, pseq, "the proof %s claims the root %s; the export gives %s "
                              "for %d leaves" % (pname, claimed, b64(proot), psize))
            path_hashes = [bytes.fromhex(p) for p in proof["proof"]]
            if lh is None or not verify_inclusion(pseq - 1, psize, lh, path_hashes, proot):
                check.problem(None, pseq, "the inclusion proof %s does not verify against the "
                              "root %s of %d leaves" % (pname, b64(proot), psize))
            elif lh != export_hashes.get(pseq):
                check.problem(None, pseq, "the proof %s verifies, but not for the export's leaf"
                              % pname)
            else:
                out.write("proof: seq %d is included in the tree of %d leaves (root %s)\n"
                          % (pseq, psize, b64(proot)))

    if check.count:
        out.write("FAILED: %d problem%s\n" % (check.count, "" if check.count == 1 else "s"))
    else:
        out.write("OK\n")
    return check.count


def main(argv=None):
    p = argparse.ArgumentParser(
        prog="verify_ledger.py",
        description="Verify a `pdconsent consent export` (JSON Lines): every leaf, "
                    "commitment and the RFC 6962 tree root; optionally a head and an "
                    "inclusion proof. Exit 0: verified; 1: problems; 2: usage error.",
        epilog="See the docstring of this file and docs/ledger.md.")
    p.add_argument("export", metavar="EXPORT.jsonl",
                   help="the output of `pdconsent consent export` (\"-\" for stdin)")
    g = p.add_mutually_exclusive_group()
    g.add_argument("--head", metavar="HEADFILE",
                   help="the output of `pdconsent ledger head`: origin, size, base64 root")
    g.add_argument("--expect-head", metavar="SIZE:ROOT",
                   help="the expected tree size and root (base64 or hex)")
    p.add_argument("--proof", metavar="PROOF.json", action="append", default=[],
                   help="the output of `pdconsent ledger prove SEQ --format json` "
                        "(may be given more than once)")
    args = p.parse_args(argv)
    out = sys.stdout
    try:
        head = load_head(args)
        proofs = [(name, load_proof(name)) for name in args.proof]
        problems = verify(args.export, head, proofs, out)
    except UsageError as e:
        sys.stderr.write("verify_ledger.py: error: %s\n" % e)
        return 2
    out.flush()
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
