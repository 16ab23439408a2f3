//! `application/x-www-form-urlencoded` as PHP reads it: `a[b][0]=v` keys become nested
//! parameters, the same tree a JSON body gives. The value of one key (FILE_CONTENT) may
//! be far larger than memory and is decoded on the fly, like the JSON scanner does.

use std::collections::VecDeque;
use std::io::{self, BufRead, Read};

use serde_json::{Map, Value};

use super::json_stream::{Content, ContentSink, ScanError, MAX_SMALL_TOTAL, MAX_VALUE};
use super::php_base64::decode_stream;

/// Reads `key=value&...` from `input`; the value of `stream_key` is Base64 decoded into
/// `sink`, every other pair becomes a parameter.
pub fn scan_form<R: BufRead, S: ContentSink>(
    input: &mut R,
    stream_key: &str,
    sink: &mut S,
) -> Result<(Map<String, Value>, Option<Content>), ScanError> {
    let mut params = Map::new();
    let mut content = None;
    let mut total = 0usize;
    loop {
        let (raw_key, ended_by) = read_until(input, b"=&", 64 << 10)?;
        if raw_key.is_empty() && ended_by.is_none() {
            break;
        }
        let key = percent_decode(&raw_key);
        if ended_by == Some(b'=') && key == stream_key {
            content = Some(stream_value(input, sink)?);
            params.remove(&key);
            continue;
        }
        let value = if ended_by == Some(b'=') {
            let (raw, _) = read_until(input, b"&", MAX_VALUE)?;
            percent_decode(&raw)
        } else {
            String::new()
        };
        total += key.len() + value.len();
        if total > MAX_SMALL_TOTAL {
            return Err(ScanError::TooLarge);
        }
        if key == stream_key {
            content = None;
        }
        insert(&mut params, &key, Value::String(value));
        if ended_by.is_none() {
            break;
        }
    }
    Ok((arrays_where_listed(params), content))
}

/// Parses a whole query string (small) into parameters.
pub fn parse_query(text: &str) -> Map<String, Value> {
    let mut params = Map::new();
    for pair in text.split('&').filter(|p| !p.is_empty()) {
        let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
        insert(
            &mut params,
            &percent_decode(key.as_bytes()),
            Value::String(percent_decode(value.as_bytes())),
        );
    }
    arrays_where_listed(params)
}

/// Bytes up to one of `stops` (consumed, returned) or the end (`None`).
fn read_until<R: BufRead>(
    input: &mut R,
    stops: &[u8],
    cap: usize,
) -> Result<(Vec<u8>, Option<u8>), ScanError> {
    let mut out = Vec::new();
    loop {
        let buf = input.fill_buf()?;
        if buf.is_empty() {
            return Ok((out, None));
        }
        match buf.iter().position(|b| stops.contains(b)) {
            Some(at) => {
                let stop = buf[at];
                out.extend_from_slice(&buf[..at]);
                input.consume(at + 1);
                return Ok((out, Some(stop)));
            }
            None => {
                let n = buf.len();
                out.extend_from_slice(buf);
                input.consume(n);
            }
        }
        if out.len() > cap {
            return Err(ScanError::TooLarge);
        }
    }
}

fn stream_value<R: BufRead, S: ContentSink>(
    input: &mut R,
    sink: &mut S,
) -> Result<Content, ScanError> {
    let first = input.fill_buf()?.first().copied();
    if matches!(first, None | Some(b'&')) {
        if first.is_some() {
            input.consume(1);
        }
        return Ok(Content::Empty);
    }
    let mut writer = sink.open()?;
    let mut value = ValueReader::new(input);
    let decoded = decode_stream(&mut value, &mut writer)?;
    if decoded.bytes == 0 {
        drop(writer);
        sink.discard();
        return Ok(Content::Invalid);
    }
    io::Write::flush(&mut writer)?;
    Ok(Content::Decoded(decoded))
}

/// One form value, percent-decoded, up to its `&`. Fills any buffer it is given, even
/// one or two bytes long: a reader that answers 0 early ends the value there.
struct ValueReader<'a, R> {
    input: &'a mut R,
    finished: bool,
    /// A `%` escape cut by the end of a buffer.
    percent: Vec<u8>,
    /// Decoded bytes that did not fit the caller's buffer.
    pending: VecDeque<u8>,
}

impl<R: BufRead> ValueReader<'_, R> {
    fn new(input: &mut R) -> ValueReader<'_, R> {
        ValueReader {
            input,
            finished: false,
            percent: Vec::new(),
            pending: VecDeque::new(),
        }
    }
}

