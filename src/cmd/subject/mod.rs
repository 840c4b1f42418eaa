//! `pdconsent subject …`: a person's data after withdrawal — what is due for destruction
//! (152-FZ art. 21 §5) and its erasure (docs/guide.md, "Erasure").

pub mod due;
pub mod erase;

use clap::Subcommand;

use super::{Ctx, Result};

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Delete a person's data (envelopes), logging an `erased` event
    Erase(erase::Args),
    /// Withdrawn consents whose data must be destroyed soon or already
    Due(due::Args),
}

pub fn run(ctx: &Ctx, command: Command) -> Result {
    match command {
        Command::Erase(a) => erase::run(ctx, a),
        Command::Due(a) => due::run(ctx, a),
    }
}
