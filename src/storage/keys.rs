//! The keyspace. Every key starts with its kind; composite keys separate a
//! string id from what follows with NUL (ids never contain control
//! characters), and numbers are big-endian so keys sort numerically.

use crate::domain::order::OrderTimer;
use crate::domain::{OrderId, Timestamp};

pub const LOG: &[u8] = b"log/";
/// The last commit, kept to redo it (see `storage::journal`).
pub const JOURNAL: &[u8] = b"meta/journal";
pub const STORES: &[u8] = b"store/";
pub const PENDING: &[u8] = b"pending/";
/// Set once the demo data was loaded.
pub const DEMO_LOADED: &[u8] = b"meta/demo-loaded";
/// The database's schema version (`storage::schema`): 4 bytes, big-endian,
/// outside the value encoding so that every release can read it.
pub const SCHEMA: &[u8] = b"meta/schema";
/// How many orders `baedal scale` seeded.
pub const SEEDED_ORDERS: &[u8] = b"meta/seeded-orders";

/// An order's payment.
pub const PAYMENTS: &[u8] = b"payment/";
/// An order's delivery (the delivery board).
pub const DELIVERIES: &[u8] = b"delivery/";
/// An order's MyPage entry.
pub const MYPAGES: &[u8] = b"mypage/";
/// Notification pages, per audience.
pub const INBOXES: &[u8] = b"inbox/";
/// A customer's wallet.
pub const WALLETS: &[u8] = b"wallet/";
/// Who wrote a review.
pub const REVIEWERS: &[u8] = b"reviewer/";
/// A store's rating.
pub const RATINGS: &[u8] = b"rating/";
/// Notifications the webhook refused for good.
pub const WEBHOOK_DEAD: &[u8] = b"webhookdead/";
/// A rider.
pub const RIDERS: &[u8] = b"rider/";
/// A customer's points.
pub const POINTS: &[u8] = b"points/";
/// What each order of a customer earned in points, and how that changed
/// (schema 5).
pub const ORDER_POINTS: &[u8] = b"pointsorder/";
/// Subscribers' offsets.
pub const OFFSETS: &[u8] = b"offset/";
/// Idempotency records.
pub const IDEMPOTENCY: &[u8] = b"idem/";
/// Index: orders by customer.
pub const CUSTOMER_ORDERS: &[u8] = b"custorder/";
/// Kitchen tickets, by store.
pub const TICKETS: &[u8] = b"kitchen/";
/// Index: the store of a kitchen ticket.
pub const TICKET_STORES: &[u8] = b"ticketstore/";
/// Index: MyPage entries by customer.
pub const MYPAGE_INDEX: &[u8] = b"mypagec/";
/// Accounts (customers, store owners, riders, operators).
pub const ACCOUNTS: &[u8] = b"account/";
/// Index: the stores of an owner.
pub const OWNED_STORES: &[u8] = b"ownedstore/";
/// The key that signs access tokens when `--auth-secret` is not given:
/// generated on first start.
pub const AUTH_SECRET: &[u8] = b"meta/auth-secret";

/// Every prefix a key starts with (and the single keys under `meta/`):
/// each stored value is under exactly one of them. The fixture tests read
/// every value by this list, so a new kind of key cannot go unread.
pub const PREFIXES: &[&[u8]] = &[
    LOG,
    JOURNAL,
    STORES,
    PENDING,
    DEMO_LOADED,
    SCHEMA,
    SEEDED_ORDERS,
    ORDERS,
    PAYMENTS,
    DELIVERIES,
    MYPAGES,
    INBOXES,
    WALLETS,
    REVIEWERS,
    RATINGS,
    WEBHOOK_QUEUE,
    WEBHOOK_DEAD,
    RIDERS,
    POINTS,
    ORDER_POINTS,
    OFFSETS,
    IDEMPOTENCY,
    CUSTOMER_ORDERS,
    TICKETS,
    TICKET_STORES,
    KITCHEN_BACKLOG,
    MYPAGE_INDEX,
    REVISION_PENDING,
    SANDBOX_CHARGES,
    SANDBOX_ADJUSTMENTS,
    SANDBOX_REFUNDS,
    READY,
    ACCOUNTS,
    OWNED_STORES,
    AUTH_SECRET,
    ORDER_TIMERS,
    RIDER_TRIPS,
    WEBHOOK_ENDPOINTS,
    WEBHOOK_OUTBOX,
    WEBHOOK_ATTEMPTS,
    PAYMENT_KEYS,
];

