//! `consent withdraw`, `status`, `list`, `show`.

#![allow(unused_imports)]

use super::*;

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
            "{}\twithdraws {}\tpersonal-data\tdestroy by 2026-12-28\n",
            n + 1,
            s[0]
        )
    );
    assert_eq!(
        r.stderr,
        "withdrew 1 consent(s); stop processing and destroy the data by 2026-12-28 (Europe/Moscow) (152-FZ art. 21 §5: 30 days); `pdconsent subject due` lists what is due\n"
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
        r.stdout.ends_with("destroy by 2026-12-28\n"),
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

pub(super) fn status(env: &Env, source: &str, subject: &str) -> Run {
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
pub(super) fn populated() -> (Env, Vec<u64>, Vec<u64>, u64) {
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

pub(super) fn listed(env: &Env, filters: &[&str]) -> Vec<u64> {
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
            .starts_with("error: `--since 28.11.2026` is not a date, an RFC 3339 time or a span"),
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

#[test]
fn the_destroy_by_date_counts_in_the_operators_time_zone() {
    let env = setup();
    let s = seqs(&record(&env, "a@b.ru", &["--at", "2026-11-28T10:00:00Z"]));
    // 11:00 UTC is already 29 November at UTC+14.
    let set = env.ok(&["setting", "set", "time_zone", "Pacific/Kiritimati"]);
    assert_eq!(set.stderr, "time_zone = Pacific/Kiritimati\n");
    let v = env.json(&[
        "consent",
        "withdraw",
        &s[0].to_string(),
        "--at",
        "2026-11-28T11:00:00Z",
    ]);
    let w = &v["withdrawn"][0];
    assert_eq!(w["destroy_by_date"], "2026-12-29");
    assert_eq!(w["time_zone"], "Pacific/Kiritimati");
    // The end of 29 December at UTC+14.
    assert_eq!(w["destroy_by"], "2026-12-29T09:59:59Z");
    let bad = env.run(&["setting", "set", "time_zone", "Europe/Mordor"]);
    assert_eq!(bad.code, 2);
    assert_eq!(
        bad.stderr,
        "error: `Europe/Mordor` is not a time zone\nhint: give an IANA name, e.g. Europe/Moscow, Europe/Kaliningrad, Asia/Yekaterinburg\n"
    );
    let list = env.json(&["setting", "list"]);
    assert_eq!(list[0]["key"], "time_zone");
    assert_eq!(list[0]["value"], "Pacific/Kiritimati");
    assert_eq!(list[0]["is_default"], false);
}
