//! `pdconsent ledger key …`: the Ed25519 key that signs checkpoints (docs/ledger.md, "Signed
//! checkpoints"). The private key is a file outside the database, mode 0600; the database
//! keeps only the verifier key. Also the signer that `consent record` and `ledger
//! checkpoint` use.

use std::io::Write as _;
use std::path::{Path, PathBuf};

use anyhow::Context as _;
use clap::Subcommand;
use serde::Serialize;

use crate::cmd::{Ctx, Result};
use crate::domain::ledger::checkpoint::Checkpoint;
use crate::domain::ledger::note::{SigningKey, Verifier};
use crate::output::{self, Format};
use crate::storage::{CheckpointRecord, KeyRecord, Tx};
use crate::{HintExt, Outcome};

/// The environment variable that names the private key file.
pub const KEY_ENV: &str = "PDCONSENT_KEY";

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Make the Ed25519 key pair that signs checkpoints (the private key goes to a file)
    Init(InitArgs),
    /// Show the verifier keys, the one in use last
    List(ListArgs),
}

/// Make the Ed25519 key pair that signs checkpoints
#[derive(Debug, clap::Args)]
pub struct InitArgs {
    /// The log's name in its checkpoints [default: the website host of the default
    /// requisites plus /consents]
    #[arg(long, value_name = "NAME")]
    pub origin: Option<String>,
    /// Replace the key in use (a lost or retired key): the new key's first checkpoint
    /// carries the old key's last signed size. Give the new key a file of its own (--key)
    #[arg(long)]
    pub rotate: bool,
}

/// Show the verifier keys
#[derive(Debug, clap::Args)]
pub struct ListArgs {}

pub fn run(ctx: &Ctx, command: Command) -> Result {
    match command {
        Command::Init(a) => init(ctx, a),
        Command::List(_) => list(ctx),
    }
}

/// The private key file: `--key`, `PDCONSENT_KEY`, or `<config dir>/pdconsent/<db name>.key`.
pub fn key_path(ctx: &Ctx) -> Result<PathBuf> {
    if let Some(p) = &ctx.global.key {
        return Ok(p.clone());
    }
    let db = ctx.db_path()?;
    let name = db
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "pdconsent.db".into());
    let dirs = directories::ProjectDirs::from("", "", "pdconsent")
        .context("cannot find the user's config directory (is HOME set?)")
        .hint("give the key file with --key FILE or PDCONSENT_KEY")?;
    Ok(dirs.config_dir().join(format!("{name}.key")))
}

/// Writes a new private key file, mode 0600, never over an existing file.
fn write_key_file(path: &Path, key: &SigningKey) -> Result<()> {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        crate::fsutil::create_private_dirs(dir)
            .with_context(|| format!("cannot create the directory `{}`", dir.display()))?;
    }
    let mut opts = std::fs::OpenOptions::new();
    opts.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt as _;
        opts.mode(0o600);
    }
    let mut f = match opts.open(path) {
        Ok(f) => f,
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
            return Err(anyhow::anyhow!(
                "the key file `{}` exists already; pdconsent never overwrites a key",
                path.display()
            ))
            .hint("give the new key a file of its own with --key FILE (and keep the old one)");
        }
        Err(e) => {
            return Err(e).with_context(|| format!("cannot create `{}`", path.display()));
        }
    };
    f.write_all(format!("{}\n", key.to_text()).as_bytes())
        .and_then(|_| f.sync_all())
        .with_context(|| format!("cannot write `{}`", path.display()))?;
    Ok(())
}

/// Reads the private key file at `path`.
pub fn read_key_file(path: &Path) -> Result<SigningKey> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("cannot read the key file `{}`", path.display()))
        .hint("give the key file with --key FILE or PDCONSENT_KEY; `pdconsent ledger key init` makes one")?;
    SigningKey::parse(text.trim())
        .map_err(|e| anyhow::anyhow!("the key file `{}`: {e}", path.display()))
        .hint("the file holds one line `PRIVATE+KEY+…` as `pdconsent ledger key init` wrote it")
}

