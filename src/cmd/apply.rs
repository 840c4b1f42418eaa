//! `pdconsent apply FILE`: make the database match a TOML file.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::PathBuf;

use anyhow::Context as _;
use serde::Serialize;

use super::archiving::{Archivable, set_logged};
use super::{Ctx, Result};
use crate::config::{self, Config, ConfigError};
use crate::domain::diff;
use crate::domain::requisites::Requisites;
use crate::storage::{AgreementRecord, RequisitesRecord, SourceRecord, Stamp};
use crate::{HintExt, Outcome, output};

/// Make the database match a TOML file of [[requisites]], [[agreements]] and
/// [[sources]] (see agreements.example.toml). Prints the plan to stderr and
/// applies it in one transaction. Never deletes: objects the file does not
/// mention are listed as "not in file".
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The TOML file (`-` reads stdin)
    pub file: PathBuf,
    /// Print the plan and change nothing
    #[arg(long, conflicts_with = "check")]
    pub dry_run: bool,
    /// Change nothing; exit 1 when applying would change the database (for CI)
    #[arg(long)]
    pub check: bool,
    /// Archive agreements and sources that the file does not mention
    #[arg(long)]
    pub archive_missing: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case", tag = "action")]
pub enum Step {
    Create {
        #[serde(skip_serializing_if = "std::ops::Not::not")]
        archived: bool,
    },
    Update {
        changed: Vec<String>,
    },
    Revision {
        revision: u32,
        changed: Vec<String>,
    },
    Restore {
        changed: Vec<String>,
    },
    Unchanged,
    NotInFile,
    /// Archived: by `archived = true` in the file, or by `--archive-missing`.
    Archive {
        changed: Vec<String>,
        #[serde(skip_serializing_if = "std::ops::Not::not")]
        not_in_file: bool,
    },
}

#[derive(Debug, Clone, Serialize)]
pub struct PlanItem {
    pub kind: &'static str,
    pub code: String,
    #[serde(flatten)]
    pub step: Step,
}

impl PlanItem {
    fn changes(&self) -> bool {
        !matches!(self.step, Step::Unchanged | Step::NotInFile)
    }

    fn describe(&self) -> String {
        let list = |c: &[String]| {
            if c.is_empty() {
                String::new()
            } else {
                format!(" ({})", c.join(", "))
            }
        };
        let what = match &self.step {
            Step::Create { archived: false } => "create".to_string(),
            Step::Create { archived: true } => "create (archived)".to_string(),
            Step::Update { changed } => format!("update{}", list(changed)),
            Step::Revision { revision, changed } => {
                format!("new revision {revision}{}", list(changed))
            }
            Step::Restore { changed } => format!("restore from archive{}", list(changed)),
            Step::Unchanged => "unchanged".to_string(),
            Step::NotInFile => "not in file (kept; --archive-missing archives it)".to_string(),
            Step::Archive {
                not_in_file: true, ..
            } => "archive (not in file)".to_string(),
            Step::Archive { changed, .. } => format!("archive{}", list(changed)),
        };
        format!("{} `{}`: {what}", self.kind, self.code)
    }
}

/// What the database holds, by code: every lookup of the plan is one search,
/// not a scan, and iterating gives the objects in the order of their codes.
#[derive(Default)]
struct Current {
    requisites: BTreeMap<String, RequisitesRecord>,
    agreements: BTreeMap<String, AgreementRecord>,
    sources: BTreeMap<String, SourceRecord>,
}

fn by_code<T>(list: Vec<T>, code: impl Fn(&T) -> &String) -> BTreeMap<String, T> {
    list.into_iter().map(|x| (code(&x).clone(), x)).collect()
}

fn report(file: &str, errors: Vec<ConfigError>) -> anyhow::Error {
    let n = errors.len();
    let lines: Vec<String> = errors.iter().map(|e| format!("  {file}:{e}")).collect();
    anyhow::anyhow!(
        "{file} has {n} problem{}; nothing was applied:\n{}",
        if n == 1 { "" } else { "s" },
        lines.join("\n")
    )
}

