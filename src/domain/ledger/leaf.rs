//! The leaf and the envelope: what the tree logs and what it only commits to.
//!
//! A leaf is one canonical JSON object with a fixed set of keys (`docs/ledger.md`, "The
//! leaf"): every key is always present, `null` when it does not apply to the leaf's kind.
//! The envelope holds the personal data of a submission; a leaf holds its commitment.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};

use super::canonical::{CanonicalError, write_nfc_string};
use super::commitment::{Commitment, Salt};
use super::merkle::{Hash, leaf_hash};

/// The leaf format version this code writes and verifies.
pub const LEAF_VERSION: u64 = 1;

/// What a leaf records.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LeafKind {
    /// A consent given: the box was ticked.
    Given,
    /// An optional agreement presented and not ticked.
    Refused,
    /// A consent ended by the person.
    Withdrawn,
    /// Personal data destroyed: the envelopes named by the erasure record whose SHA-256 is
    /// the leaf's `data_sha256` were deleted.
    Erased,
    /// A revision of an agreement.
    AgreementRevision,
    /// A revision of a set of requisites.
    RequisitesRevision,
    /// A revision of a source.
    SourceRevision,
    /// A text registered as current for an agreement on a source.
    Text,
}

impl LeafKind {
    /// Every kind, in the order of the `kind` values in `docs/ledger.md`.
    pub const ALL: [LeafKind; 8] = [
        LeafKind::Given,
        LeafKind::Refused,
        LeafKind::Withdrawn,
        LeafKind::Erased,
        LeafKind::AgreementRevision,
        LeafKind::RequisitesRevision,
        LeafKind::SourceRevision,
        LeafKind::Text,
    ];

    /// The `kind` value of the leaf.
    pub fn as_str(self) -> &'static str {
        match self {
            LeafKind::Given => "given",
            LeafKind::Refused => "refused",
            LeafKind::Withdrawn => "withdrawn",
            LeafKind::Erased => "erased",
            LeafKind::AgreementRevision => "agreement_revision",
            LeafKind::RequisitesRevision => "requisites_revision",
            LeafKind::SourceRevision => "source_revision",
            LeafKind::Text => "text",
        }
    }

    /// The kind named `v`.
    pub fn parse(v: &str) -> Option<LeafKind> {
        Self::ALL.into_iter().find(|k| k.as_str() == v)
    }

    /// A consent event (given, refused, withdrawn), as opposed to a configuration leaf or
    /// an erasure.
    pub fn is_event(self) -> bool {
        matches!(
            self,
            LeafKind::Given | LeafKind::Refused | LeafKind::Withdrawn
        )
    }

    /// A configuration leaf: a revision or a registered text.
    pub fn is_config(self) -> bool {
        matches!(
            self,
            LeafKind::AgreementRevision
                | LeafKind::RequisitesRevision
                | LeafKind::SourceRevision
                | LeafKind::Text
        )
    }
}

/// The checkbox as the form presented it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Checkbox {
    /// Whether the box was ticked before the person touched it.
    pub checked_by_default: bool,
    /// Whether the form refused to be sent without it.
    pub required: bool,
}

/// One leaf of the tree. `None` fields are `null` in the canonical form.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Leaf {
    /// The position in the log, from 1; the leaf index is `seq - 1`.
    pub seq: u64,
    /// A UUIDv7.
    pub id: String,
    /// What the leaf records.
    pub kind: LeafKind,
    /// When it happened, RFC 3339 UTC with seconds.
    pub at: String,
    /// When pdconsent recorded it.
    pub recorded_at: String,
    /// The agreement's code.
    pub agreement: Option<String>,
    /// The agreement's revision.
    pub revision: Option<u32>,
    /// The requisites set's code.
    pub requisites: Option<String>,
    /// The requisites set's revision.
    pub requisites_revision: Option<u32>,
    /// The source's code.
    pub source: Option<String>,
    /// The source's revision.
    pub source_revision: Option<u32>,
    /// The SHA-256 of the exact text, 64 lowercase hex digits.
    pub text_sha256: Option<String>,
    /// The checkbox as presented (given and refused).
    pub checkbox: Option<Checkbox>,
    /// How a withdrawal arrived: `email`, `post`, `chat`, `other`.
    pub channel: Option<String>,
    /// The caller's idempotency key.
    pub external_id: Option<String>,
    /// For `withdrawn`: the seq of the consent it ends.
    pub withdraws: Option<u64>,
    /// SHA-256(salt ‖ canonical envelope), hex.
    pub commitment: Option<String>,
    /// For a revision: the SHA-256 of its stored data, hex.
    pub data_sha256: Option<String>,
}

