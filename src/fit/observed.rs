//! Reading observed data: adoption (or complaint) times on a population at risk, optionally
//! split into communities and linked by a follower graph; or cascade trees.
//!
//! Files are plain text, gzip-compressed when their name ends in `.gz`. Fields are separated by
//! whitespace, commas or semicolons; blank lines and lines starting with `#` are skipped; a
//! first line whose numeric field does not parse is taken as a header. Every error names the
//! file and the line.

use std::collections::BTreeMap;
use std::io::Read;
use std::path::Path;

use crate::fit::spec::{AdoptionSpec, CascadeSpec, EdgeMeaning, FitError, Network};
use crate::graph::FollowerGraph;
use crate::graph::csr::BuildOptions;

/// Marks an agent that never adopted within the observation window.
pub const NEVER: u32 = u32::MAX;

/// Observed adoption times on a population.
#[derive(Debug, Clone)]
pub struct AdoptionData {
    /// The follower graph built from the files; `None` for `network = "scenario"` (the
    /// scenario's own graph is used).
    pub graph: Option<FollowerGraph>,
    /// Agents (the population at risk).
    pub node_count: u32,
    /// Each agent's original id.
    pub labels: Vec<String>,
    /// Each agent's community (index into `communities`).
    pub community: Vec<u32>,
    /// Community names, in order of first appearance.
    pub communities: Vec<String>,
    /// Each agent's adoption step (1 = the first step after the start), or [`NEVER`].
    pub adoption: Vec<u32>,
    /// Observed steps: adoptions after this step are censored.
    pub steps: u32,
    /// Observed time at step 0 and observed time units per step (for plots and tables).
    pub start: f64,
    /// Observed time units per step.
    pub time_per_step: f64,
}

impl AdoptionData {
    /// Agents per community.
    pub fn sizes(&self) -> Vec<u32> {
        let mut out = vec![0u32; self.communities.len()];
        for &c in &self.community {
            out[c as usize] += 1;
        }
        out
    }

    /// Data of one community for synthetic experiments: `adoption[i]` on a graph of
    /// `adoption.len()` agents, all in community "all".
    pub fn synthetic(adoption: Vec<u32>, steps: u32) -> AdoptionData {
        let n = adoption.len();
        AdoptionData {
            graph: None,
            node_count: n as u32,
            labels: (0..n).map(|i| i.to_string()).collect(),
            community: vec![0; n],
            communities: vec!["all".into()],
            adoption,
            steps,
            start: 0.0,
            time_per_step: 1.0,
        }
    }
}

/// One observed cascade.
#[derive(Debug, Clone, PartialEq)]
pub struct Cascade {
    /// Its id in the file.
    pub name: String,
    /// Event times after the root (negative times clamped to 0), ascending; the root included.
    pub times: Vec<f64>,
}

/// Reads a whole text file, decompressing `.gz`.
pub fn read_text(path: &Path) -> Result<String, FitError> {
    let file = path.display().to_string();
    let bytes = std::fs::read(path)
        .map_err(|e| FitError::new(&file, "file", format!("cannot read: {e}")))?;
    let mut text = String::new();
    let gz = path.extension().is_some_and(|e| e == "gz");
    if gz {
        flate2::read::GzDecoder::new(&bytes[..])
            .read_to_string(&mut text)
            .map_err(|e| {
                FitError::new(
                    &file,
                    "file",
                    format!("expected gzip-compressed UTF-8 text: {e}"),
                )
            })?;
    } else {
        text = String::from_utf8(bytes).map_err(|e| {
            FitError::new(
                &file,
                "file",
                format!(
                    "expected UTF-8 text, found an invalid byte at offset {}",
                    e.utf8_error().valid_up_to()
                ),
            )
        })?;
    }
    Ok(text)
}

/// The data lines of `text`: (1-based line number, fields).
fn records(text: &str) -> impl Iterator<Item = (usize, Vec<&str>)> {
    text.lines().enumerate().filter_map(|(i, line)| {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            return None;
        }
        let fields: Vec<&str> = line
            .split(|c: char| c.is_whitespace() || c == ',' || c == ';')
            .filter(|f| !f.is_empty())
            .map(|f| f.trim_matches('"'))
            .collect();
        Some((i + 1, fields))
    })
}

/// Reads the records of `path`, at least `min_fields` each; a first record whose field
/// `numeric` is not a number is a header and skipped.
fn read_records(
    path: &Path,
    min_fields: usize,
    numeric: Option<usize>,
    what: &str,
) -> Result<Vec<(usize, Vec<String>)>, FitError> {
    let file = path.display().to_string();
    let text = read_text(path)?;
    let mut out = Vec::new();
    for (k, (line, fields)) in records(&text).enumerate() {
        if k == 0
            && let Some(j) = numeric
            && fields.get(j).is_some_and(|f| f.parse::<f64>().is_err())
        {
            continue;
        }
        if fields.len() < min_fields {
            return Err(FitError::new(
                &file,
                format!("line {line}"),
                format!(
                    "expected {what} ({min_fields} fields), found {} field(s)",
                    fields.len()
                ),
            ));
        }
        out.push((line, fields.into_iter().map(str::to_string).collect()));
    }
    Ok(out)
}

