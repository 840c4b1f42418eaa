//! The one module that speaks SQL. Everything above it sees [`Store`] and
//! [`Tx`] only, so another backend can take its place: the public methods of
//! `Tx` are the store interface a PostgreSQL backend will implement.
//!
//! - `mod.rs`: the store, its transactions and what they share;
//! - `open.rs`, `file.rs`: opening and creating the file; `schema.rs` and
//!   `migrations/NNNN_*.sql`: the schema; `retry.rs`: waiting for the lock;
//! - one file per table family, each with its `impl Tx` block and row mapping:
//!   `requisites.rs`, `agreements.rs`, `sources.rs`, `log.rs`, `texts.rs`, `ledger.rs`
//!   (the tree), `ledger_config.rs`, `consents.rs`, `erasure.rs` (erasure and settings),
//!   `checkpoints.rs` (verifier keys and signed checkpoints); `backup.rs`: `pdconsent backup`.
//!
//! Naming: a stored row with its bookkeeping is a `…Record`; `…_find`
//! returns `Option`, `…_get` returns [`StoreError::NotFound`].

mod agreements;
mod backup;
mod checkpoints;
mod consents;
mod erasure;
mod error;
mod file;
mod ledger;
mod ledger_config;
mod log;
mod open;
mod requisites;
mod retry;
mod schema;
mod sources;
mod texts;

use std::path::{Path, PathBuf};

use rusqlite::{Connection, TransactionBehavior};
use serde::Serialize;

pub use agreements::{AgreementRecord, AgreementRevisionRecord};
pub use backup::Placed;
pub use checkpoints::{CheckpointRecord, KeyRecord};
pub use consents::{EventFilter, ExportRefs, ExportRow};
pub use erasure::{DueEnvelope, ErasedBy};
pub use error::{Result, StoreError};
pub use ledger::{
    EnvelopeRow, LeafRow, Scanned, hash_hex, integrity_check_file, new_event_id, parse_salt,
};
pub use ledger_config::ConfigProblem;
pub use log::{ConfigStamp, LogFilter, LogRecord};
use open::Published;
pub use requisites::{RequisitesRecord, RequisitesRevisionRecord};
use retry::begin_immediate;
pub use retry::{ATTEMPTS, backoff, with_backoff};
pub use schema::{LEDGER_MIGRATION, MigrationError, latest_version};
pub use sources::{SourceRecord, SourceRevisionRecord};
pub use texts::{Pinned, TextChange, TextRecord};

/// What a command will do with the database.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// Only reads: the file is opened read-only and never created or converted.
    Read,
    /// Writes: a missing database is created (0600) by the first commit.
    Write,
}

/// An open database: one connection, and the file it belongs to.
pub struct Store {
    // Declared first, so it closes (removing its -wal and -shm) before `pending`
    // removes the temporary file.
    conn: Connection,
    path: Option<PathBuf>,
    /// A new database built under a temporary name, linked into place by the
    /// first commit; dropped (removed) if the command fails before that.
    pending: Option<tempfile::TempPath>,
    warnings: Vec<String>,
    /// The schema version of the file when it is older than the one served
    /// (a read of an older file reads an upgraded copy in memory).
    file_version: Option<u32>,
}

/// When and by whom a change is made.
#[derive(Debug, Clone, Copy)]
pub struct Stamp<'a> {
    pub at: &'a str,
    pub actor: &'a str,
}

/// How many rows each table holds (`pdconsent info`).
#[derive(Debug, Clone, Serialize)]
pub struct Counts {
    pub requisites: u64,
    pub agreements: u64,
    pub agreements_archived: u64,
    pub agreement_revisions: u64,
    pub sources: u64,
    pub sources_archived: u64,
    pub texts: u64,
    pub consent_events: u64,
    pub change_log: u64,
}

impl Store {
    /// The database file (`None` in memory).
    pub fn path(&self) -> Option<&Path> {
        self.path.as_deref()
    }

    /// Things the user should know about the file (e.g. it is readable by others).
    pub fn warnings(&self) -> &[String] {
        &self.warnings
    }

    /// Sets the page cache of this connection to `kib` KiB (a writing connection has 32 MiB:
    /// fast recording into a large ledger; `consent import` keeps to a smaller budget).
    pub fn set_cache_kib(&self, kib: u32) -> Result<()> {
        self.conn.pragma_update(None, "cache_size", -(kib as i64))?;
        Ok(())
    }

