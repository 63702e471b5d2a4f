//! Every script in examples/ runs on the built-in fact base; its whole output is snapshot-tested.

use itq::{render, Engine, Format, Output, Source};

fn run_example(name: &str) -> String {
    let path = format!("{}/examples/{name}.itq", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&path).unwrap();
    let mut engine = Engine::new().unwrap();
    engine
        .allow_folder(format!("{}/examples", env!("CARGO_MANIFEST_DIR")))
        .unwrap();
    let mut out = String::new();
    let mut source = Source::file(std::path::Path::new(&path), text);
    // Messages name the script as a user in the project folder would see it.
    std::sync::Arc::make_mut(&mut source).name = format!("examples/{name}.itq");
    engine
        .run(&source, |o| {
            if let Output::Table(t) = o {
                out.push_str(&render(&t, Format::Table));
                out.push('\n');
            }
        })
        .unwrap_or_else(|e| panic!("{}", e.render()));
    out
}

#[test]
fn every_example_has_a_test() {
    let mut names: Vec<String> =
        std::fs::read_dir(format!("{}/examples", env!("CARGO_MANIFEST_DIR")))
            .unwrap()
            .filter_map(|e| e.ok()?.file_name().into_string().ok())
            .filter_map(|n| n.strip_suffix(".itq").map(str::to_string))
            .collect();
    names.sort();
    assert_eq!(
        names,
        [
            "growth",
            "investment_by_region",
            "own_data",
            "regional_shares",
            "top_events",
            "top_sectors",
            "tour",
            "what_moved_where"
        ]
    );
}

#[test]
fn growth() {
    insta::assert_snapshot!(run_example("growth"));
}

#[test]
fn regional_shares() {
    insta::assert_snapshot!(run_example("regional_shares"));
}

#[test]
fn top_sectors() {
    insta::assert_snapshot!(run_example("top_sectors"));
}

#[test]
fn tour() {
    insta::assert_snapshot!(run_example("tour"));
}

#[test]
fn top_events() {
    insta::assert_snapshot!(run_example("top_events"));
}

#[test]
fn investment_by_region() {
    insta::assert_snapshot!(run_example("investment_by_region"));
}

#[test]
fn what_moved_where() {
    insta::assert_snapshot!(run_example("what_moved_where"));
}

#[test]
fn own_data() {
    insta::assert_snapshot!(run_example("own_data"));
}
