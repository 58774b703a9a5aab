//! Errors of graph input and output. Every message is one line that names the file and, for
//! a malformed line, its number and text: `data/x.txt: line 3: expected an integer node id,
//! found "x7" in line "3 x7"`.

use std::io;
use std::path::PathBuf;

/// Something that went wrong reading or writing a graph file.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum GraphIoError {
    /// The file does not exist.
    #[error("{}: no such file", .path.display())]
    NotFound {
        /// The file.
        path: PathBuf,
    },
    /// The path is a FIFO, folder or device, not a file to read a graph from.
    #[error("{}: expected a regular file, found {kind}", .path.display())]
    NotAFile {
        /// The path.
        path: PathBuf,
        /// What it is instead.
        kind: &'static str,
    },
    /// Reading or writing the file failed.
    #[error("{}: {error}", .path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// What the operating system said.
        error: io::Error,
    },
    /// The file starts like gzip but cannot be decompressed.
    #[error(
        "{}: cannot decompress: {error} (the gzip file is truncated or corrupt)",
        .path.display()
    )]
    Gzip {
        /// The file.
        path: PathBuf,
        /// What the decoder said.
        error: io::Error,
    },
    /// A malformed line in an edge list.
    #[error(
        "{}: line {line}: {error} in line \"{text}\"{}",
        .path.display(),
        .error.hint()
    )]
    Parse {
        /// The file.
        path: PathBuf,
        /// The line number, counting from 1 (comment and blank lines included).
        line: u64,
        /// What is wrong with it.
        error: LineError,
        /// The line's text, escaped and shortened to about 80 characters.
        text: String,
    },
    /// The edge list holds no edge.
    #[error(
        "{}: no edges: the file is empty or holds only comments and blank lines",
        .path.display()
    )]
    NoEdges {
        /// The file.
        path: PathBuf,
    },
    /// More distinct node ids than `u32` dense ids can number.
    #[error(
        "{}: more than {} distinct node ids, the most a graph can hold",
        .path.display(),
        u32::MAX
    )]
    TooManyNodes {
        /// The file.
        path: PathBuf,
    },
    /// The file is not a binary graph cache.
    #[error("{}: not an ovation graph cache (its first bytes are not OVGRAPH)", .path.display())]
    NotACache {
        /// The file.
        path: PathBuf,
    },
    /// A cache written by another version of the format.
    #[error(
        "{}: cache format version {found}, this ovation reads version {expected}: re-import the edge list",
        .path.display()
    )]
    CacheVersion {
        /// The file.
        path: PathBuf,
        /// The version in the file.
        found: u32,
        /// The version this build reads.
        expected: u32,
    },
    /// A cache shorter than its header says.
    #[error("{}: truncated: expected {expected} bytes, found {found}", .path.display())]
    CacheTruncated {
        /// The file.
        path: PathBuf,
        /// Size the header implies.
        expected: u64,
        /// Size on disk.
        found: u64,
    },
    /// A cache longer than its header says.
    #[error(
        "{}: corrupted cache: expected {expected} bytes, found {found} (trailing data)",
        .path.display()
    )]
    CacheTrailingData {
        /// The file.
        path: PathBuf,
        /// Size the header implies.
        expected: u64,
        /// Size on disk.
        found: u64,
    },
    /// The cache's checksum does not match its contents.
    #[error("{}: checksum mismatch: the file is corrupted", .path.display())]
    CacheChecksum {
        /// The file.
        path: PathBuf,
    },
    /// A cache whose header or arrays break the graph's invariants.
    #[error("{}: corrupted cache: {what}", .path.display())]
    CacheCorrupt {
        /// The file.
        path: PathBuf,
        /// Which invariant failed.
        what: String,
    },
}