#[derive(Serialize)]
struct KeyView {
    vkey: String,
    origin: String,
    created_at: String,
    /// The private key file (`init`; `null` in `list`).
    key_file: Option<String>,
}

fn init(ctx: &Ctx, args: InitArgs) -> Result {
    let format = ctx.format(&[Format::Text, Format::Json], "ledger key init")?;
    let path = key_path(ctx)?;
    let mut store = ctx.open()?;
    super::require_ledger(&store)?;
    let (existing, default_origin) =
        store.read(|tx| Ok::<_, anyhow::Error>((tx.ledger_key_current()?, super::origin(tx)?)))?;
    if let Some(k) = &existing
        && !args.rotate
    {
        return Err(anyhow::anyhow!(
            "the ledger has a signing key already: `{}`",
            k.vkey
        ))
        .hint("to replace it (lost or retired), run `pdconsent ledger key init --rotate --key NEWFILE`");
    }
    let origin = args
        .origin
        .clone()
        .or_else(|| existing.as_ref().map(|k| k.origin.clone()))
        .unwrap_or(default_origin);
    let mut seed = [0u8; 32];
    getrandom::fill(&mut seed).map_err(|e| anyhow::anyhow!("the OS random generator: {e}"))?;
    let key = SigningKey::from_seed(&origin, seed)
        .map_err(|e| anyhow::anyhow!("--origin `{origin}`: {e}"))
        .hint("an origin is one word without spaces or '+', e.g. example.ru/consents")?;
    let vkey = key.verifier().to_text();
    write_key_file(&path, &key)?;
    let now = ctx.now();
    let saved = ctx.retrying(|| {
        store.write(|tx| {
            tx.ledger_key_add(&vkey, &origin, &now)?;
            Ok::<_, anyhow::Error>(())
        })
    });
    if let Err(e) = saved {
        // The key never reached the database: the file would be a key nobody trusts.
        let _ = std::fs::remove_file(&path);
        return Err(e);
    }
    output::notice(&format!(
        "the private key is in `{}` (mode 0600): back it up, keep it out of the database's backups; the verifier key below goes to whoever checks the ledger",
        path.display()
    ));
    if existing.is_some() {
        output::notice(
            "the next checkpoint, signed by the new key, names the old key's last signed size",
        );
    }
    let view = KeyView {
        vkey,
        origin,
        created_at: now,
        key_file: Some(path.display().to_string()),
    };
    if format == Format::Json {
        ctx.out.print_json(&view)?;
    } else {
        ctx.out.print_text(&format!("{}\n", view.vkey))?;
    }
    Ok(Outcome::Ok)
}

fn list(ctx: &Ctx) -> Result {
    let format = ctx.format(&[Format::Table, Format::Json], "ledger key list")?;
    let mut store = ctx.open_read()?;
    super::require_ledger(&store)?;
    let keys = store.read(|tx| Ok::<_, anyhow::Error>(tx.ledger_keys()?))?;
    let views: Vec<KeyView> = keys
        .into_iter()
        .map(|k| KeyView {
            vkey: k.vkey,
            origin: k.origin,
            created_at: k.created_at,
            key_file: None,
        })
        .collect();
    if format == Format::Json {
        ctx.out.print_json(&views)?;
    } else {
        let mut t = ctx.out.table(&["VKEY", "ORIGIN", "CREATED"]);
        for v in &views {
            t.add_row(vec![v.vkey.clone(), v.origin.clone(), v.created_at.clone()]);
        }
        ctx.out.print_table(&t)?;
    }
    Ok(Outcome::Ok)
}

/// The verifier keys the database knows, parsed.
pub fn verifiers(tx: &Tx) -> Result<Vec<Verifier>> {
    let mut out = Vec::new();
    for k in tx.ledger_keys()? {
        out.push(
            Verifier::parse(&k.vkey)
                .map_err(|e| anyhow::anyhow!("the stored verifier key `{}`: {e}", k.vkey))
                .hint("run `pdconsent ledger verify`")?,
        );
    }
    Ok(out)
}

/// A loaded private key that matches the key in use.
pub struct Signer {
    key: SigningKey,
    record: KeyRecord,
}

