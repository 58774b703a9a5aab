//! `manifest.json` (what was run) and `stats.json` (aggregates across replicates).
//!
//! Both are pretty-printed with two-space indents, keys in struct order (no hash maps), and a
//! final newline, so the same run gives the same bytes. Floats use serde_json's shortest
//! round-trip form; a value that is undefined (the mean of nothing) is `null`.
//!
//! # Format
//!
//! `manifest.json`:
//!
//! ```text
//! {
//!   "schema_version": 1,
//!   "scenario": { ... the scenario table after --set overrides, as written ... },
//!   "scenario_file": "scenarios/standing-ovation.toml",
//!   "overrides": ["replicates=50"],
//!   "seed": 42,
//!   "replicates": 50,
//!   "program": "ovation 0.1.0",
//!   "graph": { "nodes": 400, "edges": 1540, "source": "theater 20x20" },
//!   "started": "2025-06-01T12:00:00Z",
//!   "finished": "2025-06-01T12:00:03Z",
//!   "threads": 8,
//!   "resumed_replicates": 0,
//!   "provenance": { "version", "commit", "inputs", "effective" }   (see output::provenance)
//! }
//! ```
//!
//! `stats.json` ([`RunStats`]): every summary is
//! `{"n", "mean", "sd", "ci_low", "ci_high", "level", "method"}` (see [`crate::stats::Summary`]).
//!
//! ```text
//! {
//!   "schema_version": 1,
//!   "replicates": 50,
//!   "level": 0.95,
//!   "notes": ["...how each interval is computed..."],
//!   "measures": { "final_standing": {summary}, "final_sitting": ..., ..., "edge_visits": ...,
//!                 then the rule's own measures by name, e.g. "opinion_clusters": {summary} },
//!   "outcomes": { "fixed_point": {summary}, "cycle": ..., "step_limit": ... },
//!   "standing_by_row": [{summary}, ...],          (theater graphs only, front row first)
//!   "by_step": [{"step": 0, "sitting": {summary}, "standing": ..., "booing": ...}, ...]
//! }
//! ```
//!
//! In `by_step`, a replicate that stopped before the last step carries its final state
//! forward, so every step averages over all replicates.

use std::time::{SystemTime, UNIX_EPOCH};

use serde::{Deserialize, Serialize};

use super::aggregate::RunStats;

/// Version of the `manifest.json` layout; bumped when a field changes meaning or disappears.
pub const MANIFEST_SCHEMA_VERSION: u32 = 1;

/// What was run, written to `manifest.json`. Field order is the file's key order.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Manifest {
    /// The scenario table after the `--set` overrides, as written (defaults are in
    /// `provenance.effective`).
    pub scenario: serde_json::Value,
    /// The scenario file as given on the command line.
    pub scenario_file: String,
    /// The `--set key.path=value` overrides, in command-line order.
    pub overrides: Vec<String>,
    /// The master seed.
    pub seed: u64,
    /// Replicates in the run.
    pub replicates: u32,
    /// Program name and version, e.g. `ovation 0.1.0`.
    pub program: String,
    /// The graph the run used.
    pub graph: GraphSummary,
    /// When the run started, RFC 3339 UTC ([`rfc3339_utc`]).
    pub started: String,
    /// When the run finished, RFC 3339 UTC.
    pub finished: String,
    /// Worker threads used.
    pub threads: usize,
    /// Replicates found on disk and not redone (`--resume`); 0 for a fresh run.
    pub resumed_replicates: u32,
    /// Version, git commit, input checksums and the values used with defaults filled in.
    #[serde(default)]
    pub provenance: super::provenance::Provenance,
    /// The shards a merged folder was joined from (`ovation merge`); absent otherwise.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub shards: Vec<super::shard::ShardEntry>,
}

/// The graph of a run, as recorded in the manifest.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GraphSummary {
    /// Number of agents.
    pub nodes: u64,
    /// Number of follower edges.
    pub edges: u64,
    /// Where it came from: a generator with its parameters, or a file.
    pub source: String,
}

/// `manifest.json` as written: the schema version, then the manifest's own fields.
#[derive(Serialize)]
struct ManifestFile<'a> {
    schema_version: u32,
    #[serde(flatten)]
    manifest: &'a Manifest,
}

