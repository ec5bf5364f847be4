//! A compact JSON serializer for the resources an export writes, byte for byte the
//! output of `serde_json::to_writer`, at about twice its speed.
//!
//! Rendering is the innermost loop of every export. Profiles of `serde_json` showed
//! half of the time going into checking each key and string for characters to escape,
//! one byte at a time, though the keys are struct field names and nearly every value is
//! a URL or a code. This serializer writes field names as they are (they are Rust
//! identifiers, checked in debug builds), checks values eight bytes at a time, and
//! writes into a `Vec<u8>` without an `io::Result` per fragment. Numbers are formatted as
//! serde_json formats them (integers with `itoa`, floats through serde_json itself), so
//! both produce identical bytes; the tests below and the golden files hold it to that.

use std::fmt;

use serde::Serialize;
use serde::ser::{self, Impossible};

/// Appends `value` as compact JSON and a newline: one NDJSON line.
pub fn write_line<T: Serialize + ?Sized>(value: &T, out: &mut Vec<u8>) -> Result<(), JsonError> {
    value.serialize(Json(out))?;
    out.push(b'\n');
    Ok(())
}

/// A value that JSON cannot hold (a non-string map key) or a resource's own
/// serialization error.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("cannot render as JSON: {0}")]
pub struct JsonError(String);

impl ser::Error for JsonError {
    fn custom<T: fmt::Display>(msg: T) -> Self {
        JsonError(msg.to_string())
    }
}

impl From<JsonError> for std::io::Error {
    fn from(e: JsonError) -> Self {
        std::io::Error::other(e)
    }
}

/// Whether JSON needs `byte` escaped inside a string.
#[inline]
fn needs_escape(byte: u8) -> bool {
    byte < 0x20 || byte == b'"' || byte == b'\\'
}

/// Whether any byte of `bytes` needs escaping, eight bytes at a time in a machine word
/// and without a branch per byte: nearly every string is a short URL or code that
/// needs none.
#[inline]
fn any_needs_escape(bytes: &[u8]) -> bool {
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
fn write_str(out: &mut Vec<u8>, s: &str) {
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
fn write_field_name(out: &mut Vec<u8>, name: &'static str) {
    debug_assert!(!any_needs_escape(name.as_bytes()), "field name {name:?}");
    out.push(b'"');
    out.extend_from_slice(name.as_bytes());
    out.extend_from_slice(b"\":");
}

fn write_integer(out: &mut Vec<u8>, value: impl itoa::Integer) {
    out.extend_from_slice(itoa::Buffer::new().format(value).as_bytes());
}

/// The serializer: one value into the buffer it borrows.
struct Json<'a>(&'a mut Vec<u8>);

/// An array or object being written; `first` says whether a comma is due.
struct Compound<'a> {
    out: &'a mut Vec<u8>,
    first: bool,
    /// The closing bytes: `]`, `}`, or `]}`/`}}` for a variant wrapped in an object.
    close: &'static [u8],
}

impl Compound<'_> {
    fn comma(&mut self) {
        if self.first {
            self.first = false;
        } else {
            self.out.push(b',');
        }
    }

    fn end(self) -> Result<(), JsonError> {
        self.out.extend_from_slice(self.close);
        Ok(())
    }
}

