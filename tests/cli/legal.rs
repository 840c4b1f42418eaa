//! Legal fidelity (issue 9): the check catches what a lawyer would, the texts
//! say what the law asks, nothing invisible gets in.

use serde_json::Value;

use crate::common::{Env, refused};

/// `agreement check … --format json`: exit code and the rows.
fn check(env: &Env, args: &[&str]) -> (i32, Vec<Value>) {
    let mut full = vec!["agreement", "check"];
    full.extend(args);
    full.extend(["--format", "json"]);
    let r = env.run(&full);
    assert!(r.code == 0 || r.code == 1, "{full:?}:\n{}", r.pinned());
    (r.code, r.json().as_array().expect("an array").clone())
}

/// The ids of the findings of one severity.
fn ids<'a>(rows: &'a [Value], severity: &str) -> Vec<&'a str> {
    rows.iter()
        .filter(|r| r["severity"] == severity)
        .map(|r| r["check"].as_str().unwrap())
        .collect()
}

fn field<'a>(rows: &'a [Value], check: &str, key: &str) -> Vec<&'a str> {
    rows.iter()
        .filter(|r| r["check"] == check)
        .map(|r| r[key].as_str().unwrap_or(""))
        .collect()
}

// ------------------------------------------------------- 1. a pre-ticked box

#[test]
fn a_box_ticked_by_default_is_an_error_for_every_template() {
    let env = Env::with_example();
    assert_eq!(check(&env, &["--all"]).0, 0, "the example passes");
    for code in ["personal-data", "marketing", "reviews"] {
        env.ok(&[
            "agreement",
            "edit",
            code,
            "--set",
            "checked_by_default=true",
        ]);
        let (exit, rows) = check(&env, &[code]);
        assert_eq!(exit, 1, "{code}: {rows:?}");
        assert!(
            ids(&rows, "error").contains(&"checked_by_default"),
            "{code}"
        );
        assert_eq!(
            field(&rows, "checked_by_default", "hint"),
            [format!("pdconsent agreement edit {code} --set checked_by_default=false").as_str()]
        );
        assert!(
            field(&rows, "checked_by_default", "message")[0].contains("art. 9 §1"),
            "{rows:?}"
        );
        env.ok(&[
            "agreement",
            "edit",
            code,
            "--set",
            "checked_by_default=false",
        ]);
    }
    // A source's override is an error too, and its fix is the source's.
    env.ok(&[
        "source",
        "edit",
        "contact-form",
        "--link",
        "marketing,required=false,checked_by_default=true",
    ]);
    let (exit, rows) = check(&env, &["--all"]);
    assert_eq!(exit, 1);
    assert_eq!(ids(&rows, "error"), ["checked_by_default"]);
    assert_eq!(rows[0]["source"], "contact-form");
    assert_eq!(
        rows[0]["hint"],
        "pdconsent source edit contact-form --link marketing,checked_by_default=false"
    );
}

#[test]
fn a_custom_text_ticked_by_default_is_an_error_too() {
    let env = Env::with_example();
    let text = env.ok(&["template", "show", "ru-152fz-consent"]).stdout;
    let file = crate::common::write(&env, "own.txt.j2", &text);
    env.ok(&[
        "agreement",
        "edit",
        "personal-data",
        "--set",
        "template=custom",
        "--text-file",
        &file,
        "--set",
        "checked_by_default=true",
    ]);
    let (exit, rows) = check(&env, &["personal-data"]);
    assert_eq!(exit, 1);
    assert_eq!(ids(&rows, "error"), ["checked_by_default"]);
}

#[test]
fn an_html_snippet_of_a_pre_ticked_box_is_refused_and_never_checked() {
    let env = Env::with_example();
    env.ok(&[
        "source",
        "edit",
        "contact-form",
        "--link",
        "personal-data,checked_by_default=true",
    ]);
    let r = refused!(
        &env,
        "html_of_a_pre_ticked_box",
        &[
            "agreement",
            "preview",
            "personal-data",
            "--source",
            "contact-form",
            "--format",
            "html"
        ]
    );
    assert!(r.stderr.contains("silence or inaction is not consent"));
    // The setting stays readable: JSON and text show it as it is.
    let v = env.json(&[
        "agreement",
        "preview",
        "personal-data",
        "--source",
        "contact-form",
    ]);
    assert_eq!(v["behaviour"]["checked_by_default"], true);
    let text = env.ok(&[
        "agreement",
        "preview",
        "personal-data",
        "--source",
        "contact-form",
    ]);
    assert!(text.stdout.contains("\n[x] "), "{}", text.stdout);
    // Without the override the snippet renders, and no box is ever `checked`.
    let html = env
        .ok(&["agreement", "preview", "personal-data", "--format", "html"])
        .stdout;
    assert!(html.contains("<input type=\"checkbox\""), "{html}");
    assert!(!html.contains("checked"), "{html}");
}

// ------------------------------------ 7. invisible, bidirectional, control

#[test]
fn a_zero_width_space_in_an_inn_is_named_with_its_code_point_and_position() {
    let env = Env::new();
    let r = env.fails(&[
        "requisites",
        "add",
        "main",
        "--set",
        "short_name=ООО «Ромашка»",
        "--set",
        "inn=784\u{200B}0502513",
    ]);
    // The command line holds the invisible character; the message shows it escaped.
    insta::assert_snapshot!("zero_width_space_in_inn", r.pinned());
    assert!(!r.stderr.contains('\u{200B}'), "{}", r.stderr);
    assert!(
        r.stderr
            .contains("(U+200B ZERO WIDTH SPACE) at character 4"),
        "{}",
        r.stderr
    );
    assert!(
        !r.stderr.contains("characters"),
        "not a length: {}",
        r.stderr
    );
}

