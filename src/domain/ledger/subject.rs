//! Finding a person's events by what they typed: e-mail case-insensitive, phone by its digits
//! with the Russian 8/+7 prefix normalised, other fields exactly.
//!
//! The index holds a 64-bit key per (field kind, normalised value) — the first bytes of a
//! SHA-256 — not the value: it is personal data's shadow, erased with the envelope, and a
//! lookup confirms every hit against the envelope itself.

use sha2::{Digest, Sha256};

/// How a field's values are compared.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SubjectKey {
    /// An e-mail field (its caption names mail): compared case-insensitively.
    Email,
    /// A phone field: compared by digits, `8 916 …`, `+7 916 …` and `916 …` alike.
    Phone,
    /// Any other field, by its caption in lower case: compared exactly.
    Field(String),
}

impl SubjectKey {
    /// The key of a source's field, by its caption.
    pub fn of_caption(caption: &str) -> SubjectKey {
        let c = caption.trim().to_lowercase();
        // "адрес электронной почты", "эл. почта", "e-mail" — but not "почтовый адрес".
        let email = c.contains("mail")
            || c.contains("электронн")
            || (c.contains("почт") && !c.contains("почтов"));
        if email {
            SubjectKey::Email
        } else if c.contains("телефон") || c.contains("phone") || c == "тел." || c == "тел"
        {
            SubjectKey::Phone
        } else {
            SubjectKey::Field(c)
        }
    }

    /// The value as it is compared.
    pub fn normalize(&self, value: &str) -> String {
        let v = value.trim();
        match self {
            SubjectKey::Email => v.to_lowercase(),
            SubjectKey::Phone => normalize_phone(v),
            SubjectKey::Field(_) => v.to_string(),
        }
    }

    /// The 64-bit index key of a value of this field.
    pub fn index_key(&self, value: &str) -> i64 {
        let mut h = Sha256::new();
        match self {
            SubjectKey::Email => h.update(b"email"),
            SubjectKey::Phone => h.update(b"phone"),
            SubjectKey::Field(c) => {
                h.update(b"field:");
                h.update(c.as_bytes());
            }
        }
        h.update([0]);
        h.update(self.normalize(value).as_bytes());
        let d = h.finalize();
        let mut b = [0u8; 8];
        b.copy_from_slice(&d[..8]);
        i64::from_be_bytes(b)
    }

    /// Whether a stored value matches a looked-up one.
    pub fn matches(&self, stored: &str, wanted: &str) -> bool {
        self.normalize(stored) == self.normalize(wanted)
    }
}

/// A pair of (subject key, envelope id) mixed into 64 bits: the XOR of all pairs fingerprints
/// the whole index, so `ledger verify` can compare it with the envelopes in one pass.
pub fn subject_pair_mix(key: i64, envelope: i64) -> u64 {
    // splitmix64 of the pair.
    let mut z = (key as u64) ^ (envelope as u64).rotate_left(32) ^ 0x9e37_79b9_7f4a_7c15;
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// The index keys of an envelope's fields (one per non-empty field, deduplicated).
pub fn subject_keys(fields: &std::collections::BTreeMap<String, String>) -> Vec<i64> {
    let mut keys: Vec<i64> = fields
        .iter()
        .filter(|(_, v)| !v.trim().is_empty())
        .map(|(k, v)| SubjectKey::of_caption(k).index_key(v))
        .collect();
    keys.sort_unstable();
    keys.dedup();
    keys
}

/// The digits of a phone number; a Russian number in any of its usual forms
/// (`8 (916) 123-45-67`, `+7 916 123 45 67`, `9161234567`) becomes `79161234567`.
pub fn normalize_phone(v: &str) -> String {
    let digits: String = v.chars().filter(char::is_ascii_digit).collect();
    match digits.len() {
        11 if digits.starts_with('8') || digits.starts_with('7') => format!("7{}", &digits[1..]),
        10 if digits.starts_with('9') => format!("7{digits}"),
        _ => digits,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn captions_are_classified() {
        assert_eq!(
            SubjectKey::of_caption("адрес электронной почты"),
            SubjectKey::Email
        );
        assert_eq!(SubjectKey::of_caption("E-mail"), SubjectKey::Email);
        assert_eq!(SubjectKey::of_caption("эл. почта"), SubjectKey::Email);
        assert_eq!(
            SubjectKey::of_caption("почтовый адрес"),
            SubjectKey::Field("почтовый адрес".into())
        );
        assert_eq!(SubjectKey::of_caption("номер телефона"), SubjectKey::Phone);
        assert_eq!(
            SubjectKey::of_caption("Имя"),
            SubjectKey::Field("имя".into())
        );
    }

    #[test]
    fn phones_and_emails_compare_as_people_write_them() {
        let p = SubjectKey::Phone;
        for v in [
            "8 (916) 123-45-67",
            "+7 916 123 45 67",
            "9161234567",
            "79161234567",
        ] {
            assert_eq!(p.index_key(v), p.index_key("+79161234567"), "{v}");
        }
        assert_ne!(p.index_key("+7 916 123 45 68"), p.index_key("+79161234567"));
        let e = SubjectKey::Email;
        assert!(e.matches("Ivan@Example.RU", " ivan@example.ru"));
        assert_ne!(
            e.index_key("ivan@example.ru"),
            p.index_key("ivan@example.ru")
        );
        let f = SubjectKey::Field("имя".into());
        assert!(!f.matches("Иван", "иван"));
    }
}
