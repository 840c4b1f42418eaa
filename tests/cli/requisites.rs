//! Requisites, the operator's details: adding, showing and listing them, their
//! checks, the default set, edits and removal.

use crate::common::*;
use serde_json::{Value, json};

// ------------------------------------------------------ add, show and list

/// Adds `main`, a legal entity with a website and without a full name.
fn add_main(env: &Env) -> Run {
    env.ok(&[
        "requisites",
        "add",
        "main",
        "--set",
        "short_name=ООО «Ромашка»",
        "--set",
        &format!("inn={INN_LEGAL}"),
        "--set",
        "kpp=770501001",
        "--set",
        &format!("ogrn={OGRN}"),
        "--set",
        "legal_address=г. Москва, ул. Ленина, д. 1",
        "--set",
        "email=privacy@romashka.ru",
        "--set",
        "website=https://romashka.ru",
    ])
}

/// Adds `ip`, an individual entrepreneur, with `--format json`.
fn add_ip(env: &Env) -> Run {
    env.ok(&[
        "requisites",
        "add",
        "ip",
        "--kind",
        "individual",
        "--set",
        "short_name=Иванов Иван Иванович",
        "--set",
        &format!("inn={INN_PERSON}"),
        "--set",
        &format!("ogrnip={OGRNIP}"),
        "--format",
        "json",
    ])
}

#[test]
fn add_prints_nothing_on_stdout_and_says_what_it_created() {
    let env = Env::new();
    let r = add_main(&env);
    assert_eq!(r.stdout, "", "add prints data only with --format json");
    assert_eq!(r.stderr, "created requisites `main` (default)\n");
}

#[test]
fn show_prints_a_table() {
    let env = Env::new();
    add_main(&env);
    let show = env.ok(&["requisites", "show", "main"]);
    assert_eq!(show.stderr, "");
    insta::assert_snapshot!("requisites_show_table", show.stdout);
}

#[test]
fn show_json_has_every_key_and_the_values_given() {
    let env = Env::new();
    add_main(&env);
    let v = env.json(&["requisites", "show", "main"]);
    insta::assert_json_snapshot!("requisites_show_json", v);
    assert_has_keys(
        &v,
        &[
            "code",
            "kind",
            "short_name",
            "full_name",
            "inn",
            "kpp",
            "ogrn",
            "ogrnip",
            "legal_address",
            "postal_address",
            "email",
            "phone",
            "website",
            "default",
            "used_by",
            "created_at",
            "updated_at",
        ],
    );
    assert_eq!(v["kind"], "legal");
    assert_eq!(v["inn"], INN_LEGAL);
    assert_eq!(v["default"], true);
    assert_eq!(v["full_name"], Value::Null);
    assert_eq!(v["used_by"], json!([]));
    assert_eq!(v["created_at"], NOW);
}

#[test]
fn an_individual_entrepreneur_has_an_ogrnip_and_is_not_the_default() {
    let env = Env::new();
    add_main(&env);
    // An individual entrepreneur: 12-digit INN, OGRNIP; not the default.
    let r = add_ip(&env);
    assert_eq!(r.stderr, "created requisites `ip`\n");
    let ip = r.json();
    assert_eq!(ip["kind"], "individual");
    assert_eq!(ip["default"], false);
    assert_eq!(ip["ogrnip"], OGRNIP);
}

#[test]
fn show_prints_an_individual_entrepreneur_as_a_table() {
    let env = Env::new();
    add_main(&env);
    add_ip(&env);
    insta::assert_snapshot!(
        "requisites_show_individual_table",
        env.ok(&["requisites", "show", "ip"]).stdout
    );
}

#[test]
fn list_prints_a_table() {
    let env = Env::new();
    add_main(&env);
    add_ip(&env);
    let list = env.ok(&["requisites", "list"]);
    insta::assert_snapshot!("requisites_list_table", list.stdout);
}

