use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let cli = pdconsent::cli::Cli::parse();
    ExitCode::from(pdconsent::main_with(cli))
}
