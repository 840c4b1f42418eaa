//! `pdconsent setting`: the operator's settings kept in the database, shared by every
//! process that writes it. For now one: `time_zone`, in which withdrawal and destruction
//! dates are counted (152-FZ art. 21 §5).

use chrono_tz::Tz;
use clap::Subcommand;
use serde::Serialize;

use super::{Ctx, Result};
use crate::domain::ledger::{DEFAULT_TIME_ZONE, parse_time_zone};
use crate::output::Format;
use crate::storage::Tx;
use crate::{HintExt, Outcome};

/// The settings there are, with their defaults.
const KNOWN: &[(&str, &str, &str)] = &[(
    "time_zone",
    DEFAULT_TIME_ZONE,
    "the IANA zone in which withdrawal and destruction dates are counted",
)];

#[derive(Debug, Subcommand)]
pub enum Command {
    /// List every setting with its value (or default)
    List(ListArgs),
    /// Set a setting
    Set(SetArgs),
    /// Return a setting to its default
    Unset(UnsetArgs),
}

/// List every setting with its value (or default)
#[derive(Debug, clap::Args)]
pub struct ListArgs {}

/// Set a setting
#[derive(Debug, clap::Args)]
pub struct SetArgs {
    /// The setting: time_zone
    #[arg(value_name = "KEY")]
    pub name: String,
    /// Its value, e.g. Europe/Moscow or Asia/Yekaterinburg
    #[arg(value_name = "VALUE")]
    pub value: String,
}

/// Return a setting to its default
#[derive(Debug, clap::Args)]
pub struct UnsetArgs {
    /// The setting: time_zone
    #[arg(value_name = "KEY")]
    pub name: String,
}

#[derive(Serialize)]
struct SettingView {
    key: &'static str,
    value: String,
    default: &'static str,
    is_default: bool,
    description: &'static str,
}

pub fn run(ctx: &Ctx, command: Command) -> Result {
    match command {
        Command::List(_) => list(ctx),
        Command::Set(a) => set(ctx, &a.name, Some(&a.value)),
        Command::Unset(a) => set(ctx, &a.name, None),
    }
}

fn known(key: &str) -> Result<&'static (&'static str, &'static str, &'static str)> {
    KNOWN
        .iter()
        .find(|(k, _, _)| *k == key)
        .ok_or_else(|| anyhow::anyhow!("there is no setting `{key}`"))
        .hint("`pdconsent setting list` shows the settings")
}

fn list(ctx: &Ctx) -> Result {
    let format = ctx.format(&[Format::Table, Format::Json], "setting list")?;
    let stored = match ctx.open_read() {
        Ok(mut store) => store.read(|tx| Ok::<_, anyhow::Error>(tx.settings()?))?,
        Err(_) if !ctx.db_path()?.exists() => Vec::new(),
        Err(e) => return Err(e),
    };
    let views: Vec<SettingView> = KNOWN
        .iter()
        .map(|(k, d, desc)| {
            let v = stored
                .iter()
                .find(|(sk, _)| sk == k)
                .map(|(_, v)| v.clone());
            SettingView {
                key: k,
                is_default: v.is_none(),
                value: v.unwrap_or_else(|| d.to_string()),
                default: d,
                description: desc,
            }
        })
        .collect();
    if format == Format::Json {
        ctx.out.print_json(&views)?;
        return Ok(Outcome::Ok);
    }
    let mut t = ctx.out.table(&["KEY", "VALUE", "DEFAULT", "MEANING"]);
    for v in &views {
        t.add_row(vec![
            v.key.to_string(),
            v.value.clone(),
            v.default.to_string(),
            v.description.to_string(),
        ]);
    }
    ctx.out.print_table(&t)?;
    Ok(Outcome::Ok)
}

fn set(ctx: &Ctx, key: &str, value: Option<&str>) -> Result {
    let (k, default, _) = known(key)?;
    if let Some(v) = value
        && *k == "time_zone"
        && parse_time_zone(v).is_none()
    {
        return Err(anyhow::anyhow!("`{v}` is not a time zone"))
            .hint("give an IANA name, e.g. Europe/Moscow, Europe/Kaliningrad, Asia/Yekaterinburg");
    }
    let mut store = ctx.open()?;
    ctx.retrying(|| {
        let (now, actor) = (ctx.now(), ctx.actor());
        store.write(|tx| {
            let before = tx.setting(k)?;
            tx.setting_set(k, value)?;
            tx.log_append(
                crate::storage::Stamp {
                    at: &now,
                    actor: &actor,
                },
                "setting",
                k,
                if value.is_some() { "set" } else { "unset" },
                before.map(serde_json::Value::String).as_ref(),
                value.map(|v| serde_json::Value::String(v.into())).as_ref(),
            )?;
            Ok::<_, anyhow::Error>(())
        })
    })?;
    crate::output::notice(&format!("{k} = {}", value.unwrap_or(default)));
    Ok(Outcome::Ok)
}

/// The operator's time zone: the `time_zone` setting, or Europe/Moscow.
pub fn operator_tz(tx: &Tx) -> Result<Tz> {
    match tx.setting("time_zone")? {
        None => Ok(parse_time_zone(DEFAULT_TIME_ZONE).unwrap_or(Tz::UTC)),
        Some(v) => parse_time_zone(&v)
            .ok_or_else(|| {
                anyhow::anyhow!("the stored time zone `{v}` is not one this build knows")
            })
            .hint("set it again: `pdconsent setting set time_zone Europe/Moscow`"),
    }
}
