//! `report.html`: one self-contained page per result folder, for readers who do not run code.
//!
//! [`write_report`] reads what the folder already holds and writes `report.html` beside it, so
//! `ovation report DIR` can rebuild it at any time. The page needs nothing else: CSS is inline,
//! plots are PNG files inlined as base64 `data:` URIs, there is no JavaScript, no web font and
//! no external request, and it prints (print CSS: no background colours, plots kept whole).
//!
//! The folder kind is read from `manifest.json` (`"kind": "compare"` or `"sweep"`; a run's
//! manifest has no kind), falling back to the files present (`differences.csv`: compare,
//! `cells.csv`: sweep, else a run):
//!
//! - **compare**: the question, the headline answer with its interval, the ranking, a table of
//!   every strategy's measures and costs, the paired differences against the baseline (with the
//!   unpaired interval beside them), the plots, and what was run;
//! - **run**: the summary measures with their intervals, how the replicates ended, the plots,
//!   and what was run;
//! - **sweep**: the cells table (`cells.csv`, as written), the plots, and what was run.
//!
//! Every PNG in the folder is shown; known plots come first in a fixed order. Other commands
//! (`sweep`) call [`write_report`] once their files are written.

use std::fmt::Write as _;
use std::fs;
use std::path::{Path, PathBuf};

use serde_json::Value;

use super::OutputError;
use super::folder::write_atomic;
use super::measures::{counts_steps, is_share, label};
use super::read::{
    CellView, CompareStatsView, ManifestView, RunStatsView, SummaryView, read_cells, read_json,
};
use super::time_axis::{durations_text, step_time};
use crate::scenario::strategies::Goal;
use crate::scenario::time::TimeSpec;

/// The report's file name.
pub const REPORT_FILE: &str = "report.html";

/// Plots shown first, in this order, with a caption each.
const KNOWN_PLOTS: [(&str, &str); 6] = [
    (
        "outcome_over_time",
        "Mean share over steps for each strategy (a replicate that stopped early is carried at \
         its final state); bands are 95% confidence intervals of the mean. The highest point of \
         a curve is the peak of the mean, not the tables' peak share (the mean of each \
         replicate's own peak), which is higher when replicates peak at different steps.",
    ),
    (
        "forest",
        "Paired difference from the baseline for each strategy (blue, 95% CI; common random \
         numbers) and the unpaired Welch interval (grey) for reference. Left of zero: lower than \
         the baseline.",
    ),
    (
        "cost_effect",
        "Each strategy's mean cost per run (the total cost when the comparison has one, else one \
         panel per cost) against its effect (paired difference from the baseline), both with \
         95% CIs.",
    ),
    (
        "shares",
        "Mean share of agents standing, sitting and booing at each step (a replicate that \
         stopped early is carried at its final state); bands are 95% confidence intervals of \
         the mean. The highest point of a curve is the peak of the mean, not the mean of each \
         replicate's own peak.",
    ),
    (
        "final_standing",
        "Distribution of the final share standing over replicates.",
    ),
    (
        "seat_map",
        "Share of replicates in which each seat ends standing (row 0, the front, at the top).",
    ),
];

/// The kind of result folder.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FolderKind {
    /// `ovation run`.
    Run,
    /// `ovation sweep`.
    Sweep,
    /// `ovation compare`.
    Compare,
}

/// Which kind of result folder `dir` is (see the module docs).
pub fn folder_kind(dir: &Path, manifest: &ManifestView) -> FolderKind {
    match manifest.kind.as_deref() {
        Some("compare") => FolderKind::Compare,
        Some("sweep") => FolderKind::Sweep,
        _ if dir.join("differences.csv").is_file() => FolderKind::Compare,
        _ if dir.join("cells.csv").is_file() => FolderKind::Sweep,
        _ => FolderKind::Run,
    }
}

/// Writes `<dir>/report.html` from the files in `dir` and returns its path. `manifest.json`
/// must exist; everything else is optional (a missing table or plot is left out).
pub fn write_report(dir: &Path) -> Result<PathBuf, OutputError> {
    let html = render_report(dir)?;
    let path = dir.join(REPORT_FILE);
    write_atomic(&path, html.as_bytes())?;
    Ok(path)
}

