//! Scenario files: raw TOML to a validated [`Scenario`]; all error text about user input lives
//! here.
//!
//! The pipeline (`docs/scenarios.md` documents every key):
//!
//! 1. text to a TOML table; syntax errors carry their line and column;
//! 2. `--set key.path=value` overrides are applied to the table (see `overrides`);
//! 3. every key is typed (`deny_unknown_fields` on every struct: a misspelt key is an error
//!    that lists the expected ones), collecting all errors rather than the first;
//! 4. ranges and cross-key rules are checked (conformity in [0, 1], shares summing to 1, a
//!    latency that needs a theater, a graph file that exists, ...).
//!
//! Every error is a [`ScenarioError`] naming the file, the line and column (from the spans of
//! the original text, also for errors found after step 3), the key path, what was expected and
//! what was found. A problem that only an override brought in names the override instead of a
//! line: `x.toml: --set model.qualty=3: unknown key ...`.
//!
//! Once [`load`] returns a [`Scenario`], nothing downstream re-checks user input, with one
//! exception that needs the graph: node ids in `nodes` lists for a graph read from a file are
//! checked by [`Scenario::check_node_ids`] once its size is known.

mod brand;
mod check;
mod de;
mod error;
pub mod memory;
mod overrides;
mod parse;
mod span;
pub mod strategies;
pub mod sweep;
pub mod time;
mod webcare;

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::engine::RuleSpec;
use crate::engine::config::{StopRule, TimingSpec};
use crate::graph::generators::{GeneratorSpec, TheaterLayout};
use crate::graph::io::ImportOptions;
use crate::model::ClassSpec;
use crate::strategy::SeedingSpec;

pub use error::{ScenarioError, ScenarioErrors};
pub use parse::MAX_CLASSES;

use de::RawError;
use span::{Spans, display_path};

/// A validated scenario: everything a run needs, every value in range.
#[derive(Debug, Clone, PartialEq)]
pub struct Scenario {
    /// The scenario file as given.
    pub path: PathBuf,
    /// The scenario's text as it was read (what the manifest's checksum covers, so a file
    /// edited after loading, or a scenario that never was a file, is recorded as run).
    pub text: String,
    /// The `name` key; the file stem when absent. Usable as a folder name.
    pub name: String,
    /// The `description` key; empty when absent.
    pub description: String,
    /// The root of every random stream (`seed`, required).
    pub seed: u64,
    /// Independent replicates, at least 1 (`replicates`, default 1).
    pub replicates: u32,
    /// From `steps` (default 100, at least 1) and `stop_at_fixed_point` (default true).
    pub stop: StopRule,
    /// What a step is in real time (`[time]`, optional: without it steps have no unit).
    pub time: Option<time::TimeSpec>,
    /// The follower graph (`[graph]`).
    pub graph: GraphSource,
    /// The agent classes (`[[population]]`), 1 to [`MAX_CLASSES`]; node lists are disjoint and
    /// free of repeats, and the shares of the classes without a node list sum to 1 (a single
    /// such class may omit its share).
    pub population: Vec<ClassSpec>,
    /// The decision rule (`[model]`).
    pub model: RuleSpec,
    /// The timing scheme (`[timing]`, default synchronous).
    pub timing: TimingSpec,
    /// Which agents start active (`[seeding]`, optional).
    pub seeding: Option<SeedingSpec>,
    /// Which optional outputs to write (`[output]`).
    pub output: OutputSpec,
    /// The brand agent (`[brand]`, optional; see `docs/models/brand.md`).
    pub brand: Option<crate::model::brand::BrandSpec>,
    /// The `[sweep]` table, when there is one (what `ovation sweep` varies; `run` ignores it).
    pub sweep: Option<sweep::SweepSpec>,
    /// The `--set` arguments as given, in order.
    pub overrides: Vec<String>,
    /// The scenario table after the overrides (what the manifest records).
    pub resolved: toml::Table,
}

/// Where the follower graph comes from.
#[derive(Debug, Clone, PartialEq)]
pub enum GraphSource {
    /// A generator with its parameters (`generator = "theater"`, ...), already validated.
    Generator {
        /// The generator and its parameters.
        spec: GeneratorSpec,
        /// `per_replicate = true`: replicate `r` gets its own graph, seeded from `(seed, r)`;
        /// false (the default): one graph, seeded from `seed`, shared by all replicates.
        per_replicate: bool,
    },
    /// An edge list (or a `.ovg` cache) read from a file.
    File {
        /// The file, resolved relative to the scenario file's folder; it existed at load time.
        path: PathBuf,
        /// How to read it (`follows`, `ids`, `header`, `weighted`, `keep_self_loops`,
        /// `keep_duplicates`).
        import: ImportOptions,
        /// `cache = true`: write a `.ovg` binary cache next to the file on first use and read it
        /// afterwards (default false).
        cache: bool,
    },
}

