//! Prompts, behind a small trait: dialoguer on a terminal, a refusal naming
//! the flag without one, and a scripted implementation for tests.

use std::collections::VecDeque;
use std::io::{self, IsTerminal};

use dialoguer::theme::ColorfulTheme;

/// Ctrl-C at a prompt.
#[derive(Debug, thiserror::Error)]
#[error("interrupted")]
pub struct Interrupted;

/// A confirmation was needed and there is no terminal to ask on.
#[derive(Debug, thiserror::Error)]
#[error("\"{question}\" needs a confirmation, and there is no terminal to ask on{reason}")]
pub struct NeedsConfirmation {
    pub question: String,
    pub reason: &'static str,
}

/// A value was needed and there is no terminal to ask on.
#[derive(Debug, thiserror::Error)]
#[error("{what} is required; give it with {flag} (no terminal to ask on{reason})")]
pub struct MissingValue {
    pub what: String,
    pub flag: String,
    pub reason: &'static str,
}

impl MissingValue {
    /// What to run next.
    pub fn hint(&self) -> String {
        format!(
            "give {}, or run the command on a terminal (without --no-input) to be asked",
            self.flag
        )
    }
}

impl NeedsConfirmation {
    /// What to run next.
    pub fn hint(&self) -> String {
        "give --yes to confirm without a prompt".to_string()
    }
}

pub type Validator<'a> = &'a dyn Fn(&str) -> Result<(), String>;

pub trait Prompter {
    /// A line of text; `validate` re-asks until it passes.
    fn input(
        &mut self,
        label: &str,
        flag: &str,
        default: &str,
        validate: Validator,
    ) -> anyhow::Result<String>;
    fn select(
        &mut self,
        label: &str,
        flag: &str,
        items: &[String],
        default: usize,
    ) -> anyhow::Result<usize>;
    fn multi_select(
        &mut self,
        label: &str,
        flag: &str,
        items: &[String],
        chosen: &[bool],
    ) -> anyhow::Result<Vec<usize>>;
    fn confirm(&mut self, label: &str, default: bool) -> anyhow::Result<bool>;
    /// A long text in $EDITOR; `None` when the editor was closed without saving.
    fn editor(&mut self, label: &str, flag: &str, initial: &str) -> anyhow::Result<Option<String>>;
    /// Something to read before the next prompt: a list being edited, why a value is asked again.
    fn note(&mut self, text: &str);
}

/// Whether prompting is allowed: stdin and stderr are terminals and no `--no-input`.
pub fn interactive(no_input: bool) -> bool {
    !no_input && io::stdin().is_terminal() && io::stderr().is_terminal()
}

pub fn for_session(no_input: bool) -> Box<dyn Prompter> {
    if interactive(no_input) {
        Box::new(Terminal {
            theme: ColorfulTheme::default(),
        })
    } else {
        Box::new(NoInput {
            reason: if no_input { ", --no-input given" } else { "" },
        })
    }
}

fn map_err(e: dialoguer::Error) -> anyhow::Error {
    match e {
        dialoguer::Error::IO(io) if io.kind() == io::ErrorKind::Interrupted => Interrupted.into(),
        dialoguer::Error::IO(io) => anyhow::Error::new(io).context("prompt failed"),
    }
}

pub struct Terminal {
    theme: ColorfulTheme,
}

impl Prompter for Terminal {
    fn input(
        &mut self,
        label: &str,
        _flag: &str,
        default: &str,
        validate: Validator,
    ) -> anyhow::Result<String> {
        let v = dialoguer::Input::<String>::with_theme(&self.theme)
            .with_prompt(label)
            .with_initial_text(default)
            .allow_empty(true)
            .validate_with(|s: &String| validate(s))
            .interact_text()
            .map_err(map_err)?;
        Ok(v.trim().to_string())
    }

    fn select(
        &mut self,
        label: &str,
        _flag: &str,
        items: &[String],
        default: usize,
    ) -> anyhow::Result<usize> {
        dialoguer::Select::with_theme(&self.theme)
            .with_prompt(label)
            .items(items)
            .default(default)
            .interact()
            .map_err(map_err)
    }

