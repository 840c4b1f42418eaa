//! A rendered consent text presented as plain text, Markdown or an HTML
//! snippet. The text itself is plain; every presentation escapes it.

use crate::domain::render::split_label;

pub use crate::domain::source::Behaviour;

pub struct Document<'a> {
    pub agreement: &'a str,
    pub revision: u32,
    pub source: Option<&'a str>,
    pub sha256: &'a str,
    pub text: &'a str,
    pub label: &'a str,
    pub url: Option<&'a str>,
    pub behaviour: Behaviour,
    pub russian: bool,
    /// The `nonce` of the page's Content-Security-Policy, for the snippet's script.
    pub nonce: Option<&'a str>,
}

/// Blocks of the text: paragraphs, with `- ` lines grouped as lists.
enum Block<'a> {
    Paragraph(&'a str),
    List(Vec<&'a str>),
}

fn blocks(text: &str) -> Vec<Block<'_>> {
    let mut out = Vec::new();
    for para in text.split("\n\n") {
        let mut items = Vec::new();
        for line in para.lines() {
            if let Some(item) = line.strip_prefix("- ") {
                items.push(item);
            } else {
                if !items.is_empty() {
                    out.push(Block::List(std::mem::take(&mut items)));
                }
                out.push(Block::Paragraph(line));
            }
        }
        if !items.is_empty() {
            out.push(Block::List(items));
        }
    }
    out
}

