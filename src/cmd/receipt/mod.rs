//! Consent receipts: `consent receipt SEQ` issues one from the store; `receipt verify FILE`
//! checks one offline, with no database (docs/ledger.md, "Receipts").

mod build;
mod render;

use std::path::PathBuf;

use anyhow::Context as _;
use clap::Subcommand;
use serde::Serialize;

use super::ledger::checkpoint::write_atomically;
use super::ledger::key::{NoSigner, Signer};
use super::{Ctx, Result};
use crate::domain::ledger::Verifier;
use crate::domain::ledger::receipt::{self, Check, Newer};
use crate::output::{self, Format};
use crate::storage::{CheckpointRecord, Tx};
use crate::{HintExt, Outcome};

/// Issue a receipt for one event: the text, the person's data and the proof
#[derive(Debug, clap::Args)]
pub struct IssueArgs {
    /// The event's seq (as `consent record` printed it)
    #[arg(value_name = "SEQ")]
    pub seq: u64,
    /// Write the receipt to FILE (atomically) [default: stdout]
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output: Option<PathBuf>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Check a receipt offline: signature, inclusion, leaf, commitment and statement
    Verify(VerifyArgs),
}

/// Check a receipt offline: signature, inclusion, leaf, commitment and statement
#[derive(Debug, clap::Args)]
pub struct VerifyArgs {
    /// The receipt: JSON, or a text or HTML receipt (the block between its BEGIN and END lines)
    #[arg(value_name = "FILE")]
    pub file: PathBuf,
    /// The operator's verifier key (`name+hash+base64`, as `ledger key list` prints it), or
    /// @FILE; repeat for several
    #[arg(long, value_name = "KEY|@FILE", required = true)]
    pub vkey: Vec<String>,
    /// A newer signed checkpoint to check the receipt's against (needs --consistency)
    #[arg(long, value_name = "FILE", requires = "consistency")]
    pub checkpoint: Option<PathBuf>,
    /// The consistency proof from the receipt's checkpoint to --checkpoint (as `ledger
    /// consistency RECEIPT` prints it)
    #[arg(long, value_name = "FILE", requires = "checkpoint")]
    pub consistency: Option<PathBuf>,
}

pub fn run(ctx: &Ctx, command: Command) -> Result {
    match command {
        Command::Verify(a) => verify(ctx, a),
    }
}

/// The checkpoint a receipt of `seq` carries: the newest of the key in use when it covers
/// `seq`; else a new one, when the key file is at hand; else any stored one that covers it.
enum Pick {
    Stored(CheckpointRecord),
    SignNew,
}

fn pick(tx: &Tx, seq: u64) -> Result<Pick> {
    if let Some(key) = tx.ledger_key_current()?
        && let Some(c) = tx.ledger_checkpoint_last_of_key(key.id)?
        && c.size >= seq
    {
        return Ok(Pick::Stored(c));
    }
    Ok(Pick::SignNew)
}

/// The verifier key that signed checkpoint `c`.
pub(crate) fn vkey_of(tx: &Tx, c: &CheckpointRecord) -> Result<String> {
    Ok(tx
        .ledger_keys()?
        .into_iter()
        .find(|k| k.id == c.key)
        .map(|k| k.vkey)
        .unwrap_or_default())
}

pub fn issue(ctx: &Ctx, args: IssueArgs) -> Result {
    let format = ctx.format(
        &[Format::Text, Format::Json, Format::Html],
        "consent receipt",
    )?;
    let mut store = ctx.open_read()?;
    super::ledger::require_ledger(&store)?;
    let seq = args.seq;
    let check_event = |tx: &Tx| -> Result<()> {
        let Some(row) = tx.ledger_leaf(seq)? else {
            let size = tx.ledger_size()?;
            return Err(anyhow::anyhow!("there is no event {seq}")).hint(format!(
                "the ledger holds seq 1 to {size}; `pdconsent consent list` shows the events"
            ));
        };
        if !row.leaf.kind.is_event() {
            return Err(anyhow::anyhow!(
                "seq {seq} is a `{}` leaf of the configuration history, not a consent event",
                row.leaf.kind.as_str()
            ))
            .hint(
                "a receipt is for a consent, a refusal or a withdrawal: `pdconsent consent list`",
            );
        }
        Ok(())
    };
    let picked = store.read(|tx| {
        check_event(tx)?;
        pick(tx, seq)
    })?;
    let checkpoint = match picked {
        Pick::Stored(c) => c,
        Pick::SignNew => {
            let mut writable = ctx.open()?;
            ctx.retrying(|| {
                let now = ctx.now();
                writable.write(|tx| match Signer::load(ctx, tx) {
                    Ok(s) => s.checkpoint(tx, &now),
                    Err(NoSigner::NoKey) => tx
                        .ledger_checkpoint_covering(seq)?
                        .ok_or_else(|| anyhow::anyhow!("the ledger has no signing key, and no signed checkpoint covers seq {seq}"))
                        .hint("make a key with `pdconsent ledger key init`: a receipt's proof ends in a signed checkpoint"),
                    Err(NoSigner::Unusable(e)) => match tx.ledger_checkpoint_covering(seq)? {
                        Some(c) => {
                            output::warning(
                                &format!("no new checkpoint signed: {e:#}"),
                                Some("the receipt carries an older checkpoint that covers the event"),
                            );
                            Ok(c)
                        }
                        None => Err(e).context(format!(
                            "no signed checkpoint covers seq {seq}, and none can be signed"
                        )),
                    },
                })
            })?
        }
    };
    let (receipt, vkey) = store.read(|tx| {
        let row = tx
            .ledger_leaf(seq)?
            .ok_or_else(|| anyhow::anyhow!("event {seq} is missing"))?;
        let vkey = vkey_of(tx, &checkpoint)?;
        let tz = super::setting::operator_tz(tx)?;
        let now = ctx.now();
        let r = build::build(
            tx,
            build::Parts {
                row: &row,
                checkpoint: &checkpoint,
                vkey: &vkey,
                tz,
                now: &now,
            },
        )?;
        Ok::<_, anyhow::Error>((r, vkey))
    })?;
    // Escaped so that a value from the public cannot act on a terminal showing the receipt.
    let json =
        crate::output::json_escape_invisible(&serde_json::to_string_pretty(&receipt)?).into_owned();
    let out = match format {
        Format::Json => format!("{json}\n"),
        Format::Html => render::html(&receipt, &json),
        _ => render::text(&receipt, &json),
    };
    match &args.output {
        Some(path) => {
            write_atomically(path, &out)?;
            output::notice(&format!(
                "receipt of seq {seq} written to `{}` (checkpoint of {} leaves, key {vkey})",
                path.display(),
                checkpoint.size
            ));
        }
        None => ctx.out.print_text(&out)?,
    }
    Ok(Outcome::Ok)
}

