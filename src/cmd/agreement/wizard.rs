//! The agreement wizard: one step per setting, in the order `agreement show`
//! lists them. Every answer is checked by the final validation itself
//! ([`render::validate`], narrowed to the setting asked), so nothing typed is
//! refused after the last step; if the whole still fails (a setting depends on
//! another one changed since), only the failing settings are asked again.

use crate::domain::agreement::{
    Action, CUSTOM, Change, Language, Method, Role, Settings, TEMPLATES, ThirdParty,
    template_language,
};
use crate::domain::render;
use crate::prompt::{self, Prompter};

/// One question (or a group of them) of the wizard.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Step {
    Name,
    Language,
    Template,
    Requisites,
    Required,
    Behaviour,
    Label,
    Url,
    Purposes,
    Actions,
    Methods,
    Term,
    ThirdParties,
    WithdrawalEmail,
    Fields,
    Restrictions,
    AutomatedDecisions,
}

/// The order of `agreement show`.
const STEPS: [Step; 17] = [
    Step::Name,
    Step::Language,
    Step::Template,
    Step::Requisites,
    Step::Required,
    Step::Behaviour,
    Step::Label,
    Step::Url,
    Step::Purposes,
    Step::Actions,
    Step::Methods,
    Step::Term,
    Step::ThirdParties,
    Step::WithdrawalEmail,
    Step::Fields,
    Step::Restrictions,
    Step::AutomatedDecisions,
];

impl Step {
    /// The row of `agreement show` that holds the step's (first) setting.
    fn row(self) -> &'static str {
        match self {
            Step::Template => "template",
            Step::Behaviour => "checked_by_default",
            other => other.title(),
        }
    }

    /// The setting's name, as `show` and `--set` spell it.
    fn title(self) -> &'static str {
        match self {
            Step::Name => "name",
            Step::Language => "language",
            Step::Template => "template (and custom_text)",
            Step::Requisites => "requisites",
            Step::Required => "required",
            Step::Behaviour => "checked_by_default, require_reading",
            Step::Label => "label",
            Step::Url => "url",
            Step::Purposes => "purposes",
            Step::Actions => "actions",
            Step::Methods => "methods",
            Step::Term => "term",
            Step::ThirdParties => "third_parties",
            Step::WithdrawalEmail => "withdrawal_email",
            Step::Fields => "fields",
            Step::Restrictions => "restrictions",
            Step::AutomatedDecisions => "automated_decisions",
        }
    }

    /// The step that asks for the setting a validation error names.
    fn for_field(field: &str) -> Option<Step> {
        let key = field.split(['[', '.']).next().unwrap_or(field);
        Some(match key {
            "name" => Step::Name,
            "language" => Step::Language,
            "template" | "custom_text" => Step::Template,
            "requisites" => Step::Requisites,
            "required" => Step::Required,
            "checked_by_default" | "require_reading" => Step::Behaviour,
            "label" => Step::Label,
            "url" => Step::Url,
            "purposes" => Step::Purposes,
            "actions" => Step::Actions,
            "methods" => Step::Methods,
            "term" => Step::Term,
            "third_parties" => Step::ThirdParties,
            "withdrawal_email" => Step::WithdrawalEmail,
            "fields" => Step::Fields,
            "restrictions" => Step::Restrictions,
            "automated_decisions" => Step::AutomatedDecisions,
            _ => return None,
        })
    }

    /// Whether the step belongs to these settings: restrictions only to the
    /// distribution consent, automated decisions only to English texts (or when set).
    fn applies(self, s: &Settings) -> bool {
        match self {
            Step::Restrictions => {
                s.template == "ru-152fz-distribution" || !s.restrictions.is_empty()
            }
            Step::AutomatedDecisions => {
                s.language == Language::En || s.automated_decisions.is_some()
            }
            _ => true,
        }
    }
}

