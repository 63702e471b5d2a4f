//! JSON (an array of objects) and NDJSON (one object per line) straight into
//! typed columns, streamed as CSV is: the file is read a round at a time,
//! each round is cut at record boundaries into chunks parsed in parallel
//! (serde_json visits each record into the chunk's column builders; no
//! `Value` is built per record), and the chunks' pieces are joined once every
//! column's type is known. The file and its columns are never in memory
//! together.
//!
//! Keys become columns in the order they first appear; a missing key is
//! null, a key given twice in one record is an error. Numbers, booleans and
//! strings keep their JSON types; strings that are all `YYYY-MM-DD` dates
//! become a date column; nested arrays and objects are kept as their JSON
//! text. A column of values of several kinds is text (each value as its JSON
//! text) unless all but a stray few are of one type: then the first stray
//! value is an error, as in CSV (the rule is in [`super::infer`]).

use super::chunk::ChunkColumn;
use super::encoding;
use super::infer::{thousands, Cell, CellRules, Tally};
use super::input::{fill, Input, SliceInput};
use super::{LoadOptions, Loaded};
use crate::error::{Error, ErrorKind, Result};
use crate::store::{concat, Builder, Column, Table, TextBuilder};
use crate::value::{format_date, parse_date, Type};
use rayon::prelude::*;
use serde::de::{self, DeserializeSeed, MapAccess, SeqAccess, Visitor};
use serde::Deserialize;
use serde_json::Value;
use std::borrow::Cow;
use std::collections::HashMap;
use std::ops::Range;
use std::sync::Arc;

/// About how many bytes one chunk (one task) parses.
const CHUNK_BYTES: usize = 4 << 20;

/// How much of a file is in memory at once, per thread.
const ROUND_BYTES_PER_THREAD: usize = 4 * CHUNK_BYTES;

/// Parses a JSON array of objects (`lines` false) or NDJSON (`lines` true)
/// in any encoding: UTF-8 streams; another encoding is decoded whole first.
pub(crate) fn parse_encoded(
    file: &str,
    input: &mut dyn Input,
    lines: bool,
    options: &LoadOptions,
) -> Result<Loaded> {
    match encoding::read_text(file, input, options.encoding)? {
        encoding::Text::Utf8 => parse(file, input, lines, &options.types),
        encoding::Text::Decoded { text, note } => {
            let mut input = SliceInput::new(text.as_bytes());
            let mut loaded = parse(file, &mut input, lines, &options.types)?;
            loaded.notes.splice(0..0, note);
            Ok(loaded)
        }
    }
}

/// What every chunk of one file needs to know.
struct Context<'a> {
    file: &'a str,
    forced: &'a [(String, Type)],
    /// NDJSON (positions are lines) or a JSON array (positions are records).
    lines: bool,
}

impl Context<'_> {
    /// What positions in errors and notes count.
    fn unit(&self) -> &'static str {
        if self.lines {
            "line"
        } else {
            "record"
        }
    }
}

/// Where a round of the file starts: its line, and how many bytes of that
/// line come before it.
#[derive(Debug, Clone, Copy)]
struct Origin {
    line: u64,
    column: usize,
}

impl Origin {
    /// The line and (1-based, in bytes) column of `offset` in `text`, which
    /// starts at this origin.
    fn locate(self, text: &[u8], offset: usize) -> (u64, usize) {
        let before = &text[..offset.min(text.len())];
        let lines = memchr::memchr_iter(b'\n', before).count() as u64;
        let column = match memchr::memrchr(b'\n', before) {
            Some(p) => offset - p,
            None => self.column + offset + 1,
        };
        (self.line + lines, column)
    }

    /// The origin of `offset` in `text`.
    fn advance(self, text: &[u8], offset: usize) -> Origin {
        let (line, column) = self.locate(text, offset);
        Origin {
            line,
            column: column - 1,
        }
    }
}

fn parse(
    file: &str,
    input: &mut dyn Input,
    lines: bool,
    forced: &[(String, Type)],
) -> Result<Loaded> {
    let ctx = Context {
        file,
        forced,
        lines,
    };
    let round = ROUND_BYTES_PER_THREAD * rayon::current_num_threads();
    let mut buf = Vec::new();
    let first = round.min(input.size().max(1));
    let mut eof = fill(file, input, &mut buf, first)?;
    let mut start = if buf.starts_with(b"\xEF\xBB\xBF") {
        3
    } else {
        0
    };
    let mut origin = Origin { line: 1, column: 0 };
    let mut pieces = Vec::new();
    if lines {
        read_lines(&ctx, input, &mut buf, eof, start, round, &mut pieces)?;
    } else {
        // Up to the `[` that opens the array.
        loop {
            match buf[start..].iter().position(|b| !b.is_ascii_whitespace()) {
                Some(p) => {
                    start += p;
                    break;
                }
                None if eof => {
                    return Err(data(format!("{file} is empty")).with_help(
                        "a JSON file holds an array of objects, such as [{\"a\": 1}, {\"a\": 2}]",
                    ))
                }
                None => {
                    let want = buf.len() + (1 << 20);
                    eof = fill(file, input, &mut buf, want)?;
                }
            }
        }
        if buf[start] != b'[' {
            return Err(not_an_array(file, &buf, start, origin));
        }
        origin = origin.advance(&buf, start + 1);
        buf.drain(..start + 1);
        read_array(&ctx, input, &mut buf, eof, origin, round, &mut pieces)?;
    }
    join(&ctx, pieces)
}

