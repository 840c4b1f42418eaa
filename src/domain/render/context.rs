//! What a template sees: the context built from an agreement revision, its
//! requisites and the source, with markers for what is unfilled; and the
//! rules for which fields and channels a text lists.

use serde_json::{Value, json};

use super::*;

pub(super) fn marker(lang: Language, what: &str) -> String {
    match lang {
        Language::Ru => format!("[не заполнено: {what}]"),
        Language::En => format!("[not filled in: {what}]"),
    }
}

/// Fields recorded with every consent besides what the person types.
pub(super) fn recorded_fields(lang: Language, source: Option<&Source>) -> [&'static str; 2] {
    let kind = source.map(|s| s.kind);
    match (lang, kind) {
        (Language::Ru, Some(SourceKind::Openline)) => {
            ["IP-адрес", "адрес страницы (URL), с которой начат чат"]
        }
        (Language::Ru, Some(SourceKind::Form)) => [
            "IP-адрес",
            "адрес страницы (URL), с которой отправлена форма",
        ],
        (Language::Ru, None) => ["IP-адрес", "адрес страницы (URL), на которой дано согласие"],
        (Language::En, Some(SourceKind::Openline)) => [
            "IP address",
            "address (URL) of the page where the chat was started",
        ],
        (Language::En, Some(SourceKind::Form)) => [
            "IP address",
            "address (URL) of the page where the form was submitted",
        ],
        (Language::En, None) => [
            "IP address",
            "address (URL) of the page where consent was given",
        ],
    }
}

pub(super) fn display_name(r: &Requisites, lang: Language) -> String {
    if lang == Language::Ru {
        return r.display_name();
    }
    let (prefix, state_label, state) = match r.kind {
        Kind::Legal => ("", "OGRN", &r.ogrn),
        Kind::Individual => ("Individual entrepreneur ", "OGRNIP", &r.ogrnip),
    };
    let mut ids = Vec::new();
    if let Some(s) = state {
        ids.push(format!("{state_label} {s}"));
    }
    if let Some(inn) = &r.inn {
        ids.push(format!("INN {inn}"));
    }
    let base = format!("{prefix}{}", r.short_name);
    if ids.is_empty() {
        base
    } else {
        format!("{base} ({})", ids.join(", "))
    }
}

/// The personal data a text lists, before what is recorded with every consent.
///
/// A distribution consent lists only its own fields: what the person chose to
/// publish, never what the form happens to collect. A marketing consent lists
/// its own when it declares them (art. 5 §5: no more than the purpose needs).
/// Any other lists every field of the source (a form's comment is personal
/// data too), or its own without a source or when the source lists none.
pub fn listed_fields<'a>(s: &'a Settings, source: Option<&'a Source>) -> &'a [String] {
    match source {
        Some(src) if lists_source_fields(s, src) => &src.fields,
        _ => &s.fields,
    }
}

/// The captions a text lists: [`listed_fields`], in an English text with the
/// source's English caption of each field that has one.
pub fn listed_captions(s: &Settings, source: Option<&Source>) -> Vec<String> {
    let fields = listed_fields(s, source);
    match (s.language, source) {
        (Language::En, Some(src)) => fields
            .iter()
            .map(|f| src.caption_en(f).to_string())
            .collect(),
        _ => fields.to_vec(),
    }
}

/// Whether the text lists the source's fields rather than the agreement's own ([`listed_fields`]).
pub fn lists_source_fields(s: &Settings, source: &Source) -> bool {
    let own_first = match s.template.as_str() {
        "ru-152fz-distribution" => return false,
        "ru-152fz-marketing" | "en-marketing" => !s.fields.is_empty(),
        _ => false,
    };
    !own_first && !source.fields.is_empty()
}

/// The channels of advertising a list of fields gives an address for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Channels {
    pub email: bool,
    pub phone: bool,
}

impl Channels {
    /// E-mail when a field is an e-mail address, phone when one is a phone number.
    pub fn of(fields: &[String]) -> Channels {
        let has = |stems: &[&str]| {
            fields.iter().any(|f| {
                let f = f.to_lowercase();
                stems.iter().any(|s| f.contains(s))
            })
        };
        Channels {
            email: has(&["почт", "e-mail", "email"]),
            phone: has(&["телефон", "phone"]),
        }
    }
}

/// The categories of the listed data (order No. 18): a field is marked special
/// or biometric by its caption («фотография (биометрические персональные
/// данные)», «сведения о здоровье (специальная категория)»); any other is
/// ordinary personal data.
pub fn data_categories(fields: &[String]) -> Vec<&'static str> {
    let mark = |f: &String| {
        let f = f.to_lowercase();
        if f.contains("биометрическ") {
            2
        } else if f.contains("специальн") && f.contains("категори") {
            1
        } else {
            0
        }
    };
    let names = [
        "персональные данные, не относящиеся к специальным категориям персональных данных и к биометрическим персональным данным",
        "специальные категории персональных данных",
        "биометрические персональные данные",
    ];
    let marks: Vec<usize> = fields.iter().map(mark).collect();
    (0..3)
        .filter(|m| marks.contains(m))
        .map(|m| names[m])
        .collect()
}

