//! A scenario's replicates as library calls: build or load its graph, sample and seed its
//! agents, run replicate `r`. `ovation run`, `sweep` and `compare` all go through here, so a
//! replicate is the same whichever command runs it.

use std::path::{Path, PathBuf};

use anyhow::{Context, anyhow};

use crate::engine::brand;
use crate::engine::{
    AgentFinals, AgentResults, ClassResult, Observer, ReplicateResult, Setup, run_replicate_with,
};
use crate::graph::FollowerGraph;
use crate::graph::generators::generate;
use crate::graph::io;
use crate::model::population::NOT_FIXED;
use crate::model::{Action, Agents};
use crate::rng::{mix64, replicate_key};
use crate::scenario::{GraphSource, Scenario};
use crate::strategy::{SeedContext, select_seeds};

mod blocks;

/// Builds or loads the scenario's graph; `replicate` is given for per-replicate graphs (then
/// the graph of replicate `r` is seeded from `(seed, r)`).
pub fn load_graph(scenario: &Scenario, replicate: Option<u32>) -> anyhow::Result<FollowerGraph> {
    load_graph_noting(scenario, replicate, &|_| {})
}

/// [`load_graph`], passing `note` a sentence when a `cache = true` cache is rebuilt because its
/// edge list changed (or it records no source), saying what changed.
///
/// A cache is used only when its [`SourceStamp`](io::SourceStamp) matches the edge list's size,
/// modification time and import options; otherwise the edge list is read again and the cache
/// rewritten. A file at the cache's path that is not a cache is refused, never overwritten.
pub fn load_graph_noting(
    scenario: &Scenario,
    replicate: Option<u32>,
    note: &dyn Fn(String),
) -> anyhow::Result<FollowerGraph> {
    match &scenario.graph {
        GraphSource::Generator { spec, .. } => {
            let seed = match replicate {
                Some(r) => mix64(scenario.seed ^ mix64(u64::from(r) + 1)),
                None => scenario.seed,
            };
            generate(spec, seed).map_err(|e| anyhow!("{}: graph: {e}", scenario.path.display()))
        }
        GraphSource::File {
            path,
            import,
            cache,
        } => {
            let cache_path = cache_path(path);
            let context = || format!("{}: graph cache", scenario.path.display());
            // The edge list's stamp, taken before reading it: a change during the read makes
            // the next run rebuild again rather than trust a cache of a half-old file.
            let stamp = if *cache && !io::is_cache(path).unwrap_or(false) {
                Some(io::SourceStamp::of(path, import).with_context(context)?)
            } else {
                None
            };
            if let Some(now) = &stamp
                && cache_path.exists()
            {
                if !io::is_cache(&cache_path).with_context(context)? {
                    anyhow::bail!(
                        "{}: `cache = true` would write the graph cache {}, but that file is not \
                         an ovation graph cache; move it away or set `cache = false`",
                        scenario.path.display(),
                        cache_path.display()
                    );
                }
                let (g, recorded) = io::read_cache_stamped(&cache_path).with_context(context)?;
                let changes = match &recorded {
                    Some(was) => was.changes(now),
                    None => vec![
                        "the cache records no source (written by an older ovation or \
                                  by `graph import`)"
                            .to_string(),
                    ],
                };
                if changes.is_empty() {
                    return Ok(g);
                }
                note(format!(
                    "rebuilding the graph cache {} from {}: {}",
                    cache_path.display(),
                    path.display(),
                    changes.join("; ")
                ));
            }
            let g = io::load_graph(path, import, &|_| {})
                .with_context(|| format!("{}: graph", scenario.path.display()))?;
            if let Some(stamp) = &stamp {
                io::write_cache_stamped(&g, &cache_path, Some(stamp))?;
            }
            Ok(g)
        }
    }
}

/// Whether every replicate gets its own graph.
pub fn graph_per_replicate(scenario: &Scenario) -> bool {
    matches!(
        scenario.graph,
        GraphSource::Generator {
            per_replicate: true,
            ..
        }
    )
}

/// The `.ovg` cache written beside an edge list.
pub fn cache_path(edge_list: &Path) -> PathBuf {
    let mut name = edge_list.as_os_str().to_owned();
    name.push(".ovg");
    PathBuf::from(name)
}

/// One line saying where the graph comes from, for manifests and reports.
pub fn graph_source_text(scenario: &Scenario) -> String {
    match &scenario.graph {
        GraphSource::Generator { spec, .. } => format!("generator {}", spec.name()),
        GraphSource::File { path, .. } => format!("file {}", path.display()),
    }
}

