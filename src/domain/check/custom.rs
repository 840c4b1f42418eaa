//! Custom texts are held to the built-in standard: no bundled documents or
//! purposes, no leftover markup, every element the law asks for present.

use super::words::*;
use super::*;

/// A custom text is held to what the built-in ones say: one consent, no
/// leftover markup, the operator identified (INN, OGRN/OGRNIP, postal
/// address), processors with their addresses, the 30-day clause.
pub(super) fn custom_text(
    input: &CheckInput,
    text: &str,
    err: &mut dyn FnMut(&'static str, String, Option<String>),
) {
    let s = input.render.settings;
    let edit_text = || {
        Some(format!(
            "pdconsent agreement edit {} --text-file FILE",
            input.render.code
        ))
    };
    if let Some(stem) = BUNDLED_ALWAYS.iter().find(|b| asserts(text, b)) {
        err(
            "bundled",
            format!(
                "the text mentions `{stem}`: a consent is a separate document, not part of an offer, terms or a user agreement, and does not give data to partners for their own offers (art. 9 §1; Law 156-FZ)"
            ),
            edit_text(),
        );
    }
    let all_purposes = |stems: &[&str]| {
        !s.purposes.is_empty()
            && s.purposes
                .iter()
                .all(|p| stems.iter().any(|a| contains(p, a)))
    };
    let advertising = ADVERTISING.iter().find(|a| asserts(text, a));
    let publication = PUBLICATION.iter().find(|a| asserts(text, a));
    match (advertising, publication) {
        (Some(a), Some(p)) => err(
            "bundled",
            format!(
                "the text speaks of advertising (`{a}`) and of publication (`{p}`): each is its own consent (art. 10.1 §1; 38-FZ art. 18; Law 156-FZ)"
            ),
            edit_text(),
        ),
        (Some(a), None) if !all_purposes(ADVERTISING) => err(
            "bundled",
            format!(
                "the text speaks of advertising (`{a}`) beside purposes that are not advertising: an advertising consent is its own document (38-FZ art. 18; Law 156-FZ)"
            ),
            Some("use one agreement with --template ru-152fz-marketing for the advertising".into()),
        ),
        (None, Some(p)) if !all_purposes(PUBLICATION) => err(
            "bundled",
            format!(
                "the text speaks of publication (`{p}`) beside purposes that are not publication: a consent to distribution is drawn up separately (art. 10.1 §1)"
            ),
            Some(
                "use one agreement with --template ru-152fz-distribution for what is published"
                    .into(),
            ),
        ),
        _ => {}
    }
    if let Some(m) = leftover_markup(text) {
        err(
            "leftover_markup",
            format!("the text shows `{m}`: markup or a placeholder that was never filled in"),
            edit_text(),
        );
    }
    if let Some(r) = input.render.requisites {
        let state = match r.kind {
            crate::domain::requisites::Kind::Legal => ("OGRN", &r.ogrn),
            crate::domain::requisites::Kind::Individual => ("OGRNIP", &r.ogrnip),
        };
        for (what, v) in [("INN", &r.inn), state] {
            match v {
                Some(v) if !text.contains(v.as_str()) => err(
                    "operator_ids",
                    format!(
                        "the text does not give the operator's {what} `{v}`, which identifies it (art. 9 §4 item 3)"
                    ),
                    Some("print {{ operator.display_name }}, which carries both".into()),
                ),
                _ => {}
            }
        }
        if let Some(p) = &r.postal_address
            && Some(p) != r.legal_address.as_ref()
            && !contains(text, p)
        {
            err(
                "postal_address",
                format!(
                    "the text does not give the postal address `{p}` where withdrawals are sent (art. 9 §4 item 8)"
                ),
                Some("print {{ operator.postal_address }}".into()),
            );
        }
    }
    for t in s.third_parties.iter().filter(|t| t.role == Role::Processor) {
        if !t.address.trim().is_empty() && !contains(text, &t.address) {
            err(
                "processors",
                format!(
                    "the text does not give the address `{}` of the processor `{}` (art. 9 §4 item 6)",
                    t.address, t.name
                ),
                Some("print {{ p.address }} in the loop over processors".into()),
            );
        }
    }
    // A consent to distribution ends when the demand arrives (art. 10.1 §14).
    let distribution = publication.is_some() && all_purposes(PUBLICATION);
    let ends = distribution && DISTRIBUTION_ENDS.iter().any(|d| contains(text, d));
    if !ends && !THIRTY_DAYS.iter().any(|d| contains(text, d)) {
        err(
            "withdrawal_term",
            "the text does not say that on withdrawal the data is destroyed within 30 days (art. 9 §2, art. 21 §5; a consent to distribution: that it ends when the demand arrives, art. 10.1 §14)".into(),
            edit_text(),
        );
    }
}
