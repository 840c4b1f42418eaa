//! "Did you mean …?": the known name closest to a mistyped one (Jaro–Winkler similarity, the
//! measure clap uses for its own suggestions).

/// The candidate most like `input`, when it is like enough (similarity ≥ 0.8, or the same
/// name in another case); never `input` itself.
pub fn closest<'a>(input: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let lower = input.to_lowercase();
    let mut best: Option<(f64, &str)> = None;
    for c in candidates {
        if c == input {
            continue;
        }
        let score = if c.to_lowercase() == lower {
            1.0
        } else {
            strsim::jaro_winkler(&lower, &c.to_lowercase())
        };
        if score >= 0.8 && best.is_none_or(|(b, _)| score > b) {
            best = Some((score, c));
        }
    }
    best.map(|(_, c)| c)
}

/// ` (did you mean `x`?)` for a message, or nothing.
pub fn did_you_mean<'a>(input: &str, candidates: impl IntoIterator<Item = &'a str>) -> String {
    closest(input, candidates)
        .map(|c| format!(" (did you mean `{c}`?)"))
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_typo_gets_the_closest_name_and_nonsense_gets_none() {
        let keys = ["short_name", "full_name", "inn", "kpp", "email"];
        assert_eq!(closest("shrot_name", keys), Some("short_name"));
        assert_eq!(closest("emial", keys), Some("email"));
        assert_eq!(closest("EMAIL", keys), Some("email"));
        assert_eq!(closest("colour", keys), None);
        assert_eq!(closest("email", keys), None, "never the name itself");
        assert_eq!(
            did_you_mean("personal-dta", ["personal-data", "marketing"]),
            " (did you mean `personal-data`?)"
        );
        assert_eq!(did_you_mean("x", ["personal-data"]), "");
    }
}
