//! Offline compaction: the database rewritten into a fresh one, for a
//! stopped server.
//!
//! sled 0.34 keeps, for every page it ever wrote, a page-table entry with
//! the list of that page's fragments on disk, and it keeps them in memory
//! whatever its cache size. A long write history (every order updated
//! seven times, a log that is appended and compacted) leaves many pages
//! with long fragment lists, and resident memory grows with them. The same
//! keys written once into a fresh database have one fragment per page:
//! 200,000 orders start in 71 MB instead of 122 MB (BENCHMARKS.md, "A
//! million orders"). This is what `bbolt compact` or `VACUUM FULL` are to
//! their databases.
//!
//! The original's lock is held from the first read until the swap is
//! done. The copy (`<dir>.compacting`) is verified (same keys, same
//! checksum, ids past the original's) before it replaces the original, and
//! the swap is two renames. A crash during the copy leaves the original in place and a
//! half copy that the next run removes. A crash between the renames leaves
//! the original at `<dir>.precompact` and nothing at the database's path:
//! `Db::open` then refuses to start an empty database there, and running
//! the compaction again finishes the swap (then compacts as usual). A crash
//! while the original is removed leaves both: the next run says so and
//! leaves the removal to a person.

use super::engine::open_engine;
use super::{journal, StorageConfig, StorageError};
use std::path::{Path, PathBuf};
use std::time::Instant;

/// Writes per batch while copying: large enough that sled's batch cost is
/// spread thin, small enough to keep the batch's memory modest.
const COPY_BATCH: usize = 10_000;

/// Why a compaction did not happen (the original is then untouched).
#[derive(Debug, thiserror::Error)]
pub enum CompactError {
    #[error(
        "a compaction was interrupted: the database is at {aside}; run \
         `baedal compact --data-dir {path}` again to finish it"
    )]
    Interrupted { path: PathBuf, aside: PathBuf },
    #[error(
        "both {path} and {aside} exist: an earlier compaction swapped its copy in \
         but did not remove the original; remove {aside} once {path} serves as it should"
    )]
    Leftover { path: PathBuf, aside: PathBuf },
    #[error("there is no database at {0}")]
    NotADatabase(PathBuf),
    #[error("{0} is a symbolic link: compact the directory it points to")]
    Symlink(PathBuf),
    #[error("{path} has {trees} trees; baedal writes one, so this is not its database")]
    ForeignTrees { path: PathBuf, trees: usize },
    #[error("the compacted copy at {0} does not match the original; the original stays")]
    Mismatch(PathBuf),
    #[error("cannot {what} ({path}): {source}")]
    Io {
        what: &'static str,
        path: PathBuf,
        source: std::io::Error,
    },
    #[error(transparent)]
    Storage(#[from] StorageError),
}

impl From<sled::Error> for CompactError {
    fn from(e: sled::Error) -> Self {
        CompactError::Storage(e.into())
    }
}

/// What a compaction did.
#[derive(Debug)]
pub struct Compacted {
    /// Keys copied.
    pub keys: u64,
    /// Bytes on disk before.
    pub bytes_before: u64,
    /// Bytes on disk after.
    pub bytes_after: u64,
    /// How long it took.
    pub seconds: f64,
}

/// Where the copy is written before it replaces the original.
fn work_dir(path: &Path) -> PathBuf {
    sibling(path, "compacting")
}

/// Where the original goes for the moment of the swap.
fn set_aside(path: &Path) -> PathBuf {
    sibling(path, "precompact")
}

fn sibling(path: &Path, suffix: &str) -> PathBuf {
    let mut name = path.file_name().unwrap_or_default().to_os_string();
    name.push(format!(".{suffix}"));
    path.with_file_name(name)
}

/// Refuses a database path whose original an interrupted compaction set
/// aside: opening it would start an empty database in its place.
pub fn refuse_interrupted(path: &Path) -> Result<(), CompactError> {
    let aside = set_aside(path);
    if !path.exists() && aside.exists() {
        return Err(CompactError::Interrupted {
            path: path.to_path_buf(),
            aside,
        });
    }
    Ok(())
}

/// Rewrites the database at `path` into a fresh one and puts it in its
/// place. The server must be stopped: the database's lock is held from the
/// first read until the swap is done, so no server can start on it
/// meanwhile (one that tries is refused, or waits and then finds the copy).
pub fn compact(path: &Path) -> Result<Compacted, CompactError> {
    let began = Instant::now();
    let path = checked_path(path)?;
    finish_interrupted_swap(&path)?;
    if !is_sled_database(&path) {
        return Err(CompactError::NotADatabase(path));
    }
    let bytes_before = dir_size(&path);
    // Taken before anything else is touched, held until the swap is done.
    let source = open_engine(&config(&path))?;
    let trees = source.tree_names().len();
    if trees != 1 {
        return Err(CompactError::ForeignTrees { path, trees });
    }
    // A newer release's database (its journal included) is not ours to touch.
    super::schema::refuse_newer(&source)?;
    let work = work_dir(&path);
    if work.exists() {
        // A copy an earlier run did not finish: start it again.
        std::fs::remove_dir_all(&work).map_err(io("remove the unfinished copy", &work))?;
    }
    let keys = copy(&source, &work)?;
    sync_dir(&work)?;
    let aside = set_aside(&path);
    std::fs::rename(&path, &aside).map_err(io("set the original aside", &path))?;
    std::fs::rename(&work, &path).map_err(io("move the copy in", &work))?;
    sync_parent(&path)?;
    // Closed only after the swap, so no server opens the original between
    // the copy and the renames. sled touches its files by path only when
    // it writes or opens, and the original takes no writes after the copy.
    drop(source);
    std::fs::remove_dir_all(&aside).map_err(io("remove the original", &aside))?;
    Ok(Compacted {
        keys,
        bytes_before,
        bytes_after: dir_size(&path),
        seconds: began.elapsed().as_secs_f64(),
    })
}

