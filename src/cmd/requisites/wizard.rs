//! The requisites wizard: one question per key, in the order `requisites show`
//! lists them, current values as defaults. Every answer is checked by the final
//! validation ([`Requisites::validate`], narrowed to the key asked); if the whole
//! still fails, only the failing keys are asked again.

use crate::domain::requisites::{Kind, Requisites};
use crate::prompt::Prompter;

/// The keys the wizard asks, in `show`'s order; the state numbers of the kind only.
fn keys(kind: Kind) -> Vec<&'static str> {
    let state: &[&str] = match kind {
        Kind::Legal => &["kpp", "ogrn"],
        Kind::Individual => &["ogrnip"],
    };
    let mut keys = vec!["kind", "short_name", "full_name", "inn"];
    keys.extend(state);
    keys.extend([
        "legal_address",
        "postal_address",
        "email",
        "phone",
        "website",
        "dpo",
        "eu_representative",
    ]);
    keys
}

fn label(key: &str, kind: Kind) -> &'static str {
    match (key, kind) {
        ("short_name", Kind::Legal) => "Short name, e.g. ООО «Ромашка» (required)",
        ("short_name", Kind::Individual) => {
            "Entrepreneur's name, e.g. Иванов Иван Иванович (required)"
        }
        ("full_name", _) => "Full name (optional)",
        ("inn", _) => "INN (optional, checked)",
        ("kpp", _) => "KPP (optional)",
        ("ogrn", _) => "OGRN (optional, checked)",
        ("ogrnip", _) => "OGRNIP (optional, checked)",
        ("legal_address", _) => "Legal address",
        ("postal_address", _) => "Postal address for withdrawal letters (empty: the legal address)",
        ("email", _) => "E-mail for personal-data requests",
        ("phone", _) => "Phone (optional)",
        ("website", _) => "Website (optional)",
        ("dpo", _) => "Data protection officer (optional)",
        ("eu_representative", _) => "Representative in the EU, GDPR art. 27 (optional)",
        _ => "Value",
    }
}

/// Keys a new set is asked for; the officer and the EU representative are
/// for English texts, given with `--set` or in an edit.
const ADD_SKIPS: [&str; 2] = ["dpo", "eu_representative"];

/// A new set: every key, then the final check.
pub fn add(p: &mut dyn Prompter, r: &mut Requisites) -> anyhow::Result<()> {
    ask(p, r, "kind")?;
    for key in keys(r.kind) {
        if key != "kind" && !ADD_SKIPS.contains(&key) {
            ask(p, r, key)?;
        }
    }
    settle(p, r)
}

/// An edit: which keys to change, then only those, then the final check.
pub fn edit(p: &mut dyn Prompter, r: &mut Requisites) -> anyhow::Result<()> {
    let offered = keys(r.kind);
    let items: Vec<String> = offered
        .iter()
        .map(|k| format!("{k} ({})", r.get(k).unwrap_or_else(|| "—".into())))
        .collect();
    let chosen = p.multi_select(
        "Which settings do you want to change?",
        "--set KEY=VALUE",
        &items,
        &vec![false; items.len()],
    )?;
    for i in chosen {
        if let Some(key) = offered.get(i) {
            ask(p, r, key)?;
        }
    }
    settle(p, r)
}

/// The final validation; a failure asks again only the keys it names.
fn settle(p: &mut dyn Prompter, r: &mut Requisites) -> anyhow::Result<()> {
    loop {
        let Err(invalid) = r.validate() else {
            return Ok(());
        };
        let offered = keys(r.kind);
        let failing: Vec<&str> = offered
            .iter()
            .copied()
            .filter(|k| invalid.errors.iter().any(|e| e.field == *k))
            .collect();
        if failing.is_empty() {
            return Err(invalid.into());
        }
        p.note(&format!("{invalid}\nplease answer these again:"));
        for key in failing {
            ask(p, r, key)?;
        }
    }
}

/// The final validation of `r` with `key` set to `value`, narrowed to `key`.
fn check(r: &Requisites, key: &str, value: &str) -> Result<(), String> {
    let mut next = r.clone();
    next.set(key, value).map_err(|e| e.message)?;
    next.validate().or_else(|invalid| invalid.about(key))
}

fn ask(p: &mut dyn Prompter, r: &mut Requisites, key: &str) -> anyhow::Result<()> {
    if key == "kind" {
        let kinds = vec![
            "legal — a legal entity (ООО, АО …)".to_string(),
            "individual — an individual entrepreneur (ИП)".to_string(),
        ];
        let k = p.select("Kind", "--kind", &kinds, usize::from(r.kind != Kind::Legal))?;
        r.kind = if k == 0 {
            Kind::Legal
        } else {
            Kind::Individual
        };
        // The state numbers of the other kind go with it.
        match r.kind {
            Kind::Legal => r.ogrnip = None,
            Kind::Individual => {
                r.kpp = None;
                r.ogrn = None;
            }
        }
        return Ok(());
    }
    let snapshot = r.clone();
    let v = p.input(
        label(key, r.kind),
        &format!("--set {key}=…"),
        &r.get(key).unwrap_or_default(),
        &|v| check(&snapshot, key, v),
    )?;
    r.set(key, &v)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::prompt::{Answer, Scripted};

    #[test]
    fn wizard_reasks_bad_inn_and_email() {
        let mut p = Scripted::new([
            Answer::Select(0),
            Answer::Text("ООО «Ромашка»".into()),
            Answer::Default,
            Answer::Text("7840502514".into()), // wrong check digit: asked again
            Answer::Text("7840502513".into()),
            Answer::Text("770501001".into()),
            Answer::Text("1147847057214".into()),
            Answer::Text("г. Москва, ул. Ленина, д. 1".into()),
            Answer::Default,
            Answer::Text("privacy@".into()), // asked again
            Answer::Text("privacy@romashka.ru".into()),
            Answer::Default,
            Answer::Default,
        ]);
        let mut r = Requisites::new("main", Kind::Legal);
        add(&mut p, &mut r).unwrap();
        assert_eq!(r.inn.as_deref(), Some("7840502513"));
        assert_eq!(r.email.as_deref(), Some("privacy@romashka.ru"));
        assert_eq!(r.postal_address, None);
        assert_eq!(p.rejected.len(), 2, "{:?}", p.rejected);
        assert!(
            p.rejected[0].contains("check digit failed"),
            "{}",
            p.rejected[0]
        );
        assert_eq!(r.validate(), Ok(()));
        assert!(p.answers.is_empty());
    }

    #[test]
    fn a_website_is_checked_by_the_final_validation_and_edit_asks_only_what_is_chosen() {
        let mut r = Requisites::new("main", Kind::Legal);
        r.short_name = "ООО «Ромашка»".into();
        r.email = Some("privacy@romashka.ru".into());
        // Offered: kind, short_name, full_name, inn, kpp, ogrn, legal_address,
        // postal_address, email, phone, website, dpo, eu_representative.
        let mut p = Scripted::new([
            Answer::Multi(vec![10]),
            Answer::Text("romashka".into()), // not a site: asked again
            Answer::Text("romashka.ru".into()),
        ]);
        edit(&mut p, &mut r).unwrap();
        assert_eq!(p.asked.len(), 3, "{:?}", p.asked);
        assert!(
            p.rejected[0].contains("is not a site address"),
            "{:?}",
            p.rejected
        );
        assert_eq!(r.website.as_deref(), Some("romashka.ru"));
        assert_eq!(r.email.as_deref(), Some("privacy@romashka.ru"));
    }
}
