//! Limits on one order, set by the operator (`--max-order-won`,
//! `--max-revisions`): what one customer can make the platform charge, and
//! how often one order's card can be charged and refunded again.

use super::error::DomainError;
use super::order::Order;
use super::pricing::Bill;
use super::Won;

/// The limits on one order.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct OrderLimits {
    /// Most an order may cost, in won, before any discount.
    pub max_total: Won,
    /// Most times an order may be revised.
    pub max_revisions: u32,
}

impl Default for OrderLimits {
    /// 1,000,000 won and 5 revisions: far above any real meal, far below
    /// what a runaway client could do to a card.
    fn default() -> Self {
        OrderLimits {
            max_total: 1_000_000,
            max_revisions: 5,
        }
    }
}

impl OrderLimits {
    /// Refuses a bill whose subtotal is over `max_total` (422).
    pub fn check_bill(&self, bill: &Bill) -> Result<(), DomainError> {
        if bill.subtotal > self.max_total {
            return Err(DomainError::OverOrderLimit {
                amount: bill.subtotal,
                limit: self.max_total,
            });
        }
        Ok(())
    }

    /// Refuses one more revision of an order revised `max_revisions` times
    /// already (409).
    pub fn check_revision(&self, order: &Order) -> Result<(), DomainError> {
        if order.revision >= self.max_revisions {
            return Err(DomainError::TooManyRevisions {
                order: order.id,
                limit: self.max_revisions,
            });
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::aggregate::Aggregate;
    use crate::domain::order::OrderEvent;
    use crate::domain::testing::{new_order, revision};
    use crate::domain::{ErrorKind, Timestamp};

    #[test]
    fn a_bill_over_the_limit_is_refused_and_one_at_it_is_not() {
        let limits = OrderLimits {
            max_total: 50_000,
            max_revisions: 5,
        };
        assert_eq!(limits.check_bill(&Bill::new(50_000, 0, 0)), Ok(()));
        let refused = limits.check_bill(&Bill::new(50_001, 2_000, 0)).unwrap_err();
        assert_eq!(refused.kind(), ErrorKind::Invalid);
        assert!(
            refused.to_string().contains("at most 50000 won"),
            "{refused}"
        );
    }

    #[test]
    fn an_order_is_revised_at_most_max_revisions_times() {
        let limits = OrderLimits {
            max_total: 1_000_000,
            max_revisions: 2,
        };
        let placed = OrderEvent::Placed(Box::new(new_order(1, 20_000)));
        let mut order = Order::apply(None, &placed, Timestamp(1)).unwrap();
        for n in 1..=2 {
            assert_eq!(limits.check_revision(&order), Ok(()));
            let revised = OrderEvent::Revised(Box::new(revision(n, vec![], 20_000, 0)));
            order = Order::apply(Some(order), &revised, Timestamp(2)).unwrap();
        }
        let refused = limits.check_revision(&order).unwrap_err();
        assert_eq!(
            refused,
            DomainError::TooManyRevisions { order: 1, limit: 2 }
        );
        assert_eq!(refused.kind(), ErrorKind::Conflict);
    }
}
