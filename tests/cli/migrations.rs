//! Migrations (issue 14): a database made by each released schema version
//! (`tests/fixtures/schema-vN.sql`, written by that version's own binary with
//! `tests/fixtures/make_schema_fixture.sh`) is upgraded by the current binary
//! with every row, revision, text and leaf intact, and its ledger verifies.
//!
//! A fixture for a new schema version is one line in `upgrades!` below.

use std::collections::BTreeMap;
use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

use rusqlite::Connection;
use rusqlite::types::Value as Sql;
use serde_json::Value;

use crate::common::{Env, sha256_hex};

/// One test per released schema version; `TESTED` lists them all.
macro_rules! upgrades {
    ($($name:ident: $version:expr,)*) => {
        $(
            #[test]
            fn $name() {
                upgrade($version);
            }
        )*
        const TESTED: &[u32] = &[$($version),*];
    };
}

upgrades! {
    schema_v1_is_upgraded_keeping_everything: 1,
    schema_v2_is_upgraded_keeping_everything: 2,
    schema_v3_is_upgraded_keeping_everything: 3,
    schema_v4_is_upgraded_keeping_everything: 4,
    schema_v5_is_upgraded_keeping_everything: 5,
    schema_v6_is_upgraded_keeping_everything: 6,
    schema_v7_is_upgraded_keeping_everything: 7,
}

/// Tables a migration removed on purpose, each with why nothing is lost: the
/// fixture must hold no row of them.
const DROPPED: &[(&str, &str)] = &[(
    "consent_events",
    "migration 5 replaced it by the ledger; no release ever wrote to it",
)];

#[test]
fn every_released_schema_version_has_a_fixture_and_a_test() {
    let latest = pdconsent::storage::latest_version();
    assert_eq!(
        TESTED,
        (1..=latest).collect::<Vec<_>>(),
        "a schema version without a fixture: make one with tests/fixtures/make_schema_fixture.sh \
         and the binary of the commit where it is the newest"
    );
    for v in TESTED {
        assert!(fixture(*v, "sql").exists(), "no fixture for schema {v}");
        assert!(fixture(*v, "dump.toml").exists(), "no dump for schema {v}");
    }
}

fn fixture(version: u32, ext: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(format!("tests/fixtures/schema-v{version}.{ext}"))
}

/// A fixture's text, if it exists (`head` from schema 5 on, `checkpoint` and
/// `vkey` from 6 on).
fn optional(version: u32, ext: &str) -> Option<String> {
    fs::read_to_string(fixture(version, ext)).ok()
}

/// Every table with its columns, and its rows as text, sorted (a multiset).
type Tables = BTreeMap<String, (Vec<String>, Vec<String>)>;

fn tables(conn: &Connection) -> Tables {
    let names: Vec<String> = conn
        .prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<rusqlite::Result<_>>()
        .unwrap();
    names
        .into_iter()
        .map(|name| {
            let columns: Vec<String> = conn
                .prepare(&format!(
                    "SELECT name FROM pragma_table_info('{name}') ORDER BY cid"
                ))
                .unwrap()
                .query_map([], |r| r.get(0))
                .unwrap()
                .collect::<rusqlite::Result<_>>()
                .unwrap();
            let rows = rows(conn, &name, &columns);
            (name, (columns, rows))
        })
        .collect()
}

/// The rows of `table`, only the given columns, each as the text of its
/// values (type and value: `Integer(1)` is not `Text("1")`), sorted.
/// The rows `ledger_hashes` would hold, read from the leaves' `hashes` (migration 7), in the
/// form of [`rows`].
fn moved_hashes(conn: &Connection) -> Vec<String> {
    let mut st = conn
        .prepare("SELECT seq, hashes FROM ledger_leaves ORDER BY seq")
        .unwrap();
    let leaves: Vec<(i64, Vec<u8>)> = st
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .collect::<rusqlite::Result<_>>()
        .unwrap();
    let mut out = Vec::new();
    for (seq, hashes) in leaves {
        let first = pdconsent::domain::ledger::stored_hash_index(0, seq as u64 - 1);
        for (i, h) in hashes.chunks(32).enumerate() {
            let idx = Sql::Integer((first + i as u64) as i64);
            out.push(format!("{idx:?} | {:?}", Sql::Blob(h.to_vec())));
        }
    }
    out.sort();
    out
}

