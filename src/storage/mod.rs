//! The one module that speaks SQL. It opens the file, sets the PRAGMAs, runs
//! the migrations and maps rows to domain types. Everything above it sees
//! [`Store`] and [`Tx`] only, so another backend can take its place.

mod schema;

use std::fs::{self, OpenOptions};
use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::time::Duration;

use rusqlite::{Connection, OpenFlags, OptionalExtension, TransactionBehavior, params};
use serde::Serialize;

use crate::domain::agreement::Settings;
use crate::domain::requisites::{Kind, Requisites};
use crate::domain::source::{Link, Source, SourceKind};

pub use schema::latest_version;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("{kind} `{code}` not found")]
    NotFound { kind: &'static str, code: String },
    #[error("{kind} `{code}` already exists")]
    AlreadyExists { kind: &'static str, code: String },
    #[error("revision {revision} of agreement `{code}` not found (the latest is {latest})")]
    RevisionNotFound {
        code: String,
        revision: u32,
        latest: u32,
    },
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
        "`{path}` is an SQLite database of another program (it has tables but no pdconsent schema version); it was left untouched"
    )]
    Foreign { path: PathBuf },
    #[error(
        "agreement `{code}` changed while this command ran (now at revision {found}, expected {expected}); run the command again"
    )]
    Conflict {
        code: String,
        expected: u32,
        found: u32,
    },
    #[error("cannot create `{path}`: {source}")]
    Create {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("database error: {0}")]
    Sqlite(#[from] rusqlite::Error),
    #[error("database migration failed: {0}")]
    Migration(#[from] rusqlite_migration::Error),
    #[error("stored {what} is corrupt: {detail}")]
    Corrupt { what: String, detail: String },
}

pub type Result<T, E = StoreError> = std::result::Result<T, E>;

pub struct Store {
    conn: Connection,
    path: Option<PathBuf>,
}

/// Requisites with their bookkeeping.
#[derive(Debug, Clone, Serialize)]
pub struct StoredRequisites {
    #[serde(flatten)]
    pub requisites: Requisites,
    pub created_at: String,
    pub updated_at: String,
}

/// An agreement at its current revision.
#[derive(Debug, Clone, Serialize)]
pub struct AgreementRecord {
    pub code: String,
    pub archived: bool,
    pub revision: u32,
    pub created_at: String,
    pub updated_at: String,
    /// When the revision shown was made, and by whom.
    pub revision_created_at: String,
    pub revision_actor: String,
    pub settings: Settings,
}

/// A source with its bookkeeping.
#[derive(Debug, Clone, Serialize)]
pub struct SourceRecord {
    #[serde(flatten)]
    pub source: Source,
    pub archived: bool,
    pub created_at: String,
    pub updated_at: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct Revision {
    pub revision: u32,
    pub created_at: String,
    pub actor: String,
    pub settings: Settings,
}

#[derive(Debug, Clone, Serialize)]
pub struct LogEntry {
    pub id: i64,
    pub at: String,
    pub actor: String,
    pub object_kind: String,
    pub object_code: String,
    pub action: String,
    pub before: Option<serde_json::Value>,
    pub after: Option<serde_json::Value>,
}

/// When and by whom a change is made.
#[derive(Debug, Clone, Copy)]
pub struct Stamp<'a> {
    pub at: &'a str,
    pub actor: &'a str,
}

#[derive(Debug, Default, Clone)]
pub struct LogFilter {
    pub object_kind: Option<String>,
    pub object_code: Option<String>,
    /// Inclusive RFC 3339 bounds.
    pub since: Option<String>,
    pub until: Option<String>,
    pub limit: Option<u32>,
}

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
    /// Opens (creating with mode 0600 if absent) and migrates the database at `path`.
    /// A file from a newer pdconsent, or not an SQLite file, is refused untouched.
    pub fn open(path: &Path) -> Result<Store> {
        if path.is_dir() {
            return Err(StoreError::Create {
                path: path.to_path_buf(),
                source: std::io::Error::new(
                    std::io::ErrorKind::IsADirectory,
                    "it is a directory, not a database file",
                ),
            });
        }
        if !path.exists() {
            create_private_file(path)?;
        }
        let conn = Connection::open_with_flags(
            path,
            OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )?;
        let mut store = Store {
            conn,
            path: Some(path.to_path_buf()),
        };
        store.prepare()?;
        Ok(store)
    }

    pub fn open_in_memory() -> Result<Store> {
        let mut store = Store {
            conn: Connection::open_in_memory()?,
            path: None,
        };
        store.prepare()?;
        Ok(store)
    }

    pub fn path(&self) -> Option<&Path> {
        self.path.as_deref()
    }

    fn display_path(&self) -> PathBuf {
        self.path
            .clone()
            .unwrap_or_else(|| PathBuf::from(":memory:"))
    }

    fn prepare(&mut self) -> Result<()> {
        // Read the version before anything writes to the file.
        let found: u32 = match self.conn.query_row("PRAGMA user_version", [], |r| r.get(0)) {
            Ok(v) => v,
            Err(e) if is_not_a_database(&e) => {
                return Err(StoreError::NotADatabase {
                    path: self.display_path(),
                });
            }
            Err(e) => return Err(e.into()),
        };
        let supported = schema::latest_version();
        if found > supported {
            return Err(StoreError::TooNew {
                path: self.display_path(),
                found,
                supported,
            });
        }
        // Version 0 with tables is someone else's database: migrating would
        // add our tables to it and switch it to WAL.
        if found == 0 {
            let objects: i64 =
                self.conn
                    .query_row("SELECT count(*) FROM sqlite_master", [], |r| r.get(0))?;
            if objects > 0 {
                return Err(StoreError::Foreign {
                    path: self.display_path(),
                });
            }
        }
        self.conn.busy_timeout(Duration::from_secs(5))?;
        self.conn.pragma_update(None, "foreign_keys", "ON")?;
        if self.path.is_some() {
            let mode: String = self
                .conn
                .query_row("PRAGMA journal_mode = WAL", [], |r| r.get(0))?;
            if !mode.eq_ignore_ascii_case("wal") {
                return Err(StoreError::Corrupt {
                    what: "journal mode".into(),
                    detail: format!("could not switch to WAL, got {mode}"),
                });
            }
        }
        self.conn.pragma_update(None, "synchronous", "FULL")?;
        schema::migrations().to_latest(&mut self.conn)?;
        Ok(())
    }

    pub fn schema_version(&self) -> Result<u32> {
        Ok(self
            .conn
            .query_row("PRAGMA user_version", [], |r| r.get(0))?)
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
        let out = f(&Tx { tx: &tx })?;
        tx.finish().map_err(StoreError::from)?;
        Ok(out)
    }

    /// Runs `f` in one write transaction: committed when it returns `Ok`,
    /// rolled back (the database exactly as before) when it returns `Err`.
    pub fn write<T, E: From<StoreError>>(
        &mut self,
        f: impl FnOnce(&Tx) -> Result<T, E>,
    ) -> Result<T, E> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(StoreError::from)?;
        let out = f(&Tx { tx: &tx })?;
        tx.commit().map_err(StoreError::from)?;
        Ok(out)
    }
}

