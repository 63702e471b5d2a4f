//! The shape around a table's data, as statistical yearbooks and government
//! spreadsheets have it: header rows to combine into names (`签约金额` over
//! `(亿元)`), names given twice, note lines under the data (`注：…`) and
//! total rows (`合计`). CSV and spreadsheet loading both use these rules on
//! rows of cell texts.

use super::infer::{as_name, classify, thousands, Cell};
use crate::store::{Data, Table};

/// Where a header row or table row is: its line (CSV) or sheet row number.
pub(crate) struct At<'a> {
    /// How errors and notes name the file.
    pub file: &'a str,
    /// What positions count: "line" or "row".
    pub unit: &'a str,
}

/// Column names from the header rows (each a row of cells; the first on
/// position `first`). In a row above the last, a blank cell continues the
/// cell on its left (a merged cell) where the row below names a column;
/// a column's names from top to bottom are joined (`签约金额(亿元)`, `2023
/// 金额`). A blank name becomes `columnN`; a name given twice gets a suffix
/// (`_2`), with a note.
pub(crate) fn header_names(
    at: &At<'_>,
    rows: &[Vec<String>],
    first: u64,
) -> (Vec<String>, Vec<String>) {
    let width = rows.iter().map(Vec::len).max().unwrap_or(0);
    let cell = |r: usize, j: usize| -> &str { rows[r].get(j).map_or("", |s| s.trim()) };
    let mut filled: Vec<Vec<String>> = Vec::with_capacity(rows.len());
    for r in 0..rows.len() {
        let mut row: Vec<String> = Vec::with_capacity(width);
        for j in 0..width {
            let own = cell(r, j);
            let below = r + 1 < rows.len() && !cell(r + 1, j).is_empty();
            let value = if own.is_empty() && below && j > 0 {
                row[j - 1].clone()
            } else {
                own.to_string()
            };
            row.push(value);
        }
        filled.push(row);
    }
    let mut names = Vec::with_capacity(width);
    for j in 0..width {
        let mut name = String::new();
        let mut last: Option<&str> = None;
        for row in &filled {
            let part = row[j].as_str();
            if part.is_empty() || last == Some(part) {
                continue;
            }
            if !name.is_empty() && !part.starts_with(['(', '（', '[', '【', '/']) {
                name.push(' ');
            }
            name.push_str(part);
            last = Some(part);
        }
        if name.is_empty() {
            name = format!("column{}", j + 1);
        }
        names.push(name);
    }
    let mut notes = dedupe(at, &mut names, first, rows.len());
    let named: Vec<&str> = rows[0]
        .iter()
        .map(|c| c.trim())
        .filter(|c| !c.is_empty())
        .collect();
    if rows.len() == 1 && width > 2 && named.len() == 1 {
        notes.push(format!(
            "note: {}, {} {}: the header names one column only (`{}`); if that is a title above the header, skip it with `skip {}`",
            at.file,
            at.unit,
            thousands(first),
            named[0],
            first
        ));
    }
    (names, notes)
}

/// Gives every repeated name a suffix (`_2`, `_3`), with a note for each.
fn dedupe(at: &At<'_>, names: &mut [String], first: u64, header_rows: usize) -> Vec<String> {
    let mut notes = Vec::new();
    for i in 0..names.len() {
        let Some(earlier) = names[..i].iter().position(|n| *n == names[i]) else {
            continue;
        };
        let base = names[i].clone();
        let mut k = 2;
        let renamed = loop {
            let candidate = format!("{base}_{k}");
            if !names.contains(&candidate) {
                break candidate;
            }
            k += 1;
        };
        let hint = if header_rows == 1 {
            "; if the header takes more than one row (names over units), say how many with `header 2`"
        } else {
            ""
        };
        notes.push(format!(
            "note: {}, {} {}: the header names `{base}` twice (columns {} and {}), so the second is called `{renamed}`{hint}",
            at.file,
            at.unit,
            thousands(first),
            earlier + 1,
            i + 1,
        ));
        names[i] = renamed;
    }
    notes
}

/// The words a note under a table starts with.
const NOTE_MARKS: &[&str] = &[
    "注",
    "说明",
    "资料来源",
    "数据来源",
    "来源",
    "备注",
    "附注",
    "Note",
    "NOTE",
    "Notes",
    "Source",
    "SOURCE",
    "Sources",
    "*",
    "※",
];

/// True for a row under the data that is a note, not data: no cell is a
/// number, and either it has another number of cells than the header
/// (`width`), or its one filled cell is the first and reads as a sentence
/// (it starts with `注`, `Note`, `Source`…, or holds `。` or `：`).
pub(crate) fn is_note_row(cells: &[&str], width: usize) -> bool {
    let filled: Vec<(usize, &str)> = cells
        .iter()
        .map(|c| c.trim())
        .enumerate()
        .filter(|(_, c)| !c.is_empty())
        .collect();
    let Some(&(first_at, first)) = filled.first() else {
        return false;
    };
    if filled
        .iter()
        .any(|(_, c)| matches!(classify(c), Cell::Int(_) | Cell::Decimal(_)))
    {
        return false;
    }
    if cells.len() != width {
        return true;
    }
    width > 1
        && filled.len() == 1
        && first_at == 0
        && (NOTE_MARKS.iter().any(|m| first.starts_with(m))
            || first.contains(['。', '：', '；'])
            || first.chars().count() > 20)
}

