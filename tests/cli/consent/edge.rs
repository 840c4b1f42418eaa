//! Edge cases of recording and looking up: found by trying to break the commands.

#![allow(unused_imports)]

use super::ledger::{b64, export, leaf_hash, mth};
use super::lookup::{listed, status};
use super::*;

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
fn batch_refuses_a_line_that_is_not_utf8_and_goes_on_with_the_next() {
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
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(lines.len(), 3, "{stdout}");
    assert!(lines[1].starts_with(r#"{"line":2,"seq":null,"events":null,"duplicate":false,"error":{"field":"line","message":"stdin is not UTF-8 text: invalid byte 0xFF"#), "{stdout}");
    assert!(lines[2].starts_with(r#"{"line":3,"seq":["#), "{stdout}");
    assert!(
        stderr.contains("2 submissions recorded, 0 already recorded, 1 refused"),
        "{stderr}"
    );
    assert_eq!(head(&env).0, n + 2);
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

/// A `record --batch -` process fed line by line: send a line, wait for its result.
struct StreamingBatch {
    child: std::process::Child,
    stdin: Option<std::process::ChildStdin>,
    results: std::sync::mpsc::Receiver<String>,
}

impl StreamingBatch {
    fn start(env: &Env, group_ms: &str) -> StreamingBatch {
        use std::io::BufRead;
        let mut child = env
            .std_command(&["consent", "record", "--batch", "-", "--group-ms", group_ms])
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        let stdin = child.stdin.take();
        let stdout = child.stdout.take().unwrap();
        let (send, results) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            for l in std::io::BufReader::new(stdout).lines() {
                let _ = send.send(l.unwrap());
            }
        });
        StreamingBatch {
            child,
            stdin,
            results,
        }
    }

    /// Sends `line` and returns its result line, which must come while stdin is still open.
    fn send(&mut self, line: &str) -> String {
        use std::io::Write;
        let stdin = self.stdin.as_mut().unwrap();
        writeln!(stdin, "{line}").unwrap();
        stdin.flush().unwrap();
        self.results
            .recv_timeout(std::time::Duration::from_secs(10))
            .expect("no result while stdin is open")
    }

    /// Closes stdin; the exit code.
    fn finish(mut self) -> Option<i32> {
        drop(self.stdin.take());
        self.child.wait().unwrap().code()
    }
}

const CALLBACK: &str = r#"{"source":"callback-form","fields":{"phone":"+79161234567"}}"#;

#[test]
fn batch_acknowledges_a_group_after_group_ms_while_input_is_still_open() {
    let env = setup();
    let mut batch = StreamingBatch::start(&env, "100");
    let first = batch.send(CALLBACK);
    assert!(first.starts_with(r#"{"line":1,"seq":["#), "{first}");
    assert_eq!(batch.finish(), Some(0));
}

#[test]
fn a_running_batch_sees_a_source_archived_between_its_groups() {
    // The batch keeps what it read of the configuration from one group to the next; another
    // process's change in between must reach it (the configuration's stamp changes).
    let env = setup();
    let mut batch = StreamingBatch::start(&env, "50");
    let first = batch.send(CALLBACK);
    assert!(first.starts_with(r#"{"line":1,"seq":["#), "{first}");
    env.ok(&["source", "archive", "callback-form", "--yes"]);
    let second = batch.send(CALLBACK);
    assert!(
        second.starts_with(r#"{"line":2,"seq":null"#) && second.contains("is archived"),
        "{second}"
    );
    assert_eq!(batch.finish(), Some(1));
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
fn export_takes_json_lines_or_csv() {
    let env = setup();
    let r = fails(&env, &["consent", "export", "--format", "json"]);
    assert_eq!(
        r.stderr,
        "error: `--format json` is not available for `pdconsent consent export`\nhint: use --format jsonl or --format csv\n"
    );
    env.ok(&["consent", "export", "--format", "jsonl"]);
    env.ok(&["consent", "export", "--format", "csv"]);
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
    // The end of 28 December in Moscow (UTC+3), the default zone.
    assert_eq!(w["destroy_by"], "2026-12-28T20:59:59Z");
    assert_eq!(w["destroy_by_date"], "2026-12-28");
    assert_eq!(w["time_zone"], "Europe/Moscow");
    assert_eq!(w["withdrawal"]["event"], "withdrawn");
    assert_eq!(w["withdrawal"]["channel"], "post");
    assert_eq!(v["already"], serde_json::json!([]));
    let again = env.json(&["consent", "withdraw", &s[0].to_string()]);
    assert_eq!(again["withdrawn"], serde_json::json!([]));
    assert_eq!(again["already"][0]["consent"], s[0]);
    assert_eq!(again["already"][0]["withdrawn_by"], w["withdrawal"]["seq"]);
}
