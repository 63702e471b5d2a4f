use itq::{render_with, Engine, Format, RenderOptions};
use std::time::Instant;
fn main() {
    let n: usize = std::env::args().nth(1).unwrap().parse().unwrap();
    let w: Option<u16> = std::env::args().nth(2).map(|s| s.parse().unwrap());
    let mut e = Engine::new().unwrap();
    e.set_param("s", itq::Scalar::Text(std::env::var("PAT").unwrap_or("x".into()).repeat(n).into()));
    let t = e.query("provinces limit 1 select name, $s").unwrap();
    let start = Instant::now();
    let out = render_with(&t, Format::Table, &RenderOptions { max_rows: None, width: w });
    eprintln!("{} bytes in {:?}", out.len(), start.elapsed());
}
