//! pdconsent: consent agreements, requisites, sources and a tamper-evident
//! consent ledger for personal-data operators, in one SQLite file.
//!
//! `main.rs` only parses arguments and calls [`main_with`]; everything else
//! lives here so tests can reach it.

pub mod cmd;
pub mod config;
pub mod domain;
pub mod error;
pub mod fsutil;
pub mod input;
pub mod interrupt;
pub mod output;
pub mod prompt;
pub mod storage;

pub use error::{Aborted, HintExt, Hinted, Outcome, exit};

/// Runs the parsed command line and returns the process exit code.
pub fn main_with(cli: cmd::Cli) -> u8 {
    let color = output::color_enabled(cli.global.color, output::Stream::Stderr);
    // Ctrl-C: exit 130 before a commit, deferred once one has started.
    interrupt::install();
    match cmd::run(cli) {
        Ok(Outcome::Ok) => exit::OK,
        Ok(Outcome::Negative) => exit::NEGATIVE,
        Err(e) => error::report(&e, color),
    }
}
