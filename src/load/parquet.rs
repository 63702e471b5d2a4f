//! Apache Parquet in and out, with the parquet crate's Arrow reader and
//! writer (codecs: snappy, zstd and gzip only). Types map both ways: 8- to
//! 64-bit integers ↔ int, floats and decimals ↔ decimal, boolean ↔ bool,
//! date ↔ date, strings ↔ text. Strings are read as Arrow dictionaries, so
//! a dictionary-encoded column goes into itq's dictionary without a string
//! per row; text is written as a dictionary the same way.
//!
//! Row groups are read on all the engine's threads at once, each into
//! columns of its own, through positioned reads of the one opened file (so
//! the threads share no file offset and the file that was checked is the
//! one read); the pieces are then put together in file order, each later
//! piece's dictionary mapped onto the first's.

use super::{LoadOptions, Loaded};
use crate::cancel::InterruptHandle;
use crate::error::{Error, ErrorKind, Result};
use crate::store::{concat_checked, Builder, Column, Data, Dict, Table};
use crate::value::Type;
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
use parquet::arrow::arrow_reader::{
    ArrowReaderMetadata, ArrowReaderOptions, ParquetRecordBatchReaderBuilder,
};
use parquet::arrow::ArrowWriter;
use parquet::basic::Compression;
use parquet::file::properties::WriterProperties;
use parquet::file::reader::{ChunkReader, Length};
use rayon::prelude::*;
use std::fs::File;
use std::io::Read;
use std::os::unix::fs::FileExt;
use std::sync::Arc;

/// What one column of the file becomes.
#[derive(Debug, Clone, Copy)]
enum Kind {
    Int,
    Decimal,
    Bool,
    Date,
    Text,
}

impl Kind {
    fn ty(self) -> Type {
        match self {
            Kind::Int => Type::Int,
            Kind::Decimal => Type::Decimal,
            Kind::Bool => Type::Bool,
            Kind::Date => Type::Date,
            Kind::Text => Type::Text,
        }
    }
}

/// One column being read.
enum Acc {
    Int(Builder<i64>),
    Decimal(Builder<f64>),
    Bool(Builder<bool>),
    Date(Builder<i32>),
    Text(Builder<u32>, Dict),
}

impl Acc {
    fn new(kind: Kind) -> Acc {
        match kind {
            Kind::Int => Acc::Int(Builder::with_capacity(0)),
            Kind::Decimal => Acc::Decimal(Builder::with_capacity(0)),
            Kind::Bool => Acc::Bool(Builder::with_capacity(0)),
            Kind::Date => Acc::Date(Builder::with_capacity(0)),
            Kind::Text => Acc::Text(Builder::with_capacity(0), Dict::new()),
        }
    }

    fn into_column(self) -> Column {
        match self {
            Acc::Int(b) => b.into_column(),
            Acc::Decimal(b) => b.into_column(),
            Acc::Bool(b) => b.into_column(),
            Acc::Date(b) => b.into_column(),
            Acc::Text(codes, dict) => {
                let (codes, validity) = codes.finish();
                Column::new(Data::Text(codes, Arc::new(dict)), validity)
            }
        }
    }
}

/// The opened file, read by position: any number of readers at once, none
/// moving another's place in it.
#[derive(Clone)]
struct Positioned(Arc<File>);

/// A [`Read`] from a place in a [`Positioned`] file.
struct ReadAt {
    file: Arc<File>,
    at: u64,
}

impl Read for ReadAt {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.file.read_at(buf, self.at)?;
        self.at += n as u64;
        Ok(n)
    }
}

impl Length for Positioned {
    fn len(&self) -> u64 {
        self.0.metadata().map(|m| m.len()).unwrap_or(0)
    }
}

impl ChunkReader for Positioned {
    type T = ReadAt;

    fn get_read(&self, start: u64) -> parquet::errors::Result<ReadAt> {
        Ok(ReadAt {
            file: Arc::clone(&self.0),
            at: start,
        })
    }

    fn get_bytes(&self, start: u64, length: usize) -> parquet::errors::Result<bytes::Bytes> {
        let mut buf = vec![0; length];
        self.0.read_exact_at(&mut buf, start)?;
        Ok(buf.into())
    }
}

