//! A synthetic project register for trying itq at scale and for benchmarks.
//!
//! **The data is made up.** Provinces are the 31 real provincial-level
//! divisions (from the fact base's `provinces`), but every row, sector mix,
//! origin, year and figure is drawn from a seeded pseudo-random generator. It
//! never enters the cited fact base; the command line only uses it when asked
//! (`itq generate projects`).
//!
//! Row `i` depends only on the seed and `i` (a counter-based generator), so
//! the output is the same whatever the number of threads, and the CSV and the
//! in-memory [`projects_table`] hold exactly the same values.

use crate::store::{facts, Bitmap, Column, Data, Dict, Table};
use rayon::prelude::*;
use std::io::Write;
use std::path::Path;
use std::sync::Arc;

/// The seed used when none is given.
pub const DEFAULT_SEED: u64 = 2024;

/// The columns, in order.
pub const COLUMNS: [&str; 8] = [
    "id",
    "province",
    "sector",
    "origin",
    "year",
    "investment",
    "firm",
    "plant",
];

/// How many firms (`firm`, text `F000001` to `F100000`) rows are drawn from:
/// a text key with 10^5 distinct values.
pub const FIRMS: u64 = 100_000;
/// How many plants (`plant`, integers 1 to 1,000,000) rows are drawn from:
/// an integer key with up to 10^6 distinct values.
pub const PLANTS: u64 = 1_000_000;

/// The 18 sectors projects are drawn from.
pub const SECTORS: [&str; 18] = [
    "new energy",
    "battery materials",
    "non-ferrous metallurgy",
    "automotive",
    "electronics",
    "textiles",
    "apparel",
    "furniture",
    "petrochemicals",
    "biopharmaceuticals",
    "new materials",
    "equipment manufacturing",
    "digital economy",
    "food processing",
    "aerospace",
    "logistics",
    "cross-border e-commerce",
    "smart agricultural machinery",
];

/// Origins that are not provinces of mainland China (the rest are provinces).
const ORIGINS_ABROAD: [&str; 8] = [
    "Hong Kong",
    "Macao",
    "Taiwan",
    "Japan",
    "South Korea",
    "Singapore",
    "Germany",
    "United States",
];

/// The first year projects are drawn from; there are [`YEARS`] years.
const FIRST_YEAR: i64 = 2000;
const YEARS: u64 = 25;
/// One row in this many has no investment figure (null).
const NULL_EVERY: u64 = 50;
/// Rows are made in blocks of this size, in parallel.
const BLOCK: usize = 1 << 16;

/// The 31 province names, in the fact base's order.
pub fn province_names() -> Vec<&'static str> {
    let file = facts::FACT_FILES
        .iter()
        .find(|f| f.name == "provinces")
        .expect("the fact base has a provinces file");
    file.csv
        .lines()
        .skip(1)
        .filter_map(|l| l.split(',').next())
        .filter(|n| !n.is_empty())
        .collect()
}

/// The origins: every province, then a few economies abroad.
pub fn origin_names() -> Vec<&'static str> {
    let mut v = province_names();
    v.extend(ORIGINS_ABROAD);
    v
}

/// SplitMix64's finaliser: a well-mixed 64-bit value from any input.
#[inline]
fn mix(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// One generated row, as codes into the name lists.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Row {
    province: u32,
    sector: u32,
    origin: u32,
    year: i64,
    /// Investment in hundredths of a billion yuan; `None` for no figure.
    cents: Option<u64>,
    /// The firm's number, below [`FIRMS`] (shown from 1).
    firm: u32,
    /// The plant's number, below [`PLANTS`] (shown from 1).
    plant: u32,
}

/// The fixed vocabulary sizes, so a row needs no allocation.
struct Shape {
    provinces: u64,
    origins: u64,
}

impl Shape {
    fn new() -> Shape {
        Shape {
            provinces: province_names().len() as u64,
            origins: origin_names().len() as u64,
        }
    }

