//! `GET /` and `/calls/ID`: a small read-only web page of the calls, like a Bitrix24
//! call card: the call's data, an audio player for its record, the transcript as a
//! dialogue of User and Client. `/calls/ID/record` serves the stored bytes.

use std::io::{Seek, SeekFrom};

use bytes::Bytes;
use http_body_util::{BodyExt, StreamBody};
use hyper::body::Frame;
use hyper::header::{
    HeaderName, HeaderValue, ACCEPT_RANGES, CONTENT_LENGTH, CONTENT_RANGE, CONTENT_TYPE, RANGE,
};
use hyper::{HeaderMap, Response, StatusCode};
use serde_json::Value;

use super::answer::{full, portal_date, Answer, Body};
use super::app::App;
use super::state::Call;

/// The page for `path`, or `None` when the path is not the page's.
pub fn serve(app: &App, path: &str, headers: &HeaderMap) -> Option<Answer> {
    if path == "/" {
        return Some(html(StatusCode::OK, &list(app)));
    }
    let rest = path.strip_prefix("/calls/")?;
    let (call_id, record) = match rest.strip_suffix("/record") {
        Some(id) => (id, true),
        None => (rest.trim_end_matches('/'), false),
    };
    let call_id = super::form::percent_decode(call_id.as_bytes());
    let state = app.state();
    let Some(call) = state.call(&call_id).cloned() else {
        return Some(html(
            StatusCode::NOT_FOUND,
            &page("Call not found", "<p>No such call.</p>"),
        ));
    };
    if record {
        let path = call
            .record_file_id
            .and_then(|id| state.record_path(id))
            .map(std::path::Path::to_path_buf);
        drop(state);
        return Some(record_answer(path, headers));
    }
    let data_dir = state.data_dir.clone();
    drop(state);
    Some(html(StatusCode::OK, &card(&call, &data_dir)))
}

/// The stored record, streamed from its file; a `Range` gets the part asked for, so a
/// browser's player can seek and read a long record from the middle.
fn record_answer(path: Option<std::path::PathBuf>, headers: &HeaderMap) -> Answer {
    let gone = || {
        html(
            StatusCode::NOT_FOUND,
            &page("No record", "<p>The record file is gone.</p>"),
        )
    };
    let Some(path) = path else {
        return html(
            StatusCode::NOT_FOUND,
            &page("No record", "<p>This call has no record.</p>"),
        );
    };
    let Ok(mut file) = std::fs::File::open(&path) else {
        return gone();
    };
    let Ok(len) = file.metadata().map(|m| m.len()) else {
        return gone();
    };
    let range = headers
        .get(RANGE)
        .and_then(|v| v.to_str().ok())
        .map(|v| byte_range(v, len));
    let (status, start, end) = match range {
        None | Some(Range::Ignored) => (StatusCode::OK, 0, len),
        Some(Range::Part(start, end)) => (StatusCode::PARTIAL_CONTENT, start, end),
        Some(Range::Unsatisfiable) => {
            let mut answer = Response::new(full(Bytes::new()));
            *answer.status_mut() = StatusCode::RANGE_NOT_SATISFIABLE;
            insert(&mut answer, CONTENT_RANGE, &format!("bytes */{len}"));
            return answer;
        }
    };
    if file.seek(SeekFrom::Start(start)).is_err() {
        return gone();
    }
    let mut answer = Response::new(file_body(tokio::fs::File::from_std(file), end - start));
    *answer.status_mut() = status;
    insert(&mut answer, CONTENT_TYPE, audio_mime(&path));
    insert(&mut answer, ACCEPT_RANGES, "bytes");
    insert(&mut answer, CONTENT_LENGTH, &(end - start).to_string());
    if status == StatusCode::PARTIAL_CONTENT {
        insert(
            &mut answer,
            CONTENT_RANGE,
            &format!("bytes {start}-{}/{len}", end - 1),
        );
    }
    answer
}

