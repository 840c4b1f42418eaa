//! `subject erase` and `subject due`: destruction after withdrawal (152-FZ art. 21 §5), the
//! `erased` leaf, and the ledger still verifying afterwards.

use crate::common::{Env, example_file};

const APPLIED: &str = "2026-11-01T10:00:00Z";
const RECORDED: &str = "2026-11-20T10:00:00Z";

/// The example applied, then Ivan's submission on the contact form (personal data and
/// marketing), and Maria's (personal data only). Returns the env and Ivan's two seqs.
fn setup() -> (Env, Vec<u64>) {
    let env = Env::new();
    env.ok_at(APPLIED, &["apply", example_file().to_str().unwrap()]);
    let r = env.ok_at(
        RECORDED,
        &[
            "consent",
            "record",
            "--source",
            "contact-form",
            "--field",
            "name=Иван",
            "--field",
            "email=ivan@example.ru",
            "--agreement",
            "personal-data",
            "--agreement",
            "marketing",
            "--ip",
            "203.0.113.7",
        ],
    );
    let seqs: Vec<u64> = r.stdout.lines().map(|l| l.parse().unwrap()).collect();
    env.ok_at(
        RECORDED,
        &[
            "consent",
            "record",
            "--source",
            "contact-form",
            "--field",
            "name=Мария",
            "--field",
            "email=maria@example.ru",
            "--agreement",
            "personal-data",
        ],
    );
    (env, seqs)
}

fn withdraw_all(env: &Env, seqs: &[u64], at: &str) {
    let mut args = vec!["consent", "withdraw"];
    let s: Vec<String> = seqs.iter().map(u64::to_string).collect();
    args.extend(s.iter().map(String::as_str));
    args.extend(["--at", at, "--reason", "больше не нужно"]);
    env.ok(&args);
}

#[test]
fn data_that_backs_an_active_consent_is_not_erased() {
    let (env, seqs) = setup();
    let r = env.fails(&[
        "subject",
        "erase",
        "--subject",
        "email=ivan@example.ru",
        "--yes",
    ]);
    assert_eq!(
        r.stderr,
        format!(
            "error: the person's data still backs consent(s) {}, {} that are not withdrawn\nhint: withdraw them first: `pdconsent consent withdraw {} {}`\n",
            seqs[0], seqs[1], seqs[0], seqs[1]
        )
    );
    // Withdrawing only marketing is not enough: the personal-data consent still uses it.
    withdraw_all(&env, &seqs[1..], "2026-11-25T10:00:00Z");
    env.fails(&[
        "subject",
        "erase",
        "--subject",
        "email=ivan@example.ru",
        "--yes",
    ]);
}

#[test]
fn erasure_asks_for_yes_without_a_terminal_and_changes_nothing() {
    let (env, seqs) = setup();
    withdraw_all(&env, &seqs, "2026-11-25T10:00:00Z");
    let r = env.fails(&["subject", "erase", "--subject", "email=ivan@example.ru"]);
    assert!(r.stderr.contains("cannot be undone"), "{}", r.stderr);
    assert!(r.stderr.contains("hint: pass --yes"), "{}", r.stderr);
}

