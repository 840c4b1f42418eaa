//! The declarative setup: `apply FILE` with its plan, `--dry-run`, `--check`
//! and `--archive-missing`; every problem of a file at once; `dump` and the
//! round trip through it.

use serde_json::{Value, json};

use crate::common::*;

fn example() -> String {
    example_file().display().to_string()
}

/// The example with one more purpose for `personal-data`.
fn example_with_a_purpose(env: &Env) -> String {
    let text = std::fs::read_to_string(example_file()).unwrap();
    let anchor = "    \"заключение и исполнение договоров оказания услуг\",\n";
    assert!(
        text.contains(anchor),
        "the example changed; update this test"
    );
    let edited = text.replace(
        anchor,
        &format!("{anchor}    \"рассмотрение резюме кандидатов\",\n"),
    );
    write(env, "edited.toml", &edited)
}

fn log_len(env: &Env) -> usize {
    env.json(&["log"]).as_array().unwrap().len()
}

/// The plan lines of an `apply` run (stderr between the header and the summary).
fn plan_lines(stderr: &str) -> Vec<&str> {
    stderr
        .lines()
        .take_while(|l| !l.contains(" to create, "))
        .filter(|l| l.starts_with("  ") && !l.starts_with("   "))
        .map(str::trim)
        .collect()
}

/// The value lines under each step of the plan (indented further), trimmed.
fn plan_details(stderr: &str) -> Vec<&str> {
    stderr
        .lines()
        .take_while(|l| !l.contains(" to create, "))
        .filter(|l| l.starts_with("      "))
        .map(str::trim)
        .collect()
}

#[test]
fn apply_creates_everything_once() {
    let env = Env::new();
    let file = example();
    let r = env.ok(&["apply", &file]);
    assert_eq!(r.stdout, "", "the plan goes to stderr");
    let (plan, texts) = r.stderr.split_once("applied 7 change(s)\n").unwrap();
    assert_eq!(
        plan,
        format!(
            "plan for {file}:\n\
             \x20 requisites `main`: create\n\
             \x20 agreement `personal-data`: create\n\
             \x20 agreement `marketing`: create\n\
             \x20 agreement `reviews`: create\n\
             \x20 source `contact-form`: create\n\
             \x20 source `callback-form`: create\n\
             \x20 source `site-chat`: create\n\
             7 to create, 0 to change, 0 to archive, 0 unchanged, 0 not in file\n"
        )
    );
    // Every text of a linked pair is registered and announced as new.
    assert!(texts.starts_with("texts: 4 new\n"), "{texts}");
    assert!(
        texts.contains("  marketing on contact-form: (none) → "),
        "{texts}"
    );
    let codes = |args: &[&str]| -> Vec<String> {
        env.json(args)
            .as_array()
            .unwrap()
            .iter()
            .map(|x| x["code"].as_str().unwrap().to_string())
            .collect()
    };
    assert_eq!(codes(&["requisites", "list"]), ["main"]);
    assert_eq!(
        codes(&["agreement", "list"]),
        ["marketing", "personal-data", "reviews"]
    );
    assert_eq!(
        codes(&["source", "list"]),
        ["callback-form", "contact-form", "site-chat"]
    );
    let main = env.json(&["requisites", "show", "main"]);
    assert_eq!(main["inn"], "7812345675");
    assert_eq!(main["default"], true);
    let pd = env.json(&["agreement", "show", "personal-data"]);
    assert_eq!(pd["revision"], 1);
    assert_eq!(pd["purposes"].as_array().unwrap().len(), 2);
    assert_eq!(pd["third_parties"][0]["role"], "processor");
    assert_eq!(
        env.json(&["agreement", "show", "reviews"])["template"],
        "ru-152fz-distribution"
    );
    let form = env.json(&["source", "show", "contact-form"]);
    assert_eq!(form["agreements"][1]["agreement"], "marketing");
    assert_eq!(form["agreements"][1]["required"], false);
    assert_eq!(env.json(&["source", "show", "site-chat"])["warning"], true);
    let log = env.json(&["log"]);
    let log = log.as_array().unwrap();
    assert_eq!(log.len(), 7);
    assert!(log.iter().all(|e| e["action"] == "create"), "{log:#?}");
    assert!(log.iter().all(|e| e["actor"] == "tester"));

    // The same file again: nothing to do, and nothing done.
    let before = env.dump();
    let r = env.ok(&["apply", &file]);
    assert_eq!(r.stdout, "");
    let plan = plan_lines(&r.stderr);
    assert_eq!(plan.len(), 7, "{}", r.stderr);
    assert!(
        plan.iter().all(|l| l.ends_with(": unchanged")),
        "{}",
        r.stderr
    );
    assert!(
        r.stderr.ends_with(
            "0 to create, 0 to change, 0 to archive, 7 unchanged, 0 not in file\nnothing to apply\n"
        ),
        "{}",
        r.stderr
    );
    assert_eq!(env.dump(), before);
    assert_eq!(log_len(&env), 7);
    for code in ["personal-data", "marketing", "reviews"] {
        assert_eq!(env.revisions(code), 1, "{code}");
    }

    // The plan as JSON on stdout.
    let v = env.json(&["apply", &file]);
    let v = v.as_array().unwrap();
    assert_eq!(v.len(), 7);
    assert_eq!(
        v[0],
        json!({"kind": "requisites", "code": "main", "action": "unchanged", "changes": []})
    );
    assert!(v.iter().all(|i| i["action"] == "unchanged"));
}

