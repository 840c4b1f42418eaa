use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let cli = pdconsent::cmd::Cli::parse();
    ExitCode::from(pdconsent::main_with(cli))
}
