//! Where a "next" parameter may send someone after log-in: local paths only.

/// A path on this instance, safe to redirect to. Anything else falls back to `/`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LocalPath(String);

impl LocalPath {
    /// Accepts `/a/b?c` but never `//evil`, `/\evil`, `https://evil`, or anything with control chars.
    pub fn parse(input: &str) -> Option<Self> {
        let ok = input.starts_with('/')
            && !input.starts_with("//")
            && !input.starts_with("/\\")
            && !input.contains('\\')
            && input.len() <= 2000
            && !input.chars().any(|c| c.is_control() || c.is_whitespace());
        ok.then(|| Self(input.to_owned()))
    }

    pub fn or_root(input: Option<&str>) -> Self {
        input.and_then(Self::parse).unwrap_or_else(Self::root)
    }

    pub fn root() -> Self {
        Self("/".to_owned())
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::LocalPath;

    #[test]
    fn only_local_paths() {
        assert!(LocalPath::parse("/profile").is_some());
        assert!(LocalPath::parse("/g/abc?x=1#y").is_some());
        for bad in [
            "//evil.example",
            "/\\evil.example",
            "https://evil.example",
            "evil",
            "",
            "/\t/evil",
            "/a\\b",
            "javascript:alert(1)",
        ] {
            assert!(LocalPath::parse(bad).is_none(), "{bad:?}");
        }
        assert_eq!(LocalPath::or_root(Some("//x")).as_str(), "/");
    }
}
