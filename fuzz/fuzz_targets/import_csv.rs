//! A `consent import` CSV file through the command's own reading, checking and
//! recording (`read_rows`, `checked`, `Catalog::record`) against the example's
//! catalog, in a transaction rolled back after each input. The first byte picks
//! the delimiter as `--delimiter` would (none: guessed from the header).
//!
//! Asserts: no panic, no store error; a row recorded yields events of its own
//! source.

#![no_main]

use std::cell::RefCell;

use libfuzzer_sys::fuzz_target;
use pdconsent::cmd::consent::catalog::{Catalog, Refused};
use pdconsent::cmd::consent::import;
use pdconsent::storage::Store;
use pdconsent_fuzz::{NOW, example_store, now, rolled_back};

thread_local! {
    static STORE: RefCell<Store> = RefCell::new(example_store());
}

fuzz_target!(|data: &[u8]| {
    let Some((&pick, csv)) = data.split_first() else {
        return;
    };
    let delimiter = match pick % 4 {
        0 => None,
        1 => Some(";"),
        2 => Some("tab"),
        _ => Some(","),
    };
    STORE.with_borrow_mut(|store| {
        rolled_back(store, |tx| {
            let cat = Catalog::new(tx);
            let store_error = RefCell::new(None);
            let read = import::read_rows(
                "fuzz.csv",
                Box::new(std::io::Cursor::new(csv.to_vec())),
                false,
                delimiter,
                |row| {
                    let Ok(c) = import::checked(row.submission, now()) else {
                        return Ok(());
                    };
                    match cat.record(&c, import::options(pick & 4 != 0), NOW) {
                        Ok(r) => {
                            for e in &r.events {
                                assert_eq!(e.leaf.source.as_deref(), Some(c.source.as_str()));
                                assert_eq!(e.leaf.channel.as_deref(), Some("import"));
                            }
                        }
                        Err(Refused::Field(e)) => {
                            let _ = e.to_string();
                        }
                        Err(Refused::Store(e)) => {
                            *store_error.borrow_mut() = Some(e);
                            anyhow::bail!("the store failed");
                        }
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
