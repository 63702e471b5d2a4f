//! CSV into columns, in parallel: the file is cut into chunks at record
//! boundaries, each chunk is parsed on its own core straight into typed
//! column pieces, and the pieces are joined once every column's type is known.

use super::chunk::ChunkColumn;
use super::infer::{thousands, Tally};
use super::records::{Records, Unclosed};
use crate::error::{Error, ErrorKind, Result};
use crate::store::{concat, Column, Table};
use crate::value::Type;
use rayon::prelude::*;
use std::ops::Range;
use std::sync::Arc;

/// Below this many bytes a file is parsed on one thread.
const CHUNK_BYTES: usize = 4 << 20;

/// How much of a file is in memory at once, per thread: a round of chunks is
/// read, parsed in parallel and dropped before the next is read.
const ROUND_BYTES_PER_THREAD: usize = 4 * CHUNK_BYTES;

/// Where a CSV file's bytes come from: read in order a block at a time, and
/// read again by range for the rare chunk whose column must be re-read.
pub(crate) trait CsvInput: Sync {
    /// Appends up to `n` more bytes to `buf`; returns how many (0 at the end).
    fn read_more(&mut self, buf: &mut Vec<u8>, n: usize) -> std::io::Result<usize>;
    /// The bytes at `range` (offsets from the start of the file).
    fn read_range(&self, range: Range<usize>) -> std::io::Result<Vec<u8>>;
    /// Starts reading from the beginning again.
    fn restart(&mut self) -> std::io::Result<()>;
    /// The whole size in bytes.
    fn size(&self) -> usize;
}

/// Bytes already in memory.
pub(crate) struct SliceInput<'a> {
    pub bytes: &'a [u8],
    pub pos: usize,
}

impl CsvInput for SliceInput<'_> {
    fn read_more(&mut self, buf: &mut Vec<u8>, n: usize) -> std::io::Result<usize> {
        let end = (self.pos + n).min(self.bytes.len());
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
        Ok(())
    }
    fn size(&self) -> usize {
        self.bytes.len()
    }
}

/// A file on disk.
pub(crate) struct FileInput {
    file: std::fs::File,
    size: usize,
}

impl FileInput {
    /// Reads from an open file.
    pub fn new(file: std::fs::File) -> std::io::Result<FileInput> {
        let size = usize::try_from(file.metadata()?.len()).unwrap_or(usize::MAX);
        Ok(FileInput { file, size })
    }

    /// The first `n` bytes (fewer in a shorter file), leaving the position.
    pub fn read_start(&self, n: usize) -> std::io::Result<Vec<u8>> {
        self.read_range(0..n.min(self.size))
    }

