//! CSV into columns, in parallel: the file is cut into chunks at record
//! boundaries, each chunk is parsed on its own core straight into typed
//! column pieces, and the pieces are joined once every column's type is known.

use super::chunk::ChunkColumn;
use super::encoding;
use super::infer::{thousands, CellRules, Tally};
use super::input::{fill, io_error, Input, SliceInput};
use super::layout::{self, At};
use super::records::{Records, Unclosed};
use super::strings::{self, Interner, Piece, Pool};
use super::LoadOptions;
use crate::error::{Error, ErrorKind, Result};
use crate::store::{concat_checked, Column, Table};
use crate::value::Type;
use rayon::prelude::*;
use std::ops::Range;
use std::sync::Arc;

/// Below this many bytes a file is parsed on one thread.
const CHUNK_BYTES: usize = 4 << 20;

/// Records a chunk parses between looks at the cancel switch.
const CHECK_RECORDS: usize = 4096;

/// How much of a file is in memory at once, per thread: a round of chunks is
/// read, parsed in parallel and dropped before the next is read.
const ROUND_BYTES_PER_THREAD: usize = 4 * CHUNK_BYTES;

/// Parses a CSV file in any encoding: UTF-8 streams; a file with a UTF-16
/// byte-order mark, one given another `encoding`, or one whose first bytes
/// are not UTF-8 (then read as GB18030, with a note) is decoded whole first.
pub(crate) fn parse_encoded(
    file: &str,
    input: &mut dyn Input,
    options: &LoadOptions,
) -> Result<Pieces> {
    match encoding::read_text(file, input, options.encoding)? {
        encoding::Text::Utf8 => parse(file, input, options),
        encoding::Text::Decoded { text, note } => {
            let mut pieces = parse(file, &mut SliceInput::new(text.as_bytes()), options)?;
            pieces.notes.splice(0..0, note);
            Ok(pieces)
        }
    }
}

