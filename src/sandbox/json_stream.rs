//! A streaming reader of one top-level JSON object whose `FILE_CONTENT` string may be
//! far larger than memory: small values are collected, the Base64 in `FILE_CONTENT` is
//! decoded on the fly into a file.

use std::io::{self, BufRead, Read, Write};

use serde_json::{Map, Value};

use super::php_base64::{decode_stream, Decoded};

/// Largest single small value (anything but `FILE_CONTENT`).
pub const MAX_VALUE: usize = 1 << 20;
/// Largest total of all small values.
pub const MAX_SMALL_TOTAL: usize = 4 << 20;

/// Why the body could not be read as one JSON object.
#[derive(Debug)]
pub enum ScanError {
    Syntax(String),
    TooLarge,
    Io(io::Error),
}

impl ScanError {
    pub fn describe(&self) -> String {
        match self {
            ScanError::Syntax(why) => format!("Request body is not a valid JSON object: {why}"),
            ScanError::TooLarge => "Request parameters are too large".into(),
            ScanError::Io(error) => format!("Request body could not be read: {error}"),
        }
    }
}

impl From<io::Error> for ScanError {
    fn from(error: io::Error) -> Self {
        ScanError::Io(error)
    }
}

/// What the streamed string held once decoded.
#[derive(Debug, PartialEq)]
pub enum Content {
    /// The empty string.
    Empty,
    /// Nothing left once decoded as PHP decodes.
    Invalid,
    /// Decoded into the sink.
    Decoded(Decoded),
}

/// Where decoded `FILE_CONTENT` bytes go; one sink per occurrence of the key.
pub trait ContentSink {
    type Writer: Write;
    fn open(&mut self) -> io::Result<Self::Writer>;
    /// The content was empty or invalid: whatever was written is not wanted.
    fn discard(&mut self);
}

/// Reads one JSON object from `input`; the string value of `stream_key` is Base64
/// decoded into `sink`, every other value is parsed and returned.
pub fn scan_object<R: BufRead, S: ContentSink>(
    input: &mut R,
    stream_key: &str,
    sink: &mut S,
) -> Result<(Map<String, Value>, Option<Content>), ScanError> {
    let mut fields = Map::new();
    let mut content = None;
    let mut small_total = 0usize;
    skip_whitespace(input)?;
    if peek(input)?.is_none() {
        return Ok((fields, None));
    }
    expect(input, b'{')?;
    skip_whitespace(input)?;
    if peek(input)? == Some(b'}') {
        input.consume(1);
    } else {
        loop {
            skip_whitespace(input)?;
            let key_raw = raw_value(input, 64 << 10)?;
            let key = match serde_json::from_slice::<Value>(&key_raw) {
                Ok(Value::String(key)) => key,
                _ => return Err(ScanError::Syntax("an object key must be a string".into())),
            };
            skip_whitespace(input)?;
            expect(input, b':')?;
            skip_whitespace(input)?;
            if key == stream_key && peek(input)? == Some(b'"') {
                input.consume(1);
                content = Some(decode_string(input, sink)?);
                fields.remove(&key);
            } else {
                let raw = raw_value(input, MAX_VALUE)?;
                small_total += raw.len() + key.len();
                if small_total > MAX_SMALL_TOTAL {
                    return Err(ScanError::TooLarge);
                }
                let value = serde_json::from_slice(&raw)
                    .map_err(|e| ScanError::Syntax(format!("value of {key:?}: {e}")))?;
                if key == stream_key {
                    content = None;
                }
                fields.insert(key, value);
            }
            skip_whitespace(input)?;
            match next(input)? {
                Some(b',') => continue,
                Some(b'}') => break,
                _ => return Err(ScanError::Syntax("expected `,` or `}`".into())),
            }
        }
    }
    skip_whitespace(input)?;
    if peek(input)?.is_some() {
        return Err(ScanError::Syntax(
            "trailing characters after the object".into(),
        ));
    }
    Ok((fields, content))
}

fn peek<R: BufRead>(input: &mut R) -> io::Result<Option<u8>> {
    Ok(input.fill_buf()?.first().copied())
}

fn next<R: BufRead>(input: &mut R) -> io::Result<Option<u8>> {
    let byte = peek(input)?;
    if byte.is_some() {
        input.consume(1);
    }
    Ok(byte)
}

