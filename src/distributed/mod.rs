//! Partitioned runs on timely-dataflow (cargo feature `distributed`): one replicate with its
//! agents split by id ranges across timely workers, in one process or many (`-w` workers per
//! process, `-n` processes, `-p` this process's index, `-h` a hostfile of `host:port` lines,
//! timely's own flags).
//!
//! # The split
//!
//! Worker `k` of `W` owns the agents `[k n / W, (k + 1) n / W)`. Timely numbers a process's
//! workers consecutively, so a process owns one contiguous range, and holds only that range's
//! rows of the graph in both directions ([`part`]): read alone from a `.ovg` cache (seeking to
//! their offsets) when the scenario's graph is one, else copied out of the whole graph, which
//! is then dropped. Each process samples only its own agents ([`agents`]): every draw is keyed
//! by (seed, replicate, purpose, global agent id, step), so they are the engine's values.
//!
//! # The step
//!
//! Each step is one timely epoch: every worker sends each of its agents that changed, once, to
//! each worker owning at least one of its followers (only changed agents travel, and only to
//! where they are needed); the receiving worker updates its own followers of it through an
//! index of its agents' sources ([`part::Incoming`]). With them every worker sends every worker
//! its counts for the step (changes, ties, exposures, tallies, its part of the state's hash),
//! so all know the step's totals and decide alike whether the run is over. The end of the
//! epoch is decided by timely's progress tracking (a probe: no worker reads its inbox before
//! every message of the epoch has arrived). Counts are integers, so the order in which
//! messages arrive changes nothing: the result is the single-process engine's for any split
//! (tested on 1, 2 and 3 processes against it).
//!
//! # What is supported
//!
//! - `threshold` (Granovetter, Watts; fractional or absolute, strict or not), unweighted
//!   ([`threshold`]);
//! - `sop` (Miller and Page's Standing Ovation rule, with its tie rule and action noise),
//!   synchronous timing, unweighted edges and visibility 1, no `[brand]` ([`sop`]);
//! - seeding by `random` or `nodes` (by id): the ranking methods need the whole graph.
//!
//! Everything else is refused with a message naming the rule, timing scheme or key: the other
//! rules and the asynchronous and delayed schemes (whose agents see changes within a step, or
//! after per-edge delays), weighted counts (their fixed-point scale depends on the largest
//! weighted in-degree of the whole graph) and the brand (an actor that reads the whole
//! audience every step).
//!
//! # Replicates and faults
//!
//! [`run_replicates`] runs a scenario's replicates one after the other in one timely
//! computation (worker 0 first tells every worker which), each replicate across all workers,
//! and hands each finished one to its caller at worker 0 (`jobs::partitioned` writes it to the
//! result folder as it finishes). A process that dies breaks its TCP connections; timely's
//! communication threads then panic in the surviving processes, and the panic hook installed
//! here turns that into a clear error and exits the process (instead of waiting forever for
//! progress that cannot come): the replicates written before stay.

pub mod agents;
pub mod part;
mod reference;
pub mod sop;
pub mod threshold;

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::rc::Rc;
use std::sync::{Arc, Mutex};

use anyhow::{anyhow, bail};
use timely::CommunicationConfig as Communication;
use timely::container::CapacityContainerBuilder;
use timely::dataflow::operators::{Exchange, Input, Inspect, Probe};
use timely::dataflow::{InputHandle, ProbeHandle};
use timely::worker::Worker;

pub use part::{Loading, Part};
pub use reference::engine_run;

use crate::engine::measures::{Outcome, StepRecord};
use crate::engine::{ReplicateResult, RuleSpec};
use crate::graph::generators::TheaterLayout;
use crate::model::Action;
use crate::scenario::Scenario;

