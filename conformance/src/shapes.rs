//! The shapes of an older contract version, relative to the newest: the suite builds its
//! calls and reads answers in the newest contract's JSON (the one its oracle and checks are
//! written in), and this module translates between that and the version under test, driven
//! by the two WITs (the one source of truth for shapes; nothing here names a field):
//!
//! - a call sent to a guest of an older version leaves out the input fields that version
//!   lacks, which must be absent (`none`): a case that sets one cannot be run on that
//!   version (a bug of the suite, reported as an error of the run);
//! - an answer from such a guest must have exactly that version's fields (a 0.1 guest is
//!   never given `prices`: its WIT has no such field), and the fields only the newest has
//!   are filled with their empty value (`none`, an empty list) before the checks read it.
//!   The checks then judge it against the oracle's view of the case for that version
//!   ([`crate::case::seen_by`]), in which that data does not exist.
//!
//! Versions on the newest's track, and WIT directories given with `--wit` whose version is
//! not a frozen release, are taken in the newest shapes (no translation).

use alga_conformance_protocol::{Call, Outcome};
use serde_json::{Value as Json, json};
use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};
use wit_parser::{Function, Resolve, Type, TypeDefKind, WorldId, WorldItem};

/// A contract's WIT and its world `reader`.
pub struct Shapes {
    resolve: Resolve,
    world: WorldId,
}

impl Shapes {
    /// Function `name` of the imported interface `interface` (e.g. `services`).
    fn function(&self, interface: &str, name: &str) -> Option<&Function> {
        self.resolve.worlds[self.world].imports.values().find_map(|item| match item {
            WorldItem::Interface { id, .. }
                if self.resolve.interfaces[*id].name.as_deref() == Some(interface) =>
            {
                self.resolve.interfaces[*id].functions.get(name)
            }
            _ => None,
        })
    }

    /// The definition behind `ty`, through aliases.
    fn kind<'a>(&'a self, ty: &Type) -> Option<&'a TypeDefKind> {
        match ty {
            Type::Id(id) => match &self.resolve.types[*id].kind {
                TypeDefKind::Type(inner) => self.kind(inner),
                kind => Some(kind),
            },
            _ => None,
        }
    }

    /// The `ok` type of a function's result (the result itself when it is not a `result`).
    fn ok_type(&self, function: &Function) -> Option<Type> {
        let ty = function.result.as_ref()?;
        match self.kind(ty) {
            Some(TypeDefKind::Result(result)) => result.ok,
            _ => Some(*ty),
        }
    }
}

/// The newest contract's shapes and those of an older release.
struct Pair {
    newest: Shapes,
    release: Shapes,
}

/// The shapes of `version` when they are not the newest's (a frozen release on an older
/// track); `None` when calls and answers need no translation.
fn pair(version: &str) -> Option<Arc<Pair>> {
    static CACHE: OnceLock<Mutex<HashMap<String, Option<Arc<Pair>>>>> = OnceLock::new();
    let cache = CACHE.get_or_init(|| Mutex::new(HashMap::new()));
    let mut cache = cache.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
    cache
        .entry(version.to_string())
        .or_insert_with(|| {
            let current = crate::versions::current();
            if track(version) == track(current) {
                return None;
            }
            let (resolve, world) = crate::versions::frozen_wit(version)?;
            let contract = alga_extension_contract::wit::contract().ok()?;
            Some(Arc::new(Pair {
                newest: Shapes { resolve: contract.resolve, world: contract.reader },
                release: Shapes { resolve, world },
            }))
        })
        .clone()
}

/// The semver track of a version: `0.1` for `0.1.3`, `2` for `2.4.0`.
fn track(version: &str) -> String {
    let mut parts = version.split(['-', '+']).next().unwrap_or_default().split('.');
    match (parts.next(), parts.next()) {
        (Some("0"), Some(minor)) => format!("0.{minor}"),
        (Some(major), _) => major.to_string(),
        _ => version.to_string(),
    }
}