impl<R: BufRead> Read for ValueReader<'_, R> {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        let mut written = 0;
        while written < out.len() {
            if let Some(byte) = self.pending.pop_front() {
                out[written] = byte;
                written += 1;
                continue;
            }
            if self.finished {
                if self.percent.is_empty() {
                    break;
                }
                // A `%` without two hex digits before the end stays as it is.
                self.pending.extend(self.percent.drain(..));
                continue;
            }
            let buf = self.input.fill_buf()?;
            if buf.is_empty() {
                self.finished = true;
                continue;
            }
            let mut used = 0;
            for &byte in buf {
                if written == out.len() || !self.pending.is_empty() {
                    break;
                }
                used += 1;
                if !self.percent.is_empty() {
                    if byte.is_ascii_hexdigit() {
                        self.percent.push(byte);
                        if self.percent.len() == 3 {
                            let escape = std::mem::take(&mut self.percent);
                            self.pending.extend(percent_decode_bytes(&escape));
                        }
                        continue;
                    }
                    self.pending.extend(self.percent.drain(..));
                    // The byte after a broken escape is read on its own, after it.
                    used -= 1;
                    break;
                }
                match byte {
                    b'&' => {
                        self.finished = true;
                        break;
                    }
                    b'%' => self.percent.push(byte),
                    b'+' => {
                        out[written] = b' ';
                        written += 1;
                    }
                    _ => {
                        out[written] = byte;
                        written += 1;
                    }
                }
            }
            self.input.consume(used);
        }
        Ok(written)
    }
}

/// `%XX` and `+` decoded; a `%` not followed by two hex digits stays as it is.
pub fn percent_decode(bytes: &[u8]) -> String {
    String::from_utf8_lossy(&percent_decode_bytes(bytes)).into_owned()
}

/// `percent_decode` without the UTF-8 step, for streamed values.
fn percent_decode_bytes(bytes: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = |at: usize| {
            bytes
                .get(at..at + 2)
                .and_then(|h| std::str::from_utf8(h).ok())
                .and_then(|h| u8::from_str_radix(h, 16).ok())
        };
        match bytes[i] {
            b'%' if hex(i + 1).is_some() => {
                out.push(hex(i + 1).expect("checked"));
                i += 3;
            }
            b'+' => {
                out.push(b' ');
                i += 1;
            }
            byte => {
                out.push(byte);
                i += 1;
            }
        }
    }
    out
}

/// Puts `value` where a PHP-style key (`A`, `A[B]`, `A[0][B]`, `A[]`) says.
pub fn insert(params: &mut Map<String, Value>, key: &str, value: Value) {
    let (base, mut path) = match key.find('[') {
        Some(open) if key[open..].contains(']') => (&key[..open], Vec::new()),
        _ => {
            if !key.is_empty() {
                params.insert(key.to_string(), value);
            }
            return;
        }
    };
    if base.is_empty() {
        return;
    }
    let mut rest = &key[base.len()..];
    while let Some(inner) = rest.strip_prefix('[') {
        let Some(close) = inner.find(']') else { break };
        path.push(&inner[..close]);
        rest = &inner[close + 1..];
    }
    let mut node = params
        .entry(base.to_string())
        .or_insert_with(|| Value::Object(Map::new()));
    for segment in path {
        if !node.is_object() {
            *node = Value::Object(Map::new());
        }
        let map = node.as_object_mut().expect("made an object above");
        let segment = if segment.is_empty() {
            let next = map
                .keys()
                .filter_map(|k| k.parse::<u64>().ok())
                .max()
                .map_or(0, |n| n + 1);
            next.to_string()
        } else {
            segment.to_string()
        };
        node = map
            .entry(segment)
            .or_insert_with(|| Value::Object(Map::new()));
    }
    *node = value;
}

/// Maps keyed 0, 1, 2... become arrays, as PHP's `json_encode` would show them.
pub fn arrays_where_listed(params: Map<String, Value>) -> Map<String, Value> {
    params.into_iter().map(|(k, v)| (k, listed(v))).collect()
}

