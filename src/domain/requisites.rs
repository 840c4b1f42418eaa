//! The operator's legal details (реквизиты) and their validation.

use serde::{Deserialize, Serialize};

use super::field::{FieldError, Invalid, parse_bool};
use super::ids;
pub use super::ids::{Kind, check_inn};

/// One set of requisites. Optional values are `None`, never empty strings.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Requisites {
    pub code: String,
    pub kind: Kind,
    pub short_name: String,
    pub full_name: Option<String>,
    pub inn: Option<String>,
    pub kpp: Option<String>,
    pub ogrn: Option<String>,
    pub ogrnip: Option<String>,
    pub legal_address: Option<String>,
    pub postal_address: Option<String>,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub website: Option<String>,
    /// The data protection officer's name and contact (GDPR art. 13(1)(b)); English texts name it.
    #[serde(default)]
    pub dpo: Option<String>,
    /// The representative in the EU (GDPR art. 27): name and address; English texts name it.
    #[serde(default)]
    pub eu_representative: Option<String>,
    #[serde(rename = "default")]
    pub is_default: bool,
}

/// Keys accepted by `--set key=value` and by the TOML file, in display order.
pub const KEYS: &[&str] = &[
    "kind",
    "short_name",
    "full_name",
    "inn",
    "kpp",
    "ogrn",
    "ogrnip",
    "legal_address",
    "postal_address",
    "email",
    "phone",
    "website",
    "dpo",
    "eu_representative",
    "default",
];

impl Requisites {
    /// An empty set with this code and kind.
    pub fn new(code: &str, kind: Kind) -> Requisites {
        Requisites {
            code: code.to_string(),
            kind,
            short_name: String::new(),
            full_name: None,
            inn: None,
            kpp: None,
            ogrn: None,
            ogrnip: None,
            legal_address: None,
            postal_address: None,
            email: None,
            phone: None,
            website: None,
            dpo: None,
            eu_representative: None,
            is_default: false,
        }
    }

    /// Sets one key; an empty value clears an optional key.
    pub fn set(&mut self, key: &str, value: &str) -> Result<(), FieldError> {
        let normalized = super::field::nfc(value);
        let v = normalized.trim();
        let opt = || (!v.is_empty()).then(|| v.to_string());
        match key {
            "kind" => self.kind = Kind::parse(v).map_err(|m| FieldError::new(key, m))?,
            "short_name" => self.short_name = v.to_string(),
            "full_name" => self.full_name = opt(),
            "inn" => self.inn = opt(),
            // ASCII only: `ß`.to_uppercase() is `SS`, which would turn an invalid
            // KPP into a valid-looking one.
            "kpp" => self.kpp = opt().map(|s| s.to_ascii_uppercase()),
            "ogrn" => self.ogrn = opt(),
            "ogrnip" => self.ogrnip = opt(),
            "legal_address" => self.legal_address = opt(),
            "postal_address" => self.postal_address = opt(),
            "email" => self.email = opt(),
            "phone" => self.phone = opt(),
            "website" => self.website = opt(),
            "dpo" => self.dpo = opt(),
            "eu_representative" => self.eu_representative = opt(),
            "default" => self.is_default = parse_bool(v).map_err(|m| FieldError::new(key, m))?,
            _ => {
                return Err(FieldError::new(
                    key,
                    format!(
                        "unknown setting `{key}`{}; known settings: {}",
                        super::suggest::did_you_mean(key, KEYS.iter().copied()),
                        KEYS.join(", ")
                    ),
                ));
            }
        }
        Ok(())
    }

    /// The value of a key as text, for tables, diffs and the wizard.
    pub fn get(&self, key: &str) -> Option<String> {
        match key {
            "code" => Some(self.code.clone()),
            "kind" => Some(self.kind.as_str().to_string()),
            "short_name" => Some(self.short_name.clone()).filter(|s| !s.is_empty()),
            "full_name" => self.full_name.clone(),
            "inn" => self.inn.clone(),
            "kpp" => self.kpp.clone(),
            "ogrn" => self.ogrn.clone(),
            "ogrnip" => self.ogrnip.clone(),
            "legal_address" => self.legal_address.clone(),
            "postal_address" => self.postal_address.clone(),
            "email" => self.email.clone(),
            "phone" => self.phone.clone(),
            "website" => self.website.clone(),
            "dpo" => self.dpo.clone(),
            "eu_representative" => self.eu_representative.clone(),
            "default" => Some(self.is_default.to_string()),
            _ => None,
        }
    }

