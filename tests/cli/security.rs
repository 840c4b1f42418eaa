//! Security properties of issue 14: every file pdconsent writes with personal data or keys is
//! owner-only even under `umask 000`; no statement in the source changes or deletes a ledger
//! row but erasure's; values from the public reach a terminal only sanitised.

use std::os::unix::fs::PermissionsExt;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};

use crate::common::{Env, example_file, write};

const APPLIED: &str = "2026-11-01T10:00:00Z";

fn setup() -> Env {
    let env = Env::new();
    env.ok_at(APPLIED, &["apply", example_file().to_str().unwrap()]);
    env
}

/// Runs pdconsent with `umask 000`: whatever it creates without an explicit mode is 0666/0777.
fn ok_umask0(env: &Env, args: &[&str]) -> String {
    let mut c = env.std_command(args);
    // SAFETY: umask is async-signal-safe and touches nothing but the child's mask.
    unsafe {
        c.pre_exec(|| {
            libc::umask(0);
            Ok(())
        });
    }
    let out = c.output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(out.status.success(), "{args:?}: {stderr}");
    String::from_utf8(out.stdout).unwrap()
}

fn mode(p: &Path) -> u32 {
    std::fs::metadata(p).unwrap().permissions().mode() & 0o777
}

/// Every file and directory under `root` (itself included), with its mode.
fn modes(root: &Path) -> Vec<(PathBuf, u32)> {
    let mut out = vec![(root.to_path_buf(), mode(root))];
    if root.is_dir() {
        for e in std::fs::read_dir(root).unwrap() {
            out.extend(modes(&e.unwrap().path()));
        }
    }
    out
}

#[test]
fn everything_written_is_owner_only_even_under_umask_000() {
    let env = Env::new();
    let toml = example_file();
    ok_umask0(&env, &["apply", toml.to_str().unwrap()]);
    ok_umask0(&env, &["ledger", "key", "init"]);
    ok_umask0(
        &env,
        &[
            "consent",
            "record",
            "--source",
            "callback-form",
            "--field",
            "phone=+79161234567",
        ],
    );
    let rows = "source,phone\ncallback-form,+79161234568\ncallback-form,not-a-phone\n";
    let input = write(&env, "in.csv", rows);
    ok_umask0(
        &env,
        &[
            "consent",
            "import",
            &input,
            "--skip-invalid",
            "--rejects",
            "rejects.csv",
        ],
    );
    ok_umask0(&env, &["consent", "export", "-o", "consents.csv"]);
    ok_umask0(
        &env,
        &["consent", "export", "--format", "jsonl", "-o", "c.jsonl"],
    );
    let seq = env.json(&["consent", "list"])[0]["seq"].to_string();
    ok_umask0(&env, &["consent", "receipt", &seq, "-o", "r.txt"]);
    ok_umask0(
        &env,
        &[
            "consent", "receipt", &seq, "--format", "html", "-o", "r.html",
        ],
    );
    ok_umask0(&env, &["audit-pack", "pack"]);
    ok_umask0(&env, &["audit-pack", "pack.zip", "--zip"]);
    ok_umask0(&env, &["backup", "backups/b.db"]);
    let d = env.dir();
    let mut checked = Vec::new();
    for p in [
        d.join("pd.db"),
        d.join(".config"),
        d.join("rejects.csv"),
        d.join("consents.csv"),
        d.join("c.jsonl"),
        d.join("r.txt"),
        d.join("r.html"),
        d.join("pack"),
        d.join("pack.zip"),
        d.join("backups"),
    ] {
        checked.extend(modes(&p));
    }
    let open: Vec<_> = checked
        .iter()
        .filter(|(p, m)| *m != if p.is_dir() { 0o700 } else { 0o600 })
        .map(|(p, m)| format!("{} {m:04o}", p.strip_prefix(d).unwrap().display()))
        .collect();
    assert!(open.is_empty(), "not owner-only: {open:?}");
    // The walk saw what it had to: the key, both CSVs, the package's files.
    let names: Vec<String> = checked
        .iter()
        .map(|(p, _)| p.strip_prefix(d).unwrap().display().to_string())
        .collect();
    for n in [
        "rejects.csv",
        "consents.csv",
        "pack/consents.csv",
        "pack/manifest.json",
        "backups/b.db",
    ] {
        assert!(names.iter().any(|x| x == n), "{n} not written: {names:?}");
    }
    assert!(
        names.iter().any(|x| x.ends_with(".key")),
        "no key file: {names:?}"
    );
}

