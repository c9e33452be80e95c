//! Online backup, and restore into a fresh directory.
//!
//! A backup is the database as it stood at one moment, taken while the
//! server runs. sled's iterators are not point-in-time, so the copy is
//! made in two parts: a scan of every key, which may see some writes made
//! during it and miss others, then every write made since the scan began,
//! in order, recorded by `Db::commit` (all writes at run time go through it,
//! under the writers' lock). Replaying the second part over the first gives
//! each key its value as of the moment recording stopped: a consistent
//! snapshot. Writers pause only to start and stop the recording (the
//! figures are in the summary and in BENCHMARKS.md).
//!
//! The file: `MAGIC`, then frames `[1][key len u32][key][value len u32][value]`
//! (a put) or `[2][key len u32][key]` (a removal), then `[0][keys u64]`
//! `[next id u64][crc32 u32]`, integers big-endian, the CRC-32 over every
//! byte before it. The commit journal's record is left out: every commit
//! is whole at the snapshot's moment.

use super::engine::open_engine;
use super::{keys, Db, Durability, StorageConfig, StorageError};
use serde::Serialize;
use std::io::{self, BufReader, Read, Write};
use std::path::Path;
use std::time::{Duration, Instant};

const MAGIC: &[u8] = b"baedal-backup-1\n";
const PUT: u8 = 1;
const REMOVE: u8 = 2;
const END: u8 = 0;
/// Longest key and value a restore accepts: baedal's keys are tens of
/// bytes and its values kilobytes, so a longer length is damage, refused
/// before it is read into memory.
const MAX_KEY: usize = 64 << 10;
const MAX_VALUE: usize = 64 << 20;
/// Writes per batch while restoring.
const RESTORE_BATCH: usize = 10_000;

/// What a backup or a restore did.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct BackupSummary {
    /// Frames in the file: every key scanned, then every write recorded.
    pub frames: u64,
    pub bytes: u64,
    /// Writes made while the scan ran, replayed over it.
    pub writes_during_scan: u64,
    /// Longest time writers waited for the backup, microseconds.
    pub writers_paused_us: u64,
}

/// Counts and checksums what goes to the file.
struct Counted<'a> {
    out: &'a mut dyn Write,
    crc: crc32fast::Hasher,
    bytes: u64,
}

impl Counted<'_> {
    fn put(&mut self, bytes: &[u8]) -> io::Result<()> {
        self.crc.update(bytes);
        self.bytes += bytes.len() as u64;
        self.out.write_all(bytes)
    }

    fn frame(&mut self, key: &[u8], value: Option<&[u8]>) -> io::Result<()> {
        self.put(&[if value.is_some() { PUT } else { REMOVE }])?;
        self.put(&(key.len() as u32).to_be_bytes())?;
        self.put(key)?;
        if let Some(v) = value {
            self.put(&(v.len() as u32).to_be_bytes())?;
            self.put(v)?;
        }
        Ok(())
    }
}

fn io_error(e: io::Error) -> StorageError {
    StorageError::Engine(format!("backup: {e}"))
}

/// A backup whose recording of writes has begun ([`Db::begin_backup`]);
/// [`BackupRun::write_to`] takes it. Dropped unused, it stops recording.
pub struct BackupRun {
    db: Db,
    began: Instant,
    start_pause: Duration,
    recording: bool,
}

impl Db {
    /// Writes a consistent snapshot of the database to `out` while it keeps
    /// serving (see the module's documentation). One at a time: refused if
    /// another backup is being taken.
    pub fn backup(&self, out: &mut dyn Write) -> Result<BackupSummary, StorageError> {
        match self.begin_backup()? {
            Some(run) => run.write_to(out),
            None => Err(StorageError::Engine(
                "a backup is already being taken".into(),
            )),
        }
    }

    /// Starts a backup by recording every write from now on; `None` if
    /// another backup is being taken (so a caller can say so before it has
    /// answered anything).
    pub fn begin_backup(&self) -> Result<Option<BackupRun>, StorageError> {
        let began = Instant::now();
        if !self.start_recording() {
            return Ok(None);
        }
        Ok(Some(BackupRun {
            db: self.clone(),
            began,
            start_pause: began.elapsed(),
            recording: true,
        }))
    }
}

