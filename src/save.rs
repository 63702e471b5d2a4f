//! Writing results to files, for `save ... to` and `--output`: the format
//! follows the extension, and the file appears whole or not at all (it is
//! written to a temporary file in the same folder and renamed into place).
//! Text formats are rendered by `render`; workbooks (`xlsx`) and Parquet
//! are written by their crates, behind the `excel` and `parquet` features.

use crate::access::Folder;
use crate::cancel;
use crate::error::{Error, ErrorKind, Result};
use crate::render::{render_checked, Format};
use crate::store::Table;
use rustix::fs::{self, AtFlags, FileType, Mode, OFlags};
use std::ffi::OsStr;
use std::io::Write;
use std::os::fd::OwnedFd;
use std::path::Path;
use std::sync::Arc;

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

/// The bytes of `table` in the format `path`'s extension asks for, checked
/// against the options; `shown` names the file in messages. The engine
/// writes them with [`write_in`].
pub fn table_bytes(
    path: &Path,
    shown: &str,
    table: &Table,
    options: &SaveOptions,
) -> Result<Vec<u8>> {
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
    Ok(match target {
        Target::Text(format) => {
            let text = render_checked(table, format, &Default::default())?;
            let mut bytes = Vec::with_capacity(text.len() + 3);
            if options.bom {
                bytes.extend_from_slice(b"\xEF\xBB\xBF");
            }
            bytes.extend_from_slice(text.as_bytes());
            bytes
        }
        Target::Xlsx => xlsx_bytes(table, shown, options)?,
        Target::Parquet => parquet_bytes(table, shown)?,
    })
}

#[cfg(feature = "excel")]
fn xlsx_bytes(table: &Table, shown: &str, options: &SaveOptions) -> Result<Vec<u8>> {
    let sheet = options.sheet.as_deref().unwrap_or("Sheet1");
    xlsx::workbook(&[(sheet, table)], shown)
}

#[cfg(not(feature = "excel"))]
fn xlsx_bytes(_: &Table, shown: &str, _: &SaveOptions) -> Result<Vec<u8>> {
    Err(crate::load::not_built(shown, "Excel", "excel"))
}

/// The workbooks one engine has written, with their sheets. The rule: the
/// first `save` to a workbook writes it with one sheet (refusing a file
/// that exists, unless `replace`); each later `save` to the same workbook
/// from the same engine (one run of a script, one session at the prompt)
/// adds a sheet, named by `sheet` or else the next free `SheetN`, and writes
/// the workbook again with all of them. Saving again to a sheet it already
/// has needs `replace`, which replaces that sheet alone.
#[derive(Debug, Clone, Default)]
pub struct Workbooks {
    books: std::collections::HashMap<std::path::PathBuf, Vec<(String, Arc<Table>)>>,
}

/// A workbook ready to be written: its bytes, and its sheets to remember
/// once it is written.
#[derive(Debug)]
pub struct WorkbookSave {
    /// The workbook's bytes.
    pub bytes: Vec<u8>,
    /// True when this engine wrote the file before (so it is rewritten,
    /// not refused as a file that exists).
    pub ours: bool,
    file: std::path::PathBuf,
    sheets: Vec<(String, Arc<Table>)>,
}

impl Workbooks {
    /// The workbook at `file` (shown as `shown`) with `table` saved to it.
    pub fn with_sheet(
        &self,
        file: &Path,
        shown: &str,
        table: Arc<Table>,
        options: &SaveOptions,
    ) -> Result<WorkbookSave> {
        if options.bom {
            return Err(Error::new(ErrorKind::Invalid(format!(
                "`bom` applies to CSV files, not to `{shown}`"
            )))
            .with_help("leave `bom` out: other formats say their encoding themselves"));
        }
        let earlier = self.books.get(file);
        let mut sheets = earlier.cloned().unwrap_or_default();
        let taken = |name: &str, sheets: &[(String, Arc<Table>)]| {
            sheets
                .iter()
                .position(|(n, _)| n.eq_ignore_ascii_case(name))
        };
        let name = match &options.sheet {
            Some(name) => name.clone(),
            None => (sheets.len() + 1..)
                .map(|k| format!("Sheet{k}"))
                .find(|n| taken(n, &sheets).is_none())
                .unwrap_or_default(),
        };
        match taken(&name, &sheets) {
            Some(i) if options.replace => sheets[i] = (name, table),
            Some(_) => {
                return Err(Error::new(ErrorKind::Invalid(format!(
                    "`{shown}` has a sheet \"{name}\" already, saved earlier in this run"
                )))
                .with_help(format!(
                    "name another sheet with `sheet \"...\"`, or add `replace` to replace the sheet \"{name}\""
                )))
            }
            None => sheets.push((name, table)),
        }
        let named: Vec<(&str, &Table)> = sheets.iter().map(|(n, t)| (n.as_str(), &**t)).collect();
        let bytes = workbook_bytes(&named, shown)?;
        Ok(WorkbookSave {
            bytes,
            ours: earlier.is_some(),
            file: file.to_path_buf(),
            sheets,
        })
    }