impl<'a> Json<'a> {
    fn compound(self, open: &[u8], close: &'static [u8]) -> Compound<'a> {
        self.0.extend_from_slice(open);
        Compound {
            out: self.0,
            first: true,
            close,
        }
    }

    /// `{"variant":` before a variant's content.
    fn variant(self, variant: &'static str) -> Json<'a> {
        self.0.push(b'{');
        write_field_name(self.0, variant);
        self
    }
}

impl<'a> ser::Serializer for Json<'a> {
    type Ok = ();
    type Error = JsonError;
    type SerializeSeq = Compound<'a>;
    type SerializeTuple = Compound<'a>;
    type SerializeTupleStruct = Compound<'a>;
    type SerializeTupleVariant = Compound<'a>;
    type SerializeMap = Compound<'a>;
    type SerializeStruct = Compound<'a>;
    type SerializeStructVariant = Compound<'a>;

    fn serialize_bool(self, v: bool) -> Result<(), JsonError> {
        self.0.extend_from_slice(if v { b"true" } else { b"false" });
        Ok(())
    }

    fn serialize_i8(self, v: i8) -> Result<(), JsonError> {
        write_integer(self.0, v);
        Ok(())
    }

    fn serialize_i16(self, v: i16) -> Result<(), JsonError> {
        write_integer(self.0, v);
        Ok(())
    }

    fn serialize_i32(self, v: i32) -> Result<(), JsonError> {
        write_integer(self.0, v);
        Ok(())
    }

    fn serialize_i64(self, v: i64) -> Result<(), JsonError> {
        write_integer(self.0, v);
        Ok(())
    }

    fn serialize_i128(self, v: i128) -> Result<(), JsonError> {
        write_integer(self.0, v);
        Ok(())
    }

    fn serialize_u8(self, v: u8) -> Result<(), JsonError> {
        write_integer(self.0, v);
        Ok(())
    }

    fn serialize_u16(self, v: u16) -> Result<(), JsonError> {
        write_integer(self.0, v);
        Ok(())
    }

    fn serialize_u32(self, v: u32) -> Result<(), JsonError> {
        write_integer(self.0, v);
        Ok(())
    }

    fn serialize_u64(self, v: u64) -> Result<(), JsonError> {
        write_integer(self.0, v);
        Ok(())
    }

    fn serialize_u128(self, v: u128) -> Result<(), JsonError> {
        write_integer(self.0, v);
        Ok(())
    }

    fn serialize_f32(self, v: f32) -> Result<(), JsonError> {
        serde_json::to_writer(self.0, &v).map_err(ser::Error::custom)
    }

    /// Through serde_json, so amounts read exactly as serde_json writes them.
    fn serialize_f64(self, v: f64) -> Result<(), JsonError> {
        serde_json::to_writer(self.0, &v).map_err(ser::Error::custom)
    }

    fn serialize_char(self, v: char) -> Result<(), JsonError> {
        write_str(self.0, v.encode_utf8(&mut [0; 4]));
        Ok(())
    }

    fn serialize_str(self, v: &str) -> Result<(), JsonError> {
        write_str(self.0, v);
        Ok(())
    }

    fn serialize_bytes(self, v: &[u8]) -> Result<(), JsonError> {
        use ser::SerializeSeq;
        let mut seq = self.serialize_seq(Some(v.len()))?;
        for byte in v {
            seq.serialize_element(byte)?;
        }
        SerializeSeq::end(seq)
    }

    fn serialize_none(self) -> Result<(), JsonError> {
        self.serialize_unit()
    }

    fn serialize_some<T: Serialize + ?Sized>(self, value: &T) -> Result<(), JsonError> {
        value.serialize(self)
    }

    fn serialize_unit(self) -> Result<(), JsonError> {
        self.0.extend_from_slice(b"null");
        Ok(())
    }

    fn serialize_unit_struct(self, _name: &'static str) -> Result<(), JsonError> {
        self.serialize_unit()
    }

    fn serialize_unit_variant(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
    ) -> Result<(), JsonError> {
        self.serialize_str(variant)
    }

    fn serialize_newtype_struct<T: Serialize + ?Sized>(
        self,
        _name: &'static str,
        value: &T,
    ) -> Result<(), JsonError> {
        value.serialize(self)
    }

    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
        value: &T,
    ) -> Result<(), JsonError> {
        let inner = self.variant(variant);
        value.serialize(Json(&mut *inner.0))?;
        inner.0.push(b'}');
        Ok(())
    }

    fn serialize_seq(self, _len: Option<usize>) -> Result<Compound<'a>, JsonError> {
        Ok(self.compound(b"[", b"]"))
    }

