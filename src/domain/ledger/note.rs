//! C2SP signed notes (c2sp.org/signed-note) with Ed25519 keys, in the formats of Go's
//! `golang.org/x/mod/sumdb/note`: the private key `PRIVATE+KEY+<name>+<key id>+<base64>`, the
//! verifier key `<name>+<key id>+<base64>`, and the note itself — a text ending in a newline, a
//! blank line, then one `— <name> <base64(key id ‖ signature)>` line per signature.
//!
//! The domain draws no randomness: a key is made from a 32-byte seed the caller drew from the
//! operating system. Parsing never panics, whatever the input: every refusal is a
//! [`NoteError`] or a [`KeyError`] that says what is wrong and where.

use std::fmt;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use ed25519_dalek::{Signer as _, SigningKey as DalekSigningKey, VerifyingKey};
use sha2::{Digest, Sha256};
use thiserror::Error;

/// The signature type byte of Ed25519 in key ids and keys (c2sp.org/signed-note).
pub const ALG_ED25519: u8 = 0x01;

/// The most signatures a note may carry. The spec asks verifiers to accept at least 16; Go's
/// `note.Open` refuses more than 100, and so does this.
pub const MAX_SIGNATURES: usize = 100;

/// What starts a signature line: an em dash (U+2014) and a space.
const SIG_PREFIX: &str = "\u{2014} ";

/// Why a key's text is refused. Never carries private key material.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum KeyError {
    /// The name is empty, or has a space or a `+`.
    #[error("the key name `{0}` is not valid: it must be non-empty, without spaces or `+`")]
    BadName(String),
    /// Not of the form `PRIVATE+KEY+<name>+<8 hex digits>+<base64>`.
    #[error("a private key is `PRIVATE+KEY+<name>+<key id, 8 hex digits>+<base64 key>`")]
    MalformedPrivate,
    /// Not of the form `<name>+<8 hex digits>+<base64>`.
    #[error("a verifier key is `<name>+<key id, 8 hex digits>+<base64 key>`, not `{0}`")]
    MalformedVerifier(String),
    /// The key material is not 1 + 32 bytes.
    #[error("the key is {0} bytes; an Ed25519 key is 33 (the type byte 0x01 and 32 bytes)")]
    WrongLength(usize),
    /// Another signature type than Ed25519.
    #[error("the key's signature type is {0:#04x}; only Ed25519 (0x01) is supported")]
    UnknownAlgorithm(u8),
    /// The key id written in the key is not the one its name and key give.
    #[error("the key id `{written:08x}` does not match the key, whose id is `{actual:08x}`")]
    WrongKeyId {
        /// The id in the text.
        written: u32,
        /// The id computed from the name and the public key.
        actual: u32,
    },
    /// 32 bytes that are not an Ed25519 public key.
    #[error("the verifier key `{0}` is not a valid Ed25519 public key")]
    InvalidPoint(String),
}

/// Why a note is refused.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum NoteError {
    /// A control character other than a newline (lines counted from 1).
    #[error("line {line} of the note has a control character (only newlines are allowed)")]
    ControlCharacter {
        /// The line, from 1.
        line: usize,
    },
    /// No blank line separates the text from the signatures.
    #[error("the note has no blank line before its signatures")]
    NoSignatureBlock,
    /// The note does not end with a newline.
    #[error("the note does not end with a newline")]
    NoFinalNewline,
    /// A line after the blank line is not `— <name> <base64>`.
    #[error("line {line} of the note is not a signature line (`— <key name> <base64>`): {problem}")]
    MalformedSignature {
        /// The line, from 1.
        line: usize,
        /// What is wrong with it.
        problem: &'static str,
    },
    /// More than [`MAX_SIGNATURES`].
    #[error("the note has more than {MAX_SIGNATURES} signatures")]
    TooManySignatures,
    /// Two different known keys share a name and a key id.
    #[error("two of the given verifier keys are named `{0}` with the same key id")]
    AmbiguousKey(String),
    /// A signature by a known key that does not verify: the note or the signature was altered.
    #[error(
        "the signature by key `{0}` does not verify: the note was altered or signed by another key"
    )]
    BadSignature(String),
    /// Nothing signed by a known key.
    #[error("the note is signed by no known key (signed by: {})", list_or_none(.signed_by))]
    NoKnownSignature {
        /// The `name+keyid` of each signature the note has.
        signed_by: Vec<String>,
    },
    /// A text to sign that is not a note's text.
    #[error("the text to sign {0}")]
    BadText(&'static str),
}

