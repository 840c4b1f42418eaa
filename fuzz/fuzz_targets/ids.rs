//! The identifier validators (INN, OGRN, OGRNIP, KPP): never panic, and agree
//! with the check digits that `inn_check_digits` / `ogrn_check_digit` compute.
//! Both directions: a value accepted has those check digits, and a value built
//! with them (and a non-zero region, the right first digit) is accepted.

#![no_main]

use libfuzzer_sys::fuzz_target;
use pdconsent::domain::ids::{
    Kind, check_inn, inn_check_digits, ogrn_check_digit, validate_inn, validate_kpp, validate_ogrn,
    validate_ogrnip,
};

fn ascii_digits(s: &str) -> Option<Vec<u8>> {
    s.bytes()
        .map(|b| b.is_ascii_digit().then(|| b - b'0'))
        .collect()
}

fn text(d: &[u8]) -> String {
    d.iter().map(|&d| char::from(b'0' + d)).collect()
}

/// Every entry point on `s`; what an accepted value must look like.
fn check_str(s: &str) {
    let inn = validate_inn(s);
    let _ = inn.as_ref().map_err(|e| e.to_string());
    if inn.is_ok() {
        let d = ascii_digits(s).expect("an accepted INN is ASCII digits");
        assert!(d.len() == 10 || d.len() == 12, "INN length {}", d.len());
        assert!(!(d[0] == 0 && d[1] == 0), "INN with region 00 accepted");
        let lead = if d.len() == 10 { 9 } else { 10 };
        assert_eq!(
            inn_check_digits(&d[..lead]),
            d[lead..],
            "INN `{s}` accepted"
        );
    }
    for kind in [Kind::Legal, Kind::Individual] {
        match check_inn(kind, s) {
            Ok(()) => {
                assert!(inn.is_ok(), "check_inn accepts what validate_inn refuses");
                let want = if kind == Kind::Legal { 10 } else { 12 };
                assert_eq!(s.len(), want, "{kind:?} INN `{s}`");
            }
            Err(e) => {
                let _ = e.to_string();
            }
        }
    }
    for (name, r, len, first) in [
        ("OGRN", validate_ogrn(s), 13, &[1u8, 5][..]),
        ("OGRNIP", validate_ogrnip(s), 15, &[3u8][..]),
    ] {
        let _ = r.as_ref().map_err(|e| e.to_string());
        if r.is_ok() {
            let d = ascii_digits(s).expect("an accepted OGRN is ASCII digits");
            assert_eq!(d.len(), len, "{name} `{s}`");
            assert!(first.contains(&d[0]), "{name} `{s}` first digit");
            assert!(!(d[3] == 0 && d[4] == 0), "{name} `{s}` region 00");
            assert_eq!(ogrn_check_digit(&d[..len - 1]), d[len - 1], "{name} `{s}`");
        }
    }
    let kpp = validate_kpp(s);
    let _ = kpp.as_ref().map_err(|e| e.to_string());
    if kpp.is_ok() {
        let b = s.as_bytes();
        assert_eq!(b.len(), 9, "KPP `{s}`");
        for (i, c) in b.iter().enumerate() {
            let ok = c.is_ascii_digit() || (matches!(i, 4 | 5) && c.is_ascii_uppercase());
            assert!(ok, "KPP `{s}` character {i}");
        }
    }
    let _ = Kind::parse(s);
}

/// The converse: the digits of the input completed with the computed check
/// digits are accepted, unless a rule other than the checksum refuses them.
fn check_completed(data: &[u8]) {
    let d: Vec<u8> = data.iter().map(|b| b % 10).collect();
    let region_ok = |at: usize| d.len() > at + 1 && !(d[at] == 0 && d[at + 1] == 0);
    for lead in [9, 10] {
        if d.len() >= lead {
            let mut v = d[..lead].to_vec();
            v.extend(inn_check_digits(&v));
            let ok = validate_inn(&text(&v));
            assert_eq!(ok.is_ok(), region_ok(0), "INN {} gives {ok:?}", text(&v));
        }
    }
    for (lead, first) in [(12, &[1u8, 5][..]), (14, &[3u8][..])] {
        if d.len() >= lead {
            let mut v = d[..lead].to_vec();
            v.push(ogrn_check_digit(&v));
            let r = if lead == 12 {
                validate_ogrn(&text(&v))
            } else {
                validate_ogrnip(&text(&v))
            };
            let want = first.contains(&v[0]) && region_ok(3);
            assert_eq!(r.is_ok(), want, "{} gives {r:?}", text(&v));
        }
    }
}

fuzz_target!(|data: &[u8]| {
    check_str(&String::from_utf8_lossy(data));
    check_completed(data);
});
