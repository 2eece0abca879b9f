//! The limits a guest runs under (memory and time), the [`ResourceLimiter`] that enforces the
//! memory cap, and the translation of a limit hit into an error a person can act on.
//!
//! Memory is capped per execution, over all linear memories of the component together (a
//! componentize-js component has more than one). The time limit is enforced by epoch
//! interruption (see [`crate::engine`]); this module only words the error.

use std::fmt;
use std::time::Duration;
use wasmtime::ResourceLimiter;

/// Bytes in one mebibyte.
pub const MIB: usize = 1024 * 1024;

/// What one execution of a guest may use.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Most bytes of linear memory the guest may hold, over all its memories.
    pub memory_bytes: usize,
    /// Longest wall-clock time an execution may run, host calls included.
    pub time: Duration,
    /// Most elements a guest table may hold.
    pub table_elements: usize,
}

impl Default for Limits {
    /// 64 MiB of memory and 2 seconds: enough for a componentize-js extension (about
    /// 20 MiB after start) listing 100 records, far below what hurts a shared host.
    fn default() -> Self {
        Limits { memory_bytes: 64 * MIB, time: Duration::from_secs(2), table_elements: 100_000 }
    }
}

/// Writes a byte count the way people say it: `64 MiB`, `1.5 GiB`, `512 KiB`, `100 bytes`.
pub fn human_bytes(bytes: usize) -> String {
    const UNITS: [(&str, usize); 3] = [("GiB", 1 << 30), ("MiB", 1 << 20), ("KiB", 1 << 10)];
    for (unit, size) in UNITS {
        if bytes >= size {
            let value = bytes as f64 / size as f64;
            return if value.fract() == 0.0 {
                format!("{value:.0} {unit}")
            } else {
                format!("{value:.1} {unit}")
            };
        }
    }
    format!("{bytes} bytes")
}

/// Writes a duration the way people say it: `2s`, `1.5s`, `250ms`.
pub fn human_duration(duration: Duration) -> String {
    let millis = duration.as_millis();
    if millis >= 1000 && millis.is_multiple_of(1000) {
        format!("{}s", millis / 1000)
    } else if millis >= 1000 {
        format!("{:.1}s", duration.as_secs_f64())
    } else {
        format!("{millis}ms")
    }
}

/// Which limit an execution ran into.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LimitExceeded {
    /// The guest was still running when its time was up.
    Time {
        /// The limit.
        limit: Duration,
    },
    /// The guest asked for more linear memory than allowed.
    Memory {
        /// The limit.
        limit: usize,
        /// The total it asked for.
        requested: usize,
    },
    /// The guest asked for a larger table than allowed.
    Table {
        /// The limit, in elements.
        limit: usize,
        /// The size it asked for.
        requested: usize,
    },
}

impl fmt::Display for LimitExceeded {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            LimitExceeded::Time { limit } => {
                write!(f, "the extension exceeded its time limit of {}", human_duration(*limit))
            }
            LimitExceeded::Memory { limit, requested } => write!(
                f,
                "the extension tried to grow memory past {} (it asked for {} in total)",
                human_bytes(*limit),
                human_bytes(*requested)
            ),
            LimitExceeded::Table { limit, requested } => write!(
                f,
                "the extension tried to grow a table past {limit} elements (it asked for {requested})"
            ),
        }
    }
}

/// The [`ResourceLimiter`] of one execution: enforces [`Limits::memory_bytes`] over all
/// memories together and remembers a refusal, so that the trap that usually follows one
/// (a guest allocator giving up) is reported as the memory limit, not as a bare trap.
#[derive(Debug)]
pub struct GuestLimiter {
    limits: Limits,
    /// Bytes of linear memory granted so far, over all memories.
    memory_in_use: usize,
    /// The first limit refused in this execution, if any.
    refused: Option<LimitExceeded>,
}

impl GuestLimiter {
    /// A limiter for one execution.
    pub fn new(limits: Limits) -> Self {
        GuestLimiter { limits, memory_in_use: 0, refused: None }
    }

    /// The limits it enforces.
    pub fn limits(&self) -> &Limits {
        &self.limits
    }

    /// The first limit this execution ran into, if any.
    pub fn refused(&self) -> Option<&LimitExceeded> {
        self.refused.as_ref()
    }

    /// Bytes of linear memory the guest holds, over all its memories.
    pub fn memory_in_use(&self) -> usize {
        self.memory_in_use
    }
}

impl ResourceLimiter for GuestLimiter {
    fn memory_growing(
        &mut self,
        current: usize,
        desired: usize,
        _maximum: Option<usize>,
    ) -> wasmtime::Result<bool> {
        let total = self.memory_in_use.saturating_sub(current).saturating_add(desired);
        if total > self.limits.memory_bytes {
            // Refusing (rather than trapping here) keeps wasm semantics: `memory.grow`
            // returns -1 and a guest may recover. If it traps instead, the refusal recorded
            // here names the cause.
            self.refused
                .get_or_insert(LimitExceeded::Memory { limit: self.limits.memory_bytes, requested: total });
            return Ok(false);
        }
        self.memory_in_use = total;
        Ok(true)
    }

    fn table_growing(
        &mut self,
        _current: usize,
        desired: usize,
        _maximum: Option<usize>,
    ) -> wasmtime::Result<bool> {
        if desired > self.limits.table_elements {
            self.refused.get_or_insert(LimitExceeded::Table {
                limit: self.limits.table_elements,
                requested: desired,
            });
            return Ok(false);
        }
        Ok(true)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_and_durations_read_like_people_write_them() {
        assert_eq!(human_bytes(64 * MIB), "64 MiB");
        assert_eq!(human_bytes(MIB + MIB / 2), "1.5 MiB");
        assert_eq!(human_bytes(3 << 30), "3 GiB");
        assert_eq!(human_bytes(100), "100 bytes");
        assert_eq!(human_duration(Duration::from_secs(2)), "2s");
        assert_eq!(human_duration(Duration::from_millis(1500)), "1.5s");
        assert_eq!(human_duration(Duration::from_millis(250)), "250ms");
    }

    #[test]
    fn memory_is_capped_over_all_memories_together() {
        let mut limiter = GuestLimiter::new(Limits { memory_bytes: 10 * MIB, ..Limits::default() });
        assert!(limiter.memory_growing(0, 6 * MIB, None).unwrap(), "first memory fits");
        assert!(limiter.memory_growing(0, 3 * MIB, None).unwrap(), "second memory fits beside it");
        assert!(!limiter.memory_growing(3 * MIB, 5 * MIB, None).unwrap(), "6 + 5 MiB is past 10 MiB");
        assert_eq!(limiter.memory_in_use(), 9 * MIB);
        assert_eq!(
            limiter.refused().map(ToString::to_string).as_deref(),
            Some("the extension tried to grow memory past 10 MiB (it asked for 11 MiB in total)")
        );
    }

    #[test]
    fn tables_are_capped() {
        let mut limiter = GuestLimiter::new(Limits { table_elements: 10, ..Limits::default() });
        assert!(limiter.table_growing(0, 10, None).unwrap());
        assert!(!limiter.table_growing(10, 11, None).unwrap());
        assert!(matches!(limiter.refused(), Some(LimitExceeded::Table { limit: 10, requested: 11 })));
    }
}
