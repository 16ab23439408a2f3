//! `b24tel man [--out DIR]`: man pages from the clap definition, one per command
//! (`b24tel.1`, `b24tel-record-attach.1`, ...); the checked-in `man/` is kept current by a test.

use std::path::PathBuf;

use anyhow::Context;
use clap::{Args, CommandFactory};

use crate::cli::Cli;

#[derive(Debug, Args)]
pub struct Cmd {
    /// Write the pages into this folder (created if missing) instead of printing `b24tel.1`
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
}

pub fn run(cmd: Cmd) -> anyhow::Result<()> {
    let pages = pages()?;
    match cmd.out {
        None => {
            let (_, top) = &pages[0];
            std::io::Write::write_all(&mut std::io::stdout(), top)?;
        }
        Some(dir) => {
            std::fs::create_dir_all(&dir)
                .with_context(|| format!("cannot create {}", dir.display()))?;
            for (name, page) in &pages {
                let path = dir.join(name);
                std::fs::write(&path, page)
                    .with_context(|| format!("cannot write {}", path.display()))?;
            }
        }
    }
    Ok(())
}

/// Every page as (file name, roff), the top-level page first.
fn pages() -> anyhow::Result<Vec<(String, Vec<u8>)>> {
    let mut command = Cli::command();
    command.build();
    let mut pages = Vec::new();
    collect(&command, "b24tel", &mut pages)?;
    Ok(pages)
}

fn collect(
    command: &clap::Command,
    name: &str,
    pages: &mut Vec<(String, Vec<u8>)>,
) -> anyhow::Result<()> {
    let mut page = Vec::new();
    // The page's title is its full command name, so `man b24tel-batch` finds it.
    let titled = command
        .clone()
        .name(name.to_string())
        .bin_name(name.replace('-', " "));
    clap_mangen::Man::new(titled).render(&mut page)?;
    pages.push((format!("{name}.1"), page));
    for sub in command.get_subcommands() {
        if sub.get_name() == "help" {
            continue;
        }
        collect(sub, &format!("{name}-{}", sub.get_name()), pages)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    /// Fails when `man/` is stale; `UPDATE_MAN=1 cargo test man` rewrites it.
    #[test]
    fn checked_in_man_pages_are_current() {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("man");
        let update = std::env::var_os("UPDATE_MAN").is_some();
        let pages = pages().unwrap();
        assert!(pages.iter().any(|(name, _)| name == "b24tel-batch.1"));
        let mut stale = Vec::new();
        for (name, fresh) in &pages {
            let path = dir.join(name);
            if update {
                std::fs::create_dir_all(&dir).unwrap();
                std::fs::write(&path, fresh).unwrap();
            } else if std::fs::read(&path).ok().as_deref() != Some(fresh.as_slice()) {
                stale.push(path.display().to_string());
            }
        }
        let expected: Vec<&String> = pages.iter().map(|(name, _)| name).collect();
        for entry in std::fs::read_dir(&dir).into_iter().flatten().flatten() {
            let name = entry.file_name().to_string_lossy().into_owned();
            if !expected.contains(&&name) {
                if update {
                    std::fs::remove_file(entry.path()).unwrap();
                } else {
                    stale.push(format!("{name} (no such command any more)"));
                }
            }
        }
        assert!(
            stale.is_empty(),
            "stale man pages: {stale:?}; run `UPDATE_MAN=1 cargo test man`"
        );
    }
}
