//! Signed checkpoints: `ledger key init`, `ledger checkpoint`, checkpoints signed by
//! `consent record`, `ledger consistency`, and `ledger verify --checkpoint` catching a
//! rolled-back or rewritten ledger that a tree alone cannot.

use base64::Engine as _;
use pdconsent::domain::ledger::checkpoint::{Checkpoint, ConsistencyProof};
use pdconsent::domain::ledger::note::Verifier;
use pdconsent::domain::ledger::verify_consistency;

use crate::common::{Env, example_file, write};

const APPLIED: &str = "2026-11-01T10:00:00Z";

fn setup() -> Env {
    let env = Env::new();
    env.ok_at(APPLIED, &["apply", example_file().to_str().unwrap()]);
    env
}

fn record(env: &Env, email: &str) {
    env.ok(&[
        "consent",
        "record",
        "--source",
        "contact-form",
        "--field",
        "name=Иван",
        "--field",
        &format!("email={email}"),
        "--agreement",
        "personal-data",
    ]);
}

fn key_init(env: &Env) -> String {
    let r = env.ok(&["ledger", "key", "init"]);
    r.stdout.trim().to_string()
}

#[test]
fn key_init_writes_a_private_key_file_0600_and_stores_only_the_verifier() {
    let env = setup();
    let vkey = key_init(&env);
    let v = Verifier::parse(&vkey).expect("a signed-note verifier key");
    assert_eq!(v.name(), "severny-veter.ru/consents");
    let file = env.dir().join(".config/pdconsent/pd.db.key");
    let text = std::fs::read_to_string(&file).unwrap();
    assert!(
        text.starts_with("PRIVATE+KEY+severny-veter.ru/consents+"),
        "{text}"
    );
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        let mode = std::fs::metadata(&file).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
    }
    // The database holds the verifier key, never the private key.
    let dump = env.dump();
    assert!(dump.contains(&vkey));
    assert!(!dump.contains("PRIVATE+KEY"));
    // A second init is refused and changes nothing.
    let r = env.fails(&["ledger", "key", "init"]);
    assert!(
        r.stderr.contains("has a signing key already"),
        "{}",
        r.stderr
    );
    assert!(r.stderr.contains("--rotate"), "{}", r.stderr);
    // Rotation into the same file is refused: a key is never overwritten.
    let r = env.fails(&["ledger", "key", "init", "--rotate"]);
    assert!(r.stderr.contains("never overwrites a key"), "{}", r.stderr);
}

#[test]
fn checkpoint_without_a_key_is_an_error_with_a_hint() {
    let env = setup();
    let r = env.fails(&["ledger", "checkpoint"]);
    assert_eq!(
        r.stderr,
        "error: the ledger has no signing key\nhint: make one: `pdconsent ledger key init`\n"
    );
}

#[test]
fn record_signs_a_checkpoint_and_ledger_checkpoint_prints_it() {
    let env = setup();
    let vkey = Verifier::parse(&key_init(&env)).unwrap();
    record(&env, "a@example.ru");
    let head = env.json(&["ledger", "head"]);
    let note = env.ok(&["ledger", "checkpoint"]).stdout;
    let (cp, signed) = Checkpoint::open(&note, std::slice::from_ref(&vkey)).expect("verifies");
    assert_eq!(cp.size, head["size"].as_u64().unwrap());
    assert_eq!(
        base64::engine::general_purpose::STANDARD.encode(cp.root),
        head["root"].as_str().unwrap()
    );
    assert_eq!(signed.verified().count(), 1);
    // The one record signed it; `ledger checkpoint` of the same tree adds no second one.
    let conn = rusqlite::Connection::open(env.db()).unwrap();
    let n: i64 = conn
        .query_row("SELECT count(*) FROM ledger_checkpoints", [], |r| r.get(0))
        .unwrap();
    assert_eq!(n, 1);
    // A missing key file does not stop recording: it says so, once.
    std::fs::remove_file(env.dir().join(".config/pdconsent/pd.db.key")).unwrap();
    let r = env.ok(&[
        "consent",
        "record",
        "--source",
        "contact-form",
        "--field",
        "name=Пётр",
        "--field",
        "email=b@example.ru",
        "--agreement",
        "personal-data",
    ]);
    assert!(
        r.stderr.contains("warning: checkpoints are not signed"),
        "{}",
        r.stderr
    );
}