/// Fills what the file left to the database (default requisites), and checks
/// references against file and database together.
fn resolve(cfg: &mut Config, cur: &Current) -> Vec<ConfigError> {
    let mut errors = Vec::new();
    let file_defaults: Vec<String> = cfg
        .requisites
        .iter()
        .filter(|r| r.default_given && r.requisites.is_default)
        .map(|r| r.requisites.code.clone())
        .collect();
    if file_defaults.len() > 1 {
        let path = cfg.path_of("requisites", &file_defaults[1]);
        errors.push(cfg.error_at(
            &format!("{path}.default"),
            "only one set of requisites can be the default",
        ));
    }
    let db_default = cur
        .requisites
        .values()
        .find(|r| r.requisites.is_default)
        .map(|r| r.requisites.code.clone());
    // The default: the file's `default = true`; else the database's, unless the
    // file turns it off; else the first set of the file that it does not turn off.
    // Sets without a `default` key follow that choice, so agreements that name no
    // requisites and the set marked default are always the same one.
    let off: HashSet<&str> = cfg
        .requisites
        .iter()
        .filter(|r| r.default_given && !r.requisites.is_default)
        .map(|r| r.requisites.code.as_str())
        .collect();
    let turned_off = |code: &str| off.contains(code);
    let default_code = file_defaults
        .first()
        .cloned()
        .or_else(|| db_default.clone().filter(|d| !turned_off(d)))
        .or_else(|| {
            cfg.requisites
                .iter()
                .find(|r| !turned_off(&r.requisites.code))
                .map(|r| r.requisites.code.clone())
        });
    for r in cfg.requisites.iter_mut().filter(|r| !r.default_given) {
        r.requisites.is_default = default_code.as_deref() == Some(r.requisites.code.as_str());
    }
    let known_requisites =
        |code: &str| cfg.mentions("requisites", code) || cur.requisites.contains_key(code);
    let mut missing = Vec::new();
    for a in cfg
        .agreements
        .iter()
        .filter(|a| !a.requisites_given && default_code.is_none())
    {
        let path = cfg.path_of("agreements", &a.code);
        missing.push((
            path,
            "no `requisites` given and there is no default set; add a [[requisites]] entry"
                .to_string(),
        ));
    }
    for (path, code) in cfg
        .requisites_refs
        .iter()
        .filter(|(_, c)| !known_requisites(c))
    {
        missing.push((
            path.clone(),
            format!("requisites `{code}` are neither in the file nor in the database"),
        ));
    }
    for a in cfg.agreements.iter_mut() {
        if !a.requisites_given
            && let Some(d) = &default_code
        {
            a.settings.requisites = d.clone();
        }
    }
    for s in cfg.sources.iter().map(|s| &s.source) {
        let path = cfg.path_of("sources", &s.code);
        let stored = cur.sources.get(&s.code);
        for (i, l) in s.agreements.iter().enumerate() {
            let in_file = cfg.mentions("agreements", &l.agreement);
            let in_db = cur.agreements.get(&l.agreement);
            let was_linked = || {
                stored.is_some_and(|x| {
                    x.source
                        .agreements
                        .iter()
                        .any(|y| y.agreement == l.agreement)
                })
            };
            let p = format!("{path}.agreements[{i}].agreement");
            match (in_file, in_db) {
                (true, _) => {}
                (false, None) => missing.push((p, format!("agreement `{}` is neither in the file nor in the database", l.agreement))),
                (false, Some(a)) if a.archived && !was_linked() => missing.push((
                    p,
                    format!("agreement `{}` is archived; add it to the file to restore it, or drop the link", l.agreement),
                )),
                _ => {}
            }
        }
    }
    for (path, message) in missing {
        errors.push(cfg.error_at(&path, message));
    }
    errors
}

fn changed<T: Serialize>(before: &T, after: &T) -> Vec<String> {
    diff::diff(before, after)
        .into_iter()
        .map(|c| c.field)
        .collect()
}

/// What to do with an agreement or source: `stored` is (archived, changed
/// settings, current revision) when it exists; `archive` is what the file wants.
fn step_for(stored: Option<(bool, Vec<String>, Option<u32>)>, archive: bool) -> Step {
    let Some((was_archived, changed, revision)) = stored else {
        return Step::Create { archived: archive };
    };
    match (was_archived, archive) {
        (true, false) => Step::Restore { changed },
        (false, true) => Step::Archive {
            changed,
            not_in_file: false,
        },
        _ if changed.is_empty() => Step::Unchanged,
        _ => match revision {
            Some(r) => Step::Revision {
                revision: r + 1,
                changed,
            },
            None => Step::Update { changed },
        },
    }
}

