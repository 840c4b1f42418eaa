//! Russian company identifiers and their checksums (DOMAIN.md §4).

use std::fmt;

use serde::{Deserialize, Serialize};

use super::field::FieldError;

/// Why an identifier was rejected; the message names the check that failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum IdError {
    /// Region code `00`: no subject of the Federation has it.
    Region {
        position: usize,
    },
    Length {
        expected: &'static str,
        got: usize,
    },
    NotDigit {
        position: usize,
        found: char,
    },
    CheckDigit {
        position: usize,
        expected: u8,
        found: u8,
    },
    FirstDigit {
        expected: &'static str,
        found: char,
    },
    Format {
        expected: &'static str,
    },
}

impl fmt::Display for IdError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            IdError::Length { expected, got } => {
                write!(
                    f,
                    "length check failed: has {got} character{}, expected {expected}",
                    if *got == 1 { "" } else { "s" }
                )
            }
            IdError::NotDigit { position, found } => {
                write!(
                    f,
                    "digits check failed: character {position} is `{found}`, only digits 0-9 are allowed"
                )
            }
            IdError::CheckDigit {
                position,
                expected,
                found,
            } => write!(
                f,
                "check digit failed: digit {position} is {found}, the checksum gives {expected} (a typo?)"
            ),
            IdError::FirstDigit { expected, found } => {
                write!(
                    f,
                    "first digit check failed: starts with {found}, expected {expected}"
                )
            }
            IdError::Format { expected } => write!(f, "format check failed: expected {expected}"),
            IdError::Region { position } => write!(
                f,
                "region check failed: digits {position}-{} are 00, which is no region's code",
                position + 1
            ),
        }
    }
}

fn digits(value: &str) -> Result<Vec<u8>, IdError> {
    value
        .chars()
        .enumerate()
        .map(|(i, c)| {
            c.to_digit(10).map(|d| d as u8).ok_or(IdError::NotDigit {
                position: i + 1,
                found: c,
            })
        })
        .collect()
}

fn weighted(d: &[u8], weights: &[u32]) -> u8 {
    let sum: u32 = d.iter().zip(weights).map(|(&d, &w)| u32::from(d) * w).sum();
    (sum % 11 % 10) as u8
}

const INN10_W: [u32; 9] = [2, 4, 10, 3, 5, 9, 4, 6, 8];
const INN12_W1: [u32; 10] = [7, 2, 4, 10, 3, 5, 9, 4, 6, 8];
const INN12_W2: [u32; 11] = [3, 7, 2, 4, 10, 3, 5, 9, 4, 6, 8];

/// Check digits an INN of this length must end with, computed from its leading digits.
pub fn inn_check_digits(leading: &[u8]) -> Vec<u8> {
    match leading.len() {
        9 => vec![weighted(leading, &INN10_W)],
        10 => {
            let c11 = weighted(leading, &INN12_W1);
            let mut eleven = leading.to_vec();
            eleven.push(c11);
            vec![c11, weighted(&eleven, &INN12_W2)]
        }
        _ => Vec::new(),
    }
}

/// A 10-digit (legal entity) or 12-digit (individual) INN.
pub fn validate_inn(value: &str) -> Result<(), IdError> {
    let n = value.chars().count();
    if n != 10 && n != 12 {
        return Err(IdError::Length {
            expected: "10 (legal entity) or 12 (individual)",
            got: n,
        });
    }
    let d = digits(value)?;
    if d[0] == 0 && d[1] == 0 {
        return Err(IdError::Region { position: 1 });
    }
    let lead = d.len() - if n == 10 { 1 } else { 2 };
    let expected = inn_check_digits(&d[..lead]);
    for (i, &e) in expected.iter().enumerate() {
        let pos = lead + i;
        if d[pos] != e {
            return Err(IdError::CheckDigit {
                position: pos + 1,
                expected: e,
                found: d[pos],
            });
        }
    }
    Ok(())
}

fn mod_digit(leading: &[u8], modulus: u64) -> u8 {
    // Horner's rule keeps the 14-digit number well inside u64 anyway; do it in
    // modular arithmetic so the rule is obvious.
    let rem = leading
        .iter()
        .fold(0u64, |acc, &d| (acc * 10 + u64::from(d)) % modulus);
    (rem % 10) as u8
}

/// Check digit of an OGRN (12 leading digits) or OGRNIP (14 leading digits).
pub fn ogrn_check_digit(leading: &[u8]) -> u8 {
    let modulus = if leading.len() == 14 { 13 } else { 11 };
    mod_digit(leading, modulus)
}

