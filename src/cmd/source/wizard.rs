//! The source wizard: one step per setting, in the order `source show` lists
//! them. Every answer is checked by the final validation ([`Source::validate`],
//! narrowed to the setting asked); if the whole still fails, only the failing
//! settings are asked again.

use crate::domain::source::{Link, Source, SourceKind};
use crate::prompt::{self, Prompter};

/// The settings, in `show`'s order (`warning` belongs to chats).
const STEPS: [&str; 6] = ["kind", "name", "url", "fields", "warning", "agreements"];

/// A new source: every step, then the final check.
pub fn add(p: &mut dyn Prompter, s: &mut Source, agreements: &[String]) -> anyhow::Result<()> {
    for step in STEPS {
        if applies(s, step) {
            ask(p, s, agreements, step)?;
        }
    }
    settle(p, s, agreements)
}

/// An edit: which settings to change, then only those, then the final check.
pub fn edit(p: &mut dyn Prompter, s: &mut Source, agreements: &[String]) -> anyhow::Result<()> {
    let offered: Vec<&str> = STEPS.into_iter().filter(|st| applies(s, st)).collect();
    let items: Vec<String> = offered
        .iter()
        .map(|st| {
            let now = match *st {
                "kind" => s.kind.as_str().to_string(),
                "name" => s.name.clone(),
                "url" => s.url.clone().unwrap_or_default(),
                "fields" => format!("{} item(s)", s.fields.len()),
                "warning" => crate::output::yes_no(s.warning).to_string(),
                _ => format!("{} linked", s.agreements.len()),
            };
            format!("{st} ({})", if now.is_empty() { "—" } else { &now })
        })
        .collect();
    let chosen = p.multi_select(
        "Which settings do you want to change?",
        "--set KEY=VALUE, --add-field, --link",
        &items,
        &vec![false; items.len()],
    )?;
    for i in chosen {
        if let Some(step) = offered.get(i) {
            ask(p, s, agreements, step)?;
        }
    }
    settle(p, s, agreements)
}

fn applies(s: &Source, step: &str) -> bool {
    step != "warning" || s.kind == SourceKind::Openline
}

/// The final validation; a failure asks again only the settings it names.
fn settle(p: &mut dyn Prompter, s: &mut Source, agreements: &[String]) -> anyhow::Result<()> {
    loop {
        s.normalize();
        let Err(invalid) = s.validate() else {
            return Ok(());
        };
        let failing: Vec<&str> = STEPS
            .into_iter()
            .filter(|st| invalid.errors.iter().any(|e| e.field == *st))
            .collect();
        if failing.is_empty() {
            return Err(invalid.into());
        }
        p.note(&format!("{invalid}\nplease answer these again:"));
        for step in failing {
            ask(p, s, agreements, step)?;
        }
    }
}

/// The final validation of `next`, narrowed to `key`.
fn check(next: &Source, key: &str) -> Result<(), String> {
    next.validate().or_else(|invalid| invalid.about(key))
}

/// `s` with `key` set to `value` (the way `--set` sets it), checked.
fn check_set(s: &Source, key: &str, value: &str) -> Result<(), String> {
    let mut next = s.clone();
    next.set(key, value).map_err(|e| e.message)?;
    check(&next, key)
}

