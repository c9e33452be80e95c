//! systemd's service protocol (`sd_notify`, through the `sd-notify`
//! crate): `READY=1` once the server listens, `WATCHDOG=1` while it is
//! alive, `STOPPING=1` when it stops, and `STATUS=` saying which. Outside
//! systemd (no `NOTIFY_SOCKET`) every call does nothing.
//!
//! The watchdog pings only while the process works, not merely while it
//! runs: each ping first checks that the flusher is not stuck in a flush and
//! that every actor arbiter runs a task it is given, both within half the
//! watchdog interval (`WatchdogSec=` in `deploy/systemd/baedal.service`).
//! A wedged process thus stops pinging and systemd restarts it.

use crate::storage::Db;
use actix_rt::ArbiterHandle;
use sd_notify::NotifyState;
use std::time::Duration;

fn notify(states: &[NotifyState]) {
    if let Err(e) = sd_notify::notify(states) {
        tracing::warn!(error = %e, "cannot notify the service manager");
    }
}

/// The server listens: `READY=1`.
pub fn ready() {
    notify(&[NotifyState::Ready, NotifyState::Status("serving")]);
}

/// The server is stopping: `STOPPING=1`.
pub fn stopping() {
    notify(&[NotifyState::Stopping, NotifyState::Status("stopping")]);
}

/// Why the process is not well, if it is not: a flush running longer than
/// `limit`, or an arbiter that does not run a task within `limit`.
async fn unwell(db: &Db, arbiters: &[ArbiterHandle], limit: Duration) -> Option<String> {
    if let Some(took) = db.flushing_for().filter(|took| *took > limit) {
        return Some(format!(
            "the flusher has been stuck in a flush for {took:?}"
        ));
    }
    for (n, arbiter) in arbiters.iter().enumerate() {
        let (tx, rx) = tokio::sync::oneshot::channel();
        let sent = arbiter.spawn(async move {
            let _ = tx.send(());
        });
        let ran = sent && matches!(tokio::time::timeout(limit, rx).await, Ok(Ok(())));
        if !ran {
            return Some(format!(
                "actor arbiter {n} did not run a task within {limit:?}"
            ));
        }
    }
    None
}

/// If systemd asked for a watchdog (`WATCHDOG_USEC`), pings it every half
/// interval while the process is well, on the current arbiter (a wedged
/// main arbiter stops the pings too). When it is not, the pings stop and
/// `STATUS=` says why; they resume if it recovers in time.
pub fn spawn_watchdog(db: Db, arbiters: Vec<ArbiterHandle>) {
    let Some(interval) = sd_notify::watchdog_enabled() else {
        return;
    };
    let every = interval / 2;
    tracing::info!(?interval, "the systemd watchdog is on");
    actix_rt::spawn(async move {
        let mut ticks = tokio::time::interval(every);
        let mut well = true;
        loop {
            ticks.tick().await;
            match unwell(&db, &arbiters, every).await {
                None => {
                    if !well {
                        tracing::info!("well again: watchdog pings resume");
                        notify(&[NotifyState::Status("serving")]);
                    }
                    well = true;
                    notify(&[NotifyState::Watchdog]);
                }
                Some(why) => {
                    if well {
                        tracing::error!(%why, "withholding the watchdog ping");
                        notify(&[NotifyState::Status(&format!("unhealthy: {why}"))]);
                    }
                    well = false;
                }
            }
        }
    });
}