/// The agents of replicate `replicate` on `graph`: sampled from the classes, started from
/// their signals under the Standing Ovation rule (inactive under the other rules unless their
/// class says otherwise), then seeded by `[seeding]` (seeds start `stand`, unless fixed).
pub fn agents_for(
    scenario: &Scenario,
    graph: &FollowerGraph,
    replicate: u32,
) -> anyhow::Result<Agents> {
    let key = replicate_key(scenario.seed, u64::from(replicate));
    scenario
        .check_node_ids(graph.node_count())
        .map_err(|e| anyhow!("{e}"))?;
    if let Some(b) = &scenario.brand
        && let crate::model::brand::BrandNode::Named(handle) = &b.node
        && handle.starts_with('@')
    {
        crate::graph::handles::resolve(graph, handle)
            .map_err(|e| anyhow!("{}: brand.node: {e}", scenario.path.display()))?;
    }
    if let crate::engine::RuleSpec::Sentiment(p) = &scenario.model
        && let Some(w) = &p.webcare
    {
        for (k, a) in w.accounts.iter().enumerate() {
            if let crate::model::webcare::AccountNode::Named(handle) = &a.node
                && handle.starts_with('@')
            {
                crate::graph::handles::resolve(graph, handle).map_err(|e| {
                    anyhow!(
                        "{}: webcare.accounts[{k}].node: {e}",
                        scenario.path.display()
                    )
                })?;
            }
        }
    }
    let mut agents = population_for(scenario, graph, key)?;
    seed_agents(scenario, graph, key, &mut agents)?;
    Ok(agents)
}

pub use blocks::{BlockPlan, ENGINE_VAR, batchable};

/// The agents of the replicate keyed `key` before `[seeding]` and the brand: checks the graph
/// for the rule, samples the classes and, under rules that do not start from signals, starts
/// every agent inactive unless its class says otherwise.
fn population_for(scenario: &Scenario, graph: &FollowerGraph, key: u64) -> anyhow::Result<Agents> {
    scenario
        .model
        .contract()
        .check_graph(graph)
        .map_err(|e| anyhow!("{}: {e}", scenario.path.display()))?;
    let mut agents = Agents::sample(
        graph.node_count(),
        &scenario.population,
        scenario.model.quality(),
        key,
    );
    if !scenario.model.uses_signals() {
        for (i, class) in agents.class.iter().enumerate() {
            let spec = &scenario.population[*class as usize];
            if spec.initial.is_none() && spec.fixed.is_none() {
                agents.own[i] = Action::Sit as u8;
                agents.initial[i] = Action::Sit as u8;
            }
        }
    }
    Ok(agents)
}

/// Seeds `agents` by `[seeding]` under the replicate key `key` (seeds start `stand`, unless
/// fixed) and prepares them for the brand.
fn seed_agents(
    scenario: &Scenario,
    graph: &FollowerGraph,
    key: u64,
    agents: &mut Agents,
) -> anyhow::Result<()> {
    if let Some(seeding) = &scenario.seeding {
        let ctx = SeedContext {
            graph,
            rule: &scenario.model,
            seed: scenario.seed,
            key,
        };
        let seeds =
            select_seeds(seeding, &ctx).map_err(|e| anyhow!("{}: {e}", scenario.path.display()))?;
        for &s in &seeds {
            if agents.fixed[s as usize] == NOT_FIXED {
                agents.initial[s as usize] = Action::Stand as u8;
            }
        }
        agents.seeds = seeds.clone();
        if let Some(brand) = &scenario.brand {
            brand::prepare_agents(brand, &scenario.population, graph, agents, &seeds);
        }
    } else if let Some(brand) = &scenario.brand {
        brand::prepare_agents(brand, &scenario.population, graph, agents, &[]);
    }
    Ok(())
}

/// Runs replicate `replicate` of `scenario`; `shared` is the graph all replicates share (None
/// for per-replicate graphs, which are built here).
pub fn run_one(
    scenario: &Scenario,
    shared: Option<&FollowerGraph>,
    replicate: u32,
) -> anyhow::Result<ReplicateResult> {
    run_one_with(scenario, shared, replicate, None)
}

