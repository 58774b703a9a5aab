//! The scenario table's keys and types: root keys, `[graph]`, `[[population]]`, `[model]`,
//! `[timing]` and `[output]`, turned into typed values with every type error recorded.

use std::path::{Path, PathBuf};

use toml::{Table, Value};

use crate::engine::RuleSpec;
use crate::engine::config::{LatencySpec, TimingSpec};
use crate::graph::generators::GeneratorSpec;
use crate::graph::io::{Direction, IdKind, ImportOptions};
use crate::model::ClassSpec;
use crate::scenario::de::{RawError, close, describe, did_you_mean, unit};
use crate::scenario::span::{KeyPath, Seg, child, display_path, index, keys};
use crate::scenario::{GraphSource, OutputSpec};
use crate::strategy::SeedingSpec;

/// The keys a scenario may have at its top level.
pub(crate) const ROOT_KEYS: [&str; 19] = [
    "name",
    "description",
    "seed",
    "replicates",
    "steps",
    "stop_at_fixed_point",
    "time",
    "graph",
    "population",
    "model",
    "timing",
    "seeding",
    "brand",
    "webcare",
    "strategies",
    "compare",
    "sweep",
    "output",
    "fit",
];

/// The keys of a `[graph]` table that loads an edge list.
pub(crate) const FILE_KEYS: [&str; 8] = [
    "file",
    "follows",
    "ids",
    "header",
    "weighted",
    "keep_self_loops",
    "keep_duplicates",
    "cache",
];

/// The most classes a scenario may have (class indices are bytes, one value kept as a marker).
pub const MAX_CLASSES: usize = 254;

/// Every top-level value, typed; `None` where the key was missing or wrong (already reported).
#[derive(Debug, Default)]
pub(crate) struct Parsed {
    pub name: Option<String>,
    pub description: Option<String>,
    pub seed: Option<u64>,
    pub replicates: Option<u32>,
    pub steps: Option<u32>,
    pub stop_at_fixed_point: Option<bool>,
    pub graph: Option<GraphSource>,
    pub population: Option<Vec<ClassSpec>>,
    pub model: Option<RuleSpec>,
    pub timing: Option<TimingSpec>,
    /// `None` when absent or wrong; `Some(None)` never happens (absent is `Some(None)` below).
    pub seeding: Option<Option<SeedingSpec>>,
    pub output: Option<OutputSpec>,
    /// `[time]`: `None` when wrong; `Some(None)` when absent.
    pub time: Option<Option<crate::scenario::time::TimeSpec>>,
    /// `None` when wrong; `Some(None)` when absent.
    pub brand: Option<Option<crate::model::brand::BrandSpec>>,
    /// `[webcare]`: `None` when wrong; `Some(None)` when absent.
    pub webcare: Option<Option<crate::model::webcare::WebcareSpec>>,
}