    /// Remembers a workbook once it is written.
    pub fn written(&mut self, save: WorkbookSave) {
        self.books.insert(save.file, save.sheets);
    }
}

#[cfg(feature = "excel")]
fn workbook_bytes(sheets: &[(&str, &Table)], shown: &str) -> Result<Vec<u8>> {
    xlsx::workbook(sheets, shown)
}

#[cfg(not(feature = "excel"))]
fn workbook_bytes(_: &[(&str, &Table)], shown: &str) -> Result<Vec<u8>> {
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
    let Some((dir, name)) = crate::access::split(path) else {
        return Err(io("it names no file".into()).with_help("end the path in a file name"));
    };
    let folder = Folder::open(&dir).map_err(|e| io(folder_reason(&dir, &e)))?;
    write_in(&folder, &name, shown, contents, replace)
}

/// Writes `contents` to the file `name` in `folder` atomically: it is
/// written to a temporary file beside it, created through the folder's
/// handle, then renamed into place through the same handle. An existing
/// file is an error unless `replace`; `shown` names the file in messages.
///
/// A temporary file is named `.itq-save-PID-N.tmp`. One left by a process
/// that was killed while saving (its PID no longer runs) is removed by the
/// next save to that folder.
pub fn write_in(
    folder: &Folder,
    name: &OsStr,
    shown: &str,
    contents: &[u8],
    replace: bool,
) -> Result<()> {
    let io = |message: String| {
        Error::new(ErrorKind::Write {
            path: shown.to_string(),
            message,
        })
    };
    let dir = folder.handle();
    let existing = fs::statat(dir, name, AtFlags::SYMLINK_NOFOLLOW).ok();
    if let Some(st) = &existing {
        if FileType::from_raw_mode(st.st_mode) == FileType::Directory {
            return Err(io("it is a folder".into()).with_help("give a file name inside it"));
        }
        if !replace {
            return Err(exists(shown));
        }
    }
    remove_stale_temporaries(folder);
    // The file gets the permissions it had, or those of a new file (0666
    // less the umask, applied by the kernel on creation).
    let mode = existing
        .as_ref()
        .filter(|st| FileType::from_raw_mode(st.st_mode) == FileType::RegularFile)
        .map(|st| Mode::from_raw_mode(st.st_mode) & Mode::from_raw_mode(0o7777));
    let (tmp_name, fd) = create_temporary(folder, mode.unwrap_or(Mode::from_raw_mode(0o666)))
        .map_err(|e| {
            io(folder_reason(&folder.path, &e))
                .with_help("write to an existing folder you may write in")
        })?;
    let mut file = std::fs::File::from(fd);
    let written = (move || -> std::io::Result<()> {
        if let Some(mode) = mode {
            // The kernel masked the mode with the umask; restore it exactly.
            fs::fchmod(&file, mode)?;
        }
        for piece in contents.chunks(WRITE_PIECE) {
            cancel::check().map_err(std::io::Error::other)?;
            file.write_all(piece)?;
        }
        sync_unless_cancelled(file)
    })();
    let renamed = written.and_then(|()| {
        if replace {
            fs::renameat(dir, &tmp_name, dir, name).map_err(std::io::Error::from)
        } else {
            rename_noreplace(dir, &tmp_name, name)
        }
    });
    if let Err(e) = renamed {
        let _ = fs::unlinkat(dir, &tmp_name, AtFlags::empty());
        if e.kind() == std::io::ErrorKind::AlreadyExists {
            return Err(exists(shown));
        }
        if let Some(cancelled) = e.get_ref().and_then(|inner| inner.downcast_ref::<Error>()) {
            return Err(cancelled.clone());
        }
        return Err(io(e.to_string()));
    }
    Ok(())
}

