//! The prompt end to end: the real binary in a pseudo-terminal, driven by
//! keystrokes. Every wait is generous and nothing asserts a time, since CI
//! machines are slow; each session keeps its history in its own temp file.

use rexpect::reader::Options;
use rexpect::session::{spawn_with_options, PtySession};
use std::path::{Path, PathBuf};
use std::process::Command;

/// How long any one expected text may take to appear.
const TIMEOUT_MS: u64 = 120_000;

/// Waits for a fresh prompt: `itq> ` at the start of a new line. (Redrawing
/// the line being typed writes the prompt too, after a carriage return only.)
/// Keys sent before it appears may be lost, as a line editor drops what it
/// read past the end of the previous entry.
#[track_caller]
fn prompt(p: &mut PtySession) {
    p.exp_regex(r"\n(\r|\x1b\[[0-9;?]*[A-Za-z])*itq> ")
        .expect("a fresh prompt");
}

/// A history file of its own for one test, in a fresh temp folder.
fn history_file(test: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("itq-repl-{test}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir.join("history")
}

/// Starts `itq` at its prompt, with escape codes stripped from what is read
/// unless `raw`.
fn start(history: &Path, no_color: bool, raw: bool) -> PtySession {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_itq"));
    // Each session stands in its own temp folder (where its history is).
    if let Some(dir) = history.parent() {
        cmd.current_dir(dir);
    }
    cmd.env("ITQ_HISTORY", history)
        .env("TERM", "xterm-256color")
        .env_remove("NO_COLOR");
    if no_color {
        cmd.env("NO_COLOR", "1");
    }
    let options = Options::new()
        .timeout_ms(Some(TIMEOUT_MS))
        .strip_ansi_escape_codes(!raw);
    let mut p = spawn_with_options(cmd, options).expect("itq starts in a pty");
    // rexpect reads bytes one by one as characters, so only ASCII is expected.
    p.exp_string(&format!("itq {} ", env!("CARGO_PKG_VERSION")))
        .expect("the welcome line names the version");
    p.exp_regex(r"\d+ cited relations, [\d,]+ facts, [\d,]+ quotes from \d+ sources; \d+ views; type \.help")
        .expect("the welcome line counts what is loaded");
    prompt(&mut p);
    p
}

/// Types `text` and presses Enter (a carriage return, as a terminal sends).
fn enter(p: &mut PtySession, text: &str) {
    p.send(&format!("{text}\r")).unwrap();
    p.flush().unwrap();
}

fn quit(mut p: PtySession) {
    enter(&mut p, ".quit");
    p.exp_eof().expect("itq leaves on .quit");
}

#[test]
fn tab_completes_a_relation_a_column_and_a_string_value() {
    let mut p = start(&history_file("tab"), true, false);
    p.send("relo\t").unwrap();
    p.flush().unwrap();
    p.exp_string("relocations")
        .expect("the relation is completed");
    enter(&mut p, " count");
    p.exp_string("25").expect("the completed query runs");
    prompt(&mut p);

    p.send("events where prov\t").unwrap();
    p.flush().unwrap();
    p.exp_string("province").expect("the column is completed");
    p.send(" = \"Gan\t").unwrap();
    p.flush().unwrap();
    p.exp_string("\"Gansu\"").expect("the value is completed");
    enter(&mut p, " select projects");
    p.exp_string("195").expect("the completed query runs");
    prompt(&mut p);
    quit(p);
}

#[test]
fn an_attached_database_completes_and_answers_at_the_prompt() {
    let history = history_file("attach");
    let file = history.parent().unwrap().join("reg.sqlite");
    rusqlite::Connection::open(&file)
        .unwrap()
        .execute_batch(
            "CREATE TABLE firms (name TEXT, province TEXT, investment REAL);
             INSERT INTO firms VALUES ('A', 'Gansu', 12.5), ('B', 'Anhui', 40.25);",
        )
        .unwrap();
    let mut p = start(&history, true, false);
    enter(&mut p, "attach \"reg.sqlite\" as reg");
    p.exp_string("1 table: reg.firms")
        .expect("attach says what it found");
    prompt(&mut p);
    p.send("reg.fi\t").unwrap();
    p.flush().unwrap();
    p.exp_string("reg.firms").expect("the table is completed");
    p.send(" where inv\t").unwrap();
    p.flush().unwrap();
    p.exp_string("investment").expect("its column is completed");
    enter(&mut p, " > 20 select name");
    p.exp_string("1 row")
        .expect("the query runs in the database");
    prompt(&mut p);
    enter(
        &mut p,
        ".explain reg.firms join provinces on province = name where investment > 20 count",
    );
    p.exp_string("WHERE investment > 20")
        .expect("the filter runs there");
    p.exp_string("then here, on the native engine").unwrap();
    prompt(&mut p);
    quit(p);
}

#[test]
fn an_unfinished_query_continues_on_the_next_line_and_runs() {
    let mut p = start(&history_file("multiline"), true, false);
    enter(&mut p, "events where");
    p.exp_string("...> ").expect("a continuation prompt");
    enter(&mut p, "province = \"Gansu\" select");
    p.exp_string("...> ").expect("a second continuation prompt");
    enter(&mut p, "projects");
    p.exp_string("195")
        .expect("the three lines run as one query");
    p.exp_string("1 row").unwrap();
    prompt(&mut p);
    quit(p);
}

#[test]
fn up_recalls_the_previous_entry_after_a_restart() {
    let history = history_file("history");
    let mut p = start(&history, true, false);
    enter(&mut p, "relocations count");
    p.exp_string("25").unwrap();
    prompt(&mut p);
    // A multi-line entry, and the single-line one again (kept once).
    enter(&mut p, "relocations where");
    p.exp_string("...> ").unwrap();
    enter(&mut p, "true count");
    p.exp_string("25").unwrap();
    prompt(&mut p);
    enter(&mut p, "relocations count");
    p.exp_string("25").unwrap();
    prompt(&mut p);
    // Ctrl-D leaves too (and, unlike `.quit`, is not an entry of its own).
    p.send_control('d').unwrap();
    p.exp_eof().expect("itq leaves on Ctrl-D");
    let saved = std::fs::read_to_string(&history).expect("history was saved");
    assert_eq!(saved.matches("relocations count").count(), 1, "{saved}");

    let mut p = start(&history, true, false);
    p.send("\x1b[A").unwrap(); // Up
    p.flush().unwrap();
    p.exp_string("relocations count")
        .expect("Up shows the last entry of the last session");
    p.send("\x1b[A").unwrap(); // Up again: the multi-line entry, whole
    p.flush().unwrap();
    p.exp_string("relocations where").unwrap();
    p.exp_string("...> true count")
        .expect("a multi-line entry comes back as one");
    enter(&mut p, "");
    p.exp_string("25").expect("the recalled entry runs");
    prompt(&mut p);
    // Ctrl-R searches history.
    p.send_control('r').unwrap();
    p.send("reloc").unwrap();
    p.flush().unwrap();
    p.exp_string("reverse-i-search").unwrap();
    p.exp_string("relocations").expect("a match from history");
    enter(&mut p, "");
    p.exp_string("25").expect("the found entry runs");
    prompt(&mut p);
    quit(p);
}

#[test]
fn a_bad_query_prints_an_error_and_the_next_one_runs() {
    let mut p = start(&history_file("error"), true, false);
    enter(&mut p, "projets count");
    p.exp_string("unknown relation `projets`").unwrap();
    p.exp_string("did you mean `projects`?").unwrap();
    prompt(&mut p);
    enter(&mut p, ".tabels");
    p.exp_string("did you mean `.tables`?").unwrap();
    prompt(&mut p);
    enter(&mut p, "projects count");
    p.exp_string("11").expect("the session goes on");
    prompt(&mut p);
    quit(p);
}

#[test]
fn ctrl_c_cancels_a_long_query_and_the_prompt_comes_back() {
    let history = history_file("cancel");
    // 98 sorts of the big relation (a query may have 100 clauses): minutes of
    // work in a debug build, and seconds even in an optimised one. It is read
    // from a file, as typing a long line redraws it at every key.
    let script = history.with_file_name("long.itq");
    let sorts = " sort name, p_name desc sort p_name, name desc".repeat(49);
    // (It ends with a sort, not an aggregate an optimiser might see through.)
    std::fs::write(&script, format!("big{sorts}\n")).unwrap();
    let mut p = start(&history, true, false);
    // 923,521 rows (31 to the 4th) with text columns to sort by.
    enter(
        &mut p,
        "let p = provinces derive 1 as k select k, name; let p2 = p join p on k; let big = p2 join p2 on k",
    );
    prompt(&mut p);
    enter(&mut p, &format!(".read {}", script.display()));
    p.exp_regex(r"long\.itq\r*\n")
        .expect("the entry is accepted and the query starts");
    // Give the line editor ample time to hand the terminal back (the query
    // runs for minutes); then Ctrl-C.
    std::thread::sleep(std::time::Duration::from_secs(2));
    p.send_control('c').unwrap();
    p.exp_string("query cancelled")
        .expect("Ctrl-C cancels the running query");
    prompt(&mut p);
    enter(&mut p, "provinces count");
    p.exp_string("31").expect("the next query runs");
    prompt(&mut p);
    quit(p);
}

#[test]
fn input_is_coloured_unless_no_color_is_set() {
    let mut p = start(&history_file("colour"), false, true);
    p.send("events where").unwrap();
    p.flush().unwrap();
    p.exp_string("\x1b[1;34mwhere")
        .expect("the keyword is coloured");
    enter(&mut p, " value > 280 select projects");
    p.exp_string("195").unwrap();
    prompt(&mut p);
    // History suggests the rest of a matching entry, dimmed.
    p.send("events w").unwrap();
    p.flush().unwrap();
    p.exp_string("\x1b[2mhere value > 280 select projects")
        .expect("a hint from history");
    // Ctrl-C at the line editor clears the line and keeps the session.
    p.send_control('c').unwrap();
    prompt(&mut p);
    enter(&mut p, "provinces count");
    p.exp_string("31").unwrap();
    prompt(&mut p);
    quit(p);

    let mut p = start(&history_file("no-colour"), true, true);
    p.send("events where").unwrap();
    p.flush().unwrap();
    enter(&mut p, " value > 280 select projects");
    let shown = p.exp_string("195").unwrap();
    assert!(!shown.contains("\x1b[1;34m"), "{shown:?}");
    prompt(&mut p);
    quit(p);
}

#[test]
fn meta_commands_change_the_output_and_answer_questions() {
    let history = history_file("meta");
    let script = history.with_file_name("count.itq");
    std::fs::write(&script, "relocations count\n").unwrap();
    let mut p = start(&history, true, false);
    enter(&mut p, ".help");
    p.exp_string(".schema REL").unwrap();
    prompt(&mut p);
    enter(&mut p, ".sch projects");
    p.exp_regex("investment +decimal").unwrap();
    prompt(&mut p);
    enter(&mut p, ".format csv");
    prompt(&mut p);
    enter(&mut p, "provinces count");
    p.exp_string("count\r\n31\r").expect("CSV output");
    prompt(&mut p);
    enter(&mut p, ".format table");
    prompt(&mut p);
    enter(&mut p, ".maxrows 2");
    prompt(&mut p);
    enter(&mut p, "provinces select name");
    p.exp_string("31 rows (29 not shown)").unwrap();
    prompt(&mut p);
    enter(&mut p, ".sources");
    p.exp_string("publisher").unwrap();
    prompt(&mut p);
    enter(&mut p, &format!(".read {}", script.display()));
    p.exp_string("25").expect("the file's query runs");
    prompt(&mut p);
    enter(&mut p, "matchmaking sum value by province chart");
    p.exp_string("sum_value by province").unwrap();
    p.exp_string(" 396.6\r")
        .expect("the largest value beside its bar");
    prompt(&mut p);
    quit(p);
}

#[test]
fn why_expands_an_aggregate_row_into_its_facts_and_cite_on_adds_sources() {
    let mut p = start(&history_file("why"), true, false);
    enter(&mut p, "events_with_region sum value by region");
    p.exp_string("696.6").expect("the aggregate runs");
    p.exp_string("west: sum_value is more than 696.6")
        .expect("a note says the sum is a lower bound");
    prompt(&mut p);
    // CSV keeps each fact row on one line of the narrow terminal.
    enter(&mut p, ".format csv");
    prompt(&mut p);
    enter(&mut p, ".why 1");
    p.exp_string("events,China Industrial Transfer and Development Matchmaking Activities (Gansu),\"more than 300 billion yuan, expected\"")
        .expect("the Gansu event is behind the west row, with its hedged figure");
    p.exp_string("agreements valued at more than 300 billion yuan")
        .expect("with the sentence that states it");
    prompt(&mut p);
    enter(&mut p, ".why 9");
    p.exp_string("there is no row 9")
        .expect("a row past the end is refused");
    prompt(&mut p);
    // A query that failed left no result: `.why` says so rather than
    // running the failed query again.
    enter(&mut p, "events pivot status in (signed) sum value");
    p.exp_string("write its values in quotes")
        .expect("the query fails");
    prompt(&mut p);
    enter(&mut p, ".why 1");
    p.exp_string("no query has run, or the last one failed")
        .expect("no result to explain");
    prompt(&mut p);
    enter(&mut p, ".cite on");
    prompt(&mut p);
    enter(&mut p, "matchmaking count by status");
    p.exp_string("signed,2,yunnan-2023; gansu-2024")
        .expect("every result is cited");
    prompt(&mut p);
    quit(p);
}

#[test]
fn a_gb18030_yearbook_from_another_folder_loads_at_the_prompt_and_round_trips_through_parquet() {
    let history = history_file("yearbook");
    // The data sits in a folder of its own, not where itq was started.
    let data = history.parent().unwrap().join("elsewhere").join("data");
    std::fs::create_dir_all(&data).unwrap();
    let yearbook = "2023年各地区工业投资情况,,\n省份,年份,签约金额\n,,(亿元)\n甘肃省,2023,\"1,234.5\"\n云南省,2023,396.6\n合计,2023,\"1,631.1\"\n注：数据来源于统计年鉴。\n";
    let (gb, _, _) = encoding_rs::GB18030.encode(yearbook);
    std::fs::write(data.join("invest.csv"), &gb).unwrap();
    let csv = data.join("invest.csv").display().to_string();
    let parquet = data.join("invest.parquet").display().to_string();
    let mut p = start(&history, true, false);
    enter(&mut p, &format!("load \"{csv}\" as t skip 1 header 2"));
    p.exp_string("loaded t: 3 rows, 3 columns").unwrap();
    p.exp_string("it was read as GB18030")
        .expect("the encoding is found and said");
    p.exp_string("looks like a total")
        .expect("the total row is flagged");
    prompt(&mut p);
    enter(
        &mut p,
        "t where 年份 = 2023 and `签约金额(亿元)` < 1500 sum `签约金额(亿元)`",
    );
    p.exp_string("1631.1")
        .expect("the thousands separator was read");
    prompt(&mut p);
    enter(&mut p, &format!("save t to \"{parquet}\""));
    prompt(&mut p);
    enter(&mut p, &format!("load \"{parquet}\" as q"));
    p.exp_string("loaded q: 3 rows, 3 columns").unwrap();
    prompt(&mut p);
    enter(
        &mut p,
        "q where 年份 = 2023 and `签约金额(亿元)` < 1500 sum `签约金额(亿元)`",
    );
    p.exp_string("1631.1")
        .expect("the Parquet copy gives the same answer");
    prompt(&mut p);
    quit(p);
}
