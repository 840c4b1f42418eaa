//! `pdconsent requisites list`.

use crate::cmd::{Ctx, Result};
use crate::domain::requisites::Kind;
use crate::output::Format;
use crate::{Outcome, output};

/// List all sets of requisites
#[derive(Debug, clap::Args)]
pub struct Args {}

pub fn run(ctx: &Ctx, _args: Args) -> Result {
    let format = ctx.format(&[Format::Table, Format::Json], "requisites list")?;
    let mut store = ctx.open_read()?;
    let views = store.read(|tx| -> Result<_> {
        tx.requisites_list()?
            .iter()
            .map(|s| super::view(tx, s))
            .collect::<Result<Vec<_>>>()
    })?;
    if format == Format::Json {
        ctx.out.print_json(&views)?;
        return Ok(Outcome::Ok);
    }
    let mut t = ctx.out.table(&[
        "code",
        "kind",
        "short name",
        "INN",
        "OGRN / OGRNIP",
        "e-mail",
        "default",
        "used by",
    ]);
    for v in views {
        let state = match v.kind {
            Kind::Legal => v.ogrn.as_deref(),
            Kind::Individual => v.ogrnip.as_deref(),
        };
        t.add_row(vec![
            output::sanitize(&v.code),
            v.kind.as_str().to_string(),
            output::sanitize(&v.short_name),
            output::cell(v.inn.as_deref()),
            output::cell(state),
            output::cell(v.email.as_deref()),
            // Marks the one default set; the others stay blank rather than `no`.
            if v.default {
                output::yes_no(true).into()
            } else {
                String::new()
            },
            format!("{} agreement(s)", v.used_by.len()),
        ]);
    }
    ctx.out.print_table(&t)?;
    Ok(Outcome::Ok)
}