#[test]
fn dry_run_and_check_change_nothing() {
    // No database yet: neither creates the file.
    let env = Env::new();
    let file = example();
    let r = env.ok(&["apply", "--dry-run", &file]);
    assert_eq!(r.stdout, "");
    assert!(
        r.stderr.contains("  agreement `personal-data`: create\n"),
        "{}",
        r.stderr
    );
    assert!(
        r.stderr.ends_with("dry run: nothing changed\n"),
        "{}",
        r.stderr
    );
    assert!(!env.db().exists(), "--dry-run created the database");
    let r = env.run(&["apply", "--check", &file]);
    assert_eq!(r.code, 1, "{}", r.pinned());
    assert!(
        r.stderr.ends_with(&format!(
            "the database differs from {file}: 7 change(s) to apply\n"
        )),
        "{}",
        r.stderr
    );
    assert!(!env.db().exists(), "--check created the database");
    let r = env.run(&["apply", "--dry-run", "--check", &file]);
    assert_eq!(r.code, 2, "the two flags contradict each other");

    env.ok(&["apply", &file]);
    let r = env.ok(&["apply", "--check", &file]);
    assert!(
        r.stderr
            .ends_with(&format!("the database matches {file}\n")),
        "{}",
        r.stderr
    );

    // A file that differs: the plan shows it, nothing changes.
    let edited = example_with_a_purpose(&env);
    let before = env.dump();
    let r = env.ok(&["apply", "--dry-run", &edited]);
    assert!(
        r.stderr
            .contains("  agreement `personal-data`: new revision 2 (purposes)\n"),
        "{}",
        r.stderr
    );
    assert_eq!(env.dump(), before, "--dry-run changed the database");
    let r = env.run(&["apply", "--check", &edited]);
    assert_eq!(r.code, 1, "{}", r.pinned());
    assert!(r.stderr.contains("1 change(s) to apply"), "{}", r.stderr);
    assert_eq!(env.dump(), before, "--check changed the database");
    let v = env.run(&["apply", "--check", &edited, "--format", "json"]);
    assert_eq!(v.code, 1);
    // What drifted, with its values: the purpose added.
    assert!(
        v.json().as_array().unwrap().contains(&json!({
            "kind": "agreement", "code": "personal-data", "action": "revision",
            "revision": 2, "changed": ["purposes"],
            "changes": [{"field": "purposes", "before": v.json()[1]["changes"][0]["before"],
                         "after": v.json()[1]["changes"][0]["after"],
                         "added": ["рассмотрение резюме кандидатов"], "removed": []}]
        })),
        "{}",
        v.stdout
    );
}