    /// The whole file, read a piece at a time; a cancelled run stops
    /// between two pieces.
    pub fn read_all(&mut self, file: &str) -> Result<Vec<u8>> {
        let mut bytes = Vec::new();
        loop {
            let want = bytes.len() + (16 << 20);
            if fill(file, self, &mut bytes, want)? {
                return Ok(bytes);
            }
        }
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

impl CsvInput for FileInput {
    fn read_more(&mut self, buf: &mut Vec<u8>, n: usize) -> std::io::Result<usize> {
        use std::io::Read;
        let start = buf.len();
        buf.resize(start + n, 0);
        let mut filled = 0;
        while filled < n {
            match self.file.read(&mut buf[start + filled..]) {
                Ok(0) => break,
                Ok(k) => filled += k,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                Err(e) => {
                    buf.truncate(start);
                    return Err(e);
                }
            }
        }
        buf.truncate(start + filled);
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
        self.file.seek(SeekFrom::Start(0)).map(|_| ())
    }
    fn size(&self) -> usize {
        self.size
    }
}

/// Parses a CSV file into column pieces. `file` names the file in errors;
/// `delimiter` is detected from the header line when not given; `forced`
/// gives some columns' types.
pub(crate) fn parse(
    file: &str,
    input: &mut dyn CsvInput,
    delimiter: Option<u8>,
    forced: &[(String, Type)],
) -> Result<Pieces> {
    let round = ROUND_BYTES_PER_THREAD * rayon::current_num_threads();
    match parse_rounds(file, input, delimiter, forced, round, true) {
        // A quote inside an unquoted field can mislead the chunk splitter;
        // an error in a file that was split is confirmed by a parse in one piece.
        Err(_) if input.size() > CHUNK_BYTES => {
            input.restart().map_err(|e| io_error(file, &e))?;
            parse_rounds(file, input, delimiter, forced, usize::MAX, false)
        }
        other => other,
    }
}

/// Reads until `buf` holds at least `want` bytes or the input ends; true at
/// the end. A cancelled run stops here, between two reads.
fn fill(file: &str, input: &mut dyn CsvInput, buf: &mut Vec<u8>, want: usize) -> Result<bool> {
    while buf.len() < want {
        crate::cancel::check()?;
        let n = (want - buf.len()).clamp(64 << 10, 64 << 20);
        if input.read_more(buf, n).map_err(|e| io_error(file, &e))? == 0 {
            return Ok(true);
        }
    }
    Ok(false)
}

fn io_error(file: &str, e: &std::io::Error) -> Error {
    Error::new(ErrorKind::Io {
        path: file.to_string(),
        message: e.to_string(),
    })
}

/// One chunk's parsed columns and where it came from.
struct ChunkResult {
    columns: Vec<ChunkColumn>,
    /// Its bytes, as offsets in the file.
    range: Range<usize>,
    /// The line it starts on.
    line: u64,
}

/// Reads the file `round` bytes at a time; with `split`, each round is cut
/// into chunks parsed in parallel.
fn parse_rounds(
    file: &str,
    input: &mut dyn CsvInput,
    delimiter: Option<u8>,
    forced: &[(String, Type)],
    round: usize,
    split_rounds: bool,
) -> Result<Pieces> {
    let mut buf = Vec::new();
    let first = round.min(input.size().max(1));
    let mut eof = fill(file, input, &mut buf, first)?;
    if buf.starts_with(b"\xFF\xFE") || buf.starts_with(b"\xFE\xFF") {
        return Err(data(format!("{file} is UTF-16 text, not UTF-8"))
            .with_help("save it as UTF-8 (in a spreadsheet: \"CSV UTF-8\") and load it again"));
    }
    let bom = if buf.starts_with(b"\xEF\xBB\xBF") {
        3
    } else {
        0
    };
    // The header line must be whole.
    while !eof && memchr::memchr(b'\n', &buf[bom..]).is_none() {
        let want = buf.len() + (1 << 20);
        eof = fill(file, input, &mut buf, want)?;
    }
    while !eof && buf[bom..].iter().all(u8::is_ascii_whitespace) {
        let want = buf.len() + (1 << 20);
        eof = fill(file, input, &mut buf, want)?;
    }
    if memchr::memchr(b'\n', &buf).is_none() && memchr::memchr(b'\r', &buf).is_some() {
        return Err(data(format!(
            "{file} ends its lines with a carriage return alone (an old Mac format)"
        ))
        .with_help("convert the line ends to \\n or \\r\\n (for example with `tr '\\r' '\\n'`) and load it again"));
    }
    if buf[bom..].iter().all(u8::is_ascii_whitespace) {
        return Err(data(format!("{file} is empty"))
            .with_help("a CSV file starts with a header row naming its columns"));
    }
    let delimiter = delimiter.unwrap_or_else(|| sniff_delimiter(&buf[bom..]));
    let (header, header_len, mut line) = read_header(file, &buf[bom..], delimiter)?;
    let mut types: Vec<Option<Type>> = vec![None; header.len()];
    for (name, ty) in forced {
        let i = header.iter().position(|h| h == name).ok_or_else(|| {
            let e = data(format!("{file} has no column `{name}` to give a type"));
            match crate::error::closest(name, header.iter().map(String::as_str)) {
                Some(c) => e.with_help(format!("did you mean `{c}`?")),
                None => e.with_help(format!("its columns are {}", list(&header))),
            }
        })?;
        types[i] = Some(*ty);
    }
    let ctx = Context {
        file,
        delimiter,
        header: &header,
        types: &types,
    };
    let mut base = bom + header_len;
    buf.drain(..base);
    let mut parsed: Vec<ChunkResult> = Vec::new();
    loop {
        let end = if eof {
            buf.len()
        } else {
            match last_boundary(&buf) {
                Some(end) => end,
                None => {
                    // Not one whole record yet: read more.
                    let want = buf.len() + round.min(64 << 20);
                    eof = fill(file, input, &mut buf, want)?;
                    continue;
                }
            }
        };
        let complete = &buf[..end];
        let parts = if split_rounds {
            complete.len() / CHUNK_BYTES
        } else {
            1
        };
        let chunks = split(complete, parts);
        let (columns, newlines) = ctx.parse_round(complete, &chunks, line)?;
        for ((columns, n), r) in columns.into_iter().zip(newlines).zip(chunks) {
            parsed.push(ChunkResult {
                columns,
                range: base + r.start..base + r.end,
                line,
            });
            line += n;
        }
        if eof {
            break;
        }
        buf.drain(..end);
        base += end;
        let want = round.max(buf.len() + 1);
        eof = fill(file, input, &mut buf, want)?;
    }
    drop(buf);
    let rows: usize = parsed
        .iter()
        .filter_map(|c| c.columns.first())
        .map(ChunkColumn::len)
        .sum();
    if rows == 0 {
        // A header alone is an empty relation (an empty result saved to CSV
        // loads back); its columns are text unless given types.
        let types: Vec<Type> = types.iter().map(|t| t.unwrap_or(Type::Text)).collect();
        let columns = types.iter().map(|&ty| vec![Column::nulls(ty, 0)]).collect();
        return Ok(Pieces {
            names: header,
            types,
            columns,
            notes: vec![format!(
                "note: {file} has a header but no rows: the relation is empty, and its columns are text unless given types with `with (...)`"
            )],
        });
    }
    let mut decided = Vec::with_capacity(header.len());
    let mut notes = Vec::new();
    for (i, name) in header.iter().enumerate() {
        decided.push(match types[i] {
            Some(ty) => ty,
            None => {
                let mut tally = Tally::default();
                parsed
                    .iter()
                    .for_each(|c| tally.merge(c.columns[i].tally()));
                let ty = tally.decide(file, name, "line")?;
                if ty == Type::Text {
                    notes.extend(tally.text_note(file, name, "line"));
                }
                ty
            }
        });
    }
    let input: &dyn CsvInput = input;
    let pieces: Vec<Vec<Column>> = parsed
        .into_par_iter()
        .map(|chunk| {
            let mut bytes: Option<Vec<u8>> = None;
            let mut out = Vec::with_capacity(chunk.columns.len());
            for (i, c) in chunk.columns.into_iter().enumerate() {
                let col = match c.finish(decided[i]) {
                    Some(col) => col,
                    None => {
                        if bytes.is_none() {
                            let b = input
                                .read_range(chunk.range.clone())
                                .map_err(|e| io_error(file, &e))?;
                            bytes = Some(b);
                        }
                        let b = bytes.as_deref().unwrap_or_default();
                        ctx.reread(b, chunk.line, i, decided[i])?
                    }
                };
                out.push(col);
            }
            Ok(out)
        })
        .collect::<Result<_>>()?;
    let mut by_column: Vec<Vec<Column>> = (0..header.len()).map(|_| Vec::new()).collect();
    for chunk in pieces {
        for (i, col) in chunk.into_iter().enumerate() {
            by_column[i].push(col);
        }
    }
    Ok(Pieces {
        names: header,
        types: decided,
        columns: by_column,
        notes,
    })
}

/// The offset just after the last newline outside quotes, if any (the
/// buffer starts at a record boundary, outside quotes).
fn last_boundary(buf: &[u8]) -> Option<usize> {
    let total = memchr::memchr_iter(b'"', buf).count();
    let mut after = 0;
    for i in (0..buf.len()).rev() {
        match buf[i] {
            b'"' => after += 1,
            b'\n' if (total - after).is_multiple_of(2) => return Some(i + 1),
            _ => {}
        }
    }
    None
}

/// A parsed file before its chunks' pieces are joined: joining happens after
/// the file's bytes are freed, so the two are never in memory at once.
pub(crate) struct Pieces {
    names: Vec<String>,
    types: Vec<Type>,
    /// For each column, its pieces in file order.
    columns: Vec<Vec<Column>>,
    /// What the reader should know (a column read as text though mostly numbers).
    pub notes: Vec<String>,
}

impl Pieces {
    /// Joins each column's pieces into the table.
    pub fn into_table(self) -> super::Loaded {
        let columns: Vec<Arc<Column>> = self
            .columns
            .into_par_iter()
            .zip(self.types.par_iter())
            .map(|(parts, &ty)| Arc::new(concat(ty, parts)))
            .collect();
        super::Loaded {
            table: Table::new(self.names.into_iter().zip(columns).collect()),
            notes: self.notes,
        }
    }
}

/// What every chunk needs to know.
struct Context<'a> {
    file: &'a str,
    delimiter: u8,
    header: &'a [String],
    types: &'a [Option<Type>],
}

impl Context<'_> {
    /// Parses the chunks of one round in parallel; gives each chunk's columns
    /// and how many lines it spans.
    fn parse_round(
        &self,
        bytes: &[u8],
        chunks: &[Range<usize>],
        first_line: u64,
    ) -> Result<(Vec<Vec<ChunkColumn>>, Vec<u64>)> {
        let newlines: Vec<u64> = chunks
            .par_iter()
            .map(|r| memchr::memchr_iter(b'\n', &bytes[r.clone()]).count() as u64)
            .collect();
        let starts: Vec<u64> = newlines
            .iter()
            .scan(first_line, |line, n| {
                let start = *line;
                *line += n;
                Some(start)
            })
            .collect();
        let columns = chunks
            .par_iter()
            .zip(starts.par_iter().zip(&newlines))
            .map(|(r, (&line, &rows))| self.parse_chunk(&bytes[r.clone()], line, rows as usize + 1))
            .collect::<Result<_>>()?;
        Ok((columns, newlines))
    }

