//! Base64 decoded the way PHP's `base64_decode()` (non-strict) decodes it, which is what a
//! portal does with FILE_CONTENT: characters outside the alphabet are skipped, padding
//! may be missing or anywhere, a lone final character is dropped. It never fails, so it
//! also notes what would silently corrupt a file.

use std::io::{self, Read, Write};

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;

/// What the decoding noticed that a portal would not tell its client.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct Oddities {
    /// A `data:...;base64,` prefix was decoded as if it were content.
    pub data_prefix: bool,
    /// Spaces: usually `+` turned into a space by form encoding done twice or not at all.
    pub spaces: u64,
    /// Other characters outside the alphabet and whitespace, skipped.
    pub skipped: u64,
    /// `=` before the end, followed by more content.
    pub inner_padding: bool,
    /// A lone last character, whose 6 bits PHP drops.
    pub dropped_tail: bool,
}

impl Oddities {
    /// Sentences for the log and for `--strict` refusals; empty when nothing is wrong.
    pub fn describe(&self) -> Vec<String> {
        let mut notes = Vec::new();
        if self.data_prefix {
            notes.push("FILE_CONTENT starts with a `data:` URL prefix, which a portal decodes as part of the file (send the Base64 alone)".to_string());
        }
        if self.spaces > 0 {
            notes.push(format!("FILE_CONTENT has {} space(s), which a portal skips; usually a `+` lost to form encoding, so the stored file is corrupt", self.spaces));
        }
        if self.skipped > 0 {
            notes.push(format!(
                "FILE_CONTENT has {} character(s) outside Base64, which a portal skips",
                self.skipped
            ));
        }
        if self.inner_padding {
            notes.push("FILE_CONTENT has `=` padding before its end (two encodings glued together?), which a portal skips".to_string());
        }
        if self.dropped_tail {
            notes.push("FILE_CONTENT's length leaves one character over, which a portal drops (truncated Base64?)".to_string());
        }
        notes
    }
}

/// The decoded size and what was odd about the text.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct Decoded {
    pub bytes: u64,
    pub oddities: Oddities,
}

fn sextet(byte: u8) -> Option<u8> {
    match byte {
        b'A'..=b'Z' => Some(byte - b'A'),
        b'a'..=b'z' => Some(byte - b'a' + 26),
        b'0'..=b'9' => Some(byte - b'0' + 52),
        b'+' => Some(62),
        b'/' => Some(63),
        _ => None,
    }
}

/// A streaming decoder: feed it text in pieces of any size.
#[derive(Default)]
pub struct Decoder {
    quad: u32,
    have: u8,
    seen_padding: bool,
    head: Vec<u8>,
    head_done: bool,
    out: Vec<u8>,
    result: Decoded,
}

impl Decoder {
    /// Decodes `text` into `sink`.
    pub fn feed(&mut self, text: &[u8], sink: &mut impl Write) -> io::Result<()> {
        if !self.head_done {
            self.head
                .extend(text.iter().take(64 - self.head.len().min(64)));
            if self.head.len() >= 5 {
                self.head_done = true;
                self.result.oddities.data_prefix = self.head.starts_with(b"data:");
            }
        }
        self.out.clear();
        let mut text = text;
        while !text.is_empty() {
            let run = self.bulk(text);
            text = &text[run..];
            let Some((&byte, rest)) = text.split_first() else {
                break;
            };
            text = rest;
            match sextet(byte) {
                Some(bits) => {
                    if self.seen_padding {
                        self.result.oddities.inner_padding = true;
                        self.seen_padding = false;
                    }
                    self.quad = (self.quad << 6) | u32::from(bits);
                    self.have += 1;
                    if self.have == 4 {
                        self.out.extend_from_slice(&self.quad.to_be_bytes()[1..]);
                        self.quad = 0;
                        self.have = 0;
                    }
                }
                None => match byte {
                    b'=' => self.seen_padding = true,
                    b'\n' | b'\r' | b'\t' => {}
                    b' ' => self.result.oddities.spaces += 1,
                    _ => self.result.oddities.skipped += 1,
                },
            }
        }
        self.result.bytes += self.out.len() as u64;
        sink.write_all(&self.out)
    }

