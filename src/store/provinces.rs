//! The province a spelling stands for: the `province_aliases` fact file read
//! once into a map from a spelling's key (lower case, no spaces) to the
//! province's `name`. `province(x)` looks spellings up here.

use super::facts::{parse_typed_csv, FACT_FILES};
use std::collections::HashMap;
use std::sync::{Arc, OnceLock};

/// The relation the aliases come from.
const ALIASES: &str = "province_aliases";

/// The administrative suffixes a spelling may end in beyond the listed
/// forms (`广西自治区`, `Guangxi Autonomous Region`), as keys.
const SUFFIXES: &[&str] = &[
    "autonomousregion",
    "municipality",
    "province",
    "zizhiqu",
    "sheng",
    "shi",
    "自治区",
    "省",
    "市",
];

fn aliases() -> &'static HashMap<String, Arc<str>> {
    static MAP: OnceLock<HashMap<String, Arc<str>>> = OnceLock::new();
    MAP.get_or_init(|| {
        let file = FACT_FILES
            .iter()
            .find(|f| f.name == ALIASES)
            .expect("the fact base has province_aliases");
        // tests/facts.rs loads every fact file, so this parses.
        let table = parse_typed_csv(ALIASES, file.csv).expect("province_aliases parses");
        let (alias, name) = (table.column_at(0), table.column_at(1));
        let mut map = HashMap::new();
        for i in 0..table.num_rows() {
            if let (Some(a), Some(n)) = (alias.get(i).as_str(), name.get(i).as_str()) {
                map.insert(key(a), Arc::from(n));
            }
        }
        map
    })
}

/// A spelling's key: lower case, without white space, `-` or `_`.
fn key(text: &str) -> String {
    text.chars()
        .filter(|c| !c.is_whitespace() && *c != '-' && *c != '_')
        .flat_map(char::to_lowercase)
        .collect()
}

/// The `name` in `provinces` of the province `text` spells (any alias, in
/// any case and spacing, or one followed by an administrative suffix), if any.
pub fn province_name(text: &str) -> Option<Arc<str>> {
    let map = aliases();
    let k = key(text);
    if let Some(n) = map.get(&k) {
        return Some(Arc::clone(n));
    }
    SUFFIXES.iter().find_map(|s| {
        let base = k.strip_suffix(s)?;
        (!base.is_empty()).then(|| map.get(base).cloned()).flatten()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_spelling_finds_its_province() {
        for (spelling, name) in [
            ("甘肃省", "Gansu"),
            ("甘肃", "Gansu"),
            (" GANSU  province ", "Gansu"),
            ("Nei Mongol", "Inner Mongolia"),
            ("Inner Mongolia Autonomous Region", "Inner Mongolia"),
            ("广西自治区", "Guangxi"),
            ("Guangxi Zhuang Autonomous Region", "Guangxi"),
            ("Tibet", "Xizang"),
            ("xizang", "Xizang"),
            ("620000", "Gansu"),
            ("Chongqing Municipality", "Chongqing"),
            ("Heilongjiang Province", "Heilongjiang"),
        ] {
            assert_eq!(province_name(spelling).as_deref(), Some(name), "{spelling}");
        }
        for no in ["", "合计", "Atlantis", "620100", "省"] {
            assert_eq!(province_name(no), None, "{no}");
        }
    }
}
