//! Who else has a ticket open: a viewing is a lease the page takes when it opens the ticket,
//! renews while it stays open and gives back when it leaves; a page that vanished without a
//! word (a crash, a lost network) lapses. Pure rules; `services::viewers` applies them.

use std::time::Duration;

/// How long a viewing lasts without renewal.
pub const LEASE_SECS: i64 = 60;
/// How often an open page renews its viewing: a third of the lease, so two renewals in a
/// row may fail (a network blip, a throttled background tab) before it lapses.
pub const RENEW_SECS: i64 = 20;
/// The most viewers a ticket lists (the longest-viewing first).
pub const SHOWN: i64 = 20;
/// How often each server sweeps lapsed viewings (and tells the dashboards who left).
pub const SWEEP_EVERY: Duration = Duration::from_secs(5);
/// Lapsed viewings one sweep deletes at most per statement.
pub const SWEEP_BATCH: i64 = 500;

// A page renews well inside its lease, and the sweep runs more often than pages renew.
const _: () = assert!(RENEW_SECS * 3 <= LEASE_SECS && (SWEEP_EVERY.as_secs() as i64) < RENEW_SECS);

/// Whether a viewing call changes what the others see: someone joins who was not a live
/// viewer, or a live viewer leaves. Renewing a live viewing, or leaving one that had
/// lapsed already (the sweep tells), changes nothing.
pub fn others_see_a_change(joining: bool, was_live: bool) -> bool {
    joining != was_live
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_joins_and_leaves_are_announced() {
        assert!(others_see_a_change(true, false), "a new viewer");
        assert!(!others_see_a_change(true, true), "a renewal");
        assert!(others_see_a_change(false, true), "a live viewer leaves");
        assert!(!others_see_a_change(false, false), "it had lapsed already");
    }
}