/// Parses UTF-8 CSV into column pieces. `file` names the file in errors;
/// the delimiter is detected from the header line when not given.
fn parse(file: &str, input: &mut dyn Input, options: &LoadOptions) -> Result<Pieces> {
    let round = ROUND_BYTES_PER_THREAD * rayon::current_num_threads();
    match parse_rounds(file, input, options, round, true) {
        // A quote inside an unquoted field can mislead the chunk splitter;
        // an error in a file that was split is confirmed by a parse in one piece.
        Err(e) if input.size() > CHUNK_BYTES && e.kind() != &ErrorKind::Cancelled => {
            input.restart().map_err(|e| io_error(file, &e))?;
            parse_rounds(file, input, options, usize::MAX, false)
        }
        other => other,
    }
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
    input: &mut dyn Input,
    options: &LoadOptions,
    round: usize,
    split_rounds: bool,
) -> Result<Pieces> {
    let forced = &options.types;
    let header_rows = options.header.unwrap_or(1);
    let mut buf = Vec::new();
    let first = round.min(input.size().max(1));
    let mut eof = fill(file, input, &mut buf, first)?;
    let bom = if buf.starts_with(b"\xEF\xBB\xBF") {
        3
    } else {
        0
    };
    // The skipped lines and the header's lines must be whole.
    let needed = options.skip + header_rows.max(1);
    while !eof && memchr::memchr_iter(b'\n', &buf[bom..]).take(needed).count() < needed {
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
    // `skip`: lines above the header (a title), quoted fields kept whole.
    let (mut start, mut line) = (bom, 1u64);
    if options.skip > 0 {
        let mut records = Records::new(&buf[bom..], b',', 1);
        for skipped in 0..options.skip {
            match records.next_record() {
                Ok(Some(_)) => {}
                Ok(None) => {
                    return Err(data(format!(
                        "{file} has {} line{}, so `skip {}` leaves nothing to read",
                        skipped,
                        if skipped == 1 { "" } else { "s" },
                        options.skip
                    ))
                    .with_help("skip fewer lines: `skip N` counts the lines above the header"))
                }
                Err(e) => return Err(unclosed(file, &e)),
            }
        }
        let (offset, at) = records.position();
        (start, line) = (bom + offset, at);
        if buf[start..].iter().all(u8::is_ascii_whitespace) {
            return Err(data(format!(
                "{file} has nothing after the {} line{} skipped",
                options.skip,
                if options.skip == 1 { "" } else { "s" }
            ))
            .with_help("skip fewer lines: `skip N` counts the lines above the header"));
        }
    }
    let delimiter = options
        .delimiter
        .unwrap_or_else(|| sniff_delimiter(&buf[start..]));
    let header_line = line;
    let (header, header_len, mut line, mut notes) =
        read_header(file, &buf[start..], delimiter, line, header_rows)?;
    let header_len = start - bom + header_len;
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
    // Note lines under the table end the input before them.
    let footer = find_footer(
        file,
        input,
        &buf,
        bom + header_len,
        delimiter,
        header.len(),
        options.footer,
    )?;
    if let Some(f) = &footer {
        input.set_end(f.at);
        if buf.len() >= f.at {
            buf.truncate(f.at);
            eof = true;
        }
    }
    let rules = CellRules {
        na: options.na.clone(),
        thousands: options.thousands,
    };
    let strings = Pool::new(header.len());
    let ctx = Context {
        file,
        delimiter,
        strings: &strings,
        header: &header,
        types: &types,
        rules: &rules,
        first_data_line: line,
        header_line,
    };
    let mut base = bom + header_len;
    buf.drain(..base);
    let mut parsed: Vec<ChunkResult> = Vec::new();
    let handle = crate::cancel::current();
    let mut read = || -> Result<()> {
        let mut ready = prepare(file, input, &mut buf, &mut eof, round, split_rounds)?;
        let mut next = Vec::new();
        loop {
            let (end, chunks) = ready;
            // The round is parsed on the pool while this thread reads the
            // next one and finds its chunks: reading and cutting are never
            // on the critical path.
            next.clear();
            next.extend_from_slice(&buf[end..]);
            let mut next_eof = eof;
            let first_chunk = u32::try_from(parsed.len()).unwrap_or(u32::MAX);
            let (round_result, next_ready) = std::thread::scope(|s| {
                let parsing = s.spawn(|| {
                    let parse = || ctx.parse_round(&buf[..end], &chunks, line, first_chunk);
                    match &handle {
                        Some(h) => crate::cancel::with_handle(h, parse),
                        None => parse(),
                    }
                });
                let next_ready = if eof {
                    None
                } else {
                    let want = round.max(next.len() + 1);
                    Some(fill(file, input, &mut next, want).and_then(|at_end| {
                        next_eof = at_end;
                        prepare(file, input, &mut next, &mut next_eof, round, split_rounds)
                    }))
                };
                let parsed = parsing
                    .join()
                    .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
                (parsed, next_ready)
            });
            let (columns, newlines) = round_result?;
            for ((columns, n), r) in columns.into_iter().zip(newlines).zip(chunks) {
                parsed.push(ChunkResult {
                    columns,
                    range: base + r.start..base + r.end,
                    line,
                });
                line += n;
            }
            let Some(next_ready) = next_ready else {
                break;
            };
            ready = next_ready?;
            base += end;
            std::mem::swap(&mut buf, &mut next);
            eof = next_eof;
        }
        Ok(())
    };
    if let Err(e) = read() {
        // A cancel (or an error) part-way leaves millions of parsed values:
        // freeing them takes longer than the cancel may, so it happens aside.
        crate::cancel::let_go(parsed);
        return Err(e);
    }
    drop(buf);
    if let Some(f) = footer {
        notes.push(layout::footer_note(
            &At { file, unit: "line" },
            line,
            &f.texts,
        ));
    }
    let rows: usize = parsed
        .iter()
        .filter_map(|c| c.columns.first())
        .map(ChunkColumn::len)
        .sum();
    if rows == 0 {
        // A header alone is an empty relation (an empty result saved to CSV
        // loads back); its columns are text unless given types.
        let types: Vec<Type> = types.iter().map(|t| t.unwrap_or(Type::Text)).collect();
        let columns = types
            .iter()
            .map(|&ty| vec![Piece::Column(Column::nulls(ty, 0))])
            .collect();
        let interners_len = types.len();
        let interners = types.iter().map(|_| Vec::new()).collect();
        notes.push(format!(
            "note: {file} has a header but no rows: the relation is empty, and its columns are text unless given types with `with (...)`"
        ));
        return Ok(Pieces {
            names: header,
            types,
            columns,
            interners,
            unused: vec![false; interners_len],
            notes,
        });
    }
    let mut decided = Vec::with_capacity(header.len());
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
                notes.extend(tally.reading_notes(file, name, "line", ty));
                ty
            }
        });
    }
    let input: &dyn Input = input;
    // For each chunk its pieces, and which columns interned strings for a
    // piece then read again.
    let pieces: Vec<(Vec<Piece>, Vec<bool>)> = parsed
        .into_par_iter()
        .map(|chunk| {
            let mut bytes: Option<Vec<u8>> = None;
            let mut out = Vec::with_capacity(chunk.columns.len());
            let mut reread = vec![false; chunk.columns.len()];
            for (i, c) in chunk.columns.into_iter().enumerate() {
                if let Some(h) = &handle {
                    h.check()?;
                }
                let interned = c.interned();
                let col = match c.finish_piece(decided[i]) {
                    Some(col) => col,
                    None => {
                        reread[i] = interned;
                        if bytes.is_none() {
                            let b = input
                                .read_range(chunk.range.clone())
                                .map_err(|e| io_error(file, &e))?;
                            bytes = Some(b);
                        }
                        let b = bytes.as_deref().unwrap_or_default();
                        Piece::Column(ctx.reread(b, chunk.line, i, decided[i])?)
                    }
                };
                out.push(col);
            }
            Ok((out, reread))
        })
        .collect::<Result<_>>()?;
    let mut by_column: Vec<Vec<Piece>> = (0..header.len()).map(|_| Vec::new()).collect();
    let mut unused = vec![false; header.len()];
    for (chunk, reread) in pieces {
        for (i, col) in chunk.into_iter().enumerate() {
            by_column[i].push(col);
            unused[i] |= reread[i];
        }
    }
    Ok(Pieces {
        names: header,
        types: decided,
        columns: by_column,
        interners: strings.into_columns(),
        unused,
        notes,
    })
}