    fn serialize_tuple(self, len: usize) -> Result<Compound<'a>, JsonError> {
        self.serialize_seq(Some(len))
    }

    fn serialize_tuple_struct(
        self,
        _name: &'static str,
        len: usize,
    ) -> Result<Compound<'a>, JsonError> {
        self.serialize_seq(Some(len))
    }

    fn serialize_tuple_variant(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
        _len: usize,
    ) -> Result<Compound<'a>, JsonError> {
        Ok(self.variant(variant).compound(b"[", b"]}"))
    }

    fn serialize_map(self, _len: Option<usize>) -> Result<Compound<'a>, JsonError> {
        Ok(self.compound(b"{", b"}"))
    }

    fn serialize_struct(self, _name: &'static str, _len: usize) -> Result<Compound<'a>, JsonError> {
        Ok(self.compound(b"{", b"}"))
    }

    fn serialize_struct_variant(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
        _len: usize,
    ) -> Result<Compound<'a>, JsonError> {
        Ok(self.variant(variant).compound(b"{", b"}}"))
    }
}

impl ser::SerializeSeq for Compound<'_> {
    type Ok = ();
    type Error = JsonError;

    fn serialize_element<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), JsonError> {
        self.comma();
        value.serialize(Json(&mut *self.out))
    }

    fn end(self) -> Result<(), JsonError> {
        Compound::end(self)
    }
}

impl ser::SerializeTuple for Compound<'_> {
    type Ok = ();
    type Error = JsonError;

    fn serialize_element<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), JsonError> {
        ser::SerializeSeq::serialize_element(self, value)
    }

    fn end(self) -> Result<(), JsonError> {
        Compound::end(self)
    }
}

impl ser::SerializeTupleStruct for Compound<'_> {
    type Ok = ();
    type Error = JsonError;

    fn serialize_field<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), JsonError> {
        ser::SerializeSeq::serialize_element(self, value)
    }

    fn end(self) -> Result<(), JsonError> {
        Compound::end(self)
    }
}

impl ser::SerializeTupleVariant for Compound<'_> {
    type Ok = ();
    type Error = JsonError;

    fn serialize_field<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), JsonError> {
        ser::SerializeSeq::serialize_element(self, value)
    }

    fn end(self) -> Result<(), JsonError> {
        Compound::end(self)
    }
}

impl ser::SerializeMap for Compound<'_> {
    type Ok = ();
    type Error = JsonError;

    fn serialize_key<T: Serialize + ?Sized>(&mut self, key: &T) -> Result<(), JsonError> {
        self.comma();
        key.serialize(MapKey(&mut *self.out))?;
        self.out.push(b':');
        Ok(())
    }

    fn serialize_value<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), JsonError> {
        value.serialize(Json(&mut *self.out))
    }

    fn end(self) -> Result<(), JsonError> {
        Compound::end(self)
    }
}

impl ser::SerializeStruct for Compound<'_> {
    type Ok = ();
    type Error = JsonError;

    fn serialize_field<T: Serialize + ?Sized>(
        &mut self,
        key: &'static str,
        value: &T,
    ) -> Result<(), JsonError> {
        self.comma();
        write_field_name(self.out, key);
        value.serialize(Json(&mut *self.out))
    }

    fn end(self) -> Result<(), JsonError> {
        Compound::end(self)
    }
}

impl ser::SerializeStructVariant for Compound<'_> {
    type Ok = ();
    type Error = JsonError;

    fn serialize_field<T: Serialize + ?Sized>(
        &mut self,
        key: &'static str,
        value: &T,
    ) -> Result<(), JsonError> {
        ser::SerializeStruct::serialize_field(self, key, value)
    }

    fn end(self) -> Result<(), JsonError> {
        Compound::end(self)
    }
}

/// A map key: JSON keys are strings, so only strings (and, as serde_json allows,
/// integers and chars, quoted) are accepted.
struct MapKey<'a>(&'a mut Vec<u8>);

impl MapKey<'_> {
    fn quoted_integer(self, value: impl itoa::Integer) -> Result<(), JsonError> {
        self.0.push(b'"');
        write_integer(self.0, value);
        self.0.push(b'"');
        Ok(())
    }
}

fn key_must_be_a_string() -> JsonError {
    JsonError("a map key must be a string".into())
}