#[test]
fn an_existing_package_directory_is_made_owner_only() {
    let env = setup();
    env.ok(&["ledger", "key", "init"]);
    let dir = env.dir().join("shared");
    std::fs::create_dir(&dir).unwrap();
    std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o755)).unwrap();
    env.ok(&["audit-pack", "shared"]);
    assert_eq!(mode(&dir), 0o700);
}

/// The ledger's tables: rows that are evidence.
const LEDGER_TABLES: &[&str] = &[
    "ledger_leaves",
    "ledger_hashes",
    "ledger_heads",
    "ledger_envelopes",
    "ledger_subjects",
    "ledger_erasures",
    "ledger_erased",
    "ledger_keys",
    "ledger_checkpoints",
    "texts",
    "text_registrations",
    "agreement_revisions",
    "requisites_revisions",
    "source_revisions",
    "change_log",
    "consent_events",
];

/// The statements allowed to change or delete ledger rows, each with its one reason:
/// (file, statement, how many times it may occur).
const ALLOWED: &[(&str, &str, usize)] = &[
    // Erasure (`subject erase`): the envelope, then its subject keys, after the erasure is
    // recorded as a leaf and each envelope named in ledger_erased (the trigger demands it).
    ("src/storage/erasure.rs", "DELETE FROM ledger_envelopes", 1),
    ("src/storage/erasure.rs", "DELETE FROM ledger_subjects", 1),
    // Migration 6 rebuilds the leaves' table once, copying every row (the migration
    // fixtures prove nothing is lost).
    (
        "src/storage/migrations/0006_erasure_checkpoints.sql",
        "DROP TABLE ledger_leaves",
        1,
    ),
    // Migration 7 rebuilds it again with each leaf's tree hashes in its row, copied from
    // `ledger_hashes`, which goes (the schema-6 fixture's upgrade proves the roots stay).
    (
        "src/storage/migrations/0007_lean_ledger.sql",
        "DROP TABLE ledger_leaves",
        1,
    ),
    (
        "src/storage/migrations/0007_lean_ledger.sql",
        "DROP TABLE ledger_hashes",
        1,
    ),
    // Migration 5 drops migration 1's `consent_events`, a hash chain no release ever wrote
    // (the schema-1 fixture has none), for the ledger.
    (
        "src/storage/migrations/0005_ledger.sql",
        "DROP TABLE consent_events",
        1,
    ),
    // The unit test that the guards refuse these statements.
    ("src/storage/mod.rs", "UPDATE agreement_revisions", 1),
    ("src/storage/mod.rs", "DELETE FROM agreement_revisions", 1),
];

fn source_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            source_files(&p, out);
        } else if p.extension().is_some_and(|x| x == "rs" || x == "sql") {
            out.push(p);
        }
    }
}