#[test]
fn bidirectional_and_invisible_characters_are_refused_in_every_value() {
    let env = Env::with_example();
    for (c, name) in [
        ('\u{202E}', "RIGHT-TO-LEFT OVERRIDE"),
        ('\u{2066}', "LEFT-TO-RIGHT ISOLATE"),
        ('\u{00AD}', "SOFT HYPHEN"),
        ('\u{FEFF}', "ZERO WIDTH NO-BREAK SPACE"),
        ('\u{200F}', "RIGHT-TO-LEFT MARK"),
    ] {
        let bad = format!("ООО «{c}Ромашка»");
        let cases: Vec<Vec<String>> = vec![
            vec![
                "requisites".into(),
                "edit".into(),
                "main".into(),
                "--set".into(),
                format!("short_name={bad}"),
            ],
            vec![
                "agreement".into(),
                "edit".into(),
                "personal-data".into(),
                "--add-purpose".into(),
                bad.clone(),
            ],
            vec![
                "agreement".into(),
                "edit".into(),
                "personal-data".into(),
                "--set".into(),
                format!("label=Я даю %согласие{c}%"),
            ],
            vec![
                "source".into(),
                "edit".into(),
                "contact-form".into(),
                "--add-field".into(),
                bad.clone(),
            ],
        ];
        for args in cases {
            let args: Vec<&str> = args.iter().map(String::as_str).collect();
            let r = env.fails(&args);
            assert!(
                r.stderr.contains(&format!("(U+{:04X} {name})", c as u32)),
                "{args:?}: {}",
                r.stderr
            );
        }
    }
    // A custom text: line and column.
    let file = crate::common::write(
        &env,
        "t.txt.j2",
        "Согласие\n\nОператор: \u{202E}{{ operator.display_name }}\n",
    );
    let r = env.fails(&[
        "agreement",
        "edit",
        "personal-data",
        "--set",
        "template=custom",
        "--text-file",
        &file,
    ]);
    assert!(
        r.stderr.contains(
            "line 3, column 11: the text contains an invisible or bidirectional character (U+202E RIGHT-TO-LEFT OVERRIDE)"
        ),
        "{}",
        r.stderr
    );
}

#[test]
fn a_template_cannot_write_an_invisible_character_into_the_text() {
    let env = Env::with_example();
    let file = crate::common::write(
        &env,
        "t.txt.j2",
        "Согласие\n\nОператор: {{ \"\\u202e\" }}{{ operator.display_name }}\n",
    );
    let r = env.fails(&[
        "agreement",
        "edit",
        "personal-data",
        "--set",
        "template=custom",
        "--text-file",
        &file,
    ]);
    let message = "the rendered text contains an invisible or bidirectional character (U+202E RIGHT-TO-LEFT OVERRIDE) at its line 3, column 11";
    assert!(r.stderr.contains(message), "{}", r.stderr);
    // One already in the database (an older pdconsent) is never output.
    let ok = crate::common::write(
        &env,
        "ok.txt.j2",
        "Согласие\n\nОператор: {{ operator.display_name }}\n",
    );
    env.ok(&[
        "agreement",
        "add",
        "old",
        "--name",
        "Old",
        "--text-file",
        &ok,
    ]);
    crate::bounds::store_custom_text(
        &env,
        "old",
        "Согласие\n\nОператор: \u{202E}{{ operator.display_name }}\n",
    );
    for format in ["text", "html", "markdown", "json"] {
        let r = env.fails(&["agreement", "preview", "old", "--format", format]);
        assert!(r.stderr.contains(message), "{format}: {}", r.stderr);
    }
    let (exit, rows) = check(&env, &["old"]);
    assert_eq!(exit, 1);
    assert_eq!(ids(&rows, "error"), ["renders"]);
}

// ------------------------------------------------------ 9. KPP, 10. region 00

#[test]
fn kpp_upper_cases_ascii_letters_only() {
    let env = Env::with_example();
    let r = env.fails(&["requisites", "edit", "main", "--set", "kpp=7812ß001"]);
    assert!(
        r.stderr
            .contains("KPP `7812ß001` is invalid: length check failed: has 8 characters"),
        "{}",
        r.stderr
    );
    env.ok(&["requisites", "edit", "main", "--set", "kpp=7812ab001"]);
    assert_eq!(
        env.json(&["requisites", "show", "main"])["kpp"],
        "7812AB001"
    );
}

#[test]
fn region_code_00_is_refused_in_every_identifier() {
    let env = Env::with_example();
    for (key, value, digits) in [
        ("inn", "0012345679", "1-2"),
        ("ogrn", "1000000000000", "4-5"),
    ] {
        let r = env.fails(&[
            "requisites",
            "edit",
            "main",
            "--set",
            &format!("{key}={value}"),
        ]);
        assert!(
            r.stderr.contains(&format!(
                "digits {digits} are 00, which is no region's code"
            )),
            "{key}: {}",
            r.stderr
        );
    }
    env.ok(&[
        "requisites",
        "add",
        "ip",
        "--set",
        "kind=individual",
        "--set",
        "short_name=Иванов Иван Иванович",
    ]);
    let r = env.fails(&[
        "requisites",
        "edit",
        "ip",
        "--set",
        "ogrnip=300000000000000",
    ]);
    assert!(r.stderr.contains("digits 4-5 are 00"), "{}", r.stderr);
}

// ------------------------------------------------------------- 6. the label

/// The checkbox line of a text preview (its last line).
fn checkbox(env: &Env, args: &[&str]) -> String {
    let mut full = vec!["agreement", "preview"];
    full.extend(args);
    let out = env.ok(&full).stdout;
    out.lines().last().unwrap_or("").to_string()
}

#[test]
fn the_default_label_names_the_kind_of_consent() {
    let env = Env::with_example();
    for (code, shown) in [
        (
            "personal-data",
            "[ ] Я даю согласие на обработку персональных данных (обязательно)",
        ),
        (
            "marketing",
            "[ ] Я даю согласие на получение рекламы и рассылок (необязательно)",
        ),
        (
            "reviews",
            "[ ] Я даю согласие на распространение персональных данных (необязательно)",
        ),
    ] {
        env.ok(&["agreement", "edit", code, "--unset", "label"]);
        assert_eq!(checkbox(&env, &[code]), shown, "{code}");
    }
    let v = env.json(&["agreement", "preview", "reviews"]);
    assert_eq!(
        v["label"],
        "Я даю %согласие на распространение персональных данных%"
    );
    let html = env
        .ok(&["agreement", "preview", "marketing", "--format", "html"])
        .stdout;
    assert!(
        html.contains(">согласие на получение рекламы и рассылок</a></label>"),
        "{html}"
    );
    env.ok(&[
        "agreement",
        "add",
        "en",
        "--name",
        "EN",
        "--set",
        "language=en",
        "--template",
        "en-consent",
        "--add-purpose",
        "answering requests",
        "--set",
        "term=until consent is withdrawn",
    ]);
    assert!(
        checkbox(&env, &["en"]).starts_with("[ ] I consent to the processing of my personal data")
    );
}

