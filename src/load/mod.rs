//! Loading data files into tables: CSV (parsed in parallel straight into
//! columns, in any encoding), JSON arrays of objects and NDJSON, Excel and
//! OpenDocument workbooks, and Parquet, each column's type inferred (see
//! [`infer`]) or given. A load either yields a whole table or an error
//! naming the file, line and column; it never yields part of one.

mod chunk;
mod csv;
mod encoding;
#[cfg(feature = "excel")]
mod excel;
mod infer;
mod input;
mod json;
mod layout;
#[cfg(feature = "parquet")]
mod parquet;
mod records;
mod settings;
mod strings;
mod units;

pub use encoding::encoding_for_label;
#[cfg(feature = "parquet")]
pub(crate) use parquet::parquet_bytes;
pub(crate) use settings::apply as apply_settings;
pub use settings::{CellRange, COMMON_ENCODINGS, SETTING_WORDS};

use crate::error::{Error, ErrorKind, Result};
use crate::store::Table;
use crate::value::Type;
use std::path::Path;

/// A loaded file: the table, and notes for the reader (an empty file, a
/// column read as text though most of its values are numbers).
#[derive(Debug, Clone)]
pub struct Loaded {
    /// The rows.
    pub table: Table,
    /// One line each, starting `note:`.
    pub notes: Vec<String>,
}

/// The file formats `load` reads and `save` writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileFormat {
    /// Comma- (or otherwise-) separated values with a header row.
    Csv,
    /// A JSON array of objects.
    Json,
    /// One JSON object per line.
    Ndjson,
    /// A workbook: .xlsx, .xlsm, .xlsb, .xls or .ods.
    Excel,
    /// Apache Parquet.
    Parquet,
}

impl FileFormat {
    /// The format a file name's extension implies, if it implies one.
    pub fn from_path(path: &Path) -> Option<FileFormat> {
        let ext = path.extension()?.to_str()?.to_ascii_lowercase();
        FileFormat::parse(&ext)
    }

    /// A format by name or extension (`csv`, `tsv`, `txt`, `json`, `ndjson`,
    /// `jsonl`, `xlsx`, `xlsm`, `xlsb`, `xls`, `ods`, `excel`, `parquet`).
    pub fn parse(name: &str) -> Option<FileFormat> {
        Some(match name.to_ascii_lowercase().as_str() {
            "csv" | "tsv" | "txt" => FileFormat::Csv,
            "json" => FileFormat::Json,
            "ndjson" | "jsonl" => FileFormat::Ndjson,
            "xlsx" | "xlsm" | "xlsb" | "xls" | "ods" | "excel" => FileFormat::Excel,
            "parquet" | "pq" => FileFormat::Parquet,
            _ => return None,
        })
    }
}

/// Which sheet of a workbook to read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Sheet {
    /// By its name.
    Name(String),
    /// By its position, from 1.
    Number(usize),
}

/// How to read a file; everything is detected when not given.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct LoadOptions {
    /// The format; by default from the extension, else from the first character.
    pub format: Option<FileFormat>,
    /// The CSV delimiter; by default the one the header line uses most.
    pub delimiter: Option<u8>,
    /// Types for some columns, overriding inference.
    pub types: Vec<(String, Type)>,
    /// Money units of some number columns: their amounts are converted to
    /// billion yuan (see [`convert_units`]).
    pub units: Vec<(String, crate::money::Unit)>,
    /// The text encoding; by default UTF-8, UTF-16 by its byte-order mark,
    /// or GB18030 for a file that is not UTF-8 but valid GB18030.
    pub encoding: Option<&'static encoding_rs::Encoding>,
    /// Lines (rows of a sheet) above the header to skip: a title.
    pub skip: usize,
    /// How many rows the header takes (their names are joined); by default
    /// 1; 0 for none (columns are then `column1`...).
    pub header: Option<usize>,
    /// How many note lines under the table to leave out; by default those
    /// that read as notes (see the reference), `Some(0)` for none.
    pub footer: Option<usize>,
    /// Texts that mean "no value" in every column, besides the usual ones.
    pub na: Vec<String>,
    /// The thousands separator numbers are written with.
    pub thousands: Option<char>,
    /// The sheet of a workbook; by default the first.
    pub sheet: Option<Sheet>,
    /// The cells of a sheet to read, such as `A3:F40`.
    pub range: Option<CellRange>,
}