/// A value printed as the end of a sentence: with its full stop.
pub(super) fn sentence(text: &str) -> String {
    let t = text.trim_end();
    if t.ends_with(['.', '!', '?']) {
        t.to_string()
    } else {
        format!("{t}.")
    }
}

/// The field of a form in which the person states the prohibitions and
/// conditions of distribution (art. 10.1 §9): its caption speaks of «запрет».
/// Empty when the source has none.
pub fn restrictions_field(source: Option<&Source>) -> String {
    source
        .and_then(|s| {
            s.fields
                .iter()
                .find(|f| f.to_lowercase().contains("запрет"))
        })
        .cloned()
        .unwrap_or_default()
}

pub(super) struct Context {
    pub(super) value: Value,
    pub(super) warnings: Vec<Warning>,
    pub(super) fields: Vec<String>,
}

pub(super) fn build_context(input: &RenderInput) -> Context {
    let s = input.settings;
    let lang = s.language;
    let mut warnings = Vec::new();
    let req_code = &s.requisites;
    fn push(warnings: &mut Vec<Warning>, setting: &str, message: String, hint: String) {
        warnings.push(Warning {
            setting: setting.to_string(),
            message,
            hint,
        });
    }
    let edit_req = |key: &str| format!("pdconsent requisites edit {req_code} --set {key}=…");
    let edit_agr = |flag: &str| format!("pdconsent agreement edit {} {flag}", input.code);
    let text = |ru: &'static str, en: &'static str| if lang == Language::Ru { ru } else { en };

    let operator = match input.requisites {
        Some(r) => {
            let legal_address = match &r.legal_address {
                Some(v) => v.clone(),
                None => {
                    push(
                        &mut warnings,
                        "requisites.legal_address",
                        format!(
                            "requisites `{req_code}` have no legal address; the text shows a marker"
                        ),
                        edit_req("legal_address"),
                    );
                    marker(lang, text("адрес", "address"))
                }
            };
            let state_key = if r.kind == Kind::Legal {
                "ogrn"
            } else {
                "ogrnip"
            };
            let state = if r.kind == Kind::Legal {
                &r.ogrn
            } else {
                &r.ogrnip
            };
            for (key, v) in [("inn", &r.inn), (state_key, state)] {
                if v.is_none() {
                    push(
                        &mut warnings,
                        &format!("requisites.{key}"),
                        format!(
                            "requisites `{req_code}` have no {}; the operator is named without it",
                            key.to_uppercase()
                        ),
                        edit_req(key),
                    );
                }
            }
            if input.settings.template == "ru-152fz-distribution" && r.website.is_none() {
                push(
                    &mut warnings,
                    "requisites.website",
                    format!(
                        "requisites `{req_code}` have no website, which a distribution consent must name"
                    ),
                    edit_req("website"),
                );
            }
            let short_name = if r.short_name.trim().is_empty() {
                push(
                    &mut warnings,
                    "requisites.short_name",
                    format!("requisites `{req_code}` have no short name"),
                    edit_req("short_name"),
                );
                marker(lang, text("сокращенное наименование", "short name"))
            } else {
                r.short_name.clone()
            };
            let mut named = r.clone();
            named.short_name = short_name.clone();
            // A distribution consent must state INN and OGRN/OGRNIP (order No. 18):
            // there a missing one is a visible marker, elsewhere it is just left out.
            let distribution = input.settings.template == "ru-152fz-distribution";
            let id = |v: &Option<String>, what: &str, relevant: bool| match v {
                Some(v) => v.clone(),
                None if distribution && relevant => marker(lang, what),
                None => String::new(),
            };
            let legal = r.kind == Kind::Legal;
            json!({
                "display_name": display_name(&named, lang),
                "kind": r.kind.as_str(),
                "short_name": short_name,
                "full_name": r.full_name.clone().unwrap_or_default(),
                "inn": id(&r.inn, "ИНН", true),
                "kpp": r.kpp.clone().unwrap_or_default(),
                "ogrn": id(&r.ogrn, "ОГРН", legal),
                "ogrnip": id(&r.ogrnip, "ОГРНИП", !legal),
                "postal_address": r.postal_address.clone().unwrap_or_else(|| legal_address.clone()),
                "legal_address": legal_address,
                "email": r.email.clone().unwrap_or_default(),
                "phone": r.phone.clone().unwrap_or_default(),
                "website": r.website.clone().unwrap_or_default(),
                "dpo": r.dpo.clone().unwrap_or_default(),
                "eu_representative": r.eu_representative.clone().unwrap_or_default(),
            })
        }
        None => {
            push(
                &mut warnings,
                "requisites",
                format!("requisites `{req_code}` do not exist; the operator is shown as a marker"),
                format!(
                    "pdconsent requisites add {req_code}, or {}",
                    edit_agr("--set requisites=…")
                ),
            );
            let m = marker(lang, text("оператор", "operator"));
            let a = marker(lang, text("адрес", "address"));
            json!({
                "display_name": m, "kind": "legal", "short_name": m, "full_name": "", "inn": "", "kpp": "",
                "ogrn": "", "ogrnip": "", "legal_address": a, "postal_address": a, "email": "", "phone": "", "website": "",
                "dpo": "", "eu_representative": "",
            })
        }
    };

    let mut purposes = s.purposes.clone();
    if purposes.is_empty() {
        push(
            &mut warnings,
            "purposes",
            format!("agreement `{}` has no purposes of processing", input.code),
            edit_agr("--add-purpose \"…\""),
        );
        purposes.push(marker(lang, text("цели обработки", "purposes")));
    }

    let mut fields: Vec<String> = listed_captions(s, input.source);
    let channels = Channels::of(&fields);
    if crate::domain::agreement::is_marketing(&s.template) && channels == Channels::default() {
        push(
            &mut warnings,
            "fields",
            format!(
                "agreement `{}` lists neither an e-mail address nor a phone number, so the advertising has nowhere to go; the text shows a marker",
                input.code
            ),
            edit_agr("--add-field \"адрес электронной почты\""),
        );
    }
    if fields.is_empty() {
        let (message, hint) = match input.source {
            _ if s.template == "ru-152fz-distribution" => (
                "no personal-data fields: a distribution consent lists only its own fields, what the person permits to publish",
                edit_agr("--add-field \"…\""),
            ),
            Some(src) => (
                "no personal-data fields: neither the source nor the agreement lists any",
                format!("pdconsent source edit {} --add-field \"…\"", src.code),
            ),
            None => (
                "no personal-data fields: neither the source nor the agreement lists any",
                edit_agr("--add-field \"…\""),
            ),
        };
        push(&mut warnings, "fields", message.to_string(), hint);
        fields.push(marker(
            lang,
            text("перечень персональных данных", "personal data"),
        ));
    }
    // Distribution consents are about what the person makes public, not what we record.
    if s.template != "ru-152fz-distribution" {
        fields.extend(
            recorded_fields(lang, input.source)
                .iter()
                .map(|f| f.to_string()),
        );
    }

    let distribution = s.template == "ru-152fz-distribution";
    let mut actions: Vec<&str> = s
        .actions
        .iter()
        .map(|a| a.text_label(lang, distribution))
        .collect();
    let no_actions = marker(lang, text("действия с данными", "actions"));
    if actions.is_empty() {
        push(
            &mut warnings,
            "actions",
            format!("agreement `{}` lists no actions on data", input.code),
            edit_agr("--add-action collection,storage,…"),
        );
        actions.push(&no_actions);
    }

    let withdrawal_email = match (
        &s.withdrawal_email,
        input.requisites.and_then(|r| r.email.as_ref()),
    ) {
        (Some(e), _) | (None, Some(e)) => e.clone(),
        (None, None) => {
            push(
                &mut warnings,
                "withdrawal_email",
                format!(
                    "agreement `{}` has no e-mail for withdrawal, nor do requisites `{req_code}`",
                    input.code
                ),
                edit_agr("--set withdrawal_email=…"),
            );
            marker(
                lang,
                text(
                    "адрес электронной почты для отзыва",
                    "e-mail for withdrawal",
                ),
            )
        }
    };

    let party = |role: Role| -> Vec<Value> {
        s.third_parties
            .iter()
            .filter(|t| t.role == role)
            .map(|t| json!({ "name": t.name, "inn": t.inn, "address": t.address }))
            .collect()
    };

    let source = input.source.map(|src| {
        json!({
            "code": src.code,
            "name": src.name,
            "kind": src.kind.as_str(),
            "url": src.url.clone().unwrap_or_default(),
        })
    });

    let value = json!({
        "operator": operator,
        "purposes": purposes,
        "fields": fields,
        "actions": actions,
        "methods": s.methods.label(lang),
        "processors": party(Role::Processor),
        "recipients": party(Role::Recipient),
        "term": s.term,
        "withdrawal_email": withdrawal_email,
        "automated_decisions": s.automated_decisions.as_deref().map(sentence).unwrap_or_default(),
        "restrictions": s.restrictions,
        "restrictions_field": restrictions_field(input.source),
        "categories": data_categories(listed_fields(s, input.source)),
        "channels": {
            "email": channels.email,
            "phone": channels.phone,
        },
        "source": source,
        "agreement": { "code": input.code, "name": s.name, "revision": input.revision },
    });
    Context {
        value,
        warnings,
        fields,
    }
}
