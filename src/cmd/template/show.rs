//! `pdconsent template show`.

use crate::cmd::{Ctx, Result};
use crate::domain::render::{BUILTIN, builtin};
use crate::output::Format;
use crate::output::views::TemplateSourceView;
use crate::{HintExt, Outcome};

/// Print the source of a built-in template; copy it to start a custom one
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Template id, e.g. ru-152fz-consent
    pub id: String,
}

pub fn run(ctx: &Ctx, args: Args) -> Result {
    let format = ctx.format(&[Format::Text, Format::Json], "template show")?;
    let source = builtin(&args.id)
        .ok_or_else(|| anyhow::anyhow!("template `{}` not found", args.id))
        .hint("run `pdconsent template list`")?;
    if format == Format::Json {
        let lang = BUILTIN
            .iter()
            .find(|(id, _, _)| *id == args.id)
            .map(|(_, l, _)| *l);
        ctx.out
            .print_json(&TemplateSourceView::new(&args.id, lang, source))?;
    } else {
        ctx.out.print_text(source)?;
    }
    Ok(Outcome::Ok)
}
