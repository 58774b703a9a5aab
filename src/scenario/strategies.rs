//! Named strategies (`[strategies.<name>]`) and the `[compare]` table: what `ovation compare`
//! runs side by side under common random numbers.
//!
//! ```toml
//! [strategies.none]                       # empty: the base scenario as written
//! [strategies.public_fast]
//! "brand.channel" = "public_reply"        # a key path, as with --set
//! "brand.delay" = 1
//!
//! [compare]
//! baseline = "none"                       # must name a strategy (default: the first declared)
//! question = "Should we answer complaints in public?"   # shown in the report
//! measures = ["peak_booing", "final_booing"]            # default: see DEFAULT_MEASURES
//! costs = ["responses_sent"]              # measures that are costs (any rule `extra` measure)
//! headline = "peak_booing"                # the measure the headline sentence and ranking use
//! goal = "lower"                          # is lower or higher better for it
//! ```
//!
//! Each strategy is a set of overrides applied to the base scenario after the command line's
//! `--set` ones; a key is a key path in `--set` syntax (`"population.0.share"`), and a table
//! value is merged key by key (so `brand.channel = "x"` written as a dotted key means the same as
//! `"brand.channel" = "x"`). To replace a table instead of merging into it, name it in the
//! strategy's `replace` list: the base's table is removed before the strategy's keys are set, so
//! hand-picked seeds can be compared with a ranking whose keys they do not share:
//!
//! ```toml
//! [strategies.hand_picked]
//! replace = ["seeding"]
//! seeding = { method = "nodes", nodes = [3, 17] }
//! ```
//!
//! Every strategy is loaded with [`super::load`]'s checks, and its
//! errors point at the strategy's own key: `x.toml:9:1: strategies.fast."model.qualty": unknown
//! key ...`. A strategy may not override `seed` or `replicates`: common random numbers need every
//! strategy to run the same replicates from the same seed.

use std::path::Path;

use serde::Deserialize;
use toml::{Table, Value};

use crate::scenario::de::{RawError, describe, unit};
use crate::scenario::span::{At, Seg, Spans, child, display_path, keys};
use crate::scenario::{Scenario, ScenarioError, ScenarioErrors};

/// The measures compared when `[compare] measures` is absent (then every rule-specific `extra`
/// measure and every cost the results carry are added).
pub const DEFAULT_MEASURES: [&str; 4] = [
    "final_standing",
    "final_booing",
    "peak_booing",
    "peak_booing_step",
];

/// Keys a strategy may not override, with why.
const FROZEN: [(&str, &str); 4] = [
    (
        "seed",
        "common random numbers need every strategy to share the seed",
    ),
    (
        "replicates",
        "paired differences need every strategy to run the same replicates",
    ),
    ("strategies", "a strategy cannot declare strategies"),
    ("compare", "a strategy cannot change the [compare] table"),
];

/// One named strategy: overrides on the base scenario.
#[derive(Debug, Clone, PartialEq)]
pub struct StrategySpec {
    /// The name (`[strategies.<name>]`): letters, digits, `_` and `-`.
    pub name: String,
    /// Its overrides in `--set` syntax (`brand.channel="public_reply"`), in key order.
    pub overrides: Vec<String>,
    /// Key paths of the base's tables this strategy replaces (`replace = ["seeding"]`): removed
    /// before the command line's and the strategy's overrides are applied.
    pub replace: Vec<String>,
    /// The key path in the scenario of each override (for error positions).
    keys: Vec<Vec<String>>,
}

/// Which direction of a measure is better.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Goal {
    /// Smaller is better (complaints, costs).
    Lower,
    /// Larger is better (praise, adoption).
    Higher,
}

