//! The order aggregate: its states, commands, events, `decide` and `apply`.

use super::access::{self, Cause, Principal};
use super::aggregate::Aggregate;
use super::error::DomainError;
use super::geo::LatLon;
use super::ids::OrderId;
use super::reasons::{CancelReason, RejectReason};
use super::time::Timestamp;
use super::Won;
use serde::{Deserialize, Serialize};

pub use super::order_messages::{OrderCommand, OrderEvent, Revision};
pub use super::order_status::OrderStatus;

/// One line of an order, with the price it was placed at.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OrderLine {
    pub menu_id: String,
    pub name: String,
    pub qty: u32,
    pub unit_price: Won,
}

/// One entry of an order's status history.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StatusChange {
    pub status: OrderStatus,
    pub at: Timestamp,
    /// Who changed it (since schema 3; `None` before).
    #[serde(default)]
    pub by: Option<Cause>,
}

/// Everything fixed when an order is placed: priced, located and paid.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct NewOrder {
    pub id: OrderId,
    pub customer_id: String,
    pub store_id: String,
    pub store_name: String,
    /// Where the rider picks the food up (the store).
    pub pickup: LatLon,
    pub items: Vec<OrderLine>,
    /// What was charged, after the discount.
    pub amount: Won,
    pub discount: Won,
    /// The coupon that gave the discount.
    pub coupon_id: Option<String>,
    pub address: String,
    /// Where the food goes.
    pub dropoff: LatLon,
    /// The payment gateway's transaction id of the charge.
    pub transaction_id: String,
}

/// An order: what was placed and where it is now.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Order {
    pub id: OrderId,
    pub customer_id: String,
    pub store_id: String,
    pub store_name: String,
    pub items: Vec<OrderLine>,
    pub amount: Won,
    pub discount: Won,
    pub coupon_id: Option<String>,
    pub address: String,
    pub lat: f64,
    pub lon: f64,
    pub pickup: LatLon,
    pub status: OrderStatus,
    pub rider_id: Option<String>,
    pub reject_reason: Option<String>,
    pub transaction_id: String,
    pub history: Vec<StatusChange>,
    /// How many times it was revised (0: as placed).
    pub revision: u32,
    /// Why the store rejected it (since schema 4; `reject_reason` holds its
    /// label, or an older order's free text).
    #[serde(default)]
    pub reject_code: Option<RejectReason>,
    /// Why it was canceled (since schema 4).
    #[serde(default)]
    pub cancel_code: Option<CancelReason>,
    /// The note given with a reject or cancel: shown here, in the order,
    /// and never in a notification.
    #[serde(default)]
    pub reason_note: Option<String>,
}

impl Order {
    /// When the order last changed.
    pub fn updated_at(&self) -> Timestamp {
        self.history.last().map(|c| c.at).unwrap_or_default()
    }

    pub fn dropoff(&self) -> LatLon {
        LatLon {
            lat: self.lat,
            lon: self.lon,
        }
    }
}

impl Aggregate for Order {
    type Id = OrderId;
    type Command = OrderCommand;
    type Event = OrderEvent;

    /// An order exists once placed.
    fn initial(_: &OrderId) -> Option<Order> {
        None
    }

