//! Map keys: JSON keys are strings.

use serde::Serialize;
use serde::ser::{self, Impossible};

use super::JsonError;
use super::escape::{write_integer, write_str};

/// A map key: JSON keys are strings, so only strings (and, as serde_json allows,
/// integers and chars, quoted) are accepted.
pub(super) struct MapKey<'a>(pub(super) &'a mut Vec<u8>);

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
