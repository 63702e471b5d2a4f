//! Apache Parquet in and out, with the parquet crate's Arrow reader and
//! writer (codecs: snappy, zstd and gzip only). Types map both ways: 8- to
//! 64-bit integers ↔ int, floats and decimals ↔ decimal, boolean ↔ bool,
//! date ↔ date, strings ↔ text. Strings are read as Arrow dictionaries, so
//! a dictionary-encoded column goes into itq's dictionary without a string
//! per row; text is written as a dictionary the same way.

use super::{LoadOptions, Loaded};
use crate::error::{Error, ErrorKind, Result};
use crate::store::{Builder, Column, Data, Dict, Table};
use arrow_array::cast::AsArray;
use arrow_array::types::{
    Date32Type, Decimal128Type, Float32Type, Float64Type, Int16Type, Int32Type, Int64Type,
    Int8Type, UInt16Type, UInt32Type, UInt64Type, UInt8Type,
};
use arrow_array::{
    Array, ArrayRef, BooleanArray, Date32Array, DictionaryArray, Float64Array, Int32Array,
    Int64Array, RecordBatch, StringArray,
};
use arrow_schema::{DataType, Field, Schema};
use parquet::arrow::arrow_reader::{ArrowReaderOptions, ParquetRecordBatchReaderBuilder};
use parquet::arrow::ArrowWriter;
use parquet::basic::Compression;
use parquet::file::properties::WriterProperties;
use std::sync::Arc;

/// One column being read.
enum Acc {
    Int(Builder<i64>),
    Decimal(Builder<f64>),
    Bool(Builder<bool>),
    Date(Builder<i32>),
    Text(Builder<u32>, Dict),
}

/// Reads the Parquet file at `path`.
pub(crate) fn load(file: std::fs::File, shown: &str, options: &LoadOptions) -> Result<Loaded> {
    if !options.types.is_empty() {
        return Err(Error::new(ErrorKind::Invalid(format!(
            "{shown} is Parquet, whose columns have their types already"
        )))
        .with_help("leave `with (...)` out; convert a column in the query instead"));
    }
    let bad = |e: parquet::errors::ParquetError| {
        Error::new(ErrorKind::Data(format!(
            "{shown} cannot be read as Parquet: {e}"
        )))
        .with_help(
            "check that the file is whole and is Parquet (a CSV file needs the .csv extension)",
        )
    };
    // The file that was opened (and checked) is read, through a second handle to it.
    let open = || {
        file.try_clone().map_err(|e| {
            Error::new(ErrorKind::Io {
                path: shown.to_string(),
                message: e.to_string(),
            })
        })
    };
    let probe = ParquetRecordBatchReaderBuilder::try_new(open()?).map_err(bad)?;
    let schema = probe.schema().clone();
    drop(probe);
    // Strings are asked for as dictionaries; the rest as stored.
    let mut accs = Vec::with_capacity(schema.fields().len());
    let mut fields = Vec::with_capacity(schema.fields().len());
    for f in schema.fields() {
        let (acc, ty) = match f.data_type() {
            DataType::Int8
            | DataType::Int16
            | DataType::Int32
            | DataType::Int64
            | DataType::UInt8
            | DataType::UInt16
            | DataType::UInt32
            | DataType::UInt64 => (Acc::Int(Builder::with_capacity(0)), f.data_type().clone()),
            DataType::Float32 | DataType::Float64 | DataType::Decimal128(..) => {
                (Acc::Decimal(Builder::with_capacity(0)), f.data_type().clone())
            }
            DataType::Boolean => (Acc::Bool(Builder::with_capacity(0)), DataType::Boolean),
            DataType::Date32 => (Acc::Date(Builder::with_capacity(0)), DataType::Date32),
            DataType::Utf8 | DataType::LargeUtf8 | DataType::Dictionary(..) => (
                Acc::Text(Builder::with_capacity(0), Dict::new()),
                DataType::Dictionary(Box::new(DataType::Int32), Box::new(DataType::Utf8)),
            ),
            other => {
                return Err(Error::new(ErrorKind::Data(format!(
                    "{shown}: column `{}` holds {other}, which itq does not read",
                    f.name()
                )))
                .with_help("itq reads integer, floating-point, decimal, boolean, date and string columns; write that column as one of those"))
            }
        };
        accs.push(acc);
        fields.push(Field::new(f.name(), ty, f.is_nullable()));
    }
    let wanted = Arc::new(Schema::new(fields));
    let reader = ParquetRecordBatchReaderBuilder::try_new_with_options(
        open()?,
        ArrowReaderOptions::new().with_schema(wanted),
    )
    .map_err(bad)?
    .with_batch_size(64 * 1024)
    .build()
    .map_err(bad)?;
    let mut rows = 0usize;
    for batch in reader {
        let batch = batch.map_err(|e| {
            Error::new(ErrorKind::Data(format!(
                "{shown} cannot be read as Parquet: {e}"
            )))
        })?;
        crate::cancel::check()?;
        rows += batch.num_rows();
        for (acc, array) in accs.iter_mut().zip(batch.columns()) {
            append(acc, array.as_ref());
        }
    }
    let columns = accs
        .into_iter()
        .zip(schema.fields())
        .map(|(acc, f)| {
            let column = match acc {
                Acc::Int(b) => b.into_column(),
                Acc::Decimal(b) => b.into_column(),
                Acc::Bool(b) => b.into_column(),
                Acc::Date(b) => b.into_column(),
                Acc::Text(codes, dict) => {
                    let (codes, validity) = codes.finish();
                    Column::new(Data::Text(codes, Arc::new(dict)), validity)
                }
            };
            (f.name().clone(), Arc::new(column))
        })
        .collect();
    Ok(Loaded {
        table: Table::with_rows(columns, rows),
        notes: Vec::new(),
    })
}

