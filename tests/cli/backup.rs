//! `pdconsent backup FILE`: an online copy while others write, owner-only, that verifies;
//! its refusals change nothing; a restored older copy is caught by a later checkpoint.

use std::os::unix::fs::PermissionsExt;

use crate::common::{Env, assert_has_keys, example_file, write};

const APPLIED: &str = "2026-11-01T10:00:00Z";

fn setup() -> Env {
    let env = Env::new();
    env.ok_at(APPLIED, &["apply", example_file().to_str().unwrap()]);
    env
}

fn record(env: &Env, phone: &str) {
    env.ok(&[
        "consent",
        "record",
        "--source",
        "callback-form",
        "--field",
        &format!("phone={phone}"),
    ]);
}

fn leaves(env: &Env, db: &str) -> u64 {
    let r = env.ok(&["--db", db, "ledger", "head"]);
    r.stdout.lines().nth(1).unwrap().parse().unwrap()
}

fn mode(path: &std::path::Path) -> u32 {
    std::fs::metadata(path).unwrap().permissions().mode() & 0o777
}

#[test]
fn backups_taken_while_two_batch_writers_record_are_complete_private_and_verify() {
    let env = setup();
    env.ok(&["ledger", "key", "init"]);
    let before = leaves(&env, env.db().to_str().unwrap());
    let writers: Vec<_> = (0..2)
        .map(|w| {
            let lines: String = (0..400)
                .map(|i| {
                    format!(
                        "{{\"source\":\"callback-form\",\"fields\":{{\"phone\":\"+7916{w}{i:06}\"}},\"external_id\":\"w{w}-{i}\"}}\n"
                    )
                })
                .collect();
            let input = write(&env, &format!("batch{w}.jsonl"), &lines);
            env.std_command(&["consent", "record", "--batch", &input, "--group-lines", "20"])
                .stdout(std::process::Stdio::null())
                .stderr(std::process::Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    let mut sizes = Vec::new();
    for n in 0..4 {
        let copy = env.dir().join(format!("backups/copy{n}.db"));
        let copy = copy.to_str().unwrap();
        env.ok(&["backup", copy]);
        assert_eq!(mode(std::path::Path::new(copy)), 0o600);
        let size = leaves(&env, copy);
        env.ok(&["--db", copy, "ledger", "verify"]);
        sizes.push(size);
    }
    assert_eq!(mode(&env.dir().join("backups")), 0o700);
    for mut w in writers {
        let status = w.wait().unwrap();
        let mut err = String::new();
        std::io::Read::read_to_string(&mut w.stderr.take().unwrap(), &mut err).unwrap();
        assert!(status.success(), "{err}");
        assert!(!err.contains("locked"), "{err}");
    }
    let total = leaves(&env, env.db().to_str().unwrap());
    assert_eq!(total, before + 800, "one leaf per submission");
    assert!(
        sizes.windows(2).all(|w| w[0] <= w[1]),
        "copies grow in time: {sizes:?}"
    );
    assert!(
        sizes.iter().all(|&s| s >= before && s <= total),
        "{sizes:?}"
    );
    // A checkpoint of the original verifies against a copy taken after it.
    let cp = write(
        &env,
        "last.checkpoint",
        &env.ok(&["ledger", "checkpoint"]).stdout,
    );
    let last = env.dir().join("backups/last.db");
    let last = last.to_str().unwrap();
    let v = env.json(&["backup", last]);
    assert_has_keys(
        &v,
        &[
            "database",
            "file",
            "bytes",
            "schema_version",
            "consent_events",
            "ledger",
        ],
    );
    assert_eq!(v["ledger"]["size"], total);
    assert_eq!(v["consent_events"], 800);
    env.ok(&["--db", last, "ledger", "verify", "--checkpoint", &cp]);
}

#[test]
fn a_restored_copy_older_than_the_last_checkpoint_is_caught() {
    let env = setup();
    env.ok(&["ledger", "key", "init"]);
    record(&env, "+79161234567");
    let copy = env.dir().join("monday.db");
    let copy = copy.to_str().unwrap();
    env.ok(&["backup", copy]);
    record(&env, "+79161234568");
    let cp = write(
        &env,
        "tuesday.checkpoint",
        &env.ok(&["ledger", "checkpoint"]).stdout,
    );
    // The restore procedure of docs/reliability.md: the copy put in place, then checked.
    std::fs::copy(copy, env.db()).unwrap();
    env.ok(&["ledger", "verify"]);
    let r = env.run(&["ledger", "verify", "--checkpoint", &cp]);
    assert_eq!(r.code, 1, "{}", r.pinned());
    assert!(
        r.stdout.contains("was truncated or rolled back"),
        "{}",
        r.stdout
    );
}

#[test]
fn backup_refuses_the_database_itself_a_file_in_the_way_a_directory_and_a_stale_log() {
    let env = setup();
    record(&env, "+79161234567");
    let db = env.db();
    let r = env.fails(&["backup", db.to_str().unwrap()]);
    assert!(r.stderr.contains("is the database itself"), "{}", r.stderr);
    // Not even with --force.
    let r = env.fails(&["backup", db.to_str().unwrap(), "--force"]);
    assert!(r.stderr.contains("is the database itself"), "{}", r.stderr);

    let taken = write(&env, "taken.db", "keep me");
    let r = env.fails(&["backup", &taken]);
    assert!(r.stderr.contains("exists"), "{}", r.stderr);
    assert!(r.stderr.contains("--force"), "{}", r.stderr);
    assert_eq!(std::fs::read_to_string(&taken).unwrap(), "keep me");
    env.ok(&["backup", &taken, "--force"]);
    env.ok(&["--db", &taken, "ledger", "verify"]);
    assert_eq!(mode(std::path::Path::new(&taken)), 0o600);

    let r = env.fails(&["backup", env.dir().to_str().unwrap()]);
    assert!(r.stderr.contains("is a directory"), "{}", r.stderr);

    let stale = env.dir().join("stale.db");
    write(&env, "stale.db-wal", "");
    let r = env.fails(&["backup", stale.to_str().unwrap()]);
    assert!(r.stderr.contains("stale.db-wal` exists"), "{}", r.stderr);
    assert!(!stale.exists());
    // No temporary file is left behind by any refusal.
    let leftovers: Vec<_> = std::fs::read_dir(env.dir())
        .unwrap()
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with(".pdconsent-"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}

#[test]
fn backup_of_a_missing_database_creates_nothing() {
    let env = Env::new();
    let copy = env.dir().join("copy.db");
    let r = env.run(&["backup", copy.to_str().unwrap()]);
    assert_eq!(r.code, 2, "{}", r.pinned());
    assert!(
        r.stderr.starts_with("error: no database at "),
        "{}",
        r.stderr
    );
    assert!(!copy.exists());
    assert!(!env.db().exists());
}
