//! The static part of a generated contract's memory: argument bytes, their
//! region structs and output buffers, laid out once by the encoder and
//! written by one data segment.

/// Where the static data starts. Below it: a region struct at address 0
/// (when the program has one) and nothing else.
pub(super) const STATIC_START: u32 = 64;

/// Static data being laid out.
#[derive(Debug, Default)]
pub(super) struct Layout {
    image: Vec<u8>,
}

impl Layout {
    /// The address of the next byte.
    fn here(&self) -> u32 {
        STATIC_START + self.image.len() as u32
    }

    fn align(&mut self) {
        while !self.image.len().is_multiple_of(8) {
            self.image.push(0);
        }
    }

    fn put_struct(&mut self, offset: u32, capacity: u32, length: u32) -> u32 {
        self.align();
        let at = self.here();
        for field in [offset, capacity, length] {
            self.image.extend_from_slice(&field.to_le_bytes());
        }
        at
    }

    /// Places `data` with `slack` spare bytes after it, then a region
    /// struct over it; returns the struct's address.
    pub(super) fn region(&mut self, data: &[u8], slack: u32) -> u32 {
        self.align();
        let offset = self.here();
        self.image.extend_from_slice(data);
        self.image.extend(std::iter::repeat_n(0xAB, slack as usize));
        self.put_struct(offset, data.len() as u32 + slack, data.len() as u32)
    }

    /// Places `data` alone; returns its address.
    pub(super) fn data(&mut self, data: &[u8]) -> u32 {
        self.align();
        let at = self.here();
        self.image.extend_from_slice(data);
        at
    }

    /// An empty region of `capacity` bytes for the host to fill.
    pub(super) fn out(&mut self, capacity: u32) -> u32 {
        self.align();
        let offset = self.here();
        self.image.extend(std::iter::repeat_n(0, capacity as usize));
        self.put_struct(offset, capacity, 0)
    }

    /// A region struct holding exactly these fields.
    pub(super) fn raw(&mut self, offset: u32, capacity: u32, length: u32) -> u32 {
        self.put_struct(offset, capacity, length)
    }

    /// The address just past the static data.
    pub(super) fn end(&self) -> u32 {
        self.here()
    }

    /// The bytes to write at [`STATIC_START`].
    pub(super) fn image(&self) -> &[u8] {
        &self.image
    }

    /// Whether nothing was laid out.
    pub(super) fn is_empty(&self) -> bool {
        self.image.is_empty()
    }
}
