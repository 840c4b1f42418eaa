//! The consent ledger seen from the command line: `consent record` (flags, --json, --batch),
//! `withdraw`, `status`, `list`, `show`, `export`, and `ledger head/prove/verify`, with
//! the example configuration (contact-form: personal-data required + marketing optional;
//! callback-form; site-chat) applied on 1 November.

use serde_json::Value;
use sha2::Digest as _;

use std::fmt::Write as _;
use std::path::Path;

use crate::common::{Env, NOW, Run, example_file, sha256_hex, write};

const APPLIED: &str = "2026-11-01T10:00:00Z";
const PD: &str = "personal-data";

/// The example applied on 1 November; the clock of every later command is NOW.
fn setup() -> Env {
    let env = Env::new();
    env.ok_at(APPLIED, &["apply", example_file().to_str().unwrap()]);
    env
}

/// `ledger head`: (size, base64 root).
fn head(env: &Env) -> (u64, String) {
    let r = env.ok(&["ledger", "head"]);
    let lines: Vec<&str> = r.stdout.lines().collect();
    assert_eq!(lines.len(), 3, "{}", r.pinned());
    (lines[1].parse().unwrap(), lines[2].to_string())
}

/// A contact-form submission with both boxes ticked, plus `extra` flags.
fn record(env: &Env, email: &str, extra: &[&str]) -> Run {
    let field = format!("email={email}");
    let mut args = vec![
        "consent",
        "record",
        "--source",
        "contact-form",
        "--field",
        &field,
        "--agreement",
        PD,
    ];
    args.extend(extra);
    env.run(&args)
}

fn seqs(r: &Run) -> Vec<u64> {
    r.stdout.lines().map(|l| l.parse().unwrap()).collect()
}

fn show(env: &Env, seq: u64) -> Value {
    env.json(&["consent", "show", &seq.to_string()])
}

fn hex(b: &[u8]) -> String {
    b.iter().map(|b| format!("{b:02x}")).collect()
}

fn unhex(s: &str) -> Vec<u8> {
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
        .collect()
}

/// Every row of every table, sorted, with the schema and `user_version`.
///
/// `common::dump` orders by `rowid`, which the WITHOUT ROWID table `ledger_subjects`
/// (migration 5) does not have, so `Env::fails` and `Env::dump` panic on any database
/// that has the ledger; this dump sorts each table's rows instead.
pub(crate) fn dump(path: &Path) -> String {
    use rusqlite::types::Value as Sql;
    let conn = rusqlite::Connection::open(path).expect("open the database for a dump");
    let mut out = String::new();
    let version: i64 = conn
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .unwrap();
    writeln!(out, "user_version = {version}").unwrap();
    let objects: Vec<(String, String, Option<String>)> = conn
        .prepare("SELECT type, name, sql FROM sqlite_master ORDER BY type, name")
        .and_then(|mut st| {
            st.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
                .collect()
        })
        .unwrap();
    for (kind, name, sql) in &objects {
        writeln!(out, "{kind} {name}: {}", sql.as_deref().unwrap_or("-")).unwrap();
    }
    for (kind, name, _) in &objects {
        if kind != "table" {
            continue;
        }
        writeln!(out, "-- {name}").unwrap();
        let mut st = conn.prepare(&format!("SELECT * FROM \"{name}\"")).unwrap();
        let n = st.column_count();
        let mut rows: Vec<String> = st
            .query_map([], |row| {
                Ok((0..n)
                    .map(|i| format!("{:?}", row.get::<_, Sql>(i).unwrap()))
                    .collect::<Vec<_>>()
                    .join(" | "))
            })
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        rows.sort();
        for r in rows {
            writeln!(out, "{r}").unwrap();
        }
    }
    out
}

/// `Env::fails` with [`dump`]: exit 2, nothing on stdout, `error: ` first, the database as it was.
#[track_caller]
pub(crate) fn fails(env: &Env, args: &[&str]) -> Run {
    let before = dump(&env.db());
    let r = env.run(args);
    assert_eq!(r.code, 2, "{args:?} did not fail with 2:\n{}", r.pinned());
    assert_eq!(r.stdout, "", "{args:?} printed data on failure");
    assert!(r.stderr.starts_with("error: "), "{args:?}: {}", r.stderr);
    assert_eq!(
        dump(&env.db()),
        before,
        "{args:?} was refused but changed the database"
    );
    r
}

// ---------------------------------------------------------------- record: flags

#[test]
fn record_appends_given_for_the_ticked_and_refused_for_the_unticked_optional() {
    let env = setup();
    let (n, _) = head(&env);
    let r = record(&env, "ivan@example.ru", &[]);
    assert_eq!(r.code, 0, "{}", r.pinned());
    assert_eq!(r.stdout, format!("{}\n{}\n", n + 1, n + 2));
    assert_eq!(
        r.stderr,
        format!(
            "recorded given personal-data (seq {}), refused marketing (seq {})\n",
            n + 1,
            n + 2
        )
    );
    assert_eq!(show(&env, n + 1)["event"], "given");
    assert_eq!(show(&env, n + 2)["event"], "refused");
    assert_eq!(show(&env, n + 2)["agreement"], "marketing");
    assert_eq!(head(&env).0, n + 2);
}

#[test]
fn record_both_ticked_gives_two_given_events() {
    let env = setup();
    let r = record(&env, "ivan@example.ru", &["--agreement", "marketing"]);
    assert_eq!(r.code, 0, "{}", r.pinned());
    let s = seqs(&r);
    assert_eq!(s.len(), 2);
    assert!(r.stderr.contains("given personal-data"), "{}", r.stderr);
    assert!(r.stderr.contains("given marketing"), "{}", r.stderr);
    assert_eq!(show(&env, s[1])["event"], "given");
    assert_eq!(show(&env, s[1])["checkbox"]["required"], false);
    assert_eq!(show(&env, s[0])["checkbox"]["required"], true);
}

#[test]
fn record_with_a_single_agreement_source_needs_no_agreement_flag() {
    let env = setup();
    let r = env.run(&[
        "consent",
        "record",
        "--source",
        "callback-form",
        "--field",
        "phone=+79161234567",
    ]);
    assert_eq!(r.code, 0, "{}", r.pinned());
    let s = seqs(&r);
    assert_eq!(s.len(), 1);
    assert!(
        r.stderr.starts_with("recorded given personal-data"),
        "{}",
        r.stderr
    );
    assert_eq!(show(&env, s[0])["source"], "callback-form");
}

#[test]
fn record_json_output_keeps_fields_under_the_sources_captions() {
    let env = setup();
    let v = env.json(&[
        "consent",
        "record",
        "--source",
        "contact-form",
        "--agreement",
        PD,
        "--field",
        "email=ivan@example.ru",
        "--field",
        "phone=+79161234567",
        "--field",
        "name=Иван",
        "--field",
        "Комментарий=перезвоните",
        "--ip",
        "203.0.113.7",
        "--url",
        "https://severny-veter.ru/contacts",
        "--user-agent",
        "Mozilla/5.0",
        "--at",
        "2026-11-28T11:59:00Z",
    ]);
    let a = v.as_array().unwrap();
    assert_eq!(a.len(), 2, "{v:#}");
    let s = &a[0]["subject"];
    assert_eq!(s["fields"]["адрес электронной почты"], "ivan@example.ru");
    assert_eq!(s["fields"]["номер телефона"], "+79161234567");
    assert_eq!(s["fields"]["имя"], "Иван");
    assert_eq!(s["fields"]["комментарий"], "перезвоните");
    assert_eq!(s["ip"], "203.0.113.7");
    assert_eq!(s["url"], "https://severny-veter.ru/contacts");
    assert_eq!(s["user_agent"], "Mozilla/5.0");
    assert_eq!(a[0]["at"], "2026-11-28T11:59:00Z");
    assert_eq!(a[0]["recorded_at"], NOW);
}

#[test]
fn record_a_required_agreement_not_ticked_is_refused_and_changes_nothing() {
    let env = setup();
    let r = fails(
        &env,
        &[
            "consent",
            "record",
            "--source",
            "contact-form",
            "--field",
            "email=a@b.ru",
            "--agreement",
            "marketing",
        ],
    );
    assert!(
        r.stderr.starts_with(
            "error: --agreement: `personal-data` is required on `contact-form` but was not ticked"
        ),
        "{}",
        r.stderr
    );
}

#[test]
fn record_a_multi_agreement_source_without_agreement_is_refused() {
    let env = setup();
    let r = fails(
        &env,
        &[
            "consent",
            "record",
            "--source",
            "contact-form",
            "--field",
            "email=a@b.ru",
        ],
    );
    assert!(
        r.stderr.starts_with("error: --agreement: source `contact-form` carries 2 agreements (personal-data, marketing)"),
        "{}",
        r.stderr
    );
}

#[test]
fn record_an_unknown_source_is_refused_naming_the_flag() {
    let env = setup();
    let r = fails(
        &env,
        &[
            "consent",
            "record",
            "--source",
            "nope",
            "--field",
            "email=a@b.ru",
        ],
    );
    assert_eq!(
        r.stderr,
        "error: --source: no source `nope`; `pdconsent source list` shows the codes\n\
         hint: `pdconsent source show SRC` lists the source's fields and agreements\n"
    );
}

#[test]
fn record_an_agreement_the_source_does_not_carry_is_refused() {
    let env = setup();
    let r = record(&env, "a@b.ru", &["--agreement", "reviews"]);
    assert_eq!(r.code, 2, "{}", r.pinned());
    assert!(
        r.stderr.starts_with("error: --agreement: `reviews` is not an agreement of source `contact-form`; it carries personal-data, marketing"),
        "{}",
        r.stderr
    );
    let r = fails(
        &env,
        &[
            "consent",
            "record",
            "--source",
            "contact-form",
            "--field",
            "email=a@b.ru",
            "--agreement",
            PD,
            "--refused",
            "nope",
        ],
    );
    assert!(
        r.stderr
            .starts_with("error: --refused: `nope` is not an agreement"),
        "{}",
        r.stderr
    );
}

