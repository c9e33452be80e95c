//! Notifications: what each status change tells the customer, and the store
//! or rider where it concerns them, in a short Korean message.

use super::event::LogRecord;
use super::event::OrderEventOf;
use super::order::OrderEvent;
use super::reasons::{CancelReason, RejectReason};
use super::seoul_time;
use super::time::Timestamp;
use super::OrderId;
use serde::{Deserialize, Serialize};
use std::fmt;

/// Who a notification is for.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Audience {
    Customer(String),
    Store(String),
    Rider(String),
}

impl Audience {
    /// `customer`, `store` or `rider`.
    pub fn kind(&self) -> &'static str {
        match self {
            Audience::Customer(_) => "customer",
            Audience::Store(_) => "store",
            Audience::Rider(_) => "rider",
        }
    }

    pub fn id(&self) -> &str {
        match self {
            Audience::Customer(id) | Audience::Store(id) | Audience::Rider(id) => id,
        }
    }
}

impl fmt::Display for Audience {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.kind(), self.id())
    }
}

/// One notification ("KakaoTalk" message). Its id is the log sequence of
/// the event it tells of: increasing, so `since` picks up where one left.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Notification {
    pub id: u64,
    pub order_id: OrderId,
    pub status: String,
    pub message: String,
    pub at: Timestamp,
}

