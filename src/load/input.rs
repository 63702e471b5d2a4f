//! Where a file's bytes come from, for the readers that stream (CSV, JSON,
//! NDJSON): a file read a block at a time (and by range, for a chunk read
//! again), or bytes already in memory (a decoded file, `load_bytes`).

use crate::error::{Error, ErrorKind, Result};
use std::ops::Range;

/// Where a file's bytes come from: read in order a block at a time, and
/// read again by range for the rare chunk whose column must be re-read.
pub(crate) trait Input: Sync {
    /// Appends up to `n` more bytes to `buf`; returns how many (0 at the end).
    fn read_more(&mut self, buf: &mut Vec<u8>, n: usize) -> std::io::Result<usize>;
    /// The bytes at `range` (offsets from the start of the file).
    fn read_range(&self, range: Range<usize>) -> std::io::Result<Vec<u8>>;
    /// Starts reading from the beginning again.
    fn restart(&mut self) -> std::io::Result<()>;
    /// The whole size in bytes (up to the end set with `set_end`).
    fn size(&self) -> usize;
    /// Ends the input at `end` (before a footer), until `restart`.
    fn set_end(&mut self, end: usize);
}

/// Bytes already in memory.
pub(crate) struct SliceInput<'a> {
    bytes: &'a [u8],
    pos: usize,
    end: usize,
}

impl SliceInput<'_> {
    /// Reads `bytes` from the start.
    pub fn new(bytes: &[u8]) -> SliceInput<'_> {
        SliceInput {
            bytes,
            pos: 0,
            end: bytes.len(),
        }
    }
}

impl Input for SliceInput<'_> {
    fn read_more(&mut self, buf: &mut Vec<u8>, n: usize) -> std::io::Result<usize> {
        let end = (self.pos + n).min(self.end);
        buf.extend_from_slice(&self.bytes[self.pos..end]);
        let read = end - self.pos;
        self.pos = end;
        Ok(read)
    }
    fn read_range(&self, range: Range<usize>) -> std::io::Result<Vec<u8>> {
        Ok(self.bytes[range].to_vec())
    }
    fn restart(&mut self) -> std::io::Result<()> {
        self.pos = 0;
        self.end = self.bytes.len();
        Ok(())
    }
    fn size(&self) -> usize {
        self.end
    }
    fn set_end(&mut self, end: usize) {
        self.end = end.min(self.bytes.len());
    }
}

/// A file on disk.
pub(crate) struct FileInput {
    file: std::fs::File,
    total: usize,
    /// Where reading is (bytes read since the start).
    pos: usize,
    /// Where reading stops.
    end: usize,
}

impl FileInput {
    /// Reads from an open file.
    pub fn new(file: std::fs::File) -> std::io::Result<FileInput> {
        let total = usize::try_from(file.metadata()?.len()).unwrap_or(usize::MAX);
        Ok(FileInput {
            file,
            total,
            pos: 0,
            end: total,
        })
    }

    /// The open file, to hand to a reader of another format.
    pub fn into_file(self) -> std::fs::File {
        self.file
    }

    /// The first `n` bytes (fewer in a shorter file), leaving the position.
    pub fn read_start(&self, n: usize) -> std::io::Result<Vec<u8>> {
        self.read_range(0..n.min(self.total))
    }
}

#[cfg(unix)]
fn read_exact_at(file: &std::fs::File, buf: &mut [u8], at: u64) -> std::io::Result<()> {
    std::os::unix::fs::FileExt::read_exact_at(file, buf, at)
}

#[cfg(windows)]
fn read_exact_at(file: &std::fs::File, mut buf: &mut [u8], mut at: u64) -> std::io::Result<()> {
    use std::os::windows::fs::FileExt;
    while !buf.is_empty() {
        match file.seek_read(buf, at)? {
            0 => return Err(std::io::ErrorKind::UnexpectedEof.into()),
            n => {
                buf = &mut buf[n..];
                at += n as u64;
            }
        }
    }
    Ok(())
}

impl Input for FileInput {
    fn read_more(&mut self, buf: &mut Vec<u8>, n: usize) -> std::io::Result<usize> {
        use std::io::Read;
        let n = n.min(self.end.saturating_sub(self.pos));
        let start = buf.len();
        // Read into the spare room as it is: zeroing it first would cost a
        // pass over every byte of the file.
        buf.reserve(n);
        let read = (&self.file).take(n as u64).read_to_end(buf);
        if let Err(e) = read {
            buf.truncate(start);
            return Err(e);
        }
        let filled = buf.len() - start;
        self.pos += filled;
        Ok(filled)
    }
    fn read_range(&self, range: Range<usize>) -> std::io::Result<Vec<u8>> {
        // Positioned reads on the one open handle: chunks are re-read in
        // parallel, and it is the file that was opened (and checked).
        let mut bytes = vec![0; range.len()];
        read_exact_at(&self.file, &mut bytes, range.start as u64)?;
        Ok(bytes)
    }
    fn restart(&mut self) -> std::io::Result<()> {
        use std::io::{Seek, SeekFrom};
        self.pos = 0;
        self.end = self.total;
        self.file.seek(SeekFrom::Start(0)).map(|_| ())
    }
    fn size(&self) -> usize {
        self.end
    }
    fn set_end(&mut self, end: usize) {
        self.end = end.min(self.total);
    }
}

/// The whole input, given its first bytes `head`.
pub(crate) fn read_all(file: &str, input: &dyn Input, head: Vec<u8>) -> Result<Vec<u8>> {
    if head.len() >= input.size() {
        return Ok(head);
    }
    input
        .read_range(0..input.size())
        .map_err(|e| io_error(file, &e))
}

/// Reads until `buf` holds at least `want` bytes or the input ends; true at
/// the end. A cancelled run stops here, between two reads.
pub(crate) fn fill(
    file: &str,
    input: &mut dyn Input,
    buf: &mut Vec<u8>,
    want: usize,
) -> Result<bool> {
    while buf.len() < want {
        crate::cancel::check()?;
        let n = (want - buf.len()).clamp(64 << 10, 64 << 20);
        if input.read_more(buf, n).map_err(|e| io_error(file, &e))? == 0 {
            return Ok(true);
        }
    }
    Ok(false)
}

pub(crate) fn io_error(file: &str, e: &std::io::Error) -> Error {
    Error::new(ErrorKind::Io {
        path: file.to_string(),
        message: e.to_string(),
    })
}
