//! Waiting for conditions with a deadline, instead of fixed sleeps.

use std::future::Future;
use std::time::Duration;

use tokio::time::Instant;

/// A condition was not met before its deadline.
#[derive(Debug, Clone, thiserror::Error)]
#[error(
    "condition not met within {timeout:?} ({attempts} attempts){}",
    last_error.as_ref().map(|e| format!("; last error: {e}")).unwrap_or_default()
)]
pub struct WaitTimeout {
    /// The time that was allowed.
    pub timeout: Duration,
    /// How many times the condition was evaluated.
    pub attempts: u64,
    /// The error of the last attempt, for [`wait_for`] conditions that failed.
    pub last_error: Option<String>,
}

/// Evaluates `condition` every `interval` until it returns `true`, for at most `timeout`.
///
/// The condition is always evaluated at least once, and once more when the deadline is
/// reached. A single evaluation that is still running at the deadline is abandoned (its
/// future is dropped).
///
/// ```no_run
/// # async fn demo(cluster: &connect_testkit::KafkaCluster) -> anyhow::Result<()> {
/// use std::time::Duration;
/// connect_testkit::wait_until(Duration::from_secs(30), Duration::from_millis(100), || async {
///     cluster.end_offsets("out").await.map(|o| o.values().sum::<i64>() >= 10).unwrap_or(false)
/// })
/// .await?;
/// # Ok(()) }
/// ```
pub async fn wait_until<F, Fut>(
    timeout: Duration,
    interval: Duration,
    mut condition: F,
) -> Result<(), WaitTimeout>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = bool>,
{
    wait_for(timeout, interval, || {
        let fut = condition();
        async move { Ok(if fut.await { Some(()) } else { None }) }
    })
    .await
}

/// Evaluates `probe` every `interval` until it returns `Ok(Some(value))`, and returns that
/// value; for at most `timeout`.
///
/// `Ok(None)` and `Err(_)` both mean "not yet"; the last error is reported in the
/// [`WaitTimeout`] if the deadline passes.
pub async fn wait_for<T, F, Fut>(
    timeout: Duration,
    interval: Duration,
    mut probe: F,
) -> Result<T, WaitTimeout>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = anyhow::Result<Option<T>>>,
{
    let deadline = Instant::now() + timeout;
    let mut attempts = 0u64;
    let mut last_error = None;
    loop {
        attempts += 1;
        let remaining = deadline.saturating_duration_since(Instant::now());
        // Give an attempt at least a little time even at the deadline.
        let budget = remaining.max(Duration::from_millis(50));
        match tokio::time::timeout(budget, probe()).await {
            Ok(Ok(Some(value))) => return Ok(value),
            Ok(Ok(None)) => {}
            Ok(Err(e)) => last_error = Some(format!("{e:#}")),
            Err(_) => last_error = Some("attempt timed out at the deadline".to_owned()),
        }
        let now = Instant::now();
        if now >= deadline {
            return Err(WaitTimeout {
                timeout,
                attempts,
                last_error,
            });
        }
        tokio::time::sleep(interval.min(deadline - now)).await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicU32, Ordering};

    #[tokio::test]
    async fn returns_once_condition_holds() {
        let n = AtomicU32::new(0);
        let r = wait_until(Duration::from_secs(5), Duration::from_millis(1), || async {
            n.fetch_add(1, Ordering::SeqCst) >= 3
        })
        .await;
        assert!(r.is_ok());
        assert_eq!(n.load(Ordering::SeqCst), 4);
    }

    #[tokio::test]
    async fn times_out_with_last_error() {
        let start = std::time::Instant::now();
        let err = wait_for::<(), _, _>(
            Duration::from_millis(200),
            Duration::from_millis(20),
            || async { anyhow::bail!("not yet: 42") },
        )
        .await
        .expect_err("must time out");
        assert!(start.elapsed() >= Duration::from_millis(200));
        assert!(start.elapsed() < Duration::from_secs(3));
        assert!(err.attempts >= 2, "{err}");
        assert!(err.to_string().contains("not yet: 42"), "{err}");
    }

    #[tokio::test]
    async fn abandons_a_hanging_attempt_at_the_deadline() {
        let start = std::time::Instant::now();
        let err = wait_until(
            Duration::from_millis(100),
            Duration::from_millis(10),
            std::future::pending::<bool>,
        )
        .await
        .expect_err("must time out");
        assert!(start.elapsed() < Duration::from_secs(3));
        assert_eq!(err.attempts, 1);
    }
}
