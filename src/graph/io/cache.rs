//! The `.ovg` binary graph cache: both adjacencies, weights, labels and the build report,
//! written atomically and read straight into the final arrays (layout in the
//! [module docs](super#the-binary-cache)).
//!
//! Nothing unchecked reaches a run: on load the magic, the format version, the file size
//! implied by the header, a CRC-32 over the whole file and the graph's invariants (offsets
//! start at 0, never decrease and end at m; targets are below n; rows are sorted; both
//! directions have the same degrees) are all verified.

use std::fs::File;
use std::io::{self, BufReader, BufWriter, Read, Write};
use std::path::{Path, PathBuf};

use rayon::prelude::*;

use super::{Direction, GraphIoError, IdKind, ImportOptions};
use crate::graph::{Adjacency, BuildReport, FollowerGraph, NodeLabels};

/// The first eight bytes of every cache file.
pub const CACHE_MAGIC: [u8; 8] = *b"OVGRAPH\0";
/// The format version this build writes and reads.
pub const CACHE_VERSION: u32 = 1;

const HEADER_BYTES: u64 = 64;
const FLAG_WEIGHTED: u32 = 1;
const LABELS_SHIFT: u32 = 1;
const LABELS_MASK: u32 = 0b11 << LABELS_SHIFT;
const LABELS_NONE: u32 = 0;
const LABELS_INTEGERS: u32 = 1;
const LABELS_STRINGS: u32 = 2;
/// The file ends with a [`SourceStamp`] section (before the checksum).
const FLAG_SOURCE: u32 = 1 << 3;
/// Size of the source stamp section.
const STAMP_BYTES: u64 = 32;

/// What a cache written beside an edge list (`cache = true` in a scenario) was built from: the
/// edge list's size and modification time and the import options. Compared with the edge list
/// before the cache is used, so a cache is never read after its source changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SourceStamp {
    /// The edge list's size in bytes.
    pub bytes: u64,
    /// Its modification time: seconds since the Unix epoch (negative before it).
    pub modified_secs: i64,
    /// And nanoseconds within that second.
    pub modified_nanos: u32,
    /// The import options, encoded by [`SourceStamp::encode_options`].
    pub options: u64,
}

impl SourceStamp {
    /// The stamp of the edge list at `path` read with `opts`. **Errors** if its metadata cannot
    /// be read.
    pub fn of(path: &Path, opts: &ImportOptions) -> Result<SourceStamp, GraphIoError> {
        let meta = std::fs::metadata(path).map_err(io_error(path))?;
        let (modified_secs, modified_nanos) = match meta.modified() {
            Ok(t) => match t.duration_since(std::time::UNIX_EPOCH) {
                Ok(d) => (
                    i64::try_from(d.as_secs()).unwrap_or(i64::MAX),
                    d.subsec_nanos(),
                ),
                Err(before) => {
                    let d = before.duration();
                    (
                        -i64::try_from(d.as_secs()).unwrap_or(i64::MAX),
                        d.subsec_nanos(),
                    )
                }
            },
            // A file system without modification times: the size and options still count.
            Err(_) => (0, 0),
        };
        Ok(SourceStamp {
            bytes: meta.len(),
            modified_secs,
            modified_nanos,
            options: SourceStamp::encode_options(opts),
        })
    }

    /// The import options as one number: direction, ids, then one bit each for header,
    /// weighted, self-loops kept and duplicates kept.
    pub fn encode_options(opts: &ImportOptions) -> u64 {
        let direction = match opts.direction {
            Direction::SecondFollowsFirst => 0,
            Direction::FirstFollowsSecond => 1,
            Direction::Mutual => 2,
        };
        let ids = match opts.ids {
            IdKind::Auto => 0,
            IdKind::Integer => 1,
            IdKind::String => 2,
        };
        direction
            | (ids << 8)
            | (u64::from(opts.header) << 16)
            | (u64::from(opts.weighted) << 17)
            | (u64::from(opts.keep_self_loops) << 18)
            | (u64::from(opts.keep_duplicates) << 19)
    }

    /// What differs between this stamp (the cache's) and `now` (the edge list's), in words;
    /// empty when they are the same.
    pub fn changes(&self, now: &SourceStamp) -> Vec<String> {
        let mut out = Vec::new();
        if self.bytes != now.bytes {
            out.push(format!(
                "its size changed from {} to {} bytes",
                self.bytes, now.bytes
            ));
        }
        if (self.modified_secs, self.modified_nanos) != (now.modified_secs, now.modified_nanos) {
            out.push(format!(
                "its modification time changed from {} to {}",
                time_text(self.modified_secs, self.modified_nanos),
                time_text(now.modified_secs, now.modified_nanos)
            ));
        }
        if self.options != now.options {
            out.push(
                "the import options (follows, ids, header, weighted, keep_self_loops, \
                 keep_duplicates) changed"
                    .to_string(),
            );
        }
        out
    }
}

/// Seconds and nanoseconds since the epoch as `1700000000.123456789 s`.
fn time_text(secs: i64, nanos: u32) -> String {
    format!("{secs}.{nanos:09} s since 1970")
}

fn io_error(path: &Path) -> impl Fn(io::Error) -> GraphIoError + '_ {
    move |error| GraphIoError::Io {
        path: path.to_path_buf(),
        error,
    }
}

