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
    /// One permit per thread: a caller waits here, asynchronously, so a
    /// job is only sent when a thread is free to take it.
    turns: Semaphore,
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

fn pool() -> Result<&'static Pool, String> {
    static POOL: OnceLock<Result<Pool, String>> = OnceLock::new();
    POOL.get_or_init(|| {
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
        Ok(Pool {
            turns: Semaphore::new(n),
            jobs: Mutex::new(jobs),
        })
    })
    .as_ref()
    .map_err(Clone::clone)
}

fn work(queue: &Mutex<Receiver<Job>>) {
    loop {
        // The lock is held only while waiting for the next job.
        let job = match queue.lock() {
            Ok(queue) => queue.recv(),
            Err(_) => return,
        };
        match job {
            Ok(job) => job(),
            Err(_) => return,
        }
    }
}

/// Runs `f` (an argon2 hash or check) on one of the hashing threads, once
/// one is free. Errors only if those threads cannot be started or are gone.
pub async fn run<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> Result<T, String> {
    let pool = pool()?;
    let _turn = pool
        .turns
        .acquire()
        .await
        .map_err(|e| format!("password hashing stopped: {e}"))?;
    let (answer, answered) = tokio::sync::oneshot::channel();
    let job: Job = Box::new(move || {
        let _ = answer.send(f());
    });
    pool.jobs
        .lock()
        .map_err(|_| "password hashing stopped".to_string())?
        .send(job)
        .map_err(|_| "password hashing stopped".to_string())?;
    answered
        .await
        .map_err(|_| "password hashing stopped".to_string())
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
}
