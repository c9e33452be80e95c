//! The store side's kitchen: a ticket per order, kept from the log.

use super::dispatcher::Projection;
use crate::domain::kitchen::{self, Ticket};
use crate::domain::order::OrderEvent;
use crate::domain::{Event, LogRecord, OrderId};
use crate::error::AppResult;
use crate::storage::{keys, Db, Staged, StorageError};

/// The kitchen subscriber.
#[derive(Default)]
pub struct Kitchen;

impl Projection for Kitchen {
    const NAME: &'static str = "kitchen";

    fn apply(&mut self, record: &LogRecord, staged: &mut Staged<'_>) -> AppResult<()> {
        let Event::Order {
            order_id,
            store_id,
            event,
            ..
        } = &record.event
        else {
            return Ok(());
        };
        let key = keys::ticket(store_id, *order_id);
        let current = staged.get::<Ticket>(&key)?;
        if let Some(ticket) = kitchen::apply(current.as_ref(), event, record.at) {
            staged.put(key, &ticket)?;
            if matches!(event, OrderEvent::Placed(_)) {
                staged.put(keys::ticket_store(*order_id), store_id)?;
            }
        }
        Ok(())
    }
}

/// A store's tickets, by order id.
pub fn tickets(db: &Db, store_id: &str) -> Result<Vec<Ticket>, StorageError> {
    db.scan::<Ticket>(&keys::tickets(store_id))
        .map(|r| r.map(|(_, t)| t))
        .collect()
}

/// One ticket, wherever its store.
pub fn ticket(db: &Db, order_id: OrderId) -> Result<Option<Ticket>, StorageError> {
    match db.get::<String>(&keys::ticket_store(order_id))? {
        Some(store) => db.get(&keys::ticket(&store, order_id)),
        None => Ok(None),
    }
}
