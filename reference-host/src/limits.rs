//! The limits a guest runs under (memory, time, contract calls and rows read), the
//! [`ResourceLimiter`] that enforces the memory cap, the count of contract calls and rows,
//! and the translation of a limit hit into an error a person can act on.
//!
//! Memory is capped per execution, over all linear memories of the component together (a
//! componentize-js component has more than one). The time limit is enforced by epoch
//! interruption (see [`crate::engine`]); this module only words the error.
//!
//! Contract calls and rows are capped per execution so that what one execution can ask of
//! the database does not depend on how fast the database is (the time limit alone allowed
//! about 650 transactions in 2 s). The call that goes past a cap is not run (or its rows are
//! not handed over) and the execution ends with a trap naming the limit: the runtime's call
//! hook (`crate::runtime`) traps as the call returns when [`GuestLimiter::ended_by`] is set.

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
    /// Most calls of the contract's functions (`list-clients`, `get-client`, ...) one
    /// execution may make.
    pub host_calls: u32,
    /// Most rows (clients and catalog items) the contract's functions may return to one
    /// execution, over all its calls: a page counts its items, a `get-*` that finds its
    /// record counts one.
    pub rows: u64,
}

impl Default for Limits {
    /// 64 MiB of memory and 2 seconds: enough for a componentize-js extension (about
    /// 20 MiB after start) listing 100 records, far below what hurts a shared host.
    /// 1,000 contract calls and 10,000 rows (a hundred full pages): more than a report over a
    /// tenant's whole client list needs at the contract's page size, and a bound on the
    /// database work of one execution whatever the database's speed.
    fn default() -> Self {
        Limits {
            memory_bytes: 64 * MIB,
            time: Duration::from_secs(2),
            table_elements: 100_000,
            host_calls: 1_000,
            rows: 10_000,
        }
    }
}

/// The most a guest is left to handle a store call that failed at its deadline.
pub const GUEST_RESERVE: Duration = Duration::from_millis(100);

impl Limits {
    /// How long into an execution its store calls may wait (for a connection, a lock, the
    /// server's answer): the time limit less a reserve of a tenth of it, at most
    /// [`GUEST_RESERVE`], so that a call stuck on the database returns `internal` to a guest
    /// that still has time to answer with it, instead of the execution ending at its time
    /// limit inside the host call (issue 13: a locked table held a 2 s execution for 5 s).
    pub fn store_time(&self) -> Duration {
        self.time - (self.time / 10).min(GUEST_RESERVE)
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
    /// The guest made one contract call more than allowed.
    HostCalls {
        /// The limit, in calls per execution.
        limit: u32,
    },
    /// A contract call would have taken the rows returned to the guest past the limit.
    Rows {
        /// The limit, in rows per execution.
        limit: u64,
        /// The rows the execution would have had with this call's.
        requested: u64,
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
            LimitExceeded::HostCalls { limit } => {
                write!(f, "the extension exceeded its limit of {limit} contract calls per execution")
            }
            LimitExceeded::Rows { limit, requested } => write!(
                f,
                "the extension exceeded its limit of {limit} rows read per execution (this call \
                 would have made it {requested})"
            ),
        }
    }
}

/// The [`ResourceLimiter`] of one execution: enforces [`Limits::memory_bytes`] over all
/// memories together and remembers a refusal, so that the trap that usually follows one
/// (a guest allocator giving up) is reported as the memory limit, not as a bare trap. It
/// also counts the execution's contract calls and rows against [`Limits::host_calls`] and
/// [`Limits::rows`].
#[derive(Debug)]
pub struct GuestLimiter {
    limits: Limits,
    /// Bytes of linear memory granted so far, over all memories.
    memory_in_use: usize,
    /// The first memory or table growth refused in this execution, if any. The guest may
    /// recover from one (`memory.grow` returns -1).
    refused: Option<LimitExceeded>,
    /// Contract calls made so far.
    host_calls: u32,
    /// Rows returned to the guest so far.
    rows: u64,
    /// The contract-call or row limit that ends this execution, once hit.
    ended_by: Option<LimitExceeded>,
}

/// A contract call refused because it would go past a limit: the call returns without
/// running (or without its result), and the execution ends (see [`GuestLimiter::ended_by`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CallRefused;

impl GuestLimiter {
    /// A limiter for one execution.
    pub fn new(limits: Limits) -> Self {
        GuestLimiter { limits, memory_in_use: 0, refused: None, host_calls: 0, rows: 0, ended_by: None }
    }

    /// Counts one contract call; refused when it is one past [`Limits::host_calls`] (or the
    /// execution already hit a limit that ends it).
    pub fn start_host_call(&mut self) -> Result<(), CallRefused> {
        if self.ended_by.is_some() {
            return Err(CallRefused);
        }
        if self.host_calls >= self.limits.host_calls {
            self.ended_by = Some(LimitExceeded::HostCalls { limit: self.limits.host_calls });
            return Err(CallRefused);
        }
        self.host_calls += 1;
        Ok(())
    }

    /// Counts `rows` returned by a contract call; refused (the rows are not handed over)
    /// when they take the execution past [`Limits::rows`].
    pub fn take_rows(&mut self, rows: usize) -> Result<(), CallRefused> {
        let total = self.rows.saturating_add(rows as u64);
        if total > self.limits.rows {
            self.ended_by = Some(LimitExceeded::Rows { limit: self.limits.rows, requested: total });
            return Err(CallRefused);
        }
        self.rows = total;
        Ok(())
    }

    /// The contract-call or row limit that ends this execution, once one was hit.
    pub fn ended_by(&self) -> Option<&LimitExceeded> {
        self.ended_by.as_ref()
    }

    /// The limit to blame for a failed execution: the one that ended it, else the first
    /// growth refused.
    pub fn cause(&self) -> Option<&LimitExceeded> {
        self.ended_by.as_ref().or(self.refused.as_ref())
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
    fn contract_calls_and_rows_are_counted_against_their_limits() {
        let mut limiter = GuestLimiter::new(Limits { host_calls: 2, rows: 150, ..Limits::default() });
        assert_eq!(limiter.start_host_call(), Ok(()));
        assert_eq!(limiter.take_rows(100), Ok(()));
        assert_eq!(limiter.start_host_call(), Ok(()));
        assert_eq!(limiter.take_rows(51), Err(CallRefused), "151 rows is past 150");
        assert_eq!(
            limiter.cause().map(ToString::to_string).as_deref(),
            Some(
                "the extension exceeded its limit of 150 rows read per execution (this call would have made it 151)"
            )
        );
        assert_eq!(limiter.start_host_call(), Err(CallRefused), "nothing runs after a limit ended it");

        let mut limiter = GuestLimiter::new(Limits { host_calls: 1, ..Limits::default() });
        assert_eq!(limiter.start_host_call(), Ok(()));
        assert_eq!(limiter.start_host_call(), Err(CallRefused));
        assert_eq!(
            limiter.ended_by().map(ToString::to_string).as_deref(),
            Some("the extension exceeded its limit of 1 contract calls per execution")
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
