//! Texts that never drift: requisites and sources have revisions, every text
//! is pinned to the revisions it was rendered from, the registry keeps each
//! text that became current, and changes say which texts they changed.

use std::fs;
use std::os::unix::fs::PermissionsExt;

use serde_json::Value;

use crate::common::{Env, example_file};

fn example() -> String {
    example_file().display().to_string()
}

/// The example applied on 1 January, the registry filled by a no-op edit of a source.
fn setup() -> Env {
    let env = Env::new();
    env.ok_at("2026-01-01T10:00:00Z", &["apply", &example()]);
    env
}

fn preview(env: &Env, extra: &[&str]) -> Value {
    let mut args = vec![
        "agreement",
        "preview",
        "personal-data",
        "--source",
        "contact-form",
    ];
    args.extend(extra);
    env.json(&args)
}

#[test]
fn a_requisites_edit_makes_a_revision_and_a_no_op_makes_none() {
    let env = setup();
    env.ok_at(
        "2026-02-01T10:00:00Z",
        &["requisites", "edit", "main", "--set", "phone=+78120000000"],
    );
    env.ok_at(
        "2026-02-02T10:00:00Z",
        &["requisites", "edit", "main", "--set", "phone=+78120000000"],
    );
    let h = env.json(&["requisites", "history", "main"]);
    let h = h.as_array().unwrap();
    assert_eq!(h.len(), 2, "{h:?}");
    assert_eq!(h[1]["revision"], 2);
    assert_eq!(h[1]["changed"], serde_json::json!(["phone"]));
    assert_eq!(h[1]["created_at"], "2026-02-01T10:00:00Z");
    assert_eq!(h[1]["settings"]["phone"], "+78120000000");
    let d = env.json(&["requisites", "diff", "main"]);
    assert_eq!(d["changes"][0]["field"], "phone");
    let old = env.json(&["requisites", "show", "main", "--revision", "1"]);
    assert_eq!(old["revision"], 1);
    assert_ne!(old["phone"], "+78120000000");
    assert_eq!(env.json(&["requisites", "show", "main"])["revision"], 2);
    let r = env.fails(&["requisites", "show", "main", "--revision", "9"]);
    assert!(
        r.stderr
            .contains("revision 9 of requisites `main` not found (the latest is 2)"),
        "{}",
        r.stderr
    );
    assert!(
        r.stderr.contains("pdconsent requisites history main"),
        "{}",
        r.stderr
    );
}

#[test]
fn a_source_edit_makes_a_revision_with_its_links() {
    let env = setup();
    env.ok_at(
        "2026-02-01T10:00:00Z",
        &["source", "edit", "contact-form", "--set", "name=Форма"],
    );
    let h = env.json(&["source", "history", "contact-form"]);
    let h = h.as_array().unwrap();
    assert_eq!(h.len(), 2);
    assert_eq!(h[1]["changed"], serde_json::json!(["name"]));
    assert_eq!(
        h[0]["settings"]["agreements"][0]["agreement"],
        "personal-data"
    );
    let old = env.json(&["source", "show", "contact-form", "--revision", "1"]);
    assert_ne!(old["name"], "Форма");
    let r = env.ok(&["source", "diff", "callback-form"]);
    assert!(
        r.stderr
            .contains("source `callback-form` has only revision 1; there is nothing to compare"),
        "{}",
        r.stderr
    );
}