fn insert(answer: &mut Answer, name: HeaderName, value: &str) {
    if let Ok(value) = HeaderValue::from_str(value) {
        answer.headers_mut().insert(name, value);
    }
}

fn audio_mime(path: &std::path::Path) -> &'static str {
    match path.extension().and_then(|e| e.to_str()) {
        Some(e) if e.eq_ignore_ascii_case("wav") => "audio/wav",
        _ => "audio/mpeg",
    }
}

/// `len` bytes of `file` from where it stands, in chunks, never all in memory.
fn file_body(file: tokio::fs::File, len: u64) -> Body {
    use tokio::io::AsyncReadExt;
    const CHUNK: u64 = 64 << 10;
    let chunks = futures_util::stream::unfold((file, len), |(mut file, left)| async move {
        if left == 0 {
            return None;
        }
        let mut buf = vec![0u8; left.min(CHUNK) as usize];
        match file.read(&mut buf).await {
            // The file shrank under us: end the body short rather than hang.
            Ok(0) => None,
            Ok(n) => {
                buf.truncate(n);
                Some((Ok(Frame::data(Bytes::from(buf))), (file, left - n as u64)))
            }
            Err(error) => Some((Err(error), (file, 0))),
        }
    });
    StreamBody::new(chunks).boxed()
}

#[derive(Debug, PartialEq)]
enum Range {
    /// Served whole: not a single byte range we read (several ranges, other units).
    Ignored,
    /// `[start, end)`.
    Part(u64, u64),
    Unsatisfiable,
}

/// One `bytes=` range of RFC 9110: `S-E`, `S-` or `-SUFFIX`.
fn byte_range(header: &str, len: u64) -> Range {
    let Some(spec) = header.trim().strip_prefix("bytes=") else {
        return Range::Ignored;
    };
    if spec.contains(',') {
        return Range::Ignored;
    }
    let Some((first, last)) = spec.trim().split_once('-') else {
        return Range::Ignored;
    };
    let number = |text: &str| text.trim().parse::<u64>().ok();
    match (first.trim().is_empty(), number(first), number(last)) {
        (true, _, Some(0)) => Range::Unsatisfiable,
        (true, _, Some(suffix)) if len > 0 => Range::Part(len.saturating_sub(suffix), len),
        (false, Some(start), _) if start >= len => Range::Unsatisfiable,
        (false, Some(start), None) if last.trim().is_empty() => Range::Part(start, len),
        (false, Some(start), Some(end)) if end >= start => Range::Part(start, (end + 1).min(len)),
        (true, _, Some(_)) => Range::Unsatisfiable,
        _ => Range::Ignored,
    }
}

fn list(app: &App) -> String {
    let state = app.state();
    let mut rows = String::new();
    for call in state.all_calls() {
        let id = escape(&call.call_id);
        rows.push_str(&format!(
            "<tr><td><a href=\"/calls/{}\">{id}</a></td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>\n",
            url_path(&call.call_id),
            escape(&call.phone_number),
            portal_date(call.started),
            call.duration.map_or("in progress".to_string(), |d| format!("{d} s")),
            if call.record_file_id.is_some() { "yes" } else { "" },
            if call.transcript_id.is_some() { "yes" } else { "" },
        ));
    }
    if rows.is_empty() {
        rows = "<tr><td colspan=\"6\">No calls yet.</td></tr>".into();
    }
    page(
        "Calls",
        &format!(
            "<table><thead><tr><th>Call</th><th>Phone</th><th>Started</th><th>Duration</th>\
             <th>Record</th><th>Transcript</th></tr></thead><tbody>\n{rows}</tbody></table>"
        ),
    )
}

