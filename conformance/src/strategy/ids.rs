//! Ids for generated fixtures: small fixed pools of UUIDs, so that generated worlds
//! collide on purpose (the same id in two tenants, an id of another tenant's record, an
//! install id that exists in another tenant), plus UUID-like texts that are not canonical.

/// Record ids are drawn from this many UUIDs, shared by every tenant and record kind.
pub const RECORD_POOL: usize = 24;

/// Tenants are drawn from this many UUIDs.
pub const TENANT_POOL: usize = 4;

/// The `i`-th record id (lower-case canonical, version 4 layout, hex letters included).
pub fn record_id(i: usize) -> String {
    uuid_from(0x5eed_0000 + i as u64)
}

/// The `i`-th tenant id.
pub fn tenant_id(i: usize) -> String {
    uuid_from(0x7e4a_0000 + i as u64)
}

/// An id that no generated fixture uses.
pub fn unused_id(i: usize) -> String {
    uuid_from(0xdead_0000 + i as u64)
}

/// The nil UUID: canonical, and never a record of a generated fixture.
pub const NIL: &str = "00000000-0000-0000-0000-000000000000";

/// A deterministic, random-looking UUID: two rounds of splitmix64 of `seed`.
fn uuid_from(seed: u64) -> String {
    let high = splitmix64(seed);
    let low = splitmix64(high ^ 0x9e37_79b9_7f4a_7c15);
    let bits = (u128::from(high) << 64) | u128::from(low);
    // Version 4, RFC 4122 variant, so that the ids look like the ones hosts store.
    let bits = (bits & !(0xf << 76) & !(0x3 << 62)) | (0x4 << 76) | (0x2 << 62);
    let hex = format!("{bits:032x}");
    format!("{}-{}-{}-{}-{}", &hex[0..8], &hex[8..12], &hex[12..16], &hex[16..20], &hex[20..32])
}

fn splitmix64(seed: u64) -> u64 {
    let mut z = seed.wrapping_add(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// How an id is spelled in a call (VAL-3: case-insensitive; anything but the canonical
/// form is `invalid-input`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Spelling {
    /// As stored (lower case).
    Lower,
    /// Upper case.
    Upper,
    /// Alternating case.
    Mixed,
    /// With braces: `{...}`.
    Braces,
    /// Without hyphens.
    NoHyphens,
    /// One hex digit short.
    Short,
    /// One hex digit too many.
    Long,
    /// With a space before it.
    LeadingSpace,
    /// With a newline after it.
    TrailingNewline,
    /// `urn:uuid:` prefix.
    Urn,
    /// The last digit replaced by `g`.
    NonHex,
    /// The last digit replaced by an Arabic-Indic digit (not ASCII).
    NonAsciiDigit,
    /// Hyphens moved: 8-4-4-4-12 becomes 4-8-4-4-12.
    Regrouped,
}

impl Spelling {
    /// Every spelling.
    pub const ALL: &'static [Spelling] = &[
        Spelling::Lower,
        Spelling::Upper,
        Spelling::Mixed,
        Spelling::Braces,
        Spelling::NoHyphens,
        Spelling::Short,
        Spelling::Long,
        Spelling::LeadingSpace,
        Spelling::TrailingNewline,
        Spelling::Urn,
        Spelling::NonHex,
        Spelling::NonAsciiDigit,
        Spelling::Regrouped,
    ];

    /// Spellings that are canonical UUIDs.
    pub const CANONICAL: &'static [Spelling] = &[Spelling::Lower, Spelling::Upper, Spelling::Mixed];

    /// `id` (a lower-case canonical UUID) spelled this way.
    pub fn apply(self, id: &str) -> String {
        match self {
            Spelling::Lower => id.to_string(),
            Spelling::Upper => id.to_ascii_uppercase(),
            Spelling::Mixed => id
                .chars()
                .enumerate()
                .map(|(i, c)| if i % 2 == 0 { c.to_ascii_uppercase() } else { c })
                .collect(),
            Spelling::Braces => format!("{{{id}}}"),
            Spelling::NoHyphens => id.replace('-', ""),
            Spelling::Short => id[..35].to_string(),
            Spelling::Long => format!("{id}0"),
            Spelling::LeadingSpace => format!(" {id}"),
            Spelling::TrailingNewline => format!("{id}\n"),
            Spelling::Urn => format!("urn:uuid:{id}"),
            Spelling::NonHex => format!("{}g", &id[..35]),
            Spelling::NonAsciiDigit => format!("{}\u{661}", &id[..35]),
            Spelling::Regrouped => {
                let digits = id.replace('-', "");
                format!(
                    "{}-{}-{}-{}-{}",
                    &digits[0..4],
                    &digits[4..12],
                    &digits[12..16],
                    &digits[16..20],
                    &digits[20..32]
                )
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::oracle::text::is_canonical_uuid;
    use std::collections::HashSet;

    #[test]
    fn pools_are_distinct_canonical_and_lower_case() {
        let all: Vec<String> = (0..RECORD_POOL)
            .map(record_id)
            .chain((0..TENANT_POOL).map(tenant_id))
            .chain((0..4).map(unused_id))
            .collect();
        assert_eq!(all.iter().collect::<HashSet<_>>().len(), all.len());
        for id in &all {
            assert!(is_canonical_uuid(id) && id.to_ascii_lowercase() == *id, "{id}");
        }
        assert!(all.iter().any(|id| id.chars().any(|c| c.is_ascii_alphabetic())));
    }

    #[test]
    fn spellings_are_canonical_exactly_when_listed() {
        let id = record_id(3);
        for spelling in Spelling::ALL {
            let spelled = spelling.apply(&id);
            assert_eq!(is_canonical_uuid(&spelled), Spelling::CANONICAL.contains(spelling), "{spelled:?}");
        }
    }
}
