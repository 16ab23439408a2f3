//! `b24tel completions SHELL`; the checked-in `completions/` are kept current by a test.

use clap::{Args, CommandFactory};
use clap_complete::Shell;

use crate::cli::Cli;

#[derive(Debug, Args)]
pub struct Cmd {
    /// bash, zsh, fish, powershell or elvish
    pub shell: Shell,
}

pub fn run(cmd: Cmd) -> anyhow::Result<()> {
    std::io::Write::write_all(&mut std::io::stdout(), &script(cmd.shell))
        .and_then(|_| std::io::Write::flush(&mut std::io::stdout()))
        .map_err(|e| crate::output::write_failure(&e))?;
    Ok(())
}

fn script(shell: Shell) -> Vec<u8> {
    let mut out = Vec::new();
    clap_complete::generate(shell, &mut Cli::command(), "b24tel", &mut out);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    const SHELLS: [Shell; 5] = [
        Shell::Bash,
        Shell::Zsh,
        Shell::Fish,
        Shell::PowerShell,
        Shell::Elvish,
    ];

    /// The file name `completions/` keeps each shell's script under.
    fn file_name(shell: Shell) -> String {
        match shell {
            Shell::Bash => "b24tel.bash".into(),
            Shell::Zsh => "_b24tel".into(),
            Shell::Fish => "b24tel.fish".into(),
            Shell::PowerShell => "_b24tel.ps1".into(),
            _ => "b24tel.elv".into(),
        }
    }

    /// Fails when `completions/` is stale; `UPDATE_COMPLETIONS=1 cargo test` rewrites it.
    #[test]
    fn checked_in_completions_are_current() {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("completions");
        let update = std::env::var_os("UPDATE_COMPLETIONS").is_some();
        let mut stale = Vec::new();
        for shell in SHELLS {
            let path = dir.join(file_name(shell));
            let fresh = script(shell);
            if update {
                std::fs::create_dir_all(&dir).unwrap();
                std::fs::write(&path, &fresh).unwrap();
            } else if std::fs::read(&path).ok().as_deref() != Some(fresh.as_slice()) {
                stale.push(path.display().to_string());
            }
        }
        assert!(
            stale.is_empty(),
            "stale completions: {stale:?}; run `UPDATE_COMPLETIONS=1 cargo test completions`"
        );
    }
}