/// An absolute path with a last component, so its siblings are siblings,
/// and not a symbolic link (renaming the link would move the link alone).
fn checked_path(path: &Path) -> Result<PathBuf, CompactError> {
    if path
        .symlink_metadata()
        .is_ok_and(|m| m.file_type().is_symlink())
    {
        return Err(CompactError::Symlink(path.to_path_buf()));
    }
    let absolute = std::path::absolute(path).map_err(io("resolve", path))?;
    match absolute.file_name() {
        Some(name) if name != ".." => Ok(absolute),
        _ => Err(CompactError::NotADatabase(path.to_path_buf())),
    }
}

/// sled's two files: a directory without them is not compacted (and not
/// replaced by an empty copy).
fn is_sled_database(path: &Path) -> bool {
    path.join("conf").is_file() && path.join("db").is_file()
}

/// Completes a swap a crash interrupted between its two renames.
fn finish_interrupted_swap(path: &Path) -> Result<(), CompactError> {
    let aside = set_aside(path);
    if !aside.exists() {
        return Ok(());
    }
    if path.exists() {
        // The swap was done and the original's removal cut short, most
        // likely; but nothing proves `path` is the copy, so a person decides.
        return Err(CompactError::Leftover {
            path: path.to_path_buf(),
            aside,
        });
    }
    let work = work_dir(path);
    if is_sled_database(&work) {
        // Between the renames: the verified copy goes in.
        std::fs::rename(&work, path).map_err(io("move the copy in", &work))?;
        sync_parent(path)?;
        std::fs::remove_dir_all(&aside).map_err(io("remove the original", &aside))?;
    } else {
        // Not a state compaction leaves: put the original back.
        std::fs::rename(&aside, path).map_err(io("put the original back", &aside))?;
        sync_parent(path)?;
    }
    Ok(())
}

/// Copies every key of `source` into a new database at `to`, carries the
/// id generator over, and checks the copy once it is reopened from disk.
fn copy(source: &sled::Db, to: &Path) -> Result<u64, CompactError> {
    // A commit a crash cut short is completed first, so the copy is whole.
    journal::recover(source)?;
    let copy = open_engine(&config(to))?;
    let mut keys = 0u64;
    let mut batch = sled::Batch::default();
    let mut in_batch = 0;
    for entry in source.iter() {
        let (k, v) = entry?;
        batch.insert(k, v);
        keys += 1;
        in_batch += 1;
        if in_batch == COPY_BATCH {
            copy.apply_batch(std::mem::take(&mut batch))?;
            in_batch = 0;
        }
    }
    copy.apply_batch(batch)?;
    // Ids already handed out must never come again. sled has no setter, so
    // the copy's generator is advanced past the source's. sled skips ahead
    // by two million ids at every start, so this takes about a second per
    // hundred starts the source has seen.
    let next = source.generate_id()?;
    while copy.generate_id()? < next {}
    copy.flush()?;
    let checksum = source.checksum()?;
    drop(copy);

    // Reopening writes sled's snapshot (the first start would otherwise
    // replay the whole copy) and checks what is really on disk.
    let reopened = open_engine(&config(to))?;
    if reopened.len() as u64 != keys
        || reopened.checksum()? != checksum
        || reopened.generate_id()? <= next
    {
        return Err(CompactError::Mismatch(to.to_path_buf()));
    }
    reopened.flush()?;
    Ok(keys)
}

/// Makes a rename in `path`'s parent durable before anything relies on it.
fn sync_parent(path: &Path) -> Result<(), CompactError> {
    sync_dir(path.parent().unwrap_or(Path::new(".")))
}

/// Makes a directory's entries (files created or renamed in it) durable.
fn sync_dir(dir: &Path) -> Result<(), CompactError> {
    std::fs::File::open(dir)
        .and_then(|d| d.sync_all())
        .map_err(io("sync the directory", dir))
}

fn config(path: &Path) -> StorageConfig {
    StorageConfig {
        path: path.to_path_buf(),
        durability: super::Durability::Durable,
        cache_capacity_bytes: 64 << 20,
    }
}

/// Names a failed file operation and its path.
fn io(what: &'static str, path: &Path) -> impl FnOnce(std::io::Error) -> CompactError {
    let path = path.to_path_buf();
    move |source| CompactError::Io { what, path, source }
}

/// The bytes in a directory and everything under it.
pub fn dir_size(dir: &Path) -> u64 {
    std::fs::read_dir(dir)
        .map(|entries| {
            entries
                .flatten()
                .map(|e| match e.metadata() {
                    Ok(m) if m.is_dir() => dir_size(&e.path()),
                    Ok(m) => m.len(),
                    Err(_) => 0,
                })
                .sum()
        })
        .unwrap_or(0)
}

#[cfg(test)]
#[path = "compact_tests.rs"]
mod tests;
