//! `pdconsent requisites …`: the operator's legal details.

pub mod add;
pub mod diff;
pub mod edit;
pub mod history;
pub mod list;
pub mod remove;
pub mod show;
pub mod wizard;

use clap::Subcommand;
use serde_json::Value;

use super::{Ctx, Result};
use crate::HintExt;
use crate::domain::requisites::Requisites;
use crate::output::views::RequisitesView;
use crate::storage::{RequisitesRecord, Stamp, Tx};

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Add a set of requisites (a wizard on a terminal when no settings are given)
    Add(add::Args),
    /// Change settings of a set of requisites
    Edit(edit::Args),
    /// List the revisions of a set of requisites: when, by whom, what changed
    History(history::Args),
    /// Show what changed between two revisions of a set of requisites
    Diff(diff::Args),
    /// Show one set of requisites
    Show(show::Args),
    /// List all sets of requisites
    List(list::Args),
    /// Remove a set that no agreement uses
    Remove(remove::Args),
}

pub fn run(ctx: &Ctx, command: Command) -> Result {
    match command {
        Command::Add(a) => add::run(ctx, a),
        Command::Edit(a) => edit::run(ctx, a),
        Command::Show(a) => show::run(ctx, a),
        Command::History(a) => history::run(ctx, a),
        Command::Diff(a) => diff::run(ctx, a),
        Command::List(a) => list::run(ctx, a),
        Command::Remove(a) => remove::run(ctx, a),
    }
}

/// The settings flags shared by `add` and `edit`.
#[derive(Debug, Default, clap::Args)]
pub struct SettingsArgs {
    /// Set one setting, KEY=VALUE; repeatable. Keys: kind, short_name, full_name,
    /// inn, kpp, ogrn, ogrnip, legal_address, postal_address, email, phone, website,
    /// dpo, eu_representative
    #[arg(long = "set", value_name = "KEY=VALUE")]
    pub set: Vec<String>,
    /// Clear an optional setting; repeatable
    #[arg(long, value_name = "KEY")]
    pub unset: Vec<String>,
    /// Make this the default set, used by agreements that name none
    #[arg(long)]
    pub default: bool,
}

impl SettingsArgs {
    pub fn is_empty(&self) -> bool {
        self.set.is_empty() && self.unset.is_empty() && !self.default
    }

    /// Applies the flags; every bad flag is reported, not just the first.
    pub fn apply(&self, r: &mut Requisites) -> Result<()> {
        let mut errors = Vec::new();
        for s in &self.set {
            let (k, v) = super::key_value(s, "--set", super::SET_EXAMPLE)?;
            if k == "code" {
                return Err(anyhow::anyhow!("the code of a set cannot be changed"))
                    .hint("add a new set and point the agreements at it with `pdconsent agreement edit CODE --set requisites=NEW`");
            }
            if let Err(e) = r.set(&k, &v) {
                errors.push(e);
            }
        }
        for k in &self.unset {
            if k == "short_name" || k == "kind" {
                return Err(anyhow::anyhow!("`{k}` cannot be unset: it is required"))
                    .hint(format!("give a new value with --set {k}=…"));
            }
            if let Err(e) = r.set(k, "") {
                errors.push(e);
            }
        }
        if self.default {
            r.is_default = true;
        }
        crate::domain::Invalid::from_errors(
            crate::domain::ObjectKind::Requisites,
            &r.code,
            errors,
        )?;
        Ok(())
    }
}

/// Saves a set and logs it. A set that becomes the default takes that from the
/// old default, and the old one's change is logged too.
pub fn save_logged(tx: &Tx, stamp: Stamp, r: &Requisites) -> Result<()> {
    let before = tx.requisites_find(&r.code)?.map(|s| s.requisites);
    if before.as_ref() == Some(r) {
        // Already so (e.g. a default moved away by an earlier save): nothing to log.
        return Ok(());
    }
    if r.is_default
        && let Some(old) = tx
            .requisites_default()?
            .filter(|o| o.requisites.code != r.code)
    {
        let mut after = old.requisites.clone();
        after.is_default = false;
        tx.log_append(
            stamp,
            "requisites",
            &old.requisites.code,
            "update",
            Some(&to_json(&old.requisites)),
            Some(&to_json(&after)),
        )?;
    }
    tx.requisites_save(r, stamp)?;
    let action = if before.is_some() { "update" } else { "create" };
    tx.log_append(
        stamp,
        "requisites",
        &r.code,
        action,
        before.as_ref().map(to_json).as_ref(),
        Some(&to_json(r)),
    )?;
    Ok(())
}

pub fn to_json(r: &Requisites) -> Value {
    serde_json::to_value(r).unwrap_or(Value::Null)
}

/// The view `show`, `list`, `add` and `edit` print: the set with the
/// agreements that use it.
pub fn view(tx: &Tx, rec: &RequisitesRecord) -> Result<RequisitesView> {
    let used_by = tx.agreements_using_requisites(&rec.requisites.code)?;
    Ok(RequisitesView::new(rec, used_by))
}
