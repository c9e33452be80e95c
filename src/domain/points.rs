//! Points: 1% of the paid amount (rounded down), earned when an order is
//! placed and revoked when it is refunded.

use super::order::OrderEvent;
use super::time::Timestamp;
use super::{OrderId, Won};
use serde::{Deserialize, Serialize};

/// Points earned per won paid: one in a hundred, rounded down.
fn earned_for(amount: Won) -> u64 {
    amount / 100
}

/// Why a customer's points changed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum PointsReason {
    Earned,
    /// The order was revised: its points follow its new amount.
    Adjusted,
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

    /// The points an order holds now.
    fn net(&self, order_id: OrderId) -> i64 {
        self.history
            .iter()
            .filter(|c| c.order_id == order_id)
            .map(|c| c.delta)
            .sum()
    }

    /// Whether an order earned points that were not revoked.
    fn holds(&self, order_id: OrderId) -> bool {
        self.has(order_id, PointsReason::Earned) && !self.has(order_id, PointsReason::Revoked)
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
            OrderEvent::Revised(r) if self.holds(order_id) => {
                let delta = earned_for(r.amount) as i64 - self.net(order_id);
                if delta == 0 {
                    return None;
                }
                (delta, PointsReason::Adjusted)
            }
            e if e.refunds_payment() && self.holds(order_id) => {
                (-self.net(order_id), PointsReason::Revoked)
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
    use crate::domain::testing::{new_order, revision};

    #[test]
    fn a_revision_adjusts_the_points_and_a_refund_revokes_the_net() {
        let revised = |amount| OrderEvent::Revised(Box::new(revision(1, vec![], amount, 0)));
        let placed = OrderEvent::Placed(Box::new(new_order(1, 20_000)));
        let p = Points::new("kim").apply(1, &placed, Timestamp(1)).unwrap();
        let up = p.apply(1, &revised(31_000), Timestamp(2)).unwrap();
        assert_eq!((up.balance, up.history[1].delta), (310, 110));
        assert_eq!(
            up.apply(1, &revised(31_050), Timestamp(3)),
            None,
            "still 310"
        );
        let down = up.apply(1, &revised(9_999), Timestamp(3)).unwrap();
        assert_eq!(down.balance, 99);
        let revoked = down
            .apply(1, &crate::domain::testing::canceled(), Timestamp(4))
            .unwrap();
        assert_eq!(revoked.balance, 0);
        assert_eq!(
            revoked.apply(1, &revised(50_000), Timestamp(5)),
            None,
            "nothing after a refund"
        );
    }

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
        let revoked = p2
            .apply(1, &crate::domain::testing::canceled(), Timestamp(3))
            .unwrap();
        assert_eq!(revoked.balance, 0);
        assert_eq!(revoked.history.last().unwrap().delta, -380);
        assert_eq!(
            revoked.apply(1, &crate::domain::testing::canceled(), Timestamp(4)),
            None
        );
        assert_eq!(
            revoked.apply(7, &crate::domain::testing::rejected("x"), Timestamp(4)),
            None
        );
        assert_eq!(revoked.apply(1, &OrderEvent::Accepted, Timestamp(4)), None);
    }
}
