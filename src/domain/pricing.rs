//! Every bill baedal charges, computed in one place: checkout, a quote, a
//! revision and a coupon all price through here, so a charge is added once
//! and reaches every total.
//!
//! The rules (issue 13): a coupon applies to the food only, never to the
//! delivery fee; points are earned on the food paid for, never on the fee
//! (`points`, through [`Bill::food_paid`]). All amounts are integer won
//! (KRW).

use super::delivery_terms::{metres, DeliveryTerms};
use super::error::DomainError;
use super::order::OrderLine;
use super::Won;

/// What one order costs: its lines, what comes off, the fee, what is
/// charged.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Bill {
    /// The lines at their unit prices, before anything comes off.
    pub subtotal: Won,
    /// What a coupon takes off: never more than the subtotal.
    pub discount: Won,
    /// The store's delivery fee for the distance ([`delivery_fee`]).
    pub delivery_fee: Won,
    /// What the customer pays: `subtotal - discount + delivery_fee`.
    pub amount: Won,
}

impl Bill {
    /// The bill of `subtotal` with a coupon worth `coupon_value` won (0 for
    /// none) and a delivery fee. The coupon covers at most the subtotal;
    /// what it is worth beyond that is lost, as the coupon is used once.
    pub fn new(subtotal: Won, coupon_value: Won, delivery_fee: Won) -> Bill {
        let discount = coupon_discount(coupon_value, subtotal);
        Bill {
            subtotal,
            discount,
            delivery_fee,
            amount: subtotal - discount + delivery_fee,
        }
    }

    /// What was paid for the food: the amount less the fee.
    pub fn food_paid(&self) -> Won {
        food_paid(self.amount, self.delivery_fee)
    }
}

/// What an order's `amount` paid for its food, its `delivery_fee` taken
/// out (what points are earned on).
pub fn food_paid(amount: Won, delivery_fee: Won) -> Won {
    amount.saturating_sub(delivery_fee)
}

/// The fee for a drop-off `distance_km` from the store: the base fee up to
/// the base distance, then the step fee for every started step beyond it
/// (to the metre: exactly at an edge is the cheaper band).
pub fn delivery_fee(terms: &DeliveryTerms, distance_km: f64) -> Won {
    let (distance, base) = (metres(distance_km), metres(terms.base_distance_km));
    if distance <= base {
        return terms.base_fee_won;
    }
    let step = metres(terms.step_km).max(1);
    let steps = (distance - base).div_ceil(step);
    terms.base_fee_won + steps * terms.step_fee_won
}

/// What is missing to a store's minimum order: `None` when the food's
/// `subtotal` (before a coupon) reaches it.
pub fn short_of_minimum(terms: &DeliveryTerms, subtotal: Won) -> Option<Won> {
    (subtotal < terms.min_order_won).then(|| terms.min_order_won - subtotal)
}

/// The lines at their unit prices: Σ (unit price + its options) × qty,
/// in won.
pub fn subtotal(lines: &[OrderLine]) -> Result<Won, DomainError> {
    lines
        .iter()
        .try_fold(0u64, |sum, l| {
            l.unit_total()?
                .checked_mul(u64::from(l.qty))?
                .checked_add(sum)
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
            options: vec![],
        }
    }

    #[test]
    fn a_bill_sums_its_lines_and_takes_the_coupon_off() {
        let bill = Bill::new(
            subtotal(&[line(19_000, 2), line(2_000, 1)]).unwrap(),
            2_000,
            0,
        );
        assert_eq!(
            bill,
            Bill {
                subtotal: 40_000,
                discount: 2_000,
                delivery_fee: 0,
                amount: 38_000
            }
        );
        assert_eq!(Bill::new(40_000, 0, 0).amount, 40_000);
    }

    #[test]
    fn the_coupon_never_touches_the_fee_and_points_never_count_it() {
        let bill = Bill::new(10_000, 15_000, 3_500);
        assert_eq!(bill.discount, 10_000);
        assert_eq!(bill.amount, 3_500, "the fee is paid even with a coupon");
        assert_eq!(bill.food_paid(), 0);
        assert_eq!(Bill::new(20_000, 2_000, 3_000).food_paid(), 18_000);
    }

    fn banded() -> DeliveryTerms {
        crate::domain::testing::delivery_terms()
    }

    #[test]
    fn fee_bands_at_their_edges() {
        let t = banded();
        assert_eq!(delivery_fee(&t, 0.0), 3_000);
        assert_eq!(delivery_fee(&t, 1.5), 3_000, "the base distance itself");
        assert_eq!(delivery_fee(&t, 1.5004), 3_000, "rounds to the metre");
        assert_eq!(delivery_fee(&t, 1.501), 3_500, "a metre past the base");
        assert_eq!(delivery_fee(&t, 2.0), 3_500, "the first step's edge");
        assert_eq!(delivery_fee(&t, 2.001), 4_000);
        assert_eq!(delivery_fee(&t, 4.0), 5_500);
        assert_eq!(delivery_fee(&DeliveryTerms::default(), 9.9), 0);
    }

    #[test]
    fn the_minimum_says_what_is_missing() {
        let t = banded();
        assert_eq!(short_of_minimum(&t, 14_000), Some(1_000));
        assert_eq!(short_of_minimum(&t, 15_000), None);
        assert_eq!(short_of_minimum(&t, 0), Some(15_000));
        assert_eq!(short_of_minimum(&DeliveryTerms::default(), 0), None);
    }

    #[test]
    fn a_coupon_worth_more_than_the_subtotal_makes_it_free_not_negative() {
        assert_eq!(
            Bill::new(1_500, 2_000, 0),
            Bill {
                subtotal: 1_500,
                discount: 1_500,
                delivery_fee: 0,
                amount: 0
            }
        );
    }

    #[test]
    fn options_are_priced_into_each_of_the_line() {
        let mut fried = line(19_000, 2);
        fried.options = vec![crate::domain::options::LineOption {
            group: "base".into(),
            choice: "boneless".into(),
            name: "순살 변경".into(),
            price: 2_000,
        }];
        assert_eq!(
            subtotal(&[fried, line(2_000, 1)]).unwrap(),
            2 * 21_000 + 2_000
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
        let before = Bill::new(38_000, 2_000, 0).amount;
        assert_eq!(
            amount_delta(before, Bill::new(57_000, 2_000, 0).amount),
            19_000
        );
        assert_eq!(
            amount_delta(before, Bill::new(19_000, 2_000, 0).amount),
            -19_000
        );
        assert_eq!(amount_delta(before, before), 0);
    }

    proptest! {
        #[test]
        fn what_is_charged_plus_what_comes_off_is_the_subtotal_and_fee(
            subtotal in 0u64..10_000_000, coupon in 0u64..100_000, fee in 0u64..50_000
        ) {
            let bill = Bill::new(subtotal, coupon, fee);
            prop_assert_eq!(bill.amount + bill.discount, bill.subtotal + fee);
            prop_assert!(bill.discount <= coupon);
            prop_assert!(bill.amount >= fee, "a coupon never takes off the fee");
            prop_assert_eq!(bill.food_paid(), bill.subtotal - bill.discount);
        }
    }
}
