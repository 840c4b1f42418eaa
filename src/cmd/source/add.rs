//! `pdconsent source add`.

use anyhow::Context as _;

use super::SettingsArgs;
use crate::cmd::{Ctx, Result};
use crate::domain::ObjectKind;
use crate::domain::source::{Source, SourceKind};
use crate::output::views::SourceLinkView;
use crate::storage::Stamp;
use crate::storage::StoreError;
use crate::{HintExt, Outcome, output, prompt};

/// Add a web form (`form`) or chat channel (`openline`). A chat lists name, e-mail,
/// phone and photo as its fields unless given others, and sends the warning.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The code consents refer to it by, e.g. `contact-form`
    pub code: Option<String>,
    /// What the source is
    #[arg(long, value_name = "KIND", ignore_case = true, value_parser = crate::cmd::values::source_kind())]
    pub kind: Option<String>,
    #[command(flatten)]
    pub settings: SettingsArgs,
}

pub fn run(ctx: &Ctx, args: Args) -> Result {
    let format = ctx.format(
        &[crate::output::Format::Table, crate::output::Format::Json],
        "source add",
    )?;
    let mut store = ctx.open()?;
    let wizard = args.settings.is_empty() && args.kind.is_none() && ctx.interactive();
    let mut prompter = ctx.prompter();
    let code = match &args.code {
        Some(c) => c.clone(),
        None if wizard => prompter.input("Code (e.g. contact-form)", "CODE", "", &|s| {
            crate::domain::validate_code(s.trim())
        })?,
        None => {
            return Err(anyhow::anyhow!("the code of the new source is required; give it as the first argument, e.g. `pdconsent source add contact-form`")).hint("e.g. `pdconsent source add contact-form --kind form --name \"…\"`, or run it on a terminal to be asked");
        }
    };
    crate::domain::validate_code(&code)
        .map_err(anyhow::Error::msg)
        .hint("codes are what commands and forms refer to: short, lowercase, e.g. `main`, `site-form`")?;
    let (exists, agreements) = store.read(|tx| -> Result<_> {
        Ok((tx.source_find(&code)?.is_some(), tx.agreement_list(false)?))
    })?;
    if exists {
        return Err(StoreError::AlreadyExists {
            kind: ObjectKind::Source,
            code,
        }
        .into());
    }
    let kind = match &args.kind {
        Some(k) => SourceKind::parse(k)
            .map_err(anyhow::Error::msg)
            .hint("use --kind form or --kind openline")?,
        None if wizard => SourceKind::Form,
        None => {
            return Err(anyhow::anyhow!(
                "the kind of the source is required (no terminal to ask on)"
            ))
            .hint("give --kind form or --kind openline");
        }
    };
    let mut source = Source::new(&code, kind, "");
    if wizard {
        let codes: Vec<String> = agreements.iter().map(|a| a.code.clone()).collect();
        super::wizard::add(&mut *prompter, &mut source, &codes)?;
    } else {
        let explicit_fields = !args.settings.add_field.is_empty();
        if explicit_fields {
            // Given fields replace a chat's defaults rather than add to them.
            source.fields.clear();
        }
        args.settings.apply(&mut source)?;
        if source.name.is_empty() {
            return Err(anyhow::anyhow!("the name of the source is required"))
                .hint("give it with --name \"…\" (e.g. --name \"Форма обратной связи\")");
        }
    }
    source.validate()?;
    if wizard {
        let links: Vec<SourceLinkView> = source
            .agreements
            .iter()
            .filter_map(|l| {
                let a = agreements.iter().find(|a| a.code == l.agreement)?;
                Some(SourceLinkView::new(l, a))
            })
            .collect();
        output::notice(&prompt::summary(
            &format!("source `{code}`"),
            &super::show::rows(&source, &links),
            prompt::summary_width(),
        ));
        prompt::confirm_save(&mut *prompter, ctx.global.yes, "Create this source?")?;
    }
    let now = ctx.now();
    let actor = ctx.actor();
    let (view, texts) = store
        .write(|tx| -> Result<_> {
            if tx.source_find(&code)?.is_some() {
                return Err(StoreError::AlreadyExists {
                    kind: ObjectKind::Source,
                    code: code.clone(),
                }
                .into());
            }
            super::check_links(tx, &source, None)?;
            tx.source_save(
                &source,
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
                "create",
                None,
                Some(&super::to_json(&source)),
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
        })
        .with_context(|| format!("source `{code}` not created"))?;
    output::notice(&format!(
        "created source `{code}` ({}, {} agreement(s))",
        kind.as_str(),
        source.agreements.len()
    ));
    crate::cmd::texts::announce(&texts);
    if format == crate::output::Format::Json {
        ctx.out.print_json(&crate::output::views::Edited {
            object: &view,
            texts_changed: &texts,
        })?;
    }
    Ok(Outcome::Ok)
}