#[test]
fn list_json_is_sorted_by_code_and_shows_what_show_shows() {
    let env = Env::new();
    add_main(&env);
    add_ip(&env);
    let v = env.json(&["requisites", "show", "main"]);
    let list = env.json(&["requisites", "list"]);
    let codes: Vec<&str> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["code"].as_str().unwrap())
        .collect();
    assert_eq!(codes, ["ip", "main"]);
    assert_eq!(list[1], v, "list shows what show shows");
}

// ------------------------------------------------------------- the default

/// Adds `second` with `--default`.
fn add_second_as_default(env: &Env) -> Run {
    env.ok(&[
        "requisites",
        "add",
        "second",
        "--set",
        "short_name=ООО «Вторая»",
        "--default",
    ])
}

/// Each set's code and whether it is the default, as `list` orders them.
fn defaults(env: &Env) -> Vec<(String, bool)> {
    env.json(&["requisites", "list"])
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["code"].as_str().unwrap().to_string(),
                r["default"].as_bool().unwrap(),
            )
        })
        .collect()
}

#[test]
fn add_with_default_moves_the_default_to_the_new_set() {
    let env = Env::with_main();
    let r = add_second_as_default(&env);
    assert_eq!(r.stderr, "created requisites `second` (default)\n");
    assert_eq!(
        defaults(&env),
        [("main".to_string(), false), ("second".to_string(), true)]
    );
}

#[test]
fn a_new_default_set_is_the_only_default() {
    let env = Env::with_main();
    add_second_as_default(&env);
    let list = env.json(&["requisites", "list"]);
    let defaults: Vec<&str> = list
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["default"] == true)
        .map(|r| r["code"].as_str().unwrap())
        .collect();
    assert_eq!(defaults, ["second"]);
}

#[test]
fn the_log_says_the_old_default_set_lost_it() {
    let env = Env::with_main();
    add_second_as_default(&env);
    let log = env.json(&["log", "--kind", "requisites", "--code", "main"]);
    let last = log.as_array().unwrap().last().unwrap();
    assert_eq!(last["action"], "update");
    assert_eq!(last["before"]["default"], true);
    assert_eq!(last["after"]["default"], false);
}

#[test]
fn a_new_agreement_names_the_default_requisites() {
    let env = Env::with_main();
    add_second_as_default(&env);
    env.ok(&["agreement", "add", "a", "--name", "A"]);
    assert_eq!(
        env.json(&["agreement", "show", "a"])["requisites"],
        "second"
    );
}

#[test]
fn edit_with_default_moves_the_default_to_the_set_edited() {
    let env = Env::with_main();
    add_second_as_default(&env);
    let r = env.ok(&["requisites", "edit", "main", "--default"]);
    assert_eq!(r.stderr, "updated requisites `main`: default\n");
    assert_eq!(
        defaults(&env),
        [("main".to_string(), true), ("second".to_string(), false)]
    );
}

#[test]
fn removing_the_default_set_leaves_none_and_says_so() {
    let env = Env::with_main();
    add_second_as_default(&env);
    let r = env.ok(&["requisites", "remove", "second", "--yes"]);
    assert!(
        r.stderr
            .contains("there is no default set of requisites now"),
        "{}",
        r.stderr
    );
}

// ------------------------------------------------------------------- edit

const LATER: &str = "2026-12-01T08:30:00Z";

/// Sets the e-mail and the phone of `main` and unsets its KPP, at `LATER`.
fn edit_contacts(env: &Env) -> Run {
    env.ok_at(
        LATER,
        &[
            "requisites",
            "edit",
            "main",
            "--set",
            "email=dpo@romashka.ru",
            "--set",
            "phone=+7 495 000-00-00",
            "--unset",
            "kpp",
        ],
    )
}

#[test]
fn edit_sets_and_unsets_values_and_names_them() {
    let env = Env::with_main();
    let r = edit_contacts(&env);
    assert_eq!(r.stdout, "");
    assert_eq!(r.stderr, "updated requisites `main`: email, kpp, phone\n");
    let v = env.json(&["requisites", "show", "main"]);
    assert_eq!(v["email"], "dpo@romashka.ru");
    assert_eq!(v["phone"], "+7 495 000-00-00");
    assert_eq!(v["kpp"], Value::Null);
    assert_eq!(v["created_at"], NOW);
    assert_eq!(v["updated_at"], LATER);
}

