//! Splitting CSV text into records and fields (RFC 4180): fields separated by
//! a delimiter, records by `\n` or `\r\n`; a field in double quotes may hold
//! delimiters, line breaks and `""` for a quote. Empty lines are skipped.
//!
//! Written for the loader's hot loop: an unquoted field is a slice of the
//! input, found by one pass over its bytes; only a field with `""` inside is
//! copied.

/// Where a field's bytes are.
#[derive(Debug, Clone, Copy)]
enum Span {
    /// `input[start..end]`, and whether it was in quotes.
    Input(usize, usize, bool),
    /// `scratch[start..end]` (a quoted field with `""` inside, unescaped).
    Scratch(usize, usize),
}

/// A quoted field that never closes.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Unclosed {
    /// The line the field starts on.
    pub line: u64,
}

/// Reads records one at a time from `input`.
#[derive(Debug)]
pub(crate) struct Records<'a> {
    input: &'a [u8],
    delimiter: u8,
    pos: usize,
    line: u64,
    scratch: Vec<u8>,
    fields: Vec<Span>,
}

impl<'a> Records<'a> {
    /// Records of `input`, whose first byte is on line `first_line`.
    pub fn new(input: &'a [u8], delimiter: u8, first_line: u64) -> Records<'a> {
        Records {
            input,
            delimiter,
            pos: 0,
            line: first_line,
            scratch: Vec::new(),
            fields: Vec::with_capacity(16),
        }
    }

    /// Where the next record would start: its byte offset and line.
    pub fn position(&self) -> (usize, u64) {
        (self.pos, self.line)
    }

    /// Reads the next record; returns the line it starts on, or `None` at the end.
    pub fn next_record(&mut self) -> Result<Option<u64>, Unclosed> {
        let input = self.input;
        // Skip empty lines.
        loop {
            match input.get(self.pos..self.pos + 1) {
                None => return Ok(None),
                Some(b"\n") => {
                    self.pos += 1;
                    self.line += 1;
                }
                Some(b"\r") if input.get(self.pos + 1) == Some(&b'\n') => {
                    self.pos += 2;
                    self.line += 1;
                }
                Some(_) => break,
            }
        }
        let start_line = self.line;
        self.fields.clear();
        self.scratch.clear();
        loop {
            let span = if input.get(self.pos) == Some(&b'"') {
                self.quoted(start_line)?
            } else {
                let start = self.pos;
                self.pos = self.field_end(start);
                Span::Input(start, self.trim_cr(start, self.pos), false)
            };
            self.fields.push(span);
            match input.get(self.pos) {
                None => return Ok(Some(start_line)),
                Some(&b) if b == self.delimiter => self.pos += 1,
                Some(_) => {
                    // The newline.
                    self.pos += 1;
                    self.line += 1;
                    return Ok(Some(start_line));
                }
            }
        }
    }

    /// The number of fields in the current record.
    pub fn len(&self) -> usize {
        self.fields.len()
    }

    /// Field `i` of the current record (empty if there is no such field).
    #[inline]
    pub fn field(&self, i: usize) -> &[u8] {
        match self.fields.get(i) {
            Some(Span::Input(s, e, _)) => &self.input[*s..*e],
            Some(Span::Scratch(s, e)) => &self.scratch[*s..*e],
            None => &[],
        }
    }

    /// True when field `i` of the current record was in double quotes.
    #[inline]
    pub fn is_quoted(&self, i: usize) -> bool {
        matches!(
            self.fields.get(i),
            Some(Span::Input(_, _, true) | Span::Scratch(..))
        )
    }

    /// The fields of the current record, in order.
    pub fn fields(&self) -> impl Iterator<Item = &[u8]> + '_ {
        (0..self.fields.len()).map(move |i| self.field(i))
    }

    /// The offset of the delimiter or newline that ends the unquoted field at
    /// `start`. Eight bytes at a time: a byte equal to the delimiter or to
    /// `\n` becomes zero after the XOR, and the classic zero-byte test flags
    /// it (the lowest flagged byte is always a true match).
    #[inline]
    fn field_end(&self, start: usize) -> usize {
        const ONES: u64 = 0x0101_0101_0101_0101;
        const HIGHS: u64 = 0x8080_8080_8080_8080;
        let zero_bytes = |v: u64| v.wrapping_sub(ONES) & !v & HIGHS;
        let (input, d) = (self.input, self.delimiter);
        let (delims, newlines) = (ONES * u64::from(d), ONES * u64::from(b'\n'));
        let mut i = start;
        while let Some(word) = input.get(i..i + 8) {
            let w = u64::from_le_bytes(word.try_into().expect("eight bytes"));
            let hits = zero_bytes(w ^ delims) | zero_bytes(w ^ newlines);
            if hits != 0 {
                return i + (hits.trailing_zeros() / 8) as usize;
            }
            i += 8;
        }
        input[i..]
            .iter()
            .position(|&b| b == d || b == b'\n')
            .map_or(input.len(), |p| i + p)
    }

