//! `consent record`: flags, --json, --batch.

#![allow(unused_imports)]

use super::*;

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
    // A JSON submission's error names the JSON key, not a flag.
    assert!(r.stderr.starts_with("error: ip: `nope`"), "{}", r.stderr);
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
