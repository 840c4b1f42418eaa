//! Revisions of an agreement: each kind of change makes exactly one, a change
//! that alters nothing makes none; their history and the diff between any two.

use crate::common::*;
use serde_json::{Value, json};

// ------------------------------------------- every change is one revision

/// Edits `site`, counting its revisions: after each edit the notice, the
/// number of revisions, `show` and `diff` must all agree on one new revision
/// with exactly the fields expected.
struct Revisions<'a> {
    env: &'a Env,
    revision: usize,
}

impl Revisions<'_> {
    fn of_site(env: &Env) -> Revisions<'_> {
        Revisions {
            env,
            revision: env.revisions("site"),
        }
    }

    /// One edit, the fields it must report, and a check of the new state.
    #[track_caller]
    fn edit(&mut self, args: &[&str], changed: &str, check: impl Fn(&Value)) {
        let env = self.env;
        self.revision += 1;
        let revision = self.revision;
        let mut full = vec!["agreement", "edit", "site"];
        full.extend(args);
        let r = env.ok(&full);
        assert_eq!(r.stdout, "", "{args:?}");
        assert_eq!(
            r.stderr,
            format!("agreement `site`: revision {revision} created ({changed})\n"),
            "{args:?}"
        );
        assert_eq!(env.revisions("site"), revision, "{args:?}");
        let v = env.json(&["agreement", "show", "site"]);
        assert_eq!(v["revision"], revision);
        check(&v);
        let d = env.json(&["agreement", "diff", "site"]);
        assert_eq!(
            (d["from"].as_u64(), d["to"].as_u64()),
            (Some(revision as u64 - 1), Some(revision as u64))
        );
        let fields: Vec<&str> = d["changes"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["field"].as_str().unwrap())
            .collect();
        assert_eq!(fields.join(", "), changed, "{args:?}");
    }
}

/// Adds the requisites `second`, for an agreement to switch to.
fn add_second(env: &Env) {
    env.ok(&[
        "requisites",
        "add",
        "second",
        "--set",
        "short_name=ООО «Вторая»",
    ]);
}

fn change_required(r: &mut Revisions) {
    r.edit(&["--set", "required=false"], "required", |v| {
        assert_eq!(v["required"], false)
    });
}

fn change_name(r: &mut Revisions) {
    r.edit(&["--name", "Согласие (сайт)"], "name", |v| {
        assert_eq!(v["name"], "Согласие (сайт)")
    });
}

fn change_purposes(r: &mut Revisions) {
    r.edit(
        &["--add-purpose", "рассылка новостей"],
        "purposes",
        |v| {
            assert_eq!(
                v["purposes"],
                json!(["обработка заявок", "рассылка новостей"])
            )
        },
    );
    r.edit(&["--remove-purpose", "1"], "purposes", |v| {
        assert_eq!(v["purposes"], json!(["рассылка новостей"]))
    });
    r.edit(
        &["--remove-purpose", "рассылка новостей"],
        "purposes",
        |v| assert_eq!(v["purposes"], json!([])),
    );
}

fn change_actions(r: &mut Revisions) {
    r.edit(
        &["--add-action", "transfer,depersonalization"],
        "actions",
        |v| {
            let a = v["actions"].as_array().unwrap();
            assert!(
                a.contains(&json!("transfer")) && a.contains(&json!("depersonalization")),
                "{a:?}"
            );
        },
    );
    r.edit(
        &[
            "--remove-action",
            "blocking",
            "--remove-action",
            "уничтожение",
        ],
        "actions",
        |v| {
            let a = v["actions"].as_array().unwrap();
            assert!(
                !a.contains(&json!("blocking")) && !a.contains(&json!("destruction")),
                "{a:?}"
            );
        },
    );
}