fn open(path: &Path) -> Result<File, GraphIoError> {
    super::edgelist::open_input(path)
}

/// Whether `path` is a graph cache, by its magic bytes (not its name). **Errors** if the file
/// cannot be opened or read.
pub fn is_cache(path: &Path) -> Result<bool, GraphIoError> {
    let mut file = open(path)?;
    let mut head = [0u8; 8];
    let mut filled = 0;
    while filled < head.len() {
        match file.read(&mut head[filled..]) {
            Ok(0) => break,
            Ok(k) => filled += k,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(io_error(path)(e)),
        }
    }
    Ok(filled == head.len() && head == CACHE_MAGIC)
}

/// Zero bytes after a section of `len` bytes up to a multiple of 8.
fn pad(len: u64) -> u64 {
    len.next_multiple_of(8) - len
}

/// The byte sizes of a cache's sections, from its header.
struct Layout {
    n: u64,
    m: u64,
    weighted: bool,
    labels: u32,
    label_bytes: u64,
    stamped: bool,
}

impl Layout {
    /// Total file size, or `None` if the counts overflow (a corrupt header).
    fn file_bytes(&self) -> Option<u64> {
        let offsets = self.n.checked_add(1)?.checked_mul(8)?;
        let targets = self.m.checked_mul(4)?;
        let adjacency = offsets.checked_add(targets)?.checked_add(pad(targets))?;
        let weights = if self.weighted {
            let w = targets.checked_mul(2)?;
            w.checked_add(pad(w))?
        } else {
            0
        };
        HEADER_BYTES
            .checked_add(adjacency.checked_mul(2)?)?
            .checked_add(weights)?
            .checked_add(self.label_bytes)?
            .checked_add(if self.stamped { STAMP_BYTES } else { 0 })?
            .checked_add(4)
    }
}

/// A writer that checksums what passes through it.
struct Sink<W: Write> {
    inner: W,
    crc: crc32fast::Hasher,
}

impl<W: Write> Sink<W> {
    fn put(&mut self, bytes: &[u8]) -> io::Result<()> {
        self.crc.update(bytes);
        self.inner.write_all(bytes)
    }

    fn put_u32(&mut self, x: u32) -> io::Result<()> {
        self.put(&x.to_le_bytes())
    }

    fn put_u64(&mut self, x: u64) -> io::Result<()> {
        self.put(&x.to_le_bytes())
    }

    fn put_u64s(&mut self, v: &[u64]) -> io::Result<()> {
        if cfg!(target_endian = "little") {
            self.put(bytemuck::cast_slice(v))
        } else {
            v.iter().try_for_each(|x| self.put_u64(*x))
        }
    }

    /// Writes `u32`s (or `f32` bit patterns) and pads to a multiple of 8 bytes.
    fn put_u32s_padded(&mut self, v: &[u32]) -> io::Result<()> {
        if cfg!(target_endian = "little") {
            self.put(bytemuck::cast_slice(v))?;
        } else {
            v.iter().try_for_each(|x| self.put_u32(*x))?;
        }
        self.put(&[0u8; 8][..pad(4 * v.len() as u64) as usize])
    }
}

fn label_bytes(labels: Option<&NodeLabels>) -> u64 {
    match labels {
        None => 0,
        Some(NodeLabels::Integers(v)) => 8 * v.len() as u64,
        Some(NodeLabels::Strings(v)) => v.iter().map(|s| 4 + s.len() as u64).sum(),
    }
}

/// Writes `graph` to `path` as a cache, atomically: a temporary file in the same folder is
/// written, synced and renamed over `path`, so a reader never sees a half-written cache.
///
/// **Errors** if a string label is longer than `u32::MAX` bytes, or on any I/O failure.
pub fn write_cache(graph: &FollowerGraph, path: &Path) -> Result<(), GraphIoError> {
    write_cache_stamped(graph, path, None)
}

/// [`write_cache`], recording `stamp` (what the graph was built from) in the file when given.
pub fn write_cache_stamped(
    graph: &FollowerGraph,
    path: &Path,
    stamp: Option<&SourceStamp>,
) -> Result<(), GraphIoError> {
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let mut tmp = tempfile::Builder::new()
        .prefix(".ovg-")
        .suffix(".tmp")
        .tempfile_in(&dir)
        .map_err(io_error(path))?;
    {
        let mut sink = Sink {
            inner: BufWriter::with_capacity(1 << 20, tmp.as_file_mut()),
            crc: crc32fast::Hasher::new(),
        };
        write_body(graph, stamp, &mut sink).map_err(io_error(path))?;
        let crc = sink.crc.clone().finalize();
        sink.inner
            .write_all(&crc.to_le_bytes())
            .and_then(|()| sink.inner.flush())
            .map_err(io_error(path))?;
    }
    tmp.as_file().sync_all().map_err(io_error(path))?;
    tmp.persist(path).map_err(|e| io_error(path)(e.error))?;
    Ok(())
}

