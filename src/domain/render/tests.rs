use proptest::prelude::*;

use super::*;
use crate::domain::agreement::{Action, ThirdParty};
use crate::domain::source::Link;

pub fn company() -> Requisites {
    let mut r = Requisites::new("main", Kind::Legal);
    r.short_name = "ООО «Ромашка»".into();
    r.full_name = Some("Общество с ограниченной ответственностью «Ромашка»".into());
    r.inn = Some("7840502513".into());
    r.kpp = Some("784001001".into());
    r.ogrn = Some("1147847057214".into());
    r.legal_address =
        Some("190000, г. Санкт-Петербург, ул. Садовая, д. 1, лит. А, пом. 2-Н".into());
    r.postal_address = Some("190001, г. Санкт-Петербург, а/я 15".into());
    r.email = Some("privacy@romashka.ru".into());
    r.phone = Some("+7 812 000-00-00".into());
    r.website = Some("https://romashka.ru".into());
    r
}

pub fn entrepreneur() -> Requisites {
    let mut r = Requisites::new("ip", Kind::Individual);
    r.short_name = "Иванов Иван Иванович".into();
    r.inn = Some("775260181506".into());
    r.ogrnip = Some("339099603082469".into());
    r.legal_address = Some("123456, г. Москва, ул. Тверская, д. 7, кв. 12".into());
    r.email = Some("ivanov@example.ru".into());
    r.website = Some("https://ivanov-shop.ru".into());
    r
}

fn settings(template: &str, lang: Language, with_parties: bool) -> Settings {
    let mut s = Settings::new("Согласие", lang, "main");
    s.template = template.into();
    s.purposes = match template {
        "ru-152fz-marketing" => vec![
            "направление рекламных и информационных рассылок о товарах и акциях Оператора".into(),
        ],
        "ru-152fz-distribution" => {
            vec!["размещение отзыва с именем и фотографией на сайте Оператора".into()]
        }
        "en-consent" => vec!["processing of enquiries sent through the website".into()],
        _ => vec![
            "обработка заявок и обращений, поступивших через сайт".into(),
            "заключение и исполнение договоров с клиентами".into(),
        ],
    };
    s.fields = vec!["фамилия, имя".into(), "номер телефона".into()];
    if template == "ru-152fz-distribution" {
        s.restrictions = vec![
            "запрет на передачу данных неограниченному кругу лиц, кроме посетителей сайта".into(),
        ];
        s.actions = vec![Action::Collection, Action::Storage, Action::Transfer];
    }
    if with_parties {
        s.third_parties = vec![
            ThirdParty {
                name: "ООО «1С-Битрикс»".into(),
                inn: "7717586110".into(),
                address: "127287, г. Москва, ул. Хуторская 2-я, д. 38А, стр. 9".into(),
                role: Role::Processor,
            },
            ThirdParty {
                name: "ООО «Доставка»".into(),
                inn: "3811085917".into(),
                address: "664000, г. Иркутск, ул. Ленина, д. 1".into(),
                role: Role::Recipient,
            },
        ];
    }
    s
}

fn form() -> Source {
    let mut s = Source::new("contact", SourceKind::Form, "Форма обратной связи");
    s.url = Some("https://romashka.ru/contacts".into());
    s.fields = vec![
        "имя".into(),
        "адрес электронной почты".into(),
        "номер телефона".into(),
        "комментарий".into(),
    ];
    s.link(Link::parse("site").unwrap());
    s
}

fn chat() -> Source {
    Source::new("chat", SourceKind::Openline, "Чат на сайте")
}

fn render_ok(s: &Settings, r: Option<&Requisites>, src: Option<&Source>) -> Rendered {
    render(&RenderInput {
        code: "site",
        revision: 3,
        settings: s,
        requisites: r,
        source: src,
    })
    .unwrap()
}

fn assert_clean(text: &str) {
    assert!(
        !text.contains("{{") && !text.contains("{%"),
        "leftover template syntax"
    );
    assert!(
        !text.contains("[не заполнено") && !text.contains("[not filled"),
        "marker left:\n{text}"
    );
    assert!(!text.contains("\n\n\n"), "double blank line");
    assert!(text.lines().all(|l| l == l.trim_end()), "trailing spaces");
    assert!(!text.contains("  "), "double space");
}

#[test]
fn builtin_templates_render_for_a_company_and_an_entrepreneur() {
    for (id, lang, _) in BUILTIN {
        for (case, with_parties, src) in [
            ("company-parties-form", true, Some(form())),
            ("company-chat", false, Some(chat())),
            ("entrepreneur-form", false, Some(form())),
            ("company-no-source", true, None),
            ("entrepreneur-parties-chat", true, Some(chat())),
        ] {
            let s = settings(id, *lang, with_parties);
            let req = if case.starts_with("entrepreneur") {
                entrepreneur()
            } else {
                company()
            };
            let r = render_ok(&s, Some(&req), src.as_ref());
            assert_clean(&r.text);
            assert!(r.warnings.is_empty(), "{id}/{case}: {:?}", r.warnings);
            insta::assert_snapshot!(format!("{id}__{case}"), r.text);
        }
    }
}