#[test]
fn edit_is_logged_with_the_values_before_and_after() {
    let env = Env::with_main();
    edit_contacts(&env);
    let log = env.json(&["log", "--kind", "requisites"]);
    let last = &log.as_array().unwrap()[1];
    assert_eq!(last["action"], "update");
    assert_eq!(last["at"], LATER);
    assert_eq!(last["before"]["email"], "privacy@romashka.ru");
    assert_eq!(last["after"]["email"], "dpo@romashka.ru");
    assert_eq!(last["before"]["kpp"], KPP);
    assert_eq!(last["after"]["kpp"], Value::Null);
}

#[test]
fn edit_with_format_json_prints_the_saved_set() {
    let env = Env::with_main();
    let r = env.ok(&[
        "requisites",
        "edit",
        "main",
        "--set",
        "website=https://romashka.ru",
        "--format",
        "json",
    ]);
    assert_eq!(r.json()["website"], "https://romashka.ru");
    assert_eq!(r.stderr, "updated requisites `main`: website\n");
}

#[test]
fn edit_switches_kind_together_with_the_matching_numbers() {
    let env = Env::with_main();
    // An individual entrepreneur has no KPP.
    edit_contacts(&env);
    // Switching kind with the matching numbers is one valid change.
    let r = env.ok(&[
        "requisites",
        "edit",
        "main",
        "--set",
        "kind=individual",
        "--set",
        &format!("inn={INN_PERSON}"),
        "--unset",
        "ogrn",
        "--set",
        &format!("ogrnip={OGRNIP}"),
    ]);
    assert_eq!(
        r.stderr,
        "updated requisites `main`: inn, kind, ogrn, ogrnip\n"
    );
}

#[test]
fn edit_to_the_same_values_changes_nothing() {
    let env = Env::with_main();
    let before = env.dump();
    let r = env.ok(&[
        "requisites",
        "edit",
        "main",
        "--set",
        "email=privacy@romashka.ru",
        "--set",
        &format!("inn={INN_LEGAL}"),
        "--unset",
        "phone",
    ]);
    assert_eq!(r.stdout, "");
    assert_eq!(
        r.stderr,
        "requisites `main` unchanged: the values are already as given\n"
    );
    assert_eq!(env.dump(), before, "no update, no log entry");
}

// ----------------------------------------------------------------- remove

/// `main` and `spare`, which no agreement uses.
fn with_spare() -> Env {
    let env = Env::with_main();
    env.ok(&[
        "requisites",
        "add",
        "spare",
        "--set",
        "short_name=ООО «Запас»",
    ]);
    env
}

#[track_caller]
fn assert_sets(env: &Env, n: usize) {
    assert_eq!(
        env.json(&["requisites", "list"]).as_array().unwrap().len(),
        n
    );
}

#[test]
fn remove_without_a_terminal_or_yes_is_refused() {
    let env = with_spare();
    // No terminal to ask on and no --yes: refused, nothing removed.
    refused!(
        &env,
        "requisites_remove_without_yes",
        &["requisites", "remove", "spare"],
    );
    assert_sets(&env, 2);
}

#[test]
fn remove_with_no_input_is_refused_with_a_hint_at_yes() {
    let env = with_spare();
    let r = env.fails(&["requisites", "remove", "spare", "--no-input"]);
    assert!(r.stderr.contains("hint: give --yes"), "{}", r.stderr);
    assert_sets(&env, 2);
}

#[test]
fn remove_with_yes_removes_the_set() {
    let env = with_spare();
    let r = env.ok(&["requisites", "remove", "spare", "--yes"]);
    assert_eq!(r.stdout, "");
    assert_eq!(r.stderr, "removed requisites `spare`\n");
    let list = env.json(&["requisites", "list"]);
    assert_eq!(list.as_array().unwrap().len(), 1);
    assert_eq!(list[0]["code"], "main");
}

