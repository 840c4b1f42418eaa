//! Agreements: adding, showing and listing them, a text of their own,
//! archiving and restoring, and the commands and values that are refused.
//! Edits, revisions, history and diff are in revisions.rs.

use crate::common::*;
use serde_json::{Value, json};

// ------------------------------------------------------ add, show and list

/// Adds `site` with two purposes, two fields and reading required.
fn add_site(env: &Env) -> Run {
    env.ok(&[
        "agreement",
        "add",
        "site",
        "--name",
        "Согласие для сайта",
        "--add-purpose",
        "обработка заявок",
        "--add-purpose",
        "обратная связь",
        "--add-field",
        "имя",
        "--add-field",
        "e-mail",
        "--set",
        "require_reading=true",
    ])
}

/// Adds `news`, a marketing agreement that is not required.
fn add_news(env: &Env) {
    env.ok(&[
        "agreement",
        "add",
        "news",
        "--name",
        "Рассылка",
        "--template",
        "ru-152fz-marketing",
        "--set",
        "required=no",
    ]);
}

#[test]
fn add_prints_nothing_on_stdout_and_names_the_revision() {
    let env = Env::with_main();
    let r = add_site(&env);
    assert_eq!(r.stdout, "");
    assert_eq!(r.stderr, "created agreement `site` at revision 1\n");
}

#[test]
fn show_prints_a_table() {
    let env = Env::with_main();
    add_site(&env);
    let show = env.ok(&["agreement", "show", "site"]);
    assert_eq!(show.stderr, "");
    insta::assert_snapshot!("agreement_show_table", show.stdout);
}

#[test]
fn show_json_has_every_key_the_values_given_and_the_defaults() {
    let env = Env::with_main();
    add_site(&env);
    let v = env.json(&["agreement", "show", "site"]);
    insta::assert_json_snapshot!("agreement_show_json", v);
    assert_has_keys(
        &v,
        &[
            "code",
            "archived",
            "revision",
            "created_at",
            "updated_at",
            "name",
            "language",
            "template",
            "custom_text",
            "requisites",
            "required",
            "checked_by_default",
            "require_reading",
            "label",
            "url",
            "purposes",
            "actions",
            "methods",
            "term",
            "third_parties",
            "withdrawal_email",
            "fields",
            "restrictions",
            "effective_label",
            "effective_withdrawal_email",
            "withdrawal_email_is_default",
        ],
    );
    assert_eq!(v["revision"], 1);
    assert_eq!(v["archived"], false);
    assert_eq!(v["requisites"], "main");
    assert_eq!(v["template"], "ru-152fz-consent");
    assert_eq!(v["language"], "ru");
    assert_eq!(v["required"], true);
    assert_eq!(v["require_reading"], true);
    assert_eq!(v["purposes"], json!(["обработка заявок", "обратная связь"]));
    assert_eq!(v["fields"], json!(["имя", "e-mail"]));
    assert_eq!(v["term"], "до отзыва согласия");
    assert_eq!(v["withdrawal_email"], Value::Null);
    assert_eq!(v["effective_withdrawal_email"], "privacy@romashka.ru");
    assert_eq!(v["withdrawal_email_is_default"], true);
    assert_eq!(v["created_at"], NOW);
}

#[test]
fn list_prints_a_table() {
    let env = Env::with_main();
    add_site(&env);
    add_news(&env);
    insta::assert_snapshot!(
        "agreement_list_table",
        env.ok(&["agreement", "list"]).stdout
    );
}

#[test]
fn list_json_is_sorted_by_code_and_shows_what_show_shows() {
    let env = Env::with_main();
    add_site(&env);
    add_news(&env);
    let v = env.json(&["agreement", "show", "site"]);
    let list = env.json(&["agreement", "list"]);
    let list = list.as_array().unwrap();
    assert_eq!(list.len(), 2);
    assert_eq!(list[0]["code"], "news");
    assert_eq!(list[0]["required"], false);
    assert_eq!(list[1], v, "list shows what show shows");
}

#[test]
fn requisites_name_the_agreements_that_use_them() {
    let env = Env::with_main();
    add_site(&env);
    add_news(&env);
    assert_eq!(
        env.json(&["requisites", "show", "main"])["used_by"],
        json!(["news", "site"])
    );
}