    fn row(&self, seed: u64, i: u64) -> Row {
        let base = mix(seed).wrapping_add(i.wrapping_mul(0x9e37_79b9_7f4a_7c15));
        let a = mix(base);
        let b = mix(base ^ 0x5851_f42d_4c95_7f2d);
        let c = mix(base ^ 0x2545_f491_4f6c_dd1d);
        // The columns added later draw on bits of their own, so the first
        // six columns are what they always were.
        let d = mix(base ^ 0x3c6e_f372_fe94_f82b);
        // A skew towards the first names keeps the groups uneven, as real
        // registers are.
        let province = skewed(a & 0xffff_ffff, self.provinces);
        let sector = skewed(a >> 32, SECTORS.len() as u64);
        let origin = ((c >> 32) * self.origins) >> 32;
        let year = FIRST_YEAR + (((b & 0xffff) * YEARS) >> 16) as i64;
        let cents = if (c & 0xffff_ffff).is_multiple_of(NULL_EVERY) {
            None
        } else {
            // Log-uniform between 0.01 and about 800 billion yuan.
            let u = ((b >> 24) as f64) / ((1u64 << 40) as f64);
            Some((10f64.powf(u * 4.9)).floor() as u64)
        };
        Row {
            province: province as u32,
            sector: sector as u32,
            origin: origin as u32,
            year,
            cents,
            firm: (((d & 0xffff_ffff) * FIRMS) >> 32) as u32,
            plant: (((d >> 32) * PLANTS) >> 32) as u32,
        }
    }
}

/// A value below `n` from random bits `r` (up to 32 bits), denser at low values.
#[inline]
fn skewed(r: u64, n: u64) -> u64 {
    let u = (r & 0xffff_ffff) as f64 / 4_294_967_296.0;
    ((u * u * 0.5 + u * 0.5) * n as f64) as u64
}

/// A firm's name: `F` and its number from 1, in six digits.
fn firm_name(firm: u32) -> String {
    let mut out = Vec::with_capacity(7);
    push_firm(&mut out, firm);
    String::from_utf8(out).expect("digits are ASCII")
}

/// Appends a firm's name (see [`firm_name`]).
fn push_firm(out: &mut Vec<u8>, firm: u32) {
    let mut n = firm + 1;
    let mut digits = [b'0'; 6];
    for d in digits.iter_mut().rev() {
        *d = b'0' + (n % 10) as u8;
        n /= 10;
    }
    out.push(b'F');
    out.extend_from_slice(&digits);
}

fn dict(names: &[&str]) -> Arc<Dict> {
    let mut d = Dict::new();
    for n in names {
        d.intern(n);
    }
    Arc::new(d)
}

/// The synthetic register of `rows` rows as an itq table, built directly in
/// columns (the same values `write_csv` writes).
pub fn projects_table(rows: usize, seed: u64) -> Table {
    let shape = Shape::new();
    let generated: Vec<Row> = (0..rows)
        .into_par_iter()
        .with_min_len(BLOCK)
        .map(|i| shape.row(seed, i as u64))
        .collect();
    let ids: Vec<i64> = (1..=rows as i64).collect();
    let province = generated.iter().map(|r| r.province).collect();
    let sector = generated.iter().map(|r| r.sector).collect();
    let origin = generated.iter().map(|r| r.origin).collect();
    let year = generated.iter().map(|r| r.year).collect();
    let investment: Vec<f64> = generated
        .iter()
        .map(|r| r.cents.map_or(0.0, |c| c as f64 / 100.0))
        .collect();
    let validity: Bitmap = generated.iter().map(|r| r.cents.is_some()).collect();
    // The firms' dictionary holds the names that occur, in order of first
    // appearance, as a load would make it.
    let mut firms = Dict::new();
    let mut firm_codes = vec![u32::MAX; FIRMS as usize];
    let firm: Vec<u32> = generated
        .iter()
        .map(|r| {
            let code = &mut firm_codes[r.firm as usize];
            if *code == u32::MAX {
                *code = firms.intern(&firm_name(r.firm));
            }
            *code
        })
        .collect();
    let plant = generated.iter().map(|r| i64::from(r.plant) + 1).collect();
    let col = |d: Data| Arc::new(Column::new(d, None));
    Table::new(vec![
        ("id".into(), col(Data::Int(ids))),
        (
            "province".into(),
            col(Data::Text(province, dict(&province_names()))),
        ),
        ("sector".into(), col(Data::Text(sector, dict(&SECTORS)))),
        (
            "origin".into(),
            col(Data::Text(origin, dict(&origin_names()))),
        ),
        ("year".into(), col(Data::Int(year))),
        (
            "investment".into(),
            Arc::new(Column::new(Data::Decimal(investment), Some(validity))),
        ),
        ("firm".into(), col(Data::Text(firm, Arc::new(firms)))),
        ("plant".into(), col(Data::Int(plant))),
    ])
}

