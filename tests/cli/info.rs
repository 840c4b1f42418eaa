//! `pdconsent info`: the database's path, schema, release and counts.

use crate::common::*;
use serde_json::json;

/// A database with the requisites `first`, added with a relative `--db`.
fn with_first() -> Env {
    let env = Env::new();
    // A relative path (the tests run in the temporary directory) keeps the
    // table the same width on every machine.
    env.ok(&[
        "--db",
        "pd.db",
        "requisites",
        "add",
        "first",
        "--set",
        "short_name=X",
    ]);
    env
}

#[test]
fn info_table_shows_path_schema_and_counts() {
    let env = with_first();
    let r = env.ok(&["--db", "pd.db", "info"]);
    assert_eq!(r.stderr, "");
    let version = env!("CARGO_PKG_VERSION");
    // The version changes with every release; the cell keeps its width.
    let masked: Vec<String> = r
        .stdout
        .lines()
        .map(|l| match l.strip_prefix("| pdconsent ") {
            Some(rest) => {
                let (key_pad, value) = rest.split_once('|').unwrap();
                let width = value.len() - 2;
                assert_eq!(value.trim().trim_end_matches('|').trim(), version);
                format!("| pdconsent {key_pad}| {:<width$}|", "<version>")
            }
            None => l.to_string(),
        })
        .collect();
    insta::assert_snapshot!("info_table_empty", masked.join("\n"));
}

#[test]
fn info_json_shows_path_schema_and_counts() {
    let env = with_first();
    let v = env.json(&["info"]);
    assert_eq!(v["database"], env.db().display().to_string());
    assert_eq!(v["schema_version"], pdconsent::storage::latest_version());
    assert_eq!(
        v["supported_schema_version"],
        pdconsent::storage::latest_version()
    );
    assert_eq!(v["pdconsent_version"], env!("CARGO_PKG_VERSION"));
    assert_eq!(
        v["counts"],
        json!({
            "requisites": 1, "agreements": 0, "agreements_archived": 0,
            "agreement_revisions": 0, "sources": 0, "sources_archived": 0, "texts": 0,
            "consent_events": 0, "change_log": 1
        })
    );
}

#[test]
fn info_counts_archived_agreements_revisions_and_log_entries() {
    let env = with_first();
    env.ok(&[
        "requisites",
        "add",
        "main",
        "--set",
        "short_name=ООО «Ромашка»",
    ]);
    env.ok(&["agreement", "add", "site", "--name", "Сайт"]);
    env.ok(&["agreement", "add", "old", "--name", "Старое"]);
    env.ok(&["agreement", "edit", "site", "--set", "required=false"]);
    env.ok(&["agreement", "archive", "old"]);
    let c = &env.json(&["info"])["counts"];
    assert_eq!(c["requisites"], 2);
    assert_eq!(c["agreements"], 1);
    assert_eq!(c["agreements_archived"], 1);
    assert_eq!(c["agreement_revisions"], 3);
    assert_eq!(c["change_log"], 6);
    let table = env.ok(&["info"]).stdout;
    assert!(
        table.contains("| agreements          | 1 (+1 archived)"),
        "{table}"
    );
    assert!(table.contains("| change log entries  | 6 "), "{table}");
}
