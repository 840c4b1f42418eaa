//! The command line, as clap sees it. Commands' own arguments live beside
//! their code in `cmd/`.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::cmd;

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
    /// Who is acting, recorded in revisions and the change log [default: the OS user name]
    #[arg(long, global = true, env = "PDCONSENT_ACTOR", value_name = "NAME")]
    pub actor: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    Table,
    Json,
    Text,
    Markdown,
    Html,
}

impl Format {
    pub fn as_str(self) -> &'static str {
        match self {
            Format::Table => "table",
            Format::Json => "json",
            Format::Text => "text",
            Format::Markdown => "markdown",
            Format::Html => "html",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    Auto,
    Always,
    Never,
}

// Parsed once per run: the size of the largest variant does not matter.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Show the database path, schema version and object counts
    Info(cmd::info::Args),
    /// Manage the operator's legal details (реквизиты)
    #[command(subcommand)]
    Requisites(cmd::requisites::Command),
    /// Manage consent agreements and their revisions
    #[command(subcommand)]
    Agreement(cmd::agreement::Command),
    /// Manage sources: web forms and chat channels
    #[command(subcommand)]
    Source(cmd::source::Command),
    /// List and show the built-in templates
    #[command(subcommand)]
    Template(cmd::template::Command),
    /// Show the admin change log
    Log(cmd::log::Args),
    /// Make the database match a TOML file (plan, then one transaction)
    Apply(cmd::apply::Args),
    /// Print the current configuration as TOML that `apply` accepts
    Dump(cmd::dump::Args),
    /// Print a shell completion script
    Completions(cmd::completions::Args),
    /// Print the man page
    Man(cmd::man::Args),
}
