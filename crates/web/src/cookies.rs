//! Weft's two cookies (P3): the session and the CSRF value. First-party, HttpOnly, SameSite,
//! `__Host-` and `Secure` whenever the browser will accept them.

use axum::http::{HeaderMap, HeaderValue, header};

#[derive(Debug, Clone)]
pub struct CookieNames {
    pub session: &'static str,
    pub csrf: &'static str,
    /// `Secure` (and so `__Host-`): over https, and on loopback, which browsers treat as secure.
    pub secure: bool,
}

impl CookieNames {
    pub fn for_base_url(base_url: &str) -> Self {
        let host = base_url
            .split("://")
            .nth(1)
            .unwrap_or("")
            .split('/')
            .next()
            .unwrap_or("");
        let loopback = host.starts_with("localhost") || host.starts_with("127.") || host.starts_with("[::1]");
        let secure = base_url.starts_with("https://") || loopback;
        if secure {
            Self {
                session: "__Host-weft_session",
                csrf: "__Host-weft_csrf",
                secure,
            }
        } else {
            // Plain http on a LAN name: browsers reject `__Host-` and `Secure` there.
            Self {
                session: "weft_session",
                csrf: "weft_csrf",
                secure,
            }
        }
    }

    fn attributes(&self, same_site: &str) -> String {
        let secure = if self.secure { "; Secure" } else { "" };
        format!("; Path=/; HttpOnly; SameSite={same_site}{secure}")
    }

    pub fn set_session(&self, token: &str) -> HeaderValue {
        // No Max-Age: the server decides when a session ends; the browser forgets it on close of
        // the profile only if the user wishes.
        let v = format!("{}={}{}; Max-Age=7776000", self.session, token, self.attributes("Lax"));
        HeaderValue::from_str(&v).expect("cookie value is hex")
    }

    pub fn clear_session(&self) -> HeaderValue {
        let v = format!("{}={}; Max-Age=0", self.session, self.attributes("Lax"));
        HeaderValue::from_str(&v).expect("static cookie value")
    }

    pub fn set_csrf(&self, value: &str) -> HeaderValue {
        let v = format!("{}={}{}", self.csrf, value, self.attributes("Strict"));
        HeaderValue::from_str(&v).expect("cookie value is hex")
    }
}

/// The value of a cookie in the request's `Cookie` headers.
pub fn get<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v)
}