#[test]
fn add_in_english_prints_json_with_the_english_defaults() {
    let env = Env::with_main();
    let r = env.ok(&[
        "agreement",
        "add",
        "gdpr",
        "--language",
        "en",
        "--name",
        "Website consent",
        "--format",
        "json",
    ]);
    assert_eq!(r.stderr, "created agreement `gdpr` at revision 1\n");
    let v = r.json();
    assert_eq!(v["code"], "gdpr");
    assert_eq!(v["revision"], 1);
    assert_eq!(v["language"], "en");
    assert_eq!(v["template"], "en-consent");
    assert_eq!(v["term"], "until consent is withdrawn");
    assert_eq!(
        v["effective_label"],
        "I consent to the %processing of my personal data%"
    );
    assert_eq!(v, env.json(&["agreement", "show", "gdpr"]));
}

// ------------------------------------------------------- a text of its own

const OWN_TEXT: &str = "Я даю согласие {{ operator.display_name }}.\nВторая строка.\n";

/// With `main` and the agreement `own`, its text from a file.
fn with_own_text() -> Env {
    let env = Env::with_main();
    let file = write(&env, "text.txt", OWN_TEXT);
    env.ok(&[
        "agreement",
        "add",
        "own",
        "--name",
        "Своё",
        "--text-file",
        &file,
    ]);
    env
}

#[test]
fn a_text_from_a_file_makes_the_template_custom() {
    let env = with_own_text();
    let v = env.json(&["agreement", "show", "own"]);
    assert_eq!(v["template"], "custom");
    assert_eq!(v["custom_text"], OWN_TEXT);
}

#[test]
fn show_table_counts_the_lines_of_a_text_of_its_own() {
    let env = with_own_text();
    let table = env.ok(&["agreement", "show", "own"]).stdout;
    assert!(
        table.contains("| custom_text        | 2 lines (`--format json` prints it)"),
        "{table}"
    );
}

#[test]
fn a_text_is_read_from_stdin_given_as_dash() {
    let env = Env::with_main();
    let r = env
        .command(&[
            "agreement",
            "add",
            "piped",
            "--name",
            "Из stdin",
            "--text-file",
            "-",
        ])
        .write_stdin("Текст из канала.\n")
        .output()
        .unwrap();
    assert!(r.status.success(), "{r:?}");
    let v = env.json(&["agreement", "show", "piped"]);
    assert_eq!(v["template"], "custom");
    assert_eq!(v["custom_text"], "Текст из канала.\n");
}

// ---------------------------------------------------- archive and restore

/// With `main` and `site`, archived.
fn with_site_archived() -> (Env, Run) {
    let env = Env::with_site();
    let r = env.ok(&["agreement", "archive", "site"]);
    (env, r)
}

#[test]
fn archive_takes_the_agreement_off_the_list() {
    let (env, r) = with_site_archived();
    assert_eq!(
        (r.stdout.as_str(), r.stderr.as_str()),
        ("", "agreement `site` is now archived\n")
    );
    assert_eq!(env.json(&["agreement", "list"]), json!([]));
    let empty = env.ok(&["agreement", "list"]).stdout;
    assert_eq!(
        empty.lines().count(),
        2,
        "an empty table is its header:\n{empty}"
    );
}

#[test]
fn list_all_shows_archived_agreements_at_the_same_revision() {
    let (env, _) = with_site_archived();
    let all = env.json(&["agreement", "list", "--all"]);
    assert_eq!(all.as_array().unwrap().len(), 1);
    assert_eq!(all[0]["archived"], true);
    assert_eq!(all[0]["revision"], 1, "archiving is not a revision");
    assert!(
        env.ok(&["agreement", "list", "--all"])
            .stdout
            .contains("| archived |")
    );
}

#[test]
fn show_says_an_agreement_is_archived() {
    let (env, _) = with_site_archived();
    assert!(
        env.ok(&["agreement", "show", "site"])
            .stdout
            .contains("| archived           | yes")
    );
}

#[test]
fn archiving_twice_changes_nothing() {
    let (env, _) = with_site_archived();
    let before = env.dump();
    let r = env.ok(&["agreement", "archive", "site"]);
    assert_eq!(
        r.stderr,
        "agreement `site` is already archived; nothing changed\n"
    );
    assert_eq!(env.dump(), before);
}

#[test]
fn an_archived_agreement_is_not_edited() {
    let (env, _) = with_site_archived();
    refused!(
        &env,
        "edit_archived",
        &["agreement", "edit", "site", "--set", "required=false"],
    );
}