#[test]
fn an_edited_file_gives_a_new_revision() {
    let env = Env::with_example();
    let edited = example_with_a_purpose(&env);
    let log_before = log_len(&env);
    let r = env.ok(&["apply", &edited]);
    // The plan shows the value: the purpose added, as a list item.
    assert_eq!(
        plan_details(&r.stderr),
        ["purposes:", "+ рассмотрение резюме кандидатов"]
    );
    assert_eq!(
        plan_lines(&r.stderr),
        [
            "requisites `main`: unchanged",
            "agreement `personal-data`: new revision 2 (purposes)",
            "agreement `marketing`: unchanged",
            "agreement `reviews`: unchanged",
            "source `contact-form`: unchanged",
            "source `callback-form`: unchanged",
            "source `site-chat`: unchanged",
        ]
    );
    assert!(
        r.stderr.contains(
            "0 to create, 1 to change, 0 to archive, 6 unchanged, 0 not in file\napplied 1 change(s)\ntexts: 3 changed\n"
        ),
        "{}",
        r.stderr
    );
    // The new purpose is in the text on each of the three sources.
    assert!(
        r.stderr.contains("  personal-data on contact-form: "),
        "{}",
        r.stderr
    );
    assert_eq!(env.revisions("personal-data"), 2);
    let history = env.json(&["agreement", "history", "personal-data"]);
    assert_eq!(history[1]["changed"], json!(["purposes"]));
    let log = env.json(&["log"]);
    let log = log.as_array().unwrap();
    assert_eq!(log.len(), log_before + 1);
    let last = log.last().unwrap();
    assert_eq!(last["action"], "revision 2");
    assert_eq!(last["object_code"], "personal-data");
    assert_eq!(
        last["after"]["purposes"]
            .as_array()
            .unwrap()
            .last()
            .unwrap(),
        "рассмотрение резюме кандидатов"
    );
    // Applying the edited file again is a no-op; the old file is revision 3.
    env.ok(&["apply", "--check", &edited]);
    let r = env.ok(&["apply", &example()]);
    assert!(
        r.stderr
            .contains("agreement `personal-data`: new revision 3 (purposes)"),
        "{}",
        r.stderr
    );

    // Sources and requisites are updated in place, with their fields named.
    let text = std::fs::read_to_string(example_file())
        .unwrap()
        .replace(
            "fields = [\"имя\", \"номер телефона\", \"удобное время звонка\"]",
            "fields = [\"имя\", \"номер телефона\"]",
        )
        .replace(
            "phone = \"+7 812 555-01-02\"",
            "phone = \"+7 812 555-01-03\"",
        );
    let file = write(&env, "sources.toml", &text);
    let r = env.ok(&["apply", &file]);
    let plan = plan_lines(&r.stderr);
    assert!(
        plan.contains(&"requisites `main`: update (phone)"),
        "{plan:?}"
    );
    assert!(
        plan.contains(&"source `callback-form`: update (fields)"),
        "{plan:?}"
    );
    assert_eq!(
        env.json(&["source", "show", "callback-form"])["fields"],
        json!(["имя", "номер телефона"])
    );
}

#[test]
fn objects_not_in_the_file_are_kept_or_archived() {
    let env = Env::with_example();
    env.ok(&["agreement", "add", "extra", "--name", "Лишнее"]);
    env.ok(&[
        "source",
        "add",
        "extra-form",
        "--kind",
        "form",
        "--name",
        "Лишняя",
    ]);
    let before = env.dump();
    let r = env.ok(&["apply", &example()]);
    let plan = plan_lines(&r.stderr);
    assert!(
        plan.contains(&"agreement `extra`: not in file (kept; --archive-missing archives it)"),
        "{plan:?}"
    );
    assert!(
        plan.contains(&"source `extra-form`: not in file (kept; --archive-missing archives it)"),
        "{plan:?}"
    );
    assert!(
        r.stderr.contains("2 not in file\nnothing to apply\n"),
        "{}",
        r.stderr
    );
    assert_eq!(env.dump(), before, "apply never deletes");
    // Not in the file is not a difference for --check.
    env.ok(&["apply", "--check", &example()]);

    let json = env.json(&["apply", "--dry-run", &example()]);
    assert!(json.as_array().unwrap().contains(
        &json!({"kind": "agreement", "code": "extra", "action": "not_in_file", "changes": []})
    ));

    let r = env.ok(&["apply", "--archive-missing", &example()]);
    let plan = plan_lines(&r.stderr);
    assert!(
        plan.contains(&"agreement `extra`: archive (not in file)"),
        "{plan:?}"
    );
    assert!(
        plan.contains(&"source `extra-form`: archive (not in file)"),
        "{plan:?}"
    );
    assert!(r.stderr.ends_with("applied 2 change(s)\n"), "{}", r.stderr);
    assert_eq!(env.json(&["agreement", "show", "extra"])["archived"], true);
    assert_eq!(
        env.json(&["source", "show", "extra-form"])["archived"],
        true
    );
    assert_eq!(env.revisions("extra"), 1, "archiving keeps the revisions");
    let log = env.json(&["log", "-n", "2"]);
    assert_eq!(log[0]["action"], "archive");
    assert_eq!(log[1]["action"], "archive");
    // Archived, they are no longer "not in file".
    let r = env.ok(&["apply", &example()]);
    assert!(!r.stderr.contains("extra"), "{}", r.stderr);

    // An archived agreement in the file is restored.
    env.ok(&["agreement", "archive", "marketing"]);
    let r = env.ok(&["apply", &example()]);
    assert!(
        plan_lines(&r.stderr).contains(&"agreement `marketing`: restore from archive"),
        "{}",
        r.stderr
    );
    assert_eq!(
        env.json(&["agreement", "show", "marketing"])["archived"],
        false
    );
    assert_eq!(env.revisions("marketing"), 1, "restored, not revised");
}

