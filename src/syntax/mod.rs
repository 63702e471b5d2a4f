//! Syntax: the grammar in `grammar/itq.pest`, the typed AST and the parser between them.

pub mod ast;
pub mod format;
pub(crate) mod habits;
mod parse;

pub use parse::{parse_expression, parse_script, CLAUSE_WORDS, OTHER_WORDS};
