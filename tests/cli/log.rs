//! The change log: every change with its time, actor, and the values before
//! and after; filters by kind, code, time and count.

use crate::common::*;
use serde_json::{Value, json};

/// Four changes over November: `main` created on the 1st, `site` created on
/// the 15th, edited on the 28th at 12:00 UTC and archived by `admin` at 13:00.
fn with_changes() -> Env {
    let env = Env::new();
    env.ok_at(
        "2026-11-01T09:00:00Z",
        &[
            "requisites",
            "add",
            "main",
            "--set",
            "short_name=ООО «Ромашка»",
        ],
    );
    env.ok_at(
        "2026-11-15T10:00:00Z",
        &["agreement", "add", "site", "--name", "Сайт"],
    );
    env.ok_at(
        "2026-11-28T12:00:00Z",
        &["agreement", "edit", "site", "--set", "required=false"],
    );
    env.ok_at(
        "2026-11-28T13:00:00Z",
        &["--actor", "admin", "agreement", "archive", "site"],
    );
    env
}

/// `code action` of each entry `log ARGS…` shows, oldest first.
fn actions(env: &Env, args: &[&str]) -> Vec<String> {
    let mut full = vec!["log"];
    full.extend(args);
    env.json(&full)
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            format!(
                "{} {}",
                e["object_code"].as_str().unwrap(),
                e["action"].as_str().unwrap()
            )
        })
        .collect()
}

#[test]
fn log_prints_a_table() {
    let env = with_changes();
    let r = env.ok(&["log"]);
    assert_eq!(r.stderr, "");
    insta::assert_snapshot!("log_table", r.stdout);
}

#[test]
fn log_json_has_every_key_in_every_entry() {
    let env = with_changes();
    let all = env.json(&["log"]);
    let all = all.as_array().unwrap();
    assert_eq!(all.len(), 4);
    for e in all {
        assert_has_keys(
            e,
            &[
                "id",
                "at",
                "actor",
                "object_kind",
                "object_code",
                "action",
                "before",
                "after",
            ],
        );
    }
}

#[test]
fn log_json_keeps_the_values_before_and_after_with_time_and_actor() {
    let env = with_changes();
    let all = env.json(&["log"]);
    let all = all.as_array().unwrap();
    assert_eq!(all[0]["object_kind"], "requisites");
    assert_eq!(all[0]["action"], "create");
    assert_eq!(all[0]["before"], Value::Null);
    assert_eq!(all[0]["after"]["short_name"], "ООО «Ромашка»");
    assert_eq!(all[2]["action"], "revision 2");
    assert_eq!(all[2]["before"]["required"], true);
    assert_eq!(all[2]["after"]["required"], false);
    assert_eq!(all[3]["actor"], "admin");
    assert_eq!(all[3]["at"], "2026-11-28T13:00:00Z");
}

#[test]
fn log_filters_by_kind() {
    let env = with_changes();
    assert_eq!(actions(&env, &["--kind", "requisites"]), ["main create"]);
    assert_eq!(
        actions(&env, &["--kind", "agreement"]),
        ["site create", "site revision 2", "site archive"]
    );
}

#[test]
fn log_filters_by_code() {
    let env = with_changes();
    assert_eq!(
        actions(&env, &["--code", "site"]),
        ["site create", "site revision 2", "site archive"]
    );
}

#[test]
fn log_filters_by_kind_and_code_together() {
    let env = with_changes();
    assert_eq!(
        actions(&env, &["--kind", "requisites", "--code", "site"]),
        Vec::<String>::new()
    );
}

#[test]
fn log_since_a_day_starts_at_its_beginning() {
    let env = with_changes();
    assert_eq!(
        actions(&env, &["--since", "2026-11-15"]),
        ["site create", "site revision 2", "site archive"]
    );
}

#[test]
fn log_until_a_day_includes_the_whole_day() {
    let env = with_changes();
    assert_eq!(
        actions(&env, &["--until", "2026-11-15"]),
        ["main create", "site create"],
        "--until includes the whole day"
    );
    assert_eq!(actions(&env, &["--until", "2026-11-14"]), ["main create"]);
}

#[test]
fn log_since_a_moment_in_utc() {
    let env = with_changes();
    assert_eq!(
        actions(&env, &["--since", "2026-11-28T12:30:00Z"]),
        ["site archive"]
    );
}

#[test]
fn log_since_a_moment_with_an_offset_converts_it_to_utc() {
    let env = with_changes();
    assert_eq!(
        actions(&env, &["--since", "2026-11-28T15:00:00+03:00"]),
        ["site revision 2", "site archive"],
        "an offset is converted to UTC"
    );
}

#[test]
fn log_since_and_until_together() {
    let env = with_changes();
    assert_eq!(
        actions(
            &env,
            &["--since", "2026-11-02", "--until", "2026-11-28T12:00:00Z"]
        ),
        ["site create", "site revision 2"]
    );
}

#[test]
fn log_limit_keeps_the_newest_oldest_first() {
    let env = with_changes();
    assert_eq!(
        actions(&env, &["-n", "2"]),
        ["site revision 2", "site archive"],
        "the newest N, oldest first"
    );
}

#[test]
fn log_limit_counts_the_entries_that_pass_the_filters() {
    let env = with_changes();
    assert_eq!(
        actions(&env, &["--limit", "1", "--kind", "requisites"]),
        ["main create"]
    );
}

#[test]
fn log_with_nothing_to_show_is_an_empty_table_or_list() {
    let env = with_changes();
    let none = env.ok(&["log", "--since", "2027-01-01"]);
    assert_eq!(
        none.stdout.lines().count(),
        2,
        "header only:\n{}",
        none.stdout
    );
    assert_eq!(env.json(&["log", "--since", "2027-01-01"]), json!([]));
}

#[test]
fn log_refuses_an_unknown_kind() {
    let env = with_changes();
    refused!(&env, "log_unknown_kind", &["log", "--kind", "consent"]);
}

#[test]
fn log_refuses_a_since_that_is_not_a_date() {
    let env = with_changes();
    refused!(&env, "log_bad_since", &["log", "--since", "last week"]);
}

#[test]
fn log_since_takes_today_yesterday_and_spans_back_from_now() {
    // Changes at 11-01 09:00, 11-15 10:00, 11-28 12:00 and 13:00; the clock reads 11-28 12:00.
    let env = with_changes();
    let count = |args: &[&str]| {
        let mut full = vec!["log"];
        full.extend(args);
        env.json(&full).as_array().unwrap().len()
    };
    assert_eq!(count(&[]), 4);
    for (v, n) in [
        ("today", 2),
        ("yesterday", 2),
        ("1h", 2),
        ("0m", 2),
        ("7d", 2),
        ("2w", 3),
        ("30d", 4),
    ] {
        assert_eq!(count(&["--since", v]), n, "--since {v}");
    }
    assert_eq!(count(&["--until", "yesterday"]), 2);
    assert_eq!(count(&["--until", "today"]), 4);
}

#[test]
fn log_refuses_an_until_that_is_not_a_date() {
    let env = with_changes();
    refused!(&env, "log_bad_until", &["log", "--until", "2026-13-01"]);
}
