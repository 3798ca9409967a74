//! Dunning (API.md section 10): DUNNING_LEVEL rises at DUNNING.DAYS after
//! DUE_DATE, one `invoice.reminded` per level risen, and DUNNING.FINAL_ACTION
//! once after the last level. Pure: the tenant clock's date comes in.
//!
//! Level k is reached on the date `DUE_DATE + DAYS[k-1]` days (default days
//! 7, 14, 21: due 2025-01-15 gives levels on 01-22, 01-29 and 02-05).
//!
//! Decisions where API.md is silent:
//! - Days count in calendar dates of the tenant clock (in the tenant's time
//!   zone), like overdue in [`balance`](super::balance).
//! - DUNNING.DAYS: at least one day, each 1..=3650, strictly increasing.
//! - The level never falls while the schedule runs (only a postpone resets it),
//!   so shortening DUNNING.DAYS later cannot lower a level already reached.
//! - The final action is applied once per invoice, even across a postpone.
//! - A postpone must move the due date later, and is refused on a paid invoice.

use std::fmt;

use chrono::{Days, NaiveDate};

/// Largest day of a dunning level.
pub const MAX_DAY: u32 = 3650;

/// DUNNING.DAYS: days after DUE_DATE at which the levels 1, 2, ... are reached.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DunningDays(Vec<u32>);

impl DunningDays {
    /// Accepts a non-empty, strictly increasing list of days in 1..=3650.
    pub fn parse(days: &[u32]) -> Result<DunningDays, DunningError> {
        if days.is_empty() || days.iter().any(|d| *d == 0 || *d > MAX_DAY) {
            return Err(DunningError::BadDays);
        }
        if days.windows(2).any(|w| w[0] >= w[1]) {
            return Err(DunningError::BadDays);
        }
        Ok(DunningDays(days.to_vec()))
    }

    /// The days, ascending.
    pub fn days(&self) -> &[u32] {
        &self.0
    }

    /// The highest level.
    pub fn last_level(&self) -> u32 {
        u32::try_from(self.0.len()).unwrap_or(u32::MAX)
    }
}

impl Default for DunningDays {
    /// 7, 14, 21.
    fn default() -> Self {
        DunningDays(vec![7, 14, 21])
    }
}

/// DUNNING.FINAL_ACTION, on the invoice's subscription.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum FinalAction {
    #[default]
    None,
    /// Paused now until unpaused.
    Pause,
    /// Canceled at the end of the period the notice period allows.
    Cancel,
}

impl FinalAction {
    /// Parses `none` / `pause` / `cancel` (any case).
    pub fn parse(text: &str) -> Option<FinalAction> {
        match text.trim().to_ascii_lowercase().as_str() {
            "none" => Some(FinalAction::None),
            "pause" => Some(FinalAction::Pause),
            "cancel" => Some(FinalAction::Cancel),
            _ => None,
        }
    }

    /// The configured text.
    pub fn as_str(self) -> &'static str {
        match self {
            FinalAction::None => "none",
            FinalAction::Pause => "pause",
            FinalAction::Cancel => "cancel",
        }
    }
}

/// An invoice's dunning state as stored.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Dunning {
    /// DUE_DATE as issued.
    pub due_date: NaiveDate,
    /// The due date an `invoice.postpone` moved it to (DUE_DATE_POSTPONED).
    pub postponed_to: Option<NaiveDate>,
    /// DUNNING_LEVEL.
    pub level: u32,
    /// DUNNING_PAUSED.
    pub paused: bool,
    /// Paid in full.
    pub paid: bool,
    pub final_action_applied: bool,
}

impl Dunning {
    /// The due date that counts: the postponed one, if any.
    pub fn effective_due(&self) -> NaiveDate {
        self.postponed_to.unwrap_or(self.due_date)
    }
}

/// The level reached on `today` for an invoice due on `due`.
pub fn level_on(due: NaiveDate, days: &DunningDays, today: NaiveDate) -> u32 {
    let reached =
        days.days().iter().filter(|d| due.checked_add_days(Days::new(u64::from(**d))).is_some_and(|at| today >= at));
    u32::try_from(reached.count()).unwrap_or(u32::MAX)
}

/// What a dunning run on `today` does to one invoice.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Advance {
    /// STATUS `overdue` (unpaid and past the effective due date).
    pub overdue: bool,
    /// DUNNING_LEVEL after the run.
    pub level: u32,
    /// One `invoice.reminded` per level risen, ascending.
    pub reminders: Vec<u32>,
    /// The final action to apply now (then store it as applied), if due.
    pub final_action: Option<FinalAction>,
}

/// Runs dunning for `state` on `today` with the tenant's `days` and `action`.
/// Paid or paused invoices keep their level; an unpaused one catches up at once.
pub fn advance(state: &Dunning, days: &DunningDays, action: FinalAction, today: NaiveDate) -> Advance {
    let due = state.effective_due();
    let overdue = !state.paid && today > due;
    if state.paid || state.paused {
        return Advance { overdue, level: state.level, reminders: Vec::new(), final_action: None };
    }
    let level = state.level.max(level_on(due, days, today));
    let reminders = (state.level + 1..=level).collect();
    let final_due = level >= days.last_level() && !state.final_action_applied;
    Advance { overdue, level, reminders, final_action: final_due.then_some(action) }
}

/// `invoice.postpone` to `to`: the new state (level 0), or why not.
pub fn postpone(state: &Dunning, to: NaiveDate) -> Result<Dunning, DunningError> {
    if state.postponed_to.is_some() {
        return Err(DunningError::AlreadyPostponed);
    }
    if state.paid {
        return Err(DunningError::Paid);
    }
    if to <= state.effective_due() {
        return Err(DunningError::NotLater);
    }
    Ok(Dunning { postponed_to: Some(to), level: 0, ..*state })
}

/// A refused dunning setting or postpone.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DunningError {
    BadDays,
    AlreadyPostponed,
    Paid,
    NotLater,
}

impl DunningError {
    /// The tag (or setting) the error is about.
    pub fn tag(&self) -> &'static str {
        match self {
            DunningError::BadDays => "DUNNING.DAYS",
            DunningError::AlreadyPostponed | DunningError::Paid | DunningError::NotLater => "DUE_DATE",
        }
    }
}

impl fmt::Display for DunningError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            DunningError::BadDays => "DUNNING.DAYS must be increasing days from 1 to 3650, at least one",
            DunningError::AlreadyPostponed => "DUE_DATE: the invoice was postponed once already",
            DunningError::Paid => "DUE_DATE: the invoice is paid",
            DunningError::NotLater => "DUE_DATE must be later than the current due date",
        })
    }
}

impl std::error::Error for DunningError {}

#[cfg(test)]
mod tests;