fn list_or_none(keys: &[String]) -> String {
    if keys.is_empty() {
        "none".to_string()
    } else {
        keys.iter()
            .map(|k| format!("`{k}`"))
            .collect::<Vec<_>>()
            .join(", ")
    }
}

/// Whether `name` may name a key: non-empty, no Unicode space, no `+`.
pub fn is_valid_name(name: &str) -> bool {
    !name.is_empty() && !name.chars().any(|c| c.is_whitespace() || c == '+')
}

/// The key id: the first 4 bytes, big-endian, of SHA-256(name ‖ "\n" ‖ 0x01 ‖ public key).
pub fn key_hash(name: &str, public: &[u8; 32]) -> u32 {
    let mut h = Sha256::new();
    h.update(name.as_bytes());
    h.update(b"\n");
    h.update([ALG_ED25519]);
    h.update(public);
    let sum: [u8; 32] = h.finalize().into();
    u32::from_be_bytes([sum[0], sum[1], sum[2], sum[3]])
}

/// `<hash hex8>+<base64>` of a key's text: the key id and the 32 key bytes, checked for form.
fn split_key(hash16: &str, key64: &str) -> Result<(u32, [u8; 32]), KeyError> {
    let id = parse_key_id(hash16).ok_or(KeyError::MalformedVerifier(String::new()))?;
    let bytes = STANDARD
        .decode(key64)
        .map_err(|_| KeyError::MalformedVerifier(String::new()))?;
    match bytes.split_first() {
        None => Err(KeyError::WrongLength(0)),
        Some((&ALG_ED25519, key)) => {
            let key: [u8; 32] = key
                .try_into()
                .map_err(|_| KeyError::WrongLength(bytes.len()))?;
            Ok((id, key))
        }
        Some((&alg, _)) => Err(KeyError::UnknownAlgorithm(alg)),
    }
}

fn parse_key_id(hash16: &str) -> Option<u32> {
    if hash16.len() != 8 || !hash16.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    u32::from_str_radix(hash16, 16).ok()
}

/// A key that signs notes: a name and an Ed25519 key.
#[derive(Clone)]
pub struct SigningKey {
    name: String,
    key: DalekSigningKey,
}

impl fmt::Debug for SigningKey {
    // The seed stays out of logs and panic messages.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "SigningKey({}+{:08x}, ..)", self.name, self.key_hash())
    }
}

impl SigningKey {
    /// The key named `name` made from a 32-byte seed (RFC 8032's private key), which the
    /// caller draws from the operating system's random number generator.
    pub fn from_seed(name: &str, seed: [u8; 32]) -> Result<SigningKey, KeyError> {
        if !is_valid_name(name) {
            return Err(KeyError::BadName(name.to_string()));
        }
        Ok(SigningKey {
            name: name.to_string(),
            key: DalekSigningKey::from_bytes(&seed),
        })
    }

