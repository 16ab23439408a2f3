//! SubRip (`.srt`): numbered cues, `HH:MM:SS,mmm --> HH:MM:SS,mmm`, text lines.
//! The speaker comes from a `Label:` prefix; styling tags are dropped.

use super::collect::Collector;
use super::subtitle::{self, Rules};
use super::text;

pub fn parse(text: &str, collector: &mut Collector) {
    let lines: Vec<&str> = text.split('\n').collect();
    let rules = Rules {
        skip_block: |_| false,
        ends_cue: text::is_blank,
        clean: |line, _| text::decode_entities(&text::strip_srt_markup(line)).into_owned(),
    };
    subtitle::read(&lines, 0, collector, &rules);
}

#[cfg(test)]
mod tests {
    use super::super::tests::{msg, read_err, read_ok};
    use super::super::{Format, Side};

    #[test]
    fn cues_with_index_labels_markup_and_multiline_text() {
        let srt =
            "1\n00:00:01,000 --> 00:00:03,500\nUser: <i>Good afternoon,</i>\nhow can I help?\n\n\
                   2\n00:00:04,000 --> 00:00:07,250\nClient: Hello.\n";
        let t = read_ok("call.srt", srt, Format::Srt, &[], None);
        assert_eq!(
            t.messages,
            vec![
                msg(Side::User, 1, 4, "Good afternoon, how can I help?"),
                msg(Side::Client, 4, 8, "Hello."),
            ]
        );
        assert!(t.notes.is_empty());
    }

    #[test]
    fn missing_index_dot_separator_and_lost_blank_lines() {
        let srt = "00:00:01.000 --> 00:00:02.000\nUser: one\n2\n00:00:02,000 --> 00:00:03,000 X1:10 X2:20\nClient: two\n00:00:03,000 --> 00:00:04,000\nUser: three";
        let t = read_ok("call.srt", srt, Format::Srt, &[], None);
        assert_eq!(
            t.messages,
            vec![
                msg(Side::User, 1, 2, "one"),
                msg(Side::Client, 2, 3, "two"),
                msg(Side::User, 3, 4, "three"),
            ]
        );
    }

    #[test]
    fn empty_cues_are_skipped_with_a_note() {
        let srt = "1\n00:00:01,000 --> 00:00:02,000\n\n2\n00:00:02,000 --> 00:00:03,000\n<i> </i>\n\n3\n00:00:03,000 --> 00:00:04,000\nhi\n";
        let t = read_ok("call.srt", srt, Format::Srt, &[], Some(Side::Client));
        assert_eq!(t.messages, vec![msg(Side::Client, 3, 4, "hi")]);
        assert_eq!(t.notes, vec!["call.srt: 2 empty cues skipped"]);
    }

    #[test]
    fn structural_problems_have_lines() {
        let srt = "1\n00:00:01,000 -> 00:00:02,000\nUser: a\n\nstray text\nmore\n\n3\n00:00:05,000 --> 00:00:04,000\nUser: b\n";
        let problems = read_err("call.srt", srt, Format::Srt, &[], None);
        assert_eq!(
            problems,
            vec![
                "call.srt:1: expected a cue (a timing line like `00:00:01,000 --> 00:00:04,000`), found `1`",
                "call.srt:5: expected a cue (a timing line like `00:00:01,000 --> 00:00:04,000`), found `stray text`",
                "call.srt:9: STOP_TIME (4 s) is before START_TIME (5 s)",
            ]
        );
        let problems = read_err(
            "x.srt",
            "00:00:01,000 --> 00:61:00,000\nhi\n",
            Format::Srt,
            &[],
            None,
        );
        assert_eq!(
            problems,
            vec!["x.srt:1: bad timing line `00:00:01,000 --> 00:61:00,000`: expected `00:00:01,000 --> 00:00:04,000` (hours:minutes:seconds,milliseconds; minutes and seconds below 60)"]
        );
    }
}
