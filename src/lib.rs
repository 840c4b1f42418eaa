//! pdconsent: consent agreements, requisites, sources and a tamper-evident
//! consent ledger for personal-data operators, in one SQLite file.
//!
//! `main.rs` only parses arguments and calls [`main_with`]; everything else
//! lives here so tests can reach it.

pub mod cmd;
pub mod config;
pub mod domain;
pub mod fsutil;
pub mod input;
pub mod interrupt;
pub mod output;
pub mod prompt;
pub mod storage;

use std::fmt;
use std::io::{self, Write};

use storage::StoreError;

/// Exit codes: a contract with scripts (README, "Exit codes").
pub mod exit {
    pub const OK: u8 = 0;
    /// The command ran and the answer is negative (check found errors, declined …).
    pub const NEGATIVE: u8 = 1;
    /// Usage, bad input, database or I/O error.
    pub const ERROR: u8 = 2;
    pub const INTERRUPTED: u8 = 130;
}

/// How a command that did not fail ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    Ok,
    Negative,
}

/// An error with a line telling the user what to run next.
#[derive(Debug)]
pub struct Hinted {
    pub error: anyhow::Error,
    pub hint: String,
}

impl fmt::Display for Hinted {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.error)
    }
}

impl std::error::Error for Hinted {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.error.source()
    }
}

pub trait HintExt<T> {
    fn hint(self, hint: impl Into<String>) -> anyhow::Result<T>;
}

impl<T, E: Into<anyhow::Error>> HintExt<T> for Result<T, E> {
    fn hint(self, hint: impl Into<String>) -> anyhow::Result<T> {
        self.map_err(|e| {
            anyhow::Error::new(Hinted {
                error: e.into(),
                hint: hint.into(),
            })
        })
    }
}

/// A confirmation was declined: nothing changed, exit 1.
#[derive(Debug, thiserror::Error)]
#[error("aborted, nothing changed")]
pub struct Aborted;

/// Runs the parsed command line and returns the process exit code.
pub fn main_with(cli: cmd::Cli) -> u8 {
    let color = output::color_enabled(cli.global.color, output::Stream::Stderr);
    // Ctrl-C: exit 130 before a commit, deferred once one has started.
    interrupt::install();
    match cmd::run(cli) {
        Ok(Outcome::Ok) => exit::OK,
        Ok(Outcome::Negative) => exit::NEGATIVE,
        Err(e) => report(&e, color),
    }
}

fn report(err: &anyhow::Error, color: bool) -> u8 {
    // `pdconsent … | head` closes the pipe: that is success, silently.
    if err.chain().any(|c| {
        c.downcast_ref::<io::Error>()
            .is_some_and(|e| e.kind() == io::ErrorKind::BrokenPipe)
    }) {
        return exit::OK;
    }
    let mut stderr = io::stderr().lock();
    if err.chain().any(|c| c.is::<Aborted>()) {
        let _ = writeln!(stderr, "aborted, nothing changed");
        return exit::NEGATIVE;
    }
    if err
        .chain()
        .any(|c| c.downcast_ref::<prompt::Interrupted>().is_some())
    {
        let _ = writeln!(stderr, "interrupted, nothing changed");
        return exit::INTERRUPTED;
    }
    let (err_label, hint_label) = if color {
        ("\x1b[1;31merror:\x1b[0m", "\x1b[1;36mhint:\x1b[0m")
    } else {
        ("error:", "hint:")
    };
    let _ = writeln!(
        stderr,
        "{err_label} {}",
        output::sanitize_multiline(&message(err))
    );
    if let Some(hint) = hint_for(err) {
        let _ = writeln!(stderr, "{hint_label} {hint}");
    }
    exit::ERROR
}

/// The error and its causes, `: `-separated like `{err:#}`, but without a cause
/// that the text already says: errors such as `cannot create `{path}`: {source}`
/// print their source themselves and would otherwise show it twice.
fn message(err: &anyhow::Error) -> String {
    let mut msg = String::new();
    for cause in err.chain() {
        let text = cause.to_string();
        if msg.contains(&text) {
            continue;
        }
        if !msg.is_empty() {
            msg.push_str(": ");
        }
        msg.push_str(&text);
    }
    msg
}

fn hint_for(err: &anyhow::Error) -> Option<String> {
    if let Some(h) = err.chain().find_map(|c| c.downcast_ref::<Hinted>()) {
        return Some(h.hint.clone());
    }
    if err.chain().any(|c| c.is::<prompt::NeedsConfirmation>()) {
        return Some("give --yes to confirm without a prompt".to_string());
    }
    if let Some(m) = err
        .chain()
        .find_map(|c| c.downcast_ref::<prompt::MissingValue>())
    {
        return Some(format!(
            "give {}, or run the command on a terminal (without --no-input) to be asked",
            m.flag
        ));
    }
    if let Some(inv) = err
        .chain()
        .find_map(|c| c.downcast_ref::<domain::Invalid>())
    {
        let kind = inv.object.split(' ').next().unwrap_or("");
        let cmd = match kind {
            "requisites" | "agreement" | "source" => kind,
            _ => return Some("fix the values and run the command again".to_string()),
        };
        return Some(format!(
            "fix the values and run the command again; `pdconsent {cmd} edit --help` lists the settings"
        ));
    }
    if err.chain().any(|c| c.is::<domain::FieldError>()) {
        return Some(
            "the command's --help lists the settings and the values they take".to_string(),
        );
    }
    let store = err.chain().find_map(|c| c.downcast_ref::<StoreError>())?;
    Some(match store {
        StoreError::NotFound { kind, .. } => {
            let cmd = match *kind {
                "agreement" => "agreement list --all",
                "source" => "source list --all",
                other => other,
            };
            let cmd = if cmd == "requisites" {
                "requisites list"
            } else {
                cmd
            };
            format!("run `pdconsent {cmd}` to see what exists")
        }
        StoreError::RevisionNotFound { code, .. } => {
            format!("run `pdconsent agreement history {code}`")
        }
        StoreError::AlreadyExists { kind, code } => {
            let cmd = if *kind == "requisites" {
                "requisites"
            } else {
                kind
            };
            format!("to change it, run `pdconsent {cmd} edit {code}`")
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
        StoreError::Tampered { .. } => {
            "restore the database from a backup (docs/reliability.md); read-only commands still work, with a warning".to_string()
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
        StoreError::Conflict { .. } | StoreError::Changed { .. } => {
            "another process kept changing it; run the command again".to_string()
        }
        StoreError::Sqlite(e) => match e.sqlite_error_code() {
            Some(rusqlite::ErrorCode::DatabaseCorrupt) => {
                "the database file is damaged (truncated?); restore it from a backup (docs/reliability.md)".to_string()
            }
            Some(rusqlite::ErrorCode::ReadOnly) => {
                "the database file or its directory is read-only; check permissions with `ls -ld`, or use a read-only command".to_string()
            }
            Some(rusqlite::ErrorCode::DatabaseBusy | rusqlite::ErrorCode::DatabaseLocked) => {
                "another process is writing; run the command again".to_string()
            }
            _ => return None,
        },
        _ => return None,
    })
}
