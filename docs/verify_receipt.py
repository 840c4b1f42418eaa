#!/usr/bin/env python3
"""Verify a pdconsent consent receipt offline, without pdconsent and without the database.

    python3 verify_receipt.py RECEIPT --vkey KEY [--vkey KEY ...]
                              [--checkpoint NEWER.checkpoint --consistency PROOF]

RECEIPT is what `pdconsent consent receipt SEQ` wrote: JSON (`--format json`), or a
text or HTML receipt, whose JSON stands between the lines
`-----BEGIN PDCONSENT RECEIPT-----` and `-----END PDCONSENT RECEIPT-----`.
KEY is the operator's verifier key as it publishes it (`name+hash+base64`), or @FILE.
The specification is docs/ledger.md ("Receipts"). The checks, each printed by name:

  receipt     the JSON is a receipt of format pdconsent/receipt@v1 with a `proof`;
  leaf        `proof.leaf` is a leaf of format 1 in canonical JSON (sorted keys, no
              spaces, UTF-8, NFC strings): the bytes that were hashed;
  signature   the checkpoint inside `proof.tlog_proof` (c2sp.org/tlog-proof@v1) is a
              C2SP signed note signed by KEY (Ed25519, with the `cryptography` package;
              without it this check FAILS with "not checked" and says how to install it);
  inclusion   the leaf's RFC 6962 hash, SHA-256(0x00 || leaf), with the audit path
              leads to the checkpoint's root (RFC 9162 section 2.1.3.2), at index seq-1;
  commitment  SHA-256(salt || canonical envelope) is the leaf's `commitment`; a receipt
              issued after the person's data was erased has no envelope: this check then
              fails and says so, while the others still prove the event;
  statement   what the receipt states (consentReceiptID, consentTimestamp, seq, time,
              event, agreement and revision, source, the text's SHA-256 and the text
              itself, the person's data) is what the leaf and the envelope hold;
  consistency with --checkpoint and --consistency: the newer checkpoint is signed by
              KEY and the consistency proof (pdconsent/consistency-proof@v1, from
              `pdconsent ledger consistency RECEIPT`) shows that its tree extends the
              receipt's (RFC 9162 section 2.1.4.2): the leaf is still in today's log.

Output: one line a check, `ok` or `FAIL`, then `receipt verified` or
`receipt NOT verified`. Exit status: 0 when every check passes, 1 when one fails,
2 on a usage error (bad arguments, an unreadable file, a malformed key).
Python 3.8 or newer; the standard library for everything but the signature.
"""

import argparse
import base64
import binascii
import datetime
import hashlib
import json
import sys
import unicodedata

FORMAT = "pdconsent/receipt@v1"
BEGIN = "-----BEGIN PDCONSENT RECEIPT-----"
END = "-----END PDCONSENT RECEIPT-----"
TLOG_HEADER = "c2sp.org/tlog-proof@v1"
CONSISTENCY_HEADER = "pdconsent/consistency-proof@v1"
LEAF_KEYS = frozenset([
    "v", "seq", "id", "kind", "at", "recorded_at", "agreement", "revision",
    "requisites", "requisites_revision", "source", "source_revision", "text_sha256",
    "checkbox", "channel", "external_id", "withdraws", "commitment", "data_sha256",
])
ENVELOPE_KEYS = frozenset(["fields", "ip", "url", "user_agent", "reason"])


class UsageError(Exception):
    pass


class Bad(Exception):
    """A check failed; the message says why."""


def canonical(value):
    return json.dumps(value, sort_keys=True, separators=(",", ":"),
                      ensure_ascii=False, allow_nan=False).encode("utf-8")


def all_nfc(value):
    if isinstance(value, str):
        return unicodedata.is_normalized("NFC", value)
    if isinstance(value, dict):
        return all(all_nfc(k) and all_nfc(v) for k, v in value.items())
    if isinstance(value, list):
        return all(all_nfc(v) for v in value)
    return not isinstance(value, float)


