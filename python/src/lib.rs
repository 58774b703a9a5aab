//! `ovation._native`: the Python extension behind the `ovation` package (`python/ovation/`).
//!
//! It is a thin layer over `ovation::jobs`: it turns a scenario given as a path or a dict
//! (plus `set` overrides) into a validated scenario, runs the job on a rayon pool of the
//! requested size with the GIL released, checks for Ctrl-C between replicates (through the
//! job's progress observer), and hands back the tables as the command line writes them (CSV
//! and JSON text, which the Python layer turns into pandas DataFrames and dicts). Errors are
//! raised as `ovation.OvationError` with the command line's text.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc;
use std::time::Duration;

use pyo3::create_exception;
use pyo3::exceptions::PyException;
use pyo3::prelude::*;
use pyo3::types::{PyBool, PyDict, PyFloat, PyInt, PyList, PyString, PyTuple};

use ovation::graph::FollowerGraph;
use ovation::graph::io::{Direction, IdKind, ImportOptions};
use ovation::graph::stats::GraphStats;
use ovation::jobs::{self, Destination, JobError, JobOptions, Progress};
use ovation::output::FolderMode;
use ovation::scenario::{self, Scenario};

create_exception!(
    _native,
    OvationError,
    PyException,
    "A scenario, graph or job error, with the command line's text (`file:line:col: key: expected ...`)."
);

/// What `check_signals` found: the job stops between replicates once it is set.
struct Cancel(AtomicBool);

impl Progress for Cancel {
    fn cancelled(&self) -> bool {
        self.0.load(Ordering::Relaxed)
    }
}

/// A scenario given from Python: a file, or a dict written to a TOML file in a temporary
/// folder that lives as long as the job (its errors name it `<dict>`).
struct Source {
    path: PathBuf,
    _dir: Option<tempfile::TempDir>,
}

impl Source {
    fn new(obj: &Bound<'_, PyAny>) -> PyResult<Source> {
        if let Ok(dict) = obj.cast::<PyDict>() {
            let mut value = to_toml(dict.as_any(), "scenario")?;
            absolute_graph_file(&mut value)?;
            let text = toml::to_string(&value)
                .map_err(|e| OvationError::new_err(format!("<dict>: cannot write as TOML: {e}")))?;
            let dir = tempfile::tempdir()
                .map_err(|e| OvationError::new_err(format!("temporary folder: {e}")))?;
            let path = dir.path().join("scenario.toml");
            std::fs::write(&path, text)
                .map_err(|e| OvationError::new_err(format!("{}: {e}", path.display())))?;
            return Ok(Source {
                path,
                _dir: Some(dir),
            });
        }
        let path: PathBuf = obj.extract().map_err(|_| {
            pyo3::exceptions::PyTypeError::new_err(
                "scenario: expected a path to a TOML file or a dict of its tables",
            )
        })?;
        Ok(Source { path, _dir: None })
    }

    /// `text` with this source's temporary file named `<dict>`.
    fn error(&self, text: String) -> PyErr {
        let text = match &self._dir {
            Some(_) => text.replace(&self.path.display().to_string(), "<dict>"),
            None => text,
        };
        OvationError::new_err(text)
    }
}

/// A dict's relative `graph.file` made absolute against the current folder (its TOML file is
/// written elsewhere, and paths in a file are relative to the file).
fn absolute_graph_file(value: &mut toml::Value) -> PyResult<()> {
    if let Some(toml::Value::String(file)) = value.get_mut("graph").and_then(|g| g.get_mut("file"))
        && Path::new(file.as_str()).is_relative()
    {
        let cwd = std::env::current_dir()
            .map_err(|e| OvationError::new_err(format!("current folder: {e}")))?;
        *file = cwd.join(file.as_str()).display().to_string();
    }
    Ok(())
}