/// The `[compare]` table, typed.
#[derive(Debug, Clone, PartialEq)]
pub struct CompareSpec {
    /// The strategy every other is compared with.
    pub baseline: String,
    /// The question the comparison answers, for the report; empty when absent.
    pub question: String,
    /// The measures to compare; `None`: [`DEFAULT_MEASURES`] plus extras and costs present.
    pub measures: Option<Vec<String>>,
    /// Measures that are costs (shown as "at a cost of ...").
    pub costs: Vec<String>,
    /// The measure of the headline and the ranking; `None`: the first measure.
    pub headline: Option<String>,
    /// Whether lower or higher is better for the headline measure; `None`: lower for measures
    /// named like booing/complaints and costs, higher otherwise.
    pub goal: Option<Goal>,
}

/// A scenario with its strategies, each loaded and validated.
#[derive(Debug, Clone)]
pub struct Comparison {
    /// The base scenario (no strategy applied).
    pub base: Scenario,
    /// The strategies in declaration order, each with its scenario.
    pub strategies: Vec<(StrategySpec, Scenario)>,
    /// The `[compare]` table (defaults filled in).
    pub compare: CompareSpec,
}

/// The raw `[compare]` table.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCompare {
    baseline: Option<String>,
    #[serde(default)]
    question: String,
    measures: Option<Vec<String>>,
    #[serde(default)]
    costs: Vec<String>,
    headline: Option<String>,
    goal: Option<Goal>,
}

/// The strategies and the `[compare]` table as parsed (with defaults where `[compare]` has a
/// problem, already reported), or `None` when the scenario has no strategies or they are
/// malformed (the errors are in `sink`).
#[derive(Debug, Clone)]
pub(crate) struct Specs {
    strategies: Vec<StrategySpec>,
    compare: CompareSpec,
}

/// Types `[strategies.*]` and `[compare]`; structure errors go to `sink`.
pub(crate) fn parse(root: &Table, sink: &mut Vec<RawError>) -> Option<Specs> {
    let compare_raw = match root.get("compare") {
        Some(v) if v.is_table() => unit::<RawCompare>(v, &keys(&["compare"]), sink),
        Some(v) => {
            sink.push(RawError::value(
                keys(&["compare"]),
                format!("expected a table ([compare]), found {}", describe(v)),
            ));
            None
        }
        None => None,
    };
    let strategies = match root.get("strategies") {
        Some(Value::Table(t)) => strategy_tables(t, sink),
        Some(v) => {
            sink.push(RawError::value(
                keys(&["strategies"]),
                format!(
                    "expected a table of strategies (`[strategies.<name>]`), found {}",
                    describe(v)
                ),
            ));
            return None;
        }
        None => {
            if root.contains_key("compare") {
                sink.push(RawError::value(
                    keys(&["compare"]),
                    "expected strategies to compare (`[strategies.<name>]` tables), found none",
                ));
            }
            return None;
        }
    };
    let strategies = strategies?;
    if strategies.is_empty() {
        sink.push(RawError::value(
            keys(&["strategies"]),
            "expected at least one strategy (`[strategies.<name>]`), found none",
        ));
        return None;
    }
    // A malformed [compare] table is reported already; its defaults still let every strategy
    // be checked.
    let raw = compare_raw.unwrap_or_default();
    let names: Vec<&str> = strategies.iter().map(|s| s.name.as_str()).collect();
    let baseline = match raw.baseline {
        Some(b) if names.contains(&b.as_str()) => b,
        Some(b) => {
            sink.push(RawError::value(
                keys(&["compare", "baseline"]),
                format!(
                    "expected the name of a strategy ({}), found `{b}`",
                    crate::scenario::parse::list(&names)
                ),
            ));
            strategies[0].name.clone()
        }
        None => strategies[0].name.clone(),
    };
    if let Some(m) = &raw.measures {
        measure_names(m, "measures", false, sink);
    }
    measure_names(&raw.costs, "costs", true, sink);
    if let (Some(h), Some(m)) = (&raw.headline, &raw.measures)
        && !m.contains(h)
    {
        sink.push(RawError::value(
            keys(&["compare", "headline"]),
            format!(
                "expected one of the compared measures ({}), found `{h}`",
                crate::scenario::parse::list(&m.iter().map(String::as_str).collect::<Vec<_>>())
            ),
        ));
    }
    Some(Specs {
        strategies,
        compare: CompareSpec {
            baseline,
            question: raw.question,
            measures: raw.measures,
            costs: raw.costs,
            headline: raw.headline,
            goal: raw.goal,
        },
    })
}

