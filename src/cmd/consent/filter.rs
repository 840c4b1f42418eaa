//! The filters `consent list` and `consent export` share, and the storage filter they make.

use super::Subject;
use crate::HintExt;
use crate::cmd::{Result, parse_bound};
use crate::storage::{EventFilter, Tx};

/// Which events: every filter is optional, and they combine (AND)
#[derive(Debug, Clone, Default, clap::Args)]
pub struct FilterArgs {
    /// Only events of this agreement
    #[arg(long, value_name = "CODE")]
    pub agreement: Option<String>,
    /// Only events from this source
    #[arg(long, value_name = "SRC")]
    pub source: Option<String>,
    /// Only events from sources of this kind
    #[arg(long, value_name = "KIND", value_parser = ["form", "openline"])]
    pub kind: Option<String>,
    /// From this date or time on (YYYY-MM-DD, RFC 3339, today, yesterday, or back from now:
    /// 12h, 7d, 2w), by when the event happened
    #[arg(long, value_name = "DATE")]
    pub since: Option<String>,
    /// Up to this date (inclusive) or time
    #[arg(long, value_name = "DATE")]
    pub until: Option<String>,
    /// Only the person with this field value (email, phone, or a caption of --source)
    #[arg(long, value_name = "KEY=VALUE")]
    pub subject: Option<String>,
    /// Only submissions from this IP address
    #[arg(long, value_name = "ADDR")]
    pub ip: Option<String>,
    /// Only submissions from a page whose address contains this
    #[arg(long, value_name = "TEXT")]
    pub url_contains: Option<String>,
    /// Only this kind of event
    #[arg(long, value_name = "EVENT", value_parser = ["given", "refused", "withdrawn"])]
    pub event: Option<String>,
    /// Only consents that are active (given, not withdrawn) or withdrawn
    #[arg(long, value_name = "STATUS", value_parser = ["active", "withdrawn"])]
    pub status: Option<String>,
}

impl FilterArgs {
    /// Whether any filter is given.
    pub fn any(&self) -> bool {
        [
            &self.agreement,
            &self.source,
            &self.kind,
            &self.since,
            &self.until,
            &self.subject,
            &self.ip,
            &self.url_contains,
            &self.event,
            &self.status,
        ]
        .iter()
        .any(|v| v.is_some())
    }

    /// Checks the values that need no database (`--ip`), before anything is opened.
    pub fn check(&self) -> Result<()> {
        if let Some(v) = &self.ip {
            crate::domain::consent::check_ip("--ip", v)
                .map_err(|e| anyhow::anyhow!("{}", e.message))
                .hint("write e.g. --ip 203.0.113.7")?;
        }
        Ok(())
    }

    /// The storage filter, and the subject whose hits the caller confirms against each
    /// envelope (the index key is 64 bits of a hash).
    pub fn to_filter(
        &self,
        tx: &Tx,
        now: chrono::DateTime<chrono::Utc>,
    ) -> Result<(EventFilter, Option<Subject>)> {
        let ip = self
            .ip
            .as_deref()
            .map(|v| crate::domain::consent::check_ip("--ip", v))
            .transpose()
            .map_err(|e| anyhow::anyhow!("{}", e.message))
            .hint("write e.g. --ip 203.0.113.7")?;
        let subject = self
            .subject
            .as_deref()
            .map(|s| Subject::parse(tx, s, self.source.as_deref()))
            .transpose()?;
        let filter = EventFilter {
            agreement: self.agreement.clone(),
            source: self.source.clone(),
            source_kind: self.kind.clone(),
            since: self
                .since
                .as_deref()
                .map(|v| parse_bound("--since", v, false, now))
                .transpose()?,
            until: self
                .until
                .as_deref()
                .map(|v| parse_bound("--until", v, true, now))
                .transpose()?,
            subject_key: subject.as_ref().map(Subject::index_key),
            ip,
            url_contains: self.url_contains.clone(),
            event: self.event.clone(),
            status: self.status.clone(),
            before: None,
            limit: None,
        };
        Ok((filter, subject))
    }
}
