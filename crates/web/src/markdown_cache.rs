//! Rendered markdown, remembered. Turning a comment into safe HTML (pulldown-cmark, then
//! ammonia's sanitiser, which parses and re-serialises the HTML) costs more than reading the
//! comment from the database, and a thread page shows 50 of them (issue 12: see
//! docs/PERFORMANCE.md). The HTML is a pure function of the markdown, so the markdown itself is
//! the key: an edit is a new key, nothing can go stale, and every instance may keep its own copy.
//!
//! Rendering runs on the blocking pool (`prepare`), never on the async workers that serve other
//! requests: its cost is bounded by the text's length (`weft_domain::markdown`), but a page of 50
//! long texts is still milliseconds of CPU.
//!
//! Two generations bound the memory: entries go into the young one; when it holds `budget / 2`
//! bytes it becomes the old one and the previous old one is dropped. A hit in the old generation
//! moves the entry back to the young one, so what is read keeps living.

use std::collections::HashMap;
use std::sync::{Arc, LazyLock, Mutex};

/// Bytes of markdown and HTML kept, both generations together.
const BUDGET: usize = 8 * 1024 * 1024;
/// Longer texts are rendered every time (only an operator's policy can be this long): they would
/// crowd out many short ones. Every text people write (at most 50 000 characters) fits.
const LONGEST: usize = 256 * 1024;

struct Generations {
    young: HashMap<Arc<str>, Arc<str>>,
    old: HashMap<Arc<str>, Arc<str>>,
    young_bytes: usize,
    budget: usize,
}

impl Generations {
    fn new(budget: usize) -> Self {
        Self {
            young: HashMap::new(),
            old: HashMap::new(),
            young_bytes: 0,
            budget,
        }
    }

    fn get(&mut self, markdown: &str) -> Option<Arc<str>> {
        if let Some(html) = self.young.get(markdown) {
            return Some(html.clone());
        }
        let (key, html) = self.old.remove_entry(markdown)?;
        self.insert(key, html.clone());
        Some(html)
    }

    fn insert(&mut self, markdown: Arc<str>, html: Arc<str>) {
        let bytes = markdown.len() + html.len();
        if self.young_bytes + bytes > self.budget / 2 {
            self.old = std::mem::take(&mut self.young);
            self.young_bytes = 0;
        }
        self.young_bytes += bytes;
        self.young.insert(markdown, html);
    }
}

static CACHE: LazyLock<Mutex<Generations>> = LazyLock::new(|| Mutex::new(Generations::new(BUDGET)));

/// Renders, on the blocking pool and in one hop, whichever of `texts` are not cached yet, so
/// that the `to_html` calls building the page that follows find them.
pub async fn prepare<'a>(texts: impl IntoIterator<Item = &'a str>) {
    let missing: Vec<String> = {
        let Ok(mut cache) = CACHE.lock() else { return };
        texts
            .into_iter()
            .filter(|t| t.len() <= LONGEST && cache.get(t).is_none())
            .map(str::to_owned)
            .collect()
    };
    if missing.is_empty() {
        return;
    }
    let rendered = tokio::task::spawn_blocking(move || {
        missing
            .into_iter()
            .map(|md| {
                let html: Arc<str> = weft_domain::markdown::to_html(&md).into();
                (Arc::<str>::from(md), html)
            })
            .collect::<Vec<_>>()
    })
    .await;
    if let (Ok(rendered), Ok(mut cache)) = (rendered, CACHE.lock()) {
        for (md, html) in rendered {
            cache.insert(md, html);
        }
    }
}

/// Safe HTML for a draft being previewed: rendered on the blocking pool like the rest, by the
/// same sanitiser, but not cached (a draft is seen once, and unsaved words stay out of memory).
pub async fn preview(markdown: &str) -> String {
    let md = markdown.to_owned();
    tokio::task::spawn_blocking(move || weft_domain::markdown::to_html(&md))
        .await
        .unwrap_or_default()
}

/// Safe HTML for `markdown` (`weft_domain::markdown::to_html`), rendered once per text. Call
/// `prepare` first with every text of the page.
pub fn to_html(markdown: &str) -> Arc<str> {
    if markdown.len() > LONGEST {
        return weft_domain::markdown::to_html(markdown).into();
    }
    if let Some(html) = CACHE.lock().ok().and_then(|mut c| c.get(markdown)) {
        return html;
    }
    // Rendered outside the lock: other pages go on meanwhile; a race renders twice, harmlessly.
    let html: Arc<str> = weft_domain::markdown::to_html(markdown).into();
    if let Ok(mut cache) = CACHE.lock() {
        cache.insert(markdown.into(), html.clone());
    }
    html
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn answers_what_the_renderer_answers() {
        for text in [
            "**bold** and @ann",
            "<script>alert(1)</script>",
            "",
            "[x](javascript:alert(1))",
        ] {
            assert_eq!(&*to_html(text), weft_domain::markdown::to_html(text));
            assert_eq!(&*to_html(text), weft_domain::markdown::to_html(text), "from the cache");
        }
    }

    #[test]
    fn memory_stays_within_the_budget_and_read_entries_survive() {
        let mut g = Generations::new(1000);
        g.insert("kept".into(), "<p>kept</p>".into());
        for i in 0..200 {
            let text: Arc<str> = format!("text {i}").into();
            g.insert(text.clone(), text);
            assert!(g.get("kept").is_some(), "a text read all along is never dropped");
        }
        let bytes: usize = g.young.iter().chain(g.old.iter()).map(|(k, v)| k.len() + v.len()).sum();
        assert!(bytes <= 1000, "{bytes} bytes kept");
        assert!(g.get("text 0").is_none(), "the oldest unread entries went");
    }
}