    /// Parses one chunk, inferring (or checking) every column.
    fn parse_chunk(
        &self,
        chunk: &[u8],
        first_line: u64,
        capacity: usize,
    ) -> Result<Vec<ChunkColumn>> {
        let mut columns: Vec<ChunkColumn> = self
            .types
            .iter()
            .map(|&t| ChunkColumn::new(t, capacity))
            .collect();
        let utf8 = std::str::from_utf8(chunk).is_ok();
        self.for_each_record(chunk, first_line, |line, fields| {
            for (i, (col, field)) in columns.iter_mut().zip(fields.fields()).enumerate() {
                let text = if utf8 {
                    checked_field(field)
                } else {
                    self.text(field, line, i)?
                };
                col.push(text, line, fields.is_quoted(i));
                if col.failed() {
                    return Err(col
                        .forced_error(self.file, &self.header[i])
                        .expect("a failed column has an error"));
                }
            }
            Ok(())
        })?;
        Ok(columns)
    }

    /// Reads column `i` of a chunk again, as type `ty`.
    fn reread(&self, chunk: &[u8], first_line: u64, i: usize, ty: Type) -> Result<Column> {
        let mut col = ChunkColumn::new(Some(ty), chunk.len() / 16);
        self.for_each_record(chunk, first_line, |line, fields| {
            let field = fields.field(i);
            col.push(self.text(field, line, i)?, line, fields.is_quoted(i));
            match col.forced_error(self.file, &self.header[i]) {
                Some(e) => Err(e),
                None => Ok(()),
            }
        })?;
        Ok(col
            .finish(ty)
            .expect("a column built with a forced type finishes as that type"))
    }

