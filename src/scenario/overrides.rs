//! `--set key.path=value` overrides, applied to the parsed table before anything is typed.
//!
//! The key path is split on dots; a part that is a number indexes an array
//! (`population.0.share=0.3`). The value is read as a TOML value (`3`, `0.5`, `true`,
//! `[1, 2]`, `{ dist = "uniform", low = 0, high = 1 }`, `"text"`) and, when it is not one, taken
//! as a string (`timing.scheme=async_random`). Missing tables on the way are created, so a
//! misspelt key (`model.qualty=3`) reaches the typed checks and is reported there as an
//! unknown key of that override.

use serde::Deserialize;
use toml::{Table, Value};

use crate::scenario::span::{KeyPath, Seg, display_path};

/// Longer key paths are refused (no scenario key is nearly this deep; the limit keeps the
/// tables an override creates shallow).
const MAX_PATH_PARTS: usize = 16;

/// One override as applied.
#[derive(Debug, Clone)]
pub(crate) struct Override {
    /// The argument as given, `key.path=value`.
    pub text: String,
    /// The key path it set.
    pub path: KeyPath,
}

/// Applies `overrides` in order. Returns those applied and, for each that could not be, its
/// text and why.
pub(crate) fn apply(
    table: &mut Table,
    overrides: &[String],
) -> (Vec<Override>, Vec<(String, String)>) {
    let mut applied = Vec::new();
    let mut failed = Vec::new();
    for text in overrides {
        match apply_one(table, text) {
            Ok(path) => applied.push(Override {
                text: text.clone(),
                path,
            }),
            Err(why) => failed.push((text.clone(), why)),
        }
    }
    (applied, failed)
}

fn apply_one(table: &mut Table, text: &str) -> Result<KeyPath, String> {
    let Some((key, raw)) = text.split_once('=') else {
        return Err("expected KEY=VALUE (e.g. --set model.quality=0.6), found no `=`".into());
    };
    let path = parse_key_path(key.trim())?;
    let value = parse_value(raw.trim());
    set(table, &path, value)?;
    Ok(path)
}

/// Parses `a.b.0.c` into keys and indices. A part in double or single quotes is one key even
/// when it holds dots (`sweep.grid."model.quality"`), and is never read as an index.
fn parse_key_path(key: &str) -> Result<KeyPath, String> {
    if key.is_empty() {
        return Err("expected a key path before `=`, found nothing".into());
    }
    let parts = split_key_path(key)?;
    if parts.len() > MAX_PATH_PARTS {
        return Err(format!(
            "expected a key path of at most {MAX_PATH_PARTS} parts, found {}",
            parts.len()
        ));
    }
    parts
        .into_iter()
        .map(|(part, quoted)| {
            if part.is_empty() && !quoted {
                Err(format!(
                    "expected a key path like `model.quality`, found `{key}` with an empty part"
                ))
            } else if let (false, Ok(i)) = (quoted, part.parse::<usize>()) {
                Ok(Seg::Index(i))
            } else {
                Ok(Seg::Key(part))
            }
        })
        .collect()
}

/// Splits a key path on the dots outside quotes; each part is trimmed, unquoted and marked
/// as quoted or bare.
fn split_key_path(key: &str) -> Result<Vec<(String, bool)>, String> {
    let mut parts = Vec::new();
    let mut chars = key.chars().peekable();
    loop {
        while chars.peek().is_some_and(|c| c.is_whitespace()) {
            chars.next();
        }
        let mut part = String::new();
        let mut quoted = false;
        match chars.peek() {
            Some(&q @ ('"' | '\'')) => {
                chars.next();
                quoted = true;
                loop {
                    match chars.next() {
                        Some(c) if c == q => break,
                        Some(c) => part.push(c),
                        None => {
                            return Err(format!(
                                "expected a closing {q} in the key path `{key}`, found the end"
                            ));
                        }
                    }
                }
                while chars.peek().is_some_and(|c| c.is_whitespace()) {
                    chars.next();
                }
                if chars.peek().is_some_and(|&c| c != '.') {
                    return Err(format!(
                        "expected `.` or `=` after a quoted key in `{key}`, found more text"
                    ));
                }
            }
            _ => {
                while let Some(&c) = chars.peek() {
                    if c == '.' {
                        break;
                    }
                    part.push(c);
                    chars.next();
                }
                part = part.trim().to_string();
            }
        }
        parts.push((part, quoted));
        match chars.next() {
            Some('.') => continue,
            _ => return Ok(parts),
        }
    }
}

/// A TOML value, or the text as a string when it is not one.
fn parse_value(raw: &str) -> Value {
    toml::de::ValueDeserializer::parse(raw)
        .ok()
        .and_then(|de| Value::deserialize(de).ok())
        .unwrap_or_else(|| Value::String(raw.to_string()))
}

fn set(table: &mut Table, path: &[Seg], value: Value) -> Result<(), String> {
    let (first, rest) = match path.split_first() {
        Some(split) => split,
        None => return Err("expected a key path before `=`, found nothing".into()),
    };
    let Seg::Key(k) = first else {
        return Err("expected a key name first, found an index".into());
    };
    if rest.is_empty() {
        table.insert(k.clone(), value);
        return Ok(());
    }
    let slot = table.entry(k.clone()).or_insert_with(|| match rest[0] {
        Seg::Index(_) => Value::Array(Vec::new()),
        Seg::Key(_) => Value::Table(Table::new()),
    });
    set_in(slot, &path[..1], rest, value)
}

