//! The MyPage view: each customer's read model of their orders.

use crate::actors::projections::{Deps, Projection};
use crate::domain::event::OrderEventOf;
use crate::domain::mypage::{self, MyPage};
use crate::domain::order::OrderEvent;
use crate::domain::paging::{Page, PageRequest};
use crate::domain::{LogRecord, OrderId};
use crate::error::AppResult;
use crate::storage::{keys, Db, Staged, StorageError};

/// The MyPage view subscriber.
#[derive(Default)]
pub struct MyPageView;

impl Projection for MyPageView {
    const NAME: &'static str = "mypage";

    fn build(_deps: &Deps) -> AppResult<Self> {
        Ok(MyPageView)
    }

    fn apply(&mut self, record: &LogRecord, staged: &mut Staged<'_>) -> AppResult<()> {
        let Some(OrderEventOf {
            order_id,
            customer_id,
            event,
            ..
        }) = record.event.as_order()
        else {
            return Ok(());
        };
        let key = keys::mypage(order_id);
        let current = staged.get::<MyPage>(&key)?;
        if let Some(page) = mypage::apply(current.as_ref(), event, record.at, record.by.as_ref()) {
            staged.put(key, &page)?;
            if matches!(event, OrderEvent::Placed(_)) {
                staged.put(keys::mypage_of(customer_id, order_id), &())?;
            }
        }
        Ok(())
    }
}

/// A customer's MyPage, by order id.
/// A page of a customer's MyPage, oldest order first; the cursor is an
/// order id.
pub fn of_customer(db: &Db, customer_id: &str, page: &PageRequest) -> AppResult<Page<MyPage>> {
    let after = page
        .after_number()?
        .map(|id| keys::mypage_of(customer_id, id));
    let mut pages = Vec::with_capacity(page.limit + 1);
    for entry in db.scan_after::<()>(&keys::mypages(customer_id), after.as_deref()) {
        let (key, ()) = entry?;
        if let Some(id) = keys::trailing_u64(&key) {
            pages.extend(db.get::<MyPage>(&keys::mypage(id))?);
        }
        if pages.len() > page.limit {
            break;
        }
    }
    Ok(Page::of(pages, page.limit, |p| p.order_id.to_string()))
}

pub fn of_order(db: &Db, order_id: OrderId) -> Result<Option<MyPage>, StorageError> {
    db.get(&keys::mypage(order_id))
}
