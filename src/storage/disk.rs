//! What sled 0.34 leaves undone on disk, done here.
//!
//! - **Power-loss durability.** sled's `flush` writes with `pwrite` and
//!   `sync_file_range` (`pagecache/iobuf.rs`), which neither syncs the
//!   file's metadata (its growth) nor flushes the drive's cache; its own
//!   `sync_all` runs only on its flusher thread, which baedal turns off.
//!   [`DiskSync::after_flush`] therefore `fdatasync`s the data file `db`
//!   after each flush, and `syncfs`es the filesystem when large pages were
//!   written to `blobs/` (files sled never syncs).
//! - **Snapshots.** sled writes `snap.<lsn>.generating`, syncs it and
//!   renames it at open; a full disk can leave it empty or cut short, and
//!   since sled reads the file whose name sorts last, every later open
//!   fails with "Read corrupted data" although the log is intact.
//!   [`set_aside_broken_snapshots`] moves such files aside before open
//!   (sled then rebuilds from the log).

use std::fs::File;
use std::io;
use std::path::{Path, PathBuf};

/// Syncs what sled flushed. Holds the data file open for the database's
/// life (a read-only descriptor suffices: `fdatasync` acts on the inode).
pub(super) struct DiskSync {
    data: File,
    blobs: PathBuf,
}

impl DiskSync {
    /// Opens `<dir>/db` and makes what sled's open wrote durable: the
    /// directory (its entries: `db`, `conf`, a renamed snapshot), `conf`
    /// and `blobs/`.
    pub fn open(dir: &Path) -> io::Result<DiskSync> {
        let data = File::open(dir.join("db"))?;
        data.sync_all()?;
        for path in [dir.join("conf"), dir.join("blobs"), dir.to_path_buf()] {
            if path.exists() {
                File::open(&path)?.sync_all()?;
            }
        }
        Ok(DiskSync {
            data,
            blobs: dir.join("blobs"),
        })
    }

    /// After a sled flush: the data file's contents and size on stable
    /// storage, and if any page lives in `blobs/`, the whole filesystem.
    pub fn after_flush(&self) -> io::Result<()> {
        self.data.sync_data()?;
        let has_blobs = std::fs::read_dir(&self.blobs)
            .map(|mut entries| entries.next().is_some())
            .unwrap_or(false);
        if has_blobs {
            sync_filesystem(&self.blobs)?;
        }
        Ok(())
    }
}

/// `syncfs(2)` on the filesystem holding `path`: every file and directory
/// entry on it, which covers blob files and the directory that names them.
fn sync_filesystem(path: &Path) -> io::Result<()> {
    use std::os::fd::AsRawFd;
    let dir = File::open(path)?;
    // SAFETY: `dir` is an open descriptor for the duration of the call.
    if unsafe { libc::syncfs(dir.as_raw_fd()) } == 0 {
        Ok(())
    } else {
        Err(io::Error::last_os_error())
    }
}

/// Whether the disk under `dir` takes writes again: a file of two sled
/// segments (16 MiB: room for a new segment and a snapshot) is written,
/// synced and removed.
pub fn disk_takes_writes(dir: &Path) -> bool {
    use std::io::Write;
    let probe = dir.join("space-probe");
    let written = File::create(&probe).and_then(|mut f| {
        f.write_all(&vec![0u8; 2 * super::engine::SEGMENT_SIZE])?;
        f.sync_all()
    });
    let _ = std::fs::remove_file(&probe);
    written.is_ok()
}

/// The snapshot files sled would consider, as it lists them: names that
/// start with `snap.` (and do not end with `.in___motion`), sorted.
fn snapshot_files(dir: &Path) -> io::Result<Vec<PathBuf>> {
    let mut found: Vec<PathBuf> = std::fs::read_dir(dir)?
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| {
            p.file_name()
                .map(|n| n.to_string_lossy())
                .is_some_and(|n| n.starts_with("snap.") && !n.ends_with(".in___motion"))
        })
        .collect();
    found.sort();
    Ok(found)
}

