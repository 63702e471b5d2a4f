//! Writing results to files, for `save ... to` and `--output`: the format
//! follows the extension, and the file appears whole or not at all (it is
//! written to a temporary file in the same folder and renamed into place).

use crate::error::{Error, ErrorKind, Result};
use crate::render::Format;
use std::io::Write;
use std::path::Path;

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
            .with_help("end the file name in .csv, .json, .ndjson, .md or .txt"))
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
