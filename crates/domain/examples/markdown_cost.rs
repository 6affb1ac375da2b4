//! What rendering costs for the inputs that used to hurt (issue 19), in an optimised build:
//! `cargo run --release -p weft-domain --example markdown_cost [chars]` (default 50 000, the
//! longest thread context). docs/PERFORMANCE.md keeps the figures.

use std::time::Instant;

fn main() {
    let n: usize = std::env::args().nth(1).and_then(|a| a.parse().ok()).unwrap_or(50_000);
    let cases: Vec<(&str, String)> = vec![
        ("quotes", ">".repeat(n)),
        ("quotes spaced", "> ".repeat(n / 2)),
        ("quoted lists", "> - ".repeat(n / 4)),
        ("ordered lists", "1. ".repeat(n / 3)),
        ("emphasis", "*".repeat(n / 2) + "a" + &"*".repeat(n / 2)),
        ("links", "[a](".repeat(n / 4)),
        (
            "wide table",
            "|a".repeat(n / 12) + "\n" + &"|-".repeat(n / 12) + "\n" + &"|x\n".repeat(n / 9),
        ),
        ("less-than", "<".repeat(n)),
        ("mentions", "@abc ".repeat(n / 5)),
        ("raw html", "<div>".repeat(n / 5)),
        (
            "prose",
            "We **meet** on _Mondays_ at [the hall](https://example.org).\n\n".repeat(n / 64),
        ),
    ];
    println!("{:14} {:>7} {:>9} {:>10}", "input", "chars", "HTML", "time");
    for (name, md) in cases {
        let started = Instant::now();
        let html = weft_domain::markdown::to_html(&md);
        let took = started.elapsed();
        println!("{name:14} {:>7} {:>9} {:>10.2?}", md.chars().count(), html.len(), took);
    }
}
