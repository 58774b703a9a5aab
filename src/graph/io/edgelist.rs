//! The edge-list parser: SNAP-style text, plain or gzip, to a [`FollowerGraph`].
//!
//! # Format
//!
//! ```text
//! # Directed graph: lines starting with # or % are comments, blank lines are skipped
//! FromNodeId    ToNodeId
//! 0    1
//! 0 2
//! 3,4
//! ```
//!
//! One edge per line, two columns (three with [`ImportOptions::weighted`]: an `f32` weight),
//! separated by spaces, tabs or one comma with optional spaces around it. CRLF line ends and a
//! UTF-8 byte-order mark are tolerated. A file whose first two bytes are the gzip magic
//! (`1f 8b`) is decompressed (multi-member gzip too), whatever its name.
//!
//! # How it runs
//!
//! The input is read in blocks of whole lines (32 MiB); each block is cut at line ends into
//! 1 MiB chunks parsed in parallel with rayon while the next block is read (and decompressed).
//! Chunk results are concatenated in chunk order, so the edge list, and with it the graph, is
//! the same for any number of threads, and the first error reported is the first in the file,
//! with its exact line number. Bytes are parsed directly: no allocation per line.
//!
//! Integer ids are remapped to dense `u32` in ascending order of original id, through a
//! bitmap and a direct array when the largest id is below the number of id tokens read, else
//! by sort + dedup and binary search. String ids are numbered in order of first appearance:
//! each chunk numbers its own strings, then chunk tables are merged in chunk order.

use std::fs::File;
use std::hash::{BuildHasherDefault, Hasher};
use std::io::{self, Read};
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use flate2::read::MultiGzDecoder;
use memchr::{memchr, memrchr};
use rayon::prelude::*;

use super::error::display_text;
use super::{Direction, GraphIoError, IdKind, ImportOptions, LineError};
use crate::graph::{BuildOptions, FollowerGraph, NodeLabels, huge};

/// The longest line accepted, in bytes; a longer one is an error (a binary file, most likely).
pub const MAX_LINE_BYTES: usize = 1 << 20;
/// Bytes read (after decompression) per block.
const BLOCK_BYTES: usize = 32 << 20;
/// Bytes per parallel parsing task.
const CHUNK_BYTES: usize = 1 << 20;

/// Imports an edge list (plain or gzip, recognised by its magic bytes) as a follower graph.
///
/// Self-loops and repeated edges are dropped and counted in the graph's
/// [`BuildReport`](crate::graph::BuildReport) unless `opts` keeps them. The node set is every
/// id seen in either column, so a node seen only in a self-loop stays, without edges. The
/// original ids are kept as the graph's labels.
///
/// `progress` is called after each block with the number of bytes of the file read so far
/// (compressed bytes for gzip: compare with the file's size).
///
/// Runs in **O(bytes + m log m)** time, in parallel; peak memory is about 24 bytes per edge
/// plus two 32 MiB blocks.
pub fn import_edge_list(
    path: &Path,
    opts: &ImportOptions,
    progress: &dyn Fn(u64),
) -> Result<FollowerGraph, GraphIoError> {
    let mut file = open_input(path)?;
    let mut head = [0u8; 2];
    let got = read_up_to(&mut file, &mut head).map_err(|error| GraphIoError::Io {
        path: path.to_path_buf(),
        error,
    })?;
    let count = Arc::new(AtomicU64::new(got as u64));
    let counted = CountingReader {
        inner: file,
        count: Arc::clone(&count),
    };
    let reader = (&head[..got]).chain(counted);
    let bytes_read = || count.load(Ordering::Relaxed);
    let sizes = Sizes::default();
    if head[..got] == [0x1f, 0x8b] {
        let gz = MultiGzDecoder::new(reader);
        parse_stream(path, gz, true, opts, sizes, progress, &bytes_read)
    } else {
        parse_stream(path, reader, false, opts, sizes, progress, &bytes_read)
    }
}

/// Parses an edge list held in memory (plain or gzip), as [`import_edge_list`] reads a file;
/// `name` stands for the file in error messages. The entry point of the fuzz target.
pub fn parse_edge_list_bytes(
    name: &str,
    bytes: &[u8],
    opts: &ImportOptions,
) -> Result<FollowerGraph, GraphIoError> {
    parse_edge_list_bytes_with_sizes(name, bytes, opts, BLOCK_BYTES, CHUNK_BYTES)
}

/// [`parse_edge_list_bytes`] with explicit block and chunk sizes, so tests and the fuzz
/// target can check that the way the input is cut never changes the result.
#[doc(hidden)]
pub fn parse_edge_list_bytes_with_sizes(
    name: &str,
    bytes: &[u8],
    opts: &ImportOptions,
    block: usize,
    chunk: usize,
) -> Result<FollowerGraph, GraphIoError> {
    let path = Path::new(name);
    let sizes = Sizes {
        block: block.max(1),
        chunk: chunk.max(1),
    };
    if bytes.starts_with(&[0x1f, 0x8b]) {
        let gz = MultiGzDecoder::new(bytes);
        parse_stream(path, gz, true, opts, sizes, &|_| {}, &|| 0)
    } else {
        parse_stream(path, bytes, false, opts, sizes, &|_| {}, &|| 0)
    }
}

/// Opens an input graph file, refusing anything but a regular file (a FIFO would block the
/// open and the read forever, a folder or device is no graph).
pub(crate) fn open_input(path: &Path) -> Result<File, GraphIoError> {
    let meta = std::fs::metadata(path).map_err(|e| open_error(path, e))?;
    if !meta.is_file() {
        return Err(GraphIoError::NotAFile {
            path: path.to_path_buf(),
            kind: file_kind(&meta),
        });
    }
    File::open(path).map_err(|e| open_error(path, e))
}

/// What a non-regular file is, in words.
fn file_kind(meta: &std::fs::Metadata) -> &'static str {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        let t = meta.file_type();
        if t.is_fifo() {
            return "a FIFO (named pipe)";
        }
        if t.is_socket() {
            return "a socket";
        }
        if t.is_block_device() || t.is_char_device() {
            return "a device";
        }
    }
    if meta.is_dir() {
        "a folder"
    } else {
        "not a regular file"
    }
}

/// The error for a file that cannot be opened: `NotFound` when it does not exist.
pub(crate) fn open_error(path: &Path, error: io::Error) -> GraphIoError {
    if error.kind() == io::ErrorKind::NotFound {
        GraphIoError::NotFound {
            path: path.to_path_buf(),
        }
    } else {
        GraphIoError::Io {
            path: path.to_path_buf(),
            error,
        }
    }
}

/// Reads until `buf` is full or the input ends; returns the bytes read.
fn read_up_to(r: &mut impl Read, buf: &mut [u8]) -> io::Result<usize> {
    let mut filled = 0;
    while filled < buf.len() {
        match r.read(&mut buf[filled..]) {
            Ok(0) => break,
            Ok(k) => filled += k,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(filled)
}

/// Counts the bytes read from the file, for progress reports.
struct CountingReader<R> {
    inner: R,
    count: Arc<AtomicU64>,
}

impl<R: Read> Read for CountingReader<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let k = self.inner.read(buf)?;
        self.count.fetch_add(k as u64, Ordering::Relaxed);
        Ok(k)
    }
}

#[derive(Clone, Copy)]
struct Sizes {
    block: usize,
    chunk: usize,
}

impl Default for Sizes {
    fn default() -> Sizes {
        Sizes {
            block: BLOCK_BYTES,
            chunk: CHUNK_BYTES,
        }
    }
}

/// How ids are read, once decided.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Mode {
    Integer,
    String,
}

/// A malformed line found by a parallel task: its index within the task's chunk.
struct Fault {
    line: u64,
    error: LineError,
    text: String,
}

/// Why reading a block failed.
enum ReadError {
    Io(io::Error),
    /// A line longer than the limit; holds its first bytes for the message.
    LineTooLong(Vec<u8>),
}

/// Reads the input in blocks that end at a line end (or the end of the input).
struct BlockReader<R> {
    inner: R,
    /// The start of the next block: a partial line left over from the last read.
    carry: Vec<u8>,
    block: usize,
    eof: bool,
    /// Buffers of blocks already parsed, handed back by [`BlockReader::recycle`] so that the
    /// next blocks reuse their pages instead of faulting in fresh ones.
    spare: Vec<Vec<u8>>,
}

