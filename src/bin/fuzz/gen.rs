//! The generator: itq text built from the grammar and an engine's catalog,
//! and mutations of it. Input `index` of seed `seed` is a pure function of
//! the two, so any input can be shown again (`fuzz --show INDEX --seed S`).

use itq::{Engine, FuncInfo, Type, AGGREGATES, FUNCTIONS};

/// splitmix64: small, fast and good enough to pick grammar branches.
#[derive(Debug, Clone)]
pub struct Rng(u64);

impl Rng {
    /// The generator for input `index` of run `seed`.
    pub fn for_input(seed: u64, index: u64) -> Rng {
        // Hashed apart, so that the streams of neighbouring inputs do not
        // overlap (splitmix64 streams are one counter apart otherwise).
        Rng(mix(mix(seed) ^ index.wrapping_add(0x2545_F491_4F6C_DD1D)))
    }

    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        mix(self.0)
    }

    /// A number in `0..n` (0 when `n` is 0).
    pub fn below(&mut self, n: usize) -> usize {
        if n == 0 {
            0
        } else {
            (self.next() % n as u64) as usize
        }
    }

    /// A number in `lo..=hi`.
    pub fn range(&mut self, lo: usize, hi: usize) -> usize {
        lo + self.below(hi - lo + 1)
    }

    /// True `percent` times in a hundred.
    pub fn chance(&mut self, percent: usize) -> bool {
        self.below(100) < percent
    }

    /// One of the words `items`.
    pub fn word(&mut self, items: &[&'static str]) -> &'static str {
        items[self.below(items.len())]
    }

    /// One of `items`.
    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
}

/// The splitmix64 finaliser.
fn mix(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// A column as the generator sees it.
#[derive(Debug, Clone)]
struct Col {
    name: String,
    ty: Type,
}

/// A relation or def the generator can start a query from.
#[derive(Debug, Clone)]
struct Rel {
    name: String,
    cols: Vec<Col>,
    /// Parameters, for a def.
    params: usize,
}

/// What the generator knows of the engine: relations with their columns and
/// types, defs, scalars and parameters, and the scratch folder's files.
#[derive(Debug, Clone)]
pub struct Catalog {
    rels: Vec<Rel>,
    defs: Vec<Rel>,
    scalars: Vec<Col>,
    params: Vec<Col>,
}

/// Files in the scratch folder (made by the worker), by name.
pub const FIXTURES: &[&str] = &[
    "plain.csv",
    "semi.csv",
    "tabs.tsv",
    "rows.json",
    "lines.ndjson",
    "empty.csv",
    "header_only.csv",
    "ragged.csv",
    "latin1.csv",
    "bom.csv",
    "crlf.csv",
    "dup_header.csv",
    "numbers_as_text.csv",
    "wrapped.json",
    "nested.json",
    "no_ext",
    "link_out.csv",
    "sub/inner.csv",
];

/// Paths that must be refused or fail (outside the folder, missing, odd).
const BAD_PATHS: &[&str] = &[
    "../escape.csv",
    "/etc/passwd",
    "/proc/self/status",
    "missing.csv",
    "missing/dir/x.csv",
    "",
    ".",
    "sub",
    "x.xlsx",
    "link_out/escape.csv",
];

/// Where generated `save`s write (a small fixed set, so the folder stays small).
const SAVE_PATHS: &[&str] = &[
    "out.csv",
    "out.json",
    "out.ndjson",
    "out.tsv",
    "sub/out.csv",
];

/// The parameters the worker gives its engine.
pub const PARAMS: &[(&str, &str)] = &[
    ("province", "Gansu"),
    ("region", "west"),
    ("n", "3"),
    ("year", "2024"),
    ("file", "plain.csv"),
    ("out", "out.csv"),
    ("cjk", "甘肃省"),
];

impl Catalog {
    /// The relations, defs and scalars of `engine`.
    pub fn of(engine: &Engine) -> Catalog {
        let cat = engine.catalog();
        let rels = cat
            .relations()
            .map(|(name, r)| Rel {
                name: name.to_string(),
                cols: r
                    .table
                    .fields()
                    .iter()
                    .map(|f| Col {
                        name: f.name.clone(),
                        ty: f.ty,
                    })
                    .collect(),
                params: 0,
            })
            .collect();
        let defs = cat
            .defs()
            .map(|(name, d)| Rel {
                name: name.to_string(),
                cols: engine
                    .columns_of(&call_text(name, d.params.len()))
                    .map(|fields| {
                        fields
                            .into_iter()
                            .map(|f| Col {
                                name: f.name,
                                ty: f.ty,
                            })
                            .collect()
                    })
                    .unwrap_or_default(),
                params: d.params.len(),
            })
            .collect();
        let scalars = cat
            .scalars()
            .map(|(name, v)| Col {
                name: name.to_string(),
                ty: v.ty(),
            })
            .collect();
        let params = PARAMS
            .iter()
            .map(|(name, value)| Col {
                name: name.to_string(),
                ty: if value.parse::<i64>().is_ok() {
                    Type::Int
                } else {
                    Type::Text
                },
            })
            .collect();
        Catalog {
            rels,
            defs,
            scalars,
            params,
        }
    }
}

fn call_text(name: &str, params: usize) -> String {
    let args: Vec<&str> = (0..params).map(|_| "\"west\"").collect();
    format!("{name}({})", args.join(", "))
}

const TYPES: &[Type] = &[Type::Int, Type::Decimal, Type::Text, Type::Date, Type::Bool];

const KEYWORDS: &[&str] = &[
    "where",
    "select",
    "derive",
    "sort",
    "limit",
    "top",
    "join",
    "left",
    "distinct",
    "by",
    "as",
    "on",
    "asc",
    "desc",
    "let",
    "def",
    "and",
    "or",
    "not",
    "in",
    "is",
    "between",
    "contains",
    "null",
    "true",
    "false",
    "count",
    "sum",
    "avg",
    "min",
    "max",
    "median",
    "chart",
    "load",
    "save",
    "to",
    "replace",
    "with",
    "format",
    "delimiter",
    "describe",
];

const PUNCT: &[&str] = &[
    "(", ")", ",", ";", "=", "==", "!=", "<>", "<", "<=", ">", ">=", "+", "-", "*", "/", ":", "$",
    "`", "\"", "'", "#", "?", "!", "@", "%", "&", "|", "^", "~", "[", "]", "{", "}", "\\", ".",
    "\n", "\n  ", "\r", "\r\n", "\t", " ",
];

const ODD_CHARS: &[&str] = &[
    "\u{301}",
    "\u{200D}",
    "\u{200B}",
    "\u{202E}",
    "\u{FEFF}",
    "✓",
    "€",
    "甘",
    "省份",
    "😀",
    "👩‍👩‍👧",
    "\u{E000}",
    "\u{0}",
    "\u{7F}",
    "ǅ",
    "ß",
    "İ",
    "\u{85}",
    "\u{2028}",
    "Ω",
];

/// One input: valid-looking statements (47%), a mutation of them (50%) or a
/// stress input near and past the documented limits (3%).
pub fn input(cat: &Catalog, seed: u64, index: u64) -> String {
    let mut r = Rng::for_input(seed, index);
    let roll = r.below(100);
    if roll < 47 {
        Gen::new(cat, &mut r).script()
    } else if roll < 97 {
        let base = Gen::new(cat, &mut r).script();
        let other = Gen::new(cat, &mut r).script();
        mutate(&mut r, base, &other)
    } else {
        stress(cat, &mut r)
    }
}

struct Gen<'a> {
    cat: &'a Catalog,
    r: &'a mut Rng,
    /// Names defined earlier in this input (lets, scalars and defs).
    lets: Vec<Rel>,
    scalars: Vec<Col>,
    defs: Vec<Rel>,
    /// The def being defined, callable from its own body (recursion).
    defining: Option<Rel>,
    depth: usize,
}

impl<'a> Gen<'a> {
    fn new(cat: &'a Catalog, r: &'a mut Rng) -> Gen<'a> {
        Gen {
            cat,
            r,
            lets: Vec::new(),
            scalars: Vec::new(),
            defs: Vec::new(),
            defining: None,
            depth: 0,
        }
    }

    fn script(&mut self) -> String {
        let n = *self.r.pick(&[1, 1, 1, 2, 2, 3, 4, 6]);
        let mut out = String::new();
        for i in 0..n {
            if i > 0 {
                out.push_str(
                    self.r
                        .word(&["\n", "\n", ";", "; ", "\n\n", "\n# note\n", "\r\n"]),
                );
            }
            if self.r.chance(5) {
                out.push_str(&format!("# {}\n", self.string_body()));
            }
            out.push_str(&self.statement());
        }
        if self.r.chance(50) {
            out.push('\n');
        }
        out
    }

    fn statement(&mut self) -> String {
        match self.r.below(100) {
            0..=54 => self.query(),
            55..=64 => {
                let name = self.fresh_name();
                let q = self.query_of_rel();
                self.lets.push(Rel {
                    name: name.clone(),
                    cols: q.1,
                    params: 0,
                });
                format!("let {name} = {}", q.0)
            }
            65..=72 => {
                let name = self.fresh_name();
                let ty = *self.r.pick(TYPES);
                let e = self.expr(ty, &[]);
                self.scalars.push(Col {
                    name: name.clone(),
                    ty,
                });
                format!("let {name} = {e}")
            }
            73..=82 => self.def(),
            83..=86 => self.describe(),
            87..=91 => self.load(),
            _ => self.save(),
        }
    }

    fn fresh_name(&mut self) -> String {
        match self.r.below(10) {
            0 => {
                // Shadow something that exists.
                let all: Vec<&str> = self.cat.rels.iter().map(|r| r.name.as_str()).collect();
                self.r.pick(&all).to_string()
            }
            1 => "`with space`".into(),
            2 => "名字".into(),
            3 => "x".into(),
            _ => format!("v{}", self.r.below(8)),
        }
    }

    fn def(&mut self) -> String {
        let name = format!("f{}", self.r.below(5));
        let nparams = self.r.below(4);
        let mut params: Vec<String> = (0..nparams).map(|i| format!("p{i}")).collect();
        if self.r.chance(5) && !params.is_empty() {
            params.push(params[0].clone()); // a duplicate parameter
        }
        let me = Rel {
            name: name.clone(),
            cols: Vec::new(),
            params: params.len(),
        };
        // Direct recursion now and then; mutual recursion through an earlier def.
        self.defining = self.r.chance(15).then(|| me.clone());
        let param_cols: Vec<Col> = params
            .iter()
            .map(|p| Col {
                name: p.clone(),
                ty: *self.r.pick(TYPES),
            })
            .collect();
        self.scalars.extend(param_cols.iter().cloned());
        let (body, cols) = self.query_of_rel();
        self.scalars.truncate(self.scalars.len() - param_cols.len());
        self.defining = None;
        self.defs.push(Rel { cols, ..me });
        format!("def {name}({}) = {body}", params.join(", "))
    }

    fn describe(&mut self) -> String {
        let mut names: Vec<String> = self.cat.rels.iter().map(|r| r.name.clone()).collect();
        names.extend(self.cat.defs.iter().map(|d| d.name.clone()));
        names.extend(self.lets.iter().map(|l| l.name.clone()));
        names.extend(self.scalars.iter().map(|s| s.name.clone()));
        names.push("nosuch".into());
        format!("describe {}", self.r.pick(&names))
    }

    fn path(&mut self, writing: bool) -> String {
        match self.r.below(10) {
            0 => format!("${}", self.r.pick(&["file", "out", "nope"])),
            1 => quote(self.r.word(BAD_PATHS)),
            _ if writing => quote(self.r.word(SAVE_PATHS)),
            _ => quote(self.r.word(FIXTURES)),
        }
    }

    fn load(&mut self) -> String {
        let mut s = format!("load {}", self.path(false));
        let name = self.fresh_name();
        if self.r.chance(70) {
            s.push_str(&format!(" as {name}"));
        }
        if self.r.chance(30) {
            let n = self.r.range(1, 3);
            let specs: Vec<String> = (0..n)
                .map(|_| {
                    let col = self
                        .r
                        .pick(&["a", "b", "name", "value", "x", "date"])
                        .to_string();
                    let ty = self
                        .r
                        .pick(&["int", "integer", "decimal", "text", "date", "bool", "blob"])
                        .to_string();
                    format!("{col}: {ty}")
                })
                .collect();
            s.push_str(&format!(" with ({})", specs.join(", ")));
        }
        if self.r.chance(15) {
            s.push_str(&format!(
                " format {}",
                self.r.pick(&["csv", "json", "ndjson", "tsv", "xml"])
            ));
        }
        if self.r.chance(15) {
            s.push_str(&format!(
                " delimiter {}",
                self.r
                    .pick(&["\";\"", "\"\\t\"", "\",\"", "\"\"", "\"ab\"", "\"甘\""])
            ));
        }
        self.lets.push(Rel {
            name,
            cols: vec![
                Col {
                    name: "a".into(),
                    ty: Type::Int,
                },
                Col {
                    name: "b".into(),
                    ty: Type::Text,
                },
            ],
            params: 0,
        });
        s
    }

    fn save(&mut self) -> String {
        let (q, _) = self.query_of_rel();
        let replace = if self.r.chance(60) { " replace" } else { "" };
        format!("save {q} to {}{replace}", self.path(true))
    }

    /// A source: a relation, a let, a def call or a parenthesised query.
    fn source(&mut self) -> (String, Vec<Col>) {
        self.depth += 1;
        let out = match self.r.below(100) {
            0..=59 => {
                let rel = self.r.pick(&self.cat.rels).clone();
                (rel.name, rel.cols)
            }
            60..=69 if !self.lets.is_empty() => {
                let rel = self.r.pick(&self.lets).clone();
                (rel.name, rel.cols)
            }
            70..=84 => {
                let mut defs: Vec<Rel> = self.cat.defs.clone();
                defs.extend(self.defs.iter().cloned());
                defs.extend(self.defining.iter().cloned());
                let def = self.r.pick(&defs).clone();
                // Sometimes the wrong number of arguments.
                let n = if self.r.chance(10) {
                    self.r.below(4)
                } else {
                    def.params
                };
                if n == 0 && self.r.chance(50) {
                    (def.name, def.cols)
                } else {
                    let args: Vec<String> = (0..n)
                        .map(|_| {
                            let ty = *self.r.pick(TYPES);
                            self.expr(ty, &[])
                        })
                        .collect();
                    (format!("{}({})", def.name, args.join(", ")), def.cols)
                }
            }
            85..=94 if self.depth < 4 => {
                let (q, cols) = self.query_of_rel();
                (format!("({q})"), cols)
            }
            _ => {
                let rel = self.r.pick(&self.cat.rels).clone();
                (rel.name, rel.cols)
            }
        };
        self.depth -= 1;
        out
    }

    fn query(&mut self) -> String {
        self.query_of_rel().0
    }

    /// A query and (roughly) the columns it produces.
    fn query_of_rel(&mut self) -> (String, Vec<Col>) {
        let (mut text, mut cols) = self.source();
        let n = *self.r.pick(&[0, 1, 1, 2, 2, 3, 4, 6]);
        for _ in 0..n {
            let layout = *self.r.pick(&[" ", " ", " ", "\n  ", "\n\t", "  "]);
            let (clause, next) = self.clause(&cols);
            text.push_str(layout);
            text.push_str(&clause);
            cols = next;
        }
        if self.r.chance(4) {
            text.push_str(" chart");
        }
        (text, cols)
    }

    fn col_of(&mut self, cols: &[Col], ty: Option<Type>) -> Option<Col> {
        let fit: Vec<&Col> = cols
            .iter()
            .filter(|c| ty.is_none_or(|t| c.ty == t))
            .collect();
        (!fit.is_empty()).then(|| (*self.r.pick(&fit)).clone())
    }

    fn clause(&mut self, cols: &[Col]) -> (String, Vec<Col>) {
        let keep = cols.to_vec();
        match self.r.below(100) {
            0..=21 => (format!("where {}", self.expr(Type::Bool, cols)), keep),
            22..=33 => {
                let n = self.r.range(1, 4);
                let mut out = Vec::new();
                let mut items = Vec::new();
                for i in 0..n {
                    let ty = *self.r.pick(TYPES);
                    let e = self.expr(ty, cols);
                    if self.r.chance(50) || !is_name(&e) {
                        let alias = format!("c{i}");
                        items.push(format!("{e} as {alias}"));
                        out.push(Col { name: alias, ty });
                    } else {
                        items.push(e.clone());
                        out.push(Col { name: e, ty });
                    }
                }
                (format!("select {}", items.join(", ")), out)
            }
            34..=43 => {
                let n = self.r.range(1, 3);
                let mut out = keep;
                let mut items = Vec::new();
                for i in 0..n {
                    let ty = *self.r.pick(TYPES);
                    let e = self.expr(ty, cols);
                    let alias = format!("d{i}");
                    items.push(format!("{e} as {alias}"));
                    out.push(Col { name: alias, ty });
                }
                (format!("derive {}", items.join(", ")), out)
            }
            44..=57 => self.aggregate(cols),
            58..=67 => {
                let n = self.r.range(1, 3);
                let keys: Vec<String> = (0..n)
                    .map(|_| {
                        let ty = *self.r.pick(TYPES);
                        let e = self.expr(ty, cols);
                        let dir = *self.r.pick(&["", "", " asc", " desc", " DESC"]);
                        format!("{e}{dir}")
                    })
                    .collect();
                (format!("sort {}", keys.join(", ")), keep)
            }
            68..=74 => (format!("limit {}", self.count_expr()), keep),
            75..=80 => {
                let n = self.count_expr();
                let ty = *self
                    .r
                    .pick(&[Type::Int, Type::Decimal, Type::Text, Type::Date]);
                let by = self.expr(ty, cols);
                let dir = *self.r.pick(&["", "", " asc", " desc"]);
                (format!("top {n} by {by}{dir}"), keep)
            }
            81..=91 => {
                let (src, right) = self.source();
                let left = if self.r.chance(30) { "left " } else { "" };
                let n = self.r.range(1, 2);
                let keys: Vec<String> = (0..n)
                    .map(|_| {
                        let l = self.col_of(cols, None);
                        let rt = self.col_of(&right, l.as_ref().map(|c| c.ty));
                        match (l, rt) {
                            (Some(l), Some(rt)) if self.r.chance(70) => {
                                format!("{} = {}", ident(&l.name), ident(&rt.name))
                            }
                            (Some(l), _) => ident(&l.name),
                            _ => "name".into(),
                        }
                    })
                    .collect();
                let mut out = keep;
                out.extend(right);
                (format!("{left}join {src} on {}", keys.join(", ")), out)
            }
            _ => {
                if self.r.chance(50) || cols.is_empty() {
                    ("distinct".into(), keep)
                } else {
                    let n = self.r.range(1, 2.min(cols.len()).max(1));
                    let mut chosen = Vec::new();
                    for _ in 0..n {
                        if let Some(c) = self.col_of(cols, None) {
                            chosen.push(c);
                        }
                    }
                    let names: Vec<String> = chosen.iter().map(|c| ident(&c.name)).collect();
                    (format!("distinct {}", names.join(", ")), chosen)
                }
            }
        }
    }

    fn aggregate(&mut self, cols: &[Col]) -> (String, Vec<Col>) {
        let n = self.r.range(1, 3);
        let mut out = Vec::new();
        let mut items = Vec::new();
        for _ in 0..n {
            let agg = self.r.pick(AGGREGATES);
            let mut item = agg.name.to_string();
            let ty = match agg.name {
                "count" => {
                    if !agg.signature.starts_with("count ->") {
                        if agg.signature.contains("distinct") {
                            item.push_str(" distinct");
                        }
                        let ty = *self.r.pick(TYPES);
                        item.push_str(&format!(" {}", self.expr(ty, cols)));
                    }
                    Type::Int
                }
                "min" | "max" => {
                    let ty = *self.r.pick(TYPES);
                    item.push_str(&format!(" {}", self.expr(ty, cols)));
                    ty
                }
                _ => {
                    let ty = *self
                        .r
                        .pick(&[Type::Int, Type::Decimal, Type::Decimal, Type::Text]);
                    item.push_str(&format!(" {}", self.expr(ty, cols)));
                    Type::Decimal
                }
            };
            let name = if self.r.chance(40) {
                let alias = format!("a{}", out.len());
                item.push_str(&format!(" as {alias}"));
                alias
            } else {
                agg.name.to_string()
            };
            out.push(Col { name, ty });
            items.push(item);
        }
        let mut text = items.join(", ");
        if self.r.chance(60) {
            let n = self.r.range(1, 2);
            let mut keys = Vec::new();
            for _ in 0..n {
                let ty = *self
                    .r
                    .pick(&[Type::Text, Type::Int, Type::Bool, Type::Date]);
                let e = self.expr(ty, cols);
                if self.r.chance(30) {
                    keys.push(format!("{e} as k{}", keys.len()));
                    out.push(Col {
                        name: format!("k{}", keys.len() - 1),
                        ty,
                    });
                } else {
                    out.push(Col {
                        name: e.clone(),
                        ty,
                    });
                    keys.push(e);
                }
            }
            text.push_str(&format!(" by {}", keys.join(", ")));
        }
        (text, out)
    }

    fn count_expr(&mut self) -> String {
        match self.r.below(10) {
            0 => "$n".into(),
            1 => "-1".into(),
            2 => "9223372036854775807".into(),
            3 => "0".into(),
            4 => "2.5".into(),
            5 => "\"3\"".into(),
            _ => self.r.range(1, 40).to_string(),
        }
    }

    /// An expression meant to have type `ty` over `cols` (10% of the time, of
    /// another type, for the type errors).
    fn expr(&mut self, ty: Type, cols: &[Col]) -> String {
        let ty = if self.r.chance(3) {
            *self.r.pick(TYPES)
        } else {
            ty
        };
        self.depth += 1;
        let e = if self.depth > 5 || self.r.chance(55) {
            self.leaf(ty, cols)
        } else {
            self.compound(ty, cols)
        };
        self.depth -= 1;
        if self.r.chance(4) {
            format!("({e})")
        } else {
            e
        }
    }

    fn leaf(&mut self, ty: Type, cols: &[Col]) -> String {
        match self.r.below(100) {
            0..=44 => match self.col_of(cols, Some(ty)) {
                Some(c) => ident(&c.name),
                None => self.literal(ty),
            },
            45..=79 => self.literal(ty),
            80..=87 => {
                let fit: Vec<Col> = self
                    .cat
                    .params
                    .iter()
                    .filter(|p| p.ty == ty)
                    .cloned()
                    .collect();
                match fit.first() {
                    Some(_) => format!("${}", self.r.pick(&fit).name),
                    None if self.r.chance(10) => "$nope".into(),
                    None => self.literal(ty),
                }
            }
            88..=93 => {
                let mut all: Vec<Col> = self.cat.scalars.clone();
                all.extend(self.scalars.iter().cloned());
                let fit: Vec<Col> = all.into_iter().filter(|c| c.ty == ty).collect();
                if fit.is_empty() {
                    self.literal(ty)
                } else {
                    ident(&self.r.pick(&fit).name)
                }
            }
            _ => {
                // A name that is nothing, or a misspelt column.
                match self.col_of(cols, None) {
                    Some(c) if self.r.chance(50) => format!("{}x", c.name),
                    _ => self.r.pick(&["nosuch", "valeu", "`a b`", "名"]).to_string(),
                }
            }
        }
    }

    fn compound(&mut self, ty: Type, cols: &[Col]) -> String {
        match ty {
            Type::Bool => match self.r.below(12) {
                0 | 1 => {
                    let t = *self.r.pick(TYPES);
                    let op = *self.r.pick(&["=", "!=", "<>", "<", "<=", ">", ">="]);
                    format!("{} {op} {}", self.expr(t, cols), self.expr(t, cols))
                }
                2 => format!(
                    "{} {} {}",
                    self.expr(Type::Bool, cols),
                    self.r.pick(&["and", "or", "AND", "Or"]),
                    self.expr(Type::Bool, cols)
                ),
                3 => format!("not {}", self.expr(Type::Bool, cols)),
                4 => {
                    let t = *self.r.pick(TYPES);
                    let n = self.r.range(1, 4);
                    let items: Vec<String> = (0..n).map(|_| self.expr(t, cols)).collect();
                    let not = if self.r.chance(30) { "not " } else { "" };
                    format!("{} {not}in ({})", self.expr(t, cols), items.join(", "))
                }
                5 => {
                    let t = *self
                        .r
                        .pick(&[Type::Int, Type::Decimal, Type::Date, Type::Text]);
                    let not = if self.r.chance(30) { "not " } else { "" };
                    let lo = self.bound(t, cols);
                    let hi = self.bound(t, cols);
                    format!("{} {not}between {lo} and {hi}", self.expr(t, cols))
                }
                6 => {
                    let t = *self.r.pick(TYPES);
                    let not = if self.r.chance(40) { " not" } else { "" };
                    format!("{} is{not} null", self.expr(t, cols))
                }
                7 => format!(
                    "{} contains {}",
                    self.expr(Type::Text, cols),
                    self.expr(Type::Text, cols)
                ),
                8 => self.call(ty, cols),
                _ => {
                    let t = *self.r.pick(&[Type::Int, Type::Text, Type::Decimal]);
                    format!("{} = {}", self.expr(t, cols), self.expr(t, cols))
                }
            },
            Type::Int | Type::Decimal => match self.r.below(6) {
                0..=2 => {
                    let op = *self.r.pick(&["+", "-", "*", "/"]);
                    format!("{} {op} {}", self.expr(ty, cols), self.expr(ty, cols))
                }
                3 => format!("-{}", self.expr(ty, cols)),
                _ => self.call(ty, cols),
            },
            _ => self.call(ty, cols),
        }
    }

    fn bound(&mut self, ty: Type, cols: &[Col]) -> String {
        match self.r.below(4) {
            0 => format!("({})", self.expr(ty, cols)),
            1 => format!("-{}", self.literal(ty)),
            _ => self.leaf(ty, cols),
        }
    }

    /// A call of one of the functions; its type is a guess from the signature.
    fn call(&mut self, ty: Type, cols: &[Col]) -> String {
        let fit: Vec<&FuncInfo> = FUNCTIONS
            .iter()
            .filter(|f| returns(f.signature, ty))
            .collect();
        let f = if fit.is_empty() || self.r.chance(5) {
            self.r.pick(FUNCTIONS)
        } else {
            *self.r.pick(&fit)
        };
        let sig = f.signature;
        let params = sig
            .split_once('(')
            .and_then(|(_, rest)| rest.split_once(')'))
            .map_or("", |(p, _)| p);
        let mut args: Vec<String> = Vec::new();
        for p in params.split(',').map(str::trim).filter(|p| !p.is_empty()) {
            if p == "..." {
                for _ in 0..self.r.below(3) {
                    args.push(self.expr(ty, cols));
                }
                continue;
            }
            let optional = p.starts_with('[');
            if optional && self.r.chance(50) {
                continue;
            }
            let want = if p.contains("date") {
                Type::Date
            } else if p.contains("text") {
                Type::Text
            } else if p.contains("integer") {
                Type::Int
            } else if p.contains("number") {
                *self.r.pick(&[Type::Int, Type::Decimal])
            } else {
                ty
            };
            args.push(self.expr(want, cols));
        }
        // Sometimes the wrong number of arguments.
        if self.r.chance(5) {
            args.push(self.literal(ty));
        } else if self.r.chance(5) {
            args.pop();
        }
        format!("{}({})", f.name, args.join(", "))
    }

    /// One of `common`, or one time in twenty one of `edge` (a script holds
    /// many literals, and one bad literal stops it before it runs).
    fn one(&mut self, common: &[&'static str], edge: &[&'static str]) -> &'static str {
        if self.r.chance(95) {
            self.r.word(common)
        } else {
            self.r.word(edge)
        }
    }

    fn literal(&mut self, ty: Type) -> String {
        match ty {
            Type::Int => self
                .one(
                    &["0", "1", "2", "3", "42", "2023", "2024", "195", "100000"],
                    &[
                        "007",
                        "1_000",
                        "9223372036854775807",
                        "9223372036854775808",
                        "123456789012345678901234567890",
                        "-9223372036854775808",
                    ],
                )
                .to_string(),
            Type::Decimal => self
                .one(
                    &["0.5", "1.0", "300.0", "396.6", "0.1", "2.25", "1e3"],
                    &[
                        "1e309",
                        "5e-324",
                        "1e-400",
                        "1e308",
                        "2.5E-3",
                        "123456789012345678901234567890.5",
                        "1_000.000_1",
                        "-0.0",
                    ],
                )
                .to_string(),
            Type::Date => self
                .one(
                    &["2024-10-27", "2024-02-29", "1970-01-01", "2023-05-01"],
                    &[
                        "2023-02-29",
                        "0000-01-01",
                        "9999-12-31",
                        "2024-13-01",
                        "2024-00-10",
                    ],
                )
                .to_string(),
            Type::Bool => self
                .one(&["true", "false"], &["null", "TRUE", "False"])
                .to_string(),
            _ => {
                let body = self.string_body();
                if self.r.chance(15) {
                    format!("'{}'", body.replace('\'', "\\'"))
                } else {
                    format!("\"{}\"", body.replace('"', "\\\""))
                }
            }
        }
    }

    /// The inside of a string literal: ordinary words, escapes (valid and
    /// not), CJK, emoji, combining marks, direction overrides, BOMs.
    fn string_body(&mut self) -> String {
        let n = self.r.range(0, 3);
        let mut s = String::new();
        for _ in 0..n {
            s.push_str(self.one(
                &[
                    "Gansu",
                    "Yunnan",
                    "west",
                    "east",
                    "new energy",
                    "甘肃省",
                    "a",
                    "",
                    " ",
                    "2024",
                ],
                &[
                    "省份",
                    "x\u{301}",
                    "😀",
                    "\u{202E}abc",
                    "\u{200B}",
                    "\u{FEFF}",
                    "\\n",
                    "\\t",
                    "\\r",
                    "\\\\",
                    "\\u{4E2D}",
                    "\\u{110000}",
                    "\\u{}",
                    "\\u{zz}",
                    "\\x",
                    "\\q",
                    "%",
                    "a,b",
                    "\\\"",
                    "2024-10-27",
                    "123",
                ],
            ));
        }
        s
    }
}

