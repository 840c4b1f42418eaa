//! Sources: where consents are collected — web forms and chat channels.

use serde::{Deserialize, Serialize};

use super::field::{FieldError, Invalid, add_unique, check_url, nfc, parse_bool, remove_item};

/// A web form or an open line (a chat channel).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SourceKind {
    /// A web form (CRM-форма).
    Form,
    /// A chat channel (Открытая линия).
    Openline,
}

impl SourceKind {
    /// `form` or `openline` (or `chat`).
    pub fn parse(v: &str) -> Result<SourceKind, String> {
        match v.trim().to_lowercase().as_str() {
            "form" | "web-form" => Ok(SourceKind::Form),
            "openline" | "open-line" | "chat" => Ok(SourceKind::Openline),
            other => Err(format!(
                "unknown source kind `{other}`; use form or openline"
            )),
        }
    }
    /// The identifier in flags, files and JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            SourceKind::Form => "form",
            SourceKind::Openline => "openline",
        }
    }
    /// A chat lists name, e-mail, phone and photo as personal data (as Bitrix24 Open Lines do).
    pub fn default_fields(self) -> Vec<String> {
        match self {
            SourceKind::Form => Vec::new(),
            SourceKind::Openline => [
                "имя",
                "адрес электронной почты",
                "номер телефона",
                "фотография",
            ]
            .iter()
            .map(|s| s.to_string())
            .collect(),
        }
    }
}

/// What the form does with an agreement's checkbox.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Behaviour {
    pub required: bool,
    pub checked_by_default: bool,
    pub require_reading: bool,
}

impl Behaviour {
    /// The agreement's own behaviour, as a source's link (if any) overrides it.
    pub fn effective(settings: &super::agreement::Settings, link: Option<&Link>) -> Behaviour {
        Behaviour {
            required: link.and_then(|l| l.required).unwrap_or(settings.required),
            checked_by_default: link
                .and_then(|l| l.checked_by_default)
                .unwrap_or(settings.checked_by_default),
            require_reading: link
                .and_then(|l| l.require_reading)
                .unwrap_or(settings.require_reading),
        }
    }
}

/// An agreement on a source, with optional overrides of its behaviour.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Link {
    pub agreement: String,
    #[serde(default)]
    pub required: Option<bool>,
    #[serde(default)]
    pub checked_by_default: Option<bool>,
    #[serde(default)]
    pub require_reading: Option<bool>,
}

impl Link {
    /// Parses `AGREEMENT[,required=BOOL][,checked_by_default=BOOL][,require_reading=BOOL]`.
    pub fn parse(spec: &str) -> Result<Link, String> {
        let mut parts = spec.split(',').map(str::trim);
        let agreement = parts.next().unwrap_or("").to_string();
        super::field::validate_code(&agreement)?;
        let mut link = Link {
            agreement,
            required: None,
            checked_by_default: None,
            require_reading: None,
        };
        for part in parts.filter(|p| !p.is_empty()) {
            let (k, v) = part.split_once('=').ok_or_else(|| {
                format!(
                    "`{part}` is not key=value; write e.g. `{},required=false`",
                    link.agreement
                )
            })?;
            // The key first: `colour=red` is an unknown key, not a bad value.
            let slot = match k.trim() {
                "required" => &mut link.required,
                "checked_by_default" | "checked" => &mut link.checked_by_default,
                "require_reading" | "reading" => &mut link.require_reading,
                other => {
                    return Err(format!(
                        "unknown behaviour `{other}`; use required, checked_by_default or require_reading"
                    ));
                }
            };
            *slot = Some(parse_bool(v)?);
        }
        Ok(link)
    }
}

