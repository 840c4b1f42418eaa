//! Every JSON shape a command prints, checked against its JSON Schema in
//! docs/schemas/ (draft 2020-12, `defs.json` holds the shared objects), and
//! docs/json.md checked against the schemas.
//!
//! The validation is the `jsonschema` crate's. What JSON Schema cannot say is
//! checked here besides: that each object prints its keys in the declared
//! order (the order of the schema's `required`), that every declared key is
//! required (a value that does not apply is `null`, never absent) and that
//! every object is closed (`additionalProperties: false`), so a new or renamed
//! key fails until its schema and docs/json.md say so.
//!
//! `PDCONSENT_WRITE_DOCS=1 cargo test --test cli json_shapes::` rewrites the
//! generated part of docs/json.md after a schema changed.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use serde::de::{Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::Value;

use crate::common::{Env, example_file, write};

const BASE: &str = "https://pdconsent.invalid/schemas/";
/// The line in docs/json.md after which everything is generated from the schemas.
const GENERATED: &str =
    "<!-- generated from docs/schemas/ by tests/cli/json_shapes.rs; do not edit below -->";

fn schema_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/schemas")
}

/// Every schema file by name (`agreement-show` for `agreement-show.json`), `defs` included.
fn schema_files() -> BTreeMap<String, Value> {
    let mut out = BTreeMap::new();
    for entry in std::fs::read_dir(schema_dir()).expect("docs/schemas") {
        let path = entry.unwrap().path();
        let name = path.file_stem().unwrap().to_str().unwrap().to_string();
        assert_eq!(
            path.extension().and_then(|e| e.to_str()),
            Some("json"),
            "{path:?}"
        );
        let text = std::fs::read_to_string(&path).unwrap();
        let schema: Value = serde_json::from_str(&text).unwrap_or_else(|e| panic!("{path:?}: {e}"));
        assert_eq!(
            schema["$id"],
            format!("{BASE}{name}.json"),
            "{path:?}: `$id` names another file"
        );
        out.insert(name, schema);
    }
    out
}

/// A JSON value that keeps the order of an object's keys as they were printed
/// (serde_json's `Value` sorts them).
#[derive(Debug, Clone)]
enum Ordered {
    Scalar,
    Array(Vec<Ordered>),
    Object(Vec<(String, Ordered)>),
}

impl<'de> Deserialize<'de> for Ordered {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Ordered, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Ordered;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("JSON")
            }
            fn visit_bool<E>(self, _: bool) -> Result<Ordered, E> {
                Ok(Ordered::Scalar)
            }
            fn visit_i64<E>(self, _: i64) -> Result<Ordered, E> {
                Ok(Ordered::Scalar)
            }
            fn visit_u64<E>(self, _: u64) -> Result<Ordered, E> {
                Ok(Ordered::Scalar)
            }
            fn visit_f64<E>(self, _: f64) -> Result<Ordered, E> {
                Ok(Ordered::Scalar)
            }
            fn visit_str<E>(self, _: &str) -> Result<Ordered, E> {
                Ok(Ordered::Scalar)
            }
            fn visit_unit<E>(self) -> Result<Ordered, E> {
                Ok(Ordered::Scalar)
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut s: A) -> Result<Ordered, A::Error> {
                let mut v = Vec::new();
                while let Some(x) = s.next_element()? {
                    v.push(x);
                }
                Ok(Ordered::Array(v))
            }
            fn visit_map<A: MapAccess<'de>>(self, mut m: A) -> Result<Ordered, A::Error> {
                let mut v = Vec::new();
                while let Some((k, x)) = m.next_entry::<String, Ordered>()? {
                    v.push((k, x));
                }
                Ok(Ordered::Object(v))
            }
        }
        d.deserialize_any(V)
    }
}

/// The schemas, compiled, and what has been checked against them.
struct Shapes {
    files: BTreeMap<String, Value>,
    validators: BTreeMap<String, jsonschema::Validator>,
    used: BTreeSet<String>,
}