/// Whether a function of signature `sig` can return a `ty`.
fn returns(sig: &str, ty: Type) -> bool {
    let ret = sig.rsplit_once("->").map_or("", |(_, r)| r.trim());
    match ret {
        "integer" => ty == Type::Int,
        "text" => ty == Type::Text,
        "decimal" => ty == Type::Decimal,
        "date" => ty == Type::Date,
        "bool" | "boolean" => ty == Type::Bool,
        "number" => ty.is_numeric(),
        _ => true,
    }
}

fn is_name(e: &str) -> bool {
    e.chars()
        .all(|c| c.is_alphanumeric() || c == '_' || c == '`' || c == ' ')
        && !e.is_empty()
        && !e.starts_with(|c: char| c.is_ascii_digit())
}

/// A name as itq text: backquoted when it is not a plain identifier.
fn ident(name: &str) -> String {
    let plain = name
        .chars()
        .next()
        .is_some_and(|c| c.is_alphabetic() || c == '_')
        && name.chars().all(|c| c.is_alphanumeric() || c == '_');
    if plain || name.starts_with('`') {
        name.to_string()
    } else {
        format!("`{name}`")
    }
}

fn quote(path: &str) -> String {
    format!("\"{path}\"")
}

/// Splits text into rough tokens (words, numbers, strings, runs of spaces,
/// single other characters) for the mutator.
fn tokens(text: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut chars = text.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        let mut end = i + c.len_utf8();
        if c.is_alphanumeric() || c == '_' {
            while let Some(&(j, d)) = chars.peek() {
                if d.is_alphanumeric() || d == '_' || d == '.' {
                    end = j + d.len_utf8();
                    chars.next();
                } else {
                    break;
                }
            }
        } else if c == '"' || c == '\'' || c == '`' {
            for (j, d) in chars.by_ref() {
                end = j + d.len_utf8();
                if d == c || d == '\n' {
                    break;
                }
            }
        } else if c == ' ' {
            while let Some(&(j, ' ')) = chars.peek() {
                end = j + 1;
                chars.next();
            }
        }
        out.push(&text[i..end]);
    }
    out
}

