//! Changes to an agreement's settings, as flags, the wizard and `apply`
//! express them, and how they are applied to make the next revision.

use super::{Action, Language, Method, SET_KEYS, Settings, ThirdParty, parse_template};
use crate::domain::field::{FieldError, add_unique, parse_bool, remove_item};

impl Settings {
    /// Applies changes in order; the result is validated by the caller with [`crate::domain::render::validate`].
    pub fn apply(&mut self, changes: &[Change]) -> Result<(), FieldError> {
        for c in changes {
            self.apply_one(&c.normalized())?;
        }
        Ok(())
    }

    fn apply_one(&mut self, change: &Change) -> Result<(), FieldError> {
        match change {
            Change::Set(key, value) => self.set(key, value)?,
            Change::Unset(key) => self.unset(key)?,
            Change::AddPurpose(p) => add_unique(&mut self.purposes, p),
            Change::RemovePurpose(p) => remove_item(&mut self.purposes, p, "purpose", "purposes")?,
            Change::AddField(p) => add_unique(&mut self.fields, p),
            Change::RemoveField(p) => remove_item(&mut self.fields, p, "field", "fields")?,
            Change::AddRestriction(p) => add_unique(&mut self.restrictions, p),
            Change::RemoveRestriction(p) => {
                remove_item(&mut self.restrictions, p, "restriction", "restrictions")?
            }
            Change::AddAction(a) => {
                if !self.actions.contains(a) {
                    self.actions.push(*a);
                    self.actions.sort();
                }
            }
            Change::RemoveAction(a) => {
                if !self.actions.contains(a) {
                    return Err(FieldError::new(
                        "actions",
                        format!("action `{}` is not in the list", a.slug()),
                    ));
                }
                self.actions.retain(|x| x != a);
            }
            Change::SetActions(list) => {
                let mut list = list.clone();
                list.sort();
                list.dedup();
                self.actions = list;
            }
            Change::AddThirdParty(tp) => {
                if let Some(existing) = self.third_parties.iter_mut().find(|t| t.inn == tp.inn) {
                    *existing = tp.clone();
                } else {
                    self.third_parties.push(tp.clone());
                }
            }
            Change::RemoveThirdParty(key) => {
                let before = self.third_parties.len();
                self.third_parties
                    .retain(|t| t.inn != *key && t.name != *key);
                if self.third_parties.len() == before {
                    return Err(FieldError::new(
                        "third_parties",
                        format!("no third party has the name or INN `{key}`"),
                    ));
                }
            }
            Change::SetThirdParties(list) => self.third_parties = list.clone(),
            Change::SetPurposes(list) => self.purposes = clean_list(list),
            Change::SetFields(list) => self.fields = clean_list(list),
            Change::SetRestrictions(list) => self.restrictions = clean_list(list),
        }
        Ok(())
    }

    fn set(&mut self, key: &str, value: &str) -> Result<(), FieldError> {
        let err = |m: String| FieldError::new(key, m);
        let v = value.trim();
        match key {
            "name" => self.name = v.to_string(),
            "language" => self.language = Language::parse(v).map_err(err)?,
            "template" => self.template = parse_template(v).map_err(err)?,
            "custom_text" => self.custom_text = Some(value.to_string()),
            "requisites" => self.requisites = v.to_string(),
            "required" => self.required = parse_bool(v).map_err(err)?,
            "checked_by_default" => self.checked_by_default = parse_bool(v).map_err(err)?,
            "require_reading" => self.require_reading = parse_bool(v).map_err(err)?,
            "label" => self.label = (!v.is_empty()).then(|| v.to_string()),
            "url" => self.url = (!v.is_empty()).then(|| v.to_string()),
            "methods" => self.methods = Method::parse(v).map_err(err)?,
            "term" => self.term = v.to_string(),
            "withdrawal_email" => self.withdrawal_email = (!v.is_empty()).then(|| v.to_string()),
            "automated_decisions" => {
                self.automated_decisions = (!v.is_empty()).then(|| v.to_string())
            }
            "actions" => {
                let list = v
                    .split(',')
                    .filter(|s| !s.trim().is_empty())
                    .map(Action::parse)
                    .collect::<Result<Vec<_>, _>>();
                return self.apply_one(&Change::SetActions(list.map_err(err)?));
            }
            _ => {
                return Err(err(format!(
                    "unknown setting `{key}`{}; --set takes one of: {}; lists have their own flags (--add-purpose, --add-action, --add-field, --third-party …)",
                    crate::domain::suggest::did_you_mean(key, SET_KEYS.iter().copied()),
                    SET_KEYS.join(", ")
                )));
            }
        }
        Ok(())
    }

