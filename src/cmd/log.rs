//! `pdconsent log`: the admin change log.

use crate::cmd::{Ctx, Result, parse_bound};
use crate::domain::diff;
use crate::output::Format;
use crate::output::views::LogEntryView;
use crate::storage::LogFilter;
use crate::{HintExt, Outcome, output};

/// Show the admin change log: who changed which object when, before and after
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Only this kind of object
    #[arg(long, value_name = "KIND", value_parser = crate::cmd::values::object_kind())]
    pub kind: Option<String>,
    /// Only the object with this code (with --kind, or of any kind)
    #[arg(long, value_name = "CODE")]
    pub code: Option<String>,
    /// From this date or time on (YYYY-MM-DD, RFC 3339, today, yesterday, or back from now:
    /// 12h, 7d, 2w)
    #[arg(long, value_name = "DATE")]
    pub since: Option<String>,
    /// Up to this date (inclusive) or time
    #[arg(long, value_name = "DATE")]
    pub until: Option<String>,
    /// Show only the newest N entries
    #[arg(long, short = 'n', value_name = "N")]
    pub limit: Option<u32>,
}

pub fn run(ctx: &Ctx, args: Args) -> Result {
    let format = ctx.format(&[Format::Table, Format::Json], "log")?;
    if let Some(k) = &args.kind
        && !["requisites", "agreement", "source"].contains(&k.as_str())
    {
        return Err(anyhow::anyhow!("unknown object kind `{k}`"))
            .hint("use --kind requisites, agreement or source");
    }
    let filter = LogFilter {
        object_kind: args.kind.clone(),
        object_code: args.code.clone(),
        since: args
            .since
            .as_deref()
            .map(|v| parse_bound("--since", v, false, ctx.clock_now()))
            .transpose()?,
        until: args
            .until
            .as_deref()
            .map(|v| parse_bound("--until", v, true, ctx.clock_now()))
            .transpose()?,
        limit: args.limit,
    };
    let mut store = ctx.open_read()?;
    let entries = store.read(|tx| tx.log_list(&filter))?;
    if format == Format::Json {
        let views: Vec<LogEntryView> = entries.iter().map(LogEntryView::new).collect();
        ctx.out.print_json(&views)?;
        return Ok(Outcome::Ok);
    }
    let mut t = ctx
        .out
        .table(&["at", "actor", "object", "action", "changes"]);
    for e in &entries {
        let null = serde_json::Value::Null;
        let changes = diff::diff_values(
            e.before.as_ref().unwrap_or(&null),
            e.after.as_ref().unwrap_or(&null),
        );
        let summary: Vec<String> = match (&e.before, &e.after) {
            // A whole object: its name here, every value in `--format json`.
            (None, Some(v)) => vec![format!("created: {}", name_of(v))],
            (Some(v), None) => vec![format!("removed: {}", name_of(v))],
            _ => changes
                .iter()
                .map(|c| {
                    let long = |v: &serde_json::Value| {
                        v.as_str()
                            .is_some_and(|s| s.contains('\n') || s.chars().count() > 80)
                    };
                    if long(&c.before) || long(&c.after) {
                        format!("{}: text changed", c.field)
                    } else if !c.added.is_empty() || !c.removed.is_empty() {
                        diff::describe(c)
                            .into_iter()
                            .map(|l| format!("{}: {l}", c.field))
                            .collect::<Vec<_>>()
                            .join("\n")
                    } else {
                        format!(
                            "{}: {} → {}",
                            c.field,
                            diff::display(&c.before),
                            diff::display(&c.after)
                        )
                    }
                })
                .collect(),
        };
        t.add_row(vec![
            e.at.clone(),
            output::sanitize(&e.actor),
            format!("{} {}", e.object_kind, output::sanitize(&e.object_code)),
            e.action.clone(),
            output::sanitize_multiline(&summary.join("\n")),
        ]);
    }
    ctx.out.print_table(&t)?;
    Ok(Outcome::Ok)
}

/// The name of a logged object: a short name, a name, or nothing.
fn name_of(v: &serde_json::Value) -> String {
    ["short_name", "name"]
        .iter()
        .find_map(|k| v[k].as_str())
        .map(str::to_string)
        .unwrap_or_default()
}