def read_canonical(text, keys, what):
    try:
        value = json.loads(text)
    except ValueError as e:
        raise Bad(f"the {what} is not JSON: {e}")
    if not isinstance(value, dict) or set(value) != keys:
        raise Bad(f"the {what} does not have exactly the keys of docs/ledger.md")
    if not all_nfc(value) or canonical(value) != text.encode("utf-8"):
        raise Bad(f"the {what} is not in its canonical form")
    return value


def b64hash(s):
    try:
        raw = base64.b64decode(s, validate=True)
    except binascii.Error:
        raw = b""
    if len(raw) != 32 or base64.b64encode(raw).decode() != s:
        raise Bad(f"`{s}` is not a hash in standard base64")
    return raw


def node(left, right):
    return hashlib.sha256(b"\x01" + left + right).digest()


def decimal(s, what):
    if not s.isdigit() or (len(s) > 1 and s[0] == "0") or not s.isascii():
        raise Bad(f"{what} `{s}` is not a decimal number")
    return int(s)


# -- signed notes (c2sp.org/signed-note) and checkpoints (c2sp.org/tlog-checkpoint) --------

def parse_vkey(text):
    text = text.strip()
    parts = text.split("+", 2)   # the base64 key may hold `+` itself
    if len(parts) != 3:
        raise UsageError(f"--vkey `{text}` is not name+hash+base64")
    name, hash_hex, key_b64 = parts
    try:
        key = base64.b64decode(key_b64, validate=True)
        key_hash = bytes.fromhex(hash_hex)
    except (binascii.Error, ValueError):
        raise UsageError(f"--vkey `{text}`: its hash or key is not hex or base64")
    if len(key) != 33 or key[0] != 1 or len(key_hash) != 4:
        raise UsageError(f"--vkey `{text}` is not an Ed25519 verifier key")
    if hashlib.sha256(name.encode() + b"\n" + key).digest()[:4] != key_hash:
        raise UsageError(f"--vkey `{text}`: the key hash does not match the name and key")
    return name, key_hash, key[1:]


def open_note(note, vkeys):
    """The checkpoint body of a note signed by one of vkeys, or raises Bad."""
    split = note.rfind("\n\n")
    if split < 0 or not note.endswith("\n"):
        raise Bad("the checkpoint is not a signed note")
    text, sigs = note[:split + 1], note[split + 2:]
    try:
        from cryptography.exceptions import InvalidSignature
        from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
    except ImportError:
        raise Bad("not checked: Python's `cryptography` package is not installed "
                  "(python3 -m pip install cryptography)")
    verified = []
    for line in sigs[:-1].split("\n"):
        if not line.startswith("\u2014 "):
            raise Bad(f"`{line}` is not a signature line")
        name, _, b64 = line[2:].rpartition(" ")
        try:
            raw = base64.b64decode(b64, validate=True)
        except binascii.Error:
            raise Bad(f"the signature of `{name}` is not base64")
        for vname, vhash, vkey in vkeys:
            if vname == name and raw[:4] == vhash:
                try:
                    Ed25519PublicKey.from_public_bytes(vkey).verify(raw[4:], text.encode())
                except InvalidSignature:
                    raise Bad(f"the signature of {name}+{vhash.hex()} does not verify")
                verified.append(f"{name}+{vhash.hex()}")
    if not verified:
        raise Bad("no signature by a given --vkey")
    lines = text[:-1].split("\n")
    if len(lines) < 3 or not lines[0]:
        raise Bad("the checkpoint body is not origin, size, root")
    return lines[0], decimal(lines[1], "the tree size"), b64hash(lines[2]), verified