impl<R: Read> BlockReader<R> {
    fn new(inner: R, block: usize) -> BlockReader<R> {
        BlockReader {
            inner,
            carry: Vec::new(),
            block,
            eof: false,
            spare: Vec::new(),
        }
    }

    /// Hands back a block's buffer once it is parsed.
    fn recycle(&mut self, mut buf: Vec<u8>) {
        buf.clear();
        self.spare.push(buf);
    }

    fn next_block(&mut self) -> Result<Option<Vec<u8>>, ReadError> {
        let mut buf = self.spare.pop().unwrap_or_default();
        if buf.capacity() == 0 {
            // Reserved, not written: a small input touches only the pages it fills.
            buf = huge::with_capacity(self.carry.len() + self.block);
        }
        buf.extend_from_slice(&self.carry);
        self.carry.clear();
        let mut target = buf.len() + self.block;
        // Bytes of `buf` known to hold no line end.
        let mut searched = 0;
        loop {
            if !self.eof {
                let want = (target - buf.len()) as u64;
                buf.reserve(want as usize);
                let got = (&mut self.inner)
                    .take(want)
                    .read_to_end(&mut buf)
                    .map_err(ReadError::Io)?;
                if (got as u64) < want {
                    self.eof = true;
                }
            }
            if self.eof {
                return Ok((!buf.is_empty()).then_some(buf));
            }
            match memrchr(b'\n', &buf[searched..]) {
                Some(p) => {
                    let cut = searched + p + 1;
                    self.carry.extend_from_slice(&buf[cut..]);
                    buf.truncate(cut);
                    return Ok(Some(buf));
                }
                None if buf.len() > MAX_LINE_BYTES => {
                    buf.truncate(400);
                    return Err(ReadError::LineTooLong(buf));
                }
                None => {
                    searched = buf.len();
                    target = 2 * buf.len();
                }
            }
        }
    }
}

/// Strips spaces, tabs and carriage returns from both ends.
#[inline]
fn trim(line: &[u8]) -> &[u8] {
    let is_space = |b: &u8| matches!(b, b' ' | b'\t' | b'\r');
    let start = line.iter().position(|b| !is_space(b)).unwrap_or(line.len());
    let end = line
        .iter()
        .rposition(|b| !is_space(b))
        .map_or(start, |e| e + 1);
    &line[start..end]
}

/// The first data line of a block: its 1-based line number, its trimmed text, and the second
/// data line's when the block holds one.
type FirstLines<'a> = (u64, &'a [u8], Option<&'a [u8]>);

/// The first data line of `block` (its 1-based line number and trimmed text) and the second
/// data line when the block holds one.
fn first_two_data_lines(block: &[u8]) -> Option<FirstLines<'_>> {
    let mut found: Option<(u64, &[u8])> = None;
    for (i, raw) in block.split(|&b| b == b'\n').enumerate() {
        let line = trim(raw);
        if !is_data(line) {
            continue;
        }
        match found {
            None => found = Some((i as u64 + 1, line)),
            Some((n, first)) => return Some((n, first, Some(line))),
        }
    }
    found.map(|(n, first)| (n, first, None))
}

/// Whether a trimmed line holds data (is neither blank nor a comment).
#[inline]
fn is_data(line: &[u8]) -> bool {
    !matches!(line.first(), None | Some(b'#' | b'%'))
}

/// Splits a trimmed data line into columns; returns the number of columns and the first three.
#[inline]
fn split_fields(line: &[u8]) -> Result<(usize, [&[u8]; 3]), LineError> {
    let mut fields: [&[u8]; 3] = [&[]; 3];
    let mut count = 0;
    let n = line.len();
    let mut i = 0;
    loop {
        let start = i;
        while i < n && !matches!(line[i], b' ' | b'\t' | b',') {
            i += 1;
        }
        if i == start {
            return Err(LineError::EmptyField);
        }
        if count < 3 {
            fields[count] = &line[start..i];
        }
        count += 1;
        if i == n {
            return Ok((count, fields));
        }
        while i < n && matches!(line[i], b' ' | b'\t') {
            i += 1;
        }
        if i < n && line[i] == b',' {
            i += 1;
            while i < n && matches!(line[i], b' ' | b'\t') {
                i += 1;
            }
            if i == n {
                return Err(LineError::EmptyField);
            }
        }
    }
}

/// Checks the number of columns.
#[inline]
fn check_columns(count: usize, weighted: bool) -> Result<(), LineError> {
    let expected = if weighted { 3 } else { 2 };
    if count == expected {
        Ok(())
    } else {
        Err(LineError::ColumnCount {
            expected,
            found: count,
        })
    }
}

/// Whether a token looks like an integer (an optional minus sign, then digits).
fn looks_integer(token: &[u8]) -> bool {
    let digits = token.strip_prefix(b"-").unwrap_or(token);
    !digits.is_empty() && digits.iter().all(u8::is_ascii_digit)
}

/// Parses a non-negative integer id.
#[inline]
fn parse_id(token: &[u8]) -> Result<u64, LineError> {
    let mut acc: u64 = 0;
    for &b in token {
        let d = b.wrapping_sub(b'0');
        if d > 9 {
            return Err(classify_bad_id(token));
        }
        acc = match acc
            .checked_mul(10)
            .and_then(|a| a.checked_add(u64::from(d)))
        {
            Some(a) => a,
            None => return Err(classify_bad_id(token)),
        };
    }
    Ok(acc)
}

#[cold]
fn classify_bad_id(token: &[u8]) -> LineError {
    let shown = display_text(token);
    if token.iter().all(u8::is_ascii_digit) {
        LineError::IdOutOfRange { token: shown }
    } else if looks_integer(token) {
        LineError::NegativeId { token: shown }
    } else {
        LineError::NotAnInteger { token: shown }
    }
}

fn parse_weight(token: &[u8]) -> Result<f32, LineError> {
    std::str::from_utf8(token)
        .ok()
        .and_then(|s| s.parse::<f32>().ok())
        // NaN, infinite (also a finite text beyond f32's range) and negative weights would
        // poison delays and thresholds downstream: refused here, where they enter.
        .filter(|w| w.is_finite() && *w >= 0.0)
        .ok_or_else(|| LineError::BadWeight {
            token: display_text(token),
        })
}

/// Checks a string id: UTF-8 without control characters.
#[inline]
fn check_string_id(token: &[u8]) -> Result<(), LineError> {
    if let Some(&byte) = token.iter().find(|&&b| b < 0x20 || b == 0x7f) {
        return Err(LineError::ControlCharacter { byte });
    }
    std::str::from_utf8(token).map_err(|_| LineError::NotUtf8)?;
    Ok(())
}

/// Calls `f` on each data line of `data` (whole lines); returns the number of lines (all of
/// them, comments and blanks included) or the first fault.
#[inline]
fn for_each_data_line<'a>(
    data: &'a [u8],
    mut f: impl FnMut(&'a [u8]) -> Result<(), LineError>,
) -> Result<u64, Fault> {
    let mut pos = 0;
    let mut index = 0u64;
    while pos < data.len() {
        pos = one_line(data, pos, index, &mut f)?;
        index += 1;
    }
    Ok(index)
}

/// Handles the line of `data` that starts at `pos` (line `index` of the chunk, counted from
/// 0); returns where the next line starts.
#[inline]
fn one_line<'a>(
    data: &'a [u8],
    pos: usize,
    index: u64,
    f: &mut impl FnMut(&'a [u8]) -> Result<(), LineError>,
) -> Result<usize, Fault> {
    let end = memchr(b'\n', &data[pos..]).map_or(data.len(), |p| pos + p);
    let raw = &data[pos..end];
    let result = if raw.len() > MAX_LINE_BYTES {
        Err(LineError::LineTooLong {
            max: MAX_LINE_BYTES,
        })
    } else {
        let line = trim(raw);
        if is_data(line) { f(line) } else { Ok(()) }
    };
    match result {
        Ok(()) => Ok(end + 1),
        Err(error) => Err(Fault {
            line: index,
            error,
            text: display_text(raw),
        }),
    }
}