/// [`run_one`], pushing each step to `observer` when given (the result's trajectory is then
/// empty).
pub fn run_one_with(
    scenario: &Scenario,
    shared: Option<&FollowerGraph>,
    replicate: u32,
    observer: Option<&mut dyn Observer>,
) -> anyhow::Result<ReplicateResult> {
    let own;
    let graph = match shared {
        Some(g) => g,
        None => {
            own = load_graph(scenario, Some(replicate))?;
            &own
        }
    };
    let agents = agents_for(scenario, graph, replicate)?;
    let setup = Setup {
        graph,
        agents: &agents,
        rule: &scenario.model,
        timing: &scenario.timing,
        stop: scenario.stop,
        key: replicate_key(scenario.seed, u64::from(replicate)),
        replicate,
        theater: scenario.theater_layout(),
        brand: scenario
            .brand
            .as_ref()
            .map(|b| brand::BrandSetup::new(b, &scenario.population, graph, &agents)),
    };
    match observer {
        Some(o) => run_replicate_with(setup, o),
        None => {
            let mut rec = ClassRecorder {
                agents: scenario.output.agents,
                ..ClassRecorder::default()
            };
            run_replicate_with(setup, &mut rec).map(|mut r| {
                r.classes = rec.classes(scenario, &agents);
                if scenario.output.agents {
                    r.agents =
                        Some(rec.agent_results(scenario, graph, &agents.class, &agents.seeds));
                }
                r.trajectory = rec.steps;
                r
            })
        }
    }
    .map_err(|e| anyhow!("{}: {e}", scenario.path.display()))
}

/// Records every step (as [`crate::engine::Recorder`]) and the actions at step 0 and at the
/// last step, for the measures by class. Costs a copy of the actions (a byte per agent) per
/// step, well below the step itself. With `agents` (`[output] agents = true`) it also keeps
/// which agents ever booed and what the rule and the brand know of each at the end, for
/// `agents.csv`.
#[derive(Debug, Default)]
struct ClassRecorder {
    steps: Vec<crate::engine::StepRecord>,
    first: Vec<u8>,
    last: Vec<u8>,
    agents: bool,
    complained: Vec<bool>,
    finals: AgentFinals,
}

impl Observer for ClassRecorder {
    fn on_step(&mut self, record: &crate::engine::StepRecord) {
        self.steps.push(*record);
    }

    fn wants_actions(&self) -> bool {
        true
    }

    fn on_actions(&mut self, step: u32, actions: &[u8]) {
        if step == 0 {
            self.first = actions.to_vec();
        }
        self.last.clear();
        self.last.extend_from_slice(actions);
        if self.agents {
            self.complained.resize(actions.len(), false);
            for (c, &a) in self.complained.iter_mut().zip(actions) {
                *c |= a == Action::Boo as u8;
            }
        }
    }

    fn wants_agents(&self) -> bool {
        self.agents
    }

    fn on_agents(&mut self, finals: AgentFinals) {
        self.finals = finals;
    }
}

impl ClassRecorder {
    /// Each agent's end state, for `agents.csv`.
    /// Each agent's end state, for `agents.csv`, with the agents' classes `class` and the
    /// replicate's `[seeding]` seeds `seeds`.
    fn agent_results(
        &mut self,
        scenario: &Scenario,
        graph: &FollowerGraph,
        class: &[u8],
        seeds: &[u32],
    ) -> AgentResults {
        let n = graph.node_count();
        let mut seeded = vec![false; n as usize];
        for &s in seeds {
            seeded[s as usize] = true;
        }
        let finals = std::mem::take(&mut self.finals);
        AgentResults {
            label: (0..n).map(|i| graph.label(i)).collect(),
            class_names: scenario.population.iter().map(|c| c.name.clone()).collect(),
            class: class.to_vec(),
            followers: (0..n).map(|i| graph.follower_count(i)).collect(),
            action: self.last.clone(),
            sentiment: finals.sentiment,
            complained: std::mem::take(&mut self.complained),
            answered: finals.answered,
            seeded,
        }
    }

    /// Each class's shares, in class order.
    fn classes(&self, scenario: &Scenario, agents: &Agents) -> Vec<ClassResult> {
        let mut counts = ClassCounts::new(scenario.population.len());
        for (i, &c) in agents.class.iter().enumerate() {
            counts.count(c, self.first[i], self.last[i], 1);
        }
        counts.results(scenario)
    }
}

/// Per population class: agents, agents standing at step 0, agents by final action and agents
/// whose final action differs from their step-0 action. Integers, so a count corrected agent
/// by agent (`blocks`) equals the count taken afresh.
#[derive(Debug, Clone, PartialEq, Eq)]
struct ClassCounts {
    count: Vec<u64>,
    first_stand: Vec<u64>,
    last: Vec<[u64; 3]>,
    changed: Vec<u64>,
}

impl ClassCounts {
    /// Zero counts for `k` classes.
    fn new(k: usize) -> ClassCounts {
        ClassCounts {
            count: vec![0; k],
            first_stand: vec![0; k],
            last: vec![[0; 3]; k],
            changed: vec![0; k],
        }
    }

    /// Adds (`sign = 1`) or removes (`sign = -1`) an agent of class `class` that took `first`
    /// at step 0 and `last` at the end.
    fn count(&mut self, class: u8, first: u8, last: u8, sign: i64) {
        let c = usize::from(class);
        let add = |x: &mut u64, b: bool| *x = x.wrapping_add_signed(sign * i64::from(b));
        add(&mut self.count[c], true);
        add(&mut self.first_stand[c], first == Action::Stand as u8);
        add(&mut self.last[c][usize::from(last.min(2))], true);
        add(&mut self.changed[c], first != last);
    }