/// How many of the last `rows` are footer: with `footer`, that many rows
/// that are not blank (and any blank rows among and after them); without
/// it, the note rows ([`is_note_row`]) at the end, at most ten. Returns the
/// index of the first footer row (`rows.len()` when there is none).
pub(crate) fn footer_start(rows: &[Vec<&str>], width: usize, footer: Option<usize>) -> usize {
    let blank = |r: &Vec<&str>| r.iter().all(|c| c.trim().is_empty());
    let mut start = rows.len();
    let mut taken = 0;
    for i in (0..rows.len()).rev() {
        if blank(&rows[i]) {
            continue;
        }
        let take = match footer {
            Some(n) => taken < n,
            None => taken < 10 && is_note_row(&rows[i], width),
        };
        if !take {
            break;
        }
        taken += 1;
        start = i;
    }
    if taken == 0 {
        rows.len()
    } else {
        start
    }
}

/// The note for footer rows left out: `texts` are their first cells, the
/// first on position `first`.
pub(crate) fn footer_note(at: &At<'_>, first: u64, texts: &[String]) -> String {
    let quoted: Vec<String> = texts
        .iter()
        .map(|t| {
            let t = t.trim();
            let short: String = t.chars().take(40).collect();
            if short.len() < t.len() {
                format!("`{short}…`")
            } else {
                format!("`{short}`")
            }
        })
        .collect();
    let (what, verb, pronoun) = if texts.len() == 1 {
        (
            format!("{} {} under the table is a note", at.unit, thousands(first)),
            "is",
            "it",
        )
    } else {
        let last = first + texts.len() as u64 - 1;
        (
            format!(
                "{}s {} to {} under the table are notes",
                at.unit,
                thousands(first),
                thousands(last)
            ),
            "are",
            "them",
        )
    };
    format!(
        "note: {}: {what}, not data, and {verb} left out ({}); `footer 0` keeps {pronoun}",
        at.file,
        quoted.join(", "),
    )
}

/// The words of a row that sums the others.
const TOTAL_WORDS: &[&str] = &[
    "合计",
    "总计",
    "全国",
    "全国合计",
    "全国总计",
    "共计",
    "总数",
    "总额",
    "Total",
    "TOTAL",
    "total",
    "Grand total",
    "Grand Total",
    "Sum",
    "All",
];

/// Notes for rows that look like totals: the first text column holds
/// `合计`, `总计`, `全国` or `Total`. They stay in the table (a `where`
/// drops them); the note says how.
pub(crate) fn total_notes(file: &str, table: &Table) -> Vec<String> {
    let Some(at) = table
        .columns()
        .iter()
        .position(|c| matches!(c.data(), Data::Text(..)))
    else {
        return Vec::new();
    };
    let column = table.column_at(at);
    let Data::Text(codes, dict) = column.data() else {
        return Vec::new();
    };
    let squeeze = |s: &str| -> String { s.chars().filter(|c| !c.is_whitespace()).collect() };
    let totals: Vec<u32> = (0..dict.len() as u32)
        .filter(|&c| {
            let v = squeeze(dict.get(c));
            TOTAL_WORDS.iter().any(|w| squeeze(w) == v)
        })
        .collect();
    if totals.is_empty() {
        return Vec::new();
    }
    let name = &table.fields()[at].name;
    let shown = as_name(name);
    let mut notes = Vec::new();
    for (row, code) in codes.iter().enumerate() {
        if !totals.contains(code) || !column.is_valid(row) {
            continue;
        }
        if notes.len() == 3 {
            notes.push(format!(
                "note: {file}: more rows look like totals; each is kept as data"
            ));
            break;
        }
        let value = dict.get(*code);
        notes.push(format!(
            "note: {file}: row {} looks like a total ({shown} is \"{value}\"); it is kept as data, so a sum would count its rows twice: add `where {shown} != \"{value}\"` to leave it out",
            thousands(row as u64 + 1),
        ));
    }
    notes
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(rows: &[&[&str]]) -> (Vec<String>, Vec<String>) {
        let rows: Vec<Vec<String>> = rows
            .iter()
            .map(|r| r.iter().map(|s| s.to_string()).collect())
            .collect();
        header_names(
            &At {
                file: "f.csv",
                unit: "line",
            },
            &rows,
            1,
        )
    }

    #[test]
    fn combines_header_rows() {
        let (n, notes) = names(&[&["省份", "签约金额", "项目数"], &["", "(亿元)", "(个)"]]);
        assert_eq!(n, ["省份", "签约金额(亿元)", "项目数(个)"]);
        assert!(notes.is_empty());
        let (n, _) = names(&[
            &["地区", "2023", "", "2024", ""],
            &["", "金额", "项目数", "金额", "项目数"],
        ]);
        assert_eq!(
            n,
            [
                "地区",
                "2023 金额",
                "2023 项目数",
                "2024 金额",
                "2024 项目数"
            ]
        );
    }

    #[test]
    fn renames_repeated_names_with_a_note() {
        let (n, notes) = names(&[&["a", "(亿元)", "(亿元)", ""]]);
        assert_eq!(n, ["a", "(亿元)", "(亿元)_2", "column4"]);
        assert_eq!(notes.len(), 1);
        assert!(notes[0].contains("`header 2`"), "{}", notes[0]);
    }

    #[test]
    fn finds_note_rows_under_the_data() {
        let rows: Vec<Vec<&str>> = vec![
            vec!["甘肃", "1", "2"],
            vec!["合计", "3", "4"],
            vec!["注：数据来源于统计年鉴"],
            vec!["", "", ""],
        ];
        assert_eq!(footer_start(&rows, 3, None), 2);
        assert_eq!(footer_start(&rows, 3, Some(0)), 4);
        assert_eq!(footer_start(&rows, 3, Some(2)), 1);
        let data: Vec<Vec<&str>> = vec![vec!["西藏", "", ""]];
        assert_eq!(footer_start(&data, 3, None), 1);
    }
}
