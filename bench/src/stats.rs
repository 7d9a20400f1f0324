//! Latency summaries and the JSON files the report is assembled from.

use serde::{Deserialize, Serialize};
use std::time::Duration;

/// What one measured scenario or statement did.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Summary {
    pub name: String,
    /// Operations measured.
    pub count: u64,
    /// Operations that failed (a non-2xx status, an error).
    pub errors: u64,
    /// Operations per second (HTTP: over the measured window with all connections busy).
    pub per_sec: f64,
    pub mean_ms: f64,
    pub p50_ms: f64,
    pub p99_ms: f64,
    pub max_ms: f64,
}

impl Summary {
    /// Summarises latencies (in any order) measured over `window` of wall time.
    pub fn of(name: &str, latencies: &mut [Duration], errors: u64, window: Duration) -> Summary {
        latencies.sort_unstable();
        let ms = |d: Duration| d.as_secs_f64() * 1000.0;
        let count = latencies.len() as u64;
        let total: Duration = latencies.iter().sum();
        Summary {
            name: name.to_owned(),
            count,
            errors,
            per_sec: if window.is_zero() { 0.0 } else { count as f64 / window.as_secs_f64() },
            mean_ms: if count == 0 { 0.0 } else { ms(total) / count as f64 },
            p50_ms: percentile(latencies, 0.50).map_or(0.0, ms),
            p99_ms: percentile(latencies, 0.99).map_or(0.0, ms),
            max_ms: latencies.last().copied().map_or(0.0, ms),
        }
    }
}

/// The `q` quantile of sorted latencies (nearest rank).
pub fn percentile(sorted: &[Duration], q: f64) -> Option<Duration> {
    if sorted.is_empty() {
        return None;
    }
    let rank = ((q * sorted.len() as f64).ceil() as usize).clamp(1, sorted.len());
    Some(sorted[rank - 1])
}

/// Writes `value` as pretty JSON to `<out_dir>/<file>`.
pub fn write_json(file: &str, value: &impl Serialize) -> anyhow::Result<std::path::PathBuf> {
    let dir = crate::out_dir();
    std::fs::create_dir_all(&dir)?;
    let path = dir.join(file);
    std::fs::write(&path, serde_json::to_vec_pretty(value)?)?;
    Ok(path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentiles_are_nearest_rank() {
        let mut v: Vec<Duration> = (1..=100).map(Duration::from_millis).collect();
        let s = Summary::of("x", &mut v, 0, Duration::from_secs(2));
        assert_eq!((s.p50_ms, s.p99_ms, s.max_ms, s.per_sec), (50.0, 99.0, 100.0, 50.0));
    }
}
