//! `agreement check`: the elements of 152-FZ art. 9 §4 as errors (exit 1),
//! doubtful practice as warnings (exit 0).

use serde_json::{Value, json};

use crate::common::*;

/// `main` and `site`, complete: nothing for the check to find.
fn complete() -> Env {
    let env = Env::with_site();
    env.ok(&["agreement", "edit", "site", "--add-field", "имя"]);
    env
}

/// `agreement check ARGS --format json`: exit code and the findings.
fn check(env: &Env, args: &[&str]) -> (i32, Vec<Value>) {
    let mut full = vec!["agreement", "check"];
    full.extend(args);
    full.extend(["--format", "json"]);
    let r = env.run(&full);
    assert!(
        r.code == 0 || r.code == 1,
        "{full:?} did not run:\n{}",
        r.pinned()
    );
    let rows = r.json().as_array().expect("an array").clone();
    for row in &rows {
        assert_has_keys(
            row,
            &[
                "agreement",
                "revision",
                "source",
                "severity",
                "check",
                "message",
                "hint",
            ],
        );
    }
    let errors = rows.iter().filter(|r| r["severity"] == "error").count();
    let warnings = rows.iter().filter(|r| r["severity"] == "warning").count();
    assert_eq!(
        errors + warnings,
        rows.len(),
        "severity is error or warning"
    );
    assert_eq!(
        r.stderr,
        format!("{errors} error(s), {warnings} warning(s)\n"),
        "{full:?}"
    );
    assert_eq!(r.code, i32::from(errors > 0), "{full:?}: {rows:#?}");
    (r.code, rows)
}

