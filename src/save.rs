//! Writing results to files, for `save ... to` and `--output`: the format
//! follows the extension, and the file appears whole or not at all (it is
//! written to a temporary file in the same folder and renamed into place).
//! Text formats are rendered by `render`; workbooks (`xlsx`) and Parquet
//! are written by their crates, behind the `excel` and `parquet` features.

use crate::error::{Error, ErrorKind, Result};
use crate::render::{render, Format};
use crate::store::Table;
use std::io::Write;
use std::path::Path;

#[cfg(feature = "excel")]
mod xlsx;

/// How `save` writes a file beyond its format.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SaveOptions {
    /// Overwrite an existing file.
    pub replace: bool,
    /// Start a CSV file with a UTF-8 byte-order mark, so that Excel on
    /// Chinese (or any non-UTF-8) Windows reads its text right.
    pub bom: bool,
    /// The sheet's name in a workbook (by default `Sheet1`).
    pub sheet: Option<String>,
}

/// What a file name asks `save` to write.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target {
    /// A text format `render` makes.
    Text(Format),
    /// An Excel workbook (.xlsx).
    Xlsx,
    /// Apache Parquet.
    Parquet,
}

/// The target a file name's extension asks for.
pub fn target_for_path(path: &Path) -> Result<Target> {
    let ext = path
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase);
    match ext.as_deref() {
        Some("xlsx") => Ok(Target::Xlsx),
        Some("parquet") => Ok(Target::Parquet),
        Some("xls" | "xlsm" | "xlsb" | "ods") => Err(Error::new(ErrorKind::Invalid(format!(
            "itq writes workbooks as .xlsx, not as `{}`",
            path.display()
        )))
        .with_help("end the file name in .xlsx; Excel, LibreOffice and WPS all open it")),
        _ => format_for_path(path).map(Target::Text),
    }
}

/// Writes `table` to `path` as its extension asks, atomically; `shown`
/// names the file in messages.
pub fn save_table(path: &Path, shown: &str, table: &Table, options: &SaveOptions) -> Result<()> {
    let target = target_for_path(path)?;
    if options.bom && target != Target::Text(Format::Csv) {
        return Err(Error::new(ErrorKind::Invalid(format!(
            "`bom` applies to CSV files, not to `{shown}`"
        )))
        .with_help("leave `bom` out: other formats say their encoding themselves"));
    }
    if options.sheet.is_some() && target != Target::Xlsx {
        return Err(Error::new(ErrorKind::Invalid(format!(
            "`sheet` applies to workbooks (.xlsx), not to `{shown}`"
        )))
        .with_help("leave `sheet` out, or save to a .xlsx file"));
    }
    let bytes = match target {
        Target::Text(format) => {
            let text = render(table, format);
            let mut bytes = Vec::with_capacity(text.len() + 3);
            if options.bom {
                bytes.extend_from_slice(b"\xEF\xBB\xBF");
            }
            bytes.extend_from_slice(text.as_bytes());
            bytes
        }
        Target::Xlsx => xlsx_bytes(table, shown, options)?,
        Target::Parquet => parquet_bytes(table, shown)?,
    };
    write_atomic(path, shown, &bytes, options.replace)
}

#[cfg(feature = "excel")]
fn xlsx_bytes(table: &Table, shown: &str, options: &SaveOptions) -> Result<Vec<u8>> {
    xlsx::workbook(table, shown, options.sheet.as_deref().unwrap_or("Sheet1"))
}

#[cfg(not(feature = "excel"))]
fn xlsx_bytes(_: &Table, shown: &str, _: &SaveOptions) -> Result<Vec<u8>> {
    Err(crate::load::not_built(shown, "Excel", "excel"))
}

#[cfg(feature = "parquet")]
fn parquet_bytes(table: &Table, shown: &str) -> Result<Vec<u8>> {
    crate::load::parquet_bytes(table, shown)
}

#[cfg(not(feature = "parquet"))]
fn parquet_bytes(_: &Table, shown: &str) -> Result<Vec<u8>> {
    Err(crate::load::not_built(shown, "Parquet", "parquet"))
}

/// The output format a file name's extension asks for.
pub fn format_for_path(path: &Path) -> Result<Format> {
    let ext = path
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase);
    Ok(match ext.as_deref() {
        Some("csv") => Format::Csv,
        Some("json") => Format::Json,
        Some("ndjson" | "jsonl") => Format::Ndjson,
        Some("md" | "markdown") => Format::Markdown,
        Some("txt") => Format::Table,
        _ => {
            return Err(Error::new(ErrorKind::Invalid(format!(
                "cannot tell what format to write `{}` in",
                path.display()
            )))
            .with_help("end the file name in .csv, .json, .ndjson, .md, .txt, .xlsx or .parquet"))
        }
    })
}

/// Writes `contents` to `path` atomically. An existing file is an error
/// unless `replace`; `shown` names the file in messages.
pub fn write_atomic(path: &Path, shown: &str, contents: &[u8], replace: bool) -> Result<()> {
    let io = |message: String| {
        Error::new(ErrorKind::Write {
            path: shown.to_string(),
            message,
        })
    };
    if path.is_dir() {
        return Err(io("it is a folder".into()).with_help("give a file name inside it"));
    }
    if path.exists() && !replace {
        return Err(Error::new(ErrorKind::Invalid(format!(
            "`{shown}` exists already"
        )))
        .with_help(
            "add `replace` to overwrite it (save ... to \"file\" replace), or use --force with --output",
        ));
    }
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    let mut builder = tempfile::Builder::new();
    builder.prefix(".itq-").suffix(".tmp");
    // The file gets the permissions it had, or those of a new file (the
    // temporary file alone would be private to its owner).
    #[cfg(unix)]
    let permissions = match std::fs::metadata(path) {
        Ok(m) => m.permissions(),
        Err(_) => std::os::unix::fs::PermissionsExt::from_mode(0o666),
    };
    #[cfg(unix)]
    builder.permissions(permissions.clone());
    let mut tmp = builder.tempfile_in(dir).map_err(|e| {
        let reason = match e.kind() {
            std::io::ErrorKind::NotFound => {
                format!("the folder `{}` does not exist", dir.display())
            }
            std::io::ErrorKind::PermissionDenied => {
                format!("no permission to write in `{}`", dir.display())
            }
            other => format!("cannot create a file in `{}`: {other}", dir.display()),
        };
        io(reason).with_help("write to an existing folder you may write in")
    })?;
    #[cfg(unix)]
    {
        // The kernel masked the mode with the umask on creation; an existing
        // file's exact mode is restored here.
        if path.exists() {
            let _ = tmp.as_file().set_permissions(permissions);
        }
    }
    tmp.write_all(contents)
        .and_then(|()| tmp.as_file().sync_all())
        .map_err(|e| io(e.to_string()))?;
    tmp.persist(path).map_err(|e| io(e.error.to_string()))?;
    Ok(())
}