impl Leaf {
    /// A leaf of `kind` with every optional field empty.
    pub fn new(seq: u64, id: String, kind: LeafKind, at: String, recorded_at: String) -> Leaf {
        Leaf {
            seq,
            id,
            kind,
            at,
            recorded_at,
            agreement: None,
            revision: None,
            requisites: None,
            requisites_revision: None,
            source: None,
            source_revision: None,
            text_sha256: None,
            checkbox: None,
            channel: None,
            external_id: None,
            withdraws: None,
            commitment: None,
            data_sha256: None,
        }
    }

    /// The leaf as the JSON object that is hashed: every key present.
    pub fn to_value(&self) -> Value {
        json!({
            "v": LEAF_VERSION,
            "seq": self.seq,
            "id": self.id,
            "kind": self.kind.as_str(),
            "at": self.at,
            "recorded_at": self.recorded_at,
            "agreement": self.agreement,
            "revision": self.revision,
            "requisites": self.requisites,
            "requisites_revision": self.requisites_revision,
            "source": self.source,
            "source_revision": self.source_revision,
            "text_sha256": self.text_sha256,
            "checkbox": self.checkbox,
            "channel": self.channel,
            "external_id": self.external_id,
            "withdraws": self.withdraws,
            "commitment": self.commitment,
            "data_sha256": self.data_sha256,
        })
    }

    /// The canonical bytes of the leaf; fails on a string that is not NFC. Written key by key
    /// in sorted order (the same bytes as `to_canonical(&self.to_value())`, tested), because
    /// `ledger verify` does this a million times.
    pub fn canonical(&self) -> Result<Vec<u8>, CanonicalError> {
        let mut out = Vec::with_capacity(512);
        self.write_canonical(&mut out)?;
        Ok(out)
    }

    /// Appends the canonical bytes of the leaf to `out`.
    pub fn write_canonical(&self, out: &mut Vec<u8>) -> Result<(), CanonicalError> {
        fn key(out: &mut Vec<u8>, k: &str) {
            out.push(b'"');
            out.extend_from_slice(k.as_bytes());
            out.extend_from_slice(b"\":");
        }
        fn string(out: &mut Vec<u8>, k: &str, v: &Option<String>) -> Result<(), CanonicalError> {
            key(out, k);
            match v {
                Some(s) => write_nfc_string(s, || format!("$.{k}"), out)?,
                None => out.extend_from_slice(b"null"),
            }
            out.push(b',');
            Ok(())
        }
        fn int(out: &mut Vec<u8>, k: &str, v: Option<u64>) {
            key(out, k);
            match v {
                Some(n) => out.extend_from_slice(n.to_string().as_bytes()),
                None => out.extend_from_slice(b"null"),
            }
            out.push(b',');
        }
        out.push(b'{');
        string(out, "agreement", &self.agreement)?;
        key(out, "at");
        write_nfc_string(&self.at, || "$.at".into(), out)?;
        out.push(b',');
        string(out, "channel", &self.channel)?;
        key(out, "checkbox");
        match self.checkbox {
            Some(c) => {
                out.extend_from_slice(b"{\"checked_by_default\":");
                out.extend_from_slice(if c.checked_by_default {
                    b"true"
                } else {
                    b"false"
                });
                out.extend_from_slice(b",\"required\":");
                out.extend_from_slice(if c.required { b"true}" } else { b"false}" });
            }
            None => out.extend_from_slice(b"null"),
        }
        out.push(b',');
        string(out, "commitment", &self.commitment)?;
        string(out, "data_sha256", &self.data_sha256)?;
        string(out, "external_id", &self.external_id)?;
        key(out, "id");
        write_nfc_string(&self.id, || "$.id".into(), out)?;
        out.push(b',');
        key(out, "kind");
        write_nfc_string(self.kind.as_str(), || "$.kind".into(), out)?;
        out.push(b',');
        key(out, "recorded_at");
        write_nfc_string(&self.recorded_at, || "$.recorded_at".into(), out)?;
        out.push(b',');
        string(out, "requisites", &self.requisites)?;
        int(
            out,
            "requisites_revision",
            self.requisites_revision.map(u64::from),
        );
        int(out, "revision", self.revision.map(u64::from));
        int(out, "seq", Some(self.seq));
        string(out, "source", &self.source)?;
        int(out, "source_revision", self.source_revision.map(u64::from));
        string(out, "text_sha256", &self.text_sha256)?;
        int(out, "v", Some(LEAF_VERSION));
        key(out, "withdraws");
        match self.withdraws {
            Some(n) => out.extend_from_slice(n.to_string().as_bytes()),
            None => out.extend_from_slice(b"null"),
        }
        out.push(b'}');
        Ok(())
    }

