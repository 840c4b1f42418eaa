//! `pdconsent agreement archive`.

use crate::cmd::{Ctx, Result};
use crate::storage::Stamp;
use crate::{Outcome, output};

/// Hide an agreement from new use. Its revisions (and consents) are kept;
/// `pdconsent agreement restore` brings it back.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Code of the agreement
    pub code: String,
}

pub fn run(ctx: &Ctx, args: Args) -> Result {
    ctx.format(&[crate::cli::Format::Table], "agreement archive")?;
    set_archived(ctx, &args.code, true)
}

pub fn set_archived(ctx: &Ctx, code: &str, archived: bool) -> Result {
    let mut store = ctx.open()?;
    let now = ctx.now();
    let actor = ctx.actor();
    let changed = store.write(|tx| -> Result<_> {
        let rec = tx.agreement_get(code)?;
        if rec.archived == archived {
            return Ok(false);
        }
        tx.agreement_set_archived(code, archived, &now)?;
        let action = if archived { "archive" } else { "restore" };
        let state = |a: bool| serde_json::json!({ "archived": a });
        tx.log_append(
            Stamp {
                at: &now,
                actor: &actor,
            },
            "agreement",
            code,
            action,
            Some(&state(!archived)),
            Some(&state(archived)),
        )?;
        Ok(true)
    })?;
    let word = if archived { "archived" } else { "active" };
    if changed {
        output::notice(&format!("agreement `{code}` is now {word}"));
    } else {
        output::notice(&format!(
            "agreement `{code}` is already {word}; nothing changed"
        ));
    }
    Ok(Outcome::Ok)
}
