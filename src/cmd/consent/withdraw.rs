//! `pdconsent consent withdraw`: a withdrawal is a new event linked to each consent it ends.

use chrono::Duration;
use serde::Serialize;

use super::{Subject, view};
use crate::cmd::{Ctx, Result};
use crate::domain::consent::parse_time;
use crate::domain::ledger::{Envelope, Leaf, LeafKind};
use crate::output::Format;
use crate::output::events::EventView;
use crate::storage::{LeafRow, Tx, new_event_id};
use crate::{HintExt, Outcome, output};

/// Withdraw consents: append a `withdrawn` event for each consent it ends
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The seq of each consent (a `given` event) to withdraw
    #[arg(
        value_name = "SEQ",
        required_unless_present = "subject",
        conflicts_with = "subject"
    )]
    pub seqs: Vec<u64>,
    /// Withdraw every consent of the person with this field value (email, phone, a caption)
    #[arg(long, value_name = "KEY=VALUE")]
    pub subject: Option<String>,
    /// With --subject: only consents to this agreement
    #[arg(long, value_name = "CODE", requires = "subject")]
    pub agreement: Option<String>,
    /// With --subject: only consents given through this source
    #[arg(long, value_name = "SRC", requires = "subject")]
    pub source: Option<String>,
    /// The person's reason, as they gave it (kept with the personal data, erasable)
    #[arg(long, value_name = "TEXT")]
    pub reason: Option<String>,
    /// How the withdrawal arrived
    #[arg(long, value_enum, default_value_t = Channel::Other)]
    pub channel: Channel,
    /// When the person withdrew (RFC 3339) [default: now]
    #[arg(long, value_name = "TIME")]
    pub at: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Channel {
    Email,
    Post,
    Chat,
    Other,
}

impl Channel {
    fn as_str(self) -> &'static str {
        match self {
            Channel::Email => "email",
            Channel::Post => "post",
            Channel::Chat => "chat",
            Channel::Other => "other",
        }
    }
}

#[derive(Serialize)]
struct Withdrawn {
    /// The withdrawal event.
    withdrawal: EventView,
    /// The consent it ends.
    consent: u64,
    /// By when processing must stop and the data be destroyed: the end of the deadline
    /// day in the operator's zone, as a UTC time.
    destroy_by: String,
    /// The deadline day itself, in the operator's zone (`time_zone`).
    destroy_by_date: String,
    time_zone: String,
}

#[derive(Serialize)]
struct Report {
    withdrawn: Vec<Withdrawn>,
    /// Consents that were withdrawn before: (consent, its withdrawal).
    already: Vec<AlreadyView>,
}

#[derive(Serialize)]
struct AlreadyView {
    consent: u64,
    withdrawn_by: u64,
    withdrawn_at: String,
}

/// Consents already withdrawn, each with its withdrawal.
type AlreadyWithdrawn = Vec<(LeafRow, Leaf)>;

/// The consents the arguments name: (still active, already withdrawn with the withdrawal).
fn targets(tx: &Tx, args: &Args) -> Result<(Vec<LeafRow>, AlreadyWithdrawn)> {
    let mut rows = Vec::new();
    if let Some(spec) = &args.subject {
        let subject = Subject::parse(tx, spec, args.source.as_deref())?;
        for row in tx.consent_by_subject(subject.index_key(), args.source.as_deref())? {
            if row.leaf.kind == LeafKind::Given
                && args
                    .agreement
                    .as_ref()
                    .is_none_or(|a| row.leaf.agreement.as_ref() == Some(a))
                && subject.holds(tx, &row)?
            {
                rows.push(row);
            }
        }
        rows.sort_by_key(|r| r.leaf.seq);
    } else {
        for &seq in &args.seqs {
            let Some(row) = tx.ledger_leaf(seq)? else {
                return Err(anyhow::anyhow!("there is no event {seq}"))
                    .hint("`pdconsent consent list` shows the events");
            };
            if row.leaf.kind != LeafKind::Given {
                return Err(anyhow::anyhow!(
                    "event {seq} is a `{}` event, not a consent: only a given consent can be withdrawn",
                    row.leaf.kind.as_str()
                ))
                .hint(format!("`pdconsent consent show {seq}` shows it"));
            }
            if !rows.iter().any(|r: &LeafRow| r.leaf.seq == seq) {
                rows.push(row);
            }
        }
    }
    let mut active = Vec::new();
    let mut already = Vec::new();
    for r in rows {
        match tx.consent_withdrawal(r.leaf.seq)? {
            Some(w) => already.push((r, w.leaf)),
            None => active.push(r),
        }
    }
    Ok((active, already))
}