fn rows(conn: &Connection, table: &str, columns: &[String]) -> Vec<String> {
    let list = columns
        .iter()
        .map(|c| format!("\"{c}\""))
        .collect::<Vec<_>>()
        .join(", ");
    let mut st = conn
        .prepare(&format!("SELECT {list} FROM \"{table}\""))
        .unwrap();
    let mut out: Vec<String> = st
        .query_map([], |r| {
            let cells: Vec<String> = (0..columns.len())
                .map(|i| r.get::<_, Sql>(i).map(|v| format!("{v:?}")))
                .collect::<rusqlite::Result<_>>()?;
            Ok(cells.join(" | "))
        })
        .unwrap()
        .collect::<rusqlite::Result<_>>()
        .unwrap();
    out.sort();
    out
}

fn pragma(conn: &Connection, name: &str) -> i64 {
    conn.query_row(&format!("PRAGMA {name}"), [], |r| r.get(0))
        .unwrap()
}

fn count(conn: &Connection, sql: &str) -> i64 {
    conn.query_row(sql, [], |r| r.get(0)).unwrap()
}

/// The codes of the objects in `table` (agreements, requisites, sources).
fn codes(conn: &Connection, table: &str) -> Vec<String> {
    conn.prepare(&format!("SELECT code FROM {table} ORDER BY code"))
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<rusqlite::Result<_>>()
        .unwrap()
}

/// (origin, size, root) of a `ledger head`.
fn head(text: &str) -> (String, u64, String) {
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 3, "not a head: {text:?}");
    (
        lines[0].to_string(),
        lines[1].parse().expect("a tree size"),
        lines[2].to_string(),
    )
}

/// What the CLI shows of the configuration, its revisions, texts and consents,
/// read through `env` (on an older file: through an upgraded copy in memory).
fn views(env: &Env, conn: &Connection) -> BTreeMap<String, Value> {
    let mut out = BTreeMap::new();
    out.insert(
        "agreement list".into(),
        env.json(&["agreement", "list", "--all"]),
    );
    out.insert("source list".into(), env.json(&["source", "list", "--all"]));
    out.insert("requisites list".into(), env.json(&["requisites", "list"]));
    out.insert(
        "consent list".into(),
        env.json(&["consent", "list", "-n", "100000"]),
    );
    for code in codes(conn, "agreements") {
        let history = env.json(&["agreement", "history", &code]);
        for rev in history.as_array().unwrap() {
            let n = rev["revision"].to_string();
            out.insert(
                format!("agreement show {code} --revision {n}"),
                env.json(&["agreement", "show", &code, "--revision", &n]),
            );
        }
        out.insert(format!("agreement history {code}"), history);
        out.insert(
            format!("agreement texts {code}"),
            env.json(&["agreement", "texts", &code]),
        );
    }
    for code in codes(conn, "requisites") {
        out.insert(
            format!("requisites history {code}"),
            env.json(&["requisites", "history", &code]),
        );
    }
    for code in codes(conn, "sources") {
        out.insert(
            format!("source history {code}"),
            env.json(&["source", "history", &code]),
        );
    }
    out
}

