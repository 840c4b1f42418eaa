//! Opening a database: what is at the path, creating a new one atomically,
//! recognising files that are not ours, the PRAGMAs, migrations and the check
//! that every protective trigger is in place (docs/reliability.md).

use std::path::{Path, PathBuf};
use std::time::Duration;

use rusqlite::functions::FunctionFlags;
use rusqlite::{Connection, ErrorCode, OpenFlags, OptionalExtension};

use super::{Access, Result, Store, StoreError, file, latest_version, schema, with_backoff};

/// What committing a new database's first transaction came to.
pub(super) enum Published {
    /// It is in place (or was in place already).
    Done,
    /// Another process created a database at the path first: that one is open
    /// now, and the transaction must run again there.
    Raced,
}

impl Store {
    /// Opens the database at `path` for `access`.
    ///
    /// - Nothing there: [`Access::Read`] fails with [`StoreError::NoDatabase`];
    ///   [`Access::Write`] builds a new database under a temporary name (mode
    ///   0600) that the first commit links into place, only if the path is
    ///   still free. A command that fails before committing leaves nothing.
    /// - A file from a newer pdconsent, not an SQLite file, another program's
    ///   database, or an existing empty file that is not private to the
    ///   current user: refused, untouched.
    pub fn open(path: &Path, access: Access) -> Result<Store> {
        match file::inspect(path)? {
            file::Found::Nothing => match access {
                Access::Read => Err(StoreError::NoDatabase {
                    path: path.to_path_buf(),
                }),
                Access::Write => Store::create(path),
            },
            file::Found::File(meta) => Store::open_existing(path, access, &meta),
        }
    }

    /// A new, migrated database in memory (tests).
    pub fn open_in_memory() -> Result<Store> {
        let mut store = Store {
            conn: Connection::open_in_memory()?,
            path: None,
            pending: None,
            warnings: Vec::new(),
            file_version: None,
        };
        store.configure(Access::Write)?;
        Ok(store)
    }

    fn create(path: &Path) -> Result<Store> {
        let tmp = file::new_private_temp(path)?;
        crate::interrupt::remove_on_interrupt(&tmp);
        for p in file::companions(&tmp) {
            crate::interrupt::remove_on_interrupt(&p);
        }
        let conn = connect(&tmp, OpenFlags::SQLITE_OPEN_READ_WRITE)?;
        let mut store = Store {
            conn,
            path: Some(path.to_path_buf()),
            pending: Some(tmp),
            warnings: Vec::new(),
            file_version: None,
        };
        store.configure(Access::Write)?;
        Ok(store)
    }

    fn open_existing(path: &Path, access: Access, meta: &std::fs::Metadata) -> Result<Store> {
        // A read opens read-write when it may (with `query_only` on, so it
        // still cannot write): only such a connection removes the -wal and
        // -shm files SQLite makes for a WAL database when it closes. Where
        // nothing may be written, it opens read-only.
        let unwritable = file::unwritable(path);
        let flags = match (access, unwritable) {
            (Access::Read, Some(_)) => OpenFlags::SQLITE_OPEN_READ_ONLY,
            (Access::Read, None) => OpenFlags::SQLITE_OPEN_READ_WRITE,
            (Access::Write, Some(detail)) => {
                return Err(StoreError::ReadOnly {
                    path: path.to_path_buf(),
                    detail,
                });
            }
            (Access::Write, None) => OpenFlags::SQLITE_OPEN_READ_WRITE,
        };
        let mut store = Store {
            conn: connect(path, flags)?,
            path: Some(path.to_path_buf()),
            pending: None,
            warnings: Vec::new(),
            file_version: None,
        };
        let header = match store.header() {
            // A WAL database in a directory that cannot take its -shm file:
            // nothing can write there either, so the file alone is the truth.
            Err(e)
                if access == Access::Read
                    && cannot_open(&e)
                    && file::companions(path).iter().all(|p| !p.exists()) =>
            {
                store.conn = connect_immutable(path)?;
                store.header()?
            }
            other => other?,
        };
        let (version, app_id, objects) = header;
        let supported = latest_version();
        let ours = app_id == schema::APPLICATION_ID;
        if app_id != 0 && !ours {
            return Err(StoreError::Foreign {
                path: path.to_path_buf(),
            });
        }
        if version > supported {
            return Err(if ours {
                StoreError::TooNew {
                    path: path.to_path_buf(),
                    found: version,
                    supported,
                }
            } else {
                StoreError::Foreign {
                    path: path.to_path_buf(),
                }
            });
        }
        if version == 0 {
            // Tables without a version: someone else's. An empty file (or an
            // SQLite file with nothing in it) would become a new database.
            if objects > 0 {
                return Err(StoreError::Foreign {
                    path: path.to_path_buf(),
                });
            }
            if access == Access::Read {
                return Err(StoreError::NoDatabase {
                    path: path.to_path_buf(),
                });
            }
            file::check_adoptable(path, meta)?;
        } else if !ours && !store.has_table("agreements")? {
            // Version 1 predates the application id: it must have our tables.
            return Err(StoreError::Foreign {
                path: path.to_path_buf(),
            });
        } else {
            store.warnings.extend(file::exposure_warning(path, meta));
        }
        if access == Access::Read && version < supported {
            // A read never converts the file: it reads a copy in memory,
            // upgraded there. The first command that writes upgrades the file.
            let mut copy = Connection::open_in_memory()?;
            rusqlite::backup::Backup::new(&store.conn, &mut copy)?.run_to_completion(
                1024,
                Duration::ZERO,
                None,
            )?;
            store.conn = copy;
            store.path = None;
            let configured = store.configure(Access::Write);
            store.path = Some(path.to_path_buf());
            configured?;
            store.conn.pragma_update(None, "query_only", "ON")?;
            store.warnings.push(format!(
                "`{}` has schema version {version}; it is read as version {supported} without changing the file, and the first command that writes upgrades it",
                path.display()
            ));
            store.file_version = Some(version);
            return Ok(store);
        }
        store.configure(access)?;
        Ok(store)
    }

