//! Typed deserialisation that reports every error of a table, each at its key path, in words a
//! scenario author understands.
//!
//! serde stops at the first error and, inside internally tagged enums (`[model]`, `[timing]`,
//! `[graph]`), loses the key path (serde buffers the table before it knows the variant). So
//! [`unit`] deserialises a table with `serde_path_to_error`, and when an error comes back it
//! (1) pins it to a key: the path serde gives, else the key whose removal changes the error
//! ("blame by removal"), (2) records it, (3) removes the offending key and tries again, up to
//! [`MAX_ERRORS_PER_UNIT`] times. Every removal is remembered, so that the `missing field`
//! error it causes is not reported.

use serde::de::DeserializeOwned;
use toml::Value;

use crate::model::NamedDist;
use crate::scenario::overrides::type_name;
use crate::scenario::span::{At, KeyPath, Seg, display_path};

/// An error before it is given a file and a position.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct RawError {
    /// Where: the full key path from the document root.
    pub path: KeyPath,
    /// Whether it points at the key or the value.
    pub at: At,
    /// What was expected and what was found.
    pub message: String,
}

impl RawError {
    /// An error about the value at `path`.
    pub(crate) fn value(path: KeyPath, message: impl Into<String>) -> RawError {
        RawError {
            path,
            at: At::Value,
            message: message.into(),
        }
    }

    /// An error about the key at `path` (an unknown key).
    pub(crate) fn key(path: KeyPath, message: impl Into<String>) -> RawError {
        RawError {
            path,
            at: At::Key,
            message: message.into(),
        }
    }
}

/// At most this many errors are reported for one table (the rest are usually consequences).
pub(crate) const MAX_ERRORS_PER_UNIT: usize = 16;

/// Blame by removal is skipped for tables with more keys than this (it costs one
/// deserialisation per key).
const MAX_BLAME_CHILDREN: usize = 64;

/// Keys that name a variant of an internally tagged enum. Removing one of them always changes
/// the error (to "missing field"), so blame by removal never picks them for other errors.
const TAGS: [&str; 5] = ["rule", "scheme", "kind", "generator", "dist"];

/// Deserialises `value` (found at `base`) as a `T`, recording every error in `sink`. Returns
/// `None` when there was any.
pub(crate) fn unit<T: DeserializeOwned>(
    value: &Value,
    base: &[Seg],
    sink: &mut Vec<RawError>,
) -> Option<T> {
    let mut v = value.clone();
    let mut removed: Vec<String> = Vec::new();
    let mut unknown: Vec<String> = Vec::new();
    let start = sink.len();
    let full = |p: &[Seg]| -> KeyPath { base.iter().chain(p).cloned().collect() };
    for _ in 0..MAX_ERRORS_PER_UNIT {
        let (path, msg) = match try_de::<T>(&v) {
            Ok(t) => return (sink.len() == start).then_some(t),
            Err(e) => e,
        };
        if let Some(name) = quoted(&msg, "unknown field `") {
            // Plain structs put the unknown key at the end of the path; tagged enums lose the
            // path, so look for the table that has the key.
            let loc = if path.last() == Some(&Seg::Key(name.clone())) {
                path
            } else {
                find_key(&v, &path, &name).unwrap_or_else(|| {
                    let mut p = path.clone();
                    p.push(Seg::Key(name.clone()));
                    p
                })
            };
            let table = full(&loc[..loc.len() - 1]);
            sink.push(RawError::key(
                full(&loc),
                unknown_key_message(&name, &table, &msg),
            ));
            removed.push(name.clone());
            unknown.push(name);
            if !remove(&mut v, &loc) {
                break;
            }
            continue;
        }
        if let Some(name) = quoted(&msg, "missing field `") {
            // A removed key, or a misspelling of it already reported, explains the absence.
            let misspelt = unknown.iter().any(|u| close(u, &name));
            if !removed.contains(&name) && !misspelt {
                // Inside nested tagged enums the path stops at the outer table; find the inner
                // table that lacks the key.
                let loc = refine::<T>(&v, path, &msg, Refine::Tables);
                sink.push(RawError::value(full(&loc), format!("missing key `{name}`")));
            }
            break;
        }
        if let Some(name) = quoted(&msg, "unknown variant `") {
            let loc = find_variant(&v, &path, &name).unwrap_or(path);
            sink.push(RawError::value(
                full(&loc),
                unknown_variant_message(&full(&loc), &name, &msg),
            ));
            if !cut_and_remove(&mut v, &loc, &mut removed) {
                break;
            }
            continue;
        }
        let dist = msg.contains("untagged enum Dist");
        let loc = refine::<T>(
            &v,
            path,
            &msg,
            if dist { Refine::Dist } else { Refine::Any },
        );
        if dist {
            let before = sink.len();
            if let Some(node) = get(&v, &loc) {
                dist_errors(node, &full(&loc), sink);
            }
            if sink.len() == before {
                sink.push(RawError::value(full(&loc), rewrite(&msg)));
            }
        } else if msg.contains("expected string only") {
            // toml's words for a non-string where a name (an enum variant) is expected.
            let found = get(&v, &loc).map_or_else(|| "another type".to_string(), describe);
            sink.push(RawError::value(
                full(&loc),
                format!("expected a string, found {found}"),
            ));
        } else {
            sink.push(RawError::value(full(&loc), rewrite(&msg)));
        }
        if !cut_and_remove(&mut v, &loc, &mut removed) {
            break;
        }
    }
    None
}

