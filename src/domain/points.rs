//! Points: 1% of the paid amount (rounded down), earned when an order is
//! placed and revoked when it is refunded.

use super::order::OrderEvent;
use super::time::Timestamp;
use super::{OrderId, Won};
use serde::{Deserialize, Serialize};

/// Points earned per won paid: one in a hundred, rounded down.
pub fn earned_for(amount: Won) -> u64 {
    amount / 100
}

/// Why a customer's points changed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum PointsReason {
    Earned,
    Revoked,
}

/// One change of a customer's points.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PointsChange {
    pub order_id: OrderId,
    pub delta: i64,
    pub reason: PointsReason,
    pub at: Timestamp,
}

/// A customer's points.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Points {
    pub customer_id: String,
    pub balance: u64,
    pub history: Vec<PointsChange>,
}

impl Points {
    pub fn new(customer_id: &str) -> Self {
        Points {
            customer_id: customer_id.to_string(),
            ..Points::default()
        }
    }

    fn has(&self, order_id: OrderId, reason: PointsReason) -> bool {
        self.history
            .iter()
            .any(|c| c.order_id == order_id && c.reason == reason)
    }

    /// The points after an order event; `None` where nothing changes (an
    /// event replayed, or one that does not concern points).
    pub fn apply(&self, order_id: OrderId, event: &OrderEvent, at: Timestamp) -> Option<Points> {
        let (delta, reason) = match event {
            OrderEvent::Placed(new) if !self.has(order_id, PointsReason::Earned) => {
                (earned_for(new.amount) as i64, PointsReason::Earned)
            }
            OrderEvent::Rejected { .. } | OrderEvent::Canceled
                if !self.has(order_id, PointsReason::Revoked) =>
            {
                let earned = self
                    .history
                    .iter()
                    .find(|c| c.order_id == order_id && c.reason == PointsReason::Earned)?;
                (-earned.delta, PointsReason::Revoked)
            }
            _ => return None,
        };
        let mut next = self.clone();
        next.balance = next.balance.saturating_add_signed(delta);
        next.history.push(PointsChange {
            order_id,
            delta,
            reason,
            at,
        });
        Some(next)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::order::tests::new_order;

    #[test]
    fn earns_one_percent_rounded_down_and_revokes_it_once() {
        let placed = OrderEvent::Placed(Box::new(new_order(1, 38_099)));
        let p = Points::new("kim").apply(1, &placed, Timestamp(1)).unwrap();
        assert_eq!(p.balance, 380);
        assert_eq!(
            p.apply(1, &placed, Timestamp(2)),
            None,
            "a replay earns nothing"
        );
        let p2 = p
            .apply(
                2,
                &OrderEvent::Placed(Box::new(new_order(2, 99))),
                Timestamp(2),
            )
            .unwrap();
        assert_eq!(p2.balance, 380, "99 won earns 0 points");
        let revoked = p2.apply(1, &OrderEvent::Canceled, Timestamp(3)).unwrap();
        assert_eq!(revoked.balance, 0);
        assert_eq!(revoked.history.last().unwrap().delta, -380);
        assert_eq!(revoked.apply(1, &OrderEvent::Canceled, Timestamp(4)), None);
        assert_eq!(
            revoked.apply(
                7,
                &OrderEvent::Rejected { reason: "x".into() },
                Timestamp(4)
            ),
            None
        );
        assert_eq!(revoked.apply(1, &OrderEvent::Accepted, Timestamp(4)), None);
    }
}