fn change_third_parties(r: &mut Revisions) {
    r.edit(
        &[
            "--third-party",
            "name=ООО «Доставка»,inn=7717586110,address=г. Москва,role=processor",
        ],
        "third_parties",
        |v| {
            assert_eq!(
                v["third_parties"],
                json!([{"name": "ООО «Доставка»", "inn": "7717586110", "address": "г. Москва", "role": "processor"}])
            )
        },
    );
    // The same INN replaces the party.
    r.edit(
        &[
            "--third-party",
            "name=ООО «Доставка\\, и Ко»,inn=7717586110,address=г. Москва,role=recipient",
        ],
        "third_parties",
        |v| {
            assert_eq!(
                v["third_parties"],
                json!([{"name": "ООО «Доставка, и Ко»", "inn": "7717586110", "address": "г. Москва", "role": "recipient"}])
            )
        },
    );
    r.edit(
        &[
            "--third-party",
            "name=ИП Петров,inn=775260181506,address=г. Тверь,role=recipient",
        ],
        "third_parties",
        |v| {
            assert_eq!(v["third_parties"].as_array().unwrap().len(), 2);
            assert_eq!(
                v["third_parties"][1]["role"], "recipient",
                "the default role"
            );
        },
    );
    r.edit(
        &["--remove-third-party", "ИП Петров"],
        "third_parties",
        |v| assert_eq!(v["third_parties"].as_array().unwrap().len(), 1),
    );
    r.edit(
        &["--remove-third-party", "7717586110"],
        "third_parties",
        |v| assert_eq!(v["third_parties"], json!([])),
    );
}

fn change_fields(r: &mut Revisions) {
    r.edit(
        &["--add-field", "имя", "--add-field", "телефон"],
        "fields",
        |v| assert_eq!(v["fields"], json!(["имя", "телефон"])),
    );
    r.edit(&["--remove-field", "имя"], "fields", |v| {
        assert_eq!(v["fields"], json!(["телефон"]))
    });
}

fn change_restrictions(r: &mut Revisions) {
    r.edit(
        &["--add-restriction", "только для сотрудников"],
        "restrictions",
        |v| assert_eq!(v["restrictions"], json!(["только для сотрудников"])),
    );
    r.edit(&["--remove-restriction", "1"], "restrictions", |v| {
        assert_eq!(v["restrictions"], json!([]))
    });
}

fn change_label(r: &mut Revisions) {
    r.edit(
        &["--set", "label=Я согласен с %условиями%"],
        "label",
        |v| assert_eq!(v["effective_label"], "Я согласен с %условиями%"),
    );
    r.edit(&["--unset", "label"], "label", |v| {
        assert_eq!(v["label"], Value::Null)
    });
}

fn change_withdrawal_email(r: &mut Revisions) {
    r.edit(
        &["--set", "withdrawal_email=dpo@romashka.ru"],
        "withdrawal_email",
        |v| {
            assert_eq!(v["effective_withdrawal_email"], "dpo@romashka.ru");
            assert_eq!(v["withdrawal_email_is_default"], false);
        },
    );
}

/// Needs the requisites `second` (`add_second`).
fn change_requisites(r: &mut Revisions) {
    r.edit(&["--requisites", "second"], "requisites", |v| {
        assert_eq!(v["requisites"], "second")
    });
}

fn change_url(r: &mut Revisions) {
    r.edit(&["--set", "url=https://romashka.ru/consent"], "url", |v| {
        assert_eq!(v["url"], "https://romashka.ru/consent")
    });
}

fn change_methods(r: &mut Revisions) {
    r.edit(&["--set", "methods=automated"], "methods", |v| {
        assert_eq!(v["methods"], "automated")
    });
}

fn change_term(r: &mut Revisions) {
    r.edit(&["--set", "term=5 лет"], "term", |v| {
        assert_eq!(v["term"], "5 лет")
    });
}

fn change_checked_by_default(r: &mut Revisions) {
    r.edit(
        &["--set", "checked_by_default=yes"],
        "checked_by_default",
        |v| assert_eq!(v["checked_by_default"], true),
    );
}

fn change_template(r: &mut Revisions) {
    r.edit(&["--template", "ru-152fz-distribution"], "template", |v| {
        assert_eq!(v["template"], "ru-152fz-distribution")
    });
}

fn change_language_and_template(r: &mut Revisions) {
    // A built-in template is in one language: both change together.
    r.edit(
        &["--set", "language=en", "--template", "en-consent"],
        "language, template",
        |v| {
            assert_eq!(v["language"], "en");
            assert_eq!(v["template"], "en-consent");
        },
    );
}