fn listed(value: Value) -> Value {
    match value {
        Value::Object(map) => {
            let sequential = !map.is_empty()
                && map
                    .keys()
                    .enumerate()
                    .all(|(i, k)| k.parse::<usize>() == Ok(i));
            if sequential {
                Value::Array(map.into_iter().map(|(_, v)| listed(v)).collect())
            } else {
                Value::Object(arrays_where_listed(map))
            }
        }
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;
    use std::io::BufReader;

    struct Memory(std::rc::Rc<std::cell::RefCell<Vec<u8>>>);
    struct Shared(std::rc::Rc<std::cell::RefCell<Vec<u8>>>);
    impl io::Write for Shared {
        fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
            self.0.borrow_mut().extend_from_slice(buf);
            Ok(buf.len())
        }
        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }
    impl ContentSink for Memory {
        type Writer = Shared;
        fn open(&mut self) -> io::Result<Shared> {
            Ok(Shared(self.0.clone()))
        }
        fn discard(&mut self) {
            self.0.borrow_mut().clear();
        }
    }

    fn scan(text: &str, capacity: usize) -> (Map<String, Value>, Option<Content>, Vec<u8>) {
        let bytes = std::rc::Rc::new(std::cell::RefCell::new(Vec::new()));
        let mut input = BufReader::with_capacity(capacity, text.as_bytes());
        let (params, content) =
            scan_form(&mut input, "FILE_CONTENT", &mut Memory(bytes.clone())).unwrap();
        let out = bytes.borrow().clone();
        (params, content, out)
    }

    #[test]
    fn php_keys_give_the_json_tree() {
        let text = "CALL_ID=c%201&MESSAGES%5B0%5D%5BSIDE%5D=User&MESSAGES[0][START_TIME]=1\
                    &MESSAGES[1][SIDE]=Client&FILTER[%3E%3DCALL_DURATION]=5&L[]=a&L[]=b&E";
        for capacity in [1, 2, 5, 4096] {
            let (params, content, _) = scan(text, capacity);
            assert_eq!(content, None);
            assert_eq!(
                Value::Object(params),
                json!({
                    "CALL_ID": "c 1",
                    "MESSAGES": [{"SIDE": "User", "START_TIME": "1"}, {"SIDE": "Client"}],
                    "FILTER": {">=CALL_DURATION": "5"},
                    "L": ["a", "b"],
                    "E": "",
                })
            );
        }
    }

    #[test]
    fn file_content_is_streamed_at_any_buffer_size() {
        // "hello?" is aGVsbG8/ ; "hi>" is aGk+ (the + percent-encoded).
        for capacity in [1, 2, 3, 7, 4096] {
            let (params, content, bytes) = scan("A=1&FILE_CONTENT=aGVsbG8%2FaGk%2B&B=2", capacity);
            assert_eq!(bytes, b"hello?hi>");
            assert!(matches!(content, Some(Content::Decoded(_))));
            assert_eq!(params["A"], "1");
            assert_eq!(params["B"], "2");
        }
        let (_, content, _) = scan("FILE_CONTENT=&A=1", 4);
        assert_eq!(content, Some(Content::Empty));
        let (_, content, _) = scan("FILE_CONTENT=aGk+", 4);
        match content {
            Some(Content::Decoded(decoded)) => assert_eq!(decoded.oddities.spaces, 1),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn values_longer_than_the_decoders_buffer_are_whole() {
        use base64::Engine;
        // Past the decoder's 256 KiB read buffer, with `%2B` and `%2F` cut anywhere.
        let audio: Vec<u8> = (0..700_000u32).map(|i| (i * 7 % 251) as u8).collect();
        let text = base64::engine::general_purpose::STANDARD
            .encode(&audio)
            .replace('+', "%2B")
            .replace('/', "%2F");
        for capacity in [3, 4096, 65536] {
            let (params, content, bytes) = scan(&format!("FILE_CONTENT={text}&B=2"), capacity);
            assert!(matches!(content, Some(Content::Decoded(_))));
            assert_eq!(bytes.len(), audio.len());
            assert!(bytes == audio);
            assert_eq!(params["B"], "2");
        }
    }

    #[test]
    fn a_value_reader_fills_buffers_of_one_byte() {
        let mut input = BufReader::with_capacity(2, "a%41%zz%&b".as_bytes());
        let mut reader = ValueReader::new(&mut input);
        let mut got = Vec::new();
        let mut one = [0u8; 1];
        while reader.read(&mut one).unwrap() == 1 {
            got.push(one[0]);
        }
        assert_eq!(got, b"aA%zz%");
        assert_eq!(input.fill_buf().unwrap(), b"b");
    }

    #[test]
    fn queries_parse_the_same_way() {
        let params = parse_query("auth=a%2Fb&FILTER%5BCALL_ID%5D=x+y&empty");
        assert_eq!(params["auth"], "a/b");
        assert_eq!(params["FILTER"]["CALL_ID"], "x y");
        assert_eq!(params["empty"], "");
        assert_eq!(percent_decode(b"%zz%41"), "%zzA");
    }
}