/// Says under the player whether this browser can play the record, and how long it is:
/// a record the portal's own player could not play shows here too.
const RECORD_STATE: &str = "<p id=\"record-state\">Loading the record…</p><script>\
(() => {\
const audio = document.getElementById('record'), state = document.getElementById('record-state');\
const known = () => { state.textContent = 'Length ' + audio.duration.toFixed(1) + ' s'; };\
audio.addEventListener('loadedmetadata', known);\
audio.addEventListener('error', () => { state.textContent = 'This browser cannot play the record.'; });\
if (audio.readyState >= 1) known();\
})();\
</script>";

fn card(call: &Call, data_dir: &std::path::Path) -> String {
    let mut body = format!(
        "<p><a href=\"/\">All calls</a></p><dl>\
         <dt>Call</dt><dd id=\"call-id\">{}</dd><dt>Phone</dt><dd>{}</dd>\
         <dt>Type</dt><dd>{}</dd><dt>Started</dt><dd>{}</dd><dt>Duration</dt><dd>{}</dd></dl>",
        escape(&call.call_id),
        escape(&call.phone_number),
        call.call_type,
        portal_date(call.started),
        call.duration
            .map_or("in progress".to_string(), |d| format!("{d} s")),
    );
    if call.record_file_id.is_some() {
        body.push_str(&format!(
            "<h2>Record</h2><audio id=\"record\" controls preload=\"metadata\" src=\"/calls/{}/record\"></audio>{RECORD_STATE}",
            url_path(&call.call_id)
        ));
    }
    if let Some(id) = call.transcript_id {
        let messages = std::fs::read(data_dir.join("transcripts").join(format!("{id}.json")))
            .ok()
            .and_then(|text| serde_json::from_slice::<Value>(&text).ok())
            .map(|doc| doc["MESSAGES"].clone())
            .unwrap_or(Value::Null);
        let list: Vec<&Value> = match &messages {
            Value::Array(list) => list.iter().collect(),
            Value::Object(map) => map.values().collect(),
            _ => Vec::new(),
        };
        body.push_str("<h2>Transcript</h2><ol id=\"transcript\">");
        for message in list {
            let text = |key: &str| match &message[key] {
                Value::String(s) => s.clone(),
                Value::Null => String::new(),
                other => other.to_string(),
            };
            let side = text("SIDE");
            body.push_str(&format!(
                "<li class=\"message {}\"><span class=\"side\">{}</span> <span class=\"time\">{}–{} s</span><p>{}</p></li>",
                if side == "User" { "user" } else { "client" },
                escape(&side),
                escape(&text("START_TIME")),
                escape(&text("STOP_TIME")),
                escape(&text("MESSAGE")),
            ));
        }
        body.push_str("</ol>");
    }
    page(&call.call_id, &body)
}

fn page(title: &str, body: &str) -> String {
    format!(
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>{} — b24tel sandbox</title>\
         <style>body{{font-family:sans-serif;margin:2em;max-width:60em}}td,th{{padding:.2em .6em;text-align:left}}\
         dt{{font-weight:bold}}.message{{list-style:none;margin:.5em 0;padding:.5em;border-radius:.5em;max-width:70%}}\
         .user{{background:#e3f0ff}}.client{{background:#eee;margin-left:30%}}.side{{font-weight:bold}}.time{{color:#666}}</style>\
         </head><body><h1>{}</h1>\n{body}\n</body></html>\n",
        escape(title),
        escape(title)
    )
}

fn html(status: StatusCode, text: &str) -> Answer {
    let mut answer = Response::new(full(text.to_string()));
    *answer.status_mut() = status;
    answer.headers_mut().insert(
        CONTENT_TYPE,
        HeaderValue::from_static("text/html; charset=utf-8"),
    );
    answer
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

fn url_path(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_is_escaped() {
        assert_eq!(
            escape("<a href=\"x\">&</a>"),
            "&lt;a href=&quot;x&quot;&gt;&amp;&lt;/a&gt;"
        );
        assert_eq!(url_path("externalCall.a b"), "externalCall.a%20b");
    }
}
