//! `pdconsent source list`.

use crate::cmd::{Ctx, Result};
use crate::output::Format;
use crate::{Outcome, output};

/// List sources (archived ones with --all)
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Include archived sources
    #[arg(long)]
    pub all: bool,
}

pub fn run(ctx: &Ctx, args: Args) -> Result {
    let format = ctx.format(&[Format::Table, Format::Json], "source list")?;
    let mut store = ctx.open_read()?;
    let rows = store.read(|tx| -> Result<_> {
        tx.source_list(args.all)?
            .into_iter()
            .map(|r| Ok((super::record_json(tx, &r)?, r)))
            .collect::<Result<Vec<_>>>()
    })?;
    if format == Format::Json {
        ctx.out
            .print_json(&rows.into_iter().map(|(j, _)| j).collect::<Vec<_>>())?;
        return Ok(Outcome::Ok);
    }
    let mut t = ctx.out.table(&[
        "code",
        "kind",
        "name",
        "url",
        "fields",
        "agreements",
        "status",
    ]);
    for (_, r) in rows {
        let s = &r.source;
        t.add_row(vec![
            output::sanitize(&s.code),
            s.kind.as_str().to_string(),
            output::sanitize(&s.name),
            output::cell(s.url.as_deref()),
            s.fields.len().to_string(),
            output::sanitize(
                &s.agreements
                    .iter()
                    .map(|l| l.agreement.as_str())
                    .collect::<Vec<_>>()
                    .join(", "),
            ),
            if r.archived {
                "archived".into()
            } else {
                "active".into()
            },
        ]);
    }
    ctx.out.print_table(&t)?;
    Ok(Outcome::Ok)
}