impl Shapes {
    fn load() -> Shapes {
        let files = schema_files();
        let resources = files
            .iter()
            .map(|(name, s)| (format!("{BASE}{name}.json"), s.clone()))
            .collect::<Vec<_>>();
        let mut registry = jsonschema::Registry::new();
        for (uri, s) in resources {
            registry = registry.add(uri, s).expect("a schema resource");
        }
        let registry = registry.prepare().expect("the schemas' references resolve");
        let validators = files
            .iter()
            .filter(|(name, _)| *name != "defs")
            .map(|(name, s)| {
                let v = jsonschema::options()
                    .offline()
                    .with_registry(&registry)
                    .build(s)
                    .unwrap_or_else(|e| panic!("docs/schemas/{name}.json: {e}"));
                (name.clone(), v)
            })
            .collect();
        Shapes {
            files,
            validators,
            used: BTreeSet::new(),
        }
    }

    /// The problems of `json` (one JSON text) against the schema `name`.
    fn problems(&self, name: &str, json: &str) -> Vec<String> {
        let validator = self
            .validators
            .get(name)
            .unwrap_or_else(|| panic!("no docs/schemas/{name}.json"));
        let value: Value = match serde_json::from_str(json) {
            Ok(v) => v,
            Err(e) => return vec![format!("not JSON ({e})")],
        };
        let mut out: Vec<String> = validator
            .iter_errors(&value)
            .map(|e| format!("{}: {e}", e.instance_path()))
            .collect();
        let ordered: Ordered = serde_json::from_str(json).expect("parsed once already");
        self.order(&self.files[name], &ordered, "", &mut out);
        out
    }

    /// Checks the output of one command: the whole stdout, or each line for JSON Lines.
    #[track_caller]
    fn check(&mut self, name: &str, stdout: &str, lines: bool) {
        let texts: Vec<&str> = if lines {
            stdout.lines().collect()
        } else {
            vec![stdout]
        };
        assert!(!texts.is_empty(), "{name}: no output");
        for text in texts {
            let problems = self.problems(name, text);
            assert!(
                problems.is_empty(),
                "the output does not match docs/schemas/{name}.json:\n  {}\n--- output\n{text}",
                problems.join("\n  ")
            );
        }
        self.used.insert(name.to_string());
    }

    /// Runs a command with `--format json` that must succeed and checks its stdout.
    #[track_caller]
    fn json(&mut self, env: &Env, name: &str, args: &[&str]) -> Value {
        self.json_exit(env, name, args, 0)
    }

    /// The same for a command that must exit with `code` (1: a negative answer).
    #[track_caller]
    fn json_exit(&mut self, env: &Env, name: &str, args: &[&str], code: i32) -> Value {
        let mut args = args.to_vec();
        args.extend(["--format", "json"]);
        let r = env.run(&args);
        assert_eq!(r.code, code, "{args:?}:\n{}", r.pinned());
        self.check(name, &r.stdout, false);
        r.json()
    }

    /// The schema `$ref` points at.
    fn resolve<'a>(&'a self, schema: &'a Value) -> &'a Value {
        let Some(r) = schema.get("$ref").and_then(Value::as_str) else {
            return schema;
        };
        let (file, pointer) = r.split_once('#').expect("a `$ref` with a fragment");
        let file = file.strip_suffix(".json").unwrap_or(file);
        let doc = &self.files[if file.is_empty() { "defs" } else { file }];
        self.resolve(doc.pointer(pointer).unwrap_or_else(|| panic!("`{r}`")))
    }