const PROBLEMS: &str = r#"[[requisites]]
code = "main"
short_name = "ООО «Ромашка»"
inn = "7840502514"
colour = "red"

[[agreements]]
code = "site"
name = "Согласие"
required = "yes"
requisites = "other"
purposes = ["обработка заявок"]

[[agreements]]
code = "site"
name = "Дубль"

[[agreements]]
code = "own"
name = "Своё"
template = "custom"
custom_text = """
Согласие
{% if purposes %}
"""

[[sources]]
code = "form"
kind = "form"
name = "Форма"

[[sources.agreements]]
agreement = "ghost"
"#;

#[test]
fn every_problem_of_a_file_is_reported_and_nothing_applied() {
    let env = Env::with_example();
    write(&env, "problems.toml", PROBLEMS);
    // A relative path, as the user typed it, keeps the snapshot stable.
    let r = env.fails(&["apply", "problems.toml"]);
    insta::assert_snapshot!("apply_problems", r.pinned());
    let lines: Vec<&str> = r.stderr.lines().collect();
    assert!(
        lines[0].starts_with("error: problems.toml has 7 problems"),
        "{}",
        r.stderr
    );
    assert!(lines.last().unwrap().starts_with("hint: "), "{}", r.stderr);
    let problems = &lines[1..lines.len() - 1];
    assert_eq!(problems.len(), 7, "{}", r.stderr);
    for (p, (line, path, says)) in problems.iter().zip([
        (4, "requisites[0].inn", "INN `7840502514`"),
        (5, "requisites[0].colour", "unknown key `colour`"),
        (10, "agreements[0].required", "boolean"),
        (11, "agreements[0].requisites", "`other`"),
        (15, "agreements[1].code", "duplicate code `site`"),
        (22, "agreements[2].custom_text", "syntax error"),
        (33, "sources[0].agreements[0].agreement", "`ghost`"),
    ]) {
        let (location, rest) = p.trim().split_once(": ").unwrap();
        let mut parts = location.split(':');
        assert_eq!(parts.next(), Some("problems.toml"), "{p}");
        assert_eq!(parts.next(), Some(line.to_string().as_str()), "{p}");
        let column: usize = parts.next().unwrap().parse().expect("a column");
        assert!(column >= 1, "{p}");
        let (at, message) = rest.split_once(": ").unwrap();
        assert_eq!(at, path, "{p}");
        assert!(message.contains(says), "{p}");
    }
    // With --dry-run and --check the same problems, the same exit code.
    let dry = env.fails(&["apply", "--dry-run", "problems.toml"]);
    assert_eq!(dry.stderr, r.stderr);
    let check = env.fails(&["apply", "--check", "problems.toml"]);
    assert_eq!(check.stderr, r.stderr);

    // On a fresh machine no database is created for a bad file.
    let fresh = Env::new();
    write(&fresh, "problems.toml", PROBLEMS);
    fresh.fails(&["apply", "problems.toml"]);
    assert!(!fresh.db().exists());
}

