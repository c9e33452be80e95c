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
//! The original's lock is held from the first read until just before the
//! swap. The copy (`<dir>.compacting`) is verified (same keys, same
//! checksum, ids past the original's) before it replaces the original, and
//! the swap is two renames. A crash during the copy leaves the original in place and a
//! half copy that the next run removes. A crash between the renames leaves
//! the original at `<dir>.precompact` and nothing at the database's path:
//! `Db::open` then refuses to start an empty database there, and running
//! the compaction again finishes the swap (then compacts as usual).

use super::db::open_engine;
use super::{journal, StorageConfig, StorageError};
use std::path::{Path, PathBuf};
use std::time::Instant;

/// Writes per batch while copying: large enough that sled's batch cost is
/// spread thin, small enough to keep the batch's memory modest.
const COPY_BATCH: usize = 10_000;

/// What a compaction did.
#[derive(Debug)]
pub struct Compacted {
    /// Keys copied.
    pub keys: u64,
    /// Bytes on disk before and after.
    pub bytes_before: u64,
    pub bytes_after: u64,
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
pub fn refuse_interrupted(path: &Path) -> Result<(), StorageError> {
    let aside = set_aside(path);
    if !path.exists() && aside.exists() {
        return Err(StorageError::Engine(format!(
            "a compaction was interrupted: the database is at {}; run \
             `baedal compact --data-dir {}` again to finish it",
            aside.display(),
            path.display()
        )));
    }
    Ok(())
}

/// Rewrites the database at `path` into a fresh one and puts it in its
/// place. The server must be stopped: the database's lock is held from
/// the first read until just before the swap, so no server can start on
/// it while it is copied and checked.
pub fn compact(path: &Path) -> Result<Compacted, StorageError> {
    let began = Instant::now();
    let path = checked_path(path)?;
    finish_interrupted_swap(&path)?;
    if !is_sled_database(&path) {
        return Err(StorageError::Engine(format!(
            "there is no database at {}",
            path.display()
        )));
    }
    let bytes_before = dir_size(&path);
    // Taken before anything else is touched, held until the swap is done.
    let source = open_engine(&config(&path))?;
    let names = source.tree_names();
    if names.len() != 1 {
        return Err(StorageError::Engine(format!(
            "{} has {} trees; baedal writes one, so this is not its database",
            path.display(),
            names.len()
        )));
    }
    let work = work_dir(&path);
    if work.exists() {
        // A copy an earlier run did not finish: start it again.
        std::fs::remove_dir_all(&work).map_err(|e| io("remove the unfinished copy", &work, e))?;
    }
    let keys = copy(&source, &work)?;
    sync_dir(&work)?;
    // Closed only now, just before the renames: sled finds some of its
    // files by path, and after the swap that path is the copy's.
    drop(source);
    let aside = set_aside(&path);
    std::fs::rename(&path, &aside).map_err(|e| io("set the original aside", &path, e))?;
    std::fs::rename(&work, &path).map_err(|e| io("move the copy in", &work, e))?;
    sync_parent(&path)?;
    std::fs::remove_dir_all(&aside).map_err(|e| io("remove the original", &aside, e))?;
    Ok(Compacted {
        keys,
        bytes_before,
        bytes_after: dir_size(&path),
        seconds: began.elapsed().as_secs_f64(),
    })
}

/// An absolute path with a last component, so its siblings are siblings.
fn checked_path(path: &Path) -> Result<PathBuf, StorageError> {
    let absolute = std::path::absolute(path).map_err(|e| io("resolve", path, e))?;
    match absolute.file_name() {
        Some(name) if name != ".." => Ok(absolute),
        _ => Err(StorageError::Engine(format!(
            "{} does not name a database directory",
            path.display()
        ))),
    }
}

/// sled's two files: a directory without them is not compacted (and not
/// replaced by an empty copy).
fn is_sled_database(path: &Path) -> bool {
    path.join("conf").is_file() && path.join("db").is_file()
}

/// Completes a swap a crash interrupted.
fn finish_interrupted_swap(path: &Path) -> Result<(), StorageError> {
    let aside = set_aside(path);
    if !aside.exists() {
        return Ok(());
    }
    if path.exists() {
        // Both renames were done: only the original's removal was cut short.
        return std::fs::remove_dir_all(&aside)
            .map_err(|e| io("remove the original of an earlier compaction", &aside, e));
    }
    let work = work_dir(path);
    if is_sled_database(&work) {
        // Between the renames: the verified copy goes in.
        std::fs::rename(&work, path).map_err(|e| io("move the copy in", &work, e))?;
        sync_parent(path)?;
        std::fs::remove_dir_all(&aside).map_err(|e| io("remove the original", &aside, e))
    } else {
        // Not a state compaction leaves: put the original back.
        std::fs::rename(&aside, path).map_err(|e| io("put the original back", &aside, e))?;
        sync_parent(path)
    }
}

/// Copies every key of `source` into a new database at `to`, carries the
/// id generator over, and checks the copy once it is reopened from disk.
fn copy(source: &sled::Db, to: &Path) -> Result<u64, StorageError> {
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
        return Err(StorageError::Engine(format!(
            "the compacted copy at {} does not match the original; the original stays",
            to.display()
        )));
    }
    reopened.flush()?;
    Ok(keys)
}

/// Makes a rename in `path`'s parent durable before anything relies on it.
fn sync_parent(path: &Path) -> Result<(), StorageError> {
    sync_dir(path.parent().unwrap_or(Path::new(".")))
}

/// Makes a directory's entries (files created or renamed in it) durable.
fn sync_dir(dir: &Path) -> Result<(), StorageError> {
    std::fs::File::open(dir)
        .and_then(|d| d.sync_all())
        .map_err(|e| io("sync the directory", dir, e))
}

fn config(path: &Path) -> StorageConfig {
    StorageConfig {
        path: path.to_path_buf(),
        durability: super::Durability::Durable,
        cache_capacity_bytes: 64 << 20,
    }
}

fn io(what: &str, path: &Path, e: std::io::Error) -> StorageError {
    StorageError::Engine(format!("cannot {what} ({}): {e}", path.display()))
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
