//! Wires storage, actors, subscribers and HTTP together, and runs until
//! SIGTERM or Ctrl-C (graceful: stop accepting, finish in-flight requests,
//! flush, exit 0).

use crate::actors::dispatcher;
use crate::actors::payment::{Gateway, PaymentActor, Sandbox, SandboxRules, Toss};
use crate::actors::projections::kitchen;
use crate::actors::projections::notifier::Hub;
use crate::actors::projections::Deps;
use crate::actors::reactions::webhook;
use crate::actors::registry::{Env, Registry};
use crate::actors::services::tracking::TrackingHub;
use crate::actors::services::{resolver, retention, timers};
use crate::actors::subscribers::{self, Subscriber, Wiring};
use crate::actors::webhooks;
use crate::auth::{self, Tokens};
use crate::config::{DurabilityMode, ServeArgs};
use crate::config::{GatewayArgs, GatewayKind};
use crate::demo;
use crate::domain::limits::OrderLimits;
use crate::domain::wallet::ReviewCoupon;
use crate::error::AppError;
use crate::http::rate_limits::RateLimits;
use crate::http::sockets::Sockets;
use crate::http::{self, admission::Admission, metrics::Metrics, AppState};
use crate::storage::{self, Db, Durability, StorageConfig, StorageError};
use crate::supervision::{Faults, Guard};
use crate::systemd;
use actix::prelude::*;
use actix_web::{web, App, HttpServer};
use std::sync::Arc;
use std::time::Duration;

