//! How long what is not a business record is kept, and what is stale.
//!
//! Orders, payments and MyPage are business records: kept. The rest only
//! serves a while: an `Idempotency-Key` answers retries for 24 hours
//! (Stripe's window), a notification inbox keeps 30 days, and a finished
//! order's kitchen ticket and delivery leave those hot views a day after
//! they last changed, and so do the sandbox gateway's books of it once
//! nothing of its payment is in flight. A sweeper (`actors::services::retention`) removes
//! what these rules call stale; a read of an expired idempotency record
//! already treats it as absent.

use super::delivery::{Delivery, DeliveryStatus};
use super::kitchen::{Ticket, TicketStatus};
use super::notification::Notification;
use super::order_status::OrderStatus;
use super::payment::{Payment, PaymentStatus};
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

/// What the sandbox gateway's books of an order hang on, as the sweeper
/// reads them.
#[derive(Clone, Debug)]
pub struct GatewayBooks<'a> {
    /// The order's status and when it last changed; `None` if it was never
    /// placed (its charge declined or failed, say).
    pub order: Option<(OrderStatus, Timestamp)>,
    pub payment: &'a Payment,
    /// A revision's extra charge is between requested and settled.
    pub revision_pending: bool,
}

impl Retention {
    /// The sandbox's books of an order (each charge and refund as the
    /// gateway received it) serve only while baedal may still call or ask
    /// about them, and the invariant checks of the load generator and the
    /// tests, which run within minutes. They go once the order is final
    /// (or never placed, its charge declined or failed), its payment is
    /// settled, no revision is pending, and neither changed for as long as
    /// finished views are kept.
    pub fn gateway_books_stale(&self, books: &GatewayBooks<'_>, now: Timestamp) -> bool {
        use OrderStatus as O;
        use PaymentStatus as P;
        let payment = books.payment;
        // Whether anything can still be charged or refunded: a completed
        // order keeps its money; a rejected or canceled one is refunded (a
        // cancel recorded before schema 5 may not have asked yet, its
        // payment still Approved); one never placed was declined, failed,
        // or refunded by the resolver.
        let (done, order_changed) = match books.order {
            Some((O::Completed, at)) => (payment.status == P::Approved, at),
            Some((O::Rejected | O::Canceled, at)) => (
                matches!(payment.status, P::Refunded | P::Declined | P::Failed),
                at,
            ),
            Some((_, at)) => (false, at),
            None => (
                matches!(payment.status, P::Refunded | P::Declined | P::Failed),
                Timestamp(0),
            ),
        };
        let last = order_changed.max(payment.last_change());
        done && payment.is_settled()
            && !books.revision_pending
            && older_than(last, self.finished_views_ms, now)
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
            accept_by: None,
            ready_by: None,
            note: None,
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

    #[test]
    fn the_gateway_books_go_only_once_nothing_can_ask_for_them() {
        let r = Retention::default();
        let later = Timestamp(3 * DAY);
        let mut paid = Payment::pending(1, "kim".into(), 19_000, Timestamp(DAY));
        paid.status = PaymentStatus::Approved;
        paid.transaction_id = Some("tx-1".into());
        fn books(
            order: Option<(OrderStatus, Timestamp)>,
            payment: &Payment,
            revision_pending: bool,
        ) -> GatewayBooks<'_> {
            GatewayBooks {
                order,
                payment,
                revision_pending,
            }
        }
        let completed = Some((OrderStatus::Completed, Timestamp(DAY)));
        assert!(r.gateway_books_stale(&books(completed, &paid, false), later));
        assert!(
            !r.gateway_books_stale(&books(completed, &paid, false), Timestamp(DAY + 1)),
            "completed a moment ago"
        );
        let cooking = Some((OrderStatus::Cooking, Timestamp(DAY)));
        assert!(
            !r.gateway_books_stale(&books(cooking, &paid, false), later),
            "the order may still be canceled and refunded"
        );
        assert!(
            !r.gateway_books_stale(&books(completed, &paid, true), later),
            "a revision's extra charge is unsettled"
        );
        let canceled = Some((OrderStatus::Canceled, Timestamp(DAY)));
        let refunding = paid
            .apply(
                &crate::domain::payment::PaymentEvent::RefundRequested,
                Timestamp(DAY),
            )
            .unwrap();
        assert!(
            !r.gateway_books_stale(&books(canceled, &refunding, false), later),
            "its refund is not confirmed"
        );
        let key = refunding.pending_refunds()[0].key.clone();
        let refunded = refunding
            .apply(
                &crate::domain::payment::PaymentEvent::RefundConfirmed {
                    key,
                    transaction_id: "rf-1".into(),
                },
                Timestamp(2 * DAY + 1),
            )
            .unwrap();
        assert!(
            !r.gateway_books_stale(&books(canceled, &refunded, false), later),
            "refunded less than a day ago"
        );
        assert!(r.gateway_books_stale(&books(canceled, &refunded, false), Timestamp(4 * DAY)));
        assert!(
            !r.gateway_books_stale(&books(canceled, &paid, false), later),
            "canceled before schema 5, its refund not asked for yet"
        );
        let mut declined = Payment::pending(2, "kim".into(), 19_000, Timestamp(DAY));
        assert!(
            !r.gateway_books_stale(&books(None, &declined, false), later),
            "a charge whose answer is awaited"
        );
        declined.status = PaymentStatus::Declined;
        assert!(r.gateway_books_stale(&books(None, &declined, false), later));
        assert!(
            r.gateway_books_stale(&books(None, &refunded, false), Timestamp(4 * DAY)),
            "abandoned by the resolver and refunded"
        );
    }
}