    /// Calls `f` with each record's line and fields; checks the field count.
    fn for_each_record(
        &self,
        chunk: &[u8],
        first_line: u64,
        mut f: impl FnMut(u64, &Records<'_>) -> Result<()>,
    ) -> Result<()> {
        let mut records = Records::new(chunk, self.delimiter, first_line);
        loop {
            let line = match records.next_record() {
                Ok(Some(line)) => line,
                Ok(None) => return Ok(()),
                Err(e) => return Err(unclosed(self.file, &e)),
            };
            if records.len() != self.header.len() {
                if records.len() == 1 && records.field(0).iter().all(u8::is_ascii_whitespace) {
                    continue;
                }
                return Err(self.ragged(line, records.len()));
            }
            f(line, &records)?;
        }
    }

    fn text<'r>(&self, field: &'r [u8], line: u64, i: usize) -> Result<&'r str> {
        std::str::from_utf8(field).map_err(|e| {
            let byte = field[e.valid_up_to()];
            data(format!(
                "{}, line {}, column `{}`: the text is not valid UTF-8 (byte 0x{byte:02X})",
                self.file,
                thousands(line),
                self.header[i]
            ))
            .with_help("save the file as UTF-8 (in a spreadsheet: \"CSV UTF-8\") and load it again")
        })
    }

    fn ragged(&self, line: u64, found: usize) -> Error {
        let d = self.delimiter as char;
        data(format!(
            "{}, line {}: {found} field{}, but the header names {} column{}",
            self.file,
            thousands(line),
            if found == 1 { "" } else { "s" },
            self.header.len(),
            if self.header.len() == 1 { "" } else { "s" },
        ))
        .with_help(format!(
            "a field that contains `{d}` must be in double quotes; otherwise a field is missing or extra on that line"
        ))
    }
}