#[test]
fn the_old_text_stays_reproducible_and_the_change_is_reported_with_both_hashes() {
    let env = setup();
    let before = preview(&env, &[]);
    assert_eq!(before["requisites"], "main");
    assert_eq!(before["requisites_revision"], 1);
    assert_eq!(before["source_revision"], 1);
    let r = env.ok_at(
        "2026-02-01T10:00:00Z",
        &["requisites", "edit", "main", "--set", "phone=+78120000000"],
    );
    let after = preview(&env, &[]);
    assert_eq!(after["requisites_revision"], 2);
    let (old, new) = (
        before["sha256"].as_str().unwrap(),
        after["sha256"].as_str().unwrap(),
    );
    assert_ne!(old, new, "the phone is in the text");
    // The edit said which texts changed, with both hashes.
    assert!(
        r.stderr.contains(&format!(
            "personal-data on contact-form: {} → {}",
            &old[..12],
            &new[..12]
        )),
        "{}",
        r.stderr
    );
    assert!(
        r.stderr
            .contains("pages that show an old text must be updated")
    );
    // What was in force in January renders the January text, byte for byte.
    let jan = preview(&env, &["--at", "2026-01-15T00:00:00Z"]);
    assert_eq!(jan["sha256"], before["sha256"]);
    assert_eq!(jan["text"], before["text"]);
    assert_eq!(jan["requisites_revision"], 1);
    // `--revision` pins the agreement only: the requisites are today's.
    assert_eq!(
        preview(&env, &["--revision", "1"])["sha256"],
        after["sha256"]
    );
    // Before anything existed there is nothing to render.
    let r = env.fails(&[
        "agreement",
        "preview",
        "personal-data",
        "--at",
        "2025-12-31",
    ]);
    assert!(
        r.stderr
            .contains("did not exist yet at 2025-12-31T23:59:59Z"),
        "{}",
        r.stderr
    );
}

#[test]
fn the_registry_lists_each_text_with_its_revisions_and_when_it_was_current() {
    let env = setup();
    env.ok_at(
        "2026-02-01T10:00:00Z",
        &["requisites", "edit", "main", "--set", "phone=+78120000000"],
    );
    env.ok_at(
        "2026-03-01T10:00:00Z",
        &["requisites", "edit", "main", "--set", "phone=+78120000001"],
    );
    let texts = env.json(&[
        "agreement",
        "texts",
        "personal-data",
        "--source",
        "contact-form",
    ]);
    let texts = texts.as_array().unwrap();
    // Registered by apply (January) and by each edit.
    let from: Vec<&str> = texts
        .iter()
        .map(|t| t["current_from"].as_str().unwrap())
        .collect();
    assert_eq!(
        from,
        [
            "2026-01-01T10:00:00Z",
            "2026-02-01T10:00:00Z",
            "2026-03-01T10:00:00Z"
        ]
    );
    assert_eq!(texts[0]["current_until"], "2026-02-01T10:00:00Z");
    assert_eq!(texts[2]["current_until"], Value::Null);
    let revs: Vec<i64> = texts
        .iter()
        .map(|t| t["requisites_revision"].as_i64().unwrap())
        .collect();
    assert_eq!(revs, [1, 2, 3]);
    // Each registered hash is the text that preview renders for that moment.
    let at_feb = preview(&env, &["--at", "2026-02-15T00:00:00Z"]);
    assert_eq!(texts[1]["sha256"], at_feb["sha256"]);
    let table = env.ok(&["agreement", "texts", "personal-data"]).stdout;
    assert!(
        table.contains("callback-form") && table.contains("site-chat"),
        "{table}"
    );
}

#[test]
fn unlinking_an_agreement_ends_its_text_on_that_source() {
    let env = setup();
    let r = env.ok_at(
        "2026-02-01T10:00:00Z",
        &["source", "edit", "contact-form", "--unlink", "marketing"],
    );
    assert!(
        r.stderr.contains("marketing on contact-form"),
        "{}",
        r.stderr
    );
    assert!(r.stderr.contains("(no longer shown)"), "{}", r.stderr);
    let texts = env.json(&[
        "agreement",
        "texts",
        "marketing",
        "--source",
        "contact-form",
    ]);
    let last = texts.as_array().unwrap().last().unwrap().clone();
    assert_eq!(last["sha256"], Value::Null);
    assert_eq!(last["current_from"], "2026-02-01T10:00:00Z");
}

