//! The program, the database file, info, requisites, agreements and their
//! revisions, the change log, the output streams, and prompts on a terminal.

use std::io::Read;
use std::process::Stdio;

use crate::common::*;
use serde_json::Value;

#[test]
fn formats_a_command_does_not_offer_are_refused() {
    let env = Env::with_site();
    refused!(
        &env,
        "format_requisites_show_html",
        &["requisites", "show", "main", "--format", "html"],
    );
    refused!(&env, "format_log_text", &["log", "--format", "text"]);
    for args in [
        &["info", "--format", "markdown"][..],
        &["requisites", "list", "--format", "text"],
        &["agreement", "list", "--format", "html"],
        &["agreement", "show", "site", "--format", "markdown"],
        &["agreement", "history", "site", "--format", "text"],
        &["agreement", "diff", "site", "--format", "html"],
    ] {
        let r = env.fails(args);
        let shown = args[args.len() - 1];
        assert!(
            r.stderr.starts_with(&format!(
                "error: `--format {shown}` is not available for `pdconsent "
            )),
            "{args:?}: {}",
            r.stderr
        );
        assert!(
            r.stderr
                .ends_with("\nhint: use --format table or --format json\n"),
            "{args:?}: {}",
            r.stderr
        );
    }
}

// ------------------------------------------------------------------- streams

#[test]
fn colour_and_box_drawing_only_when_asked() {
    let env = Env::with_main();
    let plain = env.ok(&["requisites", "list"]).stdout;
    assert!(!plain.contains(['\u{1b}', '│']), "{plain}");
    assert_eq!(
        env.ok(&["--color", "never", "requisites", "list"]).stdout,
        plain
    );

    // --color always wins over NO_COLOR and a pipe.
    let styled = env.ok(&["--color", "always", "requisites", "list"]).stdout;
    assert!(
        styled.contains("\u{1b}[1m") && styled.contains('│'),
        "{styled}"
    );
    let r = env.run(&["--color", "always", "agreement", "show", "x"]);
    assert_eq!((r.code, r.stdout.as_str()), (2, ""));
    assert_eq!(
        r.stderr,
        "\u{1b}[1;31merror:\u{1b}[0m agreement `x` not found\n\
         \u{1b}[1;36mhint:\u{1b}[0m run `pdconsent agreement list --all` to see what exists\n"
    );
    // The format never changes with colour: JSON stays JSON.
    assert_eq!(
        env.json(&["--color", "always", "requisites", "list"]),
        env.json(&["requisites", "list"])
    );
}

#[test]
fn control_characters_never_reach_the_terminal() {
    let env = Env::with_main();
    let esc = "\u{1b}[2J\u{1b}]0;title\u{7}";
    let before = env.dump();
    // A value with control characters is refused (it would reshape the consent
    // text), and the refusal shows them escaped.
    for args in [
        vec![
            "requisites".to_string(),
            "add".into(),
            "other".into(),
            "--set".into(),
            format!("short_name=ООО {esc}Ромашка"),
        ],
        vec![
            "agreement".into(),
            "add".into(),
            "site".into(),
            "--name".into(),
            format!("Имя{esc}"),
        ],
        vec![
            "agreement".into(),
            "add".into(),
            "site".into(),
            "--name".into(),
            "Имя".into(),
            "--add-purpose".into(),
            format!("цель{esc}"),
        ],
        vec![
            "requisites".into(),
            "edit".into(),
            "main".into(),
            "--set".into(),
            "legal_address=строка 1\nстрока 2".into(),
        ],
    ] {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let r = env.fails(&args);
        assert!(
            !r.stderr.contains(['\u{1b}', '\u{7}']),
            "{args:?}: {:?}",
            r.stderr
        );
        assert!(
            r.stderr.contains("contains a control character"),
            "{args:?}: {}",
            r.stderr
        );
    }
    assert_eq!(env.dump(), before);
    // The actor is not part of any text; it is shown escaped wherever it appears.
    env.ok(&[
        "agreement",
        "add",
        "site",
        "--name",
        "Имя",
        "--add-purpose",
        "цель",
    ]);
    env.ok(&[
        "--actor",
        &format!("admin{esc}"),
        "agreement",
        "edit",
        "site",
        "--name",
        "Имя 2",
    ]);
    for args in [&["agreement", "history", "site"][..], &["log"]] {
        let r = env.ok(args);
        for out in [&r.stdout, &r.stderr] {
            assert!(
                !out.contains(['\u{1b}', '\u{7}']),
                "{args:?} let a control character through:\n{out}"
            );
        }
        assert!(
            r.stdout.contains("\\u{1b}"),
            "{args:?} shows the escape visibly:\n{}",
            r.stdout
        );
    }
    let r = env.fails(&["agreement", "show", &format!("x{esc}")]);
    assert!(!r.stderr.contains('\u{1b}'), "{:?}", r.stderr);
    // JSON is data: it keeps the value exactly (escaped by JSON itself).
    assert_eq!(
        env.json(&["agreement", "history", "site"])[1]["actor"],
        format!("admin{esc}")
    );
}