/// The optional outputs of a run (`[output]`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OutputSpec {
    /// Draw the plots (PNG and SVG); default true.
    #[serde(default = "yes")]
    pub plots: bool,
    /// Write the per-step tidy `steps.csv`; default true (it can be large for long runs).
    #[serde(default = "yes")]
    pub steps_csv: bool,
    /// Write `agents.csv`, one row per replicate and agent; default false. Refused beyond
    /// [`MAX_AGENT_ROWS`] rows (agents x replicates). Left out of the recorded scenario when
    /// false, so folders written before it existed keep their fingerprint.
    #[serde(default, skip_serializing_if = "is_false")]
    pub agents: bool,
}

/// The most rows (agents x replicates) `agents.csv` may have: a run asking for more is
/// refused before it starts (about 50 bytes a row: 50 MB of CSV, and as much in memory).
pub const MAX_AGENT_ROWS: u64 = 1_000_000;

fn is_false(b: &bool) -> bool {
    !*b
}

fn yes() -> bool {
    true
}

impl Default for OutputSpec {
    fn default() -> Self {
        OutputSpec {
            plots: true,
            steps_csv: true,
            agents: false,
        }
    }
}

impl Scenario {
    /// The seat layout when the graph is a generated theater.
    pub fn theater_layout(&self) -> Option<TheaterLayout> {
        match &self.graph {
            GraphSource::Generator { spec, .. } => spec.theater_layout(),
            GraphSource::File { .. } => None,
        }
    }

    /// Checks that every id in the classes' `nodes` lists is below `node_count`, the size of
    /// the loaded graph. [`load`] already did this for generated graphs; for a graph read from
    /// a file, call it once the graph is loaded. Errors name the file and key, not the line.
    pub fn check_node_ids(&self, node_count: u32) -> Result<(), ScenarioErrors> {
        let raw = check::node_ids_in_range(&self.population, node_count);
        if raw.is_empty() {
            return Ok(());
        }
        let file = self.path.display().to_string();
        Err(ScenarioErrors(
            raw.into_iter()
                .map(|e| ScenarioError::new(&file, None, display_path(&e.path), e.message))
                .collect(),
        ))
    }
}

/// Reads and validates the scenario at `path`, applying `overrides` (`key.path=value`, in
/// order), for `run` and `sweep`: its `[strategies]` and `[compare]` tables are not looked at
/// (only `compare` uses them; [`load_with_strategies`] checks them too). Paths inside the
/// scenario are relative to its folder.
pub fn load(path: &Path, overrides: &[String]) -> Result<Scenario, ScenarioErrors> {
    let (file, text, base) = read_text(path)?;
    load_impl(&file, &text, &base, &Layers::plain(overrides), Checks::RUN).map(|mut s| {
        s.path = path.to_path_buf();
        s
    })
}

/// [`load`], and also every `[strategies.<name>]` loaded on top of the scenario with the same
/// checks, and the `[compare]` table: what `validate` and `compare` check. A strategy's
/// errors point at its own keys, or say `with strategies `a`, `b`: ...`.
pub fn load_with_strategies(path: &Path, overrides: &[String]) -> Result<Scenario, ScenarioErrors> {
    let (file, text, base) = read_text(path)?;
    load_impl(&file, &text, &base, &Layers::plain(overrides), Checks::ALL).map(|mut s| {
        s.path = path.to_path_buf();
        s
    })
}

/// The file's name as shown in errors, its text and the folder its paths are relative to.
fn read_text(path: &Path) -> Result<(String, String, PathBuf), ScenarioErrors> {
    let file = path.display().to_string();
    let fail = |message: String| {
        Err(ScenarioErrors(vec![ScenarioError::new(
            &file,
            None,
            String::new(),
            message,
        )]))
    };
    // A FIFO would block the read forever; a folder or device is no scenario.
    if let Ok(meta) = std::fs::metadata(path)
        && !meta.is_file()
    {
        return fail(
            "expected a regular file (a FIFO, folder or device cannot be read as a \
                     scenario)"
                .to_string(),
        );
    }
    let bytes = match std::fs::read(path) {
        Ok(b) => b,
        Err(e) => return fail(format!("cannot read the scenario file: {e}")),
    };
    let text = match String::from_utf8(bytes) {
        Ok(t) => t,
        Err(e) => {
            return fail(format!(
                "expected UTF-8 text, found an invalid byte at offset {}",
                e.utf8_error().valid_up_to()
            ));
        }
    };
    let base = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    Ok((file, text, base))
}

