//! Field-by-field differences between two snapshots of settings.

use serde::Serialize;
use serde_json::Value;

/// What changed in one setting.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FieldChange {
    pub field: String,
    /// `null` when the setting was absent.
    pub before: Value,
    pub after: Value,
    /// For lists: items present only after / only before, as text (`[]` for a
    /// setting that is not a list; printed either way, JSON keys are never absent).
    pub added: Vec<String>,
    pub removed: Vec<String>,
}

/// Compares two serialisable snapshots key by key, in the order of `after`'s keys.
pub fn diff<T: Serialize>(before: &T, after: &T) -> Vec<FieldChange> {
    let b = serde_json::to_value(before).unwrap_or(Value::Null);
    let a = serde_json::to_value(after).unwrap_or(Value::Null);
    diff_values(&b, &a)
}

/// The settings that differ between two JSON snapshots, setting by setting.
pub fn diff_values(before: &Value, after: &Value) -> Vec<FieldChange> {
    let empty = serde_json::Map::new();
    let b = before.as_object().unwrap_or(&empty);
    let a = after.as_object().unwrap_or(&empty);
    let mut keys: Vec<&String> = a.keys().collect();
    keys.extend(b.keys().filter(|k| !a.contains_key(*k)));
    let mut out = Vec::new();
    for key in keys {
        let bv = b.get(key).cloned().unwrap_or(Value::Null);
        let av = a.get(key).cloned().unwrap_or(Value::Null);
        if bv == av {
            continue;
        }
        let (added, removed) = match (&bv, &av) {
            (Value::Array(_), _) | (_, Value::Array(_)) => {
                let bi = items(&bv);
                let ai = items(&av);
                (
                    ai.iter().filter(|x| !bi.contains(x)).cloned().collect(),
                    bi.iter().filter(|x| !ai.contains(x)).cloned().collect(),
                )
            }
            _ => (Vec::new(), Vec::new()),
        };
        out.push(FieldChange {
            field: key.clone(),
            before: bv,
            after: av,
            added,
            removed,
        });
    }
    out
}

fn items(v: &Value) -> Vec<String> {
    match v {
        Value::Array(xs) => xs.iter().map(display).collect(),
        _ => Vec::new(),
    }
}

/// A value as a person reads it: strings bare, objects as `k=v, …`.
pub fn display(v: &Value) -> String {
    match v {
        Value::Null => "—".to_string(),
        Value::String(s) => s.clone(),
        Value::Array(xs) if xs.is_empty() => "—".to_string(),
        Value::Array(xs) => xs.iter().map(display).collect::<Vec<_>>().join("; "),
        Value::Object(m) => m
            .iter()
            .map(|(k, v)| format!("{k}={}", display(v)))
            .collect::<Vec<_>>()
            .join(", "),
        other => other.to_string(),
    }
}

/// Human lines for one change: `- old` / `+ new`, item by item for lists,
/// line by line for long texts.
pub fn describe(change: &FieldChange) -> Vec<String> {
    if !change.added.is_empty() || !change.removed.is_empty() {
        let mut lines: Vec<String> = change.removed.iter().map(|x| format!("- {x}")).collect();
        lines.extend(change.added.iter().map(|x| format!("+ {x}")));
        return lines;
    }
    if change.before.is_array() || change.after.is_array() {
        // Same items, another order.
        return vec![format!("order: {}", display(&change.after))];
    }
    let b = display(&change.before);
    let a = display(&change.after);
    if b.contains('\n') || a.contains('\n') {
        // A unified diff: each changed line with two lines of context, `…` between hunks.
        let d = similar::TextDiff::from_lines(&b, &a);
        let mut lines = Vec::new();
        for group in d.grouped_ops(2) {
            if !lines.is_empty() {
                lines.push("…".to_string());
            }
            for op in &group {
                for c in d.iter_changes(op) {
                    let sign = match c.tag() {
                        similar::ChangeTag::Delete => '-',
                        similar::ChangeTag::Insert => '+',
                        similar::ChangeTag::Equal => ' ',
                    };
                    lines.push(format!("{sign} {}", c.value().trim_end_matches('\n')));
                }
            }
        }
        return lines;
    }
    vec![format!("- {b}"), format!("+ {a}")]
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn scalars_lists_and_texts() {
        let b = json!({"name": "A", "purposes": ["x", "y"], "text": "l1\nl2\n", "same": 1});
        let a = json!({"name": "B", "purposes": ["y", "z"], "text": "l1\nl3\n", "same": 1, "url": "https://a.ru"});
        let d = diff_values(&b, &a);
        let fields: Vec<&str> = d.iter().map(|c| c.field.as_str()).collect();
        assert_eq!(fields, ["name", "purposes", "text", "url"]);
        assert_eq!(describe(&d[0]), ["- A", "+ B"]);
        assert_eq!(describe(&d[1]), ["- x", "+ z"]);
        assert_eq!(describe(&d[2]), ["  l1", "- l2", "+ l3"]);
        assert_eq!(describe(&d[3]), ["- —", "+ https://a.ru"]);
    }

    #[test]
    fn a_long_text_shows_two_lines_of_context_and_separates_hunks() {
        let lines: Vec<String> = (1..=12).map(|i| format!("line {i}\n")).collect();
        let before = lines.concat();
        let after = before
            .replace("line 2\n", "line two\n")
            .replace("line 11\n", "");
        let d = diff_values(&json!({"t": before}), &json!({"t": after}));
        assert_eq!(
            describe(&d[0]),
            [
                "  line 1",
                "- line 2",
                "+ line two",
                "  line 3",
                "  line 4",
                "…",
                "  line 9",
                "  line 10",
                "- line 11",
                "  line 12"
            ]
        );
    }

    #[test]
    fn identical_is_empty() {
        let v = json!({"a": [1, 2]});
        assert!(diff_values(&v, &v).is_empty());
    }
}
