//! Prompts on a terminal: the wizard, confirmations and Ctrl-C.
//!
//! A pseudo-terminal makes stdin and stderr terminals, so prompts are allowed.
//! rexpect reads the screen byte by byte as Latin-1, so only ASCII is expected.

use rexpect::error::Error;
use rexpect::process::WaitStatus;
use rexpect::session::{PtySession, spawn_command};
use serde_json::Value;

use crate::common::*;

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
    // The summary is `show`'s rows; the first set will be the default.
    p.exp_string("requisites `main`:")?;
    p.exp_string("inn: 7840502513")?;
    p.exp_string("default: yes")?;
    p.exp_string("display name: ")?;
    p.exp_string("Save these requisites?")?;
    // Enter takes the default, yes: the person has just read the summary.
    p.send("\r")?;
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

#[test]
fn ctrl_c_at_a_prompt_on_a_new_database_leaves_no_file() -> Result<(), Error> {
    let env = Env::new();
    let mut p = spawn(&env, &["requisites", "add", "main"]);
    p.exp_string("Kind")?;
    p.send_control('c')?;
    p.exp_string("interrupted, nothing changed")?;
    p.exp_eof()?;
    let status = p.process().wait()?;
    assert!(matches!(status, WaitStatus::Exited(_, 130)), "{status:?}");
    // Neither the database nor its temporary copy (or that copy's -wal, -shm).
    let left: Vec<String> = std::fs::read_dir(env.dir())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains(".db"))
        .collect();
    assert!(left.is_empty(), "left behind: {left:?}");
    Ok(())
}

#[test]
fn withdraw_on_a_terminal_lists_the_consents_and_asks_first() -> Result<(), Error> {
    let env = Env::new();
    env.ok(&["apply", example_file().to_str().unwrap()]);
    env.ok(&[
        "consent",
        "record",
        "--source",
        "contact-form",
        "--agreement",
        "personal-data",
        "--field",
        "email=ivan@example.ru",
    ]);
    // Declined: nothing is withdrawn.
    let mut p = spawn(
        &env,
        &["consent", "withdraw", "--subject", "email=ivan@example.ru"],
    );
    p.exp_string("will withdraw:")?;
    p.exp_string("personal-data on contact-form")?;
    p.exp_string("withdraw 1 consent(s)?")?;
    p.send("n")?;
    p.flush()?;
    p.exp_eof()?;
    assert!(
        matches!(p.process().wait()?, WaitStatus::Exited(_, 1)),
        "declining exits 1"
    );
    let status = [
        "consent",
        "status",
        "--source",
        "contact-form",
        "--subject",
        "email=ivan@example.ru",
    ];
    assert_eq!(env.ok(&status).stdout, "given\n");
    // Accepted: withdrawn, with the date by which the data must be destroyed.
    let mut p = spawn(
        &env,
        &["consent", "withdraw", "--subject", "email=ivan@example.ru"],
    );
    p.exp_string("withdraw 1 consent(s)?")?;
    p.send("y")?;
    p.flush()?;
    p.exp_string("stop processing and destroy the data by")?;
    p.exp_eof()?;
    assert!(matches!(p.process().wait()?, WaitStatus::Exited(_, 0)));
    assert_eq!(env.run(&status).stdout, "withdrawn\n");
    Ok(())
}

#[test]
fn apply_on_a_terminal_shows_the_plan_with_values_and_asks_first() -> Result<(), Error> {
    let env = Env::new();
    env.ok(&["apply", example_file().to_str().unwrap()]);
    let edited = std::fs::read_to_string(example_file())
        .unwrap()
        .replace("phone = \"+7 812 555-01-02\"", "phone = \"+74950000000\"");
    assert!(edited.contains("+74950000000"));
    let file = write(&env, "edited.toml", &edited);
    let before = env.dump();
    // Declined (the default): nothing changes.
    let mut p = spawn(&env, &["apply", &file]);
    p.exp_string("requisites `main`: update (phone)")?;
    p.exp_string("phone: ")?;
    p.exp_string("+74950000000")?;
    p.exp_string("apply 1 change(s) to the database?")?;
    p.send("\r")?;
    p.flush()?;
    p.exp_string("aborted, nothing changed")?;
    p.exp_eof()?;
    assert!(matches!(p.process().wait()?, WaitStatus::Exited(_, 1)));
    assert_eq!(env.dump(), before);
    // Accepted.
    let mut p = spawn(&env, &["apply", &file]);
    p.exp_string("apply 1 change(s) to the database?")?;
    p.send("y")?;
    p.flush()?;
    p.exp_string("applied 1 change(s)")?;
    p.exp_eof()?;
    assert!(matches!(p.process().wait()?, WaitStatus::Exited(_, 0)));
    assert!(env.dump().contains("+74950000000"));
    // --yes skips the question; without a terminal apply never asks (the rest of the suite).
    let again = edited.replace("+74950000000", "+74950000001");
    let file = write(&env, "again.toml", &again);
    let mut p = spawn(&env, &["apply", &file, "--yes"]);
    p.exp_string("applied 1 change(s)")?;
    p.exp_eof()?;
    Ok(())
}

