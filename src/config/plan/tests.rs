use super::*;
use crate::config::parse;
use crate::domain::agreement::Language;
use crate::domain::requisites::Kind;
use crate::domain::source::{Link, SourceKind};

fn requisites(code: &str, is_default: bool) -> Requisites {
    let mut r = Requisites::new(code, Kind::Legal);
    r.short_name = code.to_uppercase();
    r.is_default = is_default;
    r
}

fn agreement(name: &str, requisites: &str, revision: u32, archived: bool) -> StoredAgreement {
    StoredAgreement {
        settings: Settings::new(name, Language::Ru, requisites),
        revision,
        archived,
    }
}

fn source(code: &str, links: &[&str], archived: bool) -> StoredSource {
    let mut source = Source::new(code, SourceKind::Form, code);
    for l in links {
        source.link(Link::parse(l).unwrap());
    }
    StoredSource { source, archived }
}

/// A database of requisites `db` (the default), agreement `a` (revision 2),
/// archived agreements `old` and `gone`, source `s` linking `old`, and the
/// archived source `t`.
fn database() -> Current {
    let mut cur = Current::default();
    cur.requisites.insert("db".into(), requisites("db", true));
    cur.agreements
        .insert("a".into(), agreement("A", "db", 2, false));
    cur.agreements
        .insert("old".into(), agreement("Old", "db", 1, true));
    cur.agreements
        .insert("gone".into(), agreement("Gone", "db", 1, true));
    cur.sources.insert("s".into(), source("s", &["old"], false));
    cur.sources.insert("t".into(), source("t", &[], true));
    cur
}

/// The file parsed and resolved against `cur`: the configuration and the errors as text.
fn resolved(text: &str, cur: &Current) -> (Config, Vec<String>) {
    let (mut cfg, errors) = parse(text);
    assert!(errors.is_empty(), "{errors:?}");
    let errors = resolve(&mut cfg, cur);
    (cfg, errors.iter().map(|e| e.to_string()).collect())
}

fn lines(items: &[PlanItem]) -> Vec<String> {
    items.iter().map(PlanItem::describe).collect()
}

#[test]
fn agreements_without_requisites_get_the_default_of_file_or_database() {
    let file = "[[agreements]]\ncode = \"x\"\nname = \"X\"\n";
    // The database's default, when the file has none.
    let (cfg, errors) = resolved(file, &database());
    assert!(errors.is_empty(), "{errors:?}");
    assert_eq!(cfg.agreements[0].settings.requisites, "db");

    // The file's `default = true` wins; sets without the key follow the choice.
    let text = format!(
        "[[requisites]]\ncode = \"f\"\nshort_name = \"F\"\n\n[[requisites]]\ncode = \"g\"\nshort_name = \"G\"\ndefault = true\n\n{file}"
    );
    let (cfg, errors) = resolved(&text, &database());
    assert!(errors.is_empty(), "{errors:?}");
    assert_eq!(cfg.agreements[0].settings.requisites, "g");
    let defaults: Vec<bool> = cfg
        .requisites
        .iter()
        .map(|r| r.requisites.is_default)
        .collect();
    assert_eq!(defaults, [false, true]);

    // The database's default turned off by the file: the file's first other set.
    let text = format!(
        "[[requisites]]\ncode = \"db\"\nshort_name = \"DB\"\ndefault = false\n\n[[requisites]]\ncode = \"f\"\nshort_name = \"F\"\n\n{file}"
    );
    let (cfg, _) = resolved(&text, &database());
    assert_eq!(cfg.agreements[0].settings.requisites, "f");

    // No default anywhere.
    let (_, errors) = resolved(file, &Current::default());
    assert_eq!(
        errors,
        [
            "1:1: agreements[0]: no `requisites` given and there is no default set; add a [[requisites]] entry"
        ]
    );
}

