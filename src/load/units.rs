//! Money units on load: `with (签约金额: decimal 亿元)` reads the column as
//! given and converts its amounts to billion yuan, the fact base's unit (with
//! the arithmetic of `to_billion_yuan`), and the load says so in a note.

use super::{LoadOptions, Loaded};
use crate::error::{Error, ErrorKind, Result};
use crate::money;
use crate::store::{Builder, Column, Data, Table};
use std::sync::Arc;

/// `loaded` with the columns `options` gives units converted to billion yuan.
pub(super) fn convert(shown: &str, mut loaded: Loaded, options: &LoadOptions) -> Result<Loaded> {
    if options.units.is_empty() {
        return Ok(loaded);
    }
    let mut columns: Vec<(String, Arc<Column>)> = loaded
        .table
        .fields()
        .iter()
        .zip(loaded.table.columns())
        .map(|(f, c)| (f.name.clone(), Arc::clone(c)))
        .collect();
    for (name, unit) in &options.units {
        let Some((_, col)) = columns.iter_mut().find(|(n, _)| n == name) else {
            return Err(Error::new(ErrorKind::Data(format!(
                "{shown} has no column `{name}` to convert from {}",
                unit.name
            ))));
        };
        let values: Builder<f64> = match col.data() {
            Data::Decimal(v) => Builder::collect(v.iter().enumerate().map(|(i, &x)| {
                col.is_valid(i)
                    .then(|| money::to_billion_yuan(x, *unit, 1.0))
            })),
            Data::Int(v) => Builder::collect(v.iter().enumerate().map(|(i, &x)| {
                col.is_valid(i)
                    .then(|| money::to_billion_yuan(x as f64, *unit, 1.0))
            })),
            _ => continue,
        };
        *col = Arc::new(values.into_column());
        loaded.notes.push(format!(
            "note: `{name}` was in {}; it now holds billion yuan, the fact base's unit ({})",
            unit.name,
            factor(unit.exponent)
        ));
    }
    loaded.table = Table::with_rows(columns, loaded.table.num_rows());
    Ok(loaded)
}

/// `÷ 10`, `× 1,000`: what converting did to each amount.
fn factor(exponent: i32) -> String {
    let power = crate::value::format_count(10u64.pow(exponent.unsigned_abs()));
    match exponent {
        0 => "unchanged".to_string(),
        e if e < 0 => format!("each amount ÷ {power}"),
        _ => format!("each amount × {power}"),
    }
}
