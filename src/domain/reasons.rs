//! Why an order was rejected or canceled: a code from a fixed list, never
//! free text, in anything official. The customer's notification is the
//! code's fixed sentence; a note (at most [`MAX_NOTE_CHARS`]) is kept inside
//! the order only (issue 11: a store's reject text went verbatim, links and
//! all, into customers' notifications).

use super::error::DomainError;
use super::ids::validate_text;
use serde::{Deserialize, Serialize};

/// Longest note a reject or cancel may carry, in characters.
pub const MAX_NOTE_CHARS: usize = 200;

/// Why a store rejects an order.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum RejectReason {
    SoldOut,
    TooBusy,
    ClosingSoon,
    OutOfDeliveryArea,
    Other,
}

/// Why a customer (or an operator, for them) cancels an order.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum CancelReason {
    ChangedMind,
    OrderedByMistake,
    TooSlow,
    Other,
    /// The system's: the store did not accept it in time (schema 6).
    NotAccepted,
}

impl RejectReason {
    pub const ALL: [RejectReason; 5] = [
        Self::SoldOut,
        Self::TooBusy,
        Self::ClosingSoon,
        Self::OutOfDeliveryArea,
        Self::Other,
    ];

    /// The code as the API spells it: `SOLD_OUT`, ….
    pub fn code(self) -> &'static str {
        match self {
            Self::SoldOut => "SOLD_OUT",
            Self::TooBusy => "TOO_BUSY",
            Self::ClosingSoon => "CLOSING_SOON",
            Self::OutOfDeliveryArea => "OUT_OF_DELIVERY_AREA",
            Self::Other => "OTHER",
        }
    }

    /// A short label, shown inside the order and on the kitchen ticket.
    pub fn label(self) -> &'static str {
        match self {
            Self::SoldOut => "재료 소진",
            Self::TooBusy => "주문 폭주",
            Self::ClosingSoon => "영업 마감 임박",
            Self::OutOfDeliveryArea => "배달 불가 지역",
            Self::Other => "가게 사정",
        }
    }

    /// The customer's notification.
    pub fn sentence(self) -> &'static str {
        match self {
            Self::SoldOut => {
                "재료가 모두 떨어져 가게에서 주문을 받지 못했습니다. 결제가 환불됩니다"
            }
            Self::TooBusy => "가게에 주문이 밀려 주문을 받지 못했습니다. 결제가 환불됩니다",
            Self::ClosingSoon => {
                "가게가 곧 영업을 마감해 주문을 받지 못했습니다. 결제가 환불됩니다"
            }
            Self::OutOfDeliveryArea => {
                "배달할 수 없는 지역이라 가게에서 주문을 받지 못했습니다. 결제가 환불됩니다"
            }
            Self::Other => "가게 사정으로 주문이 취소되었습니다. 결제가 환불됩니다",
        }
    }
}

impl CancelReason {
    /// The codes a customer or an operator may give (`NOT_ACCEPTED` is the
    /// system's alone).
    pub const ALL: [CancelReason; 4] = [
        Self::ChangedMind,
        Self::OrderedByMistake,
        Self::TooSlow,
        Self::Other,
    ];

    /// The code as the API spells it: `CHANGED_MIND`, ….
    pub fn code(self) -> &'static str {
        match self {
            Self::ChangedMind => "CHANGED_MIND",
            Self::OrderedByMistake => "ORDERED_BY_MISTAKE",
            Self::TooSlow => "TOO_SLOW",
            Self::Other => "OTHER",
            Self::NotAccepted => "NOT_ACCEPTED",
        }
    }

    /// The customer's notification.
    pub fn sentence(self) -> &'static str {
        match self {
            Self::NotAccepted => {
                "가게가 제시간에 주문을 수락하지 않아 주문이 취소되었습니다. 결제가 환불됩니다"
            }
            _ => "주문이 취소되었습니다. 결제가 환불됩니다",
        }
    }

    /// A short label, for the store's notification and inside the order.
    pub fn label(self) -> &'static str {
        match self {
            Self::ChangedMind => "마음이 바뀜",
            Self::OrderedByMistake => "잘못 주문함",
            Self::TooSlow => "너무 오래 걸림",
            Self::Other => "기타",
            Self::NotAccepted => "수락 시간 초과",
        }
    }
}

/// Parses a code the API was sent; a 422 listing the codes otherwise.
pub fn parse<T: Copy>(
    field: &'static str,
    sent: &str,
    all: &[T],
    code: impl Fn(T) -> &'static str,
) -> Result<T, DomainError> {
    all.iter()
        .copied()
        .find(|r| code(*r) == sent)
        .ok_or_else(|| {
            let codes: Vec<&str> = all.iter().map(|r| code(*r)).collect();
            DomainError::Invalid {
                field,
                reason: format!("must be one of {}, not {sent:?}", codes.join(", ")),
            }
        })
}

/// Checks a note: at most [`MAX_NOTE_CHARS`] printable characters. An empty
/// one is no note.
pub fn note(note: Option<String>) -> Result<Option<String>, DomainError> {
    match note {
        Some(note) if !note.trim().is_empty() => {
            validate_text("note", &note, MAX_NOTE_CHARS)?;
            Ok(Some(note))
        }
        _ => Ok(None),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_parse_and_anything_else_is_refused_with_the_list() {
        let parse_reject = |s: &str| parse("reason", s, &RejectReason::ALL, RejectReason::code);
        for r in RejectReason::ALL {
            assert_eq!(parse_reject(r.code()).unwrap(), r);
            assert!(r.sentence().ends_with("결제가 환불됩니다"));
        }
        let err = parse_reject("재료 소진 http://spam.example").unwrap_err();
        assert!(err.to_string().contains("SOLD_OUT, TOO_BUSY"), "{err}");
        for r in CancelReason::ALL {
            assert_eq!(
                parse("reason", r.code(), &CancelReason::ALL, CancelReason::code).unwrap(),
                r
            );
        }
        // The API's spelling is the stored one.
        assert_eq!(
            serde_json::to_string(&RejectReason::OutOfDeliveryArea).unwrap(),
            "\"OUT_OF_DELIVERY_AREA\""
        );
    }

    #[test]
    fn a_note_is_short_and_optional() {
        assert_eq!(note(None).unwrap(), None);
        assert_eq!(note(Some("  ".into())).unwrap(), None);
        assert_eq!(
            note(Some("닭이 다 떨어졌어요".into())).unwrap().unwrap(),
            "닭이 다 떨어졌어요"
        );
        assert!(note(Some("가".repeat(MAX_NOTE_CHARS + 1))).is_err());
    }
}
