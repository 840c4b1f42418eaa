//! `pdconsent apply --dry-run FILE` on a file's text: the command's own parse
//! (`apply::parse_file`), resolution and plan (`apply::planned`) and the texts
//! the plan changes (`apply::planned_texts`, which renders every linked pair),
//! against an empty database and against the example's database.
//!
//! Asserts: no panic; every error is placed on a line and column of the file;
//! and what plans cleanly against the empty database dumps (`config::dump`, as
//! `pdconsent dump` writes) to TOML that parses and plans cleanly again and
//! dumps to the same bytes (the promise "dump → apply → dump gives the same
//! bytes").

#![no_main]

use libfuzzer_sys::fuzz_target;
use pdconsent::cmd::{apply, texts};
use pdconsent::config::plan::Current;
use pdconsent::config::{self, Config};
use std::sync::OnceLock;

/// The example's database as the planner sees it, read once.
fn example() -> &'static (Current, texts::Registered) {
    static EXAMPLE: OnceLock<(Current, texts::Registered)> = OnceLock::new();
    EXAMPLE.get_or_init(|| {
        let mut store = pdconsent_fuzz::example_store();
        store
            .read(|tx| -> anyhow::Result<_> { Ok((apply::current(tx)?, texts::registered(tx)?)) })
            .expect("read the example's database")
    })
}

/// The plan of `text` against `cur`, as `apply --dry-run` makes it.
fn dry_run(
    text: &str,
    cur: &Current,
    registered: &texts::Registered,
    archive: bool,
) -> Option<Config> {
    let lines = text.split('\n').count();
    let placed = |e: &anyhow::Error| {
        for l in format!("{e:#}")
            .lines()
            .filter_map(|l| l.strip_prefix("  fuzz.toml:"))
        {
            let n: usize = l
                .split(':')
                .next()
                .and_then(|n| n.parse().ok())
                .expect("a line number");
            assert!((1..=lines).contains(&n), "line {n} of {lines}: {l}");
        }
    };
    let (cfg, errors) = match apply::parse_file("fuzz.toml", text) {
        Ok(p) => p,
        Err(e) => {
            placed(&e);
            return None;
        }
    };
    match apply::planned("fuzz.toml", &cfg, &errors, cur, archive) {
        Ok((cfg, items)) => {
            for i in &items {
                let _ = i.describe();
            }
            let _ = serde_json::to_string(&items).expect("the plan serialises");
            let _ = apply::planned_texts(registered, &cfg, cur, archive);
            Some(cfg)
        }
        Err(e) => {
            placed(&e);
            None
        }
    }
}

fn dumped(cfg: &Config) -> String {
    let reqs: Vec<_> = cfg
        .requisites
        .iter()
        .map(|r| r.requisites.clone())
        .collect();
    let agreements: Vec<_> = cfg
        .agreements
        .iter()
        .map(|a| (a.code.clone(), a.settings.clone(), a.archived))
        .collect();
    let sources: Vec<_> = cfg
        .sources
        .iter()
        .map(|s| (s.source.clone(), s.archived))
        .collect();
    config::dump(&reqs, &agreements, &sources).expect("a planned configuration dumps")
}

fuzz_target!(|data: &[u8]| {
    // `apply` reads the file as UTF-8 text.
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let archive = text.len() % 2 == 1;
    let (cur, registered) = example();
    let _ = dry_run(text, cur, registered, archive);
    let empty = (Current::default(), texts::Registered::default());
    if let Some(cfg) = dry_run(text, &empty.0, &empty.1, false) {
        let once = dumped(&cfg);
        let again = dry_run(&once, &empty.0, &empty.1, false)
            .unwrap_or_else(|| panic!("the dump of a clean plan does not plan:\n{once}"));
        assert_eq!(
            dumped(&again),
            once,
            "dump → apply → dump changed the bytes"
        );
    }
});