def parse_tlog(text):
    lines = text.split("\n")
    if lines[0] != TLOG_HEADER:
        raise Bad(f"the proof does not start with `{TLOG_HEADER}`")
    i = 1
    if lines[i].startswith("extra "):
        i += 1
    if not lines[i].startswith("index "):
        raise Bad("the proof has no `index` line")
    index = decimal(lines[i][6:], "the index")
    hashes = []
    i += 1
    while i < len(lines) and lines[i] != "":
        hashes.append(b64hash(lines[i]))
        i += 1
    if i >= len(lines) - 1:
        raise Bad("the proof has no checkpoint")
    return index, hashes, "\n".join(lines[i + 1:])


# -- RFC 9162 proofs ---------------------------------------------------------------------------

def inclusion_root(index, size, leaf, path):
    if index >= size:
        raise Bad(f"leaf {index} is not in a tree of {size}")
    fn, sn, r = index, size - 1, leaf
    for p in path:
        if sn == 0:
            raise Bad("the audit path is too long")
        if fn & 1 or fn == sn:
            r = node(p, r)
            while not fn & 1 and fn != 0:
                fn >>= 1
                sn >>= 1
        else:
            r = node(r, p)
        fn >>= 1
        sn >>= 1
    if sn != 0:
        raise Bad("the audit path is too short")
    return r


def consistent(old_size, new_size, path, old_root, new_root):
    if old_size > new_size:
        raise Bad("the newer checkpoint is of a smaller tree")
    if old_size == new_size or old_size == 0:
        if path or (old_size == new_size and old_root != new_root):
            raise Bad("the proof does not link the two trees")
        return
    if old_size & (old_size - 1) == 0:
        path = [old_root] + list(path)
    if not path:
        raise Bad("the proof is empty")
    fn, sn = old_size - 1, new_size - 1
    while fn & 1:
        fn >>= 1
        sn >>= 1
    fr = sr = path[0]
    for c in path[1:]:
        if sn == 0:
            raise Bad("the proof is too long")
        if fn & 1 or fn == sn:
            fr, sr = node(c, fr), node(c, sr)
            while not fn & 1 and fn != 0:
                fn >>= 1
                sn >>= 1
        else:
            sr = node(sr, c)
        fn >>= 1
        sn >>= 1
    if sn != 0 or fr != old_root or sr != new_root:
        raise Bad("the proof does not lead to both roots")


# -- the receipt ---------------------------------------------------------------------------

def extract(text):
    t = text.lstrip("\ufeff").strip()
    if t.startswith("{"):
        return t
    start, end = text.find(BEGIN), text.find(END)
    if start < 0 or end < start:
        raise Bad("no JSON object and no BEGIN/END block")
    return text[start + len(BEGIN):end].strip()


