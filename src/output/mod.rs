//! Everything that reaches stdout: tables, JSON, and the sanitising of user
//! text before it reaches a terminal.

use std::io::{self, IsTerminal, Write};

use comfy_table::{ContentArrangement, Table, presets};
use serde::Serialize;

pub mod document;
pub mod events;
pub mod file;
pub mod views;

/// `--format`: how a command writes its result.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    Table,
    Json,
    Text,
    Markdown,
    Html,
    /// JSON Lines: one object per line (`consent export`).
    Jsonl,
    /// Comma-separated values (`consent export`).
    Csv,
}

impl Format {
    pub fn as_str(self) -> &'static str {
        match self {
            Format::Table => "table",
            Format::Json => "json",
            Format::Text => "text",
            Format::Markdown => "markdown",
            Format::Html => "html",
            Format::Jsonl => "jsonl",
            Format::Csv => "csv",
        }
    }
}

/// `--color`: when to use colour and box drawing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ColorChoice {
    Auto,
    Always,
    Never,
}

#[derive(Debug, Clone, Copy)]
pub enum Stream {
    Stdout,
    Stderr,
}

pub fn is_terminal(stream: Stream) -> bool {
    match stream {
        Stream::Stdout => io::stdout().is_terminal(),
        Stream::Stderr => io::stderr().is_terminal(),
    }
}

/// `--color`, then the environment as clap reads it (NO_COLOR, CLICOLOR_FORCE, CLICOLOR) and
/// whether the stream is a terminal.
pub fn color_enabled(choice: ColorChoice, stream: Stream) -> bool {
    match choice {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        // The rules clap applies to its own messages (anstream): NO_COLOR, CLICOLOR_FORCE,
        // CLICOLOR=0, a terminal that supports colour.
        ColorChoice::Auto => {
            let auto = match stream {
                Stream::Stdout => anstream::AutoStream::choice(&io::stdout()),
                Stream::Stderr => anstream::AutoStream::choice(&io::stderr()),
            };
            auto != anstream::ColorChoice::Never
        }
    }
}

/// Replaces control characters (escape sequences a hostile value could use to
/// rewrite the screen) with visible `\u{…}` escapes; keeps line breaks out of cells.
pub fn sanitize(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\n' | '\r' | '\t' => out.push(' '),
            c if c.is_control() || crate::domain::field::is_invisible(c) => {
                out.push_str(&c.escape_unicode().to_string())
            }
            c => out.push(c),
        }
    }
    out
}

/// JSON text with every C1 control, invisible and bidirectional character written as a
/// `\uXXXX` escape. serde_json escapes C0 controls only; these others would still reach a
/// terminal that shows the JSON (U+009B is a CSI, U+202E reverses the line). They can only
/// stand inside strings, where the escape means the same character: the JSON's value is
/// unchanged. Cheap when there is nothing to escape (no lead byte that can start one).
pub fn json_escape_invisible(json: &str) -> std::borrow::Cow<'_, str> {
    let needs =
        |c: char| ('\u{80}'..='\u{9f}').contains(&c) || crate::domain::field::is_invisible(c);
    if !json.bytes().any(|b| matches!(b, 0xC2 | 0xD8 | 0xE2 | 0xEF)) || !json.chars().any(needs) {
        return std::borrow::Cow::Borrowed(json);
    }
    let mut out = String::with_capacity(json.len() + 16);
    for c in json.chars() {
        if needs(c) {
            out.push_str(&format!("\\u{:04x}", c as u32));
        } else {
            out.push(c);
        }
    }
    std::borrow::Cow::Owned(out)
}

/// Like [`sanitize`] but keeps line breaks: for texts and multi-line messages.
pub fn sanitize_multiline(s: &str) -> String {
    s.split('\n').map(sanitize).collect::<Vec<_>>().join("\n")
}

/// Writes data to stdout; tables get box drawing only on a terminal.
pub struct Output {
    pub styled: bool,
    pub terminal: bool,
}

impl Output {
    pub fn new(color: ColorChoice) -> Output {
        Output {
            styled: color_enabled(color, Stream::Stdout),
            terminal: is_terminal(Stream::Stdout),
        }
    }

