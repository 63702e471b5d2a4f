//! Syntax: the grammar in `grammar/itq.pest`, the typed AST and the parser between them.

pub mod ast;
mod parse;

pub use parse::{parse_expression, parse_script, CLAUSE_WORDS, OTHER_WORDS};
