//! Who may see and do what: the principal behind a command, and the one
//! table of rules for orders, stores, riders and wallets.
//!
//! Refusals follow one convention (issue 11): a resource the caller may not
//! see is refused exactly as if it did not exist (404); one the caller sees
//! but may not act on is refused as forbidden (403), naming who may.

use super::delivery::Delivery;
use super::error::DomainError;
use super::kitchen::Ticket;
use super::order::{Order, OrderStatus};
use super::store::Store;
use serde::{Deserialize, Serialize};
use std::fmt;

/// The four kinds of account, and baedal itself.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
pub enum Role {
    Customer,
    /// A store owner: owns one or more stores.
    Owner,
    Rider,
    Operator,
    /// baedal itself: recovery, reactions, the demo loader, seeding.
    System,
}

impl Role {
    /// The name used in the API and in tokens: `customer`, `owner`,
    /// `rider`, `operator` or `system`.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Customer => "customer",
            Role::Owner => "owner",
            Role::Rider => "rider",
            Role::Operator => "operator",
            Role::System => "system",
        }
    }

    /// Parses an account's role (never `system`).
    pub fn parse(name: &str) -> Option<Role> {
        [Role::Customer, Role::Owner, Role::Rider, Role::Operator]
            .into_iter()
            .find(|r| r.as_str() == name)
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Who is acting on a command: a signed-in account, an anonymous caller
/// (signing up, logging in), or baedal itself.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Principal {
    Anonymous,
    Customer(String),
    /// A store owner, with the stores they own (read when the request came
    /// in: `storage::keys::owned_store` indexes them).
    Owner {
        id: String,
        stores: Vec<String>,
    },
    Rider(String),
    Operator(String),
    System,
}

impl Principal {
    /// Its role; an anonymous caller has none.
    pub fn role(&self) -> Option<Role> {
        Some(match self {
            Principal::Anonymous => return None,
            Principal::Customer(_) => Role::Customer,
            Principal::Owner { .. } => Role::Owner,
            Principal::Rider(_) => Role::Rider,
            Principal::Operator(_) => Role::Operator,
            Principal::System => Role::System,
        })
    }

    /// Its account id (`system` for baedal, empty when anonymous).
    pub fn id(&self) -> &str {
        match self {
            Principal::Anonymous => "",
            Principal::Customer(id) | Principal::Rider(id) | Principal::Operator(id) => id,
            Principal::Owner { id, .. } => id,
            Principal::System => "system",
        }
    }

    /// Whether this is a store owner who owns `store`.
    pub fn owns(&self, store: &str) -> bool {
        matches!(self, Principal::Owner { stores, .. } if stores.iter().any(|s| s == store))
    }

    /// Operators and baedal itself see and may do everything they are
    /// allowed anywhere.
    pub fn is_staff(&self) -> bool {
        matches!(self, Principal::Operator(_) | Principal::System)
    }

    /// Who this is, as events record it; `None` when anonymous.
    pub fn cause(&self) -> Option<Cause> {
        Some(Cause {
            role: self.role()?,
            id: self.id().to_string(),
        })
    }

    /// How refusals name the caller: `customer "kim"`.
    fn describe(&self) -> String {
        match self.role() {
            Some(role) => format!("{role} {:?}", self.id()),
            None => "an anonymous caller".to_string(),
        }
    }
}

/// Who caused an event (role and account id), as the log and an order's
/// history record it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Cause {
    pub role: Role,
    pub id: String,
}

impl Cause {
    /// baedal itself.
    pub fn system() -> Cause {
        Cause {
            role: Role::System,
            id: "system".to_string(),
        }
    }
}

/// The 403 of a caller who sees a resource but may not do this to it.
pub fn forbidden(by: &Principal, action: &str, what: String, who_may: &str) -> DomainError {
    DomainError::Forbidden {
        reason: format!(
            "{} may not {action} {what}: only {who_may} may",
            by.describe()
        ),
    }
}

/// The customer a request acts for: the caller's own id. A `claimed` id
/// (the `customerId` of a body or query) that names someone else is a 403;
/// an empty one is the caller's. Only customers act as customers.
pub fn acting_customer(by: &Principal, claimed: &str) -> Result<String, DomainError> {
    match by {
        Principal::Customer(id) if claimed.is_empty() || claimed == id => Ok(id.clone()),
        Principal::Customer(id) => Err(DomainError::Forbidden {
            reason: format!(
                "customerId {claimed:?} is not you: you are signed in as customer {id:?}; leave customerId out or give your own"
            ),
        }),
        Principal::System => Ok(claimed.to_string()),
        _ => Err(forbidden(by, "act as", "a customer".into(), "the customer")),
    }
}