fn expect<R: BufRead>(input: &mut R, wanted: u8) -> Result<(), ScanError> {
    match next(input)? {
        Some(byte) if byte == wanted => Ok(()),
        Some(byte) => Err(ScanError::Syntax(format!(
            "expected `{}`, found `{}`",
            wanted as char,
            byte.escape_ascii()
        ))),
        None => Err(ScanError::Syntax(format!(
            "expected `{}`, found the end",
            wanted as char
        ))),
    }
}

fn skip_whitespace<R: BufRead>(input: &mut R) -> io::Result<()> {
    loop {
        let buf = input.fill_buf()?;
        if buf.is_empty() {
            return Ok(());
        }
        let blanks = buf
            .iter()
            .take_while(|b| matches!(b, b' ' | b'\t' | b'\n' | b'\r'))
            .count();
        let all = blanks == buf.len();
        input.consume(blanks);
        if !all {
            return Ok(());
        }
    }
}

/// The raw bytes of one JSON value (string, object, array or scalar), for serde_json.
fn raw_value<R: BufRead>(input: &mut R, cap: usize) -> Result<Vec<u8>, ScanError> {
    let mut raw = Vec::new();
    let mut depth = 0usize;
    let mut in_string = false;
    let mut escaped = false;
    loop {
        let buf = input.fill_buf()?;
        if buf.is_empty() {
            if depth == 0 && !in_string && !raw.is_empty() {
                return Ok(raw);
            }
            return Err(ScanError::Syntax("the body ends inside a value".into()));
        }
        let mut used = 0;
        let mut done = false;
        for &byte in buf {
            if in_string {
                used += 1;
                if escaped {
                    escaped = false;
                } else if byte == b'\\' {
                    escaped = true;
                } else if byte == b'"' {
                    in_string = false;
                    if depth == 0 {
                        done = true;
                        break;
                    }
                }
                continue;
            }
            match byte {
                b'"' => {
                    if depth == 0 && !raw.is_empty() {
                        return Err(ScanError::Syntax("unexpected `\"`".into()));
                    }
                    in_string = true;
                }
                b'{' | b'[' => depth += 1,
                b'}' | b']' if depth > 0 => {
                    depth -= 1;
                    if depth == 0 {
                        used += 1;
                        done = true;
                        break;
                    }
                }
                b',' | b'}' | b']' | b' ' | b'\t' | b'\n' | b'\r' if depth == 0 => {
                    done = true;
                    break;
                }
                _ => {}
            }
            used += 1;
        }
        raw.extend_from_slice(&buf[..used]);
        input.consume(used);
        if raw.len() > cap {
            return Err(ScanError::TooLarge);
        }
        if done {
            if raw.is_empty() {
                return Err(ScanError::Syntax("a value is missing".into()));
            }
            return Ok(raw);
        }
    }
}

/// Decodes the rest of a JSON string (after its opening quote) as Base64 into the sink.
fn decode_string<R: BufRead, S: ContentSink>(
    input: &mut R,
    sink: &mut S,
) -> Result<Content, ScanError> {
    let mut text = JsonStringReader {
        input,
        finished: false,
        failure: None,
        pending: Vec::new(),
    };
    if text.is_empty_string()? {
        return Ok(Content::Empty);
    }
    let mut writer = sink.open()?;
    let decoded = decode_stream(&mut text, &mut writer);
    if let Some(failure) = text.failure.take() {
        return Err(failure);
    }
    let decoded = decoded?;
    if decoded.bytes == 0 {
        drop(writer);
        sink.discard();
        return Ok(Content::Invalid);
    }
    writer.flush()?;
    Ok(Content::Decoded(decoded))
}

/// The characters of a JSON string, escapes resolved, up to its closing quote.
struct JsonStringReader<'a, R> {
    input: &'a mut R,
    finished: bool,
    /// A syntax or I/O problem, kept apart from Base64 errors.
    failure: Option<ScanError>,
    /// Bytes of an escape that did not fit the caller's buffer.
    pending: Vec<u8>,
}

