//! Cancelling a running query through the embedding API.

use itq::{Engine, ErrorKind};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

/// An engine with `big`, a relation of 29,791 rows (31³) built by joins.
fn engine_with_big() -> Engine {
    let mut engine = Engine::new().unwrap();
    engine
        .run(
            &itq::Source::new(
                "<setup>",
                "let p = provinces derive 1 as k select k; \
                 let p2 = p join p on k; \
                 let big = p2 join p on k",
            ),
            |_| {},
        )
        .unwrap();
    engine
}

#[test]
fn a_cancelled_query_stops_with_a_clear_error_and_the_engine_goes_on() {
    let mut engine = engine_with_big();
    let handle = engine.interrupt_handle();
    let done = Arc::new(AtomicBool::new(false));
    // Another thread keeps cancelling until the query returns, so whenever the
    // run starts, its next check sees the cancel.
    let canceller = {
        let done = Arc::clone(&done);
        std::thread::spawn(move || {
            while !done.load(Ordering::Relaxed) {
                handle.cancel();
                std::thread::yield_now();
            }
        })
    };
    let result = engine.query("big join big on k count");
    done.store(true, Ordering::Relaxed);
    canceller.join().unwrap();
    let err = result.expect_err("the query was cancelled");
    assert_eq!(err.kind(), &ErrorKind::Cancelled);
    assert!(err.render().contains("query cancelled"), "{}", err.render());

    // A cancel from before a run does not touch it.
    engine.interrupt_handle().cancel();
    let t = engine.query("big count").unwrap();
    assert_eq!(t.get(0, 0), itq::Scalar::Int(29_791));
}
