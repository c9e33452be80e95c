//! The order aggregate: its states, commands, events, `decide` and `apply`.

use super::access::{self, Cause, Principal};
use super::aggregate::Aggregate;
use super::delivery_terms::{check_cooking_minutes, DEFAULT_COOKING_MINUTES};
use super::error::DomainError;
use super::geo::LatLon;
use super::ids::OrderId;
use super::options::LineOption;
use super::prep::{self, AcceptTerms, DELAY_MINUTES};
use super::reasons::{CancelReason, RejectReason};
use super::time::Timestamp;
use super::Won;
use serde::{Deserialize, Serialize};

pub use super::order_messages::{OrderCommand, OrderEvent, OrderTimer, Revision};
pub use super::order_status::OrderStatus;

/// One line of an order, with the price it was placed at.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct OrderLine {
    pub menu_id: String,
    pub name: String,
    pub qty: u32,
    /// The dish alone; each option adds its own price.
    pub unit_price: Won,
    /// The options chosen, priced when ordered (since schema 6).
    #[serde(default)]
    pub options: Vec<LineOption>,
}

impl OrderLine {
    /// One of it, options included, in won (`None` past a `u64`).
    pub fn unit_total(&self) -> Option<Won> {
        self.options
            .iter()
            .try_fold(self.unit_price, |sum, o| sum.checked_add(o.price))
    }
}

/// What an order pays beyond its food, in won (since schema 6; older
/// orders read none).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Fees {
    /// The store's delivery fee for the distance (`pricing::delivery_fee`).
    pub delivery_won: Won,
}

/// The customer's notes: one for the store, one for the rider, each shown
/// to that party only and never in a notification (since schema 6).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Notes {
    pub for_store: Option<String>,
    pub for_rider: Option<String>,
}

/// One entry of an order's status history.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
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
    /// Part of `amount` (since schema 6).
    #[serde(default)]
    pub fees: Fees,
    /// The store's deadline and way of accepting (since schema 6).
    #[serde(default)]
    pub accept: Option<AcceptTerms>,
    #[serde(default)]
    pub notes: Notes,
}

