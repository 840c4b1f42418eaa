//! `pdconsent consent status`: the chat gate — does this person hold a valid consent to
//! every required agreement of the source? Exit 0 and `given`, or exit 1.

use serde::Serialize;

use super::Subject;
use crate::Outcome;
use crate::cmd::{Ctx, Result};
use crate::domain::ledger::LeafKind;
use crate::domain::source::Behaviour;
use crate::output::Format;

/// Whether a person holds a valid consent to every required agreement of a source
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The source (a chat channel or form)
    #[arg(long, value_name = "SRC")]
    pub source: String,
    /// The person: a field of the source and its value (email, phone, or a caption)
    #[arg(long, value_name = "KEY=VALUE")]
    pub subject: String,
}

#[derive(Debug, Serialize)]
struct AgreementStatus {
    agreement: String,
    required: bool,
    /// `given`, `withdrawn`, `refused` or `none`.
    status: &'static str,
    /// The newest consent event for it.
    seq: Option<u64>,
    at: Option<String>,
    withdrawn_at: Option<String>,
}

#[derive(Debug, Serialize)]
struct StatusView {
    source: String,
    /// `given` when every required agreement is given and not withdrawn; else `withdrawn` or `none`.
    status: &'static str,
    agreements: Vec<AgreementStatus>,
}

pub fn run(ctx: &Ctx, args: Args) -> Result {
    let format = ctx.format(&[Format::Table, Format::Json], "consent status")?;
    let mut store = ctx.open_read()?;
    let view = store.read(|tx| {
        let src = tx.source_get(&args.source)?;
        let subject = Subject::parse(tx, &args.subject, Some(&args.source))?;
        let mut hits = Vec::new();
        for row in tx.consent_by_subject(subject.index_key(), Some(&args.source))? {
            if subject.holds(tx, &row)? {
                hits.push(row);
            }
        }
        let mut agreements = Vec::new();
        for link in &src.source.agreements {
            // An archived agreement collects no consents (record skips it): it gates nothing.
            let required = match tx.agreement_find(&link.agreement)? {
                Some(a) if !a.archived => Behaviour::effective(&a.settings, Some(link)).required,
                Some(_) => continue,
                None => false,
            };
            // Newest first: the newest given consent that is not withdrawn wins.
            let mine: Vec<_> = hits
                .iter()
                .filter(|r| r.leaf.agreement.as_deref() == Some(link.agreement.as_str()))
                .collect();
            let mut st = AgreementStatus {
                agreement: link.agreement.clone(),
                required,
                status: "none",
                seq: None,
                at: None,
                withdrawn_at: None,
            };
            for r in &mine {
                if r.leaf.kind != LeafKind::Given {
                    continue;
                }
                match tx.consent_withdrawal(r.leaf.seq)? {
                    None => {
                        st.status = "given";
                        st.seq = Some(r.leaf.seq);
                        st.at = Some(r.leaf.at.clone());
                        st.withdrawn_at = None;
                        break;
                    }
                    Some(w) if st.seq.is_none() => {
                        st.status = "withdrawn";
                        st.seq = Some(r.leaf.seq);
                        st.at = Some(r.leaf.at.clone());
                        st.withdrawn_at = Some(w.leaf.at);
                    }
                    Some(_) => {}
                }
            }
            if st.seq.is_none()
                && let Some(r) = mine.iter().find(|r| r.leaf.kind == LeafKind::Refused)
            {
                st.status = "refused";
                st.seq = Some(r.leaf.seq);
                st.at = Some(r.leaf.at.clone());
            }
            agreements.push(st);
        }
        // The agreements that gate the source: its required ones, or, when it has none, any.
        let required: Vec<&AgreementStatus> = if agreements.iter().any(|a| a.required) {
            agreements.iter().filter(|a| a.required).collect()
        } else if agreements.iter().any(|a| a.status == "given") {
            agreements.iter().filter(|a| a.status == "given").collect()
        } else {
            agreements.iter().collect()
        };
        let status = if !required.is_empty() && required.iter().all(|a| a.status == "given") {
            "given"
        } else if required.iter().any(|a| a.status == "withdrawn") {
            "withdrawn"
        } else {
            "none"
        };
        Ok::<_, anyhow::Error>(StatusView {
            source: args.source.clone(),
            status,
            agreements,
        })
    })?;
    if format == Format::Json {
        ctx.out.print_json(&view)?;
    } else {
        ctx.out.print_text(view.status)?;
    }
    Ok(if view.status == "given" {
        Outcome::Ok
    } else {
        Outcome::Negative
    })
}
