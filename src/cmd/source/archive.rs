//! `pdconsent source archive`.

use crate::cmd::{Ctx, Result};
use crate::storage::Stamp;
use crate::{Outcome, output};

/// Hide a source from new use; everything recorded through it stays
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Code of the source
    pub code: String,
}

pub fn run(ctx: &Ctx, args: Args) -> Result {
    ctx.format(&[crate::cli::Format::Table], "source archive")?;
    set_archived(ctx, &args.code, true)
}

pub fn set_archived(ctx: &Ctx, code: &str, archived: bool) -> Result {
    let mut store = ctx.open()?;
    let now = ctx.now();
    let actor = ctx.actor();
    let changed = store.write(|tx| -> Result<_> {
        let rec = tx.source_get(code)?;
        if rec.archived == archived {
            return Ok(false);
        }
        tx.source_set_archived(code, archived, &now)?;
        let state = |a: bool| serde_json::json!({ "archived": a });
        let action = if archived { "archive" } else { "restore" };
        tx.log_append(
            Stamp {
                at: &now,
                actor: &actor,
            },
            "source",
            code,
            action,
            Some(&state(!archived)),
            Some(&state(archived)),
        )?;
        Ok(true)
    })?;
    let word = if archived { "archived" } else { "active" };
    output::notice(&if changed {
        format!("source `{code}` is now {word}")
    } else {
        format!("source `{code}` is already {word}; nothing changed")
    });
    Ok(Outcome::Ok)
}
