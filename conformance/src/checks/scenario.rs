//! Building blocks for the checks' strategies: a world plus a list of (context, call)
//! picks, resolved into a [`Case`].

use crate::case::{Case, Step};
use crate::strategy::CallPick;
use crate::strategy::picks::ContextPick;
use crate::strategy::world::{WorldSize, world};
use alga_conformance_protocol::Fixture;
use proptest::prelude::*;

/// Cases of `size` worlds with one call step per pick.
pub fn calls(
    size: WorldSize,
    picks: impl Strategy<Value = Vec<(ContextPick, CallPick)>> + 'static,
) -> BoxedStrategy<Case> {
    calls_in_prepared(size, |_| {}, picks)
}

/// Cases of `size` worlds changed by `prepare` (a check's aim: records its rule needs in
/// every world), with one call step per pick.
pub fn calls_in_prepared(
    size: WorldSize,
    prepare: fn(&mut Fixture),
    picks: impl Strategy<Value = Vec<(ContextPick, CallPick)>> + 'static,
) -> BoxedStrategy<Case> {
    (world(size), picks)
        .prop_map(move |(mut fixture, picks)| {
            prepare(&mut fixture);
            let steps = picks.iter().map(|(context, call)| resolve(&fixture, context, call)).collect();
            Case { fixture, steps }
        })
        .boxed()
}

/// `count` calls, each with a context from `context` and a call from `call`.
pub fn pairs(
    context: impl Strategy<Value = ContextPick> + 'static,
    call: impl Strategy<Value = CallPick> + 'static,
    count: std::ops::Range<usize>,
) -> impl Strategy<Value = Vec<(ContextPick, CallPick)>> {
    prop::collection::vec((context, call), count)
}

/// The step running `call` in `context`, both resolved against `fixture`.
pub fn resolve(fixture: &Fixture, context: &ContextPick, call: &CallPick) -> Step {
    let resolved = context.resolve(fixture);
    Step::call(&resolved, call.resolve(fixture, context.tenant(fixture)))
}