#[test]
fn a_toml_syntax_error_is_reported_with_its_place() {
    let env = Env::with_example();
    write(
        &env,
        "broken.toml",
        "[[requisites]]\ncode = \"main\"\nshort_name = \"ООО «Ромашка»\n",
    );
    let r = env.fails(&["apply", "broken.toml"]);
    assert!(
        r.stderr.starts_with(
            "error: broken.toml has 1 problem; nothing was applied:\n  broken.toml:3:"
        ),
        "{}",
        r.stderr
    );
    assert!(r.stderr.contains(": TOML syntax"), "{}", r.stderr);
    assert!(r.stderr.contains("\nhint: "), "{}", r.stderr);
    write(&env, "table.toml", "[[requisites]\ncode = \"x\"\n");
    let r = env.fails(&["apply", "table.toml"]);
    assert!(
        r.stderr.contains("  table.toml:1:14: TOML syntax"),
        "{}",
        r.stderr
    );

    let r = env.fails(&["apply", "missing.toml"]);
    assert!(
        r.stderr.contains("cannot read `missing.toml`"),
        "{}",
        r.stderr
    );
}

// ----------------------------------------------------------------------- dump

#[test]
fn dump_then_apply_on_an_empty_database_gives_the_same_dump() {
    let a = Env::with_example();
    let dump_a = a.ok(&["dump"]);
    assert_eq!(dump_a.stderr, "");
    assert!(
        dump_a
            .stdout
            .starts_with("# pdconsent configuration, written by `pdconsent dump`.\n"),
        "{}",
        dump_a.stdout
    );
    // The dump says what the database holds: applying it there changes nothing.
    let file_a = write(&a, "dump.toml", &dump_a.stdout);
    let before = a.dump();
    let r = a.ok(&["apply", "--check", &file_a]);
    assert!(r.stderr.contains("the database matches"), "{}", r.stderr);
    assert_eq!(a.dump(), before);

    let b = Env::new();
    let file_b = write(&b, "from-a.toml", &dump_a.stdout);
    let r = b.ok(&["apply", &file_b]);
    assert!(r.stderr.contains("7 to create"), "{}", r.stderr);
    let dump_b = b.ok(&["dump"]).stdout;
    assert_eq!(dump_b, dump_a.stdout, "the round trip changes no byte");

    // The texts are the same too: the same hashes.
    for (code, source) in [
        ("personal-data", "contact-form"),
        ("marketing", "contact-form"),
        ("personal-data", "site-chat"),
    ] {
        let args = ["agreement", "preview", code, "--source", source];
        assert_eq!(a.json(&args)["sha256"], b.json(&args)["sha256"], "{code}");
    }
    let r = b.run(&["agreement", "check", "--all"]);
    assert_eq!(r.code, 0, "{}", r.pinned());

    // Through a pipe as well: `apply -` reads stdin.
    let c = Env::new();
    let out = c
        .command(&["apply", "-"])
        .write_stdin(dump_a.stdout.clone())
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    assert_eq!(c.ok(&["dump"]).stdout, dump_a.stdout);
}

#[test]
fn dump_to_a_file() {
    let env = Env::with_example();
    let stdout = env.ok(&["dump"]).stdout;
    let r = env.ok(&["dump", "-o", "setup.toml"]);
    assert_eq!(r.stdout, "");
    assert_eq!(
        r.stderr,
        "wrote 1 requisites, 3 agreements, 3 sources to setup.toml\n"
    );
    let path = env.dir().join("setup.toml");
    assert_eq!(std::fs::read_to_string(&path).unwrap(), stdout);
    // It replaces an existing file.
    std::fs::write(&path, "old contents, longer than nothing\n".repeat(1000)).unwrap();
    env.ok(&["dump", "--output", "setup.toml"]);
    assert_eq!(std::fs::read_to_string(&path).unwrap(), stdout);
    // A directory that does not exist is an error, and writes nothing.
    let r = env.fails(&["dump", "-o", "no/such/dir/setup.toml"]);
    assert!(r.stderr.contains("no/such/dir"), "{}", r.stderr);

    // An empty database dumps an empty, valid configuration.
    let empty = Env::new();
    empty.ok(&["requisites", "add", "gone", "--set", "short_name=X"]);
    empty.ok(&["requisites", "remove", "gone", "--yes"]);
    let text = empty.ok(&["dump"]).stdout;
    assert!(
        text.ends_with("requisites = []\nagreements = []\nsources = []\n"),
        "{text}"
    );
    let file = write(&empty, "empty.toml", &text);
    let r = empty.ok(&["apply", &file]);
    assert!(r.stderr.ends_with("nothing to apply\n"), "{}", r.stderr);
    let v: Value = empty.json(&["agreement", "list"]);
    assert_eq!(v, json!([]));
}