fn write_body<W: Write>(
    graph: &FollowerGraph,
    stamp: Option<&SourceStamp>,
    sink: &mut Sink<W>,
) -> io::Result<()> {
    let labels = graph.labels();
    let kind = match labels {
        None => LABELS_NONE,
        Some(NodeLabels::Integers(_)) => LABELS_INTEGERS,
        Some(NodeLabels::Strings(_)) => LABELS_STRINGS,
    };
    let weighted = graph.is_weighted();
    let flags = (u32::from(weighted) * FLAG_WEIGHTED)
        | (kind << LABELS_SHIFT)
        | (u32::from(stamp.is_some()) * FLAG_SOURCE);
    let report = graph.report();
    sink.put(&CACHE_MAGIC)?;
    sink.put_u32(CACHE_VERSION)?;
    sink.put_u32(flags)?;
    sink.put_u64(u64::from(graph.node_count()))?;
    sink.put_u64(graph.edge_count())?;
    sink.put_u64(report.edges_in)?;
    sink.put_u64(report.self_loops_dropped)?;
    sink.put_u64(report.duplicates_dropped)?;
    sink.put_u64(label_bytes(labels))?;
    for adjacency in [graph.source_adjacency(), graph.follower_adjacency()] {
        sink.put_u64s(&adjacency.offsets)?;
        sink.put_u32s_padded(&adjacency.targets)?;
    }
    if weighted {
        let mut bits = Vec::with_capacity(2 * graph.edge_count() as usize);
        for adjacency in [graph.source_adjacency(), graph.follower_adjacency()] {
            let w = adjacency.weights.as_deref().unwrap_or_default();
            bits.extend(w.iter().map(|x| x.to_bits()));
        }
        sink.put_u32s_padded(&bits)?;
    }
    match labels {
        None => {}
        Some(NodeLabels::Integers(v)) => sink.put_u64s(v)?,
        Some(NodeLabels::Strings(v)) => {
            for s in v {
                let len = u32::try_from(s.len()).map_err(|_| {
                    io::Error::new(io::ErrorKind::InvalidInput, "a label longer than 4 GiB")
                })?;
                sink.put_u32(len)?;
                sink.put(s.as_bytes())?;
            }
        }
    }
    if let Some(st) = stamp {
        sink.put_u64(st.bytes)?;
        sink.put(&st.modified_secs.to_le_bytes())?;
        sink.put_u32(st.modified_nanos)?;
        sink.put_u32(0)?;
        sink.put_u64(st.options)?;
    }
    Ok(())
}

/// A reader that checksums what passes through it.
struct Source<R: Read> {
    inner: R,
    crc: crc32fast::Hasher,
}

impl<R: Read> Source<R> {
    fn take(&mut self, buf: &mut [u8]) -> io::Result<()> {
        self.inner.read_exact(buf)?;
        self.crc.update(buf);
        Ok(())
    }

    fn u64s(&mut self, len: usize) -> io::Result<Vec<u64>> {
        let mut v = vec![0u64; len];
        self.take(bytemuck::cast_slice_mut(&mut v))?;
        if cfg!(target_endian = "big") {
            v.iter_mut().for_each(|x| *x = u64::from_le(*x));
        }
        Ok(v)
    }

    /// Reads `len` `u32`s and the padding after them.
    fn u32s_padded(&mut self, len: usize) -> io::Result<Vec<u32>> {
        let mut v = vec![0u32; len];
        self.take(bytemuck::cast_slice_mut(&mut v))?;
        if cfg!(target_endian = "big") {
            v.iter_mut().for_each(|x| *x = u32::from_le(*x));
        }
        let mut padding = [0u8; 8];
        self.take(&mut padding[..pad(4 * len as u64) as usize])?;
        if padding.iter().any(|&b| b != 0) {
            // ovation pads with zeros: anything else would load but not write back the same.
            return Err(io::Error::new(
                io::ErrorKind::InvalidData,
                "corrupted cache: expected zero padding bytes after an array, found non-zero ones",
            ));
        }
        Ok(v)
    }
}

fn read_u32(b: &[u8], at: usize) -> u32 {
    u32::from_le_bytes(b[at..at + 4].try_into().expect("4 bytes"))
}

fn read_u64(b: &[u8], at: usize) -> u64 {
    u64::from_le_bytes(b[at..at + 8].try_into().expect("8 bytes"))
}

