//! `consent export --format csv`: read back the way its readers read it (the csv crate, in
//! the plain and the Excel dialect), the formula guard on each dangerous prefix, erased
//! rows, time zones and Russian headers, filters, and a failed export leaving no file.

use serde_json::Value;

use crate::common::{Env, example_file};

const APPLIED: &str = "2026-11-01T10:00:00Z";

fn record(env: &Env, at: &str, fields: &[(&str, &str)], agreements: &[&str]) {
    let mut args: Vec<String> = ["consent", "record", "--source", "contact-form"]
        .map(String::from)
        .to_vec();
    for (k, v) in fields {
        args.extend(["--field".into(), format!("{k}={v}")]);
    }
    for a in agreements {
        args.extend(["--agreement".into(), a.to_string()]);
    }
    args.extend([
        "--at".into(),
        at.into(),
        "--ip".into(),
        "203.0.113.7".into(),
    ]);
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    env.ok(&args);
}

/// The example, Ivan (personal data and marketing) on 20 Nov, Maria (personal data) on
/// 25 Nov.
fn setup() -> Env {
    let env = Env::new();
    env.ok_at(APPLIED, &["apply", example_file().to_str().unwrap()]);
    record(
        &env,
        "2026-11-20T10:00:00Z",
        &[("имя", "Иван"), ("email", "ivan@example.ru")],
        &["personal-data", "marketing"],
    );
    record(
        &env,
        "2026-11-25T21:30:00Z",
        &[("имя", "Мария"), ("email", "maria@example.ru")],
        &["personal-data"],
    );
    env
}

/// The CSV's rows (header first) read with the csv crate.
fn read(bytes: &[u8], delimiter: u8) -> Vec<Vec<String>> {
    let mut r = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .has_headers(false)
        .from_reader(bytes);
    r.records()
        .map(|rec| rec.unwrap().iter().map(str::to_string).collect())
        .collect()
}

fn column(rows: &[Vec<String>], name: &str) -> Vec<String> {
    let i = rows[0]
        .iter()
        .position(|h| h == name)
        .unwrap_or_else(|| panic!("no column {name} in {:?}", rows[0]));
    rows[1..].iter().map(|r| r[i].clone()).collect()
}

#[test]
fn the_csv_reads_back_as_the_ledger_holds_it() {
    let env = setup();
    let r = env.ok(&["consent", "export", "--format", "csv"]);
    let rows = read(r.stdout.as_bytes(), b',');
    assert_eq!(
        rows[0][..6],
        [
            "seq",
            "event",
            "occurred_at",
            "recorded_at",
            "agreement",
            "agreement_name"
        ]
    );
    assert_eq!(rows[0].last().unwrap(), "commitment");
    let listed: Value = env.json(&["consent", "list"]);
    let listed = listed.as_array().unwrap();
    assert_eq!(rows.len() - 1, listed.len());
    assert_eq!(
        listed.len(),
        4,
        "Ivan's two events, Maria's two (marketing refused)"
    );
    // Oldest first, as the ledger; every row with the leaf's own values.
    for (row, ev) in rows[1..].iter().zip(listed.iter().rev()) {
        assert_eq!(row[0], ev["seq"].to_string());
        assert_eq!(row[1], ev["event"].as_str().unwrap());
        assert_eq!(row[2], ev["at"].as_str().unwrap());
        assert_eq!(row[4], ev["agreement"].as_str().unwrap());
        assert_eq!(row[7], ev["text_sha256"].as_str().unwrap());
        let shown = env.json(&["consent", "show", &row[0]]);
        assert_eq!(column(&rows, "leaf_hash")[0].len(), 64);
        assert_eq!(
            rows[1..]
                .iter()
                .find(|r| r[0] == row[0])
                .map(|r| r[r.len() - 2].clone()),
            shown["leaf_hash"].as_str().map(str::to_string)
        );
    }
    assert_eq!(column(&rows, "имя"), ["Иван", "Иван", "Мария", "Мария"]);
    assert_eq!(
        column(&rows, "адрес электронной почты"),
        [
            "ivan@example.ru",
            "ivan@example.ru",
            "maria@example.ru",
            "maria@example.ru"
        ]
    );
    assert_eq!(
        column(&rows, "event"),
        ["given", "given", "given", "refused"]
    );
    assert_eq!(column(&rows, "source_kind"), ["form"; 4]);
    assert!(
        r.stderr.contains("exported 4 events as CSV"),
        "{}",
        r.stderr
    );
}