#[test]
fn archived_objects_survive_the_dump_round_trip() {
    let a = Env::with_example();
    // An archived agreement that an active source still links, and an archived source.
    a.ok(&["agreement", "archive", "marketing"]);
    a.ok(&["source", "archive", "callback-form"]);
    let first = a.ok(&["dump"]).stdout;
    assert!(
        first.contains("code = \"marketing\"\narchived = true\n"),
        "{first}"
    );
    assert!(
        first.contains("archived = true\ncode = \"callback-form\"\n"),
        "{first}"
    );
    let file = write(&a, "dump.toml", &first);
    // The database matches its own dump.
    assert_eq!(a.run(&["apply", "--check", &file]).code, 0);

    let b = Env::new();
    let r = b.ok(&["apply", &file]);
    assert!(
        r.stderr
            .contains("agreement `marketing`: create (archived)"),
        "{}",
        r.stderr
    );
    assert_eq!(b.ok(&["dump"]).stdout, first);
    let list = b.json(&["agreement", "list", "--all"]);
    let archived: Vec<&str> = list
        .as_array()
        .unwrap()
        .iter()
        .filter(|a| a["archived"] == true)
        .map(|a| a["code"].as_str().unwrap())
        .collect();
    assert_eq!(archived, ["marketing"]);

    // The example (without `archived`) restores both.
    let r = a.ok(&["apply", &example()]);
    assert!(
        r.stderr
            .contains("agreement `marketing`: restore from archive"),
        "{}",
        r.stderr
    );
    assert!(
        r.stderr
            .contains("source `callback-form`: restore from archive"),
        "{}",
        r.stderr
    );
}

#[test]
fn a_failed_command_leaves_no_database_file_behind() {
    let env = Env::new();
    env.fails(&["source", "add", "f", "--name", "F"]);
    assert!(!env.db().exists(), "the database file was left behind");
    env.fails(&["apply", "does-not-exist.toml"]);
    assert!(!env.db().exists());
    // A command that only reads never creates it.
    let r = env.fails(&["info"]);
    assert!(
        r.stderr.starts_with("error: no database at"),
        "{}",
        r.stderr
    );
    assert!(!env.db().exists());
    // A command that succeeds creates it.
    env.ok(&["requisites", "add", "main", "--set", "short_name=X"]);
    assert!(env.db().exists());
}

#[test]
fn the_default_requisites_are_the_ones_agreements_fall_back_to() {
    let env = Env::new();
    let file = write(
        &env,
        "r.toml",
        "[[requisites]]\ncode = \"a\"\nshort_name = \"A\"\ndefault = false\n\n\
         [[requisites]]\ncode = \"b\"\nshort_name = \"B\"\n\n\
         [[agreements]]\ncode = \"x\"\nname = \"X\"\npurposes = [\"p\"]\n",
    );
    env.ok(&["apply", &file]);
    let defaults: Vec<String> = env
        .json(&["requisites", "list"])
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["default"] == true)
        .map(|r| r["code"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(defaults, ["b"]);
    assert_eq!(env.json(&["agreement", "show", "x"])["requisites"], "b");
    // Applying it again changes nothing and logs nothing.
    let log = env.json(&["log"]).as_array().unwrap().len();
    let r = env.ok(&["apply", &file]);
    assert!(r.stderr.contains("nothing to apply"), "{}", r.stderr);
    assert_eq!(env.json(&["log"]).as_array().unwrap().len(), log);

    // Moving the default to a set listed first logs each set's change once.
    let moved = write(
        &env,
        "m.toml",
        "[[requisites]]\ncode = \"a\"\nshort_name = \"A\"\ndefault = true\n\n\
         [[requisites]]\ncode = \"b\"\nshort_name = \"B\"\n\n\
         [[agreements]]\ncode = \"x\"\nname = \"X\"\npurposes = [\"p\"]\nrequisites = \"b\"\n",
    );
    env.ok(&["apply", &moved]);
    let entries = env.json(&["log", "--kind", "requisites"]);
    let updates: Vec<(String, Value, Value)> = entries
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["action"] == "update")
        .map(|e| {
            (
                e["object_code"].as_str().unwrap().to_string(),
                e["before"]["default"].clone(),
                e["after"]["default"].clone(),
            )
        })
        .collect();
    assert_eq!(
        updates,
        [
            ("b".to_string(), json!(true), json!(false)),
            ("a".to_string(), json!(false), json!(true))
        ]
    );
}

