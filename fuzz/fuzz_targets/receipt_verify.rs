//! `receipt verify` on mutated real receipts: the seeds are receipts the binary
//! issued (fuzz/seeds/receipt_verify/, made by make-receipts.sh), in JSON, text
//! and HTML; the input is read as the command reads a receipt file
//! (`receipt::extract`, then `receipt::verify` against the seeds' verifier key).
//!
//! Asserts: no panic; and no forgery accepted. A receipt is *accepted* when
//! `verify` returns checks and every one passes (exit 0 of `receipt verify`).
//! What an accepted receipt proves is its *proven content*: `proof.leaf`,
//! `proof.envelope`, and the members the `statement` check ties to them
//! (docs/ledger.md, "The checks"): `consentReceiptID`, `consentTimestamp`,
//! `pdconsent.seq`, `.at`, `.event`, `.agreement.code`, `.agreement.revision`,
//! `.source.code`, `.text_sha256`, `pdconsent.text` when present, and
//! `pdconsent.subject` when the envelope is opened. An accepted input must have
//! the proven content of one of the seeds, compared as JSON values: layout,
//! key order and the members outside it (the controller's address, the purposes
//! listed...) may differ, and a receipt without `pdconsent.text` states no text.

#![no_main]

use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use pdconsent::domain::ledger::note::Verifier;
use pdconsent::domain::ledger::receipt;
use serde_json::Value;

const SEEDS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/seeds/receipt_verify");

/// The members `statement` compares with the leaf (always).
const STATED: &[&str] = &[
    "/consentReceiptID",
    "/consentTimestamp",
    "/pdconsent/seq",
    "/pdconsent/at",
    "/pdconsent/event",
    "/pdconsent/agreement/code",
    "/pdconsent/agreement/revision",
    "/pdconsent/source/code",
    "/pdconsent/text_sha256",
];

/// The proven content of an accepted receipt.
fn proven(v: &Value) -> Vec<Value> {
    let at = |p: &str| v.pointer(p).cloned().unwrap_or(Value::Null);
    let mut out = vec![at("/proof/leaf"), at("/proof/envelope")];
    out.extend(STATED.iter().map(|p| at(p)));
    out
}

struct Seeds {
    known: Vec<Verifier>,
    /// Each seed's proven content, its text and its subject.
    content: Vec<(Vec<Value>, Value, Value)>,
}

fn seeds() -> &'static Seeds {
    static SEEDS_READ: OnceLock<Seeds> = OnceLock::new();
    SEEDS_READ.get_or_init(|| {
        let vkey = std::fs::read_to_string(format!("{SEEDS}/vkey")).expect("the seeds' vkey");
        let known = vec![Verifier::parse(vkey.trim()).expect("a verifier key")];
        let mut content = Vec::new();
        let mut names: Vec<_> = std::fs::read_dir(SEEDS)
            .expect("the seed receipts")
            .map(|e| e.expect("a directory entry").path())
            .filter(|p| p.extension().is_some_and(|e| e == "json"))
            .collect();
        names.sort();
        for path in names {
            let text = std::fs::read_to_string(&path).expect("a seed receipt");
            let v: Value = serde_json::from_str(&text).expect("a JSON receipt");
            let at = |p: &str| v.pointer(p).cloned().unwrap_or(Value::Null);
            content.push((proven(&v), at("/pdconsent/text"), at("/pdconsent/subject")));
        }
        assert!(!content.is_empty(), "no seed receipts in {SEEDS}");
        Seeds { known, content }
    })
}

fuzz_target!(|data: &[u8]| {
    // `receipt verify` reads the file as UTF-8 text.
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let seeds = seeds();
    let _ = receipt::embedded_checkpoint(text);
    let Ok(json) = receipt::extract(text) else {
        return;
    };
    let checks = receipt::verify(json, &seeds.known, None);
    assert!(!checks.is_empty(), "verify returns its checks");
    if !checks.iter().all(|c| c.ok) {
        return;
    }
    // Accepted: it must prove what one of the seeds proves.
    let v: Value = serde_json::from_str(json).expect("an accepted receipt is JSON");
    let mine = proven(&v);
    let at = |p: &str| v.pointer(p).cloned().unwrap_or(Value::Null);
    let (text, subject) = (at("/pdconsent/text"), at("/pdconsent/subject"));
    let opened = !mine[1].is_null();
    let same = seeds.content.iter().any(|(c, t, s)| {
        *c == mine && (text.is_null() || text == *t) && (!opened || subject == *s)
    });
    assert!(
        same,
        "accepted a receipt whose proven content is no seed's: {}",
        serde_json::to_string_pretty(&v).unwrap_or_default()
    );
});