#[test]
fn record_ticked_and_refused_at_once_is_refused() {
    let env = setup();
    let r = fails(
        &env,
        &[
            "consent",
            "record",
            "--source",
            "contact-form",
            "--field",
            "email=a@b.ru",
            "--agreement",
            PD,
            "--agreement",
            "marketing",
            "--refused",
            "marketing",
        ],
    );
    assert!(
        r.stderr.contains("`marketing` is both ticked and refused"),
        "{}",
        r.stderr
    );
}

#[test]
fn record_an_unknown_field_is_refused_naming_it_unless_extra_fields_are_allowed() {
    let env = setup();
    let r = fails(
        &env,
        &[
            "consent",
            "record",
            "--source",
            "contact-form",
            "--agreement",
            PD,
            "--field",
            "email=a@b.ru",
            "--field",
            "паспорт=4510 123456",
        ],
    );
    assert!(
        r.stderr.starts_with(
            "error: --field паспорт: `паспорт` is not a field of source `contact-form`"
        ),
        "{}",
        r.stderr
    );
    let v = env.json(&[
        "consent",
        "record",
        "--source",
        "contact-form",
        "--agreement",
        PD,
        "--field",
        "email=a@b.ru",
        "--field",
        "паспорт=4510 123456",
        "--allow-extra-fields",
    ]);
    assert_eq!(v[0]["subject"]["fields"]["паспорт"], "4510 123456");
}

#[test]
fn record_the_same_field_twice_is_refused() {
    let env = setup();
    let r = fails(
        &env,
        &[
            "consent",
            "record",
            "--source",
            "contact-form",
            "--agreement",
            PD,
            "--field",
            "email=a@b.ru",
            "--field",
            "адрес электронной почты=c@d.ru",
        ],
    );
    assert!(r.stderr.contains("given twice"), "{}", r.stderr);
}

#[test]
fn record_ipv4_and_ipv6_are_validated_and_canonicalised() {
    let env = setup();
    let r = record(&env, "a@b.ru", &["--ip", "2001:DB8:0:0::1"]);
    assert_eq!(r.code, 0, "{}", r.pinned());
    assert_eq!(show(&env, seqs(&r)[0])["subject"]["ip"], "2001:db8::1");
    let r = record(&env, "c@d.ru", &["--ip", " 203.0.113.7 "]);
    assert_eq!(r.code, 0, "{}", r.pinned());
    assert_eq!(show(&env, seqs(&r)[0])["subject"]["ip"], "203.0.113.7");
    let r = fails(
        &env,
        &[
            "consent",
            "record",
            "--source",
            "contact-form",
            "--field",
            "email=a@b.ru",
            "--agreement",
            PD,
            "--ip",
            "1.2.3.999",
        ],
    );
    assert_eq!(
        r.stderr.lines().next().unwrap(),
        "error: --ip: `1.2.3.999` is not an IPv4 or IPv6 address (e.g. 203.0.113.7 or 2001:db8::1)"
    );
}

#[test]
fn record_url_must_be_http_or_https() {
    let env = setup();
    for bad in [
        "ftp://severny-veter.ru/",
        "severny-veter.ru/contacts",
        "javascript:alert(1)",
    ] {
        let r = fails(
            &env,
            &[
                "consent",
                "record",
                "--source",
                "contact-form",
                "--field",
                "email=a@b.ru",
                "--agreement",
                PD,
                "--url",
                bad,
            ],
        );
        assert!(
            r.stderr
                .starts_with(&format!("error: --url: `{bad}` is not an http(s) address")),
            "{}",
            r.stderr
        );
    }
    let r = record(
        &env,
        "a@b.ru",
        &["--url", "http://severny-veter.ru/contacts?utm=1"],
    );
    assert_eq!(r.code, 0, "{}", r.pinned());
}

#[test]
fn record_at_more_than_five_minutes_ahead_is_refused_and_up_to_five_accepted() {
    let env = setup();
    let r = fails(
        &env,
        &[
            "consent",
            "record",
            "--source",
            "contact-form",
            "--field",
            "email=a@b.ru",
            "--agreement",
            PD,
            "--at",
            "2026-11-28T12:06:00Z",
        ],
    );
    assert!(
        r.stderr.starts_with(
            "error: --at: `2026-11-28T12:06:00Z` is in the future (now is 2026-11-28T12:00:00Z)"
        ),
        "{}",
        r.stderr
    );
    let r = record(&env, "a@b.ru", &["--at", "2026-11-28T12:04:00Z"]);
    assert_eq!(r.code, 0, "{}", r.pinned());
    assert_eq!(show(&env, seqs(&r)[0])["at"], "2026-11-28T12:04:00Z");
}

#[test]
fn record_at_is_converted_to_utc_and_a_non_rfc3339_time_is_refused() {
    let env = setup();
    let r = record(&env, "a@b.ru", &["--at", "2026-11-28T14:30:00+03:00"]);
    assert_eq!(r.code, 0, "{}", r.pinned());
    assert_eq!(show(&env, seqs(&r)[0])["at"], "2026-11-28T11:30:00Z");
    for bad in ["28.11.2026", "yesterday", "2026-13-01T00:00:00Z"] {
        let r = fails(
            &env,
            &[
                "consent",
                "record",
                "--source",
                "contact-form",
                "--field",
                "email=a@b.ru",
                "--agreement",
                PD,
                "--at",
                bad,
            ],
        );
        assert!(r.stderr.starts_with("error: --at: "), "{bad}: {}", r.stderr);
    }
}

#[test]
fn record_at_before_the_text_existed_is_refused() {
    let env = setup();
    let r = fails(
        &env,
        &[
            "consent",
            "record",
            "--source",
            "contact-form",
            "--field",
            "email=a@b.ru",
            "--agreement",
            PD,
            "--at",
            "2026-10-01T00:00:00Z",
        ],
    );
    assert!(
        r.stderr.starts_with("error: --at: 2026-10-01T00:00:00Z is before `personal-data` had a text on `contact-form` (its first is from 2026-11-01T10:00:00Z)"),
        "{}",
        r.stderr
    );
}

#[test]
fn record_external_id_is_idempotent() {
    let env = setup();
    let first = record(&env, "a@b.ru", &["--external-id", "form-42"]);
    assert_eq!(first.code, 0, "{}", first.pinned());
    let before = dump(&env.db());
    let again = record(&env, "a@b.ru", &["--external-id", "form-42"]);
    assert_eq!(again.code, 0, "{}", again.pinned());
    assert_eq!(again.stdout, first.stdout);
    let s = seqs(&first);
    assert_eq!(
        again.stderr,
        format!(
            "already recorded under this external id: seq {}, {} (nothing added)\n",
            s[0], s[1]
        )
    );
    assert_eq!(dump(&env.db()), before, "a duplicate changed the database");
    assert_eq!(show(&env, s[0])["external_id"], "form-42");
}

#[test]
fn record_external_id_is_per_source() {
    let env = setup();
    let a = record(&env, "a@b.ru", &["--external-id", "42"]);
    let b = env.ok(&[
        "consent",
        "record",
        "--source",
        "callback-form",
        "--field",
        "phone=+79161234567",
        "--external-id",
        "42",
    ]);
    assert!(seqs(&b)[0] > seqs(&a)[1], "{} / {}", a.stdout, b.stdout);
    assert!(b.stderr.starts_with("recorded "), "{}", b.stderr);
}

#[test]
fn record_text_sha256_of_the_current_text_is_accepted() {
    let env = setup();
    let cur = record(&env, "a@b.ru", &[]);
    let sha = show(&env, seqs(&cur)[0])["text_sha256"]
        .as_str()
        .unwrap()
        .to_string();
    let r = record(&env, "c@d.ru", &["--text-sha256", &format!("{PD}={sha}")]);
    assert_eq!(r.code, 0, "{}", r.pinned());
    assert_eq!(show(&env, seqs(&r)[0])["text_sha256"], sha.as_str());
}

#[test]
fn record_text_sha256_of_an_earlier_text_is_pinned_to_its_revision() {
    let env = setup();
    let old = record(&env, "a@b.ru", &[]);
    let old_sha = show(&env, seqs(&old)[0])["text_sha256"]
        .as_str()
        .unwrap()
        .to_string();
    env.ok_at(
        "2026-11-20T10:00:00Z",
        &["agreement", "edit", PD, "--add-purpose", "ответы на отзывы"],
    );
    let now = record(&env, "b@b.ru", &[]);
    let v = show(&env, seqs(&now)[0]);
    assert_eq!(v["revision"], 2);
    assert_ne!(v["text_sha256"], old_sha.as_str());
    let r = record(
        &env,
        "c@d.ru",
        &["--text-sha256", &format!("{PD}={old_sha}")],
    );
    assert_eq!(r.code, 0, "{}", r.pinned());
    let v = show(&env, seqs(&r)[0]);
    assert_eq!(v["revision"], 1, "{v:#}");
    assert_eq!(v["text_sha256"], old_sha.as_str());
    assert_eq!(sha256_hex(v["text"].as_str().unwrap().as_bytes()), old_sha);
}

