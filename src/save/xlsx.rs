//! Results as an Excel workbook (.xlsx), written with rust_xlsxwriter: a
//! sheet per result, each with a bold header row that stays in view
//! (frozen), numbers as numbers, dates as dates, text as text and nulls as
//! empty cells.

use crate::error::{Error, ErrorKind, Result};
use crate::store::{Data, Table};
use rust_xlsxwriter::{ExcelDateTime, Format, Workbook, XlsxError};

/// The bytes of a workbook of these sheets (name and table, in order);
/// `shown` names the file in errors.
pub(crate) fn workbook(sheets: &[(&str, &Table)], shown: &str) -> Result<Vec<u8>> {
    let mut book = Workbook::new();
    for (name, table) in sheets {
        add_sheet(&mut book, table, shown, name)?;
    }
    book.save_to_buffer().map_err(|e| fail(shown, e))
}

fn fail(shown: &str, e: XlsxError) -> Error {
    Error::new(ErrorKind::Write {
        path: shown.to_string(),
        message: e.to_string(),
    })
}

/// Writes `table` to a new sheet of `book` called `sheet`.
fn add_sheet(book: &mut Workbook, table: &Table, shown: &str, sheet: &str) -> Result<()> {
    let fail = |e: XlsxError| fail(shown, e);
    let ws = book.add_worksheet();
    ws.set_name(sheet).map_err(|e| {
        Error::new(ErrorKind::Invalid(format!(
            "\"{sheet}\" cannot be a sheet name: {e}"
        )))
        .with_help("a sheet name has at most 31 characters and none of [ ] : * ? / \\")
    })?;
    let bold = Format::new().set_bold();
    let date = Format::new().set_num_format("yyyy-mm-dd");
    for (c, field) in table.fields().iter().enumerate() {
        ws.write_string_with_format(0, c as u16, &field.name, &bold)
            .map_err(fail)?;
    }
    if table.num_columns() > 16_384 || table.num_rows() >= 1_048_576 {
        return Err(Error::new(ErrorKind::Invalid(format!(
            "{shown}: a sheet holds at most 1,048,575 rows and 16,384 columns, and this result has {} rows and {} columns",
            table.num_rows(),
            table.num_columns()
        )))
        .with_help("save it as .csv or .parquet, or save fewer rows"));
    }
    for (c, column) in table.columns().iter().enumerate() {
        let c = c as u16;
        let mut width = table.fields()[c as usize].name.chars().count();
        for r in 0..column.len() {
            if !column.is_valid(r) {
                continue;
            }
            let row = r as u32 + 1;
            match column.data() {
                Data::Int(v) => {
                    let v = v[r];
                    if v.unsigned_abs() <= 1 << 53 {
                        ws.write_number(row, c, v as f64)
                    } else {
                        // Excel's numbers are doubles: a larger integer stays exact as text.
                        ws.write_string(row, c, v.to_string())
                    }
                }
                Data::Decimal(v) => ws.write_number(row, c, v[r]),
                Data::Bool(v) => ws.write_boolean(row, c, v[r]),
                Data::Date(v) => {
                    let text = crate::value::format_date(v[r]);
                    match ExcelDateTime::parse_from_str(&text) {
                        Ok(d) => ws.write_datetime_with_format(row, c, d, &date),
                        // Before 1900 Excel has no dates: the ISO text instead.
                        Err(_) => ws.write_string(row, c, text),
                    }
                }
                Data::Text(codes, dict) => {
                    let s = dict.get(codes[r]);
                    width = width.max(s.chars().count().min(60));
                    ws.write_string(row, c, s)
                }
            }
            .map_err(fail)?;
        }
        if matches!(column.data(), Data::Date(_)) {
            width = width.max(10);
        }
        ws.set_column_width(c, (width as f64 + 2.0).min(62.0))
            .map_err(fail)?;
    }
    ws.set_freeze_panes(1, 0).map_err(fail)?;
    Ok(())
}
