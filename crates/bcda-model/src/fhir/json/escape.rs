//! Writing JSON strings, names and numbers into the buffer: the escaping checks are
//! where serde_json spent its time on our resources.

/// Whether JSON needs `byte` escaped inside a string.
#[inline]
pub(super) fn needs_escape(byte: u8) -> bool {
    byte < 0x20 || byte == b'"' || byte == b'\\'
}

/// Whether any byte of `bytes` needs escaping, eight bytes at a time in a machine word
/// and without a branch per byte: nearly every string is a short URL or code that
/// needs none.
#[inline]
pub(super) fn any_needs_escape(bytes: &[u8]) -> bool {
    if bytes.len() < 8 {
        return bytes.iter().fold(false, |any, &b| any | needs_escape(b));
    }
    let mut words = bytes.chunks_exact(8);
    let mut any = false;
    for word in &mut words {
        any |= word_needs_escape(word);
    }
    // The last eight bytes, overlapping what the loop read, cover the remainder.
    any | word_needs_escape(&bytes[bytes.len() - 8..])
}

/// Whether any of eight bytes needs escaping: the classic "has a byte less than n" and
/// "has a zero byte" word tricks, exact as booleans for n <= 128.
#[inline]
fn word_needs_escape(eight: &[u8]) -> bool {
    const ONES: u64 = u64::from_le_bytes([1; 8]);
    const HIGH_BITS: u64 = ONES * 0x80;
    let mut bytes = [0; 8];
    bytes.copy_from_slice(eight);
    let word = u64::from_le_bytes(bytes);
    let has_byte_below = |w: u64, n: u8| w.wrapping_sub(ONES * u64::from(n)) & !w & HIGH_BITS;
    let has_zero_byte = |w: u64| has_byte_below(w, 1);
    (has_byte_below(word, 0x20)
        | has_zero_byte(word ^ (ONES * u64::from(b'"')))
        | has_zero_byte(word ^ (ONES * u64::from(b'\\'))))
        != 0
}

/// Appends `s` as a JSON string, escaped as serde_json escapes it.
pub(super) fn write_str(out: &mut Vec<u8>, s: &str) {
    out.push(b'"');
    let bytes = s.as_bytes();
    if any_needs_escape(bytes) {
        write_escaped(out, bytes);
    } else {
        out.extend_from_slice(bytes);
    }
    out.push(b'"');
}

#[cold]
fn write_escaped(out: &mut Vec<u8>, bytes: &[u8]) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let mut start = 0;
    for (i, &b) in bytes.iter().enumerate() {
        if !needs_escape(b) {
            continue;
        }
        out.extend_from_slice(&bytes[start..i]);
        match b {
            b'"' => out.extend_from_slice(b"\\\""),
            b'\\' => out.extend_from_slice(b"\\\\"),
            b'\n' => out.extend_from_slice(b"\\n"),
            b'\r' => out.extend_from_slice(b"\\r"),
            b'\t' => out.extend_from_slice(b"\\t"),
            0x08 => out.extend_from_slice(b"\\b"),
            0x0c => out.extend_from_slice(b"\\f"),
            _ => out.extend_from_slice(&[
                b'\\',
                b'u',
                b'0',
                b'0',
                HEX[usize::from(b >> 4)],
                HEX[usize::from(b & 0xf)],
            ]),
        }
        start = i + 1;
    }
    out.extend_from_slice(&bytes[start..]);
}

/// Appends a struct field name and its colon. Field names come from `#[derive]` and our
/// own `serialize_field` calls: identifiers that never need escaping.
pub(super) fn write_field_name(out: &mut Vec<u8>, name: &'static str) {
    debug_assert!(!any_needs_escape(name.as_bytes()), "field name {name:?}");
    out.push(b'"');
    out.extend_from_slice(name.as_bytes());
    out.extend_from_slice(b"\":");
}

pub(super) fn write_integer(out: &mut Vec<u8>, value: impl itoa::Integer) {
    out.extend_from_slice(itoa::Buffer::new().format(value).as_bytes());
}
