//! The pure domain: requisites, agreements, sources and their validation.
//! No database, no terminal, no clock: time comes in through [`Clock`].

/// Agreements, their settings, vocabulary and changes.
pub mod agreement;
/// The legal check of a rendered text.
pub mod check;
/// A submission of a form and its validation before it is recorded.
pub mod consent;
/// Setting-by-setting differences between revisions.
pub mod diff;
/// Field errors and the checks every object shares (the leaf of the domain).
pub mod field;
/// INN, KPP, OGRN, OGRNIP and their checksums.
pub mod ids;
/// The consent ledger's hashing and canonical form (pure groundwork; see docs/ledger.md).
pub mod ledger;
/// Rendering a revision into the exact text a person agrees to.
pub mod render;
/// The operator's legal details.
pub mod requisites;
/// Web forms and chat channels, and their links to agreements.
pub mod source;

pub mod suggest;

use chrono::{DateTime, SecondsFormat, Utc};

pub use field::{
    FieldError, Invalid, ObjectKind, TEXT_CONTROLS, check_email, check_single_line, check_text,
    check_url, find_control, nfc, parse_bool, validate_code,
};

/// Time is passed in, so tests can fix it.
pub trait Clock: Send + Sync {
    fn now(&self) -> DateTime<Utc>;
}

/// The machine's clock.
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> DateTime<Utc> {
        Utc::now()
    }
}

/// A clock stopped at one moment (tests, `PDCONSENT_NOW`).
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
    fn invisible_and_bidirectional_characters_are_refused_with_code_point_and_position() {
        for c in [
            '\u{200B}', '\u{200F}', '\u{202A}', '\u{202E}', '\u{2066}', '\u{2069}', '\u{00AD}',
            '\u{FEFF}',
        ] {
            let e = check_single_line("inn", &format!("784{c}0502513"))
                .unwrap_or_else(|| panic!("U+{:04X} passed", c as u32));
            assert!(
                e.message.contains(&format!(
                    "an invisible or bidirectional character (U+{:04X} ",
                    c as u32
                )) && e.message.contains(") at character 4;"),
                "{}",
                e.message
            );
            let e = check_text("custom_text", &format!("один\nдва {c}")).unwrap();
            assert!(e.message.starts_with("line 2, column 5: "), "{}", e.message);
        }
        // Ordinary typography is not invisible: no-break space, «», —, №.
        assert_eq!(check_single_line("name", "ООО\u{a0}«Ромашка» — № 1"), None);
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

    #[test]
    fn urls() {
        for good in [
            "https://romashka.ru/privacy",
            "http://пример.рф/согласие?a=1#b",
            "https://203.0.113.7/consent",
            "https://romashka.ru:8443/x",
        ] {
            assert_eq!(check_url("url", good), None, "{good}");
        }
        for bad in [
            "romashka.ru",
            "https:romashka.ru",
            "ftp://romashka.ru",
            "https://localhost/x",
            "https://romashka.ru:99999/x",
            "https://roma shka.ru",
            "https://romashka.ru/a(b)",
            "https://",
        ] {
            assert!(check_url("url", bad).is_some(), "{bad}");
        }
    }
}