/// Whether a snapshot file is whole: more than its 12-byte trailer
/// (length, then CRC-32 of the rest, both little-endian), and the CRC
/// matches, as sled checks it (`pagecache/snapshot.rs`, `read_snapshot`).
fn is_whole(path: &Path) -> io::Result<bool> {
    let bytes = std::fs::read(path)?;
    if bytes.len() <= 12 {
        return Ok(false);
    }
    let (body, trailer) = bytes.split_at(bytes.len() - 12);
    let mut crc = [0u8; 4];
    crc.copy_from_slice(&trailer[8..]);
    Ok(crc32fast::hash(body) == u32::from_le_bytes(crc))
}

/// Moves aside, newest first, every snapshot file sled would read and
/// refuse (empty, cut short, or failing its CRC), stopping at the first
/// whole one: it is renamed `broken-<name>`, which sled ignores, and kept
/// for a post-mortem. A database without a readable snapshot is rebuilt
/// from its log, which sled keeps whole. Answers the files moved.
pub(super) fn set_aside_broken_snapshots(dir: &Path) -> io::Result<Vec<PathBuf>> {
    let mut moved = Vec::new();
    if !dir.exists() {
        return Ok(moved);
    }
    while let Some(newest) = snapshot_files(dir)?.pop() {
        if is_whole(&newest)? {
            break;
        }
        let name = newest.file_name().map(|n| n.to_string_lossy().into_owned());
        let aside = dir.join(format!("broken-{}", name.unwrap_or_default()));
        std::fs::rename(&newest, &aside)?;
        tracing::warn!(
            file = %newest.display(),
            moved_to = %aside.display(),
            "set aside an incomplete snapshot; the database is rebuilt from its log"
        );
        moved.push(aside);
    }
    Ok(moved)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Opens `dir` plainly, once the last handle has let go of its lock.
    fn open(dir: &Path) -> Result<sled::Db, crate::storage::StorageError> {
        super::super::engine::while_locked(dir, || sled::Config::new().path(dir).open())
    }

    fn write_some(dir: &Path, n: u32) {
        let db = open(dir).unwrap();
        for i in 0..n {
            db.insert(i.to_be_bytes(), vec![7u8; 100]).unwrap();
        }
        db.flush().unwrap();
    }

    #[test]
    fn an_empty_generating_snapshot_is_set_aside_and_nothing_is_lost() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("db");
        write_some(&dir, 500);
        // What a full disk left: the snapshot's file created, nothing in it.
        let stuck = dir.join("snap.FFFFFFFFFFFFFFFF.generating");
        File::create(&stuck).unwrap();
        let refused = open(&dir).err().unwrap();
        assert!(refused.to_string().contains("corrupted"), "{refused}");

        let moved = set_aside_broken_snapshots(&dir).unwrap();
        assert_eq!(moved, [dir.join("broken-snap.FFFFFFFFFFFFFFFF.generating")]);
        let db = open(&dir).unwrap();
        assert_eq!(db.len(), 500, "every flushed write is there");
        // And a whole snapshot is never touched.
        drop(db);
        assert!(set_aside_broken_snapshots(&dir).unwrap().is_empty());
    }

    #[test]
    fn a_snapshot_cut_short_is_set_aside_too() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("db");
        write_some(&dir, 50);
        // Reopen so that sled writes a snapshot; then cut it short.
        write_some(&dir, 60);
        let snap = snapshot_files(&dir).unwrap().pop().unwrap();
        assert!(is_whole(&snap).unwrap());
        let bytes = std::fs::read(&snap).unwrap();
        std::fs::write(&snap, &bytes[..bytes.len() / 2]).unwrap();
        assert_eq!(set_aside_broken_snapshots(&dir).unwrap().len(), 1);
        let db = open(&dir).unwrap();
        assert_eq!(db.len(), 60);
    }

    #[test]
    fn syncs_after_a_flush() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("db");
        write_some(&dir, 10);
        let sync = DiskSync::open(&dir).unwrap();
        sync.after_flush().unwrap();
        sync_filesystem(&dir).unwrap();
    }
}