#[test]
fn record_an_unknown_text_sha256_is_refused() {
    let env = setup();
    let fake = "0".repeat(64);
    let r = fails(
        &env,
        &[
            "consent",
            "record",
            "--source",
            "contact-form",
            "--field",
            "email=a@b.ru",
            "--agreement",
            PD,
            "--text-sha256",
            &format!("{PD}={fake}"),
        ],
    );
    assert!(
        r.stderr.starts_with(&format!("error: --text-sha256 personal-data: pdconsent never produced the text {fake} for `personal-data` on `contact-form`")),
        "{}",
        r.stderr
    );
}

#[test]
fn record_a_text_sha256_of_another_pair_is_refused() {
    let env = setup();
    let m = record(&env, "a@b.ru", &["--agreement", "marketing"]);
    let marketing_sha = show(&env, seqs(&m)[1])["text_sha256"]
        .as_str()
        .unwrap()
        .to_string();
    let r = fails(
        &env,
        &[
            "consent",
            "record",
            "--source",
            "contact-form",
            "--field",
            "email=a@b.ru",
            "--agreement",
            PD,
            "--text-sha256",
            &format!("{PD}={marketing_sha}"),
        ],
    );
    assert!(r.stderr.contains("never produced the text"), "{}", r.stderr);
    let r = fails(
        &env,
        &[
            "consent",
            "record",
            "--source",
            "contact-form",
            "--field",
            "email=a@b.ru",
            "--agreement",
            PD,
            "--text-sha256",
            &format!("reviews={marketing_sha}"),
        ],
    );
    assert!(
        r.stderr.starts_with(
            "error: --text-sha256 reviews: `reviews` is not an agreement of source `contact-form`"
        ),
        "{}",
        r.stderr
    );
}

// ---------------------------------------------------------------- record: --json

#[test]
fn record_json_from_a_file_and_from_stdin() {
    let env = setup();
    let sub = r#"{"source":"contact-form","fields":{"email":"a@b.ru","имя":"Анна"},"agreements":["personal-data","marketing"],"ip":"203.0.113.9"}"#;
    let f = write(&env, "sub.json", sub);
    let r = env.ok(&["consent", "record", "--json", &f]);
    let s = seqs(&r);
    assert_eq!(s.len(), 2);
    assert_eq!(show(&env, s[1])["event"], "given");
    assert_eq!(show(&env, s[0])["subject"]["fields"]["имя"], "Анна");
    let out = env
        .command(&["consent", "record", "--json", "-"])
        .write_stdin(sub)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(
        String::from_utf8(out.stdout).unwrap(),
        format!("{}\n{}\n", s[1] + 1, s[1] + 2)
    );
}