    /// The RFC 6962 leaf hash of the canonical bytes.
    pub fn hash(&self) -> Result<Hash, CanonicalError> {
        Ok(leaf_hash(&self.canonical()?))
    }

    /// Reads a leaf back from its JSON object, refusing unknown and missing keys and
    /// another format version: what a verifier of an export does.
    pub fn from_value(value: &Value) -> Result<Leaf, String> {
        let obj = value.as_object().ok_or("a leaf is a JSON object")?;
        let expected = Leaf::new(
            0,
            String::new(),
            LeafKind::Given,
            String::new(),
            String::new(),
        )
        .to_value();
        let expected = expected.as_object().map(Map::len).unwrap_or_default();
        if obj.len() != expected {
            return Err(format!(
                "a leaf has {expected} keys, this one {}",
                obj.len()
            ));
        }
        if obj.get("v").and_then(Value::as_u64) != Some(LEAF_VERSION) {
            return Err(format!("leaf format `v` is not {LEAF_VERSION}"));
        }
        let mut rest = obj.clone();
        rest.remove("v");
        serde_json::from_value(Value::Object(rest)).map_err(|e| e.to_string())
    }
}

/// The personal data of one submission (or the reason of a withdrawal), kept beside the log.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Envelope {
    /// The source's fields as the person filled them in, by the field's caption.
    pub fields: BTreeMap<String, String>,
    /// The address the submission came from.
    pub ip: Option<String>,
    /// The page the form was on.
    pub url: Option<String>,
    /// The browser's User-Agent.
    pub user_agent: Option<String>,
    /// A withdrawal's reason as the person gave it.
    pub reason: Option<String>,
}

impl Envelope {
    /// The envelope as the JSON object that is committed to: every key present.
    pub fn to_value(&self) -> Value {
        json!({
            "fields": self.fields,
            "ip": self.ip,
            "url": self.url,
            "user_agent": self.user_agent,
            "reason": self.reason,
        })
    }

    /// The canonical bytes of the envelope (the same as `to_canonical(&self.to_value())`,
    /// tested).
    pub fn canonical(&self) -> Result<Vec<u8>, CanonicalError> {
        envelope_canonical(
            &self.fields_canonical()?,
            self.ip.as_deref(),
            self.url.as_deref(),
            self.user_agent.as_deref(),
            self.reason.as_deref(),
        )
    }

    /// The canonical bytes of `fields` alone: what storage keeps, so that a verifier can
    /// rebuild the envelope's bytes without parsing them.
    pub fn fields_canonical(&self) -> Result<Vec<u8>, CanonicalError> {
        let mut out = Vec::with_capacity(256);
        out.push(b'{');
        // A BTreeMap of Strings iterates in byte order: code point order, as canonical JSON sorts.
        for (i, (k, v)) in self.fields.iter().enumerate() {
            if i > 0 {
                out.push(b',');
            }
            write_nfc_string(k, || format!("$.fields[{k:?}]"), &mut out)?;
            out.push(b':');
            write_nfc_string(v, || format!("$.fields[{k:?}]"), &mut out)?;
        }
        out.push(b'}');
        Ok(out)
    }

    /// The commitment a leaf holds for this envelope and salt.
    pub fn commit(&self, salt: &Salt) -> Result<Commitment, CanonicalError> {
        Ok(Commitment::from_canonical(salt, &self.canonical()?))
    }
}