/// What a partitioned run (or the engine's reference run) found, as files, as worker 0
/// gathers it.
#[derive(Debug, Clone, PartialEq)]
pub struct PartitionedRun {
    /// The result files (name, contents): for `threshold`, `cascade.csv` and `active.txt`;
    /// for `sop`, `steps.csv`, `outcome.csv` and `actions.csv`.
    pub files: Vec<(String, String)>,
    /// Per step (from 1): bytes of messages sent to workers of other processes.
    pub remote_bytes: Vec<u64>,
    /// Per step (from 1): wall seconds on worker 0.
    pub seconds: Vec<f64>,
    /// One line for the terminal.
    pub summary: String,
}

impl PartitionedRun {
    /// `exchange.csv`: `step,remote_bytes,seconds`.
    pub fn exchange_csv(&self) -> String {
        let mut x = String::from("step,remote_bytes,seconds\n");
        for (t, (b, sec)) in self.remote_bytes.iter().zip(&self.seconds).enumerate() {
            x.push_str(&format!("{},{b},{sec:.6}\n", t + 1));
        }
        x
    }
}

/// What one process of a partitioned run held.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ProcessPart {
    /// Its agents, `first..end`.
    pub first: u32,
    /// One past its last agent.
    pub end: u32,
    /// Agents in the whole graph.
    pub node_count: u32,
    /// Bytes of graph rows it held.
    pub graph_bytes: u64,
    /// Bytes of the `.ovg` cache it read (0 when it built or read the whole graph).
    pub bytes_read: u64,
    /// How it got them.
    pub loading: Loading,
}

/// Worker `k`'s first agent among `n` split over `workers`.
fn first_of(k: u64, workers: u64, n: u64) -> u32 {
    (k * n / workers) as u32
}

/// Where this worker sits: its index, the number of workers, how many per process, and its
/// agents.
#[derive(Debug, Clone, Copy)]
pub struct Place {
    /// This worker's index.
    pub me: u64,
    /// All workers.
    pub peers: u64,
    /// Workers per process.
    pub per_process: u64,
    /// Agents in the graph.
    pub n: u64,
    /// This worker's first agent.
    pub lo: u32,
    /// One past its last.
    pub hi: u32,
}

impl Place {
    fn new(me: u64, peers: u64, per_process: u64, n: u64) -> Place {
        Place {
            me,
            peers,
            per_process,
            n,
            lo: first_of(me, peers, n),
            hi: first_of(me + 1, peers, n),
        }
    }

    /// The worker that owns agent `v`.
    #[inline]
    pub fn owner(&self, v: u32) -> u32 {
        // The largest k with first_of(k) <= v.
        let mut k = (u64::from(v) * self.peers / self.n.max(1)) as u32;
        while u64::from(k) + 1 < self.peers && first_of(u64::from(k) + 1, self.peers, self.n) <= v {
            k += 1;
        }
        while k > 0 && first_of(u64::from(k), self.peers, self.n) > v {
            k -= 1;
        }
        k
    }

    /// Whether worker `k` lives in another process than this one.
    #[inline]
    pub fn remote(&self, k: u32) -> bool {
        u64::from(k) / self.per_process != self.me / self.per_process
    }
}

/// A message between workers: (destination worker, kind, value).
pub type Msg = (u32, u8, u64);
/// Bytes of one message on the wire.
pub const MSG_BYTES: u64 = std::mem::size_of::<Msg>() as u64;
type In = InputHandle<u64, CapacityContainerBuilder<Vec<Msg>>>;

/// A worker's channel to all workers: messages sent in an epoch are all delivered when the
/// epoch is finished.
pub struct Net {
    input: In,
    probe: ProbeHandle<u64>,
    /// Messages with the epoch they were sent in: a faster worker may already send the next
    /// epoch's while this one finishes the current.
    inbox: Rc<RefCell<Vec<(u64, Msg)>>>,
    epoch: u64,
    /// Bytes this worker sent to other processes in the current epoch.
    pub remote_bytes: u64,
}

