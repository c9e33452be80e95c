//! Opening sled: the settings baedal runs it with, and patience with the
//! lock a handle this process just dropped still holds.

use super::{StorageConfig, StorageError};
use std::path::Path;
use std::time::Duration;

/// sled's segment size for a new database: 8 MiB (sled's default is
/// 512 KiB; it allows up to 16 MiB, a power of two).
///
/// sled reuses a segment only once every page in it has been written
/// again, and baedal's pages go cold at scattered times (an order's, a
/// customer's inbox). Small segments then almost all keep some cold page
/// and are never reused: replaying a recorded load of 40,000 lifecycles
/// (with notification pages of 8), the file grew 870 MB at 512 KiB against
/// 416 MB at 8 MiB (16 MiB: no better), for 390 MB of values written and
/// 92 MB live (BENCHMARKS.md, "Why the database grows").
pub const SEGMENT_SIZE: usize = 8 << 20;

/// sled's segment size before [`SEGMENT_SIZE`]: its default.
const OLD_SEGMENT_SIZE: usize = 512 << 10;

/// sled refuses to open a database with another segment size than the
/// one it was created with, so a database keeps its own (the 512 KiB of
/// releases before [`SEGMENT_SIZE`], say), as its `conf` file records it.
/// A database whose `conf` is lost or unreadable (sled then writes a new
/// one) is taken as one of those releases', the only ones that made a log
/// without a readable `conf`. `baedal compact`, or a backup restored,
/// writes a new database, which gets the new size.
fn segment_size_of(path: &Path) -> usize {
    // Text lines, then a binary CRC: read it as bytes.
    let conf = std::fs::read(path.join("conf")).unwrap_or_default();
    let recorded = String::from_utf8_lossy(&conf)
        .lines()
        .find_map(|line| line.strip_prefix("segment_size: ")?.trim().parse().ok());
    let has_log = std::fs::metadata(path.join("db")).is_ok_and(|m| m.len() > 0);
    match recorded {
        Some(size) => size,
        None if has_log => OLD_SEGMENT_SIZE,
        None => SEGMENT_SIZE,
    }
}

/// Opens sled, with [`while_locked`]'s patience.
pub(super) fn open_engine(config: &StorageConfig) -> Result<sled::Db, StorageError> {
    // A snapshot a full disk cut short would make every open fail.
    super::disk::set_aside_broken_snapshots(&config.path)
        .map_err(|e| StorageError::Engine(format!("cannot check the snapshot files: {e}")))?;
    while_locked(&config.path, || {
        sled::Config::new()
            .path(&config.path)
            .cache_capacity(config.cache_capacity_bytes)
            .segment_size(segment_size_of(&config.path))
            // Our flusher decides when to flush; sled's own timer thread
            // would only compete with it (and spins while it does).
            .flush_every_ms(None)
            .open()
    })
}

/// Runs `open` (of the database at `path`) again while sled reports its
/// lock busy, for up to two seconds: a handle this process just dropped
/// can hold the lock a moment longer (sled's I/O threads finish its last
/// writes), so a busy lock counts as another process's only after that.
pub(super) fn while_locked(
    path: &Path,
    open: impl Fn() -> sled::Result<sled::Db>,
) -> Result<sled::Db, StorageError> {
    const PATIENCE: Duration = Duration::from_secs(2);
    let began = std::time::Instant::now();
    loop {
        match open() {
            // sled reports a busy lock only in its message.
            Err(sled::Error::Io(e))
                if e.to_string().starts_with("could not acquire lock")
                    && began.elapsed() < PATIENCE =>
            {
                std::thread::sleep(Duration::from_millis(10));
                // Gone while we waited: a compaction is swapping it, and
                // opening now would create an empty database in its place.
                if !path.exists() {
                    return Err(StorageError::Engine(format!(
                        "{} moved while its lock was awaited (is `baedal compact` running?)",
                        path.display()
                    )));
                }
            }
            other => return Ok(other?),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::storage::Durability;

    fn config(path: &Path) -> StorageConfig {
        StorageConfig {
            path: path.to_path_buf(),
            durability: Durability::Durable,
            cache_capacity_bytes: 1 << 20,
        }
    }

    #[test]
    fn a_new_database_gets_the_large_segments() {
        let dir = tempfile::tempdir().unwrap();
        drop(open_engine(&config(dir.path())).unwrap());
        assert_eq!(segment_size_of(dir.path()), SEGMENT_SIZE);
    }

    /// A database as releases before [`SEGMENT_SIZE`] made it (sled's
    /// default segments), holding one value.
    fn made_by_an_older_release() -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        let old = sled::Config::new().path(dir.path()).open().unwrap();
        old.insert(b"order/1", &b"kept"[..]).unwrap();
        old.flush().unwrap();
        dir
    }

    #[test]
    fn a_database_made_with_sleds_default_segments_still_opens_and_keeps_them() {
        let dir = made_by_an_older_release();
        let engine = open_engine(&config(dir.path())).unwrap();
        assert_eq!(engine.get(b"order/1").unwrap().unwrap().as_ref(), b"kept");
        drop(engine);
        assert_eq!(segment_size_of(dir.path()), 512 * 1024);
    }

    #[test]
    fn an_older_database_that_lost_its_conf_is_taken_as_made_with_the_old_segments() {
        let dir = made_by_an_older_release();
        std::fs::remove_file(dir.path().join("conf")).unwrap();
        let engine = open_engine(&config(dir.path())).unwrap();
        assert_eq!(engine.get(b"order/1").unwrap().unwrap().as_ref(), b"kept");
        drop(engine);
        assert_eq!(segment_size_of(dir.path()), 512 * 1024, "written back");
    }
}