/// 1 to 3 of: delete, insert, duplicate, swap, truncate, change case, splice.
pub fn mutate(r: &mut Rng, text: String, other: &str) -> String {
    let mut toks: Vec<String> = tokens(&text).into_iter().map(str::to_string).collect();
    for _ in 0..r.range(1, 3) {
        if toks.is_empty() {
            toks.push(r.pick(KEYWORDS).to_string());
        }
        let i = r.below(toks.len());
        match r.below(8) {
            0 => {
                toks.remove(i);
            }
            1 => {
                let t = match r.below(3) {
                    0 => format!(" {} ", r.pick(KEYWORDS)),
                    1 => r.pick(PUNCT).to_string(),
                    _ => r.pick(ODD_CHARS).to_string(),
                };
                toks.insert(i, t);
            }
            2 => {
                let t = toks[i].clone();
                toks.insert(i, t);
            }
            3 => {
                let j = r.below(toks.len());
                toks.swap(i, j);
            }
            4 => toks.truncate(i.max(1)),
            5 => {
                let t = &toks[i];
                toks[i] = if r.chance(50) {
                    t.to_uppercase()
                } else {
                    t.chars()
                        .enumerate()
                        .map(|(k, c)| {
                            if k % 2 == 0 {
                                c.to_ascii_uppercase()
                            } else {
                                c
                            }
                        })
                        .collect()
                };
            }
            6 => {
                // Truncate inside a token (mid-string, mid-word).
                let t = &toks[i];
                let cut: Vec<usize> = t.char_indices().map(|(k, _)| k).collect();
                if !cut.is_empty() {
                    let k = cut[r.below(cut.len())];
                    toks[i] = t[..k].to_string();
                    toks.truncate(i + 1);
                }
            }
            _ => {
                // Splice a piece of another input in.
                let theirs = tokens(other);
                if !theirs.is_empty() {
                    let a = r.below(theirs.len());
                    let b = (a + r.range(1, 8)).min(theirs.len());
                    let piece: String = theirs[a..b].concat();
                    toks.insert(i, piece);
                }
            }
        }
    }
    toks.concat()
}

