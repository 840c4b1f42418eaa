//! `ledger verify` against a database changed behind pdconsent's back: each case tampers
//! through a raw SQLite connection (dropping the protective trigger first, as an attacker
//! must) and `ledger verify` must exit 1, name the seq where there is one, and report the
//! missing trigger too. With `--expect-head` a truncated or rebuilt ledger, whose hashes
//! were made consistent again and whose triggers were put back, is caught as well. Last,
//! many writers at once: no lock errors, nothing lost, the ledger clean.

use std::process::{Command, Stdio};

use rusqlite::Connection;
use serde_json::Value;

use crate::common::{Env, Run, example_file};

const APPLIED: &str = "2026-11-01T10:00:00Z";

/// The example applied on 1 November, then six submissions (with ip, url and user agent)
/// and two withdrawals, one with a reason. Returns the env and the event seqs in order.
fn setup() -> (Env, Vec<u64>) {
    let env = Env::new();
    env.ok_at(APPLIED, &["apply", example_file().to_str().unwrap()]);
    let mut seqs = Vec::new();
    for i in 0..6 {
        let email = format!("person{i}@example.ru");
        let at = format!("2026-11-28T1{}:00:00Z", i % 2);
        let mut args = vec![
            "consent",
            "record",
            "--source",
            "contact-form",
            "--field",
            "name=Иван",
            "--agreement",
            "personal-data",
            "--ip",
            "203.0.113.7",
            "--url",
            "https://severny-veter.ru/contacts",
            "--user-agent",
            "Mozilla/5.0",
            "--at",
            &at,
        ];
        let field = format!("email={email}");
        args.extend(["--field", &field]);
        if i % 2 == 0 {
            args.extend(["--agreement", "marketing"]);
        }
        seqs.extend(seqs_of(&env.ok(&args)));
    }
    let c = env.ok(&[
        "consent",
        "record",
        "--source",
        "callback-form",
        "--field",
        "phone=+79161234567",
        "--external-id",
        "cb-1",
    ]);
    seqs.extend(seqs_of(&c));
    for (s, reason) in [(seqs[0], Some("больше не нужно")), (seqs[2], None)] {
        let seq = s.to_string();
        let mut args = vec!["consent", "withdraw", seq.as_str()];
        if let Some(r) = reason {
            args.extend(["--reason", r]);
        }
        let w = env.ok(&args);
        seqs.push(w.stdout.split('\t').next().unwrap().parse().unwrap());
    }
    (env, seqs)
}

fn seqs_of(r: &Run) -> Vec<u64> {
    r.stdout.lines().map(|l| l.parse().unwrap()).collect()
}

/// Runs SQL on the database directly.
fn tamper(env: &Env, sql: &str) {
    let conn = Connection::open(env.db()).expect("open the database");
    conn.execute_batch(sql)
        .unwrap_or_else(|e| panic!("{sql}: {e}"));
}

fn query_i64(env: &Env, sql: &str) -> i64 {
    let conn = Connection::open(env.db()).unwrap();
    conn.query_row(sql, [], |r| r.get(0))
        .unwrap_or_else(|e| panic!("{sql}: {e}"))
}

/// The SQL of a trigger, to put it back after tampering.
fn trigger_sql(env: &Env, name: &str) -> String {
    let conn = Connection::open(env.db()).unwrap();
    conn.query_row(
        "SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name = ?1",
        [name],
        |r| r.get(0),
    )
    .unwrap()
}

/// `ledger verify`, which must find problems: exit 1, every problem on stdout.
#[track_caller]
fn verify_fails(env: &Env, extra: &[&str]) -> Run {
    let mut args = vec!["ledger", "verify"];
    args.extend(extra);
    let r = env.run(&args);
    assert_eq!(
        r.code,
        1,
        "verify did not find the tampering:\n{}",
        r.pinned()
    );
    assert!(r.stderr.contains(" problem(s): "), "{}", r.stderr);
    r
}

#[track_caller]
fn assert_line(r: &Run, line: &str) {
    assert!(
        r.stdout.lines().any(|l| l.starts_with(line)),
        "no line starting with {line:?}:\n{}",
        r.pinned()
    );
}

#[track_caller]
fn assert_trigger_reported(r: &Run, name: &str) {
    assert_line(
        r,
        &format!(
            "the protective trigger `{name}` is missing or altered: the database was changed outside pdconsent"
        ),
    );
}

const LEAF_EDITED: &str = "the leaf differs from the one the tree holds";

fn head(env: &Env) -> (u64, String) {
    let r = env.ok(&["ledger", "head"]);
    let l: Vec<&str> = r.stdout.lines().collect();
    (l[1].parse().unwrap(), l[2].to_string())
}

// ---------------------------------------------------------------- clean

#[test]
fn a_clean_ledger_after_many_records_and_withdrawals_verifies() {
    let (env, seqs) = setup();
    let (size, root) = head(&env);
    let r = env.ok(&["ledger", "verify"]);
    assert_eq!(r.stdout, "");
    assert!(
        r.stderr.starts_with(&format!(
            "ok: {size} leaves ({} consent events, ",
            seqs.len()
        )),
        "{}",
        r.stderr
    );
    assert!(
        r.stderr.ends_with(&format!("; root {root}\n")),
        "{}",
        r.stderr
    );
    let v = env.json(&["ledger", "verify"]);
    assert_eq!(v["ok"], true);
    assert_eq!(v["events"], seqs.len() as u64);
}

