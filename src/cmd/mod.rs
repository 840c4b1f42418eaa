//! One subcommand, one file: `pdconsent agreement edit` is `cmd/agreement/edit.rs`.
//! A command turns its arguments into a domain request, runs it in one
//! transaction, and prints the result. clap stops here: the command line
//! ([`Cli`]) is defined here and in each command's file, and only this module
//! and `main.rs` see it.

pub mod agreement;
pub mod apply;
pub mod archiving;
pub mod audit;
pub mod backup;
pub mod complete;
pub mod completions;
pub mod consent;
pub mod dump;
pub mod examples;
pub mod info;
pub mod ledger;
pub mod log;
pub mod man;
pub mod receipt;
pub mod requisites;
pub mod revisions;
pub mod setting;
pub mod source;
pub mod subject;
pub mod template;
pub mod texts;

use std::path::PathBuf;

use anyhow::Context as _;
use chrono::{DateTime, Utc};
use clap::{Args, Parser, Subcommand};

use crate::domain::{Clock, FixedClock, SystemClock, timestamp};
use crate::output::Output;
use crate::output::{ColorChoice, Format};
use crate::prompt::{self, Prompter};
use crate::storage::{Access, Store};
use crate::{Aborted, HintExt, Outcome};

/// Consent agreements, requisites, sources and a tamper-evident consent ledger
/// for personal-data operators (152-FZ), in one local SQLite file.
#[derive(Debug, Parser)]
#[command(
    name = "pdconsent",
    version,
    propagate_version = true,
    max_term_width = 100
)]
pub struct Cli {
    #[command(flatten)]
    pub global: GlobalArgs,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Clone, Args)]
#[command(next_help_heading = "Global options")]
pub struct GlobalArgs {
    /// Database file [default: pdconsent.db in the user's data directory,
    /// e.g. ~/.local/share/pdconsent/]
    #[arg(long, global = true, env = "PDCONSENT_DB", value_name = "PATH")]
    pub db: Option<PathBuf>,
    /// Output format: table or json for listings; text, markdown, html or json for previews
    #[arg(long, global = true, value_enum, value_name = "FORMAT")]
    pub format: Option<Format>,
    /// Never prompt; a missing value is an error naming its flag
    #[arg(long, global = true)]
    pub no_input: bool,
    /// Answer yes to confirmations
    #[arg(long, short = 'y', global = true)]
    pub yes: bool,
    /// When to use colour and box drawing (NO_COLOR is honoured)
    #[arg(long, global = true, value_enum, default_value_t = ColorChoice::Auto, value_name = "WHEN")]
    pub color: ColorChoice,
    /// The private key that signs checkpoints [default: <config dir>/pdconsent/<db name>.key,
    /// e.g. ~/.config/pdconsent/pdconsent.db.key]
    #[arg(long, global = true, env = "PDCONSENT_KEY", value_name = "FILE")]
    pub key: Option<PathBuf>,
    /// Who is acting, recorded in revisions and the change log [default: the OS user name]
    #[arg(long, global = true, env = "PDCONSENT_ACTOR", value_name = "NAME")]
    pub actor: Option<String>,
}

// Parsed once per run: the size of the largest variant does not matter.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Show the database path, schema version and object counts
    Info(info::Args),
    /// Manage the operator's legal details (реквизиты)
    #[command(subcommand)]
    Requisites(requisites::Command),
    /// Manage consent agreements and their revisions
    #[command(subcommand)]
    Agreement(agreement::Command),
    /// Manage sources: web forms and chat channels
    #[command(subcommand)]
    Source(source::Command),
    /// List and show the built-in templates
    #[command(subcommand)]
    Template(template::Command),
    /// Record, withdraw, look up and export consents
    #[command(subcommand)]
    Consent(consent::Command),
    /// The consent ledger's tree: its head, inclusion proofs, verification
    #[command(subcommand)]
    Ledger(ledger::Command),
    /// A person's data after withdrawal: what is due for destruction, and erasure
    #[command(subcommand)]
    Subject(subject::Command),
    /// Check a consent receipt offline, without the database
    #[command(subcommand)]
    Receipt(receipt::Command),
    /// The operator's settings kept in the database (the time zone of deadlines)
    #[command(subcommand)]
    Setting(setting::Command),
    /// Show the admin change log
    Log(log::Args),
    /// The auditor's evidence package: write one (DIR) or check one (`verify DIR`)
    AuditPack(audit::Args),
    /// Copy the database into a file while others go on writing (online backup)
    Backup(backup::Args),
    /// Make the database match a TOML file (plan, then one transaction)
    Apply(apply::Args),
    /// Print the current configuration as TOML that `apply` accepts
    Dump(dump::Args),
    /// Print a shell completion script
    Completions(completions::Args),
    /// Print the man page
    Man(man::Args),
}

