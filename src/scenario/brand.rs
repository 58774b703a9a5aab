//! The `[brand]` table: typed into a [`BrandSpec`], then checked against the rest of the
//! scenario (the brand runs with the Standing Ovation rule, not under delayed timing; its node
//! and `seed_class` must exist).

use std::path::Path;

use toml::Value;

use crate::engine::config::TimingSpec;
use crate::graph::generators::GeneratorSpec;
use crate::model::ClassKind;
use crate::model::brand::{BrandNode, BrandSpec};
use crate::scenario::GraphSource;
use crate::scenario::de::{RawError, describe, unit};
use crate::scenario::parse::Parsed;
use crate::scenario::span::{child, keys};
use crate::scenario::time::{self, TimeSpec};

/// Types the `[brand]` table: `Some(spec)` when valid, `None` when wrong (reported).
/// Durations (`delay = "20min"`, with `[time]`) and empirical delays are converted to steps
/// first.
pub(crate) fn parse(
    v: &Value,
    time: Option<&TimeSpec>,
    base_dir: &Path,
    sink: &mut Vec<RawError>,
) -> Option<BrandSpec> {
    let path = keys(&["brand"]);
    if !v.is_table() {
        sink.push(RawError::value(
            path,
            format!("expected a table ([brand]), found {}", describe(v)),
        ));
        return None;
    }
    let mut v = v.clone();
    let mut ok = true;
    if let Some(t) = v.as_table_mut()
        && let Some(d) = t.get_mut("delay")
        && !time::resolve_delay(d, &child(&path, "delay"), time, base_dir, sink)
    {
        // Reported; the rest of the table is still checked.
        t.remove("delay");
        ok = false;
    }
    let spec = unit(&v, &path, sink);
    spec.filter(|_| ok)
}

/// Checks the brand's ranges and its fit with the rest of the scenario.
pub(crate) fn check(brand: &BrandSpec, p: &Parsed, sink: &mut Vec<RawError>) {
    for problem in brand.problems() {
        let mut path = vec!["brand"];
        path.extend(problem.key.split('.'));
        sink.push(RawError::value(keys(&path), problem.message));
    }
    if let Some(model) = &p.model
        && !model.contract().supports_actors()
    {
        sink.push(RawError::value(
            keys(&["brand"]),
            format!(
                "expected `rule = \"sop\"` in [model] with a [brand] (the brand acts on the \
                 Standing Ovation rule's praise and complaints), found rule \"{}\"",
                model.name()
            ),
        ));
    }
    if let Some(TimingSpec::Delayed { .. }) = &p.timing {
        sink.push(RawError::value(
            keys(&["brand"]),
            "expected timing `synchronous`, `async_random` or `async_incentive` with a [brand], \
             found `delayed`",
        ));
    }
    if let (BrandNode::Id(id), Some(GraphSource::Generator { spec, .. })) = (&brand.node, &p.graph)
        && *id >= 0
        && (*id as u64) >= spec.node_count()
    {
        sink.push(RawError::value(
            keys(&["brand", "node"]),
            format!(
                "agent {id} is out of range: the {} graph has {} agents",
                generator_name(spec),
                spec.node_count()
            ),
        ));
    }
    let classes = p.population.as_deref().unwrap_or(&[]);
    if brand.node == BrandNode::Named("class".into())
        && p.population.is_some()
        && !classes
            .iter()
            .any(|c| c.kind == ClassKind::Brand && c.nodes.as_ref().is_some_and(|n| !n.is_empty()))
    {
        sink.push(RawError::value(
            keys(&["brand", "node"]),
            "expected a [[population]] class with `kind = \"brand\"` and `nodes` for \
             `node = \"class\"`, found none",
        ));
    }
    if let Some(name) = &brand.seed_class
        && p.population.is_some()
        && !classes.iter().any(|c| &c.name == name)
    {
        let names: Vec<String> = classes.iter().map(|c| format!("`{}`", c.name)).collect();
        sink.push(RawError::value(
            keys(&["brand", "seed_class"]),
            format!(
                "expected the name of a [[population]] class ({}), found `{name}`",
                names.join(", ")
            ),
        ));
    }
}

fn generator_name(spec: &GeneratorSpec) -> &'static str {
    spec.name()
}
