-- Migration 7: a leaner ledger (docs/ledger.md, "Storage"). Recording and
-- verifying wrote and read a row of `ledger_hashes` for every stored hash of
-- the tree (about two per leaf), each behind a guard that looked it up first.
--
-- 1. Each leaf row holds the tree hashes its append stored: `hashes` is the
--    leaf hash and then the root of every perfect subtree the leaf completes,
--    smallest first — 32 bytes × (1 + trailing ones of the leaf's index), the
--    stored hashes `stored_hash_index(0, seq - 1) …` of the Go sumdb/tlog
--    layout, so that hash (level L, n) is bytes 32·L … of leaf (n + 1)·2^L.
--    The leaves table is rebuilt with the column (SQLite cannot add a CHECK
--    to a column of a table in use), its rows carried over unchanged, each
--    with the hashes `ledger_hashes` held for it; then `ledger_hashes` goes.
--    A leaf hash never changes, so neither does a root.
CREATE TABLE ledger_leaves_v7 (
    seq                 INTEGER PRIMARY KEY CHECK (seq >= 1),
    id                  TEXT NOT NULL,
    kind                TEXT NOT NULL CHECK (kind IN ('given', 'refused', 'withdrawn', 'erased',
                            'agreement_revision', 'requisites_revision', 'source_revision', 'text')),
    at                  TEXT NOT NULL,
    recorded_at         TEXT NOT NULL,
    agreement           TEXT,
    revision            INTEGER,
    requisites          TEXT,
    requisites_revision INTEGER,
    source              TEXT,
    source_revision     INTEGER,
    text_sha256         TEXT,
    checked_by_default  INTEGER CHECK (checked_by_default IN (0, 1)),
    required            INTEGER CHECK (required IN (0, 1)),
    channel             TEXT,
    external_id         TEXT,
    withdraws           INTEGER,
    commitment          TEXT,
    data_sha256         TEXT,
    -- Not part of the leaf: the envelope its commitment opens.
    envelope            INTEGER,
    -- Not part of the leaf: the tree hashes its append stored. NULL only when
    -- the old table had lost them (`ledger verify` reports it).
    hashes              BLOB CHECK (hashes IS NULL OR (length(hashes) >= 32 AND length(hashes) % 32 = 0))
) STRICT;
INSERT INTO ledger_leaves_v7 SELECT l.seq, l.id, l.kind, l.at, l.recorded_at, l.agreement,
    l.revision, l.requisites, l.requisites_revision, l.source, l.source_revision, l.text_sha256,
    l.checked_by_default, l.required, l.channel, l.external_id, l.withdraws, l.commitment,
    l.data_sha256, l.envelope,
    (SELECT unhex(group_concat(hex(h.hash), '' ORDER BY h.idx)) FROM ledger_hashes h
     WHERE h.idx >= pdconsent_stored_hash_index(l.seq - 1)
       AND h.idx < pdconsent_stored_hash_index(l.seq))
    FROM ledger_leaves l ORDER BY l.seq;
DROP TABLE ledger_leaves;
DROP TABLE ledger_hashes;
ALTER TABLE ledger_leaves_v7 RENAME TO ledger_leaves;
CREATE INDEX ledger_leaves_agreement ON ledger_leaves (agreement, seq);
CREATE INDEX ledger_leaves_source ON ledger_leaves (source, seq);
CREATE INDEX ledger_leaves_at ON ledger_leaves (at);
CREATE INDEX ledger_leaves_external ON ledger_leaves (source, external_id) WHERE external_id IS NOT NULL;
CREATE INDEX ledger_leaves_withdraws ON ledger_leaves (withdraws) WHERE withdraws IS NOT NULL;
CREATE INDEX ledger_leaves_envelope ON ledger_leaves (envelope) WHERE envelope IS NOT NULL;
CREATE TRIGGER ledger_leaves_no_update BEFORE UPDATE ON ledger_leaves
BEGIN SELECT RAISE(ABORT, 'the consent ledger is append-only'); END;
CREATE TRIGGER ledger_leaves_no_delete BEFORE DELETE ON ledger_leaves
BEGIN SELECT RAISE(ABORT, 'the consent ledger is append-only'); END;
CREATE TRIGGER ledger_leaves_in_sequence BEFORE INSERT ON ledger_leaves
WHEN NEW.seq IS NOT 1 + coalesce((SELECT max(seq) FROM ledger_leaves), 0)
BEGIN SELECT RAISE(ABORT, 'the consent ledger is append-only and numbered without gaps'); END;

-- 2. The tree's own heads: its size and root after every write that appended
--    leaves (and one for the tree as migrated). With the hashes inside the
--    leaf rows, deleting the newest leaves would leave a shorter tree that is
--    consistent in itself; the heads still name the size it had, so `ledger
--    verify` says which leaves are gone without a published head.
CREATE TABLE ledger_heads (
    size INTEGER PRIMARY KEY CHECK (size >= 1),
    root BLOB NOT NULL CHECK (length(root) = 32)
) STRICT;
CREATE TRIGGER ledger_heads_no_update BEFORE UPDATE ON ledger_heads
BEGIN SELECT RAISE(ABORT, 'the tree''s heads are append-only'); END;
CREATE TRIGGER ledger_heads_no_delete BEFORE DELETE ON ledger_heads
BEGIN SELECT RAISE(ABORT, 'the tree''s heads are append-only'); END;
CREATE TRIGGER ledger_heads_no_replace BEFORE INSERT ON ledger_heads
WHEN EXISTS (SELECT 1 FROM ledger_heads WHERE size = NEW.size)
BEGIN SELECT RAISE(ABORT, 'the tree''s heads are append-only'); END;
