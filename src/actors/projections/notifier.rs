//! The notifier: turns the log into notifications, kept per audience and
//! pushed live to whoever listens (WebSocket) once they are written.

pub use crate::actors::projections::inbox::list;
use crate::actors::projections::inbox::OpenPages;
use crate::actors::projections::{Deps, Projection};
use crate::actors::reactions::webhook;
use crate::actors::webhooks::outbox::WebhookOutbox;
use crate::domain::notification::{self, Audience, Notification};
use crate::domain::LogRecord;
use crate::error::AppResult;
use crate::storage::{keys, Staged};
use dashmap::DashMap;
use std::sync::Arc;
use tokio::sync::broadcast;

/// Live notifications awaiting a slow listener before it must catch up
/// from storage instead.
const LIVE_BUFFER: usize = 256;

/// Live channels, one per audience that someone listens to.
#[derive(Debug, Default)]
pub struct Hub {
    channels: DashMap<Audience, broadcast::Sender<Notification>>,
}

impl Hub {
    /// Listens to an audience's notifications from now on.
    pub fn subscribe(&self, audience: &Audience) -> broadcast::Receiver<Notification> {
        self.channels
            .entry(audience.clone())
            .or_insert_with(|| broadcast::channel(LIVE_BUFFER).0)
            .subscribe()
    }

    /// Forgets an audience's channel once nobody listens to it any more.
    pub fn release(&self, audience: &Audience) {
        self.channels
            .remove_if(audience, |_, tx| tx.receiver_count() == 0);
    }

    /// Ends every live channel (listeners see it closed): for shutdown.
    pub fn close_all(&self) {
        self.channels.clear();
    }

    fn publish(&self, audience: &Audience, n: Notification) {
        let nobody = match self.channels.get(audience) {
            Some(tx) => tx.send(n).is_err(),
            None => return,
        };
        if nobody {
            self.channels
                .remove_if(audience, |_, tx| tx.receiver_count() == 0);
        }
    }
}

/// The notifier subscriber.
pub struct Notifier {
    hub: Arc<Hub>,
    /// Whether notifications are also queued for the webhook.
    webhook: bool,
    /// Written but not yet committed; published once they are.
    staged: Vec<(Audience, Notification)>,
    /// The pages this delivery writes to.
    pages: OpenPages,
    /// The webhook endpoints' outboxes, filled in the same commit.
    outbox: Option<WebhookOutbox>,
}

impl Notifier {
    pub fn new(hub: Arc<Hub>, webhook: bool) -> Self {
        Notifier {
            hub,
            webhook,
            staged: Vec::new(),
            pages: OpenPages::default(),
            outbox: None,
        }
    }
}

impl Projection for Notifier {
    const NAME: &'static str = "notifier";

    fn build(deps: &Deps) -> AppResult<Self> {
        let mut notifier = Notifier::new(deps.hub.clone(), deps.webhook);
        notifier.outbox = Some(WebhookOutbox::new(deps.db.clone()));
        Ok(notifier)
    }

    fn apply(&mut self, record: &LogRecord, staged: &mut Staged<'_>) -> AppResult<()> {
        if let Some(outbox) = &mut self.outbox {
            outbox.apply(record, staged)?;
        }
        for (nth, (audience, n)) in notification::for_record(record).into_iter().enumerate() {
            self.pages.append(staged, &audience, n.clone())?;
            if self.webhook {
                let queued = webhook::QueuedNotification::new(&audience, &n);
                staged.put(keys::webhook_queued(n.id, nth as u8), &queued)?;
            }
            self.staged.push((audience, n));
        }
        Ok(())
    }

    fn committed(&mut self) {
        self.pages.clear();
        for (audience, n) in self.staged.drain(..) {
            self.hub.publish(&audience, n);
        }
    }

    fn rolled_back(&mut self) {
        self.pages.clear();
        self.staged.clear();
    }
}
