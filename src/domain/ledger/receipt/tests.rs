//! Receipts made here from a tree in memory: a good one passes every check, and each
//! single-byte change to its proof fails one.

use serde_json::{Value, json};

use super::*;
use crate::domain::ledger::leaf::LeafKind;
use crate::domain::ledger::note::SigningKey;
use crate::domain::ledger::stored::{MemoryHashes, consistency_proof, inclusion_proof, tree_root};

const TEXT: &str = "Я даю согласие ООО «Ромашка» на обработку моих персональных данных.";

fn key() -> SigningKey {
    SigningKey::from_seed("shop.example/consents", [7; 32]).unwrap()
}

fn envelope() -> Envelope {
    let mut e = Envelope::default();
    e.fields.insert("E-mail".into(), "ivan@example.ru".into());
    e.fields.insert("Имя".into(), "Иван".into());
    e.ip = Some("203.0.113.7".into());
    e
}

fn leaf(seq: u64, salt: &Salt) -> Leaf {
    let mut l = Leaf::new(
        seq,
        format!("0190f0c4-0000-7000-8000-{seq:012}"),
        LeafKind::Given,
        "2026-11-30T09:00:00Z".into(),
        "2026-11-30T09:00:01Z".into(),
    );
    l.agreement = Some("personal-data".into());
    l.revision = Some(2);
    l.source = Some("contact-form".into());
    l.source_revision = Some(4);
    l.requisites = Some("main".into());
    l.requisites_revision = Some(3);
    l.checkbox = Some(crate::domain::ledger::Checkbox {
        checked_by_default: false,
        required: true,
    });
    l.text_sha256 = Some(sha256_hex(TEXT.as_bytes()));
    l.commitment = Some(hex(&envelope().commit(salt).unwrap().0));
    l
}

/// A tree of `size` leaves whose leaf `seq` is a consent; with its hashes.
fn tree(size: u64, seq: u64, salt: &Salt) -> (MemoryHashes, Leaf) {
    let mut mem = MemoryHashes::new();
    let mut the = None;
    for s in 1..=size {
        let l = leaf(s, salt);
        mem.append(l.hash().unwrap()).unwrap();
        if s == seq {
            the = Some(l);
        }
    }
    (mem, the.unwrap())
}

fn signed(mem: &MemoryHashes, size: u64) -> String {
    Checkpoint {
        origin: "shop.example/consents".into(),
        size,
        root: tree_root(size, mem).unwrap(),
        extensions: vec![],
    }
    .sign(&[&key()])
    .unwrap()
}

fn receipt(mem: &MemoryHashes, size: u64, l: &Leaf, salt: &Salt, erased: bool) -> Value {
    let tlog = TlogProof {
        extra: None,
        index: l.seq - 1,
        hashes: inclusion_proof(l.seq - 1, size, mem).unwrap(),
        checkpoint: signed(mem, size),
    };
    let e = envelope();
    json!({
        "version": KANTARA_VERSION,
        "services": [{"service": "ПДн", "purposes": [
            {"purpose": "обратная связь", "consentType": "EXPLICIT"},
            {"purpose": "ответ на вопрос", "consentType": "EXPLICIT"},
        ]}],
        "consentReceiptID": l.id,
        "consentTimestamp": timestamp(&l.at),
        "pdconsent": {
            "format": RECEIPT_FORMAT,
            "seq": l.seq,
            "at": l.at,
            "recorded_at": l.recorded_at,
            "event": "given",
            "agreement": {"code": "personal-data", "revision": 2, "name": "ПДн"},
            "requisites": {"code": "main", "revision": 3},
            "source": {"code": "contact-form", "revision": 4},
            "checkbox": {"checked_by_default": false, "required": true},
            "withdraws": null,
            "channel": null,
            "text_sha256": l.text_sha256,
            "text": TEXT,
            "subject": if erased { Value::Null } else { e.to_value() },
            "erased_at": if erased { json!("2026-12-30T10:00:00Z") } else { Value::Null },
        },
        "proof": {
            "leaf": String::from_utf8(l.canonical().unwrap()).unwrap(),
            "envelope": if erased { Value::Null } else { json!({
                "salt": hex(&salt.0),
                "canonical": String::from_utf8(e.canonical().unwrap()).unwrap(),
            })},
            "tlog_proof": tlog.to_text(),
        },
    })
}

fn failed(checks: &[Check]) -> Vec<&'static str> {
    checks.iter().filter(|c| !c.ok).map(|c| c.name).collect()
}

#[test]
fn a_good_receipt_passes_every_check() {
    let salt = Salt([9; 32]);
    let (mem, l) = tree(13, 5, &salt);
    let r = receipt(&mem, 13, &l, &salt, false).to_string();
    let checks = verify(&r, &[key().verifier()], None);
    assert_eq!(failed(&checks), Vec::<&str>::new(), "{checks:#?}");
    let names: Vec<_> = checks.iter().map(|c| c.name).collect();
    assert_eq!(
        names,
        [
            "receipt",
            "leaf",
            "signature",
            "inclusion",
            "commitment",
            "statement"
        ]
    );
}

#[test]
fn another_key_fails_the_signature_and_what_depends_on_it() {
    let salt = Salt([9; 32]);
    let (mem, l) = tree(4, 4, &salt);
    let r = receipt(&mem, 4, &l, &salt, false).to_string();
    let other = SigningKey::from_seed("shop.example/consents", [8; 32]).unwrap();
    let checks = verify(&r, &[other.verifier()], None);
    assert_eq!(failed(&checks), ["signature", "inclusion"]);
}