impl Net {
    /// Builds the exchange dataflow on `worker`.
    pub fn new(worker: &mut Worker) -> Net {
        let mut input: In = InputHandle::new();
        let probe = ProbeHandle::new();
        let inbox: Rc<RefCell<Vec<(u64, Msg)>>> = Rc::new(RefCell::new(Vec::new()));
        let sink = inbox.clone();
        worker.dataflow::<u64, _, _>(|scope| {
            scope
                .input_from(&mut input)
                .container::<Vec<Msg>>()
                .exchange(|m: &Msg| u64::from(m.0))
                .inspect_core(move |event| {
                    if let Ok((stamp, data)) = event {
                        let t = stamp.elements().first().copied().unwrap_or(0);
                        sink.borrow_mut().extend(data.iter().map(|m| (t, *m)));
                    }
                })
                .probe_with(&probe);
        });
        Net {
            input,
            probe,
            inbox,
            epoch: 0,
            remote_bytes: 0,
        }
    }

    /// Sends `(kind, value)` to worker `to`.
    #[inline]
    pub fn send(&mut self, place: &Place, to: u32, kind: u8, value: u64) {
        if place.remote(to) {
            self.remote_bytes += MSG_BYTES;
        }
        self.input.send((to, kind, value));
    }

    /// Sends `(kind, value)` to every worker.
    pub fn broadcast(&mut self, place: &Place, kind: u8, value: u64) {
        for k in 0..place.peers as u32 {
            self.send(place, k, kind, value);
        }
    }

    /// Ends the current epoch and returns every message sent to this worker in it.
    pub fn finish(&mut self, worker: &mut Worker) -> Vec<Msg> {
        let done = self.epoch;
        self.epoch += 1;
        self.input.advance_to(self.epoch);
        while self.probe.less_than(self.input.time()) {
            // Parks (at most a millisecond) when there is nothing to do, rather than spinning:
            // on a host shared with other work, spinning workers take the cores their peers
            // need to send the epoch's messages.
            worker.step_or_park(Some(std::time::Duration::from_millis(1)));
        }
        let mut all = self.inbox.borrow_mut();
        let mut now = Vec::new();
        all.retain(|&(t, m)| {
            if t == done {
                now.push(m);
            }
            t != done
        });
        self.remote_bytes = 0;
        now
    }
}

/// The processes and workers timely's flags describe: (workers per process, this process's
/// index, processes).
fn layout(config: &timely::Config) -> (usize, usize, usize) {
    match &config.communication {
        Communication::Thread => (1, 0, 1),
        Communication::Process(w) | Communication::ProcessBinary(w) => (*w, 0, 1),
        Communication::Cluster {
            threads,
            process,
            addresses,
            ..
        } => (*threads, *process, addresses.len()),
    }
}

/// Checks that `scenario` can run partitioned, naming what cannot (all but the graph's
/// weights, which are known once it is loaded).
pub fn check(scenario: &Scenario) -> anyhow::Result<()> {
    let file = scenario.path.display();
    match &scenario.model {
        RuleSpec::Threshold(_) | RuleSpec::Sop(_) => {}
        other => bail!(
            "{file}: partitioned runs support the `threshold` and `sop` rules only (this \
             scenario's rule is `{}`); run it with `ovation run`",
            other.name()
        ),
    }
    if let RuleSpec::Sop(_) = &scenario.model {
        sop::check(scenario)?;
    }
    agents::check_seeding(scenario)?;
    if scenario.brand.is_some() {
        bail!(
            "{file}: partitioned runs do not support the `[brand]` agent (it reads the whole \
             audience every step); run it with `ovation run`"
        );
    }
    Ok(())
}

/// A finished replicate at worker 0: its files and its [`ReplicateResult`].
pub type Finished = (PartitionedRun, ReplicateResult);

/// What worker 0 does with each finished replicate (in the process that hosts it): write it.
pub type OnFinished = dyn FnMut(Finished) -> anyhow::Result<()> + Send;

