-- Migration 3: texts that never drift. Requisites and sources get immutable
-- revisions like agreements, and every text that becomes current for a linked
-- (agreement, source) pair is registered with the revisions it was rendered
-- from (docs/templates.md, "What pins a text").

-- One snapshot of every value of a set of requisites per revision. Keyed by
-- code: a removed set keeps its revisions (texts rendered from them stay
-- reproducible), and a set added again under the same code continues them.
CREATE TABLE requisites_revisions (
    code       TEXT NOT NULL,
    revision   INTEGER NOT NULL CHECK (revision >= 1),
    data       TEXT NOT NULL CHECK (json_valid(data)),
    created_at TEXT NOT NULL,
    actor      TEXT NOT NULL,
    PRIMARY KEY (code, revision)
) STRICT;
CREATE INDEX requisites_revisions_time ON requisites_revisions (code, created_at);
CREATE TRIGGER requisites_revisions_no_update BEFORE UPDATE ON requisites_revisions
BEGIN SELECT RAISE(ABORT, 'requisites revisions are immutable'); END;
CREATE TRIGGER requisites_revisions_no_delete BEFORE DELETE ON requisites_revisions
BEGIN SELECT RAISE(ABORT, 'requisites revisions are immutable'); END;
CREATE TRIGGER requisites_revisions_no_replace BEFORE INSERT ON requisites_revisions
WHEN EXISTS (SELECT 1 FROM requisites_revisions WHERE code = NEW.code AND revision = NEW.revision)
BEGIN SELECT RAISE(ABORT, 'requisites revisions are immutable'); END;
CREATE TRIGGER requisites_revisions_in_sequence BEFORE INSERT ON requisites_revisions
WHEN NEW.revision <> 1 + coalesce((SELECT max(revision) FROM requisites_revisions
                                    WHERE code = NEW.code), 0)
BEGIN SELECT RAISE(ABORT, 'requisites revisions are numbered without gaps'); END;

-- One snapshot of a source (its settings, fields and agreement links) per revision.
CREATE TABLE source_revisions (
    source_id  INTEGER NOT NULL REFERENCES sources (id) ON DELETE RESTRICT,
    revision   INTEGER NOT NULL CHECK (revision >= 1),
    data       TEXT NOT NULL CHECK (json_valid(data)),
    created_at TEXT NOT NULL,
    actor      TEXT NOT NULL,
    PRIMARY KEY (source_id, revision)
) STRICT;
CREATE INDEX source_revisions_time ON source_revisions (source_id, created_at);
CREATE TRIGGER source_revisions_no_update BEFORE UPDATE ON source_revisions
BEGIN SELECT RAISE(ABORT, 'source revisions are immutable'); END;
CREATE TRIGGER source_revisions_no_delete BEFORE DELETE ON source_revisions
BEGIN SELECT RAISE(ABORT, 'source revisions are immutable'); END;
CREATE TRIGGER source_revisions_no_replace BEFORE INSERT ON source_revisions
WHEN EXISTS (SELECT 1 FROM source_revisions WHERE source_id = NEW.source_id AND revision = NEW.revision)
BEGIN SELECT RAISE(ABORT, 'source revisions are immutable'); END;
CREATE TRIGGER source_revisions_in_sequence BEFORE INSERT ON source_revisions
WHEN NEW.revision <> 1 + coalesce((SELECT max(revision) FROM source_revisions
                                    WHERE source_id = NEW.source_id), 0)
BEGIN SELECT RAISE(ABORT, 'source revisions are numbered without gaps'); END;
CREATE TRIGGER sources_no_delete BEFORE DELETE ON sources
BEGIN SELECT RAISE(ABORT, 'sources are archived, never deleted'); END;