/// The report's HTML for the folder `dir`.
pub fn render_report(dir: &Path) -> Result<String, OutputError> {
    let manifest: ManifestView = read_json(&dir.join("manifest.json"))?;
    let stats_path = dir.join("stats.json");
    let stats_path = stats_path.is_file().then_some(stats_path);
    let kind = folder_kind(dir, &manifest);
    let scenario = manifest.scenario.as_ref().unwrap_or(&Value::Null);
    // With `[time]`, measures that count steps are also given in time units.
    let time = step_time(scenario);
    let time = time.as_ref();
    // The scenario's optional `name` and `description` (a scenario is free-form TOML).
    let name = scenario["name"]
        .as_str()
        .map(str::to_string)
        .or_else(|| {
            Path::new(&manifest.scenario_file)
                .file_stem()
                .map(|s| s.to_string_lossy().into_owned())
        })
        .unwrap_or_else(|| "ovation".into());
    let description = scenario["description"].as_str().unwrap_or_default();
    let strategy = strategy_of(dir);
    let what = match kind {
        FolderKind::Run => "run",
        FolderKind::Sweep => "sweep",
        FolderKind::Compare => "comparison of strategies",
    };

    let mut body = String::new();
    let _ = write!(
        body,
        "<header><p class=\"kind\">ovation {what}</p><h1>{}</h1>",
        esc(&name)
    );
    if let Some(strategy) = &strategy {
        let _ = write!(
            body,
            "<p class=\"question\">Strategy <b>{}</b> of the comparison in \
             <code>../../report.html</code>, run alone.</p>",
            esc(&super::compare::strategy_words(strategy))
        );
    }
    if !description.is_empty() {
        let _ = write!(body, "<p class=\"description\">{}</p>", esc(description));
    }
    body.push_str("</header>\n");
    let shown = match kind {
        FolderKind::Compare => {
            let shown = match &stats_path {
                Some(p) => compare_sections(&mut body, &read_json(p)?, time),
                None => Vec::new(),
            };
            super::seeded::seeded_section(&mut body, dir);
            shown
        }
        FolderKind::Run => match &stats_path {
            Some(p) => run_sections(&mut body, &read_json(p)?, time),
            None => Vec::new(),
        },
        FolderKind::Sweep => {
            let shown = sweep_sections(&mut body, dir)?;
            where_it_changes(&mut body, dir, &manifest, time);
            shown
        }
    };
    plots_section(&mut body, dir)?;
    assumptions_section(&mut body, &manifest);
    glossary_section(&mut body, &shown);
    what_was_run(&mut body, &manifest, kind);

    let mut page = String::with_capacity(body.len() + 4096);
    let _ = write!(
        page,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>{} — ovation {what}</title>\n<style>{CSS}</style>\n</head>\n<body>\n<main>\n{body}\
         </main>\n</body>\n</html>\n",
        esc(&name)
    );
    Ok(page)
}

/// The page's style: readable on a laptop, printable.
const CSS: &str = r#"
:root { color-scheme: light; }
body { margin: 0; background: #f4f5f7; color: #1d2330;
  font: 16px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; }
