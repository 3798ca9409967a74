//! The subscription state machine: which action is allowed in which state.
//! The table lives here and nowhere else; services ask it before every change
//! and answer 1009 when it says no.

/// Where a subscription is in its life.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Status {
    /// Starts in the future.
    Planned,
    /// In its free trial.
    Trial,
    /// Running and billed.
    Active,
    /// A pause is running: periods are not billed.
    Paused,
    /// A cancellation is scheduled; still running until then.
    Canceled,
    /// Ended.
    Closed,
}

impl Status {
    /// The wire and stored text.
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Planned => "planned",
            Status::Trial => "trial",
            Status::Active => "active",
            Status::Paused => "paused",
            Status::Canceled => "canceled",
            Status::Closed => "closed",
        }
    }

    /// Parses the text form.
    pub fn parse(text: &str) -> Option<Status> {
        Some(match text {
            "planned" => Status::Planned,
            "trial" => Status::Trial,
            "active" => Status::Active,
            "paused" => Status::Paused,
            "canceled" | "cancelled" => Status::Canceled,
            "closed" => Status::Closed,
            _ => return None,
        })
    }
}

/// Why a subscription closed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CloseReason {
    Cancellation,
    Termination,
    Expiration,
}

impl CloseReason {
    /// The wire text.
    pub fn as_str(self) -> &'static str {
        match self {
            CloseReason::Cancellation => "cancellation",
            CloseReason::Termination => "termination",
            CloseReason::Expiration => "expiration",
        }
    }
}

/// Everything that can be asked of a subscription.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Action {
    Cancel,
    /// Remove a pending cancellation (from `canceled`).
    Uncancel,
    /// Start a closed subscription again with a new period.
    Restart,
    Terminate,
    Postpone,
    Renew,
    SetNextEvent,
    RecordUsage,
    ChangePlan,
    Pause,
    Unpause,
    /// Change descriptive data (external id, attributes, features).
    Describe,
}

/// True when `action` is allowed in `status`.
pub fn allows(status: Status, action: Action) -> bool {
    use Action::*;
    use Status::*;
    match action {
        Describe => true,
        Cancel | Terminate | Postpone | SetNextEvent | RecordUsage | ChangePlan | Renew => status != Closed,
        Uncancel => status == Canceled,
        Restart => status == Closed,
        Pause => matches!(status, Active | Trial | Canceled | Paused),
        Unpause => status == Paused,
    }
}

/// The text of a refused transition, for the 1009 answer.
pub fn refusal(status: Status, action: Action) -> String {
    let what = match action {
        Action::Cancel => "cancel",
        Action::Uncancel | Action::Restart => "reactivate",
        Action::Terminate => "terminate",
        Action::Postpone => "postpone",
        Action::Renew => "renew",
        Action::SetNextEvent => "move NEXT_EVENT of",
        Action::RecordUsage => "record usage on",
        Action::ChangePlan => "change",
        Action::Pause => "pause",
        Action::Unpause => "unpause",
        Action::Describe => "update",
    };
    format!("cannot {what} a subscription that is {}", status.as_str())
}

#[cfg(test)]
mod tests {
    use super::*;

    const ALL: [Status; 6] =
        [Status::Planned, Status::Trial, Status::Active, Status::Paused, Status::Canceled, Status::Closed];

    #[test]
    fn closed_subscriptions_only_restart_or_change_descriptions() {
        for action in [
            Action::Cancel,
            Action::Terminate,
            Action::Postpone,
            Action::RecordUsage,
            Action::ChangePlan,
            Action::Renew,
        ] {
            assert!(!allows(Status::Closed, action), "{action:?}");
        }
        assert!(allows(Status::Closed, Action::Restart));
        assert!(allows(Status::Closed, Action::Describe));
    }

    #[test]
    fn only_canceled_subscriptions_uncancel_and_only_closed_restart() {
        for status in ALL {
            assert_eq!(allows(status, Action::Uncancel), status == Status::Canceled);
            assert_eq!(allows(status, Action::Restart), status == Status::Closed);
        }
    }

    #[test]
    fn statuses_round_trip_their_text() {
        for status in ALL {
            assert_eq!(Status::parse(status.as_str()), Some(status));
        }
    }
}
