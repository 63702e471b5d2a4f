//! The library's modules depend on each other in one direction: text → AST →
//! plan → a backend → rendered output. This test reads `use crate::…` paths
//! in src/ and fails when a rule of docs/design.md is broken.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// Top-level module → the top-level modules it names with `crate::`.
fn dependencies() -> BTreeMap<String, BTreeSet<String>> {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut deps: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    let mut stack = vec![src.clone()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                if path != src.join("bin") {
                    stack.push(path);
                }
                continue;
            }
            if path.extension().is_none_or(|e| e != "rs") {
                continue;
            }
            let rel = path.strip_prefix(&src).unwrap();
            let first = rel.components().next().unwrap().as_os_str();
            let module = first.to_string_lossy().trim_end_matches(".rs").to_string();
            if module == "lib" {
                continue;
            }
            let text = std::fs::read_to_string(&path).unwrap();
            assert!(
                !text.contains("use crate::{"),
                "{}: name each module in its own `use crate::module` line, so this test sees it",
                rel.display()
            );
            let mine = deps.entry(module.clone()).or_default();
            for (i, _) in text.match_indices("crate::") {
                let name: String = text[i + 7..]
                    .chars()
                    .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                    .collect();
                let is_module = src.join(format!("{name}.rs")).exists() || src.join(&name).is_dir();
                if is_module && name != module {
                    mine.insert(name);
                }
            }
        }
    }
    deps
}

#[test]
fn the_checker_does_not_know_the_native_backend() {
    let deps = dependencies();
    assert!(
        deps["check"].contains("plan"),
        "the scan sees imports: {deps:?}"
    );
    assert!(!deps["check"].contains("exec"), "{:?}", deps["check"]);
}

#[test]
fn plan_and_exec_do_not_know_the_syntax() {
    let deps = dependencies();
    for m in ["plan", "exec"] {
        assert!(!deps[m].contains("syntax"), "{m}: {:?}", deps[m]);
        assert!(!deps[m].contains("check"), "{m}: {:?}", deps[m]);
        assert!(!deps[m].contains("engine"), "{m}: {:?}", deps[m]);
    }
    assert!(!deps["plan"].contains("exec"), "{:?}", deps["plan"]);
}

#[test]
fn no_two_modules_import_each_other() {
    let deps = dependencies();
    for (a, uses) in &deps {
        for b in uses {
            if let Some(back) = deps.get(b) {
                assert!(!back.contains(a), "`{a}` and `{b}` import each other");
            }
        }
    }
}
