//! From bytes to clean text: encodings and line endings, subtitle markup, and the
//! `Label: text` speaker prefix.

use std::borrow::Cow;

/// Why the bytes are not text we can read, and the line (from 1) where that shows.
#[derive(Debug, PartialEq, Eq)]
pub struct DecodeError {
    pub line: usize,
    pub message: String,
}

/// Decodes in the encoding the user named (`--encoding`); `Auto` is [`decode`].
pub fn decode_as(bytes: &[u8], encoding: super::Encoding) -> Result<Cow<'_, str>, DecodeError> {
    use super::Encoding;
    let single_byte = match encoding {
        Encoding::Auto => return decode(bytes),
        Encoding::Utf8 => {
            let rest = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
            return finish(Cow::Borrowed(utf8(rest)?));
        }
        Encoding::Utf16 => {
            let text = if let Some(rest) = bytes.strip_prefix(b"\xFF\xFE") {
                utf16(rest, u16::from_le_bytes)?
            } else if let Some(rest) = bytes.strip_prefix(b"\xFE\xFF") {
                utf16(rest, u16::from_be_bytes)?
            } else if utf16_order(bytes) == Some(Order::Big) {
                utf16(bytes, u16::from_be_bytes)?
            } else {
                utf16(bytes, u16::from_le_bytes)?
            };
            return finish(Cow::Owned(text));
        }
        Encoding::Cp1251 => encoding_rs::WINDOWS_1251,
        Encoding::Koi8R => encoding_rs::KOI8_R,
    };
    let (text, had_errors) = single_byte.decode_without_bom_handling(bytes);
    if had_errors {
        let at = text.find('\u{FFFD}').unwrap_or(0);
        return Err(DecodeError {
            line: line_at(text.as_bytes(), at),
            message: format!(
                "not valid {}; pick the file's encoding with --encoding utf-8|utf-16|cp1251|koi8-r",
                single_byte.name()
            ),
        });
    }
    finish(Cow::Owned(text.into_owned()))
}

#[derive(Debug, PartialEq, Eq)]
enum Order {
    Big,
    Little,
}

/// UTF-16 without a byte-order mark shows as NUL bytes in the high half of ASCII
/// characters: at even offsets for big-endian, odd for little-endian.
fn utf16_order(bytes: &[u8]) -> Option<Order> {
    let sample = bytes.get(..bytes.len().min(4096)).unwrap_or(bytes);
    let pairs = sample.len() / 2;
    if pairs < 2 {
        return None;
    }
    let even = sample.iter().step_by(2).filter(|&&b| b == 0).count();
    let odd = sample
        .iter()
        .skip(1)
        .step_by(2)
        .filter(|&&b| b == 0)
        .count();
    if even * 5 >= pairs && even > odd * 4 {
        Some(Order::Big)
    } else if odd * 5 >= pairs && odd > even * 4 {
        Some(Order::Little)
    } else {
        None
    }
}

fn finish(text: Cow<'_, str>) -> Result<Cow<'_, str>, DecodeError> {
    if let Some(at) = text.find('\0') {
        return Err(DecodeError {
            line: line_at(text.as_bytes(), at),
            message: "contains a NUL byte: is it UTF-16 without a byte-order mark? \
                      pass --encoding utf-16"
                .into(),
        });
    }
    Ok(match text {
        Cow::Borrowed(text) => normalize_newlines(text),
        Cow::Owned(text) => Cow::Owned(normalize_newlines(&text).into_owned()),
    })
}

/// Decodes UTF-8 (an optional BOM is dropped) or UTF-16 with a BOM, then turns
/// CRLF and lone CR into LF so every parser sees `\n` only.
pub fn decode(bytes: &[u8]) -> Result<Cow<'_, str>, DecodeError> {
    if !bytes.starts_with(b"\xFF\xFE") && !bytes.starts_with(b"\xFE\xFF") {
        if let Some(order) = utf16_order(bytes) {
            let order = match order {
                Order::Big => "big-endian",
                Order::Little => "little-endian",
            };
            return Err(DecodeError {
                line: 1,
                message: format!(
                    "looks like {order} UTF-16 without a byte-order mark; \
                     pass --encoding utf-16 (or save the file as UTF-8)"
                ),
            });
        }
    }
    let text: Cow<'_, str> = if let Some(rest) = bytes.strip_prefix(b"\xEF\xBB\xBF") {
        Cow::Borrowed(utf8(rest)?)
    } else if let Some(rest) = bytes.strip_prefix(b"\xFF\xFE") {
        Cow::Owned(utf16(rest, u16::from_le_bytes)?)
    } else if let Some(rest) = bytes.strip_prefix(b"\xFE\xFF") {
        Cow::Owned(utf16(rest, u16::from_be_bytes)?)
    } else {
        Cow::Borrowed(utf8(bytes)?)
    };
    finish(text)
}

