//! A table: named, typed columns of equal length. Query results and stored relations are both tables.

use super::column::Column;
use crate::value::{Scalar, Type};
use std::sync::Arc;

/// A column's name and type.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Field {
    /// The column name.
    pub name: String,
    /// The column type.
    #[serde(rename = "type")]
    pub ty: Type,
}

/// A numeric result column whose figures are hedged (a sum of figures some
/// of which are lower bounds): the text column beside it that says how
/// (`more than`, or null for exact), and, row by row, how many of its figures
/// are hedged when only some are (`1 bound, 1 exact`). The bordered table
/// shows the two as one cell (`more than 696.6 (1 bound, 1 exact)`), and
/// `chart` marks the bar; CSV and JSON keep the number and its qualifier
/// apart, as the data holds them.
#[derive(Debug, Clone, PartialEq)]
pub struct Hedge {
    /// The numeric column.
    pub value: usize,
    /// The text column holding its qualifier.
    pub qualifier: usize,
    /// Per row: how many of its figures are hedged, when not all are.
    pub detail: Vec<Option<String>>,
}

/// Named, typed columns of equal length.
#[derive(Debug, Clone)]
pub struct Table {
    fields: Vec<Field>,
    columns: Vec<Arc<Column>>,
    rows: usize,
    hedges: Vec<Hedge>,
}

impl Table {
    /// A table from named columns. Panics if lengths differ (an internal invariant).
    pub fn new(columns: Vec<(String, Arc<Column>)>) -> Table {
        let rows = columns.first().map_or(0, |(_, c)| c.len());
        assert!(
            columns.iter().all(|(_, c)| c.len() == rows),
            "all columns of a table have the same length"
        );
        let fields = columns
            .iter()
            .map(|(name, c)| Field {
                name: name.clone(),
                ty: c.ty(),
            })
            .collect();
        Table {
            fields,
            columns: columns.into_iter().map(|(_, c)| c).collect(),
            rows,
            hedges: Vec::new(),
        }
    }

    /// A table with the given columns and no rows' worth of data but `rows` rows
    /// (a table with no columns still has a row count, e.g. after `select` of nothing).
    pub fn with_rows(columns: Vec<(String, Arc<Column>)>, rows: usize) -> Table {
        let mut t = Table::new(columns);
        if t.columns.is_empty() {
            t.rows = rows;
        }
        t
    }

    /// The columns' names and types, in order.
    pub fn fields(&self) -> &[Field] {
        &self.fields
    }

    /// The columns, in order.
    pub fn columns(&self) -> &[Arc<Column>] {
        &self.columns
    }

    /// The column at position `i`.
    pub fn column_at(&self, i: usize) -> &Arc<Column> {
        &self.columns[i]
    }

    /// The column called `name`, if any.
    pub fn column(&self, name: &str) -> Option<&Column> {
        self.position(name).map(|i| &*self.columns[i])
    }

    /// The position of the column called `name`.
    pub fn position(&self, name: &str) -> Option<usize> {
        self.fields.iter().position(|f| f.name == name)
    }

    /// The number of rows.
    pub fn num_rows(&self) -> usize {
        self.rows
    }

    /// The number of columns.
    pub fn num_columns(&self) -> usize {
        self.columns.len()
    }

    /// The value at (`row`, `column`).
    pub fn get(&self, row: usize, column: usize) -> Scalar {
        self.columns[column].get(row)
    }

    /// Every row as a vector of scalars (convenient for hosts and tests; not for large tables).
    pub fn rows(&self) -> impl Iterator<Item = Vec<Scalar>> + '_ {
        (0..self.rows).map(move |r| self.columns.iter().map(|c| c.get(r)).collect())
    }

    /// The rows at `indices` ([`super::NULL_ROW`] gives a row of nulls).
    pub fn take(&self, indices: &[u32]) -> Table {
        let columns = self
            .fields
            .iter()
            .zip(&self.columns)
            .map(|(f, c)| (f.name.clone(), Arc::new(c.take(indices))))
            .collect();
        Table::with_rows(columns, indices.len())
    }

    /// `base`, or `base_2`, `base_3`, … when a column already has that name
    /// (for a column added to a result, such as `sources`).
    pub fn free_name(&self, base: &str) -> String {
        let taken = |n: &str| self.position(n).is_some();
        if !taken(base) {
            return base.to_string();
        }
        (2..)
            .map(|k| format!("{base}_{k}"))
            .find(|n| !taken(n))
            .expect("some suffix is free")
    }

    /// The table with `hedges` saying which of its columns are hedged
    /// figures and which columns qualify them (a result's, for showing it).
    pub fn with_hedges(mut self, hedges: Vec<Hedge>) -> Table {
        debug_assert!(hedges
            .iter()
            .all(|h| h.value < self.columns.len() && h.qualifier < self.columns.len()));
        self.hedges = hedges;
        self
    }

    /// The hedged columns of a result (none for a stored relation).
    pub fn hedges(&self) -> &[Hedge] {
        &self.hedges
    }

    /// The table without the qualifier columns its hedges added: the
    /// columns the query itself computes, as another engine would give them.
    pub fn without_hedges(&self) -> Table {
        let drop: Vec<usize> = self.hedges.iter().map(|h| h.qualifier).collect();
        let named = self
            .named_columns()
            .into_iter()
            .enumerate()
            .filter(|(i, _)| !drop.contains(i))
            .map(|(_, c)| c)
            .collect();
        Table::with_rows(named, self.rows)
    }

    /// [`Table::take`] that stops with the "query cancelled" error when the
    /// query running on this thread is cancelled (see [`Column::take_checked`]).
    pub fn take_checked(&self, indices: &[u32]) -> crate::error::Result<Table> {
        let mut columns = Vec::with_capacity(self.columns.len());
        for (f, c) in self.fields.iter().zip(&self.columns) {
            columns.push((f.name.clone(), Arc::new(c.take_checked(indices)?)));
        }
        Ok(Table::with_rows(columns, indices.len()))
    }

    /// Named columns, for building a new table from some of these.
    pub fn named_columns(&self) -> Vec<(String, Arc<Column>)> {
        self.fields
            .iter()
            .map(|f| f.name.clone())
            .zip(self.columns.iter().cloned())
            .collect()
    }
}
