//! The catalog: every name a query can use — relations, `let` scalars and `def`s.
//! Names share one namespace; defining a name replaces whatever it named before.

use super::table::Table;
use crate::source::Source;
use crate::syntax::ast::{Ident, Query};
use crate::value::Scalar;
use std::collections::BTreeMap;
use std::sync::Arc;

/// A named relation.
#[derive(Debug, Clone)]
pub struct Relation {
    /// Its rows.
    pub table: Arc<Table>,
    /// What it is, in a sentence (from the fact base or the comment above its `let`).
    pub doc: Option<String>,
    /// Where its rows came from.
    pub kind: RelationKind,
}

/// Where a relation's rows came from, as the welcome line counts them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RelationKind {
    /// A file of the built-in fact base (`stdlib/facts/`).
    Fact,
    /// Defined by a `let` over other relations (the prelude's, or the user's).
    View,
    /// Loaded from a file or given by the host program.
    Loaded,
}

/// What a catalog holds, counted for the prompt's welcome line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Counts {
    /// Built-in relations whose rows cite a source.
    pub cited_relations: usize,
    /// Their rows.
    pub facts: usize,
    /// Rows of `evidence`: the quotes behind the facts.
    pub quotes: usize,
    /// Rows of `sources`: the articles, standards and general knowledge cited.
    pub sources: usize,
    /// Relations defined by `let`.
    pub views: usize,
    /// Relations loaded from files or given by the host.
    pub loaded_relations: usize,
    /// Their rows.
    pub loaded_rows: usize,
}

impl std::fmt::Display for Counts {
    /// `10 cited relations, 390 facts, 194 quotes from 11 sources; 5 views`, then
    /// `; 1 loaded relation, 2,000,000 rows` when anything was loaded.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let n = |count: usize, one: &str, many: &str| {
            let word = if count == 1 { one } else { many };
            format!("{} {word}", crate::value::format_count(count as u64))
        };
        write!(
            f,
            "{}, {}, {} from {}; {}",
            n(self.cited_relations, "cited relation", "cited relations"),
            n(self.facts, "fact", "facts"),
            n(self.quotes, "quote", "quotes"),
            n(self.sources, "source", "sources"),
            n(self.views, "view", "views"),
        )?;
        if self.loaded_relations > 0 {
            write!(
                f,
                "; {}, {} loaded",
                n(self.loaded_relations, "relation", "relations"),
                n(self.loaded_rows, "row", "rows"),
            )?;
        }
        Ok(())
    }
}

/// A parameterised query, kept as syntax and checked at each call.
#[derive(Debug, Clone)]
pub struct Def {
    /// Parameter names.
    pub params: Vec<Ident>,
    /// The body.
    pub body: Query,
    /// The text the body's spans refer to.
    pub source: Arc<Source>,
    /// The comment above the `def`, if any.
    pub doc: Option<String>,
}

/// What the checker knows of an attached database: its tables and their
/// columns. The connection itself is the engine's.
#[derive(Debug, Clone)]
pub struct Database {
    /// The engine, in words (`PostgreSQL`, `SQLite`).
    pub engine: &'static str,
    /// Where it is, without any password (`localhost:5432/warehouse`).
    pub location: String,
    /// Its tables, by the name queries use after the dot (`wh.projects`).
    pub tables: BTreeMap<String, DatabaseTable>,
}

/// A table of an attached database.
#[derive(Debug, Clone)]
pub struct DatabaseTable {
    /// The columns itq can read, with their itq types.
    pub fields: Vec<super::table::Field>,
    /// Columns of types itq cannot read yet: name and the database's type.
    pub unreadable: Vec<(String, String)>,
}

/// All names known to an engine.
#[derive(Debug, Clone, Default)]
pub struct Catalog {
    relations: BTreeMap<String, Relation>,
    scalars: BTreeMap<String, Scalar>,
    defs: BTreeMap<String, Def>,
    params: BTreeMap<String, Scalar>,
    databases: BTreeMap<String, Arc<Database>>,
}

impl Catalog {
    /// An empty catalog.
    pub fn new() -> Catalog {
        Catalog::default()
    }

    fn forget(&mut self, name: &str) {
        self.relations.remove(name);
        self.scalars.remove(name);
        self.defs.remove(name);
    }