/// Types every key of `root`; `base_dir` resolves a graph file's path.
pub(crate) fn parse(root: &Table, base_dir: &Path, sink: &mut Vec<RawError>) -> Parsed {
    let mut p = Parsed::default();
    let mut misspelt: Vec<&str> = Vec::new();
    for key in root.keys() {
        if !ROOT_KEYS.contains(&key.as_str()) {
            if let Some(k) = ROOT_KEYS.iter().find(|k| close(key, k)) {
                misspelt.push(k);
            }
            sink.push(RawError::key(
                keys(&[key]),
                format!(
                    "unknown key `{key}` at the top level{}; expected one of {}",
                    did_you_mean(key, &ROOT_KEYS),
                    list(&ROOT_KEYS)
                ),
            ));
        }
    }
    // A misspelt required key is reported once, as the unknown key with its suggestion.
    let missing = |k: &str| !misspelt.contains(&k);
    let at = |k: &str| keys(&[k]);
    p.name = root.get("name").and_then(|v| string(v, &at("name"), sink));
    p.description = root
        .get("description")
        .and_then(|v| string(v, &at("description"), sink));
    match root.get("seed") {
        Some(v) => {
            p.seed = integer(v, &at("seed"), 0, i64::MAX, sink).map(|s| s as u64);
        }
        None if missing("seed") => sink.push(RawError::value(
            Vec::new(),
            "missing key `seed`; expected a non-negative integer (e.g. `seed = 42`): every \
             random draw derives from it",
        )),
        None => {}
    }
    p.replicates = match root.get("replicates") {
        Some(v) => integer(v, &at("replicates"), 1, i64::from(u32::MAX), sink).map(|r| r as u32),
        None => Some(1),
    };
    p.time = crate::scenario::time::parse_table(root.get("time"), sink);
    let time = p.time.flatten();
    p.steps = match root.get("steps") {
        Some(v @ Value::String(_)) => {
            crate::scenario::time::steps_of(v, &at("steps"), time.as_ref(), "run length", sink)
                .and_then(|s| {
                    if s >= 1 {
                        Some(s.min(i64::from(u32::MAX)) as u32)
                    } else {
                        sink.push(RawError::value(
                            at("steps"),
                            "expected a run length of at least one step, found a duration \
                             shorter than half a step",
                        ));
                        None
                    }
                })
        }
        Some(v) => integer(v, &at("steps"), 1, i64::from(u32::MAX), sink).map(|r| r as u32),
        None => Some(100),
    };
    p.stop_at_fixed_point = match root.get("stop_at_fixed_point") {
        Some(v) => boolean(v, &at("stop_at_fixed_point"), sink),
        None => Some(true),
    };
    match root.get("graph") {
        Some(v) => p.graph = graph(v, base_dir, sink),
        None if missing("graph") => sink.push(RawError::value(
            Vec::new(),
            "missing table [graph]; expected `generator = \"...\"` with its parameters, or \
             `file = \"...\"` with `follows`",
        )),
        None => {}
    }
    match root.get("population") {
        Some(v) => p.population = population(v, sink),
        None if missing("population") => sink.push(RawError::value(
            Vec::new(),
            "missing [[population]]; expected at least one agent class (an empty \
             `[[population]]` table gives the defaults)",
        )),
        None => {}
    }
    match root.get("model") {
        Some(v) if table(v, &at("model"), "[model]", sink) => {
            let mut v = v.clone();
            let ok = crate::scenario::webcare::model_durations(&mut v, time.as_ref(), sink);
            p.model = unit(&v, &at("model"), sink).filter(|_| ok);
        }
        Some(_) => {}
        None if missing("model") => sink.push(RawError::value(
            Vec::new(),
            "missing table [model]; expected e.g. `[model]` with `rule = \"sop\"` and `quality = 0.5`",
        )),
        None => {}
    }
    p.timing = match root.get("timing") {
        Some(v) => timing(v, sink),
        None => Some(TimingSpec::Synchronous),
    };
    p.seeding = match root.get("seeding") {
        Some(v) if table(v, &at("seeding"), "[seeding]", sink) => {
            unit(v, &at("seeding"), sink).map(Some)
        }
        Some(_) => None,
        None => Some(None),
    };
    p.brand = match root.get("brand") {
        Some(v) => crate::scenario::brand::parse(v, time.as_ref(), base_dir, sink).map(Some),
        None => Some(None),
    };
    p.webcare = match root.get("webcare") {
        Some(v) => crate::scenario::webcare::parse(v, time.as_ref(), base_dir, sink).map(Some),
        None => Some(None),
    };
    match (&mut p.model, &p.webcare) {
        (Some(RuleSpec::Sentiment(params)), Some(w)) => params.webcare = w.clone(),
        (Some(model), Some(Some(_))) => sink.push(RawError::value(
            keys(&["webcare"]),
            format!(
                "expected `rule = \"sentiment\"` in [model] with a [webcare] table (the brand \
                 acts on felt sentiment and complaints), found rule \"{}\"",
                model.name()
            ),
        )),
        _ => {}
    }
    p.output = match root.get("output") {
        Some(v) if table(v, &at("output"), "[output]", sink) => unit(v, &at("output"), sink),
        Some(_) => None,
        None => Some(OutputSpec::default()),
    };
    p
}

