//! The embedded, numbered, append-only migrations in `migrations/NNNN_*.sql`.
//! Never edit a released migration: add the next one. `PRAGMA user_version`
//! holds the number applied; `PRAGMA application_id` marks the file as ours.
//!
//! The runner is ours, not rusqlite_migration's: that crate reads the version
//! outside its (deferred) transaction, so two processes opening a new file at
//! once both ran migration 1 and one failed with `table … already exists`.
//! Here the version is read again under the write lock (`BEGIN IMMEDIATE`).

use std::sync::OnceLock;

use rusqlite::Connection;

/// `PRAGMA application_id` of a pdconsent database: "pdcn".
pub const APPLICATION_ID: i32 = 0x7064_636e;

/// The migrations, in order: migration N is `MIGRATIONS[N - 1]`.
static MIGRATIONS: &[(&str, &str)] = &[
    ("initial", include_str!("migrations/0001_initial.sql")),
    ("guards", include_str!("migrations/0002_guards.sql")),
    (
        "pinned texts",
        include_str!("migrations/0003_pinned_texts.sql"),
    ),
    ("gdpr", include_str!("migrations/0004_gdpr.sql")),
    ("ledger", include_str!("migrations/0005_ledger.sql")),
    (
        "erasure and checkpoints",
        include_str!("migrations/0006_erasure_checkpoints.sql"),
    ),
    (
        "lean ledger",
        include_str!("migrations/0007_lean_ledger.sql"),
    ),
];

/// The migration that created the ledger: a database older than it gets its
/// revisions and registered texts logged as leaves by [`migrate`].
pub const LEDGER_MIGRATION: u32 = 5;

/// The migration that moved the tree's hashes into the leaf rows: it records the head of the
/// tree as migrated.
pub const LEAN_LEDGER_MIGRATION: u32 = 7;

/// The schema version this binary writes.
pub fn latest_version() -> u32 {
    MIGRATIONS.len() as u32
}

/// `PRAGMA user_version`: the number of migrations applied.
pub fn user_version(conn: &Connection) -> rusqlite::Result<u32> {
    conn.query_row("PRAGMA user_version", [], |r| r.get(0))
}

/// `PRAGMA application_id`: [`APPLICATION_ID`] in a pdconsent file.
pub fn application_id(conn: &Connection) -> rusqlite::Result<i32> {
    conn.query_row("PRAGMA application_id", [], |r| r.get(0))
}

/// A migration that failed, by number and name (never its SQL).
#[derive(Debug, thiserror::Error)]
#[error("migration {number} ({name}) failed: {detail}")]
pub struct MigrationError {
    pub number: u32,
    pub name: &'static str,
    /// SQLite's message, without the statement that rusqlite appends to it.
    pub detail: String,
    /// The SQLite error code, to tell a busy database from a broken one.
    pub code: Option<rusqlite::ErrorCode>,
}

/// Brings the schema to [`latest_version`] in one transaction that holds the
/// write lock from the start; returns the version found before. A version
/// above the latest is left alone (the caller refuses such a file).
pub fn migrate(conn: &mut Connection) -> Result<u32, MigrationError> {
    let fail = |number: u32, e: rusqlite::Error| MigrationError {
        number,
        name: MIGRATIONS
            .get(number.saturating_sub(1) as usize)
            .map_or("", |m| m.0),
        code: e.sqlite_error_code(),
        detail: match e {
            rusqlite::Error::SqlInputError { msg, .. } => msg,
            other => other.to_string(),
        },
    };
    // Up to date (the usual case): no write lock to take. The version only ever grows, so
    // a file found current stays current.
    let seen = user_version(conn).map_err(|e| fail(0, e))?;
    if seen >= latest_version() {
        return Ok(seen);
    }
    let tx = conn
        .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)
        .map_err(|e| fail(0, e))?;
    let found = user_version(&tx).map_err(|e| fail(0, e))?;
    if found >= latest_version() {
        return Ok(found);
    }
    for (i, (_, sql)) in MIGRATIONS.iter().enumerate().skip(found as usize) {
        let number = i as u32 + 1;
        if number == LEAN_LEDGER_MIGRATION {
            hashes_match_leaves(&tx)?;
        }
        tx.execute_batch(sql).map_err(|e| fail(number, e))?;
    }
    // The steps in Rust run once every migration's SQL has: they write through the code of
    // this binary, which knows only the latest schema.
    let step = |number: u32, name: &'static str, e: super::StoreError| MigrationError {
        number,
        name,
        detail: e.to_string(),
        code: None,
    };
    if found < LEDGER_MIGRATION {
        let now = crate::domain::timestamp(chrono::Utc::now());
        super::Tx::new(&tx)
            .ledger_backfill(&now)
            .map_err(|e| step(LEDGER_MIGRATION, "ledger", e))?;
    }
    if found < LEAN_LEDGER_MIGRATION {
        super::Tx::new(&tx)
            .ledger_record_head()
            .map_err(|e| step(LEAN_LEDGER_MIGRATION, "lean ledger", e))?;
    }
    let latest = latest_version();
    tx.execute_batch(&format!(
        "PRAGMA user_version = {latest}; PRAGMA application_id = {APPLICATION_ID};"
    ))
    .map_err(|e| fail(latest, e))?;
    tx.commit().map_err(|e| fail(latest, e))?;
    Ok(found)
}

/// SHA-256 of the reference triggers ([`triggers_fingerprint`] of [`reference_triggers`]).
/// A test keeps it equal to what the migrations create; opening a database compares the
/// file's triggers with it, and migrates an in-memory copy only when they differ (to name the
/// missing ones), so a command does not pay for parsing every migration.
pub const REFERENCE_TRIGGERS_SHA256: &str =
    "8ea36fe23289921e2da845f65535533fd650b68ca08fbdeb740043fc7485fb24";

