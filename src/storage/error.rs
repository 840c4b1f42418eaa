//! The store's errors. Each says what happened; [`StoreError::hint`] says what
//! to run next, and [`StoreError::is_contention`] whether running again can help.

use std::path::PathBuf;

use rusqlite::ErrorCode;

use super::MigrationError;
use crate::domain::ObjectKind;

/// What went wrong in the store: a lookup, the file, a concurrent change, SQLite.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("{kind} `{code}` not found")]
    NotFound { kind: ObjectKind, code: String },
    #[error("{kind} `{code}` already exists")]
    AlreadyExists { kind: ObjectKind, code: String },
    #[error("revision {revision} of {kind} `{code}` not found (the latest is {latest})")]
    RevisionNotFound {
        kind: ObjectKind,
        code: String,
        revision: u32,
        latest: u32,
    },
    #[error("no database at `{path}`")]
    NoDatabase { path: PathBuf },
    #[error(
        "database `{path}` has schema version {found}, newer than this pdconsent understands (up to {supported}); it was left untouched"
    )]
    TooNew {
        path: PathBuf,
        found: u32,
        supported: u32,
    },
    #[error("`{path}` is not a pdconsent database (not an SQLite file); it was left untouched")]
    NotADatabase { path: PathBuf },
    #[error(
        "`{path}` is an SQLite database of another program (it has no pdconsent mark); it was left untouched"
    )]
    Foreign { path: PathBuf },
    #[error("`{path}` is {what}, not a database file")]
    NotAFile { path: PathBuf, what: &'static str },
    #[error("`{path}` is a dangling symlink (it points to `{target}`, which does not exist)")]
    DanglingSymlink { path: PathBuf, target: PathBuf },
    #[error(
        "`{path}` is an existing file that pdconsent did not create (mode {mode:04o}, owner uid {uid}); a new database is only made in a file private to the current user, so it was left untouched"
    )]
    NotOwned { path: PathBuf, mode: u32, uid: u32 },
    #[error(
        "database `{path}` lacks protective trigger(s) {names}: it was changed outside pdconsent, and nothing is written to it"
    )]
    Tampered { path: PathBuf, names: String },
    #[error(
        "database `{path}` has trigger(s) {names} that pdconsent did not create: they would run on every write (and could copy personal data elsewhere), so nothing is written to it"
    )]
    ForeignTriggers { path: PathBuf, names: String },
    #[error("database `{path}` is damaged (the file is truncated or overwritten)")]
    Malformed { path: PathBuf },
    #[error("the consent ledger is damaged: {0}")]
    Ledger(String),
    #[error("database `{path}` is read-only here: {detail}")]
    ReadOnly { path: PathBuf, detail: String },
    #[error(
        "agreement `{code}` changed while this command ran (now at revision {found}, expected {expected}); run the command again"
    )]
    Conflict {
        code: String,
        expected: u32,
        found: u32,
    },
    #[error("{kind} `{code}` changed while this command ran; nothing was saved")]
    Changed { kind: ObjectKind, code: String },
    /// What a plan was made from (`apply`) changed before the plan was carried out.
    #[error("the database changed after the plan was made; nothing was saved")]
    PlanOutdated,
    #[error("the database is busy: another pdconsent process held it too long")]
    Busy,
    #[error(
        "the change was saved in the new database `{path}`, but it could not be opened again: {detail}"
    )]
    SavedNotReopened { path: PathBuf, detail: String },
    #[error("cannot create `{path}`: {source}")]
    Create {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("cannot open `{path}`: {source}")]
    Access {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("database error: {0}")]
    Sqlite(#[from] rusqlite::Error),
    #[error("database {0}")]
    Migration(#[from] MigrationError),
    #[error("stored {what} is corrupt: {detail}")]
    Corrupt { what: String, detail: String },
}

impl StoreError {
    /// What to run next, when there is something to say.
    pub fn hint(&self) -> Option<String> {
        Some(match self {
            StoreError::NotFound { kind, .. } => {
                format!("run `{}` to see what exists", kind.list_command())
            }
            StoreError::RevisionNotFound { kind, code, .. } => {
                format!("run `pdconsent {kind} history {code}`")
            }
            StoreError::AlreadyExists { kind, code } => {
                format!("to change it, run `pdconsent {kind} edit {code}`")
            }
            StoreError::TooNew { .. } => {
                "install a newer pdconsent, or give another file with --db PATH".to_string()
            }
            StoreError::NoDatabase { .. } => {
                "check --db (or PDCONSENT_DB); `pdconsent apply FILE` or `pdconsent requisites add` creates a database".to_string()
            }
            StoreError::NotADatabase { .. }
            | StoreError::Foreign { .. }
            | StoreError::NotAFile { .. }
            | StoreError::Create { .. }
            | StoreError::Access { .. } => {
                "give another file with --db PATH (or PDCONSENT_DB)".to_string()
            }
            StoreError::DanglingSymlink { path, .. } => format!(
                "remove the link (`rm {}`) or point it at the database, or give another file with --db PATH",
                path.display()
            ),
            StoreError::NotOwned { path, .. } => format!(
                "if the file is yours and holds nothing, run `chown $(id -u) {p} && chmod 600 {p}`; otherwise give another path with --db (pdconsent creates the file itself)",
                p = path.display()
            ),
            StoreError::Tampered { .. } | StoreError::ForeignTriggers { .. } => {
                "restore the database from a backup (docs/reliability.md); read-only commands still work, with a warning".to_string()
            }
            StoreError::Ledger(_) => {
                "run `pdconsent ledger verify` to see every problem, and restore the database from a backup (docs/reliability.md)".to_string()
            }
            StoreError::Malformed { .. } => {
                "restore the database from a backup (docs/reliability.md); `sqlite3 FILE 'PRAGMA integrity_check'` shows the damage".to_string()
            }
            StoreError::ReadOnly { .. } => {
                "check the permissions of the file and of its directory (`ls -ld`), or the mount; read-only commands work on a read-only database".to_string()
            }
            StoreError::Busy => {
                "another process is writing (or a `sqlite3` shell holds a transaction open); run the command again".to_string()
            }
            StoreError::SavedNotReopened { .. } => {
                "the change is saved; run the next command as usual (`pdconsent info` shows the database)".to_string()
            }
            StoreError::Conflict { .. } | StoreError::Changed { .. } | StoreError::PlanOutdated => {
                "another process kept changing it; run the command again".to_string()
            }
            StoreError::Sqlite(e) => match e.sqlite_error_code() {
                Some(ErrorCode::DatabaseCorrupt) => {
                    "the database file is damaged (truncated?); restore it from a backup (docs/reliability.md)".to_string()
                }
                Some(ErrorCode::ReadOnly) => {
                    "the database file or its directory is read-only; check permissions with `ls -ld`, or use a read-only command".to_string()
                }
                Some(ErrorCode::DatabaseBusy | ErrorCode::DatabaseLocked) => {
                    "another process is writing; run the command again".to_string()
                }
                _ => return None,
            },
            StoreError::Migration(_) | StoreError::Corrupt { .. } => return None,
        })
    }

    /// Another process got in the way; running the same command again can
    /// succeed. [`StoreError::Busy`] is not: it is what is left after the
    /// lock was already waited for and retried.
    pub fn is_contention(&self) -> bool {
        match self {
            StoreError::Conflict { .. } | StoreError::Changed { .. } | StoreError::PlanOutdated => {
                true
            }
            StoreError::Sqlite(e) => is_busy(e),
            StoreError::Migration(m) => is_busy_code(m.code),
            _ => false,
        }
    }
}

pub(super) fn is_busy(e: &rusqlite::Error) -> bool {
    is_busy_code(e.sqlite_error_code())
}

pub(super) fn is_busy_code(code: Option<ErrorCode>) -> bool {
    matches!(
        code,
        Some(ErrorCode::DatabaseBusy | ErrorCode::DatabaseLocked)
    )
}

/// A store result.
pub type Result<T, E = StoreError> = std::result::Result<T, E>;