#[test]
fn an_envelope_deleted_outside_pdconsent_is_refused_and_else_found() {
    // Only `subject erase` deletes an envelope: it records the erasure first.
    let (env, seqs) = setup();
    let s = seqs[0]; // withdrawn
    let delete = format!(
        "DELETE FROM ledger_envelopes WHERE id = (SELECT envelope FROM ledger_leaves WHERE seq = {s});
         DELETE FROM ledger_subjects WHERE envelope = (SELECT envelope FROM ledger_leaves WHERE seq = {s});"
    );
    let conn = Connection::open(env.db()).unwrap();
    let err = conn.execute_batch(&delete).unwrap_err().to_string();
    assert!(err.contains("only by `pdconsent subject erase`"), "{err}");
    drop(conn);
    // With the guard dropped and put back, the deletion is still found: no erasure names it.
    let guard = trigger_sql(&env, "ledger_envelopes_erased_only");
    tamper(
        &env,
        &format!("DROP TRIGGER ledger_envelopes_erased_only; {delete} {guard};"),
    );
    let r = verify_fails(&env, &[]);
    assert_line(&r, &format!("seq {s}: envelope "));
    assert!(r.stdout.contains("no erasure records it"), "{}", r.stdout);
}

// ---------------------------------------------------------------- leaves

fn edit_leaf(column: &str, value: &str) {
    let (env, seqs) = setup();
    // A personal-data consent with no external id, not ticked by default, at 11:00.
    let s = seqs[2];
    tamper(
        &env,
        &format!(
            "DROP TRIGGER ledger_leaves_no_update; UPDATE ledger_leaves SET {column} = {value} WHERE seq = {s};"
        ),
    );
    let r = verify_fails(&env, &[]);
    assert_line(&r, &format!("seq {s}: {LEAF_EDITED}"));
    assert_trigger_reported(&r, "ledger_leaves_no_update");
}

#[test]
fn verify_json_lists_the_problems_with_their_seqs() {
    let (env, seqs) = setup();
    let s = seqs[2];
    tamper(
        &env,
        &format!(
            "DROP TRIGGER ledger_leaves_no_update; UPDATE ledger_leaves SET at = '2026-11-27T09:00:00Z' WHERE seq = {s};"
        ),
    );
    let r = env.run(&["ledger", "verify", "--format", "json"]);
    assert_eq!(r.code, 1, "{}", r.pinned());
    let v = r.json();
    assert_eq!(v["ok"], false);
    let problems = v["problems"].as_array().unwrap();
    assert!(
        problems
            .iter()
            .any(|p| p["seq"] == s && p["message"].as_str().unwrap().starts_with(LEAF_EDITED)),
        "{v:#}"
    );
    assert!(
        problems.iter().any(|p| p["seq"].is_null()
            && p["message"]
                .as_str()
                .unwrap()
                .contains("ledger_leaves_no_update")),
        "{v:#}"
    );
}

#[test]
fn an_edited_leaf_time_is_found() {
    edit_leaf("at", "'2026-11-27T09:00:00Z'");
}

#[test]
fn an_edited_leaf_agreement_is_found() {
    edit_leaf("agreement", "'marketing'");
}

#[test]
fn an_edited_leaf_external_id_is_found() {
    edit_leaf("external_id", "'forged-1'");
}

#[test]
fn an_edited_leaf_checkbox_is_found() {
    edit_leaf("checked_by_default", "1");
}

#[test]
fn an_edited_leaf_commitment_is_found() {
    let (env, seqs) = setup();
    let s = seqs[3];
    tamper(
        &env,
        &format!(
            "DROP TRIGGER ledger_leaves_no_update; UPDATE ledger_leaves SET commitment = '{}' WHERE seq = {s};",
            "ab".repeat(32)
        ),
    );
    let r = verify_fails(&env, &[]);
    assert_line(&r, &format!("seq {s}: {LEAF_EDITED}"));
    assert_line(&r, &format!("seq {s}: envelope "));
    assert_trigger_reported(&r, "ledger_leaves_no_update");
}

#[test]
fn a_leaf_edited_to_give_a_withdrawn_consent_again_is_found() {
    let (env, seqs) = setup();
    let w = *seqs.last().unwrap();
    tamper(
        &env,
        &format!(
            "DROP TRIGGER ledger_leaves_no_update; UPDATE ledger_leaves SET withdraws = {} WHERE seq = {w};",
            seqs[1]
        ),
    );
    let r = verify_fails(&env, &[]);
    assert_line(&r, &format!("seq {w}: {LEAF_EDITED}"));
}

// ---------------------------------------------------------------- envelopes and salts

#[test]
fn an_edited_name_in_an_envelope_is_found() {
    let (env, seqs) = setup();
    let s = seqs[3];
    tamper(
        &env,
        &format!(
            "DROP TRIGGER ledger_envelopes_no_update;
             UPDATE ledger_envelopes SET fields = json_set(fields, '$.\"имя\"', 'Пётр')
             WHERE id = (SELECT envelope FROM ledger_leaves WHERE seq = {s});"
        ),
    );
    let r = verify_fails(&env, &[]);
    assert_line(&r, &format!("seq {s}: envelope "));
    assert!(
        r.stdout.contains("does not match the leaf's commitment"),
        "{}",
        r.stdout
    );
    assert_trigger_reported(&r, "ledger_envelopes_no_update");
}

#[test]
fn an_edited_ip_in_an_envelope_is_found() {
    let (env, seqs) = setup();
    let s = seqs[3];
    tamper(
        &env,
        &format!(
            "DROP TRIGGER ledger_envelopes_no_update;
             UPDATE ledger_envelopes SET ip = '198.51.100.99'
             WHERE id = (SELECT envelope FROM ledger_leaves WHERE seq = {s});"
        ),
    );
    let r = verify_fails(&env, &[]);
    assert_line(&r, &format!("seq {s}: envelope "));
}

