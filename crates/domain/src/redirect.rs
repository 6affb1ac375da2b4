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

    pub fn is_root(&self) -> bool {
        self.0 == "/"
    }

    /// The path percent-encoded for use as a query value (`?next=…`).
    pub fn to_query_value(&self) -> String {
        let mut out = String::with_capacity(self.0.len());
        for b in self.0.bytes() {
            if b.is_ascii_alphanumeric() || b"-._~/".contains(&b) {
                out.push(char::from(b));
            } else {
                out.push_str(&format!("%{b:02X}"));
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::LocalPath;

    #[test]
    fn query_values_are_encoded() {
        let p = LocalPath::parse("/join/ab?x=1&y=é").unwrap();
        assert_eq!(p.to_query_value(), "/join/ab%3Fx%3D1%26y%3D%C3%A9");
    }

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
