//! `pdconsent requisites remove`.

use crate::cmd::{Ctx, Result};
use crate::storage::Stamp;
use crate::{HintExt, Outcome, output};

/// Remove a set of requisites that no agreement uses (asks first; --yes skips)
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Code of the set
    pub code: String,
}

pub fn run(ctx: &Ctx, args: Args) -> Result {
    let format = ctx.format(
        &[crate::output::Format::Table, crate::output::Format::Json],
        "requisites remove",
    )?;
    let mut store = ctx.open()?;
    let code = args.code;
    let (current, used) = store.read(|tx| -> Result<_> {
        let used = tx
            .agreements_using_requisites(&code)?
            .into_iter()
            .map(|c| Ok((tx.agreement_get(&c)?.archived, c)))
            .collect::<Result<Vec<_>>>()?;
        Ok((tx.requisites_get(&code)?, used))
    })?;
    if let Some((archived, first)) = used.first() {
        let names: Vec<String> = used
            .iter()
            .map(|(a, c)| {
                if *a {
                    format!("`{c}` (archived)")
                } else {
                    format!("`{c}`")
                }
            })
            .collect();
        let hint = if *archived {
            // An archived agreement is not edited; its texts still need the company it names.
            format!(
                "archived agreements keep their requisites; to change `{first}`, run `pdconsent agreement restore {first}` and then `pdconsent agreement edit {first} --set requisites=OTHER`"
            )
        } else {
            format!(
                "point those agreements at another set first: `pdconsent agreement edit {first} --set requisites=OTHER`"
            )
        };
        return Err(anyhow::anyhow!(
            "requisites `{code}` are used by agreement(s) {}; they cannot be removed",
            names.join(", ")
        ))
        .hint(hint);
    }
    let mut prompter = ctx.prompter();
    ctx.confirm(
        &mut *prompter,
        &format!(
            "Remove requisites `{code}` ({})?",
            current.requisites.short_name
        ),
    )?;
    let now = ctx.now();
    let actor = ctx.actor();
    store.write(|tx| -> Result<_> {
        let before = tx.requisites_get(&code)?;
        // Checked again inside the transaction: an agreement may have appeared meanwhile.
        if !tx.agreements_using_requisites(&code)?.is_empty() {
            anyhow::bail!("requisites `{code}` came into use while removing; nothing changed");
        }
        tx.requisites_delete(&code)?;
        tx.log_append(
            Stamp {
                at: &now,
                actor: &actor,
            },
            "requisites",
            &code,
            "remove",
            Some(&super::to_json(&before.requisites)),
            None,
        )?;
        Ok(())
    })?;
    output::notice(&format!("removed requisites `{code}`"));
    if format == crate::output::Format::Json {
        /// `requisites remove --format json`.
        #[derive(serde::Serialize)]
        struct View<'a> {
            kind: &'a str,
            code: &'a str,
            removed: bool,
            was_default: bool,
        }
        ctx.out.print_json(&View {
            kind: "requisites",
            code: &code,
            removed: true,
            was_default: current.requisites.is_default,
        })?;
    }
    if current.requisites.is_default {
        output::notice(
            "there is no default set of requisites now; mark one with `pdconsent requisites edit CODE --default`",
        );
    }
    Ok(Outcome::Ok)
}
