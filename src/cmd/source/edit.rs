//! `pdconsent source edit`.

use super::SettingsArgs;
use crate::cmd::{Ctx, Result};
use crate::domain::ObjectKind;
use crate::domain::diff;
use crate::output::Format;
use crate::storage::{Stamp, Store, StoreError};
use crate::{HintExt, Outcome, output};

/// Change a source: settings, fields, linked agreements and their behaviour overrides
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Code of the source
    pub code: String,
    #[command(flatten)]
    pub settings: SettingsArgs,
}

pub fn run(ctx: &Ctx, args: Args) -> Result {
    let format = ctx.format(
        &[crate::output::Format::Table, crate::output::Format::Json],
        "source edit",
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
    let code = args.code.clone();
    let (current, agreements) =
        store.read(|tx| -> Result<_> { Ok((tx.source_get(&code)?, tx.agreement_list(false)?)) })?;
    if current.archived {
        return Err(anyhow::anyhow!(
            "source `{code}` is archived; archived sources are not edited"
        ))
        .hint(format!("run `pdconsent source restore {code}` first"));
    }
    let mut prompter = ctx.prompter();
    let mut next = current.source.clone();
    if wizard {
        let mut codes: Vec<String> = agreements.iter().map(|a| a.code.clone()).collect();
        // Keep archived agreements that are still linked choosable, so the wizard does not drop them silently.
        for l in &next.agreements {
            if !codes.contains(&l.agreement) {
                codes.push(l.agreement.clone());
            }
        }
        super::wizard::edit(&mut *prompter, &mut next, &codes)?;
    } else if args.settings.is_empty() {
        return Err(anyhow::anyhow!("nothing to change for source `{code}`")).hint(
            "give --set KEY=VALUE, --add-field …, --link …, or run on a terminal for the wizard",
        );
    } else {
        args.settings.apply(&mut next)?;
    }
    next.validate()?;
    let changes = diff::diff(&current.source, &next);
    if changes.is_empty() {
        output::notice(&format!(
            "source `{code}` unchanged: the values are already as given"
        ));
        if format == Format::Json {
            ctx.out
                .print_json(&store.read(|tx| super::view(tx, &current))?)?;
        }
        return Ok(Outcome::Ok);
    }
    if wizard {
        output::notice(&crate::cmd::describe_changes(&changes));
        crate::prompt::confirm_save(&mut *prompter, ctx.global.yes, "Save these changes?")?;
    }
    let now = ctx.now();
    let actor = ctx.actor();
    let (view, texts) = store.write(|tx| -> Result<_> {
        let stored = tx.source_get(&code)?;
        let before = stored.source;
        // The change was computed from what we read before: refuse if someone
        // changed (or archived) it since.
        if before != current.source || stored.archived {
            return Err(StoreError::Changed {
                kind: ObjectKind::Source,
                code: code.clone(),
            }
            .into());
        }
        super::check_links(tx, &next, Some(&before))?;
        tx.source_save(
            &next,
            Stamp {
                at: &now,
                actor: &actor,
            },
        )?;
        tx.log_append(
            Stamp {
                at: &now,
                actor: &actor,
            },
            "source",
            &code,
            "update",
            Some(&super::to_json(&before)),
            Some(&super::to_json(&next)),
        )?;
        let texts = crate::cmd::texts::register(
            tx,
            Stamp {
                at: &now,
                actor: &actor,
            },
            crate::cmd::texts::Scope::Source(&code),
        )?;
        Ok((super::view(tx, &tx.source_get(&code)?)?, texts))
    })?;
    let fields: Vec<&str> = changes.iter().map(|c| c.field.as_str()).collect();
    output::notice(&format!("updated source `{code}`: {}", fields.join(", ")));
    crate::cmd::texts::announce(&texts);
    if format == Format::Json {
        ctx.out.print_json(&crate::output::views::Edited {
            object: &view,
            texts_changed: &texts,
        })?;
    }
    Ok(Outcome::Ok)
}
