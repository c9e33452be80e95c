//! How long what is not a business record is kept, and what is stale.
//!
//! Orders, payments and MyPage are business records: kept. The rest only
//! serves a while: an `Idempotency-Key` answers retries for 24 hours
//! (Stripe's window), a notification inbox keeps 30 days, and a finished
//! order's kitchen ticket and delivery leave those hot views a day after
//! they last changed. A sweeper (`actors::services::retention`) removes
//! what these rules call stale; a read of an expired idempotency record
//! already treats it as absent.

use super::delivery::{Delivery, DeliveryStatus};
use super::kitchen::{Ticket, TicketStatus};
use super::notification::Notification;
use super::time::Timestamp;

/// The retention periods, in milliseconds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Retention {
    pub idempotency_ms: u64,
    pub notifications_ms: u64,
    pub finished_views_ms: u64,
}

const HOUR_MS: u64 = 3_600_000;

impl Default for Retention {
    /// 24 hours, 30 days, 24 hours.
    fn default() -> Self {
        Retention {
            idempotency_ms: 24 * HOUR_MS,
            notifications_ms: 30 * 24 * HOUR_MS,
            finished_views_ms: 24 * HOUR_MS,
        }
    }
}

fn older_than(at: Timestamp, keep_ms: u64, now: Timestamp) -> bool {
    now.0.saturating_sub(at.0) > keep_ms
}

impl Retention {
    /// An `Idempotency-Key` first used at `at` no longer answers retries.
    pub fn idempotency_expired(&self, at: Timestamp, now: Timestamp) -> bool {
        older_than(at, self.idempotency_ms, now)
    }

    /// A page of notifications, all older than the inbox keeps. (The
    /// newest page of an inbox is never dropped: it is where the next is
    /// appended.)
    pub fn page_stale(&self, page: &[Notification], now: Timestamp) -> bool {
        page.iter()
            .all(|n| older_than(n.at, self.notifications_ms, now))
    }

    /// A kitchen ticket that will not change again (handed over, rejected,
    /// canceled), unchanged for longer than the view keeps.
    pub fn ticket_stale(&self, ticket: &Ticket, now: Timestamp) -> bool {
        matches!(
            ticket.status,
            TicketStatus::HandedOver | TicketStatus::Rejected | TicketStatus::Canceled
        ) && older_than(ticket.updated_at, self.finished_views_ms, now)
    }

    /// A delivery that will not change again (delivered, canceled),
    /// unchanged for longer than the view keeps.
    pub fn delivery_stale(&self, delivery: &Delivery, now: Timestamp) -> bool {
        matches!(
            delivery.status,
            DeliveryStatus::Delivered | DeliveryStatus::Canceled
        ) && older_than(delivery.updated_at, self.finished_views_ms, now)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const DAY: u64 = 24 * HOUR_MS;

    #[test]
    fn idempotency_keys_answer_for_a_day() {
        let r = Retention::default();
        let now = Timestamp(10 * DAY);
        assert!(
            !r.idempotency_expired(Timestamp(9 * DAY), now),
            "exactly a day"
        );
        assert!(r.idempotency_expired(Timestamp(9 * DAY - 1), now));
        assert!(!r.idempotency_expired(Timestamp(10 * DAY), now));
    }

    #[test]
    fn a_page_goes_only_when_all_of_it_is_old() {
        let r = Retention::default();
        let note = |at| Notification {
            id: 1,
            order_id: 1,
            status: "Placed".into(),
            message: "m".into(),
            at: Timestamp(at),
        };
        let now = Timestamp(40 * DAY);
        assert!(r.page_stale(&[note(DAY), note(2 * DAY)], now));
        assert!(!r.page_stale(&[note(DAY), note(39 * DAY)], now));
    }

    #[test]
    fn only_finished_views_leave() {
        let r = Retention::default();
        let ticket = |status| Ticket {
            order_id: 1,
            store_id: "s".into(),
            customer_id: "c".into(),
            items: Vec::new(),
            status,
            reject_reason: None,
            updated_at: Timestamp(DAY),
        };
        let later = Timestamp(3 * DAY);
        assert!(r.ticket_stale(&ticket(TicketStatus::HandedOver), later));
        assert!(r.ticket_stale(&ticket(TicketStatus::Canceled), later));
        assert!(
            !r.ticket_stale(&ticket(TicketStatus::Cooking), later),
            "still cooking"
        );
        assert!(
            !r.ticket_stale(&ticket(TicketStatus::Rejected), Timestamp(DAY + 1)),
            "rejected a moment ago"
        );
    }
}
