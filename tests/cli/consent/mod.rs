//! The consent ledger seen from the command line (split by theme: `record.rs`, `lookup.rs`
//! for withdraw/status/list/show, `ledger.rs` for export and `ledger head/prove/verify`): `consent record` (flags, --json, --batch),
//! `withdraw`, `status`, `list`, `show`, `export`, and `ledger head/prove/verify`, with
//! the example configuration (contact-form: personal-data required + marketing optional;
//! callback-form; site-chat) applied on 1 November.

use serde_json::Value;
use sha2::Digest as _;

use std::fmt::Write as _;
use std::path::Path;

use crate::common::{Env, NOW, Run, example_file, sha256_hex, write};

const APPLIED: &str = "2026-11-01T10:00:00Z";
const PD: &str = "personal-data";

/// The example applied on 1 November; the clock of every later command is NOW.
fn setup() -> Env {
    let env = Env::new();
    env.ok_at(APPLIED, &["apply", example_file().to_str().unwrap()]);
    env
}

/// `ledger head`: (size, base64 root).
fn head(env: &Env) -> (u64, String) {
    let r = env.ok(&["ledger", "head"]);
    let lines: Vec<&str> = r.stdout.lines().collect();
    assert_eq!(lines.len(), 3, "{}", r.pinned());
    (lines[1].parse().unwrap(), lines[2].to_string())
}

/// A contact-form submission with both boxes ticked, plus `extra` flags.
fn record(env: &Env, email: &str, extra: &[&str]) -> Run {
    let field = format!("email={email}");
    let mut args = vec![
        "consent",
        "record",
        "--source",
        "contact-form",
        "--field",
        &field,
        "--agreement",
        PD,
    ];
    args.extend(extra);
    env.run(&args)
}

fn seqs(r: &Run) -> Vec<u64> {
    r.stdout.lines().map(|l| l.parse().unwrap()).collect()
}

fn show(env: &Env, seq: u64) -> Value {
    env.json(&["consent", "show", &seq.to_string()])
}

fn hex(b: &[u8]) -> String {
    b.iter().map(|b| format!("{b:02x}")).collect()
}

fn unhex(s: &str) -> Vec<u8> {
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
        .collect()
}

/// Every row of every table, sorted, with the schema and `user_version`.
///
/// `common::dump` orders by `rowid`, which the WITHOUT ROWID table `ledger_subjects`
/// (migration 5) does not have, so `Env::fails` and `Env::dump` panic on any database
/// that has the ledger; this dump sorts each table's rows instead.
pub(crate) fn dump(path: &Path) -> String {
    use rusqlite::types::Value as Sql;
    let conn = rusqlite::Connection::open(path).expect("open the database for a dump");
    let mut out = String::new();
    let version: i64 = conn
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .unwrap();
    writeln!(out, "user_version = {version}").unwrap();
    let objects: Vec<(String, String, Option<String>)> = conn
        .prepare("SELECT type, name, sql FROM sqlite_master ORDER BY type, name")
        .and_then(|mut st| {
            st.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
                .collect()
        })
        .unwrap();
    for (kind, name, sql) in &objects {
        writeln!(out, "{kind} {name}: {}", sql.as_deref().unwrap_or("-")).unwrap();
    }
    for (kind, name, _) in &objects {
        if kind != "table" {
            continue;
        }
        writeln!(out, "-- {name}").unwrap();
        let mut st = conn.prepare(&format!("SELECT * FROM \"{name}\"")).unwrap();
        let n = st.column_count();
        let mut rows: Vec<String> = st
            .query_map([], |row| {
                Ok((0..n)
                    .map(|i| format!("{:?}", row.get::<_, Sql>(i).unwrap()))
                    .collect::<Vec<_>>()
                    .join(" | "))
            })
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        rows.sort();
        for r in rows {
            writeln!(out, "{r}").unwrap();
        }
    }
    out
}

/// `Env::fails` with [`dump`]: exit 2, nothing on stdout, `error: ` first, the database as it was.
#[track_caller]
pub(crate) fn fails(env: &Env, args: &[&str]) -> Run {
    let before = dump(&env.db());
    let r = env.run(args);
    assert_eq!(r.code, 2, "{args:?} did not fail with 2:\n{}", r.pinned());
    assert_eq!(r.stdout, "", "{args:?} printed data on failure");
    assert!(r.stderr.starts_with("error: "), "{args:?}: {}", r.stderr);
    assert_eq!(
        dump(&env.db()),
        before,
        "{args:?} was refused but changed the database"
    );
    r
}

mod edge;
mod ledger;
mod lookup;
mod record;
mod review;