#[test]
fn restore_makes_an_agreement_active_and_editable_again() {
    let (env, _) = with_site_archived();
    let r = env.ok(&["agreement", "restore", "site"]);
    assert_eq!(r.stderr, "agreement `site` is now active\n");
    assert_eq!(env.json(&["agreement", "list"])[0]["archived"], false);
    env.ok(&["agreement", "edit", "site", "--set", "required=false"]);
    assert_eq!(env.revisions("site"), 2);
}

#[test]
fn restoring_twice_changes_nothing() {
    let (env, _) = with_site_archived();
    env.ok(&["agreement", "restore", "site"]);
    let r = env.ok(&["agreement", "restore", "site"]);
    assert_eq!(
        r.stderr,
        "agreement `site` is already active; nothing changed\n"
    );
}

#[test]
fn archive_and_restore_are_logged_and_their_repeats_are_not() {
    let (env, _) = with_site_archived();
    env.ok(&["agreement", "archive", "site"]);
    env.ok(&["agreement", "restore", "site"]);
    env.ok(&["agreement", "restore", "site"]);
    env.ok(&["agreement", "edit", "site", "--set", "required=false"]);
    let log = env.json(&["log", "--kind", "agreement"]);
    let actions: Vec<&str> = log
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    assert_eq!(actions, ["create", "archive", "restore", "revision 2"]);
    assert_eq!(log[1]["before"], json!({"archived": false}));
    assert_eq!(log[1]["after"], json!({"archived": true}));
}

// ---------------------------------------------------- an unknown agreement

const NOT_FOUND: &str = "error: agreement `x` not found\nhint: run `pdconsent agreement list --all` to see what exists\n";

#[test]
fn show_of_an_unknown_agreement_is_refused() {
    let env = Env::with_site();
    let r = refused!(&env, "agreement_show_unknown", &["agreement", "show", "x"]);
    assert_eq!(r.stderr, NOT_FOUND);
}

#[test]
fn edit_of_an_unknown_agreement_is_refused() {
    let env = Env::with_site();
    let r = refused!(
        &env,
        "agreement_edit_unknown",
        &["agreement", "edit", "x", "--set", "required=false"],
    );
    assert_eq!(r.stderr, NOT_FOUND);
}

#[test]
fn history_of_an_unknown_agreement_is_refused() {
    let env = Env::with_site();
    let r = refused!(
        &env,
        "agreement_history_unknown",
        &["agreement", "history", "x"],
    );
    assert_eq!(r.stderr, NOT_FOUND);
}

#[test]
fn diff_of_an_unknown_agreement_is_refused() {
    let env = Env::with_site();
    let r = refused!(&env, "agreement_diff_unknown", &["agreement", "diff", "x"]);
    assert_eq!(r.stderr, NOT_FOUND);
}

#[test]
fn archive_of_an_unknown_agreement_is_refused() {
    let env = Env::with_site();
    let r = refused!(
        &env,
        "agreement_archive_unknown",
        &["agreement", "archive", "x"],
    );
    assert_eq!(r.stderr, NOT_FOUND);
}

#[test]
fn restore_of_an_unknown_agreement_is_refused() {
    let env = Env::with_site();
    let r = refused!(
        &env,
        "agreement_restore_unknown",
        &["agreement", "restore", "x"],
    );
    assert_eq!(r.stderr, NOT_FOUND);
}

// ------------------------------------------------------------ add refused

/// A refusal inside the write transaction rolls back too: `site` is still the
/// only agreement, at revision 1.
#[track_caller]
fn assert_only_site_at_revision_1(env: &Env) {
    assert_eq!(env.revisions("site"), 1);
    assert_eq!(
        env.json(&["agreement", "list", "--all"])
            .as_array()
            .unwrap()
            .len(),
        1
    );
}

#[test]
fn add_without_a_name_or_a_terminal_is_refused() {
    let env = Env::with_site();
    refused!(
        &env,
        "agreement_add_without_name",
        &["agreement", "add", "x"],
    );
}

#[test]
fn add_without_a_name_with_no_input_is_refused() {
    let env = Env::with_site();
    refused!(
        &env,
        "agreement_add_without_name_no_input",
        &[
            "agreement",
            "add",
            "x",
            "--no-input",
            "--add-purpose",
            "цель",
        ],
    );
}

#[test]
fn add_without_a_code_is_refused() {
    let env = Env::with_site();
    refused!(
        &env,
        "agreement_add_without_code",
        &["agreement", "add", "--name", "X"],
    );
}

