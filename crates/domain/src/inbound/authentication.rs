//! Whether the receiving mail server vouches for a message's sender: its own
//! `Authentication-Results` header (RFC 8601) says DMARC passed for the domain of the `From`
//! address. Only the server named by `authserv_id` (the operator's MX, which must remove such
//! headers bearing its name from incoming mail, as RFC 8601 §5 asks) is believed, and only its
//! topmost header (the one it added last; anything below may come from the sender).

/// Whether `headers` (every `Authentication-Results` value, topmost first) hold, from
/// `authserv_id`, `dmarc=pass` with `header.from` equal to `from_domain`.
pub fn dmarc_passed(headers: &[String], authserv_id: &str, from_domain: &str) -> bool {
    let Some(ours) = headers.iter().find(|h| {
        h.split(';')
            .next()
            .and_then(|id| id.split_whitespace().next())
            .is_some_and(|id| id.eq_ignore_ascii_case(authserv_id))
    }) else {
        return false;
    };
    ours.split(';').skip(1).any(|result| {
        let mut words = result.split_whitespace();
        let verdict = words.next().unwrap_or_default().to_ascii_lowercase();
        verdict == "dmarc=pass"
            && words.any(|w| {
                w.to_ascii_lowercase()
                    .strip_prefix("header.from=")
                    .is_some_and(|d| d.trim_matches('"') == from_domain.to_ascii_lowercase())
            })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn h(values: &[&str]) -> Vec<String> {
        values.iter().map(|v| (*v).to_owned()).collect()
    }

    #[test]
    fn only_our_servers_dmarc_pass_for_the_senders_domain_counts() {
        let pass = "mx.weft.example; spf=pass smtp.mailfrom=example.org; dkim=pass header.d=example.org; \
                    dmarc=pass (p=reject) header.from=example.org";
        #[rustfmt::skip]
        let table: Vec<(&str, Vec<String>, &str, bool)> = vec![
            ("our pass",                      h(&[pass]), "example.org", true),
            ("case and quotes",               h(&["MX.Weft.Example; DMARC=pass header.from=\"Example.org\""]), "example.org", true),
            ("another domain passed",         h(&[pass]), "elsewhere.org", false),
            ("dmarc failed",                  h(&["mx.weft.example; dkim=pass header.d=example.org; dmarc=fail header.from=example.org"]), "example.org", false),
            ("no dmarc, only spf",            h(&["mx.weft.example; spf=pass smtp.mailfrom=example.org"]), "example.org", false),
            ("another server's pass",         h(&["mx.attacker.example; dmarc=pass header.from=example.org"]), "example.org", false),
            ("ours says none, a lower one passes", h(&["mx.weft.example; dmarc=none header.from=example.org", pass]), "example.org", false),
            ("a forged one below ours",       h(&["mx.other.example; dmarc=pass header.from=example.org", pass]), "example.org", true),
            ("none at all",                   h(&[]), "example.org", false),
            ("an id that merely starts alike", h(&["mx.weft.example.evil; dmarc=pass header.from=example.org"]), "example.org", false),
        ];
        for (case, headers, domain, want) in table {
            assert_eq!(dmarc_passed(&headers, "mx.weft.example", domain), want, "{case}");
        }
    }
}