    /// Decodes the longest run of whole quads of plain alphabet at `text`'s start with
    /// the base64 crate (fast); returns how much of `text` it used.
    fn bulk(&mut self, text: &[u8]) -> usize {
        if self.have != 0 || self.seen_padding {
            return 0;
        }
        let plain = text
            .iter()
            .position(|&b| sextet(b).is_none())
            .unwrap_or(text.len());
        let quads = plain - plain % 4;
        if quads == 0 {
            return 0;
        }
        let start = self.out.len();
        self.out.resize(start + quads / 4 * 3, 0);
        match STANDARD.decode_slice(&text[..quads], &mut self.out[start..]) {
            Ok(n) => {
                self.out.truncate(start + n);
                quads
            }
            Err(_) => {
                self.out.truncate(start);
                0
            }
        }
    }

    /// Writes what the last incomplete quad holds.
    pub fn finish(mut self, sink: &mut impl Write) -> io::Result<Decoded> {
        if !self.head_done {
            self.result.oddities.data_prefix = self.head.starts_with(b"data:");
        }
        let tail: Vec<u8> = match self.have {
            2 => vec![(self.quad >> 4) as u8],
            3 => {
                let bits = self.quad >> 2;
                vec![(bits >> 8) as u8, bits as u8]
            }
            1 => {
                self.result.oddities.dropped_tail = true;
                Vec::new()
            }
            _ => Vec::new(),
        };
        self.result.bytes += tail.len() as u64;
        sink.write_all(&tail)?;
        Ok(self.result)
    }
}

/// Decodes all of `text` into `out`, in large slices (readers such as the JSON string
/// reader hand out a few bytes at a time; each slice is one write).
pub fn decode_stream(text: &mut impl Read, out: &mut impl Write) -> io::Result<Decoded> {
    let mut decoder = Decoder::default();
    let mut buf = vec![0u8; 256 << 10];
    loop {
        let mut have = 0;
        let mut ended = false;
        while have < buf.len() {
            match text.read(&mut buf[have..]) {
                Ok(0) => {
                    ended = true;
                    break;
                }
                Ok(n) => have += n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Err(e),
            }
        }
        decoder.feed(&buf[..have], out)?;
        if ended {
            return decoder.finish(out);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn decode(text: &str) -> (Vec<u8>, Decoded) {
        let mut out = Vec::new();
        let decoded = decode_stream(&mut text.as_bytes(), &mut out).unwrap();
        (out, decoded)
    }

    #[test]
    fn decodes_as_php_does() {
        assert_eq!(decode("aGVsbG8=").0, b"hello");
        assert_eq!(decode("aGVsbG8").0, b"hello");
        assert_eq!(decode("aGVs\nbG8=\n").0, b"hello");
        assert_eq!(decode("aGVs\r\nbG8").1.oddities, Oddities::default());
        assert_eq!(decode("aGVsbA==").0, b"hell");
        assert_eq!(decode("aGVsbA").0, b"hell");
    }

    #[test]
    fn notes_what_would_corrupt_a_file() {
        let (_, d) = decode("data:audio/mpeg;base64,aGVsbG8=");
        assert!(d.oddities.data_prefix);
        assert!(d.oddities.skipped > 0);
        let (out, d) = decode("aGVs bG8=");
        assert_eq!(d.oddities.spaces, 1);
        assert!(out.starts_with(b"hel"));
        assert!(decode("aGVsbA==aGVsbA==").1.oddities.inner_padding);
        assert!(decode("aGVsb").1.oddities.dropped_tail);
        assert!(decode("aGVsbG8=").1.oddities.describe().is_empty());
    }

    #[test]
    fn any_split_gives_the_same_bytes() {
        let text = b"TWFueSBoYW5kcyBtYWtlIGxpZ2h0IHdvcmsu\nIGFiYw";
        let whole = decode(std::str::from_utf8(text).unwrap()).0;
        for size in 1..8 {
            let mut decoder = Decoder::default();
            let mut out = Vec::new();
            for piece in text.chunks(size) {
                decoder.feed(piece, &mut out).unwrap();
            }
            decoder.finish(&mut out).unwrap();
            assert_eq!(out, whole);
        }
    }
}
