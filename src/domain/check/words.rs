//! The words the check looks for: other documents, advertising, publication,
//! the 30-day clause; and how it finds them (case-insensitive, not in a
//! negation) and finds leftover template markup.

pub(super) const ADVERTISING: &[&str] = &[
    "реклам",
    "рассыл",
    "маркетинг",
    "advertis",
    "marketing",
    "newsletter",
    "promotion",
];

/// Other documents a consent's label must not make the person accept with
/// the same tick (152-FZ art. 9 §1; since 1 Sept 2025 a consent is a separate
/// document, Law 156-FZ): an offer, a user agreement, terms.
pub(super) const OTHER_DOCUMENTS: &[&str] = &[
    "оферт",
    "пользовательск",
    "условия использования",
    "условиями использования",
    "условия предоставления",
    "условиями предоставления",
    "правила",
    "правилами",
    "offer",
    "user agreement",
    "terms",
    "conditions of use",
];

/// What a custom personal-data text must not carry besides its own consent:
/// other documents (an offer, a user agreement, terms) and the transfer of
/// data to partners for their own offers.
pub(super) const BUNDLED_ALWAYS: &[&str] = &[
    "оферт",
    "пользовательское соглашение",
    "пользовательского соглашения",
    "пользовательским соглашением",
    "условия использования",
    "условиями использования",
    "правила пользования",
    "правилами пользования",
    "партнерам для",
    "партнёрам для",
    "предложений партнер",
    "предложений партнёр",
    "предложения партнер",
    "предложения партнёр",
    "условия оказания услуг",
    "условиями оказания услуг",
    "правила сайта",
    "правилами сайта",
    "правил сайта",
    "партнерам оператора",
    "партнёрам оператора",
    "предлагать мне свои",
    "user agreement",
    "terms of use",
    "terms of service",
    "terms and conditions",
    "public offer",
    "partners' own",
    "partners for their own",
];

/// Publication (distribution to an unlimited circle of persons, art. 10.1).
pub(super) const PUBLICATION: &[&str] = &[
    "распространени",
    "опубликов",
    "публикац",
    "неограниченному кругу",
    "неопределенному кругу",
    "publication",
    "publish",
    "make public",
];

/// The 30-day clause of art. 21 §5 in the words texts use for it.
pub(super) const THIRTY_DAYS: &[&str] = &[
    "30 дней",
    "30 (тридцати) дней",
    "30 (тридцать) дней",
    "тридцати дней",
    "тридцать дней",
    "30 календарных дней",
    "30 days",
    "30 (thirty) days",
    "thirty days",
];

/// How a consent to distribution says when it ends (art. 10.1 §14).
pub(super) const DISTRIBUTION_ENDS: &[&str] = &[
    "с момента поступления",
    "трех рабочих дней",
    "трёх рабочих дней",
    "3 рабочих дней",
    "3 (трех) рабочих дней",
    "upon receipt",
];

/// Template markup a custom text left in its output: `%placeholder%`, an
/// unrendered `{{` or `{%`, an unfilled marker.
pub(super) fn leftover_markup(text: &str) -> Option<String> {
    for m in ["{{", "{%", "%}", "}}", "[не заполнено", "[not filled in"] {
        if text.contains(m) {
            return Some(m.to_string());
        }
    }
    // `%NAME%`, `%ИМЯ_ОПЕРАТОРА%`, `%company name%`: letters, digits, `_`
    // and inner spaces between two percent signs, the first not after a
    // digit (so «10% и 20%» is not a placeholder).
    let mut rest = text;
    let mut before = None;
    while let Some(start) = rest.find('%') {
        let after = &rest[start + 1..];
        let prev = rest[..start].chars().next_back().or(before);
        let word: String = after
            .chars()
            .take_while(|c| c.is_alphanumeric() || *c == '_' || *c == ' ')
            .take(41)
            .collect();
        let inner = word.trim();
        if !prev.is_some_and(|c: char| c.is_ascii_digit())
            && !inner.is_empty()
            && inner.len() == word.len()
            && word.chars().count() <= 40
            && word.chars().any(char::is_alphabetic)
            && after[word.len()..].starts_with('%')
        {
            return Some(format!("%{word}%"));
        }
        before = Some('%');
        rest = after;
    }
    None
}

pub(super) fn contains(text: &str, needle: &str) -> bool {
    text.to_lowercase().contains(&needle.trim().to_lowercase())
}

/// Whether `text` says `stem` other than in a negation («не является
/// офертой», "does not include advertising"): some occurrence is not
/// preceded, within five words of its sentence, by «не», «без», "not" or "no".
pub(super) fn asserts(text: &str, stem: &str) -> bool {
    let text = text.to_lowercase();
    let stem = stem.trim().to_lowercase();
    text.match_indices(&stem).any(|(at, _)| {
        // The same sentence, at most five words back.
        let sentence = text[..at]
            .rfind(['.', ';', '!', '?', '\n'])
            .map_or(0, |i| i + 1);
        let words: Vec<&str> = text[sentence..at]
            .split_whitespace()
            .rev()
            .take(5)
            .collect();
        !words
            .iter()
            .any(|w| matches!(*w, "не" | "not" | "no" | "без"))
    })
}
