//! Bounds on a template's shape, checked on its source before minijinja
//! compiles it, so that no template can overflow the stack.
//!
//! minijinja's parser (for chains of `not` and of unary `-`), its compiler and
//! the drop of its syntax tree recurse once per level of an expression. A long
//! chain in one tag — `{{ 1+1+…+1 }}`, `{{ x|upper|upper… }}`, `{{ a.a.a… }}`,
//! `{{ not not … x }}` — overflows the stack, and a stack overflow aborts the
//! process: no message, exit 134.
//!
//! Measured with minijinja 3.1.0 and this crate's profiles, compiling and
//! rendering on a thread of the given stack; the shortest chain in one `{{ }}`
//! that crashed (dev profile / release profile):
//!
//! | chain            | 8 MiB stack       | 2 MiB stack       |
//! |------------------|-------------------|-------------------|
//! | `+1`             | 29,098 / 26,191   | 7,252 / 6,530     |
//! | `\|upper`        | 40,291 / 40,296   | 10,044 / 10,049   |
//! | `.a`             | 40,292 / 40,297   | 10,044 / 10,049   |
//! | `not `           | 22,762 / 26,193   | 5,666 / 6,532     |
//! | `-` (negation)   | 29,099 / 19,394   | 7,253 / 4,831     |
//! | `1 if x else `   | 32,720 / 40,280   | 8,144 / 10,032    |
//! | ` and x`         | 29,100 / 26,193   | 7,254 / 6,532     |
//! | `()`             | 26,190 / 26,194   | 6,529 / 6,533     |
//! | `[0]`            | 40,290 / 40,297   | 10,043 / 10,049   |
//!
//! That is at worst some 430 bytes of stack per level. Brackets and nested
//! blocks stop at minijinja's own parser limit (150 levels) with an error.
//!
//! The limits here are far below all of these — [`MAX_TAG_OPERATIONS`] is 24
//! times under the lowest crash on a 2 MiB stack — and far above any legal
//! text: the built-in templates have at most 9 operations in a tag, 3 levels of
//! blocks and tags of 103 bytes. On top of that, rendering runs on a thread of its own with a
//! large stack (`RENDER_STACK_BYTES` in `render.rs`).

use super::TemplateError;

/// The most a template (a custom text) may hold: 256 KiB. The longest built-in
/// template is under 10 KiB; a long legal text is some 50 KiB.
pub const MAX_TEMPLATE_BYTES: usize = 256 * 1024;

/// The longest one `{{ … }}` or `{% … %}` tag may be, delimiters included: 4 KiB.
pub const MAX_TAG_BYTES: usize = 4 * 1024;

/// The most operations one tag may hold: operators, filters and tests,
/// attribute accesses, calls, subscripts and brackets, each counted once.
pub const MAX_TAG_OPERATIONS: usize = 200;

/// The deepest that blocks — `{% if %}`, `{% for %}`, `{% macro %}`,
/// `{% call %}`, `{% filter %}`, `{% with %}`, `{% set %}…{% endset %}`,
/// `{% block %}`, `{% autoescape %}` — may be nested.
pub const MAX_BLOCK_DEPTH: usize = 32;

/// Statements that open a block closed by `{% end… %}` (`set` only without `=`).
const BLOCKS: &[&str] = &[
    "if",
    "for",
    "macro",
    "call",
    "filter",
    "with",
    "block",
    "autoescape",
];

/// Words that are operators in an expression.
const KEYWORD_OPERATORS: &[&str] = &["not", "and", "or", "if", "else", "is", "in"];

/// Checks a template's source against the limits above. It follows minijinja's
/// lexer — `{# comments #}` and `{% raw %}…{% endraw %}` are text, strings
/// inside a tag are skipped, a tag ends at `}}`/`%}` outside brackets — so that
/// every operation minijinja would compile is counted. A template that is
/// otherwise broken passes here and fails in minijinja with its own message.
pub fn check(source: &str) -> Result<(), TemplateError> {
    let b = source.as_bytes();
    let mut i = 0;
    let mut depth = 0usize;
    while let Some(start) = next_opening(b, i) {
        let kind = b[start + 1];
        let mut body = start + 2;
        if kind == b'#' {
            match find(b, body, b"#}") {
                Some(end) => {
                    i = end + 2;
                    continue;
                }
                None => break,
            }
        }
        if matches!(b.get(body), Some(b'-' | b'+')) {
            body += 1;
        }
        if kind == b'%'
            && let Some(len) = basic_tag(&b[body..], "raw", false)
        {
            match end_of_raw(b, body + len) {
                Some(after) => {
                    i = after;
                    continue;
                }
                None => break,
            }
        }
        let closer: &[u8] = if kind == b'{' { b"}}" } else { b"%}" };
        let tag = scan_tag(source, body, closer);
        let at = |message: String| error_at(source, start, message);
        if tag.operations > MAX_TAG_OPERATIONS {
            return Err(at(format!(
                "this tag has {} operations (operators, filters, attribute accesses, calls and brackets); the limit is {MAX_TAG_OPERATIONS} in one tag, so split the expression with `{{% set %}}`",
                tag.operations
            )));
        }
        if tag.end - start > MAX_TAG_BYTES {
            return Err(at(format!(
                "this tag is {} bytes long; the limit is {} KiB for one `{{{{ … }}}}` or `{{% … %}}` tag",
                tag.end - start,
                MAX_TAG_BYTES / 1024
            )));
        }
        if kind == b'%' {
            match tag.first_word {
                Some(w) if w.starts_with("end") => depth = depth.saturating_sub(1),
                Some("set") if !tag.assigns => depth += 1,
                Some(w) if BLOCKS.contains(&w) => depth += 1,
                _ => {}
            }
            if depth > MAX_BLOCK_DEPTH {
                return Err(at(format!(
                    "blocks are nested {depth} deep here; the limit is {MAX_BLOCK_DEPTH} levels of `{{% if %}}`, `{{% for %}}` and other blocks"
                )));
            }
        }
        i = tag.end;
    }
    // Checked last, so that a template that is too long because of one long
    // chain is told the line of that chain.
    if source.len() > MAX_TEMPLATE_BYTES {
        return Err(TemplateError {
            line: None,
            column: None,
            message: format!(
                "the template is {} bytes long; the limit is {} KiB",
                source.len(),
                MAX_TEMPLATE_BYTES / 1024
            ),
        });
    }
    Ok(())
}

