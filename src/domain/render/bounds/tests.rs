use super::*;
use crate::domain::render::BUILTIN;

/// The four chains of the issue, `n` links long, each in one `{{ }}`.
fn chains(n: usize) -> [(&'static str, String); 4] {
    [
        ("plus", format!("{{{{ 1{} }}}}", "+1".repeat(n))),
        ("filters", format!("{{{{ x{} }}}}", "|upper".repeat(n))),
        ("attributes", format!("{{{{ a{} }}}}", ".a".repeat(n))),
        ("not", format!("{{{{ {}x }}}}", "not ".repeat(n))),
    ]
}

/// The operations of the one tag of a template, as `check` counts them.
fn operations(tag: &str) -> usize {
    let mut body = 2;
    if tag[body..].starts_with(['-', '+']) {
        body += 1;
    }
    let closer: &[u8] = if tag.starts_with("{{") { b"}}" } else { b"%}" };
    scan_tag(tag, body, closer).operations
}

#[test]
fn the_built_in_templates_are_far_inside_the_limits() {
    for (id, _, source) in BUILTIN {
        check(source).unwrap_or_else(|e| panic!("{id}: {e}"));
        assert!(source.len() < MAX_TEMPLATE_BYTES / 16, "{id}");
    }
}

#[test]
fn what_counts_as_an_operation() {
    assert_eq!(operations("{{ operator.display_name }}"), 1);
    assert_eq!(operations("{{ purposes | join(\"; \") }}"), 2);
    assert_eq!(operations("{{ x if y else z }}"), 2);
    assert_eq!(operations("{{ a == b and not c }}"), 3);
    assert_eq!(operations("{{ x[0] ** 2 // 3 }}"), 3);
    assert_eq!(operations("{% for p in processors %}"), 1);
    assert_eq!(operations("{% set x = 1 %}"), 0);
    // Strings are skipped; the tag ends at its closer, not at one inside a string.
    assert_eq!(operations("{{ \"|.|.}}|\" ~ 'a\\'|' }}"), 1);
    // Whitespace control is not an operator.
    assert_eq!(operations("{{- x -}}"), 0);
    assert_eq!(operations("{%- if x -%}"), 1);
}

#[test]
fn the_four_chains_of_50000_are_refused_with_their_line() {
    for (name, chain) in chains(50_000) {
        let source = format!("Согласие\n\nОператор: {chain}\n");
        let e = check(&source).unwrap_err();
        assert_eq!((e.line, e.column), (Some(3), Some(11)), "{name}: {e}");
        assert!(
            e.message.contains("the limit is 200 in one tag"),
            "{name}: {e}"
        );
    }
}

#[test]
fn a_chain_at_the_limit_passes_and_one_more_does_not() {
    for (name, chain) in chains(MAX_TAG_OPERATIONS) {
        assert_eq!(check(&chain), Ok(()), "{name}");
    }
    for (name, chain) in chains(MAX_TAG_OPERATIONS + 1) {
        assert!(check(&chain).is_err(), "{name}");
    }
}

#[test]
fn every_limit_together_compiles_on_a_small_stack() {
    // The worst template the limits allow: blocks nested as deep as allowed,
    // and inside the deepest a tag of each chain at its limit. minijinja
    // compiles and renders it on a 512 KiB stack, a quarter of the 2 MiB
    // every Rust thread gets by default.
    let n = MAX_TAG_OPERATIONS;
    let mut source = "{% if true %}".repeat(MAX_BLOCK_DEPTH);
    for (_, chain) in chains(n) {
        source.push_str(&chain);
    }
    source.push_str(&format!("{{{{ {}1 }}}}", "-".repeat(n)));
    source.push_str(&format!(
        "{{{{ {}1 }}}}",
        "(".repeat(n / 2) + &")".repeat(n / 2)
    ));
    source.push_str(&"{% endif %}".repeat(MAX_BLOCK_DEPTH));
    assert_eq!(check(&source), Ok(()));
    let worker = std::thread::Builder::new()
        .stack_size(512 * 1024)
        .spawn(move || {
            let env = super::super::environment();
            let tmpl = env.template_from_str(&source).map_err(|e| e.to_string())?;
            tmpl.render(minijinja::context! { x => "x", a => minijinja::context! {} })
                .map(|_| ())
                .map_err(|e| e.to_string())
        })
        .unwrap();
    // Rendering may fail (`a.a.a…` is undefined); it must not crash.
    let _ = worker.join().expect("no stack overflow");
}

#[test]
fn raw_blocks_and_comments_are_text() {
    let chain = format!("{{{{ 1{} }}}}", "+1".repeat(50_000));
    assert_eq!(check(&format!("{{% raw %}}{chain}{{% endraw %}}")), Ok(()));
    assert_eq!(
        check(&format!("{{%- raw -%}}{chain}{{%- endraw +%}}")),
        Ok(())
    );
    assert_eq!(check(&format!("{{# {chain} #}}")), Ok(()));
    // After the raw block, tags count again.
    let after = format!("{{% raw %}}{{{{ x }}}}{{% endraw %}}\n{chain}");
    assert_eq!(check(&after).unwrap_err().line, Some(2));
    // `{% rawx %}` is not a raw block.
    assert!(check(&format!("{{% rawx %}}{chain}")).is_err());
}

#[test]
fn brackets_do_not_hide_the_rest_of_a_tag() {
    // minijinja ends a tag at `}}` only outside brackets: so does the check.
    let tricky = format!("{{{{ {{'a': {{'b': 1}}}} ~ 1{} }}}}", "+1".repeat(50_000));
    assert!(check(&tricky).is_err());
}

#[test]
fn nesting_deeper_than_the_limit_is_refused() {
    let nested = |depth: usize, open: &str, close: &str| {
        format!("{}x{}", open.repeat(depth), close.repeat(depth))
    };
    for (open, close) in [
        ("{% if x %}", "{% endif %}"),
        ("{% for x in y %}", "{% endfor %}"),
        ("{%- with a = 1 -%}", "{%- endwith -%}"),
        ("{% set s %}", "{% endset %}"),
        ("{% filter upper %}", "{% endfilter %}"),
    ] {
        assert_eq!(
            check(&nested(MAX_BLOCK_DEPTH, open, close)),
            Ok(()),
            "{open}"
        );
        let e = check(&nested(MAX_BLOCK_DEPTH + 1, open, close)).unwrap_err();
        assert!(e.message.contains("the limit is 32 levels"), "{open}: {e}");
    }
    // Blocks that follow each other are not nested; `{% set x = … %}` opens none.
    let flat = "{% if x %}a{% elif y %}b{% else %}c{% endif %}{% set v = 1 %}".repeat(100);
    assert_eq!(check(&flat), Ok(()));
}

#[test]
fn a_long_tag_or_template_is_refused() {
    let long = format!("{{{{ \"{}\" }}}}", "я".repeat(MAX_TAG_BYTES));
    let e = check(&format!("a\nb {long}")).unwrap_err();
    assert_eq!((e.line, e.column), (Some(2), Some(3)));
    assert!(e.message.contains("the limit is 4 KiB"), "{e}");

    let text = "x".repeat(MAX_TEMPLATE_BYTES);
    assert_eq!(check(&text), Ok(()));
    let e = check(&format!("{text}x")).unwrap_err();
    assert_eq!(e.line, None);
    assert!(e.message.contains("the limit is 256 KiB"), "{e}");
}

#[test]
fn broken_templates_are_left_to_minijinja() {
    for broken in ["{{ x", "{% if", "{# x", "{% raw %}x", "{{ 'x }}", "{{ ) }}"] {
        assert_eq!(check(broken), Ok(()), "{broken}");
    }
}