/// From an English built-in template (`change_language_and_template`).
fn change_custom_text(r: &mut Revisions) {
    let t1 = write(
        r.env,
        "t1.txt",
        "Текст {{ operator.display_name }}.\nСтрока два.\n",
    );
    let t2 = write(
        r.env,
        "t2.txt",
        "Текст {{ operator.display_name }}.\nСтрока 2.\n",
    );
    // A text of its own switches the template to `custom`.
    r.edit(
        &["--text-file", t1.as_str()],
        "custom_text, template",
        |v| {
            assert_eq!(v["template"], "custom");
            assert!(v["custom_text"].as_str().unwrap().contains("Строка два."));
        },
    );
    r.edit(&["--text-file", t2.as_str()], "custom_text", |v| {
        assert!(v["custom_text"].as_str().unwrap().contains("Строка 2."));
    });
    r.edit(
        &["--template", "en-consent"],
        "custom_text, template",
        |v| {
            assert_eq!(v["custom_text"], Value::Null);
        },
    );
}

#[test]
fn changing_required_makes_one_revision() {
    let env = Env::with_site();
    change_required(&mut Revisions::of_site(&env));
}

#[test]
fn renaming_makes_one_revision() {
    let env = Env::with_site();
    change_name(&mut Revisions::of_site(&env));
}

#[test]
fn adding_and_removing_purposes_by_text_or_number_makes_one_revision_each() {
    let env = Env::with_site();
    change_purposes(&mut Revisions::of_site(&env));
}

#[test]
fn adding_and_removing_actions_in_either_language_makes_one_revision_each() {
    let env = Env::with_site();
    change_actions(&mut Revisions::of_site(&env));
}

#[test]
fn third_parties_added_replaced_by_inn_and_removed_make_one_revision_each() {
    let env = Env::with_site();
    change_third_parties(&mut Revisions::of_site(&env));
}

#[test]
fn adding_and_removing_fields_makes_one_revision_each() {
    let env = Env::with_site();
    change_fields(&mut Revisions::of_site(&env));
}

#[test]
fn adding_and_removing_restrictions_makes_one_revision_each() {
    let env = Env::with_site();
    change_restrictions(&mut Revisions::of_site(&env));
}

#[test]
fn setting_and_unsetting_the_label_makes_one_revision_each() {
    let env = Env::with_site();
    change_label(&mut Revisions::of_site(&env));
}

#[test]
fn changing_the_withdrawal_email_makes_one_revision() {
    let env = Env::with_site();
    change_withdrawal_email(&mut Revisions::of_site(&env));
}

#[test]
fn changing_the_requisites_makes_one_revision() {
    let env = Env::with_site();
    add_second(&env);
    change_requisites(&mut Revisions::of_site(&env));
}

#[test]
fn changing_the_url_makes_one_revision() {
    let env = Env::with_site();
    change_url(&mut Revisions::of_site(&env));
}

#[test]
fn changing_the_methods_makes_one_revision() {
    let env = Env::with_site();
    change_methods(&mut Revisions::of_site(&env));
}

#[test]
fn changing_the_term_makes_one_revision() {
    let env = Env::with_site();
    change_term(&mut Revisions::of_site(&env));
}

#[test]
fn changing_checked_by_default_makes_one_revision() {
    let env = Env::with_site();
    change_checked_by_default(&mut Revisions::of_site(&env));
}

#[test]
fn changing_the_template_makes_one_revision() {
    let env = Env::with_site();
    change_template(&mut Revisions::of_site(&env));
}

#[test]
fn changing_language_and_template_together_makes_one_revision() {
    let env = Env::with_site();
    change_language_and_template(&mut Revisions::of_site(&env));
}

#[test]
fn a_text_of_its_own_and_back_to_a_template_makes_one_revision_each() {
    let env = Env::with_site();
    let mut r = Revisions::of_site(&env);
    change_language_and_template(&mut r);
    change_custom_text(&mut r);
}

#[test]
fn every_kind_of_change_shows_in_the_history_and_the_diff() {
    let env = Env::with_site();
    add_second(&env);
    let mut r = Revisions::of_site(&env);
    change_required(&mut r);
    change_name(&mut r);
    change_purposes(&mut r);
    change_actions(&mut r);
    change_third_parties(&mut r);
    change_fields(&mut r);
    change_restrictions(&mut r);
    change_label(&mut r);
    change_withdrawal_email(&mut r);
    change_requisites(&mut r);
    change_url(&mut r);
    change_methods(&mut r);
    change_term(&mut r);
    change_checked_by_default(&mut r);
    change_template(&mut r);
    change_language_and_template(&mut r);
    change_custom_text(&mut r);
    let revision = r.revision;

    let history = env.ok(&["agreement", "history", "site"]);
    insta::assert_snapshot!("history_of_every_change", history.stdout);
    insta::assert_snapshot!(
        "diff_first_to_last",
        env.ok(&["agreement", "diff", "site", "1", &revision.to_string()])
            .stdout
    );
}

