//! `pdconsent backup`: a consistent copy of the database through SQLite's online
//! backup API, taken while other processes go on writing (docs/reliability.md).

use std::path::Path;

use rusqlite::Connection;
use rusqlite::backup::{Backup, StepResult};

use super::{ATTEMPTS, Result, Store, StoreError, backoff, file};

/// Where a finished copy went.
#[derive(Debug, PartialEq, Eq)]
pub enum Placed {
    /// At the path (over the file there, when replacing was asked for).
    Done,
    /// Another file appeared at the path while the copy was made: left untouched,
    /// the copy discarded.
    Taken,
}

impl Store {
    /// Copies the database as it is at one moment into `dest`: a new file (mode 0600) built
    /// under a temporary name in `dest`'s directory, checked with `PRAGMA quick_check`,
    /// flushed to disk, then linked into place — or renamed over `dest` when `replace`.
    ///
    /// The copy is made in one step, inside one read transaction of the source: in WAL mode
    /// writers go on meanwhile, and the copy is the database as of the step's start (a
    /// step-by-step copy would start again at every write of another process, and might
    /// never finish under load).
    pub fn backup_to(&self, dest: &Path, replace: bool) -> Result<Placed> {
        let tmp = file::new_private_temp(dest)?;
        crate::interrupt::remove_on_interrupt(&tmp);
        let io = |source| StoreError::Create {
            path: dest.to_path_buf(),
            source,
        };
        {
            let mut copy = Connection::open(&tmp)?;
            {
                let backup = Backup::new(&self.conn, &mut copy)?;
                let mut n = 1;
                loop {
                    match backup.step(-1)? {
                        StepResult::Done => break,
                        StepResult::More => {}
                        StepResult::Busy | StepResult::Locked if n < ATTEMPTS => {
                            std::thread::sleep(backoff(n));
                            n += 1;
                        }
                        _ => {
                            return Err(StoreError::Sqlite(rusqlite::Error::SqliteFailure(
                                rusqlite::ffi::Error::new(rusqlite::ffi::SQLITE_BUSY),
                                Some("the database stayed locked during the backup".into()),
                            )));
                        }
                    }
                }
            }
            // A file that stands alone: no -wal beside it to lose when it is copied on.
            copy.pragma_update(None, "journal_mode", "DELETE")?;
            let problems: Vec<String> = copy
                .prepare("PRAGMA quick_check")?
                .query_map([], |r| r.get::<_, String>(0))?
                .collect::<rusqlite::Result<Vec<_>>>()?
                .into_iter()
                .filter(|l| l != "ok")
                .collect();
            if !problems.is_empty() {
                // A fresh copy of sound pages passes: the damage is in the database itself.
                return Err(StoreError::Malformed {
                    path: self.path.clone().unwrap_or_default(),
                });
            }
            copy.close().map_err(|(_, e)| StoreError::from(e))?;
        }
        std::fs::File::open(&tmp)
            .and_then(|f| f.sync_all())
            .map_err(io)?;
        if replace {
            tmp.persist(dest).map_err(|e| io(e.error))?;
            crate::fsutil::sync_dir(crate::fsutil::parent_dir(dest));
            return Ok(Placed::Done);
        }
        Ok(if file::link_into_place(&tmp, dest)? {
            Placed::Done
        } else {
            Placed::Taken
        })
    }
}