    /// Lets the write-ahead log grow to `pages` pages before a commit copies it into the file
    /// (SQLite's default is 1,000). A long batch then copies each page it keeps changing (the
    /// tree's right edge, the indexes' last pages) once per checkpoint instead of once per
    /// thousand pages written. The log is copied and emptied when the last connection closes.
    pub fn set_checkpoint_pages(&self, pages: u32) -> Result<()> {
        self.conn
            .pragma_update(None, "wal_autocheckpoint", i64::from(pages))?;
        Ok(())
    }

    /// The schema version of the open file (`PRAGMA user_version`).
    pub fn schema_version(&self) -> Result<u32> {
        if let Some(v) = self.file_version {
            return Ok(v);
        }
        Ok(schema::user_version(&self.conn)?)
    }

    /// Runs `f` in one read transaction, so everything it reads is consistent.
    pub fn read<T, E: From<StoreError>>(
        &mut self,
        f: impl FnOnce(&Tx) -> Result<T, E>,
    ) -> Result<T, E> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Deferred)
            .map_err(StoreError::from)?;
        let out = f(&Tx::new(&tx))?;
        tx.finish().map_err(StoreError::from)?;
        Ok(out)
    }

    /// Runs `f` in one write transaction: committed when it returns `Ok`,
    /// rolled back (the database exactly as before) when it returns `Err`.
    /// The write lock is waited for (with jittered backoff past the busy
    /// timeout). `f` is `Fn`: it runs again, on the database another process
    /// created at the same moment as this one, if that process won the race.
    pub fn write<T, E: From<StoreError>>(
        &mut self,
        f: impl Fn(&Tx) -> Result<T, E>,
    ) -> Result<T, E> {
        loop {
            let tx = begin_immediate(&self.conn)?;
            let t = Tx::new(&tx);
            let out = f(&t)?;
            if t.appended.get() {
                t.ledger_record_head()?;
            }
            drop(t);
            crate::interrupt::begin_commit();
            if let Err(e) = tx.commit() {
                crate::interrupt::end_commit(false);
                return Err(StoreError::from(e).into());
            }
            match self.publish() {
                Ok(Published::Done) => {
                    crate::interrupt::end_commit(true);
                    return Ok(out);
                }
                Ok(Published::Raced) => crate::interrupt::end_commit(false),
                // In place, only not open again: saved all the same.
                Err(e @ StoreError::SavedNotReopened { .. }) => {
                    crate::interrupt::end_commit(true);
                    return Err(e.into());
                }
                Err(e) => {
                    crate::interrupt::end_commit(false);
                    return Err(e.into());
                }
            }
        }
    }
}

/// One transaction. Every query of pdconsent is a method here.
pub struct Tx<'a> {
    tx: &'a rusqlite::Transaction<'a>,
    /// The ledger's right edge, read at the first append of the transaction and kept up to
    /// date by every append in it (the write lock is held): appends read nothing back.
    frontier: std::cell::RefCell<Option<crate::domain::ledger::Frontier>>,
    /// A leaf was appended: the commit records the tree's new head.
    appended: std::cell::Cell<bool>,
}

impl<'a> Tx<'a> {
    fn new(tx: &'a rusqlite::Transaction<'a>) -> Self {
        Tx {
            tx,
            frontier: std::cell::RefCell::new(None),
            appended: std::cell::Cell::new(false),
        }
    }
}

fn to_json<T: Serialize>(v: &T) -> String {
    // Serialising our own plain data types cannot fail.
    serde_json::to_string(v).unwrap_or_else(|_| "null".to_string())
}