    /// Adds or replaces a relation.
    pub fn set_relation(&mut self, name: &str, relation: Relation) {
        self.forget(name);
        self.relations.insert(name.to_string(), relation);
    }

    /// Adds or replaces a scalar.
    pub fn set_scalar(&mut self, name: &str, value: Scalar) {
        self.forget(name);
        self.scalars.insert(name.to_string(), value);
    }

    /// Adds or replaces a def.
    pub fn set_def(&mut self, name: &str, def: Def) {
        self.forget(name);
        self.defs.insert(name.to_string(), def);
    }

    /// Adds or replaces an attached database's description (`attach ... as name`).
    pub fn set_database(&mut self, name: &str, database: Database) {
        self.databases.insert(name.to_string(), Arc::new(database));
    }

    /// Forgets an attached database; true if there was one.
    pub fn remove_database(&mut self, name: &str) -> bool {
        self.databases.remove(name).is_some()
    }

    /// The attached database called `name`.
    pub fn database(&self, name: &str) -> Option<&Database> {
        self.databases.get(name).map(|d| &**d)
    }

    /// Attached databases, by name.
    pub fn databases(&self) -> impl Iterator<Item = (&str, &Database)> {
        self.databases.iter().map(|(k, v)| (k.as_str(), &**v))
    }

    /// The relation called `name`.
    pub fn relation(&self, name: &str) -> Option<&Relation> {
        self.relations.get(name)
    }

    /// The scalar called `name`.
    pub fn scalar(&self, name: &str) -> Option<&Scalar> {
        self.scalars.get(name)
    }

    /// The def called `name`.
    pub fn def(&self, name: &str) -> Option<&Def> {
        self.defs.get(name)
    }

    /// Sets a script parameter, used in queries as `$name`. Parameters have
    /// their own namespace.
    pub fn set_param(&mut self, name: &str, value: Scalar) {
        self.params.insert(name.to_string(), value);
    }

    /// The parameter `$name`.
    pub fn param(&self, name: &str) -> Option<&Scalar> {
        self.params.get(name)
    }

    /// Parameters, by name.
    pub fn params(&self) -> impl Iterator<Item = (&str, &Scalar)> {
        self.params.iter().map(|(k, v)| (k.as_str(), v))
    }

    /// What `name` currently names: "relation", "value" or "def".
    pub fn kind_of(&self, name: &str) -> Option<&'static str> {
        if self.relations.contains_key(name) {
            Some("relation")
        } else if self.scalars.contains_key(name) {
            Some("value")
        } else if self.defs.contains_key(name) {
            Some("def")
        } else {
            None
        }
    }

    /// Relations, by name.
    pub fn relations(&self) -> impl Iterator<Item = (&str, &Relation)> {
        self.relations.iter().map(|(k, v)| (k.as_str(), v))
    }

    /// Scalars, by name.
    pub fn scalars(&self) -> impl Iterator<Item = (&str, &Scalar)> {
        self.scalars.iter().map(|(k, v)| (k.as_str(), v))
    }

    /// Defs, by name.
    pub fn defs(&self) -> impl Iterator<Item = (&str, &Def)> {
        self.defs.iter().map(|(k, v)| (k.as_str(), v))
    }

    /// Cited relations and their facts, quotes, views and loaded rows.
    pub fn counts(&self) -> Counts {
        let mut c = Counts::default();
        for (name, r) in &self.relations {
            let rows = r.table.num_rows();
            match r.kind {
                RelationKind::Fact if name == super::facts::EVIDENCE => c.quotes += rows,
                RelationKind::Fact if name == super::facts::SOURCES => c.sources += rows,
                RelationKind::Fact => {
                    c.cited_relations += 1;
                    c.facts += rows;
                }
                RelationKind::View => c.views += 1,
                RelationKind::Loaded => {
                    c.loaded_relations += 1;
                    c.loaded_rows += rows;
                }
            }
        }
        c
    }

    /// Every name that can start a query (relations and defs).
    pub fn source_names(&self) -> Vec<&str> {
        self.relations
            .keys()
            .chain(self.defs.keys())
            .map(String::as_str)
            .collect()
    }
}