impl ser::Serializer for MapKey<'_> {
    type Ok = ();
    type Error = JsonError;
    type SerializeSeq = Impossible<(), JsonError>;
    type SerializeTuple = Impossible<(), JsonError>;
    type SerializeTupleStruct = Impossible<(), JsonError>;
    type SerializeTupleVariant = Impossible<(), JsonError>;
    type SerializeMap = Impossible<(), JsonError>;
    type SerializeStruct = Impossible<(), JsonError>;
    type SerializeStructVariant = Impossible<(), JsonError>;

    fn serialize_str(self, v: &str) -> Result<(), JsonError> {
        write_str(self.0, v);
        Ok(())
    }

    fn serialize_char(self, v: char) -> Result<(), JsonError> {
        write_str(self.0, v.encode_utf8(&mut [0; 4]));
        Ok(())
    }

    fn serialize_unit_variant(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
    ) -> Result<(), JsonError> {
        self.serialize_str(variant)
    }

    fn serialize_newtype_struct<T: Serialize + ?Sized>(
        self,
        _name: &'static str,
        value: &T,
    ) -> Result<(), JsonError> {
        value.serialize(self)
    }

    fn serialize_i8(self, v: i8) -> Result<(), JsonError> {
        self.quoted_integer(v)
    }

    fn serialize_i16(self, v: i16) -> Result<(), JsonError> {
        self.quoted_integer(v)
    }

    fn serialize_i32(self, v: i32) -> Result<(), JsonError> {
        self.quoted_integer(v)
    }

    fn serialize_i64(self, v: i64) -> Result<(), JsonError> {
        self.quoted_integer(v)
    }

    fn serialize_u8(self, v: u8) -> Result<(), JsonError> {
        self.quoted_integer(v)
    }

    fn serialize_u16(self, v: u16) -> Result<(), JsonError> {
        self.quoted_integer(v)
    }

    fn serialize_u32(self, v: u32) -> Result<(), JsonError> {
        self.quoted_integer(v)
    }

    fn serialize_u64(self, v: u64) -> Result<(), JsonError> {
        self.quoted_integer(v)
    }

    fn serialize_bool(self, _v: bool) -> Result<(), JsonError> {
        Err(key_must_be_a_string())
    }

    fn serialize_f32(self, _v: f32) -> Result<(), JsonError> {
        Err(key_must_be_a_string())
    }

    fn serialize_f64(self, _v: f64) -> Result<(), JsonError> {
        Err(key_must_be_a_string())
    }

    fn serialize_bytes(self, _v: &[u8]) -> Result<(), JsonError> {
        Err(key_must_be_a_string())
    }

    fn serialize_none(self) -> Result<(), JsonError> {
        Err(key_must_be_a_string())
    }

    fn serialize_some<T: Serialize + ?Sized>(self, _value: &T) -> Result<(), JsonError> {
        Err(key_must_be_a_string())
    }

    fn serialize_unit(self) -> Result<(), JsonError> {
        Err(key_must_be_a_string())
    }

    fn serialize_unit_struct(self, _name: &'static str) -> Result<(), JsonError> {
        Err(key_must_be_a_string())
    }

    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        _name: &'static str,
        _index: u32,
        _variant: &'static str,
        _value: &T,
    ) -> Result<(), JsonError> {
        Err(key_must_be_a_string())
    }

    fn serialize_seq(self, _len: Option<usize>) -> Result<Self::SerializeSeq, JsonError> {
        Err(key_must_be_a_string())
    }

    fn serialize_tuple(self, _len: usize) -> Result<Self::SerializeTuple, JsonError> {
        Err(key_must_be_a_string())
    }

    fn serialize_tuple_struct(
        self,
        _name: &'static str,
        _len: usize,
    ) -> Result<Self::SerializeTupleStruct, JsonError> {
        Err(key_must_be_a_string())
    }

    fn serialize_tuple_variant(
        self,
        _name: &'static str,
        _index: u32,
        _variant: &'static str,
        _len: usize,
    ) -> Result<Self::SerializeTupleVariant, JsonError> {
        Err(key_must_be_a_string())
    }

    fn serialize_map(self, _len: Option<usize>) -> Result<Self::SerializeMap, JsonError> {
        Err(key_must_be_a_string())
    }

    fn serialize_struct(
        self,
        _name: &'static str,
        _len: usize,
    ) -> Result<Self::SerializeStruct, JsonError> {
        Err(key_must_be_a_string())
    }

    fn serialize_struct_variant(
        self,
        _name: &'static str,
        _index: u32,
        _variant: &'static str,
        _len: usize,
    ) -> Result<Self::SerializeStructVariant, JsonError> {
        Err(key_must_be_a_string())
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use serde_json::json;

    use super::*;

    fn ours<T: Serialize>(value: &T) -> String {
        let mut out = Vec::new();
        write_line(value, &mut out).unwrap();
        String::from_utf8(out).unwrap()
    }

    fn serde_jsons<T: Serialize>(value: &T) -> String {
        serde_json::to_string(value).unwrap() + "\n"
    }

    #[test]
    fn strings_are_escaped_exactly_as_serde_json_escapes_them() {
        let every_ascii: String = (0u8..128).map(char::from).collect();
        for s in [
            "",
            "plain https://bluebutton.cms.gov/resources/variables/clm_id",
            "quote \" and backslash \\ in the middle of a string longer than sixteen",
            "\u{7f} del, é, 漢字 and 🩺 pass through",
            "tab\there, newline\n, \r, \u{8}, \u{c}, \u{1}, \u{1f}",
            &every_ascii,
        ] {
            assert_eq!(ours(&s), serde_jsons(&s), "{s:?}");
        }
    }

    #[test]
    fn the_word_check_finds_every_byte_that_needs_escaping_at_every_position() {
        for filler in [b'a', b' ', 0x7f, 0x80, 0xff] {
            for len in 1..=24 {
                for position in 0..len {
                    for byte in 0..=255u8 {
                        let mut bytes = vec![filler; len];
                        bytes[position] = byte;
                        assert_eq!(
                            any_needs_escape(&bytes),
                            bytes.iter().any(|&b| needs_escape(b)),
                            "{bytes:?}"
                        );
                    }
                }
            }
        }
    }

    #[test]
    fn values_of_every_shape_match_serde_json() {
        #[derive(Serialize)]
        #[serde(rename_all = "camelCase")]
        enum Kind {
            Unit,
            Newtype(i32),
            Tuple(u8, bool),
            Struct { inner_value: Option<&'static str> },
        }
        #[derive(Serialize)]
        #[serde(rename_all = "camelCase")]
        struct Resource {
            resource_type: &'static str,
            count: u64,
            negative: i64,
            amounts: Vec<f64>,
            #[serde(skip_serializing_if = "Option::is_none")]
            skipped: Option<u8>,
            absent: Option<u8>,
            kinds: Vec<Kind>,
            map: BTreeMap<String, char>,
            numbered: BTreeMap<u32, ()>,
            pair: (i16, &'static str),
            bytes: &'static [u8],
        }
        let resource = Resource {
            resource_type: "ExplanationOfBenefit",
            count: u64::MAX,
            negative: i64::MIN,
            amounts: vec![0.0, 12.5, 1234.56, 100.0, -0.01, 1e21, f64::NAN],
            skipped: None,
            absent: None,
            kinds: vec![
                Kind::Unit,
                Kind::Newtype(-7),
                Kind::Tuple(1, true),
                Kind::Struct {
                    inner_value: Some("x"),
                },
            ],
            map: [("a\"b".to_owned(), 'c'), ("d".to_owned(), '\n')].into(),
            numbered: [(1, ()), (22, ())].into(),
            pair: (-3, "three"),
            bytes: b"\x00\xff",
        };
        assert_eq!(ours(&resource), serde_jsons(&resource));
        assert_eq!(
            ours(&json!({"nested": [1, {"a": null}]})),
            serde_jsons(&json!({"nested": [1, {"a": null}]}))
        );
    }

    #[test]
    fn a_map_key_that_is_not_a_string_is_an_error_not_bad_json() {
        let map: BTreeMap<(u8, u8), u8> = [((1, 2), 3)].into();
        let mut out = Vec::new();
        assert!(write_line(&map, &mut out).is_err());
    }
}
