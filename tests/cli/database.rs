//! The database file: where it lives, its permissions, and files that are not
//! a database of this release, which are refused and left as they were.

use std::fs;
use std::os::unix::fs::PermissionsExt;

use crate::common::*;
use serde_json::Value;

#[test]
fn database_file_is_created_owner_only() {
    let env = Env::new();
    assert!(!env.db().exists());
    env.ok(&["requisites", "add", "main", "--set", "short_name=X"]);
    let mode = fs::metadata(env.db()).unwrap().permissions().mode();
    assert_eq!(mode & 0o777, 0o600, "mode {mode:o}");
}

#[test]
fn missing_directory_is_created_owner_only() {
    let env = Env::new();
    let nested = env.dir().join("data/pdconsent/pd.db");
    env.ok(&[
        "--db",
        nested.to_str().unwrap(),
        "requisites",
        "add",
        "main",
        "--set",
        "short_name=X",
    ]);
    let file = fs::metadata(&nested).unwrap().permissions().mode();
    assert_eq!(file & 0o777, 0o600, "mode {file:o}");
    let dir = fs::metadata(nested.parent().unwrap())
        .unwrap()
        .permissions()
        .mode();
    assert_eq!(dir & 0o777, 0o700, "directory mode {dir:o}");
}

/// A database whose schema is newer than this release knows, closed cleanly;
/// with its bytes.
fn with_newer_schema() -> (Env, Vec<u8>) {
    let env = Env::with_main();
    {
        let conn = rusqlite::Connection::open(env.db()).unwrap();
        conn.pragma_update(None, "user_version", 99).unwrap();
    }
    assert_no_wal_or_shm(&env, "closed cleanly before the test");
    let bytes = fs::read(env.db()).unwrap();
    (env, bytes)
}

#[track_caller]
fn assert_no_wal_or_shm(env: &Env, why: &str) {
    let wal = env.dir().join("pd.db-wal");
    let shm = env.dir().join("pd.db-shm");
    assert!(!wal.exists() && !shm.exists(), "{why}");
}

#[test]
fn newer_schema_is_refused_and_left_untouched() {
    let (env, bytes) = with_newer_schema();
    let r = env.run(&["info"]);
    insta::assert_snapshot!("newer_schema", redact(&env, &r.pinned()));
    assert_eq!(
        fs::read(env.db()).unwrap(),
        bytes,
        "the file must stay byte for byte"
    );
}

#[test]
fn newer_schema_refuses_a_write_before_anything_is_written() {
    let (env, bytes) = with_newer_schema();
    // The read runs first, as it always has: its read-only open leaves an
    // empty -wal and a -shm beside the file, which the write's open removes.
    let r = env.run(&["info"]);
    // A write is refused the same way, before anything is written.
    let w = env.run(&["requisites", "add", "other", "--set", "short_name=X"]);
    assert_eq!(w.code, 2);
    assert_eq!(w.stderr, r.stderr);
    assert_eq!(
        fs::read(env.db()).unwrap(),
        bytes,
        "the file must stay byte for byte"
    );
    assert_no_wal_or_shm(&env, "no -wal or -shm file left behind");
}

#[test]
fn non_sqlite_file_is_refused_and_left_untouched() {
    let env = Env::new();
    let text = "name,inn\nРомашка,7840502513\n".repeat(50);
    let path = write(&env, "notes.csv", &text);
    let r = env.run(&["--db", &path, "info"]);
    insta::assert_snapshot!("not_a_database", redact(&env, &r.pinned()));
    assert_eq!(fs::read_to_string(&path).unwrap(), text);
    assert!(!env.dir().join("notes.csv-wal").exists());
    assert!(!env.dir().join("notes.csv-shm").exists());
}

#[test]
fn sqlite_database_of_another_program_is_refused_and_left_untouched() {
    let env = Env::new();
    let path = env.dir().join("notes.sqlite");
    {
        let conn = rusqlite::Connection::open(&path).unwrap();
        conn.execute_batch(
            "CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT);
             INSERT INTO notes (body) VALUES ('позвонить в Ромашку');",
        )
        .unwrap();
    }
    let bytes = fs::read(&path).unwrap();
    let before = dump(&path);
    let r = env.run(&["--db", path.to_str().unwrap(), "info"]);
    insta::assert_snapshot!("foreign_database", redact(&env, &r.pinned()));
    assert_eq!(
        fs::read(&path).unwrap(),
        bytes,
        "the file must stay byte for byte"
    );
    assert_eq!(dump(&path), before);
    assert!(!env.dir().join("notes.sqlite-wal").exists());
}

#[test]
fn database_under_a_file_cannot_be_created() {
    let env = Env::new();
    write(&env, "notes.txt", "a file, not a directory\n");
    let r = env.run(&["--db", "notes.txt/pd.db", "info"]);
    insta::assert_snapshot!("database_cannot_be_created", r.pinned());
}

#[test]
fn database_that_is_a_directory_is_refused() {
    let env = Env::new();
    let r = env.run(&["--db", env.dir().to_str().unwrap(), "info"]);
    insta::assert_snapshot!("database_is_a_directory", redact(&env, &r.pinned()));
}

#[test]
fn default_database_lives_in_the_data_directory() {
    let env = Env::new();
    let r = env
        .command(&["requisites", "add", "main", "--set", "short_name=X"])
        .env_remove("PDCONSENT_DB")
        .output()
        .unwrap();
    assert!(r.status.success(), "{r:?}");
    let r = env
        .command(&["info", "--format", "json"])
        .env_remove("PDCONSENT_DB")
        .output()
        .unwrap();
    assert!(r.status.success(), "{r:?}");
    let v: Value = serde_json::from_slice(&r.stdout).unwrap();
    let expected = env.dir().join(".local/share/pdconsent/pdconsent.db");
    assert_eq!(v["database"], expected.display().to_string());
    let mode = fs::metadata(&expected).unwrap().permissions().mode();
    assert_eq!(mode & 0o777, 0o600, "mode {mode:o}");
    let dir = fs::metadata(expected.parent().unwrap())
        .unwrap()
        .permissions()
        .mode();
    assert_eq!(dir & 0o777, 0o700, "directory mode {dir:o}");
    assert!(!env.db().exists(), "PDCONSENT_DB was not given");
}
