//! The words of an agreement: its language, the built-in templates, the
//! 152-FZ actions and methods of processing, the roles of third parties.

use serde::{Deserialize, Serialize};

/// The language of an agreement's text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Language {
    Ru,
    En,
}

impl Language {
    /// `ru` or `en` (any case).
    pub fn parse(v: &str) -> Result<Language, String> {
        match v.trim().to_lowercase().as_str() {
            "ru" | "rus" | "russian" => Ok(Language::Ru),
            "en" | "eng" | "english" => Ok(Language::En),
            other => Err(format!("unknown language `{other}`; use `ru` or `en`")),
        }
    }
    /// The code as stored and printed.
    pub fn as_str(self) -> &'static str {
        match self {
            Language::Ru => "ru",
            Language::En => "en",
        }
    }
    /// The term of processing a new agreement starts with.
    pub fn default_term(self) -> &'static str {
        match self {
            Language::Ru => "до отзыва согласия",
            Language::En => "until consent is withdrawn",
        }
    }
    /// The built-in template a new agreement in this language uses.
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
        "en-marketing",
        "Consent to receive marketing communications (GDPR art. 6(1)(a), 7, 21(2))",
    ),
    (
        CUSTOM,
        "The agreement's own text (custom_text) with the same variables",
    ),
];

/// The template id of an agreement's own text (`custom_text`).
pub const CUSTOM: &str = "custom";

/// The language a built-in template is written in (`custom` has none).
pub fn template_language(id: &str) -> Option<Language> {
    match id {
        "en-consent" | "en-marketing" => Some(Language::En),
        CUSTOM => None,
        _ if id.starts_with("ru-") => Some(Language::Ru),
        _ => None,
    }
}

/// A template id: a built-in one or `custom`.
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
    /// Every action, in the order of art. 3 §3 of 152-FZ.
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

    /// The identifier in flags, files and JSON.
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

    /// The name in a consent text in `lang`.
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

/// How the data is processed: with or without automation, or both.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Method {
    Automated,
    /// Printed as typed, `non-automated`; `non_automated`, as revisions stored
    /// earlier hold it, still reads.
    #[serde(rename = "non-automated", alias = "non_automated")]
    NonAutomated,
    Mixed,
}

impl Method {
    /// Every method.
    pub const ALL: [Method; 3] = [Method::Mixed, Method::Automated, Method::NonAutomated];
    /// A method from its identifier or Russian name.
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
    /// The identifier in flags, files and JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            Method::Automated => "automated",
            Method::NonAutomated => "non-automated",
            Method::Mixed => "mixed",
        }
    }
    /// The words in a consent text in `lang`.
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

/// What a third party does with the data: processes it for the operator, or receives it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Processes on the operator's behalf (обработка по поручению, art. 6 §3).
    Processor,
    /// Receives the data from the operator.
    Recipient,
}

impl Role {
    /// `processor` or `recipient` (or their Russian names).
    pub fn parse(v: &str) -> Result<Role, String> {
        match v.trim().to_lowercase().as_str() {
            "processor" | "поручение" => Ok(Role::Processor),
            "recipient" | "получатель" => Ok(Role::Recipient),
            other => Err(format!(
                "unknown third-party role `{other}`; use processor or recipient"
            )),
        }
    }
    /// The identifier in flags, files and JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Processor => "processor",
            Role::Recipient => "recipient",
        }
    }
}

/// A processor or recipient named in the consent text (art. 9 §4 item 3).
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

    /// One line for tables and diffs: name, INN, role.
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
