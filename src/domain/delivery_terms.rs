//! A store's delivery terms: the minimum order, the delivery fee by
//! distance band, the delivery radius, and how long it has to accept an
//! order. `pricing` turns them into a bill; `checkout` refuses what they
//! do not allow.
//!
//! The fee follows Baemin's distance bands: a base fee covers the first
//! `baseDistanceKm`; every started `stepKm` beyond it adds `stepFeeWon`.

use super::error::DomainError;
use super::Won;
use serde::{Deserialize, Serialize};

/// Bounds of a store's acceptance deadline, in minutes (issue 13: Uber
/// Eats cancels after 11.5 minutes, Deliveroo after 10, iFood after 8).
pub const ACCEPT_DEADLINE_MINUTES: std::ops::RangeInclusive<u32> = 3..=30;
/// The deadline of a store that set none, in minutes (`--accept-deadline-secs`
/// overrides it for the whole server).
pub const DEFAULT_ACCEPT_DEADLINE_MINUTES: u32 = 10;
/// How far a store that never set its terms delivers, in km: no store
/// delivers across the country, even one registered before terms existed.
pub const DEFAULT_RADIUS_KM: f64 = 10.0;
/// Widest delivery radius a store may set, in km (Seoul is about 30 km
/// across).
pub const MAX_RADIUS_KM: f64 = 30.0;
/// Highest delivery fee a store may charge, at its radius, in won; and
/// highest minimum (a larger one is a typo).
pub const MAX_FEE_WON: Won = 50_000;
pub const MAX_MIN_ORDER_WON: Won = 1_000_000;

/// What a store asks of a delivery (`PUT /stores/{id}/delivery`). Amounts
/// in won, distances in km (kept to the metre).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct DeliveryTerms {
    /// The least the food (before a coupon) must cost.
    pub min_order_won: Won,
    /// The fee up to `base_distance_km`.
    pub base_fee_won: Won,
    pub base_distance_km: f64,
    /// Added for every started `step_km` beyond the base distance.
    pub step_fee_won: Won,
    pub step_km: f64,
    /// Farthest drop-off, straight-line from the store.
    pub radius_km: f64,
    /// Minutes the store has to accept an order before the system cancels
    /// it (`NOT_ACCEPTED`); `None`: the server's default.
    #[serde(default)]
    pub accept_deadline_minutes: Option<u32>,
}

impl Default for DeliveryTerms {
    /// The terms of a store that set none: free delivery within
    /// [`DEFAULT_RADIUS_KM`], no minimum, the server's deadline.
    fn default() -> Self {
        DeliveryTerms {
            min_order_won: 0,
            base_fee_won: 0,
            base_distance_km: DEFAULT_RADIUS_KM,
            step_fee_won: 0,
            step_km: 1.0,
            radius_km: DEFAULT_RADIUS_KM,
            accept_deadline_minutes: None,
        }
    }
}

/// A distance in whole metres (rounded), so that band edges are exact.
pub fn metres(km: f64) -> u64 {
    (km * 1000.0).round().max(0.0) as u64
}

impl DeliveryTerms {
    /// Checks terms a store is about to set.
    ///
    /// Errors (`Invalid`, naming the field): a fee over [`MAX_FEE_WON`], a
    /// minimum over [`MAX_MIN_ORDER_WON`], a radius outside 0.1–30 km, a
    /// base distance outside 0–radius, a step outside 0.1–10 km, a
    /// deadline outside [`ACCEPT_DEADLINE_MINUTES`].
    pub fn validate(&self) -> Result<(), DomainError> {
        let invalid = |field: &'static str, reason: String| DomainError::Invalid { field, reason };
        for (field, fee) in [
            ("baseFeeWon", self.base_fee_won),
            ("stepFeeWon", self.step_fee_won),
        ] {
            if fee > MAX_FEE_WON {
                return Err(invalid(field, format!("must be at most {MAX_FEE_WON} won")));
            }
        }
        if self.min_order_won > MAX_MIN_ORDER_WON {
            return Err(invalid(
                "minOrderWon",
                format!("must be at most {MAX_MIN_ORDER_WON} won"),
            ));
        }
        let km = |v: f64| v.is_finite().then(|| metres(v));
        match km(self.radius_km) {
            Some(m) if (100..=metres(MAX_RADIUS_KM)).contains(&m) => {}
            _ => {
                return Err(invalid(
                    "radiusKm",
                    format!("must be between 0.1 and {MAX_RADIUS_KM} km"),
                ))
            }
        }
        match km(self.base_distance_km) {
            Some(m) if self.base_distance_km >= 0.0 && m <= metres(self.radius_km) => {}
            _ => {
                return Err(invalid(
                    "baseDistanceKm",
                    "must be between 0 km and the radius".into(),
                ))
            }
        }
        match km(self.step_km) {
            Some(m) if (100..=10_000).contains(&m) => {}
            _ => return Err(invalid("stepKm", "must be between 0.1 and 10 km".into())),
        }
        let farthest = super::pricing::delivery_fee(self, self.radius_km);
        if farthest > MAX_FEE_WON {
            return Err(invalid(
                "stepFeeWon",
                format!("makes the fee at the radius {farthest} won; it may be at most {MAX_FEE_WON} won"),
            ));
        }
        if let Some(minutes) = self.accept_deadline_minutes {
            if !ACCEPT_DEADLINE_MINUTES.contains(&minutes) {
                return Err(invalid(
                    "acceptDeadlineMinutes",
                    format!(
                        "must be between {} and {} minutes",
                        ACCEPT_DEADLINE_MINUTES.start(),
                        ACCEPT_DEADLINE_MINUTES.end()
                    ),
                ));
            }
        }
        Ok(())
    }

