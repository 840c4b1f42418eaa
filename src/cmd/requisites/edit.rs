//! `pdconsent requisites edit`.

use super::SettingsArgs;
use crate::cmd::{Ctx, Result};
use crate::domain::ObjectKind;
use crate::domain::diff;
use crate::output::Format;
use crate::storage::{Stamp, Store, StoreError};
use crate::{HintExt, Outcome, output};

/// Change settings of a set of requisites. Without flags, a terminal gets a wizard.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Code of the set
    pub code: String,
    #[command(flatten)]
    pub settings: SettingsArgs,
}

pub fn run(ctx: &Ctx, args: Args) -> Result {
    let format = ctx.format(
        &[crate::output::Format::Table, crate::output::Format::Json],
        "requisites edit",
    )?;
    let mut store = ctx.open()?;
    let wizard = args.settings.is_empty() && ctx.interactive();
    if wizard {
        // The wizard's answers are asked once: a conflict is reported, not retried.
        return edit(ctx, &mut store, &args, format, true);
    }
    ctx.retrying(|| edit(ctx, &mut store, &args, format, false))
}

/// One edit of what is stored now, with the flags or (`wizard`) the wizard's answers.
fn edit(ctx: &Ctx, store: &mut Store, args: &Args, format: Format, wizard: bool) -> Result {
    let current = store.read(|tx| tx.requisites_get(&args.code))?.requisites;
    let mut prompter = ctx.prompter();
    let mut next = current.clone();
    if wizard {
        super::wizard::edit(&mut *prompter, &mut next)?;
    } else if args.settings.is_empty() {
        return Err(anyhow::anyhow!(
            "nothing to change for requisites `{}`",
            args.code
        ))
        .hint(
            "give --set KEY=VALUE, --unset KEY or --default (or run on a terminal for the wizard)",
        );
    } else {
        args.settings.apply(&mut next)?;
    }
    next.validate().hint(format!(
        "fix the values; `pdconsent requisites show {}` shows the current ones",
        args.code
    ))?;
    let changes = diff::diff(&current, &next);
    if changes.is_empty() {
        output::notice(&format!(
            "requisites `{}` unchanged: the values are already as given",
            args.code
        ));
        if format == Format::Json {
            ctx.out
                .print_json(&store.read(|tx| super::view(tx, &tx.requisites_get(&args.code)?))?)?;
        }
        return Ok(Outcome::Ok);
    }
    if wizard {
        output::notice(&crate::cmd::describe_changes(&changes));
        crate::prompt::confirm_save(&mut *prompter, ctx.global.yes, "Save these changes?")?;
    }
    let now = ctx.now();
    let actor = ctx.actor();
    let (saved, texts) = store.write(|tx| -> Result<_> {
        // The change was computed from what we read before: refuse if someone changed it since.
        if tx.requisites_get(&args.code)?.requisites != current {
            return Err(StoreError::Changed {
                kind: ObjectKind::Requisites,
                code: args.code.clone(),
            }
            .into());
        }
        super::save_logged(
            tx,
            Stamp {
                at: &now,
                actor: &actor,
            },
            &next,
        )?;
        let texts = crate::cmd::texts::register(
            tx,
            Stamp {
                at: &now,
                actor: &actor,
            },
            crate::cmd::texts::Scope::Requisites(&args.code),
        )?;
        Ok((super::view(tx, &tx.requisites_get(&args.code)?)?, texts))
    })?;
    let fields: Vec<&str> = changes.iter().map(|c| c.field.as_str()).collect();
    output::notice(&format!(
        "updated requisites `{}`: {}",
        args.code,
        fields.join(", ")
    ));
    crate::cmd::texts::announce(&texts);
    if format == Format::Json {
        ctx.out.print_json(&crate::output::views::Edited {
            object: &saved,
            texts_changed: &texts,
        })?;
    }
    Ok(Outcome::Ok)
}
