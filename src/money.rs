//! Money units: how many billion yuan (the fact base's unit) one amount of
//! 元, 万元, 亿元, million yuan, 美元 ... is. `to_billion_yuan`,
//! `from_billion_yuan` and a load's `with (amount: decimal 亿元)` all read
//! this one table, and every backend converts with the same arithmetic: an
//! exact power of ten, times the exchange rate for a dollar unit.

/// One money unit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Unit {
    /// How it is written (the first spelling in [`UNITS`]).
    pub name: &'static str,
    /// One amount in this unit is 10^`exponent` billion of its currency.
    pub exponent: i32,
    /// A dollar unit: converting it to yuan needs a rate.
    pub dollars: bool,
}

/// Every unit with its spellings (matched ignoring case and spaces).
const UNITS: &[(&[&str], i32, bool)] = &[
    (&["元", "yuan", "rmb", "cny"], -9, false),
    (&["千元", "thousand yuan"], -6, false),
    (&["万元", "10k yuan", "ten thousand yuan"], -5, false),
    (&["百万元", "million yuan"], -3, false),
    (&["千万元", "ten million yuan"], -2, false),
    (
        &["亿元", "100 million yuan", "hundred million yuan"],
        -1,
        false,
    ),
    (&["十亿元", "billion yuan", "bn yuan"], 0, false),
    (&["万亿元", "trillion yuan"], 3, false),
    (&["美元", "usd", "dollars", "us dollars"], -9, true),
    (
        &[
            "千美元",
            "thousand usd",
            "thousand dollars",
            "thousand us dollars",
        ],
        -6,
        true,
    ),
    (
        &[
            "万美元",
            "10k usd",
            "ten thousand usd",
            "ten thousand dollars",
        ],
        -5,
        true,
    ),
    (
        &[
            "百万美元",
            "million usd",
            "million dollars",
            "million us dollars",
        ],
        -3,
        true,
    ),
    (
        &[
            "亿美元",
            "100 million usd",
            "hundred million usd",
            "100 million dollars",
        ],
        -1,
        true,
    ),
    (
        &[
            "十亿美元",
            "billion usd",
            "billion dollars",
            "billion us dollars",
        ],
        0,
        true,
    ),
];

/// The unit written `text` (case and spaces do not matter), if it is one.
pub fn unit(text: &str) -> Option<Unit> {
    let key = normalize(text);
    UNITS.iter().find_map(|(names, exponent, dollars)| {
        names.iter().any(|n| normalize(n) == key).then_some(Unit {
            name: names[0],
            exponent: *exponent,
            dollars: *dollars,
        })
    })
}

/// The units' first spellings, for messages.
pub fn unit_names() -> Vec<&'static str> {
    UNITS.iter().map(|(names, _, _)| names[0]).collect()
}

fn normalize(text: &str) -> String {
    text.chars()
        .filter(|c| !c.is_whitespace())
        .flat_map(char::to_lowercase)
        .collect()
}

/// What is wrong with converting with `unit` (as written) and the rate
/// given or not: an unknown unit, a dollar unit without a rate, a rate
/// for a yuan unit.
pub fn check(written: &str, rate: Option<f64>) -> Result<Unit, String> {
    let Some(u) = unit(written) else {
        return Err(format!(
            "`{written}` is not a money unit itq knows; the units are {}",
            unit_names().join(", ")
        ));
    };
    match (u.dollars, rate) {
        (true, None) => Err(format!(
            "`{written}` is in dollars: give the rate in yuan per dollar as the third argument, as in `to_billion_yuan(x, \"{written}\", 7.1)`"
        )),
        (false, Some(_)) => Err(format!(
            "`{written}` is in yuan: a rate converts dollar units only; leave it out"
        )),
        (_, Some(r)) if !(r.is_finite() && r > 0.0) => Err(format!(
            "the rate must be a positive number of yuan per dollar, not {r}"
        )),
        _ => Ok(u),
    }
}

/// 10^`n` as a double (exact for the exponents of [`UNITS`]).
pub fn power_of_ten(n: u32) -> f64 {
    10f64.powi(n as i32)
}

/// `x` in `unit` (at `rate` yuan per dollar, for a dollar unit) in billion
/// yuan: `x * rate`, then times or divided by a power of ten, so that
/// `396.6` 亿元 is exactly `39.66`, not `39.660000000000004`.
pub fn to_billion_yuan(x: f64, unit: Unit, rate: f64) -> f64 {
    let x = if unit.dollars { x * rate } else { x };
    scale(x, unit.exponent)
}

/// `x` billion yuan in `unit`: the inverse of [`to_billion_yuan`].
pub fn from_billion_yuan(x: f64, unit: Unit, rate: f64) -> f64 {
    let x = scale(x, -unit.exponent);
    if unit.dollars {
        x / rate
    } else {
        x
    }
}

/// `x * 10^exponent`, dividing for a negative exponent.
pub fn scale(x: f64, exponent: i32) -> f64 {
    if exponent >= 0 {
        x * power_of_ten(exponent as u32)
    } else {
        x / power_of_ten(exponent.unsigned_abs())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chinese_units_convert_exactly() {
        let shown = crate::value::format_decimal;
        let yi = unit("亿元").unwrap();
        assert_eq!(shown(to_billion_yuan(396.6, yi, 1.0)), "39.66");
        assert_eq!(
            to_billion_yuan(2_500_000.0, unit("万元").unwrap(), 1.0),
            25.0
        );
        assert_eq!(shown(from_billion_yuan(39.66, yi, 1.0)), "396.6");
        assert_eq!(unit(" Billion  Yuan ").unwrap().exponent, 0);
        let usd = check("million USD", Some(7.0)).unwrap();
        assert_eq!(to_billion_yuan(100.0, usd, 7.0), 0.7);
        assert!(check("亿美元", None).unwrap_err().contains("rate"));
        assert!(check("亿元", Some(7.0)).is_err());
        assert!(check("lakh", None).unwrap_err().contains("万元"));
    }
}