/// Reads and parses the file at `path`. `shown` is how errors name it.
pub fn load_file(path: &Path, shown: &str, options: &LoadOptions) -> Result<Loaded> {
    let file =
        crate::access::open_nonblocking(path).map_err(|e| crate::access::open_error(shown, &e))?;
    load_opened(file, path, shown, options)
}

/// Reads and parses `file`, opened from `path` (whose extension may tell
/// the format). Only a regular file is read: a folder, a FIFO or a device is
/// refused before anything is read from it.
pub(crate) fn load_opened(
    file: std::fs::File,
    path: &Path,
    shown: &str,
    options: &LoadOptions,
) -> Result<Loaded> {
    let io = |message: String| {
        Error::new(ErrorKind::Io {
            path: shown.to_string(),
            message,
        })
    };
    let meta = file.metadata().map_err(|e| io(e.to_string()))?;
    if meta.is_dir() {
        return Err(io("it is a folder, not a file".into())
            .with_help("name a .csv, .json, .ndjson, .xlsx or .parquet file inside it"));
    }
    if !meta.is_file() {
        return Err(
            io(format!("it is {}, not a regular file", special_kind(&meta)))
                .with_help("itq reads data files; save the data to a file first"),
        );
    }
    let mut options = options.clone();
    if options.delimiter.is_none()
        && path
            .extension()
            .is_some_and(|e| e.eq_ignore_ascii_case("tsv"))
    {
        options.delimiter = Some(b'\t');
    }
    // A loaded table takes about as much memory as its file.
    crate::limits::check_memory(
        &format!("loading `{shown}`"),
        meta.len(),
        "load a smaller file (split it, or keep the columns you need), or raise the limit with --max-memory",
    )?;
    let mut input = input::FileInput::new(file).map_err(|e| io(e.to_string()))?;
    let format = match options.format.or_else(|| FileFormat::from_path(path)) {
        Some(f) => f,
        None => {
            let start = input.read_start(4096).map_err(|e| io(e.to_string()))?;
            sniff(&start)
        }
    };
    let loaded = match format {
        // CSV streams: the file is never wholly in memory.
        FileFormat::Csv => csv::parse_encoded(shown, &mut input, &options)?.into_table()?,
        FileFormat::Json | FileFormat::Ndjson => {
            json::parse_encoded(shown, &mut input, format == FileFormat::Ndjson, &options)?
        }
        FileFormat::Excel => load_excel(input.into_file(), shown, &options)?,
        FileFormat::Parquet => load_parquet(input.into_file(), shown, &options)?,
    };
    units::convert(shown, with_total_notes(shown, loaded), &options)
}

#[cfg(feature = "excel")]
fn load_excel(file: std::fs::File, shown: &str, options: &LoadOptions) -> Result<Loaded> {
    excel::load(file, shown, options)
}

#[cfg(not(feature = "excel"))]
fn load_excel(_: std::fs::File, shown: &str, _: &LoadOptions) -> Result<Loaded> {
    Err(not_built(shown, "Excel", "excel"))
}

#[cfg(feature = "parquet")]
fn load_parquet(file: std::fs::File, shown: &str, options: &LoadOptions) -> Result<Loaded> {
    parquet::load(file, shown, options)
}

#[cfg(not(feature = "parquet"))]
fn load_parquet(_: std::fs::File, shown: &str, _: &LoadOptions) -> Result<Loaded> {
    Err(not_built(shown, "Parquet", "parquet"))
}

/// The error for a format this build of itq leaves out.
#[allow(dead_code)]
pub(crate) fn not_built(shown: &str, what: &str, feature: &str) -> Error {
    Error::new(ErrorKind::Invalid(format!(
        "this itq was built without {what} support, so it cannot read or write `{shown}`"
    )))
    .with_help(format!(
        "build itq with the `{feature}` feature (it is on by default), or save the file as CSV"
    ))
}

