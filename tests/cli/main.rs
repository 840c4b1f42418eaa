//! End-to-end tests: the real binary, a temporary directory, a clean
//! environment (no terminal, the clock fixed by PDCONSENT_NOW). Every test pins
//! exit code, stdout and stderr; rendered texts and error messages are
//! snapshots in tests/cli/snapshots/.
//!
//! One test crate (one binary to link), one module per behaviour area. Some
//! modules pass 600 lines (agreements, requisites, apply, render …) because
//! they hold many short tests, one behaviour each (about 15 lines a test),
//! not because a test is long; split one further when it gains a new theme.

mod common;

mod agreements;
mod apply;
mod audit;
mod backup;
mod bounds;
mod check;
mod checkpoints;
mod consent;
mod crash;
mod database;
mod erasure;
mod export;
mod import;
mod info;
mod json_shapes;
mod ledger_tamper;
mod legal;
mod load;
mod log;
mod migrations;
mod program;
mod readme;
mod receipt;
mod render;
mod requisites;
mod revisions;
mod security;
mod sources;
mod store_safety;
mod streams;
mod terminal;
mod texts;
mod verify_script;