/// The index of this process among the processes timely's flags describe (`-p`, 0 by
/// default). **Errors** when the flags do not parse.
pub fn process_index(timely_args: &[String]) -> anyhow::Result<usize> {
    let config = timely::Config::from_args(timely_args.iter().cloned())
        .map_err(|e| anyhow!("timely: {e}"))?;
    Ok(layout(&config).1)
}

/// Seconds a process of a multi-process run waits, by default, for every other process to
/// connect and for the first epoch to go round (`OVATION_CONNECT_TIMEOUT` overrides it; `0`
/// waits for ever). Each process loads its part of the graph before it connects, so the wait
/// includes the slowest process's loading.
pub const CONNECT_TIMEOUT_S: u64 = 600;

/// Starts the watchdog of a multi-process run: unless something is sent on the returned
/// channel within the connect timeout ([`CONNECT_TIMEOUT_S`]), it says on standard error what
/// to check and ends the process with status 2. Timely retries a missing peer's connection for
/// ever and a process started with another `-w` or `-n` never completes an epoch, so without
/// it such a run hangs silently. `None` for a single process (nothing to wait for).
fn connect_watchdog(process: usize, processes: usize) -> Option<std::sync::mpsc::Sender<()>> {
    if processes < 2 {
        return None;
    }
    let secs = std::env::var("OVATION_CONNECT_TIMEOUT")
        .ok()
        .and_then(|s| s.trim().parse::<u64>().ok())
        .unwrap_or(CONNECT_TIMEOUT_S);
    if secs == 0 {
        return None;
    }
    let (tx, rx) = std::sync::mpsc::channel::<()>();
    std::thread::spawn(move || {
        if let Err(std::sync::mpsc::RecvTimeoutError::Timeout) =
            rx.recv_timeout(std::time::Duration::from_secs(secs))
        {
            eprintln!(
                "error: process {process} of {processes}: the other processes did not all \
                 connect and answer within {secs} s (OVATION_CONNECT_TIMEOUT). Start every \
                 process with the same -n and -w and the same hostfile (-h), each with its own \
                 -p from 0 to {last}, and check that every host:port in the hostfile is \
                 reachable",
                last = processes - 1
            );
            std::process::exit(2);
        }
    });
    Some(tx)
}

