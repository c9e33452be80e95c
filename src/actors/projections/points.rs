//! The customer wallet's points, kept from the log.

use crate::actors::projections::{Deps, Projection};
use crate::domain::event::OrderEventOf;
use crate::domain::points::Points;
use crate::domain::LogRecord;
use crate::error::AppResult;
use crate::storage::{keys, Db, Staged, StorageError};

/// The points subscriber.
#[derive(Default)]
pub struct PointsBook;

impl Projection for PointsBook {
    const NAME: &'static str = "points";

    fn build(_deps: &Deps) -> AppResult<Self> {
        Ok(PointsBook)
    }

    fn apply(&mut self, record: &LogRecord, staged: &mut Staged<'_>) -> AppResult<()> {
        let Some(OrderEventOf {
            order_id,
            customer_id,
            event,
            ..
        }) = record.event.as_order()
        else {
            return Ok(());
        };
        let key = keys::points(customer_id);
        let current = staged
            .get::<Points>(&key)?
            .unwrap_or_else(|| Points::new(customer_id));
        if let Some(next) = current.apply(order_id, event, record.at) {
            staged.put(key, &next)?;
        }
        Ok(())
    }
}

/// A customer's points (none yet: a zero balance).
pub fn points(db: &Db, customer_id: &str) -> Result<Points, StorageError> {
    Ok(db
        .get(&keys::points(customer_id))?
        .unwrap_or_else(|| Points::new(customer_id)))
}
