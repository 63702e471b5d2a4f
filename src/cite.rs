//! Citing answers: the sources of each result row (`cite`), the legend under
//! a cited table, and `why`, which expands a result row into the stored rows
//! behind it with the quoted sentences of `evidence`. All of it reads the
//! lineage a traced plan carries (`plan::lineage`).

use crate::plan::lineage::{Origin, RowSet};
use crate::store::{facts, Catalog, Column, RelationKind, Table};
use crate::value::Scalar;
use std::sync::Arc;

/// Where the rows of a scanned relation came from, as a citation names them.
#[derive(Debug, Clone, PartialEq)]
pub enum Basis {
    /// A relation of the fact base: each row cites its `source`.
    Facts,
    /// Rows loaded from a file.
    File(FileBasis),
    /// Rows given by the host program (or anything else without a file).
    Host,
}

/// A loaded file, as its rows are cited.
#[derive(Debug, Clone, PartialEq)]
pub struct FileBasis {
    /// The path as the `load` wrote it, with `!SHEET` for a workbook.
    pub label: String,
    /// What a row is counted in: "lines" (CSV, NDJSON), "rows" (a sheet) or "records" (JSON).
    pub unit: &'static str,
    /// Added to a row's number from 0 to give its line (or sheet row, or
    /// record) in the file, from 1.
    pub first: u64,
}

/// A traced result: the query's rows, each with its set of stored rows.
#[derive(Debug, Clone)]
pub struct Lineage {
    /// The stored rows behind each result row.
    pub rows: Vec<RowSet>,
    /// The scanned relations, by tag, with what they are.
    pub origins: Vec<(Origin, Basis)>,
}

impl Lineage {
    /// The lineage of the result `table`, whose columns from `width` on are
    /// lineage columns; returns the query's own columns and the lineage.
    pub fn split(
        table: &Table,
        names: &[String],
        origins: Vec<(Origin, Basis)>,
    ) -> (Table, Lineage) {
        let width = names.len();
        let lineage_cols = &table.columns()[width..];
        let rows = (0..table.num_rows())
            .map(|r| {
                let mut set = RowSet::default();
                for c in lineage_cols {
                    set.union(&RowSet::of(c, r));
                }
                set
            })
            .collect();
        let visible = table
            .columns()
            .iter()
            .take(width)
            .zip(names)
            .map(|(c, n)| (n.clone(), Arc::clone(c)))
            .collect();
        (
            Table::with_rows(visible, table.num_rows()),
            Lineage { rows, origins },
        )
    }

    /// The citations of result row `row`, in order of first appearance.
    pub fn citations(&self, row: usize) -> Vec<Citation> {
        let set = &self.rows[row];
        let mut out: Vec<Citation> = Vec::new();
        let mut add = |c: Citation| {
            if let Some(same) = out.iter_mut().find(|o| o.key == c.key) {
                same.ranges.extend(c.ranges);
                same.more += c.more;
            } else {
                out.push(c);
            }
        };
        for part in set.parts() {
            let (ranges, more) = (&part.ranges, part.more);
            let (origin, basis) = &self.origins[part.tag as usize];
            match basis {
                Basis::Facts => {
                    let col = origin.table.position("source");
                    let mut keys = Vec::new();
                    for &(a, b) in ranges {
                        for r in a..=b {
                            keys.push(match col {
                                Some(c) => match origin.table.get(r as usize, c) {
                                    Scalar::Text(s) => s.to_string(),
                                    _ => continue,
                                },
                                // `sources` itself: a row is the source it describes.
                                None if origin.name == facts::SOURCES => {
                                    origin.table.get(r as usize, 0).to_string()
                                }
                                None => origin.name.clone(),
                            });
                        }
                    }
                    // Rows of the fact base only counted have no source to
                    // name: they are counted with the last one named.
                    let last = keys.len().saturating_sub(1);
                    for (k, key) in keys.into_iter().enumerate() {
                        add(Citation {
                            key,
                            ranges: Vec::new(),
                            unit: "",
                            more: if k == last { more } else { 0 },
                        });
                    }
                }
                Basis::File(f) => add(Citation {
                    key: f.label.clone(),
                    ranges: ranges
                        .iter()
                        .map(|&(a, b)| (a + f.first + 1, b + f.first + 1))
                        .collect(),
                    unit: f.unit,
                    more,
                }),
                Basis::Host => add(Citation {
                    key: format!("`{}`", origin.name),
                    ranges: ranges.iter().map(|&(a, b)| (a + 1, b + 1)).collect(),
                    unit: "rows",
                    more,
                }),
            }
        }
        out
    }