// ------------------------------------------ a change that alters nothing

/// Edits `site` (at revision 2, with a third party) with `args`, which must
/// change nothing: a notice, no revision, not a byte written.
#[track_caller]
fn assert_edit_changes_nothing(args: &[&str]) {
    let env = Env::with_site();
    env.ok(&[
        "agreement",
        "edit",
        "site",
        "--third-party",
        "name=ООО «Доставка»,inn=7717586110,address=г. Москва,role=recipient",
    ]);
    let before = env.dump();
    let mut full = vec!["agreement", "edit", "site"];
    full.extend(args);
    let r = env.ok(&full);
    assert_eq!(r.stdout, "");
    assert_eq!(
        r.stderr,
        "agreement `site` unchanged: no setting differs, no revision created (still revision 2)\n",
        "{args:?}"
    );
    assert_eq!(env.revisions("site"), 2, "{args:?}");
    assert_eq!(env.dump(), before, "{args:?} wrote something");
}

#[test]
fn setting_required_to_its_value_makes_no_revision() {
    assert_edit_changes_nothing(&["--set", "required=true"]);
}

#[test]
fn renaming_to_the_same_name_makes_no_revision() {
    assert_edit_changes_nothing(&["--name", "Согласие для сайта"]);
}

#[test]
fn adding_a_purpose_already_listed_makes_no_revision() {
    assert_edit_changes_nothing(&["--add-purpose", "обработка заявок"]);
}

#[test]
fn adding_actions_already_listed_makes_no_revision() {
    assert_edit_changes_nothing(&["--add-action", "collection,storage"]);
}

#[test]
fn adding_an_action_already_listed_by_its_russian_word_makes_no_revision() {
    assert_edit_changes_nothing(&["--add-action", "сбор"]);
}

#[test]
fn setting_the_methods_to_their_value_makes_no_revision() {
    assert_edit_changes_nothing(&["--set", "methods=mixed"]);
}

#[test]
fn choosing_the_current_template_makes_no_revision() {
    assert_edit_changes_nothing(&["--template", "ru-152fz-consent"]);
}

#[test]
fn unsetting_a_label_never_set_makes_no_revision() {
    assert_edit_changes_nothing(&["--unset", "label"]);
}

#[test]
fn setting_an_empty_url_when_there_is_none_makes_no_revision() {
    assert_edit_changes_nothing(&["--set", "url="]);
}

#[test]
fn choosing_the_current_requisites_makes_no_revision() {
    assert_edit_changes_nothing(&["--requisites", "main"]);
}

#[test]
fn adding_the_same_third_party_again_makes_no_revision() {
    assert_edit_changes_nothing(&[
        "--third-party",
        "name=ООО «Доставка»,inn=7717586110,address=г. Москва,role=recipient",
    ]);
}

#[test]
fn unsetting_fields_when_there_are_none_makes_no_revision() {
    assert_edit_changes_nothing(&["--unset", "fields"]);
}

// ------------------------------------------------------ history and diff

/// `site` with five revisions: required switched off on the 29th, a text of
/// its own by `юрист` on the 30th, the text corrected on 1 December, and a
/// purpose replaced on 2 December.
fn with_history() -> Env {
    let env = Env::with_site();
    let text = write(&env, "a.txt", "Первая строка.\nВторая строка.\nТретья.\n");
    let text2 = write(
        &env,
        "b.txt",
        "Первая строка.\nВторая, исправленная.\nТретья.\n",
    );
    env.ok_at(
        "2026-11-29T10:00:00Z",
        &["agreement", "edit", "site", "--set", "required=false"],
    );
    env.ok_at(
        "2026-11-30T11:00:00Z",
        &[
            "--actor",
            "юрист",
            "agreement",
            "edit",
            "site",
            "--text-file",
            &text,
        ],
    );
    env.ok_at(
        "2026-12-01T12:00:00Z",
        &["agreement", "edit", "site", "--text-file", &text2],
    );
    env.ok_at(
        "2026-12-02T13:00:00Z",
        &[
            "agreement",
            "edit",
            "site",
            "--add-purpose",
            "рассылка",
            "--remove-purpose",
            "обработка заявок",
        ],
    );
    env
}