/// The bytes of `manifest.json`.
pub fn manifest_json(manifest: &Manifest) -> serde_json::Result<Vec<u8>> {
    pretty(&ManifestFile {
        schema_version: MANIFEST_SCHEMA_VERSION,
        manifest,
    })
}

/// The bytes of `stats.json`.
pub fn stats_json(stats: &RunStats) -> serde_json::Result<Vec<u8>> {
    pretty(stats)
}

/// Pretty-printed JSON with a final newline.
fn pretty<T: Serialize>(value: &T) -> serde_json::Result<Vec<u8>> {
    let mut bytes = serde_json::to_vec_pretty(value)?;
    bytes.push(b'\n');
    Ok(bytes)
}

/// Formats `time` as RFC 3339 in UTC with whole seconds, e.g. `2023-11-14T22:13:20Z`.
///
/// Uses the proleptic Gregorian calendar (Hinnant's `civil_from_days`,
/// <https://howardhinnant.github.io/date_algorithms.html>); times before 1970 work too.
pub fn rfc3339_utc(time: SystemTime) -> String {
    let secs: i64 = match time.duration_since(UNIX_EPOCH) {
        Ok(d) => i64::try_from(d.as_secs()).unwrap_or(i64::MAX),
        Err(e) => {
            // Before the epoch: round down to the whole second.
            let d = e.duration();
            let whole = i64::try_from(d.as_secs()).unwrap_or(i64::MAX);
            -whole - i64::from(d.subsec_nanos() > 0)
        }
    };
    let days = secs.div_euclid(86_400);
    let rem = secs.rem_euclid(86_400);
    let (year, month, day) = civil_from_days(days);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}Z",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}

/// Year, month (1-12) and day (1-31) of the day `days` after 1970-01-01.
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097); // day of era, [0, 146096]
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365; // [0, 399]
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100); // [0, 365]
    let mp = (5 * doy + 2) / 153; // [0, 11], March = 0
    let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    fn check(secs: i64, expected: &str) {
        let t = if secs >= 0 {
            UNIX_EPOCH + Duration::from_secs(secs as u64)
        } else {
            UNIX_EPOCH - Duration::from_secs(secs.unsigned_abs())
        };
        assert_eq!(rfc3339_utc(t), expected, "{secs}");
    }

    #[test]
    fn rfc3339_known_instants() {
        // Values from `date -u -d @SECS +%FT%TZ`.
        check(0, "1970-01-01T00:00:00Z");
        check(951_782_400, "2000-02-29T00:00:00Z");
        check(951_868_799, "2000-02-29T23:59:59Z");
        check(1_700_000_000, "2023-11-14T22:13:20Z");
        check(4_107_542_400, "2100-03-01T00:00:00Z");
        check(-1, "1969-12-31T23:59:59Z");
        check(-86_400 * 365, "1969-01-01T00:00:00Z");
    }

    #[test]
    fn manifest_shape() {
        let m = Manifest {
            scenario: serde_json::json!({"name": "t", "seed": 1}),
            scenario_file: "s.toml".into(),
            overrides: vec!["replicates=2".into()],
            seed: 1,
            replicates: 2,
            program: "ovation 0.1.0".into(),
            graph: GraphSummary {
                nodes: 4,
                edges: 6,
                source: "theater 2x2".into(),
            },
            started: "1970-01-01T00:00:00Z".into(),
            finished: "1970-01-01T00:00:01Z".into(),
            threads: 1,
            resumed_replicates: 0,
            provenance: Default::default(),
            shards: Vec::new(),
        };
        let text = String::from_utf8(manifest_json(&m).expect("json")).expect("utf-8");
        assert_eq!(
            text,
            r#"{
  "schema_version": 1,
  "scenario": {
    "name": "t",
    "seed": 1
  },
  "scenario_file": "s.toml",
  "overrides": [
    "replicates=2"
  ],
  "seed": 1,
  "replicates": 2,
  "program": "ovation 0.1.0",
  "graph": {
    "nodes": 4,
    "edges": 6,
    "source": "theater 2x2"
  },
  "started": "1970-01-01T00:00:00Z",
  "finished": "1970-01-01T00:00:01Z",
  "threads": 1,
  "resumed_replicates": 0,
  "provenance": {
    "version": "",
    "commit": "",
    "inputs": [],
    "effective": null
  }
}
"#
        );
        // It reads back (the schema version is ignored).
        let back: Manifest = serde_json::from_str(&text).expect("reads back");
        assert_eq!(back, m);
    }
}
