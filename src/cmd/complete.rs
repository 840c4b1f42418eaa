//! Dynamic shell completion (clap_complete's `CompleteEnv`): the shell asks pdconsent itself
//! for the candidates, so codes of agreements, sources and requisites come from the database
//! (`PDCONSENT_DB` or the default one, read-only), templates from the built-in list, and
//! `--set` keys from the kind of object. Registration: `source <(COMPLETE=bash pdconsent)`
//! or `pdconsent completions bash --dynamic`.

use std::ffi::OsStr;

use clap_complete::engine::{ArgValueCompleter, CompletionCandidate};

use crate::domain::field::ObjectKind;
use crate::storage::{Access, Store};

/// The database a completion reads: what `--db` would default to, or `PDCONSENT_DB`
/// (the command line being typed is not parsed yet).
fn db_path() -> Option<std::path::PathBuf> {
    if let Some(p) = std::env::var_os("PDCONSENT_DB").filter(|p| !p.is_empty()) {
        return Some(p.into());
    }
    directories::ProjectDirs::from("", "", "pdconsent").map(|d| d.data_dir().join("pdconsent.db"))
}

/// The codes of one kind of object, with their names; nothing when there is no database.
fn codes(kind: ObjectKind) -> Vec<(String, String)> {
    let read = || -> anyhow::Result<Vec<(String, String)>> {
        let mut store = Store::open(&db_path().unwrap_or_default(), Access::Read)?;
        store.read(|tx| -> anyhow::Result<_> {
            Ok(match kind {
                ObjectKind::Requisites => tx
                    .requisites_list()?
                    .into_iter()
                    .map(|r| (r.requisites.code, r.requisites.short_name))
                    .collect(),
                ObjectKind::Agreement => tx
                    .agreement_list(true)?
                    .into_iter()
                    .map(|a| (a.code, a.settings.name))
                    .collect(),
                ObjectKind::Source => tx
                    .source_list(true)?
                    .into_iter()
                    .map(|s| (s.source.code, s.source.name))
                    .collect(),
            })
        })
    };
    read().unwrap_or_default()
}

fn matching(current: &OsStr, items: Vec<(String, String)>) -> Vec<CompletionCandidate> {
    let prefix = current.to_string_lossy();
    items
        .into_iter()
        .filter(|(v, _)| v.starts_with(prefix.as_ref()))
        .map(|(v, help)| {
            let c = CompletionCandidate::new(v);
            if help.is_empty() {
                c
            } else {
                c.help(Some(crate::output::sanitize(&help).into()))
            }
        })
        .collect()
}

fn agreements(current: &OsStr) -> Vec<CompletionCandidate> {
    matching(current, codes(ObjectKind::Agreement))
}

fn sources(current: &OsStr) -> Vec<CompletionCandidate> {
    matching(current, codes(ObjectKind::Source))
}

fn requisites(current: &OsStr) -> Vec<CompletionCandidate> {
    matching(current, codes(ObjectKind::Requisites))
}

fn templates(current: &OsStr) -> Vec<CompletionCandidate> {
    let mut ids: Vec<(String, String)> = crate::domain::render::BUILTIN
        .iter()
        .map(|(id, _, _)| (id.to_string(), String::new()))
        .collect();
    ids.push(("custom".into(), "a text of your own (--text-file)".into()));
    matching(current, ids)
}

fn keys(current: &OsStr, keys: &[&str]) -> Vec<CompletionCandidate> {
    matching(
        current,
        keys.iter()
            .map(|k| (format!("{k}="), String::new()))
            .collect(),
    )
}

fn agreement_keys(current: &OsStr) -> Vec<CompletionCandidate> {
    keys(current, crate::domain::agreement::SET_KEYS)
}

fn source_keys(current: &OsStr) -> Vec<CompletionCandidate> {
    keys(current, crate::domain::source::SET_KEYS)
}

fn requisites_keys(current: &OsStr) -> Vec<CompletionCandidate> {
    keys(current, crate::domain::requisites::KEYS)
}

/// The completer of an argument of the command at `path` (`["agreement", "edit"]`), if any.
fn completer_for(path: &[String], arg: &clap::Arg) -> Option<ArgValueCompleter> {
    let top = path.first().map(String::as_str).unwrap_or("");
    let leaf = path.last().map(String::as_str).unwrap_or("");
    let f: fn(&OsStr) -> Vec<CompletionCandidate> = match (arg.get_long(), arg.get_id().as_str()) {
        (Some("agreement" | "refused"), _) => agreements,
        (Some("source"), _) => sources,
        (Some("requisites"), _) => requisites,
        (Some("template"), _) => templates,
        (Some("set" | "unset"), _) => match top {
            "agreement" => agreement_keys,
            "source" => source_keys,
            "requisites" => requisites_keys,
            _ => return None,
        },
        // The object a command acts on; never for `add`, which names a new one.
        (None, "code") if leaf != "add" => match top {
            "agreement" => agreements,
            "source" => sources,
            "requisites" => requisites,
            "template" => templates,
            _ => return None,
        },
        _ => return None,
    };
    Some(ArgValueCompleter::new(f))
}

/// `cmd` with a completer on every argument that names an object, a template or a setting.
pub fn attach(cmd: clap::Command) -> clap::Command {
    attach_at(cmd, &mut Vec::new())
}

fn attach_at(mut cmd: clap::Command, path: &mut Vec<String>) -> clap::Command {
    // In place: `mut_arg` would move a positional argument to the end.
    let here = path.clone();
    cmd = cmd.mut_args(move |a| match completer_for(&here, &a) {
        Some(c) => a.add(c),
        None => a,
    });
    let subs: Vec<String> = cmd
        .get_subcommands()
        .map(|s| s.get_name().to_string())
        .collect();
    for name in subs {
        path.push(name.clone());
        let p = path.clone();
        cmd = cmd.mut_subcommand(&name, move |s| attach_at(s, &mut p.clone()));
        path.pop();
    }
    cmd
}
