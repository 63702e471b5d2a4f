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

/// The spellings of one kind `province_aliases` lists, one per province.
fn spellings(kind: &str) -> Vec<String> {
    let out = common::itq(&[
        "-f",
        "csv",
        "-c",
        &format!("province_aliases where kind = \"{kind}\" distinct name, alias sort name"),
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let mut seen = std::collections::HashSet::new();
    stdout(&out)
        .lines()
        .skip(1)
        .filter_map(|l| {
            let (name, alias) = l.split_once(',')?;
            seen.insert(name.to_string())
                .then(|| alias.trim_matches('"').to_string())
        })
        .collect()
}

#[test]
fn province_joins_all_31_provinces_whatever_naming_the_file_uses() {
    let dir = tempfile::tempdir().unwrap();
    let mut kinds: Vec<(String, Vec<String>)> =
        ["zh", "zh full", "pinyin full", "English full", "code"]
            .iter()
            .map(|k| (k.to_string(), spellings(k)))
            .collect();
    // Upper case with stray spaces, and Tibet for Xizang.
    let shouted: Vec<String> = spellings("name")
        .iter()
        .map(|n| {
            if n == "Xizang" {
                " tibet ".to_string()
            } else {
                format!("  {}  ", n.to_uppercase())
            }
        })
        .collect();
    kinds.push(("shouted".into(), shouted));
    // English with a suffix the aliases do not list for every province.
    let suffixed: Vec<String> = spellings("zh").iter().map(|n| format!("{n}省")).collect();
    kinds.push(("zh with 省".into(), suffixed));
    for (kind, names) in &kinds {
        assert_eq!(names.len(), 31, "{kind}: {names:?}");
        let csv: String = std::iter::once("省份,amount\n".to_string())
            .chain(names.iter().map(|n| format!("\"{n}\",1\n")))
            .collect();
        std::fs::write(dir.path().join("mine.csv"), csv).unwrap();
        let out = itq_in(
            dir.path(),
            &[
                "-f",
                "csv",
                "-c",
                "load \"mine.csv\" as my_data with (省份: text)",
                "-c",
                "my_data join provinces on province(省份) = name count, count distinct name",
            ],
        );
        assert!(out.status.success(), "{kind}: {}", stderr(&out));
        assert_eq!(stdout(&out), "count,count_distinct_name\n31,31\n", "{kind}");
        assert!(
            !stderr(&out).contains("found no"),
            "{kind}: {}",
            stderr(&out)
        );
    }
    // Codes as integers.
    let csv: String = std::iter::once("code,amount\n".to_string())
        .chain(spellings("code").iter().map(|c| format!("{c},1\n")))
        .collect();
    std::fs::write(dir.path().join("codes.csv"), csv).unwrap();
    let out = itq_in(
        dir.path(),
        &[
            "-f",
            "csv",
            "-c",
            "load \"codes.csv\" as c with (code: int)",
            "-c",
            "c join provinces on province(code) = name count distinct name",
        ],
    );
    assert_eq!(
        stdout(&out),
        "count_distinct_name\n31\n",
        "{}",
        stderr(&out)
    );
}

#[test]
fn a_join_that_finds_nothing_says_so_and_suggests_province() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("inv.csv"),
        "省份,amount\n甘肃省,1\n内蒙古自治区,2\nGuangxi Zhuang Autonomous Region,3\n620000,4\n合计,10\n",
    )
    .unwrap();
    let run = |extra: &[&str]| {
        let mut args = vec![
            "-c",
            "load \"inv.csv\" as inv",
            "-c",
            "inv join provinces on 省份 = name count",
        ];
        args.extend_from_slice(extra);
        itq_in(dir.path(), &args)
    };
    let out = run(&[]);
    assert_eq!(out.status.code(), Some(0));
    assert!(stdout(&out).contains("│     0 │"), "{}", stdout(&out));
    let err = stderr(&out);
    assert!(
        err.contains("note: the join matched no row: none of the 5 distinct `省份` keys has a partner in `provinces` (`name`): `甘肃省`, `内蒙古自治区`, `Guangxi Zhuang Autonomous Region`, `620000`, `合计`"),
        "{err}"
    );
    assert!(
        err.contains("join provinces on province(省份) = name"),
        "{err}"
    );
    // --quiet leaves the note out.
    let out = run(&["--quiet"]);
    assert!(!stderr(&out).contains("matched no row"), "{}", stderr(&out));
    // With province(...), only 合计 is left without a partner: no note.
    let out = itq_in(
        dir.path(),
        &[
            "-c",
            "load \"inv.csv\" as inv",
            "-c",
            "inv join provinces on province(省份) = name count",
        ],
    );
    assert!(stdout(&out).contains("│     4 │"), "{}", stdout(&out));
    assert!(!stderr(&out).contains("found no"), "{}", stderr(&out));
    // Keys that are no province names get the count and no suggestion.
    let out = itq_in(
        dir.path(),
        &[
            "-c",
            "events join (stats select indicator) on province = indicator count",
        ],
    );
    let err = stderr(&out);
    assert!(err.contains("the join matched no row"), "{err}");
    assert!(!err.contains("province(x)"), "{err}");
}