fn parse_time(file: &str, line: usize, field: &str) -> Result<f64, FitError> {
    match field.parse::<f64>() {
        Ok(t) if t.is_finite() => Ok(t),
        _ => Err(FitError::new(
            file,
            format!("line {line}"),
            format!("expected a time (a number), found `{field}`"),
        )),
    }
}

/// Reads adoption data as `spec` says. `scenario_graph` is the scenario's graph, needed for
/// `network = "scenario"` (ids in the files are then its node ids or labels).
pub fn load_adoption(
    spec: &AdoptionSpec,
    scenario_graph: Option<&FollowerGraph>,
) -> Result<AdoptionData, FitError> {
    // Agents: ids in order, with communities.
    let mut index: BTreeMap<String, u32> = BTreeMap::new();
    let mut labels: Vec<String> = Vec::new();
    let mut community: Vec<u32> = Vec::new();
    let mut communities: Vec<String> = Vec::new();
    let community_of = |name: &str, communities: &mut Vec<String>| -> u32 {
        match communities.iter().position(|c| c == name) {
            Some(i) => i as u32,
            None => {
                communities.push(name.to_string());
                (communities.len() - 1) as u32
            }
        }
    };
    let from_scenario = spec.network == Network::Scenario;
    if from_scenario {
        let Some(g) = scenario_graph else {
            return Err(FitError::new(
                spec.events.display().to_string(),
                "fit.observed.network",
                "network = \"scenario\" needs the scenario's graph",
            ));
        };
        for i in 0..g.node_count() {
            let label = g.label(i);
            index.insert(label.clone(), i);
            labels.push(label);
            community.push(0);
        }
        communities.push("all".into());
        if let Some(nodes) = &spec.nodes {
            let file = nodes.display().to_string();
            for (line, f) in read_records(nodes, 2, None, "`node community`")? {
                let Some(&i) = index.get(&f[0]) else {
                    return Err(FitError::new(
                        &file,
                        format!("line {line}"),
                        format!("expected a node of the scenario's graph, found `{}`", f[0]),
                    ));
                };
                community[i as usize] = community_of(&f[1], &mut communities);
            }
            // Communities named in the file only: "all" stays for nodes the file omits.
            if !community.contains(&0) {
                communities.remove(0);
                for c in &mut community {
                    *c -= 1;
                }
            }
        }
    } else if let Some(nodes) = &spec.nodes {
        let file = nodes.display().to_string();
        for (line, f) in read_records(nodes, 1, None, "`node [community]`")? {
            if index.contains_key(&f[0]) {
                return Err(FitError::new(
                    &file,
                    format!("line {line}"),
                    format!("expected each node once, found `{}` again", f[0]),
                ));
            }
            index.insert(f[0].clone(), labels.len() as u32);
            labels.push(f[0].clone());
            let c = f.get(1).map(String::as_str).unwrap_or("all");
            community.push(community_of(c, &mut communities));
        }
    }
    let fixed_population = from_scenario || spec.nodes.is_some();

    // Edges (network = "edges").
    let mut edges: Vec<(u32, u32)> = Vec::new();
    if spec.network == Network::Edges
        && let Some(path) = &spec.edges
    {
        let file = path.display().to_string();
        for (line, f) in read_records(path, 2, None, "an edge `a b`")? {
            let mut ids = [0u32; 2];
            for (k, id) in f[..2].iter().enumerate() {
                ids[k] = match index.get(id) {
                    Some(&i) => i,
                    None if fixed_population => {
                        return Err(FitError::new(
                            &file,
                            format!("line {line}"),
                            format!("expected a node listed in the nodes file, found `{id}`"),
                        ));
                    }
                    None => {
                        let i = labels.len() as u32;
                        index.insert(id.clone(), i);
                        labels.push(id.clone());
                        community.push(community_of("all", &mut communities));
                        i
                    }
                };
            }
            let (a, b) = (ids[0], ids[1]);
            // FollowerGraph edges are (u, v): v follows u.
            edges.push(match spec.edge_meaning {
                EdgeMeaning::AFollowsB => (b, a),
                EdgeMeaning::BFollowsA => (a, b),
            });
        }
    }

    // Events.
    let file = spec.events.display().to_string();
    let mut times: Vec<(usize, u32, f64)> = Vec::new();
    for (line, f) in read_records(&spec.events, 2, Some(1), "`node time`")? {
        let t = parse_time(&file, line, &f[1])?;
        let i = match index.get(&f[0]) {
            Some(&i) => i,
            None if fixed_population => {
                return Err(FitError::new(
                    &file,
                    format!("line {line}"),
                    format!(
                        "expected a node of the population at risk ({}), found `{}`",
                        if from_scenario {
                            "the scenario's graph"
                        } else {
                            "the nodes file"
                        },
                        f[0]
                    ),
                ));
            }
            None => {
                let i = labels.len() as u32;
                index.insert(f[0].clone(), i);
                labels.push(f[0].clone());
                community.push(community_of("all", &mut communities));
                i
            }
        };
        times.push((line, i, t));
    }
    if times.is_empty() {
        return Err(FitError::new(
            &file,
            "file",
            "expected at least one adoption, found none",
        ));
    }
    let n = labels.len() as u32;
    let last = times.iter().map(|x| x.2).fold(f64::NEG_INFINITY, f64::max);
    let horizon = spec.horizon.unwrap_or(last);
    let to_step = |t: f64| ((t - spec.start) / spec.time_per_step - 1e-9).ceil();
    let steps_f = to_step(horizon).max(1.0);
    if steps_f > 100_000.0 {
        return Err(FitError::new(
            &file,
            "fit.observed.time_per_step",
            format!(
                "expected at most 100000 steps in the observation window, found {steps_f}: choose a larger time_per_step"
            ),
        ));
    }
    let steps = steps_f as u32;
    let mut adoption = vec![NEVER; n as usize];
    for (line, i, t) in times {
        let s = to_step(t);
        if s < 1.0 {
            return Err(FitError::new(
                &file,
                format!("line {line}"),
                format!(
                    "expected a time after fit.observed.start = {}, found {t} (adopters at the start belong in [seeding])",
                    spec.start
                ),
            ));
        }
        if adoption[i as usize] != NEVER {
            return Err(FitError::new(
                &file,
                format!("line {line}"),
                format!(
                    "expected one adoption per node, found `{}` again",
                    labels[i as usize]
                ),
            ));
        }
        if s <= steps_f {
            adoption[i as usize] = s as u32;
        }
    }

    let graph = match spec.network {
        Network::Scenario => None,
        Network::Edges => Some(FollowerGraph::from_edges(
            n,
            edges,
            None,
            BuildOptions::default(),
        )),
        Network::None => Some(FollowerGraph::from_edges(
            n,
            Vec::new(),
            None,
            BuildOptions::default(),
        )),
        Network::Complete => {
            let mut members: Vec<Vec<u32>> = vec![Vec::new(); communities.len()];
            for (i, &c) in community.iter().enumerate() {
                members[c as usize].push(i as u32);
            }
            let pairs: u64 = members.iter().map(|m| (m.len() as u64).pow(2)).sum();
            if pairs > 50_000_000 {
                return Err(FitError::new(
                    &file,
                    "fit.observed.network",
                    format!(
                        "network = \"complete\" would need {pairs} edges; expected communities of at most a few thousand people (give an edges file or split into communities)"
                    ),
                ));
            }
            let mut e = Vec::new();
            for m in &members {
                for &u in m {
                    for &v in m {
                        if u != v {
                            e.push((u, v));
                        }
                    }
                }
            }
            Some(FollowerGraph::from_edges(
                n,
                e,
                None,
                BuildOptions::default(),
            ))
        }
    };
    Ok(AdoptionData {
        graph,
        node_count: n,
        labels,
        community,
        communities,
        adoption,
        steps,
        start: spec.start,
        time_per_step: spec.time_per_step,
    })
}