    /// Decides what a command does to an order (`None`: no such order yet),
    /// first whether `by` may (`access::check_order`). Nothing here depends
    /// on the time.
    fn decide(
        order: Option<&Order>,
        id: &OrderId,
        by: &Principal,
        cmd: &OrderCommand,
        _now: Timestamp,
    ) -> Result<Vec<OrderEvent>, DomainError> {
        let id = *id;
        use OrderCommand as C;
        use OrderStatus as S;
        let order = match (order, cmd) {
            (None, C::Place(new)) => {
                access::acting_customer(by, &new.customer_id)?;
                return Ok(vec![OrderEvent::Placed(new.clone())]);
            }
            (Some(_), C::Place(_)) => return Err(DomainError::OrderExists(id)),
            (None, _) => return Err(DomainError::OrderNotFound(id)),
            (Some(order), _) => order,
        };
        if let Some(action) = cmd.action() {
            access::check_order(by, order, action)?;
        }
        if let C::Pick { rider_id } | C::CompleteDelivery { rider_id } = cmd {
            access::acting_rider(by, rider_id)?;
        }
        let status = order.status;
        let wrong = |action: &'static str, expected: &'static str| {
            if status.is_final() {
                DomainError::AlreadyFinal {
                    order: id,
                    status: status.to_string(),
                }
            } else {
                DomainError::WrongState {
                    order: id,
                    status: status.to_string(),
                    action,
                    expected,
                }
            }
        };
        let event = match cmd {
            C::Place(_) => unreachable!("handled above"),
            C::Accept if status == S::Placed => OrderEvent::Accepted,
            C::Accept => return Err(wrong("accepting", "Placed")),
            C::Reject { code, note } if status == S::Placed => OrderEvent::Rejected {
                reason: code.label().to_string(),
                code: Some(*code),
                note: note.clone(),
            },
            C::Reject { .. } => return Err(wrong("rejecting", "Placed")),
            C::Cancel { code, note } => match status {
                S::Placed | S::Accepted => OrderEvent::Canceled {
                    code: Some(*code),
                    note: note.clone(),
                },
                S::Cooking | S::Cooked | S::PickedUp | S::Delivered => {
                    return Err(DomainError::CookingStarted(id))
                }
                S::Rejected | S::Canceled | S::Completed => {
                    return Err(wrong("canceling", "Placed or Accepted"))
                }
            },
            C::StartCooking if status == S::Accepted => OrderEvent::CookStarted,
            C::StartCooking => return Err(wrong("starting to cook", "Accepted")),
            C::FinishCooking if status == S::Cooking => OrderEvent::CookFinished,
            C::FinishCooking => return Err(wrong("finishing cooking", "Cooking")),
            C::Pick { rider_id } => match (&order.rider_id, status) {
                (Some(taken), _) => {
                    return Err(DomainError::AlreadyTaken {
                        order: id,
                        rider: taken.clone(),
                    })
                }
                (None, S::Cooked) => OrderEvent::DeliveryPicked {
                    rider_id: rider_id.clone(),
                },
                (None, _) => return Err(wrong("picking up", "Cooked")),
            },
            C::CompleteDelivery { rider_id } => match (&order.rider_id, status) {
                (Some(assigned), _) if assigned != rider_id => {
                    return Err(DomainError::NotYourDelivery {
                        order: id,
                        rider: assigned.clone(),
                    })
                }
                (Some(_), S::PickedUp) => OrderEvent::DeliveryCompleted {
                    rider_id: rider_id.clone(),
                },
                _ => return Err(wrong("completing the delivery", "PickedUp")),
            },
            C::Confirm if status == S::Delivered => OrderEvent::Completed,
            C::Confirm => return Err(wrong("confirming delivery", "Delivered")),
            C::Revise(r) if status == S::Placed && r.revision == order.revision + 1 => {
                OrderEvent::Revised(r.clone())
            }
            C::Revise(r) if status == S::Placed => {
                return Err(DomainError::RevisedMeanwhile {
                    order: id,
                    expected: order.revision + 1,
                    got: r.revision,
                })
            }
            C::Revise(_) => return Err(wrong("revising", "Placed")),
        };
        Ok(vec![event])
    }

    /// Applies an event to an order. Total: an event that does not fit the state
    /// (which `decide` never produces) leaves the state as it was.
    fn apply(order: Option<Order>, event: &OrderEvent, at: Timestamp) -> Option<Order> {
        let mut order = match (order, event) {
            (None, OrderEvent::Placed(new)) => {
                let new = new.as_ref().clone();
                return Some(Order {
                    id: new.id,
                    customer_id: new.customer_id,
                    store_id: new.store_id,
                    store_name: new.store_name,
                    items: new.items,
                    amount: new.amount,
                    discount: new.discount,
                    coupon_id: new.coupon_id,
                    address: new.address,
                    lat: new.dropoff.lat,
                    lon: new.dropoff.lon,
                    pickup: new.pickup,
                    status: OrderStatus::Placed,
                    rider_id: None,
                    reject_reason: None,
                    transaction_id: new.transaction_id,
                    history: vec![StatusChange {
                        status: OrderStatus::Placed,
                        at,
                        by: None,
                    }],
                    revision: 0,
                    reject_code: None,
                    cancel_code: None,
                    reason_note: None,
                });
            }
            (state, OrderEvent::Placed(_)) | (state @ None, _) => return state,
            (Some(order), _) => order,
        };
        match event {
            OrderEvent::Rejected { reason, code, note } => {
                order.reject_reason = Some(reason.clone());
                order.reject_code = *code;
                order.reason_note = note.clone();
            }
            OrderEvent::Canceled { code, note } => {
                order.cancel_code = *code;
                order.reason_note = note.clone();
            }
            OrderEvent::DeliveryPicked { rider_id } => order.rider_id = Some(rider_id.clone()),
            OrderEvent::Revised(r) => {
                // Not a change of status: the history stays as it is.
                order.items = r.items.clone();
                order.amount = r.amount;
                order.discount = r.discount;
                order.revision = r.revision;
                return Some(order);
            }
            _ => {}
        }
        order.status = event.status();
        order.history.push(StatusChange {
            status: order.status,
            at,
            by: None,
        });
        Some(order)
    }

    /// Applies the event and records `by` on the history entry it added.
    fn apply_caused(
        order: Option<Order>,
        event: &OrderEvent,
        at: Timestamp,
        by: &Cause,
    ) -> Option<Order> {
        let entries = order.as_ref().map_or(0, |o| o.history.len());
        let mut next = Self::apply(order, event, at)?;
        if next.history.len() > entries {
            if let Some(last) = next.history.last_mut() {
                last.by = Some(by.clone());
            }
        }
        Some(next)
    }

    fn not_found(id: &OrderId) -> DomainError {
        DomainError::OrderNotFound(*id)
    }
}

#[cfg(test)]
#[path = "order_tests.rs"]
pub(crate) mod tests;