/// Checks a cache's header (`header`: its first bytes, up to [`HEADER_BYTES`]) against the
/// file's size `found`: magic, version, flags, counts and the size they imply.
fn parse_header(
    path: &Path,
    header: &[u8],
    found: u64,
) -> Result<(Layout, BuildReport), GraphIoError> {
    let head_len = header.len();
    if head_len < 8 || header[..8] != CACHE_MAGIC {
        return Err(GraphIoError::NotACache {
            path: path.to_path_buf(),
        });
    }
    if head_len >= 12 && read_u32(header, 8) != CACHE_VERSION {
        return Err(GraphIoError::CacheVersion {
            path: path.to_path_buf(),
            found: read_u32(header, 8),
            expected: CACHE_VERSION,
        });
    }
    if found < HEADER_BYTES {
        return Err(GraphIoError::CacheTruncated {
            path: path.to_path_buf(),
            expected: HEADER_BYTES,
            found,
        });
    }
    let corrupt = |what: String| GraphIoError::CacheCorrupt {
        path: path.to_path_buf(),
        what,
    };
    let flags = read_u32(header, 12);
    if flags & !(FLAG_WEIGHTED | LABELS_MASK | FLAG_SOURCE) != 0 {
        return Err(corrupt(format!(
            "unknown flags 0x{flags:08x} in the header"
        )));
    }
    let layout = Layout {
        n: read_u64(header, 16),
        m: read_u64(header, 24),
        weighted: flags & FLAG_WEIGHTED != 0,
        labels: (flags & LABELS_MASK) >> LABELS_SHIFT,
        label_bytes: read_u64(header, 56),
        stamped: flags & FLAG_SOURCE != 0,
    };
    let report = BuildReport {
        edges_in: read_u64(header, 32),
        self_loops_dropped: read_u64(header, 40),
        duplicates_dropped: read_u64(header, 48),
    };
    if layout.n == 0 {
        return Err(corrupt("0 nodes; a graph has at least one".to_string()));
    }
    if layout.n > u64::from(u32::MAX) {
        return Err(corrupt(format!(
            "{} nodes, more than a graph can hold",
            layout.n
        )));
    }
    let expected = layout.file_bytes().ok_or_else(|| {
        corrupt(format!(
            "impossible counts: {} nodes, {} edges",
            layout.n, layout.m
        ))
    })?;
    if found < expected {
        return Err(GraphIoError::CacheTruncated {
            path: path.to_path_buf(),
            expected,
            found,
        });
    }
    if found > expected {
        return Err(GraphIoError::CacheTrailingData {
            path: path.to_path_buf(),
            expected,
            found,
        });
    }
    Ok((layout, report))
}

/// Reads a cache written by [`write_cache`], checking it completely (see the module docs).
///
/// Runs in **O(n + m)** time: one sequential read into the final arrays, plus a parallel
/// check. **Errors** name the file and say what is wrong: not a cache, another format version,
/// truncated, checksum mismatch, or which invariant fails.
pub fn read_cache(path: &Path) -> Result<FollowerGraph, GraphIoError> {
    read_cache_stamped(path).map(|(graph, _)| graph)
}

/// [`read_cache`], also returning the [`SourceStamp`] the file records (`None` for a cache
/// written without one, such as `ovation graph import`'s).
pub fn read_cache_stamped(
    path: &Path,
) -> Result<(FollowerGraph, Option<SourceStamp>), GraphIoError> {
    let file = open(path)?;
    let found = file.metadata().map_err(io_error(path))?.len();
    let mut source = Source {
        inner: BufReader::with_capacity(1 << 20, file),
        crc: crc32fast::Hasher::new(),
    };
    let mut header = [0u8; HEADER_BYTES as usize];
    let head_len = (found.min(HEADER_BYTES)) as usize;
    source
        .take(&mut header[..head_len])
        .map_err(io_error(path))?;
    let (layout, report) = parse_header(path, &header[..head_len], found)?;
    let corrupt = |what: String| GraphIoError::CacheCorrupt {
        path: path.to_path_buf(),
        what,
    };
    // The counts fit the file's size, so they fit in memory's address space too.
    let (n, m) = (layout.n as usize, layout.m as usize);
    let mut adjacencies = Vec::with_capacity(2);
    for _ in 0..2 {
        let offsets = source.u64s(n + 1).map_err(io_error(path))?;
        let targets = source.u32s_padded(m).map_err(io_error(path))?;
        adjacencies.push(Adjacency {
            offsets,
            targets,
            weights: None,
        });
    }
    if layout.weighted {
        let bits = source.u32s_padded(2 * m).map_err(io_error(path))?;
        let to_f32 = |b: &[u32]| b.iter().map(|&x| f32::from_bits(x)).collect::<Vec<f32>>();
        adjacencies[0].weights = Some(to_f32(&bits[..m]));
        adjacencies[1].weights = Some(to_f32(&bits[m..]));
    }
    let mut label_bytes = vec![0u8; layout.label_bytes as usize];
    source.take(&mut label_bytes).map_err(io_error(path))?;
    let stamp = if layout.stamped {
        let mut b = [0u8; STAMP_BYTES as usize];
        source.take(&mut b).map_err(io_error(path))?;
        if read_u32(&b, 20) != 0 || read_u32(&b, 16) >= 1_000_000_000 {
            return Err(corrupt(
                "the source stamp's nanoseconds or padding are out of range".to_string(),
            ));
        }
        Some(SourceStamp {
            bytes: read_u64(&b, 0),
            modified_secs: i64::from_le_bytes(b[8..16].try_into().expect("8 bytes")),
            modified_nanos: read_u32(&b, 16),
            options: read_u64(&b, 24),
        })
    } else {
        None
    };
    let mut trailer = [0u8; 4];
    source
        .inner
        .read_exact(&mut trailer)
        .map_err(io_error(path))?;
    if u32::from_le_bytes(trailer) != source.crc.finalize() {
        return Err(GraphIoError::CacheChecksum {
            path: path.to_path_buf(),
        });
    }
    let labels = decode_labels(layout.labels, &label_bytes, n).map_err(corrupt)?;
    let followers = adjacencies.pop().expect("two adjacencies");
    let sources = adjacencies.pop().expect("two adjacencies");
    check_adjacency(&sources, n, m, "sources").map_err(corrupt)?;
    check_adjacency(&followers, n, m, "followers").map_err(corrupt)?;
    check_degrees(&followers, &sources, n).map_err(corrupt)?;
    check_same_edges(&sources, &followers, n).map_err(corrupt)?;
    check_weights(&sources).map_err(corrupt)?;
    Ok((
        FollowerGraph::from_parts(n as u32, sources, followers, labels, report),
        stamp,
    ))
}

