//! Consent receipts: the JSON a person keeps, and its offline verification.
//!
//! A receipt is a Kantara Consent Receipt 1.1 object (docs/ledger.md, "Receipts", maps each
//! field) with two members of pdconsent's own: `pdconsent`, the event as the operator states
//! it (agreement, revision, source, the exact text, the person's data, how to withdraw), and
//! `proof`, which makes the statement checkable without the operator's database:
//!
//! - `leaf`: the event's canonical leaf bytes, as a string;
//! - `envelope`: `{"salt": hex, "canonical": string}`, the person's data and the salt the
//!   leaf's commitment was made with, or `null` once the data was erased;
//! - `tlog_proof`: the inclusion proof of that leaf in a signed checkpoint, in the
//!   `c2sp.org/tlog-proof@v1` text form.
//!
//! [`verify`] names every check it makes; a receipt is good when all pass. The text and HTML
//! forms carry the same JSON between [`BEGIN`] and [`END`]; [`extract`] finds it.

use serde::{Deserialize, Serialize};
use serde_json::Value;
use sha2::{Digest, Sha256};

use super::canonical::to_canonical;
use super::checkpoint::{Checkpoint, ConsistencyProof, TlogProof};
use super::commitment::{Commitment, SALT_LEN, Salt};
use super::leaf::{Envelope, Leaf};
use super::merkle::{hex, leaf_hash, unhex32, verify_consistency, verify_inclusion};
use super::note::Verifier;

/// The value of `pdconsent.format`.
pub const RECEIPT_FORMAT: &str = "pdconsent/receipt@v1";
/// The Kantara Consent Receipt specification version a receipt follows.
pub const KANTARA_VERSION: &str = "KI-CR-v1.1.0";
/// The line before the JSON in a text or HTML receipt.
pub const BEGIN: &str = "-----BEGIN PDCONSENT RECEIPT-----";
/// The line after it.
pub const END: &str = "-----END PDCONSENT RECEIPT-----";

/// The `proof` member of a receipt.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Proof {
    /// The canonical leaf bytes (UTF-8 JSON).
    pub leaf: String,
    /// The person's data and its salt; `None` once erased.
    pub envelope: Option<Opening>,
    /// The c2sp.org/tlog-proof@v1 text: leaf index, audit path, signed checkpoint.
    pub tlog_proof: String,
}

/// An envelope and the salt that opens the leaf's commitment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Opening {
    /// The salt, 64 lowercase hex digits.
    pub salt: String,
    /// The canonical envelope bytes (UTF-8 JSON).
    pub canonical: String,
}

/// A newer signed checkpoint and the consistency proof from the receipt's checkpoint to it:
/// what shows that the leaf is still in the log as it is today.
#[derive(Debug, Clone, Copy)]
pub struct Newer<'a> {
    /// The signed checkpoint note.
    pub checkpoint: &'a str,
    /// The `pdconsent/consistency-proof@v1` text.
    pub consistency: &'a str,
}

/// One named check and what it found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Check {
    /// `receipt`, `leaf`, `signature`, `inclusion`, `commitment`, `statement`, `consistency`.
    pub name: &'static str,
    /// Whether it held.
    pub ok: bool,
    /// What was checked, or what failed.
    pub detail: String,
}

impl Check {
    fn pass(name: &'static str, detail: impl Into<String>) -> Check {
        Check {
            name,
            ok: true,
            detail: detail.into(),
        }
    }
    fn fail(name: &'static str, detail: impl Into<String>) -> Check {
        Check {
            name,
            ok: false,
            detail: detail.into(),
        }
    }
}

/// The receipt JSON inside `text`: the text itself when it is a JSON object, else what stands
/// between the [`BEGIN`] and [`END`] lines (a text or HTML receipt).
pub fn extract(text: &str) -> Result<&str, String> {
    let trimmed = text.trim_start_matches('\u{feff}').trim();
    if trimmed.starts_with('{') {
        return Ok(trimmed);
    }
    let start = text
        .find(BEGIN)
        .ok_or_else(|| format!("no JSON object and no `{BEGIN}` line"))?
        + BEGIN.len();
    let len = text[start..]
        .find(END)
        .ok_or_else(|| format!("no `{END}` line after `{BEGIN}`"))?;
    if text[start + len..].contains(BEGIN) || text[start + len + END.len()..].contains(END) {
        return Err("more than one receipt block".into());
    }
    Ok(text[start..start + len].trim())
}

/// The signed checkpoint a receipt carries, when `text` is a receipt (JSON, text or HTML).
pub fn embedded_checkpoint(text: &str) -> Option<String> {
    let value: Value = serde_json::from_str(extract(text).ok()?).ok()?;
    let tlog = value.pointer("/proof/tlog_proof")?.as_str()?;
    Some(TlogProof::parse(tlog).ok()?.checkpoint)
}