fn plan(cfg: &Config, cur: &Current, archive_missing: bool) -> Vec<PlanItem> {
    let mut items = Vec::new();
    for r in &cfg.requisites {
        let code = r.requisites.code.clone();
        let step = match cur.requisites.get(&code) {
            None => Step::Create { archived: false },
            Some(s) => {
                let changed: Vec<String> = diff::diff(&s.requisites, &r.requisites)
                    .into_iter()
                    .map(|c| c.field)
                    .collect();
                if changed.is_empty() {
                    Step::Unchanged
                } else {
                    Step::Update { changed }
                }
            }
        };
        items.push(PlanItem {
            kind: "requisites",
            code,
            step,
        });
    }
    let in_file: HashSet<&str> = cfg
        .requisites
        .iter()
        .map(|r| r.requisites.code.as_str())
        .collect();
    for s in cur.requisites.values() {
        if !in_file.contains(s.requisites.code.as_str()) {
            items.push(PlanItem {
                kind: "requisites",
                code: s.requisites.code.clone(),
                step: Step::NotInFile,
            });
        }
    }
    for a in &cfg.agreements {
        let stored = cur.agreements.get(&a.code);
        let step = step_for(
            stored.map(|x| {
                (
                    x.archived,
                    changed(&x.settings, &a.settings),
                    Some(x.revision),
                )
            }),
            a.archived,
        );
        items.push(PlanItem {
            kind: "agreement",
            code: a.code.clone(),
            step,
        });
    }
    let in_file: HashSet<&str> = cfg.agreements.iter().map(|a| a.code.as_str()).collect();
    for x in cur.agreements.values().filter(|x| !x.archived) {
        if !in_file.contains(x.code.as_str()) {
            let step = if archive_missing {
                Step::Archive {
                    changed: Vec::new(),
                    not_in_file: true,
                }
            } else {
                Step::NotInFile
            };
            items.push(PlanItem {
                kind: "agreement",
                code: x.code.clone(),
                step,
            });
        }
    }
    for s in &cfg.sources {
        let stored = cur.sources.get(&s.source.code);
        let step = step_for(
            stored.map(|x| (x.archived, changed(&x.source, &s.source), None)),
            s.archived,
        );
        items.push(PlanItem {
            kind: "source",
            code: s.source.code.clone(),
            step,
        });
    }
    let in_file: HashSet<&str> = cfg.sources.iter().map(|s| s.source.code.as_str()).collect();
    for x in cur.sources.values().filter(|x| !x.archived) {
        if !in_file.contains(x.source.code.as_str()) {
            let step = if archive_missing {
                Step::Archive {
                    changed: Vec::new(),
                    not_in_file: true,
                }
            } else {
                Step::NotInFile
            };
            items.push(PlanItem {
                kind: "source",
                code: x.source.code.clone(),
                step,
            });
        }
    }
    items
}

pub fn run(ctx: &Ctx, args: Args) -> Result {
    let format = ctx.format(
        &[crate::output::Format::Table, crate::output::Format::Json],
        "apply",
    )?;
    let name = args.file.display().to_string();
    let text = crate::input::read_path(
        &args.file,
        crate::input::CONFIG,
        "check the path; `pdconsent dump -o FILE` writes such a file from a database",
    )?;
    let (mut cfg, mut errors) = config::parse(&text);
    let syntax = errors.iter().any(|e| e.message.starts_with("TOML syntax"));
    if syntax {
        return Err(report(&name, errors)).hint("fix the file and run `pdconsent apply` again");
    }
    // A database that does not exist yet is empty; it is created only to apply.
    let mut store = if ctx.db_path()?.exists() {
        Some(ctx.open()?)
    } else {
        None
    };
    let cur = match store.as_mut() {
        Some(store) => store.read(|tx| -> Result<_> {
            Ok(Current {
                requisites: by_code(tx.requisites_list()?, |r| &r.requisites.code),
                agreements: by_code(tx.agreement_list(true)?, |a| &a.code),
                sources: by_code(tx.source_list(true)?, |s| &s.source.code),
            })
        })?,
        None => Current::default(),
    };
    errors.extend(resolve(&mut cfg, &cur));
    errors.sort_by_key(|e| (e.line, e.column));
    errors.dedup();
    if !errors.is_empty() {
        return Err(report(&name, errors)).hint("fix the file and run `pdconsent apply` again");
    }
    let items = plan(&cfg, &cur, args.archive_missing);
    let changes = items.iter().filter(|i| i.changes()).count();
    let mut lines = vec![format!("plan for {name}:")];
    lines.extend(items.iter().map(|i| format!("  {}", i.describe())));
    let count = |f: fn(&Step) -> bool| items.iter().filter(|i| f(&i.step)).count();
    lines.push(format!(
        "{} to create, {} to change, {} to archive, {} unchanged, {} not in file",
        count(|s| matches!(s, Step::Create { .. })),
        count(|s| matches!(
            s,
            Step::Update { .. } | Step::Revision { .. } | Step::Restore { .. }
        )),
        count(|s| matches!(s, Step::Archive { .. })),
        count(|s| matches!(s, Step::Unchanged)),
        count(|s| matches!(s, Step::NotInFile)),
    ));
    // Texts the registry lacks, or that render differently now (a new
    // pdconsent, a database from before the registry): drift too.
    let texts = match store.as_mut() {
        Some(store) => store.read(crate::cmd::texts::pending)?.1,
        None => Vec::new(),
    };
    if !texts.is_empty() && changes == 0 {
        lines.push(format!(
            "{} text(s) to register: their agreement, requisites and source are unchanged, but the registry lacks the text they render to now",
            texts.len()
        ));
    }
    let changes = if changes == 0 { texts.len() } else { changes };
    output::notice(&lines.join("\n"));
    if format == crate::output::Format::Json {
        ctx.out.print_json(&items)?;
    }
    if args.check {
        if changes > 0 {
            output::notice(&format!(
                "the database differs from {name}: {changes} change(s) to apply"
            ));
            return Ok(Outcome::Negative);
        }
        output::notice(&format!("the database matches {name}"));
        return Ok(Outcome::Ok);
    }
    if args.dry_run {
        output::notice("dry run: nothing changed");
        return Ok(Outcome::Ok);
    }
    if changes == 0 {
        output::notice("nothing to apply");
        return Ok(Outcome::Ok);
    }
    let now = ctx.now();
    let actor = ctx.actor();
    let stamp = Stamp {
        at: &now,
        actor: &actor,
    };
    let mut store = match store {
        Some(s) => s,
        None => ctx.open()?,
    };
    let texts = store
        .write(|tx| -> Result<_> {
            execute(tx, stamp, &cfg, &items)?;
            crate::cmd::texts::register(tx, stamp)
        })
        .with_context(|| format!("{name} not applied; nothing changed"))?;
    output::notice(&format!("applied {changes} change(s)"));
    crate::cmd::texts::announce(&texts);
    Ok(Outcome::Ok)
}

