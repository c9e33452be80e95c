//! Injected faults (only reachable through `/admin/chaos`, with `--chaos`).

use dashmap::DashSet;

/// Actors told to panic on their next message, by kind and id.
#[derive(Debug, Default)]
pub struct Faults {
    panics: DashSet<(String, String)>,
}

impl Faults {
    /// Makes the actor of `kind` and `id` panic on its next message.
    pub fn inject_panic(&self, kind: &str, id: &str) {
        self.panics.insert((kind.to_string(), id.to_string()));
    }

    /// Panics if a panic was injected for this actor (once).
    pub fn maybe_panic(&self, kind: &str, id: &str) {
        if !self.panics.is_empty()
            && self
                .panics
                .remove(&(kind.to_string(), id.to_string()))
                .is_some()
        {
            panic!("injected panic in {kind} {id}");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_injected_panic_happens_once() {
        let f = Faults::default();
        f.maybe_panic("order", "1");
        f.inject_panic("order", "1");
        assert!(crate::supervision::restart::catch(|| f.maybe_panic("order", "2")).is_ok());
        assert!(crate::supervision::restart::catch(|| f.maybe_panic("order", "1")).is_err());
        f.maybe_panic("order", "1");
    }
}