impl Tx<'_> {
    // Statements are prepared once per connection and reused: `apply` runs the
    // same few of them for every object of a file.

    fn execute(&self, sql: &str, params: impl rusqlite::Params) -> rusqlite::Result<usize> {
        self.tx.prepare_cached(sql)?.execute(params)
    }

    fn query_row<T>(
        &self,
        sql: &str,
        params: impl rusqlite::Params,
        f: impl FnOnce(&rusqlite::Row) -> rusqlite::Result<T>,
    ) -> rusqlite::Result<T> {
        self.tx.prepare_cached(sql)?.query_row(params, f)
    }

    /// How many rows each table holds.
    pub fn counts(&self) -> Result<Counts> {
        let count = |sql: &str| -> Result<u64> {
            Ok(self.query_row(sql, [], |r| r.get::<_, i64>(0))? as u64)
        };
        Ok(Counts {
            requisites: count("SELECT count(*) FROM requisites")?,
            agreements: count("SELECT count(*) FROM agreements WHERE archived = 0")?,
            agreements_archived: count("SELECT count(*) FROM agreements WHERE archived = 1")?,
            agreement_revisions: count("SELECT count(*) FROM agreement_revisions")?,
            sources: count("SELECT count(*) FROM sources WHERE archived = 0")?,
            sources_archived: count("SELECT count(*) FROM sources WHERE archived = 1")?,
            texts: count("SELECT count(*) FROM texts")?,
            consent_events: count(
                "SELECT count(*) FROM ledger_leaves WHERE kind IN ('given', 'refused', 'withdrawn')",
            )?,
            change_log: count("SELECT count(*) FROM change_log")?,
        })
    }

    /// For tests of the append-only guarantees: runs raw SQL inside the transaction.
    #[cfg(test)]
    fn execute_raw(&self, sql: &str) -> rusqlite::Result<usize> {
        self.execute(sql, [])
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::agreement::Language;
    use crate::domain::agreement::Settings;
    use crate::domain::requisites::{Kind, Requisites};

    const AT: &str = "2026-11-28T12:00:00Z";

    fn store_with_agreement() -> Store {
        let mut s = Store::open_in_memory().unwrap();
        s.write(|tx| {
            let mut r = Requisites::new("main", Kind::Legal);
            r.short_name = "ООО «Ромашка»".into();
            r.is_default = true;
            tx.requisites_save(&r, Stamp { at: AT, actor: "t" })?;
            tx.agreement_create(
                "site",
                &Settings::new("Согласие", Language::Ru, "main"),
                AT,
                "tester",
            )
        })
        .unwrap();
        s
    }

    #[test]
    fn revisions_append_and_conflict() {
        let mut s = store_with_agreement();
        let mut settings = Settings::new("Согласие 2", Language::Ru, "main");
        settings.required = false;
        let n = s
            .write(|tx| tx.agreement_add_revision("site", 1, &settings, AT, "tester"))
            .unwrap();
        assert_eq!(n, 2);
        let err = s
            .write(|tx| tx.agreement_add_revision("site", 1, &settings, AT, "tester"))
            .unwrap_err();
        assert!(matches!(err, StoreError::Conflict { found: 2, .. }));
        let revs = s.read(|tx| tx.agreement_revisions("site")).unwrap();
        assert_eq!(revs.len(), 2);
        assert_eq!(revs[1].settings, settings);
        assert_eq!(
            s.read(|tx| tx.agreements_using_requisites("main")).unwrap(),
            ["site"]
        );
    }

    #[test]
    fn append_only_tables_refuse_update_and_delete() {
        let mut s = store_with_agreement();
        for sql in [
            "UPDATE agreement_revisions SET actor = 'x'",
            "DELETE FROM agreement_revisions",
            "DELETE FROM agreements",
        ] {
            let err = s
                .write(|tx| tx.execute_raw(sql).map_err(StoreError::from))
                .unwrap_err();
            assert!(
                err.to_string().contains("immutable") || err.to_string().contains("never deleted"),
                "{sql}: {err}"
            );
        }
    }

    #[test]
    fn failed_write_rolls_back() {
        let mut s = store_with_agreement();
        let res: Result<()> = s.write(|tx| {
            tx.log_append(
                Stamp { at: AT, actor: "t" },
                "requisites",
                "main",
                "update",
                None,
                None,
            )?;
            Err(StoreError::NotFound {
                kind: crate::domain::ObjectKind::Source,
                code: "y".into(),
            })
        });
        assert!(res.is_err());
        assert_eq!(s.read(|tx| tx.counts()).unwrap().change_log, 0);
    }

    #[test]
    fn single_default_requisites() {
        let mut s = store_with_agreement();
        s.write(|tx| {
            let mut r = Requisites::new("second", Kind::Legal);
            r.short_name = "ООО «Вторая»".into();
            r.is_default = true;
            tx.requisites_save(&r, Stamp { at: AT, actor: "t" })
        })
        .unwrap();
        assert_eq!(
            s.read(|tx| tx.requisites_default())
                .unwrap()
                .unwrap()
                .requisites
                .code,
            "second"
        );
        assert!(
            !s.read(|tx| tx.requisites_get("main"))
                .unwrap()
                .requisites
                .is_default
        );
    }
}