    pub fn table(&self, header: &[&str]) -> Table {
        let mut t = Table::new();
        if self.styled {
            t.load_style(presets::UTF8_FULL_CONDENSED);
            t.set_content_arrangement(ContentArrangement::Dynamic);
            t.enforce_styling();
        } else {
            t.load_style(presets::ASCII_MARKDOWN);
            t.set_content_arrangement(ContentArrangement::Disabled);
            t.force_no_tty();
        }
        if self.styled {
            t.set_header(
                header
                    .iter()
                    .map(|h| comfy_table::Cell::new(h).add_attribute(comfy_table::Attribute::Bold)),
            );
        } else {
            t.set_header(header.iter().copied());
        }
        t
    }

    /// Prints a table; an empty one prints its header only.
    pub fn print_table(&self, table: &Table) -> io::Result<()> {
        let mut out = io::stdout().lock();
        writeln!(out, "{table}")?;
        out.flush()
    }

    pub fn print_json<T: Serialize + ?Sized>(&self, value: &T) -> io::Result<()> {
        let mut out = io::stdout().lock();
        // `From` keeps the kind of an I/O error (a closed pipe stays BrokenPipe).
        let text = serde_json::to_string_pretty(value).map_err(io::Error::from)?;
        writeln!(out, "{}", json_escape_invisible(&text))?;
        out.flush()
    }

    pub fn print_text(&self, text: &str) -> io::Result<()> {
        let mut out = io::stdout().lock();
        out.write_all(text.as_bytes())?;
        if !text.ends_with('\n') && !text.is_empty() {
            writeln!(out)?;
        }
        out.flush()
    }
}

/// A cell: sanitised text, or `—` for nothing.
pub fn cell(v: Option<&str>) -> String {
    match v {
        Some(s) if !s.is_empty() => sanitize(s),
        _ => "—".to_string(),
    }
}

/// A table cell for a flag: `yes` or `no`.
pub fn yes_no(b: bool) -> &'static str {
    if b { "yes" } else { "no" }
}

/// The width of the terminal behind `stream`, if it is one.
pub fn terminal_width(stream: Stream) -> Option<usize> {
    let term = match stream {
        Stream::Stdout => console::Term::stdout(),
        Stream::Stderr => console::Term::stderr(),
    };
    term.size_checked()
        .map(|(_, cols)| usize::from(cols).clamp(20, 120))
}

/// `warning: …` and its `hint: …` on stderr.
pub fn warning(msg: &str, hint: Option<&str>) {
    let mut err = io::stderr().lock();
    let _ = writeln!(err, "warning: {}", sanitize(msg));
    if let Some(h) = hint {
        let _ = writeln!(err, "hint: {}", sanitize(h));
    }
}

/// A message for the operator on stderr (not data).
pub fn notice(msg: &str) {
    let _ = writeln!(io::stderr(), "{}", sanitize_multiline(msg));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_characters_are_made_visible() {
        assert_eq!(sanitize("a\x1b[2Jb\nc"), "a\\u{1b}[2Jb c");
        assert_eq!(sanitize_multiline("a\nb\x07"), "a\nb\\u{7}");
    }

    #[test]
    fn json_escapes_c1_invisible_and_bidi_characters_and_keeps_the_value() {
        let v = serde_json::json!({"name": "Ив\u{202e}ан\u{9b}2J\u{200b}", "ok": "Иван «x»"});
        let text = serde_json::to_string(&v).unwrap();
        let safe = json_escape_invisible(&text);
        assert!(
            !safe
                .chars()
                .any(|c| c == '\u{202e}' || c == '\u{9b}' || c == '\u{200b}')
        );
        assert!(
            safe.contains("\\u202e") && safe.contains("\\u009b"),
            "{safe}"
        );
        let back: serde_json::Value = serde_json::from_str(&safe).unwrap();
        assert_eq!(back, v);
        let plain = serde_json::to_string(&v["ok"]).unwrap();
        assert!(matches!(
            json_escape_invisible(&plain),
            std::borrow::Cow::Borrowed(_)
        ));
    }
}
