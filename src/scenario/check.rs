//! Ranges and cross-key rules, checked once the types are right: conformity in [0, 1],
//! shares summing to 1, node lists without repeats, latencies that need a theater, and so on.
//! Nothing after this module re-checks user input.

use std::collections::BTreeMap;

use crate::engine::RuleSpec;
use crate::engine::config::{LatencySpec, TimingSpec};
use crate::model::{ClassSpec, Dist, NamedDist};
use crate::scenario::GraphSource;
use crate::scenario::de::RawError;
use crate::scenario::parse::Parsed;
use crate::scenario::span::{KeyPath, child, index, keys};

/// Shares must sum to 1 within this.
pub(crate) const SHARE_TOLERANCE: f64 = 1e-9;

/// At most this many node-list problems are reported per class.
const MAX_NODE_ERRORS: usize = 5;

/// Checks everything that typing could not.
pub(crate) fn check(p: &Parsed, sink: &mut Vec<RawError>) {
    if let Some(name) = &p.name {
        check_name(name, sink);
    }
    if let Some(classes) = &p.population {
        check_classes(classes, sink);
        if let Some(GraphSource::Generator { spec, .. }) = &p.graph {
            let n = spec.node_count();
            if n <= u64::from(u32::MAX) {
                sink.extend(node_ids_in_range(classes, n as u32));
            }
        }
    }
    if let Some(model) = &p.model {
        check_model(model, sink);
    }
    if let Some(Some(seeding)) = &p.seeding {
        for problem in seeding.problems() {
            let mut path = vec!["seeding"];
            path.extend(problem.key.split('.'));
            sink.push(RawError::value(keys(&path), problem.message));
        }
        if let (crate::strategy::SeedMethod::Celf { .. }, Some(model)) = (&seeding.method, &p.model)
            && !matches!(
                model,
                RuleSpec::IndependentCascade(_) | RuleSpec::LinearThreshold(_)
            )
        {
            // Found here, not in every replicate of the run.
            sink.push(RawError::value(
                keys(&["seeding", "method"]),
                format!(
                    "method \"celf\" estimates spread under rule \"independent_cascade\" or \
                     \"linear_threshold\", found rule \"{}\"; choose another method \
                     (top_followers, pagerank, degree_discount) for this rule",
                    model.name()
                ),
            ));
        }
    }
    if let Some(timing) = &p.timing {
        check_timing(timing, p.graph.as_ref(), p.steps, sink);
        if let Some(model) = &p.model
            && !model.contract().supports_timing(timing)
        {
            // The reference rules define their own updating (see docs/models/); a timing scheme
            // would be silently ignored.
            sink.push(RawError::value(
                keys(&["timing", "scheme"]),
                format!(
                    "expected `synchronous` (or no [timing] table): the `{}` rule sets its own \
                     updating (see its page in docs/models/); [timing] applies to the `sop` rule",
                    model.name()
                ),
            ));
        }
    }
    if let Some(Some(brand)) = &p.brand {
        crate::scenario::brand::check(brand, p, sink);
    }
}

fn check_name(name: &str, sink: &mut Vec<RawError>) {
    let bad = name.is_empty()
        || name == "."
        || name == ".."
        || name
            .chars()
            .any(|c| c.is_control() || c == '/' || c == '\\');
    if bad {
        sink.push(RawError::value(
            keys(&["name"]),
            format!(
                "expected a name usable as a folder name (not empty, no `/`, `\\` or control \
                 characters), found {name:?}"
            ),
        ));
    }
}

fn check_classes(classes: &[ClassSpec], sink: &mut Vec<RawError>) {
    let pop = keys(&["population"]);
    let mut names: BTreeMap<&str, usize> = BTreeMap::new();
    let mut owner: BTreeMap<u32, usize> = BTreeMap::new();
    for (i, c) in classes.iter().enumerate() {
        let at = |k: &str| child(&index(&pop, i), k);
        if let Some(&first) = names.get(c.name.as_str()) {
            sink.push(RawError::value(
                at("name"),
                format!(
                    "class name `{}` is already used by population[{first}]; give each class its \
                     own `name`",
                    c.name
                ),
            ));
        } else {
            names.insert(&c.name, i);
        }
        if let Some(s) = c.share {
            if c.nodes.is_some() {
                sink.push(RawError::value(
                    at("share"),
                    "expected either `share` or `nodes`, found both; a class with a node list \
                     takes exactly those agents",
                ));
            } else if !(0.0..=1.0).contains(&s) {
                sink.push(RawError::value(
                    at("share"),
                    format!("expected a number in [0, 1], found {s}"),
                ));
            }
        }
        check_dist(&c.noise, at("noise"), None, sink);
        check_dist(&c.threshold, at("threshold"), None, sink);
        if let Some(d) = &c.complaint {
            check_dist(d, at("complaint"), None, sink);
        }
        if let Some(a) = c.authenticity
            && !(0.0..=1.0).contains(&a)
        {
            sink.push(RawError::value(
                at("authenticity"),
                format!("expected a number in [0, 1], found {a}"),
            ));
        }
        check_dist(&c.conformity, at("conformity"), Some(Bounds::Unit), sink);
        check_dist(
            &c.visibility,
            at("visibility"),
            Some(Bounds::Positive),
            sink,
        );
        if let Some(nodes) = &c.nodes {
            check_nodes(nodes, i, &mut owner, sink);
        }
    }
    check_shares(classes, sink);
}