#[derive(Serialize)]
struct VerifyView {
    ok: bool,
    checks: Vec<Check>,
    /// What the receipt states, when its statement check passed (`null` otherwise).
    statement: Option<serde_json::Value>,
}

/// `--vkey KEY|@FILE` values, parsed.
pub fn parse_vkeys(values: &[String]) -> Result<Vec<Verifier>> {
    let mut out = Vec::new();
    for v in values {
        let text = match v.strip_prefix('@') {
            Some(file) => std::fs::read_to_string(file)
                .with_context(|| format!("cannot read the key file `{file}`"))?,
            None => v.clone(),
        };
        out.push(
            Verifier::parse(text.trim())
                .map_err(|e| anyhow::anyhow!("--vkey `{}`: {e}", text.trim()))
                .hint("give the verifier key the operator publishes, e.g. `shop.example/consents+1a2b3c4d+AW…`, or @FILE")?,
        );
    }
    Ok(out)
}

fn read(path: &std::path::Path, what: &str) -> Result<String> {
    std::fs::read_to_string(path)
        .with_context(|| format!("cannot read the {what} `{}`", path.display()))
}

fn verify(ctx: &Ctx, args: VerifyArgs) -> Result {
    let format = ctx.format(&[Format::Text, Format::Json], "receipt verify")?;
    let known = parse_vkeys(&args.vkey)?;
    let text = read(&args.file, "receipt")?;
    let newer = match (&args.checkpoint, &args.consistency) {
        (Some(c), Some(p)) => Some((read(c, "checkpoint")?, read(p, "consistency proof")?)),
        _ => None,
    };
    let checks = match receipt::extract(&text) {
        Ok(json) => receipt::verify(
            json,
            &known,
            newer.as_ref().map(|(c, p)| Newer {
                checkpoint: c,
                consistency: p,
            }),
        ),
        Err(e) => vec![Check {
            name: "receipt",
            ok: false,
            detail: format!("`{}`: {e}", args.file.display()),
        }],
    };
    let ok = checks.iter().all(|c| c.ok);
    let statement = ok
        .then(|| {
            receipt::extract(&text)
                .ok()
                .and_then(|j| serde_json::from_str::<serde_json::Value>(j).ok())
                .map(|v| statement(&v))
        })
        .flatten();
    if format == Format::Json {
        ctx.out.print_json(&VerifyView {
            ok,
            checks,
            statement,
        })?;
    } else {
        let mut s = String::new();
        for c in &checks {
            s.push_str(&format!(
                "{:<4} {:<12} {}\n",
                if c.ok { "ok" } else { "FAIL" },
                c.name,
                output::sanitize(&c.detail)
            ));
        }
        if let Some(st) = &statement {
            s.push_str("\nthe proof shows:\n");
            for (k, v) in st.as_object().into_iter().flatten() {
                let v = v.as_str().map_or_else(|| v.to_string(), str::to_string);
                s.push_str(&format!("  {k:<11} {}\n", output::sanitize(&v)));
            }
        }
        s.push_str(if ok {
            "receipt verified\n"
        } else {
            "receipt NOT verified\n"
        });
        ctx.out.print_text(&s)?;
    }
    Ok(if ok { Outcome::Ok } else { Outcome::Negative })
}

/// What the leaf pins, as the verifier reports it: read from the receipt only once every
/// check passed, the statement check having tied these members to the leaf.
fn statement(v: &serde_json::Value) -> serde_json::Value {
    let p = |ptr: &str| v.pointer(ptr).cloned().unwrap_or(serde_json::Value::Null);
    serde_json::json!({
        "event": p("/pdconsent/event"),
        "seq": p("/pdconsent/seq"),
        "at": p("/pdconsent/at"),
        "agreement": p("/pdconsent/agreement/code"),
        "revision": p("/pdconsent/agreement/revision"),
        "source": p("/pdconsent/source/code"),
        "text_sha256": p("/pdconsent/text_sha256"),
    })
}