    /// The `sources` column: each row's citations, `; `-separated.
    pub fn sources_column(&self) -> Column {
        Column::from_texts((0..self.rows.len()).map(|r| {
            let cs = self.citations(r);
            (!cs.is_empty()).then(|| {
                cs.iter()
                    .map(Citation::to_string)
                    .collect::<Vec<_>>()
                    .join("; ")
            })
        }))
    }

    /// The legend under a cited table: each source once, numbered in order
    /// of first appearance, with what the `sources` relation says of it.
    pub fn legend(&self, catalog: &Catalog) -> Vec<String> {
        let mut keys: Vec<(String, bool)> = Vec::new();
        for r in 0..self.rows.len() {
            for c in self.citations(r) {
                if !keys.iter().any(|(k, _)| *k == c.key) {
                    keys.push((c.key, !c.unit.is_empty()));
                }
            }
        }
        keys.iter()
            .enumerate()
            .map(|(i, (key, file))| {
                let what = if *file {
                    "loaded file".to_string()
                } else {
                    describe_source(catalog, key).unwrap_or_else(|| "not in `sources`".into())
                };
                format!("[{}] {key} — {what}", i + 1)
            })
            .collect()
    }

    /// `why`: the stored rows behind result row `row` (every row with
    /// `None`), each with its key, source, figure and the quoted sentences
    /// `evidence` holds for it (one output row per quote).
    pub fn why(&self, catalog: &Catalog, row: Option<usize>) -> Table {
        let evidence = catalog
            .relation(facts::EVIDENCE)
            .map(|r| Arc::clone(&r.table));
        let mut cols: [Vec<Option<String>>; 6] = Default::default();
        let mut result_rows = Vec::new();
        let rows: Vec<usize> = match row {
            Some(r) => vec![r],
            None => (0..self.rows.len()).collect(),
        };
        for r in rows {
            let set = &self.rows[r];
            for part in set.parts() {
                let (origin, basis) = &self.origins[part.tag as usize];
                for &(a, b) in &part.ranges {
                    for stored in a..=b {
                        let stored = stored as usize;
                        let t = &origin.table;
                        let (key, source) = match basis {
                            Basis::Facts => (
                                t.get(stored, 0).to_string(),
                                t.position("source").map(|c| t.get(stored, c).to_string()),
                            ),
                            Basis::File(f) => (
                                format!(
                                    "{} {}",
                                    f.unit.trim_end_matches('s'),
                                    stored as u64 + f.first + 1
                                ),
                                Some(f.label.clone()),
                            ),
                            Basis::Host => (format!("row {}", stored + 1), None),
                        };
                        let figure = figure_of(t, stored);
                        let quotes = match (basis, &evidence) {
                            (Basis::Facts, Some(ev)) => quotes(ev, &origin.name, &key),
                            _ => Vec::new(),
                        };
                        // A quote is shown with the source it is quoted
                        // from, which may not be the row's own (a province's
                        // capital, quoted from an article, on a row that
                        // cites the region classification).
                        let quotes = if quotes.is_empty() {
                            vec![(source, None)]
                        } else {
                            quotes
                                .into_iter()
                                .map(|(from, q)| (from.or_else(|| source.clone()), Some(q)))
                                .collect()
                        };
                        for (source, q) in quotes {
                            result_rows.push(r as i64 + 1);
                            cols[0].push(Some(origin.name.clone()));
                            cols[1].push(Some(key.clone()));
                            cols[2].push(figure.clone());
                            cols[3].push(source);
                            cols[4].push(q);
                        }
                    }
                }
            }
            if set.more() > 0 {
                result_rows.push(r as i64 + 1);
                cols[0].push(None);
                cols[1].push(Some(format!(
                    "… and {} more rows",
                    crate::value::format_count(set.more())
                )));
                cols[2].push(None);
                cols[3].push(None);
                cols[4].push(None);
            }
        }
        let mut named = Vec::new();
        if row.is_none() {
            named.push((
                "result_row".to_string(),
                Arc::new(Column::new(crate::store::Data::Int(result_rows), None)),
            ));
        }
        for (name, values) in ["relation", "row", "figure", "source", "quote"]
            .into_iter()
            .zip(cols)
        {
            named.push((name.to_string(), Arc::new(Column::from_texts(values))));
        }
        Table::new(named)
    }
}

/// One source of a result row: a source id, or a file with its lines.
#[derive(Debug, Clone, PartialEq)]
pub struct Citation {
    /// The source id (`gansu-2024`) or the file (`gansu.xlsx!Sheet1`).
    pub key: String,
    /// The lines (or rows, records) of a file, inclusive, from 1.
    pub ranges: Vec<(u64, u64)>,
    /// What the ranges count: "lines", "rows", "records"; empty for a source id.
    pub unit: &'static str,
    more: u64,
}