/// The most digits [`plain_pair`] reads in one id: 19 digits always fit in a `u64`.
const PLAIN_DIGITS: usize = 19;

/// Reads the digits at `data[pos..]` as a number: the number and where the digits end, or
/// `None` when there is no digit or more than [`PLAIN_DIGITS`].
#[inline(always)]
fn plain_number(data: &[u8], mut pos: usize) -> Option<(u64, usize)> {
    let start = pos;
    let mut acc: u64 = 0;
    while let Some(&b) = data.get(pos) {
        let d = b.wrapping_sub(b'0');
        if d > 9 {
            break;
        }
        acc = acc * 10 + u64::from(d);
        pos += 1;
        if pos - start > PLAIN_DIGITS {
            return None;
        }
    }
    (pos > start).then_some((acc, pos))
}

/// [`plain_number`], eight bytes at a time: where eight bytes can be read, their digits are
/// found and converted in a few word operations (no branch per digit); a number of eight or
/// more digits, or one near the end of `data`, goes to [`plain_number`]. Returns exactly what
/// [`plain_number`] returns.
#[inline(always)]
fn swar_number(data: &[u8], pos: usize) -> Option<(u64, usize)> {
    const LOW7: u64 = 0x7f7f_7f7f_7f7f_7f7f;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    let Some(bytes) = data.get(pos..pos + 8) else {
        return plain_number(data, pos);
    };
    let word = u64::from_le_bytes(bytes.try_into().expect("eight bytes"));
    // Each byte's value if it is a digit ('0'..='9' are exactly the bytes that xor 0x30 maps
    // to 0..=9), then the high bit of each byte set where it is not: `(x & 0x7f) + 0x76`
    // reaches 0x80 exactly when `x & 0x7f > 9`, never carries into the next byte, and `| x`
    // adds the bytes whose own high bit is set.
    let x = word ^ 0x3030_3030_3030_3030;
    let non_digit = (((x & LOW7) + 0x7676_7676_7676_7676) | x) & HIGH;
    if non_digit == 0 {
        return plain_number(data, pos);
    }
    // Little-endian: the first byte of the text is the lowest byte of the word.
    let len = (non_digit.trailing_zeros() / 8) as usize;
    if len == 0 {
        return None;
    }
    // The `len` digits moved to the top bytes, zeros below: the number with leading zeros.
    // Then pairs, quads and the eight digits are combined (each step fits its lanes: 99, 9999,
    // 99,999,999).
    let mut v = x << (8 * (8 - len));
    v = (v * 10 + (v >> 8)) & 0x00ff_00ff_00ff_00ff;
    v = (v * 100 + (v >> 16)) & 0x0000_ffff_0000_ffff;
    v = (v * 10_000 + (v >> 32)) & 0xffff_ffff;
    Some((v, pos + len))
}

/// The fast path of the integer parser: a line `digits SEP digits` (SEP: spaces or tabs, or a
/// comma with optional spaces or tabs around it), then optional spaces, tabs or a carriage
/// return, then the line end or the end of `data`. Returns the two ids and where the next line
/// starts, or `None` for any other line, which then goes through the general path (so that
/// every error, and every line this does not recognise, is handled there, exactly as before).
#[inline(always)]
fn plain_pair(data: &[u8], pos: usize) -> Option<(u64, u64, usize)> {
    let (a, mut i) = swar_number(data, pos)?;
    let blank = |b: Option<&u8>| matches!(b, Some(b' ' | b'\t'));
    if !matches!(data.get(i), Some(b' ' | b'\t' | b',')) {
        return None;
    }
    while blank(data.get(i)) {
        i += 1;
    }
    if data.get(i) == Some(&b',') {
        i += 1;
        while blank(data.get(i)) {
            i += 1;
        }
    }
    let (b, mut i) = swar_number(data, i)?;
    while matches!(data.get(i), Some(b' ' | b'\t' | b'\r')) {
        i += 1;
    }
    let next = match data.get(i) {
        None => i,
        Some(b'\n') => i + 1,
        Some(_) => return None,
    };
    // A line padded past the length limit is the general path's error to report.
    (next - pos <= MAX_LINE_BYTES).then_some((a, b, next))
}

/// What a parallel task found in its chunk with integer ids.
struct IntChunk {
    /// Original ids, one pair per line, as written (columns not yet swapped), while every id
    /// fits in a `u32` (the usual file): 8 bytes per edge, and the pairs become the edges in
    /// place once renumbered.
    narrow: Vec<(u32, u32)>,
    /// The same once an id beyond `u32` is met: then every pair of the chunk is here.
    wide: Vec<(u64, u64)>,
    weights: Vec<f32>,
    /// The largest id read (0 when none).
    max: u64,
}

impl IntChunk {
    /// An empty chunk that fills `buffer` (emptied first), with room for `lines` pairs.
    fn in_buffer(mut buffer: Vec<(u32, u32)>, lines: usize) -> IntChunk {
        buffer.clear();
        buffer.reserve(lines);
        IntChunk {
            narrow: buffer,
            wide: Vec::new(),
            weights: Vec::new(),
            max: 0,
        }
    }

    /// Appends one block's chunks, in order, to `all`: as one chunk when every id fits in a
    /// `u32` (the chunks' pairs copied into one vector in huge pages, so that the graph build
    /// reads a few long parts), else as they are. Returns the chunks' emptied pair buffers,
    /// for the next block's chunks to fill: their pages are then faulted in only once.
    fn append_block(all: &mut Vec<IntChunk>, chunks: Vec<IntChunk>) -> Vec<Vec<(u32, u32)>> {
        if chunks.iter().any(|c| !c.wide.is_empty()) {
            all.extend(chunks);
            return Vec::new();
        }
        let pairs: usize = chunks.iter().map(|c| c.narrow.len()).sum();
        let weights: usize = chunks.iter().map(|c| c.weights.len()).sum();
        let mut merged = IntChunk {
            narrow: huge::with_capacity(pairs),
            wide: Vec::new(),
            weights: Vec::with_capacity(weights),
            max: 0,
        };
        let mut buffers = Vec::with_capacity(chunks.len());
        for c in chunks {
            merged.narrow.extend_from_slice(&c.narrow);
            merged.weights.extend_from_slice(&c.weights);
            merged.max = merged.max.max(c.max);
            buffers.push(c.narrow);
        }
        all.push(merged);
        buffers
    }

    /// Appends a line's two ids.
    #[inline(always)]
    fn push(&mut self, a: u64, b: u64) {
        self.max = self.max.max(a).max(b);
        match (u32::try_from(a), u32::try_from(b)) {
            (Ok(a), Ok(b)) if self.wide.is_empty() => self.narrow.push((a, b)),
            _ => {
                if self.wide.is_empty() {
                    self.wide = self
                        .narrow
                        .drain(..)
                        .map(|(a, b)| (u64::from(a), u64::from(b)))
                        .collect();
                    self.narrow = Vec::new();
                }
                self.wide.push((a, b));
            }
        }
    }

    /// Number of lines (pairs) read.
    fn lines(&self) -> usize {
        self.narrow.len() + self.wide.len()
    }

    /// Calls `f` on every id read, in order.
    #[inline]
    fn for_each_id(&self, mut f: impl FnMut(u64)) {
        for &(a, b) in &self.narrow {
            f(u64::from(a));
            f(u64::from(b));
        }
        for &(a, b) in &self.wide {
            f(a);
            f(b);
        }
    }

    /// Every id read, in order.
    fn ids(&self) -> impl Iterator<Item = u64> + '_ {
        let narrow = self
            .narrow
            .iter()
            .flat_map(|&(a, b)| [u64::from(a), u64::from(b)]);
        let wide = self.wide.iter().flat_map(|&(a, b)| [a, b]);
        narrow.chain(wide)
    }

    /// The chunk's edges: ids renumbered by `map`, oriented by `direction`, in file order.
    /// Narrow pairs are renumbered and oriented in place, without a copy, unless every line
    /// gives two edges.
    fn into_edges(self, direction: Direction, map: impl Fn(u64) -> u32) -> Vec<(u32, u32)> {
        let IntChunk {
            mut narrow, wide, ..
        } = self;
        if wide.is_empty() {
            for e in &mut narrow {
                *e = (map(u64::from(e.0)), map(u64::from(e.1)));
            }
        } else {
            narrow = wide.into_iter().map(|(a, b)| (map(a), map(b))).collect();
        }
        match direction {
            Direction::SecondFollowsFirst => narrow,
            Direction::FirstFollowsSecond => {
                for e in &mut narrow {
                    *e = (e.1, e.0);
                }
                narrow
            }
            Direction::Mutual => narrow.iter().flat_map(|&(a, b)| [(a, b), (b, a)]).collect(),
        }
    }
}