/// Checks a list of measure names: each a bare name, no repeats, and (unless `may_be_empty`)
/// at least one.
fn measure_names(
    names: &[String],
    key: &str,
    may_be_empty: bool,
    sink: &mut Vec<RawError>,
) -> bool {
    let path = keys(&["compare", key]);
    if names.is_empty() && !may_be_empty {
        sink.push(RawError::value(
            path,
            "expected at least one measure name, found an empty list",
        ));
        return false;
    }
    let mut ok = true;
    for (i, n) in names.iter().enumerate() {
        let at = crate::scenario::span::index(&path, i);
        if n.is_empty()
            || !n
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
        {
            sink.push(RawError::value(
                at,
                format!(
                    "expected a measure name (letters, digits, `_`, e.g. `peak_booing`), found {n:?}"
                ),
            ));
            ok = false;
        } else if names[..i].contains(n) {
            sink.push(RawError::value(
                at,
                format!("measure `{n}` is listed twice"),
            ));
            ok = false;
        }
    }
    ok
}

/// Each `[strategies.<name>]` table flattened into overrides.
fn strategy_tables(t: &Table, sink: &mut Vec<RawError>) -> Option<Vec<StrategySpec>> {
    let mut out = Vec::new();
    let mut ok = true;
    for (name, v) in t {
        let path = keys(&["strategies", name]);
        let good_name = !name.is_empty()
            && name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
        if !good_name {
            sink.push(RawError::key(
                path.clone(),
                format!(
                    "expected a strategy name of letters, digits, `_` and `-` (it names a \
                     folder), found {name:?}"
                ),
            ));
            ok = false;
            continue;
        }
        let Value::Table(body) = v else {
            sink.push(RawError::value(
                path,
                format!(
                    "expected a table of overrides (`[strategies.{name}]` with `\"key.path\" = \
                     value` lines), found {}",
                    describe(v)
                ),
            ));
            ok = false;
            continue;
        };
        let mut spec = StrategySpec {
            name: name.clone(),
            overrides: Vec::new(),
            replace: Vec::new(),
            keys: Vec::new(),
        };
        let mut body = body.clone();
        if let Some(v) = body.remove("replace") {
            match replace_list(&v) {
                Some(list) => spec.replace = list,
                None => {
                    sink.push(RawError::value(
                        child(&path, "replace"),
                        format!(
                            "expected a list of the tables this strategy replaces (e.g. \
                             `replace = [\"seeding\"]`), found {}",
                            describe(&v)
                        ),
                    ));
                    ok = false;
                }
            }
        }
        let mut prefix = Vec::new();
        flatten(&body, &mut prefix, &mut spec);
        for key in &spec.keys {
            let first = key[0].split('.').next().unwrap_or_default();
            if let Some((_, why)) = FROZEN.iter().find(|(k, _)| *k == first) {
                let mut p = path.clone();
                p.extend(key.iter().map(|k| Seg::Key(k.clone())));
                sink.push(RawError::key(
                    p,
                    format!("a strategy may not override `{first}`: {why}"),
                ));
                ok = false;
            }
        }
        out.push(spec);
    }
    ok.then_some(out)
}

/// The key paths of a `replace` list, or `None` when it is not a list of key paths.
fn replace_list(v: &Value) -> Option<Vec<String>> {
    let Value::Array(items) = v else {
        return None;
    };
    items
        .iter()
        .map(|item| match item {
            Value::String(k)
                if !k.is_empty()
                    && k.split('.').all(|p| !p.is_empty())
                    && !FROZEN.iter().any(|(f, _)| k.split('.').next() == Some(*f)) =>
            {
                Some(k.clone())
            }
            _ => None,
        })
        .collect()
}

