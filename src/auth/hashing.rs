//! Where passwords are hashed and checked: a few threads of their own.
//!
//! argon2 (`password`) takes 19 MiB of working memory per hash, which each
//! thread keeps for its next one. On tokio's blocking pool a hash ran on
//! whichever of many threads was free, each then keeping 19 MiB (glibc
//! kept the freed ones in that thread's arena too): `loadgen --orders
//! 5000` left the server at 355 MB resident, against 106 MB on these
//! threads (BENCHMARKS.md, "Why the database grows").

use std::sync::mpsc::{channel, Receiver, Sender};
use std::sync::{Arc, Mutex, OnceLock};
use tokio::sync::Semaphore;

type Job = Box<dyn FnOnce() + Send>;

struct Pool {
    /// One permit per thread, held by a job until it has run: a caller
    /// waits here, asynchronously, so a job is sent only when a thread is
    /// free, even if its caller went away meanwhile.
    turns: Arc<Semaphore>,
    jobs: Mutex<Sender<Job>>,
}

/// How many passwords are hashed or checked at once: half the cores (at
/// least one). Each takes 19 MiB and some 17 ms of a core; a flood of
/// sign-ins waits here (and then at admission control) instead of taking
/// every core and gigabytes of memory.
fn threads() -> usize {
    let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
    (cores / 2).max(1)
}

/// The pool, started on first use. A failure to start it is not kept: the
/// next caller tries again.
fn pool() -> Result<&'static Pool, String> {
    static POOL: OnceLock<Pool> = OnceLock::new();
    if let Some(pool) = POOL.get() {
        return Ok(pool);
    }
    let (jobs, queue) = channel::<Job>();
    let queue = Arc::new(Mutex::new(queue));
    let n = threads();
    for i in 0..n {
        let queue = queue.clone();
        std::thread::Builder::new()
            .name(format!("password-{i}"))
            .spawn(move || work(&queue))
            .map_err(|e| format!("cannot start a password hashing thread: {e}"))?;
    }
    // Two first callers may both get here: one pool is kept, and the
    // other's threads end once its sender is dropped.
    Ok(POOL.get_or_init(|| Pool {
        turns: Arc::new(Semaphore::new(n)),
        jobs: Mutex::new(jobs),
    }))
}

fn work(queue: &Mutex<Receiver<Job>>) {
    loop {
        // The lock is held only while waiting for the next job.
        let job = match queue.lock() {
            Ok(queue) => queue.recv(),
            Err(_) => return,
        };
        let Ok(job) = job else {
            return;
        };
        // A job that panics fails its caller (its answer is dropped), not
        // the thread.
        if std::panic::catch_unwind(std::panic::AssertUnwindSafe(job)).is_err() {
            tracing::error!("a password hashing job panicked");
        }
    }
}

/// Runs `f` (an argon2 hash or check) on one of the hashing threads, once
/// one is free; not at all if the caller has gone away by then. Errors only
/// if those threads cannot be started, or `f` panicked.
pub async fn run<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> Result<T, String> {
    const STOPPED: &str = "password hashing stopped";
    let pool = pool()?;
    let turn = pool
        .turns
        .clone()
        .acquire_owned()
        .await
        .map_err(|e| format!("{STOPPED}: {e}"))?;
    let (answer, answered) = tokio::sync::oneshot::channel();
    let job: Job = Box::new(move || {
        let _turn = turn;
        if !answer.is_closed() {
            let _ = answer.send(f());
        }
    });
    pool.jobs
        .lock()
        .map_err(|_| STOPPED.to_string())?
        .send(job)
        .map_err(|_| STOPPED.to_string())?;
    answered.await.map_err(|_| STOPPED.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn jobs_run_on_the_few_hashing_threads_and_answer() {
        let names: Vec<String> = futures_util::future::join_all((0..8).map(|_| {
            run(|| {
                std::thread::current()
                    .name()
                    .unwrap_or_default()
                    .to_string()
            })
        }))
        .await
        .into_iter()
        .map(Result::unwrap)
        .collect();
        let mut distinct = names.clone();
        distinct.sort();
        distinct.dedup();
        assert!(distinct.len() <= threads(), "{distinct:?}");
        assert!(
            names.iter().all(|n| n.starts_with("password-")),
            "{names:?}"
        );
    }

    #[tokio::test]
    async fn a_job_that_panics_fails_alone_and_the_threads_go_on() {
        let failed = run(|| -> u32 { panic!("a bug in a hash") }).await;
        assert!(failed.is_err());
        for _ in 0..threads() + 1 {
            assert_eq!(run(|| 7).await.unwrap(), 7);
        }
    }
}
