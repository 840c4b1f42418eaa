//! Gathers a receipt from the store: the event's leaf and envelope, the revisions it pins,
//! the exact text, a signed checkpoint that covers it and the inclusion proof to that
//! checkpoint. The JSON's shape is docs/ledger.md's "Receipts".

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};

use crate::cmd::Result;
use crate::domain::agreement::Language;
use crate::domain::ledger::receipt::{KANTARA_VERSION, Opening, Proof, RECEIPT_FORMAT, timestamp};
use crate::domain::ledger::{TlogProof, destruction_deadline};
use crate::storage::{CheckpointRecord, LeafRow, Tx};

/// A receipt: Kantara Consent Receipt 1.1 members, then pdconsent's own.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Receipt {
    pub version: String,
    pub jurisdiction: String,
    pub consent_timestamp: Option<i64>,
    pub collection_method: String,
    #[serde(rename = "consentReceiptID")]
    pub consent_receipt_id: String,
    pub public_key: String,
    pub language: String,
    pub pii_principal_id: Option<String>,
    pub pii_controllers: Vec<Controller>,
    pub policy_url: Option<String>,
    pub services: Vec<Service>,
    pub sensitive: bool,
    pub spi_cat: Vec<String>,
    pub pdconsent: Details,
    pub proof: Proof,
}

/// Kantara's `piiControllers[]`: the operator.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Controller {
    pub pii_controller: String,
    pub on_behalf: bool,
    pub contact: Option<String>,
    pub address: Option<String>,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub pii_controller_url: Option<String>,
}

/// Kantara's `services[]`: the agreement, one service with its purposes.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Service {
    pub service: String,
    pub purposes: Vec<Purpose>,
}

/// Kantara's `purposes[]`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Purpose {
    pub purpose: String,
    pub purpose_category: Vec<String>,
    pub consent_type: String,
    pub pii_category: Vec<String>,
    pub primary_purpose: bool,
    pub termination: String,
    pub third_party_disclosure: bool,
    pub third_party_name: Option<String>,
}

/// pdconsent's statement of the event; `receipt verify` checks the parts the leaf pins.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Details {
    pub format: String,
    pub seq: u64,
    /// `given`, `refused` or `withdrawn`.
    pub event: String,
    pub at: String,
    pub recorded_at: String,
    pub issued_at: String,
    pub time_zone: String,
    pub operator: Operator,
    pub agreement: Option<Pinned>,
    pub requisites: Option<Pinned>,
    pub source: Option<SourceRef>,
    pub text_sha256: Option<String>,
    pub text: Option<String>,
    pub checkbox: Option<crate::domain::ledger::Checkbox>,
    /// For a withdrawal: the consent it ends, and how it came.
    pub withdraws: Option<u64>,
    pub channel: Option<String>,
    pub subject: Option<serde_json::Value>,
    pub erased_at: Option<String>,
    pub withdrawal: Withdrawal,
    /// The log and the checkpoint the proof leads to.
    pub log: LogRef,
}

/// The operator as the pinned requisites name it.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Operator {
    pub name: String,
    pub full_name: Option<String>,
    pub inn: Option<String>,
    pub ogrn: Option<String>,
    pub address: Option<String>,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub website: Option<String>,
    pub dpo: Option<String>,
}

/// An agreement or requisites set at the revision the event pins.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Pinned {
    pub code: String,
    pub revision: Option<u32>,
    pub name: Option<String>,
}

/// The form or chat.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SourceRef {
    pub code: String,
    pub revision: Option<u32>,
    pub name: Option<String>,
    /// `form` or `openline`.
    pub kind: Option<String>,
    pub url: Option<String>,
}

/// How to withdraw, and what the operator must do then (art. 21 §5).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Withdrawal {
    pub email: Option<String>,
    pub address: Option<String>,
    /// Days after a withdrawal within which processing stops and the data is destroyed.
    pub destroy_within_days: u64,
    /// When this consent was withdrawn (its seq and time), if it was.
    pub withdrawn_by: Option<u64>,
    pub withdrawn_at: Option<String>,
    /// The last day (in `time_zone`) the data may be kept after that withdrawal.
    pub destroy_by_date: Option<String>,
}

/// Where the proof leads.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct LogRef {
    pub origin: String,
    pub tree_size: u64,
    pub signed_at: String,
    /// The verifier key that signed the checkpoint.
    pub vkey: String,
}

/// Everything a receipt is built from, looked up by the command.
pub struct Parts<'a> {
    pub row: &'a LeafRow,
    pub checkpoint: &'a CheckpointRecord,
    pub vkey: &'a str,
    pub tz: Tz,
    pub now: &'a str,
}

