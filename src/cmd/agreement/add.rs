//! `pdconsent agreement add`.

use anyhow::Context as _;

use super::SettingsArgs;
use crate::cmd::{Ctx, Result};
use crate::domain::ObjectKind;
use crate::domain::agreement::{Change, Language, Settings};
use crate::storage::Stamp;
use crate::storage::StoreError;
use crate::{HintExt, Outcome, output, prompt};

/// Create an agreement at revision 1. Without settings flags, a terminal gets a wizard.
///
/// Templates: ru-152fz-consent (personal data, 152-FZ art. 9), ru-152fz-marketing
/// (advertising), ru-152fz-distribution (art. 10.1), en-consent (GDPR), custom (--text-file).
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The code forms and consents refer to it by, e.g. `site-form`
    pub code: Option<String>,
    /// Language of the text [default: ru]
    #[arg(long, value_name = "LANG", ignore_case = true, value_parser = crate::cmd::values::language())]
    pub language: Option<String>,
    #[command(flatten)]
    pub settings: SettingsArgs,
}

pub fn run(ctx: &Ctx, args: Args) -> Result {
    let format = ctx.format(
        &[crate::output::Format::Table, crate::output::Format::Json],
        "agreement add",
    )?;
    let mut store = ctx.open()?;
    let wizard = args.settings.is_empty() && args.language.is_none() && ctx.interactive();
    let mut prompter = ctx.prompter();
    let code = match &args.code {
        Some(c) => c.clone(),
        None if wizard => prompter.input("Code (e.g. site-form)", "CODE", "", &|s| {
            crate::domain::validate_code(s.trim())
        })?,
        None => {
            return Err(anyhow::anyhow!("the code of the new agreement is required; give it as the first argument, e.g. `pdconsent agreement add site-form`")).hint("e.g. `pdconsent agreement add site-form --name \"…\"`, or run it on a terminal to be asked");
        }
    };
    crate::domain::validate_code(&code)
        .map_err(anyhow::Error::msg)
        .hint("codes are what commands and forms refer to: short, lowercase, e.g. `main`, `site-form`")?;
    let (exists, requisites) = store.read(|tx| -> Result<_> {
        Ok((tx.agreement_find(&code)?.is_some(), tx.requisites_list()?))
    })?;
    if exists {
        return Err(StoreError::AlreadyExists {
            kind: ObjectKind::Agreement,
            code,
        }
        .into());
    }
    let language = match &args.language {
        Some(l) => Language::parse(l)
            .map_err(anyhow::Error::msg)
            .hint("use --language ru or --language en")?,
        None => Language::Ru,
    };
    let default_req = requisites
        .iter()
        .find(|r| r.requisites.is_default)
        .or(requisites.first());
    let req_code = match (&args.settings.requisites, default_req) {
        (Some(c), _) => c.clone(),
        (None, Some(r)) => r.requisites.code.clone(),
        (None, None) => {
            return Err(anyhow::anyhow!(
                "there are no requisites yet; an agreement names the company from them"
            ))
            .hint("run `pdconsent requisites add main --set short_name=…` first");
        }
    };
    let mut settings = Settings::new("", language, &req_code);
    if wizard {
        let req_codes: Vec<String> = requisites
            .iter()
            .map(|r| r.requisites.code.clone())
            .collect();
        let cx = super::wizard::Context {
            code: &code,
            requisites: &req_codes,
        };
        super::wizard::add(&mut *prompter, &cx, &mut settings)?;
    } else {
        let mut changes = args.settings.to_changes()?;
        if settings.language != Language::Ru {
            changes.insert(
                0,
                Change::Set("term".into(), language.default_term().into()),
            );
        }
        settings.apply(&changes)?;
        if settings.name.trim().is_empty() {
            return Err(anyhow::anyhow!("the name of the agreement is required"))
                .hint("give it with --name \"…\" (e.g. --name \"Согласие на обработку персональных данных\")");
        }
    }
    crate::domain::render::validate(&code, &settings)?;
    if wizard {
        // The e-mail in effect, as `show` will print it.
        let email = settings.withdrawal_email.clone().or_else(|| {
            requisites
                .iter()
                .find(|r| r.requisites.code == settings.requisites)
                .and_then(|r| r.requisites.email.clone())
        });
        let rows = super::show::settings_rows(
            &settings,
            Some((email.as_deref(), settings.withdrawal_email.is_none())),
        );
        output::notice(&prompt::summary(
            &format!("agreement `{code}`"),
            &rows,
            prompt::summary_width(),
        ));
        prompt::confirm_save(&mut *prompter, ctx.global.yes, "Create this agreement?")?;
    }
    let now = ctx.now();
    let actor = ctx.actor();
    let view = store
        .write(|tx| -> Result<_> {
            super::check_references(tx, &settings)?;
            tx.agreement_create(&code, &settings, &now, &actor)?;
            tx.log_append(
                Stamp {
                    at: &now,
                    actor: &actor,
                },
                "agreement",
                &code,
                "create",
                None,
                Some(&serde_json::to_value(&settings)?),
            )?;
            super::view(tx, &tx.agreement_get(&code)?)
        })
        .with_context(|| format!("agreement `{code}` not created"))?;
    output::notice(&format!("created agreement `{code}` at revision 1"));
    if format == crate::output::Format::Json {
        ctx.out.print_json(&view)?;
    }
    Ok(Outcome::Ok)
}