/// Presses keys in a Select or MultiSelect: `j` moves down, `k` up, space toggles.
fn keys(p: &mut PtySession, prompt: &str, keys: &str) -> Result<(), Error> {
    p.exp_string(prompt)?;
    p.send(keys)?;
    p.flush()
}

#[test]
fn agreement_edit_asks_which_settings_then_only_those_and_again_what_the_final_check_refuses()
-> Result<(), Error> {
    let env = Env::with_site();
    let mut p = spawn(&env, &["agreement", "edit", "site"]);
    // name, language, …: language only.
    keys(&mut p, "Which settings do you want to change?", "j \r")?;
    keys(&mut p, "Language", "j\r")?; // en
    // The Russian template does not fit: only it is asked again, among the English ones.
    p.exp_string("template `ru-152fz-consent` is in `ru`")?;
    p.exp_string("please answer these again:")?;
    keys(&mut p, "Template", "\r")?;
    let shown = p.exp_string("Save as revision 2?")?;
    assert!(shown.contains("en-marketing"), "{shown}");
    assert!(!shown.contains("ru-152fz-marketing"), "{shown}");
    assert!(!shown.contains("Name"), "name was not chosen: {shown}");
    p.send("\r")?;
    p.flush()?;
    p.exp_string("revision 2 created (language, template, term)")?;
    p.exp_eof()?;
    assert!(matches!(p.process().wait()?, WaitStatus::Exited(_, 0)));
    let v = env.json(&["agreement", "show", "site"]);
    assert_eq!(v["language"], "en");
    assert_eq!(v["template"], "en-consent");
    assert_eq!(v["term"], "until consent is withdrawn");
    assert_eq!(v["name"], "Согласие для сайта");
    assert_eq!(v["purposes"], serde_json::json!(["обработка заявок"]));
    Ok(())
}

#[test]
fn agreement_edit_changes_a_list_item_by_item() -> Result<(), Error> {
    let env = Env::with_site();
    let mut p = spawn(&env, &["agreement", "edit", "site"]);
    // name, language, template, requisites, required, behaviour, label, url, purposes.
    keys(
        &mut p,
        "Which settings do you want to change?",
        "jjjjjjjj \r",
    )?;
    p.exp_string("Purposes of processing (1):")?;
    keys(&mut p, "what next?", "j\r")?; // add
    answer(&mut p, "New item", "support requests")?;
    p.exp_string("Purposes of processing (2):")?;
    p.exp_string("2. support requests")?;
    keys(&mut p, "what next?", "jjj\r")?; // move
    keys(&mut p, "Move which item?", "j\r")?; // the second
    keys(&mut p, "To which place?", "k\r")?; // first
    p.exp_string("1. support requests")?;
    keys(&mut p, "what next?", "\r")?; // done
    p.exp_string("purposes:")?;
    keys(&mut p, "Save as revision 2?", "\r")?;
    p.exp_string("revision 2 created (purposes)")?;
    p.exp_eof()?;
    let v = env.json(&["agreement", "show", "site"]);
    assert_eq!(
        v["purposes"],
        serde_json::json!(["support requests", "обработка заявок"])
    );
    Ok(())
}

#[test]
fn source_wizard_checks_the_url_shows_the_summary_and_declining_changes_nothing()
-> Result<(), Error> {
    let env = Env::with_site();
    let before = env.dump();
    let mut p = spawn(&env, &["source", "add", "contact"]);
    keys(&mut p, "Kind", "\r")?; // form
    answer(&mut p, "Name", "Contact form")?;
    // The prompt refuses what the final validation would: same check.
    answer(
        &mut p,
        "Page URL (optional)",
        "https://romashka.ru:99999/contact",
    )?;
    p.exp_string("is not an http(s) address")?;
    answer(&mut p, "Page URL (optional)", "https://romashka.ru/contact")?;
    keys(&mut p, "what next?", "\r")?; // an empty list: add
    answer(&mut p, "New field caption", "email")?;
    keys(&mut p, "what next?", "j\r")?; // add
    answer(&mut p, "New field caption", "phone")?;
    keys(&mut p, "what next?", "\r")?; // done
    keys(&mut p, "Agreements on this source", " \r")?;
    // The summary: `show`'s rows, a list one item a line.
    p.exp_string("source `contact`:")?;
    p.exp_string("url: https://romashka.ru/contact")?;
    p.exp_string("fields:\r\n    1. email\r\n    2. phone")?;
    p.exp_string("site (rev 1): required, unchecked, reading not required")?;
    keys(&mut p, "Create this source?", "n")?;
    p.exp_string("aborted, nothing changed")?;
    p.exp_eof()?;
    assert!(
        matches!(p.process().wait()?, WaitStatus::Exited(_, 1)),
        "declining exits 1"
    );
    assert_eq!(env.dump(), before);
    Ok(())
}
