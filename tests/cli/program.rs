//! The program itself: its command-line definition, version, usage errors,
//! shell completions, the man page and the clock variable.

use crate::common::*;

#[test]
fn cli_definition_is_consistent() {
    use clap::CommandFactory;
    pdconsent::cmd::Cli::command().debug_assert();
    // The command line as the binary builds it: with examples and completers attached.
    pdconsent::cmd::examples::command().debug_assert();
}

#[test]
fn version_prints_name_and_version() {
    let env = Env::new();
    let r = env.ok(&["--version"]);
    assert_eq!(
        r.stdout,
        format!("pdconsent {}\n", env!("CARGO_PKG_VERSION"))
    );
}

#[test]
fn usage_errors_exit_2_print_nothing_and_create_no_database() {
    let env = Env::new();
    // clap's own usage errors keep the contract: exit 2, nothing on stdout.
    for args in [
        &["agreement", "frobnicate"][..],
        &["agreement", "show"],
        &["info", "--format", "yaml"],
        &["log", "--limit", "many"],
    ] {
        let r = env.run(args);
        assert_eq!(r.code, 2, "{args:?}: {}", r.pinned());
        assert_eq!(r.stdout, "");
        assert!(r.stderr.starts_with("error: "), "{}", r.stderr);
    }
    assert!(
        !env.db().exists(),
        "a usage error must not create a database"
    );
}

#[test]
fn completions_offer_subcommands_and_flags_in_every_shell() {
    let env = Env::new();
    for shell in ["bash", "zsh", "fish", "powershell", "elvish"] {
        let r = env.ok(&["completions", shell]);
        assert_eq!(r.stderr, "", "{shell}");
        assert!(r.stdout.len() > 1000, "{shell}: {} bytes", r.stdout.len());
        assert!(r.stdout.contains("pdconsent"), "{shell}");
        // Subcommands and their flags are offered.
        for word in ["agreement", "preview", "archive-missing"] {
            assert!(r.stdout.contains(word), "{shell} does not offer `{word}`");
        }
    }
    assert!(!env.db().exists(), "completions need no database");
}

#[test]
fn completions_for_an_unknown_shell_are_a_usage_error() {
    let env = Env::new();
    let r = env.run(&["completions", "tcsh"]);
    assert_eq!((r.code, r.stdout.as_str()), (2, ""), "{}", r.pinned());
    assert!(r.stderr.contains("'tcsh'"), "{}", r.stderr);
    assert!(!env.db().exists(), "completions need no database");
}

/// What `pdconsent man` prints; it must print nothing on stderr and need no
/// database.
fn man_page() -> String {
    let env = Env::new();
    let r = env.ok(&["man"]);
    assert_eq!(r.stderr, "");
    assert!(!env.db().exists(), "the man page needs no database");
    r.stdout
}

#[test]
fn man_page_title_names_the_version_before_the_first_section() {
    let page = man_page();
    let lines: Vec<&str> = page.lines().collect();
    let th = lines
        .iter()
        .position(|l| l.starts_with(".TH pdconsent 1"))
        .expect("a .TH pdconsent 1 line");
    let sh = lines
        .iter()
        .position(|l| l.starts_with(".SH"))
        .expect("a .SH line");
    assert!(th < sh, "the title comes before the first section");
    assert!(
        lines[th].contains(env!("CARGO_PKG_VERSION")),
        "{}",
        lines[th]
    );
}

#[test]
fn man_page_has_a_section_for_each_command() {
    let page = man_page();
    let lines: Vec<&str> = page.lines().collect();
    for section in [
        ".SH NAME",
        ".SH SYNOPSIS",
        ".SH \"PDCONSENT AGREEMENT PREVIEW\"",
        ".SH \"PDCONSENT AGREEMENT CHECK\"",
        ".SH \"PDCONSENT SOURCE ADD\"",
        ".SH \"PDCONSENT APPLY\"",
        ".SH \"PDCONSENT DUMP\"",
    ] {
        assert!(lines.contains(&section), "no `{section}` in the man page");
    }
}

#[test]
fn man_page_documents_the_flags_of_preview() {
    let page = man_page();
    let preview = page
        .split(".SH \"PDCONSENT AGREEMENT PREVIEW\"")
        .nth(1)
        .unwrap();
    let preview = preview.split("\n.SH ").next().unwrap();
    assert!(preview.contains("\\-\\-revision"), "{preview}");
    assert!(preview.contains("\\-\\-source"), "{preview}");
}

#[test]
fn bad_clock_variable_is_an_error() {
    let env = Env::new();
    let r = env.run_at("yesterday", &["info"]);
    insta::assert_snapshot!("bad_clock", r.pinned());
}