impl<R: BufRead> JsonStringReader<'_, R> {
    fn is_empty_string(&mut self) -> Result<bool, ScanError> {
        if peek(self.input)? == Some(b'"') {
            self.input.consume(1);
            self.finished = true;
            return Ok(true);
        }
        Ok(false)
    }

    fn fail(&mut self, error: ScanError) -> io::Error {
        let message = error.describe();
        self.failure = Some(error);
        io::Error::other(message)
    }

    fn escape(&mut self) -> Result<Vec<u8>, ScanError> {
        let Some(kind) = next(self.input)? else {
            return Err(ScanError::Syntax("the body ends inside a string".into()));
        };
        let byte = match kind {
            b'"' => b'"',
            b'\\' => b'\\',
            b'/' => b'/',
            b'b' => 8,
            b'f' => 12,
            b'n' => b'\n',
            b'r' => b'\r',
            b't' => b'\t',
            b'u' => {
                let mut hex = [0u8; 4];
                for digit in &mut hex {
                    *digit = next(self.input)?
                        .ok_or_else(|| ScanError::Syntax("the body ends inside a string".into()))?;
                }
                let code = std::str::from_utf8(&hex)
                    .ok()
                    .and_then(|h| u32::from_str_radix(h, 16).ok())
                    .ok_or_else(|| ScanError::Syntax("bad \\u escape".into()))?;
                // Anything outside ASCII is not Base64; 0xFF keeps it invalid for the decoder.
                return Ok(match char::from_u32(code) {
                    Some(c) if c.is_ascii() => vec![c as u8],
                    _ => vec![0xFF],
                });
            }
            other => {
                return Err(ScanError::Syntax(format!(
                    "bad escape `\\{}`",
                    other.escape_ascii()
                )))
            }
        };
        Ok(vec![byte])
    }
}