fn with_u64(prefix: &[u8], n: u64) -> Vec<u8> {
    let mut k = Vec::with_capacity(prefix.len() + 8);
    k.extend_from_slice(prefix);
    k.extend_from_slice(&n.to_be_bytes());
    k
}

fn with_str(prefix: &[u8], s: &str) -> Vec<u8> {
    let mut k = Vec::with_capacity(prefix.len() + s.len() + 1);
    k.extend_from_slice(prefix);
    k.extend_from_slice(s.as_bytes());
    k
}

/// `prefix` + id + NUL: the prefix of everything indexed under that id.
fn under(prefix: &[u8], id: &str) -> Vec<u8> {
    let mut k = with_str(prefix, id);
    k.push(0);
    k
}

/// The number at the end of a key built by `with_u64` or an index key.
pub fn trailing_u64(key: &[u8]) -> Option<u64> {
    let tail: [u8; 8] = key.get(key.len().checked_sub(8)?..)?.try_into().ok()?;
    Some(u64::from_be_bytes(tail))
}

pub fn log(seq: u64) -> Vec<u8> {
    with_u64(LOG, seq)
}
pub const ORDERS: &[u8] = b"order/";

pub fn order(id: OrderId) -> Vec<u8> {
    with_u64(ORDERS, id)
}
pub fn payment(id: OrderId) -> Vec<u8> {
    with_u64(PAYMENTS, id)
}
/// Present while an order's payment is between "requested" and "resolved".
pub fn pending(id: OrderId) -> Vec<u8> {
    with_u64(PENDING, id)
}
pub fn delivery(id: OrderId) -> Vec<u8> {
    with_u64(DELIVERIES, id)
}
pub fn mypage(id: OrderId) -> Vec<u8> {
    with_u64(MYPAGES, id)
}
pub fn store(id: &str) -> Vec<u8> {
    with_str(STORES, id)
}
/// An audience's notification pages (`kind`: customer, store or rider).
pub fn inbox(kind: &str, id: &str) -> Vec<u8> {
    let mut prefix = INBOXES.to_vec();
    prefix.extend_from_slice(kind.as_bytes());
    prefix.push(b'/');
    under(&prefix, id)
}
/// Notifications per page of an audience's inbox: at most 8.
///
/// A page is written again, whole, with each notification it gains, so its
/// size is what every notification costs in bytes written. Pages of 32
/// (releases before this one; they are still read as they are) wrote 37%
/// more bytes in all than pages of 8 and grew the file half as fast again,
/// for 7% fewer keys (BENCHMARKS.md, "Why the database grows").
pub const NOTIFICATIONS_PER_PAGE: usize = 8;
/// The page of an audience's notifications that starts at notification `first`.
pub fn inbox_page(kind: &str, id: &str, first: u64) -> Vec<u8> {
    let mut k = inbox(kind, id);
    k.extend_from_slice(&first.to_be_bytes());
    k
}

/// A customer's wallet (coupons and reviews).
pub fn wallet(customer: &str) -> Vec<u8> {
    with_str(WALLETS, customer)
}
/// Which customer wrote a review.
pub fn review_owner(review: u64) -> Vec<u8> {
    with_u64(REVIEWERS, review)
}
/// A store's rating.
pub fn rating(store: &str) -> Vec<u8> {
    with_str(RATINGS, store)
}

/// Notifications waiting to be POSTed to the webhook, in order.
pub const WEBHOOK_QUEUE: &[u8] = b"webhookq/";
pub fn webhook_queued(seq: u64, nth: u8) -> Vec<u8> {
    let mut k = with_u64(WEBHOOK_QUEUE, seq);
    k.push(nth);
    k
}

/// A notification the webhook refused for good, kept for an operator.
pub fn webhook_dead(queued: &[u8]) -> Vec<u8> {
    let mut k = WEBHOOK_DEAD.to_vec();
    k.extend_from_slice(queued.strip_prefix(WEBHOOK_QUEUE).unwrap_or(queued));
    k
}

/// A rider's location and duty.
pub fn rider(id: &str) -> Vec<u8> {
    with_str(RIDERS, id)
}
/// A customer's points.
pub fn points(customer: &str) -> Vec<u8> {
    with_str(POINTS, customer)
}
/// A customer's orders' points, in order id order.
pub fn orders_points(customer: &str) -> Vec<u8> {
    under(ORDER_POINTS, customer)
}
/// One order's points.
pub fn order_points(customer: &str, order: OrderId) -> Vec<u8> {
    let mut k = orders_points(customer);
    k.extend_from_slice(&order.to_be_bytes());
    k
}
/// A subscriber's last applied log sequence.
pub fn offset(subscriber: &str) -> Vec<u8> {
    with_str(OFFSETS, subscriber)
}
/// What an `Idempotency-Key` answered.
/// A customer's `Idempotency-Key` (since schema 4: before, keys were
/// global).
pub fn idempotency(customer: &str, key: &str) -> Vec<u8> {
    let mut k = under(IDEMPOTENCY, customer);
    k.extend_from_slice(key.as_bytes());
    k
}

