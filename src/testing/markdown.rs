//! Executed documentation: every ```` ```itq ```` block of a Markdown file is
//! run, in order, in one fresh engine per file (so later blocks can use the
//! names earlier blocks defined), and what it prints must equal the
//! ```` ```text ```` block that follows it (only blank lines between them).
//!
//! A block without a following text block must print nothing (a `let` or a
//! `def`). The fence tag `error` (```` ```itq error ````) marks an example
//! that must fail; its text block holds the rendered error message. Errors in
//! examples name the source `<query>`, as at the prompt.

use super::scripts::folder_of;
use super::{transcript, Mismatch};
use crate::engine::Engine;
use crate::error::{Error, ErrorKind};
use crate::source::Source;
use crate::syntax::format::format_script;
use std::path::Path;
use std::sync::Arc;

/// A fenced code block.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Fence {
    /// The words after the opening fence (`itq`, `itq error`, `text`).
    info: String,
    /// The 1-based line of the opening fence.
    line: usize,
    /// Byte offset where the opening fence line starts.
    start: usize,
    /// Byte range of the content (between the fence lines).
    content: std::ops::Range<usize>,
    /// Byte offset just past the closing fence line.
    end: usize,
}

/// An itq example and the text block that shows its output.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Example {
    /// The 1-based line of the example's opening fence.
    pub line: usize,
    /// True for ```` ```itq error ````: the example must fail.
    pub must_fail: bool,
    /// The itq text.
    pub code: String,
    /// Where the itq text is in the file.
    pub code_range: std::ops::Range<usize>,
    /// The expected output, if a text block follows.
    pub expected: Option<String>,
    /// Where the expected output's content is in the file (for rewriting it),
    /// or where a text block would be inserted.
    expected_range: std::ops::Range<usize>,
}

/// The examples of a Markdown file, or a mismatch for a malformed one (an
/// unclosed code block, an unknown fence tag).
pub fn examples(file: &str, text: &str) -> Result<Vec<Example>, Mismatch> {
    let fences = fences(file, text)?;
    let mut out = Vec::new();
    for (i, fence) in fences.iter().enumerate() {
        let mut words = fence.info.split_whitespace();
        if words.next() != Some("itq") {
            continue;
        }
        let mut must_fail = false;
        for tag in words {
            match tag {
                "error" => must_fail = true,
                other => {
                    return Err(problem(
                        file,
                        fence.line,
                        format!("unknown fence tag `{other}`; the only tag is `error` (```itq error), for an example that must fail"),
                    ))
                }
            }
        }
        let next = fences
            .get(i + 1)
            .filter(|n| n.info == "text" && text[fence.end..n.start].trim().is_empty());
        let (expected, expected_range) = match next {
            // Compared line by line: a file with Windows line ends matches too.
            Some(n) => (
                Some(text[n.content.clone()].replace("\r\n", "\n")),
                n.content.clone(),
            ),
            None => (None, fence.end..fence.end),
        };
        out.push(Example {
            line: fence.line,
            must_fail,
            code: text[fence.content.clone()].replace("\r\n", "\n"),
            code_range: fence.content.clone(),
            expected,
            expected_range,
        });
    }
    Ok(out)
}

/// Runs every example of the Markdown `text` (read from the path `file`,
/// which names it in messages) and returns one mismatch per example whose
/// output differs from its text block. Examples may `load` files in the
/// document's folder, with relative paths starting there.
pub fn check(file: &str, text: &str) -> Vec<Mismatch> {
    match run(file, text) {
        Ok(results) => results.into_iter().filter_map(|r| r.mismatch).collect(),
        Err(m) => vec![m],
    }
}

/// `text` with the text block of every example whose output differs replaced
/// by what the example prints now (a text block is added where one is
/// missing and output is printed). An example that should fail and does not,
/// or fails and should not, keeps its text block and is returned as a
/// mismatch: rewriting cannot fix it.
pub fn update(file: &str, text: &str) -> Result<(String, Vec<Mismatch>), Mismatch> {
    let results = run(file, text)?;
    let mut out = String::with_capacity(text.len());
    let mut at = 0;
    let mut left = Vec::new();
    for r in results {
        let Some(m) = r.mismatch else { continue };
        if !r.fixable {
            left.push(m);
            continue;
        }
        let range = r.example.expected_range.clone();
        out.push_str(&text[at..range.start]);
        if r.example.expected.is_some() {
            out.push_str(&r.actual);
        } else {
            out.push_str(&format!("\n```text\n{}```\n", r.actual));
        }
        at = range.end;
    }
    out.push_str(&text[at..]);
    Ok((out, left))
}

/// `text` with every itq example laid out by [`format_script`], except
/// examples marked `error`, whose messages point at lines and columns of the
/// text as written.
pub fn format_examples(file: &str, text: &str) -> Result<String, Error> {
    let examples = examples(file, text).map_err(|m| {
        Error::new(ErrorKind::Invalid(format!(
            "{}:{}: {}",
            m.file, m.line, m.what
        )))
    })?;
    let mut out = String::with_capacity(text.len());
    let mut at = 0;
    for example in examples.iter().filter(|e| !e.must_fail) {
        let formatted = format_script(&example.code).map_err(|e| {
            e.with_source(&Source::new(
                format!("{file} (the example at line {})", example.line),
                example.code.as_str(),
            ))
        })?;
        out.push_str(&text[at..example.code_range.start]);
        out.push_str(&formatted);
        at = example.code_range.end;
    }
    out.push_str(&text[at..]);
    Ok(out)
}

struct Ran {
    example: Example,
    actual: String,
    mismatch: Option<Mismatch>,
    /// True when only the printed output differs, which rewriting fixes.
    fixable: bool,
}

