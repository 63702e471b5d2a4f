//! The folders itq text may use, under attack: a second actor swapping
//! symlinks inside the granted folder while `load` and `save` run, special
//! files, empty paths, and the temporary files a killed `save` leaves.

use itq::{Engine, Output, Source};
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

fn engine_in(dir: &Path) -> Engine {
    let mut e = Engine::new().unwrap();
    e.allow_folder(dir).unwrap();
    e
}

/// Runs `text` as a script in `dir`, returning the CSV of its last table.
fn run(e: &mut Engine, dir: &Path, text: &str) -> Result<String, itq::Error> {
    let source = Source::file(&dir.join("test.itq"), text);
    let mut last = String::new();
    e.run(&source, |out| {
        if let Output::Table(t) = out {
            last = itq::render(&t, itq::Format::Csv);
        }
    })?;
    Ok(last)
}

/// Keeps replacing the symlink `link` (atomically, by rename) so that it
/// points at `a`, then `b`, then `a`..., until `stop`.
fn swapper(link: &Path, a: &Path, b: &Path, stop: Arc<AtomicBool>) -> std::thread::JoinHandle<()> {
    let (link, a, b) = (link.to_path_buf(), a.to_path_buf(), b.to_path_buf());
    std::thread::spawn(move || {
        let tmp = link.with_extension("swap");
        let mut flip = false;
        while !stop.load(Ordering::Relaxed) {
            let _ = std::fs::remove_file(&tmp);
            std::os::unix::fs::symlink(if flip { &a } else { &b }, &tmp).unwrap();
            std::fs::rename(&tmp, &link).unwrap();
            flip = !flip;
        }
    })
}

#[test]
fn a_symlink_swapped_while_loading_never_reads_the_outside_file() {
    let sb = tempfile::tempdir().unwrap();
    let allowed = sb.path().join("allowed");
    std::fs::create_dir(&allowed).unwrap();
    std::fs::write(allowed.join("inside.csv"), "a\nINSIDE\n").unwrap();
    std::fs::write(sb.path().join("secret.csv"), "a\nTOP-SECRET\n").unwrap();
    let link = allowed.join("flip.csv");
    std::os::unix::fs::symlink(allowed.join("inside.csv"), &link).unwrap();
    let stop = Arc::new(AtomicBool::new(false));
    let swap = swapper(
        &link,
        &allowed.join("inside.csv"),
        &sb.path().join("secret.csv"),
        Arc::clone(&stop),
    );
    let mut e = engine_in(&allowed);
    let (mut inside, mut refused) = (0, 0);
    let start = Instant::now();
    while inside + refused < 200 && start.elapsed() < Duration::from_secs(3) {
        match run(&mut e, &allowed, "load \"flip.csv\" as f\nf") {
            Ok(csv) => {
                assert!(!csv.contains("TOP-SECRET"), "read the outside file: {csv}");
                assert_eq!(csv, "a\nINSIDE\n");
                inside += 1;
            }
            Err(err) => {
                let text = err.render();
                assert!(
                    text.contains("is outside the folders itq may use")
                        || text.contains("changed while itq opened it")
                        || text.contains("cannot read `flip.csv`"),
                    "{text}"
                );
                refused += 1;
            }
        }
    }
    stop.store(true, Ordering::Relaxed);
    swap.join().unwrap();
    assert!(inside + refused > 0);
}

#[test]
fn a_folder_symlink_swapped_while_saving_never_writes_outside() {
    let sb = tempfile::tempdir().unwrap();
    let allowed = sb.path().join("allowed");
    let sub = allowed.join("sub");
    let outside = sb.path().join("outside");
    std::fs::create_dir_all(&sub).unwrap();
    std::fs::create_dir(&outside).unwrap();
    let link = allowed.join("flipdir");
    std::os::unix::fs::symlink(&sub, &link).unwrap();
    let stop = Arc::new(AtomicBool::new(false));
    let swap = swapper(&link, &sub, &outside, Arc::clone(&stop));
    let mut e = engine_in(&allowed);
    let (mut saved, mut tries) = (0, 0);
    let start = Instant::now();
    while tries < 200 && start.elapsed() < Duration::from_secs(3) {
        tries += 1;
        match run(
            &mut e,
            &allowed,
            "save provinces limit 2 to \"flipdir/race_out.csv\" replace",
        ) {
            Ok(_) => saved += 1,
            Err(err) => {
                let text = err.render();
                assert!(
                    text.contains("is outside the folders itq may use")
                        || text.contains("changed while itq opened it"),
                    "{text}"
                );
            }
        }
    }
    stop.store(true, Ordering::Relaxed);
    swap.join().unwrap();
    let escaped: Vec<_> = std::fs::read_dir(&outside).unwrap().collect();
    assert!(
        escaped.is_empty(),
        "files were created outside: {escaped:?}"
    );
    assert!(saved > 0, "no save succeeded while the link pointed inside");
    // No temporary file is left behind by the refused saves either.
    let left: Vec<String> = std::fs::read_dir(&sub)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".tmp"))
        .collect();
    assert!(left.is_empty(), "{left:?}");
}