#[test]
fn record_json_that_is_not_a_submission_is_refused() {
    let env = setup();
    let f = write(&env, "bad.json", r#"{"source": 5}"#);
    let r = fails(&env, &["consent", "record", "--json", &f]);
    assert!(r.stderr.contains("not a submission"), "{}", r.stderr);
    let f = write(
        &env,
        "bad2.json",
        r#"{"source":"contact-form","fields":{"email":"a@b.ru"},"agreements":["personal-data"],"ip":"nope"}"#,
    );
    let r = fails(&env, &["consent", "record", "--json", &f]);
    assert!(r.stderr.starts_with("error: --ip: `nope`"), "{}", r.stderr);
}

#[test]
fn record_json_conflicts_with_flags() {
    let env = setup();
    let f = write(&env, "sub.json", "{}");
    let r = env.run(&["consent", "record", "--json", &f, "--ip", "1.2.3.4"]);
    assert_eq!(r.code, 2, "{}", r.pinned());
    assert_eq!(r.stdout, "");
    assert!(r.stderr.contains("cannot be used with"), "{}", r.stderr);
}

// ---------------------------------------------------------------- record: --batch

fn batch_lines() -> String {
    [
        r#"{"source":"contact-form","fields":{"email":"a@b.ru"},"agreements":["personal-data"]}"#,
        r#"{"source":"nope","fields":{"email":"b@b.ru"}}"#,
        "",
        r#"{"source":"callback-form","fields":{"phone":"+79161234567"}}"#,
        r#"{"source":"contact-form","fields":{"email":"c@b.ru"},"agreements":["marketing"]}"#,
        r#"not json"#,
        r#"{"source":"contact-form","fields":{"email":"d@b.ru"},"agreements":["personal-data"],"ip":"999.1.1.1"}"#,
    ]
    .join("\n")
        + "\n"
}

#[test]
fn batch_prints_one_result_per_line_and_exits_1_when_any_is_refused() {
    let env = setup();
    let (n, _) = head(&env);
    let f = write(&env, "in.jsonl", &batch_lines());
    let r = env.run(&["consent", "record", "--batch", &f]);
    assert_eq!(r.code, 1, "{}", r.pinned());
    let out: Vec<Value> = r
        .stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let lines: Vec<u64> = out.iter().map(|v| v["line"].as_u64().unwrap()).collect();
    assert_eq!(lines, [1, 2, 4, 5, 6, 7], "{}", r.stdout);
    assert_eq!(out[0]["seq"], serde_json::json!([n + 1, n + 2]));
    assert_eq!(
        out[0]["events"][0],
        serde_json::json!({"seq": n + 1, "event": "given", "agreement": PD})
    );
    assert_eq!(out[0]["events"][1]["event"], "refused");
    assert_eq!(out[1]["error"]["field"], "source");
    assert!(out[1]["seq"].is_null());
    assert_eq!(out[2]["seq"], serde_json::json!([n + 3]));
    assert_eq!(out[3]["error"]["field"], "agreements");
    assert_eq!(out[4]["error"]["field"], "line");
    assert_eq!(out[5]["error"]["field"], "ip");
    assert!(
        r.stderr
            .contains("2 submissions recorded, 0 already recorded, 4 refused"),
        "{}",
        r.stderr
    );
    assert_eq!(head(&env).0, n + 3, "refused lines added events");
}

#[test]
fn batch_from_stdin_all_accepted_exits_0_and_repeats_are_duplicates() {
    let env = setup();
    let input = (0..5)
        .map(|i| format!(r#"{{"source":"callback-form","fields":{{"phone":"+7916000000{i}"}},"external_id":"b{i}"}}"#))
        .collect::<Vec<_>>()
        .join("\n");
    let out = env
        .command(&["consent", "record", "--batch", "-", "--group-lines", "2"])
        .write_stdin(input.clone())
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let first = String::from_utf8(out.stdout).unwrap();
    assert_eq!(first.lines().count(), 5);
    let before = dump(&env.db());
    let again = env
        .command(&["consent", "record", "--batch", "-", "--group-ms", "1"])
        .write_stdin(input)
        .output()
        .unwrap();
    assert_eq!(again.status.code(), Some(0));
    let again_out = String::from_utf8(again.stdout).unwrap();
    for (a, b) in first.lines().zip(again_out.lines()) {
        let (a, b): (Value, Value) = (
            serde_json::from_str(a).unwrap(),
            serde_json::from_str(b).unwrap(),
        );
        assert_eq!(a["seq"], b["seq"]);
        assert_eq!(b["duplicate"], true);
    }
    assert!(
        String::from_utf8(again.stderr)
            .unwrap()
            .contains("0 submissions recorded, 5 already recorded, 0 refused")
    );
    assert_eq!(dump(&env.db()), before);
}

#[test]
fn batch_a_refused_line_names_the_field_of_the_submission() {
    let env = setup();
    let f = write(
        &env,
        "in.jsonl",
        concat!(
            r#"{"source":"contact-form","fields":{"email":"a@b.ru","паспорт":"1"},"agreements":["personal-data"]}"#,
            "\n",
            r#"{"source":"contact-form","fields":{"email":"a@b.ru"},"agreements":["personal-data"],"text_sha256":{"personal-data":"0000000000000000000000000000000000000000000000000000000000000000"}}"#,
            "\n",
        ),
    );
    let before = dump(&env.db());
    let r = env.run(&["consent", "record", "--batch", &f]);
    assert_eq!(r.code, 1, "{}", r.pinned());
    let out: Vec<Value> = r
        .stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(out[0]["error"]["field"], "fields.паспорт");
    assert_eq!(out[1]["error"]["field"], "text_sha256.personal-data");
    assert!(
        out[1]["error"]["message"]
            .as_str()
            .unwrap()
            .contains("never produced the text")
    );
    assert_eq!(
        dump(&env.db()),
        before,
        "refused lines changed the database"
    );
}

#[test]
fn batch_conflicts_with_single_submission_flags() {
    let env = setup();
    let f = write(&env, "in.jsonl", "");
    let r = env.run(&["consent", "record", "--batch", &f, "--external-id", "x"]);
    assert_eq!(r.code, 2, "{}", r.pinned());
    assert!(r.stderr.contains("cannot be used with"), "{}", r.stderr);
    let r = env.run(&["consent", "record", "--batch", &f, "--group-lines", "0"]);
    assert_eq!(r.code, 2, "{}", r.pinned());
}

// ---------------------------------------------------------------- withdraw

#[test]
fn withdraw_by_seq_appends_a_withdrawal_and_prints_the_destroy_by_date() {
    let env = setup();
    let s = seqs(&record(&env, "a@b.ru", &[]));
    let (n, _) = head(&env);
    let r = env.ok(&[
        "consent",
        "withdraw",
        &s[0].to_string(),
        "--reason",
        "не хочу",
        "--channel",
        "email",
    ]);
    assert_eq!(
        r.stdout,
        format!(
            "{}\twithdraws {}\tpersonal-data\tdestroy by 2026-12-28T12:00:00Z\n",
            n + 1,
            s[0]
        )
    );
    assert_eq!(
        r.stderr,
        "withdrew 1 consent(s); stop processing and destroy the data by 2026-12-28T12:00:00Z (152-FZ art. 21 §5: 30 days)\n"
    );
    let w = show(&env, n + 1);
    assert_eq!(w["event"], "withdrawn");
    assert_eq!(w["withdraws"], s[0]);
    assert_eq!(w["channel"], "email");
    assert_eq!(w["subject"]["reason"], "не хочу");
    let c = show(&env, s[0]);
    assert_eq!(c["status"], "withdrawn");
    assert_eq!(c["withdrawn_by"], n + 1);
}

#[test]
fn withdraw_at_sets_the_time_and_the_destroy_by_date_follows_it() {
    let env = setup();
    let s = seqs(&record(&env, "a@b.ru", &["--at", "2026-11-28T10:00:00Z"]));
    let r = env.ok(&[
        "consent",
        "withdraw",
        &s[0].to_string(),
        "--at",
        "2026-11-28T11:00:00Z",
    ]);
    assert!(
        r.stdout.ends_with("destroy by 2026-12-28T11:00:00Z\n"),
        "{}",
        r.stdout
    );
    assert_eq!(show(&env, s[0])["withdrawn_at"], "2026-11-28T11:00:00Z");
}

#[test]
fn withdraw_twice_reports_it_and_adds_nothing() {
    let env = setup();
    let s = seqs(&record(&env, "a@b.ru", &[]));
    env.ok(&["consent", "withdraw", &s[0].to_string()]);
    let before = dump(&env.db());
    let r = env.run(&["consent", "withdraw", &s[0].to_string()]);
    assert_eq!(r.code, 0, "{}", r.pinned());
    assert_eq!(r.stdout, "");
    assert_eq!(
        r.stderr,
        format!(
            "consent {} was withdrawn already (seq {}, {NOW}); nothing added for it\n",
            s[0],
            s[1] + 1
        )
    );
    assert_eq!(dump(&env.db()), before);
}

#[test]
fn withdraw_a_refused_event_is_refused() {
    let env = setup();
    let s = seqs(&record(&env, "a@b.ru", &[]));
    let r = fails(&env, &["consent", "withdraw", &s[1].to_string()]);
    assert_eq!(
        r.stderr,
        format!(
            "error: event {0} is a `refused` event, not a consent: only a given consent can be withdrawn\nhint: `pdconsent consent show {0}` shows it\n",
            s[1]
        )
    );
}

#[test]
fn withdraw_an_unknown_seq_or_a_configuration_leaf_is_refused() {
    let env = setup();
    let s = seqs(&record(&env, "a@b.ru", &[]));
    let r = fails(&env, &["consent", "withdraw", "999"]);
    assert!(
        r.stderr.starts_with("error: there is no event 999"),
        "{}",
        r.stderr
    );
    let r = fails(&env, &["consent", "withdraw", &s[0].to_string(), "1"]);
    assert!(
        r.stderr
            .starts_with("error: event 1 is a `requisites_revision` event"),
        "{}",
        r.stderr
    );
}

#[test]
fn withdraw_by_subject_ends_every_consent_of_the_person() {
    let env = setup();
    let a = seqs(&record(
        &env,
        "ivan@example.ru",
        &["--agreement", "marketing"],
    ));
    let other = seqs(&record(&env, "anna@example.ru", &[]));
    let r = env.ok(&["consent", "withdraw", "--subject", "email=IVAN@example.ru"]);
    assert_eq!(r.stdout.lines().count(), 2, "{}", r.stdout);
    assert!(
        r.stderr.starts_with("withdrew 2 consent(s)"),
        "{}",
        r.stderr
    );
    assert_eq!(show(&env, a[0])["status"], "withdrawn");
    assert_eq!(show(&env, a[1])["status"], "withdrawn");
    assert_eq!(show(&env, other[0])["status"], "active");
}

#[test]
fn withdraw_by_subject_and_agreement_ends_only_that_agreement() {
    let env = setup();
    let a = seqs(&record(
        &env,
        "ivan@example.ru",
        &["--agreement", "marketing"],
    ));
    let r = env.ok(&[
        "consent",
        "withdraw",
        "--subject",
        "email=ivan@example.ru",
        "--agreement",
        "marketing",
    ]);
    assert_eq!(r.stdout.lines().count(), 1, "{}", r.stdout);
    assert!(r.stdout.contains("\tmarketing\t"), "{}", r.stdout);
    assert_eq!(show(&env, a[0])["status"], "active");
    assert_eq!(show(&env, a[1])["status"], "withdrawn");
}

#[test]
fn withdraw_by_subject_with_no_match_is_refused() {
    let env = setup();
    record(&env, "ivan@example.ru", &[]);
    let r = fails(
        &env,
        &[
            "consent",
            "withdraw",
            "--subject",
            "email=nobody@example.ru",
        ],
    );
    assert_eq!(
        r.stderr,
        "error: no consent matches\nhint: `pdconsent consent list --subject KEY=VALUE` shows what is recorded for a person\n"
    );
    let r = fails(
        &env,
        &[
            "consent",
            "withdraw",
            "--subject",
            "email=ivan@example.ru",
            "--source",
            "callback-form",
        ],
    );
    assert!(
        r.stderr.starts_with("error: no consent matches"),
        "{}",
        r.stderr
    );
}

#[test]
fn withdraw_needs_a_seq_or_a_subject() {
    let env = setup();
    let r = env.run(&["consent", "withdraw"]);
    assert_eq!(r.code, 2, "{}", r.pinned());
    assert_eq!(r.stdout, "");
    let r = env.run(&["consent", "withdraw", "--agreement", PD]);
    assert_eq!(r.code, 2, "{}", r.pinned());
}

// ---------------------------------------------------------------- status

fn status(env: &Env, source: &str, subject: &str) -> Run {
    env.run(&[
        "consent",
        "status",
        "--source",
        source,
        "--subject",
        subject,
    ])
}

#[test]
fn status_is_given_for_a_consent_and_none_for_a_stranger() {
    let env = setup();
    record(&env, "ivan@example.ru", &[]);
    let r = status(&env, "contact-form", "email=ivan@example.ru");
    assert_eq!(
        (r.code, r.stdout.as_str(), r.stderr.as_str()),
        (0, "given\n", "")
    );
    let r = status(&env, "contact-form", "email=anna@example.ru");
    assert_eq!(
        (r.code, r.stdout.as_str(), r.stderr.as_str()),
        (1, "none\n", "")
    );
    let r = status(&env, "callback-form", "email=ivan@example.ru");
    assert_eq!((r.code, r.stdout.as_str()), (1, "none\n"));
}

#[test]
fn status_is_withdrawn_after_a_withdrawal() {
    let env = setup();
    let s = seqs(&record(&env, "ivan@example.ru", &[]));
    env.ok(&["consent", "withdraw", &s[0].to_string()]);
    let r = status(&env, "contact-form", "email=ivan@example.ru");
    assert_eq!(
        (r.code, r.stdout.as_str(), r.stderr.as_str()),
        (1, "withdrawn\n", "")
    );
}

#[test]
fn status_matches_email_regardless_of_case() {
    let env = setup();
    record(&env, "Ivan.Petrov@Example.RU", &[]);
    let r = status(&env, "contact-form", "email=ivan.petrov@example.ru");
    assert_eq!(
        (r.code, r.stdout.as_str()),
        (0, "given\n"),
        "{}",
        r.pinned()
    );
    let r = status(
        &env,
        "contact-form",
        "адрес электронной почты=IVAN.PETROV@EXAMPLE.RU",
    );
    assert_eq!(
        (r.code, r.stdout.as_str()),
        (0, "given\n"),
        "{}",
        r.pinned()
    );
}

#[test]
fn status_matches_a_phone_in_any_notation() {
    let env = setup();
    env.ok(&[
        "consent",
        "record",
        "--source",
        "callback-form",
        "--field",
        "phone=8 (916) 123-45-67",
    ]);
    for p in [
        "+79161234567",
        "8 (916) 123-45-67",
        "+7 916 123 45 67",
        "79161234567",
    ] {
        let r = status(&env, "callback-form", &format!("phone={p}"));
        assert_eq!(
            (r.code, r.stdout.as_str()),
            (0, "given\n"),
            "{p}: {}",
            r.pinned()
        );
    }
    let r = status(&env, "callback-form", "phone=+79161234568");
    assert_eq!((r.code, r.stdout.as_str()), (1, "none\n"));
}

#[test]
fn status_of_an_unknown_source_is_an_error() {
    let env = setup();
    let r = fails(
        &env,
        &[
            "consent",
            "status",
            "--source",
            "nope",
            "--subject",
            "email=a@b.ru",
        ],
    );
    assert!(r.stderr.contains("nope"), "{}", r.stderr);
    let r = fails(
        &env,
        &[
            "consent",
            "status",
            "--source",
            "contact-form",
            "--subject",
            "email=",
        ],
    );
    assert!(r.stderr.contains("has no value"), "{}", r.stderr);
}

// ---------------------------------------------------------------- list

/// Ivan on the contact form (both ticked, 10:00), Anna on the callback form (11:00) from
/// another address, Ivan's marketing consent withdrawn.
fn populated() -> (Env, Vec<u64>, Vec<u64>, u64) {
    let env = setup();
    let ivan = seqs(&record(
        &env,
        "ivan@example.ru",
        &[
            "--agreement",
            "marketing",
            "--ip",
            "203.0.113.7",
            "--url",
            "https://severny-veter.ru/contacts?utm=mail",
            "--at",
            "2026-11-27T10:00:00Z",
        ],
    ));
    let anna = seqs(&env.ok(&[
        "consent",
        "record",
        "--source",
        "callback-form",
        "--field",
        "phone=+79161234567",
        "--ip",
        "198.51.100.1",
        "--url",
        "https://severny-veter.ru/callback",
        "--at",
        "2026-11-28T11:00:00Z",
    ]));
    let w = env.ok(&["consent", "withdraw", &ivan[1].to_string()]);
    let wseq: u64 = w.stdout.split('\t').next().unwrap().parse().unwrap();
    (env, ivan, anna, wseq)
}

fn listed(env: &Env, filters: &[&str]) -> Vec<u64> {
    let mut args = vec!["consent", "list"];
    args.extend(filters);
    env.json(&args)
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["seq"].as_u64().unwrap())
        .collect()
}

#[test]
fn list_shows_events_newest_first_and_no_configuration_leaves() {
    let (env, ivan, anna, w) = populated();
    assert_eq!(listed(&env, &[]), [w, anna[0], ivan[1], ivan[0]]);
    let r = env.ok(&["consent", "list"]);
    assert_eq!(r.stdout.lines().count(), 2 + 4, "{}", r.stdout);
    assert!(r.stdout.starts_with("| SEQ | EVENT"), "{}", r.stdout);
    assert!(r.stdout.contains("ends "), "{}", r.stdout);
    assert_eq!(r.stderr, "");
}

#[test]
fn list_filters_by_agreement_source_kind_and_event() {
    let (env, ivan, anna, w) = populated();
    assert_eq!(listed(&env, &["--agreement", "marketing"]), [w, ivan[1]]);
    assert_eq!(listed(&env, &["--source", "callback-form"]), [anna[0]]);
    assert_eq!(listed(&env, &["--kind", "form"]).len(), 4);
    assert_eq!(listed(&env, &["--kind", "openline"]), Vec::<u64>::new());
    assert_eq!(listed(&env, &["--event", "withdrawn"]), [w]);
    assert_eq!(
        listed(&env, &["--event", "given", "--source", "contact-form"]),
        [ivan[1], ivan[0]]
    );
}

#[test]
fn list_filters_by_time_subject_ip_url_and_status() {
    let (env, ivan, anna, _) = populated();
    assert_eq!(listed(&env, &["--until", "2026-11-27"]), [ivan[1], ivan[0]]);
    assert_eq!(
        listed(
            &env,
            &["--since", "2026-11-28T10:59:00Z", "--event", "given"]
        ),
        [anna[0]]
    );
    assert_eq!(
        listed(&env, &["--subject", "email=IVAN@example.ru"]),
        [ivan[1], ivan[0]]
    );
    assert_eq!(
        listed(&env, &["--subject", "phone=8 916 123-45-67"]),
        [anna[0]]
    );
    assert_eq!(listed(&env, &["--ip", "198.51.100.1"]), [anna[0]]);
    assert_eq!(
        listed(&env, &["--url-contains", "utm=mail"]),
        [ivan[1], ivan[0]]
    );
    assert_eq!(listed(&env, &["--status", "active"]), [anna[0], ivan[0]]);
    assert_eq!(listed(&env, &["--status", "withdrawn"]), [ivan[1]]);
}

#[test]
fn list_pages_with_limit_and_after_and_hints_the_next_page() {
    let (env, ivan, anna, w) = populated();
    let r = env.ok(&["consent", "list", "--limit", "2", "--format", "json"]);
    let got: Vec<u64> = r
        .json()
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["seq"].as_u64().unwrap())
        .collect();
    assert_eq!(got, [w, anna[0]]);
    assert_eq!(
        r.stderr,
        format!("more events: add --after {} for the next page\n", anna[0])
    );
    let r = env.ok(&[
        "consent",
        "list",
        "-n",
        "2",
        "--after",
        &anna[0].to_string(),
        "--format",
        "json",
    ]);
    let got: Vec<u64> = r
        .json()
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["seq"].as_u64().unwrap())
        .collect();
    assert_eq!(got, [ivan[1], ivan[0]]);
    assert_eq!(r.stderr, "", "the last page hints a next one");
}