fn decode_labels(kind: u32, bytes: &[u8], n: usize) -> Result<Option<NodeLabels>, String> {
    match kind {
        LABELS_NONE if bytes.is_empty() => Ok(None),
        LABELS_INTEGERS if bytes.len() == 8 * n => Ok(Some(NodeLabels::Integers(
            bytes
                .chunks_exact(8)
                .map(|c| u64::from_le_bytes(c.try_into().expect("8 bytes")))
                .collect(),
        ))),
        LABELS_STRINGS => {
            let mut names = Vec::with_capacity(n);
            let mut at = 0usize;
            for i in 0..n {
                let len = bytes
                    .get(at..at + 4)
                    .map(|b| u32::from_le_bytes(b.try_into().expect("4 bytes")) as usize)
                    .ok_or_else(|| format!("label of node {i} runs past its section"))?;
                at += 4;
                let text = bytes
                    .get(at..at.saturating_add(len))
                    .ok_or_else(|| format!("label of node {i} runs past its section"))?;
                at += len;
                let name = std::str::from_utf8(text)
                    .map_err(|_| format!("label of node {i} is not UTF-8"))?;
                if name.chars().any(char::is_control) {
                    // Imports refuse them; in an export they would break lines and quoting.
                    return Err(format!("label of node {i} holds a control character"));
                }
                names.push(name.to_owned());
            }
            if at != bytes.len() {
                return Err("the label section is longer than its labels".to_owned());
            }
            Ok(Some(NodeLabels::Strings(names)))
        }
        LABELS_NONE | LABELS_INTEGERS => Err(format!(
            "label section of {} bytes for {n} nodes",
            bytes.len()
        )),
        _ => Err(format!("unknown label kind {kind}")),
    }
}

/// The rows of agents `first..first + len` of a cache, in both directions: what one process of
/// a partitioned run holds ([`read_cache_rows`]). Offsets are rebased to start at 0; row `k`
/// is agent `first + k`'s.
#[derive(Debug, Clone)]
pub struct CacheRows {
    /// Agents in the whole graph.
    pub node_count: u32,
    /// Edges in the whole graph.
    pub edge_count: u64,
    /// The first agent whose rows are held.
    pub first: u32,
    /// The held agents' sources (whom each follows), with weights if the graph has them.
    pub sources: Adjacency,
    /// The held agents' followers (who sees each), with weights if the graph has them.
    pub followers: Adjacency,
    /// Bytes read from the file.
    pub bytes_read: u64,
}

/// Reads only the rows of agents `lo..hi` of the cache at `path` (both directions, and their
/// weights), seeking to their offsets: a process of a partitioned run holds its part of the
/// graph, never the whole. Reads **O(hi - lo + their edges)** bytes. The header and the file's
/// size are checked as by [`read_cache`], and the rows read as far as they can be alone
/// (offsets never decrease and stay within the edges, targets below n, rows sorted); the
/// CRC-32, which covers the whole file, is not (read the whole cache once with `ovation graph
/// stats` to check it). **Errors** name the file, or the range when it is not within the
/// graph.
pub fn read_cache_rows(path: &Path, lo: u32, hi: u32) -> Result<CacheRows, GraphIoError> {
    use std::io::{Seek, SeekFrom};
    let mut file = open(path)?;
    let found = file.metadata().map_err(io_error(path))?.len();
    let mut header = [0u8; HEADER_BYTES as usize];
    let head_len = (found.min(HEADER_BYTES)) as usize;
    file.read_exact(&mut header[..head_len])
        .map_err(io_error(path))?;
    let (layout, _) = parse_header(path, &header[..head_len], found)?;
    let corrupt = |what: String| GraphIoError::CacheCorrupt {
        path: path.to_path_buf(),
        what,
    };
    let (n, m) = (layout.n, layout.m);
    if lo > hi || u64::from(hi) > n {
        return Err(corrupt(format!(
            "rows {lo}..{hi} asked for, but the graph has {n} nodes"
        )));
    }
    let targets_bytes = 4 * m + pad(4 * m);
    let direction_bytes = 8 * (n + 1) + targets_bytes;
    let mut bytes_read = HEADER_BYTES;
    let mut read_at = |file: &mut File, at: u64, buf: &mut [u8]| -> Result<(), GraphIoError> {
        file.seek(SeekFrom::Start(at)).map_err(io_error(path))?;
        file.read_exact(buf).map_err(io_error(path))?;
        bytes_read += buf.len() as u64;
        Ok(())
    };
    let len = (hi - lo) as usize;
    let mut adjacencies = Vec::with_capacity(2);
    for (d, name) in ["sources", "followers"].into_iter().enumerate() {
        let base = HEADER_BYTES + d as u64 * direction_bytes;
        let mut offsets = vec![0u64; len + 1];
        read_at(
            &mut file,
            base + 8 * u64::from(lo),
            bytemuck::cast_slice_mut(&mut offsets),
        )?;
        offsets.iter_mut().for_each(|x| *x = u64::from_le(*x));
        if offsets.windows(2).any(|w| w[0] > w[1]) || offsets[len] > m {
            return Err(corrupt(format!(
                "{name} offsets of nodes {lo}..{hi} decrease or pass the {m} edges"
            )));
        }
        let (a, b) = (offsets[0], offsets[len]);
        let mut targets = vec![0u32; (b - a) as usize];
        read_at(
            &mut file,
            base + 8 * (n + 1) + 4 * a,
            bytemuck::cast_slice_mut(&mut targets),
        )?;
        targets.iter_mut().for_each(|x| *x = u32::from_le(*x));
        let weights = if layout.weighted {
            let at = HEADER_BYTES + 2 * direction_bytes + d as u64 * 4 * m + 4 * a;
            let mut bits = vec![0u32; (b - a) as usize];
            read_at(&mut file, at, bytemuck::cast_slice_mut(&mut bits))?;
            Some(
                bits.iter()
                    .map(|&x| f32::from_bits(u32::from_le(x)))
                    .collect(),
            )
        } else {
            None
        };
        offsets.iter_mut().for_each(|x| *x -= a);
        let bad = (0..len).find(|&k| {
            let row = &targets[offsets[k] as usize..offsets[k + 1] as usize];
            row.iter().any(|&t| u64::from(t) >= n) || row.windows(2).any(|w| w[0] > w[1])
        });
        if let Some(k) = bad {
            return Err(corrupt(format!(
                "{name} of node {} are unsorted or out of range (n = {n})",
                k as u64 + u64::from(lo)
            )));
        }
        adjacencies.push(Adjacency {
            offsets,
            targets,
            weights,
        });
    }
    let followers = adjacencies.pop().expect("two adjacencies");
    let sources = adjacencies.pop().expect("two adjacencies");
    Ok(CacheRows {
        node_count: n as u32,
        edge_count: m,
        first: lo,
        sources,
        followers,
        bytes_read,
    })
}