fn utf8(bytes: &[u8]) -> Result<&str, DecodeError> {
    std::str::from_utf8(bytes).map_err(|error| {
        let at = error.valid_up_to();
        let byte = bytes.get(at).copied().unwrap_or_default();
        DecodeError {
            line: line_at(bytes, at),
            message: format!(
                "not valid UTF-8 (byte 0x{byte:02X}); if the file is in another encoding, \
                 pass --encoding cp1251|koi8-r|utf-16, or save it as UTF-8"
            ),
        }
    })
}

fn utf16(bytes: &[u8], unit: fn([u8; 2]) -> u16) -> Result<String, DecodeError> {
    let units = bytes.chunks_exact(2).map(|pair| unit([pair[0], pair[1]]));
    let mut text = String::with_capacity(bytes.len() / 2);
    for decoded in char::decode_utf16(units) {
        match decoded {
            Ok(c) => text.push(c),
            Err(_) => {
                return Err(DecodeError {
                    line: line_at(text.as_bytes(), text.len()),
                    message: "not valid UTF-16 (an unpaired surrogate)".into(),
                })
            }
        }
    }
    if bytes.len() % 2 == 1 {
        return Err(DecodeError {
            line: line_at(text.as_bytes(), text.len()),
            message: "not valid UTF-16 (odd number of bytes: the file is cut short)".into(),
        });
    }
    Ok(text)
}

/// The line (from 1) that byte offset `at` is on; CRLF, LF and lone CR each end a line.
pub fn line_at(bytes: &[u8], at: usize) -> usize {
    let before = bytes.get(..at).unwrap_or(bytes);
    let mut line = 1;
    let mut previous = 0u8;
    for &b in before {
        if b == b'\r' || (b == b'\n' && previous != b'\r') {
            line += 1;
        }
        previous = b;
    }
    line
}

fn normalize_newlines(text: &str) -> Cow<'_, str> {
    if !text.contains('\r') {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\r' {
            if chars.peek() == Some(&'\n') {
                chars.next();
            }
            out.push('\n');
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// A line with only whitespace ends a subtitle block.
pub fn is_blank(line: &str) -> bool {
    line.trim().is_empty()
}

/// Removes SubRip styling: `<i> <b> <u> <s> <font ...>` and their closing tags, and
/// `{\an8}`-style override codes. Any other `<` is text.
pub fn strip_srt_markup(line: &str) -> String {
    let mut out = String::with_capacity(line.len());
    let mut rest = line;
    while let Some(at) = rest.find(['<', '{']) {
        let (before, tail) = rest.split_at(at);
        out.push_str(before);
        match srt_tag_len(tail) {
            Some(len) => rest = tail.get(len..).unwrap_or(""),
            None => {
                // '<' and '{' are one byte each.
                out.push_str(tail.get(..1).unwrap_or(""));
                rest = tail.get(1..).unwrap_or("");
            }
        }
    }
    out.push_str(rest);
    out
}

/// The byte length of the SRT tag at the start of `tail`, if it is one. Tags are
/// short: looking no further than 256 bytes keeps a line of `<<<<` linear.
fn srt_tag_len(tail: &str) -> Option<usize> {
    const TAG_SCAN: usize = 256;
    if tail.starts_with("{\\") {
        let close = tail.bytes().take(TAG_SCAN).position(|b| b == b'}')?;
        return Some(close + 1);
    }
    let close = tail.bytes().take(TAG_SCAN).position(|b| b == b'>')?;
    let inner = tail.get(1..close)?;
    let inner = inner.strip_prefix('/').unwrap_or(inner);
    let name = inner.split_whitespace().next().unwrap_or("");
    let known = ["i", "b", "u", "s", "font", "ruby", "c", "span"];
    let is_tag = known.iter().any(|tag| name.eq_ignore_ascii_case(tag))
        && (inner.len() == name.len() || name.eq_ignore_ascii_case("font"));
    is_tag.then_some(close + 1)
}

/// Decodes HTML character references (`&amp;`, `&laquo;`, `&#171;`); an unknown
/// `&name;` stays as written.
pub fn decode_entities(line: &str) -> Cow<'_, str> {
    if !line.contains('&') {
        return Cow::Borrowed(line);
    }
    let mut out = String::with_capacity(line.len());
    let mut rest = line;
    while let Some(at) = rest.find('&') {
        let (before, tail) = rest.split_at(at);
        out.push_str(before);
        match character_reference(tail) {
            Some((c, len)) => {
                out.push(c);
                rest = tail.get(len..).unwrap_or("");
            }
            None => {
                out.push('&');
                rest = tail.get(1..).unwrap_or("");
            }
        }
    }
    out.push_str(rest);
    Cow::Owned(out)
}