#[test]
fn third_party_blocks_vanish_without_parties() {
    let with = render_ok(
        &settings("ru-152fz-consent", Language::Ru, true),
        Some(&company()),
        Some(&form()),
    );
    let without = render_ok(
        &settings("ru-152fz-consent", Language::Ru, false),
        Some(&company()),
        Some(&form()),
    );
    assert!(with.text.contains("по поручению Оператора") && with.text.contains("7717586110"));
    assert!(!without.text.contains("по поручению") && !without.text.contains("третьим лицам"));
}

#[test]
fn openline_lists_chat_fields_and_form_lists_its_fields() {
    let s = settings("ru-152fz-consent", Language::Ru, false);
    let chat = render_ok(&s, Some(&company()), Some(&chat()));
    assert!(chat.text.contains("- фотография;"), "{}", chat.text);
    assert!(chat.text.contains("с которой начат чат"));
    let f = render_ok(&s, Some(&company()), Some(&form()));
    assert!(f.text.contains("- комментарий;"));
    assert!(
        !f.text.contains("фамилия, имя"),
        "source fields replace the agreement's"
    );
    let none = render_ok(&s, Some(&company()), None);
    assert!(none.text.contains("- фамилия, имя;"));
}

#[test]
fn missing_values_are_markers_and_warnings() {
    let mut s = settings("ru-152fz-consent", Language::Ru, false);
    s.purposes.clear();
    let mut r = company();
    r.legal_address = None;
    r.postal_address = None;
    r.email = None;
    let out = render_ok(&s, Some(&r), None);
    let settings: Vec<&str> = out.warnings.iter().map(|w| w.setting.as_str()).collect();
    assert_eq!(
        settings,
        ["requisites.legal_address", "purposes", "withdrawal_email"]
    );
    assert!(out.text.contains("[не заполнено: адрес]"));
    assert!(out.text.contains("[не заполнено: цели обработки]"));
    assert!(
        out.text
            .contains("[не заполнено: адрес электронной почты для отзыва]")
    );
    assert_eq!(
        out.warnings[0].hint,
        "pdconsent requisites edit main --set legal_address=…"
    );
    let gone = render_ok(&s, None, None);
    assert!(gone.text.contains("[не заполнено: оператор]"));
}

#[test]
fn custom_template_errors_have_line_and_column() {
    let err = check_template("Согласие\n{{ operator.display_name }\n", Language::Ru).unwrap_err();
    assert_eq!(err.line, Some(2));
    assert!(err.column.is_some(), "{err}");
    let err = check_template("{% for x in purposes %}{{ x }}", Language::Ru).unwrap_err();
    assert!(err.message.contains("syntax error"), "{err}");
    let err = check_template("Оператор: {{ operater.display_name }}", Language::Ru).unwrap_err();
    assert_eq!(err.line, Some(1));
    assert!(err.message.contains("undefined"), "{err}");
    assert!(
        check_template(
            "{{ operator.display_name }}: {{ purposes | join(', ') }}",
            Language::Ru
        )
        .is_ok()
    );
}

#[test]
fn a_wrong_key_inside_a_loop_is_caught_when_saved() {
    let t = "{{ operator.display_name }}{% for p in processors %} {{ p.nmae }}{% endfor %}";
    let err = check_template(t, Language::Ru).unwrap_err();
    assert!(err.message.contains("undefined"), "{err}");
    let t = "{% if source and source.kind == 'openline' %}{{ source.ulr }}{% endif %}";
    assert!(check_template(t, Language::Ru).is_err());
}

#[test]
fn templates_cannot_reach_files_or_environment() {
    for t in [
        "{% include '/etc/passwd' %}",
        "{% import 'x' as y %}",
        "{{ env.HOME }}",
    ] {
        assert!(check_template(t, Language::Ru).is_err(), "{t}");
    }
}

#[test]
fn normalisation() {
    assert_eq!(normalize("a  \r\nb\t\n\n\n"), "a\nb\n");
    // "й" as и + combining breve becomes the single NFC code point.
    assert_eq!(normalize("и\u{306}"), "й\n");
    assert_eq!(
        sha256_hex(b"abc"),
        "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
    );
}

