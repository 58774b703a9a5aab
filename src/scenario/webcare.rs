//! The `[webcare]` table (the brand under the `sentiment` rule): durations converted to steps
//! with `[time]`, typed into a [`WebcareSpec`] and attached to the rule's parameters.

use std::path::Path;

use toml::Value;

use crate::model::webcare::WebcareSpec;
use crate::scenario::de::{RawError, describe, unit};
use crate::scenario::span::{Seg, child, index, keys};
use crate::scenario::time::{self, TimeSpec};

/// Converts the duration-valued keys of `[model]` for `rule = "sentiment"` (`half_life`,
/// `arrival`) to steps, in place. Returns false after reporting an error.
pub(crate) fn model_durations(
    model: &mut Value,
    time: Option<&TimeSpec>,
    sink: &mut Vec<RawError>,
) -> bool {
    let Some(t) = model.as_table_mut() else {
        return true;
    };
    if t.get("rule").and_then(Value::as_str) != Some("sentiment") {
        return true;
    }
    let mut ok = true;
    for key in ["half_life", "arrival"] {
        if let Some(v) = t.get_mut(key) {
            let path = keys(&["model", key]);
            match time::steps_of(v, &path, time, "duration", sink) {
                Some(s) => *v = Value::Integer(s),
                None => {
                    t.remove(key);
                    ok = false;
                }
            }
        }
    }
    ok
}

/// Types the `[webcare]` table: `Some(spec)` when valid, `None` when wrong (reported).
pub(crate) fn parse(
    v: &Value,
    time: Option<&TimeSpec>,
    base_dir: &Path,
    sink: &mut Vec<RawError>,
) -> Option<WebcareSpec> {
    let path = keys(&["webcare"]);
    if !v.is_table() {
        sink.push(RawError::value(
            path,
            format!("expected a table ([webcare]), found {}", describe(v)),
        ));
        return None;
    }
    let mut v = v.clone();
    let mut ok = true;
    let mut steps = |t: &mut toml::Table, key: &str, at: &[Seg], sink: &mut Vec<RawError>| {
        if let Some(x) = t.get_mut(key) {
            match time::steps_of(x, &child(at, key), time, "time", sink) {
                Some(s) => *x = Value::Integer(s),
                None => {
                    t.remove(key);
                    ok = false;
                }
            }
        }
    };
    if let Some(t) = v.as_table_mut() {
        steps(t, "listen_from", &path, sink);
        for (list, key) in [
            ("accounts", "from"),
            ("statements", "at"),
            ("outreach", "at"),
            ("advocates", "at"),
        ] {
            if let Some(Value::Array(items)) = t.get_mut(list) {
                for (k, item) in items.iter_mut().enumerate() {
                    let at = index(&child(&path, list), k);
                    if let Some(it) = item.as_table_mut() {
                        steps(it, key, &at, sink);
                    }
                }
            }
        }
        if let Some(Value::Array(items)) = t.get_mut("accounts") {
            for (k, item) in items.iter_mut().enumerate() {
                let at = index(&child(&path, "accounts"), k);
                if let Some(it) = item.as_table_mut()
                    && let Some(d) = it.get_mut("delay")
                    && !time::resolve_delay(d, &child(&at, "delay"), time, base_dir, sink)
                {
                    it.remove("delay");
                    ok = false;
                }
            }
        }
    }
    let spec: Option<WebcareSpec> = unit(&v, &path, sink);
    let mut spec = spec.filter(|_| ok)?;
    let mut bad = false;
    for problem in spec.problems() {
        let mut p = vec!["webcare".to_string()];
        p.extend(problem.key.split('.').map(str::to_string));
        let segs: Vec<Seg> = p
            .iter()
            .map(|s| match s.parse::<usize>() {
                Ok(i) => Seg::Index(i),
                Err(_) => Seg::Key(s.clone()),
            })
            .collect();
        sink.push(RawError::value(segs, problem.message));
        bad = true;
    }
    spec.step_minutes = time.map(|t| t.step.minutes());
    (!bad).then_some(spec)
}
