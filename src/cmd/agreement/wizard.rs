//! The agreement wizard: Select for template and behaviour, MultiSelect for
//! actions, validated Input for INN and e-mail, Editor for a custom text.
//! It returns the whole new state as changes; the caller diffs and confirms.

use crate::domain::agreement::{
    Action, CUSTOM, Change, Language, Method, Role, Settings, TEMPLATES, ThirdParty,
};
use crate::domain::check_email;
use crate::domain::requisites::{Kind, check_inn};
use crate::prompt::Prompter;

/// The list typed at a prompt; the unchanged default keeps the list as it was
/// (an item may itself contain `;`).
fn typed_list(typed: &str, current: &[String]) -> Vec<String> {
    if typed.trim() == current.join("; ").trim() {
        return current.to_vec();
    }
    split_list(typed)
}

fn split_list(s: &str) -> Vec<String> {
    s.split(';')
        .map(|x| x.trim().to_string())
        .filter(|x| !x.is_empty())
        .collect()
}

fn non_empty(s: &str) -> Result<(), String> {
    if s.trim().is_empty() {
        Err("a value is required".into())
    } else {
        Ok(())
    }
}

pub fn run(
    p: &mut dyn Prompter,
    current: &Settings,
    requisites: &[String],
) -> anyhow::Result<Vec<Change>> {
    let mut c = Vec::new();
    let set = |k: &str, v: String| Change::Set(k.to_string(), v);

    c.push(set(
        "name",
        p.input("Name", "--name", &current.name, &non_empty)?,
    ));

    let langs = vec!["ru — Russian".to_string(), "en — English".to_string()];
    let lang = if p.select(
        "Language",
        "--language",
        &langs,
        usize::from(current.language == Language::En),
    )? == 0
    {
        Language::Ru
    } else {
        Language::En
    };
    c.push(set("language", lang.as_str().into()));

    let items: Vec<String> = TEMPLATES
        .iter()
        .map(|(id, about)| format!("{id} — {about}"))
        .collect();
    let default = TEMPLATES
        .iter()
        .position(|(id, _)| *id == current.template)
        .unwrap_or(0);
    let template = TEMPLATES[p.select("Template", "--template", &items, default)?].0;
    c.push(set("template", template.into()));
    if template == CUSTOM {
        let initial = current.custom_text.clone().unwrap_or_else(|| {
            "Я даю согласие {{ operator.display_name }} на обработку персональных данных…\n"
                .to_string()
        });
        let text = p
            .editor("Text of the agreement", "--text-file FILE", &initial)?
            .unwrap_or(initial);
        c.push(set("custom_text", text));
    } else {
        c.push(Change::Unset("custom_text".into()));
    }

    if !requisites.is_empty() {
        let default = requisites
            .iter()
            .position(|r| *r == current.requisites)
            .unwrap_or(0);
        let i = p.select(
            "Requisites (the operator named in the text)",
            "--requisites",
            requisites,
            default,
        )?;
        c.push(set("requisites", requisites[i].clone()));
    }

    let behaviours = vec![
        "required — the form cannot be sent without it".to_string(),
        "optional".to_string(),
    ];
    let required = p.select(
        "Consent is",
        "--set required=true|false",
        &behaviours,
        usize::from(!current.required),
    )? == 0;
    c.push(set("required", required.to_string()));
    let options = vec![
        "checked by default (not recommended: consent must be unambiguous)".to_string(),
        "the person must open the text before agreeing".to_string(),
    ];
    let chosen = p.multi_select(
        "Behaviour",
        "--set checked_by_default=… / require_reading=…",
        &options,
        &[current.checked_by_default, current.require_reading],
    )?;
    c.push(set("checked_by_default", chosen.contains(&0).to_string()));
    c.push(set("require_reading", chosen.contains(&1).to_string()));

    let purposes = p.input(
        "Purposes of processing, separated by `;`",
        "--add-purpose",
        &current.purposes.join("; "),
        &|_| Ok(()),
    )?;
    c.push(Change::SetPurposes(typed_list(
        &purposes,
        &current.purposes,
    )));

    let labels: Vec<String> = Action::ALL
        .iter()
        .map(|a| format!("{} ({})", a.label(Language::Ru), a.slug()))
        .collect();
    let chosen: Vec<bool> = Action::ALL
        .iter()
        .map(|a| current.actions.contains(a))
        .collect();
    let picked = p.multi_select(
        "Actions on the data (152-FZ art. 3)",
        "--add-action",
        &labels,
        &chosen,
    )?;
    c.push(Change::SetActions(
        picked
            .into_iter()
            .filter_map(|i| Action::ALL.get(i).copied())
            .collect(),
    ));

    let methods: Vec<String> = Method::ALL
        .iter()
        .map(|m| m.as_str().replace('_', "-"))
        .collect();
    let default = Method::ALL
        .iter()
        .position(|m| *m == current.methods)
        .unwrap_or(0);
    let m = Method::ALL[p.select("Processing methods", "--set methods=…", &methods, default)?];
    c.push(set("methods", m.as_str().into()));

    c.push(set(
        "term",
        p.input(
            "Term of processing",
            "--set term=…",
            &current.term,
            &non_empty,
        )?,
    ));

    let mut parties = current.third_parties.clone();
    if !parties.is_empty() {
        let items: Vec<String> = parties.iter().map(ThirdParty::summary).collect();
        let keep = p.multi_select(
            "Third parties to keep",
            "--remove-third-party",
            &items,
            &vec![true; items.len()],
        )?;
        parties = keep
            .into_iter()
            .filter_map(|i| parties.get(i).cloned())
            .collect();
    }
    while p.confirm("Add a third party (processor or recipient)?", false)? {
        let name = p.input(
            "  Organisation name",
            "--third-party name=…",
            "",
            &non_empty,
        )?;
        let inn = p.input("  INN", "--third-party inn=…", "", &|s| {
            let kind = if s.trim().len() == 12 {
                Kind::Individual
            } else {
                Kind::Legal
            };
            check_inn(kind, s.trim()).map_err(|e| e.message)
        })?;
        let address = p.input("  Address", "--third-party address=…", "", &non_empty)?;
        let roles = vec![
            "processor — processes on our behalf (поручение)".to_string(),
            "recipient — receives the data".to_string(),
        ];
        let role = if p.select("  Role", "--third-party role=…", &roles, 0)? == 0 {
            Role::Processor
        } else {
            Role::Recipient
        };
        parties.retain(|t| t.inn != inn);
        parties.push(ThirdParty {
            name,
            inn,
            address,
            role,
        });
    }
    c.push(Change::SetThirdParties(parties));

    let email = p.input(
        "E-mail for withdrawal and deletion requests (empty: the requisites' e-mail)",
        "--set withdrawal_email=…",
        current.withdrawal_email.as_deref().unwrap_or(""),
        &|s| {
            if s.trim().is_empty() {
                Ok(())
            } else {
                check_email("withdrawal_email", s.trim()).map_err(|e| e.message)
            }
        },
    )?;
    c.push(set("withdrawal_email", email));

    let fields = p.input(
        "Personal-data fields when no form supplies its own, separated by `;`",
        "--add-field",
        &current.fields.join("; "),
        &|_| Ok(()),
    )?;
    c.push(Change::SetFields(typed_list(&fields, &current.fields)));

    if template == "ru-152fz-distribution" {
        let r = p.input(
            "Conditions and prohibitions (art. 10.1), separated by `;`",
            "--add-restriction",
            &current.restrictions.join("; "),
            &|_| Ok(()),
        )?;
        c.push(Change::SetRestrictions(typed_list(
            &r,
            &current.restrictions,
        )));
    }

    let label = p.input(
        "Checkbox label (%…% marks the link to the text; empty: the default)",
        "--set label=…",
        current.label.as_deref().unwrap_or(""),
        &|s| {
            if s.trim().is_empty() {
                Ok(())
            } else {
                crate::domain::agreement::check_label(s)
            }
        },
    )?;
    c.push(set("label", label));
    let url = p.input(
        "External URL of the text (optional)",
        "--set url=…",
        current.url.as_deref().unwrap_or(""),
        &|s| {
            let s = s.trim();
            if s.is_empty() || s.starts_with("https://") || s.starts_with("http://") {
                Ok(())
            } else {
                Err("an http(s) address, or empty".into())
            }
        },
    )?;
    c.push(set("url", url));
    Ok(c)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::prompt::{Answer, Scripted};

    #[test]
    fn wizard_keeps_defaults_and_applies_answers() {
        let current = Settings::new("Согласие", Language::Ru, "main");
        let mut p = Scripted::new([
            Answer::Default,        // name
            Answer::Default,        // language
            Answer::Default,        // template
            Answer::Default,        // requisites
            Answer::Select(0),      // required
            Answer::Multi(vec![1]), // require_reading
            Answer::Text("обработка заявок; обратная связь".into()),
            Answer::Multi(vec![0, 4]), // collection, storage
            Answer::Default,           // methods
            Answer::Default,           // term
            Answer::Yes,               // add a third party
            Answer::Text("ООО «Доставка»".into()),
            Answer::Text("3811085918".into()), // bad check digit: asked again
            Answer::Text("3811085917".into()),
            Answer::Text("г. Иркутск".into()),
            Answer::Select(0),
            Answer::No,
            Answer::Text("bad".into()), // bad e-mail: asked again
            Answer::Default,
            Answer::Text("имя; телефон".into()),
            Answer::Default, // label
            Answer::Default, // url
        ]);
        let changes = run(&mut p, &current, &["main".to_string()]).unwrap();
        let mut next = current.clone();
        next.apply(&changes).unwrap();
        assert_eq!(next.purposes, ["обработка заявок", "обратная связь"]);
        assert_eq!(next.actions, [Action::Collection, Action::Storage]);
        assert!(next.require_reading && !next.checked_by_default);
        assert_eq!(next.third_parties.len(), 1);
        assert_eq!(next.third_parties[0].role, Role::Processor);
        assert_eq!(next.fields, ["имя", "телефон"]);
        assert_eq!(next.withdrawal_email, None);
        assert_eq!(next.name, current.name);
        assert_eq!(p.rejected.len(), 2, "{:?}", p.rejected);
        assert!(p.answers.is_empty());
        assert_eq!(crate::domain::render::validate("site", &next), Ok(()));
    }
}