pub type Result<T = Outcome> = anyhow::Result<T>;

/// What every command gets: the global options, stdout, the clock.
pub struct Ctx {
    pub global: GlobalArgs,
    pub out: Output,
    clock: std::sync::Arc<dyn Clock>,
}

/// Tests (and reproducible demos) fix the clock with this variable.
pub const NOW_ENV: &str = "PDCONSENT_NOW";

impl Ctx {
    pub fn new(global: GlobalArgs) -> Result<Ctx> {
        let clock: std::sync::Arc<dyn Clock> = match std::env::var(NOW_ENV) {
            Ok(v) if !v.is_empty() => {
                let t = DateTime::parse_from_rfc3339(&v)
                    .with_context(|| format!("{NOW_ENV}=`{v}` is not an RFC 3339 time"))
                    .hint(format!(
                        "use e.g. {NOW_ENV}=2026-01-31T12:00:00Z, or unset it"
                    ))?;
                std::sync::Arc::new(FixedClock(t.with_timezone(&Utc)))
            }
            _ => std::sync::Arc::new(SystemClock),
        };
        Ok(Ctx {
            out: Output::new(global.color),
            global,
            clock,
        })
    }

    pub fn db_path(&self) -> Result<PathBuf> {
        if let Some(p) = &self.global.db {
            return Ok(p.clone());
        }
        let dirs = directories::ProjectDirs::from("", "", "pdconsent")
            .context("cannot find the user's data directory (is HOME set?)")
            .hint("give the database file with --db PATH or PDCONSENT_DB")?;
        Ok(dirs.data_dir().join("pdconsent.db"))
    }

    /// Opens the database to write; a missing one is created by the first commit.
    pub fn open(&self) -> Result<Store> {
        self.open_for(Access::Write)
    }

    /// Opens the database to read: never creates, converts or locks it for writing.
    pub fn open_read(&self) -> Result<Store> {
        self.open_for(Access::Read)
    }

    fn open_for(&self, access: Access) -> Result<Store> {
        let path = self.db_path()?;
        let store = Store::open(&path, access)?;
        for w in store.warnings() {
            crate::output::warning(w, None);
        }
        Ok(store)
    }

    /// Runs `attempt` (read, compute, write) again when another process changed
    /// what it read before it wrote, with a jittered, growing pause; a bounded
    /// number of times, then the conflict is reported with a hint.
    pub fn retrying<T>(&self, mut attempt: impl FnMut() -> Result<T>) -> Result<T> {
        let mut n = 1;
        loop {
            match attempt() {
                Err(e) if n < crate::storage::ATTEMPTS && is_contention(&e) => {
                    std::thread::sleep(crate::storage::backoff(n));
                    n += 1;
                }
                other => return other,
            }
        }
    }

    /// The current time (fixed by PDCONSENT_NOW in tests).
    pub fn clock_now(&self) -> DateTime<Utc> {
        self.clock.now()
    }

    /// The clock, for a thread of the command's own.
    pub fn clock(&self) -> std::sync::Arc<dyn Clock> {
        self.clock.clone()
    }

    pub fn now(&self) -> String {
        timestamp(self.clock.now())
    }

    pub fn actor(&self) -> String {
        self.global
            .actor
            .clone()
            .filter(|a| !a.trim().is_empty())
            .or_else(|| whoami::username().ok())
            .unwrap_or_else(|| "unknown".to_string())
    }

    /// The output format for a command that supports `allowed`, the first being its default.
    pub fn format(&self, allowed: &[Format], command: &str) -> Result<Format> {
        match self.global.format {
            None => Ok(allowed[0]),
            Some(f) if allowed.contains(&f) => Ok(f),
            Some(f) => {
                let names: Vec<&str> = allowed.iter().map(|f| f.as_str()).collect();
                Err(anyhow::anyhow!(
                    "`--format {}` is not available for `pdconsent {command}`",
                    f.as_str()
                ))
                .hint(format!("use --format {}", names.join(" or --format ")))
            }
        }
    }