#[test]
fn each_byte_changed_in_the_proof_fails_the_receipt() {
    let salt = Salt([3; 32]);
    let (mem, l) = tree(6, 3, &salt);
    let good = receipt(&mem, 6, &l, &salt, false);
    let known = [key().verifier()];
    for pointer in [
        "/proof/leaf",
        "/proof/envelope/salt",
        "/proof/envelope/canonical",
        "/proof/tlog_proof",
    ] {
        let original = good.pointer(pointer).unwrap().as_str().unwrap().to_string();
        for i in 0..original.len() {
            if !original.is_char_boundary(i) || !original.is_char_boundary(i + 1) {
                continue;
            }
            for replacement in [b'0', b'x'] {
                let mut bytes = original.clone().into_bytes();
                if bytes[i] == replacement {
                    continue;
                }
                bytes[i] = replacement;
                let mut r = good.clone();
                *r.pointer_mut(pointer).unwrap() = Value::String(String::from_utf8(bytes).unwrap());
                let checks = verify(&r.to_string(), &known, None);
                assert!(
                    !failed(&checks).is_empty(),
                    "{pointer} byte {i} set to {:?} still verifies",
                    replacement as char
                );
            }
        }
    }
}

#[test]
fn a_changed_statement_fails_the_statement_check() {
    let salt = Salt([3; 32]);
    let (mem, l) = tree(6, 3, &salt);
    let good = receipt(&mem, 6, &l, &salt, false);
    let known = [key().verifier()];
    for (pointer, value) in [
        ("/consentReceiptID", json!("another")),
        ("/consentTimestamp", json!(0)),
        ("/pdconsent/text", json!(format!("{TEXT} "))),
        ("/pdconsent/agreement/revision", json!(1)),
        ("/pdconsent/subject/fields/Имя", json!("Пётр")),
        // What the fuzzing found unchecked: a pre-ticked box stated as explicit and the
        // other way round, the requisites, the revisions, what a withdrawal ends, the channel.
        ("/pdconsent/checkbox/checked_by_default", json!(true)),
        ("/pdconsent/checkbox/required", json!(false)),
        ("/services/0/purposes/1/consentType", json!("PRE-TICKED")),
        ("/pdconsent/requisites/code", json!("other")),
        ("/pdconsent/requisites/revision", json!(1)),
        ("/pdconsent/source/revision", json!(1)),
        ("/pdconsent/recorded_at", json!("2026-11-30T09:00:00Z")),
        ("/pdconsent/withdraws", json!(12)),
        ("/pdconsent/channel", json!("email")),
    ] {
        let mut r = good.clone();
        *r.pointer_mut(pointer).unwrap() = value;
        assert_eq!(
            failed(&verify(&r.to_string(), &known, None)),
            ["statement"],
            "{pointer}"
        );
    }
}

#[test]
fn an_erased_receipt_fails_only_the_commitment_and_says_why() {
    let salt = Salt([3; 32]);
    let (mem, l) = tree(6, 3, &salt);
    let r = receipt(&mem, 6, &l, &salt, true).to_string();
    let checks = verify(&r, &[key().verifier()], None);
    assert_eq!(failed(&checks), ["commitment"]);
    let c = checks.iter().find(|c| c.name == "commitment").unwrap();
    assert!(
        c.detail.contains("erased on 2026-12-30T10:00:00Z"),
        "{}",
        c.detail
    );
}

#[test]
fn a_receipt_at_10_verifies_against_a_checkpoint_at_10000() {
    let salt = Salt([5; 32]);
    let (mem, l) = tree(10_000, 10, &salt);
    let r = receipt(&mem, 10, &l, &salt, false).to_string();
    let newer = signed(&mem, 10_000);
    let proof = ConsistencyProof {
        old: 10,
        new: 10_000,
        hashes: consistency_proof(10, 10_000, &mem).unwrap(),
    }
    .to_text();
    let known = [key().verifier()];
    let checks = verify(
        &r,
        &known,
        Some(Newer {
            checkpoint: &newer,
            consistency: &proof,
        }),
    );
    assert_eq!(failed(&checks), Vec::<&str>::new(), "{checks:#?}");
    // A proof to another size, or a checkpoint of a different tree, does not link them.
    let wrong = ConsistencyProof {
        old: 10,
        new: 9_999,
        hashes: consistency_proof(10, 9_999, &mem).unwrap(),
    }
    .to_text();
    let checks = verify(
        &r,
        &known,
        Some(Newer {
            checkpoint: &newer,
            consistency: &wrong,
        }),
    );
    assert_eq!(failed(&checks), ["consistency"]);
}

#[test]
fn extract_finds_the_block_in_text_and_refuses_two() {
    let text = format!("Квитанция\n\n{BEGIN}\n{{\"a\":1}}\n{END}\n");
    assert_eq!(extract(&text).unwrap(), "{\"a\":1}");
    assert_eq!(extract("  {\"a\":1}\n").unwrap(), "{\"a\":1}");
    assert!(extract("nothing here").is_err());
    assert!(extract(&format!("{text}{text}")).is_err());
    assert!(extract(&format!("{BEGIN}\n{{}}")).is_err());
}

#[test]
fn garbage_never_panics_and_never_passes() {
    let known = [key().verifier()];
    for s in [
        "",
        "[]",
        "{}",
        "{\"pdconsent\":{\"format\":\"pdconsent/receipt@v1\"}}",
        "{\"proof\":1}",
    ] {
        let checks = verify(s, &known, None);
        assert!(!failed(&checks).is_empty(), "{s}");
    }
}