fn check_nodes(
    nodes: &[u32],
    class: usize,
    owner: &mut BTreeMap<u32, usize>,
    sink: &mut Vec<RawError>,
) {
    let path = child(&index(&keys(&["population"]), class), "nodes");
    if nodes.is_empty() {
        sink.push(RawError::value(
            path,
            "expected at least one agent id, found an empty list",
        ));
        return;
    }
    let mut reported = 0;
    for (j, &v) in nodes.iter().enumerate() {
        let problem = match owner.get(&v) {
            Some(&c) if c == class => format!("agent {v} is listed twice"),
            Some(&c) => format!("agent {v} is also listed in population[{c}].nodes"),
            None => {
                owner.insert(v, class);
                continue;
            }
        };
        if reported < MAX_NODE_ERRORS {
            sink.push(RawError::value(index(&path, j), problem));
        }
        reported += 1;
    }
}

fn check_shares(classes: &[ClassSpec], sink: &mut Vec<RawError>) {
    let pop = keys(&["population"]);
    let rest: Vec<(usize, &ClassSpec)> = classes
        .iter()
        .enumerate()
        .filter(|(_, c)| c.nodes.is_none())
        .collect();
    match rest.as_slice() {
        [] => {
            sink.push(RawError::value(
                pop,
                "expected at least one class without `nodes` to take the agents that no node \
                 list claims, found none",
            ));
        }
        [(i, c)] => {
            if let Some(s) = c.share
                && (0.0..=1.0).contains(&s)
                && (s - 1.0).abs() > SHARE_TOLERANCE
            {
                sink.push(RawError::value(
                    child(&index(&pop, *i), "share"),
                    format!(
                        "expected 1 (the only class without `nodes` takes all the other agents), \
                         found {s}"
                    ),
                ));
            }
        }
        many => {
            let mut missing = false;
            for (i, c) in many {
                if c.share.is_none() {
                    missing = true;
                    sink.push(RawError::value(
                        index(&pop, *i),
                        "missing key `share`; with several classes without `nodes`, each needs \
                         a share (the shares sum to 1)",
                    ));
                }
            }
            let shares: Vec<f64> = many.iter().filter_map(|(_, c)| c.share).collect();
            let sum: f64 = shares.iter().sum();
            if !missing && !sum.is_nan() && (sum - 1.0).abs() > SHARE_TOLERANCE {
                let terms: Vec<String> = shares.iter().map(|s| s.to_string()).collect();
                let first = many.first().map_or(0, |(i, _)| *i);
                sink.push(RawError::value(
                    child(&index(&pop, first), "share"),
                    format!(
                        "expected the shares of the classes without `nodes` to sum to 1, found {} \
                         = {sum}",
                        terms.join(" + ")
                    ),
                ));
            }
        }
    }
}

/// The range a distribution's values must stay in.
#[derive(Debug, Clone, Copy)]
enum Bounds {
    /// Within `[0, 1]` (conformity thresholds).
    Unit,
    /// Greater than 0 (visibility weights).
    Positive,
}

