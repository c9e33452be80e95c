//! What can be asked of an order (commands) and what happens to it
//! (events, which the log records).

use super::access::OrderAction;
use super::order::{NewOrder, OrderLine, OrderStatus};
use super::reasons::{CancelReason, RejectReason};
use super::time::Timestamp;
use super::Won;
use serde::{Deserialize, Serialize};

/// What someone asks of an order.
#[derive(Clone, Debug, PartialEq)]
pub enum OrderCommand {
    /// Create the order; only after its payment was approved.
    Place(Box<NewOrder>),
    /// Accept, promising the food in `cooking_minutes` (5–120; `None`:
    /// the store's default as the order took it at checkout).
    Accept {
        cooking_minutes: Option<u32>,
    },
    /// Push the ready time back by `minutes` (5–60), once.
    Delay {
        minutes: u32,
    },
    /// One of the order's durable timers is due (the system's only).
    Timer(OrderTimer),
    Reject {
        code: RejectReason,
        note: Option<String>,
    },
    Cancel {
        code: CancelReason,
        note: Option<String>,
    },
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
            OrderCommand::Accept { .. } => A::Accept,
            OrderCommand::Delay { .. } => A::Delay,
            OrderCommand::Timer(_) => A::Timer,
            OrderCommand::Reject { .. } => A::Reject,
            OrderCommand::Cancel { .. } => A::Cancel,
            OrderCommand::StartCooking => A::StartCooking,
            OrderCommand::FinishCooking => A::FinishCooking,
            OrderCommand::Pick { .. } => A::Pick,
            OrderCommand::CompleteDelivery { .. } => A::CompleteDelivery,
            OrderCommand::Confirm => A::Confirm,
            OrderCommand::Revise(_) => A::Revise,
        })
    }
}

/// A durable timer of a Placed order (`Order::timers`): kept under its due
/// time in the database and fired by the system when it is due, so a
/// restart, a passivation or a crash loses none and fires none twice.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum OrderTimer {
    /// The store accepts every order at once (`AcceptTerms::auto_accept`).
    AutoAccept,
    /// Half-way to the deadline, the store is reminded.
    Remind,
    /// At the deadline, an order not accepted is canceled (`NOT_ACCEPTED`).
    Expire,
}

impl OrderTimer {
    pub const ALL: [OrderTimer; 3] = [Self::AutoAccept, Self::Remind, Self::Expire];

    /// Its byte in a timer's key.
    pub fn tag(self) -> u8 {
        match self {
            Self::AutoAccept => 0,
            Self::Remind => 1,
            Self::Expire => 2,
        }
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
    /// Part of `amount`: the order's delivery fee, which a revision keeps
    /// (since schema 6).
    #[serde(default)]
    pub delivery_fee: Won,
}

/// What happened to an order; the log records these.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum OrderEvent {
    Placed(Box<NewOrder>),
    /// The store will have the food ready by `ready_by`, `cooking_minutes`
    /// from the accept; the customer gets it at `estimated_delivery_at`
    /// (`prep`). All three since schema 6 (older events were a bare
    /// `Accepted`; the upgrade to schema 6 rewrote them with none).
    Accepted {
        cooking_minutes: Option<u32>,
        ready_by: Option<Timestamp>,
        estimated_delivery_at: Option<Timestamp>,
    },
    /// The store pushed its ready time back, once (schema 6).
    Delayed {
        minutes: u32,
        ready_by: Timestamp,
        estimated_delivery_at: Timestamp,
    },
    /// Half-way to the acceptance deadline, the store was reminded that
    /// the order is canceled at `accept_by` (schema 6).
    AcceptReminded {
        accept_by: Timestamp,
    },
    /// `reason`: the code's label (an older event's free text); `code` and
    /// `note` since schema 4.
    Rejected {
        reason: String,
        #[serde(default)]
        code: Option<RejectReason>,
        #[serde(default)]
        note: Option<String>,
    },
    /// `code` and `note` since schema 4 (older events were a bare
    /// `Canceled`; the upgrade to schema 4 rewrote them).
    Canceled {
        #[serde(default)]
        code: Option<CancelReason>,
        #[serde(default)]
        note: Option<String>,
    },
    CookStarted,
    CookFinished,
    DeliveryPicked {
        rider_id: String,
    },
    DeliveryCompleted {
        rider_id: String,
    },
    Completed,
    Revised(Box<Revision>),
}

impl OrderEvent {
    /// Whether this event ends the order with its whole payment given back
    /// (rejected by the store, or canceled before cooking). The one rule
    /// for it: refunds, coupons, points and the delivery board all ask here.
    pub fn refunds_payment(&self) -> bool {
        matches!(self, Self::Rejected { .. } | Self::Canceled { .. })
    }

    /// The status an order is in after this event; `None` for one that
    /// changes no status (a revision, a delay, a reminder).
    pub fn status(&self) -> Option<OrderStatus> {
        Some(match self {
            Self::Placed(_) => OrderStatus::Placed,
            Self::Accepted { .. } => OrderStatus::Accepted,
            Self::Rejected { .. } => OrderStatus::Rejected,
            Self::Canceled { .. } => OrderStatus::Canceled,
            Self::CookStarted => OrderStatus::Cooking,
            Self::CookFinished => OrderStatus::Cooked,
            Self::DeliveryPicked { .. } => OrderStatus::PickedUp,
            Self::DeliveryCompleted { .. } => OrderStatus::Delivered,
            Self::Completed => OrderStatus::Completed,
            Self::Revised(_) | Self::Delayed { .. } | Self::AcceptReminded { .. } => return None,
        })
    }

    /// The event's name, as notifications and webhooks type it.
    pub fn name(&self) -> &'static str {
        match self {
            Self::Placed(_) => "Placed",
            Self::Accepted { .. } => "Accepted",
            Self::Rejected { .. } => "Rejected",
            Self::Canceled { .. } => "Canceled",
            Self::CookStarted => "CookStarted",
            Self::CookFinished => "CookFinished",
            Self::DeliveryPicked { .. } => "DeliveryPicked",
            Self::DeliveryCompleted { .. } => "DeliveryCompleted",
            Self::Completed => "Completed",
            Self::Revised(_) => "Revised",
            Self::Delayed { .. } => "Delayed",
            Self::AcceptReminded { .. } => "AcceptReminded",
        }
    }
}