    /// Key order, which JSON Schema does not check: each object's keys in the
    /// order of its schema's `required`. Descends where the schema says what is inside.
    fn order(&self, schema: &Value, inst: &Ordered, at: &str, out: &mut Vec<String>) {
        let schema = self.resolve(schema);
        for branch in ["anyOf", "oneOf", "allOf"] {
            for s in schema
                .get(branch)
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
            {
                // The branch the value is an instance of: the same keys, or (not an object) any.
                let s = self.resolve(s);
                let fits = match (inst, s.get("required")) {
                    (Ordered::Object(kv), Some(Value::Array(req))) => {
                        let have: BTreeSet<&str> = kv.iter().map(|(k, _)| k.as_str()).collect();
                        let want: BTreeSet<&str> = req.iter().filter_map(Value::as_str).collect();
                        have == want
                    }
                    _ => true,
                };
                if fits {
                    self.order(s, inst, at, out);
                }
            }
        }
        match inst {
            Ordered::Object(kv) => {
                if let Some(Value::Array(req)) = schema.get("required") {
                    let declared: Vec<&str> = req
                        .iter()
                        .chain(absent_when_empty(schema))
                        .filter_map(Value::as_str)
                        .collect();
                    let printed: Vec<&str> = kv
                        .iter()
                        .map(|(k, _)| k.as_str())
                        .filter(|k| declared.contains(k))
                        .collect();
                    let expected: Vec<&str> = declared
                        .iter()
                        .copied()
                        .filter(|k| printed.contains(k))
                        .collect();
                    if printed != expected {
                        out.push(format!(
                            "{at}: keys print as {printed:?}, the schema declares {expected:?}"
                        ));
                    }
                }
                for (k, v) in kv {
                    let sub = schema
                        .pointer(&format!(
                            "/properties/{}",
                            k.replace('~', "~0").replace('/', "~1")
                        ))
                        .or_else(|| schema.get("additionalProperties").filter(|a| a.is_object()));
                    if let Some(sub) = sub {
                        self.order(sub, v, &format!("{at}/{k}"), out);
                    }
                }
            }
            Ordered::Array(items) => {
                if let Some(sub) = schema.get("items") {
                    for (i, v) in items.iter().enumerate() {
                        self.order(sub, v, &format!("{at}/{i}"), out);
                    }
                }
            }
            Ordered::Scalar => {}
        }
    }
}

/// The keys a schema lets be absent, each an exception docs/json.md gives the reason for
/// (`x-absent-when-empty`); they come after the required ones.
fn absent_when_empty(node: &Value) -> impl Iterator<Item = &Value> {
    node.get("x-absent-when-empty")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
}

/// Every schema node, with its place (`defs.json#/$defs/event/properties/seq`).
fn walk<'a>(v: &'a Value, at: String, out: &mut Vec<(String, &'a Value)>) {
    match v {
        Value::Object(m) => {
            out.push((at.clone(), v));
            for (k, x) in m {
                // Inside `properties` the keys are names, not keywords.
                walk(x, format!("{at}/{k}"), out);
            }
        }
        Value::Array(a) => {
            for (i, x) in a.iter().enumerate() {
                walk(x, format!("{at}/{i}"), out);
            }
        }
        _ => {}
    }
}

#[test]
fn every_schema_object_is_closed_and_requires_every_key() {
    for (name, schema) in schema_files() {
        let mut nodes = Vec::new();
        walk(&schema, format!("{name}.json#"), &mut nodes);
        for (at, node) in nodes {
            let Some(props) = node.get("properties").and_then(Value::as_object) else {
                continue;
            };
            if at.ends_with("/properties") {
                // A key named `properties` in a `properties` map: not a schema.
                continue;
            }
            assert_eq!(
                node.get("additionalProperties"),
                Some(&Value::Bool(false)),
                "{at}: an object must be closed (`additionalProperties: false`)"
            );
            let required: Vec<&str> = node["required"]
                .as_array()
                .unwrap_or_else(|| panic!("{at}: no `required`"))
                .iter()
                .chain(absent_when_empty(node))
                .map(|k| k.as_str().unwrap())
                .collect();
            let declared: Vec<&str> = props.keys().map(String::as_str).collect();
            let mut sorted = required.clone();
            sorted.sort();
            assert_eq!(
                sorted, declared,
                "{at}: every key is required (`null` when it does not apply, never absent)"
            );
        }
    }
}