/// The notifications a log record makes, with whom each is for.
pub fn for_record(record: &LogRecord) -> Vec<(Audience, Notification)> {
    let Some(OrderEventOf {
        order_id,
        customer_id,
        store_id,
        event,
    }) = record.event.as_order()
    else {
        return Vec::new();
    };
    let customer = Audience::Customer(customer_id.to_string());
    let store = Audience::Store(store_id.to_string());
    let id = order_id;
    // Never a note: notes are shown to their party inside the order only.
    let to_customer = match event {
        OrderEvent::Placed(new) => format!(
            "주문이 접수되었습니다 ({} {}원)",
            new.store_name, new.amount
        ),
        OrderEvent::Accepted {
            cooking_minutes: Some(minutes),
            estimated_delivery_at: Some(eta),
            ..
        } => format!(
            "가게에서 주문을 수락했습니다. 조리 {minutes}분, 도착 예정 {}",
            seoul_time::hhmm(*eta)
        ),
        OrderEvent::Accepted { .. } => "가게에서 주문을 수락했습니다".into(),
        OrderEvent::Delayed {
            minutes,
            estimated_delivery_at,
            ..
        } => format!(
            "가게 사정으로 조리가 {minutes}분 늦어집니다. 도착 예정 {}",
            seoul_time::hhmm(*estimated_delivery_at)
        ),
        // The store's reminder; nothing for the customer.
        OrderEvent::AcceptReminded { .. } => String::new(),
        // A fixed sentence per code: never what the store typed.
        OrderEvent::Rejected { code, .. } => code.unwrap_or(RejectReason::Other).sentence().into(),
        OrderEvent::Canceled { code, .. } => code
            .map_or(CancelReason::Other.sentence(), CancelReason::sentence)
            .into(),
        OrderEvent::CookStarted => "음식 조리를 시작했습니다".into(),
        OrderEvent::CookFinished => "조리가 끝나 배달원을 기다리고 있습니다".into(),
        OrderEvent::DeliveryPicked { .. } => "배달이 시작되었습니다".into(),
        OrderEvent::DeliveryCompleted { .. } => "배달이 완료되었습니다".into(),
        OrderEvent::Completed => "주문이 완료되었습니다. 리뷰를 남겨 주세요".into(),
        OrderEvent::Revised(r) => format!("주문이 변경되었습니다 ({}원)", r.amount),
    };
    let mut out = Vec::with_capacity(2);
    if !to_customer.is_empty() {
        out.push((customer, to_customer));
    }
    match event {
        OrderEvent::Placed(_) => out.push((store, format!("새 주문이 들어왔습니다 (주문 {id})"))),
        OrderEvent::AcceptReminded { accept_by } => out.push((
            store,
            format!(
                "주문 {id}을 아직 수락하지 않았습니다. {}까지 수락하지 않으면 자동으로 취소됩니다",
                seoul_time::hhmm(*accept_by)
            ),
        )),
        OrderEvent::Canceled {
            code: Some(CancelReason::NotAccepted),
            ..
        } => out.push((
            store,
            format!("주문 {id}이 수락 시간 초과로 취소되었습니다"),
        )),
        OrderEvent::Canceled { code, .. } => {
            let why = code.map_or(String::new(), |c| format!(" ({})", c.label()));
            out.push((
                store,
                format!("주문 {id}이 고객 요청으로 취소되었습니다{why}"),
            ))
        }
        OrderEvent::DeliveryPicked { rider_id } => out.push((
            Audience::Rider(rider_id.clone()),
            format!("주문 {id} 배달을 맡았습니다"),
        )),
        OrderEvent::DeliveryCompleted { rider_id } => out.push((
            Audience::Rider(rider_id.clone()),
            format!("주문 {id} 배달을 마쳤습니다"),
        )),
        _ => {}
    }
    out.into_iter()
        .map(|(audience, message)| {
            let n = Notification {
                id: record.seq,
                order_id: id,
                status: event
                    .status()
                    .map_or(event.name(), |s| s.as_str())
                    .to_string(),
                message,
                at: record.at,
            };
            (audience, n)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::testing::{accepted, new_order};
    use crate::domain::Event;

    fn record(seq: u64, event: OrderEvent) -> LogRecord {
        LogRecord {
            seq,
            at: Timestamp(seq),
            event: Event::Order {
                order_id: 1,
                customer_id: "kim".into(),
                store_id: "s1".into(),
                event,
            },
            by: None,
        }
    }

    #[test]
    fn the_customer_hears_of_everything_the_store_and_rider_of_their_part() {
        let placed = for_record(&record(
            5,
            OrderEvent::Placed(Box::new(new_order(1, 38_000))),
        ));
        assert_eq!(placed.len(), 2);
        assert_eq!(placed[0].0, Audience::Customer("kim".into()));
        assert!(placed[0].1.message.contains("주문이 접수되었습니다"));
        assert!(placed[0].1.message.contains("38000원"));
        assert_eq!(placed[1].0, Audience::Store("s1".into()));
        assert_eq!((placed[1].1.id, placed[1].1.status.as_str()), (5, "Placed"));
        let accepted = for_record(&record(6, accepted()));
        assert_eq!(accepted.len(), 1, "the store knows it accepted");
        let picked = for_record(&record(
            7,
            OrderEvent::DeliveryPicked {
                rider_id: "r9".into(),
            },
        ));
        assert_eq!(picked[1].0, Audience::Rider("r9".into()));
        assert!(picked[0].1.message.contains("배달이 시작되었습니다"));
        let canceled = for_record(&record(8, crate::domain::testing::canceled()));
        assert_eq!(canceled[1].0, Audience::Store("s1".into()));
    }

    #[test]
    fn a_reject_is_told_by_its_code_never_by_what_the_store_typed() {
        use crate::domain::reasons::{CancelReason, RejectReason};
        let spam = "재료 소진 — 더 싸게: http://spam.example";
        let rejected = for_record(&record(
            9,
            OrderEvent::Rejected {
                reason: RejectReason::SoldOut.label().into(),
                code: Some(RejectReason::SoldOut),
                note: Some(spam.into()),
            },
        ));
        assert_eq!(rejected[0].1.message, RejectReason::SoldOut.sentence());
        // An older event's free text is not repeated either.
        let older = for_record(&record(10, crate::domain::testing::rejected(spam)));
        assert_eq!(older[0].1.message, RejectReason::Other.sentence());
        let canceled = for_record(&record(
            11,
            OrderEvent::Canceled {
                code: Some(CancelReason::TooSlow),
                note: Some(spam.into()),
            },
        ));
        for (_, n) in rejected.iter().chain(&older).chain(&canceled) {
            assert!(!n.message.contains("http"), "{}", n.message);
        }
        assert!(canceled[1]
            .1
            .message
            .contains(CancelReason::TooSlow.label()));
    }
}