    fn multi_select(
        &mut self,
        label: &str,
        _flag: &str,
        items: &[String],
        chosen: &[bool],
    ) -> anyhow::Result<Vec<usize>> {
        dialoguer::MultiSelect::with_theme(&self.theme)
            .with_prompt(format!("{label} (space to toggle, enter to accept)"))
            .items(items)
            .defaults(chosen)
            .interact()
            .map_err(map_err)
    }

    fn confirm(&mut self, label: &str, default: bool) -> anyhow::Result<bool> {
        dialoguer::Confirm::with_theme(&self.theme)
            .with_prompt(label)
            .default(default)
            .interact()
            .map_err(map_err)
    }

    fn editor(
        &mut self,
        label: &str,
        _flag: &str,
        initial: &str,
    ) -> anyhow::Result<Option<String>> {
        eprintln!("{label}: opening the editor ($VISUAL / $EDITOR) …");
        dialoguer::Editor::new()
            .extension(".txt")
            .edit(initial)
            .map_err(map_err)
    }

    fn note(&mut self, text: &str) {
        crate::output::notice(text);
    }
}

/// The last question of a wizard, after the summary the person has just read:
/// yes by default; `no` (or `--yes` not given and Ctrl-C) leaves everything as it was.
pub fn confirm_save(p: &mut dyn Prompter, yes: bool, question: &str) -> anyhow::Result<()> {
    if yes || p.confirm(question, true)? {
        Ok(())
    } else {
        Err(crate::Aborted.into())
    }
}

/// Asks for one new item of a list (the list so far given); `None`: nothing added.
pub type AddItem<'a, T> = dyn FnMut(&mut dyn Prompter, &[T]) -> anyhow::Result<Option<T>> + 'a;

/// Edits a list item by item — add, remove, move — showing it before each choice.
/// `add` asks for one new item (`None`: nothing added).
pub fn edit_list<T>(
    p: &mut dyn Prompter,
    label: &str,
    flag: &str,
    items: &mut Vec<T>,
    show: &dyn Fn(&T) -> String,
    add: &mut AddItem<T>,
) -> anyhow::Result<()> {
    const DONE: &str = "done";
    const ADD: &str = "add an item";
    const REMOVE: &str = "remove an item";
    const MOVE: &str = "move an item";
    loop {
        let shown: Vec<String> = items.iter().map(show).collect();
        p.note(&numbered_list(label, &shown));
        let mut actions = vec![DONE, ADD];
        if !items.is_empty() {
            actions.push(REMOVE);
        }
        if items.len() > 1 {
            actions.push(MOVE);
        }
        let names: Vec<String> = actions.iter().map(|a| a.to_string()).collect();
        // An empty list is there to be filled; a filled one is usually kept.
        let default = usize::from(items.is_empty());
        let action = actions[p.select(&format!("{label}: what next?"), flag, &names, default)?];
        match action {
            ADD => {
                if let Some(item) = add(p, items)? {
                    items.push(item);
                }
            }
            REMOVE => {
                let i = p.select("  Remove which item?", flag, &shown, 0)?;
                items.remove(i);
            }
            MOVE => {
                let i = p.select("  Move which item?", flag, &shown, 0)?;
                let places: Vec<String> = (1..=items.len()).map(|n| n.to_string()).collect();
                let j = p.select("  To which place?", flag, &places, i)?;
                let item = items.remove(i);
                items.insert(j, item);
            }
            _ => return Ok(()),
        }
    }
}

/// `label (N):` and the items one a line, numbered from 1.
pub fn numbered_list(label: &str, items: &[String]) -> String {
    let mut out = format!("{label} ({}):", items.len());
    if items.is_empty() {
        out.push_str("\n  (none)");
    }
    for (i, item) in items.iter().enumerate() {
        out.push_str(&format!("\n  {}. {item}", i + 1));
    }
    out
}