-- What each existing set and source holds now becomes its revision 1, made
-- when it was last changed, by whoever changed it last.
INSERT INTO requisites_revisions (code, revision, data, created_at, actor)
SELECT r.code, 1,
       json_object('code', r.code, 'kind', r.kind, 'short_name', r.short_name,
                   'full_name', r.full_name, 'inn', r.inn, 'kpp', r.kpp, 'ogrn', r.ogrn,
                   'ogrnip', r.ogrnip, 'legal_address', r.legal_address,
                   'postal_address', r.postal_address, 'email', r.email, 'phone', r.phone,
                   'website', r.website,
                   'default', json(CASE r.is_default WHEN 1 THEN 'true' ELSE 'false' END)),
       r.updated_at,
       coalesce((SELECT c.actor FROM change_log c
                 WHERE c.object_kind = 'requisites' AND c.object_code = r.code
                 ORDER BY c.id DESC LIMIT 1), 'migration')
FROM requisites r;

INSERT INTO source_revisions (source_id, revision, data, created_at, actor)
SELECT s.id, 1,
       json_object('code', s.code, 'kind', s.kind, 'name', s.name, 'url', s.url,
                   'fields', json(s.fields),
                   'warning', json(CASE s.warning WHEN 1 THEN 'true' ELSE 'false' END),
                   'agreements', (
                       SELECT json_group_array(json_object(
                           'agreement', a.code,
                           'required', json(CASE sa.required WHEN 1 THEN 'true' WHEN 0 THEN 'false' ELSE 'null' END),
                           'checked_by_default', json(CASE sa.checked_by_default WHEN 1 THEN 'true' WHEN 0 THEN 'false' ELSE 'null' END),
                           'require_reading', json(CASE sa.require_reading WHEN 1 THEN 'true' WHEN 0 THEN 'false' ELSE 'null' END))
                           ORDER BY sa.position)
                       FROM source_agreements sa JOIN agreements a ON a.id = sa.agreement_id
                       WHERE sa.source_id = s.id)),
       s.updated_at,
       coalesce((SELECT c.actor FROM change_log c
                 WHERE c.object_kind = 'source' AND c.object_code = s.code
                 ORDER BY c.id DESC LIMIT 1), 'migration')
FROM sources s;

-- The text registry: from `current_from` on, this text (NULL: none) is the
-- one shown for the agreement on the source, rendered from these revisions.
-- The next registration of the same pair ends it.
CREATE TABLE text_registrations (
    id                  INTEGER PRIMARY KEY,
    agreement_id        INTEGER NOT NULL,
    agreement_revision  INTEGER NOT NULL,
    source_id           INTEGER NOT NULL,
    source_revision     INTEGER NOT NULL,
    requisites_code     TEXT,
    requisites_revision INTEGER,
    sha256              TEXT REFERENCES texts (sha256),
    current_from        TEXT NOT NULL,
    actor               TEXT NOT NULL,
    FOREIGN KEY (agreement_id, agreement_revision) REFERENCES agreement_revisions (agreement_id, revision),
    FOREIGN KEY (source_id, source_revision) REFERENCES source_revisions (source_id, revision)
) STRICT;
CREATE INDEX text_registrations_pair ON text_registrations (agreement_id, source_id, id);
CREATE INDEX text_registrations_sha256 ON text_registrations (sha256);
CREATE TRIGGER text_registrations_no_update BEFORE UPDATE ON text_registrations
BEGIN SELECT RAISE(ABORT, 'the text registry is append-only'); END;
CREATE TRIGGER text_registrations_no_delete BEFORE DELETE ON text_registrations
BEGIN SELECT RAISE(ABORT, 'the text registry is append-only'); END;
CREATE TRIGGER text_registrations_no_replace BEFORE INSERT ON text_registrations
WHEN EXISTS (SELECT 1 FROM text_registrations WHERE id = NEW.id)
BEGIN SELECT RAISE(ABORT, 'the text registry is append-only'); END;

ALTER TABLE requisites ADD COLUMN current_revision INTEGER NOT NULL DEFAULT 1;
ALTER TABLE sources ADD COLUMN current_revision INTEGER NOT NULL DEFAULT 1;