/// The shape check fails on each kind of drift the schemas are there to catch.
#[test]
fn the_shape_check_refuses_drift() {
    let env = Env::with_main();
    let shapes = Shapes::load();
    let good = env.ok(&["info", "--format", "json"]).stdout;
    assert_eq!(shapes.problems("info", &good), Vec::<String>::new());
    let v: Value = serde_json::from_str(&good).unwrap();
    let mut absent = v.clone();
    absent.as_object_mut().unwrap().remove("database");
    let mut added = v.clone();
    added["counts"]["extra"] = 1.into();
    let mut typed = v.clone();
    typed["schema_version"] = "6".into();
    // serde_json prints a `Value` with sorted keys: not the declared order.
    let reordered = serde_json::to_string_pretty(&v).unwrap();
    for (what, text) in [
        ("a key absent", serde_json::to_string(&absent).unwrap()),
        ("a key added", serde_json::to_string(&added).unwrap()),
        ("a wrong type", serde_json::to_string(&typed).unwrap()),
        ("keys out of order", reordered),
    ] {
        assert!(!shapes.problems("info", &text).is_empty(), "{what} passed");
    }

    let requisites = env
        .ok(&["requisites", "show", "main", "--format", "json"])
        .stdout;
    assert_eq!(
        shapes.problems("requisites-show", &requisites),
        Vec::<String>::new()
    );
    let mut kind: Value = serde_json::from_str(&requisites).unwrap();
    kind["kind"] = "legal_entity".into();
    let text = serde_json::to_string(&kind).unwrap();
    assert!(
        !shapes.problems("requisites-show", &text).is_empty(),
        "an enumeration value outside the schema's passed"
    );
}

/// Markdown for one schema node: its type in words.
fn type_words(shapes: &BTreeMap<String, Value>, s: &Value) -> String {
    if let Some(r) = s.get("$ref").and_then(Value::as_str) {
        let name = r.rsplit('/').next().unwrap();
        let title = shapes["defs"]["$defs"][name]["title"].as_str().unwrap();
        return format!("[{title}](#{})", anchor(title));
    }
    if let Some(any) = s.get("anyOf").and_then(Value::as_array) {
        return any
            .iter()
            .map(|x| type_words(shapes, x))
            .collect::<Vec<_>>()
            .join(" or ");
    }
    let mut types: Vec<String> = match s.get("type") {
        Some(Value::String(t)) => vec![t.clone()],
        Some(Value::Array(a)) => a.iter().map(|t| t.as_str().unwrap().to_string()).collect(),
        _ => return "any JSON".to_string(),
    };
    if let Some(e) = s.get("enum").and_then(Value::as_array) {
        let vals: Vec<String> = e
            .iter()
            .filter(|v| !v.is_null())
            .map(|v| format!("`{}`", v.as_str().unwrap()))
            .collect();
        types[0] = vals.join(" \\| ");
    } else if types[0] == "string" {
        match s.get("format").and_then(Value::as_str) {
            Some("date-time") => types[0] = "time (RFC 3339, UTC)".into(),
            Some("date") => types[0] = "date (YYYY-MM-DD)".into(),
            _ => {}
        }
    } else if types[0] == "array" {
        types[0] = format!("array of {}", type_words(shapes, &s["items"]));
    } else if types[0] == "object"
        && let Some(a) = s.get("additionalProperties").filter(|a| a.is_object())
    {
        types[0] = format!("object of {}", type_words(shapes, a));
    }
    types
        .iter()
        .map(|t| {
            if t == "null" {
                "`null`".to_string()
            } else {
                t.clone()
            }
        })
        .collect::<Vec<_>>()
        .join(" or ")
}

/// GitHub's anchor of a heading.
fn anchor(title: &str) -> String {
    title
        .to_lowercase()
        .chars()
        .filter(|c| c.is_alphanumeric() || *c == ' ' || *c == '-' || *c == '_')
        .map(|c| if c == ' ' { '-' } else { c })
        .collect()
}

/// The rows of an object's table: one per key, nested objects and arrays of
/// objects as `a.b` and `a[].b`, in the declared order.
fn rows(shapes: &BTreeMap<String, Value>, s: &Value, prefix: &str, out: &mut String) {
    let Some(req) = s.get("required").and_then(Value::as_array) else {
        return;
    };
    for k in req
        .iter()
        .chain(absent_when_empty(s))
        .map(|k| k.as_str().unwrap())
    {
        let p = &s["properties"][k];
        let desc = p.get("description").and_then(Value::as_str).unwrap_or("");
        let key = format!("{prefix}{k}");
        writeln!(
            out,
            "| `{key}` | {} | {} |",
            type_words(shapes, p),
            desc.replace('|', "\\|")
        )
        .unwrap();
        if p.get("properties").is_some() {
            rows(shapes, p, &format!("{key}."), out);
        } else if p["items"].get("properties").is_some() {
            rows(shapes, &p["items"], &format!("{key}[]."), out);
        }
    }
}

