//! What a methods section needs beside the scenario text, recorded in every manifest as
//! `provenance`: the program's version and the git commit it was built from, the size and
//! SHA-256 checksum of every input file (the scenario and, when the graph is read from a file,
//! that file), and every value the run used with the defaults filled in (`effective`).
//!
//! # Format
//!
//! ```text
//! "provenance": {
//!   "version": "0.1.0",
//!   "commit": "3f2a9c1e...",               (or "unknown" outside a git checkout)
//!   "inputs": [
//!     { "role": "scenario", "path": "scenarios/x.toml", "bytes": 2210, "sha256": "9b1f..." },
//!     { "role": "graph", "path": "data/follows.csv", "bytes": 48211, "sha256": "c0de..." }
//!   ],
//!   "effective": { "seed": 1, "replicates": 200, "steps": 40, "stop_at_fixed_point": true,
//!                  "graph": {...}, "population": [...], "model": {...}, "timing": {...},
//!                  "seeding": null, "brand": {...} }
//! }
//! ```

use std::fs::File;
use std::io::{self, Read};
use std::path::Path;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::OutputError;
use crate::scenario::{GraphSource, Scenario};

/// The git commit this program was built from (`build.rs`), or `unknown`.
pub const COMMIT: &str = match option_env!("OVATION_GIT_COMMIT") {
    Some(c) => c,
    None => "unknown",
};

/// The manifest's `provenance` object.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Provenance {
    /// The program's version (`Cargo.toml`).
    pub version: String,
    /// The git commit it was built from, `unknown` when built outside a git checkout.
    pub commit: String,
    /// Every input file with its size and checksum.
    pub inputs: Vec<InputFile>,
    /// Every value the run used, defaults filled in ([`effective`]).
    pub effective: serde_json::Value,
}

/// One input file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InputFile {
    /// What it is: `scenario` or `graph`.
    pub role: String,
    /// The path as the scenario or the command line gave it.
    pub path: String,
    /// Its size in bytes.
    pub bytes: u64,
    /// SHA-256 of its bytes, lowercase hex.
    pub sha256: String,
}

/// The provenance of a run of `scenario`: checksums the scenario's text as it was read and,
/// when the graph comes from a file, reads and checksums that file. **O(input bytes)**.
pub fn provenance(scenario: &Scenario) -> Result<Provenance, OutputError> {
    let text = scenario.text.as_bytes();
    let mut inputs = vec![InputFile {
        role: "scenario".to_string(),
        path: scenario.path.display().to_string(),
        bytes: text.len() as u64,
        sha256: hex(&Sha256::digest(text)),
    }];
    if let GraphSource::File { path, .. } = &scenario.graph {
        inputs.push(input("graph", path)?);
    }
    Ok(Provenance {
        version: env!("CARGO_PKG_VERSION").to_string(),
        commit: COMMIT.to_string(),
        inputs,
        effective: effective(scenario),
    })
}

/// Every value `scenario` runs with, defaults filled in: what the typed scenario holds, keyed as
/// in a scenario file.
pub fn effective(scenario: &Scenario) -> serde_json::Value {
    let to = |v: serde_json::Result<serde_json::Value>| v.unwrap_or(serde_json::Value::Null);
    let graph = match &scenario.graph {
        GraphSource::Generator {
            spec,
            per_replicate,
        } => {
            let mut g = to(serde_json::to_value(spec));
            if let Some(map) = g.as_object_mut() {
                map.insert("per_replicate".into(), (*per_replicate).into());
            }
            g
        }
        GraphSource::File {
            path,
            import,
            cache,
        } => {
            let mut g = to(serde_json::to_value(import));
            if let Some(map) = g.as_object_mut() {
                // Named as in a scenario's [graph] table.
                if let Some(d) = map.remove("direction") {
                    map.insert("follows".into(), d);
                }
                map.insert("file".into(), path.display().to_string().into());
                map.insert("cache".into(), (*cache).into());
            }
            g
        }
    };
    serde_json::json!({
        "seed": scenario.seed,
        "replicates": scenario.replicates,
        "steps": scenario.stop.max_steps,
        "stop_at_fixed_point": scenario.stop.at_fixed_point,
        "graph": graph,
        "population": to(serde_json::to_value(&scenario.population)),
        "model": to(serde_json::to_value(&scenario.model)),
        "timing": to(serde_json::to_value(&scenario.timing)),
        "seeding": to(serde_json::to_value(&scenario.seeding)),
        "brand": to(serde_json::to_value(&scenario.brand)),
    })
}

fn input(role: &str, path: &Path) -> Result<InputFile, OutputError> {
    let read = |source| OutputError::Read {
        path: path.into(),
        source,
    };
    let (bytes, sha256) = sha256_file(path).map_err(read)?;
    Ok(InputFile {
        role: role.to_string(),
        path: path.display().to_string(),
        bytes,
        sha256,
    })
}

/// Size and SHA-256 (lowercase hex) of the file at `path`, read in 1 MiB blocks.
pub fn sha256_file(path: &Path) -> io::Result<(u64, String)> {
    let mut file = File::open(path)?;
    let mut hasher = Sha256::new();
    let mut buf = vec![0u8; 1 << 20];
    let mut total = 0u64;
    loop {
        let n = file.read(&mut buf)?;
        if n == 0 {
            break;
        }
        hasher.update(&buf[..n]);
        total += n as u64;
    }
    Ok((total, hex(&hasher.finalize())))
}

/// Lowercase hex of `bytes`.
fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sha256_matches_the_standard_test_vector() {
        // FIPS 180-2, appendix B.1: SHA-256("abc").
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("abc.txt");
        std::fs::write(&path, b"abc").expect("written");
        let (bytes, hex) = sha256_file(&path).expect("read");
        assert_eq!(bytes, 3);
        assert_eq!(
            hex,
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }

    #[test]
    fn effective_values_include_the_defaults() {
        let text = "seed = 7\n[graph]\ngenerator = \"theater\"\nrows = 2\nseats = 3\n\
                    [[population]]\n[model]\nrule = \"sop\"\nquality = 0.5\n";
        let s = crate::scenario::load_str("x.toml", text, Path::new("."), &[]).expect("valid");
        let e = effective(&s);
        // Not written in the file, filled in by the defaults (docs/scenarios.md).
        assert_eq!(e["replicates"], 1);
        assert_eq!(e["steps"], 100);
        assert_eq!(e["timing"]["scheme"], "synchronous");
        assert_eq!(e["graph"]["per_replicate"], false);
        assert!(!e["population"][0]["conformity"].is_null(), "{e}");
        assert_eq!(e["model"]["quality"], 0.5);
    }
}
