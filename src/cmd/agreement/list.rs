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
    let views = store.read(|tx| -> Result<_> {
        tx.agreement_list(args.all)?
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
        "name",
        "template",
        "lang",
        "requisites",
        "rev",
        "required",
        "status",
        "updated",
    ]);
    for v in views {
        t.add_row(vec![
            output::sanitize(&v.code),
            output::sanitize(&v.name),
            v.template.clone(),
            v.language.as_str().to_string(),
            output::sanitize(&v.requisites),
            v.revision.to_string(),
            output::yes_no(v.required).into(),
            if v.archived {
                "archived".into()
            } else {
                "active".into()
            },
            v.updated_at.clone(),
        ]);
    }
    ctx.out.print_table(&t)?;
    Ok(Outcome::Ok)
}
