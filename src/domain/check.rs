//! The legal check: what 152-FZ art. 9 §4 (items 3–8), art. 10.1 with
//! Roskomnadzor order No. 18, and art. 9 §1 ask of a consent text.

use serde::Serialize;

use super::agreement::{CUSTOM, Role, Settings};
use super::render::{RenderInput, Rendered};
use super::source::Link;

/// An error makes `agreement check` exit 1; a warning does not.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    Error,
    Warning,
}

/// One problem the legal check found, with the element it concerns.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Finding {
    pub severity: Severity,
    /// A stable identifier of the check, e.g. `operator_address`.
    pub check: &'static str,
    pub message: String,
    pub hint: Option<String>,
}

/// What the legal check looks at: an agreement revision, its requisites, a source and the rendered text.
pub struct CheckInput<'a> {
    pub render: RenderInput<'a>,
    pub rendered: &'a Rendered,
    pub agreement_archived: bool,
    /// The link of this agreement on the source being checked, if any.
    pub link: Option<&'a Link>,
    pub source_archived: bool,
    /// The source's fields that none of the agreements linked to it lists ([`unlisted_fields`]).
    pub unlisted: &'a [String],
}

/// The fields a source collects that none of the agreements linked to it
/// lists: collected with no consent that names them (art. 5 §5, art. 9 §4 item 5).
pub fn unlisted_fields(source: &super::source::Source, agreements: &[&Settings]) -> Vec<String> {
    // The field for the subject's prohibitions is named by the distribution text.
    let distribution = agreements
        .iter()
        .any(|s| s.template == "ru-152fz-distribution");
    let restrictions = super::render::restrictions_field(Some(source));
    source
        .fields
        .iter()
        .filter(|f| !(distribution && **f == restrictions))
        .filter(|f| {
            !agreements
                .iter()
                .any(|s| super::render::listed_fields(s, Some(source)).contains(f))
        })
        .cloned()
        .collect()
}

mod custom;
mod hygiene;
mod words;

use custom::custom_text;
use hygiene::hygiene;
use words::*;

/// A box ticked by default is not consent: silence or inaction never is
/// (152-FZ art. 9 §1 «однозначное», art. 10.1 §8; 38-FZ art. 18; GDPR
/// recital 32). The error of `check`, and the refusal of an HTML snippet.
pub fn pre_ticked(
    code: &str,
    settings: &super::agreement::Settings,
    link: Option<&Link>,
    source: Option<&str>,
) -> Option<Finding> {
    let behaviour = super::source::Behaviour::effective(settings, link);
    if !behaviour.checked_by_default {
        return None;
    }
    let hint = match (link, source) {
        (Some(l), Some(src)) if l.checked_by_default == Some(true) => {
            format!("pdconsent source edit {src} --link {code},checked_by_default=false")
        }
        _ => format!("pdconsent agreement edit {code} --set checked_by_default=false"),
    };
    Some(Finding {
        severity: Severity::Error,
        check: "checked_by_default",
        message: "the box is ticked by default, but silence or inaction is not consent (152-FZ art. 9 §1, art. 10.1 §8; 38-FZ art. 18; GDPR recital 32)".into(),
        hint: Some(hint),
    })
}

