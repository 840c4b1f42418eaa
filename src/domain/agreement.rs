//! Agreements (соглашения): their settings, the 152-FZ vocabulary of actions,
//! and the changes that turn one revision into the next.

use serde::{Deserialize, Serialize};

use super::field::{FieldError, Invalid, add_unique, check_url, parse_bool, remove_item};
use super::ids::{Kind, check_inn};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Language {
    Ru,
    En,
}

impl Language {
    pub fn parse(v: &str) -> Result<Language, String> {
        match v.trim().to_lowercase().as_str() {
            "ru" | "rus" | "russian" => Ok(Language::Ru),
            "en" | "eng" | "english" => Ok(Language::En),
            other => Err(format!("unknown language `{other}`; use `ru` or `en`")),
        }
    }
    pub fn as_str(self) -> &'static str {
        match self {
            Language::Ru => "ru",
            Language::En => "en",
        }
    }
    pub fn default_term(self) -> &'static str {
        match self {
            Language::Ru => "до отзыва согласия",
            Language::En => "until consent is withdrawn",
        }
    }
    pub fn default_template(self) -> &'static str {
        match self {
            Language::Ru => "ru-152fz-consent",
            Language::En => "en-consent",
        }
    }
}

/// Built-in template ids plus `custom` (the agreement's own text).
pub const TEMPLATES: &[(&str, &str)] = &[
    (
        "ru-152fz-consent",
        "Согласие на обработку персональных данных (152-ФЗ, ст. 9)",
    ),
    (
        "ru-152fz-marketing",
        "Согласие на получение рекламы и рассылок",
    ),
    (
        "ru-152fz-distribution",
        "Согласие на распространение персональных данных (152-ФЗ, ст. 10.1)",
    ),
    (
        "en-consent",
        "Consent to the processing of personal data (GDPR art. 7, 13)",
    ),
    (
        CUSTOM,
        "The agreement's own text (custom_text) with the same variables",
    ),
];

pub const CUSTOM: &str = "custom";

/// The language a built-in template is written in (`custom` has none).
pub fn template_language(id: &str) -> Option<Language> {
    match id {
        "en-consent" => Some(Language::En),
        CUSTOM => None,
        _ if id.starts_with("ru-") => Some(Language::Ru),
        _ => None,
    }
}

pub fn parse_template(v: &str) -> Result<String, String> {
    let v = v.trim();
    if TEMPLATES.iter().any(|(id, _)| *id == v) {
        Ok(v.to_string())
    } else {
        let ids: Vec<&str> = TEMPLATES.iter().map(|(id, _)| *id).collect();
        Err(format!(
            "unknown template `{v}`; use one of: {}",
            ids.join(", ")
        ))
    }
}

/// Actions on personal data, the vocabulary of 152-FZ art. 3 §3.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    Collection,
    Recording,
    Systematization,
    Accumulation,
    Storage,
    Clarification,
    Retrieval,
    Use,
    Transfer,
    Depersonalization,
    Blocking,
    Deletion,
    Destruction,
}

impl Action {
    pub const ALL: [Action; 13] = [
        Action::Collection,
        Action::Recording,
        Action::Systematization,
        Action::Accumulation,
        Action::Storage,
        Action::Clarification,
        Action::Retrieval,
        Action::Use,
        Action::Transfer,
        Action::Depersonalization,
        Action::Blocking,
        Action::Deletion,
        Action::Destruction,
    ];