fn set_in(slot: &mut Value, done: &[Seg], rest: &[Seg], value: Value) -> Result<(), String> {
    let Some((first, more)) = rest.split_first() else {
        *slot = value;
        return Ok(());
    };
    let here = display_path(done);
    let mut done = done.to_vec();
    done.push(first.clone());
    match (slot, first) {
        (Value::Table(t), Seg::Key(k)) => {
            if more.is_empty() {
                t.insert(k.clone(), value);
                return Ok(());
            }
            let next = t.entry(k.clone()).or_insert_with(|| match more[0] {
                Seg::Index(_) => Value::Array(Vec::new()),
                Seg::Key(_) => Value::Table(Table::new()),
            });
            set_in(next, &done, more, value)
        }
        (Value::Array(a), Seg::Index(i)) => {
            let len = a.len();
            // One past the end appends: `--set population.1.name=fans` adds a second class.
            if *i == len {
                a.push(match more.first() {
                    None => Value::Table(Table::new()),
                    Some(Seg::Index(_)) => Value::Array(Vec::new()),
                    Some(Seg::Key(_)) => Value::Table(Table::new()),
                });
            }
            match a.get_mut(*i) {
                Some(next) => set_in(next, &done, more, value),
                None => Err(format!(
                    "index {i} is out of range: `{here}` has {len} entr{} (index {len} appends one)",
                    if len == 1 { "y" } else { "ies" }
                )),
            }
        }
        (Value::Array(_), Seg::Key(k)) => Err(format!(
            "`{here}` is an array; index it with a number (e.g. `{here}.0.{k}`)"
        )),
        (Value::Table(_), Seg::Index(i)) => Err(format!(
            "`{here}` is a table, not an array; found index {i}"
        )),
        (other, _) => Err(format!(
            "`{here}` is {}, not a table; cannot set a key inside it",
            type_name(other)
        )),
    }
}

/// Removes the value at the dotted key path `path` (`seeding`, `brand.costs`), if present.
pub(crate) fn remove(table: &mut Table, path: &str) {
    let mut parts = path.split('.').peekable();
    let mut here = table;
    while let Some(part) = parts.next() {
        if parts.peek().is_none() {
            here.remove(part);
            return;
        }
        match here.get_mut(part) {
            Some(Value::Table(t)) => here = t,
            _ => return,
        }
    }
}

/// The TOML type of a value, with its article: "an integer", "a table".
pub(crate) fn type_name(v: &Value) -> &'static str {
    match v {
        Value::String(_) => "a string",
        Value::Integer(_) => "an integer",
        Value::Float(_) => "a float",
        Value::Boolean(_) => "a boolean",
        Value::Datetime(_) => "a datetime",
        Value::Array(_) => "an array",
        Value::Table(_) => "a table",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table(text: &str) -> Table {
        toml::from_str(text).expect("valid")
    }

    #[test]
    fn values_are_toml_or_strings() {
        let mut t = table("[model]\nquality = 0.5\n[[population]]\nshare = 1.0\n");
        let (ok, failed) = apply(
            &mut t,
            &[
                "model.quality=0.6".into(),
                "timing.scheme=async_random".into(),
                "population.0.conformity={ dist = 'uniform', low = 0, high = 1 }".into(),
                "name = my run".into(),
            ],
        );
        assert!(failed.is_empty(), "{failed:?}");
        assert_eq!(ok.len(), 4);
        assert_eq!(t["model"]["quality"].as_float(), Some(0.6));
        assert_eq!(t["timing"]["scheme"].as_str(), Some("async_random"));
        assert!(t["population"][0]["conformity"].is_table());
        assert_eq!(t["name"].as_str(), Some("my run"));
    }

    #[test]
    fn a_quoted_part_is_one_key() {
        let mut t = table("[sweep]\nreplicates = 2\n");
        let (ok, failed) = apply(
            &mut t,
            &[
                "sweep.grid.\"model.quality\"=[0.4, 0.6]".into(),
                "sweep.grid.'brand.delay' = [1, 2]".into(),
                "x.\"0\"=1".into(),
            ],
        );
        assert!(failed.is_empty(), "{failed:?}");
        assert_eq!(ok.len(), 3);
        let grid = t["sweep"]["grid"].as_table().expect("a table");
        assert_eq!(
            grid.keys().collect::<Vec<_>>(),
            ["brand.delay", "model.quality"]
        );
        assert!(t["x"]["0"].is_integer());
        let (_, failed) = apply(&mut t, &["a.\"b=1".into(), "a.\"b\"c=1".into()]);
        assert_eq!(failed.len(), 2, "{failed:?}");
        assert!(failed[0].1.contains("closing"), "{failed:?}");
    }

    #[test]
    fn bad_paths_say_why() {
        let mut t = table("seed = 1\n[[population]]\nshare = 1.0\n");
        let (_, failed) = apply(
            &mut t,
            &[
                "seed.x=1".into(),
                "population.3.share=1".into(),
                "population.share=1".into(),
                "noequals".into(),
                "a..b=1".into(),
                "=1".into(),
                format!("{}=1", ["a"; 17].join(".")),
            ],
        );
        let why: Vec<&str> = failed.iter().map(|f| f.1.as_str()).collect();
        assert_eq!(
            why,
            [
                "`seed` is an integer, not a table; cannot set a key inside it",
                "index 3 is out of range: `population` has 1 entry (index 1 appends one)",
                "`population` is an array; index it with a number (e.g. `population.0.share`)",
                "expected KEY=VALUE (e.g. --set model.quality=0.6), found no `=`",
                "expected a key path like `model.quality`, found `a..b` with an empty part",
                "expected a key path before `=`, found nothing",
                "expected a key path of at most 16 parts, found 17",
            ]
        );
    }
}