fn is_not_a_database(e: &rusqlite::Error) -> bool {
    matches!(e, rusqlite::Error::SqliteFailure(f, _) if f.code == rusqlite::ErrorCode::NotADatabase)
}

/// Creates the database file (mode 0600) if it is missing; `true` when this call created it.
pub fn create_if_missing(path: &Path) -> Result<bool> {
    if path.exists() {
        return Ok(false);
    }
    create_private_file(path)?;
    Ok(true)
}

/// Removes a database file this process created, with its -wal and -shm files,
/// but only while it holds no data: a failed command leaves no file behind.
pub fn remove_if_empty(path: &Path) -> Result<bool> {
    let empty = {
        let mut store = Store::open(path)?;
        let c = store.read(|tx| tx.counts())?;
        c.requisites
            + c.agreements
            + c.agreements_archived
            + c.sources
            + c.sources_archived
            + c.texts
            + c.consent_events
            + c.change_log
            == 0
    };
    if empty {
        for suffix in ["", "-wal", "-shm"] {
            let mut p = path.as_os_str().to_owned();
            p.push(suffix);
            let _ = fs::remove_file(PathBuf::from(p));
        }
    }
    Ok(empty)
}

fn create_private_file(path: &Path) -> Result<()> {
    let err = |source| StoreError::Create {
        path: path.to_path_buf(),
        source,
    };
    if let Some(dir) = path
        .parent()
        .filter(|d| !d.as_os_str().is_empty() && !d.exists())
    {
        fs::create_dir_all(dir).map_err(err)?;
        fs::set_permissions(dir, fs::Permissions::from_mode(0o700)).map_err(err)?;
    }
    // The file holds personal data: owner-only from the first byte. SQLite
    // gives the -wal and -shm files the same mode.
    OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)
        .map_err(err)?;
    Ok(())
}

