//! `pdconsent agreement texts`.

use crate::cmd::{Ctx, Result};
use crate::output::Format;
use crate::{Outcome, output};

/// List the texts an agreement has shown on its sources: hash, the revisions
/// it was rendered from, and from when to when it was current
///
/// These are the texts the consent ledger accepts a page's `data-sha256` from.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Code of the agreement
    pub code: String,
    /// Only the texts shown on this source
    #[arg(long, value_name = "SRC")]
    pub source: Option<String>,
}

pub fn run(ctx: &Ctx, args: Args) -> Result {
    let format = ctx.format(&[Format::Table, Format::Json], "agreement texts")?;
    let mut store = ctx.open_read()?;
    let texts = store.read(|tx| tx.texts_of(&args.code, args.source.as_deref()))?;
    if format == Format::Json {
        ctx.out.print_json(&texts)?;
        return Ok(Outcome::Ok);
    }
    let mut t = ctx.out.table(&[
        "source",
        "sha256",
        "agreement rev",
        "requisites rev",
        "source rev",
        "current from",
        "until",
    ]);
    for x in &texts {
        t.add_row(vec![
            output::sanitize(&x.source),
            x.sha256
                .as_deref()
                .map_or("(no text)".to_string(), |s| s.chars().take(16).collect()),
            x.agreement_revision.to_string(),
            match (&x.requisites, x.requisites_revision) {
                (Some(c), Some(r)) => format!("{} {r}", output::sanitize(c)),
                _ => String::new(),
            },
            x.source_revision.to_string(),
            x.current_from.clone(),
            x.current_until.clone().unwrap_or_else(|| "now".to_string()),
        ]);
    }
    ctx.out.print_table(&t)?;
    if texts.is_empty() {
        output::notice(&format!(
            "no text of `{}` is registered yet: texts are registered when the agreement is linked to a source and when it, its requisites or the source change (or by `pdconsent apply`)",
            args.code
        ));
    }
    Ok(Outcome::Ok)
}
