//! `pdconsent consent list`: consent events, newest first, paged and filtered by indexes.

use super::view;
use crate::cmd::{Ctx, Result};
use crate::output::events::EventView;
use crate::output::{Format, cell};
use crate::{Outcome, output};

/// List consent events, newest first
#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(flatten)]
    pub filter: super::filter::FilterArgs,
    /// Show at most N events
    #[arg(long, short = 'n', value_name = "N", default_value_t = 50, value_parser = clap::value_parser!(u32).range(1..=100_000))]
    pub limit: u32,
    /// The next page: events older than this seq (the last one shown)
    #[arg(long, value_name = "SEQ", value_parser = clap::value_parser!(u64).range(1..=i64::MAX as u64))]
    pub after: Option<u64>,
}

/// Who the person is, in a few words: their name, e-mail and phone when the form asked for
/// them, else the first fields.
pub fn who(fields: &std::collections::BTreeMap<String, String>) -> String {
    use crate::domain::ledger::SubjectKey;
    let rank = |caption: &str| match SubjectKey::of_caption(caption) {
        SubjectKey::Field(c) if c.contains("имя") || c.contains("name") => 0,
        SubjectKey::Email => 1,
        SubjectKey::Phone => 2,
        SubjectKey::Field(_) => 3,
    };
    let mut picked: Vec<(u8, &String)> = fields
        .iter()
        .filter(|(_, v)| !v.trim().is_empty())
        .map(|(k, v)| (rank(k), v))
        .collect();
    picked.sort_by_key(|(r, _)| *r);
    picked
        .into_iter()
        .take(3)
        .map(|(_, v)| v.clone())
        .collect::<Vec<_>>()
        .join(", ")
}

pub fn run(ctx: &Ctx, args: Args) -> Result {
    let format = ctx.format(&[Format::Table, Format::Json], "consent list")?;
    args.filter.check()?;
    let mut store = ctx.open_read()?;
    let (views, more) = store.read(|tx| {
        let (mut filter, subject) = args.filter.to_filter(tx, ctx.clock_now())?;
        filter.before = args.after;
        filter.limit = Some(args.limit.saturating_add(1));
        let mut rows = tx.consent_list(&filter)?;
        if let Some(s) = &subject {
            let mut kept = Vec::with_capacity(rows.len());
            for r in rows {
                if s.holds(tx, &r)? {
                    kept.push(r);
                }
            }
            rows = kept;
        }
        let more = rows.len() > args.limit as usize;
        rows.truncate(args.limit as usize);
        let views = rows
            .iter()
            .map(|r| view(tx, r))
            .collect::<std::result::Result<Vec<EventView>, _>>()?;
        Ok::<_, anyhow::Error>((views, more))
    })?;
    if more && let Some(last) = views.last() {
        output::notice(&format!(
            "more events: add --after {} for the next page",
            last.seq
        ));
    }
    if format == Format::Json {
        ctx.out.print_json(&views)?;
        return Ok(Outcome::Ok);
    }
    let mut t = ctx.out.table(&[
        "SEQ",
        "EVENT",
        "AT",
        "AGREEMENT",
        "REV",
        "SOURCE",
        "STATUS",
        "SUBJECT",
    ]);
    for v in &views {
        let subject = match (&v.subject, v.erased) {
            (_, true) => "данные уничтожены / erased".to_string(),
            (Some(s), _) if v.event != "withdrawn" => who(&s.fields),
            _ => String::new(),
        };
        let status = match v.withdrawn_by {
            Some(w) => format!("withdrawn ({w})"),
            None if v.event == "withdrawn" => format!("ends {}", v.withdraws.unwrap_or(0)),
            None => v.status.to_string(),
        };
        t.add_row(vec![
            v.seq.to_string(),
            v.event.to_string(),
            v.at.clone(),
            cell(v.agreement.as_deref()),
            v.revision.map(|r| r.to_string()).unwrap_or_default(),
            cell(v.source.as_deref()),
            status,
            output::sanitize(&subject),
        ]);
    }
    ctx.out.print_table(&t)?;
    Ok(Outcome::Ok)
}