/// What the wizard knows besides the settings.
pub struct Context<'a> {
    /// The agreement's code (validation messages name it).
    pub code: &'a str,
    /// The codes of the requisites to choose from.
    pub requisites: &'a [String],
}

/// A new agreement: every step, then the final check.
pub fn add(p: &mut dyn Prompter, cx: &Context, s: &mut Settings) -> anyhow::Result<()> {
    for step in STEPS {
        // Asked after the template and language are known.
        if step.applies(s) {
            ask(p, cx, s, step)?;
        }
    }
    settle(p, cx, s)
}

/// An edit: first which settings to change, then only those, then the final check.
pub fn edit(p: &mut dyn Prompter, cx: &Context, s: &mut Settings) -> anyhow::Result<()> {
    let offered: Vec<Step> = STEPS.into_iter().filter(|st| st.applies(s)).collect();
    let rows = super::show::settings_rows(s, None);
    let items: Vec<String> = offered
        .iter()
        .map(|st| {
            let now = rows
                .iter()
                .find(|(k, _)| *k == st.row())
                .map(|(_, v)| v.lines().next().unwrap_or("").to_string())
                .unwrap_or_default();
            let now: String = if now.chars().count() > 40 {
                now.chars().take(39).chain(['…']).collect()
            } else {
                now
            };
            format!(
                "{} ({})",
                st.title(),
                if now.is_empty() { "—" } else { &now }
            )
        })
        .collect();
    let chosen = p.multi_select(
        "Which settings do you want to change?",
        "--set KEY=VALUE, --add-purpose …, --third-party …",
        &items,
        &vec![false; items.len()],
    )?;
    for i in chosen {
        if let Some(step) = offered.get(i) {
            ask(p, cx, s, *step)?;
        }
    }
    settle(p, cx, s)
}

/// Runs the final validation; a failure asks again only the settings it names,
/// keeping every other answer.
fn settle(p: &mut dyn Prompter, cx: &Context, s: &mut Settings) -> anyhow::Result<()> {
    loop {
        let Err(invalid) = render::validate(cx.code, s) else {
            return Ok(());
        };
        let mut steps = Vec::new();
        for e in &invalid.errors {
            match Step::for_field(&e.field) {
                Some(st) if !steps.contains(&st) => steps.push(st),
                Some(_) => {}
                // Not a setting the wizard asks for (the code): nothing to re-ask.
                None => return Err(invalid.into()),
            }
        }
        p.note(&format!("{invalid}\nplease answer these again:"));
        for st in STEPS.into_iter().filter(|st| steps.contains(st)) {
            ask(p, cx, s, st)?;
        }
    }
}

/// The final validation of `s` with `change` applied, narrowed to the errors
/// about `key` — what a prompt shows before it asks again.
fn check(cx: &Context, s: &Settings, change: Change, key: &str) -> Result<(), String> {
    let mut next = s.clone();
    next.apply(&[change]).map_err(|e| e.message)?;
    render::validate(cx.code, &next).or_else(|invalid| invalid.about(key))
}

fn set(key: &str, v: impl Into<String>) -> Change {
    Change::Set(key.to_string(), v.into())
}

/// Asks one text setting, checked as the final validation checks it.
fn text(
    p: &mut dyn Prompter,
    cx: &Context,
    s: &mut Settings,
    key: &str,
    label: &str,
    current: &str,
) -> anyhow::Result<()> {
    let snapshot = s.clone();
    let v = p.input(label, &format!("--set {key}=…"), current, &|v| {
        check(cx, &snapshot, set(key, v.trim()), key)
    })?;
    s.apply(&[set(key, v)])?;
    Ok(())
}