/// Reports why `node` (at `path`) is not a [`crate::model::Dist`].
pub(crate) fn dist_errors(node: &Value, path: &[Seg], sink: &mut Vec<RawError>) {
    match node {
        Value::Table(t) if t.contains_key("dist") => {
            // Deserialising succeeds only if the table is a valid distribution, in which case
            // the caller's error lay elsewhere and the caller reports it.
            let _: Option<NamedDist> = unit(node, path, sink);
        }
        Value::Table(_) => sink.push(RawError::value(
            path.to_vec(),
            "expected a number or a distribution table with a `dist` key \
             (e.g. { dist = \"uniform\", low = 0.0, high = 1.0 }), found a table without `dist`",
        )),
        other => sink.push(RawError::value(
            path.to_vec(),
            format!(
                "expected a number or a distribution table (e.g. {{ dist = \"uniform\", low = 0.0, \
                 high = 1.0 }}), found {}",
                describe(other)
            ),
        )),
    }
}

fn try_de<T: DeserializeOwned>(v: &Value) -> Result<T, (KeyPath, String)> {
    serde_path_to_error::deserialize::<_, T>(v.clone()).map_err(|e| {
        let path = e
            .path()
            .iter()
            .filter_map(|s| match s {
                serde_path_to_error::Segment::Seq { index } => Some(Seg::Index(*index)),
                serde_path_to_error::Segment::Map { key } => Some(Seg::Key(key.clone())),
                _ => None,
            })
            .collect();
        (path, e.into_inner().message().to_string())
    })
}

/// The name in a serde message such as "unknown field `x`, expected ...".
fn quoted(msg: &str, prefix: &str) -> Option<String> {
    let rest = msg.strip_prefix(prefix)?;
    let end = ["`, expected", "`, there are no"]
        .iter()
        .filter_map(|tail| rest.rfind(tail))
        .max()
        .or_else(|| rest.rfind('`'))?;
    Some(rest[..end].to_string())
}

/// What serde says after the name: "expected one of `a`, `b`".
fn expected_tail(msg: &str) -> Option<&str> {
    if let Some(i) = msg.rfind("`, expected ") {
        return Some(&msg[i + 3..]);
    }
    msg.rfind("`, there are no")
        .map(|_| "this table takes no keys")
}

