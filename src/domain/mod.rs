//! The pure domain: requisites, agreements, sources and their validation.
//! No database, no terminal, no clock: time comes in through [`Clock`].

pub mod agreement;
pub mod check;
pub mod diff;
pub mod ids;
pub mod render;
pub mod requisites;
pub mod source;

use std::fmt;

use chrono::{DateTime, SecondsFormat, Utc};

/// One rejected value: which setting and why.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct FieldError {
    pub field: String,
    pub message: String,
}

impl FieldError {
    pub fn new(field: &str, message: impl Into<String>) -> FieldError {
        FieldError {
            field: field.to_string(),
            message: message.into(),
        }
    }
}

impl fmt::Display for FieldError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.field, self.message)
    }
}

impl std::error::Error for FieldError {}

/// An object that failed validation, with every problem found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Invalid {
    pub object: String,
    pub errors: Vec<FieldError>,
}

impl Invalid {
    pub fn from_errors(object: String, errors: Vec<FieldError>) -> Result<(), Invalid> {
        if errors.is_empty() {
            Ok(())
        } else {
            Err(Invalid { object, errors })
        }
    }
}

impl fmt::Display for Invalid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let [only] = self.errors.as_slice() {
            return write!(f, "invalid {}: {only}", self.object);
        }
        write!(
            f,
            "invalid {} ({} problems):",
            self.object,
            self.errors.len()
        )?;
        for e in &self.errors {
            write!(f, "\n  {e}")?;
        }
        Ok(())
    }
}

impl std::error::Error for Invalid {}

/// Time is passed in, so tests can fix it.
pub trait Clock {
    fn now(&self) -> DateTime<Utc>;
}

pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> DateTime<Utc> {
        Utc::now()
    }
}

pub struct FixedClock(pub DateTime<Utc>);

impl Clock for FixedClock {
    fn now(&self) -> DateTime<Utc> {
        self.0
    }
}

/// RFC 3339 UTC with seconds, the one timestamp format of pdconsent.
pub fn timestamp(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Secs, true)
}

pub fn parse_bool(value: &str) -> Result<bool, String> {
    match value.trim().to_lowercase().as_str() {
        "true" | "yes" | "y" | "1" | "on" | "да" => Ok(true),
        "false" | "no" | "n" | "0" | "off" | "нет" => Ok(false),
        other => Err(format!(
            "`{other}` is not a yes/no value; use true or false"
        )),
    }
}

/// Unicode NFC: the same words always have the same bytes (and so the same hash).
pub fn nfc(s: &str) -> String {
    use unicode_normalization::UnicodeNormalization;
    s.nfc().collect()
}

/// The first control character in `value` that is not `allowed`, with its
/// line and column (from 1).
pub fn find_control(value: &str, allowed: &[char]) -> Option<(usize, usize, char)> {
    let (at, c) = value
        .char_indices()
        .find(|(_, c)| c.is_control() && !allowed.contains(c))?;
    let before = &value[..at];
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    Some((
        before.matches('\n').count() + 1,
        before[line_start..].chars().count() + 1,
        c,
    ))
}

/// Control characters a multi-line text may hold: line breaks and tabs (`\r`
/// becomes `\n` when the text is rendered).
pub const TEXT_CONTROLS: &[char] = &['\n', '\r', '\t'];

/// A multi-line text (a custom template) must not carry control characters
/// other than line breaks and tabs: ESC, BEL, NUL, backspace … would reach the
/// hashed legal text and drive the terminal that shows it.
pub fn check_text(field: &str, value: &str) -> Option<FieldError> {
    find_control(value, TEXT_CONTROLS).map(|(line, column, c)| {
        FieldError::new(
            field,
            format!(
                "line {line}, column {column}: the text contains a control character ({}); a text may hold line breaks and tabs, no other control characters",
                c.escape_unicode()
            ),
        )
    })
}