impl BackupRun {
    /// Scans every key into `out`, then the writes recorded meanwhile.
    pub fn write_to(mut self, out: &mut dyn Write) -> Result<BackupSummary, StorageError> {
        let mut file = Counted {
            out,
            crc: crc32fast::Hasher::new(),
            bytes: 0,
        };
        let scanned = self.db.scan_all(&mut file);
        let stopping = Instant::now();
        let recorded = self.db.take_recorded_writes();
        self.recording = false;
        let end_pause = stopping.elapsed();
        let mut frames = scanned?;
        if recorded.overflowed {
            return Err(StorageError::Engine(format!(
                "backup: more than {} MiB was written while the scan ran (is the \
                 backup read too slowly?); nothing usable was taken",
                super::flusher::Recording::LIMIT >> 20
            )));
        }
        let writes_during_scan = recorded.writes.len() as u64;
        for (key, value) in &recorded.writes {
            file.frame(key, value.as_deref()).map_err(io_error)?;
            frames += 1;
        }
        // Any id handed out after the snapshot is past those it holds.
        let next_id = self.db.next_id()?;
        let mut end = vec![END];
        end.extend_from_slice(&frames.to_be_bytes());
        end.extend_from_slice(&next_id.to_be_bytes());
        file.put(&end).map_err(io_error)?;
        let crc = file.crc.clone().finalize();
        file.out.write_all(&crc.to_be_bytes()).map_err(io_error)?;
        file.out.flush().map_err(io_error)?;
        Ok(BackupSummary {
            frames,
            bytes: file.bytes + 4,
            writes_during_scan,
            writers_paused_us: self.start_pause.max(end_pause).as_micros() as u64,
        })
    }

    /// When the backup began.
    pub fn began(&self) -> Instant {
        self.began
    }
}

impl Drop for BackupRun {
    fn drop(&mut self) {
        if self.recording {
            self.db.take_recorded_writes();
        }
    }
}

impl Db {
    fn scan_all(&self, file: &mut Counted<'_>) -> Result<u64, StorageError> {
        file.put(MAGIC).map_err(io_error)?;
        let mut frames = 0;
        for entry in self.engine().iter() {
            let (key, value) = entry?;
            if key.as_ref() == keys::JOURNAL {
                continue;
            }
            file.frame(&key, Some(&value)).map_err(io_error)?;
            frames += 1;
            // Past the recording's limit the backup has failed: stop now
            // rather than send the rest of the database for nothing.
            if frames % 4096 == 0 && self.recording_overflowed() {
                break;
            }
        }
        Ok(frames)
    }
}

/// Reads exactly `n` bytes, counted into the CRC.
fn take(input: &mut impl Read, crc: &mut crc32fast::Hasher, n: usize) -> io::Result<Vec<u8>> {
    // Grows as bytes arrive: a damaged length in a short file ends at the
    // file's end, not in one allocation that large.
    let mut buf = Vec::with_capacity(n.min(1 << 16));
    input.by_ref().take(n as u64).read_to_end(&mut buf)?;
    if buf.len() < n {
        return Err(io::Error::new(
            io::ErrorKind::UnexpectedEof,
            format!("cut short: {} of {n} bytes", buf.len()),
        ));
    }
    crc.update(&buf);
    Ok(buf)
}

fn be_u32(b: &[u8]) -> usize {
    u32::from_be_bytes([b[0], b[1], b[2], b[3]]) as usize
}

fn be_u64(b: &[u8]) -> u64 {
    let mut a = [0u8; 8];
    a.copy_from_slice(&b[..8]);
    u64::from_be_bytes(a)
}

