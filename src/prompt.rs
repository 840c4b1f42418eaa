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

/// Answers prompts from a queue and records every prompt label and rejected input.
#[derive(Debug, Default)]
pub struct Scripted {
    pub answers: VecDeque<Answer>,
    pub asked: Vec<String>,
    pub rejected: Vec<String>,
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
}