/// A place where consents are collected: its fields and the agreements it carries.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Source {
    pub code: String,
    pub kind: SourceKind,
    pub name: String,
    #[serde(default)]
    pub url: Option<String>,
    #[serde(default)]
    pub fields: Vec<String>,
    /// Chat channels: send the personal-data warning with the agreement before the chat starts.
    #[serde(default)]
    pub warning: bool,
    #[serde(default)]
    pub agreements: Vec<Link>,
    /// English captions of the fields, by the field's caption: what an English
    /// text lists instead (GDPR art. 12(1)). Fields without one keep their caption.
    #[serde(default, skip_serializing_if = "std::collections::BTreeMap::is_empty")]
    pub captions_en: std::collections::BTreeMap<String, String>,
}

/// The settings `--set` takes.
pub const SET_KEYS: &[&str] = &["name", "kind", "url", "warning"];

impl Source {
    /// A new source; a chat gets its default fields and the warning.
    pub fn new(code: &str, kind: SourceKind, name: &str) -> Source {
        Source {
            code: code.to_string(),
            kind,
            name: name.to_string(),
            url: None,
            fields: kind.default_fields(),
            warning: kind == SourceKind::Openline,
            agreements: Vec::new(),
            captions_en: std::collections::BTreeMap::new(),
        }
    }

    /// Sets one setting from `key=value`.
    pub fn set(&mut self, key: &str, value: &str) -> Result<(), FieldError> {
        let normalized = super::field::nfc(value);
        let v = normalized.trim();
        let err = |m: String| FieldError::new(key, m);
        match key {
            "name" => self.name = v.to_string(),
            "kind" => self.kind = SourceKind::parse(v).map_err(err)?,
            "url" => self.url = (!v.is_empty()).then(|| v.to_string()),
            "warning" => self.warning = parse_bool(v).map_err(err)?,
            _ => {
                return Err(err(format!(
                    "unknown setting `{key}`{}; --set takes one of: {}; fields and agreements have their own flags",
                    super::suggest::did_you_mean(key, SET_KEYS.iter().copied()),
                    SET_KEYS.join(", ")
                )));
            }
        }
        Ok(())
    }

    /// Puts every text into Unicode NFC (fields typed on different systems compare equal).
    pub fn normalize(&mut self) {
        self.name = super::field::nfc(&self.name);
        for f in self.fields.iter_mut() {
            *f = super::field::nfc(f.trim());
        }
        self.captions_en = std::mem::take(&mut self.captions_en)
            .into_iter()
            .map(|(k, v)| (super::field::nfc(k.trim()), super::field::nfc(v.trim())))
            .collect();
        // A caption belongs to a field: it goes with it.
        let fields = &self.fields;
        self.captions_en.retain(|k, _| fields.contains(k));
    }

    /// Gives a field its English caption (`FIELD=CAPTION`); an empty caption removes it.
    pub fn set_caption_en(&mut self, spec: &str) -> Result<(), FieldError> {
        let Some((field, caption)) = spec.split_once('=') else {
            return Err(FieldError::new(
                "captions_en",
                format!("`{spec}` is not FIELD=CAPTION, e.g. \"имя=name\""),
            ));
        };
        let field = nfc(field.trim());
        if !self.fields.contains(&field) {
            return Err(FieldError::new(
                "captions_en",
                format!("source `{}` has no field `{field}`", self.code),
            ));
        }
        let caption = nfc(caption.trim());
        if caption.is_empty() {
            self.captions_en.remove(&field);
        } else {
            self.captions_en.insert(field, caption);
        }
        Ok(())
    }

    /// The caption of a field in an English text.
    pub fn caption_en<'a>(&'a self, field: &'a str) -> &'a str {
        self.captions_en.get(field).map_or(field, String::as_str)
    }

    /// Adds a form field by its caption.
    pub fn add_field(&mut self, caption: &str) {
        add_unique(&mut self.fields, &nfc(caption));
    }

