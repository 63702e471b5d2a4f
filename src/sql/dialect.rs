//! What differs between SQL engines, as data: a few capability flags and a
//! table of templates for the functions and operators whose spelling or
//! meaning differs. The compiler (`select.rs`, `expr.rs`) asks here and never
//! matches on a dialect itself.

use std::fmt;
use std::str::FromStr;

/// A SQL dialect itq compiles to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Dialect {
    /// DuckDB.
    DuckDb,
    /// PostgreSQL (12 and later).
    Postgres,
    /// SQLite (3.35 and later).
    Sqlite,
    /// Apache Spark SQL (3.4 and later; `spark-sql`, `spark.sql(...)`).
    Spark,
    /// Trino (and Presto).
    Trino,
    /// Standard SQL (SQL:2016), for engines not listed.
    Ansi,
}

/// Every dialect, in the order `itq sql --help` lists them.
pub const DIALECTS: &[Dialect] = &[
    Dialect::DuckDb,
    Dialect::Postgres,
    Dialect::Sqlite,
    Dialect::Spark,
    Dialect::Trino,
    Dialect::Ansi,
];

impl Dialect {
    /// The name as written after `--dialect`.
    pub fn name(self) -> &'static str {
        match self {
            Dialect::DuckDb => "duckdb",
            Dialect::Postgres => "postgres",
            Dialect::Sqlite => "sqlite",
            Dialect::Spark => "spark",
            Dialect::Trino => "trino",
            Dialect::Ansi => "ansi",
        }
    }

    /// The engine's name as people write it, for messages.
    pub fn engine(self) -> &'static str {
        match self {
            Dialect::DuckDb => "DuckDB",
            Dialect::Postgres => "PostgreSQL",
            Dialect::Sqlite => "SQLite",
            Dialect::Spark => "Spark SQL",
            Dialect::Trino => "Trino",
            Dialect::Ansi => "standard SQL",
        }
    }

    /// The character that quotes identifiers.
    pub(super) fn quote(self) -> char {
        match self {
            Dialect::Spark => '`',
            _ => '"',
        }
    }

    /// Whether a backslash in a string literal is an escape character.
    pub(super) fn backslash_escapes(self) -> bool {
        self == Dialect::Spark
    }

    /// The type name of a 64-bit float.
    pub(super) fn double_type(self) -> &'static str {
        match self {
            Dialect::Postgres | Dialect::Ansi => "DOUBLE PRECISION",
            Dialect::Sqlite => "REAL",
            _ => "DOUBLE",
        }
    }

    /// A double-precision literal from its decimal text (`1.5`).
    pub(super) fn double_literal(self, text: &str) -> String {
        match self {
            Dialect::Postgres => format!("{text}::float8"),
            Dialect::DuckDb => format!("{text}::DOUBLE"),
            Dialect::Spark => format!("{text}D"),
            Dialect::Trino | Dialect::Ansi if !text.contains(['e', 'E']) => format!("{text}E0"),
            _ => text.to_string(),
        }
    }

    /// Whether the engine's `ROUND(x, d)` of a double is itq's: scale by
    /// 10^d, round half away from zero, scale back (DuckDB's is; PostgreSQL's
    /// halves to even, Spark's and SQLite's round the decimal text).
    pub(super) fn native_round(self) -> bool {
        self == Dialect::DuckDb
    }

    /// Text ordering needs an explicit code-point collation (PostgreSQL's
    /// default collation follows the locale; the others compare bytes of
    /// UTF-8, which is code-point order).
    pub(super) fn code_point_collation(self) -> Option<&'static str> {
        match self {
            Dialect::Postgres => Some("COLLATE \"C\""),
            _ => None,
        }
    }

    /// Whether `lower`/`upper` fold all of Unicode, as itq's do (SQLite's
    /// built-in ones fold only ASCII letters).
    pub(super) fn unicode_case(self) -> bool {
        self != Dialect::Sqlite
    }

    /// Whether a date literal is written `DATE '...'` (SQLite keeps dates as
    /// ISO text, which compares in date order).
    pub(super) fn typed_date_literal(self) -> bool {
        self != Dialect::Sqlite
    }

    /// The type name of text, for a cast.
    pub(super) fn text_type(self) -> &'static str {
        match self {
            Dialect::Postgres | Dialect::Sqlite => "TEXT",
            Dialect::Spark => "STRING",
            _ => "VARCHAR",
        }
    }

    /// Whether `x / y` of two integers truncates (DuckDB's and Spark's `/`
    /// always divide exactly; they spell truncating division otherwise).
    pub(super) fn int_div(self) -> &'static str {
        match self {
            Dialect::DuckDb => "{0} // {1}",
            Dialect::Spark => "{0} DIV {1}",
            _ => "{0} / {1}",
        }
    }

    /// A template for `f`, or `None` where the dialect has no equivalent.
    /// `{0}`, `{1}` are the arguments, already parenthesised where needed.
    pub(super) fn template(self, f: Template) -> Option<&'static str> {
        use Dialect::*;
        use Template::*;
        Some(match (f, self) {
            (Year, Sqlite) => "CAST(STRFTIME('%Y', {0}) AS INTEGER)",
            (Month, Sqlite) => "CAST(STRFTIME('%m', {0}) AS INTEGER)",
            (Day, Sqlite) => "CAST(STRFTIME('%d', {0}) AS INTEGER)",
            (Year, Postgres | Ansi) => "CAST(EXTRACT(YEAR FROM {0}) AS BIGINT)",
            (Month, Postgres | Ansi) => "CAST(EXTRACT(MONTH FROM {0}) AS BIGINT)",
            (Day, Postgres | Ansi) => "CAST(EXTRACT(DAY FROM {0}) AS BIGINT)",
            (Year, _) => "YEAR({0})",
            (Month, _) => "MONTH({0})",
            (Day, _) => "DAY({0})",
            (Contains, Postgres | Trino) => "STRPOS(LOWER({0}), LOWER({1})) > 0",
            (Contains, DuckDb) => "CONTAINS(LOWER({0}), LOWER({1}))",
            (Contains, Sqlite | Spark) => "INSTR(LOWER({0}), LOWER({1})) > 0",
            (Contains, Ansi) => "POSITION(LOWER({1}) IN LOWER({0})) > 0",
            (DaysBetween, Postgres | DuckDb) => "{0} - {1}",
            (DaysBetween, Sqlite) => "CAST(JULIANDAY({0}) - JULIANDAY({1}) AS INTEGER)",
            (DaysBetween, Spark) => "DATEDIFF({0}, {1})",
            (DaysBetween, Trino) => "DATE_DIFF('day', {1}, {0})",
            (DaysBetween, Ansi) => return None,
            (AddDays, Postgres | DuckDb) => "{0} + {1}",
            (AddDays, Sqlite) => "DATE({0}, CAST({1} AS TEXT) || ' days')",
            (AddDays, Spark) => "DATE_ADD({0}, {1})",
            (AddDays, Trino) => "DATE_ADD('day', {1}, {0})",
            (AddDays, Ansi) => return None,
            (SubDays, Postgres | DuckDb) => "{0} - {1}",
            (SubDays, Sqlite) => "DATE({0}, CAST(-{1} AS TEXT) || ' days')",
            (SubDays, Spark) => "DATE_SUB({0}, {1})",
            (SubDays, Trino) => "DATE_ADD('day', -{1}, {0})",
            (SubDays, Ansi) => return None,
            (Median, Postgres | Ansi) => "PERCENTILE_CONT(0.5) WITHIN GROUP (ORDER BY {0})",
            (Median, DuckDb | Spark) => "MEDIAN({0})",
            (Median, Sqlite | Trino) => return None,
            (Stddev | StddevPop | Variance | VarPop | Corr | Covar, Sqlite) => return None,
            (Stddev, _) => "STDDEV_SAMP({0})",
            (StddevPop, _) => "STDDEV_POP({0})",
            (Variance, _) => "VAR_SAMP({0})",
            (VarPop, _) => "VAR_POP({0})",
            // DuckDB's CORR is NaN where a side has no variance; itq's is null.
            (Corr, DuckDb) => "NULLIF(CORR({0}, {1}), CAST('NaN' AS DOUBLE))",
            (Corr, _) => "CORR({0}, {1})",
            (Covar, _) => "COVAR_SAMP({0}, {1})",
            (Quantile, Postgres | Ansi) => "PERCENTILE_CONT({1}) WITHIN GROUP (ORDER BY {0})",
            (Quantile, DuckDb) => "QUANTILE_CONT({0}, {1})",
            (Quantile, Spark) => "PERCENTILE({0}, {1})",
            (Quantile, Sqlite | Trino) => return None,
            (Length, Postgres | Ansi) => "CHAR_LENGTH({0})",
            (Length, _) => "LENGTH({0})",
            (Trim, Sqlite) => "TRIM({0}, {1})",
            (Trim, _) => "TRIM(BOTH {1} FROM {0})",
            (StartsWith, Ansi) => "SUBSTRING({0} FROM 1 FOR CHAR_LENGTH({1})) = {1}",
            (StartsWith, Postgres) => "SUBSTR({0}, 1, CHAR_LENGTH({1})) = {1}",
            (StartsWith, _) => "SUBSTR({0}, 1, LENGTH({1})) = {1}",
            // From `len(s) - len(suffix) + 1`: a suffix longer than s starts
            // before the text, which no engine's SUBSTR returns whole.
            (EndsWith, Ansi) => "SUBSTRING({0} FROM CHAR_LENGTH({0}) - CHAR_LENGTH({1}) + 1) = {1}",
            (EndsWith, Postgres) => "RIGHT({0}, CHAR_LENGTH({1})) = {1}",
            (EndsWith, DuckDb) => "SUFFIX({0}, {1})",
            (EndsWith, Spark) => "ENDSWITH({0}, {1})",
            (EndsWith, _) => "SUBSTR({0}, LENGTH({0}) - LENGTH({1}) + 1) = {1}",
            (RegexpMatch, Postgres) => "{0} ~ {1}",
            (RegexpMatch, DuckDb) => "REGEXP_MATCHES({0}, {1})",
            (RegexpMatch, Spark) => "{0} RLIKE {1}",
            (RegexpMatch, Trino) => "REGEXP_LIKE({0}, {1})",
            (RegexpMatch, Sqlite | Ansi) => return None,
            (RegexpReplace, Postgres | DuckDb) => "REGEXP_REPLACE({0}, {1}, {2}, 'g')",
            (RegexpReplace, Spark | Trino) => "REGEXP_REPLACE({0}, {1}, {2})",
            (RegexpReplace, Sqlite | Ansi) => return None,
        })
    }
}

