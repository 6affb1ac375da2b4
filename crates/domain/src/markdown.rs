//! Markdown as people write it in descriptions and comments, rendered to HTML that is safe to put
//! in a page: CommonMark (with tables, strikethrough and task lists) through `pulldown-cmark`, then
//! `ammonia`'s allow-list. Raw HTML is shown as typed, never interpreted. Images become links, so a
//! page never fetches anything from another site (P17: no third-party requests). Headings move one
//! level down: the page's own title is the only `<h1>`.

use std::collections::HashSet;
use std::sync::LazyLock;

use pulldown_cmark::{CowStr, Event, HeadingLevel, LinkType, Options, Parser, Tag, TagEnd, TextMergeStream};

static SANITIZER: LazyLock<ammonia::Builder<'static>> = LazyLock::new(|| {
    let mut b = ammonia::Builder::default();
    b.rm_tags(["img"])
        .url_schemes(HashSet::from(["http", "https", "mailto"]))
        .link_rel(Some("nofollow noopener noreferrer ugc"));
    b
});

fn options() -> Options {
    Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH | Options::ENABLE_TASKLISTS
}

fn lower(level: HeadingLevel) -> HeadingLevel {
    match level {
        HeadingLevel::H1 => HeadingLevel::H2,
        HeadingLevel::H2 => HeadingLevel::H3,
        HeadingLevel::H3 => HeadingLevel::H4,
        HeadingLevel::H4 => HeadingLevel::H5,
        HeadingLevel::H5 | HeadingLevel::H6 => HeadingLevel::H6,
    }
}

/// Where `@username` mentions start in `text`: an `@` not preceded by a word character (so email
/// addresses are not mentions), then 3–30 of a–z, 0–9, `_`, `-`. Yields (start, end, username).
fn find_mentions(text: &str) -> Vec<(usize, usize, String)> {
    let bytes = text.as_bytes();
    let mut found = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'@' {
            let preceded = i > 0 && (bytes[i - 1].is_ascii_alphanumeric() || b"_-.@".contains(&bytes[i - 1]));
            let start = i + 1;
            let mut end = start;
            while end < bytes.len() && (bytes[end].is_ascii_alphanumeric() || bytes[end] == b'_' || bytes[end] == b'-')
            {
                end += 1;
            }
            let len = end - start;
            // "@ann@example.org" or "@ann.example.org" is an address, not a mention.
            let followed = end < bytes.len() && bytes[end] == b'@'
                || (end + 1 < bytes.len() && bytes[end] == b'.' && bytes[end + 1].is_ascii_alphanumeric());
            if !preceded && !followed && (3..=30).contains(&len) {
                found.push((i, end, text[start..end].to_ascii_lowercase()));
            }
            i = end.max(i + 1);
        } else {
            i += 1;
        }
    }
    found
}

/// Where bare web addresses are in `text`: `http://`, `https://` or `www.` at a word's start, up
/// to the next space or `<>"`, without the punctuation that ends a sentence (`.,:;!?'`) and
/// without a closing bracket that does not close one of the address's own (as in "(see
/// https://example.org)"). Yields (start, end, the address to link to).
fn find_urls(text: &str) -> Vec<(usize, usize, String)> {
    let mut found = Vec::new();
    let bytes = text.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        let rest = &text[i..];
        let starts = ["https://", "http://", "www."]
            .iter()
            .find(|p| rest.len() > p.len() && rest.get(..p.len()).is_some_and(|head| head.eq_ignore_ascii_case(p)));
        let at_word_start = i == 0 || !(bytes[i - 1].is_ascii_alphanumeric() || b"@/.:_-".contains(&bytes[i - 1]));
        let Some(prefix) = starts.filter(|_| at_word_start) else {
            i += rest.chars().next().map_or(1, char::len_utf8);
            continue;
        };
        let mut end = i + rest
            .find(|c: char| c.is_whitespace() || c.is_control() || "<>\"`".contains(c))
            .unwrap_or(rest.len());
        loop {
            let candidate = &text[i..end];
            let Some(last) = candidate.chars().last() else { break };
            let unbalanced = |open: char, close: char| {
                last == close && candidate.matches(close).count() > candidate.matches(open).count()
            };
            if ".,:;!?'*_~".contains(last) || unbalanced('(', ')') || unbalanced('[', ']') {
                end -= last.len_utf8();
            } else {
                break;
            }
        }
        if end > i + prefix.len() {
            let shown = &text[i..end];
            let href = if prefix.eq_ignore_ascii_case("www.") {
                format!("https://{shown}")
            } else {
                shown.to_owned()
            };
            found.push((i, end, href));
        }
        i = end.max(i + 1);
    }
    found
}