#[test]
fn an_edit_that_changes_no_text_reports_none() {
    let env = setup();
    // The agreement's URL is not part of its text.
    let r = env.ok(&[
        "agreement",
        "edit",
        "marketing",
        "--set",
        "url=https://example.ru/marketing",
    ]);
    assert!(!r.stderr.contains("texts:"), "{}", r.stderr);
}

#[test]
fn texts_of_an_unknown_agreement_or_source_are_refused() {
    let env = setup();
    let r = env.fails(&["agreement", "texts", "nosuch"]);
    assert!(
        r.stderr.contains("agreement `nosuch` not found"),
        "{}",
        r.stderr
    );
    let r = env.fails(&["agreement", "texts", "marketing", "--source", "nosuch"]);
    assert!(
        r.stderr.contains("source `nosuch` not found"),
        "{}",
        r.stderr
    );
}

#[test]
fn a_database_of_release_0_1_gets_revision_1_of_every_set_and_source() {
    let env = Env::new();
    let fixtures = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
    fs::copy(fixtures.join("release-0.1.db"), env.db()).unwrap();
    fs::set_permissions(env.db(), fs::Permissions::from_mode(0o600)).unwrap();
    let h = env.json(&["requisites", "history", "main"]);
    let h = h.as_array().unwrap();
    assert_eq!(h.len(), 1);
    // Made when the set was last changed, by whoever changed it.
    assert_eq!(h[0]["created_at"], "2026-11-03T10:00:00Z");
    assert_eq!(h[0]["actor"], "release-0.1");
    assert_eq!(h[0]["settings"]["phone"], "+78120000000");
    for s in ["contact-form", "callback-form", "site-chat"] {
        let h = env.json(&["source", "history", s]);
        assert_eq!(h.as_array().unwrap().len(), 1, "{s}");
        // The revision holds what `show` shows now, links included.
        let show = env.json(&["source", "show", s]);
        let links: Vec<&Value> = show["agreements"]
            .as_array()
            .unwrap()
            .iter()
            .map(|l| &l["agreement"])
            .collect();
        let rev_links: Vec<&Value> = h[0]["settings"]["agreements"]
            .as_array()
            .unwrap()
            .iter()
            .map(|l| &l["agreement"])
            .collect();
        assert_eq!(links, rev_links, "{s}");
    }
    // The change log's history is kept as it was.
    assert_eq!(env.json(&["log"]).as_array().unwrap().len(), 10);
    // The next edit makes revision 2 of the set.
    env.ok(&["requisites", "edit", "main", "--set", "phone=+78120000001"]);
    assert_eq!(env.json(&["requisites", "show", "main"])["revision"], 2);
}

/// Every built-in template, rendered from fixed inputs: the same bytes
/// forever. A dependency upgrade that changes one byte fails here.
#[test]
fn every_built_in_template_renders_the_same_bytes() {
    let env = Env::new();
    let fixtures = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
    fs::copy(fixtures.join("release-0.1.db"), env.db()).unwrap();
    fs::set_permissions(env.db(), fs::Permissions::from_mode(0o600)).unwrap();
    env.ok_at(
        "2026-11-04T10:00:00Z",
        &[
            "agreement",
            "add",
            "english",
            "--name",
            "Consent",
            "--language",
            "en",
            "--add-purpose",
            "answering enquiries",
            "--add-field",
            "name",
            "--add-field",
            "e-mail",
        ],
    );
    env.ok_at(
        "2026-11-04T10:00:00Z",
        &[
            "agreement",
            "add",
            "english-marketing",
            "--name",
            "Marketing",
            "--language",
            "en",
            "--template",
            "en-marketing",
            "--set",
            "required=false",
            "--add-purpose",
            "sending news and offers",
            "--add-field",
            "name",
            "--add-field",
            "e-mail",
        ],
    );
    let mut seen = std::collections::BTreeSet::new();
    for (agreement, source) in [
        ("personal-data", Some("contact-form")),
        ("personal-data", Some("site-chat")),
        ("marketing", Some("contact-form")),
        ("reviews", None),
        ("english", None),
        ("english-marketing", None),
    ] {
        let mut args = vec!["agreement", "preview", agreement];
        if let Some(s) = source {
            args.extend(["--source", s]);
        }
        let v = env.json(&args);
        seen.insert(v["template"].as_str().unwrap().to_string());
        let name = format!("builtin_{agreement}_{}", source.unwrap_or("no_source"));
        insta::assert_snapshot!(
            name,
            format!(
                "template: {}\nsha256: {}\n\n{}",
                v["template"].as_str().unwrap(),
                v["sha256"].as_str().unwrap(),
                v["text"].as_str().unwrap()
            )
        );
    }
    let builtins: std::collections::BTreeSet<String> = env
        .json(&["template", "list"])
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|t| t["id"].as_str())
        .filter(|id| *id != "custom")
        .map(String::from)
        .collect();
    assert_eq!(seen, builtins, "every built-in template is rendered");
}

