-- Migration 1 lays out the whole product, including the tables that later
-- capabilities fill (sources, texts, the consent ledger), so that their
-- arrival needs no rewrite of what is here. Released: never edit it.
CREATE TABLE requisites (
    id             INTEGER PRIMARY KEY,
    code           TEXT NOT NULL UNIQUE,
    kind           TEXT NOT NULL CHECK (kind IN ('legal', 'individual')),
    short_name     TEXT NOT NULL,
    full_name      TEXT,
    inn            TEXT,
    kpp            TEXT,
    ogrn           TEXT,
    ogrnip         TEXT,
    legal_address  TEXT,
    postal_address TEXT,
    email          TEXT,
    phone          TEXT,
    website        TEXT,
    is_default     INTEGER NOT NULL DEFAULT 0 CHECK (is_default IN (0, 1)),
    created_at     TEXT NOT NULL,
    updated_at     TEXT NOT NULL
) STRICT;
CREATE UNIQUE INDEX requisites_single_default ON requisites (is_default) WHERE is_default = 1;

CREATE TABLE agreements (
    id               INTEGER PRIMARY KEY,
    code             TEXT NOT NULL UNIQUE,
    archived         INTEGER NOT NULL DEFAULT 0 CHECK (archived IN (0, 1)),
    current_revision INTEGER NOT NULL,
    created_at       TEXT NOT NULL,
    updated_at       TEXT NOT NULL
) STRICT;

-- One immutable snapshot of every setting per revision.
CREATE TABLE agreement_revisions (
    agreement_id    INTEGER NOT NULL REFERENCES agreements (id) ON DELETE RESTRICT,
    revision        INTEGER NOT NULL CHECK (revision >= 1),
    requisites_code TEXT NOT NULL,
    settings        TEXT NOT NULL CHECK (json_valid(settings)),
    created_at      TEXT NOT NULL,
    actor           TEXT NOT NULL,
    PRIMARY KEY (agreement_id, revision)
) STRICT;
CREATE INDEX agreement_revisions_requisites ON agreement_revisions (requisites_code);
CREATE TRIGGER agreement_revisions_no_update BEFORE UPDATE ON agreement_revisions
BEGIN SELECT RAISE(ABORT, 'agreement revisions are immutable'); END;
CREATE TRIGGER agreement_revisions_no_delete BEFORE DELETE ON agreement_revisions
BEGIN SELECT RAISE(ABORT, 'agreement revisions are immutable'); END;
CREATE TRIGGER agreements_no_delete BEFORE DELETE ON agreements
BEGIN SELECT RAISE(ABORT, 'agreements are archived, never deleted'); END;

CREATE TABLE sources (
    id         INTEGER PRIMARY KEY,
    code       TEXT NOT NULL UNIQUE,
    kind       TEXT NOT NULL CHECK (kind IN ('form', 'openline')),
    name       TEXT NOT NULL,
    url        TEXT,
    fields     TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(fields)),
    warning    INTEGER NOT NULL DEFAULT 0 CHECK (warning IN (0, 1)),
    archived   INTEGER NOT NULL DEFAULT 0 CHECK (archived IN (0, 1)),
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
) STRICT;

-- NULL behaviour columns mean "as the agreement says".
CREATE TABLE source_agreements (
    source_id          INTEGER NOT NULL REFERENCES sources (id) ON DELETE CASCADE,
    agreement_id       INTEGER NOT NULL REFERENCES agreements (id) ON DELETE RESTRICT,
    position           INTEGER NOT NULL,
    required           INTEGER CHECK (required IN (0, 1)),
    checked_by_default INTEGER CHECK (checked_by_default IN (0, 1)),
    require_reading    INTEGER CHECK (require_reading IN (0, 1)),
    PRIMARY KEY (source_id, agreement_id)
) STRICT;

-- Content-addressed rendered texts: the exact bytes a person was shown.
CREATE TABLE texts (
    sha256     TEXT PRIMARY KEY CHECK (length(sha256) = 64),
    body       TEXT NOT NULL,
    created_at TEXT NOT NULL
) STRICT;
CREATE TRIGGER texts_no_update BEFORE UPDATE ON texts
BEGIN SELECT RAISE(ABORT, 'texts are immutable'); END;
CREATE TRIGGER texts_no_delete BEFORE DELETE ON texts
BEGIN SELECT RAISE(ABORT, 'texts are immutable'); END;

-- The consent ledger: append-only and hash-chained (prev_hash -> hash).
CREATE TABLE consent_events (
    seq          INTEGER PRIMARY KEY,
    event_id     TEXT NOT NULL UNIQUE,
    kind         TEXT NOT NULL CHECK (kind IN ('given', 'refused', 'withdrawn')),
    subject      TEXT NOT NULL,
    agreement_id INTEGER NOT NULL,
    revision     INTEGER NOT NULL,
    source_id    INTEGER REFERENCES sources (id),
    text_sha256  TEXT NOT NULL REFERENCES texts (sha256),
    data         TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(data)),
    ip           TEXT,
    url          TEXT,
    user_agent   TEXT,
    occurred_at  TEXT NOT NULL,
    recorded_at  TEXT NOT NULL,
    actor        TEXT NOT NULL,
    prev_hash    TEXT NOT NULL,
    hash         TEXT NOT NULL UNIQUE,
    FOREIGN KEY (agreement_id, revision) REFERENCES agreement_revisions (agreement_id, revision)
) STRICT;
CREATE INDEX consent_events_subject ON consent_events (subject, agreement_id);
CREATE INDEX consent_events_source ON consent_events (source_id, seq);
CREATE TRIGGER consent_events_no_update BEFORE UPDATE ON consent_events
BEGIN SELECT RAISE(ABORT, 'the consent ledger is append-only'); END;
CREATE TRIGGER consent_events_no_delete BEFORE DELETE ON consent_events
BEGIN SELECT RAISE(ABORT, 'the consent ledger is append-only'); END;

-- Who changed what, with the values before and after.
CREATE TABLE change_log (
    id          INTEGER PRIMARY KEY,
    at          TEXT NOT NULL,
    actor       TEXT NOT NULL,
    object_kind TEXT NOT NULL,
    object_code TEXT NOT NULL,
    action      TEXT NOT NULL,
    before      TEXT CHECK (before IS NULL OR json_valid(before)),
    after       TEXT CHECK (after IS NULL OR json_valid(after))
) STRICT;
CREATE INDEX change_log_object ON change_log (object_kind, object_code);
CREATE TRIGGER change_log_no_update BEFORE UPDATE ON change_log
BEGIN SELECT RAISE(ABORT, 'the change log is append-only'); END;
CREATE TRIGGER change_log_no_delete BEFORE DELETE ON change_log
BEGIN SELECT RAISE(ABORT, 'the change log is append-only'); END;