/// Which way a value crosses between the newest JSON and a release's.
#[derive(Clone, Copy, PartialEq)]
enum Direction {
    /// An input the suite built for the newest contract, sent to a release's guest.
    Sent,
    /// An answer of a release's guest, read by the suite as the newest contract's.
    Received,
    /// An answer in the newest contract's JSON, given to a release's guest: the fields the
    /// release lacks are left out (what the model testee does for older guests).
    Answered,
}

/// Rewrites `value` of the newest type `newest` / release type `old` in `direction`.
fn translate(
    pair: &Pair,
    (newest, old): (&Type, &Type),
    value: &mut Json,
    direction: Direction,
) -> Result<(), String> {
    match (pair.newest.kind(newest), pair.release.kind(old)) {
        (Some(TypeDefKind::Record(n)), Some(TypeDefKind::Record(o))) => {
            let Some(object) = value.as_object_mut() else { return Ok(()) };
            if direction == Direction::Received
                && let Some(unknown) = object.keys().find(|key| {
                    !o.fields
                        .iter()
                        .any(|f| alga_extension_contract::host::dynamic::lower_camel(&f.name) == **key)
                })
            {
                return Err(format!("the answer has `{unknown}`, which this version does not have"));
            }
            for field in &n.fields {
                let key = alga_extension_contract::host::dynamic::lower_camel(&field.name);
                match o.fields.iter().find(|f| f.name == field.name) {
                    Some(old_field) => {
                        if let Some(inner) = object.get_mut(&key) {
                            translate(pair, (&field.ty, &old_field.ty), inner, direction)?;
                        }
                    }
                    None if direction == Direction::Answered => {
                        object.remove(&key);
                    }
                    None if direction == Direction::Sent => match object.remove(&key) {
                        None | Some(Json::Null) => {}
                        Some(sent) => {
                            return Err(format!(
                                "`{key}` = {sent}, which a guest of this version cannot send"
                            ));
                        }
                    },
                    None => {
                        let empty = match pair.newest.kind(&field.ty) {
                            Some(TypeDefKind::Option(_)) => Json::Null,
                            Some(TypeDefKind::List(_)) => json!([]),
                            _ => return Err(format!("no empty value for the newer field `{key}`")),
                        };
                        object.insert(key, empty);
                    }
                }
            }
            Ok(())
        }
        (Some(TypeDefKind::Option(n)), Some(TypeDefKind::Option(o))) if !value.is_null() => {
            translate(pair, (n, o), value, direction)
        }
        (Some(TypeDefKind::List(n)), Some(TypeDefKind::List(o))) => {
            for item in value.as_array_mut().into_iter().flatten() {
                translate(pair, (n, o), item, direction)?;
            }
            Ok(())
        }
        _ => Ok(()),
    }
}

/// The function `call` names, in the newest contract and in the release.
fn functions<'p>(pair: &'p Pair, call: &Call) -> Result<(&'p Function, &'p Function), String> {
    let (interface, name) = (call.interface_name(), call.function.as_str());
    match (pair.newest.function(interface, name), pair.release.function(interface, name)) {
        (Some(newest), Some(old)) => Ok((newest, old)),
        _ => {
            Err(format!("{interface}.{name} is not a function of both the newest contract and this version"))
        }
    }
}

/// The arguments of `call` (built in the newest contract's JSON) as a guest of contract
/// `version` sends them; an error names an input field that version does not have.
pub fn args_for_version(call: &Call, version: &str) -> Result<Vec<Json>, String> {
    let Some(pair) = pair(version) else { return Ok(call.args.clone()) };
    let (newest, old) = functions(&pair, call)?;
    let mut args = call.args.clone();
    for (arg, (n, o)) in args.iter_mut().zip(newest.params.iter().zip(&old.params)) {
        translate(&pair, (&n.ty, &o.ty), arg, Direction::Sent).map_err(|problem| {
            format!("{} cannot be sent at contract {version}: {problem}", call.display())
        })?;
    }
    Ok(args)
}