    /// Whether a drop-off `distance_km` from the store is within the
    /// radius (to the metre).
    pub fn delivers_to(&self, distance_km: f64) -> bool {
        metres(distance_km) <= metres(self.radius_km)
    }
}

/// How a store's kitchen takes orders (`PUT /stores/{id}/kitchen`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct KitchenTerms {
    /// The cooking time an accept that names none promises, in minutes
    /// (5–120, as an accept's own).
    pub default_cooking_minutes: u32,
    /// Accept every order at once, with the default cooking time.
    #[serde(default)]
    pub auto_accept: bool,
}

/// Bounds of a cooking time, in minutes (issue 13).
pub const COOKING_MINUTES: std::ops::RangeInclusive<u32> = 5..=120;
/// The cooking time of a store that set none, in minutes.
pub const DEFAULT_COOKING_MINUTES: u32 = 20;

impl Default for KitchenTerms {
    fn default() -> Self {
        KitchenTerms {
            default_cooking_minutes: DEFAULT_COOKING_MINUTES,
            auto_accept: false,
        }
    }
}

/// Checks a number of cooking minutes (an accept's, or a store's default).
pub fn check_cooking_minutes(field: &'static str, minutes: u32) -> Result<(), DomainError> {
    if COOKING_MINUTES.contains(&minutes) {
        return Ok(());
    }
    Err(DomainError::Invalid {
        field,
        reason: format!(
            "must be between {} and {} minutes",
            COOKING_MINUTES.start(),
            COOKING_MINUTES.end()
        ),
    })
}

impl KitchenTerms {
    pub fn validate(&self) -> Result<(), DomainError> {
        check_cooking_minutes("defaultCookingMinutes", self.default_cooking_minutes)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn terms() -> DeliveryTerms {
        DeliveryTerms {
            accept_deadline_minutes: Some(10),
            ..crate::domain::testing::delivery_terms()
        }
    }

    #[test]
    fn sensible_terms_pass_and_each_bad_field_is_named() {
        terms().validate().unwrap();
        DeliveryTerms::default().validate().unwrap();
        let cases: Vec<(DeliveryTerms, &str)> = vec![
            (
                DeliveryTerms {
                    base_fee_won: 50_001,
                    ..terms()
                },
                "baseFeeWon",
            ),
            (
                DeliveryTerms {
                    step_fee_won: 60_000,
                    ..terms()
                },
                "stepFeeWon",
            ),
            (
                DeliveryTerms {
                    min_order_won: 2_000_000,
                    ..terms()
                },
                "minOrderWon",
            ),
            (
                DeliveryTerms {
                    radius_km: 0.0,
                    ..terms()
                },
                "radiusKm",
            ),
            (
                DeliveryTerms {
                    radius_km: 31.0,
                    ..terms()
                },
                "radiusKm",
            ),
            (
                DeliveryTerms {
                    radius_km: f64::NAN,
                    ..terms()
                },
                "radiusKm",
            ),
            (
                DeliveryTerms {
                    base_distance_km: 5.0,
                    ..terms()
                },
                "baseDistanceKm",
            ),
            (
                DeliveryTerms {
                    base_distance_km: -1.0,
                    ..terms()
                },
                "baseDistanceKm",
            ),
            (
                DeliveryTerms {
                    step_km: 0.0,
                    ..terms()
                },
                "stepKm",
            ),
            (
                DeliveryTerms {
                    step_km: 11.0,
                    ..terms()
                },
                "stepKm",
            ),
            // 30 km in 0.1 km steps of 500 won: 150,000 won at the radius.
            (
                DeliveryTerms {
                    radius_km: 30.0,
                    step_km: 0.1,
                    ..terms()
                },
                "stepFeeWon",
            ),
            (
                DeliveryTerms {
                    accept_deadline_minutes: Some(2),
                    ..terms()
                },
                "acceptDeadlineMinutes",
            ),
            (
                DeliveryTerms {
                    accept_deadline_minutes: Some(31),
                    ..terms()
                },
                "acceptDeadlineMinutes",
            ),
        ];
        for (bad, field) in cases {
            let err = bad.validate().unwrap_err();
            assert!(err.to_string().starts_with(field), "{field}: {err}");
        }
        for ok in [3, 30] {
            DeliveryTerms {
                accept_deadline_minutes: Some(ok),
                ..terms()
            }
            .validate()
            .unwrap();
        }
    }

    #[test]
    fn the_radius_holds_to_the_metre() {
        assert!(terms().delivers_to(4.0));
        assert!(terms().delivers_to(4.0004));
        assert!(!terms().delivers_to(4.001));
    }

    #[test]
    fn cooking_minutes_are_bounded() {
        for ok in [5, 20, 120] {
            check_cooking_minutes("cookingMinutes", ok).unwrap();
        }
        for bad in [0, 4, 121] {
            let err = check_cooking_minutes("cookingMinutes", bad).unwrap_err();
            assert!(err.to_string().contains("between 5 and 120"), "{err}");
        }
    }
}