/// One transaction. Every query of pdconsent is a method here.
pub struct Tx<'a> {
    tx: &'a rusqlite::Transaction<'a>,
}

const REQ_COLUMNS: &str = "code, kind, short_name, full_name, inn, kpp, ogrn, ogrnip, legal_address, postal_address, email, phone, website, is_default, created_at, updated_at";

fn row_to_requisites(row: &rusqlite::Row) -> rusqlite::Result<StoredRequisites> {
    let kind: String = row.get(1)?;
    let kind = match kind.as_str() {
        "individual" => Kind::Individual,
        _ => Kind::Legal,
    };
    Ok(StoredRequisites {
        requisites: Requisites {
            code: row.get(0)?,
            kind,
            short_name: row.get(2)?,
            full_name: row.get(3)?,
            inn: row.get(4)?,
            kpp: row.get(5)?,
            ogrn: row.get(6)?,
            ogrnip: row.get(7)?,
            legal_address: row.get(8)?,
            postal_address: row.get(9)?,
            email: row.get(10)?,
            phone: row.get(11)?,
            website: row.get(12)?,
            is_default: row.get(13)?,
        },
        created_at: row.get(14)?,
        updated_at: row.get(15)?,
    })
}

fn parse_settings(code: &str, revision: u32, json: &str) -> Result<Settings> {
    serde_json::from_str(json).map_err(|e| StoreError::Corrupt {
        what: format!("revision {revision} of agreement `{code}`"),
        detail: e.to_string(),
    })
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

    // ---- requisites ----

    pub fn requisites_list(&self) -> Result<Vec<StoredRequisites>> {
        let mut st = self.tx.prepare_cached(&format!(
            "SELECT {REQ_COLUMNS} FROM requisites ORDER BY code"
        ))?;
        let rows = st.query_map([], row_to_requisites)?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    pub fn requisites_find(&self, code: &str) -> Result<Option<StoredRequisites>> {
        let mut st = self.tx.prepare_cached(&format!(
            "SELECT {REQ_COLUMNS} FROM requisites WHERE code = ?1"
        ))?;
        Ok(st.query_row([code], row_to_requisites).optional()?)
    }

    pub fn requisites_get(&self, code: &str) -> Result<StoredRequisites> {
        self.requisites_find(code)?
            .ok_or_else(|| StoreError::NotFound {
                kind: "requisites",
                code: code.to_string(),
            })
    }

    pub fn requisites_default(&self) -> Result<Option<StoredRequisites>> {
        let mut st = self.tx.prepare_cached(&format!(
            "SELECT {REQ_COLUMNS} FROM requisites WHERE is_default = 1"
        ))?;
        Ok(st.query_row([], row_to_requisites).optional()?)
    }

    /// Inserts or replaces the set with this code. Making it the default clears the old default.
    pub fn requisites_save(&self, r: &Requisites, at: &str) -> Result<()> {
        if r.is_default {
            self.execute(
                "UPDATE requisites SET is_default = 0 WHERE is_default = 1 AND code <> ?1",
                [&r.code],
            )?;
        }
        self.execute(
            "INSERT INTO requisites (code, kind, short_name, full_name, inn, kpp, ogrn, ogrnip, legal_address,
                 postal_address, email, phone, website, is_default, created_at, updated_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?15)
             ON CONFLICT (code) DO UPDATE SET kind = ?2, short_name = ?3, full_name = ?4, inn = ?5, kpp = ?6,
                 ogrn = ?7, ogrnip = ?8, legal_address = ?9, postal_address = ?10, email = ?11, phone = ?12,
                 website = ?13, is_default = ?14, updated_at = ?15",
            params![
                r.code,
                r.kind.as_str(),
                r.short_name,
                r.full_name,
                r.inn,
                r.kpp,
                r.ogrn,
                r.ogrnip,
                r.legal_address,
                r.postal_address,
                r.email,
                r.phone,
                r.website,
                r.is_default,
                at
            ],
        )?;
        Ok(())
    }

    pub fn requisites_delete(&self, code: &str) -> Result<()> {
        let n = self
            .tx
            .execute("DELETE FROM requisites WHERE code = ?1", [code])?;
        if n == 0 {
            return Err(StoreError::NotFound {
                kind: "requisites",
                code: code.to_string(),
            });
        }
        Ok(())
    }

    /// Codes of agreements whose current revision uses these requisites.
    pub fn agreements_using_requisites(&self, code: &str) -> Result<Vec<String>> {
        let mut st = self.tx.prepare_cached(
            "SELECT a.code FROM agreements a
             JOIN agreement_revisions r ON r.agreement_id = a.id AND r.revision = a.current_revision
             WHERE r.requisites_code = ?1 ORDER BY a.code",
        )?;
        let rows = st.query_map([code], |r| r.get(0))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    // ---- agreements ----

    fn agreement_rows(
        &self,
        where_sql: &str,
        param: &dyn rusqlite::ToSql,
    ) -> Result<Vec<AgreementRecord>> {
        let mut st = self.tx.prepare_cached(&format!(
            "SELECT a.code, a.archived, a.current_revision, a.created_at, a.updated_at, r.settings, r.created_at, r.actor
             FROM agreements a JOIN agreement_revisions r ON r.agreement_id = a.id AND r.revision = a.current_revision
             WHERE {where_sql} ORDER BY a.code"
        ))?;
        let rows = st.query_map([param], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get(1)?,
                r.get(2)?,
                r.get(3)?,
                r.get(4)?,
                r.get::<_, String>(5)?,
                r.get(6)?,
                r.get(7)?,
            ))
        })?;
        let mut out = Vec::new();
        for row in rows {
            let (
                code,
                archived,
                revision,
                created_at,
                updated_at,
                json,
                revision_created_at,
                revision_actor,
            ) = row?;
            let settings = parse_settings(&code, revision, &json)?;
            out.push(AgreementRecord {
                code,
                archived,
                revision,
                created_at,
                updated_at,
                revision_created_at,
                revision_actor,
                settings,
            });
        }
        Ok(out)
    }

    pub fn agreement_list(&self, include_archived: bool) -> Result<Vec<AgreementRecord>> {
        self.agreement_rows("?1 OR a.archived = 0", &include_archived)
    }

    pub fn agreement_find(&self, code: &str) -> Result<Option<AgreementRecord>> {
        Ok(self
            .agreement_rows("a.code = ?1", &code)?
            .into_iter()
            .next())
    }

    pub fn agreement_get(&self, code: &str) -> Result<AgreementRecord> {
        self.agreement_find(code)?
            .ok_or_else(|| StoreError::NotFound {
                kind: "agreement",
                code: code.to_string(),
            })
    }

    /// Creates the agreement with revision 1.
    pub fn agreement_create(
        &self,
        code: &str,
        settings: &Settings,
        at: &str,
        actor: &str,
    ) -> Result<()> {
        if self.agreement_find(code)?.is_some() {
            return Err(StoreError::AlreadyExists {
                kind: "agreement",
                code: code.to_string(),
            });
        }
        self.execute(
            "INSERT INTO agreements (code, archived, current_revision, created_at, updated_at) VALUES (?1, 0, 1, ?2, ?2)",
            params![code, at],
        )?;
        let id = self.tx.last_insert_rowid();
        self.insert_revision(id, 1, settings, at, actor)
    }

    /// Appends revision `expected_current + 1`; fails if another writer got there first.
    pub fn agreement_add_revision(
        &self,
        code: &str,
        expected_current: u32,
        settings: &Settings,
        at: &str,
        actor: &str,
    ) -> Result<u32> {
        let (id, current): (i64, u32) = self
            .query_row(
                "SELECT id, current_revision FROM agreements WHERE code = ?1",
                [code],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()?
            .ok_or_else(|| StoreError::NotFound {
                kind: "agreement",
                code: code.to_string(),
            })?;
        if current != expected_current {
            return Err(StoreError::Conflict {
                code: code.to_string(),
                expected: expected_current,
                found: current,
            });
        }
        let next = current + 1;
        self.insert_revision(id, next, settings, at, actor)?;
        self.execute(
            "UPDATE agreements SET current_revision = ?1, updated_at = ?2 WHERE id = ?3",
            params![next, at, id],
        )?;
        Ok(next)
    }

    fn insert_revision(
        &self,
        id: i64,
        revision: u32,
        settings: &Settings,
        at: &str,
        actor: &str,
    ) -> Result<()> {
        self.execute(
            "INSERT INTO agreement_revisions (agreement_id, revision, requisites_code, settings, created_at, actor)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            params![id, revision, settings.requisites, to_json(settings), at, actor],
        )?;
        Ok(())
    }

    pub fn agreement_set_archived(&self, code: &str, archived: bool, at: &str) -> Result<()> {
        let n = self.execute(
            "UPDATE agreements SET archived = ?1, updated_at = ?2 WHERE code = ?3",
            params![archived, at, code],
        )?;
        if n == 0 {
            return Err(StoreError::NotFound {
                kind: "agreement",
                code: code.to_string(),
            });
        }
        Ok(())
    }

    pub fn agreement_revisions(&self, code: &str) -> Result<Vec<Revision>> {
        self.agreement_get(code)?;
        let mut st = self.tx.prepare_cached(
            "SELECT r.revision, r.created_at, r.actor, r.settings FROM agreement_revisions r
             JOIN agreements a ON a.id = r.agreement_id WHERE a.code = ?1 ORDER BY r.revision",
        )?;
        let rows = st.query_map([code], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get::<_, String>(3)?))
        })?;
        let mut out = Vec::new();
        for row in rows {
            let (revision, created_at, actor, json) = row?;
            out.push(Revision {
                revision,
                created_at,
                actor,
                settings: parse_settings(code, revision, &json)?,
            });
        }
        Ok(out)
    }

    pub fn agreement_revision(&self, code: &str, revision: u32) -> Result<Revision> {
        let current = self.agreement_get(code)?;
        let row = self
            .tx
            .query_row(
                "SELECT r.created_at, r.actor, r.settings FROM agreement_revisions r
                 JOIN agreements a ON a.id = r.agreement_id WHERE a.code = ?1 AND r.revision = ?2",
                params![code, revision],
                |r| Ok((r.get(0)?, r.get(1)?, r.get::<_, String>(2)?)),
            )
            .optional()?;
        let (created_at, actor, json) = row.ok_or_else(|| StoreError::RevisionNotFound {
            code: code.to_string(),
            revision,
            latest: current.revision,
        })?;
        Ok(Revision {
            revision,
            created_at,
            actor,
            settings: parse_settings(code, revision, &json)?,
        })
    }

    // ---- sources ----

    fn source_links(&self, source_id: i64) -> Result<Vec<Link>> {
        let mut st = self.tx.prepare_cached(
            "SELECT a.code, l.required, l.checked_by_default, l.require_reading FROM source_agreements l
             JOIN agreements a ON a.id = l.agreement_id WHERE l.source_id = ?1 ORDER BY l.position",
        )?;
        let rows = st.query_map([source_id], |r| {
            Ok(Link {
                agreement: r.get(0)?,
                required: r.get(1)?,
                checked_by_default: r.get(2)?,
                require_reading: r.get(3)?,
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    fn source_rows(
        &self,
        where_sql: &str,
        param: &dyn rusqlite::ToSql,
    ) -> Result<Vec<SourceRecord>> {
        let mut st = self.tx.prepare_cached(&format!(
            "SELECT id, code, kind, name, url, fields, warning, archived, created_at, updated_at FROM sources WHERE {where_sql} ORDER BY code"
        ))?;
        let rows = st.query_map([param], |r| {
            Ok((
                r.get::<_, i64>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, String>(2)?,
                r.get::<_, String>(3)?,
                r.get::<_, Option<String>>(4)?,
                r.get::<_, String>(5)?,
                r.get::<_, bool>(6)?,
                r.get::<_, bool>(7)?,
                r.get::<_, String>(8)?,
                r.get::<_, String>(9)?,
            ))
        })?;
        let mut out = Vec::new();
        for row in rows {
            let (id, code, kind, name, url, fields, warning, archived, created_at, updated_at) =
                row?;
            let corrupt = |detail: String| StoreError::Corrupt {
                what: format!("source `{code}`"),
                detail,
            };
            let kind = SourceKind::parse(&kind).map_err(corrupt)?;
            let fields: Vec<String> =
                serde_json::from_str(&fields).map_err(|e| corrupt(e.to_string()))?;
            let agreements = self.source_links(id)?;
            out.push(SourceRecord {
                source: Source {
                    code,
                    kind,
                    name,
                    url,
                    fields,
                    warning,
                    agreements,
                },
                archived,
                created_at,
                updated_at,
            });
        }
        Ok(out)
    }

    pub fn source_list(&self, include_archived: bool) -> Result<Vec<SourceRecord>> {
        self.source_rows("?1 OR archived = 0", &include_archived)
    }

    pub fn source_find(&self, code: &str) -> Result<Option<SourceRecord>> {
        Ok(self.source_rows("code = ?1", &code)?.into_iter().next())
    }

    pub fn source_get(&self, code: &str) -> Result<SourceRecord> {
        self.source_find(code)?.ok_or_else(|| StoreError::NotFound {
            kind: "source",
            code: code.to_string(),
        })
    }

    /// Inserts or replaces a source and its agreement links (in the given order).
    pub fn source_save(&self, s: &Source, at: &str) -> Result<()> {
        self.execute(
            "INSERT INTO sources (code, kind, name, url, fields, warning, archived, created_at, updated_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, 0, ?7, ?7)
             ON CONFLICT (code) DO UPDATE SET kind = ?2, name = ?3, url = ?4, fields = ?5, warning = ?6, updated_at = ?7",
            params![s.code, s.kind.as_str(), s.name, s.url, to_json(&s.fields), s.warning, at],
        )?;
        let id: i64 = self.query_row("SELECT id FROM sources WHERE code = ?1", [&s.code], |r| {
            r.get(0)
        })?;
        self.tx
            .execute("DELETE FROM source_agreements WHERE source_id = ?1", [id])?;
        for (pos, l) in s.agreements.iter().enumerate() {
            let agreement_id: i64 = self
                .query_row(
                    "SELECT id FROM agreements WHERE code = ?1",
                    [&l.agreement],
                    |r| r.get(0),
                )
                .optional()?
                .ok_or_else(|| StoreError::NotFound {
                    kind: "agreement",
                    code: l.agreement.clone(),
                })?;
            self.execute(
                "INSERT INTO source_agreements (source_id, agreement_id, position, required, checked_by_default, require_reading)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                params![id, agreement_id, pos as i64, l.required, l.checked_by_default, l.require_reading],
            )?;
        }
        Ok(())
    }

    pub fn source_set_archived(&self, code: &str, archived: bool, at: &str) -> Result<()> {
        let n = self.execute(
            "UPDATE sources SET archived = ?1, updated_at = ?2 WHERE code = ?3",
            params![archived, at, code],
        )?;
        if n == 0 {
            return Err(StoreError::NotFound {
                kind: "source",
                code: code.to_string(),
            });
        }
        Ok(())
    }

    // ---- change log ----

    pub fn log_append(
        &self,
        Stamp { at, actor }: Stamp,
        object_kind: &str,
        object_code: &str,
        action: &str,
        before: Option<&serde_json::Value>,
        after: Option<&serde_json::Value>,
    ) -> Result<()> {
        self.execute(
            "INSERT INTO change_log (at, actor, object_kind, object_code, action, before, after)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            params![
                at,
                actor,
                object_kind,
                object_code,
                action,
                before.map(to_json),
                after.map(to_json)
            ],
        )?;
        Ok(())
    }

    pub fn log_list(&self, f: &LogFilter) -> Result<Vec<LogEntry>> {
        let mut st = self.tx.prepare_cached(
            "SELECT id, at, actor, object_kind, object_code, action, before, after FROM change_log
             WHERE (?1 IS NULL OR object_kind = ?1) AND (?2 IS NULL OR object_code = ?2)
               AND (?3 IS NULL OR at >= ?3) AND (?4 IS NULL OR at <= ?4)
             ORDER BY id DESC LIMIT ?5",
        )?;
        let limit = f.limit.map(i64::from).unwrap_or(-1);
        let rows = st.query_map(
            params![f.object_kind, f.object_code, f.since, f.until, limit],
            |r| {
                Ok((
                    r.get(0)?,
                    r.get(1)?,
                    r.get(2)?,
                    r.get(3)?,
                    r.get(4)?,
                    r.get(5)?,
                    r.get::<_, Option<String>>(6)?,
                    r.get::<_, Option<String>>(7)?,
                ))
            },
        )?;
        let mut out = Vec::new();
        for row in rows {
            let (id, at, actor, object_kind, object_code, action, before, after) = row?;
            let parse = |s: Option<String>| -> Result<Option<serde_json::Value>> {
                s.map(|s| {
                    serde_json::from_str(&s).map_err(|e| StoreError::Corrupt {
                        what: format!("change log entry {id}"),
                        detail: e.to_string(),
                    })
                })
                .transpose()
            };
            out.push(LogEntry {
                id,
                at,
                actor,
                object_kind,
                object_code,
                action,
                before: parse(before)?,
                after: parse(after)?,
            });
        }
        out.reverse();
        Ok(out)
    }

    pub fn counts(&self) -> Result<Counts> {
        let count = |sql: &str| -> Result<u64> {
            Ok(self.tx.query_row(sql, [], |r| r.get::<_, i64>(0))? as u64)
        };
        Ok(Counts {
            requisites: count("SELECT count(*) FROM requisites")?,
            agreements: count("SELECT count(*) FROM agreements WHERE archived = 0")?,
            agreements_archived: count("SELECT count(*) FROM agreements WHERE archived = 1")?,
            agreement_revisions: count("SELECT count(*) FROM agreement_revisions")?,
            sources: count("SELECT count(*) FROM sources WHERE archived = 0")?,
            sources_archived: count("SELECT count(*) FROM sources WHERE archived = 1")?,
            texts: count("SELECT count(*) FROM texts")?,
            consent_events: count("SELECT count(*) FROM consent_events")?,
            change_log: count("SELECT count(*) FROM change_log")?,
        })
    }

    /// For tests of the append-only guarantees: runs raw SQL inside the transaction.
    #[cfg(test)]
    fn execute_raw(&self, sql: &str) -> rusqlite::Result<usize> {
        self.tx.execute(sql, [])
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::agreement::Language;

    const AT: &str = "2026-11-28T12:00:00Z";

    fn store_with_agreement() -> Store {
        let mut s = Store::open_in_memory().unwrap();
        s.write(|tx| {
            let mut r = Requisites::new("main", Kind::Legal);
            r.short_name = "ООО «Ромашка»".into();
            r.is_default = true;
            tx.requisites_save(&r, AT)?;
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
                kind: "x",
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
            tx.requisites_save(&r, AT)
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
