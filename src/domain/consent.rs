//! A submission as a web backend sends it, and its validation before anything is stored:
//! every value normalised to NFC, every error naming its field.

use std::collections::BTreeMap;
use std::net::IpAddr;

use chrono::{DateTime, Duration, Utc};
use serde::Deserialize;

use super::field::{FieldError, find_control, nfc};
use super::timestamp;

/// At most this many fields in a submission.
pub const MAX_FIELDS: usize = 64;
/// At most this many characters in a field's value.
pub const MAX_VALUE_CHARS: usize = 4096;
/// At most this many characters in a URL, a user agent, an external id, a reason.
pub const MAX_URL_CHARS: usize = 2048;
/// User agents are long but not this long.
pub const MAX_USER_AGENT_CHARS: usize = 1024;
/// An external id is a key, not a document.
pub const MAX_EXTERNAL_ID_CHARS: usize = 200;
/// How far in the future a submission's time may be: clocks differ.
pub const FUTURE_SKEW_SECONDS: i64 = 300;

/// One submission of a form (or acceptance in a chat), as `consent record --json` and each
/// line of `--batch` carry it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Submission {
    /// The source's code.
    pub source: String,
    /// The form's fields, by caption (or `email`, `phone`, `name`, an English caption).
    #[serde(default)]
    pub fields: BTreeMap<String, String>,
    /// The agreements whose box was ticked (may be left out when the source has one).
    #[serde(default)]
    pub agreements: Option<Vec<String>>,
    /// Optional agreements presented and not ticked.
    #[serde(default)]
    pub refused: Vec<String>,
    /// The SHA-256 the page showed per agreement (the snippet's `data-sha256`).
    #[serde(default)]
    pub text_sha256: BTreeMap<String, String>,
    /// The address the submission came from.
    #[serde(default)]
    pub ip: Option<String>,
    /// The page the form was on.
    #[serde(default)]
    pub url: Option<String>,
    /// The browser's User-Agent.
    #[serde(default)]
    pub user_agent: Option<String>,
    /// When the person submitted it (RFC 3339); default now.
    #[serde(default)]
    pub at: Option<String>,
    /// The caller's idempotency key.
    #[serde(default)]
    pub external_id: Option<String>,
}

/// A submission whose values passed every check that needs no database.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Checked {
    pub source: String,
    pub fields: BTreeMap<String, String>,
    pub agreements: Option<Vec<String>>,
    pub refused: Vec<String>,
    pub text_sha256: BTreeMap<String, String>,
    pub ip: Option<String>,
    pub url: Option<String>,
    pub user_agent: Option<String>,
    /// RFC 3339 UTC with seconds.
    pub at: String,
    pub external_id: Option<String>,
}

fn text_value(field: &str, v: &str, max: usize, multiline: bool) -> Result<String, FieldError> {
    let v = nfc(v);
    let allowed: &[char] = if multiline { &['\n', '\r', '\t'] } else { &[] };
    if let Some((line, column, c)) = find_control(&v, allowed) {
        return Err(FieldError::new(
            field,
            format!(
                "contains {} (line {line}, column {column}); send the value without control or invisible characters",
                super::field::describe_forbidden(c)
            ),
        ));
    }
    let n = v.chars().count();
    if n > max {
        return Err(FieldError::new(
            field,
            format!("is {n} characters long; at most {max} are kept"),
        ));
    }
    Ok(v)
}

/// A withdrawal's reason: one or more lines, no control or invisible characters, at most
/// [`MAX_URL_CHARS`] characters, NFC.
pub fn check_reason(v: &str) -> Result<String, FieldError> {
    text_value("reason", v.trim(), MAX_URL_CHARS, true)
}

/// An RFC 3339 time, in UTC with seconds.
pub fn parse_time(field: &str, v: &str) -> Result<DateTime<Utc>, FieldError> {
    DateTime::parse_from_rfc3339(v.trim())
        .map(|t| t.with_timezone(&Utc))
        .map_err(|_| {
            FieldError::new(
                field,
                format!("`{v}` is not an RFC 3339 time; write e.g. 2026-01-31T12:00:00Z or 2026-01-31T15:00:00+03:00"),
            )
        })
}

/// An IPv4 or IPv6 address, in its canonical text form.
pub fn check_ip(field: &str, v: &str) -> Result<String, FieldError> {
    v.trim()
        .parse::<IpAddr>()
        .map(|ip| ip.to_string())
        .map_err(|_| {
            FieldError::new(
                field,
                format!("`{v}` is not an IPv4 or IPv6 address (e.g. 203.0.113.7 or 2001:db8::1)"),
            )
        })
}

/// The address of a page: http(s), a host, no spaces; kept as sent otherwise (it is evidence).
pub fn check_page_url(field: &str, v: &str) -> Result<String, FieldError> {
    let v = text_value(field, v.trim(), MAX_URL_CHARS, false)?;
    let rest = v
        .strip_prefix("https://")
        .or_else(|| v.strip_prefix("http://"));
    let host_ok = rest
        .and_then(|r| r.split(['/', '?', '#']).next())
        .is_some_and(|h| !h.is_empty());
    if !host_ok || v.contains(char::is_whitespace) {
        return Err(FieldError::new(
            field,
            format!("`{v}` is not an http(s) address, e.g. https://example.ru/contact"),
        ));
    }
    Ok(v)
}

