//! The HTTP API (v1): thin handlers that validate, send to an actor or read
//! a view, and answer JSON or problem+json.

mod accounts;
pub mod admission;
mod api_docs;
mod backup;
mod caller;
mod chaos;
pub mod console;
mod deliveries;
mod kitchen;
pub mod metrics;
mod mypages;
mod notifications;
mod observe;
pub mod openapi;
mod or_empty;
mod orders;
mod paged;
mod points;
mod problem;
mod problem_types;
pub mod rate_limits;
mod reviews;
mod riders;
pub mod sockets;
mod status;
mod store_settings;
mod stores;
mod webhooks;

pub use observe::observe;
pub use problem::Problem;

use crate::actors::payment::Sandbox;
use crate::actors::projections::board::DeliveryBoard;
use crate::actors::projections::kitchen::Kitchen;
use crate::actors::projections::notifier::Hub;
use crate::actors::projections::ProjectionActor;
use crate::actors::services::tracking::TrackingHub;
use crate::actors::Registry;
use crate::auth::Tokens;
use crate::domain::access::{self, Principal};
use crate::domain::ids::validate_id;
use crate::domain::paging::PageRequest;
use crate::storage::Db;
use crate::supervision::{Faults, Guard};
use actix::Addr;
use actix_web::web;
use std::sync::Arc;

/// Largest request body accepted.
pub const MAX_BODY_BYTES: usize = 64 * 1024;

/// What every handler can reach.
pub struct AppState {
    pub registry: Registry,
    /// The payment circuit breaker, shown in `/health` and `/metrics`.
    pub payment_guard: Guard,
    pub db: Db,
    pub board: Addr<ProjectionActor<DeliveryBoard>>,
    pub kitchen: Addr<ProjectionActor<Kitchen>>,
    pub metrics: Arc<metrics::Metrics>,
    /// The built-in payment gateway, for fault injection.
    pub sandbox: Sandbox,
    /// Live notification channels, for the WebSocket.
    pub hub: Arc<Hub>,
    /// Live rider positions for customers, for the WebSocket.
    pub tracking: Arc<TrackingHub>,
    /// Faults to inject, for `/admin/chaos/panic`.
    pub faults: Arc<Faults>,
    /// Whether `/admin/chaos` is served.
    pub chaos: bool,
    /// Signs and checks access tokens.
    pub tokens: Arc<Tokens>,
    /// Requests per second per client IP and per account.
    pub rate_limits: Arc<rate_limits::RateLimits>,
    /// Most WebSockets one account may hold open.
    pub max_sockets_per_account: usize,
    /// The WebSockets open, per account.
    pub sockets: Arc<sockets::Sockets>,
    /// How often an open WebSocket is pinged (and its caller's sign-in
    /// checked again).
    pub websocket_ping: std::time::Duration,
}

/// Handlers answer this.
pub type ApiResult<T> = Result<T, Problem>;

/// `?customerId=`: whose orders, MyPage or coupons; a customer may leave
/// it out (their own), an operator names one.
#[derive(serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct ByCustomer {
    #[serde(default)]
    customer_id: String,
    /// Items per page (50; at most 500).
    limit: Option<usize>,
    /// The cursor a `Link: rel="next"` gave.
    after: Option<String>,
}

impl ByCustomer {
    /// The customer whose things `by` asks for: their own, or (operators)
    /// the one named.
    fn whose(&self, by: &Principal) -> ApiResult<String> {
        if by.is_staff() {
            validate_id("customerId", &self.customer_id)?;
            return Ok(self.customer_id.clone());
        }
        Ok(access::acting_customer(by, &self.customer_id)?)
    }

    /// The page asked for.
    fn page(&self) -> ApiResult<PageRequest> {
        Ok(PageRequest::parse(self.limit, self.after.clone())?)
    }
}

/// Registers every route and the extractors' error handling; the chaos
/// routes only if `chaos`.
pub fn configure(cfg: &mut web::ServiceConfig, chaos: bool) {
    if chaos {
        cfg.configure(chaos::routes);
    }
    cfg.app_data(
        web::JsonConfig::default()
            .limit(MAX_BODY_BYTES)
            .error_handler(problem::json_error),
    )
    .app_data(web::QueryConfig::default().error_handler(problem::query_error))
    .app_data(web::PathConfig::default().error_handler(problem::path_error))
    // The lifecycle's routes first: a request is matched against each
    // route in turn, and those with path parameters cost a regex each.
    .configure(orders::routes)
    .configure(kitchen::routes)
    .configure(deliveries::routes)
    .configure(riders::routes)
    .configure(accounts::routes)
    .configure(stores::routes)
    .configure(mypages::routes)
    .configure(status::routes)
    .configure(points::routes)
    .configure(notifications::routes)
    .configure(reviews::routes)
    .configure(store_settings::routes)
    .configure(webhooks::routes)
    .configure(backup::routes)
    .configure(api_docs::routes)
    .configure(console::routes)
    .default_service(web::to(not_found));
}

async fn not_found(req: actix_web::HttpRequest) -> ApiResult<actix_web::HttpResponse> {
    Err(Problem::not_found(format!(
        "no route for {} {}",
        req.method(),
        req.path()
    )))
}
