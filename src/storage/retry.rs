//! Waiting for the write lock: SQLite's busy timeout first, then a bounded
//! number of attempts with a jittered, growing pause.

use std::time::Duration;

use rusqlite::{Connection, TransactionBehavior};

use super::error::{is_busy, is_busy_code};
use super::{Result, StoreError};

/// Runs `f` again while it fails for contention (busy, locked, a concurrent
/// change), at most [`ATTEMPTS`] times, sleeping a jittered, growing delay.
pub fn with_backoff<T>(mut f: impl FnMut() -> Result<T>) -> Result<T> {
    let mut attempt = 1;
    loop {
        match f() {
            Err(e) if e.is_contention() && attempt < ATTEMPTS => {
                std::thread::sleep(backoff(attempt));
                attempt += 1;
            }
            Err(e) if is_busy_error(&e) => return Err(StoreError::Busy),
            other => return other,
        }
    }
}

/// `BEGIN IMMEDIATE`: the write lock from the start, waited for like [`with_backoff`].
pub(super) fn begin_immediate(conn: &Connection) -> Result<rusqlite::Transaction<'_>> {
    let mut attempt = 1;
    loop {
        match rusqlite::Transaction::new_unchecked(conn, TransactionBehavior::Immediate) {
            Ok(tx) => return Ok(tx),
            Err(e) if is_busy(&e) && attempt < ATTEMPTS => {
                std::thread::sleep(backoff(attempt));
                attempt += 1;
            }
            Err(e) if is_busy(&e) => return Err(StoreError::Busy),
            Err(e) => return Err(e.into()),
        }
    }
}

fn is_busy_error(e: &StoreError) -> bool {
    matches!(e, StoreError::Sqlite(s) if is_busy(s))
        || matches!(e, StoreError::Migration(m) if is_busy_code(m.code))
}

/// How many times a contended operation is tried in all.
pub const ATTEMPTS: u32 = 12;

/// Full jitter: a random delay up to 10 ms · 2^attempt, at most 400 ms.
pub fn backoff(attempt: u32) -> Duration {
    let cap = (10u64 << attempt.min(6)).min(400);
    Duration::from_millis(fastrand::u64(1..=cap))
}