#[test]
fn an_edited_withdrawal_reason_is_found() {
    let (env, seqs) = setup();
    let w = seqs[seqs.len() - 2];
    tamper(
        &env,
        &format!(
            "DROP TRIGGER ledger_envelopes_no_update;
             UPDATE ledger_envelopes SET reason = 'по требованию оператора'
             WHERE id = (SELECT envelope FROM ledger_leaves WHERE seq = {w});"
        ),
    );
    let r = verify_fails(&env, &[]);
    assert_line(&r, &format!("seq {w}: envelope "));
}

#[test]
fn an_edited_salt_is_found() {
    let (env, seqs) = setup();
    let s = seqs[3];
    tamper(
        &env,
        &format!(
            "DROP TRIGGER ledger_envelopes_no_update;
             UPDATE ledger_envelopes SET salt = '{}'
             WHERE id = (SELECT envelope FROM ledger_leaves WHERE seq = {s});",
            "0".repeat(64)
        ),
    );
    let r = verify_fails(&env, &[]);
    assert_line(&r, &format!("seq {s}: envelope "));
    assert_trigger_reported(&r, "ledger_envelopes_no_update");
}

#[test]
fn an_envelope_swapped_for_another_persons_is_found() {
    let (env, seqs) = setup();
    let s = seqs[3];
    let other = seqs[5];
    tamper(
        &env,
        &format!(
            "DROP TRIGGER ledger_leaves_no_update;
             UPDATE ledger_leaves SET envelope = (SELECT envelope FROM ledger_leaves WHERE seq = {other}) WHERE seq = {s};"
        ),
    );
    let r = verify_fails(&env, &[]);
    assert_line(&r, &format!("seq {s}: envelope "));
    assert_trigger_reported(&r, "ledger_leaves_no_update");
}

#[test]
fn an_envelope_replaced_by_delete_and_insert_is_found_without_dropping_a_trigger() {
    // Envelopes may be deleted once an erasure names them: a forged entry in the erased
    // list lets a delete and a new insert through without dropping a trigger.
    let (env, seqs) = setup();
    let s = seqs[3];
    tamper(
        &env,
        &format!(
            "CREATE TEMP TABLE e AS SELECT * FROM ledger_envelopes WHERE id = (SELECT envelope FROM ledger_leaves WHERE seq = {s});
             INSERT INTO ledger_erased (envelope, erasure) SELECT id, 999 FROM e;
             DELETE FROM ledger_envelopes WHERE id IN (SELECT id FROM e);
             INSERT INTO ledger_envelopes SELECT id, salt, json_set(fields, '$.\"имя\"', 'Пётр'), ip, url, user_agent, reason FROM e;"
        ),
    );
    let r = verify_fails(&env, &[]);
    assert_line(&r, &format!("seq {s}: envelope "));
    assert_line(&r, "seq 999: an erasure record that no `erased` leaf pins");
    assert!(!r.stdout.contains("protective trigger"), "{}", r.stdout);
}

#[test]
fn deleted_subject_keys_of_a_present_envelope_are_found() {
    // Without its keys `consent status` answers `none` and `withdraw --subject` finds
    // nothing for a person whose consent and data are still there.
    let (env, _) = setup();
    let before = env.run(&[
        "consent",
        "status",
        "--source",
        "callback-form",
        "--subject",
        "phone=+79161234567",
    ]);
    assert_eq!(before.stdout, "given\n");
    tamper(
        &env,
        "DROP TRIGGER ledger_subjects_no_delete;
         DELETE FROM ledger_subjects WHERE envelope = (SELECT envelope FROM ledger_leaves WHERE external_id = 'cb-1');",
    );
    let after = env.run(&[
        "consent",
        "status",
        "--source",
        "callback-form",
        "--subject",
        "phone=+79161234567",
    ]);
    assert_eq!(after.stdout, "none\n", "the keys were not used");
    let r = verify_fails(&env, &[]);
    assert!(
        r.stdout.contains("do not match its fields"),
        "{}",
        r.pinned()
    );
    assert_trigger_reported(&r, "ledger_subjects_no_delete");
}

// ---------------------------------------------------------------- unreadable rows

#[test]
fn a_leaf_number_out_of_range_is_a_problem_of_its_seq_not_a_failure_of_verify() {
    // A revision of -1 fits the STRICT INTEGER column but not the leaf: verify must
    // report it with the seq (exit 1) and go on, not stop with a database error (exit 2).
    let (env, seqs) = setup();
    let s = seqs[2];
    tamper(
        &env,
        &format!(
            "DROP TRIGGER ledger_leaves_no_update; UPDATE ledger_leaves SET revision = -1 WHERE seq = {s};"
        ),
    );
    let r = verify_fails(&env, &[]);
    assert_line(&r, &format!("seq {s}: "));
    assert_trigger_reported(&r, "ledger_leaves_no_update");
}

#[test]
fn a_leaf_string_not_in_nfc_is_a_problem_of_its_seq() {
    let (env, seqs) = setup();
    let s = seqs[2];
    tamper(
        &env,
        &format!(
            "DROP TRIGGER ledger_leaves_no_update; UPDATE ledger_leaves SET external_id = 'е' || char(776) WHERE seq = {s};"
        ),
    );
    let r = verify_fails(&env, &[]);
    assert_line(
        &r,
        &format!("seq {s}: the leaf has no canonical form: `$.external_id` is not in Unicode NFC"),
    );
}