fn run(file: &str, text: &str) -> Result<Vec<Ran>, Mismatch> {
    let examples = examples(file, text)?;
    if examples.is_empty() {
        return Ok(Vec::new());
    }
    let mut engine = Engine::new().map_err(|e| problem(file, 1, e.render()))?;
    // Examples may load files beside the document, as a script beside its data.
    let dir = folder_of(Path::new(file));
    let granted = engine.allow_folder(&dir).is_ok();
    let mut results = Vec::new();
    for example in examples {
        let source = Arc::new(Source {
            name: "<query>".into(),
            text: example.code.clone(),
            dir: granted.then(|| dir.clone()),
        });
        let ran = transcript(&mut engine, &source);
        let expected = example.expected.clone().unwrap_or_default();
        let fixable = ran.error.is_some() == example.must_fail;
        let what = match (&ran.error, example.must_fail) {
            (None, true) => Some("this example is marked `itq error` but ran without an error"),
            (Some(_), false) => Some("this example failed; mark it ```itq error if it should"),
            _ if ran.text != expected && example.expected.is_none() => {
                Some("this example prints output, but no ```text block follows it")
            }
            _ if ran.text != expected => {
                Some("the output differs from the ```text block after this example")
            }
            _ => None,
        };
        let mismatch = what.map(|what| Mismatch {
            file: file.to_string(),
            line: example.line,
            what: what.to_string(),
            expected,
            actual: ran.text.clone(),
        });
        results.push(Ran {
            example,
            actual: ran.text,
            mismatch,
            fixable,
        });
    }
    Ok(results)
}

fn problem(file: &str, line: usize, what: String) -> Mismatch {
    Mismatch {
        file: file.to_string(),
        line,
        what,
        expected: String::new(),
        actual: String::new(),
    }
}

/// The fenced code blocks of a Markdown text (``` or ~~~, up to three spaces
/// of indentation; a block closes at a fence of the same character at least as long).
fn fences(file: &str, text: &str) -> Result<Vec<Fence>, Mismatch> {
    /// An opening fence whose closing fence has not been seen yet.
    struct Open {
        fence_char: char,
        len: usize,
        fence: Fence,
    }
    let mut out = Vec::new();
    let mut open: Option<Open> = None;
    let mut offset = 0;
    for (i, line) in text.split_inclusive('\n').enumerate() {
        let start = offset;
        offset += line.len();
        let body = line.trim_end_matches(['\n', '\r']);
        let indent = body.len() - body.trim_start_matches(' ').len();
        let rest = &body[indent..];
        let Some(c) = rest.chars().next().filter(|c| *c == '`' || *c == '~') else {
            continue;
        };
        let len = rest.len() - rest.trim_start_matches(c).len();
        if indent > 3 || len < 3 {
            continue;
        }
        match open.take() {
            None => {
                open = Some(Open {
                    fence_char: c,
                    len,
                    fence: Fence {
                        info: rest[len..].trim().to_string(),
                        line: i + 1,
                        start,
                        content: offset..offset,
                        end: offset,
                    },
                });
            }
            Some(mut o) if c == o.fence_char && len >= o.len && rest[len..].trim().is_empty() => {
                o.fence.content.end = start;
                o.fence.end = offset;
                out.push(o.fence);
            }
            // A fence of another kind inside a block is part of its content.
            still_open => open = still_open,
        }
    }
    match open {
        Some(o) => Err(problem(
            file,
            o.fence.line,
            "this code block is never closed".to_string(),
        )),
        None => Ok(out),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const DOC: &str = "# Title\n\n```itq\nprovinces count\n```\n\n```text\nX\n```\n";

    #[test]
    fn blocks_and_their_expected_output_are_found() {
        let ex = examples("t.md", DOC).unwrap();
        assert_eq!(ex.len(), 1);
        assert_eq!(ex[0].line, 3);
        assert_eq!(ex[0].code, "provinces count\n");
        assert_eq!(ex[0].expected.as_deref(), Some("X\n"));
        assert!(!ex[0].must_fail);
    }

    #[test]
    fn windows_line_ends_match() {
        let doc = "```itq\r\nlet x = 1\r\nprovinces where name = 'Gansu' select region\r\n```\r\n\r\n```text\r\n┌────────┐\r\n│ region │\r\n╞════════╡\r\n│ west   │\r\n└────────┘\r\n1 row\r\n```\r\n";
        assert_eq!(check("t.md", doc), vec![]);
    }

    #[test]
    fn a_text_block_after_prose_is_not_an_expected_output() {
        let doc = "```itq\nlet x = 1\n```\nSome words.\n```text\nX\n```\n";
        let ex = examples("t.md", doc).unwrap();
        assert_eq!(ex[0].expected, None);
        assert!(check("t.md", doc).is_empty());
    }

    #[test]
    fn a_shorter_or_different_fence_inside_a_block_does_not_close_it() {
        let doc = "````text\n```itq\nnot run\n```\n````\n~~~itq\nprovinces count\n~~~\n";
        let ex = examples("t.md", doc).unwrap();
        assert_eq!(ex.len(), 1);
        assert_eq!((ex[0].line, ex[0].code.as_str()), (6, "provinces count\n"));
    }

    #[test]
    fn an_unclosed_block_and_an_unknown_tag_are_reported_with_their_line() {
        let m = examples("t.md", "text\n\n```itq\nprovinces\n").unwrap_err();
        assert_eq!(
            (m.line, m.what.as_str()),
            (3, "this code block is never closed")
        );
        let m = examples("t.md", "```itq ignore\nprovinces\n```\n").unwrap_err();
        assert_eq!(m.line, 1);
        assert!(m.what.contains("unknown fence tag `ignore`"), "{}", m.what);
    }
}
