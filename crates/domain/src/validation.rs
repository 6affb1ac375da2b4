//! Field-level validation errors, shaped as the API returns them: `{"field": ["message", …]}`.

/// One rejected field value, with a message written for the person who typed it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct FieldError {
    pub message: String,
}

impl FieldError {
    pub fn new(message: impl Into<String>) -> Self {
        Self {
            message: message.into(),
        }
    }
}

/// All the problems found in one submission, keyed by field name, in the order the fields were
/// checked (the form's order, so an error summary reads top to bottom).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ValidationErrors(Vec<(String, Vec<String>)>);

impl serde::Serialize for ValidationErrors {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let mut map = serializer.serialize_map(Some(self.0.len()))?;
        for (field, messages) in &self.0 {
            map.serialize_entry(field, messages)?;
        }
        map.end()
    }
}

impl ValidationErrors {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn single(field: &str, message: impl Into<String>) -> Self {
        let mut errors = Self::new();
        errors.add(field, message);
        errors
    }

    pub fn add(&mut self, field: &str, message: impl Into<String>) {
        let message = message.into();
        match self.0.iter_mut().find(|(f, _)| f == field) {
            Some((_, messages)) => messages.push(message),
            None => self.0.push((field.to_owned(), vec![message])),
        }
    }

    /// Keeps the parsed value, or records the error under `field` and gives `None`.
    pub fn check<T>(&mut self, field: &str, parsed: Result<T, FieldError>) -> Option<T> {
        match parsed {
            Ok(value) => Some(value),
            Err(error) => {
                self.add(field, error.message);
                None
            }
        }
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn get(&self, field: &str) -> Option<&[String]> {
        self.0.iter().find(|(f, _)| f == field).map(|(_, m)| m.as_slice())
    }

    /// The first message for a field, for showing next to it in a form.
    pub fn first(&self, field: &str) -> Option<&str> {
        self.get(field).and_then(<[String]>::first).map(String::as_str)
    }

    pub fn fields(&self) -> impl Iterator<Item = (&str, &[String])> {
        self.0.iter().map(|(k, v)| (k.as_str(), v.as_slice()))
    }

    pub fn into_result(self) -> Result<(), Self> {
        if self.is_empty() { Ok(()) } else { Err(self) }
    }
}

impl std::fmt::Display for ValidationErrors {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let fields: Vec<&str> = self.0.iter().map(|(f, _)| f.as_str()).collect();
        write!(f, "invalid fields: {}", fields.join(", "))
    }
}

impl std::error::Error for ValidationErrors {}

/// True for characters no name or handle should carry: controls and invisible formatting marks.
pub(crate) fn is_forbidden_char(c: char) -> bool {
    c.is_control()
        || matches!(c, '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{FEFF}')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_field_order_and_groups_messages() {
        let mut e = ValidationErrors::new();
        e.add("name", "a");
        e.add("email", "b");
        e.add("name", "c");
        assert_eq!(e.fields().map(|(f, _)| f).collect::<Vec<_>>(), ["name", "email"]);
        assert_eq!(e.get("name").unwrap(), ["a", "c"]);
        assert_eq!(e.first("email"), Some("b"));
        assert_eq!(
            serde_json::to_string(&e).unwrap(),
            r#"{"name":["a","c"],"email":["b"]}"#
        );
    }
}
