//! A person's avatar until pictures can be uploaded: their initials on a colour derived from
//! them, drawn by our own stylesheet (no third-party service, nothing to fetch).

/// How many colours avatars come in (`.avatar-0` … `.avatar-11` in the stylesheet, each dark
/// enough for white initials to read at 4.5:1).
pub const HUES: u8 = 12;

/// Initials and a colour.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Avatar {
    /// One or two letters, uppercase: the first of the first word and of the last one.
    pub initials: String,
    /// `0..HUES`, the same for the same `seed` wherever it is drawn.
    pub hue: u8,
}

impl Avatar {
    /// The avatar of someone named `name`, its colour from `seed` (their username: stable, and
    /// told apart from a namesake's).
    pub fn of(name: &str, seed: &str) -> Self {
        let words: Vec<&str> = name
            .split_whitespace()
            .filter(|w| w.chars().next().is_some_and(char::is_alphanumeric))
            .collect();
        let first = |w: &str| w.chars().next().map(|c| c.to_uppercase().collect::<String>());
        let mut initials = words.first().and_then(|w| first(w)).unwrap_or_else(|| "?".to_owned());
        if words.len() > 1
            && let Some(last) = words.last().and_then(|w| first(w))
        {
            initials.push_str(&last);
        }
        // FNV-1a: small, stable across builds and platforms.
        let mut hash: u32 = 0x811c_9dc5;
        for byte in seed.bytes() {
            hash ^= u32::from(byte);
            hash = hash.wrapping_mul(0x0100_0193);
        }
        Self {
            initials,
            hue: u8::try_from(hash % u32::from(HUES)).unwrap_or(0),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn initials_come_from_the_first_and_last_words() {
        let cases = [
            ("Ada Lovelace", "AL"),
            ("ada", "A"),
            ("Jean-Luc de la Tour", "JT"),
            ("  émile   zola ", "ÉZ"),
            ("🦊 Night Owl", "NO"),
            ("", "?"),
            ("ß", "SS"),
        ];
        for (name, initials) in cases {
            assert_eq!(Avatar::of(name, "x").initials, initials, "{name:?}");
        }
    }

    #[test]
    fn the_colour_is_stable_and_spread() {
        assert_eq!(Avatar::of("Ada", "ada").hue, Avatar::of("Someone else", "ada").hue);
        let hues: std::collections::BTreeSet<u8> = (0..200).map(|i| Avatar::of("A", &format!("user{i}")).hue).collect();
        assert_eq!(hues.len(), usize::from(HUES), "every colour is used");
        assert!(hues.iter().all(|h| *h < HUES));
    }
}