/// Splits a cue line at the breaks subtitle tools write inside it: ASS `\N`,
/// `<br>`, `<br/>`, `<br />` (any case).
pub fn split_breaks(line: &str) -> Vec<Cow<'_, str>> {
    if !line.contains("\\N") && !line.contains('<') {
        return vec![Cow::Borrowed(line)];
    }
    let mut out = Vec::new();
    let mut current = String::new();
    let mut rest = line;
    while !rest.is_empty() {
        if let Some(after) = rest.strip_prefix("\\N") {
            out.push(Cow::Owned(std::mem::take(&mut current)));
            rest = after;
            continue;
        }
        if rest.starts_with('<') {
            let lower: String = rest
                .chars()
                .take(6)
                .collect::<String>()
                .to_ascii_lowercase();
            let len = ["<br />", "<br/>", "<br>"]
                .iter()
                .find(|tag| lower.starts_with(**tag))
                .map(|tag| tag.len());
            if let Some(len) = len {
                out.push(Cow::Owned(std::mem::take(&mut current)));
                rest = rest.get(len..).unwrap_or("");
                continue;
            }
        }
        let mut chars = rest.chars();
        if let Some(c) = chars.next() {
            current.push(c);
        }
        rest = chars.as_str();
    }
    out.push(Cow::Owned(current));
    out
}

/// Drops ruby readings: `<rt>...</rt>` and `<rp>...</rp>` (the base text stays).
pub fn drop_ruby_readings(line: &str) -> Cow<'_, str> {
    if !line.contains('<') {
        return Cow::Borrowed(line);
    }
    let lower = line.to_ascii_lowercase();
    if !lower.contains("<rt") && !lower.contains("<rp") {
        return Cow::Borrowed(line);
    }
    let mut out = String::with_capacity(line.len());
    let mut at = 0;
    while at < line.len() {
        let tail = lower.get(at..).unwrap_or("");
        let opening = ["<rt>", "<rp>"]
            .iter()
            .find(|tag| tail.starts_with(**tag))
            .copied();
        if let Some(tag) = opening {
            let close = format!("</{}", tag.get(1..).unwrap_or(""));
            match tail.find(&close) {
                Some(end) => at += end + close.len(),
                None => at = line.len(),
            }
            continue;
        }
        let Some(c) = line.get(at..).and_then(|t| t.chars().next()) else {
            break;
        };
        out.push(c);
        at += c.len_utf8();
    }
    Cow::Owned(out)
}