    /// Reads Go's private key text, `PRIVATE+KEY+<name>+<key id>+<base64(0x01 ‖ seed)>`.
    pub fn parse(text: &str) -> Result<SigningKey, KeyError> {
        let text = text.trim_end_matches(['\n', '\r']);
        let rest = text
            .strip_prefix("PRIVATE+KEY+")
            .ok_or(KeyError::MalformedPrivate)?;
        let mut parts = rest.splitn(3, '+');
        let (Some(name), Some(hash16), Some(key64)) = (parts.next(), parts.next(), parts.next())
        else {
            return Err(KeyError::MalformedPrivate);
        };
        if !is_valid_name(name) {
            return Err(KeyError::BadName(name.to_string()));
        }
        let (written, seed) = split_key(hash16, key64).map_err(|e| match e {
            KeyError::MalformedVerifier(_) => KeyError::MalformedPrivate,
            e => e,
        })?;
        let key = SigningKey::from_seed(name, seed)?;
        let actual = key.key_hash();
        if written != actual {
            return Err(KeyError::WrongKeyId { written, actual });
        }
        Ok(key)
    }

    /// The private key text that [`SigningKey::parse`] reads (and Go's `note.NewSigner`).
    pub fn to_text(&self) -> String {
        let mut key = vec![ALG_ED25519];
        key.extend_from_slice(self.key.as_bytes());
        format!(
            "PRIVATE+KEY+{}+{:08x}+{}",
            self.name,
            self.key_hash(),
            STANDARD.encode(key)
        )
    }

    /// The key's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The key id.
    pub fn key_hash(&self) -> u32 {
        key_hash(&self.name, self.key.verifying_key().as_bytes())
    }

    /// The verifier of this key's signatures.
    pub fn verifier(&self) -> Verifier {
        let key = self.key.verifying_key();
        Verifier {
            hash: key_hash(&self.name, key.as_bytes()),
            name: self.name.clone(),
            key,
        }
    }

    /// The signed note of `body` (a text ending in a newline): the body, a blank line and this
    /// key's signature line.
    pub fn sign(&self, body: &str) -> Result<String, NoteError> {
        sign(body, &[self])
    }

    fn signature_line(&self, body: &str) -> String {
        let mut sig = self.key_hash().to_be_bytes().to_vec();
        sig.extend_from_slice(&self.key.sign(body.as_bytes()).to_bytes());
        format!("{SIG_PREFIX}{} {}\n", self.name, STANDARD.encode(sig))
    }
}

/// The signed note of `body` with one signature line per key, in the given order (several
/// keys: a key rotation, where old verifiers and new ones each find a key they trust).
pub fn sign(body: &str, keys: &[&SigningKey]) -> Result<String, NoteError> {
    if body.is_empty() || !body.ends_with('\n') {
        return Err(NoteError::BadText("must end with a newline"));
    }
    if let Some(line) = control_character_line(body) {
        return Err(NoteError::ControlCharacter { line });
    }
    if keys.is_empty() {
        return Err(NoteError::BadText("needs at least one key"));
    }
    if keys.len() > MAX_SIGNATURES {
        return Err(NoteError::TooManySignatures);
    }
    let mut note = String::with_capacity(body.len() + 1 + keys.len() * 128);
    note.push_str(body);
    note.push('\n');
    for k in keys {
        note.push_str(&k.signature_line(body));
    }
    Ok(note)
}

/// The line (from 1) of the first control character other than a newline.
fn control_character_line(text: &str) -> Option<usize> {
    let pos = text.find(|c: char| c < ' ' && c != '\n')?;
    Some(text[..pos].matches('\n').count() + 1)
}

/// A verifier key: a name, its key id and an Ed25519 public key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verifier {
    name: String,
    hash: u32,
    key: VerifyingKey,
}

impl Verifier {
    /// The verifier of the key `name` with the 32-byte public key `public`.
    pub fn from_public(name: &str, public: [u8; 32]) -> Result<Verifier, KeyError> {
        if !is_valid_name(name) {
            return Err(KeyError::BadName(name.to_string()));
        }
        let key = VerifyingKey::from_bytes(&public)
            .map_err(|_| KeyError::InvalidPoint(name.to_string()))?;
        Ok(Verifier {
            hash: key_hash(name, &public),
            name: name.to_string(),
            key,
        })
    }

