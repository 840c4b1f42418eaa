//! Erasure: what an `erased` leaf pins, and the destruction deadline of 152-FZ art. 21 §5.
//!
//! An erasure deletes envelopes (the personal data, IP, URL, user agent and salt) and appends
//! one `erased` leaf whose `data_sha256` is the SHA-256 of the erasure record: the canonical
//! JSON `{"envelopes":[…],"events":[…],"reason":…}` — which envelopes went and which events
//! they belonged to, never the data itself. The commitments stay in their leaves: proof of
//! lawful processing in the past that reveals nothing (they are salted).

use chrono::{DateTime, Days, NaiveDate, TimeZone, Utc};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};
use serde_json::json;

use super::canonical::{CanonicalError, to_canonical};

/// Days after a withdrawal within which processing stops and the data is destroyed.
pub const DESTRUCTION_DAYS: u64 = 30;

/// The operator's time zone when none is set.
pub const DEFAULT_TIME_ZONE: &str = "Europe/Moscow";

/// What one erasure deleted.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErasureRecord {
    /// The envelopes deleted, ascending.
    pub envelopes: Vec<i64>,
    /// The events whose envelopes they were, ascending.
    pub events: Vec<u64>,
    /// Why (an operator's note, kept for ever: never personal data).
    pub reason: Option<String>,
}

impl ErasureRecord {
    /// A record of `envelopes` and `events`, each sorted and without repeats.
    pub fn new(mut envelopes: Vec<i64>, mut events: Vec<u64>, reason: Option<String>) -> Self {
        envelopes.sort_unstable();
        envelopes.dedup();
        events.sort_unstable();
        events.dedup();
        ErasureRecord {
            envelopes,
            events,
            reason,
        }
    }

    /// The canonical JSON that is stored and hashed.
    pub fn canonical(&self) -> Result<Vec<u8>, CanonicalError> {
        to_canonical(&json!({
            "envelopes": self.envelopes,
            "events": self.events,
            "reason": self.reason,
        }))
    }

    /// SHA-256 of [`Self::canonical`], hex: the `erased` leaf's `data_sha256`.
    pub fn sha256_hex(&self) -> Result<String, CanonicalError> {
        use sha2::{Digest, Sha256};
        Ok(super::merkle::hex(&Sha256::digest(self.canonical()?)))
    }

    /// Reads a stored record back; `None` when it is not one.
    pub fn parse(stored: &str) -> Option<ErasureRecord> {
        serde_json::from_str(stored).ok()
    }
}

/// A time zone by its IANA name (`Europe/Moscow`).
pub fn parse_time_zone(name: &str) -> Option<Tz> {
    name.parse::<Tz>().ok()
}

/// The last day (in the operator's zone `tz`) on which the data of a consent withdrawn at
/// `withdrawn_at` may still exist: the local date of the withdrawal plus 30 days.
pub fn destruction_deadline(withdrawn_at: DateTime<Utc>, tz: Tz) -> NaiveDate {
    let local = withdrawn_at.with_timezone(&tz).date_naive();
    local
        .checked_add_days(Days::new(DESTRUCTION_DAYS))
        .unwrap_or(local)
}

/// The end of the local day `date` in `tz`, as a UTC instant (the last second of it).
pub fn end_of_day(date: NaiveDate, tz: Tz) -> DateTime<Utc> {
    let next = date.checked_add_days(Days::new(1)).unwrap_or(date);
    let start = next
        .and_hms_opt(0, 0, 0)
        .and_then(|t| tz.from_local_datetime(&t).earliest())
        .map(|t| t.with_timezone(&Utc));
    match start {
        Some(t) => t - chrono::Duration::seconds(1),
        None => date.and_hms_opt(23, 59, 59).unwrap_or_default().and_utc(),
    }
}

/// Days from the local date of `now` to `deadline` (negative once it has passed).
pub fn days_left(deadline: NaiveDate, now: DateTime<Utc>, tz: Tz) -> i64 {
    (deadline - now.with_timezone(&tz).date_naive()).num_days()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn utc(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    #[test]
    fn the_record_is_canonical_and_sorted() {
        let r = ErasureRecord::new(vec![9, 3, 3], vec![12, 10, 11], Some("отзыв".into()));
        assert_eq!(
            String::from_utf8(r.canonical().unwrap()).unwrap(),
            r#"{"envelopes":[3,9],"events":[10,11,12],"reason":"отзыв"}"#
        );
        let again = ErasureRecord::parse(&String::from_utf8(r.canonical().unwrap()).unwrap());
        assert_eq!(again, Some(r));
    }

    #[test]
    fn the_deadline_counts_in_the_operators_zone() {
        let msk = parse_time_zone("Europe/Moscow").unwrap();
        // 22:30 UTC on 1 December is already 2 December in Moscow.
        let d = destruction_deadline(utc("2026-12-01T22:30:00Z"), msk);
        assert_eq!(d.to_string(), "2027-01-01");
        let d = destruction_deadline(utc("2026-12-01T20:30:00Z"), msk);
        assert_eq!(d.to_string(), "2026-12-31");
        let utc_zone = parse_time_zone("UTC").unwrap();
        assert_eq!(
            destruction_deadline(utc("2026-12-01T22:30:00Z"), utc_zone).to_string(),
            "2026-12-31"
        );
        // The end of that day in Moscow (UTC+3) is 20:59:59 UTC.
        assert_eq!(end_of_day(d, msk).to_rfc3339(), "2026-12-31T20:59:59+00:00");
        assert_eq!(days_left(d, utc("2026-12-30T21:00:00Z"), msk), 0);
        assert_eq!(days_left(d, utc("2026-12-30T20:59:00Z"), msk), 1);
        assert_eq!(days_left(d, utc("2027-01-01T00:00:00Z"), msk), -1);
    }

    #[test]
    fn unknown_zones_are_refused() {
        assert!(parse_time_zone("Europe/Mordor").is_none());
        assert!(parse_time_zone("Asia/Yekaterinburg").is_some());
    }
}