#[test]
fn add_refuses_a_code_that_is_not_a_slug() {
    let env = Env::with_site();
    refused!(
        &env,
        "agreement_add_bad_code",
        &["agreement", "add", "Сайт", "--name", "X"],
    );
}

#[test]
fn add_of_an_existing_code_is_refused() {
    let env = Env::with_site();
    refused!(
        &env,
        "agreement_add_exists",
        &["agreement", "add", "site", "--name", "X"],
    );
}

#[test]
fn add_naming_unknown_requisites_is_refused_and_rolled_back() {
    let env = Env::with_site();
    refused!(
        &env,
        "agreement_add_unknown_requisites",
        &[
            "agreement",
            "add",
            "x",
            "--name",
            "X",
            "--requisites",
            "nope",
        ],
    );
    assert_only_site_at_revision_1(&env);
}

#[test]
fn add_refuses_an_unknown_template() {
    let env = Env::with_site();
    refused!(
        &env,
        "agreement_add_unknown_template",
        &[
            "agreement",
            "add",
            "x",
            "--name",
            "X",
            "--template",
            "ru-gdpr",
        ],
    );
}

#[test]
fn add_refuses_the_custom_template_without_a_text() {
    let env = Env::with_site();
    refused!(
        &env,
        "agreement_add_custom_without_text",
        &[
            "agreement",
            "add",
            "x",
            "--name",
            "X",
            "--template",
            "custom",
        ],
    );
}

#[test]
fn add_refuses_an_unknown_language() {
    let env = Env::with_site();
    refused!(
        &env,
        "agreement_add_unknown_language",
        &["agreement", "add", "x", "--name", "X", "--language", "de"],
    );
}

#[test]
fn add_refuses_a_text_with_a_built_in_template() {
    let env = Env::with_site();
    let t = write(&env, "t.txt", "Текст.\n");
    refused!(
        &env,
        "agreement_add_text_with_builtin_template",
        &[
            "agreement",
            "add",
            "x",
            "--name",
            "X",
            "--text-file",
            &t,
            "--template",
            "ru-152fz-consent",
        ],
    );
}

#[test]
fn add_without_any_requisites_is_refused() {
    let bare = Env::new();
    refused!(
        &bare,
        "agreement_add_no_requisites",
        &["agreement", "add", "x", "--name", "X"],
    );
}

// ----------------------------------------------------------- edit refused

#[test]
fn edit_without_changes_or_a_terminal_is_refused() {
    let env = Env::with_site();
    refused!(
        &env,
        "agreement_edit_nothing",
        &["agreement", "edit", "site"]
    );
}

#[test]
fn edit_refuses_an_unknown_key() {
    let env = Env::with_site();
    refused!(
        &env,
        "agreement_edit_unknown_key",
        &["agreement", "edit", "site", "--set", "colour=red"],
    );
}

#[test]
fn edit_refuses_a_set_that_is_not_key_value() {
    let env = Env::with_site();
    refused!(
        &env,
        "agreement_edit_not_key_value",
        &["agreement", "edit", "site", "--set", "required"],
    );
}

#[test]
fn edit_refuses_to_change_the_code() {
    let env = Env::with_site();
    refused!(
        &env,
        "agreement_edit_code",
        &["agreement", "edit", "site", "--set", "code=other"],
    );
}

#[test]
fn edit_refuses_a_flag_that_is_not_yes_or_no() {
    let env = Env::with_site();
    refused!(
        &env,
        "agreement_edit_bad_bool",
        &["agreement", "edit", "site", "--set", "required=maybe"],
    );
}

#[test]
fn edit_refuses_unknown_processing_methods() {
    let env = Env::with_site();
    refused!(
        &env,
        "agreement_edit_bad_methods",
        &["agreement", "edit", "site", "--set", "methods=robotic"],
    );
}

#[test]
fn edit_refuses_to_unset_the_name() {
    let env = Env::with_site();
    refused!(
        &env,
        "agreement_edit_unset_name",
        &["agreement", "edit", "site", "--unset", "name"],
    );
}

#[test]
fn edit_refuses_a_blank_name() {
    let env = Env::with_site();
    refused!(
        &env,
        "agreement_edit_empty_name",
        &["agreement", "edit", "site", "--name", " "],
    );
}

#[test]
fn edit_refuses_an_empty_term() {
    let env = Env::with_site();
    refused!(
        &env,
        "agreement_edit_empty_term",
        &["agreement", "edit", "site", "--set", "term="],
    );
}

