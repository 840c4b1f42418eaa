//! `pdconsent subject due`: the nightly check of art. 21 §5 — data whose every consent was
//! withdrawn, with the day by which it must be destroyed; exit 1 when a deadline has passed.

use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;

use crate::cmd::{Ctx, Result};
use crate::domain::ledger::{destruction_deadline, erasure::days_left};
use crate::output::{self, Format};
use crate::storage::Tx;
use crate::{HintExt, Outcome};

/// Withdrawn consents whose data must be destroyed soon or already (exit 1 when overdue)
#[derive(Debug, clap::Args)]
pub struct Args {
    /// List the data whose destruction deadline falls within this many days (0: today or
    /// passed)
    #[arg(long, value_name = "DAYS", default_value_t = 7)]
    pub within: u32,
}

/// One envelope due for destruction.
#[derive(Debug, Clone, Serialize)]
pub struct Due {
    pub envelope: i64,
    /// The consents it backs, all withdrawn.
    pub consents: Vec<u64>,
    pub last_withdrawal: String,
    /// The last day the data may exist, in the operator's zone.
    pub deadline: NaiveDate,
    pub time_zone: String,
    /// Days from today to the deadline; negative once it has passed.
    pub days_left: i64,
    pub overdue: bool,
    /// The person, in a few words.
    pub subject: String,
}

/// Everything due within `within` days of `now`, most urgent first.
pub fn due(tx: &Tx, now: DateTime<Utc>, within: u32) -> Result<Vec<Due>> {
    let tz = crate::cmd::setting::operator_tz(tx)?;
    let mut out = Vec::new();
    for d in tx.ledger_due()? {
        let at = DateTime::parse_from_rfc3339(&d.last_withdrawal)
            .map(|t| t.with_timezone(&Utc))
            .map_err(|e| anyhow::anyhow!("withdrawal time `{}`: {e}", d.last_withdrawal))
            .hint("run `pdconsent ledger verify`")?;
        let deadline = destruction_deadline(at, tz);
        let left = days_left(deadline, now, tz);
        if left > i64::from(within) {
            continue;
        }
        let subject = tx
            .ledger_envelope(d.envelope)?
            .map(|e| crate::cmd::consent::list::who(&e.envelope.fields))
            .unwrap_or_default();
        out.push(Due {
            envelope: d.envelope,
            consents: d.consents,
            last_withdrawal: d.last_withdrawal,
            deadline,
            time_zone: tz.name().to_string(),
            days_left: left,
            overdue: left < 0,
            subject,
        });
    }
    out.sort_by_key(|d| (d.deadline, d.envelope));
    Ok(out)
}

pub fn run(ctx: &Ctx, args: Args) -> Result {
    let format = ctx.format(&[Format::Table, Format::Json], "subject due")?;
    let mut store = ctx.open_read()?;
    crate::cmd::ledger::require_ledger(&store)?;
    let now = ctx.clock_now();
    let list = store.read(|tx| due(tx, now, args.within))?;
    let overdue = list.iter().filter(|d| d.overdue).count();
    if format == Format::Json {
        ctx.out.print_json(&list)?;
    } else {
        let mut t = ctx.out.table(&[
            "ENVELOPE",
            "CONSENTS",
            "WITHDRAWN",
            "DESTROY BY",
            "DAYS LEFT",
            "SUBJECT",
        ]);
        for d in &list {
            t.add_row(vec![
                d.envelope.to_string(),
                d.consents
                    .iter()
                    .map(u64::to_string)
                    .collect::<Vec<_>>()
                    .join(", "),
                d.last_withdrawal.clone(),
                d.deadline.to_string(),
                if d.overdue {
                    format!("{} (overdue)", d.days_left)
                } else {
                    d.days_left.to_string()
                },
                output::sanitize(&d.subject),
            ]);
        }
        ctx.out.print_table(&t)?;
    }
    if overdue > 0 {
        output::warning(
            &format!("{overdue} envelope(s) past their destruction deadline (152-FZ art. 21 §5)"),
            Some("erase them: `pdconsent subject erase --due`"),
        );
        return Ok(Outcome::Negative);
    }
    Ok(Outcome::Ok)
}
