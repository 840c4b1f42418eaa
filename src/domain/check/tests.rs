use super::*;
use crate::domain::agreement::{Action, Language, Settings, ThirdParty};
use crate::domain::render::{RenderInput, render};
use crate::domain::requisites::{Kind, Requisites};
use crate::domain::source::{Source, SourceKind};

fn company() -> Requisites {
    let mut r = Requisites::new("main", Kind::Legal);
    r.short_name = "ООО «Ромашка»".into();
    r.inn = Some("7840502513".into());
    r.ogrn = Some("1147847057214".into());
    r.legal_address = Some("г. Санкт-Петербург, ул. Садовая, д. 1".into());
    r.email = Some("privacy@romashka.ru".into());
    r.website = Some("https://romashka.ru".into());
    r
}

fn complete() -> Settings {
    let mut s = Settings::new("Согласие", Language::Ru, "main");
    s.purposes = vec!["обработка заявок".into()];
    s.fields = vec!["имя".into(), "телефон".into()];
    s.third_parties = vec![ThirdParty {
        name: "ООО «1С-Битрикс»".into(),
        inn: "7717586110".into(),
        address: "г. Москва".into(),
        role: Role::Processor,
    }];
    s
}

fn run(s: &Settings, r: Option<&Requisites>, src: Option<&Source>) -> Vec<Finding> {
    let input = RenderInput {
        code: "site",
        revision: 1,
        settings: s,
        requisites: r,
        source: src,
    };
    let rendered = render(&input).unwrap();
    let link = src.and_then(|x| x.agreements.iter().find(|l| l.agreement == "site"));
    check(&CheckInput {
        render: input,
        rendered: &rendered,
        agreement_archived: false,
        link,
        source_archived: false,
        unlisted: &[],
    })
}

fn errors(f: &[Finding]) -> Vec<&'static str> {
    f.iter()
        .filter(|f| f.severity == Severity::Error)
        .map(|f| f.check)
        .collect()
}

#[test]
fn complete_agreement_passes() {
    for template in [
        "ru-152fz-consent",
        "ru-152fz-marketing",
        "ru-152fz-distribution",
        "en-consent",
    ] {
        let mut s = complete();
        s.template = template.into();
        if template == "ru-152fz-marketing" {
            s.required = false;
        }
        if template == "ru-152fz-distribution" {
            s.actions.push(Action::Transfer);
            // Issue 9: a consent to distribution is optional (art. 10.1 §9).
            s.required = false;
        }
        let f = run(&s, Some(&company()), None);
        assert!(f.is_empty(), "{template}: {f:?}");
    }
}

#[test]
fn each_missing_element_is_reported() {
    let r = company();
    let mut s = complete();
    s.purposes.clear();
    assert_eq!(errors(&run(&s, Some(&r), None)), ["purposes", "unfilled"]);

    let mut s = complete();
    s.fields.clear();
    assert_eq!(
        errors(&run(&s, Some(&r), None)),
        ["personal_data", "unfilled"]
    );

    let mut s = complete();
    s.actions.clear();
    assert_eq!(errors(&run(&s, Some(&r), None)), ["actions", "unfilled"]);

    let mut s = complete();
    s.third_parties[0].address.clear();
    assert_eq!(errors(&run(&s, Some(&r), None)), ["third_parties"]);

    let mut no_addr = company();
    no_addr.legal_address = None;
    assert_eq!(
        errors(&run(&complete(), Some(&no_addr), None)),
        ["operator_address", "unfilled"]
    );

    let mut no_mail = company();
    no_mail.email = None;
    assert_eq!(
        errors(&run(&complete(), Some(&no_mail), None)),
        ["withdrawal", "unfilled"]
    );

    assert_eq!(
        errors(&run(&complete(), None, None)),
        ["operator", "withdrawal", "unfilled"]
    );

    let mut bad = company();
    bad.inn = Some("7840502514".into());
    assert_eq!(
        errors(&run(&complete(), Some(&bad), None)),
        ["requisites_valid"]
    );
}