/// Reads NDJSON from `buf[start..]` (and the rest of `input`) into pieces.
fn read_lines<'a>(
    ctx: &Context<'a>,
    input: &mut dyn Input,
    buf: &mut Vec<u8>,
    mut eof: bool,
    mut start: usize,
    round: usize,
    pieces: &mut Vec<Piece<'a>>,
) -> Result<()> {
    let mut line = 1u64;
    loop {
        let end = if eof {
            buf.len()
        } else {
            match memchr::memrchr(b'\n', &buf[start..]) {
                Some(p) => start + p + 1,
                None => {
                    let want = buf.len() + round.min(64 << 20);
                    eof = fill(ctx.file, input, buf, want)?;
                    continue;
                }
            }
        };
        let chunks = split_lines(&buf[start..end], start);
        let newlines: Vec<u64> = chunks
            .par_iter()
            .map(|r| memchr::memchr_iter(b'\n', &buf[r.clone()]).count() as u64)
            .collect();
        let firsts: Vec<u64> = newlines
            .iter()
            .scan(line, |l, n| {
                let first = *l;
                *l += n;
                Some(first)
            })
            .collect();
        let handle = crate::cancel::current();
        let parsed: Vec<Result<Piece<'a>>> = chunks
            .par_iter()
            .zip(&firsts)
            .map(|(r, &first)| {
                if let Some(h) = &handle {
                    h.check()?;
                }
                let origin = Origin {
                    line: first,
                    column: 0,
                };
                let text = utf8(ctx, &buf[r.clone()], || origin)?;
                parse_lines_chunk(ctx, text, first, handle.as_ref())
            })
            .collect();
        for p in parsed {
            pieces.push(p?);
        }
        line += newlines.iter().sum::<u64>();
        if eof {
            return Ok(());
        }
        buf.drain(..end);
        start = 0;
        let want = round.max(buf.len() + 1);
        eof = fill(ctx.file, input, buf, want)?;
    }
}

/// Cuts `body` (at `base` in the buffer) into pieces of about
/// [`CHUNK_BYTES`] at line ends, as ranges of the buffer.
fn split_lines(body: &[u8], base: usize) -> Vec<Range<usize>> {
    let mut out = Vec::new();
    let mut from = 0;
    while from < body.len() {
        let target = from + CHUNK_BYTES;
        let to = if target >= body.len() {
            body.len()
        } else {
            memchr::memchr(b'\n', &body[target..]).map_or(body.len(), |p| target + p + 1)
        };
        out.push(base + from..base + to);
        from = to;
    }
    out
}

/// Parses the lines of one chunk, the first being line `first`.
fn parse_lines_chunk<'a>(
    ctx: &Context<'a>,
    text: &str,
    first: u64,
    handle: Option<&crate::cancel::InterruptHandle>,
) -> Result<Piece<'a>> {
    let mut piece = Piece::new(ctx.forced);
    for (line, l) in (first..).zip(text.split('\n')) {
        if !l.bytes().all(|b| b.is_ascii_whitespace()) {
            if piece.rows.is_multiple_of(crate::cancel::BATCH) {
                if let Some(h) = handle {
                    h.check()?;
                }
            }
            piece.record(l, line).map_err(|e| {
                let origin = Origin { line, column: 0 };
                e.into_error(ctx, line, l.as_bytes(), origin)
            })?;
        }
    }
    piece.check_forced(ctx)?;
    Ok(piece)
}

/// How the scan of an array's elements ended.
#[derive(Debug, PartialEq)]
enum Scan {
    /// The bytes ran out inside the element that starts here.
    More(usize),
    /// The `]` that closes the array is here.
    Closed(usize),
    /// A bracket that closes nothing open (or the wrong kind) is here.
    Broken(usize),
}

/// Finds the elements of an array in `buf` from `from` (just inside the
/// `[`, or just after a comma between two elements): each element's range,
/// up to (not including) the comma or bracket after it. Only the structure
/// is followed here (strings, brackets, commas); serde_json checks the
/// elements themselves.
fn scan_elements(buf: &[u8], from: usize, elements: &mut Vec<Range<usize>>) -> Scan {
    let mut open: Vec<u8> = Vec::new();
    let mut element = from;
    let mut i = from;
    while i < buf.len() {
        match buf[i] {
            b'"' => {
                // To the closing quote, past escaped characters.
                let mut j = i + 1;
                loop {
                    match memchr::memchr2(b'"', b'\\', &buf[j.min(buf.len())..]) {
                        Some(p) if buf[j + p] == b'\\' => j += p + 2,
                        Some(p) => {
                            j += p + 1;
                            break;
                        }
                        None => return Scan::More(element),
                    }
                }
                i = j;
                continue;
            }
            b @ (b'{' | b'[') => open.push(b),
            b @ (b'}' | b']') => match open.pop() {
                Some(o) if (o == b'{') == (b == b'}') => {}
                None if b == b']' => {
                    elements.push(element..i);
                    return Scan::Closed(i);
                }
                _ => return Scan::Broken(i),
            },
            b',' if open.is_empty() => {
                elements.push(element..i);
                element = i + 1;
            }
            _ => {}
        }
        i += 1;
    }
    Scan::More(element)
}

