//! The customer wallet's points, kept from the log.

use crate::actors::projections::{Deps, Projection};
use crate::domain::event::OrderEventOf;
use crate::domain::paging::{Page, PageRequest};
use crate::domain::points::{OrderPoints, Points};
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

    /// Writes the order's points and the customer's balance: two small
    /// values, whatever the customer's history.
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
        let key = keys::order_points(customer_id, order_id);
        let before = staged.get::<OrderPoints>(&key)?;
        let Some((next, change)) = OrderPoints::apply(before.as_ref(), order_id, event, record.at)
        else {
            return Ok(());
        };
        let balance_key = keys::points(customer_id);
        let points = staged
            .get::<Points>(&balance_key)?
            .unwrap_or_else(|| Points::new(customer_id));
        staged.put(balance_key, &points.moved(change.delta))?;
        staged.put(key, &next)?;
        Ok(())
    }
}

/// A customer's points (none yet: a zero balance).
pub fn points(db: &Db, customer_id: &str) -> Result<Points, StorageError> {
    Ok(db
        .get(&keys::points(customer_id))?
        .unwrap_or_else(|| Points::new(customer_id)))
}

/// A page of a customer's points history, by order (oldest order first;
/// the cursor is an order id): each order's changes, in order.
pub fn history(db: &Db, customer_id: &str, page: &PageRequest) -> AppResult<Page<OrderPoints>> {
    let after = page
        .after_number()?
        .map(|id| keys::order_points(customer_id, id));
    let mut orders = Vec::with_capacity(page.limit + 1);
    for entry in db.scan_after::<OrderPoints>(&keys::orders_points(customer_id), after.as_deref()) {
        orders.push(entry?.1);
        if orders.len() > page.limit {
            break;
        }
    }
    Ok(Page::of(orders, page.limit, |o| o.order_id.to_string()))
}
