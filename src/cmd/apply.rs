//! `pdconsent apply FILE`: make the database match a TOML file.

use std::cell::Cell;
use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::PathBuf;

use anyhow::Context as _;
use serde::Serialize;

use super::archiving::{Archivable, set_logged};
use super::{Ctx, Result, texts};
use crate::config::plan::{Current, PlanItem, Step, StoredAgreement, StoredSource, plan, resolve};
use crate::config::{self, Config, ConfigError};
use crate::domain::agreement::Settings;
use crate::domain::requisites::Requisites;
use crate::domain::source::Source;
use crate::storage::{Stamp, StoreError, TextChange, Tx};
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
    /// Archive agreements and sources that the file does not mention (requisites are never
    /// archived: the plan lists them as kept)
    #[arg(long)]
    pub archive_missing: bool,
    /// Print no plan and no notices, only errors (and the JSON plan with --format json)
    #[arg(long, short = 'q')]
    pub quiet: bool,
}

/// What the database holds, as the planner sees it.
pub fn current(tx: &Tx) -> Result<Current> {
    let requisites = tx.requisites_list()?.into_iter().map(|r| r.requisites);
    let agreements = tx.agreement_list(true)?.into_iter().map(|a| {
        let stored = StoredAgreement {
            settings: a.settings,
            revision: a.revision,
            archived: a.archived,
        };
        (a.code, stored)
    });
    let sources = tx.source_list(true)?.into_iter().map(|s| {
        let stored = StoredSource {
            source: s.source,
            archived: s.archived,
        };
        (stored.source.code.clone(), stored)
    });
    Ok(Current {
        requisites: requisites.map(|r| (r.code.clone(), r)).collect(),
        agreements: agreements.collect(),
        sources: sources.collect(),
    })
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

pub fn run(ctx: &Ctx, args: Args) -> Result {
    let format = ctx.format(
        &[crate::output::Format::Table, crate::output::Format::Json],
        "apply",
    )?;
    let json = format == crate::output::Format::Json;
    // The text plan goes to stderr unless the JSON plan or silence was asked for.
    let show = |name: &str, items: &[PlanItem]| {
        let n = items.iter().filter(|i| i.changes()).count();
        if !json && !args.quiet {
            show(name, items);
        }
        n
    };
    let notice = |msg: &str| {
        if !args.quiet {
            output::notice(msg);
        }
    };
    let name = args.file.display().to_string();
    let text = crate::input::read_path(
        &args.file,
        crate::input::CONFIG,
        "check the path; `pdconsent dump -o FILE` writes such a file from a database",
    )?;
    let (cfg, errors) = parse_file(&name, &text)?;
    let plan_for = |cur: &Current| planned(&name, &cfg, &errors, cur, args.archive_missing);
    if args.dry_run || args.check {
        // Only reads: a database that does not exist yet is empty, and stays absent.
        let (cur, registered) = match ctx.open_read() {
            Ok(mut store) => {
                store.read(|tx| -> Result<_> { Ok((current(tx)?, texts::registered(tx)?)) })?
            }
            Err(e) if no_database(&e) => Default::default(),
            Err(e) => return Err(e),
        };
        let (cfg, items) = plan_for(&cur)?;
        let changes = show(&name, &items);
        // The texts the plan changes; with nothing else to change, texts the
        // registry lacks (a database from before it, a pdconsent that renders
        // a text differently) are drift too.
        let text_changes = planned_texts(&registered, &cfg, &cur, args.archive_missing);
        if !args.quiet {
            texts::announce_planned(&text_changes);
        }
        if json {
            ctx.out.print_json(&items)?;
        }
        if !args.check {
            notice("dry run: nothing changed");
            return Ok(Outcome::Ok);
        }
        if changes == 0 && !text_changes.is_empty() {
            notice(&format!(
                "the database differs from {name}: {} text(s) to register",
                text_changes.len()
            ));
            return Ok(Outcome::Negative);
        }
        if changes > 0 {
            notice(&format!(
                "the database differs from {name}: {changes} change(s) to apply"
            ));
            return Ok(Outcome::Negative);
        }
        notice(&format!("the database matches {name}"));
        return Ok(Outcome::Ok);
    }
    // A database that does not exist yet is created by the first commit: only
    // when there is something to apply.
    let mut store = ctx.open()?;
    let outdated = Cell::new(false);
    // Read, plan, print, write; again (from the file as parsed) when another
    // process changed the database between the plan and the write.
    ctx.retrying(|| {
        if outdated.replace(false) {
            notice("the database changed after the plan was made; planning again");
        }
        let (_, items) = plan_for(&store.read(current)?)?;
        let changes = show(&name, &items);
        // Texts to register even when no object changes (see --check).
        let pending = store
            .read(|tx| texts::pending(tx, texts::Scope::All))?
            .0
            .len();
        let mut text_changes = Vec::new();
        // On a terminal the plan is a question: nothing is applied without a yes.
        if changes > 0 && !ctx.global.yes && ctx.interactive() {
            let mut p = ctx.prompter();
            ctx.confirm(
                p.as_mut(),
                &format!("apply {changes} change(s) to the database?"),
            )?;
        }
        if changes > 0 || pending > 0 {
            let now = ctx.now();
            let actor = ctx.actor();
            let stamp = Stamp {
                at: &now,
                actor: &actor,
            };
            text_changes = store
                .write(|tx| -> Result<_> {
                    // With the write lock held, the plan is made again: the
                    // plan carried out is the plan printed, or none is.
                    let mut cfg = cfg.clone();
                    let cur = current(tx)?;
                    if !resolve(&mut cfg, &cur).is_empty()
                        || plan(&cfg, &cur, args.archive_missing) != items
                    {
                        outdated.set(true);
                        return Err(StoreError::PlanOutdated.into());
                    }
                    execute(tx, stamp, &cfg, &items)?;
                    texts::register(tx, stamp, texts::Scope::All)
                })
                .with_context(|| format!("{name} not applied; nothing changed"))?;
        }
        if json {
            ctx.out.print_json(&items)?;
        }
        notice(&if changes > 0 {
            format!("applied {changes} change(s)")
        } else if !text_changes.is_empty() {
            "no object to change".to_string()
        } else {
            "nothing to apply".to_string()
        });
        if !args.quiet {
            texts::announce(&text_changes);
        }
        Ok(Outcome::Ok)
    })
}

/// The file `name` with text `text`, parsed: an error when its TOML does not parse, else the
/// configuration and the problems found without the database (for [`planned`]).
pub fn parse_file(name: &str, text: &str) -> Result<(Config, Vec<ConfigError>)> {
    let (cfg, errors) = config::parse(text);
    let syntax = errors.iter().any(|e| e.message.starts_with("TOML syntax"));
    if syntax {
        return Err(report(name, errors)).hint("fix the file and run `pdconsent apply` again");
    }
    Ok((cfg, errors))
}

fn no_database(e: &anyhow::Error) -> bool {
    matches!(
        e.downcast_ref::<StoreError>(),
        Some(StoreError::NoDatabase { .. })
    )
}

/// The plan of the file for `cur`, or every problem of the file.
pub fn planned(
    name: &str,
    cfg: &Config,
    parse_errors: &[ConfigError],
    cur: &Current,
    archive_missing: bool,
) -> Result<(Config, Vec<PlanItem>)> {
    let mut cfg = cfg.clone();
    let mut errors = parse_errors.to_vec();
    errors.extend(resolve(&mut cfg, cur));
    errors.sort_by_key(|e| (e.line, e.column));
    errors.dedup();
    if !errors.is_empty() {
        return Err(report(name, errors)).hint("fix the file and run `pdconsent apply` again");
    }
    let items = plan(&cfg, cur, archive_missing);
    Ok((cfg, items))
}

/// The texts the linked pairs will show once the plan is applied (the file's
/// objects over the database's), against the registry: what the plan changes.
pub fn planned_texts(
    registered: &texts::Registered,
    cfg: &Config,
    cur: &Current,
    archive_missing: bool,
) -> Vec<TextChange> {
    let mut requisites: BTreeMap<&str, &Requisites> = cur
        .requisites
        .iter()
        .map(|(code, r)| (code.as_str(), r))
        .collect();
    for r in &cfg.requisites {
        requisites.insert(&r.requisites.code, &r.requisites);
    }
    let mut agreements: BTreeMap<&str, (&Settings, u32)> = cur
        .agreements
        .iter()
        .map(|(code, a)| (code.as_str(), (&a.settings, a.revision)))
        .collect();
    for a in &cfg.agreements {
        let revision = match cur.agreements.get(&a.code) {
            Some(c) if c.settings == a.settings => c.revision,
            Some(c) => c.revision + 1,
            None => 1,
        };
        agreements.insert(&a.code, (&a.settings, revision));
    }
    let in_file: HashSet<&str> = cfg.sources.iter().map(|s| s.source.code.as_str()).collect();
    let mut sources: Vec<&Source> = cur
        .sources
        .iter()
        .filter(|(code, s)| !in_file.contains(code.as_str()) && !s.archived && !archive_missing)
        .map(|(_, s)| &s.source)
        .collect();
    sources.extend(
        cfg.sources
            .iter()
            .filter(|s| !s.archived)
            .map(|s| &s.source),
    );
    texts::predict(registered, &requisites, &agreements, &sources)
}

/// Prints the plan (to stderr), each change with its values.
fn show(name: &str, items: &[PlanItem]) {
    let mut lines = vec![format!("plan for {name}:")];
    for i in items {
        lines.push(format!("  {}", i.describe()));
        lines.extend(i.details().into_iter().map(|l| format!("      {l}")));
    }
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
    output::notice(&lines.join("\n"));
}

fn to_value<T: Serialize>(v: &T) -> serde_json::Value {
    serde_json::to_value(v).unwrap_or(serde_json::Value::Null)
}

fn execute(tx: &Tx, stamp: Stamp, cfg: &Config, items: &[PlanItem]) -> Result<()> {
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
