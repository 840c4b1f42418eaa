//! What `apply` does: the file's references resolved against what the
//! database holds ([`resolve`]), and the step for every object ([`plan`]).
//! Pure: the command reads the database into [`Current`], plain data.

use std::collections::{BTreeMap, HashSet};

use serde::Serialize;

use super::{Config, ConfigError};
use crate::domain::agreement::Settings;
use crate::domain::diff;
use crate::domain::requisites::Requisites;
use crate::domain::source::Source;

/// What the database holds, by code: every lookup of the plan is one search,
/// not a scan, and iterating gives the objects in the order of their codes.
#[derive(Debug, Clone, Default)]
pub struct Current {
    pub requisites: BTreeMap<String, Requisites>,
    pub agreements: BTreeMap<String, StoredAgreement>,
    pub sources: BTreeMap<String, StoredSource>,
}

/// An agreement in the database: its current revision.
#[derive(Debug, Clone)]
pub struct StoredAgreement {
    pub settings: Settings,
    pub revision: u32,
    pub archived: bool,
}

/// A source in the database.
#[derive(Debug, Clone)]
pub struct StoredSource {
    pub source: Source,
    pub archived: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case", tag = "action")]
pub enum Step {
    Create {
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
        not_in_file: bool,
    },
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PlanItem {
    pub kind: &'static str,
    pub code: String,
    #[serde(flatten)]
    pub step: Step,
    /// Each changed setting, before → after (`[]` when nothing changes in place).
    pub changes: Vec<diff::FieldChange>,
}

impl PlanItem {
    /// Whether it changes the database.
    pub fn changes(&self) -> bool {
        !matches!(self.step, Step::Unchanged | Step::NotInFile)
    }

    /// One line of the plan, e.g. ``agreement `site`: new revision 2 (purposes)``.
    pub fn describe(&self) -> String {
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
            Step::NotInFile if self.kind == "requisites" => {
                "not in file (kept: requisites are never archived, not even by --archive-missing)"
                    .to_string()
            }
            Step::NotInFile => "not in file (kept; --archive-missing archives it)".to_string(),
            Step::Archive {
                not_in_file: true, ..
            } => "archive (not in file)".to_string(),
            Step::Archive { changed, .. } => format!("archive{}", list(changed)),
        };
        format!("{} `{}`: {what}", self.kind, self.code)
    }

    /// The values behind [`describe`](Self::describe): per changed setting, `setting:` and
    /// its before → after lines (list items added and removed, a text as a diff with context).
    pub fn details(&self) -> Vec<String> {
        let mut lines = Vec::new();
        for c in &self.changes {
            let body = diff::describe(c);
            match body.as_slice() {
                // A short value on one line; a long one as a before and an after line.
                [b, a]
                    if b.starts_with("- ")
                        && a.starts_with("+ ")
                        && c.added.is_empty()
                        && c.removed.is_empty()
                        && !c.before.is_array()
                        && b.chars().count() + a.chars().count() <= 64 =>
                {
                    lines.push(format!("{}: {} → {}", c.field, &b[2..], &a[2..]));
                }
                _ => {
                    lines.push(format!("{}:", c.field));
                    lines.extend(body.into_iter().map(|l| format!("  {l}")));
                }
            }
        }
        lines
    }
}

/// Fills what the file left to the database (default requisites), and checks
/// references against file and database together.
pub fn resolve(cfg: &mut Config, cur: &Current) -> Vec<ConfigError> {
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
        .find(|r| r.is_default)
        .map(|r| r.code.clone());
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

fn fields(changes: &[diff::FieldChange]) -> Vec<String> {
    changes.iter().map(|c| c.field.clone()).collect()
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

/// The step for every object of the file, then for those of the database it does not mention.
pub fn plan(cfg: &Config, cur: &Current, archive_missing: bool) -> Vec<PlanItem> {
    let mut items = Vec::new();
    for r in &cfg.requisites {
        let code = r.requisites.code.clone();
        let changes = match cur.requisites.get(&code) {
            Some(s) => diff::diff(s, &r.requisites),
            None => Vec::new(),
        };
        let step = match cur.requisites.get(&code) {
            None => Step::Create { archived: false },
            Some(_) if changes.is_empty() => Step::Unchanged,
            Some(_) => Step::Update {
                changed: fields(&changes),
            },
        };
        items.push(PlanItem {
            kind: "requisites",
            code,
            step,
            changes,
        });
    }
    let in_file: HashSet<&str> = cfg
        .requisites
        .iter()
        .map(|r| r.requisites.code.as_str())
        .collect();
    for code in cur.requisites.keys() {
        if !in_file.contains(code.as_str()) {
            items.push(PlanItem {
                kind: "requisites",
                code: code.clone(),
                step: Step::NotInFile,
                changes: Vec::new(),
            });
        }
    }
    for a in &cfg.agreements {
        let stored = cur.agreements.get(&a.code);
        let changes = stored.map_or_else(Vec::new, |x| diff::diff(&x.settings, &a.settings));
        let step = step_for(
            stored.map(|x| (x.archived, fields(&changes), Some(x.revision))),
            a.archived,
        );
        items.push(PlanItem {
            kind: "agreement",
            code: a.code.clone(),
            step,
            changes,
        });
    }
    let in_file: HashSet<&str> = cfg.agreements.iter().map(|a| a.code.as_str()).collect();
    for (code, _) in cur.agreements.iter().filter(|(_, x)| !x.archived) {
        if !in_file.contains(code.as_str()) {
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
                code: code.clone(),
                step,
                changes: Vec::new(),
            });
        }
    }
    for s in &cfg.sources {
        let stored = cur.sources.get(&s.source.code);
        let changes = stored.map_or_else(Vec::new, |x| diff::diff(&x.source, &s.source));
        let step = step_for(
            stored.map(|x| (x.archived, fields(&changes), None)),
            s.archived,
        );
        items.push(PlanItem {
            kind: "source",
            code: s.source.code.clone(),
            step,
            changes,
        });
    }
    let in_file: HashSet<&str> = cfg.sources.iter().map(|s| s.source.code.as_str()).collect();
    for (code, _) in cur.sources.iter().filter(|(_, x)| !x.archived) {
        if !in_file.contains(code.as_str()) {
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
                code: code.clone(),
                step,
                changes: Vec::new(),
            });
        }
    }
    items
}

#[cfg(test)]
mod tests;
