//! The rider aggregate: where a rider is and whether they take deliveries.

use super::error::DomainError;
use super::geo::LatLon;
use super::time::Timestamp;
use serde::{Deserialize, Serialize};

/// A rider. One never heard of is on duty with no known location.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Rider {
    pub id: String,
    pub on_duty: bool,
    pub location: Option<LatLon>,
    pub updated_at: Option<Timestamp>,
}

impl Rider {
    pub fn new(id: &str) -> Self {
        Rider {
            id: id.to_string(),
            on_duty: true,
            location: None,
            updated_at: None,
        }
    }

    /// Whether this rider may take a delivery now.
    pub fn check_can_pick(&self) -> Result<(), DomainError> {
        if self.on_duty {
            Ok(())
        } else {
            Err(DomainError::OffDuty(self.id.clone()))
        }
    }
}

/// What a rider's app says.
#[derive(Clone, Debug, PartialEq)]
pub enum RiderCommand {
    Locate(LatLon),
    SetDuty(bool),
}

/// The rider after a command (a rider's state has no refusals beyond a
/// valid point, checked when the point is made).
pub fn apply(rider: &Rider, cmd: &RiderCommand, at: Timestamp) -> Rider {
    let mut next = rider.clone();
    match cmd {
        RiderCommand::Locate(p) => next.location = Some(*p),
        RiderCommand::SetDuty(on) => next.on_duty = *on,
    }
    next.updated_at = Some(at);
    next
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn riders_start_on_duty_and_can_stop() {
        let r = Rider::new("r1");
        assert!(r.check_can_pick().is_ok());
        let off = apply(&r, &RiderCommand::SetDuty(false), Timestamp(1));
        let err = off.check_can_pick().unwrap_err();
        assert!(err.to_string().contains("off duty"));
        let moved = apply(
            &off,
            &RiderCommand::Locate(LatLon {
                lat: 37.5,
                lon: 127.0,
            }),
            Timestamp(2),
        );
        assert_eq!(
            moved.location,
            Some(LatLon {
                lat: 37.5,
                lon: 127.0
            })
        );
        assert!(!moved.on_duty);
        assert_eq!(moved.updated_at, Some(Timestamp(2)));
    }
}