def verify(text, vkeys, newer=None):
    checks = []

    def check(name, fn):
        try:
            checks.append((name, True, fn()))
            return True
        except Bad as e:
            checks.append((name, False, str(e)))
            return False

    state = {}

    def receipt():
        r = json.loads(extract(text))
        if not isinstance(r, dict) or (r.get("pdconsent") or {}).get("format") != FORMAT:
            raise Bad(f"not a receipt of format {FORMAT}")
        p = r.get("proof")
        if not isinstance(p, dict) or set(p) != {"leaf", "envelope", "tlog_proof"}:
            raise Bad("the receipt has no proof with leaf, envelope and tlog_proof")
        state["r"], state["p"] = r, p
        return FORMAT
    try:
        if not check("receipt", receipt):
            return checks
    except ValueError as e:
        return [("receipt", False, f"not valid JSON: {e}")]
    r, p = state["r"], state["p"]

    def leaf():
        state["leaf"] = read_canonical(p["leaf"], LEAF_KEYS, "leaf")
        return f"seq {state['leaf']['seq']}, a `{state['leaf']['kind']}` event"
    check("leaf", leaf)

    def signature():
        index, path, note = parse_tlog(p["tlog_proof"])
        origin, size, root, by = open_note(note, vkeys)
        state["cp"] = (origin, size, root, index, path)
        return f"checkpoint of {size} leaves of `{origin}`, signed by {', '.join(by)}"
    check("signature", signature)

    def inclusion():
        if "leaf" not in state or "cp" not in state:
            raise Bad("not checked: the leaf or the signed checkpoint is not usable")
        origin, size, root, index, path = state["cp"]
        if index + 1 != state["leaf"]["seq"]:
            raise Bad(f"the proof is for index {index}, the leaf is seq {state['leaf']['seq']}")
        h = hashlib.sha256(b"\x00" + p["leaf"].encode("utf-8")).digest()
        if inclusion_root(index, size, h, path) != root:
            raise Bad("the audit path does not lead to the checkpoint's root")
        return f"leaf {index + 1} ({h.hex()}) is in the tree of {size} leaves"
    check("inclusion", inclusion)

    def commitment():
        lf = state["leaf"]
        env = p["envelope"]
        if lf["commitment"] is None:
            if env is not None:
                raise Bad("the receipt holds data, but the leaf commits to none")
            return "the event carries no personal data"
        if env is None:
            when = (r.get("pdconsent") or {}).get("erased_at")
            raise Bad("the person's data was erased" + (f" on {when}" if when else "")
                      + ": the commitment cannot be opened; the leaf still proves the event")
        if not isinstance(env, dict) or set(env) != {"salt", "canonical"}:
            raise Bad("the envelope is not {salt, canonical}")
        salt = env["salt"]
        if len(salt) != 64 or salt != salt.lower() or not all(c in "0123456789abcdef" for c in salt):
            raise Bad("the salt is not 64 lowercase hex digits")
        state["envelope"] = read_canonical(env["canonical"], ENVELOPE_KEYS, "envelope")
        made = hashlib.sha256(bytes.fromhex(salt) + env["canonical"].encode("utf-8")).hexdigest()
        if made != lf["commitment"]:
            state.pop("envelope")
            raise Bad(f"SHA-256(salt || envelope) is {made}, the leaf commits to {lf['commitment']}")
        return f"the person's data opens the leaf's commitment {made}"
    if "leaf" in state:
        check("commitment", commitment)

    def statement():
        lf, d = state["leaf"], r.get("pdconsent") or {}
        at = datetime.datetime.strptime(lf["at"], "%Y-%m-%dT%H:%M:%SZ")
        stamp = int(at.replace(tzinfo=datetime.timezone.utc).timestamp())
        pairs = [
            ("consentReceiptID", r.get("consentReceiptID"), lf["id"]),
            ("consentTimestamp", r.get("consentTimestamp"), stamp),
            ("pdconsent.seq", d.get("seq"), lf["seq"]),
            ("pdconsent.at", d.get("at"), lf["at"]),
            ("pdconsent.event", d.get("event"), lf["kind"]),
            ("pdconsent.agreement.code", (d.get("agreement") or {}).get("code"), lf["agreement"]),
            ("pdconsent.agreement.revision", (d.get("agreement") or {}).get("revision"), lf["revision"]),
            ("pdconsent.source.code", (d.get("source") or {}).get("code"), lf["source"]),
            ("pdconsent.text_sha256", d.get("text_sha256"), lf["text_sha256"]),
            ("pdconsent.recorded_at", d.get("recorded_at"), lf.get("recorded_at")),
            ("pdconsent.requisites.code", (d.get("requisites") or {}).get("code"), lf.get("requisites")),
            ("pdconsent.requisites.revision", (d.get("requisites") or {}).get("revision"),
             lf.get("requisites_revision")),
            ("pdconsent.source.revision", (d.get("source") or {}).get("revision"), lf.get("source_revision")),
            ("pdconsent.checkbox", d.get("checkbox"), lf.get("checkbox")),
            ("pdconsent.withdraws", d.get("withdraws"), lf.get("withdraws")),
            ("pdconsent.channel", d.get("channel"), lf.get("channel")),
        ]
        # Whether the box was ticked before the person touched it: what 152-FZ cares about most.
        pre = bool((lf.get("checkbox") or {}).get("checked_by_default"))
        for i, service in enumerate(r.get("services") or []):
            for j, purpose in enumerate(service.get("purposes") or []):
                pairs.append((f"services[{i}].purposes[{j}].consentType", purpose.get("consentType"),
                              "PRE-TICKED" if pre else "EXPLICIT"))
        if isinstance(d.get("text"), str):
            pairs.append(("the SHA-256 of pdconsent.text",
                          hashlib.sha256(d["text"].encode("utf-8")).hexdigest(), lf["text_sha256"]))
        elif d.get("text") is not None:
            pairs.append(("pdconsent.text", d.get("text"), "a string"))
        if "envelope" in state:
            pairs.append(("pdconsent.subject", d.get("subject"), state["envelope"]))
        wrong = [f"{k} is {json.dumps(a, ensure_ascii=False)}, the leaf says "
                 f"{json.dumps(b, ensure_ascii=False)}" for k, a, b in pairs
                 if a != b or type(a) is not type(b)]
        if wrong:
            raise Bad("; ".join(wrong))
        return ("the receipt's id, times, event, agreement, requisites, source, checkbox, withdrawal, "
                "text and data are the leaf's")
    if "leaf" in state:
        check("statement", statement)

    if newer is not None:
        def consistency():
            if "cp" not in state:
                raise Bad("not checked: the receipt's own checkpoint is not usable")
            origin, size, root, _, _ = state["cp"]
            n_origin, n_size, n_root, _ = open_note(newer[0], vkeys)
            if n_origin != origin:
                raise Bad(f"the newer checkpoint is of `{n_origin}`, the receipt's of `{origin}`")
            lines = newer[1].split("\n")
            if lines[0] != CONSISTENCY_HEADER or lines[-1] != "" or len(lines) < 4:
                raise Bad(f"the consistency proof is not a `{CONSISTENCY_HEADER}` text")
            if not lines[1].startswith("old ") or not lines[2].startswith("new "):
                raise Bad("the consistency proof lacks its `old` and `new` lines")
            old_n, new_n = decimal(lines[1][4:], "old"), decimal(lines[2][4:], "new")
            if (old_n, new_n) != (size, n_size):
                raise Bad(f"the proof is from {old_n} to {new_n} leaves; the checkpoints "
                          f"are of {size} and {n_size}")
            consistent(size, n_size, [b64hash(h) for h in lines[3:-1]], root, n_root)
            return f"the tree of {n_size} leaves extends the receipt's tree of {size}"
        check("consistency", consistency)
    return checks


