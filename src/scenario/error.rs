//! The errors of a scenario file: each names the file, the line and column when known, the key
//! path, what was expected and what was found, on one line.

use std::fmt;

/// One problem in a scenario file (or in a `--set` override of it).
///
/// Displayed on one line, ready for `grep` and for editors that jump to `file:line:col`:
///
/// ```text
/// scenarios/x.toml:12:15: population[0].conformity: expected a number in [0, 1], found 1.5
/// scenarios/x.toml: --set model.qualty=3: unknown key `qualty` in [model]; expected one of `quality`, `tie`, `noise`
/// ```
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}", render(self))]
pub struct ScenarioError {
    /// The scenario file as given.
    pub file: String,
    /// Line (from 1), when the problem sits in the file's text.
    pub line: Option<usize>,
    /// Column (from 1, in characters), when the line is known.
    pub column: Option<usize>,
    /// The key path (`population[0].conformity`), or `--set KEY=VALUE` for a problem that an
    /// override brought in; empty for syntax errors.
    pub key: String,
    /// What was expected and what was found, without the file, position or key.
    pub message: String,
}

impl ScenarioError {
    /// An error; control characters in `key` and `message` are escaped so it stays on one line.
    pub(crate) fn new(
        file: &str,
        position: Option<(usize, usize)>,
        key: String,
        message: String,
    ) -> ScenarioError {
        ScenarioError {
            file: one_line(file),
            line: position.map(|p| p.0),
            column: position.map(|p| p.1),
            key: one_line(&key),
            message: one_line(&message),
        }
    }
}

fn render(e: &ScenarioError) -> String {
    let mut out = e.file.clone();
    if let Some(line) = e.line {
        out.push_str(&format!(":{line}"));
        if let Some(col) = e.column {
            out.push_str(&format!(":{col}"));
        }
    }
    out.push_str(": ");
    if !e.key.is_empty() {
        out.push_str(&e.key);
        out.push_str(": ");
    }
    out.push_str(&e.message);
    out
}

/// Escapes control characters (newlines above all), so every error is one line.
fn one_line(s: &str) -> String {
    if !s.chars().any(char::is_control) {
        return s.to_string();
    }
    s.chars()
        .map(|c| {
            if c.is_control() {
                c.escape_default().to_string()
            } else {
                c.to_string()
            }
        })
        .collect()
}

/// Every error found in one scenario file, in the order of the checks (syntax, then keys and
/// types, then ranges and cross-key rules). Never empty when returned as an `Err`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct ScenarioErrors(pub Vec<ScenarioError>);

impl fmt::Display for ScenarioErrors {
    /// One error per line, no trailing newline.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, e) in self.0.iter().enumerate() {
            if i > 0 {
                writeln!(f)?;
            }
            write!(f, "{e}")?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_with_and_without_a_position() {
        let e = ScenarioError::new(
            "scenarios/x.toml",
            Some((12, 15)),
            "population[0].conformity".into(),
            "expected a number in [0, 1], found 1.5".into(),
        );
        assert_eq!(
            e.to_string(),
            "scenarios/x.toml:12:15: population[0].conformity: expected a number in [0, 1], found 1.5"
        );
        let e = ScenarioError::new("x.toml", None, String::new(), "bad\nthing".into());
        assert_eq!(e.to_string(), "x.toml: bad\\nthing");
        let all = ScenarioErrors(vec![e.clone(), e]);
        assert_eq!(all.to_string().lines().count(), 2);
    }
}