fn ask(p: &mut dyn Prompter, cx: &Context, s: &mut Settings, step: Step) -> anyhow::Result<()> {
    match step {
        Step::Name => {
            let current = s.name.clone();
            text(p, cx, s, "name", "Name", &current)?;
        }
        Step::Language => {
            let langs = vec!["ru - Russian".to_string(), "en - English".to_string()];
            let was = s.language;
            let lang = match p.select(
                "Language",
                "--language",
                &langs,
                usize::from(s.language == Language::En),
            )? {
                0 => Language::Ru,
                _ => Language::En,
            };
            s.apply(&[set("language", lang.as_str())])?;
            // The default term follows the language; a term of one's own stays.
            if lang != was && s.term == was.default_term() {
                s.apply(&[set("term", lang.default_term())])?;
            }
        }
        Step::Template => template(p, cx, s)?,
        Step::Requisites => {
            if !cx.requisites.is_empty() {
                let default = cx
                    .requisites
                    .iter()
                    .position(|r| *r == s.requisites)
                    .unwrap_or(0);
                let i = p.select(
                    "Requisites (the operator named in the text)",
                    "--requisites",
                    cx.requisites,
                    default,
                )?;
                s.apply(&[set("requisites", cx.requisites[i].clone())])?;
            }
        }
        Step::Required => {
            let behaviours = vec![
                "required - the form cannot be sent without it".to_string(),
                "optional".to_string(),
            ];
            let required = p.select(
                "Consent is",
                "--set required=true|false",
                &behaviours,
                usize::from(!s.required),
            )? == 0;
            s.apply(&[set("required", required.to_string())])?;
        }
        Step::Behaviour => {
            let options = vec![
                "checked by default (not recommended: consent must be unambiguous)".to_string(),
                "the person must open the text before agreeing".to_string(),
            ];
            let chosen = p.multi_select(
                "Behaviour",
                "--set checked_by_default=… / require_reading=…",
                &options,
                &[s.checked_by_default, s.require_reading],
            )?;
            s.apply(&[
                set("checked_by_default", chosen.contains(&0).to_string()),
                set("require_reading", chosen.contains(&1).to_string()),
            ])?;
        }
        Step::Label => {
            let current = s.label.clone().unwrap_or_default();
            text(
                p,
                cx,
                s,
                "label",
                "Checkbox label (%...% marks the link to the text; empty: the default)",
                &current,
            )?;
        }
        Step::Url => {
            let current = s.url.clone().unwrap_or_default();
            text(
                p,
                cx,
                s,
                "url",
                "External URL of the text (optional)",
                &current,
            )?;
        }
        Step::Purposes => list(
            p,
            cx,
            s,
            "purposes",
            "Purposes of processing",
            "--add-purpose",
        )?,
        Step::Actions => {
            let labels: Vec<String> = Action::ALL
                .iter()
                .map(|a| format!("{} ({})", a.slug(), a.label(Language::Ru)))
                .collect();
            let chosen: Vec<bool> = Action::ALL.iter().map(|a| s.actions.contains(a)).collect();
            let picked = p.multi_select(
                "Actions on the data (152-FZ art. 3)",
                "--add-action",
                &labels,
                &chosen,
            )?;
            s.apply(&[Change::SetActions(
                picked
                    .into_iter()
                    .filter_map(|i| Action::ALL.get(i).copied())
                    .collect(),
            )])?;
        }
        Step::Methods => {
            let methods: Vec<String> = Method::ALL
                .iter()
                .map(|m| m.as_str().replace('_', "-"))
                .collect();
            let default = Method::ALL
                .iter()
                .position(|m| *m == s.methods)
                .unwrap_or(0);
            let m = Method::ALL
                [p.select("Processing methods", "--set methods=…", &methods, default)?];
            s.apply(&[set("methods", m.as_str())])?;
        }
        Step::Term => {
            let current = s.term.clone();
            text(p, cx, s, "term", "Term of processing", &current)?;
        }
        Step::ThirdParties => third_parties(p, cx, s)?,
        Step::WithdrawalEmail => {
            let current = s.withdrawal_email.clone().unwrap_or_default();
            text(
                p,
                cx,
                s,
                "withdrawal_email",
                "E-mail for withdrawal and deletion requests (empty: the requisites' e-mail)",
                &current,
            )?;
        }
        Step::Fields => list(
            p,
            cx,
            s,
            "fields",
            "Personal-data fields when no form supplies its own",
            "--add-field",
        )?,
        Step::Restrictions => list(
            p,
            cx,
            s,
            "restrictions",
            "Conditions and prohibitions (art. 10.1)",
            "--add-restriction",
        )?,
        Step::AutomatedDecisions => {
            let current = s.automated_decisions.clone().unwrap_or_default();
            text(
                p,
                cx,
                s,
                "automated_decisions",
                "Automated decisions or profiling, their logic and consequences (empty: none)",
                &current,
            )?;
        }
    }
    Ok(())
}

