//! Value hygiene: slips in values that reach a legal text (doubled spaces and
//! punctuation, straight quotes, «ИП ИП», vague purposes and terms). Warnings.

use super::words::*;
use super::*;

/// Purposes and terms too vague to be "specific" (art. 5 §2, art. 9 §1).
pub(super) const VAGUE: &[&str] = &[
    "любые законные цели",
    "любых законных целях",
    "любых целях",
    "любые цели",
    "иные цели",
    "иных целях",
    "бессрочн",
    "без ограничения срока",
    "any lawful purpose",
    "any purpose",
    "other purposes",
    "indefinite",
    "perpetual",
];

/// Typing slips that reach the legal text: each a warning naming the setting.
pub(super) fn hygiene(input: &CheckInput) -> Vec<(String, String)> {
    let s = input.render.settings;
    let ru = s.language == crate::domain::agreement::Language::Ru;
    let mut values: Vec<(String, &str)> = vec![("term".into(), &s.term)];
    values.extend(s.label.iter().map(|v| ("label".into(), v.as_str())));
    for (key, list) in [
        ("purposes", &s.purposes),
        ("fields", &s.fields),
        ("restrictions", &s.restrictions),
    ] {
        values.extend(list.iter().map(|v| (key.to_string(), v.as_str())));
    }
    for t in &s.third_parties {
        values.push(("third_parties.name".into(), &t.name));
        values.push(("third_parties.address".into(), &t.address));
    }
    let mut addresses: Vec<(String, &str)> = s
        .third_parties
        .iter()
        .map(|t| ("third_parties.address".to_string(), t.address.as_str()))
        .collect();
    let mut out = Vec::new();
    if let Some(r) = input.render.requisites {
        values.push(("requisites.short_name".into(), &r.short_name));
        for (key, v) in [
            ("full_name", &r.full_name),
            ("legal_address", &r.legal_address),
            ("postal_address", &r.postal_address),
        ] {
            if let Some(v) = v {
                values.push((format!("requisites.{key}"), v));
            }
        }
        for (key, v) in [
            ("legal_address", &r.legal_address),
            ("postal_address", &r.postal_address),
        ] {
            if let Some(v) = v {
                addresses.push((format!("requisites.{key}"), v));
            }
        }
        if r.kind == crate::domain::requisites::Kind::Individual
            && ["ип ", "ип\u{a0}", "индивидуальный предприниматель"]
                .iter()
                .any(|p| r.short_name.to_lowercase().starts_with(p))
        {
            out.push((
                "requisites.short_name".into(),
                format!("`{}` starts with «ИП», which the text adds itself: it would read «ИП ИП …»; give the name only", r.short_name),
            ));
        }
    }
    if let Some(src) = input.render.source {
        values.extend(
            src.fields
                .iter()
                .map(|v| ("source.fields".to_string(), v.as_str())),
        );
    }
    for (key, v) in &values {
        if v.contains("  ") {
            out.push((key.clone(), format!("`{v}` has a doubled space")));
        }
        let doubled = [";;", ",,", "::", "!!", "??"]
            .iter()
            .find(|p| v.contains(**p))
            .copied()
            .or_else(|| (v.contains("..") && !v.contains("...")).then_some(".."));
        if let Some(p) = doubled {
            out.push((key.clone(), format!("`{v}` has doubled punctuation `{p}`")));
        }
        if ru && v.contains('"') {
            out.push((
                key.clone(),
                format!("`{v}` has straight quotes `\"`; a Russian text uses «ёлочки»"),
            ));
        }
    }
    for (key, v) in addresses {
        let t = v.trim();
        if t.split_whitespace().count() < 2 || ["-", "—", "–"].contains(&t) {
            out.push((key, format!("`{v}` is not an address a letter can reach: give the postal code, city, street and building")));
        }
    }
    let vague = s
        .purposes
        .iter()
        .map(|p| ("purposes", p.as_str()))
        .chain([("term", s.term.as_str())]);
    for (key, v) in vague {
        if let Some(stem) = VAGUE.iter().find(|w| contains(v, w)) {
            out.push((key.into(), format!("`{v}` is vague (`{stem}`): consent is to specific purposes for a stated term (art. 5 §2, art. 9 §1, art. 9 §4 items 4, 8)")));
        }
    }
    out
}
