//! WebVTT (`.vtt`): a `WEBVTT` header, then cues with optional identifiers and
//! settings after the timing; NOTE, STYLE and REGION blocks are skipped. The speaker
//! comes from a `<v Label>` voice tag, else a `Label:` prefix.

use super::collect::{Collector, Loc};
use super::subtitle::{self, Rules};
use super::text;

pub fn parse(text: &str, collector: &mut Collector) {
    let lines: Vec<&str> = text.split('\n').collect();
    let first = lines.first().copied().unwrap_or("");
    let header_ok = first
        .strip_prefix("WEBVTT")
        .is_some_and(|rest| rest.is_empty() || rest.starts_with([' ', '\t']));
    if !header_ok {
        collector.problem(
            Loc::Line(1),
            "not a WebVTT file: the first line must be `WEBVTT`",
        );
        return;
    }
    // The header block runs to the first blank line (a timing line also ends it).
    let mut from = 1;
    while lines
        .get(from)
        .is_some_and(|line| !text::is_blank(line) && !line.contains("-->"))
    {
        from += 1;
    }
    let rules = Rules {
        skip_block: is_skipped_block,
        ends_cue: str::is_empty,
        clean: |line, voice| text::strip_vtt_markup(line, voice),
    };
    subtitle::read(&lines, from, collector, &rules);
}

fn is_skipped_block(line: &str) -> bool {
    ["NOTE", "STYLE", "REGION"].iter().any(|keyword| {
        line.strip_prefix(keyword)
            .is_some_and(|rest| rest.is_empty() || rest.starts_with([' ', '\t']))
    })
}

#[cfg(test)]
mod tests {
    use super::super::tests::{msg, read_err, read_ok};
    use super::super::{Format, Side};

    const SAMPLE: &str = "WEBVTT - call 42\nKind: captions\n\nNOTE this is\na comment\n\nSTYLE\n::cue { color: red }\n\nREGION\nid:left\n\n\
        intro\n00:01.000 --> 00:04.000 align:start position:10%\n<v Roger>Hi &amp; welcome,\n<i>caller</i></v>\n\n\
        00:00:04.500 --> 00:00:06.000\n<v.loud Mary>Thanks <00:00:05.000><c.yellow>a lot</c>\n\n\
        00:06.000 --> 00:07.000\nUser: &lt;ok&gt;&nbsp;\n\n\
        00:07.000 --> 00:08.000\n<b></b>\n";

    #[test]
    fn notes_styles_settings_and_voices() {
        let t = read_ok(
            "call.vtt",
            SAMPLE,
            Format::Vtt,
            &[("roger", Side::User), ("MARY", Side::Client)],
            None,
        );
        assert_eq!(
            t.messages,
            vec![
                msg(Side::User, 1, 4, "Hi & welcome, caller"),
                msg(Side::Client, 4, 6, "Thanks a lot"),
                msg(Side::User, 6, 7, "<ok>"),
            ]
        );
        assert_eq!(t.notes, vec!["call.vtt: 1 empty cue skipped"]);
    }

    #[test]
    fn unmapped_voices_are_one_problem_with_the_fix() {
        let problems = read_err("call.vtt", SAMPLE, Format::Vtt, &[], None);
        assert_eq!(
            problems,
            vec![
                "call.vtt:14: speaker labels without a side: Mary, Roger; \
                  map them with --speaker Mary=User --speaker Roger=Client"
            ]
        );
    }

    #[test]
    fn header_is_required() {
        let problems = read_err(
            "x.vtt",
            "00:01.000 --> 00:02.000\nhi\n",
            Format::Vtt,
            &[],
            None,
        );
        assert_eq!(
            problems,
            vec!["x.vtt:1: not a WebVTT file: the first line must be `WEBVTT`"]
        );
        let t = read_ok(
            "x.vtt",
            "WEBVTT\n00:01.000 --> 00:02.000\nhi\n",
            Format::Vtt,
            &[],
            Some(Side::User),
        );
        assert_eq!(t.messages, vec![msg(Side::User, 1, 2, "hi")]);
    }
}
