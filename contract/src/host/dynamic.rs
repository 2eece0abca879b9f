//! Calling a component's exported functions with JSON arguments and getting JSON back,
//! driven by the function's own component types (no version-specific bindings).
//!
//! This is how generated probe components are driven: a conformance run for any contract
//! version sends calls as JSON, and the host turns them into component values here.
//!
//! JSON form of component values (the same as the serde types of [`crate::types`] and the
//! JavaScript bindings): records are objects with lowerCamelCase keys (a missing key of an
//! `option` field is `none`); enums are their case name; variants are
//! `{"tag": case, "val": payload}`; options are `null` or the value; results are
//! `{"ok": value}` or `{"err": value}`; lists and tuples are arrays; chars are one-character
//! strings.

use serde_json::{Map, Value as Json};
use wasmtime::component::{Instance, Type, Val};
use wasmtime::{AsContextMut, Store};

/// Why a dynamic call produced no result.
#[derive(Debug, thiserror::Error)]
pub enum CallError {
    /// The component has no such export.
    #[error("the component exports no function `{function}` in `{instance}`")]
    NoSuchFunction {
        /// The exported instance searched, e.g. `alga:extension/probe-clients@0.1.0`.
        instance: String,
        /// The function name searched, e.g. `list-clients`.
        function: String,
    },
    /// The JSON arguments do not fit the function's parameter types.
    #[error("argument {index} (`{name}`) does not fit the parameter type: {message}")]
    BadArgument {
        /// 0-based position of the argument.
        index: usize,
        /// The parameter's name.
        name: String,
        /// What did not fit.
        message: String,
    },
    /// The wrong number of arguments.
    #[error("`{function}` takes {expected} argument(s), got {got}")]
    ArgumentCount {
        /// The function called.
        function: String,
        /// Number of parameters.
        expected: usize,
        /// Number of arguments given.
        got: usize,
    },
    /// The guest trapped, ran out of time or memory, or a host function failed.
    #[error("the guest trapped: {0:#}")]
    Trap(wasmtime::Error),
}

/// Calls `function` of the exported interface instance `instance` (for example
/// `alga:extension/probe-clients@0.1.0`) with JSON arguments in parameter order and
/// returns its single result as JSON (`null` for a function without result).
pub fn call_json<T: 'static>(
    store: &mut Store<T>,
    component_instance: &Instance,
    instance: &str,
    function: &str,
    args: &[Json],
) -> Result<Json, CallError> {
    let no_such =
        || CallError::NoSuchFunction { instance: instance.to_string(), function: function.to_string() };
    let instance_index =
        component_instance.get_export_index(&mut *store, None, instance).ok_or_else(no_such)?;
    let func_index = component_instance
        .get_export_index(&mut *store, Some(&instance_index), function)
        .ok_or_else(no_such)?;
    let func = component_instance.get_func(&mut *store, func_index).ok_or_else(no_such)?;
    let ty = func.ty(&*store);
    let params: Vec<(String, Type)> = ty.params().map(|(name, ty)| (name.to_string(), ty)).collect();
    if params.len() != args.len() {
        return Err(CallError::ArgumentCount {
            function: function.to_string(),
            expected: params.len(),
            got: args.len(),
        });
    }
    let mut vals = Vec::with_capacity(args.len());
    for (index, ((name, ty), arg)) in params.iter().zip(args).enumerate() {
        let val = json_to_val(arg, ty).map_err(|message| CallError::BadArgument {
            index,
            name: name.clone(),
            message,
        })?;
        vals.push(val);
    }
    let result_types: Vec<Type> = ty.results().collect();
    let mut results = vec![Val::Bool(false); result_types.len()];
    func.call(store.as_context_mut(), &vals, &mut results).map_err(CallError::Trap)?;
    Ok(match results.into_iter().next() {
        Some(val) => val_to_json(&val),
        None => Json::Null,
    })
}