/// The ids of the findings of one severity.
fn ids(rows: &[Value], severity: &str) -> Vec<String> {
    rows.iter()
        .filter(|r| r["severity"] == severity)
        .map(|r| r["check"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn a_complete_agreement_passes() {
    let env = complete();
    let (code, rows) = check(&env, &["site"]);
    assert_eq!((code, rows), (0, vec![]));
    let r = env.ok(&["agreement", "check", "site"]);
    assert_eq!(r.stderr, "0 error(s), 0 warning(s)\n");
    assert_eq!(
        r.stdout.lines().count(),
        2,
        "an empty table, header only:\n{}",
        r.stdout
    );

    let env = Env::with_example();
    for args in [
        &["--all"][..],
        &["personal-data"],
        &["personal-data", "--source", "contact-form"],
        &["marketing", "--source", "contact-form"],
        &["reviews"],
        &["personal-data", "--source", "site-chat"],
    ] {
        assert_eq!(check(&env, args), (0, vec![]), "{args:?}");
    }
}

#[test]
fn each_missing_element_is_an_error() {
    let env = complete();
    // (break it, the check that must fail, mend it)
    let cases: &[(&[&str], &str, &[&str])] = &[
        (
            &["agreement", "edit", "site", "--unset", "purposes"],
            "purposes",
            &[
                "agreement",
                "edit",
                "site",
                "--add-purpose",
                "обработка заявок",
            ],
        ),
        (
            &["agreement", "edit", "site", "--unset", "fields"],
            "personal_data",
            &["agreement", "edit", "site", "--add-field", "имя"],
        ),
        (
            &["agreement", "edit", "site", "--unset", "actions"],
            "actions",
            &["agreement", "edit", "site", "--add-action", "collection"],
        ),
        (
            &["requisites", "edit", "main", "--unset", "legal_address"],
            "operator_address",
            &[
                "requisites",
                "edit",
                "main",
                "--set",
                "legal_address=г. Москва",
            ],
        ),
        (
            &["requisites", "edit", "main", "--unset", "email"],
            "withdrawal",
            &[
                "requisites",
                "edit",
                "main",
                "--set",
                "email=privacy@romashka.ru",
            ],
        ),
        (
            &[
                "agreement",
                "edit",
                "site",
                "--template",
                "ru-152fz-distribution",
            ],
            "distribution_operator",
            &[
                "agreement",
                "edit",
                "site",
                "--template",
                "ru-152fz-consent",
            ],
        ),
    ];
    for (breaks, id, mends) in cases {
        env.ok(breaks);
        let (code, rows) = check(&env, &["site"]);
        assert_eq!(code, 1, "{breaks:?}");
        let errors = ids(&rows, "error");
        assert!(
            errors.iter().any(|e| e == id),
            "{breaks:?}: no `{id}` in {errors:?}"
        );
        let row = rows.iter().find(|r| r["check"] == *id).unwrap();
        assert_eq!(row["agreement"], "site");
        assert_eq!(row["source"], Value::Null);
        assert!(row["revision"].as_u64().unwrap() > 1);
        assert!(!row["message"].as_str().unwrap().is_empty());
        // The table says the same, and the exit code too.
        let t = env.run(&["agreement", "check", "site"]);
        assert_eq!(t.code, 1);
        assert!(
            t.stdout.contains(&format!("| {id} ")) && t.stdout.contains("| error "),
            "{}",
            t.stdout
        );
        env.ok(mends);
        assert_eq!(
            check(&env, &["site"]).0,
            0,
            "{mends:?} did not mend {breaks:?}"
        );
    }

    // An agreement with nothing but a name: every missing element at once.
    env.ok(&["agreement", "add", "bare", "--name", "Пустое"]);
    env.ok(&["agreement", "edit", "bare", "--unset", "actions"]);
    env.ok(&[
        "requisites",
        "edit",
        "main",
        "--unset",
        "legal_address",
        "--unset",
        "email",
    ]);
    let (code, rows) = check(&env, &["bare"]);
    assert_eq!(code, 1);
    let errors = ids(&rows, "error");
    for id in [
        "operator_address",
        "purposes",
        "personal_data",
        "actions",
        "withdrawal",
        "unfilled",
    ] {
        assert!(errors.iter().any(|e| e == id), "no `{id}` in {errors:?}");
    }
    let hint = |id: &str| {
        rows.iter().find(|r| r["check"] == id).unwrap()["hint"]
            .as_str()
            .unwrap()
            .to_string()
    };
    assert!(hint("purposes").starts_with("pdconsent agreement edit bare --add-purpose"));
    assert!(
        hint("operator_address").starts_with("pdconsent requisites edit main --set legal_address=")
    );
}

#[test]
fn a_custom_text_must_name_every_element() {
    let env = complete();
    env.ok(&[
        "agreement",
        "edit",
        "site",
        "--third-party",
        &format!("name=ООО «Облако»,inn={INN_LEGAL},address=г. Москва,role=processor"),
    ]);
    assert_eq!(check(&env, &["site"]).0, 0, "the built-in text names it");

    let full = "Согласие\n\nОператор: {{ operator.display_name }}, {{ operator.legal_address }}.\n\n\
                Цели: {{ purposes | join(\", \") }}.\n\nДанные: {{ fields | join(\", \") }}.\n\n\
                {% for p in processors %}Обработчик: {{ p.name }}, ИНН {{ p.inn }}, {{ p.address }}.\n\n{% endfor %}\
                Действия: {{ actions | join(\", \") }}; обработка {{ methods }}.\n\nСрок: {{ term }}.\n\n\
                Отзыв: {{ withdrawal_email }}; данные уничтожаются в течение 30 дней.\n";
    let file = write(&env, "full.txt.j2", full);
    env.ok(&["agreement", "edit", "site", "--text-file", &file]);
    assert_eq!(check(&env, &["site"]), (0, vec![]));

    // Without the display name the OGRN goes too (issue 9: `operator_ids`; the
    // processor here happens to share the operator's INN, which stays).
    let cases: [(&str, &str, &[&str]); 8] = [
        (
            "{{ operator.display_name }}",
            "Оператор",
            &["operator_name", "operator_ids"],
        ),
        (
            "{{ operator.legal_address }}",
            "адрес",
            &["operator_address"],
        ),
        ("{{ purposes | join(\", \") }}", "цели", &["purposes"]),
        ("{{ fields | join(\", \") }}", "данные", &["personal_data"]),
        ("{{ p.name }}", "обработчик", &["processors"]),
        ("{{ withdrawal_email }}", "почта", &["withdrawal"]),
        ("{{ methods }}", "как-нибудь", &["methods"]),
        ("{{ term }}", "долго", &["term"]),
    ];
    for (part, instead, expected) in cases {
        let file = write(&env, "less.txt.j2", &full.replace(part, instead));
        env.ok(&["agreement", "edit", "site", "--text-file", &file]);
        let (code, rows) = check(&env, &["site"]);
        assert_eq!(code, 1, "without {part}");
        assert_eq!(ids(&rows, "error"), expected, "without {part}");
    }
}

#[test]
fn warnings_do_not_fail_the_check() {
    let env = complete();
    env.ok(&[
        "source",
        "add",
        "f",
        "--kind",
        "form",
        "--name",
        "Форма",
        "--add-field",
        "имя",
        "--link",
        "site",
    ]);

    // A box ticked by default, by the agreement: since issue 9 an error, not a
    // warning (silence or inaction is not consent, art. 9 §1).
    env.ok(&[
        "agreement",
        "edit",
        "site",
        "--set",
        "checked_by_default=true",
    ]);
    let (code, rows) = check(&env, &["site"]);
    assert_eq!(code, 1);
    assert_eq!(ids(&rows, "error"), ["checked_by_default"]);
    assert_eq!(
        rows[0]["hint"],
        "pdconsent agreement edit site --set checked_by_default=false"
    );
    env.ok(&[
        "agreement",
        "edit",
        "site",
        "--set",
        "checked_by_default=false",
    ]);

    // … or by the source, which names the source's fix.
    env.ok(&[
        "source",
        "edit",
        "f",
        "--link",
        "site,checked_by_default=true",
    ]);
    assert_eq!(
        check(&env, &["site"]),
        (0, vec![]),
        "alone it is not ticked"
    );
    let (code, rows) = check(&env, &["site", "--source", "f"]);
    assert_eq!(code, 1);
    assert_eq!(ids(&rows, "error"), ["checked_by_default"]);
    assert_eq!(rows[0]["source"], "f");
    assert_eq!(
        rows[0]["hint"],
        "pdconsent source edit f --link site,checked_by_default=false"
    );
    env.ok(&["source", "edit", "f", "--link", "site"]);

    // Advertising inside a personal-data consent.
    env.ok(&[
        "agreement",
        "edit",
        "site",
        "--add-purpose",
        "направление рекламных рассылок",
    ]);
    let (code, rows) = check(&env, &["site"]);
    assert_eq!(code, 0);
    assert_eq!(ids(&rows, "warning"), ["bundled_advertising"]);
    assert!(
        rows[0]["message"]
            .as_str()
            .unwrap()
            .contains("направление рекламных рассылок")
    );
    // The same purpose in the marketing template is what it is for, and an
    // advertising consent is optional. (It sends to an address it lists: since
    // issue 9 an advertising consent without one shows a marker.)
    env.ok(&[
        "agreement",
        "edit",
        "site",
        "--template",
        "ru-152fz-marketing",
        "--set",
        "required=false",
        "--add-field",
        "адрес электронной почты",
    ]);
    assert_eq!(check(&env, &["site"]), (0, vec![]));
    env.ok(&[
        "agreement",
        "edit",
        "site",
        "--set",
        "required=true",
        "--template",
        "ru-152fz-consent",
        "--remove-purpose",
        "направление рекламных рассылок",
        "--remove-field",
        "адрес электронной почты",
    ]);

    // An archived agreement still linked to an active source.
    env.ok(&["agreement", "archive", "site"]);
    let (code, rows) = check(&env, &["site", "--source", "f"]);
    assert_eq!(code, 0);
    assert_eq!(ids(&rows, "warning"), ["archived_linked"]);
    assert_eq!(rows[0]["hint"], "pdconsent source edit f --unlink site");
    let (code, rows) = check(&env, &["--all"]);
    assert_eq!(code, 0);
    assert_eq!(ids(&rows, "warning"), ["archived_linked"]);
    // Once the source is archived too, nothing is said.
    env.ok(&["source", "archive", "f"]);
    assert_eq!(check(&env, &["--all"]), (0, vec![]));
}

#[test]
fn all_checks_every_active_agreement_alone_and_on_its_sources() {
    let env = complete();
    env.ok(&[
        "agreement",
        "add",
        "other",
        "--name",
        "Другое",
        "--add-purpose",
        "цель",
        "--add-field",
        "телефон",
    ]);
    env.ok(&[
        "source",
        "add",
        "f",
        "--kind",
        "form",
        "--name",
        "Форма",
        "--link",
        "site",
        "--link",
        "other,checked_by_default=true",
    ]);
    env.ok(&[
        "source",
        "add",
        "g",
        "--kind",
        "form",
        "--name",
        "Вторая",
        "--add-field",
        "имя",
        "--link",
        "site",
    ]);
    let (code, rows) = check(&env, &["--all"]);
    assert_eq!(code, 1);
    assert_eq!(ids(&rows, "error"), ["checked_by_default"]);
    assert_eq!(rows[0]["agreement"], "other");
    assert_eq!(rows[0]["source"], "f");

    // One error anywhere fails the whole run, and says where.
    env.ok(&["agreement", "edit", "other", "--unset", "purposes"]);
    let (code, rows) = check(&env, &["--all"]);
    assert_eq!(code, 1);
    let purposes: Vec<(&Value, &Value)> = rows
        .iter()
        .filter(|r| r["check"] == "purposes")
        .map(|r| (&r["agreement"], &r["source"]))
        .collect();
    assert_eq!(
        purposes,
        [
            (&json!("other"), &Value::Null),
            (&json!("other"), &json!("f"))
        ]
    );
    // An archived agreement is checked only where it is still linked.
    env.ok(&["source", "edit", "f", "--unlink", "other"]);
    env.ok(&["agreement", "archive", "other"]);
    assert_eq!(check(&env, &["--all"]), (0, vec![]));
}

#[test]
fn check_errors() {
    let env = complete();
    for args in [
        &["agreement", "check"][..],
        &["agreement", "check", "--all", "--source", "f"],
        &["agreement", "check", "site", "--all"],
    ] {
        let r = env.run(args);
        assert_eq!(r.code, 2, "{args:?}: {}", r.pinned());
        assert_eq!(r.stdout, "");
        assert!(r.stderr.starts_with("error: "), "{}", r.stderr);
    }
    let r = env.run(&["agreement", "check"]);
    assert!(r.stderr.contains("<CODE|--all>"), "{}", r.stderr);

    let cases: &[(&[&str], &str)] = &[
        (
            &["agreement", "check", "nope"],
            "agreement `nope` not found",
        ),
        (
            &["agreement", "check", "site", "--source", "nope"],
            "source `nope` not found",
        ),
        (
            &["agreement", "check", "site", "--format", "html"],
            "`--format html` is not available",
        ),
    ];
    for (args, expected) in cases {
        let r = env.fails(args);
        assert!(r.stderr.contains(expected), "{args:?}: {}", r.stderr);
    }
}