/// Parses one trimmed data line with integer ids into `chunk`.
#[inline]
fn general_int_line(chunk: &mut IntChunk, line: &[u8], weighted: bool) -> Result<(), LineError> {
    let (count, fields) = split_fields(line)?;
    check_columns(count, weighted)?;
    let a = parse_id(fields[0])?;
    let b = parse_id(fields[1])?;
    if weighted {
        let w = parse_weight(fields[2])?;
        chunk.weights.push(w);
    }
    chunk.push(a, b);
    Ok(())
}

/// Parses a chunk of whole lines with integer ids, filling `buffer` (a spare from an earlier
/// chunk, or a new vector).
fn parse_int_chunk(
    data: &[u8],
    weighted: bool,
    buffer: Vec<(u32, u32)>,
) -> (Result<u64, Fault>, IntChunk) {
    // Typical lines are 8-16 bytes; the vector grows for shorter ones.
    let mut chunk = IntChunk::in_buffer(buffer, data.len() / 8);
    if weighted {
        let lines = for_each_data_line(data, |line| general_int_line(&mut chunk, line, true));
        return (lines, chunk);
    }
    // Unweighted: the plain lines that make up almost every file take the fast path; any
    // other line (comments, blanks, errors) takes the general one, in file order.
    let mut pos = 0;
    let mut index = 0u64;
    while pos < data.len() {
        if let Some((a, b, next)) = plain_pair(data, pos) {
            chunk.push(a, b);
            pos = next;
        } else {
            let mut general = |line| general_int_line(&mut chunk, line, false);
            match one_line(data, pos, index, &mut general) {
                Ok(next) => pos = next,
                Err(fault) => return (Err(fault), chunk),
            }
        }
        index += 1;
    }
    (Ok(index), chunk)
}

/// A fast, deterministic hasher (FxHash, with a final mix) for the string-id tables; hash
/// flooding is no concern for files the user chose.
#[derive(Default)]
struct FxHasher(u64);

impl Hasher for FxHasher {
    #[inline]
    fn write(&mut self, bytes: &[u8]) {
        const K: u64 = 0x51_7c_c1_b7_27_22_0a_95;
        let mut chunks = bytes.chunks_exact(8);
        for c in &mut chunks {
            let word = u64::from_le_bytes(c.try_into().expect("8 bytes"));
            self.0 = (self.0.rotate_left(5) ^ word).wrapping_mul(K);
        }
        for &b in chunks.remainder() {
            self.0 = (self.0.rotate_left(5) ^ u64::from(b)).wrapping_mul(K);
        }
    }

    /// Mixes the state (the murmur3 finaliser): FxHash's last step is a multiply, which
    /// leaves the low bits, the ones a table indexes by, depending on low input bits only;
    /// ids like `user123` then collide en masse.
    #[inline]
    fn finish(&self) -> u64 {
        let mut h = self.0;
        h ^= h >> 33;
        h = h.wrapping_mul(0xff51_afd7_ed55_8ccd);
        h ^= h >> 33;
        h = h.wrapping_mul(0xc4ce_b9fe_1a85_ec53);
        h ^ (h >> 33)
    }
}

#[allow(
    clippy::disallowed_types,
    reason = "string ids need a hash table; it is only looked up, never iterated, so order cannot leak"
)]
type StrMap<K> = std::collections::HashMap<K, u32, BuildHasherDefault<FxHasher>>;

/// What a parallel task found in its chunk with string ids.
struct StrChunk<'a> {
    /// Local ids (index into `names`), two per edge, as written.
    ids: Vec<u32>,
    weights: Vec<f32>,
    /// The chunk's distinct names in order of first appearance.
    names: Vec<&'a [u8]>,
}

fn parse_str_chunk(data: &[u8], weighted: bool) -> (Result<u64, Fault>, StrChunk<'_>) {
    let mut chunk = StrChunk {
        ids: Vec::new(),
        weights: Vec::new(),
        names: Vec::new(),
    };
    let mut local: StrMap<&[u8]> = StrMap::default();
    let lines = for_each_data_line(data, |line| {
        let (count, fields) = split_fields(line)?;
        check_columns(count, weighted)?;
        check_string_id(fields[0])?;
        check_string_id(fields[1])?;
        if weighted {
            let w = parse_weight(fields[2])?;
            chunk.weights.push(w);
        }
        for name in [fields[0], fields[1]] {
            let next = chunk.names.len() as u32;
            let id = *local.entry(name).or_insert(next);
            if id == next {
                chunk.names.push(name);
            }
            chunk.ids.push(id);
        }
        Ok(())
    });
    (lines, chunk)
}

/// Cuts `data` into pieces of about `size` bytes at line ends.
fn split_chunks(data: &[u8], size: usize) -> Vec<&[u8]> {
    let mut out = Vec::with_capacity(data.len() / size + 1);
    let mut start = 0;
    while start < data.len() {
        let target = start + size;
        if target >= data.len() {
            out.push(&data[start..]);
            break;
        }
        match memchr(b'\n', &data[target..]) {
            Some(p) => {
                let end = target + p + 1;
                out.push(&data[start..end]);
                start = end;
            }
            None => {
                out.push(&data[start..]);
                break;
            }
        }
    }
    out
}

/// The string-id table of the whole file.
struct Strings {
    ids: StrMap<Box<str>>,
    edges: Vec<(u32, u32)>,
    weights: Vec<f32>,
}

/// Everything parsed so far.
enum Parsed {
    Integer(Vec<IntChunk>),
    String(Strings),
}

/// Orients a line `a b` as edges `u -> v`.
#[inline]
fn orient(direction: Direction, a: u32, b: u32, out: &mut impl FnMut(u32, u32)) {
    match direction {
        Direction::SecondFollowsFirst => out(a, b),
        Direction::FirstFollowsSecond => out(b, a),
        Direction::Mutual => {
            out(a, b);
            out(b, a);
        }
    }
}

fn edges_per_line(direction: Direction) -> usize {
    if direction == Direction::Mutual { 2 } else { 1 }
}

