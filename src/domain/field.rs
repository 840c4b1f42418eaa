//! The leaf of the domain: one rejected value ([`FieldError`]), an object
//! with all its problems ([`Invalid`]), and the checks every object shares
//! (codes, booleans, one-line values, texts, e-mail addresses, links, lists).
//! It imports nothing from the rest of the domain, so every module may use it.

use std::fmt;

/// The kinds of object the operator manages; errors and the change log name them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ObjectKind {
    Requisites,
    Agreement,
    Source,
}

impl ObjectKind {
    /// The name in messages and in commands (`pdconsent agreement …`).
    pub fn as_str(self) -> &'static str {
        match self {
            ObjectKind::Requisites => "requisites",
            ObjectKind::Agreement => "agreement",
            ObjectKind::Source => "source",
        }
    }

    /// The command that lists every object of this kind.
    pub fn list_command(self) -> &'static str {
        match self {
            ObjectKind::Requisites => "pdconsent requisites list",
            ObjectKind::Agreement => "pdconsent agreement list --all",
            ObjectKind::Source => "pdconsent source list --all",
        }
    }
}

impl fmt::Display for ObjectKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One rejected value: which setting and why.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct FieldError {
    pub field: String,
    pub message: String,
}

impl FieldError {
    /// An error about `field`.
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

impl FieldError {
    /// What to run next.
    pub fn hint(&self) -> String {
        "the README's \"What values are accepted\" gives the form of every setting".to_string()
    }
}

/// An object that failed validation, with every problem found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Invalid {
    pub kind: ObjectKind,
    pub code: String,
    pub errors: Vec<FieldError>,
}

impl Invalid {
    /// `Ok` when there is no error, else every error of the object.
    pub fn from_errors(
        kind: ObjectKind,
        code: &str,
        errors: Vec<FieldError>,
    ) -> Result<(), Invalid> {
        if errors.is_empty() {
            Ok(())
        } else {
            Err(Invalid {
                kind,
                code: code.to_string(),
                errors,
            })
        }
    }

    /// The messages about `key` (or an item of it, `key[2]`) joined, as a prompt that asked
    /// for that setting shows them; `Ok` when none is about it.
    pub fn about(&self, key: &str) -> Result<(), String> {
        let item = format!("{key}[");
        let messages: Vec<&str> = self
            .errors
            .iter()
            .filter(|e| e.field == key || e.field.starts_with(&item))
            .map(|e| e.message.as_str())
            .collect();
        if messages.is_empty() {
            Ok(())
        } else {
            Err(messages.join("; "))
        }
    }

    /// What to run next.
    pub fn hint(&self) -> String {
        "fix the values and run the command again; the README's \"What values are accepted\" gives the form of every setting".to_string()
    }
}

impl fmt::Display for Invalid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let [only] = self.errors.as_slice() {
            return write!(f, "invalid {} `{}`: {only}", self.kind, self.code);
        }
        write!(
            f,
            "invalid {} `{}` ({} problems):",
            self.kind,
            self.code,
            self.errors.len()
        )?;
        for e in &self.errors {
            write!(f, "\n  {e}")?;
        }
        Ok(())
    }
}

impl std::error::Error for Invalid {}

/// A yes/no value in English or Russian (`true`, `yes`, `да`, `1` …).
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
    // Most values are NFC already (ASCII always is): copied, not recomposed.
    if s.is_ascii()
        || unicode_normalization::is_nfc_quick(s.chars())
            == unicode_normalization::IsNormalized::Yes
    {
        return s.to_string();
    }
    s.nfc().collect()
}

/// Invisible and bidirectional characters: they hide words or reorder them
/// on screen (U+202E shows «Ромашка» reversed), so what a person reads is not
/// what the text says. (code point, name)
const INVISIBLE: &[(char, &str)] = &[
    ('\u{00AD}', "SOFT HYPHEN"),
    ('\u{061C}', "ARABIC LETTER MARK"),
    ('\u{200B}', "ZERO WIDTH SPACE"),
    ('\u{200C}', "ZERO WIDTH NON-JOINER"),
    ('\u{200D}', "ZERO WIDTH JOINER"),
    ('\u{200E}', "LEFT-TO-RIGHT MARK"),
    ('\u{200F}', "RIGHT-TO-LEFT MARK"),
    ('\u{202A}', "LEFT-TO-RIGHT EMBEDDING"),
    ('\u{202B}', "RIGHT-TO-LEFT EMBEDDING"),
    ('\u{202C}', "POP DIRECTIONAL FORMATTING"),
    ('\u{202D}', "LEFT-TO-RIGHT OVERRIDE"),
    ('\u{202E}', "RIGHT-TO-LEFT OVERRIDE"),
    ('\u{2060}', "WORD JOINER"),
    ('\u{2066}', "LEFT-TO-RIGHT ISOLATE"),
    ('\u{2067}', "RIGHT-TO-LEFT ISOLATE"),
    ('\u{2068}', "FIRST STRONG ISOLATE"),
    ('\u{2069}', "POP DIRECTIONAL ISOLATE"),
    ('\u{FEFF}', "ZERO WIDTH NO-BREAK SPACE"),
];

