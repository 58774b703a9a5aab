//! Typed views of a result folder's JSON files (`manifest.json`, `stats.json`), as the report
//! reads them back.
//!
//! Each view names only the fields a reader needs, with their types; a field that every writer
//! writes is required, so a file that lacks it (or has the wrong type) is an error naming the
//! file and the field, never a silent default. Fields that only some kinds of folder have (a
//! sweep's manifest has no `graph`, a fit's no `scenario`) are `Option`s. A value written as
//! `null` (the mean of nothing) reads as `None`.

use std::collections::BTreeMap;
use std::fs;
use std::path::Path;

use serde::Deserialize;
use serde::de::DeserializeOwned;

use super::OutputError;
use super::json::GraphSummary;
use crate::scenario::strategies::Goal;

/// Reads `path` as JSON into `T`; errors name the file and, through serde, the field.
pub fn read_json<T: DeserializeOwned>(path: &Path) -> Result<T, OutputError> {
    let bytes = fs::read(path).map_err(|source| OutputError::Read {
        path: path.into(),
        source,
    })?;
    serde_json::from_slice(&bytes).map_err(|source| OutputError::Json {
        path: path.into(),
        source,
    })
}

/// A summary across replicates ([`crate::stats::Summary`]) as written: undefined values are
/// `null`.
#[derive(Debug, Clone, Copy, PartialEq, Deserialize)]
pub struct SummaryView {
    /// Values summarised.
    pub n: u64,
    /// The mean.
    pub mean: Option<f64>,
    /// The standard deviation.
    pub sd: Option<f64>,
    /// Lower end of the interval.
    pub ci_low: Option<f64>,
    /// Upper end of the interval.
    pub ci_high: Option<f64>,
}

/// `stats.json` of a run ([`super::aggregate::RunStats`]).
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct RunStatsView {
    /// Replicates summarised.
    pub replicates: u64,
    /// Confidence level of every interval.
    pub level: f64,
    /// Each measure by name (in name order here).
    pub measures: BTreeMap<String, SummaryView>,
    /// Each outcome by name (in name order here).
    pub outcomes: BTreeMap<String, SummaryView>,
}

/// `stats.json` of a comparison ([`super::compare::CompareStats`]).
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct CompareStatsView {
    /// Replicates per strategy.
    pub replicates: u64,
    /// Confidence level.
    pub level: f64,
    /// The question, empty when none.
    pub question: String,
    /// The baseline strategy.
    pub baseline: String,
    /// The measures compared.
    pub measures: Vec<String>,
    /// The measures that are costs.
    pub costs: Vec<String>,
    /// The headline.
    pub headline: HeadlineView,
    /// The ranking, best first.
    pub ranking: Vec<RankView>,
    /// Per strategy.
    pub strategies: Vec<StrategyView>,
    /// Per strategy and measure.
    pub differences: Vec<DifferenceView>,
}

/// The headline of a comparison.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct HeadlineView {
    /// The sentence.
    pub sentence: String,
    /// The measure it is about.
    pub measure: String,
    /// Which direction is better.
    pub goal: Goal,
    /// Whether the interval excludes zero.
    pub ci_excludes_zero: bool,
}

/// One place in a comparison's ranking.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct RankView {
    /// 1 = best.
    pub rank: u64,
    /// The strategy.
    pub strategy: String,
    /// Mean of the headline measure.
    pub mean: Option<f64>,
    /// Mean paired difference from the baseline.
    pub difference: Option<f64>,
    /// Its interval.
    pub ci_low: Option<f64>,
    /// Its interval.
    pub ci_high: Option<f64>,
}

/// One strategy's measures.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct StrategyView {
    /// The strategy.
    pub name: String,
    /// Its overrides.
    pub overrides: Vec<String>,
    /// Each measure by name.
    pub measures: BTreeMap<String, SummaryView>,
}

/// One strategy's difference from the baseline on one measure.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct DifferenceView {
    /// The strategy.
    pub strategy: String,
    /// The measure.
    pub measure: String,
    /// The paired interval.
    pub paired: SummaryView,
    /// Welch's unpaired interval.
    pub unpaired: SummaryView,
}

/// `manifest.json` of any result folder (run, sweep, compare, fit).
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct ManifestView {
    /// `"compare"`, `"sweep"`; absent for a run.
    #[serde(default)]
    pub kind: Option<String>,
    /// The scenario table as written (absent in a fit's manifest).
    #[serde(default)]
    pub scenario: Option<serde_json::Value>,
    /// The scenario file.
    pub scenario_file: String,
    /// The `--set` overrides.
    pub overrides: Vec<String>,
    /// The master seed.
    pub seed: u64,
    /// Replicates (per strategy in a comparison; absent in a sweep's and a fit's manifest).
    #[serde(default)]
    pub replicates: Option<u64>,
    /// The graph (absent in a sweep's and a fit's manifest).
    #[serde(default)]
    pub graph: Option<GraphSummary>,
    /// Program name and version.
    pub program: String,
    /// Worker threads (absent in a fit's manifest).
    #[serde(default)]
    pub threads: Option<u64>,
    /// When it started.
    pub started: String,
    /// When it finished.
    pub finished: String,
    /// Replicates found on disk and not redone (absent in a fit's manifest).
    #[serde(default)]
    pub resumed_replicates: Option<u64>,
    /// Version, inputs and the values used (absent in folders that predate it).
    #[serde(default)]
    pub provenance: Option<ProvenanceView>,
    /// A comparison's baseline.
    #[serde(default)]
    pub baseline: Option<String>,
    /// A comparison's strategies.
    #[serde(default)]
    pub strategies: Option<Vec<StrategyEntryView>>,
    /// A sweep's `[sweep]` table.
    #[serde(default)]
    pub sweep: Option<SweepView>,
}

/// The part of the provenance the report shows.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct ProvenanceView {
    /// Every value the run used, defaults filled in (`null` when not recorded).
    pub effective: serde_json::Value,
}

/// A comparison's strategy as its manifest lists it.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct StrategyEntryView {
    /// Its name.
    pub name: String,
    /// Its overrides.
    pub overrides: Vec<String>,
}

/// The part of a sweep's `[sweep]` table the report reads.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct SweepView {
    /// The measures the sweep plots.
    pub measures: Vec<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn null_reads_as_none_and_a_missing_field_is_an_error_naming_it() {
        let s: SummaryView = serde_json::from_str(
            r#"{"n": 0, "mean": null, "sd": null, "ci_low": null, "ci_high": null,
                "level": 0.95, "method": "none"}"#,
        )
        .expect("reads");
        assert_eq!((s.n, s.mean), (0, None));
        let e = serde_json::from_str::<RunStatsView>(
            r#"{"replicates": 2, "measures": {}, "outcomes": {}}"#,
        )
        .expect_err("level is required");
        assert!(e.to_string().contains("missing field `level`"), "{e}");
    }
}