fn unknown_key_message(name: &str, table: &[Seg], msg: &str) -> String {
    let place = if table.is_empty() {
        "at the top level".to_string()
    } else {
        format!("in [{}]", display_path(table))
    };
    let Some(tail) = expected_tail(msg) else {
        return format!("unknown key `{name}` {place}");
    };
    let expected: Vec<&str> = tail.split('`').skip(1).step_by(2).collect();
    format!(
        "unknown key `{name}` {place}{}; {tail}",
        did_you_mean(name, &expected)
    )
}

/// ` (did you mean `x`?)` when one of `expected` is a likely misspelling of `name`.
pub(crate) fn did_you_mean(name: &str, expected: &[&str]) -> String {
    expected
        .iter()
        .filter(|e| close(name, e))
        .min_by_key(|e| edit_distance(name, e))
        .map(|e| format!(" (did you mean `{e}`?)"))
        .unwrap_or_default()
}

/// Whether `a` is a likely misspelling of `b`: at most 2 edits, and fewer than half of `b`.
pub(crate) fn close(a: &str, b: &str) -> bool {
    let d = edit_distance(a, b);
    d <= 2 && 2 * d < b.chars().count().max(1)
}

/// Levenshtein distance over characters (`strsim`); keys are short, and longer strings are not
/// compared.
fn edit_distance(a: &str, b: &str) -> usize {
    if a.chars().count() > 64 || b.chars().count() > 64 {
        return usize::MAX;
    }
    strsim::levenshtein(a, b)
}

fn unknown_variant_message(loc: &[Seg], name: &str, msg: &str) -> String {
    let key = match loc.last() {
        Some(Seg::Key(k)) => k.as_str(),
        _ => "",
    };
    let in_latency = loc.iter().any(|s| *s == Seg::Key("latency".into()));
    let what = match key {
        "rule" => "rule",
        "generator" => "generator",
        "scheme" => "timing scheme",
        "dist" => "distribution",
        "kind" if in_latency => "latency kind",
        "kind" => "class kind",
        "tie" => "tie rule",
        "initial" | "fixed" => "action",
        "follows" => "direction",
        "ids" => "id kind",
        _ => "value",
    };
    match expected_tail(msg) {
        Some(tail) => format!("unknown {what} `{name}`; {tail}"),
        None => format!("unknown {what} `{name}`"),
    }
}

/// Rewrites serde's "invalid type: X, expected Y" as "expected Y, found X" in scenario words.
pub(crate) fn rewrite(msg: &str) -> String {
    if let Some(rest) = msg.strip_prefix("invalid type: ")
        && let Some((found, exp)) = rest.split_once(", expected ")
    {
        return format!(
            "expected {}, found {}",
            expected_words(exp),
            found_words(found)
        );
    }
    if let Some(rest) = msg.strip_prefix("invalid value: ")
        && let Some((found, exp)) = rest.split_once(", expected ")
    {
        let found = found_words(found);
        let integer = matches!(exp, "u8" | "u16" | "u32" | "u64" | "usize");
        if integer && found.starts_with('-') {
            return format!("expected a non-negative integer, found {found}");
        }
        if integer {
            let max = match exp {
                "u8" => u64::from(u8::MAX),
                "u16" => u64::from(u16::MAX),
                "u32" => u64::from(u32::MAX),
                _ => u64::MAX,
            };
            return format!("expected a non-negative integer no larger than {max}, found {found}");
        }
        return format!("expected {}, found {found}", expected_words(exp));
    }
    if let Some(rest) = msg.strip_prefix("invalid length ")
        && let Some((n, exp)) = rest.split_once(", expected ")
    {
        return format!("expected {exp}, found {n} entries");
    }
    msg.to_string()
}