impl std::fmt::Display for Citation {
    /// `gansu-2024`, or `gansu.xlsx!Sheet1 rows 12–15, 88`.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.key)?;
        if self.ranges.is_empty() {
            return Ok(());
        }
        let mut ranges = self.ranges.clone();
        ranges.sort_unstable();
        let parts: Vec<String> = ranges
            .iter()
            .map(|&(a, b)| {
                if a == b {
                    a.to_string()
                } else {
                    format!("{a}–{b}")
                }
            })
            .collect();
        let one = parts.len() == 1 && ranges[0].0 == ranges[0].1 && self.more == 0;
        let unit = if one {
            self.unit.trim_end_matches('s')
        } else {
            self.unit
        };
        write!(f, " {unit} {}", parts.join(", "))?;
        if self.more > 0 {
            write!(f, " and {} more", crate::value::format_count(self.more))?;
        }
        Ok(())
    }
}

/// `Global Times (…), 2024-10-27, "Western China ramps up…"` from `sources`.
fn describe_source(catalog: &Catalog, id: &str) -> Option<String> {
    let t = &catalog.relation(facts::SOURCES)?.table;
    let id_col = t.position("id")?;
    let row = (0..t.num_rows()).find(|&r| t.get(r, id_col).to_string() == id)?;
    let field = |name: &str| {
        t.position(name)
            .map(|c| t.get(row, c))
            .filter(|v| !v.is_null())
    };
    let mut parts = Vec::new();
    if let Some(p) = field("publisher") {
        parts.push(p.to_string());
    }
    if let Some(d) = field("date") {
        parts.push(d.to_string());
    }
    if let Some(title) = field("title") {
        parts.push(format!("\"{title}\""));
    }
    Some(parts.join(", "))
}

/// The figure of a stored row with a `value` (`more than 300 billion yuan, expected`).
fn figure_of(t: &Table, row: usize) -> Option<String> {
    let value = t.get(row, t.position("value")?);
    if value.is_null() {
        return None;
    }
    let field = |name: &str| {
        t.position(name)
            .map(|c| t.get(row, c))
            .filter(|v| !v.is_null())
            .map(|v| v.to_string())
    };
    let mut text = String::new();
    if let Some(q) = field("qualifier") {
        text.push_str(&q);
        text.push(' ');
    }
    text.push_str(&value.to_string());
    if let Some(u) = field("unit") {
        text.push(' ');
        text.push_str(&u);
    }
    if let Some(s) = field("status") {
        text.push_str(&format!(", {s}"));
    }
    Some(text)
}

/// The quotes `evidence` holds for row `key` of `relation`, each with the
/// source it is quoted from.
fn quotes(evidence: &Table, relation: &str, key: &str) -> Vec<(Option<String>, String)> {
    let (Some(rel), Some(row), Some(quote)) = (
        evidence.position("relation"),
        evidence.position("row"),
        evidence.position("quote"),
    ) else {
        return Vec::new();
    };
    let from = evidence.position("source");
    (0..evidence.num_rows())
        .filter(|&r| {
            evidence.get(r, rel).to_string() == relation && evidence.get(r, row).to_string() == key
        })
        .map(|r| {
            let source = from.and_then(|c| match evidence.get(r, c) {
                Scalar::Text(s) => Some(s.to_string()),
                _ => None,
            });
            (source, evidence.get(r, quote).to_string())
        })
        .collect()
}

/// How the rows of a file loaded with `options` are cited: `shown` is the
/// path as written. Row numbers assume one line (or sheet row) per record
/// after the skipped lines and the header; a quoted field with line breaks
/// inside shifts the lines after it.
pub fn file_basis(
    shown: &str,
    path: &std::path::Path,
    options: &crate::load::LoadOptions,
) -> FileBasis {
    use crate::load::{FileFormat, Sheet};
    let format = options.format.or_else(|| FileFormat::from_path(path));
    let above = options.skip as u64 + options.header.unwrap_or(1) as u64;
    let (unit, first, sheet) = match format {
        Some(FileFormat::Json) => ("records", 1, None),
        Some(FileFormat::Ndjson) => ("lines", 1, None),
        Some(FileFormat::Parquet) => ("rows", 1, None),
        Some(FileFormat::Excel) => (
            "rows",
            above + 1,
            options.sheet.as_ref().map(|s| match s {
                Sheet::Name(n) => n.clone(),
                Sheet::Number(k) => format!("sheet {k}"),
            }),
        ),
        _ => ("lines", above + 1, None),
    };
    FileBasis {
        label: match sheet {
            Some(s) => format!("{shown}!{s}"),
            None => shown.to_string(),
        },
        unit,
        first: first - 1,
    }
}

/// The basis of a relation of the catalog by its kind (files are known to the engine).
pub fn basis_of_kind(kind: RelationKind) -> Basis {
    match kind {
        RelationKind::Fact => Basis::Facts,
        _ => Basis::Host,
    }
}