/// Reads the elements of a JSON array from `buf` (just inside its `[`, at
/// `origin`) and the rest of `input` into pieces.
fn read_array<'a>(
    ctx: &Context<'a>,
    input: &mut dyn Input,
    buf: &mut Vec<u8>,
    mut eof: bool,
    mut origin: Origin,
    round: usize,
    pieces: &mut Vec<Piece<'a>>,
) -> Result<()> {
    let mut records = 0u64;
    let mut elements: Vec<Range<usize>> = Vec::new();
    loop {
        elements.clear();
        let scan = scan_elements(buf, 0, &mut elements);
        if let Scan::More(_) = scan {
            if !eof && elements.is_empty() {
                // Not one whole element yet: read more.
                let want = buf.len() * 2 + round;
                eof = fill(ctx.file, input, buf, want)?;
                continue;
            }
        }
        // The last element of a closed array may be nothing: `[]`, or a
        // trailing comma.
        if let (Scan::Closed(_), Some(last)) = (&scan, elements.last()) {
            if buf[last.clone()].iter().all(u8::is_ascii_whitespace) {
                if records == 0 && elements.len() == 1 {
                    elements.clear();
                } else {
                    let (line, column) = origin.locate(buf, last.start.saturating_sub(1));
                    return Err(data(format!(
                        "{}, line {}, column {column}: trailing comma",
                        ctx.file,
                        thousands(line)
                    ))
                    .with_help("remove the comma after the last record"));
                }
            }
        }
        match scan {
            Scan::Broken(at) => elements.push(elements.last().map_or(0, |l| l.end + 1)..at + 1),
            Scan::More(at) if eof && !buf[at..].iter().all(u8::is_ascii_whitespace) => {
                elements.push(at..buf.len());
            }
            _ => {}
        }
        parse_elements(ctx, buf, &elements, origin, records, pieces)?;
        records += elements.len() as u64;
        match scan {
            Scan::Closed(at) => return after_array(ctx, input, buf, at + 1, origin, eof),
            Scan::Broken(at) => {
                let (line, column) = origin.locate(buf, at);
                return Err(data(format!(
                    "{}, line {}, column {column}: `{}` closes nothing that is open",
                    ctx.file,
                    thousands(line),
                    char::from(buf[at])
                ))
                .with_help("check the brackets near that spot"));
            }
            Scan::More(_) if eof => {
                let (line, column) = origin.locate(buf, buf.len());
                return Err(data(format!(
                    "{}, line {}, column {column}: the JSON ends too early: the array is never closed",
                    ctx.file,
                    thousands(line)
                ))
                .with_help("end the array with `]` (is the file cut short?)"));
            }
            Scan::More(at) => {
                origin = origin.advance(buf, at);
                buf.drain(..at);
                let want = round.max(buf.len() + 1);
                eof = fill(ctx.file, input, buf, want)?;
            }
        }
    }
}

/// Parses complete elements in parallel chunks; `records` came before them.
fn parse_elements<'a>(
    ctx: &Context<'a>,
    buf: &[u8],
    elements: &[Range<usize>],
    origin: Origin,
    records: u64,
    pieces: &mut Vec<Piece<'a>>,
) -> Result<()> {
    // Groups of elements of about CHUNK_BYTES each.
    let mut groups: Vec<Range<usize>> = Vec::new();
    let mut from = 0;
    while from < elements.len() {
        let limit = elements[from].start + CHUNK_BYTES;
        let to = from + elements[from..].partition_point(|e| e.end <= limit).max(1);
        groups.push(from..to);
        from = to;
    }
    let handle = crate::cancel::current();
    let parsed: Vec<Result<Piece<'a>>> = groups
        .par_iter()
        .map(|g| {
            if let Some(h) = &handle {
                h.check()?;
            }
            let span = elements[g.start].start..elements[g.end - 1].end;
            utf8(ctx, &buf[span.clone()], || origin.advance(buf, span.start))?;
            let mut piece = Piece::new(ctx.forced);
            for (k, e) in elements[g.clone()].iter().enumerate() {
                let record = records + (g.start + k) as u64 + 1;
                if k % crate::cancel::BATCH == 0 {
                    if let Some(h) = &handle {
                        h.check()?;
                    }
                }
                let bytes = &buf[e.clone()];
                if bytes.iter().all(u8::is_ascii_whitespace) {
                    let (line, column) = origin.locate(buf, e.start);
                    return Err(data(format!(
                        "{}, line {}, column {column}: two commas with no record between them",
                        ctx.file,
                        thousands(line)
                    ))
                    .with_help("remove one of the commas"));
                }
                // Checked as UTF-8 with the whole span, and cut at ASCII bytes.
                let text = std::str::from_utf8(bytes)
                    .map_err(|_| data(format!("{}, record {record}: not UTF-8", ctx.file)))?;
                piece.record(text, record).map_err(|err| {
                    err.into_error(ctx, record, bytes, origin.advance(buf, e.start))
                })?;
            }
            piece.check_forced(ctx)?;
            Ok(piece)
        })
        .collect();
    for p in parsed {
        pieces.push(p?);
    }
    Ok(())
}

