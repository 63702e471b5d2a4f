//! Issue 13, as a user meets it: an analyst's own files and names reach the
//! fact base. Paths at the command line (any file the user may read, or only
//! the `--sandbox` folders), `province(...)` joins, the note on a join that
//! finds nothing, and money units. Everything runs the real `itq` binary.

mod common;

use common::{itq_in, stderr, stdout};

/// data/x.csv, scripts/r.itq (which loads `../data/x.csv`) and an empty
/// other/ folder to run from.
fn layout() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path();
    for d in ["data", "scripts", "other"] {
        std::fs::create_dir(p.join(d)).unwrap();
    }
    std::fs::write(p.join("data/x.csv"), "a,b\n1,x\n2,y\n").unwrap();
    std::fs::write(
        p.join("scripts/r.itq"),
        "load \"../data/x.csv\" as x\nx count\n",
    )
    .unwrap();
    dir
}

fn count_is_2(out: &std::process::Output) {
    assert!(out.status.success(), "{}", stderr(out));
    assert!(stdout(out).contains("│     2 │"), "{}", stdout(out));
}

#[test]
fn an_absolute_path_and_a_script_relative_path_load_from_any_folder() {
    let dir = layout();
    let abs = dir.path().join("data/x.csv");
    let command = format!("load \"{}\" as x; x count", abs.display());
    for from in [
        dir.path().join("other"),
        dir.path().to_path_buf(),
        "/".into(),
    ] {
        count_is_2(&itq_in(&from, &["-c", &command]));
        let script = dir.path().join("scripts/r.itq");
        count_is_2(&itq_in(&from, &[script.to_str().unwrap()]));
    }
    // A script named by a relative path, from a sibling folder.
    count_is_2(&itq_in(&dir.path().join("other"), &["../scripts/r.itq"]));
    // A save to a sibling folder works too.
    let out = itq_in(
        &dir.path().join("other"),
        &["-c", "save provinces count to \"../data/n.csv\""],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(
        std::fs::read_to_string(dir.path().join("data/n.csv")).unwrap(),
        "count\n31\n"
    );
}

#[test]
fn sandbox_refuses_what_lies_outside_its_folders_clearly() {
    let dir = layout();
    let other = dir.path().join("other");
    let abs = dir.path().join("data/x.csv");
    let out = itq_in(
        &other,
        &[
            "--sandbox",
            ".",
            "-c",
            &format!("load \"{}\" as x; x count", abs.display()),
        ],
    );
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(err.contains("is outside the folders itq may use"), "{err}");
    assert!(err.contains("--sandbox DIR"), "{err}");
    assert!(stdout(&out).is_empty());

    let out = itq_in(&other, &["--sandbox", "../scripts", "../scripts/r.itq"]);
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(
        err.contains("`../data/x.csv` is outside the folders itq may use"),
        "{err}"
    );
    assert!(err.contains("r.itq:1:6"), "{err}");

    // Naming the data folder too lets the script run.
    count_is_2(&itq_in(
        &other,
        &[
            "--sandbox",
            "../scripts",
            "--sandbox",
            "../data",
            "../scripts/r.itq",
        ],
    ));

    // A save outside is refused, and nothing is written.
    let out = itq_in(
        &other,
        &[
            "--sandbox",
            ".",
            "-c",
            "save provinces count to \"../data/n.csv\"",
        ],
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(!dir.path().join("data/n.csv").exists());

    let out = itq_in(&other, &["--sandbox", "missing", "-c", "provinces count"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("--sandbox `missing` is not a folder"));
}