/// The name of an invisible or bidirectional character, `None` for any other.
/// Whether `c` is an invisible or bidirectional character (zero-width, direction marks,
/// embeddings, overrides, isolates, soft hyphen): output shows it escaped.
pub fn is_invisible(c: char) -> bool {
    invisible(c).is_some()
}

fn invisible(c: char) -> Option<&'static str> {
    INVISIBLE.iter().find(|(i, _)| *i == c).map(|(_, n)| *n)
}

/// A character no value or text may hold, described for a message:
/// `a control character (\u{1b})` or
/// `an invisible or bidirectional character (U+200B ZERO WIDTH SPACE)`.
pub fn describe_forbidden(c: char) -> String {
    match invisible(c) {
        Some(name) => format!(
            "an invisible or bidirectional character (U+{:04X} {name})",
            c as u32
        ),
        None => format!("a control character ({})", c.escape_unicode()),
    }
}

/// Why the character must go, for the end of a message; `None` for a control character.
fn invisible_reason(c: char) -> Option<&'static str> {
    invisible(c).map(|_| {
        "it hides or reorders words, so the text a person reads is not the text that is stored; delete it"
    })
}

/// The first control, invisible or bidirectional character in `value` that is
/// not `allowed`, with its line and column (from 1).
pub fn find_control(value: &str, allowed: &[char]) -> Option<(usize, usize, char)> {
    let (at, c) = value
        .char_indices()
        .find(|(_, c)| (c.is_control() || invisible(*c).is_some()) && !allowed.contains(c))?;
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
/// hashed legal text and drive the terminal that shows it; nor invisible or
/// bidirectional ones, which hide or reorder its words.
pub fn check_text(field: &str, value: &str) -> Option<FieldError> {
    find_control(value, TEXT_CONTROLS).map(|(line, column, c)| {
        let tail = invisible_reason(c)
            .unwrap_or("a text may hold line breaks and tabs, no other control characters");
        FieldError::new(
            field,
            format!(
                "line {line}, column {column}: the text contains {}; {tail}",
                describe_forbidden(c)
            ),
        )
    })
}

/// A one-line value (a name, an address, a purpose …) must not carry line
/// breaks or other control characters: they would reshape the consent text;
/// nor invisible or bidirectional ones (an INN with a zero-width space in it).
pub fn check_single_line(field: &str, value: &str) -> Option<FieldError> {
    find_control(value, &[]).map(|(_, column, c)| {
        let tail =
            invisible_reason(c).unwrap_or("write it on one line without tabs or line breaks");
        FieldError::new(
            field,
            format!(
                "`{}` contains {} at character {column}; {tail}",
                value.escape_debug(),
                describe_forbidden(c)
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

/// A plain e-mail address, fit to print in a consent text.
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

/// An http(s) address that is safe to put into HTML and Markdown links as it is:
/// parsed by the `url` crate (WHATWG), written out with its scheme, a host with a
/// dot (or an IP address), and none of the characters a link cannot carry.
/// Every prompt and every final validation of an address calls this.
pub fn check_url(field: &str, url: &str) -> Option<FieldError> {
    let bad = url
        .chars()
        .find(|c| c.is_whitespace() || c.is_control() || "<>\"'()`\\{}|^".contains(*c));
    if let Some(c) = bad {
        return Some(FieldError::new(
            field,
            format!(
                "`{}` contains `{}`, which a link cannot carry; percent-encode it (e.g. %28 for `(`)",
                url.escape_debug(),
                c.escape_debug()
            ),
        ));
    }
    // The parser accepts `https:example.ru` and `HTTPS://…`; a link is written out in full.
    let written = url.starts_with("https://") || url.starts_with("http://");
    let host_ok = |u: &url::Url| match u.host() {
        Some(url::Host::Domain(d)) => d.contains('.') && !d.ends_with('.'),
        Some(url::Host::Ipv4(_) | url::Host::Ipv6(_)) => true,
        None => false,
    };
    match url::Url::parse(url) {
        Ok(u) if written && host_ok(&u) => None,
        _ => Some(FieldError::new(
            field,
            format!("`{url}` is not an http(s) address, e.g. https://example.ru/consent"),
        )),
    }
}

/// Appends `item` (trimmed) unless it is empty or already in the list.
pub fn add_unique(list: &mut Vec<String>, item: &str) {
    let item = item.trim();
    if !item.is_empty() && !list.iter().any(|x| x == item) {
        list.push(item.to_string());
    }
}

/// Removes an item given by its exact text or its number from 1; the error lists what there is.
pub fn remove_item(
    list: &mut Vec<String>,
    item: &str,
    what: &str,
    field: &str,
) -> Result<(), FieldError> {
    let item = item.trim();
    let pos = list.iter().position(|x| x == item).or_else(|| {
        item.parse::<usize>()
            .ok()
            .filter(|n| (1..=list.len()).contains(n))
            .map(|n| n - 1)
    });
    match pos {
        Some(i) => {
            list.remove(i);
            Ok(())
        }
        None if list.is_empty() => Err(FieldError::new(
            field,
            format!("no {what} `{item}`: the list is empty"),
        )),
        None => Err(FieldError::new(
            field,
            format!(
                "no {what} `{item}` in the list; give the exact text or its number (1-{})",
                list.len()
            ),
        )),
    }
}
