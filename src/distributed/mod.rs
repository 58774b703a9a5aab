//! Partitioned runs on timely-dataflow (cargo feature `distributed`): one replicate of the
//! threshold cascade with its agents split by id ranges across timely workers, in one process
//! or many (`-w` workers per process, `-n` processes, `-p` this process's index, `-h` a
//! hostfile of `host:port` lines, timely's own flags).
//!
//! # The step
//!
//! Worker `k` of `W` owns the agents `[k n / W, (k + 1) n / W)`: their need (sources to adopt),
//! their countdown and whether they are active. A step is two timely epochs:
//!
//! 1. every worker sends each agent that adopted in the previous step, once, to each worker
//!    owning at least one of its followers (only changed agents travel, and only to where
//!    they are needed); the receiving worker counts it down at its own followers of it;
//! 2. every worker sends to every worker how many of its agents adopted in this step, so all
//!    know the step's total: the cascade has reached its fixed point when it is 0.
//!
//! The end of each epoch is decided by timely's progress tracking (a probe: no worker reads its
//! inbox before every message of the epoch has arrived). Countdowns are integers, so the order
//! in which messages arrive changes nothing: the adopters of each step, the step count and the
//! final active set are the single-process engine's, for any split (tested on 1, 2 and 3
//! processes against `engine::rules::threshold`).
//!
//! # What is supported
//!
//! The `threshold` rule (Granovetter, Watts; fractional or absolute, strict or not), unweighted,
//! synchronous, with the scenario's initial and seeded agents. Other rules, weighted edges and
//! other timing schemes are refused with a message saying so. Each process loads the whole
//! graph and samples the whole population (the agents' thresholds are keyed by agent, so each
//! worker could sample only its own; loading only the owned rows of the `.ovg` cache is not
//! done yet).
//!
//! # Faults
//!
//! A process that dies breaks its TCP connections; timely's communication threads then panic
//! in the surviving processes, and [`run_threshold`] turns that into a clear error and exits
//! the process (instead of waiting forever for progress that cannot come).

use std::cell::RefCell;
use std::rc::Rc;
use std::sync::{Arc, Mutex};
use std::time::Instant;

use anyhow::{Context, anyhow, bail};
use timely::container::CapacityContainerBuilder;
use timely::dataflow::operators::{Exchange, Input, Inspect, Probe};
use timely::dataflow::{InputHandle, ProbeHandle};
use timely::worker::Worker;

use crate::engine::RuleSpec;
use crate::engine::rules::threshold::{NEVER, needs};
use crate::graph::FollowerGraph;
use crate::model::Action;
use crate::model::population::NOT_FIXED;
use crate::rng::replicate_key;
use crate::runner;
use crate::scenario::Scenario;

/// What a partitioned cascade found, as worker 0 gathers it.
#[derive(Debug, Clone, PartialEq)]
pub struct CascadeRun {
    /// Active agents after step 0 (the initial ones), then after each step with adoptions.
    pub active_after: Vec<u64>,
    /// The active agents at the end, ascending.
    pub active: Vec<u32>,
    /// Per step (from 1): bytes of activation messages sent to workers of other processes.
    pub remote_bytes: Vec<u64>,
    /// Per step (from 1): wall seconds on worker 0.
    pub seconds: Vec<f64>,
}

impl CascadeRun {
    /// `cascade.csv`: `step,active` (active agents after each step; step 0 the initial ones).
    pub fn cascade_csv(&self) -> String {
        let mut s = String::from("step,active\n");
        for (t, a) in self.active_after.iter().enumerate() {
            s.push_str(&format!("{t},{a}\n"));
        }
        s
    }

    /// `active.txt`: the active agents at the end, one id a line.
    pub fn active_txt(&self) -> String {
        self.active.iter().map(|v| format!("{v}\n")).collect()
    }
}

