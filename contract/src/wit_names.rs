//! WIT's own names of its primitive types, for the tools that write types as WIT text (the
//! gate's messages, the generated reference): one spelling for both.

use wit_parser::{Type, TypeId};

/// The WIT keyword of a primitive type (`u32`, `string`, `error-context`), or the id of a
/// defined type, which the caller names or spells out.
pub(crate) fn primitive(ty: &Type) -> Result<&'static str, TypeId> {
    Ok(match ty {
        Type::Bool => "bool",
        Type::U8 => "u8",
        Type::U16 => "u16",
        Type::U32 => "u32",
        Type::U64 => "u64",
        Type::S8 => "s8",
        Type::S16 => "s16",
        Type::S32 => "s32",
        Type::S64 => "s64",
        Type::F32 => "f32",
        Type::F64 => "f64",
        Type::Char => "char",
        Type::String => "string",
        Type::ErrorContext => "error-context",
        Type::Id(id) => return Err(*id),
    })
}