/// A field of a chunk that was checked, as a whole, to be UTF-8.
#[inline]
fn checked_field(field: &[u8]) -> &str {
    debug_assert!(std::str::from_utf8(field).is_ok());
    // SAFETY: the chunk this field comes from is valid UTF-8, and the CSV
    // reader builds a field from the chunk's bytes minus some ASCII bytes
    // (quotes, line ends). ASCII bytes are never part of a multi-byte
    // character, so removing them leaves valid UTF-8.
    unsafe { std::str::from_utf8_unchecked(field) }
}

fn data(message: String) -> Error {
    Error::new(ErrorKind::Data(message))
}

fn list(names: &[String]) -> String {
    names
        .iter()
        .map(|n| format!("`{n}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The header's column names, the offset where data starts and its line.
fn read_header(file: &str, bytes: &[u8], delimiter: u8) -> Result<(Vec<String>, usize, u64)> {
    let mut records = Records::new(bytes, delimiter, 1);
    match records.next_record() {
        Ok(Some(_)) => {}
        Ok(None) => return Err(data(format!("{file} is empty"))),
        Err(e) => return Err(unclosed(file, &e)),
    }
    let mut names: Vec<String> = Vec::with_capacity(records.len());
    for (i, field) in records.fields().enumerate() {
        let name = std::str::from_utf8(field)
            .map_err(|_| {
                data(format!("{file}, line 1: the header is not valid UTF-8"))
                    .with_help("save the file as UTF-8 and load it again")
            })?
            .trim();
        let name = if name.is_empty() {
            format!("column{}", i + 1)
        } else {
            name.to_string()
        };
        if let Some(first) = names.iter().position(|n| *n == name) {
            return Err(data(format!(
                "{file}, line 1: the header names `{name}` twice (columns {} and {})",
                first + 1,
                i + 1
            ))
            .with_help("rename one of them in the file; every column needs its own name"));
        }
        names.push(name);
    }
    let (offset, line) = records.position();
    Ok((names, offset, line))
}

fn unclosed(file: &str, e: &Unclosed) -> Error {
    data(format!(
        "{file}, line {}: a quoted field is never closed",
        thousands(e.line)
    ))
    .with_help(
        "add the closing double quote; a quote inside a quoted field is written twice (\"\")",
    )
}

/// The delimiter the header line uses most: comma, semicolon, tab or bar.
fn sniff_delimiter(bytes: &[u8]) -> u8 {
    let line_end = memchr::memchr(b'\n', bytes).unwrap_or(bytes.len());
    let line = &bytes[..line_end];
    let mut counts = [(b',', 0usize), (b';', 0), (b'\t', 0), (b'|', 0)];
    let mut quoted = false;
    for &b in line {
        if b == b'"' {
            quoted = !quoted;
        } else if !quoted {
            if let Some(c) = counts.iter_mut().find(|(d, _)| *d == b) {
                c.1 += 1;
            }
        }
    }
    counts
        .iter()
        .filter(|(_, n)| *n > 0)
        .max_by_key(|(d, n)| (*n, *d == b','))
        .map_or(b',', |(d, _)| *d)
}

/// Cuts `body` into about `parts` ranges that each begin at a record boundary
/// (a newline outside quotes).
fn split(body: &[u8], parts: usize) -> Vec<Range<usize>> {
    let parts = parts.clamp(1, rayon::current_num_threads() * 8);
    if parts == 1 {
        return std::iter::once(0..body.len()).collect();
    }
    let raw: Vec<usize> = (0..=parts).map(|k| k * body.len() / parts).collect();
    let quotes: Vec<usize> = raw
        .par_windows(2)
        .map(|w| memchr::memchr_iter(b'"', &body[w[0]..w[1]]).count())
        .collect();
    let mut bounds = vec![0];
    let mut before = 0;
    for k in 1..parts {
        before += quotes[k - 1];
        let mut odd = before % 2 == 1;
        let mut at = body.len();
        for (i, &b) in body[raw[k]..].iter().enumerate() {
            if b == b'"' {
                odd = !odd;
            } else if b == b'\n' && !odd {
                at = raw[k] + i + 1;
                break;
            }
        }
        let last = *bounds.last().expect("bounds start with 0");
        bounds.push(at.max(last));
    }
    bounds.push(body.len());
    bounds.dedup();
    bounds.windows(2).map(|w| w[0]..w[1]).collect()
}