fn expected_words(exp: &str) -> String {
    match exp {
        "f64" | "f32" => "a number".into(),
        "u8" | "u16" | "u32" | "u64" | "usize" => "a non-negative integer".into(),
        "i8" | "i16" | "i32" | "i64" => "an integer".into(),
        "a boolean" => "a boolean (true or false)".into(),
        "a sequence" => "an array".into(),
        "a string" => "a string".into(),
        e if e.starts_with("struct ")
            || e.starts_with("internally tagged enum")
            || e.starts_with("a map")
            || e.starts_with("map") =>
        {
            "a table".into()
        }
        e if e.starts_with("unit variant") => "a table".into(),
        e if e.starts_with("enum ") || e.starts_with("variant identifier") => "a string".into(),
        e => e.to_string(),
    }
}

fn found_words(found: &str) -> String {
    for prefix in ["integer `", "floating point `", "boolean `"] {
        if let Some(rest) = found.strip_prefix(prefix) {
            return rest.strip_suffix('`').unwrap_or(rest).to_string();
        }
    }
    match found {
        "map" => "a table".into(),
        "sequence" => "an array".into(),
        f => f.to_string(),
    }
}

/// Describes a value for "found ...": `string "x"`, `3`, `an array`.
pub(crate) fn describe(v: &Value) -> String {
    match v {
        Value::String(s) => format!("string {s:?}"),
        Value::Integer(i) => i.to_string(),
        Value::Float(f) => f.to_string(),
        Value::Boolean(b) => b.to_string(),
        Value::Datetime(d) => format!("datetime {d}"),
        other => type_name(other).to_string(),
    }
}

/// What [`refine`] may descend into.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Refine {
    /// Any key or element.
    Any,
    /// Any, but stop at a distribution table (its parts are judged by [`dist_errors`]).
    Dist,
    /// Tables only (a missing key: removing a scalar beside it would only move the error).
    Tables,
}

/// Narrows an error's path to the key whose removal changes the error, descending as long as
/// one does. Tag keys are skipped; so is the inside of a distribution table when the error is
/// about a distribution (its parts are judged by [`dist_errors`]).
fn refine<T: DeserializeOwned>(v: &Value, mut path: KeyPath, msg: &str, how: Refine) -> KeyPath {
    loop {
        let Some(node) = get(v, &path) else {
            return path;
        };
        if how == Refine::Dist && node.get("dist").is_some_and(Value::is_str) {
            return path;
        }
        let kids = children(node);
        if kids.is_empty() || kids.len() > MAX_BLAME_CHILDREN {
            return path;
        }
        let mut found = None;
        for k in kids {
            // A tag is a string; `dist` is also the name of a field holding a table.
            if let Seg::Key(name) = &k
                && TAGS.contains(&name.as_str())
                && get(node, std::slice::from_ref(&k)).is_some_and(Value::is_str)
            {
                continue;
            }
            if how == Refine::Tables
                && !get(node, std::slice::from_ref(&k)).is_some_and(Value::is_table)
            {
                continue;
            }
            let mut p = path.clone();
            p.push(k.clone());
            let mut trial = v.clone();
            remove(&mut trial, &p);
            match try_de::<T>(&trial) {
                Err((_, m)) if m == msg => {}
                _ => {
                    found = Some(k);
                    break;
                }
            }
        }
        match found {
            Some(k) => path.push(k),
            None => return path,
        }
    }
}

/// Removes the key that holds `loc` (the whole array when `loc` is an element, so the indices
/// of later errors stay right). Returns whether anything was removed.
fn cut_and_remove(v: &mut Value, loc: &[Seg], removed: &mut Vec<String>) -> bool {
    let Some(last_key) = loc.iter().rposition(|s| matches!(s, Seg::Key(_))) else {
        return false;
    };
    if let Seg::Key(k) = &loc[last_key] {
        removed.push(k.clone());
    }
    remove(v, &loc[..=last_key])
}

/// The value at `path` inside `v`.
pub(crate) fn get<'v>(v: &'v Value, path: &[Seg]) -> Option<&'v Value> {
    path.iter().try_fold(v, |node, seg| match (node, seg) {
        (Value::Table(t), Seg::Key(k)) => t.get(k),
        (Value::Array(a), Seg::Index(i)) => a.get(*i),
        _ => None,
    })
}

