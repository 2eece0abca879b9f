//! The worker pool of `serve`: a fixed number of threads that run the synchronous part of
//! each execution request (parsing it, checking its context against the store, the
//! execution in wasmtime), fed from a bounded queue by the HTTP side.
//!
//! Back-pressure is explicit: a request that finds the queue full is refused at once, and
//! one that waited in the queue longer than the pool's longest wait is refused when a worker
//! reaches it, without running. A request whose caller went away while it waited is dropped
//! without running. A job that panics (a bug) is reported as such and its worker goes on.

use std::panic::AssertUnwindSafe;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc::{Receiver, Sender};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::sync::oneshot;

/// Why a job did not produce its result.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refused {
    /// Every worker was busy and the queue was full.
    QueueFull {
        /// The queue's capacity.
        capacity: usize,
    },
    /// The job waited in the queue longer than the pool's longest wait.
    WaitedTooLong {
        /// The longest wait.
        limit: Duration,
    },
    /// The job panicked (a bug in the host).
    Panicked,
}

type Job = Box<dyn FnOnce() + Send>;

/// A fixed pool of worker threads behind a bounded queue.
pub struct WorkerPool {
    queue: Sender<Job>,
    /// Jobs accepted and not finished yet: running or waiting.
    admitted: Arc<AtomicUsize>,
    workers: usize,
    capacity: usize,
    longest_wait: Duration,
}

/// One admitted job's place, given back when the job is done with (run, refused or dropped).
struct Place(Arc<AtomicUsize>);

impl Drop for Place {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::AcqRel);
    }
}

impl WorkerPool {
    /// Starts `workers` threads named `alga-serve-N`; beyond the jobs they run, `capacity`
    /// jobs may wait. A job still waiting after `longest_wait` is refused.
    pub fn start(workers: usize, capacity: usize, longest_wait: Duration) -> std::io::Result<Self> {
        let (queue, jobs) = std::sync::mpsc::channel::<Job>();
        let jobs = Arc::new(Mutex::new(jobs));
        for n in 0..workers {
            let jobs = jobs.clone();
            std::thread::Builder::new().name(format!("alga-serve-{n}")).spawn(move || work(&jobs))?;
        }
        Ok(WorkerPool { queue, admitted: Arc::new(AtomicUsize::new(0)), workers, capacity, longest_wait })
    }

    /// Takes a place for one job: one of the workers' or of the queue's. Counting jobs
    /// rather than the channel's contents makes the bound exact: a burst is not refused
    /// while a worker is between two jobs.
    fn admit(&self) -> Option<Place> {
        let places = self.workers + self.capacity;
        self.admitted
            .fetch_update(Ordering::AcqRel, Ordering::Acquire, |taken| (taken < places).then_some(taken + 1))
            .ok()
            .map(|_| Place(self.admitted.clone()))
    }

    /// Runs `job` on a worker and returns its result, or why it did not run to the end.
    pub async fn run<T: Send + 'static>(
        &self,
        job: impl FnOnce() -> T + Send + 'static,
    ) -> Result<T, Refused> {
        let Some(place) = self.admit() else {
            return Err(Refused::QueueFull { capacity: self.capacity });
        };
        let (reply, result) = oneshot::channel::<Result<T, Refused>>();
        let queued = Instant::now();
        let longest_wait = self.longest_wait;
        let task: Job = Box::new(move || {
            let _place = place;
            if reply.is_closed() {
                return; // the caller went away while the job waited
            }
            if queued.elapsed() > longest_wait {
                let _ = reply.send(Err(Refused::WaitedTooLong { limit: longest_wait }));
                return;
            }
            let outcome = std::panic::catch_unwind(AssertUnwindSafe(job)).map_err(|_| Refused::Panicked);
            let _ = reply.send(outcome);
        });
        if self.queue.send(task).is_err() {
            return Err(Refused::Panicked); // every worker is gone
        }
        // The sender is dropped without a reply only if its worker died, which catch_unwind
        // prevents; say so rather than hang.
        result.await.unwrap_or(Err(Refused::Panicked))
    }
}

fn work(jobs: &Mutex<Receiver<Job>>) {
    loop {
        // The lock is held only while taking the next job, not while running it.
        let next = jobs.lock().unwrap_or_else(|poisoned| poisoned.into_inner()).recv();
        match next {
            Ok(job) => job(),
            Err(_) => return, // the pool is gone
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn block_on<F: std::future::Future>(future: F) -> F::Output {
        tokio::runtime::Builder::new_current_thread().enable_time().build().unwrap().block_on(future)
    }

    #[test]
    fn jobs_run_on_the_workers_and_panics_are_reported() {
        let pool = WorkerPool::start(2, 4, Duration::from_secs(5)).unwrap();
        let name = block_on(pool.run(|| std::thread::current().name().map(str::to_string)));
        assert!(name.unwrap().unwrap().starts_with("alga-serve-"));
        assert_eq!(block_on(pool.run(|| -> u32 { panic!("a bug") })), Err(Refused::Panicked));
        assert_eq!(block_on(pool.run(|| 7)), Ok(7), "the worker survived the panic");
    }

    #[test]
    fn a_full_queue_refuses_at_once_and_a_stale_job_does_not_run() {
        use std::sync::atomic::{AtomicBool, Ordering};
        let pool = WorkerPool::start(1, 1, Duration::from_millis(50)).unwrap();
        let (started, running) = std::sync::mpsc::channel::<()>();
        let (release, blocked) = std::sync::mpsc::channel::<()>();
        let ran = Arc::new(AtomicBool::new(false));
        block_on(async {
            // One job holds the only worker, a second waits in the queue, a third is refused.
            let mut holding = Box::pin(pool.run(move || {
                started.send(()).unwrap();
                blocked.recv().ok()
            }));
            poll_once(&mut holding).await;
            running.recv().unwrap();
            let ran_flag = ran.clone();
            let mut waiting = Box::pin(pool.run(move || ran_flag.store(true, Ordering::SeqCst)));
            poll_once(&mut waiting).await;
            assert_eq!(pool.run(|| ()).await, Err(Refused::QueueFull { capacity: 1 }));
            tokio::time::sleep(Duration::from_millis(100)).await;
            release.send(()).unwrap();
            assert_eq!(holding.await, Ok(Some(())));
            assert_eq!(waiting.await, Err(Refused::WaitedTooLong { limit: Duration::from_millis(50) }));
        });
        assert!(!ran.load(Ordering::SeqCst), "a job refused for waiting never runs");
    }

    /// Polls `future` once (queueing its job), leaving it pending.
    async fn poll_once<F: std::future::Future + Unpin>(future: &mut F) {
        std::future::poll_fn(|cx| {
            let _ = std::pin::Pin::new(&mut *future).poll(cx);
            std::task::Poll::Ready(())
        })
        .await
    }
}