fn ask(
    p: &mut dyn Prompter,
    s: &mut Source,
    agreements: &[String],
    step: &str,
) -> anyhow::Result<()> {
    match step {
        "kind" => {
            let kinds = vec![
                "form — a web form".to_string(),
                "openline — a chat channel".to_string(),
            ];
            let was = s.kind;
            s.kind = match p.select(
                "Kind",
                "--kind",
                &kinds,
                usize::from(s.kind == SourceKind::Openline),
            )? {
                0 => SourceKind::Form,
                _ => SourceKind::Openline,
            };
            if s.kind != was {
                // A chat's default fields and warning come and go with the kind.
                if s.fields == was.default_fields() {
                    s.fields = s.kind.default_fields();
                }
                s.warning = s.kind == SourceKind::Openline;
            }
        }
        "name" | "url" => {
            let label = if step == "name" {
                "Name"
            } else {
                "Page URL (optional)"
            };
            let current = match step {
                "name" => s.name.clone(),
                _ => s.url.clone().unwrap_or_default(),
            };
            let snapshot = s.clone();
            let v = p.input(label, &format!("--set {step}=…"), &current, &|v| {
                check_set(&snapshot, step, v)
            })?;
            s.set(step, &v)?;
        }
        "fields" => {
            let mut fields = s.fields.clone();
            let snapshot = s.clone();
            prompt::edit_list(
                p,
                "Field captions (every input is personal data, even a comment)",
                "--add-field",
                &mut fields,
                &|f: &String| f.clone(),
                &mut |p, fields| {
                    let v = p.input(
                        "  New field caption (empty: none)",
                        "--add-field",
                        "",
                        &|v| {
                            if v.trim().is_empty() {
                                return Ok(());
                            }
                            if fields.iter().any(|f| f == v.trim()) {
                                return Err(format!("`{}` is already in the list", v.trim()));
                            }
                            let mut next = snapshot.clone();
                            next.fields = fields.to_vec();
                            next.add_field(v);
                            check(&next, "fields")
                        },
                    )?;
                    Ok((!v.is_empty()).then_some(v))
                },
            )?;
            s.fields = fields;
        }
        "warning" => {
            s.warning = p.confirm(
                "Send the personal-data warning with the agreement before the chat starts?",
                s.warning,
            )?;
        }
        _ => {
            if agreements.is_empty() {
                return Ok(());
            }
            let chosen: Vec<bool> = agreements
                .iter()
                .map(|a| s.agreements.iter().any(|l| &l.agreement == a))
                .collect();
            let picked = p.multi_select(
                "Agreements on this source (each consent its own document)",
                "--link",
                agreements,
                &chosen,
            )?;
            let old = std::mem::take(&mut s.agreements);
            for i in picked {
                let code = &agreements[i];
                // Keep existing overrides of links that stay.
                let link = old
                    .iter()
                    .find(|l| &l.agreement == code)
                    .cloned()
                    .unwrap_or(Link {
                        agreement: code.clone(),
                        required: None,
                        checked_by_default: None,
                        require_reading: None,
                    });
                s.agreements.push(link);
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::prompt::{Answer, Scripted};

    #[test]
    fn add_checks_the_url_as_the_final_validation_and_edits_fields_item_by_item() {
        let mut s = Source::new("chat", SourceKind::Form, "");
        let mut p = Scripted::new([
            Answer::Select(1), // openline: its default fields and the warning
            Answer::Text("Чат".into()),
            Answer::Text("https://romashka.ru:99999/chat".into()), // no such port: asked again
            Answer::Text("https://romashka.ru/chat".into()),
            Answer::Select(2), // remove
            Answer::Select(3), // фотография
            Answer::Default,   // done
            Answer::Default,   // warning: yes
            Answer::Multi(vec![0]),
        ]);
        add(&mut p, &mut s, &["site".to_string()]).unwrap();
        assert!(p.answers.is_empty());
        assert_eq!(p.rejected.len(), 1, "{:?}", p.rejected);
        assert!(p.rejected[0].contains("is not an http(s) address"));
        assert_eq!(s.kind, SourceKind::Openline);
        assert_eq!(
            s.fields,
            ["имя", "адрес электронной почты", "номер телефона"]
        );
        assert!(s.warning);
        assert_eq!(s.agreements.len(), 1);
        assert_eq!(s.validate(), Ok(()));
    }

    #[test]
    fn edit_asks_only_the_chosen_settings() {
        let mut s = Source::new("form", SourceKind::Form, "Форма");
        s.fields = vec!["имя".into()];
        // Offered: kind, name, url, fields, agreements (no warning for a form).
        let mut p = Scripted::new([
            Answer::Multi(vec![2]),
            Answer::Text("https://romashka.ru/form".into()),
        ]);
        edit(&mut p, &mut s, &[]).unwrap();
        assert_eq!(
            p.asked,
            [
                "Which settings do you want to change?",
                "Page URL (optional)"
            ]
        );
        assert_eq!(s.url.as_deref(), Some("https://romashka.ru/form"));
        assert_eq!(s.fields, ["имя"]);
    }
}