/// `a`, `b` and `c` as "`a`, `b`, `c`".
pub(crate) fn list(names: &[&str]) -> String {
    names
        .iter()
        .map(|n| format!("`{n}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

fn table(v: &Value, path: &[Seg], what: &str, sink: &mut Vec<RawError>) -> bool {
    if v.is_table() {
        return true;
    }
    sink.push(RawError::value(
        path.to_vec(),
        format!("expected a table ({what}), found {}", describe(v)),
    ));
    false
}

fn string(v: &Value, path: &[Seg], sink: &mut Vec<RawError>) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        other => {
            sink.push(RawError::value(
                path.to_vec(),
                format!("expected a string, found {}", describe(other)),
            ));
            None
        }
    }
}

fn boolean(v: &Value, path: &[Seg], sink: &mut Vec<RawError>) -> Option<bool> {
    match v {
        Value::Boolean(b) => Some(*b),
        other => {
            sink.push(RawError::value(
                path.to_vec(),
                format!(
                    "expected a boolean (true or false), found {}",
                    describe(other)
                ),
            ));
            None
        }
    }
}

/// An integer in `min..=max`; the message says which bound was crossed.
fn integer(v: &Value, path: &[Seg], min: i64, max: i64, sink: &mut Vec<RawError>) -> Option<i64> {
    let wanted = if min == 0 {
        "a non-negative integer".to_string()
    } else {
        format!("an integer >= {min}")
    };
    let problem = match v {
        Value::Integer(i) if *i < min && *i < 0 => {
            format!("expected {wanted}, found {i} (negative)")
        }
        Value::Integer(i) if *i < min => format!("expected {wanted}, found {i}"),
        Value::Integer(i) if *i > max => format!("expected an integer <= {max}, found {i}"),
        Value::Integer(i) => return Some(*i),
        other => format!("expected {wanted}, found {}", describe(other)),
    };
    sink.push(RawError::value(path.to_vec(), problem));
    None
}

fn graph(v: &Value, base_dir: &Path, sink: &mut Vec<RawError>) -> Option<GraphSource> {
    let path = keys(&["graph"]);
    if !table(v, &path, "[graph]", sink) {
        return None;
    }
    let t = v.as_table()?;
    match (t.contains_key("generator"), t.contains_key("file")) {
        (true, true) => {
            sink.push(RawError::value(
                path,
                "expected either `generator` or `file`, found both; a graph is generated or \
                 loaded, not both",
            ));
            None
        }
        (false, false) => {
            sink.push(RawError::value(
                path,
                "expected `generator = \"...\"` (with its parameters) or `file = \"...\"` (an edge \
                 list, with `follows`), found neither",
            ));
            None
        }
        (true, false) => generator(t, sink),
        (false, true) => file(t, base_dir, sink),
    }
}

fn generator(t: &Table, sink: &mut Vec<RawError>) -> Option<GraphSource> {
    let path = keys(&["graph"]);
    let mut spec_table = t.clone();
    let per_replicate = match spec_table.remove("per_replicate") {
        Some(v) => boolean(&v, &child(&path, "per_replicate"), sink),
        None => Some(false),
    };
    let spec: GeneratorSpec = unit(&Value::Table(spec_table), &path, sink)?;
    if let Err(e) = spec.validate() {
        for part in e.message.split("; ") {
            match param_path(part, t) {
                Some((p, rest)) => sink.push(RawError::value(
                    p,
                    format!("{rest} ({} generator)", e.generator),
                )),
                None => sink.push(RawError::value(
                    keys(&["graph"]),
                    format!("{}: {part}", e.generator),
                )),
            }
        }
        return None;
    }
    Some(GraphSource::Generator {
        spec,
        per_replicate: per_replicate?,
    })
}

/// Splits a generator message "sizes[1]: expected ..." into the key path `graph.sizes[1]` and
/// the rest, when the parameter is a key of the table.
fn param_path(part: &str, t: &Table) -> Option<(KeyPath, String)> {
    let (param, rest) = part.split_once(": ")?;
    let (name, indices) = match param.find('[') {
        Some(i) => (&param[..i], &param[i..]),
        None => (param, ""),
    };
    if !t.contains_key(name) {
        return None;
    }
    let mut path = keys(&["graph", name]);
    for ix in indices.split('[').skip(1) {
        let n = ix.strip_suffix(']')?.parse::<usize>().ok()?;
        path = index(&path, n);
    }
    Some((path, rest.to_string()))
}

fn file(t: &Table, base_dir: &Path, sink: &mut Vec<RawError>) -> Option<GraphSource> {
    let g = keys(&["graph"]);
    let mut ok = true;
    for key in t.keys() {
        if !FILE_KEYS.contains(&key.as_str()) {
            sink.push(RawError::key(
                child(&g, key),
                format!(
                    "unknown key `{key}` in [graph] (an edge list file); expected one of {}",
                    list(&FILE_KEYS)
                ),
            ));
            ok = false;
        }
    }
    let name = t
        .get("file")
        .and_then(|v| string(v, &child(&g, "file"), sink));
    let direction: Option<Direction> = match t.get("follows") {
        Some(v) => unit(v, &child(&g, "follows"), sink),
        None => {
            sink.push(RawError::value(
                g.clone(),
                "missing key `follows`; say which column follows which: \
                 \"second-follows-first\" (SNAP's FromNodeId ToNodeId), \"first-follows-second\" \
                 (follower followee) or \"mutual\" (undirected)",
            ));
            None
        }
    };
    let ids: Option<IdKind> = match t.get("ids") {
        Some(v) => unit(v, &child(&g, "ids"), sink),
        None => Some(IdKind::default()),
    };
    let flag = |key: &str, sink: &mut Vec<RawError>| match t.get(key) {
        Some(v) => boolean(v, &child(&g, key), sink),
        None => Some(false),
    };
    let header = flag("header", sink);
    let weighted = flag("weighted", sink);
    let keep_self_loops = flag("keep_self_loops", sink);
    let keep_duplicates = flag("keep_duplicates", sink);
    let cache = flag("cache", sink);
    let name = name?;
    let resolved = base_dir.join(&name);
    if name.is_empty() {
        sink.push(RawError::value(
            child(&g, "file"),
            "expected the path of an edge list file, found an empty string",
        ));
        return None;
    }
    if !resolved.is_file() {
        let why = if resolved.exists() {
            "is not a file"
        } else {
            "does not exist"
        };
        sink.push(RawError::value(
            child(&g, "file"),
            format!(
                "graph file {} {why} (the path is relative to the scenario's folder)",
                resolved.display()
            ),
        ));
        ok = false;
    }
    let import = ImportOptions {
        direction: direction?,
        ids: ids?,
        header: header?,
        weighted: weighted?,
        keep_self_loops: keep_self_loops?,
        keep_duplicates: keep_duplicates?,
    };
    ok.then_some(GraphSource::File {
        path: resolved_path(resolved),
        import,
        cache: cache?,
    })
}

/// `base/./x` as `base/x`; the path is otherwise kept as resolved (not canonicalised, so
/// messages show what the user can relate to the scenario file).
fn resolved_path(p: PathBuf) -> PathBuf {
    p.components().collect()
}

fn population(v: &Value, sink: &mut Vec<RawError>) -> Option<Vec<ClassSpec>> {
    let path = keys(&["population"]);
    let arr = match v {
        Value::Array(a) => a,
        Value::Table(_) => {
            sink.push(RawError::value(
                path,
                "expected an array of tables, found a table; write `[[population]]` (double \
                 brackets) for each class",
            ));
            return None;
        }
        other => {
            sink.push(RawError::value(
                path,
                format!(
                    "expected an array of tables (`[[population]]`), found {}",
                    describe(other)
                ),
            ));
            return None;
        }
    };
    if arr.is_empty() {
        sink.push(RawError::value(
            path,
            "expected at least one class (`[[population]]`), found none",
        ));
        return None;
    }
    if arr.len() > MAX_CLASSES {
        sink.push(RawError::value(
            path,
            format!(
                "expected at most {MAX_CLASSES} classes, found {}",
                arr.len()
            ),
        ));
        return None;
    }
    let mut classes = Vec::with_capacity(arr.len());
    let mut ok = true;
    for (i, c) in arr.iter().enumerate() {
        let p = index(&path, i);
        if !c.is_table() {
            sink.push(RawError::value(
                p,
                format!("expected a table (one class), found {}", describe(c)),
            ));
            ok = false;
            continue;
        }
        match unit::<ClassSpec>(c, &p, sink) {
            Some(class) => classes.push(class),
            None => ok = false,
        }
    }
    ok.then_some(classes)
}

fn timing(v: &Value, sink: &mut Vec<RawError>) -> Option<TimingSpec> {
    let path = keys(&["timing"]);
    if !table(v, &path, "[timing]", sink) {
        return None;
    }
    let spec: TimingSpec = unit(v, &path, sink)?;
    // serde ignores extra keys beside the tag of a variant without fields; we do not.
    let t = v.as_table()?;
    let mut ok = true;
    match &spec {
        TimingSpec::Delayed { latency } => {
            let no_fields = matches!(latency, LatencySpec::RowDistance | LatencySpec::EdgeWeights);
            if no_fields && let Some(lt) = t.get("latency").and_then(Value::as_table) {
                ok &= only_tag(lt, "kind", &child(&path, "latency"), sink);
            }
        }
        _ => ok &= only_tag(t, "scheme", &path, sink),
    }
    ok.then_some(spec)
}

fn only_tag(t: &Table, tag: &str, path: &[Seg], sink: &mut Vec<RawError>) -> bool {
    let value = t.get(tag).and_then(Value::as_str).unwrap_or_default();
    let mut ok = true;
    for key in t.keys().filter(|k| *k != tag) {
        sink.push(RawError::key(
            child(path, key),
            format!(
                "unknown key `{key}` in [{}]; `{tag} = \"{value}\"` takes no other keys",
                display_path(path)
            ),
        ));
        ok = false;
    }
    ok
}
