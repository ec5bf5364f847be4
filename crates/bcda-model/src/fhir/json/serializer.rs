//! The serializer of values: objects, arrays and scalars into the buffer it borrows.

use serde::Serialize;
use serde::ser;

use super::JsonError;
use super::escape::{write_field_name, write_integer, write_str};
use super::map_key::MapKey;

/// The serializer: one value into the buffer it borrows.
pub(super) struct Json<'a>(pub(super) &'a mut Vec<u8>);

/// An array or object being written; `first` says whether a comma is due.
pub(super) struct Compound<'a> {
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