/// Validates scenario `text` as if read from `file_name` in the folder `base_dir` (which
/// resolves a graph file's path), with every check [`load_with_strategies`] makes. Never
/// panics, whatever the text.
pub fn load_str(
    file_name: &str,
    text: &str,
    base_dir: &Path,
    overrides: &[String],
) -> Result<Scenario, ScenarioErrors> {
    load_impl(
        file_name,
        text,
        base_dir,
        &Layers::plain(overrides),
        Checks::ALL,
    )
}

/// What is laid over a scenario's text, in this order: tables a strategy replaces are removed,
/// then the command line's `--set` overrides and the strategy's own are applied.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Layers<'a> {
    /// Key paths of tables removed before any override (a strategy's `replace`).
    pub replace: &'a [String],
    /// `--set` overrides (then a strategy's), in order.
    pub overrides: &'a [String],
}

impl<'a> Layers<'a> {
    /// Overrides alone.
    pub(crate) fn plain(overrides: &'a [String]) -> Layers<'a> {
        Layers {
            replace: &[],
            overrides,
        }
    }
}

/// Which optional checks a load makes.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Checks {
    /// Type `[strategies]` and `[compare]` and load every strategy on top of the scenario.
    pub strategies: bool,
    /// Check every `[sweep]` value against the scenario.
    pub sweep_values: bool,
}

impl Checks {
    /// `run` and `sweep`: strategies are not used, sweep values are.
    pub(crate) const RUN: Checks = Checks {
        strategies: false,
        sweep_values: true,
    };
    /// `validate` and `compare`'s base: everything.
    pub(crate) const ALL: Checks = Checks {
        strategies: true,
        sweep_values: true,
    };
    /// A strategy's or a sweep cell's own load (the base checked the rest).
    pub(crate) const NESTED: Checks = Checks {
        strategies: false,
        sweep_values: false,
    };
}

/// The message of a TOML syntax error. The parser's "duplicate key" names no key, so the key
/// (or table header) the error points at is added, as written in the file.
fn syntax_message(text: &str, message: &str, span: Option<std::ops::Range<usize>>) -> String {
    let message = message.trim_end();
    let found = span
        .filter(|_| message.starts_with("duplicate key"))
        .and_then(|s| {
            let key = text.get(s.clone())?.trim();
            let line_start = text.get(..s.start)?.rfind('\n').map_or(0, |i| i + 1);
            let line = text[line_start..].lines().next().unwrap_or_default();
            (!key.is_empty() && !key.contains(['\n', '\r'])).then_some((key, line))
        });
    let Some((key, line)) = found else {
        return format!("TOML syntax: {message}");
    };
    let key: String = key.chars().take(80).collect();
    let header = line.split('#').next().unwrap_or(line).trim();
    if header.starts_with('[') && header.ends_with(']') && !header.contains('=') {
        let header: String = header.chars().take(80).collect();
        format!(
            "TOML syntax: duplicate table `{header}`: `{key}` was already defined above; a table \
             is written once, with all its keys under one header"
        )
    } else {
        format!(
            "TOML syntax: duplicate key `{key}`: a key may appear only once in a table (remove \
             one of the two)"
        )
    }
}