impl<R: BufRead> Read for JsonStringReader<'_, R> {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        if out.is_empty() {
            return Ok(0);
        }
        if !self.pending.is_empty() {
            let n = self.pending.len().min(out.len());
            out[..n].copy_from_slice(&self.pending[..n]);
            self.pending.drain(..n);
            return Ok(n);
        }
        if self.finished {
            return Ok(0);
        }
        let buf = match self.input.fill_buf() {
            Ok(buf) => buf,
            Err(error) => return Err(self.fail(ScanError::Io(error))),
        };
        if buf.is_empty() {
            return Err(self.fail(ScanError::Syntax("the body ends inside a string".into())));
        }
        let limit = buf.len().min(out.len());
        let plain = buf[..limit]
            .iter()
            .position(|&b| b == b'"' || b == b'\\' || b < 0x20)
            .unwrap_or(limit);
        if plain > 0 {
            out[..plain].copy_from_slice(&buf[..plain]);
            self.input.consume(plain);
            return Ok(plain);
        }
        let special = buf[0];
        self.input.consume(1);
        match special {
            b'"' => {
                self.finished = true;
                Ok(0)
            }
            b'\\' => match self.escape() {
                Ok(bytes) => {
                    let n = bytes.len().min(out.len());
                    out[..n].copy_from_slice(&bytes[..n]);
                    self.pending.extend_from_slice(&bytes[n..]);
                    Ok(n)
                }
                Err(error) => Err(self.fail(error)),
            },
            _ => Err(self.fail(ScanError::Syntax(
                "control character inside a string".into(),
            ))),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use base64::engine::general_purpose::STANDARD;
    use base64::Engine;
    use std::io::BufReader;

    #[derive(Default)]
    struct Memory {
        opened: usize,
        discarded: bool,
    }

    impl ContentSink for &mut Memory {
        type Writer = Vec<u8>;
        fn open(&mut self) -> io::Result<Vec<u8>> {
            self.opened += 1;
            Ok(Vec::new())
        }
        fn discard(&mut self) {
            self.discarded = true;
        }
    }

    /// Records what the sink wrote through a shared buffer.
    struct Shared(std::rc::Rc<std::cell::RefCell<Vec<u8>>>);
    impl Write for Shared {
        fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
            self.0.borrow_mut().extend_from_slice(buf);
            Ok(buf.len())
        }
        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }
    struct SharedSink(std::rc::Rc<std::cell::RefCell<Vec<u8>>>);
    impl ContentSink for SharedSink {
        type Writer = Shared;
        fn open(&mut self) -> io::Result<Shared> {
            self.0.borrow_mut().clear();
            Ok(Shared(self.0.clone()))
        }
        fn discard(&mut self) {
            self.0.borrow_mut().clear();
        }
    }

    type Scanned = (Map<String, Value>, Option<Content>, Vec<u8>);

    fn scan(text: &[u8], capacity: usize) -> Result<Scanned, ScanError> {
        let bytes = std::rc::Rc::new(std::cell::RefCell::new(Vec::new()));
        let mut sink = SharedSink(bytes.clone());
        let mut input = BufReader::with_capacity(capacity, text);
        let (fields, content) = scan_object(&mut input, "FILE_CONTENT", &mut sink)?;
        let out = bytes.borrow().clone();
        Ok((fields, content, out))
    }

    #[test]
    fn small_values_are_parsed_and_content_decoded_at_any_buffer_size() {
        let body = br#" { "CALL_ID" : "c\"1", "N": [1, {"a": "}"}], "X": -1.5e3,
            "FILE_CONTENT": "aGVs\/\/8gd29y", "T": true, "Z": null } "#;
        for capacity in [1, 2, 3, 7, 64, 4096] {
            let (fields, content, bytes) = scan(body, capacity).unwrap();
            assert_eq!(fields["CALL_ID"], "c\"1");
            assert_eq!(fields["N"], serde_json::json!([1, {"a": "}"}]));
            assert_eq!(fields["X"], -1500.0);
            assert_eq!(fields["T"], true);
            assert_eq!(fields["Z"], Value::Null);
            assert!(!fields.contains_key("FILE_CONTENT"));
            // "\/" is an escaped "/", which is Base64 for 63.
            let expected = STANDARD.decode("aGVs//8gd29y").unwrap();
            match content {
                Some(Content::Decoded(decoded)) => assert_eq!(decoded.bytes, expected.len() as u64),
                other => panic!("{other:?}"),
            }
            assert_eq!(bytes, expected);
        }
    }

    #[test]
    fn empty_invalid_and_unpadded_content() {
        let (_, content, _) = scan(br#"{"FILE_CONTENT":""}"#, 8).unwrap();
        assert_eq!(content, Some(Content::Empty));
        for bad in [
            r#"{"FILE_CONTENT":"%%%%","A":1}"#,
            r#"{"FILE_CONTENT":"\u00e9=","A":1}"#,
        ] {
            let (fields, content, bytes) = scan(bad.as_bytes(), 3).unwrap();
            assert_eq!(content, Some(Content::Invalid), "{bad}");
            assert_eq!(fields["A"], 1, "{bad}");
            assert!(bytes.is_empty());
        }
        for lenient in [
            r#"{"FILE_CONTENT":"aGVsbG8","A":1}"#,
            r#"{"FILE_CONTENT":"aGVs\nbG8=","A":1}"#,
        ] {
            let (_, content, bytes) = scan(lenient.as_bytes(), 3).unwrap();
            assert!(matches!(content, Some(Content::Decoded(_))), "{lenient}");
            assert_eq!(bytes, b"hello", "{lenient}");
        }
    }

    #[test]
    fn non_string_content_is_a_small_value() {
        let (fields, content, _) = scan(br#"{"FILE_CONTENT":null}"#, 8).unwrap();
        assert_eq!(content, None);
        assert_eq!(fields["FILE_CONTENT"], Value::Null);
    }

    #[test]
    fn syntax_errors_are_reported() {
        for bad in [
            "[1]",
            "{",
            r#"{"A":1"#,
            r#"{"A":1}x"#,
            r#"{"A" 1}"#,
            r#"{"FILE_CONTENT":"aGVs"#,
            r#"{"FILE_CONTENT":"aG\qVs"}"#,
            r#"{A:1}"#,
            r#"{"A":}"#,
        ] {
            assert!(
                matches!(scan(bad.as_bytes(), 4), Err(ScanError::Syntax(_))),
                "{bad}"
            );
        }
        let (fields, content, _) = scan(b"  ", 4).unwrap();
        assert!(fields.is_empty() && content.is_none());
    }

    #[test]
    fn memory_sink_is_opened_once_per_content() {
        let mut memory = Memory::default();
        let mut input = BufReader::new(&br#"{"FILE_CONTENT":"!!!!"}"#[..]);
        let (_, content) = scan_object(&mut input, "FILE_CONTENT", &mut &mut memory).unwrap();
        assert_eq!(content, Some(Content::Invalid));
        assert_eq!(memory.opened, 1);
        assert!(memory.discarded);
    }

    #[test]
    fn oversized_small_values_are_refused() {
        let big = format!(r#"{{"A":"{}"}}"#, "x".repeat(MAX_VALUE + 10));
        assert!(matches!(
            scan(big.as_bytes(), 4096),
            Err(ScanError::TooLarge)
        ));
    }
}