fn validate_state_number(
    value: &str,
    len: usize,
    first: &'static str,
    first_ok: &[char],
) -> Result<(), IdError> {
    let n = value.chars().count();
    if n != len {
        return Err(IdError::Length {
            expected: if len == 13 { "13" } else { "15" },
            got: n,
        });
    }
    let d = digits(value)?;
    if let Some(c) = value.chars().next().filter(|c| !first_ok.contains(c)) {
        return Err(IdError::FirstDigit {
            expected: first,
            found: c,
        });
    }
    // Sign, two digits of the year, then the region code.
    if d[3] == 0 && d[4] == 0 {
        return Err(IdError::Region { position: 4 });
    }
    let check = ogrn_check_digit(&d[..len - 1]);
    if d[len - 1] != check {
        return Err(IdError::CheckDigit {
            position: len,
            expected: check,
            found: d[len - 1],
        });
    }
    Ok(())
}

/// A 13-digit OGRN of a legal entity.
pub fn validate_ogrn(value: &str) -> Result<(), IdError> {
    validate_state_number(value, 13, "1 or 5", &['1', '5'])
}

/// A 15-digit OGRNIP of an individual entrepreneur.
pub fn validate_ogrnip(value: &str) -> Result<(), IdError> {
    validate_state_number(value, 15, "3", &['3'])
}

/// KPP: `^\d{4}[0-9A-Z]{2}\d{3}$`, no checksum.
pub fn validate_kpp(value: &str) -> Result<(), IdError> {
    let chars: Vec<char> = value.chars().collect();
    if chars.len() != 9 {
        return Err(IdError::Length {
            expected: "9",
            got: chars.len(),
        });
    }
    let ok = chars.iter().enumerate().all(|(i, c)| match i {
        4 | 5 => c.is_ascii_digit() || c.is_ascii_uppercase(),
        _ => c.is_ascii_digit(),
    });
    if ok {
        Ok(())
    } else {
        Err(IdError::Format {
            expected: "4 digits, 2 digits or capital Latin letters, 3 digits (e.g. 770501001)",
        })
    }
}

/// Who the operator (or a third party) is, which decides the INN's length.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    /// A legal entity (юридическое лицо): 10-digit INN, KPP, OGRN.
    Legal,
    /// An individual entrepreneur (ИП): 12-digit INN, OGRNIP.
    Individual,
}

impl Kind {
    /// `legal` or `individual` (or `юл`, `ип` …).
    pub fn parse(value: &str) -> Result<Kind, String> {
        match value.trim().to_lowercase().as_str() {
            "legal" | "entity" | "юл" => Ok(Kind::Legal),
            "individual" | "ip" | "ип" => Ok(Kind::Individual),
            other => Err(format!(
                "unknown kind `{other}`; use `legal` or `individual`"
            )),
        }
    }
    /// The identifier in flags, files and JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Legal => "legal",
            Kind::Individual => "individual",
        }
    }
}

