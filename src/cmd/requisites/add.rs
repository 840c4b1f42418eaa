//! `pdconsent requisites add`.

use anyhow::Context as _;

use super::SettingsArgs;
use crate::cmd::{Ctx, Result};
use crate::domain::ObjectKind;
use crate::domain::requisites::{Kind, Requisites};
use crate::storage::Stamp;
use crate::storage::StoreError;
use crate::{HintExt, Outcome, output, prompt};

/// Add a set of requisites. Without settings flags, a terminal gets a wizard.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The code other commands refer to it by, e.g. `main`
    pub code: Option<String>,
    /// Legal entity or individual entrepreneur
    #[arg(long, value_name = "KIND", ignore_case = true, value_parser = crate::cmd::values::requisites_kind())]
    pub kind: Option<String>,
    #[command(flatten)]
    pub settings: SettingsArgs,
}

pub fn run(ctx: &Ctx, args: Args) -> Result {
    let format = ctx.format(
        &[crate::output::Format::Table, crate::output::Format::Json],
        "requisites add",
    )?;
    let mut store = ctx.open()?;
    let wizard = args.settings.is_empty() && args.kind.is_none() && ctx.interactive();
    let mut prompter = ctx.prompter();
    let code = match &args.code {
        Some(c) => c.clone(),
        None if wizard => prompter.input("Code (e.g. main)", "CODE", "", &|s| {
            crate::domain::validate_code(s.trim())
        })?,
        None => {
            return Err(anyhow::anyhow!("the code of the new set is required; give it as the first argument, e.g. `pdconsent requisites add main`")).hint("e.g. `pdconsent requisites add main --set short_name=\"…\"`, or run it on a terminal to be asked");
        }
    };
    crate::domain::validate_code(&code)
        .map_err(anyhow::Error::msg)
        .hint("codes are what commands and forms refer to: short, lowercase, e.g. `main`, `site-form`")?;
    if store.read(|tx| tx.requisites_find(&code))?.is_some() {
        return Err(StoreError::AlreadyExists {
            kind: ObjectKind::Requisites,
            code,
        }
        .into());
    }
    let kind = match &args.kind {
        Some(k) => Kind::parse(k)
            .map_err(anyhow::Error::msg)
            .hint("use --kind legal or --kind individual")?,
        None => Kind::Legal,
    };
    let mut r = Requisites::new(&code, kind);
    if wizard {
        super::wizard::add(&mut *prompter, &mut r)?;
    } else {
        args.settings.apply(&mut r)?;
        if r.short_name.is_empty() {
            return Err(anyhow::anyhow!(
                "the short name is required (without it every consent text would show a blank company)"
            ))
            .hint("give it with --set short_name=\"ООО «…»\"");
        }
    }
    r.validate()?;
    if wizard {
        // The first set becomes the default (decided again when it is saved).
        let mut shown = r.clone();
        shown.is_default = store.read(|tx| tx.requisites_default())?.is_none();
        output::notice(&prompt::summary(
            &format!("requisites `{code}`"),
            &super::show::rows(&shown),
            prompt::summary_width(),
        ));
        prompt::confirm_save(&mut *prompter, ctx.global.yes, "Save these requisites?")?;
    }
    let now = ctx.now();
    let actor = ctx.actor();
    let (saved, is_default) = store
        .write(|tx| -> Result<_> {
            if tx.requisites_find(&code)?.is_some() {
                return Err(StoreError::AlreadyExists {
                    kind: ObjectKind::Requisites,
                    code: code.clone(),
                }
                .into());
            }
            // The first set becomes the default, so agreements have one to fall back on.
            let mut r = r.clone();
            if tx.requisites_default()?.is_none() {
                r.is_default = true;
            }
            super::save_logged(
                tx,
                Stamp {
                    at: &now,
                    actor: &actor,
                },
                &r,
            )?;
            let saved = tx.requisites_get(&code)?;
            Ok((super::view(tx, &saved)?, r.is_default))
        })
        .with_context(|| format!("requisites `{code}` not saved"))?;
    output::notice(&format!(
        "created requisites `{code}`{}",
        if is_default { " (default)" } else { "" }
    ));
    if format == crate::output::Format::Json {
        ctx.out.print_json(&saved)?;
    }
    Ok(Outcome::Ok)
}