pub fn run(ctx: &Ctx, args: Args) -> Result {
    let format = ctx.format(&[Format::Table, Format::Json], "consent withdraw")?;
    let at = match &args.at {
        Some(v) => {
            let t = parse_time("--at", v)
                .map_err(|e| anyhow::anyhow!("{}", e.message))
                .hint("write --at 2026-01-31T12:00:00Z")?;
            if t > ctx.clock_now() + Duration::minutes(5) {
                return Err(anyhow::anyhow!("--at {v} is in the future"))
                    .hint("give the time the person withdrew, or leave --at out for now");
            }
            t
        }
        None => ctx.clock_now(),
    };
    let reason = args
        .reason
        .as_deref()
        .filter(|r| !r.trim().is_empty())
        .map(crate::domain::consent::check_reason)
        .transpose()
        .map_err(|e| anyhow::anyhow!("--reason: {}", e.message))
        .hint("write the reason as plain text")?;
    let at_s = crate::domain::timestamp(at);
    let mut store = ctx.open()?;
    let tz = store.read(crate::cmd::setting::operator_tz)?;
    let deadline = crate::domain::ledger::destruction_deadline(at, tz);
    let destroy_by = crate::domain::timestamp(crate::domain::ledger::end_of_day(deadline, tz));
    let destroy_by_date = deadline.to_string();
    // Ask first, on a terminal: what will be withdrawn.
    if ctx.interactive() && !ctx.global.yes {
        let (active, _) = store.read(|tx| targets(tx, &args))?;
        if !active.is_empty() {
            let list: Vec<String> = active
                .iter()
                .map(|r| {
                    format!(
                        "  seq {}: {} on {}, given {}",
                        r.leaf.seq,
                        r.leaf.agreement.as_deref().unwrap_or("?"),
                        r.leaf.source.as_deref().unwrap_or("?"),
                        r.leaf.at
                    )
                })
                .collect();
            output::notice(&format!("will withdraw:\n{}", list.join("\n")));
            let mut p = ctx.prompter();
            ctx.confirm(
                p.as_mut(),
                &format!("withdraw {} consent(s)?", active.len()),
            )?;
        }
    }
    let channel = args.channel.as_str();
    let report = ctx.retrying(|| {
        let now = ctx.now();
        store.write(|tx| {
            let (active, already) = targets(tx, &args)?;
            for r in &active {
                if at_s < r.leaf.at {
                    return Err(anyhow::anyhow!(
                        "--at {at_s} is before consent {} was given ({})",
                        r.leaf.seq,
                        r.leaf.at
                    ))
                    .hint("a withdrawal comes after the consent it ends");
                }
            }
            let mut withdrawn = Vec::new();
            for r in &active {
                let (envelope, commitment) = match &reason {
                    Some(text) => {
                        let env = Envelope {
                            reason: Some(text.clone()),
                            ..Envelope::default()
                        };
                        let salt = super::catalog::draw_salt().map_err(|e| anyhow::anyhow!(e))?;
                        let c = env.commit(&salt)?;
                        let id = tx.ledger_envelope_add(&env, &salt, &[])?;
                        (Some(id), Some(crate::domain::ledger::to_hex(&c.0)))
                    }
                    None => (None, None),
                };
                let mut leaf = Leaf::new(
                    0,
                    new_event_id(),
                    LeafKind::Withdrawn,
                    at_s.clone(),
                    now.clone(),
                );
                leaf.agreement = r.leaf.agreement.clone();
                leaf.revision = r.leaf.revision;
                leaf.source = r.leaf.source.clone();
                leaf.source_revision = r.leaf.source_revision;
                leaf.channel = Some(channel.to_string());
                leaf.withdraws = Some(r.leaf.seq);
                leaf.commitment = commitment;
                tx.ledger_append(&mut leaf, envelope)?;
                let row = LeafRow { leaf, envelope };
                withdrawn.push(Withdrawn {
                    withdrawal: view(tx, &row)?,
                    consent: r.leaf.seq,
                    destroy_by: destroy_by.clone(),
                    destroy_by_date: destroy_by_date.clone(),
                    time_zone: tz.name().to_string(),
                });
            }
            Ok::<_, anyhow::Error>(Report {
                withdrawn,
                already: already
                    .into_iter()
                    .map(|(r, w)| AlreadyView {
                        consent: r.leaf.seq,
                        withdrawn_by: w.seq,
                        withdrawn_at: w.at,
                    })
                    .collect(),
            })
        })
    })?;
    for a in &report.already {
        output::notice(&format!(
            "consent {} was withdrawn already (seq {}, {}); nothing added for it",
            a.consent, a.withdrawn_by, a.withdrawn_at
        ));
    }
    if report.withdrawn.is_empty() && report.already.is_empty() {
        return Err(anyhow::anyhow!("no consent matches")).hint(
            "`pdconsent consent list --subject KEY=VALUE` shows what is recorded for a person",
        );
    }
    if !report.withdrawn.is_empty() {
        output::notice(&format!(
            "withdrew {} consent(s); stop processing and destroy the data by {destroy_by_date} ({}) (152-FZ art. 21 §5: 30 days); `pdconsent subject due` lists what is due",
            report.withdrawn.len(),
            tz.name()
        ));
    }
    if format == Format::Json {
        ctx.out.print_json(&report)?;
    } else {
        use std::io::Write;
        let mut out = std::io::stdout().lock();
        for w in &report.withdrawn {
            writeln!(
                out,
                "{}\twithdraws {}\t{}\tdestroy by {}",
                w.withdrawal.seq,
                w.consent,
                w.withdrawal.agreement.as_deref().unwrap_or(""),
                w.destroy_by_date
            )?;
        }
    }
    Ok(Outcome::Ok)
}