fn upgrade(version: u32) {
    let latest = pdconsent::storage::latest_version();
    let env = Env::new();
    let sql = fs::read_to_string(fixture(version, "sql")).unwrap();
    // Loaded as the SQL says; the triggers come after the data, so no function
    // pdconsent registers is needed.
    Connection::open(env.db())
        .unwrap()
        .execute_batch(&sql)
        .unwrap();
    fs::set_permissions(env.db(), fs::Permissions::from_mode(0o600)).unwrap();
    let old_conn = Connection::open(env.db()).unwrap();
    assert_eq!(pragma(&old_conn, "user_version"), i64::from(version));
    let old = tables(&old_conn);
    let revisions_before: Vec<(String, i64)> = codes(&old_conn, "agreements")
        .into_iter()
        .map(|code| {
            let n = count(
                &old_conn,
                &format!(
                    "SELECT count(*) FROM agreement_revisions r JOIN agreements a \
                     ON a.id = r.agreement_id WHERE a.code = '{code}'"
                ),
            );
            (code, n)
        })
        .collect();
    drop(old_conn);
    let dump = fs::read_to_string(fixture(version, "dump.toml")).unwrap();
    let old_head = optional(version, "head").map(|h| head(&h));

    // Read-only commands read an upgraded copy and leave the file as it is.
    let bytes = fs::read(env.db()).unwrap();
    let info = env.ok(&["info", "--format", "json"]);
    assert_eq!(info.json()["schema_version"], version);
    if version < latest {
        assert!(
            info.stderr.contains(&format!(
                "has schema version {version}; it is read as version {latest}"
            )),
            "{}",
            info.stderr
        );
    }
    assert_eq!(
        env.ok(&["dump"]).stdout,
        dump,
        "schema {version}: `dump` differs from what that version printed"
    );
    // A file without a ledger is not verified in memory: it says how to build one.
    let r = env.run(&["ledger", "verify"]);
    if version < pdconsent::storage::LEDGER_MIGRATION {
        assert_eq!(r.code, 2, "schema {version}, read-only: {}", r.pinned());
        assert!(
            r.stderr.contains(&format!(
                "error: this database (schema {version}) has no consent ledger yet"
            )),
            "{}",
            r.stderr
        );
    } else {
        assert_eq!(r.code, 0, "schema {version}, read-only: {}", r.pinned());
    }
    if let Some(old_head) = &old_head {
        assert_eq!(head(&env.ok(&["ledger", "head"]).stdout), *old_head);
    }
    let conn = Connection::open(env.db()).unwrap();
    let before = views(&env, &conn);
    drop(conn);
    assert_eq!(
        fs::read(env.db()).unwrap(),
        bytes,
        "schema {version}: a read-only command changed the file"
    );

    // The first command that writes upgrades the file in place. Adding and
    // removing a set leaves the configuration as it was, and only adds rows.
    env.ok(&[
        "requisites",
        "add",
        "spare",
        "--set",
        "short_name=ООО «Запасная»",
    ]);
    env.ok(&["requisites", "remove", "spare", "--yes"]);

    let conn = Connection::open(env.db()).unwrap();
    assert_eq!(pragma(&conn, "user_version"), i64::from(latest));
    assert_eq!(pragma(&conn, "application_id"), 0x7064_636e);

    // Every row of every table is still there, unchanged (in the columns it had).
    let new = tables(&conn);
    for (table, (columns, old_rows)) in &old {
        if let Some((_, why)) = DROPPED.iter().find(|(t, _)| t == table) {
            assert!(
                old_rows.is_empty(),
                "schema {version}: `{table}` had rows and was dropped ({why})"
            );
            assert!(!new.contains_key(table));
            continue;
        }
        if table == "ledger_hashes" {
            // Migration 7 moved each stored hash into the row of the leaf whose append stored
            // it: read back from there, every one is where it was.
            // (The commands above appended leaves: their hashes come on top.)
            let moved = moved_hashes(&conn);
            let kept = old_rows.iter().filter(|r| moved.contains(r)).count();
            assert_eq!(
                kept,
                old_rows.len(),
                "schema {version}: {} of the tree's {} stored hashes are not in the leaves after migration 7",
                old_rows.len() - kept,
                old_rows.len()
            );
            continue;
        }
        let (new_columns, _) = new
            .get(table)
            .unwrap_or_else(|| panic!("schema {version}: table `{table}` is gone"));
        for c in columns {
            assert!(
                new_columns.contains(c),
                "schema {version}: column `{table}.{c}` is gone"
            );
        }
        let now = rows(&conn, table, columns);
        let mut left = now.clone();
        for row in old_rows {
            let i = left.iter().position(|r| r == row).unwrap_or_else(|| {
                panic!("schema {version}: a row of `{table}` is gone or changed:\n{row}")
            });
            left.remove(i);
        }
    }

    // Every revision and text, read through the CLI, as before the upgrade.
    for (code, n) in &revisions_before {
        assert_eq!(env.revisions(code) as i64, *n, "schema {version}: {code}");
    }
    let after = views(&env, &conn);
    for (what, value) in &before {
        assert_eq!(
            after.get(what),
            Some(value),
            "schema {version}: `{what}` differs after the upgrade"
        );
    }
    // Every text is kept under its own hash.
    let mut st = conn.prepare("SELECT sha256, body FROM texts").unwrap();
    let texts: Vec<(String, String)> = st
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .collect::<rusqlite::Result<_>>()
        .unwrap();
    for (sha, body) in &texts {
        assert_eq!(&sha256_hex(body.as_bytes()), sha, "schema {version}");
    }
    assert_eq!(
        env.ok(&["dump"]).stdout,
        dump,
        "schema {version}: `dump` differs after the upgrade"
    );

    // The ledger: intact, and a leaf for every revision and text.
    let r = env.run(&["ledger", "verify"]);
    assert_eq!(r.code, 0, "schema {version}: {}", r.pinned());
    assert!(
        r.stderr.starts_with("ok: "),
        "schema {version}: {}",
        r.pinned()
    );
    let (_, size, _) = head(&env.ok(&["ledger", "head"]).stdout);
    let configuration = count(
        &conn,
        "SELECT (SELECT count(*) FROM agreement_revisions) + (SELECT count(*) FROM requisites_revisions)
              + (SELECT count(*) FROM source_revisions) + (SELECT count(*) FROM text_registrations)",
    );
    assert_eq!(
        count(
            &conn,
            "SELECT count(*) FROM ledger_leaves WHERE kind IN \
             ('agreement_revision', 'requisites_revision', 'source_revision', 'text')"
        ),
        configuration,
        "schema {version}: not one leaf per revision and text"
    );
    assert_eq!(
        count(&conn, "SELECT count(*) FROM ledger_leaves") as u64,
        size
    );
    match &old_head {
        // The tree the old version built is a prefix of today's: the same root
        // at the old size, and one leaf more (the spare set's revision).
        Some((origin, old_size, old_root)) => {
            let (new_origin, _, _) = head(&env.ok(&["ledger", "head"]).stdout);
            assert_eq!(&new_origin, origin);
            assert_eq!(size, old_size + 1, "schema {version}");
            let proof = env.json(&["ledger", "prove", "1", "--size", &old_size.to_string()]);
            assert_eq!(proof["root"], old_root.as_str(), "schema {version}");
        }
        // No ledger before: the upgrade built it from the revisions and texts.
        None => assert_eq!(size as i64, configuration, "schema {version}"),
    }

    // A checkpoint signed by the old version still verifies against today's
    // tree, with the verifier key the operator handed out; a forged one fails.
    if let (Some(checkpoint), Some(_)) =
        (optional(version, "checkpoint"), optional(version, "vkey"))
    {
        let vkey = format!("@{}", fixture(version, "vkey").display());
        let given = fixture(version, "checkpoint").display().to_string();
        let r = env.run(&["ledger", "verify", "--checkpoint", &given, "--vkey", &vkey]);
        assert_eq!(r.code, 0, "schema {version}: {}", r.pinned());
        let mut lines: Vec<&str> = checkpoint.lines().collect();
        // Another root of the same size: its first character changed.
        let root = lines[2];
        let other = if root.starts_with('A') { "B" } else { "A" };
        let forged_root = format!("{other}{}", &root[1..]);
        lines[2] = &forged_root;
        let forged = crate::common::write(&env, "forged.checkpoint", &(lines.join("\n") + "\n"));
        let r = env.run(&["ledger", "verify", "--checkpoint", &forged, "--vkey", &vkey]);
        assert_eq!(r.code, 1, "schema {version}: a forged checkpoint passed");
    }
}

