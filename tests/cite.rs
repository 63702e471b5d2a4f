//! Answers an analyst can cite, as a user sees them: `cite` adds each result
//! row's sources and a legend, `why` expands a row into the fact rows behind
//! it with their quotes, and notes on standard error say where a sum rests on
//! hedged figures and why an answer is empty or null.

mod common;

use common::{itq, itq_in, stderr, stdout};

const BY_REGION: &str = "events join provinces on province = name sum value by region cite";

#[test]
fn a_cited_aggregate_lists_each_groups_sources_and_ends_with_a_legend() {
    let o = itq(&["-c", BY_REGION]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let out = stdout(&o);
    assert!(
        out.contains(
            "│ west      ┆ more than 696.6 (1 bound, 1 exact) ┆ yunnan-2023; gansu-2024; nbs-regions │"
        ),
        "{out}"
    );
    assert!(out.contains(
        "│ northeast ┆                      more than 250 ┆ gansu-2024; nbs-regions              │"
    ));
    assert!(out.contains(
        "│ east      ┆                               null ┆ five-provinces; nbs-regions          │"
    ));
    assert!(out.contains("[1] yunnan-2023 — 澜湄趴 (Lancang-Mekong), republished on the Lincang city news site, 2023-09-11, \"Yunnan pioneers industrial transfer, open-regional development\""));
    assert!(out.contains("[2] gansu-2024 — Global Times (citing Xinhua and Heilongjiang Daily), 2024-10-27, \"Western China ramps up industrial transfers as opportunities unleashed\""));
    assert!(out.contains("[3] nbs-regions — National Bureau of Statistics of China"));
    let notes = stderr(&o);
    assert!(notes.contains("note: west: sum_value is more than 696.6: 1 of its 2 figures is a lower bound (\"more than\"), 1 exact"), "{notes}");
    assert!(notes.contains("note: west: sum_value mixes statuses (1 signed and 1 expected); add `status` to `by` to keep them apart"));
    assert!(notes.contains("note: northeast: sum_value is more than 250: its one figure is a lower bound (\"exceeding\")"));
}

#[test]
fn csv_and_json_carry_the_sources_in_a_column_and_no_legend() {
    let o = itq(&["--format", "csv", "-c", BY_REGION]);
    assert_eq!(
        stdout(&o),
        "region,sum_value,sum_value_qualifier,sources\nwest,696.6,more than,yunnan-2023; gansu-2024; nbs-regions\nnortheast,250.0,more than,gansu-2024; nbs-regions\neast,,,five-provinces; nbs-regions\n"
    );
    let o = itq(&[
        "--format",
        "json",
        "--cite",
        "-c",
        "matchmaking where province = \"Gansu\" select name",
    ]);
    assert!(
        stdout(&o).contains("\"sources\": \"gansu-2024\""),
        "{}",
        stdout(&o)
    );
}

#[test]
fn sources_reach_through_lets_defs_distinct_and_windows() {
    let o = itq(&[
        "--format",
        "csv",
        "-c",
        "let gansu = events where province = \"Gansu\"; gansu select name cite",
        "-c",
        "projects_in(\"Fujian\") select company cite",
        "-c",
        "events distinct province cite",
        "-c",
        "events_with_region derive rank() as r along value desc select name, r top 1 by r asc cite",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let out = stdout(&o);
    assert!(
        out.contains(
            "China Industrial Transfer and Development Matchmaking Activities (Gansu),gansu-2024\n"
        ),
        "{out}"
    );
    assert!(out.contains(",five-provinces\n"), "{out}");
    assert!(out.contains("Gansu,gansu-2024\n"), "{out}");
    assert!(out.contains("Yunnan,yunnan-2023; gansu-2024\n"), "{out}");
    assert!(
        out.contains("(Yunnan),1,yunnan-2023; nbs-regions\n"),
        "{out}"
    );
}

#[test]
fn loaded_rows_cite_the_file_with_compacted_line_numbers() {
    let dir = std::env::temp_dir().join(format!("itq-cite-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(
        dir.join("inv.csv"),
        "province,investment\nGansu,1.5\nYunnan,2\nGansu,3\nGansu,4\nYunnan,1\n",
    )
    .unwrap();
    let o = itq_in(
        &dir,
        &[
            "--format",
            "csv",
            "-c",
            "load \"inv.csv\" as inv; inv sum investment by province cite",
            "-c",
            "inv where investment = 2 cite",
        ],
    );
    assert_eq!(
        stdout(&o),
        "province,sum_investment,sources\nGansu,8.5,\"inv.csv lines 2, 4–5\"\nYunnan,3.0,\"inv.csv lines 3, 6\"\nprovince,investment,sources\nYunnan,2.0,inv.csv line 3\n",
        "{}",
        stderr(&o)
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn why_expands_a_row_into_its_fact_rows_with_their_quotes() {
    let o = itq(&[
        "--format",
        "csv",
        "-c",
        "events join provinces on province = name sum value by region why 2",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(
        stdout(&o),
        "relation,row,figure,source,quote\n\
         events,Heilongjiang industrial transfer and development matchmaking activities,\"exceeding 250 billion yuan, signed\",gansu-2024,\"In September, Northeast China's Heilongjiang Province carried out industrial transfer and development matchmaking activities, resulting in 172 projects signed at the opening ceremony with a total value exceeding 250 billion yuan, according to Heilongjiang Daily.\"\n\
         events,Heilongjiang industrial transfer and development matchmaking activities,\"exceeding 250 billion yuan, signed\",gansu-2024,Many regions have actively responded to the central government's directive this year\n\
         provinces,Heilongjiang,,nbs-regions,\n"
    );
    // A quote is shown with the source it comes from: Yunnan's row in
    // `provinces` cites the region classification, its capital an article.
    let o = itq(&[
        "--format",
        "csv",
        "-c",
        "provinces where name = \"Yunnan\" count why 1",
    ]);
    assert_eq!(
        stdout(&o),
        "relation,row,figure,source,quote\nprovinces,Yunnan,,yunnan-2023,Yunnan’s provincial capital of Kunming\n",
        "{}",
        stderr(&o)
    );
    let o = itq(&["-c", "events count why 3"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("`why 3` asks for row 3, but the result has 1 row"));
}

#[test]
fn the_headline_query_explains_its_null() {
    let o = itq(&[
        "-c",
        r#"projects where province = "Gansu" and sector = "new energy" sum investment"#,
    ]);
    assert!(stdout(&o).contains("│           null │"));
    let notes = stderr(&o);
    assert!(notes.contains("note: no row of `projects` has province = \"Gansu\" (`province` in `projects`: Anhui, Fujian, Sichuan, Yunnan)"), "{notes}");
    assert!(notes.contains(
        "note: `event_sectors` has sector = \"new energy\" in 1 row whose event contains \"Gansu\""
    ));
    let quiet = itq(&[
        "--quiet",
        "-c",
        r#"projects where province = "Gansu" and sector = "new energy" sum investment"#,
    ]);
    assert_eq!(stderr(&quiet), "");
}

#[test]
fn an_empty_result_names_the_condition_that_removed_the_last_rows() {
    let o = itq(&[
        "-c",
        r#"events where province = "Gansu" and projects > 1000"#,
    ]);
    assert!(stderr(&o).contains("note: 1 row of `events` has province = \"Gansu\", but it does not have projects > 1000"), "{}", stderr(&o));
    let o = itq(&["-c", r#"events where province = "gansu" count"#]);
    assert!(
        stderr(&o).contains("did you mean \"Gansu\"? Text compares exactly"),
        "{}",
        stderr(&o)
    );
    let o = itq(&["-c", r#"projects where province = "Yunnan" sum investment"#]);
    assert!(stderr(&o).contains("note: sum_investment is null: investment is null in all 5 rows of `projects` where province = \"Yunnan\""), "{}", stderr(&o));
}

#[test]
fn cite_and_why_end_a_shown_query_and_sql_refuses_them() {
    let o = itq(&["-c", "events cite where value > 1"]);
    assert!(stderr(&o).contains("`cite` must be the last clause of a query"));
    let o = itq(&["-c", "let x = events cite"]);
    assert!(stderr(&o).contains("`let` names rows; it cannot end with `cite`"));
    let o = itq(&["-c", "events join (provinces cite) on province = name"]);
    assert!(stderr(&o).contains("`cite` ends the whole query, not a parenthesised part of it"));
    let o = itq(&["sql", "-c", "events count by province cite"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stderr(&o).contains("`cite` cannot be compiled to DuckDB"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn saved_files_keep_the_sources_and_the_hedge_as_data_with_the_legend_on_stderr() {
    let dir = std::env::temp_dir().join(format!("itq-cite-save-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let o = itq_in(
        &dir,
        &[
            "-c",
            "save events_with_region sum value by region cite to \"by_region.csv\"",
            "-c",
            "save matchmaking where province = \"Gansu\" select name, value cite to \"gansu.json\"",
        ],
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    // Nothing on standard output: the legend is not part of any result.
    assert_eq!(stdout(&o), "");
    assert_eq!(
        std::fs::read_to_string(dir.join("by_region.csv")).unwrap(),
        "region,sum_value,sum_value_qualifier,sources\n\
         west,696.6,more than,yunnan-2023; gansu-2024; nbs-regions\n\
         northeast,250.0,more than,gansu-2024; nbs-regions\n\
         east,,,five-provinces; nbs-regions\n"
    );
    let json = std::fs::read_to_string(dir.join("gansu.json")).unwrap();
    assert!(
        json.contains(
            "\"value\": 300.0,\n    \"value_qualifier\": \"more than\",\n    \"sources\": \"gansu-2024\""
        ),
        "{json}"
    );
    let err = stderr(&o);
    assert!(
        err.contains("saved 3 rows to by_region.csv\n[1] yunnan-2023 — "),
        "{err}"
    );
    assert!(
        err.contains("note: west: sum_value mixes statuses"),
        "{err}"
    );
    // `--cite` cites what `save` writes too, to a workbook and to Parquet,
    // and the files load back with the columns.
    let o = itq_in(
        &dir,
        &[
            "--cite",
            "--format",
            "csv",
            "-c",
            "save events_with_region sum value by region to \"by_region.xlsx\"",
            "-c",
            "save events_with_region sum value by region to \"by_region.parquet\"",
            "-c",
            "load \"by_region.xlsx\" as book; book select region, sum_value_qualifier, sources",
            "-c",
            "load \"by_region.parquet\" as pq; pq where region = \"west\" select sum_value, sources",
        ],
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let out = stdout(&o);
    // The reloaded rows are cited too: they come from the saved file now,
    // and the file's own `sources` column keeps its name.
    assert!(
        out.contains(
            "region,sum_value_qualifier,sources,sources_2\n\
             west,more than,yunnan-2023; gansu-2024; nbs-regions,by_region.xlsx row 2\n"
        ),
        "{out}"
    );
    assert!(
        out.contains(
            "sum_value,sources,sources_2\n696.6,yunnan-2023; gansu-2024; nbs-regions,by_region.parquet row 1\n"
        ),
        "{out}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn csv_and_json_results_print_the_legend_on_stderr() {
    let o = itq(&[
        "--format",
        "csv",
        "--cite",
        "-c",
        "matchmaking where province = \"Gansu\" select name",
    ]);
    assert_eq!(
        stdout(&o),
        "name,sources\nChina Industrial Transfer and Development Matchmaking Activities (Gansu),gansu-2024\n"
    );
    assert!(
        stderr(&o).starts_with("[1] gansu-2024 — Global Times"),
        "{}",
        stderr(&o)
    );
    let o = itq(&[
        "--format",
        "ndjson",
        "-c",
        "events_with_region sum value by region",
    ]);
    assert!(
        stdout(&o).starts_with(
            "{\"region\":\"west\",\"sum_value\":696.6,\"sum_value_qualifier\":\"more than\"}\n"
        ),
        "{}",
        stdout(&o)
    );
}

#[test]
fn sources_reach_through_append_and_unpivot() {
    let o = itq(&[
        "--format",
        "csv",
        "-c",
        "matchmaking where province = \"Gansu\" select name, province append (projects where province = \"Fujian\" select company as name, province) cite",
        "-c",
        "matchmaking where value is not null select name, value, projects unpivot value, projects into what, amount top 2 by amount cite",
        "-c",
        "(matchmaking select province append (projects select province)) count by province top 1 by count cite",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(
        stdout(&o),
        "name,province,sources\n\
         China Industrial Transfer and Development Matchmaking Activities (Gansu),Gansu,gansu-2024\n\
         Cifnews,Fujian,five-provinces\n\
         name,what,amount,sources\n\
         2023 China Industrial Transfer and Development Matchmaking Activities (Yunnan),value,396.6,yunnan-2023\n\
         2023 China Industrial Transfer and Development Matchmaking Activities (Yunnan),projects,382.0,yunnan-2023\n\
         province,count,sources\n\
         Yunnan,7,yunnan-2023; gansu-2024\n"
    );
    // `why` on an appended row lists the one stored row behind it.
    let o = itq(&[
        "--format",
        "csv",
        "-c",
        "events select name, source append (projects select company as name, source) why 9",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(
        stdout(&o).starts_with("relation,row,figure,source,quote\nprojects,"),
        "{}",
        stdout(&o)
    );
}

#[test]
fn events_by_region_points_at_the_view_that_has_the_region() {
    // `events` stores no region (it is the NBS classification's, in
    // `provinces`); the error names the prelude view that joins it.
    let o = itq(&["-c", "events sum value by region cite"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stderr(&o).contains("help: `region` is a column of `events_with_region`, `coastal_provinces`, `projects_with_region` and `provinces`: query one of those instead, or join one to these rows"),
        "{}",
        stderr(&o)
    );
    // Following it gives the done-when answer: sources per region, the
    // legend, the bound in the table and the mixed statuses in a note.
    let o = itq(&["-c", "events_with_region sum value by region cite"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let out = stdout(&o);
    assert!(out.contains("│ west      ┆ more than 696.6 (1 bound, 1 exact) ┆ yunnan-2023; gansu-2024; nbs-regions │"), "{out}");
    assert!(out.contains("[2] gansu-2024 — Global Times"), "{out}");
    let notes = stderr(&o);
    assert!(
        notes.contains("note: west: sum_value mixes statuses (1 signed and 1 expected)"),
        "{notes}"
    );
    assert!(notes.contains("note: west: sum_value is more than 696.6: 1 of its 2 figures is a lower bound (\"more than\"), 1 exact"), "{notes}");
}

#[test]
fn a_loaded_file_with_qualifiers_is_hedged_and_says_when_it_could_not_read_them_all() {
    let dir = std::env::temp_dir().join(format!("itq-cite-hedge-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let mut csv = String::from("g,value,qualifier\n");
    for i in 0..1000 {
        let g = if i % 2 == 0 { "A" } else { "B" };
        let q = if i == 1 { "at least" } else { "" };
        csv.push_str(&format!("{g},{i},{q}\n"));
    }
    std::fs::write(dir.join("h.csv"), csv).unwrap();
    let o = itq_in(
        &dir,
        &[
            "--format",
            "csv",
            "-c",
            "load \"h.csv\" as h; h sum value, min value by g",
        ],
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    // Row 1 ("at least 1") is in B's first range: B's sum is a bound, and
    // so is its min (no exact figure is as small); A has none it could see.
    assert_eq!(
        stdout(&o),
        "g,sum_value,sum_value_qualifier,min_value,min_value_qualifier\n\
         A,249500,,0,\n\
         B,250000,at least,1,at least\n"
    );
    let notes = stderr(&o);
    assert!(notes.contains("note: A: sum_value rests on 244 more rows whose hedges were not read (a group keeps 256 ranges of rows), so it may be a lower bound where no bound is shown"), "{notes}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_row_shows_its_own_bound_and_window_columns_are_not_mistaken_for_stored_ones() {
    let o = itq(&[
        "--format",
        "csv",
        "-c",
        "matchmaking where value is not null select province, value",
    ]);
    assert_eq!(
        stdout(&o),
        "province,value,value_qualifier\nYunnan,396.6,\nGansu,300.0,more than\nHeilongjiang,250.0,more than\n"
    );
    // With the stored qualifier in view, nothing is added.
    let o = itq(&[
        "--format",
        "csv",
        "-c",
        "matchmaking where value is not null select province, value, qualifier",
    ]);
    assert_eq!(
        stdout(&o),
        "province,value,qualifier\nYunnan,396.6,planned\nGansu,300.0,more than\nHeilongjiang,250.0,exceeding\n"
    );
    // A sum of a window function's column is not a stored figure (this
    // panicked before: the column was looked up in the stored relation).
    let o = itq(&[
        "--format",
        "csv",
        "-c",
        "events derive running_sum(value) as rs along projects sum rs",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(stdout(&o), "sum_rs\n6479.6\n");
}

#[test]
fn a_figure_scaled_or_shifted_by_a_constant_keeps_its_bound_and_a_negated_one_does_not() {
    // More than 300, times 10, is more than 3,000; minus it is not a lower
    // bound, so no qualifier is claimed for it.
    let o = itq(&[
        "--format",
        "csv",
        "-c",
        "matchmaking where value is not null select province, value * 10 as v, -value as n",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(
        stdout(&o),
        "province,v,v_qualifier,n\nYunnan,3966.0,,-396.6\nGansu,3000.0,more than,-300.0\nHeilongjiang,2500.0,more than,-250.0\n"
    );
    // Through an aggregate's argument and a unit conversion: the sum is
    // still a lower bound, the min keeps its rule (the exact 396.6 is not
    // below the bound 300), and a per-row `round` is not followed.
    let o = itq(&[
        "--format",
        "csv",
        "-c",
        "events_with_region where region = \"west\" sum value / 2 as half, min to_billion_yuan(value * 10, \"亿元\") as lo, sum round(value) as r by region",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(
        stdout(&o),
        "region,half,half_qualifier,lo,lo_qualifier,r\nwest,348.3,more than,300.0,more than,697.0\n"
    );
    let notes = stderr(&o);
    assert!(notes.contains("note: west: half is more than 348.3: 1 of its 2 figures is a lower bound (\"more than\"), 1 exact"), "{notes}");
    assert!(!notes.contains(" r is "), "{notes}");
}

#[test]
fn a_pivot_column_is_hedged_by_the_figures_of_its_own_value() {
    // Gansu's expected "more than 300" and Heilongjiang's signed "exceeding
    // 250" are bounds; Yunnan's signed 396.6 is planned, exact. A column's
    // bound comes from the rows of its value only.
    let o = itq(&[
        "--format",
        "csv",
        "-c",
        "events pivot status in (\"signed\", \"expected\") sum value by province",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(
        stdout(&o),
        "province,signed,signed_qualifier,expected,expected_qualifier\n\
         Yunnan,396.6,,,\n\
         Gansu,,,300.0,more than\n\
         Heilongjiang,250.0,more than,,\n\
         Fujian,,,,\n\
         ,,,,\n"
    );
    let notes = stderr(&o);
    assert!(notes.contains("note: Gansu: expected is more than 300: its one figure is a lower bound (\"more than\")"), "{notes}");
    assert!(notes.contains("note: Heilongjiang: signed is more than 250: its one figure is a lower bound (\"exceeding\")"), "{notes}");
    assert!(!notes.contains("Yunnan"), "{notes}");
}

/// The sources a cited aggregate of a loaded file should list for the data
/// rows `rows` (from 0, ascending): the first 256 runs of consecutive lines
/// exactly, the lines after them counted.
fn expected_lines(file: &str, rows: &[usize]) -> String {
    let mut runs: Vec<(usize, usize)> = Vec::new();
    for &r in rows {
        let line = r + 2;
        match runs.last_mut() {
            Some(last) if last.1 + 1 == line => last.1 = line,
            _ => runs.push((line, line)),
        }
    }
    let more: usize = runs.iter().skip(256).map(|(a, b)| b - a + 1).sum();
    let listed: Vec<String> = runs
        .iter()
        .take(256)
        .map(|&(a, b)| match a == b {
            true => a.to_string(),
            false => format!("{a}–{b}"),
        })
        .collect();
    let mut out = format!("{file} lines {}", listed.join(", "));
    if more > 0 {
        out.push_str(&format!(
            " and {} more",
            itq::value::format_count(more as u64)
        ));
    }
    out
}

/// Over a file of many morsels, a cited aggregate, and the same through a
/// join with a small file, list the lines of each group as they are: runs
/// across morsel boundaries joined, rows past 256 runs counted.
#[test]
fn cited_aggregates_over_many_rows_list_each_groups_lines_exactly() {
    let dir = std::env::temp_dir().join(format!("itq-cite-many-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let names = ["Gansu", "Yunnan", "Anhui"];
    // Every third row at first (single lines), then blocks of 5,000 rows.
    let n = 160_000;
    let province = |i: usize| match i < 50_000 {
        true => i % 3,
        false => (i / 5_000) % 3,
    };
    let mut csv = String::from("province,investment\n");
    for i in 0..n {
        csv.push_str(&format!("{},{}\n", names[province(i)], i % 7));
    }
    std::fs::write(dir.join("big.csv"), csv).unwrap();
    std::fs::write(
        dir.join("regions.csv"),
        "name,region\nGansu,west\nYunnan,west\nAnhui,east\n",
    )
    .unwrap();
    let o = itq_in(
        &dir,
        &[
            "--format",
            "csv",
            "-c",
            "load \"big.csv\" as big; load \"regions.csv\" as regions",
            "-c",
            "big count by province cite",
            "-c",
            "big join regions on province = name count by region cite",
            // A computed key takes the general path, which gathers the
            // right side's lineage the joined read left coded.
            "-c",
            "big join regions on province = name count by lower(region) as region cite",
        ],
    );
    let rows_of = |keep: &dyn Fn(usize) -> bool| (0..n).filter(|&i| keep(i)).collect::<Vec<_>>();
    let mut want = String::from("province,count,sources\n");
    for (p, name) in names.iter().enumerate() {
        let rows = rows_of(&|i| province(i) == p);
        want.push_str(&format!(
            "{name},{},\"{}\"\n",
            itq::value::format_count(rows.len() as u64).replace(',', ""),
            expected_lines("big.csv", &rows)
        ));
    }
    for _ in 0..2 {
        want.push_str("region,count,sources\n");
        for (region, members, lines) in [("west", [0, 1], "2–3"), ("east", [2, 2], "4")] {
            let rows = rows_of(&|i| members.contains(&province(i)));
            let unit = if lines.contains('–') {
                "lines"
            } else {
                "line"
            };
            want.push_str(&format!(
                "{region},{},\"{}; regions.csv {unit} {lines}\"\n",
                rows.len(),
                expected_lines("big.csv", &rows)
            ));
        }
    }
    assert_eq!(stdout(&o), want, "{}", stderr(&o));
    // Rows of a large scan that no aggregate reads in place (a filter, a
    // sort, a limit) cite their own lines: the ids are filled in for them.
    let o = itq_in(
        &dir,
        &[
            "--format",
            "csv",
            "-c",
            "load \"big.csv\" as big",
            "-c",
            "big where investment = 6 select province limit 2 cite",
            "-c",
            "big sort investment desc, province limit 2 cite",
        ],
    );
    assert_eq!(
        stdout(&o),
        "province,sources\nGansu,big.csv line 8\nYunnan,big.csv line 15\n\
         province,investment,sources\nAnhui,6,big.csv line 22\nAnhui,6,big.csv line 43\n",
        "{}",
        stderr(&o)
    );
    let _ = std::fs::remove_dir_all(&dir);
}
