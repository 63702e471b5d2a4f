//! The statistical aggregates, window functions and `top ... per`: their
//! values, null rules, empty groups and ties, on small tables written out,
//! and on a large generated one (so morsels run in parallel) against the
//! same figures computed plainly here.

use itq::store::facts::parse_typed_csv;
use itq::{render, Engine, Format};

const T: &str = "\
k:text,g:text,v:int,d:decimal,s:text
a,x,1,1.5,signed
b,x,2,,expected
c,y,,2.5,signed
d,y,4,-0.5,
e,,5,2.5,signed
f,x,2,4.0,expected
";

fn engine() -> Engine {
    let mut e = Engine::empty();
    e.add_relation("t", parse_typed_csv("t", T).unwrap(), None);
    e
}

fn give(query: &str) -> String {
    match engine().query(query) {
        Ok(t) => render(&t, Format::Csv),
        Err(e) => panic!("{query}\n{}", e.render()),
    }
}

fn fails(query: &str) -> String {
    engine().query(query).expect_err(query).render()
}

#[test]
fn spread_is_sample_or_population_and_skips_nulls() {
    // v: 1, 2, 4, 5, 2 (c is null): mean 2.8, squared deviations sum 10.8.
    assert_eq!(
        give("t variance v, var_pop v, stddev v as s, stddev_pop v as sp select variance_v, var_pop_v"),
        "variance_v,var_pop_v\n2.7,2.16\n"
    );
    assert_eq!(
        give(
            "t stddev v, stddev_pop v select round(stddev_v, 9) as s, round(stddev_pop_v, 9) as p"
        ),
        "s,p\n1.643167673,1.469693846\n"
    );
    // One value: no sample spread, a population spread of 0; no values: null.
    assert_eq!(
        give("t where k = \"a\" stddev v, stddev_pop v"),
        "stddev_v,stddev_pop_v\n,0.0\n"
    );
    assert_eq!(
        give("t where k = \"zz\" count, stddev v, variance d, quantile(v, 0.5)"),
        "count,stddev_v,variance_d,quantile_v_0_5\n0,,,\n"
    );
}

#[test]
fn quantiles_interpolate_and_agree_with_median() {
    // v sorted: 1 2 2 4 5.
    assert_eq!(
        give("t quantile(v, 0), quantile(v, 0.25), quantile(v, 0.5), quantile(v, 0.9), quantile(v, 1), median v"),
        "quantile_v_0,quantile_v_0_25,quantile_v_0_5,quantile_v_0_9,quantile_v_1,median_v\n1.0,2.0,2.0,4.6,5.0,2.0\n"
    );
    assert_eq!(give("t percentile(v, 90) as p"), "p\n4.6\n");
    assert_eq!(
        give("t quantile(d, 0.5) as q by g"),
        "g,q\nx,2.75\ny,1.0\n,2.5\n"
    );
    assert!(fails("t quantile(v, 1.5)").contains("must be a constant from 0 to 1"));
    assert!(fails("t percentile(v, 101)").contains("from 0 to 100"));
    assert!(fails("t quantile(v, v)").contains("unknown name `v`"));
    assert!(fails("t quantile v").contains("takes two arguments"));
    assert!(fails("t quantile(s, 0.5)").contains("needs numbers"));
}

#[test]
fn corr_and_covar_read_rows_where_both_sides_are_known() {
    // Pairs (v, d) with both known: (1, 1.5), (4, -0.5), (5, 2.5), (2, 4.0).
    assert_eq!(
        // Means 3 and 1.875; co-deviations 0.75 − 2.375 + 1.25 − 2.125 = −2.5, over 3.
        give("t covar(v, d), corr(v, v), count v select round(covar_v_d, 9), corr_v_v, count_v"),
        "round_covar_v_d_9,corr_v_v,count_v\n-0.833333333,1.0,5\n"
    );
    // A constant side has no correlation; fewer than two pairs have none either.
    assert_eq!(
        give("t where g = \"x\" and k != \"f\" corr(v, v) as c, covar(v, v) as cv"),
        "c,cv\n1.0,0.5\n"
    );
    assert_eq!(give("t where k = \"a\" corr(v, d) as c"), "c\n\"\"\n");
    assert_eq!(give("t where v = 2 corr(v, d) as c"), "c\n\"\"\n");
    assert!(fails("t corr(v)").contains("takes two arguments"));
}