#[test]
fn a_fifo_is_refused_without_waiting_for_a_writer() {
    let dir = tempfile::tempdir().unwrap();
    let fifo = dir.path().join("pipe.csv");
    let status = std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .expect("mkfifo runs");
    assert!(status.success());
    let mut e = engine_in(dir.path());
    let start = Instant::now();
    let err = run(&mut e, dir.path(), "load \"pipe.csv\"").unwrap_err();
    assert!(start.elapsed() < Duration::from_secs(5));
    assert_eq!(
        err.render(),
        format!(
            "error: cannot read `pipe.csv`: it is a FIFO (named pipe), not a regular file\n \
             --> {}:1:6\n  |\n1 | load \"pipe.csv\"\n  |      ^^^^^^^^^^\n  \
             = help: itq reads data files; save the data to a file first\n",
            dir.path().join("test.itq").display()
        )
    );
    // The host's own loads refuse it too.
    let err = e
        .load_file("p", &fifo, &Default::default())
        .unwrap_err()
        .render();
    assert!(err.contains("it is a FIFO (named pipe)"), "{err}");
    let err = run(&mut e, dir.path(), "load \"/dev/null\"");
    assert!(err.is_err());
}

#[test]
fn an_empty_path_says_it_is_empty() {
    let dir = tempfile::tempdir().unwrap();
    let mut e = engine_in(dir.path());
    let err = run(&mut e, dir.path(), "save provinces to \"\"")
        .unwrap_err()
        .render();
    assert!(err.starts_with("error: the file path is empty\n"), "{err}");
    assert!(
        err.contains("= help: name the file to write, such as save NAME to \"out.csv\""),
        "{err}"
    );
    let err = run(&mut e, dir.path(), "load \"\"").unwrap_err().render();
    assert!(err.starts_with("error: the file path is empty\n"), "{err}");
}

/// A process id that runs nothing now.
fn dead_pid() -> u32 {
    (100_000..4_000_000)
        .step_by(7919)
        .find(|p| !Path::new(&format!("/proc/{p}")).exists())
        .expect("a free process id")
}

#[test]
fn a_save_removes_the_temporary_files_of_killed_saves() {
    let dir = tempfile::tempdir().unwrap();
    let stale = format!(".itq-save-{}-0badf00d.tmp", dead_pid());
    let mine = format!(".itq-save-{}-0000beef.tmp", std::process::id());
    let other = ".itq-notes.tmp";
    for name in [&stale, &mine, &other.to_string()] {
        std::fs::write(dir.path().join(name), "half a file").unwrap();
    }
    let mut e = engine_in(dir.path());
    run(&mut e, dir.path(), "save provinces to \"p.csv\"").unwrap();
    assert!(dir.path().join("p.csv").exists());
    assert!(!dir.path().join(&stale).exists(), "the stale file stays");
    // A running process's file (this one's), and files not of this naming, stay.
    assert!(dir.path().join(&mine).exists());
    assert!(dir.path().join(other).exists());
}

#[test]
fn a_killed_save_leaves_a_file_the_next_save_removes() {
    let dir = tempfile::tempdir().unwrap();
    // A save that stops halfway: its process is killed while it writes
    // (as soon as its temporary file appears).
    let itq = env!("CARGO_BIN_EXE_itq");
    let made = std::process::Command::new(itq)
        .current_dir(dir.path())
        .args(["generate", "projects", "--rows", "200000", "--out", "p.csv"])
        .output()
        .unwrap();
    assert!(made.status.success(), "{made:?}");
    let mut child = std::process::Command::new(itq)
        .current_dir(dir.path())
        .args(["-c", "load \"p.csv\" as p", "-c", "save p to \"out.csv\""])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let temporaries = |dir: &Path| -> Vec<String> {
        std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|n| n.starts_with(".itq-save-"))
            .collect()
    };
    let start = Instant::now();
    while temporaries(dir.path()).is_empty()
        && start.elapsed() < Duration::from_secs(60)
        && child.try_wait().unwrap().is_none()
    {
        std::thread::sleep(Duration::from_millis(1));
    }
    let _ = child.kill();
    let _ = child.wait();
    if temporaries(dir.path()).is_empty() {
        // It finished before it could be killed: nothing to clean.
        eprintln!("the save finished before it was killed");
        assert!(dir.path().join("out.csv").exists());
        return;
    }
    assert!(!dir.path().join("out.csv").exists(), "half a target");
    let mut e = engine_in(dir.path());
    run(&mut e, dir.path(), "save provinces to \"q.csv\"").unwrap();
    assert_eq!(temporaries(dir.path()), Vec::<String>::new());
}