    /// `end`, less a `\r` before a line end.
    #[inline]
    fn trim_cr(&self, start: usize, end: usize) -> usize {
        if end > start
            && self.input[end - 1] == b'\r'
            && self.input.get(end) != Some(&self.delimiter)
        {
            end - 1
        } else {
            end
        }
    }

    /// A quoted field starting at `self.pos`; leaves `pos` after it.
    fn quoted(&mut self, start_line: u64) -> Result<Span, Unclosed> {
        let input = self.input;
        let content = self.pos + 1;
        let mut pos = content;
        let mut copied: Option<usize> = None; // where in scratch the field starts
        let content_end = loop {
            let Some(q) = memchr::memchr(b'"', &input[pos..]) else {
                return Err(Unclosed { line: start_line });
            };
            let quote = pos + q;
            self.line += memchr::memchr_iter(b'\n', &input[pos..quote]).count() as u64;
            if input.get(quote + 1) == Some(&b'"') {
                // `""`: one quote in the field.
                let from = if copied.is_none() { content } else { pos };
                copied.get_or_insert(self.scratch.len());
                self.scratch.extend_from_slice(&input[from..=quote]);
                pos = quote + 2;
                continue;
            }
            if copied.is_some() {
                self.scratch.extend_from_slice(&input[pos..quote]);
            }
            pos = quote + 1;
            break quote;
        };
        // Text after the closing quote, up to the delimiter, is kept (as most
        // CSV readers do): `"a"b` is `ab`.
        let tail_end = self.field_end(pos);
        let tail = self.trim_cr(pos, tail_end);
        self.pos = tail_end;
        if tail > pos {
            if copied.is_none() {
                copied = Some(self.scratch.len());
                self.scratch.extend_from_slice(&input[content..content_end]);
            }
            self.scratch.extend_from_slice(&input[pos..tail]);
        }
        Ok(match copied {
            Some(start) => Span::Scratch(start, self.scratch.len()),
            None => Span::Input(content, content_end, true),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(text: &str) -> Vec<(u64, Vec<String>)> {
        let mut r = Records::new(text.as_bytes(), b',', 1);
        let mut out = Vec::new();
        while let Some(line) = r.next_record().unwrap() {
            out.push((
                line,
                r.fields()
                    .map(|f| String::from_utf8(f.to_vec()).unwrap())
                    .collect(),
            ));
        }
        out
    }

    fn rec(line: u64, fields: &[&str]) -> (u64, Vec<String>) {
        (line, fields.iter().map(|s| s.to_string()).collect())
    }

    #[test]
    fn splits_records_and_fields() {
        assert_eq!(
            read("a,b\n1,2\r\n\n3,\n,4"),
            [
                rec(1, &["a", "b"]),
                rec(2, &["1", "2"]),
                rec(4, &["3", ""]),
                rec(5, &["", "4"])
            ]
        );
    }

    #[test]
    fn quoted_fields_hold_delimiters_quotes_and_newlines() {
        assert_eq!(
            read("\"a,b\",\"say \"\"hi\"\"\"\n\"two\nlines\",x\n\"\",\"q\"tail\n"),
            [
                rec(1, &["a,b", "say \"hi\""]),
                rec(2, &["two\nlines", "x"]),
                rec(4, &["", "qtail"]),
            ]
        );
        // A quote inside an unquoted field is just a character.
        assert_eq!(read("5\" pipe,x\n"), [rec(1, &["5\" pipe", "x"])]);
    }

    #[test]
    fn an_unclosed_quote_is_reported_at_its_line() {
        let mut r = Records::new(b"a\n\"oops\nmore\n", b',', 1);
        assert!(r.next_record().unwrap().is_some());
        assert_eq!(r.next_record(), Err(Unclosed { line: 2 }));
    }

    #[test]
    fn finds_field_ends_at_every_offset() {
        for len in 0..20 {
            for at in 0..=len {
                let mut text = vec![b'x'; len];
                if at < len {
                    text[at] = if at % 2 == 0 { b',' } else { b'\n' };
                }
                let r = Records::new(&text, b',', 1);
                assert_eq!(r.field_end(0), at.min(len), "len {len}, at {at}");
            }
        }
        // High bytes (UTF-8) never match.
        let text = "é中,x".as_bytes();
        assert_eq!(Records::new(text, b',', 1).field_end(0), 5);
    }

    #[test]
    fn agrees_with_the_csv_crate() {
        let text =
            "id,name,note\r\n1,\"x, y\",\"a \"\"b\"\"\"\r\n2,plain,\r\n3,\"multi\r\nline\",z\r\n";
        let mut theirs = csv::ReaderBuilder::new()
            .has_headers(false)
            .from_reader(text.as_bytes());
        let expected: Vec<Vec<String>> = theirs
            .records()
            .map(|r| r.unwrap().iter().map(str::to_string).collect())
            .collect();
        let ours: Vec<Vec<String>> = read(text).into_iter().map(|(_, f)| f).collect();
        assert_eq!(ours, expected);
    }
}