/// Reads cascades as `spec` says: `cascade user parent time` lines, the root's parent `-1`.
/// Cascades smaller than `min_size` are dropped (they cannot be compared with simulations
/// conditioned on that size).
pub fn load_cascades(spec: &CascadeSpec) -> Result<Vec<Cascade>, FitError> {
    let file = spec.events.display().to_string();
    let mut by: BTreeMap<String, (usize, Vec<f64>)> = BTreeMap::new();
    let mut order: Vec<String> = Vec::new();
    for (line, f) in read_records(&spec.events, 4, Some(3), "`cascade user parent time`")? {
        let t = parse_time(&file, line, &f[3])?;
        let entry = by.entry(f[0].clone()).or_insert_with(|| {
            order.push(f[0].clone());
            (line, Vec::new())
        });
        entry.1.push(t.max(0.0));
    }
    if order.is_empty() {
        return Err(FitError::new(
            &file,
            "file",
            "expected at least one cascade, found none",
        ));
    }
    let mut out = Vec::new();
    for name in order {
        let (_, mut times) = by.remove(&name).unwrap_or_default();
        if (times.len() as u32) < spec.min_size {
            continue;
        }
        times.sort_by(f64::total_cmp);
        out.push(Cascade { name, times });
    }
    if out.is_empty() {
        return Err(FitError::new(
            &file,
            "fit.observed.min_size",
            format!(
                "expected some cascades of at least {} events, found none",
                spec.min_size
            ),
        ));
    }
    Ok(out)
}