/// Objects the file does not mention are listed after the file's own, in the
/// order of their codes, whatever order they were created in.
#[test]
fn objects_not_in_the_file_are_listed_by_code() {
    let env = Env::with_example();
    for code in ["zeta", "alpha", "mid"] {
        env.ok(&["agreement", "add", code, "--name", "Лишнее"]);
        env.ok(&["source", "add", code, "--kind", "form", "--name", "Лишняя"]);
    }
    for code in ["zz", "aa"] {
        env.ok(&["requisites", "add", code, "--set", "short_name=ООО «Б»"]);
    }
    let r = env.ok(&["apply", "--dry-run", &example()]);
    let kept = "not in file (kept; --archive-missing archives it)";
    let never = "not in file (kept: requisites are never archived, not even by --archive-missing)";
    assert_eq!(
        plan_lines(&r.stderr),
        [
            "requisites `main`: unchanged".to_string(),
            format!("requisites `aa`: {never}"),
            format!("requisites `zz`: {never}"),
            "agreement `personal-data`: unchanged".to_string(),
            "agreement `marketing`: unchanged".to_string(),
            "agreement `reviews`: unchanged".to_string(),
            format!("agreement `alpha`: {kept}"),
            format!("agreement `mid`: {kept}"),
            format!("agreement `zeta`: {kept}"),
            "source `contact-form`: unchanged".to_string(),
            "source `callback-form`: unchanged".to_string(),
            "source `site-chat`: unchanged".to_string(),
            format!("source `alpha`: {kept}"),
            format!("source `mid`: {kept}"),
            format!("source `zeta`: {kept}"),
        ]
    );
}

// ---------------------------------------------------------------- concurrency

/// The example with one more purpose, `extra`, for `personal-data`.
fn example_with(env: &Env, name: &str, extra: &str) -> String {
    let text = std::fs::read_to_string(example_file()).unwrap();
    let anchor = "    \"заключение и исполнение договоров оказания услуг\",\n";
    assert!(
        text.contains(anchor),
        "the example changed; update this test"
    );
    let edited = text.replace(anchor, &format!("{anchor}    \"{extra}\",\n"));
    write(env, name, &edited)
}

/// Runs every command at once, as its own process; each must succeed.
fn all_at_once(env: &Env, commands: &[Vec<String>]) -> Vec<String> {
    let children: Vec<_> = commands
        .iter()
        .map(|args| {
            let args: Vec<&str> = args.iter().map(String::as_str).collect();
            env.std_command(&args)
                .stdout(std::process::Stdio::piped())
                .stderr(std::process::Stdio::piped())
                .spawn()
                .expect("spawn pdconsent")
        })
        .collect();
    children
        .into_iter()
        .zip(commands)
        .map(|(child, args)| {
            let out = child.wait_with_output().expect("wait");
            let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
            assert!(out.status.success(), "{args:?} failed:\n{stderr}");
            stderr
        })
        .collect()
}

/// The revision of `personal-data` that the last plan printed in `stderr`
/// makes, `None` when it creates everything (a plan is printed again when the
/// database changed after it was made: the last one is carried out).
fn revision_planned(stderr: &str) -> Option<usize> {
    let plan = stderr.rsplit("plan for ").next().unwrap();
    // Without the texts the apply changed, announced after it.
    let plan = match plan.find("\ntexts: ") {
        Some(i) => &plan[..=i],
        None => plan,
    };
    assert!(plan.ends_with(" change(s)\n"), "{stderr}");
    if plan.contains("\n7 to create, ") {
        return None;
    }
    let line = "  agreement `personal-data`: new revision ";
    let (_, rest) = plan.split_once(line).expect(stderr);
    Some(rest.split(' ').next().unwrap().parse().unwrap())
}

/// The files whose `apply --check` says the database matches them.
fn matching(env: &Env, files: &[String]) -> Vec<String> {
    files
        .iter()
        .filter(|f| env.run(&["apply", "--check", f]).code == 0)
        .cloned()
        .collect()
}