/// The functions and operators whose SQL differs by dialect.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Template {
    /// `year(d)`.
    Year,
    /// `month(d)`.
    Month,
    /// `day(d)`.
    Day,
    /// `a contains b`, case-insensitive.
    Contains,
    /// `date - date`, in days.
    DaysBetween,
    /// `date + integer`.
    AddDays,
    /// `date - integer`.
    SubDays,
    /// The `median` aggregate.
    Median,
    /// `length(text)` in characters.
    Length,
    /// `trim(s)`: `{1}` is the literal of the characters to remove.
    Trim,
    /// `starts_with(s, prefix)`.
    StartsWith,
    /// `ends_with(s, suffix)`.
    EndsWith,
    /// `regexp_match(s, pattern)`.
    RegexpMatch,
    /// `regexp_replace(s, pattern, with)`, every match.
    RegexpReplace,
    /// The `stddev` aggregate (sample).
    Stddev,
    /// The `stddev_pop` aggregate.
    StddevPop,
    /// The `variance` aggregate (sample).
    Variance,
    /// The `var_pop` aggregate.
    VarPop,
    /// The `quantile` aggregate: `{0}` the values, `{1}` the fraction.
    Quantile,
    /// The `corr` aggregate.
    Corr,
    /// The `covar` aggregate (sample).
    Covar,
}

