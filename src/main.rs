use std::process::ExitCode;

use clap::FromArgMatches;

fn main() -> ExitCode {
    // A shell asking for completions (`COMPLETE=bash pdconsent …`) is answered and exits.
    clap_complete::CompleteEnv::with_factory(pdconsent::cmd::examples::command).complete();
    // The derived command line, with every command's examples in its help.
    let matches = pdconsent::cmd::examples::command().get_matches();
    let cli = pdconsent::cmd::Cli::from_arg_matches(&matches).unwrap_or_else(|e| e.exit());
    ExitCode::from(pdconsent::main_with(cli))
}