/// What a wizard is about to save, for the final confirmation: the rows of the
/// object's `show`, in its order, as `key: value`; a list (several lines, or
/// numbered) below its key one item a line; long values wrapped at word
/// boundaries to `width`, continued under the value.
pub fn summary(title: &str, rows: &[(&str, String)], width: usize) -> String {
    const INDENT: &str = "    ";
    let mut out = vec![format!("{title}:")];
    for (key, value) in rows {
        let value = if value.trim().is_empty() {
            "—"
        } else {
            value
        };
        let list = value.contains('\n') || value.starts_with("1. ");
        if list {
            out.push(format!("  {key}:"));
        }
        for (i, line) in value.lines().enumerate() {
            let head = if list || i > 0 {
                INDENT.to_string()
            } else {
                format!("  {key}: ")
            };
            // A numbered item wraps under its text, not under its number.
            let hang = line
                .split_once(". ")
                .filter(|(n, _)| !n.is_empty() && n.chars().all(|c| c.is_ascii_digit()))
                .map_or(0, |(n, _)| n.len() + 2);
            let rest = format!("{INDENT}{}", " ".repeat(hang));
            let opts = textwrap::Options::new(width.max(20))
                .initial_indent(&head)
                .subsequent_indent(&rest);
            out.extend(
                textwrap::wrap(line, opts)
                    .into_iter()
                    .map(|l| l.into_owned()),
            );
        }
    }
    out.join("\n")
}

/// The width summaries wrap to: the terminal's, or 80.
pub fn summary_width() -> usize {
    crate::output::terminal_width(crate::output::Stream::Stderr).unwrap_or(80)
}

/// Without a terminal every prompt is an error naming the flag to use.
pub struct NoInput {
    reason: &'static str,
}

impl NoInput {
    fn missing(&self, what: &str, flag: &str) -> anyhow::Error {
        MissingValue {
            what: what.to_string(),
            flag: flag.to_string(),
            reason: self.reason,
        }
        .into()
    }
}

impl Prompter for NoInput {
    fn input(&mut self, label: &str, flag: &str, _: &str, _: Validator) -> anyhow::Result<String> {
        Err(self.missing(label, flag))
    }
    fn select(&mut self, label: &str, flag: &str, _: &[String], _: usize) -> anyhow::Result<usize> {
        Err(self.missing(label, flag))
    }
    fn multi_select(
        &mut self,
        label: &str,
        flag: &str,
        _: &[String],
        _: &[bool],
    ) -> anyhow::Result<Vec<usize>> {
        Err(self.missing(label, flag))
    }
    fn confirm(&mut self, label: &str, _: bool) -> anyhow::Result<bool> {
        Err(NeedsConfirmation {
            question: label.to_string(),
            reason: self.reason,
        }
        .into())
    }
    fn editor(&mut self, label: &str, flag: &str, _: &str) -> anyhow::Result<Option<String>> {
        Err(self.missing(label, flag))
    }
    fn note(&mut self, text: &str) {
        crate::output::notice(text);
    }
}

/// One scripted answer, for tests of the wizards.
#[derive(Debug, Clone)]
pub enum Answer {
    /// Input text (validated like a user's; an invalid one is recorded and the next answer is used).
    Text(String),
    /// Keep the default / current value.
    Default,
    Select(usize),
    Multi(Vec<usize>),
    Yes,
    No,
    Edited(Option<String>),
}

/// Answers prompts from a queue and records every prompt label, rejected input and note.
#[derive(Debug, Default)]
pub struct Scripted {
    pub answers: VecDeque<Answer>,
    pub asked: Vec<String>,
    pub rejected: Vec<String>,
    pub notes: Vec<String>,
}

impl Scripted {
    pub fn new(answers: impl IntoIterator<Item = Answer>) -> Scripted {
        Scripted {
            answers: answers.into_iter().collect(),
            ..Scripted::default()
        }
    }

    fn next(&mut self, label: &str) -> anyhow::Result<Answer> {
        self.asked.push(label.to_string());
        self.answers
            .pop_front()
            .ok_or_else(|| anyhow::anyhow!("script ran out of answers at `{label}`"))
    }
}