/// After the array's `]` (at `buf[from]`), only white space may follow.
fn after_array(
    ctx: &Context<'_>,
    input: &mut dyn Input,
    buf: &mut Vec<u8>,
    mut from: usize,
    mut origin: Origin,
    mut eof: bool,
) -> Result<()> {
    loop {
        if let Some(p) = buf[from..].iter().position(|b| !b.is_ascii_whitespace()) {
            let (line, column) = origin.locate(buf, from + p);
            return Err(data(format!(
                "{}, line {}, column {column}: trailing characters after the array",
                ctx.file,
                thousands(line)
            ))
            .with_help("a JSON file holds one array; for one object per line, name the file .ndjson or load it `format ndjson`"));
        }
        if eof {
            return Ok(());
        }
        origin = origin.advance(buf, buf.len());
        buf.clear();
        from = 0;
        eof = fill(ctx.file, input, buf, 1 << 20)?;
    }
}

/// The error for a JSON file that does not start with `[` (at `buf[at]`).
fn not_an_array(file: &str, buf: &[u8], at: usize, origin: Origin) -> Error {
    let what = match buf[at] {
        b'{' => "an object",
        b'"' => "a string",
        b'-' | b'0'..=b'9' => "a number",
        b't' | b'f' => "a boolean",
        b'n' => "null",
        _ => {
            let (line, column) = origin.locate(buf, at);
            return data(format!(
                "{file}, line {}, column {column}: expected `[`, the start of an array of objects",
                thousands(line)
            ))
            .with_help("a JSON file holds an array of objects, such as [{\"a\": 1}, {\"a\": 2}]");
        }
    };
    data(format!("{file} holds {what}, not an array of objects")).with_help(
        "write the records as [{\"a\": 1}, {\"a\": 2}], or one object per line as NDJSON (.ndjson)",
    )
}

/// `bytes` as text, or the error naming the line of the first bad byte.
fn utf8<'b>(ctx: &Context<'_>, bytes: &'b [u8], origin: impl Fn() -> Origin) -> Result<&'b str> {
    std::str::from_utf8(bytes).map_err(|e| {
        let (line, _) = origin().locate(bytes, e.valid_up_to());
        data(format!(
            "{}, line {}: the text is not valid UTF-8 (byte 0x{:02X})",
            ctx.file,
            thousands(line),
            bytes[e.valid_up_to()]
        ))
        .with_help("name the file's encoding, as in `encoding \"gb18030\"`, or save it as UTF-8")
    })
}

/// Why one record could not be read.
enum RecordError {
    /// Not JSON: serde_json's error, positioned within the record's text.
    Syntax(serde_json::Error),
    /// JSON, but not an object: what it is.
    NotAnObject(&'static str),
    /// A key given twice, and serde_json's position just after it.
    Twice(String, serde_json::Error),
}

impl RecordError {
    /// The error for the record at `position` (its line or record number),
    /// whose text `bytes` starts at `origin`.
    fn into_error(self, ctx: &Context<'_>, position: u64, bytes: &[u8], origin: Origin) -> Error {
        let file = ctx.file;
        let place = |e: &serde_json::Error| {
            let line = origin.line + e.line() as u64 - 1;
            let column = if e.line() == 1 {
                origin.column + e.column()
            } else {
                e.column()
            };
            format!("{file}, line {}, column {column}", thousands(line))
        };
        match self {
            RecordError::NotAnObject(what) => {
                let help = if ctx.lines {
                    "NDJSON holds one object such as {\"a\": 1} per line"
                } else {
                    "every element of the array must be an object such as {\"a\": 1}"
                };
                data(format!(
                    "{file}, {} {}: {what}, not an object",
                    ctx.unit(),
                    thousands(position)
                ))
                .with_help(help)
            }
            RecordError::Twice(key, e) => data(format!(
                "{}: the key `{key}` appears twice in one record",
                place(&e)
            ))
            .with_help("a record names each key once; keep one of the two values"),
            RecordError::Syntax(e) => {
                let what = match e.classify() {
                    serde_json::error::Category::Eof => "the JSON ends too early".to_string(),
                    _ => {
                        // serde_json's message ends with " at line L column C"; we say where ourselves.
                        let msg = e.to_string();
                        msg.rsplit_once(" at line ")
                            .map_or(msg.clone(), |(m, _)| m.to_string())
                    }
                };
                let help = if what.contains("number out of range") {
                    "the number is beyond what a decimal holds (about 1.8e308); write it as a string to keep it as text"
                } else if what.contains("trailing characters") && ctx.lines {
                    "NDJSON holds one object per line; is a line break missing?"
                } else {
                    "check the JSON near that spot (a missing comma, quote or bracket?)"
                };
                let _ = bytes;
                data(format!("{}: {what}", place(&e))).with_help(help)
            }
        }
    }
}

/// One JSON value as a column receives it.
#[derive(Debug, Clone)]
enum Json<'a> {
    Null,
    Bool(bool),
    Int(i64),
    Decimal(f64),
    Str(Cow<'a, str>),
    /// An array or object, as its JSON text.
    Nested(String),
}

impl Json<'_> {
    /// The value as text: strings as they are, other values as JSON.
    fn text(&self) -> Option<Cow<'_, str>> {
        Some(match self {
            Json::Null => return None,
            Json::Bool(b) => Cow::Borrowed(if *b { "true" } else { "false" }),
            Json::Int(v) => Cow::Owned(v.to_string()),
            Json::Decimal(v) => Cow::Owned(decimal_text(*v)),
            Json::Str(s) => Cow::Borrowed(s.as_ref()),
            Json::Nested(t) => Cow::Borrowed(t.as_str()),
        })
    }

    /// A value of a `serde_json::Value` (from a host's records).
    fn of(v: &Value) -> Json<'_> {
        match v {
            Value::Null => Json::Null,
            Value::Bool(b) => Json::Bool(*b),
            Value::Number(n) => match n.as_i64() {
                Some(i) => Json::Int(i),
                None => Json::Decimal(n.as_f64().unwrap_or(f64::NAN)),
            },
            Value::String(s) => Json::Str(Cow::Borrowed(s)),
            Value::Array(_) | Value::Object(_) => Json::Nested(v.to_string()),
        }
    }
}

