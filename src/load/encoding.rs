//! Text encodings: files that are not UTF-8 are decoded to UTF-8 before they
//! are parsed. UTF-16 is known by its byte-order mark; a file that is not
//! UTF-8 but decodes cleanly as GB18030 (which covers GBK and GB2312, the
//! default of Chinese Excel and of many government sites) is read as that,
//! with a note; `encoding "NAME"` forces any encoding the WHATWG standard
//! names (through `encoding_rs`).

use super::infer::thousands;
use super::input::{io_error, read_all, Input};
use crate::error::{Error, ErrorKind, Result};
use encoding_rs::{Encoding, GB18030, UTF_16BE, UTF_16LE, UTF_8};

/// How many bytes of a file are checked for UTF-8 before it is streamed as
/// UTF-8; a file with a bad byte only past this gets an error naming the line.
pub(crate) const SNIFF_BYTES: usize = 8 << 20;

/// The encoding `name` stands for (`"gb18030"`, `"gbk"`, `"utf-16le"`,
/// `"big5"`, `"windows-1252"`...), if the WHATWG standard knows it.
pub fn encoding_for_label(name: &str) -> Option<&'static Encoding> {
    Encoding::for_label(name.trim().as_bytes())
}

/// A file's text as the parsers read it.
pub(crate) enum Text {
    /// The file is UTF-8 (perhaps with its byte-order mark): read it as it is.
    Utf8,
    /// The file was in another encoding and is decoded here, whole; with a
    /// note when the encoding was guessed rather than given or marked.
    Decoded {
        /// The decoded text.
        text: String,
        /// `note: ... read as GB18030 ...`, when guessed.
        note: Option<String>,
    },
}

/// Decides a file's encoding (the `given` one, else its byte-order mark,
/// else UTF-8 when its first bytes are UTF-8, else GB18030 if it decodes
/// cleanly as that) and decodes it when that is not UTF-8.
pub(crate) fn read_text(
    file: &str,
    input: &dyn Input,
    given: Option<&'static Encoding>,
) -> Result<Text> {
    let head = input
        .read_range(0..input.size().min(SNIFF_BYTES))
        .map_err(|e| io_error(file, &e))?;
    let encoding = match (given, from_bom(&head)) {
        (Some(e), _) | (None, Some(e)) => e,
        (None, None) if !looks_utf8(&head) => {
            let bytes = read_all(file, input, head)?;
            let (text, note) = decode_guessed(file, &bytes)?;
            return Ok(Text::Decoded {
                text,
                note: Some(note),
            });
        }
        (None, None) => UTF_8,
    };
    if encoding == UTF_8 {
        return Ok(Text::Utf8);
    }
    let bytes = read_all(file, input, head)?;
    let text = decode(file, &bytes, encoding)?;
    Ok(Text::Decoded { text, note: None })
}

/// The encoding a file's first bytes say it is in, by its byte-order mark.
pub(crate) fn from_bom(bytes: &[u8]) -> Option<&'static Encoding> {
    Encoding::for_bom(bytes).map(|(e, _)| e)
}

/// True when `bytes` are UTF-8 except perhaps for a character cut off at the end.
pub(crate) fn looks_utf8(bytes: &[u8]) -> bool {
    match std::str::from_utf8(bytes) {
        Ok(_) => true,
        Err(e) => e.error_len().is_none(),
    }
}

/// Decodes a whole file in `encoding` (its byte-order mark, if any,
/// removed). A byte that is not valid there is an error naming the line
/// and the byte.
pub(crate) fn decode(file: &str, bytes: &[u8], encoding: &'static Encoding) -> Result<String> {
    let body = match Encoding::for_bom(bytes) {
        Some((e, n)) if e == encoding => &bytes[n..],
        _ => bytes,
    };
    if encoding == UTF_8 {
        return match std::str::from_utf8(body) {
            Ok(s) => Ok(s.to_string()),
            Err(e) => Err(malformed(file, body, e.valid_up_to(), encoding)),
        };
    }
    let mut decoder = encoding.new_decoder_without_bom_handling();
    let mut out = String::with_capacity(body.len() + body.len() / 2);
    let capacity = decoder
        .max_utf8_buffer_length_without_replacement(body.len())
        .unwrap_or(body.len() * 3 + 16);
    out.reserve(capacity.saturating_sub(out.capacity()));
    let (result, read) = decoder.decode_to_string_without_replacement(body, &mut out, true);
    match result {
        encoding_rs::DecoderResult::InputEmpty => Ok(out),
        encoding_rs::DecoderResult::Malformed(bad, _) => {
            let at = read.saturating_sub(usize::from(bad));
            Err(malformed(file, body, at, encoding))
        }
        encoding_rs::DecoderResult::OutputFull => Err(Error::new(ErrorKind::Data(format!(
            "{file}: the text could not be decoded as {}",
            encoding.name()
        )))),
    }
}