fn parse_stream<R: Read + Send>(
    path: &Path,
    reader: R,
    gz: bool,
    opts: &ImportOptions,
    sizes: Sizes,
    progress: &dyn Fn(u64),
    bytes_read: &dyn Fn() -> u64,
) -> Result<FollowerGraph, GraphIoError> {
    let parse_error = |line: u64, error: LineError, text: String| GraphIoError::Parse {
        path: path.to_path_buf(),
        line,
        error,
        text,
    };
    let mut reader = BlockReader::new(reader, sizes.block);
    let mut mode = match opts.ids {
        IdKind::Auto => None,
        IdKind::Integer => Some(Mode::Integer),
        IdKind::String => Some(Mode::String),
    };
    let mut header_pending = opts.header;
    // Set once the first data line has been checked for a column header.
    let mut first_data_checked = false;
    let mut parsed: Option<Parsed> = None;
    // Lines before the current block's unparsed part.
    let mut lines: u64 = 0;
    let mut first_block = true;
    // A failed read, as the error to return; `before` lines precede the block being read.
    let read_failure = |failure: ReadError, before: u64| match failure {
        ReadError::Io(error) => {
            let path = path.to_path_buf();
            if gz {
                GraphIoError::Gzip { path, error }
            } else {
                GraphIoError::Io { path, error }
            }
        }
        ReadError::LineTooLong(start) => parse_error(
            before + 1,
            LineError::LineTooLong {
                max: MAX_LINE_BYTES,
            },
            display_text(&start),
        ),
    };
    // Pair buffers of the last block's chunks, for the next block's to fill.
    let mut spare_pairs: Vec<Vec<(u32, u32)>> = Vec::new();
    let mut pending = reader.next_block();
    loop {
        let mut block = match pending {
            Ok(Some(block)) => block,
            Ok(None) => break,
            Err(failure) => return Err(read_failure(failure, lines)),
        };
        progress(bytes_read());
        let mut start = 0;
        if first_block {
            first_block = false;
            if block.starts_with(b"\xEF\xBB\xBF") {
                start = 3;
            }
        }
        // The header check below needs the first two data lines, and a block may end between
        // them: read on until the second is in hand or the input ends, so that the outcome
        // does not depend on where the input is cut (found by the parse_edge_list fuzz
        // target). Only comment and blank lines lie between the two.
        if !first_data_checked && !opts.header && mode != Some(Mode::String) {
            while matches!(first_two_data_lines(&block[start..]), Some((_, _, None))) {
                match reader.next_block() {
                    Ok(Some(more)) => block.extend_from_slice(&more),
                    Ok(None) => break,
                    Err(failure) => {
                        let before = lines + memchr::memchr_iter(b'\n', &block).count() as u64;
                        return Err(read_failure(failure, before));
                    }
                }
            }
        }
        // A column header in a file of integer ids would otherwise become an edge between two
        // string ids (auto) or a parse error without a hint (integer ids). Checked once, on the
        // first block that holds a data line.
        if !first_data_checked
            && !opts.header
            && mode != Some(Mode::String)
            && let Some((line_no, first, second)) = first_two_data_lines(&block[start..])
        {
            first_data_checked = true;
            let integer_line = |line: &[u8]| match split_fields(line) {
                Ok((count, fields)) => count >= 2 && fields[..2].iter().all(|t| looks_integer(t)),
                Err(_) => false,
            };
            let rest_integer = mode == Some(Mode::Integer) || second.is_some_and(integer_line);
            let has_letters = first.iter().any(u8::is_ascii_alphabetic);
            if has_letters && !integer_line(first) && rest_integer {
                return Err(parse_error(
                    lines + line_no,
                    LineError::LooksLikeHeader,
                    display_text(first),
                ));
            }
        }
        // Skip the header and decide the id kind, one line at a time.
        while (header_pending || mode.is_none()) && start < block.len() {
            let end = memchr(b'\n', &block[start..]).map_or(block.len(), |p| start + p);
            let raw = &block[start..end];
            if raw.len() > MAX_LINE_BYTES {
                let error = LineError::LineTooLong {
                    max: MAX_LINE_BYTES,
                };
                return Err(parse_error(lines + 1, error, display_text(raw)));
            }
            let line = trim(raw);
            if is_data(line) {
                if header_pending {
                    header_pending = false;
                } else {
                    let integers = match split_fields(line) {
                        Ok((count, fields)) => {
                            fields[..count.min(2)].iter().all(|t| looks_integer(t))
                        }
                        Err(_) => true,
                    };
                    mode = Some(if integers {
                        Mode::Integer
                    } else {
                        Mode::String
                    });
                    break;
                }
            }
            start = (end + 1).min(block.len());
            lines += 1;
        }
        let data = &block[start..];
        let chunks = split_chunks(if mode.is_some() { data } else { &[] }, sizes.chunk);
        match mode {
            None => pending = reader.next_block(),
            Some(Mode::Integer) => {
                let mut buffers = std::mem::take(&mut spare_pairs);
                buffers.resize_with(chunks.len(), Vec::new);
                let (results, next) = rayon::join(
                    || {
                        chunks
                            .par_iter()
                            .zip(buffers)
                            .map(|(c, buffer)| parse_int_chunk(c, opts.weighted, buffer))
                            .collect::<Vec<_>>()
                    },
                    || reader.next_block(),
                );
                pending = next;
                let all = match parsed.get_or_insert_with(|| Parsed::Integer(Vec::new())) {
                    Parsed::Integer(all) => all,
                    Parsed::String(_) => unreachable!("the id kind is decided once"),
                };
                let mut block_chunks = Vec::with_capacity(results.len());
                for (result, chunk) in results {
                    match result {
                        Ok(n) => lines += n,
                        Err(f) => return Err(parse_error(lines + f.line + 1, f.error, f.text)),
                    }
                    block_chunks.push(chunk);
                }
                spare_pairs = IntChunk::append_block(all, block_chunks);
            }
            Some(Mode::String) => {
                let (results, next) = rayon::join(
                    || {
                        chunks
                            .par_iter()
                            .map(|c| parse_str_chunk(c, opts.weighted))
                            .collect::<Vec<_>>()
                    },
                    || reader.next_block(),
                );
                pending = next;
                let strings = match parsed.get_or_insert_with(|| {
                    Parsed::String(Strings {
                        ids: StrMap::default(),
                        edges: Vec::new(),
                        weights: Vec::new(),
                    })
                }) {
                    Parsed::String(s) => s,
                    Parsed::Integer(_) => unreachable!("the id kind is decided once"),
                };
                let mut local_chunks = Vec::with_capacity(results.len());
                for (result, chunk) in results {
                    match result {
                        Ok(n) => lines += n,
                        Err(f) => return Err(parse_error(lines + f.line + 1, f.error, f.text)),
                    }
                    local_chunks.push(chunk);
                }
                merge_strings(path, strings, local_chunks, opts.direction)?;
            }
        }
        reader.recycle(block);
    }
    let (node_count, edges, weights, labels) = match parsed {
        None => {
            return Err(GraphIoError::NoEdges {
                path: path.to_path_buf(),
            });
        }
        Some(Parsed::String(s)) => finish_strings(s),
        Some(Parsed::Integer(chunks)) => finish_integers(path, chunks, opts.direction)?,
    };
    if edges.iter().all(Vec::is_empty) {
        return Err(GraphIoError::NoEdges {
            path: path.to_path_buf(),
        });
    }
    let build = BuildOptions {
        keep_self_loops: opts.keep_self_loops,
        keep_duplicates: opts.keep_duplicates,
    };
    let weights = opts.weighted.then_some(weights);
    Ok(FollowerGraph::from_edge_parts(node_count, edges, weights, build).with_labels(labels))
}

/// Numbers the chunks' new strings in chunk order, then appends their edges.
fn merge_strings(
    path: &Path,
    strings: &mut Strings,
    chunks: Vec<StrChunk<'_>>,
    direction: Direction,
) -> Result<(), GraphIoError> {
    let mut translations = Vec::with_capacity(chunks.len());
    for chunk in &chunks {
        let mut global = Vec::with_capacity(chunk.names.len());
        for name in &chunk.names {
            // Checked to be UTF-8 by the parser.
            let name = std::str::from_utf8(name).expect("string ids are checked UTF-8");
            let id = match strings.ids.get(name) {
                Some(&id) => id,
                None => {
                    let id = u32::try_from(strings.ids.len())
                        .ok()
                        .filter(|&id| id < u32::MAX)
                        .ok_or_else(|| GraphIoError::TooManyNodes {
                            path: path.to_path_buf(),
                        })?;
                    strings.ids.insert(name.into(), id);
                    id
                }
            };
            global.push(id);
        }
        translations.push(global);
    }
    let remapped: Vec<Vec<(u32, u32)>> = chunks
        .par_iter()
        .zip(&translations)
        .map(|(chunk, global)| {
            let mut out = Vec::with_capacity(chunk.ids.len() / 2 * edges_per_line(direction));
            for pair in chunk.ids.chunks_exact(2) {
                let (a, b) = (global[pair[0] as usize], global[pair[1] as usize]);
                orient(direction, a, b, &mut |u, v| out.push((u, v)));
            }
            out
        })
        .collect();
    for (edges, chunk) in remapped.into_iter().zip(&chunks) {
        strings.edges.extend(edges);
        for &w in &chunk.weights {
            for _ in 0..edges_per_line(direction) {
                strings.weights.push(w);
            }
        }
    }
    Ok(())
}

/// What the parser built: the node count, the edges (in parts, in file order), one weight per
/// edge when weighted, and the original ids.
type Built = (u32, Vec<Vec<(u32, u32)>>, Vec<f32>, NodeLabels);