/// A decimal as JSON writes it (`1.5`, `1.0`, `1e20`).
fn decimal_text(v: f64) -> String {
    serde_json::Number::from_f64(v).map_or_else(|| v.to_string(), |n| n.to_string())
}

/// True for a date string that reads back as written (`2024-05-01`, not `2024-5-01 `).
fn canonical_date(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() == 10
        && b[4] == b'-'
        && b[7] == b'-'
        && b.iter()
            .enumerate()
            .all(|(i, c)| i == 4 || i == 7 || c.is_ascii_digit())
}

/// The values of an inferred column built so far in one chunk: typed by the
/// first value, integers widened to decimals in place, and turned to text
/// (each value as its JSON text) at the first value of another kind.
#[derive(Debug)]
enum Built {
    Nulls(usize),
    Int(Builder<i64>),
    Decimal(Builder<f64>),
    Bool(Builder<bool>),
    /// Dates, and the rows whose text is not the canonical `YYYY-MM-DD`
    /// (so that turning the column to text gives back what was written).
    Date(Builder<i32>, Vec<(usize, String)>),
    Text(TextBuilder),
}

/// One column of one chunk.
#[derive(Debug)]
enum ChunkJson {
    /// Typed by inference.
    Inferred { built: Built, tally: Tally },
    /// Given a type other than text with `with (...)`: each value's text is
    /// read as that type, as a CSV field would be.
    Forced(ChunkColumn),
    /// Given the type text.
    Text(TextBuilder),
}

impl ChunkJson {
    fn new(forced: Option<Type>) -> ChunkJson {
        match forced {
            None => ChunkJson::Inferred {
                built: Built::Nulls(0),
                tally: Tally::default(),
            },
            Some(Type::Text | Type::Null) => ChunkJson::Text(TextBuilder::with_capacity(0)),
            Some(ty) => ChunkJson::Forced(ChunkColumn::new(Some(ty), 0)),
        }
    }

    /// Appends one value of row `row`, found at `position` (a line or record number).
    fn push(&mut self, v: Json<'_>, row: usize, position: u64) {
        match self {
            ChunkJson::Text(b) => b.push(v.text().as_deref()),
            ChunkJson::Forced(c) => {
                let quoted = matches!(v, Json::Str(_));
                let text = v.text();
                c.push(
                    text.as_deref().unwrap_or(""),
                    position,
                    quoted,
                    &CellRules::default(),
                );
            }
            ChunkJson::Inferred { built, tally } => {
                let date = match &v {
                    Json::Str(s) if s.len() == 10 => parse_date(s),
                    _ => None,
                };
                let cell = match (&v, date) {
                    (Json::Null, _) => Cell::Null,
                    (Json::Bool(b), _) => Cell::Bool(*b),
                    (Json::Int(i), _) => Cell::Int(*i),
                    (Json::Decimal(f), _) => Cell::Decimal(*f),
                    (Json::Str(_), Some(d)) => Cell::Date(d),
                    (Json::Str(_), None) | (Json::Nested(_), _) => Cell::Text(""),
                };
                tally.add_with(&cell, position, || {
                    v.text().map(Cow::into_owned).unwrap_or_default()
                });
                store(built, cell, &v, row);
            }
        }
    }

    /// The finished column of type `ty`.
    fn finish(self, ty: Type, rows: usize) -> Column {
        match self {
            ChunkJson::Text(b) => b.into_column(),
            ChunkJson::Forced(c) => c
                .finish(ty)
                .expect("a column built with a forced type finishes as that type"),
            ChunkJson::Inferred { built, .. } => match (built, ty) {
                (Built::Nulls(_), ty) => Column::nulls(ty, rows),
                (Built::Int(b), Type::Int) => b.into_column(),
                (Built::Int(b), Type::Decimal) => b.into_column().to_decimal(),
                (Built::Decimal(b), Type::Decimal) => b.into_column(),
                (Built::Bool(b), Type::Bool) => b.into_column(),
                (Built::Date(b, _), Type::Date) => b.into_column(),
                (Built::Text(b), _) => b.into_column(),
                (built, _) => as_text(built).into_column(),
            },
        }
    }
}