/// `text` split into bare addresses and mentions (outside those addresses): (start, end, link).
fn find_links(text: &str) -> Vec<(usize, usize, String)> {
    let mut links = Vec::new();
    let mut at = 0;
    for (start, end, href) in find_urls(text) {
        links.extend(
            find_mentions(&text[at..start])
                .into_iter()
                .map(|(s, e, name)| (at + s, at + e, format!("/u/{name}"))),
        );
        links.push((start, end, href));
        at = end;
    }
    links.extend(
        find_mentions(&text[at..])
            .into_iter()
            .map(|(s, e, name)| (at + s, at + e, format!("/u/{name}"))),
    );
    links
}

/// The usernames mentioned in `markdown` (outside code and links), once each, at most 20.
pub fn mentions(markdown: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut in_link = 0;
    for event in TextMergeStream::new(Parser::new_ext(markdown, options())) {
        match event {
            Event::Start(Tag::Link { .. }) => in_link += 1,
            Event::End(TagEnd::Link) => in_link -= 1,
            Event::Text(t) if in_link == 0 => {
                let names = find_links(&t)
                    .into_iter()
                    .filter_map(|(_, _, link)| link.strip_prefix("/u/").map(str::to_owned));
                for name in names {
                    if !out.contains(&name) && out.len() < 20 {
                        out.push(name);
                    }
                }
            }
            _ => {}
        }
    }
    out
}