#[test]
fn a_malformed_salt_is_a_problem_of_its_seq() {
    let (env, seqs) = setup();
    let s = seqs[3];
    tamper(
        &env,
        &format!(
            "DROP TRIGGER ledger_envelopes_no_update;
             UPDATE ledger_envelopes SET salt = substr('zz' || salt, 1, 64)
             WHERE id = (SELECT envelope FROM ledger_leaves WHERE seq = {s});"
        ),
    );
    let r = verify_fails(&env, &[]);
    assert_line(&r, &format!("seq {s}: envelope "));
    assert!(
        r.stdout
            .contains("cannot be read (its salt or fields are malformed)"),
        "{}",
        r.stdout
    );
}

#[test]
fn an_unparsable_envelope_is_reported_as_the_envelope_and_the_tree_stays_intact() {
    // Only the envelope is damaged: the leaf and the tree are not, so verify must not
    // claim the leaf was edited or the tree rewritten, and its root must be the head's.
    let (env, seqs) = setup();
    let (_, root) = head(&env);
    let s = seqs[3];
    tamper(
        &env,
        &format!(
            "DROP TRIGGER ledger_envelopes_no_update;
             UPDATE ledger_envelopes SET fields = '[1]'
             WHERE id = (SELECT envelope FROM ledger_leaves WHERE seq = {s});"
        ),
    );
    let r = verify_fails(&env, &[]);
    assert_line(&r, &format!("seq {s}: "));
    assert!(r.stdout.contains("envelope"), "{}", r.stdout);
    assert!(
        !r.stdout.contains(LEAF_EDITED),
        "a false claim that a leaf was edited:\n{}",
        r.stdout
    );
    assert!(
        !r.stdout.contains("the tree was rewritten"),
        "a false claim that the tree was rewritten:\n{}",
        r.stdout
    );
    assert!(
        r.stderr.ends_with(&format!("; root {root}\n")),
        "the root is not the intact tree's: {}",
        r.stderr
    );
}

// ---------------------------------------------------------------- deleted, inserted, swapped

#[test]
fn a_deleted_last_event_is_found() {
    let (env, _) = setup();
    let (size, _) = head(&env);
    tamper(
        &env,
        &format!(
            "DROP TRIGGER ledger_leaves_no_delete; DELETE FROM ledger_leaves WHERE seq = {size};"
        ),
    );
    let r = verify_fails(&env, &[]);
    assert_trigger_reported(&r, "ledger_leaves_no_delete");
    assert!(
        r.stdout.contains("the newest events were deleted"),
        "{}",
        r.stdout
    );
}

#[test]
fn a_deleted_last_event_is_named_by_its_seq() {
    // The stored hashes still hold leaf `size`: verify knows which event is gone.
    let (env, _) = setup();
    let (size, _) = head(&env);
    tamper(
        &env,
        &format!(
            "DROP TRIGGER ledger_leaves_no_delete; DELETE FROM ledger_leaves WHERE seq = {size};"
        ),
    );
    let r = verify_fails(&env, &[]);
    assert!(
        r.stdout
            .lines()
            .any(|l| l.starts_with(&format!("seq {size}: "))),
        "the deleted last event {size} is not named:\n{}",
        r.stdout
    );
}

#[test]
fn a_rewritten_recorded_head_is_found() {
    // Every write records the tree's size and root; a head that no longer matches the
    // leaves says the ledger was rewritten at that size.
    let (env, seqs) = setup();
    let s = query_i64(
        &env,
        &format!(
            "SELECT min(size) FROM ledger_heads WHERE size >= {}",
            seqs[1]
        ),
    );
    tamper(
        &env,
        &format!(
            "DROP TRIGGER ledger_heads_no_update; UPDATE ledger_heads SET root = zeroblob(32) WHERE size = {s};"
        ),
    );
    let r = verify_fails(&env, &[]);
    assert_line(
        &r,
        &format!(
            "the tree's recorded head at size {s} has another root than its first {s} leaves give: the ledger was rewritten"
        ),
    );
    assert_trigger_reported(&r, "ledger_heads_no_update");
}

#[test]
fn a_deleted_middle_event_is_found() {
    let (env, seqs) = setup();
    let s = seqs[3];
    tamper(
        &env,
        &format!(
            "DROP TRIGGER ledger_leaves_no_delete; DELETE FROM ledger_leaves WHERE seq = {s};"
        ),
    );
    let r = verify_fails(&env, &[]);
    assert_line(&r, &format!("seq {s}: leaves {s} to {s} are missing"));
    assert_trigger_reported(&r, "ledger_leaves_no_delete");
    // The ledger still ends where its newest head says: nothing at the end is gone.
    assert!(
        !r.stdout.contains("the newest events were deleted"),
        "{}",
        r.stdout
    );
}

#[test]
fn an_inserted_forged_event_is_found() {
    let (env, seqs) = setup();
    let (size, _) = head(&env);
    let model = seqs[1];
    // A plausible copy of a real consent, appended: the sequence trigger lets it in.
    tamper(
        &env,
        &format!(
            "INSERT INTO ledger_leaves
             SELECT {n}, '01a228a6-0000-7000-8000-000000000001', kind, '2026-11-28T11:30:00Z', recorded_at,
                    agreement, revision, requisites, requisites_revision, source, source_revision,
                    text_sha256, checked_by_default, required, channel, NULL, withdraws, commitment,
                    data_sha256, envelope, hashes
             FROM ledger_leaves WHERE seq = {model};",
            n = size + 1
        ),
    );
    let r = verify_fails(&env, &[]);
    // The forger copied the model's stored hashes: they are not the new leaf's.
    assert_line(&r, &format!("seq {}: {LEAF_EDITED}", size + 1));
}