/// Flushes `file` to the disk, which for a large file can take seconds.
/// The flush runs on a thread of its own while this one looks at the
/// cancel switch: a cancel returns at once (the caller then removes the
/// temporary file, whose flush the thread finishes alone).
fn sync_unless_cancelled(file: std::fs::File) -> std::io::Result<()> {
    use std::sync::mpsc::{self, RecvTimeoutError};
    let (tx, rx) = mpsc::channel();
    std::thread::Builder::new()
        .name("itq-save-sync".into())
        .spawn(move || {
            let _ = tx.send(file.sync_all());
        })?;
    loop {
        match rx.recv_timeout(std::time::Duration::from_millis(5)) {
            Ok(synced) => return synced,
            Err(RecvTimeoutError::Timeout) => cancel::check().map_err(std::io::Error::other)?,
            Err(RecvTimeoutError::Disconnected) => {
                return Err(std::io::Error::other("the flush to the disk stopped"))
            }
        }
    }
}

/// How much is written between two checks for a cancel.
const WRITE_PIECE: usize = 4 << 20;

fn exists(shown: &str) -> Error {
    Error::new(ErrorKind::Invalid(format!("`{shown}` exists already"))).with_help(
        "add `replace` to overwrite it (save ... to \"file\" replace), or use --force with --output",
    )
}

fn folder_reason(dir: &Path, e: &std::io::Error) -> String {
    match e.kind() {
        std::io::ErrorKind::NotFound => format!("the folder `{}` does not exist", dir.display()),
        std::io::ErrorKind::PermissionDenied => {
            format!("no permission to write in `{}`", dir.display())
        }
        other => format!("cannot create a file in `{}`: {other}", dir.display()),
    }
}

/// The prefix of a temporary file's name, followed by `PID-N.tmp`.
const TEMP_PREFIX: &str = ".itq-save-";

fn create_temporary(folder: &Folder, mode: Mode) -> std::io::Result<(String, OwnedFd)> {
    use std::hash::{BuildHasher, Hasher};
    let pid = std::process::id();
    for _ in 0..100 {
        let n = std::collections::hash_map::RandomState::new()
            .build_hasher()
            .finish()
            & 0xffff_ffff;
        let name = format!("{TEMP_PREFIX}{pid}-{n:08x}.tmp");
        let flags =
            OFlags::WRONLY | OFlags::CREATE | OFlags::EXCL | OFlags::CLOEXEC | OFlags::NOFOLLOW;
        match fs::openat(folder.handle(), &name, flags, mode) {
            Ok(fd) => return Ok((name, fd)),
            Err(rustix::io::Errno::EXIST) => continue,
            Err(e) => return Err(e.into()),
        }
    }
    Err(std::io::Error::other("no free temporary file name"))
}

/// Removes the temporary files of saves whose process no longer runs.
fn remove_stale_temporaries(folder: &Folder) {
    let Ok(entries) = fs::Dir::read_from(folder.handle()) else {
        return;
    };
    let me = std::process::id();
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy();
        let Some(pid) = name
            .strip_prefix(TEMP_PREFIX)
            .and_then(|rest| rest.strip_suffix(".tmp"))
            .and_then(|rest| rest.split_once('-'))
            .and_then(|(pid, _)| pid.parse::<i32>().ok())
        else {
            continue;
        };
        let gone = pid as u32 != me
            && rustix::process::Pid::from_raw(pid).is_some_and(|p| {
                rustix::process::test_kill_process(p) == Err(rustix::io::Errno::SRCH)
            });
        if gone {
            let _ = fs::unlinkat(folder.handle(), entry.file_name(), AtFlags::empty());
        }
    }
}

#[cfg(any(target_os = "linux", target_os = "android"))]
fn rename_noreplace(dir: &std::fs::File, from: &str, to: &OsStr) -> std::io::Result<()> {
    match fs::renameat_with(dir, from, dir, to, fs::RenameFlags::NOREPLACE) {
        Ok(()) => Ok(()),
        // A file system without RENAME_NOREPLACE: check, then rename.
        Err(rustix::io::Errno::INVAL | rustix::io::Errno::NOSYS) => rename_if_absent(dir, from, to),
        Err(e) => Err(e.into()),
    }
}

#[cfg(not(any(target_os = "linux", target_os = "android")))]
fn rename_noreplace(dir: &std::fs::File, from: &str, to: &OsStr) -> std::io::Result<()> {
    rename_if_absent(dir, from, to)
}

fn rename_if_absent(dir: &std::fs::File, from: &str, to: &OsStr) -> std::io::Result<()> {
    if fs::statat(dir, to, AtFlags::SYMLINK_NOFOLLOW).is_ok() {
        return Err(std::io::ErrorKind::AlreadyExists.into());
    }
    fs::renameat(dir, from, dir, to).map_err(Into::into)
}
