use super::*;

const EXAMPLE: &str = include_str!("../../agreements.example.toml");

#[test]
fn the_example_parses_without_problems() {
    let (cfg, errors) = parse(EXAMPLE);
    assert_eq!(errors, Vec::<ConfigError>::new());
    assert_eq!(cfg.requisites.len(), 1);
    assert_eq!(cfg.agreements.len(), 3);
    assert_eq!(cfg.sources.len(), 3);
    assert_eq!(
        cfg.sources[0].source.agreements.len(),
        2,
        "the contact form carries two consents"
    );
    assert!(cfg.sources[2].source.warning);
}

fn dump_of(cfg: &Config) -> String {
    let reqs: Vec<Requisites> = cfg
        .requisites
        .iter()
        .map(|r| r.requisites.clone())
        .collect();
    let agreements: Vec<(String, Settings, bool)> = cfg
        .agreements
        .iter()
        .map(|a| (a.code.clone(), a.settings.clone(), a.archived))
        .collect();
    let sources: Vec<(Source, bool)> = cfg
        .sources
        .iter()
        .map(|s| (s.source.clone(), s.archived))
        .collect();
    dump(&reqs, &agreements, &sources).unwrap()
}

#[test]
fn dump_parses_back_to_the_same_objects() {
    let (mut cfg, _) = parse(EXAMPLE);
    // Archived objects are part of the configuration too.
    cfg.agreements[1].archived = true;
    cfg.sources[1].archived = true;
    let text = dump_of(&cfg);
    assert!(text.contains("archived = true"), "{text}");
    let (back, errors) = parse(&text);
    assert_eq!(errors, Vec::<ConfigError>::new(), "{text}");
    let pairs = |c: &Config| -> Vec<(Requisites, bool)> {
        c.requisites
            .iter()
            .map(|r| (r.requisites.clone(), r.default_given))
            .collect()
    };
    assert_eq!(pairs(&back), pairs(&cfg));
    let agreements = |c: &Config| -> Vec<(String, Settings, bool)> {
        c.agreements
            .iter()
            .map(|a| (a.code.clone(), a.settings.clone(), a.archived))
            .collect()
    };
    assert_eq!(agreements(&back), agreements(&cfg));
    assert_eq!(back.sources, cfg.sources);
    assert_eq!(dump_of(&back), text);
}

#[test]
fn every_problem_is_located() {
    let text = "[[requisites]]\ncode = \"main\"\nkind = \"legal\"\nshort_name = \"X\"\ninn = \"7812345676\"\ncolour = \"red\"\n\n[[agreements]]\ncode = \"a\"\nname = \"A\"\nrequired = \"yes\"\n\n[[agreements]]\ncode = \"a\"\nname = \"B\"\n\n[[sources]]\ncode = \"s\"\nname = \"S\"\n\n[widgets]\n";
    let (_, errors) = parse(text);
    let got: Vec<(usize, usize, &str)> = errors
        .iter()
        .map(|e| (e.line, e.column, e.path.as_str()))
        .collect();
    assert_eq!(
        got,
        [
            (5, 1, "requisites[0].inn"),
            (6, 1, "requisites[0].colour"),
            (11, 12, "agreements[0].required"),
            (14, 8, "agreements[1].code"),
            (17, 1, "sources[0]"),
            (21, 2, "widgets"),
        ]
    );
    assert!(errors[0].message.contains("check digit"), "{}", errors[0]);
    assert!(errors[3].message.contains("duplicate code `a`"));
    assert!(errors[4].message.contains("missing key `kind`"));
    assert_eq!(
        errors[2].to_string(),
        "11:12: agreements[0].required: expected a boolean (true or false), found string"
    );
}

#[test]
fn syntax_errors_are_located() {
    let (_, errors) = parse("[[requisites]]\ncode = \"m\"\nkind =\n");
    assert_eq!(errors.len(), 1);
    assert_eq!((errors[0].line, errors[0].column), (3, 7));
    assert!(errors[0].message.starts_with("TOML syntax"));
}

#[test]
fn custom_template_errors_are_reported_on_parse() {
    let text = "[[agreements]]\ncode = \"c\"\nname = \"C\"\ntemplate = \"custom\"\ncustom_text = \"{{ operator.display_name }\"\n";
    let (_, errors) = parse(text);
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert_eq!(errors[0].path, "agreements[0].custom_text");
    assert!(
        errors[0].message.contains("line 1, column"),
        "{}",
        errors[0]
    );
}