def main(argv):
    ap = argparse.ArgumentParser(description="Verify a pdconsent consent receipt offline.")
    ap.add_argument("receipt")
    ap.add_argument("--vkey", action="append", required=True,
                    help="the operator's verifier key, or @FILE (repeatable)")
    ap.add_argument("--checkpoint", help="a newer signed checkpoint")
    ap.add_argument("--consistency", help="the consistency proof to it")
    args = ap.parse_args(argv)
    if (args.checkpoint is None) != (args.consistency is None):
        print("error: --checkpoint and --consistency go together", file=sys.stderr)
        return 2
    try:
        keys = []
        for v in args.vkey:
            if v.startswith("@"):
                with open(v[1:], encoding="utf-8") as f:
                    v = f.read()
            keys.append(parse_vkey(v))
        with open(args.receipt, encoding="utf-8", errors="strict") as f:
            text = f.read()
        newer = None
        if args.checkpoint:
            with open(args.checkpoint, encoding="utf-8") as f, \
                    open(args.consistency, encoding="utf-8") as g:
                newer = (f.read(), g.read())
    except (OSError, UsageError) as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    except UnicodeDecodeError:
        print("receipt  FAIL the file is not UTF-8\nreceipt NOT verified")
        return 1
    checks = verify(text, keys, newer)
    for name, ok, detail in checks:
        print(f"{'ok' if ok else 'FAIL':<4} {name:<12} {detail}")
    good = all(ok for _, ok, _ in checks)
    print("receipt verified" if good else "receipt NOT verified")
    return 0 if good else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