/// Makes `buf` (which starts at a record boundary) hold at least one whole
/// record, reading more while it does not, unless the input ends; gives the
/// end of its last whole record and the chunks before it, to parse in parallel
/// when `split_rounds`.
fn prepare(
    file: &str,
    input: &mut dyn Input,
    buf: &mut Vec<u8>,
    eof: &mut bool,
    round: usize,
    split_rounds: bool,
) -> Result<(usize, Vec<Range<usize>>)> {
    let end = loop {
        if *eof {
            break buf.len();
        }
        match last_boundary(buf) {
            Some(end) => break end,
            None => {
                // Not one whole record yet: read more.
                let want = buf.len() + round.min(64 << 20);
                *eof = fill(file, input, buf, want)?;
            }
        }
    };
    let parts = if split_rounds { end / CHUNK_BYTES } else { 1 };
    Ok((end, split(&buf[..end], parts)))
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
    columns: Vec<Vec<Piece>>,
    /// For each column, the interners its coded pieces refer to.
    interners: Vec<Vec<Interner>>,
    /// For each column, true when its interners may hold strings no row has.
    unused: Vec<bool>,
    /// What the reader should know (a column read as text though mostly numbers).
    pub notes: Vec<String>,
}

impl Pieces {
    /// Joins each column's pieces into the table (stopping at a cancel).
    pub fn into_table(self) -> Result<super::Loaded> {
        let handle = crate::cancel::current();
        let columns: Vec<Arc<Column>> = self
            .columns
            .into_par_iter()
            .zip(self.types.par_iter())
            .zip(self.interners.par_iter().zip(self.unused.par_iter()))
            .map(|((parts, &ty), (interners, &unused))| {
                if parts.iter().any(|p| matches!(p, Piece::Coded { .. })) {
                    return strings::assemble(parts, interners, unused, handle.as_ref())
                        .map(Arc::new);
                }
                let parts = parts
                    .into_iter()
                    .filter_map(|p| match p {
                        Piece::Column(c) => Some(c),
                        Piece::Coded { .. } => None,
                    })
                    .collect();
                concat_checked(ty, parts, handle.as_ref()).map(Arc::new)
            })
            .collect::<Result<_>>()?;
        Ok(super::Loaded {
            table: Table::new(self.names.into_iter().zip(columns).collect()),
            notes: self.notes,
        })
    }
}