#[test]
fn mode_first_last_and_list_skip_nulls_and_break_ties_as_documented() {
    // s: signed ×3, expected ×2, one null.
    assert_eq!(
        give("t mode s, first s, last s, list distinct s, first d, last d"),
        "mode_s,first_s,last_s,list_distinct_s,first_d,last_d\nsigned,signed,expected,\"signed, expected\",1.5,4.0\n"
    );
    // In group x: 1, 2, 2 (mode 2); y: 4 alone; the null key: 5.
    assert_eq!(
        give("t mode v, list v, first d by g"),
        "g,mode_v,list_v,first_d\nx,2,\"1, 2, 2\",1.5\ny,4,4,2.5\n,5,5,2.5\n"
    );
    // A tie goes to the smallest value.
    assert_eq!(
        give("t where k in (\"a\", \"b\") mode s"),
        "mode_s\nexpected\n"
    );
    assert_eq!(give("t where k in (\"a\", \"d\") mode v"), "mode_v\n1\n");
    // No values: null, as for every aggregate but count.
    assert_eq!(
        give("t where s is null mode s, first s, list s, list distinct s"),
        "mode_s,first_s,list_s,list_distinct_s\n,,,\n"
    );
    assert!(fails("t sum distinct v").contains("only goes with `count` and `list`"));
}

#[test]
fn the_new_aggregate_words_stay_ordinary_names() {
    let mut e = Engine::empty();
    let t = parse_typed_csv("w", "first:int,mode:text,list:int\n1,a,3\n2,b,4\n").unwrap();
    e.add_relation("w", t, None);
    let got = e
        .query("w where first > 1 select mode, list, first")
        .unwrap();
    assert_eq!(render(&got, Format::Csv), "mode,list,first\nb,4,2\n");
    let got = e.query("w first first, last mode").unwrap();
    assert_eq!(render(&got, Format::Csv), "first_first,last_mode\n1,b\n");
}

#[test]
fn ranks_number_rows_within_groups_and_share_ties() {
    assert_eq!(
        give("t derive rank() as r, dense_rank() as dr, row_number() as n per g along v desc select k, g, v, r, dr, n"),
        // x: 2 (b), 2 (f) tie below 1 (a); y: 4 then the null; the null key alone.
        "k,g,v,r,dr,n\na,x,1,3,2,3\nb,x,2,1,1,1\nc,y,,2,2,2\nd,y,4,1,1,1\ne,,5,1,1,1\nf,x,2,1,1,2\n"
    );
    assert!(fails("t derive rank() as r").contains("ranks rows along an order"));
}

#[test]
fn lag_lead_change_and_growth_follow_the_order_within_groups() {
    assert_eq!(
        give("t where g = \"x\" derive lag(v) as p, lead(v) as nx, lag(v, 2) as p2, change(d) as c, percent_change(d) as pc along k select k, v, p, nx, p2, c, pc"),
        // b's d is null: changes into and out of it are null.
        "k,v,p,nx,p2,c,pc\na,1,,2,,,\nb,2,1,2,,,\nf,2,2,,1,,\n"
    );
    assert_eq!(
        give("t where d is not null derive change(d) as c, percent_change(d) as pc along k select k, d, c, pc"),
        "k,d,c,pc\na,1.5,,\nc,2.5,1.0,66.66666666666667\nd,-0.5,-3.0,-120.0\ne,2.5,3.0,-600.0\nf,4.0,1.5,60.0\n"
    );
    // From 0, a percentage change has no value.
    assert_eq!(
        give("t where k in (\"a\", \"b\") derive v - 1 as z, percent_change(z) as pc along k select pc"),
        "pc\n\"\"\n\"\"\n"
    );
}

#[test]
fn running_sums_and_shares_within_groups_and_overall() {
    assert_eq!(
        give("t derive running_sum(v) as rs, share(v) as part per g along k select k, rs, part"),
        "k,rs,part\na,1,0.2\nb,3,0.4\nc,,\nd,4,1.0\ne,5,1.0\nf,5,0.4\n"
    );
    // Without `per`, one group; without `along`, input order.
    assert_eq!(
        give("t derive running_sum(v) as rs, share(v) * 14 as pct select rs, round(pct, 9) as pct"),
        "rs,pct\n1,1.0\n3,2.0\n3,\n7,4.0\n12,5.0\n14,2.0\n"
    );
}

#[test]
fn window_functions_only_go_in_derive_and_need_one_for_per() {
    assert!(fails("t where rank() > 1").contains("is a window function"));
    assert!(fails("t derive v as w per g").contains("this `derive` has none"));
    assert!(fails("t derive share(s) as x").contains("needs numbers"));
    assert!(fails("t derive lag() as x").contains("takes 1 or 2 arguments"));
    assert!(fails("t derive lag(v, -1) as x").contains("0 or more"));
}