/// Loads a scenario from its text with `layers` over it and the `checks` asked for.
pub(crate) fn load_impl(
    file_name: &str,
    text: &str,
    base_dir: &Path,
    layers: &Layers<'_>,
    checks: Checks,
) -> Result<Scenario, ScenarioErrors> {
    let overrides = layers.overrides;
    // Only the first syntax error: after one, a parser's recovery reports mostly echoes of it
    // (an unclosed array turns every later line into an error).
    let doc = match toml::de::DeTable::parse(text) {
        Ok(doc) => doc,
        Err(e) => {
            let pos = e.span().map(|s| Spans::empty(text).line_col(s.start));
            return Err(ScenarioErrors(vec![ScenarioError::new(
                file_name,
                pos,
                String::new(),
                syntax_message(text, e.message(), e.span()),
            )]));
        }
    };
    let spans = Spans::new(text, doc.get_ref());
    drop(doc);
    let mut table: toml::Table = match toml::from_str(text) {
        Ok(t) => t,
        Err(e) => {
            let pos = e.span().map(|s| spans.line_col(s.start));
            return Err(ScenarioErrors(vec![ScenarioError::new(
                file_name,
                pos,
                String::new(),
                syntax_message(text, e.message(), e.span()),
            )]));
        }
    };
    for path in layers.replace {
        overrides::remove(&mut table, path);
    }
    let (applied, failed) = overrides::apply(&mut table, overrides);
    let mut sink: Vec<RawError> = Vec::new();
    let parsed = parse::parse(&table, base_dir, &mut sink);
    check::check(&parsed, &mut sink);
    let strategy_specs = if checks.strategies {
        strategies::parse(&table, &mut sink)
    } else {
        None
    };
    let sweep = sweep::parse_root(&table, &spans, base_dir, checks.sweep_values, &mut sink);

    let mut errors: Vec<ScenarioError> = failed
        .into_iter()
        .map(|(text, why)| ScenarioError::new(file_name, None, format!("--set {text}"), why))
        .collect();
    // The errors of the text without the overrides: an error at a key of the file that is not
    // among them was caused by an override (say `--set model.rule=threshold` makes the file's
    // `model.quality` unknown), and says which one.
    let unoverridden: Option<Vec<(String, String)>> = (!applied.is_empty() && !sink.is_empty())
        .then(|| {
            let plain = Layers {
                replace: layers.replace,
                overrides: &[],
            };
            match load_impl(file_name, text, base_dir, &plain, Checks::NESTED) {
                Ok(_) => Vec::new(),
                Err(e) => e.0.into_iter().map(|e| (e.key, e.message)).collect(),
            }
        });
    errors.extend(
        sink.into_iter()
            .map(|e| match blame_override(&e.path, &applied, &spans) {
                Some(o) => ScenarioError::new(file_name, None, format!("--set {o}"), e.message),
                None => {
                    let key = display_path(&e.path);
                    let mut message = e.message;
                    if let Some(plain) = &unoverridden
                        && !plain.iter().any(|(k, m)| *k == key && *m == message)
                        && let Some(o) = closest_override(&e.path, &applied)
                    {
                        message = format!("{message} (because of `{o}`)");
                    }
                    ScenarioError::new(file_name, spans.position(&e.path, e.at), key, message)
                }
            }),
    );
    if let Some(specs) = &strategy_specs {
        let nested =
            strategies::check_each(specs, file_name, text, base_dir, overrides, &spans, &errors);
        errors.extend(nested);
    }
    if !errors.is_empty() {
        // In file order; errors without a position (from --set, or a missing key) come last,
        // in the order they were found (the sort is stable).
        errors.sort_by_key(|e| (e.line.is_none(), e.line, e.column));
        return Err(ScenarioErrors(errors));
    }
    let (
        Some(seed),
        Some(replicates),
        Some(steps),
        Some(at_fixed_point),
        Some(graph),
        Some(population),
        Some(model),
        Some(timing),
        Some(seeding),
        Some(output),
        Some(brand),
        Some(time),
    ) = (
        parsed.seed,
        parsed.replicates,
        parsed.steps,
        parsed.stop_at_fixed_point,
        parsed.graph,
        parsed.population,
        parsed.model,
        parsed.timing,
        parsed.seeding,
        parsed.output,
        parsed.brand,
        parsed.time,
    )
    else {
        // Every `None` above comes with an error, so this is not reached; say so rather than
        // panic if a future check forgets one.
        return Err(ScenarioErrors(vec![ScenarioError::new(
            file_name,
            None,
            String::new(),
            "the scenario is incomplete (internal: a missing value was not reported)".into(),
        )]));
    };
    let stem = Path::new(file_name)
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .filter(|s| !s.is_empty())
        .unwrap_or_else(|| "scenario".to_string());
    Ok(Scenario {
        path: PathBuf::from(file_name),
        text: text.to_string(),
        name: parsed.name.unwrap_or(stem),
        description: parsed.description.unwrap_or_default(),
        seed,
        replicates,
        stop: StopRule {
            max_steps: steps,
            at_fixed_point,
        },
        time,
        graph,
        population,
        model,
        timing,
        seeding,
        output,
        brand,
        sweep: sweep.flatten(),
        overrides: overrides.to_vec(),
        resolved: table,
    })
}

/// The override that shares the longest leading part of its key path with `path` (at least
/// the top-level table), the last one on a tie: the likely cause of an error at a key the
/// override did not set.
fn closest_override<'o>(path: &[span::Seg], applied: &'o [overrides::Override]) -> Option<&'o str> {
    let common =
        |o: &overrides::Override| o.path.iter().zip(path).take_while(|(a, b)| a == b).count();
    applied
        .iter()
        .rev()
        .filter(|o| common(o) >= 1)
        .max_by_key(|o| common(o))
        .map(|o| o.text.as_str())
}

/// The override an error at `path` comes from: the last one that set `path` or a table above
/// it, or that created `path` (the document does not have it).
fn blame_override<'o>(
    path: &[span::Seg],
    applied: &'o [overrides::Override],
    spans: &Spans,
) -> Option<&'o str> {
    if path.is_empty() {
        return None;
    }
    applied
        .iter()
        .rev()
        .find(|o| path.starts_with(&o.path) || (o.path.starts_with(path) && !spans.contains(path)))
        .map(|o| o.text.as_str())
}

#[cfg(test)]
mod tests;