    /// All problems at once, so a user fixes them in one go.
    pub fn validate(&self) -> Result<(), Invalid> {
        let mut errors = Vec::new();
        if let Err(e) = super::field::validate_code(&self.code) {
            errors.push(FieldError::new("code", e));
        }
        if self.short_name.trim().is_empty() {
            errors.push(FieldError::new(
                "short_name",
                "the short name is required: without it every consent text would show a blank company name",
            ));
        }
        // An identifier with an invisible character in it is reported as such
        // (below), not as a number of the wrong length.
        fn visible(v: &Option<String>) -> Option<&str> {
            v.as_deref()
                .filter(|v| super::field::find_control(v, &[]).is_none())
        }
        if let Some(inn) = visible(&self.inn) {
            errors.extend(check_inn(self.kind, inn).err());
        }
        match self.kind {
            Kind::Legal => {
                if let Some(kpp) = visible(&self.kpp)
                    && let Err(e) = ids::validate_kpp(kpp)
                {
                    errors.push(FieldError::new(
                        "kpp",
                        format!("KPP `{kpp}` is invalid: {e}"),
                    ));
                }
                if let Some(ogrn) = visible(&self.ogrn)
                    && let Err(e) = ids::validate_ogrn(ogrn)
                {
                    errors.push(FieldError::new(
                        "ogrn",
                        format!("OGRN `{ogrn}` is invalid: {e}"),
                    ));
                }
                if self.ogrnip.is_some() {
                    errors.push(FieldError::new(
                        "ogrnip",
                        "a legal entity has an OGRN (13 digits), not an OGRNIP; move the number to `ogrn` or set kind=individual",
                    ));
                }
            }
            Kind::Individual => {
                if self.kpp.is_some() {
                    errors.push(FieldError::new(
                        "kpp",
                        "an individual entrepreneur has no KPP; clear it (kpp=) or set kind=legal",
                    ));
                }
                if self.ogrn.is_some() {
                    errors.push(FieldError::new(
                        "ogrn",
                        "an individual entrepreneur has an OGRNIP (15 digits), not an OGRN; move the number to `ogrnip` or set kind=legal",
                    ));
                }
                if let Some(ogrnip) = visible(&self.ogrnip)
                    && let Err(e) = ids::validate_ogrnip(ogrnip)
                {
                    errors.push(FieldError::new(
                        "ogrnip",
                        format!("OGRNIP `{ogrnip}` is invalid: {e}"),
                    ));
                }
            }
        }
        if let Some(email) = &self.email {
            errors.extend(super::field::check_email("email", email).err());
        }
        if let Some(site) = &self.website {
            // A bare domain (romashka.ru) is accepted as https://romashka.ru would be.
            let full = if site.contains("://") {
                site.clone()
            } else {
                format!("https://{site}")
            };
            if super::field::check_url("website", &full).is_some() {
                errors.push(FieldError::new(
                    "website",
                    format!("website `{site}` is not a site address; use e.g. https://example.ru"),
                ));
            }
        }
        for key in KEYS {
            if let Some(v) = self.get(key) {
                errors.extend(super::field::check_single_line(key, &v));
            }
        }
        Invalid::from_errors(super::field::ObjectKind::Requisites, &self.code, errors)
    }

    /// The display name used in consent texts, e.g. `ООО «Ромашка» (ОГРН …, ИНН …)`.
    pub fn display_name(&self) -> String {
        let (prefix, state_label, state) = match self.kind {
            Kind::Legal => ("", "ОГРН", &self.ogrn),
            Kind::Individual => ("ИП ", "ОГРНИП", &self.ogrnip),
        };
        let mut ids = Vec::new();
        if let Some(s) = state {
            ids.push(format!("{state_label} {s}"));
        }
        if let Some(inn) = &self.inn {
            ids.push(format!("ИНН {inn}"));
        }
        let base = format!("{prefix}{}", self.short_name);
        if ids.is_empty() {
            base
        } else {
            format!("{base} ({})", ids.join(", "))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn legal() -> Requisites {
        let mut r = Requisites::new("main", Kind::Legal);
        for (k, v) in [
            ("short_name", "ООО «Ромашка»"),
            ("inn", "7840502513"),
            ("kpp", "770501001"),
            ("ogrn", "1147847057214"),
            ("email", "privacy@romashka.ru"),
        ] {
            r.set(k, v).unwrap();
        }
        r
    }

    #[test]
    fn complete_legal_entity_is_valid() {
        assert_eq!(legal().validate(), Ok(()));
        assert_eq!(
            legal().display_name(),
            "ООО «Ромашка» (ОГРН 1147847057214, ИНН 7840502513)"
        );
    }

    #[test]
    fn individual_display_name() {
        let mut r = Requisites::new("ip", Kind::Individual);
        r.set("short_name", "Иванов Иван Иванович").unwrap();
        r.set("inn", "775260181506").unwrap();
        r.set("ogrnip", "339099603082469").unwrap();
        assert_eq!(r.validate(), Ok(()));
        assert_eq!(
            r.display_name(),
            "ИП Иванов Иван Иванович (ОГРНИП 339099603082469, ИНН 775260181506)"
        );
    }

    #[test]
    fn every_problem_is_reported_with_its_field() {
        let mut r = legal();
        r.set("short_name", "").unwrap();
        r.set("inn", "775260181506").unwrap();
        r.set("email", "not-an-email").unwrap();
        r.set("ogrnip", "339099603082469").unwrap();
        let err = r.validate().unwrap_err();
        let fields: Vec<&str> = err.errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["short_name", "inn", "ogrnip", "email"]);
        assert!(
            err.errors[1].message.contains("individual's INN"),
            "{}",
            err.errors[1].message
        );
    }

    #[test]
    fn kpp_upper_cases_ascii_letters_only() {
        let mut r = legal();
        r.set("kpp", "7705ab001").unwrap();
        assert_eq!(r.kpp.as_deref(), Some("7705AB001"));
        assert_eq!(r.validate(), Ok(()));
        // `ß` would become `SS` with a full upper-casing: a valid-looking KPP.
        r.set("kpp", "7705ß001").unwrap();
        assert_eq!(r.kpp.as_deref(), Some("7705ß001"));
        assert_eq!(r.validate().unwrap_err().errors[0].field, "kpp");
    }

    #[test]
    fn unknown_key_lists_known_ones() {
        let err = legal().set("nmae", "x").unwrap_err();
        assert!(
            err.message
                .starts_with("unknown setting `nmae`; known settings: kind, short_name")
        );
    }
}