/// Adds the notes on rows that look like totals.
fn with_total_notes(shown: &str, mut loaded: Loaded) -> Loaded {
    loaded
        .notes
        .extend(layout::total_notes(shown, &loaded.table));
    loaded
}

/// "a FIFO", "a device" or "a socket", for a file that is not regular.
fn special_kind(meta: &std::fs::Metadata) -> &'static str {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        let t = meta.file_type();
        if t.is_fifo() {
            return "a FIFO (named pipe)";
        }
        if t.is_char_device() || t.is_block_device() {
            return "a device";
        }
        if t.is_socket() {
            return "a socket";
        }
    }
    let _ = meta;
    "a special file"
}

/// Parses a file's contents. `shown` is how errors name the file.
pub fn load_bytes(shown: &str, bytes: &[u8], options: &LoadOptions) -> Result<Loaded> {
    let format = options.format.unwrap_or_else(|| sniff(bytes));
    let loaded = match format {
        FileFormat::Csv => {
            let mut input = input::SliceInput::new(bytes);
            csv::parse_encoded(shown, &mut input, options)?.into_table()?
        }
        FileFormat::Json | FileFormat::Ndjson => {
            let mut input = input::SliceInput::new(bytes);
            json::parse_encoded(shown, &mut input, format == FileFormat::Ndjson, options)?
        }
        FileFormat::Excel | FileFormat::Parquet => {
            return Err(Error::new(ErrorKind::Invalid(format!(
                "{shown}: a workbook or Parquet file is read from a file, not from bytes"
            )))
            .with_help("write the bytes to a file and load it with `load_file`"))
        }
    };
    units::convert(shown, with_total_notes(shown, loaded), options)
}

/// A table from serde-serialisable records (structs or maps), as a host
/// program hands them over. Field names become columns.
pub fn records_to_table<T: serde::Serialize>(
    what: &str,
    records: impl IntoIterator<Item = T>,
) -> Result<Table> {
    let objects = records
        .into_iter()
        .enumerate()
        .map(|(i, r)| match serde_json::to_value(r) {
            Ok(serde_json::Value::Object(m)) => Ok(m),
            Ok(_) => Err(Error::new(ErrorKind::Invalid(format!(
                "{what}: record {} is not a struct or map",
                i + 1
            )))),
            Err(e) => Err(Error::new(ErrorKind::Invalid(format!(
                "{what}: record {} cannot be converted: {e}",
                i + 1
            )))),
        })
        .collect::<Result<Vec<_>>>()?;
    Ok(json::objects_to_table(what, &objects)?.table)
}

/// A value read from text as a CSV field would be: integer, decimal,
/// boolean, date, or else text (`NA`, `null` and empty are null).
pub fn read_scalar(text: &str) -> crate::value::Scalar {
    use crate::value::Scalar;
    match infer::classify(text) {
        infer::Cell::Null => Scalar::Null,
        infer::Cell::Int(v) => Scalar::Int(v),
        infer::Cell::Decimal(v) => Scalar::Decimal(v),
        infer::Cell::Bool(v) => Scalar::Bool(v),
        infer::Cell::Date(v) => Scalar::Date(v),
        infer::Cell::Text(s) => Scalar::Text(s.into()),
    }
}

/// The format of a file without a telling extension: JSON if it starts with
/// `[`, NDJSON with `{`, CSV otherwise.
fn sniff(bytes: &[u8]) -> FileFormat {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    match bytes.iter().find(|b| !b.is_ascii_whitespace()) {
        Some(b'[') => FileFormat::Json,
        Some(b'{') => FileFormat::Ndjson,
        _ => FileFormat::Csv,
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn loading_stops_when_cancelled() {
        crate::cancel::tests::cancelled(|| {
            super::load_bytes("x.csv", b"a\n1\n", &Default::default()).map(|_| ())
        });
    }
}