fn remove(v: &mut Value, path: &[Seg]) -> bool {
    let Some((last, parent)) = path.split_last() else {
        return false;
    };
    let mut node = v;
    for seg in parent {
        node = match (node, seg) {
            (Value::Table(t), Seg::Key(k)) => match t.get_mut(k) {
                Some(n) => n,
                None => return false,
            },
            (Value::Array(a), Seg::Index(i)) => match a.get_mut(*i) {
                Some(n) => n,
                None => return false,
            },
            _ => return false,
        };
    }
    match (node, last) {
        (Value::Table(t), Seg::Key(k)) => t.remove(k).is_some(),
        (Value::Array(a), Seg::Index(i)) if *i < a.len() => {
            a.remove(*i);
            true
        }
        _ => false,
    }
}

fn children(v: &Value) -> Vec<Seg> {
    match v {
        Value::Table(t) => t.keys().map(|k| Seg::Key(k.clone())).collect(),
        Value::Array(a) => (0..a.len()).map(Seg::Index).collect(),
        _ => Vec::new(),
    }
}

/// Breadth-first: the path of the shallowest table at or below `from` that has key `name`.
fn find_key(v: &Value, from: &[Seg], name: &str) -> Option<KeyPath> {
    find(v, from, |t_path, node| {
        node.as_table().filter(|t| t.contains_key(name)).map(|_| {
            let mut p = t_path.to_vec();
            p.push(Seg::Key(name.to_string()));
            p
        })
    })
}

/// Breadth-first: the path of the value that names the unknown variant `name` (a tag key
/// first, else any string equal to `name`).
fn find_variant(v: &Value, from: &[Seg], name: &str) -> Option<KeyPath> {
    if get(v, from).and_then(Value::as_str) == Some(name) {
        return Some(from.to_vec());
    }
    let by_tag = find(v, from, |p, node| {
        let t = node.as_table()?;
        TAGS.iter()
            .find(|tag| t.get(**tag).and_then(Value::as_str) == Some(name))
            .map(|tag| {
                let mut p = p.to_vec();
                p.push(Seg::Key((*tag).to_string()));
                p
            })
    });
    by_tag.or_else(|| {
        find(v, from, |p, node| {
            let t = node.as_table()?;
            t.iter()
                .find(|(_, x)| x.as_str() == Some(name))
                .map(|(k, _)| {
                    let mut p = p.to_vec();
                    p.push(Seg::Key(k.clone()));
                    p
                })
        })
    })
}