#[test]
fn consistency_links_an_old_checkpoint_to_todays_tree() {
    let env = setup();
    let vkey = Verifier::parse(&key_init(&env)).unwrap();
    record(&env, "a@example.ru");
    let old_note = env.ok(&["ledger", "checkpoint"]).stdout;
    let old_file = write(&env, "old.checkpoint", &old_note);
    for i in 0..5 {
        record(&env, &format!("p{i}@example.ru"));
    }
    let new_note = env.ok(&["ledger", "checkpoint"]).stdout;
    let text = env.ok(&["ledger", "consistency", &old_file]).stdout;
    let proof = ConsistencyProof::parse(&text).expect("a consistency proof");
    let (old, _) = Checkpoint::open(&old_note, std::slice::from_ref(&vkey)).unwrap();
    let (new, _) = Checkpoint::open(&new_note, std::slice::from_ref(&vkey)).unwrap();
    assert_eq!((proof.old, proof.new), (old.size, new.size));
    verify_consistency(old.size, new.size, &proof.hashes, &old.root, &new.root)
        .expect("the proof holds");
    // A forged old checkpoint is refused.
    let forged = write(
        &env,
        "forged.checkpoint",
        &old_note.replacen('\n', "x\n", 1),
    );
    let r = env.fails(&["ledger", "consistency", &forged]);
    assert!(r.stderr.contains("forged.checkpoint"), "{}", r.stderr);
}

#[test]
fn verify_checkpoint_catches_a_rolled_back_database() {
    let env = setup();
    key_init(&env);
    record(&env, "a@example.ru");
    let copy = env.dir().join("older.db");
    std::fs::copy(env.db(), &copy).unwrap();
    record(&env, "b@example.ru");
    let newer = write(
        &env,
        "newer.checkpoint",
        &env.ok(&["ledger", "checkpoint"]).stdout,
    );
    env.ok(&["ledger", "verify", "--checkpoint", &newer]);
    // The older copy put back: consistent in itself, but not with the checkpoint.
    std::fs::copy(&copy, env.db()).unwrap();
    env.ok(&["ledger", "verify"]);
    let r = env.run(&["ledger", "verify", "--checkpoint", &newer]);
    assert_eq!(r.code, 1, "{}", r.pinned());
    assert!(
        r.stdout.contains("was truncated or rolled back"),
        "{}",
        r.stdout
    );
}

#[test]
fn verify_checkpoint_catches_a_rewritten_ledger_and_a_foreign_key() {
    let env = setup();
    let vkey = key_init(&env);
    record(&env, "a@example.ru");
    let cp = write(
        &env,
        "cp.checkpoint",
        &env.ok(&["ledger", "checkpoint"]).stdout,
    );
    // An auditor's own copy of the verifier key works.
    env.ok(&["ledger", "verify", "--checkpoint", &cp, "--vkey", &vkey]);
    // A checkpoint signed by another key does not verify.
    let other = Env::new();
    other.ok_at(APPLIED, &["apply", example_file().to_str().unwrap()]);
    let other_vkey = key_init(&other);
    let r = env.run(&[
        "ledger",
        "verify",
        "--checkpoint",
        &cp,
        "--vkey",
        &other_vkey,
    ]);
    assert_eq!(r.code, 1, "{}", r.pinned());
    assert!(r.stdout.contains("checkpoint `"), "{}", r.stdout);
    // A leaf edited and the tree rebuilt around it: the checkpoint's root no longer holds.
    let conn = rusqlite::Connection::open(env.db()).unwrap();
    conn.execute_batch(
        "DROP TRIGGER ledger_leaves_no_update;
         UPDATE ledger_leaves SET at = '2026-11-27T00:00:00Z' WHERE seq = (SELECT max(seq) FROM ledger_leaves);",
    )
    .unwrap();
    drop(conn);
    let r = env.run(&["ledger", "verify", "--checkpoint", &cp]);
    assert_eq!(r.code, 1, "{}", r.pinned());
    assert!(
        r.stdout.contains("the ledger was rewritten"),
        "{}",
        r.stdout
    );
}
