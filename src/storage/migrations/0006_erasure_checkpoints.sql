-- Migration 6: erasure, signing keys, signed checkpoints and the operator's
-- settings (docs/ledger.md, "Erasure" and "Signed checkpoints").
--
-- 1. The ledger learns the leaf kind `erased`. SQLite cannot change a CHECK
--    constraint, so `ledger_leaves` is rebuilt: the same columns, the same
--    rows (nothing of a leaf changes, so every leaf hash stays), the same
--    indexes and guards. DROP TABLE fires no trigger.
CREATE TABLE ledger_leaves_v6 (
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
    envelope            INTEGER
) STRICT;
INSERT INTO ledger_leaves_v6 SELECT seq, id, kind, at, recorded_at, agreement, revision,
    requisites, requisites_revision, source, source_revision, text_sha256, checked_by_default,
    required, channel, external_id, withdraws, commitment, data_sha256, envelope
    FROM ledger_leaves ORDER BY seq;
DROP TABLE ledger_leaves;
ALTER TABLE ledger_leaves_v6 RENAME TO ledger_leaves;
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

-- 2. Erasure. An `erased` leaf's data_sha256 is the SHA-256 of `record`, the
--    canonical JSON of the envelopes deleted and the events they belonged to.
--    `ledger_erased` names each erased envelope once; an envelope can only be
--    deleted once it is named there, so a DELETE outside `subject erase`
--    needs a dropped trigger first (which `ledger verify` reports).
CREATE TABLE ledger_erasures (
    seq    INTEGER PRIMARY KEY,
    record TEXT NOT NULL CHECK (json_valid(record))
) STRICT;
CREATE TRIGGER ledger_erasures_no_update BEFORE UPDATE ON ledger_erasures
BEGIN SELECT RAISE(ABORT, 'erasure records are append-only'); END;
CREATE TRIGGER ledger_erasures_no_delete BEFORE DELETE ON ledger_erasures
BEGIN SELECT RAISE(ABORT, 'erasure records are append-only'); END;
CREATE TRIGGER ledger_erasures_no_replace BEFORE INSERT ON ledger_erasures
WHEN EXISTS (SELECT 1 FROM ledger_erasures WHERE seq = NEW.seq)
BEGIN SELECT RAISE(ABORT, 'erasure records are append-only'); END;

CREATE TABLE ledger_erased (
    envelope INTEGER PRIMARY KEY,
    erasure  INTEGER NOT NULL
) STRICT;
CREATE INDEX ledger_erased_erasure ON ledger_erased (erasure);
CREATE TRIGGER ledger_erased_no_update BEFORE UPDATE ON ledger_erased
BEGIN SELECT RAISE(ABORT, 'erasure records are append-only'); END;
CREATE TRIGGER ledger_erased_no_delete BEFORE DELETE ON ledger_erased
BEGIN SELECT RAISE(ABORT, 'erasure records are append-only'); END;
CREATE TRIGGER ledger_erased_no_replace BEFORE INSERT ON ledger_erased
WHEN EXISTS (SELECT 1 FROM ledger_erased WHERE envelope = NEW.envelope)
BEGIN SELECT RAISE(ABORT, 'erasure records are append-only'); END;
CREATE TRIGGER ledger_envelopes_erased_only BEFORE DELETE ON ledger_envelopes
WHEN NOT EXISTS (SELECT 1 FROM ledger_erased WHERE envelope = OLD.id)
BEGIN SELECT RAISE(ABORT, 'an envelope is deleted only by `pdconsent subject erase`, which records the erasure first'); END;

-- 3. Signing keys (their verifier keys: the private key never enters the
--    database) and the signed checkpoints, both append-only. The newest key is
--    the one in use; an older one stays to verify what it signed.
CREATE TABLE ledger_keys (
    id         INTEGER PRIMARY KEY,
    vkey       TEXT NOT NULL UNIQUE,
    origin     TEXT NOT NULL,
    created_at TEXT NOT NULL
) STRICT;
CREATE TRIGGER ledger_keys_no_update BEFORE UPDATE ON ledger_keys
BEGIN SELECT RAISE(ABORT, 'verifier keys are append-only'); END;
CREATE TRIGGER ledger_keys_no_delete BEFORE DELETE ON ledger_keys
BEGIN SELECT RAISE(ABORT, 'verifier keys are append-only'); END;

CREATE TABLE ledger_checkpoints (
    id        INTEGER PRIMARY KEY,
    size      INTEGER NOT NULL CHECK (size >= 0),
    root      BLOB NOT NULL CHECK (length(root) = 32),
    key       INTEGER NOT NULL REFERENCES ledger_keys (id),
    signed_at TEXT NOT NULL,
    note      TEXT NOT NULL
) STRICT;
CREATE INDEX ledger_checkpoints_size ON ledger_checkpoints (size);
CREATE TRIGGER ledger_checkpoints_no_update BEFORE UPDATE ON ledger_checkpoints
BEGIN SELECT RAISE(ABORT, 'checkpoints are append-only'); END;
CREATE TRIGGER ledger_checkpoints_no_delete BEFORE DELETE ON ledger_checkpoints
BEGIN SELECT RAISE(ABORT, 'checkpoints are append-only'); END;

-- 4. The operator's settings (`pdconsent setting`): the time zone in which
--    withdrawal and destruction dates are counted, for now.
CREATE TABLE settings (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
) STRICT;
