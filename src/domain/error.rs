//! Refusals of the domain, each with a message a person can act on.

use super::hours;
use super::ids::OrderId;
use super::time::Timestamp;
use super::Won;

/// When a closed store opens next, for its refusal.
fn opens(next: &Option<Timestamp>) -> String {
    match next {
        Some(at) => format!("it opens at {}", hours::describe(*at)),
        None => "it has no opening hours ahead".into(),
    }
}

/// How a refusal is classified; the HTTP layer maps each to one status code.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ErrorKind {
    /// The request itself is wrong (422).
    Invalid,
    /// Something named does not exist (404).
    NotFound,
    /// The request is fine but the current state refuses it (409).
    Conflict,
    /// The caller may not do this to that resource (403).
    Forbidden,
    /// A payment was declined (402).
    PaymentDeclined,
    /// No valid identity: missing, invalid or expired credentials (401).
    Unauthenticated,
}

/// Why the domain refused a command.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum DomainError {
    #[error("{field} {reason}")]
    Invalid { field: &'static str, reason: String },
    #[error("address {0:?} names no district (구) of Seoul; give lat and lon, or an address with a district such as 강남구")]
    NoDistrict(String),
    #[error("order {0} does not exist")]
    OrderNotFound(OrderId),
    #[error("store {0:?} does not exist")]
    StoreNotFound(String),
    #[error("store {store:?} has no menu item {menu:?}")]
    MenuItemNotFound { store: String, menu: String },
    #[error("store {0:?} already exists")]
    StoreExists(String),
    #[error("store {0:?} is closed and takes no orders now")]
    StoreClosed(String),
    #[error("store {store:?} is closed now (its opening hours); {}", opens(.next_open))]
    StoreClosedNow {
        store: String,
        next_open: Option<Timestamp>,
    },
    #[error("store {store:?} is busy and takes no orders until {}; order then, or from another store", hours::describe(*.until))]
    StorePaused { store: String, until: Timestamp },
    #[error("menu item {menu:?} ({name}) of store {store:?} is sold out; pick another dish")]
    SoldOut {
        store: String,
        menu: String,
        name: String,
    },
    #[error(
        "store {store:?} takes orders of at least {minimum} won of food; add {missing} won more"
    )]
    BelowMinimumOrder {
        store: String,
        minimum: Won,
        missing: Won,
    },
    #[error("the drop-off is {distance_km:.2} km from store {store:?}, which delivers within {radius_km} km")]
    OutsideDeliveryArea {
        store: String,
        distance_km: f64,
        radius_km: f64,
    },
    #[error("coupon {0:?} is unknown")]
    UnknownCoupon(String),
    #[error("coupon {coupon:?} cannot be used: it {why}")]
    CouponUnusable { coupon: String, why: String },
    #[error("order {0} was already reviewed")]
    AlreadyReviewed(OrderId),
    #[error("review {0} does not exist")]
    ReviewNotFound(u64),
    #[error("review {0} cannot be deleted: its coupon was already used")]
    ReviewCouponUsed(u64),
    #[error("order {order} is not yours to review (it is customer {owner:?}'s)")]
    NotYourOrder { order: OrderId, owner: String },
    #[error("order {0} already exists")]
    OrderExists(OrderId),
    #[error("order {order} is {status}; {action} needs it to be {expected}")]
    WrongState {
        order: OrderId,
        status: String,
        action: &'static str,
        expected: &'static str,
    },
    #[error(
        "order {order} was already delayed once (by {minutes} minutes); it cannot be delayed again"
    )]
    AlreadyDelayed { order: OrderId, minutes: u32 },
    #[error("order {0} can no longer be canceled: cooking has started")]
    CookingStarted(OrderId),
    #[error("order {order} is already {status}")]
    AlreadyFinal { order: OrderId, status: String },
    /// A gateway payment approves one order only.
    #[error("the payment {gateway_order_id:?} was already used for order {order}; pay again in the payment widget")]
    PaymentKeyUsed {
        gateway_order_id: String,
        order: OrderId,
    },
    #[error("delivery of order {order} was already taken by a rider")]
    AlreadyTaken { order: OrderId, rider: String },
    #[error("delivery of order {order} is not yours: rider {rider:?} picked it")]
    NotYourDelivery { order: OrderId, rider: String },
    #[error("rider {0:?} is off duty; go on duty to take deliveries")]
    OffDuty(String),
    #[error(
        "order {order} was revised meanwhile (revision {expected} is next, not {got}); try again"
    )]
    RevisedMeanwhile {
        order: OrderId,
        expected: u32,
        got: u32,
    },
    #[error("an earlier change of order {0} is still being settled; try again in a moment")]
    RevisionInProgress(OrderId),
    #[error("payment declined: {0}")]
    PaymentDeclined(String),
    #[error("an order may cost at most {limit} won; this one would cost {amount} won")]
    OverOrderLimit { amount: Won, limit: Won },
    #[error("order {order} cannot be revised again: at most {limit} revisions are allowed")]
    TooManyRevisions { order: OrderId, limit: u32 },
    /// The caller sees the resource but may not do this (`access`).
    #[error("{reason}")]
    Forbidden { reason: String },
    /// Something the caller may not see, refused as if it did not exist.
    #[error("{what} does not exist")]
    NotFound { what: String },
    #[error("account {0:?} already exists; pick another id")]
    AccountExists(String),
    /// Who is calling could not be established (401).
    #[error("{0}")]
    Unauthenticated(String),
}

impl DomainError {
    /// The class of the refusal, for the HTTP status.
    pub fn kind(&self) -> ErrorKind {
        use DomainError::*;
        match self {
            Invalid { .. }
            | NoDistrict(_)
            | OverOrderLimit { .. }
            | BelowMinimumOrder { .. }
            | OutsideDeliveryArea { .. } => ErrorKind::Invalid,
            OrderNotFound(_)
            | StoreNotFound(_)
            | MenuItemNotFound { .. }
            | ReviewNotFound(_)
            | NotFound { .. } => ErrorKind::NotFound,
            StoreExists(_)
            | StoreClosed(_)
            | StoreClosedNow { .. }
            | StorePaused { .. }
            | SoldOut { .. }
            | UnknownCoupon(_)
            | OrderExists(_)
            | WrongState { .. }
            | OffDuty(_)
            | RevisedMeanwhile { .. }
            | RevisionInProgress(_)
            | TooManyRevisions { .. }
            | CouponUnusable { .. }
            | AlreadyReviewed(_)
            | ReviewCouponUsed(_)
            | CookingStarted(_)
            | AlreadyDelayed { .. }
            | AlreadyFinal { .. }
            | AccountExists(_)
            | PaymentKeyUsed { .. }
            | AlreadyTaken { .. } => ErrorKind::Conflict,
            NotYourDelivery { .. } | NotYourOrder { .. } | Forbidden { .. } => ErrorKind::Forbidden,
            Unauthenticated(_) => ErrorKind::Unauthenticated,
            PaymentDeclined(_) => ErrorKind::PaymentDeclined,
        }
    }
}