#[test]
fn excel_mode_has_a_bom_semicolons_crlf_and_russian_headers_with_local_times() {
    let env = setup();
    env.ok(&[
        "consent",
        "export",
        "--excel",
        "--header-lang",
        "ru",
        "--tz",
        "Europe/Moscow",
        "-o",
        "x.csv",
    ]);
    let bytes = std::fs::read(env.dir().join("x.csv")).unwrap();
    assert!(bytes.starts_with("\u{feff}".as_bytes()));
    let text = std::str::from_utf8(&bytes[3..]).unwrap();
    assert!(text.lines().count() >= 4);
    assert_eq!(text.matches("\r\n").count(), text.matches('\n').count());
    let rows = read(&bytes[3..], b';');
    assert_eq!(rows[0][0], "№");
    for h in [
        "Дата согласия",
        "IP-адрес",
        "Страница",
        "Дата отзыва",
        "имя",
    ] {
        assert!(rows[0].iter().any(|c| c == h), "{h} in {:?}", rows[0]);
    }
    // 21:30 UTC is 00:30 the next day in Moscow.
    assert_eq!(
        column(&rows, "Дата согласия"),
        [
            "2026-11-20T13:00:00+03:00",
            "2026-11-20T13:00:00+03:00",
            "2026-11-26T00:30:00+03:00",
            "2026-11-26T00:30:00+03:00"
        ]
    );
    assert!(rows[1..].iter().all(|r| r.len() == rows[0].len()));
}

#[test]
fn every_dangerous_prefix_is_defused_and_counted_unless_raw() {
    let env = Env::new();
    env.ok_at(APPLIED, &["apply", example_file().to_str().unwrap()]);
    let values = [
        "=HYPERLINK(\"http://evil.example\",\"x\")",
        "+7 916 123-45-67",
        "-2+3",
        "@SUM(A1:A2)",
        "\tTAB",
        "\rCR",
    ];
    for (i, v) in values.iter().enumerate() {
        record(
            &env,
            "2026-11-20T10:00:00Z",
            &[("имя", v), ("email", &format!("u{i}@example.ru"))],
            &["personal-data"],
        );
    }
    let r = env.ok(&["consent", "export", "--format", "csv"]);
    let names = column(&read(r.stdout.as_bytes(), b','), "имя");
    // Each submission made two events (marketing refused): 12 cells.
    for (i, v) in values.iter().enumerate() {
        assert_eq!(names[2 * i], format!("'{v}"), "{v:?}");
    }
    assert!(r.stderr.contains("12 cells began with"), "{}", r.stderr);
    let raw = env.ok(&["consent", "export", "--format", "csv", "--raw"]);
    let names = column(&read(raw.stdout.as_bytes(), b','), "имя");
    for (i, v) in values.iter().enumerate() {
        assert_eq!(names[2 * i], *v);
    }
    assert!(!raw.stderr.contains("cells began"), "{}", raw.stderr);
}