/// A Python value as TOML: dicts, lists and tuples, str, bool, int and float; `key` names it
/// in errors.
fn to_toml(obj: &Bound<'_, PyAny>, key: &str) -> PyResult<toml::Value> {
    let bad = || {
        pyo3::exceptions::PyTypeError::new_err(format!(
            "{key}: expected a dict, list, str, bool, int or float, found {}",
            obj.get_type()
                .name()
                .map(|n| n.to_string())
                .unwrap_or_default()
        ))
    };
    if let Ok(d) = obj.cast::<PyDict>() {
        let mut table = toml::Table::new();
        for (k, v) in d.iter() {
            let k: String = k.extract().map_err(|_| {
                pyo3::exceptions::PyTypeError::new_err(format!("{key}: keys must be str"))
            })?;
            let path = format!("{key}.{k}");
            table.insert(k, to_toml(&v, &path)?);
        }
        return Ok(toml::Value::Table(table));
    }
    if obj.is_instance_of::<PyList>() || obj.is_instance_of::<PyTuple>() {
        let mut out = Vec::new();
        for (i, v) in obj.try_iter()?.enumerate() {
            out.push(to_toml(&v?, &format!("{key}[{i}]"))?);
        }
        return Ok(toml::Value::Array(out));
    }
    if obj.is_instance_of::<PyBool>() {
        return Ok(toml::Value::Boolean(obj.extract()?));
    }
    if obj.is_instance_of::<PyInt>() {
        return Ok(toml::Value::Integer(obj.extract()?));
    }
    if obj.is_instance_of::<PyFloat>() {
        return Ok(toml::Value::Float(obj.extract()?));
    }
    if obj.is_instance_of::<PyString>() {
        return Ok(toml::Value::String(obj.extract()?));
    }
    Err(bad())
}

/// `set={"model.quality": 0.6}` as `--set` overrides (`model.quality=0.6`), in dict order.
fn overrides(set: Option<&Bound<'_, PyDict>>) -> PyResult<Vec<String>> {
    let mut out = Vec::new();
    if let Some(d) = set {
        for (k, v) in d.iter() {
            let k: String = k.extract()?;
            let value = to_toml(&v, &k)?;
            out.push(format!("{k}={value}"));
        }
    }
    Ok(out)
}

/// The destination: `out` opened new (or with `force` / `resume`), else memory (`None`).
fn destination(out: Option<PathBuf>, force: bool, resume: bool) -> PyResult<Option<Destination>> {
    if force && resume {
        return Err(OvationError::new_err(
            "force and resume exclude each other: force replaces the folder, resume finishes it",
        ));
    }
    Ok(out.map(|dir| Destination::Folder {
        dir,
        mode: match (force, resume) {
            (true, _) => FolderMode::Force,
            (_, true) => FolderMode::Resume,
            _ => FolderMode::New,
        },
    }))
}