/// Index: a customer's orders.
pub fn customer_orders(customer: &str) -> Vec<u8> {
    under(CUSTOMER_ORDERS, customer)
}
pub fn customer_order(customer: &str, id: OrderId) -> Vec<u8> {
    let mut k = customer_orders(customer);
    k.extend_from_slice(&id.to_be_bytes());
    k
}

pub fn account(id: &str) -> Vec<u8> {
    with_str(ACCOUNTS, id)
}

/// The prefix of every store `owner` owns.
pub fn owned_stores(owner: &str) -> Vec<u8> {
    under(OWNED_STORES, owner)
}
pub fn owned_store(owner: &str, store: &str) -> Vec<u8> {
    let mut k = owned_stores(owner);
    k.extend_from_slice(store.as_bytes());
    k
}

/// A store's kitchen tickets.
pub fn tickets(store: &str) -> Vec<u8> {
    under(TICKETS, store)
}
pub fn ticket(store: &str, id: OrderId) -> Vec<u8> {
    let mut k = tickets(store);
    k.extend_from_slice(&id.to_be_bytes());
    k
}
/// Index: which store a ticket is under.
pub fn ticket_store(id: OrderId) -> Vec<u8> {
    with_u64(TICKET_STORES, id)
}

/// Events held back from a store whose side is down, in log order.
pub const KITCHEN_BACKLOG: &[u8] = b"kitchenq/";
pub fn kitchen_backlogs(store: &str) -> Vec<u8> {
    under(KITCHEN_BACKLOG, store)
}
pub fn kitchen_backlog(store: &str, seq: u64) -> Vec<u8> {
    let mut k = kitchen_backlogs(store);
    k.extend_from_slice(&seq.to_be_bytes());
    k
}

/// Index: a customer's MyPage entries.
pub fn mypages(customer: &str) -> Vec<u8> {
    under(MYPAGE_INDEX, customer)
}
pub fn mypage_of(customer: &str, id: OrderId) -> Vec<u8> {
    let mut k = mypages(customer);
    k.extend_from_slice(&id.to_be_bytes());
    k
}

/// Present while a revision's extra charge is between "requested" and
/// "settled".
pub const REVISION_PENDING: &[u8] = b"revpending/";
pub fn revision_pending(id: OrderId) -> Vec<u8> {
    with_u64(REVISION_PENDING, id)
}

/// The sandbox gateway's books: one charge per order.
pub const SANDBOX_CHARGES: &[u8] = b"sandbox/";
pub fn sandbox_charge(id: OrderId) -> Vec<u8> {
    with_u64(SANDBOX_CHARGES, id)
}
/// The sandbox's later charges and refunds of an order (revisions).
pub const SANDBOX_ADJUSTMENTS: &[u8] = b"sandboxadj/";
pub fn sandbox_adjustments(id: OrderId) -> Vec<u8> {
    with_u64(SANDBOX_ADJUSTMENTS, id)
}
pub fn sandbox_adjustment(id: OrderId, attempt: u64, tag: u8) -> Vec<u8> {
    let mut k = sandbox_adjustments(id);
    k.extend_from_slice(&attempt.to_be_bytes());
    k.push(tag);
    k
}

/// The sandbox's refunds of an order, each under its idempotency key, as
/// the gateway received them (schema 5).
pub const SANDBOX_REFUNDS: &[u8] = b"sandboxrefund/";
pub fn sandbox_refunds(id: OrderId) -> Vec<u8> {
    with_u64(SANDBOX_REFUNDS, id)
}
pub fn sandbox_refund(id: OrderId, key: &str) -> Vec<u8> {
    let mut k = sandbox_refunds(id);
    k.extend_from_slice(key.as_bytes());
    k
}