/// Converts JSON to a component value of type `ty`, or says what does not fit.
pub fn json_to_val(json: &Json, ty: &Type) -> Result<Val, String> {
    let expected = |what: &str| format!("expected {what}, got {}", describe(json));
    Ok(match ty {
        Type::Bool => Val::Bool(json.as_bool().ok_or_else(|| expected("a boolean"))?),
        Type::S8 => Val::S8(int(json)?),
        Type::U8 => Val::U8(int(json)?),
        Type::S16 => Val::S16(int(json)?),
        Type::U16 => Val::U16(int(json)?),
        Type::S32 => Val::S32(int(json)?),
        Type::U32 => Val::U32(int(json)?),
        Type::S64 => Val::S64(int(json)?),
        Type::U64 => Val::U64(int(json)?),
        Type::Float32 => Val::Float32(json.as_f64().ok_or_else(|| expected("a number"))? as f32),
        Type::Float64 => Val::Float64(json.as_f64().ok_or_else(|| expected("a number"))?),
        Type::Char => {
            let s = json.as_str().ok_or_else(|| expected("a one-character string"))?;
            let mut chars = s.chars();
            match (chars.next(), chars.next()) {
                (Some(c), None) => Val::Char(c),
                _ => return Err(expected("a one-character string")),
            }
        }
        Type::String => Val::String(json.as_str().ok_or_else(|| expected("a string"))?.to_string()),
        Type::List(list) => {
            let items = json.as_array().ok_or_else(|| expected("an array"))?;
            let elem = list.ty();
            Val::List(items.iter().map(|item| json_to_val(item, &elem)).collect::<Result<_, _>>()?)
        }
        Type::Tuple(tuple) => {
            let items = json.as_array().ok_or_else(|| expected("an array"))?;
            let types: Vec<Type> = tuple.types().collect();
            if items.len() != types.len() {
                return Err(format!("expected an array of {} items, got {}", types.len(), items.len()));
            }
            Val::Tuple(
                items.iter().zip(&types).map(|(item, ty)| json_to_val(item, ty)).collect::<Result<_, _>>()?,
            )
        }
        Type::Record(record) => {
            let object = json.as_object().ok_or_else(|| expected("an object"))?;
            let fields: Vec<_> = record.fields().collect();
            for key in object.keys() {
                if !fields.iter().any(|f| lower_camel(f.name) == *key) {
                    return Err(format!("unknown field `{key}`"));
                }
            }
            let mut vals = Vec::with_capacity(fields.len());
            for field in fields {
                let key = lower_camel(field.name);
                let val = match (object.get(&key), &field.ty) {
                    (Some(value), ty) => json_to_val(value, ty).map_err(|e| format!("field `{key}`: {e}"))?,
                    (None, Type::Option(_)) => Val::Option(None),
                    (None, _) => return Err(format!("missing field `{key}`")),
                };
                vals.push((field.name.to_string(), val));
            }
            Val::Record(vals)
        }
        Type::Variant(variant) => {
            let object =
                json.as_object().ok_or_else(|| expected("an object {\"tag\": ..., \"val\": ...}"))?;
            let tag = object
                .get("tag")
                .and_then(Json::as_str)
                .ok_or_else(|| expected("an object with a string `tag`"))?;
            let case =
                variant.cases().find(|c| c.name == tag).ok_or_else(|| format!("unknown case `{tag}`"))?;
            let payload = match (&case.ty, object.get("val")) {
                (Some(ty), Some(value)) => Some(Box::new(json_to_val(value, ty)?)),
                (Some(_), None) => return Err(format!("case `{tag}` needs a `val`")),
                (None, _) => None,
            };
            Val::Variant(tag.to_string(), payload)
        }
        Type::Enum(e) => {
            let name = json.as_str().ok_or_else(|| expected("a case name"))?;
            if !e.names().any(|n| n == name) {
                return Err(format!("unknown case `{name}`"));
            }
            Val::Enum(name.to_string())
        }
        Type::Option(option) => match json {
            Json::Null => Val::Option(None),
            value => Val::Option(Some(Box::new(json_to_val(value, &option.ty())?))),
        },
        Type::Result(result) => {
            let object = json.as_object().ok_or_else(|| expected("{\"ok\": ...} or {\"err\": ...}"))?;
            let side = |value: Option<&Json>, ty: Option<Type>| -> Result<Option<Box<Val>>, String> {
                match ty {
                    Some(ty) => Ok(Some(Box::new(json_to_val(value.unwrap_or(&Json::Null), &ty)?))),
                    None => Ok(None),
                }
            };
            if object.contains_key("ok") {
                Val::Result(Ok(side(object.get("ok"), result.ok())?))
            } else if object.contains_key("err") {
                Val::Result(Err(side(object.get("err"), result.err())?))
            } else {
                return Err(expected("{\"ok\": ...} or {\"err\": ...}"));
            }
        }
        Type::Flags(flags) => {
            let items = json.as_array().ok_or_else(|| expected("an array of flag names"))?;
            let mut names = Vec::new();
            for item in items {
                let name = item.as_str().ok_or_else(|| expected("an array of flag names"))?;
                if !flags.names().any(|n| n == name) {
                    return Err(format!("unknown flag `{name}`"));
                }
                names.push(name.to_string());
            }
            Val::Flags(names)
        }
        other => return Err(format!("values of type {other:?} cannot be written as JSON")),
    })
}

