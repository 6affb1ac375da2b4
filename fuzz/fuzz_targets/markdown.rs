//! The markdown renderer, attacked for what hurts a server: a panic, HTML out of proportion to
//! the text, or time out of proportion to it (issue 19: 50 000 `>` once took 35–59 s).
#![no_main]

use std::time::{Duration, Instant};

use libfuzzer_sys::fuzz_target;
use weft_domain::markdown::{output_budget, to_html};

fuzz_target!(|data: &[u8]| {
    let Ok(md) = std::str::from_utf8(data) else { return };
    let started = Instant::now();
    let html = to_html(md);
    let took = started.elapsed();
    assert!(
        html.len() <= 2 * output_budget(md.len()),
        "{} bytes of HTML from {} bytes of markdown",
        html.len(),
        md.len()
    );
    // Measured worst case about 0.4 µs per byte in an optimised build; a quadratic input of
    // this size takes seconds. Generous, so a busy machine does not fail it.
    let allowed = Duration::from_millis(100) + Duration::from_micros(20 * md.len() as u64);
    assert!(took < allowed, "{took:?} for {} bytes", md.len());
});