/// Runs the replicates `todo` of `scenario` one after the other, each partitioned across the
/// timely workers that `timely_args` describe (`-w`, `-n`, `-p`, `-h`). Only the process
/// hosting worker 0 needs to know `todo` (the others may pass `None`): worker 0 sends it to
/// all before the first replicate. Worker 0 hands each finished replicate to `on_finished` as
/// it ends; an error from it ends the run. Returns what this process held.
pub fn run_replicates(
    scenario: &Scenario,
    todo: Option<Vec<u32>>,
    timely_args: Vec<String>,
    on_finished: Box<OnFinished>,
) -> anyhow::Result<ProcessPart> {
    check(scenario)?;
    let config =
        timely::Config::from_args(timely_args.into_iter()).map_err(|e| anyhow!("timely: {e}"))?;
    let (per_process, process, processes) = layout(&config);
    if process >= processes {
        bail!("timely: process index -p {process} is not below the -n {processes} processes");
    }
    if process == 0 && todo.is_none() {
        bail!("the process hosting worker 0 must be given the replicates to run");
    }
    // One graph for all replicates: per-replicate graphs are run one replicate at a time.
    let graph_replicate = match (&todo, crate::runner::graph_per_replicate(scenario)) {
        (_, false) => 0,
        (Some(list), true) if list.len() == 1 => list[0],
        _ => bail!(
            "{}: graph.per_replicate = true builds a graph per replicate; a partitioned run \
             takes one replicate at a time of such a scenario (`--replicate R`)",
            scenario.path.display()
        ),
    };
    let peers = (per_process * processes) as u64;
    // The graph: its node count from the cache's header, or the whole graph built once.
    let whole = Part::whole(scenario, graph_replicate)?;
    let n = match &whole {
        Some(g) => g.node_count(),
        None => Part::cached_node_count(scenario)?.unwrap_or(0),
    };
    let (lo, hi) = (
        first_of((process * per_process) as u64, peers, u64::from(n)),
        first_of(((process + 1) * per_process) as u64, peers, u64::from(n)),
    );
    let (part, loading) = Part::load(scenario, whole.as_ref(), lo, hi)?;
    drop(whole);
    let held = ProcessPart {
        first: lo,
        end: hi,
        node_count: n,
        graph_bytes: part.bytes(),
        bytes_read: part.bytes_read,
        loading,
    };
    // Everything that can be wrong with the scenario shows here, before any worker starts:
    // a worker's own preparation of any replicate then cannot fail.
    let rule = Rule::new(scenario, &part)?;
    rule.prepare(
        &part,
        lo,
        hi,
        todo.as_ref().and_then(|t| t.first()).copied().unwrap_or(0),
    )?;
    let shared = Arc::new((rule, part));
    install_fault_hook();
    let on_finished = Arc::new(Mutex::new(on_finished));
    let failure: Arc<Mutex<Option<anyhow::Error>>> = Arc::new(Mutex::new(None));
    let failed = failure.clone();
    let started = connect_watchdog(process, processes);
    let guards = timely::execute(config, move |worker| {
        let place = Place::new(
            worker.index() as u64,
            worker.peers() as u64,
            per_process as u64,
            u64::from(n),
        );
        let (rule, part) = &*shared;
        let mut net = Net::new(worker);
        // Worker 0 tells every worker which replicates to run.
        if place.me == 0 {
            for &r in todo.iter().flatten() {
                net.broadcast(&place, PLAN, u64::from(r));
            }
        }
        let mut plan: Vec<u32> = net.finish(worker).iter().map(|m| m.2 as u32).collect();
        if let Some(started) = &started {
            // Every process connected and the first epoch went round: the layout is sound.
            let _ = started.send(());
        }
        plan.sort_unstable();
        for r in plan {
            let local = rule
                .prepare(part, place.lo, place.hi, r)
                .expect("checked before the workers started");
            let found = rule.run(local, part, worker, &mut net, place);
            if let Some(found) = found {
                let mut write = on_finished.lock().expect("not poisoned");
                if let Err(e) = write(found) {
                    *failed.lock().expect("not poisoned") = Some(e);
                    // Nothing more is written; the other workers finish the replicates.
                }
            }
        }
    })
    .map_err(|e| anyhow!("timely: {e}"))?;
    drop(guards);
    if let Some(e) = failure
        .lock()
        .map_err(|_| anyhow!("a worker panicked"))?
        .take()
    {
        return Err(e);
    }
    Ok(held)
}

/// Runs replicate `replicate` of `scenario` partitioned across the timely workers that
/// `timely_args` describe (`-w`, `-n`, `-p`, `-h`); returns what this process held and, in the
/// process that hosts worker 0, the gathered result.
pub fn run(
    scenario: &Scenario,
    replicate: u32,
    timely_args: Vec<String>,
) -> anyhow::Result<(ProcessPart, Option<PartitionedRun>)> {
    let found: Arc<Mutex<Option<PartitionedRun>>> = Arc::new(Mutex::new(None));
    let out = found.clone();
    let held = run_replicates(
        scenario,
        Some(vec![replicate]),
        timely_args,
        Box::new(move |(files, _)| {
            *out.lock().map_err(|_| anyhow!("poisoned"))? = Some(files);
            Ok(())
        }),
    )?;
    let found = found
        .lock()
        .map_err(|_| anyhow!("a worker panicked"))?
        .take();
    Ok((held, found))
}

/// The rules a partitioned run supports, with what each needs for every replicate.
enum Rule {
    Threshold(threshold::Rule),
    Sop(sop::Rule),
}

/// A worker's state for one replicate of a rule.
enum Local {
    Threshold(threshold::Local),
    Sop(sop::Local),
}