/// Removes WebVTT markup (every `<...>` is a tag) and decodes character references.
/// The first voice tag's annotation (`<v Mary>`, `<v.loud Mary>`) goes to `voice`.
pub fn strip_vtt_markup(line: &str, voice: &mut Option<String>) -> String {
    let mut out = String::with_capacity(line.len());
    let mut rest = line;
    while let Some(at) = rest.find(['<', '&']) {
        let (before, tail) = rest.split_at(at);
        out.push_str(before);
        if tail.starts_with('<') {
            let Some(close) = tail.find('>') else {
                // An unclosed tag runs to the end of the line.
                rest = "";
                break;
            };
            let tag = tail.get(1..close).unwrap_or("");
            if voice.is_none() {
                *voice = voice_annotation(tag);
            }
            rest = tail.get(close + 1..).unwrap_or("");
        } else {
            match character_reference(tail) {
                Some((c, len)) => {
                    out.push(c);
                    rest = tail.get(len..).unwrap_or("");
                }
                None => {
                    out.push('&');
                    rest = tail.get(1..).unwrap_or("");
                }
            }
        }
    }
    out.push_str(rest);
    out
}

fn voice_annotation(tag: &str) -> Option<String> {
    let after_v = tag.strip_prefix('v')?;
    if !after_v.starts_with(['.', ' ', '\t']) {
        return None;
    }
    let (_classes, annotation) = after_v.split_once([' ', '\t'])?;
    let annotation = annotation.trim();
    (!annotation.is_empty()).then(|| annotation.to_string())
}

/// Decodes `&amp;`, `&lt;`, `&#39;`, `&#x41;` and friends at the start of `tail`:
/// the character and how many bytes it took.
fn character_reference(tail: &str) -> Option<(char, usize)> {
    let semicolon = tail.bytes().take(12).position(|b| b == b';')?;
    let name = tail.get(1..semicolon)?;
    let c = match name {
        "amp" => '&',
        "lt" => '<',
        "gt" => '>',
        "nbsp" => '\u{A0}',
        "lrm" => '\u{200E}',
        "rlm" => '\u{200F}',
        "quot" => '"',
        "apos" => '\'',
        "laquo" => '«',
        "raquo" => '»',
        "bdquo" => '„',
        "ldquo" => '“',
        "rdquo" => '”',
        "lsquo" => '‘',
        "rsquo" => '’',
        "mdash" => '—',
        "ndash" => '–',
        "hellip" => '…',
        "copy" => '©',
        "reg" => '®',
        "trade" => '™',
        "euro" => '€',
        "deg" => '°',
        "times" => '×',
        "shy" => '\u{AD}',
        _ => {
            let number = name.strip_prefix('#')?;
            let code = match number.strip_prefix(['x', 'X']) {
                Some(hex) => u32::from_str_radix(hex, 16).ok()?,
                None => number.parse::<u32>().ok()?,
            };
            char::from_u32(code).filter(|&c| c != '\0')?
        }
    };
    Some((c, semicolon + 1))
}