pub fn escape_html(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

fn escape_markdown(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        // `&` too: `&copy;` would otherwise become an entity.
        if matches!(
            c,
            '\\' | '`' | '*' | '_' | '[' | ']' | '<' | '>' | '#' | '|' | '&'
        ) {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

impl Document<'_> {
    fn required_word(&self) -> &'static str {
        match (self.behaviour.required, self.russian) {
            (true, true) => "обязательно",
            (false, true) => "необязательно",
            (true, false) => "required",
            (false, false) => "optional",
        }
    }

    /// The text, wrapped to `width` when given, then the checkbox line.
    pub fn text(&self, width: Option<usize>) -> String {
        let mut out = String::new();
        for line in self.text.lines() {
            match width {
                Some(w) if line.chars().count() > w => {
                    let indent = if line.starts_with("- ") { "  " } else { "" };
                    let opts = textwrap::Options::new(w).subsequent_indent(indent);
                    for l in textwrap::wrap(line, opts) {
                        out.push_str(&l);
                        out.push('\n');
                    }
                }
                _ => {
                    out.push_str(line);
                    out.push('\n');
                }
            }
        }
        let (before, link, after) = split_label(self.label);
        let mark = if self.behaviour.checked_by_default {
            "[x]"
        } else {
            "[ ]"
        };
        let line = format!("{mark} {before}{link}{after} ({})", self.required_word());
        out.push('\n');
        match width {
            Some(w) => {
                let opts = textwrap::Options::new(w).subsequent_indent("    ");
                for l in textwrap::wrap(&line, opts) {
                    out.push_str(&l);
                    out.push('\n');
                }
            }
            None => {
                out.push_str(&line);
                out.push('\n');
            }
        }
        out
    }

    pub fn markdown(&self) -> String {
        // The anchor the label links to when the text has no URL of its own:
        // it must exist in the same output.
        let mut out = match self.url {
            Some(_) => String::new(),
            None => format!("<a id=\"pdconsent-{}\"></a>\n\n", self.agreement),
        };
        for (i, b) in blocks(self.text).into_iter().enumerate() {
            match b {
                Block::Paragraph(p) if i == 0 => {
                    out.push_str(&format!("## {}\n\n", escape_markdown(p)))
                }
                Block::Paragraph(p) => out.push_str(&format!("{}\n\n", escape_markdown(p))),
                Block::List(items) => {
                    for it in items {
                        out.push_str(&format!("- {}\n", escape_markdown(it)));
                    }
                    out.push('\n');
                }
            }
        }
        let (before, link, after) = split_label(self.label);
        let target = self
            .url
            .map(str::to_string)
            .unwrap_or_else(|| format!("#pdconsent-{}", self.agreement));
        let mark = if self.behaviour.checked_by_default {
            "[x]"
        } else {
            "[ ]"
        };
        out.push_str(&format!(
            "- {mark} {}[{}]({target}){} ({})\n",
            escape_markdown(&before),
            escape_markdown(&link),
            escape_markdown(&after),
            self.required_word()
        ));
        out
    }

    /// A self-contained snippet: the checkbox with its label and link, the
    /// text in an expandable block, and data- attributes the form sends back.
    pub fn html(&self) -> String {
        // Two forms on one page may carry the same agreement: the source
        // keeps their element ids apart. A dot, which no code may hold,
        // separates the two, so `a-b` on `c` and `a` on `b-c` differ.
        let id = match self.source {
            Some(src) => format!("pdconsent-{}.{src}", self.agreement),
            None => format!("pdconsent-{}", self.agreement),
        };
        let b = self.behaviour;
        let mut attrs = format!(
            "class=\"pdconsent\" data-agreement=\"{}\" data-revision=\"{}\" data-sha256=\"{}\"",
            escape_html(self.agreement),
            self.revision,
            self.sha256
        );
        if let Some(src) = self.source {
            attrs.push_str(&format!(" data-source=\"{}\"", escape_html(src)));
        }
        if b.require_reading {
            attrs.push_str(" data-require-reading=\"true\"");
        }
        let mut input = format!(
            "<input type=\"checkbox\" id=\"{id}-checkbox\" name=\"pdconsent[{}]\" value=\"{}\"",
            escape_html(self.agreement),
            self.sha256
        );
        if b.required {
            input.push_str(" required");
        }
        // Never `checked`, whatever the setting says: a box ticked by default is
        // not consent (152-FZ art. 9 §1); `preview` refuses such a snippet.
        input.push('>');
        let (before, link, after) = split_label(self.label);
        let href = match self.url {
            Some(u) => format!(
                "href=\"{}\" target=\"_blank\" rel=\"noopener\"",
                escape_html(u)
            ),
            // The code is a slug, so the id is safe inside the handler.
            None => format!(
                "href=\"#{id}-text\" onclick=\"document.getElementById('{id}-text').open=true\""
            ),
        };
        let summary = if self.russian {
            "Текст согласия"
        } else {
            "Consent text"
        };
        let mut body = String::new();
        for (i, block) in blocks(self.text).into_iter().enumerate() {
            match block {
                Block::Paragraph(p) if i == 0 => {
                    body.push_str(&format!("    <p><strong>{}</strong></p>\n", escape_html(p)))
                }
                Block::Paragraph(p) => body.push_str(&format!("    <p>{}</p>\n", escape_html(p))),
                Block::List(items) => {
                    body.push_str("    <ul>\n");
                    for it in items {
                        body.push_str(&format!("      <li>{}</li>\n", escape_html(it)));
                    }
                    body.push_str("    </ul>\n");
                }
            }
        }
        let mut out = format!(
            "<div {attrs}>\n  <label for=\"{id}-checkbox\">{input} {}<a {href}>{}</a>{}</label>\n  <details id=\"{id}-text\">\n    <summary>{summary}</summary>\n{body}  </details>\n",
            escape_html(&before),
            escape_html(&link),
            escape_html(&after),
        );
        if b.require_reading {
            // Without JavaScript nothing opens the text: say it in plain HTML.
            let note = if self.russian {
                "Перед тем как поставить отметку, откройте и прочитайте текст согласия."
            } else {
                "Please open and read the consent text before ticking the box."
            };
            out.push_str(&format!(
                "  <noscript><p class=\"pdconsent-require-reading\">{note}</p></noscript>\n"
            ));
            // require_reading: ticking the box before the text was opened opens the
            // text instead. The box is never disabled, because browsers skip disabled
            // boxes when they check `required`; without JavaScript the backend must
            // check reading itself.
            let nonce = self
                .nonce
                .map(|n| format!(" nonce=\"{}\"", escape_html(n)))
                .unwrap_or_default();
            out.push_str(&format!(
                "  <script{nonce}>(function(){{var t=document.getElementById(\"{id}-text\"),c=document.getElementById(\"{id}-checkbox\"),seen=t.open;t.addEventListener(\"toggle\",function(){{if(t.open){{seen=true;}}}});c.addEventListener(\"click\",function(e){{if(!seen){{e.preventDefault();t.open=true;}}}});}})();</script>\n"
            ));
        }
        out.push_str("</div>\n");
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn doc(text: &str) -> Document<'_> {
        Document {
            agreement: "site",
            revision: 2,
            source: Some("contact"),
            sha256: "ab",
            text,
            label: "Я даю %согласие% <b>",
            url: None,
            behaviour: Behaviour {
                required: true,
                checked_by_default: false,
                require_reading: true,
            },
            russian: true,
            nonce: None,
        }
    }

    #[test]
    fn html_escapes_and_carries_attributes() {
        let html = doc("Заголовок\n\nАбзац <script>\n\nСписок:\n- один & два\n- три\n").html();
        assert!(html.contains(
            "data-agreement=\"site\" data-revision=\"2\" data-sha256=\"ab\" data-source=\"contact\""
        ));
        assert!(html.contains("Абзац &lt;script&gt;"));
        assert!(html.contains("<li>один &amp; два</li>"));
        // Never disabled: a disabled box escapes the browser's `required` check.
        assert!(html.contains(" required>"));
        assert!(!html.contains("disabled"));
        assert!(html.contains("e.preventDefault();t.open=true;"));
        assert!(
            html.contains("Я даю <a href=\"#pdconsent-site.contact-text\" onclick=\"document.getElementById('pdconsent-site.contact-text').open=true\">согласие</a> &lt;b&gt;</label>")
        );
        assert!(!html.contains("<b>"));
    }

    #[test]
    fn text_wraps_only_when_asked() {
        let long = "слово ".repeat(30);
        let d = doc(long.trim());
        assert_eq!(d.text(None).lines().next().unwrap(), long.trim());
        assert!(d.text(Some(40)).lines().all(|l| l.chars().count() <= 40));
        assert!(
            d.text(None)
                .ends_with("[ ] Я даю согласие <b> (обязательно)\n")
        );
    }

    #[test]
    fn markdown_escapes() {
        let md = doc("Title\n\na*b & c&copy;\n").markdown();
        assert!(
            md.starts_with("<a id=\"pdconsent-site\"></a>\n\n## Title\n\na\\*b \\& c\\&copy;\n\n"),
            "{md}"
        );
        assert!(md.contains("- [ ] Я даю [согласие](#pdconsent-site) \\<b\\> (обязательно)"));
    }
}