/// Splits text around mentions and bare addresses into text and links: a mention to the
/// person's profile (`/u/<username>`), an address to itself (the sanitiser then decides, as for
/// any link).
fn link_mentions(text: CowStr<'_>) -> Vec<Event<'_>> {
    let found = find_links(&text);
    if found.is_empty() {
        return vec![Event::Text(text)];
    }
    let mut events = Vec::new();
    let mut at = 0;
    for (start, end, href) in found {
        if start > at {
            events.push(Event::Text(CowStr::from(text[at..start].to_owned())));
        }
        events.push(Event::Start(Tag::Link {
            link_type: LinkType::Inline,
            dest_url: CowStr::from(href),
            title: CowStr::Borrowed(""),
            id: CowStr::Borrowed(""),
        }));
        events.push(Event::Text(CowStr::from(text[start..end].to_owned())));
        events.push(Event::End(TagEnd::Link));
        at = end;
    }
    if at < text.len() {
        events.push(Event::Text(CowStr::from(text[at..].to_owned())));
    }
    events
}

/// Containers nested deeper than this (quotes in quotes, lists in lists, emphasis in links…)
/// lose their tags beyond it and keep their text. The sanitiser's HTML parser costs about the
/// square of the nesting depth (50 000 `>` took tens of seconds); nobody writes 16 levels on purpose.
pub const MAX_DEPTH: usize = 16;

/// HTML bytes a text of `len` bytes may produce before it is shown as plain text instead. Real
/// markdown produces about 1.5× its length; a table whose header declares thousands of columns
/// produced 80× (every row is padded to every column).
pub fn output_budget(len: usize) -> usize {
    64 * 1024 + 8 * len
}

/// Safe HTML for `markdown`. `@username` mentions link to the person's profile. Its cost is
/// bounded by the length of the text: nesting beyond `MAX_DEPTH` is flattened, and a text whose
/// HTML would outgrow `output_budget` is shown as escaped plain text.
pub fn to_html(markdown: &str) -> String {
    match render(markdown) {
        Some(html) => SANITIZER.clean(&html).to_string(),
        None => plain_html(markdown),
    }
}

/// CommonMark HTML (not yet sanitised), or `None` when it would be larger than the budget.
fn render(markdown: &str) -> Option<String> {
    let mut in_link = 0usize;
    // Text comes merged (the parser splits it at `_`, `&`…), so an address is seen whole.
    let events = TextMergeStream::new(Parser::new_ext(markdown, options())).flat_map(move |event| {
        match &event {
            Event::Start(Tag::Link { .. } | Tag::Image { .. }) => in_link += 1,
            Event::End(TagEnd::Link | TagEnd::Image) => in_link = in_link.saturating_sub(1),
            _ => {}
        }
        match event {
            Event::Text(t) if in_link == 0 => link_mentions(t),
            other => vec![other],
        }
    });
    let events = events.map(|event| match event {
        // Typed HTML is text: `<script>` shows as `<script>`.
        Event::Html(html) | Event::InlineHtml(html) => Event::Text(html),
        Event::Start(Tag::Image {
            dest_url, title, id, ..
        }) => Event::Start(Tag::Link {
            link_type: LinkType::Inline,
            dest_url,
            title,
            id,
        }),
        Event::End(TagEnd::Image) => Event::End(TagEnd::Link),
        Event::Start(Tag::Heading {
            level,
            id: _,
            classes: _,
            attrs: _,
        }) => Event::Start(Tag::Heading {
            level: lower(level),
            id: None,
            classes: Vec::new(),
            attrs: Vec::new(),
        }),
        Event::End(TagEnd::Heading(level)) => Event::End(TagEnd::Heading(lower(level))),
        // The sanitiser keeps no form controls: a task's state is shown as a ballot box.
        Event::TaskListMarker(done) => Event::Text(if done { "☑ " } else { "☐ " }.into()),
        other => other,
    });
    // Start and End events are balanced, so one counter tells each tag's depth.
    let mut depth = 0usize;
    let events = events.filter(move |event| match event {
        Event::Start(_) => {
            depth += 1;
            depth <= MAX_DEPTH
        }
        Event::End(_) => {
            depth = depth.saturating_sub(1);
            depth < MAX_DEPTH
        }
        _ => true,
    });
    // Stop reading events once the HTML would be too large (an estimate: escaping can at most
    // sextuple a text, tags are short), so an amplifying input costs no more than the budget.
    let budget = output_budget(markdown.len());
    let mut estimate = 0usize;
    let over = std::cell::Cell::new(false);
    let events = events.take_while(|event| {
        estimate += 24
            + match event {
                Event::Text(t) | Event::Code(t) | Event::Html(t) | Event::InlineHtml(t) => t.len() * 6,
                Event::Start(Tag::Link { dest_url, title, .. }) => (dest_url.len() + title.len()) * 6,
                _ => 0,
            };
        if estimate > budget * 6 {
            over.set(true);
        }
        !over.get()
    });
    let mut html = String::with_capacity(markdown.len() * 3 / 2);
    pulldown_cmark::html::push_html(&mut html, events);
    (!over.get() && html.len() <= budget).then_some(html)
}

/// `markdown` as escaped text, one paragraph per blank-line-separated block: what a text too
/// costly to render looks like. Built without the sanitiser, safe by construction.
fn plain_html(markdown: &str) -> String {
    let mut out = String::with_capacity(markdown.len() + markdown.len() / 4);
    for block in markdown.split("\n\n").map(str::trim).filter(|b| !b.is_empty()) {
        out.push_str("<p>");
        for (i, line) in block.lines().enumerate() {
            if i > 0 {
                out.push_str("<br>\n");
            }
            for c in line.chars() {
                match c {
                    '&' => out.push_str("&amp;"),
                    '<' => out.push_str("&lt;"),
                    '>' => out.push_str("&gt;"),
                    '"' => out.push_str("&quot;"),
                    '\'' => out.push_str("&#39;"),
                    c => out.push(c),
                }
            }
        }
        out.push_str("</p>\n");
    }
    out
}

/// The text of `markdown` without its markup, on one line, for previews and email.
pub fn to_plain_text(markdown: &str) -> String {
    let mut out = String::with_capacity(markdown.len());
    for event in Parser::new_ext(markdown, options()) {
        match event {
            Event::Text(t) | Event::Code(t) | Event::Html(t) | Event::InlineHtml(t) => push_words(&mut out, &t),
            Event::SoftBreak
            | Event::HardBreak
            | Event::End(
                TagEnd::Paragraph
                | TagEnd::Heading(_)
                | TagEnd::Item
                | TagEnd::BlockQuote(_)
                | TagEnd::CodeBlock
                | TagEnd::TableCell
                | TagEnd::TableRow
                | TagEnd::List(_),
            ) => push_words(&mut out, &CowStr::Borrowed(" ")),
            _ => {}
        }
    }
    out.trim().to_owned()
}

fn push_words(out: &mut String, text: &str) {
    for c in text.chars() {
        if c.is_whitespace() {
            if !out.ends_with(' ') && !out.is_empty() {
                out.push(' ');
            }
        } else {
            out.push(c);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_common_markdown() {
        let html = to_html("# Purpose\n\nWe **meet** on _Mondays_.\n\n- one\n- two\n\n[site](https://example.org)");
        assert!(html.contains("<h2>Purpose</h2>"), "{html}");
        assert!(
            html.contains("<strong>meet</strong>") && html.contains("<em>Mondays</em>"),
            "{html}"
        );
        assert!(html.contains("<li>one</li>"), "{html}");
        assert!(
            html.contains(r#"<a href="https://example.org" rel="nofollow noopener noreferrer ugc">site</a>"#),
            "{html}"
        );
    }

    #[test]
    fn raw_html_is_shown_not_run() {
        for (attack, tag) in [
            ("<script>alert(1)</script>", "<script"),
            ("<img src=x onerror=alert(1)>", "<img"),
            ("<a href=\"javascript:alert(1)\">x</a>", "<a href=\"javascript"),
            ("<iframe src=\"https://evil.example\"></iframe>", "<iframe"),
            ("<style>body{display:none}</style>", "<style"),
            ("text <b onclick=\"x()\">bold</b>", "<b "),
        ] {
            let html = to_html(attack);
            assert!(!html.contains(tag), "{attack} -> {html}");
            assert!(html.contains("&lt;"), "{attack} -> {html}");
        }
    }

    #[test]
    fn dangerous_links_lose_their_target() {
        for md in [
            "[x](javascript:alert(1))",
            "[x](data:text/html,hi)",
            "[x](vbscript:msgbox)",
        ] {
            let html = to_html(md);
            assert!(
                !html.contains("javascript:") && !html.contains("data:") && !html.contains("vbscript:"),
                "{html}"
            );
        }
    }

    #[test]
    fn images_become_links() {
        let html = to_html("![a cat](https://tracker.example/cat.png)");
        assert!(!html.contains("<img"), "{html}");
        assert!(
            html.contains(r#"href="https://tracker.example/cat.png""#) && html.contains(">a cat</a>"),
            "{html}"
        );
    }

    #[test]
    fn mentions_link_and_are_listed() {
        let md = "Hi @Ann and @bob-2, not ann@example.org, not `@code`, not [@link](https://x.org), @ab too short. @ann again";
        assert_eq!(mentions(md), ["ann", "bob-2"]);
        let html = to_html("Thanks @ann!");
        assert!(
            html.contains(r#"<a href="/u/ann" rel="nofollow noopener noreferrer ugc">@ann</a>!"#),
            "{html}"
        );
        assert!(!to_html("mail ann@example.org").contains("/u/"));
        assert!(!to_html("`@ann`").contains("/u/"));
    }

    #[test]
    fn bare_addresses_become_links_without_the_sentence_around_them() {
        let cases = [
            (
                "see https://example.org/a_b_c?x=1&y=2.",
                "https://example.org/a_b_c?x=1&amp;y=2",
                "https://example.org/a_b_c?x=1&amp;y=2",
            ),
            (
                "(docs at https://en.wikipedia.org/wiki/Foo_(bar))",
                "https://en.wikipedia.org/wiki/Foo_(bar)",
                "https://en.wikipedia.org/wiki/Foo_(bar)",
            ),
            (
                "(see https://example.org/x), then",
                "https://example.org/x",
                "https://example.org/x",
            ),
            ("www.example.org, or", "https://www.example.org", "www.example.org"),
            ("HTTPS://EXAMPLE.ORG!", "HTTPS://EXAMPLE.ORG", "HTTPS://EXAMPLE.ORG"),
        ];
        for (md, href, shown) in cases {
            let html = to_html(md);
            assert!(
                html.contains(&format!(
                    r#"<a href="{href}" rel="nofollow noopener noreferrer ugc">{shown}</a>"#
                )),
                "{md}: {html}"
            );
        }
        // Not addresses: inside code, a word, a scheme alone or one the sanitiser refuses; a
        // link's text stays the link's own.
        for md in [
            "`https://example.org`",
            "xhttps://example.org",
            "javascript:alert(1)",
            "http://",
        ] {
            let html = to_html(md);
            assert!(!html.contains("<a "), "{md}: {html}");
        }
        let html = to_html("[https://a.org](https://b.org)");
        assert!(
            html.matches("<a ").count() == 1 && html.contains(r#"href="https://b.org""#),
            "{html}"
        );
        // A mention inside an address is part of the address.
        assert_eq!(mentions("https://social.example/@ann and @bob"), ["bob"]);
        assert!(to_html("https://social.example/@ann").contains(r#"href="https://social.example/@ann""#));
    }

    /// The deepest element nesting in `html` (void elements do not nest).
    fn nesting(html: &str) -> usize {
        let (mut depth, mut deepest) = (0usize, 0usize);
        let mut rest = html;
        while let Some(at) = rest.find('<') {
            rest = &rest[at + 1..];
            let end = rest.find('>').unwrap_or(rest.len());
            let tag = &rest[..end];
            if tag.starts_with('/') {
                depth = depth.saturating_sub(1);
            } else if !matches!(tag.split([' ', '/']).next(), Some("br" | "hr" | "input")) {
                depth += 1;
                deepest = deepest.max(depth);
            }
        }
        deepest
    }

    /// Issue 19: 50 000 `>` took 35–59 s and 1.4 MB of HTML (the sanitiser's parser costs about
    /// the square of the depth). Now nesting stops at `MAX_DEPTH` and the text stays.
    #[test]
    fn deep_nesting_is_flattened_and_keeps_its_text() {
        for md in [
            ">".repeat(50_000),
            "> ".repeat(25_000) + "deep",
            "> - ".repeat(12_000) + "deep",
            "1. ".repeat(16_000) + "deep",
            "*".repeat(20_000) + "deep" + &"*".repeat(20_000),
        ] {
            let html = to_html(&md);
            assert!(nesting(&html) <= MAX_DEPTH + 2, "{} levels", nesting(&html));
            assert!(html.len() <= 2 * output_budget(md.len()), "{} bytes", html.len());
            if md.ends_with("deep") {
                assert!(html.contains("deep"), "{html}");
            }
        }
        let shallow = to_html("> quoted\n>> twice\n\n- a\n  - b");
        assert_eq!(nesting(&shallow), 4, "nothing shallow is flattened: {shallow}");
        assert!(
            shallow.contains("<blockquote>") && shallow.contains("<li>b</li>"),
            "{shallow}"
        );
    }

    #[test]
    fn a_text_that_would_render_too_large_is_shown_as_plain_text() {
        // A header of 5 000 columns pads every row to 5 000 cells: 80× its length.
        let table = "|a".repeat(5_000) + "\n" + &"|-".repeat(5_000) + "\n" + &"|<b>x</b>\n".repeat(2_000);
        let html = to_html(&table);
        assert!(html.len() <= 2 * output_budget(table.len()), "{} bytes", html.len());
        assert!(html.starts_with("<p>|a|a"), "{}", &html[..60]);
        assert!(
            html.contains("&lt;b&gt;x&lt;/b&gt;") && !html.contains("<b>"),
            "escaped"
        );
        assert!(!html.contains("<table"), "not rendered");
    }

    proptest::proptest! {
        /// Whatever is typed, the HTML nests at most `MAX_DEPTH` (plus the list-item paragraph),
        /// stays within twice the budget, and carries no raw tag from the input.
        #[test]
        fn html_is_bounded_for_any_input(md in "([>*_\\-+`~|\\[\\]()!#<a1. \n]{1,4}){0,600}") {
            let html = to_html(&md);
            proptest::prop_assert!(nesting(&html) <= MAX_DEPTH + 2, "{} levels: {:?}", nesting(&html), md);
            proptest::prop_assert!(html.len() <= 2 * output_budget(md.len()));
            proptest::prop_assert!(!html.contains("<a>"), "{html}");
        }
    }

    /// What people read: one document using everything we render (and what we refuse), as a
    /// snapshot, so any change to the HTML shows up in review.
    #[test]
    fn a_document_of_every_kind_renders_as_the_snapshot_says() {
        let doc = "# Heading\n\n## Second\n\nA paragraph with **bold**, _emphasis_, ~~struck~~, `code` and a \
                   [link](https://example.org \"title\"), an autolink <https://example.org/a?b=c&d=e>, \
                   @ann mentioned.\n\n> A quote\n>> nested\n\n- one\n- two\n  - nested\n\n1. first\n2. second\n\n\
                   - [ ] open task\n- [x] done task\n\n| a | b |\n|---|:-:|\n| 1 | 2 |\n\n```rust\nfn main() {}\n```\n\n\
                   ---\n\n<script>alert(1)</script> <b>raw</b>\n\n\
                   Inline <b>raw</b>, [js](javascript:alert(1)), ![an image](https://example.org/x.png)\n\n\
                   Line one  \nline two\\\nline three";
        insta::assert_snapshot!("every_kind", to_html(doc));
    }

    #[test]
    fn plain_text() {
        assert_eq!(
            to_plain_text("# Hi\n\nWe **meet**\non [Mondays](https://x.org)."),
            "Hi We meet on Mondays."
        );
    }

    proptest::proptest! {
        /// Any text, addresses and non-ASCII letters mixed in, renders (no slicing inside a
        /// character) and every link it makes is an address of the text or a mention.
        #[test]
        fn bare_addresses_never_break_on_any_text(md in "((https?://|www\\.|[a-zé−ü@ ./:()_,!?]){1,3}){0,80}") {
            let html = to_html(&md);
            proptest::prop_assert!(html.len() <= output_budget(md.len()) + 64);
            for (start, end, _) in find_links(&md) {
                proptest::prop_assert!(md.is_char_boundary(start) && md.is_char_boundary(end) && start < end);
            }
        }
    }
}
