//! Every bill baedal charges, computed in one place: checkout, a revision
//! and a coupon all price through here, so a new charge (a delivery fee,
//! say) is added once and reaches every total.
//!
//! All amounts are integer won (KRW).

use super::error::DomainError;
use super::order::OrderLine;
use super::Won;

/// What one order costs: its lines, what comes off, what is charged.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Bill {
    /// The lines at their unit prices, before anything comes off.
    pub subtotal: Won,
    /// What a coupon takes off: never more than the subtotal.
    pub discount: Won,
    /// What the customer pays: `subtotal - discount`, never below zero.
    pub amount: Won,
}

impl Bill {
    /// The bill of `subtotal` with a coupon worth `coupon_value` won (0 for
    /// none). The coupon covers at most the subtotal; what it is worth
    /// beyond that is lost, as the coupon is used once.
    pub fn new(subtotal: Won, coupon_value: Won) -> Bill {
        let discount = coupon_discount(coupon_value, subtotal);
        Bill {
            subtotal,
            discount,
            amount: subtotal - discount,
        }
    }
}

/// The lines at their unit prices: Σ unit price × qty, in won.
pub fn subtotal(lines: &[OrderLine]) -> Result<Won, DomainError> {
    lines
        .iter()
        .try_fold(0u64, |sum, l| {
            l.unit_price.checked_mul(u64::from(l.qty))?.checked_add(sum)
        })
        .ok_or_else(|| DomainError::Invalid {
            field: "items",
            reason: "add up to more than can be paid".into(),
        })
}

/// What a coupon worth `value` takes off a `subtotal`: all of it, up to the
/// subtotal.
pub fn coupon_discount(value: Won, subtotal: Won) -> Won {
    value.min(subtotal)
}

/// `to - from` as a signed amount of won (amounts fit in `i64`: checkout
/// refuses a subtotal beyond what a card can be charged long before that).
pub fn amount_delta(from: Won, to: Won) -> i64 {
    to as i64 - from as i64
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn line(unit_price: Won, qty: u32) -> OrderLine {
        OrderLine {
            menu_id: format!("m{unit_price}"),
            name: "메뉴".into(),
            qty,
            unit_price,
        }
    }

    #[test]
    fn a_bill_sums_its_lines_and_takes_the_coupon_off() {
        let bill = Bill::new(subtotal(&[line(19_000, 2), line(2_000, 1)]).unwrap(), 2_000);
        assert_eq!(
            bill,
            Bill {
                subtotal: 40_000,
                discount: 2_000,
                amount: 38_000
            }
        );
        assert_eq!(Bill::new(40_000, 0).amount, 40_000);
    }

    #[test]
    fn a_coupon_worth_more_than_the_subtotal_makes_it_free_not_negative() {
        assert_eq!(
            Bill::new(1_500, 2_000),
            Bill {
                subtotal: 1_500,
                discount: 1_500,
                amount: 0
            }
        );
    }

    #[test]
    fn lines_that_overflow_are_refused_with_a_reason() {
        let refused = subtotal(&[line(u64::MAX / 2, 3)]).unwrap_err();
        assert!(
            refused.to_string().contains("more than can be paid"),
            "{refused}"
        );
    }

    #[test]
    fn the_delta_of_a_revision_is_signed() {
        let before = Bill::new(38_000, 2_000).amount;
        assert_eq!(
            amount_delta(before, Bill::new(57_000, 2_000).amount),
            19_000
        );
        assert_eq!(
            amount_delta(before, Bill::new(19_000, 2_000).amount),
            -19_000
        );
        assert_eq!(amount_delta(before, before), 0);
    }

    proptest! {
        #[test]
        fn what_is_charged_plus_what_comes_off_is_the_subtotal(
            subtotal in 0u64..10_000_000, coupon in 0u64..100_000
        ) {
            let bill = Bill::new(subtotal, coupon);
            prop_assert_eq!(bill.amount + bill.discount, bill.subtotal);
            prop_assert!(bill.discount <= coupon);
        }
    }
}
