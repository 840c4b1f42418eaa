//! `pdconsent template …`: the built-in templates.

pub mod list;
pub mod show;

use clap::Subcommand;

use super::{Ctx, Result};

#[derive(Debug, Subcommand)]
pub enum Command {
    /// List the built-in templates
    List(list::Args),
    /// Print the source of a built-in template (a start for a custom one)
    Show(show::Args),
}

pub fn run(ctx: &Ctx, command: Command) -> Result {
    match command {
        Command::List(a) => list::run(ctx, a),
        Command::Show(a) => show::run(ctx, a),
    }
}