#[test]
fn two_swapped_events_are_found() {
    let (env, seqs) = setup();
    let (a, b) = (seqs[1], seqs[3]);
    let cols = "id, kind, at, recorded_at, agreement, revision, requisites, requisites_revision, source, source_revision, text_sha256, checked_by_default, required, channel, external_id, withdraws, commitment, data_sha256, envelope";
    let set = cols
        .split(", ")
        .map(|c| {
            format!("{c} = (SELECT {c} FROM swap WHERE swap.seq = {a} + {b} - ledger_leaves.seq)")
        })
        .collect::<Vec<_>>()
        .join(", ");
    tamper(
        &env,
        &format!(
            "DROP TRIGGER ledger_leaves_no_update;
             CREATE TEMP TABLE swap AS SELECT * FROM ledger_leaves WHERE seq IN ({a}, {b});
             UPDATE ledger_leaves SET {set} WHERE seq IN ({a}, {b});"
        ),
    );
    assert_eq!(
        query_i64(
            &env,
            &format!(
                "SELECT count(*) FROM ledger_leaves WHERE seq = {a} AND at = '2026-11-28T11:00:00Z'"
            )
        ),
        1,
        "the swap did not happen"
    );
    let r = verify_fails(&env, &[]);
    assert_line(&r, &format!("seq {a}: {LEAF_EDITED}"));
    assert_line(&r, &format!("seq {b}: {LEAF_EDITED}"));
    assert_trigger_reported(&r, "ledger_leaves_no_update");
}

#[test]
fn an_edited_stored_node_hash_is_found() {
    let (env, _) = setup();
    let (size, _) = head(&env);
    // The hash of the first 8 leaves (level 3, n 0) sits at index 14.
    tamper(
        &env,
        // Leaf 8 completes it: its hashes are levels 0, 1, 2, 3.
        "DROP TRIGGER ledger_leaves_no_update;
         UPDATE ledger_leaves SET hashes = unhex(substr(hex(hashes), 1, 192) || printf('%064d', 0)) WHERE seq = 8;",
    );
    let r = verify_fails(&env, &[]);
    assert_line(
        &r,
        "seq 8: the tree's stored hash 14 differs from the one its leaves give: the tree was rewritten",
    );
    assert_trigger_reported(&r, "ledger_leaves_no_update");
    assert!(size > 8);
}

#[test]
fn an_edited_stored_leaf_hash_is_found() {
    let (env, seqs) = setup();
    let s = seqs[1];
    tamper(
        &env,
        &format!(
            "DROP TRIGGER ledger_leaves_no_update;
             UPDATE ledger_leaves SET hashes = unhex(printf('%064d', 0) || substr(hex(hashes), 65)) WHERE seq = {s};"
        ),
    );
    let r = verify_fails(&env, &[]);
    assert_line(&r, &format!("seq {s}: {LEAF_EDITED}"));
}

// ---------------------------------------------------------------- texts and configuration

#[test]
fn an_edited_text_body_is_found() {
    let (env, seqs) = setup();
    let sha: String = env.json(&["consent", "show", &seqs[1].to_string()])["text_sha256"]
        .as_str()
        .unwrap()
        .to_string();
    tamper(
        &env,
        &format!(
            "DROP TRIGGER texts_no_update; UPDATE texts SET body = replace(body, '30 (тридцати)', '90 (девяноста)') WHERE sha256 = '{sha}';"
        ),
    );
    let r = verify_fails(&env, &[]);
    assert_line(
        &r,
        &format!("the text stored under {sha} has another SHA-256: it was edited"),
    );
    assert_trigger_reported(&r, "texts_no_update");
}

#[test]
fn an_edited_agreement_revision_is_found() {
    let (env, _) = setup();
    let leaf = query_i64(
        &env,
        "SELECT seq FROM ledger_leaves WHERE kind = 'agreement_revision' AND agreement = 'personal-data' AND revision = 1",
    );
    tamper(
        &env,
        "DROP TRIGGER agreement_revisions_no_update;
         UPDATE agreement_revisions SET settings = json_set(settings, '$.term', 'бессрочно')
         WHERE revision = 1 AND agreement_id = (SELECT id FROM agreements WHERE code = 'personal-data');",
    );
    let r = verify_fails(&env, &[]);
    assert_line(
        &r,
        &format!(
            "seq {leaf}: an agreement revision differs from its leaf (or is gone): personal-data revision 1"
        ),
    );
    assert_trigger_reported(&r, "agreement_revisions_no_update");
}

#[test]
fn an_edited_source_revision_is_found() {
    let (env, _) = setup();
    let leaf = query_i64(
        &env,
        "SELECT seq FROM ledger_leaves WHERE kind = 'source_revision' AND source = 'contact-form' AND source_revision = 1",
    );
    tamper(
        &env,
        "DROP TRIGGER source_revisions_no_update;
         UPDATE source_revisions SET data = json_set(data, '$.url', 'https://evil.example/')
         WHERE revision = 1 AND source_id = (SELECT id FROM sources WHERE code = 'contact-form');",
    );
    let r = verify_fails(&env, &[]);
    assert_line(
        &r,
        &format!(
            "seq {leaf}: a source revision differs from its leaf (or is gone): contact-form revision 1"
        ),
    );
    assert_trigger_reported(&r, "source_revisions_no_update");
}