    /// Each class's shares, in class order.
    fn results(&self, scenario: &Scenario) -> Vec<ClassResult> {
        let share = |x: u64, n: u64| if n == 0 { 0.0 } else { x as f64 / n as f64 };
        (0..self.count.len())
            .map(|c| ClassResult {
                class: scenario.population[c].name.clone(),
                agents: self.count[c],
                initial_standing: share(self.first_stand[c], self.count[c]),
                final_sitting: share(self.last[c][Action::Sit as usize], self.count[c]),
                final_standing: share(self.last[c][Action::Stand as usize], self.count[c]),
                final_booing: share(self.last[c][Action::Boo as usize], self.count[c]),
                changed: share(self.changed[c], self.count[c]),
            })
            .collect()
    }
}

/// What determines the results, one line per input, `label: hash`: the resolved scenario
/// (after `--set` overrides), the bytes of the graph file (when the graph is read from one) and
/// the program (version and a hash of the executable's bytes, so a rebuilt binary counts as
/// another program). `--resume` compares it line by line and names the inputs that changed.
pub fn fingerprint(scenario: &Scenario) -> String {
    let mut h = Fnv::new();
    h.write(
        toml::to_string(&scenario.resolved)
            .unwrap_or_default()
            .as_bytes(),
    );
    let mut text = format!("scenario: {:016x}\n", h.finish());
    if let GraphSource::File { path, .. } = &scenario.graph {
        text.push_str(&format!(
            "graph file {}: {}\n",
            path.display(),
            file_hash(path)
        ));
    }
    text.push_str(&format!("program: {}\n", program_build()));
    text
}

/// A 64-bit FNV-1a hash, eight bytes at a time (fast enough for a graph file of gigabytes).
struct Fnv(u64);

impl Fnv {
    fn new() -> Fnv {
        Fnv(0xcbf2_9ce4_8422_2325)
    }

    fn write(&mut self, bytes: &[u8]) {
        let mut words = bytes.chunks_exact(8);
        for w in &mut words {
            let x = u64::from_le_bytes(w.try_into().expect("eight bytes"));
            self.0 = (self.0 ^ x).wrapping_mul(0x0100_0000_01b3);
        }
        for &b in words.remainder() {
            self.0 = (self.0 ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3);
        }
    }

    fn finish(&self) -> u64 {
        mix64(self.0)
    }
}

/// `<length> bytes, <hash>` of a file's contents, computed once per file and process (a
/// sweep asks for every cell), or why it could not be read.
fn file_hash(path: &Path) -> String {
    use std::collections::BTreeMap;
    use std::io::Read;
    use std::sync::{Mutex, OnceLock};
    static SEEN: OnceLock<Mutex<BTreeMap<PathBuf, String>>> = OnceLock::new();
    let seen = SEEN.get_or_init(|| Mutex::new(BTreeMap::new()));
    if let Some(h) = seen.lock().ok().and_then(|m| m.get(path).cloned()) {
        return h;
    }
    let hash = (|| -> std::io::Result<String> {
        let mut file = std::fs::File::open(path)?;
        let mut h = Fnv::new();
        let mut crc = crc32fast::Hasher::new();
        let mut buf = vec![0u8; 1 << 20];
        let mut len = 0u64;
        loop {
            // Whole buffers (a short read only at the end), so the hash never depends on
            // how the reads were split.
            let mut filled = 0;
            while filled < buf.len() {
                match file.read(&mut buf[filled..]) {
                    Ok(0) => break,
                    Ok(k) => filled += k,
                    Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                    Err(e) => return Err(e),
                }
            }
            h.write(&buf[..filled]);
            crc.update(&buf[..filled]);
            len += filled as u64;
            if filled < buf.len() {
                break;
            }
        }
        Ok(format!(
            "{len} bytes, {:016x}{:08x}",
            h.finish(),
            crc.finalize()
        ))
    })()
    .unwrap_or_else(|e| format!("unreadable ({e})"));
    if let Ok(mut m) = seen.lock() {
        m.insert(path.to_path_buf(), hash.clone());
    }
    hash
}

/// `ovation <version>, build <hash of the executable>` (the executable is hashed once).
pub fn program_build() -> String {
    static BUILD: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    BUILD
        .get_or_init(|| {
            let exe = std::env::current_exe()
                .map(|p| file_hash(&p))
                .unwrap_or_else(|e| format!("unknown ({e})"));
            format!("ovation {}, build {exe}", env!("CARGO_PKG_VERSION"))
        })
        .clone()
}
