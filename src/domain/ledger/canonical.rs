//! Canonical JSON: the exact bytes that are hashed into leaves and commitments.
//!
//! The form is the one Python writes with
//! `json.dumps(obj, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()`,
//! so that a verifier needs nothing but Python's standard library:
//!
//! - object keys sorted by code point (Python sorts `str` by code point; UTF-8 bytes sort the
//!   same way — UTF-16 order, as in JCS, would not);
//! - no whitespace outside strings;
//! - UTF-8, nothing escaped but `"`, `\` and the control characters below U+0020
//!   (`\b \f \n \r \t`, the rest as `\u00xx` in lowercase hex); `/`, DEL, U+2028 and U+2029 are
//!   written as they are, as Python does;
//! - integers only: a float is refused, because its text differs between languages;
//! - every string and key in Unicode NFC. A string that is not is refused rather than quietly
//!   normalised: the stored fields must be the bytes that were hashed, so the caller normalises
//!   at input, where it can say which field changed.

use serde_json::Value;
use thiserror::Error;

/// How deep arrays and objects may nest. The ledger's objects are two or three levels deep;
/// the limit keeps a hostile value from exhausting the stack.
pub const MAX_DEPTH: usize = 32;

/// Why a value has no canonical form. `path` is where in the value, such as `$.fields["name"]`.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum CanonicalError {
    /// A number with a fraction or an exponent.
    #[error("`{path}` is `{number}`, not an integer: the ledger's JSON holds integers only")]
    NotInteger {
        /// Where the number is.
        path: String,
        /// The number as JSON wrote it.
        number: String,
    },
    /// A string or an object key that is not in Unicode NFC.
    #[error("`{path}` is not in Unicode NFC")]
    NotNfc {
        /// Where the string is.
        path: String,
    },
    /// Arrays and objects nested more than [`MAX_DEPTH`] levels.
    #[error("`{path}` is nested more than {MAX_DEPTH} levels deep")]
    TooDeep {
        /// The array or object past the limit.
        path: String,
    },
}

/// The canonical bytes of `value`.
pub fn to_canonical(value: &Value) -> Result<Vec<u8>, CanonicalError> {
    let mut out = Vec::new();
    write_canonical(value, &mut out)?;
    Ok(out)
}

/// Appends the canonical bytes of `value` to `out`. On error `out` holds a partial value.
pub fn write_canonical(value: &Value, out: &mut Vec<u8>) -> Result<(), CanonicalError> {
    let mut path = String::from("$");
    write_value(value, out, &mut path, 0)
}

fn write_value(
    value: &Value,
    out: &mut Vec<u8>,
    path: &mut String,
    depth: usize,
) -> Result<(), CanonicalError> {
    match value {
        Value::Null => out.extend_from_slice(b"null"),
        Value::Bool(true) => out.extend_from_slice(b"true"),
        Value::Bool(false) => out.extend_from_slice(b"false"),
        Value::Number(n) => {
            if let Some(i) = n.as_i64() {
                out.extend_from_slice(i.to_string().as_bytes());
            } else if let Some(u) = n.as_u64() {
                out.extend_from_slice(u.to_string().as_bytes());
            } else {
                return Err(CanonicalError::NotInteger {
                    path: path.clone(),
                    number: n.to_string(),
                });
            }
        }
        Value::String(s) => {
            check_nfc(s, path)?;
            write_string(s, out);
        }
        Value::Array(items) => {
            if depth >= MAX_DEPTH {
                return Err(CanonicalError::TooDeep { path: path.clone() });
            }
            out.push(b'[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                let len = path.len();
                path.push_str(&format!("[{i}]"));
                write_value(item, out, path, depth + 1)?;
                path.truncate(len);
            }
            out.push(b']');
        }
        Value::Object(map) => {
            if depth >= MAX_DEPTH {
                return Err(CanonicalError::TooDeep { path: path.clone() });
            }
            // Sorted here rather than trusting the map: with serde_json's `preserve_order`
            // feature, turned on by any crate in the build, the map keeps insertion order.
            let mut entries: Vec<(&String, &Value)> = map.iter().collect();
            entries.sort_unstable_by(|a, b| a.0.cmp(b.0));
            out.push(b'{');
            for (i, (key, item)) in entries.into_iter().enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                let len = path.len();
                path.push_str(&format!("[{}]", serde_json::Value::from(key.as_str())));
                check_nfc(key, path)?;
                write_string(key, out);
                out.push(b':');
                write_value(item, out, path, depth + 1)?;
                path.truncate(len);
            }
            out.push(b'}');
        }
    }
    Ok(())
}