#[test]
fn erasure_deletes_the_data_logs_an_erased_leaf_and_the_ledger_still_verifies() {
    let (env, seqs) = setup();
    let (before_size, _) = head(&env);
    withdraw_all(&env, &seqs, "2026-11-25T10:00:00Z");
    let v = env.json(&[
        "subject",
        "erase",
        "--subject",
        "email=IVAN@example.ru",
        "--yes",
        "--reason",
        "отзыв согласия",
    ]);
    // The two consents, their two withdrawals (whose reasons were personal data too).
    let events: Vec<u64> = v["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e.as_u64().unwrap())
        .collect();
    assert_eq!(
        events,
        vec![seqs[0], seqs[1], before_size + 1, before_size + 2]
    );
    assert_eq!(v["envelopes"].as_array().unwrap().len(), 3);
    let erasure = v["erasure"].as_u64().unwrap();
    assert_eq!(erasure, before_size + 3);
    // The data is gone from every view.
    let show = env.json(&["consent", "show", &seqs[0].to_string()]);
    assert_eq!(show["erased"], true);
    assert!(show["subject"].is_null());
    assert_eq!(show["erased_at"], "2026-11-28T12:00:00Z");
    let text = env.ok(&["consent", "show", &seqs[0].to_string()]).stdout;
    assert!(
        text.contains("данные уничтожены / erased 2026-11-28T12:00:00Z"),
        "{text}"
    );
    let status = env.run(&[
        "consent",
        "status",
        "--source",
        "contact-form",
        "--subject",
        "email=ivan@example.ru",
    ]);
    assert_eq!((status.code, status.stdout.as_str()), (1, "none\n"));
    // Nobody else's data was touched.
    let maria = env.run(&[
        "consent",
        "status",
        "--source",
        "contact-form",
        "--subject",
        "email=maria@example.ru",
    ]);
    assert_eq!((maria.code, maria.stdout.as_str()), (0, "given\n"));
    // No row of personal data remains with the name or e-mail.
    let dump = env.dump();
    assert!(!dump.contains("ivan@example.ru"), "{dump}");
    assert!(!dump.contains("больше не нужно"), "{dump}");
    // The ledger verifies, counting the erasure and the erased envelopes.
    let r = env.ok(&["ledger", "verify"]);
    assert!(r.stderr.contains(", 1 erasures)"), "{}", r.stderr);
    assert!(r.stderr.contains(" 4 erased; "), "{}", r.stderr);
    // The export still has every leaf, without the data.
    let export = env.ok(&["consent", "export"]).stdout;
    assert!(!export.contains("ivan@example.ru"));
    assert!(export.contains("\"kind\":\"erased\""), "{export}");
}

#[test]
fn an_edited_erasure_record_is_found() {
    let (env, seqs) = setup();
    withdraw_all(&env, &seqs, "2026-11-25T10:00:00Z");
    let v = env.json(&[
        "subject",
        "erase",
        "--subject",
        "email=ivan@example.ru",
        "--yes",
    ]);
    let erasure = v["erasure"].as_u64().unwrap();
    let conn = rusqlite::Connection::open(env.db()).unwrap();
    conn.execute_batch(
        "DROP TRIGGER ledger_erasures_no_update;
         UPDATE ledger_erasures SET record = replace(record, '\"reason\":null', '\"reason\":\"x\"');",
    )
    .unwrap();
    drop(conn);
    let r = env.run(&["ledger", "verify"]);
    assert_eq!(r.code, 1, "{}", r.pinned());
    assert!(
        r.stdout.contains(&format!(
            "seq {erasure}: the erasure's record differs from the one its leaf pins"
        )),
        "{}",
        r.stdout
    );
}

#[test]
fn due_lists_what_must_be_destroyed_and_fails_once_overdue() {
    let (env, seqs) = setup();
    // Nothing withdrawn: nothing due.
    let r = env.ok(&["subject", "due", "--format", "json"]);
    assert_eq!(r.stdout.trim(), "[]");
    // Withdrawn on 25 November (Moscow): the data may exist until 25 December.
    withdraw_all(&env, &seqs, "2026-11-25T10:00:00Z");
    let early = env.run_at(
        "2026-12-10T10:00:00Z",
        &["subject", "due", "--format", "json"],
    );
    assert_eq!((early.code, early.stdout.trim()), (0, "[]"));
    let near = env.run_at(
        "2026-12-20T10:00:00Z",
        &["subject", "due", "--format", "json"],
    );
    assert_eq!(near.code, 0, "{}", near.pinned());
    let list = near.json();
    assert_eq!(list[0]["deadline"], "2026-12-25");
    assert_eq!(list[0]["days_left"], 5);
    assert_eq!(list[0]["overdue"], false);
    assert_eq!(list[0]["time_zone"], "Europe/Moscow");
    assert_eq!(list[0]["consents"], serde_json::json!([seqs[0], seqs[1]]));
    assert_eq!(list[0]["subject"], "Иван, ivan@example.ru");
    // 26 December in Moscow begins at 21:00 UTC on the 25th.
    let overdue = env.run_at("2026-12-25T21:00:00Z", &["subject", "due"]);
    assert_eq!(overdue.code, 1, "{}", overdue.pinned());
    assert!(
        overdue.stdout.contains("-1 (overdue)"),
        "{}",
        overdue.stdout
    );
    assert!(
        overdue
            .stderr
            .contains("hint: erase them: `pdconsent subject erase --due`"),
        "{}",
        overdue.stderr
    );
    let still = env.run_at("2026-12-25T20:59:59Z", &["subject", "due", "--within", "0"]);
    assert_eq!(still.code, 0, "{}", still.pinned());
    // --due erases what is due, and then nothing is.
    let v = env
        .run_at(
            "2026-12-26T10:00:00Z",
            &["subject", "erase", "--due", "--yes", "--format", "json"],
        )
        .json();
    assert!(v["erasure"].as_u64().is_some(), "{v}");
    let after = env.run_at("2026-12-26T10:00:00Z", &["subject", "due"]);
    assert_eq!(after.code, 0, "{}", after.pinned());
    let again = env.run_at(
        "2026-12-26T10:00:00Z",
        &["subject", "erase", "--due", "--yes"],
    );
    assert_eq!(again.code, 0);
    assert_eq!(again.stderr, "nothing is due for erasure\n");
    env.ok(&["ledger", "verify"]);
}

#[test]
fn pdconsent_deletes_ledger_rows_in_one_place_only() {
    // Consents are evidence: the only DELETE on the ledger's tables is erasure's.
    let mut found = Vec::new();
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut stack = vec![root];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let p = entry.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else if p.extension().is_some_and(|e| e == "rs") {
                let text = std::fs::read_to_string(&p).unwrap();
                for (i, line) in text.lines().enumerate() {
                    let upper = line.to_uppercase();
                    if upper.contains("DELETE FROM LEDGER_")
                        || upper.contains("DELETE FROM CONSENT")
                    {
                        found.push(format!(
                            "{}:{}",
                            p.strip_prefix(env!("CARGO_MANIFEST_DIR"))
                                .unwrap()
                                .display(),
                            i + 1
                        ));
                    }
                }
            }
        }
    }
    found.sort();
    assert_eq!(found.len(), 2, "{found:?}");
    assert!(
        found
            .iter()
            .all(|f| f.starts_with("src/storage/erasure.rs:")),
        "{found:?}"
    );
}

fn head(env: &Env) -> (u64, String) {
    let v = env.json(&["ledger", "head"]);
    (
        v["size"].as_u64().unwrap(),
        v["root"].as_str().unwrap().to_string(),
    )
}
