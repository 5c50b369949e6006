//! A bounds-checked FlatBuffer reader: tables, vectors, strings and scalars of an untrusted
//! buffer, where every offset is checked and every failure is an error naming what was read
//! (never a panic or an out-of-bounds read, and no `unsafe`).

use crate::{Error, Result};

use super::schema::voffset;

/// The error of a malformed artifact.
pub(crate) fn malformed(what: impl std::fmt::Display) -> Error {
    Error::invalid(
        "rjax::export::Exported::deserialize",
        format!("malformed artifact: {what} (is this a file written by jax.export's serialize?)"),
    )
}

fn read<const N: usize>(buf: &[u8], pos: usize, what: &str) -> Result<[u8; N]> {
    pos.checked_add(N)
        .and_then(|end| buf.get(pos..end))
        .and_then(|bytes| bytes.try_into().ok())
        .ok_or_else(|| {
            malformed(format!(
                "{what} at byte {pos} is past the end ({} bytes)",
                buf.len()
            ))
        })
}

fn read_u32(buf: &[u8], pos: usize, what: &str) -> Result<u32> {
    read::<4>(buf, pos, what).map(u32::from_le_bytes)
}

fn read_u16(buf: &[u8], pos: usize, what: &str) -> Result<u16> {
    read::<2>(buf, pos, what).map(u16::from_le_bytes)
}

/// Follows the unsigned offset stored at `pos` (offsets are relative to where they sit).
fn follow(buf: &[u8], pos: usize, what: &str) -> Result<usize> {
    let offset = read_u32(buf, pos, what)? as usize;
    pos.checked_add(offset)
        .filter(|&target| target < buf.len())
        .ok_or_else(|| {
            malformed(format!(
                "{what}: offset {offset} at byte {pos} leaves the buffer"
            ))
        })
}

/// A table of the buffer, with its vtable located and checked.
#[derive(Clone, Copy)]
pub(crate) struct Table<'a> {
    buf: &'a [u8],
    pos: usize,
    vtable: usize,
    vtable_len: usize,
    table_len: usize,
    /// The table's name, for errors.
    name: &'static str,
}

impl<'a> Table<'a> {
    /// The root table of a finished buffer.
    pub(crate) fn root(buf: &'a [u8], name: &'static str) -> Result<Table<'a>> {
        let pos = follow(buf, 0, "the root offset")?;
        Table::at(buf, pos, name)
    }

    fn at(buf: &'a [u8], pos: usize, name: &'static str) -> Result<Table<'a>> {
        let soffset = read::<4>(buf, pos, name).map(i32::from_le_bytes)?;
        let vtable = i64::try_from(pos)
            .ok()
            .and_then(|p| p.checked_sub(i64::from(soffset)))
            .and_then(|v| usize::try_from(v).ok())
            .ok_or_else(|| malformed(format!("the vtable of a {name} table is out of range")))?;
        let vtable_len = read_u16(buf, vtable, name)? as usize;
        let table_len = read_u16(buf, vtable + 2, name)? as usize;
        if vtable_len < 4
            || vtable
                .checked_add(vtable_len)
                .is_none_or(|end| end > buf.len())
            || pos.checked_add(table_len).is_none_or(|end| end > buf.len())
        {
            return Err(malformed(format!(
                "a {name} table's vtable is inconsistent"
            )));
        }
        Ok(Table {
            buf,
            pos,
            vtable,
            vtable_len,
            table_len,
            name,
        })
    }

    /// Where field `slot` is stored, or `None` when absent (then it takes its default).
    fn field(&self, slot: u16, size: usize) -> Result<Option<usize>> {
        let voff = voffset(slot) as usize;
        if voff + 2 > self.vtable_len {
            return Ok(None);
        }
        let offset = read_u16(self.buf, self.vtable + voff, self.name)? as usize;
        if offset == 0 {
            return Ok(None);
        }
        if offset + size > self.table_len {
            return Err(malformed(format!(
                "field {slot} of a {} table lies outside the table",
                self.name
            )));
        }
        Ok(Some(self.pos + offset))
    }

    fn scalar<const N: usize>(&self, slot: u16) -> Result<Option<[u8; N]>> {
        match self.field(slot, N)? {
            None => Ok(None),
            Some(pos) => read::<N>(self.buf, pos, self.name).map(Some),
        }
    }

    /// A `byte`/`ubyte`/`bool` field, or `default`.
    pub(crate) fn u8(&self, slot: u16, default: u8) -> Result<u8> {
        Ok(self.scalar::<1>(slot)?.map_or(default, |[b]| b))
    }

    /// A signed `byte` field (an enum code), or `default`.
    pub(crate) fn i8(&self, slot: u16, default: i8) -> Result<i8> {
        Ok(self.scalar::<1>(slot)?.map_or(default, i8::from_le_bytes))
    }

    /// A `ushort` field, or `default`.
    pub(crate) fn u16(&self, slot: u16, default: u16) -> Result<u16> {
        Ok(self.scalar::<2>(slot)?.map_or(default, u16::from_le_bytes))
    }

    /// A `short` field, or `default`.
    pub(crate) fn i16(&self, slot: u16, default: i16) -> Result<i16> {
        Ok(self.scalar::<2>(slot)?.map_or(default, i16::from_le_bytes))
    }

    /// A `uint` field, or `None` when absent.
    pub(crate) fn u32(&self, slot: u16) -> Result<Option<u32>> {
        Ok(self.scalar::<4>(slot)?.map(u32::from_le_bytes))
    }

    /// Where the object referenced by field `slot` starts, when present.
    fn reference(&self, slot: u16, what: &str) -> Result<Option<usize>> {
        match self.field(slot, 4)? {
            None => Ok(None),
            Some(pos) => follow(self.buf, pos, what).map(Some),
        }
    }

    /// A sub-table field.
    pub(crate) fn table(&self, slot: u16, name: &'static str) -> Result<Option<Table<'a>>> {
        match self.reference(slot, name)? {
            None => Ok(None),
            Some(pos) => Table::at(self.buf, pos, name).map(Some),
        }
    }

    /// A vector field (an absent vector reads as empty), of elements `elem_size` bytes wide.
    pub(crate) fn vector(
        &self,
        slot: u16,
        elem_size: usize,
        what: &'static str,
    ) -> Result<Vector<'a>> {
        match self.reference(slot, what)? {
            None => Ok(Vector::empty(self.buf, what, elem_size)),
            Some(pos) => Vector::at(self.buf, pos, elem_size, what),
        }
    }

    /// A string field.
    pub(crate) fn string(&self, slot: u16, what: &'static str) -> Result<Option<&'a str>> {
        match self.reference(slot, what)? {
            None => Ok(None),
            Some(pos) => string_at(self.buf, pos, what).map(Some),
        }
    }
}