#[test]
fn migration_7_refuses_a_tree_whose_newest_leaves_were_deleted_and_changes_nothing() {
    // In schema 6 the stored hashes outlive deleted leaves: that is evidence, and moving the
    // hashes into the leaf rows would drop it (or, for a middle leaf, fail half way), so the
    // upgrade stops with the file untouched.
    for (what, seq) in [
        ("the newest leaf", "(SELECT max(seq) FROM ledger_leaves)"),
        ("a middle leaf", "2"),
    ] {
        let env = Env::new();
        let sql = fs::read_to_string(fixture(6, "sql")).unwrap();
        let conn = Connection::open(env.db()).unwrap();
        conn.execute_batch(&sql).unwrap();
        conn.execute_batch(&format!(
            "DROP TRIGGER ledger_leaves_no_delete; DELETE FROM ledger_leaves WHERE seq = {seq};"
        ))
        .unwrap();
        drop(conn);
        fs::set_permissions(env.db(), fs::Permissions::from_mode(0o600)).unwrap();
        let before = sha256_hex(&fs::read(env.db()).unwrap());
        let r = env.run(&["consent", "list"]);
        assert_eq!(r.code, 2, "{what}: {}", r.pinned());
        assert!(
            r.stderr
                .contains("migration 7 (lean ledger) failed: the tree stores")
                && r.stderr.contains("the file was left as it was"),
            "{what}: {}",
            r.stderr
        );
        assert_eq!(sha256_hex(&fs::read(env.db()).unwrap()), before, "{what}");
    }
}
