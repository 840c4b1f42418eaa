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
    let mut store = ctx.open()?;
    let code = args.code;
    let (current, used) = store.read(|tx| -> Result<_> {
        Ok((
            tx.requisites_get(&code)?,
            tx.agreements_using_requisites(&code)?,
        ))
    })?;
    if !used.is_empty() {
        return Err(anyhow::anyhow!(
            "requisites `{code}` are used by agreement(s) {}; they cannot be removed",
            used.iter().map(|c| format!("`{c}`")).collect::<Vec<_>>().join(", ")
        ))
        .hint(format!("point those agreements at another set first: `pdconsent agreement edit {} --set requisites=OTHER`", used[0]));
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
    Ok(Outcome::Ok)
}
