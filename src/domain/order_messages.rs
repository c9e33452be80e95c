//! What can be asked of an order (commands) and what happens to it
//! (events, which the log records).

use super::access::OrderAction;
use super::order::{NewOrder, OrderLine, OrderStatus};
use super::reasons::{CancelReason, RejectReason};
use super::Won;
use serde::{Deserialize, Serialize};

/// What someone asks of an order.
#[derive(Clone, Debug, PartialEq)]
pub enum OrderCommand {
    /// Create the order; only after its payment was approved.
    Place(Box<NewOrder>),
    Accept,
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
            OrderCommand::Accept => A::Accept,
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

    /// The status an order is in after this event.
    pub fn status(&self) -> OrderStatus {
        match self {
            Self::Placed(_) => OrderStatus::Placed,
            Self::Accepted => OrderStatus::Accepted,
            Self::Rejected { .. } => OrderStatus::Rejected,
            Self::Canceled { .. } => OrderStatus::Canceled,
            Self::CookStarted => OrderStatus::Cooking,
            Self::CookFinished => OrderStatus::Cooked,
            Self::DeliveryPicked { .. } => OrderStatus::PickedUp,
            Self::DeliveryCompleted { .. } => OrderStatus::Delivered,
            Self::Completed => OrderStatus::Completed,
            Self::Revised(_) => OrderStatus::Placed,
        }
    }
}