#[test]
fn list_refuses_a_bad_date_and_an_unknown_event_kind() {
    let (env, ..) = populated();
    let r = fails(&env, &["consent", "list", "--since", "28.11.2026"]);
    assert!(
        r.stderr
            .starts_with("error: `--since 28.11.2026` is not a date or an RFC 3339 time"),
        "{}",
        r.stderr
    );
    let r = env.run(&["consent", "list", "--event", "agreement_revision"]);
    assert_eq!(r.code, 2, "{}", r.pinned());
    assert_eq!(r.stdout, "");
}

// ---------------------------------------------------------------- show

#[test]
fn show_prints_the_event_the_persons_data_and_the_exact_text() {
    let env = setup();
    let s = seqs(&record(&env, "ivan@example.ru", &["--ip", "203.0.113.7"]));
    let v = show(&env, s[0]);
    let text = v["text"].as_str().unwrap();
    assert!(
        text.starts_with("Согласие на обработку персональных данных\n"),
        "{text}"
    );
    assert_eq!(
        sha256_hex(text.as_bytes()),
        v["text_sha256"].as_str().unwrap()
    );
    let r = env.ok(&["consent", "show", &s[0].to_string()]);
    assert!(
        r.stdout.starts_with(&format!(
            "seq            {}\nevent          given\nstatus         active\n",
            s[0]
        )),
        "{}",
        r.stdout
    );
    assert!(
        r.stdout.contains("ip             203.0.113.7\n"),
        "{}",
        r.stdout
    );
    assert!(
        r.stdout.contains(&format!(
            "text sha256    {}\n",
            v["text_sha256"].as_str().unwrap()
        )),
        "{}",
        r.stdout
    );
    assert!(r.stdout.contains(&format!(
        "leaf hash      {}\n",
        v["leaf_hash"].as_str().unwrap()
    )));
    assert!(
        r.stdout.contains(&format!("\n\n{text}")),
        "the text is not printed exactly"
    );
    assert_eq!(r.stderr, "");
}

#[test]
fn show_a_configuration_leaf_is_refused_with_a_hint() {
    let env = setup();
    let r = fails(&env, &["consent", "show", "3"]);
    assert_eq!(
        r.stderr,
        "error: seq 3 is a `agreement_revision` leaf of the configuration history, not a consent event\nhint: `pdconsent ledger prove 3` shows its leaf and proof\n"
    );
    let r = fails(&env, &["consent", "show", "999"]);
    assert!(
        r.stderr.starts_with("error: there is no event 999"),
        "{}",
        r.stderr
    );
}

// ---------------------------------------------------------------- export, head, prove, verify