#[test]
fn history_prints_a_table() {
    let env = with_history();
    let h = env.ok(&["agreement", "history", "site"]);
    assert_eq!(h.stderr, "");
    insta::assert_snapshot!("history_table", h.stdout);
}

#[test]
fn history_json_has_every_revision_in_order() {
    let env = with_history();
    let hj = env.json(&["agreement", "history", "site"]);
    let hj = hj.as_array().unwrap();
    assert_eq!(hj.len(), 5);
    for (i, e) in hj.iter().enumerate() {
        assert_has_keys(
            e,
            &["revision", "created_at", "actor", "changed", "settings"],
        );
        assert_eq!(e["revision"], i + 1);
    }
}

#[test]
fn history_json_says_when_who_and_what_changed() {
    let env = with_history();
    let hj = env.json(&["agreement", "history", "site"]);
    let hj = hj.as_array().unwrap();
    assert_eq!(hj[0]["changed"], json!([]));
    assert_eq!(hj[0]["created_at"], NOW);
    assert_eq!(hj[0]["actor"], "tester");
    assert_eq!(hj[1]["changed"], json!(["required"]));
    assert_eq!(hj[1]["created_at"], "2026-11-29T10:00:00Z");
    assert_eq!(hj[2]["actor"], "юрист", "--actor wins over PDCONSENT_ACTOR");
    assert_eq!(hj[2]["changed"], json!(["custom_text", "template"]));
    assert_eq!(hj[4]["changed"], json!(["purposes"]));
}

#[test]
fn history_json_keeps_the_settings_of_each_revision() {
    let env = with_history();
    let hj = env.json(&["agreement", "history", "site"]);
    assert_eq!(hj[1]["settings"]["required"], false);
    assert_eq!(hj[0]["settings"]["required"], true);
}

#[test]
fn diff_compares_the_previous_revision_with_the_current_one() {
    let env = with_history();
    // Default: the previous revision against the current one.
    let d = env.ok(&["agreement", "diff", "site"]);
    assert_eq!(d.stderr, "");
    insta::assert_snapshot!("diff_default_table", d.stdout);
    let j = env.json(&["agreement", "diff", "site"]);
    assert_eq!(
        j,
        json!({
            "code": "site",
            "from": 4,
            "to": 5,
            "changes": [{
                "field": "purposes",
                "before": ["обработка заявок"],
                "after": ["рассылка"],
                "added": ["рассылка"],
                "removed": ["обработка заявок"]
            }]
        })
    );
}

#[test]
fn diff_of_a_value_shows_it_before_and_after() {
    let env = with_history();
    insta::assert_snapshot!(
        "diff_scalar_table",
        env.ok(&["agreement", "diff", "site", "1", "2"]).stdout
    );
    let j = env.json(&["agreement", "diff", "site", "1", "2"]);
    assert_eq!(
        j["changes"],
        json!([{"field": "required", "before": true, "after": false, "added": [], "removed": []}])
    );
}

#[test]
fn diff_of_a_text_shows_the_lines_that_changed() {
    let env = with_history();
    insta::assert_snapshot!(
        "diff_text_lines_table",
        env.ok(&["agreement", "diff", "site", "3", "4"]).stdout
    );
}

