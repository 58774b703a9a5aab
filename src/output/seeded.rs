//! Which accounts each strategy of a comparison seeded: `seeded.csv` (one row per strategy and
//! account: how many replicates chose it and its mean reach) and the report's "Accounts
//! seeded" section, so that a marketer sees *whom* a strategy picked, by handle when the graph
//! has names, not only how well it did.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use super::OutputError;
use super::compare::StrategyRuns;
use super::folder::write_atomic;

/// One account row read back from `seeded.csv`: label, share of runs, mean reach.
type Row = (String, f64, f64);

/// Accounts listed per strategy in the report (the CSV has them all).
const SHOWN: usize = 12;

/// One account a strategy seeded.
#[derive(Debug, Clone, PartialEq)]
pub struct Seeded {
    /// The strategy.
    pub strategy: String,
    /// Dense node id.
    pub node: u32,
    /// Original id or handle.
    pub label: String,
    /// Replicates in which the strategy seeded it.
    pub replicates: usize,
    /// Its mean reach over those replicates.
    pub mean_reach: f64,
}

/// The seeded accounts of every strategy, most often chosen first (then largest mean reach,
/// then node id); with the number of replicates of each strategy.
pub fn seeded(runs: &[StrategyRuns]) -> Vec<(String, usize, Vec<Seeded>)> {
    runs.iter()
        .map(|s| {
            let mut by_node: BTreeMap<u32, (String, usize, u64)> = BTreeMap::new();
            for r in &s.results {
                for sr in &r.seed_reach {
                    let e = by_node
                        .entry(sr.seed)
                        .or_insert_with(|| (sr.label.clone(), 0, 0));
                    e.1 += 1;
                    e.2 += sr.reach;
                }
            }
            let mut list: Vec<Seeded> = by_node
                .into_iter()
                .map(|(node, (label, count, reach))| Seeded {
                    strategy: s.name.clone(),
                    node,
                    label,
                    replicates: count,
                    mean_reach: reach as f64 / count as f64,
                })
                .collect();
            list.sort_by(|a, b| {
                b.replicates
                    .cmp(&a.replicates)
                    .then(b.mean_reach.total_cmp(&a.mean_reach))
                    .then(a.node.cmp(&b.node))
            });
            (s.name.clone(), s.results.len(), list)
        })
        .collect()
}

/// Writes `seeded.csv` in `dir` when any strategy seeded anyone; returns its path.
pub fn write_seeded(dir: &Path, runs: &[StrategyRuns]) -> Result<Option<PathBuf>, OutputError> {
    let all = seeded(runs);
    if all.iter().all(|(_, _, list)| list.is_empty()) {
        return Ok(None);
    }
    let path = dir.join("seeded.csv");
    let mut w = csv::Writer::from_writer(Vec::new());
    let err = |e: csv::Error| OutputError::Csv {
        path: path.clone(),
        source: e,
    };
    w.write_record([
        "strategy",
        "node",
        "label",
        "replicates",
        "share_of_replicates",
        "mean_reach",
    ])
    .map_err(err)?;
    for (_, n, list) in &all {
        for s in list {
            w.write_record([
                s.strategy.clone(),
                s.node.to_string(),
                s.label.clone(),
                s.replicates.to_string(),
                (s.replicates as f64 / (*n).max(1) as f64).to_string(),
                s.mean_reach.to_string(),
            ])
            .map_err(err)?;
        }
    }
    let bytes = w.into_inner().map_err(|e| OutputError::Csv {
        path: path.clone(),
        source: e.into_error().into(),
    })?;
    write_atomic(&path, &bytes)?;
    Ok(Some(path))
}