#[test]
fn an_empty_link_in_a_label_is_refused() {
    let env = Env::with_example();
    let r = refused!(
        &env,
        "label_with_an_empty_link",
        &[
            "agreement",
            "edit",
            "personal-data",
            "--set",
            "label=Я даю % % согласие"
        ]
    );
    assert!(r.stderr.contains("is empty"), "{}", r.stderr);
}

#[test]
fn a_label_that_accepts_an_offer_or_terms_is_an_error() {
    let env = Env::with_example();
    for label in [
        "Я принимаю условия %публичной оферты% и даю согласие",
        "Я даю %согласие% и принимаю пользовательское соглашение",
        "Я даю %согласие% и соглашаюсь с правилами сайта",
    ] {
        env.ok(&[
            "agreement",
            "edit",
            "personal-data",
            "--set",
            &format!("label={label}"),
        ]);
        let (exit, rows) = check(&env, &["personal-data"]);
        assert_eq!(exit, 1, "{label}");
        assert_eq!(ids(&rows, "error"), ["label_bundled"], "{label}");
        assert_eq!(
            rows[0]["hint"],
            "pdconsent agreement edit personal-data --set label=\"Я даю %…%\""
        );
    }
    // Its own words only: the example's labels pass.
    env.ok(&["apply", crate::common::example_file().to_str().unwrap()]);
    assert_eq!(check(&env, &["--all"]).0, 0);
}

#[test]
fn a_double_percent_is_a_literal_percent_sign() {
    let env = Env::with_example();
    env.ok(&[
        "agreement",
        "edit",
        "marketing",
        "--set",
        "label=Я даю %согласие на получение рекламы% (скидка 10%%)",
    ]);
    assert_eq!(
        checkbox(&env, &["marketing"]),
        "[ ] Я даю согласие на получение рекламы (скидка 10%) (необязательно)"
    );
    let html = env
        .ok(&["agreement", "preview", "marketing", "--format", "html"])
        .stdout;
    assert!(
        html.contains(">согласие на получение рекламы</a> (скидка 10%)</label>"),
        "{html}"
    );
    assert_eq!(check(&env, &["marketing"]).0, 0);
}

// ------------------------------ 2, 5. each consent lists its own personal data

/// The `- ` items of the paragraph that starts with `heading`.
fn list_after(text: &str, heading: &str) -> Vec<String> {
    let start = text
        .find(heading)
        .unwrap_or_else(|| panic!("no «{heading}» in:\n{text}"));
    text[start..]
        .lines()
        .skip(1)
        .take_while(|l| l.starts_with("- "))
        .map(|l| l[2..].trim_end_matches([';', '.']).to_string())
        .collect()
}

fn text(env: &Env, args: &[&str]) -> String {
    let mut full = vec!["agreement", "preview"];
    full.extend(args);
    env.json(&full)["text"].as_str().unwrap().to_string()
}

#[test]
fn a_distribution_consent_publishes_only_its_own_fields_never_the_forms() {
    let env = Env::with_example();
    env.ok(&["source", "edit", "contact-form", "--link", "reviews"]);
    let t = text(&env, &["reviews", "--source", "contact-form"]);
    assert_eq!(
        list_after(
            &t,
            "Перечень персональных данных, разрешенных мною для распространения:"
        ),
        ["имя", "город", "фотография", "текст отзыва"]
    );
    assert!(!t.contains("комментарий"), "{t}");
    // Without its own fields it lists nothing, whatever the form collects: an error.
    for f in ["имя", "город", "фотография", "текст отзыва"] {
        env.ok(&["agreement", "edit", "reviews", "--remove-field", f]);
    }
    let (exit, rows) = check(&env, &["reviews", "--source", "contact-form"]);
    assert_eq!(exit, 1);
    assert!(ids(&rows, "error").contains(&"personal_data"), "{rows:?}");
    assert_eq!(
        field(&rows, "personal_data", "hint"),
        ["pdconsent agreement edit reviews --add-field \"…\""]
    );
    assert!(!text(&env, &["reviews", "--source", "contact-form"]).contains("комментарий"));
}

#[test]
fn a_marketing_consent_lists_its_own_fields_and_only_their_channels() {
    let env = Env::with_example();
    let t = text(&env, &["marketing", "--source", "contact-form"]);
    let listed = list_after(
        &t,
        "Перечень персональных данных, на обработку которых дается согласие:",
    );
    assert_eq!(
        &listed[..3],
        ["имя", "адрес электронной почты", "номер телефона"]
    );
    assert!(!listed.iter().any(|f| f == "комментарий"), "{listed:?}");
    assert!(
        t.contains("в виде электронных писем, SMS-сообщений и телефонных звонков"),
        "{t}"
    );

    env.ok(&[
        "agreement",
        "edit",
        "marketing",
        "--remove-field",
        "номер телефона",
    ]);
    let t = text(&env, &["marketing", "--source", "contact-form"]);
    assert!(
        t.contains("на указанный мною адрес электронной почты в виде электронных писем."),
        "{t}"
    );
    assert!(
        !t.contains("SMS") && !t.contains("звонк") && !t.contains("мессенджер"),
        "{t}"
    );

    env.ok(&[
        "agreement",
        "edit",
        "marketing",
        "--remove-field",
        "адрес электронной почты",
        "--add-field",
        "номер телефона",
    ]);
    let t = text(&env, &["marketing", "--source", "contact-form"]);
    assert!(
        t.contains("на указанный мною абонентский номер телефона в виде SMS-сообщений и телефонных звонков."),
        "{t}"
    );
    assert!(!t.contains("электронных писем"), "{t}");

    // Neither: nowhere to send, a marker and an error.
    env.ok(&[
        "agreement",
        "edit",
        "marketing",
        "--remove-field",
        "номер телефона",
    ]);
    let (exit, rows) = check(&env, &["marketing", "--source", "contact-form"]);
    assert_eq!(exit, 1);
    assert!(ids(&rows, "error").contains(&"unfilled"), "{rows:?}");
    assert!(
        text(&env, &["marketing"])
            .contains("[не заполнено: адрес электронной почты или номер телефона]")
    );
}

