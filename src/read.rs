//! The read side of the entities: what the API shows, read from what the
//! entity actors wrote. HTTP reads through here (and through the
//! projections' own queries), never through `storage::keys`.
//!
//! A read sees the latest write the database holds, which may be a moment
//! ahead of what is acknowledged (README, "Reliability").

use crate::actors::subscribers::Subscriber;
use crate::domain::order::Order;
use crate::domain::payment::Payment;
use crate::domain::rider::Rider;
use crate::domain::store::Store;
use crate::domain::wallet::Wallet;
use crate::domain::OrderId;
use crate::storage::{keys, Db, StorageError};

type Read<T> = Result<T, StorageError>;

/// An order, if it exists.
pub fn order(db: &Db, id: OrderId) -> Read<Option<Order>> {
    db.get(&keys::order(id))
}

/// A customer's orders, oldest first.
pub fn orders_of(db: &Db, customer: &str) -> Read<Vec<Order>> {
    let mut orders = Vec::new();
    for key in db.scan_keys(&keys::customer_orders(customer)) {
        if let Some(id) = keys::trailing_u64(&key?) {
            orders.extend(order(db, id)?);
        }
    }
    Ok(orders)
}

/// An order's payment, from its checkout on.
pub fn payment(db: &Db, id: OrderId) -> Read<Option<Payment>> {
    db.get(&keys::payment(id))
}

/// A store, if it exists.
pub fn store(db: &Db, id: &str) -> Read<Option<Store>> {
    db.get(&keys::store(id))
}

/// Whether a store exists.
pub fn store_exists(db: &Db, id: &str) -> Read<bool> {
    db.contains(&keys::store(id))
}

/// Every store, by id.
pub fn stores(db: &Db) -> Read<Vec<Store>> {
    db.scan::<Store>(keys::STORES)
        .map(|r| r.map(|(_, s)| s))
        .collect()
}

/// A rider as last reported: one never heard of is on duty, nowhere yet.
pub fn rider(db: &Db, id: &str) -> Read<Rider> {
    Ok(db
        .get::<Rider>(&keys::rider(id))?
        .unwrap_or_else(|| Rider::new(id)))
}

/// A customer's wallet: empty for one who never had a coupon.
pub fn wallet(db: &Db, customer: &str) -> Read<Wallet> {
    Ok(db
        .get::<Wallet>(&keys::wallet(customer))?
        .unwrap_or_else(|| Wallet::new(customer)))
}

/// Who wrote a review, if it exists.
pub fn review_author(db: &Db, review: u64) -> Read<Option<String>> {
    db.get(&keys::review_owner(review))
}

/// The last log sequence a subscriber applied (0: none yet).
pub fn applied(db: &Db, subscriber: Subscriber) -> Read<u64> {
    Ok(db
        .get::<u64>(&keys::offset(subscriber.name()))?
        .unwrap_or(0))
}

/// Payments between "requested" and "settled": checkouts, and revisions'
/// extra charges.
pub fn pending_payments(db: &Db) -> (usize, usize) {
    (
        db.scan_keys(keys::PENDING).count(),
        db.scan_keys(keys::REVISION_PENDING).count(),
    )
}