/// The next `{{`, `{%` or `{#` at or after `from`.
fn next_opening(b: &[u8], from: usize) -> Option<usize> {
    let mut i = from;
    while i + 1 < b.len() {
        if b[i] == b'{' && matches!(b[i + 1], b'{' | b'%' | b'#') {
            return Some(i);
        }
        i += 1;
    }
    None
}

fn find(b: &[u8], from: usize, needle: &[u8]) -> Option<usize> {
    b.get(from..)?
        .windows(needle.len())
        .position(|w| w == needle)
        .map(|p| from + p)
}

fn skip_ws(b: &[u8], mut i: usize) -> usize {
    while b.get(i).is_some_and(u8::is_ascii_whitespace) {
        i += 1;
    }
    i
}

/// `[-+]? ws* name ws* [-+]? %}` at the start of `b` (as minijinja matches
/// `raw` and `endraw`): the length up to and including `%}`.
fn basic_tag(b: &[u8], name: &str, ws_control: bool) -> Option<usize> {
    let mut i = 0;
    if ws_control && matches!(b.first(), Some(b'-' | b'+')) {
        i += 1;
    }
    i = skip_ws(b, i);
    if !b.get(i..)?.starts_with(name.as_bytes()) {
        return None;
    }
    i = skip_ws(b, i + name.len());
    if matches!(b.get(i), Some(b'-' | b'+')) {
        i += 1;
    }
    b.get(i..)?.starts_with(b"%}").then_some(i + 2)
}

/// Where the text after `{% endraw %}` starts.
fn end_of_raw(b: &[u8], from: usize) -> Option<usize> {
    let mut i = from;
    while let Some(open) = find(b, i, b"{%") {
        if let Some(len) = basic_tag(&b[open + 2..], "endraw", true) {
            return Some(open + 2 + len);
        }
        i = open + 2;
    }
    None
}

struct Tag<'a> {
    /// Just past the closing `}}`/`%}` (the end of the source for an unclosed tag).
    end: usize,
    operations: usize,
    /// The statement of a `{% %}` tag.
    first_word: Option<&'a str>,
    /// Whether the tag has an `=` (a `{% set x = … %}` opens no block).
    assigns: bool,
}

/// Scans the inside of a tag from `i` to its closer, token by token like
/// minijinja's lexer.
fn scan_tag<'a>(source: &'a str, mut i: usize, closer: &[u8]) -> Tag<'a> {
    let b = source.as_bytes();
    let mut balance = 0isize;
    let mut operations = 0;
    let mut first_word = None;
    let mut first = true;
    let mut assigns = false;
    loop {
        i = skip_ws(b, i);
        let Some(&c) = b.get(i) else {
            break;
        };
        if balance <= 0 {
            if matches!(c, b'-' | b'+') && b[i + 1..].starts_with(closer) {
                i += 1 + closer.len();
                break;
            }
            if b[i..].starts_with(closer) {
                i += closer.len();
                break;
            }
        }
        let was_first = first;
        first = false;
        if let Some(two) = b.get(i..i + 2)
            && matches!(two, b"//" | b"**" | b"==" | b"!=" | b">=" | b"<=")
        {
            operations += 1;
            i += 2;
            continue;
        }
        match c {
            b'(' | b'[' | b'{' => {
                balance += 1;
                operations += 1;
            }
            b')' | b']' | b'}' => balance -= 1,
            b'+' | b'-' | b'*' | b'/' | b'%' | b'.' | b'~' | b'|' | b'<' | b'>' => operations += 1,
            b'=' => assigns = true,
            b'"' | b'\'' => {
                i = end_of_string(b, i);
                continue;
            }
            c if c.is_ascii_alphanumeric() || c == b'_' => {
                let start = i;
                while b
                    .get(i)
                    .is_some_and(|c| c.is_ascii_alphanumeric() || *c == b'_')
                {
                    i += 1;
                }
                // Numbers are read the same way; they are never keywords.
                let word = &source[start..i];
                if KEYWORD_OPERATORS.contains(&word) {
                    operations += 1;
                }
                if was_first && !c.is_ascii_digit() {
                    first_word = Some(word);
                }
                continue;
            }
            // `,`, `:`, and bytes minijinja will refuse.
            _ => {}
        }
        i += 1;
    }
    Tag {
        end: i,
        operations,
        first_word,
        assigns,
    }
}

/// Just past the quote that closes the string opening at `i` (the end of the
/// source if it is never closed); a backslash escapes the next byte.
fn end_of_string(b: &[u8], i: usize) -> usize {
    let quote = b[i];
    let mut j = i + 1;
    while j < b.len() {
        match b[j] {
            b'\\' => j += 2,
            c if c == quote => return j + 1,
            _ => j += 1,
        }
    }
    b.len()
}

fn error_at(source: &str, at: usize, message: String) -> TemplateError {
    let before = &source[..at];
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    TemplateError {
        line: Some(line),
        column: Some(before[line_start..].chars().count() + 1),
        message,
    }
}

#[cfg(test)]
mod tests;
