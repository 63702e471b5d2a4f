//! The built-in fact base: CSV files under `stdlib/facts/`, embedded in the
//! binary. Each file's header names and types its columns (`projects:int`);
//! an empty field is null (the article gives no figure).

use super::column::column_from_scalars;
use super::table::Table;
use crate::error::{Error, ErrorKind, Result};
use crate::value::{parse_date, Scalar, Type};
use std::sync::Arc;

/// One embedded fact file.
pub struct FactFile {
    /// The relation name.
    pub name: &'static str,
    /// What the relation holds.
    pub doc: &'static str,
    /// The CSV text.
    pub csv: &'static str,
}

/// The fact files, in the order `.tables` lists them. Every file but
/// `evidence` is a cited relation: each row names its source (provinces name
/// one per field: `source` for the region, `names_source`, `coastal_source`,
/// `capital_source`).
pub const FACT_FILES: &[FactFile] = &[
    FactFile {
        name: "sources",
        doc: "the articles, standards and general knowledge every fact cites (`file`: the text under stdlib/facts/sources/)",
        csv: include_str!("../../stdlib/facts/sources.csv"),
    },
    FactFile {
        name: "provinces",
        doc: "the 31 provincial-level divisions of mainland China: names, GB/T 2260 code, statistical region, coast and capital, each field citing its own source",
        csv: include_str!("../../stdlib/facts/provinces.csv"),
    },
    FactFile {
        name: "province_aliases",
        doc: "every accepted spelling of a province (Chinese, pinyin, English forms, 6-digit codes) and the `name` it stands for in `provinces`",
        csv: include_str!("../../stdlib/facts/province_aliases.csv"),
    },
    FactFile {
        name: "events",
        doc: "matchmaking events and other fairs (`kind`): projects, value with its qualifier, status and measure, and a date with its precision",
        csv: include_str!("../../stdlib/facts/events.csv"),
    },
    FactFile {
        name: "event_sectors",
        doc: "the sectors named for an event's projects, with the article's hedge (`such as`)",
        csv: include_str!("../../stdlib/facts/event_sectors.csv"),
    },
    FactFile {
        name: "event_parties",
        doc: "who hosted, initiated, spoke at or took part in an event",
        csv: include_str!("../../stdlib/facts/event_parties.csv"),
    },
    FactFile {
        name: "projects",
        doc: "named companies the articles place in a province, with what the article says they did (investment in billion yuan, null where no figure is given)",
        csv: include_str!("../../stdlib/facts/projects.csv"),
    },
    FactFile {
        name: "relocations",
        doc: "moves of industries abroad and inland: reported, claimed (the video) or a directive (`status`)",
        csv: include_str!("../../stdlib/facts/relocations.csv"),
    },
    FactFile {
        name: "province_stats",
        doc: "figures the articles state about a province",
        csv: include_str!("../../stdlib/facts/province_stats.csv"),
    },
    FactFile {
        name: "stats",
        doc: "other figures the articles state (national totals, trade, cities, companies' plants)",
        csv: include_str!("../../stdlib/facts/stats.csv"),
    },
    FactFile {
        name: "claims",
        doc: "statements without a figure, in the article's words, with who made them and of what kind",
        csv: include_str!("../../stdlib/facts/claims.csv"),
    },
    FactFile {
        name: "evidence",
        doc: "the sentence behind each fact row: relation, row key, source and the quote, verbatim",
        csv: include_str!("../../stdlib/facts/evidence.csv"),
    },
];

/// The relation of quotes: not counted among the cited facts.
pub const EVIDENCE: &str = "evidence";

/// The relation of cited sources: not itself a cited fact.
pub const SOURCES: &str = "sources";

/// Parses one typed-header CSV into a table. `file` names it in errors.
pub fn parse_typed_csv(file: &str, text: &str) -> Result<Table> {
    let data_error =
        |line: u64, msg: String| Error::new(ErrorKind::Data(format!("{file}, line {line}: {msg}")));
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(true)
        .from_reader(text.as_bytes());
    let headers = reader
        .headers()
        .map_err(|e| data_error(1, e.to_string()))?
        .clone();
    let mut fields = Vec::new();
    for h in headers.iter() {
        let (name, ty) = h
            .split_once(':')
            .ok_or_else(|| data_error(1, format!("header `{h}` lacks a type, as in `{h}:text`")))?;
        let ty = Type::parse(ty)
            .ok_or_else(|| data_error(1, format!("header `{h}` has an unknown type `{ty}`")))?;
        fields.push((name.trim().to_string(), ty));
    }
    let mut values: Vec<Vec<Scalar>> = vec![Vec::new(); fields.len()];
    for record in reader.records() {
        let record =
            record.map_err(|e| data_error(e.position().map_or(0, |p| p.line()), e.to_string()))?;
        let line = record.position().map_or(0, |p| p.line());
        for ((name, ty), (field, out)) in fields.iter().zip(record.iter().zip(values.iter_mut())) {
            let v = parse_field(field, *ty).ok_or_else(|| {
                data_error(
                    line,
                    format!("column `{name}`: expected {ty}, found `{field}`"),
                )
            })?;
            out.push(v);
        }
    }
    let columns = fields
        .iter()
        .zip(values)
        .map(|((name, ty), vals)| (name.clone(), Arc::new(column_from_scalars(*ty, &vals))))
        .collect();
    Ok(Table::new(columns))
}

fn parse_field(text: &str, ty: Type) -> Option<Scalar> {
    if text.is_empty() {
        return Some(Scalar::Null);
    }
    Some(match ty {
        Type::Int => Scalar::Int(text.parse().ok()?),
        Type::Decimal => Scalar::Decimal(text.parse().ok().filter(|v: &f64| v.is_finite())?),
        Type::Bool => Scalar::Bool(match text {
            "true" => true,
            "false" => false,
            _ => return None,
        }),
        Type::Date => Scalar::Date(parse_date(text)?),
        Type::Text | Type::Null => Scalar::Text(text.into()),
    })
}