/// Reads the Parquet file at `path`.
pub(crate) fn load(file: File, shown: &str, options: &LoadOptions) -> Result<Loaded> {
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
    let input = Positioned(Arc::new(file));
    let probe = ArrowReaderMetadata::load(&input, ArrowReaderOptions::new()).map_err(bad)?;
    let schema = probe.schema().clone();
    // Strings are asked for as dictionaries; the rest as stored.
    let mut kinds = Vec::with_capacity(schema.fields().len());
    let mut fields = Vec::with_capacity(schema.fields().len());
    for f in schema.fields() {
        let (kind, ty) = match f.data_type() {
            DataType::Int8
            | DataType::Int16
            | DataType::Int32
            | DataType::Int64
            | DataType::UInt8
            | DataType::UInt16
            | DataType::UInt32
            | DataType::UInt64 => (Kind::Int, f.data_type().clone()),
            DataType::Float32 | DataType::Float64 | DataType::Decimal128(..) => {
                (Kind::Decimal, f.data_type().clone())
            }
            DataType::Boolean => (Kind::Bool, DataType::Boolean),
            DataType::Date32 => (Kind::Date, DataType::Date32),
            DataType::Utf8 | DataType::LargeUtf8 | DataType::Dictionary(..) => (
                Kind::Text,
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
        kinds.push(kind);
        fields.push(Field::new(f.name(), ty, f.is_nullable()));
    }
    let wanted = ArrowReaderOptions::new().with_schema(Arc::new(Schema::new(fields)));
    let meta = ArrowReaderMetadata::try_new(Arc::clone(probe.metadata()), wanted).map_err(bad)?;
    let groups = meta.metadata().num_row_groups();
    let handle = crate::cancel::current();
    let read = |group: usize| -> Result<(usize, Vec<Column>)> {
        read_group(&input, &meta, group, &kinds, handle.as_ref(), shown).map_err(|e| match e {
            Failure::Parquet(e) => Error::new(ErrorKind::Data(format!(
                "{shown} cannot be read as Parquet (row group {}): {e}",
                group + 1
            ))),
            Failure::Itq(e) => e,
        })
    };
    let pieces: Vec<(usize, Vec<Column>)> = if groups <= 1 {
        (0..groups).map(read).collect::<Result<_>>()?
    } else {
        (0..groups)
            .into_par_iter()
            .map(read)
            .collect::<Result<_>>()?
    };
    crate::cancel::check()?;
    let rows = pieces.iter().map(|(n, _)| n).sum();
    // Column by column: the pieces' parts of each, in file order.
    let mut by_column: Vec<Vec<Column>> =
        kinds.iter().map(|_| Vec::with_capacity(groups)).collect();
    for (_, part) in pieces {
        for (column, piece) in by_column.iter_mut().zip(part) {
            column.push(piece);
        }
    }
    let columns = by_column
        .into_par_iter()
        .zip(kinds.par_iter())
        .map(|(parts, &kind)| concat_checked(kind.ty(), parts, handle.as_ref()).map(Arc::new))
        .collect::<Result<Vec<_>>>()?;
    let columns = schema
        .fields()
        .iter()
        .map(|f| f.name().clone())
        .zip(columns)
        .collect();
    Ok(Loaded {
        table: Table::with_rows(columns, rows),
        notes: Vec::new(),
    })
}

/// Why a row group could not be read.
enum Failure {
    Parquet(parquet::errors::ParquetError),
    Itq(Error),
}

/// Reads row group `group` into columns of its own.
fn read_group(
    input: &Positioned,
    meta: &ArrowReaderMetadata,
    group: usize,
    kinds: &[Kind],
    handle: Option<&InterruptHandle>,
    shown: &str,
) -> std::result::Result<(usize, Vec<Column>), Failure> {
    let reader = ParquetRecordBatchReaderBuilder::new_with_metadata(input.clone(), meta.clone())
        .with_row_groups(vec![group])
        .with_batch_size(64 * 1024)
        .build()
        .map_err(Failure::Parquet)?;
    let mut accs: Vec<Acc> = kinds.iter().map(|&k| Acc::new(k)).collect();
    let mut rows = 0;
    for batch in reader {
        let batch = batch.map_err(|e| Failure::Parquet(e.into()))?;
        if let Some(h) = handle {
            h.check().map_err(Failure::Itq)?;
        }
        for (c, (acc, array)) in accs.iter_mut().zip(batch.columns()).enumerate() {
            if let Some(i) = too_big_unsigned(array.as_ref()) {
                let before: i64 = meta.metadata().row_groups()[..group]
                    .iter()
                    .map(|g| g.num_rows())
                    .sum();
                let row = before + (rows + i) as i64 + 1;
                let name = meta.schema().field(c).name().clone();
                return Err(Failure::Itq(
                    Error::new(ErrorKind::Data(format!(
                        "{shown}: column `{name}` holds an unsigned integer above {} in row {row}, more than itq's integers hold",
                        i64::MAX
                    )))
                    .with_help("write that column as a decimal (double) or as text"),
                ));
            }
            append(acc, array.as_ref());
        }
        rows += batch.num_rows();
    }
    Ok((rows, accs.into_iter().map(Acc::into_column).collect()))
}

/// The first row of an unsigned 64-bit array whose value an `i64` cannot hold.
fn too_big_unsigned(array: &dyn Array) -> Option<usize> {
    if array.data_type() != &DataType::UInt64 {
        return None;
    }
    let a = array.as_primitive::<UInt64Type>();
    (0..a.len()).find(|&i| a.is_valid(i) && a.value(i) > i64::MAX as u64)
}

/// Appends one batch's array to its column: the values in bulk when none is
/// null, one by one otherwise.
fn append(acc: &mut Acc, array: &dyn Array) {
    fn primitive<P: arrow_array::ArrowPrimitiveType, T: Default>(
        b: &mut Builder<T>,
        a: &dyn Array,
        f: impl Fn(P::Native) -> T,
    ) {
        let a = a.as_primitive::<P>();
        if a.null_count() == 0 {
            b.extend_valid(a.values().iter().map(|&v| f(v)));
        } else {
            for i in 0..a.len() {
                b.push(a.is_valid(i).then(|| f(a.value(i))));
            }
        }
    }
    fn int<P: arrow_array::ArrowPrimitiveType>(b: &mut Builder<i64>, a: &dyn Array)
    where
        P::Native: TryInto<i64>,
    {
        // Only a u64 can miss, and too_big_unsigned has refused it first.
        primitive::<P, i64>(b, a, |v| v.try_into().unwrap_or(i64::MAX));
    }
    match acc {
        Acc::Int(b) => match array.data_type() {
            DataType::Int8 => int::<Int8Type>(b, array),
            DataType::Int16 => int::<Int16Type>(b, array),
            DataType::Int32 => int::<Int32Type>(b, array),
            DataType::UInt8 => int::<UInt8Type>(b, array),
            DataType::UInt16 => int::<UInt16Type>(b, array),
            DataType::UInt32 => int::<UInt32Type>(b, array),
            DataType::UInt64 => int::<UInt64Type>(b, array),
            _ => int::<Int64Type>(b, array),
        },
        Acc::Decimal(b) => match array.data_type() {
            DataType::Float32 => primitive::<Float32Type, f64>(b, array, f64::from),
            DataType::Decimal128(_, scale) => {
                let unit = 10f64.powi(i32::from(*scale));
                primitive::<Decimal128Type, f64>(b, array, |v| v as f64 / unit)
            }
            _ => primitive::<Float64Type, f64>(b, array, |v| v),
        },
        Acc::Bool(b) => {
            let a = array.as_boolean();
            if a.null_count() == 0 {
                b.extend_valid(a.values().iter());
            } else {
                for i in 0..a.len() {
                    b.push(a.is_valid(i).then(|| a.value(i)));
                }
            }
        }
        Acc::Date(b) => primitive::<Date32Type, i32>(b, array, |v| v),
        Acc::Text(codes, dict) => {
            let a = array.as_dictionary::<Int32Type>();
            let values = a.values().as_string::<i32>();
            // Each distinct string of the batch is looked up once.
            let map: Vec<Option<u32>> = (0..values.len())
                .map(|k| values.is_valid(k).then(|| dict.intern(values.value(k))))
                .collect();
            let keys = a.keys();
            let code = |k: i32| map.get(k as usize).copied().flatten();
            if keys.null_count() == 0 && values.null_count() == 0 {
                codes.extend_valid(keys.values().iter().map(|&k| code(k).unwrap_or(0)));
            } else {
                for i in 0..keys.len() {
                    codes.push(if keys.is_valid(i) {
                        code(keys.value(i))
                    } else {
                        None
                    });
                }
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

    #[test]
    fn row_groups_read_at_once_come_back_in_file_order() {
        // Five row groups of two rows: each group's strings are a dictionary
        // of their own, and nulls start only in a later group.
        let schema = Arc::new(Schema::new(vec![
            Field::new("n", DataType::Int64, true),
            Field::new("s", DataType::Utf8, true),
            Field::new("x", DataType::Float64, true),
        ]));
        let n: Vec<Option<i64>> = vec![
            Some(1),
            Some(2),
            Some(3),
            None,
            Some(5),
            Some(6),
            None,
            Some(8),
            Some(9),
            Some(10),
        ];
        let s: Vec<Option<&str>> = vec![
            Some("a"),
            Some("b"),
            Some("c"),
            Some("a"),
            None,
            Some("d"),
            Some("d"),
            Some("b"),
            Some("e"),
            None,
        ];
        let x: Vec<Option<f64>> = vec![
            Some(0.5),
            Some(1.5),
            Some(2.5),
            Some(3.5),
            Some(4.5),
            None,
            Some(6.5),
            Some(7.5),
            Some(8.5),
            Some(9.5),
        ];
        let batch = RecordBatch::try_new(
            Arc::clone(&schema),
            vec![
                Arc::new(Int64Array::from(n.clone())),
                Arc::new(StringArray::from(s.clone())),
                Arc::new(Float64Array::from(x.clone())),
            ],
        )
        .unwrap();
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("g.parquet");
        let props = WriterProperties::builder()
            .set_max_row_group_row_count(Some(2))
            .build();
        let mut w =
            ArrowWriter::try_new(std::fs::File::create(&path).unwrap(), schema, Some(props))
                .unwrap();
        w.write(&batch).unwrap();
        w.close().unwrap();
        let file = std::fs::File::open(&path).unwrap();
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(3)
            .build()
            .unwrap();
        let loaded = pool
            .install(|| load(file, "g.parquet", &LoadOptions::default()))
            .unwrap_or_else(|e| panic!("{}", e.render()));
        let t = loaded.table;
        assert_eq!(t.num_rows(), 10);
        for row in 0..10 {
            let shown = |c: usize| t.get(row, c).to_string();
            assert_eq!(
                shown(0),
                n[row].map_or("null".into(), |v| v.to_string()),
                "n at {row}"
            );
            assert_eq!(
                shown(1),
                s[row].map_or("null".into(), str::to_string),
                "s at {row}"
            );
            assert_eq!(
                shown(2),
                x[row].map_or("null".into(), |v| v.to_string()),
                "x at {row}"
            );
        }
    }

    #[test]
    fn an_unsigned_integer_too_big_for_itq_is_refused_with_its_row() {
        let schema = Arc::new(Schema::new(vec![Field::new("n", DataType::UInt64, true)]));
        let batch = RecordBatch::try_new(
            Arc::clone(&schema),
            vec![Arc::new(arrow_array::UInt64Array::from(vec![
                Some(1),
                None,
                Some(u64::MAX),
            ]))],
        )
        .unwrap();
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("u.parquet");
        let mut w =
            ArrowWriter::try_new(std::fs::File::create(&path).unwrap(), schema, None).unwrap();
        w.write(&batch).unwrap();
        w.close().unwrap();
        let file = std::fs::File::open(&path).unwrap();
        let err = match load(file, "u.parquet", &LoadOptions::default()) {
            Ok(_) => panic!("u64::MAX was loaded"),
            Err(e) => e.render(),
        };
        assert!(
            err.contains("u.parquet: column `n` holds an unsigned integer above 9223372036854775807 in row 3"),
            "{err}"
        );
        assert!(err.contains("as a decimal (double) or as text"), "{err}");
    }
}
