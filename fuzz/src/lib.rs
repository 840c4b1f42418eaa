//! What the fuzz targets share: a database set up by the real commands from
//! `agreements.example.toml` (requisites `main`, agreements `personal-data`,
//! `marketing`, `reviews`, sources `contact-form`, `callback-form`,
//! `site-chat`), and a write transaction that is always rolled back, so every
//! input meets the same catalog.

use std::path::PathBuf;

use chrono::{DateTime, Utc};
use clap::Parser as _;
use pdconsent::storage::{Access, Store, StoreError, Tx};

/// The clock of the e2e tests (`PDCONSENT_NOW`).
pub const NOW: &str = "2026-11-28T12:00:00Z";

pub fn now() -> DateTime<Utc> {
    NOW.parse().expect("NOW is RFC 3339")
}

/// The example of the repository, as `pdconsent apply` reads it.
pub const EXAMPLE: &str = include_str!("../../agreements.example.toml");

/// A directory that lives as long as the process: the database file in it.
fn workdir() -> &'static PathBuf {
    static DIR: std::sync::OnceLock<PathBuf> = std::sync::OnceLock::new();
    DIR.get_or_init(|| {
        // In memory when /dev/shm is there: each input opens a transaction.
        let base = ["/dev/shm", "/tmp"]
            .into_iter()
            .map(PathBuf::from)
            .find(|p| p.is_dir())
            .unwrap_or_else(std::env::temp_dir);
        let dir = tempfile::Builder::new()
            .prefix("pdconsent-fuzz-")
            .tempdir_in(base)
            .expect("a temporary directory");
        dir.keep()
    })
}

/// Runs `pdconsent ARGS` (the library's `cmd::run`, as the binary does) on the fuzz database.
fn pdconsent(args: &[&str]) {
    let db = workdir().join("pd.db");
    let mut argv = vec!["pdconsent", "--db", db.to_str().expect("UTF-8 path")];
    argv.extend(args);
    // SAFETY: set once, before any other thread of ours runs.
    unsafe {
        std::env::set_var(pdconsent::cmd::NOW_ENV, NOW);
        std::env::set_var("PDCONSENT_ACTOR", "fuzz");
    }
    let cli = pdconsent::cmd::Cli::try_parse_from(&argv).expect("arguments parse");
    if let Err(e) = pdconsent::cmd::run(cli) {
        panic!("setting up the fuzz database: pdconsent {args:?}: {e:#}");
    }
}

/// The example's database, opened for writing (made on the first call).
pub fn example_store() -> Store {
    let dir = workdir();
    let db = dir.join("pd.db");
    if !db.exists() {
        let file = dir.join("agreements.toml");
        std::fs::write(&file, EXAMPLE).expect("write the example");
        pdconsent(&["apply", file.to_str().expect("UTF-8 path")]);
    }
    Store::open(&db, Access::Write).expect("open the fuzz database")
}

/// Why the transaction of [`rolled_back`] ends: always.
pub enum Never {
    Rollback,
    Store(StoreError),
}

impl From<StoreError> for Never {
    fn from(e: StoreError) -> Self {
        Never::Store(e)
    }
}

/// Runs `f` in a write transaction of `store` and rolls it back.
pub fn rolled_back(store: &mut Store, f: impl Fn(&Tx) -> Result<(), StoreError>) {
    let r = store.write(|tx| -> Result<(), Never> {
        f(tx)?;
        Err(Never::Rollback)
    });
    match r {
        Err(Never::Rollback) => {}
        Err(Never::Store(e)) => panic!("the store failed: {e}"),
        Ok(()) => unreachable!("the transaction is always rolled back"),
    }
}
