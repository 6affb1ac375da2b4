//! Browser family from a User-Agent header: the only part of it Weft keeps (sessions, P2 counters).

/// A coarse family name; never a version or platform detail that could fingerprint someone.
pub fn browser_family(user_agent: &str) -> &'static str {
    let ua = user_agent;
    // Order matters: Edge and Opera also say "Chrome", Chrome also says "Safari".
    if ua.contains("Edg/") || ua.contains("Edge/") {
        "Edge"
    } else if ua.contains("OPR/") || ua.contains("Opera") {
        "Opera"
    } else if ua.contains("Firefox/") {
        "Firefox"
    } else if ua.contains("Chrome/") || ua.contains("Chromium/") || ua.contains("CriOS/") {
        "Chrome"
    } else if ua.contains("Safari/") {
        "Safari"
    } else if ua.starts_with("curl/") {
        "curl"
    } else if ua.is_empty() {
        "Unknown"
    } else {
        "Other"
    }
}

#[cfg(test)]
mod tests {
    use super::browser_family;

    #[test]
    fn families() {
        assert_eq!(
            browser_family("Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0"),
            "Firefox"
        );
        assert_eq!(
            browser_family(
                "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Safari/537.36"
            ),
            "Chrome"
        );
        assert_eq!(
            browser_family("Mozilla/5.0 (Windows NT 10.0) AppleWebKit/537.36 Chrome/126.0 Safari/537.36 Edg/126.0"),
            "Edge"
        );
        assert_eq!(
            browser_family("Mozilla/5.0 (Macintosh) AppleWebKit/605.1.15 Version/17.5 Safari/605.1.15"),
            "Safari"
        );
        assert_eq!(browser_family(""), "Unknown");
    }
}