/// Appends every leaf of `t` (below the key path `prefix`) to `spec` as an override.
fn flatten(t: &Table, prefix: &mut Vec<String>, spec: &mut StrategySpec) {
    for (k, v) in t {
        prefix.push(k.clone());
        match v {
            Value::Table(inner) if !inner.is_empty() => flatten(inner, prefix, spec),
            _ => {
                spec.overrides.push(format!("{}={v}", prefix.join(".")));
                spec.keys.push(prefix.clone());
            }
        }
        prefix.pop();
    }
}

/// The strategies in declaration order (by the position of their table in the text; those
/// only `--set` made come last, by name).
fn in_text_order(specs: &[StrategySpec], spans: &Spans) -> Vec<StrategySpec> {
    let mut v: Vec<(Option<(usize, usize)>, StrategySpec)> = specs
        .iter()
        .map(|s| {
            let at = spans
                .contains(&keys(&["strategies", &s.name]))
                .then(|| spans.position(&keys(&["strategies", &s.name]), At::Key))
                .flatten();
            (at, s.clone())
        })
        .collect();
    v.sort_by_key(|(at, s)| (at.is_none(), *at, s.name.clone()));
    v.into_iter().map(|(_, s)| s).collect()
}

/// Loads every strategy on top of the base and returns its errors, each pointing at the
/// strategy's key when the strategy's own override caused it, or prefixed with the names of the
/// strategies it concerns otherwise (one error, however many strategies share it). Errors the
/// base load already reported (`base_errors`) are left out.
pub(crate) fn check_each(
    specs: &Specs,
    file_name: &str,
    text: &str,
    base_dir: &Path,
    overrides: &[String],
    spans: &Spans,
    base_errors: &[ScenarioError],
) -> Vec<ScenarioError> {
    let mut out = Vec::new();
    // Errors not caused by a strategy's own key, each with the strategies it came up in.
    let mut shared: Vec<(ScenarioError, Vec<&str>)> = Vec::new();
    for s in &specs.strategies {
        let mut all = overrides.to_vec();
        all.extend(s.overrides.iter().cloned());
        let layers = super::Layers {
            replace: &s.replace,
            overrides: &all,
        };
        let Err(errors) =
            super::load_impl(file_name, text, base_dir, &layers, super::Checks::NESTED)
        else {
            continue;
        };
        for e in errors.0.into_iter().filter(|e| !base_errors.contains(e)) {
            let own = s
                .overrides
                .iter()
                .position(|o| e.key == format!("--set {o}"));
            match own {
                Some(i) => {
                    let mut path = keys(&["strategies", &s.name]);
                    path.extend(s.keys[i].iter().map(|k| Seg::Key(k.clone())));
                    let pos = spans.position(&path, At::Key);
                    out.push(ScenarioError::new(
                        file_name,
                        pos,
                        display_path(&path),
                        e.message,
                    ));
                }
                None => match shared.iter_mut().find(|(x, _)| *x == e) {
                    Some((_, names)) => names.push(&s.name),
                    None => shared.push((e, vec![s.name.as_str()])),
                },
            }
        }
    }
    for (mut e, names) in shared {
        let quoted: Vec<String> = names.iter().map(|n| format!("`{n}`")).collect();
        let which = if names.len() == specs.strategies.len() && names.len() > 1 {
            format!("with every strategy ({})", quoted.join(", "))
        } else if names.len() == 1 {
            format!("with strategy {}", quoted[0])
        } else {
            format!("with strategies {}", quoted.join(", "))
        };
        e.message = format!("{which}: {}", e.message);
        out.push(e);
    }
    out
}

