//! Menu options ("순살 변경 +2,000", "음료 추가"): a dish's option groups,
//! each with how many choices it takes (at least `min`, at most `max`) and
//! priced choices; what a customer chooses for an order line, checked and
//! priced here.

use super::error::DomainError;
use super::ids::{validate_id, validate_text};
use super::Won;
use serde::{Deserialize, Serialize};

/// Most option groups a dish may have, and most choices one group may.
pub const MAX_GROUPS: usize = 10;
pub const MAX_CHOICES: usize = 20;
/// Most an option may add to a dish, in won (a larger price is a typo).
pub const MAX_OPTION_PRICE: Won = 1_000_000;

/// A group of options of one dish: at least `min` and at most `max` of its
/// `choices` (`min` 0: optional; `min` = `max` = 1: pick exactly one).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OptionGroup {
    pub id: String,
    pub name: String,
    pub min: u32,
    pub max: u32,
    pub choices: Vec<OptionChoice>,
}

/// One choice of a group, and what it adds to the dish's price (won).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OptionChoice {
    pub id: String,
    pub name: String,
    pub price: Won,
}

/// A choice as an order request names it: `{"group","choice"}`.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ChoiceRequest {
    pub group: String,
    pub choice: String,
}

/// A choice on an order line, with its name and price when ordered.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct LineOption {
    pub group: String,
    pub choice: String,
    pub name: String,
    pub price: Won,
}

fn invalid(reason: String) -> DomainError {
    DomainError::Invalid {
        field: "optionGroups",
        reason,
    }
}

/// Checks a dish's option groups: ids unique, at most [`MAX_GROUPS`] of at
/// most [`MAX_CHOICES`] choices, `min` ≤ `max` ≤ the choices, 1 ≤ `max`.
pub fn validate_groups(groups: &[OptionGroup]) -> Result<(), DomainError> {
    if groups.len() > MAX_GROUPS {
        return Err(invalid(format!("must be at most {MAX_GROUPS}")));
    }
    for (i, group) in groups.iter().enumerate() {
        validate_id("option group id", &group.id)?;
        validate_text("option group name", &group.name, 50)?;
        if groups[..i].iter().any(|g| g.id == group.id) {
            return Err(invalid(format!("name group {:?} twice", group.id)));
        }
        if group.choices.is_empty() || group.choices.len() > MAX_CHOICES {
            return Err(invalid(format!(
                "group {:?} must have 1 to {MAX_CHOICES} choices",
                group.id
            )));
        }
        if group.max == 0 || group.min > group.max || group.max as usize > group.choices.len() {
            return Err(invalid(format!(
                "group {:?} must take 0 ≤ min ≤ max ≤ its {} choices, and max at least 1",
                group.id,
                group.choices.len()
            )));
        }
        for (j, choice) in group.choices.iter().enumerate() {
            validate_id("option choice id", &choice.id)?;
            validate_text("option choice name", &choice.name, 50)?;
            if group.choices[..j].iter().any(|c| c.id == choice.id) {
                return Err(invalid(format!(
                    "group {:?} names choice {:?} twice",
                    group.id, choice.id
                )));
            }
            if choice.price > MAX_OPTION_PRICE {
                return Err(invalid(format!(
                    "choice {:?} may add at most {MAX_OPTION_PRICE} won",
                    choice.id
                )));
            }
        }
    }
    Ok(())
}

/// The options `chosen` for dish `dish` with `groups`, checked and priced,
/// in the menu's order.
///
/// Errors (422, field `options`): a group or choice the dish does not have,
/// a choice named twice, fewer than a group's `min` or more than its `max`.
pub fn choose(
    dish: &str,
    groups: &[OptionGroup],
    chosen: &[ChoiceRequest],
) -> Result<Vec<LineOption>, DomainError> {
    let refuse = |reason: String| DomainError::Invalid {
        field: "options",
        reason,
    };
    for (i, c) in chosen.iter().enumerate() {
        if chosen[..i].contains(c) {
            return Err(refuse(format!(
                "name {:?} of {:?} twice (menu item {dish:?})",
                c.choice, c.group
            )));
        }
        let group = groups.iter().find(|g| g.id == c.group).ok_or_else(|| {
            refuse(format!(
                "menu item {dish:?} has no option group {:?}",
                c.group
            ))
        })?;
        if !group.choices.iter().any(|x| x.id == c.choice) {
            return Err(refuse(format!(
                "option group {:?} of menu item {dish:?} has no choice {:?}",
                c.group, c.choice
            )));
        }
    }
    let mut options = Vec::new();
    for group in groups {
        let picked: Vec<&OptionChoice> = group
            .choices
            .iter()
            .filter(|x| {
                chosen
                    .iter()
                    .any(|c| c.group == group.id && c.choice == x.id)
            })
            .collect();
        let n = picked.len() as u32;
        if n < group.min || n > group.max {
            return Err(refuse(format!(
                "choose {} of {:?} ({}) for menu item {dish:?}; {n} chosen",
                if group.min == group.max {
                    format!("exactly {}", group.min)
                } else {
                    format!("{} to {}", group.min, group.max)
                },
                group.id,
                group.name
            )));
        }
        options.extend(picked.into_iter().map(|x| LineOption {
            group: group.id.clone(),
            choice: x.id.clone(),
            name: x.name.clone(),
            price: x.price,
        }));
    }
    Ok(options)
}

#[cfg(test)]
#[path = "options_tests.rs"]
mod tests;