#[test]
fn a_form_field_that_no_agreement_lists_is_a_warning() {
    let env = Env::with_example();
    env.ok(&[
        "source",
        "add",
        "promo",
        "--kind",
        "form",
        "--name",
        "Подписка",
        "--add-field",
        "адрес электронной почты",
        "--add-field",
        "дата рождения",
        "--link",
        "marketing",
    ]);
    let (exit, rows) = check(&env, &["--all"]);
    assert_eq!(exit, 0, "{rows:?}");
    assert_eq!(ids(&rows, "warning"), ["unlisted_field"]);
    assert_eq!(rows[0]["source"], "promo");
    assert!(
        rows[0]["message"]
            .as_str()
            .unwrap()
            .contains("collects `дата рождения`, but none of its agreements lists it"),
        "{rows:?}"
    );
    // The standard consent lists every field of the form: nothing unlisted.
    env.ok(&["source", "edit", "promo", "--link", "personal-data"]);
    assert_eq!(check(&env, &["--all"]), (0, vec![]));
}

// ------------------------------------- 4. custom texts, as strict as built-in

/// The example with `personal-data` turned into a custom copy of `template`
/// changed by `edit`; the check's exit code and error ids.
fn custom(
    env: &Env,
    code: &str,
    template: &str,
    edit: &dyn Fn(String) -> String,
) -> (i32, Vec<String>) {
    let text = edit(env.ok(&["template", "show", template]).stdout);
    let file = crate::common::write(env, "custom.txt.j2", &text);
    env.ok(&[
        "agreement",
        "edit",
        code,
        "--set",
        "template=custom",
        "--text-file",
        &file,
    ]);
    let (exit, rows) = check(env, &[code]);
    (
        exit,
        ids(&rows, "error").into_iter().map(String::from).collect(),
    )
}

#[test]
fn copies_of_the_built_in_texts_pass_as_custom_texts() {
    let env = Env::with_example();
    for (code, template) in [
        ("personal-data", "ru-152fz-consent"),
        ("marketing", "ru-152fz-marketing"),
        ("reviews", "ru-152fz-distribution"),
    ] {
        assert_eq!(
            custom(&env, code, template, &|t| t),
            (0, vec![]),
            "{template}"
        );
    }
}

#[test]
fn a_custom_text_that_bundles_other_documents_or_purposes_is_an_error() {
    let env = Env::with_example();
    let end = "\n\nТакже я подтверждаю, что";
    for addition in [
        " принимаю условия публичной оферты.",
        " ознакомлен с пользовательским соглашением и принимаю его.",
        " принимаю условия использования сайта.",
        " согласен на передачу данных партнерам для направления их собственных предложений.",
        " согласен получать рекламу и рассылки Оператора.",
        " согласен на опубликование моих данных на сайте.",
        " согласен на распространение моих персональных данных.",
        " согласен, что Оператор передает данные партнерам Оператора, которые могут предлагать мне свои услуги.",
        " принимаю условия оказания услуг.",
        " ознакомлен с правилами сайта.",
    ] {
        let (exit, errors) = custom(&env, "personal-data", "ru-152fz-consent", &|t| {
            format!("{}{end}{addition}\n", t.trim_end())
        });
        assert_eq!(
            (exit, errors),
            (1, vec!["bundled".to_string()]),
            "{addition}"
        );
    }
    // A negation says the consent is not bundled: no error.
    for negation in [
        " Настоящее согласие не является офертой.",
        " Настоящее согласие не включает согласие на получение рекламы.",
    ] {
        let (exit, errors) = custom(&env, "personal-data", "ru-152fz-consent", &|t| {
            format!("{}\n\n{negation}\n", t.trim_end())
        });
        assert_eq!((exit, errors), (0, vec![]), "{negation}");
    }
    // Advertising and publication are each their own consent.
    let (exit, errors) = custom(&env, "marketing", "ru-152fz-marketing", &|t| {
        format!("{}{end} согласен на публикацию отзыва.\n", t.trim_end())
    });
    assert_eq!((exit, errors), (1, vec!["bundled".to_string()]));
}

#[test]
fn a_custom_text_with_leftover_markup_is_an_error() {
    let env = Env::with_example();
    for leftover in [
        "Оператор: %company_name%.",
        "Оператор: %ИМЯ_ОПЕРАТОРА%.",
        "Оператор: %company name%.",
        "Оператор: {% raw %}{{ operator.short_name }}{% endraw %}.",
        "Оператор: {% raw %}{% if x %}{% endraw %}.",
        "Сайт: [не заполнено: сайт].",
    ] {
        let (exit, errors) = custom(&env, "personal-data", "ru-152fz-consent", &|t| {
            format!("{}\n\n{leftover}\n", t.trim_end())
        });
        assert_eq!(exit, 1, "{leftover}");
        assert!(
            errors.contains(&"leftover_markup".to_string()),
            "{leftover}: {errors:?}"
        );
    }
    // A percent sign in prose is no placeholder.
    let (exit, _) = custom(&env, "personal-data", "ru-152fz-consent", &|t| {
        format!(
            "{}\n\nСкидка 10% и 20% для постоянных клиентов не связана с согласием.\n",
            t.trim_end()
        )
    });
    assert_eq!(exit, 0);
}

#[test]
fn a_custom_text_must_identify_the_operator_processors_and_the_30_day_clause() {
    let env = Env::with_example();
    let cases: [(&str, &str, &[&str]); 4] = [
        (
            "{{ operator.display_name }}",
            "{{ operator.short_name }}",
            &["operator_ids", "operator_ids"],
        ),
        (
            "{{ operator.postal_address }}",
            "{{ operator.legal_address }}",
            &["postal_address"],
        ),
        (
            "{% if p.address %}, адрес: {{ p.address }}{% endif %}",
            "",
            &["processors"],
        ),
        ("30 (тридцати) дней", "разумный срок", &["withdrawal_term"]),
    ];
    for (part, instead, expected) in cases {
        let (exit, errors) = custom(&env, "personal-data", "ru-152fz-consent", &|t| {
            assert!(t.contains(part), "{part}");
            t.replace(part, instead)
        });
        assert_eq!(exit, 1, "without {part}");
        assert_eq!(errors, expected.to_vec(), "without {part}");
    }
}

