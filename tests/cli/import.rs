//! `consent import`: CSV (Excel's too) and JSON Lines through `consent record`'s checks;
//! all or nothing; --skip-invalid with a rejects file; idempotent through external ids,
//! derived ones included; import → export → import again adds nothing.

use serde_json::Value;

use crate::common::{Env, example_file, write};

const APPLIED: &str = "2026-11-01T10:00:00Z";
const NOW: &str = "2026-12-01T12:00:00Z";

fn setup() -> Env {
    let env = Env::new();
    env.ok_at(APPLIED, &["apply", example_file().to_str().unwrap()]);
    env
}

const GOOD: &str = "\u{feff}source;agreement;occurred_at;имя;адрес электронной почты;ip;external_id\r\n\
contact-form;personal-data;2026-11-10T10:00:00Z;Пётр;petr@example.ru;203.0.113.9;crm-1\r\n\
contact-form;marketing;2026-11-11T10:00:00Z;Анна;anna@example.ru;;\r\n\
callback-form;;2026-11-12T10:00:00Z;;;2001:db8::7;crm-3\r\n";

fn events(env: &Env) -> Vec<Value> {
    let v = env.json(&["consent", "list"]);
    let mut v = v.as_array().unwrap().clone();
    v.reverse();
    v
}

#[test]
fn an_excel_csv_imports_row_by_row_and_marks_the_events_imported() {
    let env = setup();
    let file = write(&env, "crm.csv", GOOD);
    let r = env.ok_at(NOW, &["consent", "import", &file]);
    assert!(
        r.stderr.contains(
            "3 rows: 3 imported (3 events), 0 already imported (nothing added), 0 refused"
        ),
        "{}",
        r.stderr
    );
    let ev = events(&env);
    assert_eq!(ev.len(), 3, "one event a row: nothing refused was made up");
    assert_eq!(ev[0]["agreement"], "personal-data");
    assert_eq!(ev[0]["event"], "given");
    assert_eq!(ev[0]["at"], "2026-11-10T10:00:00Z");
    assert_eq!(ev[0]["recorded_at"], NOW);
    assert_eq!(ev[0]["external_id"], "crm-1");
    assert_eq!(ev[0]["subject"]["fields"]["имя"], "Пётр");
    assert_eq!(ev[0]["subject"]["ip"], "203.0.113.9");
    // Marketing alone: the required personal-data consent is not invented, nor refused.
    assert_eq!(ev[1]["agreement"], "marketing");
    assert!(
        ev[1]["external_id"]
            .as_str()
            .unwrap()
            .starts_with("import:")
    );
    assert_eq!(ev[2]["source"], "callback-form");
    for e in &ev {
        assert_eq!(e["channel"], "import", "{e}");
    }
    env.ok(&["ledger", "verify"]);
    // The same file again: every row found by its external id (or the one derived from it).
    let r = env.ok_at(NOW, &["consent", "import", &file]);
    assert!(
        r.stderr
            .contains("0 imported (0 events), 3 already imported"),
        "{}",
        r.stderr
    );
    assert_eq!(events(&env).len(), 3);
}

#[test]
fn one_bad_row_imports_nothing_and_names_its_line_and_column() {
    let env = setup();
    let file = write(
        &env,
        "bad.csv",
        "source,agreement,occurred_at,имя,ip\n\
         contact-form,personal-data,2026-11-10T10:00:00Z,Пётр,203.0.113.9\n\
         contact-form,personal-data,2026-11-10T10:00:00Z,Олег,999.1.1.1\n\
         contact-form,nope,2026-11-10T10:00:00Z,Олег,\n\
         contact-form,personal-data,not a time,Олег,\n",
    );
    let r = env.fails(&["consent", "import", &file]);
    assert!(
        r.stderr
            .contains("3 of 4 rows cannot be imported, so nothing was imported"),
        "{}",
        r.stderr
    );
    assert!(
        r.stderr
            .contains("line 3: ip: `999.1.1.1` is not an IPv4 or IPv6 address"),
        "{}",
        r.stderr
    );
    assert!(
        r.stderr
            .contains("line 4: agreement: `nope` is not an agreement"),
        "{}",
        r.stderr
    );
    assert!(r.stderr.contains("line 5: occurred_at:"), "{}", r.stderr);
    assert!(
        r.stderr.contains("--skip-invalid --rejects FILE"),
        "{}",
        r.stderr
    );
    // Refused input never half-imports: the header alone is checked before anything.
    let nohead = write(&env, "nohead.csv", "agreement,имя\npersonal-data,Пётр\n");
    let r = env.fails(&["consent", "import", &nohead]);
    assert!(
        r.stderr.contains("the header has no `source` column"),
        "{}",
        r.stderr
    );
    let r = env.fails(&["consent", "import", "missing.csv"]);
    assert!(r.stderr.contains("cannot open missing.csv"), "{}", r.stderr);
}

