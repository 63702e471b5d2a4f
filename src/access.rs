//! Which files itq text may read and write: the folders a host grants
//! ([`Folders`]), how a path written in a `load` or `save` is resolved
//! against them, and opening so that the check and the open are one step.
//!
//! Checking a path and then opening it by name is a race: between the two,
//! someone who may create symlinks inside a granted folder can point the name
//! outside. So a file is opened first and the *opened* file is checked: its
//! real path must lie in a granted folder and name the very file (same device
//! and inode) that was opened. A file to be saved is created through an open
//! handle on its folder, checked the same way, and renamed into place through
//! that handle, so a name swapped after the check reaches nothing outside.

use crate::error::{Error, ErrorKind, Result};
use crate::source::{Source, Span};
use std::fs::File;
use std::path::{Path, PathBuf};

/// The folders (canonical paths) whose files itq text may use; none by default.
#[derive(Debug, Clone, Default)]
pub struct Folders {
    roots: Vec<PathBuf>,
}

/// An open folder, checked to be inside a granted one when it was opened;
/// files are created and renamed relative to this handle.
#[derive(Debug)]
pub struct Folder {
    handle: File,
    /// The folder's path, for messages.
    pub(crate) path: PathBuf,
}

impl Folder {
    /// Opens the folder at `path`, with no check against granted folders (a
    /// host's own path, such as `--output`).
    pub fn open(path: &Path) -> std::io::Result<Folder> {
        Ok(Folder {
            handle: open_folder(path)?,
            path: path.to_path_buf(),
        })
    }

    /// The handle, for calls relative to the folder.
    pub(crate) fn handle(&self) -> &File {
        &self.handle
    }
}

impl Folders {
    /// Grants `dir` and its subfolders.
    pub fn allow(&mut self, dir: &Path) -> Result<()> {
        let canonical = dir.canonicalize().map_err(|e| {
            Error::new(ErrorKind::Io {
                path: dir.display().to_string(),
                message: e.to_string(),
            })
        })?;
        if !self.roots.contains(&canonical) {
            self.roots.push(canonical);
        }
        Ok(())
    }

    /// The file a `load` or `save` names, resolved against the script's
    /// folder, with the errors a person can act on: no folder granted at all,
    /// an empty path, a missing folder, a path outside the granted folders.
    /// The result is only a name: open it with [`Folders::open_read`] or
    /// [`Folders::open_folder_of`], which check again what they opened.
    pub(crate) fn resolve(
        &self,
        written: &str,
        span: Span,
        source: &Source,
        writing: bool,
    ) -> Result<PathBuf> {
        if written.is_empty() {
            return Err(
                Error::at(ErrorKind::Invalid("the file path is empty".into()), span).with_help(
                    if writing {
                        "name the file to write, such as save NAME to \"out.csv\""
                    } else {
                        "name the file to read, such as load \"data.csv\""
                    },
                ),
            );
        }
        let path = Path::new(written);
        let full = if path.is_absolute() {
            path.to_path_buf()
        } else {
            match &source.dir {
                Some(dir) => dir.join(path),
                None => path.to_path_buf(),
            }
        };
        if self.roots.is_empty() {
            return Err(Error::at(
                ErrorKind::Invalid("this engine may not read or write files".into()),
                span,
            )
            .with_help("a host program grants a folder with Engine::allow_folder"));
        }
        let absolute = std::path::absolute(&full).unwrap_or(full.clone());
        let canonical = match absolute.canonicalize() {
            Ok(c) => c,
            // A file not there yet (to save, or missing): check its folder.
            Err(_) => match (absolute.parent(), absolute.file_name()) {
                (Some(parent), Some(file)) => match parent.canonicalize() {
                    Ok(p) => p.join(file),
                    Err(_) => {
                        let path = written.to_string();
                        let message = format!("the folder `{}` does not exist", parent.display());
                        let kind = if writing {
                            ErrorKind::Write { path, message }
                        } else {
                            ErrorKind::Io { path, message }
                        };
                        return Err(Error::at(kind, span).with_help(if source.dir.is_some() {
                            "a relative path starts from the script's own folder"
                        } else {
                            "a relative path starts from the current folder"
                        }));
                    }
                },
                _ => absolute.clone(),
            },
        };
        if !self.contains(&canonical) {
            return Err(self.outside(written, span, writing));
        }
        Ok(full)
    }

    /// Opens `full` (from [`Folders::resolve`]) for reading and checks the
    /// opened file: it must be the file at a real path inside a granted
    /// folder. A FIFO or device is opened without waiting for a writer, and
    /// the loader refuses it.
    pub(crate) fn open_read(&self, full: &Path, written: &str, span: Span) -> Result<File> {
        let file = open_nonblocking(full).map_err(|e| open_error(written, &e))?;
        self.verify(&file, full, written, span, false)?;
        Ok(file)
    }

