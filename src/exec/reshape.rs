//! Steps that move values between rows and columns without computing new
//! ones: `append` (the rows of two relations, end to end, columns matched by
//! name) and `unpivot` (columns turned into rows). Both copy whole columns
//! (text dictionaries merged once), checking the memory budget first.

use crate::cancel;
use crate::error::Result;
use crate::store::{concat, Column, Data, Dict, Table};
use crate::value::Type;
use std::sync::Arc;

/// Bytes one row of `t` takes (text: its code).
fn row_bytes(t: &Table) -> u64 {
    t.columns()
        .iter()
        .map(|c| match c.data() {
            Data::Int(_) | Data::Decimal(_) => 8,
            Data::Date(_) | Data::Text(..) => 4,
            Data::Bool(_) => 1,
        })
        .sum::<u64>()
        + 1
}

/// `col` as a column of type `ty` (an integer column widened to decimal, a
/// column of nulls typed).
fn as_type(col: &Column, ty: Type) -> Column {
    if col.ty() == Type::Null {
        Column::nulls(ty, col.len())
    } else if ty == Type::Decimal && col.ty() == Type::Int {
        col.to_decimal()
    } else {
        col.clone()
    }
}

/// The rows of `left`, then those of `right`, whose column `right_columns[i]`
/// is the output's column `i`.
pub fn append(
    left: &Table,
    right: &Table,
    right_columns: &[usize],
    types: &[Type],
) -> Result<Table> {
    let rows = left.num_rows() + right.num_rows();
    crate::limits::check_rows(
        "`append`",
        rows as u64,
        row_bytes(left),
        "filter the rows first, or append fewer",
    )?;
    let mut out = Vec::with_capacity(types.len());
    for (i, (&r, &ty)) in right_columns.iter().zip(types).enumerate() {
        cancel::check()?;
        let parts = vec![
            as_type(left.column_at(i), ty),
            as_type(right.column_at(r), ty),
        ];
        out.push((left.fields()[i].name.clone(), Arc::new(concat(ty, parts))));
    }
    Ok(Table::with_rows(out, rows))
}

/// For each row of `input`, one row per column of `columns`: the `keep`
/// columns, the column's name, its value (as type `ty`).
pub fn unpivot(
    input: &Table,
    keep: &[usize],
    columns: &[(String, usize)],
    names: &(String, String),
    ty: Type,
) -> Result<Table> {
    let (rows, k) = (input.num_rows(), columns.len());
    let total = rows * k;
    crate::limits::check_rows(
        "`unpivot`",
        total as u64,
        row_bytes(input) + 8,
        "filter the rows first, or unpivot fewer columns",
    )?;
    // Row j of the result is input row j / k and listed column j % k.
    let repeated: Vec<u32> = (0..total).map(|j| (j / k) as u32).collect();
    let mut out = Vec::with_capacity(keep.len() + 2);
    for &c in keep {
        cancel::check()?;
        let col = input.column_at(c).take(&repeated);
        out.push((input.fields()[c].name.clone(), Arc::new(col)));
    }
    let mut dict = Dict::new();
    columns.iter().for_each(|(n, _)| {
        dict.intern(n);
    });
    let codes: Vec<u32> = (0..total).map(|j| (j % k) as u32).collect();
    let name_col = Column::new(Data::Text(codes, Arc::new(dict)), None);
    out.push((names.0.clone(), Arc::new(name_col)));
    cancel::check()?;
    // All listed columns end to end, then read in row-major order.
    let whole = concat(
        ty,
        columns
            .iter()
            .map(|&(_, c)| as_type(input.column_at(c), ty))
            .collect(),
    );
    let order: Vec<u32> = (0..total)
        .map(|j| ((j % k) * rows + j / k) as u32)
        .collect();
    out.push((names.1.clone(), Arc::new(whole.take(&order))));
    Ok(Table::with_rows(out, total))
}