/// The rider a request acts for, like [`acting_customer`]. An operator
/// may name any rider (dispatching a delivery by hand).
pub fn acting_rider(by: &Principal, claimed: &str) -> Result<String, DomainError> {
    match by {
        Principal::Rider(id) if claimed.is_empty() || claimed == id => Ok(id.clone()),
        Principal::Rider(id) => Err(DomainError::Forbidden {
            reason: format!(
                "riderId {claimed:?} is not you: you are signed in as rider {id:?}; leave riderId out or give your own"
            ),
        }),
        Principal::Operator(_) | Principal::System if !claimed.is_empty() => {
            Ok(claimed.to_string())
        }
        Principal::Operator(_) => Err(DomainError::Invalid {
            field: "riderId",
            reason: "is required when an operator acts for a rider".into(),
        }),
        _ => Err(forbidden(by, "act as", "a rider".into(), "the rider")),
    }
}

/// What can be done to an order.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OrderAction {
    /// See it, its payment, kitchen ticket, delivery or MyPage entry.
    Read,
    Accept,
    Reject,
    StartCooking,
    FinishCooking,
    Cancel,
    Confirm,
    Revise,
    Pick,
    CompleteDelivery,
    /// Push the ready time back.
    Delay,
    /// Fire one of the order's durable timers.
    Timer,
}

impl OrderAction {
    fn verb(self) -> &'static str {
        match self {
            OrderAction::Read => "see",
            OrderAction::Accept => "accept",
            OrderAction::Reject => "reject",
            OrderAction::StartCooking => "start cooking",
            OrderAction::FinishCooking => "finish cooking",
            OrderAction::Cancel => "cancel",
            OrderAction::Confirm => "confirm the delivery of",
            OrderAction::Revise => "revise",
            OrderAction::Pick => "pick up",
            OrderAction::CompleteDelivery => "complete the delivery of",
            OrderAction::Delay => "delay",
            OrderAction::Timer => "fire a timer of",
        }
    }
}

/// Whether `by` may see `order`: its customer, its store's owner, its
/// rider (or any rider while it waits, cooked, for one), operators.
pub fn sees_order(by: &Principal, order: &Order) -> bool {
    match by {
        Principal::Anonymous => false,
        Principal::Customer(id) => *id == order.customer_id,
        Principal::Owner { .. } => by.owns(&order.store_id),
        Principal::Rider(id) => match &order.rider_id {
            Some(rider) => rider == id,
            None => order.status == OrderStatus::Cooked,
        },
        Principal::Operator(_) | Principal::System => true,
    }
}

/// An order as `by` reads it: each note is its party's (issue 13). The
/// customer who wrote them and operators read both; the store's owner only
/// the note for the store, a rider only the note for the rider.
pub fn order_as_read_by(by: &Principal, mut order: Order) -> Order {
    if !reads_store_note(by, &order.store_id, &order.customer_id) {
        order.notes.for_store = None;
    }
    if !reads_rider_note(by, &order.customer_id) {
        order.notes.for_rider = None;
    }
    order
}

/// Whether `by` reads the note for the store: its owner, the customer who
/// wrote it, operators.
fn reads_store_note(by: &Principal, store_id: &str, customer_id: &str) -> bool {
    by.owns(store_id) || by.is_staff() || matches!(by, Principal::Customer(id) if id == customer_id)
}

/// Whether `by` reads the note for the rider: riders, the customer who
/// wrote it, operators.
fn reads_rider_note(by: &Principal, customer_id: &str) -> bool {
    matches!(by, Principal::Rider(_))
        || by.is_staff()
        || matches!(by, Principal::Customer(id) if id == customer_id)
}

/// A kitchen ticket as `by` reads it: the note is the store's.
pub fn ticket_as_read_by(by: &Principal, mut ticket: Ticket) -> Ticket {
    if !reads_store_note(by, &ticket.store_id, &ticket.customer_id) {
        ticket.note = None;
    }
    ticket
}