/// One section: what it is, then its keys (or the object or union it is).
fn section(shapes: &BTreeMap<String, Value>, heading: &str, s: &Value, out: &mut String) {
    writeln!(out, "{heading}\n").unwrap();
    if let Some(d) = s.get("description").and_then(Value::as_str) {
        writeln!(out, "{d}\n").unwrap();
    }
    let mut body = s;
    if s["type"] == "array" && s["items"].get("oneOf").is_some() {
        writeln!(out, "An array of objects, each of one of these shapes:\n").unwrap();
        body = &s["items"];
    } else if s["type"] == "array" && s["items"].get("properties").is_some() {
        writeln!(out, "An array of objects:\n").unwrap();
        body = &s["items"];
    } else if s["type"] == "array" {
        writeln!(out, "An array of {}.\n", type_words(shapes, &s["items"])).unwrap();
        body = &s["items"];
    } else if s.get("$ref").is_some() {
        writeln!(out, "{}.\n", type_words(shapes, s)).unwrap();
    }
    let variants: Vec<&Value> = match body.get("oneOf").and_then(Value::as_array) {
        Some(v) => v.iter().collect(),
        None => vec![body],
    };
    for v in variants {
        if v.get("properties").is_none() {
            continue;
        }
        if let Some(action) = v.pointer("/properties/action/enum") {
            let names: Vec<String> = action
                .as_array()
                .unwrap()
                .iter()
                .map(|a| format!("`{}`", a.as_str().unwrap()))
                .collect();
            writeln!(out, "`action` {}:\n", names.join(" or ")).unwrap();
        }
        out.push_str("| key | type | meaning |\n|---|---|---|\n");
        rows(shapes, v, "", out);
        out.push('\n');
    }
}

/// The generated part of docs/json.md.
fn generated_docs() -> String {
    let shapes = schema_files();
    let mut out = String::new();
    writeln!(out, "{GENERATED}\n\n## Commands\n").unwrap();
    for (name, s) in &shapes {
        if name == "defs" {
            continue;
        }
        let title = s["title"].as_str().unwrap();
        let heading = format!(
            "### {} ([schema](schemas/{name}.json))",
            title
                .split(", ")
                .map(|c| format!("`{c}`"))
                .collect::<Vec<_>>()
                .join(", ")
        );
        section(&shapes, &heading, s, &mut out);
    }
    writeln!(out, "## Shared objects ([schema](schemas/defs.json))\n").unwrap();
    for d in shapes["defs"]["$defs"].as_object().unwrap().values() {
        let heading = format!("### {}", d["title"].as_str().unwrap());
        section(&shapes, &heading, d, &mut out);
    }
    out.truncate(out.trim_end().len());
    out.push('\n');
    out
}

#[test]
fn docs_json_md_is_generated_from_the_schemas() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/json.md");
    let text = std::fs::read_to_string(&path).expect("docs/json.md");
    let (head, tail) = text
        .split_once(GENERATED)
        .expect("docs/json.md has the line that starts its generated part");
    let expected = generated_docs();
    if std::env::var_os("PDCONSENT_WRITE_DOCS").is_some_and(|v| v == "1") {
        std::fs::write(&path, format!("{head}{expected}")).unwrap();
        return;
    }
    assert!(
        format!("{GENERATED}{tail}") == expected,
        "docs/json.md differs from docs/schemas/: run \
         `PDCONSENT_WRITE_DOCS=1 cargo test --test cli json_shapes::` and review the diff"
    );
}