/// Appends `cell` (the value `v` of row `row`) to `built`.
fn store(built: &mut Built, cell: Cell<'_>, v: &Json<'_>, row: usize) {
    match (&mut *built, cell) {
        (Built::Nulls(n), Cell::Null) => *n += 1,
        (Built::Nulls(n), cell) => {
            let n = *n;
            *built = match cell {
                Cell::Int(_) => Built::Int(with_nulls(n)),
                Cell::Decimal(_) => Built::Decimal(with_nulls(n)),
                Cell::Bool(_) => Built::Bool(with_nulls(n)),
                Cell::Date(_) => Built::Date(with_nulls(n), Vec::new()),
                Cell::Text(_) | Cell::Null => {
                    let mut b = TextBuilder::with_capacity(n + 1024);
                    (0..n).for_each(|_| b.push(None));
                    Built::Text(b)
                }
            };
            store(built, cell, v, row);
        }
        (Built::Int(b), Cell::Int(x)) => b.push(Some(x)),
        (Built::Int(b), Cell::Decimal(x)) => {
            let (ints, validity) = std::mem::replace(b, Builder::with_capacity(0)).finish();
            let mut widened =
                Builder::from_parts(ints.iter().map(|&i| i as f64).collect(), validity);
            widened.push(Some(x));
            *built = Built::Decimal(widened);
        }
        (Built::Decimal(b), Cell::Decimal(x)) => b.push(Some(x)),
        (Built::Decimal(b), Cell::Int(x)) => b.push(Some(x as f64)),
        (Built::Bool(b), Cell::Bool(x)) => b.push(Some(x)),
        (Built::Date(b, odd), Cell::Date(d)) => {
            b.push(Some(d));
            if let Json::Str(s) = v {
                if !canonical_date(s) {
                    odd.push((row, s.to_string()));
                }
            }
        }
        (Built::Int(b), Cell::Null) => b.push(None),
        (Built::Decimal(b), Cell::Null) => b.push(None),
        (Built::Bool(b), Cell::Null) => b.push(None),
        (Built::Date(b, _), Cell::Null) => b.push(None),
        (Built::Text(b), _) => b.push(v.text().as_deref()),
        (other, _) => {
            let old = std::mem::replace(other, Built::Nulls(0));
            let mut text = as_text(old);
            text.push(v.text().as_deref());
            *built = Built::Text(text);
        }
    }
}

fn with_nulls<T: Default>(n: usize) -> Builder<T> {
    let mut b = Builder::with_capacity(n + 1024);
    (0..n).for_each(|_| b.push(None));
    b
}

/// The values built so far as text, each as its JSON text.
fn as_text(built: Built) -> TextBuilder {
    fn each<T: Copy + Default>(
        b: Builder<T>,
        mut f: impl FnMut(usize, T) -> String,
    ) -> TextBuilder {
        let (values, validity) = b.finish();
        let mut t = TextBuilder::with_capacity(values.len() + 1024);
        for (i, &v) in values.iter().enumerate() {
            let valid = validity.as_ref().is_none_or(|bits| bits.get(i));
            t.push(valid.then(|| f(i, v)).as_deref());
        }
        t
    }
    match built {
        Built::Nulls(n) => {
            let mut t = TextBuilder::with_capacity(n + 1024);
            (0..n).for_each(|_| t.push(None));
            t
        }
        Built::Int(b) => each(b, |_, v| v.to_string()),
        Built::Decimal(b) => each(b, |_, v| decimal_text(v)),
        Built::Bool(b) => each(b, |_, v| v.to_string()),
        Built::Date(b, odd) => {
            let mut odd = odd.into_iter().peekable();
            each(b, |i, d| match odd.peek() {
                Some((row, _)) if *row == i => odd.next().map(|(_, s)| s).unwrap_or_default(),
                _ => format_date(d),
            })
        }
        Built::Text(t) => t,
    }
}

/// The columns of one chunk.
struct Piece<'f> {
    forced: &'f [(String, Type)],
    names: Vec<String>,
    index: HashMap<String, usize>,
    columns: Vec<ChunkJson>,
    /// For each column, the number of rows it holds a value for.
    filled: Vec<usize>,
    /// The columns of the last record, in its key order: the next record
    /// most likely has the same keys in the same order.
    order: Vec<usize>,
    rows: usize,
    /// A key found twice in the record being read.
    twice: Option<String>,
}