/// The seconds since 1970 of an RFC 3339 time (Kantara's `consentTimestamp`).
pub fn timestamp(at: &str) -> Option<i64> {
    chrono::DateTime::parse_from_rfc3339(at)
        .ok()
        .map(|t| t.timestamp())
}

/// SHA-256 of `bytes`, lowercase hex.
fn sha256_hex(bytes: &[u8]) -> String {
    hex(&Sha256::digest(bytes))
}

/// Checks a receipt (the JSON of [`extract`]) offline against the verifier keys `known` (the
/// operator's published key), and against a newer checkpoint when one is given. Every check
/// is returned, passed or not; the receipt holds when all pass.
pub fn verify(json: &str, known: &[Verifier], newer: Option<Newer>) -> Vec<Check> {
    let mut out = Vec::new();
    let value: Value = match serde_json::from_str(json) {
        Ok(v @ Value::Object(_)) => v,
        Ok(_) => return vec![Check::fail("receipt", "the receipt is not a JSON object")],
        Err(e) => return vec![Check::fail("receipt", format!("not valid JSON: {e}"))],
    };
    let format = value.pointer("/pdconsent/format").and_then(Value::as_str);
    if format != Some(RECEIPT_FORMAT) {
        return vec![Check::fail(
            "receipt",
            format!("`pdconsent.format` is not `{RECEIPT_FORMAT}`"),
        )];
    }
    let proof: Proof = match value
        .get("proof")
        .cloned()
        .map(serde_json::from_value)
        .transpose()
    {
        Ok(Some(p)) => p,
        Ok(None) => return vec![Check::fail("receipt", "the receipt has no `proof`")],
        Err(e) => return vec![Check::fail("receipt", format!("`proof`: {e}"))],
    };
    out.push(Check::pass("receipt", RECEIPT_FORMAT));

    // The leaf: canonical bytes of a well-formed leaf.
    let leaf = match read_leaf(&proof.leaf) {
        Ok(l) => {
            out.push(Check::pass(
                "leaf",
                format!("seq {}, a `{}` event", l.seq, l.kind.as_str()),
            ));
            Some(l)
        }
        Err(e) => {
            out.push(Check::fail("leaf", e));
            None
        }
    };

    // The checkpoint's signature, then the audit path from the leaf to its root.
    let tlog = TlogProof::parse(&proof.tlog_proof);
    let checkpoint = match &tlog {
        Ok(t) => match Checkpoint::open(&t.checkpoint, known) {
            Ok((cp, note)) => {
                let by: Vec<String> = note.verified().map(|s| s.label()).collect();
                out.push(Check::pass(
                    "signature",
                    format!(
                        "checkpoint of {} leaves of `{}`, signed by {}",
                        cp.size,
                        cp.origin,
                        by.join(", ")
                    ),
                ));
                Some(cp)
            }
            Err(e) => {
                out.push(Check::fail("signature", e.to_string()));
                None
            }
        },
        Err(e) => {
            out.push(Check::fail("signature", format!("the tlog proof: {e}")));
            None
        }
    };
    match (&tlog, &checkpoint, &leaf) {
        (Ok(t), Some(cp), Some(l)) => {
            let hash = leaf_hash(proof.leaf.as_bytes());
            if t.index + 1 != l.seq {
                out.push(Check::fail(
                    "inclusion",
                    format!(
                        "the proof is for leaf index {}, the leaf is seq {} (index {})",
                        t.index,
                        l.seq,
                        l.seq.saturating_sub(1)
                    ),
                ));
            } else {
                match verify_inclusion(t.index, cp.size, &hash, &t.hashes, &cp.root) {
                    Ok(()) => out.push(Check::pass(
                        "inclusion",
                        format!(
                            "leaf {} ({}) is in the tree of {} leaves",
                            l.seq,
                            hex(&hash),
                            cp.size
                        ),
                    )),
                    Err(e) => out.push(Check::fail("inclusion", e.to_string())),
                }
            }
        }
        _ => out.push(Check::fail(
            "inclusion",
            "not checked: the leaf or the signed checkpoint is not usable",
        )),
    }

    let envelope = leaf
        .as_ref()
        .map(|l| check_commitment(l, proof.envelope.as_ref(), &value, &mut out));
    if let Some(l) = &leaf {
        out.push(check_statement(l, envelope.flatten().as_ref(), &value));
    }

    if let Some(n) = newer {
        out.push(check_newer(checkpoint.as_ref(), n, known));
    }
    out
}

