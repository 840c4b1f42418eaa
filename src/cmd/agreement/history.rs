//! `pdconsent agreement history`.

use crate::cmd::{Ctx, Result};
use crate::domain::agreement::Settings;
use crate::domain::diff;
use crate::output::Format;
use crate::output::views::HistoryEntryView;
use crate::{Outcome, output};

/// List the revisions of an agreement: when, by whom, and which settings each changed
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Code of the agreement
    pub code: String,
}

pub fn run(ctx: &Ctx, args: Args) -> Result {
    let format = ctx.format(&[Format::Table, Format::Json], "agreement history")?;
    let mut store = ctx.open_read()?;
    let revisions = store.read(|tx| tx.agreement_revisions(&args.code))?;
    let mut entries = Vec::new();
    let mut prev: Option<&Settings> = None;
    for r in &revisions {
        let changed = match prev {
            None => Vec::new(),
            Some(p) => diff::diff(p, &r.settings)
                .into_iter()
                .map(|c| c.field)
                .collect(),
        };
        entries.push(HistoryEntryView::new(r, changed));
        prev = Some(&r.settings);
    }
    if format == Format::Json {
        ctx.out.print_json(&entries)?;
        return Ok(Outcome::Ok);
    }
    let mut t = ctx.out.table(&["rev", "created", "actor", "changed"]);
    for e in &entries {
        let changed = if e.revision == 1 {
            "(created)".to_string()
        } else {
            e.changed.join(", ")
        };
        t.add_row(vec![
            e.revision.to_string(),
            e.created_at.clone(),
            output::sanitize(&e.actor),
            changed,
        ]);
    }
    ctx.out.print_table(&t)?;
    Ok(Outcome::Ok)
}