/// Checks one direction: offsets start at 0, never decrease and end at `m`; every row is
/// sorted and its targets are below `n`.
fn check_adjacency(adj: &Adjacency, n: usize, m: usize, name: &str) -> Result<(), String> {
    let offsets = &adj.offsets;
    if offsets[0] != 0 || offsets[n] != m as u64 {
        return Err(format!(
            "{name} offsets run from {} to {}, expected 0 to {m}",
            offsets[0], offsets[n]
        ));
    }
    if let Some(i) = offsets.par_windows(2).position_first(|w| w[0] > w[1]) {
        return Err(format!("{name} offsets decrease at node {i}"));
    }
    let bad_row = (0..n).into_par_iter().find_first(|&i| {
        let row = &adj.targets[offsets[i] as usize..offsets[i + 1] as usize];
        row.iter().any(|&t| t as usize >= n) || row.windows(2).any(|w| w[0] > w[1])
    });
    if let Some(i) = bad_row {
        return Err(format!(
            "{name} of node {i} are unsorted or out of range (n = {n})"
        ));
    }
    Ok(())
}

/// Checks that the two directions hold the same edges with the same weights: every `v` in
/// row `u` of `followers` has `u` in row `v` of `sources` (rows are sorted, so a binary search),
/// which with [`check_degrees`] makes the two edge sets equal. **O(m log d)**, in parallel.
fn check_same_edges(sources: &Adjacency, followers: &Adjacency, n: usize) -> Result<(), String> {
    let bad = (0..n).into_par_iter().find_first(|&u| {
        let (a, b) = (
            followers.offsets[u] as usize,
            followers.offsets[u + 1] as usize,
        );
        (a..b).any(|e| {
            let v = followers.targets[e] as usize;
            let (c, d) = (sources.offsets[v] as usize, sources.offsets[v + 1] as usize);
            match sources.targets[c..d].binary_search(&(u as u32)) {
                Err(_) => true,
                Ok(k) => match (&followers.weights, &sources.weights) {
                    (Some(fw), Some(sw)) => fw[e].to_bits() != sw[c + k].to_bits(),
                    _ => false,
                },
            }
        })
    });
    match bad {
        Some(u) => Err(format!(
            "the edges (or weights) of node {u} differ between the two directions"
        )),
        None => Ok(()),
    }
}

/// Checks that every weight is a finite, non-negative number (what an import accepts).
fn check_weights(adj: &Adjacency) -> Result<(), String> {
    match &adj.weights {
        Some(w) => match w
            .par_iter()
            .position_first(|x| !(x.is_finite() && *x >= 0.0))
        {
            Some(e) => Err(format!(
                "edge {e} has weight {}, expected a finite, non-negative number",
                w[e]
            )),
            None => Ok(()),
        },
        None => Ok(()),
    }
}