/// Parses the leaf string and checks that it is the leaf's canonical form.
fn read_leaf(text: &str) -> Result<Leaf, String> {
    let value: Value =
        serde_json::from_str(text).map_err(|e| format!("the leaf is not JSON: {e}"))?;
    let leaf = Leaf::from_value(&value).map_err(|e| format!("the leaf: {e}"))?;
    let canonical = leaf
        .canonical()
        .map_err(|e| format!("the leaf has no canonical form: {e}"))?;
    if canonical != text.as_bytes() {
        return Err("the leaf is not in its canonical form (docs/ledger.md)".into());
    }
    Ok(leaf)
}

/// The commitment check; the opened envelope when it holds.
fn check_commitment(
    leaf: &Leaf,
    opening: Option<&Opening>,
    receipt: &Value,
    out: &mut Vec<Check>,
) -> Option<Envelope> {
    let Some(commitment) = &leaf.commitment else {
        out.push(match opening {
            None => Check::pass("commitment", "the event carries no personal data"),
            Some(_) => Check::fail(
                "commitment",
                "the receipt holds data, but the leaf commits to none",
            ),
        });
        return None;
    };
    let Some(o) = opening else {
        let when = receipt
            .pointer("/pdconsent/erased_at")
            .and_then(Value::as_str)
            .map(|at| format!(" on {at}"))
            .unwrap_or_default();
        out.push(Check::fail(
            "commitment",
            format!(
                "the person's data was erased{when}: the commitment {commitment} cannot be opened; \
                 the leaf still proves the event"
            ),
        ));
        return None;
    };
    let result = (|| {
        let salt = unhex32(&o.salt)
            .filter(|_| o.salt.len() == 2 * SALT_LEN && o.salt == o.salt.to_lowercase())
            .ok_or("the salt is not 64 lowercase hex digits")?;
        let value: Value = serde_json::from_str(&o.canonical)
            .map_err(|e| format!("the envelope is not JSON: {e}"))?;
        let envelope: Envelope = serde_json::from_value(value.clone())
            .map_err(|e| format!("the envelope is not an envelope: {e}"))?;
        let canonical = to_canonical(&value).map_err(|e| format!("the envelope: {e}"))?;
        if canonical != o.canonical.as_bytes()
            || to_canonical(&envelope.to_value()) != Ok(canonical)
        {
            return Err("the envelope is not in its canonical form".to_string());
        }
        let made = Commitment::from_canonical(&Salt(salt), o.canonical.as_bytes());
        if hex(&made.0) != *commitment {
            return Err(format!(
                "SHA-256(salt ‖ envelope) is {}, the leaf commits to {commitment}",
                hex(&made.0)
            ));
        }
        Ok(envelope)
    })();
    match result {
        Ok(e) => {
            out.push(Check::pass(
                "commitment",
                format!("the person's data opens the leaf's commitment {commitment}"),
            ));
            Some(e)
        }
        Err(e) => {
            out.push(Check::fail("commitment", e));
            None
        }
    }
}

