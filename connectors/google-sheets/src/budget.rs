//! The request budget: staying inside Google's per-user read quota.
//!
//! The Sheets API allows 60 read requests per minute per user (a service account is a
//! user) and 300 per project; a request over the quota fails with 429 and the whole minute
//! is lost to backing off. The seed connector spent that quota on its own (5 rows per
//! request, one request a second). Here every Sheets API request first takes a permit from
//! the budget of its credential, and all tasks of all connectors in the worker process that
//! use the same credential against the same API share that one budget (a static registry
//! keyed by API base URL and credential identity).
//!
//! The budget is a token bucket whose tokens come back one by one, each one window
//! (`quota.window.ms`, a minute) after it was spent, plus a margin for the time a request
//! takes to reach the server (a twentieth of the window, at most a second): it holds
//! `quota.reads.per.minute` tokens, so no window of that length, sliding or aligned to the
//! first request as Google's are, ever sees more requests than the limit. That is stricter
//! than a bucket refilled at a constant rate, which lets a full bucket plus a minute of
//! refill through in one minute. The default limit
//! (50) leaves room for a person or another tool using the same account.
//!
//! Waiting for a permit is a tokio sleep: dropping the future (the worker stopping the task)
//! interrupts it at once, and a permit is taken only in the synchronous step that finds one
//! free, so a dropped wait takes nothing.

use std::collections::{HashMap, VecDeque};
use std::hash::{Hash as _, Hasher as _};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

use tokio::time::Instant;

/// One credential's budget, shared by every task that uses it.
#[derive(Debug)]
pub struct RequestBudget {
    state: Mutex<BudgetState>,
}

#[derive(Debug)]
struct BudgetState {
    limit: usize,
    window: Duration,
    /// When each permit of the current window was taken, oldest first.
    spent: VecDeque<Instant>,
    /// Every permit ever taken (for statistics and tests).
    total: u64,
}

impl RequestBudget {
    /// A budget of `limit` requests per `window` (a limit of 0 is treated as 1).
    pub fn new(limit: u32, window: Duration) -> RequestBudget {
        RequestBudget {
            state: Mutex::new(BudgetState {
                limit: (limit as usize).max(1),
                window,
                spent: VecDeque::new(),
                total: 0,
            }),
        }
    }

    /// Takes a permit, waiting until one is free. Cancel safe.
    pub async fn acquire(&self) {
        loop {
            let wait = self.try_acquire_at(Instant::now());
            match wait {
                None => return,
                Some(wait) => {
                    tracing::debug!("request budget exhausted, waiting {} ms", wait.as_millis());
                    tokio::time::sleep(wait).await;
                }
            }
        }
    }

    /// Takes a permit if one is free at `now` (`None`), or says how long until one is.
    pub fn try_acquire_at(&self, now: Instant) -> Option<Duration> {
        let mut state = match self.state.lock() {
            Ok(state) => state,
            Err(poisoned) => poisoned.into_inner(),
        };
        let window = state.window + (state.window / 20).min(Duration::from_secs(1));
        while let Some(oldest) = state.spent.front() {
            if now.saturating_duration_since(*oldest) >= window {
                state.spent.pop_front();
            } else {
                break;
            }
        }
        if state.spent.len() < state.limit {
            state.spent.push_back(now);
            state.total += 1;
            return None;
        }
        let oldest = state.spent.front().copied().unwrap_or(now);
        Some(
            (oldest + window)
                .saturating_duration_since(now)
                .max(Duration::from_millis(1)),
        )
    }

    /// Lowers the limit (tasks configured with different limits share the smallest).
    fn lower_limit(&self, limit: u32, window: Duration) {
        let mut state = match self.state.lock() {
            Ok(state) => state,
            Err(poisoned) => poisoned.into_inner(),
        };
        state.limit = state.limit.min((limit as usize).max(1));
        state.window = state.window.max(window);
    }

