//! Notifications: the log of them, and a WebSocket that pushes them live.

use super::admission::Held;
use super::caller::Caller;
use super::paged::paged_by;
use super::{ApiResult, AppState, Problem};
use crate::actors::projections::notifier;
use crate::actors::services::tracking::Position;
use crate::actors::subscribers::Subscriber;
use crate::auth::AccessClaims;
use crate::domain::access::{self, Principal, Role, StoreAction};
use crate::domain::ids::validate_id;
use crate::domain::notification::{Audience, Notification};
use crate::domain::paging::{Page, PageRequest};
use crate::domain::Timestamp;
use crate::read;
use actix_web::{web, HttpMessage, HttpRequest, HttpResponse};
use serde::Deserialize;
use std::time::{Duration, Instant};
use tokio::sync::broadcast::error::RecvError;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/notifications", web::get().to(list))
        .route("/ws", web::get().to(live));
}

/// This module's routes in the API's contract (`http::openapi`).
#[derive(utoipa::OpenApi)]
#[openapi(paths(list, live))]
pub(super) struct Api;

/// Whose notifications: at most one of the three ids (none: the caller's
/// own, as a customer, a rider, or the owner of one store).
#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct Query {
    customer_id: Option<String>,
    store_id: Option<String>,
    rider_id: Option<String>,
    /// Only notifications after this id.
    since: Option<u64>,
    limit: Option<usize>,
    /// The WebSocket's access token (RFC 6750, section 2.3); read by
    /// `Caller`.
    #[allow(dead_code)]
    #[serde(rename = "access_token")]
    #[param(ignore)]
    access_token: Option<String>,
}

impl Query {
    /// The audience asked for, if `by` may read it: a customer's or
    /// rider's are theirs, a store's its owner's; operators read any.
    fn audience(&self, state: &AppState, by: &Principal) -> ApiResult<Audience> {
        let audience = match (&self.customer_id, &self.store_id, &self.rider_id, by) {
            (Some(id), None, None, _) => Audience::Customer(id.clone()),
            (None, Some(id), None, _) => Audience::Store(id.clone()),
            (None, None, Some(id), _) => Audience::Rider(id.clone()),
            (None, None, None, Principal::Customer(id)) => Audience::Customer(id.clone()),
            (None, None, None, Principal::Rider(id)) => Audience::Rider(id.clone()),
            (None, None, None, Principal::Owner { stores, .. }) if stores.len() == 1 => {
                Audience::Store(stores[0].clone())
            }
            _ => {
                return Err(Problem::invalid(
                    "give exactly one of customerId, storeId or riderId",
                ))
            }
        };
        validate_id("id", audience.id())?;
        match &audience {
            Audience::Customer(id) => access::check_own(by, Role::Customer, id, "customer")?,
            Audience::Rider(id) => access::check_own(by, Role::Rider, id, "rider")?,
            Audience::Store(id) => {
                super::stores::visible_store(state, by, id)?;
                access::check_store(by, id, StoreAction::ReadOrders)?;
            }
        }
        Ok(audience)
    }
}

/// A page of an audience's notifications after `since`; the next page's
/// link carries the last one's id as `since`.
#[utoipa::path(get, path = "/notifications", tag = "notifications", params(Query),
    responses(
        (status = 200, description = "A page of notifications after `since`; `Link: rel=\"next\"` carries the last id as `since`.", body = Vec<Notification>),
        (status = 403, description = "Not the caller's, and not an operator."),
        (status = 404, description = "No such store."),
    ))]
async fn list(
    state: web::Data<AppState>,
    req: HttpRequest,
    caller: Caller,
    q: web::Query<Query>,
) -> ApiResult<HttpResponse> {
    let audience = q.audience(&state, &caller.principal)?;
    let page = PageRequest::parse(q.limit, None)?;
    let found = notifier::list(&state.db, &audience, q.since.unwrap_or(0), page.limit + 1)?;
    let page = Page::of(found, page.limit, |n| n.id.to_string());
    Ok(paged_by(&req, page, "since"))
}

/// Upgrades to a WebSocket that sends one JSON message per notification:
/// first those after `since` (none without it), then each new one.
#[utoipa::path(get, path = "/ws", tag = "notifications",
    params(Query, ("access_token" = Option<String>, Query, description = "The access token, for a browser that cannot set a header on a WebSocket (RFC 6750, section 2.3).")),
    description = "Upgrades to a WebSocket (RFC 6455) that sends one JSON text message per notification (a `Notification`): first those after `since`, then each new one. A customer's own socket also gets `{\"tracking\": {…}}` with the rider's position and the ETA while a delivery is on its way. After a reconnect, send `since` = the last id seen. The access token may be sent as `?access_token=`.",
    responses(
        (status = 101, description = "Switching to the WebSocket protocol."),
        (status = 403, description = "Not the caller's, and not an operator."),
    ))]