#[test]
fn remove_is_logged_with_the_values_before() {
    let env = with_spare();
    env.ok(&["requisites", "remove", "spare", "--yes"]);
    let log = env.json(&["log", "--code", "spare"]);
    let log = log.as_array().unwrap();
    assert_eq!(log.len(), 2);
    assert_eq!(log[1]["action"], "remove");
    assert_eq!(log[1]["before"]["short_name"], "ООО «Запас»");
    assert_eq!(log[1]["after"], Value::Null);
}

#[test]
fn remove_of_a_removed_set_is_refused() {
    let env = with_spare();
    env.ok(&["requisites", "remove", "spare", "--yes"]);
    refused!(
        &env,
        "requisites_remove_unknown",
        &["requisites", "remove", "spare", "-y"],
    );
}

/// `main`, used by `site` and by the archived `newsletter`.
fn with_an_archived_user() -> Env {
    let env = Env::with_site();
    env.ok(&["agreement", "add", "newsletter", "--name", "Рассылка"]);
    env.ok(&["agreement", "archive", "newsletter"]);
    env
}

#[test]
fn remove_of_a_set_in_use_even_by_an_archived_agreement_is_refused() {
    let env = with_an_archived_user();
    // Archived agreements still name the company: they keep the set in use.
    refused!(
        &env,
        "requisites_remove_used",
        &["requisites", "remove", "main", "--yes"],
    );
}

#[test]
fn show_json_names_the_agreements_that_use_a_set() {
    let env = with_an_archived_user();
    let v = env.json(&["requisites", "show", "main"]);
    assert_eq!(v["used_by"], json!(["newsletter", "site"]));
}

#[test]
fn show_table_names_the_agreements_that_use_a_set() {
    let env = with_an_archived_user();
    let table = env.ok(&["requisites", "show", "main"]).stdout;
    assert!(
        table.contains("| used by           | newsletter, site "),
        "{table}"
    );
}

// ------------------------------------------------------ values refused by add

/// `requisites add b --set short_name=ООО «Б»` followed by `extra`.
fn add_b<'a>(extra: &[&'a str]) -> Vec<&'a str> {
    let mut args = vec!["requisites", "add", "b", "--set", "short_name=ООО «Б»"];
    args.extend(extra);
    args
}

#[test]
fn add_refuses_an_inn_with_a_wrong_check_digit() {
    let env = Env::with_main();
    let r = refused!(
        &env,
        "requisites_add_inn_check_digit",
        &add_b(&["--set", "inn=7840502514"]),
    );
    // Each check names what failed.
    assert!(r.stderr.contains("check digit failed"), "inn=7840502514");
}

#[test]
fn add_refuses_an_inn_of_the_wrong_length() {
    let env = Env::with_main();
    let r = refused!(
        &env,
        "requisites_add_inn_length",
        &add_b(&["--set", "inn=784050251"]),
    );
    // Each check names what failed.
    assert!(r.stderr.contains("length check failed"), "inn=784050251");
}

#[test]
fn add_refuses_an_inn_with_a_letter() {
    let env = Env::with_main();
    let r = refused!(
        &env,
        "requisites_add_inn_digits",
        &add_b(&["--set", "inn=78405025a3"]),
    );
    // Each check names what failed.
    assert!(r.stderr.contains("digits check failed"), "inn=78405025a3");
}

#[test]
fn add_refuses_a_12_digit_inn_for_a_legal_entity() {
    let env = Env::with_main();
    refused!(
        &env,
        "requisites_add_inn_12_for_legal",
        &add_b(&["--set", "inn=775260181506"]),
    );
}

#[test]
fn add_refuses_a_10_digit_inn_for_an_individual() {
    let env = Env::with_main();
    refused!(
        &env,
        "requisites_add_inn_10_for_individual",
        &add_b(&["--kind", "individual", "--set", "inn=7840502513"]),
    );
}

#[test]
fn add_refuses_an_ogrn_with_a_wrong_check_digit() {
    let env = Env::with_main();
    refused!(
        &env,
        "requisites_add_ogrn_check_digit",
        &add_b(&["--set", "ogrn=1147847057215"]),
    );
}