#[test]
fn debug_and_pprint_are_not_available_in_templates() {
    let env = Env::with_example();
    for (call, what) in [
        ("{{ debug() }}", "debug"),
        ("{{ operator | pprint }}", "pprint"),
    ] {
        let file = crate::common::write(&env, "t.txt.j2", &format!("Согласие\n\n{call}\n"));
        let r = env.fails(&[
            "agreement",
            "edit",
            "personal-data",
            "--set",
            "template=custom",
            "--text-file",
            &file,
        ]);
        assert!(r.stderr.contains("line 3"), "{what}: {}", r.stderr);
        assert!(
            r.stderr.contains(&format!(
                "unknown {}",
                if what == "debug" {
                    "function"
                } else {
                    "filter"
                }
            )),
            "{what}: {}",
            r.stderr
        );
    }
}

// --------------------------------------- 3. order No. 18 for distribution

const INTERNAL_NETWORK: &str = "Условия, при которых полученные персональные данные могут передаваться Оператором только по его внутренней сети";

#[test]
fn a_required_distribution_consent_is_an_error() {
    let env = Env::with_example();
    env.ok(&["agreement", "edit", "reviews", "--set", "required=true"]);
    let (exit, rows) = check(&env, &["reviews"]);
    assert_eq!(exit, 1);
    assert_eq!(ids(&rows, "error"), ["distribution_required"]);
    assert_eq!(
        rows[0]["hint"],
        "pdconsent agreement edit reviews --set required=false"
    );
    env.ok(&["agreement", "edit", "reviews", "--set", "required=false"]);
    env.ok(&[
        "source",
        "edit",
        "contact-form",
        "--link",
        "reviews,required=true",
    ]);
    let (exit, rows) = check(&env, &["reviews", "--source", "contact-form"]);
    assert_eq!(exit, 1);
    assert_eq!(ids(&rows, "error"), ["distribution_required"]);
    assert_eq!(
        rows[0]["hint"],
        "pdconsent source edit contact-form --link reviews,required=false"
    );
}

#[test]
fn the_distribution_text_names_the_subject_the_page_and_the_internal_network_in_every_branch() {
    let env = Env::with_example();
    env.ok(&["source", "edit", "contact-form", "--link", "reviews"]);
    let t = text(&env, &["reviews", "--source", "contact-form"]);
    assert!(t.contains("Я, субъект персональных данных, фамилия, имя, отчество (при наличии) и контактная информация (номер телефона, адрес электронной почты или почтовый адрес) которого указаны мною при заполнении формы на странице сайта https://severny-veter.ru/contacts,"), "{t}");
    assert!(t.contains("сайта https://severny-veter.ru (далее — Сайт); адрес страницы Сайта, на которой дается настоящее согласие: https://severny-veter.ru/contacts."), "{t}");
    // With the example's restrictions, and without any.
    assert!(
        t.contains(INTERNAL_NETWORK)
            && t.contains("если они не указаны мною выше, я не устанавливаю."),
        "{t}"
    );
    for r in [
        "запрет на передачу (кроме предоставления доступа) персональных данных неограниченному кругу лиц",
        "запрет на обработку персональных данных неограниченным кругом лиц, кроме ознакомления на сайте",
    ] {
        env.ok(&["agreement", "edit", "reviews", "--remove-restriction", r]);
    }
    let t = text(&env, &["reviews", "--source", "contact-form"]);
    assert!(
        t.contains("неограниченным кругом лиц я не устанавливаю."),
        "{t}"
    );
    assert!(t.contains(INTERNAL_NETWORK), "{t}");
    assert!(
        !t.contains("мною не устанавливаются"),
        "the subject's own words: {t}"
    );
    // Without a source the text says where the details were given.
    assert!(
        text(&env, &["reviews"]).contains("указаны мною при предоставлении настоящего согласия,")
    );
}

#[test]
fn the_form_can_carry_the_subjects_own_prohibitions() {
    let env = Env::with_example();
    env.ok(&[
        "source",
        "add",
        "review-form",
        "--kind",
        "form",
        "--name",
        "Отзыв",
        "--set",
        "url=https://severny-veter.ru/reviews/new",
        "--add-field",
        "имя",
        "--add-field",
        "текст отзыва",
        "--add-field",
        "запреты и условия распространения",
        "--link",
        "personal-data",
        "--link",
        "reviews",
    ]);
    let t = text(&env, &["reviews", "--source", "review-form"]);
    assert!(t.contains("указываются мною в поле «запреты и условия распространения» формы; если в этом поле указано «не устанавливаю» или оно не заполнено, таких запретов и условий я не устанавливаю."), "{t}");
    assert!(t.contains(INTERNAL_NETWORK), "{t}");
    assert_eq!(check(&env, &["reviews", "--source", "review-form"]).0, 0);
}

#[test]
fn the_distribution_category_follows_the_fields_marked_special_or_biometric() {
    let env = Env::with_example();
    let t = text(&env, &["reviews"]);
    assert!(t.contains("Категория персональных данных, на обработку которых дается согласие: персональные данные, не относящиеся к специальным категориям персональных данных и к биометрическим персональным данным."), "{t}");
    env.ok(&[
        "agreement",
        "edit",
        "reviews",
        "--remove-field",
        "фотография",
        "--add-field",
        "фотография (биометрические персональные данные)",
    ]);
    let t = text(&env, &["reviews"]);
    assert!(t.contains("Категории персональных данных, на обработку которых дается согласие: персональные данные, не относящиеся к специальным категориям персональных данных и к биометрическим персональным данным; биометрические персональные данные."), "{t}");
}

// ------------------------------------------------------ 8. value hygiene