/// Appends `s` as a canonical JSON string, refusing it unless NFC; the error names `path()`.
/// (The leaf's and the envelope's own writers use it to skip building a `Value`.)
pub fn write_nfc_string(
    s: &str,
    path: impl FnOnce() -> String,
    out: &mut Vec<u8>,
) -> Result<(), CanonicalError> {
    if !s.is_ascii() && !unicode_normalization::is_nfc(s) {
        return Err(CanonicalError::NotNfc { path: path() });
    }
    write_string(s, out);
    Ok(())
}

fn check_nfc(s: &str, path: &str) -> Result<(), CanonicalError> {
    if s.is_ascii() || unicode_normalization::is_nfc(s) {
        Ok(())
    } else {
        Err(CanonicalError::NotNfc {
            path: path.to_owned(),
        })
    }
}

/// A JSON string with Python's escapes for `ensure_ascii=False`.
fn write_string(s: &str, out: &mut Vec<u8>) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    out.push(b'"');
    let bytes = s.as_bytes();
    let mut start = 0;
    for (i, &b) in bytes.iter().enumerate() {
        let escape: &[u8] = match b {
            b'"' => b"\\\"",
            b'\\' => b"\\\\",
            b'\n' => b"\\n",
            b'\r' => b"\\r",
            b'\t' => b"\\t",
            0x08 => b"\\b",
            0x0c => b"\\f",
            0x00..=0x1f => &[
                b'\\',
                b'u',
                b'0',
                b'0',
                HEX[usize::from(b >> 4)],
                HEX[usize::from(b & 0xf)],
            ],
            // Bytes of multi-byte characters are never below 0x80: copied as they are.
            _ => continue,
        };
        out.extend_from_slice(&bytes[start..i]);
        out.extend_from_slice(escape);
        start = i + 1;
    }
    out.extend_from_slice(&bytes[start..]);
    out.push(b'"');
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use serde_json::json;

    fn canon(v: &Value) -> String {
        String::from_utf8(to_canonical(v).expect("canonical")).expect("UTF-8")
    }

    #[test]
    fn sorts_keys_by_code_point_and_drops_whitespace() {
        let v = json!({"b": 1, "a": [true, false, null], "A": {"y": "", "x": -5}, "": 0});
        assert_eq!(
            canon(&v),
            r#"{"":0,"A":{"x":-5,"y":""},"a":[true,false,null],"b":1}"#
        );
        // U+FF61 sorts before U+1F600 by code point; UTF-16 order (JCS) would put the emoji first.
        let v = json!({"\u{1F600}": 1, "\u{FF61}": 2});
        assert_eq!(canon(&v), "{\"\u{FF61}\":2,\"\u{1F600}\":1}");
    }

    #[test]
    fn escapes_what_python_escapes_and_nothing_else() {
        let v = json!(
            "q\" b\\ n\n r\r t\t b\u{8} f\u{c} nul\u{0} esc\u{1b} us\u{1f} del\u{7f} / \u{2028}\u{2029} Ёж"
        );
        assert_eq!(
            canon(&v),
            "\"q\\\" b\\\\ n\\n r\\r t\\t b\\b f\\f nul\\u0000 esc\\u001b us\\u001f del\u{7f} / \u{2028}\u{2029} Ёж\""
        );
    }

    #[test]
    fn integers_to_the_edges_of_64_bits_and_no_floats() {
        assert_eq!(
            canon(&json!([u64::MAX, i64::MIN, 0, -1])),
            "[18446744073709551615,-9223372036854775808,0,-1]"
        );
        let e = to_canonical(&json!({"a": [1, 2.5]})).unwrap_err();
        assert_eq!(
            e,
            CanonicalError::NotInteger {
                path: "$[\"a\"][1]".into(),
                number: "2.5".into()
            }
        );
        let parsed: Value = serde_json::from_str("1.0").expect("JSON");
        assert!(matches!(
            to_canonical(&parsed),
            Err(CanonicalError::NotInteger { .. })
        ));
    }

    #[test]
    fn refuses_strings_and_keys_not_in_nfc() {
        let decomposed = "e\u{301}"; // é as e + combining acute
        let e = to_canonical(&json!({"k": [decomposed]})).unwrap_err();
        assert_eq!(
            e,
            CanonicalError::NotNfc {
                path: "$[\"k\"][0]".into()
            }
        );
        let e = to_canonical(&json!({ decomposed: 1 })).unwrap_err();
        assert!(matches!(e, CanonicalError::NotNfc { .. }), "{e:?}");
        assert_eq!(canon(&json!("\u{e9}")), "\"\u{e9}\"");
    }

    #[test]
    fn refuses_deep_nesting() {
        let mut v = json!(1);
        for _ in 0..MAX_DEPTH {
            v = json!([v]);
        }
        assert!(to_canonical(&v).is_ok());
        let v = json!({ "x": v });
        assert!(matches!(
            to_canonical(&v),
            Err(CanonicalError::TooDeep { .. })
        ));
    }

    /// Any JSON value without floats, its strings in NFC.
    fn arb_value() -> impl Strategy<Value = Value> {
        let text = any::<String>().prop_map(|s| crate::domain::nfc(&s));
        let leaf = prop_oneof![
            Just(Value::Null),
            any::<bool>().prop_map(Value::from),
            any::<i64>().prop_map(Value::from),
            any::<u64>().prop_map(Value::from),
            text.clone().prop_map(Value::from),
        ];
        leaf.prop_recursive(4, 48, 6, move |inner| {
            prop_oneof![
                prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
                prop::collection::vec((text.clone(), inner), 0..6)
                    .prop_map(|kv| Value::Object(kv.into_iter().collect())),
            ]
        })
    }

    /// Whether `bytes` hold whitespace or a raw control byte outside string literals.
    fn stray_bytes(bytes: &[u8]) -> bool {
        let (mut in_string, mut escaped) = (false, false);
        for &b in bytes {
            if in_string {
                if b < 0x20 {
                    return true;
                }
                match (escaped, b) {
                    (true, _) => escaped = false,
                    (false, b'\\') => escaped = true,
                    (false, b'"') => in_string = false,
                    _ => {}
                }
            } else if b == b'"' {
                in_string = true;
            } else if b.is_ascii_whitespace() || b < 0x20 {
                return true;
            }
        }
        false
    }

    proptest! {
        #[test]
        fn round_trips_and_is_a_fixed_point(v in arb_value()) {
            let bytes = to_canonical(&v).expect("canonical");
            let back: Value = serde_json::from_slice(&bytes).expect("valid JSON");
            prop_assert_eq!(&back, &v);
            prop_assert_eq!(to_canonical(&back).expect("canonical"), bytes.clone());
            prop_assert!(!stray_bytes(&bytes), "{}", String::from_utf8_lossy(&bytes));
        }

        #[test]
        fn keys_come_out_in_code_point_order(
            kv in prop::collection::btree_map("[^\"\\\\\\x00-\\x1f]*", any::<i64>(), 0..12)
        ) {
            let kv: Vec<(String, i64)> = kv.into_iter().map(|(k, v)| (crate::domain::nfc(&k), v)).collect();
            let map: serde_json::Map<String, Value> =
                kv.iter().map(|(k, v)| (k.clone(), Value::from(*v))).collect();
            let mut chars: Vec<(Vec<char>, i64)> = map
                .iter()
                .map(|(k, v)| (k.chars().collect(), v.as_i64().unwrap_or_default()))
                .collect();
            chars.sort();
            let expected = chars
                .iter()
                .map(|(k, v)| format!("\"{}\":{v}", k.iter().collect::<String>()))
                .collect::<Vec<_>>()
                .join(",");
            prop_assert_eq!(
                String::from_utf8(to_canonical(&Value::Object(map)).expect("canonical")).expect("UTF-8"),
                format!("{{{expected}}}")
            );
        }
    }

    /// Values whose canonical bytes Python must reproduce exactly.
    fn python_samples(rng: &mut fastrand::Rng) -> Vec<Value> {
        let mut samples = vec![
            json!({"name": "Иван Петров", "город": "Москва", "quote": "«ёлка» \"x\" 'y'"}),
            json!({"ctl": "\u{0}\u{1}\u{8}\t\n\u{b}\u{c}\r\u{1b}\u{1f} \u{7f}\u{80}\u{9f}", "slash": "a/b\\c"}),
            json!({"sep": "\u{2028}\u{2029}", "astral": "😀𝄞", "half": "\u{FF61}", "\u{1F600}": 1, "\u{FF61}": 2}),
            json!({"nested": [[], {}, [[1, [2, {"z": null, "a": [true, false]}]]], {"b": {"a": {}}}]}),
            json!({"big": [u64::MAX, i64::MIN, i64::MAX, 9_007_199_254_740_993u64, -1, 0]}),
            json!({"": "", " ": " ", "A": "a", "a": "A", "aa": 1, "a\u{0}": 2}),
            json!([]),
            json!("just a string"),
            json!(12345),
            json!(null),
        ];
        // And random ones, built from characters that stress the escaping and the key order.
        let alphabet: Vec<char> = "aZ09 \"\\/\n\t\u{0}\u{1f}\u{7f}éЁж€\u{2028}\u{FF61}😀𝄞"
            .chars()
            .collect();
        let text = |rng: &mut fastrand::Rng| -> String {
            (0..rng.usize(0..8))
                .map(|_| alphabet[rng.usize(..alphabet.len())])
                .collect()
        };
        for _ in 0..200 {
            let mut obj = serde_json::Map::new();
            for _ in 0..rng.usize(0..6) {
                let v = match rng.u8(..5) {
                    0 => Value::from(rng.i64(..)),
                    1 => Value::from(rng.u64(..)),
                    2 => Value::from(text(rng)),
                    3 => Value::from(vec![Value::from(text(rng)), Value::from(rng.bool())]),
                    _ => json!({ text(rng): text(rng), text(rng): null }),
                };
                obj.insert(text(rng), v);
            }
            samples.push(Value::Object(obj));
        }
        samples
    }

    /// Python's `json.dumps(obj, sort_keys=True, separators=(",", ":"), ensure_ascii=False)`
    /// gives the same bytes. Skipped (with a note) only when `python3` is not installed.
    #[test]
    fn canonical_bytes_are_pythons() {
        use std::io::Write;
        use std::process::{Command, Stdio};

        let script = r#"
import json, sys
for line in sys.stdin.buffer:
    obj = json.loads(line)
    out = json.dumps(obj, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()
    sys.stdout.buffer.write(out + b"\n")
"#;
        let child = Command::new("python3")
            .args(["-c", script])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn();
        let mut child = match child {
            Ok(c) => c,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                eprintln!("python3 is not installed: canonical_bytes_are_pythons skipped");
                return;
            }
            Err(e) => panic!("starting python3: {e}"),
        };
        let samples = python_samples(&mut fastrand::Rng::with_seed(10));
        let mut input = Vec::new();
        for s in &samples {
            // Fed in serde_json's own (unsorted, escaped differently) form, not ours.
            serde_json::to_writer(&mut input, s).expect("JSON");
            input.push(b'\n');
        }
        let mut stdin = child.stdin.take().expect("stdin");
        let writer = std::thread::spawn(move || stdin.write_all(&input));
        let out = child.wait_with_output().expect("python3 output");
        writer.join().expect("writer").expect("write to python3");
        assert!(out.status.success(), "python3 failed");
        // Canonical bytes hold no raw line break: one line per sample, then an empty rest.
        let lines: Vec<&[u8]> = out.stdout.split(|&b| b == b'\n').collect();
        assert_eq!(lines.last(), Some(&&b""[..]), "a final line break");
        assert_eq!(lines.len(), samples.len() + 1);
        for (sample, line) in samples.iter().zip(lines) {
            let ours = to_canonical(sample).expect("canonical");
            assert_eq!(
                String::from_utf8_lossy(&ours),
                String::from_utf8_lossy(line),
                "{sample}"
            );
            assert_eq!(ours, line);
        }
    }
}