impl Prompter for Scripted {
    fn input(
        &mut self,
        label: &str,
        _: &str,
        default: &str,
        validate: Validator,
    ) -> anyhow::Result<String> {
        loop {
            let v = match self.next(label)? {
                Answer::Text(t) => t,
                Answer::Default => default.to_string(),
                other => anyhow::bail!("`{label}` wants text, the script gave {other:?}"),
            };
            match validate(&v) {
                Ok(()) => return Ok(v.trim().to_string()),
                Err(e) => self.rejected.push(e),
            }
        }
    }
    fn select(
        &mut self,
        label: &str,
        _: &str,
        items: &[String],
        default: usize,
    ) -> anyhow::Result<usize> {
        match self.next(label)? {
            Answer::Select(i) if i < items.len() => Ok(i),
            Answer::Default => Ok(default),
            other => anyhow::bail!("`{label}` wants a choice, the script gave {other:?}"),
        }
    }
    fn multi_select(
        &mut self,
        label: &str,
        _: &str,
        _: &[String],
        chosen: &[bool],
    ) -> anyhow::Result<Vec<usize>> {
        match self.next(label)? {
            Answer::Multi(v) => Ok(v),
            Answer::Default => Ok(chosen
                .iter()
                .enumerate()
                .filter(|(_, c)| **c)
                .map(|(i, _)| i)
                .collect()),
            other => anyhow::bail!("`{label}` wants choices, the script gave {other:?}"),
        }
    }
    fn confirm(&mut self, label: &str, default: bool) -> anyhow::Result<bool> {
        match self.next(label)? {
            Answer::Yes => Ok(true),
            Answer::No => Ok(false),
            Answer::Default => Ok(default),
            other => anyhow::bail!("`{label}` wants yes/no, the script gave {other:?}"),
        }
    }
    fn editor(&mut self, label: &str, _: &str, initial: &str) -> anyhow::Result<Option<String>> {
        match self.next(label)? {
            Answer::Edited(t) => Ok(t),
            Answer::Default => Ok(Some(initial.to_string())),
            other => anyhow::bail!("`{label}` wants an edited text, the script gave {other:?}"),
        }
    }
    fn note(&mut self, text: &str) {
        self.notes.push(text.to_string());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_summary_lists_items_one_a_line_and_wraps_at_words() {
        let rows = [
            ("name", "Согласие на обработку".to_string()),
            (
                "purposes",
                "1. обработка заявок клиентов\n2. связь".to_string(),
            ),
            ("url", String::new()),
        ];
        assert_eq!(
            summary("agreement `site`", &rows, 24),
            [
                "agreement `site`:",
                "  name: Согласие на",
                "    обработку",
                "  purposes:",
                "    1. обработка заявок",
                "       клиентов",
                "    2. связь",
                "  url: —",
            ]
            .join("\n")
        );
    }

    #[test]
    fn a_list_is_edited_item_by_item() {
        let mut items = vec!["a".to_string(), "b".to_string(), "c".to_string()];
        let mut p = Scripted::new([
            Answer::Select(3), // move
            Answer::Select(2), // c
            Answer::Select(0), // to the first place
            Answer::Select(2), // remove
            Answer::Select(1), // a (now second)
            Answer::Select(1), // add
            Answer::Text("d".into()),
            Answer::Default, // done
        ]);
        edit_list(
            &mut p,
            "Items",
            "--item",
            &mut items,
            &|x: &String| x.clone(),
            &mut |p, _| Ok(Some(p.input("New", "--item", "", &|_| Ok(()))?)),
        )
        .unwrap();
        assert_eq!(items, ["c", "b", "d"]);
        assert_eq!(p.notes[0], "Items (3):\n  1. a\n  2. b\n  3. c");
        assert!(p.answers.is_empty());
    }

    #[test]
    fn declining_the_final_confirmation_is_an_abort_and_yes_is_the_default() {
        let mut p = Scripted::new([Answer::Default, Answer::No]);
        assert!(confirm_save(&mut p, false, "Save?").is_ok());
        let e = confirm_save(&mut p, false, "Save?").unwrap_err();
        assert!(e.is::<crate::Aborted>());
        // --yes asks nothing.
        assert!(confirm_save(&mut p, true, "Save?").is_ok());
        assert_eq!(p.asked.len(), 2);
    }
}
