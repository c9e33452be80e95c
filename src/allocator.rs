//! One setting of the C allocator, made before anything allocates.

/// Blocks of at least 1 MiB are mapped and unmapped on their own, so that
/// freeing one gives its memory back to the system at once.
///
/// glibc's default threshold is 128 KiB but rises, up to 32 MiB, to the
/// size of each mapped block freed. sled's I/O buffers are a segment each
/// (8 MiB, see `storage::engine::SEGMENT_SIZE`), allocated and freed as
/// flushes go, so after the first few they are carved from the heap's
/// arenas instead, whose freed memory glibc keeps. Two
/// `loadgen --orders 20000` runs ended at 488 and 655 MB resident that
/// way, against 183 and 247 MB with the threshold fixed (BENCHMARKS.md,
/// "Why the database grows"). Fixing it is also what
/// `MALLOC_MMAP_THRESHOLD_` does; this makes it the binary's own setting.
/// A no-op with any other C library.
pub fn return_large_blocks_to_the_system() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: mallopt only changes a parameter of the allocator; called
    // first thing in main, before any other thread exists.
    unsafe {
        libc::mallopt(libc::M_MMAP_THRESHOLD, 1 << 20);
    }
}
