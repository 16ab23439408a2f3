//! A new user's first hour (issue 15): every hint true, every screen readable.
//! Black-box through the built binary; screens under a real pseudo-terminal.

mod common;

use common::{b24tel, stderr, stdout_json};
use tempfile::TempDir;

const CODE: &str = "uxsecret0123456789";

fn webhook() -> String {
    format!("https://ux.example.com/rest/1/{CODE}/")
}

#[test]
fn config_init_force_repairs_a_file_that_no_longer_parses() {
    let home = TempDir::new().unwrap();
    let path = home.path().join("b24tel.toml");
    let broken = "default_profile = \"office\"\n[profiles.office\nwebhook_url = \"x\"\n";
    std::fs::write(&path, broken).unwrap();

    // Every command names the way out...
    let out = b24tel(home.path())
        .args(["--config", path.to_str().unwrap(), "config", "show"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(8), "{}", stderr(&out));
    let hint = stderr(&out);
    assert!(
        hint.contains("config init") && hint.contains("--force"),
        "{hint}"
    );

    // ...without --force the way out refuses and changes nothing...
    let out = b24tel(home.path())
        .args(["--config", path.to_str().unwrap(), "-p", "office"])
        .args(["--webhook", &webhook(), "config", "init"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(8), "{}", stderr(&out));
    assert_eq!(std::fs::read_to_string(&path).unwrap(), broken);

    // ...and with it the file is written afresh, the old one kept beside it.
    let out = b24tel(home.path())
        .args(["--config", path.to_str().unwrap(), "-p", "office"])
        .args(["--webhook", &webhook(), "config", "init", "--force"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let result = stdout_json(&out);
    let backup = home.path().join("b24tel.toml.bak");
    assert_eq!(result["backup"], backup.display().to_string());
    assert_eq!(std::fs::read_to_string(&backup).unwrap(), broken);
    assert!(!out.stdout.windows(CODE.len()).any(|w| w == CODE.as_bytes()));

    let out = b24tel(home.path())
        .args(["--config", path.to_str().unwrap(), "config", "show"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(String::from_utf8_lossy(&out.stdout).contains("office"));

    // A second repair never overwrites the first backup.
    std::fs::write(&path, "= nonsense").unwrap();
    let out = b24tel(home.path())
        .args(["--config", path.to_str().unwrap(), "-p", "office"])
        .args(["--webhook", &webhook(), "config", "init", "--force"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(std::fs::read_to_string(&backup).unwrap(), broken);
    assert_eq!(
        std::fs::read_to_string(home.path().join("b24tel.toml.bak.2")).unwrap(),
        "= nonsense"
    );
}