#[test]
fn top_per_group_keeps_the_best_rows_of_each_group_in_order() {
    assert_eq!(
        give("t top 2 by v per g select g, k, v"),
        // Groups in order of first appearance; nulls last; ties in input order.
        "g,k,v\nx,b,2\nx,f,2\ny,d,4\ny,c,\n,e,5\n"
    );
    assert_eq!(give("t top 1 by v asc per g select k"), "k\na\nd\ne\n");
    assert_eq!(give("t top 0 by v per g select k"), "k\n");
}

#[test]
fn the_formatter_prints_the_new_forms_back() {
    let text = "t top 2 by v asc per g, s\nt derive lag(v, 2) as p per g along k desc, v\nt quantile(v, 0.9) as q, corr(v, d), list distinct s by g\n";
    assert_eq!(itq::syntax::format::format_script(text).unwrap(), text);
}

/// A relation of `n` rows in `groups` groups with a measure that is never
/// null and one that is null every seventh row.
fn big(n: usize, groups: usize) -> (Engine, Vec<(usize, f64, Option<f64>)>) {
    let mut csv = String::from("g:int,x:decimal,y:decimal\n");
    let mut rows = Vec::with_capacity(n);
    let mut state: u64 = 12345;
    for i in 0..n {
        state = state
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        let g = (state >> 33) as usize % groups;
        let x = ((state >> 11) % 100_000) as f64 / 100.0;
        let y = (i % 7 != 0).then(|| x * 0.5 + ((state >> 40) % 1000) as f64 / 10.0);
        csv.push_str(&format!(
            "{g},{x},{}\n",
            y.map_or(String::new(), |y| y.to_string())
        ));
        rows.push((g, x, y));
    }
    let mut e = Engine::empty();
    e.add_relation("big", parse_typed_csv("big", &csv).unwrap(), None);
    (e, rows)
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-9 * a.abs().max(b.abs()).max(1.0)
}

#[test]
fn parallel_morsels_give_the_plain_figures() {
    let (mut e, rows) = big(140_000, 50);
    let t = e
        .query("big stddev x, corr(x, y), quantile(x, 0.3) by g sort g")
        .unwrap();
    for g in 0..50 {
        let xs: Vec<f64> = rows.iter().filter(|r| r.0 == g).map(|r| r.1).collect();
        let n = xs.len() as f64;
        let mean = xs.iter().sum::<f64>() / n;
        let sd = (xs.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1.0)).sqrt();
        let pairs: Vec<(f64, f64)> = rows
            .iter()
            .filter(|r| r.0 == g)
            .filter_map(|r| r.2.map(|y| (r.1, y)))
            .collect();
        let (mx, my) = (
            pairs.iter().map(|p| p.0).sum::<f64>() / pairs.len() as f64,
            pairs.iter().map(|p| p.1).sum::<f64>() / pairs.len() as f64,
        );
        let cxy: f64 = pairs.iter().map(|p| (p.0 - mx) * (p.1 - my)).sum();
        let cxx: f64 = pairs.iter().map(|p| (p.0 - mx).powi(2)).sum();
        let cyy: f64 = pairs.iter().map(|p| (p.1 - my).powi(2)).sum();
        let corr = cxy / (cxx * cyy).sqrt();
        let mut sorted = xs.clone();
        sorted.sort_by(f64::total_cmp);
        let h = (sorted.len() - 1) as f64 * 0.3;
        let (lo, hi) = (h.floor() as usize, h.ceil() as usize);
        let q = sorted[lo] + (h - lo as f64) * (sorted[hi] - sorted[lo]);
        let got = |c: usize| t.column_at(c).get(g).as_f64().unwrap();
        assert!(close(got(1), sd), "group {g}: stddev {} vs {sd}", got(1));
        assert!(close(got(2), corr), "group {g}: corr {} vs {corr}", got(2));
        assert!(close(got(3), q), "group {g}: quantile {} vs {q}", got(3));
    }
}