/// A string at `pos`: a length, UTF-8 bytes (and a NUL the reader does not need).
fn string_at<'a>(buf: &'a [u8], pos: usize, what: &str) -> Result<&'a str> {
    let bytes = Vector::at(buf, pos, 1, "a string")?.bytes();
    std::str::from_utf8(bytes).map_err(|e| malformed(format!("{what} is not UTF-8: {e}")))
}

/// A vector of the buffer.
#[derive(Clone, Copy)]
pub(crate) struct Vector<'a> {
    buf: &'a [u8],
    start: usize,
    len: usize,
    elem_size: usize,
    what: &'static str,
}

impl<'a> Vector<'a> {
    fn empty(buf: &'a [u8], what: &'static str, elem_size: usize) -> Self {
        Vector {
            buf,
            start: 0,
            len: 0,
            elem_size,
            what,
        }
    }

    fn at(buf: &'a [u8], pos: usize, elem_size: usize, what: &'static str) -> Result<Self> {
        let len = read_u32(buf, pos, what)? as usize;
        let start = pos + 4;
        if len
            .checked_mul(elem_size)
            .and_then(|n| n.checked_add(start))
            .is_none_or(|end| end > buf.len())
        {
            return Err(malformed(format!(
                "{what} ({len} elements at byte {pos}) runs past the end"
            )));
        }
        Ok(Vector {
            buf,
            start,
            len,
            elem_size,
            what,
        })
    }

    /// The number of elements.
    pub(crate) fn len(&self) -> usize {
        self.len
    }

    /// The raw bytes of a vector of bytes.
    pub(crate) fn bytes(&self) -> &'a [u8] {
        &self.buf[self.start..self.start + self.len * self.elem_size]
    }

    fn elem(&self, i: usize) -> usize {
        self.start + i * self.elem_size
    }

    /// Element `i` of a vector of tables (`i < len`).
    pub(crate) fn table(&self, i: usize, name: &'static str) -> Result<Table<'a>> {
        let pos = follow(self.buf, self.elem(i), self.what)?;
        Table::at(self.buf, pos, name)
    }

    /// Element `i` of a vector of strings.
    pub(crate) fn string(&self, i: usize) -> Result<&'a str> {
        let pos = follow(self.buf, self.elem(i), self.what)?;
        string_at(self.buf, pos, self.what)
    }

    /// The elements of a vector of `ushort`s.
    pub(crate) fn u16s(&self) -> Vec<u16> {
        self.bytes()
            .chunks_exact(2)
            .map(|c| u16::from_le_bytes([c[0], c[1]]))
            .collect()
    }

    /// The elements of a vector of `uint`s.
    pub(crate) fn u32s(&self) -> Vec<u32> {
        self.bytes()
            .chunks_exact(4)
            .map(|c| u32::from_le_bytes([c[0], c[1], c[2], c[3]]))
            .collect()
    }

    /// The tables of a vector of tables.
    pub(crate) fn tables(&self, name: &'static str) -> Result<Vec<Table<'a>>> {
        (0..self.len).map(|i| self.table(i, name)).collect()
    }

    /// The strings of a vector of strings.
    pub(crate) fn strings(&self) -> Result<Vec<String>> {
        (0..self.len)
            .map(|i| self.string(i).map(str::to_string))
            .collect()
    }
}
