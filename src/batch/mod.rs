//! What `batch` keeps on disk and reads: the manifest of calls to attach, and
//! the journal that makes re-runs do only what is left.

pub mod journal;
pub mod manifest;
pub mod plan;
pub mod run;