/// Converts a component value to JSON.
pub fn val_to_json(val: &Val) -> Json {
    match val {
        Val::Bool(b) => Json::Bool(*b),
        Val::S8(n) => Json::from(*n),
        Val::U8(n) => Json::from(*n),
        Val::S16(n) => Json::from(*n),
        Val::U16(n) => Json::from(*n),
        Val::S32(n) => Json::from(*n),
        Val::U32(n) => Json::from(*n),
        Val::S64(n) => Json::from(*n),
        Val::U64(n) => Json::from(*n),
        Val::Float32(n) => float(f64::from(*n)),
        Val::Float64(n) => float(*n),
        Val::Char(c) => Json::String(c.to_string()),
        Val::String(s) => Json::String(s.clone()),
        Val::List(items) | Val::Tuple(items) | Val::FixedLengthList(items) => {
            Json::Array(items.iter().map(val_to_json).collect())
        }
        Val::Record(fields) => {
            Json::Object(fields.iter().map(|(name, val)| (lower_camel(name), val_to_json(val))).collect())
        }
        Val::Variant(case, payload) => {
            let mut object = Map::new();
            object.insert("tag".into(), Json::String(case.clone()));
            if let Some(payload) = payload {
                object.insert("val".into(), val_to_json(payload));
            }
            Json::Object(object)
        }
        Val::Enum(case) => Json::String(case.clone()),
        Val::Option(None) => Json::Null,
        Val::Option(Some(val)) => val_to_json(val),
        Val::Result(result) => {
            let (key, payload) = match result {
                Ok(payload) => ("ok", payload),
                Err(payload) => ("err", payload),
            };
            let mut object = Map::new();
            object.insert(key.into(), payload.as_deref().map(val_to_json).unwrap_or(Json::Null));
            Json::Object(object)
        }
        Val::Flags(names) => Json::Array(names.iter().cloned().map(Json::String).collect()),
        Val::Map(entries) => Json::Array(
            entries.iter().map(|(k, v)| Json::Array(vec![val_to_json(k), val_to_json(v)])).collect(),
        ),
        other => Json::String(format!("<{other:?}>")),
    }
}

/// JSON of a float: integral values print without a fraction (`1250`, not `1250.0`), as in
/// JavaScript; NaN and infinities (which JSON cannot carry) become `null`.
fn float(n: f64) -> Json {
    if n.is_finite() && n.fract() == 0.0 && n.abs() < 9_007_199_254_740_992.0 {
        Json::from(n as i64)
    } else {
        serde_json::Number::from_f64(n).map(Json::Number).unwrap_or(Json::Null)
    }
}

fn int<N: TryFrom<i64> + TryFrom<u64>>(json: &Json) -> Result<N, String> {
    let out_of_range = || format!("{json} is out of range");
    match json {
        Json::Number(n) if n.is_u64() => N::try_from(n.as_u64().unwrap()).map_err(|_| out_of_range()),
        Json::Number(n) if n.is_i64() => N::try_from(n.as_i64().unwrap()).map_err(|_| out_of_range()),
        other => Err(format!("expected an integer, got {}", describe(other))),
    }
}

fn describe(json: &Json) -> String {
    let text = json.to_string();
    if text.chars().count() > 40 { format!("{}...", text.chars().take(40).collect::<String>()) } else { text }
}

/// `client-id` -> `clientId`: the JSON key of a WIT field, the same spelling as the
/// JavaScript bindings' (one definition, in `dts`).
pub use crate::dts::lower_camel;