impl<'f> Piece<'f> {
    fn new(forced: &'f [(String, Type)]) -> Piece<'f> {
        Piece {
            forced,
            names: Vec::new(),
            index: HashMap::new(),
            columns: Vec::new(),
            filled: Vec::new(),
            order: Vec::new(),
            rows: 0,
            twice: None,
        }
    }

    /// The column of `key`, the `position`-th key of its record.
    #[inline]
    fn column_of(&mut self, key: &str, position: usize) -> usize {
        if let Some(&c) = self.order.get(position) {
            if self.names[c] == key {
                return c;
            }
        }
        let c = match self.index.get(key) {
            Some(&c) => c,
            None => {
                let forced = self.forced.iter().find(|(n, _)| n == key).map(|(_, t)| *t);
                let mut column = ChunkJson::new(forced);
                for row in 0..self.rows {
                    column.push(Json::Null, row, 0);
                }
                self.names.push(key.to_string());
                self.index.insert(key.to_string(), self.columns.len());
                self.columns.push(column);
                self.filled.push(self.rows);
                self.columns.len() - 1
            }
        };
        if position < self.order.len() {
            self.order[position] = c;
        } else {
            self.order.push(c);
        }
        c
    }

    /// Reads one record's text into the columns; `position` is its line
    /// (NDJSON) or record number (JSON).
    fn record(&mut self, text: &str, position: u64) -> std::result::Result<(), RecordError> {
        let first = text.bytes().find(|b| !b.is_ascii_whitespace());
        if first != Some(b'{') {
            return Err(match serde_json::from_str::<Value>(text) {
                Ok(v) => RecordError::NotAnObject(describe(&v)),
                Err(e) => RecordError::Syntax(e),
            });
        }
        let mut de = serde_json::Deserializer::from_str(text);
        let keys = RecordSeed {
            piece: self,
            position,
        }
        .deserialize(&mut de)
        .and_then(|keys| de.end().map(|()| keys))
        .map_err(|e| match self.twice.take() {
            Some(key) => RecordError::Twice(key, e),
            None => RecordError::Syntax(e),
        })?;
        let row = self.rows;
        self.rows += 1;
        if keys < self.columns.len() {
            for c in 0..self.columns.len() {
                if self.filled[c] < self.rows {
                    self.columns[c].push(Json::Null, row, position);
                    self.filled[c] = self.rows;
                }
            }
        }
        Ok(())
    }

    /// A record from a host's `Value` object.
    fn value_record(&mut self, object: &serde_json::Map<String, Value>, position: u64) {
        let row = self.rows;
        for (k, (key, v)) in object.iter().enumerate() {
            let c = self.column_of(key, k);
            self.columns[c].push(Json::of(v), row, position);
            self.filled[c] = row + 1;
        }
        self.rows += 1;
        for c in 0..self.columns.len() {
            if self.filled[c] < self.rows {
                self.columns[c].push(Json::Null, row, position);
                self.filled[c] = self.rows;
            }
        }
    }

    /// The error for the first value that did not fit its given type.
    fn check_forced(&self, ctx: &Context<'_>) -> Result<()> {
        for (name, column) in self.names.iter().zip(&self.columns) {
            if let ChunkJson::Forced(c) = column {
                if let Some(e) = c.forced_error(ctx.file, name, ctx.unit()) {
                    return Err(e);
                }
            }
        }
        Ok(())
    }
}

/// Reads one record (an object) into a piece; gives how many keys it had.
struct RecordSeed<'p, 'f> {
    piece: &'p mut Piece<'f>,
    position: u64,
}

impl<'de> DeserializeSeed<'de> for RecordSeed<'_, '_> {
    type Value = usize;
    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> std::result::Result<usize, D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for RecordSeed<'_, '_> {
    type Value = usize;
    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("an object")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> std::result::Result<usize, A::Error> {
        let piece = self.piece;
        let row = piece.rows;
        let mut keys = 0;
        while let Some(c) = map.next_key_seed(KeySeed {
            piece: &mut *piece,
            position: keys,
        })? {
            if piece.filled[c] > row {
                piece.twice = Some(piece.names[c].clone());
                return Err(de::Error::custom("a key twice"));
            }
            piece.filled[c] = row + 1;
            map.next_value_seed(ValueSeed {
                column: &mut piece.columns[c],
                row,
                position: self.position,
            })?;
            keys += 1;
        }
        Ok(keys)
    }
}

/// Reads a key as its column's index.
struct KeySeed<'p, 'f> {
    piece: &'p mut Piece<'f>,
    position: usize,
}

impl<'de> DeserializeSeed<'de> for KeySeed<'_, '_> {
    type Value = usize;
    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> std::result::Result<usize, D::Error> {
        d.deserialize_str(self)
    }
}

impl<'de> Visitor<'de> for KeySeed<'_, '_> {
    type Value = usize;
    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("a key")
    }
    fn visit_str<E: de::Error>(self, key: &str) -> std::result::Result<usize, E> {
        Ok(self.piece.column_of(key, self.position))
    }
}

/// Reads a value into its column.
struct ValueSeed<'c> {
    column: &'c mut ChunkJson,
    row: usize,
    position: u64,
}

impl ValueSeed<'_> {
    fn put<E>(self, v: Json<'_>) -> std::result::Result<(), E> {
        self.column.push(v, self.row, self.position);
        Ok(())
    }
}

