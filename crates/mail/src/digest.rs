//! The body of a catch-up digest: one section per thread with what is new in it, as text (what
//! people wrote, as typed) and as HTML (rendered by the site's sanitiser, given here already
//! sanitised). Names, titles and links are escaped in the HTML part.

use askama::Template;

use crate::compose::Formatted;

/// One thread with something new.
#[derive(Debug, Clone)]
pub struct Section {
    pub title: String,
    pub group: String,
    /// Absolute link to the thread's first new item.
    pub link: String,
    pub items: Vec<Item>,
    /// New items not shown (the digest shows the latest few of each thread).
    pub more: i64,
}

/// One new item: "Ada wrote:" and what she wrote, or "Bob raised a poll: “Lunch”".
#[derive(Debug, Clone)]
pub struct Item {
    pub lead: String,
    pub link: String,
    pub written: Option<Formatted>,
}

#[derive(Template)]
#[template(path = "digest.txt", escape = "none")]
struct Text<'a> {
    sections: &'a [Section],
}

#[derive(Template)]
#[template(path = "digest.html")]
struct Html<'a> {
    sections: &'a [Section],
}

/// Both parts of a digest's body, for `%%content%%`.
pub fn formatted(sections: &[Section]) -> Formatted {
    Formatted {
        text: Text { sections }
            .render()
            .expect("rendering into a String cannot fail")
            .trim()
            .to_owned(),
        html: Html { sections }.render().expect("rendering into a String cannot fail"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_titles_are_escaped_and_what_was_written_keeps_its_form() {
        let sections = vec![Section {
            title: "Budget <2027>".into(),
            group: "Riverside & Co".into(),
            link: "https://weft.example/t/abc?from=3#c3".into(),
            items: vec![
                Item {
                    lead: "Ada <script> wrote:".into(),
                    link: "https://weft.example/t/abc?from=3#c3".into(),
                    written: Some(Formatted {
                        text: "> quoted\n\n- one".into(),
                        html: "<blockquote><p>quoted</p></blockquote><ul><li>one</li></ul>".into(),
                    }),
                },
                Item {
                    lead: "Bob raised a poll: “Lunch”".into(),
                    link: "https://weft.example/p/xyz".into(),
                    written: None,
                },
            ],
            more: 2,
        }];
        let f = formatted(&sections);
        insta::assert_snapshot!("digest_text", f.text);
        insta::assert_snapshot!("digest_html", f.html);
        assert!(f.html.contains("Budget &#60;2027&#62;") && !f.html.contains("<script>"));
        assert!(f.html.contains("<blockquote><p>quoted</p></blockquote>"));
        assert!(f.text.contains("> quoted\n\n- one"));
    }
}