/// The templates of the agreement's language (and `custom`); the editor for a custom text.
fn template(p: &mut dyn Prompter, cx: &Context, s: &mut Settings) -> anyhow::Result<()> {
    let offered: Vec<&(&str, &str)> = TEMPLATES
        .iter()
        .filter(|(id, _)| *id == CUSTOM || template_language(id) == Some(s.language))
        .collect();
    let items: Vec<String> = offered
        .iter()
        .map(|(id, about)| format!("{id} - {about}"))
        .collect();
    let default = offered
        .iter()
        .position(|(id, _)| *id == s.template)
        .or_else(|| {
            offered
                .iter()
                .position(|(id, _)| *id == s.language.default_template())
        })
        .unwrap_or(0);
    let id = offered[p.select("Template", "--template", &items, default)?].0;
    if id != CUSTOM {
        s.apply(&[set("template", id), Change::Unset("custom_text".into())])?;
        return Ok(());
    }
    s.apply(&[set("template", id)])?;
    let mut initial = s.custom_text.clone().unwrap_or_else(|| match s.language {
        Language::Ru => {
            "Я даю согласие {{ operator.display_name }} на обработку персональных данных…\n"
                .to_string()
        }
        Language::En => {
            "I consent to {{ operator.display_name }} processing my personal data…\n".to_string()
        }
    });
    loop {
        let edited = p
            .editor("Text of the agreement", "--text-file FILE", &initial)?
            .unwrap_or_else(|| initial.clone());
        match check(cx, s, set("custom_text", edited.clone()), "custom_text") {
            Ok(()) => {
                s.apply(&[set("custom_text", edited)])?;
                return Ok(());
            }
            Err(e) => {
                // The text is kept: the editor opens again on what was written.
                p.note(&format!("the text does not work: {e}\nopening it again"));
                initial = edited;
            }
        }
    }
}

/// Which list of the settings a key names.
fn list_of<'a>(s: &'a Settings, key: &str) -> &'a [String] {
    match key {
        "purposes" => &s.purposes,
        "fields" => &s.fields,
        _ => &s.restrictions,
    }
}

fn set_list(key: &str, items: Vec<String>) -> Change {
    match key {
        "purposes" => Change::SetPurposes(items),
        "fields" => Change::SetFields(items),
        _ => Change::SetRestrictions(items),
    }
}

/// A list of texts, edited item by item.
fn list(
    p: &mut dyn Prompter,
    cx: &Context,
    s: &mut Settings,
    key: &str,
    label: &str,
    flag: &str,
) -> anyhow::Result<()> {
    let mut items = list_of(s, key).to_vec();
    let snapshot = s.clone();
    prompt::edit_list(
        p,
        label,
        flag,
        &mut items,
        &|x: &String| x.clone(),
        &mut |p, items| {
            let v = p.input("  New item (empty: none)", flag, "", &|v| {
                if v.trim().is_empty() {
                    return Ok(());
                }
                if items.iter().any(|x| x == v.trim()) {
                    return Err(format!("`{}` is already in the list", v.trim()));
                }
                let mut next = items.to_vec();
                next.push(v.trim().to_string());
                check(cx, &snapshot, set_list(key, next), key)
            })?;
            Ok((!v.is_empty()).then_some(v))
        },
    )?;
    s.apply(&[set_list(key, items)])?;
    Ok(())
}

