//! Counts page views for the aggregate usage statistics (P2): the route pattern, browser family,
//! primary language and referring domain of each successful HTML page view. Nothing else is read,
//! nothing is set on the visitor.

use axum::extract::{MatchedPath, Request, State};
use axum::http::{Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::Response;
use weft_app::usage::PageView;

use crate::AppState;

/// A primary language tag (`en` from `en-GB,en;q=0.9`), or `None`.
fn language(accept_language: &str) -> Option<String> {
    let first = accept_language.split([',', ';']).next()?.trim();
    let primary = first.split('-').next()?.to_ascii_lowercase();
    ((2..=3).contains(&primary.len()) && primary.bytes().all(|b| b.is_ascii_lowercase())).then_some(primary)
}

/// The domain of another site in a `Referer`, or `None` (none, ours, or not a web address).
fn referring_domain(referer: &str, our_host: &str) -> Option<String> {
    let rest = referer
        .strip_prefix("https://")
        .or_else(|| referer.strip_prefix("http://"))?;
    let authority = rest.split(['/', '?', '#']).next()?;
    let host = authority.rsplit('@').next()?.split(':').next()?.to_ascii_lowercase();
    let valid = !host.is_empty()
        && host.len() <= 100
        && host
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'.' || b == b'-');
    (valid && host != our_host).then_some(host)
}

fn host_of(base_url: &str) -> String {
    referring_domain(base_url, "").unwrap_or_default()
}

pub async fn count(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let page = req
        .extensions()
        .get::<MatchedPath>()
        .map(|m| m.as_str().to_owned())
        .filter(|p| !p.starts_with("/api/") && !p.starts_with("/static/") && p != "/healthz");
    let counted = req.method() == Method::GET && page.is_some();
    // Read what is counted before the request moves on (nothing borrowed across the await).
    let (agent, accept_language, referer) = if counted {
        let headers = req.headers();
        let text = |name: header::HeaderName| headers.get(name).and_then(|v| v.to_str().ok()).map(str::to_owned);
        (
            text(header::USER_AGENT).unwrap_or_default(),
            text(header::ACCEPT_LANGUAGE),
            text(header::REFERER),
        )
    } else {
        (String::new(), None, None)
    };
    let res = next.run(req).await;
    let html = res
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|t| t.starts_with("text/html"));
    if let Some(page) = page.filter(|_| counted && html && res.status() == StatusCode::OK) {
        let our_host = host_of(&state.app.config.base_url);
        let language = accept_language.as_deref().and_then(language);
        let referrer = referer.as_deref().and_then(|r| referring_domain(r, &our_host));
        state.app.usage.record(&PageView {
            page: &page,
            browser: weft_domain::browser::browser_family(&agent),
            language: language.as_deref(),
            referrer: referrer.as_deref(),
        });
    }
    res
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_aggregate_values_are_kept() {
        assert_eq!(language("en-GB,en;q=0.9,fr;q=0.8").as_deref(), Some("en"));
        assert_eq!(language("*"), None);
        assert_eq!(language("x-klingon"), None);
        assert_eq!(
            referring_domain("https://news.example.com/item?id=1", "weft.example.org").as_deref(),
            Some("news.example.com")
        );
        assert_eq!(
            referring_domain("https://weft.example.org/g/abc", "weft.example.org"),
            None
        );
        assert_eq!(referring_domain("android-app://com.x", "weft.example.org"), None);
        assert_eq!(
            referring_domain("http://user:pw@Evil.Example:8080/x", "w").as_deref(),
            Some("evil.example")
        );
    }
}