/// The canonical bytes of an envelope whose `fields` are already canonical bytes.
pub fn envelope_canonical(
    fields: &[u8],
    ip: Option<&str>,
    url: Option<&str>,
    user_agent: Option<&str>,
    reason: Option<&str>,
) -> Result<Vec<u8>, CanonicalError> {
    let mut out = Vec::with_capacity(fields.len() + 256);
    out.extend_from_slice(b"{\"fields\":");
    out.extend_from_slice(fields);
    for (k, v) in [
        ("ip", ip),
        ("reason", reason),
        ("url", url),
        ("user_agent", user_agent),
    ] {
        out.extend_from_slice(b",\"");
        out.extend_from_slice(k.as_bytes());
        out.extend_from_slice(b"\":");
        match v {
            Some(s) => write_nfc_string(s, || format!("$.{k}"), &mut out)?,
            None => out.extend_from_slice(b"null"),
        }
    }
    out.push(b'}');
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::super::canonical::to_canonical;
    use super::*;

    fn consent() -> Leaf {
        let mut l = Leaf::new(
            7,
            "0192f0c4-0000-7000-8000-000000000000".into(),
            LeafKind::Given,
            "2026-01-05T10:00:00Z".into(),
            "2026-01-05T10:00:01Z".into(),
        );
        l.agreement = Some("personal-data".into());
        l.revision = Some(2);
        l.checkbox = Some(Checkbox {
            checked_by_default: false,
            required: true,
        });
        l.commitment = Some("ab".repeat(32));
        l
    }

    #[test]
    fn the_canonical_leaf_has_every_key_sorted() {
        let bytes = consent().canonical().unwrap();
        let text = String::from_utf8(bytes).unwrap();
        assert!(text.starts_with(r#"{"agreement":"personal-data","at":"2026-01-05T10:00:00Z","channel":null,"checkbox":{"checked_by_default":false,"required":true},"commitment":"abab"#), "{text}");
        assert!(text.ends_with(r#""v":1,"withdraws":null}"#), "{text}");
        assert_eq!(text.matches("\":").count(), 19 + 2);
    }

    proptest::proptest! {
        #[test]
        fn the_fast_writer_is_the_canonical_form(
            seq in 1u64..u64::MAX,
            kind in 0usize..7,
            strings in proptest::collection::vec(proptest::option::of("[a-zа-я0-9 \"\\\\\u{0}-\u{1f}\u{2028}😀]{0,12}"), 9),
            ints in proptest::collection::vec(proptest::option::of(0u32..u32::MAX), 3),
            withdraws in proptest::option::of(0u64..u64::MAX),
            cb in proptest::option::of((proptest::bool::ANY, proptest::bool::ANY)),
        ) {
            let s = |i: usize| strings[i].clone();
            let mut l = Leaf::new(seq, s(0).unwrap_or_default(), LeafKind::ALL[kind], s(1).unwrap_or_default(), s(2).unwrap_or_default());
            l.agreement = s(3);
            l.requisites = s(4);
            l.source = s(5);
            l.text_sha256 = s(6);
            l.channel = s(7);
            l.external_id = s(8);
            l.commitment = s(0);
            l.data_sha256 = s(1);
            l.revision = ints[0];
            l.requisites_revision = ints[1];
            l.source_revision = ints[2];
            l.withdraws = withdraws;
            l.checkbox = cb.map(|(a, b)| Checkbox { checked_by_default: a, required: b });
            proptest::prop_assert_eq!(l.canonical().unwrap(), to_canonical(&l.to_value()).unwrap());
        }

        #[test]
        fn the_envelope_writer_is_the_canonical_form(
            fields in proptest::collection::btree_map("[a-zа-яё \"\\\\\u{0}-\u{1f}😀]{0,8}", "[a-zа-я0-9 \"\\\\\u{0}-\u{1f}\u{2028}😀]{0,12}", 0..5),
            parts in proptest::collection::vec(proptest::option::of("[a-z0-9:/. \"\u{1}]{0,20}"), 4),
        ) {
            let e = Envelope { fields, ip: parts[0].clone(), url: parts[1].clone(), user_agent: parts[2].clone(), reason: parts[3].clone() };
            proptest::prop_assert_eq!(e.canonical().unwrap(), to_canonical(&e.to_value()).unwrap());
        }
    }

    #[test]
    fn a_leaf_reads_back_and_refuses_other_shapes() {
        let l = consent();
        let v = l.to_value();
        assert_eq!(Leaf::from_value(&v).unwrap(), l);
        let mut extra = v.clone();
        extra["x"] = json!(1);
        assert!(Leaf::from_value(&extra).is_err());
        let mut missing = v.clone();
        missing.as_object_mut().unwrap().remove("channel");
        assert!(Leaf::from_value(&missing).is_err());
        let mut v2 = v;
        v2["v"] = json!(2);
        assert!(Leaf::from_value(&v2).is_err());
    }

    #[test]
    fn a_non_nfc_value_has_no_leaf_hash() {
        let mut l = consent();
        l.external_id = Some("e\u{301}".into());
        assert!(l.hash().is_err());
    }

    #[test]
    fn the_envelope_commitment_changes_with_any_field_and_the_salt() {
        let mut e = Envelope::default();
        e.fields.insert("имя".into(), "Иван".into());
        e.ip = Some("203.0.113.7".into());
        let s1 = Salt([1; 32]);
        let s2 = Salt([2; 32]);
        let c = e.commit(&s1).unwrap();
        assert_ne!(c, e.commit(&s2).unwrap());
        let mut e2 = e.clone();
        e2.fields.insert("имя".into(), "Иван ".into());
        assert_ne!(c, e2.commit(&s1).unwrap());
        assert_eq!(
            String::from_utf8(e.canonical().unwrap()).unwrap(),
            r#"{"fields":{"имя":"Иван"},"ip":"203.0.113.7","reason":null,"url":null,"user_agent":null}"#
        );
    }
}