/// Loads the scenario at `path` (with `overrides`) and every strategy it declares.
pub fn load_comparison(path: &Path, overrides: &[String]) -> Result<Comparison, ScenarioErrors> {
    let base = super::load_with_strategies(path, overrides)?;
    let file = path.display().to_string();
    let one = |message: String| {
        ScenarioErrors(vec![ScenarioError::new(
            &file,
            None,
            String::new(),
            message,
        )])
    };
    let mut sink = Vec::new();
    let Some(specs) = parse(&base.resolved, &mut sink) else {
        return Err(one(
            "expected strategies to compare (`[strategies.<name>]` tables, e.g. \
             `[strategies.none]` for the base as written), found none"
                .into(),
        ));
    };
    // `load` succeeded, so reading the file again gives the same text (or an error if it
    // changed meanwhile, reported as such).
    let text = std::fs::read_to_string(path)
        .map_err(|e| one(format!("cannot read the scenario file: {e}")))?;
    let base_dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    let spans = match toml::de::DeTable::parse(&text) {
        Ok(doc) => Spans::new(&text, doc.get_ref()),
        Err(_) => Spans::empty(&text),
    };
    let mut strategies = Vec::new();
    for s in in_text_order(&specs.strategies, &spans) {
        let mut all = overrides.to_vec();
        all.extend(s.overrides.iter().cloned());
        let layers = super::Layers {
            replace: &s.replace,
            overrides: &all,
        };
        let mut scenario =
            super::load_impl(&file, &text, base_dir, &layers, super::Checks::NESTED)?;
        scenario.path = path.to_path_buf();
        strategies.push((s, scenario));
    }
    Ok(Comparison {
        base,
        strategies,
        compare: specs.compare,
    })
}

impl Comparison {
    /// Index of the baseline strategy in [`Comparison::strategies`].
    pub fn baseline_index(&self) -> usize {
        self.strategies
            .iter()
            .position(|(s, _)| s.name == self.compare.baseline)
            .unwrap_or(0)
    }
}

/// The key path `strategies.<name>` (for messages).
pub fn strategy_path(name: &str) -> String {
    display_path(&child(&keys(&["strategies"]), name))
}

#[cfg(test)]
mod tests {
    use super::*;

    const BASE: &str = "seed = 1\nreplicates = 3\nsteps = 5\n[graph]\ngenerator = \"theater\"\nrows = 3\nseats = 3\n[[population]]\n[model]\nrule = \"sop\"\nquality = 0.5\n";

    fn errors(extra: &str) -> Vec<String> {
        let text = format!("{BASE}{extra}");
        match crate::scenario::load_str("x.toml", &text, Path::new("."), &[]) {
            Ok(_) => Vec::new(),
            Err(e) => e.0.iter().map(ToString::to_string).collect(),
        }
    }

    #[test]
    fn good_strategies_load() {
        assert!(errors("[strategies.none]\n[strategies.good]\n\"model.quality\" = 0.7\n[compare]\nbaseline = \"none\"\n").is_empty());
        // Dotted keys mean the same as quoted key paths.
        assert!(errors("[strategies.good]\nmodel.quality = 0.7\n").is_empty());
    }

    #[test]
    fn unknown_key_points_at_the_strategy() {
        let e = errors("[strategies.none]\n[strategies.fast]\n\"model.qualty\" = 3\n");
        assert_eq!(e.len(), 1, "{e:?}");
        assert!(
            e[0].starts_with("x.toml:14:1: strategies.fast.\"model.qualty\": unknown key `qualty`"),
            "{e:?}"
        );
    }

    #[test]
    fn out_of_range_value_points_at_the_strategy() {
        let e = errors("[strategies.hi]\n\"steps\" = 0\n");
        assert_eq!(e.len(), 1, "{e:?}");
        assert!(
            e[0].starts_with("x.toml:13:1: strategies.hi.steps: expected an integer >= 1, found 0"),
            "{e:?}"
        );
    }

    #[test]
    fn baseline_must_be_a_strategy() {
        let e = errors("[strategies.none]\n[strategies.a]\n[compare]\nbaseline = \"nothing\"\n");
        assert_eq!(
            e,
            [
                "x.toml:15:12: compare.baseline: expected the name of a strategy (`a`, `none`), found `nothing`"
            ]
        );
    }