/// Why there is no signer.
pub enum NoSigner {
    /// The ledger has no key: checkpoints are not signed (nothing to say).
    NoKey,
    /// It has one, but the file is missing or wrong: say so.
    Unusable(anyhow::Error),
}

impl Signer {
    /// The private key of the key in use, from its file.
    pub fn load(ctx: &Ctx, tx: &Tx) -> std::result::Result<Signer, NoSigner> {
        let record = match tx.ledger_key_current() {
            Ok(Some(r)) => r,
            Ok(None) => return Err(NoSigner::NoKey),
            Err(e) => return Err(NoSigner::Unusable(e.into())),
        };
        let load = || -> Result<SigningKey> {
            let path = key_path(ctx)?;
            let key = read_key_file(&path)?;
            if key.verifier().to_text() != record.vkey {
                return Err(anyhow::anyhow!(
                    "the key file `{}` is not the key in use (`{}`)",
                    path.display(),
                    record.vkey
                ))
                .hint("give the right file with --key FILE or PDCONSENT_KEY");
            }
            Ok(key)
        };
        match load() {
            Ok(key) => Ok(Signer { key, record }),
            Err(e) => Err(NoSigner::Unusable(e)),
        }
    }

    /// Signs and stores a checkpoint of the tree as it is in `tx`, unless this key signed
    /// one of that size already (then that one). A key's first checkpoint after a rotation
    /// names the previous key and its last signed size.
    pub fn checkpoint(&self, tx: &Tx, now: &str) -> Result<CheckpointRecord> {
        let size = tx.ledger_size()?;
        let last = tx.ledger_checkpoint_last_of_key(self.record.id)?;
        if let Some(c) = &last
            && c.size == size
        {
            return Ok(c.clone());
        }
        let mut extensions = Vec::new();
        if last.is_none() {
            let keys = tx.ledger_keys()?;
            if let Some(prev) = keys.iter().rev().find(|k| k.id < self.record.id) {
                let prev_size = tx
                    .ledger_checkpoint_last_of_key(prev.id)?
                    .map_or(0, |c| c.size);
                let label = Verifier::parse(&prev.vkey)
                    .map(|v| v.label())
                    .map_err(|e| anyhow::anyhow!("the stored verifier key `{}`: {e}", prev.vkey))?;
                extensions.push(format!("pdconsent-previous-key {label} {prev_size}"));
            }
        }
        let root = tx.ledger_root(size)?;
        let cp = Checkpoint {
            origin: self.record.origin.clone(),
            size,
            root,
            extensions,
        };
        let note = cp
            .sign(&[&self.key])
            .map_err(|e| anyhow::anyhow!("cannot sign the checkpoint: {e}"))?;
        let id = tx.ledger_checkpoint_add(size, &root, self.record.id, now, &note)?;
        Ok(CheckpointRecord {
            id,
            size,
            root,
            key: self.record.id,
            signed_at: now.to_string(),
            note,
        })
    }
}

/// Signs a checkpoint after each group `consent record` commits, when the ledger has a key:
/// the key file is read once, at the first group; a key that cannot be used is said once,
/// and recording goes on unsigned.
#[derive(Default)]
pub struct AutoSign {
    /// `None` until the first group; then the signer, if there is a usable one.
    state: std::cell::RefCell<Option<Option<Signer>>>,
}

impl AutoSign {
    /// Signs (in `tx`, so with the group it covers) when there is a usable key.
    pub fn sign(&self, ctx: &Ctx, tx: &Tx, now: &str) -> Result<()> {
        let mut state = self.state.borrow_mut();
        if state.is_none() {
            *state = Some(match Signer::load(ctx, tx) {
                Ok(s) => Some(s),
                Err(NoSigner::NoKey) => None,
                Err(NoSigner::Unusable(e)) => {
                    output::warning(
                        &format!("checkpoints are not signed: {e:#}"),
                        Some(
                            "give the key file with --key FILE or PDCONSENT_KEY, then run `pdconsent ledger checkpoint`",
                        ),
                    );
                    None
                }
            });
        }
        if let Some(Some(s)) = state.as_ref() {
            s.checkpoint(tx, now)?;
        }
        Ok(())
    }
}