/// SHA-256 over `name NUL sql LF` of each trigger, in the order given (sorted by name).
pub fn triggers_fingerprint(triggers: &[(String, String)]) -> String {
    use sha2::{Digest, Sha256};
    let mut h = Sha256::new();
    for (name, sql) in triggers {
        h.update(name.as_bytes());
        h.update([0]);
        h.update(sql.as_bytes());
        h.update([b'\n']);
    }
    crate::domain::ledger::merkle::hex(&h.finalize())
}

/// Every trigger of the current schema, `(name, sql)` sorted by name, as the
/// migrations create it: the guards a database must still have to be written.
pub fn reference_triggers() -> &'static [(String, String)] {
    static REFERENCE: OnceLock<Vec<(String, String)>> = OnceLock::new();
    REFERENCE.get_or_init(|| {
        let mut conn = Connection::open_in_memory().expect("an in-memory database opens");
        super::open::register_functions(&conn).expect("functions register");
        migrate(&mut conn).expect("the embedded migrations apply to an empty database");
        triggers(&conn).expect("sqlite_master is readable")
    })
}

/// Before migration 7 moves the stored hashes into the leaf rows: the leaves must be
/// numbered 1 … n without a gap and the hashes be exactly indexes 0 … the count n needs.
/// Hashes beyond the last leaf (its newest leaves deleted outside pdconsent), hashes of a
/// deleted middle leaf, or missing ones are evidence the move would lose (or could not make),
/// so the file is left as it is and the operator told how to look at it.
fn hashes_match_leaves(tx: &Connection) -> Result<(), MigrationError> {
    let counts = tx.query_row(
        "SELECT (SELECT count(*) FROM ledger_hashes), (SELECT coalesce(max(idx) + 1, 0) FROM ledger_hashes),
                (SELECT coalesce(max(seq), 0) FROM ledger_leaves), (SELECT count(*) FROM ledger_leaves)",
        [],
        |r| {
            Ok((
                r.get::<_, i64>(0)?,
                r.get::<_, i64>(1)?,
                r.get::<_, i64>(2)?,
                r.get::<_, i64>(3)?,
            ))
        },
    );
    let (hashes, hash_span, leaves, rows) = counts.map_err(|e| MigrationError {
        number: LEAN_LEDGER_MIGRATION,
        name: "lean ledger",
        code: e.sqlite_error_code(),
        detail: e.to_string(),
    })?;
    let want = crate::domain::ledger::stored_hash_count(leaves as u64);
    if hashes as u64 == want && hash_span == hashes && rows == leaves {
        return Ok(());
    }
    Err(MigrationError {
        number: LEAN_LEDGER_MIGRATION,
        name: "lean ledger",
        code: None,
        detail: format!(
            "the tree stores {hashes} hashes (indexes up to {}) where {rows} leaves numbered up to {leaves} need {want}: the ledger was changed outside pdconsent, and moving the hashes into the leaves would lose that trace; the file was left as it was — run `pdconsent ledger verify` with the pdconsent that wrote it to see what changed",
            hash_span - 1
        ),
    })
}

/// The triggers a database has, `(name, sql)` sorted by name.
pub fn triggers(conn: &Connection) -> rusqlite::Result<Vec<(String, String)>> {
    let mut st = conn.prepare(
        "SELECT name, coalesce(sql, '') FROM sqlite_master WHERE type = 'trigger' ORDER BY name",
    )?;
    let rows = st.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?;
    rows.collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn migrations_apply_once_and_mark_the_file() {
        let mut conn = Connection::open_in_memory().unwrap();
        super::super::open::register_functions(&conn).unwrap();
        assert_eq!(migrate(&mut conn).unwrap(), 0);
        assert_eq!(user_version(&conn).unwrap(), latest_version());
        assert_eq!(application_id(&conn).unwrap(), APPLICATION_ID);
        // A second run finds the latest version and does nothing.
        assert_eq!(migrate(&mut conn).unwrap(), latest_version());
    }

    #[test]
    fn a_failing_migration_names_itself_not_its_sql() {
        let mut conn = Connection::open_in_memory().unwrap();
        conn.execute_batch("CREATE TABLE requisites (x)").unwrap();
        let err = migrate(&mut conn).unwrap_err().to_string();
        assert!(err.starts_with("migration 1 (initial) failed"), "{err}");
        assert!(!err.contains("CREATE"), "{err}");
        // Rolled back: nothing of migration 1 stayed.
        assert_eq!(user_version(&conn).unwrap(), 0);
    }

    #[test]
    fn the_reference_fingerprint_is_that_of_the_migrations() {
        assert_eq!(
            triggers_fingerprint(reference_triggers()),
            REFERENCE_TRIGGERS_SHA256,
            "a migration changed the triggers: put the new fingerprint in REFERENCE_TRIGGERS_SHA256"
        );
    }

    #[test]
    fn every_append_only_table_has_its_guards() {
        let names: Vec<&str> = reference_triggers()
            .iter()
            .map(|(n, _)| n.as_str())
            .collect();
        for t in [
            "agreement_revisions_no_update",
            "agreement_revisions_no_delete",
            "agreement_revisions_no_replace",
            "texts_no_replace",
            "texts_hash_matches",
            "ledger_leaves_no_update",
            "ledger_leaves_in_sequence",
            "ledger_heads_no_replace",
            "ledger_heads_no_delete",
            "ledger_envelopes_no_update",
            "change_log_no_replace",
            "agreements_current_is_newest",
        ] {
            assert!(names.contains(&t), "missing {t}");
        }
    }
}