#[test]
fn apply_check_counts_a_text_the_registry_lacks_as_drift() {
    // A database from before the registry: its settings match the file, but
    // none of its texts is registered.
    let env = Env::new();
    let fixtures = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
    fs::copy(fixtures.join("release-0.1.db"), env.db()).unwrap();
    fs::set_permissions(env.db(), fs::Permissions::from_mode(0o600)).unwrap();
    let file = fixtures.join("release-0.1.dump.toml");
    let file = file.to_str().unwrap();
    let r = env.run(&["apply", "--check", file]);
    assert_eq!(r.code, 1, "{}", r.pinned());
    assert!(r.stderr.contains("texts if applied: 4 new"), "{}", r.stderr);
    assert!(r.stderr.contains("4 text(s) to register"), "{}", r.stderr);
    // --check only reads.
    assert!(
        env.json(&["agreement", "texts", "personal-data"])
            .as_array()
            .unwrap()
            .is_empty()
    );
    let r = env.ok(&["apply", file]);
    assert!(r.stderr.contains("texts: 4 new"), "{}", r.stderr);
    let r = env.ok(&["apply", "--check", file]);
    assert!(r.stderr.contains("the database matches"), "{}", r.stderr);
}

#[test]
fn revisions_and_the_registry_cannot_be_rewritten() {
    let env = setup();
    env.ok(&["requisites", "edit", "main", "--set", "phone=+78120000000"]);
    let conn = rusqlite::Connection::open(env.db()).unwrap();
    for sql in [
        "UPDATE requisites_revisions SET data = '{}'",
        "DELETE FROM requisites_revisions",
        "INSERT OR REPLACE INTO requisites_revisions (code, revision, data, created_at, actor)
         SELECT code, 1, data, created_at, 'mallory' FROM requisites_revisions WHERE revision = 2",
        "UPDATE source_revisions SET actor = 'mallory'",
        "DELETE FROM source_revisions",
        "UPDATE text_registrations SET sha256 = NULL",
        "DELETE FROM text_registrations",
        "DELETE FROM sources",
    ] {
        let err = conn.execute(sql, []).unwrap_err().to_string();
        assert!(
            err.contains("immutable")
                || err.contains("append-only")
                || err.contains("never deleted")
                || err.contains("without gaps"),
            "{sql}: {err}"
        );
    }
}

#[test]
fn an_edit_in_json_lists_the_texts_it_changed() {
    let env = setup();
    let before = preview(&env, &[]);
    let v = env.json(&["requisites", "edit", "main", "--set", "phone=+78120000000"]);
    assert_eq!(v["code"], "main", "the object as show prints it");
    let changed = v["texts_changed"].as_array().unwrap();
    assert_eq!(changed.len(), 4, "{changed:?}");
    let pd = changed
        .iter()
        .find(|c| c["agreement"] == "personal-data" && c["source"] == "contact-form")
        .unwrap();
    assert_eq!(pd["before"], before["sha256"]);
    assert_eq!(pd["after"], preview(&env, &[])["sha256"]);
    let v = env.json(&["requisites", "edit", "main", "--set", "phone=+78120000000"]);
    assert_eq!(
        v.get("texts_changed"),
        None,
        "a no-op prints the object only"
    );
}