    /// Reads a verifier key, `<name>+<key id>+<base64(0x01 ‖ public key)>`.
    pub fn parse(text: &str) -> Result<Verifier, KeyError> {
        let text = text.trim();
        let malformed = || KeyError::MalformedVerifier(text.chars().take(80).collect());
        let mut parts = text.splitn(3, '+');
        let (Some(name), Some(hash16), Some(key64)) = (parts.next(), parts.next(), parts.next())
        else {
            return Err(malformed());
        };
        if !is_valid_name(name) {
            return Err(KeyError::BadName(name.to_string()));
        }
        let (written, public) = split_key(hash16, key64).map_err(|e| match e {
            KeyError::MalformedVerifier(_) => malformed(),
            e => e,
        })?;
        let v = Verifier::from_public(name, public)?;
        if written != v.hash {
            return Err(KeyError::WrongKeyId {
                written,
                actual: v.hash,
            });
        }
        Ok(v)
    }

    /// The verifier key text that [`Verifier::parse`] reads.
    pub fn to_text(&self) -> String {
        let mut key = vec![ALG_ED25519];
        key.extend_from_slice(self.key.as_bytes());
        format!("{}+{:08x}+{}", self.name, self.hash, STANDARD.encode(key))
    }

    /// The key's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The key id.
    pub fn key_hash(&self) -> u32 {
        self.hash
    }

    /// `name+keyid`, as errors name a key.
    pub fn label(&self) -> String {
        format!("{}+{:08x}", self.name, self.hash)
    }

    fn verifies(&self, text: &str, sig: &[u8]) -> bool {
        let Ok(sig) = ed25519_dalek::Signature::from_slice(sig) else {
            return false;
        };
        // Strict: refuses non-canonical encodings and small-order keys, so that no second
        // valid signature can be made from the first.
        self.key.verify_strict(text.as_bytes(), &sig).is_ok()
    }
}

/// One signature of a note.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NoteSignature {
    /// The key's name.
    pub name: String,
    /// The key id.
    pub key_hash: u32,
    /// The signature's base64 as written (key id and signature bytes).
    pub base64: String,
    /// Whether a known key made it (and it verified); `false`: an unknown key, not checked.
    pub verified: bool,
}

impl NoteSignature {
    /// `name+keyid`.
    pub fn label(&self) -> String {
        format!("{}+{:08x}", self.name, self.key_hash)
    }
}

/// A note whose signature by at least one known key verified.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignedNote {
    /// The signed text, with its final newline.
    pub text: String,
    /// Every signature, in order, duplicates removed; unknown keys' with `verified: false`.
    pub signatures: Vec<NoteSignature>,
}

impl SignedNote {
    /// The signatures that verified.
    pub fn verified(&self) -> impl Iterator<Item = &NoteSignature> {
        self.signatures.iter().filter(|s| s.verified)
    }
}