/// Why the server could not start or stop cleanly.
#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    #[error("cannot open the database: {0}")]
    Storage(#[from] StorageError),
    #[error("cannot start: {0}")]
    Start(#[from] AppError),
    #[error("cannot listen: {0}")]
    Io(#[from] std::io::Error),
    #[error("invalid settings: {0}")]
    Config(String),
    #[error("metrics: {0}")]
    Metrics(#[from] prometheus::Error),
    /// Writing stopped (a full or failing disk) and the disk takes writes
    /// again: exiting lets the supervisor start a process that can write.
    #[error("storage failed ({0}) and is writable again: exiting so that baedal is restarted")]
    StorageRecovered(String),
}

fn storage_config(args: &ServeArgs) -> StorageConfig {
    StorageConfig {
        path: args.data_dir.clone(),
        durability: match args.durability {
            DurabilityMode::Durable => Durability::Durable,
            DurabilityMode::Relaxed => Durability::Relaxed {
                interval: Duration::from_millis(args.flush_interval_ms),
            },
        },
        cache_capacity_bytes: args.cache_mb * 1024 * 1024,
    }
}

/// sled's recovery reads its whole page table at once, a peak of about
/// 2.5 times what it then keeps (a massif profile, BENCHMARKS.md); glibc
/// would keep that peak resident for good.
fn release_startup_peak() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: malloc_trim only returns free heap pages to the system.
    unsafe {
        libc::malloc_trim(0);
    }
}

/// Runs the server until it is told to stop. Must run inside an actix System.
pub async fn serve(args: ServeArgs) -> Result<(), ServeError> {
    // Before anything can say the server listens (see `stop_signal`).
    let stop = stop_signal();
    args.check_secrets().map_err(ServeError::Config)?;
    let db = Db::open(&storage_config(&args))?;
    release_startup_peak();
    if !args.no_demo {
        let loaded = demo::load(&db).await?;
        if loaded.stores > 0 {
            tracing::info!(stores = loaded.stores, "loaded the demo stores");
        }
        if loaded.accounts > 0 {
            tracing::info!(
                accounts = loaded.accounts,
                password = demo::DEMO_PASSWORD,
                "added the demo accounts (owner-<storeId>, rider-1 … rider-{}): for local trials only",
                demo::DEMO_RIDERS
            );
        }
    }
    if let Some(password) = &args.admin_password {
        if demo::admin(&db, password).await? {
            tracing::info!("created the operator account admin");
        }
    }
    let secret =
        auth::secret::load(&db, args.auth_secret.as_deref()).map_err(ServeError::Config)?;
    let tokens = Arc::new(Tokens::new(
        &secret,
        Duration::from_secs(args.access_token_secs),
        auth::tokens::REFRESH_TTL,
    ));
    let sandbox = Sandbox::new(
        SandboxRules::new(
            args.sandbox_latency_ms,
            args.sandbox_decline_over,
            args.sandbox_decline_prefix.clone(),
        ),
        db.clone(),
    );
    let breaker = args.breaker.config().map_err(ServeError::Config)?;
    let guard = Guard::new(breaker.clone());
    let faults = Arc::new(Faults::default());
    let gateway = gateway(&args.gateway, &sandbox)?;
    let needs_payment_key = gateway.needs_payment_key();
    let payment = PaymentActor::new(gateway, guard.clone()).start();
    let arbiters: Vec<Arbiter> = (0..args.arbiter_count()).map(|_| Arbiter::new()).collect();
    let env = Env {
        db: db.clone(),
        payment: payment.clone(),
        payment_guard: guard.clone(),
        faults: faults.clone(),
        checkout_keys: Default::default(),
        retention: args.retention(),
        review_coupon: ReviewCoupon {
            amount: args.review_coupon_won,
            min_order: args.review_coupon_min_order_won,
        },
        limits: OrderLimits {
            max_total: args.max_order_won,
            max_revisions: args.max_revisions,
        },
        passivate_after: Duration::from_secs(args.passivate_after_secs),
        mailbox_capacity: args.mailbox_capacity,
        accept_deadline_secs: args.accept_deadline_secs,
        needs_payment_key,
    };
    let registry = Registry::new(env, arbiters.iter().map(|a| a.handle()).collect());

    let held_back = kitchen::drain_all(&db)?;
    if held_back > 0 {
        tracing::info!(
            events = held_back,
            "delivered events held back from stores that were down"
        );
    }
    let hub = Arc::new(Hub::default());
    let running = subscribers::start_all(&Wiring {
        deps: Deps {
            db: db.clone(),
            hub: hub.clone(),
            webhook: args.webhook_url.is_some(),
        },
        gap: Duration::from_millis(args.subscriber_batch_ms),
        registry: registry.clone(),
        payment,
    })?;
    if let Some(url) = &args.webhook_url {
        webhook::spawn(db.clone(), url.clone());
        tracing::info!(%url, "notifications are POSTed to the webhook");
    }
    resolver::spawn(registry.clone(), breaker.call_timeout * 2);
    timers::spawn(registry.clone());
    let tls = webhooks::sender::tls_config(args.webhook_ca_file.as_deref())
        .map_err(|e| AppError::Internal(format!("--webhook-ca-file: {e}")))?;
    webhooks::sender::spawn(db.clone(), tls);
    retention::spawn(
        db.clone(),
        args.retention(),
        Duration::from_secs(args.retention_sweep_secs),
    );
    dispatcher::compact_log_every(
        db.clone(),
        Subscriber::names(),
        Duration::from_secs(args.log_compact_secs),
    );

    let metrics = Arc::new(Metrics::new()?);
    let rate_limits = RateLimits::new(args.rate_limit_config());
    let forgetting = rate_limits.clone();
    actix_rt::spawn(async move {
        let mut every = tokio::time::interval(Duration::from_secs(60));
        loop {
            every.tick().await;
            forgetting.forget_idle();
        }
    });
    let state = web::Data::new(AppState {
        registry,
        payment_guard: guard,
        db: db.clone(),
        board: running.board,
        kitchen: running.kitchen,
        metrics: metrics.clone(),
        sandbox,
        hub: hub.clone(),
        tracking: Arc::new(TrackingHub::default()),
        faults,
        chaos: args.chaos,
        tokens,
        rate_limits: rate_limits.clone(),
        max_sockets_per_account: args.max_websockets_per_account as usize,
        sockets: Arc::new(Sockets::new(args.max_in_flight as usize / 2)),
        websocket_ping: Duration::from_secs(args.websocket_ping_secs),
    });
    if args.chaos {
        tracing::warn!("fault injection is on: /admin/chaos is served");
    }
    let admission = Admission::new(args.max_in_flight as usize);
    let server = HttpServer::new(move || {
        let state = state.clone();
        let (metrics, admission, limits) = (
            metrics.clone(),
            admission.clone(),
            state.rate_limits.clone(),
        );
        App::new()
            .app_data(state.clone())
            .wrap_fn(move |req, srv| http::observe(req, srv, &metrics, &admission, &limits))
            .configure(|cfg| http::configure(cfg, state.chaos))
    })
    .workers(args.http_worker_count())
    .shutdown_timeout(30)
    // Signals are ours: live sockets must be closed for a graceful stop.
    .disable_signals()
    .bind(args.addr)?;
    for addr in server.addrs() {
        tracing::info!("listening on http://{addr}");
    }
    let server = server.run();
    let handle = server.handle();
    systemd::ready();
    systemd::spawn_watchdog(db.clone(), arbiters.iter().map(|a| a.handle()).collect());
    let recovered = storage_recovery(db.clone(), args.data_dir.clone());
    let stop_reason = Arc::new(std::sync::Mutex::new(None));
    let noted = stop_reason.clone();
    actix_rt::spawn(async move {
        tokio::select! {
            () = stop => {}
            why = recovered => {
                *noted.lock().unwrap_or_else(|p| p.into_inner()) = Some(why);
            }
        }
        systemd::stopping();
        tracing::info!("asked to stop: closing live sockets, finishing requests in flight");
        // WebSockets never end by themselves; closing their channels ends
        // them cleanly, and the rest is actix-web's graceful stop.
        hub.close_all();
        handle.stop(true).await;
    });
    server.await?;

    if let Some(why) = stop_reason.lock().unwrap_or_else(|p| p.into_inner()).take() {
        return Err(ServeError::StorageRecovered(why));
    }
    tracing::info!("stopped accepting; flushing");
    db.flush()?;
    for arbiter in arbiters {
        arbiter.stop();
    }
    tracing::info!("stopped");
    Ok(())
}

/// Ends once storage has failed (see `Db::failure`) and the data
/// directory takes writes again, with the failure's reason. Until then the
/// server answers reads and refuses writes; sled keeps its I/O error for
/// the life of the process, so only a new process writes again.
async fn storage_recovery(db: Db, dir: std::path::PathBuf) -> String {
    let mut every = tokio::time::interval(Duration::from_secs(1));
    loop {
        every.tick().await;
        let Some(why) = db.failure() else { continue };
        let probe = dir.clone();
        let writable = tokio::task::spawn_blocking(move || storage::disk_takes_writes(&probe))
            .await
            .unwrap_or(false);
        if writable {
            return why;
        }
    }
}

/// Listens for SIGTERM and Ctrl-C (SIGINT) from now on; the future ends at
/// the first. The handlers are installed when this is called, not when the
/// future is first polled: a signal sent as soon as the server says it
/// listens must not meet the default handler, which kills mid-write.
fn stop_signal() -> impl std::future::Future<Output = ()> {
    use tokio::signal::unix::{signal, SignalKind};
    let listen = |kind: SignalKind, name: &str| {
        signal(kind)
            .map_err(|e| tracing::warn!(error = %e, "cannot listen for {name}"))
            .ok()
    };
    let mut term = listen(SignalKind::terminate(), "SIGTERM");
    let mut int = listen(SignalKind::interrupt(), "SIGINT");
    async move {
        tokio::select! {
            Some(_) = async { term.as_mut()?.recv().await } => {}
            Some(_) = async { int.as_mut()?.recv().await } => {}
            else => std::future::pending().await,
        }
    }
}

/// The payment gateway `--payment-gateway` names.
fn gateway(args: &GatewayArgs, sandbox: &Sandbox) -> Result<Arc<dyn Gateway>, ServeError> {
    match (args.payment_gateway, &args.gateway_secret_key) {
        (GatewayKind::Toss, Some(secret_key)) => {
            let tls = webhooks::sender::tls_config(None).map_err(ServeError::Config)?;
            let toss = Toss::new(&args.gateway_url, secret_key, tls).map_err(ServeError::Config)?;
            tracing::info!(url = %args.gateway_url, "payments go to Toss Payments");
            Ok(Arc::new(toss))
        }
        _ => Ok(Arc::new(sandbox.clone())),
    }
}
