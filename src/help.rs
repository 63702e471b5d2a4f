//! `.help NAME`: what a name means — a relation with its columns, a `let`
//! value, a def with its documentation comment and definition, a built-in
//! function or an aggregate — from the same tables the checker uses.

use crate::engine::Engine;
use crate::error::{suggestion, Error, ErrorKind, Result};
use crate::plan::builtins::{self as funcs, AGGREGATES, FUNCTIONS};
use crate::syntax::format::format_query;

impl Engine {
    /// What `name` is, in a few lines: for a relation its documentation,
    /// size and columns; for a def its documentation comment and definition;
    /// for a `let` value the value; for a built-in function or aggregate its
    /// signature and description. `functions` lists every function and
    /// aggregate. An unknown name is an error that suggests the closest one.
    pub fn help(&self, name: &str) -> Result<String> {
        let name = name.trim();
        if name == "functions" {
            return Ok(funcs::reference());
        }
        let catalog = self.catalog();
        let mut parts = Vec::new();
        if let Some(rel) = catalog.relation(name) {
            let n = rel.table.num_rows();
            let mut text = format!(
                "{name}: a relation of {n} row{}",
                if n == 1 { "" } else { "s" }
            );
            if let Some(doc) = &rel.doc {
                text.push_str(&format!("\n  {doc}"));
            }
            let columns: Vec<String> = rel
                .table
                .fields()
                .iter()
                .map(|f| format!("{} {}", f.name, f.ty))
                .collect();
            text.push_str(&format!("\n  columns: {}", columns.join(", ")));
            parts.push(text);
        }
        if let Some(def) = catalog.def(name) {
            let params: Vec<&str> = def.params.iter().map(|p| p.name.as_str()).collect();
            let mut text = format!("{name}({}): a def", params.join(", "));
            if let Some(doc) = &def.doc {
                text.push_str(&format!("\n  {doc}"));
            }
            text.push_str(&format!(
                "\n  def {name}({}) = {}",
                params.join(", "),
                format_query(&def.body, &def.source.text)
            ));
            parts.push(text);
        }
        if let Some(value) = catalog.scalar(name) {
            parts.push(format!("{name}: a value, {value} ({})", value.ty()));
        }
        if let Some(f) = funcs::lookup(name) {
            parts.push(format!("{}: a built-in function\n  {}", f.signature, f.doc));
        }
        let forms: Vec<String> = AGGREGATES
            .iter()
            .filter(|a| a.name.eq_ignore_ascii_case(name))
            .map(|a| format!("\n  {:<28} {}", a.signature, a.doc))
            .collect();
        if !forms.is_empty() {
            parts.push(format!("{name}: an aggregate{}", forms.concat()));
        }
        if parts.is_empty() {
            let mut known: Vec<&str> = catalog.source_names();
            known.extend(catalog.scalars().map(|(n, _)| n));
            known.extend(FUNCTIONS.iter().map(|f| f.name));
            known.extend(AGGREGATES.iter().map(|a| a.name));
            known.push("functions");
            return Err(
                Error::new(ErrorKind::Invalid(format!("nothing is called `{name}`")))
                    .with_help(suggestion(name, "names", known)),
            );
        }
        let mut out = parts.join("\n\n");
        out.push('\n');
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn help_describes_defs_relations_functions_and_aggregates() {
        let engine = Engine::new().unwrap();
        let def = engine.help("top_sectors").unwrap();
        assert!(
            def.starts_with("top_sectors(province_name, n): a def\n  The n sectors"),
            "{def}"
        );
        assert!(
            def.contains("\n  def top_sectors(province_name, n) = projects"),
            "{def}"
        );
        let rel = engine.help("provinces").unwrap();
        assert!(
            rel.starts_with("provinces: a relation of 31 rows\n"),
            "{rel}"
        );
        assert!(
            rel.contains("columns: name text, name_zh text, full_name_zh text, code text"),
            "{rel}"
        );
        let f = engine.help("round").unwrap();
        assert!(
            f.starts_with("round(x: number[, digits: integer]) -> number: a built-in function\n")
        );
        let a = engine.help("count").unwrap();
        assert!(a.contains("count distinct x -> integer"), "{a}");
        assert!(engine
            .help("functions")
            .unwrap()
            .contains("median x: number -> decimal"));
    }

    #[test]
    fn help_for_an_unknown_name_suggests_the_closest() {
        let engine = Engine::new().unwrap();
        let e = engine.help("top_sector").unwrap_err();
        assert_eq!(e.help(), Some("did you mean `top_sectors`?"));
    }
}
