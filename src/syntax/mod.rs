//! Syntax: the grammar in `grammar/itq.pest`, the typed AST and the parser
//! between them; the formatter; and what the parser, the formatter and the
//! prompt share: the token scanner, the keyword table and operator precedence.

pub mod ast;
pub mod format;
pub(crate) mod habits;
pub mod keywords;
mod parse;
pub mod precedence;
pub mod tokens;

pub use parse::{parse_expression, parse_expression_in, parse_script};