#[test]
fn references_are_checked_against_file_and_database() {
    let text = "[[requisites]]\ncode = \"f\"\nshort_name = \"F\"\ndefault = true\n\n[[requisites]]\ncode = \"g\"\nshort_name = \"G\"\ndefault = true\n\n\
        [[agreements]]\ncode = \"x\"\nname = \"X\"\nrequisites = \"nope\"\n\n[[agreements]]\ncode = \"y\"\nname = \"Y\"\nrequisites = \"db\"\n\n\
        [[sources]]\ncode = \"s\"\nkind = \"form\"\nname = \"S\"\nagreements = [{agreement = \"x\"}, {agreement = \"a\"}, {agreement = \"old\"}, {agreement = \"gone\"}, {agreement = \"ghost\"}]\n";
    let (_, errors) = resolved(text, &database());
    assert_eq!(
        errors,
        [
            "9:1: requisites[1].default: only one set of requisites can be the default",
            "14:1: agreements[0].requisites: requisites `nope` are neither in the file nor in the database",
            // `old` stays linked as it was; `gone` was not linked, and is archived.
            "25:75: sources[0].agreements[3].agreement: agreement `gone` is archived; add it to the file to restore it, or drop the link",
            "25:97: sources[0].agreements[4].agreement: agreement `ghost` is neither in the file nor in the database",
        ]
    );
}

#[test]
fn every_object_gets_its_step() {
    let mut cur = database();
    cur.requisites
        .insert("other".into(), requisites("other", false));
    let text = "[[requisites]]\ncode = \"db\"\nshort_name = \"DB\"\nphone = \"+7 812 555-01-02\"\n\n\
        [[agreements]]\ncode = \"a\"\nname = \"A2\"\n\n[[agreements]]\ncode = \"old\"\nname = \"Old\"\n\n[[agreements]]\ncode = \"new\"\nname = \"New\"\narchived = true\n\n\
        [[sources]]\ncode = \"s\"\nkind = \"form\"\nname = \"s\"\narchived = true\nagreements = [{agreement = \"old\"}]\n\n[[sources]]\ncode = \"t\"\nkind = \"form\"\nname = \"t\"\n";
    let (cfg, errors) = resolved(text, &cur);
    assert!(errors.is_empty(), "{errors:?}");
    let items = plan(&cfg, &cur, false);
    assert_eq!(
        lines(&items),
        [
            "requisites `db`: update (phone)",
            "requisites `other`: not in file (kept: requisites are never archived, not even by --archive-missing)",
            "agreement `a`: new revision 3 (name)",
            "agreement `old`: restore from archive",
            "agreement `new`: create (archived)",
            "source `s`: archive",
            "source `t`: restore from archive",
        ]
    );
    assert_eq!(items.iter().filter(|i| i.changes()).count(), 6);
    assert_eq!(
        items[2].step,
        Step::Revision {
            revision: 3,
            changed: vec!["name".into()]
        }
    );

    // The same file again, once applied: nothing changes.
    let mut after = Current::default();
    for r in &cfg.requisites {
        after
            .requisites
            .insert(r.requisites.code.clone(), r.requisites.clone());
    }
    after
        .requisites
        .insert("other".into(), requisites("other", false));
    for a in &cfg.agreements {
        let stored = StoredAgreement {
            settings: a.settings.clone(),
            revision: 1,
            archived: a.archived,
        };
        after.agreements.insert(a.code.clone(), stored);
    }
    for s in &cfg.sources {
        let stored = StoredSource {
            source: s.source.clone(),
            archived: s.archived,
        };
        after.sources.insert(s.source.code.clone(), stored);
    }
    assert!(plan(&cfg, &after, false).iter().all(|i| !i.changes()));
}

#[test]
fn objects_not_in_the_file_come_last_by_code_and_may_be_archived() {
    let mut cur = database();
    cur.agreements
        .insert("b".into(), agreement("B", "db", 1, false));
    let text = "[[agreements]]\ncode = \"zz\"\nname = \"Z\"\n";
    let (cfg, _) = resolved(text, &cur);
    assert_eq!(
        lines(&plan(&cfg, &cur, false)),
        [
            "requisites `db`: not in file (kept: requisites are never archived, not even by --archive-missing)",
            "agreement `zz`: create",
            "agreement `a`: not in file (kept; --archive-missing archives it)",
            "agreement `b`: not in file (kept; --archive-missing archives it)",
            "source `s`: not in file (kept; --archive-missing archives it)",
        ]
    );
    // Archived ones are not listed; requisites are never archived.
    assert_eq!(
        lines(&plan(&cfg, &cur, true)),
        [
            "requisites `db`: not in file (kept: requisites are never archived, not even by --archive-missing)",
            "agreement `zz`: create",
            "agreement `a`: archive (not in file)",
            "agreement `b`: archive (not in file)",
            "source `s`: archive (not in file)",
        ]
    );
}