/// Reads a signed note and checks its signatures by the `known` keys: at least one must have
/// signed it, and every signature by a known key must verify (c2sp.org/signed-note: a bad
/// signature by a known key rejects the whole note). Signatures by other keys are kept,
/// marked unverified.
pub fn open(note: &str, known: &[Verifier]) -> Result<SignedNote, NoteError> {
    if let Some(line) = control_character_line(note) {
        return Err(NoteError::ControlCharacter { line });
    }
    let split = note.rfind("\n\n").ok_or(NoteError::NoSignatureBlock)?;
    let (text, sigs) = (&note[..split + 1], &note[split + 2..]);
    if sigs.is_empty() {
        return Err(NoteError::NoSignatureBlock);
    }
    if !sigs.ends_with('\n') {
        return Err(NoteError::NoFinalNewline);
    }
    let first_line = text.matches('\n').count() + 2;
    let mut signatures: Vec<NoteSignature> = Vec::new();
    for (i, line) in sigs[..sigs.len() - 1].split('\n').enumerate() {
        let line_no = first_line + i;
        if i >= MAX_SIGNATURES {
            return Err(NoteError::TooManySignatures);
        }
        let bad = |problem| NoteError::MalformedSignature {
            line: line_no,
            problem,
        };
        let rest = line.strip_prefix(SIG_PREFIX).ok_or(bad(
            "it does not start with an em dash (U+2014) and a space",
        ))?;
        let (name, b64) = rest
            .split_once(' ')
            .ok_or(bad("no space between the key name and the signature"))?;
        if !is_valid_name(name) {
            return Err(bad("the key name is empty or has a space or a `+`"));
        }
        let raw = STANDARD
            .decode(b64)
            .map_err(|_| bad("the signature is not standard base64"))?;
        if raw.len() < 5 {
            return Err(bad("the signature is shorter than a key id and one byte"));
        }
        let key_hash = u32::from_be_bytes([raw[0], raw[1], raw[2], raw[3]]);
        if signatures
            .iter()
            .any(|s| s.name == name && s.key_hash == key_hash && s.base64 == b64)
        {
            continue;
        }
        let mut matching = known
            .iter()
            .filter(|v| v.name == name && v.hash == key_hash);
        let verified = match matching.next() {
            None => false,
            Some(v) => {
                if matching.any(|other| other.key != v.key) {
                    return Err(NoteError::AmbiguousKey(name.to_string()));
                }
                if !v.verifies(text, &raw[4..]) {
                    return Err(NoteError::BadSignature(v.label()));
                }
                true
            }
        };
        signatures.push(NoteSignature {
            name: name.to_string(),
            key_hash,
            base64: b64.to_string(),
            verified,
        });
    }
    if !signatures.iter().any(|s| s.verified) {
        return Err(NoteError::NoKnownSignature {
            signed_by: signatures.iter().map(NoteSignature::label).collect(),
        });
    }
    Ok(SignedNote {
        text: text.to_string(),
        signatures,
    })
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    // golang.org/x/mod/sumdb/note, note_test.go (TestNewSigner, TestSign, TestOpen).
    const PETER_SKEY: &str =
        "PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz";
    const PETER_VKEY: &str = "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW";
    const ENOCH_VKEY: &str = "EnochRoot+af0cfe78+ATtqJ7zOtqQtYqOo0CpvDXNlMhV3HeJDpjrASKGLWdop";
    const TEXT: &str = "If you think cryptography is the answer to your problem,\n\
                        then you don't know what your problem is.\n";
    const PETER_SIG: &str = "\u{2014} PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n";
    const ENOCH_SIG: &str = "\u{2014} EnochRoot rwz+eBzmZa0SO3NbfRGzPCpDckykFXSdeX+MNtCOXm2/5n2tiOHp+vAF1aGrQ5ovTG01oOTGwnWLox33WWd1RvMc+QQ=\n";

    fn peter() -> Verifier {
        Verifier::parse(PETER_VKEY).expect("Go's vkey")
    }

    fn enoch() -> Verifier {
        Verifier::parse(ENOCH_VKEY).expect("Go's vkey")
    }

    #[test]
    fn signs_byte_for_byte_as_go() {
        let key = SigningKey::parse(PETER_SKEY).expect("Go's private key");
        assert_eq!(key.to_text(), PETER_SKEY);
        assert_eq!(key.name(), "PeterNeumann");
        assert_eq!(key.key_hash(), 0xc74f20a3);
        assert_eq!(key.verifier().to_text(), PETER_VKEY);
        assert_eq!(key.verifier(), peter());
        assert_eq!(
            key.sign(TEXT).expect("a note's text"),
            format!("{TEXT}\n{PETER_SIG}")
        );
    }

    #[test]
    fn opens_go_notes_as_go_does() {
        let both = format!("{TEXT}\n{PETER_SIG}{ENOCH_SIG}");
        let n = open(&both, &[peter()]).expect("signed by Peter");
        assert_eq!(n.text, TEXT);
        assert_eq!(
            n.signatures
                .iter()
                .map(|s| (s.label(), s.verified))
                .collect::<Vec<_>>(),
            [
                ("PeterNeumann+c74f20a3".to_string(), true),
                ("EnochRoot+af0cfe78".to_string(), false)
            ]
        );
        let n = open(&both, &[peter(), enoch()]).expect("signed by both");
        assert_eq!(n.verified().count(), 2);
        assert_eq!(
            open(&both, &[]),
            Err(NoteError::NoKnownSignature {
                signed_by: vec!["PeterNeumann+c74f20a3".into(), "EnochRoot+af0cfe78".into()]
            })
        );
        // The same signature twice counts once; 101 lines are too many.
        let twice = format!("{TEXT}\n{PETER_SIG}{PETER_SIG}");
        assert_eq!(open(&twice, &[peter()]).expect("twice").signatures.len(), 1);
        let many = format!("{TEXT}\n{}", PETER_SIG.repeat(101));
        assert_eq!(open(&many, &[peter()]), Err(NoteError::TooManySignatures));
        // Go's "invalid signature" case: four letters inserted into the signature.
        let altered = format!("{TEXT}\n{}ABCD{}", &PETER_SIG[..60], &PETER_SIG[60..]);
        assert_eq!(
            open(&altered, &[peter()]),
            Err(NoteError::BadSignature("PeterNeumann+c74f20a3".into()))
        );
    }

    #[test]
    fn refuses_go_malformed_notes_naming_the_line() {
        let v = [peter()];
        assert_eq!(open(TEXT, &v), Err(NoteError::NoSignatureBlock));
        assert_eq!(
            open(&format!("{TEXT}\n"), &v),
            Err(NoteError::NoSignatureBlock)
        );
        assert_eq!(
            open(
                &format!("{TEXT}\n{}", &PETER_SIG[..PETER_SIG.len() - 1]),
                &v
            ),
            Err(NoteError::NoFinalNewline)
        );
        assert_eq!(
            open(&format!("\x01{TEXT}\n{PETER_SIG}"), &v),
            Err(NoteError::ControlCharacter { line: 1 })
        );
        assert!(matches!(
            open(
                &format!("{TEXT}\n{}", PETER_SIG.replace("PeterNeumann", "Bad Name")),
                &v
            ),
            Err(NoteError::MalformedSignature { line: 4, .. })
        ));
        assert_eq!(
            open(&format!("{TEXT}\n{PETER_SIG}Unexpected line.\n"), &v),
            Err(NoteError::MalformedSignature {
                line: 5,
                problem: "it does not start with an em dash (U+2014) and a space"
            })
        );
        assert!(
            open(&format!("{TEXT}\n{PETER_SIG}Unexpected line.\n"), &v)
                .unwrap_err()
                .to_string()
                .starts_with("line 5 of the note is not a signature line")
        );
    }

    #[test]
    fn c2sp_example_verifies() {
        // c2sp.org/signed-note, "Example".
        let v = Verifier::parse(
            "example.com/foo+530d903a+AekyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2k",
        )
        .expect("the spec's vkey");
        let note = "This is an example message.\n\n\u{2014} example.com/foo Uw2QOkn8srV1yJGh2VYRlL1Tnagv1YEq6TfXppzi2ONncAlTgK7Ztg1ERYNZXsYjOBH3mFXmRKuwHjG1Yu72IneyaQM=\n";
        assert_eq!(
            open(note, &[v]).expect("verifies").text,
            "This is an example message.\n"
        );
    }

    #[test]
    fn refuses_mangled_keys_as_go_does() {
        // Go's TestNewVerifier / TestNewSigner: every proper substring and every byte + 1.
        for good in [PETER_VKEY, PETER_SKEY] {
            let parse = |s: &str| {
                if good == PETER_VKEY {
                    Verifier::parse(s).is_ok()
                } else {
                    SigningKey::parse(s).is_ok()
                }
            };
            assert!(parse(good));
            let b = good.as_bytes();
            for i in 0..=b.len() {
                for j in i + 1..=b.len() {
                    if (i, j) != (0, b.len()) {
                        let s = std::str::from_utf8(&b[i..j]).expect("ASCII");
                        // A trailing newline is trimmed on purpose: keys are read from files.
                        assert!(!parse(s), "accepted {s:?}");
                    }
                }
            }
            for i in 0..b.len() {
                let mut m = b.to_vec();
                m[i] += 1;
                let s = String::from_utf8(m).expect("ASCII");
                assert!(!parse(&s), "accepted {s:?}");
            }
        }
        // Go: a key of the wrong length and an unknown algorithm, with their key ids adjusted.
        // (Its base64 has stray bits in the last character, which strict decoding refuses first.)
        assert!(matches!(
            Verifier::parse(
                "PeterNeumann+cc469956+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TWBADKEY=="
            ),
            Err(KeyError::MalformedVerifier(_))
        ));
        let long = format!("{}AAAA", PETER_VKEY);
        assert_eq!(Verifier::parse(&long), Err(KeyError::WrongLength(36)));
        assert_eq!(
            Verifier::parse("PeterNeumann+173116ae+ZRpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW"),
            Err(KeyError::UnknownAlgorithm(0x65))
        );
        assert_eq!(
            SigningKey::from_seed("a+b", [0; 32]).map(|k| k.name().to_string()),
            Err(KeyError::BadName("a+b".into()))
        );
        assert_eq!(
            format!("{:?}", SigningKey::parse(PETER_SKEY).expect("key")),
            "SigningKey(PeterNeumann+c74f20a3, ..)"
        );
    }

    #[test]
    fn several_keys_sign_and_each_verifies() {
        let old = SigningKey::from_seed("example.ru/consents", [1; 32]).expect("key");
        let new = SigningKey::from_seed("example.ru/consents", [2; 32]).expect("key");
        let note = sign("body\n", &[&old, &new]).expect("signed");
        for v in [old.verifier(), new.verifier()] {
            let n = open(&note, std::slice::from_ref(&v)).expect("verifies");
            assert_eq!(n.verified().count(), 1);
            assert_eq!(n.signatures.len(), 2);
        }
        assert_eq!(
            sign("no newline", &[&old]),
            Err(NoteError::BadText("must end with a newline"))
        );
        assert_eq!(
            sign("a\tb\n", &[&old]),
            Err(NoteError::ControlCharacter { line: 1 })
        );
    }

    /// Every byte flipped, every character replaced: the note is refused.
    #[test]
    fn every_single_byte_mutation_is_refused() {
        let key = SigningKey::from_seed("example.ru/consents", [9; 32]).expect("key");
        let note = key
            .sign("example.ru/consents\n10\nAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n")
            .expect("signed");
        let v = [key.verifier()];
        assert!(open(&note, &v).is_ok());
        for m in mutations(&note) {
            assert!(open(&m, &v).is_err(), "accepted {m:?}");
        }
    }

    /// Each copy of `s` with one byte changed that is still UTF-8: each byte with its lowest
    /// bit flipped, and each character replaced by `A` (or `B` where it is `A`).
    pub(crate) fn mutations(s: &str) -> Vec<String> {
        let mut out = Vec::new();
        for i in 0..s.len() {
            let mut b = s.as_bytes().to_vec();
            b[i] ^= 1;
            if let Ok(m) = String::from_utf8(b) {
                out.push(m);
            }
        }
        for (i, c) in s.char_indices() {
            let with = if c == 'A' { "B" } else { "A" };
            out.push(format!("{}{with}{}", &s[..i], &s[i + c.len_utf8()..]));
        }
        out
    }
}
