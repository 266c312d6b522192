//! Articles split into passages for the knowledge index: a paragraph (with the heading
//! above it, if any) of at most a few sentences; a long paragraph is cut into runs of
//! `SENTENCES` sentences. The article's title is kept with each passage by the index.

/// Sentences per passage cut from a long paragraph.
pub const SENTENCES: usize = 3;
/// A paragraph up to this many sentences stays one passage.
const KEEP_WHOLE: usize = 4;

fn is_heading(line: &str) -> bool {
    let t = line.trim();
    t.starts_with('#') || (t.len() <= 80 && t.ends_with(':') && !t.contains(". "))
}

/// Sentences of a paragraph: cut after `.`, `!` or `?` followed by a space and an
/// upper-case letter or digit ("3-5 days. Express…"), so "e.g. this" and "10.50 EUR" stay.
pub fn sentences(text: &str) -> Vec<String> {
    let chars: Vec<char> = text.chars().collect();
    let mut out = Vec::new();
    let mut current = String::new();
    for (i, &c) in chars.iter().enumerate() {
        current.push(c);
        if matches!(c, '.' | '!' | '?')
            && chars.get(i + 1).is_some_and(|n| n.is_whitespace())
            && chars
                .get(i + 2)
                .is_some_and(|n| n.is_uppercase() || n.is_ascii_digit() || *n == '"')
        {
            let s = current.trim().to_string();
            if !s.is_empty() {
                out.push(s);
            }
            current.clear();
        }
    }
    let s = current.trim().to_string();
    if !s.is_empty() {
        out.push(s);
    }
    out
}

/// The passages of an article body, in order.
pub fn split(body: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut heading: Option<String> = None;
    for block in body.split("\n\n").map(str::trim).filter(|b| !b.is_empty()) {
        let mut lines: Vec<&str> = block.lines().map(str::trim).collect();
        // A heading line opening the block (or standing alone) leads the next text.
        while lines.first().is_some_and(|l| is_heading(l)) {
            let h = lines.remove(0).trim_start_matches('#').trim().to_string();
            heading = Some(match heading.take() {
                Some(prev) => format!("{prev} {h}"),
                None => h,
            });
        }
        if lines.is_empty() {
            continue;
        }
        let text = lines.join(" ");
        let text = text.split_whitespace().collect::<Vec<_>>().join(" ");
        let sentences = sentences(&text);
        let chunks: Vec<String> = if sentences.len() <= KEEP_WHOLE {
            vec![text]
        } else {
            sentences.chunks(SENTENCES).map(|c| c.join(" ")).collect()
        };
        for (i, chunk) in chunks.into_iter().enumerate() {
            match (&heading, i) {
                (Some(h), 0) => out.push(format!("{h}: {chunk}")),
                _ => out.push(chunk),
            }
        }
        heading = None;
    }
    if let Some(h) = heading {
        out.push(h);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_paragraphs_are_passages_and_headings_lead_their_text() {
        let body = "## Standard\nStandard shipping takes 3-5 business days.\n\nExpress shipping takes 1-2 business days. It costs 9.90 EUR.";
        assert_eq!(
            split(body),
            vec![
                "Standard: Standard shipping takes 3-5 business days.",
                "Express shipping takes 1-2 business days. It costs 9.90 EUR.",
            ]
        );
    }

    #[test]
    fn long_paragraphs_are_cut_into_runs_of_sentences() {
        let body = (1..=7)
            .map(|i| format!("Sentence {i} is here."))
            .collect::<Vec<_>>()
            .join(" ");
        let p = split(&body);
        assert_eq!(p.len(), 3);
        assert_eq!(
            p[0],
            "Sentence 1 is here. Sentence 2 is here. Sentence 3 is here."
        );
        assert_eq!(p[2], "Sentence 7 is here.");
    }

    #[test]
    fn sentences_keep_abbreviations_and_prices() {
        assert_eq!(
            sentences("It costs 10.50 EUR, e.g. for parcels. Then it ships! Done?"),
            vec![
                "It costs 10.50 EUR, e.g. for parcels.",
                "Then it ships!",
                "Done?"
            ]
        );
    }

    #[test]
    fn empty_bodies_have_no_passages() {
        assert!(split("").is_empty());
        assert!(split("\n\n  \n\n").is_empty());
    }
}
