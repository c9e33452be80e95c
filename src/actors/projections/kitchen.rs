//! The store side's kitchen: a ticket per order, kept from the log.
//!
//! A store whose side is down (fault injection) takes no deliveries: its
//! events are set aside in a durable backlog, in log order, in the same
//! batch as the kitchen's offset. When it is up again the backlog is
//! delivered, in order and once, before anything newer.

use crate::actors::projections::{Deps, Projection, ProjectionActor};
use crate::domain::event::OrderEventOf;
use crate::domain::kitchen::{self, Ticket};
use crate::domain::order::OrderEvent;
use crate::domain::paging::{Page, PageRequest};
use crate::domain::{Event, LogRecord, OrderId};
use crate::error::AppResult;
use crate::storage::{keys, Db, Staged, StorageError};
use actix::prelude::*;
use std::collections::HashSet;

/// The kitchen subscriber.
#[derive(Default)]
pub struct Kitchen {
    /// Stores whose side is down.
    down: HashSet<String>,
}

/// Applies one order event to its store's ticket.
fn apply_to_ticket(record: &LogRecord, staged: &mut Staged<'_>) -> AppResult<()> {
    let Some(OrderEventOf {
        order_id,
        store_id,
        event,
        ..
    }) = record.event.as_order()
    else {
        return Ok(());
    };
    let key = keys::ticket(store_id, order_id);
    let current = staged.get::<Ticket>(&key)?;
    if let Some(ticket) = kitchen::apply(current.as_ref(), event, record.at) {
        staged.put(key, &ticket)?;
        if matches!(event, OrderEvent::Placed(_)) {
            staged.put(keys::ticket_store(order_id), store_id)?;
        }
    }
    Ok(())
}

impl Projection for Kitchen {
    const NAME: &'static str = "kitchen";

    fn build(_deps: &Deps) -> AppResult<Self> {
        Ok(Kitchen::default())
    }

    fn apply(&mut self, record: &LogRecord, staged: &mut Staged<'_>) -> AppResult<()> {
        match &record.event {
            Event::Order { store_id, .. } if self.down.contains(store_id) => {
                staged.put(keys::kitchen_backlog(store_id, record.seq), record)?;
                Ok(())
            }
            _ => apply_to_ticket(record, staged),
        }
    }
}

/// Delivers a store's backlog, in log order, in one batch; returns how many.
pub fn drain(db: &Db, store_id: &str) -> AppResult<usize> {
    let backlog: Vec<(Vec<u8>, LogRecord)> = db
        .scan::<LogRecord>(&keys::kitchen_backlogs(store_id))
        .collect::<Result<_, _>>()?;
    if backlog.is_empty() {
        return Ok(0);
    }
    let mut staged = Staged::new(db);
    for (key, record) in &backlog {
        apply_to_ticket(record, &mut staged)?;
        staged.remove(key.clone());
    }
    db.commit(staged.into_batch())?;
    Ok(backlog.len())
}

/// Delivers every store's backlog (at start-up, when no store is down).
pub fn drain_all(db: &Db) -> AppResult<usize> {
    let stores: HashSet<String> = db
        .scan::<LogRecord>(keys::KITCHEN_BACKLOG)
        .filter_map(|r| match r.map(|(_, rec)| rec.event) {
            Ok(Event::Order { store_id, .. }) => Some(Ok(store_id)),
            Ok(_) => None,
            Err(e) => Some(Err(e)),
        })
        .collect::<Result<_, _>>()?;
    stores.iter().map(|s| drain(db, s)).sum()
}

/// Take a store's side down or bring it back up.
#[derive(Clone, Debug, Message)]
#[rtype(result = "AppResult<usize>")]
pub struct SetStoreDown {
    pub store_id: String,
    pub down: bool,
}

impl Handler<SetStoreDown> for ProjectionActor<Kitchen> {
    type Result = AppResult<usize>;

    /// Returns how many held-back events were delivered (bringing it up).
    fn handle(&mut self, msg: SetStoreDown, _: &mut Context<Self>) -> Self::Result {
        if msg.down {
            self.projection.down.insert(msg.store_id);
            return Ok(0);
        }
        let delivered = drain(self.db(), &msg.store_id)?;
        self.projection.down.remove(&msg.store_id);
        tracing::info!(store = %msg.store_id, delivered, "store side is up again");
        Ok(delivered)
    }
}

/// A store's tickets, by order id.
/// A page of a store's kitchen tickets, oldest order first; the cursor is
/// an order id.
pub fn tickets(db: &Db, store_id: &str, page: &PageRequest) -> AppResult<Page<Ticket>> {
    let after = page.after_number()?.map(|id| keys::ticket(store_id, id));
    let tickets = db
        .scan_after::<Ticket>(&keys::tickets(store_id), after.as_deref())
        .take(page.limit + 1)
        .map(|r| r.map(|(_, t)| t))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(Page::of(tickets, page.limit, |t| t.order_id.to_string()))
}

/// One ticket, wherever its store.
pub fn ticket(db: &Db, order_id: OrderId) -> Result<Option<Ticket>, StorageError> {
    match db.get::<String>(&keys::ticket_store(order_id))? {
        Some(store) => db.get(&keys::ticket(&store, order_id)),
        None => Ok(None),
    }
}
