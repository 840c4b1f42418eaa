//! `pdconsent man`: one page for everything on stdout, or with `--dir` one page per command
//! (`pdconsent.1`, `pdconsent-agreement-edit.1` …), each with EXAMPLES, ENVIRONMENT, FILES,
//! EXIT STATUS and SEE ALSO.

use std::path::PathBuf;

use anyhow::Context as _;
use clap_mangen::Man;

use super::{Ctx, Result};
use crate::Outcome;

/// Print the man page (roff), or write one page per command into a directory
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Write pdconsent.1 and a page per command (pdconsent-consent-record.1 …) into DIR
    #[arg(long, value_name = "DIR")]
    pub dir: Option<PathBuf>,
}

pub fn run(_ctx: &Ctx, args: Args) -> Result {
    let mut root = super::examples::command().disable_help_subcommand(true);
    root.build();
    let Some(dir) = args.dir else {
        std::io::Write::write_all(&mut std::io::stdout().lock(), &single_page(&root)?)?;
        return Ok(Outcome::Ok);
    };
    std::fs::create_dir_all(&dir).with_context(|| format!("cannot create `{}`", dir.display()))?;
    let mut written = 0;
    let mut pages = vec![root.clone()];
    let mut is_root = true;
    while let Some(cmd) = pages.pop() {
        pages.extend(cmd.get_subcommands().filter(|s| !s.is_hide_set()).cloned());
        let path = dir.join(new_man(&cmd).get_filename());
        crate::output::file::OutputFile::write_whole(&path, &page(&cmd, is_root)?)?;
        is_root = false;
        written += 1;
    }
    crate::output::notice(&format!(
        "wrote {written} man pages to `{}` (`man -M {} pdconsent` reads them)",
        dir.display(),
        dir.parent().map_or(".".into(), |p| p.display().to_string())
    ));
    Ok(Outcome::Ok)
}

/// A page whose footer names pdconsent and its version (clap's default names the command).
fn new_man(cmd: &clap::Command) -> Man {
    Man::new(cmd.clone()).source(format!("pdconsent {}", env!("CARGO_PKG_VERSION")))
}

/// The page of one command: clap's sections, then ours.
fn page(cmd: &clap::Command, is_root: bool) -> Result<Vec<u8>> {
    let man = new_man(cmd);
    let mut out = Vec::new();
    man.render_title(&mut out)?;
    // Left-aligned: long flags and paths cannot be spread over a justified line.
    out.extend(b".ad l\n");
    man.render_name_section(&mut out)?;
    man.render_synopsis_section(&mut out)?;
    man.render_description_section(&mut out)?;
    if cmd.get_arguments().any(|a| !a.is_hide_set()) {
        man.render_options_section(&mut out)?;
    }
    if cmd.has_subcommands() {
        man.render_subcommands_section(&mut out)?;
    }
    out.extend(examples(cmd).into_bytes());
    out.extend(common_sections(is_root).into_bytes());
    Ok(out)
}

/// `pdconsent man` without `--dir`: the main page with every command as a section of it.
fn single_page(root: &clap::Command) -> Result<Vec<u8>> {
    let man = new_man(root);
    let mut out = Vec::new();
    man.render_title(&mut out)?;
    out.extend(b".ad l\n");
    man.render_name_section(&mut out)?;
    man.render_synopsis_section(&mut out)?;
    man.render_description_section(&mut out)?;
    man.render_options_section(&mut out)?;
    for sub in root.get_subcommands() {
        for leaf in std::iter::once(sub).chain(sub.get_subcommands()) {
            let name = if std::ptr::eq(leaf, sub) {
                sub.get_name().to_string()
            } else {
                format!("{} {}", sub.get_name(), leaf.get_name())
            };
            out.extend(format!(".SH \"PDCONSENT {}\"\n", name.to_uppercase()).into_bytes());
            let mut section = Vec::new();
            Man::new(leaf.clone()).render_description_section(&mut section)?;
            Man::new(leaf.clone()).render_options_section(&mut section)?;
            // Their own `.SH` lines become sub-headings under the command's section.
            out.extend(
                String::from_utf8_lossy(&section)
                    .replace(".SH ", ".SS ")
                    .into_bytes(),
            );
        }
    }
    out.extend(examples(root).into_bytes());
    out.extend(common_sections(true).into_bytes());
    Ok(out)
}

/// Text for roff: backslashes and hyphens escaped, no line starting with a control character.
fn roff(s: &str) -> String {
    let s = s.replace('\\', "\\e").replace('-', "\\-");
    if s.starts_with('.') || s.starts_with('\'') {
        format!("\\&{s}")
    } else {
        s
    }
}

/// The EXAMPLES section from the command's examples (its `after_help`).
fn examples(cmd: &clap::Command) -> String {
    let Some(help) = cmd.get_after_help().map(|h| h.to_string()) else {
        return String::new();
    };
    let lines: Vec<&str> = help
        .lines()
        .skip_while(|l| !l.starts_with("Examples:"))
        .skip(1)
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect();
    if lines.is_empty() {
        return String::new();
    }
    let mut s = String::from(".SH EXAMPLES\n");
    for l in lines {
        s.push_str(&format!(".PP\n.nf\n.RS 4\n{}\n.RE\n.fi\n", roff(l)));
    }
    s
}

fn common_sections(is_root: bool) -> String {
    let mut s = String::new();
    if is_root {
        s.push_str(".SH ENVIRONMENT\n");
        for (var, what) in [
            ("PDCONSENT_DB", "the database file, as --db"),
            (
                "PDCONSENT_KEY",
                "the private key that signs checkpoints, as --key",
            ),
            (
                "PDCONSENT_ACTOR",
                "who is acting, recorded in revisions and the change log, as --actor",
            ),
            (
                "PDCONSENT_NOW",
                "a fixed clock (RFC 3339), for tests and reproducible demos",
            ),
            (
                "NO_COLOR",
                "when set and not empty, no colour and no box drawing",
            ),
        ] {
            s.push_str(&format!(".TP\n.B {}\n{}\n", roff(var), roff(what)));
        }
        s.push_str(".SH FILES\n");
        for (file, what) in [
            (
                "~/.local/share/pdconsent/pdconsent.db",
                "the default database (mode 0600, its directories 0700)",
            ),
            (
                "~/.config/pdconsent/pdconsent.db.key",
                "the default private key of that database (mode 0600); keep it out of the database's backups",
            ),
        ] {
            s.push_str(&format!(".TP\n.I {}\n{}\n", roff(file), roff(what)));
        }
    }
    s.push_str(".SH \"EXIT STATUS\"\n");
    for (code, what) in [
        ("0", "success"),
        (
            "1",
            "the command ran and the answer is negative: a check found errors or differences, a consent status is not given, a verification failed, a batch line was refused, a confirmation was declined",
        ),
        (
            "2",
            "error: usage, bad input, database, I/O; the message says what, where and how to fix it",
        ),
        (
            "130",
            "interrupted before anything was committed; nothing was changed",
        ),
    ] {
        s.push_str(&format!(".TP\n.B {code}\n{}\n", roff(what)));
    }
    s.push_str(".SH \"SEE ALSO\"\n");
    s.push_str(if is_root {
        "The README and docs/guide.md of the pdconsent sources; docs/ledger.md for the ledger's format, docs/auditor.md for auditors.\n"
    } else {
        ".BR pdconsent (1)\n"
    });
    s
}