/// Third parties, edited item by item; a new one is asked field by field.
fn third_parties(p: &mut dyn Prompter, cx: &Context, s: &mut Settings) -> anyhow::Result<()> {
    let mut parties = s.third_parties.clone();
    let snapshot = s.clone();
    prompt::edit_list(
        p,
        "Third parties (processors and recipients)",
        "--third-party",
        &mut parties,
        &ThirdParty::summary,
        &mut |p, parties| {
            let n = parties.len();
            // One new party checked with the final validation, narrowed to its `part`.
            let candidate = |tp: ThirdParty, part: &str| {
                let mut next = parties.to_vec();
                next.push(tp);
                let key = format!("third_parties[{n}].{part}");
                check(cx, &snapshot, Change::SetThirdParties(next), &key)
            };
            let blank = ThirdParty {
                name: String::new(),
                inn: String::new(),
                address: String::new(),
                role: Role::Processor,
            };
            let name = p.input(
                "  Organisation name (empty: none)",
                "--third-party name=…",
                "",
                &|_| Ok(()),
            )?;
            if name.is_empty() {
                return Ok(None);
            }
            let inn = p.input("  INN", "--third-party inn=…", "", &|v| {
                if parties.iter().any(|t| t.inn == v.trim()) {
                    return Err(format!(
                        "a third party with INN {} is already listed",
                        v.trim()
                    ));
                }
                candidate(
                    ThirdParty {
                        inn: v.trim().to_string(),
                        ..blank.clone()
                    },
                    "inn",
                )
            })?;
            let address = p.input("  Address", "--third-party address=…", "", &|v| {
                candidate(
                    ThirdParty {
                        address: v.trim().to_string(),
                        ..blank.clone()
                    },
                    "address",
                )
            })?;
            let roles = vec![
                "processor - processes on our behalf (poruchenie)".to_string(),
                "recipient - receives the data".to_string(),
            ];
            let role = match p.select("  Role", "--third-party role=…", &roles, 0)? {
                0 => Role::Processor,
                _ => Role::Recipient,
            };
            Ok(Some(ThirdParty {
                name,
                inn,
                address,
                role,
            }))
        },
    )?;
    s.apply(&[Change::SetThirdParties(parties)])?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::prompt::{Answer, Scripted};

    fn cx<'a>(requisites: &'a [String]) -> Context<'a> {
        Context {
            code: "site",
            requisites,
        }
    }

    #[test]
    fn add_asks_every_step_and_checks_each_answer_as_the_final_validation() {
        let mut s = Settings::new("", Language::Ru, "main");
        let reqs = ["main".to_string()];
        let mut p = Scripted::new([
            Answer::Text("".into()), // name: required, asked again
            Answer::Text("Согласие".into()),
            Answer::Default,                            // language
            Answer::Default,                            // template
            Answer::Default,                            // requisites
            Answer::Select(0),                          // required
            Answer::Multi(vec![1]),                     // require_reading
            Answer::Default,                            // label
            Answer::Text("romashka.ru/consent".into()), // url: not http(s), asked again
            Answer::Text("https://romashka.ru/consent".into()),
            // purposes: add two, move the second first, done
            Answer::Default, // empty list: "add" is the default
            Answer::Text("обработка заявок".into()),
            Answer::Select(1),
            Answer::Text("обработка заявок".into()), // already there: asked again
            Answer::Text("обратная связь".into()),
            Answer::Select(3), // move
            Answer::Select(1),
            Answer::Select(0),
            Answer::Default,           // done
            Answer::Multi(vec![0, 4]), // collection, storage
            Answer::Default,           // methods
            Answer::Default,           // term
            // third parties: add one, done
            Answer::Default,
            Answer::Text("ООО «Доставка»".into()),
            Answer::Text("3811085918".into()), // bad check digit: asked again
            Answer::Text("3811085917".into()),
            Answer::Text("г. Иркутск".into()),
            Answer::Select(0),
            Answer::Default,
            Answer::Text("bad".into()), // bad e-mail: asked again
            Answer::Default,
            // fields: add one, then an empty item adds nothing, done
            Answer::Default,
            Answer::Text("имя".into()),
            Answer::Select(1),
            Answer::Text("".into()),
            Answer::Default,
        ]);
        add(&mut p, &cx(&reqs), &mut s).unwrap();
        assert!(p.answers.is_empty(), "{:?}", p.answers);
        assert_eq!(s.name, "Согласие");
        assert_eq!(s.url.as_deref(), Some("https://romashka.ru/consent"));
        assert_eq!(s.purposes, ["обратная связь", "обработка заявок"]);
        assert_eq!(s.actions, [Action::Collection, Action::Storage]);
        assert!(s.require_reading && !s.checked_by_default);
        assert_eq!(s.third_parties.len(), 1);
        assert_eq!(s.third_parties[0].role, Role::Processor);
        assert_eq!(s.fields, ["имя"]);
        assert_eq!(s.withdrawal_email, None);
        assert_eq!(p.rejected.len(), 5, "{:?}", p.rejected);
        assert!(
            p.rejected[1].contains("is not an http(s) address"),
            "{:?}",
            p.rejected
        );
        assert!(p.rejected[3].contains("check digit"), "{:?}", p.rejected);
        assert!(
            !p.asked.iter().any(|a| a.starts_with("Conditions")),
            "restrictions belong to the distribution consent only"
        );
        assert_eq!(render::validate("site", &s), Ok(()));
    }

    #[test]
    fn templates_offered_are_those_of_the_language() {
        let mut s = Settings::new("Consent", Language::Ru, "main");
        let mut p = Scripted::new([Answer::Select(1), Answer::Select(1)]);
        ask(&mut p, &cx(&[]), &mut s, Step::Language).unwrap();
        ask(&mut p, &cx(&[]), &mut s, Step::Template).unwrap();
        // en-consent, en-marketing, custom: the second is en-marketing.
        assert_eq!(s.template, "en-marketing");
        assert_eq!(
            s.term,
            Language::En.default_term(),
            "the default term follows"
        );
    }

    #[test]
    fn edit_asks_only_the_chosen_settings_and_then_what_the_final_check_refuses() {
        let mut s = Settings::new("Согласие", Language::Ru, "main");
        s.purposes = vec!["a".into(), "b".into()];
        // Offered: name, language, template, … — choose language only.
        let mut p = Scripted::new([
            Answer::Multi(vec![1]),
            Answer::Select(1), // en
            // ru-152fz-consent is Russian: only the template is asked again.
            Answer::Default,
        ]);
        edit(&mut p, &cx(&[]), &mut s).unwrap();
        assert_eq!(
            p.asked,
            [
                "Which settings do you want to change?",
                "Language",
                "Template"
            ]
        );
        assert!(
            p.notes[0].contains("template `ru-152fz-consent` is in `ru`"),
            "{:?}",
            p.notes
        );
        assert_eq!(s.template, "en-consent");
        assert_eq!(s.purposes, ["a", "b"], "the other answers are kept");
        assert_eq!(render::validate("site", &s), Ok(()));
    }

    #[test]
    fn a_list_item_is_removed_without_retyping_the_others() {
        let mut s = Settings::new("Согласие", Language::Ru, "main");
        s.purposes = vec!["a; b".into(), "c".into()];
        let mut p = Scripted::new([
            Answer::Select(2), // remove
            Answer::Select(1), // c
            Answer::Default,   // done
        ]);
        ask(&mut p, &cx(&[]), &mut s, Step::Purposes).unwrap();
        assert_eq!(s.purposes, ["a; b"], "an item may hold `;`");
        assert!(p.notes[0].contains("\n  1. a; b\n  2. c"), "{:?}", p.notes);
    }
}