fn finish_strings(s: Strings) -> Built {
    let n = s.ids.len();
    let mut names = vec![String::new(); n];
    for (name, id) in s.ids {
        names[id as usize] = name.into_string();
    }
    // The table holds fewer than u32::MAX names (checked as they were added).
    (
        n as u32,
        vec![s.edges],
        s.weights,
        NodeLabels::Strings(names),
    )
}

/// Renumbers the integer ids (see the module docs) and turns the chunks into edge lists, one
/// per chunk, in file order.
fn finish_integers(
    path: &Path,
    chunks: Vec<IntChunk>,
    direction: Direction,
) -> Result<Built, GraphIoError> {
    let tokens: u64 = chunks.iter().map(|c| 2 * c.lines() as u64).sum();
    let max = chunks.iter().filter(|c| c.lines() > 0).map(|c| c.max).max();
    let Some(max) = max else {
        return Ok((0, Vec::new(), Vec::new(), NodeLabels::Integers(Vec::new())));
    };
    let too_many = || GraphIoError::TooManyNodes {
        path: path.to_path_buf(),
    };
    let per_line = edges_per_line(direction);
    let mut weights = Vec::with_capacity(chunks.iter().map(|c| c.weights.len() * per_line).sum());
    for c in &chunks {
        for &w in &c.weights {
            for _ in 0..per_line {
                weights.push(w);
            }
        }
    }
    if max < tokens {
        // Dense enough for a direct table: a bitmap of the ids seen, then their ranks.
        let len = usize::try_from(max).map_err(|_| too_many())? + 1;
        let bits: Vec<AtomicU64> = (0..len.div_ceil(64)).map(|_| AtomicU64::new(0)).collect();
        chunks.par_iter().for_each(|c| {
            c.for_each_id(|id| {
                let (word, bit) = (&bits[(id >> 6) as usize], 1 << (id & 63));
                // Most ids recur (every edge names two): a plain load spares the locked write.
                if word.load(Ordering::Relaxed) & bit == 0 {
                    word.fetch_or(bit, Ordering::Relaxed);
                }
            });
        });
        let present: u64 = bits
            .par_iter()
            .map(|w| u64::from(w.load(Ordering::Relaxed).count_ones()))
            .sum();
        if present == max + 1 {
            // Every id in 0..=max is used (the usual SNAP file): the numbering is the identity.
            drop(bits);
            if max >= u64::from(u32::MAX) {
                return Err(too_many());
            }
            let parts = chunks
                .into_par_iter()
                .map(|c| c.into_edges(direction, |id| id as u32))
                .collect();
            let n = (max + 1) as u32;
            let mut labels = huge::with_capacity(n as usize);
            labels.extend(0..=max);
            return Ok((n, parts, weights, NodeLabels::Integers(labels)));
        }
        let mut map = vec![0u32; len];
        let mut labels = Vec::new();
        for (w, word) in bits.iter().enumerate() {
            let mut x = word.load(Ordering::Relaxed);
            while x != 0 {
                let id = w * 64 + x.trailing_zeros() as usize;
                map[id] = u32::try_from(labels.len())
                    .ok()
                    .filter(|&d| d < u32::MAX)
                    .ok_or_else(too_many)?;
                labels.push(id as u64);
                x &= x - 1;
            }
        }
        drop(bits);
        let parts = chunks
            .into_par_iter()
            .map(|c| c.into_edges(direction, |id| map[id as usize]))
            .collect();
        let n = labels.len() as u32;
        return Ok((n, parts, weights, NodeLabels::Integers(labels)));
    }
    // Sparse ids: sort and dedup, then binary search.
    let per_chunk: Vec<Vec<u64>> = chunks
        .par_iter()
        .map(|c| {
            let mut v: Vec<u64> = c.ids().collect();
            v.sort_unstable();
            v.dedup();
            v
        })
        .collect();
    let mut labels = per_chunk.concat();
    drop(per_chunk);
    labels.par_sort_unstable();
    labels.dedup();
    if labels.len() >= u32::MAX as usize {
        return Err(too_many());
    }
    labels.shrink_to_fit();
    let parts = chunks
        .into_par_iter()
        .map(|c| {
            c.into_edges(direction, |id| {
                labels
                    .binary_search(&id)
                    .expect("every id read is in the sorted table") as u32
            })
        })
        .collect();
    let n = labels.len() as u32;
    Ok((n, parts, weights, NodeLabels::Integers(labels)))
}

#[cfg(test)]
mod tests {
    use std::io::Write;

    use super::*;
    use crate::graph::BuildReport;

    fn opts(direction: Direction) -> ImportOptions {
        ImportOptions {
            direction,
            ..ImportOptions::default()
        }
    }

    fn parse(text: &str, opts: &ImportOptions) -> Result<FollowerGraph, GraphIoError> {
        parse_edge_list_bytes("test.txt", text.as_bytes(), opts)
    }

    /// Imports `text` and checks each node's sources and followers, given by label.
    fn check(text: &str, opts: &ImportOptions, expected: &[(&str, &[&str], &[&str])]) {
        let g = parse(text, opts).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(g.node_count() as usize, expected.len(), "node count");
        for (i, (label, sources, followers)) in expected.iter().enumerate() {
            let i = i as u32;
            assert_eq!(g.label(i), *label, "label of {i}");
            let s: Vec<String> = g.sources(i).iter().map(|&j| g.label(j)).collect();
            let f: Vec<String> = g.followers(i).iter().map(|&j| g.label(j)).collect();
            assert_eq!(s, *sources, "sources of {label}");
            assert_eq!(f, *followers, "followers of {label}");
        }
    }

    /// Parses `text` and returns the error's message.
    fn error(text: &[u8], opts: &ImportOptions) -> String {
        match parse_edge_list_bytes("bad.txt", text, opts) {
            Ok(g) => panic!("expected an error, got {} edges", g.edge_count()),
            Err(e) => {
                let msg = e.to_string();
                assert!(msg.starts_with("bad.txt: "), "{msg}");
                assert!(!msg.contains('\n'), "one line: {msg}");
                msg
            }
        }
    }

    #[test]
    fn the_direction_option_decides_who_follows_whom() {
        // "1 2", "2 3": a chain over three nodes.
        let text = "1 2\n2 3\n";
        // Default: the second column follows the first (1 -> 2: 2 follows 1).
        check(
            text,
            &opts(Direction::SecondFollowsFirst),
            &[
                ("1", &[], &["2"]),
                ("2", &["1"], &["3"]),
                ("3", &["2"], &[]),
            ],
        );
        // The first follows the second (1 follows 2: 2 -> 1).
        check(
            text,
            &opts(Direction::FirstFollowsSecond),
            &[
                ("1", &["2"], &[]),
                ("2", &["3"], &["1"]),
                ("3", &[], &["2"]),
            ],
        );
        check(
            text,
            &opts(Direction::Mutual),
            &[
                ("1", &["2"], &["2"]),
                ("2", &["1", "3"], &["1", "3"]),
                ("3", &["2"], &["2"]),
            ],
        );
    }

    #[test]
    fn string_ids_are_numbered_by_first_appearance() {
        check(
            "carol alice\nalice bob\n",
            &ImportOptions::default(),
            &[
                ("carol", &[], &["alice"]),
                ("alice", &["carol"], &["bob"]),
                ("bob", &["alice"], &[]),
            ],
        );
        // Integer-looking tokens read as strings keep first-appearance order.
        check(
            "9 1\n",
            &ImportOptions {
                ids: IdKind::String,
                ..ImportOptions::default()
            },
            &[("9", &[], &["1"]), ("1", &["9"], &[])],
        );
    }

