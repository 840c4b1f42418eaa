//! Examples for every command's `--help` and man page, in one table: the command line is
//! [`command`], the clap command with each command's examples as its `after_help`. A test
//! parses every example, so none can name a flag that does not exist.

use clap::CommandFactory;

use super::Cli;

/// (command path, examples): two or three real command lines each.
pub const EXAMPLES: &[(&str, &[&str])] = &[
    (
        "info",
        &[
            "pdconsent info",
            "pdconsent --db /srv/pd/consents.db info --format json",
        ],
    ),
    (
        "requisites add",
        &[
            "pdconsent requisites add main --set 'short_name=ООО «Ромашка»' --set inn=7840502513 --default",
            "pdconsent requisites add ip --kind individual --set 'short_name=ИП Петров П. П.' --set inn=775260181506",
        ],
    ),
    (
        "requisites edit",
        &[
            "pdconsent requisites edit main --set phone=+78120000000",
            "pdconsent requisites edit main --unset dpo",
        ],
    ),
    ("requisites history", &["pdconsent requisites history main"]),
    (
        "requisites diff",
        &[
            "pdconsent requisites diff main",
            "pdconsent requisites diff main 1 3",
        ],
    ),
    (
        "requisites show",
        &[
            "pdconsent requisites show main",
            "pdconsent requisites show main --revision 1",
        ],
    ),
    (
        "requisites list",
        &[
            "pdconsent requisites list",
            "pdconsent requisites list --format json",
        ],
    ),
    (
        "requisites remove",
        &[
            "pdconsent requisites remove spare",
            "pdconsent requisites remove spare --yes --format json",
        ],
    ),
    (
        "agreement add",
        &[
            "pdconsent agreement add personal-data --name 'Обработка персональных данных' --template ru-152fz-consent",
            "pdconsent agreement add marketing --name 'Рассылка' --template ru-152fz-marketing --set required=false",
        ],
    ),
    (
        "agreement edit",
        &[
            "pdconsent agreement edit personal-data --add-purpose 'рассмотрение резюме'",
            "pdconsent agreement edit personal-data --set 'term=до отзыва согласия'",
            "pdconsent agreement edit custom --text-file text.j2",
        ],
    ),
    (
        "agreement show",
        &[
            "pdconsent agreement show personal-data",
            "pdconsent agreement show personal-data --revision 1 --format json",
        ],
    ),
    (
        "agreement list",
        &[
            "pdconsent agreement list",
            "pdconsent agreement list --all --format json",
        ],
    ),
    (
        "agreement archive",
        &["pdconsent agreement archive reviews"],
    ),
    (
        "agreement restore",
        &["pdconsent agreement restore reviews"],
    ),
    (
        "agreement history",
        &["pdconsent agreement history personal-data"],
    ),
    (
        "agreement diff",
        &[
            "pdconsent agreement diff personal-data",
            "pdconsent agreement diff personal-data 1 2 --format json",
        ],
    ),
    (
        "agreement preview",
        &[
            "pdconsent agreement preview personal-data --source contact-form",
            "pdconsent agreement preview --all --source contact-form --format json",
            "pdconsent agreement preview personal-data --source contact-form --at 2026-01-01T00:00:00Z",
        ],
    ),
    (
        "agreement check",
        &[
            "pdconsent agreement check --all",
            "pdconsent agreement check personal-data --source contact-form --format json",
        ],
    ),
    (
        "agreement texts",
        &[
            "pdconsent agreement texts personal-data",
            "pdconsent agreement texts personal-data --source contact-form",
        ],
    ),
    (
        "source add",
        &[
            "pdconsent source add contact-form --kind form --name 'Форма обратной связи' --set url=https://example.ru/contacts --link personal-data,required=true",
            "pdconsent source add site-chat --kind openline --name 'Чат на сайте'",
        ],
    ),
    (
        "source edit",
        &[
            "pdconsent source edit contact-form --add-field телефон",
            "pdconsent source edit contact-form --link marketing,required=false",
        ],
    ),
    ("source history", &["pdconsent source history contact-form"]),
    ("source diff", &["pdconsent source diff contact-form"]),
    (
        "source show",
        &[
            "pdconsent source show contact-form",
            "pdconsent source show contact-form --format json",
        ],
    ),
    (
        "source list",
        &["pdconsent source list", "pdconsent source list --all"],
    ),
    ("source archive", &["pdconsent source archive old-form"]),
    ("source restore", &["pdconsent source restore old-form"]),
    ("template list", &["pdconsent template list"]),
    (
        "template show",
        &["pdconsent template show ru-152fz-consent"],
    ),
    (
        "consent record",
        &[
            "pdconsent consent record --source contact-form --field email=ivan@example.ru --agreement personal-data --ip 203.0.113.7",
            "echo '{\"source\":\"contact-form\",\"fields\":{\"email\":\"ivan@example.ru\"}}' | pdconsent consent record --json -",
            "pdconsent consent record --batch queue.jsonl --group-lines 500",
        ],
    ),
    (
        "consent withdraw",
        &[
            "pdconsent consent withdraw --subject email=ivan@example.ru --reason 'письмо от 01.12' --channel email",
            "pdconsent consent withdraw 41 42 --yes",
        ],
    ),
    (
        "consent status",
        &["pdconsent consent status --source site-chat --subject phone=+79161234567"],
    ),
    (
        "consent list",
        &[
            "pdconsent consent list --source contact-form --since 7d",
            "pdconsent consent list --subject email=ivan@example.ru --format json",
            "pdconsent consent list --event withdrawn -n 20 --after 120",
        ],
    ),
    (
        "consent show",
        &[
            "pdconsent consent show 41",
            "pdconsent consent show 41 --format json",
        ],
    ),
    (
        "consent receipt",
        &[
            "pdconsent consent receipt 41 -o receipt.html --format html",
            "pdconsent consent receipt 41 --format json",
        ],
    ),
    (
        "consent import",
        &[
            "pdconsent consent import old-system.csv",
            "pdconsent consent import web1.jsonl --input-format jsonl --skip-invalid --rejects rejects.csv",
        ],
    ),
    (
        "consent export",
        &[
            "pdconsent consent export --format csv --excel -o consents.csv",
            "pdconsent consent export --format csv --header-lang ru --tz Europe/Moscow --since 2026-01-01",
            "pdconsent consent export -o ledger.jsonl",
        ],
    ),
    (
        "ledger head",
        &[
            "pdconsent ledger head",
            "pdconsent ledger head --format json",
        ],
    ),
    (
        "ledger prove",
        &[
            "pdconsent ledger prove 41",
            "pdconsent ledger prove 41 --size 1200 --format json",
        ],
    ),
    (
        "ledger verify",
        &[
            "pdconsent ledger verify",
            "pdconsent ledger verify --checkpoint last.checkpoint --vkey @vkey.txt",
            "pdconsent ledger verify --expect-head '1200:q0y5Zs5tfqQWXFmN2EXGb1Lo5K3r1gF4mLhLrW/9HtI='",
        ],
    ),
    (
        "ledger key init",
        &[
            "pdconsent ledger key init --origin example.ru/consents",
            "pdconsent ledger key init --rotate",
        ],
    ),
    ("ledger key list", &["pdconsent ledger key list"]),
    (
        "ledger checkpoint",
        &["pdconsent ledger checkpoint -o /mnt/elsewhere/$(date +%F).checkpoint"],
    ),
    (
        "ledger consistency",
        &[
            "pdconsent ledger consistency last.checkpoint",
            "pdconsent ledger consistency receipt.txt --to today.checkpoint",
        ],
    ),
    (
        "subject due",
        &[
            "pdconsent subject due",
            "pdconsent subject due --within 30 --format json",
        ],
    ),
    (
        "subject erase",
        &[
            "pdconsent subject erase --subject email=ivan@example.ru --yes",
            "pdconsent subject erase --due --yes",
        ],
    ),
    (
        "receipt verify",
        &[
            "pdconsent receipt verify receipt.html --vkey @vkey.txt",
            "pdconsent receipt verify receipt.txt --vkey @vkey.txt --checkpoint today.checkpoint --consistency proof.txt",
        ],
    ),
    ("setting list", &["pdconsent setting list"]),
    (
        "setting set",
        &["pdconsent setting set time_zone Asia/Yekaterinburg"],
    ),
    ("setting unset", &["pdconsent setting unset time_zone"]),
    (
        "log",
        &[
            "pdconsent log --since 7d",
            "pdconsent log --kind agreement --code personal-data --format json",
        ],
    ),
    (
        "audit-pack",
        &[
            "pdconsent audit-pack pack-2026-q4 --since 2026-10-01 --until 2026-12-31",
            "pdconsent audit-pack pack.zip --zip",
        ],
    ),
    (
        "audit-pack verify",
        &["pdconsent audit-pack verify pack.zip --vkey @vkey.txt"],
    ),
    (
        "backup",
        &[
            "pdconsent backup /var/backups/pdconsent/$(date +%F).db",
            "pdconsent --db /srv/pd/consents.db backup copy.db --force --format json",
        ],
    ),
    (
        "apply",
        &[
            "pdconsent apply agreements.toml",
            "pdconsent apply --check agreements.toml --format json",
            "pdconsent apply --dry-run --archive-missing agreements.toml",
        ],
    ),
    (
        "dump",
        &[
            "pdconsent dump -o agreements.toml",
            "pdconsent dump --format json",
        ],
    ),
    (
        "completions",
        &[
            "pdconsent completions bash > /etc/bash_completion.d/pdconsent",
            "pdconsent completions zsh > ~/.zfunc/_pdconsent",
        ],
    ),
    (
        "man",
        &[
            "pdconsent man --dir /usr/local/share/man/man1",
            "pdconsent man | man -l -",
        ],
    ),
];