#[test]
fn windows_over_many_rows_give_the_plain_figures() {
    let (mut e, rows) = big(140_000, 1000);
    let t = e
        .query("big derive row_number() as n, running_sum(x) as rs, share(x) as part per g along x desc")
        .unwrap();
    let mut totals = vec![0.0; 1000];
    rows.iter().for_each(|r| totals[r.0] += r.1);
    // Each group's rows by x descending (ties in input order), numbered.
    let mut by_group: Vec<Vec<usize>> = vec![Vec::new(); 1000];
    rows.iter()
        .enumerate()
        .for_each(|(i, r)| by_group[r.0].push(i));
    for idx in &mut by_group {
        idx.sort_by(|&a, &b| rows[b].1.total_cmp(&rows[a].1).then(a.cmp(&b)));
        let mut sum = 0.0;
        for (k, &i) in idx.iter().enumerate() {
            sum += rows[i].1;
            assert_eq!(t.column_at(3).get(i).as_int(), Some(k as i64 + 1));
            assert!(close(t.column_at(4).get(i).as_f64().unwrap(), sum));
            let part = t.column_at(5).get(i).as_f64().unwrap();
            assert!(close(part, rows[i].1 / totals[rows[i].0]));
        }
    }
    let top = e.query("big top 3 by x per g").unwrap();
    assert_eq!(top.num_rows(), 3000);
    // lag and lead along the same order: the neighbours in each group.
    let t = e
        .query("big derive lag(x) as p, lead(x, 2) as nx per g along x desc")
        .unwrap();
    for idx in &by_group {
        for (k, &i) in idx.iter().enumerate() {
            let before = k.checked_sub(1).map(|j| rows[idx[j]].1);
            let after = idx.get(k + 2).map(|&j| rows[j].1);
            assert_eq!(t.column_at(3).get(i).as_f64(), before, "lag of row {i}");
            assert_eq!(t.column_at(4).get(i).as_f64(), after, "lead of row {i}");
        }
    }
}

#[test]
fn top_per_group_over_many_rows_gives_the_plain_rows() {
    // 200,000 rows in morsels; y is null every seventh row, x has many ties
    // (1,000 values); 40 groups of about 5,000 rows and 3 groups of a few
    // rows (g = 40, 41, 42), so some groups have fewer rows than kept.
    let (mut e, mut rows) = big(200_000, 40);
    let mut extra = String::from("g:int,x:decimal,y:decimal\n");
    for (i, r) in rows.iter().enumerate() {
        extra.push_str(&format!(
            "{},{},{}\n",
            r.0,
            (r.1 * 100.0).round() % 1000.0,
            r.2.map_or(String::new(), |y| y.to_string())
        ));
        if i % 50_000 == 7 {
            extra.push_str(&format!("{},{},\n", 40 + i / 50_000 % 3, r.1));
        }
    }
    e.add_relation("ties", parse_typed_csv("ties", &extra).unwrap(), None);
    rows = Vec::new();
    for line in extra.lines().skip(1) {
        let f: Vec<&str> = line.split(',').collect();
        rows.push((
            f[0].parse().unwrap(),
            f[1].parse().unwrap(),
            f[2].parse().ok(),
        ));
    }
    for (query, by_y, descending) in [
        ("ties top 4 by y per g", true, true),
        ("ties top 4 by y asc per g", true, false),
        ("ties top 4 by x per g", false, true),
    ] {
        let t = e.query(query).unwrap();
        // Plainly: groups in order of first row; each group's rows by the
        // key (nulls last), ties in row order; the first 4.
        let mut order: Vec<usize> = Vec::new();
        let mut by_group: std::collections::HashMap<usize, Vec<usize>> = Default::default();
        for (i, r) in rows.iter().enumerate() {
            if !by_group.contains_key(&r.0) {
                order.push(r.0);
            }
            by_group.entry(r.0).or_default().push(i);
        }
        let key = |i: usize| if by_y { rows[i].2 } else { Some(rows[i].1) };
        let mut want: Vec<(usize, Option<f64>, Option<f64>)> = Vec::new();
        for g in order {
            let idx = by_group.get_mut(&g).unwrap();
            idx.sort_by(|&a, &b| {
                let o = match (key(a), key(b)) {
                    (Some(x), Some(y)) if descending => y.total_cmp(&x),
                    (Some(x), Some(y)) => x.total_cmp(&y),
                    (Some(_), None) => std::cmp::Ordering::Less,
                    (None, Some(_)) => std::cmp::Ordering::Greater,
                    (None, None) => std::cmp::Ordering::Equal,
                };
                o.then(a.cmp(&b))
            });
            want.extend(idx.iter().take(4).map(|&i| (g, Some(rows[i].1), rows[i].2)));
        }
        let got: Vec<(usize, Option<f64>, Option<f64>)> = (0..t.num_rows())
            .map(|i| {
                let g = t.column_at(0).get(i).as_int().unwrap() as usize;
                (
                    g,
                    t.column_at(1).get(i).as_f64(),
                    t.column_at(2).get(i).as_f64(),
                )
            })
            .collect();
        assert_eq!(got, want, "{query}");
    }
}