/// Many entries, each with one problem: every problem is reported once, at its
/// own line, however far down the file it is.
#[test]
fn the_problems_of_many_entries_are_each_located_once() {
    const N: usize = 300;
    let mut text = String::new();
    for i in 0..N {
        // An empty name fails validation; a number is the wrong type, and the
        // check for an empty name must not report that key a second time.
        let name = if i % 2 == 0 { "\"\"" } else { "5" };
        text.push_str(&format!(
            "[[agreements]]\ncode = \"a{i}\"\nname = {name}\n\n"
        ));
    }
    text.push_str("[[agreements]]\ncode = \"a7\"\nname = \"A\"\n");
    let (cfg, errors) = parse(&text);
    assert!(cfg.agreements.is_empty());
    assert_eq!(errors.len(), N + 1, "{:?}", &errors[..errors.len().min(4)]);
    for (i, e) in errors[..N].iter().enumerate() {
        assert_eq!(
            (e.line, e.path.as_str()),
            (4 * i + 3, format!("agreements[{i}].name").as_str())
        );
        let want = if i % 2 == 0 {
            "the name is required"
        } else {
            "expected a string, found integer"
        };
        assert!(e.message.starts_with(want), "{e}");
    }
    assert_eq!(
        errors[N].to_string(),
        format!(
            "{}:8: agreements[{N}].code: duplicate code `a7`: each entry of [[agreements]] needs its own code",
            4 * N + 2
        )
    );
    assert!(cfg.mentions("agreements", "a299"));
    assert!(!cfg.mentions("sources", "a299"));
    assert_eq!(cfg.path_of("agreements", "a7"), "agreements[7]");
}

proptest::proptest! {
    /// The line index places an error exactly where counting the text before it would.
    #[test]
    fn an_error_is_placed_as_counting_the_text_before_it_would(
        text in "[aé\n]{0,40}",
        pick in 0usize..64,
    ) {
        let ends: Vec<usize> = text
            .char_indices()
            .map(|(i, _)| i)
            .chain([text.len(), text.len() + 3])
            .collect();
        let offset = ends[pick % ends.len()];
        let before = &text[..offset.min(text.len())];
        let line = before.matches('\n').count() + 1;
        let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
        let e = locate(&text, &LineStarts::new(&text), offset, "p", String::new());
        proptest::prop_assert_eq!((e.line, e.column), (line, column));
    }
}

/// Each wrong value is reported at its place with the type it has, however
/// deep it is; an entry's other values are still read and checked.
#[test]
fn every_wrong_value_is_reported_with_its_type() {
    let text = "[[agreements]]\ncode = \"a\"\nname = 1979-05-27\nterm = 1e999\nlabel = 99999999999999999999999999999999999999999\npurposes = [1, \"\", {}]\nthird_parties = [{name = \"N\", colour = 1}, 2]\n\n[[sources]]\ncode = \"s\"\nkind = \"form\"\nname = \"S\"\nagreements = [{agreement = \"a\", required = \"no\", shade = 1}]\n";
    let (cfg, errors) = parse(text);
    let got: Vec<String> = errors.iter().map(|e| e.to_string()).collect();
    let third = "a third party needs name, inn, address and role (processor or recipient)";
    assert_eq!(
        got,
        [
            "3:8: agreements[0].name: expected a string, found datetime".to_string(),
            "4:8: agreements[0].term: expected a string, found float".to_string(),
            "5:9: agreements[0].label: expected a string, found integer".to_string(),
            "6:13: agreements[0].purposes[0]: expected a string, found integer".to_string(),
            "6:16: agreements[0].purposes[1]: empty entry".to_string(),
            "6:20: agreements[0].purposes[2]: expected a string, found table".to_string(),
            format!("7:18: agreements[0].third_parties[0]: missing key `inn`; {third}"),
            format!("7:18: agreements[0].third_parties[0]: missing key `address`; {third}"),
            format!("7:18: agreements[0].third_parties[0]: missing key `role`; {third}"),
            "7:31: agreements[0].third_parties[0].colour: unknown key `colour`; allowed keys: name, inn, address, role".to_string(),
            "7:44: agreements[0].third_parties[1]: expected a table, found integer".to_string(),
            "13:44: sources[0].agreements[0].required: expected a boolean (true or false), found string".to_string(),
            "13:50: sources[0].agreements[0].shade: unknown key `shade`; allowed keys: agreement, required, checked_by_default, require_reading".to_string(),
        ]
    );
    assert!(cfg.agreements.is_empty() && cfg.sources.is_empty());
}