/// Runs `job` on a pool of `threads` (None: rayon's global pool, all cores) with the GIL
/// released, checking for signals (Ctrl-C) every 50 ms; a signal stops the job between
/// replicates and is raised once it has stopped.
fn in_pool<T: Send>(
    py: Python<'_>,
    threads: Option<usize>,
    memory_limit: Option<u64>,
    destination: Destination,
    source: &Source,
    job: impl FnOnce(&JobOptions<'_>) -> Result<T, JobError> + Send,
) -> PyResult<T> {
    if threads == Some(0) {
        return Err(OvationError::new_err(
            "threads: expected at least 1, found 0",
        ));
    }
    let pool = match threads {
        Some(t) => Some(
            rayon::ThreadPoolBuilder::new()
                .num_threads(t)
                .build()
                .map_err(|e| OvationError::new_err(format!("cannot start {t} threads: {e}")))?,
        ),
        None => None,
    };
    let cancel = Cancel(AtomicBool::new(false));
    let (result, signal) = py.detach(|| {
        std::thread::scope(|s| {
            let (tx, rx) = mpsc::channel();
            let cancel = &cancel;
            let pool = &pool;
            s.spawn(move || {
                let options = JobOptions {
                    destination,
                    memory_limit: memory_limit.unwrap_or(u64::MAX),
                    progress: cancel,
                };
                let r = match pool {
                    Some(p) => p.install(|| job(&options)),
                    None => job(&options),
                };
                let _ = tx.send(r);
            });
            let mut signal = None;
            loop {
                match rx.recv_timeout(Duration::from_millis(50)) {
                    Ok(r) => return (Some(r), signal),
                    Err(mpsc::RecvTimeoutError::Disconnected) => return (None, signal),
                    Err(mpsc::RecvTimeoutError::Timeout) => {
                        if signal.is_none()
                            && let Err(e) = Python::attach(|py| py.check_signals())
                        {
                            cancel.0.store(true, Ordering::Relaxed);
                            signal = Some(e);
                        }
                    }
                }
            }
        })
    });
    if let Some(e) = signal {
        return Err(e);
    }
    match result {
        Some(Ok(t)) => Ok(t),
        Some(Err(e)) => Err(source.error(e.to_string())),
        None => Err(OvationError::new_err(
            "the job's thread stopped without a result",
        )),
    }
}

/// Loads the scenario of `source` with `set`.
fn load(source: &Source, set: &[String]) -> PyResult<Scenario> {
    scenario::load(&source.path, set).map_err(|e| source.error(e.to_string()))
}

/// Runs a scenario: returns a dict of `summary`, `steps`, `classes`, `agents` (CSV text; `agents`
/// empty unless the scenario asks for it), `stats`, `manifest`
/// (JSON text) and `folder` (None when kept in memory).
#[pyfunction]
#[pyo3(signature = (scenario, set=None, threads=None, out=None, force=false, resume=false, memory_limit=None))]
#[allow(clippy::too_many_arguments)]
fn run<'py>(
    py: Python<'py>,
    scenario: &Bound<'py, PyAny>,
    set: Option<&Bound<'py, PyDict>>,
    threads: Option<usize>,
    out: Option<PathBuf>,
    force: bool,
    resume: bool,
    memory_limit: Option<u64>,
) -> PyResult<Bound<'py, PyDict>> {
    let source = Source::new(scenario)?;
    let set = overrides(set)?;
    let sc = load(&source, &set)?;
    let dest = destination(out, force, resume)?.unwrap_or(Destination::Memory);
    let outcome = in_pool(py, threads, memory_limit, dest, &source, |o| {
        jobs::run(&sc, o)
    })?;
    let err = |e: JobError| source.error(e.to_string());
    let manifest = serde_json::to_string(&outcome.manifest)
        .map_err(|e| OvationError::new_err(format!("manifest: {e}")))?;
    let d = PyDict::new(py);
    d.set_item("summary", outcome.summary_csv().map_err(err)?)?;
    d.set_item("steps", outcome.steps_csv().map_err(err)?)?;
    d.set_item("classes", outcome.classes_csv().map_err(err)?)?;
    d.set_item("agents", outcome.agents_csv().map_err(err)?)?;
    d.set_item("stats", outcome.stats_json().map_err(err)?)?;
    d.set_item("manifest", manifest)?;
    d.set_item("name", &sc.name)?;
    d.set_item("folder", outcome.folder)?;
    Ok(d)
}

/// Runs every cell of a scenario's `[sweep]` into the folder `out` (which must be given):
/// returns a dict of `folder` and `notes`.
#[pyfunction]
#[pyo3(signature = (scenario, out, set=None, threads=None, force=false, resume=false, memory_limit=None))]
#[allow(clippy::too_many_arguments)]
fn sweep<'py>(
    py: Python<'py>,
    scenario: &Bound<'py, PyAny>,
    out: PathBuf,
    set: Option<&Bound<'py, PyDict>>,
    threads: Option<usize>,
    force: bool,
    resume: bool,
    memory_limit: Option<u64>,
) -> PyResult<Bound<'py, PyDict>> {
    let source = Source::new(scenario)?;
    let set = overrides(set)?;
    let base = load(&source, &set)?;
    let dest = destination(Some(out), force, resume)?.unwrap_or(Destination::Memory);
    let outcome = in_pool(py, threads, memory_limit, dest, &source, |o| {
        jobs::sweep(&base, &set, o)
    })?;
    let d = PyDict::new(py);
    d.set_item("folder", outcome.folder)?;
    d.set_item("notes", outcome.manifest.notes)?;
    Ok(d)
}

