//! Errors at the edge: exit codes, hints, and how a failed command is reported.
//!
//! Each error type owns its message and its hint (`StoreError::hint`,
//! `Invalid::hint`, …); a call site that knows better attaches its own with
//! [`HintExt::hint`]. [`report`] prints `error: …` then `hint: …` and picks the
//! exit code.

use std::fmt;
use std::io::{self, IsTerminal, Write};

use crate::storage::StoreError;
use crate::{domain, output, prompt};

/// Exit codes: a contract with scripts (README, "Exit codes").
pub mod exit {
    /// Success.
    pub const OK: u8 = 0;
    /// The command ran and the answer is negative (check found errors, declined …).
    pub const NEGATIVE: u8 = 1;
    /// Usage, bad input, database or I/O error.
    pub const ERROR: u8 = 2;
    /// Ctrl-C before anything was committed.
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

/// Prints a failed command's error and hint on stderr; returns the exit code.
pub fn report(err: &anyhow::Error, color: bool) -> u8 {
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
        // Ctrl-C read as a key by a prompt in raw mode: the prompt may have
        // hidden the cursor, and the signal handler did not run.
        if io::stderr().is_terminal() {
            let _ = console::Term::stderr().show_cursor();
        }
        let _ = writeln!(stderr, "interrupted, nothing changed");
        return exit::INTERRUPTED;
    }
    // Styled as clap styles its own `error:` (anstyle), when colour is on.
    let (err_style, hint_style) = if color {
        (
            anstyle::Style::new()
                .bold()
                .fg_color(Some(anstyle::AnsiColor::Red.into())),
            anstyle::Style::new()
                .bold()
                .fg_color(Some(anstyle::AnsiColor::Cyan.into())),
        )
    } else {
        (anstyle::Style::new(), anstyle::Style::new())
    };
    let err_label = format!("{err_style}error:{err_style:#}");
    let hint_label = format!("{hint_style}hint:{hint_style:#}");
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

/// The hint [`report`] would print for `err`.
pub fn hint_of(err: &anyhow::Error) -> Option<String> {
    hint_for(err)
}

fn hint_for(err: &anyhow::Error) -> Option<String> {
    // A hint given where the error was raised knows the most; then each
    // error type says what to run next about itself.
    if let Some(h) = err.chain().find_map(|c| c.downcast_ref::<Hinted>()) {
        return Some(h.hint.clone());
    }
    err.chain().find_map(|c| {
        if let Some(e) = c.downcast_ref::<prompt::NeedsConfirmation>() {
            Some(e.hint())
        } else if let Some(e) = c.downcast_ref::<prompt::MissingValue>() {
            Some(e.hint())
        } else if let Some(e) = c.downcast_ref::<domain::Invalid>() {
            Some(e.hint())
        } else if let Some(e) = c.downcast_ref::<domain::FieldError>() {
            Some(e.hint())
        } else {
            c.downcast_ref::<StoreError>().and_then(StoreError::hint)
        }
    })
}