main { max-width: 1040px; margin: 0 auto; padding: 24px 28px 48px; background: #fff; }
header { border-bottom: 2px solid #1d2330; margin-bottom: 20px; }
h1 { font-size: 1.9em; margin: 0 0 6px; }
h2 { font-size: 1.3em; margin: 32px 0 10px; border-bottom: 1px solid #d7dae0; padding-bottom: 4px; }
.kind { text-transform: uppercase; letter-spacing: .08em; font-size: .8em; color: #5b6475; margin: 0; }
.description { color: #3a4252; margin-top: 0; }
.question { font-size: 1.25em; font-style: italic; margin: 8px 0; }
.headline { background: #eaf3fb; border-left: 6px solid #0072b2; padding: 14px 18px; font-size: 1.2em; margin: 12px 0 8px; }
.headline.unclear { background: #fdf3e7; border-left-color: #d55e00; }
.note { color: #5b6475; font-size: .9em; }
table { border-collapse: collapse; width: 100%; font-size: .92em; margin: 8px 0; }
th, td { border-bottom: 1px solid #e3e5ea; padding: 5px 8px; text-align: right; vertical-align: top; }
th:first-child, td:first-child { text-align: left; }
th { background: #f0f2f5; font-weight: 600; }
td.text, th.text { text-align: left; }
tr.best td { font-weight: 600; }
code { font-family: ui-monospace, "SFMono-Regular", Menlo, Consolas, monospace; font-size: .9em; }
figure { margin: 18px 0; }
figure img { max-width: 100%; height: auto; border: 1px solid #e3e5ea; }
figcaption { color: #5b6475; font-size: .9em; }
.wide { overflow-x: auto; }
.wide td, .wide th { white-space: nowrap; padding: 4px 6px; }
dl { display: grid; grid-template-columns: max-content 1fr; gap: 4px 16px; }
dt { font-weight: 600; }
dd { margin: 0; overflow-wrap: anywhere; }
@media print {
  body { background: #fff; font-size: 10.5pt; }
  main { max-width: none; padding: 0; }
  .headline { background: none; border: 2px solid #000; }
  figure, .headline { page-break-inside: avoid; break-inside: avoid; }
  .wide { overflow: visible; }
  table { font-size: 8.5pt; }
  h2 { page-break-after: avoid; break-after: avoid; }
}
"#;

/// For a sweep over one key: for each of the sweep's measures, where along the swept values it
/// first changes detectably between neighbouring values (their 95% intervals do not overlap, a
/// conservative test) and over which range it does not: where a strategy stops paying, or
/// starts costing. Reads `cells.csv` (cells in the order of the swept values).
fn where_it_changes(
    body: &mut String,
    dir: &Path,
    manifest: &ManifestView,
    time: Option<&TimeSpec>,
) {
    let Ok(table) = read_cells(&dir.join("cells.csv")) else {
        return;
    };
    let [key] = table.keys.as_slice() else {
        return; // not a sweep over exactly one key
    };
    let rows = &table.cells;
    if rows.len() < 2 {
        return;
    }
    let measures: Vec<&str> = manifest
        .sweep
        .iter()
        .flat_map(|s| s.measures.iter().map(String::as_str))
        .collect();
    let mut items = Vec::new();
    for m in measures {
        if !table.measures.iter().any(|x| x == m) {
            continue;
        }
        let mean = |c: &CellView| c.measure(m)[0].unwrap_or(f64::NAN);
        let lo = |c: &CellView| c.measure(m)[1].unwrap_or(f64::NAN);
        let hi = |c: &CellView| c.measure(m)[2].unwrap_or(f64::NAN);
        let share = is_share(m);
        let show = |x: f64| {
            if share {
                format!("{:.1}%", x * 100.0)
            } else {
                format!(
                    "{}{}",
                    super::compare::number(x),
                    in_time(&[Some(x)], m, time)
                )
            }
        };
        let value = |c: &CellView| esc(c.text(key));
        let first = rows
            .windows(2)
            .position(|w| hi(&w[0]) < lo(&w[1]) || hi(&w[1]) < lo(&w[0]));
        let label = esc(&label(m));
        let last = &rows[rows.len() - 1];
        let text = match first {
            None => format!(
                "{label}: no detectable change between neighbouring values anywhere from {} ({}) to {} ({})",
                value(&rows[0]),
                show(mean(&rows[0])),
                value(last),
                show(mean(last)),
            ),
            Some(0) => format!(
                "{label}: changes detectably from the first step, {} ({}) to {} ({})",
                value(&rows[0]),
                show(mean(&rows[0])),
                value(&rows[1]),
                show(mean(&rows[1])),
            ),
            Some(k) => format!(
                "{label}: no detectable change between neighbouring values from {} ({}) to {} ({}); the first detectable change is from {} to {} ({})",
                value(&rows[0]),
                show(mean(&rows[0])),
                value(&rows[k]),
                show(mean(&rows[k])),
                value(&rows[k]),
                value(&rows[k + 1]),
                show(mean(&rows[k + 1])),
            ),
        };
        items.push(text);
    }
    if items.is_empty() {
        return;
    }
    let key = esc(key);
    let _ = write!(
        body,
        "<h2>Where it changes</h2><p class=\"note\">Along <code>{key}</code>, in the order \
         swept: a change between neighbouring values counts as detectable when their 95% \
         intervals do not overlap (conservative: smaller changes may be real). A flat stretch is \
         where pushing the value further neither pays nor costs.</p><ul>"
    );
    for t in items {
        let _ = write!(body, "<li>{t}</li>");
    }
    body.push_str("</ul>\n");
}

/// Escapes text for HTML.
pub fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// Standard base64 (RFC 4648, with padding).
pub fn base64(bytes: &[u8]) -> String {
    const ABC: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            chunk.get(1).copied().unwrap_or(0),
            chunk.get(2).copied().unwrap_or(0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for k in 0..4 {
            if k <= chunk.len() {
                out.push(ABC[((n >> (18 - 6 * k)) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// A number from a result file, formatted for a table: shares as percentages of all agents
/// with one decimal (the unit the headline's points are differences of), counts plainly;
/// an undefined value (`null` in the file) as a dash.
fn num(v: Option<f64>, share: bool) -> String {
    match v {
        Some(x) if share => format!("{:.1}%", x * 100.0),
        Some(x) if x.abs() >= 1000.0 => format!("{x:.0}"),
        Some(x) => format!("{x:.2}"),
        None => "–".into(),
    }
}

/// A difference: of shares in percentage points (one decimal), else as [`num`].
fn diff_num(v: Option<f64>, share: bool) -> String {
    match v {
        Some(x) if share => format!("{:.1} pts", x * 100.0),
        _ => num(v, false),
    }
}

/// For a measure that counts steps and a scenario with `[time]`: `values` as real time, in
/// one unit, as " (0.4 to 1.3 h)" (the caller shows the steps before it); else nothing.
fn in_time(values: &[Option<f64>], measure: &str, time: Option<&TimeSpec>) -> String {
    let (Some(time), true) = (time, counts_steps(measure)) else {
        return String::new();
    };
    let Some(steps) = values.iter().copied().collect::<Option<Vec<f64>>>() else {
        return String::new();
    };
    let (numbers, unit) = durations_text(&steps, time);
    format!(" ({} {})", numbers.join(" to "), unit.short())
}

/// The strategy a run folder belongs to, when it is `<compare folder>/strategies/<name>/`
/// (the comparison's own manifest is written last, so it may not exist yet; when it does, it
/// must be a comparison's).
fn strategy_of(dir: &Path) -> Option<String> {
    let parent = dir.parent()?;
    if parent.file_name()? != "strategies" {
        return None;
    }
    let top = parent.parent()?.join("manifest.json");
    if top.is_file() && read_json::<ManifestView>(&top).ok()?.kind.as_deref() != Some("compare") {
        return None;
    }
    dir.file_name()?.to_str().map(str::to_string)
}

/// "What was assumed": every value the run used, defaults filled in (the manifest's
/// `provenance.effective`; for older folders, the scenario as written), one row per key path.
fn assumptions_section(body: &mut String, manifest: &ManifestView) {
    let effective = manifest.provenance.as_ref().map(|p| &p.effective);
    let (source, note) = if let Some(effective) = effective.filter(|e| e.is_object()) {
        (
            effective,
            "Every value the runs used, defaults filled in (for a comparison or a sweep: the base \
             scenario, before each strategy's changes or each cell's swept values).",
        )
    } else {
        (
            manifest.scenario.as_ref().unwrap_or(&Value::Null),
            "The scenario as written (this folder predates the record of defaults).",
        )
    };
    let mut rows = Vec::new();
    flatten_json("", source, &mut rows);
    rows.retain(|(k, _)| !k.starts_with("strategies") && !k.starts_with("compare"));
    if rows.is_empty() {
        return;
    }
    let _ = write!(
        body,
        "<h2>What was assumed</h2><p class=\"note\">{note} Keys as in a scenario file \
         (docs/scenarios.md).</p><table><thead><tr><th class=\"text\">key</th>\
         <th class=\"text\">value</th></tr></thead><tbody>"
    );
    for (k, v) in rows {
        let _ = write!(
            body,
            "<tr><td><code>{}</code></td><td class=\"text\">{}</td></tr>",
            esc(&k),
            esc(&v)
        );
    }
    body.push_str("</tbody></table>");
}

/// Flattens JSON into `(key.path, value)` rows; a table of plain values whose key is
/// `dist` (a distribution) stays on one row, as `{ dist = "uniform", low = 0, high = 1 }` would.
fn flatten_json(prefix: &str, v: &Value, out: &mut Vec<(String, String)>) {
    let join = |k: &str| {
        if prefix.is_empty() {
            k.to_string()
        } else {
            format!("{prefix}.{k}")
        }
    };
    match v {
        Value::Object(map) if map.contains_key("dist") && map.values().all(|x| !x.is_object()) => {
            let parts: Vec<String> = map.iter().map(|(k, x)| format!("{k} = {x}")).collect();
            out.push((prefix.to_string(), format!("{{ {} }}", parts.join(", "))));
        }
        Value::Object(map) => {
            for (k, x) in map {
                flatten_json(&join(k), x, out);
            }
        }
        Value::Array(items) if items.iter().any(Value::is_object) => {
            for (i, x) in items.iter().enumerate() {
                flatten_json(&join(&i.to_string()), x, out);
            }
        }
        Value::Null => out.push((prefix.to_string(), "none".into())),
        Value::String(s) => out.push((prefix.to_string(), s.clone())),
        other => out.push((prefix.to_string(), other.to_string())),
    }
}

/// The glossary: the words every report uses and each measure `shown` with its definition.
fn glossary_section(body: &mut String, shown: &[String]) {
    use super::glossary::{TERMS, definition};
    body.push_str(
        "<h2>Glossary</h2><p class=\"note\">Every measure is defined in \
         <code>docs/measures.md</code>.</p><dl>",
    );
    for (term, text) in TERMS {
        let _ = write!(body, "<dt>{}</dt><dd>{}</dd>", esc(term), esc(text));
    }
    for m in shown {
        let text = definition(m).unwrap_or("a measure of the rule: see its page in docs/models/");
        let _ = write!(
            body,
            "<dt>{}</dt><dd><code>{}</code>: {}</dd>",
            esc(&label(m)),
            esc(m),
            esc(text)
        );
    }
    body.push_str("</dl>");
}

/// "mean (low to high)" of `measure`; dashes for a measure `s` lacks. A measure that counts
/// steps is followed by the same in time units when the scenario has `[time]`.
fn with_ci(s: Option<&SummaryView>, measure: &str, time: Option<&TimeSpec>) -> String {
    let share = is_share(measure);
    let (mean, lo, hi) = s.map_or((None, None, None), |s| (s.mean, s.ci_low, s.ci_high));
    format!(
        "{} <span class=\"note\">({} to {})</span>{}",
        num(mean, share),
        num(lo, share),
        num(hi, share),
        esc(&in_time(&[mean], measure, time)),
    )
}

/// The compare sections; returns the measures shown (for the glossary).
fn compare_sections(
    body: &mut String,
    stats: &CompareStatsView,
    time: Option<&TimeSpec>,
) -> Vec<String> {
    use super::compare::strategy_words;
    let pct = (stats.level * 100.0).round();
    if !stats.question.is_empty() {
        let _ = write!(
            body,
            "<h2>The question</h2><p class=\"question\">{}</p>",
            esc(&stats.question)
        );
    }
    let h = &stats.headline;
    let _ = write!(
        body,
        "<h2>The answer</h2><p class=\"headline{}\">{}</p>",
        if h.ci_excludes_zero { "" } else { " unclear" },
        esc(&h.sentence)
    );
    let replicates = stats.replicates;
    let _ = write!(
        body,
        "<p class=\"note\">Every strategy ran the same {replicates} replicates with common random \
         numbers (the same graph, signals and thresholds in replicate r), so differences are \
         paired. Intervals are {pct}% confidence intervals. Shares are percentages of all \
         agents; differences of shares are in percentage points (pts).</p>"
    );

    let measure = h.measure.as_str();
    let share = is_share(measure);
    let scale = if share { 100.0 } else { 1.0 };
    let unit = if share { " (pts)" } else { "" };
    let _ = write!(
        body,
        "<h2>Ranking</h2><p class=\"note\">By the {} ({} is better), against {}.</p>\
         <table><thead><tr><th>rank</th><th class=\"text\">strategy</th><th>mean {}</th>\
         <th>difference{unit}</th><th>{pct}% CI</th></tr></thead><tbody>",
        esc(&label(measure)),
        match h.goal {
            Goal::Lower => "lower",
            Goal::Higher => "higher",
        },
        esc(&strategy_words(&stats.baseline)),
        esc(&label(measure))
    );
    let baseline = stats.baseline.as_str();
    for r in &stats.ranking {
        let is_base = r.strategy == baseline;
        let d = |x: Option<f64>| x.map_or("–".into(), |x| format!("{:.2}", x * scale));
        let _ = write!(
            body,
            "<tr{}><td>{}</td><td class=\"text\">{}{}</td><td>{}{}</td><td>{}{}</td>\
             <td>{}{}</td></tr>",
            if r.rank == 1 { " class=\"best\"" } else { "" },
            r.rank,
            esc(&strategy_words(&r.strategy)),
            if is_base { " (baseline)" } else { "" },
            num(r.mean, share),
            esc(&in_time(&[r.mean], measure, time)),
            if is_base { "0".into() } else { d(r.difference) },
            if is_base {
                String::new()
            } else {
                esc(&in_time(&[r.difference], measure, time))
            },
            if is_base {
                "–".into()
            } else {
                format!("{} to {}", d(r.ci_low), d(r.ci_high))
            },
            if is_base {
                String::new()
            } else {
                esc(&in_time(&[r.ci_low, r.ci_high], measure, time))
            },
        );
    }
    body.push_str("</tbody></table>");

    let measures = &stats.measures;
    body.push_str(
        "<h2>Strategies</h2><p class=\"note\">Mean per run with its interval in brackets. \
         Costs are marked.</p><table><thead><tr><th class=\"text\">strategy</th>\
         <th class=\"text\">what it changes</th>",
    );
    for m in measures {
        let cost = if stats.costs.contains(m) {
            " (cost)"
        } else {
            ""
        };
        let _ = write!(body, "<th>{}{cost}</th>", esc(&label(m)));
    }
    body.push_str("</tr></thead><tbody>");
    for s in &stats.strategies {
        let overrides: Vec<String> = s
            .overrides
            .iter()
            .map(|o| format!("<code>{}</code>", esc(o)))
            .collect();
        let _ = write!(
            body,
            "<tr><td>{}</td><td class=\"text\">{}</td>",
            esc(&strategy_words(&s.name)),
            if overrides.is_empty() {
                "the base scenario".into()
            } else {
                overrides.join("<br>")
            }
        );
        for m in measures {
            let _ = write!(body, "<td>{}</td>", with_ci(s.measures.get(m), m, time));
        }
        body.push_str("</tr>");
    }
    body.push_str("</tbody></table>");

    let _ = write!(
        body,
        "<h2>Differences from {}</h2><p class=\"note\">Strategy minus baseline, per run. \
         Paired: common random numbers, a Student t interval on the per-replicate differences. \
         Unpaired: Welch's interval, which ignores the pairing (for reference; it is wider when \
         pairing helps).</p><table><thead><tr><th class=\"text\">strategy</th>\
         <th class=\"text\">measure</th><th>mean difference</th><th>paired {pct}% CI</th>\
         <th>unpaired {pct}% CI</th></tr></thead><tbody>",
        esc(&strategy_words(baseline))
    );
    for d in &stats.differences {
        let sh = is_share(&d.measure);
        let (p, u) = (&d.paired, &d.unpaired);
        let _ = write!(
            body,
            "<tr><td>{}</td><td class=\"text\">{}</td><td>{}{}</td><td>{} to {}{}</td>\
             <td>{} to {}</td></tr>",
            esc(&strategy_words(&d.strategy)),
            esc(&label(&d.measure)),
            diff_num(p.mean, sh),
            esc(&in_time(&[p.mean], &d.measure, time)),
            diff_num(p.ci_low, sh),
            diff_num(p.ci_high, sh),
            esc(&in_time(&[p.ci_low, p.ci_high], &d.measure, time)),
            diff_num(u.ci_low, sh),
            diff_num(u.ci_high, sh),
        );
    }
    body.push_str("</tbody></table>");
    measures.clone()
}

/// The run sections; returns the measures shown (for the glossary).
fn run_sections(body: &mut String, stats: &RunStatsView, time: Option<&TimeSpec>) -> Vec<String> {
    use super::measures::{FINAL_BOOING, FINAL_STANDING};
    let pct = (stats.level * 100.0).round();
    let replicates = stats.replicates;
    let m = &stats.measures;
    if let Some(fs) = m.get(FINAL_STANDING.name) {
        let mut text = format!(
            "Over {replicates} replicates, the final share standing is {} ({pct}% CI {} to {})",
            num(fs.mean, true),
            num(fs.ci_low, true),
            num(fs.ci_high, true)
        );
        if let Some(fb) = m.get(FINAL_BOOING.name)
            && fb.mean.is_some_and(|x| x > 0.0)
        {
            let _ = write!(
                text,
                " and the final share booing {} ({} to {})",
                num(fb.mean, true),
                num(fb.ci_low, true),
                num(fb.ci_high, true)
            );
        }
        text.push('.');
        let _ = write!(
            body,
            "<h2>The answer</h2><p class=\"headline\">{}</p>",
            esc(&text)
        );
    }
    let mut shown: Vec<String> = m.keys().cloned().collect();
    let _ = write!(
        body,
        "<h2>Measures</h2><p class=\"note\">Mean over replicates with its {pct}% confidence \
         interval (Student t; clipped to 0-100% for shares). Shares are percentages of all \
         agents.</p><table><thead><tr>\
         <th class=\"text\">measure</th><th>mean</th><th>sd</th><th>{pct}% CI</th><th>n</th>\
         </tr></thead><tbody>"
    );
    for (k, s) in m {
        let share = is_share(k);
        let _ = write!(
            body,
            "<tr><td>{}</td><td>{}{}</td><td>{}</td><td>{} to {}{}</td><td>{}</td></tr>",
            esc(&k.replace('_', " ")),
            num(s.mean, share),
            esc(&in_time(&[s.mean], k, time)),
            num(s.sd, share),
            num(s.ci_low, share),
            num(s.ci_high, share),
            esc(&in_time(&[s.ci_low, s.ci_high], k, time)),
            s.n
        );
    }
    body.push_str("</tbody></table>");
    let _ = write!(
        body,
        "<h2>How the replicates ended</h2><p class=\"note\">Share of replicates, with a \
         Wilson {pct}% interval.</p><table><thead><tr><th class=\"text\">ending</th>\
         <th>share</th><th>{pct}% CI</th></tr></thead><tbody>"
    );
    for (k, s) in &stats.outcomes {
        shown.push(k.clone());
        let _ = write!(
            body,
            "<tr><td>{}</td><td>{}</td><td>{} to {}</td></tr>",
            esc(&k.replace('_', " ")),
            num(s.mean, true),
            num(s.ci_low, true),
            num(s.ci_high, true)
        );
    }
    body.push_str("</tbody></table>");
    shown
}

/// At most this many rows of a sweep's cells table are shown.
const MAX_ROWS: usize = 500;

/// The sweep sections; returns the measures shown (for the glossary).
fn sweep_sections(body: &mut String, dir: &Path) -> Result<Vec<String>, OutputError> {
    let path = dir.join("cells.csv");
    if !path.is_file() {
        return Ok(Vec::new());
    }
    let table = read_cells(&path)?;
    let cells = table.cells.len();
    let keys: Vec<String> = table
        .keys
        .iter()
        .map(|k| format!("<code>{}</code>", esc(k)))
        .collect();
    let replicates = table
        .cells
        .first()
        .map_or_else(|| "?".to_string(), |c| c.replicates.to_string());
    let _ = write!(
        body,
        "<h2>The sweep</h2><p class=\"headline\">{cells} cells, every combination of {}, with \
         {} replicates each (the same replicate keys in every cell).</p>",
        if keys.is_empty() {
            "the swept values".to_string()
        } else {
            keys.join(", ")
        },
        esc(&replicates)
    );
    body.push_str(
        "<h2>Cells</h2><p class=\"note\">One row per combination of the swept values (from \
         <code>cells.csv</code>): each measure's mean and its 95% interval.</p>",
    );
    // A measure's three columns `m_mean`, `m_ci_low`, `m_ci_high` become one: "mean (low to
    // high)"; other columns are shown as they are, in the file's order.
    let mut columns: Vec<(&str, bool)> = Vec::new();
    for c in &table.columns {
        if let Some(stem) = c.strip_suffix("_mean")
            && table.measures.iter().any(|m| m == stem)
        {
            columns.push((stem, true));
        } else if !["_ci_low", "_ci_high"].iter().any(|suffix| {
            c.strip_suffix(suffix)
                .is_some_and(|m| table.measures.iter().any(|x| x == m))
        }) {
            columns.push((c, false));
        }
    }
    body.push_str("<div class=\"wide\"><table><thead><tr>");
    for (name, _) in &columns {
        let _ = write!(body, "<th>{}</th>", esc(name));
    }
    body.push_str("</tr></thead><tbody>");
    let value = |f: &str| match f.parse::<f64>() {
        Ok(x) if f.contains('.') => format!("{x:.3}"),
        _ => f.to_string(),
    };
    for (shown, cell) in table.cells.iter().enumerate() {
        if shown == MAX_ROWS {
            let _ = write!(
                body,
                "<tr><td class=\"text\" colspan=\"99\">… more rows in cells.csv</td></tr>"
            );
            break;
        }
        body.push_str("<tr>");
        for (name, measure) in &columns {
            if *measure {
                let get = |part: &str| value(cell.text(&format!("{name}_{part}")));
                let _ = write!(
                    body,
                    "<td>{}<br><span class=\"note\">{} to {}</span></td>",
                    esc(&get("mean")),
                    esc(&get("ci_low")),
                    esc(&get("ci_high"))
                );
            } else {
                let _ = write!(body, "<td>{}</td>", esc(&value(cell.text(name))));
            }
        }
        body.push_str("</tr>");
    }
    body.push_str("</tbody></table></div>");
    Ok(table.measures.clone())
}

/// The plots to embed: PNG files of `dir` that ovation wrote (named in its ledger, see
/// [`super::clear`]; in a folder from before the ledger, any PNG) and that are regular files
/// directly in `dir`. A symbolic link is never followed, so nothing outside the folder (a link
/// named `x.png` to `/etc/passwd`) ends up in the report.
fn plots_to_embed(dir: &Path) -> Result<Vec<String>, OutputError> {
    let ledger = super::clear::ledger_names(dir)?;
    Ok(fs::read_dir(dir)
        .map_err(|source| OutputError::Read {
            path: dir.into(),
            source,
        })?
        .filter_map(|e| e.ok())
        .filter(|e| fs::symlink_metadata(e.path()).is_ok_and(|m| m.file_type().is_file()))
        .filter_map(|e| e.file_name().to_str().map(str::to_string))
        .filter(|n| n.ends_with(".png") && !n.starts_with('.'))
        .filter(|n| ledger.as_ref().is_none_or(|names| names.contains(n)))
        .collect())
}

fn plots_section(body: &mut String, dir: &Path) -> Result<(), OutputError> {
    let mut pngs = plots_to_embed(dir)?;
    pngs.sort_by_key(|n| {
        let stem = n.trim_end_matches(".png");
        (
            KNOWN_PLOTS
                .iter()
                .position(|(k, _)| *k == stem)
                .unwrap_or(KNOWN_PLOTS.len()),
            n.clone(),
        )
    });
    if pngs.is_empty() {
        return Ok(());
    }
    body.push_str("<h2>Plots</h2>");
    for n in pngs {
        let path = dir.join(&n);
        let bytes = fs::read(&path).map_err(|source| OutputError::Read {
            path: path.clone(),
            source,
        })?;
        let stem = n.trim_end_matches(".png");
        let caption = KNOWN_PLOTS
            .iter()
            .find(|(k, _)| *k == stem)
            .map_or(String::new(), |(_, c)| (*c).to_string());
        let _ = writeln!(
            body,
            "<figure><img alt=\"{}\" src=\"data:image/png;base64,{}\"><figcaption>{} \
             <span class=\"note\">({} and {}.svg in the folder)</span></figcaption></figure>",
            esc(&stem.replace('_', " ")),
            base64(&bytes),
            esc(&caption),
            esc(&n),
            esc(stem)
        );
    }
    Ok(())
}

fn what_was_run(body: &mut String, manifest: &ManifestView, kind: FolderKind) {
    body.push_str("<h2>What was run</h2><dl>");
    let mut item = |k: &str, v: String| {
        if !v.is_empty() {
            let _ = write!(body, "<dt>{}</dt><dd>{}</dd>", esc(k), v);
        }
    };
    let opt = |v: Option<u64>| v.map_or(String::new(), |v| v.to_string());
    item(
        "scenario file",
        format!("<code>{}</code>", esc(&manifest.scenario_file)),
    );
    item("seed", manifest.seed.to_string());
    let per = if kind == FolderKind::Compare {
        " per strategy"
    } else {
        ""
    };
    item("replicates", format!("{}{per}", opt(manifest.replicates)));
    if let Some(g) = &manifest.graph {
        let size = if g.nodes > 0 {
            format!("{} agents, {} follower edges; ", g.nodes, g.edges)
        } else {
            String::new()
        };
        item("graph", format!("{size}{}", esc(&g.source)));
    }
    if let Some(rule) = manifest
        .scenario
        .as_ref()
        .and_then(|s| s["model"]["rule"].as_str())
    {
        item("rule", esc(rule));
    }
    let overrides: Vec<String> = manifest
        .overrides
        .iter()
        .map(|o| format!("<code>--set {}</code>", esc(o)))
        .collect();
    item("overrides", overrides.join(" "));
    if let Some(strats) = &manifest.strategies {
        let list: Vec<String> = strats
            .iter()
            .map(|st| {
                let o: Vec<String> = st
                    .overrides
                    .iter()
                    .map(|o| format!("<code>{}</code>", esc(o)))
                    .collect();
                format!(
                    "<b>{}</b>: {}",
                    esc(&st.name),
                    if o.is_empty() {
                        "the base scenario".into()
                    } else {
                        o.join(", ")
                    }
                )
            })
            .collect();
        item("strategies", list.join("<br>"));
        item(
            "baseline",
            manifest.baseline.as_deref().map(esc).unwrap_or_default(),
        );
    }
    item("program", esc(&manifest.program));
    item("threads", opt(manifest.threads));
    item("started", esc(&manifest.started));
    item("finished", esc(&manifest.finished));
    let resumed = manifest.resumed_replicates.unwrap_or(0);
    if resumed > 0 {
        item(
            "resumed",
            format!("{resumed} replicates were found on disk and not rerun"),
        );
    }
    body.push_str("</dl>");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn measures_that_count_steps_are_also_given_in_time() {
        let ten = crate::scenario::time::Duration::parse("10min").ok();
        let t = ten.and_then(TimeSpec::new);
        let t = t.as_ref();
        assert_eq!(in_time(&[Some(246.5)], "peak_booing_step", t), " (41.1 h)");
        assert_eq!(
            in_time(&[Some(240.0), Some(252.0)], "peak_booing_step", t),
            " (40.0 to 42.0 h)"
        );
        assert_eq!(
            in_time(&[Some(3.0)], "first_response_step", t),
            " (30.0 min)"
        );
        assert_eq!(in_time(&[Some(0.3)], "peak_booing", t), "");
        assert_eq!(in_time(&[None], "peak_booing_step", t), "");
        assert_eq!(in_time(&[Some(246.5)], "peak_booing_step", None), "");
    }

    #[test]
    fn the_shipped_motrin_report_gives_the_peak_step_in_days() {
        // results/webcare-motrin: 15-minute steps; `none` peaks at step 246.46 on average
        // (stats.json), 3,697 minutes = 2.57 days.
        let html = render_report(Path::new("results/webcare-motrin")).expect("report");
        assert!(
            html.contains("246.46 <span class=\"note\">(239.92 to 253.00)</span> (2.6 days)"),
            "the peak step is not in days"
        );
    }

    #[test]
    fn base64_matches_rfc_4648() {
        // Test vectors of RFC 4648, section 10.
        for (input, output) in [
            ("", ""),
            ("f", "Zg=="),
            ("fo", "Zm8="),
            ("foo", "Zm9v"),
            ("foob", "Zm9vYg=="),
            ("fooba", "Zm9vYmE="),
            ("foobar", "Zm9vYmFy"),
        ] {
            assert_eq!(base64(input.as_bytes()), output);
        }
    }

    /// The "where it changes" text of a one-key sweep of measure `y` whose `cells.csv` is in
    /// `dir`.
    fn where_y_changes(dir: &std::path::Path) -> String {
        let manifest: ManifestView = serde_json::from_value(serde_json::json!({
            "kind": "sweep", "scenario_file": "s.toml", "overrides": [], "seed": 1,
            "program": "ovation", "started": "", "finished": "",
            "sweep": { "measures": ["y"] }
        }))
        .expect("a sweep manifest");
        let mut body = String::new();
        where_it_changes(&mut body, dir, &manifest, None);
        body
    }

    #[test]
    fn a_one_key_sweep_says_where_it_changes() {
        let dir = tempfile::tempdir().expect("tempdir");
        // Flat from 1 to 3 (overlapping intervals), a detectable jump from 3 to 4.
        fs::write(
            dir.path().join("cells.csv"),
            "cell,x,replicates,y_mean,y_ci_low,y_ci_high\n0,1,10,5,4,6\n1,2,10,5.5,4.5,6.5\n\
             2,3,10,6,5,7\n3,4,10,9,8,10\n",
        )
        .expect("writes");
        let body = where_y_changes(dir.path());
        assert!(
            body.contains(
                "no detectable change between neighbouring values from 1 (5.0) to 3 (6.0); the \
                 first detectable change is from 3 to 4 (9.0)"
            ),
            "{body}"
        );
    }

    #[test]
    fn a_sweep_over_quoted_values_is_read_by_column() {
        // Swept values with commas are quoted in cells.csv: a split on commas would shift every
        // field after them (the old reader showed `[10` as the value and `20]` as a count).
        let dir = tempfile::tempdir().expect("tempdir");
        fs::write(
            dir.path().join("cells.csv"),
            "cell,webcare.delays,replicates,y_mean,y_ci_low,y_ci_high\n\
             0,\"[10, 20]\",10,5,4,6\n1,\"[30, 40]\",10,9,8,10\n",
        )
        .expect("writes");
        let body = where_y_changes(dir.path());
        assert!(
            body.contains(
                "changes detectably from the first step, [10, 20] (5.0) to [30, 40] (9.0)"
            ),
            "{body}"
        );
        let mut body = String::new();
        let shown = sweep_sections(&mut body, dir.path()).expect("reads");
        assert_eq!(shown, ["y"]);
        assert!(
            body.contains(
                "2 cells, every combination of <code>webcare.delays</code>, with 10 replicates"
            ),
            "{body}"
        );
        assert!(
            body.contains("<td>0</td><td>[10, 20]</td><td>10</td><td>5<br><span class=\"note\">4 to 6</span></td>"),
            "{body}"
        );
    }

    #[test]
    fn escapes_markup() {
        assert_eq!(
            esc("<a href=\"x\">&'"),
            "&lt;a href=&quot;x&quot;&gt;&amp;&#39;"
        );
    }
}