/// Runs a scenario's `[strategies]` into the folder `out` (which must be given): returns a
/// dict of `folder` and `headline` (the sentence).
#[pyfunction]
#[pyo3(signature = (scenario, out, set=None, threads=None, force=false, resume=false, memory_limit=None))]
#[allow(clippy::too_many_arguments)]
fn compare<'py>(
    py: Python<'py>,
    scenario: &Bound<'py, PyAny>,
    out: PathBuf,
    set: Option<&Bound<'py, PyDict>>,
    threads: Option<usize>,
    force: bool,
    resume: bool,
    memory_limit: Option<u64>,
) -> PyResult<Bound<'py, PyDict>> {
    let source = Source::new(scenario)?;
    let set = overrides(set)?;
    let cmp = scenario::strategies::load_comparison(&source.path, &set)
        .map_err(|e| source.error(e.to_string()))?;
    let dest = destination(Some(out), force, resume)?.unwrap_or(Destination::Memory);
    let outcome = in_pool(py, threads, memory_limit, dest, &source, |o| {
        jobs::compare(&cmp, o)
    })?;
    let d = PyDict::new(py);
    d.set_item("folder", outcome.folder)?;
    d.set_item("headline", outcome.stats.headline.sentence)?;
    Ok(d)
}

/// A follower graph loaded from an edge list or an `.ovg` cache.
#[pyclass(module = "ovation._native", frozen)]
struct Graph {
    graph: FollowerGraph,
    path: PathBuf,
}

#[pymethods]
impl Graph {
    /// Number of accounts (nodes).
    #[getter]
    fn nodes(&self) -> u64 {
        u64::from(self.graph.node_count())
    }

    /// Number of follow relations (edges).
    #[getter]
    fn edges(&self) -> u64 {
        self.graph.edge_count()
    }

    /// The file it was loaded from.
    #[getter]
    fn path(&self) -> PathBuf {
        self.path.clone()
    }

    /// `ovation graph stats --json` of this graph, as JSON text.
    fn stats_json(&self, py: Python<'_>) -> PyResult<String> {
        let stats = py.detach(|| GraphStats::of(&self.graph));
        serde_json::to_string(&stats).map_err(|e| OvationError::new_err(format!("stats: {e}")))
    }

    fn __repr__(&self) -> String {
        format!(
            "Graph({:?}, nodes={}, edges={})",
            self.path.display().to_string(),
            self.graph.node_count(),
            self.graph.edge_count()
        )
    }
}

/// Loads a graph: an `.ovg` cache, or an edge list read with `follows`
/// (`second-follows-first`, `first-follows-second`, `mutual`), `ids` (`auto`, `integer`,
/// `string`), `header` and `weighted`.
#[pyfunction]
#[pyo3(signature = (path, follows="second-follows-first", ids="auto", header=false, weighted=false))]
fn load_graph(
    py: Python<'_>,
    path: PathBuf,
    follows: &str,
    ids: &str,
    header: bool,
    weighted: bool,
) -> PyResult<Graph> {
    let direction: Direction = serde_json::from_value(serde_json::Value::String(follows.into()))
        .map_err(|_| {
            OvationError::new_err(format!(
                "follows: expected second-follows-first, first-follows-second or mutual, found {follows:?}"
            ))
        })?;
    let ids = match ids {
        "auto" => IdKind::Auto,
        "integer" => IdKind::Integer,
        "string" => IdKind::String,
        other => {
            return Err(OvationError::new_err(format!(
                "ids: expected auto, integer or string, found {other:?}"
            )));
        }
    };
    let options = ImportOptions {
        direction,
        ids,
        header,
        weighted,
        ..ImportOptions::default()
    };
    let graph = py
        .detach(|| ovation::graph::io::load_graph(&path, &options, &|_| {}))
        .map_err(|e| OvationError::new_err(e.to_string()))?;
    Ok(Graph { graph, path })
}

/// The extension module.
#[pymodule]
fn _native(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add("OvationError", m.py().get_type::<OvationError>())?;
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    m.add_class::<Graph>()?;
    m.add_function(wrap_pyfunction!(run, m)?)?;
    m.add_function(wrap_pyfunction!(sweep, m)?)?;
    m.add_function(wrap_pyfunction!(compare, m)?)?;
    m.add_function(wrap_pyfunction!(load_graph, m)?)?;
    Ok(())
}
