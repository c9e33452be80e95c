//! Where an order is in its lifecycle.

use serde::{Deserialize, Serialize};
use std::fmt;

/// Where an order is in its lifecycle. An order is in exactly one of these.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
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
