//! Executions that keep calling while a database (or a Citus worker) dies and comes back:
//! every answer must be the healthy one or `internal` (ERR-1), never another error, never a
//! wrong answer, never a panic.

use super::world::*;
use alga_extension_contract::types::{ClientListInput, ReadError, ServiceListInput};
use alga_reference_store::ReadServices;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::thread::JoinHandle;

/// One call of each function; `Ok` carries a short description of the answer.
pub fn every_function(rs: &ReadServices) -> Vec<Result<String, ReadError>> {
    let actor = match rs.actor(&scheduled()) {
        Ok(actor) => actor,
        Err(err) => return vec![Err(err)],
    };
    vec![
        rs.list_clients(&actor, &ClientListInput::default()).map(|p| format!("{} clients", p.total_count)),
        rs.get_client(&actor, &acme_title()).map(|c| format!("{:?}", c.map(|c| c.client_name))),
        rs.list_services(&actor, &ServiceListInput::default()).map(|p| format!("{} services", p.total_count)),
        rs.get_service(&actor, &onsite_1()).map(|s| format!("{:?}", s.map(|s| s.service_name))),
    ]
}

/// Threads calling [`every_function`] in a loop until [`Callers::finish`].
pub struct Callers {
    stop: Arc<AtomicBool>,
    answered: Arc<AtomicUsize>,
    failed: Arc<AtomicUsize>,
    threads: Vec<JoinHandle<()>>,
}

impl Callers {
    /// Starts `count` threads on `rs`, each comparing every answer with `healthy`.
    pub fn start(rs: &ReadServices, healthy: &[Result<String, ReadError>], count: usize) -> Callers {
        let stop = Arc::new(AtomicBool::new(false));
        let (answered, failed) = (Arc::new(AtomicUsize::new(0)), Arc::new(AtomicUsize::new(0)));
        let threads = (0..count)
            .map(|_| {
                let (rs, stop, answered, failed) =
                    (rs.clone(), stop.clone(), answered.clone(), failed.clone());
                let expected = healthy.to_vec();
                std::thread::spawn(move || {
                    while !stop.load(Ordering::SeqCst) {
                        for (result, want) in every_function(&rs).into_iter().zip(&expected) {
                            match result {
                                Ok(answer) => {
                                    assert_eq!(
                                        Ok(&answer),
                                        want.as_ref(),
                                        "a wrong answer, not just a failure"
                                    );
                                    answered.fetch_add(1, Ordering::SeqCst);
                                }
                                Err(ReadError::Internal) => {
                                    failed.fetch_add(1, Ordering::SeqCst);
                                }
                                Err(other) => panic!("an outage must be internal, got {other:?}"),
                            }
                        }
                    }
                })
            })
            .collect();
        Callers { stop, answered, failed, threads }
    }

    /// Calls answered so far.
    pub fn answered(&self) -> usize {
        self.answered.load(Ordering::SeqCst)
    }

    /// Calls that answered `internal` so far.
    pub fn failed(&self) -> usize {
        self.failed.load(Ordering::SeqCst)
    }

    /// Stops the threads; panics if one panicked.
    pub fn finish(self) {
        self.stop.store(true, Ordering::SeqCst);
        for thread in self.threads {
            thread.join().expect("no caller panicked");
        }
    }
}