impl Rule {
    /// Checks the scenario against what the partitioned rule supports.
    fn new(scenario: &Scenario, part: &Part) -> anyhow::Result<Rule> {
        Ok(match &scenario.model {
            RuleSpec::Threshold(p) => Rule::Threshold(threshold::Rule::new(scenario, p, part)?),
            RuleSpec::Sop(p) => Rule::Sop(sop::Rule::new(scenario, p, part)?),
            _ => unreachable!("checked by `check`"),
        })
    }

    /// The state of the agents `lo..hi` in replicate `replicate`.
    fn prepare(&self, part: &Part, lo: u32, hi: u32, replicate: u32) -> anyhow::Result<Local> {
        Ok(match self {
            Rule::Threshold(t) => Local::Threshold(t.prepare(part, lo, hi, replicate)?),
            Rule::Sop(s) => Local::Sop(s.prepare(part, lo, hi, replicate)?),
        })
    }

    /// Runs one replicate on this worker; worker 0 returns it.
    fn run(
        &self,
        local: Local,
        part: &Part,
        worker: &mut Worker,
        net: &mut Net,
        place: Place,
    ) -> Option<Finished> {
        match (self, local) {
            (Rule::Threshold(t), Local::Threshold(l)) => t.run(l, part, worker, net, place),
            (Rule::Sop(s), Local::Sop(l)) => s.run(l, part, worker, net, place),
            _ => unreachable!("a rule prepares its own state"),
        }
    }
}

/// The replicates to run (value), from worker 0 to all.
const PLAN: u8 = 200;
/// A worker's counts of its agents at the end (kind `MEASURES + k`, value the count), for
/// worker 0: see [`Measures`].
const MEASURES: u8 = 210;
/// An agent's final action (value = agent | action << 32), for worker 0; only agents not
/// sitting are sent.
const FINAL: u8 = 220;

/// Counts over a worker's agents at the end of a replicate, summed at worker 0 into the
/// replicate's measures (as `engine::run` computes them over all agents).
#[derive(Debug, Clone, Copy, Default)]
struct Measures {
    /// Agents whose final action differs from their step-0 action.
    cascade: u64,
    /// Standing at the end against their own signal.
    conformers: u64,
    /// Sitting at the end despite their own signal.
    suppressed: u64,
    /// Final action equal to their own signal's.
    efficient: u64,
    /// Standing at step 0.
    initial_standing: u64,
}

impl Measures {
    fn of(initial: &[u8], own: &[u8], fin: &[u8]) -> Measures {
        let mut m = Measures::default();
        let (stand, sit) = (Action::Stand as u8, Action::Sit as u8);
        for ((&i, &o), &f) in initial.iter().zip(own).zip(fin) {
            m.cascade += u64::from(f != i);
            m.conformers += u64::from(f == stand && o == sit);
            m.suppressed += u64::from(f == sit && o == stand);
            m.efficient += u64::from(f == o);
            m.initial_standing += u64::from(i == stand);
        }
        m
    }

    fn as_array(self) -> [u64; 5] {
        [
            self.cascade,
            self.conformers,
            self.suppressed,
            self.efficient,
            self.initial_standing,
        ]
    }
}

/// Sends this worker's end-of-replicate measures and final actions (`fin`, of agents
/// `lo..`) to worker 0 and, at worker 0, returns the sums and every agent not sitting.
fn gather(
    net: &mut Net,
    worker: &mut Worker,
    place: &Place,
    measures: Measures,
    fin: &[u8],
) -> Option<(Measures, Vec<(u32, u8)>)> {
    for (k, x) in measures.as_array().into_iter().enumerate() {
        net.send(place, 0, MEASURES + k as u8, x);
    }
    for (k, &a) in fin.iter().enumerate() {
        if a != Action::Sit as u8 {
            net.send(
                place,
                0,
                FINAL,
                u64::from(place.lo + k as u32) | u64::from(a) << 32,
            );
        }
    }
    let msgs = net.finish(worker);
    if place.me != 0 {
        return None;
    }
    let mut sums = [0u64; 5];
    let mut acting = Vec::new();
    for &(_, kind, value) in &msgs {
        if kind == FINAL {
            acting.push((value as u32, (value >> 32) as u8));
        } else if (MEASURES..MEASURES + 5).contains(&kind) {
            sums[(kind - MEASURES) as usize] += value;
        }
    }
    acting.sort_unstable();
    let [cascade, conformers, suppressed, efficient, initial_standing] = sums;
    Some((
        Measures {
            cascade,
            conformers,
            suppressed,
            efficient,
            initial_standing,
        },
        acting,
    ))
}

