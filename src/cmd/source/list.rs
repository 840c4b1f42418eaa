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
    let views = store.read(|tx| -> Result<_> {
        tx.source_list(args.all)?
            .iter()
            .map(|r| super::view(tx, r))
            .collect::<Result<Vec<_>>>()
    })?;
    if format == Format::Json {
        ctx.out.print_json(&views)?;
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
    for v in views {
        t.add_row(vec![
            output::sanitize(&v.code),
            v.kind.as_str().to_string(),
            output::sanitize(&v.name),
            output::cell(v.url.as_deref()),
            v.fields.len().to_string(),
            output::sanitize(
                &v.agreements
                    .iter()
                    .map(|l| l.agreement.as_str())
                    .collect::<Vec<_>>()
                    .join(", "),
            ),
            if v.archived {
                "archived".into()
            } else {
                "active".into()
            },
        ]);
    }
    ctx.out.print_table(&t)?;
    Ok(Outcome::Ok)
}