    #[test]
    fn the_fast_line_path_reads_what_the_general_path_reads() {
        // Each line, and whether the fast path takes it. A line it takes must give the general
        // path's two ids; a line it declines goes to the general path, which reads it or names
        // the error (other tests check those).
        let lines: &[(&str, bool)] = &[
            ("1 2", true),
            ("1\t2", true),
            ("1,2", true),
            ("1 , 2", true),
            ("1 ,2\r", true),
            ("1  2  ", true),
            ("01 2", true),
            ("0 0", true),
            ("1 2\t\r", true),
            ("1 2\r\r", true),
            ("1234567890123456789 1", true),
            ("12345678901234567890 1", false),
            ("99999999999999999999 1", false),
            ("1 2 3", false),
            ("1 2,", false),
            ("1,,2", false),
            (" 1 2", false),
            ("1 -2", false),
            ("1\t\r2", false),
            ("1 x", false),
            ("# 1 2", false),
            ("", false),
            ("1", false),
        ];
        for &(line, fast) in lines {
            let data = format!("{line}\n");
            let got = plain_pair(data.as_bytes(), 0);
            assert_eq!(got.is_some(), fast, "{line:?}");
            if let Some((a, b, next)) = got {
                assert_eq!(next, data.len(), "{line:?}: the whole line");
                let mut chunk = IntChunk::in_buffer(Vec::new(), 1);
                general_int_line(&mut chunk, trim(line.as_bytes()), false).expect("a valid line");
                assert_eq!(chunk.ids().collect::<Vec<_>>(), [a, b], "{line:?}");
            }
        }
    }

    #[test]
    fn the_word_at_a_time_number_reader_agrees_with_the_byte_loop() {
        // Every digit count from 0 to 21, followed by every byte value and by more text (so
        // that eight bytes can be read), and at the very end of the data (so that they cannot).
        let digits = b"908172635445362718099";
        let mut cases = 0;
        for len in 0..=digits.len() {
            for next in 0..=255u8 {
                let mut data = b"7,".to_vec();
                data.extend_from_slice(&digits[..len]);
                data.push(next);
                data.extend_from_slice(b"\t12345678 99\n");
                for end in [data.len(), 2 + len + 1, 2 + len] {
                    let d = &data[..end];
                    assert_eq!(swar_number(d, 2), plain_number(d, 2), "{d:?}");
                    cases += 1;
                }
            }
        }
        assert_eq!(cases, 22 * 256 * 3);
        // Values known by hand, one per length up to the word, and the largest eight digits.
        let known: &[(&[u8], u64)] = &[
            (b"0 1234567", 0),
            (b"5\t1234567", 5),
            (b"42\n1234567", 42),
            (b"007 1234567", 7),
            (b"1234567\n12", 1_234_567),
            (b"99999999 123", 99_999_999),
            (b"2000000\t1999999\n", 2_000_000),
        ];
        for &(text, want) in known {
            assert_eq!(swar_number(text, 0).map(|p| p.0), Some(want), "{text:?}");
        }
    }

    #[test]
    fn ids_beyond_u32_after_small_ones_keep_the_file_order() {
        // The chunk starts narrow (u32 pairs) and widens at the third line.
        check(
            "7 3\n3 9\n500000000000 7\n9 500000000000\n",
            &ImportOptions::default(),
            &[
                ("3", &["7"], &["9"]),
                ("7", &["500000000000"], &["3"]),
                ("9", &["3"], &["500000000000"]),
                ("500000000000", &["9"], &["7"]),
            ],
        );
        check(
            "7 3\n500000000000 7\n",
            &opts(Direction::FirstFollowsSecond),
            &[
                ("3", &[], &["7"]),
                ("7", &["3"], &["500000000000"]),
                ("500000000000", &["7"], &[]),
            ],
        );
        check(
            "7 3\n500000000000 7\n",
            &opts(Direction::Mutual),
            &[
                ("3", &["7"], &["7"]),
                ("7", &["3", "500000000000"], &["3", "500000000000"]),
                ("500000000000", &["7"], &["7"]),
            ],
        );
    }

    #[test]
    fn integer_ids_are_numbered_in_ascending_order() {
        // Sparse (binary search) and dense (direct table) remaps agree on order.
        check(
            "500000000000 7\n7 3\n",
            &ImportOptions::default(),
            &[
                ("3", &["7"], &[]),
                ("7", &["500000000000"], &["3"]),
                ("500000000000", &[], &["7"]),
            ],
        );
        check(
            "2 1\n1 0\n0 2\n2 0\n",
            &ImportOptions::default(),
            &[
                ("0", &["1", "2"], &["2"]),
                ("1", &["2"], &["0"]),
                ("2", &["0"], &["0", "1"]),
            ],
        );
    }

    #[test]
    fn separators_comments_and_line_ends() {
        let expected: &[(&str, &[&str], &[&str])] = &[
            ("1", &[], &["2", "3"]),
            ("2", &["1"], &[]),
            ("3", &["1"], &[]),
        ];
        for text in [
            "1 2\n1 3\n",
            "1\t2\n1\t3",
            "1,2\n1 , 3\n",
            "# comment\n% also a comment\n\n1  2\r\n  1\t 3 \r\n",
            "\u{feff}1 2\n1 3\n",
            "   # indented comment\n1 2\n\n\n1 3\n# trailing",
        ] {
            check(text, &ImportOptions::default(), expected);
        }
    }

    #[test]
    fn a_header_line_is_skipped_on_request() {
        let o = ImportOptions {
            header: true,
            ..ImportOptions::default()
        };
        check(
            "# comment\nsource,target\n1,2\n",
            &o,
            &[("1", &[], &["2"]), ("2", &["1"], &[])],
        );
        // Without the option, a header above integer ids is refused with a hint, in auto and
        // integer mode alike, and its line number is the header's.
        for ids in [IdKind::Auto, IdKind::Integer] {
            let o = ImportOptions {
                ids,
                ..ImportOptions::default()
            };
            let e = parse("# comment\nsource,target\n1,2\n", &o).expect_err("a header");
            assert_eq!(
                e.to_string(),
                "test.txt: line 2: expected an edge of integer node ids, found what looks like a \
                 column header in line \"source,target\": skip it with --header (`header = true` \
                 under [graph] in a scenario)",
                "{ids:?}"
            );
        }
        // A file of names keeps its first line (nothing tells it from a header by its form);
        // `header_suspect` is what warns about it.
        let g = parse(
            "follower_handle,followed_handle\nann,bob\nbob,cy\n",
            &ImportOptions::default(),
        )
        .expect("parses");
        assert_eq!(g.node_count(), 5);
        assert_eq!(
            crate::graph::io::header_suspect(&g),
            Some(("follower_handle".into(), "followed_handle".into()))
        );
        // Two ids on no other line are suspect too; a first line that is a real edge is not.
        let g = parse("alpha beta\nann bob\nbob cy\n", &ImportOptions::default()).expect("parses");
        assert!(crate::graph::io::header_suspect(&g).is_some());
        let g = parse("ann bob\nbob cy\ncy ann\n", &ImportOptions::default()).expect("parses");
        assert_eq!(crate::graph::io::header_suspect(&g), None);
    }

    #[test]
    fn weights_are_read_from_the_third_column() {
        let o = ImportOptions {
            weighted: true,
            ..ImportOptions::default()
        };
        let g = parse("1 2 0.5\n2 1 1e-3\n", &o).expect("parses");
        assert_eq!(g.follower_adjacency().row_weights(0), Some(&[0.5f32][..]));
        assert_eq!(g.follower_adjacency().row_weights(1), Some(&[1e-3f32][..]));
        let mutual = ImportOptions {
            direction: Direction::Mutual,
            ..o
        };
        let g = parse("a b 2.5\n", &mutual).expect("parses");
        assert_eq!(g.source_adjacency().row_weights(0), Some(&[2.5f32][..]));
        assert_eq!(g.source_adjacency().row_weights(1), Some(&[2.5f32][..]));
    }

    #[test]
    fn self_loops_and_duplicates_are_dropped_and_counted() {
        let g = parse("1 1\n1 2\n1 2\n3 3\n", &ImportOptions::default()).expect("parses");
        // Node 3 appears only in a self-loop: it stays, without edges.
        assert_eq!(g.node_count(), 3);
        assert_eq!(g.edge_count(), 1);
        assert_eq!(
            g.report(),
            BuildReport {
                edges_in: 4,
                self_loops_dropped: 2,
                duplicates_dropped: 1
            }
        );
        let keep = ImportOptions {
            keep_self_loops: true,
            keep_duplicates: true,
            ..ImportOptions::default()
        };
        assert_eq!(
            parse("1 1\n1 2\n1 2\n", &keep)
                .expect("parses")
                .edge_count(),
            3
        );
    }