#[test]
fn an_erased_envelope_shows_that_it_was_destroyed_and_when() {
    let env = setup();
    env.ok_at(
        "2026-11-26T10:00:00Z",
        &["consent", "withdraw", "--subject", "email=maria@example.ru"],
    );
    env.ok_at(
        "2026-11-27T10:00:00Z",
        &[
            "subject",
            "erase",
            "--subject",
            "email=maria@example.ru",
            "--yes",
        ],
    );
    let ru = env.ok(&[
        "consent",
        "export",
        "--format",
        "csv",
        "--header-lang",
        "ru",
    ]);
    let rows = read(ru.stdout.as_bytes(), b',');
    let names = column(&rows, "имя");
    assert_eq!(names[2], "данные уничтожены 2026-11-27", "{names:?}");
    assert_eq!(column(&rows, "IP-адрес")[2], "данные уничтожены 2026-11-27");
    assert_eq!(column(&rows, "Дата отзыва")[2], "2026-11-26T10:00:00Z");
    // The withdrawal row: it names the consent it ends, and its data (the reason) went too.
    assert_eq!(column(&rows, "Событие")[4], "withdrawn");
    assert_eq!(column(&rows, "Отзывает №")[4], column(&rows, "№")[2]);
    let en = env.ok(&["consent", "export", "--format", "csv"]);
    let rows = read(en.stdout.as_bytes(), b',');
    assert_eq!(column(&rows, "имя")[2], "erased 2026-11-27");
    // Ivan's data stays.
    assert_eq!(column(&rows, "имя")[0], "Иван");
}

#[test]
fn filters_select_rows_and_an_empty_selection_still_has_its_header() {
    let env = setup();
    let r = env.ok(&[
        "consent",
        "export",
        "--format",
        "csv",
        "--since",
        "2026-11-21",
    ]);
    let rows = read(r.stdout.as_bytes(), b',');
    assert_eq!(column(&rows, "имя"), ["Мария", "Мария"]);
    let r = env.ok(&[
        "consent",
        "export",
        "--format",
        "csv",
        "--subject",
        "email=IVAN@example.ru",
        "--agreement",
        "marketing",
    ]);
    let rows = read(r.stdout.as_bytes(), b',');
    assert_eq!(column(&rows, "event"), ["given"]);
    let r = env.ok(&[
        "consent",
        "export",
        "--format",
        "csv",
        "--since",
        "2027-01-01",
    ]);
    let rows = read(r.stdout.as_bytes(), b',');
    assert_eq!(rows.len(), 1, "{rows:?}");
    assert_eq!(rows[0][0], "seq");
    // JSON Lines with a filter: only the selected events.
    let r = env.ok(&["consent", "export", "--event", "refused"]);
    let lines: Vec<Value> = r
        .stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 1);
    assert_eq!(lines[0]["leaf"]["kind"], "refused");
    assert!(lines[0]["salt"].is_string());
}

#[test]
fn a_failed_export_leaves_no_file_and_keeps_an_old_one() {
    let env = setup();
    std::fs::write(env.dir().join("old.csv"), "old\n").unwrap();
    let r = env.fails(&[
        "consent",
        "export",
        "--format",
        "csv",
        "--tz",
        "Mars/Base",
        "-o",
        "old.csv",
    ]);
    assert!(r.stderr.contains("--tz `Mars/Base`"), "{}", r.stderr);
    let r = env.fails(&["consent", "export", "--tz", "UTC"]);
    assert!(r.stderr.contains("shape a CSV export"), "{}", r.stderr);
    let r = env.fails(&["consent", "export", "--format", "csv", "--delimiter", "ab"]);
    assert!(r.stderr.contains("--delimiter `ab`"), "{}", r.stderr);
    // A leaf that cannot be read half-way: the rows before it were written, but to a
    // temporary file that is dropped.
    let conn = rusqlite::Connection::open(env.db()).unwrap();
    conn.execute_batch(
        "DROP TRIGGER ledger_leaves_no_update;
         UPDATE ledger_leaves SET external_id = 'e' || char(769) WHERE seq = (SELECT max(seq) FROM ledger_leaves);",
    )
    .unwrap();
    drop(conn);
    let r = env.run(&["consent", "export", "--format", "csv", "-o", "old.csv"]);
    assert_eq!(r.code, 2, "{}", r.pinned());
    assert_eq!(
        std::fs::read_to_string(env.dir().join("old.csv")).unwrap(),
        "old\n"
    );
    let r = env.run(&["consent", "export", "--format", "csv", "-o", "new.csv"]);
    assert_eq!(r.code, 2, "{}", r.pinned());
    assert!(!env.dir().join("new.csv").exists());
    let leftovers: Vec<_> = std::fs::read_dir(env.dir())
        .unwrap()
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().to_string())
        .filter(|n| n.starts_with('.') && n.contains("tmp"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}
