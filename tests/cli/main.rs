//! End-to-end tests: the real binary, a temporary directory, a clean
//! environment (no terminal, the clock fixed by PDCONSENT_NOW). Every test pins
//! exit code, stdout and stderr; rendered texts and error messages are
//! snapshots in tests/cli/snapshots/.
//!
//! One test crate (one binary to link), one module per area.

mod common;

mod agreements;
mod apply;
mod bounds;
mod check;
mod database;
mod info;
mod legal;
mod log;
mod program;
mod render;
mod requisites;
mod revisions;
mod sources;
mod store_safety;
mod streams;
mod terminal;
mod texts;