/// Every command that prints JSON, run on a realistic database (the example
/// configuration, edits, consents recorded, withdrawn and erased, a signed
/// checkpoint), its real output checked against its schema; and every schema
/// checked against some output, so none describes a shape nothing prints.
#[test]
fn every_command_prints_its_documented_shape() {
    let mut s = Shapes::load();
    let env = Env::new();
    let example = example_file();
    let example = example.to_str().unwrap();

    // The plan of a fresh database (every object created), then the example applied.
    s.json(&env, "apply", &["apply", example, "--dry-run"]);
    s.json(&env, "apply", &["apply", example]);
    s.json(&env, "info", &["info"]);

    s.json(&env, "requisites-show", &["requisites", "show", "main"]);
    s.json(&env, "requisites-list", &["requisites", "list"]);
    s.json(
        &env,
        "requisites-show",
        &[
            "requisites",
            "add",
            "spare",
            "--set",
            "kind=individual",
            "--set",
            "short_name=ИП Иванов",
        ],
    );
    s.json(
        &env,
        "requisites-edit",
        &[
            "requisites",
            "edit",
            "main",
            "--set",
            "phone=+7 495 000-00-00",
        ],
    );
    s.json(
        &env,
        "requisites-history",
        &["requisites", "history", "main"],
    );
    s.json(&env, "diff", &["requisites", "diff", "main", "1", "2"]);
    s.json(
        &env,
        "requisites-remove",
        &["requisites", "remove", "spare", "--yes"],
    );

    s.json(
        &env,
        "agreement-show",
        &["agreement", "show", "personal-data"],
    );
    s.json(&env, "agreement-list", &["agreement", "list"]);
    s.json(
        &env,
        "agreement-show",
        &[
            "agreement",
            "add",
            "spare",
            "--name",
            "Запасное",
            "--add-purpose",
            "цель",
        ],
    );
    let edited = s.json(
        &env,
        "agreement-edit",
        &[
            "agreement",
            "edit",
            "personal-data",
            "--set",
            "methods=non-automated",
            "--add-purpose",
            "ещё одна цель",
        ],
    );
    // Enumerations print as they are typed (and as the README and the TOML spell them).
    assert_eq!(edited["methods"], "non-automated");
    s.json(
        &env,
        "agreement-history",
        &["agreement", "history", "personal-data"],
    );
    let diff = s.json(
        &env,
        "diff",
        &["agreement", "diff", "personal-data", "1", "2"],
    );
    assert_eq!(diff["changes"][0]["added"], serde_json::json!([]));
    s.json(&env, "archive", &["agreement", "archive", "spare"]);
    s.json(&env, "archive", &["agreement", "restore", "spare"]);
    s.json(
        &env,
        "agreement-preview",
        &[
            "agreement",
            "preview",
            "personal-data",
            "--source",
            "contact-form",
        ],
    );
    // `spare` has unfilled settings: errors (exit 1) as well as warnings.
    s.json_exit(&env, "agreement-check", &["agreement", "check", "--all"], 1);
    s.json(
        &env,
        "agreement-texts",
        &["agreement", "texts", "personal-data"],
    );

    s.json(&env, "source-show", &["source", "show", "contact-form"]);
    s.json(&env, "source-list", &["source", "list"]);
    s.json(
        &env,
        "source-edit",
        &[
            "source",
            "add",
            "spare-form",
            "--kind",
            "form",
            "--name",
            "Запасная форма",
            "--link",
            "spare",
        ],
    );
    s.json(
        &env,
        "source-edit",
        &["source", "edit", "spare-form", "--set", "name=Другая форма"],
    );
    s.json(&env, "source-history", &["source", "history", "spare-form"]);
    s.json(&env, "diff", &["source", "diff", "spare-form", "1", "2"]);
    s.json(&env, "archive", &["source", "archive", "spare-form"]);
    s.json(&env, "archive", &["source", "restore", "spare-form"]);

    s.json(&env, "template-list", &["template", "list"]);
    s.json(
        &env,
        "template-show",
        &["template", "show", "ru-152fz-consent"],
    );
    s.json(&env, "setting-list", &["setting", "list"]);
    s.json(&env, "log", &["log"]);
    // The file again: updates, a new revision, an archive of what is not in it.
    s.json(
        &env,
        "apply",
        &["apply", example, "--dry-run", "--archive-missing"],
    );

    // The ledger: a key, consents, a withdrawal, an erasure.
    let key = s.json(&env, "ledger-key", &["ledger", "key", "init"]);
    let vkey = key["vkey"].as_str().unwrap().to_string();
    s.json(&env, "ledger-key-list", &["ledger", "key", "list"]);
    let record = |email: &str| {
        let field = format!("email={email}");
        vec![
            "consent".to_string(),
            "record".into(),
            "--source".into(),
            "contact-form".into(),
            "--field".into(),
            field,
            "--field".into(),
            "имя=Иван".into(),
            "--agreement".into(),
            "personal-data".into(),
        ]
    };
    let ivan = record("ivan@example.ru");
    let ivan: Vec<&str> = ivan.iter().map(String::as_str).collect();
    let events = s.json(&env, "consent-record", &ivan);
    let given = events[0]["seq"].to_string();
    let petr = record("petr@example.ru");
    let petr: Vec<&str> = petr.iter().map(String::as_str).collect();
    let petr = s.json(&env, "consent-record", &petr)[0]["seq"].to_string();
    let batch = write(
        &env,
        "batch.jsonl",
        concat!(
            r#"{"source":"callback-form","fields":{"phone":"+79160000001"},"external_id":"b1"}"#,
            "\n",
            r#"{"source":"no-such-form","fields":{"phone":"+79160000002"}}"#,
            "\n",
        ),
    );
    let r = env.run(&["consent", "record", "--batch", &batch]);
    assert_eq!(r.code, 1, "{}", r.pinned());
    s.check("consent-record-batch", &r.stdout, true);
    // Repeated: the first line is a duplicate now.
    let r = env.run(&["consent", "record", "--batch", &batch]);
    assert!(r.stdout.contains(r#""duplicate":true"#), "{}", r.pinned());
    s.check("consent-record-batch", &r.stdout, true);
    let import = write(
        &env,
        "import.jsonl",
        concat!(
            r#"{"source":"callback-form","fields":{"phone":"+79160000003"},"at":"2026-11-28T12:00:00Z"}"#,
            "\n",
            r#"{"source":"no-such-form","fields":{"phone":"+79160000004"}}"#,
            "\n",
        ),
    );
    // A refused row: exit 1, the row in `problems`.
    let imported = s.json_exit(
        &env,
        "consent-import",
        &[
            "consent",
            "import",
            &import,
            "--skip-invalid",
            "--rejects",
            "rejects.txt",
        ],
        1,
    );
    assert_eq!(imported["refused"], 1, "{imported}");

    s.json(&env, "consent-list", &["consent", "list"]);
    s.json(&env, "consent-show", &["consent", "show", &given]);
    s.json(&env, "consent-withdraw", &["consent", "withdraw", &petr]);
    s.json(&env, "consent-withdraw", &["consent", "withdraw", &petr]);
    s.json(
        &env,
        "consent-status",
        &[
            "consent",
            "status",
            "--source",
            "contact-form",
            "--subject",
            "email=ivan@example.ru",
        ],
    );
    s.json(&env, "subject-due", &["subject", "due", "--within", "60"]);
    s.json(
        &env,
        "subject-erase",
        &[
            "subject",
            "erase",
            "--subject",
            "email=petr@example.ru",
            "--yes",
        ],
    );
    s.json(&env, "consent-show", &["consent", "show", &petr]);

    s.json(&env, "ledger-head", &["ledger", "head"]);
    s.json(&env, "ledger-prove", &["ledger", "prove", &given]);
    s.json(&env, "ledger-verify", &["ledger", "verify"]);
    let old = s.json(&env, "ledger-checkpoint", &["ledger", "checkpoint"]);
    let old = write(&env, "old.checkpoint", old["note"].as_str().unwrap());
    env.ok(&ivan);
    s.json(&env, "ledger-consistency", &["ledger", "consistency", &old]);
    let export = env.ok(&["consent", "export", "--format", "jsonl"]);
    s.check("consent-export", &export.stdout, true);

    env.ok(&[
        "consent",
        "receipt",
        &given,
        "--format",
        "json",
        "-o",
        "receipt.json",
    ]);
    s.json(
        &env,
        "receipt-verify",
        &["receipt", "verify", "receipt.json", "--vkey", &vkey],
    );
    env.ok(&["audit-pack", "pack"]);
    s.json(
        &env,
        "audit-pack-verify",
        &["audit-pack", "verify", "pack", "--vkey", &vkey],
    );
    s.json(&env, "backup", &["backup", "copy.db"]);

    let unused: Vec<&String> = s
        .validators
        .keys()
        .filter(|name| !s.used.contains(*name))
        .collect();
    assert!(
        unused.is_empty(),
        "schemas no output was checked against: {unused:?}"
    );
}