#[test]
fn distribution_needs_inn_ogrn_and_site() {
    let mut s = complete();
    s.template = "ru-152fz-distribution".into();
    let mut r = company();
    r.website = None;
    r.ogrn = None;
    let f = run(&s, Some(&r), None);
    let msgs: Vec<&str> = f
        .iter()
        .filter(|f| f.check == "distribution_operator")
        .map(|f| f.message.as_str())
        .collect();
    assert_eq!(msgs.len(), 2, "{f:?}");
    assert!(msgs[0].contains("ogrn") && msgs[1].contains("website"));
}

#[test]
fn custom_text_is_checked_itself() {
    let mut s = complete();
    s.template = CUSTOM.into();
    s.custom_text = Some("Я согласен на обработку данных: {{ fields | join(', ') }}. Оператор: {{ operator.short_name }}.".into());
    let e = errors(&run(&s, Some(&company()), None));
    // Every one of the 11 default actions is missing from this text, each reported.
    let mut expected = vec!["operator_address", "purposes", "processors"];
    expected.extend(["actions"; 11]);
    expected.extend(["methods", "term", "withdrawal"]);
    // Issue 9: the operator's INN and OGRN, the processor's address, the 30-day clause.
    expected.extend([
        "operator_ids",
        "operator_ids",
        "processors",
        "withdrawal_term",
    ]);
    assert_eq!(e, expected);
    s.custom_text = Some(
        "{{ operator.display_name }}, {{ operator.legal_address }}. Цели: {{ purposes | join('; ') }}. Данные: {{ fields | join(', ') }}. \
                  Обработчик: {% for p in processors %}{{ p.name }}, {{ p.address }}{% endfor %}. Действия: {{ actions | join(', ') }}; \
         обработка {{ methods }}. Срок: {{ term }}. Отзыв: {{ withdrawal_email }}; данные уничтожаются в течение 30 дней."
            .into(),
    );
    assert_eq!(errors(&run(&s, Some(&company()), None)), Vec::<&str>::new());
}

#[test]
fn warnings() {
    let mut s = complete();
    s.checked_by_default = true;
    s.purposes.push("рассылка рекламы".into());
    let f = run(&s, Some(&company()), None);
    let w: Vec<&str> = f
        .iter()
        .filter(|f| f.severity == Severity::Warning)
        .map(|f| f.check)
        .collect();
    assert_eq!(w, ["bundled_advertising"]);
    // A pre-ticked box is not consent at all: an error (art. 9 §1).
    assert_eq!(errors(&f), ["checked_by_default"]);

    let mut src = Source::new("contact", SourceKind::Form, "Форма");
    src.fields = vec!["имя".into()];
    src.link(crate::domain::source::Link::parse("site,checked_by_default=true").unwrap());
    let f = run(&complete(), Some(&company()), Some(&src));
    assert_eq!(f[0].check, "checked_by_default");
    assert_eq!(f[0].severity, Severity::Error);
    assert!(
        f[0].hint
            .as_deref()
            .unwrap()
            .contains("source edit contact --link site,checked_by_default=false")
    );
}

#[test]
fn distribution_needs_the_transfer_action_and_marketing_must_be_optional() {
    let mut s = complete();
    s.template = "ru-152fz-distribution".into();
    s.required = false;
    assert_eq!(
        errors(&run(&s, Some(&company()), None)),
        ["distribution_transfer"]
    );
    s.actions.push(Action::Transfer);
    s.required = true;
    assert_eq!(
        errors(&run(&s, Some(&company()), None)),
        ["distribution_required"]
    );
    let mut s = complete();
    s.template = "ru-152fz-marketing".into();
    s.required = true;
    assert_eq!(
        errors(&run(&s, Some(&company()), None)),
        ["marketing_required"]
    );
}