    pub fn slug(self) -> &'static str {
        self.names().0
    }

    /// (English slug, the wording of 152-FZ art. 3, English wording).
    pub fn names(self) -> (&'static str, &'static str, &'static str) {
        match self {
            Action::Collection => ("collection", "сбор", "collection"),
            Action::Recording => ("recording", "запись", "recording"),
            Action::Systematization => ("systematization", "систематизация", "systematisation"),
            Action::Accumulation => ("accumulation", "накопление", "accumulation"),
            Action::Storage => ("storage", "хранение", "storage"),
            Action::Clarification => (
                "clarification",
                "уточнение (обновление, изменение)",
                "clarification (updating, modification)",
            ),
            Action::Retrieval => ("retrieval", "извлечение", "retrieval"),
            Action::Use => ("use", "использование", "use"),
            Action::Transfer => (
                "transfer",
                "передача (распространение, предоставление, доступ)",
                "transfer (dissemination, provision, access)",
            ),
            Action::Depersonalization => {
                ("depersonalization", "обезличивание", "depersonalisation")
            }
            Action::Blocking => ("blocking", "блокирование", "blocking"),
            Action::Deletion => ("deletion", "удаление", "erasure"),
            Action::Destruction => ("destruction", "уничтожение", "destruction"),
        }
    }

    pub fn label(self, lang: Language) -> &'static str {
        let (_, ru, en) = self.names();
        match lang {
            Language::Ru => ru,
            Language::En => en,
        }
    }

    /// The wording in a consent text. Distribution (making data public) needs its
    /// own consent under art. 10.1, so only that template says «распространение».
    pub fn text_label(self, lang: Language, distribution: bool) -> &'static str {
        match (self, lang, distribution) {
            (Action::Transfer, Language::Ru, false) => "передача (предоставление, доступ)",
            (Action::Transfer, Language::En, false) => "transfer (provision, access)",
            _ => self.label(lang),
        }
    }

    /// Accepts the English slug, common English synonyms, or the Russian word.
    pub fn parse(v: &str) -> Result<Action, String> {
        let key = v.trim().to_lowercase();
        let head = key.split(['(', ' ']).next().unwrap_or("");
        for a in Action::ALL {
            let (slug, ru, en) = a.names();
            let ru_head = ru.split(' ').next().unwrap_or(ru);
            if key == slug || key == ru || key == en || head == ru_head {
                return Ok(a);
            }
        }
        let alias = match key.as_str() {
            "collect" => Some(Action::Collection),
            "record" => Some(Action::Recording),
            "systematisation" | "organisation" | "organization" => Some(Action::Systematization),
            "store" => Some(Action::Storage),
            "update" | "modification" | "rectification" => Some(Action::Clarification),
            "extraction" => Some(Action::Retrieval),
            "usage" => Some(Action::Use),
            "transmission" | "disclosure" | "provision" | "access" | "dissemination"
            | "distribution" => Some(Action::Transfer),
            "anonymization" | "anonymisation" | "depersonalisation" => {
                Some(Action::Depersonalization)
            }
            "block" | "restriction" => Some(Action::Blocking),
            "erasure" | "delete" => Some(Action::Deletion),
            "destroy" => Some(Action::Destruction),
            _ => None,
        };
        alias.ok_or_else(|| {
            let slugs: Vec<&str> = Action::ALL.iter().map(|a| a.slug()).collect();
            format!(
                "unknown action `{}`; use one of: {} (or the Russian words of 152-FZ art. 3)",
                v.trim(),
                slugs.join(", ")
            )
        })
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Method {
    Automated,
    NonAutomated,
    Mixed,
}

impl Method {
    pub const ALL: [Method; 3] = [Method::Mixed, Method::Automated, Method::NonAutomated];
    pub fn parse(v: &str) -> Result<Method, String> {
        match v.trim().to_lowercase().replace('-', "_").as_str() {
            "automated" | "автоматизированная" => Ok(Method::Automated),
            "non_automated" | "manual" | "неавтоматизированная" => {
                Ok(Method::NonAutomated)
            }
            "mixed" | "смешанная" => Ok(Method::Mixed),
            other => Err(format!(
                "unknown processing method `{other}`; use automated, non-automated or mixed"
            )),
        }
    }
    pub fn as_str(self) -> &'static str {
        match self {
            Method::Automated => "automated",
            Method::NonAutomated => "non_automated",
            Method::Mixed => "mixed",
        }
    }
    pub fn label(self, lang: Language) -> &'static str {
        match (self, lang) {
            (Method::Automated, Language::Ru) => "с использованием средств автоматизации",
            (Method::NonAutomated, Language::Ru) => "без использования средств автоматизации",
            (Method::Mixed, Language::Ru) => {
                "с использованием средств автоматизации и без использования таких средств (смешанная обработка)"
            }
            (Method::Automated, Language::En) => "automated processing",
            (Method::NonAutomated, Language::En) => "non-automated (manual) processing",
            (Method::Mixed, Language::En) => "automated and non-automated (mixed) processing",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Processes on the operator's behalf (обработка по поручению, art. 6 §3).
    Processor,
    /// Receives the data from the operator.
    Recipient,
}

impl Role {
    pub fn parse(v: &str) -> Result<Role, String> {
        match v.trim().to_lowercase().as_str() {
            "processor" | "поручение" => Ok(Role::Processor),
            "recipient" | "получатель" => Ok(Role::Recipient),
            other => Err(format!(
                "unknown third-party role `{other}`; use processor or recipient"
            )),
        }
    }
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Processor => "processor",
            Role::Recipient => "recipient",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ThirdParty {
    pub name: String,
    pub inn: String,
    pub address: String,
    pub role: Role,
}

impl ThirdParty {
    /// Parses `name=…,inn=…,address=…,role=…`. A comma inside a value is written `\,`.
    pub fn parse(spec: &str) -> Result<ThirdParty, String> {
        let mut name = None;
        let mut inn = None;
        let mut address = None;
        let mut role = None;
        for part in split_escaped(spec, ',') {
            let (k, v) = part
                .split_once('=')
                .ok_or_else(|| format!("`{part}` is not key=value; write name=…,inn=…,address=…,role=processor|recipient"))?;
            let v = v.trim().to_string();
            match k.trim() {
                "name" => name = Some(v),
                "inn" => inn = Some(v),
                "address" => address = Some(v),
                "role" => role = Some(Role::parse(&v)?),
                other => {
                    return Err(format!(
                        "unknown third-party key `{other}`; use name, inn, address, role"
                    ));
                }
            }
        }
        // The role decides which paragraph names the party: never guess it.
        let missing: Vec<&str> = [
            ("name", name.is_none()),
            ("inn", inn.is_none()),
            ("address", address.is_none()),
            ("role", role.is_none()),
        ]
        .iter()
        .filter(|(_, m)| *m)
        .map(|(k, _)| *k)
        .collect();
        if !missing.is_empty() {
            return Err(format!(
                "third party `{spec}` lacks {}; the consent text names each third party with its INN and address, as a processor or a recipient",
                missing.join(", ")
            ));
        }
        Ok(ThirdParty {
            name: name.unwrap_or_default(),
            inn: inn.unwrap_or_default(),
            address: address.unwrap_or_default(),
            role: role.unwrap_or(Role::Processor),
        })
    }

    pub fn summary(&self) -> String {
        format!(
            "{} (ИНН {}, {}) — {}",
            self.name,
            self.inn,
            self.address,
            self.role.as_str()
        )
    }
}

fn split_escaped(s: &str, sep: char) -> Vec<String> {
    let mut parts = vec![String::new()];
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\\' && chars.peek() == Some(&sep) {
            if let Some(p) = parts.last_mut() {
                p.push(sep)
            }
            chars.next();
        } else if c == sep {
            parts.push(String::new());
        } else {
            if let Some(p) = parts.last_mut() {
                p.push(c)
            }
        }
    }
    parts.into_iter().filter(|p| !p.trim().is_empty()).collect()
}

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
            if let Err(e) = check_inn(kind, &tp.inn) {
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
        if let Some(label) = &self.label {
            let marks = label.matches('%').count();
            if marks != 0 && marks != 2 {
                errors.push(FieldError::new(
                    "label",
                    format!("label `{label}` has {marks} `%`; mark the link with exactly one pair, e.g. `Я даю %согласие на обработку персональных данных%`"),
                ));
            }
        }
        Invalid::from_errors(super::field::ObjectKind::Agreement, code, errors)
    }

    /// The label with its default per language.
    pub fn effective_label(&self) -> &str {
        self.label.as_deref().unwrap_or(match self.language {
            Language::Ru => "Я даю %согласие на обработку персональных данных%",
            Language::En => "I consent to the %processing of my personal data%",
        })
    }

    /// Applies changes in order; the result is validated by the caller with [`Settings::validate`].
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
                    "unknown setting `{key}`; --set takes one of: {}; lists have their own flags (--add-purpose, --add-action, --add-field, --third-party …)",
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
            "purposes" => self.purposes.clear(),
            "fields" => self.fields.clear(),
            "actions" => self.actions.clear(),
            "third_parties" => self.third_parties.clear(),
            "restrictions" => self.restrictions.clear(),
            _ => {
                return Err(FieldError::new(
                    key,
                    format!(
                        "`{key}` cannot be unset; optional settings are custom_text, label, url, withdrawal_email, purposes, fields, actions, third_parties, restrictions"
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
        use super::field::nfc;
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

#[cfg(test)]
mod tests {
    use super::*;

    fn base() -> Settings {
        let mut s = Settings::new("Согласие", Language::Ru, "main");
        s.purposes.push("обработка заявок".into());
        s
    }

    #[test]
    fn actions_parse_from_every_vocabulary() {
        assert_eq!(Action::parse("storage"), Ok(Action::Storage));
        assert_eq!(Action::parse("хранение"), Ok(Action::Storage));
        assert_eq!(Action::parse("Уточнение"), Ok(Action::Clarification));
        assert_eq!(
            Action::parse("уточнение (обновление, изменение)"),
            Ok(Action::Clarification)
        );
        assert_eq!(
            Action::parse("anonymization"),
            Ok(Action::Depersonalization)
        );
        assert_eq!(Action::parse("передача"), Ok(Action::Transfer));
        let err = Action::parse("mailing").unwrap_err();
        assert!(
            err.starts_with("unknown action `mailing`; use one of: collection, recording"),
            "{err}"
        );
        for a in Action::ALL {
            assert_eq!(Action::parse(a.slug()), Ok(a));
            assert_eq!(Action::parse(a.label(Language::Ru)), Ok(a));
        }
    }

    #[test]
    fn third_party_spec() {
        let tp = ThirdParty::parse(
            "name=ООО «Доставка\\, и Ко»,inn=7717586110,address=Москва,role=processor",
        )
        .unwrap();
        assert_eq!(tp.name, "ООО «Доставка, и Ко»");
        assert_eq!(tp.role, Role::Processor);
        let err = ThirdParty::parse("name=X").unwrap_err();
        assert!(err.contains("lacks inn, address"), "{err}");
        assert!(ThirdParty::parse("name=X,inn=1,address=y,colour=red").is_err());
    }

    #[test]
    fn changes_apply_and_validate() {
        let mut s = base();
        s.apply(&[
            Change::Set("required".into(), "no".into()),
            Change::AddPurpose("рассылка".into()),
            Change::RemovePurpose("1".into()),
            Change::RemoveAction(Action::Blocking),
        ])
        .unwrap();
        assert!(!s.required);
        assert_eq!(s.purposes, ["рассылка"]);
        assert!(!s.actions.contains(&Action::Blocking));
        assert!(
            s.apply(&[Change::RemovePurpose("нет такой".into())])
                .is_err()
        );
        assert!(
            s.apply(&[Change::Set("colour".into(), "x".into())])
                .is_err()
        );
        assert_eq!(crate::domain::render::validate("site", &s), Ok(()));
    }

    #[test]
    fn custom_template_needs_text() {
        let mut s = base();
        s.apply(&[Change::Set("template".into(), "custom".into())])
            .unwrap();
        let err = crate::domain::render::validate("site", &s).unwrap_err();
        assert_eq!(err.errors[0].field, "custom_text");
    }

    #[test]
    fn custom_text_refuses_control_characters_but_line_breaks_and_tabs() {
        let mut s = base();
        s.apply(&[
            Change::Set("template".into(), "custom".into()),
            Change::Set(
                "custom_text".into(),
                "Оператор:\t{{ operator.short_name }}.\r\n\nКонец.\n".into(),
            ),
        ])
        .unwrap();
        assert_eq!(crate::domain::render::validate("site", &s), Ok(()));
        for c in ['\u{1b}', '\u{7}', '\0', '\u{8}'] {
            s.custom_text = Some(format!(
                "Оператор: {{{{ operator.short_name }}}}.\n{c}]0;x\n"
            ));
            let err = crate::domain::render::validate("site", &s).unwrap_err();
            assert_eq!(err.errors.len(), 1, "{err}");
            assert_eq!(err.errors[0].field, "custom_text");
            assert!(
                err.errors[0].message.starts_with("line 2, column 1:"),
                "{err}"
            );
        }
    }

    #[test]
    fn third_party_inn_is_checked() {
        let mut s = base();
        s.third_parties.push(ThirdParty {
            name: "X".into(),
            inn: "7717586111".into(),
            address: "Москва".into(),
            role: Role::Recipient,
        });
        let err = crate::domain::render::validate("site", &s).unwrap_err();
        assert_eq!(err.errors[0].field, "third_parties[0].inn");
    }

    #[test]
    fn settings_json_round_trip() {
        let s = base();
        let json = serde_json::to_string(&s).unwrap();
        assert_eq!(serde_json::from_str::<Settings>(&json).unwrap(), s);
    }
}