/// Splits a `Label: text` prefix off a cue's text. A label is 1 to 32 characters
/// starting with a letter, made of letters, digits, `_`, `-`, `.` and single spaces
/// (at most three words, so a sentence with a colon stays text), followed by `:`
/// and whitespace or the end of the text.
pub fn split_label(text: &str) -> Option<(&str, &str)> {
    let colon = text.char_indices().take(33).find(|&(_, c)| c == ':')?.0;
    let label = text.get(..colon)?;
    let after = text.get(colon + 1..)?;
    if !(after.is_empty() || after.starts_with(char::is_whitespace)) {
        return None;
    }
    let mut chars = label.chars();
    if !chars.next()?.is_alphabetic() || label.ends_with(' ') || label.contains("  ") {
        return None;
    }
    let allowed = |c: char| c.is_alphanumeric() || matches!(c, ' ' | '_' | '-' | '.');
    if !chars.all(allowed) || label.matches(' ').count() > 2 {
        return None;
    }
    Some((label, after.trim_start()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utf8_with_bom_and_crlf_becomes_plain_lines() {
        let text = decode(b"\xEF\xBB\xBFa\r\nb\rc\n").unwrap();
        assert_eq!(text, "a\nb\nc\n");
        assert!(matches!(decode(b"plain\n").unwrap(), Cow::Borrowed(_)));
    }

    #[test]
    fn utf16_with_bom_both_orders() {
        let le: Vec<u8> = [0xFF, 0xFE]
            .into_iter()
            .chain("Да\r\n漢".encode_utf16().flat_map(u16::to_le_bytes))
            .collect();
        assert_eq!(decode(&le).unwrap(), "Да\n漢");
        let be: Vec<u8> = [0xFE, 0xFF]
            .into_iter()
            .chain("Да\n漢".encode_utf16().flat_map(u16::to_be_bytes))
            .collect();
        assert_eq!(decode(&be).unwrap(), "Да\n漢");
    }

    #[test]
    fn bad_bytes_name_their_line() {
        let error = decode(b"one\r\ntwo\r\nthr\xE9e\n").unwrap_err();
        assert_eq!(error.line, 3);
        assert!(error.message.contains("UTF-8"), "{}", error.message);
        let error = decode(b"a\rb\r\xFF").unwrap_err();
        assert_eq!(error.line, 3);
        // Lone surrogate in UTF-16 LE on line 2.
        let error = decode(&[0xFF, 0xFE, b'a', 0, b'\n', 0, 0x00, 0xD8, b'b', 0]).unwrap_err();
        assert_eq!(error.line, 2);
        let error = decode(&[0xFF, 0xFE, b'a', 0, b'b']).unwrap_err();
        assert!(error.message.contains("odd"));
        let error = decode(b"a\0b\0").unwrap_err();
        assert!(error.message.contains("UTF-16"), "{}", error.message);
    }

    #[test]
    fn srt_markup_goes_other_angles_stay() {
        assert_eq!(
            strip_srt_markup("<i>Hello</i> <font color=\"#fff\">there</font>"),
            "Hello there"
        );
        assert_eq!(strip_srt_markup("{\\an8}<B>Top</B>"), "Top");
        assert_eq!(strip_srt_markup("a < b and c > d"), "a < b and c > d");
        assert_eq!(strip_srt_markup("<3 <ins>x</ins>"), "<3 <ins>x</ins>");
        assert_eq!(strip_srt_markup("Привет <i>мир"), "Привет мир");
    }

    #[test]
    fn vtt_markup_and_voices() {
        let mut voice = None;
        let text = strip_vtt_markup(
            "<v.loud Mary Smith><c.yellow>Hi</c> <00:00:01.000>&amp; &lt;b&gt; &#39;x&#x27;&nbsp;</v>",
            &mut voice,
        );
        assert_eq!(text, "Hi & <b> 'x'\u{A0}");
        assert_eq!(voice.as_deref(), Some("Mary Smith"));
        let mut voice = None;
        assert_eq!(
            strip_vtt_markup("a &bogus; b &#0; <b", &mut voice),
            "a &bogus; b &#0; "
        );
        assert_eq!(voice, None);
        let mut voice = None;
        strip_vtt_markup("<v>unnamed</v>", &mut voice);
        assert_eq!(voice, None);
    }

    #[test]
    fn labels_are_short_names_before_a_colon() {
        assert_eq!(split_label("User: hi"), Some(("User", "hi")));
        assert_eq!(split_label("Note: x"), Some(("Note", "x")));
        assert_eq!(
            split_label("SPEAKER_00:  a: b"),
            Some(("SPEAKER_00", "a: b"))
        );
        assert_eq!(
            split_label("Dr. J-P Smith: ok"),
            Some(("Dr. J-P Smith", "ok"))
        );
        assert_eq!(
            split_label("Оператор: Здравствуйте"),
            Some(("Оператор", "Здравствуйте"))
        );
        assert_eq!(split_label("Client:"), Some(("Client", "")));
        assert_eq!(split_label("10:30 is fine"), None);
        assert_eq!(split_label("see http://x"), None);
        assert_eq!(split_label("The reason is simple: no"), None);
        assert_eq!(split_label("a:b"), None);
        assert_eq!(split_label(": x"), None);
        assert_eq!(split_label("abcdefghijklmnopqrstuvwxyzabcdefg: x"), None);
        assert_eq!(
            split_label("abcdefghijklmnopqrstuvwxyzabcdef: x").map(|l| l.0.len()),
            Some(32)
        );
    }
}
