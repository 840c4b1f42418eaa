//! `pdconsent subject erase`: destroys a person's data — the envelopes (fields, IP, URL,
//! user agent, salt) and their subject keys — and appends one `erased` leaf that names the
//! envelopes and events concerned, never the data. The only DELETE pdconsent runs on the
//! ledger's tables is behind this command (`Tx::ledger_erase`).

use std::collections::BTreeSet;

use serde::Serialize;

use crate::cmd::consent::Subject;
use crate::cmd::{Ctx, Result};
use crate::domain::ledger::{ErasureRecord, LeafKind};
use crate::output::{self, Format};
use crate::storage::Tx;
use crate::{HintExt, Outcome};

/// Delete a person's data (envelopes) for good, logging an `erased` event
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Erase the data of the person with this field value (email, phone, a caption)
    #[arg(
        long,
        value_name = "KEY=VALUE",
        required_unless_present = "due",
        conflicts_with = "due"
    )]
    pub subject: Option<String>,
    /// With --subject: only data collected through this source
    #[arg(long, value_name = "SRC", requires = "subject")]
    pub source: Option<String>,
    /// Erase everything `subject due` lists: data whose every consent was withdrawn and
    /// whose deadline falls within --within days
    #[arg(long)]
    pub due: bool,
    /// With --due: the deadline falls within this many days (0: today or passed)
    #[arg(long, value_name = "DAYS", default_value_t = 0, requires = "due")]
    pub within: u32,
    /// Why (kept for ever in the erasure record: never personal data)
    #[arg(long, value_name = "TEXT")]
    pub reason: Option<String>,
}

#[derive(Debug, Serialize)]
struct Report {
    /// The `erased` leaf's seq; `null` when there was nothing to erase.
    erasure: Option<u64>,
    at: String,
    envelopes: Vec<i64>,
    events: Vec<u64>,
    reason: Option<String>,
}

/// What would be erased: the envelopes and the events they belong to.
fn plan(ctx: &Ctx, tx: &Tx, args: &Args) -> Result<ErasureRecord> {
    let mut envelopes: BTreeSet<i64> = BTreeSet::new();
    if let Some(spec) = &args.subject {
        let subject = Subject::parse(tx, spec, args.source.as_deref())?;
        for row in tx.consent_by_subject(subject.index_key(), args.source.as_deref())? {
            if let Some(id) = row.envelope
                && !envelopes.contains(&id)
                && subject.holds(tx, &row)?
            {
                envelopes.insert(id);
            }
        }
        if envelopes.is_empty() {
            return Err(anyhow::anyhow!("no stored data matches `--subject {spec}`"))
                .hint("`pdconsent consent list --subject KEY=VALUE` shows what is recorded for a person (erased data is not found again)");
        }
        // Data that still backs a consent is in use: it goes only after a withdrawal.
        let mut active = Vec::new();
        for &id in &envelopes {
            for l in tx.ledger_envelope_leaves(id)? {
                if l.leaf.kind == LeafKind::Given && tx.consent_withdrawal(l.leaf.seq)?.is_none() {
                    active.push(l.leaf.seq);
                }
            }
        }
        if !active.is_empty() {
            let list: Vec<String> = active.iter().map(u64::to_string).collect();
            return Err(anyhow::anyhow!(
                "the person's data still backs consent(s) {} that are not withdrawn",
                list.join(", ")
            ))
            .hint(format!(
                "withdraw them first: `pdconsent consent withdraw {}`",
                list.join(" ")
            ));
        }
    } else {
        for d in super::due::due(tx, ctx.clock_now(), args.within)? {
            envelopes.insert(d.envelope);
        }
    }
    let mut events: Vec<u64> = Vec::new();
    for &id in &envelopes.clone() {
        let leaves = tx.ledger_envelope_leaves(id)?;
        let consents: Vec<u64> = leaves.iter().map(|l| l.leaf.seq).collect();
        events.extend(&consents);
        // The reasons given with their withdrawals are personal data too.
        for (withdrawal, envelope) in tx.ledger_withdrawal_envelopes(&consents)? {
            events.push(withdrawal);
            envelopes.insert(envelope);
        }
    }
    Ok(ErasureRecord::new(
        envelopes.into_iter().collect(),
        events,
        args.reason.clone(),
    ))
}

pub fn run(ctx: &Ctx, args: Args) -> Result {
    let format = ctx.format(&[Format::Table, Format::Json], "subject erase")?;
    if let Some(r) = &args.reason {
        crate::domain::consent::check_reason(r)
            .map_err(|e| anyhow::anyhow!("--reason: {}", e.message))
            .hint("write the reason as plain text, without personal data")?;
    }
    let mut store = ctx.open()?;
    crate::cmd::ledger::require_ledger(&store)?;
    let planned = store.read(|tx| plan(ctx, tx, &args))?;
    if planned.envelopes.is_empty() {
        output::notice("nothing is due for erasure");
        if format == Format::Json {
            ctx.out.print_json(&Report {
                erasure: None,
                at: ctx.now(),
                envelopes: Vec::new(),
                events: Vec::new(),
                reason: args.reason.clone(),
            })?;
        }
        return Ok(Outcome::Ok);
    }
    if !ctx.global.yes {
        if !ctx.interactive() {
            return Err(anyhow::anyhow!(
                "erasing {} envelope(s) cannot be undone, and there is no terminal to ask on",
                planned.envelopes.len()
            ))
            .hint("pass --yes to erase without asking");
        }
        output::notice(&format!(
            "will destroy the personal data of {} envelope(s), of events {}",
            planned.envelopes.len(),
            planned
                .events
                .iter()
                .map(u64::to_string)
                .collect::<Vec<_>>()
                .join(", ")
        ));
        let mut p = ctx.prompter();
        ctx.confirm(p.as_mut(), "erase it for good?")?;
    }
    let report = ctx.retrying(|| {
        let now = ctx.now();
        store.write(|tx| {
            // Planned again under the write lock: what is erased is what is true now.
            let record = plan(ctx, tx, &args)?;
            if record.envelopes.is_empty() {
                return Ok::<_, anyhow::Error>(Report {
                    erasure: None,
                    at: now.clone(),
                    envelopes: Vec::new(),
                    events: Vec::new(),
                    reason: record.reason,
                });
            }
            let seq = tx.ledger_erase(&record, &now, &now)?;
            Ok(Report {
                erasure: Some(seq),
                at: now.clone(),
                envelopes: record.envelopes,
                events: record.events,
                reason: record.reason,
            })
        })
    })?;
    if let Some(seq) = report.erasure {
        output::notice(&format!(
            "erased the data of {} envelope(s) ({} event(s)); the erasure is seq {seq}; the commitments stay as proof of past consent",
            report.envelopes.len(),
            report.events.len()
        ));
    }
    if format == Format::Json {
        ctx.out.print_json(&report)?;
    } else if let Some(seq) = report.erasure {
        ctx.out.print_text(&format!("{seq}\n"))?;
    }
    Ok(Outcome::Ok)
}