#[test]
fn label_split() {
    assert_eq!(
        split_label("Я даю %согласие% на обработку"),
        (
            "Я даю ".to_string(),
            "согласие".to_string(),
            " на обработку".to_string()
        )
    );
    assert_eq!(
        split_label("Согласен"),
        (String::new(), "Согласен".to_string(), String::new())
    );
    // `%%` is a literal percent sign, inside or outside the link.
    assert_eq!(
        split_label("Скидка 10%%: я даю %согласие на 100%%%"),
        (
            "Скидка 10%: я даю ".to_string(),
            "согласие на 100%".to_string(),
            String::new()
        )
    );
    use crate::domain::agreement::check_label;
    assert!(check_label("Я даю %согласие%").is_ok());
    assert!(check_label("Я даю 100%% согласие").is_ok());
    assert!(
        check_label("Я даю % % согласие")
            .unwrap_err()
            .contains("is empty")
    );
    assert!(
        check_label("Я даю %согласие")
            .unwrap_err()
            .contains("has 1 `%`")
    );
}

proptest! {
    #[test]
    fn rendering_is_deterministic(
        purposes in proptest::collection::vec("[а-яА-Я ,.]{1,30}", 1..4),
        fields in proptest::collection::vec("[а-яa-z ]{1,20}", 0..5),
        parties in any::<bool>(),
        tmpl in 0usize..4,
        chat_source in any::<bool>(),
    ) {
        let (id, lang, _) = BUILTIN[tmpl];
        let mut s = settings(id, lang, parties);
        s.purposes = purposes.into_iter().filter(|p| !p.trim().is_empty()).collect();
        s.fields = fields;
        let src = if chat_source { chat() } else { form() };
        let a = render_ok(&s, Some(&company()), Some(&src));
        let b = render_ok(&s.clone(), Some(&company().clone()), Some(&src.clone()));
        prop_assert_eq!(&a.text, &b.text);
        prop_assert_eq!(&a.sha256, &sha256_hex(a.text.as_bytes()));
        prop_assert_eq!(normalize(&a.text), a.text.clone());
    }
}

#[test]
fn only_a_distribution_consent_grants_distribution() {
    let mut s = settings("ru-152fz-consent", Language::Ru, false);
    s.actions.push(Action::Transfer);
    let text = render_ok(&s, Some(&company()), None).text;
    assert!(text.contains("передача (предоставление, доступ)"), "{text}");
    assert!(!text.contains("распространение"), "{text}");
    let d = render_ok(
        &settings("ru-152fz-distribution", Language::Ru, false),
        Some(&company()),
        None,
    )
    .text;
    assert!(
        d.contains("передача (распространение, предоставление, доступ)"),
        "{d}"
    );
}

#[test]
fn a_distribution_consent_marks_missing_identifiers() {
    let mut r = entrepreneur();
    r.inn = None;
    r.ogrnip = None;
    let out = render_ok(
        &settings("ru-152fz-distribution", Language::Ru, false),
        Some(&r),
        None,
    );
    assert!(
        out.text.contains("[не заполнено: ИНН]") && out.text.contains("[не заполнено: ОГРНИП]"),
        "{}",
        out.text
    );
    assert!(!out.text.contains("ИНН: ;"), "{}", out.text);
}

#[test]
fn a_control_character_written_by_the_template_is_refused() {
    for escape in ["\\x1b[2J", "\\u0007", "\\b", "\\0"] {
        let mut s = settings("custom", Language::Ru, false);
        s.custom_text = Some(format!("Оператор: {{{{ \"{escape}\" }}}}.\n"));
        let e = render(&RenderInput {
            code: "site",
            revision: 1,
            settings: &s,
            requisites: Some(&company()),
            source: None,
        })
        .unwrap_err();
        assert!(
            e.message
                .starts_with("the rendered text contains a control character"),
            "{escape}: {e}"
        );
        assert!(e.message.contains("at its line 1, column 11"), "{e}");
    }
    // Tabs and line breaks written by a template stay.
    let mut s = settings("custom", Language::Ru, false);
    s.custom_text = Some("a{{ \"\\t\" }}b{{ \"\\r\\n\" }}c\n".into());
    let input = RenderInput {
        code: "site",
        revision: 1,
        settings: &s,
        requisites: Some(&company()),
        source: None,
    };
    assert_eq!(render(&input).unwrap().text, "a\tb\nc\n");
}

#[test]
fn data_categories_follow_the_fields_marks() {
    use super::data_categories;
    let f = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
    assert_eq!(data_categories(&f(&["имя"])).len(), 1);
    assert_eq!(
        data_categories(&f(&[
            "имя",
            "фотография (биометрические персональные данные)"
        ])),
        [
            "персональные данные, не относящиеся к специальным категориям персональных данных и к биометрическим персональным данным",
            "биометрические персональные данные"
        ]
    );
    assert_eq!(
        data_categories(&f(&["сведения о здоровье (специальная категория)"])),
        ["специальные категории персональных данных"]
    );
}
