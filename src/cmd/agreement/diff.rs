//! `pdconsent agreement diff`.

use crate::cmd::{Ctx, Result};
use crate::domain::diff;
use crate::output::Format;
use crate::output::views::DiffView;
use crate::{HintExt, Outcome, output};

/// Show what changed between two revisions, setting by setting
/// (without revisions: the previous against the current one)
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Code of the agreement
    pub code: String,
    /// The older revision [default: the one before TO]
    pub from: Option<u32>,
    /// The newer revision [default: the current one]
    pub to: Option<u32>,
}

pub fn run(ctx: &Ctx, args: Args) -> Result {
    let format = ctx.format(&[Format::Table, Format::Json], "agreement diff")?;
    let mut store = ctx.open_read()?;
    let d = store.read(|tx| -> Result<_> {
        let current = tx.agreement_get(&args.code)?;
        let to = args.to.unwrap_or(current.revision);
        let from = match args.from {
            Some(f) => f,
            None if to > 1 => to - 1,
            None => {
                return Err(anyhow::anyhow!(
                    "agreement `{}` has only revision 1; there is nothing to compare",
                    args.code
                ))
                .hint(format!(
                    "a change makes revision 2: `pdconsent agreement edit {} …`",
                    args.code
                ));
            }
        };
        let a = tx.agreement_revision(&args.code, from)?;
        let b = tx.agreement_revision(&args.code, to)?;
        Ok(DiffView::new(
            &args.code,
            from,
            to,
            diff::diff(&a.settings, &b.settings),
        ))
    })?;
    if format == Format::Json {
        ctx.out.print_json(&d)?;
        return Ok(Outcome::Ok);
    }
    let mut t = ctx
        .out
        .table(&["setting", &format!("revision {} → {}", d.from, d.to)]);
    for c in &d.changes {
        t.add_row(vec![
            c.field.clone(),
            output::sanitize_multiline(&diff::describe(c).join("\n")),
        ]);
    }
    ctx.out.print_table(&t)?;
    if d.changes.is_empty() {
        output::notice(&format!(
            "revisions {} and {} of `{}` have the same settings",
            d.from, d.to, d.code
        ));
    }
    Ok(Outcome::Ok)
}