/// The fields `agreement diff site ARGS…` lists.
fn diff_fields(env: &Env, args: &[&str]) -> Vec<String> {
    let mut full = vec!["agreement", "diff", "site"];
    full.extend(args);
    env.json(&full)["changes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["field"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn diff_between_two_revisions_lists_every_field_that_differs() {
    let env = with_history();
    assert_eq!(
        diff_fields(&env, &["2", "5"]),
        ["custom_text", "purposes", "template"]
    );
}

#[test]
fn diff_from_one_revision_compares_it_with_the_current_one() {
    let env = with_history();
    // FROM alone: against the current revision.
    assert_eq!(diff_fields(&env, &["3"]), ["custom_text", "purposes"]);
}

#[test]
fn diff_works_backwards() {
    let env = with_history();
    assert_eq!(
        diff_fields(&env, &["5", "2"]),
        ["custom_text", "purposes", "template"]
    );
}

#[test]
fn diff_of_a_revision_with_itself_is_empty_and_says_so() {
    let env = with_history();
    // The same revision twice: an empty table, and a notice on stderr.
    let same = env.ok(&["agreement", "diff", "site", "3", "3"]);
    assert_eq!(
        same.stdout.lines().count(),
        2,
        "header only:\n{}",
        same.stdout
    );
    assert_eq!(
        same.stderr,
        "revisions 3 and 3 of `site` have the same settings\n"
    );
    assert_eq!(
        env.json(&["agreement", "diff", "site", "3", "3"])["changes"],
        json!([])
    );
}

#[test]
fn show_prints_an_older_revision_whole() {
    let env = with_history();
    let old = env.json(&["agreement", "show", "site", "--revision", "1"]);
    assert_eq!(old["revision"], 1);
    assert_eq!(old["required"], true);
    assert_eq!(old["template"], "ru-152fz-consent");
}

#[test]
fn diff_to_an_unknown_revision_is_refused() {
    let env = with_history();
    refused!(
        &env,
        "diff_unknown_revision",
        &["agreement", "diff", "site", "1", "9"],
    );
}

#[test]
fn show_of_an_unknown_revision_is_refused() {
    let env = with_history();
    refused!(
        &env,
        "show_unknown_revision",
        &["agreement", "show", "site", "--revision", "9"],
    );
}

#[test]
fn diff_of_an_agreement_with_one_revision_says_there_is_nothing_to_compare() {
    let env = with_history();
    env.ok(&["agreement", "add", "fresh", "--name", "Новое"]);
    // One revision: nothing to compare, which is an answer (exit 0), not an error.
    let r = env.ok(&["agreement", "diff", "fresh"]);
    assert_eq!(r.stdout, "");
    assert_eq!(
        r.stderr,
        "agreement `fresh` has only revision 1; there is nothing to compare (a change makes revision 2: `pdconsent agreement edit fresh …`)\n"
    );
    let d = env.json(&["agreement", "diff", "fresh"]);
    assert_eq!(
        d,
        serde_json::json!({"code": "fresh", "from": 1, "to": 1, "changes": []})
    );
}

#[test]
fn archive_restore_remove_and_dump_speak_json() {
    let env = Env::with_example();
    // Keys in their declared order, as every other shape.
    let keys = |stdout: &str| -> Vec<String> {
        stdout
            .lines()
            .filter_map(|l| l.trim().strip_prefix('"'))
            .filter_map(|l| l.split_once("\":").map(|(k, _)| k.to_string()))
            .collect()
    };
    let r = env.ok(&["agreement", "archive", "reviews", "--format", "json"]);
    assert_eq!(keys(&r.stdout), ["kind", "code", "archived", "changed"]);
    let v: Value = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(
        v,
        json!({"kind": "agreement", "code": "reviews", "archived": true, "changed": true})
    );
    let v = env.json(&["agreement", "archive", "reviews"]);
    assert_eq!(v["changed"], false);
    let v = env.json(&["source", "restore", "site-chat"]);
    assert_eq!(v["kind"], "source");
    assert_eq!(v["archived"], false);
    env.ok(&[
        "requisites",
        "add",
        "spare",
        "--set",
        "short_name=ИП Петров",
    ]);
    let r = env.ok(&["requisites", "remove", "spare", "--yes", "--format", "json"]);
    assert_eq!(keys(&r.stdout), ["kind", "code", "removed", "was_default"]);
    assert_eq!(
        serde_json::from_str::<Value>(&r.stdout).unwrap()["removed"],
        true
    );
    // dump --format json: the same keys and values as the TOML that apply reads.
    let toml_text = env.ok(&["dump"]).stdout;
    let from_toml: serde_json::Value =
        serde_json::to_value(toml::from_str::<toml::Value>(&toml_text).unwrap()).unwrap();
    assert_eq!(env.json(&["dump"]), from_toml);
    let dumped = env.json(&["dump"]);
    let codes: Vec<&str> = dumped["agreements"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|a| a["code"].as_str())
        .collect();
    assert!(codes.contains(&"personal-data"), "{codes:?}");
    let r = env.fails(&["dump", "--format", "table"]);
    assert!(r.stderr.contains("give --format json"), "{}", r.stderr);
}