/// Every finding of the legal check (152-FZ art. 9 §4, art. 10.1, order No. 18), errors first.
pub fn check(input: &CheckInput) -> Vec<Finding> {
    let mut out = Vec::new();
    let s = input.render.settings;
    let code = input.render.code;
    let text = &input.rendered.text;
    let req = input.render.requisites;
    let mut err = |check: &'static str, message: String, hint: Option<String>| {
        out.push(Finding {
            severity: Severity::Error,
            check,
            message,
            hint,
        });
    };
    let edit_req = |key: &str| {
        Some(format!(
            "pdconsent requisites edit {} --set {key}=…",
            s.requisites
        ))
    };
    let edit_agr = |flag: &str| Some(format!("pdconsent agreement edit {code} {flag}"));

    // Item 3: operator's name and address.
    match req {
        None => err(
            "operator",
            format!(
                "requisites `{}` do not exist: the text names no operator (art. 9 §4 item 3)",
                s.requisites
            ),
            Some(format!(
                "pdconsent agreement edit {code} --set requisites=…"
            )),
        ),
        Some(r) => {
            if let Err(invalid) = r.validate() {
                for e in invalid.errors {
                    err(
                        "requisites_valid",
                        format!("requisites `{}`: {}", r.code, e),
                        edit_req(&e.field),
                    );
                }
            }
            if r.legal_address.is_none() {
                err(
                    "operator_address",
                    "the operator's address is missing (art. 9 §4 item 3)".into(),
                    edit_req("legal_address"),
                );
            }
            if s.template == CUSTOM {
                if !r.short_name.is_empty() && !contains(text, &r.short_name) {
                    err(
                        "operator_name",
                        format!(
                            "the text does not name the operator `{}` (art. 9 §4 item 3)",
                            r.short_name
                        ),
                        None,
                    );
                }
                let addr_ok = [&r.legal_address, &r.postal_address]
                    .iter()
                    .any(|a| a.as_deref().is_some_and(|a| contains(text, a)));
                if r.legal_address.is_some() && !addr_ok {
                    err(
                        "operator_address",
                        "the text does not give the operator's address (art. 9 §4 item 3)".into(),
                        None,
                    );
                }
            }
            if s.template == "ru-152fz-distribution" {
                // Order No. 18: name, address, INN, OGRN and the site of the operator.
                let state = if r.kind == super::requisites::Kind::Legal {
                    ("ogrn", &r.ogrn)
                } else {
                    ("ogrnip", &r.ogrnip)
                };
                for (key, v) in [("inn", &r.inn), state, ("website", &r.website)] {
                    if v.is_none() {
                        err(
                            "distribution_operator",
                            format!(
                                "a distribution consent must give the operator's {key} (Roskomnadzor order No. 18)"
                            ),
                            edit_req(key),
                        );
                    }
                }
            }
        }
    }

    // Item 4: purposes.
    if s.purposes.is_empty() {
        err(
            "purposes",
            "no purposes of processing (art. 9 §4 item 4)".into(),
            edit_agr("--add-purpose \"…\""),
        );
    } else if s.template == CUSTOM {
        for p in s.purposes.iter().filter(|p| !contains(text, p)) {
            err(
                "purposes",
                format!("the text does not state the purpose `{p}` (art. 9 §4 item 4)"),
                None,
            );
        }
    }

    // Item 5: the list of personal data.
    let own_fields = super::render::listed_captions(s, input.render.source);
    if own_fields.is_empty() && s.template == "ru-152fz-distribution" {
        err(
            "personal_data",
            "a distribution consent lists no fields: it lists only its own, what the person permits to publish, never the form's (art. 10.1 §1, §4)".into(),
            edit_agr("--add-field \"…\""),
        );
    } else if own_fields.is_empty() {
        let hint = match input.render.source {
            Some(src) => Some(format!(
                "pdconsent source edit {} --add-field \"…\"",
                src.code
            )),
            None => edit_agr("--add-field \"…\""),
        };
        err("personal_data", "no list of personal data: neither the source nor the agreement lists fields (art. 9 §4 item 5)".into(), hint);
    } else if s.template == CUSTOM {
        for f in own_fields.iter().filter(|f| !contains(text, f)) {
            err(
                "personal_data",
                format!("the text does not list the field `{f}` (art. 9 §4 item 5)"),
                None,
            );
        }
    }

    // An English text must be readable by the person it is for (GDPR art. 12(1)).
    if s.language == super::agreement::Language::En {
        let cyrillic = |f: &&String| f.chars().any(|c| ('\u{400}'..='\u{4ff}').contains(&c));
        for f in own_fields.iter().filter(cyrillic) {
            let hint = match input.render.source {
                Some(src) if super::render::lists_source_fields(s, src) => {
                    format!("pdconsent source edit {} --caption-en \"{f}=…\"", src.code)
                }
                _ => format!(
                    "pdconsent agreement edit {code} --remove-field \"{f}\" --add-field \"…\""
                ),
            };
            err(
                "field_language",
                format!(
                    "the English text lists the field `{f}` with a Cyrillic caption only (GDPR art. 12(1): concise, intelligible, in clear and plain language)"
                ),
                Some(hint),
            );
        }
    }

    // Item 6: processors, with name and address (and INN, so they can be identified).
    for t in &s.third_parties {
        if t.inn.trim().is_empty() || t.address.trim().is_empty() {
            err(
                "third_parties",
                format!("third party `{}` lacks its INN or address", t.name),
                edit_agr(&format!(
                    "--third-party 'name={},inn=…,address=…,role={}'",
                    t.name,
                    t.role.as_str()
                )),
            );
        }
        if s.template == CUSTOM && !contains(text, &t.name) {
            let (check, what) = match t.role {
                Role::Processor => ("processors", "the processor"),
                Role::Recipient => ("recipients", "the recipient"),
            };
            err(
                check,
                format!(
                    "the text does not name {what} `{}` (art. 9 §4 item 6)",
                    t.name
                ),
                None,
            );
        }
    }

    // Item 7: actions and methods.
    let distribution = s.template == "ru-152fz-distribution";
    if s.actions.is_empty() {
        err(
            "actions",
            "no actions on personal data are listed (art. 9 §4 item 7)".into(),
            edit_agr("--add-action collection,storage,…"),
        );
    } else if s.template == CUSTOM {
        let lang = s.language;
        for a in s.actions.iter().filter(|a| {
            !contains(text, a.text_label(lang, false)) && !contains(text, a.label(lang))
        }) {
            err(
                "actions",
                format!(
                    "the text does not list the action `{}` (art. 9 §4 item 7)",
                    a.label(lang)
                ),
                None,
            );
        }
        if !contains(text, s.methods.label(lang)) {
            err(
                "methods",
                format!(
                    "the text does not describe the processing methods («{}», art. 9 §4 item 7)",
                    s.methods.label(lang)
                ),
                None,
            );
        }
    }
    if distribution && !s.actions.contains(&super::agreement::Action::Transfer) {
        err(
            "distribution_transfer",
            "a distribution consent must include the action `transfer` (распространение), which it is about".into(),
            edit_agr("--add-action transfer"),
        );
    }

    // Item 8: term and the way to withdraw.
    if s.template == CUSTOM && !s.term.trim().is_empty() && !contains(text, &s.term) {
        err(
            "term",
            format!(
                "the text does not state the term `{}` (art. 9 §4 item 8)",
                s.term
            ),
            None,
        );
    }
    if s.term.trim().is_empty() {
        err(
            "term",
            "no term of the consent (art. 9 §4 item 8)".into(),
            edit_agr("--set term=…"),
        );
    }
    let email = s
        .withdrawal_email
        .clone()
        .or_else(|| req.and_then(|r| r.email.clone()));
    match email {
        None => err(
            "withdrawal",
            "no e-mail for withdrawal and deletion requests (art. 9 §4 item 8)".into(),
            edit_agr("--set withdrawal_email=…"),
        ),
        Some(e) if s.template == CUSTOM && !contains(text, &e) => err(
            "withdrawal",
            format!("the text does not give the withdrawal contact `{e}` (art. 9 §4 item 8)"),
            None,
        ),
        _ => {}
    }

    if s.template == CUSTOM {
        custom_text(input, text, &mut err);
    }

    if text.contains("[не заполнено:") || text.contains("[not filled in:") {
        err(
            "unfilled",
            "the rendered text still shows unfilled markers".into(),
            Some(format!("pdconsent agreement preview {code}")),
        );
    }

    // Advertising consent is never a condition of the service (art. 9 §1; 38-FZ art. 18),
    // and its own text says so.
    let behaviour = super::source::Behaviour::effective(s, input.link);
    let required = behaviour.required;
    if s.template == "ru-152fz-distribution" && required {
        let hint = match input.render.source {
            Some(src) => Some(format!(
                "pdconsent source edit {} --link {code},required=false",
                src.code
            )),
            None => edit_agr("--set required=false"),
        };
        err(
            "distribution_required",
            "a consent to distribution is required, but it cannot be a condition of anything: it must be optional (art. 10.1 §9)".into(),
            hint,
        );
    }
    // Order No. 18: the information resource is the page the form is on.
    if s.template == "ru-152fz-distribution"
        && let Some(src) = input.render.source
        && src.kind == super::source::SourceKind::Form
        && src.url.is_none()
    {
        err(
            "distribution_page",
            format!(
                "source `{}` has no page address, which a distribution consent must name as the operator's information resource (Roskomnadzor order No. 18)",
                src.code
            ),
            Some(format!(
                "pdconsent source edit {} --set url=https://…",
                src.code
            )),
        );
    }
    if super::agreement::is_marketing(&s.template) && required {
        let hint = match input.render.source {
            Some(src) => Some(format!(
                "pdconsent source edit {} --link {code},required=false",
                src.code
            )),
            None => edit_agr("--set required=false"),
        };
        err(
            "marketing_required",
            "an advertising consent is required, but it must be optional".into(),
            hint,
        );
    }

    // The label: its link opens the text, and it names this consent only.
    let label = s.effective_label();
    let parsed = super::agreement::parse_label(label);
    let edit_label = edit_agr("--set label=\"Я даю %…%\"");
    if let Err(e) = super::agreement::check_label(label) {
        err("label", e, edit_label.clone());
    } else if parsed.link.trim().is_empty() {
        err(
            "label",
            format!("label `{label}` has no words that open the text"),
            edit_label.clone(),
        );
    }
    if let Some(stem) = OTHER_DOCUMENTS.iter().find(|d| contains(label, d)) {
        err(
            "label_bundled",
            format!(
                "label `{label}` mentions `{stem}…`: ticking a consent must not also accept an offer, a user agreement or terms (art. 9 §1; a separate document since 1 Sept 2025, Law 156-FZ)"
            ),
            edit_label,
        );
    }
    if let Some(f) = pre_ticked(
        code,
        s,
        input.link,
        input.render.source.map(|s| s.code.as_str()),
    ) {
        out.push(f);
    }

    // Warnings.
    let mut warn = |check: &'static str, message: String, hint: Option<String>| {
        out.push(Finding {
            severity: Severity::Warning,
            check,
            message,
            hint,
        });
    };
    // Order No. 18: the text says the subject's contacts are as entered in
    // the form; a form that asks for none leaves that sentence empty.
    if s.template == "ru-152fz-distribution"
        && let Some(src) = input.render.source
        && src.kind == super::source::SourceKind::Form
        && !src.fields.iter().any(|f| {
            let f = f.to_lowercase();
            ["телефон", "почт", "e-mail", "email", "адрес"]
                .iter()
                .any(|c| f.contains(c))
        })
    {
        warn(
            "distribution_contacts",
            format!(
                "source `{}` asks for no contact (phone, e-mail or address), but the distribution text says the subject's contact details are as entered in the form (Roskomnadzor order No. 18)",
                src.code
            ),
            Some(format!(
                "pdconsent source edit {} --add-field \"адрес электронной почты\"",
                src.code
            )),
        );
    }
    for (setting, message) in hygiene(input) {
        let hint = match setting.strip_prefix("requisites.") {
            Some(key) => Some(format!(
                "pdconsent requisites edit {} --set {key}=…",
                s.requisites
            )),
            None => match setting.strip_prefix("source.") {
                Some(_) => input.render.source.map(|src| {
                    format!(
                        "pdconsent source edit {} --remove-field … --add-field …",
                        src.code
                    )
                }),
                None => Some(format!("pdconsent agreement edit {code} … ({setting})")),
            },
        };
        warn("value_hygiene", format!("{setting}: {message}"), hint);
    }
    let personal_data_consent = matches!(s.template.as_str(), "ru-152fz-consent" | "en-consent");
    if personal_data_consent {
        for p in s
            .purposes
            .iter()
            .filter(|p| ADVERTISING.iter().any(|a| contains(p, a)))
        {
            warn(
                "bundled_advertising",
                format!(
                    "purpose `{p}` is advertising inside a personal-data consent; since 1 Sept 2025 it must be a separate consent"
                ),
                Some(format!(
                    "create a separate agreement with --template {} and link both to the source",
                    match s.language {
                        super::agreement::Language::Ru => "ru-152fz-marketing",
                        super::agreement::Language::En => "en-marketing",
                    }
                )),
            );
        }
    }
    if let Some(src) = input.render.source {
        // A purpose-specific consent lists its own fields, not the form's.
        let fields: &[String] = if super::render::lists_source_fields(s, src) {
            &src.fields
        } else {
            &[]
        };
        let english = s.language == super::agreement::Language::En;
        for f in fields
            .iter()
            .filter(|f| !contains(text, if english { src.caption_en(f) } else { f }))
        {
            warn(
                "source_field",
                format!("field `{f}` of source `{}` is not in the text", src.code),
                None,
            );
        }
        // Once per source: on its first agreement.
        let first = src.agreements.first().is_some_and(|l| l.agreement == code);
        for f in input.unlisted.iter().filter(|_| first) {
            warn(
                "unlisted_field",
                format!(
                    "source `{}` collects `{f}`, but none of its agreements lists it: it is collected without consent to it (art. 5 §5, art. 9 §4 item 5)",
                    src.code
                ),
                Some(format!(
                    "link a consent that lists it (e.g. the standard consent, which lists every field of the form), or remove it: pdconsent source edit {} --remove-field \"{f}\"",
                    src.code
                )),
            );
        }
        if input.agreement_archived && !input.source_archived && input.link.is_some() {
            warn(
                "archived_linked",
                format!(
                    "agreement `{code}` is archived but still linked to active source `{}`",
                    src.code
                ),
                Some(format!(
                    "pdconsent source edit {} --unlink {code}",
                    src.code
                )),
            );
        }
    }
    out.sort_by_key(|f| f.severity);
    out
}

#[cfg(test)]
mod tests;
