//! Operator precedence, defined once: the parser builds its Pratt table from
//! [`Prec::of_binary`], [`Prec::of_unary`] and [`Prec::POSTFIX`], and the
//! formatter decides from the same levels where parentheses are needed.

use super::ast::{BinaryOp, UnaryOp};

/// How tightly an operator binds, loosest first. Every binary operator is
/// left-associative.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Prec {
    /// `or`.
    Or,
    /// `and`.
    And,
    /// `not`.
    Not,
    /// Comparisons, `contains`, and the postfix `in`, `between`, `is null`.
    Compare,
    /// `+`, `-`.
    Add,
    /// `*`, `/`.
    Mul,
    /// Negation, `-x`.
    Neg,
    /// Not an operator: a literal, a name, a call, a parenthesised expression.
    Atom,
}

impl Prec {
    /// The levels operators have, loosest first.
    pub const OPERATORS: [Prec; 7] = [
        Prec::Or,
        Prec::And,
        Prec::Not,
        Prec::Compare,
        Prec::Add,
        Prec::Mul,
        Prec::Neg,
    ];

    /// The level of the postfix operators `in`, `not in`, `between`,
    /// `not between`, `is null` and `is not null`.
    pub const POSTFIX: Prec = Prec::Compare;

    /// The level of a binary operator.
    pub fn of_binary(op: BinaryOp) -> Prec {
        match op {
            BinaryOp::Or => Prec::Or,
            BinaryOp::And => Prec::And,
            BinaryOp::Eq
            | BinaryOp::Ne
            | BinaryOp::Lt
            | BinaryOp::Le
            | BinaryOp::Gt
            | BinaryOp::Ge
            | BinaryOp::Contains => Prec::Compare,
            BinaryOp::Add | BinaryOp::Sub => Prec::Add,
            BinaryOp::Mul | BinaryOp::Div => Prec::Mul,
        }
    }

    /// The level of a prefix operator.
    pub fn of_unary(op: UnaryOp) -> Prec {
        match op {
            UnaryOp::Not => Prec::Not,
            UnaryOp::Neg => Prec::Neg,
        }
    }
}