/// The needs and initial actives of replicate `replicate` of `scenario` on `graph`: exactly
/// what the single-process engine starts from.
fn setup(
    scenario: &Scenario,
    graph: &FollowerGraph,
    replicate: u32,
) -> anyhow::Result<(Vec<i32>, Vec<bool>)> {
    let RuleSpec::Threshold(params) = &scenario.model else {
        bail!(
            "{}: partitioned runs support the `threshold` rule only (this scenario's rule is \
             `{}`); run it with `ovation run`",
            scenario.path.display(),
            scenario.model.name()
        );
    };
    if params.weighted {
        bail!(
            "{}: partitioned runs do not support weighted thresholds (model.weighted = true) \
             yet; run it with `ovation run`",
            scenario.path.display()
        );
    }
    let agents = runner::agents_for(scenario, graph, replicate)?;
    let key = replicate_key(scenario.seed, u64::from(replicate));
    let thresholds = params
        .thresholds(graph.node_count(), key)
        .map_err(|e| anyhow!("{}: {e}", scenario.path.display()))?;
    let mut need = needs(graph, params, &thresholds, None);
    for (v, nd) in need.iter_mut().enumerate() {
        if agents.fixed[v] != NOT_FIXED {
            *nd = NEVER;
        }
    }
    let initial = agents
        .initial
        .iter()
        .map(|&a| a == Action::Stand as u8)
        .collect();
    Ok((need, initial))
}

/// A message between workers: (destination worker, kind, value).
type Msg = (u32, u8, u64);
/// The input every worker sends its messages into.
type In = InputHandle<u64, CapacityContainerBuilder<Vec<Msg>>>;
/// An agent (value) that adopted, for the destination's followers of it.
const ACTIVATED: u8 = 0;
/// How many agents (value) adopted in the step at the sending worker.
const COUNT: u8 = 1;
/// An agent (value) active at the end, for worker 0.
const FINAL: u8 = 2;

/// The first agent owned by worker `k` of `workers` among `n` agents.
fn first_of(k: u64, workers: u64, n: u64) -> u32 {
    (k * n / workers) as u32
}

/// Runs replicate `replicate` of `scenario`'s threshold cascade partitioned across the timely
/// workers that `timely_args` describe (`-w`, `-n`, `-p`, `-h`); returns worker 0's gathered
/// result in the process that hosts it, `None` in the others.
pub fn run_threshold(
    scenario: &Scenario,
    replicate: u32,
    timely_args: Vec<String>,
) -> anyhow::Result<Option<CascadeRun>> {
    let graph = Arc::new(runner::load_graph(scenario, Some(replicate))?);
    let (need, initial) = setup(scenario, &graph, replicate)?;
    let (need, initial) = (Arc::new(need), Arc::new(initial));
    let max_steps = scenario.stop.max_steps;
    let result: Arc<Mutex<Option<CascadeRun>>> = Arc::new(Mutex::new(None));
    let out = result.clone();

    // A lost peer makes timely's communication threads panic: end the process with a clear
    // error instead of waiting for progress that cannot come.
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

    let per_process: u64 = timely_args
        .iter()
        .position(|a| a == "-w" || a == "--workers")
        .and_then(|i| timely_args.get(i + 1))
        .and_then(|w| w.parse().ok())
        .unwrap_or(1)
        .max(1);
    let mut args = vec!["ovation".to_string()];
    args.extend(timely_args);
    let guards = timely::execute_from_args(args.into_iter(), move |worker| {
        let me = worker.index() as u64;
        let peers = worker.peers() as u64;
        let n = u64::from(graph.node_count());
        let (lo, hi) = (first_of(me, peers, n), first_of(me + 1, peers, n));
        let owner = |v: u32| -> u32 {
            // The largest k with first_of(k) <= v.
            let mut k = (u64::from(v) * peers / n.max(1)) as u32;
            while u64::from(k) + 1 < peers && first_of(u64::from(k) + 1, peers, n) <= v {
                k += 1;
            }
            while k > 0 && first_of(u64::from(k), peers, n) > v {
                k -= 1;
            }
            k
        };
        let mut input: In = InputHandle::new();
        let probe = ProbeHandle::new();
        // Messages with the epoch they were sent in: a faster worker may already send the next
        // epoch's while this one finishes the current.
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
        let mut epoch = 0u64;
        // Ends the current epoch and returns every message sent to this worker in it.
        let mut finish_epoch = |input: &mut In, worker: &mut Worker| -> Vec<Msg> {
            let done = epoch;
            epoch += 1;
            input.advance_to(epoch);
            while probe.less_than(input.time()) {
                worker.step();
            }
            let mut all = inbox.borrow_mut();
            let mut now = Vec::new();
            all.retain(|&(t, m)| {
                if t == done {
                    now.push(m);
                }
                t != done
            });
            now
        };

        let local = (lo..hi).map(|v| v as usize);
        let mut active: Vec<bool> = local.clone().map(|v| initial[v]).collect();
        let mut rem: Vec<i64> = local.clone().map(|v| i64::from(need[v])).collect();
        let mut frontier: Vec<u32> = (lo..hi).filter(|&v| initial[v as usize]).collect();
        let mut active_after = Vec::new();
        let mut remote_bytes = Vec::new();
        let mut seconds = Vec::new();

        // Step 0: the initial actives, counted everywhere.
        for k in 0..peers as u32 {
            input.send((k, COUNT, frontier.len() as u64));
        }
        let total: u64 = finish_epoch(&mut input, worker).iter().map(|m| m.2).sum();
        active_after.push(total);

        let mut step = 0u32;
        while step < max_steps {
            let clock = Instant::now();
            step += 1;
            // 1. Each adopter of the last step, once to each worker owning a follower of it.
            let mut sent_remote = 0u64;
            for &u in &frontier {
                let mut last = u32::MAX;
                for &v in graph.followers(u) {
                    let k = owner(v);
                    if k != last {
                        input.send((k, ACTIVATED, u64::from(u)));
                        // Timely numbers each process's workers consecutively.
                        if u64::from(k) / per_process != me / per_process {
                            sent_remote += std::mem::size_of::<Msg>() as u64;
                        }
                        last = k;
                    }
                }
            }
            let mut adopted: Vec<u32> = Vec::new();
            for (_, _, u) in finish_epoch(&mut input, worker) {
                for &v in graph.followers(u as u32) {
                    if v < lo || v >= hi {
                        continue;
                    }
                    let i = (v - lo) as usize;
                    rem[i] -= 1;
                    if rem[i] == 0 && !active[i] {
                        active[i] = true;
                        adopted.push(v);
                    }
                }
            }
            if step == 1 {
                // Agents that need no active source adopt in the first step.
                for v in lo..hi {
                    let i = (v - lo) as usize;
                    if need[v as usize] == 0 && !active[i] {
                        active[i] = true;
                        adopted.push(v);
                    }
                }
            }
            adopted.sort_unstable();
            // 2. The step's adopters, counted everywhere.
            for k in 0..peers as u32 {
                input.send((k, COUNT, adopted.len() as u64));
            }
            let total: u64 = finish_epoch(&mut input, worker).iter().map(|m| m.2).sum();
            remote_bytes.push(sent_remote);
            seconds.push(clock.elapsed().as_secs_f64());
            if total == 0 {
                break;
            }
            let before = *active_after.last().unwrap_or(&0);
            active_after.push(before + total);
            frontier = adopted;
        }
        // Gather the final actives at worker 0.
        for v in lo..hi {
            if active[(v - lo) as usize] {
                input.send((0, FINAL, u64::from(v)));
            }
        }
        let finals = finish_epoch(&mut input, worker);
        if me == 0 {
            let mut all: Vec<u32> = finals.iter().map(|m| m.2 as u32).collect();
            all.sort_unstable();
            *out.lock().expect("not poisoned") = Some(CascadeRun {
                active_after,
                active: all,
                remote_bytes,
                seconds,
            });
        }
    })
    .map_err(|e| anyhow!("timely: {e}"))?;
    drop(guards);
    let found = result
        .lock()
        .map_err(|_| anyhow!("a worker panicked"))?
        .take();
    Ok(found)
}