/// Applies of different files and edits of an agreement they do not mention,
/// all at once: all succeed, each apply makes its own revision (planned again
/// when another got in first), and no edit is lost.
#[test]
fn concurrent_applies_and_edits_all_succeed_and_lose_nothing() {
    const APPLIES: usize = 4;
    const EDITS: usize = 4;
    let env = Env::with_example();
    env.ok(&["agreement", "add", "extra", "--name", "Лишнее"]);
    let files: Vec<String> = (0..APPLIES)
        .map(|i| example_with(&env, &format!("f{i}.toml"), &format!("цель {i}")))
        .collect();
    let mut commands = Vec::new();
    for i in 0..APPLIES.max(EDITS) {
        if let Some(file) = files.get(i) {
            commands.push(vec!["apply".to_string(), file.clone()]);
        }
        if i < EDITS {
            let purpose = format!("правка {i}");
            commands.push(vec![
                "agreement".into(),
                "edit".into(),
                "extra".into(),
                "--add-purpose".into(),
                purpose,
            ]);
        }
    }
    let stderrs = all_at_once(&env, &commands);
    // Each apply printed the revision it made: 2, 3 … in some order.
    let mut planned: Vec<Option<usize>> = commands
        .iter()
        .zip(&stderrs)
        .filter(|(args, _)| args[0] == "apply")
        .map(|(_, stderr)| revision_planned(stderr))
        .collect();
    planned.sort();
    let made: Vec<Option<usize>> = (2..=APPLIES + 1).map(Some).collect();
    assert_eq!(planned, made, "{stderrs:#?}");
    assert_eq!(env.revisions("personal-data"), 1 + APPLIES);
    assert_eq!(env.revisions("extra"), 1 + EDITS);
    let purposes = env.json(&["agreement", "show", "extra"])["purposes"].clone();
    for i in 0..EDITS {
        assert!(
            purposes
                .as_array()
                .unwrap()
                .contains(&json!(format!("правка {i}"))),
            "{purposes}"
        );
    }
    // Revisions 2 … APPLIES + 1 of `personal-data`, each logged once.
    let log = env.json(&["log", "--kind", "agreement"]);
    let mut revisions: Vec<&str> = log
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["object_code"] == "personal-data")
        .filter_map(|e| e["action"].as_str()?.strip_prefix("revision "))
        .collect();
    revisions.sort();
    let want: Vec<String> = (2..=APPLIES + 1).map(|n| n.to_string()).collect();
    assert_eq!(revisions, want);
    // The database is the file applied last, and only that one.
    assert_eq!(matching(&env, &files).len(), 1);
}

/// Applies of different files to a database that does not exist yet: one
/// creates it, the others plan again on it; all succeed.
#[test]
fn concurrent_applies_to_a_missing_database_all_succeed() {
    const APPLIES: usize = 4;
    let env = Env::new();
    let files: Vec<String> = (0..APPLIES)
        .map(|i| example_with(&env, &format!("f{i}.toml"), &format!("цель {i}")))
        .collect();
    let commands: Vec<Vec<String>> = files
        .iter()
        .map(|f| vec!["apply".to_string(), f.clone()])
        .collect();
    let stderrs = all_at_once(&env, &commands);
    // One created everything; the others each made the next revision.
    let mut planned: Vec<Option<usize>> = stderrs.iter().map(|e| revision_planned(e)).collect();
    planned.sort();
    let made: Vec<Option<usize>> = std::iter::once(None)
        .chain((2..=APPLIES).map(Some))
        .collect();
    assert_eq!(planned, made, "{stderrs:#?}");
    assert_eq!(env.revisions("personal-data"), APPLIES);
    for code in ["marketing", "reviews"] {
        assert_eq!(env.revisions(code), 1, "{code}");
    }
    assert_eq!(matching(&env, &files).len(), 1);
    let creates = env.json(&["log"]);
    let creates = creates
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["action"] == "create")
        .count();
    assert_eq!(creates, 7, "each object is created once");
}

#[test]
fn json_suppresses_the_text_plan_and_quiet_prints_nothing_but_errors() {
    let env = Env::with_example();
    let edited = example_with_a_purpose(&env);
    let r = env.ok(&["apply", "--dry-run", &edited, "--format", "json"]);
    assert!(!r.stderr.contains("plan for"), "{}", r.stderr);
    assert!(r.json().is_array());
    let r = env.ok(&["apply", "-q", &edited]);
    assert_eq!((r.stdout.as_str(), r.stderr.as_str()), ("", ""));
    assert_eq!(env.revisions("personal-data"), 2);
    // Quiet does not hide an error.
    let r = env.run(&["apply", "-q", "missing.toml"]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.starts_with("error: "), "{}", r.stderr);
}
