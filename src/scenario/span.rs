//! Key paths (`population[0].conformity`) and where each key and value sits in the scenario
//! text, so that errors found after deserialising (from a merged `toml::Table`, where toml's own
//! spans are gone) can still name a line and column.

use std::collections::BTreeMap;
use std::ops::Range;

use toml::de::{DeTable, DeValue};

/// One step of a key path: a table key or an array index.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Seg {
    /// A key of a table.
    Key(String),
    /// An index into an array.
    Index(usize),
}

/// A path from the document root to a key or an array element.
pub(crate) type KeyPath = Vec<Seg>;

/// Builds a path from table keys.
pub(crate) fn keys(parts: &[&str]) -> KeyPath {
    parts.iter().map(|k| Seg::Key((*k).to_string())).collect()
}

/// Appends one key to a path.
pub(crate) fn child(path: &[Seg], key: &str) -> KeyPath {
    let mut p = path.to_vec();
    p.push(Seg::Key(key.to_string()));
    p
}

/// Appends one index to a path.
pub(crate) fn index(path: &[Seg], i: usize) -> KeyPath {
    let mut p = path.to_vec();
    p.push(Seg::Index(i));
    p
}

/// Renders a path the way a user would write it: `population[0].conformity`. Keys that are not
/// bare TOML keys are quoted (`"odd key"`), so the result is always one line.
pub(crate) fn display_path(path: &[Seg]) -> String {
    let mut out = String::new();
    for seg in path {
        match seg {
            Seg::Key(k) => {
                if !out.is_empty() {
                    out.push('.');
                }
                out.push_str(&display_key(k));
            }
            Seg::Index(i) => {
                out.push('[');
                out.push_str(&i.to_string());
                out.push(']');
            }
        }
    }
    out
}

/// A key as written in TOML: bare when it can be, else a quoted, escaped string.
pub(crate) fn display_key(k: &str) -> String {
    let bare = !k.is_empty()
        && k.chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
    if bare {
        k.to_string()
    } else {
        format!("{k:?}")
    }
}

/// Where one key and its value sit in the text (byte ranges).
#[derive(Debug, Clone)]
struct Entry {
    /// The key (absent for array elements).
    key: Option<Range<usize>>,
    /// The value; for a `[table]` or `[[array]]` element, its header.
    value: Range<usize>,
}

/// Which part of an entry an error points at.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum At {
    /// The key itself (unknown keys).
    Key,
    /// The value (wrong type, out of range).
    Value,
}

/// The positions of every key and value of one scenario document.
#[derive(Debug, Clone)]
pub(crate) struct Spans {
    /// Byte offset of the start of every line; always starts with 0.
    line_starts: Vec<usize>,
    text: String,
    entries: BTreeMap<KeyPath, Entry>,
}

/// Paths deeper than this are not indexed (toml's parser refuses much shallower documents).
const MAX_DEPTH: usize = 256;

impl Spans {
    /// Indexes `doc`, parsed from `text`. Computes in **O(size of the document)** time.
    pub(crate) fn new(text: &str, doc: &DeTable<'_>) -> Spans {
        let mut line_starts = vec![0];
        line_starts.extend(text.match_indices('\n').map(|(i, _)| i + 1));
        let mut spans = Spans {
            line_starts,
            text: text.to_string(),
            entries: BTreeMap::new(),
        };
        let mut path = Vec::new();
        spans.walk_table(doc, &mut path);
        spans
    }

    /// Spans for a text that could not be parsed: only positions of byte offsets work.
    pub(crate) fn empty(text: &str) -> Spans {
        Spans::new(text, &DeTable::new())
    }

    fn walk_table(&mut self, table: &DeTable<'_>, path: &mut KeyPath) {
        if path.len() > MAX_DEPTH {
            return;
        }
        for (k, v) in table.iter() {
            path.push(Seg::Key(k.get_ref().to_string()));
            self.entries.insert(
                path.clone(),
                Entry {
                    key: Some(k.span()),
                    value: v.span(),
                },
            );
            self.walk_value(v.get_ref(), path);
            path.pop();
        }
    }

    fn walk_value(&mut self, value: &DeValue<'_>, path: &mut KeyPath) {
        match value {
            DeValue::Table(t) => self.walk_table(t, path),
            DeValue::Array(a) => {
                if path.len() > MAX_DEPTH {
                    return;
                }
                for (i, e) in a.iter().enumerate() {
                    path.push(Seg::Index(i));
                    self.entries.insert(
                        path.clone(),
                        Entry {
                            key: None,
                            value: e.span(),
                        },
                    );
                    self.walk_value(e.get_ref(), path);
                    path.pop();
                }
            }
            _ => {}
        }
    }

    /// Whether the document itself holds `path` (an override may add paths it does not).
    pub(crate) fn contains(&self, path: &[Seg]) -> bool {
        self.entries.contains_key(path)
    }

    /// Line and column (both from 1) of `path`'s key or value, or of its nearest ancestor that
    /// the document holds; `None` for the root and for paths only overrides created.
    pub(crate) fn position(&self, path: &[Seg], at: At) -> Option<(usize, usize)> {
        let mut p = path;
        loop {
            if p.is_empty() {
                return None;
            }
            if let Some(e) = self.entries.get(p) {
                let range = match at {
                    At::Key if p.len() == path.len() => e.key.clone().unwrap_or(e.value.clone()),
                    _ => e.value.clone(),
                };
                return Some(self.line_col(range.start));
            }
            p = &p[..p.len() - 1];
        }
    }

    /// Line and column (both from 1; the column counts characters) of a byte offset.
    pub(crate) fn line_col(&self, offset: usize) -> (usize, usize) {
        let offset = offset.min(self.text.len());
        let line = self.line_starts.partition_point(|&s| s <= offset).max(1);
        let start = self.line_starts[line - 1];
        // The offset may fall inside a multi-byte character; count the characters before it.
        let col = self
            .text
            .get(start..)
            .map(|rest| {
                rest.char_indices()
                    .take_while(|(i, _)| start + i < offset)
                    .count()
            })
            .unwrap_or(0);
        (line, col + 1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_render_as_written() {
        let p = vec![
            Seg::Key("population".into()),
            Seg::Index(2),
            Seg::Key("conformity".into()),
        ];
        assert_eq!(display_path(&p), "population[2].conformity");
        assert_eq!(display_path(&keys(&["a b", "c"])), "\"a b\".c");
        assert_eq!(display_key("x\ny"), "\"x\\ny\"");
    }

    #[test]
    fn positions_of_keys_values_and_headers() {
        let text = "seed = 1\n[model]\nrule = 'sop'\n\n[[population]]\nconformity = 1.5\n";
        let doc = DeTable::parse(text).expect("valid");
        let s = Spans::new(text, doc.get_ref());
        assert_eq!(s.position(&keys(&["seed"]), At::Value), Some((1, 8)));
        assert_eq!(s.position(&keys(&["model"]), At::Value), Some((2, 1)));
        assert_eq!(s.position(&keys(&["model", "rule"]), At::Key), Some((3, 1)));
        let c = child(&index(&keys(&["population"]), 0), "conformity");
        assert_eq!(s.position(&c, At::Value), Some((6, 14)));
        // A key the document lacks points at its table.
        let q = keys(&["model", "quality"]);
        assert_eq!(s.position(&q, At::Key), Some((2, 1)));
        assert_eq!(s.position(&keys(&["steps"]), At::Value), None);
        assert_eq!(s.line_col(text.len() + 10), (7, 1));
    }
}
