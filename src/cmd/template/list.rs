//! `pdconsent template list`.

use crate::Outcome;
use crate::cmd::{Ctx, Result};
use crate::domain::agreement::TEMPLATES;
use crate::domain::render::BUILTIN;
use crate::output::Format;
use crate::output::views::TemplateView;

/// List the built-in templates
#[derive(Debug, clap::Args)]
pub struct Args {}

pub fn run(ctx: &Ctx, _args: Args) -> Result {
    let format = ctx.format(&[Format::Table, Format::Json], "template list")?;
    let entries: Vec<TemplateView> = BUILTIN
        .iter()
        .map(|(id, lang, _)| {
            let description = TEMPLATES
                .iter()
                .find(|(t, _)| t == id)
                .map(|(_, d)| *d)
                .unwrap_or("");
            TemplateView::new(id, *lang, description)
        })
        .collect();
    if format == Format::Json {
        ctx.out.print_json(&entries)?;
        return Ok(Outcome::Ok);
    }
    let mut t = ctx.out.table(&["id", "language", "description"]);
    for e in &entries {
        t.add_row(vec![e.id, e.language, e.description]);
    }
    ctx.out.print_table(&t)?;
    Ok(Outcome::Ok)
}