async fn live(
    state: web::Data<AppState>,
    req: HttpRequest,
    body: web::Payload,
    caller: Caller,
    q: web::Query<Query>,
) -> Result<HttpResponse, actix_web::Error> {
    let audience = q.audience(&state, &caller.principal)?;
    // Held as long as the socket is open: a place among the account's
    // sockets, and the request's admission permit.
    let slot = state
        .sockets
        .open(caller.principal.id(), state.max_sockets_per_account)?;
    let permit = req.extensions().get::<Held>().and_then(Held::take);
    let (response, session, stream) = actix_ws::handle(&req, body)?;
    // Subscribe before reading the backlog, so nothing falls in between;
    // what arrives twice is skipped by id.
    let live = state.hub.subscribe(&audience);
    // A rider's position is its customer's alone: not even an operator
    // listening for them gets it.
    let tracked = match (&caller.principal, &audience) {
        (Principal::Customer(me), Audience::Customer(them)) if me == them => Some(me.clone()),
        _ => None,
    };
    let positions = tracked.as_ref().map(|me| state.tracking.subscribe(me));
    let tracking = state.tracking.clone();
    let since = match q.since {
        Some(since) => since,
        // From now: where the notifier is (not the log, which may be ahead
        // of it: those notifications are still to come, live).
        None => read::applied(&state.db, Subscriber::Notifier).map_err(Problem::from)?,
    };
    let (db, hub) = (state.db.clone(), state.hub.clone());
    let (claims, ping_every) = (caller.claims.clone(), state.websocket_ping);
    actix_rt::spawn(async move {
        let span = tracing::info_span!("websocket", audience = %audience);
        let socket = Socket {
            db,
            claims,
            ping_every,
        };
        let pushed = push(&socket, &audience, since, live, positions, session, stream);
        let _ = tracing::Instrument::instrument(pushed, span).await;
        hub.release(&audience);
        if let Some(me) = tracked {
            tracking.release(&me);
        }
        drop((slot, permit));
    });
    Ok(response)
}

/// What a socket's loop keeps: where to read, whose token it was opened
/// with, and how often it pings (`--websocket-ping-secs`; a client silent
/// for three pings is gone).
struct Socket {
    db: crate::storage::Db,
    claims: AccessClaims,
    ping_every: Duration,
}

impl Socket {
    /// Whether its caller is still signed in: the token unexpired, the
    /// account active and the session not ended (signed out, disabled).
    fn still_signed_in(&self) -> bool {
        let now = Timestamp::now();
        now.0 / 1000 < self.claims.exp && read::principal(&self.db, &self.claims, now).is_ok()
    }
}

async fn push(
    socket: &Socket,
    audience: &Audience,
    mut last: u64,
    mut live: tokio::sync::broadcast::Receiver<Notification>,
    mut positions: Option<tokio::sync::broadcast::Receiver<Position>>,
    mut session: actix_ws::Session,
    mut stream: actix_ws::MessageStream,
) -> Result<(), actix_ws::Closed> {
    use futures_util::StreamExt;
    catch_up(&socket.db, audience, &mut last, &mut session).await?;
    let mut heartbeat = tokio::time::interval(socket.ping_every);
    let mut heard = Instant::now();
    loop {
        tokio::select! {
            _ = heartbeat.tick() => {
                if heard.elapsed() > socket.ping_every * 3 {
                    // Gone without a word (a phone that lost its network).
                    return session.close(None).await;
                }
                if !socket.still_signed_in() {
                    // The client reconnects with a fresh token, if it has one.
                    return session.close(Some(actix_ws::CloseCode::Policy.into())).await;
                }
                session.ping(b"").await?;
            }
            position = next_position(&mut positions) => match position {
                Ok(p) => {
                    let text = serde_json::json!({ "tracking": p }).to_string();
                    session.text(text).await?;
                }
                // A missed position is superseded by the next one.
                Err(RecvError::Lagged(_)) => {}
                Err(RecvError::Closed) => positions = None,
            },
            received = live.recv() => match received {
                Ok(n) if n.id > last => {
                    last = n.id;
                    send(&mut session, &n).await?;
                }
                Ok(_) => {}
                // Too slow for the live buffer: read what was missed.
                Err(RecvError::Lagged(_)) => catch_up(&socket.db, audience, &mut last, &mut session).await?,
                Err(RecvError::Closed) => return session.close(None).await,
            },
            incoming = stream.next() => {
                heard = Instant::now();
                match incoming {
                    Some(Ok(actix_ws::Message::Ping(bytes))) => session.pong(&bytes).await?,
                    Some(Ok(actix_ws::Message::Close(reason))) => return session.close(reason).await,
                    Some(Ok(_)) => {}
                    Some(Err(_)) | None => return Ok(()),
                }
            }
        }
    }
}

/// The next position for a socket that tracks its customer's deliveries;
/// never, for any other.
async fn next_position(
    positions: &mut Option<tokio::sync::broadcast::Receiver<Position>>,
) -> Result<Position, RecvError> {
    match positions {
        Some(rx) => rx.recv().await,
        None => std::future::pending().await,
    }
}

/// Most missed notifications a socket is sent on (re)connecting: past it,
/// the client is told where to resume (`{"resumeSince": <id>}`) and the
/// socket closes; it reconnects with `?since=` for the rest.
const MAX_CATCH_UP: usize = 500;

async fn catch_up(
    db: &crate::storage::Db,
    audience: &Audience,
    last: &mut u64,
    session: &mut actix_ws::Session,
) -> Result<(), actix_ws::Closed> {
    let missed = match notifier::list(db, audience, *last, MAX_CATCH_UP + 1) {
        Ok(missed) => missed,
        // Do not skip what cannot be read: close, and the client
        // reconnects with `since`.
        Err(e) => {
            tracing::error!(error = %e, "cannot read notifications; closing the socket");
            session.clone().close(None).await?;
            return Err(actix_ws::Closed);
        }
    };
    let more = missed.len() > MAX_CATCH_UP;
    for n in missed.into_iter().take(MAX_CATCH_UP) {
        *last = n.id;
        send(session, &n).await?;
    }
    if more {
        session
            .text(serde_json::json!({ "resumeSince": *last }).to_string())
            .await?;
        session.clone().close(None).await?;
        return Err(actix_ws::Closed);
    }
    Ok(())
}

async fn send(session: &mut actix_ws::Session, n: &Notification) -> Result<(), actix_ws::Closed> {
    session
        .text(serde_json::to_string(n).unwrap_or_default())
        .await
}