/// Appends one batch's array to its column.
fn append(acc: &mut Acc, array: &dyn Array) {
    fn ints<T: arrow_array::ArrowPrimitiveType>(b: &mut Builder<i64>, a: &dyn Array)
    where
        T::Native: TryInto<i64>,
    {
        let a = a.as_primitive::<T>();
        for i in 0..a.len() {
            b.push(
                a.is_valid(i)
                    .then(|| a.value(i).try_into().unwrap_or(i64::MAX)),
            );
        }
    }
    match acc {
        Acc::Int(b) => match array.data_type() {
            DataType::Int8 => ints::<Int8Type>(b, array),
            DataType::Int16 => ints::<Int16Type>(b, array),
            DataType::Int32 => ints::<Int32Type>(b, array),
            DataType::UInt8 => ints::<UInt8Type>(b, array),
            DataType::UInt16 => ints::<UInt16Type>(b, array),
            DataType::UInt32 => ints::<UInt32Type>(b, array),
            DataType::UInt64 => ints::<UInt64Type>(b, array),
            _ => ints::<Int64Type>(b, array),
        },
        Acc::Decimal(b) => match array.data_type() {
            DataType::Float32 => {
                let a = array.as_primitive::<Float32Type>();
                for i in 0..a.len() {
                    b.push(a.is_valid(i).then(|| f64::from(a.value(i))));
                }
            }
            DataType::Decimal128(_, scale) => {
                let a = array.as_primitive::<Decimal128Type>();
                let unit = 10f64.powi(i32::from(*scale));
                for i in 0..a.len() {
                    b.push(a.is_valid(i).then(|| a.value(i) as f64 / unit));
                }
            }
            _ => {
                let a = array.as_primitive::<Float64Type>();
                for i in 0..a.len() {
                    b.push(a.is_valid(i).then(|| a.value(i)));
                }
            }
        },
        Acc::Bool(b) => {
            let a = array.as_boolean();
            for i in 0..a.len() {
                b.push(a.is_valid(i).then(|| a.value(i)));
            }
        }
        Acc::Date(b) => {
            let a = array.as_primitive::<Date32Type>();
            for i in 0..a.len() {
                b.push(a.is_valid(i).then(|| a.value(i)));
            }
        }
        Acc::Text(codes, dict) => {
            let a = array.as_dictionary::<Int32Type>();
            let values = a.values().as_string::<i32>();
            // Each distinct string of the batch is looked up once.
            let map: Vec<Option<u32>> = (0..values.len())
                .map(|k| values.is_valid(k).then(|| dict.intern(values.value(k))))
                .collect();
            let keys = a.keys();
            for i in 0..keys.len() {
                let code = if keys.is_valid(i) {
                    map.get(keys.value(i) as usize).copied().flatten()
                } else {
                    None
                };
                codes.push(code);
            }
        }
    }
}

