-- Migration 5: the consent ledger (docs/ledger.md). An RFC 6962 Merkle log of
-- leaves — consent events and, as leaves of their own kinds, every revision
-- and every registered text — whose personal data lives beside it in
-- envelopes, the only rows pdconsent may ever delete (erasure).
--
-- Migration 1's `consent_events` (a hash chain that nothing ever wrote) gives
-- way to it; its triggers go with it.
DROP TABLE consent_events;

-- One row per leaf, seq = leaf index + 1. The columns are the leaf's fields:
-- `ledger verify` rebuilds the canonical leaf from them and hashes it.
CREATE TABLE ledger_leaves (
    seq                 INTEGER PRIMARY KEY CHECK (seq >= 1),
    id                  TEXT NOT NULL,
    kind                TEXT NOT NULL CHECK (kind IN ('given', 'refused', 'withdrawn',
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
-- Plain (not partial) indexes: a partial index's `kind IN (…)` costs an ephemeral table at
-- every insert; the few configuration leaves they also hold cost nothing.
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
-- Leaves are numbered 1, 2, 3 … without gaps, and never replaced.
CREATE TRIGGER ledger_leaves_in_sequence BEFORE INSERT ON ledger_leaves
WHEN NEW.seq IS NOT 1 + coalesce((SELECT max(seq) FROM ledger_leaves), 0)
BEGIN SELECT RAISE(ABORT, 'the consent ledger is append-only and numbered without gaps'); END;

-- The tree's hashes in the Go sumdb/tlog stored-hash layout (docs/ledger.md).
CREATE TABLE ledger_hashes (
    idx  INTEGER PRIMARY KEY CHECK (idx >= 0),
    hash BLOB NOT NULL CHECK (length(hash) = 32)
) STRICT;
CREATE TRIGGER ledger_hashes_no_update BEFORE UPDATE ON ledger_hashes
BEGIN SELECT RAISE(ABORT, 'the tree''s hashes are append-only'); END;
CREATE TRIGGER ledger_hashes_no_delete BEFORE DELETE ON ledger_hashes
BEGIN SELECT RAISE(ABORT, 'the tree''s hashes are append-only'); END;
CREATE TRIGGER ledger_hashes_no_replace BEFORE INSERT ON ledger_hashes
WHEN EXISTS (SELECT 1 FROM ledger_hashes WHERE idx = NEW.idx)
BEGIN SELECT RAISE(ABORT, 'the tree''s hashes are append-only'); END;

-- The personal data of a submission (or a withdrawal's reason) with its salt.
-- Erasure deletes a row (and its subject keys); nothing ever changes one.
CREATE TABLE ledger_envelopes (
    id         INTEGER PRIMARY KEY,
    salt       TEXT NOT NULL CHECK (length(salt) = 64),
    fields     TEXT NOT NULL CHECK (json_valid(fields)),
    ip         TEXT,
    url        TEXT,
    user_agent TEXT,
    reason     TEXT
) STRICT;
CREATE INDEX ledger_envelopes_ip ON ledger_envelopes (ip) WHERE ip IS NOT NULL;
CREATE TRIGGER ledger_envelopes_no_update BEFORE UPDATE ON ledger_envelopes
BEGIN SELECT RAISE(ABORT, 'envelopes are never changed, only erased'); END;
CREATE TRIGGER ledger_envelopes_no_replace BEFORE INSERT ON ledger_envelopes
WHEN EXISTS (SELECT 1 FROM ledger_envelopes WHERE id = NEW.id)
BEGIN SELECT RAISE(ABORT, 'envelopes are never changed, only erased'); END;

-- 64-bit keys of (field kind, normalised value) per envelope: how status and
-- withdraw find a person's events (src/domain/ledger/subject.rs).
CREATE TABLE ledger_subjects (
    key      INTEGER NOT NULL,
    envelope INTEGER NOT NULL,
    PRIMARY KEY (key, envelope)
) STRICT, WITHOUT ROWID;
CREATE TRIGGER ledger_subjects_no_update BEFORE UPDATE ON ledger_subjects
BEGIN SELECT RAISE(ABORT, 'subject keys are never changed, only erased'); END;
CREATE TRIGGER ledger_subjects_no_delete BEFORE DELETE ON ledger_subjects
WHEN EXISTS (SELECT 1 FROM ledger_envelopes WHERE id = OLD.envelope)
BEGIN SELECT RAISE(ABORT, 'subject keys are erased after their envelope, never before it'); END;
