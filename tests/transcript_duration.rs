//! Transcript times against the call's CALL_DURATION (voximplant.statistic.get),
//! through the built binary and the sandbox (its calls last 42 s).

mod common;

use common::{stderr, write, Sandbox};

fn attach(
    sandbox: &Sandbox,
    call: &str,
    file: &std::path::Path,
    extra: &[&str],
) -> std::process::Output {
    sandbox
        .cmd()
        .args(extra)
        .args(["-o", "json", "transcript", "attach", "--call-id", call])
        .arg("--file")
        .arg(file)
        .output()
        .unwrap()
}

#[test]
fn milliseconds_read_as_seconds_are_refused_against_the_call_duration() {
    let sandbox = Sandbox::start(&[]);
    let call = sandbox.new_call(true);
    let dir = tempfile::tempdir().unwrap();
    // Integer milliseconds in a seconds-based CSV: a 42 s call "ending" at 5120 s.
    let wrong = write(
        dir.path(),
        "call.csv",
        "side,start,stop,message\nUser,0,2480,Добрый день\nClient,2900,5120,Здравствуйте\n"
            .as_bytes(),
    );
    let output = attach(&sandbox, &call, &wrong, &[]);
    assert_eq!(output.status.code(), Some(3), "{}", stderr(&output));
    let err = stderr(&output);
    assert!(err.contains("ends at 5120 s"), "{err}");
    assert!(err.contains("the call lasted 42 s"), "{err}");
    assert!(err.contains("time unit"), "{err}");
    assert!(sandbox.transcripts().is_empty(), "nothing may be sent");

    // Within 10 s of the end is fine.
    let right = write(
        dir.path(),
        "ok.csv",
        "side,start,stop,message\nUser,0,3,Добрый день\nClient,40,52,Здравствуйте\n".as_bytes(),
    );
    let output = attach(&sandbox, &call, &right, &[]);
    assert!(output.status.success(), "{}", stderr(&output));
    assert_eq!(sandbox.transcripts().len(), 1);
}

#[test]
fn without_the_statistics_permission_the_check_is_skipped_and_said_under_verbose() {
    let sandbox = Sandbox::start(&["--fault", "no-statistics"]);
    let call = sandbox.new_call(true);
    let dir = tempfile::tempdir().unwrap();
    let file = write(
        dir.path(),
        "call.csv",
        "side,start,stop,message\nUser,0,2480,Добрый день\n".as_bytes(),
    );
    let output = attach(&sandbox, &call, &file, &["-v"]);
    assert!(output.status.success(), "{}", stderr(&output));
    assert!(
        stderr(&output).contains("transcript times not checked against the call's duration"),
        "{}",
        stderr(&output)
    );
    assert_eq!(sandbox.transcripts().len(), 1);
}
