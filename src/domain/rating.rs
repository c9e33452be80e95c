//! A store's rating: average, count and the 1–5 distribution of its reviews.

use serde::{Deserialize, Serialize};

/// A store's rating.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Rating {
    pub store_id: String,
    pub average: f64,
    pub count: u64,
    /// How many reviews gave 1, 2, 3, 4 and 5.
    pub distribution: [u64; 5],
}

impl Rating {
    pub fn new(store_id: &str) -> Self {
        Rating {
            store_id: store_id.to_string(),
            ..Rating::default()
        }
    }

    /// Counts a review in (`+1`) or out (`-1`).
    pub fn count_review(&self, rating: u8, delta: i64) -> Rating {
        let mut next = self.clone();
        if let Some(slot) = next
            .distribution
            .get_mut(usize::from(rating.clamp(1, 5)) - 1)
        {
            *slot = slot.saturating_add_signed(delta);
        }
        next.count = next.distribution.iter().sum();
        let sum: u64 = next
            .distribution
            .iter()
            .enumerate()
            .map(|(i, n)| (i as u64 + 1) * n)
            .sum();
        next.average = if next.count == 0 {
            0.0
        } else {
            // Two decimals, as shown.
            (sum as f64 / next.count as f64 * 100.0).round() / 100.0
        };
        next
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn averages_and_distribution_follow_reviews_and_deletions() {
        let r = Rating::new("s")
            .count_review(5, 1)
            .count_review(4, 1)
            .count_review(2, 1);
        assert_eq!(
            (r.count, r.average, r.distribution),
            (3, 3.67, [0, 1, 0, 1, 1])
        );
        let r = r.count_review(2, -1);
        assert_eq!(
            (r.count, r.average, r.distribution),
            (2, 4.5, [0, 0, 0, 1, 1])
        );
        let r = r.count_review(5, -1).count_review(4, -1);
        assert_eq!((r.count, r.average), (0, 0.0));
    }
}
