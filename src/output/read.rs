//! Typed views of a result folder's JSON files (`manifest.json`, `stats.json`) and of a sweep's
//! `cells.csv`, as the report reads them back.
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

/// The fixed columns of a row of `cells.csv`, read by name with serde (the other columns are
/// the swept values and the measures, whose names depend on the sweep).
#[derive(Debug, Clone, Copy, PartialEq, Deserialize)]
struct CellIds {
    /// The cell's index.
    cell: u64,
    /// Replicates in the cell.
    replicates: u64,
}

/// One cell of a sweep's `cells.csv`.
#[derive(Debug, Clone, PartialEq)]
pub struct CellView {
    /// The cell's index.
    pub cell: u64,
    /// Replicates in the cell.
    pub replicates: u64,
    /// Every field by its column name, as written (unquoted).
    pub fields: BTreeMap<String, String>,
}

impl CellView {
    /// The field of `column` as written; empty when the row lacks it.
    pub fn text(&self, column: &str) -> &str {
        self.fields.get(column).map_or("", String::as_str)
    }

    /// The field of `column` as a number; `None` when empty (an undefined value) or absent.
    pub fn number(&self, column: &str) -> Option<f64> {
        self.fields.get(column).and_then(|v| v.parse().ok())
    }

    /// Measure `m`'s mean and interval (`m_mean`, `m_ci_low`, `m_ci_high`).
    pub fn measure(&self, m: &str) -> [Option<f64>; 3] {
        ["mean", "ci_low", "ci_high"].map(|part| self.number(&format!("{m}_{part}")))
    }
}

/// A sweep's `cells.csv`, read with the csv crate by column name, so a quoted field (a swept
/// value with a comma) or a change of the column order cannot mis-read it.
#[derive(Debug, Clone, PartialEq)]
pub struct CellsView {
    /// The column names in file order.
    pub columns: Vec<String>,
    /// The swept keys' columns, in file order: every column but `cell`, `replicates` and the
    /// measures' `_mean`, `_ci_low`, `_ci_high` triples.
    pub keys: Vec<String>,
    /// The measures (each with its three columns), in file order.
    pub measures: Vec<String>,
    /// The cells, in file order.
    pub cells: Vec<CellView>,
}

/// Reads a sweep's `cells.csv`; errors name the file and, for a bad field, its line and
/// column.
pub fn read_cells(path: &Path) -> Result<CellsView, OutputError> {
    let csv_err = |source| OutputError::CsvRead {
        path: path.into(),
        source,
    };
    let mut reader = csv::Reader::from_path(path).map_err(csv_err)?;
    let headers = reader.headers().map_err(csv_err)?.clone();
    let columns: Vec<String> = headers.iter().map(str::to_string).collect();
    let has = |c: String| columns.contains(&c);
    let measures: Vec<String> = columns
        .iter()
        .filter_map(|c| c.strip_suffix("_mean"))
        .filter(|m| has(format!("{m}_ci_low")) && has(format!("{m}_ci_high")))
        .map(str::to_string)
        .collect();
    let is_measure_column = |c: &str| {
        ["_mean", "_ci_low", "_ci_high"].iter().any(|suffix| {
            c.strip_suffix(suffix)
                .is_some_and(|m| measures.iter().any(|x| x == m))
        })
    };
    let keys: Vec<String> = columns
        .iter()
        .filter(|c| *c != "cell" && *c != "replicates" && !is_measure_column(c))
        .cloned()
        .collect();
    let mut cells = Vec::new();
    for record in reader.records() {
        let record = record.map_err(csv_err)?;
        let ids: CellIds = record.deserialize(Some(&headers)).map_err(csv_err)?;
        let fields: BTreeMap<String, String> =
            record.deserialize(Some(&headers)).map_err(csv_err)?;
        cells.push(CellView {
            cell: ids.cell,
            replicates: ids.replicates,
            fields,
        });
    }
    Ok(CellsView {
        columns,
        keys,
        measures,
        cells,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_are_read_by_column_name_with_quoted_fields() {
        // A swept value with commas is quoted by the writer; the measures come before the key
        // here, as no writer puts them, and are still read by name.
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("cells.csv");
        std::fs::write(
            &path,
            "replicates,peak_booing_mean,cell,peak_booing_ci_low,webcare.delays,peak_booing_ci_high\n\
             5,0.25,0,0.2,\"[1, 2, 3]\",0.3\n\
             5,,1,,\"{ empirical = \"\"f.txt\"\" }\",\n",
        )
        .expect("write");
        let v = read_cells(&path).expect("reads");
        assert_eq!(v.keys, ["webcare.delays"]);
        assert_eq!(v.measures, ["peak_booing"]);
        assert_eq!(v.cells.len(), 2);
        let (a, b) = (&v.cells[0], &v.cells[1]);
        assert_eq!((a.cell, a.replicates), (0, 5));
        assert_eq!(a.text("webcare.delays"), "[1, 2, 3]");
        assert_eq!(a.measure("peak_booing"), [Some(0.25), Some(0.2), Some(0.3)]);
        assert_eq!(b.text("webcare.delays"), "{ empirical = \"f.txt\" }");
        assert_eq!(b.measure("peak_booing"), [None, None, None]);
        // A cell index that is not a number is an error naming the file.
        std::fs::write(&path, "cell,replicates\nx,5\n").expect("write");
        let e = read_cells(&path).expect_err("bad cell").to_string();
        assert!(e.contains("cells.csv"), "{e}");
    }

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