/// Rows handed to the Parquet writer at a time.
const WRITE_SLICE: usize = 1 << 16;

/// A table as a Parquet file's bytes (snappy-compressed, text as dictionaries).
pub(crate) fn parquet_bytes(table: &Table, shown: &str) -> Result<Vec<u8>> {
    let fail = |message: String| {
        Error::new(ErrorKind::Write {
            path: shown.to_string(),
            message,
        })
    };
    let mut fields = Vec::with_capacity(table.num_columns());
    let mut arrays: Vec<ArrayRef> = Vec::with_capacity(table.num_columns());
    for (field, column) in table.fields().iter().zip(table.columns()) {
        let valid = |i: usize| column.is_valid(i);
        let array: ArrayRef = match column.data() {
            Data::Int(v) => Arc::new(Int64Array::from_iter(
                v.iter().enumerate().map(|(i, x)| valid(i).then_some(*x)),
            )),
            Data::Decimal(v) => Arc::new(Float64Array::from_iter(
                v.iter().enumerate().map(|(i, x)| valid(i).then_some(*x)),
            )),
            Data::Bool(v) => Arc::new(BooleanArray::from_iter(
                v.iter().enumerate().map(|(i, x)| valid(i).then_some(*x)),
            )),
            Data::Date(v) => Arc::new(Date32Array::from_iter(
                v.iter().enumerate().map(|(i, x)| valid(i).then_some(*x)),
            )),
            Data::Text(codes, dict) => {
                let keys = Int32Array::from_iter(
                    codes
                        .iter()
                        .enumerate()
                        .map(|(i, c)| valid(i).then_some(*c as i32)),
                );
                let values = StringArray::from_iter_values(dict.values().iter().map(|s| &**s));
                Arc::new(
                    DictionaryArray::<Int32Type>::try_new(keys, Arc::new(values))
                        .map_err(|e| fail(e.to_string()))?,
                )
            }
        };
        fields.push(Field::new(&field.name, array.data_type().clone(), true));
        arrays.push(array);
        crate::cancel::check()?;
    }
    let schema = Arc::new(Schema::new(fields));
    let batch = if arrays.is_empty() {
        RecordBatch::new_empty(Arc::clone(&schema))
    } else {
        RecordBatch::try_new(Arc::clone(&schema), arrays).map_err(|e| fail(e.to_string()))?
    };
    let props = WriterProperties::builder()
        .set_compression(Compression::SNAPPY)
        .build();
    let mut out = Vec::new();
    let mut writer =
        ArrowWriter::try_new(&mut out, schema, Some(props)).map_err(|e| fail(e.to_string()))?;
    // Written in slices (the row groups come out the same), so a cancel is
    // noticed between them.
    let mut at = 0;
    loop {
        crate::cancel::check()?;
        let len = (batch.num_rows() - at).min(WRITE_SLICE);
        writer
            .write(&batch.slice(at, len))
            .map_err(|e| fail(e.to_string()))?;
        at += len;
        if at == batch.num_rows() {
            break;
        }
    }
    writer.close().map_err(|e| fail(e.to_string()))?;
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use arrow_array::{Int64Array, RecordBatch, StringArray};

    #[test]
    fn columns_without_nulls_declared_load() {
        // DuckDB writes NOT NULL columns as `required`: not nullable in Arrow.
        let schema = Arc::new(Schema::new(vec![
            Field::new("id", DataType::Int64, false),
            Field::new("name", DataType::Utf8, false),
        ]));
        let batch = RecordBatch::try_new(
            Arc::clone(&schema),
            vec![
                Arc::new(Int64Array::from(vec![1, 2])),
                Arc::new(StringArray::from(vec!["a", "b"])),
            ],
        )
        .unwrap();
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("r.parquet");
        let mut w =
            ArrowWriter::try_new(std::fs::File::create(&path).unwrap(), schema, None).unwrap();
        w.write(&batch).unwrap();
        w.close().unwrap();
        let file = std::fs::File::open(&path).unwrap();
        let loaded = load(file, "r.parquet", &LoadOptions::default())
            .unwrap_or_else(|e| panic!("{}", e.render()));
        assert_eq!(loaded.table.num_rows(), 2);
        assert_eq!(loaded.table.get(1, 1).to_string(), "b");
    }
}