    /// Opens the folder a file saved at `full` goes in, checked as
    /// [`Folders::open_read`] checks a file, and the file's name in it.
    pub(crate) fn open_folder_of(
        &self,
        full: &Path,
        written: &str,
        span: Span,
    ) -> Result<(Folder, std::ffi::OsString)> {
        let (dir, name) = split(full).ok_or_else(|| {
            Error::at(
                ErrorKind::Write {
                    path: written.to_string(),
                    message: "it names no file".into(),
                },
                span,
            )
            .with_help("end the path in a file name, such as out.csv")
        })?;
        let folder = Folder::open(&dir).map_err(|e| {
            Error::at(
                ErrorKind::Write {
                    path: written.to_string(),
                    message: format!("cannot open the folder `{}`: {e}", dir.display()),
                },
                span,
            )
        })?;
        self.verify(&folder.handle, &dir, written, span, true)?;
        Ok((folder, name))
    }

    fn contains(&self, canonical: &Path) -> bool {
        self.roots.iter().any(|r| canonical.starts_with(r))
    }

    /// Checks that `opened` is the file or folder whose real path is `path`'s
    /// and that this real path is inside a granted folder.
    fn verify(
        &self,
        opened: &File,
        path: &Path,
        written: &str,
        span: Span,
        writing: bool,
    ) -> Result<()> {
        let canonical = path
            .canonicalize()
            .map_err(|_| self.changed(written, span))?;
        if !self.contains(&canonical) {
            return Err(self.outside(written, span, writing));
        }
        let same = match (opened.metadata(), std::fs::metadata(&canonical)) {
            (Ok(a), Ok(b)) => same_file(&a, &b),
            _ => false,
        };
        if !same {
            return Err(self.changed(written, span));
        }
        Ok(())
    }

    fn changed(&self, written: &str, span: Span) -> Error {
        Error::at(
            ErrorKind::Invalid(format!(
                "`{written}` changed while itq opened it (a link in its path was replaced)"
            )),
            span,
        )
        .with_help("try again once nothing else is changing the folder")
    }

    fn outside(&self, written: &str, span: Span, writing: bool) -> Error {
        let granted: Vec<String> = self.roots.iter().map(|r| r.display().to_string()).collect();
        Error::at(
            ErrorKind::Invalid(format!("`{written}` is outside the folders itq may use")),
            span,
        )
        .with_help(if writing {
            format!(
                "itq may write files under {}; save there instead, or (at the command line) add the folder with --sandbox DIR",
                granted.join(", ")
            )
        } else {
            format!(
                "itq may use files under {}; copy the file there, add its folder with --sandbox DIR at the command line, or pass the file with --load NAME=PATH",
                granted.join(", ")
            )
        })
    }
}

/// `path`'s folder (`.` for a bare name) and file name.
pub(crate) fn split(path: &Path) -> Option<(PathBuf, std::ffi::OsString)> {
    let name = path.file_name()?.to_os_string();
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => PathBuf::from("."),
    };
    Some((dir, name))
}

/// Opens `path` for reading without waiting: opening a FIFO with no writer
/// returns at once (a regular file reads as usual).
pub(crate) fn open_nonblocking(path: &Path) -> std::io::Result<File> {
    let mut options = std::fs::OpenOptions::new();
    options.read(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.custom_flags(rustix::fs::OFlags::NONBLOCK.bits() as i32);
    }
    options.open(path)
}

fn open_folder(path: &Path) -> std::io::Result<File> {
    let mut options = std::fs::OpenOptions::new();
    options.read(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.custom_flags(rustix::fs::OFlags::DIRECTORY.bits() as i32);
    }
    options.open(path)
}

#[cfg(unix)]
fn same_file(a: &std::fs::Metadata, b: &std::fs::Metadata) -> bool {
    use std::os::unix::fs::MetadataExt;
    a.dev() == b.dev() && a.ino() == b.ino()
}

#[cfg(not(unix))]
fn same_file(a: &std::fs::Metadata, b: &std::fs::Metadata) -> bool {
    a.len() == b.len() && a.modified().ok() == b.modified().ok()
}

/// The error for a file that cannot be opened.
pub(crate) fn open_error(shown: &str, e: &std::io::Error) -> Error {
    let err = Error::new(ErrorKind::Io {
        path: shown.to_string(),
        message: e.to_string(),
    });
    if e.kind() == std::io::ErrorKind::NotFound {
        err.with_help(
            "check the path; a relative path starts from the script's folder (the current folder at the prompt, with -c and with --load)",
        )
    } else {
        err
    }
}