/// Orders' durable timers (`Order::timers`), by due time, then order, then
/// which timer (schema 6): the value is the `OrderTimer`.
pub const ORDER_TIMERS: &[u8] = b"timer/";
pub fn order_timer(due: Timestamp, id: OrderId, timer: OrderTimer) -> Vec<u8> {
    let mut k = with_u64(ORDER_TIMERS, due.0);
    k.extend_from_slice(&id.to_be_bytes());
    k.push(timer.tag());
    k
}
/// The due time and order of a key built by [`order_timer`].
pub fn order_timer_parts(key: &[u8]) -> Option<(Timestamp, OrderId)> {
    let rest = key.strip_prefix(ORDER_TIMERS)?;
    let due = u64::from_be_bytes(rest.get(..8)?.try_into().ok()?);
    let id = u64::from_be_bytes(rest.get(8..16)?.try_into().ok()?);
    Some((Timestamp(due), id))
}

/// A rider's deliveries under way (picked up, not yet delivered), by rider
/// then order (schema 6): the value is the `Trip`, for live tracking.
pub const RIDER_TRIPS: &[u8] = b"ridertrip/";
pub fn rider_trips(rider: &str) -> Vec<u8> {
    under(RIDER_TRIPS, rider)
}
pub fn rider_trip(rider: &str, order: OrderId) -> Vec<u8> {
    let mut k = rider_trips(rider);
    k.extend_from_slice(&order.to_be_bytes());
    k
}

/// Webhook endpoints registered through the API, by id (schema 6).
pub const WEBHOOK_ENDPOINTS: &[u8] = b"whendpoint/";
pub fn webhook_endpoint(id: u64) -> Vec<u8> {
    with_u64(WEBHOOK_ENDPOINTS, id)
}
/// Messages waiting to be sent to an endpoint, in order: by endpoint, log
/// sequence, then redelivery (0 for the first sending; schema 6).
pub const WEBHOOK_OUTBOX: &[u8] = b"whoutbox/";
pub fn webhook_outbox(endpoint: u64) -> Vec<u8> {
    with_u64(WEBHOOK_OUTBOX, endpoint)
}
pub fn webhook_outboxed(endpoint: u64, seq: u64, redelivery: u64) -> Vec<u8> {
    let mut k = webhook_outbox(endpoint);
    k.extend_from_slice(&seq.to_be_bytes());
    k.extend_from_slice(&redelivery.to_be_bytes());
    k
}
/// Each attempt to send a message to an endpoint, by endpoint then attempt
/// id (schema 6).
pub const WEBHOOK_ATTEMPTS: &[u8] = b"whattempt/";
pub fn webhook_attempts(endpoint: u64) -> Vec<u8> {
    with_u64(WEBHOOK_ATTEMPTS, endpoint)
}
pub fn webhook_attempt(endpoint: u64, attempt: u64) -> Vec<u8> {
    let mut k = webhook_attempts(endpoint);
    k.extend_from_slice(&attempt.to_be_bytes());
    k
}

/// Which order a real gateway's payment (by the widget's order id) was
/// approved for, or is being: a payment pays for one order (schema 6).
pub const PAYMENT_KEYS: &[u8] = b"paykey/";
pub fn payment_key(gateway_order_id: &str) -> Vec<u8> {
    with_str(PAYMENT_KEYS, gateway_order_id)
}

/// Deliveries that are Ready, for rebuilding the in-memory search index.
pub const READY: &[u8] = b"ready/";
pub fn ready(id: OrderId) -> Vec<u8> {
    with_u64(READY, id)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numeric_keys_sort_numerically() {
        assert!(log(2) < log(10));
        assert!(order(255) < order(256));
        assert_eq!(trailing_u64(&log(42)), Some(42));
        assert_eq!(trailing_u64(&customer_order("kim", 7)), Some(7));
        assert_eq!(trailing_u64(b"x"), None);
    }

    #[test]
    fn timers_sort_by_due_time_and_read_back() {
        let early = order_timer(Timestamp(5), 900, OrderTimer::Expire);
        let late = order_timer(Timestamp(256), 1, OrderTimer::AutoAccept);
        assert!(early < late);
        assert_eq!(order_timer_parts(&late), Some((Timestamp(256), 1)));
        assert_eq!(order_timer_parts(b"timer/x"), None);
    }

    #[test]
    fn no_prefix_starts_another() {
        for a in PREFIXES {
            for b in PREFIXES {
                assert!(a == b || !b.starts_with(a), "{a:?} starts {b:?}");
            }
        }
    }

    #[test]
    fn one_id_is_not_the_prefix_of_another() {
        assert!(!customer_order("kimm", 1).starts_with(&customer_orders("kim")));
        assert!(customer_order("kim", 1).starts_with(&customer_orders("kim")));
        assert!(!ticket("s10", 1).starts_with(&tickets("s1")));
    }
}
