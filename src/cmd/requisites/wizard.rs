//! The requisites wizard: every value prompted, current values as defaults,
//! INN/OGRN/e-mail re-asked until valid.

use crate::domain::requisites::{Kind, Requisites, check_inn};
use crate::domain::{check_email, ids};
use crate::prompt::Prompter;

fn optional(v: &str) -> Option<String> {
    let v = v.trim();
    (!v.is_empty()).then(|| v.to_string())
}

pub fn run(p: &mut dyn Prompter, mut r: Requisites) -> anyhow::Result<Requisites> {
    let kinds = vec![
        "legal — a legal entity (ООО, АО …)".to_string(),
        "individual — an individual entrepreneur (ИП)".to_string(),
    ];
    let k = p.select(
        "Kind",
        "--kind",
        &kinds,
        if r.kind == Kind::Legal { 0 } else { 1 },
    )?;
    r.kind = if k == 0 {
        Kind::Legal
    } else {
        Kind::Individual
    };
    let name_label = match r.kind {
        Kind::Legal => "Short name, e.g. ООО «Ромашка» (required)",
        Kind::Individual => "Entrepreneur's name, e.g. Иванов Иван Иванович (required)",
    };
    r.short_name = p.input(name_label, "--set short_name=…", &r.short_name, &|s| {
        if s.trim().is_empty() {
            Err("the short name is required".into())
        } else {
            Ok(())
        }
    })?;
    r.full_name = optional(&p.input(
        "Full name (optional)",
        "--set full_name=…",
        r.full_name.as_deref().unwrap_or(""),
        &|_| Ok(()),
    )?);
    let kind = r.kind;
    r.inn = optional(&p.input(
        "INN (optional, checked)",
        "--set inn=…",
        r.inn.as_deref().unwrap_or(""),
        &|s| {
            if s.trim().is_empty() {
                Ok(())
            } else {
                check_inn(kind, s.trim()).map_err(|e| e.message)
            }
        },
    )?);
    match r.kind {
        Kind::Legal => {
            r.ogrnip = None;
            r.kpp = optional(&p.input(
                "KPP (optional)",
                "--set kpp=…",
                r.kpp.as_deref().unwrap_or(""),
                &|s| {
                    if s.trim().is_empty() {
                        Ok(())
                    } else {
                        ids::validate_kpp(s.trim()).map_err(|e| format!("KPP {e}"))
                    }
                },
            )?);
            r.ogrn = optional(&p.input(
                "OGRN (optional, checked)",
                "--set ogrn=…",
                r.ogrn.as_deref().unwrap_or(""),
                &|s| {
                    if s.trim().is_empty() {
                        Ok(())
                    } else {
                        ids::validate_ogrn(s.trim()).map_err(|e| format!("OGRN {e}"))
                    }
                },
            )?);
        }
        Kind::Individual => {
            r.kpp = None;
            r.ogrn = None;
            r.ogrnip = optional(&p.input(
                "OGRNIP (optional, checked)",
                "--set ogrnip=…",
                r.ogrnip.as_deref().unwrap_or(""),
                &|s| {
                    if s.trim().is_empty() {
                        Ok(())
                    } else {
                        ids::validate_ogrnip(s.trim()).map_err(|e| format!("OGRNIP {e}"))
                    }
                },
            )?);
        }
    }
    r.legal_address = optional(&p.input(
        "Legal address",
        "--set legal_address=…",
        r.legal_address.as_deref().unwrap_or(""),
        &|_| Ok(()),
    )?);
    r.postal_address = optional(&p.input(
        "Postal address for withdrawal letters (empty: the legal address)",
        "--set postal_address=…",
        r.postal_address.as_deref().unwrap_or(""),
        &|_| Ok(()),
    )?);
    r.email = optional(&p.input(
        "E-mail for personal-data requests",
        "--set email=…",
        r.email.as_deref().unwrap_or(""),
        &|s| {
            if s.trim().is_empty() {
                Ok(())
            } else {
                check_email("email", s.trim()).map_err(|e| e.message)
            }
        },
    )?);
    r.phone = optional(&p.input(
        "Phone (optional)",
        "--set phone=…",
        r.phone.as_deref().unwrap_or(""),
        &|_| Ok(()),
    )?);
    r.website = optional(&p.input(
        "Website (optional)",
        "--set website=…",
        r.website.as_deref().unwrap_or(""),
        &|_| Ok(()),
    )?);
    Ok(r)
}

/// What the wizard is about to save, for the final confirmation.
pub fn summary(r: &Requisites) -> String {
    let mut lines = vec![format!("requisites `{}`:", r.code)];
    for key in crate::domain::requisites::KEYS {
        if let Some(v) = r.get(key) {
            lines.push(format!("  {key}: {v}"));
        }
    }
    lines.join("\n")
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
        let r = run(&mut p, Requisites::new("main", Kind::Legal)).unwrap();
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
}