#[test]
fn slips_in_values_are_warnings_naming_the_setting() {
    let env = Env::with_example();
    let cases: [(&[&str], &str, &str); 8] = [
        (
            &[
                "agreement",
                "edit",
                "personal-data",
                "--add-purpose",
                "обработка  заявок",
            ],
            "purposes",
            "has a doubled space",
        ),
        (
            &[
                "agreement",
                "edit",
                "personal-data",
                "--add-purpose",
                "обработка заявок;;",
            ],
            "purposes",
            "has doubled punctuation `;;`",
        ),
        (
            &[
                "agreement",
                "edit",
                "personal-data",
                "--add-purpose",
                "обработка заявок..",
            ],
            "purposes",
            "has doubled punctuation `..`",
        ),
        (
            &[
                "requisites",
                "edit",
                "main",
                "--set",
                "short_name=ООО \"Северный ветер\"",
            ],
            "requisites.short_name",
            "straight quotes",
        ),
        (
            &["requisites", "edit", "main", "--set", "postal_address=—"],
            "requisites.postal_address",
            "is not an address a letter can reach",
        ),
        (
            &[
                "requisites",
                "edit",
                "main",
                "--set",
                "postal_address=Петербург",
            ],
            "requisites.postal_address",
            "is not an address a letter can reach",
        ),
        (
            &[
                "agreement",
                "edit",
                "personal-data",
                "--add-purpose",
                "любые законные цели",
            ],
            "purposes",
            "is vague (`любые законные цели`)",
        ),
        (
            &[
                "agreement",
                "edit",
                "personal-data",
                "--set",
                "term=бессрочно",
            ],
            "term",
            "is vague (`бессрочн`)",
        ),
    ];
    let restore = crate::common::example_file();
    for (args, setting, message) in cases {
        env.ok(args);
        let (exit, rows) = check(&env, &["personal-data"]);
        assert_eq!(exit, 0, "{args:?}: a warning, not an error: {rows:?}");
        let hygiene = field(&rows, "value_hygiene", "message");
        assert!(
            hygiene
                .iter()
                .any(|m| m.starts_with(&format!("{setting}: ")) && m.contains(message)),
            "{args:?}: {rows:?}"
        );
        // Back to the example (apply replaces lists and values as the file says).
        env.ok(&["apply", restore.to_str().unwrap()]);
        assert_eq!(check(&env, &["personal-data"]), (0, vec![]), "{args:?}");
    }
}

#[test]
fn an_entrepreneur_named_with_ip_would_read_ip_ip() {
    let env = Env::with_example();
    env.ok(&[
        "requisites",
        "add",
        "ip",
        "--set",
        "kind=individual",
        "--set",
        "short_name=ИП Иванов Иван Иванович",
        "--set",
        &format!("inn={}", crate::common::INN_PERSON),
        "--set",
        &format!("ogrnip={}", crate::common::OGRNIP),
        "--set",
        "legal_address=123456, г. Москва, ул. Тверская, д. 7",
    ]);
    env.ok(&[
        "agreement",
        "edit",
        "personal-data",
        "--set",
        "requisites=ip",
    ]);
    assert!(text(&env, &["personal-data"]).contains("ИП ИП Иванов"));
    let (exit, rows) = check(&env, &["personal-data"]);
    assert_eq!(exit, 0);
    let hygiene = field(&rows, "value_hygiene", "message");
    assert!(hygiene.iter().any(|m| m.contains("«ИП ИП …»")), "{rows:?}");
    assert_eq!(
        field(&rows, "value_hygiene", "hint"),
        ["pdconsent requisites edit ip --set short_name=…"]
    );
}

// ------------------------------------------------- 11. the English (GDPR) text

/// The example plus an English agreement with English fields.
fn with_english() -> Env {
    let env = Env::with_example();
    env.ok(&[
        "agreement",
        "add",
        "en",
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
    ]);
    env
}

#[test]
fn the_english_text_states_storage_in_russia_the_transfer_and_automated_decisions() {
    let env = with_english();
    let t = text(&env, &["en"]);
    assert!(t.contains("My personal data is stored in the Russian Federation, where the Controller is established."), "{t}");
    assert!(t.contains("outside the European Economic Area"), "{t}");
    assert!(t.contains("Article 49(1)(a) GDPR"), "{t}");
    assert!(
        t.contains("No automated decision-making, including profiling,"),
        "{t}"
    );
    assert_eq!(check(&env, &["en"]), (0, vec![]));
}

#[test]
fn an_english_text_listing_a_cyrillic_caption_is_an_error() {
    let env = with_english();
    env.ok(&["agreement", "edit", "en", "--add-field", "телефон"]);
    let (exit, rows) = check(&env, &["en"]);
    assert_eq!(exit, 1);
    assert_eq!(ids(&rows, "error"), ["field_language"]);
    assert!(rows[0]["message"].as_str().unwrap().contains("`телефон`"));
    // On a Russian form the English text lists the form's Russian captions: an error too.
    env.ok(&["agreement", "edit", "en", "--remove-field", "телефон"]);
    env.ok(&["source", "edit", "contact-form", "--link", "en"]);
    let (exit, rows) = check(&env, &["en", "--source", "contact-form"]);
    assert_eq!(exit, 1);
    assert_eq!(ids(&rows, "error"), ["field_language"; 4]);
}

#[test]
fn english_advertising_has_its_own_template_and_the_hint_names_it() {
    let env = with_english();
    env.ok(&[
        "agreement",
        "edit",
        "en",
        "--add-purpose",
        "sending marketing newsletters",
    ]);
    let (exit, rows) = check(&env, &["en"]);
    assert_eq!(exit, 0);
    assert_eq!(
        field(&rows, "bundled_advertising", "hint"),
        ["create a separate agreement with --template en-marketing and link both to the source"]
    );
    env.ok(&[
        "agreement",
        "add",
        "en-news",
        "--name",
        "News",
        "--language",
        "en",
        "--template",
        "en-marketing",
        "--add-purpose",
        "sending marketing newsletters",
        "--add-field",
        "e-mail",
    ]);
    let (exit, rows) = check(&env, &["en-news"]);
    assert_eq!(exit, 1, "advertising consent must be optional");
    assert_eq!(ids(&rows, "error"), ["marketing_required"]);
    env.ok(&["agreement", "edit", "en-news", "--set", "required=false"]);
    assert_eq!(check(&env, &["en-news"]), (0, vec![]));
    assert_eq!(
        checkbox(&env, &["en-news"]),
        "[ ] I consent to receive marketing communications (optional)"
    );
    let t = text(&env, &["en-news"]);
    assert!(
        t.contains("at the e-mail address I give, by e-mail."),
        "{t}"
    );
}

// ------------------------------------------------------------------ smaller

#[test]
fn the_chat_text_names_its_accept_button_and_the_form_text_its_box() {
    let env = Env::with_example();
    let chat = text(&env, &["personal-data", "--source", "site-chat"]);
    assert!(
        chat.contains("путем нажатия кнопки «Принимаю» при обращении к Оператору в чате"),
        "{chat}"
    );
    let form = text(&env, &["personal-data", "--source", "contact-form"]);
    assert!(
        form.contains("путем проставления отметки в соответствующем поле при заполнении формы"),
        "{form}"
    );
    assert!(!form.contains("«Принимаю»"), "{form}");
}

