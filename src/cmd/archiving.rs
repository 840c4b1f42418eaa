//! Archiving and restoring agreements and sources: the flag, its log entry,
//! and the `archive` / `restore` commands of both.

use super::{Ctx, Result};
use crate::output::Format;
use crate::output::views::ArchivedView;
use crate::storage::{Stamp, Tx};
use crate::{Outcome, output};

#[derive(Debug, Clone, Copy)]
pub enum Archivable {
    Agreement,
    Source,
}

impl Archivable {
    fn kind(self) -> &'static str {
        match self {
            Archivable::Agreement => "agreement",
            Archivable::Source => "source",
        }
    }
}

/// Sets the archived flag and logs the change; `false` when it was already so.
pub fn set_logged(
    tx: &Tx,
    stamp: Stamp,
    what: Archivable,
    code: &str,
    archived: bool,
) -> Result<bool> {
    let current = match what {
        Archivable::Agreement => tx.agreement_get(code)?.archived,
        Archivable::Source => tx.source_get(code)?.archived,
    };
    if current == archived {
        return Ok(false);
    }
    match what {
        Archivable::Agreement => tx.agreement_set_archived(code, archived, stamp.at)?,
        Archivable::Source => tx.source_set_archived(code, archived, stamp.at)?,
    }
    let action = if archived { "archive" } else { "restore" };
    let state = |a: bool| serde_json::to_value(ArchivedView::new(a));
    tx.log_append(
        stamp,
        what.kind(),
        code,
        action,
        Some(&state(!archived)?),
        Some(&state(archived)?),
    )?;
    Ok(true)
}

/// `pdconsent agreement|source archive|restore CODE`.
pub fn run(ctx: &Ctx, what: Archivable, code: &str, archived: bool) -> Result {
    let verb = if archived { "archive" } else { "restore" };
    let format = ctx.format(
        &[Format::Table, Format::Json],
        &format!("{} {verb}", what.kind()),
    )?;
    let mut store = ctx.open()?;
    let now = ctx.now();
    let actor = ctx.actor();
    let (changed, texts) = store.write(|tx| -> Result<_> {
        let changed = set_logged(
            tx,
            Stamp {
                at: &now,
                actor: &actor,
            },
            what,
            code,
            archived,
        )?;
        Ok((
            changed,
            crate::cmd::texts::register(
                tx,
                Stamp {
                    at: &now,
                    actor: &actor,
                },
                match what {
                    Archivable::Agreement => crate::cmd::texts::Scope::Agreement(code),
                    Archivable::Source => crate::cmd::texts::Scope::Source(code),
                },
            )?,
        ))
    })?;
    let word = if archived { "archived" } else { "active" };
    output::notice(&if changed {
        format!("{} `{code}` is now {word}", what.kind())
    } else {
        format!(
            "{} `{code}` is already {word}; nothing changed",
            what.kind()
        )
    });
    crate::cmd::texts::announce(&texts);
    if format == Format::Json {
        /// `archive`/`restore --format json`: what it is now, and whether this changed it.
        #[derive(serde::Serialize)]
        struct View<'a> {
            kind: &'a str,
            code: &'a str,
            archived: bool,
            changed: bool,
        }
        ctx.out.print_json(&View {
            kind: what.kind(),
            code,
            archived,
            changed,
        })?;
    }
    Ok(Outcome::Ok)
}