#[test]
fn amounts_in_yi_and_wan_yuan_join_the_fact_base_without_a_factor() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("signed.csv"),
        "省份,签约金额,金额\n云南省,3966,39660000\n黑龙江省,2500,25000000\n",
    )
    .unwrap();
    let out = itq_in(
        dir.path(),
        &[
            "-f",
            "csv",
            "-c",
            "load \"signed.csv\" as s with (签约金额: decimal 亿元, 金额: int 万元)",
            "-c",
            "s join events on province(省份) = province where 签约金额 = value and 金额 = value select province, 签约金额, 金额, value, from_billion_yuan(value, \"亿元\") as yi",
        ],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(
        stdout(&out),
        "province,签约金额,金额,value,value_qualifier,yi,yi_qualifier\nYunnan,396.6,396.6,396.6,,3966.0,\nHeilongjiang,250.0,250.0,250.0,more than,2500.0,more than\n"
    );
    assert!(
        stderr(&out).contains("note: `签约金额` was in 亿元; it now holds billion yuan, the fact base's unit (each amount ÷ 10)"),
        "{}",
        stderr(&out)
    );
    // A dollar unit on load is refused with the way to give the rate.
    let out = itq_in(
        dir.path(),
        &[
            "-c",
            "load \"signed.csv\" as s with (签约金额: decimal \"million USD\")",
        ],
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("to_billion_yuan(签约金额, \"million USD\", 7.1)"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn bad_arguments_to_the_new_functions_get_located_errors() {
    let cases = [
        (
            "provinces select regexp_match(name, \"(\") as x",
            "error: `(` is not a regular expression itq can use: unclosed group",
        ),
        (
            "provinces select regexp_replace(name, \"a{1000}{1000}\", \"\") as x",
            "it is too large to run (more than 1 MB compiled)",
        ),
        (
            "provinces select replace(1, \"a\", \"b\") as x",
            "error: `replace` needs text as argument 1, not integer",
        ),
        (
            "provinces select to_date(name, \"%Q\") as x",
            "error: `%Q` is not a date format",
        ),
        (
            "provinces select to_billion_yuan(1, \"lakh\") as x",
            "error: `lakh` is not a money unit itq knows",
        ),
        (
            "provinces select if(coastal, 1, \"x\") as x",
            "error: `if` gives one type, but its two values are integer and text",
        ),
    ];
    for (query, want) in cases {
        let out = common::itq(&["-c", query]);
        assert_eq!(out.status.code(), Some(1), "{query}");
        let err = stderr(&out);
        assert!(err.contains(want), "{query}: {err}");
        // The caret is under the call, at column 18.
        assert!(err.contains("<query>:1:18"), "{query}: {err}");
        assert!(!err.contains("panicked"), "{query}: {err}");
    }
}

#[test]
fn text_and_conversion_functions_give_what_the_reference_says() {
    let out = common::itq(&[
        "-f",
        "csv",
        "-c",
        "provinces where name = \"Guangxi\" select replace(full_name_zh, \"壮族自治区\", \"\") as a, trim(\" \u{3000}x \") as b, substr(full_name_zh, 3) as c, starts_with(code, \"45\") as d, regexp_replace(\"1,234 元\", \"[^0-9]\", \"\") as e, concat(name, \" \", code) as f, to_number(\"1,234.5万\") as g, to_date(\"2024年9月\") as h, province(\"guangxi zhuang autonomous region\") as i",
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(
        stdout(&out),
        "a,b,c,d,e,f,g,h,i\n广西,x,壮族自治区,true,1234,Guangxi 450000,12345000.0,2024-09-01,Guangxi\n"
    );
}

#[test]
fn a_join_on_numbers_or_two_keys_names_the_keys_without_a_partner() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("a.csv"),
        "id,year,x\n1,2020,1\n2,2020,1\n3,2021,1\n6,2020,1\n6,2020,1\n7,2021,1\n8,2022,1\n9,2022,1\n,2022,1\n",
    )
    .unwrap();
    std::fs::write(
        dir.path().join("b.csv"),
        "bid,byear\n1,2020\n2,2021\n3,2021\n4,2020\n",
    )
    .unwrap();
    let run = |query: &str| {
        itq_in(
            dir.path(),
            &[
                "-c",
                "load \"a.csv\" as a",
                "-c",
                "load \"b.csv\" as b",
                "-c",
                query,
            ],
        )
    };
    // One integer key: 6 is in two rows but one key; the null key is no key.
    let out = run("a join b on id = bid count");
    assert!(stdout(&out).contains("│     3 │"), "{}", stdout(&out));
    let err = stderr(&out);
    assert!(
        err.contains("note: 4 of the 7 distinct `id` keys found no partner in `b` (`bid`): `6`, `7`, `8`, `9`"),
        "{err}"
    );
    // A left join keeps them and says the same.
    let out = run("a left join b on id = bid count");
    assert!(stdout(&out).contains("│     9 │"), "{}", stdout(&out));
    assert!(
        stderr(&out).contains("4 of the 7 distinct"),
        "{}",
        stderr(&out)
    );
    // Two keys: only (1, 2020) and (3, 2021) find a partner.
    let out = run("a join b on id = bid, year = byear count");
    assert!(stdout(&out).contains("│     2 │"), "{}", stdout(&out));
    let err = stderr(&out);
    assert!(
        err.contains("note: 5 of the 7 distinct `id, year` keys found no partner"),
        "{err}"
    );
    assert!(err.contains("`2, 2020`, `6, 2020`, `7, 2021`"), "{err}");
    // Nothing matches: said as such.
    let out = run("a where id > 5 join b on id = bid count");
    assert!(
        stderr(&out).contains("the join matched no row: none of the 4 distinct"),
        "{}",
        stderr(&out)
    );
}