#[test]
fn closed_stdout_is_success() {
    let env = Env::with_site();
    // Far more than a pipe holds, so the writer must meet the closed pipe.
    let big = "Строка текста согласия, достаточно длинная.\n".repeat(40_000);
    let file = write(&env, "big.txt", &big);
    env.ok(&["agreement", "edit", "site", "--text-file", &file]);
    // And a table as large: thousands of purposes, one line each in `show`.
    let purposes: Vec<String> = (1..=3000)
        .map(|i| format!("цель обработки номер {i}"))
        .collect();
    let mut args = vec!["agreement", "edit", "site"];
    for p in &purposes {
        args.extend(["--add-purpose", p.as_str()]);
    }
    env.ok(&args);
    for args in [
        &["agreement", "list", "--format", "json"][..],
        &["agreement", "history", "site", "--format", "json"],
        &["log", "--format", "json"],
        &["agreement", "show", "site"],
    ] {
        // Pipes hold 64 KiB by default.
        let full = env.ok(args).stdout.len();
        assert!(full > 256 << 10, "{args:?} prints only {full} bytes");
        let mut child = env
            .std_command(args)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        drop(child.stdout.take());
        let mut stderr = String::new();
        child
            .stderr
            .take()
            .unwrap()
            .read_to_string(&mut stderr)
            .unwrap();
        let status = child.wait().unwrap();
        assert_eq!(status.code(), Some(0), "{args:?}: {stderr}");
        assert_eq!(stderr, "", "{args:?}: a closed pipe is silent");
    }
}

// --------------------------------------------------------------- on a terminal
//
// A pseudo-terminal makes stdin and stderr terminals, so prompts are allowed.
// rexpect reads the screen byte by byte as Latin-1, so only ASCII is expected.

mod terminal {
    use rexpect::error::Error;
    use rexpect::process::WaitStatus;
    use rexpect::session::{PtySession, spawn_command};

    use super::*;

    fn spawn(env: &Env, args: &[&str]) -> PtySession {
        spawn_command(env.std_command(args), Some(20_000)).expect("spawn on a pty")
    }

    /// Sends one line of input (Enter included).
    fn answer(p: &mut PtySession, prompt: &str, text: &str) -> Result<(), Error> {
        p.exp_string(prompt)?;
        p.send(&format!("{text}\r"))?;
        p.flush()
    }

    #[test]
    fn wizard_adds_requisites_and_reasks_wrong_values() -> Result<(), Error> {
        let env = Env::new();
        let mut p = spawn(&env, &["requisites", "add", "main"]);
        answer(&mut p, "Kind", "")?; // legal, the default
        answer(&mut p, "Short name, e.g.", "ООО «Ромашка»")?;
        answer(&mut p, "Full name (optional)", "")?;
        answer(&mut p, "INN (optional, checked)", "7840502514")?;
        // A wrong value is shown with the check that failed, then asked again.
        p.exp_string("check digit failed: digit 10 is 4, the checksum gives 3")?;
        answer(&mut p, "INN (optional, checked)", INN_LEGAL)?;
        answer(&mut p, "KPP (optional)", KPP)?;
        answer(&mut p, "OGRN (optional, checked)", OGRN)?;
        answer(&mut p, "Legal address", "г. Москва, ул. Ленина, д. 1")?;
        answer(&mut p, "Postal address", "")?;
        answer(&mut p, "E-mail for personal-data requests", "privacy@")?;
        p.exp_string("is not an e-mail address")?;
        answer(
            &mut p,
            "E-mail for personal-data requests",
            "privacy@romashka.ru",
        )?;
        answer(&mut p, "Phone (optional)", "")?;
        answer(&mut p, "Website (optional)", "")?;
        p.exp_string("requisites `main`:")?;
        p.exp_string("inn: 7840502513")?;
        p.exp_string("Save these requisites?")?;
        p.send("y")?;
        p.flush()?;
        p.exp_string("created requisites `main` (default)")?;
        p.exp_eof()?;
        assert!(
            matches!(p.process().wait()?, WaitStatus::Exited(_, 0)),
            "the wizard exits 0"
        );

        let v = env.json(&["requisites", "show", "main"]);
        assert_eq!(v["kind"], "legal");
        assert_eq!(v["short_name"], "ООО «Ромашка»");
        assert_eq!(v["full_name"], Value::Null);
        assert_eq!(v["inn"], INN_LEGAL);
        assert_eq!(v["kpp"], KPP);
        assert_eq!(v["ogrn"], OGRN);
        assert_eq!(v["legal_address"], "г. Москва, ул. Ленина, д. 1");
        assert_eq!(v["postal_address"], Value::Null);
        assert_eq!(v["email"], "privacy@romashka.ru");
        assert_eq!(v["default"], true);
        assert_eq!(env.json(&["log"]).as_array().unwrap().len(), 1);
        Ok(())
    }

    #[test]
    fn declining_a_confirmation_changes_nothing() -> Result<(), Error> {
        let env = Env::with_main();
        env.ok(&["requisites", "add", "spare", "--set", "short_name=Spare"]);
        let before = env.dump();
        let mut p = spawn(&env, &["requisites", "remove", "spare"]);
        p.exp_string("Remove requisites `spare` (Spare)?")?;
        p.send("n")?;
        p.flush()?;
        p.exp_string("aborted, nothing changed")?;
        p.exp_eof()?;
        assert!(
            matches!(p.process().wait()?, WaitStatus::Exited(_, 1)),
            "declining exits 1"
        );
        assert_eq!(env.dump(), before);
        Ok(())
    }

    #[test]
    fn ctrl_c_at_a_prompt_changes_nothing() -> Result<(), Error> {
        let env = Env::with_main();
        let before = env.dump();
        let mut p = spawn(&env, &["agreement", "add", "site"]);
        p.exp_string("Name")?;
        p.send("Согласие\r")?;
        p.flush()?;
        p.exp_string("Language")?;
        p.send_control('c')?;
        // The handler gives the cursor back (ESC [ ? 25 h) and says so.
        p.exp_string("\x1b[?25h")?;
        p.exp_string("interrupted, nothing changed")?;
        p.exp_eof()?;
        let status = p.process().wait()?;
        assert!(matches!(status, WaitStatus::Exited(_, 130)), "{status:?}");
        assert_eq!(env.dump(), before);
        Ok(())
    }
}