    fn unset(&mut self, key: &str) -> Result<(), FieldError> {
        match key {
            "custom_text" => self.custom_text = None,
            "label" => self.label = None,
            "url" => self.url = None,
            "withdrawal_email" => self.withdrawal_email = None,
            "automated_decisions" => self.automated_decisions = None,
            "purposes" => self.purposes.clear(),
            "fields" => self.fields.clear(),
            "actions" => self.actions.clear(),
            "third_parties" => self.third_parties.clear(),
            "restrictions" => self.restrictions.clear(),
            _ => {
                return Err(FieldError::new(
                    key,
                    format!(
                        "`{key}` cannot be unset; optional settings are custom_text, label, url, withdrawal_email, automated_decisions, purposes, fields, actions, third_parties, restrictions"
                    ),
                ));
            }
        }
        Ok(())
    }
}

fn clean_list(list: &[String]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for item in list.iter().map(|s| s.trim()).filter(|s| !s.is_empty()) {
        if !out.iter().any(|o| o == item) {
            out.push(item.to_string());
        }
    }
    out
}

impl Change {
    /// The same change with its texts in Unicode NFC.
    fn normalized(&self) -> Change {
        use crate::domain::field::nfc;
        let list = |l: &[String]| l.iter().map(|s| nfc(s)).collect::<Vec<_>>();
        match self {
            Change::Set(k, v) => Change::Set(k.clone(), nfc(v)),
            Change::AddPurpose(v) => Change::AddPurpose(nfc(v)),
            Change::RemovePurpose(v) => Change::RemovePurpose(nfc(v)),
            Change::SetPurposes(l) => Change::SetPurposes(list(l)),
            Change::AddField(v) => Change::AddField(nfc(v)),
            Change::RemoveField(v) => Change::RemoveField(nfc(v)),
            Change::SetFields(l) => Change::SetFields(list(l)),
            Change::AddRestriction(v) => Change::AddRestriction(nfc(v)),
            Change::RemoveRestriction(v) => Change::RemoveRestriction(nfc(v)),
            Change::SetRestrictions(l) => Change::SetRestrictions(list(l)),
            Change::AddThirdParty(t) => Change::AddThirdParty(ThirdParty {
                name: nfc(&t.name),
                inn: nfc(&t.inn),
                address: nfc(&t.address),
                role: t.role,
            }),
            Change::RemoveThirdParty(v) => Change::RemoveThirdParty(nfc(v)),
            Change::SetThirdParties(ts) => Change::SetThirdParties(
                ts.iter()
                    .map(|t| ThirdParty {
                        name: nfc(&t.name),
                        inn: nfc(&t.inn),
                        address: nfc(&t.address),
                        role: t.role,
                    })
                    .collect(),
            ),
            other => other.clone(),
        }
    }
}

/// One requested change, as flags or the wizard express it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Change {
    Set(String, String),
    Unset(String),
    AddPurpose(String),
    RemovePurpose(String),
    SetPurposes(Vec<String>),
    AddAction(Action),
    RemoveAction(Action),
    SetActions(Vec<Action>),
    AddField(String),
    RemoveField(String),
    SetFields(Vec<String>),
    AddRestriction(String),
    RemoveRestriction(String),
    SetRestrictions(Vec<String>),
    AddThirdParty(ThirdParty),
    RemoveThirdParty(String),
    SetThirdParties(Vec<ThirdParty>),
}