    /// (user_version, application_id, number of schema objects), read before
    /// anything writes to the file.
    fn header(&self) -> Result<(u32, i32, i64)> {
        let path = self.display_path();
        let classify = |e: rusqlite::Error| match e.sqlite_error_code() {
            Some(ErrorCode::NotADatabase) => StoreError::NotADatabase { path: path.clone() },
            Some(ErrorCode::DatabaseCorrupt) => StoreError::Malformed { path: path.clone() },
            _ => StoreError::Sqlite(e),
        };
        let version = schema::user_version(&self.conn).map_err(classify)?;
        let app_id = schema::application_id(&self.conn).map_err(classify)?;
        let objects = self
            .conn
            .query_row("SELECT count(*) FROM sqlite_master", [], |r| r.get(0))
            .map_err(classify)?;
        Ok((version, app_id, objects))
    }

    fn has_table(&self, name: &str) -> Result<bool> {
        Ok(self
            .conn
            .query_row(
                "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?1",
                [name],
                |_| Ok(()),
            )
            .optional()?
            .is_some())
    }

    /// PRAGMAs, functions, and for writing: WAL, migrations and the guard check.
    fn configure(&mut self, access: Access) -> Result<()> {
        self.conn.busy_timeout(BUSY_TIMEOUT)?;
        self.conn.pragma_update(None, "foreign_keys", "ON")?;
        register_functions(&self.conn)?;
        // Recording a consent runs some 20 distinct statements; the default cache of 16 would
        // prepare them again for every submission of a batch.
        self.conn.set_prepared_statement_cache_capacity(128);
        // Statement journals (a statement with a guarding trigger needs one) in memory, not
        // in a temporary file opened and written for every INSERT.
        self.conn.pragma_update(None, "temp_store", "MEMORY")?;
        // 32 MiB of page cache (the default is 2 MiB): a batch's inserts into the subject
        // index land at random places of a large B-tree, and re-reading its pages was a good
        // part of recording into a large ledger. Bounded, so memory stays constant.
        if access == Access::Write {
            self.conn.pragma_update(None, "cache_size", -32768)?;
        }
        if access == Access::Read {
            self.conn.pragma_update(None, "query_only", "ON")?;
            if let Some(names) = self.missing_guards()? {
                self.warnings.push(format!(
                    "protective trigger(s) {names} are missing or altered: the database was changed outside pdconsent"
                ));
            }
            if let Some(names) = self.foreign_triggers()? {
                self.warnings.push(format!(
                    "trigger(s) {names} were not created by pdconsent: the database was changed outside pdconsent"
                ));
            }
            return Ok(());
        }
        if self.path.is_some() {
            let mode: String = self
                .conn
                .query_row("PRAGMA journal_mode", [], |r| r.get(0))?;
            if !mode.eq_ignore_ascii_case("wal") {
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
        }
        self.conn.pragma_update(None, "synchronous", "FULL")?;
        with_backoff(|| schema::migrate(&mut self.conn).map_err(StoreError::from))?;
        if let Some(names) = self.missing_guards()? {
            return Err(StoreError::Tampered {
                path: self.display_path(),
                names,
            });
        }
        if let Some(names) = self.foreign_triggers()? {
            return Err(StoreError::ForeignTriggers {
                path: self.display_path(),
                names,
            });
        }
        Ok(())
    }

    /// Triggers this database has that the migrations do not create, if any.
    fn foreign_triggers(&self) -> Result<Option<String>> {
        let have = schema::triggers(&self.conn)?;
        if schema::triggers_fingerprint(&have) == schema::REFERENCE_TRIGGERS_SHA256 {
            return Ok(None);
        }
        let reference = schema::reference_triggers();
        let extra: Vec<String> = have
            .iter()
            .filter(|(name, _)| !reference.iter().any(|(n, _)| n == name))
            .map(|(name, _)| format!("`{name}`"))
            .collect();
        Ok((!extra.is_empty()).then(|| extra.join(", ")))
    }

    /// The protective triggers this database lacks (or has altered), if any.
    fn missing_guards(&self) -> Result<Option<String>> {
        let have = schema::triggers(&self.conn)?;
        if schema::triggers_fingerprint(&have) == schema::REFERENCE_TRIGGERS_SHA256 {
            return Ok(None);
        }
        let missing: Vec<String> = schema::reference_triggers()
            .iter()
            .filter(|t| !have.contains(t))
            .map(|(name, _)| format!("`{name}`"))
            .collect();
        Ok((!missing.is_empty()).then(|| missing.join(", ")))
    }

    fn display_path(&self) -> PathBuf {
        self.path
            .clone()
            .unwrap_or_else(|| PathBuf::from(":memory:"))
    }

    /// After the first commit into a new database: link it into place and
    /// continue on the file at the real path.
    pub(super) fn publish(&mut self) -> Result<Published> {
        let (Some(tmp), Some(path)) = (self.pending.take(), self.path.clone()) else {
            return Ok(Published::Done);
        };
        // Closing checkpoints the -wal into the file and removes -wal and -shm,
        // so the linked file is complete on its own.
        let conn = std::mem::replace(&mut self.conn, Connection::open_in_memory()?);
        conn.close().map_err(|(_, e)| e)?;
        let linked = file::link_into_place(&tmp, &path)?;
        crate::interrupt::forget(&tmp);
        for p in file::companions(&tmp) {
            crate::interrupt::forget(&p);
            let _ = std::fs::remove_file(p);
        }
        drop(tmp);
        // From here on the file at `path` holds the commit (ours, or another
        // process's when it won the race). A failure to open it again must not
        // read as "nothing saved", and this store must not be used again.
        match Store::open(&path, Access::Write) {
            Ok(store) => *self = store,
            Err(e) => {
                self.path = None;
                return Err(if linked {
                    StoreError::SavedNotReopened {
                        path,
                        detail: e.to_string(),
                    }
                } else {
                    e
                });
            }
        }
        Ok(if linked {
            Published::Done
        } else {
            Published::Raced
        })
    }
}

/// How long SQLite itself waits for a lock before reporting busy.
const BUSY_TIMEOUT: Duration = Duration::from_secs(5);

fn connect(path: &Path, flags: OpenFlags) -> Result<Connection> {
    Ok(Connection::open_with_flags(
        path,
        flags | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )?)
}

/// Opens a database whose directory is read-only as immutable: SQLite then
/// needs no -shm file and takes no locks.
fn connect_immutable(path: &Path) -> Result<Connection> {
    let mut uri = String::from("file:");
    for c in path.to_string_lossy().chars() {
        match c {
            '%' => uri.push_str("%25"),
            '?' => uri.push_str("%3f"),
            '#' => uri.push_str("%23"),
            c => uri.push(c),
        }
    }
    uri.push_str("?immutable=1");
    Ok(Connection::open_with_flags(
        uri,
        OpenFlags::SQLITE_OPEN_READ_ONLY
            | OpenFlags::SQLITE_OPEN_URI
            | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )?)
}

fn cannot_open(e: &StoreError) -> bool {
    matches!(e, StoreError::Sqlite(s) if matches!(s.sqlite_error_code(), Some(ErrorCode::CannotOpen | ErrorCode::ReadOnly)))
}

/// SQL functions the schema's triggers call: `pdconsent_sha256(text)`.
pub(super) fn register_functions(conn: &Connection) -> rusqlite::Result<()> {
    conn.create_scalar_function(
        "pdconsent_sha256",
        1,
        FunctionFlags::SQLITE_UTF8 | FunctionFlags::SQLITE_DETERMINISTIC,
        |ctx| {
            let body: String = ctx.get(0)?;
            Ok(crate::domain::render::sha256_hex(body.as_bytes()))
        },
    )?;
    // Migration 7: where leaf `n`'s hashes start in the stored-hash layout.
    conn.create_scalar_function(
        "pdconsent_stored_hash_index",
        1,
        FunctionFlags::SQLITE_UTF8 | FunctionFlags::SQLITE_DETERMINISTIC,
        |ctx| {
            let n: i64 = ctx.get(0)?;
            let n = u64::try_from(n)
                .ok()
                .filter(|n| *n < crate::domain::ledger::MAX_SIZE)
                .ok_or_else(|| {
                    rusqlite::Error::UserFunctionError("a leaf index out of range".into())
                })?;
            Ok(crate::domain::ledger::stored_hash_index(0, n) as i64)
        },
    )
}