/// `value`, the newest contract's answer to `call`, as a guest of contract `version` gets
/// it: the fields that version lacks left out (the model testee answers older guests so).
pub fn answer_for_version(call: &Call, mut value: Json, version: &str) -> Json {
    let Some(pair) = pair(version) else { return value };
    let Ok((newest, old)) = functions(&pair, call) else { return value };
    if let (Some(n), Some(o)) = (pair.newest.ok_type(newest), pair.release.ok_type(old)) {
        let _ = translate(&pair, (&n, &o), &mut value, Direction::Answered);
    }
    value
}

/// The `outcome` of `call` from a guest of contract `version`, in the newest contract's
/// JSON: an answer with a field that version does not have is a host failure naming it.
pub fn outcome_from_version(call: &Call, outcome: Outcome, version: &str) -> Outcome {
    let Outcome::Value { mut value } = outcome else { return outcome };
    let Some(pair) = pair(version) else { return Outcome::Value { value } };
    let (newest, old) = match functions(&pair, call) {
        Ok(functions) => functions,
        Err(message) => return Outcome::HostFailure { message },
    };
    let (Some(n), Some(o)) = (pair.newest.ok_type(newest), pair.release.ok_type(old)) else {
        return Outcome::Value { value };
    };
    match translate(&pair, (&n, &o), &mut value, Direction::Received) {
        Ok(()) => Outcome::Value { value },
        Err(problem) => Outcome::HostFailure {
            message: format!(
                "{} answered a value that is not of contract {version}'s shape: {problem}",
                call.display()
            ),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alga_extension_contract::types::ServiceListInput;

    #[test]
    fn calls_to_a_0_1_guest_leave_out_the_currency_filter_and_refuse_one() {
        let call = Call::list_services(&ServiceListInput { page_size: Some(3), ..Default::default() });
        let args = args_for_version(&call, "0.1.0").unwrap();
        assert!(args[0].get("currencyCode").is_none() && args[0]["pageSize"] == 3, "{args:?}");
        assert_eq!(args_for_version(&call, crate::versions::current()).unwrap(), call.args);
        let filtered = Call::list_services(&ServiceListInput {
            currency_code: Some("EUR".into()),
            ..Default::default()
        });
        let err = args_for_version(&filtered, "0.1.0").unwrap_err();
        assert!(err.contains("currencyCode") && err.contains("0.1.0"), "{err}");
    }

    #[test]
    fn answers_of_a_0_1_guest_get_empty_prices_and_must_not_carry_any() {
        let call = Call::get_service("00000000-0000-4000-8000-000000000001");
        let summary = json!({
            "serviceId": "00000000-0000-4000-8000-000000000001", "serviceName": "x",
            "itemKind": "service", "billingMethod": "hourly", "serviceTypeId": null,
            "serviceTypeName": null, "defaultRate": 1250, "unitOfMeasure": "hour",
            "isActive": true, "sku": null
        });
        let Outcome::Value { value } =
            outcome_from_version(&call, Outcome::Value { value: summary.clone() }, "0.1.0")
        else {
            panic!()
        };
        assert_eq!(value["prices"], json!([]));
        let mut with_prices = summary;
        with_prices["prices"] = json!([{"currencyCode": "EUR", "rate": 1}]);
        let outcome = outcome_from_version(&call, Outcome::Value { value: with_prices }, "0.1.0");
        assert!(
            matches!(&outcome, Outcome::HostFailure { message } if message.contains("`prices`")),
            "{outcome:?}"
        );
        let error = Outcome::ContractError { error: json!({"tag": "not-allowed"}) };
        assert_eq!(outcome_from_version(&call, error.clone(), "0.1.0"), error);
    }
}
