//! Results as server-rendered SVG: bars for most kinds, a pie for proposals and checks. The
//! shapes take their colours from the stylesheet (so they follow dark mode); every chart has a
//! text alternative, and the page shows the same figures as a table.

use std::fmt::Write as _;

use weft_app::polls::PollResults;

/// Escapes text for SVG.
fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// A horizontal bar per option, as long as its share of the total.
pub fn bars(results: &PollResults, label: &str) -> String {
    let row = 28;
    let height = row * results.rows.len().max(1) + 8;
    let mut svg = format!(
        r#"<svg class="chart" role="img" aria-label="{}" viewBox="0 0 400 {height}" width="100%" preserveAspectRatio="xMinYMin meet">"#,
        esc(label)
    );
    for (i, r) in results.rows.iter().enumerate() {
        let y = i * row + 4;
        // Shares are 0–100; the bar area is 240 wide after the 150-wide label column.
        #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
        let width = (r.share_of_total.clamp(0.0, 100.0) * 2.4).round() as u32;
        let _ = write!(
            svg,
            r#"<text x="0" y="{}" class="chart-label">{}</text><rect x="150" y="{y}" width="{}" height="18" class="chart-bar chart-c{}"/><text x="{}" y="{}" class="chart-value">{}</text>"#,
            y + 14,
            esc(&truncate(&r.name, 22)),
            width.max(1),
            i % 6,
            152 + width,
            y + 14,
            esc(&weft_domain::polls::percent(r.share_of_total)),
        );
    }
    svg.push_str("</svg>");
    svg
}

/// A ring of slices, one per option with votes, by share of voters.
pub fn pie(results: &PollResults, label: &str) -> String {
    let radius = 15.915_494_309_189_533; // circumference 100: a share is its own dash length
    let mut svg = format!(
        r#"<svg class="chart chart-pie" role="img" aria-label="{}" viewBox="0 0 42 42" width="160" height="160"><circle cx="21" cy="21" r="{radius}" class="chart-empty" fill="none" stroke-width="8"/>"#,
        esc(label)
    );
    let mut offset = 25.0; // start at the top
    for (i, r) in results.rows.iter().enumerate() {
        if r.share_of_total <= 0.0 {
            continue;
        }
        let _ = write!(
            svg,
            r#"<circle cx="21" cy="21" r="{radius}" fill="none" stroke-width="8" class="chart-slice chart-c{}" stroke-dasharray="{:.3} {:.3}" stroke-dashoffset="{offset:.3}"/>"#,
            i % 6,
            r.share_of_total,
            100.0 - r.share_of_total,
        );
        offset -= r.share_of_total;
    }
    svg.push_str("</svg>");
    svg
}

fn truncate(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        s.to_owned()
    } else {
        let mut t: String = s.chars().take(max - 1).collect();
        t.push('…');
        t
    }
}

/// The chart's text alternative: each option with its share.
pub fn describe(results: &PollResults) -> String {
    results
        .rows
        .iter()
        .map(|r| {
            format!(
                "{}: {} ({})",
                r.name,
                r.voters,
                weft_domain::polls::percent(r.share_of_total)
            )
        })
        .collect::<Vec<_>>()
        .join("; ")
}