fn check_dist(d: &Dist, path: KeyPath, bounds: Option<Bounds>, sink: &mut Vec<RawError>) {
    if let Err(msg) = d.check() {
        sink.push(RawError::value(path, msg));
        return;
    }
    let Some(bounds) = bounds else {
        return;
    };
    let (lo, hi) = d.support();
    let (ok, wanted) = match bounds {
        Bounds::Unit => (lo >= 0.0 && hi <= 1.0, "in [0, 1]"),
        Bounds::Positive => (lo > 0.0, "greater than 0"),
    };
    if ok {
        return;
    }
    let message = match d {
        Dist::Value(v) | Dist::Named(NamedDist::Constant { value: v }) => {
            format!("expected a number {wanted}, found {v}")
        }
        Dist::Named(NamedDist::Normal { mean, sd }) => format!(
            "expected values {wanted}, found normal(mean = {mean}, sd = {sd}), which is unbounded; \
             use truncated_normal (with low and high) or beta"
        ),
        Dist::Named(NamedDist::Uniform { low, high }) => {
            format!("expected values {wanted}, found uniform on [{low}, {high}]")
        }
        Dist::Named(NamedDist::TruncatedNormal { low, high, .. }) => {
            format!("expected values {wanted}, found truncated_normal on [{low}, {high}]")
        }
        Dist::Named(NamedDist::Beta { .. }) => {
            format!("expected values {wanted}, found beta on [0, 1]")
        }
    };
    sink.push(RawError::value(path, message));
}

fn check_model(model: &RuleSpec, sink: &mut Vec<RawError>) {
    for problem in model.problems() {
        let mut path = vec!["model"];
        path.extend(problem.key.split('.'));
        sink.push(RawError::value(keys(&path), problem.message));
    }
}

fn check_timing(
    timing: &TimingSpec,
    graph: Option<&GraphSource>,
    max_steps: Option<u32>,
    sink: &mut Vec<RawError>,
) {
    let TimingSpec::Delayed { latency } = timing else {
        return;
    };
    let lat = keys(&["timing", "latency"]);
    let graph_words = || match graph {
        Some(GraphSource::Generator { spec, .. }) => format!("generator `{}`", spec.name()),
        Some(GraphSource::File { .. }) => "an edge list file".to_string(),
        None => "no valid [graph]".to_string(),
    };
    let theater = matches!(graph, Some(GraphSource::Generator { spec, .. }) if spec.theater_layout().is_some());
    match latency {
        LatencySpec::Constant { steps } => {
            if *steps < 1 {
                sink.push(RawError::value(
                    child(&lat, "steps"),
                    format!("expected at least 1 step, found {steps}"),
                ));
            }
            if let Some(max) = max_steps
                && *steps > max
            {
                sink.push(RawError::value(
                    child(&lat, "steps"),
                    format!(
                        "expected a latency of at most the run's `steps` ({max}), found {steps}: \
                         nobody would see anything within the run"
                    ),
                ));
            }
        }
        LatencySpec::ViewerRow { per_row } => {
            if !(per_row.is_finite() && *per_row >= 0.0) {
                sink.push(RawError::value(
                    child(&lat, "per_row"),
                    format!("expected a finite number >= 0, found {per_row}"),
                ));
            }
            if !theater && graph.is_some() {
                sink.push(RawError::value(
                    child(&lat, "kind"),
                    format!(
                        "latency `viewer_row` needs a theater graph (generator = \"theater\"), \
                         found {}",
                        graph_words()
                    ),
                ));
            }
        }
        LatencySpec::RowDistance => {
            if !theater && graph.is_some() {
                sink.push(RawError::value(
                    child(&lat, "kind"),
                    format!(
                        "latency `row_distance` needs a theater graph (generator = \"theater\"), \
                         found {}",
                        graph_words()
                    ),
                ));
            }
        }
        LatencySpec::EdgeWeights => {
            let weighted =
                matches!(graph, Some(GraphSource::File { import, .. }) if import.weighted);
            if !weighted && graph.is_some() {
                sink.push(RawError::value(
                    child(&lat, "kind"),
                    format!(
                        "latency `edge_weights` needs a weighted edge list (`file = ...` with \
                         `weighted = true` in [graph]), found {}",
                        graph_words()
                    ),
                ));
            }
        }
        LatencySpec::Agent { dist } => {
            if let Err(msg) = dist.check() {
                sink.push(RawError::value(child(&lat, "dist"), msg));
            }
        }
    }
}

/// Node-list entries out of `0..n`, at most a few per class.
pub(crate) fn node_ids_in_range(classes: &[ClassSpec], n: u32) -> Vec<RawError> {
    let mut out = Vec::new();
    for (i, c) in classes.iter().enumerate() {
        let Some(nodes) = &c.nodes else {
            continue;
        };
        let path = child(&index(&keys(&["population"]), i), "nodes");
        for (j, &v) in nodes
            .iter()
            .enumerate()
            .filter(|(_, v)| **v >= n)
            .take(MAX_NODE_ERRORS)
        {
            out.push(RawError::value(
                index(&path, j),
                format!(
                    "expected an agent id below {n} (the graph has {n} agents, ids 0 to {}), \
                     found {v}",
                    n.saturating_sub(1)
                ),
            ));
        }
    }
    out
}
