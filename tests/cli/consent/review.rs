//! Regressions found by a review of the ledger: each test is one finding.

#![allow(unused_imports)]

use super::*;

#[test]
fn a_shown_hash_pins_the_registration_in_force_at_the_submissions_time() {
    // marketing's text stays the same when its box becomes pre-ticked (revision 2, 10 Nov):
    // a submission of 5 Nov showing that text was made under revision 1, not ticked.
    let env = setup();
    env.ok_at(
        "2026-11-10T10:00:00Z",
        &[
            "agreement",
            "edit",
            "marketing",
            "--set",
            "checked_by_default=true",
        ],
    );
    let texts = env.json(&[
        "agreement",
        "texts",
        "marketing",
        "--source",
        "contact-form",
    ]);
    let h = texts[0]["sha256"].as_str().unwrap().to_string();
    let hash = format!("marketing={h}");
    let r = env.json(&[
        "consent",
        "record",
        "--source",
        "contact-form",
        "--agreement",
        PD,
        "--agreement",
        "marketing",
        "--field",
        "email=t@t.ru",
        "--at",
        "2026-11-05T12:00:00Z",
        "--text-sha256",
        &hash,
    ]);
    let m = &r[1];
    assert_eq!(m["agreement"], "marketing");
    assert_eq!(m["revision"], 1, "{m}");
    assert_eq!(m["checkbox"]["checked_by_default"], false);
}

#[test]
fn a_batch_goes_on_after_a_line_that_cannot_be_read() {
    let env = setup();
    let ok = |e: &str| {
        format!(
            r#"{{"source":"contact-form","agreements":["personal-data"],"fields":{{"email":"{e}"}}}}"#
        )
    };
    let mut input = format!("{}\n", ok("a@b.ru")).into_bytes();
    input.extend_from_slice(b"\xff\xfe\n");
    input.extend_from_slice(format!("{}\n", ok("c@b.ru")).as_bytes());
    let out = env
        .command(&["consent", "record", "--batch", "-"])
        .write_stdin(input)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let lines: Vec<Value> = String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 3);
    assert_eq!(lines[1]["line"], 2);
    assert!(
        lines[1]["error"]["message"]
            .as_str()
            .unwrap()
            .contains("not UTF-8")
    );
    assert_eq!(lines[2]["line"], 3);
    assert!(lines[2]["seq"].is_array(), "{}", lines[2]);
}

#[test]
fn json_keys_that_are_equal_once_normalised_are_refused() {
    let env = setup();
    let out = env
        .command(&["consent", "record", "--json", "-"])
        .write_stdin(
            r#"{"source":"contact-form","agreements":["personal-data"],"fields":{"email":"a@x.ru"," email ":"b@x.ru"}}"#,
        )
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(
        err.starts_with("error: fields.email: `email` is given twice"),
        "{err}"
    );
}

#[test]
fn a_withdrawal_reason_with_control_characters_is_refused() {
    let env = setup();
    let s = seqs(&record(&env, "a@b.ru", &[]));
    let r = env.fails(&[
        "consent",
        "withdraw",
        &s[0].to_string(),
        "--yes",
        "--reason",
        "x\u{1b}]0;T\u{7}",
    ]);
    assert!(
        r.stderr
            .starts_with("error: --reason: contains a control character"),
        "{}",
        r.stderr
    );
}

#[test]
fn the_ledger_commands_refuse_a_file_that_has_no_ledger_yet() {
    let env = Env::new();
    std::fs::copy(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/release-0.1.db"),
        env.db(),
    )
    .unwrap();
    for args in [
        &["ledger", "head"][..],
        &["ledger", "verify"],
        &["consent", "export"],
    ] {
        let r = env.run(args);
        assert_eq!(r.code, 2, "{args:?}: {}", r.pinned());
        assert!(
            r.stderr.contains("has no consent ledger yet"),
            "{}",
            r.stderr
        );
    }
}

#[test]
fn a_trigger_added_outside_pdconsent_stops_writes_and_is_reported() {
    let env = setup();
    record(&env, "a@b.ru", &[]);
    let conn = rusqlite::Connection::open(env.db()).unwrap();
    conn.execute_batch(
        "CREATE TABLE stash (f TEXT);
         CREATE TRIGGER zz AFTER INSERT ON ledger_envelopes BEGIN INSERT INTO stash VALUES (NEW.fields); END;",
    )
    .unwrap();
    drop(conn);
    let r = record(&env, "victim@x.ru", &[]);
    assert_eq!(r.code, 2);
    assert!(
        r.stderr
            .contains("has trigger(s) `zz` that pdconsent did not create"),
        "{}",
        r.stderr
    );
    let v = env.run(&["ledger", "verify"]);
    assert_eq!(v.code, 1);
    assert!(
        v.stdout
            .contains("a trigger `zz` that pdconsent did not create"),
        "{}",
        v.stdout
    );
}

#[test]
fn a_leaf_cut_off_from_its_envelope_is_reported() {
    let env = setup();
    let s = seqs(&record(&env, "a@b.ru", &[]));
    let conn = rusqlite::Connection::open(env.db()).unwrap();
    conn.execute_batch(&format!(
        "DROP TRIGGER ledger_leaves_no_update;
         UPDATE ledger_leaves SET envelope = NULL WHERE seq IN ({}, {});",
        s[0], s[1]
    ))
    .unwrap();
    drop(conn);
    let v = env.run(&["ledger", "verify"]);
    assert_eq!(v.code, 1);
    assert!(
        v.stdout.contains(&format!(
            "seq {}: the leaf has a commitment but no link to its envelope",
            s[0]
        )),
        "{}",
        v.stdout
    );
    assert!(
        v.stdout.contains("1 envelope(s) are referenced by no leaf"),
        "{}",
        v.stdout
    );
}

#[test]
fn status_ignores_an_archived_required_agreement() {
    let env = setup();
    env.ok(&["agreement", "archive", PD, "--yes"]);
    env.ok(&[
        "consent",
        "record",
        "--source",
        "contact-form",
        "--agreement",
        "marketing",
        "--field",
        "email=a@x.ru",
    ]);
    let r = env.run(&[
        "consent",
        "status",
        "--source",
        "contact-form",
        "--subject",
        "email=a@x.ru",
    ]);
    assert_eq!(
        (r.code, r.stdout.as_str()),
        (0, "given\n"),
        "{}",
        r.pinned()
    );
}

#[test]
fn a_name_subject_without_a_source_asks_for_one() {
    let env = setup();
    record(&env, "a@b.ru", &["--field", "имя=Иван"]);
    let r = env.fails(&["consent", "list", "--subject", "name=Иван"]);
    assert!(r.stderr.contains("add --source SRC"), "{}", r.stderr);
    let found = env.json(&[
        "consent",
        "list",
        "--subject",
        "name=Иван",
        "--source",
        "contact-form",
    ]);
    assert_eq!(found.as_array().unwrap().len(), 2);
}
