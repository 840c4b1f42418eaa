-- Migration 2: guards that migration 1 lacked (docs/reliability.md).
--
-- `INSERT OR REPLACE` deletes the conflicting row without firing DELETE
-- triggers (unless recursive triggers are on), so an append-only table also
-- needs a BEFORE INSERT guard against a second row under the same key.

CREATE TRIGGER agreement_revisions_no_replace BEFORE INSERT ON agreement_revisions
WHEN EXISTS (SELECT 1 FROM agreement_revisions
             WHERE agreement_id = NEW.agreement_id AND revision = NEW.revision)
BEGIN SELECT RAISE(ABORT, 'agreement revisions are immutable'); END;

-- Revisions are numbered 1, 2, 3 … without gaps.
CREATE TRIGGER agreement_revisions_in_sequence BEFORE INSERT ON agreement_revisions
WHEN NEW.revision <> 1 + coalesce((SELECT max(revision) FROM agreement_revisions
                                    WHERE agreement_id = NEW.agreement_id), 0)
BEGIN SELECT RAISE(ABORT, 'agreement revisions are numbered without gaps'); END;

-- An agreement always points at its newest revision: no rollback to an older one.
CREATE TRIGGER agreements_current_is_newest BEFORE UPDATE OF current_revision ON agreements
WHEN NEW.current_revision IS NOT (SELECT max(revision) FROM agreement_revisions
                                  WHERE agreement_id = NEW.id)
BEGIN SELECT RAISE(ABORT, 'an agreement''s current revision is its newest one'); END;

CREATE TRIGGER agreements_no_replace BEFORE INSERT ON agreements
WHEN EXISTS (SELECT 1 FROM agreements WHERE code = NEW.code OR id = NEW.id)
BEGIN SELECT RAISE(ABORT, 'agreements are never replaced'); END;

CREATE TRIGGER texts_no_replace BEFORE INSERT ON texts
WHEN EXISTS (SELECT 1 FROM texts WHERE sha256 = NEW.sha256)
BEGIN SELECT RAISE(ABORT, 'texts are immutable'); END;

-- A text is stored under the SHA-256 of its body; pdconsent registers the
-- function on every connection it opens.
CREATE TRIGGER texts_hash_matches BEFORE INSERT ON texts
WHEN NEW.sha256 IS NOT pdconsent_sha256(NEW.body)
BEGIN SELECT RAISE(ABORT, 'a text must be stored under the SHA-256 of its body'); END;

CREATE TRIGGER consent_events_no_replace BEFORE INSERT ON consent_events
WHEN EXISTS (SELECT 1 FROM consent_events
             WHERE seq = NEW.seq OR event_id = NEW.event_id OR hash = NEW.hash)
BEGIN SELECT RAISE(ABORT, 'the consent ledger is append-only'); END;

CREATE TRIGGER change_log_no_replace BEFORE INSERT ON change_log
WHEN EXISTS (SELECT 1 FROM change_log WHERE id = NEW.id)
BEGIN SELECT RAISE(ABORT, 'the change log is append-only'); END;