#[test]
fn skip_invalid_imports_the_good_rows_and_writes_the_bad_ones_with_reasons() {
    let env = setup();
    let file = write(
        &env,
        "mixed.csv",
        "source,agreement,occurred_at,имя,ip\n\
         contact-form,personal-data,2026-11-10T10:00:00Z,Пётр,203.0.113.9\n\
         contact-form,personal-data,2026-11-10T10:00:00Z,\"Олег, \"\"старший\"\"\",999.1.1.1\n\
         contact-form,marketing,2026-11-10T10:00:00Z,Анна,\n",
    );
    let r = env.run_at(
        NOW,
        &[
            "consent",
            "import",
            &file,
            "--skip-invalid",
            "--rejects",
            "rejects.csv",
        ],
    );
    assert_eq!(r.code, 1, "{}", r.pinned());
    assert!(r.stderr.contains("2 imported (2 events)"), "{}", r.stderr);
    assert!(r.stderr.contains("1 refused"), "{}", r.stderr);
    let rejects = std::fs::read_to_string(env.dir().join("rejects.csv")).unwrap();
    let mut rd = csv::ReaderBuilder::new()
        .flexible(true)
        .from_reader(rejects.as_bytes());
    let rows: Vec<csv::StringRecord> = rd.records().map(Result::unwrap).collect();
    assert_eq!(rows.len(), 1);
    assert_eq!(&rows[0][0], "3");
    assert_eq!(&rows[0][1], "ip");
    assert_eq!(&rows[0][6], "Олег, \"старший\"");
    assert_eq!(events(&env).len(), 2);
}

#[test]
fn json_lines_import_as_submissions() {
    let env = setup();
    let file = write(
        &env,
        "queue.jsonl",
        "{\"source\":\"contact-form\",\"fields\":{\"email\":\"a@example.ru\"},\"agreements\":[\"personal-data\"],\"refused\":[\"marketing\"],\"at\":\"2026-11-10T10:00:00Z\",\"external_id\":\"q-1\"}\n\
         \n\
         {\"source\":\"callback-form\",\"fields\":{\"phone\":\"+79161234567\"},\"at\":\"2026-11-10T11:00:00Z\"}\n",
    );
    let r = env.ok_at(NOW, &["consent", "import", &file, "--format", "json"]);
    let sum: Value = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(sum["imported"], 2);
    assert_eq!(sum["events"], 3);
    let ev = events(&env);
    assert_eq!(
        ev.iter()
            .map(|e| e["event"].as_str().unwrap())
            .collect::<Vec<_>>(),
        ["given", "refused", "given"]
    );
    let bad = write(
        &env,
        "bad.jsonl",
        "{\"source\":\"contact-form\",\"oops\":1}\n",
    );
    let r = env.fails(&["consent", "import", &bad]);
    assert!(
        r.stderr.contains("line 1: line: not a submission"),
        "{}",
        r.stderr
    );
}

#[test]
fn import_then_export_then_import_again_is_idempotent() {
    let env = setup();
    let file = write(&env, "crm.csv", GOOD);
    env.ok_at(NOW, &["consent", "import", &file]);
    let first = env.ok(&["consent", "export", "--excel", "-o", "e1.csv"]);
    assert!(
        first.stderr.contains("exported 3 events"),
        "{}",
        first.stderr
    );
    env.ok_at(NOW, &["consent", "import", &file]);
    // The export itself imports back as nothing new: its external ids are the events'.
    let r = env.ok_at(NOW, &["consent", "import", "e1.csv"]);
    assert!(
        r.stderr
            .contains("0 imported (0 events), 3 already imported"),
        "{}",
        r.stderr
    );
    env.ok(&["consent", "export", "--excel", "-o", "e2.csv"]);
    assert_eq!(
        std::fs::read(env.dir().join("e1.csv")).unwrap(),
        std::fs::read(env.dir().join("e2.csv")).unwrap()
    );
}