/// A delivery as `by` reads it: the note is the rider's.
pub fn delivery_as_read_by(by: &Principal, mut delivery: Delivery) -> Delivery {
    if !reads_rider_note(by, &delivery.customer_id) {
        delivery.note = None;
    }
    delivery
}

/// Whether `by` may do `action` to `order`: 404 (as if it did not exist)
/// if they may not see it, 403 if they see it but may not do this.
///
/// The kitchen's steps are the store owner's; cancel, confirm and revise
/// the customer's; pick-up and delivery a rider's. Operators may do all but
/// revise (which charges the customer's card); baedal itself everything.
pub fn check_order(by: &Principal, order: &Order, action: OrderAction) -> Result<(), DomainError> {
    use OrderAction as A;
    // A rider may try to pick any order (one on the board may have moved
    // on): the refusal says why (taken, not cooked yet), never what it holds.
    let trying_to_pick = action == A::Pick && matches!(by, Principal::Rider(_));
    if !sees_order(by, order) && !trying_to_pick {
        return Err(DomainError::OrderNotFound(order.id));
    }
    let (allowed, who_may) = match action {
        A::Read => (true, ""),
        A::Accept | A::Reject | A::StartCooking | A::FinishCooking | A::Delay => (
            by.owns(&order.store_id) || by.is_staff(),
            "the store's owner or an operator",
        ),
        A::Cancel | A::Confirm => (
            matches!(by, Principal::Customer(_)) || by.is_staff(),
            "the customer who ordered or an operator",
        ),
        A::Revise => (
            matches!(by, Principal::Customer(_) | Principal::System),
            "the customer who ordered",
        ),
        A::Pick | A::CompleteDelivery => (
            matches!(by, Principal::Rider(_)) || by.is_staff(),
            "a rider or an operator",
        ),
        A::Timer => (matches!(by, Principal::System), "baedal itself"),
    };
    if allowed {
        Ok(())
    } else {
        Err(forbidden(
            by,
            action.verb(),
            format!("order {}", order.id),
            who_may,
        ))
    }
}

/// Whether `by` may see `store`: everyone, once an operator approved it;
/// before, only its owner and operators.
pub fn sees_store(by: &Principal, store: &Store) -> bool {
    !store.awaiting_approval || by.owns(&store.id) || by.is_staff()
}

/// What can be done to a store.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StoreAction {
    /// Change its menu or open and close it.
    Manage,
    /// Approve a store an owner registered.
    Approve,
    /// Give it to another owner.
    SetOwner,
    /// See its orders, kitchen tickets and notifications.
    ReadOrders,
}

/// Whether `by` may do `action` to store `store` (which exists): its
/// owner manages it and sees its orders; approving it or giving it to
/// another owner is an operator's.
pub fn check_store(by: &Principal, store: &str, action: StoreAction) -> Result<(), DomainError> {
    let (allowed, verb, who_may) = match action {
        StoreAction::Manage => (
            by.owns(store) || by.is_staff(),
            "manage",
            "its owner or an operator",
        ),
        StoreAction::ReadOrders => (
            by.owns(store) || by.is_staff(),
            "see the orders of",
            "its owner or an operator",
        ),
        StoreAction::Approve => (by.is_staff(), "approve", "an operator"),
        StoreAction::SetOwner => (by.is_staff(), "give away", "an operator"),
    };
    if allowed {
        Ok(())
    } else {
        Err(forbidden(by, verb, format!("store {store:?}"), who_may))
    }
}

/// Whether `by` is the `role` account `owner`, or staff: who sees what
/// belongs to an account (see [`check_own`]).
pub fn sees_own(by: &Principal, role: Role, owner: &str) -> bool {
    by.is_staff() || (by.role() == Some(role) && by.id() == owner)
}

/// Whether `by` may see or act on what belongs to the `role` account
/// `owner` (a customer's wallet, MyPage and points; a rider's location and
/// duty; an account's sessions): that account itself and operators. Anyone
/// else is refused as if it did not exist.
pub fn check_own(by: &Principal, role: Role, owner: &str, what: &str) -> Result<(), DomainError> {
    if sees_own(by, role, owner) {
        Ok(())
    } else {
        Err(DomainError::NotFound {
            what: format!("{what} {owner:?}"),
        })
    }
}

#[cfg(test)]
#[path = "access_tests.rs"]
mod tests;
