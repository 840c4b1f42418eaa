//! The commitment that binds a leaf to the personal data kept beside the log.
//!
//! commitment = SHA-256(salt ‖ canonical envelope bytes), with a 32-byte salt of its own for
//! every event. The envelope (the subject's fields, IP, URL, user agent) and its salt live in a
//! table that erasure may empty; the leaf keeps only the commitment. With the envelope anyone
//! can check it; without it the salt makes the commitment useless for guessing a phone number
//! or an e-mail by trying candidates.
//!
//! The domain draws no random numbers: the caller draws the salt from the operating system's
//! random number generator (`getrandom`), never from a seeded or time-based one, and stores it
//! with the envelope.

use serde_json::Value;
use sha2::{Digest, Sha256};

use super::canonical::{CanonicalError, to_canonical};
use super::merkle::Hash;

/// The length of a salt in bytes.
pub const SALT_LEN: usize = 32;

/// The per-event random salt, drawn by the caller from the OS RNG.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct Salt(pub [u8; SALT_LEN]);

impl std::fmt::Debug for Salt {
    // Kept out of logs and panics: with the salt, a commitment can be tested against guesses.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Salt(..)")
    }
}

/// SHA-256(salt ‖ canonical envelope): what a leaf holds in place of personal data.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Commitment(pub Hash);

impl Commitment {
    /// The commitment to an envelope given as a JSON value (an object of strings in practice);
    /// fails when the value has no canonical form.
    pub fn new(salt: &Salt, envelope: &Value) -> Result<Self, CanonicalError> {
        Ok(Self::from_canonical(salt, &to_canonical(envelope)?))
    }

    /// The commitment to envelope bytes that are already canonical, such as a stored copy.
    pub fn from_canonical(salt: &Salt, canonical: &[u8]) -> Self {
        let mut h = Sha256::new();
        h.update(salt.0);
        h.update(canonical);
        Self(h.finalize().into())
    }

    /// Whether `envelope` with `salt` is what this commitment was made from.
    pub fn opens(&self, salt: &Salt, envelope: &Value) -> Result<bool, CanonicalError> {
        Ok(Self::new(salt, envelope)? == *self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn envelope() -> Value {
        json!({
            "fields": {"name": "Иван Петров", "phone": "+79161234567"},
            "ip": "203.0.113.7",
            "url": "https://romashka.ru/contact",
            "user_agent": "Mozilla/5.0",
        })
    }

    #[test]
    fn is_the_hash_of_salt_then_canonical_bytes() {
        let salt = Salt([7; SALT_LEN]);
        let c = Commitment::new(&salt, &envelope()).expect("canonical");
        let mut bytes = vec![7u8; SALT_LEN];
        bytes.extend(to_canonical(&envelope()).expect("canonical"));
        assert_eq!(c.0, <[u8; 32]>::from(Sha256::digest(&bytes)));
        assert_eq!(
            c,
            Commitment::from_canonical(&salt, &to_canonical(&envelope()).expect("canonical"))
        );
    }

    #[test]
    fn opens_only_with_the_same_salt_and_envelope() {
        let salt = Salt([1; SALT_LEN]);
        let c = Commitment::new(&salt, &envelope()).expect("canonical");
        assert_eq!(c.opens(&salt, &envelope()), Ok(true));
        assert_eq!(c.opens(&Salt([2; SALT_LEN]), &envelope()), Ok(false));
        let mut edited = envelope();
        edited["fields"]["phone"] = json!("+79161234568");
        assert_eq!(c.opens(&salt, &edited), Ok(false));
        // Key order is not part of the data.
        let reordered: Value = serde_json::from_str(
            r#"{"user_agent":"Mozilla/5.0","url":"https://romashka.ru/contact","ip":"203.0.113.7","fields":{"phone":"+79161234567","name":"Иван Петров"}}"#,
        )
        .expect("JSON");
        assert_eq!(c.opens(&salt, &reordered), Ok(true));
        assert!(c.opens(&salt, &json!({"n": 1.5})).is_err());
        assert_eq!(format!("{salt:?}"), "Salt(..)");
    }
}