/// Why a restore did not happen; the target directory is then removed.
#[derive(Debug, thiserror::Error)]
pub enum RestoreError {
    #[error("{0} is not empty: restore into a new directory")]
    NotEmpty(String),
    #[error("{0} is not a baedal backup")]
    NotABackup(String),
    #[error("the backup is damaged: {0}")]
    Damaged(String),
    #[error(transparent)]
    Storage(#[from] StorageError),
}

/// Rebuilds the database in `to` (a new or empty directory) from the backup
/// file `from`, checks its checksum and frame count, and opens it once,
/// which upgrades a backup of an older schema. Nothing is left in `to` if
/// it fails.
pub fn restore(from: &Path, to: &Path) -> Result<BackupSummary, RestoreError> {
    if to.exists()
        && std::fs::read_dir(to)
            .map(|mut d| d.next().is_some())
            .unwrap_or(true)
    {
        return Err(RestoreError::NotEmpty(to.display().to_string()));
    }
    let restored = rebuild(from, to);
    if restored.is_err() {
        let _ = std::fs::remove_dir_all(to);
    }
    restored
}

fn rebuild(from: &Path, to: &Path) -> Result<BackupSummary, RestoreError> {
    let damaged = |e: io::Error| RestoreError::Damaged(e.to_string());
    let file = std::fs::File::open(from).map_err(damaged)?;
    let bytes = file.metadata().map_err(damaged)?.len();
    let mut input = BufReader::with_capacity(1 << 20, file);
    let mut crc = crc32fast::Hasher::new();
    if take(&mut input, &mut crc, MAGIC.len()).ok().as_deref() != Some(MAGIC) {
        return Err(RestoreError::NotABackup(from.display().to_string()));
    }
    let config = StorageConfig {
        path: to.to_path_buf(),
        durability: Durability::Durable,
        cache_capacity_bytes: 64 << 20,
    };
    let engine = open_engine(&config)?;
    let (mut frames, mut batch, mut in_batch) = (0u64, sled::Batch::default(), 0);
    let (count, next_id) = loop {
        let tag = take(&mut input, &mut crc, 1).map_err(damaged)?[0];
        if tag == END {
            let tail = take(&mut input, &mut crc, 16).map_err(damaged)?;
            break (be_u64(&tail[..8]), be_u64(&tail[8..]));
        }
        let len = be_u32(&take(&mut input, &mut crc, 4).map_err(damaged)?);
        if len > MAX_KEY {
            return Err(RestoreError::Damaged(format!("a key of {len} bytes")));
        }
        let key = take(&mut input, &mut crc, len).map_err(damaged)?;
        match tag {
            PUT => {
                let len = be_u32(&take(&mut input, &mut crc, 4).map_err(damaged)?);
                if len > MAX_VALUE {
                    return Err(RestoreError::Damaged(format!("a value of {len} bytes")));
                }
                batch.insert(key, take(&mut input, &mut crc, len).map_err(damaged)?);
            }
            REMOVE => batch.remove(key),
            other => return Err(RestoreError::Damaged(format!("unknown frame {other}"))),
        }
        frames += 1;
        in_batch += 1;
        if in_batch == RESTORE_BATCH {
            engine
                .apply_batch(std::mem::take(&mut batch))
                .map_err(StorageError::from)?;
            in_batch = 0;
        }
    };
    let mut stored = [0u8; 4];
    input.read_exact(&mut stored).map_err(damaged)?;
    if crc.finalize() != u32::from_be_bytes(stored) {
        return Err(RestoreError::Damaged("its checksum does not match".into()));
    }
    if count != frames {
        return Err(RestoreError::Damaged(format!(
            "{frames} frames where it says {count}"
        )));
    }
    engine.apply_batch(batch).map_err(StorageError::from)?;
    while engine.generate_id().map_err(StorageError::from)? < next_id {}
    engine.flush().map_err(StorageError::from)?;
    drop(engine);
    // Opening runs the upgrade a backup of an older schema needs.
    drop(Db::open(&config)?);
    Ok(BackupSummary {
        frames,
        bytes,
        ..BackupSummary::default()
    })
}

/// Long pauses would show here first: a backup reports its own.
pub fn describe(summary: &BackupSummary, took: Duration) -> String {
    format!(
        "{} frames, {} bytes in {:.1} s ({} writes made during the scan); writers paused at most {} µs",
        summary.frames,
        summary.bytes,
        took.as_secs_f64(),
        summary.writes_during_scan,
        summary.writers_paused_us
    )
}

#[cfg(test)]
#[path = "backup_tests.rs"]
mod tests;
