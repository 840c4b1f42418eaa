//! JSON views of consent events and ledger heads (docs/json.md, "Event").

use std::collections::BTreeMap;

use serde::Serialize;

use crate::domain::ledger::{Checkbox, Leaf};
use crate::storage::{EnvelopeRow, LeafRow};

/// The personal data of an event, or the fact that it was erased.
#[derive(Debug, Clone, Serialize)]
pub struct SubjectView {
    pub fields: BTreeMap<String, String>,
    pub ip: Option<String>,
    pub url: Option<String>,
    pub user_agent: Option<String>,
    pub reason: Option<String>,
}

/// One consent event: the leaf's fields, its status and its envelope.
#[derive(Debug, Clone, Serialize)]
pub struct EventView {
    pub seq: u64,
    pub id: String,
    /// `given`, `refused`, `withdrawn`.
    pub event: &'static str,
    pub at: String,
    pub recorded_at: String,
    pub agreement: Option<String>,
    pub revision: Option<u32>,
    pub requisites: Option<String>,
    pub requisites_revision: Option<u32>,
    pub source: Option<String>,
    pub source_revision: Option<u32>,
    pub text_sha256: Option<String>,
    pub checkbox: Option<Checkbox>,
    pub channel: Option<String>,
    pub external_id: Option<String>,
    /// For a withdrawal: the consent it ends.
    pub withdraws: Option<u64>,
    /// For a consent: `active`, `withdrawn`; for a refusal `refused`; for a withdrawal `withdrawal`.
    pub status: &'static str,
    /// For a withdrawn consent: the withdrawal's seq and time.
    pub withdrawn_by: Option<u64>,
    pub withdrawn_at: Option<String>,
    pub commitment: Option<String>,
    /// The person's data; `null` once erased (or for an event that carries none).
    pub subject: Option<SubjectView>,
    /// Whether the envelope was erased.
    pub erased: bool,
    /// When it was erased (the `erased` leaf's time).
    pub erased_at: Option<String>,
}

impl EventView {
    /// The view of `row`, with its withdrawal (if any) and envelope (if still stored).
    pub fn new(row: &LeafRow, withdrawal: Option<&Leaf>, envelope: Option<&EnvelopeRow>) -> Self {
        let l = &row.leaf;
        let status = match l.kind.as_str() {
            "given" if withdrawal.is_some() => "withdrawn",
            "given" => "active",
            "refused" => "refused",
            _ => "withdrawal",
        };
        EventView {
            seq: l.seq,
            id: l.id.clone(),
            event: l.kind.as_str(),
            at: l.at.clone(),
            recorded_at: l.recorded_at.clone(),
            agreement: l.agreement.clone(),
            revision: l.revision,
            requisites: l.requisites.clone(),
            requisites_revision: l.requisites_revision,
            source: l.source.clone(),
            source_revision: l.source_revision,
            text_sha256: l.text_sha256.clone(),
            checkbox: l.checkbox,
            channel: l.channel.clone(),
            external_id: l.external_id.clone(),
            withdraws: l.withdraws,
            status,
            withdrawn_by: withdrawal.map(|w| w.seq),
            withdrawn_at: withdrawal.map(|w| w.at.clone()),
            commitment: l.commitment.clone(),
            subject: envelope.map(|e| SubjectView {
                fields: e.envelope.fields.clone(),
                ip: e.envelope.ip.clone(),
                url: e.envelope.url.clone(),
                user_agent: e.envelope.user_agent.clone(),
                reason: e.envelope.reason.clone(),
            }),
            erased: row.envelope.is_some() && envelope.is_none(),
            erased_at: None,
        }
    }
}