#[test]
fn markdown_links_to_an_anchor_of_its_own_and_escapes_ampersands() {
    let env = Env::with_example();
    env.ok(&[
        "agreement",
        "edit",
        "personal-data",
        "--add-purpose",
        "ответы на вопросы &copy; клиентов",
    ]);
    let md = env
        .ok(&[
            "agreement",
            "preview",
            "personal-data",
            "--format",
            "markdown",
        ])
        .stdout;
    assert!(
        md.starts_with("<a id=\"pdconsent-personal-data\"></a>\n\n## "),
        "{md}"
    );
    assert!(md.contains("](#pdconsent-personal-data)"), "{md}");
    assert!(md.contains("ответы на вопросы \\&copy; клиентов"), "{md}");
}

#[test]
fn two_snippets_of_one_agreement_on_one_page_have_distinct_ids() {
    let env = Env::with_example();
    let id_attrs = |source: &str| -> Vec<String> {
        let html = env
            .ok(&[
                "agreement",
                "preview",
                "personal-data",
                "--source",
                source,
                "--format",
                "html",
            ])
            .stdout;
        html.split(" id=\"")
            .skip(1)
            .map(|s| s[..s.find('"').unwrap()].to_string())
            .collect()
    };
    let contact = id_attrs("contact-form");
    let callback = id_attrs("callback-form");
    assert_eq!(
        contact,
        [
            "pdconsent-personal-data.contact-form-checkbox",
            "pdconsent-personal-data.contact-form-text"
        ]
    );
    assert!(
        contact.iter().all(|id| !callback.contains(id)),
        "{callback:?}"
    );
}

#[test]
fn require_reading_says_so_without_javascript_and_takes_a_csp_nonce() {
    let env = Env::with_example();
    let html = env
        .ok(&["agreement", "preview", "reviews", "--format", "html"])
        .stdout;
    assert!(
        html.contains("  <noscript><p class=\"pdconsent-require-reading\">Перед тем как поставить отметку, откройте и прочитайте текст согласия.</p></noscript>\n"),
        "{html}"
    );
    assert!(html.contains("  <script>(function(){"), "{html}");
    let html = env
        .ok(&[
            "agreement",
            "preview",
            "reviews",
            "--format",
            "html",
            "--nonce",
            "rAnd0m+/=",
        ])
        .stdout;
    assert!(
        html.contains("  <script nonce=\"rAnd0m+/=\">(function(){"),
        "{html}"
    );
    // Nothing but base64 reaches the attribute.
    let r = env.run(&[
        "agreement",
        "preview",
        "reviews",
        "--format",
        "html",
        "--nonce",
        "x\"><script>alert(1)</script>",
    ]);
    assert_eq!(r.code, 2, "{}", r.pinned());
    assert_eq!(r.stdout, "");
    assert!(r.stderr.contains("is not a nonce"), "{}", r.stderr);
    // Without require_reading there is no script and no note.
    let html = env
        .ok(&["agreement", "preview", "personal-data", "--format", "html"])
        .stdout;
    assert!(
        !html.contains("<noscript>") && !html.contains("<script"),
        "{html}"
    );
}

#[test]
fn the_english_texts_name_the_dpo_and_the_eu_representative_when_set() {
    let env = with_english();
    let before = text(&env, &["en"]);
    assert!(!before.contains("Data protection officer"), "{before}");
    env.ok(&[
        "requisites",
        "edit",
        "main",
        "--set",
        "dpo=Anna Smirnova, dpo@severny-veter.ru",
        "--set",
        "eu_representative=Nordwind EU GmbH, Friedrichstraße 1, 10117 Berlin, Germany",
    ]);
    let v = env.json(&["requisites", "show", "main"]);
    assert_eq!(v["dpo"], "Anna Smirnova, dpo@severny-veter.ru");
    let t = text(&env, &["en"]);
    assert!(
        t.contains("\n\nData protection officer of the Controller (Article 13(1)(b) GDPR): Anna Smirnova, dpo@severny-veter.ru.\n\nRepresentative of the Controller in the European Union (Article 27 GDPR): Nordwind EU GmbH, Friedrichstraße 1, 10117 Berlin, Germany.\n\nPurposes of the processing:"),
        "{t}"
    );
    // Russian texts are unchanged by them.
    assert!(!text(&env, &["personal-data"]).contains("Anna Smirnova"));
    // They round-trip through dump and apply.
    let dump = env.ok(&["dump"]).stdout;
    assert!(
        dump.contains("dpo = \"Anna Smirnova, dpo@severny-veter.ru\""),
        "{dump}"
    );
}

#[test]
fn a_source_field_carries_an_english_caption_for_english_texts() {
    let env = with_english();
    env.ok(&["source", "edit", "contact-form", "--link", "en"]);
    let (exit, rows) = check(&env, &["en", "--source", "contact-form"]);
    assert_eq!(exit, 1);
    assert_eq!(
        field(&rows, "field_language", "hint")[0],
        "pdconsent source edit contact-form --caption-en \"имя=…\""
    );
    env.ok(&[
        "source",
        "edit",
        "contact-form",
        "--caption-en",
        "имя=name",
        "--caption-en",
        "адрес электронной почты=e-mail address",
        "--caption-en",
        "номер телефона=telephone number",
        "--caption-en",
        "комментарий=comment",
    ]);
    assert_eq!(
        check(&env, &["en", "--source", "contact-form"]),
        (0, vec![])
    );
    let t = text(&env, &["en", "--source", "contact-form"]);
    assert_eq!(
        list_after(&t, "Categories of personal data processed:")[..4],
        ["name", "e-mail address", "telephone number", "comment"]
    );
    // The Russian texts keep the Russian captions.
    let ru = text(&env, &["personal-data", "--source", "contact-form"]);
    assert!(
        ru.contains("- комментарий;") && !ru.contains("comment"),
        "{ru}"
    );
    let v = env.json(&["source", "show", "contact-form"]);
    assert_eq!(v["captions_en"]["комментарий"], "comment");
    // dump → apply keeps them; removing a field removes its caption.
    let dump = env.ok(&["dump"]).stdout;
    let file = crate::common::write(&env, "dump.toml", &dump);
    let again = Env::new();
    again.ok(&["apply", &file]);
    assert_eq!(again.ok(&["dump"]).stdout, dump);
    env.ok(&[
        "source",
        "edit",
        "contact-form",
        "--remove-field",
        "комментарий",
    ]);
    let v = env.json(&["source", "show", "contact-form"]);
    assert!(v["captions_en"].get("комментарий").is_none(), "{v}");
    // A caption needs its field.
    let r = env.fails(&[
        "source",
        "edit",
        "contact-form",
        "--caption-en",
        "возраст=age",
    ]);
    assert!(r.stderr.contains("has no field `возраст`"), "{}", r.stderr);
}

