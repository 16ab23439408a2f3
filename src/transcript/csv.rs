//! CSV with a header row naming `side`, `start`, `stop`, `message` (any order and
//! case; the API's names and `speaker`/`end`/`text` also work; other columns are
//! ignored). The delimiter is `,`, or `;`/tab when the header uses that instead.

use ::csv::{ReaderBuilder, StringRecord};

use super::collect::{Collector, Draft, Loc, SideInput};
use super::json::{time_text, MESSAGE_KEYS, SIDE_KEYS, START_KEYS, STOP_KEYS};

/// Whether a first line looks like a header this parser understands: it names at
/// least two of the columns (a valid file needs three or four).
pub fn looks_like_header(line: &str) -> bool {
    let mut named = [false; 4];
    for cell in line.split([',', ';', '\t']) {
        if let Some(column) = column_of(cell.trim().trim_matches('"').trim()) {
            named[column as usize] = true;
        }
    }
    named.iter().filter(|&&n| n).count() >= 2
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Column {
    Side,
    Start,
    Stop,
    Message,
}

fn column_of(name: &str) -> Option<Column> {
    let is = |names: &[&str]| names.iter().any(|n| name.eq_ignore_ascii_case(n));
    if is(SIDE_KEYS) {
        Some(Column::Side)
    } else if is(START_KEYS) {
        Some(Column::Start)
    } else if is(STOP_KEYS) {
        Some(Column::Stop)
    } else if is(MESSAGE_KEYS) {
        Some(Column::Message)
    } else {
        None
    }
}

fn delimiter(text: &str) -> u8 {
    let header = text
        .lines()
        .find(|line| !line.trim().is_empty())
        .unwrap_or("");
    [b',', b';', b'\t']
        .into_iter()
        .find(|&d| header.as_bytes().contains(&d))
        .unwrap_or(b',')
}

/// `side_optional`: a default side is set, so a file without a side column is fine.
pub fn parse(text: &str, collector: &mut Collector, side_optional: bool) {
    let separator = delimiter(text);
    // Excel in ru-RU (and most of Europe) writes `;` between cells and `1,5` for 1.5.
    let decimal_comma = separator != b',';
    let mut reader = ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(separator)
        .from_reader(text.as_bytes());
    let mut record = StringRecord::new();
    let header_line = match reader.read_record(&mut record) {
        Ok(true) => line_of(&record),
        Ok(false) => return,
        Err(error) => {
            collector.problem(
                Loc::Line(error_line(&error)),
                format!("invalid CSV: {error}"),
            );
            return;
        }
    };
    let headerless = is_whisper_timestamped_row(&record);
    let [side, start, stop, message] = if headerless {
        [None, Some(1), Some(2), Some(0)]
    } else {
        header_columns(&record)
    };
    if headerless && !side_optional {
        collector.problem(
            Loc::Line(header_line),
            "this looks like whisper-timestamped's .csv (text,start,end with no header), which has no \
             speakers; say whose words they are with --default-side User or --default-side \
             Client"
                .to_string(),
        );
        return;
    }
    let mut missing = Vec::new();
    if side.is_none() && !side_optional {
        missing.push("side");
    }
    for (found, name) in [(start, "start"), (stop, "stop"), (message, "message")] {
        if found.is_none() {
            missing.push(name);
        }
    }
    if !missing.is_empty() {
        let found: Vec<&str> = record.iter().map(str::trim).collect();
        collector.problem(
            Loc::Line(header_line),
            format!(
                "missing column{} {}: the header row must name side, start, stop and message \
                 (found: {})",
                if missing.len() == 1 { "" } else { "s" },
                missing.join(", "),
                super::collect::snippet(&found.join(", "))
            ),
        );
        return;
    }
    // Without a header the first record is already a row.
    let mut have_row = headerless;
    loop {
        if !have_row {
            match reader.read_record(&mut record) {
                Ok(true) => {}
                Ok(false) => break,
                Err(error) => {
                    collector.problem(
                        Loc::Line(error_line(&error)),
                        format!("invalid CSV: {error}"),
                    );
                    break;
                }
            }
        }
        have_row = false;
        if record.iter().all(|field| field.trim().is_empty()) {
            continue;
        }
        let cell = |column: Option<usize>| column.and_then(|index| record.get(index));
        let side = match cell(side).map(str::trim) {
            None | Some("") => SideInput::Missing,
            Some(label) => SideInput::Label(label.to_string()),
        };
        let time = |column, field: &str| match cell(column) {
            Some(text) if decimal_comma && text.contains(',') && !text.contains(':') => {
                time_text(&text.replace(',', "."), field)
            }
            Some(text) => time_text(text, field),
            None => Err(format!("missing {field} (the row is short)")),
        };
        let draft = Draft {
            side,
            start: time(start, "START_TIME"),
            stop: time(stop, "STOP_TIME"),
            text: cell(message)
                .map(str::to_string)
                .ok_or_else(|| "missing MESSAGE (the row is short)".to_string()),
        };
        collector.cue(Loc::Line(line_of(&record)), draft);
    }
}

/// Where the header puts each of side, start, stop and message (the first of each).
fn header_columns(record: &StringRecord) -> [Option<usize>; 4] {
    let mut columns = [None; 4];
    for (index, name) in record.iter().enumerate() {
        if let Some(column) = column_of(name.trim()) {
            columns[column as usize].get_or_insert(index);
        }
    }
    columns
}

/// whisper-timestamped's CLI writes `.csv` as `"text",START,END` in seconds, with no
/// header: three cells, the last two numbers, and no column name among them.
fn is_whisper_timestamped_row(record: &StringRecord) -> bool {
    let number = |i: usize| {
        record
            .get(i)
            .is_some_and(|cell| cell.trim().parse::<f64>().is_ok_and(f64::is_finite))
    };
    record.len() == 3
        && number(1)
        && number(2)
        && column_of(record.get(0).unwrap_or("").trim()).is_none()
}

fn line_of(record: &StringRecord) -> usize {
    let line = record.position().map_or(1, |position| position.line());
    usize::try_from(line).unwrap_or(usize::MAX)
}

fn error_line(error: &::csv::Error) -> usize {
    let line = error.position().map_or(1, |position| position.line());
    usize::try_from(line).unwrap_or(usize::MAX).max(1)
}

#[cfg(test)]
mod tests {
    use super::super::tests::{msg, read_err, read_ok};
    use super::super::{Format, Side};

    #[test]
    fn reordered_columns_quotes_and_extras() {
        let csv = "Message,STOP_TIME,notes,Start,side\r\n\
                   \"Hello, this is Anna\",3.2,x,0,User\r\n\
                   \"Line one\r\nline two, \"\"quoted\"\"\",7,,4.9,client\r\n\
                   ,,,,\r\n\
                   Bye,9,,8,User\r\n";
        let t = read_ok("dir/call.csv", csv, Format::Csv, &[], None);
        assert_eq!(
            t.messages,
            vec![
                msg(Side::User, 0, 4, "Hello, this is Anna"),
                msg(Side::Client, 4, 7, "Line one\nline two, \"quoted\""),
                msg(Side::User, 8, 9, "Bye"),
            ]
        );
    }

    #[test]
    fn rows_are_placed_at_the_line_they_start_on() {
        let csv = "side,start,stop,message\n\
                   User,0,2,\"multi\nline\"\n\
                   Robot,1,0,\n\
                   User,x\n";
        assert_eq!(
            read_err("call.csv", csv, Format::Csv, &[], None),
            vec![
                "call.csv:4: speaker labels without a side: Robot; map them with --speaker Robot=User",
                "call.csv:4: STOP_TIME must be at least 1 second (this row ends at 0)",
                "call.csv:4: MESSAGE is empty",
                "call.csv:5: START_TIME `x` is not a number of seconds",
                "call.csv:5: missing STOP_TIME (the row is short)",
                "call.csv:5: missing MESSAGE (the row is short)",
            ]
        );
    }

    #[test]
    fn semicolons_and_decimal_commas_as_excel_writes_them() {
        let csv = "side;start;stop;message\r\nUser;0,5;2,25;Добрый день\r\nClient;2,5;4;\"Да; слушаю\"\r\n";
        let t = read_ok("call.csv", csv, Format::Csv, &[], None);
        assert_eq!(
            t.messages,
            vec![
                msg(Side::User, 0, 3, "Добрый день"),
                msg(Side::Client, 2, 4, "Да; слушаю"),
            ]
        );
    }

    #[test]
    fn missing_columns_are_one_problem_on_the_header() {
        assert_eq!(
            read_err("call.csv", "who,start,message\nUser,1,hi\n", Format::Csv, &[], None),
            vec!["call.csv:1: missing columns side, stop: the header row must name side, start, stop and message (found: who, start, message)"]
        );
        let t = read_ok(
            "call.csv",
            "start;end;text\n1;2;hi\n",
            Format::Csv,
            &[],
            Some(Side::Client),
        );
        assert_eq!(t.messages, vec![msg(Side::Client, 1, 2, "hi")]);
    }

    #[test]
    fn whisper_timestamped_rows_need_no_header_but_a_side() {
        let csv = "\"Hello, this is Anna.\",0.0,2.48\n\"Bye.\",3.5,5.0\n";
        let t = read_ok("call.csv", csv, Format::Csv, &[], Some(Side::User));
        assert_eq!(
            t.messages,
            vec![
                msg(Side::User, 0, 3, "Hello, this is Anna."),
                msg(Side::User, 3, 5, "Bye."),
            ]
        );
        assert_eq!(
            read_err("call.csv", csv, Format::Csv, &[], None),
            vec!["call.csv:1: this looks like whisper-timestamped's .csv (text,start,end with no header), which has no speakers; say whose words they are with --default-side User or --default-side Client"]
        );
        // A header of three names is still a header, and a row of text is no layout.
        assert_eq!(
            read_err("call.csv", "hello,1,x\n", Format::Csv, &[], Some(Side::User)),
            vec!["call.csv:1: missing columns start, stop, message: the header row must name side, start, stop and message (found: hello, 1, x)"]
        );
    }
}