#[test]
fn add_refuses_an_ogrn_with_a_wrong_first_digit() {
    let env = Env::with_main();
    let r = refused!(
        &env,
        "requisites_add_ogrn_first_digit",
        &add_b(&["--set", "ogrn=2147847057214"]),
    );
    // Each check names what failed.
    assert!(
        r.stderr.contains("first digit check failed"),
        "ogrn=2147847057214"
    );
}

#[test]
fn add_refuses_an_ogrn_of_the_wrong_length() {
    let env = Env::with_main();
    refused!(
        &env,
        "requisites_add_ogrn_length",
        &add_b(&["--set", "ogrn=114784705721"]),
    );
}

#[test]
fn add_refuses_an_ogrnip_with_a_wrong_check_digit() {
    let env = Env::with_main();
    refused!(
        &env,
        "requisites_add_ogrnip_check_digit",
        &add_b(&["--kind", "individual", "--set", "ogrnip=339099603082468"]),
    );
}

#[test]
fn add_refuses_an_ogrnip_with_a_wrong_first_digit() {
    let env = Env::with_main();
    refused!(
        &env,
        "requisites_add_ogrnip_first_digit",
        &add_b(&["--kind", "individual", "--set", "ogrnip=139099603082469"]),
    );
}

#[test]
fn add_refuses_an_ogrnip_for_a_legal_entity() {
    let env = Env::with_main();
    refused!(
        &env,
        "requisites_add_ogrnip_for_legal",
        &add_b(&["--set", "ogrnip=339099603082469"]),
    );
}

#[test]
fn add_refuses_a_kpp_and_an_ogrn_for_an_individual() {
    let env = Env::with_main();
    refused!(
        &env,
        "requisites_add_kpp_ogrn_for_individual",
        &add_b(&[
            "--kind",
            "individual",
            "--set",
            "kpp=770501001",
            "--set",
            "ogrn=1147847057214",
        ]),
    );
}

#[test]
fn add_refuses_a_kpp_of_the_wrong_length() {
    let env = Env::with_main();
    refused!(
        &env,
        "requisites_add_kpp_length",
        &add_b(&["--set", "kpp=77050100"]),
    );
}

#[test]
fn add_refuses_a_kpp_with_a_letter() {
    let env = Env::with_main();
    let r = refused!(
        &env,
        "requisites_add_kpp_format",
        &add_b(&["--set", "kpp=77050100a"]),
    );
    // Each check names what failed.
    assert!(r.stderr.contains("format check failed"), "kpp=77050100a");
}

#[test]
fn add_refuses_an_incomplete_email() {
    let env = Env::with_main();
    refused!(
        &env,
        "requisites_add_email",
        &add_b(&["--set", "email=privacy@"]),
    );
}

#[test]
fn add_refuses_an_email_with_a_display_name() {
    let env = Env::with_main();
    refused!(
        &env,
        "requisites_add_email_display_name",
        &add_b(&["--set", "email=Ромашка <privacy@romashka.ru>"]),
    );
}

#[test]
fn add_refuses_a_website_that_is_not_an_address() {
    let env = Env::with_main();
    refused!(
        &env,
        "requisites_add_website",
        &add_b(&["--set", "website=romashka"]),
    );
}

#[test]
fn add_reports_several_problems_at_once() {
    let env = Env::with_main();
    refused!(
        &env,
        "requisites_add_several_problems",
        &add_b(&[
            "--set",
            "inn=7840502514",
            "--set",
            "email=x",
            "--set",
            "ogrn=1",
        ]),
    );
}

#[test]
fn add_refuses_an_unknown_key() {
    let env = Env::with_main();
    refused!(
        &env,
        "requisites_add_unknown_key",
        &add_b(&["--set", "colour=red"]),
    );
}

#[test]
fn add_refuses_a_set_that_is_not_key_value() {
    let env = Env::with_main();
    refused!(
        &env,
        "requisites_add_not_key_value",
        &add_b(&["--set", "inn"]),
    );
}