#[test]
fn an_empty_link_stored_by_an_older_pdconsent_fails_the_check() {
    let env = Env::with_example();
    env.ok(&[
        "agreement",
        "add",
        "old",
        "--name",
        "Старое",
        "--add-purpose",
        "обработка заявок",
        "--add-field",
        "имя",
    ]);
    crate::bounds::store_setting(&env, "old", "label", "Я даю %% согласие");
    // `%%` is a literal percent now: this label has no link, which is allowed.
    assert_eq!(check(&env, &["old"]), (0, vec![]));
    crate::bounds::store_setting(&env, "old", "label", "Я даю % % согласие");
    let (exit, rows) = check(&env, &["old"]);
    assert_eq!(exit, 1);
    assert_eq!(ids(&rows, "error"), ["label"]);
    assert!(rows[0]["message"].as_str().unwrap().contains("is empty"));
}

#[test]
fn the_english_text_says_whether_automated_decisions_are_used() {
    let env = with_english();
    assert!(text(&env, &["en"]).contains("No automated decision-making, including profiling,"));
    env.ok(&[
        "agreement",
        "edit",
        "en",
        "--set",
        "automated_decisions=enquiries are ranked by a scoring model that decides the order of answers",
    ]);
    let t = text(&env, &["en"]);
    assert!(
        t.contains("The processing involves automated decision-making, including profiling (Article 22 GDPR): enquiries are ranked by a scoring model that decides the order of answers"),
        "{t}"
    );
    assert!(!t.contains("No automated decision-making"), "{t}");
    assert_eq!(
        env.json(&["agreement", "show", "en"])["automated_decisions"],
        "enquiries are ranked by a scoring model that decides the order of answers"
    );
    // It round-trips through dump and apply; unset, the text says none is used.
    let dump = env.ok(&["dump"]).stdout;
    assert!(
        dump.contains("automated_decisions = \"enquiries are ranked"),
        "{dump}"
    );
    let again = Env::new();
    again.ok(&["apply", &crate::common::write(&env, "d.toml", &dump)]);
    assert_eq!(again.ok(&["dump"]).stdout, dump);
    env.ok(&["agreement", "edit", "en", "--unset", "automated_decisions"]);
    assert!(text(&env, &["en"]).contains("No automated decision-making"));
}

#[test]
fn a_source_url_refuses_invisible_characters() {
    let env = Env::with_example();
    let r = env.fails(&[
        "source",
        "edit",
        "contact-form",
        "--set",
        "url=https://severny-veter.ru/c\u{200b}ontacts",
    ]);
    assert!(r.stderr.contains("U+200B"), "{}", r.stderr);
}

#[test]
fn ids_of_different_pairs_never_collide() {
    let env = Env::with_example();
    env.ok(&[
        "agreement",
        "add",
        "personal-data-contact",
        "--name",
        "Согласие",
        "--add-purpose",
        "обратная связь",
    ]);
    env.ok(&[
        "source",
        "add",
        "form",
        "--kind",
        "form",
        "--name",
        "Форма",
        "--link",
        "personal-data-contact",
    ]);
    let a = env
        .ok(&[
            "agreement",
            "preview",
            "personal-data-contact",
            "--source",
            "form",
            "--format",
            "html",
        ])
        .stdout;
    let b = env
        .ok(&[
            "agreement",
            "preview",
            "personal-data",
            "--source",
            "contact-form",
            "--format",
            "html",
        ])
        .stdout;
    let id = |html: &str| {
        html.split("id=\"")
            .nth(1)
            .and_then(|r| r.split('"').next())
            .unwrap()
            .to_string()
    };
    assert_ne!(id(&a), id(&b));
}

#[test]
fn the_prohibitions_field_named_by_the_distribution_text_is_not_unlisted() {
    let env = Env::with_example();
    env.ok(&[
        "source",
        "add",
        "nourl",
        "--kind",
        "form",
        "--name",
        "X",
        "--add-field",
        "имя",
        "--add-field",
        "запреты и условия распространения",
        "--link",
        "reviews",
    ]);
    let (_, rows) = check(&env, &["reviews", "--source", "nourl"]);
    let unlisted = field(&rows, "unlisted_field", "message");
    assert!(
        !unlisted.iter().any(|m| m.contains("запреты")),
        "{unlisted:?}"
    );
}

#[test]
fn automated_decisions_end_with_a_full_stop() {
    let env = Env::with_main();
    env.ok(&[
        "agreement",
        "add",
        "en",
        "--name",
        "Consent",
        "--language",
        "en",
        "--add-purpose",
        "answering enquiries",
        "--set",
        "automated_decisions=credit scoring of applicants",
    ]);
    let text = env.json(&["agreement", "preview", "en"])["text"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(text.contains("credit scoring of applicants."), "{text}");
}

#[test]
fn a_distribution_consent_on_a_form_needs_its_page_and_a_contact_field() {
    let env = Env::with_example();
    env.ok(&[
        "source",
        "add",
        "bare",
        "--kind",
        "form",
        "--name",
        "Форма",
        "--add-field",
        "имя",
        "--link",
        "reviews",
    ]);
    let (exit, rows) = check(&env, &["reviews", "--source", "bare"]);
    assert_eq!(exit, 1);
    assert!(
        ids(&rows, "error").contains(&"distribution_page"),
        "{rows:?}"
    );
    assert!(
        ids(&rows, "warning").contains(&"distribution_contacts"),
        "{rows:?}"
    );
    env.ok(&[
        "source",
        "edit",
        "bare",
        "--set",
        "url=https://severny-veter.ru/reviews",
        "--add-field",
        "адрес электронной почты",
    ]);
    let (_, rows) = check(&env, &["reviews", "--source", "bare"]);
    assert!(
        !ids(&rows, "error").contains(&"distribution_page"),
        "{rows:?}"
    );
    assert!(
        !ids(&rows, "warning").contains(&"distribution_contacts"),
        "{rows:?}"
    );
}