    pub fn interactive(&self) -> bool {
        prompt::interactive(self.global.no_input)
    }

    pub fn prompter(&self) -> Box<dyn Prompter> {
        prompt::for_session(self.global.no_input)
    }

    /// Asks before something that cannot be undone; `--yes` answers for the user.
    pub fn confirm(&self, prompter: &mut dyn Prompter, question: &str) -> Result<()> {
        if self.global.yes || prompter.confirm(question, false)? {
            Ok(())
        } else {
            Err(Aborted.into())
        }
    }
}

pub fn run(cli: Cli) -> Result {
    let ctx = Ctx::new(cli.global)?;
    dispatch(&ctx, cli.command).map_err(|e| suggest_code(&ctx, e))
}

/// An agreement, source or set of requisites that does not exist: the hint names the code
/// most like it, when one is (read from the database, which the failed command left as it was).
fn suggest_code(ctx: &Ctx, e: anyhow::Error) -> anyhow::Error {
    use crate::domain::field::ObjectKind;
    let Some((kind, code)) = e.chain().find_map(|c| match c.downcast_ref() {
        Some(crate::storage::StoreError::NotFound { kind, code }) => Some((*kind, code.clone())),
        _ => None,
    }) else {
        return e;
    };
    let codes = (|| -> Result<Vec<String>> {
        let mut store = Store::open(&ctx.db_path()?, Access::Read)?;
        store.read(|tx| -> Result<Vec<String>> {
            Ok(match kind {
                ObjectKind::Requisites => tx
                    .requisites_list()?
                    .into_iter()
                    .map(|r| r.requisites.code)
                    .collect(),
                ObjectKind::Agreement => tx
                    .agreement_list(true)?
                    .into_iter()
                    .map(|a| a.code)
                    .collect(),
                ObjectKind::Source => tx
                    .source_list(true)?
                    .into_iter()
                    .map(|s| s.source.code)
                    .collect(),
            })
        })
    })()
    .unwrap_or_default();
    match crate::domain::suggest::closest(&code, codes.iter().map(String::as_str)) {
        Some(s) => {
            let rest = crate::error::hint_of(&e);
            let hint = match rest {
                Some(h) => format!("did you mean `{s}`? Otherwise {h}"),
                None => format!("did you mean `{s}`?"),
            };
            anyhow::Error::new(crate::error::Hinted { error: e, hint })
        }
        None => e,
    }
}

fn is_contention(e: &anyhow::Error) -> bool {
    e.chain()
        .filter_map(|c| c.downcast_ref::<crate::storage::StoreError>())
        .any(|s| s.is_contention())
}

fn dispatch(ctx: &Ctx, command: Command) -> Result {
    match command {
        Command::Info(args) => info::run(ctx, args),
        Command::Requisites(c) => requisites::run(ctx, c),
        Command::Agreement(c) => agreement::run(ctx, c),
        Command::Source(c) => source::run(ctx, c),
        Command::Template(c) => template::run(ctx, c),
        Command::Consent(c) => consent::run(ctx, c),
        Command::Ledger(c) => ledger::run(ctx, c),
        Command::Subject(c) => subject::run(ctx, c),
        Command::Setting(c) => setting::run(ctx, c),
        Command::Receipt(c) => receipt::run(ctx, c),
        Command::AuditPack(a) => audit::run(ctx, a),
        Command::Backup(a) => backup::run(ctx, a),
        Command::Log(args) => log::run(ctx, args),
        Command::Apply(args) => apply::run(ctx, args),
        Command::Dump(args) => dump::run(ctx, args),
        Command::Completions(args) => completions::run(ctx, args),
        Command::Man(args) => man::run(ctx, args),
    }
}

