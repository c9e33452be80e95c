//! The kitchen ticket: an order as its store's kitchen sees it.

use super::order::{Order, OrderEvent, OrderLine, OrderStatus};
use super::time::Timestamp;
use super::OrderId;
use serde::{Deserialize, Serialize};

/// Where a ticket is in the kitchen.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub enum TicketStatus {
    /// Waiting for the store to accept or reject it.
    Requested,
    Accepted,
    Rejected,
    Canceled,
    Cooking,
    Cooked,
    /// A rider took the food.
    HandedOver,
}

/// A kitchen ticket ("foodCooking" in the API).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Ticket {
    pub order_id: OrderId,
    pub store_id: String,
    pub customer_id: String,
    pub items: Vec<OrderLine>,
    pub status: TicketStatus,
    pub reject_reason: Option<String>,
    pub updated_at: Timestamp,
    /// When the order is canceled if not accepted (since schema 6).
    #[serde(default)]
    pub accept_by: Option<Timestamp>,
    /// When the store promised the food, once accepted (since schema 6).
    #[serde(default)]
    pub ready_by: Option<Timestamp>,
    /// The customer's note for the store (the store's to read only).
    #[serde(default)]
    pub note: Option<String>,
}

impl TicketStatus {
    /// How the kitchen sees an order in `status`.
    pub fn of(status: OrderStatus) -> Self {
        match status {
            OrderStatus::Placed => Self::Requested,
            OrderStatus::Accepted => Self::Accepted,
            OrderStatus::Rejected => Self::Rejected,
            OrderStatus::Canceled => Self::Canceled,
            OrderStatus::Cooking => Self::Cooking,
            OrderStatus::Cooked => Self::Cooked,
            OrderStatus::PickedUp | OrderStatus::Delivered | OrderStatus::Completed => {
                Self::HandedOver
            }
        }
    }
}

impl Ticket {
    /// The ticket of an order as it is now (what a store command answers).
    pub fn of(order: &Order) -> Self {
        Ticket {
            order_id: order.id,
            store_id: order.store_id.clone(),
            customer_id: order.customer_id.clone(),
            items: order.items.clone(),
            status: TicketStatus::of(order.status),
            reject_reason: order.reject_reason.clone(),
            updated_at: order.updated_at(),
            accept_by: order.accept_by,
            ready_by: order.ready_by,
            note: order.notes.for_store.clone(),
        }
    }
}

/// The ticket after an order event; `None` where the event does not concern
/// the kitchen or does not fit the ticket's state (so replay is harmless).
pub fn apply(ticket: Option<&Ticket>, event: &OrderEvent, at: Timestamp) -> Option<Ticket> {
    use TicketStatus as T;
    if let (None, OrderEvent::Placed(new)) = (ticket, event) {
        return Some(Ticket {
            order_id: new.id,
            store_id: new.store_id.clone(),
            customer_id: new.customer_id.clone(),
            items: new.items.clone(),
            status: T::Requested,
            reject_reason: None,
            updated_at: at,
            accept_by: new.accept.map(|a| a.deadline(at)),
            ready_by: None,
            note: new.notes.for_store.clone(),
        });
    }
    let ticket = ticket?;
    if let (T::Requested, OrderEvent::Revised(r)) = (ticket.status, event) {
        let mut revised = ticket.clone();
        revised.items = r.items.clone();
        revised.updated_at = at;
        return Some(revised);
    }
    if let (T::Accepted | T::Cooking, OrderEvent::Delayed { ready_by, .. }) = (ticket.status, event)
    {
        let mut delayed = ticket.clone();
        delayed.ready_by = Some(*ready_by);
        delayed.updated_at = at;
        return Some(delayed);
    }
    let next = match (ticket.status, event) {
        (T::Requested, OrderEvent::Accepted { .. }) => T::Accepted,
        (T::Requested, OrderEvent::Rejected { .. }) => T::Rejected,
        (T::Requested | T::Accepted, OrderEvent::Canceled { .. }) => T::Canceled,
        (T::Accepted, OrderEvent::CookStarted) => T::Cooking,
        (T::Cooking, OrderEvent::CookFinished) => T::Cooked,
        (T::Cooked, OrderEvent::DeliveryPicked { .. }) => T::HandedOver,
        _ => return None,
    };
    let mut ticket = ticket.clone();
    ticket.status = next;
    ticket.updated_at = at;
    match event {
        OrderEvent::Rejected { reason, .. } => ticket.reject_reason = Some(reason.clone()),
        OrderEvent::Accepted { ready_by, .. } => ticket.ready_by = *ready_by,
        _ => {}
    }
    Some(ticket)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::testing::{accepted, new_order, revision};

    fn placed() -> Ticket {
        apply(
            None,
            &OrderEvent::Placed(Box::new(new_order(1, 9_000))),
            Timestamp(1),
        )
        .unwrap()
    }

    #[test]
    fn follows_the_happy_path() {
        let mut t = placed();
        assert_eq!(t.status, TicketStatus::Requested);
        for (e, s) in [
            (accepted(), TicketStatus::Accepted),
            (OrderEvent::CookStarted, TicketStatus::Cooking),
            (OrderEvent::CookFinished, TicketStatus::Cooked),
            (
                OrderEvent::DeliveryPicked {
                    rider_id: "r".into(),
                },
                TicketStatus::HandedOver,
            ),
        ] {
            t = apply(Some(&t), &e, Timestamp(2)).unwrap();
            assert_eq!(t.status, s);
        }
        assert_eq!(apply(Some(&t), &OrderEvent::Completed, Timestamp(3)), None);
    }

    #[test]
    fn rejection_and_cancellation() {
        let r = apply(
            Some(&placed()),
            &crate::domain::testing::rejected("no rice"),
            Timestamp(2),
        )
        .unwrap();
        assert_eq!(
            (r.status, r.reject_reason.as_deref()),
            (TicketStatus::Rejected, Some("no rice"))
        );
        let accepted = apply(Some(&placed()), &accepted(), Timestamp(2)).unwrap();
        let c = apply(
            Some(&accepted),
            &crate::domain::testing::canceled(),
            Timestamp(3),
        )
        .unwrap();
        assert_eq!(c.status, TicketStatus::Canceled);
    }

    #[test]
    fn a_requested_ticket_follows_a_revision() {
        use crate::domain::order::OrderLine;
        let line = OrderLine {
            menu_id: "x".into(),
            name: "x".into(),
            qty: 3,
            unit_price: 1,
            options: vec![],
        };
        let revised = OrderEvent::Revised(Box::new(revision(1, vec![line.clone()], 3, 0)));
        let t = apply(Some(&placed()), &revised, Timestamp(2)).unwrap();
        assert_eq!((t.items, t.status), (vec![line], TicketStatus::Requested));
        let accepted = apply(Some(&placed()), &accepted(), Timestamp(2)).unwrap();
        assert_eq!(apply(Some(&accepted), &revised, Timestamp(3)), None);
    }

    #[test]
    fn refuses_what_does_not_fit() {
        let t = placed();
        assert_eq!(
            apply(Some(&t), &OrderEvent::CookStarted, Timestamp(2)),
            None
        );
        assert_eq!(apply(None, &accepted(), Timestamp(2)), None);
        // A replayed placement does not reset a ticket.
        let placed_again = OrderEvent::Placed(Box::new(new_order(1, 9_000)));
        assert_eq!(apply(Some(&t), &placed_again, Timestamp(2)), None);
    }
}