/// An order: what was placed and where it is now.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
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
    /// Part of `amount`: the delivery fee (since schema 6).
    #[serde(default)]
    pub fees: Fees,
    /// How the store accepts it (since schema 6; `None`: no deadline).
    #[serde(default)]
    pub accept: Option<AcceptTerms>,
    /// When it is canceled if not accepted (since schema 6).
    #[serde(default)]
    pub accept_by: Option<Timestamp>,
    /// The store was reminded half-way to `accept_by`.
    #[serde(default)]
    pub reminded: bool,
    /// When the food will be ready, once accepted (since schema 6).
    #[serde(default)]
    pub ready_by: Option<Timestamp>,
    /// When the food will arrive: `ready_by` plus the ride (`prep`).
    #[serde(default)]
    pub estimated_delivery_at: Option<Timestamp>,
    /// How long the store pushed `ready_by` back, if it did (once).
    #[serde(default)]
    pub delay_minutes: Option<u32>,
    #[serde(default)]
    pub notes: Notes,
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

    /// When it was placed.
    pub fn placed_at(&self) -> Timestamp {
        self.history.first().map(|c| c.at).unwrap_or_default()
    }

    /// Its durable timers and when each is due: only a Placed order with
    /// accept terms has any (`OrderTimer`).
    pub fn timers(&self) -> Vec<(Timestamp, OrderTimer)> {
        let (Some(terms), OrderStatus::Placed) = (self.accept, self.status) else {
            return Vec::new();
        };
        let placed = self.placed_at();
        let mut timers = Vec::with_capacity(3);
        if terms.auto_accept {
            timers.push((placed, OrderTimer::AutoAccept));
        }
        if !self.reminded {
            timers.push((terms.reminder(placed), OrderTimer::Remind));
        }
        timers.push((terms.deadline(placed), OrderTimer::Expire));
        timers
    }

    /// The accept of a Placed order at `now`: ready in `minutes` (the
    /// store's default if `None`), delivered a ride later.
    fn accept(&self, minutes: Option<u32>, now: Timestamp) -> Result<OrderEvent, DomainError> {
        let minutes = minutes
            .or(self.accept.map(|a| a.default_cooking_minutes))
            .unwrap_or(DEFAULT_COOKING_MINUTES);
        check_cooking_minutes("cookingMinutes", minutes)?;
        let ready_by = prep::after_minutes(now, minutes);
        Ok(OrderEvent::Accepted {
            cooking_minutes: Some(minutes),
            ready_by: Some(ready_by),
            estimated_delivery_at: Some(prep::estimated_delivery(
                ready_by,
                self.pickup,
                self.dropoff(),
            )),
        })
    }

    /// What a due timer does at `now`: nothing once the order moved on,
    /// or before its time.
    fn fire(&self, timer: OrderTimer, now: Timestamp) -> Result<Vec<OrderEvent>, DomainError> {
        let due = self.timers().into_iter().find(|(_, t)| *t == timer);
        match (due, self.accept_by) {
            // A reminder come due with its deadline (after a restart) is
            // no use: the deadline fires and takes it away.
            (Some((_, OrderTimer::Remind)), Some(accept_by)) if accept_by <= now => Ok(vec![]),
            (Some((at, _)), Some(accept_by)) if at <= now => Ok(vec![match timer {
                OrderTimer::AutoAccept => self.accept(None, now)?,
                OrderTimer::Remind => OrderEvent::AcceptReminded { accept_by },
                OrderTimer::Expire => OrderEvent::Canceled {
                    code: Some(CancelReason::NotAccepted),
                    note: None,
                },
            }]),
            _ => Ok(vec![]),
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
    /// first whether `by` may (`access::check_order`). The time sets an
    /// accept's ready time and whether a timer is due.
    fn decide(
        order: Option<&Order>,
        id: &OrderId,
        by: &Principal,
        cmd: &OrderCommand,
        now: Timestamp,
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
            C::Accept { cooking_minutes } if status == S::Placed => {
                order.accept(*cooking_minutes, now)?
            }
            C::Accept { .. } => return Err(wrong("accepting", "Placed")),
            C::Delay { minutes } => {
                if !DELAY_MINUTES.contains(minutes) {
                    return Err(DomainError::Invalid {
                        field: "minutes",
                        reason: format!(
                            "must be between {} and {} minutes",
                            DELAY_MINUTES.start(),
                            DELAY_MINUTES.end()
                        ),
                    });
                }
                if !matches!(status, S::Accepted | S::Cooking) {
                    return Err(wrong("delaying", "Accepted or Cooking"));
                }
                if let Some(before) = order.delay_minutes {
                    return Err(DomainError::AlreadyDelayed {
                        order: id,
                        minutes: before,
                    });
                }
                let ready_by = prep::after_minutes(order.ready_by.unwrap_or(now), *minutes);
                OrderEvent::Delayed {
                    minutes: *minutes,
                    ready_by,
                    estimated_delivery_at: prep::estimated_delivery(
                        ready_by,
                        order.pickup,
                        order.dropoff(),
                    ),
                }
            }
            C::Timer(timer) => return order.fire(*timer, now),
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
                    fees: new.fees,
                    accept: new.accept,
                    accept_by: new.accept.map(|a| a.deadline(at)),
                    reminded: false,
                    ready_by: None,
                    estimated_delivery_at: None,
                    delay_minutes: None,
                    notes: new.notes,
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
            OrderEvent::Accepted {
                ready_by,
                estimated_delivery_at,
                ..
            } => {
                order.ready_by = *ready_by;
                order.estimated_delivery_at = *estimated_delivery_at;
            }
            // Not changes of status: the history stays as it is.
            OrderEvent::Delayed {
                minutes,
                ready_by,
                estimated_delivery_at,
            } => {
                order.delay_minutes = Some(*minutes);
                order.ready_by = Some(*ready_by);
                order.estimated_delivery_at = Some(*estimated_delivery_at);
                return Some(order);
            }
            OrderEvent::AcceptReminded { .. } => {
                order.reminded = true;
                return Some(order);
            }
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
        let Some(status) = event.status() else {
            return Some(order);
        };
        order.status = status;
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

#[cfg(test)]
#[path = "order_time_tests.rs"]
mod time_tests;