#[test]
fn add_refuses_code_as_a_key() {
    let env = Env::with_main();
    refused!(
        &env,
        "requisites_add_code_key",
        &add_b(&["--set", "code=c"]),
    );
}

#[test]
fn add_refuses_an_unknown_kind() {
    let env = Env::with_main();
    refused!(
        &env,
        "requisites_add_unknown_kind",
        &add_b(&["--kind", "company"]),
    );
}

#[test]
fn add_refuses_a_default_that_is_not_yes_or_no() {
    let env = Env::with_main();
    refused!(
        &env,
        "requisites_add_bad_default_value",
        &add_b(&["--set", "default=maybe"]),
    );
}

#[test]
fn add_refuses_a_blank_short_name() {
    let env = Env::with_main();
    refused!(
        &env,
        "requisites_add_empty_short_name",
        &add_b(&["--set", "short_name= "]),
    );
}

// ------------------------------------------------------- commands refused

// The refusals of a missing value, without a terminal.

#[test]
fn add_without_a_short_name_or_a_terminal_is_refused() {
    let env = Env::with_main();
    refused!(&env, "requisites_add_no_flags", &["requisites", "add", "b"]);
}

#[test]
fn add_without_a_short_name_with_no_input_is_refused() {
    let env = Env::with_main();
    refused!(
        &env,
        "requisites_add_no_flags_no_input",
        &["requisites", "add", "b", "--no-input"],
    );
}

#[test]
fn add_without_a_code_is_refused() {
    let env = Env::with_main();
    refused!(
        &env,
        "requisites_add_no_code",
        &["requisites", "add", "--set", "short_name=X"],
    );
}

#[test]
fn add_refuses_a_code_that_is_not_a_slug() {
    let env = Env::with_main();
    refused!(
        &env,
        "requisites_add_bad_code",
        &["requisites", "add", "Main", "--set", "short_name=X"],
    );
}

#[test]
fn add_of_an_existing_code_is_refused() {
    let env = Env::with_main();
    refused!(
        &env,
        "requisites_add_exists",
        &["requisites", "add", "main", "--set", "short_name=X"],
    );
}

#[test]
fn show_of_an_unknown_set_is_refused() {
    let env = Env::with_main();
    refused!(
        &env,
        "requisites_show_unknown",
        &["requisites", "show", "nope"],
    );
}

#[test]
fn edit_of_an_unknown_set_is_refused() {
    let env = Env::with_main();
    refused!(
        &env,
        "requisites_edit_unknown",
        &["requisites", "edit", "nope", "--set", "phone=1"],
    );
}

#[test]
fn edit_without_changes_is_refused() {
    let env = Env::with_main();
    refused!(
        &env,
        "requisites_edit_nothing",
        &["requisites", "edit", "main"],
    );
}

#[test]
fn edit_refuses_an_invalid_inn() {
    let env = Env::with_main();
    refused!(
        &env,
        "requisites_edit_invalid_inn",
        &["requisites", "edit", "main", "--set", "inn=7840502510"],
    );
}

#[test]
fn edit_refuses_a_kind_the_numbers_do_not_match() {
    let env = Env::with_main();
    refused!(
        &env,
        "requisites_edit_kind_mismatch",
        &["requisites", "edit", "main", "--set", "kind=individual"],
    );
}

#[test]
fn edit_refuses_to_unset_the_short_name() {
    let env = Env::with_main();
    refused!(
        &env,
        "requisites_edit_unset_short_name",
        &["requisites", "edit", "main", "--unset", "short_name"],
    );
}

#[test]
fn edit_refuses_to_unset_an_unknown_key() {
    let env = Env::with_main();
    refused!(
        &env,
        "requisites_edit_unset_unknown",
        &["requisites", "edit", "main", "--unset", "colour"],
    );
}

#[test]
fn edit_refuses_to_change_the_code() {
    let env = Env::with_main();
    refused!(
        &env,
        "requisites_edit_code",
        &["requisites", "edit", "main", "--set", "code=other"],
    );
}
