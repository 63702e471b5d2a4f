//! The columnar store: typed columns, string dictionaries, tables, the catalog
//! of named relations and the built-in fact base.

mod bitmap;
mod catalog;
mod column;
mod dict;
pub mod facts;
pub mod provinces;
mod table;

pub use bitmap::Bitmap;
pub use catalog::{Catalog, Counts, Database, DatabaseTable, Def, Relation, RelationKind};
pub use column::{
    column_from_scalars, concat, concat_checked, Builder, Column, Data, TextBuilder, NULL_ROW,
};
pub use dict::{hash_str, Dict};
pub use table::{Field, Hedge, Table};