/// Whether what the receipt states agrees with the leaf (and the envelope, when opened): the
/// id, time, event, agreement, revision, source, text and its hash, and the person's data.
fn check_statement(leaf: &Leaf, envelope: Option<&Envelope>, receipt: &Value) -> Check {
    let mut wrong: Vec<String> = Vec::new();
    let s = |p: &str| receipt.pointer(p).cloned().unwrap_or(Value::Null);
    let same = |wrong: &mut Vec<String>, what: &str, stated: Value, pinned: Value| {
        if stated != pinned {
            wrong.push(format!("{what} is {stated}, the leaf says {pinned}"));
        }
    };
    same(
        &mut wrong,
        "consentReceiptID",
        s("/consentReceiptID"),
        leaf.id.clone().into(),
    );
    same(
        &mut wrong,
        "consentTimestamp",
        s("/consentTimestamp"),
        timestamp(&leaf.at).into(),
    );
    same(
        &mut wrong,
        "pdconsent.seq",
        s("/pdconsent/seq"),
        leaf.seq.into(),
    );
    same(
        &mut wrong,
        "pdconsent.at",
        s("/pdconsent/at"),
        leaf.at.clone().into(),
    );
    same(
        &mut wrong,
        "pdconsent.event",
        s("/pdconsent/event"),
        leaf.kind.as_str().into(),
    );
    same(
        &mut wrong,
        "pdconsent.agreement.code",
        s("/pdconsent/agreement/code"),
        leaf.agreement.clone().into(),
    );
    same(
        &mut wrong,
        "pdconsent.agreement.revision",
        s("/pdconsent/agreement/revision"),
        leaf.revision.into(),
    );
    same(
        &mut wrong,
        "pdconsent.source.code",
        s("/pdconsent/source/code"),
        leaf.source.clone().into(),
    );
    same(
        &mut wrong,
        "pdconsent.text_sha256",
        s("/pdconsent/text_sha256"),
        leaf.text_sha256.clone().into(),
    );
    same(
        &mut wrong,
        "pdconsent.recorded_at",
        s("/pdconsent/recorded_at"),
        leaf.recorded_at.clone().into(),
    );
    same(
        &mut wrong,
        "pdconsent.requisites.code",
        s("/pdconsent/requisites/code"),
        leaf.requisites.clone().into(),
    );
    same(
        &mut wrong,
        "pdconsent.requisites.revision",
        s("/pdconsent/requisites/revision"),
        leaf.requisites_revision.into(),
    );
    same(
        &mut wrong,
        "pdconsent.source.revision",
        s("/pdconsent/source/revision"),
        leaf.source_revision.into(),
    );
    // Whether the box was ticked before the person touched it: what 152-FZ cares about most.
    let checkbox = leaf.checkbox.map_or(
        Value::Null,
        |c| serde_json::json!({"checked_by_default": c.checked_by_default, "required": c.required}),
    );
    same(
        &mut wrong,
        "pdconsent.checkbox",
        s("/pdconsent/checkbox"),
        checkbox,
    );
    let pre_ticked = leaf.checkbox.is_some_and(|c| c.checked_by_default);
    let expected_type = if pre_ticked { "PRE-TICKED" } else { "EXPLICIT" };
    for (i, service) in s("/services").as_array().into_iter().flatten().enumerate() {
        for (j, purpose) in service["purposes"]
            .as_array()
            .into_iter()
            .flatten()
            .enumerate()
        {
            same(
                &mut wrong,
                &format!("services[{i}].purposes[{j}].consentType"),
                purpose["consentType"].clone(),
                expected_type.into(),
            );
        }
    }
    same(
        &mut wrong,
        "pdconsent.withdraws",
        s("/pdconsent/withdraws"),
        leaf.withdraws.into(),
    );
    same(
        &mut wrong,
        "pdconsent.channel",
        s("/pdconsent/channel"),
        leaf.channel.clone().into(),
    );
    match s("/pdconsent/text") {
        Value::String(t) => same(
            &mut wrong,
            "the SHA-256 of pdconsent.text",
            sha256_hex(t.as_bytes()).into(),
            leaf.text_sha256.clone().into(),
        ),
        Value::Null => {}
        other => wrong.push(format!("pdconsent.text is {other}, not the text")),
    }
    if let Some(e) = envelope {
        same(
            &mut wrong,
            "pdconsent.subject",
            s("/pdconsent/subject"),
            serde_json::json!({
                "fields": e.fields,
                "ip": e.ip,
                "url": e.url,
                "user_agent": e.user_agent,
                "reason": e.reason,
            }),
        );
    }
    if wrong.is_empty() {
        Check::pass(
            "statement",
            "the receipt's id, times, event, agreement, requisites, source, checkbox, withdrawal, text and data are the leaf's",
        )
    } else {
        Check::fail("statement", wrong.join("; "))
    }
}

/// The newer checkpoint's signature, and that it extends the receipt's.
fn check_newer(old: Option<&Checkpoint>, newer: Newer, known: &[Verifier]) -> Check {
    let Some(old) = old else {
        return Check::fail(
            "consistency",
            "not checked: the receipt's own checkpoint is not usable",
        );
    };
    let new = match Checkpoint::open(newer.checkpoint, known) {
        Ok((c, _)) => c,
        Err(e) => return Check::fail("consistency", format!("the newer checkpoint: {e}")),
    };
    if new.origin != old.origin {
        return Check::fail(
            "consistency",
            format!(
                "the newer checkpoint is of `{}`, the receipt's of `{}`",
                new.origin, old.origin
            ),
        );
    }
    let proof = match ConsistencyProof::parse(newer.consistency) {
        Ok(p) => p,
        Err(e) => return Check::fail("consistency", e.to_string()),
    };
    if proof.old != old.size || proof.new != new.size {
        return Check::fail(
            "consistency",
            format!(
                "the proof is from {} to {} leaves; the checkpoints are of {} and {}",
                proof.old, proof.new, old.size, new.size
            ),
        );
    }
    match verify_consistency(old.size, new.size, &proof.hashes, &old.root, &new.root) {
        Ok(()) => Check::pass(
            "consistency",
            format!(
                "the tree of {} leaves extends the receipt's tree of {}",
                new.size, old.size
            ),
        ),
        Err(e) => Check::fail("consistency", e.to_string()),
    }
}

#[cfg(test)]
mod tests;
