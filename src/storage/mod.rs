//! Durable storage: one sled database behind a small interface.
//!
//! No sled type leaves this module. The rest of the code sees [`Db`]: typed
//! gets and prefix scans, atomic [`WriteBatch`]es that also append events to
//! the log, the log itself, and a [`Horizon`] telling how far writes are
//! acknowledged (durable, in the default mode).

mod backup;
mod codec;
mod compact;
mod db;
mod disk;
mod engine;
mod flusher;
mod journal;
pub mod keys;
mod schema;
mod staged;

pub use backup::{describe as describe_backup, restore, BackupRun, BackupSummary, RestoreError};
pub use codec::{decode, encode};
pub use compact::{compact, dir_size, CompactError, Compacted};
pub use db::{CommitSeq, Db, Durability, StorageConfig, WriteBatch};
pub use disk::disk_takes_writes;
pub use flusher::Horizon;
pub use schema::CURRENT as SCHEMA;
pub use staged::Staged;

/// A failure of the storage engine or of decoding what it holds.
#[derive(Debug, Clone, thiserror::Error)]
pub enum StorageError {
    #[error("storage engine: {0}")]
    Engine(String),
    #[error("stored value could not be read: {0}")]
    Codec(String),
    /// The database was written by a newer release; nothing was changed.
    #[error(
        "the database is at schema {found}, written by a newer baedal; this binary \
         reads schema {supported} and older. Run the release that wrote it (or a newer one)"
    )]
    NewerSchema { found: u32, supported: u32 },
    /// Writing stopped: the disk refused a write or a flush (full, failing,
    /// read-only), or a commit failed half way. Reads still work; writing
    /// resumes only in a new process (sled keeps its I/O error), which
    /// `baedal serve` starts by exiting once the disk takes writes again.
    #[error("storage is unavailable ({0}); nothing more is written until baedal restarts")]
    Unavailable(String),
}

impl From<sled::Error> for StorageError {
    fn from(e: sled::Error) -> Self {
        StorageError::Engine(e.to_string())
    }
}