/// Every `UPDATE t`, `DELETE FROM t`, `REPLACE INTO t`, `DROP TABLE t`, `ALTER TABLE t` of
/// `text`, as the statement's first words in upper case with the table in lower case.
fn statements(text: &str) -> Vec<String> {
    let words: Vec<String> = text
        .split(|c: char| !(c.is_alphanumeric() || c == '_' || c == '{' || c == '}'))
        .filter(|w| !w.is_empty())
        .map(str::to_string)
        .collect();
    let mut out = Vec::new();
    for i in 0..words.len() {
        let up = |k: usize| words.get(i + k).map(|w| w.to_uppercase());
        let (verb, table) = match up(0).as_deref() {
            Some("UPDATE") => ("UPDATE", words.get(i + 1)),
            Some("DELETE") if up(1).as_deref() == Some("FROM") => ("DELETE FROM", words.get(i + 2)),
            Some("REPLACE") if up(1).as_deref() == Some("INTO") => {
                ("REPLACE INTO", words.get(i + 2))
            }
            Some("DROP") if up(1).as_deref() == Some("TABLE") => ("DROP TABLE", words.get(i + 2)),
            Some("ALTER") if up(1).as_deref() == Some("TABLE") => ("ALTER TABLE", words.get(i + 2)),
            _ => continue,
        };
        // A table name, or a format string's placeholder (`{table}`), not `Update {`.
        let name = |t: &str| {
            let inner = t
                .strip_prefix('{')
                .and_then(|t| t.strip_suffix('}'))
                .unwrap_or(t);
            !inner.contains(['{', '}'])
                && (t.starts_with('{')
                    || inner.starts_with(|c: char| c.is_alphabetic() || c == '_'))
        };
        if let Some(t) = table.filter(|t| name(t)) {
            out.push(format!("{verb} {}", t.to_lowercase()));
        }
    }
    out
}

#[test]
fn no_statement_changes_or_deletes_a_ledger_row_but_erasure() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files = Vec::new();
    source_files(&root.join("src"), &mut files);
    assert!(files.len() > 50, "the scan must see the sources: {files:?}");
    let mut found: Vec<(String, String)> = Vec::new();
    for f in &files {
        let rel = f.strip_prefix(root).unwrap().display().to_string();
        let text = std::fs::read_to_string(f).unwrap();
        for s in statements(&text) {
            let table = s.rsplit(' ').next().unwrap();
            // A table named by a format string could be any table: it is refused too.
            if table.contains('{') || LEDGER_TABLES.contains(&table) {
                found.push((rel.clone(), s));
            }
        }
    }
    let mut unexpected = Vec::new();
    for (file, stmt) in &found {
        let allowed = ALLOWED.iter().find(|(f, s, _)| f == file && s == stmt);
        let count = found
            .iter()
            .filter(|x| x.0 == *file && x.1 == *stmt)
            .count();
        match allowed {
            Some((_, _, n)) if count <= *n => {}
            _ => unexpected.push(format!("{file}: {stmt} (×{count})")),
        }
    }
    unexpected.dedup();
    assert!(
        unexpected.is_empty(),
        "statements that change or delete ledger rows: {unexpected:?}"
    );
    // The scan recognises what it must refuse, and erasure's statements are really there.
    assert_eq!(
        statements("x.execute(\"UPDATE ledger_leaves SET at = 1\"); delete from texts;"),
        ["UPDATE ledger_leaves", "DELETE FROM texts"]
    );
    assert_eq!(
        statements("format!(\"DELETE FROM {table} WHERE\")"),
        ["DELETE FROM {table}"]
    );
    assert!(statements("Action::Update { code }; Op::Delete from").is_empty());
    for (file, stmt, _) in ALLOWED {
        assert!(
            found.iter().any(|x| x.0 == *file && x.1 == *stmt),
            "{file}: {stmt} no longer occurs; remove it from ALLOWED"
        );
    }
}

/// Characters a terminal would act on: C0 and C1 controls but line breaks and tabs, DEL,
/// and the bidirectional controls.
fn terminal_unsafe(s: &str) -> Vec<String> {
    s.chars()
        .filter(|&c| {
            (c.is_control() && !matches!(c, '\n' | '\t'))
                || ('\u{202a}'..='\u{202e}').contains(&c)
                || ('\u{2066}'..='\u{2069}').contains(&c)
        })
        .map(|c| format!("U+{:04X}", c as u32))
        .collect()
}