    #[test]
    fn gzip_input_is_recognised_by_its_magic_bytes() {
        let text = "# c\n1 2\n2 3\n";
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        gz.write_all(text.as_bytes()).expect("compresses");
        let bytes = gz.finish().expect("compresses");
        let plain = parse(text, &ImportOptions::default()).expect("parses");
        let from_gz =
            parse_edge_list_bytes("x.txt", &bytes, &ImportOptions::default()).expect("parses");
        assert_eq!(plain, from_gz);
        // Two concatenated members (as pigz and bgzip write) read as one stream.
        let mut two = bytes.clone();
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        gz.write_all(b"3 4\n").expect("compresses");
        two.extend(gz.finish().expect("compresses"));
        let g = parse_edge_list_bytes("x.txt", &two, &ImportOptions::default()).expect("parses");
        assert_eq!(g.edge_count(), 3);
    }

    #[test]
    fn malformed_lines_name_the_line_and_its_text() {
        let d = ImportOptions::default();
        let int = ImportOptions {
            ids: IdKind::Integer,
            ..d
        };
        let cases: &[(&[u8], &ImportOptions, &str)] = &[
            (
                b"1 2\n\n3 x7\n",
                &d,
                "bad.txt: line 3: expected an integer node id, found \"x7\" in line \"3 x7\"",
            ),
            (
                b"1 2\n5\n",
                &d,
                "line 2: expected 2 columns, found 1 in line \"5\"",
            ),
            (
                b"1 2 3\n",
                &d,
                "found 3 in line \"1 2 3\": to read the third",
            ),
            (b"1 -2\n", &d, "line 1: negative id \"-2\""),
            (b"1 2\n-3 4\n", &d, "line 2: negative id \"-3\""),
            (
                b"1 18446744073709551616\n",
                &d,
                "line 1: id out of range: \"18446744073709551616\"",
            ),
            (b"1 2\n1,,2\n", &d, "line 2: empty column"),
            (b"1 2,\n", &d, "line 1: empty column"),
            (
                b"a b\nc \xff\xfe\n",
                &d,
                "line 2: node id is not valid UTF-8",
            ),
            (b"a b\nc d\x00e\n", &d, "line 2: control character 0x00"),
            (
                b"\x00\x01\x02 \x03\n",
                &int,
                "line 1: expected an integer node id",
            ),
            (
                b"1 2\r\n3 4\r\nfive 6\r\n",
                &d,
                "line 3: expected an integer node id, found \"five\" in line \"five 6\"",
            ),
        ];
        for (text, o, want) in cases {
            let msg = error(text, o);
            assert!(msg.contains(want), "{msg:?} should contain {want:?}");
        }
        let w = ImportOptions {
            weighted: true,
            ..d
        };
        let msg = error(b"a b heavy\n", &w);
        assert!(
            msg.contains("line 1: expected a finite, non-negative number as the weight in column 3, found \"heavy\""),
            "{msg}"
        );
    }

    #[test]
    fn empty_inputs_have_no_edges() {
        for text in ["", "\n\n", "# only a comment\n", "# c\n% c\n  \n"] {
            let msg = error(text.as_bytes(), &ImportOptions::default());
            assert!(msg.contains("no edges"), "{msg}");
        }
        let h = ImportOptions {
            header: true,
            ..ImportOptions::default()
        };
        assert!(error(b"a,b\n", &h).contains("no edges"));
    }

    #[test]
    fn a_line_longer_than_the_limit_is_an_error_however_the_input_is_cut() {
        let mut text = b"1 2\n".to_vec();
        text.extend(std::iter::repeat_n(b'9', MAX_LINE_BYTES + 10));
        text.extend(b" 1\n3 4\n");
        for (block, chunk) in [
            (BLOCK_BYTES, CHUNK_BYTES),
            (64, 16),
            (MAX_LINE_BYTES / 2, 7),
        ] {
            let e = parse_edge_list_bytes_with_sizes(
                "bad.txt",
                &text,
                &ImportOptions::default(),
                block,
                chunk,
            )
            .expect_err("too long");
            let msg = e.to_string();
            assert!(
                msg.starts_with("bad.txt: line 2: line longer than"),
                "{msg}"
            );
        }
    }

    #[test]
    fn how_the_input_is_cut_never_changes_the_result() {
        let mut text = String::from("# header comment\n");
        for i in 0..3000u64 {
            text.push_str(&format!("{} {}\n", i % 97, (i * 31 + 7) % 1013));
            if i % 100 == 0 {
                text.push_str("# a comment\n\n");
            }
        }
        let mut bad = text.clone();
        bad.push_str("1 2 3\n");
        let strings = text.replace(' ', " n");
        for t in [&text, &bad, &strings] {
            let reference = parse_edge_list_bytes("t.txt", t.as_bytes(), &ImportOptions::default())
                .map_err(|e| e.to_string());
            for (block, chunk) in [(1, 1), (7, 3), (100, 50), (4096, 100), (1 << 16, 1 << 12)] {
                let got = parse_edge_list_bytes_with_sizes(
                    "t.txt",
                    t.as_bytes(),
                    &ImportOptions::default(),
                    block,
                    chunk,
                )
                .map_err(|e| e.to_string());
                assert_eq!(got, reference, "block {block}, chunk {chunk}");
            }
        }
    }

    /// A column header followed by comment lines, cut anywhere: the header hint needs the next
    /// data line, which may lie in a later block (found by the parse_edge_list fuzz target).
    #[test]
    fn the_header_hint_reads_past_a_block_end() {
        let text = b"# c\nsource target\n# more\n\n2 2\n3 4\n";
        for block in 1..=text.len() + 1 {
            let e = parse_edge_list_bytes_with_sizes(
                "t.txt",
                text,
                &ImportOptions::default(),
                block,
                1,
            )
            .expect_err("a header in an integer file")
            .to_string();
            assert!(
                e.starts_with(
                    "t.txt: line 2: expected an edge of integer node ids, found what \
                               looks like a column header"
                ),
                "block {block}: {e}"
            );
        }
    }

    #[test]
    fn file_errors_name_the_file() {
        let dir = tempfile::tempdir().expect("temp dir");
        let d = ImportOptions::default();
        let missing = dir.path().join("missing.txt");
        let msg = import_edge_list(&missing, &d, &|_| {})
            .expect_err("missing")
            .to_string();
        assert_eq!(msg, format!("{}: no such file", missing.display()));

        let empty = dir.path().join("empty.txt");
        std::fs::write(&empty, "").expect("write");
        let msg = import_edge_list(&empty, &d, &|_| {})
            .expect_err("empty")
            .to_string();
        assert!(
            msg.starts_with(&format!("{}: no edges", empty.display())),
            "{msg}"
        );

        // Truncated gzip: cut a valid stream in half.
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
        for i in 0..2000 {
            writeln!(gz, "{i} {}", i + 1).expect("compresses");
        }
        let bytes = gz.finish().expect("compresses");
        for cut in [bytes.len() / 2, bytes.len() - 4, 5] {
            let truncated = dir.path().join("truncated.txt.gz");
            std::fs::write(&truncated, &bytes[..cut]).expect("write");
            let msg = import_edge_list(&truncated, &d, &|_| {})
                .expect_err("truncated")
                .to_string();
            assert!(
                msg.starts_with(&format!("{}: cannot decompress", truncated.display())),
                "{msg}"
            );
        }

        // Binary garbage with no line ends at all.
        let garbage = dir.path().join("garbage.bin");
        let bytes: Vec<u8> = (0..5000u32)
            .map(|i| (i.wrapping_mul(2654435761) >> 13) as u8)
            .collect();
        std::fs::write(&garbage, &bytes).expect("write");
        let msg = import_edge_list(&garbage, &d, &|_| {})
            .expect_err("garbage")
            .to_string();
        assert!(
            msg.starts_with(&format!("{}: line ", garbage.display())),
            "{msg}"
        );

        // A real file parses, and progress reaches its size.
        let good = dir.path().join("good.txt");
        std::fs::write(&good, "1 2\n2 3\n").expect("write");
        let seen = std::cell::Cell::new(0);
        let g = import_edge_list(&good, &d, &|b| seen.set(b)).expect("parses");
        assert_eq!(g.edge_count(), 2);
        assert_eq!(seen.get(), 8);
    }
}