/// Appends `n` in decimal.
fn push_u64(out: &mut Vec<u8>, mut n: u64) {
    let mut buf = [0u8; 20];
    let mut i = buf.len();
    loop {
        i -= 1;
        buf[i] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    out.extend_from_slice(&buf[i..]);
}

/// Writes the register as CSV with a header line. Names never hold commas or quotes.
pub fn write_csv(out: &mut impl Write, rows: usize, seed: u64) -> std::io::Result<()> {
    let shape = Shape::new();
    let (provinces, origins) = (province_names(), origin_names());
    out.write_all(COLUMNS.join(",").as_bytes())?;
    out.write_all(b"\n")?;
    let blocks = rows.div_ceil(BLOCK);
    // Blocks are formatted in parallel a few at a time and written in order.
    let batch = rayon::current_num_threads() * 2;
    for first in (0..blocks).step_by(batch) {
        let texts: Vec<Vec<u8>> = (first..(first + batch).min(blocks))
            .into_par_iter()
            .map(|b| {
                let start = b * BLOCK;
                let end = (start + BLOCK).min(rows);
                let mut text = Vec::with_capacity((end - start) * 72);
                for i in start..end {
                    let r = shape.row(seed, i as u64);
                    push_u64(&mut text, i as u64 + 1);
                    text.push(b',');
                    text.extend_from_slice(provinces[r.province as usize].as_bytes());
                    text.push(b',');
                    text.extend_from_slice(SECTORS[r.sector as usize].as_bytes());
                    text.push(b',');
                    text.extend_from_slice(origins[r.origin as usize].as_bytes());
                    text.push(b',');
                    push_u64(&mut text, r.year as u64);
                    text.push(b',');
                    if let Some(c) = r.cents {
                        push_u64(&mut text, c / 100);
                        text.push(b'.');
                        text.push(b'0' + (c % 100 / 10) as u8);
                        text.push(b'0' + (c % 10) as u8);
                    }
                    text.push(b',');
                    push_firm(&mut text, r.firm);
                    text.push(b',');
                    push_u64(&mut text, u64::from(r.plant) + 1);
                    text.push(b'\n');
                }
                text
            })
            .collect();
        for t in texts {
            out.write_all(&t)?;
        }
    }
    out.flush()
}

/// Writes the CSV to `path` atomically: to a temporary file beside it, then
/// renamed over it, so a reader never sees half a file.
pub fn write_csv_file(path: &Path, rows: usize, seed: u64) -> std::io::Result<()> {
    if path.is_dir() {
        return Err(std::io::Error::other("it is a folder; name a file in it"));
    }
    let name = path
        .file_name()
        .ok_or_else(|| std::io::Error::other("the path names no file"))?;
    let mut tmp_name = std::ffi::OsString::from(".");
    tmp_name.push(name);
    tmp_name.push(format!(".{}.tmp", std::process::id()));
    let tmp = path.with_file_name(tmp_name);
    let result = (|| {
        let file = std::fs::File::create(&tmp)?;
        let mut w = std::io::BufWriter::with_capacity(1 << 20, file);
        write_csv(&mut w, rows, seed)?;
        let file = w.into_inner().map_err(|e| e.into_error())?;
        file.sync_all()?;
        std::fs::rename(&tmp, path)
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_do_not_depend_on_block_boundaries() {
        let shape = Shape::new();
        let a = shape.row(7, 123_456);
        assert_eq!(a, shape.row(7, 123_456));
        assert_ne!(shape.row(7, 1), shape.row(8, 1));
    }

    #[test]
    fn numbers_format_in_decimal() {
        let mut v = Vec::new();
        for n in [0, 7, 10, 12345, u64::MAX] {
            push_u64(&mut v, n);
            v.push(b' ');
        }
        assert_eq!(
            String::from_utf8(v).unwrap(),
            "0 7 10 12345 18446744073709551615 "
        );
    }
}
