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
    let rows = store.read(|tx| -> Result<_> {
        tx.requisites_list()?
            .into_iter()
            .map(|s| Ok((super::stored_json(tx, &s)?, s)))
            .collect::<Result<Vec<_>>>()
    })?;
    if format == Format::Json {
        let json: Vec<_> = rows.into_iter().map(|(j, _)| j).collect();
        ctx.out.print_json(&json)?;
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
    for (json, s) in rows {
        let r = &s.requisites;
        let state = match r.kind {
            Kind::Legal => r.ogrn.as_deref(),
            Kind::Individual => r.ogrnip.as_deref(),
        };
        let used = json["used_by"].as_array().map(|a| a.len()).unwrap_or(0);
        t.add_row(vec![
            output::sanitize(&r.code),
            r.kind.as_str().to_string(),
            output::sanitize(&r.short_name),
            output::cell(r.inn.as_deref()),
            output::cell(state),
            output::cell(r.email.as_deref()),
            if r.is_default {
                "yes".into()
            } else {
                String::new()
            },
            format!("{used} agreement(s)"),
        ]);
    }
    ctx.out.print_table(&t)?;
    Ok(Outcome::Ok)
}
