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
//! # Faults
//!
//! A process that dies breaks its TCP connections; timely's communication threads then panic
//! in the surviving processes, and the panic hook installed here turns that into a clear error
//! and exits the process (instead of waiting forever for progress that cannot come).

pub mod agents;
pub mod part;
mod reference;
pub mod sop;
pub mod threshold;

use std::cell::RefCell;
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

use crate::engine::RuleSpec;
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
/// A worker's part of a run: worker 0 returns the gathered result.
type Job = dyn Fn(&mut Worker, Place) -> Option<PartitionedRun> + Send + Sync;
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
            worker.step();
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

/// Checks that `scenario` can run partitioned, naming what cannot.
fn check(scenario: &Scenario) -> anyhow::Result<()> {
    let file = scenario.path.display();
    match &scenario.model {
        RuleSpec::Threshold(_) | RuleSpec::Sop(_) => {}
        other => bail!(
            "{file}: partitioned runs support the `threshold` and `sop` rules only (this \
             scenario's rule is `{}`); run it with `ovation run`",
            other.name()
        ),
    }
    if scenario.brand.is_some() {
        bail!(
            "{file}: partitioned runs do not support the `[brand]` agent (it reads the whole \
             audience every step); run it with `ovation run`"
        );
    }
    Ok(())
}

/// Runs replicate `replicate` of `scenario` partitioned across the timely workers that
/// `timely_args` describe (`-w`, `-n`, `-p`, `-h`); returns what this process held and, in the
/// process that hosts worker 0, the gathered result.
pub fn run(
    scenario: &Scenario,
    replicate: u32,
    timely_args: Vec<String>,
) -> anyhow::Result<(ProcessPart, Option<PartitionedRun>)> {
    check(scenario)?;
    let config =
        timely::Config::from_args(timely_args.into_iter()).map_err(|e| anyhow!("timely: {e}"))?;
    let (per_process, process, processes) = layout(&config);
    if process >= processes {
        bail!("timely: process index -p {process} is not below the -n {processes} processes");
    }
    let peers = (per_process * processes) as u64;
    // The graph: its node count from the cache's header, or the whole graph built once.
    let whole = Part::whole(scenario, replicate)?;
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
    let seeds = agents::seeds(scenario, n, replicate)?;
    let agents = agents::owned(scenario, n, lo, hi, replicate, &seeds)?;
    let job: Arc<Job> = match &scenario.model {
        RuleSpec::Threshold(params) => Arc::new(threshold::prepare(
            scenario, params, part, agents, replicate,
        )?),
        RuleSpec::Sop(params) => Arc::new(sop::prepare(scenario, params, part, agents, replicate)?),
        _ => unreachable!("checked above"),
    };
    install_fault_hook();
    let result: Arc<Mutex<Option<PartitionedRun>>> = Arc::new(Mutex::new(None));
    let out = result.clone();
    let guards = timely::execute(config, move |worker| {
        let place = Place::new(
            worker.index() as u64,
            worker.peers() as u64,
            per_process as u64,
            u64::from(n),
        );
        if let Some(found) = job(worker, place) {
            *out.lock().expect("not poisoned") = Some(found);
        }
    })
    .map_err(|e| anyhow!("timely: {e}"))?;
    drop(guards);
    let found = result
        .lock()
        .map_err(|_| anyhow!("a worker panicked"))?
        .take();
    Ok((held, found))
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