#[test]
fn edit_refuses_a_withdrawal_email_that_is_not_an_address() {
    let env = Env::with_site();
    refused!(
        &env,
        "agreement_edit_bad_email",
        &[
            "agreement",
            "edit",
            "site",
            "--set",
            "withdrawal_email=dpo@romashka",
        ],
    );
}

#[test]
fn edit_refuses_a_url_that_is_not_http() {
    let env = Env::with_site();
    refused!(
        &env,
        "agreement_edit_bad_url",
        &[
            "agreement",
            "edit",
            "site",
            "--set",
            "url=romashka.ru/consent",
        ],
    );
}

#[test]
fn edit_naming_unknown_requisites_is_refused_and_rolled_back() {
    let env = Env::with_site();
    refused!(
        &env,
        "agreement_edit_unknown_requisites",
        &["agreement", "edit", "site", "--requisites", "nope"],
    );
    assert_only_site_at_revision_1(&env);
}

#[test]
fn edit_refuses_to_remove_a_purpose_not_listed() {
    let env = Env::with_site();
    refused!(
        &env,
        "agreement_edit_unknown_purpose",
        &["agreement", "edit", "site", "--remove-purpose", "нет такой"],
    );
}

#[test]
fn edit_refuses_a_purpose_number_out_of_range() {
    let env = Env::with_site();
    refused!(
        &env,
        "agreement_edit_purpose_number_out_of_range",
        &["agreement", "edit", "site", "--remove-purpose", "2"],
    );
}

#[test]
fn edit_refuses_to_remove_a_field_not_listed() {
    let env = Env::with_site();
    refused!(
        &env,
        "agreement_edit_unknown_field",
        &["agreement", "edit", "site", "--remove-field", "1"],
    );
}

#[test]
fn edit_refuses_an_action_that_152_fz_does_not_name() {
    let env = Env::with_site();
    refused!(
        &env,
        "agreement_edit_unknown_action",
        &["agreement", "edit", "site", "--add-action", "mailing"],
    );
}

#[test]
fn edit_refuses_to_remove_an_action_not_listed() {
    let env = Env::with_site();
    refused!(
        &env,
        "agreement_edit_action_not_listed",
        &["agreement", "edit", "site", "--remove-action", "transfer"],
    );
}

#[test]
fn edit_refuses_a_third_party_without_inn_address_and_role() {
    let env = Env::with_site();
    refused!(
        &env,
        "agreement_edit_third_party_incomplete",
        &["agreement", "edit", "site", "--third-party", "name=ООО «Х»"],
    );
}

#[test]
fn edit_refuses_a_third_party_with_an_unknown_key() {
    let env = Env::with_site();
    refused!(
        &env,
        "agreement_edit_third_party_unknown_key",
        &[
            "agreement",
            "edit",
            "site",
            "--third-party",
            "name=X,inn=7717586110,address=Y,colour=red",
        ],
    );
}

#[test]
fn edit_refuses_a_third_party_with_an_invalid_inn() {
    let env = Env::with_site();
    refused!(
        &env,
        "agreement_edit_third_party_bad_inn",
        &[
            "agreement",
            "edit",
            "site",
            "--third-party",
            "name=X,inn=7717586111,address=Y,role=processor",
        ],
    );
}

#[test]
fn edit_refuses_a_third_party_with_an_unknown_role() {
    let env = Env::with_site();
    refused!(
        &env,
        "agreement_edit_third_party_bad_role",
        &[
            "agreement",
            "edit",
            "site",
            "--third-party",
            "name=X,inn=7717586110,address=Y,role=owner",
        ],
    );
}

#[test]
fn edit_refuses_to_remove_a_third_party_not_listed() {
    let env = Env::with_site();
    refused!(
        &env,
        "agreement_edit_unknown_third_party",
        &[
            "agreement",
            "edit",
            "site",
            "--remove-third-party",
            "ООО «Никто»",
        ],
    );
}

#[test]
fn edit_refuses_a_text_file_that_does_not_exist() {
    let env = Env::with_site();
    refused!(
        &env,
        "agreement_edit_missing_text_file",
        &["agreement", "edit", "site", "--text-file", "missing.txt"],
    );
}

#[test]
fn edit_refuses_the_custom_template_without_a_text() {
    let env = Env::with_site();
    refused!(
        &env,
        "agreement_edit_custom_without_text",
        &["agreement", "edit", "site", "--set", "template=custom"],
    );
}
