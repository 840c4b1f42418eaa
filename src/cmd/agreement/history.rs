//! `pdconsent agreement history`.

use crate::cmd::revisions::{Rev, print_history};
use crate::cmd::{Ctx, Result};
use crate::output::Format;

/// List the revisions of an agreement: when, by whom, and which settings each changed
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Code of the agreement
    pub code: String,
}

pub fn run(ctx: &Ctx, args: Args) -> Result {
    let format = ctx.format(&[Format::Table, Format::Json], "agreement history")?;
    let mut store = ctx.open_read()?;
    let revs = store.read(|tx| tx.agreement_revisions(&args.code))?;
    let revs: Vec<Rev<_>> = revs.into_iter().map(Rev::from).collect();
    print_history(ctx, format, &revs)
}
