//! The hand-computed dunning table of issue 12, pauses, postpones, payment,
//! and a property over random run dates.

use chrono::NaiveDate;
use proptest::prelude::*;

use super::*;

fn day(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).expect("date")
}

fn due_jan_15() -> Dunning {
    Dunning {
        due_date: day(2025, 1, 15),
        postponed_to: None,
        level: 0,
        paused: false,
        paid: false,
        final_action_applied: false,
    }
}

/// Runs dunning once a day from `from` through `to`, stores each result, and
/// lists what happened: the first overdue day, each reminder, the final action.
fn daily(state: &mut Dunning, from: NaiveDate, to: NaiveDate) -> Vec<String> {
    let mut seen = Vec::new();
    let mut was_overdue = false;
    for today in from.iter_days().take_while(|d| *d <= to) {
        let adv = advance(state, &DunningDays::default(), FinalAction::Cancel, today);
        let mut what: Vec<String> = Vec::new();
        if adv.overdue && !was_overdue {
            what.push("overdue".into());
        }
        was_overdue = adv.overdue;
        what.extend(adv.reminders.iter().map(|l| format!("level {l}")));
        if let Some(action) = adv.final_action {
            what.push(format!("final {}", action.as_str()));
            state.final_action_applied = true;
        }
        state.level = adv.level;
        if !what.is_empty() {
            seen.push(format!("{today}: {}", what.join(", ")));
        }
    }
    seen
}

#[test]
fn the_dunning_table_of_issue_12() {
    let mut state = due_jan_15();
    // 01-15 + 7 = 01-22, + 14 = 01-29, + 21 = 02-05.
    let seen = daily(&mut state, day(2025, 1, 10), day(2025, 2, 20));
    let expected =
        ["2025-01-16: overdue", "2025-01-22: level 1", "2025-01-29: level 2", "2025-02-05: level 3, final cancel"];
    assert_eq!(seen, expected);
    assert_eq!((state.level, state.final_action_applied), (3, true));
}

#[test]
fn a_pause_holds_the_level_and_unpausing_catches_up_at_once() {
    let mut state = due_jan_15();
    assert_eq!(daily(&mut state, day(2025, 1, 10), day(2025, 1, 24)), ["2025-01-16: overdue", "2025-01-22: level 1"]);
    state.paused = true;
    // Paused: still overdue (first day of this run), but no level rises.
    assert_eq!(daily(&mut state, day(2025, 1, 25), day(2025, 2, 9)), ["2025-01-25: overdue"]);
    assert_eq!(state.level, 1);
    state.paused = false;
    // On 02-10 levels 2 (01-29) and 3 (02-05) are both due.
    let adv = advance(&state, &DunningDays::default(), FinalAction::Pause, day(2025, 2, 10));
    assert_eq!((adv.level, adv.reminders, adv.final_action), (3, vec![2, 3], Some(FinalAction::Pause)));
}

#[test]
fn a_postpone_resets_the_level_and_counts_from_the_new_date() {
    let mut state = due_jan_15();
    daily(&mut state, day(2025, 1, 10), day(2025, 1, 30));
    assert_eq!(state.level, 2);
    let mut state = postpone(&state, day(2025, 2, 15)).expect("postpone");
    assert_eq!((state.level, state.effective_due()), (0, day(2025, 2, 15)));
    // 02-15 + 7 = 02-22, + 14 = 03-01, + 21 = 03-08.
    let seen = daily(&mut state, day(2025, 1, 31), day(2025, 3, 10));
    let expected =
        ["2025-02-16: overdue", "2025-02-22: level 1", "2025-03-01: level 2", "2025-03-08: level 3, final cancel"];
    assert_eq!(seen, expected);
    assert_eq!(postpone(&state, day(2025, 4, 1)), Err(DunningError::AlreadyPostponed));
}

#[test]
fn a_postpone_must_move_the_date_later_and_not_on_a_paid_invoice() {
    let state = due_jan_15();
    assert_eq!(postpone(&state, day(2025, 1, 15)), Err(DunningError::NotLater));
    assert_eq!(postpone(&Dunning { paid: true, ..state }, day(2025, 2, 1)), Err(DunningError::Paid));
    assert_eq!(DunningError::NotLater.tag(), "DUE_DATE");
}

#[test]
fn paying_stops_dunning_and_keeps_the_level() {
    let mut state = due_jan_15();
    daily(&mut state, day(2025, 1, 10), day(2025, 1, 30));
    state.paid = true;
    assert!(daily(&mut state, day(2025, 1, 31), day(2025, 3, 31)).is_empty());
    let adv = advance(&state, &DunningDays::default(), FinalAction::Cancel, day(2025, 3, 31));
    assert_eq!((adv.overdue, adv.level, adv.final_action), (false, 2, None));
}

#[test]
fn a_late_first_run_emits_every_level_at_once() {
    let adv = advance(&due_jan_15(), &DunningDays::default(), FinalAction::None, day(2025, 2, 5));
    assert_eq!((adv.level, adv.reminders, adv.final_action), (3, vec![1, 2, 3], Some(FinalAction::None)));
}

#[test]
fn dunning_days_and_final_actions_parse() {
    assert_eq!(DunningDays::parse(&[3, 10]).map(|d| d.last_level()), Ok(2));
    for bad in [&[][..], &[7, 7], &[14, 7], &[0, 7], &[3651]] {
        assert_eq!(DunningDays::parse(bad), Err(DunningError::BadDays), "{bad:?}");
    }
    assert_eq!(DunningError::BadDays.tag(), "DUNNING.DAYS");
    assert_eq!(FinalAction::parse(" Cancel "), Some(FinalAction::Cancel));
    assert_eq!(FinalAction::parse("close"), None);
    assert_eq!(FinalAction::default().as_str(), "none");
}

proptest! {
    /// Whenever dunning runs (any dates, in order), each level is reminded
    /// exactly once and the final action comes once, after the last level.
    #[test]
    fn every_level_is_reminded_once_and_the_final_action_once(
        gaps in proptest::collection::vec(1u64..12, 1..30),
        days in proptest::collection::btree_set(1u32..60, 1..5),
    ) {
        let days = DunningDays::parse(&days.into_iter().collect::<Vec<_>>()).expect("increasing");
        let mut state = due_jan_15();
        let mut today = day(2025, 1, 10);
        let (mut reminders, mut finals) = (Vec::new(), 0);
        for gap in gaps {
            today = today + Days::new(gap);
            let adv = advance(&state, &days, FinalAction::Cancel, today);
            let elapsed = (today - state.due_date).num_days();
            let expected = days.days().iter().filter(|d| elapsed >= i64::from(**d)).count();
            prop_assert_eq!(adv.level as usize, expected);
            if adv.final_action.is_some() {
                prop_assert_eq!(adv.level, days.last_level());
                finals += 1;
                state.final_action_applied = true;
            }
            reminders.extend(adv.reminders);
            state.level = adv.level;
        }
        prop_assert_eq!(reminders, (1..=state.level).collect::<Vec<_>>());
        prop_assert_eq!(finals, u32::from(state.level == days.last_level()));
    }
}