/// Checks that each direction's row lengths match the other direction's target counts.
fn check_degrees(followers: &Adjacency, sources: &Adjacency, n: usize) -> Result<(), String> {
    for (a, b, name) in [
        (followers, sources, "sources"),
        (sources, followers, "followers"),
    ] {
        let mut counts = vec![0u64; n];
        for &t in &a.targets {
            counts[t as usize] += 1;
        }
        let mismatch = (0..n)
            .into_par_iter()
            .find_first(|&i| counts[i] != b.offsets[i + 1] - b.offsets[i]);
        if let Some(i) = mismatch {
            return Err(format!(
                "node {i} has {} {name} in one direction and {} in the other",
                b.offsets[i + 1] - b.offsets[i],
                counts[i]
            ));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::graph::BuildOptions;

    fn sample(weighted: bool, labels: Option<NodeLabels>) -> FollowerGraph {
        let edges = vec![(0, 1), (0, 2), (2, 1), (3, 0), (1, 1), (0, 1)];
        let weights = weighted.then(|| vec![0.5, 1.5, 2.0, 3.25, 9.0, 7.0]);
        let g = FollowerGraph::from_edges(4, edges, weights, BuildOptions::default());
        match labels {
            Some(l) => g.with_labels(l),
            None => g,
        }
    }

    /// Writes `graph`, reads it back, and checks it is unchanged.
    fn check_round_trip(graph: &FollowerGraph) {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("g.ovg");
        write_cache(graph, &path).expect("writes");
        let back = read_cache(&path).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(&back, graph);
        // Only the cache is left in the folder: the temporary file was renamed.
        assert_eq!(std::fs::read_dir(dir.path()).expect("lists").count(), 1);
    }

    #[test]
    fn every_kind_of_graph_round_trips() {
        check_round_trip(&sample(false, None));
        check_round_trip(&sample(true, None));
        check_round_trip(&sample(
            false,
            Some(NodeLabels::Integers(vec![3, 7, 11, u64::MAX])),
        ));
        let names = ["ä", "", "bob", "carol"].map(String::from).to_vec();
        check_round_trip(&sample(true, Some(NodeLabels::Strings(names))));
        check_round_trip(&FollowerGraph::from_edges(
            1,
            vec![],
            None,
            BuildOptions::default(),
        ));
    }

    /// Writes `graph`, applies `damage` to its bytes, recomputes the checksum (so only the
    /// structure checks can catch it) and returns the load error's message.
    fn crafted(graph: &FollowerGraph, damage: impl Fn(&mut Vec<u8>)) -> String {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("g.ovg");
        write_cache(graph, &path).expect("writes");
        let mut bytes = std::fs::read(&path).expect("reads");
        damage(&mut bytes);
        let body = bytes.len() - 4;
        let crc = crc32fast::hash(&bytes[..body]);
        bytes[body..].copy_from_slice(&crc.to_le_bytes());
        std::fs::write(&path, &bytes).expect("writes");
        read_cache(&path).expect_err("crafted").to_string()
    }

    /// Issue 10, item 4: caches with a valid checksum that were accepted before.
    #[test]
    fn crafted_caches_with_a_valid_checksum_are_refused() {
        // Zero nodes.
        let empty = FollowerGraph::from_edges(0, vec![], None, BuildOptions::default());
        let msg = crafted(&empty, |_| {});
        assert!(msg.contains("0 nodes"), "{msg}");
        // The two directions hold different edges with the same degrees: the sample's
        // followers of node 0 are [1, 2]; make them [1, 3] (node 3 has no source 0).
        let g = sample(false, None);
        let fol = g.follower_adjacency().clone();
        assert_eq!(&fol.targets[..2], &[1, 2]);
        let n = g.node_count() as usize;
        let m = g.edge_count() as usize;
        let followers_targets = 64 + 8 * (n + 1) + 4 * m + (4 * m) % 8 + 8 * (n + 1);
        let msg = crafted(&g, |b| {
            // Swap two targets between rows so both degree counts stay the same.
            let t = |b: &Vec<u8>, k: usize| {
                u32::from_le_bytes(b[followers_targets + 4 * k..][..4].try_into().expect("4"))
            };
            let (x, y) = (t(b, 1), t(b, 2));
            b[followers_targets + 4..][..4].copy_from_slice(&y.to_le_bytes());
            b[followers_targets + 8..][..4].copy_from_slice(&x.to_le_bytes());
        });
        assert!(msg.contains("corrupted cache"), "{msg}");
        // A label with a control character (an ESC) that exports would write as is.
        let names = ["a", "b", "c", "d"].map(String::from).to_vec();
        let g = sample(false, Some(NodeLabels::Strings(names)));
        let msg = crafted(&g, |b| {
            let at = b.len() - 4 - 1;
            b[at] = 0x1b;
        });
        assert!(msg.contains("control character"), "{msg}");
        // A NaN weight: the weights follow the header and the two adjacencies (5 offsets, 4
        // targets each).
        let msg = crafted(&sample(true, None), |b| {
            let weights = 64 + 2 * (8 * 5 + 4 * 4);
            b[weights..weights + 4].copy_from_slice(&f32::NAN.to_bits().to_le_bytes());
        });
        assert!(msg.contains("weight"), "{msg}");
        // A non-zero padding byte (found by the random cache tester): 3 edges, so 12 bytes of
        // sources targets followed by 4 bytes of padding.
        let g = FollowerGraph::from_edges(
            4,
            vec![(0, 1), (0, 2), (2, 1)],
            None,
            BuildOptions::default(),
        );
        let msg = crafted(&g, |b| {
            let padding = 64 + 8 * 5 + 4 * 3;
            b[padding] = 1;
        });
        assert!(msg.contains("zero padding"), "{msg}");
    }

    /// Writes the sample, applies `damage` to its bytes and returns the load error's message.
    fn damaged(damage: impl Fn(&mut Vec<u8>)) -> String {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("g.ovg");
        let names = ["a", "b", "c", "d"].map(String::from).to_vec();
        write_cache(&sample(true, Some(NodeLabels::Strings(names))), &path).expect("writes");
        let mut bytes = std::fs::read(&path).expect("reads");
        damage(&mut bytes);
        std::fs::write(&path, &bytes).expect("writes");
        let msg = read_cache(&path).expect_err("damaged").to_string();
        let prefix = format!("{}: ", path.display());
        assert!(msg.starts_with(&prefix), "{msg}");
        msg[prefix.len()..].to_owned()
    }

    #[test]
    fn damaged_caches_are_refused_with_a_clear_message() {
        assert!(damaged(|b| b.truncate(b.len() - 1)).starts_with("truncated: expected "));
        assert_eq!(
            damaged(|b| b.truncate(30)),
            "truncated: expected 64 bytes, found 30"
        );
        assert!(damaged(|b| b.push(0)).contains("trailing data"));
        assert_eq!(
            damaged(|b| b[8] = 7),
            "cache format version 7, this ovation reads version 1: re-import the edge list"
        );
        assert_eq!(
            damaged(|b| b[0] = b'X'),
            "not an ovation graph cache (its first bytes are not OVGRAPH)"
        );
        assert_eq!(
            damaged(|b| b.truncate(3)),
            "not an ovation graph cache (its first bytes are not OVGRAPH)"
        );
        // Every single flipped byte past the header is caught by the checksum.
        for at in [64, 70, 100, 130] {
            assert_eq!(
                damaged(|b| b[at] ^= 0x10),
                "checksum mismatch: the file is corrupted"
            );
        }
        // So is a flip in the trailer itself.
        assert_eq!(
            damaged(|b| {
                let last = b.len() - 1;
                b[last] ^= 1;
            }),
            "checksum mismatch: the file is corrupted"
        );
        // A header whose counts do not fit the file is truncated or impossible.
        assert!(damaged(|b| b[16] = 200).starts_with("truncated"));
        assert!(damaged(|b| b[23] = 0xff).starts_with("corrupted cache: "));
    }

    #[test]
    fn structural_damage_with_a_valid_checksum_is_still_refused() {
        // Rewrite one target and recompute the checksum: the structure check catches it.
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("g.ovg");
        write_cache(&sample(false, None), &path).expect("writes");
        let mut bytes = std::fs::read(&path).expect("reads");
        // The sources targets start after the header and 5 offsets.
        let at = 64 + 5 * 8;
        bytes[at..at + 4].copy_from_slice(&9u32.to_le_bytes());
        let body = bytes.len() - 4;
        let crc = crc32fast::hash(&bytes[..body]);
        bytes[body..].copy_from_slice(&crc.to_le_bytes());
        std::fs::write(&path, &bytes).expect("writes");
        let msg = read_cache(&path).expect_err("bad target").to_string();
        assert!(msg.contains("corrupted cache: sources of node"), "{msg}");
    }

    #[test]
    fn rows_read_alone_equal_the_whole_graphs_rows() {
        let dir = tempfile::tempdir().expect("temp dir");
        for weighted in [false, true] {
            let graph = sample(weighted, None);
            let path = dir.path().join(format!("g{weighted}.ovg"));
            write_cache(&graph, &path).expect("write");
            let n = graph.node_count();
            for (lo, hi) in [(0, n), (0, 1), (1, n - 1), (n / 2, n), (n, n)] {
                let rows = read_cache_rows(&path, lo, hi).expect("rows");
                assert_eq!((rows.node_count, rows.edge_count), (n, graph.edge_count()));
                for v in lo..hi {
                    let k = v - lo;
                    assert_eq!(rows.sources.row(k), graph.sources(v), "sources of {v}");
                    assert_eq!(
                        rows.followers.row(k),
                        graph.followers(v),
                        "followers of {v}"
                    );
                    let whole = (graph.source_adjacency(), graph.follower_adjacency());
                    for (part, all) in [(&rows.sources, whole.0), (&rows.followers, whole.1)] {
                        let (a, b) = part.range(k);
                        let (c, d) = all.range(v);
                        assert_eq!(
                            part.weights.as_ref().map(|w| w[a..b].to_vec()),
                            all.weights.as_ref().map(|w| w[c..d].to_vec())
                        );
                    }
                }
            }
            let err = read_cache_rows(&path, 0, n + 1)
                .expect_err("past the end")
                .to_string();
            assert!(
                err.contains(&format!("rows 0..{} asked for", n + 1)),
                "{err}"
            );
        }
    }

    #[test]
    fn a_missing_cache_names_the_file() {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("nope.ovg");
        let msg = read_cache(&path).expect_err("missing").to_string();
        assert_eq!(msg, format!("{}: no such file", path.display()));
        assert!(is_cache(&path).is_err());
    }
}