#[test]
fn apply_dry_run_lists_the_texts_the_plan_would_change() {
    let env = setup();
    let text = fs::read_to_string(example_file()).unwrap();
    let edited = text.replacen("+7 812 555-01-02", "+7 812 555-09-09", 1);
    assert_ne!(edited, text, "the example has the phone");
    let file = env.dir().join("edited.toml");
    fs::write(&file, edited).unwrap();
    let file = file.to_str().unwrap();
    let before = preview(&env, &[]);
    let r = env.ok(&["apply", "--dry-run", file]);
    assert!(
        r.stderr.contains("texts if applied: 4 changed"),
        "{}",
        r.stderr
    );
    assert!(
        r.stderr.contains(&format!(
            "personal-data on contact-form: {} → ",
            &before["sha256"].as_str().unwrap()[..12]
        )),
        "{}",
        r.stderr
    );
    // The prediction is what applying does.
    let planned: Vec<&str> = r.stderr.lines().filter(|l| l.contains(" → ")).collect();
    let applied = env.ok(&["apply", file]);
    let done: Vec<&str> = applied
        .stderr
        .lines()
        .filter(|l| l.contains(" → "))
        .collect();
    assert_eq!(planned, done);
}

#[test]
fn a_text_that_stops_rendering_keeps_its_registration() {
    let env = setup();
    // Renders while the source's name is not 6 characters long.
    let file = env.dir().join("c.txt");
    fs::write(
        &file,
        "Согласие {% if source %}{{ 10 // (source.name|length - 6) }}{% endif %}\n",
    )
    .unwrap();
    let r = env.run(&[
        "agreement",
        "add",
        "cust",
        "--name",
        "Своё",
        "--text-file",
        file.to_str().unwrap(),
    ]);
    assert_eq!(r.code, 0, "{}", r.pinned());
    env.ok(&["source", "edit", "contact-form", "--link", "cust"]);
    let before = env.json(&["agreement", "texts", "cust", "--source", "contact-form"]);
    assert_eq!(before.as_array().unwrap().len(), 1);
    let r = env.ok(&["source", "edit", "contact-form", "--set", "name=Форма1"]);
    assert!(!r.stderr.contains("no longer shown"), "{}", r.stderr);
    let after = env.json(&["agreement", "texts", "cust", "--source", "contact-form"]);
    let last = after.as_array().unwrap().last().unwrap().clone();
    assert_ne!(
        last["sha256"],
        Value::Null,
        "a broken text is not 'no text': {after}"
    );
    // The check says what is wrong.
    let r = env.run(&["agreement", "check", "cust", "--source", "contact-form"]);
    assert_eq!(r.code, 1, "{}", r.pinned());
}

#[test]
fn preview_at_a_time_before_the_recorded_history_of_the_requisites_says_so() {
    // In the fixture the set's history starts at its last change (3 November),
    // after the agreement's first revision (1 November).
    let env = Env::new();
    let fixtures = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
    fs::copy(fixtures.join("release-0.1.db"), env.db()).unwrap();
    fs::set_permissions(env.db(), fs::Permissions::from_mode(0o600)).unwrap();
    let r = env.run(&[
        "agreement",
        "preview",
        "personal-data",
        "--at",
        "2026-11-02T00:00:00Z",
    ]);
    assert_eq!(r.code, 2, "{}", r.pinned());
    assert!(
        r.stderr
            .contains("requisites `main` did not exist yet at 2026-11-02T00:00:00Z"),
        "{}",
        r.stderr
    );
    assert!(
        r.stderr
            .contains("the recorded history of requisites `main` starts at 2026-11-03T10:00:00Z"),
        "{}",
        r.stderr
    );
}
