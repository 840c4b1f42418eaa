//! `pdconsent agreement list`.

use crate::cmd::{Ctx, Result};
use crate::output::Format;
use crate::{Outcome, output};

/// List agreements (archived ones with --all)
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Include archived agreements
    #[arg(long)]
    pub all: bool,
}

pub fn run(ctx: &Ctx, args: Args) -> Result {
    let format = ctx.format(&[Format::Table, Format::Json], "agreement list")?;
    let mut store = ctx.open_read()?;
    let rows = store.read(|tx| -> Result<_> {
        tx.agreement_list(args.all)?
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
        "name",
        "template",
        "lang",
        "requisites",
        "rev",
        "required",
        "status",
        "updated",
    ]);
    for (_, r) in rows {
        let s = &r.settings;
        t.add_row(vec![
            output::sanitize(&r.code),
            output::sanitize(&s.name),
            s.template.clone(),
            s.language.as_str().to_string(),
            output::sanitize(&s.requisites),
            r.revision.to_string(),
            if s.required {
                "yes".into()
            } else {
                "no".into()
            },
            if r.archived {
                "archived".into()
            } else {
                "active".into()
            },
            r.updated_at.clone(),
        ]);
    }
    ctx.out.print_table(&t)?;
    Ok(Outcome::Ok)
}
