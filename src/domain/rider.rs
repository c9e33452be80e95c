//! The rider aggregate: where a rider is and whether they take deliveries.

use super::access::{self, Principal, Role};
use super::aggregate::Aggregate;
use super::error::DomainError;
use super::geo::LatLon;
use super::time::Timestamp;
use serde::{Deserialize, Serialize};

/// A rider. One never heard of is on duty with no known location.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
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

/// What happened to a rider. Not logged: nothing subscribes to riders;
/// the snapshot is what is kept.
#[derive(Clone, Debug, PartialEq)]
pub enum RiderEvent {
    Located(LatLon),
    DutySet(bool),
}

impl Aggregate for Rider {
    type Id = String;
    type Command = RiderCommand;
    type Event = RiderEvent;

    /// A rider never heard of is on duty, with no known location.
    fn initial(id: &String) -> Option<Rider> {
        Some(Rider::new(id))
    }

    /// A rider's app is always believed (a point is checked when it is
    /// made); setting the duty it already has is still an update. Only the
    /// rider and operators may.
    fn decide(
        _: Option<&Rider>,
        id: &String,
        by: &Principal,
        cmd: &RiderCommand,
        _now: Timestamp,
    ) -> Result<Vec<RiderEvent>, DomainError> {
        access::check_own(by, Role::Rider, id, "rider")?;
        Ok(vec![match cmd {
            RiderCommand::Locate(p) => RiderEvent::Located(*p),
            RiderCommand::SetDuty(on) => RiderEvent::DutySet(*on),
        }])
    }

    fn apply(rider: Option<Rider>, event: &RiderEvent, at: Timestamp) -> Option<Rider> {
        let mut next = rider?;
        match event {
            RiderEvent::Located(p) => next.location = Some(*p),
            RiderEvent::DutySet(on) => next.on_duty = *on,
        }
        next.updated_at = Some(at);
        Some(next)
    }

    fn not_found(id: &String) -> DomainError {
        DomainError::Invalid {
            field: "riderId",
            reason: format!("{id:?} is no rider"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::testing::given;

    const SEOUL: LatLon = LatLon {
        lat: 37.5,
        lon: 127.0,
    };

    #[test]
    fn riders_start_on_duty_and_can_stop() {
        let r1 = given::<Rider>("r1".into(), []);
        assert!(r1.state.as_ref().unwrap().check_can_pick().is_ok());
        let off = r1
            .when(RiderCommand::SetDuty(false))
            .then(vec![RiderEvent::DutySet(false)])
            .unwrap();
        let err = off.check_can_pick().unwrap_err();
        assert!(err.to_string().contains("off duty"));
    }

    #[test]
    fn a_location_is_kept_with_when_it_was_reported() {
        let moved = given::<Rider>("r1".into(), [RiderEvent::DutySet(false)])
            .when(RiderCommand::Locate(SEOUL))
            .then(vec![RiderEvent::Located(SEOUL)])
            .unwrap();
        assert_eq!(moved.location, Some(SEOUL));
        assert!(!moved.on_duty, "the duty stays as it was");
        assert_eq!(moved.updated_at, Some(Timestamp(1_000)));
    }
}
