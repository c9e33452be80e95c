//! The read side of the entities: what the API shows, read from what the
//! entity actors wrote. HTTP reads through here (and through the
//! projections' own queries), never through `storage::keys`.
//!
//! A read sees the latest write the database holds, which may be a moment
//! ahead of what is acknowledged (README, "Reliability").

use crate::actors::subscribers::Subscriber;
use crate::auth::AccessClaims;
use crate::domain::access::{Principal, Role};
use crate::domain::account::Account;
use crate::domain::order::{Order, OrderStatus};
use crate::domain::paging::{Page, PageRequest};
use crate::domain::payment::Payment;
use crate::domain::prep;
use crate::domain::rider::Rider;
use crate::domain::store::Store;
use crate::domain::wallet::Wallet;
use crate::domain::{DomainError, OrderId, Timestamp};
use crate::storage::{keys, Db, StorageError};

type Read<T> = Result<T, StorageError>;

/// An order, if it exists.
pub fn order(db: &Db, id: OrderId) -> Read<Option<Order>> {
    db.get(&keys::order(id))
}

/// An order as it stands, its ETA recomputed at `now` from its rider's
/// last reported location once picked up (`prep::estimated_arrival`).
pub fn order_now(db: &Db, id: OrderId, now: Timestamp) -> Read<Option<Order>> {
    let Some(mut order) = order(db, id)? else {
        return Ok(None);
    };
    if let (OrderStatus::PickedUp, Some(id)) = (order.status, &order.rider_id) {
        if let Some(at) = rider(db, id)?.location {
            order.estimated_delivery_at = Some(prep::estimated_arrival(now, at, order.dropoff()));
        }
    }
    Ok(Some(order))
}

/// A page of a customer's orders, oldest first; the cursor is an order id.
pub fn orders_of(
    db: &Db,
    customer: &str,
    page: &PageRequest,
) -> Result<Page<Order>, crate::error::AppError> {
    let after = page
        .after_number()?
        .map(|id| keys::customer_order(customer, id));
    let mut orders = Vec::with_capacity(page.limit + 1);
    for entry in db.scan_after::<()>(&keys::customer_orders(customer), after.as_deref()) {
        let (key, ()) = entry?;
        if let Some(id) = keys::trailing_u64(&key) {
            orders.extend(order(db, id)?);
        }
        if orders.len() > page.limit {
            break;
        }
    }
    Ok(Page::of(orders, page.limit, |o| o.id.to_string()))
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

/// A page of the stores `keep` lets through, by id; the cursor is a store
/// id.
pub fn stores_page(
    db: &Db,
    page: &PageRequest,
    keep: impl Fn(&Store) -> bool,
) -> Read<Page<Store>> {
    let after = page.after.as_deref().map(keys::store);
    let mut stores = Vec::with_capacity(page.limit + 1);
    for entry in db.scan_after::<Store>(keys::STORES, after.as_deref()) {
        let (_, store) = entry?;
        if keep(&store) {
            stores.push(store);
        }
        if stores.len() > page.limit {
            break;
        }
    }
    Ok(Page::of(stores, page.limit, |s| s.id.clone()))
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

/// An account, if it exists.
pub fn account(db: &Db, id: &str) -> Read<Option<Account>> {
    db.get(&keys::account(id))
}

/// The stores `owner` owns, by id.
pub fn owned_stores(db: &Db, owner: &str) -> Read<Vec<String>> {
    let prefix = keys::owned_stores(owner);
    db.scan_keys(&prefix)
        .map(|key| Ok(String::from_utf8_lossy(&key?[prefix.len()..]).into_owned()))
        .collect()
}

/// Who a verified access token speaks for at `now`: its account must
/// still exist, be active, have the token's role, and still be signed in
/// on the token's session. Otherwise a 401 saying which.
pub fn principal(
    db: &Db,
    claims: &AccessClaims,
    now: Timestamp,
) -> Result<Principal, crate::error::AppError> {
    let refused = |why: &str| DomainError::Unauthenticated(format!("{why}; sign in again"));
    let account = account(db, &claims.sub)?
        .ok_or_else(|| refused("the account of this token no longer exists"))?;
    if account.role.as_str() != claims.role {
        return Err(refused("the token's role is not the account's").into());
    }
    if !account.session_live(claims.sid, now) {
        return Err(refused("this session has ended (signed out, disabled or expired)").into());
    }
    Ok(match account.role {
        Role::Customer => Principal::Customer(account.id),
        Role::Rider => Principal::Rider(account.id),
        Role::Operator => Principal::Operator(account.id),
        Role::Owner => Principal::Owner {
            stores: owned_stores(db, &account.id)?,
            id: account.id,
        },
        Role::System => return Err(refused("no token speaks for baedal itself").into()),
    })
}