    #[test]
    fn a_strategy_replaces_a_table_it_names() {
        let seeding = "[seeding]\nmethod = \"top_followers\"\nk = 2\n";
        let hand = "[strategies.hand_picked]\nseeding = { method = \"nodes\", nodes = [0, 4] }\n";
        // Merged into the base's table, `k` stays and `nodes` seeding refuses it.
        let e = errors(&format!("{seeding}[strategies.top]\n{hand}"));
        assert_eq!(e.len(), 1, "{e:?}");
        assert!(e[0].contains("unknown key `k`"), "{e:?}");
        // Replaced, the strategy's table is the whole table.
        let text = format!("{BASE}{seeding}[strategies.top]\n{hand}replace = [\"seeding\"]\n");
        let cmp = crate::scenario::load_str("x.toml", &text, Path::new("."), &[]);
        assert!(cmp.is_ok(), "{:?}", cmp.err());
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("x.toml");
        std::fs::write(&path, &text).expect("written");
        let cmp = load_comparison(&path, &[]).unwrap_or_else(|e| panic!("{e}"));
        let (spec, hand_picked) = &cmp.strategies[1];
        assert_eq!(spec.replace, ["seeding"]);
        let seeding = hand_picked.seeding.as_ref().expect("seeding");
        assert_eq!(
            format!("{:?}", seeding.method),
            "Nodes { nodes: [Id(0), Id(4)] }"
        );
        let top = cmp.strategies[0].1.seeding.as_ref().expect("seeding");
        assert_eq!(format!("{:?}", top.method), "TopFollowers { k: 2 }");
        // A replace list that is not one.
        let e = errors("[strategies.a]\nreplace = \"seeding\"\n");
        assert!(
            e[0].contains("strategies.a.replace: expected a list of the tables"),
            "{e:?}"
        );
        let e = errors("[strategies.a]\nreplace = [\"seed\"]\n");
        assert!(e[0].contains("strategies.a.replace"), "{e:?}");
    }

    #[test]
    fn an_error_shared_by_strategies_is_reported_once() {
        // Both strategies switch the rule to `threshold`, which has no `quality`: the base's
        // `model.quality` line is wrong in both, reported once, naming both.
        let e = errors(
            "[strategies.none]\n[strategies.a]\n\"model.rule\" = \"threshold\"\n\
             [strategies.b]\n\"model.rule\" = \"threshold\"\n",
        );
        let shared: Vec<&String> = e.iter().filter(|x| x.contains("with strategies")).collect();
        assert_eq!(shared.len(), 1, "{e:?}");
        assert!(shared[0].contains("with strategies `a`, `b`: "), "{e:?}");
        assert!(!e.iter().any(|x| x.contains("with strategy `")), "{e:?}");
    }

    #[test]
    fn run_ignores_strategies_and_validate_reports_them() {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("x.toml");
        std::fs::write(
            &path,
            format!("{BASE}[strategies.fast]\n\"model.qualty\" = 3\n"),
        )
        .expect("written");
        assert!(crate::scenario::load(&path, &[]).is_ok());
        let e = crate::scenario::load_with_strategies(&path, &[]).expect_err("a bad strategy");
        assert!(e.0[0].key.starts_with("strategies.fast"), "{e}");
    }

    #[test]
    fn frozen_keys_and_bad_compare_tables() {
        let e = errors("[strategies.a]\nseed = 3\n");
        assert!(e[0].contains("may not override `seed`"), "{e:?}");
        let e = errors("[compare]\nbaseline = \"a\"\n");
        assert!(e[0].contains("expected strategies to compare"), "{e:?}");
        let e = errors("[strategies.a]\n[compare]\nbaselin = \"a\"\n");
        assert!(e[0].contains("compare.baselin"), "{e:?}");
        let e = errors("[strategies.a]\n[compare]\nmeasures = [\"x\", \"x\"]\n");
        assert!(e[0].contains("listed twice"), "{e:?}");
    }
}
