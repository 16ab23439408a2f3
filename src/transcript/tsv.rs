//! whisper / whisperX / whisper-timestamped `.tsv`: a header `start<TAB>end<TAB>text`, then
//! one segment a line with times in **integer milliseconds** (whisper's `WriteTSV`
//! writes `round(1000 * seconds)`, and replaces tabs in the text with spaces).
//! stable-ts's `to_tsv` writes the same rows with no header and a blank line between them.

use super::collect::{snippet, Collector, Draft, Loc, SideInput};
use super::time::Time;

/// Whether a line is a headerless row, `MS<TAB>MS<TAB>text`, as stable-ts writes.
fn is_row(line: &str) -> bool {
    let mut cells = line.trim().splitn(3, '\t');
    cells
        .next()
        .is_some_and(|c| c.trim().parse::<u64>().is_ok())
        && cells
            .next()
            .is_some_and(|c| c.trim().parse::<u64>().is_ok())
}

/// Whether the first line is whisper's TSV header.
pub fn is_header(line: &str) -> bool {
    let cells: Vec<&str> = line.trim().split('\t').map(str::trim).collect();
    cells.len() >= 3
        && cells
            .iter()
            .zip(["start", "end", "text"])
            .all(|(cell, want)| cell.eq_ignore_ascii_case(want))
}

pub fn parse(text: &str, collector: &mut Collector) {
    let mut lines = text.split('\n').enumerate().peekable();
    while lines.next_if(|(_, line)| line.trim().is_empty()).is_some() {}
    match lines.peek() {
        Some((_, line)) if is_header(line) => {
            lines.next();
        }
        Some((_, line)) if is_row(line) => {}
        Some(&(index, line)) => {
            collector.problem(
                Loc::Line(index + 1),
                format!(
                    "expected whisper's TSV header `start<TAB>end<TAB>text`, found `{}`",
                    snippet(line.trim())
                ),
            );
            return;
        }
        None => return,
    }
    for (index, line) in lines {
        if line.trim().is_empty() {
            continue;
        }
        let loc = Loc::Line(index + 1);
        let mut cells = line.splitn(3, '\t');
        let (Some(start), Some(end)) = (cells.next(), cells.next()) else {
            collector.problem(
                loc,
                format!(
                    "expected `START<TAB>END<TAB>TEXT` (milliseconds), found `{}`",
                    snippet(line.trim())
                ),
            );
            continue;
        };
        let text = cells.next().unwrap_or("").trim();
        if text.is_empty() {
            collector.skip_empty(loc);
            continue;
        }
        let draft = Draft {
            side: SideInput::Missing,
            start: millis(start, "start"),
            stop: millis(end, "end"),
            text: Ok(text.to_string()),
        };
        collector.cue(loc, draft);
    }
}

fn millis(cell: &str, field: &str) -> Result<Time, String> {
    let cell = cell.trim();
    match cell.parse::<u64>() {
        Ok(ms) => Ok(Time::from_millis(ms)),
        Err(_) => Err(format!(
            "{field} `{}` is not a whole number of milliseconds (whisper's .tsv writes \
             integer ms; for seconds use a .csv with side,start,stop,message)",
            snippet(cell)
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::super::tests::{msg, read_err, read_ok};
    use super::super::{Format, Side};

    #[test]
    fn milliseconds_not_seconds() {
        let tsv = "start\tend\ttext\n0\t2480\tДобрый день.\n2480\t2480\tАга.\n3100\t3100\t\n60000\t61250\tBye\n";
        let t = read_ok("call.tsv", tsv, Format::Auto, &[], Some(Side::User));
        assert_eq!(
            t.messages,
            vec![
                msg(Side::User, 0, 3, "Добрый день."),
                msg(Side::User, 2, 3, "Ага."),
                msg(Side::User, 60, 62, "Bye"),
            ]
        );
        assert_eq!(
            t.notes,
            vec![
                "call.tsv: 1 empty segment skipped",
                "call.tsv: 1 zero-length segment widened to 1 s"
            ]
        );
        assert_eq!(
            t.details,
            vec![
                "call.tsv:3: zero-length segment widened to 1 s",
                "call.tsv:4: empty segment skipped"
            ]
        );
        let problems = read_err(
            "-",
            "start\tend\ttext\n0.5\t1\thi\n",
            Format::Auto,
            &[],
            Some(Side::User),
        );
        assert_eq!(problems.len(), 1, "{problems:?}");
        assert!(
            problems[0].starts_with("stdin:2: start `0.5` is not a whole number of milliseconds"),
            "{problems:?}"
        );
    }

    #[test]
    fn stable_ts_rows_need_no_header() {
        let tsv = "0\t2480\tДобрый день.\n\n2900\t5120\tДа.";
        let t = read_ok("call.tsv", tsv, Format::Auto, &[], Some(Side::User));
        assert_eq!(
            t.messages,
            vec![
                msg(Side::User, 0, 3, "Добрый день."),
                msg(Side::User, 2, 6, "Да."),
            ]
        );
        let problems = read_err(
            "call.tsv",
            "0.0\t2.48\thi\n",
            Format::Auto,
            &[],
            Some(Side::User),
        );
        assert!(
            problems[0].starts_with("call.tsv:1: expected whisper's TSV header"),
            "{problems:?}"
        );
    }
}