/// The receipt of the event in `parts.row`.
pub fn build(tx: &Tx, parts: Parts) -> Result<Receipt> {
    let leaf = &parts.row.leaf;
    let agreement = match (&leaf.agreement, leaf.revision) {
        (Some(code), Some(rev)) => Some((code.clone(), tx.agreement_revision(code, rev)?)),
        _ => None,
    };
    let settings = agreement.as_ref().map(|(_, a)| &a.settings);
    let lang = settings.map_or(Language::Ru, |s| s.language);
    let requisites = match (&leaf.requisites, leaf.requisites_revision) {
        (Some(code), Some(rev)) => Some(tx.requisites_revision(code, rev)?.requisites),
        _ => match settings {
            // A withdrawal pins no requisites: the agreement's, as they are now.
            Some(s) => tx.requisites_find(&s.requisites)?.map(|r| r.requisites),
            None => None,
        },
    };
    let source = match (&leaf.source, leaf.source_revision) {
        (Some(code), Some(rev)) => Some(tx.source_revision(code, rev)?.source),
        _ => None,
    };
    let envelope = match parts.row.envelope {
        Some(id) => tx.ledger_envelope(id)?,
        None => None,
    };
    let erased_at = match parts.row.envelope {
        Some(id) if envelope.is_none() => tx.ledger_erased(id)?.map(|e| e.at),
        _ => None,
    };
    let text = match &leaf.text_sha256 {
        Some(h) => tx.text_body(h)?,
        None => None,
    };
    let withdrawal = if leaf.kind.as_str() == "given" {
        tx.consent_withdrawal(leaf.seq)?.map(|w| w.leaf)
    } else {
        None
    };
    let destroy_by = withdrawal
        .as_ref()
        .or(if leaf.kind.as_str() == "withdrawn" {
            Some(leaf)
        } else {
            None
        })
        .and_then(|w| w.at.parse::<DateTime<Utc>>().ok())
        .map(|at| destruction_deadline(at, parts.tz).to_string());

    let tlog = TlogProof {
        extra: None,
        index: leaf.seq - 1,
        hashes: tx.ledger_inclusion_proof(leaf.seq - 1, parts.checkpoint.size)?,
        checkpoint: parts.checkpoint.note.clone(),
    };
    let canonical_leaf = String::from_utf8(leaf.canonical()?)?;
    let opening = match &envelope {
        Some(e) => Some(Opening {
            salt: e.salt.clone(),
            canonical: String::from_utf8(e.envelope.canonical()?)?,
        }),
        None => None,
    };

    let r = requisites.as_ref();
    let operator = Operator {
        name: r.map_or_else(String::new, |r| r.short_name.clone()),
        full_name: r.and_then(|r| r.full_name.clone()),
        inn: r.and_then(|r| r.inn.clone()),
        ogrn: r.and_then(|r| r.ogrn.clone().or_else(|| r.ogrnip.clone())),
        address: r.and_then(|r| r.legal_address.clone()),
        email: r.and_then(|r| r.email.clone()),
        phone: r.and_then(|r| r.phone.clone()),
        website: r.and_then(|r| r.website.clone()),
        dpo: r.and_then(|r| r.dpo.clone()),
    };
    let subject = envelope.as_ref().map(|e| e.envelope.to_value());
    let fields: BTreeMap<String, String> = envelope
        .as_ref()
        .map(|e| e.envelope.fields.clone())
        .unwrap_or_default();
    let origin = parts
        .checkpoint
        .note
        .lines()
        .next()
        .unwrap_or_default()
        .to_string();

    let collection_method = match &source {
        Some(s) => {
            let kind = match (s.kind.as_str(), lang) {
                ("openline", Language::Ru) => "чат",
                ("openline", _) => "chat",
                (_, Language::Ru) => "веб-форма",
                _ => "web form",
            };
            let mut m = format!("{kind} «{}» ({})", s.name, s.code);
            if let Some(u) = envelope
                .as_ref()
                .and_then(|e| e.envelope.url.clone())
                .or_else(|| s.url.clone())
            {
                m.push_str(&format!(", {u}"));
            }
            m
        }
        None => match lang {
            Language::Ru => "обращение к оператору".to_string(),
            Language::En => "a request to the operator".to_string(),
        },
    };
    let services = match settings {
        Some(s) => {
            let category = match s.template.as_str() {
                t if t.contains("marketing") => "Marketing",
                t if t.contains("distribution") => "Distribution (152-FZ art. 10.1)",
                _ => "Core Function",
            };
            // What the form asked for; the agreement's own list when there is no form.
            let pii: Vec<String> = match &source {
                Some(src) if !src.fields.is_empty() => src.fields.clone(),
                _ => s.fields.clone(),
            };
            let names: Vec<&str> = s.third_parties.iter().map(|t| t.name.as_str()).collect();
            let purposes = if s.purposes.is_empty() {
                vec![s.name.clone()]
            } else {
                s.purposes.clone()
            };
            vec![Service {
                service: s.name.clone(),
                purposes: purposes
                    .into_iter()
                    .map(|p| Purpose {
                        purpose: p,
                        purpose_category: vec![category.to_string()],
                        consent_type: if leaf.checkbox.is_some_and(|c| c.checked_by_default) {
                            "PRE-TICKED".to_string()
                        } else {
                            "EXPLICIT".to_string()
                        },
                        pii_category: pii.clone(),
                        primary_purpose: s.required,
                        termination: s.term.clone(),
                        third_party_disclosure: !names.is_empty(),
                        third_party_name: (!names.is_empty()).then(|| names.join(", ")),
                    })
                    .collect(),
            }]
        }
        None => Vec::new(),
    };
    let principal = fields
        .iter()
        .find(|(k, _)| {
            matches!(
                crate::domain::ledger::SubjectKey::of_caption(k),
                crate::domain::ledger::SubjectKey::Email
            )
        })
        .or_else(|| fields.iter().next())
        .map(|(_, v)| v.clone());

    Ok(Receipt {
        version: KANTARA_VERSION.to_string(),
        jurisdiction: "RU".to_string(),
        consent_timestamp: timestamp(&leaf.at),
        collection_method,
        consent_receipt_id: leaf.id.clone(),
        public_key: parts.vkey.to_string(),
        language: lang.as_str().to_string(),
        pii_principal_id: principal,
        pii_controllers: vec![Controller {
            pii_controller: operator.full_name.clone().unwrap_or(operator.name.clone()),
            on_behalf: false,
            contact: operator.dpo.clone(),
            address: operator.address.clone(),
            email: operator.email.clone(),
            phone: operator.phone.clone(),
            pii_controller_url: operator.website.clone(),
        }],
        policy_url: settings.and_then(|s| s.url.clone()),
        services,
        sensitive: false,
        spi_cat: Vec::new(),
        pdconsent: Details {
            format: RECEIPT_FORMAT.to_string(),
            seq: leaf.seq,
            event: leaf.kind.as_str().to_string(),
            at: leaf.at.clone(),
            recorded_at: leaf.recorded_at.clone(),
            issued_at: parts.now.to_string(),
            time_zone: parts.tz.name().to_string(),
            withdrawal: Withdrawal {
                email: settings
                    .and_then(|s| s.withdrawal_email.clone())
                    .or_else(|| operator.email.clone()),
                address: r.and_then(|r| r.postal_address.clone().or(r.legal_address.clone())),
                destroy_within_days: crate::domain::ledger::DESTRUCTION_DAYS,
                withdrawn_by: withdrawal.as_ref().map(|w| w.seq),
                withdrawn_at: withdrawal.as_ref().map(|w| w.at.clone()),
                destroy_by_date: destroy_by,
            },
            operator,
            agreement: leaf.agreement.as_ref().map(|code| Pinned {
                code: code.clone(),
                revision: leaf.revision,
                name: settings.map(|s| s.name.clone()),
            }),
            requisites: leaf.requisites.as_ref().map(|code| Pinned {
                code: code.clone(),
                revision: leaf.requisites_revision,
                name: None,
            }),
            source: leaf.source.as_ref().map(|code| SourceRef {
                code: code.clone(),
                revision: leaf.source_revision,
                name: source.as_ref().map(|s| s.name.clone()),
                kind: source.as_ref().map(|s| s.kind.as_str().to_string()),
                url: source.as_ref().and_then(|s| s.url.clone()),
            }),
            text_sha256: leaf.text_sha256.clone(),
            text,
            checkbox: leaf.checkbox,
            withdraws: leaf.withdraws,
            channel: leaf.channel.clone(),
            subject,
            erased_at,
            log: LogRef {
                origin,
                tree_size: parts.checkpoint.size,
                signed_at: parts.checkpoint.signed_at.clone(),
                vkey: parts.vkey.to_string(),
            },
        },
        proof: Proof {
            leaf: canonical_leaf,
            envelope: opening,
            tlog_proof: tlog.to_text(),
        },
    })
}