    /// The limit in force.
    pub fn limit(&self) -> usize {
        self.state.lock().map(|s| s.limit).unwrap_or(0)
    }

    /// How many permits were taken since the budget was created.
    pub fn total_requests(&self) -> u64 {
        self.state.lock().map(|s| s.total).unwrap_or(0)
    }
}

type Registry = Mutex<HashMap<u64, Arc<RequestBudget>>>;

fn registry() -> &'static Registry {
    static REGISTRY: OnceLock<Registry> = OnceLock::new();
    REGISTRY.get_or_init(|| Mutex::new(HashMap::new()))
}

/// The budget shared by every task of this process that calls `api_base_url` with the
/// credential identified by `credential_identity` (a service-account email, or a string
/// derived from an API key or OAuth client; only its hash is kept). The first caller sets
/// the limit; a later caller with a smaller limit lowers it for everyone.
pub fn shared_budget(
    api_base_url: &str,
    credential_identity: &str,
    limit: u32,
    window: Duration,
) -> Arc<RequestBudget> {
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    api_base_url.trim_end_matches('/').hash(&mut hasher);
    credential_identity.hash(&mut hasher);
    let key = hasher.finish();
    let mut budgets = match registry().lock() {
        Ok(budgets) => budgets,
        Err(poisoned) => poisoned.into_inner(),
    };
    let budget = budgets
        .entry(key)
        .or_insert_with(|| Arc::new(RequestBudget::new(limit, window)));
    budget.lower_limit(limit, window);
    Arc::clone(budget)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_window_ever_holds_more_than_the_limit() {
        let budget = RequestBudget::new(3, Duration::from_secs(60));
        let start = Instant::now();
        assert_eq!(budget.try_acquire_at(start), None);
        assert_eq!(budget.try_acquire_at(start + Duration::from_secs(10)), None);
        assert_eq!(budget.try_acquire_at(start + Duration::from_secs(20)), None);
        // The fourth must wait until the first permit is a minute (and the margin) old.
        assert_eq!(
            budget.try_acquire_at(start + Duration::from_secs(30)),
            Some(Duration::from_secs(31))
        );
        assert_eq!(budget.try_acquire_at(start + Duration::from_secs(61)), None);
        assert_eq!(
            budget.try_acquire_at(start + Duration::from_secs(62)),
            Some(Duration::from_secs(9))
        );
        assert_eq!(budget.total_requests(), 4);
    }

    #[tokio::test(start_paused = true)]
    async fn acquire_waits_and_a_dropped_wait_takes_nothing() {
        let budget = RequestBudget::new(2, Duration::from_secs(60));
        let start = Instant::now();
        budget.acquire().await;
        budget.acquire().await;
        // A third acquire waits; dropping it after 10 s leaves the budget as it was.
        let dropped = tokio::time::timeout(Duration::from_secs(10), budget.acquire()).await;
        assert!(dropped.is_err());
        assert_eq!(budget.total_requests(), 2);
        budget.acquire().await;
        assert!(Instant::now() - start >= Duration::from_secs(61));
        assert_eq!(budget.total_requests(), 3);
    }

    #[test]
    fn budgets_are_shared_per_api_and_credential() {
        let window = Duration::from_secs(60);
        let a = shared_budget("http://127.0.0.1:1/", "budget-test-a@x", 50, window);
        let same = shared_budget("http://127.0.0.1:1", "budget-test-a@x", 50, window);
        let other_api = shared_budget("http://127.0.0.1:2", "budget-test-a@x", 50, window);
        let other_user = shared_budget("http://127.0.0.1:1", "budget-test-b@x", 50, window);
        assert!(Arc::ptr_eq(&a, &same));
        assert!(!Arc::ptr_eq(&a, &other_api));
        assert!(!Arc::ptr_eq(&a, &other_user));
        let lowered = shared_budget("http://127.0.0.1:1", "budget-test-a@x", 10, window);
        assert!(Arc::ptr_eq(&a, &lowered));
        assert_eq!(a.limit(), 10);
    }
}