/// A one-line value (a name, an address, a purpose …) must not carry line
/// breaks or other control characters: they would reshape the consent text.
pub fn check_single_line(field: &str, value: &str) -> Option<FieldError> {
    find_control(value, &[]).map(|(_, _, c)| {
        FieldError::new(
            field,
            format!(
                "`{}` contains a control character ({}); write it on one line without tabs or line breaks",
                value.escape_debug(),
                c.escape_unicode()
            ),
        )
    })
}

/// Codes are slugs: they appear in commands, file names and HTML attributes.
pub fn validate_code(code: &str) -> Result<(), String> {
    let ok_chars = code
        .chars()
        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '_');
    let starts_ok = code
        .chars()
        .next()
        .is_some_and(|c| c.is_ascii_lowercase() || c.is_ascii_digit());
    if code.is_empty() || code.len() > 64 || !ok_chars || !starts_ok {
        return Err(format!(
            "code `{code}` is not a valid slug; use 1-64 lowercase Latin letters, digits, `-` or `_`, starting with a letter or digit (e.g. `site-form`)"
        ));
    }
    Ok(())
}

pub fn check_email(field: &str, value: &str) -> Result<(), FieldError> {
    // email_address accepts RFC 5322 exotica (display names, quoted local parts,
    // address literals); an address printed in a consent text must be a plain one.
    let plain = value.split_once('@').is_some_and(|(local, domain)| {
        let local_ok = !local.is_empty()
            && local
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "._%+-".contains(c))
            && !local.starts_with('.')
            && !local.ends_with('.');
        let labels: Vec<&str> = domain.split('.').collect();
        let domain_ok = labels.len() >= 2
            && labels.iter().all(|l| {
                !l.is_empty()
                    && !l.starts_with('-')
                    && !l.ends_with('-')
                    && l.chars().all(|c| c.is_alphanumeric() || c == '-')
            });
        local_ok && domain_ok
    });
    match value.parse::<email_address::EmailAddress>() {
        Ok(_) if plain => Ok(()),
        _ => Err(FieldError::new(
            field,
            format!("`{value}` is not an e-mail address; use the form name@example.ru"),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes() {
        assert!(validate_code("site-form").is_ok());
        assert!(validate_code("a1_b").is_ok());
        for bad in ["", "Site", "-x", "сайт", "a b", &"x".repeat(65)] {
            assert!(validate_code(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn texts_hold_line_breaks_and_tabs_and_no_other_control_character() {
        assert_eq!(check_text("t", "Текст\n\tс отступом\r\nи концом\n"), None);
        for (c, name) in [
            ('\u{1b}', "ESC"),
            ('\u{7}', "BEL"),
            ('\0', "NUL"),
            ('\u{8}', "BS"),
            ('\u{7f}', "DEL"),
            ('\u{9b}', "CSI"),
        ] {
            let e = check_text("custom_text", &format!("один\nдва {c}]0;x"))
                .unwrap_or_else(|| panic!("{name} passed"));
            assert_eq!(e.field, "custom_text");
            assert!(
                e.message.starts_with(&format!(
                    "line 2, column 5: the text contains a control character ({})",
                    c.escape_unicode()
                )),
                "{name}: {}",
                e.message
            );
        }
        // A one-line value still refuses line breaks and tabs as well.
        assert!(check_single_line("name", "a\tb").is_some());
        assert!(check_single_line("name", "a\u{1b}b").is_some());
        assert_eq!(check_single_line("name", "ООО «Ромашка»"), None);
    }

    #[test]
    fn emails() {
        assert!(check_email("email", "privacy@romashka.ru").is_ok());
        assert!(check_email("email", "ivan.petrov+news@почта.рф").is_ok());
        for bad in [
            "privacy",
            "a@b",
            "A <a@b.ru>",
            "a @b.ru",
            "",
            "a@[1.2.3.4]",
            "\"a,b\"@x.ru",
            "a@x_y.ru",
            "a@-x.ru",
        ] {
            assert!(check_email("email", bad).is_err(), "{bad}");
        }
    }
}
