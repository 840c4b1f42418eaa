//! `pdconsent backup FILE`: a consistent copy of the database, taken while others write.

use std::path::{Path, PathBuf};

use serde::Serialize;

use super::{Ctx, Result};
use crate::output::Format;
use crate::storage::{Access, Placed, Store};
use crate::{HintExt, Outcome};

/// Copy the database into FILE (mode 0600) while other processes go on writing
///
/// The copy is the database as of one moment, made through SQLite's online backup API and
/// checked with `PRAGMA quick_check`. Check it against your last signed checkpoint with
/// `pdconsent --db FILE ledger verify --checkpoint LAST.checkpoint` (docs/reliability.md).
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The copy to write; its directory is created (mode 0700) when missing
    #[arg(value_name = "FILE")]
    pub file: PathBuf,
    /// Replace FILE when it exists (never the database itself)
    #[arg(long)]
    pub force: bool,
}

#[derive(Serialize)]
struct BackupView {
    database: String,
    file: String,
    bytes: u64,
    schema_version: u32,
    consent_events: u64,
    /// The copy's tree head, `null` before the ledger's migration.
    ledger: Option<LedgerHead>,
}

#[derive(Serialize)]
struct LedgerHead {
    origin: String,
    size: u64,
    root: String,
    root_hex: String,
}

pub fn run(ctx: &Ctx, args: Args) -> Result {
    let format = ctx.format(&[Format::Text, Format::Json], "backup")?;
    let db = ctx.db_path()?;
    let dest = &args.file;
    check_destination(&db, dest, args.force)?;
    let store = ctx.open_read()?;
    match store.backup_to(dest, args.force)? {
        Placed::Done => {}
        Placed::Taken => {
            return Err(anyhow::anyhow!(
                "`{}` appeared while the copy was made; it was left untouched and the copy discarded",
                dest.display()
            ))
            .hint("give another name, or --force to replace it");
        }
    }
    drop(store);
    let view = describe(&db, dest)?;
    if format == Format::Json {
        ctx.out.print_json(&view)?;
        return Ok(Outcome::Ok);
    }
    let mut s = format!(
        "backed up `{}` to `{}` ({}, schema {}, {} consent events",
        view.database,
        view.file,
        crate::input::human_size(view.bytes as usize),
        view.schema_version,
        view.consent_events,
    );
    match &view.ledger {
        Some(h) => s.push_str(&format!("; ledger {} leaves, root {})\n", h.size, h.root)),
        None => s.push_str(")\n"),
    }
    ctx.out.print_text(&s)?;
    crate::output::notice(&format!(
        "check the copy against your last signed checkpoint: pdconsent --db {} ledger verify --checkpoint LAST.checkpoint",
        shell_word(&dest.display().to_string())
    ));
    Ok(Outcome::Ok)
}

/// Refuses a destination that is the database itself, a directory, a file in the way
/// (without `--force`), or a file with a write-ahead log beside it (copying over it would
/// let SQLite replay that log onto the copy).
fn check_destination(db: &Path, dest: &Path, force: bool) -> Result<()> {
    if let (Ok(a), Ok(b)) = (std::fs::canonicalize(db), std::fs::canonicalize(dest))
        && a == b
    {
        return Err(anyhow::anyhow!(
            "`{}` is the database itself",
            dest.display()
        ))
        .hint("give the backup another file name");
    }
    match std::fs::symlink_metadata(dest) {
        Ok(m) if m.is_dir() => {
            return Err(anyhow::anyhow!("`{}` is a directory", dest.display()))
                .hint("give a file name, e.g. DIR/pdconsent-$(date +%F).db");
        }
        Ok(m) if !m.is_file() => {
            return Err(anyhow::anyhow!(
                "`{}` is not a regular file",
                dest.display()
            ))
            .hint("give the name of a new file");
        }
        Ok(_) if !force => {
            return Err(anyhow::anyhow!("`{}` exists", dest.display()))
                .hint("give another name, or --force to replace it");
        }
        _ => {}
    }
    for companion in ["-wal", "-shm"] {
        let mut p = dest.as_os_str().to_owned();
        p.push(companion);
        if Path::new(&p).exists() {
            return Err(anyhow::anyhow!(
                "`{}` exists beside the destination: a database there is open, or was not closed cleanly",
                Path::new(&p).display()
            ))
            .hint("close whatever uses it, or give another name");
        }
    }
    Ok(())
}

/// What the finished copy holds, read back from the copy itself.
fn describe(db: &Path, dest: &Path) -> Result<BackupView> {
    let bytes = std::fs::metadata(dest)?.len();
    let mut copy = Store::open(dest, Access::Read)?;
    let schema_version = copy.schema_version()?;
    let consent_events = copy.read(|tx| Ok::<_, anyhow::Error>(tx.counts()?.consent_events))?;
    let ledger = if schema_version >= crate::storage::LEDGER_MIGRATION {
        Some(copy.read(|tx| {
            let size = tx.ledger_size()?;
            let root = tx.ledger_root(size)?;
            Ok::<_, anyhow::Error>(LedgerHead {
                origin: super::ledger::origin(tx)?,
                size,
                root: super::ledger::base64(&root),
                root_hex: crate::domain::ledger::to_hex(&root),
            })
        })?)
    } else {
        None
    };
    Ok(BackupView {
        database: db.display().to_string(),
        file: dest.display().to_string(),
        bytes,
        schema_version,
        consent_events,
        ledger,
    })
}

/// A path as one shell word: quoted when it holds anything but safe characters.
fn shell_word(s: &str) -> String {
    if s.chars()
        .all(|c| c.is_ascii_alphanumeric() || "/._-+=:,@".contains(c))
    {
        s.to_string()
    } else {
        format!("'{}'", s.replace('\'', r"'\''"))
    }
}