/// Decodes a file that is not UTF-8 and has no byte-order mark as GB18030,
/// if it is valid there; the note says so.
pub(crate) fn decode_guessed(file: &str, bytes: &[u8]) -> Result<(String, String)> {
    match decode(file, bytes, GB18030).ok().filter(|_| chinese_like(bytes)) {
        Some(text) => Ok((
            text,
            format!(
                "note: {file} is not UTF-8; it was read as GB18030 (GBK), in which it is valid; if the text looks wrong, name the encoding, as in `encoding \"big5\"`"
            ),
        )),
        None => {
            let at = std::str::from_utf8(bytes)
                .err()
                .map_or(0, |e| e.valid_up_to());
            Err(malformed(file, bytes, at, UTF_8))
        }
    }
}

/// True when the bytes above 127 look like GBK Chinese rather than a
/// Western single-byte encoding that happens to decode as GB18030 (`ü` in
/// `München` followed by `n` is a valid GBK pair): in Chinese text most
/// pairs have a second byte above 127 too (all of GB2312 does), while in
/// Western text a letter above 127 is mostly followed by ASCII.
fn chinese_like(bytes: &[u8]) -> bool {
    let (mut high, mut ascii) = (0usize, 0usize);
    let mut i = 0;
    while i + 1 < bytes.len() {
        if bytes[i] >= 0x81 {
            if bytes[i + 1] >= 0x80 {
                high += 1;
            } else {
                ascii += 1;
            }
            i += 2;
        } else {
            i += 1;
        }
    }
    high > ascii
}

/// The error for the byte at `at` that is not valid in `encoding`.
fn malformed(file: &str, bytes: &[u8], at: usize, encoding: &'static Encoding) -> Error {
    let line = if encoding == UTF_16LE || encoding == UTF_16BE {
        bytes[..at].chunks(2).filter(|c| c.contains(&b'\n')).count() + 1
    } else {
        memchr::memchr_iter(b'\n', &bytes[..at]).count() + 1
    };
    let byte = bytes.get(at).copied().unwrap_or(0);
    let tried = if encoding == UTF_8 {
        "UTF-8, nor GB18030".to_string()
    } else {
        encoding.name().to_string()
    };
    Error::new(ErrorKind::Data(format!(
        "{file}, line {}: byte 0x{byte:02X} (at offset {}) is not valid {tried}",
        thousands(line as u64),
        thousands(at as u64),
    )))
    .with_help({
        let (what, name) = likely(bytes);
        format!("the file is likely {what}; name its encoding, as in `encoding \"{name}\"`, or save it as UTF-8")
    })
}

/// A guess at a file's encoding: UTF-8 or GB18030 when it is valid there
/// (and looks Chinese); else by its bytes above 127: lone ones are a
/// Western single-byte encoding, pairs a double-byte one.
fn likely(bytes: &[u8]) -> (&'static str, &'static str) {
    if std::str::from_utf8(bytes).is_ok() {
        return ("UTF-8", "utf-8");
    }
    let (_, bad) = GB18030.decode_without_bom_handling(bytes);
    if !bad && chinese_like(bytes) {
        return ("Chinese in GB18030 (GBK)", "gb18030");
    }
    let mut lone = 0usize;
    let mut runs = 0usize;
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] >= 0x80 {
            let start = i;
            while i < bytes.len() && bytes[i] >= 0x80 {
                i += 1;
            }
            if i - start == 1 {
                lone += 1;
            } else {
                runs += 1;
            }
        } else {
            i += 1;
        }
    }
    if lone > runs {
        ("Western European (Windows-1252)", "windows-1252")
    } else {
        ("Traditional Chinese (Big5) or Japanese (Shift_JIS)", "big5")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_gb18030_and_names_a_bad_byte() {
        let (bytes, _, _) = GB18030.encode("省份,金额\n甘肃省,1\n");
        let (text, note) = decode_guessed("f.csv", &bytes).unwrap();
        assert_eq!(text, "省份,金额\n甘肃省,1\n");
        assert!(note.contains("GB18030"));
        let err = decode("f.csv", b"a\nb\xFF\n", GB18030).unwrap_err();
        assert!(
            err.kind().to_string().contains("line 2: byte 0xFF"),
            "{}",
            err.kind()
        );
        assert_eq!(encoding_for_label(" GBK").map(|e| e.name()), Some("GBK"));
        assert_eq!(encoding_for_label("gb2312").map(|e| e.name()), Some("GBK"));
        assert!(encoding_for_label("gb-what").is_none());
    }
}
