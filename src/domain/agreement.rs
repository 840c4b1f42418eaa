//! Agreements (соглашения): their settings, the 152-FZ vocabulary of actions,
//! and the changes that turn one revision into the next.

use serde::{Deserialize, Serialize};

use super::field::{FieldError, Invalid, check_url};
use super::ids::{Kind, check_inn};

mod change;
mod vocab;

pub use change::Change;
pub use vocab::{
    Action, CUSTOM, Language, Method, Role, TEMPLATES, ThirdParty, parse_template,
    template_language,
};

/// Every setting of an agreement; one revision is one immutable snapshot of this.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Settings {
    pub name: String,
    pub language: Language,
    pub template: String,
    #[serde(default)]
    pub custom_text: Option<String>,
    pub requisites: String,
    pub required: bool,
    pub checked_by_default: bool,
    pub require_reading: bool,
    #[serde(default)]
    pub label: Option<String>,
    #[serde(default)]
    pub url: Option<String>,
    #[serde(default)]
    pub purposes: Vec<String>,
    #[serde(default)]
    pub actions: Vec<Action>,
    pub methods: Method,
    pub term: String,
    #[serde(default)]
    pub third_parties: Vec<ThirdParty>,
    #[serde(default)]
    pub withdrawal_email: Option<String>,
    #[serde(default)]
    pub fields: Vec<String>,
    /// Conditions and prohibitions for data permitted for distribution (art. 10.1 §9).
    #[serde(default)]
    pub restrictions: Vec<String>,
    /// Automated decision-making, including profiling, that the processing
    /// involves: its logic, significance and consequences (GDPR art. 13(2)(f),
    /// art. 22). `None`: none is used, which the English texts say.
    /// Printed as `null` when unset (JSON keys are never absent); revisions
    /// stored before the setting existed lack the key and read as `None`.
    #[serde(default)]
    pub automated_decisions: Option<String>,
}

/// Scalar keys accepted by `--set key=value`.
pub const SET_KEYS: &[&str] = &[
    "name",
    "language",
    "template",
    "custom_text",
    "requisites",
    "required",
    "checked_by_default",
    "require_reading",
    "label",
    "url",
    "methods",
    "term",
    "withdrawal_email",
    "automated_decisions",
];

impl Settings {
    /// Defaults for a new agreement: the standard consent, required, not pre-ticked,
    /// the usual actions of a web form, mixed processing, until withdrawn.
    pub fn new(name: &str, language: Language, requisites: &str) -> Settings {
        Settings {
            name: name.to_string(),
            language,
            template: language.default_template().to_string(),
            custom_text: None,
            requisites: requisites.to_string(),
            required: true,
            checked_by_default: false,
            require_reading: false,
            label: None,
            url: None,
            purposes: Vec::new(),
            actions: vec![
                Action::Collection,
                Action::Recording,
                Action::Systematization,
                Action::Accumulation,
                Action::Storage,
                Action::Clarification,
                Action::Retrieval,
                Action::Use,
                Action::Blocking,
                Action::Deletion,
                Action::Destruction,
            ],
            methods: Method::Mixed,
            term: language.default_term().to_string(),
            third_parties: Vec::new(),
            withdrawal_email: None,
            fields: Vec::new(),
            restrictions: Vec::new(),
            automated_decisions: None,
        }
    }