#[test]
fn an_edited_requisites_revision_is_found() {
    let (env, _) = setup();
    let leaf = query_i64(
        &env,
        "SELECT seq FROM ledger_leaves WHERE kind = 'requisites_revision' AND requisites = 'main'",
    );
    tamper(
        &env,
        "DROP TRIGGER requisites_revisions_no_update;
         UPDATE requisites_revisions SET data = json_set(data, '$.inn', '7707083893') WHERE code = 'main' AND revision = 1;",
    );
    let r = verify_fails(&env, &[]);
    assert_line(
        &r,
        &format!(
            "seq {leaf}: a requisites revision differs from its leaf (or is gone): main revision 1"
        ),
    );
}

#[test]
fn an_edited_text_registration_is_found() {
    let (env, _) = setup();
    tamper(
        &env,
        "DROP TRIGGER text_registrations_no_update;
         UPDATE text_registrations SET current_from = '2026-10-01T00:00:00Z'
         WHERE source_id = (SELECT id FROM sources WHERE code = 'callback-form');",
    );
    let r = verify_fails(&env, &[]);
    assert!(
        r.stdout.contains(
            "a text registration differs from its leaf (or is gone): personal-data on callback-form"
        ),
        "{}",
        r.stdout
    );
    assert!(
        r.stdout
            .contains("a text registration is not in the ledger"),
        "{}",
        r.stdout
    );
}

#[test]
fn a_dropped_trigger_alone_is_found() {
    let (env, _) = setup();
    tamper(&env, "DROP TRIGGER ledger_heads_no_delete;");
    let r = verify_fails(&env, &[]);
    assert_eq!(
        r.stdout,
        "the protective trigger `ledger_heads_no_delete` is missing or altered: the database was changed outside pdconsent\n"
    );
}

#[test]
fn an_altered_trigger_is_found() {
    let (env, _) = setup();
    tamper(
        &env,
        "DROP TRIGGER ledger_leaves_no_update;
         CREATE TRIGGER ledger_leaves_no_update BEFORE UPDATE ON ledger_leaves WHEN 0
         BEGIN SELECT RAISE(ABORT, 'the consent ledger is append-only'); END;",
    );
    let r = verify_fails(&env, &[]);
    assert_trigger_reported(&r, "ledger_leaves_no_update");
}

// ---------------------------------------------------------------- against a published head

/// Deletes the leaves after `keep` and their stored hashes and envelopes, and puts the
/// triggers back as they were: a consistent, shorter ledger.
fn truncate(env: &Env, keep: u64) {
    let names = [
        "ledger_leaves_no_delete",
        "ledger_heads_no_delete",
        "ledger_envelopes_erased_only",
    ];
    let restore: Vec<String> = names.iter().map(|n| trigger_sql(env, n) + ";").collect();
    tamper(
        env,
        &format!(
            "DROP TRIGGER ledger_leaves_no_delete; DROP TRIGGER ledger_heads_no_delete;
             DROP TRIGGER ledger_envelopes_erased_only;
             DELETE FROM ledger_leaves WHERE seq > {keep};
             DELETE FROM ledger_heads WHERE size > {keep};
             DELETE FROM ledger_envelopes WHERE id NOT IN (SELECT envelope FROM ledger_leaves WHERE envelope IS NOT NULL);
             DELETE FROM ledger_subjects WHERE envelope NOT IN (SELECT envelope FROM ledger_leaves WHERE envelope IS NOT NULL);
             {}",
            restore.join("\n")
        ),
    );
}

#[test]
fn a_truncated_ledger_is_caught_by_the_published_head() {
    let (env, seqs) = setup();
    let (size, root) = head(&env);
    truncate(&env, seqs[3]);
    // Without a head the shorter ledger is consistent in itself …
    let clean = env.run(&["ledger", "verify"]);
    assert_eq!(clean.code, 0, "{}", clean.pinned());
    // … the published one catches it.
    let r = verify_fails(&env, &["--expect-head", &format!("{size}:{root}")]);
    assert_eq!(
        r.stdout,
        format!(
            "the ledger has {} leaves, fewer than the {size} of the expected head: it was truncated or rolled back\n",
            seqs[3]
        )
    );
}

#[test]
fn truncated_and_rebuilt_ledgers_are_caught_by_a_signed_checkpoint() {
    let (env, seqs) = setup();
    env.ok(&["ledger", "key", "init"]);
    let cp = crate::common::write(
        &env,
        "last.checkpoint",
        &env.ok(&["ledger", "checkpoint"]).stdout,
    );
    env.ok(&["ledger", "verify", "--checkpoint", &cp]);
    // The newest events cut and the tree rebuilt; the stored checkpoint is caught by verify
    // itself, so it goes too: what is left is consistent in itself …
    truncate(&env, seqs[3]);
    let r = verify_fails(&env, &[]);
    assert!(
        r.stdout.contains("stored checkpoint 1 is of"),
        "{}",
        r.stdout
    );
    let guard = trigger_sql(&env, "ledger_checkpoints_no_delete");
    tamper(
        &env,
        &format!(
            "DROP TRIGGER ledger_checkpoints_no_delete; DELETE FROM ledger_checkpoints; {guard};"
        ),
    );
    let clean = env.run(&["ledger", "verify"]);
    assert_eq!(clean.code, 0, "{}", clean.pinned());
    // … but shorter than the tree the operator signed.
    let r = verify_fails(&env, &["--checkpoint", &cp]);
    assert!(
        r.stdout.contains("was truncated or rolled back"),
        "{}",
        r.stdout
    );
    // Grown again past the checkpoint with other events: its root no longer holds.
    for i in 0..15 {
        env.ok(&[
            "consent",
            "record",
            "--source",
            "callback-form",
            "--field",
            &format!("phone=+79165550{i:03}"),
        ]);
    }
    env.ok(&["ledger", "verify"]);
    let r = verify_fails(&env, &["--checkpoint", &cp]);
    assert!(
        r.stdout.contains("the ledger was rewritten"),
        "{}",
        r.stdout
    );
}

