use std::io::{BufReader, Cursor, Read};

use super::*;

const SMALL: Limit = Limit {
    bytes: 8,
    what: "a test input",
};

fn read(bytes: &[u8], limit: Limit) -> Result<String, InputError> {
    read_to_string(Cursor::new(bytes.to_vec()), "`t`", limit)
}

/// A reader that never ends and counts what was taken from it.
struct Endless {
    byte: u8,
    taken: usize,
}

impl Read for Endless {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        buf.fill(self.byte);
        self.taken += buf.len();
        Ok(buf.len())
    }
}

#[test]
fn the_limits_are_the_documented_ones() {
    assert_eq!(human_size(TEXT.bytes), "256 KiB");
    assert_eq!(human_size(CONFIG.bytes), "64 MiB");
    assert_eq!(human_size(JSON_LINE.bytes), "1 MiB");
    assert_eq!(human_size(1000), "1000 bytes");
}

#[test]
fn up_to_the_limit_is_read_whole() {
    assert_eq!(read(b"12345678", SMALL).unwrap(), "12345678");
    assert_eq!(read(b"", SMALL).unwrap(), "");
    // A character of several bytes is whole at the limit: 4 × 2 bytes.
    assert_eq!(read("ёёёё".as_bytes(), SMALL).unwrap(), "ёёёё");
}

#[test]
fn past_the_limit_is_an_error_naming_it() {
    let e = read(b"123456789", SMALL).unwrap_err();
    assert!(matches!(e, InputError::TooLarge { .. }), "{e:?}");
    assert_eq!(
        e.to_string(),
        "`t` is larger than 8 bytes, the limit for a test input; reading stopped there"
    );
    assert!(e.hint().unwrap().contains("Limits"));
}

#[test]
fn an_endless_input_stops_one_byte_past_the_limit() {
    let mut zero = Endless { byte: 0, taken: 0 };
    let e = read_to_string(&mut zero, "`/dev/zero`", TEXT).unwrap_err();
    assert!(matches!(e, InputError::TooLarge { .. }), "{e:?}");
    assert_eq!(zero.taken, TEXT.bytes + 1);
}

#[test]
fn binary_input_stops_at_the_first_invalid_byte() {
    // The first chunk already holds the invalid byte: nothing more is read.
    let mut random = Endless {
        byte: 0xFF,
        taken: 0,
    };
    let e = read_to_string(&mut random, "`/dev/urandom`", CONFIG).unwrap_err();
    assert_eq!(
        e.to_string(),
        "`/dev/urandom` is not UTF-8 text: invalid byte 0xFF at byte offset 0 (line 1)"
    );
    assert!(random.taken <= 64 * 1024, "read {} bytes", random.taken);
}

#[test]
fn the_offset_and_line_of_an_invalid_byte() {
    // Windows-1251 «Привет» on the third line.
    let mut bytes = b"one\ntwo\n".to_vec();
    bytes.extend([0xCF, 0xF0, 0xE8]);
    let e = read(&bytes, TEXT).unwrap_err();
    assert_eq!(
        e.to_string(),
        "`t` is not UTF-8 text: invalid byte 0xCF at byte offset 8 (line 3)"
    );
    assert!(e.hint().unwrap().contains("iconv"));
}

#[test]
fn a_character_split_between_reads_is_fine_and_a_cut_one_is_not() {
    /// Gives one byte per read.
    struct Trickle(Cursor<Vec<u8>>);
    impl Read for Trickle {
        fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
            let n = buf.len().min(1);
            self.0.read(&mut buf[..n])
        }
    }
    let text = "жёлтый 🌼";
    let r = read_to_string(Trickle(Cursor::new(text.as_bytes().to_vec())), "`t`", TEXT);
    assert_eq!(r.unwrap(), text);

    let cut = &"ab🌼".as_bytes()[..4];
    let e = read(cut, TEXT).unwrap_err();
    assert_eq!(
        e.to_string(),
        "`t` is not UTF-8 text: an incomplete character at byte offset 2 (line 1)"
    );
}

#[test]
fn lines_are_bounded_one_by_one() {
    let input = "{\"a\":1}\r\n\n\"ё\"\n12345678\nlast";
    let mut lines = LineReader::new(BufReader::new(input.as_bytes()), "`t`", SMALL);
    let mut got = Vec::new();
    while let Some(l) = lines.next_line().unwrap() {
        got.push(l);
    }
    assert_eq!(got, ["{\"a\":1}", "", "\"ё\"", "12345678", "last"]);
    assert_eq!(lines.line(), 6);
    assert_eq!(lines.next_line().unwrap(), None);
}

#[test]
fn a_long_line_stops_at_the_limit() {
    let input = format!("ok\n{}\nnext\n", "x".repeat(100));
    // A buffer smaller than the line, so the line spans several reads.
    let mut lines = LineReader::new(BufReader::with_capacity(4, input.as_bytes()), "`t`", SMALL);
    assert_eq!(lines.next_line().unwrap().as_deref(), Some("ok"));
    let e = lines.next_line().unwrap_err();
    assert!(matches!(e, InputError::TooLarge { .. }), "{e:?}");
    assert_eq!(lines.line(), 2);
}

#[test]
fn an_endless_line_is_not_read_to_its_end() {
    let mut zero = Endless {
        byte: b'x',
        taken: 0,
    };
    let mut lines = LineReader::new(BufReader::new(&mut zero), "`t`", JSON_LINE);
    assert!(matches!(
        lines.next_line(),
        Err(InputError::TooLarge { .. })
    ));
    drop(lines);
    assert!(
        zero.taken <= JSON_LINE.bytes + 8 * 1024,
        "read {}",
        zero.taken
    );
}

#[test]
fn an_invalid_byte_in_a_line_has_its_offset_in_the_stream() {
    let mut bytes = b"{}\n{}\n{\"a\":\"".to_vec();
    bytes.push(0xC0);
    bytes.extend(b"\"}\n");
    let mut lines = LineReader::new(BufReader::new(&bytes[..]), "`t`", JSON_LINE);
    lines.next_line().unwrap();
    lines.next_line().unwrap();
    let e = lines.next_line().unwrap_err();
    assert_eq!(
        e.to_string(),
        "`t` is not UTF-8 text: invalid byte 0xC0 at byte offset 12 (line 3)"
    );
}

#[test]
fn an_apply_file_of_32000_agreements_fits() {
    // The agreements of the example, as `dump` writes them, again and again.
    let (cfg, errors) = crate::config::parse(include_str!("../../agreements.example.toml"));
    assert!(errors.is_empty(), "{errors:?}");
    let agreements: Vec<_> = (0..32_000)
        .map(|i| {
            let a = &cfg.agreements[i % cfg.agreements.len()];
            (format!("agreement-{i:05}"), a.settings.clone(), false)
        })
        .collect();
    let reqs: Vec<_> = cfg
        .requisites
        .iter()
        .map(|r| r.requisites.clone())
        .collect();
    let file = crate::config::dump(&reqs, &agreements, &[]).unwrap();
    assert!(
        file.len() < MAX_CONFIG_BYTES,
        "{} of {MAX_CONFIG_BYTES}",
        file.len()
    );
}
