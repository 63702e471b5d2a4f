//! # itq: a query language for China's industrial transfer
//!
//! itq answers questions about factories and investment moving from China's
//! coast to its inland provinces and abroad, over a built-in fact base in which
//! every row cites the article it comes from. This crate is the whole engine;
//! the `itq` command is a thin layer over it.
//!
//! ```
//! use itq::{Engine, Scalar, Source};
//!
//! let mut engine = Engine::new()?;
//! let table = engine.query(r#"events where province = "Gansu" select projects, value"#)?;
//! assert_eq!(table.num_rows(), 1);
//! assert_eq!(table.get(0, 0), Scalar::Int(195));
//! assert_eq!(table.get(0, 1), Scalar::Decimal(300.0));
//!
//! // Statements build on each other, as at the prompt.
//! let defs = Source::new("<defs>", "let west = provinces where region = \"west\"");
//! engine.run(&defs, |_| {})?;
//! let n = engine.query("west count")?;
//! assert_eq!(n.get(0, 0), Scalar::Int(12));
//!
//! // `query` wants a result: a definition alone is an error and defines nothing.
//! assert!(engine.query("let x = 5").is_err());
//! assert!(engine.query("provinces where x = 5 count").is_err());
//!
//! // Errors point at the problem and suggest the fix.
//! let err = engine.query("projects where sectr = \"new energy\"").unwrap_err();
//! assert!(err.render().contains("did you mean `sector`?"));
//! # Ok::<(), itq::Error>(())
//! ```
//!
//! The stages, in the order data flows: [`syntax`] (text → AST), `check`
//! (AST → plan), `exec` (plan → columns), [`render`] (table → text).
//! Beside them: [`syntax::format`] prints an AST back as text in the
//! canonical layout (`itq fmt`), and [`testing`] compares what scripts and
//! documentation examples print with what they should (`itq test`).

#![warn(missing_docs)]

pub mod access;
pub mod attach;
mod cancel;
mod check;
pub mod cite;
mod engine;
pub mod error;
mod exec;
pub mod explain;
pub mod generate;
mod help;
pub mod limits;
pub mod load;
pub mod money;
mod notes;
pub mod place;
pub mod plan;
pub mod print;
pub mod render;
pub mod save;
pub mod source;
pub mod sql;
pub mod stack;
pub mod store;
pub mod syntax;
pub mod testing;
pub mod value;

pub use cancel::InterruptHandle;
pub use engine::{Described, Engine, Output, PRELUDE};
pub use error::{Error, ErrorKind, Result};
pub use limits::Limits;
pub use load::{FileFormat, LoadOptions};
pub use plan::builtins::{
    reference as function_reference, AggInfo, FuncInfo, WindowInfo, AGGREGATES, FUNCTIONS,
    WINDOW_FUNCTIONS,
};
pub use print::{Printed, Printer};
pub use render::{paint, render, render_with, Format, RenderOptions, Style, WriteError};
pub use source::{Source, Span};
pub use store::{Column, Data, Field, Table};
pub use value::{Scalar, Type};
