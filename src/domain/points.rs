//! Points: 1% of what was paid for the food (rounded down; never the
//! delivery fee, `pricing::food_paid`), earned when an order is placed and
//! revoked when it is refunded.

use super::order::OrderEvent;
use super::pricing;
use super::time::Timestamp;
use super::{OrderId, Won};
use serde::{Deserialize, Serialize};

/// Points earned per won paid: one in a hundred, rounded down.
fn earned_for(amount: Won) -> u64 {
    amount / 100
}

/// Why a customer's points changed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub enum PointsReason {
    Earned,
    /// The order was revised: its points follow its new amount.
    Adjusted,
    Revoked,
}

/// One change of a customer's points.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct PointsChange {
    pub order_id: OrderId,
    pub delta: i64,
    pub reason: PointsReason,
    pub at: Timestamp,
}

/// A customer's points: the balance. What each order earned, and how that
/// changed, is its own [`OrderPoints`] (schema 5; before, every change was
/// in this record, which grew with every order and was rewritten whole).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Points {
    pub customer_id: String,
    pub balance: u64,
}

/// The points of one order of a customer: every change, in order.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OrderPoints {
    pub order_id: OrderId,
    pub changes: Vec<PointsChange>,
}

impl Points {
    pub fn new(customer_id: &str) -> Self {
        Points {
            customer_id: customer_id.to_string(),
            ..Points::default()
        }
    }

    /// The balance after an order's points moved by `delta`.
    pub fn moved(&self, delta: i64) -> Points {
        Points {
            balance: self.balance.saturating_add_signed(delta),
            ..self.clone()
        }
    }
}

impl OrderPoints {
    /// The points the order holds now.
    pub fn net(&self) -> i64 {
        self.changes.iter().map(|c| c.delta).sum()
    }

    fn has(&self, reason: PointsReason) -> bool {
        self.changes.iter().any(|c| c.reason == reason)
    }

    /// Whether it earned points that were not revoked.
    fn holds(&self) -> bool {
        self.has(PointsReason::Earned) && !self.has(PointsReason::Revoked)
    }

    /// The order's points after one of its events, and the change; `None`
    /// where nothing changes (an event replayed, or one that does not
    /// concern points). `before` is `None` for an order with no points yet.
    pub fn apply(
        before: Option<&OrderPoints>,
        order_id: OrderId,
        event: &OrderEvent,
        at: Timestamp,
    ) -> Option<(OrderPoints, PointsChange)> {
        let none = OrderPoints {
            order_id,
            changes: Vec::new(),
        };
        let now = before.unwrap_or(&none);
        let (delta, reason) = match event {
            OrderEvent::Placed(new) if !now.has(PointsReason::Earned) => (
                earned_for(pricing::food_paid(new.amount, new.fees.delivery_won)) as i64,
                PointsReason::Earned,
            ),
            OrderEvent::Revised(r) if now.holds() => {
                let delta =
                    earned_for(pricing::food_paid(r.amount, r.delivery_fee)) as i64 - now.net();
                if delta == 0 {
                    return None;
                }
                (delta, PointsReason::Adjusted)
            }
            e if e.refunds_payment() && now.holds() => (-now.net(), PointsReason::Revoked),
            _ => return None,
        };
        let change = PointsChange {
            order_id,
            delta,
            reason,
            at,
        };
        let mut next = now.clone();
        next.changes.push(change.clone());
        Some((next, change))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::testing::{accepted, canceled, new_order, rejected, revision};
    use std::collections::HashMap;

    /// A customer's balance and orders, as the projection keeps them.
    #[derive(Default)]
    struct Book {
        points: Points,
        orders: HashMap<OrderId, OrderPoints>,
    }

    impl Book {
        /// Applies an event; answers the change, if any.
        fn apply(&mut self, order_id: OrderId, event: &OrderEvent, at: u64) -> Option<i64> {
            let before = self.orders.get(&order_id);
            let (next, change) = OrderPoints::apply(before, order_id, event, Timestamp(at))?;
            self.points = self.points.moved(change.delta);
            self.orders.insert(order_id, next);
            Some(change.delta)
        }
    }

    #[test]
    fn a_revision_adjusts_the_points_and_a_refund_revokes_the_net() {
        let revised = |amount| OrderEvent::Revised(Box::new(revision(1, vec![], amount, 0)));
        let mut book = Book::default();
        book.apply(1, &OrderEvent::Placed(Box::new(new_order(1, 20_000))), 1);
        assert_eq!(book.apply(1, &revised(31_000), 2), Some(110));
        assert_eq!(book.points.balance, 310);
        assert_eq!(book.apply(1, &revised(31_050), 3), None, "still 310");
        book.apply(1, &revised(9_999), 3);
        assert_eq!(book.points.balance, 99);
        assert_eq!(book.apply(1, &canceled(), 4), Some(-99));
        assert_eq!(book.points.balance, 0);
        assert_eq!(
            book.apply(1, &revised(50_000), 5),
            None,
            "nothing after a refund"
        );
        assert_eq!(book.orders[&1].changes.len(), 4);
    }

    #[test]
    fn earns_one_percent_rounded_down_and_revokes_it_once() {
        let placed = OrderEvent::Placed(Box::new(new_order(1, 38_099)));
        let mut book = Book::default();
        assert_eq!(book.apply(1, &placed, 1), Some(380));
        assert_eq!(book.apply(1, &placed, 2), None, "a replay earns nothing");
        book.apply(2, &OrderEvent::Placed(Box::new(new_order(2, 99))), 2);
        assert_eq!(book.points.balance, 380, "99 won earns 0 points");
        assert_eq!(book.apply(1, &canceled(), 3), Some(-380));
        assert_eq!(book.points.balance, 0);
        assert_eq!(book.apply(1, &canceled(), 4), None);
        assert_eq!(book.apply(7, &rejected("x"), 4), None);
        assert_eq!(book.apply(1, &accepted(), 4), None);
    }
}