impl<'de> DeserializeSeed<'de> for ValueSeed<'_> {
    type Value = ();
    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> std::result::Result<(), D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for ValueSeed<'_> {
    type Value = ();
    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("a JSON value")
    }
    fn visit_unit<E: de::Error>(self) -> std::result::Result<(), E> {
        self.put(Json::Null)
    }
    fn visit_bool<E: de::Error>(self, v: bool) -> std::result::Result<(), E> {
        self.put(Json::Bool(v))
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> std::result::Result<(), E> {
        self.put(Json::Int(v))
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> std::result::Result<(), E> {
        self.put(match i64::try_from(v) {
            Ok(i) => Json::Int(i),
            Err(_) => Json::Decimal(v as f64),
        })
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> std::result::Result<(), E> {
        self.put(Json::Decimal(v))
    }
    fn visit_str<E: de::Error>(self, v: &str) -> std::result::Result<(), E> {
        self.put(Json::Str(Cow::Borrowed(v)))
    }
    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> std::result::Result<(), A::Error> {
        let v = Value::deserialize(de::value::SeqAccessDeserializer::new(seq))?;
        self.put(Json::Nested(v.to_string()))
    }
    fn visit_map<A: MapAccess<'de>>(self, map: A) -> std::result::Result<(), A::Error> {
        let v = Value::deserialize(de::value::MapAccessDeserializer::new(map))?;
        self.put(Json::Nested(v.to_string()))
    }
}

/// Joins the chunks' pieces into the table, deciding each column's type.
fn join(ctx: &Context<'_>, pieces: Vec<Piece<'_>>) -> Result<Loaded> {
    let rows: usize = pieces.iter().map(|p| p.rows).sum();
    if rows == 0 {
        return Ok(Loaded {
            table: Table::with_rows(Vec::new(), 0),
            notes: vec![format!(
                "note: {} holds no records, so the relation is empty and has no columns",
                ctx.file
            )],
        });
    }
    // Columns in the order their keys first appear.
    let mut names: Vec<String> = Vec::new();
    let mut index: HashMap<String, usize> = HashMap::new();
    for p in &pieces {
        for n in &p.names {
            if !index.contains_key(n) {
                index.insert(n.clone(), names.len());
                names.push(n.clone());
            }
        }
    }
    for (name, _) in ctx.forced {
        if !index.contains_key(name) {
            let e = data(format!("{} has no key `{name}` to give a type", ctx.file));
            return Err(
                match crate::error::closest(name, names.iter().map(String::as_str)) {
                    Some(c) => e.with_help(format!("did you mean `{c}`?")),
                    None => e,
                },
            );
        }
    }
    // For each column, its part of each piece (None where a piece lacks it).
    let sizes: Vec<usize> = pieces.iter().map(|p| p.rows).collect();
    let mut parts: Vec<Vec<Option<ChunkJson>>> = (0..names.len())
        .map(|_| (0..pieces.len()).map(|_| None).collect())
        .collect();
    for (k, p) in pieces.into_iter().enumerate() {
        for (name, column) in p.names.into_iter().zip(p.columns) {
            parts[index[&name]][k] = Some(column);
        }
    }
    let unit = ctx.unit();
    let columns = names
        .par_iter()
        .zip(parts)
        .map(|(name, parts)| {
            let forced = ctx.forced.iter().find(|(n, _)| n == name).map(|(_, t)| *t);
            let mut note = None;
            let ty = match forced {
                Some(ty) => ty,
                None => {
                    let mut tally = Tally::default();
                    for p in parts.iter().flatten() {
                        if let ChunkJson::Inferred { tally: t, .. } = p {
                            tally.merge(t);
                        }
                    }
                    let ty = tally.decide(ctx.file, name, unit)?;
                    if ty == Type::Text {
                        note = tally.text_note(ctx.file, name, unit);
                    }
                    ty
                }
            };
            let columns: Vec<Column> = parts
                .into_iter()
                .zip(&sizes)
                .map(|(p, &n)| match p {
                    Some(c) => c.finish(ty, n),
                    None => Column::nulls(ty, n),
                })
                .collect();
            Ok(((name.clone(), Arc::new(concat(ty, columns))), note))
        })
        .collect::<Vec<Result<_>>>()
        .into_iter()
        .collect::<Result<Vec<_>>>()?;
    let (columns, notes): (Vec<_>, Vec<_>) = columns.into_iter().unzip();
    Ok(Loaded {
        table: Table::new(columns),
        notes: notes.into_iter().flatten().collect(),
    })
}

/// A table from a host's records, each a JSON object.
pub(crate) fn objects_to_table(
    what: &str,
    objects: &[serde_json::Map<String, Value>],
) -> Result<Loaded> {
    let ctx = Context {
        file: what,
        forced: &[],
        lines: false,
    };
    let mut piece = Piece::new(&[]);
    for (i, o) in objects.iter().enumerate() {
        piece.value_record(o, i as u64 + 1);
    }
    join(&ctx, vec![piece])
}

fn describe(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

fn data(message: String) -> Error {
    Error::new(ErrorKind::Data(message))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn load(text: &str, lines: bool) -> Result<Loaded> {
        let mut input = SliceInput::new(text.as_bytes());
        parse("t.json", &mut input, lines, &[])
    }

    #[test]
    fn scans_elements_past_strings_and_nesting() {
        let buf = br#"{"a": "x,]\"y"}, [1, [2]], 3]  "#;
        let mut e = Vec::new();
        assert_eq!(scan_elements(buf, 0, &mut e), Scan::Closed(28));
        assert_eq!(e, vec![0..15, 16..25, 26..28]);
        let mut e = Vec::new();
        assert_eq!(scan_elements(br#"{"a": [1}"#, 0, &mut e), Scan::Broken(8));
        let mut e = Vec::new();
        assert_eq!(scan_elements(br#"{"a": 1}, {"b"#, 0, &mut e), Scan::More(9));
        assert_eq!(e, vec![0..8]);
    }

    #[test]
    fn columns_change_kind_within_a_chunk_as_inference_says() {
        let t = load(
            r#"[{"a": 1, "d": "2024-01-05", "m": 1}, {"a": 2.5, "d": "2024-1-05", "m": "x"},
               {"a": null, "d": "later", "m": true}, {"n": {"k": [1, 2]}}]"#,
            false,
        )
        .unwrap()
        .table;
        let rows: Vec<String> = t.rows().map(|r| format!("{r:?}")).collect();
        assert_eq!(t.fields()[0].ty, Type::Decimal);
        assert_eq!(t.fields()[1].ty, Type::Text);
        assert_eq!(t.fields()[2].ty, Type::Text);
        assert!(rows[1].contains("2024-1-05"), "{rows:?}");
        assert!(rows[0].contains("\"2024-01-05\""), "{rows:?}");
        assert!(rows[2].contains("\"true\""), "{rows:?}");
        assert!(rows[3].contains(r#"{\"k\":[1,2]}"#), "{rows:?}");
    }

    #[test]
    fn a_key_twice_is_located() {
        let e = load("{\"a\": 1}\n{\"a\": 1, \"a\": 2}\n", true).unwrap_err();
        assert!(
            e.to_string()
                .contains("t.json, line 2, column 12: the key `a` appears twice"),
            "{e}"
        );
    }
}