/// The examples of a command, as its `--help` prints them.
pub fn after_help(examples: &[&str]) -> String {
    let mut s = String::from("Examples:");
    for e in examples {
        s.push_str("\n  ");
        s.push_str(e);
    }
    s
}

/// The command line: [`Cli`] with every command's examples.
pub fn command() -> clap::Command {
    let mut cmd = Cli::command().after_help(after_help(&[
        "pdconsent apply agreements.toml",
        "pdconsent agreement preview personal-data --source contact-form --format html",
        "pdconsent consent record --source contact-form --field email=ivan@example.ru --agreement personal-data",
    ]));
    for (path, examples) in EXAMPLES {
        let names: Vec<&str> = path.split(' ').collect();
        cmd = attach(cmd, &names, &after_help(examples));
    }
    super::complete::attach(cmd)
}

fn attach(cmd: clap::Command, path: &[&str], text: &str) -> clap::Command {
    match path {
        [] => cmd.after_help(text.to_string()),
        [first, rest @ ..] => {
            let text = text.to_string();
            let rest: Vec<String> = rest.iter().map(|s| s.to_string()).collect();
            cmd.mut_subcommand(*first, move |sub| {
                let rest: Vec<&str> = rest.iter().map(String::as_str).collect();
                attach(sub, &rest, &text)
            })
        }
    }
}