impl Submission {
    /// Checks and normalises every value; `now` bounds the time from above.
    pub fn check(&self, now: DateTime<Utc>) -> Result<Checked, FieldError> {
        if self.fields.len() > MAX_FIELDS {
            return Err(FieldError::new(
                "fields",
                format!(
                    "{} fields; a submission holds at most {MAX_FIELDS}",
                    self.fields.len()
                ),
            ));
        }
        let mut fields = BTreeMap::new();
        for (k, v) in &self.fields {
            let key = text_value("fields", k.trim(), 200, false)?;
            if key.is_empty() {
                return Err(FieldError::new("fields", "a field has an empty name"));
            }
            let value = text_value(&format!("fields.{key}"), v, MAX_VALUE_CHARS, true)?;
            if fields.contains_key(&key) {
                return Err(FieldError::new(
                    &format!("fields.{key}"),
                    format!(
                        "`{key}` is given twice (the same name once spaces and Unicode forms are evened out)"
                    ),
                ));
            }
            fields.insert(key, value);
        }
        let at = match &self.at {
            None => now,
            Some(v) => {
                let t = parse_time("at", v)?;
                if t > now + Duration::seconds(FUTURE_SKEW_SECONDS) {
                    return Err(FieldError::new(
                        "at",
                        format!(
                            "`{v}` is in the future (now is {}); send the time the person submitted the form",
                            timestamp(now)
                        ),
                    ));
                }
                t
            }
        };
        let opt =
            |field: &str, v: &Option<String>, max: usize| -> Result<Option<String>, FieldError> {
                v.as_deref()
                    .map(str::trim)
                    .filter(|s| !s.is_empty())
                    .map(|s| text_value(field, s, max, false))
                    .transpose()
            };
        let mut text_sha256 = BTreeMap::new();
        for (k, v) in &self.text_sha256 {
            let v = v.trim().to_ascii_lowercase();
            if v.len() != 64 || !v.bytes().all(|b| b.is_ascii_hexdigit()) {
                return Err(FieldError::new(
                    &format!("text_sha256.{k}"),
                    format!("`{v}` is not a SHA-256 (64 hex digits, the snippet's data-sha256)"),
                ));
            }
            text_sha256.insert(k.trim().to_string(), v);
        }
        let trim_all = |v: &[String]| v.iter().map(|s| s.trim().to_string()).collect::<Vec<_>>();
        Ok(Checked {
            source: self.source.trim().to_string(),
            fields,
            agreements: self.agreements.as_deref().map(trim_all),
            refused: trim_all(&self.refused),
            text_sha256,
            ip: self
                .ip
                .as_deref()
                .filter(|s| !s.trim().is_empty())
                .map(|v| check_ip("ip", v))
                .transpose()?,
            url: self
                .url
                .as_deref()
                .filter(|s| !s.trim().is_empty())
                .map(|v| check_page_url("url", v))
                .transpose()?,
            user_agent: opt("user_agent", &self.user_agent, MAX_USER_AGENT_CHARS)?,
            at: timestamp(at),
            external_id: opt("external_id", &self.external_id, MAX_EXTERNAL_ID_CHARS)?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn now() -> DateTime<Utc> {
        parse_time("t", "2026-06-01T12:00:00Z").unwrap()
    }

    #[test]
    fn values_are_normalised() {
        let mut s = Submission {
            source: " contact-form ".into(),
            ip: Some("2001:0db8::0001".into()),
            at: Some("2026-06-01T15:00:00+03:00".into()),
            ..Submission::default()
        };
        s.fields.insert("имя".into(), "Е\u{308}ж".into());
        let c = s.check(now()).unwrap();
        assert_eq!(c.source, "contact-form");
        assert_eq!(c.ip.as_deref(), Some("2001:db8::1"));
        assert_eq!(c.at, "2026-06-01T12:00:00Z");
        assert_eq!(c.fields["имя"], "Ёж");
    }

    #[test]
    fn each_bad_value_names_its_field() {
        let bad = |f: fn(&mut Submission)| {
            let mut s = Submission::default();
            f(&mut s);
            s.check(now()).unwrap_err().field
        };
        assert_eq!(bad(|s| s.ip = Some("1.2.3".into())), "ip");
        assert_eq!(bad(|s| s.url = Some("ftp://x".into())), "url");
        assert_eq!(bad(|s| s.at = Some("2026-06-01T12:10:00Z".into())), "at");
        assert_eq!(bad(|s| s.at = Some("yesterday".into())), "at");
        assert_eq!(
            bad(|s| {
                s.fields.insert("имя".into(), "a\u{1b}[31m".into());
            }),
            "fields.имя"
        );
        assert_eq!(
            bad(|s| {
                s.fields
                    .insert("имя".into(), "x".repeat(MAX_VALUE_CHARS + 1));
            }),
            "fields.имя"
        );
        assert_eq!(
            bad(|s| {
                s.text_sha256.insert("pd".into(), "abc".into());
            }),
            "text_sha256.pd"
        );
        assert_eq!(
            bad(|s| s.external_id = Some("x".repeat(201))),
            "external_id"
        );
        // Five minutes of skew are allowed.
        let s = Submission {
            at: Some("2026-06-01T12:04:00Z".into()),
            ..Submission::default()
        };
        assert!(s.check(now()).is_ok());
    }
}