impl Template {
    /// How the construct is written in itq, for error messages.
    pub(super) fn itq_name(self) -> &'static str {
        match self {
            Template::Year => "`year(...)`",
            Template::Month => "`month(...)`",
            Template::Day => "`day(...)`",
            Template::Contains => "`contains`",
            Template::DaysBetween => "subtracting dates",
            Template::AddDays | Template::SubDays => "adding days to a date",
            Template::Median => "`median`",
            Template::Length => "`length(...)`",
            Template::Trim => "`trim(...)`",
            Template::StartsWith => "`starts_with(...)`",
            Template::EndsWith => "`ends_with(...)`",
            Template::RegexpMatch => "`regexp_match(...)`",
            Template::RegexpReplace => "`regexp_replace(...)`",
            Template::Stddev => "`stddev`",
            Template::StddevPop => "`stddev_pop`",
            Template::Variance => "`variance`",
            Template::VarPop => "`var_pop`",
            Template::Quantile => "`quantile`",
            Template::Corr => "`corr`",
            Template::Covar => "`covar`",
        }
    }
}

impl fmt::Display for Dialect {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Dialect {
    type Err = String;

    fn from_str(s: &str) -> Result<Dialect, String> {
        let s = s.trim().to_ascii_lowercase();
        let found = match s.as_str() {
            "postgresql" | "pg" => Some(Dialect::Postgres),
            "presto" => Some(Dialect::Trino),
            "sql" | "standard" => Some(Dialect::Ansi),
            "sparksql" | "spark-sql" | "databricks" => Some(Dialect::Spark),
            _ => DIALECTS.iter().copied().find(|d| d.name() == s),
        };
        found.ok_or_else(|| {
            let names: Vec<&str> = DIALECTS.iter().map(|d| d.name()).collect();
            format!(
                "unknown SQL dialect `{s}`: the dialects are {}",
                names.join(", ")
            )
        })
    }
}