/// The report's "Accounts seeded" section, from `seeded.csv` when the folder has one.
pub fn seeded_section(body: &mut String, dir: &Path) {
    let Ok(mut rdr) = csv::Reader::from_path(dir.join("seeded.csv")) else {
        return;
    };
    // strategy -> (label, share, mean reach), in file order (most often chosen first).
    let mut by: Vec<(String, Vec<Row>)> = Vec::new();
    for rec in rdr.records().flatten() {
        let (Some(st), Some(label), Some(share), Some(reach)) =
            (rec.get(0), rec.get(2), rec.get(4), rec.get(5))
        else {
            continue;
        };
        let share: f64 = share.parse().unwrap_or(f64::NAN);
        let reach: f64 = reach.parse().unwrap_or(f64::NAN);
        match by.last_mut() {
            Some((s, v)) if s == st => v.push((label.to_string(), share, reach)),
            _ => by.push((st.to_string(), vec![(label.to_string(), share, reach)])),
        }
    }
    if by.is_empty() {
        return;
    }
    body.push_str(
        "<h2>Accounts seeded</h2><p class=\"note\">Whom each strategy seeded, by the graph's \
         own ids or handles (all of them in <code>seeded.csv</code>). Reach: the active agents \
         downstream of the account at the end of a run, its own action not counted.</p>\
         <table><tr><th>strategy</th><th class=\"text\">accounts</th></tr>",
    );
    for (strategy, list) in &by {
        let fixed = list.iter().all(|(_, share, _)| *share >= 1.0);
        let shown: Vec<String> = list
            .iter()
            .take(SHOWN)
            .map(|(label, share, reach)| {
                if fixed {
                    format!("{} (reach {:.0})", super::report::esc(label), reach)
                } else {
                    format!(
                        "{} ({:.0}% of runs, reach {:.0})",
                        super::report::esc(label),
                        share * 100.0,
                        reach
                    )
                }
            })
            .collect();
        let more = list.len().saturating_sub(SHOWN);
        let what = if fixed {
            format!("the same {} accounts in every run: ", list.len())
        } else {
            format!(
                "different accounts in different runs ({} in all); most often: ",
                list.len()
            )
        };
        let _ = write!(
            body,
            "<tr><td>{}</td><td class=\"text\">{what}{}{}</td></tr>",
            super::report::esc(&super::compare::strategy_words(strategy)),
            shown.join(", "),
            if more > 0 {
                format!(", and {more} more")
            } else {
                String::new()
            }
        );
    }
    body.push_str("</table>\n");
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::measures::SeedReach;
    use crate::output::fixtures;

    fn with_seeds(r: u32, seeds: &[(u32, &str, u64)]) -> crate::engine::ReplicateResult {
        let mut res = fixtures::replicate(r);
        res.seed_reach = seeds
            .iter()
            .map(|&(seed, label, reach)| SeedReach {
                seed,
                label: label.into(),
                reach,
            })
            .collect();
        res
    }

    #[test]
    fn accounts_are_counted_and_ranked_per_strategy() {
        let runs = vec![
            StrategyRuns {
                name: "hubs".into(),
                overrides: vec![],
                results: vec![
                    with_seeds(0, &[(3, "@dell", 10), (5, "@bob", 2)]),
                    with_seeds(1, &[(3, "@dell", 20), (5, "@bob", 4)]),
                ],
                by_step: Vec::new(),
            },
            StrategyRuns {
                name: "random".into(),
                overrides: vec![],
                results: vec![with_seeds(0, &[(7, "x", 1)]), with_seeds(1, &[(8, "y", 5)])],
                by_step: Vec::new(),
            },
        ];
        let all = seeded(&runs);
        let hubs = &all[0].2;
        assert_eq!(hubs[0].label, "@dell");
        assert_eq!(hubs[0].replicates, 2);
        assert_eq!(hubs[0].mean_reach, 15.0);
        assert_eq!(hubs[1].label, "@bob");
        // Random: each account once; the larger reach first.
        let random = &all[1].2;
        assert_eq!(
            random.iter().map(|s| s.label.as_str()).collect::<Vec<_>>(),
            ["y", "x"]
        );
        let dir = tempfile::tempdir().expect("tempdir");
        write_seeded(dir.path(), &runs).expect("writes");
        let mut body = String::new();
        seeded_section(&mut body, dir.path());
        assert!(
            body.contains("the same 2 accounts in every run: @dell (reach 15), @bob (reach 3)"),
            "{body}"
        );
        assert!(body.contains("different accounts in different runs (2 in all); most often: y (50% of runs, reach 5)"), "{body}");
    }
}