/// Parses a `--since`/`--until` value: RFC 3339; a date (its start, or with `end_of_day` its
/// last second); `today` or `yesterday` (UTC days, the same); or a span back from `now`:
/// `30m`, `12h`, `7d`, `2w`.
pub fn parse_bound(flag: &str, v: &str, end_of_day: bool, now: DateTime<Utc>) -> Result<String> {
    use chrono::{Duration, NaiveDate};
    let v = v.trim();
    if let Ok(t) = DateTime::parse_from_rfc3339(v) {
        return Ok(crate::domain::timestamp(t.with_timezone(&Utc)));
    }
    let day = match v {
        "today" => Some(now.date_naive()),
        "yesterday" => now.date_naive().pred_opt(),
        _ => NaiveDate::parse_from_str(v, "%Y-%m-%d").ok(),
    };
    if let Some(d) = day {
        let t = if end_of_day {
            d.and_hms_opt(23, 59, 59)
        } else {
            d.and_hms_opt(0, 0, 0)
        };
        return Ok(crate::domain::timestamp(
            t.context("invalid time")?.and_utc(),
        ));
    }
    let span = v
        .char_indices()
        .last()
        .and_then(|(i, unit)| Some((v[..i].parse::<i64>().ok()?, unit)))
        .and_then(|(n, unit)| match unit {
            'm' => Duration::try_minutes(n),
            'h' => Duration::try_hours(n),
            'd' => Duration::try_days(n),
            'w' => Duration::try_weeks(n),
            _ => None,
        })
        .filter(|d| *d >= Duration::zero())
        .and_then(|d| now.checked_sub_signed(d));
    match span {
        Some(t) => Ok(crate::domain::timestamp(t)),
        None => Err(anyhow::anyhow!(
            "`{flag} {v}` is not a date, an RFC 3339 time or a span such as 7d"
        ))
        .hint(format!(
            "write {flag} 2026-01-31, {flag} 2026-01-31T12:00:00Z, {flag} yesterday or {flag} 7d"
        )),
    }
}

/// Splits `key=value`, with the error naming the flag and the hint showing `example`
/// (a `key=value` of that flag).
pub fn key_value(s: &str, flag: &str, example: &str) -> Result<(String, String)> {
    s.split_once('=')
        .map(|(k, v)| (k.trim().to_string(), v.to_string()))
        .with_context(|| format!("`{flag} {s}` is not key=value"))
        .hint(format!("write e.g. `{flag} {example}`"))
}

/// The example of `--set` in the hint of [`key_value`].
pub const SET_EXAMPLE: &str = "short_name=ООО «Ромашка»";

/// What an edit is about to change, for the wizard's confirmation.
pub fn describe_changes(changes: &[crate::domain::diff::FieldChange]) -> String {
    let mut lines = vec!["changes:".to_string()];
    for c in changes {
        lines.push(format!("  {}:", c.field));
        lines.extend(
            crate::domain::diff::describe(c)
                .into_iter()
                .map(|l| format!("    {l}")),
        );
    }
    lines.join("\n")
}

/// Value parsers that list the accepted values in `--help` and suggest one for a typo; the
/// value reaches the domain's own parser unchanged (which also reads it from files).
pub mod values {
    use clap::builder::{PossibleValue, PossibleValuesParser};

    pub fn source_kind() -> PossibleValuesParser {
        PossibleValuesParser::new([
            PossibleValue::new("form")
                .help("a web form")
                .alias("web-form"),
            PossibleValue::new("openline")
                .help("a chat channel")
                .aliases(["open-line", "chat"]),
        ])
    }

    pub fn requisites_kind() -> PossibleValuesParser {
        PossibleValuesParser::new([
            PossibleValue::new("legal")
                .help("a legal entity: INN of 10 digits, KPP, OGRN")
                .aliases(["entity", "юл", "ЮЛ"]),
            PossibleValue::new("individual")
                .help("an individual entrepreneur: INN of 12 digits, OGRNIP")
                .aliases(["ip", "ип", "ИП"]),
        ])
    }

    pub fn language() -> PossibleValuesParser {
        PossibleValuesParser::new([
            PossibleValue::new("ru").aliases(["rus", "russian"]),
            PossibleValue::new("en").aliases(["eng", "english"]),
        ])
    }

    pub fn object_kind() -> PossibleValuesParser {
        PossibleValuesParser::new(["requisites", "agreement", "source"])
    }

    pub fn template() -> PossibleValuesParser {
        let mut v: Vec<PossibleValue> = crate::domain::render::BUILTIN
            .iter()
            .map(|(id, _, _)| PossibleValue::new(*id))
            .collect();
        v.push(PossibleValue::new("custom").help("a text of your own (--text-file)"));
        PossibleValuesParser::new(v)
    }
}
