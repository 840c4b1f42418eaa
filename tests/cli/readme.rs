//! The README's quick start, run as written: every `pdconsent …` line of its shell blocks
//! after the setup, against a scratch database made by the README's own first command.

use crate::common::*;

/// The `pdconsent` command lines of the README's "Quick start" section, continuation lines
/// joined, each with the comment that follows it.
fn quick_start() -> Vec<(String, String)> {
    let readme =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).unwrap();
    let section = readme
        .split("\n## Quick start\n")
        .nth(1)
        .and_then(|s| s.split("\n## ").next())
        .expect("a Quick start section");
    let mut out = Vec::new();
    let mut in_block = false;
    let mut pending = String::new();
    for line in section.lines() {
        if line.starts_with("```") {
            in_block = !in_block;
            continue;
        }
        if !in_block {
            continue;
        }
        let full = format!("{pending}{}", line.trim_start());
        if let Some(head) = full.strip_suffix('\\') {
            pending = head.to_string();
            continue;
        }
        pending.clear();
        let (cmd, comment) = match full.split_once(" # ") {
            Some((c, k)) => (c.trim().to_string(), k.trim().to_string()),
            None => (full.trim().to_string(), String::new()),
        };
        if cmd.starts_with("pdconsent ") {
            out.push((cmd, comment));
        }
    }
    out
}

#[test]
fn the_quick_start_runs_as_written() {
    let env = Env::new();
    // The README's setup command, `apply agreements.example.toml`, into the scratch database.
    env.ok(&["apply", example_file().to_str().unwrap()]);
    let lines = quick_start();
    assert!(lines.len() >= 10, "{lines:?}");
    for (line, comment) in &lines {
        let words = pdconsent::cmd::examples::words(line);
        let args: Vec<&str> = words[1..].iter().map(String::as_str).collect();
        let r = env.run(&args);
        let expected: &[i32] = if comment.contains("exit 1 on any error") {
            &[0, 1]
        } else {
            &[0]
        };
        assert!(
            expected.contains(&r.code),
            "README line `{line}` ({comment}):\n{}",
            r.pinned()
        );
        if comment.contains("exit 0: given") {
            assert_eq!(r.stdout, "given\n", "{line}");
        }
        if comment.contains("prints the seqs") {
            assert!(
                !r.stdout.trim().is_empty() && r.stdout.lines().all(|l| l.parse::<u64>().is_ok()),
                "{line}: {}",
                r.stdout
            );
        }
        if comment.contains("revision 2") {
            assert_eq!(env.revisions("personal-data"), 2, "{line}");
        }
    }
}