/// The same cascade by the single-process engine (`engine::rules::threshold` through the
/// runner), in the same form: the reference a partitioned run must equal.
pub fn engine_threshold(scenario: &Scenario, replicate: u32) -> anyhow::Result<CascadeRun> {
    struct Actives {
        after: Vec<u64>,
        last: Vec<u8>,
    }
    impl crate::engine::Observer for Actives {
        fn on_step(&mut self, _record: &crate::engine::StepRecord) {}
        fn wants_actions(&self) -> bool {
            true
        }
        fn on_actions(&mut self, _step: u32, actions: &[u8]) {
            let count = actions
                .iter()
                .filter(|&&a| a == Action::Stand as u8)
                .count() as u64;
            if self.after.last() != Some(&count) || self.after.is_empty() {
                self.after.push(count);
            }
            self.last = actions.to_vec();
        }
    }
    setup(
        scenario,
        &runner::load_graph(scenario, Some(replicate))?,
        replicate,
    )?;
    let mut obs = Actives {
        after: Vec::new(),
        last: Vec::new(),
    };
    runner::run_one_with(scenario, None, replicate, Some(&mut obs))
        .context("the single-process run")?;
    Ok(CascadeRun {
        active_after: obs.after,
        active: (0..obs.last.len() as u32)
            .filter(|&v| obs.last[v as usize] == Action::Stand as u8)
            .collect(),
        remote_bytes: Vec::new(),
        seconds: Vec::new(),
    })
}