#[test]
fn man_dir_writes_a_page_per_command_with_every_reference_and_section_and_no_troff_warning() {
    let env = Env::new();
    let dir = env.dir().join("man/man1");
    let r = env.ok(&["man", "--dir", dir.to_str().unwrap()]);
    assert!(r.stderr.contains("man pages to"), "{}", r.stderr);
    assert!(!env.db().exists(), "man pages need no database");
    let pages: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    for p in [
        "pdconsent.1",
        "pdconsent-consent-record.1",
        "pdconsent-ledger-key-init.1",
        "pdconsent-backup.1",
    ] {
        assert!(pages.iter().any(|x| x == p), "{p} missing: {pages:?}");
    }
    let mut references = 0;
    for p in &pages {
        let text = std::fs::read_to_string(dir.join(p)).unwrap();
        for section in [
            ".SH NAME",
            ".SH SYNOPSIS",
            ".SH \"EXIT STATUS\"",
            ".SH \"SEE ALSO\"",
        ] {
            assert!(text.contains(section), "{p} has no {section}");
        }
        if !text.contains(".SH SUBCOMMANDS") {
            assert!(text.contains(".SH EXAMPLES"), "{p} has no examples");
        }
        // Every page a page names exists.
        for (i, _) in text.match_indices("(1)") {
            let start = text[..i]
                .rfind(|c: char| c.is_whitespace() || c == '"')
                .map_or(0, |s| s + 1);
            let name = text[start..i]
                .replace("\\-", "-")
                .replace("\\fB", "")
                .replace("\\fR", "");
            if name.starts_with("pdconsent") {
                references += 1;
                assert!(
                    pages.contains(&format!("{name}.1")),
                    "{p} names {name}(1), which is missing"
                );
            }
        }
    }
    assert!(references > 60, "{references}");
    let main = std::fs::read_to_string(dir.join("pdconsent.1")).unwrap();
    for section in [".SH ENVIRONMENT", ".SH FILES", "PDCONSENT_DB"] {
        assert!(main.contains(section), "pdconsent.1 has no {section}");
    }
    // groff's strictest warnings, as man-db reads a page (preconv for UTF-8).
    let groff = std::process::Command::new("groff")
        .arg("--version")
        .output();
    if groff.is_err() {
        println!("groff is not installed: the troff warnings check is skipped");
        return;
    }
    for p in &pages {
        let out = std::process::Command::new("groff")
            .args(["-k", "-Tutf8", "-ww", "-z", "-man"])
            .arg(dir.join(p))
            .output()
            .unwrap();
        let warnings = String::from_utf8_lossy(&out.stderr);
        assert!(warnings.is_empty(), "{p}: {warnings}");
    }
}

#[test]
fn typos_get_a_did_you_mean_for_codes_settings_and_toml_keys() {
    let env = Env::with_example();
    let r = env.fails(&["agreement", "show", "personal-dta"]);
    assert_eq!(
        r.stderr,
        "error: agreement `personal-dta` not found\nhint: did you mean `personal-data`? Otherwise run `pdconsent agreement list --all` to see what exists\n"
    );
    let r = env.fails(&["source", "edit", "contact-from", "--set", "name=x"]);
    assert!(
        r.stderr.contains("did you mean `contact-form`?"),
        "{}",
        r.stderr
    );
    // Nothing close: no guess.
    let r = env.fails(&["requisites", "show", "zzzz"]);
    assert!(!r.stderr.contains("did you mean"), "{}", r.stderr);
    let r = env.fails(&["agreement", "edit", "marketing", "--set", "nmae=x"]);
    assert!(
        r.stderr
            .contains("unknown setting `nmae` (did you mean `name`?)"),
        "{}",
        r.stderr
    );
    let toml =
        std::fs::read_to_string(example_file())
            .unwrap()
            .replacen("short_name =", "shortname =", 1);
    let file = write(&env, "typo.toml", &toml);
    let r = env.fails(&["apply", "--dry-run", &file]);
    assert!(
        r.stderr
            .contains("unknown key `shortname` (did you mean `short_name`?)"),
        "{}",
        r.stderr
    );
}

/// What the shell gets from `COMPLETE=bash pdconsent -- WORDS…` for the last word.
fn complete(env: &Env, words: &[&str]) -> Vec<String> {
    let mut c = env.std_command(&["--"]);
    c.args(words)
        .env("COMPLETE", "bash")
        .env("_CLAP_IFS", "\n")
        .env("_CLAP_COMPLETE_INDEX", (words.len() - 1).to_string())
        .env("_CLAP_COMPLETE_COMP_TYPE", "9")
        .env("_CLAP_COMPLETE_SPACE", "true");
    let out = c.output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(str::to_string)
        .collect()
}

#[test]
fn dynamic_completion_offers_codes_from_the_database_templates_and_set_keys() {
    let env = Env::with_example();
    assert_eq!(
        complete(&env, &["pdconsent", "agreement", "show", "per"]),
        ["personal-data"]
    );
    assert_eq!(
        complete(&env, &["pdconsent", "consent", "record", "--source", "c"]),
        ["callback-form", "contact-form"]
    );
    assert_eq!(
        complete(&env, &["pdconsent", "requisites", "edit", "m"]),
        ["main"]
    );
    assert_eq!(
        complete(
            &env,
            &[
                "pdconsent",
                "agreement",
                "edit",
                "marketing",
                "--set",
                "checked"
            ]
        ),
        ["checked_by_default="]
    );
    assert_eq!(
        complete(
            &env,
            &["pdconsent", "source", "edit", "contact-form", "--set", "k"]
        ),
        ["kind="]
    );
    let t = complete(
        &env,
        &["pdconsent", "agreement", "add", "x", "--template", "en-"],
    );
    assert_eq!(t, ["en-consent", "en-marketing"]);
    // A new object's code is not completed from the existing ones.
    assert!(
        complete(&env, &["pdconsent", "agreement", "add", "per"])
            .iter()
            .all(|c| c != "personal-data")
    );
    // Enumerated values and subcommands come from the definition.
    assert_eq!(
        complete(&env, &["pdconsent", "consent", "list", "--event", "w"]),
        ["withdrawn"]
    );
    // No database: no codes, no error.
    let empty = Env::new();
    assert!(complete(&empty, &["pdconsent", "agreement", "show", "p"]).is_empty());
    assert!(!empty.db().exists(), "completion never creates a database");
    // The registration script calls pdconsent back.
    let script = env.ok(&["completions", "bash", "--dynamic"]).stdout;
    assert!(script.contains("COMPLETE=\"bash\""), "{script}");
    assert!(script.contains("complete -o nospace"), "{script}");
}