/// Inputs near and past the documented limits.
fn stress(cat: &Catalog, r: &mut Rng) -> String {
    let rel = &r.pick(&cat.rels).name.clone();
    match r.below(8) {
        0 => {
            let n = r.range(55, 70);
            format!("{rel} where {}1{} = 1", "(".repeat(n), ")".repeat(n))
        }
        1 => {
            let n = r.range(180, 215);
            let op = *r.pick(&[" + 1", " * 1", " or true", " and true", " - 1"]);
            let start = if op.contains("true") { "true" } else { "1" };
            format!("let s = {start}{}", op.repeat(n))
        }
        2 => {
            let n = r.range(28, 40);
            let mut s = String::from("def c0() = provinces\n");
            for i in 1..n {
                s.push_str(&format!("def c{i}() = c{}()\n", i - 1));
            }
            s.push_str(&format!("c{} count\n", n - 1));
            s
        }
        3 => {
            let n = r.range(100, 600);
            let mut g = Gen::new(cat, r);
            (0..n).map(|_| g.statement()).collect::<Vec<_>>().join("\n")
        }
        4 => {
            let n = r.range(500, 3000);
            let items: Vec<String> = (0..n).map(|i| i.to_string()).collect();
            format!("{rel} where 1 in ({}) count", items.join(", "))
        }
        5 => {
            let n = r.range(1_000, 40_000);
            let piece = *r.pick(&["a", "甘", "😀", "x\u{301}", "\\n"]);
            format!(
                "let t = \"{}\"\n{rel} limit 1 select t, length(t)",
                piece.repeat(n)
            )
        }
        6 => {
            let n = if r.chance(2) {
                r.range(9_000, 12_000)
            } else {
                r.range(190, 210)
            };
            let op = *r.pick(&["not ", "- ", "-"]);
            let operand = if op == "not " { "true" } else { "1" };
            format!("let p = {}{operand}", op.repeat(n))
        }
        _ => {
            let n = r.range(90, 110);
            let mut s = String::from(rel);
            for _ in 0..n {
                s.push_str(" limit 5");
            }
            s
        }
    }
}
