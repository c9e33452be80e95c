//! The order aggregate: its states, commands, events, `decide` and `apply`.

use super::access::{self, Cause, OrderAction, Principal};
use super::aggregate::Aggregate;
use super::error::DomainError;
use super::geo::LatLon;
use super::ids::OrderId;
use super::time::Timestamp;
use super::Won;
use serde::{Deserialize, Serialize};
use std::fmt;

/// Where an order is in its lifecycle. An order is in exactly one of these.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum OrderStatus {
    Placed,
    Accepted,
    Rejected,
    Canceled,
    Cooking,
    Cooked,
    PickedUp,
    Delivered,
    Completed,
}

impl OrderStatus {
    /// Every status, in lifecycle order.
    pub const ALL: [OrderStatus; 9] = [
        OrderStatus::Placed,
        OrderStatus::Accepted,
        OrderStatus::Rejected,
        OrderStatus::Canceled,
        OrderStatus::Cooking,
        OrderStatus::Cooked,
        OrderStatus::PickedUp,
        OrderStatus::Delivered,
        OrderStatus::Completed,
    ];

    /// No event can follow a final status.
    pub fn is_final(self) -> bool {
        matches!(self, Self::Rejected | Self::Canceled | Self::Completed)
    }

    /// Parses the name used in the API.
    pub fn parse(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.as_str() == name)
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Placed => "Placed",
            Self::Accepted => "Accepted",
            Self::Rejected => "Rejected",
            Self::Canceled => "Canceled",
            Self::Cooking => "Cooking",
            Self::Cooked => "Cooked",
            Self::PickedUp => "PickedUp",
            Self::Delivered => "Delivered",
            Self::Completed => "Completed",
        }
    }
}

impl fmt::Display for OrderStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

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

/// What someone asks of an order.
#[derive(Clone, Debug, PartialEq)]
pub enum OrderCommand {
    /// Create the order; only after its payment was approved.
    Place(Box<NewOrder>),
    Accept,
    Reject {
        reason: String,
    },
    Cancel,
    StartCooking,
    FinishCooking,
    Pick {
        rider_id: String,
    },
    CompleteDelivery {
        rider_id: String,
    },
    Confirm,
    /// Change the items of a Placed order (priced and paid by the caller).
    Revise(Box<Revision>),
}

impl OrderCommand {
    /// What this does to an order, as `access` names it (`None`: placing,
    /// which has its own rule).
    pub fn action(&self) -> Option<OrderAction> {
        use OrderAction as A;
        Some(match self {
            OrderCommand::Place(_) => return None,
            OrderCommand::Accept => A::Accept,
            OrderCommand::Reject { .. } => A::Reject,
            OrderCommand::Cancel => A::Cancel,
            OrderCommand::StartCooking => A::StartCooking,
            OrderCommand::FinishCooking => A::FinishCooking,
            OrderCommand::Pick { .. } => A::Pick,
            OrderCommand::CompleteDelivery { .. } => A::CompleteDelivery,
            OrderCommand::Confirm => A::Confirm,
            OrderCommand::Revise(_) => A::Revise,
        })
    }
}

/// A change of a Placed order's items, priced and paid.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Revision {
    /// 1 for the first revision, and so on.
    pub revision: u32,
    pub items: Vec<OrderLine>,
    pub amount: Won,
    pub discount: Won,
    /// What changed hands: charged if positive, refunded if negative.
    pub delta: i64,
    /// The gateway transaction of an extra charge.
    pub transaction_id: Option<String>,
    /// This attempt's idempotency key at the gateway (unique per attempt,
    /// so a retry after a failure is a new charge, never a replay).
    pub key: u64,
}

/// What happened to an order; the log records these.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum OrderEvent {
    Placed(Box<NewOrder>),
    Accepted,
    Rejected { reason: String },
    Canceled,
    CookStarted,
    CookFinished,
    DeliveryPicked { rider_id: String },
    DeliveryCompleted { rider_id: String },
    Completed,
    Revised(Box<Revision>),
}

impl OrderEvent {
    /// Whether this event ends the order with its whole payment given back
    /// (rejected by the store, or canceled before cooking). The one rule
    /// for it: refunds, coupons, points and the delivery board all ask here.
    pub fn refunds_payment(&self) -> bool {
        matches!(self, Self::Rejected { .. } | Self::Canceled)
    }

    /// The status an order is in after this event.
    pub fn status(&self) -> OrderStatus {
        match self {
            Self::Placed(_) => OrderStatus::Placed,
            Self::Accepted => OrderStatus::Accepted,
            Self::Rejected { .. } => OrderStatus::Rejected,
            Self::Canceled => OrderStatus::Canceled,
            Self::CookStarted => OrderStatus::Cooking,
            Self::CookFinished => OrderStatus::Cooked,
            Self::DeliveryPicked { .. } => OrderStatus::PickedUp,
            Self::DeliveryCompleted { .. } => OrderStatus::Delivered,
            Self::Completed => OrderStatus::Completed,
            Self::Revised(_) => OrderStatus::Placed,
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
            C::Reject { reason } if status == S::Placed => OrderEvent::Rejected {
                reason: reason.clone(),
            },
            C::Reject { .. } => return Err(wrong("rejecting", "Placed")),
            C::Cancel => match status {
                S::Placed | S::Accepted => OrderEvent::Canceled,
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
                });
            }
            (state, OrderEvent::Placed(_)) | (state @ None, _) => return state,
            (Some(order), _) => order,
        };
        match event {
            OrderEvent::Rejected { reason } => order.reject_reason = Some(reason.clone()),
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