fn find(
    v: &Value,
    from: &[Seg],
    hit: impl Fn(&[Seg], &Value) -> Option<KeyPath>,
) -> Option<KeyPath> {
    let mut queue = std::collections::VecDeque::new();
    queue.push_back(from.to_vec());
    let mut visited = 0usize;
    while let Some(p) = queue.pop_front() {
        visited += 1;
        if visited > 4096 {
            return None;
        }
        let node = get(v, &p)?;
        if let Some(found) = hit(&p, node) {
            return Some(found);
        }
        for k in children(node) {
            let mut c = p.clone();
            c.push(k);
            queue.push_back(c);
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::RuleSpec;
    use crate::engine::config::TimingSpec;
    use crate::model::ClassSpec;
    use crate::scenario::span::keys;

    fn errors<T: DeserializeOwned>(text: &str) -> Vec<String> {
        let v = Value::Table(toml::from_str(text).expect("valid TOML"));
        let mut sink = Vec::new();
        let out: Option<T> = unit(&v, &keys(&["x"]), &mut sink);
        assert_eq!(out.is_some(), sink.is_empty());
        sink.iter()
            .map(|e| format!("{}: {}", display_path(&e.path), e.message))
            .collect()
    }

    #[test]
    fn every_error_of_a_class_is_reported() {
        let e = errors::<ClassSpec>(
            "conformty = 0.3\nshare = 'half'\nnodes = [1, 'two']\nthreshold = 'high'",
        );
        assert_eq!(
            e,
            [
                "x.conformty: unknown key `conformty` in [x] (did you mean `conformity`?); expected one of `name`, `kind`, \
                 `share`, `nodes`, `noise`, `threshold`, `conformity`, `visibility`, `complaint`, `authenticity`, `initial`, `fixed`",
                "x.nodes[1]: expected a non-negative integer, found string \"two\"",
                "x.share: expected a number, found string \"half\"",
                "x.threshold: expected a number or a distribution table (e.g. { dist = \"uniform\", \
                 low = 0.0, high = 1.0 }), found string \"high\"",
            ]
        );
    }

    #[test]
    fn errors_inside_tagged_enums_find_their_key() {
        assert_eq!(
            errors::<RuleSpec>("rule = 'sop'\nquality = 'good'\nqualty = 1\nnoise = 0.1"),
            [
                "x.quality: expected a number, found string \"good\"",
                "x.qualty: unknown key `qualty` in [x] (did you mean `quality`?); expected one of \
                 `quality`, `tie`, `noise`",
            ]
        );
        assert_eq!(
            errors::<RuleSpec>("rule = 'sopp'"),
            [
                "x.rule: unknown rule `sopp`; expected one of `sop`, `threshold`, `independent_cascade`, \
             `linear_threshold`, `voter`, `majority`, `q_voter`, `sir`, `sis`, `maki_thompson`, \
             `deffuant`, `hegselmann_krause`, `bass`, `sentiment`"
            ]
        );
        assert_eq!(
            errors::<RuleSpec>("tie = 'coin'"),
            ["x: missing key `rule`"]
        );
        assert_eq!(
            errors::<TimingSpec>(
                "scheme = 'delayed'\nlatency = { kind = 'agent', dist = { dist = 'uniform', low = 1 } }"
            ),
            ["x.latency.dist: missing key `high`"]
        );
        assert_eq!(
            errors::<TimingSpec>(
                "scheme = 'delayed'\nlatency = { kind = 'constant', steps = -2, y = 1 }"
            ),
            [
                "x.latency.steps: expected a non-negative integer, found -2",
                "x.latency.y: unknown key `y` in [x.latency]; expected `steps`",
            ]
        );
    }

    #[test]
    fn missing_keys_of_nested_tables_and_names_of_the_wrong_type() {
        assert_eq!(
            errors::<TimingSpec>("scheme = 'delayed'\nlatency = { kind = 'agent' }"),
            ["x.latency: missing key `dist`"]
        );
        assert_eq!(
            errors::<crate::graph::io::IdKind>("a = 1").len(),
            1,
            "a table is not a name"
        );
        let v = Value::Integer(3);
        let mut sink = Vec::new();
        let _: Option<crate::graph::io::IdKind> = unit(&v, &keys(&["ids"]), &mut sink);
        assert_eq!(sink[0].message, "expected a string, found 3");
    }

    #[test]
    fn distribution_tables_are_judged_by_their_parts() {
        assert_eq!(
            errors::<ClassSpec>("conformity = { dist = 'unifrom', low = 0, high = 1 }"),
            [
                "x.conformity.dist: unknown distribution `unifrom`; expected one of `constant`, \
                 `uniform`, `normal`, `truncated_normal`, `beta`"
            ]
        );
        assert_eq!(
            errors::<ClassSpec>("noise = { dist = 'normal', mean = 0, sd = 1, sdd = 2 }"),
            ["x.noise.sdd: unknown key `sdd` in [x.noise]; expected `mean` or `sd`"]
        );
        assert_eq!(
            errors::<ClassSpec>("noise = { low = 1 }"),
            [
                "x.noise: expected a number or a distribution table with a `dist` key (e.g. { dist = \
                 \"uniform\", low = 0.0, high = 1.0 }), found a table without `dist`"
            ]
        );
    }
}
