//! Results as server-rendered SVG: bars for most kinds, a pie for proposals and checks. The
//! shapes take their colours from the stylesheet (so they follow dark mode); every chart has a
//! text alternative, and the page shows the same figures as a table.

use std::fmt::Write as _;

use weft_app::polls::PollResults;
use weft_domain::polls::ranked::RankedCount;

use crate::shell::escape_html as esc;

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

/// A count in rounds: one line per option across the stages (its votes at each), and the quota
/// as a dashed line. `names` gives each option's name in the count's option order.
pub fn rounds(count: &RankedCount, names: &[String], label: &str) -> String {
    let stages = count.stages.len().max(1);
    let (left, top, width, height) = (40.0, 10.0, 420.0, 220.0);
    let top_votes = count
        .stages
        .iter()
        .flat_map(|s| s.tallies.iter().map(|t| t.votes.as_f64()).chain([s.quota.as_f64()]))
        .fold(1.0_f64, f64::max);
    #[allow(clippy::cast_precision_loss)] // a handful of stages
    let x = |stage: usize| left + width * (stage as f64) / ((stages.max(2) - 1) as f64);
    let y = |votes: f64| top + height * (1.0 - votes / top_votes);
    let mut svg = format!(
        r#"<svg class="chart chart-rounds" role="img" aria-label="{}" viewBox="0 0 600 260" width="100%" preserveAspectRatio="xMinYMin meet">"#,
        esc(label)
    );
    let _ = write!(
        svg,
        r#"<line x1="{left}" y1="{}" x2="{left}" y2="{}" class="chart-axis"/><line x1="{left}" y1="{}" x2="{}" y2="{}" class="chart-axis"/>"#,
        top,
        top + height,
        top + height,
        left + width,
        top + height
    );
    for (i, _) in count.stages.iter().enumerate() {
        let _ = write!(
            svg,
            r#"<text x="{:.1}" y="{}" class="chart-label" text-anchor="middle">{}</text>"#,
            x(i),
            top + height + 16.0,
            i + 1
        );
    }
    let quota: Vec<String> = count
        .stages
        .iter()
        .enumerate()
        .map(|(i, s)| format!("{:.1},{:.1}", x(i), y(s.quota.as_f64())))
        .collect();
    let _ = write!(
        svg,
        r#"<polyline points="{}" class="chart-quota" fill="none"/>"#,
        quota.join(" ")
    );
    for (o, name) in names.iter().enumerate() {
        let mut points = Vec::new();
        for (i, s) in count.stages.iter().enumerate() {
            let Some(t) = s.tallies.get(o) else { continue };
            points.push(format!("{:.1},{:.1}", x(i), y(t.votes.as_f64())));
            if t.standing == weft_domain::polls::ranked::Standing::Excluded && t.votes.0 == 0 {
                break;
            }
        }
        let last = points.last().cloned().unwrap_or_default();
        let _ = write!(
            svg,
            r#"<polyline points="{}" fill="none" class="chart-line chart-c{}"/>"#,
            points.join(" "),
            o % 6
        );
        if let Some((lx, ly)) = last.split_once(',') {
            let _ = write!(
                svg,
                r#"<text x="{}" y="{}" class="chart-value" dx="4">{}</text>"#,
                lx,
                ly,
                esc(&truncate(name, 16))
            );
        }
    }
    svg.push_str("</svg>");
    svg
}