/// The keys `parse` allows are the keys `dump` writes: both come from the entry types.
#[test]
fn dump_writes_the_keys_parse_allows() {
    let (mut cfg, errors) = parse(EXAMPLE);
    assert!(errors.is_empty());
    // Every optional value set, so that every key is written.
    let s = &mut cfg.agreements[0].settings;
    s.url = Some("https://example.ru/consent".into());
    s.custom_text = Some("text".into());
    s.automated_decisions = Some("none".into());
    cfg.agreements[0].archived = true;
    cfg.requisites[0].requisites.ogrnip = Some("339099603082469".into());
    cfg.requisites[0].requisites.dpo = Some("dpo@example.ru".into());
    cfg.requisites[0].requisites.eu_representative = Some("EU Rep, Berlin".into());
    cfg.sources[0]
        .source
        .captions_en
        .insert("имя".into(), "name".into());
    cfg.sources[0].archived = true;
    let link = &mut cfg.sources[0].source.agreements[0];
    (link.required, link.checked_by_default, link.require_reading) =
        (Some(true), Some(false), Some(true));
    let dumped: toml::Table = toml::from_str(&dump_of(&cfg)).unwrap();
    let written = |kind: &str, nested: &str| {
        let table = dumped[kind][0].as_table().unwrap();
        let mut keys: Vec<&str> = table.keys().map(String::as_str).collect();
        if !nested.is_empty() {
            keys.extend(
                table[nested][0]
                    .as_table()
                    .unwrap()
                    .keys()
                    .map(String::as_str),
            );
        }
        keys.sort();
        keys.dedup();
        keys.join(", ")
    };
    // The allowed keys of a table and of the table in it, from the errors about `x`.
    let allowed = |text: &str| {
        let (_, errors) = parse(text);
        let mut keys: Vec<&str> = errors
            .iter()
            .filter_map(|e| e.message.split("allowed keys: ").nth(1))
            .flat_map(|list| list.split(", "))
            .collect();
        keys.sort();
        keys.dedup();
        keys.join(", ")
    };
    assert_eq!(
        written("requisites", ""),
        allowed("[[requisites]]\ncode = \"m\"\nshort_name = \"M\"\nx = 1\n")
    );
    assert_eq!(
        written("agreements", "third_parties"),
        allowed(
            "[[agreements]]\ncode = \"a\"\nname = \"A\"\nx = 1\n[[agreements.third_parties]]\nx = 1\n"
        )
    );
    assert_eq!(
        written("sources", "agreements"),
        allowed(
            "[[sources]]\ncode = \"s\"\nkind = \"form\"\nx = 1\n[[sources.agreements]]\nx = 1\n"
        )
    );
}

/// Every key of every entry type is read: a value of the wrong type is
/// reported for each (a key the reader forgot would pass unseen).
#[test]
fn every_key_is_read() {
    let cases = [
        (
            "[[requisites]]\n",
            "requisites[0]",
            checked::fields_of::<entry::RequisitesEntry>(),
        ),
        (
            "[[agreements]]\n",
            "agreements[0]",
            checked::fields_of::<entry::AgreementEntry>(),
        ),
        (
            "[[agreements]]\ncode = \"a\"\nname = \"A\"\n[[agreements.third_parties]]\n",
            "agreements[0].third_parties[0]",
            checked::fields_of::<entry::ThirdPartyEntry>(),
        ),
        (
            "[[sources]]\nkind = \"form\"\n",
            "sources[0]",
            checked::fields_of::<entry::SourceEntry>(),
        ),
        (
            "[[sources]]\ncode = \"s\"\nkind = \"form\"\nname = \"S\"\n[[sources.agreements]]\n",
            "sources[0].agreements[0]",
            checked::fields_of::<entry::LinkEntry>(),
        ),
    ];
    for (head, path, keys) in cases {
        assert!(keys.len() >= 4, "{path}: {keys:?}");
        for key in keys {
            // The key last, in place of the line of the head that has it.
            let mut text: String = head
                .lines()
                .filter(|l| !l.starts_with(&format!("{key} =")))
                .map(|l| format!("{l}\n"))
                .collect();
            text.push_str(&format!("{key} = 1979-05-27\n"));
            let (_, errors) = parse(&text);
            let want = format!("{path}.{key}");
            assert!(
                errors
                    .iter()
                    .any(|e| e.path == want && e.message.ends_with(", found datetime")),
                "{want}: {errors:#?}"
            );
        }
    }
}

/// `dump` reads each object into its entry type: a setting the file has no
/// key for makes it fail rather than write a file that `apply` refuses.
#[test]
fn dump_refuses_a_setting_the_file_has_no_key_for() {
    #[derive(Serialize)]
    struct Newer {
        code: &'static str,
        name: &'static str,
        colour: &'static str,
    }
    let newer = Newer {
        code: "a",
        name: "A",
        colour: "red",
    };
    let err = entry::<entry::AgreementEntry>(&newer).unwrap_err();
    assert!(err.to_string().contains("colour"), "{err}");
}