    /// Every problem of these settings under `code`. A custom template is
    /// checked by `check_template` (rendering lives above this module:
    /// [`super::render::validate`] passes its own check).
    pub fn validate_with(
        &self,
        code: &str,
        check_template: &dyn Fn(&str, Language) -> Result<(), String>,
    ) -> Result<(), Invalid> {
        let mut errors = Vec::new();
        if let Err(e) = super::field::validate_code(code) {
            errors.push(FieldError::new("code", e));
        }
        if self.name.trim().is_empty() {
            errors.push(FieldError::new(
                "name",
                "the name is required; give it with --name \"…\"",
            ));
        }
        if let Err(e) = parse_template(&self.template) {
            errors.push(FieldError::new("template", e));
        } else if let Some(lang) = template_language(&self.template).filter(|l| *l != self.language)
        {
            errors.push(FieldError::new(
                "template",
                format!(
                    "template `{}` is in `{}` but the agreement's language is `{}`; use template `{}` (and a term in that language)",
                    self.template,
                    lang.as_str(),
                    self.language.as_str(),
                    self.language.default_template()
                ),
            ));
        }
        let has_text = self
            .custom_text
            .as_deref()
            .is_some_and(|t| !t.trim().is_empty());
        if self.template == CUSTOM && !has_text {
            errors.push(FieldError::new(
                "custom_text",
                "template `custom` needs the agreement's own text; give it with --text-file FILE",
            ));
        }
        let controls = self
            .custom_text
            .as_deref()
            .and_then(|t| super::field::check_text("custom_text", t));
        let clean = controls.is_none();
        errors.extend(controls);
        if let (true, Some(text)) = (
            self.template == CUSTOM && has_text && clean,
            &self.custom_text,
        ) && let Err(e) = check_template(text, self.language)
        {
            errors.push(FieldError::new(
                "custom_text",
                format!("the template does not work: {e}"),
            ));
        }
        if self.template != CUSTOM && self.custom_text.is_some() {
            errors.push(FieldError::new(
                "custom_text",
                format!("custom_text is only used with template `custom`, not `{}`; clear it with --unset custom_text", self.template),
            ));
        }
        if self.term.trim().is_empty() {
            errors.push(FieldError::new(
                "term",
                "the term of processing is required, e.g. «до отзыва согласия»",
            ));
        }
        if let Some(e) = &self.withdrawal_email {
            errors.extend(super::field::check_email("withdrawal_email", e).err());
        }
        if let Some(url) = &self.url {
            errors.extend(check_url("url", url));
        }
        for (i, tp) in self.third_parties.iter().enumerate() {
            let field = format!("third_parties[{i}]");
            for (k, v) in [("name", &tp.name), ("address", &tp.address)] {
                if v.trim().is_empty() {
                    errors.push(FieldError::new(
                        &format!("{field}.{k}"),
                        format!("the third party's {k} is required"),
                    ));
                }
            }
            let kind = if tp.inn.len() == 12 {
                Kind::Individual
            } else {
                Kind::Legal
            };
            if super::field::find_control(&tp.inn, &[]).is_some() {
                // Reported as an invisible character below, not as a wrong length.
            } else if let Err(e) = check_inn(kind, &tp.inn) {
                errors.push(FieldError::new(&format!("{field}.inn"), e.message));
            }
        }
        for (name, list) in [
            ("purposes", &self.purposes),
            ("fields", &self.fields),
            ("restrictions", &self.restrictions),
        ] {
            if list.iter().any(|p| p.trim().is_empty()) {
                errors.push(FieldError::new(
                    name,
                    format!("{name} must not contain empty entries"),
                ));
            }
        }
        let mut single = vec![("name", self.name.clone()), ("term", self.term.clone())];
        for (key, v) in [
            ("label", &self.label),
            ("url", &self.url),
            ("withdrawal_email", &self.withdrawal_email),
            ("automated_decisions", &self.automated_decisions),
        ] {
            single.extend(v.clone().map(|v| (key, v)));
        }
        for (key, list) in [
            ("purposes", &self.purposes),
            ("fields", &self.fields),
            ("restrictions", &self.restrictions),
        ] {
            single.extend(list.iter().map(|v| (key, v.clone())));
        }
        for t in &self.third_parties {
            single.extend([
                ("third_parties", t.name.clone()),
                ("third_parties", t.inn.clone()),
                ("third_parties", t.address.clone()),
            ]);
        }
        for (key, v) in single {
            errors.extend(super::field::check_single_line(key, &v));
        }
        if let Some(label) = &self.label
            && let Err(e) = check_label(label)
        {
            errors.push(FieldError::new("label", e));
        }
        Invalid::from_errors(super::field::ObjectKind::Agreement, code, errors)
    }

    /// The label, or the default that names the kind of consent: a person
    /// must see which consent each box gives.
    pub fn effective_label(&self) -> &str {
        self.label
            .as_deref()
            .unwrap_or(match (self.language, self.template.as_str()) {
                (_, "ru-152fz-marketing") => "Я даю %согласие на получение рекламы и рассылок%",
                (_, "en-marketing") => "I consent to %receive marketing communications%",
                (_, "ru-152fz-distribution") => {
                    "Я даю %согласие на распространение персональных данных%"
                }
                (Language::Ru, _) => "Я даю %согласие на обработку персональных данных%",
                (Language::En, _) => "I consent to the %processing of my personal data%",
            })
    }
}

/// The advertising consents (38-FZ art. 18; GDPR art. 21(2)): optional, their own fields.
pub fn is_marketing(template: &str) -> bool {
    matches!(template, "ru-152fz-marketing" | "en-marketing")
}

/// A checkbox label split around its link.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Label {
    pub before: String,
    pub link: String,
    pub after: String,
    /// How many single `%` marks the label has (`%%` is a literal `%`, not a mark).
    pub marks: usize,
}

/// Splits a label: the part between a pair of `%` is the link to the text,
/// `%%` is a literal percent sign. Without exactly one pair the whole label is the link.
pub fn parse_label(label: &str) -> Label {
    let mut parts = vec![String::new()];
    let mut marks = 0;
    let mut chars = label.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '%' && chars.peek() != Some(&'%') {
            marks += 1;
            parts.push(String::new());
            continue;
        }
        if c == '%' {
            chars.next();
        }
        if let Some(part) = parts.last_mut() {
            part.push(c);
        }
    }
    match <[String; 3]>::try_from(parts) {
        Ok([before, link, after]) => Label {
            before,
            link,
            after,
            marks,
        },
        Err(parts) => Label {
            before: String::new(),
            link: parts.concat(),
            after: String::new(),
            marks,
        },
    }
}

/// The form of a label: no link, or exactly one non-empty `%…%` link.
pub fn check_label(label: &str) -> Result<(), String> {
    let parsed = parse_label(label);
    match parsed.marks {
        0 => Ok(()),
        2 if parsed.link.trim().is_empty() => Err(format!(
            "the link `%…%` of label `{label}` is empty, so no words would open the text; put the words between the `%`, e.g. `Я даю %согласие на обработку персональных данных%` (a literal percent sign is `%%`)"
        )),
        2 => Ok(()),
        marks => Err(format!(
            "label `{label}` has {marks} `%`; mark the link with exactly one pair, e.g. `Я даю %согласие на обработку персональных данных%` (a literal percent sign is `%%`)"
        )),
    }
}

#[cfg(test)]
mod tests;
