//! One `consent record --batch` line and one `consent import` JSON Lines file,
//! through the commands' own parsing, checking and recording (`parse_line`,
//! `read_rows`, `checked`, `Catalog::record`) against the example's catalog, in
//! a transaction rolled back after each input.
//!
//! Asserts: no panic, no store error; a submission recorded yields events of
//! its own source, each leaf's canonical bytes reading back as the same leaf.

#![no_main]

use std::cell::RefCell;

use libfuzzer_sys::fuzz_target;
use pdconsent::cmd::consent::catalog::{Catalog, Options, Recorded, Refused};
use pdconsent::cmd::consent::{import, record};
use pdconsent::domain::consent::Checked;
use pdconsent::domain::ledger::Leaf;
use pdconsent::storage::{Store, StoreError};
use pdconsent_fuzz::{NOW, example_store, now, rolled_back};

thread_local! {
    static STORE: RefCell<Store> = RefCell::new(example_store());
}

/// Records `c`; a store error ends the transaction (and fails the input).
fn record_one(cat: &Catalog, c: &Checked, opts: Options) -> Result<(), StoreError> {
    match cat.record(c, opts, NOW) {
        Ok(r) => {
            check_recorded(c, &r);
            Ok(())
        }
        Err(Refused::Field(e)) => {
            let _ = (e.to_string(), serde_json::to_string(&e));
            Ok(())
        }
        Err(Refused::Store(e)) => Err(e),
    }
}

fn check_recorded(c: &Checked, r: &Recorded) {
    if !r.duplicate {
        assert!(!r.events.is_empty(), "a recorded submission has events");
    }
    for e in &r.events {
        let leaf = &e.leaf;
        assert_eq!(leaf.source.as_deref(), Some(c.source.as_str()), "{leaf:?}");
        let bytes = leaf
            .canonical()
            .expect("a recorded leaf has a canonical form");
        let value: serde_json::Value =
            serde_json::from_slice(&bytes).expect("the canonical form is JSON");
        let back = Leaf::from_value(&value).expect("the canonical form reads back");
        assert_eq!(&back, leaf, "the canonical form reads back as the leaf");
    }
}

fuzz_target!(|data: &[u8]| {
    // Both readers refuse input that is not UTF-8 before parsing it.
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    STORE.with_borrow_mut(|store| {
        // `consent record --batch`: the first line (a blank line is skipped there).
        let line = text.lines().next().unwrap_or("");
        if !line.trim().is_empty() {
            let parsed = record::parse_line(line, now());
            rolled_back(store, |tx| match &parsed {
                Ok(c) => record_one(&Catalog::new(tx), c, Options::default()),
                Err(e) => {
                    let _ = e.to_string();
                    Ok(())
                }
            });
        }
        // `consent import FILE.jsonl`: every line, in one transaction.
        rolled_back(store, |tx| {
            let cat = Catalog::new(tx);
            let store_error = RefCell::new(None);
            let read = import::read_rows(
                "fuzz.jsonl",
                Box::new(std::io::Cursor::new(data.to_vec())),
                true,
                None,
                |row| {
                    if let Ok(c) = import::checked(row.submission, now())
                        && let Err(e) = record_one(&cat, &c, import::options(false))
                    {
                        *store_error.borrow_mut() = Some(e);
                        anyhow::bail!("the store failed");
                    }
                    Ok(())
                },
            );
            match store_error.into_inner() {
                Some(e) => Err(e),
                None => {
                    let _ = read.map_err(|e| format!("{e:#}"));
                    Ok(())
                }
            }
        });
    });
});