fn export(env: &Env) -> Vec<Value> {
    let r = env.ok(&["consent", "export"]);
    r.stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

fn leaf_hash(leaf: &Value) -> [u8; 32] {
    // serde_json writes objects in key order and escapes what canonical JSON escapes.
    let mut b = vec![0u8];
    b.extend(serde_json::to_vec(leaf).unwrap());
    sha2::Sha256::digest(&b).into()
}

fn node(l: &[u8; 32], r: &[u8; 32]) -> [u8; 32] {
    let mut h = sha2::Sha256::new();
    h.update([1u8]);
    h.update(l);
    h.update(r);
    h.finalize().into()
}

fn mth(h: &[[u8; 32]]) -> [u8; 32] {
    match h.len() {
        0 => sha2::Sha256::digest(b"").into(),
        1 => h[0],
        n => {
            let k = 1usize << (usize::BITS - (n - 1).leading_zeros() - 1);
            node(&mth(&h[..k]), &mth(&h[k..]))
        }
    }
}

fn b64(h: &[u8; 32]) -> String {
    use base64::Engine as _;
    base64::engine::general_purpose::STANDARD.encode(h)
}

#[test]
fn export_holds_every_leaf_and_its_root_is_the_heads() {
    let (env, ..) = populated();
    let (size, root) = head(&env);
    let all = export(&env);
    assert_eq!(all.len() as u64, size);
    for (i, e) in all.iter().enumerate() {
        assert_eq!(crate::common::keys(e), ["envelope", "leaf", "salt"]);
        assert_eq!(e["leaf"]["seq"], i as u64 + 1);
        assert_eq!(e["leaf"].as_object().unwrap().len(), 19, "{}", e["leaf"]);
    }
    let hashes: Vec<[u8; 32]> = all.iter().map(|e| leaf_hash(&e["leaf"])).collect();
    assert_eq!(b64(&mth(&hashes)), root);
    let r = env.ok(&["consent", "export"]);
    assert_eq!(
        r.stderr,
        format!("exported {size} leaves (4 consent events); tree size {size}, root {root}\n")
    );
}

#[test]
fn export_envelopes_open_their_commitments() {
    let (env, ..) = populated();
    let mut opened = 0;
    for e in export(&env) {
        if e["envelope"].is_null() {
            assert!(e["leaf"]["commitment"].is_null(), "{e}");
            continue;
        }
        let mut h = sha2::Sha256::new();
        h.update(unhex(e["salt"].as_str().unwrap()));
        h.update(serde_json::to_vec(&e["envelope"]).unwrap());
        assert_eq!(
            hex(&h.finalize()),
            e["leaf"]["commitment"].as_str().unwrap(),
            "{e}"
        );
        opened += 1;
    }
    // Ivan's two events share one envelope; the withdrawal without a reason has none.
    assert_eq!(opened, 3);
}

#[test]
fn export_to_a_file_writes_the_same_lines() {
    let (env, ..) = populated();
    let out = env.dir().join("ledger.jsonl");
    let r = env.ok(&["consent", "export", "-o", out.to_str().unwrap()]);
    assert_eq!(r.stdout, "");
    let file = std::fs::read_to_string(&out).unwrap();
    assert_eq!(file, env.ok(&["consent", "export"]).stdout);
}

#[test]
fn ledger_head_prints_origin_size_and_root() {
    let env = setup();
    let (size, root) = head(&env);
    let r = env.ok(&["ledger", "head"]);
    assert_eq!(
        r.stdout,
        format!("severny-veter.ru/consents\n{size}\n{root}\n")
    );
    assert_eq!(r.stderr, "");
    record(&env, "a@b.ru", &[]);
    let (size2, root2) = head(&env);
    assert_eq!(size2, size + 2);
    assert_ne!(root2, root);
}

#[test]
fn ledger_prove_gives_a_path_that_verifies_against_the_head() {
    use pdconsent::domain::ledger::verify_inclusion;
    let (env, ivan, ..) = populated();
    let (size, root) = head(&env);
    let all = export(&env);
    let root_b: [u8; 32] = mth(&all
        .iter()
        .map(|e| leaf_hash(&e["leaf"]))
        .collect::<Vec<_>>());
    assert_eq!(b64(&root_b), root);
    for seq in [1, ivan[0], size] {
        let p = env.json(&["ledger", "prove", &seq.to_string()]);
        assert_eq!(p["tree_size"], size);
        assert_eq!(p["root"], root.as_str());
        let leaf = leaf_hash(&all[seq as usize - 1]["leaf"]);
        assert_eq!(p["leaf_hash"], hex(&leaf));
        let proof: Vec<[u8; 32]> = p["proof"]
            .as_array()
            .unwrap()
            .iter()
            .map(|h| unhex(h.as_str().unwrap()).try_into().unwrap())
            .collect();
        verify_inclusion(seq - 1, size, &leaf, &proof, &root_b).unwrap();
    }
}

#[test]
fn ledger_prove_in_an_earlier_tree_size() {
    use pdconsent::domain::ledger::verify_inclusion;
    let (env, ivan, ..) = populated();
    let all = export(&env);
    let hashes: Vec<[u8; 32]> = all.iter().map(|e| leaf_hash(&e["leaf"])).collect();
    let size = ivan[1];
    let p = env.json(&[
        "ledger",
        "prove",
        &ivan[0].to_string(),
        "--size",
        &size.to_string(),
    ]);
    assert_eq!(p["tree_size"], size);
    let r = mth(&hashes[..size as usize]);
    assert_eq!(p["root_hex"], hex(&r));
    let proof: Vec<[u8; 32]> = p["proof"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| unhex(h.as_str().unwrap()).try_into().unwrap())
        .collect();
    verify_inclusion(ivan[0] - 1, size, &hashes[ivan[0] as usize - 1], &proof, &r).unwrap();
    let text = env.ok(&["ledger", "prove", &ivan[0].to_string()]);
    assert!(text.stdout.starts_with(&format!(
        "seq {} (leaf index {}) in the tree of",
        ivan[0],
        ivan[0] - 1
    )));
}

#[test]
fn ledger_prove_refuses_a_seq_outside_the_tree_and_a_size_too_large() {
    let env = setup();
    let (size, _) = head(&env);
    let r = fails(&env, &["ledger", "prove", &(size + 1).to_string()]);
    assert!(
        r.stderr.starts_with(&format!(
            "error: seq {} is not in a tree of {size} leaves",
            size + 1
        )),
        "{}",
        r.stderr
    );
    let r = fails(&env, &["ledger", "prove", "0"]);
    assert!(
        r.stderr.starts_with("error: seq 0 is not in a tree"),
        "{}",
        r.stderr
    );
    let r = fails(
        &env,
        &["ledger", "prove", "1", "--size", &(size + 1).to_string()],
    );
    assert!(
        r.stderr.starts_with(&format!(
            "error: --size {} is larger than the tree ({size} leaves)",
            size + 1
        )),
        "{}",
        r.stderr
    );
    let r = fails(&env, &["ledger", "prove", "5", "--size", "3"]);
    assert!(
        r.stderr
            .starts_with("error: seq 5 is not in a tree of 3 leaves"),
        "{}",
        r.stderr
    );
}

#[test]
fn ledger_verify_is_clean_and_accepts_its_own_head() {
    let (env, ..) = populated();
    let (size, root) = head(&env);
    let r = env.ok(&["ledger", "verify"]);
    assert_eq!(r.stdout, "");
    assert_eq!(
        r.stderr,
        format!(
            "ok: {size} leaves (4 consent events, {} configuration), 3 envelopes checked, 0 erased; root {root}\n",
            size - 4
        )
    );
    env.ok(&[
        "ledger",
        "verify",
        "--expect-head",
        &format!("{size}:{root}"),
    ]);
    record(&env, "later@b.ru", &[]);
    let r = env.ok(&[
        "ledger",
        "verify",
        "--expect-head",
        &format!("{size}:{root}"),
    ]);
    assert!(r.stderr.starts_with("ok: "), "{}", r.stderr);
    let v = env.json(&["ledger", "verify"]);
    assert_eq!(v["ok"], true);
    assert_eq!(v["problems"], serde_json::json!([]));
}

#[test]
fn ledger_verify_refuses_a_malformed_expected_head() {
    let env = setup();
    for bad in ["12", "x:abc", "12:not-base64!"] {
        let r = fails(&env, &["ledger", "verify", "--expect-head", bad]);
        assert!(
            r.stderr
                .starts_with(&format!("error: `--expect-head {bad}` is not SIZE:ROOT")),
            "{}",
            r.stderr
        );
    }
}

#[test]
fn ledger_verify_with_a_wrong_expected_head_exits_1() {
    let env = setup();
    let (size, _) = head(&env);
    let wrong = "0".repeat(64);
    let r = env.run(&[
        "ledger",
        "verify",
        "--expect-head",
        &format!("{size}:{wrong}"),
    ]);
    assert_eq!(r.code, 1, "{}", r.pinned());
    assert!(
        r.stdout.contains(&format!(
            "the first {size} leaves do not have the expected root"
        )),
        "{}",
        r.stdout
    );
    let r = env.run(&[
        "ledger",
        "verify",
        "--expect-head",
        &format!("{}:{wrong}", size + 5),
    ]);
    assert_eq!(r.code, 1, "{}", r.pinned());
    assert!(
        r.stdout.contains("it was truncated or rolled back"),
        "{}",
        r.stdout
    );
}

// ---------------------------------------------------------------- edge cases

#[test]
fn record_normalises_fields_to_nfc_and_the_ledger_still_verifies() {
    let env = setup();
    // И + combining breve: NFC makes it Й.
    let r = env.ok(&[
        "consent",
        "record",
        "--source",
        "callback-form",
        "--field",
        "name=\u{418}\u{306}ван",
        "--field",
        "phone=+79161234567",
    ]);
    assert_eq!(
        show(&env, seqs(&r)[0])["subject"]["fields"]["имя"],
        "\u{419}ван"
    );
    env.ok(&["ledger", "verify"]);
}

#[test]
fn record_a_control_character_is_refused_naming_the_flag() {
    let env = setup();
    let r = fails(
        &env,
        &[
            "consent",
            "record",
            "--source",
            "callback-form",
            "--field",
            "phone=+79161234567",
            "--user-agent",
            "Mozilla\u{1}",
        ],
    );
    assert!(
        r.stderr
            .starts_with("error: --user-agent: contains a control character"),
        "{}",
        r.stderr
    );
}

#[test]
fn batch_the_same_external_id_twice_in_one_group_records_once() {
    let env = setup();
    let line =
        r#"{"source":"callback-form","fields":{"phone":"+79161234567"},"external_id":"same"}"#;
    let f = write(&env, "in.jsonl", &format!("{line}\n{line}\n"));
    let (n, _) = head(&env);
    let r = env.run(&["consent", "record", "--batch", &f]);
    assert_eq!(r.code, 0, "{}", r.pinned());
    let out: Vec<Value> = r
        .stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(out[0]["seq"], serde_json::json!([n + 1]));
    assert_eq!(out[1]["seq"], serde_json::json!([n + 1]));
    assert_eq!(out[1]["duplicate"], true);
    assert_eq!(head(&env).0, n + 1);
}

#[test]
fn withdraw_at_before_the_consent_or_in_the_future_is_refused() {
    let env = setup();
    let s = seqs(&record(&env, "a@b.ru", &["--at", "2026-11-28T11:00:00Z"]));
    let r = fails(
        &env,
        &[
            "consent",
            "withdraw",
            &s[0].to_string(),
            "--at",
            "2026-11-28T10:00:00Z",
        ],
    );
    assert!(
        r.stderr.starts_with(&format!(
            "error: --at 2026-11-28T10:00:00Z is before consent {} was given",
            s[0]
        )),
        "{}",
        r.stderr
    );
    let r = fails(
        &env,
        &[
            "consent",
            "withdraw",
            &s[0].to_string(),
            "--at",
            "2026-11-28T12:30:00Z",
        ],
    );
    assert!(
        r.stderr
            .starts_with("error: --at 2026-11-28T12:30:00Z is in the future"),
        "{}",
        r.stderr
    );
}

#[test]
fn withdraw_the_same_seq_twice_in_one_command_withdraws_it_once() {
    let env = setup();
    let s = seqs(&record(&env, "a@b.ru", &[]));
    let (n, _) = head(&env);
    let r = env.ok(&["consent", "withdraw", &s[0].to_string(), &s[0].to_string()]);
    assert_eq!(r.stdout.lines().count(), 1, "{}", r.stdout);
    assert_eq!(head(&env).0, n + 1);
}

#[test]
fn status_is_given_again_after_a_new_consent_following_a_withdrawal() {
    let env = setup();
    let s = seqs(&record(&env, "a@b.ru", &[]));
    env.ok(&["consent", "withdraw", &s[0].to_string()]);
    record(&env, "A@B.ru", &[]);
    let r = status(&env, "contact-form", "email=a@b.ru");
    assert_eq!(
        (r.code, r.stdout.as_str()),
        (0, "given\n"),
        "{}",
        r.pinned()
    );
}

#[test]
fn status_ignores_a_refused_optional_agreement_but_not_a_withdrawn_required_one() {
    let env = setup();
    let s = seqs(&record(&env, "a@b.ru", &["--agreement", "marketing"]));
    env.ok(&["consent", "withdraw", &s[1].to_string()]);
    let r = status(&env, "contact-form", "email=a@b.ru");
    assert_eq!(
        (r.code, r.stdout.as_str()),
        (0, "given\n"),
        "{}",
        r.pinned()
    );
    env.ok(&["consent", "withdraw", &s[0].to_string()]);
    let r = status(&env, "contact-form", "email=a@b.ru");
    assert_eq!(
        (r.code, r.stdout.as_str()),
        (1, "withdrawn\n"),
        "{}",
        r.pinned()
    );
}

#[test]
fn record_at_a_past_time_pins_the_text_current_then() {
    let env = setup();
    env.ok_at(
        "2026-11-20T10:00:00Z",
        &["agreement", "edit", PD, "--add-purpose", "ответы на отзывы"],
    );
    let r = record(&env, "a@b.ru", &["--at", "2026-11-10T10:00:00Z"]);
    assert_eq!(r.code, 0, "{}", r.pinned());
    assert_eq!(show(&env, seqs(&r)[0])["revision"], 1);
    let r = record(&env, "a@b.ru", &["--at", "2026-11-20T10:00:00Z"]);
    assert_eq!(show(&env, seqs(&r)[0])["revision"], 2);
}

#[test]
fn record_a_newer_text_hash_with_a_time_before_that_text_existed_is_refused() {
    let env = setup();
    env.ok_at(
        "2026-11-20T10:00:00Z",
        &["agreement", "edit", PD, "--add-purpose", "ответы на отзывы"],
    );
    let new_sha = show(&env, seqs(&record(&env, "a@b.ru", &[]))[0])["text_sha256"]
        .as_str()
        .unwrap()
        .to_string();
    let r = fails(
        &env,
        &[
            "consent",
            "record",
            "--source",
            "contact-form",
            "--field",
            "email=a@b.ru",
            "--agreement",
            PD,
            "--at",
            "2026-11-10T10:00:00Z",
            "--text-sha256",
            &format!("{PD}={new_sha}"),
        ],
    );
    assert!(
        r.stderr.starts_with(&format!("error: --at: 2026-11-10T10:00:00Z is before the text {new_sha} existed (it was first shown at 2026-11-20T10:00:00Z)")),
        "{}",
        r.stderr
    );
}

#[test]
fn record_a_text_hash_in_capitals_is_accepted_as_the_same_hash() {
    let env = setup();
    let sha = show(&env, seqs(&record(&env, "a@b.ru", &[]))[0])["text_sha256"]
        .as_str()
        .unwrap()
        .to_string();
    let r = record(
        &env,
        "c@d.ru",
        &["--text-sha256", &format!("{PD}={}", sha.to_uppercase())],
    );
    assert_eq!(r.code, 0, "{}", r.pinned());
    assert_eq!(show(&env, seqs(&r)[0])["text_sha256"], sha.as_str());
}

#[test]
fn record_on_an_archived_source_is_refused() {
    let env = setup();
    env.ok(&["source", "archive", "site-chat"]);
    let r = fails(
        &env,
        &[
            "consent",
            "record",
            "--source",
            "site-chat",
            "--field",
            "email=a@b.ru",
        ],
    );
    assert!(
        r.stderr.starts_with("error: --source: source `site-chat` is archived: it collects no consents; `pdconsent source restore site-chat` brings it back"),
        "{}",
        r.stderr
    );
}

#[test]
fn batch_stops_at_a_line_that_is_not_utf8_after_recording_the_lines_before() {
    let env = setup();
    let (n, _) = head(&env);
    let mut input = br#"{"source":"callback-form","fields":{"phone":"+79160002222"}}"#.to_vec();
    input.extend(b"\n{\"source\":\"\xff\"}\n");
    input.extend(br#"{"source":"callback-form","fields":{"phone":"+79160003333"}}"#);
    let out = env
        .command(&["consent", "record", "--batch", "-"])
        .write_stdin(input)
        .output()
        .unwrap();
    let (stdout, stderr) = (
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
    );
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert_eq!(
        stdout,
        format!(
            "{{\"line\":1,\"seq\":[{0}],\"events\":[{{\"seq\":{0},\"event\":\"given\",\"agreement\":\"personal-data\"}}]}}\n",
            n + 1
        )
    );
    assert!(
        stderr.contains("error: stdin is not UTF-8 text: invalid byte 0xFF"),
        "{stderr}"
    );
    assert!(
        stderr.contains("hint: every line before it was recorded"),
        "{stderr}"
    );
    assert_eq!(head(&env).0, n + 1);
}

#[test]
fn batch_a_missing_file_is_an_error() {
    let env = setup();
    let r = fails(
        &env,
        &["consent", "record", "--batch", "/nonexistent/in.jsonl"],
    );
    assert!(
        r.stderr
            .starts_with("error: cannot open /nonexistent/in.jsonl"),
        "{}",
        r.stderr
    );
}

#[test]
fn batch_an_unknown_key_refuses_the_line() {
    let env = setup();
    let f = write(
        &env,
        "in.jsonl",
        "{\"source\":\"callback-form\",\"fields\":{\"phone\":\"1\"},\"bogus\":1}\n",
    );
    let r = env.run(&["consent", "record", "--batch", &f]);
    assert_eq!(r.code, 1, "{}", r.pinned());
    let v: Value = serde_json::from_str(r.stdout.trim()).unwrap();
    assert_eq!(v["error"]["field"], "line");
    assert!(
        v["error"]["message"]
            .as_str()
            .unwrap()
            .contains("unknown field `bogus`"),
        "{v}"
    );
}

#[test]
fn list_ip_filter_matches_any_notation_of_the_address() {
    let env = setup();
    let s = seqs(&record(&env, "a@b.ru", &["--ip", "2001:db8::7"]));
    assert_eq!(listed(&env, &["--ip", "2001:DB8:0::7"]), [s[1], s[0]]);
    let r = fails(&env, &["consent", "list", "--ip", "nonsense"]);
    assert!(
        r.stderr
            .starts_with("error: `nonsense` is not an IPv4 or IPv6 address"),
        "{}",
        r.stderr
    );
}

#[test]
fn ledger_and_consent_reads_without_a_database_are_refused_and_create_none() {
    let env = Env::new();
    for args in [
        &["ledger", "head"][..],
        &["ledger", "verify"],
        &["ledger", "prove", "1"],
        &["consent", "export"],
        &["consent", "list"],
        &[
            "consent",
            "status",
            "--source",
            "contact-form",
            "--subject",
            "email=a@b.ru",
        ],
    ] {
        let r = env.run(args);
        assert_eq!(r.code, 2, "{args:?}: {}", r.pinned());
        assert_eq!(r.stdout, "");
        assert!(
            r.stderr.starts_with("error: no database at "),
            "{args:?}: {}",
            r.stderr
        );
        assert!(!env.db().exists(), "{args:?} created a database");
    }
}

#[test]
fn ledger_head_origin_without_a_website_is_pdconsent() {
    let env = Env::with_main();
    let r = env.ok(&["ledger", "head"]);
    let lines: Vec<&str> = r.stdout.lines().collect();
    assert_eq!(lines[0], "pdconsent/consents");
    assert_eq!(lines[1], "1", "the requisites revision is the first leaf");
}

#[test]
fn batch_acknowledges_a_group_after_group_ms_while_input_is_still_open() {
    use std::io::{BufRead, Write};
    let env = setup();
    let mut child = env
        .std_command(&["consent", "record", "--batch", "-", "--group-ms", "100"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    writeln!(
        stdin,
        r#"{{"source":"callback-form","fields":{{"phone":"+79161234567"}}}}"#
    )
    .unwrap();
    stdin.flush().unwrap();
    let stdout = child.stdout.take().unwrap();
    let (send, recv) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for l in std::io::BufReader::new(stdout).lines() {
            let _ = send.send(l.unwrap());
        }
    });
    let first = recv
        .recv_timeout(std::time::Duration::from_secs(10))
        .expect("no result while stdin is open");
    assert!(first.starts_with(r#"{"line":1,"seq":["#), "{first}");
    drop(stdin);
    assert_eq!(child.wait().unwrap().code(), Some(0));
}

#[test]
fn record_an_external_id_with_quotes_backslashes_and_astral_characters_verifies() {
    let env = setup();
    // A quote, a backslash, a slash, U+2028, an emoji and a decomposed ё (NFC on entry).
    let ext = "a\"b\\c/d\u{2028}e😀е\u{308}";
    let r = env.ok(&[
        "consent",
        "record",
        "--source",
        "callback-form",
        "--field",
        "phone=+79161234567",
        "--external-id",
        ext,
    ]);
    let v = show(&env, seqs(&r)[0]);
    assert_eq!(v["external_id"], "a\"b\\c/d\u{2028}e😀ё");
    let (_, root) = head(&env);
    let hashes: Vec<[u8; 32]> = export(&env).iter().map(|e| leaf_hash(&e["leaf"])).collect();
    assert_eq!(b64(&mth(&hashes)), root);
    env.ok(&["ledger", "verify"]);
    let again = env.ok(&[
        "consent",
        "record",
        "--source",
        "callback-form",
        "--field",
        "phone=+79161234567",
        "--external-id",
        ext,
    ]);
    assert_eq!(
        again.stdout, r.stdout,
        "the NFC form did not find the same submission"
    );
}

#[test]
fn record_refusing_the_only_required_agreement_says_it_is_required() {
    // callback-form carries only personal-data (required); the person did not tick it.
    let env = setup();
    let r = fails(
        &env,
        &[
            "consent",
            "record",
            "--source",
            "callback-form",
            "--field",
            "phone=+79161234567",
            "--refused",
            "personal-data",
        ],
    );
    assert!(
        r.stderr
            .contains("`personal-data` is required on `callback-form`"),
        "misleading refusal: {}",
        r.stderr
    );
}

#[test]
fn status_json_gives_each_agreement_of_the_source() {
    let env = setup();
    let s = seqs(&record(&env, "z@z.ru", &[]));
    let r = env.run(&[
        "consent",
        "status",
        "--source",
        "contact-form",
        "--subject",
        "email=z@z.ru",
        "--format",
        "json",
    ]);
    assert_eq!(r.code, 0, "{}", r.pinned());
    let v = r.json();
    assert_eq!(v["status"], "given");
    assert_eq!(
        v["agreements"][0],
        serde_json::json!({
            "agreement": PD, "required": true, "status": "given", "seq": s[0], "at": NOW, "withdrawn_at": null
        })
    );
    assert_eq!(v["agreements"][1]["status"], "refused");
    assert_eq!(v["agreements"][1]["seq"], s[1]);
    env.ok(&[
        "consent",
        "withdraw",
        &s[0].to_string(),
        "--at",
        "2026-11-28T12:01:00Z",
    ]);
    let r = env.run(&[
        "consent",
        "status",
        "--source",
        "contact-form",
        "--subject",
        "email=z@z.ru",
        "--format",
        "json",
    ]);
    assert_eq!(r.code, 1, "{}", r.pinned());
    let v = r.json();
    assert_eq!(v["status"], "withdrawn");
    assert_eq!(v["agreements"][0]["withdrawn_at"], "2026-11-28T12:01:00Z");
}

#[test]
fn configuration_changes_become_leaves_and_the_ledger_still_verifies() {
    let env = setup();
    record(&env, "a@b.ru", &[]);
    let (n, _) = head(&env);
    env.ok_at(
        "2026-11-20T10:00:00Z",
        &["agreement", "edit", PD, "--add-purpose", "ответы"],
    );
    env.ok_at(
        "2026-11-21T10:00:00Z",
        &["source", "edit", "contact-form", "--set", "name=Форма"],
    );
    env.ok_at(
        "2026-11-22T10:00:00Z",
        &["requisites", "edit", "main", "--set", "phone=+78120000000"],
    );
    let (m, _) = head(&env);
    let kinds: Vec<String> = export(&env)[n as usize..]
        .iter()
        .map(|e| e["leaf"]["kind"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(kinds.len() as u64, m - n);
    for k in [
        "agreement_revision",
        "source_revision",
        "requisites_revision",
        "text",
    ] {
        assert!(kinds.iter().any(|x| x == k), "no {k} leaf in {kinds:?}");
    }
    env.ok(&["ledger", "verify"]);
}

#[test]
fn applying_the_same_file_again_adds_no_leaves() {
    let env = setup();
    record(&env, "a@b.ru", &[]);
    let before = head(&env);
    env.ok(&["apply", example_file().to_str().unwrap()]);
    assert_eq!(head(&env), before);
}

#[test]
fn record_refuses_overlong_values_naming_the_flag_and_the_limit() {
    let env = setup();
    let url = format!("https://x.ru/{}", "a".repeat(5000));
    let ua = "a".repeat(5000);
    let email = format!("email={}@b.ru", "a".repeat(5000));
    for (flag, value, want) in [
        (
            "--url",
            url.as_str(),
            "error: --url: is 5013 characters long; at most 2048 are kept",
        ),
        (
            "--user-agent",
            ua.as_str(),
            "error: --user-agent: is 5000 characters long; at most 1024 are kept",
        ),
        (
            "--field",
            email.as_str(),
            "error: --field email: is 5005 characters long; at most 4096 are kept",
        ),
    ] {
        let r = fails(
            &env,
            &[
                "consent",
                "record",
                "--source",
                "contact-form",
                "--agreement",
                PD,
                "--field",
                "name=Иван",
                flag,
                value,
            ],
        );
        assert_eq!(r.stderr.lines().next().unwrap(), want);
    }
}

#[test]
fn record_one_second_past_the_five_minutes_is_refused() {
    let env = setup();
    let r = fails(
        &env,
        &[
            "consent",
            "record",
            "--source",
            "callback-form",
            "--field",
            "phone=+79161234567",
            "--at",
            "2026-11-28T12:05:01Z",
        ],
    );
    assert!(r.stderr.contains("is in the future"), "{}", r.stderr);
    let r = env.run(&[
        "consent",
        "record",
        "--source",
        "callback-form",
        "--field",
        "phone=+79161234567",
        "--at",
        "2026-11-28T12:05:00Z",
    ]);
    assert_eq!(r.code, 0, "{}", r.pinned());
}

/// A form with a postal address before its e-mail field.
fn with_order_form() -> Env {
    let env = setup();
    env.ok_at(
        "2026-11-02T10:00:00Z",
        &[
            "source",
            "add",
            "order-form",
            "--kind",
            "form",
            "--name",
            "Заказ",
            "--set",
            "url=https://severny-veter.ru/order",
            "--add-field",
            "почтовый адрес",
            "--add-field",
            "адрес электронной почты",
            "--add-field",
            "имя",
            "--link",
            PD,
        ],
    );
    env
}

#[test]
fn record_the_email_alias_names_the_email_field_not_the_postal_address() {
    // «почтовый адрес» is a postal address; «адрес электронной почты» is the e-mail.
    let env = with_order_form();
    let v = env.json(&[
        "consent",
        "record",
        "--source",
        "order-form",
        "--field",
        "email=ivan@example.ru",
    ]);
    assert_eq!(
        v[0]["subject"]["fields"],
        serde_json::json!({"адрес электронной почты": "ivan@example.ru"}),
        "the e-mail went into another field"
    );
}

#[test]
fn record_a_postal_address_and_an_email_together_is_accepted() {
    let env = with_order_form();
    let r = env.run(&[
        "consent",
        "record",
        "--source",
        "order-form",
        "--field",
        "email=ivan@example.ru",
        "--field",
        "почтовый адрес=191186, г. Санкт-Петербург, а/я 42",
    ]);
    assert_eq!(r.code, 0, "{}", r.pinned());
    let st = env.run(&[
        "consent",
        "status",
        "--source",
        "order-form",
        "--subject",
        "email=ivan@example.ru",
    ]);
    assert_eq!(st.stdout, "given\n", "{}", st.pinned());
}

#[test]
fn record_a_flag_without_equals_is_refused_with_a_hint_for_consents() {
    let env = setup();
    for (flag, value) in [("--field", "email"), ("--text-sha256", PD)] {
        let r = fails(
            &env,
            &[
                "consent",
                "record",
                "--source",
                "contact-form",
                "--agreement",
                PD,
                "--field",
                "name=Иван",
                flag,
                value,
            ],
        );
        assert!(
            r.stderr
                .starts_with(&format!("error: `{flag} {value}` is not key=value\n")),
            "{}",
            r.stderr
        );
        // The shared hint's example is a requisites setting, not a consent field or hash.
        assert!(
            !r.stderr.contains("short_name"),
            "a requisites example in the hint:\n{}",
            r.stderr
        );
    }
}

#[test]
fn record_with_an_archived_optional_agreement_still_records_the_required_one() {
    // marketing is archived but still linked to contact-form; the person ticked only
    // personal-data. Refusing the whole submission loses the required consent's record.
    let env = setup();
    env.ok(&["agreement", "archive", "marketing"]);
    let r = env.run(&[
        "consent",
        "record",
        "--source",
        "contact-form",
        "--field",
        "email=a@b.ru",
        "--agreement",
        PD,
    ]);
    assert_eq!(r.code, 0, "{}", r.pinned());
    assert!(
        r.stderr.starts_with("recorded given personal-data"),
        "{}",
        r.stderr
    );
    let r = fails(
        &env,
        &[
            "consent",
            "record",
            "--source",
            "contact-form",
            "--field",
            "email=a@b.ru",
            "--agreement",
            PD,
            "--agreement",
            "marketing",
        ],
    );
    assert!(r.stderr.contains("`marketing` is archived"), "{}", r.stderr);
}

#[test]
fn export_takes_only_json_lines() {
    let env = setup();
    let r = fails(&env, &["consent", "export", "--format", "json"]);
    assert_eq!(
        r.stderr,
        "error: `--format json` is not available for `pdconsent consent export`\nhint: use --format jsonl\n"
    );
    env.ok(&["consent", "export", "--format", "jsonl"]);
}

#[test]
fn withdraw_json_gives_the_withdrawal_the_consent_and_the_destroy_by_date() {
    let env = setup();
    let s = seqs(&record(&env, "a@b.ru", &[]));
    let v = env.json(&[
        "consent",
        "withdraw",
        &s[0].to_string(),
        "--channel",
        "post",
    ]);
    let w = &v["withdrawn"][0];
    assert_eq!(w["consent"], s[0]);
    assert_eq!(w["destroy_by"], "2026-12-28T12:00:00Z");
    assert_eq!(w["withdrawal"]["event"], "withdrawn");
    assert_eq!(w["withdrawal"]["channel"], "post");
    assert_eq!(v["already"], serde_json::json!([]));
    let again = env.json(&["consent", "withdraw", &s[0].to_string()]);
    assert_eq!(again["withdrawn"], serde_json::json!([]));
    assert_eq!(again["already"][0]["consent"], s[0]);
    assert_eq!(again["already"][0]["withdrawn_by"], w["withdrawal"]["seq"]);
}
