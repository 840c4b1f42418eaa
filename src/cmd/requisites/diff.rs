//! `pdconsent requisites diff`.

use crate::cmd::revisions::{Rev, print_diff};
use crate::cmd::{Ctx, Result};
use crate::domain::ObjectKind;
use crate::output::Format;

/// Show what changed between two revisions of a set of requisites, setting by setting
/// (without revisions: the previous against the current one)
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Code of the set of requisites
    pub code: String,
    /// The older revision [default: the one before TO]
    pub from: Option<u32>,
    /// The newer revision [default: the current one]
    pub to: Option<u32>,
}

pub fn run(ctx: &Ctx, args: Args) -> Result {
    let format = ctx.format(&[Format::Table, Format::Json], "requisites diff")?;
    let mut store = ctx.open_read()?;
    let revs = store.read(|tx| tx.requisites_revisions(&args.code))?;
    let revs: Vec<Rev<_>> = revs.into_iter().map(Rev::from).collect();
    print_diff(
        ctx,
        format,
        ObjectKind::Requisites,
        &args.code,
        &revs,
        args.from,
        args.to,
    )
}