fn to_value<T: Serialize>(v: &T) -> serde_json::Value {
    serde_json::to_value(v).unwrap_or(serde_json::Value::Null)
}

fn execute(tx: &crate::storage::Tx, stamp: Stamp, cfg: &Config, items: &[PlanItem]) -> Result<()> {
    let requisites: HashMap<&str, &Requisites> = cfg
        .requisites
        .iter()
        .map(|r| (r.requisites.code.as_str(), &r.requisites))
        .collect();
    let agreements: HashMap<&str, _> = cfg
        .agreements
        .iter()
        .map(|a| (a.code.as_str(), a))
        .collect();
    let sources: HashMap<&str, _> = cfg
        .sources
        .iter()
        .map(|s| (s.source.code.as_str(), &s.source))
        .collect();
    for item in items {
        match (item.kind, &item.step) {
            ("requisites", Step::Create { .. } | Step::Update { .. }) => {
                let r: &Requisites = requisites
                    .get(item.code.as_str())
                    .context("plan and file disagree")?;
                crate::cmd::requisites::save_logged(tx, stamp, r)?;
            }
            ("agreement", Step::NotInFile | Step::Unchanged)
            | ("source", Step::NotInFile | Step::Unchanged) => {}
            ("agreement", step) => {
                // Restore first, so that a revision is never added to an archived agreement
                // unless the file keeps it archived.
                if matches!(step, Step::Restore { .. }) {
                    set_logged(tx, stamp, Archivable::Agreement, &item.code, false)?;
                }
                if let Some(a) = agreements.get(item.code.as_str()) {
                    match tx.agreement_find(&a.code)? {
                        None => {
                            tx.agreement_create(&a.code, &a.settings, stamp.at, stamp.actor)?;
                            tx.log_append(
                                stamp,
                                "agreement",
                                &a.code,
                                "create",
                                None,
                                Some(&to_value(&a.settings)),
                            )?;
                        }
                        Some(cur) if cur.settings != a.settings => {
                            let n = tx.agreement_add_revision(
                                &a.code,
                                cur.revision,
                                &a.settings,
                                stamp.at,
                                stamp.actor,
                            )?;
                            tx.log_append(
                                stamp,
                                "agreement",
                                &a.code,
                                &format!("revision {n}"),
                                Some(&to_value(&cur.settings)),
                                Some(&to_value(&a.settings)),
                            )?;
                        }
                        Some(_) => {}
                    }
                }
                if matches!(step, Step::Archive { .. } | Step::Create { archived: true }) {
                    set_logged(tx, stamp, Archivable::Agreement, &item.code, true)?;
                }
            }
            ("source", step) => {
                if matches!(step, Step::Restore { .. }) {
                    set_logged(tx, stamp, Archivable::Source, &item.code, false)?;
                }
                if let Some(&s) = sources.get(item.code.as_str()) {
                    let before = tx.source_find(&item.code)?.map(|b| b.source);
                    if before.as_ref() != Some(s) {
                        tx.source_save(s, stamp)?;
                        let action = if before.is_some() { "update" } else { "create" };
                        tx.log_append(
                            stamp,
                            "source",
                            &item.code,
                            action,
                            before.as_ref().map(to_value).as_ref(),
                            Some(&to_value(s)),
                        )?;
                    }
                }
                if matches!(step, Step::Archive { .. } | Step::Create { archived: true }) {
                    set_logged(tx, stamp, Archivable::Source, &item.code, true)?;
                }
            }
            _ => {}
        }
    }
    Ok(())
}
