//! The delivery: an order as the riders see it.

use super::geo::{round_km, LatLon};
use super::order::{Order, OrderEvent, OrderStatus};
use super::time::Timestamp;
use super::OrderId;
use serde::{Deserialize, Serialize};

/// Where a delivery is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub enum DeliveryStatus {
    /// The kitchen has not finished yet.
    Pending,
    /// Cooked and waiting for a rider: searchable by location.
    Ready,
    PickedUp,
    Delivered,
    /// The order was canceled or rejected.
    Canceled,
}

/// A delivery under way, as its rider's live tracking needs it: whose it
/// is and where it goes (kept from pick-up to delivery; schema 6).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Trip {
    pub order_id: OrderId,
    pub customer_id: String,
    pub dropoff: LatLon,
}

impl Trip {
    /// The trip of `order` while it is picked up and not yet delivered.
    pub fn of(order: &Order) -> Option<(String, Trip)> {
        let rider = order.rider_id.clone()?;
        (order.status == OrderStatus::PickedUp).then(|| {
            let trip = Trip {
                order_id: order.id,
                customer_id: order.customer_id.clone(),
                dropoff: order.dropoff(),
            };
            (rider, trip)
        })
    }
}

/// Where the customer wants the food.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Dropoff {
    pub lat: f64,
    pub lon: f64,
    pub address: String,
}

/// A delivery of one order.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Delivery {
    pub order_id: OrderId,
    pub store_id: String,
    pub store_name: String,
    pub customer_id: String,
    pub status: DeliveryStatus,
    pub rider_id: Option<String>,
    pub pickup: LatLon,
    pub dropoff: Dropoff,
    /// From the store to the customer.
    pub distance_km: f64,
    pub updated_at: Timestamp,
    /// The customer's note for the rider (the rider's to read only; since
    /// schema 6).
    #[serde(default)]
    pub note: Option<String>,
}

impl DeliveryStatus {
    /// How the delivery of an order in `status` stands.
    pub fn of(status: OrderStatus) -> Self {
        match status {
            OrderStatus::Placed | OrderStatus::Accepted | OrderStatus::Cooking => Self::Pending,
            OrderStatus::Rejected | OrderStatus::Canceled => Self::Canceled,
            OrderStatus::Cooked => Self::Ready,
            OrderStatus::PickedUp => Self::PickedUp,
            OrderStatus::Delivered | OrderStatus::Completed => Self::Delivered,
        }
    }
}

impl Delivery {
    /// The delivery of an order as it is now (what a rider command answers).
    pub fn of(order: &Order) -> Self {
        Delivery {
            order_id: order.id,
            store_id: order.store_id.clone(),
            store_name: order.store_name.clone(),
            customer_id: order.customer_id.clone(),
            status: DeliveryStatus::of(order.status),
            rider_id: order.rider_id.clone(),
            pickup: order.pickup,
            dropoff: Dropoff {
                lat: order.lat,
                lon: order.lon,
                address: order.address.clone(),
            },
            distance_km: round_km(order.pickup.distance_km(&order.dropoff())),
            updated_at: order.updated_at(),
            note: order.notes.for_rider.clone(),
        }
    }

    pub fn dropoff_point(&self) -> LatLon {
        LatLon {
            lat: self.dropoff.lat,
            lon: self.dropoff.lon,
        }
    }
}

/// The delivery after an order event; `None` where the event does not change
/// it or does not fit its state (so replay is harmless). Once picked, the
/// rider never changes.
pub fn apply(delivery: Option<&Delivery>, event: &OrderEvent, at: Timestamp) -> Option<Delivery> {
    use DeliveryStatus as D;
    if let (None, OrderEvent::Placed(new)) = (delivery, event) {
        return Some(Delivery {
            order_id: new.id,
            store_id: new.store_id.clone(),
            store_name: new.store_name.clone(),
            customer_id: new.customer_id.clone(),
            status: D::Pending,
            rider_id: None,
            pickup: new.pickup,
            dropoff: Dropoff {
                lat: new.dropoff.lat,
                lon: new.dropoff.lon,
                address: new.address.clone(),
            },
            distance_km: round_km(new.pickup.distance_km(&new.dropoff)),
            updated_at: at,
            note: new.notes.for_rider.clone(),
        });
    }
    let delivery = delivery?;
    let mut next = delivery.clone();
    match (delivery.status, event) {
        (D::Pending, OrderEvent::CookFinished) => next.status = D::Ready,
        (D::Pending, e) if e.refunds_payment() => next.status = D::Canceled,
        (D::Ready, OrderEvent::DeliveryPicked { rider_id }) => {
            next.status = D::PickedUp;
            next.rider_id = Some(rider_id.clone());
        }
        (D::PickedUp, OrderEvent::DeliveryCompleted { rider_id })
            if delivery.rider_id.as_ref() == Some(rider_id) =>
        {
            next.status = D::Delivered
        }
        _ => return None,
    }
    next.updated_at = at;
    Some(next)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::testing::new_order;

    fn pending() -> Delivery {
        apply(
            None,
            &OrderEvent::Placed(Box::new(new_order(4, 1_000))),
            Timestamp(1),
        )
        .unwrap()
    }

    #[test]
    fn pending_ready_picked_delivered() {
        let d = pending();
        assert_eq!(d.status, DeliveryStatus::Pending);
        assert!(
            d.distance_km > 1.0 && d.distance_km < 2.0,
            "{}",
            d.distance_km
        );
        let d = apply(Some(&d), &OrderEvent::CookFinished, Timestamp(2)).unwrap();
        assert_eq!(d.status, DeliveryStatus::Ready);
        let d = apply(
            Some(&d),
            &OrderEvent::DeliveryPicked {
                rider_id: "r1".into(),
            },
            Timestamp(3),
        )
        .unwrap();
        assert_eq!(
            (d.status, d.rider_id.as_deref()),
            (DeliveryStatus::PickedUp, Some("r1"))
        );
        let other = OrderEvent::DeliveryCompleted {
            rider_id: "r2".into(),
        };
        assert_eq!(apply(Some(&d), &other, Timestamp(4)), None);
        let d = apply(
            Some(&d),
            &OrderEvent::DeliveryCompleted {
                rider_id: "r1".into(),
            },
            Timestamp(4),
        )
        .unwrap();
        assert_eq!(d.status, DeliveryStatus::Delivered);
    }

    #[test]
    fn a_picked_delivery_keeps_its_rider() {
        let d = apply(Some(&pending()), &OrderEvent::CookFinished, Timestamp(2)).unwrap();
        let d = apply(
            Some(&d),
            &OrderEvent::DeliveryPicked {
                rider_id: "r1".into(),
            },
            Timestamp(3),
        )
        .unwrap();
        let second = OrderEvent::DeliveryPicked {
            rider_id: "r2".into(),
        };
        assert_eq!(apply(Some(&d), &second, Timestamp(4)), None);
    }

    #[test]
    fn canceled_before_cooking_ends() {
        let d = apply(
            Some(&pending()),
            &crate::domain::testing::canceled(),
            Timestamp(2),
        )
        .unwrap();
        assert_eq!(d.status, DeliveryStatus::Canceled);
        assert_eq!(
            apply(Some(&d), &OrderEvent::CookFinished, Timestamp(3)),
            None
        );
    }
}