/// Splits an example's shell line into words (for the tests that run examples): quotes ('…', "…") and `$(…)` kept whole; the pdconsent
/// command is the part after a `|` and before a `>` or `|`.
pub fn words(line: &str) -> Vec<String> {
    let line = line
        .rsplit_once("| pdconsent")
        .map_or(line.to_string(), |(_, r)| format!("pdconsent{r}"));
    let mut out = Vec::new();
    let mut cur = String::new();
    let (mut quote, mut depth) = (None::<char>, 0);
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), c) => cur.push(c),
            (None, '\'' | '"') => quote = Some(c),
            (None, '$') if chars.peek() == Some(&'(') => {
                depth += 1;
                cur.push('$');
            }
            (None, ')') if depth > 0 => {
                depth -= 1;
                cur.push(')');
            }
            (None, ' ') if depth == 0 => {
                if !cur.is_empty() {
                    out.push(std::mem::take(&mut cur));
                }
            }
            (None, '>' | '|') if depth == 0 => break,
            (None, c) => cur.push(c),
        }
    }
    if !cur.is_empty() {
        out.push(cur);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn leaves(cmd: &clap::Command, path: Vec<String>, out: &mut Vec<String>) {
        let subs: Vec<_> = cmd
            .get_subcommands()
            .filter(|s| s.get_name() != "help")
            .collect();
        // A command with subcommands of its own that also runs alone (audit-pack DIR).
        if (subs.is_empty() || cmd.get_arguments().any(|a| a.is_positional())) && !path.is_empty() {
            out.push(path.join(" "));
        }
        for s in subs {
            let mut p = path.clone();
            p.push(s.get_name().to_string());
            leaves(s, p, out);
        }
    }

    #[test]
    fn every_command_has_examples_and_every_example_parses() {
        let mut all = Vec::new();
        leaves(&Cli::command(), Vec::new(), &mut all);
        assert!(all.len() > 50, "{all:?}");
        for path in &all {
            assert!(
                EXAMPLES.iter().any(|(p, _)| p == path),
                "`{path}` has no examples"
            );
        }
        for (path, examples) in EXAMPLES {
            assert!(all.iter().any(|p| p == path), "`{path}` is not a command");
            assert!(!examples.is_empty());
            for e in *examples {
                let w = words(e);
                assert_eq!(w[0], "pdconsent", "{e}");
                let m = command()
                    .try_get_matches_from(&w)
                    .unwrap_or_else(|err| panic!("`{e}` does not parse: {err}"));
                // The example runs the command it documents.
                let mut found = Vec::new();
                let mut m = &m;
                while let Some((name, sub)) = m.subcommand() {
                    found.push(name);
                    m = sub;
                }
                assert_eq!(
                    found.join(" "),
                    *path,
                    "`{e}` is an example of another command"
                );
            }
        }
    }

    #[test]
    fn the_examples_show_in_help() {
        let help = command()
            .try_get_matches_from(["pdconsent", "consent", "export", "--help"])
            .unwrap_err()
            .to_string();
        assert!(
            help.contains("Examples:\n  pdconsent consent export --format csv --excel"),
            "{help}"
        );
    }
}