/// INN checksum plus the rule that its length matches the kind.
pub fn check_inn(kind: Kind, inn: &str) -> Result<(), FieldError> {
    validate_inn(inn)
        .map_err(|e| FieldError::new("inn", format!("INN `{inn}` is invalid: {e}")))?;
    match (kind, inn.len()) {
        (Kind::Legal, 12) => Err(FieldError::new(
            "inn",
            format!(
                "INN `{inn}` has 12 digits, which is an individual's INN; a legal entity's INN has 10 digits (or set kind=individual)"
            ),
        )),
        (Kind::Individual, 10) => Err(FieldError::new(
            "inn",
            format!(
                "INN `{inn}` has 10 digits, which is a legal entity's INN; an individual entrepreneur's INN has 12 digits (or set kind=legal)"
            ),
        )),
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn domain_examples_are_valid() {
        for inn in [
            "7717586110",
            "7840502513",
            "3811085917",
            "775260181506",
            "779083016668",
        ] {
            assert_eq!(validate_inn(inn), Ok(()), "{inn}");
        }
        for ogrn in ["5077746476209", "1147847057214", "1037739010891"] {
            assert_eq!(validate_ogrn(ogrn), Ok(()), "{ogrn}");
        }
        for ogrnip in ["339099603082469", "328194821993513"] {
            assert_eq!(validate_ogrnip(ogrnip), Ok(()), "{ogrnip}");
        }
        assert_eq!(validate_kpp("770501001"), Ok(()));
        assert_eq!(validate_kpp("7705AB001"), Ok(()));
    }

    #[test]
    fn each_failed_check_is_named() {
        assert_eq!(
            validate_inn("7717586111"),
            Err(IdError::CheckDigit {
                position: 10,
                expected: 0,
                found: 1
            })
        );
        assert_eq!(
            validate_inn("77175861"),
            Err(IdError::Length {
                expected: "10 (legal entity) or 12 (individual)",
                got: 8
            })
        );
        assert_eq!(
            validate_inn("77175x6110"),
            Err(IdError::NotDigit {
                position: 6,
                found: 'x'
            })
        );
        assert_eq!(
            validate_inn("775260181507"),
            Err(IdError::CheckDigit {
                position: 12,
                expected: 6,
                found: 7
            })
        );
        assert_eq!(
            validate_ogrn("5077746476208"),
            Err(IdError::CheckDigit {
                position: 13,
                expected: 9,
                found: 8
            })
        );
        assert_eq!(
            validate_ogrn("2077746476209"),
            Err(IdError::FirstDigit {
                expected: "1 or 5",
                found: '2'
            })
        );
        assert_eq!(
            validate_ogrnip("339099603082468").map_err(|e| matches!(e, IdError::CheckDigit { .. })),
            Err(true)
        );
        assert_eq!(
            validate_ogrnip("1147847057214"),
            Err(IdError::Length {
                expected: "15",
                got: 13
            })
        );
        assert!(validate_kpp("77050100").is_err());
        assert!(validate_kpp("7705ab001").is_err());
        assert!(validate_kpp("77050100Z").is_err());
        assert_eq!(
            IdError::CheckDigit {
                position: 10,
                expected: 0,
                found: 1
            }
            .to_string(),
            "check digit failed: digit 10 is 1, the checksum gives 0 (a typo?)"
        );
    }

    fn to_string(d: &[u8]) -> String {
        d.iter().map(|d| char::from(b'0' + d)).collect()
    }

    fn other_digit(d: u8, shift: u8) -> u8 {
        (d + 1 + shift % 9) % 10
    }

    /// Digits of a number built by the documented structure: a leading part,
    /// a region code 01-99 at `at`, random digits elsewhere.
    fn with_region(mut d: Vec<u8>, at: usize, region: u8) -> Vec<u8> {
        d[at] = region / 10;
        d[at + 1] = region % 10;
        d
    }

    #[test]
    fn region_code_00_is_rejected() {
        assert_eq!(
            validate_inn("0012345679"),
            Err(IdError::Region { position: 1 })
        );
        assert_eq!(
            validate_ogrn("1000000000000"),
            Err(IdError::Region { position: 4 })
        );
        assert_eq!(
            IdError::Region { position: 4 }.to_string(),
            "region check failed: digits 4-5 are 00, which is no region's code"
        );
    }

    proptest! {
        #[test]
        fn built_inn10_accepted_and_wrong_check_rejected(lead in proptest::collection::vec(0u8..10, 9), region in 1u8..100, shift in 0u8..9) {
            let lead = with_region(lead, 0, region);
            let mut d = lead.clone();
            d.extend(inn_check_digits(&lead));
            prop_assert_eq!(validate_inn(&to_string(&d)), Ok(()));
            let last = d.len() - 1;
            d[last] = other_digit(d[last], shift);
            prop_assert!(validate_inn(&to_string(&d)).is_err());
        }

        #[test]
        fn built_inn12_accepted_and_wrong_check_rejected(lead in proptest::collection::vec(0u8..10, 10), region in 1u8..100, shift in 0u8..9, which in 0usize..2) {
            let lead = with_region(lead, 0, region);
            let mut d = lead.clone();
            d.extend(inn_check_digits(&lead));
            prop_assert_eq!(validate_inn(&to_string(&d)), Ok(()));
            let pos = 10 + which;
            d[pos] = other_digit(d[pos], shift);
            prop_assert!(validate_inn(&to_string(&d)).is_err());
        }

        #[test]
        fn built_ogrn_accepted_and_wrong_check_rejected(first in prop_oneof![Just(1u8), Just(5u8)], rest in proptest::collection::vec(0u8..10, 11), region in 1u8..100, shift in 0u8..9) {
            let mut d = vec![first];
            d.extend(rest);
            let mut d = with_region(d, 3, region);
            d.push(ogrn_check_digit(&d));
            prop_assert_eq!(validate_ogrn(&to_string(&d)), Ok(()));
            d[12] = other_digit(d[12], shift);
            prop_assert!(validate_ogrn(&to_string(&d)).is_err());
        }

        #[test]
        fn built_ogrnip_accepted_and_wrong_check_rejected(rest in proptest::collection::vec(0u8..10, 13), region in 1u8..100, shift in 0u8..9) {
            let mut d = vec![3u8];
            d.extend(rest);
            let mut d = with_region(d, 3, region);
            d.push(ogrn_check_digit(&d));
            prop_assert_eq!(validate_ogrnip(&to_string(&d)), Ok(()));
            d[14] = other_digit(d[14], shift);
            prop_assert!(validate_ogrnip(&to_string(&d)).is_err());
        }
    }
}