    /// Removes a field by its caption or its number in `show`.
    pub fn remove_field(&mut self, caption: &str) -> Result<(), FieldError> {
        let count = self.fields.len();
        remove_item(&mut self.fields, &nfc(caption), "field", "fields").map_err(|_| {
            FieldError::new(
                "fields",
                format!(
                    "no field `{}` in source `{}`; give the exact caption or its number (it has {count})",
                    caption.trim(),
                    self.code
                ),
            )
        })
    }

    /// Links an agreement, or replaces the overrides of an existing link.
    pub fn link(&mut self, link: Link) {
        match self
            .agreements
            .iter_mut()
            .find(|l| l.agreement == link.agreement)
        {
            Some(existing) => *existing = link,
            None => self.agreements.push(link),
        }
    }

    /// Removes the link to an agreement.
    pub fn unlink(&mut self, agreement: &str) -> Result<(), FieldError> {
        let before = self.agreements.len();
        self.agreements.retain(|l| l.agreement != agreement);
        if before == self.agreements.len() {
            return Err(FieldError::new(
                "agreements",
                format!(
                    "agreement `{agreement}` is not linked to source `{}`",
                    self.code
                ),
            ));
        }
        Ok(())
    }

    /// Every problem of this source.
    pub fn validate(&self) -> Result<(), Invalid> {
        let mut errors = Vec::new();
        if let Err(e) = super::field::validate_code(&self.code) {
            errors.push(FieldError::new("code", e));
        }
        if self.name.trim().is_empty() {
            errors.push(FieldError::new(
                "name",
                "the name is required; give it with --name \"…\"",
            ));
        }
        if let Some(url) = &self.url {
            errors.extend(super::field::check_single_line("url", url));
            errors.extend(check_url("url", url));
        }
        if self.fields.iter().any(|f| f.trim().is_empty()) {
            errors.push(FieldError::new(
                "fields",
                "fields must not contain empty entries",
            ));
        }
        if self.warning && self.kind == SourceKind::Form {
            errors.push(FieldError::new(
                "warning",
                "the chat warning applies to openline sources only; set warning=false",
            ));
        }
        let mut seen = Vec::new();
        for l in &self.agreements {
            if seen.contains(&&l.agreement) {
                errors.push(FieldError::new(
                    "agreements",
                    format!("agreement `{}` is linked twice", l.agreement),
                ));
            }
            seen.push(&l.agreement);
        }
        errors.extend(super::field::check_single_line("name", &self.name));
        for f in &self.fields {
            errors.extend(super::field::check_single_line("fields", f));
        }
        for (f, c) in &self.captions_en {
            errors.extend(super::field::check_single_line("captions_en", c));
            if !self.fields.contains(f) {
                errors.push(FieldError::new(
                    "captions_en",
                    format!("`{f}` has an English caption but is not a field of the source"),
                ));
            }
        }
        Invalid::from_errors(super::field::ObjectKind::Source, &self.code, errors)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn link_specs() {
        let l = Link::parse("marketing,required=false,checked=no").unwrap();
        assert_eq!(l.agreement, "marketing");
        assert_eq!(l.required, Some(false));
        assert_eq!(l.checked_by_default, Some(false));
        assert_eq!(l.require_reading, None);
        assert!(
            Link::parse("x,colour=red")
                .unwrap_err()
                .contains("unknown behaviour `colour`")
        );
        assert!(Link::parse("Bad Code").is_err());
    }

    #[test]
    fn openline_defaults() {
        let s = Source::new("chat", SourceKind::Openline, "Чат на сайте");
        assert_eq!(s.fields.len(), 4);
        assert!(s.warning);
        assert_eq!(s.validate(), Ok(()));
    }

    #[test]
    fn relinking_replaces_overrides() {
        let mut s = Source::new("f", SourceKind::Form, "Форма");
        s.link(Link::parse("a").unwrap());
        s.link(Link::parse("a,required=false").unwrap());
        assert_eq!(s.agreements.len(), 1);
        assert_eq!(s.agreements[0].required, Some(false));
        assert!(s.unlink("b").is_err());
    }
}
