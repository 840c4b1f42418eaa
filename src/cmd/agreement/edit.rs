//! `pdconsent agreement edit`.

use super::SettingsArgs;
use crate::cmd::{Ctx, Result};
use crate::domain::ObjectKind;
use crate::domain::agreement::Change;
use crate::domain::diff;
use crate::output::Format;
use crate::storage::{Stamp, Store, StoreError};
use crate::{HintExt, Outcome, output};

/// Change settings of an agreement. A change creates revision N+1; a change that
/// alters nothing creates nothing. Without flags, a terminal gets a wizard.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Code of the agreement
    pub code: String,
    #[command(flatten)]
    pub settings: SettingsArgs,
}

pub fn run(ctx: &Ctx, args: Args) -> Result {
    let format = ctx.format(
        &[crate::output::Format::Table, crate::output::Format::Json],
        "agreement edit",
    )?;
    let mut store = ctx.open()?;
    if args.settings.is_empty() && ctx.interactive() {
        // The wizard's answers are asked once: a conflict is reported, not retried.
        return edit(ctx, &mut store, &args.code, format, None);
    }
    // Flags are read once (a text from stdin cannot be read twice); the edit
    // runs again on the newest revision if another process got in between.
    let changes = args.settings.to_changes()?;
    ctx.retrying(|| edit(ctx, &mut store, &args.code, format, Some(&changes)))
}

/// One edit of the current revision: `given` changes, or the wizard's when `None`.
fn edit(
    ctx: &Ctx,
    store: &mut Store,
    code: &str,
    format: Format,
    given: Option<&[Change]>,
) -> Result {
    let (current, requisites) =
        store.read(|tx| -> Result<_> { Ok((tx.agreement_get(code)?, tx.requisites_list()?)) })?;
    if current.archived {
        return Err(anyhow::anyhow!(
            "agreement `{code}` is archived; archived agreements are not edited"
        ))
        .hint(format!("run `pdconsent agreement restore {code}` first"));
    }
    let wizard = given.is_none();
    let mut prompter = ctx.prompter();
    let mut next = current.settings.clone();
    let changes = match given {
        None => {
            let codes: Vec<String> = requisites
                .iter()
                .map(|r| r.requisites.code.clone())
                .collect();
            let cx = super::wizard::Context {
                code,
                requisites: &codes,
            };
            super::wizard::edit(&mut *prompter, &cx, &mut next)?;
            Vec::new()
        }
        Some([]) => {
            return Err(anyhow::anyhow!("nothing to change for agreement `{code}`"))
                .hint("give --set KEY=VALUE, --add-purpose …, --third-party …, or run on a terminal for the wizard");
        }
        Some(changes) => changes.to_vec(),
    };
    next.apply(&changes)?;
    crate::domain::render::validate(code, &next).hint(format!(
        "fix the values; `pdconsent agreement show {code}` shows the current ones"
    ))?;
    let changed = diff::diff(&current.settings, &next);
    if changed.is_empty() {
        output::notice(&format!(
            "agreement `{code}` unchanged: no setting differs, no revision created (still revision {})",
            current.revision
        ));
        if format == Format::Json {
            ctx.out
                .print_json(&store.read(|tx| super::view(tx, &current))?)?;
        }
        return Ok(Outcome::Ok);
    }
    if wizard {
        output::notice(&crate::cmd::describe_changes(&changed));
        crate::prompt::confirm_save(
            &mut *prompter,
            ctx.global.yes,
            &format!("Save as revision {}?", current.revision + 1),
        )?;
    }
    let now = ctx.now();
    let actor = ctx.actor();
    let (revision, view, texts) = store.write(|tx| -> Result<_> {
        // Archived since it was read: read again (and refuse, as archived).
        if tx.agreement_get(code)?.archived {
            return Err(StoreError::Changed {
                kind: ObjectKind::Agreement,
                code: code.to_string(),
            }
            .into());
        }
        super::check_references(tx, &next)?;
        let revision = tx.agreement_add_revision(code, current.revision, &next, &now, &actor)?;
        tx.log_append(
            Stamp {
                at: &now,
                actor: &actor,
            },
            "agreement",
            code,
            &format!("revision {revision}"),
            Some(&serde_json::to_value(&current.settings)?),
            Some(&serde_json::to_value(&next)?),
        )?;
        let texts = crate::cmd::texts::register(
            tx,
            Stamp {
                at: &now,
                actor: &actor,
            },
            crate::cmd::texts::Scope::Agreement(code),
        )?;
        Ok((revision, super::view(tx, &tx.agreement_get(code)?)?, texts))
    })?;
    let fields: Vec<&str> = changed.iter().map(|c| c.field.as_str()).collect();
    output::notice(&format!(
        "agreement `{code}`: revision {revision} created ({})",
        fields.join(", ")
    ));
    crate::cmd::texts::announce(&texts);
    if format == Format::Json {
        ctx.out.print_json(&crate::output::views::Edited {
            object: &view,
            texts_changed: &texts,
        })?;
    }
    Ok(Outcome::Ok)
}