#[test]
fn a_ledger_rebuilt_with_recomputed_hashes_no_longer_matches_the_published_head() {
    let (env, seqs) = setup();
    let (size, root) = head(&env);
    truncate(&env, seqs[3]);
    // New, different events through pdconsent itself: every hash recomputed honestly.
    for i in 0..15 {
        env.ok(&[
            "consent",
            "record",
            "--source",
            "callback-form",
            "--field",
            &format!("phone=+79165550{i:03}"),
        ]);
    }
    let (new_size, new_root) = head(&env);
    assert!(new_size > size);
    assert_ne!(new_root, root);
    let clean = env.run(&["ledger", "verify"]);
    assert_eq!(clean.code, 0, "{}", clean.pinned());
    let r = verify_fails(&env, &["--expect-head", &format!("{size}:{root}")]);
    assert!(
        r.stdout.starts_with(&format!(
            "the first {size} leaves do not have the expected root {root}: the ledger was rewritten"
        )),
        "{}",
        r.stdout
    );
    let hex: String = base64_decode_hex(&root);
    let r = verify_fails(&env, &["--expect-head", &format!("{size}:{hex}")]);
    assert!(
        r.stdout.contains("the ledger was rewritten"),
        "{}",
        r.stdout
    );
}

fn base64_decode_hex(b64: &str) -> String {
    use base64::Engine as _;
    base64::engine::general_purpose::STANDARD
        .decode(b64)
        .unwrap()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

#[test]
fn an_earlier_head_still_matches_an_honest_ledger() {
    let (env, _) = setup();
    let (size, root) = head(&env);
    env.ok(&[
        "consent",
        "record",
        "--source",
        "callback-form",
        "--field",
        "phone=+79165550000",
    ]);
    let r = env.ok(&[
        "ledger",
        "verify",
        "--expect-head",
        &format!("{size}:{root}"),
    ]);
    assert_eq!(r.stdout, "");
    let r = env.ok(&[
        "ledger",
        "verify",
        "--expect-head",
        "0:47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=",
    ]);
    assert_eq!(r.stdout, "");
}

// ---------------------------------------------------------------- many writers at once

const WORKERS: usize = 8;
const PER_WORKER: usize = 200;
const BATCHES: usize = 2;
const PER_BATCH: usize = 300;

#[test]
fn many_writers_at_once_lose_nothing_and_leave_a_clean_ledger() {
    let env = Env::new();
    env.ok_at(APPLIED, &["apply", example_file().to_str().unwrap()]);
    let (before, _) = head(&env);
    let started = std::time::Instant::now();
    let mut threads = Vec::new();
    for w in 0..WORKERS {
        let mut cmds = Vec::new();
        for i in 0..PER_WORKER {
            let mut c = env.std_command(&[
                "consent",
                "record",
                "--source",
                "callback-form",
                "--field",
                &format!("phone=+7916{w:03}{i:04}"),
                "--external-id",
                &format!("w{w}-{i}"),
            ]);
            c.stdin(Stdio::null())
                .stdout(Stdio::piped())
                .stderr(Stdio::piped());
            cmds.push(c);
        }
        threads.push(std::thread::spawn(move || {
            cmds.into_iter()
                .map(|mut c| {
                    let o = c.output().expect("run pdconsent");
                    (
                        o.status.code(),
                        String::from_utf8(o.stdout).unwrap(),
                        String::from_utf8(o.stderr).unwrap(),
                    )
                })
                .collect::<Vec<_>>()
        }));
    }
    let mut batches = Vec::new();
    for b in 0..BATCHES {
        let lines: String = (0..PER_BATCH)
            .map(|i| {
                format!(
                    "{{\"source\":\"contact-form\",\"fields\":{{\"email\":\"b{b}-{i}@example.ru\"}},\"agreements\":[\"personal-data\"],\"external_id\":\"b{b}-{i}\"}}\n"
                )
            })
            .collect();
        let path = env.dir().join(format!("batch{b}.jsonl"));
        std::fs::write(&path, lines).unwrap();
        let mut c: Command = env.std_command(&[
            "consent",
            "record",
            "--batch",
            path.to_str().unwrap(),
            "--group-lines",
            "50",
        ]);
        c.stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        batches.push(c.spawn().expect("spawn a batch writer"));
    }
    let mut printed: Vec<u64> = Vec::new();
    for t in threads {
        for (code, out, err) in t.join().unwrap() {
            assert_eq!(code, Some(0), "a single record failed:\n{out}\n{err}");
            assert!(!err.contains("locked") && !err.contains("busy"), "{err}");
            let s: Vec<u64> = out.lines().map(|l| l.parse().unwrap()).collect();
            assert_eq!(s.len(), 1, "{out}");
            printed.extend(s);
        }
    }
    for c in batches {
        let o = c.wait_with_output().unwrap();
        let err = String::from_utf8(o.stderr).unwrap();
        assert_eq!(o.status.code(), Some(0), "a batch failed:\n{err}");
        assert!(!err.contains("locked") && !err.contains("busy"), "{err}");
        let out = String::from_utf8(o.stdout).unwrap();
        assert_eq!(out.lines().count(), PER_BATCH);
        for l in out.lines() {
            let v: Value = serde_json::from_str(l).unwrap();
            assert!(v["error"].is_null(), "{l}");
            // personal-data given, marketing refused: two events a line.
            let s: Vec<u64> = v["seq"]
                .as_array()
                .unwrap()
                .iter()
                .map(|s| s.as_u64().unwrap())
                .collect();
            assert_eq!(s.len(), 2, "{l}");
            printed.extend(s);
        }
    }
    let elapsed = started.elapsed();
    let sent = WORKERS * PER_WORKER + BATCHES * PER_BATCH * 2;
    assert_eq!(printed.len(), sent);
    let mut distinct = printed.clone();
    distinct.sort_unstable();
    distinct.dedup();
    assert_eq!(distinct.len(), sent, "a seq was printed twice");
    let events = query_i64(
        &env,
        "SELECT count(*) FROM ledger_leaves WHERE kind IN ('given', 'refused', 'withdrawn')",
    );
    assert_eq!(events as usize, sent);
    assert_eq!(
        distinct,
        ((before + 1)..=(before + sent as u64)).collect::<Vec<_>>()
    );
    let r = env.ok(&["ledger", "verify"]);
    assert_eq!(r.stdout, "");
    eprintln!(
        "{sent} events from {} processes in {elapsed:?}",
        WORKERS * PER_WORKER + BATCHES
    );
}

#[test]
fn racing_writers_with_the_same_external_id_record_it_once() {
    let env = Env::new();
    env.ok_at(APPLIED, &["apply", example_file().to_str().unwrap()]);
    let (before, _) = head(&env);
    const ROUNDS: usize = 10;
    const RACERS: usize = 8;
    for k in 0..ROUNDS {
        let children: Vec<_> = (0..RACERS)
            .map(|_| {
                env.std_command(&[
                    "consent",
                    "record",
                    "--source",
                    "callback-form",
                    "--field",
                    &format!("phone=+791611122{k:02}"),
                    "--external-id",
                    &format!("race-{k}"),
                ])
                .stdin(Stdio::null())
                .stdout(Stdio::piped())
                .stderr(Stdio::piped())
                .spawn()
                .unwrap()
            })
            .collect();
        let outs: Vec<_> = children
            .into_iter()
            .map(|c| c.wait_with_output().unwrap())
            .collect();
        let want = format!("{}\n", before + 1 + k as u64);
        let mut recorded = 0;
        for o in &outs {
            let err = String::from_utf8_lossy(&o.stderr);
            assert_eq!(o.status.code(), Some(0), "{err}");
            assert_eq!(String::from_utf8_lossy(&o.stdout), want, "{err}");
            if err.starts_with("recorded ") {
                recorded += 1;
            } else {
                assert!(
                    err.starts_with("already recorded under this external id"),
                    "{err}"
                );
            }
        }
        assert_eq!(recorded, 1, "round {k}");
    }
    assert_eq!(head(&env).0, before + ROUNDS as u64);
    env.ok(&["ledger", "verify"]);
}

#[test]
fn verify_and_export_during_writes_see_one_consistent_snapshot() {
    use sha2::Digest as _;
    let env = Env::new();
    env.ok_at(APPLIED, &["apply", example_file().to_str().unwrap()]);
    let writers: Vec<_> = (0..3)
        .map(|w| {
            let cmds: Vec<Command> = (0..60)
                .map(|i| {
                    let mut c = env.std_command(&[
                        "consent",
                        "record",
                        "--source",
                        "callback-form",
                        "--field",
                        &format!("phone=+7916{w:03}{i:04}"),
                    ]);
                    c.stdin(Stdio::null())
                        .stdout(Stdio::null())
                        .stderr(Stdio::piped());
                    c
                })
                .collect();
            std::thread::spawn(move || {
                for mut c in cmds {
                    let o = c.output().unwrap();
                    assert_eq!(
                        o.status.code(),
                        Some(0),
                        "{}",
                        String::from_utf8_lossy(&o.stderr)
                    );
                }
            })
        })
        .collect();
    for _ in 0..6 {
        let v = env.run(&["ledger", "verify"]);
        assert_eq!(v.code, 0, "verify during writes:\n{}", v.pinned());
        let e = env.run(&["consent", "export"]);
        assert_eq!(e.code, 0, "{}", e.pinned());
        let leaves: Vec<Value> = e
            .stdout
            .lines()
            .map(|l| serde_json::from_str::<Value>(l).unwrap()["leaf"].clone())
            .collect();
        let hashes: Vec<[u8; 32]> = leaves
            .iter()
            .map(|l| {
                let mut b = vec![0u8];
                b.extend(serde_json::to_vec(l).unwrap());
                sha2::Sha256::digest(&b).into()
            })
            .collect();
        let root = mth(&hashes);
        use base64::Engine as _;
        let b64 = base64::engine::general_purpose::STANDARD.encode(root);
        assert!(
            e.stderr
                .ends_with(&format!("tree size {}, root {b64}\n", leaves.len())),
            "the printed head is not the exported leaves':\n{}",
            e.stderr
        );
    }
    for w in writers {
        w.join().unwrap();
    }
    env.ok(&["ledger", "verify"]);
}

fn mth(h: &[[u8; 32]]) -> [u8; 32] {
    use sha2::Digest as _;
    match h.len() {
        0 => sha2::Sha256::digest(b"").into(),
        1 => h[0],
        n => {
            let k = 1usize << (usize::BITS - (n - 1).leading_zeros() - 1);
            let mut d = sha2::Sha256::new();
            d.update([1u8]);
            d.update(mth(&h[..k]));
            d.update(mth(&h[k..]));
            d.finalize().into()
        }
    }
}