/// Puts hostile values into the first envelope through a raw connection (as an older
/// version, another program or an insider might have), and puts the trigger back so
/// pdconsent still writes (the commitment no longer matches: `ledger verify` says so).
fn plant_hostile_envelope(env: &Env) {
    let conn = rusqlite::Connection::open(env.db()).unwrap();
    let trigger: String = conn
        .query_row(
            "SELECT sql FROM sqlite_master WHERE name = 'ledger_envelopes_no_update'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    conn.execute_batch(&format!(
        "DROP TRIGGER ledger_envelopes_no_update;
         UPDATE ledger_envelopes SET
           fields = json_object('name', 'Ив' || char(27) || '[2J' || char(8238) || 'ан' || char(155) || '31m'),
           user_agent = 'UA' || char(27) || ']0;owned' || char(7),
           url = 'https://example.ru/' || char(8238) || 'fdp.exe'
         WHERE id = (SELECT min(id) FROM ledger_envelopes);
         {trigger};"
    ))
    .unwrap();
}

#[test]
fn hostile_values_in_the_database_reach_a_terminal_only_sanitised() {
    let env = setup();
    let vkey = env.ok(&["ledger", "key", "init"]).stdout.trim().to_string();
    env.ok(&[
        "consent",
        "record",
        "--source",
        "callback-form",
        "--field",
        "phone=+79161234567",
    ]);
    let seq = env.json(&["consent", "list"])[0]["seq"].to_string();
    env.ok(&["ledger", "checkpoint"]);
    plant_hostile_envelope(&env);
    let receipt = env.dir().join("r.txt");
    for args in [
        vec!["consent", "list"],
        vec!["consent", "list", "--format", "json"],
        vec!["consent", "show", &seq],
        vec!["consent", "show", &seq, "--format", "json"],
        vec!["consent", "receipt", &seq],
        vec!["consent", "receipt", &seq, "--format", "json"],
        vec!["consent", "export", "--format", "jsonl"],
        vec!["subject", "due"],
        vec!["ledger", "verify"],
    ] {
        let r = env.run(&args);
        assert!(r.code == 0 || r.code == 1, "{args:?}: {}", r.pinned());
        assert_eq!(
            terminal_unsafe(&r.stdout),
            Vec::<String>::new(),
            "{args:?} stdout: {}",
            r.stdout
        );
        assert_eq!(
            terminal_unsafe(&r.stderr),
            Vec::<String>::new(),
            "{args:?} stderr: {}",
            r.stderr
        );
    }
    // The JSON still carries the value itself, escaped.
    let v = env.json(&["consent", "show", &seq]);
    assert!(v.to_string().contains('\u{202e}'), "the value is kept: {v}");
    // A receipt someone hands in, with the hostile values, checked offline.
    let r = env.ok(&["consent", "receipt", &seq, "-o", receipt.to_str().unwrap()]);
    assert!(terminal_unsafe(&r.stderr).is_empty(), "{}", r.stderr);
    let r = env.run(&[
        "receipt",
        "verify",
        receipt.to_str().unwrap(),
        "--vkey",
        &vkey,
    ]);
    assert_eq!(r.code, 1, "the commitment no longer holds: {}", r.pinned());
    assert!(terminal_unsafe(&r.stdout).is_empty(), "{}", r.stdout);
    assert!(terminal_unsafe(&r.stderr).is_empty(), "{}", r.stderr);
}

#[test]
fn batch_result_lines_escape_what_they_echo() {
    let env = setup();
    let line = "{\"source\":\"callback-form\",\"fields\":{\"phone\":\"+79161234567\",\"ph\u{202e}one\u{9b}\":\"x\"}}\n";
    let input = write(&env, "b.jsonl", line);
    let r = env.run(&["consent", "record", "--batch", &input]);
    assert!(r.stdout.starts_with("{\"line\":1,"), "{}", r.pinned());
    assert!(
        r.stdout.contains("\"error\":{\"field\":\"fields\""),
        "{}",
        r.pinned()
    );
    assert!(terminal_unsafe(&r.stdout).is_empty(), "{}", r.stdout);
    assert!(terminal_unsafe(&r.stderr).is_empty(), "{}", r.stderr);
}