/// What is wrong with one line of an edge list.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum LineError {
    /// A node id that is not a non-negative integer (integer ids).
    #[error("expected an integer node id, found \"{token}\"")]
    NotAnInteger {
        /// The token, escaped and shortened.
        token: String,
    },
    /// A node id with a minus sign.
    #[error("negative id \"{token}\": expected an integer node id >= 0")]
    NegativeId {
        /// The token.
        token: String,
    },
    /// A node id larger than `u64::MAX`.
    #[error("id out of range: \"{token}\" is larger than {}", u64::MAX)]
    IdOutOfRange {
        /// The token, escaped and shortened.
        token: String,
    },
    /// A weight that is not a finite, non-negative number (NaN, infinite, out of `f32`'s range
    /// or negative).
    #[error("expected a finite, non-negative number as the weight in column 3, found \"{token}\"")]
    BadWeight {
        /// The token, escaped and shortened.
        token: String,
    },
    /// The wrong number of columns.
    #[error("expected {expected} columns, found {found}")]
    ColumnCount {
        /// 2, or 3 for weighted imports.
        expected: usize,
        /// Columns on the line.
        found: usize,
    },
    /// Two separators in a row, or a comma at the start or end of the line.
    #[error("empty column (two separators in a row, or a comma at the start or end)")]
    EmptyField,
    /// A string id that is not UTF-8.
    #[error("node id is not valid UTF-8 text (is this a binary file?)")]
    NotUtf8,
    /// A string id holding a control character.
    #[error("control character 0x{byte:02x} in a node id (is this a binary file?)")]
    ControlCharacter {
        /// The offending byte.
        byte: u8,
    },
    /// The first data line of an integer-id file is not two integers: a column header read as
    /// an edge.
    #[error("expected an edge of integer node ids, found what looks like a column header")]
    LooksLikeHeader,
    /// A line longer than [`MAX_LINE_BYTES`](super::MAX_LINE_BYTES).
    #[error("line longer than {max} bytes (is this a text edge list?)")]
    LineTooLong {
        /// The limit.
        max: usize,
    },
}

impl LineError {
    /// A suggestion appended after the line's text, or `""`.
    pub fn hint(&self) -> &'static str {
        match self {
            LineError::ColumnCount {
                expected: 2,
                found: 3,
            } => ": to read the third column as an edge weight, import it as weighted",
            LineError::ColumnCount { found: 0..=1, .. } => {
                ": columns are separated by spaces, tabs or commas"
            }
            LineError::LooksLikeHeader => {
                ": skip it with --header (`header = true` under [graph] in a scenario)"
            }
            LineError::NotAnInteger { .. } => {
                ": node ids are read as integers; import with string ids if they are names"
            }
            _ => "",
        }
    }
}

/// Bytes of a line or token looked at for an error message.
const TEXT_BYTES: usize = 320;
/// Characters of a line or token shown in an error message.
const TEXT_CHARS: usize = 80;

/// A line or token as shown in an error message: lossy UTF-8, control characters, quotes and
/// backslashes escaped (so the message stays on one line), at most about 80 characters.
pub(crate) fn display_text(bytes: &[u8]) -> String {
    let cut = &bytes[..bytes.len().min(TEXT_BYTES)];
    let cut = cut.strip_suffix(b"\r").unwrap_or(cut);
    let text = String::from_utf8_lossy(cut);
    let mut out = String::with_capacity(text.len().min(4 * TEXT_CHARS));
    let mut truncated = bytes.len() > TEXT_BYTES;
    for (i, c) in text.chars().enumerate() {
        if i == TEXT_CHARS {
            truncated = true;
            break;
        }
        if c.is_control() || c == '"' || c == '\\' {
            out.extend(c.escape_debug());
        } else {
            out.push(c);
        }
    }
    if truncated {
        out.push('…');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_text_escapes_and_shortens() {
        assert_eq!(display_text(b"1\t\"a\"\r"), "1\\t\\\"a\\\"");
        assert_eq!(display_text(b"\xff\x00x"), "\u{fffd}\\0x");
        let long = vec![b'7'; 500];
        let shown = display_text(&long);
        assert_eq!(shown.chars().count(), TEXT_CHARS + 1);
        assert!(shown.ends_with('…'));
    }
}