/// A replicate's [`ReplicateResult`] from what worker 0 gathered: `records` per step (step,
/// sitting, standing, booing, changes, exposures, in agents and edges), how it ended, the
/// measures, the agents not sitting at the end. Its edge visits are the partitioned run's own
/// (the step-0 count over every edge, then the exposures); seed reach and the measures by
/// class, which need the whole graph or population in one place, are left out.
#[allow(clippy::too_many_arguments)]
fn replicate_result(
    replicate: u32,
    n: u32,
    m: u64,
    records: &[[u64; 6]],
    ending: (Outcome, u32, u32),
    measures: Measures,
    acting: &[(u32, u8)],
    theater: Option<TheaterLayout>,
    extra: BTreeMap<String, f64>,
) -> ReplicateResult {
    let nf = f64::from(n.max(1));
    let trajectory: Vec<StepRecord> = records
        .iter()
        .map(|r| StepRecord {
            step: r[0] as u32,
            sitting: r[1] as f64 / nf,
            standing: r[2] as f64 / nf,
            booing: r[3] as f64 / nf,
            changes: r[4],
            exposures: r[5],
        })
        .collect();
    let mut peak = (0.0, 0u32);
    for rec in &trajectory {
        if rec.booing > peak.0 {
            peak = (rec.booing, rec.step);
        }
    }
    let last = records.last().copied().unwrap_or_default();
    let (standing_by_row, final_standing_by_seat) = match theater {
        Some(t) if t.rows * t.seats == n => {
            let mut seats = vec![0u8; n as usize];
            for &(v, a) in acting {
                seats[v as usize] = u8::from(a == Action::Stand as u8);
            }
            let rows = seats
                .chunks(t.seats as usize)
                .map(|row| row.iter().map(|&s| f64::from(s)).sum::<f64>() / row.len() as f64)
                .collect();
            (rows, seats)
        }
        _ => (Vec::new(), Vec::new()),
    };
    ReplicateResult {
        replicate,
        outcome: ending.0,
        cycle_period: ending.2,
        steps: ending.1,
        initial_standing: measures.initial_standing as f64 / nf,
        final_sitting: last[1] as f64 / nf,
        final_standing: last[2] as f64 / nf,
        final_booing: last[3] as f64 / nf,
        peak_booing: peak.0,
        peak_booing_step: peak.1,
        cascade_size: measures.cascade,
        conformers: measures.conformers as f64 / nf,
        suppressed: measures.suppressed as f64 / nf,
        information_efficiency: measures.efficient as f64 / nf,
        edge_visits: m + records.iter().map(|r| r[5]).sum::<u64>(),
        standing_by_row,
        final_standing_by_seat,
        seed_reach: Vec::new(),
        extra,
        trajectory,
        classes: Vec::new(),
        agents: None,
    }
}

/// A lost peer makes timely's communication threads panic: end the process with a clear
/// error instead of waiting for progress that cannot come.
fn install_fault_hook() {
    let default_hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        let text = info.to_string();
        let thread = std::thread::current().name().unwrap_or("").to_string();
        if !thread.starts_with("timely:work") && !text.contains("timely") {
            default_hook(info);
            return;
        }
        eprintln!(
            "ovation: the partitioned run failed: a process of the run was lost or could not \
             be reached ({text})"
        );
        std::process::exit(1);
    }));
}