/// What every chunk needs to know.
struct Context<'a> {
    file: &'a str,
    delimiter: u8,
    /// The interners text columns' chunks share.
    strings: &'a Pool,
    header: &'a [String],
    types: &'a [Option<Type>],
    rules: &'a CellRules,
    /// The line the data starts on, and the header's first line (for the
    /// help on a title row read as the header).
    first_data_line: u64,
    header_line: u64,
}

impl Context<'_> {
    /// Parses the chunks of one round in parallel; gives each chunk's columns
    /// and how many lines it spans.
    ///
    /// Only the first chunk knows the line it starts on; the others count
    /// their lines from 0 as they go (no pass over the round counts them
    /// first), and the lines their columns noted are moved once the lines
    /// before them are known. An error in such a chunk carries a line that
    /// is not the file's: it is never shown, because a failed parse of a file
    /// that was cut into chunks is done again in one piece (see [`parse`]).
    fn parse_round(
        &self,
        bytes: &[u8],
        chunks: &[Range<usize>],
        first_line: u64,
        first_chunk: u32,
    ) -> Result<(Vec<Vec<ChunkColumn>>, Vec<u64>)> {
        // Chunks run on worker threads: they check the run's handle, taken along.
        let handle = crate::cancel::current();
        let parsed: Vec<(Vec<ChunkColumn>, u64)> = chunks
            .par_iter()
            .enumerate()
            .map(|(k, r)| {
                if let Some(h) = &handle {
                    h.check()?;
                }
                let chunk = first_chunk.saturating_add(k as u32);
                let bytes = &bytes[r.clone()];
                let base = if k == 0 { first_line } else { 0 };
                self.parse_chunk(bytes, base, rows_in(bytes), chunk, handle.as_ref())
            })
            .collect::<Result<_>>()?;
        let mut line = first_line;
        let mut columns = Vec::with_capacity(parsed.len());
        let mut lines = Vec::with_capacity(parsed.len());
        for (k, (mut cols, n)) in parsed.into_iter().enumerate() {
            if k > 0 {
                cols.iter_mut().for_each(|c| c.move_lines(line));
            }
            columns.push(cols);
            lines.push(n);
            line += n;
        }
        Ok((columns, lines))
    }

    /// Parses one chunk, inferring (or checking) every column.
    fn parse_chunk(
        &self,
        chunk: &[u8],
        first_line: u64,
        capacity: usize,
        chunk_number: u32,
        handle: Option<&crate::cancel::InterruptHandle>,
    ) -> Result<(Vec<ChunkColumn>, u64)> {
        // A column that may hold text codes it into an interner it shares
        // with the other chunks, given back once the chunk is read.
        let mut columns: Vec<ChunkColumn> = self
            .types
            .iter()
            .enumerate()
            .map(|(i, &t)| {
                let column = ChunkColumn::new(t, capacity);
                match t {
                    None | Some(Type::Text) => {
                        let (id, interner) = self.strings.lend(i, chunk_number);
                        column.with_interner(id, interner)
                    }
                    Some(_) => column,
                }
            })
            .collect();
        let read = self.read_chunk(chunk, first_line, handle, &mut columns);
        for (i, c) in columns.iter_mut().enumerate() {
            if let Some((id, interner)) = c.give_back() {
                self.strings.give_back(i, id, interner);
            }
        }
        read.map(|lines| (columns, lines))
    }

    /// Reads a chunk's records into its columns.
    fn read_chunk(
        &self,
        chunk: &[u8],
        first_line: u64,
        handle: Option<&crate::cancel::InterruptHandle>,
        columns: &mut [ChunkColumn],
    ) -> Result<u64> {
        let utf8 = std::str::from_utf8(chunk).is_ok();
        let mut records = 0usize;
        self.for_each_record(chunk, first_line, |line, fields| {
            // A chunk is some 50,000 lines: a cancel is looked at within it too.
            records += 1;
            if records.is_multiple_of(CHECK_RECORDS) {
                if let Some(h) = handle {
                    h.check()?;
                }
            }
            for (i, (col, field)) in columns.iter_mut().zip(fields.fields()).enumerate() {
                let text = if utf8 {
                    checked_field(field)
                } else {
                    self.text(field, line, i)?
                };
                col.push(text, line, fields.is_quoted(i), self.rules);
                if col.failed() {
                    return Err(col
                        .forced_error(self.file, &self.header[i], "line")
                        .expect("a failed column has an error"));
                }
            }
            Ok(())
        })
    }

    /// Reads column `i` of a chunk again, as type `ty`.
    fn reread(&self, chunk: &[u8], first_line: u64, i: usize, ty: Type) -> Result<Column> {
        let mut col = ChunkColumn::new(Some(ty), chunk.len() / 16);
        self.for_each_record(chunk, first_line, |line, fields| {
            let field = fields.field(i);
            col.push(
                self.text(field, line, i)?,
                line,
                fields.is_quoted(i),
                self.rules,
            );
            match col.forced_error(self.file, &self.header[i], "line") {
                Some(e) => Err(e),
                None => Ok(()),
            }
        })?;
        Ok(col
            .finish(ty)
            .expect("a column built with a forced type finishes as that type"))
    }

    /// Calls `f` with each record's line and fields; checks the field count.
    /// Gives the number of lines read.
    fn for_each_record(
        &self,
        chunk: &[u8],
        first_line: u64,
        mut f: impl FnMut(u64, &Records<'_>) -> Result<()>,
    ) -> Result<u64> {
        let mut records = Records::new(chunk, self.delimiter, first_line);
        loop {
            let line = match records.next_record() {
                Ok(Some(line)) => line,
                Ok(None) => return Ok(records.position().1 - first_line),
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
            .with_help("name the file's encoding, as in `encoding \"gb18030\"`, or save it as UTF-8 (in a spreadsheet: \"CSV UTF-8\")")
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
        .with_help(if found > self.header.len() && line == self.first_data_line {
            format!(
                "if line {} is a title above the header, skip it with `skip {}`",
                self.header_line, self.header_line
            )
        } else {
            format!(
                "a field that contains `{d}` must be in double quotes; otherwise a field is missing or extra on that line"
            )
        })
    }
}

/// About how many records `chunk` holds, to size its columns: its lines
/// counted in its first 64 KiB and scaled to its length, with a tenth more.
fn rows_in(chunk: &[u8]) -> usize {
    let sample = &chunk[..chunk.len().min(64 << 10)];
    let lines = memchr::memchr_iter(b'\n', sample).count().max(1);
    let estimate = chunk.len().saturating_mul(lines) / sample.len().max(1);
    estimate + estimate / 10 + 16
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

/// The column names from the `rows` header lines at the start of `bytes`
/// (the first is line `first`; with no header rows, `column1`...), the
/// offset where data starts, its line, and notes on the names.
fn read_header(
    file: &str,
    bytes: &[u8],
    delimiter: u8,
    first: u64,
    rows: usize,
) -> Result<(Vec<String>, usize, u64, Vec<String>)> {
    let mut records = Records::new(bytes, delimiter, first);
    let mut cells: Vec<Vec<String>> = Vec::with_capacity(rows.max(1));
    for _ in 0..rows.max(1) {
        match records.next_record() {
            Ok(Some(_)) => {}
            Ok(None) if cells.is_empty() => return Err(data(format!("{file} is empty"))),
            Ok(None) => {
                return Err(data(format!(
                    "{file} has {} line{} where `header {rows}` asks for {rows}",
                    cells.len(),
                    if cells.len() == 1 { "" } else { "s" }
                ))
                .with_help("`header N` counts the rows the column names take"))
            }
            Err(e) => return Err(unclosed(file, &e)),
        }
        let row = records
            .fields()
            .map(|field| {
                std::str::from_utf8(field).map(str::to_string).map_err(|_| {
                    data(format!(
                        "{file}, line {}: the header is not valid UTF-8",
                        thousands(first + cells.len() as u64)
                    ))
                    .with_help("name the file's encoding, as in `encoding \"gb18030\"`, or save it as UTF-8")
                })
            })
            .collect::<Result<Vec<_>>>()?;
        cells.push(row);
    }
    if rows == 0 {
        let names = (1..=cells[0].len()).map(|i| format!("column{i}")).collect();
        return Ok((names, 0, first, Vec::new()));
    }
    let (names, notes) = layout::header_names(&At { file, unit: "line" }, &cells, first);
    let (offset, line) = records.position();
    Ok((names, offset, line, notes))
}

/// Note lines found under the table.
struct Footer {
    /// The offset where they start (the data ends there).
    at: usize,
    /// Each note line's text.
    texts: Vec<String>,
}

/// The note lines at the end of the input, by [`layout::footer_start`]:
/// the last 64 KiB are read, split into lines and checked from the end.
fn find_footer(
    file: &str,
    input: &dyn Input,
    buf: &[u8],
    data_start: usize,
    delimiter: u8,
    width: usize,
    footer: Option<usize>,
) -> Result<Option<Footer>> {
    if footer == Some(0) {
        return Ok(None);
    }
    let total = input.size();
    if total <= data_start {
        return Ok(None);
    }
    let from = total.saturating_sub(64 << 10).max(data_start);
    let tail: Vec<u8> = if buf.len() >= total {
        buf[from..total].to_vec()
    } else {
        input
            .read_range(from..total)
            .map_err(|e| io_error(file, &e))?
    };
    let mut lines: Vec<(usize, &[u8])> = Vec::new();
    let mut at = 0;
    for piece in tail.split_inclusive(|&b| b == b'\n') {
        lines.push((from + at, piece));
        at += piece.len();
    }
    if from > data_start && !lines.is_empty() {
        lines.remove(0); // cut off in the middle
    }
    let rows: Vec<Vec<String>> = lines
        .iter()
        .map(|(_, l)| {
            let mut records = Records::new(l, delimiter, 1);
            match records.next_record() {
                // A line with a quote may be part of a quoted field: data.
                Ok(Some(_)) if !l.contains(&b'"') => records
                    .fields()
                    .map(|f| String::from_utf8_lossy(f).into_owned())
                    .collect(),
                _ => vec!["\"".to_string(); width],
            }
        })
        .collect();
    let cells: Vec<Vec<&str>> = rows
        .iter()
        .map(|r| r.iter().map(String::as_str).collect())
        .collect();
    let start = layout::footer_start(&cells, width, footer);
    let found = cells[start..]
        .iter()
        .filter(|r| r.iter().any(|c| !c.trim().is_empty()))
        .count();
    if let Some(n) = footer {
        if found < n {
            return Err(data(format!(
                "{file} has {found} line{} under the header, fewer than `footer {n}` leaves out",
                if found == 1 { "" } else { "s" }
            ))
            .with_help("`footer N` counts the note lines at the end of the file"));
        }
    }
    if start == cells.len() {
        return Ok(None);
    }
    // The data before the cut must not end inside a quoted field.
    let before = lines[start].0 - from;
    if from == data_start && memchr::memchr_iter(b'"', &tail[..before]).count() % 2 == 1 {
        return Ok(None);
    }
    let texts = cells[start..]
        .iter()
        .filter(|r| r.iter().any(|c| !c.trim().is_empty()))
        .map(|r| {
            r.iter()
                .map(|c| c.trim())
                .filter(|c| !c.is_empty())
                .collect::<Vec<_>>()
                .join(" ")
        })
        .collect();
    Ok(Some(Footer {
        at: lines[start].0,
        texts,
    }))
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
