//! MyPage: a customer's read model of one order.

use super::access::Cause;
use super::order::{OrderEvent, OrderStatus, StatusChange};
use super::time::Timestamp;
use super::{OrderId, Won};
use serde::{Deserialize, Serialize};

/// One order as its customer's MyPage shows it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct MyPage {
    pub order_id: OrderId,
    pub customer_id: String,
    pub store_id: String,
    pub store_name: String,
    pub amount: Won,
    pub status: OrderStatus,
    pub rider_id: Option<String>,
    pub updated_at: Timestamp,
    pub history: Vec<StatusChange>,
    /// When the food will be ready, once accepted (since schema 6).
    #[serde(default)]
    pub ready_by: Option<Timestamp>,
    /// When it will arrive (`prep`; since schema 6).
    #[serde(default)]
    pub estimated_delivery_at: Option<Timestamp>,
}

/// The entry after an order event `by` someone (as the log recorded it);
/// `None` where it does not fit (replay).
pub fn apply(
    page: Option<&MyPage>,
    event: &OrderEvent,
    at: Timestamp,
    by: Option<&Cause>,
) -> Option<MyPage> {
    let mut page = match (page, event) {
        (None, OrderEvent::Placed(new)) => {
            let status = OrderStatus::Placed;
            return Some(MyPage {
                order_id: new.id,
                customer_id: new.customer_id.clone(),
                store_id: new.store_id.clone(),
                store_name: new.store_name.clone(),
                amount: new.amount,
                status,
                rider_id: None,
                updated_at: at,
                history: vec![StatusChange {
                    status,
                    at,
                    by: by.cloned(),
                }],
                ready_by: None,
                estimated_delivery_at: None,
            });
        }
        (
            Some(page),
            OrderEvent::Delayed {
                ready_by,
                estimated_delivery_at,
                ..
            },
        ) if !page.status.is_final() => {
            // A new time, not a new status: the history stays.
            let mut delayed = page.clone();
            delayed.ready_by = Some(*ready_by);
            delayed.estimated_delivery_at = Some(*estimated_delivery_at);
            delayed.updated_at = at;
            return Some(delayed);
        }
        (Some(page), OrderEvent::Revised(r)) if page.status == OrderStatus::Placed => {
            // A new amount, not a new status: the history stays.
            let mut revised = page.clone();
            revised.amount = r.amount;
            revised.updated_at = at;
            return Some(revised);
        }
        (Some(_), OrderEvent::Revised(_)) => return None,
        (Some(page), _) if !page.status.is_final() && !matches!(event, OrderEvent::Placed(_)) => {
            page.clone()
        }
        _ => return None,
    };
    let status = event.status()?;
    match event {
        OrderEvent::DeliveryPicked { rider_id } => page.rider_id = Some(rider_id.clone()),
        OrderEvent::Accepted {
            ready_by,
            estimated_delivery_at,
            ..
        } => {
            page.ready_by = *ready_by;
            page.estimated_delivery_at = *estimated_delivery_at;
        }
        _ => {}
    }
    page.status = status;
    page.updated_at = at;
    page.history.push(StatusChange {
        status,
        at,
        by: by.cloned(),
    });
    Some(page)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::testing::{accepted, new_order, revision};

    #[test]
    fn follows_the_order_and_ignores_replays() {
        let placed = OrderEvent::Placed(Box::new(new_order(9, 12_000)));
        let p = apply(None, &placed, Timestamp(1), None).unwrap();
        assert_eq!(
            (p.status, p.amount, p.history.len()),
            (OrderStatus::Placed, 12_000, 1)
        );
        assert_eq!(apply(Some(&p), &placed, Timestamp(2), None), None);
        let p = apply(Some(&p), &accepted(), Timestamp(2), None).unwrap();
        let p = apply(
            Some(&p),
            &crate::domain::testing::canceled(),
            Timestamp(3),
            None,
        )
        .unwrap();
        assert_eq!(p.status, OrderStatus::Canceled);
        assert_eq!(p.updated_at, Timestamp(3));
        assert_eq!(
            apply(Some(&p), &OrderEvent::CookStarted, Timestamp(4), None),
            None
        );
    }

    #[test]
    fn a_revision_changes_the_amount_not_the_history() {
        let revised = OrderEvent::Revised(Box::new(revision(1, vec![], 5_000, -7_000)));
        let p = apply(
            None,
            &OrderEvent::Placed(Box::new(new_order(9, 12_000))),
            Timestamp(1),
            None,
        )
        .unwrap();
        let r = apply(Some(&p), &revised, Timestamp(2), None).unwrap();
        assert_eq!(
            (r.amount, r.history.len(), r.updated_at),
            (5_000, 1, Timestamp(2))
        );
        let accepted = apply(Some(&r), &accepted(), Timestamp(3), None).unwrap();
        assert_eq!(
            apply(Some(&accepted), &revised, Timestamp(4), None),
            None,
            "too late"
        );
    }

    #[test]
    fn shows_the_rider() {
        let p = apply(
            None,
            &OrderEvent::Placed(Box::new(new_order(9, 1))),
            Timestamp(1),
            None,
        )
        .unwrap();
        let picked = OrderEvent::DeliveryPicked {
            rider_id: "r7".into(),
        };
        assert_eq!(
            apply(Some(&p), &picked, Timestamp(2), None)
                .unwrap()
                .rider_id
                .as_deref(),
            Some("r7")
        );
    }
}
